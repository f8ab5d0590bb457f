#!/usr/bin/env python3
"""The vendored Trivy checks (tests/rego/trivy-checks, run by tallyman's
Rego runner) against tallyman's native rules that name them as equivalents
(`trivy:DS-xxxx`), over the shared corpus, in one scan.

For each Trivy check, the corpus files where it fires and where its native
equivalents fire: both, only Trivy's Rego, only native. A native rule that
stands for several checks (HD009 for five package managers' caches) and a
check several native rules share (DS-0031 and the secrets rules) are
compared as one group as well, since neither side splits that way.

Usage: scripts/rego-trivy-vs-native.py [--tallyman BIN] [--corpus DIR]
                                      [--details FILE] [--report FILE]

  --tallyman BIN  the binary to scan with (default: the release build,
                  built now with `cargo build --release -p tallyman`)
  --corpus DIR    the Dockerfiles (default: ../shared/corpus/dockerfiles
                  beside the repository); when it is not there, the script
                  says it skipped and exits 0
  --details FILE  also write, per check and kind of difference, the files
                  and the findings' first lines, for reading
  --report FILE   keep the scan's JSON report there (default: a temporary
                  file, removed)

Exit 0 when the comparison ran (or was skipped), 2 on a tool error.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRIVY_SET = os.path.join(REPO, "tests", "rego", "trivy-checks")
SET_NAME = "trivy-checks"


def die(message):
    print(f"rego-trivy-vs-native: {message}", file=sys.stderr)
    sys.exit(2)


def release_binary():
    subprocess.run(["cargo", "build", "--release", "-p", "tallyman"], cwd=REPO, check=True)
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=REPO, check=True, capture_output=True, text=True,
    )
    return os.path.join(json.loads(meta.stdout)["target_directory"], "release", "tallyman")


def scan(tallyman, files, report, work):
    """Every built-in and the Trivy set over `files`, from an empty directory
    with an empty configuration, so no tallyman.yaml nearby changes it."""
    config = os.path.join(work, "every-policy.yaml")
    with open(config, "w") as out:
        out.write("{}\n")
    command = [tallyman, "scan", *files, "-c", config, "-p", TRIVY_SET,
               "--no-cache", "-f", "json", "-o", report]
    status = subprocess.run(command, cwd=work, stderr=subprocess.PIPE, text=True)
    # Findings exit 1; a file BuildKit refuses makes a failed target, 2.
    if status.returncode > 2:
        die(f"tallyman scan exited with {status.returncode}:\n{status.stderr}")
    return json.load(open(report))


def equivalences(report):
    """{DS id: [native rule ids]} from the rules' `trivy:` equivalents."""
    native = collections.defaultdict(list)
    for policy in report["policies"]:
        if policy["name"] == SET_NAME:
            continue
        for rule in policy["rules"]:
            for equivalent in rule.get("equivalents") or []:
                if equivalent.startswith("trivy:"):
                    native[equivalent[len("trivy:"):]].append(rule["id"])
    return native


