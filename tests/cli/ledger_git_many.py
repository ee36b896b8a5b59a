#!/usr/bin/env python3
"""Checks what ledger_git_many.t's writers left on the shared ledger.

Usage: ledger_git_many.py LOG.json FIRST_APPROVER FIRST_RUN LAST

Clones 1 .. FIRST_APPROVER-1 requested (stdout in outN: the id printed),
FIRST_APPROVER .. FIRST_RUN-1 approved override N-6 ("ok-<id>"), FIRST_RUN
.. LAST ran (results in runN.json); each command's stderr is in errN and
its exit status in statusN, all in the current directory. LOG.json is
`sluice override log --format json` of a fresh clone.

Prints one line per acknowledged event that is missing, there twice, or
not what its command said (a request under another id than it printed, an
approval of another override, a run's "applied" event for another
override than its results file names), then the event count and whether
seqs run 1, 2, 3, ... When anything is wrong it goes on with what the next
failure needs to explain itself: every event, each run's run_id and the
overrides its results file names, and each command's status and stderr.
"""
import json
import os
import sys


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError as e:
        return "<%s>" % e.strerror


def main():
    log, first_approver, first_run, last = sys.argv[1], *map(int, sys.argv[2:])
    events = json.load(open(log))["events"]
    problems = []

    def once(pred, what):
        found = [e for e in events if pred(e)]
        if len(found) != 1:
            problems.append("%s found %d times%s" % (
                what, len(found),
                "" if not found else " (seq %s)" % ", ".join(
                    str(e["seq"]) for e in found)))
        return found[0] if len(found) == 1 else None

    for i in range(1, first_approver):
        e = once(lambda e: e["kind"] == "request" and e["reason"] == "req-%d" % i,
                 "req-%d" % i)
        try:
            printed = int(read("out%d" % i))
        except ValueError:
            printed = None
        if e and e["override"] != printed:
            problems.append("req-%d is override %d, the command printed %s"
                            % (i, e["override"], printed))
    for i in range(first_approver, first_run):
        n = i - 6
        e = once(lambda e: e["kind"] == "approve" and e["reason"] == "ok-%d" % n,
                 "ok-%d" % n)
        if e and e["override"] != n:
            problems.append("ok-%d approves override %d" % (n, e["override"]))
    runs = {}
    for i in range(first_run, last + 1):
        try:
            results = json.loads(read("run%d.json" % i))
        except ValueError:
            results = {}
        run_id = results.get("run_id")
        named = [(g["name"], g["override"]["id"])
                 for g in results.get("gates", []) if g.get("override")]
        runs[i] = (run_id, named)
        for gate, oid in named:
            e = once(lambda e: e["kind"] == "applied" and e["run"] == run_id
                     and e["gate"] == gate, "run %d" % i)
            if e and e["override"] != oid:
                problems.append(
                    "run %d applied override %d (its results), the ledger "
                    "says %d" % (i, oid, e["override"]))
        if not named:
            problems.append("run %d names no override applied" % i)
    for i in range(1, last + 1):
        status = read("status%d" % i).strip()
        if status != "0":
            problems.append("command %d exited %s" % (i, status))
    ours = {r[0] for r in runs.values()}
    for e in events:
        if e["kind"] == "applied" and e["run"] not in ours:
            problems.append("event %d: applied by run %s, not one of ours"
                            % (e["seq"], e["run"]))
    for p in problems:
        print(p)
    print(len(events), "events, seq",
          [e["seq"] for e in events] == list(range(1, len(events) + 1)))
    if not problems:
        return
    print("--- events (seq kind override actor at reason run)")
    for e in events:
        print(e["seq"], e["kind"], e["override"], e["actor"], e["at"],
              e["reason"], e["run"] or "")
    print("--- runs (clone run_id gate:override from its results file)")
    for i, (run_id, named) in runs.items():
        print(i, run_id, " ".join("%s:%d" % g for g in named))
    print("--- commands (clone status stdout | stderr)")
    for i in range(1, last + 1):
        out = read("out%d" % i).strip().replace("\n", " / ")
        print(i, read("status%d" % i).strip(),
              out if len(out) < 100 else out[:100] + "...", "|",
              read("err%d" % i).strip().replace("\n", " / ") or "-")


if __name__ == "__main__":
    main()
