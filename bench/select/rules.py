#!/usr/bin/env python3
"""rules.py: the selection benchmark's sluice.yml, for the tree that
bench/gen-monorepo.py writes (100,000 files: services/, libs/, apps/,
api/, docs/, tools/).

Usage: bench/select/rules.py [--lanes 300] [--rules 3000] > sluice.yml

300 lanes with a consumer graph and 3,000 ownership rules, a mix of what
real rules files hold: anchored directories for the lanes and their
packages (most of them), `**/` directory names, `*.ext` and `re:`
patterns, and later lanes carving paths out of earlier ones. The consumer
graph has depth: apps consume service modules, service modules consume
library modules and API domains, library modules consume other libraries,
so a change to a library reaches apps through a chain. Every gate runs
`true`.
"""
import argparse
import random


def lanes(nlanes):
    """(name, [anchor dirs], owners) for each lane, in file order."""
    out = []
    for s in range(40):
        for m in range(5):
            out.append((f"svc{s:02d}-mod{m}", [f"services/svc{s:02d}/src/mod{m}"],
                        f"@svc{s:02d}"))
    # A library's lane first; its module lanes carve paths out of it.
    for lib in range(25):
        out.append((f"lib{lib:02d}", [f"libs/lib{lib:02d}"], f"@lib{lib:02d}"))
    for lib in range(25):
        for m in range(2):
            out.append((f"lib{lib:02d}-mod{m}", [f"libs/lib{lib:02d}/src/mod{m}"],
                        f"@lib{lib:02d}"))
    for a in range(10):
        out.append((f"app{a:02d}", [f"apps/app{a:02d}"], f"@app{a:02d}"))
    for d in range(15):
        doms = [f"api/dom{d:02d}"] + ([f"api/dom{d + 15:02d}"] if d < 5 else [])
        out.append((f"api{d:02d}", doms, "@platform/api"))
    return out[:nlanes]


def consumes(name, rng, names):
    def pick(pool, k):  # with --lanes small, some kinds are absent
        return rng.sample(pool, min(k, len(pool)))
    if name.startswith("app"):
        return pick([n for n in names if n.startswith("svc")], 4)
    if name.startswith("svc"):
        libs = [n for n in names if n.startswith("lib") and "-mod" in n]
        apis = [n for n in names if n.startswith("api")]
        return pick(libs, 2) + pick(apis, 1)
    if name.startswith("lib") and "-mod" in name:
        own = name.split("-")[0]
        others = [n for n in names if n.startswith("lib") and "-" not in n
                  and n != own and n < own]
        return pick(others, 1)
    return []


def patterns(lane_dirs, i, per_lane, rng):
    """per_lane patterns for a lane: its anchors, then finer rules."""
    pats = [f"/{d}/" for d in lane_dirs]
    base = lane_dirs[0]
    k = 0
    while len(pats) < per_lane:
        kind = k % 10
        k += 1
        if kind < 6:
            pats.append(f"/{base}/pkg{rng.randrange(10)}/file{rng.randrange(40)}.*")
        elif kind == 6:
            pats.append(f"/{base}/**/generated{rng.randrange(5)}/")
        elif kind == 7:
            pats.append(f"*.lane{i}-{rng.randrange(100)}.cfg")
        elif kind == 8:
            pats.append(f"/{base}/pkg{rng.randrange(10)}/*.bak")
        else:
            pats.append(f"re:{base}/pkg[0-9]/file{rng.randrange(10)}0\\.[a-z]+")
    return pats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lanes", type=int, default=300)
    ap.add_argument("--rules", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    all_lanes = lanes(args.lanes)
    names = [n for n, _, _ in all_lanes]
    per_lane = max(1, args.rules // len(all_lanes))
    out = ["version: 1", "run_all_on:", "  - meson.build", "unowned: run-all",
           "global:", "  approvers: [\"@platform/release\"]", "  gates:",
           "    contract-compat: {run: \"true\", when: [\"api/**\"]}",
           "    repo-lint: {run: \"true\"}", "lanes:",
           "  docs:", "    paths: [\"/docs/\", \"*.md\"]",
           "  tools:", "    owners: [\"@platform/tools\"]",
           "    paths: [\"/tools/\"]",
           "    gates:", "      tools-unit: {run: \"true\"}"]
    for i, (name, dirs, owner) in enumerate(all_lanes):
        out += [f"  {name}:", f"    owners: [\"{owner}\"]", "    paths:"]
        out += [f"      - \"{p}\"" for p in patterns(dirs, i, per_lane, rng)]
        deps = consumes(name, rng, names)
        if deps:
            out.append(f"    consumes: [{', '.join(deps)}]")
        out += ["    gates:", f"      {name}-unit: {{run: \"true\"}}"]
        if i % 3 == 0:
            out.append(f"      {name}-lint: {{run: \"true\", when: [\"**/*.c\"]}}")
        if deps:
            out += ["    smoke:", f"      {name}-smoke: {{run: \"true\"}}"]
    print("\n".join(out))


if __name__ == "__main__":
    main()
