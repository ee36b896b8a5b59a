`sluice check`: the rules held against the tracked files of a commit, and
against a CODEOWNERS file; each finding with its severity and place; the
exit status (0 clean or warnings only, 1 errors or --strict warnings, 2
bad usage or rules, 3 no repository or commit); JSON for tools.

The example monorepo is clean: two notes (a pattern its own lane shadows,
and a documentation lane with no owners and no gates) fail nothing, even
with --strict.

  $ $FIXTURES/example/make-repo.sh example > /dev/null && cd example
  $ sluice check
  sluice.yml:27:13: note: pattern 'api/' of lane contracts decides no tracked file: later patterns of the same lane decide every file it matches (api/v1/billing.proto: sluice.yml:27:21 '*.proto'), so no file changes lane for it
  sluice.yml:63:3: note: lane docs has no owners and no gates: a change to its paths runs only the contract gates, as meant for documentation or a CODEOWNERS line with no owners
  note: 1 of 19 tracked files matches run_all_on: a change to it runs every gate of every kind, whichever lane owns it (no lane needs to: it is covered)
    toolchain/compiler.version
  checked sluice.yml against 19 tracked files of HEAD (ea2de0708794): 3 notes
  $ sluice check --strict > /dev/null
  $ cd ..

A repository with what check looks for: files no lane owns, a pattern
that matches nothing, one that a later lane shadows, a lane with no
gates, a run_all_on and a when pattern that match nothing, a gate no
change reaches.

  $ git init -q repo && cd repo
  $ mkdir -p src/core src/web docs tools
  $ for f in src/core/a.c src/core/b.h src/web/app.js docs/guide.md tools/gen.sh LICENSE; do echo x > $f; done
  $ cat > sluice.yml <<'EOF'
  > version: 1
  > run_all_on: ["meson.build"]
  > lanes:
  >   core:
  >     owners: ["@core"]
  >     paths: ["src/", "lib/"]
  >     gates:
  >       core-unit:
  >         run: make test
  >         when: ["src/core/**", "*.py"]
  >   web:
  >     owners: ["@web"]
  >     paths: ["src/web/"]
  >   docs:
  >     paths: ["*.md"]
  >   release:
  >     owners: ["@release"]
  >     paths: ["sluice.yml", "src/core/"]
  >     gates:
  >       release-check:
  >         run: make check
  >   ghost:
  >     owners: ["@ghost"]
  >     paths: ["old/"]
  >     gates:
  >       ghost-unit:
  >         run: make ghost
  > EOF
  $ git add -A && git commit -qm init

Text, one finding per line in file order, FILE:LINE:COL first, then the
unowned files and a summary. Warnings alone exit 0:

  $ sluice check
  sluice.yml:2:14: warning: run_all_on pattern 'meson.build' matches no tracked file; fix it, or remove it
  sluice.yml:6:13: warning: pattern 'src/' of lane core decides no tracked file: later patterns decide every file it matches (src/web/app.js: sluice.yml:13:13 'src/web/' of lane web); move it after them, or remove it
  sluice.yml:6:21: warning: pattern 'lib/' of lane core matches no tracked file; fix it, or remove it
  sluice.yml:8:7: warning: gate core-unit: lane core owns no tracked file, so no change selects it (only a run of every gate does); give the lane paths that match files
  sluice.yml:11:3: warning: lane web has no gates, and no lane that consumes it has a smoke gate: a change to its paths runs only the contract gates; give it a gate, or leave it so if that is meant
  sluice.yml:14:3: note: lane docs has no owners and no gates: a change to its paths runs only the contract gates, as meant for documentation or a CODEOWNERS line with no owners
  sluice.yml:24:13: warning: pattern 'old/' of lane ghost matches no tracked file; fix it, or remove it
  sluice.yml:26:7: warning: gate ghost-unit: lane ghost owns no tracked file, so no change selects it (only a run of every gate does); give the lane paths that match files
  warning: 2 of 7 tracked files are owned by no lane: a change to one runs every gate (unowned: run-all); add them to a lane's paths
    LICENSE
    tools/gen.sh
  checked sluice.yml against 7 tracked files of HEAD (9c862f1b6376): 8 warnings, 1 note

--strict makes the warnings fail:

  $ sluice check --strict | tail -n 1
  checked sluice.yml against 7 tracked files of HEAD (9c862f1b6376): 8 warnings, 1 note (--strict: warnings fail)
  $ sluice check --strict > /dev/null
  [1]

