Shell completion: bash's completion function, run as bash runs it, offers
sluice's own words (commands, options, gates, override ids), which come
from `sluice __complete`, never from parsing YAML in the shell.

  $ $FIXTURES/example/make-repo.sh repo > /dev/null && cd repo
  $ complete_words() {
  >   bash -c 'source "$SOURCE_ROOT/completions/sluice.bash"
  >     COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _sluice
  >     printf "%s\n" "${COMPREPLY[@]}"' complete "$@"
  > }
  $ complete_words sluice se | tr '\n' ' '
  select  (no-eol)
  $ complete_words sluice owners --fo | tr '\n' ' '
  --format  (no-eol)
  $ complete_words sluice select --format '' | tr '\n' ' '
  text json github-matrix gitlab-ci  (no-eol)
  $ complete_words sluice run --gate web | tr '\n' ' '
  web-unit web-checkout-smoke  (no-eol)
  $ complete_words sluice --base main repro bil | tr '\n' ' '
  billing-unit billing-migrations billing-api-smoke  (no-eol)
  $ complete_words sluice run --json out.json --gat | tr '\n' ' '
  --gate  (no-eol)
  $ complete_words sluice override ap | tr '\n' ' '
  approve  (no-eol)
  $ complete_words sluice override approve --re | tr '\n' ' '
  --reason  (no-eol)
  $ git config user.email dev@example.com
  $ sluice override request web-checkout-smoke --commit HEAD --reason r
  1
  $ complete_words sluice override approve '' | tr '\n' ' '
  1  (no-eol)
  $ complete_words sluice --rules "$FIXTURES/rules/spec-example.yml" run --gate contract | tr '\n' ' '
  contract-compat  (no-eol)

Options that take a value, so that the command is found after them:

  $ sluice __complete values run | tr '\n' ' '
  --base --head --if-missing-base --paths-from --rules --jobs --gate --json --junit --summary --logs --ledger --grace -j -C  (no-eol)

The zsh function, run by zsh with compadd and _files standing in for the
completion system's (they print what they are given; zsh itself then
keeps the words that match what was typed):

  $ zsh_words() {
  >   zsh -c 'compadd() { if [[ $1 == -a ]]; then print -l -- ${(P)2}; else print -l -- "$@"; fi }
  >     _files() { print -- "<files>"; }
  >     source "$SOURCE_ROOT/completions/_sluice" > /dev/null 2>&1
  >     words=("$@"); CURRENT=$#; _sluice' zsh "$@"
  > }
  $ zsh_words sluice '' | head -n 3 | tr '\n' ' '
  select run repro  (no-eol)
  $ zsh_words sluice run --gate '' | grep -c smoke
  3
  $ zsh_words sluice --base main repro '' | head -n 2 | tr '\n' ' '
  contract-compat repo-lint  (no-eol)
  $ zsh_words sluice owners -- | grep -c -e --format -e --stdin
  2
  $ zsh_words sluice override approve '' | tr '\n' ' '
  1  (no-eol)
  $ zsh_words sluice owners ''
  <files>
