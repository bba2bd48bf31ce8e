#!/usr/bin/env bash
# `cbench host` (engine part) against `docker inspect $(docker ps -q)` on a real engine with N
# running containers. Needs a running dockerd, hyperfine, busybox-static.
# Usage: bench/engine.sh 50 200   (IMAGES=20 bench/engine.sh 200: the containers spread over 20
# distinct images, so each image's inspect and history calls count)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cb=./target/release/cbench
image=cbench-test/busybox:1
if ! docker image inspect $image >/dev/null 2>&1; then
  dir=$(mktemp -d); mkdir "$dir/bin"; cp "$(command -v busybox)" "$dir/bin/"
  ln -s busybox "$dir/bin/sleep"; tar -C "$dir" -cf "$dir/rootfs.tar" bin
  docker import -c 'CMD ["/bin/sleep","3600"]' "$dir/rootfs.tar" $image >/dev/null
fi
images=${IMAGES:-1}
for k in $(seq 2 "$images"); do
  docker image inspect "cbench-bench/img:$k" >/dev/null 2>&1 ||
    printf 'FROM %s\nLABEL n=%s\nRUN ["/bin/sleep","0"]\n' "$image" "$k" | docker build -q -t "cbench-bench/img:$k" - >/dev/null
done
pick() { local k=$(( ($1 % images) + 1 )); if [ "$k" = 1 ]; then echo $image; else echo "cbench-bench/img:$k"; fi; }
cleanup() { docker ps -aq --filter label=cbench-bench | xargs -r docker rm -f >/dev/null; }
trap cleanup EXIT
for n in "$@"; do
  cleanup
  for i in $(seq "$n"); do docker run -d --label cbench-bench --memory 32m "$(pick "$i")" >/dev/null; done
  echo "## $n running containers ($(docker ps -q | wc -l) in all), $images image(s)"
  hyperfine -N -i --warmup 2 --runs 15 --export-json "target/engine-$n.json" \
    "$cb host --only containers,images --format compact" \
    "docker inspect $(docker ps -q | tr '\n' ' ')" 2>&1 | grep -E "Benchmark|Time|Range|faster|slower" | sed "s|docker inspect [0-9a-f ]*|docker inspect \$(docker ps -q)|"
  /usr/bin/time -f "cbench peak RSS %M KB" $cb host --only containers,images --format compact >/dev/null || true
done
