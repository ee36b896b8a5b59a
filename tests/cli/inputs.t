Gate `inputs`: paths outside a gate's lane (any changed path, owned or
not) that select that gate alone when changed, as nx's target inputs do:
a root karma config read by two packages selects those packages' gates,
not every gate. The reasons, explain, check, the changed-path list the
gate gets, and the refusals at file:line:col.

  $ git init -q repo && cd repo
  $ mkdir -p packages/a packages/b packages/c
  $ for f in packages/a/index.js packages/b/index.js packages/c/index.js karma.conf.js tsconfig.base.json package.json; do echo x > $f; done
  $ cat > sluice.yml <<'EOF'
  > version: 1
  > unowned: fail
  > lanes:
  >   root:
  >     paths: ["/package.json", "/sluice.yml"]
  >   a:
  >     owners: ["@a"]
  >     paths: ["packages/a/"]
  >     gates:
  >       a-unit:
  >         run: 'echo "$SLUICE_GATE sees:"; cat "$SLUICE_CHANGED"'
  >         inputs: ["/karma.conf.js", "/tsconfig.base.json"]
  >   b:
  >     owners: ["@b"]
  >     paths: ["packages/b/"]
  >     gates:
  >       b-unit:
  >         run: "true"
  >         inputs: ["/karma.conf.js", "/jest.config.js"]
  >   c:
  >     owners: ["@c"]
  >     paths: ["packages/c/"]
  >     consumes: [a]
  >     gates:
  >       c-unit: {run: "true"}
  >     smoke:
  >       c-smoke: {run: "true", inputs: ["/tsconfig.base.json"]}
  > EOF
  $ git add -A && git -c user.email=a@b -c user.name=a commit -qm init

A change to the karma config (owned by no lane, and `unowned: fail`)
selects the two gates that name it, each with the input as its reason,
and nothing else; it is not refused as unowned:

  $ echo y >> karma.conf.js
  $ sluice select --worktree --base HEAD | tail -n +5
  
  local gates
    a-unit   karma.conf.js -> input '/karma.conf.js' (sluice.yml@*:12) (glob)
    b-unit   karma.conf.js -> input '/karma.conf.js' (sluice.yml@*:19) (glob)
  
  not selected
    c-unit   no changed path is owned by lane c
    c-smoke  no lane upstream of c changed (upstream: a); no changed path matches its inputs: '/tsconfig.base.json'
  $ sluice select --worktree --base HEAD --format json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["run_all"], [(g["name"], g["reasons"]) for g in d["gates"]])' | sed 's/@[0-9a-f]*:/@C:/g'
  False [('a-unit', ["karma.conf.js -> input '/karma.conf.js' (sluice.yml@C:12)"]), ('b-unit', ["karma.conf.js -> input '/karma.conf.js' (sluice.yml@C:19)"])]

explain names the changed path that matched the input, and for a path,
the gates whose inputs name it:

  $ sluice explain --worktree --base HEAD a-unit c-smoke karma.conf.js packages/a/index.js
  gate a-unit (local, lane a, sluice.yml@*:10): selected (glob)
    karma.conf.js -> input '/karma.conf.js' (sluice.yml@*:12) (glob)
  gate c-smoke (smoke, lane c, sluice.yml@*:27): not selected (glob)
    no lane upstream of c changed (upstream: a); no changed path matches its inputs: '/tsconfig.base.json'
  path karma.conf.js
    owned by no lane (covered by gate inputs)
    input '/karma.conf.js' of gate a-unit (sluice.yml@*:12:18): a change to it selects that gate (glob)
    input '/karma.conf.js' of gate b-unit (sluice.yml@*:19:18): a change to it selects that gate (glob)
    changed in this diff (modified)
  path packages/a/index.js
    lane a, owners @a; decided by sluice.yml@*:8:13 'packages/a/' (glob)
    not changed in this diff

A smoke gate's inputs select it too; with the lane changed as well, the
gate's changed-path list ($SLUICE_CHANGED) holds its lane's paths and
the inputs' both:

  $ git checkout -q karma.conf.js && echo z >> tsconfig.base.json && echo z >> packages/a/index.js
  $ sluice select --worktree --base HEAD | grep -A8 '^local gates'
  local gates
    a-unit   packages/a/index.js -> lane a
             tsconfig.base.json -> input '/tsconfig.base.json' (sluice.yml@*:12) (glob)
  
  consumer-smoke gates
    c-smoke  packages/a/index.js -> lane a <- consumed by c
             tsconfig.base.json -> input '/tsconfig.base.json' (sluice.yml@*:27) (glob)
  
  not selected
  $ sluice run --worktree --base HEAD --gate a-unit -j1 2>&1 | sed -n 2,4p
  a-unit sees:
  packages/a/index.js
  tsconfig.base.json
  $ git checkout -q .

