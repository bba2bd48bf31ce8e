#!/usr/bin/env bash
# The hostile-input benchmarks of BENCHMARKS.md (issue 10): each input in a human format
# against the same input's compact output, for this checkout and optionally a BASE build:
# a 1,000-service extends chain, a 10 MB single-line file with 200 findings, 50,000 services in
# JUnit, and a mock engine answering 1,000 containers with `{}`. Needs hyperfine, python3.
# Usage: [LIMIT=seconds] [ONLY=name-part] bench/hostile.sh [BASE_BINARY]   (needs hyperfine, bc)
#   git worktree add /tmp/cbench-base REV && (cd /tmp/cbench-base && CARGO_TARGET_DIR=/tmp/cbench-base-target cargo build --release)
#   bench/hostile.sh /tmp/cbench-base-target/release/cbench
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:+$(realpath "$1")}
limit=${LIMIT:-300}
cargo build --release --quiet
new=$PWD/target/release/cbench
out=target/bench-hostile
mkdir -p "$out"
python3 - "$out" <<'PY'
import sys, os
out = sys.argv[1]
# A chain of 1,000 services, each extending the one before (26 KB).
with open(os.path.join(out, "chain.yaml"), "w") as f:
    f.write("services:\n  s0:\n    image: nginx:1.27\n    privileged: true\n")
    for i in range(1, 1000):
        f.write(f"  s{i}:\n    extends: s{i-1}\n")
# One 10 MB line: 200 privileged services in a flow mapping, then a long value.
items = ",".join(f"s{i}: {{image: nginx, privileged: true}}" for i in range(200))
with open(os.path.join(out, "oneline.yaml"), "w") as f:
    f.write("{services: {" + items + ", z: {image: \"" + "x" * 10_000_000 + "\"}}}\n")
# 50,000 services.
with open(os.path.join(out, "many.yaml"), "w") as f:
    f.write("services:\n")
    for i in range(50_000):
        f.write(f"  s{i}:\n    image: nginx:1.27\n")
PY
# A mock engine: 1,000 containers, each inspected as `{}`.
python3 - "$out/port" <<'PY' &
import http.server, json, sys, socketserver
fx = "fixtures/engine/"
class H(http.server.BaseHTTPRequestHandler):
    # One write per answer, no Nagle: else each request waits for a delayed ACK (~40 ms).
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    def do_GET(self):
        p = self.path
        if p.endswith("/version"): b = open(fx + "version.json").read()
        elif p.endswith("/info"): b = open(fx + "info.json").read()
        elif "/networks/" in p: b = open(fx + "network-bridge.json").read()
        elif "/containers/json" in p: b = json.dumps([{"Id": "%064x" % (i << 200)} for i in range(1000)])
        else: b = "{}"
        b = b.encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
# A listen backlog as deep as dockerd's: with Python's default of 5, the 16 requests cbench has
# in flight overflow it, and each dropped SYN costs a 1 s retransmission.
http.server.ThreadingHTTPServer.request_queue_size = 1024
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
mock=$!; trap 'kill $mock' EXIT
sleep 1; engine="tcp://127.0.0.1:$(cat "$out/port")"
echo "## machine"; nproc; grep -m1 'model name' /proc/cpuinfo || true
run() { # NAME ARGS... : hyperfine of new (and base) text-or-other against compact
  local name=$1; shift
  # ONLY=pattern runs only the inputs whose name matches.
  case "$name" in *${ONLY:-}*) ;; *) return 0 ;; esac
  echo "## $name"
  hyperfine -N -i --warmup 1 --runs "$runs" -n "new $name" "$new $* --format $fmt" -n "new compact" "$new $* --format compact" \
    2>&1 | grep -E "Benchmark|Time|Range"
  # The base may be super-linear here: one run each, cut off at $limit s.
  if [ -n "$base" ]; then
    for f in "$fmt" compact; do
      local t0 t1 rc=0
      t0=$(date +%s.%N); timeout "$limit" "$base" "$@" --format "$f" >/dev/null 2>&1 || rc=$?; t1=$(date +%s.%N)
      if [ "$rc" = 124 ]; then echo "base $name ($f): more than $limit s (cut off)"
      else printf 'base %s (%s): %.2f s, one run\n' "$name" "$f" "$(echo "$t1 - $t0" | bc)"; fi
    done
  fi
}
fmt=text runs=10 run "extends chain, text" compose "$out/chain.yaml"
fmt=text runs=5 run "10 MB single line, text" compose "$out/oneline.yaml"
fmt=junit runs=3 run "50,000 services, junit" compose "$out/many.yaml"
fmt=text runs=5 run "1,000 {} containers, text" host --docker-host "$engine" --only containers
