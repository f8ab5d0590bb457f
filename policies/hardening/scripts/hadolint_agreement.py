#!/usr/bin/env python3
"""Agreement of the hardening policy with hadolint over the shared corpus.

Inputs:
  - our findings, JSON lines written by the corpus test:
      HARDENING_FINDINGS_OUT=/tmp/hardening-findings.jsonl \
        cargo test -p tallyman-policy-hardening --test corpus
  - hadolint's, cached as one JSON list (`hadolint -f json`, batches of 200):
      /work/hadolint-corpus.json (default rules) and
      /work/hadolint-corpus-dl3057.json (`--info DL3057`, off by default).

Prints, per rule with a hadolint equivalent, the files where both fire, only
tallyman fires and only hadolint fires (files hadolint cannot parse, DL1000,
left out), then with --samples N the first N files of each disagreement.

Lines are compared by instruction: hadolint reports a RUN at its first line,
tallyman a command inside a multi-line RUN at the command's own line, so
every line is mapped to the first line of the instruction that contains it,
from BuildKit's parse of the corpus (`buildkit-dump.jsonl`, the instructions'
start_line and end_line; --buildkit-dump PATH, by default the one in
../shared/corpus beside the repository).

usage: hadolint_agreement.py OURS.jsonl HADOLINT.json [HADOLINT-EXTRA.json ...]
           [--samples N] [--buildkit-dump PATH]
"""

import json
import os
import sys
from collections import defaultdict

DEFAULT_DUMP = os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "..", "..", "shared", "corpus", "buildkit-dump.jsonl"))

EQUIVALENTS = {
    "HD001": ["DL3002"],
    "HD002": ["DL3004"],
    "HD003": ["DL3020"],
    "HD007": ["DL3057"],
    "HD009": ["DL3009", "DL3019", "DL3032", "DL3036", "DL3040", "DL3042", "DL3060"],
    "HD010": ["DL3015"],
    "HD012": ["DL3011"],
    "HD013": ["DL3025"],
    "HD015": ["DL4003", "DL4004", "DL3012"],
    "HD016": ["DL4000"],
    "HD017": ["DL3000"],
    "HD018": ["DL3014", "DL3030", "DL3038", "DL3034"],
    "HD019": ["DL4006"],
    "HD020": ["DL3008", "DL3013", "DL3016", "DL3018", "DL3028", "DL3033",
              "DL3037", "DL3041", "DL3062"],
    "HD021": ["DL3003"],
    "HD022": ["DL3027"],
    "HD023": ["DL3047"],
    "HD024": ["DL4001"],
    "HD025": ["DL4005"],
    "HD026": ["DL3001"],
    "HD027": ["DL3035"],
    "HD028": ["DL3046"],
    "HD030": ["DL3066"],
    "HD031": ["DL3059"],
    "HD032": ["DL3021"],
    "HD033": ["DL3045"],
}


def instruction_starts(dump_path):
    """file -> {line: first line of the instruction containing it}."""
    starts = {}
    with open(dump_path) as lines:
        for line in lines:
            parsed = json.loads(line)
            by_line = {}
            for instruction in parsed.get("instructions") or []:
                for number in range(instruction["start_line"], instruction["end_line"] + 1):
                    by_line[number] = instruction["start_line"]
            starts[parsed["path"]] = by_line
    return starts


def option(argv, name, default):
    if name not in argv:
        return argv, default
    at = argv.index(name)
    return argv[:at] + argv[at + 2:], argv[at + 1]


def main(argv):
    argv, samples = option(argv, "--samples", 0)
    samples = int(samples)
    argv, dump_path = option(argv, "--buildkit-dump", DEFAULT_DUMP)
    starts = instruction_starts(dump_path)

    def instruction_line(file, line):
        return starts.get(file, {}).get(line, line)

    ours_path, *hadolint_paths = argv
    ours = defaultdict(lambda: defaultdict(set))  # rule -> file -> lines
    with open(ours_path) as lines:
        for line in lines:
            finding = json.loads(line)
            ours[finding["rule"]][finding["file"]].add(
                instruction_line(finding["file"], finding["line"]))
    theirs = defaultdict(lambda: defaultdict(set))  # code -> file -> lines
    unparsed = set()
    for path in hadolint_paths:
        for finding in json.load(open(path)):
            if finding["code"] == "DL1000":
                unparsed.add(finding["file"])
            theirs[finding["code"]][finding["file"]].add(
                instruction_line(finding["file"], finding["line"]))
    print(f"files hadolint cannot parse (left out): {len(unparsed)}\n")
    print("| rule | hadolint | both fire | only tallyman | only hadolint | same instructions in shared files |")
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
        shared = f"{same}/{len(both)}" if both else "—"
        print(f"| {rule} | {', '.join(codes)} | {len(both)} | {len(only_ours)} | {len(only_theirs)} | {shared} |")
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
