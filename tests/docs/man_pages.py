#!/usr/bin/env python3
"""The manual pages: each renders with man(1) without a warning, and each
command's page names every option its parser takes (the table `sluice
__complete options` prints), so that a new option cannot go undocumented.

Usage: man_pages.py SLUICE MAN_DIR SOURCE_ROOT. Prints TAP.
"""
import os
import re
import subprocess
import sys


def expand(path):
    out = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("%include "):
            name = line.split(None, 1)[1].strip()
            out.append(expand(os.path.join(os.path.dirname(path), name)))
        else:
            out.append(line)
    return "".join(out)


def words(sluice, *args):
    return subprocess.run([sluice, "__complete"] + list(args),
                          capture_output=True, text=True,
                          check=True).stdout.split()


def clean_environment():
    """A sluice run's gate runs these tests too (sluice.yml): the outer
    run's SLUICE_* variables (its base, its rules) must not reach the
    sluice these tests run, nor a CI system's variables."""
    for key in list(os.environ):
        if key.startswith(("SLUICE_", "GITHUB_", "GITLAB_")):
            del os.environ[key]


def main():
    clean_environment()
    sluice, man_dir, root = sys.argv[1:4]
    src = os.path.join(root, "docs", "man")
    pages = sorted(p for p in os.listdir(man_dir) if re.search(r"\.[15]$", p))
    results = []
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
    for page in pages:
        r = subprocess.run(["man", "--warnings", "-l",
                            os.path.join(man_dir, page)],
                           capture_output=True, text=True, env=env)
        why = ""
        if r.returncode or r.stderr.strip() or not r.stdout.strip():
            why = "man exited %d: %s" % (r.returncode, r.stderr.strip())
        results.append((not why, "%s renders without warnings" % page, why))
    commands = words(sluice, "commands")
    for cmd in commands:
        page = "sluice-%s.1" % cmd
        if page not in pages:
            results.append((False, "%s has a manual page" % cmd,
                            "no %s in %s" % (page, man_dir)))
            continue
        text = expand(os.path.join(src, page + ".scd"))
        opts = set(words(sluice, "options", cmd))
        if cmd == "override":
            for sub in words(sluice, "subcommands", "override"):
                opts |= set(words(sluice, "options", "override", sub))
        missing = sorted(o for o in opts
                         if not re.search(r"\*%s\*" % re.escape(o), text))
        results.append((not missing, "%s names every option" % page,
                        "missing: %s" % " ".join(missing) if missing
                        else ""))
    print("1..%d" % len(results))
    for n, (ok, name, why) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
        if why:
            print("  # " + why)
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
