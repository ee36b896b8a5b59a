#!/usr/bin/env python3
"""GitLab CI: docs/ci.md's examples and `select --format gitlab-ci`.

Everything is held against GitLab's own CI JSON Schema
(tests/fixtures/gitlab/ci.schema.json, see the README beside it), after
YAML is read as GitLab reads it (YAML 1.1 types, so a bare `true:` or
`123:` job name is a boolean or a number, which GitLab refuses). The child
pipelines sluice writes are also run: each job's script, in a fresh clone,
as a runner runs it (one bash, errexit and pipefail), and what the job
declares as artifacts must exist afterwards.

Usage: gitlab_ci.py SLUICE SOURCE_ROOT. Prints TAP.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

try:
    import jsonschema
except ImportError:
    print("1..0 # SKIP python3-jsonschema is not installed (.ci/deps "
          "installs it)")
    sys.exit(1)

RESULTS = []


def report(ok, name, why=""):
    RESULTS.append((ok, name, why))


def gitlab_yaml(text):
    """The document as GitLab's parser (Psych, YAML 1.1) types it."""
    return yaml.safe_load(text)


def check_config(validator, name, text, jobs=None):
    """Validates one pipeline; jobs, when given, is the names expected."""
    try:
        doc = gitlab_yaml(text)
    except yaml.YAMLError as e:
        report(False, name, "not YAML: %s" % e)
        return None
    problems = []
    if not isinstance(doc, dict):
        problems.append("not a mapping")
    else:
        odd = [k for k in doc if not isinstance(k, str)]
        if odd:
            problems.append("keys GitLab reads as %s, not job names: %r"
                            % (", ".join(sorted({type(k).__name__
                                                 for k in odd})), odd))
        # The schema sees text keys; the odd ones are reported above.
        for e in sorted(validator.iter_errors({str(k): v
                                               for k, v in doc.items()}),
                        key=lambda e: [str(p) for p in e.path])[:3]:
            where = "/".join(str(p) for p in e.absolute_path)
            problems.append("at %s: %s" % (where or "(top)",
                                           e.message[:300]))
        if jobs is not None:
            keywords = set(validator.schema["properties"])
            got = {k for k in doc if isinstance(k, str) and
                   k not in keywords and not k.startswith(".")}
            if got != set(jobs):
                problems.append("jobs %s, expected %s"
                                % (sorted(got), sorted(jobs)))
    report(not problems, name, "; ".join(problems))
    return doc


def doc_blocks(root):
    """(where, text) of each YAML block in a GitLab section of docs/ci.md."""
    path = os.path.join(root, "docs", "ci.md")
    lines = open(path, encoding="utf-8").read().split("\n")
    heads, i = {}, 0
    while i < len(lines):
        h = re.match(r"^(#{1,4}) ", lines[i])
        if h:
            level = len(h.group(1))
            heads = {k: v for k, v in heads.items() if k < level}
            heads[level] = lines[i]
        section = " / ".join(heads[k] for k in sorted(heads))
        m = re.match(r"^(\s*)```ya?ml\s*$", lines[i])
        if not m:
            i += 1
            continue
        start, body = i + 1, []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(m.group(1)):])
            i += 1
        if "gitlab" in section.lower() or "gitlab" in (body or [""])[0]:
            yield "docs/ci.md:%d" % start, "\n".join(body) + "\n"


def git(cwd, *args):
    subprocess.run(["git", "-C", cwd] + list(args), check=True,
                   capture_output=True)


def run_jobs(name, doc, repo, head, tmp, expect):
    """Runs each job's script in a fresh clone; expect: job -> status."""
    for job, body in doc.items():
        if not isinstance(body, dict) or "script" not in body:
            continue
        clone = os.path.join(tmp, "job-%d" % len(os.listdir(tmp)))
        subprocess.run(["git", "clone", "-q", repo, clone], check=True)
        git(clone, "checkout", "-q", head)
        script = "set -eo pipefail\n" + "\n".join(body["script"]) + "\n"
        r = subprocess.run(["bash", "-c", script], cwd=clone,
                           capture_output=True, text=True,
                           errors="replace")
        want = expect.get(job, 0)
        problems = []
        if r.returncode != want:
            problems.append("exit %d, expected %d: %s"
                            % (r.returncode, want,
                               (r.stderr or r.stdout)[-400:]))
        artifacts = body.get("artifacts") or {}
        reports = artifacts.get("reports") or {}
        for path in ([reports["junit"]] if "junit" in reports else []) + [
                p for p in artifacts.get("paths", [])]:
            if not os.path.exists(os.path.join(clone, path)):
                problems.append("artifact '%s' was not written" % path)
        report(not problems, "%s: job %s runs" % (name, job),
               "; ".join(problems))
        shutil.rmtree(clone)


