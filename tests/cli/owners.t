`sluice owners`: the lane, owners and deciding rule of each path, in text
and JSON, from arguments or stdin; where the rules file is found; and what
is refused (exit 2) before any rule is consulted.

A repository with the SPEC's example rules at its root:

  $ git init -q repo && cd repo
  $ cp "$FIXTURES/rules/spec-example.yml" sluice.yml

The last matching rule decides: services/billing/docs/ (docs, written
after billing) carves its paths out of billing; *.md too.

  $ sluice owners api/v1/billing.proto services/billing/api.c services/billing/docs/guide services/billing/README.md apps/web/index.ts lib/x.c
  api/v1/billing.proto         contracts  @platform/api             sluice.yml:33
  services/billing/api.c       billing    @billing,ana@example.com  sluice.yml:36
  services/billing/docs/guide  docs       -                         sluice.yml:56
  services/billing/README.md   docs       -                         sluice.yml:56
  apps/web/index.ts            web        @web                      sluice.yml:50
  lib/x.c                      (unowned)  -                         -

A trailing '/' asks about a directory: "services/billing/" as a pattern
matches the directory itself only as such.

  $ sluice owners services/billing services/billing/
  services/billing   (unowned)  -                         -
  services/billing/  billing    @billing,ana@example.com  sluice.yml:36
  $ sluice owners --format json services/billing/ | grep '"path"'
        "path": "services/billing/",

JSON, with null for an unowned path, and non-UTF-8 paths kept recoverable:

  $ sluice owners --format json api/x lib/x.c "$(printf 'd/\377.md')"
  {
    "paths": [
      {
        "path": "api/x",
        "lane": "contracts",
        "owners": [
          "@platform/api"
        ],
        "rule": "sluice.yml:33",
        "covered_by": null
      },
      {
        "path": "lib/x.c",
        "lane": null,
        "owners": [],
        "rule": null,
        "covered_by": null
      },
      {
        "path": "d/�.md",
        "path_base64": "ZC//Lm1k",
        "lane": "docs",
        "owners": [],
        "rule": "sluice.yml:56",
        "covered_by": null
      }
    ]
  }

A path no lane owns can still select gates: run_all_on (every gate), a
gate's inputs (that gate) or a lane's inputs (that lane). RULE says which,
first match in that order, as check counts it covered and explain names it
(issue 16: it used to print a bare '-'):

  $ cat > ../cover.yml <<'EOF'
  > version: 1
  > run_all_on: [package-lock.json, "toolchain/**"]
  > lanes:
  >   web:
  >     paths: ["web/"]
  >     inputs: [karma.conf.js, "tsconfig*.json"]
  >     gates:
  >       web-unit: {run: "true"}
  >       web-e2e:
  >         run: "true"
  >         inputs: [playwright.config.ts, tsconfig.base.json]
  > EOF
  $ sluice --rules ../cover.yml owners package-lock.json tsconfig.base.json tsconfig.json playwright.config.ts lib/x web/a
  package-lock.json     (unowned)  -  run_all_on ../cover.yml:2
  tsconfig.base.json    (unowned)  -  inputs of gate web-e2e ../cover.yml:11
  tsconfig.json         (unowned)  -  inputs of lane web ../cover.yml:6
  playwright.config.ts  (unowned)  -  inputs of gate web-e2e ../cover.yml:11
  lib/x                 (unowned)  -  -
  web/a                 web        -  ../cover.yml:5
  $ sluice --rules ../cover.yml owners --format json tsconfig.json package-lock.json | grep -A4 covered_by
        "covered_by": {
          "kind": "lane_inputs",
          "name": "web",
          "rule": "../cover.yml:6"
        }
  --
        "covered_by": {
          "kind": "run_all_on",
          "name": null,
          "rule": "../cover.yml:2"
        }

Paths from stdin, one per line, as `git diff --name-only` prints them
(quoted when odd, which is undone); empty lines are skipped. Odd paths
are printed quoted the same way.

  $ printf 'api/a\n\n"x\\tb.proto"\napps/web/a\n' | sluice owners --stdin
  api/a         contracts  @platform/api  sluice.yml:33
  "x\tb.proto"  contracts  @platform/api  sluice.yml:33
  apps/web/a    web        @web           sluice.yml:50

  $ printf 'api/a\0new\nline.proto\0' | sluice owners --stdin -z --format json | grep '"path"'
        "path": "api/a",
        "path": "new\nline.proto",

From a subdirectory the rules are still the root's sluice.yml, and paths
are still relative to the root:

  $ mkdir -p services/billing && cd services/billing
  $ sluice owners api/x
  api/x  contracts  @platform/api  ../../sluice.yml:33
  $ cd ../..

--rules and SLUICE_RULES name another file:

  $ printf 'version: 1\nlanes:\n  all:\n    owners: ["@all"]\n    paths: ["**"]\n' > ../other.yml
  $ sluice --rules ../other.yml owners lib/x.c
  lib/x.c  all  @all  ../other.yml:5
  $ SLUICE_RULES=../other.yml sluice owners lib/x.c
  lib/x.c  all  @all  ../other.yml:5

Bad usage and bad input exit 2, before any rule is read:

  $ sluice owners
  sluice: owners: no paths given; see 'sluice owners --help'
  [2]
  $ sluice owners --format xml a
  sluice: owners: unknown format 'xml'; use text or json
  [2]
  $ sluice owners -z a
  sluice: owners: -z goes with --stdin; see 'sluice owners --help'
  [2]
  $ echo a | sluice owners --stdin b
  sluice: owners: give paths as arguments or with --stdin, not both
  [2]
  $ sluice owners ./api/x
  sluice: path './api/x' is not relative to the repository root as git prints paths (no leading '/', no empty, '.' or '..' component)
  [2]
  $ sluice owners /api/x
  sluice: path '/api/x' is not relative to the repository root as git prints paths (no leading '/', no empty, '.' or '..' component)
  [2]
  $ sluice owners 'api//x'
  sluice: path 'api//x' is not relative to the repository root as git prints paths (no leading '/', no empty, '.' or '..' component)
  [2]
  $ printf '"unterminated\n' | sluice owners --stdin
  sluice: cannot unquote the path '"unterminated' read from stdin
  [2]

Bad rules exit 2 with the file, line and column:

  $ printf 'version: 1\nlanes:\n  a:\n    paths: ["[oops"]\n' > ../bad.yml
  $ sluice --rules ../bad.yml owners x
  sluice: ../bad.yml:4:13: pattern '[oops' has an unterminated '[' at offset 0; write '\[' for a literal '['
  [2]

A hostile regular expression is an error, not "unowned":

  $ printf 'version: 1\nlanes:\n  a:\n    paths: ["re:(a|a)*b"]\n' > ../slow.yml
  $ sluice --rules ../slow.yml owners aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaacb
  sluice: pattern 're:(a|a)*b' hit the regular expression match limit on path 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaacb'; simplify it (nested repetition like '(a+)+' backtracks without end)
  [2]

Outside a repository, without --rules: the environment, as for select
(issue 12: one answer for one condition):

  $ cd "$(mktemp -d)" && sluice owners x
  sluice: not a git repository: '/*'; run sluice inside a clone, or pass -C DIR (or --rules FILE) (glob)
  [3]
  $ sluice select
  sluice: not a git repository: '/*'; run sluice inside a clone, or pass -C DIR (glob)
  [3]

Help:

  $ sluice owners --help | head -n 2
  usage: sluice owners [--format text|json] [PATH...]
         sluice owners [--format text|json] --stdin [-z]
