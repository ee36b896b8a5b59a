#!/usr/bin/env python3
"""paired.py: times two commands (or more) in alternation, for a ratio a
shared machine does not skew.

Usage: bench/paired.py RUNS WARMUP -- CMD_A... -- CMD_B... [-- CMD_C...]

hyperfine runs all of one command's repetitions, then all of the other's,
so when the machine's load changes between the two blocks (on these shared
machines it changes from one second to the next) the ratio of the means
moves with it. Here run i of A is followed by run i of B, each pair is one
sample of the ratio B/A, and the median of those ratios is reported, with
its interquartile range: a slow stretch slows both halves of the pairs it
covers. Each command is spawned directly (no shell), its output sent to
/dev/null, and timed from spawn to exit.

With PAIRED_CPU=1 in the environment, each run is timed by the CPU time
it used (user and system, from wait4()) instead of from spawn to exit:
what a machine shared with other jobs changes least. With
PAIRED_STDIN=FILE, every command reads FILE as its standard input (for a
reference such as `git cat-file --batch`); otherwise /dev/null.

Prints one line of JSON: {"a_ms": median, "b_ms": median, "ratio": median
of B/A, "ratio_q1": ..., "ratio_q3": ...}. With three commands or more,
each round runs them all in order, and the line is {"ms": [the medians],
"ratio": [each command's median ratio to A], "ratio_q1": [...],
"ratio_q3": [...]} (A's own ratio, 1, first).
"""

import json
import os
import statistics
import sys
import time


CPU = os.environ.get("PAIRED_CPU") == "1"
STDIN = os.environ.get("PAIRED_STDIN", os.devnull)


def run(argv, devnull):
    stdin = os.open(STDIN, os.O_RDONLY)
    start = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, stdin, 0),
                                        (os.POSIX_SPAWN_DUP2, devnull, 1)])
    os.close(stdin)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter_ns() - start
    if CPU:
        elapsed = (usage.ru_utime + usage.ru_stime) * 1e9
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("paired.py: %s failed" % " ".join(argv))
    return elapsed / 1e6


def quartiles(values):
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[2] != "--":
        sys.exit(__doc__)
    runs, warmup = int(args[0]), int(args[1])
    cmds, cur = [], None
    for arg in args[2:]:
        if arg == "--":
            cur = []
            cmds.append(cur)
        else:
            cur.append(arg)
    if len(cmds) < 2 or not all(cmds):
        sys.exit(__doc__)
    devnull = os.open(os.devnull, os.O_WRONLY)
    for _ in range(warmup):
        for cmd in cmds:
            run(cmd, devnull)
    times = [[] for _ in cmds]
    for _ in range(runs):
        for cmd, t in zip(cmds, times):
            t.append(run(cmd, devnull))
    medians, ratio, ratio_q1, ratio_q3 = [], [], [], []
    for t in times:
        ratios = [y / x for x, y in zip(times[0], t)]
        q1, q3 = quartiles(ratios)
        medians.append(statistics.median(t))
        ratio.append(statistics.median(ratios))
        ratio_q1.append(q1)
        ratio_q3.append(q3)
    if len(cmds) == 2:
        print(json.dumps({
            "a_ms": medians[0],
            "b_ms": medians[1],
            "ratio": ratio[1],
            "ratio_q1": ratio_q1[1],
            "ratio_q3": ratio_q3[1],
        }))
    else:
        print(json.dumps({"ms": medians, "ratio": ratio,
                          "ratio_q1": ratio_q1, "ratio_q3": ratio_q3}))


if __name__ == "__main__":
    main()