With `unowned: fail` an unowned file is an error, with or without --strict:

  $ sed 's/^run_all_on:.*/unowned: fail/' sluice.yml > ../fail.yml
  $ sluice --rules ../fail.yml check | grep -A3 'owned by no lane'
  error: 2 of 7 tracked files are owned by no lane: a change to one fails selection (unowned: fail); add them to a lane's paths
    LICENSE
    tools/gen.sh
  checked ../fail.yml against 7 tracked files of HEAD (9c862f1b6376): 1 error, 6 warnings, 1 note

JSON for tools lists every finding, every unowned file and the counts:

  $ sluice check --format json > ../check.json
  $ python3 -c 'import json; d = json.load(open("../check.json")); print(d["schema"], d["ok"], d["strict"], d["rev"], len(d["commit"])); print(d["counts"]); print([p["path"] for p in d["unowned"]]); print([(f["kind"], f["severity"], f["line"], f["pattern"], f["lane"], f["gate"]) for f in d["findings"]])'
  sluice.check/1 True False HEAD 40
  {'files': 7, 'unowned': 2, 'run_all': 0, 'inputs': 0, 'workspaces': 0, 'packages': 0, 'package_edges': 0, 'drift': 0, 'errors': 0, 'warnings': 8, 'notes': 1}
  ['LICENSE', 'tools/gen.sh']
  [('run_all_unmatched', 'warning', 2, 'meson.build', None, None), ('shadowed', 'warning', 6, 'src/', 'core', None), ('unmatched', 'warning', 6, 'lib/', 'core', None), ('gate_no_paths', 'warning', 8, None, 'core', 'core-unit'), ('lane_no_gates', 'warning', 11, None, 'web', None), ('lane_no_gates', 'note', 14, None, 'docs', None), ('unmatched', 'warning', 24, 'old/', 'ghost', None), ('gate_no_paths', 'warning', 26, None, 'ghost', 'ghost-unit'), ('unowned', 'warning', None, None, None, None)]
  $ python3 -c 'import json; d = json.load(open("../check.json")); f = [f for f in d["findings"] if f["kind"] == "shadowed"][0]; print(f["example"], f["decided_by"])'
  src/web/app.js sluice.yml:13:13
  $ sluice check --strict --format json | python3 -c 'import json, sys; print(json.load(sys.stdin)["ok"])'
  False

The text list stops at 50 files; JSON has them all:

  $ mkdir gen && for i in $(seq 1 60); do echo x > gen/f$i; done && git add gen && git commit -qm gen
  $ sluice check | grep -A1 -B1 'and 12 more'
    gen/f53
    ... and 12 more (--format json lists them all)
  checked sluice.yml against 67 tracked files of HEAD (dd8216ea485c): 8 warnings, 1 note
  $ sluice check --format json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["unowned"]))'
  62

--rev checks another commit's files (the working tree's rules still):

  $ sluice check --rev HEAD~1 | tail -n 1
  checked sluice.yml against 7 tracked files of HEAD~1 (9c862f1b6376): 8 warnings, 1 note
  $ sluice check --rev nope
  sluice: commit 'nope' not found: no such branch, tag or commit in this clone; fetch it (git fetch origin nope) or name another
  [3]
  $ git rm -rq gen && git commit -qm 'no gen'

A submodule is matched as a directory: 'ext/sdk/' owns it.

  $ git update-index --add --cacheinfo 160000,1111111111111111111111111111111111111111,ext/sdk && git commit -qm sub
  $ sluice check --format json | python3 -c 'import json, sys; print([p["path"] for p in json.load(sys.stdin)["unowned"]])'
  ['LICENSE', 'ext/sdk', 'tools/gen.sh']
  $ printf '  vendor:\n    owners: ["@vendor"]\n    paths: ["ext/sdk/"]\n' >> sluice.yml
  $ sluice check --format json | python3 -c 'import json, sys; print([p["path"] for p in json.load(sys.stdin)["unowned"]])'
  ['LICENSE', 'tools/gen.sh']

From a subdirectory, the rules are still the root's:

  $ cd src && sluice check | head -n 1 && cd ..
  ../sluice.yml:2:14: warning: run_all_on pattern 'meson.build' matches no tracked file; fix it, or remove it

