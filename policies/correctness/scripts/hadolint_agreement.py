#!/usr/bin/env python3
"""Agreement of the correctness policy with hadolint: CR002 against DL3044.

Two measures:
  - the shared corpus: our findings, JSON lines written by the corpus test
      CORRECTNESS_FINDINGS_OUT=/tmp/correctness-findings.jsonl \
        cargo test -p tallyman-policy-correctness --test corpus
    against hadolint's cached run (`/work/hadolint-corpus.json`, a JSON list
    of `hadolint -f json` findings); files where both fire, only tallyman,
    only hadolint (files hadolint cannot parse, DL1000, left out);
  - the policy's fixtures (`tests/fixtures/*/*.Dockerfile`): hadolint is run
    on each, and its DL3044 lines are set against the lines the fixtures
    mark `# expect: CR002` (which the fixture test holds tallyman to).
    Needs `hadolint` on PATH.

usage: hadolint_agreement.py OURS.jsonl HADOLINT.json
"""

import glob
import json
import os
import subprocess
import sys

OURS, THEIRS = "CR002", "DL3044"
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")


def corpus(ours_path, hadolint_path):
    ours = set()
    with open(ours_path) as lines:
        for line in lines:
            finding = json.loads(line)
            if finding["rule"] == OURS:
                ours.add(finding["file"])
    with open(hadolint_path) as text:
        findings = json.load(text)
    unparsed = {f["file"] for f in findings if f["code"] == "DL1000"}
    theirs = {f["file"] for f in findings if f["code"] == THEIRS}
    ours -= unparsed
    print(f"corpus: {OURS}/{THEIRS}: both {len(ours & theirs)}, "
          f"only tallyman {len(ours - theirs)}, only hadolint {len(theirs - ours)}")
    for name in sorted(ours ^ theirs):
        print(f"  {'tallyman' if name in ours else 'hadolint'} only: {name}")


def marked_lines(path):
    """Lines of the instructions a fixture marks `# expect: CR002`."""
    lines, pending = set(), 0
    with open(path) as text:
        for number, line in enumerate(text, start=1):
            stripped = line.strip()
            if stripped.startswith("#"):
                body = stripped[1:].strip()
                if body.startswith("expect:"):
                    ids = [i.strip() for i in body[len("expect:"):].split(",")]
                    pending += ids.count(OURS)
                continue
            if stripped and pending:
                lines.add(number)
                pending = 0
    return lines


def fixtures():
    rows = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*", "*.Dockerfile"))):
        run = subprocess.run(["hadolint", "--no-fail", "-f", "json", path],
                             capture_output=True, text=True, check=False)
        theirs = {f["line"] for f in json.loads(run.stdout or "[]") if f["code"] == THEIRS}
        ours = marked_lines(path)
        if ours or theirs:
            rows.append((os.path.relpath(path, FIXTURES), sorted(ours), sorted(theirs)))
    print(f"fixtures: {OURS} lines / {THEIRS} lines")
    for name, ours, theirs in rows:
        verdict = "same" if ours == theirs else "differ"
        print(f"  {name}: tallyman {ours}, hadolint {theirs} ({verdict})")


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    corpus(argv[1], argv[2])
    fixtures()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
