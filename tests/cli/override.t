`sluice override` end to end (SPEC.md §5, docs/overrides.md): requests,
decisions and every refusal, what binds an override to a commit and to a
gate's definition, export and import, signatures, a tampered ledger, and
concurrent writers.

The example monorepo: the feature branch's contract change breaks the web
app's consumer smoke (web-checkout-smoke, lane web, owners @web). Billing's
owners are @billing and ana@example.com; contract-compat is not
overridable. A developer asks:

  $ $FIXTURES/example/make-repo.sh repo > /dev/null && cd repo
  $ export SLUICE_ACTOR=dev@example.com
  $ sluice override --help | sed -n '1p;7,16p'
  usage: sluice override <command> [<args>]
  commands:
    request  ask to override a gate's failure at one commit; prints the id
    approve  approve a request (an approver of the gate, not its requester)
    deny     refuse a request, or withdraw your own
    revoke   withdraw an approval
    list     open requests and active overrides
    log      the full audit trail, or one override's
    verify   check the ledger's integrity; print its anchor
    export   write an override as a portable document
    import   record a document's decisions in the ledger
  $ sluice override 2>&1 | head -n 1
  usage: sluice override <command> [<args>]
  $ sluice override > /dev/null 2>&1
  [2]
  $ sluice override frobnicate
  sluice: 'frobnicate' is not an override command; see 'sluice override --help'
  [2]
  $ sluice override request --help | head -n 1
  usage: sluice override request GATE --commit REV --reason TEXT [--expires DUR]
  $ sluice override approve -h | head -n 2
  usage: sluice override approve ID --reason TEXT [--sign KEY]
         sluice override approve ID --from FILE --reason TEXT [--sign KEY] [-o OUT]
  $ sluice --help | grep override
    override   request, approve, deny, revoke, list and verify overrides

Nothing has been requested yet: the ledger does not exist, and reading it
says where it was looked for (exit 3, never "no overrides"):

  $ sluice override list
  sluice: no override ledger at '*/work/repo/.sluice/ledger.db': nothing was ever requested there; point --ledger at the ledger (glob)
  [3]
  $ sluice override request web-checkout-smoke --commit HEAD --reason "web reads the old field until PR 12"
  1
  $ sluice override list
  ID  STATE      GATE                COMMIT        REQUESTED BY     DECIDED BY  EXPIRES
  1   requested  web-checkout-smoke  ea2de0708794  dev@example.com  -           ????-??-??T??:??:??Z (glob)

Bad requests are refused before anything is recorded: an unknown gate (2,
with a suggestion), a gate that is not overridable (1), no commit, no
reason, a bad expiry, a malformed identity (2), a commit or a base that is
not in the clone (3):

  $ sluice override log > ../log.before
  $ sluice override request web-chekout-smoke --commit HEAD --reason x
  sluice: no gate named 'web-chekout-smoke' in the trusted rules (sluice.yml@b671ecffc510); did you mean 'web-checkout-smoke'?
  [2]
  $ sluice override request contract-compat --commit HEAD --reason "the contract checker is wrong"
  sluice: gate 'contract-compat' is not overridable (overridable: false in the trusted rules): fix the failure instead
  [1]
  $ sluice override request billing-unit --reason x
  sluice: 'override request' needs --commit REV, the commit whose gate failed
  [2]
  $ sluice override request billing-unit --commit HEAD
  sluice: a reason is required: say why with --reason
  [2]
  $ sluice override request billing-unit --commit HEAD --reason "   "
  sluice: a reason is required: say why with --reason
  [2]
  $ sluice override request billing-unit --commit HEAD --reason x --expires 2w
  sluice: bad expiry '2w': write a number and a unit, s, m, h or d (e.g. '36h', '7d')
  [2]
  $ sluice override request billing-unit --commit HEAD --reason x --expires 31d
  sluice: expiry '31d' is past the limit of 30 days: request a new override when it expires
  [2]
  $ sluice override request billing-unit --commit HEAD --reason x --by "dev example"
  sluice: the requester 'dev example' is not an identity: use an email, @user or @org/team (no spaces or commas, at most 256 bytes)
  [2]
  $ sluice override request billing-unit --commit deadbeef --reason x
  sluice: head commit 'deadbeef' is not in this clone; fetch it (git fetch origin deadbeef, or fetch-depth: 0 in GitHub Actions)
  [3]
  $ sluice override request billing-unit --commit HEAD --reason x --base no-such-branch
  sluice: base 'no-such-branch' not found: no such branch, tag or commit in this clone; fetch it (git fetch origin no-such-branch) or name another; or pass --if-missing-base=run-all to run every gate
  [3]
  $ sluice override request billing-unit web-unit --commit HEAD --reason x
  sluice: 'override request' takes one gate name; see 'sluice override request --help'
  [2]
  $ sluice override log | diff ../log.before -

