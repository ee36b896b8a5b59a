`sluice select` and `sluice explain` on real repositories, end to end.

The example monorepo: the feature branch changes the billing contract, the
billing service and a migration. Its base defaults to main.

  $ $FIXTURES/example/make-repo.sh repo > /dev/null && cd repo
  $ sluice select
  base  main  b671ecffc510  (from main)
  head  HEAD  ea2de0708794
  rules sluice.yml@b671ecffc510
  4 changed paths; 7 of 10 gates selected
  
  contract gates
    contract-compat     api/v1/billing.proto -> when 'api/**'
    repo-lint           api/v1/billing.proto -> any change
                        services/billing/api.c -> any change
                        services/billing/fields.txt -> any change
                        ... and 1 more
  
  local gates
    billing-unit        services/billing/api.c -> lane billing
                        services/billing/fields.txt -> lane billing
                        services/billing/migrations/002_currency.sql -> lane billing
    billing-migrations  services/billing/migrations/002_currency.sql -> lane billing (when 'services/billing/migrations/**')
  
  consumer-smoke gates
    billing-api-smoke   api/v1/billing.proto -> lane contracts <- consumed by billing
    users-api-smoke     api/v1/billing.proto -> lane contracts <- consumed by users
    web-checkout-smoke  services/billing/api.c -> lane billing <- consumed by web
                        api/v1/billing.proto -> lane contracts <- consumed by billing <- consumed by web
                        services/billing/fields.txt -> lane billing <- consumed by web
                        ... and 1 more
  
  not selected
    users-unit          no changed path is owned by lane users
    web-unit            no changed path is owned by lane web
    scripts-check       no changed path is owned by lane platform

The transitive chain is explained down to the changed path:

  $ sluice explain web-checkout-smoke users-unit api/v1/billing.proto nope/x
  gate web-checkout-smoke (smoke, lane web, sluice.yml@b671ecffc510:60): selected
    services/billing/api.c -> lane billing <- consumed by web
    api/v1/billing.proto -> lane contracts <- consumed by billing <- consumed by web
    services/billing/fields.txt -> lane billing <- consumed by web
    services/billing/migrations/002_currency.sql -> lane billing <- consumed by web
  gate users-unit (local, lane users, sluice.yml@b671ecffc510:47): not selected
    no changed path is owned by lane users
  path api/v1/billing.proto
    lane contracts, owners @platform/api; decided by sluice.yml@b671ecffc510:27:21 '*.proto'
    changed in this diff (modified)
  path nope/x
    owned by no lane (unowned: run-all)
    not changed in this diff

JSON for tools, with the not-selected gates and why:

  $ sluice select --format json > ../sel.json
  $ python3 -c 'import json; d = json.load(open("../sel.json")); print(d["schema"], d["run_all"], d["degraded"], d["rules_changed"]); print([(c["path"], c["status"], c["lane"]) for c in d["changed"]]); print([g["name"] for g in d["gates"]]); print([(g["name"], g["reason"]) for g in d["not_selected"]])'
  sluice.selection/1 False None False
  [('api/v1/billing.proto', 'modified', 'contracts'), ('services/billing/api.c', 'modified', 'billing'), ('services/billing/fields.txt', 'modified', 'billing'), ('services/billing/migrations/002_currency.sql', 'added', 'billing')]
  ['contract-compat', 'repo-lint', 'billing-unit', 'billing-migrations', 'billing-api-smoke', 'users-api-smoke', 'web-checkout-smoke']
  [('users-unit', 'no changed path is owned by lane users'), ('web-unit', 'no changed path is owned by lane web'), ('scripts-check', 'no changed path is owned by lane platform')]
  $ python3 -c 'import json; d = json.load(open("../sel.json")); assert d["merge_base"] == d["base"] and len(d["head"]) == 40; print("ok")'
  ok