def select(sluice, repo, *args):
    r = subprocess.run([sluice, "select", "--format", "gitlab-ci"] +
                       list(args), cwd=repo, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("select failed: %s" % r.stderr)
    return r.stdout


def head_of(repo):
    return subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"],
                          check=True, capture_output=True,
                          text=True).stdout.strip()


# Each command differs: identical gates of a lane would share one job.
KEYWORD_RULES = """version: 1
lanes:
  "123":
    paths: ["a/"]
    gates:
      default: {run: "exit 0"}
      variables: {run: "exit 0 # variables"}
      stages: {run: "exit 0 # stages"}
      workflow: {run: "exit 0 # workflow"}
      include: {run: "exit 0 # include"}
      image: {run: "exit 0 # image"}
      pages: {run: "exit 0 # pages"}
      "true": {run: "exit 0 # true"}
      "123": {run: "exit 0 # 123"}
"""


def keyword_repo(tmp):
    repo = os.path.join(tmp, "keywords")
    os.makedirs(os.path.join(repo, "a"))
    env = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.com",
           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.com"}
    env.update(os.environ)
    with open(os.path.join(repo, "sluice.yml"), "w") as f:
        f.write(KEYWORD_RULES)
    with open(os.path.join(repo, "a", "f"), "w") as f:
        f.write("1\n")
    for cmd in (["init", "-q", "-b", "main"], ["add", "."],
                ["commit", "-qm", "base"]):
        subprocess.run(["git", "-C", repo] + cmd, check=True, env=env)
    with open(os.path.join(repo, "a", "f"), "w") as f:
        f.write("2\n")
    subprocess.run(["git", "-C", repo, "commit", "-qam", "change"],
                   check=True, env=env)
    return repo


def clean_environment():
    """A sluice run's gate runs these tests too (sluice.yml): the outer
    run's SLUICE_* variables (its base, its rules) must not reach the
    sluice these tests run, nor a CI system's variables."""
    for key in list(os.environ):
        if key.startswith(("SLUICE_", "GITHUB_", "GITLAB_")):
            del os.environ[key]


def main():
    clean_environment()
    sluice, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.environ["PATH"] = (os.path.dirname(os.path.abspath(sluice)) +
                          os.pathsep + os.environ["PATH"])
    schema = json.load(open(os.path.join(root, "tests", "fixtures",
                                         "gitlab", "ci.schema.json")))
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    tmp = tempfile.mkdtemp(prefix="sluice-gitlab-")
    try:
        blocks = list(doc_blocks(root))
        if not blocks:
            report(False, "docs/ci.md", "no GitLab example found")
        for where, text in blocks:
            check_config(validator, where, text)

        repo = os.path.join(tmp, "example")
        subprocess.run([os.path.join(root, "fixtures", "example",
                                     "make-repo.sh"), repo], check=True,
                       capture_output=True)
        head = head_of(repo)
        text = select(sluice, repo)
        jobs = re.findall(r'^"(gate/[^"]+)":', text, re.M)
        doc = check_config(validator, "example: select --format gitlab-ci",
                           text, jobs)
        runs = os.path.join(tmp, "runs")
        os.mkdir(runs)
        if doc:
            run_jobs("example", doc, repo, head, runs,
                     {"gate/web-checkout-smoke": 1})
        text = select(sluice, repo, "--base", "HEAD")
        doc = check_config(validator, "nothing selected", text,
                           ["sluice-nothing-selected"])
        if doc:
            run_jobs("nothing selected", doc, repo, head, runs, {})

        repo = keyword_repo(tmp)
        text = select(sluice, repo, "--base", "HEAD~1")
        names = ["default", "variables", "stages", "workflow", "include",
                 "image", "pages", "true", "123"]
        doc = check_config(validator, "gates named like GitLab keywords",
                           text, ["gate/" + n for n in names])
        if doc:
            run_jobs("keywords", doc, repo, head_of(repo), runs, {})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("1..%d" % len(RESULTS))
    for n, (ok, name, why) in enumerate(RESULTS, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
        if why:
            print("  # " + why.replace("\n", "\n  # "))
    return 0 if all(ok for ok, _, _ in RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
