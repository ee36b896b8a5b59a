#!/usr/bin/env python3
"""What the documentation says twice must say the same (issue 12): where
`sluice run` puts logs (`run --help`, its manual page, docs/running.md), and
repro's exit status (`repro --help`, its manual page, docs/running.md).

Usage: agree.py SLUICE SOURCE_ROOT. Prints TAP.
"""
import os
import re
import subprocess
import sys


def read(root, *path):
    with open(os.path.join(root, *path), encoding="utf-8") as f:
        return f.read()


def section(text, title):
    m = re.search(r"^#+ " + re.escape(title) + r".*?$(.*?)(?=^#+ |\Z)",
                  text, re.M | re.S)
    return m.group(1) if m else ""


def codes(text):
    """The exit statuses a text gives: `0`, *1*, 130 ... as words."""
    return sorted({int(c) for c in re.findall(r"[`*](\d{1,3})[`*]", text)})


def main():
    sluice, root = sys.argv[1:3]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLUICE_", "GITHUB_", "GITLAB_"))}
    run_help = subprocess.run([sluice, "run", "--help"], env=env,
                              capture_output=True, text=True).stdout
    repro_help = subprocess.run([sluice, "repro", "--help"], env=env,
                                capture_output=True, text=True).stdout
    running = read(root, "docs", "running.md")
    checks = []

    m = re.search(r"--logs DIR\s+where gate logs go \(default: ([^)]+)\)",
                  run_help)
    default = m.group(1) if m else None
    logs = section(running, "Logs")
    checks.append(("run --help names the default logs directory",
                   default is not None))
    checks.append(("docs/running.md's Logs names the same default (%s)"
                   % default, bool(default) and ("`%s`" % default) in logs))
    checks.append(("docs/running.md's Logs does not send them to $TMPDIR",
                   "$TMPDIR" not in logs))
    man = read(root, "docs", "man", "sluice-run.1.scd")
    checks.append(("sluice-run(1) names the same default",
                   bool(default) and default.replace("RUN-ID", "") in
                   man.replace("*", "").replace("_", "")))

    help_codes = codes(re.sub(r"(\d+)", r"`\1`", section_of_help(repro_help)))
    doc_codes = codes(section(running, "Reproducing a gate"))
    man_codes = codes(section(read(root, "docs", "man",
                                   "sluice-repro.1.scd"), "EXIT STATUS"))
    checks.append(("repro --help gives its exit statuses (%s)" % help_codes,
                   help_codes == [0, 1, 2, 3, 130]))
    checks.append(("docs/running.md gives repro the same (%s)" % doc_codes,
                   doc_codes == help_codes))
    checks.append(("sluice-repro(1) gives the same (%s)" % man_codes,
                   man_codes == help_codes))
    print("1..%d" % len(checks))
    for i, (what, ok) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, what))
    return 0 if all(ok for _, ok in checks) else 1


def section_of_help(text):
    m = re.search(r"Exit status:(.*?)(?:\n\n|\Z)", text, re.S)
    return m.group(1) if m else ""


if __name__ == "__main__":
    sys.exit(main())
