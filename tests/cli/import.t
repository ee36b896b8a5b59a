`sluice import codeowners`: a rules file from a CODEOWNERS file, its
warnings, -o, stdin, GitLab's sections, and the errors (docs/codeowners.md).

  $ sluice import codeowners --help | head -n 1
  usage: sluice import codeowners [--flavor github|gitlab] [-o FILE] FILE

  $ sluice import --help | head -n 1
  usage: sluice import codeowners [--flavor github|gitlab] [-o FILE] FILE

A GitHub file: one lane per owner set, a regular expression where GitHub's
lone trailing '*' does not reach into subdirectories, an owner-less lane,
and a line that must not win over a later one of another lane. The skipped
line is a warning on stderr (first: stdout is written at the end) and a
comment in the rules.

  $ cat > CODEOWNERS <<'EOF'
  > # Default owners.
  > *             @acme/everyone
  > *.js          @acme/frontend   # inline comment
  > docs/*        docs@example.com
  > /apps/        @octocat
  > /apps/github
  > apps/**/*.js  @octocat
  > !vendor/      @acme/vendor
  > EOF

  $ sluice import codeowners CODEOWNERS
  sluice: warning: CODEOWNERS:8: skipped '!vendor/': negation ('!') does not work in GitHub's CODEOWNERS, which skips the line
  # Written by `sluice import codeowners` from CODEOWNERS, read with GitHub's rules.
  # One lane per owner set. A path belongs to the lane of the last pattern
  # that matches it, which gives it the owners the CODEOWNERS file gives it.
  # A 're:' pattern says what a glob cannot, or leaves out the paths a later
  # line decides (docs/codeowners.md). Line numbers are the CODEOWNERS file's.
  #
  # Warnings:
  #   CODEOWNERS:8: skipped '!vendor/': negation ('!') does not work in GitHub's CODEOWNERS, which skips the line
  version: 1
  
  lanes:
    acme-everyone:
      owners: ['@acme/everyone']
      paths:
        - '*' # line 2
    acme-frontend:
      owners: ['@acme/frontend']
      paths:
        - '*.js' # line 3
    octocat:
      owners: ['@octocat']
      paths:
        - '/apps/' # line 5
        - 'apps/**/*.js' # line 7
    no-owners:
      # No owners: CODEOWNERS says nobody owns these paths.
      paths:
        # line 6: '/apps/github', less what line 7 decides
        - 're:(?!apps/(?:[^/]*+/)*[^/]*\.js(?:/.*)?\z)apps/github(?:/.*)?'
    docs:
      owners: ['docs@example.com']
      paths:
        # line 4: 'docs/*', not what is under the directories it matches
        - 're:docs/[^/]*'

With -o the rules go to a file, which `sluice owners` then reads: every
path gets the owners GitHub would give it.

  $ sluice import codeowners -o rules.yml CODEOWNERS
  sluice: warning: CODEOWNERS:8: skipped '!vendor/': negation ('!') does not work in GitHub's CODEOWNERS, which skips the line

  $ printf '%s\n' README.md src/x.js docs/a.md docs/x/b.md apps/web/a.go \
  >   apps/github/a.go apps/github/b.js vendor/x | sluice --rules rules.yml owners --stdin
  README.md         acme-everyone  @acme/everyone    rules.yml:15
  src/x.js          acme-frontend  @acme/frontend    rules.yml:19
  docs/a.md         docs           docs@example.com  rules.yml:34
  docs/x/b.md       acme-everyone  @acme/everyone    rules.yml:15
  apps/web/a.go     octocat        @octocat          rules.yml:23
  apps/github/a.go  no-owners      -                 rules.yml:29
  apps/github/b.js  octocat        @octocat          rules.yml:24
  vendor/x          acme-everyone  @acme/everyone    rules.yml:15

'-' reads the file from stdin.

  $ sluice import codeowners - < CODEOWNERS 2>&1 | grep -c '^sluice: warning: <stdin>:8:'
  1

