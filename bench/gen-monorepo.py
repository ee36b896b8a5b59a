#!/usr/bin/env python3
"""gen-monorepo.py: a deterministic monorepo for sluice's benchmarks.

Usage: bench/gen-monorepo.py OUTDIR [--files N] [--seed S] [--no-checkout]
                              [--rules FILE]

Writes a git repository at OUTDIR (which must not exist) with --files
tracked files (default 100,000; the layout scales with it) and a history
whose steps are tagged, so that each benchmark names the range it times:

  bench/base      the initial commit: every file, and a sluice.yml
  bench/c1        changes 1 file             (range bench/base..bench/c1)
  bench/c100      changes 100 files          (bench/c1..bench/c100)
  bench/c1000     changes 1,000 files        (bench/c100..bench/c1000)
  bench/c20000    changes 20,000 files       (bench/c1000..bench/c20000)
  bench/add1000   adds 1,000 files           (bench/c20000..bench/add1000)
  bench/del1000   deletes 1,000 files        (bench/add1000..bench/del1000)
  bench/ren1000   renames 1,000 files        (bench/del1000..bench/ren1000)
  bench/range99   99 more commits of 5 files (bench/ren1000..bench/range99)

main points at bench/range99. The same arguments always give the same
commit ids (fixed dates, names, contents and seed). The history is written
with `git fast-import` in one pass (seconds, where a loop of git add and
commit would take minutes). With --no-checkout the work tree is left empty
(enough for diffs; selection and gate benchmarks want the checkout).

Layout (for 100,000 files; every count scales with --files):
  services/svcNN/src/modN/pkgN/fileN.c   50,000 (40 services)
  libs/libNN/src/modN/pkgN/fileN.h       25,000 (25 libraries)
  apps/appNN/src/modN/pkgN/fileN.ts      15,000 (10 apps)
  api/domNN/vN/fileN.proto                5,000
  docs/topicNN/pageN.md                   3,000
  tools/toolNN/fileN.py                   2,000
plus meson.build, README.md and sluice.yml at the root. sluice.yml owns
every file: one lane per service, library and app (apps consume services,
services consume libraries and api), lanes for api/, docs/ and tools/, and
one for the root files; a contract gate on api/; every gate runs `true`.
Renamed files move within their lane.
"""

import argparse
import os
import random
import subprocess
import sys

AREAS = [
    # (top, count, per-item modules, packages, ext, share of files)
    ("services", "svc", 40, 5, 10, "c", 0.50),
    ("libs", "lib", 25, 4, 10, "h", 0.25),
    ("apps", "app", 10, 6, 10, "ts", 0.15),
]
EPOCH = 1767225600  # 2026-01-01T00:00:00Z


def layout(nfiles):
    """Every path of the initial tree, in a fixed order."""
    paths = []
    for top, item, count, mods, pkgs, ext, share in AREAS:
        per_pkg = max(1, round(nfiles * share / (count * mods * pkgs)))
        for i in range(count):
            for m in range(mods):
                for p in range(pkgs):
                    for f in range(per_pkg):
                        paths.append(f"{top}/{item}{i:02d}/src/mod{m}/"
                                     f"pkg{p}/file{f}.{ext}")
    per_dom = max(1, round(nfiles * 0.05 / 40))
    for d in range(20):
        for v in range(2):
            for f in range(per_dom):
                paths.append(f"api/dom{d:02d}/v{v + 1}/file{f}.proto")
    for t in range(50):
        for f in range(max(1, round(nfiles * 0.03 / 50))):
            paths.append(f"docs/topic{t:02d}/page{f}.md")
    for t in range(20):
        for f in range(max(1, round(nfiles * 0.02 / 20))):
            paths.append(f"tools/tool{t:02d}/file{f}.py")
    return paths


def rules():
    """sluice.yml: a lane per service, library and app (SPEC.md §1)."""
    out = ["version: 1", "run_all_on:", "  - meson.build", "unowned: run-all",
           "global:", "  gates:", "    contract-compat:",
           "      run: \"true\"", "      when: [\"api/**\"]", "lanes:",
           "  platform:", "    owners: [\"@platform\"]",
           "    paths: [\"/meson.build\", \"/sluice.yml\"]",
           "    gates:", "      platform-config:", "        run: \"true\"",
           "  api:", "    owners: [\"@platform/api\"]", "    paths: [\"api/\"]",
           "  docs:", "    paths: [\"docs/\", \"*.md\"]",
           "  tools:", "    owners: [\"@platform/tools\"]",
           "    paths: [\"tools/\"]",
           "    gates:", "      tools-unit:", "        run: \"true\""]
    for top, item, count, *_ in AREAS:
        for i in range(count):
            name = f"{item}{i:02d}"
            out += [f"  {name}:", f"    owners: [\"@{name}\"]",
                    f"    paths: [\"{top}/{name}/\"]"]
            if top == "services":
                out.append(f"    consumes: [lib{i % 25:02d}, api]")
            elif top == "apps":
                out.append(f"    consumes: [svc{(4 * i) % 40:02d}, "
                           f"svc{(4 * i + 1) % 40:02d}]")
            out += ["    gates:", f"      {name}-unit:",
                    "        run: \"true\""]
            if top == "services":
                out += ["    smoke:", f"      {name}-smoke:",
                        "        run: \"true\""]
    return "\n".join(out) + "\n"


def content(path, gen):
    body = (f"// {path}\n// generation {gen}\n"
            + "".join(f"line {i} of {path}\n" for i in range(4)))
    return body.encode()


