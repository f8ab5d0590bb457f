#!/usr/bin/env bash
# Checks that two tallyman binaries report the same thing: a speed change
# must not change a single byte of what a scan says. For each tree it
# compares, byte for byte once the run's timing is removed:
#   - the JSON report of a scan with every built-in policy,
#   - the JSON report of a scan with no policy (`builtin: []`),
#   - `tallyman parse -f json` of every file the scan reported (the model
#     policies see, field by field, which a report only shows through the
#     findings).
#
# Usage: bench/same-reports.sh OLD NEW [TREE...]
#
#   OLD, NEW  the two tallyman binaries (e.g. a copy of the release build
#             before a change, and the release build after it)
#   TREE      directories to scan; `files:DIR` names every file of DIR on
#             the command line instead, for a directory of Dockerfiles whose
#             names discovery would not take for Dockerfiles (default:
#             files: the shared corpus, ../shared/corpus/dockerfiles next to
#             the repository)
#
# Environment: SAME_REPORTS_WORK (default $TMPDIR/tallyman-same-reports)
# holds the reports while it runs; it is removed at the end unless
# SAME_REPORTS_KEEP=1. Exits 0 when everything matches, 1 on a difference
# (printing the start of the diff), 2 on a usage or tool error.
set -euo pipefail

die() { echo "same-reports: $*" >&2; exit 2; }
say() { echo "==> $*" >&2; }

[ $# -ge 2 ] || { sed -n '11,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
old="$(realpath "$1")"
new="$(realpath "$2")"
shift 2
[ -x "$old" ] || die "not an executable: $old"
[ -x "$new" ] || die "not an executable: $new"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
trees=("$@")
[ ${#trees[@]} -gt 0 ] || trees=("files:$repo/../shared/corpus/dockerfiles")

work="${SAME_REPORTS_WORK:-${TMPDIR:-/tmp}/tallyman-same-reports}"
rm -rf "$work"
mkdir -p "$work/cwd"
[ "${SAME_REPORTS_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
printf 'builtin: []\n' >"$work/no-policy.yaml"
# The configuration's digest is in the report: both binaries get the same
# (empty) one, from outside the trees.
printf '{}\n' >"$work/every-policy.yaml"

# scan BINARY TREE CONFIG OUT: the JSON report, exit codes 0-2 accepted
# (findings exit 1; a file BuildKit refuses makes a failed target, 2).
# TREE is a directory, or files:DIR for every file in DIR.
scan() {
    local status paths=("$2")
    if [[ "$2" == files:* ]]; then
        mapfile -d '' -t paths < <(find "${2#files:}" -maxdepth 1 -type f -print0 | sort -z)
    fi
    set +e
    (cd "$work/cwd" && "$1" scan "${paths[@]}" -c "$3" --no-cache --cache-dir "$work/cache-$(basename "$1")" \
        -f json -o "$4" 2>"$4.stderr")
    status=$?
    set -e
    [ "$status" -le 2 ] || { cat "$4.stderr" >&2; die "$1 scan $2 exited with $status"; }
}

# Removes the run's timing, the only part that may differ between two runs.
strip_timing() {
    python3 - "$1" <<'EOF'
import json, sys
path = sys.argv[1]
report = json.load(open(path))
report["run"].pop("started_at", None)
report["run"].pop("duration_ms", None)
json.dump(report, open(path + ".stripped", "w"), indent=1, sort_keys=False)
EOF
}

different=0
compare() {
    local label="$1" a="$2" b="$3"
    if cmp -s "$a" "$b"; then
        say "same: $label"
    else
        echo "DIFFERENT: $label" >&2
        diff "$a" "$b" | head -n 40 >&2 || true
        different=1
    fi
}

index=0
for tree in "${trees[@]}"; do
    if [[ "$tree" == files:* ]]; then
        tree="files:$(realpath "${tree#files:}")"
    else
        tree="$(realpath "$tree")"
    fi
    index=$((index + 1))
    for config in every-policy no-policy; do
        for side in old new; do
            binary="$old"; [ "$side" = new ] && binary="$new"
            say "$side: scan $tree ($config)"
            scan "$binary" "$tree" "$work/$config.yaml" "$work/$index-$config-$side.json"
            strip_timing "$work/$index-$config-$side.json"
        done
        # The timing is out; everything else must match to the byte, the
        # raw files included once their `run` lines are dropped.
        compare "$tree, $config, report" \
            "$work/$index-$config-old.json.stripped" "$work/$index-$config-new.json.stripped"
        compare "$tree, $config, raw report without timing lines" \
            <(grep -v '"started_at"\|"duration_ms"' "$work/$index-$config-old.json") \
            <(grep -v '"started_at"\|"duration_ms"' "$work/$index-$config-new.json")
    done
    # The model of every scanned file, in the report's order.
    python3 - "$work/$index-every-policy-old.json" "${tree#files:}" "$work/$index-files" <<'EOF'
import json, os, sys
report, tree, out = sys.argv[1:]
targets = json.load(open(report))["targets"]
print(f"{len(targets)} targets, {sum(t['status'] == 'scanned' for t in targets)} scanned", file=sys.stderr)
with open(out, "wb") as f:
    for t in targets:
        if t["status"] == "scanned":
            # Relative to the tree, or as named on the command line.
            f.write(os.path.join(tree, t["path"]).encode() + b"\0")
EOF
    for side in old new; do
        binary="$old"; [ "$side" = new ] && binary="$new"
        say "$side: parse -f json, $(tr -cd '\0' <"$work/$index-files" | wc -c) files of $tree"
        # One file per call would take minutes; a batch prints one line per file.
        (cd "$work/cwd" && xargs -0 -n 500 "$binary" parse -f json <"$work/$index-files" \
            >"$work/$index-models-$side.jsonl" 2>"$work/$index-models-$side.stderr") \
            || die "$binary parse failed on $tree (see $work/$index-models-$side.stderr)"
    done
    compare "$tree, models" "$work/$index-models-old.jsonl" "$work/$index-models-new.jsonl"
done

if [ "$different" -eq 0 ]; then
    say "every report and model is the same"
else
    echo "same-reports: the binaries differ (see above)" >&2
fi
exit "$different"
