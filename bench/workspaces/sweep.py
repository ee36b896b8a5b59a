#!/usr/bin/env python3
"""bench/workspaces/sweep.py REPO RULES N OUT: `sluice select` (the binary
$SLUICE, default `sluice`) over the last N first-parent commits of REPO
that touch a manifest or a lockfile, each against its parent; one JSON
line per commit in OUT (exit status, seconds, changed files, run-all and
its reasons, the selected gates with their reasons), and a line per
commit on stdout. docs/workspaces.md, "Tried on real repositories"."""
import json, os, subprocess, sys, time
repo, rules, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
S = os.environ.get("SLUICE", "sluice")
pats = ['*package.json', 'pnpm-lock.yaml', 'go.mod', 'go.sum', 'package-lock.json', 'go.work', 'go.work.sum', 'pnpm-workspace.yaml']
commits = subprocess.run(["git", "-C", repo, "log", "--first-parent", "--format=%H", "-n", str(n), "--"] + pats,
                         capture_output=True, text=True, check=True).stdout.split()
with open(out, "w") as f:
    for c in commits:
        t = time.time()
        p = subprocess.run([S, "-C", repo, "select", "--rules", rules, "--base", c + "~1", "--head", c, "--format", "json"],
                           capture_output=True, text=True)
        dt = time.time() - t
        files = subprocess.run(["git", "-C", repo, "diff", "--name-only", c + "~1", c], capture_output=True, text=True).stdout.split()
        rec = {"commit": c, "rc": p.returncode, "secs": round(dt, 3), "stderr": p.stderr.strip()[:2000],
               "files": files}
        if p.returncode == 0:
            d = json.loads(p.stdout)
            rec["run_all"] = d["run_all"]
            rec["run_all_reasons"] = d["run_all_reasons"]
            rec["gates"] = [g["name"] for g in d["gates"]]
            rec["reasons"] = {g["name"]: g["reasons"] for g in d["gates"]}
        f.write(json.dumps(rec) + "\n")
        print(c[:12], p.returncode, rec.get("run_all"), len(rec.get("gates", [])), round(dt, 2), p.stderr.strip()[:200], flush=True)
