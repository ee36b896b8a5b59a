#!/usr/bin/env bash
# bench/check/run.sh [BUILD_DIR]: `sluice check` at the scale of the
# ownership benchmark (docs/check.md, "Cost").
#
# Generates (once) the 100,000 paths and the rules files of 1,500, 3,000
# and 6,000 rules of bench/owners/gen.py, a git repository whose HEAD
# tracks exactly those paths (written with git fast-import, every file
# empty), and a CODEOWNERS file made of the 3,000-rule file's globs, each
# with its lane's owner. Then hyperfine, end to end, start-up included:
#   - sluice owners --stdin over the same paths (the deciding rule of every
#     path and nothing else: the floor for check);
#   - sluice check at each rule count;
#   - sluice check --format json, and --codeowners, at 3,000 rules.
# The generated rules leave most patterns dead (shadowed or matching
# nothing), far more than a real rules file: check's worst case. For the
# usual case, the same at the head of the 100,000-file monorepo of
# bench/gen-monorepo.py with its own sluice.yml (one lane per service,
# library and app).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
data=${SLUICE_BENCH_DATA:-$build/bench/check-data}
sluice=$build/cli/sluice

ninja -C "$build" cli/sluice >/dev/null
if [ ! -s "$data/rules-6000.yml" ] || [ ! -s "$data/paths.txt" ]; then
	python3 "$root/bench/owners/gen.py" "$data"
fi
if [ ! -d "$data/repo/.git" ]; then
	rm -rf "$data/repo"
	git init -q "$data/repo"
	python3 - "$data/paths.txt" <<'PY' | git -C "$data/repo" fast-import --quiet
import sys
paths = sorted({l.strip() for l in open(sys.argv[1]) if l.strip()})
out = sys.stdout
out.write("blob\nmark :1\ndata 0\n\n")
out.write("commit refs/heads/main\n"
          "committer Bench <bench@example.com> 1700000000 +0000\n"
          "data 6\nbench\n")
for p in paths:
    out.write(f"M 100644 :1 {p}\n")
out.write("\n")
PY
	git -C "$data/repo" symbolic-ref HEAD refs/heads/main
fi
if [ ! -s "$data/CODEOWNERS" ]; then
	python3 - "$data/rules-3000.yml" >"$data/CODEOWNERS" <<'PY'
import sys
owner = None
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("    owners:"):
        owner = line.split('"')[1]
    elif line.startswith("      - '") and not line.startswith("      - 're:"):
        print(f"{line[9:-1]} {owner}")
PY
fi

if [ ! -d "$data/mono" ]; then
	python3 "$root/bench/gen-monorepo.py" "$data/mono" --no-checkout \
		>/dev/null
fi
git -C "$data/mono" show HEAD:sluice.yml >"$data/mono-sluice.yml"

cd "$data/repo"
if ! command -v hyperfine >/dev/null; then
	echo "(hyperfine not found: apt-get install hyperfine)"
	exit 1
fi
hyperfine --style basic --warmup 1 --runs 10 -i \
	--export-json "$data/check-hyperfine.json" \
	-n "owners --stdin, 3,000 rules" \
	"$sluice --rules ../rules-3000.yml owners --stdin < ../paths.txt" \
	-n "check, monorepo's own sluice.yml" \
	"$sluice -C ../mono --rules ../mono-sluice.yml check" \
	-n "check, 1,500 rules" "$sluice --rules ../rules-1500.yml check" \
	-n "check, 3,000 rules" "$sluice --rules ../rules-3000.yml check" \
	-n "check, 6,000 rules" "$sluice --rules ../rules-6000.yml check" \
	-n "check --format json, 3,000 rules" \
	"$sluice --rules ../rules-3000.yml check --format json" \
	-n "check --codeowners, 3,000 rules" \
	"$sluice --rules ../rules-3000.yml check --codeowners ../CODEOWNERS" \
	>/dev/null
python3 - "$data/check-hyperfine.json" <<'PY'
import json, sys
print("| command (100,000 files) | wall ms (mean ± σ) | CPU ms (user+sys) |")
print("|---|---:|---:|")
for r in json.load(open(sys.argv[1]))["results"]:
    cpu = (r["user"] + r["system"]) * 1000
    print(f"| `{r['command']}` | {r['mean'] * 1000:.0f} ± "
          f"{r['stddev'] * 1000:.0f} | {cpu:.0f} |")
PY
echo
for n in 1500 3000 6000; do
	"$sluice" --rules "../rules-$n.yml" check | tail -n 1 || true
done
"$sluice" --rules ../rules-3000.yml check --codeowners ../CODEOWNERS |
	tail -n 1 || true
/usr/bin/time -f "peak RSS, check --codeowners at 3,000 rules: %M KiB" \
	"$sluice" --rules ../rules-3000.yml check --codeowners ../CODEOWNERS \
	>/dev/null || true
