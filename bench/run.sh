#!/usr/bin/env bash
# Benchmarks of `cbench compose`, with the closest peers on the same files in the same run.
# Needs: hyperfine (apt), /usr/bin/time (apt: time); optional peers: compose-lint (pip),
# dclint (npm; DCLINT=path/to/dclint). Usage: bench/run.sh  (figures go to BENCHMARKS.md by hand)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=target/bench
python3 bench/gen.py "$out"
cb=./target/release/cbench
dclint=${DCLINT:-$(command -v dclint || true)}
peers_typical=(); peers_big=(); peers_many=()
if command -v compose-lint >/dev/null; then
  peers_typical+=("compose-lint check --no-env $out/typical.yaml")
  peers_big+=("compose-lint check --no-env $out/big.yaml")
  peers_many+=("compose-lint check --no-env $out/many/*.yaml")
fi
if [ -n "$dclint" ]; then
  peers_typical+=("$dclint $out/typical.yaml")
  peers_big+=("$dclint $out/big.yaml")
  peers_many+=("$dclint $out/many")
fi

echo "## machine"; nproc; grep -m1 'model name' /proc/cpuinfo || true
echo; echo "## 1. typical file ($(wc -l < $out/typical.yaml) lines), whole process"
hyperfine -N -i --warmup 3 --runs 40 "$cb compose $out/typical.yaml" "${peers_typical[@]}"

echo; echo "## 2. generated $(du -h $out/big.yaml | cut -f1) file ($(grep -c '^  svc' $out/big.yaml) services, anchors)"
hyperfine -N -i --warmup 2 --runs 30 --export-json $out/big.json "$cb compose $out/big.yaml --format compact" "$cb compose $out/big.yaml --format json"
python3 - "$out/big.json" "$(stat -c %s $out/big.yaml)" <<'PY'
import json, sys
size = int(sys.argv[2])
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['command'].split('--format ')[1]}: median {r['median']*1000:.0f} ms = {size / r['median'] / 1e6:.1f} MB/s")
PY
for fmt in compact json sarif; do
  /usr/bin/time -f "cbench --format $fmt: %e s, peak RSS %M KB" $cb compose $out/big.yaml --format $fmt > /dev/null || true
done
for p in "${peers_big[@]}"; do
  /usr/bin/time -o /tmp/cbench-bench-time -f "$p: %e s, peak RSS %M KB" timeout 600 $p > /dev/null 2>&1 || true
  cat /tmp/cbench-bench-time
done

echo; echo "## 3. 1,000 files in one invocation"
hyperfine -N -i --warmup 1 --runs 10 "$cb compose $(ls $out/many/*.yaml | tr '\n' ' ')" 2>&1 | sed 's|compose target/bench/many/[^ ]* .*|compose target/bench/many/*.yaml (1,000 files)|'
for p in "${peers_many[@]}"; do
  /usr/bin/time -o /tmp/cbench-bench-time -f "${p%% *} (1,000 files): %e s, peak RSS %M KB" bash -c "$p > /dev/null 2>&1" || true
  cat /tmp/cbench-bench-time
done
