#!/usr/bin/env bash
# bench/workspaces/run_go.sh [BUILD_DIR [REPO_DIR]]: the Go workspace
# benchmark (docs/performance.md, "Workspaces").
#
# Generates (once) the go.work of bench/workspaces/gen_go.py: 1,000
# modules, each go.mod requiring five of them and 30 external paths. For
# its one change (a module's main.go) it checks what `sluice select`
# selects (that module's gate and no run-all), then times it by CPU time
# in the same rounds as `git diff --name-only --no-renames` on the same
# commits and `git cat-file --batch` reading the 1,001 go.mod and go.work
# blobs derivation must read (bench/paired.py). Prints a markdown table.
# Environment: RUNS (default 20).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
repo=${2:-$build/bench/ws-go}
runs=${RUNS:-20}
sluice=$build/cli/sluice

ninja -C "$build" cli/sluice >/dev/null
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
if [ ! -d "$repo" ]; then
	mkdir -p "$(dirname "$repo")"
	python3 "$here/gen_go.py" "$repo" >/dev/null
fi
cd "$repo"

"$sluice" select --format json --base base --head one-module | python3 -c '
import json, sys
d = json.load(sys.stdin)
names = [g["name"] for g in d["gates"]]
if d["run_all"] or len(names) != 1:
    sys.exit("run_go.sh: one-module selected %s" % names)'

oids=$(mktemp)
trap 'rm -f "$oids"' EXIT
git ls-tree -r base | awk '$4 ~ /(^|\/)go\.(mod|work)$/ {print $3}' >"$oids"
out=$(PAIRED_STDIN=$oids PAIRED_CPU=1 "$root/bench/paired.py" "$runs" 2 -- \
	git diff --name-only --no-renames base one-module -- \
	git cat-file --batch -- \
	"$sluice" select --base base --head one-module)
python3 -c 'import json, sys
d = json.loads(sys.argv[1])
ms, r, q1, q3 = d["ms"], d["ratio"], d["ratio_q1"], d["ratio_q3"]
print("| cpu (ms): git diff | git cat-file --batch of %s blobs | sluice select |" % sys.argv[2])
print("|---:|---:|---:|")
print("| %.1f | %.1f | %.1f |" % tuple(ms))
print()
print("sluice/git diff %.1f (%.1f-%.1f); sluice/git cat-file %.1f (medians)" %
      (r[2], q1[2], q3[2], ms[2] / ms[1]))' "$out" "$(wc -l <"$oids")"
