#!/usr/bin/env bash
# Checks that two builds of a policy find the same things: scans a
# directory with each component alone and compares the reports' findings
# (every field) and errors. Used to show that declaring what a policy reads
# (`reads:` tags) changes none of its findings.
#
# Usage: bench/same-findings.sh TALLYMAN DIR OLD.wasm NEW.wasm [CONFIG]
#
#   DIR     the Dockerfiles to scan (e.g. ../shared/corpus/dockerfiles)
#   CONFIG  a tallyman.yaml, for settings that switch more rules on
#
# Compiled code is cached where tallyman caches it (TALLYMAN_CACHE_DIR, ...).
#
# Exits 1, printing the first differences, when the findings differ.
set -euo pipefail
[ $# -ge 4 ] || { sed -n '7,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
tallyman=$1 dir=$2 old=$3 new=$4 config=${5:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for which in old new; do
    wasm=$old
    [ "$which" = new ] && wasm=$new
    args=(scan --no-builtin --no-cache -p "$wasm" -f json -o "$work/$which.json")
    [ -n "$config" ] && args+=(-c "$config")
    # Exit 1 says some finding is at or above --fail-on, 2 that some target
    # could not be scanned (the errors are compared too); with no report,
    # the scan itself failed.
    "$tallyman" "${args[@]}" "$dir" || [ -s "$work/$which.json" ]
done
python3 - "$work/old.json" "$work/new.json" <<'EOF'
import json, sys
old, new = (json.load(open(path)) for path in sys.argv[1:3])
def part(report, key):
    return [json.dumps(item, sort_keys=True) for item in report.get(key, [])]
differ = False
for key in ("findings", "errors"):
    a, b = part(old, key), part(new, key)
    print(f"{key}: {len(a)} before, {len(b)} after, {'identical' if a == b else 'DIFFERENT'}")
    if a != b:
        differ = True
        for line in sorted(set(a) ^ set(b))[:10]:
            print(("  - " if line in a else "  + ") + line)
print(f"targets: {old['summary']['targets']} before, {new['summary']['targets']} after")
sys.exit(1 if differ else 0)
EOF
