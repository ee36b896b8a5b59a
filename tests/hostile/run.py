#!/usr/bin/env python3
"""Runs the catalogue of hostile inputs and faults (tests/hostile/cases/).

Each file cases/<category>.toml holds cases of one category, each a table
[[case]] with these keys (docs/testing.md says how to add one):

    name      unique within the file; what the case is, in a few words
    kind      "input" (a hostile input) or "fault" (something breaking)
    setup     bash run first in a fresh directory (lib.sh's helpers loaded,
              `set -e`): build the repository, plant the input, break things
    command   bash run next: the sluice command under test (lib.sh loaded)
    exit      the exit status the command must give
    message   a Python regular expression its stdout+stderr must contain
              (re.search, multi-line); a list: each must
    absent    optional: a regular expression the output must not contain
    unchanged paths (relative to the case's directory) whose bytes must be
              the same after the command as before it: a file's bytes, a
              symbolic link's target, a directory's whole tree
    requires  optional: "root" (the case is skipped, visibly, otherwise)
    timeout   optional: seconds the command may take (default 30)
    issue     optional: the issue whose defect the case holds

Every case also holds the principle of issue 12: no control byte other than
newline and tab reaches the output raw, whatever the input was.

Results are TAP, one test per case, named <category>/<name>. Arguments:
file names or category names to run only those; -k SUBSTRING to run only
matching cases. SLUICE_BIN is the sluice under test (a build of an older
commit shows which cases fail there). SLUICE_KEEP_SANDBOX=1 keeps each
case's directory.
"""
import concurrent.futures
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"name", "kind", "setup", "command", "exit", "message", "absent",
        "unchanged", "requires", "timeout", "issue"}
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def load(paths):
    cases = []
    for path in paths:
        category = os.path.splitext(os.path.basename(path))[0]
        with open(path, "rb") as f:
            doc = tomllib.load(f)
        names = set()
        for c in doc.get("case", []):
            unknown = set(c) - KEYS
            missing = {"name", "kind", "command", "exit", "message"} - set(c)
            if unknown or missing or c["kind"] not in ("input", "fault"):
                sys.exit(f"{path}: case {c.get('name')!r}: unknown keys "
                         f"{sorted(unknown)}, missing {sorted(missing)}, "
                         f"or a kind other than input/fault")
            if c["name"] in names:
                sys.exit(f"{path}: two cases named {c['name']!r}")
            names.add(c["name"])
            c["category"] = category
            cases.append(c)
    return cases


def snapshot(root, rel):
    """What `unchanged` compares: bytes, link targets, whole trees."""
    path = os.path.join(root, rel)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "absent"
    if stat.S_ISLNK(st.st_mode):
        return "link -> " + os.readlink(path)
    if stat.S_ISREG(st.st_mode):
        with open(path, "rb") as f:
            return "file %o %s" % (stat.S_IMODE(st.st_mode),
                                   hashlib.sha256(f.read()).hexdigest())
    if stat.S_ISDIR(st.st_mode):
        entries = sorted(os.listdir(path))
        return {e: snapshot(root, os.path.join(rel, e)) for e in entries}
    return "special %o" % st.st_mode


def environment(tmp):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLUICE_", "GIT_", "GITHUB_", "GITLAB_"))
           and k not in ("CI",)}
    binary = os.environ["SLUICE_BIN"]
    env.update({
        "PATH": os.path.dirname(binary) + os.pathsep + env.get("PATH", ""),
        "SLUICE_BIN": binary,
        "HOSTILE": HERE,
        "FIXTURES": os.path.join(os.environ["SLUICE_SOURCE_ROOT"],
                                 "fixtures"),
        "HOME": tmp,
        "XDG_CONFIG_HOME": tmp,
        "TMPDIR": tmp,
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


def bash(script, cwd, env, timeout):
    prelude = f'. "$HOSTILE/lib.sh"\n'
    return subprocess.run(
        ["/bin/bash", "--norc", "--noprofile", "-c", prelude + script],
        cwd=cwd, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
        start_new_session=True)


def run_case(c):
    """Returns (status: ok|fail|skip, lines of diagnosis)."""
    if c.get("requires") == "root" and os.geteuid() != 0:
        return "skip", ["needs root"]
    tmp = tempfile.mkdtemp(prefix="sluice-hostile-")
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    env = environment(tmp)
    why = []
    try:
        setup = c.get("setup", "")
        if setup:
            p = bash("set -e\n" + setup, work, env, 120)
            if p.returncode:
                return "fail", ["setup failed (%d):" % p.returncode] + \
                    p.stdout.decode(errors="replace").splitlines()[-20:]
        keep = c.get("unchanged", [])
        before = {rel: snapshot(work, rel) for rel in keep}
        try:
            p = bash(c["command"], work, env, c.get("timeout", 30))
        except subprocess.TimeoutExpired as e:
            return "fail", ["timed out after %ss" % e.timeout]
        out = p.stdout
        text = out.decode("utf-8", errors="backslashreplace")
        if p.returncode != c["exit"]:
            why.append("exit %d, expected %d" % (p.returncode, c["exit"]))
        messages = c["message"]
        for m in messages if isinstance(messages, list) else [messages]:
            if not re.search(m, text, re.M):
                why.append("no match for /%s/" % m)
        if c.get("absent") and re.search(c["absent"], text, re.M):
            why.append("output has /%s/" % c["absent"])
        raw = RAW_CONTROL.search(out)
        if raw:
            why.append("a raw control byte %r in the output, at %d" %
                       (raw.group(), raw.start()))
        for rel in keep:
            if snapshot(work, rel) != before[rel]:
                why.append("'%s' changed" % rel)
        if why:
            why += ["output:"] + text.splitlines()[-25:]
        return ("fail" if why else "ok"), why
    finally:
        if os.environ.get("SLUICE_KEEP_SANDBOX"):
            why.append("sandbox kept: " + tmp)
        else:
            subprocess.run(["chmod", "-R", "u+rwX", tmp],
                           stderr=subprocess.DEVNULL)
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    select, files, i = None, [], 0
    while i < len(argv):
        if argv[i] == "-k":
            select = argv[i + 1]
            i += 2
            continue
        a = argv[i]
        files.append(a if a.endswith(".toml")
                     else os.path.join(HERE, "cases", a + ".toml"))
        i += 1
    if not files:
        d = os.path.join(HERE, "cases")
        files = sorted(os.path.join(d, f) for f in os.listdir(d)
                       if f.endswith(".toml"))
    cases = [c for c in load(files)
             if not select or select in c["category"] + "/" + c["name"]]
    print("1..%d" % len(cases))
    jobs = int(os.environ.get("HOSTILE_JOBS", "2"))
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(run_case, cases))
    failed = 0
    for n, (c, (status, why)) in enumerate(zip(cases, results), 1):
        title = "%s/%s" % (c["category"], c["name"])
        if status == "skip":
            print("ok %d - %s # SKIP %s" % (n, title, why[0]))
            continue
        print("%s %d - %s" % ("ok" if status == "ok" else "not ok", n, title))
        if status != "ok":
            failed += 1
            for line in why:
                print("# " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
