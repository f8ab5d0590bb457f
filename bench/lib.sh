# What the benchmark scripts share: messages, the options every one takes,
# the work directory, the make-monorepo trees and the release build.
# Sourced, not run: set $bench_name first (it prefixes error messages).
#
# Options it parses (common_option): --n N, --seed S, --runs R, --work DIR,
# --results DIR, --keep; their defaults are set when this file is sourced.

die() { echo "$bench_name: $*" >&2; exit 2; }
say() { echo "==> $*" >&2; }
q() { printf '%q' "$1"; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed: $2"; }

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
make_monorepo="$repo/../shared/tools/make-monorepo"

n=10000
seed=1
runs=5
work="${TMPDIR:-/tmp}/tallyman-bench"
results=""
keep=0

# common_option ARGS...: takes one of the shared options off the front of
# ARGS, setting $consumed to how many words it used; fails on anything else.
common_option() {
    case "$1" in
        --n) n="${2:?--n needs a number}"; consumed=2 ;;
        --seed) seed="${2:?--seed needs a number}"; consumed=2 ;;
        --runs) runs="${2:?--runs needs a number}"; consumed=2 ;;
        --work) work="${2:?--work needs a directory}"; consumed=2 ;;
        --results) results="${2:?--results needs a directory}"; consumed=2 ;;
        --keep) keep=1; consumed=1 ;;
        *) return 1 ;;
    esac
}

# whole_numbers N...: dies unless every argument is a whole number.
whole_numbers() {
    local number
    for number in "$@"; do
        [[ "$number" =~ ^[0-9]+$ ]] || die "not a whole number: $number"
    done
}

# need_common_tools: what every benchmark runs.
need_common_tools() {
    need cargo "install Rust with rustup (https://rustup.rs)"
    need python3 "apt-get install python3"
    /usr/bin/time --version >/dev/null 2>&1 \
        || die "GNU time is needed at /usr/bin/time for peak memory: apt-get install time"
    [ -x "$make_monorepo" ] \
        || die "make-monorepo not found at $make_monorepo (the repository's parent must hold shared/tools and shared/corpus)"
}

# prepare_work PREFIX: makes $work absolute (it must be outside the
# repository), $raw a fresh directory under it, and $results the directory
# for exports and the summary ($raw/results unless --results was given).
prepare_work() {
    mkdir -p "$work"
    work="$(cd "$work" && pwd)"
    case "$work/" in "$repo"/*) die "--work must be outside the repository ($repo)" ;; esac
    raw="$(mktemp -d "$work/$1.XXXXXX")"
    if [ -n "$results" ]; then
        mkdir -p "$results"
        results="$(cd "$results" && pwd)"
    else
        results="$raw/results"
        mkdir -p "$results"
    fi
}

# tree_for COUNT: a make-monorepo tree of COUNT Dockerfiles (seed $seed) in
# $work, reused when its manifest says it was made with the same COUNT and
# seed. Sets $tree_path; a tree it builds is added to $generated, for
# remove_generated_trees. Not to be called in a subshell.
generated=()
tree_for() {
    local count="$1" tree="$work/monorepo-n$1-seed$seed"
    tree_path="$tree"
    if [ -d "$tree" ] && [ -f "$tree.manifest.json" ] && python3 - "$tree.manifest.json" "$count" "$seed" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
sys.exit(0 if (m.get("n"), m.get("seed"), m.get("visible_count")) == (int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[2])) else 1)
EOF
    then
        say "reusing $tree"
    else
        say "building a $count-Dockerfile monorepo in $tree"
        python3 "$make_monorepo" "$tree" --n "$count" --seed "$seed" --force >&2
        generated+=("$tree")
    fi
}

# remove_generated_trees: unless --keep, removes the trees tree_for built.
remove_generated_trees() {
    [ "$keep" -eq 0 ] || return 0
    local tree
    for tree in "${generated[@]+"${generated[@]}"}"; do
        say "removing $tree (pass --keep to reuse it next time)"
        rm -rf "$tree" "$tree.manifest.json"
    done
}

# build_tallyman: the release binary, built now; sets $tallyman.
build_tallyman() {
    say "building tallyman (cargo build --release -p tallyman)"
    (cd "$repo" && cargo build --release -p tallyman >&2)
    local target_dir
    target_dir="$(cd "$repo" && cargo metadata --format-version 1 --no-deps \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    tallyman="$target_dir/release/tallyman"
    [ -x "$tallyman" ] || die "no binary at $tallyman after the build"
}

# machine_lines: the first lines of every summary (date, machine, build).
machine_lines() {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores"
    echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "kernel: $(uname -sr)"
    echo "tallyman: $("$tallyman" --version 2>/dev/null || echo '?'), commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (uncommitted changes)')"
    echo "rustc: $(cd "$repo" && rustc --version)"
}
