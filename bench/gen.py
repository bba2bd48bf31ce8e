#!/usr/bin/env python3
"""Generate benchmark inputs: a typical ~100-line file, a ~10 MB file with thousands of
services and anchors, and 1,000 small files. Usage: gen.py OUTDIR"""
import os, sys

out = sys.argv[1]
os.makedirs(os.path.join(out, "many"), exist_ok=True)

def service(i, anchor=True):
    lines = [f"  svc{i}:"]
    if anchor:
        lines.append("    <<: *defaults")
    lines += [
        f"    image: registry.example.com/team/app{i}:1.{i % 50}.0",
        f"    container_name: app{i}",
        "    ports:",
        f"      - \"{10000 + i % 50000}:8080\"",
        f"      - \"127.0.0.1:{20000 + i % 40000}:9090\"",
        "    volumes:",
        f"      - data{i}:/var/lib/app",
        "      - ./config:/etc/app:ro",
        "      - /var/run/docker.sock:/var/run/docker.sock" if i % 7 == 0 else "      - /srv/shared:/shared:ro",
        "    environment:",
        f"      APP_ID: \"{i}\"",
        "      LOG_LEVEL: info",
        f"      DATABASE_URL: postgres://app:${{DB_PASSWORD}}@db{i % 10}/app",
        "      FEATURE_FLAGS: \"a,b,c\"",
        "    cap_add: [NET_BIND_SERVICE]" if i % 3 else "    cap_add: [SYS_ADMIN]",
        "    security_opt:",
        "      - no-new-privileges:true",
        "    healthcheck:",
        "      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8080/health\"]",
        "      interval: 30s",
        "      timeout: 5s",
        "      retries: 3",
        "    labels:",
        f"      com.example.team: team{i % 20}",
        f"      com.example.service: app{i}",
        "    depends_on:",
        f"      - svc{max(i - 1, 0)}",
    ]
    return "\n".join(lines) + "\n"

HEADER = """x-defaults: &defaults
  restart: on-failure:3
  read_only: true
  user: "1000:1000"
  cap_drop: [ALL]
  mem_limit: 256m
  cpus: 0.5
  pids_limit: 100
  logging:
    driver: json-file
    options:
      max-size: 10m
services:
"""

# typical: ~100 lines
with open(os.path.join(out, "typical.yaml"), "w") as f:
    f.write(HEADER + "".join(service(i) for i in range(3)))

# big: ~10 MB
with open(os.path.join(out, "big.yaml"), "w") as f:
    f.write(HEADER)
    i = 0
    size = len(HEADER)
    while size < 10 * 1024 * 1024:
        s = service(i)
        f.write(s)
        size += len(s)
        i += 1

# many: 1,000 files of one or two services
for n in range(1000):
    with open(os.path.join(out, "many", f"compose-{n:04}.yaml"), "w") as f:
        f.write(HEADER + service(n) + service(n + 1))
