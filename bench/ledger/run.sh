#!/usr/bin/env bash
# bench/ledger/run.sh [BUILD_DIR]: what a CI run on a fresh runner spends
# on a ledger shared through git (SPEC.md §6): a bare repository on this
# machine as the remote, holding a ledger of COUNT events (default 10,000:
# requests, each approved with a signature; one of them, signed with a
# real key, applies to the run). Each round makes fresh clones without the
# ledger's branch and times, one after the other:
#
#   git     git fetch of the ledger's ref, as sluice fetches it
#   verify  sluice override verify: the fetch, the whole chain verified and
#           put into a new working copy: what `run` does before its first
#           gate
#   run     sluice run: all of it, plus selection, the gate (which fails),
#           the override's signature checked (ssh-keygen), and the push of
#           the run's "applied" event
#
# and prints the medians and the ratios verify/git and run/git, each the
# median of the rounds' own ratios (a slow stretch of a shared machine
# slows both halves of a round). Environment: ROUNDS (default 7), COUNT.
set -euo pipefail

build=${1:-build}
rounds=${ROUNDS:-7}
count=${COUNT:-10000}
src=$(cd "$(dirname "$0")/../.." && pwd)

ninja -C "$build" bench/ledger-gen cli/sluice >/dev/null
build=$(cd "$build" && pwd)
export PATH="$build/cli:$PATH"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset SLUICE_LEDGER SLUICE_RULES SLUICE_BASE SLUICE_ACTOR

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
ssh-keygen -q -t ed25519 -N '' -C ana -f ana.key
echo "ana@example.com namespaces=\"sluice-override\" $(cat ana.key.pub)" >signers
"$src/fixtures/ledger/make-origin.sh" shop "$tmp/signers"

# The override the runs apply, requested and signed as people do; then the
# rest of the ledger, made up; then all of it pushed.
git clone -q shop/origin.git seed
(
	cd seed
	git checkout -q feature
	sluice override request unit --commit HEAD --reason bench \
		--by dev@example.com >/dev/null
	sluice override approve 1 --reason bench --by ana@example.com \
		--sign ../ana.key >/dev/null
	hash=$(sluice override log 1 --format json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["events"][0]["gate_definition"])')
	"$build/bench/ledger-gen" .sluice/ledger.db $((count - 2)) unit "$hash" >/dev/null
	sluice override sync
)

python3 - "$tmp" "$rounds" <<'PY'
import json, os, statistics, subprocess, sys, time

tmp, rounds = sys.argv[1], int(sys.argv[2])
origin = os.path.join(tmp, "shop", "origin.git")
null = subprocess.DEVNULL


def fresh(name):
    """A clone of the code alone: the feature branch and main, no ledger."""
    path = os.path.join(tmp, name)
    subprocess.run(["rm", "-rf", path], check=True)
    subprocess.run(["git", "clone", "-q", "--single-branch", "-b",
                    "feature", origin, path], check=True)
    subprocess.run(["git", "-C", path, "fetch", "-q", "origin",
                    "main:refs/remotes/origin/main"], check=True)
    return path


def timed(argv, cwd, ok=(0,)):
    start = time.perf_counter()
    r = subprocess.run(argv, cwd=cwd, stdout=null, stderr=null)
    elapsed = (time.perf_counter() - start) * 1000
    if r.returncode not in ok:
        sys.exit("run.sh: %s failed (%d)" % (" ".join(argv), r.returncode))
    return elapsed


commands = [
    ("git", ["git", "fetch", "-q", "--no-tags", "origin",
             "+refs/heads/sluice-ledger:"
             "refs/sluice/ledger/origin/heads/sluice-ledger"]),
    ("verify", ["sluice", "override", "verify", "--base", "origin/main"]),
    ("run", ["sluice", "run", "--base", "origin/main"]),
]
times = {name: [] for name, _ in commands}
for i in range(rounds + 1):
    for name, argv in commands:
        ms = timed(argv, fresh("w-" + name))
        if i:  # the first round warms the caches
            times[name].append(ms)
med = {k: statistics.median(v) for k, v in times.items()}
out = {"events": None, "rounds": rounds,
       "git_ms": round(med["git"], 1), "verify_ms": round(med["verify"], 1),
       "run_ms": round(med["run"], 1)}
for name in ("verify", "run"):
    ratios = [a / b for a, b in zip(times[name], times["git"])]
    q = statistics.quantiles(ratios, n=4)
    out[name + "_ratio"] = round(statistics.median(ratios), 2)
    out[name + "_ratio_q1_q3"] = [round(q[0], 2), round(q[2], 2)]
log = subprocess.run(["git", "-C", origin, "rev-list", "--count",
                      "refs/heads/sluice-ledger"], capture_output=True,
                     text=True, check=True)
out["events"] = int(log.stdout)
print(json.dumps(out))
PY
