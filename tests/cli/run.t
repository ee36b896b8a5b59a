`sluice run`, `repro` and `merge` end to end on real repositories.

The example monorepo: the contract change breaks the web app's consumer
smoke; everything else passes. Exit 1, and the summary says how to
reproduce the failure:

  $ $FIXTURES/example/make-repo.sh repo > /dev/null && cd repo
  $ sluice run -j 2 --json ../r.json --junit ../r.xml --summary ../r.md > ../out.txt
  [1]
  $ grep -A4 '^sluice: FAIL' ../out.txt
  sluice: FAIL: 6 of 7 gates passed
    ✗ web-checkout-smoke: failed (exit 1)
      log: /.*/repo/.sluice/logs/[0-9TZ]+-[0-9]+-[0-9a-f]{8}/web-checkout-smoke.log (re)
      not overridden: no override ledger at '/.*/repo/.sluice/ledger.db' (re)
      reproduce: sluice repro web-checkout-smoke --results ../r.json
  $ grep -c '^== ' ../out.txt
  7
  $ python3 -c 'import json; d = json.load(open("../r.json")); print(d["schema"], d["verdict"]); print(sorted((g["name"], g["status"], g["attempts"]) for g in d["gates"]))'
  sluice.results/1 fail
  [('billing-api-smoke', 'passed', 1), ('billing-migrations', 'passed', 1), ('billing-unit', 'passed', 1), ('contract-compat', 'passed', 1), ('repo-lint', 'passed', 1), ('users-api-smoke', 'passed', 1), ('web-checkout-smoke', 'failed', 2)]
  $ python3 -c 'import xml.dom.minidom as m; d = m.parse("../r.xml"); print(len(d.getElementsByTagName("testcase")), len(d.getElementsByTagName("failure")))'
  7 1
  $ head -n 1 ../r.md
  ## sluice: ❌ fail

sluice's state stays out of git's way, so the next --worktree selection
does not see its own logs:

  $ git status --short
  $ sluice select --worktree | sed -n 4p
  4 changed paths; 7 of 10 gates selected

repro runs the failing gate as the run did (same changed paths), from the
results file or from base and head; --print gives a snippet that does the
same:

  $ sluice repro web-checkout-smoke --results ../r.json
  sluice: running web-checkout-smoke \(smoke, lane web\) as run does: head [0-9a-f]{12}, 4 changed paths in \$SLUICE_CHANGED (re)
  web: reads field 'amount', which api/v1/billing.proto no longer has
  sluice: web-checkout-smoke failed (exit 1)
  [1]
  $ sluice repro repo-lint 2>/dev/null
  lint ok (4 changed files)
  $ sluice repro --print repo-lint > ../snippet.sh && sh ../snippet.sh
  lint ok (4 changed files)
  $ sluice repro no-such-gate
  sluice: no gate named 'no-such-gate' in sluice.yml@b671ecffc510; 'sluice select' lists them
  [2]

