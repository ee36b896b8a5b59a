#!/usr/bin/env python3
"""Runs one end-to-end test file (tests/cli/*.t) against the built sluice.

The format is cram's (Mercurial's), which reads as a terminal session:

    Commentary is any line that does not start with two spaces.
      $ sluice owners api/x.proto     <- a command (continued by "  > ")
      api/x.proto  contracts ...      <- its expected stdout+stderr
      [2]                             <- its exit status, when not 0

An expected line ending in " (re)" is a Python regular expression that must
match the whole line; " (glob)" allows * and ?; " (no-eol)" marks output
that did not end with a newline. All commands of a file run in one bash,
in a fresh temporary directory, with `sluice` on PATH and the machine's git
configuration out of reach. $FIXTURES is the source tree's fixtures/ and
$TESTDIR the folder of the .t file. Results are printed as TAP, one test per
command; SLUICE_KEEP_SANDBOX=1 keeps the directory for a look afterwards.
"""
import difflib
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile

SALT = "__SLUICE_CRAM_7f3a__"


def parse(path):
    """Returns [(lineno, command, expected_lines, expected_status)]."""
    cases = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    current = None
    for lineno, line in enumerate(lines, 1):
        if line.startswith("  $ "):
            current = [lineno, line[4:], [], 0]
            cases.append(current)
        elif line.startswith("  > ") and current and not current[2]:
            current[1] += "\n" + line[4:]
        elif line.startswith("  ") and current:
            m = re.fullmatch(r"  \[(\d+)\]", line)
            if m:
                current[3] = int(m.group(1))
            else:
                current[2].append(line[2:])
        else:
            current = None
    return cases


def line_matches(expected, actual):
    if expected == actual:
        return True
    if expected.endswith(" (re)"):
        try:
            return re.fullmatch(expected[:-5], actual) is not None
        except re.error:
            return False
    if expected.endswith(" (glob)"):
        pat = expected[:-7]
        return fnmatch.fnmatchcase(actual, pat)
    return False


def environment(tmp, testdir):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLUICE_", "GIT_", "GITHUB_", "GITLAB_"))
           and k not in ("CI",)}
    binary = os.environ["SLUICE_BIN"]
    env.update({
        "PATH": os.path.dirname(binary) + os.pathsep + env.get("PATH", ""),
        "SLUICE_BIN": binary,
        "FIXTURES": os.path.join(os.environ["SLUICE_SOURCE_ROOT"], "fixtures"),
        "SOURCE_ROOT": os.environ["SLUICE_SOURCE_ROOT"],
        "TESTDIR": testdir,
        "HOME": tmp,
        "XDG_CONFIG_HOME": tmp,
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "TERM": "dumb",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_AUTHOR_NAME": "Sluice Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Sluice Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    })
    return env


def run(path):
    cases = parse(path)
    script = []
    for i, (_, cmd, _, _) in enumerate(cases):
        script.append(cmd)
        script.append(f'echo "{SALT} {i} $?"')
    tmp = tempfile.mkdtemp(prefix="sluice-cram-")
    try:
        work = os.path.join(tmp, "work")
        os.mkdir(work)
        proc = subprocess.run(
            ["/bin/bash", "--norc", "--noprofile"],
            input="\n".join(script).encode() + b"\n", cwd=work,
            env=environment(tmp, os.path.dirname(os.path.abspath(path))),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=None, timeout=float(os.environ.get("CRAM_TIMEOUT", "600")))
        output = proc.stdout.decode("utf-8", errors="surrogateescape")
    finally:
        if os.environ.get("SLUICE_KEEP_SANDBOX"):
            print(f"# sandbox kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return cases, split_output(output, len(cases))


def split_output(output, n):
    """Splits the run's output into (lines, status) per command."""
    results = [None] * n
    pending = []
    for line in output.split("\n"):
        pos = line.find(SALT)
        if pos < 0:
            pending.append(line)
            continue
        if pos > 0:
            pending.append(line[:pos] + " (no-eol)")
        idx, status = line[pos + len(SALT) + 1:].split(" ")
        results[int(idx)] = (pending, int(status))
        pending = []
    return results


def main():
    path = sys.argv[1]
    cases, results = run(path)
    print(f"1..{len(cases)}")
    failed = 0
    for i, (lineno, cmd, expected, status) in enumerate(cases):
        title = f"{os.path.basename(path)}:{lineno}: {cmd.splitlines()[0]}"
        got = results[i]
        if got is None:
            print(f"not ok {i + 1} - {title}\n# did not run (an earlier "
                  "command ended the shell)")
            failed += 1
            continue
        lines, got_status = got
        ok = got_status == status and len(lines) == len(expected) and all(
            line_matches(e, a) for e, a in zip(expected, lines))
        print(f"{'ok' if ok else 'not ok'} {i + 1} - {title}")
        if ok:
            continue
        failed += 1
        want = expected + ([f"[{status}]"] if status else [])
        have = lines + ([f"[{got_status}]"] if got_status else [])
        for d in difflib.unified_diff(want, have, "expected", "actual",
                                      lineterm=""):
            print("# " + d)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
