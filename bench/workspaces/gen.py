#!/usr/bin/env python3
"""gen.py DIR: the workspace benchmark's repository (bench/workspaces/run.sh).

An npm workspace of 1,000 packages (packages/pNNNN, five files each, every
package but the first depending on another: a tree of 999 internal edges)
and a package-lock.json (lockfileVersion 3) of about 50,000 entries: the
root, each package's link and entry, 38 dependencies of its own per
package (each with two dependencies among 10,000 shared ones, which
depend on one another in a tree), as npm lays them out hoisted. The rules
are a dozen lines: one `workspaces:` entry with a local and a smoke
template, the lockfile in run_all_on.

Three commits, tagged: `base`; `one-package`, a change to one source file
of one package; `lockfile-10`, a dependency update of one entry of each of
ten packages (version, resolved, integrity), the lockfile alone changed.
Written with git fast-import: a few seconds.
"""

import hashlib
import json
import os
import subprocess
import sys

NPKG = 1000
PRIVATE = 38
SHARED = 10000


def pkg_name(i):
    return "@bench/p%04d" % i


def ext(name, version, deps):
    e = {
        "version": version,
        "resolved": "https://registry.npmjs.org/%s/-/%s-%s.tgz" % (name, name, version),
        "integrity": "sha512-" + hashlib.sha256(("%s@%s" % (name, version)).encode()).hexdigest(),
    }
    if deps:
        e["dependencies"] = deps
    return e


def manifest(i):
    deps = {"x%04d-%02d" % (i, k): "^1.0.0" for k in range(PRIVATE)}
    if i:
        deps[pkg_name(i // 3)] = "1.0.0"
    return {"name": pkg_name(i), "version": "1.0.0", "dependencies": deps}


def lockfile(bumped):
    packages = {"": {"name": "bench", "workspaces": ["packages/*"],
                     "devDependencies": {"s00000": "^1.0.0"}}}
    for i in range(NPKG):
        packages["node_modules/" + pkg_name(i)] = {
            "resolved": "packages/p%04d" % i, "link": True}
    for i in range(NPKG):
        for k in range(PRIVATE):
            name = "x%04d-%02d" % (i, k)
            a = (i * PRIVATE + k) % SHARED
            b = (i * 7 + k * 13) % SHARED
            version = "1.0.1" if (i, k) in bumped else "1.0.0"
            packages["node_modules/" + name] = ext(
                name, version, {"s%05d" % a: "^1.0.0", "s%05d" % b: "^1.0.0"})
    for j in range(SHARED):
        name = "s%05d" % j
        packages["node_modules/" + name] = ext(
            name, "1.0.0", {"s%05d" % (j // 2): "^1.0.0"} if j else None)
    for i in range(NPKG):
        m = manifest(i)
        packages["packages/p%04d" % i] = {
            "name": m["name"], "version": "1.0.0",
            "dependencies": m["dependencies"]}
    doc = {"name": "bench", "lockfileVersion": 3, "requires": True,
           "packages": packages}
    return json.dumps(doc, indent=2) + "\n"


RULES = """version: 1
unowned: global-only
run_all_on: [package-lock.json]
workspaces:
  - kind: npm
    owners: ["@js-platform"]
    gates:
      "{lane}-unit": {run: "npm test -w {path}"}
    smoke:
      "{lane}-smoke": {run: "npm run test:smoke -w {path}"}
"""


def blob(out, data):
    data = data.encode()
    out.write(b"data %d\n" % len(data))
    out.write(data)
    out.write(b"\n")


def commit(out, ref, msg, files, parent, when):
    out.write(b"commit %s\n" % ref.encode())
    out.write(b"committer bench <bench@example.com> %d +0000\n" % when)
    blob(out, msg)
    if parent:
        out.write(b"from %s\n" % parent.encode())
    for path, data in files.items():
        out.write(b"M 100644 inline %s\n" % path.encode())
        blob(out, data)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    repo = sys.argv[1]
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
    fi = subprocess.Popen(["git", "-C", repo, "fast-import", "--quiet"],
                          stdin=subprocess.PIPE)
    out = fi.stdin
    files = {"sluice.yml": RULES,
             "package.json": json.dumps({"name": "bench", "private": True,
                                         "workspaces": ["packages/*"]}) + "\n",
             "package-lock.json": lockfile(set())}
    for i in range(NPKG):
        d = "packages/p%04d/" % i
        files[d + "package.json"] = json.dumps(manifest(i), indent=2) + "\n"
        for f in ("src/index.js", "src/util.js", "test/index.test.js",
                  "README.md"):
            files[d + f] = "// %s %s\n" % (pkg_name(i), f)
    commit(out, "refs/heads/main", "base", files, None, 1700000000)
    out.write(b"reset refs/tags/base\nfrom refs/heads/main\n\n")
    commit(out, "refs/heads/one", "one package",
           {"packages/p0421/src/index.js": "// changed\n"},
           "refs/tags/base", 1700000100)
    out.write(b"reset refs/tags/one-package\nfrom refs/heads/one\n\n")
    bumped = {(i * 97 % NPKG, 5) for i in range(1, 11)}
    commit(out, "refs/heads/lock", "lockfile: ten packages",
           {"package-lock.json": lockfile(bumped)},
           "refs/tags/base", 1700000200)
    out.write(b"reset refs/tags/lockfile-10\nfrom refs/heads/lock\n\n")
    out.close()
    if fi.wait():
        sys.exit("gen.py: git fast-import failed")
    subprocess.run(["git", "-C", repo, "gc", "-q", "--aggressive"], check=True)


if __name__ == "__main__":
    main()
