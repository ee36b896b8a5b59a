#!/usr/bin/env python3
"""Holds docs/sluice.schema.json and sluice's rules loader to one language.

Every rules file the project has is run through both: the fixtures
(fixtures/rules/, valid/ and invalid/ under it), every sluice.yml example in
docs/*.md, the importer's output for fixtures/codeowners/CODEOWNERS and what
`sluice init` writes (its template, and from that CODEOWNERS file); and, for each valid file, copies with an unknown key
added to each mapping (top level, global, every lane, every gate). The
loader is the built binary (`sluice --rules FILE owners x`: exit 0 valid,
2 refused); the schema side is the editor's view: YAML 1.2's core schema
(as sluice and yaml-language-server read it), anchors and duplicate keys
refused, then the JSON Schema.

A file both accept, or both refuse, passes. Where they disagree the test
says which key or rule is missing where. An invalid fixture whose first
line is "# loader-only: WHY" holds a rule no JSON Schema can state (a
cycle, a name used twice across lanes): only the loader must refuse it.

Usage: schema_sync.py SLUICE SOURCE_ROOT. Prints TAP.
"""
import copy
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
    sys.exit(77 if os.environ.get("SLUICE_ALLOW_SKIP") else 1)


class CoreLoader(yaml.SafeLoader):
    """YAML 1.2 core schema, no anchors, no duplicate keys."""


CoreLoader.yaml_implicit_resolvers = {}
for tag, regexp, first in [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$",
     ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$",
     list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     list("-+.0123456789")),
]:
    CoreLoader.add_implicit_resolver(tag, re.compile(regexp), first)


def _int(loader, node):
    return int(loader.construct_scalar(node))


def _float(loader, node):
    text = loader.construct_scalar(node).lower()
    if text.lstrip("+-") == ".inf":
        return float(text.replace(".inf", "inf"))
    if text == ".nan":
        return float("nan")
    return float(text)


def _mapping(loader, node):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, (str, int, float, bool)):
            raise yaml.MarkedYAMLError(
                "", None, "a key must be a name", key_node.start_mark)
        if key in seen:
            raise yaml.MarkedYAMLError(
                "", None, "duplicate key %r" % key, key_node.start_mark)
        seen.add(key)
    # JSON object keys are strings: a plain `123:` or `true:` key is a
    # name to sluice, as it is to an editor's YAML-to-JSON view.
    return {_key_text(loader, k): loader.construct_object(v, deep=True)
            for k, v in node.value}


def _key_text(loader, key_node):
    if isinstance(key_node, yaml.ScalarNode):
        return key_node.value
    return str(loader.construct_object(key_node))


CoreLoader.add_constructor("tag:yaml.org,2002:int", _int)
CoreLoader.add_constructor("tag:yaml.org,2002:float", _float)
CoreLoader.add_constructor("tag:yaml.org,2002:map", _mapping)


