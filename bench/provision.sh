#!/usr/bin/env bash
# `cbench butane` / `cbench ignition`: a typical config (the hardened sample, ~190 lines), the
# weak sample, an Ignition config, and 1,000 configs in one invocation. Needs hyperfine.
# Usage: bench/provision.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cb=$PWD/target/release/cbench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 1000); do
  if [ $((i % 2)) = 0 ]; then cp compose-samples/flatcar-hardened.bu "$work/n$i.bu"; else cp compose-samples/flatcar-weak.bu "$work/n$i.bu"; fi
done
hyperfine -N -i --warmup 5 --runs 50 \
  "$cb butane compose-samples/flatcar-hardened.bu --format compact" \
  "$cb butane compose-samples/flatcar-weak.bu --format compact" \
  "$cb ignition fixtures/provision/remote.ign --format compact" 2>&1 | grep -E "Benchmark|Time|Range" | sed "s|$cb|cbench|"
hyperfine -i --warmup 1 --runs 5 "$cb butane $work/*.bu --format compact" 2>&1 | grep -E "Time|Range" | sed "s|$cb|cbench|; s|$work|DIR|"
/usr/bin/time -f "1,000 configs: peak RSS %M KB" "$cb" butane "$work"/*.bu --format compact >/dev/null || true
