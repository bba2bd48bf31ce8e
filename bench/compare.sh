#!/usr/bin/env bash
# The benchmarks of BENCHMARKS.md for two builds in the same run: BASE (a release binary built
# from an earlier commit) against this checkout's. Compose: the generated 10 MB file (compact,
# json) and 1,500 services in JUnit; host: each fixture root; engine: N running containers
# (needs dockerd, busybox-static). Needs hyperfine and /usr/bin/time.
# Usage: bench/compare.sh BASE_BINARY [N_CONTAINERS]
#   git worktree add /tmp/cbench-base REV && (cd /tmp/cbench-base && CARGO_TARGET_DIR=/tmp/cbench-base-target cargo build --release)
#   bench/compare.sh /tmp/cbench-base-target/release/cbench 200
set -euo pipefail
cd "$(dirname "$0")/.."
base=$(realpath "$1"); n=${2:-0}
cargo build --release --quiet
new=$PWD/target/release/cbench
out=target/bench
python3 bench/gen.py "$out" >/dev/null
# 1,500 services for JUnit (it was super-linear).
python3 - "$out/junit.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("services:\n")
    for i in range(1500):
        f.write(f"  svc{i}:\n    image: app:{i}\n    privileged: true\n    ports: [\"{8000 + i}:80\"]\n")
PY
echo "## machine"; nproc; grep -m1 'model name' /proc/cpuinfo || true
echo "## compose, 10 MB file ($(grep -c '^  svc' $out/big.yaml) services)"
hyperfine -N -i --warmup 2 --runs 20 \
  -n "base compact" "$base compose $out/big.yaml --format compact" -n "new compact" "$new compose $out/big.yaml --format compact" \
  -n "base json" "$base compose $out/big.yaml --format json" -n "new json" "$new compose $out/big.yaml --format json" 2>&1 | grep -E "Benchmark|Time|Range"
for b in base new; do
  bin=$base; [ $b = new ] && bin=$new
  for fmt in compact json; do
    /usr/bin/time -f "$b --format $fmt: peak RSS %M KB" "$bin" compose $out/big.yaml --format $fmt > /dev/null || true
  done
done
echo "## compose, 1,500 services, --format junit"
hyperfine -N -i --warmup 1 --runs 5 -n "base junit" "$base compose $out/junit.yaml --format junit" -n "new junit" "$new compose $out/junit.yaml --format junit" \
  -n "new compact" "$new compose $out/junit.yaml --format compact" 2>&1 | grep -E "Benchmark|Time|Range"
echo "## host fixture roots"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cmds=()
for h in flatcar-default flatcar-hardened debian-docker.io docker-ce; do
  cp -a "fixtures/hosts/$h" "$work/$h"
  (cd "$work/$h" && if [ -f .modes ]; then while read -r p m; do chmod "$m" "$p"; done < .modes; rm .modes; fi)
  cmds+=(-n "base $h" "$base host --root $work/$h --format compact" -n "new $h" "$new host --root $work/$h --format compact")
done
hyperfine -N -i --warmup 3 --runs 30 "${cmds[@]}" 2>&1 | grep -E "Benchmark|Time|Range"
if [ "$n" -gt 0 ]; then
  image=cbench-test/busybox:1
  if ! docker image inspect $image >/dev/null 2>&1; then
    dir=$(mktemp -d); mkdir "$dir/bin"; cp "$(command -v busybox)" "$dir/bin/"
    ln -s busybox "$dir/bin/sleep"; tar -C "$dir" -cf "$dir/rootfs.tar" bin
    docker import -c 'CMD ["/bin/sleep","3600"]' "$dir/rootfs.tar" $image >/dev/null
  fi
  cleanup() { docker ps -aq --filter label=cbench-bench | xargs -r docker rm -f >/dev/null; rm -rf "$work"; }
  trap cleanup EXIT
  cleanup; mkdir -p "$work"
  for i in $(seq "$n"); do docker run -d --label cbench-bench --memory 32m $image >/dev/null; done
  echo "## engine, $n running containers"
  hyperfine -N -i --warmup 2 --runs 15 -n "base" "$base host --only containers,images --format compact" \
    -n "new" "$new host --only containers,images --format compact" 2>&1 | grep -E "Benchmark|Time|Range"
  for b in base new; do
    bin=$base; [ $b = new ] && bin=$new
    /usr/bin/time -f "$b: peak RSS %M KB" "$bin" host --only containers,images --format compact >/dev/null || true
  done
fi
