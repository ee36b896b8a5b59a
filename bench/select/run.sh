#!/usr/bin/env bash
# bench/select/run.sh [--callgrind] [BUILD_DIR [REPO_DIR]]: the selection
# benchmark (docs/performance.md, "Selection").
#
# Generates (once) the 100,000-file monorepo of bench/gen-monorepo.py with
# the 300-lane, 3,000-rule sluice.yml of bench/select/rules.py committed at
# its base, then for each tagged range of its history: checks that the
# paths `sluice select --format json` reports are exactly the names `git
# diff --name-only --no-renames` prints, and times both in alternation
# (bench/paired.py: run i of git, then run i of sluice; the median of the
# pairs' ratios, with its quartiles, so that the shared machine's load
# changing mid-run moves both sides of a pair). Prints a markdown table of
# median times, the ratio sluice/git, and the peak RSS of each; with
# --callgrind, the ratio of instructions too (stable on a loaded machine).
# Needs valgrind for --callgrind. Environment: RUNS (default 20).
set -euo pipefail

callgrind=0
if [ "${1:-}" = --callgrind ]; then
	callgrind=1
	shift
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
repo=${2:-$build/bench/select-monorepo}
runs=${RUNS:-20}
sluice=$build/cli/sluice

ninja -C "$build" cli/sluice >/dev/null
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
if [ ! -d "$repo" ]; then
	python3 "$here/rules.py" >"$build/bench-select-rules.yml"
	python3 "$root/bench/gen-monorepo.py" --no-checkout \
		--rules "$build/bench-select-rules.yml" "$repo" >/dev/null
fi
cd "$repo"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=../ranges.sh
. "$root/bench/ranges.sh"

# Peak RSS of one run of a command, in MiB.
peak() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print("%.1f" % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024))
PY
}

instructions() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 \
		>/dev/null | sed -n 's/.*refs: *//p' | tr -d ,
}

printf '| range | paths | gates | sluice (ms) | git (ms) | sluice/git (quartiles) | sluice RSS (MiB) | git RSS (MiB) |'
[ $callgrind = 1 ] && printf ' instructions sluice/git |'
printf '\n|---|---:|---:|---:|---:|---:|---:|---:|'
[ $callgrind = 1 ] && printf -- '---:|'
printf '\n'
for r in "${ranges[@]}"; do
	read -r old new what <<<"$r"
	sel=("$sluice" select --format json --base "$old" --head "$new")
	git_cmd=(git diff --name-only --no-renames "$old" "$new")
	"${sel[@]}" >"$tmp/sel.json"
	"${git_cmd[@]}" >"$tmp/git"
	counts=$(python3 - "$tmp/sel.json" "$tmp/git" <<'PY'
import json, sys
sel = json.load(open(sys.argv[1]))
ours = sorted(c["path"] for c in sel["changed"])
git = sorted(open(sys.argv[2]).read().split("\n")[:-1])
if ours != git:
    sys.exit("run.sh: sluice's changed paths differ from git's")
print(len(ours), len(sel["gates"]))
PY
)
	read -r tg ts ratio spread < <("$root/bench/paired.py" "$runs" 2 -- \
		"${git_cmd[@]}" -- "${sel[@]}" | python3 -c 'import json, sys
r = json.load(sys.stdin)
print("%.1f %.1f %.2f %.2f-%.2f" % (r["a_ms"], r["b_ms"], r["ratio"],
      r["ratio_q1"], r["ratio_q3"]))')
	printf '| %s | %s | %s | %s | %s | **%s** (%s) | %s | %s |' "$what" \
		${counts% *} ${counts#* } "$ts" "$tg" "$ratio" "$spread" \
		"$(peak "${sel[@]}")" "$(peak "${git_cmd[@]}")"
	if [ $callgrind = 1 ]; then
		is=$(instructions "${sel[@]}")
		ig=$(instructions "${git_cmd[@]}")
		printf ' %s |' "$(python3 -c "print('%.2f' % ($is / $ig))")"
	fi
	printf '\n'
done