def groups(native):
    """Connected sets of DS ids and native rules (a rule standing for several
    checks, a check several rules share), each as (ds ids, rules)."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for ds, rules in native.items():
        for rule in rules:
            parent[find(("rule", rule))] = find(("ds", ds))
    members = collections.defaultdict(set)
    for node in list(parent):
        members[find(node)].add(node)
    out = []
    for nodes in members.values():
        ds = sorted(n[1] for n in nodes if n[0] == "ds")
        rules = sorted(n[1] for n in nodes if n[0] == "rule")
        if len(ds) > 1 or len(rules) > 1:
            out.append((ds, rules))
    return sorted(out)


def main():
    parser = argparse.ArgumentParser(add_help=True, description=__doc__.split("\n")[0])
    parser.add_argument("--tallyman")
    parser.add_argument("--corpus", default=os.path.join(REPO, "..", "shared", "corpus", "dockerfiles"))
    parser.add_argument("--details")
    parser.add_argument("--report")
    args = parser.parse_args()

    corpus = os.path.abspath(args.corpus)
    if not os.path.isdir(corpus):
        print(f"rego-trivy-vs-native: skipped: no corpus at {corpus}")
        return 0
    files = sorted(os.path.join(corpus, name) for name in os.listdir(corpus)
                   if os.path.isfile(os.path.join(corpus, name)))
    tallyman = os.path.abspath(args.tallyman) if args.tallyman else release_binary()
    if not os.access(tallyman, os.X_OK):
        die(f"not an executable: {tallyman}")

    with tempfile.TemporaryDirectory(prefix="rego-trivy-vs-native.") as work:
        report_path = os.path.abspath(args.report) if args.report else os.path.join(work, "report.json")
        report = scan(tallyman, files, report_path, work)

    set_errors = [e for e in report.get("errors", []) if e["policy"] == SET_NAME]
    failed = [t for t in report["targets"] if t["status"] == "failed"]
    native = equivalences(report)
    trivy_ids = sorted({r["id"] for p in report["policies"] if p["name"] == SET_NAME for r in p["rules"]})
    if not trivy_ids:
        die("the report lists no rule of the Trivy set")

    # (rule id) -> {file: [findings]}
    fired = collections.defaultdict(lambda: collections.defaultdict(list))
    for finding in report.get("findings", []):
        name = os.path.basename(finding["path"])
        key = finding["rule_id"] if finding["policy"] == SET_NAME else ("native", finding["rule_id"])
        fired[key][name].append(finding)

    def trivy_files(ds):
        return set(fired[ds])

    def native_files(rules):
        return set().union(*(set(fired[("native", rule)]) for rule in rules)) if rules else set()

    print(f"{len(files)} corpus files; {len(report['targets']) - len(failed)} checked, "
          f"{len(failed)} refused by the parser (no policy sees them); "
          f"{len(set_errors)} policy errors of the Trivy set")
    print()
    print("| Trivy check | native equivalents | Trivy files | native files | both | only Trivy | only native |")
    print("|---|---|--:|--:|--:|--:|--:|")
    rows = []
    for ds in trivy_ids:
        rules = sorted(native.get(ds, []))
        t, n = trivy_files(ds), native_files(rules)
        rows.append((ds, rules, t, n))
        print(f"| {ds} | {', '.join(rules) or '—'} | {len(t)} | {len(n) if rules else '—'} | "
              f"{len(t & n) if rules else '—'} | {len(t - n) if rules else '—'} | "
              f"{len(n - t) if rules else '—'} |")
    print()
    print("Groups (a native rule standing for several checks, or a check several rules share):")
    print()
    print("| Trivy checks | native rules | Trivy files | native files | both | only Trivy | only native |")
    print("|---|---|--:|--:|--:|--:|--:|")
    for ds_ids, rules in groups(native):
        ds_ids = [ds for ds in ds_ids if ds in trivy_ids]
        t = set().union(*(trivy_files(ds) for ds in ds_ids)) if ds_ids else set()
        n = native_files(rules)
        print(f"| {', '.join(ds_ids)} | {', '.join(rules)} | {len(t)} | {len(n)} | {len(t & n)} | "
              f"{len(t - n)} | {len(n - t)} |")
    for error in set_errors[:20]:
        print(f"policy error: {error['path']}: {error['kind']}: {error['message'][:200]}", file=sys.stderr)

    if args.details:
        with open(args.details, "w") as out:
            for ds, rules, t, n in rows:
                if not rules:
                    continue
                for label, names in (("only Trivy", sorted(t - n)), ("only native", sorted(n - t))):
                    out.write(f"## {ds} ({', '.join(rules)}): {label}: {len(names)}\n")
                    for name in names:
                        out.write(f"{name}\n")
                        for finding in fired[ds].get(name, []):
                            out.write(f"    trivy  {finding['line']}: {finding['message'][:160]}\n")
                        for rule in rules:
                            for finding in fired[("native", rule)].get(name, []):
                                out.write(f"    {rule:6} {finding['line']}: {finding['message'][:160]}\n")
                    out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
