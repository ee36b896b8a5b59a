Where `run` and `merge` put results and progress: `--json -` writes the
results to stdout (and the progress to stderr), `--summary` adds to its
file as GitHub's $GITHUB_STEP_SUMMARY wants, a terminal's progress line
never wraps, and without a terminal a heartbeat says what still runs.

  $ git init -q -b main r && cd r
  $ printf 'version: 1\nlanes:\n  a-very-long-lane-name:\n    paths: ["a/"]\n    gates:\n      a-gate-with-a-rather-long-name: {run: "sleep 1.5; echo one"}\n      another-gate-with-a-long-name: {run: "sleep 1.5; echo two"}\n' > sluice.yml
  $ mkdir a && echo x > a/f && git add . && git -c user.email=a@b -c user.name=a commit -qm base
  $ echo y > a/f && git -c user.email=a@b -c user.name=a commit -qam change

--json - : stdout is the results file and nothing else; no file named '-':

  $ sluice run --base HEAD~1 --json - 2>../progress.txt | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["schema"], d["verdict"], len(d["gates"]))'
  sluice.results/1 pass 2
  $ grep -c '^sluice: pass' ../progress.txt
  1
  $ ls -- -
  ls: cannot access '-': No such file or directory
  [2]

--summary adds to the file (each run, or each step of a job, its own part):

  $ echo '# before' > ../s.md
  $ sluice run --base HEAD~1 --summary ../s.md > /dev/null
  $ sluice run --base HEAD~1 --summary ../s.md > /dev/null
  $ head -n 1 ../s.md; grep -c '^## sluice' ../s.md
  # before
  2
  $ sluice run --base HEAD~1 --json ../r.json > /dev/null && sluice merge ../r.json --json - --summary - 2>/dev/null | grep -c -e '"schema"' -e '^## sluice'
  2

Without a terminal, a gate's block appears when it finishes; while gates
run longer than the heartbeat (60s; SLUICE_HEARTBEAT changes it) a line
says which:

  $ SLUICE_HEARTBEAT=500ms sluice run --base HEAD~1 -j 2 | grep -m 1 '^sluice: 0 of 2'
  sluice: 0 of 2 gates finished; running: a-gate-with-a-rather-long-name \(\d+s\), another-gate-with-a-long-name \(\d+s\) (re)
  $ SLUICE_HEARTBEAT=0 sluice run --base HEAD~1 -j 2 | grep -c 'gates finished; running'
  0
  [1]

On a terminal 30 columns wide the progress line is redrawn in place and
never wider than 29 columns, so that no redraw leaves a wrapped piece
behind:

  $ python3 - <<'PY'
  > import fcntl, os, pty, re, struct, termios
  > pid, fd = pty.fork()
  > if pid == 0:
  >     fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 30, 0, 0))
  >     os.environ["TERM"] = "xterm"
  >     os.execvp("sluice", ["sluice", "run", "--base", "HEAD~1", "-j", "2"])
  > out = b""
  > while True:
  >     try:
  >         data = os.read(fd, 4096)
  >     except OSError:
  >         break
  >     if not data:
  >         break
  >     out += data
  > os.waitpid(pid, 0)
  > text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out.decode())
  > lines = [s for s in re.split(r"[\r\n]", text) if s.startswith("[")]
  > print(len(lines) > 1, max(len(s) for s in lines))
  > PY
  True 29