Against a CODEOWNERS file that gives every file the same owners: owners
compare as sets, in any order and ASCII case, and a lane with no owners is
the same as no lane. No drift, so only the warnings above:

  $ cat > ../CODEOWNERS <<'EOF'
  > # the same ownership as sluice.yml, written by hand
  > /src/ @CORE
  > /src/web/ @web
  > *.md
  > /sluice.yml @release
  > /src/core/ @release
  > /old/ @ghost
  > /ext/sdk/ @vendor
  > EOF
  $ sluice check --codeowners ../CODEOWNERS | tail -n 1
  checked sluice.yml against 8 tracked files of HEAD (47b5560dcba6) and ../CODEOWNERS: 9 warnings, 1 note

Every tracked file whose owner set differs is listed, with the rule of each
side; drift is an error, and fails the check without --strict. A line the
host would skip is a warning at its line:

  $ sed -i 's|^/src/web/ @web|/src/web/ @web @design|; s|^\*\.md$|*.md @docs|' ../CODEOWNERS
  $ printf 'lib/[ab].c @x\n/tools/ @tools\n' >> ../CODEOWNERS
  $ sluice check --codeowners ../CODEOWNERS | grep -v '^sluice.yml'
  warning: 2 of 8 tracked files are owned by no lane: a change to one runs every gate (unowned: run-all); add them to a lane's paths
    LICENSE
    tools/gen.sh
  ../CODEOWNERS:9: warning: skipped 'lib/[ab].c': character ranges ('[ ]') do not work in GitHub's CODEOWNERS, which skips the line
  error: 3 of 8 tracked files have other owners in ../CODEOWNERS than in sluice.yml; change one file so that they agree
    docs/guide.md
      sluice.yml:15:13      (no owners)
      ../CODEOWNERS:4       @docs
    src/web/app.js
      sluice.yml:13:13      @web
      ../CODEOWNERS:3       @web @design
    tools/gen.sh
      sluice.yml (no rule)  (no owners)
      ../CODEOWNERS:10      @tools
  checked sluice.yml against 8 tracked files of HEAD (47b5560dcba6) and ../CODEOWNERS: 1 error, 10 warnings, 1 note
  $ sluice check --codeowners ../CODEOWNERS --format json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["codeowners"], d["codeowners_flavor"], d["ok"], d["counts"]["drift"]); print(d["drift"][0]); print(d["drift"][2])'
  ../CODEOWNERS github False 3
  {'path': 'docs/guide.md', 'rules': {'rule': 'sluice.yml:15:13', 'lane': 'docs', 'owners': []}, 'codeowners': {'rule': '../CODEOWNERS:4', 'owners': ['@docs']}}
  {'path': 'tools/gen.sh', 'rules': {'rule': None, 'lane': None, 'owners': []}, 'codeowners': {'rule': '../CODEOWNERS:10', 'owners': ['@tools']}}

A GitLab file (with [Section] headers) is read with GitLab's rules:

  $ printf '[Web]\n/src/web/ @web\n' > ../gitlab
  $ sluice check --codeowners ../gitlab --format json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["codeowners_flavor"], [x["path"] for x in d["drift"]])'
  gitlab ['ext/sdk', 'sluice.yml', 'src/core/a.c', 'src/core/b.h']

A CODEOWNERS file that cannot be read is an environment error; one that is
not text is refused:

  $ sluice check --codeowners ../missing
  sluice: cannot open '../missing': No such file or directory
  [3]
  $ printf 'a\0b\n' > ../binary && sluice check --codeowners ../binary
  sluice: ../binary holds a NUL byte; is it a CODEOWNERS file?
  [2]

Odd file names: a control byte, or a byte that is not UTF-8, is quoted as
git quotes it (never raw on a terminal); a name that is
not UTF-8 keeps its bytes in JSON (path_base64).

  $ cd .. && git init -q odd && cd odd
  $ printf 'version: 1\nlanes:\n  a:\n    paths: ["a/", "sluice.yml"]\n    gates:\n      t: {run: "true"}\n' > sluice.yml
  $ mkdir a && touch a/x "$(printf 'tab\tname')" "$(printf 'bad\377')" && git add -A && git commit -qm odd
  $ sluice check | grep -a -A2 'owned by no lane' | cat -v
  warning: 2 of 4 tracked files are owned by no lane: a change to one runs every gate (unowned: run-all); add them to a lane's paths
    "bad\377"
    "tab\tname"
  $ sluice check --format json | python3 -c 'import json, sys; print(json.load(sys.stdin)["unowned"])'
  [{'path': 'bad�', 'path_base64': 'YmFk/w=='}, {'path': 'tab\tname'}]
  $ cd ../repo