Only an approver of the gate, as the trusted rules name them, may approve,
and never the requester. Every refusal exits 1 with the reason and records
nothing:

  $ sluice override approve 1 --reason "I am sure"
  sluice: cannot approve override 1: 'dev@example.com' requested it, and nobody approves their own request
  [1]
  $ sluice override approve 1 --reason "looks fine" --by @billing
  sluice: cannot approve override 1: '@billing' is not an approver of gate 'web-checkout-smoke' (approvers: @web)
  [1]
  $ sluice override approve 99 --reason "looks fine" --by @web
  sluice: cannot approve override 99: there is no such request in ledger '*/work/repo/.sluice/ledger.db' (glob)
  [1]
  $ sluice override revoke 1 --reason "changed my mind" --by @web
  sluice: cannot revoke override 1: it is not approved; deny it instead
  [1]
  $ sluice override approve 1 --by @web
  sluice: a reason is required: say why with --reason
  [2]
  $ sluice override approve one --reason x --by @web
  sluice: 'one' is not an override id: give the number 'override request' printed
  [2]
  $ sluice override log | diff ../log.before -
  $ sluice override approve 1 --reason "PR 12 lands tomorrow; tracked in WEB-77" --by @web
  override 1 approved by @web: web-checkout-smoke at ea2de0708794, until ????-??-??T??:??:??Z (glob)
  $ sluice override approve 1 --reason "again" --by @web
  sluice: cannot approve override 1: it is already approved by '@web' at ????-??-??T??:??:??Z (glob)
  [1]
  $ sluice override list --format json | python3 -c 'import json, sys; o = json.load(sys.stdin)["overrides"][0]; print(o["id"], o["state"], o["gate"], o["requested_by"], o["approved_by"], o["signed"], o["applied"], len(o["commit"]), len(o["gate_definition"]))'
  1 approved web-checkout-smoke dev@example.com @web False 0 40 64

A run of that commit sees the gate fail, applies the override (status
overridden, verdict pass, exit 0, the override in the results), and the
ledger records that the run used it:

  $ sluice run --json ../r1.json > /dev/null 2>&1
  $ python3 -c 'import json; d = json.load(open("../r1.json")); g = [g for g in d["gates"] if g["status"] != "passed"]; print(d["verdict"], [(x["name"], x["status"], x["exit_code"], x["override"]["id"], x["override"]["approved_by"]) for x in g])'
  pass [('web-checkout-smoke', 'overridden', 1, 1, '@web')]
  $ sluice override log 1
  #1  ????-??-??T??:??:??Z  request  dev@example.com  web-checkout-smoke @ ea2de0708794  "web reads the old field until PR 12" (glob)
  #2  ????-??-??T??:??:??Z  approve  @web             "PR 12 lands tomorrow; tracked in WEB-77" (glob)
  #3  ????-??-??T??:??:??Z  applied  dev@example.com  run * (glob)
  $ sluice override log --format json | python3 -c 'import json, sys; e = json.load(sys.stdin)["events"]; print([(x["seq"], x["kind"], x["override"]) for x in e]); print(e[2]["run"] is not None, e[1]["prev_hash"] == e[0]["hash"])'
  [(1, 'request', 1), (2, 'approve', 1), (3, 'applied', 1)]
  True True

