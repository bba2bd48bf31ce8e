#!/usr/bin/env bash
# Build cbench's container image, `cbench:local` (or $1), on a machine with no registry: a
# static binary (glibc, crt-static) in a FROM scratch image. Run it as
#   docker run --rm --pid host --net host --userns host -v /:/host:ro \
#     -v /var/run/docker.sock:/var/run/docker.sock:ro cbench:local host
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-cbench:local}
target=$(rustc -vV | sed -n 's/^host: //p')
RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target "$target" --quiet
bin="target/$target/release/cbench"
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp image/Dockerfile "$ctx/"
cp "$bin" "$ctx/cbench"
DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$ctx" >/dev/null
# Static or it does not start at all: a FROM scratch image has no loader, no shared library.
docker run --rm --network none "$tag" --version >/dev/null || { echo "build-image: $tag does not run" >&2; exit 1; }
docker image inspect "$tag" --format "built $tag: {{.Id}} ({{.Size}} bytes)"
