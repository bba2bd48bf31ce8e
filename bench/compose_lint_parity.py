#!/usr/bin/env python3
"""Run compose-lint and cbench over every "Before" example in compose-lint's rule docs and
check that every compose-lint finding has a cbench counterpart (the `compose_lint` field of the
cbench rule metadata names the compose-lint rules a cbench rule covers).

Usage: bench/compose_lint_parity.py [CBENCH_BINARY]   (needs `pip install compose-lint`)
Exit 1 when a compose-lint finding has no cbench counterpart on the same example."""
import json, os, re, subprocess, sys, tempfile

import compose_lint

cbench = sys.argv[1] if len(sys.argv) > 1 else "target/release/cbench"
docs = os.path.join(os.path.dirname(compose_lint.__file__), "rule_docs")
catalog = json.loads(subprocess.run([cbench, "rules", "--format", "json"], capture_output=True, text=True, check=True).stdout)
covers = {}
for r in catalog["rules"]:
    for cl in r["compose_lint"]:
        covers.setdefault(cl, set()).add(r["id"])

# Rules whose docs show only the fixed form: a minimal insecure example written from the
# rule's title (the docs' "was ..." comments say what the fix replaced).
WRITTEN = {
    "CL-0001": "services:\n  app:\n    image: app:1.0\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n",
    "CL-0004": "services:\n  web:\n    image: nginx:latest\n",
    "CL-0005": "services:\n  web:\n    image: nginx:1.27-alpine\n    ports:\n      - \"8080:80\"\n",
    "CL-0006": "services:\n  web:\n    image: nginx:1.27-alpine\n",
    "CL-0007": "services:\n  web:\n    image: nginx:1.27-alpine\n    read_only: false\n",
    "CL-0008": "services:\n  web:\n    image: nginx:1.27-alpine\n    network_mode: host\n",
    "CL-0019": "services:\n  web:\n    image: nginx:1.27-alpine\n",
    "CL-0021": "services:\n  app:\n    image: myapp:1.0\n    environment:\n      DATABASE_URL: postgres://app:hunter2@db:5432/app\n",
    "CL-0026": "services:\n  api:\n    image: ghcr.io/acme/api:2.4.0\n",
}

START = re.compile(r"#\s*(Before|Instead of)")
END = re.compile(r"#\s*(After|Use|Better|Best|Instead)")

def before_blocks(text):
    for block in re.findall(r"```ya?ml\n(.*?)```", text, re.S):
        lines = [l for l in block.splitlines()]
        if not any(START.match(l.strip()) for l in lines):
            continue
        out, started = [], False
        for l in lines:
            if START.match(l.strip()):
                started = True
                continue
            if started and END.match(l.strip()):
                break
            if started:
                out.append(l)
        if not any(l.strip() for l in out):
            continue
        if any(l.startswith("services:") for l in out):
            yield "\n".join(out) + "\n"
        else:  # a fragment of one service
            yield "services:\n  app:\n    image: app:1.0\n" + "".join("    " + l + "\n" for l in out)

missing = 0
examples = 0
rows = []
with tempfile.TemporaryDirectory() as tmp:
    for name in sorted(os.listdir(docs)):
        cl_rule = name[:-3]
        found = list(before_blocks(open(os.path.join(docs, name)).read()))
        if not found and cl_rule in WRITTEN:
            found = [WRITTEN[cl_rule]]
            cl_rule += " (written)"
        for i, yaml in enumerate(found):
            path = os.path.join(tmp, f"{cl_rule.split()[0]}-{i}", "compose.yaml")
            os.makedirs(os.path.dirname(path))
            open(path, "w").write(yaml)
            cl = subprocess.run(["compose-lint", "check", "--format", "json", "--no-env", path], capture_output=True, text=True)
            try:
                cl_ids = sorted({f["rule_id"] for f in json.loads(cl.stdout)["findings"]})
            except Exception:
                cl_ids = []
            cb = subprocess.run([cbench, "compose", path, "--format", "json", "--pedantic"], capture_output=True, text=True)
            cb_ids = sorted({f["rule"] for f in json.loads(cb.stdout)["findings"]})
            examples += 1
            gaps = [c for c in cl_ids if not covers.get(c, set()) & set(cb_ids)]
            missing += len(gaps)
            rows.append(f"| {cl_rule} #{i} | {', '.join(cl_ids) or '—'} | {', '.join(cb_ids) or '—'} | {', '.join(gaps) or 'none'} |")
print(f"{examples} examples from {docs}")
print("rules with no example:", ", ".join(sorted({n[:-3] for n in os.listdir(docs)} - {r.split()[0].split(' ')[0] for r in [row.split('|')[1].strip().split(' #')[0] for row in rows]})) or "none")
print("| example | compose-lint | cbench | compose-lint findings without a cbench counterpart |")
print("|---|---|---|---|")
print("\n".join(rows))
sys.exit(1 if missing else 0)
