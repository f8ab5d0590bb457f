#!/usr/bin/env bash
# Times `tallyman scan` of a 10,000-Dockerfile monorepo with the result
# cache empty (cold), full (warm, nothing changed), after one file changed,
# and after one policy's settings changed, side by side in one run, and
# without the result cache for reference. The compiled-code cache is warm in
# every case. The figures go into BENCHMARKS.md.
#
# Usage: bench/result-cache.sh [--n N] [--seed S] [--runs R] [--work DIR]
#                              [--results DIR] [--keep]
#
#   --n N          Dockerfiles in the tree (default 10000)
#   --seed S       make-monorepo's seed (default 1)
#   --runs R       timed runs of each case (default 5)
#   --work DIR     where the tree and caches live
#                  (default $TMPDIR/tallyman-bench, outside the repository)
#   --results DIR  also keep hyperfine's exports and the summary there
#   --keep         keep the tree this run generates, for the next run to reuse
#
# Needs: cargo, python3, hyperfine (apt-get install hyperfine), GNU time
# (/usr/bin/time).
set -euo pipefail

bench_name=result-cache
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { sed -n '8,17p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        *) common_option "$@" || { usage >&2; die "unknown argument: $1"; }; shift "$consumed" ;;
    esac
done
whole_numbers "$n" "$seed" "$runs"
[ "$n" -gt 0 ] || die "--n must be at least 1"
[ "$runs" -gt 1 ] || die "--runs must be at least 2"

need_common_tools
need hyperfine "apt-get install hyperfine"
prepare_work result-cache

# --- the tree ----------------------------------------------------------------
tree_for "$n"
tree="$tree_path"

# The file the "one file changed" case edits: the manifest's first
# Dockerfile, restored on exit.
changed="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dockerfiles"][0]["path"])' "$tree.manifest.json")"
original="$raw/original-file"
cp "$tree/$changed" "$original"

cleanup() {
    cp "$original" "$tree/$changed"
    if [ "$results" = "$raw/results" ]; then
        rm -rf "$raw"/cache-* "$raw"/template-*
    else
        rm -rf "$raw"
    fi
    remove_generated_trees
}
trap cleanup EXIT

# --- tallyman ----------------------------------------------------------------
build_tallyman

# Commands run from an empty directory with an explicit configuration: no
# tallyman.yaml of the current directory or the tree changes what runs. The
# "policy changed" configuration changes one setting of one built-in policy.
cwd="$raw/cwd"
mkdir -p "$cwd"
cd "$cwd"
config_a="$raw/tallyman.yaml"
config_b="$raw/tallyman-policy-changed.yaml"
printf 'settings:\n  base-image:\n    require-digest: false\n' >"$config_a"
printf 'settings:\n  base-image:\n    require-digest: true\n' >"$config_b"
export TALLYMAN_DATE="${TALLYMAN_DATE:-$(date -u +%Y-%m-%d)}"

scan_cmd() { # scan_cmd CACHE CONFIG [EXTRA...]
    local cache="$1" config="$2"; shift 2
    printf '%s scan %s -f json -o /dev/null -c %s --cache-dir %s' \
        "$(q "$tallyman")" "$(q "$tree")" "$(q "$config")" "$(q "$cache")"
    for extra in "$@"; do printf ' %s' "$(q "$extra")"; done
}
run_scan() { # run_scan CACHE CONFIG [EXTRA...]: exit 1 is findings, not a failure
    local status=0
    bash -c "$(scan_cmd "$@")" || status=$?
    [ "$status" -le 1 ] || die "tallyman scan exited with $status"
}

# --- cache states ---------------------------------------------------------
# template-compiled: compiled code only (every case starts from a copy of a
# template, so that each timed run finds the same state).
say "preparing the cache states"
run_scan "$raw/template-compiled" "$config_a" --no-cache
[ ! -e "$raw/template-compiled/results-v1.sqlite" ] || die "--no-cache wrote a result database"
cp -a "$raw/template-compiled" "$raw/template-warm"
run_scan "$raw/template-warm" "$config_a"
"$tallyman" cache stats --cache-dir "$raw/template-warm" -f json >"$results/stats-after-cold.json"

reset() { # reset TEMPLATE CACHE
    printf 'rm -rf %s && cp -a %s %s' "$(q "$2")" "$(q "$1")" "$(q "$2")"
}
edit="$(printf 'cp %s %s && printf %s >>%s' "$(q "$original")" "$(q "$tree/$changed")" \
    "$(q 'USER nobody\n')" "$(q "$tree/$changed")")"
restore="$(printf 'cp %s %s' "$(q "$original")" "$(q "$tree/$changed")")"

