The override ledger shared through the repository's own remote (SPEC.md
§6, docs/overrides.md "Sharing the ledger through git"): a bare repository
is the remote, and separate clones play a developer's laptop, an owner's
laptop and CI runners that start with no local ledger at all.

The remote's rules say `ledger: git:refs/heads/sluice-ledger`. On the
feature branch gate 'unit' (owners: ana@example.com) fails:

  $ $FIXTURES/ledger/make-origin.sh shop
  $ git clone -q shop/origin.git dev && cd dev && git checkout -q feature
  $ export SLUICE_ACTOR=dev@example.com

No ledger exists yet, on the remote or here; reading it says so:

  $ sluice override list
  no open requests or active overrides

The developer asks for an override. The request is recorded, pushed to
the remote as one commit on the ledger's ref, and its id printed:

  $ sluice override request unit --commit HEAD --reason "unit is flaky on CI"
  1
  $ git -C ../shop/origin.git log --format='%an %s' sluice-ledger
  sluice request override 1: unit at de44db7a0ec0 by dev@example.com
  $ git -C ../shop/origin.git show sluice-ledger:event | sed -n '1,4p;7p'
  format 21:sluice-ledger-event/1
  seq 1:1
  prev 64:0000000000000000000000000000000000000000000000000000000000000000
  kind 7:request
  actor 15:dev@example.com
  $ git -C ../shop/origin.git log -1 --format=%B sluice-ledger | grep -c '^Sluice-Event-Hash: [0-9a-f]\{64\}$'
  1

The owner, in a clone of their own, sees it and approves. Nothing is
carried by hand: the approval is pushed after the request.

  $ cd .. && git clone -q shop/origin.git owner && cd owner
  $ export SLUICE_ACTOR=ana@example.com
  $ sluice override list
  ID  STATE      GATE  COMMIT        REQUESTED BY     DECIDED BY  EXPIRES
  1   requested  unit  de44db7a0ec0  dev@example.com  -           *Z (glob)
  $ sluice override approve 1 --reason "known flake, INC-1"
  override 1 approved by ana@example.com: unit at de44db7a0ec0, until *Z (glob)

A CI runner starts from a fresh clone, with no ledger: `run` fetches the
ledger once before the first gate, verifies it, applies the override, and
pushes its own record that it applied it.

  $ cd .. && git clone -q shop/origin.git ci1 && cd ci1 && git checkout -q feature
  $ unset SLUICE_ACTOR
  $ sluice run --json ../ci1.json > ../ci1.out 2>&1
  $ python3 -c 'import json,sys; r=json.load(open("../ci1.json")); [print(g["name"], g["status"], g["override"]["id"] if g["override"] else "-") for g in r["gates"]]'
  unit overridden 1
  style passed -
  check passed -
  $ git -C ../shop/origin.git log --format='%s' sluice-ledger
  applied override 1: unit at de44db7a0ec0
  approve override 1 by ana@example.com
  request override 1: unit at de44db7a0ec0 by dev@example.com

A revoke pushed later stops the next run from applying it, in that clone
(which remembers the ledger) and in a fresh one:

  $ cd ../owner && SLUICE_ACTOR=ana@example.com sluice override revoke 1 --reason "the fix landed"
  override 1 revoked by ana@example.com: unit at de44db7a0ec0
  $ cd ../ci1 && sluice run > ../ci1b.out 2>&1
  [1]
  $ grep 'not overridden' ../ci1b.out
      not overridden: override 1 is revoked
  $ cd .. && git clone -q shop/origin.git ci2 && cd ci2 && git checkout -q feature
  $ sluice run > ../ci2.out 2>&1
  [1]
  $ grep 'not overridden' ../ci2.out
      not overridden: override 1 is revoked

So does a denial: a new request, denied by the owner, applies to no run.

  $ cd ../dev && sluice override request unit --commit HEAD --reason "still flaky" --by dev@example.com
  5
  $ cd ../owner && SLUICE_ACTOR=ana@example.com sluice override deny 5 --reason "fix it instead"
  override 5 denied by ana@example.com: unit at de44db7a0ec0
  $ cd ../ci2 && sluice run > ../ci2b.out 2>&1
  [1]
  $ grep 'not overridden' ../ci2b.out
      not overridden: override 5 is denied

Every clone verifies the same chain, and prints the same anchor:

  $ cd ../ci2 && sluice override verify | sed 's/:[0-9a-f]\{64\}$/:HASH/'
  ledger refs/heads/sluice-ledger on origin: 6 events verified
  working copy */ci2/.sluice/ledger.db: 6 events verified (0 not shared yet) (glob)
  anchor: 6:HASH
  $ a=$(sluice override verify | sed -n 's/^anchor: //p'); cd ../owner && sluice override verify | grep -c "anchor: $a"
  1

