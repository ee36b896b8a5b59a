#!/usr/bin/env python3
"""paired.py: times two commands in alternation, for a ratio a shared
machine does not skew.

Usage: bench/paired.py RUNS WARMUP -- CMD_A... -- CMD_B...

hyperfine runs all of one command's repetitions, then all of the other's,
so when the machine's load changes between the two blocks (on these shared
machines it changes from one second to the next) the ratio of the means
moves with it. Here run i of A is followed by run i of B, each pair is one
sample of the ratio B/A, and the median of those ratios is reported, with
its interquartile range: a slow stretch slows both halves of the pairs it
covers. Each command is spawned directly (no shell), its output sent to
/dev/null, and timed from spawn to exit.

Prints one line of JSON: {"a_ms": median, "b_ms": median, "ratio": median
of B/A, "ratio_q1": ..., "ratio_q3": ...}.
"""

import json
import os
import statistics
import sys
import time


def run(argv, devnull):
    start = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter_ns() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("paired.py: %s failed" % " ".join(argv))
    return elapsed / 1e6


def quartiles(values):
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def main():
    args = sys.argv[1:]
    runs, warmup = int(args[0]), int(args[1])
    rest = args[2:]
    if rest.count("--") != 2 or rest[0] != "--":
        sys.exit(__doc__)
    cut = rest.index("--", 1)
    a, b = rest[1:cut], rest[cut + 1:]
    devnull = os.open(os.devnull, os.O_WRONLY)
    for _ in range(warmup):
        run(a, devnull)
        run(b, devnull)
    ta, tb = [], []
    for _ in range(runs):
        ta.append(run(a, devnull))
        tb.append(run(b, devnull))
    ratios = [y / x for x, y in zip(ta, tb)]
    q1, q3 = quartiles(ratios)
    print(json.dumps({
        "a_ms": statistics.median(ta),
        "b_ms": statistics.median(tb),
        "ratio": statistics.median(ratios),
        "ratio_q1": q1,
        "ratio_q3": q3,
    }))


if __name__ == "__main__":
    main()