The override is for that commit: a new push is not covered:

  $ git checkout -q -b next-push && echo '/* more */' >> services/billing/api.c && git commit -qam "billing: one more change"
  $ sluice run --gate web-checkout-smoke --json ../r2.json > /dev/null 2>&1
  [1]
  $ python3 -c 'import json; d = json.load(open("../r2.json")); g = d["gates"][0]; print(d["verdict"], g["status"], g["override_note"])'
  fail failed override 1 is for commit ea2de0708794, not 774f2a61814e: a new commit voids an override
  $ git checkout -q feature/charge-currency

And for that definition of the gate: once the base edits the gate's
command, the old override no longer applies to a run whose trusted rules
are the edited ones, and approving under them warns:

  $ git checkout -q main && sed -i 's|run: ./scripts/smoke web$|run: ./scripts/smoke web \&\& true|' sluice.yml && git commit -qam "web smoke: run it another way" && git checkout -q feature/charge-currency
  $ sluice run --gate web-checkout-smoke --base main --no-merge-base --json ../r3.json > /dev/null 2>&1
  [1]
  $ python3 -c 'import json; d = json.load(open("../r3.json")); g = d["gates"][0]; print(d["verdict"], g["status"], g["override_note"])'
  fail failed override 1 is for another definition of gate 'web-checkout-smoke': editing a gate voids its overrides
  $ git show main:sluice.yml > ../edited.yml
  $ id=$(sluice override request web-checkout-smoke --commit HEAD --reason "still PR 12") && echo $id
  4
  $ sluice override approve $id --reason "ok" --by @web --rules ../edited.yml
  override 4 approved by @web: web-checkout-smoke at ea2de0708794, until ????-??-??T??:??:??Z (glob)
  sluice: warning: override 4 was requested for another definition of gate 'web-checkout-smoke' than the trusted rules (../edited.yml) give: it will not apply to a run under them (editing a gate voids its overrides); request a new one
  $ sluice override revoke $id --reason "not under these rules" --by @web
  override 4 revoked by @web: web-checkout-smoke at ea2de0708794

Deny, withdraw and revoke. The requester may withdraw their own request
(deny) or approval (revoke); nothing can be decided twice; a revoked
override is no longer listed as active:

  $ a=$(sluice override request billing-unit --commit HEAD --reason "billing sandbox down, INC-4411") && echo $a
  7
  $ sluice override deny $a --reason "asked too early"
  override 7 denied by dev@example.com: billing-unit at ea2de0708794
  $ sluice override approve $a --reason "ok" --by ana@example.com
  sluice: cannot approve override 7: it is already denied by 'dev@example.com' at ????-??-??T??:??:??Z (glob)
  [1]
  $ b=$(sluice override request billing-unit --commit HEAD --reason "billing sandbox down, INC-4411") && echo $b
  9
  $ sluice override deny $b --reason "no" --by @web
  sluice: cannot deny override 9: '@web' is neither an approver of gate 'billing-unit' nor its requester
  [1]
  $ sluice override approve $b --reason "confirmed INC-4411" --by ana@example.com
  override 9 approved by ana@example.com: billing-unit at ea2de0708794, until ????-??-??T??:??:??Z (glob)
  $ sluice override revoke $b --reason "sandbox is back" --by @billing
  override 9 revoked by @billing: billing-unit at ea2de0708794
  $ sluice override revoke $b --reason "twice" --by ana@example.com
  sluice: cannot revoke override 9: it is already revoked by '@billing' at ????-??-??T??:??:??Z (glob)
  [1]
  $ sluice override deny $b --reason "too late" --by ana@example.com
  sluice: cannot deny override 9: it is already revoked by '@billing' at ????-??-??T??:??:??Z (glob)
  [1]
  $ sluice override list
  ID  STATE     GATE                COMMIT        REQUESTED BY     DECIDED BY  EXPIRES
  1   approved  web-checkout-smoke  ea2de0708794  dev@example.com  @web        ????-??-??T??:??:??Z (glob)
  $ sluice override list --all --gate billing-unit
  ID  STATE    GATE          COMMIT        REQUESTED BY     DECIDED BY       EXPIRES
  7   denied   billing-unit  ea2de0708794  dev@example.com  dev@example.com  ????-??-??T??:??:??Z (glob)
  9   revoked  billing-unit  ea2de0708794  dev@example.com  @billing         ????-??-??T??:??:??Z (glob)
  $ sluice override list --gate users-unit
  no open requests or active overrides of gate 'users-unit'
  $ sluice override log $b | cut -c1-4,26-
  #9    request  dev@example.com  billing-unit @ ea2de0708794  "billing sandbox down, INC-4411"
  #10   approve  ana@example.com  "confirmed INC-4411"
  #11   revoke   @billing         "sandbox is back"

