#!/usr/bin/env python3
"""gen_go.py DIR: a Go workspace for timing derivation (docs/performance.md,
"Workspaces").

A go.work that uses 1,000 modules (mods/mNNNN, a go.mod and a main.go
each); each go.mod requires five other modules of the workspace and 30
external module paths (shared by every 50th module), as `go mod tidy`
writes them. The rules are a `workspaces:` entry of kind go with one gate
template. Two commits, tagged: `base`, and `one-module`, a change to one
module's main.go; the objects packed, as in a clone. Time `sluice select --base base --head one-module`
against `git diff --name-only` with bench/paired.py.
"""

import os
import subprocess
import sys

NMOD = 1000


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_go.py DIR")
    root = sys.argv[1]
    os.makedirs(root)
    os.chdir(root)
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_COMMITTER_NAME="bench",
               GIT_AUTHOR_EMAIL="bench@example.com",
               GIT_COMMITTER_EMAIL="bench@example.com")

    def git(*args):
        subprocess.run(["git", *args], check=True, env=env,
                       stdout=subprocess.DEVNULL)

    git("init", "-q")
    uses = []
    for i in range(NMOD):
        d = "mods/m%04d" % i
        os.makedirs(d)
        reqs = ["example.com/m%04d v0.0.0" % ((i * 7 + k) % NMOD)
                for k in range(1, 6)]
        reqs += ["github.com/ext/x%d-%d v1.%d.0" % (i % 50, k, k)
                 for k in range(30)]
        with open(d + "/go.mod", "w") as f:
            f.write("module example.com/m%04d\n\ngo 1.22\n\nrequire (\n" % i)
            f.write("".join("\t%s\n" % r for r in reqs) + ")\n")
        with open(d + "/main.go", "w") as f:
            f.write("package main\n")
        uses.append(d)
    with open("go.work", "w") as f:
        f.write("go 1.22\n\nuse (\n")
        f.write("".join("\t./%s\n" % u for u in uses) + ")\n")
    with open("sluice.yml", "w") as f:
        f.write("version: 1\nworkspaces:\n  - kind: go\n    gates:\n"
                "      \"{lane}-unit\": {run: \"go test ./{path}/...\"}\n")
    git("add", "-A")
    git("commit", "-qm", "base")
    git("tag", "base")
    with open("mods/m0421/main.go", "a") as f:
        f.write("// changed\n")
    git("commit", "-qam", "one module")
    git("tag", "one-module")
    git("repack", "-adq")  # packed, as a clone is


if __name__ == "__main__":
    main()
