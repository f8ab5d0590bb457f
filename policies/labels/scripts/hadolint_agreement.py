#!/usr/bin/env python3
"""Agreement of the labels policy with hadolint over the shared corpus.

Inputs:
  - our findings, JSON lines written by the corpus test with the schema of
    `schema.yaml` (beside this script) in tallyman's settings shape:
      LABELS_FINDINGS_OUT=/tmp/labels-findings.jsonl \
      LABELS_SETTINGS="$(python3 policies/labels/scripts/hadolint_agreement.py --settings)" \
        cargo test -p tallyman-policy-labels --test corpus
  - hadolint's with the same schema, one JSON list per batch of 200 files:
      ls ../shared/corpus/dockerfiles | (cd ../shared/corpus/dockerfiles &&
        xargs -n 200 hadolint --no-fail -c $PWD/policies/labels/scripts/schema.yaml -f json) \
        > /tmp/hadolint-labels.json

Prints, per rule, the files where both fire, only tallyman fires and only
hadolint fires (files hadolint cannot parse, DL1000, left out), and with
--samples N the first N files of each disagreement.

usage: hadolint_agreement.py OURS.jsonl HADOLINT.json [--samples N]
       hadolint_agreement.py --settings
"""

import json
import os
import sys
from collections import defaultdict

EQUIVALENTS = {
    "LB001": ["DL3048"],
    "LB002": ["DL3049"],
    "LB003": ["DL3050"],
    "LB004": ["DL3051"],
    "LB005": ["DL3052", "DL3053", "DL3054", "DL3055", "DL3056", "DL3058"],
}

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema.yaml")


def schema_settings():
    """schema.yaml (hadolint's shape) as tallyman settings JSON."""
    schema, strict, section = {}, False, None
    for line in open(SCHEMA):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            key, _, value = line.partition(":")
            section = key.strip()
            if section == "strict-labels":
                strict = value.strip() == "true"
            continue
        if section == "label-schema":
            key, _, value = line.strip().partition(":")
            schema[key.strip()] = value.strip()
    return json.dumps({"schema": schema, "strict": strict})


def read_lists(path):
    """Concatenated JSON lists (one per hadolint batch)."""
    text, decoder, at, found = open(path).read(), json.JSONDecoder(), 0, []
    while at < len(text):
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            break
        value, at = decoder.raw_decode(text, at)
        found.extend(value)
    return found


def main(argv):
    if argv[1:] == ["--settings"]:
        print(schema_settings())
        return
    samples = 0
    if "--samples" in argv:
        samples = int(argv[argv.index("--samples") + 1])
    ours_path, theirs_path = argv[1], argv[2]
    ours = defaultdict(set)
    for line in open(ours_path):
        finding = json.loads(line)
        ours[finding["rule"]].add(finding["file"])
    theirs = defaultdict(set)
    unparsed = set()
    for finding in read_lists(theirs_path):
        if finding["code"] == "DL1000":
            unparsed.add(finding["file"])
        theirs[finding["code"]].add(finding["file"])
    print("| rule | hadolint | files both fire | only tallyman | only hadolint |")
    print("|---|---|---|---|---|")
    for rule, codes in EQUIVALENTS.items():
        mine = ours[rule] - unparsed
        other = set().union(*(theirs[code] for code in codes)) - unparsed
        print(f"| {rule} | {', '.join(codes)} | {len(mine & other)} | {len(mine - other)} | {len(other - mine)} |")
        if samples:
            for name, files in (("only tallyman", mine - other), ("only hadolint", other - mine)):
                for file in sorted(files)[:samples]:
                    print(f"    {name}: {file}")


if __name__ == "__main__":
    main(sys.argv)