def compose_no_anchors(text):
    """Refuses anchors, aliases and tags before anything is built."""
    for event in yaml.parse(text, Loader=CoreLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(
                event, "anchor", None) or getattr(event, "tag", None):
            mark = event.start_mark
            raise ValueError("line %d: anchors, aliases and tags are "
                             "refused" % (mark.line + 1))


def schema_verdict(validator, text):
    """None when the schema accepts text, else why not."""
    try:
        compose_no_anchors(text)
        doc = yaml.load(text, Loader=CoreLoader)
    except (yaml.YAMLError, ValueError) as e:
        return "YAML: %s" % str(e).replace("\n", " ")
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    if not errors:
        return None
    return "; ".join(describe(e) for e in errors[:3])


def describe(error):
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    if error.validator == "additionalProperties":
        extra = re.findall(r"'([^']*)' (?:was|were) unexpected",
                           error.message)
        return ("at %s: the schema has no key %s (add it to "
                "docs/sluice.schema.json if sluice takes it)"
                % (where, "'%s'" % extra[0] if extra else error.message))
    return "at %s: %s" % (where, error.message)


def loader_verdict(sluice, path):
    """None when sluice accepts the rules file at path, else its message."""
    r = subprocess.run([sluice, "--rules", path, "owners", "x"],
                       capture_output=True, text=True,
                       errors="replace", cwd=os.path.dirname(path))
    if r.returncode == 0:
        return None
    if r.returncode != 2:
        raise RuntimeError("sluice exited %d on %s: %s"
                           % (r.returncode, path, r.stderr.strip()))
    return r.stderr.strip()


def doc_examples(root):
    """(name, text, expect) for each rules example in docs/*.md."""
    top = {"version", "run_all_on", "lanes", "global", "unowned",
           "consumers", "ledger", "allowed_signers"}
    docs = os.path.join(root, "docs")
    for name in sorted(os.listdir(docs)):
        if not name.endswith(".md"):
            continue
        lines = open(os.path.join(docs, name), encoding="utf-8").read()
        lines = lines.split("\n")
        i = 0
        while i < len(lines):
            m = re.match(r"^(\s*)```ya?ml\s*$", lines[i])
            if not m:
                i += 1
                continue
            indent, start, body = len(m.group(1)), i + 1, []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i][indent:])
                i += 1
            text = "\n".join(body) + "\n"
            try:
                doc = yaml.load(text, Loader=CoreLoader)
            except yaml.YAMLError:
                doc = None
            first = body[0] if body else ""
            is_rules = ("sluice.yml" in first or
                        (isinstance(doc, dict) and doc and
                         ("version" in doc or "lanes" in doc or
                          "global" in doc)))
            if not is_rules or (isinstance(doc, dict) and not
                                set(doc) & top and "sluice.yml" not in first):
                continue
            if isinstance(doc, dict) and "version" not in doc:
                text = "version: 1\n" + text  # a fragment of a file
            expect = "invalid" if "# invalid" in first else "valid"
            yield "docs/%s:%d" % (name, start), text, expect


def init_outputs(sluice, root, tmp):
    """What `sluice init` writes: the template, and from a CODEOWNERS."""
    repo = os.path.join(tmp, "init-repo")
    subprocess.run(["git", "init", "-q", repo], check=True)
    for args, name in (
            (["--template"], "sluice init --template"),
            (["--codeowners", os.path.join(root, "fixtures", "codeowners",
                                           "CODEOWNERS")],
             "sluice init --codeowners fixtures/codeowners/CODEOWNERS")):
        r = subprocess.run([sluice, "init", "--stdout"] + args, cwd=repo,
                           capture_output=True, text=True)
        yield name, r.stdout if r.returncode == 0 else "", "valid"


def add_unknown_keys(text):
    """Copies of a valid file with an unknown key in one mapping each."""
    doc = yaml.load(text, Loader=CoreLoader)
    if not isinstance(doc, dict):
        return
    places = [()]
    for lane, body in (doc.get("lanes") or {}).items():
        places.append(("lanes", lane))
        for kind in ("gates", "smoke"):
            for gate in ((body or {}).get(kind) or {}):
                places.append(("lanes", lane, kind, gate))
    if isinstance(doc.get("global"), dict):
        places.append(("global",))
        for gate in doc["global"].get("gates") or {}:
            places.append(("global", "gates", gate))
    for place in places:
        mutated = copy.deepcopy(doc)
        node = mutated
        for p in place:
            if node.get(p) is None:
                node[p] = {}
            node = node[p]
        node["not_a_sluice_key"] = "x"
        yield "/".join(place) or "(top level)", json.dumps(mutated)


def clean_environment():
    """A sluice run's gate runs these tests too (sluice.yml): the outer
    run's SLUICE_* variables (its base, its rules) must not reach the
    sluice these tests run, nor a CI system's variables."""
    for key in list(os.environ):
        if key.startswith(("SLUICE_", "GITHUB_", "GITLAB_")):
            del os.environ[key]


# Where each key table of the loader (static const struct sl_field NAME[]
# in rules/*.c) lives in the schema. A new table needs a line here.
TABLES = {
    "top_fields": "properties",
    "global_fields": "properties/global/properties",
    "lane_fields": "definitions/lane/properties",
    "gate_fields": "definitions/gate/properties",
    "ws_fields": "definitions/workspace/properties",
}


def loader_keys(root):
    """(file, table, [keys]) of every key table of the loader."""
    rules = os.path.join(root, "rules")
    for name in sorted(os.listdir(rules)):
        if not name.endswith(".c"):
            continue
        text = open(os.path.join(rules, name), encoding="utf-8").read()
        for m in re.finditer(r"struct sl_field (\w+)\[\] = \{(.*?)\};",
                             text, re.S):
            yield ("rules/" + name, m.group(1),
                   re.findall(r'\{"([^"]+)",', m.group(2)))


