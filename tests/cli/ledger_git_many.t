Many writers at once on a ledger shared through git (SPEC.md §6): twenty
clones append to it at the same moment, requesting, approving and running
(each run recording that it applied an override). Pushes never force:
whoever pushed second fetches, puts its events on top, and pushes again.
Afterwards a fresh clone verifies the whole chain, and every event a
command acknowledged is on it exactly once.

  $ $FIXTURES/ledger/make-origin.sh shop
  $ git clone -q shop/origin.git seed && cd seed && git checkout -q feature
  $ export SLUICE_ACTOR=dev@example.com

Override 1 is approved, for the runs to apply; 3 to 8 wait for approval.

  $ sluice override request unit --commit HEAD --reason "for the runs"
  1
  $ sluice override approve 1 --reason "go" --by ana@example.com > /dev/null
  $ for i in 3 4 5 6 7 8; do sluice override request unit --commit HEAD --reason "open $i" > /dev/null || echo "request $i failed"; done
  $ cd .. && for i in $(seq 1 20); do git clone -q shop/origin.git c$i && git -C c$i checkout -q feature; done

At once: eight requests, six approvals, six runs.

  $ for i in $(seq 1 20); do (
  >   cd c$i
  >   if [ $i -le 8 ]; then sluice override request unit --commit HEAD --reason "req-$i" --by dev$i@example.com > ../out$i 2> ../err$i
  >   elif [ $i -le 14 ]; then sluice override approve $((i - 6)) --reason "ok-$((i - 6))" --by ana@example.com > ../out$i 2> ../err$i
  >   else sluice run --json ../run$i.json > ../out$i 2> ../err$i
  >   fi
  >   echo $? > ../status$i) & done; wait
  $ cat status* | sort | uniq -c | sed 's/^ *//'
  20 0
  $ for i in $(seq 15 20); do grep -c '"status": "overridden"' run$i.json; done | sort | uniq -c | sed 's/^ *//'
  6 1

A fresh clone with no memory of the ledger verifies all of it:

  $ git clone -q shop/origin.git fresh && cd fresh
  $ sluice override verify | sed 's/:[0-9a-f]\{64\}$/:HASH/; s/copy .*: /copy: /'
  ledger refs/heads/sluice-ledger on origin: 28 events verified
  working copy: 28 events verified (0 not shared yet)
  anchor: 28:HASH
  $ sluice override log --format json > ../log.json && cd ..

Each acknowledged event is there once: each request under the id its
command printed, each approval of the override it named, each run's
"applied" record of the override its results file names (an approval that
landed before a run fetched may be the one it applies: the newest approved
override of a gate wins). On failure the checker prints every event, each
run's run_id and override, and each command's status and stderr.

  $ python3 $TESTDIR/ledger_git_many.py log.json 9 15 20
  28 events, seq True
