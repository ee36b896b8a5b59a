A ledger shared through git that was tampered with is refused, exit 3,
naming what is wrong (SPEC.md §6): a rewritten (force-pushed) ref, an
event commit edited in place, an event whose chain hash is wrong, a ref
that is not a ledger at all. Verification rests on the SHA-256 chain
inside the events, not on git's commit ids.

A ledger of three events: a request, its approval, a second request.

  $ $FIXTURES/ledger/make-origin.sh shop
  $ git clone -q shop/origin.git dev && cd dev && git checkout -q feature
  $ sluice override request unit --commit HEAD --reason "flaky" --by dev@example.com
  1
  $ sluice override approve 1 --reason "known flake" --by ana@example.com > /dev/null
  $ sluice override request unit --commit HEAD --reason "again" --by dev@example.com
  3
  $ anchor=$(sluice override verify | sed -n 's/^anchor: //p') && echo "$anchor" | cut -c1-2
  3:

`rebuild ORIGIN N SED [rehash]` writes the chain again with event N's
text edited by SED (each later commit on the new one, its event text as it
was), as someone who may push the ref could, and force-pushes it; with
`rehash`, the edited commit's message names the new text's hash too.

  $ rebuild() {
  >   git clone -q --bare "$1" rb.git && (cd rb.git && git fetch -q origin refs/heads/sluice-ledger:refs/heads/sluice-ledger &&
  >   parent= && i=0 && for c in $(git rev-list --reverse sluice-ledger); do
  >     i=$((i + 1)); git cat-file blob "$c:event" > ../ev; git log -1 --format=%B "$c" > ../msg
  >     if [ $i = "$2" ]; then sed -i "$3" ../ev; fi
  >     if [ $i = "$2" ] && [ -n "${4:-}" ]; then sed -i "s/^Sluice-Event-Hash: .*/Sluice-Event-Hash: $(sha256sum < ../ev | cut -c1-64)/" ../msg; fi
  >     tree=$(printf '100644 blob %s\tevent\n' "$(git hash-object -w ../ev)" | git mktree)
  >     parent=$(git commit-tree "$tree" ${parent:+-p "$parent"} -F ../msg)
  >   done && git push -q -f origin "$parent:refs/heads/sluice-ledger") && rm -rf rb.git
  > }
  $ cd ..

## Rewritten

Someone force-pushes the ref back to its first event. The clone that
verified three events there refuses it; so does a fresh clone given the
anchor the first one printed. (A fresh clone with no memory and no anchor
cannot tell a shorter ledger from a new one: pin the anchor.)

  $ tip=$(git -C shop/origin.git rev-parse refs/heads/sluice-ledger) && git -C shop/origin.git update-ref refs/heads/sluice-ledger refs/heads/sluice-ledger~2
  $ cd dev && sluice override verify
  sluice: the ledger on 'origin' (refs/heads/sluice-ledger) was rewritten: it holds 1 events, but this clone verified event 3 (????????????); refusing it: restore the ref, or ask whoever rewrote it (glob)
  [3]
  $ sluice override list > /dev/null 2>&1
  [3]
  $ sluice run > /dev/null 2>&1
  [3]
  $ cd .. && git clone -q shop/origin.git fresh && cd fresh
  $ sluice override verify --anchor "$anchor"
  sluice: the ledger on 'origin' (refs/heads/sluice-ledger) was rewritten: it holds 1 events, but the anchor pins event 3 (????????????); refusing it: restore the ref, or ask whoever rewrote it (glob)
  [3]
  $ sluice override verify | head -n 1
  ledger refs/heads/sluice-ledger on origin: 1 event verified

The same event history written again with other commits (another date, an
edited message) is not a rewrite of the ledger: its events are the same.
Restoring the ref makes the first clone happy again:

  $ git -C ../shop/origin.git update-ref refs/heads/sluice-ledger "$tip"
  $ cd ../dev && sluice override verify | head -n 1
  ledger refs/heads/sluice-ledger on origin: 3 events verified
  $ cd .. && rebuild shop/origin.git 0 '' && cd dev && sluice override verify | head -n 1
  ledger refs/heads/sluice-ledger on origin: 3 events verified

