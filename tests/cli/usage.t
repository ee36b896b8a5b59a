The command line itself: version, help, unknown commands and options, and
the exit status of bad usage (2).

  $ sluice --version
  sluice \d+\.\d+\.\d+ (re)

  $ sluice --help | head -n 1
  usage: sluice [options] <command> [<args>]

  $ sluice frobnicate
  sluice: 'frobnicate' is not a sluice command; see 'sluice --help'
  [2]

  $ sluice --bogus owners
  sluice: unknown option '--bogus'; see 'sluice --help'
  [2]

  $ sluice > /dev/null 2>&1
  [2]

  $ sluice -C /nonexistent owners
  sluice: cannot change to '/nonexistent': No such file or directory
  [2]
