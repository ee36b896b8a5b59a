#!/usr/bin/env python3
"""Generates the ownership benchmark's inputs (bench/owners/run.sh).

    gen.py OUTDIR [--paths N] [--rules N,N,...] [--seed S]

writes OUTDIR/paths.txt, a synthetic monorepo of N paths (100,000 by
default: services, libraries, apps, tools, vendored code, docs), and
OUTDIR/rules-<N>.yml for each rule count (1,500, 3,000 and 6,000 by
default), each a rules file whose lanes own that many patterns in the mix
large CODEOWNERS files have: a few defaults by extension and name first,
then mostly anchored directories (some deep, some with '*.ext' or '**'
below them), some '**' patterns and unanchored names and extensions, and a
few re: patterns and leading wildcards that no index can narrow. A bigger file lists more directories,
as real ones do. The same seed gives the same files.
"""
import argparse
import os
import random

EXTS = ["c", "h", "go", "py", "ts", "tsx", "proto", "sql", "md", "json",
        "yaml", "rs", "java", "kt", "sh", "txt", "pb.go", "min.js", "css"]
NAMES = ["Makefile", "BUILD.bazel", "README.md", "OWNERS", "Dockerfile",
         "go.mod", "package.json", "CHANGELOG.md", "LICENSE", ".gitignore"]
SUBDIRS = ["src", "tests", "docs", "migrations", "api", "gen", "cmd",
           "internal", "testdata", "scripts", "config", "assets"]


def make_dirs(rng):
    """The tree's directories, deepest layout first."""
    dirs = []
    for i in range(700):
        svc = f"services/svc{i}"
        dirs.append(svc)
        for sub in rng.sample(SUBDIRS, 6):
            dirs.append(f"{svc}/{sub}")
            for m in range(rng.randrange(0, 5)):
                dirs.append(f"{svc}/{sub}/mod{m}")
    for i in range(900):
        lib = f"libs/lib{i}"
        dirs.append(lib)
        for sub in rng.sample(["src", "include", "tests", "bench"], 3):
            dirs.append(f"{lib}/{sub}")
    for i in range(250):
        app = f"apps/app{i}"
        dirs.append(app)
        for sub in ["web", "ios", "android", "shared"]:
            dirs.append(f"{app}/{sub}")
            dirs.append(f"{app}/{sub}/components")
    for i in range(150):
        dirs.append(f"tools/tool{i}")
    for i in range(400):
        dirs.append(f"third_party/pkg{i}")
        dirs.append(f"third_party/pkg{i}/lib")
    for i in range(60):
        dirs.append(f"docs/guide{i}")
    dirs.append("api/proto")
    dirs.append("infra/terraform")
    return dirs


def make_paths(rng, dirs, n):
    paths = set()
    while len(paths) < n:
        d = rng.choice(dirs)
        if rng.random() < 0.15:
            name = rng.choice(NAMES)
        else:
            name = f"f{rng.randrange(40)}.{rng.choice(EXTS)}"
        paths.add(f"{d}/{name}")
    out = sorted(paths)
    rng.shuffle(out)
    return out


def anchored(rng, d):
    """A pattern keyed by the directory d, in one of the usual shapes."""
    r = rng.random()
    if r < 0.45:
        return f"{d}/"
    if r < 0.6:
        return f"/{d}/"
    if r < 0.7:
        return f"{d}/**"
    if r < 0.8:
        return f"{d}/*.{rng.choice(EXTS)}"
    if r < 0.9:
        return f"{d}/**/*.{rng.choice(EXTS)}"
    return f"{d}/**/{rng.choice(SUBDIRS)}/"


FIXED = [
    # What no index narrows: a handful, as in real files.
    r"re:services/svc[0-9]+/gen/.*\.pb\.go",
    r"re:(apps|libs)/[^/]+/tests?/.*_test\.[a-z]+",
    r"re:third_party/pkg[0-9]*7/.*",
    "*/docs/",
    "?akefile",
    "services/*/api/",
    "libs/*/include/",
]


def make_rules(rng, dirs, n):
    """Defaults first (as CODEOWNERS files start), then the body."""
    head = [f"*.{e}" for e in EXTS[::3]] + NAMES[:4]
    body = list(FIXED)
    pool = rng.sample(dirs, min(len(dirs), n))
    k = 0
    while len(head) + len(body) < n:
        r = rng.random()
        if r < 0.97:
            body.append(anchored(rng, pool[k % len(pool)]))
            k += 1
        elif r < 0.98:
            body.append(f"**/{rng.choice(SUBDIRS)}/")
        elif r < 0.99:
            body.append(f"**/{rng.choice(SUBDIRS)}/*.{rng.choice(EXTS)}")
        elif r < 0.995:
            body.append(f"*.{rng.choice(EXTS)}")
        else:
            body.append(rng.choice(NAMES))
    rng.shuffle(body)
    return head + body


def write_rules(path, rules, per_lane=12):
    with open(path, "w", encoding="utf-8") as f:
        f.write("version: 1\nlanes:\n")
        for lane, start in enumerate(range(0, len(rules), per_lane)):
            f.write(f"  lane{lane}:\n")
            f.write(f"    owners: [\"@team{lane}\"]\n")
            f.write("    paths:\n")
            for p in rules[start:start + per_lane]:
                f.write(f"      - '{p}'\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--paths", type=int, default=100000)
    ap.add_argument("--rules", default="1500,3000,6000")
    ap.add_argument("--seed", type=int, default=20240611)
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    rng = random.Random(args.seed)
    dirs = make_dirs(rng)
    with open(os.path.join(args.outdir, "paths.txt"), "w") as f:
        for p in make_paths(rng, dirs, args.paths):
            f.write(p + "\n")
    for n in (int(x) for x in args.rules.split(",")):
        rules = make_rules(random.Random(args.seed + n), dirs, n)
        write_rules(os.path.join(args.outdir, f"rules-{n}.yml"), rules)


if __name__ == "__main__":
    main()