A rewrite that changes events is refused by the clone that remembers:

  $ cd .. && rebuild shop/origin.git 3 's/reason 5:again/reason 5:AGAIN/' rehash
  $ cd dev && sluice override verify
  sluice: the ledger on 'origin' (refs/heads/sluice-ledger) was rewritten: its event 3 is not the one this clone verified (????????????); refusing it: restore the ref, or ask whoever rewrote it (glob)
  [3]
  $ cd ..

## An event commit edited in place

Event 2's text changed (same length, so that it still parses), its commit
and the later ones written again. Its commit still names the old hash:

  $ cp -R shop t1 && rebuild t1/origin.git 2 's/known flake/known FLAKE/'
  $ git clone -q t1/origin.git c1 && cd c1 && sluice override verify
  sluice: the ledger on 'origin' (refs/heads/sluice-ledger) fails verification: event 2 (commit ????????????) was edited in place: its text no longer has the hash its commit records; no override in it can be trusted (glob)
  [3]
  $ cd ..

Edited with its commit's hash recomputed too: the next event's chain
hash names the old text, so the chain breaks there:

  $ cp -R shop t2 && rebuild t2/origin.git 2 's/known flake/known FLAKE/' rehash
  $ git clone -q t2/origin.git c2 && cd c2 && sluice override verify
  sluice: the ledger on 'origin' (refs/heads/sluice-ledger) fails verification: event 3 does not follow event 2 (its previous hash differs): an event before it was altered and re-hashed, removed or moved; no override in it can be trusted
  [3]
  $ sluice run > /dev/null 2>&1
  [3]
  $ cd ..

## A wrong chain hash

The last event made to name a previous hash that is not event 2's:

  $ cp -R shop t3 && rebuild t3/origin.git 3 '/^prev /{s/:0/:1/;t;s/:[1-9a-f]/:0/}' rehash
  $ git clone -q t3/origin.git c3 && cd c3 && sluice override verify
  sluice: the ledger on 'origin' (refs/heads/sluice-ledger) fails verification: event 3 does not follow event 2 (its previous hash differs): an event before it was altered and re-hashed, removed or moved; no override in it can be trusted
  [3]
  $ cd ..

A text that is not an event at all, or not in its canonical form:

  $ cp -R shop t4 && rebuild t4/origin.git 3 's/^kind 7:request/kind 7:REQUEST/' rehash
  $ git clone -q t4/origin.git c4 && cd c4 && sluice override verify
  sluice: 'refs/heads/sluice-ledger' on 'origin' is not a sluice ledger: field 'kind' names no kind of event (commit ????????????); point 'ledger: git:REF' at the ledger's ref (glob)
  [3]
  $ cd ..

## A ref that is not a ledger

The ledger's ref made to point at the code's history:

  $ cp -R shop t5 && git -C t5/origin.git update-ref refs/heads/sluice-ledger refs/heads/main
  $ git clone -q t5/origin.git c5 && cd c5 && sluice override verify
  sluice: 'refs/heads/sluice-ledger' on 'origin' is not a sluice ledger: commit 20156b0d186b holds 2 entries (the first 'app'), not the one file 'event'; point 'ledger: git:REF' at the ledger's ref
  [3]
  $ git checkout -q feature && sluice run > /dev/null 2>&1
  [3]
  $ cd ..

A merge commit on it:

  $ cp -R shop t6 && tree=$(git -C t6/origin.git rev-parse sluice-ledger^{tree}) && merge=$(git -C t6/origin.git commit-tree "$tree" -p sluice-ledger -p sluice-ledger~1 -m merge) && git -C t6/origin.git update-ref refs/heads/sluice-ledger "$merge"
  $ git clone -q t6/origin.git c6 && cd c6 && sluice override verify
  sluice: 'refs/heads/sluice-ledger' on 'origin' is not a sluice ledger: commit ???????????? has 2 parents: a chain is one line of commits; point 'ledger: git:REF' at the ledger's ref (glob)
  [3]