{
    machine_lines
    echo "hyperfine: $(hyperfine --version)"
    echo "tree: $tree (make-monorepo --n $n --seed $seed); changed file: $changed"
} >"$results/machine.txt"
cat "$results/machine.txt" >&2

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
c="$raw/cache-run"
hyperfine --style basic --ignore-failure --runs "$runs" --export-json "$results/cases.json" \
    --command-name uncached --prepare "$restore; $(reset "$raw/template-compiled" "$c")" \
        "$(scan_cmd "$c" "$config_a" --no-cache)" \
    --command-name cold --prepare "$restore; $(reset "$raw/template-compiled" "$c")" \
        "$(scan_cmd "$c" "$config_a")" \
    --command-name warm --prepare "$restore; $(reset "$raw/template-warm" "$c")" \
        "$(scan_cmd "$c" "$config_a")" \
    --command-name one-file-changed --prepare "$edit; $(reset "$raw/template-warm" "$c")" \
        "$(scan_cmd "$c" "$config_a")" \
    --command-name one-policy-changed --prepare "$restore; $(reset "$raw/template-warm" "$c")" \
        "$(scan_cmd "$c" "$config_b")" \
    >&2
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# What each case found in the cache (from the last timed run of each is not
# kept; one more run of each, untimed, is counted).
count_case() { # count_case NAME TEMPLATE CONFIG [EDIT]
    local name="$1" template="$2" config="$3"
    bash -c "$restore; $(reset "$template" "$c")"
    [ -n "${4:-}" ] && bash -c "$4"
    /usr/bin/time -f '%M %e' -o "$raw/time.out" bash -c "$(scan_cmd "$c" "$config")" || true
    "$tallyman" cache stats --cache-dir "$c" -f json >"$results/stats-$name.json"
    tail -n 1 "$raw/time.out" >"$results/rss-$name.txt"
}
count_case cold "$raw/template-compiled" "$config_a"
count_case warm "$raw/template-warm" "$config_a"
count_case one-file-changed "$raw/template-warm" "$config_a" "$edit"
count_case one-policy-changed "$raw/template-warm" "$config_b"
bash -c "$restore"

# --- summary ---------------------------------------------------------------
cat "$results/machine.txt" >"$results/summary.txt"
python3 - "$results" "$n" "$load_before" "$load_after" <<'EOF' | tee -a "$results/summary.txt"
import json, os, sys
results, n, load_before, load_after = sys.argv[1:]
n = int(n)
cases = {r["command"]: r for r in json.load(open(os.path.join(results, "cases.json")))["results"]}
print(f"load average: {load_before} before the timings, {load_after} after")
print(f"{'case':22} {'runs':>4} {'wall s':>8} {'± s':>7} {'CPU s':>7} {'peak MiB':>8}  "
      f"{'targets from cache':>18} {'results hit/missed':>19} {'stored':>7}")
for name in ["uncached", "cold", "warm", "one-file-changed", "one-policy-changed"]:
    r = cases[name]
    cpu = r.get("user", 0) + r.get("system", 0)
    stats_path = os.path.join(results, f"stats-{name}.json")
    if os.path.exists(stats_path):
        run = json.load(open(stats_path))["results"]["last_run"]
        hits = f"{run['targets_from_cache']}/{run['targets_from_cache'] + run['targets_evaluated']}"
        results_col = f"{run['results_from_cache']}/{run['results_evaluated']}"
        stored = str(run["entries_stored"])
        kib = int(open(os.path.join(results, f"rss-{name}.txt")).read().split()[0])
        rss = f"{kib / 1024:.0f}"
    else:
        hits, results_col, stored, rss = "-", "-", "-", "-"
    print(f"{name:22} {len(r['times']):4} {r['mean']:8.3f} {r['stddev']:7.3f} {cpu:7.2f} {rss:>8}  "
          f"{hits:>18} {results_col:>19} {stored:>7}")
warm = cases["warm"]["mean"]
cold = cases["cold"]["mean"]
print(f"cold / warm: {cold / warm:.1f}x (target: >= 10x)")
print(f"cold / one file changed: {cold / cases['one-file-changed']['mean']:.1f}x")
print(f"cold / one policy changed: {cold / cases['one-policy-changed']['mean']:.1f}x")
print(f"cold / uncached: {cold / cases['uncached']['mean']:.2f} (the cost of writing the cache)")
stats = json.load(open(os.path.join(results, "stats-after-cold.json")))["results"]
print(f"database after a cold scan: {stats['entries']} entries, {stats['bytes_on_disk'] / 1048576:.1f} MiB on disk")
print(f"  {'met    ' if cold / warm >= 10 else 'NOT MET'}  warm re-scan >= 10x faster than cold")
EOF
say "hyperfine's export and the summary are in $results"
