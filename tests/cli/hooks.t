The pre-commit hooks (.pre-commit-hooks.yaml): each is well formed for
pre-commit (the keys it requires, stages it knows, a system command that
takes no file names), and its entry, run as pre-commit runs it, does what
it says in a repository that uses sluice.

  $ python3 - "$SOURCE_ROOT/.pre-commit-hooks.yaml" <<'PY'
  > import sys, yaml
  > hooks = yaml.safe_load(open(sys.argv[1]))
  > stages = {"commit-msg", "post-checkout", "post-commit", "post-merge",
  >           "post-rewrite", "pre-commit", "pre-merge-commit", "pre-push",
  >           "pre-rebase", "prepare-commit-msg", "manual"}
  > for h in hooks:
  >     assert {"id", "name", "entry", "language"} <= set(h), h
  >     assert h["language"] == "system" and h["pass_filenames"] is False, h
  >     assert set(h.get("stages", [])) <= stages, h
  >     print(h["id"], "|", h["entry"], "|", " ".join(h["stages"]))
  > PY
  sluice-run | sluice run --worktree | pre-push manual
  sluice-check | sluice check | pre-commit pre-push manual

In the example monorepo, whose feature branch breaks a consumer's smoke
gate: the push is stopped (exit 1) by the gate CI would fail, and the
rules pass their check.

  $ $FIXTURES/example/make-repo.sh repo > /dev/null && cd repo
  $ entry() { python3 -c 'import sys, yaml; print(next(h["entry"] for h in yaml.safe_load(open(sys.argv[1])) if h["id"] == sys.argv[2]))' "$SOURCE_ROOT/.pre-commit-hooks.yaml" "$1"; }
  $ $(entry sluice-run) > ../out.txt; echo $?
  1
  $ grep '^sluice: FAIL' ../out.txt
  sluice: FAIL: 6 of 7 gates passed
  $ $(entry sluice-check) > /dev/null; echo $?
  0