A broken rules file is reported alone, with its file, line and column:

  $ printf 'version: 1\nlanes:\n  a:\n    paths: ["[oops"]\n' > ../bad.yml
  $ sluice --rules ../bad.yml check
  sluice: ../bad.yml:4:13: pattern '[oops' has an unterminated '[' at offset 0; write '\[' for a literal '['
  [2]
  $ sluice --rules ../bad.yml check --codeowners ../missing
  sluice: ../bad.yml:4:13: pattern '[oops' has an unterminated '[' at offset 0; write '\[' for a literal '['
  [2]

Bad usage:

  $ sluice check --format xml
  sluice: check: unknown format 'xml'; use text or json
  [2]
  $ sluice check extra
  sluice: check: unexpected argument 'extra'; see 'sluice check --help'
  [2]
  $ sluice check --codeowners
  sluice: option '--codeowners' needs a value; see 'sluice check --help'
  [2]
  $ sluice check --help | head -n 2
  usage: sluice check [--strict] [--codeowners FILE] [--rev REV]
                      [--format text|json]

Outside a repository:

  $ cd "$(mktemp -d)" && sluice check
  sluice: not a git repository: '*'; run sluice inside a clone, or pass -C DIR (glob)
  [3]

Inside GitHub Actions each finding is also a workflow command, so that it
shows on the line of the rules file it is about (file relative to the
repository root, even from a subdirectory; '%', ':' and ',' escaped):

  $ cd "$(mktemp -d)" && git init -q && printf 'version: 1\nlanes:\n  a:\n    paths: ["nothing/", "x,y:%%"]\n' > sluice.yml && touch f && git add . && git -c user.email=a@b -c user.name=a commit -qm x
  $ mkdir sub && cd sub && GITHUB_ACTIONS=true sluice check | grep '^::'
  ::notice file=sluice.yml,line=3,col=3,title=sluice check::lane a has no owners and no gates* (glob)
  ::warning file=sluice.yml,line=4,col=13,title=sluice check::pattern 'nothing/' of lane a matches no tracked file; fix it, or remove it
  ::warning file=sluice.yml,line=4,col=25,title=sluice check::pattern 'x,y:%25' of lane a matches no tracked file; fix it, or remove it
  ::warning title=sluice check::2 of 2 tracked files are owned by no lane* (glob)
  $ sluice check | grep -c '^::'
  0
  [1]

A ledger shared through git (ledger: git:REF) with no allowed_signers is a
warning: anyone who may push the ref can record a decision in anyone's
name. Naming an allowed_signers file makes it go:

  $ cd "$(mktemp -d)" && git init -q && printf 'version: 1\nledger: git:refs/heads/sluice-ledger\nlanes:\n  a:\n    owners: ["@a"]\n    paths: ["*"]\n    gates: {u: {run: "true"}}\n' > sluice.yml && git add . && git -c user.email=a@b -c user.name=a commit -qm x
  $ sluice check
  sluice.yml:2:9: warning: the ledger is shared on refs/heads/sluice-ledger with no allowed_signers: anyone who may push that ref can record a decision in anyone's name; name an allowed_signers file so that decisions count only when signed
  checked sluice.yml against 1 tracked file of HEAD (*): 1 warning (glob)
  $ sluice check --strict > /dev/null
  [1]
  $ echo 'allowed_signers: .sluice/allowed_signers' >> sluice.yml && sluice check
  checked sluice.yml against 1 tracked file of HEAD (*): no findings (glob)

