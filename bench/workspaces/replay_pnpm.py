#!/usr/bin/env python3
"""bench/workspaces/replay_pnpm.py: replays a real pnpm monorepo's history
(docs/performance.md, "A pnpm monorepo's history, checked").

usage: replay_pnpm.py SLUICE REPO [COMMITS]

For each of the last COMMITS (default 300) first-parent commits of REPO
(a clone; no checkout is needed: sluice reads manifests as blobs), runs
`sluice select` on the commit against its first parent with two rules
file of `workspaces: [{kind: pnpm}]` with a local and a smoke template
per package, the repository's other top-level files and directories
given to one lane ("repo") so that what is compared is the lockfile's
handling, not the unowned-path policy. Three ways to treat a commit that
changes pnpm-lock.yaml are counted:

  attributed   the lockfile compared by content (SPEC.md section 7)
  run_all_on   what a user had to write before: every package's gates
               on every lockfile change
  ignored      the lockfile left out (the commit's other paths only):
               cheaper, and unsafe

Prints, per way, the package-level local and consumer-smoke gates
selected over the commits, against running every package's gates on
every commit.

It also checks that attribution misses nothing, against a reference
written here independently of sluice's C code: for each commit that
changes pnpm-lock.yaml, the packages whose resolved dependency closure
(importers, then snapshots, in the old or the new lockfile) holds an
entry whose text changed. Every such package's local gate must be
selected (the root importer's entries select everything: its closure is
not a package's). A miss is printed and makes the exit status 1.
Needs python3-yaml.
"""
import json
import subprocess
import sys
import tempfile

import yaml

LOCK = "pnpm-lock.yaml"

RULES = """version: 1
workspaces:
  - kind: pnpm
    gates:
      "{lane}-test": {run: "pnpm -C {path} test"}
    smoke:
      "{lane}-smoke": {run: "pnpm -C {path} run smoke"}
lanes:
  repo:
    paths:
      - 're:^(?!pnpm-lock\\.yaml$)[^/]+$'
      - /.*/
      - /examples/
      - /flow-typed/
      - /libdefs/
      - /scripts/
      - /stubs/
    gates:
      repo-lint: {run: "pnpm run lint"}
"""


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True,
                          capture_output=True, text=True).stdout


def select(sluice, repo, rules, base, head, paths=None):
    cmd = [sluice, "-C", repo, "select", "--rules", rules, "--base", base,
           "--head", head, "--no-merge-base", "--format", "json"]
    if paths is not None:
        cmd += ["--paths-from", "-"]
    r = subprocess.run(cmd, capture_output=True, text=True,
                       input="\n".join(paths) + "\n" if paths else None)
    if r.returncode != 0:
        sys.exit("sluice select %s..%s failed (%d): %s" %
                 (base, head, r.returncode, r.stderr.strip()))
    return json.loads(r.stdout)


def load_lock(repo, rev):
    try:
        text = git(repo, "show", "%s:%s" % (rev, LOCK))
    except subprocess.CalledProcessError:
        return None
    # pnpm 11 (or a pnpm that pins itself) writes its environment first,
    # as a YAML document of its own: split as pnpm does. The environment
    # is no package's: a change to it is the root's.
    env = None
    if text.startswith("---\n"):
        sep = text.find("\n---\n", 4)
        env, text = text[4:sep], text[sep + 5:]
    lock = yaml.load(text, Loader=yaml.CSafeLoader)
    lock["importers"]["(environment)"] = {"text": env}
    return lock


def closure(lock, importer):
    """Every snapshot key an importer's dependencies resolve to."""
    snaps = lock.get("snapshots") or {}
    deps = lock["importers"][importer]
    todo, seen = [], set()
    for field in ("dependencies", "devDependencies", "optionalDependencies"):
        for name, d in (deps.get(field) or {}).items():
            v = d["version"] if isinstance(d, dict) else str(d)
            if not v.startswith("link:"):
                todo.append(name + "@" + v)
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        snap = snaps.get(key) or {}
        for field in ("dependencies", "optionalDependencies"):
            for name, v in (snap.get(field) or {}).items():
                todo.append(name + "@" + str(v))
    return seen