def key_cases(root, schema):
    """One case per key table: every key the loader takes is in the
    schema, at the place of its table."""
    for path, table, keys in loader_keys(root):
        if table not in TABLES:
            yield ("%s: %s" % (path, table), False,
                   "the loader has a key table '%s' (%s: %s) that this "
                   "test does not know: add its keys to "
                   "docs/sluice.schema.json and the table to TABLES in "
                   "tests/docs/schema_sync.py" % (table, path,
                                                   ", ".join(keys)))
            continue
        node = schema
        for part in TABLES[table].split("/"):
            node = node.get(part, {})
        missing = [k for k in keys if k not in node]
        yield ("%s: %s, every key in the schema" % (path, table),
               not missing,
               "sluice takes %s but docs/sluice.schema.json has no %s at "
               "%s: add %s" % (", ".join("'%s'" % k for k in missing),
                               "key" if len(missing) == 1 else "keys",
                               TABLES[table],
                               "it" if len(missing) == 1 else "them"))


def main():
    clean_environment()
    sluice, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    schema = json.load(open(os.path.join(root, "docs",
                                         "sluice.schema.json")))
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    tmp = tempfile.mkdtemp(prefix="sluice-schema-")
    cases = []  # (name, text, expect: valid | invalid | loader-only)

    fixtures = os.path.join(root, "fixtures", "rules")
    for sub, default in (("", None), ("valid", "valid"),
                         ("invalid", "invalid")):
        d = os.path.join(fixtures, sub)
        for name in sorted(os.listdir(d)):
            if not name.endswith(".yml"):
                continue
            text = open(os.path.join(d, name), encoding="utf-8").read()
            expect = default
            if text.startswith("# loader-only:"):
                expect = "loader-only"
            cases.append(("fixtures/rules/%s%s" % (sub + "/" if sub else "",
                                                   name), text, expect))
    cases.extend(doc_examples(root))
    imported = subprocess.run(
        [sluice, "import", "codeowners",
         os.path.join(root, "fixtures", "codeowners", "CODEOWNERS")],
        capture_output=True, text=True)
    if imported.returncode == 0:
        cases.append(("import codeowners fixtures/codeowners/CODEOWNERS",
                      imported.stdout, "valid"))
    else:
        cases.append(("import codeowners", "", "valid"))
    cases.extend(init_outputs(sluice, root, tmp))
    for name, text, expect in list(cases):
        if expect == "valid" or (expect is None and "laughs" not in name):
            for where, mutated in add_unknown_keys(text):
                cases.append(("%s + unknown key at %s" % (name, where),
                              mutated, "invalid"))

    keys = list(key_cases(root, schema))
    print("1..%d" % (len(cases) + len(keys)))
    failed = 0
    for n, (name, text, expect) in enumerate(cases, 1):
        path = os.path.join(tmp, "case-%d.yml" % n)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        loader = loader_verdict(sluice, path)
        schema_says = schema_verdict(validator, text)
        problem = None
        if expect == "valid" and loader:
            problem = "sluice refuses an example meant to be valid: %s" % (
                loader)
        elif expect in ("invalid", "loader-only") and not loader:
            problem = "sluice accepts a file meant to be refused"
        elif expect == "loader-only":
            pass
        elif loader is None and schema_says:
            problem = ("sluice accepts it but the schema refuses it: %s"
                       % schema_says)
        elif loader and not schema_says:
            problem = ("sluice refuses it (%s) but the schema accepts it: "
                       "docs/sluice.schema.json lacks that rule (or, if no "
                       "schema can state it, start the fixture with "
                       "'# loader-only: WHY')" % loader)
        if problem:
            failed += 1
            print("not ok %d - %s" % (n, name))
            print("  # " + problem.replace("\n", "\n  # "))
        else:
            print("ok %d - %s (%s)" % (n, name,
                                       "valid" if not loader else "refused"))
    for n, (name, ok, why) in enumerate(keys, len(cases) + 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
        if not ok:
            failed += 1
            print("  # " + why)
    shutil.rmtree(tmp)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