The full log names the override of each decision; reasons stay on one
line, escaped:

  $ e=$(sluice override request billing-unit --commit HEAD --reason $'two lines,\nand "quotes"') && sluice override deny $e --reason "withdrawn"
  override 12 denied by dev@example.com: billing-unit at ea2de0708794
  $ sluice override log | tail -n 4 | awk '{$2 = ""; print}'
  #10  approve ana@example.com override 9 "confirmed INC-4411"
  #11  revoke @billing override 9 "sandbox is back"
  #12  request dev@example.com billing-unit @ ea2de0708794 "two lines,\nand \"quotes\""
  #13  deny dev@example.com override 12 "withdrawn"

An override expires (here after one second); then nothing more can be
decided on it:

  $ c=$(sluice override request billing-unit --commit HEAD --reason "just a moment" --expires 1s) && echo $c
  14
  $ sleep 2
  $ sluice override approve $c --reason "too late" --by @billing
  sluice: cannot approve override 14: it expired at ????-??-??T??:??:??Z; request a new one (glob)
  [1]
  $ sluice override list --all --gate billing-unit | sed -n '1p;$p'
  ID  STATE    GATE          COMMIT        REQUESTED BY     DECIDED BY       EXPIRES
  14  expired  billing-unit  ea2de0708794  dev@example.com  -                ????-??-??T??:??:??Z (glob)

Options each subcommand does not take, bad formats and operands, unknown
overrides for log and export (2):

  $ sluice override list --sign key
  sluice: 'override list' takes no --sign; see 'sluice override list --help'
  [2]
  $ sluice override list --format yaml
  sluice: unknown format 'yaml'; use text or json
  [2]
  $ sluice override log 1 2
  sluice: 'override log' takes at most one override id; see 'sluice override log --help'
  [2]
  $ sluice override log 99
  sluice: unknown override 99: 'sluice override list --all' shows them
  [2]
  $ sluice override export 99
  sluice: unknown override 99: 'sluice override list --all' shows them
  [2]
  $ sluice override verify --anchor 3
  sluice: '3' is not a ledger anchor: give SEQ:HASH as 'override verify' printed it
  [2]
  $ sluice override approve 1 --reason x -o out.json
  sluice: -o goes with --from: a decision in the ledger writes no document (use 'sluice override export 1 -o FILE')
  [2]
  $ sluice override approve 1 --reason x --from doc.json --ledger other.db
  sluice: --from decides over a document, with no ledger or rules: drop --ledger
  [2]
  $ sluice override list --gate
  sluice: option '--gate' needs a value; see 'sluice override list --help'
  [2]
  $ sluice override list --bogus
  sluice: unknown option '--bogus' for 'sluice override list'; see 'sluice override list --help'
  [2]

