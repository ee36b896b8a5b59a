The run history (docs/running.md, "Scheduling and the run history") names
gates and nothing of the clone it was written in: the file copied to
another clone, as a CI cache restores it on a fresh runner (docs/ci.md,
"The run history in CI"), schedules that clone's next run, longest first. (The gates' durations
are apart by more than a process start takes on a loaded machine under
the sanitizers: 0.3 s was not, and a-quick's `true` once took longer.)

  $ git init -q -b main one && cd one
  $ printf 'version: 1\nlanes:\n  app:\n    paths: ["app/"]\n    gates:\n      a-quick: {run: "true"}\n      b-slow: {run: "sleep 1.2"}\n      c-middle: {run: "sleep 0.6"}\n' > sluice.yml
  $ mkdir app && echo 1 > app/x && git add -A && git commit -qm rules && git checkout -qb change && echo 2 > app/x && git commit -qam change
  $ sluice run -j 1 --base HEAD~1 | grep '^=='
  == ✓ a-quick (local, lane app): passed in *s (glob)
  == ✓ b-slow (local, lane app): passed in *s (glob)
  == ✓ c-middle (local, lane app): passed in *s (glob)
  $ cd .. && git clone -q one two && cd two && git checkout -q change
  $ mkdir -p .sluice && cp ../one/.sluice/history.db .sluice/ && rm -rf ../one
  $ sluice run -j 1 --base HEAD~1 | grep '^=='
  == ✓ b-slow (local, lane app): passed in *s (glob)
  == ✓ c-middle (local, lane app): passed in *s (glob)
  == ✓ a-quick (local, lane app): passed in *s (glob)

Without it, a fresh clone runs them in the order given:

  $ cd .. && git clone -q two three && cd three && git checkout -q change
  $ sluice run -j 1 --base HEAD~1 | grep '^==' | cut -d' ' -f3
  a-quick
  b-slow
  c-middle
