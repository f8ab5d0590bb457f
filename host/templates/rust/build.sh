#!/bin/sh
# Builds policy.wasm: the crate compiled for wasm32-wasip2 (a component).
# Needs the target once: `rustup target add wasm32-wasip2`.
set -eu
cd "$(dirname "$0")"
cargo build --release --target wasm32-wasip2
target_dir="${CARGO_TARGET_DIR:-target}"
cp "$target_dir/wasm32-wasip2/release/{{crate_name}}.wasm" policy.wasm
