#!/bin/sh
# Builds policy.wasm from app.js with componentize-js 0.23.0 (Node 20+).
#
# componentize-js is looked up in the toolchains directory that the
# repository's scripts/test fills ($TALLYMAN_TOOLCHAINS, default
# ~/.cache/tallyman/toolchains), then in ./node_modules, then on PATH.
# `-d http fetch-event` leaves out the HTTP handler, which would import
# wasi:http: tallyman refuses policies that ask for the network.
set -eu
cd "$(dirname "$0")"
toolchains="${TALLYMAN_TOOLCHAINS:-$HOME/.cache/tallyman/toolchains}"
if [ -x "$toolchains/js/node_modules/.bin/componentize-js" ]; then
    componentize_js="$toolchains/js/node_modules/.bin/componentize-js"
elif [ -x node_modules/.bin/componentize-js ]; then
    componentize_js=node_modules/.bin/componentize-js
elif command -v componentize-js >/dev/null 2>&1; then
    componentize_js=componentize-js
else
    echo "build.sh: componentize-js not found; install it with" >&2
    echo "    npm install @bytecodealliance/componentize-js@0.23.0 @bytecodealliance/jco@1.34.0" >&2
    exit 127
fi
exec "$componentize_js" app.js --wit wit -n policy -d http fetch-event -o policy.wasm
