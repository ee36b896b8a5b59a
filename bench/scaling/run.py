#!/usr/bin/env python3
"""bench/scaling/run.py [SLUICE]: how `sluice import codeowners` and
`sluice merge` grow with their input (docs/performance.md, "Scaling").

Each is timed (the least CPU time, user + system, of 3 runs) at a small
size N and at 10 N:
100,000 CODEOWNERS lines against 10,000, and 100,000 gates in ten results
files against 10,000. The scaling ratio is t(10 N) / (10 t(N)): 1 for a
linear command, 10 for a quadratic one; near-linear (n log n) reads a
little above 1. Issue 12 asks for 100,000 of either in under 2 s, which the
last column says. SLUICE defaults to build/cli/sluice.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SLUICE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    ROOT, "build", "cli", "sluice")


def codeowners(path, n):
    """Lines as a large monorepo writes them: one directory each, under a
    thousand top-level ones, owner sets repeating, a few name patterns."""
    with open(path, "w") as f:
        f.write("* @org/everyone\n*.md @org/docs\n")
        for i in range(n - 2):
            f.write("/area%d/pkg%d/ @org/team%d @dev%d\n"
                    % (i % 977, i, i % 50, i % 7))


def shards(d, n, parts=10):
    files = []
    names = ["gate-%06d" % i for i in range(n)]
    for p in range(parts):
        mine = names[p::parts]
        doc = {"schema": "sluice.results/1", "base": "a" * 40,
               "head": "b" * 40, "merge_base": "a" * 40,
               "rules_blob": "c" * 40, "run_id": "r", "degraded": False,
               "rules_changed": False, "verdict": "pass",
               "selected": names,
               "gates": [{"name": g, "kind": "local", "lane": "l",
                          "status": "passed", "exit_code": 0,
                          "signal": None, "duration_ms": 1, "attempts": 1,
                          "flaky": False, "log": None,
                          "reasons": ["x -> lane l"]} for g in mine]}
        path = os.path.join(d, "shard-%d.json" % p)
        with open(path, "w") as f:
            json.dump(doc, f)
        files.append(path)
    return files


def best(argv, cwd):
    """The least CPU time (user + system) of three runs: on a machine
    other jobs share, wall time measures them too."""
    times = []
    for _ in range(3):
        p = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        _, _, ru = os.wait4(p.pid, 0)
        times.append(ru.ru_utime + ru.ru_stime)
    return min(times)


def main():
    d = tempfile.mkdtemp(prefix="sluice-scaling-")
    rows = []
    for what, make, cmd in (
            ("import codeowners (lines)",
             lambda n: codeowners(os.path.join(d, "CO-%d" % n), n) or
             [os.path.join(d, "CO-%d" % n)],
             lambda files: [SLUICE, "import", "codeowners"] + files),
            ("merge (gates)",
             lambda n: shards(os.path.join(d, "m%d" % n), n),
             lambda files: [SLUICE, "merge", "--json",
                            os.devnull if False else
                            os.path.join(d, "merged.json")] + files)):
        t = {}
        for n in (10000, 100000):
            os.makedirs(os.path.join(d, "m%d" % n), exist_ok=True)
            files = make(n)
            t[n] = best(cmd(files), d)
        rows.append((what, t[10000], t[100000],
                     t[100000] / (10 * t[10000])))
    print("| command | 10,000 (CPU) | 100,000 (CPU) | scaling ratio | under 2 s |")
    print("|---|---|---|---|---|")
    for what, small, big, ratio in rows:
        print("| %s | %.3f s | %.3f s | %.2f | %s |"
              % (what, small, big, ratio, "yes" if big < 2 else "NO"))
    subprocess.run(["rm", "-rf", d])


if __name__ == "__main__":
    main()
