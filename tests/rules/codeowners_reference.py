#!/usr/bin/env python3
"""GitHub's CODEOWNERS rules, decided without sluice: the reference that
tests/rules/test_codeowners_exact.c holds `sluice import codeowners` to.

    codeowners_reference.py --paths FILE CODEOWNERS...

FILE holds the paths, NUL-separated; run it in the git work tree that holds
them. Prints one JSON document: for each CODEOWNERS file, a list with one
entry per path, in order: null when no line matches the path, else the
sorted owners of the last line that does ([] for a line without owners).

GitHub's rules, as docs/codeowners.md sets them down from
https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners
(written here from that page, not from sluice's code):

- A line is a pattern and then owners: @user, @org/team or an email
  address. A blank line, or one whose first word starts with '#', is a
  comment; a word that starts with '#' ends the line (an inline comment).
  Words are separated by blanks a backslash does not escape.
- The last matching line decides; a line without owners makes its paths
  owned by nobody. Paths are case-sensitive.
- GitHub skips, as invalid, a line whose pattern starts with '!' (no
  negation) or with '\\#' (no escaped '#'), or holds a '[' (no character
  ranges), and a line with a word in the owners' place that is none.
- A pattern means what it means in a .gitignore: pattern P matches path X
  when `git check-ignore --no-index` with P as its only pattern says X is
  ignored. Except that a pattern ending in "/*" matches only what it names,
  not the contents of a directory it names: "docs/*" takes docs/a.md, not
  docs/x/b.md. git is asked with P and then "!*/", which re-includes every
  directory, so that nothing matches through one.
"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile

HANDLE = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
OWNER = re.compile(r"@%s(/%s)?|[A-Za-z0-9.!#$%%&'*+/=?^_`{|}~-]+@"
                   r"[A-Za-z0-9-][A-Za-z0-9.-]*\.[A-Za-z0-9.-]*[A-Za-z0-9-]"
                   % (HANDLE, HANDLE))


def words(line):
    """Splits at blanks that a backslash does not escape."""
    out, cur, i = [], b"", 0
    while i < len(line):
        c = line[i:i + 1]
        if c == b"\\" and i + 1 < len(line):
            cur += line[i:i + 2]
            i += 2
            continue
        if c in (b" ", b"\t"):
            if cur:
                out.append(cur)
            cur = b""
        else:
            cur += c
        i += 1
    if cur:
        out.append(cur)
    return out


def unescaped_bracket(pattern):
    i = 0
    while i < len(pattern):
        if pattern[i:i + 1] == b"\\":
            i += 2
            continue
        if pattern[i:i + 1] == b"[":
            return True
        i += 1
    return False


def parse(data):
    """Returns [(pattern, owners)] for the lines GitHub keeps, in order."""
    rules = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for raw in data.split(b"\n"):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        w = words(raw)
        if not w or w[0].startswith(b"#"):
            continue
        pattern, owners = w[0], []
        for o in w[1:]:
            if o.startswith(b"#"):
                break
            owners.append(o.decode())
        if pattern.startswith(b"!") or pattern.startswith(b"\\#"):
            continue
        if unescaped_bracket(pattern):
            continue
        if not all(OWNER.fullmatch(o) for o in owners):
            continue
        rules.append((pattern, sorted(set(owners))))
    return rules


class Git:
    """Asks git which paths each pattern matches, a few processes at once."""

    def __init__(self, paths, tmp):
        self.paths = paths
        self.stdin = b"".join(p + b"\0" for p in paths)
        self.tmp = tmp
        self.cache = {}

    def ask(self, key, n):
        pattern, exact = key
        excludes = os.path.join(self.tmp, "excludes%d" % n)
        with open(excludes, "wb") as f:
            f.write(pattern + b"\n" + (b"!*/\n" if exact else b""))
        proc = subprocess.run(
            ["git", "-c", "core.excludesFile=" + excludes,
             "check-ignore", "--no-index", "--stdin", "-z"],
            input=self.stdin, stdout=subprocess.PIPE, check=False)
        if proc.returncode not in (0, 1):
            sys.exit("git check-ignore failed on %r" % pattern)
        return key, set(proc.stdout.split(b"\0")[:-1])

    def prefetch(self, patterns):
        keys = sorted({(p, p.endswith(b"/*")) for p in patterns} -
                      set(self.cache))
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for key, found in pool.map(self.ask, keys, range(len(keys))):
                self.cache[key] = found

    def matches(self, pattern):
        key = (pattern, pattern.endswith(b"/*"))
        if key not in self.cache:
            self.cache[key] = self.ask(key, 0)[1]
        return self.cache[key]


def owners(git, rules):
    result = [None] * len(git.paths)
    index = {p: i for i, p in enumerate(git.paths)}
    # Earlier lines first, so that the last matching line writes last.
    for pattern, who in rules:
        for path in git.matches(pattern):
            result[index[path]] = who
    return result


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[0] != "--paths":
        sys.exit(__doc__.split("\n\n")[1])
    with open(args[1], "rb") as f:
        paths = f.read().split(b"\0")[:-1]
    out = []
    files = []
    for name in args[2:]:
        with open(name, "rb") as f:
            files.append(parse(f.read()))
    with tempfile.TemporaryDirectory() as tmp:
        git = Git(paths, tmp)
        git.prefetch([p for rules in files for p, _ in rules])
        for rules in files:
            out.append(owners(git, rules))
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
