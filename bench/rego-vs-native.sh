#!/usr/bin/env bash
# Times the vendored Trivy checks (tests/rego/trivy-checks, 28 Rego checks
# run by the embedded Rego runner) against tallyman's native built-in
# policies over the same make-monorepo tree, side by side in one hyperfine
# run:
#   - the no-policy floor (`builtin: []`),
#   - every built-in policy (the default scan),
#   - the four built-ins whose rules name Trivy checks as equivalents
#     (base-image, hardening, multi-stage, secrets),
#   - the Trivy set alone,
#   - every built-in and the Trivy set together.
# The per-target cost of each is its CPU time above the floor divided by the
# files. A one-file scan with the set, against one without, gives what
# loading and compiling the set costs once. The summary goes into
# BENCHMARKS.md.
#
# Usage: bench/rego-vs-native.sh [--n N] [--seed S] [--runs R] [--tallyman BIN]
#                                [--work DIR] [--results DIR] [--keep]
#
#   --n N           Dockerfiles in the tree (default 10000)
#   --seed S        make-monorepo's seed (default 1)
#   --runs R        timed runs of each command (default 5)
#   --tallyman BIN  time this binary instead of building the release one
#   --work DIR      where the tree and caches live
#                   (default $TMPDIR/tallyman-bench, outside the repository)
#   --results DIR   also keep hyperfine's exports and the summary there
#   --keep          keep the tree this run generates, for the next run
#
# The compiled-code cache is warm throughout and the result cache off
# (--no-cache), so every run evaluates every file. Wall time is hyperfine's
# mean; CPU time is user + system.
#
# Needs: cargo (unless --tallyman), python3, hyperfine (apt-get install
# hyperfine) and GNU time (/usr/bin/time).
set -euo pipefail

bench_name=rego-vs-native
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { sed -n '17,28p' "$0" | sed 's/^# \{0,1\}//'; }

given_tallyman=""
while [ $# -gt 0 ]; do
    case "$1" in
        --tallyman) given_tallyman="${2:?--tallyman needs a binary}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) common_option "$@" || { usage >&2; die "unknown argument: $1"; }; shift "$consumed" ;;
    esac
done
whole_numbers "$n" "$seed" "$runs"
[ "$n" -gt 0 ] || die "--n must be at least 1"
[ "$runs" -gt 1 ] || die "--runs must be at least 2"

need_common_tools
need hyperfine "apt-get install hyperfine"
trivy_set="$repo/tests/rego/trivy-checks"
[ -d "$trivy_set" ] || die "the vendored Trivy checks are not at $trivy_set"

