A pull request's CI runs a merge commit its host made, not the commit the
developer pushed (GitHub: refs/pull/N/merge; GitLab: merged results). An
override is requested for what was pushed, and applies at that merge
commit too: when the head has two parents, the first being the base the
run diffs from, overrides of its second parent apply (docs/overrides.md,
"Pull requests: the commit CI tests").

The repository: gate 'unit' (owners: ana@example.com) fails on the
feature branch. The developer asks for an override of the commit they
pushed, and Ana approves it:

  $ git init -q -b main repo && cd repo
  $ cat > sluice.yml <<'EOF'
  > version: 1
  > lanes:
  >   app:
  >     owners: ["ana@example.com"]
  >     paths: ["app/"]
  >     gates:
  >       unit: {run: "test ! -e app/broken"}
  > EOF
  $ mkdir app && echo one > app/x && git add -A && git commit -qm "the app"
  $ git checkout -q -b feature && echo bug > app/broken && git add -A && git commit -qm "app: a change that breaks unit"
  $ export SLUICE_ACTOR=dev@example.com
  $ sluice override request unit --commit HEAD --reason "unit is flaky on CI" > /dev/null
  $ sluice override approve 1 --reason "known flake" --by ana@example.com > /dev/null

Meanwhile main moves on, and CI tests the pull request as GitHub does:
the base's tip first, the pushed head second.

  $ git checkout -q main && echo notes > NOTES && git add -A && git commit -qm "main moves on"
  $ git checkout -q --detach main && git merge -q --no-ff feature -m "Merge pull request #1 from feature"
  $ test "$(git rev-parse HEAD^2)" = "$(git rev-parse feature)"
  $ sluice run --base main --json ../pr.json > ../pr.out 2>&1
  $ grep -A1 'let through' ../pr.out
    ⚠ unit failed, let through by override 1 (requested by dev@example.com, approved by ana@example.com: unit is flaky on CI)
      requested for [0-9a-f]{12}, the head this merge commit merges onto the base (re)
  $ python3 -c 'import json, subprocess; d = json.load(open("../pr.json")); o = d["gates"][0]["override"]; print(d["verdict"], o["id"], o["commit_role"], o["commit"] == subprocess.check_output(["git", "rev-parse", "feature"], text=True).strip(), d["head"] == subprocess.check_output(["git", "rev-parse", "HEAD"], text=True).strip())'
  pass 1 second_parent True True

The ledger records the run under the override's own commit, and names the
merge commit it tested; it verifies:

  $ sluice override log 1 | tail -n 1 | sed 's/run [^ ]*/run RUN/'
  #3  *Z  applied  dev@example.com  run RUN (at merge commit ????????????) (glob)
  $ sluice override log --format json | python3 -c 'import json, subprocess, sys; e = json.load(sys.stdin)["events"][2]; head = subprocess.check_output(["git", "rev-parse", "HEAD"], text=True).strip(); feature = subprocess.check_output(["git", "rev-parse", "feature"], text=True).strip(); print(e["kind"], e["commit"] == feature, e["reason"] == head)'
  applied True True
  $ sluice override verify | head -n 1
  ledger */repo/.sluice/ledger.db: 3 events verified (glob)

Only such a merge: the same two commits merged the other way round (main
merged into the feature branch, as a developer would) test more than the
approved change, and so does a merge onto a first parent that is not the
base the run diffs from. Neither applies the override:

  $ git checkout -q --detach feature && git merge -q --no-ff main -m "Merge branch 'main' into feature"
  $ sluice run --base main --json ../back.json > /dev/null 2>&1
  [1]
  $ python3 -c 'import json; g = json.load(open("../back.json"))["gates"][0]; print(g["status"], g["override_note"])'
  failed override 1 is for commit ????????????, not ????????????: a new commit voids an override (glob)
  $ git checkout -q --detach main && git merge -q --no-ff feature -m "Merge pull request #1 from feature"
  $ sluice run --base main~1 --json ../older.json > /dev/null 2>&1
  [1]
  $ python3 -c 'import json; g = json.load(open("../older.json"))["gates"][0]; print(g["status"])'
  failed

An override recorded for the merge commit itself applies at it as at any
head, and the pushed head's override does not apply to a later push:

  $ sluice override request unit --commit HEAD --reason "for the merge" > /dev/null
  $ sluice override approve 4 --reason ok --by ana@example.com > /dev/null
  $ sluice run --base main~1 --json ../own.json > /dev/null 2>&1
  $ python3 -c 'import json; o = json.load(open("../own.json"))["gates"][0]["override"]; print(o["id"], o["commit_role"])'
  4 head
  $ git checkout -q feature && echo more > app/y && git add -A && git commit -qm "a later push"
  $ git checkout -q --detach main && git merge -q --no-ff feature -m "Merge pull request #1 from feature"
  $ sluice run --base main --json ../later.json > /dev/null 2>&1
  [1]
  $ python3 -c 'import json; g = json.load(open("../later.json"))["gates"][0]; print(g["status"], g["override_note"])'
  failed override 4 is for commit ????????????, not ???????????? or the head it merges, ????????????: a new commit voids an override (glob)