def entry_text(lock, key):
    base = key[:key.find("(", 1)] if "(" in key[1:] else key
    return (repr((lock.get("snapshots") or {}).get(key)),
            repr((lock.get("packages") or {}).get(base)))


def reference(old, new):
    """The importers a lockfile change must select; "." is the root."""
    if old is None or new is None:
        return None
    keys = set(old.get("snapshots") or {}) | set(new.get("snapshots") or {})
    changed = {k for k in keys if entry_text(old, k) != entry_text(new, k)}
    hit = set()
    for lock in (old, new):
        for imp, deps in lock["importers"].items():
            if imp in hit:
                continue
            if changed & closure(lock, imp):
                hit.add(imp)
    for imp in set(old["importers"]) | set(new["importers"]):
        if repr(old["importers"].get(imp)) != repr(new["importers"].get(imp)):
            hit.add("." if imp == "(environment)" else imp)
    return hit


def count(result, kind):
    """Selected and all package gates of kind ("local" or "smoke")."""
    def ours(g):
        return g.get("kind") == kind and g["name"] != "repo-lint"
    selected = sum(1 for g in result["gates"] if ours(g))
    return selected, selected + sum(1 for g in result["not_selected"]
                                    if ours(g))


def check(sluice, repo, rules, a, parent, c, local, every, got):
    """Does the attributed selection hold every package the reference
    says the lockfile change reaches? Prints the commit's line."""
    want = reference(load_lock(repo, parent), load_lock(repo, c))
    selected = {g["lane"] for g in a["gates"] if g["kind"] == "local"}
    if want is None or "." in want:
        need, ok = None, local == every  # a lockfile added, or the root's
    else:
        # A package's lane as the head derives it, or as its parent did
        # (a package the commit removes).
        need = set()
        for rev in (c, parent):
            lanes = select(sluice, repo, rules, rev, rev,
                           [imp + "/package.json" for imp in sorted(want)])
            need |= {ch["lane"] for ch in lanes["changed"] if ch["lane"]}
        ok = need <= selected and bool(need)
    print("%s lockfile: local %d of %d (ignored: %d)%s" %
          (c[:10], local, every, got["ignored"][0], "" if ok else
           "  MISSED %s" % sorted((need or {"every"}) - selected)))
    return ok


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sluice, repo = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    tmp = tempfile.mkdtemp()
    attributed = tmp + "/sluice.yml"
    with open(attributed, "w") as f:
        f.write(RULES)

    commits = git(repo, "rev-list", "--first-parent", "-n", str(n),
                  "HEAD").split()
    ways = ("attributed", "run_all_on", "ignored")
    totals = {w: [0, 0] for w in ways + ("every",)}
    lock_commits = misses = 0
    for c in commits:
        parent = c + "^"
        a = select(sluice, repo, attributed, parent, c)
        local, every = count(a, "local")
        smoke, every_smoke = count(a, "smoke")
        got = {w: (local, smoke) for w in ways}
        got["every"] = (every, every_smoke)
        if any(ch["path"] == LOCK for ch in a["changed"]):
            lock_commits += 1
            got["run_all_on"] = (every, every_smoke)
            rest = [ch["path"] for ch in a["changed"] if ch["path"] != LOCK]
            if rest:
                i = select(sluice, repo, attributed, parent, c, rest)
                got["ignored"] = (count(i, "local")[0], count(i, "smoke")[0])
            else:
                got["ignored"] = (0, 0)
            misses += not check(sluice, repo, attributed, a, parent, c,
                                local, every, got)
        for w in got:
            totals[w][0] += got[w][0]
            totals[w][1] += got[w][1]

    print()
    print("| lockfile | package local gates | consumer-smoke gates |")
    print("|---|---:|---:|")
    for w in ways:
        print("| %s | %d | %d |" % (w, *totals[w]))
    print("| every gate of every package on every commit | %d | %d |" %
          tuple(totals["every"]))
    print()
    print("%d commits, %d change %s, %d misses against the reference" %
          (len(commits), lock_commits, LOCK, misses))
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
