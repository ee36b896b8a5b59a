#!/usr/bin/env python3
"""replay.py REPO [N] [BUILD_DIR]: gate selections over a real monorepo's
history, with and without lockfile attribution (docs/performance.md,
"Workspaces: a real monorepo's history").

REPO is a clone (bare is enough) of an npm-workspaces monorepo; for each of
the last N (default 300) commits of its first-parent history, C against its
first parent, it runs `sluice select --format json` with a dozen-line
rules file (one `workspaces:` entry: a local and a smoke gate per package,
package-lock.json in run_all_on, unowned: global-only), the manifests read
at the parent as sluice does, and counts the local and smoke gates
selected in four ways:

  run-all      every gate on every commit;
  no-attrib    the lockfile in run_all_on, not compared by content (what
               sluice did before workspaces: a commit that changes it runs
               everything);
  attrib       the lockfile compared by content (sluice today): its
               entries select the packages whose closures hold them, only
               what no package holds runs everything;
  ignored      the lockfile left out of the changes (--paths-from without
               it): the unsafe choice, for reference; the commits where
               `attrib` selects a gate `ignored` does not are the misses
               ignoring the lockfile makes.

With --root-deps-select-nothing, package-lock.json is left out of
run_all_on: the root's own dependencies (what no package's closure
holds) then select no gate, as `attrib` would if a team decided the
root's tools cannot break a package.

Prints a JSON summary and a markdown table.
"""

import json
import os
import subprocess
import sys
import tempfile

RULES = """version: 1
unowned: global-only
run_all_on: [package-lock.json]
workspaces:
  - kind: npm
    gates:
      "{lane}-unit": {run: "npm test -w {path}"}
    smoke:
      "{lane}-smoke": {run: "npm run test:smoke -w {path}"}
"""


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True,
                          capture_output=True, text=True).stdout


def select(sluice, repo, rules, parent, commit, paths=None):
    cmd = [sluice, "-C", repo, "select", "--rules", rules, "--format",
           "json", "--base", parent, "--head", commit]
    if paths is not None:
        cmd += ["--paths-from", paths]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        return None, p.stderr.strip()
    d = json.loads(p.stdout)
    local = sum(1 for g in d["gates"] if g["name"].endswith("-unit"))
    smoke = sum(1 for g in d["gates"] if g["name"].endswith("-smoke"))
    total = len(d["gates"]) + len(d["not_selected"])
    return {"local": local, "smoke": smoke, "run_all": d["run_all"],
            "gates": total}, None


def main():
    global RULES
    if "--root-deps-select-nothing" in sys.argv:
        sys.argv.remove("--root-deps-select-nothing")
        RULES = RULES.replace("run_all_on: [package-lock.json]\n", "")
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    repo = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    build = sys.argv[3] if len(sys.argv) > 3 else os.path.join(root, "build")
    sluice = os.path.join(build, "cli", "sluice")
    tmp = tempfile.mkdtemp()
    rules = os.path.join(tmp, "sluice.yml")
    with open(rules, "w") as f:
        f.write(RULES)
    commits = git(repo, "rev-list", "--first-parent", "-%d" % n,
                  "HEAD").split()
    sums = {k: {"local": 0, "smoke": 0} for k in
            ("run-all", "no-attrib", "attrib", "ignored")}
    lock_commits = runall_attrib = runall_noattrib = missed = 0
    errors = []
    for c in commits:
        parents = git(repo, "rev-parse", c + "^@").split()
        if not parents:
            continue
        parent = parents[0]
        changed = git(repo, "diff", "--name-only", "--no-renames", parent,
                      c).split("\n")[:-1]
        a, err = select(sluice, repo, rules, parent, c)
        if a is None:
            errors.append("%s: %s" % (c[:12], err))
            continue
        npk = a["gates"] // 2
        lock = "package-lock.json" in changed
        lock_commits += lock
        sums["run-all"]["local"] += npk
        sums["run-all"]["smoke"] += npk
        for k in ("local", "smoke"):
            sums["attrib"][k] += npk if a["run_all"] else a[k]
        runall_attrib += a["run_all"]
        if lock or a["run_all"]:
            sums["no-attrib"]["local"] += npk
            sums["no-attrib"]["smoke"] += npk
            runall_noattrib += 1
        else:
            for k in ("local", "smoke"):
                sums["no-attrib"][k] += a[k]
        if lock:
            paths = os.path.join(tmp, "paths")
            with open(paths, "w") as f:
                f.write("".join(p + "\n" for p in changed
                                if p != "package-lock.json"))
            b, err = select(sluice, repo, rules, parent, c, paths)
            if b is None:
                errors.append("%s: %s" % (c[:12], err))
                b = a
        else:
            b = a
        for k in ("local", "smoke"):
            sums["ignored"][k] += npk if b["run_all"] else b[k]
        att = (npk, npk) if a["run_all"] else (a["local"], a["smoke"])
        ign = (npk, npk) if b["run_all"] else (b["local"], b["smoke"])
        missed += att[0] > ign[0] or att[1] > ign[1]
    summary = {"repo": repo, "head": commits[0], "commits": len(commits),
               "lockfile_commits": lock_commits,
               "run_all_commits": {"no-attrib": runall_noattrib,
                                   "attrib": runall_attrib},
               "commits_ignoring_misses": missed,
               "selections": sums, "errors": errors}
    print(json.dumps(summary, indent=2))
    print()
    print("| mode | local gates | smoke gates | total | commits running everything |")
    print("|---|---:|---:|---:|---:|")
    ra = {"run-all": len(commits), "no-attrib": runall_noattrib,
          "attrib": runall_attrib, "ignored": ""}
    for k, v in sums.items():
        print("| %s | %d | %d | %d | %s |" % (k, v["local"], v["smoke"],
                                               v["local"] + v["smoke"], ra[k]))


if __name__ == "__main__":
    main()
