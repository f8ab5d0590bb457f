#!/usr/bin/env bash
# Times what a scripting-language policy adds to a scan, per file: the
# Python and JavaScript example policies (or any components given), side by
# side in one run, over a seeded random sample of the shared corpus. The
# figures go into BENCHMARKS.md.
#
# Usage: bench/scripting-policies.sh [--n N] [--seed S] [--runs R]
#                                    [--tallyman BIN] [--corpus DIR]
#                                    [--work DIR] [--results DIR]
#                                    [LABEL=WASM ...]
#
#   --n N          files in the sample (default 1000), each in a directory
#                  of its own as `Dockerfile`
#   --seed S       the sample's seed (default 1)
#   --runs R       timed runs of each scan (default 5)
#   --tallyman BIN time this binary instead of building the release one
#   --corpus DIR   where the sample is drawn from
#                  (default ../shared/corpus/dockerfiles)
#   LABEL=WASM     a component to time, under LABEL; default: the Python and
#                  JavaScript examples, built now with their build.sh
#
# Each component is scanned alone (--no-builtin -p WASM) over the sample and
# over its first file, and so is no policy at all. What a policy adds per
# file is its scan's growth from 1 file to N, less the no-policy scan's
# growth, over N - 1 files: the policy's load (from the warm compiled-code
# cache) and the scan's own per-file work cancel out. Wall time is
# hyperfine's mean; the result cache is off (--no-cache).
#
# Needs: cargo (unless --tallyman), python3, hyperfine, and the examples'
# toolchains (componentize-py, componentize-js; scripts/test installs them)
# unless components are given.
set -euo pipefail

bench_name=scripting-policies
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { sed -n '8,21p' "$0" | sed 's/^# \{0,1\}//'; }

n=1000
corpus="$repo/../shared/corpus/dockerfiles"
given_tallyman=""
policies=()
while [ $# -gt 0 ]; do
    case "$1" in
        --tallyman) given_tallyman="${2:?--tallyman needs a binary}"; shift 2 ;;
        --corpus) corpus="${2:?--corpus needs a directory}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *=*) policies+=("$1"); shift ;;
        *) common_option "$@" || { usage >&2; die "unknown argument: $1"; }; shift "$consumed" ;;
    esac
done
whole_numbers "$n" "$seed" "$runs"
[ "$n" -ge 2 ] || die "--n must be at least 2"
[ -d "$corpus" ] || die "no corpus at $corpus"
need python3 "apt-get install python3"
need hyperfine "apt-get install hyperfine"

if [ -n "$given_tallyman" ]; then
    tallyman="$given_tallyman"
else
    need cargo "install Rust with rustup (https://rustup.rs)"
    build_tallyman
fi
if [ ${#policies[@]} -eq 0 ]; then
    for lang in python js; do
        say "building the $lang example (examples/policies/$lang/build.sh)"
        sh "$repo/examples/policies/$lang/build.sh" >&2
        policies+=("$lang=$repo/examples/policies/$lang/policy.wasm")
    done
fi

prepare_work scripting
trap 'rm -rf "$raw"' EXIT
say "sampling $n files of $corpus (seed $seed)"
python3 - "$corpus" "$n" "$seed" "$raw" <<'EOF'
import os, random, shutil, sys
corpus, n, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
files = sorted(f for f in os.listdir(corpus) if os.path.isfile(os.path.join(corpus, f)))
if len(files) < n:
    sys.exit(f"the corpus has {len(files)} files, fewer than {n}")
sample = random.Random(seed).sample(files, n)
for i, name in enumerate(sample):
    for tree in (["many"] if i else ["many", "one"]):
        os.makedirs(f"{out}/{tree}/d{i:05}", exist_ok=True)
        shutil.copy(os.path.join(corpus, name), f"{out}/{tree}/d{i:05}/Dockerfile")
EOF

# Kept in the work directory between runs: entries are keyed by the
# module's sha256 and the engine, and a first compile of a Python or
# JavaScript component takes 20 s or more.
cache="$work/compiled-code"
scan="$(q "$tallyman") scan --no-builtin --no-cache --cache-dir $(q "$cache") -f json -o /dev/null"
commands=()
names=()
for tree in one many; do
    names+=("none/$tree")
    commands+=("$scan $(q "$raw/$tree")")
done
for entry in "${policies[@]}"; do
    label="${entry%%=*}" wasm="${entry#*=}"
    [ -f "$wasm" ] || die "no component at $wasm"
    # Compiles it into the cache, so every timed run loads it warm.
    "$tallyman" policy info "$wasm" --cache-dir "$cache" >/dev/null
    for tree in one many; do
        names+=("$label/$tree")
        commands+=("$scan -p $(q "$wasm") $(q "$raw/$tree")")
    done
done
say "timing ${#commands[@]} scans, $runs runs each"
# A scan exits 2 when a target could not be parsed (the corpus has a few
# such files) and 1 when it finds something at or above --fail-on: both are
# complete runs, so exit codes are not failures here.
hyperfine_args=(--ignore-failure --warmup 1 --runs "$runs" --export-json "$results/hyperfine.json" --style basic)
for i in "${!commands[@]}"; do
    hyperfine_args+=(--command-name "${names[$i]}" "${commands[$i]}")
done
hyperfine "${hyperfine_args[@]}" >&2

{
    machine_lines
    echo "sample: $n files of $corpus, seed $seed; $runs runs each"
    python3 - "$results/hyperfine.json" "$n" <<'EOF'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2])
growth = lambda label: results[f"{label}/many"]["mean"] - results[f"{label}/one"]["mean"]
floor = growth("none")
print(f"{'scan':<24} {'1 file s':>10} {f'{n} files s':>12} {'added ms/file':>14}")
for label in dict.fromkeys(name.split("/")[0] for name in results):
    one, many = results[f"{label}/one"], results[f"{label}/many"]
    added = "" if label == "none" else f"{(growth(label) - floor) * 1000 / (n - 1):.3f}"
    print(f"{label:<24} {one['mean']:>10.3f} {many['mean']:>12.3f} {added:>14}")
EOF
} | tee "$results/summary.txt"