A GitHub Actions matrix and a GitLab child pipeline:

  $ sluice select --format github-matrix | python3 -c 'import json, sys; print([j["gate"] for j in json.load(sys.stdin)["include"]])'
  ['contract-compat', 'repo-lint', 'billing-unit', 'billing-migrations', 'billing-api-smoke', 'users-api-smoke', 'web-checkout-smoke']
  $ sluice select --format gitlab-ci | grep -c '^    - sluice run --gate '
  7
  $ sluice select --format gitlab-ci | grep -A5 '^"gate/web-checkout-smoke":'
  "gate/web-checkout-smoke":
    stage: gates
    needs: []
    script:
      - mkdir -p sluice-results
      - sluice run --gate web-checkout-smoke --base [0-9a-f]{40} --head [0-9a-f]{40} --no-merge-base --json sluice-results/web-checkout-smoke.json --junit sluice-results/web-checkout-smoke.xml (re)

An empty diff selects nothing (and GitLab still gets a valid pipeline):

  $ sluice select --base HEAD | tail -n +4 | head -n 1
  0 changed paths; 0 of 10 gates selected
  $ sluice select --base HEAD --format github-matrix
  {"include":[]}
  $ sluice select --base HEAD --format gitlab-ci | grep -A1 nothing-selected
  sluice-nothing-selected:
    stage: gates

Base resolution: SLUICE_BASE, then the upstream, then origin/HEAD, main,
master. A base that does not exist says how to fetch it (exit 3):

  $ SLUICE_BASE=HEAD~1 sluice select --format json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["base_ref"], d["base_source"])'
  HEAD~1 SLUICE_BASE
  $ sluice select --base no-such-branch > /dev/null
  sluice: .*'no-such-branch'.* (re)
  [3]
  $ sluice select --base 0000000000000000000000000000000000000000 > /dev/null
  sluice: base '0000000000000000000000000000000000000000' is the all-zero id (a new branch's first push has no previous commit); name a real commit instead, e.g. --base origin/main; or pass --if-missing-base=run-all to run every gate
  [3]
  $ sluice select --base 0000000000000000000000000000000000000000 --if-missing-base=run-all --format json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["degraded"], d["run_all"], len(d["gates"]))'
  base_unavailable True 10
  $ sluice select --if-missing-base=maybe
  sluice: --if-missing-base takes 'run-all' or 'fail', not 'maybe'
  [2]

Outside a repository:

  $ (cd / && sluice select)
  sluice: not a git repository: '/'; run sluice inside a clone, or pass -C DIR
  [3]

A rules change that tries to switch off its own gate: the head narrows
billing-unit so that it no longer matches, deletes web-checkout-smoke and
changes a billing file. The trusted (base) copy still selects both, and
the rules file's own lane (platform) counts as changed:

  $ git checkout -q -b sneaky
  $ python3 - <<'PY'
  > import re
  > s = open("sluice.yml").read()
  > s = s.replace("run: ./scripts/unit billing", "run: ./scripts/unit billing\n        when: [\"nothing/**\"]")
  > s = re.sub(r"    smoke:\n      web-checkout-smoke:\n.*\n.*\n", "", s)
  > open("sluice.yml", "w").write(s)
  > PY
  $ echo '/* x */' >> services/billing/api.c
  $ git commit -qam "narrow the gates"
  $ sluice select --base feature/charge-currency --format json > ../sneaky.json
  $ python3 -c 'import json; d = json.load(open("../sneaky.json")); print(d["rules_changed"]); print(sorted(g["name"] for g in d["gates"]))'
  True
  ['billing-unit', 'repo-lint', 'scripts-check', 'web-checkout-smoke']
  $ sluice select --base feature/charge-currency | sed -n 3p
  rules sluice.yml@ea2de0708794  (this change edits them: the union of both copies is selected)
  $ git checkout -q feature/charge-currency

