#!/usr/bin/env bash
# bench/diff/run.sh [--callgrind] [BUILD_DIR [REPO_DIR]]: the diff
# benchmark (docs/performance.md, "Start-up and the diff").
#
# Generates (once) the 100,000-file monorepo of bench/gen-monorepo.py, then
# for each tagged range of its history times, in the same hyperfine run,
# sluice's diff (bench_diff) and `git diff --name-only --no-renames`, after
# checking that both print the same names. Prints a markdown table: mean
# wall and CPU times, their ratios sluice/git, and the peak RSS of each.
# Then the start-up alone (sl_repo_open against git_libgit2_init + open)
# and libgit2's git_diff_tree_to_tree on the one-file range, for
# comparison. With --callgrind, also the instructions each side executes
# (valgrind), a count that a busy shared machine does not disturb.
# Environment: RUNS (default 10), SLUICE_BENCH_REPO (default under
# BUILD_DIR/bench).
set -euo pipefail

callgrind=false
if [ "${1:-}" = "--callgrind" ]; then
	callgrind=true
	shift
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
repo=${2:-${SLUICE_BENCH_REPO:-$build/bench/diff-monorepo}}
runs=${RUNS:-10}
driver=$build/bench/bench_diff

command -v hyperfine >/dev/null || {
	echo "run.sh: needs hyperfine (apt-get install hyperfine)" >&2
	exit 2
}
ninja -C "$build" bench/bench_diff >/dev/null
[ -d "$repo" ] || python3 "$root/bench/gen-monorepo.py" --no-checkout "$repo"

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=../ranges.sh
. "$root/bench/ranges.sh"

# Peak RSS in KiB of one run of a command.
peak() {
	/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
}

# Wall time is what a user waits; CPU time (user + system, also from
# hyperfine) is what a busy shared machine disturbs least.
echo "| range | names | sluice wall (ms) | git wall (ms) | wall ratio | sluice CPU (ms) | git CPU (ms) | CPU ratio | sluice RSS (MiB) | git RSS (MiB) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
i=0
for r in "${ranges[@]}"; do
	read -r old new what <<<"$r"
	"$driver" "$repo" "$old" "$new" >"$tmp/ours"
	git -C "$repo" diff --name-only --no-renames "$old" "$new" >"$tmp/git"
	cmp -s "$tmp/ours" "$tmp/git" || {
		echo "run.sh: sluice and git disagree on $old..$new" >&2
		diff "$tmp/ours" "$tmp/git" | head >&2
		exit 1
	}
	hyperfine -N --warmup 2 --runs "$runs" --export-json "$tmp/$i.json" \
		"$driver $repo $old $new" \
		"git -C $repo diff --name-only --no-renames $old $new" \
		>/dev/null
	ours_rss=$(peak "$driver" "$repo" "$old" "$new")
	git_rss=$(peak git -C "$repo" diff --name-only --no-renames "$old" "$new")
	python3 - "$tmp/$i.json" "$what" "$(wc -l <"$tmp/git")" \
		"$ours_rss" "$git_rss" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ours, git = r[0]["mean"] * 1000, r[1]["mean"] * 1000
ocpu = (r[0]["user"] + r[0]["system"]) * 1000
gcpu = (r[1]["user"] + r[1]["system"]) * 1000
print(f"| {sys.argv[2]} | {int(sys.argv[3]):,} | {ours:.1f} | {git:.1f} "
      f"| {ours / git:.2f} | {ocpu:.1f} | {gcpu:.1f} | {ocpu / gcpu:.2f} "
      f"| {int(sys.argv[4]) / 1024:.1f} | {int(sys.argv[5]) / 1024:.1f} |")
PY
	i=$((i + 1))
done

echo
hyperfine -N --warmup 3 --runs "$((runs * 3))" \
	"$driver --startup plain $repo" "$driver --startup sluice $repo" \
	"$driver --libgit2 $repo bench/base bench/c1" \
	"$driver $repo bench/base bench/c1" | grep -E "Benchmark|Time"

$callgrind || exit 0
# Instructions executed (start-up included), from valgrind's callgrind.
instr() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 \
		>/dev/null | sed -n 's/.*refs: *//p' | tr -d ,
}
echo
echo "| range | sluice (M instr) | git (M instr) | sluice/git |"
echo "|---|---:|---:|---:|"
for r in "${ranges[@]}"; do
	read -r old new what <<<"$r"
	ours=$(instr "$driver" "$repo" "$old" "$new")
	gits=$(instr git -C "$repo" diff --name-only --no-renames "$old" "$new")
	awk -v w="$what" -v a="$ours" -v b="$gits" 'BEGIN {
		printf "| %s | %.1f | %.1f | %.2f |\n", w, a / 1e6, b / 1e6, a / b }'
done
for how in plain sluice; do
	echo "start-up ($how): $(instr "$driver" --startup "$how" "$repo") instructions"
done