A file run_all_on matches is covered, not unowned, whether a lane owns
it or not: a change to it runs every gate, and check says so (a note,
listing them), even with `unowned: fail`. Selection and explain agree:
`unowned: fail` does not refuse a change to it, and explain says what it
selects.

  $ cd "$(mktemp -d)" && git init -q && mkdir src && touch src/a.c src/meson.build meson.build LICENSE
  $ printf 'version: 1\nunowned: fail\nrun_all_on: ["meson.build"]\nlanes:\n  src:\n    owners: ["@src"]\n    paths: ["src/"]\n    gates: {src-unit: {run: "true"}}\n' > sluice.yml
  $ git add . && git -c user.email=a@b -c user.name=a commit -qm x
  $ sluice check
  note: 2 of 5 tracked files match run_all_on: a change to one runs every gate of every kind, whichever lane owns them (no lane needs to: they are covered)
    meson.build
    src/meson.build
  error: 2 of 5 tracked files are owned by no lane: a change to one fails selection (unowned: fail); add them to a lane's paths
    LICENSE
    sluice.yml
  checked sluice.yml against 5 tracked files of HEAD (*): 1 error, 1 note (glob)
  [1]
  $ sluice check --format json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["counts"]["run_all"], d["counts"]["unowned"], [p["path"] for p in d["run_all"]], [f["kind"] for f in d["findings"]])'
  2 2 ['meson.build', 'src/meson.build'] ['run_all', 'unowned']
  $ sluice select --paths-from - --base HEAD <<'EOF2' | tail -n 4
  > meson.build
  > EOF2
    meson.build -> run_all_on 'meson.build' (sluice.yml@*:3) (glob)
  
  local gates
    src-unit  run-all: meson.build -> run_all_on 'meson.build' (sluice.yml@*:3) (glob)
  $ sluice explain --paths-from - --base HEAD meson.build src/meson.build LICENSE <<'EOF2'
  > meson.build
  > EOF2
  path meson.build
    run_all_on 'meson.build' (sluice.yml@*:3:14): a change to it runs every gate (glob)
    owned by no lane (covered by run_all_on)
    changed in this diff (modified)
  path src/meson.build
    run_all_on 'meson.build' (sluice.yml@*:3:14): a change to it runs every gate (glob)
    lane src, owners @src; decided by sluice.yml@*:7:13 'src/' (glob)
    not changed in this diff
  path LICENSE
    owned by no lane (unowned: fail)
    not changed in this diff
  $ sluice select --paths-from - --base HEAD <<'EOF2'
  > LICENSE
  > EOF2
  sluice: 'LICENSE' is owned by no lane and sluice.yml@* says 'unowned: fail'; add it to a lane's paths (glob)
  [1]