Renames count under both names; deletions under the name they had. A file
moved from billing to users touches both lanes:

  $ git checkout -q -b move
  $ git mv services/billing/fields.txt services/users/billing-fields.txt
  $ git rm -q apps/web/fields.txt
  $ git commit -qm move
  $ sluice select --base HEAD~1 --format json | python3 -c 'import json, sys; d = json.load(sys.stdin); print([(c["path"], c["status"], c["lane"], c.get("renamed_to", c.get("renamed_from"))) for c in d["changed"]]); print(sorted(g["name"] for g in d["gates"] if g["kind"] == "local"))'
  [('apps/web/fields.txt', 'deleted', 'web', None), ('services/billing/fields.txt', 'renamed', 'billing', 'services/users/billing-fields.txt'), ('services/users/billing-fields.txt', 'renamed', 'users', 'services/billing/fields.txt')]
  ['billing-unit', 'users-unit', 'web-unit']
  $ git checkout -q feature/charge-currency

run_all_on and unowned paths select everything, and say why:

  $ sluice select --paths-from - --base main <<'EOF2' | sed -n '5,8p'
  > toolchain/compiler.version
  > stray.txt
  > EOF2
  
  run-all: every gate runs
    stray.txt -> owned by no lane (unowned: run-all)
    toolchain/compiler.version -> run_all_on 'toolchain/**' (sluice.yml@b671ecffc510:7)

--paths-from takes a list instead of git (-z: NUL-separated); a bad list is
bad usage:

  $ printf 'apps/web/checkout.js\0' | sluice select -z --paths-from - --format json | python3 -c 'import json, sys; print([g["name"] for g in json.load(sys.stdin)["gates"]])'
  ['repo-lint', 'web-unit']
  $ printf '/abs/path\n' | sluice select --paths-from - > /dev/null
  sluice: .*/abs/path.* (re)
  [2]
  $ sluice select --paths-from missing.txt > /dev/null
  sluice: .*missing.txt.* (re)
  [3]

--worktree adds what is staged, unstaged and untracked (not ignored):

  $ echo "tmp/" > .git/info/exclude && mkdir -p tmp && touch tmp/ignored.c
  $ echo "// wip" >> apps/web/checkout.js
  $ touch services/users/new.c
  $ sluice select --worktree --format json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["worktree"], [c["path"] for c in d["changed"]])'
  True ['api/v1/billing.proto', 'apps/web/checkout.js', 'services/billing/api.c', 'services/billing/fields.txt', 'services/billing/migrations/002_currency.sql', 'services/users/new.c']
  $ git checkout -q -- apps/web/checkout.js && rm services/users/new.c

A broken rules file is refused before anything else (exit 2), with its
file:line:col:

  $ printf 'version: 1\nlanes:\n  a:\n    pathz: [x]\n' > ../broken.yml
  $ sluice select --rules ../broken.yml
  sluice: ../broken.yml:4:5: unknown key 'pathz' in lane 'a'; did you mean 'paths'?
  [2]

Names that are not UTF-8 appear in JSON, escaped, with the raw bytes kept:

  $ git checkout -q -b latin1 main
  $ touch "$(printf 'docs/caf\351.md')" && git add -A && git commit -qm latin1
  $ sluice select --base main --format json | python3 -c 'import json, sys, base64; c = json.load(sys.stdin)["changed"][0]; print(ascii(c["path"]), base64.b64decode(c["path_base64"]), c["lane"])'
  'docs/caf\ufffd.md' b'docs/caf\xe9.md' docs

A shallow clone that lacks the base says how to fetch it:

  $ cd .. && git clone -q --depth 1 --branch feature/charge-currency "file://$PWD/repo" shallow && cd shallow
  $ git branch -q main origin/feature/charge-currency 2>/dev/null; sluice select --base b671ecffc51090f7b21d3e1fd9ff6d1000cc8b7c > /dev/null
  sluice: .*(shallow|fetch).* (re)
  [3]

