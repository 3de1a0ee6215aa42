#!/usr/bin/env bash
# regen.sh rewrites the lsif-tsc fixture dumps shapes.lsif.gz, app.lsif.gz and
# apidocs.lsif.gz from the TypeScript projects beside it. See README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gen=${GEN_LSIF:-$here/../../../../shared/tools/gen-lsif}
home=${GEN_LSIF_HOME:-$HOME/.cache/gen-lsif}
# The dumps record absolute file:// URIs: index copies under a fixed
# directory so that regenerating from any checkout gives the same bytes.
work=/tmp/sightline-lsif-fixtures
rm -rf "$work" && mkdir -p "$work"
cp -r "$here/shapes" "$here/app" "$here/apidocs" "$work/"

# app imports shapes by package name: give it an installed copy (package.json
# and the declaration files tsc emits), as npm install would.
"$gen" "$work/shapes" "$work/warmup.lsif" >/dev/null # installs lsif-tsc and tsc
dest=$work/app/node_modules/shapes
mkdir -p "$dest/lib"
cp "$work/shapes/package.json" "$dest/"
"$home/node_modules/.bin/tsc" -p "$work/shapes/tsconfig.json" --emitDeclarationOnly --outDir "$dest/lib"

# gen-lsif passes no --package, and lsif-tsc emits npm export monikers only
# with it, so the library is indexed by the same lsif-tsc binary directly.
(cd "$work/shapes" && "$home/node_modules/.bin/lsif-tsc" -p tsconfig.json --package package.json --out "$work/shapes.lsif" >/dev/null)
"$gen" "$work/app" "$work/app.lsif"
"$gen" "$work/apidocs" "$work/apidocs.lsif"
# Each dump embeds TypeScript's lib.*.d.ts sources (base64): gzip keeps them small.
gzip -9n "$work/shapes.lsif" "$work/app.lsif" "$work/apidocs.lsif"
cp "$work/shapes.lsif.gz" "$work/app.lsif.gz" "$work/apidocs.lsif.gz" "$here/"
rm -rf "$work"
ls -l "$here"/*.lsif.gz
