#!/usr/bin/env python3
"""What of the Containerfile can be tested without a container engine.

No engine runs here, so the image itself is not built. What is tested:
the build stage's RUN, run as written but with its paths (/src, /build,
/install) moved into a temporary directory: the build-only dependencies
script, the release build and the install; that the final stage's COPY
finds what it copies; that the final stage's check (sluice --version,
git, ssh-keygen) passes with the installed binary first on PATH; and that
every package the final stage installs is a Debian package apt knows.

Usage: containerfile.py SOURCE_ROOT. Prints TAP.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def stages(text):
    """[(from_line, [instructions])], continuation lines joined."""
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.split("\n"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            out.append((line, []))
        elif out:
            out[-1][1].append(line)
    return out


def clean_environment():
    """A sluice run's gate runs these tests too (sluice.yml): the outer
    run's SLUICE_* variables (its base, its rules) must not reach the
    sluice these tests run, nor a CI system's variables."""
    for key in list(os.environ):
        if key.startswith(("SLUICE_", "GITHUB_", "GITLAB_")):
            del os.environ[key]


def main():
    clean_environment()
    root = os.path.abspath(sys.argv[1])
    text = open(os.path.join(root, "Containerfile")).read()
    parts = stages(text)
    results = []
    tmp = tempfile.mkdtemp(prefix="sluice-container-")
    try:
        build_runs = [i[4:] for i in parts[0][1] if i.startswith("RUN ")]
        moved = {"/src": root, "/build": os.path.join(tmp, "build"),
                 "/install": os.path.join(tmp, "install")}
        ok = True
        for cmd in build_runs:
            for old, new in moved.items():
                cmd = re.sub(r"(?<![\w/])%s(?=[/\s]|$)" % re.escape(old),
                             new, cmd)
            r = subprocess.run(["bash", "-c", cmd], capture_output=True,
                               text=True)
            ok = ok and r.returncode == 0
            results.append((r.returncode == 0,
                            "build stage: RUN %s" % cmd[:60],
                            (r.stderr or r.stdout)[-600:]))
        final = parts[-1][1]
        copy = [i for i in final if i.startswith("COPY --from=build ")]
        src = copy[0].split()[2] if copy else ""
        path = os.path.join(tmp, src.lstrip("/")) if src else ""
        results.append((bool(path) and os.path.isdir(path),
                        "final stage: COPY --from=build %s exists" % src,
                        ""))
        bindir = os.path.join(path, "bin")
        checks = [i[4:] for i in final if i.startswith("RUN sluice")]
        for cmd in checks:
            r = subprocess.run(["bash", "-c", cmd], capture_output=True,
                               text=True,
                               env=dict(os.environ, PATH=bindir + ":" +
                                        os.environ["PATH"]))
            results.append((r.returncode == 0 and "sluice" in r.stdout,
                            "final stage: RUN %s" % cmd[:50],
                            r.stdout[-300:] + r.stderr[-300:]))
        installs = " ".join(i for i in final if "apt-get install" in i)
        names = re.findall(r"--no-install-recommends\s+([^&]+)", installs)
        names = names[0].split() if names else []
        unknown = []
        for name in names:
            r = subprocess.run(["apt-cache", "show", name],
                               capture_output=True)
            if r.returncode:
                unknown.append(name)
        results.append((bool(names) and not unknown,
                        "final stage: apt knows %s" % " ".join(names),
                        "unknown: %s" % unknown if unknown else ""))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(results))
    for n, (ok, name, why) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
        if why and not ok:
            print("  # " + why.strip().replace("\n", "\n  # "))
    return 0 if all(r[0] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