A file renamed onto a path the branch deleted, in the working copy: the
rename's old name still counts, so its lane's gates run:

  $ cd .. && git init -q -b main ren && cd ren
  $ printf 'version: 1\nlanes:\n  qlane:\n    paths: ["q/"]\n    gates:\n      q-unit: {run: "true"}\n  plane:\n    paths: ["p/"]\n    gates:\n      p-unit: {run: "true"}\n' > sluice.yml
  $ mkdir p q && echo p > p/x.txt && echo q > q/x.txt && git add -A && git commit -qm base
  $ git rm -q p/x.txt && git commit -qm 'delete p/x'
  $ mkdir p && git mv q/x.txt p/x.txt
  $ sluice select --base HEAD~1 --worktree --format json | python3 -c 'import json, sys; d = json.load(sys.stdin); print([(c["path"], c["status"], c.get("renamed_from", c.get("renamed_to"))) for c in d["changed"]]); print(sorted(g["name"] for g in d["gates"]))'
  [('p/x.txt', 'renamed', 'q/x.txt'), ('q/x.txt', 'renamed', 'p/x.txt')]
  ['p-unit', 'q-unit']

When the head changes the rules file, the lane that owns it counts as
changed, even if a --paths-from list leaves the file out:

  $ cd .. && git init -q -b main rules-lane && cd rules-lane
  $ printf 'version: 1\nunowned: global-only\nlanes:\n  platform:\n    paths: ["sluice.yml"]\n    gates:\n      platform-unit: {run: "true"}\n  docs:\n    paths: ["docs/"]\n' > sluice.yml
  $ mkdir docs && echo a > docs/a.md && git add -A && git commit -qm base
  $ echo '# x' >> sluice.yml && echo b >> docs/a.md && git commit -qam change
  $ echo docs/a.md | sluice select --base HEAD~1 --paths-from - | tail -n +4
  2 changed paths; 1 of 1 gates selected
  
  local gates
    platform-unit  sluice.yml (the head changes the rules) -> lane platform
  $ echo sluice.yml | sluice select --base HEAD~1 --paths-from - | tail -n 1
    platform-unit  sluice.yml -> lane platform

A gate that is not selected sees the paths of its own lane, as the trusted
rules define it, even when the head's rules reorder the lanes (repro's
SLUICE_CHANGED holds nothing here, not beta's path):

  $ cd .. && git init -q -b main reorder && cd reorder
  $ printf 'version: 1\nunowned: global-only\nlanes:\n  beta:\n    paths: ["b/"]\n  alpha:\n    paths: ["a/"]\n    gates:\n      alpha-unit: {run: "true"}\n' > sluice.yml
  $ mkdir a b && echo a > a/f && echo b > b/f && git add -A && git commit -qm base
  $ printf 'version: 1\nunowned: global-only\nlanes:\n  alpha:\n    paths: ["a/"]\n    gates:\n      alpha-unit: {run: "true"}\n  beta:\n    paths: ["b/"]\n' > sluice.yml
  $ echo c > b/f && git commit -qam change
  $ sluice select --base HEAD~1 | tail -n 1
    alpha-unit  no changed path is owned by lane alpha
  $ sluice repro --base HEAD~1 --print alpha-unit | grep changed
  : >"$d/changed0" &&
  : >"$d/changed" &&
  	"SLUICE_CHANGED=$d/changed" \
  	"SLUICE_CHANGED0=$d/changed0" \

explain answers for a submodule as selection matched it, as a directory:

  $ cd .. && git init -q -b main sub && cd sub
  $ printf 'version: 1\nunowned: global-only\nlanes:\n  vendor:\n    paths: ["vendor/lib/"]\n    gates:\n      vendor-unit: {run: "true"}\n' > sluice.yml
  $ git add -A && git commit -qm base
  $ git update-index --add --cacheinfo 160000,1111111111111111111111111111111111111111,vendor/lib && git commit -qm sub
  $ sluice select --base HEAD~1 | tail -n 1
    vendor-unit  vendor/lib -> lane vendor
  $ sluice explain --base HEAD~1 vendor/lib
  path vendor/lib
    lane vendor, no owners; decided by sluice.yml@[0-9a-f]{12}:5:13 'vendor/lib/' (re)
    changed in this diff (added)