Export and import between two copies of the ledger: an owner approves on
a copy, exports, and the original imports it, once:

  $ d=$(sluice override request web-checkout-smoke --commit HEAD --reason "PR 12 slipped") && echo $d
  15
  $ cp .sluice/ledger.db ../copy.db
  $ sluice override approve $d --reason "one more day" --by @web --ledger ../copy.db
  override 15 approved by @web: web-checkout-smoke at ea2de0708794, until ????-??-??T??:??:??Z (glob)
  $ sluice override export $d --ledger ../copy.db -o ../od.json
  $ python3 -c 'import json; d = json.load(open("../od.json")); print(d["schema"], d["override"]["gate"], [(x["decision"], x["by"], x["signature"]) for x in d["decisions"]])'
  sluice.override/1 web-checkout-smoke [('approve', '@web', None)]
  $ sluice override import ../od.json
  imported 1 decision on override 15 (0 already present)
  $ sluice override import ../od.json
  imported 0 decisions on override 15 (1 already present)
  $ sluice override log $d | cut -c1-4,26-
  #15   request  dev@example.com  web-checkout-smoke @ ea2de0708794  "PR 12 slipped"
  #16   approve  @web             "one more day"
  $ SLUICE_LEDGER=../copy.db sluice override list --gate web-checkout-smoke | awk '{print $1, $2, $3}'
  ID STATE GATE
  1 approved web-checkout-smoke
  15 approved web-checkout-smoke

The requester may withdraw an approval too:

  $ sluice override revoke $d --reason "PR 12 merged after all"
  override 15 revoked by dev@example.com: web-checkout-smoke at ea2de0708794
  $ sluice override list --all --gate web-checkout-smoke | awk '{print $1, $2, $5, $6}'
  ID STATE REQUESTED BY
  1 approved dev@example.com @web
  4 revoked dev@example.com @web
  15 revoked dev@example.com dev@example.com

A document whose override is not in the ledger, or is another request
there, is refused; a malformed one is bad usage:

  $ sluice override request billing-unit --commit HEAD --reason "another ledger" --ledger ../other.db
  1
  $ sluice override import ../od.json --ledger ../other.db
  sluice: override 15 is not in ledger '../other.db': a document's decisions go to the ledger its request was made in
  [1]
  $ python3 -c 'import json; d = json.load(open("../od.json")); d["override"]["id"] = 1; json.dump(d, open("../o1.json", "w"))'
  $ sluice override import ../o1.json --ledger ../other.db
  sluice: override 1 in ledger '../other.db' is not the request this document was made for (its gate differs)
  [1]
  $ echo '{"schema": "sluice.override/1"}' > ../bad.json && sluice override import ../bad.json
  sluice: ../bad.json: not a sluice override document: it lacks 'override' or 'decisions' (export one with 'sluice override export ID')
  [2]
  $ sluice override import ../missing.json
  sluice: cannot open '../missing.json': No such file or directory
  [3]