`--no-push` keeps a request or decision in this clone, with no fetch or
push (this clone last fetched before the denial, so its id here is 6);
`sync` shares it later. A decision on a request no remote has yet is
refused: its id may change.

  $ cd ../dev && export SLUICE_ACTOR=dev@example.com
  $ sluice override request unit --commit HEAD --reason "local only" --no-push
  sluice: override 6 (a request of gate 'unit') is recorded in this clone only (--no-push): 'sluice override sync' shares it
  6
  $ SLUICE_ACTOR=ana@example.com sluice override approve 6 --reason x --no-push
  sluice: cannot approve override 6: it is not on 'origin' yet, so its id may still change: 'sluice override sync' shares it, then decide
  [1]

Meanwhile another clone pushes first; the developer's request goes on top
of it, with the id it has there:

  $ cd ../owner && SLUICE_ACTOR=bo@example.com sluice override request unit --commit origin/feature --reason "from bo"
  7
  $ cd ../dev && sluice override sync
  sluice: override 6 of this clone is override 8 on the shared ledger (another clone's events came first)
  ledger refs/heads/sluice-ledger on origin: 8 events (2 fetched, 1 pushed)
  $ sluice override log --format json | python3 -c 'import json,sys; [print(e["seq"], e["kind"], e["override"], e["reason"]) for e in json.load(sys.stdin)["events"][6:]]'
  7 request 7 from bo
  8 request 8 local only

Two owners decide on one request at once: the second to push learns that
the first was first, and nothing of theirs is recorded.

  $ cd .. && git clone -q shop/origin.git owner2 && cd owner2 && sluice override list > /dev/null
  $ cd ../owner && SLUICE_ACTOR=ana@example.com sluice override approve 8 --reason "fine" > /dev/null
  $ cd ../owner2 && SLUICE_ACTOR=ana@example.com sluice override deny 8 --reason "no"
  sluice: cannot deny override 8: it is already approved by 'ana@example.com' at *Z (glob)
  [1]

A decision made with --no-push that another clone's decision overtook is
dropped when shared, and says so:

  $ SLUICE_ACTOR=ana@example.com sluice override deny 7 --reason "no" --no-push > /dev/null 2>&1
  $ cd ../owner && SLUICE_ACTOR=ana@example.com sluice override approve 7 --reason "yes" > /dev/null
  $ cd ../owner2 && sluice override sync
  sluice: warning: event 10 (deny of override 7 by ana@example.com) was not shared: another clone's event came first: it denies override 7, which is approved, not requested
  ledger refs/heads/sluice-ledger on origin: 10 events (1 fetched, 0 pushed)
  $ sluice override verify | head -n 2
  ledger refs/heads/sluice-ledger on origin: 10 events verified
  working copy */owner2/.sluice/ledger.db: 10 events verified (0 not shared yet) (glob)

## A remote that cannot be reached

Commands that need it exit 3 and name the remote:

  $ cd ../ci2 && git remote set-url origin "$PWD/../nowhere.git"
  $ sluice override sync
  sluice: cannot fetch refs/heads/sluice-ledger from remote 'origin': '*/nowhere.git' does not appear to be a git repository; check that the remote can be reached ('git fetch origin') (glob)
  [3]
  $ SLUICE_ACTOR=dev@example.com sluice override request unit --commit HEAD --reason x
  sluice: cannot fetch refs/heads/sluice-ledger from remote 'origin': '*/nowhere.git' does not appear to be a git repository; check that the remote can be reached ('git fetch origin') (glob)
  [3]

`run` goes on: failures stay failures and say why; it exits 3 when an
override could have mattered (an overridable gate failed), 1 when none
could (only a gate that is not overridable failed), 0 when all passed.

  $ sluice run > ../down.out 2>&1
  [3]
  $ grep -e 'not overridden' -e '^sluice: cannot' ../down.out
      not overridden: no override could be checked: cannot fetch refs/heads/sluice-ledger from remote 'origin': * (glob)
  sluice: cannot apply overrides; nothing was overridden (the gates that failed stay failed): cannot fetch refs/heads/sluice-ledger from remote 'origin': * (glob)
  $ git checkout -q ugly && sluice run > /dev/null 2>&1
  [1]
  $ git checkout -q fine && sluice run > /dev/null 2>&1
  $ git checkout -q feature && git remote set-url origin "$PWD/../shop/origin.git"

## A remote this clone may not push to

A run that may not push (a read-only token: here, a remote whose hook
refuses every push) applies the override all the same, says that its
record was not pushed, and the results file names the override:

  $ cd ../dev && SLUICE_ACTOR=dev@example.com sluice override request unit --commit HEAD --reason "for the read-only run" > ../id && cd ../owner && SLUICE_ACTOR=ana@example.com sluice override approve $(cat ../id) --reason ok > /dev/null
  $ cd .. && git clone -q shop/origin.git ro && cd ro && git checkout -q feature
  $ printf '#!/bin/sh\necho "read-only token" >&2\nexit 1\n' > ../shop/origin.git/hooks/pre-receive && chmod +x ../shop/origin.git/hooks/pre-receive
  $ sluice run --json ../ro.json > ../ro.out 2>&1
  $ grep -e '^sluice: warning' ../ro.out
  sluice: warning: the overrides this run applied are in the results, but not recorded on 'origin': remote 'origin' refused the push of refs/heads/sluice-ledger: [remote rejected] (pre-receive hook declined); this clone may not push there (a read-only token, or a protected branch)
  $ python3 -c 'import json; r=json.load(open("../ro.json")); print(r["gates"][0]["status"], r["gates"][0]["override"]["id"])'
  overridden 11
  $ rm ../shop/origin.git/hooks/pre-receive

## A push that does not get through

A run whose record cannot reach the remote after its gates (the network
went away: here a `git` that fails every push) does not pass on the
override it applied: it exits 3 and says why; the results file names the
override all the same. The record stays in the clone's working copy, and
the next sync shares it, once.

  $ cd .. && git clone -q shop/origin.git cut && cd cut && git checkout -q feature
  $ mkdir ../down ../ro403
  $ printf '#!/bin/sh\nfor a; do [ "$a" = push ] && { echo "fatal: unable to access %s: Could not resolve host: git.example.com" >&2; exit 128; }; done\nexec %s "$@"\n' "'https://git.example.com/shop.git/'" "$(command -v git)" > ../down/git
  $ printf '#!/bin/sh\nfor a; do [ "$a" = push ] && { echo "remote: Permission to shop.git denied to github-actions[bot]." >&2; echo "fatal: unable to access %s: The requested URL returned error: 403" >&2; exit 128; }; done\nexec %s "$@"\n' "'https://git.example.com/shop.git/'" "$(command -v git)" > ../ro403/git
  $ chmod +x ../down/git ../ro403/git
  $ PATH="$PWD/../down:$PATH" sluice run --json ../cut.json > ../cut.out 2>&1
  [3]
  $ grep '^sluice:' ../cut.out
  sluice: pass: 2 of 3 gates passed, 1 overridden
  sluice: the overrides this run applied are in the results, but not recorded on 'origin': cannot push refs/heads/sluice-ledger to remote 'origin': unable to access 'https://git.example.com/shop.git/': Could not resolve host: git.example.com; check that the remote can be reached and that this clone may push there; a run does not pass on overrides the shared ledger does not record
  $ python3 -c 'import json; r=json.load(open("../cut.json")); print(r["verdict"], r["gates"][0]["status"], r["gates"][0]["override"]["id"])'
  pass overridden 11
  $ sluice override sync
  ledger refs/heads/sluice-ledger on origin: 13 events (0 fetched, 1 pushed)
  $ python3 -c 'import json; print(json.load(open("../cut.json"))["run_id"])' > ../cut.id
  $ sluice override log --format json | python3 -c 'import json, sys; run = open("../cut.id").read().strip(); print(*["applied %d" % e["override"] for e in json.load(sys.stdin)["events"] if e["run"] == run])'
  applied 11

A host that answers that this clone may not push (a read-only token's
403) is a refused push, as above: a warning, and the run passes.

  $ PATH="$PWD/../ro403:$PATH" sluice run --json ../ro403.json > ../ro403.out 2>&1
  $ grep '^sluice:' ../ro403.out
  sluice: warning: the overrides this run applied are in the results, but not recorded on 'origin': cannot push refs/heads/sluice-ledger to remote 'origin': unable to access 'https://git.example.com/shop.git/': The requested URL returned error: 403; check that the remote can be reached and that this clone may push there
  sluice: pass: 2 of 3 gates passed, 1 overridden
  $ sluice override sync > /dev/null

## A gate that writes to the ledger

A run pushes only its own "applied" events. Here the change under test
makes gate 'check' record a request in the clone's working copy while it
runs: the run says so and pushes nothing; nothing of the gate's reaches
the remote.

  $ cd ../dev && git checkout -q sneaky && SLUICE_ACTOR=dev@example.com sluice override request unit --commit HEAD --reason "sneaky's unit" > ../id && cd ../owner && SLUICE_ACTOR=ana@example.com sluice override approve $(cat ../id) --reason ok > /dev/null
  $ cd .. && git clone -q shop/origin.git sn && cd sn && git checkout -q sneaky
  $ before=$(git -C ../shop/origin.git rev-parse sluice-ledger)
  $ sluice run > ../sn.out 2>&1
  [1]
  $ grep -e '^sluice: warning' ../sn.out
  sluice: warning: not pushing the ledger's working copy '*/sn/.sluice/ledger.db' to 'origin': event * (request) was added while the gates ran; look at it ('sluice override log'), then 'sluice override sync' (glob)
  $ test "$(git -C ../shop/origin.git rev-parse sluice-ledger)" = "$before"

The same gate in a change whose gates all pass, with no override
applied: the run says it pushes nothing, and passes (it has no record
to miss).

  $ git checkout -q -b sneaky-passes && git rm -q app/broken && printf 'sluice override request unit --commit HEAD --reason "from a gate" --by gate@example.com --no-push >/dev/null 2>&1\nexit 0\n' > app/check.sh && git commit -qam "check writes, and passes"
  $ sluice run > ../sn2.out 2>&1
  $ grep -e '^sluice:' ../sn2.out
  sluice: warning: not pushing the ledger's working copy '*/sn/.sluice/ledger.db' to 'origin': event * (request) was added while the gates ran; look at it ('sluice override log'), then 'sluice override sync' (glob)
  sluice: pass: 3 of 3 gates passed
  $ test "$(git -C ../shop/origin.git rev-parse sluice-ledger)" = "$before"

## Signed decisions

With `allowed_signers` in the rules, the owner signs the approval with
their own key, on their own laptop (`ssh-keygen -Y sign`); the signature
travels inside the event's commit, and every run checks it again:

  $ cd .. && ssh-keygen -q -t ed25519 -N '' -C ana -f ana.key && echo "ana@example.com namespaces=\"sluice-override\" $(cat ana.key.pub)" > signers
  $ $FIXTURES/ledger/make-origin.sh signed "$PWD/signers"
  $ git clone -q signed/origin.git sdev && cd sdev && git checkout -q feature
  $ sluice override request unit --commit HEAD --reason "flaky" --by dev@example.com
  1
  $ cd .. && git clone -q signed/origin.git sowner && cd sowner
  $ sluice override approve 1 --reason "ok" --by ana@example.com
  sluice: cannot approve override 1: the rules name allowed_signers, so decisions must be signed: use --sign KEY
  [1]
  $ sluice override approve 1 --reason "ok" --by ana@example.com --sign ../ana.key
  override 1 approved by ana@example.com (signed): unit at ????????????, until *Z (glob)
  $ git -C ../signed/origin.git show sluice-ledger:event | grep -c -e '^signature [0-9]*:-----BEGIN SSH SIGNATURE-----$'
  1
  $ cd .. && git clone -q signed/origin.git sci && cd sci && git checkout -q feature
  $ sluice run --json ../sci.json > /dev/null 2>&1
  $ python3 -c 'import json; r=json.load(open("../sci.json")); print(r["gates"][0]["status"], r["gates"][0]["override"]["approved_by"])'
  overridden ana@example.com

A clone remembers what ssh-keygen answered for a signature: the next run
checks the same approval without asking it again (here a broken
ssh-keygen comes first on PATH), while a fresh clone has to ask:

  $ mkdir ../fakebin && printf '#!/bin/sh\nexit 1\n' > ../fakebin/ssh-keygen && chmod +x ../fakebin/ssh-keygen
  $ PATH="$PWD/../fakebin:$PATH" sluice run > /dev/null 2>&1
  $ cd .. && git clone -q signed/origin.git sci3 && cd sci3 && git checkout -q feature
  $ PATH="$PWD/../fakebin:$PATH" sluice run 2>&1 | grep '^sluice: cannot'
  sluice: cannot check the approved override of gate 'unit', so its failure stays: ssh-keygen failed: '*/fakebin/ssh-keygen' exited with status 1 without a verdict (exit status 1); the signature was not checked: check the OpenSSH installation and retry (glob)
  $ cd ../sci

Anyone who may push the ref can write an event, but not an owner's
signature: an approval pushed unsigned (here through rules read from a
file that names no allowed_signers) is on the ledger and applies to no run.

  $ cd ../sowner && sluice override revoke 1 --reason "fixed" --by ana@example.com --sign ../ana.key
  override 1 revoked by ana@example.com (signed): unit at ???????????? (glob)
  $ cd ../sdev && sluice override request unit --commit HEAD --reason "again" --by dev@example.com
  6
  $ sed '/allowed_signers/d' sluice.yml > ../forged.yml && sluice override approve 6 --reason "trust me" --by ana@example.com --rules ../forged.yml
  override 6 approved by ana@example.com: unit at ????????????, until *Z (glob)
  $ cd ../sci && sluice run > ../sci2.out 2>&1
  [1]
  $ grep 'not overridden' ../sci2.out
      not overridden: override 6 does not hold under the trusted rules: cannot approve override 6: the rules name allowed_signers, so decisions must be signed: use --sign KEY
