A gate runs the code of the change under test, so nothing a gate does may
count as a decision (SPEC.md §5, docs/overrides.md "How a run applies an
override"): `run` fixes the overrides it may apply before its first gate,
gates get no ledger path, variable or descriptor, and the programs a
decision trusts are found before any gate runs. Here the change under test
attacks its own gate, as a hostile pull request would.

The repository: lane app (owners: ana@example.com) and its gate 'unit',
which runs app/unit.sh. On main it passes.

  $ git init -q -b main repo && cd repo
  $ cat > sluice.yml <<'EOF'
  > version: 1
  > lanes:
  >   app:
  >     owners: ["ana@example.com"]
  >     paths: ["app/"]
  >     gates:
  >       unit: {run: "sh app/unit.sh"}
  > EOF
  $ mkdir app && echo 'exit 0' > app/unit.sh && git add -A && git commit -qm "the app"

## A gate that requests and approves its own override

The change makes 'unit' fail, and, while it runs, request an override of
itself and approve it in the owner's name, in the ledger sluice uses: the
one its environment names, the one a file tells it about (a gate can
always find it: the file system is the gate's too), or the default one.
It also writes down what it could see of sluice's state.

  $ git checkout -q -b attack
  $ cat > app/unit.sh <<'EOF'
  > echo "SLUICE_LEDGER=${SLUICE_LEDGER-unset} SLUICE_ACTOR=${SLUICE_ACTOR-unset}" > ../gate-saw
  > for f in /proc/$$/fd/*; do readlink "$f"; done | grep -c -e ledger -e history >> ../gate-saw
  > ledger=; [ -f ../ledger-path ] && ledger="--ledger $(cat ../ledger-path)"
  > id=$(sluice override request unit --commit "$SLUICE_HEAD" --reason "let me through" --by dev@example.com $ledger) &&
  > sluice override approve "$id" --reason "fine by me" --by ana@example.com $ledger > /dev/null &&
  > echo "forged override $id" >> ../gate-saw
  > exit 1
  > EOF
  $ git commit -qam "app: a change that lets itself through"

With the default ledger (.sluice/ledger.db, which holds an older request,
so that it is open while the gate runs): the gate sees no variable and no
descriptor of sluice's state, records its forged approval, and the run
fails all the same. The forged events are in the ledger, and no run
applied them:

  $ sluice override request unit --commit main --reason "an older request" --by dev@example.com
  1
  $ SLUICE_ACTOR=ci@example.com sluice run --json ../r1.json > ../r1.out 2>&1
  [1]
  $ cat ../gate-saw
  SLUICE_LEDGER=unset SLUICE_ACTOR=unset
  0
  forged override 2
  $ python3 -c 'import json; g = json.load(open("../r1.json"))["gates"][0]; print(g["name"], g["status"], g["override"], g["override_note"])'
  unit failed None override 1 is for commit 4695a725468d, not eb5708d6b3a3: a new commit voids an override
  $ sluice override log | awk '{print $1, $3}'
  #1 request
  #2 request
  #3 approve

With SLUICE_LEDGER naming the ledger in sluice's environment, the gate does
not inherit it, and its forgery lands elsewhere:

  $ sluice override request unit --commit main --reason "an older request" --by dev@example.com --ledger ../ci.db
  1
  $ SLUICE_LEDGER=$PWD/../ci.db sluice run --json ../r2.json > ../r2.out 2>&1
  [1]
  $ cat ../gate-saw
  SLUICE_LEDGER=unset SLUICE_ACTOR=unset
  0
  forged override 4
  $ python3 -c 'import json; g = json.load(open("../r2.json"))["gates"][0]; print(g["status"], g["override"])'
  failed None
  $ sluice override log --ledger ../ci.db | awk '{print $1, $3}'
  #1 request

And when the gate writes into that very ledger (it was told where), the
approval it records while it runs does not count for the run either:

  $ echo "$PWD/../ci.db" > ../ledger-path
  $ SLUICE_LEDGER=$PWD/../ci.db sluice run --json ../r3.json > ../r3.out 2>&1
  [1]
  $ tail -n 1 ../gate-saw
  forged override 2
  $ python3 -c 'import json; d = json.load(open("../r3.json")); g = d["gates"][0]; print(d["verdict"], g["status"], g["override"], g["override_note"])'
  fail failed None override 1 is for commit 4695a725468d, not eb5708d6b3a3: a new commit voids an override
  $ sluice override log --ledger ../ci.db | awk '{print $1, $3}'
  #1 request
  #2 request
  #3 approve
  $ rm ../ledger-path

## A gate that tampers with the ledger while it runs

An owner approved an override of 'unit' at this commit before the run, so
the run fixes it before its first gate. The change's gate then edits the
ledger (as anyone who can write the file can, triggers and all): the run
records that it applied the override only into a ledger that still
verifies, so it stops, exits 3, and the failure stays a failure.

  $ git checkout -q -b tamper main
  $ cat > app/unit.sh <<'EOF'
  > python3 - <<'PY'
  > import sqlite3
  > db = sqlite3.connect(".sluice/ledger.db")
  > for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
  >     db.execute("DROP TRIGGER " + name)
  > db.execute("UPDATE events SET reason = 'edited by a gate' WHERE seq = 1")
  > db.commit()
  > PY
  > exit 1
  > EOF
  $ git commit -qam "app: a change that edits the ledger"
  $ id=$(sluice override request unit --commit HEAD --reason "flaky" --by dev@example.com) && sluice override approve $id --reason ok --by ana@example.com > /dev/null
  $ sluice run --json ../r4.json > ../r4.out 2>&1
  [3]
  $ tail -n 1 ../r4.out
  sluice: cannot apply overrides (stopped at gate 'unit'); nothing was overridden: ledger '*/repo/.sluice/ledger.db' fails verification: event 1 was altered: its content does not match its hash; no override in it can be trusted (see docs/overrides.md) (glob)
  $ python3 -c 'import json; d = json.load(open("../r4.json")); g = d["gates"][0]; print(d["verdict"], g["status"], g["override"])'
  fail failed None
  $ cd ..

## A gate that plants an ssh-keygen that "verifies" anything

Decisions must be signed: the base's allowed_signers lists Ana's key. The
change's gate writes an `ssh-keygen` that signs with nothing and verifies
everything into the first folder of PATH it may write to, then approves
its own override in Ana's name with it. sluice found ssh-keygen before the
first gate, and fixed what the run applies then: the forged approval does
not count, now or later.

  $ git init -q -b main signed && cd signed
  $ ssh-keygen -q -t ed25519 -N '' -C ana -f ../ana.key
  $ printf 'ana@example.com namespaces="sluice-override" %s\n' "$(cut -d' ' -f1,2 ../ana.key.pub)" > allowed_signers
  $ cp ../repo/sluice.yml . && echo 'allowed_signers: allowed_signers' >> sluice.yml
  $ mkdir app && echo 'exit 0' > app/unit.sh && git add -A && git commit -qm "the app, signed decisions"
  $ git checkout -q -b attack
  $ cat > app/unit.sh <<'EOF'
  > for dir in $(echo "$PATH" | tr ':' ' '); do [ -w "$dir" ] && break; done
  > cat > "$dir/ssh-keygen" <<'KEYGEN'
  > #!/bin/sh
  > case " $* " in
  > *" sign "*) for last; do :; done
  >     printf -- '-----BEGIN SSH SIGNATURE-----\nZm9yZ2Vk\n-----END SSH SIGNATURE-----\n' > "$last.sig" ;;
  > *" -I dev@example.com "*) echo "Could not verify signature."; exit 255 ;;
  > esac
  > exit 0
  > KEYGEN
  > chmod +x "$dir/ssh-keygen"
  > id=$(sluice override request unit --commit "$SLUICE_HEAD" --reason "let me through" --by dev@example.com) &&
  > sluice override approve "$id" --reason "fine by me" --by ana@example.com --sign /dev/null > /dev/null &&
  > echo "forged override $id" > ../gate-saw
  > exit 1
  > EOF
  $ git commit -qam "app: a change that plants ssh-keygen"
  $ mkdir ../bin
  $ PATH="$PWD/../bin:$PATH" sluice run --json ../s1.json > ../s1.out 2>&1
  [1]
  $ cat ../gate-saw; ls ../bin
  forged override 1
  ssh-keygen
  $ python3 -c 'import json; d = json.load(open("../s1.json")); g = d["gates"][0]; print(d["verdict"], g["status"], g["override"])'
  fail failed None
  $ sluice override list | awk '{print $1, $2, $3}'
  ID STATE GATE
  1 approved unit

The next run (the planted program gone from PATH: a machine that keeps
what a gate wrote is not one to trust) checks the forged signature with
the real ssh-keygen, and refuses it:

  $ rm ../bin/ssh-keygen
  $ PATH="$PWD/../bin:$PATH" sluice run --json ../s2.json > ../s2.out 2>&1
  [1]
  $ python3 -c 'import json; g = json.load(open("../s2.json"))["gates"][0]; print(g["status"], g["override_note"])'
  failed override 1 does not hold under the trusted rules: cannot approve override 1: the signature is not by a key allowed_signers lists for 'ana@example.com' (ssh-keygen: Couldn't verify signature: invalid format; Could not verify signature.)
  $ sluice override log | grep -c applied
  0
  [1]
