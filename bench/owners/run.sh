#!/usr/bin/env bash
# bench/owners/run.sh [--callgrind] [BUILD_DIR]: the ownership benchmark
# (docs/performance.md, "Ownership (owners)").
#
# Generates (once) a synthetic tree of 100,000 paths and rules files of
# 1,500, 3,000 and 6,000 rules (bench/owners/gen.py), then
#   1. bench_owners: CPU time to resolve every path with sl_rules_owner()
#      (the index) and sl_rules_owner_scan() (every rule), in one run;
#   2. hyperfine: `sluice owners --stdin` end to end over the 100,000 paths
#      at each rule count, start-up included;
#   3. with --callgrind: the instructions of the same runs under valgrind,
#      a count that a noisy shared machine does not disturb.
# Ratios against the 1,500-rule run are what to compare across machines.
set -euo pipefail

callgrind=false
if [ "${1:-}" = "--callgrind" ]; then
	callgrind=true
	shift
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
data=${SLUICE_BENCH_DATA:-$build/bench/owners-data}
counts=(1500 3000 6000)

ninja -C "$build" cli/sluice bench/bench_owners >/dev/null
if [ ! -s "$data/rules-6000.yml" ] || [ ! -s "$data/paths.txt" ]; then
	python3 "$here/gen.py" "$data"
fi
sluice=$build/cli/sluice
rules_files=()
for n in "${counts[@]}"; do
	rules_files+=("$data/rules-$n.yml")
done

echo "## sl_rules_owner() (index) vs sl_rules_owner_scan(), same run"
echo
"$build/bench/bench_owners" "$data/paths.txt" "${rules_files[@]}"

echo
echo "## sluice owners --stdin < paths.txt (100,000 paths), end to end"
echo
if command -v hyperfine >/dev/null; then
	hyperfine --style basic --warmup 2 --runs 10 \
		--export-json "$data/owners-hyperfine.json" \
		-L rules "$(IFS=,; echo "${counts[*]}")" \
		"$sluice --rules $data/rules-{rules}.yml owners --stdin < $data/paths.txt > /dev/null" \
		>/dev/null
	python3 - "$data/owners-hyperfine.json" <<'EOF'
import json, sys
runs = json.load(open(sys.argv[1]))["results"]
base = None
print("|  rules | wall s (mean +- sd) | CPU s (user+sys) | CPU vs 1,500 |")
print("|-------:|--------------------:|-----------------:|-------------:|")
for r in runs:
    n = r["parameters"]["rules"]
    cpu = r["user"] + r["system"]
    base = base or cpu
    print(f"| {int(n):6,} | {r['mean']:.3f} +- {r['stddev']:.3f}     |"
          f"            {cpu:.3f} |        {cpu / base:.2f}x |")
EOF
else
	echo "(hyperfine not found: apt-get install hyperfine)"
fi

if $callgrind; then
	echo
	echo "## instructions (valgrind --tool=callgrind), end to end"
	echo
	echo "|  rules |  instructions | vs 1,500 |"
	echo "|-------:|--------------:|---------:|"
	base=
	for n in "${counts[@]}"; do
		ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
			"$sluice" --rules "$data/rules-$n.yml" owners --stdin \
			<"$data/paths.txt" 2>&1 >/dev/null |
			sed -n 's/.*Collected : *\([0-9]*\).*/\1/p')
		base=${base:-$ir}
		printf '| %6d | %13d | %7.2fx |\n' "$n" "$ir" \
			"$(echo "$ir / $base" | bc -l)"
	done
fi
