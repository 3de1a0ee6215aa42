#!/usr/bin/env bash
# regen.sh rewrites navcases.lsif.gz, the lsif-tsc dump of the TypeScript
# project beside it (src/, test/, tsconfig.json) that TestCodenavOracle
# compares with the LSIF reference implementation. It needs npm the first
# time, for ../../../../../shared/tools/gen-lsif (or $GEN_LSIF).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gen=${GEN_LSIF:-$here/../../../../../shared/tools/gen-lsif}
# The dump records absolute file:// URIs: index a copy under a fixed
# directory so that regenerating from any checkout gives the same bytes.
work=/tmp/sightline-navcases
rm -rf "$work" && mkdir -p "$work"
cp -r "$here/src" "$here/test" "$here/tsconfig.json" "$here/package.json" "$work/"
"$gen" "$work" "$work.lsif"
gzip -9nf "$work.lsif"
mv "$work.lsif.gz" "$here/navcases.lsif.gz"
rm -rf "$work"
ls -l "$here/navcases.lsif.gz"
