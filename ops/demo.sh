#!/usr/bin/env bash
# demo.sh — what `make run` runs: the insights pipeline end to end on this
# repository's own history, with ops/examples/insights.yaml, then code
# intelligence: a committed lsif-tsc dump of a small TypeScript project in
# this repository (sources/lsif/testdata/apidocs) is uploaded for HEAD,
# processed, and asked for a definition, an API docs search and a page. Runs under
# `ops/postgres.sh exec`, so DATABASE_URL points at the private Postgres and
# every step shares it; the bucket is file://$SIGHTLINE_DATA_DIR/bucket.
set -euo pipefail
bin=${1:-bin/sightline}
out=${SIGHTLINE_DATA_DIR:-.sightline}
step() { printf '\n== %s\n' "$*"; }

step "migrate";            "$bin" migrate up
step "apply the insights"; "$bin" apply -f ops/examples/insights.yaml
for job in sync-repos index-commits plan-backfills run-searches enqueue-snapshots run-searches; do
	step "run $job"; "$bin" run "$job" --if-running=wait
done
step "status";             "$bin" status
for view in funcs-hourly todos todo-kinds languages; do
	step "series $view"
	"$bin" series "$view" --chart "$out/$view.svg"
	echo "chart: $out/$view.svg"
done

# Code intelligence on the same repository: the dump's root is the fixture
# project's directory, its commit this checkout's HEAD (the default-branch
# head sync-repos recorded, so its API docs are indexed for search).
root=sources/lsif/testdata/apidocs
head=$(git rev-parse HEAD)
# regen.sh indexed the project in /tmp/sightline-lsif-fixtures/apidocs; an
# indexer run in CI sees it inside the checkout, as this rewrite makes it.
step "upload an LSIF dump"
gzip -dc "$root.lsif.gz" | sed "s#file:///tmp/sightline-lsif-fixtures/apidocs#file:///checkout/$root#g" |
	"$bin" upload - --repo sightline --commit "$head" --root "$root"
for job in process-uploads update-commit-graph; do
	step "run $job"; "$bin" run "$job" --if-running=wait
done
# geo.dist in `s.push(geo.dist(0, x));` (0-based line 6, character 15).
for q in definitions hover; do
	step "codenav $q of geo.dist at $root/src/main.ts:6:15"
	"$bin" codenav "$q" --repo sightline --commit "$head" --path "$root/src/main.ts" --line 6 --character 15
done
step "apidocs search Stack"; "$bin" apidocs search Stack
step "apidocs page";         "$bin" apidocs page --repo sightline --path "$root/src/geo.ts"
