# tests/hostile/lib.sh: what the catalogue's cases share (run.py loads it
# before each case's setup and command). Every helper works in the current
# directory, which is the case's own fresh one.

# The rules most cases start from: two lanes, the second consuming the
# first, a gate each and a smoke; a case that needs others writes its own
# sluice.yml before mkrepo.
default_rules() {
	cat >sluice.yml <<'EOF'
version: 1
lanes:
  api:
    owners: ["@api", "api-owner@example.com"]
    paths: ["api/", "sluice.yml"]
    gates:
      api-unit: {run: "true"}
  web:
    owners: ["@web"]
    paths: ["apps/web/"]
    consumes: [api]
    gates:
      web-unit: {run: "true"}
    smoke:
      web-smoke: {run: "true"}
EOF
}

# mkrepo: a repository here, main with the rules and two files, then the
# branch `feature` checked out (nothing changed on it yet).
mkrepo() {
	git init -q -b main .
	[ -e sluice.yml ] || default_rules
	mkdir -p api apps/web
	echo 1 >api/a.proto
	echo 1 >apps/web/w.js
	git add -A
	git commit -qm base
	git checkout -q -b feature
}

# change PATH...: a commit on the current branch that changes each path.
change() {
	local p
	for p in "$@"; do
		mkdir -p "$(dirname -- "$p")"
		echo "change $RANDOM" >>"$p"
	done
	git add -A
	git commit -qm change
}

# gate NAME RUN: replaces api-unit's command in the default rules (on main,
# so that the trusted copy has it), and goes back to `feature`.
set_gate() {
	local run=$1
	git checkout -q main
	python3 - "$run" <<'EOF'
import sys
s = open("sluice.yml").read()
s = s.replace('api-unit: {run: "true"}', 'api-unit: {run: %s}' % __import__("json").dumps(sys.argv[1]))
open("sluice.yml", "w").write(s)
EOF
	git commit -qam "api-unit: $run"
	git checkout -q feature
	git rebase -q main
}

# request: an override request for api-unit at HEAD (the ledger is made).
request() {
	sluice override request api-unit --commit HEAD --reason "${1:-flaky}" \
		--by dev@example.com --ledger "${LEDGER:-ledger.db}" >/dev/null
}

# results NAME STATUS EXIT [OVERRIDE-JSON]: a one-gate results file.
results() {
	python3 - "$@" <<'EOF'
import json, sys
name, status, code = sys.argv[1], sys.argv[2], int(sys.argv[3])
gate = {"name": name, "kind": "local", "lane": "api", "status": status,
        "exit_code": code, "signal": None, "duration_ms": 1, "attempts": 1,
        "flaky": False, "log": None, "reasons": ["api/a.proto -> lane api"]}
if len(sys.argv) > 4:
    gate["override"] = json.loads(sys.argv[4])
print(json.dumps({"schema": "sluice.results/1", "base": "a" * 40,
                  "head": "b" * 40, "rules_blob": "c" * 40,
                  "degraded": False, "rules_changed": False,
                  "verdict": "pass" if status in ("passed", "overridden") else "fail",
                  "selected": [name], "gates": [gate]}))
EOF
}

# alive PID: the process is there and not a zombie (a dead process that
# init has not reaped yet is gone for what a case asks).
alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $st in Z*) return 1 ;; esac
	return 0
}

# count_cmd ARGS: processes whose command line is exactly ARGS, not zombies.
count_cmd() {
	ps -eo stat=,args= | awk -v want="$*" '$1 !~ /^Z/ { $1 = ""; sub(/^ /, ""); if ($0 == want) n++ } END { print n + 0 }'
}

# unique_secs: a sleep duration no other case (nor another run of the
# catalogue on the machine) uses, so that counting `sleep N` processes
# counts only this case's.
unique_secs() {
	echo $((100000 + $$ % 100000 + RANDOM))
}
