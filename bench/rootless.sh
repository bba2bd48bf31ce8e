#!/usr/bin/env bash
# `cbench host` against a rootless Docker engine beside the root engine, N created containers on
# each, against `docker inspect` of them all. Needs both engines (.ci/run starts them: the
# rootless one's socket in CBENCH_ROOTLESS_SOCKET), hyperfine, busybox-static.
# Usage: CBENCH_ROOTLESS_SOCKET=/run/user/1002/docker.sock bench/rootless.sh 50
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cb=./target/release/cbench
n=${1:-50}
rl="unix://${CBENCH_ROOTLESS_SOCKET:?set it to the rootless engine socket}"
image=cbench-test/busybox:1
dir=$(mktemp -d); mkdir "$dir/bin"; cp "$(command -v busybox)" "$dir/bin/"
ln -s busybox "$dir/bin/sleep"; tar -C "$dir" -cf "$dir/rootfs.tar" bin
cleanup() { for h in "$rl" ""; do DOCKER_HOST=$h docker ps -aq --filter label=cbench-bench | DOCKER_HOST=$h xargs -r docker rm -f >/dev/null; done; rm -rf "$dir"; }
trap cleanup EXIT
for h in "$rl" ""; do
  DOCKER_HOST=$h docker image inspect $image >/dev/null 2>&1 || DOCKER_HOST=$h docker import -c 'CMD ["/bin/sleep","3600"]' "$dir/rootfs.tar" $image >/dev/null
  for _ in $(seq "$n"); do DOCKER_HOST=$h docker create --label cbench-bench $image >/dev/null; done
done
ids() { DOCKER_HOST=$1 docker ps -aq --filter label=cbench-bench | tr '\n' ' '; }
hyperfine -N -i --warmup 2 --runs 20 \
  -n "cbench rootless" "$cb host --docker-host $rl --all --only containers,images --format compact" \
  -n "docker inspect rootless" "docker -H $rl inspect $(ids "$rl")" \
  -n "cbench root" "$cb host --docker-host unix:///var/run/docker.sock --all --only containers,images --format compact" \
  -n "docker inspect root" "docker -H unix:///var/run/docker.sock inspect $(ids "")" 2>&1 | grep -E "Benchmark|Time|Range"
