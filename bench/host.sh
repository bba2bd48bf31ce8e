#!/usr/bin/env bash
# `cbench host` without the engine part: each fixture root (copied with its .modes applied) and
# the live host, with and without --deep. Needs hyperfine.
# Usage: bench/host.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cb=$PWD/target/release/cbench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmds=()
for h in flatcar-default flatcar-hardened debian-docker.io docker-ce; do
  cp -a "fixtures/hosts/$h" "$work/$h"
  if [ -f "$work/$h/.modes" ]; then
    (cd "$work/$h" && while read -r p m; do chmod "$m" "$p"; done < .modes && rm .modes)
  fi
  cmds+=("$cb host --root $work/$h --format compact")
done
cmds+=("$cb host --skip daemon,containers,images --format compact")
hyperfine -N -i --warmup 3 --runs 30 --export-markdown target/host.md "${cmds[@]}" 2>&1 | grep -E "Benchmark|Time|Range" | sed "s|$work|fixtures/hosts|; s|$cb|cbench|"
hyperfine -N -i --warmup 1 --runs 5 "$cb host --skip daemon,containers,images --deep --format compact" 2>&1 | grep -E "Benchmark|Time|Range" | sed "s|$cb|cbench|"
/usr/bin/time -f "live, no engine: peak RSS %M KB" "$cb" host --skip daemon,containers,images --format compact >/dev/null || true
/usr/bin/time -f "live --deep: peak RSS %M KB" "$cb" host --skip daemon,containers,images --deep --format compact >/dev/null || true
"$cb" host --skip daemon,containers,images --deep --format json | python3 -c 'import json,sys; r=json.load(sys.stdin); print("--deep findings:", sum(1 for f in r["findings"] if f["rule"] in ("setuid-files","world-writable-files")))'
