#!/usr/bin/env bash
# `cbench compose --fix --unsafe-fixes` on the generated 10 MB file and on 1,000 files (fresh
# copies each run), and `--diff` on the 10 MB file. Needs hyperfine. Usage: bench/fix.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=target/bench
python3 bench/gen.py "$out"
cb=$PWD/target/release/cbench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "10 MB file: $(stat -c %s $out/big.yaml) bytes, $(grep -c '^  svc' $out/big.yaml) services"
hyperfine -i --warmup 1 --runs 5 --prepare "cp $out/big.yaml $work/big.yaml" \
  "$cb compose $work/big.yaml --fix --unsafe-fixes --no-config --format compact" \
  "$cb compose $work/big.yaml --diff --unsafe-fixes --no-config" \
  "$cb compose $work/big.yaml --no-config --format compact" 2>&1 | grep -E "Benchmark|Time|Range" | sed "s|$cb|cbench|; s|$work|DIR|"
hyperfine -i --warmup 1 --runs 5 --prepare "rm -rf $work/many && cp -r $out/many $work/many" \
  "$cb compose $work/many/*.yaml --fix --unsafe-fixes --no-config --format compact" \
  "$cb compose $work/many/*.yaml --no-config --format compact" 2>&1 | grep -E "Benchmark|Time|Range" | sed "s|$cb|cbench|; s|$work|DIR|"
cp $out/big.yaml $work/big.yaml
$cb compose $work/big.yaml --fix --unsafe-fixes --no-config --format compact 2>&1 >/dev/null | head -1
/usr/bin/time -f "10 MB --fix: peak RSS %M KB" $cb compose $work/big.yaml --fix --unsafe-fixes --no-config --format compact >/dev/null 2>&1 || true
