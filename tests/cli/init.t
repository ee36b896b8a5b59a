`sluice init`: a starter sluice.yml from what the repository has, a
CODEOWNERS file or a commented template; never replacing a file; `check`
passes on what it writes.

From a CODEOWNERS file where GitHub looks for one:

  $ git init -q repo && cd repo && mkdir -p .github src docs
  $ printf '* @all\n/src/ @src-team\n/docs/ docs@example.com\n' > .github/CODEOWNERS
  $ touch src/a docs/b README && git add . && git -c user.email=a@b -c user.name=a commit -qm x
  $ sluice init
  sluice: wrote sluice.yml from .github/CODEOWNERS; next: add gates to its lanes, then 'sluice check'
  $ sed -n '/^version/,/^$/p;/^lanes/,/^$/p' sluice.yml
  version: 1
  
  lanes:
    all:
      owners: ['@all']
      paths:
        - '*' # line 1
    src-team:
      owners: ['@src-team']
      paths:
        - '/src/' # line 2
    docs:
      owners: ['docs@example.com']
      paths:
        - '/docs/' # line 3
  
  $ sluice check > /dev/null && echo check passes
  check passes
  $ sluice owners src/a
  src/a  src-team  @src-team  sluice.yml:22

It never replaces a file, and says so (exit 2); the file is as it was:

  $ cp sluice.yml ../before.yml
  $ sluice init
  sluice: '/.*/repo/sluice.yml' already exists; sluice init never replaces a file: edit it, or write another with -o FILE (re)
  [2]
  $ cmp sluice.yml ../before.yml && ls | grep -c init
  0
  [1]

The commented template, when there is no CODEOWNERS file (or with
--template): every file is owned, and `check --strict` passes:

  $ sluice init --template -o starter.yml
  sluice: wrote starter.yml from the template; next: add gates to its lanes, then 'sluice check'
  $ sluice check --strict --rules starter.yml | tail -n 1
  checked starter.yml against 4 tracked files of HEAD \([0-9a-f]{12}\): 1 note (re)
  $ cd .. && git init -q bare-bones && cd bare-bones && touch x && git add x && git -c user.email=a@b -c user.name=a commit -qm x
  $ sluice init 2>&1 && grep -c '^  everything:' sluice.yml
  sluice: wrote sluice.yml from the template; next: add gates to its lanes, then 'sluice check'
  1
  $ sluice check --strict > /dev/null && echo check passes
  check passes

--stdout prints instead; --codeowners names the file (GitLab's sections
too); bad usage is exit 2:

  $ sluice init --stdout --codeowners "$FIXTURES/codeowners/CODEOWNERS" 2>/dev/null | grep -c '^  [a-z].*:$'
  \d+ (re)
  $ sluice init --stdout --codeowners nope
  sluice: cannot open 'nope': No such file or directory
  [3]
  $ sluice init --template --codeowners x
  sluice: init: --codeowners and --template exclude each other
  [2]
  $ sluice init extra
  sluice: init takes no arguments ('extra'); see 'sluice init --help'
  [2]
  $ cd "$(mktemp -d)" && sluice init
  sluice: * (glob)
  [3]