Tampering with the ledger is detected, naming the first bad event, by
verify and by every read (exit 3); and a run does not trust it:

  $ sluice override verify | sed 's/[0-9a-f]\{64\}/HASH/'
  ledger */work/repo/.sluice/ledger.db: 17 events verified (glob)
  anchor: 17:HASH
  $ cat > ../tamper.py <<'EOF'
  > import sqlite3, sys
  > db = sqlite3.connect(sys.argv[1])
  > for (name,) in list(db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")):
  >     db.execute(f"DROP TRIGGER {name}")
  > cols = [r[1] for r in db.execute("PRAGMA table_info(events)") if r[1] != "seq"]
  > if sys.argv[2] == "edit":
  >     db.execute("UPDATE events SET reason = 'nothing to see' WHERE seq = 2")
  > elif sys.argv[2] == "delete":
  >     db.execute("DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)")
  > else:
  >     rows = {r[0]: r[1:] for r in db.execute(f"SELECT seq, {', '.join(cols)} FROM events WHERE seq IN (3, 4)")}
  >     for seq, other in ((3, 4), (4, 3)):
  >         db.execute(f"UPDATE events SET {', '.join(c + ' = ?' for c in cols)} WHERE seq = ?", rows[other] + (seq,))
  > db.commit()
  > EOF
  $ for t in edit delete swap; do cp .sluice/ledger.db ../$t.db && python3 ../tamper.py ../$t.db $t; done
  $ sluice override verify --ledger ../edit.db
  sluice: ledger '../edit.db' fails verification: event 2 was altered: its content does not match its hash; no override in it can be trusted (see docs/overrides.md)
  [3]
  $ sluice override verify --ledger ../delete.db
  sluice: ledger '../delete.db' fails verification: event 17 is missing: the chain head records it, so the newest event was deleted; no override in it can be trusted (see docs/overrides.md)
  [3]
  $ sluice override verify --ledger ../swap.db
  sluice: ledger '../swap.db' fails verification: event 3 was altered: its content does not match its hash; no override in it can be trusted (see docs/overrides.md)
  [3]
  $ sluice override list --ledger ../edit.db
  sluice: ledger '../edit.db' fails verification: event 2 was altered: its content does not match its hash; no override in it can be trusted (see docs/overrides.md)
  [3]
  $ sluice override approve $d --reason x --by @web --ledger ../swap.db
  sluice: ledger '../swap.db' fails verification: event 3 was altered: its content does not match its hash; no override in it can be trusted (see docs/overrides.md)
  [3]
  $ sluice run --ledger ../edit.db > /dev/null 2> ../run-edit.err; echo "exit $?"; tail -n 1 ../run-edit.err
  exit 3
  sluice: cannot apply overrides; nothing was overridden (the gates that failed stay failed): ledger '../edit.db' fails verification: event 2 was altered: its content does not match its hash; no override in it can be trusted (see docs/overrides.md)

An anchor pinned earlier catches a consistent rewrite; a later one still
holds after more events:

  $ anchor=$(sluice override verify | sed -n 's/^anchor: //p')
  $ sluice override request billing-unit --commit HEAD --reason "after the anchor" > /dev/null
  $ sluice override verify --anchor "$anchor" | sed 's/[0-9a-f]\{64\}/HASH/'
  ledger */work/repo/.sluice/ledger.db: 18 events verified (glob)
  pinned anchor 17:HASH: holds
  anchor: 18:HASH
  $ sluice override verify --anchor "2:$(printf '%064d' 0)"
  sluice: ledger '*/work/repo/.sluice/ledger.db' fails verification: event 2 is not the event the anchor pinned: the chain up to it was rewritten; no override in it can be trusted (glob)
  [3]

A ledger file of zero bytes is one cut short (sluice never makes an
empty one): it is refused as damaged, never read as "no events" nor made
anew (issue 12):

  $ : > ../empty.db && sluice override verify --ledger ../empty.db
  sluice: ledger '../empty.db' is empty (0 bytes): it is damaged, as a ledger is never empty; restore it from a backup (or, for a shared ledger, remove it and run 'sluice override sync')
  [3]
  $ sluice override request billing-unit --commit HEAD --reason r --ledger ../empty.db
  sluice: ledger '../empty.db' is empty (0 bytes): it is damaged, as a ledger is never empty; restore it from a backup (or, for a shared ledger, remove it and run 'sluice override sync')
  [3]
  $ wc -c < ../empty.db
  0

Sixteen concurrent requests all succeed, with distinct ids, and the ledger
verifies:

  $ for i in $(seq 16); do sluice override request billing-unit --commit HEAD --reason "parallel $i" --ledger ../many.db > ../many.out.$i & done; wait
  $ cat ../many.out.* | sort -n | tr '\n' ' '; echo
  1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 
  $ sluice override verify --ledger ../many.db | head -n 1
  ledger ../many.db: 16 events verified

A gate only the change under review defines cannot be overridden (the
trusted rules are the base's), and with no rules at the base there are no
trusted rules at all:

  $ git checkout -q -b new-gate && sed -i '/run: \.\/scripts\/unit web$/a\      web-extra:\n        run: "false"' sluice.yml && git commit -qam "web: an extra gate" && git checkout -q feature/charge-currency
  $ git show new-gate:sluice.yml | grep -c web-extra
  1
  $ sluice override request web-extra --commit new-gate --reason "mine"
  sluice: gate 'web-extra' is defined only by the change under review, not by the trusted rules (sluice.yml@b671ecffc510): a change cannot make its own gates overridable
  [1]
  $ cd .. && mkdir norules && cd norules && git init -q -b main && echo hi > README.md && git add -A && git commit -qm init && git checkout -q -b feature && cp ../repo/sluice.yml . && git add -A && git commit -qm rules
  $ sluice override request repo-lint --commit HEAD --reason "no rules yet"
  sluice: no trusted rules for commit 554605bf7983: the base a7e55b18dd30 has no sluice.yml, so nothing names who may approve; commit the rules to the base first
  [1]

Signed decisions. The base's rules name an allowed_signers file: Ana's key
is listed for her and for @billing, the developer's for them. A decision
counts only when signed by a key listed for whoever decides:

  $ cd .. && $FIXTURES/example/make-repo.sh signed > /dev/null && cd signed
  $ for k in ana dev mallory; do ssh-keygen -q -t ed25519 -N '' -C $k -f ../$k.key; done
  $ git checkout -q main
  $ printf 'ana@example.com,@billing namespaces="sluice-override" %s\n' "$(cut -d' ' -f1,2 ../ana.key.pub)" > allowed_signers
  $ printf 'dev@example.com namespaces="sluice-override" %s\n' "$(cut -d' ' -f1,2 ../dev.key.pub)" >> allowed_signers
  $ echo 'allowed_signers: allowed_signers' >> sluice.yml && git add -A && git commit -qm "rules: decisions must be signed"
  $ git checkout -q feature/charge-currency && git rebase -q main
  $ sluice override request billing-unit --commit HEAD --reason "billing sandbox down"
  1
  $ sluice override log > ../signed.before
  $ sluice override approve 1 --reason "ok" --by ana@example.com
  sluice: cannot approve override 1: the rules name allowed_signers, so decisions must be signed: use --sign KEY
  [1]
  $ sluice override approve 1 --reason "ok" --by ana@example.com --sign ../mallory.key
  sluice: cannot approve override 1: the signature is not by a key allowed_signers lists for 'ana@example.com' (ssh-keygen: Could not verify signature.)
  [1]
  $ sluice override approve 1 --reason "ok" --by ana@example.com --sign ../dev.key
  sluice: cannot approve override 1: the signature is not by a key allowed_signers lists for 'ana@example.com' (ssh-keygen: Could not verify signature.)
  [1]
  $ sluice override approve 1 --reason "ok" --by ana@example.com --sign ../no-such.key
  sluice: cannot sign with key '../no-such.key': ssh-keygen: Couldn't load public key ../no-such.key: No such file or directory
  [3]
  $ sluice override log | diff ../signed.before -
  $ sluice override approve 1 --reason "confirmed INC-4411" --by @billing --sign ../ana.key
  override 1 approved by @billing (signed): billing-unit at ????????????, until ????-??-??T??:??:??Z (glob)
  $ sluice override log 1 | cut -c1-4,26-
  #1   request  dev@example.com  billing-unit @ ????????????  "billing sandbox down" (glob)
  #2   approve  @billing         (signed)  "confirmed INC-4411"

Nobody approves their own request under another name: Ana requests, then
signs as @billing with her own key:

  $ sluice override request billing-migrations --commit HEAD --reason "flaky checker" --by ana@example.com
  3
  $ sluice override approve 3 --reason "fine" --by @billing --sign ../ana.key
  sluice: cannot approve override 3: the signing key is also listed for the requester 'ana@example.com': nobody approves their own request
  [1]

The offline flow: CI exports the request, the owner decides over the
document with no ledger (here, outside any repository), and CI imports the
signed decision. A tampered document is refused and records nothing:

  $ sluice override request billing-migrations --commit HEAD --reason "flaky checker, take two"
  4
  $ sluice override export 4 > ../o4.json
  $ cd .. && sluice override approve 4 --from o4.json --reason "seen it" --by ana@example.com --sign ana.key -o o4.approved.json; cd signed
  override 4 approved by ana@example.com (signed) in 'o4.approved.json': carry it to the ledger's machine and run 'sluice override import o4.approved.json'
  $ sluice override approve 5 --from ../o4.json --reason "x" --by ana@example.com
  sluice: the document is for override 4, not 5
  [2]
  $ python3 -c 'import json; d = json.load(open("../o4.approved.json")); d["decisions"][0]["reason"] = "seen it, really"; json.dump(d, open("../o4.tampered.json", "w"))'
  $ sluice override log > ../signed.before
  $ sluice override import ../o4.tampered.json
  sluice: cannot approve override 4: the signature is not by a key allowed_signers lists for 'ana@example.com' (ssh-keygen: Signature verification failed: incorrect signature; Could not verify signature.)
  [1]
  $ sluice override log | diff ../signed.before -
  $ sluice override import ../o4.approved.json
  imported 1 decision on override 4 (0 already present)
  $ sluice override import ../o4.approved.json
  imported 0 decisions on override 4 (1 already present)
  $ sluice override list | awk '{print $1, $2, $3, $5, $6}'
  ID STATE GATE REQUESTED BY
  1 approved billing-unit dev@example.com @billing
  3 requested billing-migrations ana@example.com -
  4 approved billing-migrations dev@example.com ana@example.com
  $ sluice override verify | head -n 1
  ledger */work/signed/.sluice/ledger.db: 5 events verified (glob)

A run that cannot check an approved override exits 3, and its results say
exactly what the ledger says: billing-unit and billing-migrations both
fail (in the working tree: nothing is committed), and ssh-keygen crashes
while the run checks the approval of billing-migrations' override, before
the first gate. billing-unit's override applies (the ledger records it);
billing-migrations' failure stays a failure, with a note saying why, and
so does the failure that no override was requested for:

  $ mkdir ../crashbin && printf '#!/bin/sh\nulimit -c 0\ncase " $* " in *" -I ana@example.com "*) kill -SEGV $$ ;; esac\nexec %s "$@"\n' "$(command -v ssh-keygen)" > ../crashbin/ssh-keygen && chmod +x ../crashbin/ssh-keygen
  $ mv services/billing/api.c ../api.c.saved && touch services/billing/migrations/notes.txt
  $ PATH=$PWD/../crashbin:$PATH sluice run --json ../crash.json > /dev/null 2> ../crash.err; echo "exit $?"; tail -n 1 ../crash.err
  exit 3
  sluice: cannot check the approved override of gate 'billing-migrations', so its failure stays: ssh-keygen failed: '*/crashbin/ssh-keygen' was killed by signal 11 (*); retry, and check the OpenSSH installation if it recurs (glob)
  $ python3 -c 'import json; d = json.load(open("../crash.json")); print(d["verdict"]); [print(g["name"], g["status"], (g["override"] or {}).get("id"), g.get("override_note")) for g in d["gates"] if g["status"] != "passed"]'
  fail
  billing-unit overridden 1 None
  billing-migrations failed None no override could be checked: ssh-keygen failed: '*/crashbin/ssh-keygen' was killed by signal 11 (*); retry, and check the OpenSSH installation if it recurs (glob)
  web-checkout-smoke failed None no override was requested for gate 'web-checkout-smoke'
  $ sluice override log | tail -n 1 | cut -c1-4,26-
  #6   applied  dev@example.com  override 1  run * (glob)
  $ mv ../api.c.saved services/billing/api.c && rm services/billing/migrations/notes.txt
