#!/usr/bin/env python3
"""Agreement of the base-image policy with hadolint over the shared corpus.

Inputs:
  - tallyman's JSON report over the corpus, every file named on the command
    line (the corpus flattens paths, so discovery would not recognise them):
      cd ../shared/corpus/dockerfiles && TALLYMAN_DATE=2026-11-27 \
        tallyman scan --no-ignore -f json -o /tmp/corpus-report.json -- *
  - hadolint's findings, cached as one JSON list (`hadolint -f json`, batches
    of 200 files): /work/hadolint-corpus.json.

Prints, per rule with a hadolint equivalent, the files where both fire, only
tallyman fires and only hadolint fires (files hadolint cannot parse, DL1000,
left out), then with --samples N the first N files of each disagreement.

usage: hadolint_agreement.py REPORT.json HADOLINT.json [--samples N]
"""

import json
import sys
from collections import defaultdict

EQUIVALENTS = {
    "BI001": ["DL3006"],
    "BI002": ["DL3007"],
    "BI004": ["DL3026"],
    "BI007": ["DL3029"],
}


def main(argv):
    samples = 0
    if "--samples" in argv:
        at = argv.index("--samples")
        samples = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2:]
    report_path, hadolint_path = argv
    ours = defaultdict(lambda: defaultdict(set))  # rule -> file -> lines
    for finding in json.load(open(report_path))["findings"]:
        ours[finding["rule_id"]][finding["path"]].add(finding["line"])
    theirs = defaultdict(lambda: defaultdict(set))  # code -> file -> lines
    unparsed = set()
    for finding in json.load(open(hadolint_path)):
        if finding["code"] == "DL1000":
            unparsed.add(finding["file"])
        theirs[finding["code"]][finding["file"]].add(finding["line"])
    print(f"files hadolint cannot parse (left out): {len(unparsed)}\n")
    print("| rule | hadolint | both fire | only tallyman | only hadolint | same lines in shared files |")
    print("|---|---|---:|---:|---:|---:|")
    details = []
    for rule, codes in EQUIVALENTS.items():
        our_files = {f: l for f, l in ours[rule].items() if f not in unparsed}
        their_files = defaultdict(set)
        for code in codes:
            for f, l in theirs[code].items():
                if f not in unparsed:
                    their_files[f] |= l
        both = sorted(set(our_files) & set(their_files))
        only_ours = sorted(set(our_files) - set(their_files))
        only_theirs = sorted(set(their_files) - set(our_files))
        same = sum(1 for f in both if our_files[f] == their_files[f])
        print(f"| {rule} | {', '.join(codes)} | {len(both)} | {len(only_ours)} | {len(only_theirs)} | {same}/{len(both)} |")
        details.append((rule, only_ours, only_theirs, our_files, their_files))
    if samples:
        for rule, only_ours, only_theirs, our_files, their_files in details:
            print(f"\n## {rule}")
            for f in only_ours[:samples]:
                print(f"  only tallyman: {f} lines {sorted(our_files[f])}")
            for f in only_theirs[:samples]:
                print(f"  only hadolint: {f} lines {sorted(their_files[f])}")


if __name__ == "__main__":
    main(sys.argv[1:])