GitLab: auto-detected from its [Section] headers. Default owners apply to
the lines without their own, a pattern without a leading '/' matches at
any depth, and what a lane cannot say (optional sections, approval counts,
sections that may both own a path) is a warning.

  $ cat > GITLAB <<'EOF'
  > * @general
  > 
  > [Documentation] @docs-team
  > docs/
  > README.md @tech-lead
  > 
  > ^[Database][2] @database-team
  > db/
  > docs/db/ @db-docs
  > EOF

  $ sluice import codeowners -o gl.yml GITLAB
  sluice: warning: GITLAB:4: sections '(before any section)' and 'Documentation' may match the same path (lines 1 and 4, 1 and 5) with other owners: GitLab asks each section's last matching line, but a path has one lane, so the import gives it the later line's owners only
  sluice: warning: GITLAB:7: section 'Database' is optional in GitLab ('^'); a lane's owners cannot be optional, so its lines are imported as if the section were required
  sluice: warning: GITLAB:7: section 'Database' requires 2 approvals in GitLab; sluice does not count approvals
  sluice: warning: GITLAB:8: sections '(before any section)' and 'Database' may match the same path (lines 1 and 8, 1 and 9) with other owners: GitLab asks each section's last matching line, but a path has one lane, so the import gives it the later line's owners only
  sluice: warning: GITLAB:8: sections 'Documentation' and 'Database' may match the same path (lines 4 and 8, 4 and 9, 5 and 8, and 1 more pair) with other owners: GitLab asks each section's last matching line, but a path has one lane, so the import gives it the later line's owners only

  $ grep -c "GitLab's rules" gl.yml
  1

  $ printf '%s\n' docs/a.md x/docs/db/y db/a.sql README.md src/a.c | sluice --rules gl.yml owners --stdin
  docs/a.md    docs-team      @docs-team      gl.yml:23
  x/docs/db/y  db-docs        @db-docs        gl.yml:35
  db/a.sql     database-team  @database-team  gl.yml:31
  README.md    tech-lead      @tech-lead      gl.yml:27
  src/a.c      general        @general        gl.yml:19

Read as GitHub's, the headers are lines GitHub skips.

  $ sluice import codeowners --flavor github GITLAB 2>&1 >/dev/null
  sluice: warning: GITLAB:3: skipped '[Documentation]': character ranges ('[ ]') do not work in GitHub's CODEOWNERS, which skips the line
  sluice: warning: GITLAB:7: skipped '^[Database][2]': character ranges ('[ ]') do not work in GitHub's CODEOWNERS, which skips the line

The fixture of the exactness test: every line GitHub skips is reported.

  $ sluice import codeowners $FIXTURES/codeowners/CODEOWNERS 2>&1 >/dev/null | sed 's/^sluice: warning: [^:]*CODEOWNERS:/CODEOWNERS:/' | cut -d: -f1-3
  CODEOWNERS:51: skipped '!apps/web/'
  CODEOWNERS:52: skipped 'lib/[id].js'
  CODEOWNERS:53: skipped '\#root.md'
  CODEOWNERS:54: skipped
  CODEOWNERS:55: skipped

Errors: a file that cannot be read or written is the environment (3); a bad
command line is usage (2); a file that is not text is refused (2).

  $ sluice import codeowners nope
  sluice: cannot open 'nope': No such file or directory
  [3]

  $ sluice import codeowners -o /nonexistent/rules.yml CODEOWNERS 2>&1 | tail -n 1
  sluice: cannot write '/nonexistent/rules.yml': No such file or directory; check the directory and free space

  $ sluice import codeowners -o /nonexistent/rules.yml CODEOWNERS 2>/dev/null
  [3]

  $ sluice import codeowners --flavor bitbucket CODEOWNERS
  sluice: import: unknown flavor 'bitbucket'; use github or gitlab
  [2]

  $ sluice import svn x
  sluice: import: cannot import from 'svn'; sluice imports 'codeowners'
  [2]

  $ sluice import
  sluice: import: say what to import: 'sluice import codeowners FILE'
  [2]

  $ sluice import codeowners
  sluice: import: no CODEOWNERS file given; see 'sluice import codeowners --help'
  [2]

  $ sluice import codeowners a b
  sluice: import: give one CODEOWNERS file; see 'sluice import codeowners --help'
  [2]

  $ sluice import codeowners --bogus CODEOWNERS
  sluice: unknown option '--bogus' for 'sluice import'; see 'sluice import --help'
  [2]

  $ printf 'a @b\nc\377 @d\n' > LATIN1 && sluice import codeowners LATIN1
  sluice: LATIN1:2: the line is not valid UTF-8; save the file as UTF-8
  [2]

-o replaces a file that is there.

  $ echo old > keep.yml && sluice import codeowners -o keep.yml CODEOWNERS 2>/dev/null && head -n 1 keep.yml
  # Written by `sluice import codeowners` from CODEOWNERS, read with GitHub's rules.