A fanned-out run: one shard per gate, as a CI matrix runs it, then merge.
A shard (`run --gate`) answers for the gates it ran: it exits 0 when they
passed, 1 when one failed, whatever the other shards do; its results file
says it is a shard, and still lists the whole selection, with the gates it
did not run:

  $ for g in $(sluice select --format github-matrix | python3 -c 'import json, sys; print(" ".join(j["gate"] for j in json.load(sys.stdin)["include"]))'); do sluice run --gate $g --json ../shard-$g.json > /dev/null; echo "$g $?"; done
  contract-compat 0
  repo-lint 0
  billing-unit 0
  billing-migrations 0
  billing-api-smoke 0
  users-api-smoke 0
  web-checkout-smoke 1
  $ python3 -c 'import json; d = json.load(open("../shard-repo-lint.json")); print(d["shard"], d["verdict"], len(d["selected"]), [g["name"] for g in d["gates"]], len(d["not_run"]), "repo-lint" in d["not_run"])'
  True pass 7 ['repo-lint'] 6 False
  $ sluice run --gate repo-lint | tail -n 1
  sluice: pass: 1 of 1 gates passed (a shard: 6 more selected gates are for other shards; 'sluice merge' gives the run's verdict)
  $ python3 -c 'import json; d = json.load(open("../r.json")); print(d["shard"], d["not_run"])'
  False []

Merged, the shards give the run's verdict: a gate failed, so it fails;
and a shard that never wrote its results fails it too:

  $ sluice merge ../shard-*.json --json ../merged.json
  sluice: FAIL: 7 results files, 7 gates; a gate did not pass
  [1]
  $ python3 -c 'import json; d = json.load(open("../merged.json")); print(d["shard"], d["verdict"], d["not_run"])'
  False fail []
  $ rm ../shard-web-checkout-smoke.json && sluice merge ../shard-*.json > ../incomplete.json
  sluice: FAIL: 6 results files, 6 gates; a selected gate has no result
    ✗ web-checkout-smoke: selected, but no shard has its result
  [1]
  $ python3 -c 'import json; d = json.load(open("../incomplete.json")); print(d["verdict"], d["not_run"])'
  fail ['web-checkout-smoke']
  $ sluice merge ../shard-repo-lint.json ../shard-repo-lint.json > /dev/null
  sluice: gate 'repo-lint' has results in two shards (the second: '../shard-repo-lint.json'); merge each shard once
  [2]
  $ sluice merge ../shard-*.json --json /dev/full
  sluice: cannot write '/dev/full': it is not a regular file (use '-' for stdout)
  [3]
  $ sluice run --gate no-such-gate
  sluice: no gate named 'no-such-gate' in sluice.yml@b671ecffc510; 'sluice select' lists them
  [2]
  $ cd ..

Every status, in a repository built for it. Gates are tiny shell scripts;
`flaky` fails its first attempt and passes its second.

  $ mkdir st && cd st && git init -q -b main
  $ cat > sluice.yml <<'EOF2'
  > version: 1
  > lanes:
  >   app:
  >     paths: ["app/"]
  >     gates:
  >       ok: {run: "echo fine"}
  >       bad: {run: "echo broken >&2; exit 3"}
  >       segv: {run: "kill -SEGV $$"}
  >       slow: {run: "sleep 30", timeout: 300ms}
  >       missing: {run: ["./no-such-program"]}
  >       flaky:
  >         run: "test -e .tried || { touch .tried; exit 1; }"
  >         retries: 1
  >         cwd: app
  > EOF2
  $ mkdir app && echo 1 > app/x && git add -A && git commit -qm base && echo 2 > app/x && git commit -qam change
  $ sluice run --base HEAD~1 --grace 200ms --json ../st.json > /dev/null
  [1]
  $ python3 -c 'import json; d = json.load(open("../st.json")); [print(g["name"], g["status"], g["exit_code"], g["signal"], g["attempts"], g["flaky"]) for g in d["gates"]]'
  ok passed 0 None 1 False
  bad failed 3 None 1 False
  segv failed None 11 1 False
  slow timed_out None 15 1 False
  missing error None None 1 False
  flaky passed 0 None 2 True

Fail-fast, one at a time: after the first failure nothing else starts. (The
run history starts the gates that took longest last time first, so which
failure comes first is the history's choice.)

  $ sluice run --base HEAD~1 -j 1 --fail-fast --json ../ff.json > /dev/null
  [1]
  $ python3 -c 'import json; s = [g["status"] for g in json.load(open("../ff.json"))["gates"]]; ran = [x for x in s if x != "skipped"]; print(len(s) - len(ran), ran[-1] in ("failed", "error", "timed_out"), all(x == "passed" for x in ran[:-1]))'
  5 True True
  $ cd ..

A changed path named like a shell command reaches the gate only as data; a
gate sees no descriptor of sluice's but 0, 1 and 2; a background daemon
that keeps stdout open does not hold sluice up, and is gone afterwards:

  $ mkdir hostile && cd hostile && git init -q -b main
  $ cat > sluice.yml <<'EOF2'
  > version: 1
  > lanes:
  >   all:
  >     paths: ["*"]
  >     gates:
  >       show: {run: "cat \"$SLUICE_CHANGED\""}
  >       fds:
  >         run: |
  >           for f in /proc/$$/fd/*; do [ -e "$f" ] && printf '%s ' "${f##*/}"; done; echo
  >       daemon: {run: "sleep 1000 & echo $! > ../daemon.pid; echo started"}
  > EOF2
  $ git add -A && git commit -qm base && touch '$(touch PWNED);x.c' && git add -A && git commit -qm hostile
  $ sluice run --base HEAD~1 > ../h.txt
  $ grep -A1 'show' ../h.txt
  == ✓ show \(local, lane all\): passed in [0-9.]+s (re)
  $(touch PWNED);x.c
  $ grep -A1 '✓ fds' ../h.txt | tail -n 1
  0 1 2 
  $ ls PWNED ../PWNED 2>&1 | wc -l | tr -d ' '; test ! -e PWNED && echo no PWNED
  2
  no PWNED
  $ kill -0 "$(cat ../daemon.pid)" 2>/dev/null || echo daemon gone
  daemon gone
  $ cd ..

Ctrl-C while gates run: every gate's process group is stopped, the results
of finished gates are written, the exit status is 130, and nothing the
gates started is left:

  $ mkdir intr && cd intr && git init -q -b main
  $ cat > sluice.yml <<'EOF2'
  > version: 1
  > lanes:
  >   all:
  >     paths: ["*"]
  >     gates:
  >       quick: {run: "true"}
  >       long: {run: "sh -c 'sleep 1000 & echo $! > ../child.pid; wait'"}
  > EOF2
  $ git add -A && git commit -qm base && echo x > f && git add -A && git commit -qm change
  $ sluice run --base HEAD~1 --grace 200ms --json ../intr.json > /dev/null 2>../intr.err & pid=$!
  $ for i in $(seq 100); do test -s ../child.pid && break; sleep 0.1; done; sleep 0.2; kill -INT $pid; wait $pid
  [130]
  $ cat ../intr.err
  sluice: interrupted; the results of the gates that finished were kept
  $ python3 -c 'import json; d = json.load(open("../intr.json")); print(d["verdict"], sorted((g["name"], g["status"]) for g in d["gates"]))'
  fail [('long', 'error'), ('quick', 'passed')]
  $ kill -0 "$(cat ../child.pid)" 2>/dev/null || echo child gone
  child gone
  $ cd ..

Inside GitHub Actions, each gate is a collapsible group and each failure an
error annotation:

  $ cd repo && GITHUB_ACTIONS=true sluice run --gate web-checkout-smoke | grep -E '^::'
  ::group::✗ web-checkout-smoke: failed \(exit 1\) after [0-9.]+s (re)
  ::endgroup::
  ::error title=sluice gate web-checkout-smoke::web-checkout-smoke failed (exit 1); selected because services/billing/api.c -> lane billing <- consumed by web

One run for identical gates: a smoke gate whose command, cwd, env,
timeout and retries are its lane's own unit gate's runs once, as the
first of them, with the changed paths of both; the other gate reports
that run (same status and log, "same_run_as" in the results, a line in
JUnit and the summary), and repro reproduces that run. A difference in
env keeps them apart; so do different lanes (c-smoke is a-unit's command,
but a script may test the lane $SLUICE_LANE names) and a command that
reads the gate's name (b-named-unit and b-named-smoke).

  $ cd "$(mktemp -d)" && mkdir same && cd same && git init -q && mkdir -p a b
  $ echo x > a/i.js && echo x > b/i.js
  $ cat > sluice.yml <<'EOF'
  > version: 1
  > lanes:
  >   a:
  >     paths: ["a/"]
  >     gates:
  >       a-unit: {run: 'echo a >> ../runs'}
  >   b:
  >     paths: ["b/"]
  >     consumes: [a]
  >     gates:
  >       b-unit: {run: 'echo "b ${MODE:-unit}" >> ../runs; cat "$SLUICE_CHANGED"; exit 1'}
  >       b-named-unit: {run: 'echo "$SLUICE_GATE" >> ../runs'}
  >     smoke:
  >       b-smoke: {run: 'echo "b ${MODE:-unit}" >> ../runs; cat "$SLUICE_CHANGED"; exit 1'}
  >       b-smoke-env:
  >         run: 'echo "b ${MODE:-unit}" >> ../runs; cat "$SLUICE_CHANGED"; exit 1'
  >         env: {MODE: smoke}
  >       b-named-smoke: {run: 'echo "$SLUICE_GATE" >> ../runs'}
  >   c:
  >     paths: ["c/"]
  >     consumes: [a]
  >     smoke:
  >       c-smoke: {run: 'echo a >> ../runs'}
  > EOF
  $ git add -A && git -c user.email=a@b -c user.name=a commit -qm init
  $ echo y >> a/i.js && echo y >> b/i.js
  $ sluice run --worktree --base HEAD -j1 --json ../r.json --junit ../r.xml --summary ../r.md 2>&1 | grep '^sluice: FAIL'
  sluice: FAIL: 4 of 7 gates passed (6 runs: 1 reused an identical gate's run)
  $ sort ../runs
  a
  a
  b smoke
  b unit
  b-named-smoke
  b-named-unit
  $ python3 -c 'import json; d = json.load(open("../r.json")); [print(g["name"], g["status"], g["exit_code"], g.get("same_run_as"), g["log"].rsplit("/", 1)[1], g["reasons"]) for g in d["gates"]]'
  a-unit passed 0 None a-unit.log ['a/i.js -> lane a']
  b-unit failed 1 None b-unit.log ['b/i.js -> lane b']
  b-named-unit passed 0 None b-named-unit.log ['b/i.js -> lane b']
  b-smoke failed 1 b-unit b-unit.log ['a/i.js -> lane a <- consumed by b']
  b-smoke-env failed 1 None b-smoke-env.log ['a/i.js -> lane a <- consumed by b']
  b-named-smoke passed 0 None b-named-smoke.log ['a/i.js -> lane a <- consumed by b']
  c-smoke passed 0 None c-smoke.log ['a/i.js -> lane a <- consumed by c']
  $ cat .sluice/logs/*/b-unit.log
  a/i.js
  b/i.js
  $ grep -c 'same run as b-unit (identical command, cwd, env, timeout and retries)' ../r.xml
  1
  $ grep -c '(same run as b-unit)' ../r.md
  1
  $ sluice merge ../r.json 2>/dev/null | python3 -c 'import json, sys; print([g.get("same_run_as") for g in json.load(sys.stdin)["gates"]])'
  [None, None, None, 'b-unit', None, None, None]
  $ sluice repro --worktree --base HEAD b-smoke 2>&1
  sluice: b-smoke is the same run as b-unit (identical command, cwd, env, timeout and retries): run ran it once, as b-unit
  sluice: running b-unit (local, lane b) as run does: head *, 2 changed paths in $SLUICE_CHANGED (glob)
  a/i.js
  b/i.js
  sluice: b-unit failed (exit 1)
  [1]
  $ sluice repro --worktree --base HEAD --print b-smoke 2>/dev/null | grep -c "'SLUICE_GATE=b-unit'"
  1

A shard shares a run only among the gates it runs (one run, b-smoke's):

  $ rm ../runs && sluice run --worktree --base HEAD --gate b-smoke --json ../shard.json > /dev/null 2>&1
  [1]
  $ cat ../runs
  b unit
  $ python3 -c 'import json; print([(g["name"], g.get("same_run_as")) for g in json.load(open("../shard.json"))["gates"] if g["status"] != "not_run"])'
  [('b-smoke', None)]

Fanned out, identical gates are one job too (issue 16: they ran twice,
once per matrix job): the matrix and the GitLab pipeline have a job per
run, its gate's shard runs the gates that run stands for, and the shards
merge to every selected gate:

  $ sluice select --worktree --base HEAD --format github-matrix | python3 -c 'import json, sys; [print(j["gate"], j.get("also")) for j in json.load(sys.stdin)["include"]]'
  a-unit None
  b-unit b-smoke
  b-named-unit None
  b-smoke-env None
  b-named-smoke None
  c-smoke None
  $ sluice select --worktree --base HEAD --format json | python3 -c 'import json, sys; print([(g["name"], g.get("same_run_as")) for g in json.load(sys.stdin)["gates"] if "same_run_as" in g])'
  [('b-smoke', 'b-unit')]
  $ sluice select --worktree --base HEAD --format gitlab-ci | grep -A1 'stands for'
  # Its run stands for: b-smoke
  "gate/b-unit":
  $ sluice select --worktree --base HEAD --format gitlab-ci | grep -c '^"gate/'
  6
  $ rm ../runs && mkdir ../shards
  $ for g in a-unit b-unit b-named-unit b-smoke-env b-named-smoke c-smoke; do sluice run --worktree --base HEAD --gate $g --json ../shards/$g.json > /dev/null 2>&1; done
  $ sort ../runs
  a
  a
  b smoke
  b unit
  b-named-smoke
  b-named-unit
  $ python3 -c 'import json; print([(g["name"], g.get("same_run_as")) for g in json.load(open("../shards/b-unit.json"))["gates"] if g["status"] != "not_run"])'
  [('b-unit', None), ('b-smoke', 'b-unit')]
  $ sluice merge ../shards/*.json 2>/dev/null | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["verdict"], d["not_run"], sorted((g["name"], g["status"]) for g in d["gates"]))'
  fail [] [('a-unit', 'passed'), ('b-named-smoke', 'passed'), ('b-named-unit', 'passed'), ('b-smoke', 'failed'), ('b-smoke-env', 'failed'), ('b-unit', 'failed'), ('c-smoke', 'passed')]
