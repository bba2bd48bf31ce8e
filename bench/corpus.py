#!/usr/bin/env python3
"""Signal on real-world Compose files: per service, the entries of cbench's default text report,
cbench's JSON findings, and compose-lint's findings, on the same files in the same run; then
cbench's JSON findings by rule (for the false-positive review of BENCHMARKS.md).

Usage: bench/corpus.py DIR...   (every compose*.y(a)ml / docker-compose*.y(a)ml under DIR)
Needs: a release build (cargo build --release), compose-lint (pip install compose-lint==0.36.2).
Each file is audited from its own directory, by bare name, with --allow-partial (a missing .env
or env_file is a warning), as pre-commit would run it. No file is fetched: DIR is a checkout.
"""
import collections
import json
import os
import re
import subprocess
import sys

CBENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "cbench")
NAME = re.compile(r"^(docker-)?compose[^/]*\.ya?ml$")
ENTRY = re.compile(r"^(critical|high|medium|low|info)\[")


def files(dirs):
    for d in dirs:
        for root, _, names in os.walk(d):
            for n in sorted(names):
                if NAME.match(n):
                    yield os.path.join(root, n)


def cbench(path, fmt):
    d, f = os.path.split(path)
    args = [CBENCH, "compose", f, "--allow-partial", "--no-config", "--color", "never"] + (["--format", fmt] if fmt else [])
    return subprocess.run(args, cwd=d or ".", capture_output=True, text=True, env={"PATH": os.environ["PATH"], "HOME": "/tmp"})


def main(dirs):
    totals = collections.Counter()
    by_rule = collections.Counter()
    crashed = []
    for path in files(dirs):
        j = cbench(path, "json")
        if j.returncode not in (0, 1, 2) or not j.stdout.startswith("{"):
            crashed.append((path, j.returncode, j.stderr[-200:]))
            continue
        report = json.loads(j.stdout)
        services = report["summary"]["subjects"]
        if services == 0:
            continue
        findings = [f for f in report["findings"] if not f["suppressed"]]
        t = cbench(path, None)
        entries = sum(1 for line in t.stdout.splitlines() if ENTRY.match(line))
        d, f = os.path.split(path)
        cl = subprocess.run(["compose-lint", "check", "--no-env", "--format", "json", f], cwd=d or ".", capture_output=True, text=True)
        try:
            cl_findings = [x for x in json.loads(cl.stdout)["findings"] if not x.get("suppressed")]
        except (ValueError, KeyError):
            cl_findings = None
        totals["files"] += 1
        totals["services"] += services
        totals["entries"] += entries
        totals["findings"] += len(findings)
        if cl_findings is not None:
            totals["cl_files"] += 1
            totals["cl_services"] += services
            totals["cl_findings"] += len(cl_findings)
        totals["failing"] += j.returncode == 1
        by_rule.update(f["rule"] for f in findings)
    s = totals["services"] or 1
    print(f"files {totals['files']}, services {totals['services']}, crashes {len(crashed)}")
    print(f"cbench text entries per service: {totals['entries'] / s:.2f}")
    print(f"cbench JSON findings per service: {totals['findings'] / s:.2f}")
    if totals["cl_services"]:
        print(f"compose-lint findings per service: {totals['cl_findings'] / totals['cl_services']:.2f} ({totals['cl_files']} files it read)")
    print(f"files that fail the default gate (exit 1): {totals['failing']}")
    print("cbench JSON findings by rule:")
    for rule, n in by_rule.most_common():
        print(f"  {n:5} {rule}")
    for c in crashed:
        print("CRASH", *c)


if __name__ == "__main__":
    main(sys.argv[1:] or ["."])