The lanes' consumes against the repository's own manifests, without
`workspaces:` in the rules: each npm, pnpm and Go workspace of the
commit is read (as blobs, not from the working tree), each package
belongs to the lane owning its manifest, and a dependency between two
lanes that selection does not follow is a warning when the dependent
lane has smoke gates (a change skips them), a note otherwise; a written
edge no manifest supports is a note.

  $ cd "$(mktemp -d)" && git init -q && mkdir -p packages/api packages/log packages/web go/svc go/lib tools/ui tools/kit
  $ echo '{"workspaces": ["packages/*"]}' > package.json
  $ echo '{"name": "@acme/api", "dependencies": {"@acme/log": "^1"}}' > packages/api/package.json
  $ echo '{"name": "@acme/log"}' > packages/log/package.json
  $ echo '{"name": "@acme/web", "devDependencies": {"@acme/api": "*"}}' > packages/web/package.json
  $ printf 'go 1.22\n\nuse (\n\t./go/svc\n\t./go/lib\n)\n' > go.work
  $ printf 'module example.com/svc\n\ngo 1.22\n\nrequire example.com/lib v0.0.0\n' > go/svc/go.mod
  $ printf 'module example.com/lib\n\ngo 1.22\n' > go/lib/go.mod
  $ printf 'packages:\n  - "*"\n' > tools/pnpm-workspace.yaml && echo '{"name": "tools"}' > tools/package.json
  $ echo '{"name": "ui", "dependencies": {"kit": "workspace:*"}}' > tools/ui/package.json && echo '{"name": "kit"}' > tools/kit/package.json
  $ cat > sluice.yml <<'EOF'
  > version: 1
  > lanes:
  >   log:
  >     paths: [packages/log/]
  >     gates: {log-unit: {run: "true"}}
  >   api:
  >     paths: [packages/api/]
  >     consumes: [log, web]
  >     gates: {api-unit: {run: "true"}}
  >   web:
  >     paths: [packages/web/]
  >     consumes: [log]
  >     gates: {web-unit: {run: "true"}}
  >     smoke: {web-smoke: {run: "true"}}
  >   svc:
  >     paths: [go/svc/]
  >     gates: {svc-unit: {run: "true"}}
  >   lib:
  >     paths: [go/lib/]
  >     gates: {lib-unit: {run: "true"}}
  >   ui:
  >     paths: [tools/ui/]
  >     gates: {ui-unit: {run: "true"}}
  >     smoke: {ui-smoke: {run: "true"}}
  >   kit:
  >     paths: [tools/kit/]
  >     gates: {kit-unit: {run: "true"}}
  >   root:
  >     paths: [/package.json, /go.work, /sluice.yml, /tools/*.*]
  > EOF
  $ git add -A && git -c user.email=a@b -c user.name=a commit -qm init
  $ sluice check
  sluice.yml:6:3: note: lane api consumes lane web, but no manifest of its packages depends on a package of web: remove web from its consumes unless something the manifests do not say ties them (an edge the packages do not need runs smoke gates for nothing)
  sluice.yml:10:3: warning: lane web does not consume lane api, but packages/web/package.json (lane web) depends on @acme/api (packages/api/package.json, lane api) in devDependencies: a change to api does not run the smoke gates of web; add api to the consumes of web
  sluice.yml:10:3: note: lane web consumes lane log, but no manifest of its packages depends on a package of log: remove log from its consumes unless something the manifests do not say ties them (an edge the packages do not need runs smoke gates for nothing)
  sluice.yml:15:3: note: lane svc does not consume lane lib, but go/svc/go.mod (lane svc) depends on example.com/lib (go/lib/go.mod, lane lib) in require: a change to lib would not run (once it has some) the smoke gates of svc; add lib to the consumes of svc
  sluice.yml:21:3: warning: lane ui does not consume lane kit, but tools/ui/package.json (lane ui) depends on kit (tools/kit/package.json, lane kit) in dependencies: a change to kit does not run the smoke gates of ui; add kit to the consumes of ui
  sluice.yml:24:13: warning: smoke gate ui-smoke: lane ui consumes no lane, so no change selects it (only a run of every gate does); add the lanes it tests to its consumes, or make it a local gate
  sluice.yml:28:3: note: lane root has no owners and no gates* (glob)
  checked sluice.yml against 12 tracked files of HEAD (*): 3 warnings, 4 notes (glob)
  $ sluice check --strict > /dev/null
  [1]
  $ sluice check --format json | python3 -c 'import json, sys; d = json.load(sys.stdin); c = d["counts"]; print(c["workspaces"], c["packages"], c["package_edges"]); print([(f["kind"], f["severity"], f["lane"]) for f in d["findings"] if f["kind"].startswith("consumes")])'
  3 7 4
  [('consumes_unsupported', 'note', 'api'), ('consumes_missing', 'warning', 'web'), ('consumes_unsupported', 'note', 'web'), ('consumes_missing', 'note', 'svc'), ('consumes_missing', 'warning', 'ui')]

The manifests are the commit's: an edit in the working tree changes
nothing until it is committed, and --rev checks another commit's.

  $ echo '{"name": "@acme/web"}' > packages/web/package.json
  $ sluice check | grep -c 'does not consume lane api'
  1
  $ git -c user.email=a@b -c user.name=a commit -qam 'web: no api'
  $ sluice check | grep -c 'does not consume lane api'
  0
  [1]
  $ sluice check --rev HEAD~1 | grep -c 'does not consume lane api'
  1

Written consumes that follow the manifests, through a chain as selection
does (consumers: transitive), leave nothing to say:

  $ git checkout -q HEAD~1 -- packages/web/package.json
  $ python3 - <<'EOF2'
  > import re
  > s = open("sluice.yml").read()
  > s = s.replace("consumes: [log, web]", "consumes: [log]")
  > s = s.replace("    paths: [packages/web/]\n    consumes: [log]", "    paths: [packages/web/]\n    consumes: [api]")
  > s = s.replace("    paths: [go/svc/]\n", "    paths: [go/svc/]\n    consumes: [lib]\n")
  > s = s.replace("    paths: [tools/ui/]\n", "    paths: [tools/ui/]\n    consumes: [kit]\n")
  > open("sluice.yml", "w").write(s)
  > EOF2
  $ git -c user.email=a@b -c user.name=a commit -qam 'consumes as the manifests say'
  $ sluice check
  sluice.yml:30:3: note: lane root has no owners and no gates* (glob)
  checked sluice.yml against 12 tracked files of HEAD (*): 1 note (glob)

A manifest that cannot be parsed is a warning naming it; the other
workspaces are still read:

  $ echo '{"name": "kit",' > tools/kit/package.json && git -c user.email=a@b -c user.name=a commit -qam broken
  $ sluice check | grep -v root
  warning: the pnpm workspace at tools could not be read, so its dependencies were not held against consumes: tools/kit/package.json@*: * (glob)
  checked sluice.yml against 12 tracked files of HEAD (*): 1 warning, 1 note (glob)
