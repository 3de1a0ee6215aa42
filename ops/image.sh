#!/usr/bin/env bash
# ops/image.sh IMAGE: build the container image (Dockerfile at the top) with
# the first container engine that runs: those in $ENGINE, else docker, else
# podman. `make image` calls it. Exits 1, saying why, when none runs.
set -euo pipefail
cd "$(dirname "$0")/.."
image=${1:?usage: ops/image.sh IMAGE}

tried=()
for engine in ${ENGINE:-docker podman}; do
	command -v "$engine" >/dev/null || continue
	if "$engine" info >/dev/null 2>&1; then
		echo "make image: building $image with $engine" >&2
		exec "$engine" build -t "$image" .
	fi
	tried+=("$engine is installed but '$engine info' fails (is its daemon or service running?)")
done
if [ ${#tried[@]} -eq 0 ]; then
	echo "make image: no container engine: install docker or podman (or set ENGINE to one on PATH)" >&2
else
	printf 'make image: no container engine runs: %s\n' "${tried[@]}" >&2
fi
exit 1
