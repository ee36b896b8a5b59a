/*
 * test_run_history.c: the run history orders the next run longest first
 * (unknown gates before all), and a history that cannot be used only
 * warns: the gates still run, in the order given.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <unistd.h>

#include "gates/gates.h"
#include "tests/gates/run_support.h"
#include "tests/support/sandbox.h"

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

struct started {
	char names[64];
};

/* Appends the first letter of each gate's name as it starts. */
static void record_start(void *data, const struct sl_run_event *ev)
{
	struct started *s = data;
	size_t len = strlen(s->names);

	if (ev->type == SL_RUN_EVENT_STARTED && len + 1 < sizeof(s->names)) {
		s->names[len] = ev->job->name[0];
		s->names[len + 1] = '\0';
	}
}

static void run_order(struct started *out, struct sl_job *jobs, size_t n,
		      const char *history, size_t nwarnings)
{
	struct sl_run_result out_run = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	size_t i;

	memset(out, 0, sizeof(*out));
	test_options(&opts);
	opts.jobs = 1;
	opts.history = history;
	opts.on_event = record_start;
	opts.data = out;
	test_run(&out_run, jobs, n, &opts, 0);
	for (i = 0; i < n; i++)
		assert_int_not_equal(out_run.results[i].status, SL_JOB_PENDING);
	if (out_run.warnings.n != nwarnings)
		fail_msg("%zu warnings, not %zu: %s", out_run.warnings.n,
			 nwarnings,
			 out_run.warnings.n ? out_run.warnings.v[0] : "");
	sl_run_result_release(&out_run);
}

/*
 * Sets the durations the history holds for each gate, "name=ms" pairs:
 * the order a history gives must not depend on how long a loaded machine
 * took to run the gates. Fails unless the history recorded each gate.
 */
static void pin_durations(const char *history, const char *const *pins)
{
	sqlite3 *db = NULL;
	size_t i;

	assert_int_equal(sqlite3_open(history, &db), SQLITE_OK);
	for (i = 0; pins[i]; i++) {
		const char *eq = strchr(pins[i], '=');
		char *sql = sqlite3_mprintf(
		    "UPDATE outcomes SET duration_ms = %s WHERE gate = '%.*q'",
		    eq + 1, (int)(eq - pins[i]), pins[i]);

		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
				 SQLITE_OK);
		if (sqlite3_changes(db) < 1)
			fail_msg("the history did not record '%.*s'",
				 (int)(eq - pins[i]), pins[i]);
		sqlite3_free(sql);
	}
	sqlite3_close(db);
}

static void history__next_run_starts_the_longest_first(void **state)
{
	static const char *const pins[] = {
	    "a-short=5", "b-long=700", "c-middle=400", "d-failing=200", NULL};
	static const char *const pins_new[] = {"n-new=5", NULL};
	struct started order;
	struct sl_job jobs[4];

	(void)state;
	test_job(&jobs[0], "a-short", "true");
	test_job(&jobs[1], "b-long", "true");
	test_job(&jobs[2], "c-middle", "true");
	test_job(&jobs[3], "d-failing", "exit 1");
	run_order(&order, jobs, 4, "state/history.db", 0);
	assert_string_equal(order.names, "abcd");
	pin_durations("state/history.db", pins);
	run_order(&order, jobs, 4, "state/history.db", 0);
	assert_string_equal(order.names, "bcda");
	pin_durations("state/history.db", pins);

	/* A gate the history has not seen goes first. */
	test_jobs_release(jobs, 4);
	test_job(&jobs[0], "a-short", "true");
	test_job(&jobs[1], "b-long", "true");
	test_job(&jobs[2], "n-new", "true");
	test_job(&jobs[3], "c-middle", "true");
	run_order(&order, jobs, 4, "state/history.db", 0);
	assert_string_equal(order.names, "nbca");
	pin_durations("state/history.db", pins_new);
	test_jobs_release(jobs, 4);
}

static void history__skipped_gates_are_not_recorded(void **state)
{
	struct started order;
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job jobs[3];

	(void)state;
	test_job(&jobs[0], "a-fails", "exit 1");
	test_job(&jobs[1], "b-skipped", "sleep 0.3");
	test_job(&jobs[2], "c-quick", "true");
	test_options(&opts);
	opts.jobs = 1;
	opts.fail_fast = true;
	opts.history = "history.db";
	test_run(&out, jobs, 3, &opts, 0);
	assert_int_equal(out.results[1].status, SL_JOB_SKIPPED);
	sl_run_result_release(&out);
	/* b and c are still unknown: first, in the order given. */
	run_order(&order, jobs, 3, "history.db", 0);
	assert_string_equal(order.names, "bca");
	test_jobs_release(jobs, 3);
}