class Stream:
    """A git fast-import stream written straight to the importer."""

    def __init__(self, pipe):
        self.pipe = pipe
        self.mark = 0
        self.when = EPOCH

    def data(self, payload):
        self.pipe.write(b"data %d\n" % len(payload))
        self.pipe.write(payload)
        self.pipe.write(b"\n")

    def commit(self, message, ops, tag=None):
        self.mark += 1
        self.when += 60
        who = b"Bench <bench@example.com> %d +0000" % self.when
        self.pipe.write(b"commit refs/heads/main\nmark :%d\n" % self.mark)
        self.pipe.write(b"author " + who + b"\ncommitter " + who + b"\n")
        self.data(message.encode())
        if self.mark > 1:
            self.pipe.write(b"from :%d\n" % (self.mark - 1))
        for op in ops:
            if op[0] == "M":
                self.pipe.write(b"M 100644 inline " + op[1].encode() + b"\n")
                self.data(op[2])
            elif op[0] == "D":
                self.pipe.write(b"D " + op[1].encode() + b"\n")
            else:
                self.pipe.write(b"R " + op[1].encode() + b" " +
                                op[2].encode() + b"\n")
        if tag:
            self.pipe.write(b"reset refs/tags/%s\nfrom :%d\n\n"
                            % (tag.encode(), self.mark))


def history(stream, nfiles, rng, rules_text):
    paths = layout(nfiles)
    live = list(paths)
    gen = {}

    def modify(count, message, tag):
        picks = rng.sample(live, count)
        ops = []
        for p in picks:
            gen[p] = gen.get(p, 0) + 1
            ops.append(("M", p, content(p, gen[p])))
        stream.commit(message, ops, tag)

    ops = [("M", p, content(p, 0)) for p in paths]
    ops += [("M", "sluice.yml", rules_text),
            ("M", "meson.build", b"project('bench', 'c')\n"),
            ("M", "README.md", b"# bench monorepo\n")]
    stream.commit("base: %d files" % len(paths), ops, "bench/base")
    modify(1, "change 1 file", "bench/c1")
    modify(100, "change 100 files", "bench/c100")
    modify(1000, "change 1,000 files", "bench/c1000")
    modify(20000 if nfiles >= 40000 else nfiles // 5,
           "change 20,000 files", "bench/c20000")

    added = []
    for i in range(1000):
        base = rng.choice(live).rsplit("/", 1)[0]
        if i % 4 == 0:
            base = base + "/new%d" % (i % 7)
        added.append(f"{base}/added{i}.c")
    stream.commit("add 1,000 files",
                  [("M", p, content(p, 0)) for p in added], "bench/add1000")
    live += added

    gone = set(rng.sample(live, 1000))
    stream.commit("delete 1,000 files", [("D", p) for p in sorted(gone)],
                  "bench/del1000")
    live = [p for p in live if p not in gone]

    moved = rng.sample(live, 1000)
    moves = []
    for i, p in enumerate(moved):
        # Within the same lane (services/svc03/...), to a new directory.
        lane, name = "/".join(p.split("/")[:2]), p.rsplit("/", 1)[1]
        moves.append(("R", p, f"{lane}/moved{i % 13}/{i}-{name}"))
    stream.commit("rename 1,000 files", moves, "bench/ren1000")
    moved_set = set(moved)
    live = [p for p in live if p not in moved_set] + [m[2] for m in moves]

    for i in range(99):
        modify(5, "range commit %d" % (i + 1),
               "bench/range99" if i == 98 else None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--files", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-checkout", action="store_true")
    ap.add_argument("--rules", metavar="FILE",
                    help="commit this sluice.yml in bench/base instead of "
                         "the generated one (bench/select/rules.py)")
    args = ap.parse_args()
    if args.rules:
        with open(args.rules, "rb") as f:
            rules_text = f.read()
    else:
        rules_text = rules().encode()
    if os.path.exists(args.outdir):
        sys.exit("gen-monorepo: '%s' exists; give a new directory"
                 % args.outdir)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1",
               GIT_CONFIG_GLOBAL="/dev/null")
    subprocess.run(["git", "init", "-q", "-b", "main", args.outdir],
                   check=True, env=env)
    # fast-import frees and regrows the top of its heap for every file of
    # a large commit, and glibc hands the memory back each time: 80,000
    # brk() calls for 5,000 files. Keeping it (trim threshold, top pad)
    # makes the import 10 to 20 times faster.
    imp_env = dict(env, MALLOC_TRIM_THRESHOLD_=str(1 << 30),
                   MALLOC_TOP_PAD_=str(64 << 20))
    imp = subprocess.Popen(["git", "-C", args.outdir, "fast-import",
                            "--quiet", "--done"],
                           stdin=subprocess.PIPE, env=imp_env)
    stream = Stream(imp.stdin)
    history(stream, args.files, random.Random(args.seed), rules_text)
    imp.stdin.write(b"done\n")
    imp.stdin.close()
    if imp.wait() != 0:
        sys.exit("gen-monorepo: git fast-import failed")
    if not args.no_checkout:
        subprocess.run(["git", "-C", args.outdir, "reset", "-q", "--hard"],
                       check=True, env=env)
    tip = subprocess.run(["git", "-C", args.outdir, "rev-parse", "main"],
                         check=True, env=env, capture_output=True, text=True)
    print("gen-monorepo: %s at %s" % (args.outdir, tip.stdout.strip()))


if __name__ == "__main__":
    main()
