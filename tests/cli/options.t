The command line's grammar (SPEC.md §3): every option, a command's own or
a global one, may stand before or after the command's name; an option a
command does not take is bad usage that names it and the closest one it
does take; a command's --help lists every option it takes.

  $ $FIXTURES/example/make-repo.sh repo > /dev/null && cd repo
  $ cp "$FIXTURES/rules/spec-example.yml" ../other.yml

Global options after the command, and command options before it:

  $ sluice owners --rules ../other.yml api/x.proto
  api/x.proto  contracts  @platform/api  ../other.yml:33
  $ sluice --rules ../other.yml owners api/x.proto
  api/x.proto  contracts  @platform/api  ../other.yml:33
  $ sluice --format json owners api/x.proto | grep '"lane"'
        "lane": "contracts",
  $ sluice owners api/x.proto --format=json | grep '"lane"'
        "lane": "contracts",
  $ cd .. && sluice owners -C repo api/x.proto && cd repo
  api/x.proto  contracts  @platform/api  sluice.yml:\d+ (re)
  $ sluice --base HEAD~1 select --format json > before.json
  $ sluice select --format json --base HEAD~1 > after.json
  $ cmp before.json after.json && rm before.json after.json
  $ sluice --ledger x.db override list
  sluice: no override ledger at 'x.db': * (glob)
  [3]
  $ sluice --reason x override request --commit HEAD nope 2>&1 | head -c 40
  sluice: no gate named 'nope' in the trus (no-eol)
  $ sluice check --strict --rules ../other.yml > /dev/null; echo $?
  1
  $ sluice --strict --format json check | grep -c '"strict": true'
  1

"--" ends the options: what follows is an operand, even if it looks like
one.

  $ sluice owners -- --format
  --format  (unowned)  -  -

Unknown options, misspelt ones and options of another command are bad usage
(exit 2), named, with the closest option of that command:

  $ sluice select --formt json
  sluice: unknown option '--formt' for 'sluice select'; did you mean '--format'?
  [2]
  $ sluice run --jsno r.json
  sluice: unknown option '--jsno' for 'sluice run'; did you mean '--json'?
  [2]
  $ sluice owners --base HEAD x
  sluice: unknown option '--base' for 'sluice owners'; see 'sluice owners --help'
  [2]
  $ sluice owners -q x
  sluice: unknown option '-q' for 'sluice owners'; see 'sluice owners --help'
  [2]
  $ sluice --colour=never owners x
  sluice: unknown option '--colour'; did you mean '--color'?
  [2]
  $ sluice owners --stdin=yes
  sluice: option '--stdin' takes no value; see 'sluice owners --help'
  [2]
  $ sluice run --json
  sluice: option '--json' needs a value; see 'sluice run --help'
  [2]
  $ sluice override list --reason x
  sluice: 'override list' takes no --reason; see 'sluice override list --help'
  [2]
  $ sluice override aprove 1
  sluice: 'aprove' is not an override command; did you mean 'approve'?
  [2]
  $ sluice ownres x
  sluice: 'ownres' is not a sluice command; did you mean 'owners'?
  [2]
  $ sluice help selct
  sluice: 'selct' is not a sluice command; did you mean 'select'?
  [2]
  $ sluice --color=sometimes owners x
  sluice: --color takes auto, always or never, not 'sometimes'
  [2]

--version answers wherever it stands:

  $ sluice select --version
  sluice \d+\.\d+\.\d+ (re)

Every command's --help lists every option its parser takes (the same table
shell completion reads), and the global ones:

  $ for c in $(sluice __complete commands); do
  >   [ "$c" = override ] && continue
  >   for o in $(sluice __complete options "$c"); do
  >     sluice "$c" --help | grep -qe "$o\b" || echo "$c --help lacks $o"
  >   done
  > done
  $ for s in $(sluice __complete subcommands override); do
  >   for o in $(sluice __complete options override "$s"); do
  >     sluice override "$s" --help | grep -qe "$o\b" ||
  >       echo "override $s --help lacks $o"
  >   done
  > done
  $ sluice __complete options owners
  --format
  --stdin
  -z
  -C
  --rules
  --color
  --help
  --version
  $ sluice __complete commands | tr '\n' ' '
  select run repro merge explain owners check override import init help  (no-eol)

What completion offers beyond options: the rules' gates and lanes (the
working tree's copy, or --rules), override's commands, and the ids of
open overrides with their gates.

  $ sluice __complete lanes | tr '\n' ' '
  contracts billing users web docs platform  (no-eol)
  $ sluice --rules ../other.yml __complete gates | head -n 2
  contract-compat
  billing-unit
  $ sluice __complete subcommands override | head -n 2
  request
  approve
  $ git config user.email dev@example.com
  $ sluice override request web-checkout-smoke --commit HEAD --reason r
  1
  $ sluice __complete overrides
  1\tweb-checkout-smoke (re)
  $ sluice __complete frobs 2>&1 | head -n 1
  usage: sluice __complete commands
  $ sluice __complete frobs 2> /dev/null
  [2]

Colour: only on a terminal (never in these pipes), unless asked for;
NO_COLOR and --color=never turn it off.

  $ sluice check --color=always > ../color.out 2>&1; echo "exit $?"; grep -c $'\033\[' ../color.out
  exit 0
  [1-9]\d* (re)
  $ sluice check > ../plain.out 2>&1; echo "exit $?"; grep -c $'\033\[' ../plain.out
  exit 0
  0
  [1]
  $ NO_COLOR=1 sluice check > ../plain.out 2>&1; echo "exit $?"; grep -c $'\033\[' ../plain.out
  exit 0
  0
  [1]

`sluice help COMMAND` opens the command's manual page (here the build
tree's), and prints its --help when man is not there to open one:

  $ MANPAGER=cat MANWIDTH=80 sluice help run | grep -c 'sluice-run - select, then run'
  1
  $ MANPAGER=cat MANWIDTH=80 sluice help sluice.yml | grep -c 'sluice.yml - the rules of sluice'
  1
  $ PATH=/nonexistent "$SLUICE_BIN" help run | head -n 1
  usage: sluice run [options]
  $ sluice help frobnicate
  sluice: 'frobnicate' is not a sluice command; see 'sluice --help'
  [2]
  $ PATH=/nonexistent "$SLUICE_BIN" help --color=never owners | head -n 1
  usage: sluice owners [--format text|json] [PATH...]
