#!/usr/bin/env python3
"""bench/same_run/replay.py SLUICE [PACKAGES] [COMMITS] [SEED]: how many
gate runs "one run for identical gates" saves (docs/running.md).

Builds, in a temporary directory, the monorepo a team writes sluice.yml
for by script (issue 16): PACKAGES npm-style packages with dependency
edges between them (a random DAG, each package depending on up to three
earlier ones), one lane per package consuming its dependencies' lanes, a
local gate `<pkg>-unit` and a consumer smoke gate `<pkg>-smoke` whose
command is the package's own test, the same string, and the root
package-lock.json in run_all_on (as the issue's team had it). Then
COMMITS commits, each changing one to three random packages, two in five
of them package-lock.json too (the issue's share), and after each `sluice run
--base HEAD~1` with every gate appending its package to a file. Prints
the gates selected (what ran before: one process each) and the processes
that actually ran, summed over the commits, and checks that each selected
gate has a result. Nothing here is timed.
"""
import json
import os
import random
import subprocess
import sys
import tempfile


def git(repo, *args):
    subprocess.run(["git", "-C", repo, "-c", "user.email=b@x", "-c",
                    "user.name=b", *args], check=True,
                   stdout=subprocess.DEVNULL)


def main():
    sluice = os.path.abspath(sys.argv[1])
    npkg = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    ncommits = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 16)
    deps = {i: sorted(rng.sample(range(i), min(i, rng.randint(0, 3))))
            for i in range(npkg)}
    with tempfile.TemporaryDirectory() as tmp:
        repo = os.path.join(tmp, "repo")
        runs = os.path.join(tmp, "runs.log")
        os.makedirs(repo)
        git(repo, "init", "-q")
        lines = ["version: 1", "run_all_on: [/package-lock.json]",
                 "lanes:"]
        for i in range(npkg):
            d = os.path.join(repo, "packages", "p%d" % i)
            os.makedirs(d)
            with open(os.path.join(d, "index.js"), "w") as f:
                f.write("0\n")
            test = "echo p%d >> %s" % (i, runs)
            lines += ["  p%d:" % i,
                      "    paths: [packages/p%d/]" % i,
                      "    consumes: [%s]" % ", ".join(
                          "p%d" % j for j in deps[i]),
                      "    gates:",
                      "      p%d-unit: {run: '%s'}" % (i, test),
                      "    smoke:",
                      "      p%d-smoke: {run: '%s'}" % (i, test)]
        lines += ["  repo:",
                  "    paths: [/sluice.yml, /.gitignore, /package-lock.json]"]
        with open(os.path.join(repo, "sluice.yml"), "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(os.path.join(repo, ".gitignore"), "w") as f:
            f.write(".sluice/\n")
        with open(os.path.join(repo, "package-lock.json"), "w") as f:
            f.write("0\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "init")
        selected = ran = 0
        part = {False: [0, 0], True: [0, 0]}
        for c in range(ncommits):
            for i in rng.sample(range(npkg), rng.randint(1, 3)):
                with open(os.path.join(repo, "packages", "p%d" % i,
                                       "index.js"), "a") as f:
                    f.write("%d\n" % c)
            lock = rng.random() < 0.4
            if lock:
                with open(os.path.join(repo, "package-lock.json"),
                          "a") as f:
                    f.write("%d\n" % c)
            git(repo, "commit", "-qam", "c%d" % c)
            if os.path.exists(runs):
                os.unlink(runs)
            out = os.path.join(tmp, "r.json")
            subprocess.run([sluice, "run", "--base", "HEAD~1", "-j2",
                            "--json", out], cwd=repo, check=True,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            with open(out) as f:
                res = json.load(f)
            assert {g["name"] for g in res["gates"]} == set(
                res["selected"]), "a selected gate has no result"
            selected += len(res["selected"])
            with open(runs) as f:
                n = sum(1 for _ in f)
            assert n == len(res["selected"]) - sum(
                1 for g in res["gates"] if g.get("same_run_as"))
            ran += n
            part[lock][0] += len(res["selected"])
            part[lock][1] += n
        print("%d packages, %d edges, %d commits: %d gates selected, "
              "%d processes ran, %d saved (%.1f%%)"
              % (npkg, sum(len(v) for v in deps.values()), ncommits,
                 selected, ran, selected - ran,
                 100.0 * (selected - ran) / max(selected, 1)))
        for lock, what in ((True, "with"), (False, "without")):
            print("  commits %s package-lock.json: %d selected, %d ran"
                  % (what, part[lock][0], part[lock][1]))


if __name__ == "__main__":
    main()