check counts a file that only inputs name as covered (a note listing
them), not unowned, and warns of an input that matches no tracked file;
a gate selected only by its inputs is not "a gate no change selects":

  $ sluice check
  sluice.yml:4:3: note: lane root has no owners and no gates* (glob)
  sluice.yml:19:36: warning: pattern '/jest.config.js' in the inputs of gate b-unit matches no tracked file; fix it, or remove it
  note: 2 of 7 tracked files are owned by no lane but named by the inputs of gates or lanes: a change to one selects those gates, or touches those lanes (explain PATH names them), so they are covered
    karma.conf.js
    tsconfig.base.json
  checked sluice.yml against 7 tracked files of HEAD (*): 1 warning, 2 notes (glob)
  $ sluice check --format json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["counts"]["inputs"], d["counts"]["unowned"], [p["path"] for p in d["inputs"]], [(f["kind"], f["gate"], f["pattern"]) for f in d["findings"] if f["kind"] == "input_unmatched"])'
  2 0 ['karma.conf.js', 'tsconfig.base.json'] [('input_unmatched', 'b-unit', '/jest.config.js')]

Without inputs naming it, the same file is unowned again (and refused
with `unowned: fail`):

  $ sed 's|"/karma.conf.js", ||' sluice.yml > ../no-karma.yml
  $ echo y >> karma.conf.js
  $ sluice --rules ../no-karma.yml select --worktree --base HEAD
  sluice: 'karma.conf.js' is owned by no lane and ../no-karma.yml says 'unowned: fail'; add it to a lane's paths
  [1]
  $ git checkout -q .

Refused at file:line:col, before anything runs: an empty list, a string,
a pattern that does not compile.

  $ printf 'version: 1\nlanes:\n  a:\n    gates:\n      g: {run: x, inputs: []}\n' > ../bad.yml
  $ sluice --rules ../bad.yml check
  sluice: ../bad.yml:5:19: 'inputs' must list at least one pattern; remove it if the gate reads no file outside its lane
  [2]
  $ printf 'version: 1\nlanes:\n  a:\n    gates:\n      g: {run: x, inputs: karma.conf.js}\n' > ../bad.yml
  $ sluice --rules ../bad.yml select --base HEAD
  sluice: ../bad.yml:5:27: 'inputs' must be a list of patterns, not a string
  [2]
  $ printf 'version: 1\nlanes:\n  a:\n    gates:\n      g: {run: x, inputs: ["re:("]}\n' > ../bad.yml
  $ sluice --rules ../bad.yml check 2>&1 | cut -c1-30
  sluice: ../bad.yml:5:28: * (glob)

Lane `inputs`: paths outside a lane that touch the lane as one of its
own paths would: its local gates and its consumers' smoke gates, each
reason naming the input. In an npm workspace, a lane written with a
derived lane's name refines it, so "karma.conf.js is read by web and
lib" is an `inputs` line in each, not a gate per package:

  $ cd .. && git init -q ws && cd ws
  $ mkdir -p packages/web/src packages/lib packages/app packages/cli
  $ echo '{"private": true, "workspaces": ["packages/*"]}' > package.json
  $ echo '{"name": "web"}' > packages/web/package.json
  $ echo '{"name": "lib"}' > packages/lib/package.json
  $ echo '{"name": "app", "dependencies": {"web": "*"}}' > packages/app/package.json
  $ echo '{"name": "cli"}' > packages/cli/package.json
  $ for f in karma.conf.js test.env packages/web/src/a.js packages/cli/main.js; do echo x > $f; done
  $ cat > sluice.yml <<'EOF'
  > version: 1
  > unowned: fail
  > workspaces:
  >   - kind: npm
  >     gates:
  >       "{lane}-unit": {run: 'echo "$SLUICE_GATE sees:"; cat "$SLUICE_CHANGED"'}
  >     smoke:
  >       "{lane}-smoke": {run: "true"}
  > lanes:
  >   root:
  >     paths: ["/package.json", "/sluice.yml"]
  >   web:
  >     inputs: ["/karma.conf.js", "/test.env"]
  >   lib:
  >     inputs: ["/karma.conf.js", "/jest.config.js"]
  > EOF
  $ git add -A && git -c user.email=a@b -c user.name=a commit -qm init

