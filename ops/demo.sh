#!/usr/bin/env bash
# demo.sh — what `make run` runs: the insights pipeline end to end on this
# repository's own history, with ops/examples/insights.yaml. Runs under
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
