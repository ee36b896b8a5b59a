#!/usr/bin/env python3
"""Runs the steps of action.yml here, as a GitHub runner would.

No runner is here, so this plays one for the composite action: each step's
`if:` and `${{ }}` expressions are evaluated (the few forms action.yml
uses: inputs, steps' outputs, github.action_path, ==, !=, &&, ||), each
`run:` runs in bash with GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STEP_SUMMARY,
RUNNER_TEMP, RUNNER_OS and RUNNER_ARCH set, and actions/cache is played by
a directory of zstd tar archives, keyed as the action keys them (restored
before, saved after the job, as the real one does). Three jobs run in the
example monorepo: a cold one (the cache is empty: sluice is built), a warm
one (restored from the cache, not built: the build step must not run),
and one per command (select: the outputs; run: the gate fails the step).
The warm job's time is printed: every step of the action but the
download of the cache.

Usage: action_steps.py SOURCE_ROOT. Prints TAP.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

RESULTS = []
NOTES = []


def report(ok, name, why=""):
    RESULTS.append((ok, name, why))


class Job:
    def __init__(self, root, action, tmp, cache_dir, inputs, workdir):
        self.root, self.action, self.tmp = root, action, tmp
        self.cache_dir = cache_dir
        self.workdir = workdir
        self.inputs = {k: str(v.get("default", ""))
                       for k, v in action["inputs"].items()}
        self.inputs.update(inputs)
        self.steps = {}
        self.path = []
        self.to_save = None
        self.home = os.path.join(tmp, "home")
        os.makedirs(self.home, exist_ok=True)
        self.runner_temp = tempfile.mkdtemp(dir=tmp, prefix="runner-")
        self.summary = os.path.join(self.runner_temp, "summary.md")
        self.ran = []

    def value(self, expr):
        expr = expr.strip()
        m = re.fullmatch(r"inputs\.([\w-]+)", expr)
        if m:
            return self.inputs.get(m.group(1), "")
        m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        if m:
            return self.steps.get(m.group(1), {}).get(m.group(2), "")
        if expr == "github.action_path":
            return self.root
        raise ValueError("expression this runner does not know: " + expr)

    def condition(self, text):
        """Evaluates an `if:` of ==, !=, &&, || over contexts and 'x'."""
        def operand(tok):
            tok = tok.strip()
            if tok.startswith("'"):
                return tok[1:-1]
            return self.value(tok)

        for alternative in text.split("||"):
            ok = True
            for term in alternative.split("&&"):
                m = re.fullmatch(r"\s*(.+?)\s*(==|!=)\s*(.+?)\s*", term)
                if not m:
                    raise ValueError("condition this runner does not "
                                     "know: " + term)
                a, op, b = operand(m.group(1)), m.group(2), \
                    operand(m.group(3))
                ok = ok and ((a == b) if op == "==" else (a != b))
            if ok:
                return True
        return False

    def expand(self, text):
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: self.value(m.group(1)),
                      str(text))

    def environment(self, step_env, outfile):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SLUICE_", "GITHUB_", "RUNNER_"))}
        env.update({
            "HOME": self.home,
            "RUNNER_TEMP": self.runner_temp, "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64", "GITHUB_OUTPUT": outfile,
            "GITHUB_PATH": os.path.join(self.runner_temp, "path"),
            "GITHUB_STEP_SUMMARY": self.summary,
            "GITHUB_ACTIONS": "true", "CI": "true",
        })
        if self.path:
            env["PATH"] = ":".join(self.path) + ":" + env["PATH"]
        for k, v in (step_env or {}).items():
            env[k] = self.expand(v)
        return env

    def cache_step(self, step):
        key = self.expand(step["with"]["key"])
        path = os.path.expanduser(step["with"]["path"].replace(
            "~", self.home, 1))
        archive = os.path.join(self.cache_dir, key + ".tar.zst")
        hit = os.path.exists(archive)
        if hit:
            os.makedirs(path, exist_ok=True)
            subprocess.run("zstd -q -d --long=30 -c '%s' | tar -xf - -C '%s'"
                           % (archive, path), shell=True, check=True)
        else:
            self.to_save = (archive, path)
        return {"cache-hit": "true" if hit else "false"}

    def run(self):
        for step in self.action["runs"]["steps"]:
            name = step.get("name", step.get("id", step.get("uses")))
            if "if" in step and not self.condition(step["if"]):
                continue
            self.ran.append(name)
            if "uses" in step:
                if not step["uses"].startswith("actions/cache@"):
                    raise ValueError("no player for " + step["uses"])
                self.steps[step.get("id", "")] = self.cache_step(step)
                continue
            outfile = os.path.join(self.runner_temp,
                                   "out-%d" % len(self.ran))
            open(outfile, "w").close()
            r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c",
                                self.expand(step["run"])],
                               cwd=self.workdir, capture_output=True,
                               text=True,
                               env=self.environment(step.get("env"),
                                                    outfile))
            outputs = {}
            for line in open(outfile).read().splitlines():
                if "=" in line:
                    k, v = line.split("=", 1)
                    outputs[k] = v
            if step.get("id"):
                self.steps[step["id"]] = outputs
            pathfile = os.path.join(self.runner_temp, "path")
            if os.path.exists(pathfile):
                self.path = [p for p in open(pathfile).read().split("\n")
                             if p][::-1]
            if r.returncode:
                return r.returncode, name, r.stdout + r.stderr
        if self.to_save:  # actions/cache saves at the end of the job
            archive, path = self.to_save
            os.makedirs(os.path.dirname(archive), exist_ok=True)
            subprocess.run("tar --posix -cf - -C '%s' . | zstd -q -T0 "
                           "--long=30 -o '%s'" % (path, archive),
                           shell=True, check=True)
        return 0, None, ""


def main():
    root = os.path.abspath(sys.argv[1])
    for key in list(os.environ):
        if key.startswith(("SLUICE_", "GITHUB_", "GITLAB_")):
            del os.environ[key]
    action = yaml.safe_load(open(os.path.join(root, "action.yml")))
    tmp = tempfile.mkdtemp(prefix="sluice-action-")
    try:
        repo = os.path.join(tmp, "example")
        subprocess.run([os.path.join(root, "fixtures", "example",
                                     "make-repo.sh"), repo], check=True,
                       capture_output=True)
        cache = os.path.join(tmp, "cache")

        start = time.monotonic()
        job = Job(root, action, tmp, cache, {}, repo)
        status, step, out = job.run()
        cold = time.monotonic() - start
        built = "Build and install sluice" in job.ran
        report(status == 0 and built, "cold: sluice is built and on PATH "
               "(%.1f s)" % cold, "step %s failed: %s" % (step, out[-800:])
               if status else "the build step did not run")
        archives = os.listdir(cache) if os.path.isdir(cache) else []
        report(len(archives) == 1, "cold: the install is saved in the "
               "cache under the action's key", str(archives))

        shutil.rmtree(os.path.join(tmp, "home"))  # a fresh runner
        start = time.monotonic()
        job = Job(root, action, tmp, cache, {}, repo)
        status, step, out = job.run()
        warm = time.monotonic() - start
        report(status == 0 and "Build and install sluice" not in job.ran
               and job.steps["cache"]["cache-hit"] == "true",
               "warm: restored from the cache, not built (%.2f s)" % warm,
               "ran %s; %s" % (job.ran, out[-800:]))
        NOTES.append("the action with a warm cache: %.2f s here (the "
                     "cache's download aside); cold: %.1f s" % (warm, cold))

        job = Job(root, action, tmp, cache, {"command": "select",
                                             "base": "main"}, repo)
        status, step, out = job.run()
        outputs = job.steps.get("select", {})
        try:
            gates = sorted(g["gate"] for g in
                           json.loads(outputs.get("matrix", "{}"))
                           ["include"])
        except ValueError:
            gates = []
        report(status == 0 and outputs.get("selected") == "true" and
               "web-checkout-smoke" in gates,
               "select: the matrix and selected outputs",
               "status %d, outputs %r" % (status, outputs))
        job = Job(root, action, tmp, cache, {"command": "select",
                                             "base": "HEAD"}, repo)
        status, step, out = job.run()
        outputs = job.steps.get("select", {})
        report(status == 0 and outputs.get("selected") == "false" and
               outputs.get("matrix") == '{"include":[]}',
               "select with nothing selected: selected is false",
               "status %d, outputs %r" % (status, outputs))

        job = Job(root, action, tmp, cache,
                  {"command": "run", "base": "main",
                   "json": os.path.join(tmp, "r.json")}, repo)
        status, step, out = job.run()
        summary = open(job.summary).read() if os.path.exists(
            job.summary) else ""
        report(status == 1 and step == "Run the selected gates" and
               os.path.exists(os.path.join(tmp, "r.json")) and
               "## sluice" in summary,
               "run: the failing gate fails the step; results and the "
               "step summary written",
               "status %d at %s: %s" % (status, step, out[-600:]))

        job = Job(root, action, tmp, cache, {"command": "bogus"}, repo)
        status, step, out = job.run()
        report(status == 2 and "command must be" in out,
               "an unknown command fails with a message", out[-300:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(RESULTS))
    for note in NOTES:
        print("# " + note)
    for n, (ok, name, why) in enumerate(RESULTS, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
        if why and not ok:
            print("  # " + why.strip().replace("\n", "\n  # "))
    return 0 if all(r[0] for r in RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
