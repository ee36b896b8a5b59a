#!/usr/bin/env bash
# bench/run/run.sh [BUILD_DIR]: 1,000 trivial gates (`true`) at -j 2 through
# the runner (bench/run-bench), beside `xargs -P 2` running the same 1,000
# commands (`sh -c true`), timed by hyperfine in one run. Prints hyperfine's
# table and the ratio runner / xargs (target: at most 1.5).
# Environment: RUNS (default 5), COUNT (default 1000), JOBS (default 2).
set -euo pipefail

build=${1:-build}
runs=${RUNS:-5}
count=${COUNT:-1000}
jobs=${JOBS:-2}
driver=$build/bench/run-bench

command -v hyperfine >/dev/null || {
	echo "run.sh: needs hyperfine (apt-get install hyperfine)" >&2
	exit 2
}
ninja -C "$build" bench/run-bench >/dev/null
driver=$(cd "$(dirname "$driver")" && pwd)/$(basename "$driver")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((i = 0; i < count; i++)); do echo true; done >"$tmp/commands"
cd "$tmp"

hyperfine --warmup 1 --runs "$runs" --export-json "$tmp/times.json" \
	--command-name "sluice runner, $count gates, -j $jobs" \
	"$driver $count $jobs $tmp/logs" \
	--command-name "xargs -P $jobs, $count x sh -c true" \
	"xargs -P $jobs -n 1 sh -c <$tmp/commands"

python3 - "$tmp/times.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
runner, xargs = r[0]["mean"], r[1]["mean"]
print(f"runner {runner:.3f} s, xargs {xargs:.3f} s, "
      f"ratio runner/xargs {runner / xargs:.2f} (target <= 1.5)")
PY