prepare_work rego
cleanup() {
    if [ "$results" = "$raw/results" ]; then
        rm -rf "$raw"/cache-* "$raw"/*.report
    else
        rm -rf "$raw"
    fi
    remove_generated_trees
}
trap cleanup EXIT

tree_for "$n"
tree="$tree_path"

if [ -n "$given_tallyman" ]; then
    tallyman="$(realpath "$given_tallyman")"
    [ -x "$tallyman" ] || die "not an executable: $tallyman"
else
    build_tallyman
fi

# Commands run from an empty directory with explicit configurations, so
# that no tallyman.yaml nearby changes what runs.
cwd="$raw/cwd"
mkdir -p "$cwd"
cd "$cwd"
configs="$raw/configs"
mkdir -p "$configs"
warm="$raw/cache-warm"
equivalents="base-image, hardening, multi-stage, secrets"
# Every case gets the same generous deadline per evaluation: at the default
# 1 s the set's slowest files time out on a loaded machine, and after three
# timeouts a policy is not run on the rest of the scan, which would time a
# scan that skipped most of the set's work.
limits='limits:\n  timeout-ms: 60000\n'
printf "builtin: []\n$limits" >"$configs/no-policy.yaml"
printf "$limits" >"$configs/every-builtin.yaml"
printf "builtin: [%s]\n$limits" "$equivalents" >"$configs/equivalent-builtins.yaml"
printf "builtin: []\npolicies:\n  - rego: %s\n$limits" "$trivy_set" >"$configs/trivy-rego.yaml"
printf "policies:\n  - rego: %s\n$limits" "$trivy_set" >"$configs/every-builtin-and-trivy-rego.yaml"
cases=(no-policy every-builtin equivalent-builtins trivy-rego every-builtin-and-trivy-rego)

# One scan per configuration before timing: it fills the compiled-code
# cache, and its report says what ran and that nothing failed.
for config in "${cases[@]}"; do
    say "checking the $config scan"
    set +e
    "$tallyman" scan "$tree" -c "$configs/$config.yaml" -f json -o "$raw/$config.report" \
        --cache-dir "$warm" --no-cache
    status=$?
    set -e
    [ "$status" -le 2 ] || die "tallyman scan ($config) exited with $status"
done
python3 - "$raw" "$results/check.txt" "${cases[@]}" <<'EOF'
import collections, json, os, sys
raw, out, *cases = sys.argv[1:]
lines = []
for case in cases:
    report = json.load(open(os.path.join(raw, case + ".report")))
    targets = report["targets"]
    status = collections.Counter(t["status"] for t in targets)
    errors = collections.Counter((e["policy"], e["kind"]) for e in report.get("errors", []))
    policies = [p["name"] for p in report["policies"] if p["name"] != "tallyman"]
    rego = sum(1 for f in report.get("findings", []) if f["policy"] == "trivy-checks")
    lines.append(f"{case}: {len(targets)} targets {dict(sorted(status.items()))}; "
                 f"policies: {', '.join(policies) or '(none)'}; "
                 f"{len(report.get('findings', []))} findings ({rego} from the Trivy set); "
                 f"errors: {dict(sorted(errors.items())) or 'none'}")
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines), file=sys.stderr)
# A policy error on a file (the set's DS-0001 refuses a stage that declares
# an ARG twice, as OPA does) ends that file's evaluation early and is listed
# above; a timeout means the set was cut off, so the timing would be of
# less than the whole scan.
bad = [l for l in lines if "'timeout'" in l.split("errors:")[1]]
if bad:
    sys.exit("the Trivy set timed out on some targets: the timing would not be of a complete scan")
EOF
files="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["targets"]))' "$raw/no-policy.report")"
one="$(python3 - "$tree.manifest.json" "$tree" <<'EOF'
import json, os, sys
m = json.load(open(sys.argv[1]))
sized = sorted((os.path.getsize(os.path.join(sys.argv[2], d["path"])), d["path"])
               for d in m["dockerfiles"] if os.path.basename(d["path"]) == "Dockerfile")
print(sized[len(sized) // 2][1])
EOF
)"

{
    machine_lines
    echo "hyperfine: $(hyperfine --version)"
    echo "tree: $tree (make-monorepo --n $n --seed $seed; $files targets)"
    echo "one file: $one"
} >"$results/machine.txt"
cat "$results/machine.txt" >&2

t="$(q "$tallyman")"
scan_cmd() { # scan_cmd CONFIG PATH: a scan, report to /dev/null, result cache off
    printf '%s scan %s -c %s -f json -o /dev/null --cache-dir %s --no-cache' \
        "$t" "$(q "$2")" "$(q "$configs/$1.yaml")" "$(q "$warm")"
}
commands=()
for config in "${cases[@]}"; do
    commands+=(--command-name "$config" "$(scan_cmd "$config" "$tree")")
done
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
say "timing the tree scans ($runs runs each)"
hyperfine --style basic --ignore-failure --runs "$runs" --warmup 1 \
    --export-json "$results/scans.json" "${commands[@]}" >&2
say "timing one-file scans, with and without the set ($((runs * 4)) runs each)"
hyperfine --style basic --ignore-failure --runs "$((runs * 4))" --warmup 2 \
    --export-json "$results/one-file.json" \
    --command-name one-no-policy "$(scan_cmd no-policy "$tree/$one")" \
    --command-name one-trivy-rego "$(scan_cmd trivy-rego "$tree/$one")" \
    --command-name one-every-builtin "$(scan_cmd every-builtin "$tree/$one")" >&2
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

cat "$results/machine.txt" "$results/check.txt" >"$results/summary.txt"
python3 - "$results" "$files" "$load_before" "$load_after" <<'EOF' | tee -a "$results/summary.txt"
import json, os, sys
results, files, load_before, load_after = sys.argv[1:]
files = int(files)

def timings(name):
    return {r["command"]: r for r in json.load(open(os.path.join(results, name + ".json")))["results"]}

def cpu(r):
    return r["user"] + r["system"]

scans = timings("scans")
one = timings("one-file")
floor = scans["no-policy"]
print()
print(f"{files} targets; load average {load_before} before the timings, {load_after} after")
print()
print(f"{'scan':30} {'runs':>4} {'wall s':>8} {'± s':>7} {'CPU s':>7} {'+ CPU s':>8} {'CPU µs/target':>14}")
for name, r in scans.items():
    extra = cpu(r) - cpu(floor)
    per = "" if name == "no-policy" else f"{extra / files * 1e6:14.0f}"
    print(f"{name:30} {len(r['times']):4} {r['mean']:8.3f} {r['stddev'] or 0:7.3f} {cpu(r):7.2f} "
          f"{extra:+8.2f} {per:>14}")
print()
rego = cpu(scans["trivy-rego"]) - cpu(floor)
native = cpu(scans["equivalent-builtins"]) - cpu(floor)
every = cpu(scans["every-builtin"]) - cpu(floor)
print(f"Trivy's 28 Rego checks: {rego / files * 1e6:.0f} µs CPU per target; "
      f"the four native built-ins with Trivy equivalents: {native / files * 1e6:.0f} µs "
      f"({rego / native:.1f}x); every built-in: {every / files * 1e6:.0f} µs ({rego / every:.1f}x)")
print()
for name in ("one-no-policy", "one-trivy-rego", "one-every-builtin"):
    r = one[name]
    print(f"{name:20} {len(r['times']):4} runs: {r['mean'] * 1e3:8.1f} ms wall "
          f"({r['min'] * 1e3:.1f}–{r['max'] * 1e3:.1f}), {cpu(r) * 1e3:8.1f} ms CPU")
load = cpu(one["one-trivy-rego"]) - cpu(one["one-no-policy"])
print(f"loading and compiling the set, once per scan and worker: about {load * 1e3:.0f} ms CPU "
      f"(one-file scan with the set minus without)")
EOF
say "hyperfine exports and the summary are in $results"
