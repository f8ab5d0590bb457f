#!/usr/bin/env bash
# Compares redb and SQLite (rusqlite, bundled) for the result cache: builds
# each alone from scratch (cargo's --timings gives what each adds to a
# build), inserts 70,000 entries of the size a 10,000-file scan stores
# (32-byte keys; values half 18 bytes, half ~440 on average, up to 4.6 KB)
# in one transaction, looks all of them up from 2 threads, twice, tries a
# second open while the first is held (what a concurrent run meets), and
# adds 10,000 more. SQLite runs as tallyman opens it (WAL, 256 MiB memory
# map) and with its defaults.
#
# Usage: bench/db-eval.sh [WORK_DIR]   (default $TMPDIR/tallyman-db-eval)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="${1:-${TMPDIR:-/tmp}/tallyman-db-eval}"
mkdir -p "$work/data"
for db in redb sqlite; do
    rm -rf "$work/target-$db"
    echo "==> building with $db only" >&2
    cargo build --release --manifest-path "$here/db-eval/Cargo.toml" --features "$db" \
        --target-dir "$work/target-$db" --timings >&2
    python3 - "$work/target-$db/cargo-timings/cargo-timing.html" "$db" <<'PY'
import json, re, sys
html = open(sys.argv[1]).read()
units = json.loads(re.search(r"UNIT_DATA = (\[.*?\]);", html, re.S).group(1))
mine = [u for u in units if u["name"] not in ("db-eval",)]
print(f"{sys.argv[2]}: build time of its crates (build scripts included): "
      f"{sum(u['duration'] for u in mine):.1f} s; "
      + ", ".join(f"{u['name']}{u.get('target', '')} {u['duration']:.1f} s" for u in mine if u["duration"] >= 0.5))
PY
done
"$work/target-redb/release/db-eval" redb "$work/data"
"$work/target-sqlite/release/db-eval" sqlite "$work/data"
SQLITE_MMAP=268435456 SQLITE_CACHE=-16384 "$work/target-sqlite/release/db-eval" sqlite "$work/data"
