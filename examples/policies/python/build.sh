#!/bin/sh
# Builds policy.wasm from app.py with componentize-py 0.25.1.
#
# componentize-py is looked up in the toolchains directory that the
# repository's scripts/test fills ($TALLYMAN_TOOLCHAINS, default
# ~/.cache/tallyman/toolchains), then on PATH.
set -eu
cd "$(dirname "$0")"
toolchains="${TALLYMAN_TOOLCHAINS:-$HOME/.cache/tallyman/toolchains}"
if [ -x "$toolchains/python/bin/componentize-py" ]; then
    componentize_py="$toolchains/python/bin/componentize-py"
elif command -v componentize-py >/dev/null 2>&1; then
    componentize_py=componentize-py
else
    echo "build.sh: componentize-py not found; install it with" >&2
    echo "    pip install componentize-py==0.25.1" >&2
    exit 127
fi
exec "$componentize_py" -d wit -w policy componentize app -o policy.wasm