A change to the karma config (no lane owns it, `unowned: fail`) selects
web's and lib's gates and the smoke of app, which consumes web; not
cli's, not app's own:

  $ echo y >> karma.conf.js
  $ sluice select --worktree --base HEAD | tail -n +5 | sed 's/@[0-9a-f]*:/@C:/g'
  
  local gates
    web-unit   karma.conf.js -> input '/karma.conf.js' (sluice.yml@C:13) -> lane web
    lib-unit   karma.conf.js -> input '/karma.conf.js' (sluice.yml@C:15) -> lane lib
  
  consumer-smoke gates
    app-smoke  karma.conf.js -> input '/karma.conf.js' (sluice.yml@C:13) -> lane web <- consumed by app
  
  not selected
    app-unit   no changed path is owned by lane app
    cli-unit   no changed path is owned by lane cli
    cli-smoke  lane cli consumes no lane
    web-smoke  lane web consumes no lane
    lib-smoke  lane lib consumes no lane
  $ sluice run --worktree --base HEAD --gate web-unit -j1 2>&1 | sed -n 2,3p
  web-unit sees:
  karma.conf.js

Ownership does not change: owners and explain still say no lane owns
it; owners says which lane's inputs cover it, explain names every lane
whose inputs name it:

  $ sluice owners karma.conf.js
  karma.conf.js  (unowned)  -  inputs of lane web sluice.yml:13
  $ sluice explain --worktree --base HEAD karma.conf.js web-unit | sed 's/@[0-9a-f]*:/@C:/g'
  path karma.conf.js
    owned by no lane (covered by lane inputs)
    input '/karma.conf.js' of lane web (sluice.yml@C:13:14): a change to it touches that lane, as a change to its paths does
    input '/karma.conf.js' of lane lib (sluice.yml@C:15:14): a change to it touches that lane, as a change to its paths does
    changed in this diff (modified)
  gate web-unit (local, lane web, sluice.yml@C:6): selected
    karma.conf.js -> input '/karma.conf.js' (sluice.yml@C:13) -> lane web
  $ git checkout -q .

With a change inside web as well, web's gates get both paths, each with
its own reason:

  $ echo y >> test.env && echo y >> packages/web/src/a.js
  $ sluice select --worktree --base HEAD | grep -A3 '^local gates'
  local gates
    web-unit   packages/web/src/a.js -> lane web
               test.env -> input '/test.env' (sluice.yml@*:13) -> lane web (glob)
  
  $ git checkout -q .

check counts the files lanes' inputs name as covered, not unowned, and
warns of a lane input that matches no tracked file; the workspace's note
sits at its line among the rules file's findings, before those about no
line:

  $ sluice check 2>&1 | grep -v 'consumes no lane'
  sluice.yml:4:5: note: workspace npm at . derives 4 lanes and 1 edge from its manifests: app, cli, lib, web
  sluice.yml:10:3: note: lane root has no owners and no gates* (glob)
  sluice.yml:15:32: warning: pattern '/jest.config.js' in the inputs of lane lib matches no tracked file; fix it, or remove it
  note: 2 of 10 tracked files are owned by no lane but named by the inputs of gates or lanes: a change to one selects those gates, or touches those lanes (explain PATH names them), so they are covered
    karma.conf.js
    test.env
  checked sluice.yml against 10 tracked files of HEAD (*): 4 warnings, 3 notes (glob)
  $ sluice check --format json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["counts"]["inputs"], d["counts"]["unowned"], [(f["kind"], f["lane"], f["pattern"]) for f in d["findings"] if f["kind"] == "input_unmatched"])'
  2 0 [('input_unmatched', 'lib', '/jest.config.js')]

Refused at file:line:col, before anything runs: an empty list, a string
or a mapping, a pattern that does not compile:

  $ printf 'version: 1\nlanes:\n  a:\n    inputs: []\n' > ../bad.yml
  $ sluice --rules ../bad.yml check
  sluice: ../bad.yml:4:5: 'inputs' must list at least one pattern; remove it if the lane reads no file outside its paths
  [2]
  $ printf 'version: 1\nlanes:\n  a:\n    inputs: karma.conf.js\n' > ../bad.yml
  $ sluice --rules ../bad.yml select --base HEAD
  sluice: ../bad.yml:4:13: 'inputs' must be a list of patterns, not a string
  [2]
  $ printf 'version: 1\nlanes:\n  a: {inputs: {karma: 1}}\n' > ../bad.yml
  $ sluice --rules ../bad.yml check
  sluice: ../bad.yml:3:15: 'inputs' must be a list of patterns, not a mapping
  [2]
  $ printf 'version: 1\nlanes:\n  a:\n    inputs: ["re:("]\n' > ../bad.yml
  $ sluice --rules ../bad.yml check 2>&1 | cut -c1-30
  sluice: ../bad.yml:4:14: * (glob)

In a refining lane of a derived one, the same errors are at the lane's
line, before any manifest is read:

  $ printf 'version: 1\nworkspaces:\n  - kind: npm\nlanes:\n  web:\n    inputs: []\n' > ../bad.yml
  $ sluice --rules ../bad.yml check
  sluice: ../bad.yml:6:5: 'inputs' must list at least one pattern; remove it if the lane reads no file outside its paths
  [2]
