#!/usr/bin/env bash
# bench/workspaces/run.sh [BUILD_DIR [REPO_DIR]]: the workspace benchmark
# (docs/performance.md, "Workspaces").
#
# Generates (once) the npm workspace of bench/workspaces/gen.py: 1,000
# packages, a package-lock.json of about 50,000 entries, the dozen-line
# sluice.yml with `workspaces:`. For each of its two changes (one
# package's file; a lockfile update of ten packages' entries) it checks
# what `sluice select` selects (the one package's gate; the ten packages'
# local gates, their consumers' smoke gates, no run-all), then times it in
# alternation with `git diff --name-only --no-renames` on the same commits
# (bench/paired.py: the median of the pairs' ratios, with its quartiles),
# by wall-clock time and by CPU time (PAIRED_CPU=1: user and system time,
# which the load of a shared machine changes least). For the lockfile
# change it also times `git diff` of the lockfile itself, which reads both
# blobs as sluice must; for the one-package change, `git cat-file --batch`
# reading the 1,001 manifests sluice must read (by blob id: no tree walk,
# no parsing), git's own cost of the input derivation cannot skip. Prints
# a markdown table. Environment: RUNS (default 20).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
repo=${2:-$build/bench/ws-monorepo}
runs=${RUNS:-20}
sluice=$build/cli/sluice

ninja -C "$build" cli/sluice >/dev/null
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
if [ ! -d "$repo" ]; then
	mkdir -p "$(dirname "$repo")"
	python3 "$here/gen.py" "$repo" >/dev/null
fi
cd "$repo"

check() {
	"$sluice" select --format json --base base --head "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
names = sorted(g["name"] for g in d["gates"])
want = sys.argv[1]
if d["run_all"]:
    sys.exit("run.sh: %s ran everything" % want)
if want == "one-package" and names != ["p0421-unit"]:
    sys.exit("run.sh: one-package selected %s" % names)
units = [n for n in names if n.endswith("-unit")]
if want == "lockfile-10" and len(units) != 10:
    sys.exit("run.sh: lockfile-10 selected %s" % units)
print(len(names))' "$1"
}

ratio() {
	python3 -c 'import json, sys
d = json.loads(sys.argv[1])
print("%.1f | %.1f | %.1f (%.1f-%.1f)" % (d["b_ms"], d["a_ms"], d["ratio"], d["ratio_q1"], d["ratio_q3"]))' "$1"
}

printf '| change | gates | clock | sluice (ms) | git (ms) | sluice/git (quartiles) |\n'
printf '|---|---:|---|---:|---:|---:|\n'
for head in one-package lockfile-10; do
	gates=$(check "$head")
	sel=("$sluice" select --base base --head "$head")
	git_cmd=(git diff --name-only --no-renames base "$head")
	for clock in wall cpu; do
		cpu=0
		[ $clock = cpu ] && cpu=1
		out=$(PAIRED_CPU=$cpu "$root/bench/paired.py" "$runs" 2 -- \
			"${git_cmd[@]}" -- "${sel[@]}")
		printf '| %s | %s | %s | %s |\n' "$head" "$gates" "$clock" \
			"$(ratio "$out")"
	done
done
out=$(PAIRED_CPU=1 "$root/bench/paired.py" "$runs" 2 -- \
	git diff base:package-lock.json lockfile-10:package-lock.json -- \
	"$sluice" select --base base --head lockfile-10)
printf '| lockfile-10, against `git diff` of the lockfile | | cpu | %s |\n' \
	"$(ratio "$out")"
oids=$(mktemp)
trap 'rm -f "$oids"' EXIT
git ls-tree -r base -- package.json packages |
	awk '$4 ~ /^(package\.json|packages\/[^\/]*\/package\.json)$/ {print $3}' >"$oids"
out=$(PAIRED_STDIN=$oids PAIRED_CPU=1 "$root/bench/paired.py" "$runs" 2 -- \
	git cat-file --batch -- "$sluice" select --base base --head one-package)
printf '| one-package, against `git cat-file --batch` of its %s manifests | | cpu | %s |\n' \
	"$(wc -l <"$oids")" "$(ratio "$out")"
