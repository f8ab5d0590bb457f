"""Agreement of the multi-stage policy with hadolint over the shared corpus.

Inputs: hadolint's findings on the corpus (`hadolint_corpus.py` caches them
in /work/hadolint-corpus.json) and the policy's (the corpus test writes them
when MULTI_STAGE_FINDINGS is set). Prints, per rule with a hadolint
equivalent, the files where both fire, where only we fire, where only
hadolint fires, and lists the disagreeing files with the lines involved.

    python3 tools/hadolint_agreement.py HADOLINT_JSON FINDINGS_TSV
"""
import collections
import json
import sys

# Our rule -> the hadolint codes it covers (as issue 4 lists them).
EQUIVALENTS = {
    "MS004": ["DL3022", "DL3023"],
    "MS005": ["DL3024", "DL3063"],
    "MS007": ["DL3067"],
}


def main(hadolint_json, findings_tsv):
    hadolint = collections.defaultdict(lambda: collections.defaultdict(list))
    unparsed = set()
    for finding in json.load(open(hadolint_json)):
        if finding["code"] == "DL1000":
            unparsed.add(finding["file"])
        hadolint[finding["code"]][finding["file"]].append(finding["line"])
    ours = collections.defaultdict(lambda: collections.defaultdict(list))
    for line in open(findings_tsv):
        parts = line.rstrip("\n").split("\t")
        if len(parts) >= 3:
            ours[parts[0]][parts[1]].append(int(parts[2]))
    print(f"hadolint could not parse {len(unparsed)} corpus files (DL1000)")
    print("| rule | hadolint | both fire | only tallyman | only hadolint |")
    print("|---|---|---|---|---|")
    details = []
    for rule, codes in EQUIVALENTS.items():
        theirs = collections.defaultdict(list)
        for code in codes:
            for file, lines in hadolint[code].items():
                theirs[file].extend(lines)
        mine = ours[rule]
        both = sorted(set(mine) & set(theirs))
        only_ours = sorted(set(mine) - set(theirs))
        only_theirs = sorted(set(theirs) - set(mine))
        print(f"| {rule} | {', '.join(codes)} | {len(both)} | {len(only_ours)} | {len(only_theirs)} |")
        for file in only_ours:
            details.append(f"{rule} only tallyman: {file} lines {sorted(mine[file])}")
        for file in only_theirs:
            details.append(f"{rule} only hadolint: {file} lines {sorted(theirs[file])}")
        for file in both:
            if sorted(mine[file]) != sorted(theirs[file]):
                details.append(
                    f"{rule} both, other lines: {file} tallyman {sorted(mine[file])} "
                    f"hadolint {sorted(theirs[file])}"
                )
    print()
    print("\n".join(details))


if __name__ == "__main__":
    main(*sys.argv[1:3])
