#!/usr/bin/env bash
# Sizes, load times and per-file scan times of policy components, for
# docs/writing-policies.md.
#
#   examples/policies/measure.sh TALLYMAN CORPUS_DIR WASM...
#
# CORPUS_DIR holds Dockerfiles (e.g. ../shared/corpus/dockerfiles); the first
# 200 of them are scanned, one per directory. Each component gets a fresh
# compile cache: the first `policy info` compiles, the second loads from the
# cache; scans run with the cache warm and the best of 3 runs is kept.
set -euo pipefail
tallyman=$1 corpus=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
i=0
for file in $(ls "$corpus" | head -200); do
    mkdir -p "$work/n200/d$i"
    cp "$corpus/$file" "$work/n200/d$i/Dockerfile"
    i=$((i + 1))
done
mkdir -p "$work/n1/d0"
cp "$work/n200/d0/Dockerfile" "$work/n1/d0/"
cd "$work"

seconds() { # the wall time of a command, in seconds
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
best_of_3() {
    local best=999999 t
    for _ in 1 2 3; do
        t=$(seconds "$@")
        best=$(echo "if ($t < $best) $t else $best" | bc)
    done
    echo "$best"
}

printf '%-40s %12s %9s %9s %9s %10s %12s\n' component bytes cold_s warm_s scan1_s scan200_s per_file_ms
for wasm in "$@"; do
    cache=$(mktemp -d -p "$work")
    cold=$(seconds "$tallyman" policy info "$wasm" --cache-dir "$cache")
    warm=$(seconds "$tallyman" policy info "$wasm" --cache-dir "$cache")
    scan=("$tallyman" scan --no-builtin -p "$wasm" --cache-dir "$cache" -f json -o /dev/null)
    one=$(best_of_3 "${scan[@]}" n1)
    many=$(best_of_3 "${scan[@]}" n200)
    per=$(echo "scale=2; ($many - $one) * 1000 / 199" | bc)
    printf '%-40s %12s %9.3f %9.3f %9.3f %10.3f %12s\n' \
        "$(basename "$(dirname "$wasm")")/$(basename "$wasm")" "$(stat -c %s "$wasm")" \
        "$cold" "$warm" "$one" "$many" "$per"
done
