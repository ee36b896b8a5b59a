Which copy of the rules the plan trusts, on each of its paths
(docs/design.md, "The plan"). The base's copy is parsed as a guess while
the merge-base is walked for; it is kept when the merge-base has the same
blob, and the trusted copy is always named after the merge-base, where it
is read. `show` prints what select's JSON says of the rules and the gates;
`explain` says which copy decided a path.

  $ show() { sluice select --format json "$@" | python3 -c '
  > import json, sys
  > d = json.load(sys.stdin)
  > mb = (d["merge_base"] or "")[:12]
  > print("rules", d["rules"].replace(mb, "<merge-base>") if mb else d["rules"])
  > print("rules_blob", d["rules_blob"])
  > print("rules_changed", d["rules_changed"], "base==merge_base", d["base"] == d["merge_base"])
  > print("gates", sorted(g["name"] for g in d["gates"]), "of", sorted(g["name"] for g in d["gates"] + d["not_selected"]))'; }
  $ blob() { git rev-parse "$1:sluice.yml"; }
  $ git init -q -b main repo && cd repo
  $ printf 'version: 1\nunowned: global-only\nlanes:\n  a:\n    paths: ["a/"]\n    gates:\n      a-unit: {run: "true"}\n' > sluice.yml
  $ mkdir a && echo a > a/f && git add -A && git commit -qm fork
  $ git checkout -q -b topic && echo b > a/f && git commit -qam topic && git checkout -q main

The guess kept: main moved on without touching the rules, so the base's
blob is the merge-base's; the rules are still the merge-base's, by name
(a kept guess that kept the base's name would say sluice.yml@<base>):

  $ echo x > other && git add other && git commit -qm 'main moves on'
  $ show --head topic
  rules sluice.yml@<merge-base>
  rules_blob [0-9a-f]{40} (re)
  rules_changed False base==merge_base False
  gates ['a-unit'] of ['a-unit']
  $ sluice select --head topic --format json | python3 -c 'import json, sys; print(json.load(sys.stdin)["rules_blob"])' > ../got
  $ test "$(cat ../got)" = "$(blob main~1)" && echo "the merge-base's blob"
  the merge-base's blob
  $ sluice explain --head topic a/f | sed -n 2p | sed "s/$(git rev-parse --short=12 main~1)/<merge-base>/"
    lane a, no owners; decided by sluice.yml@<merge-base>:5:13 'a/'
  $ sluice select --head topic | grep '^rules' | sed "s/$(git rev-parse --short=12 main~1)/<merge-base>/"
  rules sluice.yml@<merge-base>

The guess replaced: main changed the rules after the fork (it added a
gate), so the merge-base's copy is trusted and main's gate is not there.
The head's copy is the merge-base's blob here, which was parsed beside the
guess:

  $ printf 'version: 1\nunowned: global-only\nlanes:\n  a:\n    paths: ["a/"]\n    gates:\n      a-unit: {run: "true"}\n      a-new: {run: "true"}\n' > sluice.yml && git commit -qam 'main adds a gate'
  $ show --head topic
  rules sluice.yml@<merge-base>
  rules_blob [0-9a-f]{40} (re)
  rules_changed False base==merge_base False
  gates ['a-unit'] of ['a-unit']

When main broke the rules after the fork, the guess fails to parse, and
that is not an error: the merge-base's copy is fine:

  $ git tag good && printf 'version: 1\nlanes: [broken\n' > sluice.yml && git commit -qam 'main breaks the rules'
  $ sluice select --head topic | tail -n 1
    a-unit  a/f -> lane a

The guess replaced while the head changes the rules too: three copies, the
merge-base's trusted and the head's selecting beside it:

  $ git checkout -q -b topic2 topic && printf 'version: 1\nunowned: global-only\nlanes:\n  a:\n    paths: ["a/"]\n    gates:\n      a-unit: {run: "true"}\n      a-head: {run: "true"}\n' > sluice.yml && git commit -qam 'the head adds a gate' && git checkout -q main
  $ show --head topic2
  rules sluice.yml@<merge-base>
  rules_blob [0-9a-f]{40} (re)
  rules_changed True base==merge_base False
  gates ['a-head', 'a-unit'] of ['a-head', 'a-unit']

When the merge-base's copy is the broken one and the base's is fine, the
merge-base's error is the one told, under its own name:

  $ git checkout -q -b broken topic && printf 'version: 1\nlanez: {}\n' > sluice.yml && git commit -qam 'break the rules'
  $ git checkout -q -b feature && echo c > a/f && git commit -qam feature
  $ git checkout -q broken && printf 'version: 1\nunowned: global-only\nlanes:\n  a:\n    paths: ["a/"]\n' > sluice.yml && git commit -qam 'fix the rules'
  $ sluice select --base broken --head feature > ../out 2>&1; echo $?
  2
  $ grep -c "sluice.yml@$(git rev-parse --short=12 feature~1):2:1: unknown key 'lanez'" ../out
  1

And when the guess is kept but the copy is broken, the error still names
the merge-base, not the base where the guess was read:

  $ git checkout -q -b kept-broken broken~1 && echo y > other2 && git add other2 && git commit -qm 'moves on' && git checkout -q main
  $ sluice select --base kept-broken --head feature > ../out 2>&1; echo $?
  2
  $ grep -c "sluice.yml@$(git rev-parse --short=12 feature~1):2:1: unknown key 'lanez'" ../out
  1

No rules at the base: main deleted them after the fork. The guess finds
nothing, and the merge-base's copy is read and trusted:

  $ git checkout -q main && git reset -q --hard good && git rm -q sluice.yml && git commit -qm 'main drops the rules'
  $ show --head topic
  rules sluice.yml@<merge-base>
  rules_blob [0-9a-f]{40} (re)
  rules_changed False base==merge_base False
  gates ['a-unit'] of ['a-unit']

No rules at the base nor at the merge-base: the change adds them, and its
copy is all there is (nothing older to trust), named after the head:

  $ cd .. && git init -q -b main fresh && cd fresh
  $ mkdir a && echo a > a/f && git add -A && git commit -qm base
  $ git checkout -q -b adds && printf 'version: 1\nunowned: global-only\nlanes:\n  a:\n    paths: ["a/"]\n    gates:\n      a-unit: {run: "true"}\n' > sluice.yml && echo b > a/f && git add -A && git commit -qm 'add rules'
  $ show --base main | sed "s/$(git rev-parse --short=12 adds)/<head>/"
  rules sluice.yml@<head>
  rules_blob None
  rules_changed True base==merge_base True
  gates ['a-unit'] of ['a-unit']

And with no rules anywhere, the error names both commits:

  $ sluice select --base main --head main > ../out 2>&1; echo $?
  2
  $ sed "s/[0-9a-f]\{12\}/<id>/g" ../out
  sluice: no sluice.yml at <id> or at <id>; write one (see docs/rules.md) or pass --rules FILE

The rules changed by the head, with the guess kept (the base is the
merge-base): the union of both copies selects, the trusted copy named as
before:

  $ git checkout -q main && printf 'version: 1\nunowned: global-only\nlanes:\n  a:\n    paths: ["a/"]\n    gates:\n      a-unit: {run: "true"}\n' > sluice.yml && git add -A && git commit -qm 'rules on main'
  $ git checkout -q -b narrows && printf 'version: 1\nunowned: global-only\nlanes:\n  a:\n    paths: ["a/"]\n    gates:\n      a-unit: {run: "true", when: ["nothing/**"]}\n      a-two: {run: "true"}\n' > sluice.yml && echo c > a/f && git commit -qam narrows
  $ show --base main
  rules sluice.yml@<merge-base>
  rules_blob [0-9a-f]{40} (re)
  rules_changed True base==merge_base True
  gates ['a-two', 'a-unit'] of ['a-two', 'a-unit']

With --worktree the head's copy is the file on disk: unchanged, the guess
at the base is all that is parsed; edited, it selects beside the trusted
copy:

  $ git checkout -q main && echo d > a/f
  $ show --base main --worktree
  rules sluice.yml@<merge-base>
  rules_blob [0-9a-f]{40} (re)
  rules_changed False base==merge_base True
  gates ['a-unit'] of ['a-unit']
  $ sed -i 's/a-unit: {run: "true"}/a-unit: {run: "true"}\n      a-wt: {run: "true"}/' sluice.yml
  $ show --base main --worktree
  rules sluice.yml@<merge-base>
  rules_blob [0-9a-f]{40} (re)
  rules_changed True base==merge_base True
  gates ['a-unit', 'a-wt'] of ['a-unit', 'a-wt']
  $ git checkout -q -- .

A base that is missing, with run-all: no trusted copy, the head's runs
everything:

  $ show --base no-such-branch --if-missing-base=run-all | sed "s/$(git rev-parse --short=12 HEAD)/<head>/"
  rules sluice.yml@<head>
  rules_blob None
  rules_changed True base==merge_base True
  gates ['a-unit'] of ['a-unit']
