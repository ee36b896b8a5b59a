/*
 * test_ledger_stress.c: the ledger under concurrent writers and crashes.
 * Sixteen processes request at once on a ledger none of them has created
 * yet; writer processes killed with SIGKILL at random moments leave a ledger
 * that passes sqlite's integrity_check and verification, with every
 * decision they reported as acknowledged (committed) still in it.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gates/gates.h"
#include "tests/gates/ledger_fixture.h"
#include "tests/support/sandbox.h"

#define WRITERS 16
#define ROUNDS 20
#define ROUND_WRITERS 2

/* What a writer reports through the pipe, once a call has returned. */
struct ack {
	char kind; /* 'R' request, 'A' approve, 'E' error */
	int64_t id;
};

static int setup(void **state)
{
	(void)state;
	sl_sandbox_enter();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_sandbox_leave();
	return 0;
}

static void report(int fd, char kind, int64_t id)
{
	struct ack ack;

	memset(&ack, 0, sizeof(ack));
	ack.kind = kind;
	ack.id = id;
	/* Under PIPE_BUF: one atomic write per acknowledgement. */
	if (write(fd, &ack, sizeof(ack)) != (ssize_t)sizeof(ack))
		_exit(3);
}

static struct sl_override_request request_at(int64_t now)
{
	struct sl_override_request req = {0};

	req.gate = "billing-unit";
	req.commit = fx_commit;
	req.gate_hash = fx_gate_hash;
	req.requester = "dev@example.com";
	req.reason = "stress";
	req.now = now;
	return req;
}

/* A child: open (creating), request once, report the id. Never returns. */
static void one_request(int go, int out)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger_options opts = SL_LEDGER_OPTIONS_INIT;
	struct sl_override_request req = request_at(FX_T0);
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = NULL;
	int64_t id = 0;
	char c;

	sl_strvec_push(&policy.approvers, "ana@example.com");
	/* Wait until every sibling is ready, then go at once. */
	if (read(go, &c, 1) != 0)
		_exit(2);
	opts.create = true;
	if (sl_ledger_open(&ledger, "fresh/ledger.db", &opts, &err) ||
	    sl_ledger_request(&id, ledger, &req, &policy, &err)) {
		fprintf(stderr, "# writer %d: %s\n", (int)getpid(),
			sl_error_message(&err));
		report(out, 'E', 0);
		_exit(1);
	}
	report(out, 'R', id);
	sl_ledger_free(ledger);
	_exit(0);
}

static void concurrency__sixteen_processes_request_at_once(void **state)
{
	struct sl_ledger_report rep = SL_LEDGER_REPORT_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger;
	bool seen[WRITERS + 1] = {false};
	int go[2], out[2], i, status;
	struct ack ack;

	(void)state;
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(out), 0);
	for (i = 0; i < WRITERS; i++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			close(go[1]);
			close(out[0]);
			one_request(go[0], out[1]);
		}
	}
	close(go[0]);
	close(out[1]);
	close(go[1]);
	for (i = 0; i < WRITERS; i++) {
		assert_int_equal(read(out[0], &ack, sizeof(ack)), sizeof(ack));
		assert_int_equal(ack.kind, 'R');
		assert_true(ack.id >= 1 && ack.id <= WRITERS);
		assert_false(seen[ack.id]);
		seen[ack.id] = true;
	}
	close(out[0]);
	while (wait(&status) > 0)
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ledger = fx_open("fresh/ledger.db");
	assert_int_equal(sl_ledger_verify(&rep, ledger, NULL, &err), 0);
	assert_int_equal(rep.events, WRITERS);
	sl_ledger_report_release(&rep);
	sl_error_release(&err);
	sl_ledger_free(ledger);
}

/* A child: request and approve in a loop, reporting each ack, until killed. */
static void write_forever(int out, int64_t now)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger_options opts = SL_LEDGER_OPTIONS_INIT;
	struct sl_override_request req = request_at(now);
	struct sl_override_decision d = {0};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = NULL;

	sl_strvec_push(&policy.approvers, "ana@example.com");
	opts.create = true;
	if (sl_ledger_open(&ledger, "ledger.db", &opts, &err))
		goto fail;
	d.kind = SL_LEDGER_APPROVE;
	d.actor = "ana@example.com";
	d.reason = "stress";
	d.now = now;
	for (;;) {
		if (sl_ledger_request(&d.id, ledger, &req, &policy, &err))
			goto fail;
		report(out, 'R', d.id);
		if (sl_ledger_decide(NULL, ledger, &d, &policy, &err))
			goto fail;
		report(out, 'A', d.id);
	}
fail:
	fprintf(stderr, "# writer %d: %s\n", (int)getpid(),
		sl_error_message(&err));
	report(out, 'E', 0);
	_exit(1);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Runs one round of writers, kills them, appends what they acknowledged. */
static void crash_round(struct ack **acks, size_t *n, size_t *alloc)
{
	pid_t pids[ROUND_WRITERS];
	int out[2], i, status;
	struct ack ack;

	assert_int_equal(pipe(out), 0);
	for (i = 0; i < ROUND_WRITERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			close(out[0]);
			write_forever(out[1], FX_T0);
		}
	}
	close(out[1]);
	sleep_ms(10 + rand() % 90);
	for (i = 0; i < ROUND_WRITERS; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < ROUND_WRITERS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		/* Killed, not failed on its own. */
		assert_true(WIFSIGNALED(status));
	}
	while (read(out[0], &ack, sizeof(ack)) == (ssize_t)sizeof(ack)) {
		assert_int_not_equal(ack.kind, 'E');
		SL_ALLOC_GROW(*acks, *n + 1, *alloc);
		(*acks)[(*n)++] = ack;
	}
	close(out[0]);
}

static int integrity_row(void *data, int ncols, char **vals, char **names)
{
	(void)names;
	if (ncols == 1 && vals[0] && strcmp(vals[0], "ok"))
		*(bool *)data = false;
	return 0;
}

static void assert_integrity(const char *path)
{
	sqlite3 *db = NULL;
	bool ok = true;

	/* Writers killed before any made the ledger leave none; opening it
	 * read-write here would make an empty file, which is a damaged
	 * ledger, not a fresh one (issue 12). */
	if (access(path, F_OK))
		return;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA integrity_check",
				      integrity_row, &ok, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_true(ok);
}

static void crash__killed_writers_lose_nothing_acknowledged(void **state)
{
	struct sl_ledger_report rep = SL_LEDGER_REPORT_INIT;
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct ack *acks = NULL;
	size_t n = 0, alloc = 0, i;
	struct sl_ledger *ledger;
	unsigned seed = (unsigned)time(NULL);
	int round;

	(void)state;
	print_message("# seed %u\n", seed);
	srand(seed);
	for (round = 0; round < ROUNDS; round++) {
		crash_round(&acks, &n, &alloc);
		assert_integrity("ledger.db");
	}
	ledger = fx_open("ledger.db");
	assert_int_equal(sl_ledger_verify(&rep, ledger, NULL, &err), 0);
	print_message("# %zu acknowledged, %" PRId64 " events\n", n,
		      rep.events);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(
		    sl_ledger_get(&ov, ledger, acks[i].id, FX_T0, &err), 0);
		if (acks[i].kind == 'A')
			assert_int_equal(ov.state, SL_OVERRIDE_APPROVED);
		sl_override_release(&ov);
	}
	free(acks);
	sl_ledger_report_release(&rep);
	sl_error_release(&err);
	sl_ledger_free(ledger);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		concurrency__sixteen_processes_request_at_once, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		crash__killed_writers_lose_nothing_acknowledged, setup,
		teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
