#!/usr/bin/env bash
# regen.sh rewrites the scip-typescript fixture indexes shapes.scip and
# app.scip from the TypeScript projects of ../../lsif/testdata (the sources
# the lsif-tsc fixtures are made of). See README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../lsif/testdata
home=${SCIP_TYPESCRIPT_HOME:-$HOME/.cache/scip-typescript}
bin=$home/node_modules/.bin/scip-typescript
if [ ! -x "$bin" ]; then
  command -v npm >/dev/null || { echo "regen.sh: npm is required (apt-get install nodejs npm)" >&2; exit 1; }
  mkdir -p "$home"
  echo '{"name":"scip-fixtures","version":"1.0.0","private":true,"dependencies":{"@sourcegraph/scip-typescript":"0.4.0"}}' >"$home/package.json"
  (cd "$home" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
# The indexes record the absolute project root: index copies under a fixed
# directory so that regenerating from any checkout gives the same bytes.
work=/tmp/sightline-scip-fixtures
rm -rf "$work" && mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cp -r "$src/shapes" "$src/app" "$work/"

# app imports shapes by package name: give it an installed copy. It ships
# its TypeScript sources (typings: src/index.ts) rather than declaration
# files, so that scip-typescript names the imported symbols as it names them
# when indexing shapes itself (src/`circle.ts`/Circle#): given lib/*.d.ts
# it would name them lib/`circle.d.ts`/Circle#, which no index of shapes
# defines, and cross-repository navigation would find nothing.
dest=$work/app/node_modules/shapes
mkdir -p "$dest"
cp -r "$work/shapes/src" "$dest/"
sed 's|"typings": "lib/index.d.ts"|"typings": "src/index.ts"|' "$work/shapes/package.json" >"$dest/package.json"
grep -q '"typings": "src/index.ts"' "$dest/package.json" || { echo "regen.sh: shapes/package.json has no typings line to rewrite" >&2; exit 1; }

(cd "$work/shapes" && "$bin" index --output "$work/shapes.scip" >/dev/null)
(cd "$work/app" && "$bin" index --output "$work/app.scip" >/dev/null)
cp "$work/shapes.scip" "$work/app.scip" "$here/"
ls -l "$here"/*.scip