static void history__unusable_history_only_warns(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct started order;
	struct sl_job jobs[2];

	(void)state;
	test_job(&jobs[0], "a", "true");
	test_job(&jobs[1], "b", "true");
	sl_write_text("not-a-dir", "x");
	run_order(&order, jobs, 2, "not-a-dir/history.db", 1);
	assert_string_equal(order.names, "ab");

	sl_write_text("garbage.db", "this is not an sqlite database at all, "
				    "just text that is long enough to be "
				    "looked at as a header by sqlite");
	run_order(&order, jobs, 2, "garbage.db", 1);
	assert_string_equal(order.names, "ab");

	test_options(&opts);
	opts.history = "garbage.db";
	test_run(&out, jobs, 2, &opts, 0);
	assert_int_equal(out.warnings.n, 1);
	assert_non_null(strstr(out.warnings.v[0], "'garbage.db'"));
	assert_non_null(strstr(out.warnings.v[0], "in the order given"));
	assert_int_equal(out.results[0].status, SL_JOB_PASSED);
	sl_run_result_release(&out);
	test_jobs_release(jobs, 2);
}

static void history__unknown_schema_version_is_left_alone(void **state)
{
	struct started order;
	struct sl_job job;
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open("future.db", &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	(void)state;
	test_job(&job, "a", "true");
	run_order(&order, &job, 1, "future.db", 1);
	sl_job_release(&job);
}

/*
 * A history copied to another clone (a CI cache restored on a fresh
 * runner) schedules its next run: it names gates, nothing of the clone.
 */
static void history__copied_from_another_clone_orders_the_next_run(void **state)
{
	static const char *const pins[] = {"a-short=5", "b-long=600",
					   "c-middle=300", NULL};
	struct started order;
	struct sl_job jobs[3];

	(void)state;
	test_job(&jobs[0], "a-short", "true");
	test_job(&jobs[1], "b-long", "true");
	test_job(&jobs[2], "c-middle", "true");
	run_order(&order, jobs, 3, "one/.sluice/history.db", 0);
	assert_string_equal(order.names, "abc");
	pin_durations("one/.sluice/history.db", pins);
	sl_sh_ok("mkdir -p two/.sluice && cp one/.sluice/history.db "
		 "two/.sluice/ && rm -r one");
	run_order(&order, jobs, 3, "two/.sluice/history.db", 0);
	assert_string_equal(order.names, "bca");
	test_jobs_release(jobs, 3);
}

/*
 * While gates run the history is closed: one whole file, no write-ahead
 * log beside it, so that a copy taken then (a cache saved by a job that
 * was cancelled, say) holds everything recorded before.
 */
static void history__is_one_whole_file_while_gates_run(void **state)
{
	static const char *const pins[] = {"a-short=5", "b-long=400", NULL};
	struct started order;
	struct sl_job jobs[2];

	(void)state;
	test_job(&jobs[0], "a-short", "true");
	test_job(&jobs[1], "b-long", "true");
	run_order(&order, jobs, 2, "h/history.db", 0);
	pin_durations("h/history.db", pins);
	test_jobs_release(jobs, 2);
	test_job(&jobs[0], "a-short",
		 "test ! -e h/history.db-wal && test ! -e h/history.db-shm "
		 "&& cp h/history.db copy.db");
	test_job(&jobs[1], "b-long", "true");
	run_order(&order, jobs, 2, "h/history.db", 0);
	assert_string_equal(order.names, "ba");
	/* a-short failed unless the file was whole; the copy knows b. */
	run_order(&order, jobs, 2, "copy.db", 0);
	assert_string_equal(order.names, "ba");
	test_jobs_release(jobs, 2);
}

/* Another application's database (a ledger, say) is left alone. */
static void history__of_another_application_is_left_alone(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job job;
	sqlite3 *db = NULL;

	(void)state;
	assert_int_equal(sqlite3_open("other.db", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "PRAGMA application_id = 1397506885;"
				      "PRAGMA user_version = 1;"
				      "CREATE TABLE t (x)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	test_job(&job, "a", "true");
	test_options(&opts);
	opts.history = "other.db";
	test_run(&out, &job, 1, &opts, 0);
	assert_int_equal(out.warnings.n, 1);
	assert_non_null(strstr(out.warnings.v[0],
			       "'other.db' is not a sluice run history"));
	assert_int_equal(out.results[0].status, SL_JOB_PASSED);
	sl_run_result_release(&out);
	sl_job_release(&job);
	/* Untouched: still the other application's, with its table. */
	assert_int_equal(sqlite3_open("other.db", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "SELECT x FROM t", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		history__next_run_starts_the_longest_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		history__skipped_gates_are_not_recorded, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		history__unusable_history_only_warns, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		history__unknown_schema_version_is_left_alone, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		history__copied_from_another_clone_orders_the_next_run, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		history__is_one_whole_file_while_gates_run, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		history__of_another_application_is_left_alone, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
