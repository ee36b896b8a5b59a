Workspaces in selection (SPEC.md §7, docs/workspaces.md): lanes derived
from the manifests at the trusted commit, read as blobs (never the work
tree), lockfiles compared by content, entries selecting the lanes whose
closures hold them, the head's manifests taking part when it changes them,
and a lockfile that cannot be compared selecting every lane.

  $ commit() { git add -A && git commit -qm "$1"; }
  $ gates() { sluice select --format json "$@" | python3 -c '
  > import json, sys
  > d = json.load(sys.stdin)
  > print(" ".join(sorted(g["name"] for g in d["gates"])) or "(none)")'; }

npm: three packages, web and cli depending on core. The lanes and edges
come from the package.json files; the gates from the templates.

  $ git init -q -b main npm && cd npm
  $ cp -R "$FIXTURES/workspaces/npm/." . && rm -f closures.* lock.v2.* && mv lock.v3.a.json package-lock.json
  $ rm -f lock.v3.b.json
  $ cat > sluice.yml <<'YML'
  > version: 1
  > unowned: global-only
  > run_all_on: [package-lock.json]
  > workspaces:
  >   - kind: npm
  >     gates:
  >       "{lane}-unit": {run: "npm test -w {path}"}
  >     smoke:
  >       "{lane}-smoke": {run: "npm run smoke -w {path}"}
  > YML
  $ commit init
  $ sluice select --format json | python3 -c '
  > import json, sys
  > d = json.load(sys.stdin)
  > print(sorted(g["name"] for g in d["not_selected"]))'
  \['.*-unit'.*\] (re)

A dependency update in the lockfile (express 4.18.2 -> 4.19.2, as npm
wrote it) selects the lanes whose closure holds the changed entries, each
entry named, and not run_all_on: only what no package holds would be.

  $ git checkout -q -b bump && cp "$FIXTURES/workspaces/npm/lock.v3.b.json" package-lock.json && commit bump
  $ sluice select | grep -E 'express 4.18.2 -> 4.19.2' | head -n 1 | sed 's/  */ /g'
   web-unit package-lock.json (apps/web 1.0.0 changed; node_modules/body-parser 1.20.1 -> 1.20.2; node_modules/cookie 0.5.0 -> 0.6.0; node_modules/express 4.18.2 -> 4.19.2; node_modules/raw-body 2.5.1 -> 2.5.2) -> lane web
  $ sluice select | grep -c 'run-all'; true
  0
  $ gates
  .*web-unit.* (re)

Read from pack files, as in a clone (selector/packs.c, libgit2 for the
rest), the manifests and lockfiles select the same gates with the same
reasons as from loose objects.

  $ sluice select > ../loose && git repack -adq && sluice select > ../packed && cmp ../loose ../packed && echo same && ls .git/objects/pack/*.pack | wc -l
  same
  1

The working tree is never read for the manifests: a package.json edited on
disk (not committed) changes nothing.

  $ echo '{"name": "@fx/web", "dependencies": {"@fx/nothing": "1"}' > apps/web/package.json
  $ gates > ../with-edit && git checkout -q apps/web/package.json && gates > ../without && cmp ../with-edit ../without && echo same
  same

With --worktree the head is the work tree, and a package it adds (not
committed, not even in the index) is found as it will be once committed,
so that a developer sees what CI will select (it was owned by no lane).
A package.json under node_modules, in a hidden directory or deeper than
the glob reaches is no package there, as in a commit:

  $ mkdir -p packages/new/src packages/new/node_modules/dep packages/new/.cache packages/new/deep
  $ echo '{"name": "@acme/new", "dependencies": {"@acme/core": "1"}}' > packages/new/package.json
  $ echo 'export {}' > packages/new/src/index.js
  $ for d in node_modules/dep .cache deep; do echo '{"name": "nested"}' > packages/new/$d/package.json; done
  $ gates --worktree --base HEAD
  new-unit
  $ sluice explain --worktree --base HEAD packages/new/deep/package.json | sed -n 3p
    head rules: lane new, no owners; decided by sluice.yml@*:5:5 '/packages/new/' (derived from packages/new/package.json) (glob)
  $ git add -A && git commit -qm new && gates --base HEAD~1
  new-unit
  $ git reset -q --hard HEAD~1 && git status --short

A lockfile that is not JSON leaves its path changed (here run_all_on
runs everything) and selects every lane of the workspace, saying why: the
same rules without run_all_on show it (--rules: trusted as they are, the
manifests still read at the merge-base).

  $ git checkout -q main && git checkout -q -b broken && echo '{oops' > package-lock.json && commit broken
  $ sluice select | grep -c 'run_all_on'
  [1-9][0-9]* (re)
  $ grep -v run_all_on sluice.yml > ../plain.yml
  $ sluice select --rules ../plain.yml | grep -m1 'cannot be compared' | sed 's/  */ /g'
   .*-unit package-lock.json \(cannot be compared, so every lane of its workspace: package-lock.json@[0-9a-f]{12}:1:2: not valid JSON.*\) -> lane .* (re)
  $ sluice select --rules ../plain.yml --format json | python3 -c '
  > import json, sys
  > d = json.load(sys.stdin)
  > print(len([g for g in d["gates"] if g["name"].endswith("-unit")]), "of", len([g for g in d["gates"] + d["not_selected"] if g["name"].endswith("-unit")]))'
  4 of 4

A lockfile of a version sluice does not know: the same, saying so.

  $ git checkout -q main && git checkout -q -b v9 && python3 -c '
  > import json, sys; d = json.load(sys.stdin); d["lockfileVersion"] = 9; print(json.dumps(d))' < package-lock.json > ../v9 && mv ../v9 package-lock.json && commit v9
  $ sluice select --rules ../plain.yml | grep -m1 -o 'cannot be compared[^)]*' | grep -c 'lockfileVersion'
  1

The head changes a manifest: the head's manifests take part (the union),
so a package the head adds has its gates selected, its reasons saying the
head's manifests selected them.

  $ git checkout -q main && git checkout -q -b newpkg && mkdir -p packages/extra && echo '{"name": "@acme/extra", "dependencies": {"@acme/core": "*"}}' > packages/extra/package.json && commit newpkg
  $ sluice select | grep -E '^  (extra|core)' | sed 's/  */ /g'
   extra-unit head manifests: packages/extra/package.json -> lane extra
   core-unit no changed path is owned by lane core
   core-smoke lane core consumes no lane
   extra-smoke head manifests: no lane upstream of extra changed (upstream: core)
  $ cd ..

pnpm: the lockfile of pnpm 9 and the one pnpm wrote after an update.

  $ git init -q -b main pnpm && cd pnpm
  $ cp -R "$FIXTURES/workspaces/pnpm/." . && rm -f closures.* lock.pnpm8.* && mv lock.pnpm9.a.yaml pnpm-lock.yaml && rm lock.pnpm9.b.yaml
  $ printf 'version: 1\nunowned: global-only\nworkspaces:\n  - kind: pnpm\n    gates:\n      "{lane}-unit": {run: "pnpm -F {name} test"}\n' > sluice.yml && commit init
  $ git checkout -q -b bump && cp "$FIXTURES/workspaces/pnpm/lock.pnpm9.b.yaml" pnpm-lock.yaml && commit bump
  $ sluice select | grep -c 'pnpm-lock.yaml (.* -> .*) -> lane'
  [1-9][0-9]* (re)
  $ echo 'lockfileVersion: 3.0' > pnpm-lock.yaml && commit old
  $ sluice select | grep -m1 -o 'cannot be compared, so every lane of its workspace: pnpm-lock.yaml@[0-9a-f]*'
  cannot be compared, so every lane of its workspace: pnpm-lock.yaml@[0-9a-f]{12} (re)

With the lockfile in run_all_on, a change of the root's own dependencies
runs everything, the reason said once though the change also edits a
manifest (the head's derivation gives the same reason as the trusted
one's); and a lockfile that cannot be compared says why.

  $ git checkout -q -b root-dep bump~1
  $ printf 'run_all_on: [pnpm-lock.yaml]\n' >> sluice.yml && commit run-all-on
  $ sed -i 's/^  left-pad@1.3.0:/  left-pad@1.3.1:/; s/^        version: 1.3.0$/        version: 1.3.1/' pnpm-lock.yaml
  $ sed -i 's/"name"/"description": "x", "name"/' packages/util/package.json && commit root-dep
  $ sluice select --base HEAD~1 | sed -n '/^run-all/,/^$/p' | sed 's/@[0-9a-f]\{12\}//g'
  run-all: every gate runs
    pnpm-lock.yaml (left-pad 1.3.0 -> 1.3.1; importers/. changed) -> run_all_on 'pnpm-lock.yaml' (sluice.yml:7)
  
  $ echo 'lockfileVersion: 3.0' > pnpm-lock.yaml && commit old-and-manifest
  $ sluice select --base HEAD~1 | sed -n '/^run-all/,/^$/p' | sed 's/@[0-9a-f]\{12\}//g'
  run-all: every gate runs
    pnpm-lock.yaml (cannot be compared, so every lane of its workspace: pnpm-lock.yaml: lockfileVersion '3.0' is not one sluice reads (6.x and 9.x, pnpm 8 to 11); run 'pnpm install' with one of those to rewrite it) -> run_all_on 'pnpm-lock.yaml' (sluice.yml:7)
  

pnpm 11 (or a pnpm that pins itself) writes two YAML documents: the
environment (pnpm itself, as packageManagerDependencies) opening on
'---', then the workspace's lockfile. Upgrading pnpm belongs to no
package: it selects no lane, and run_all_on names the entries.

  $ git checkout -q -b pin bump~1
  $ printf 'run_all_on: [pnpm-lock.yaml]\n' >> sluice.yml && commit run-all-on
  $ env_doc() { printf -- "---\nlockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    configDependencies: {}\n    packageManagerDependencies:\n      pnpm:\n        specifier: $1\n        version: $1\n\npackages:\n\n  pnpm@$1:\n    resolution: {integrity: sha512-$1}\n\nsnapshots:\n\n  pnpm@$1: {}\n\n---\n"; }
  $ { env_doc 11.1.0; cat "$FIXTURES/workspaces/pnpm/lock.pnpm9.b.yaml"; } > pnpm-lock.yaml && commit pin
  $ sluice select --base HEAD~1 | sed -n '/^run-all/,/^$/p' | sed 's/@[0-9a-f]\{12\}//g'
  run-all: every gate runs
    pnpm-lock.yaml (environment: pnpm@11.1.0 added; environment: importers/. added) -> run_all_on 'pnpm-lock.yaml' (sluice.yml:7)
  
  $ { env_doc 11.1.0; cat "$FIXTURES/workspaces/pnpm/lock.pnpm9.a.yaml"; } > pnpm-lock.yaml && commit downgrade
  $ sluice select --base HEAD~1 | grep -c run-all; sluice select --base HEAD~1 | grep 'web-unit' | sed 's/  */ /g'
  0
   web-unit pnpm-lock.yaml (body-parser 1.20.2 -> 1.20.1; cookie 0.6.0 -> 0.5.0; express 4.19.2 -> 4.18.2; raw-body 2.5.2 -> 2.5.1; importers/apps/web changed) -> lane web
  $ cd ..

Go: a go.work of two modules, worker requiring api through a replace.
A go.sum change selects the modules whose build loads the module.

  $ git init -q -b main go && cd go && mkdir api worker
  $ printf 'go 1.22\n\nuse (\n\t./api\n\t./worker\n)\n' > go.work
  $ printf 'module example.com/api\n\ngo 1.22\n\nrequire golang.org/x/net v0.20.0\n' > api/go.mod
  $ printf 'golang.org/x/net v0.20.0 h1:aaa=\ngolang.org/x/net v0.20.0/go.mod h1:bbb=\n' > api/go.sum
  $ printf 'module example.com/worker\n\ngo 1.22\n\nrequire (\n\texample.com/api v0.0.0\n\tgithub.com/segmentio/kafka-go v0.4.47\n)\n\nreplace example.com/api => ../api\n' > worker/go.mod
  $ printf 'github.com/segmentio/kafka-go v0.4.47 h1:ccc=\ngithub.com/segmentio/kafka-go v0.4.47/go.mod h1:ddd=\ngolang.org/x/net v0.20.0 h1:aaa=\ngolang.org/x/net v0.20.0/go.mod h1:bbb=\n' > worker/go.sum
  $ printf 'version: 1\nunowned: global-only\nworkspaces:\n  - kind: go\n    gates:\n      "{lane}-test": {run: "go test ./...", cwd: "{path}"}\n    smoke:\n      "{lane}-smoke": {run: "go vet ./...", cwd: "{path}"}\n' > sluice.yml
  $ touch api/a.go worker/w.go && commit init
  $ git checkout -q -b net && sed -i 's/v0.20.0/v0.21.0/' api/go.mod api/go.sum && commit net
  $ sluice select | grep 'worker-test' | sed 's/  */ /g'
   worker-test api/go.mod (golang.org/x/net v0.20.0 -> v0.21.0) -> lane worker
  $ gates
  api-test worker-smoke worker-test
  $ git checkout -q main && git checkout -q -b kafka && sed -i 's/v0.4.47/v0.4.48/' worker/go.sum && commit kafka
  $ gates
  worker-test
  $ cd ..

explain shows the derivation (which manifest gave which lane and edge, at
which commit) and which lockfile entries selected which lane; a path of a
derived lane names the manifest it was derived from.

  $ cd npm && git checkout -q bump
  $ sluice explain | sed -n '/^workspace/,/^gate/p' | sed '$d' | sed "s/$(git rev-parse --short=12 main)/<mb>/g"
  workspace npm at . (sluice.yml@<mb>:5): 4 lanes, 3 edges, from the manifests at <mb>
    lane web <- apps/web/package.json (web); consumes util (dependencies)
    lane core <- packages/core/package.json (@acme/core)
    lane util <- packages/util/package.json (@acme/util); consumes core (dependencies)
    lane gen <- tools/gen/package.json (@acme/gen); consumes web (devDependencies)
  lockfile package-lock.json: 5 entries changed
    lane web: apps/web 1.0.0 changed
    lane web: node_modules/body-parser 1.20.1 -> 1.20.2
    lane web: node_modules/cookie 0.5.0 -> 0.6.0
    lane web: node_modules/express 4.18.2 -> 4.19.2
    lane web: node_modules/raw-body 2.5.1 -> 2.5.2
  $ sluice explain apps/web/src/x.ts | sed -n 2p | sed "s/$(git rev-parse --short=12 main)/<mb>/g"
    lane web, no owners; decided by sluice.yml@<mb>:5:5 '/apps/web/' (derived from apps/web/package.json)

check derives the lanes from the checked commit's manifests (their files
are owned), notes each workspace's lanes and edges, and warns where a
written consumes contradicts the manifests.

  $ git checkout -q main && printf 'lanes:\n  core:\n    consumes: [web]\n' >> sluice.yml
  $ sluice check | grep -E 'workspace|consumes|apps/web'
  sluice.yml:5:5: note: workspace npm at . derives 4 lanes and 3 edges from its manifests: web, core, util, gen
  sluice.yml:11:3: warning: lane 'core' consumes 'web' as written, but packages/core/package.json does not depend on web's package: add the dependency to the manifest, or remove 'web' from consumes
  $ sluice check --format json | python3 -c '
  > import json, sys
  > d = json.load(sys.stdin)
  > print(sorted(f["kind"] for f in d["findings"] if f["kind"] in ("workspace", "consumes_contradicts")))'
  ['consumes_contradicts', 'workspace']
  $ git checkout -q sluice.yml

sluice init writes a workspaces entry from the manifests committed at
HEAD (before any CODEOWNERS file), and check passes on it.

  $ sluice init --stdout | sed -n '/^run_all_on/,$p'
  run_all_on: [/package-lock.json]
  
  workspaces:
    # package.json: 4 packages and 3 internal dependencies today
    - kind: npm
      root: .
      # owners: ["@your-team"]
      gates:
        "{lane}-test": {run: "npm test -w {path}"}
      # smoke gates run when a package a lane consumes changes:
      # smoke:
      #   "{lane}-smoke": {run: "npm run test:smoke -w {path}"}
  $ sluice init -o ../init.yml
  sluice: wrote ../init.yml from package.json; next: add gates to its lanes, then 'sluice check'
  $ sluice check --rules ../init.yml > /dev/null && echo check passes
  check passes

The lockfile is anchored at the root: a test fixture's own lockfile
(npm/cli has 95) is a file of its package, not a reason to run all; the
workspace's lockfile still is, for what no package accounts for.

  $ mkdir -p apps/web/test/fixture && echo '{}' > apps/web/test/fixture/package-lock.json && git add apps && git commit -qm fixture
  $ sluice select --rules ../init.yml --base HEAD~1 | grep -c 'run-all'; true
  0
  $ git reset -q --hard HEAD~1
  $ sed -i 's/"version": "1.3.0",/"version": "1.3.1",/' package-lock.json && git commit -qam root-dep
  $ sluice select --rules ../init.yml --base HEAD~1 | grep -m1 'run_all_on' | sed 's/  */ /g'
   package-lock.json (node_modules/left-pad 1.3.0 -> 1.3.1) -> run_all_on '/package-lock.json' (../init.yml:16)
  $ git reset -q --hard HEAD~1

A pnpm-workspace.yaml of settings alone (pnpm 10 keeps them there) has
no packages: the workspace is the root alone, and init goes on to the
npm workspaces package.json names.

  $ printf 'onlyBuiltDependencies: [esbuild]\n' > pnpm-workspace.yaml && git add pnpm-workspace.yaml && git commit -qm settings
  $ sluice init --stdout | grep -E '^  - kind|^run_all_on'
  run_all_on: [/package-lock.json]
    - kind: npm
  $ git reset -q --hard HEAD~1

A go.work with no go.work.sum (the go command writes one only when it
needs to) gets no run_all_on, which would name a file the repository
does not have; check passes on what init writes without warning of it.

  $ cd ../go && sluice init --stdout | grep -E 'kind|go.work|test|run_all_on'
    # go.work: 2 packages and 1 internal dependencies today
    - kind: go
        "{lane}-test": {run: "go test ./...", cwd: "{path}"}
  $ sluice init -o ../go-init.yml 2>/dev/null && sluice check --rules ../go-init.yml 2>&1 | grep -c 'matches no tracked file'; true
  0
  $ cd .. && git init -q empty && cd empty && sluice init --stdout | grep -c workspaces; true
  0

run: a gate selected by lockfile entries sees the lockfile's path once in
SLUICE_CHANGED, however many lanes' entries brought it in (a contract gate
sees them all).

  $ cd ../npm && git checkout -q main && git checkout -q -b two
  $ python3 -c '
  > import json
  > d = json.load(open("package-lock.json"))
  > for k in ("node_modules/debug", "node_modules/express"):
  >     d["packages"][k]["integrity"] = "sha512-changed"
  > open("package-lock.json", "w").write(json.dumps(d, indent=2) + "\n")' && commit two
  $ printf 'version: 1\nunowned: global-only\nglobal:\n  gates:\n    all: {run: "cat \\"$SLUICE_CHANGED\\" > ../all"}\nworkspaces:\n  - kind: npm\n    gates:\n      "{lane}-unit": {run: "cat \\"$SLUICE_CHANGED\\" > ../changed-{lane}"}\n' > ../run.yml
  $ sluice select --rules ../run.yml --base main | grep -c -- '-unit '
  [2-9] (re)
  $ sluice run --rules ../run.yml --base main > /dev/null; echo $?
  0
  $ cat ../all
  package-lock.json
  $ cat ../changed-web
  package-lock.json

owners reads the working tree's rules, their workspaces derived from the
manifests committed at HEAD:

  $ git checkout -q main && sluice owners apps/web/src/x.ts packages/core/index.js README.md
  apps/web/src/x.ts       web        -  sluice.yml:5
  packages/core/index.js  core       -  sluice.yml:5
  README.md               (unowned)  -  -

A head whose manifest cannot be read is refused as a head whose rules file
cannot be, naming the file at the head's commit: never "no lanes".

  $ git checkout -q -b badman && echo '{"name": ' > packages/core/package.json && commit badman
  $ sluice select; echo $?
  sluice: packages/core/package.json@[0-9a-f]{12}:2:1: not valid JSON: .* (re)
  2
