/*
 * test_run.c: the runner's statuses, retries, fail-fast, parallelism and
 * logs, end to end through sl_run() with real processes.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <signal.h>
#include <sys/stat.h>

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

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("'%s' not found in '%s'", needle, haystack);
}

static void assert_log_contains(const struct sl_job_result *res,
				const char *text)
{
	struct sl_buf log = SL_BUF_INIT;

	assert_non_null(res->log);
	sl_read_file(&log, res->log);
	assert_contains(log.buf, text);
	sl_buf_release(&log);
}

static void run__statuses_follow_exit_codes(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job jobs[3];

	(void)state;
	test_job(&jobs[0], "ok", "echo to-stdout; echo to-stderr >&2");
	test_job(&jobs[1], "three", "exit 3");
	test_job(&jobs[2], "segv", "kill -SEGV $$");
	test_options(&opts);
	test_run(&out, jobs, 3, &opts, 0);

	assert_int_equal(out.n, 3);
	assert_int_equal(out.results[0].status, SL_JOB_PASSED);
	assert_int_equal(out.results[0].exit_code, 0);
	assert_int_equal(out.results[0].attempts, 1);
	assert_false(out.results[0].flaky);
	assert_null(out.results[0].error);
	assert_log_contains(&out.results[0], "to-stdout\n");
	assert_log_contains(&out.results[0], "to-stderr\n");

	assert_int_equal(out.results[1].status, SL_JOB_FAILED);
	assert_int_equal(out.results[1].exit_code, 3);
	assert_int_equal(out.results[1].signal, 0);

	assert_int_equal(out.results[2].status, SL_JOB_FAILED);
	assert_int_equal(out.results[2].exit_code, -1);
	assert_int_equal(out.results[2].signal, SIGSEGV);
	assert_string_equal(sl_job_status_name(out.results[2].status),
			    "failed");
	assert_int_equal(out.signal, 0);
	assert_int_equal(out.warnings.n, 0);
	sl_run_result_release(&out);
	test_jobs_release(jobs, 3);
}

static void run__status_names_match_the_results_file(void **state)
{
	(void)state;
	assert_string_equal(sl_job_status_name(SL_JOB_PASSED), "passed");
	assert_string_equal(sl_job_status_name(SL_JOB_FAILED), "failed");
	assert_string_equal(sl_job_status_name(SL_JOB_TIMED_OUT), "timed_out");
	assert_string_equal(sl_job_status_name(SL_JOB_ERROR), "error");
	assert_string_equal(sl_job_status_name(SL_JOB_SKIPPED), "skipped");
	assert_string_equal(sl_job_status_name(SL_JOB_OVERRIDDEN),
			    "overridden");
}

static void run__timeout_terms_then_kills_the_group(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job jobs[2];
	uint64_t start = sl_now_ms();

	(void)state;
	test_job(&jobs[0], "sleepy", "sleep 30 & echo $! > child.pid; wait");
	jobs[0].timeout_ms = 200;
	/* Ignores SIGTERM (and so does its sleep): needs the SIGKILL. */
	test_job(&jobs[1], "stubborn",
		 "trap '' TERM; sleep 30 & echo $! > stubborn.pid; wait; "
		 "wait; exit 0");
	jobs[1].timeout_ms = 200;
	test_options(&opts);
	opts.grace_ms = 300;
	test_run(&out, jobs, 2, &opts, 0);

	assert_int_equal(out.results[0].status, SL_JOB_TIMED_OUT);
	assert_int_equal(out.results[0].signal, SIGTERM);
	assert_int_equal(out.results[1].status, SL_JOB_TIMED_OUT);
	assert_int_equal(out.results[1].signal, SIGKILL);
	assert_true(out.results[0].duration_ms >= 200);
	assert_true(out.results[1].duration_ms >= 500);
	assert_true(sl_now_ms() - start < 3000);
	assert_log_contains(&out.results[0], "timed out after 200 ms");
	assert_false(test_alive(test_read_pid("child.pid")));
	assert_false(test_alive(test_read_pid("stubborn.pid")));
	sl_run_result_release(&out);
	test_jobs_release(jobs, 2);
}

static void run__unstartable_commands_are_errors(void **state)
{
	static const char *missing_argv[] = {"/nonexistent/tool", NULL};
	static const char *unknown_argv[] = {"sluice-no-such-command", NULL};
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job jobs[4];

	(void)state;
	test_job_argv(&jobs[0], "missing", missing_argv);
	test_job_argv(&jobs[1], "unknown", unknown_argv);
	test_job(&jobs[2], "nowhere", "true");
	free(jobs[2].cwd);
	jobs[2].cwd = sl_xstrdup("/nonexistent/dir");
	test_job(&jobs[3], "fine", "true");
	test_options(&opts);
	test_run(&out, jobs, 4, &opts, 0);

	assert_int_equal(out.results[0].status, SL_JOB_ERROR);
	assert_contains(out.results[0].error, "'/nonexistent/tool'");
	assert_int_equal(out.results[1].status, SL_JOB_ERROR);
	assert_contains(out.results[1].error, "not found");
	assert_int_equal(out.results[2].status, SL_JOB_ERROR);
	assert_contains(out.results[2].error, "'/nonexistent/dir'");
	assert_int_equal(out.results[3].status, SL_JOB_PASSED);
	sl_run_result_release(&out);
	test_jobs_release(jobs, 4);
}

static void run__argv_is_not_parsed_by_a_shell(void **state)
{
	static const char *argv[] = {"printf", "%s|", "a b", "$(x)", "'", NULL};
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_buf log = SL_BUF_INIT;
	struct sl_job job;

	(void)state;
	test_job_argv(&job, "argv", argv);
	test_options(&opts);
	test_run(&out, &job, 1, &opts, 0);
	assert_int_equal(out.results[0].status, SL_JOB_PASSED);
	sl_read_file(&log, out.results[0].log);
	assert_string_equal(log.buf, "a b|$(x)|'|");
	sl_buf_release(&log);
	sl_run_result_release(&out);
	sl_job_release(&job);
}

/* Fails until its n-th attempt, counting in a file. */
#define FLAKY_CMD(n)                                                           \
	"c=$(cat count 2>/dev/null || echo 0); c=$((c + 1)); echo $c >count; " \
	"echo attempt-$c; [ $c -ge " #n " ]"

static void run__retries_until_a_pass_is_flaky(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job job;

	(void)state;
	test_job(&job, "flaky", FLAKY_CMD(3));
	job.retries = 3;
	test_options(&opts);
	test_run(&out, &job, 1, &opts, 0);
	assert_int_equal(out.results[0].status, SL_JOB_PASSED);
	assert_int_equal(out.results[0].attempts, 3);
	assert_true(out.results[0].flaky);
	assert_log_contains(&out.results[0], "attempt-1\n");
	assert_log_contains(
	    &out.results[0],
	    "--- sluice: attempt 1 of 4: exit code 1; retrying");
	assert_log_contains(&out.results[0], "attempt-2\n");
	assert_log_contains(&out.results[0], "attempt-3\n");
	sl_run_result_release(&out);
	sl_job_release(&job);
}

static void run__retries_run_out_as_failed(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job job;

	(void)state;
	test_job(&job, "broken", FLAKY_CMD(9));
	job.retries = 2;
	test_options(&opts);
	test_run(&out, &job, 1, &opts, 0);
	assert_int_equal(out.results[0].status, SL_JOB_FAILED);
	assert_int_equal(out.results[0].attempts, 3);
	assert_int_equal(out.results[0].exit_code, 1);
	assert_false(out.results[0].flaky);
	sl_run_result_release(&out);
	sl_job_release(&job);
}

static void run__a_timed_out_attempt_is_retried(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job job;

	(void)state;
	test_job(&job, "hangs-once",
		 "if [ -e seen ]; then exit 0; fi; : >seen; exec sleep 30");
	job.timeout_ms = 200;
	job.retries = 1;
	test_options(&opts);
	test_run(&out, &job, 1, &opts, 0);
	assert_int_equal(out.results[0].status, SL_JOB_PASSED);
	assert_int_equal(out.results[0].attempts, 2);
	assert_true(out.results[0].flaky);
	assert_log_contains(&out.results[0], "attempt 1 of 2: timed out");
	sl_run_result_release(&out);
	sl_job_release(&job);
}

static void run__fail_fast_stops_the_rest(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job jobs[4];
	uint64_t start = sl_now_ms();

	(void)state;
	test_job(&jobs[0], "long", "echo $$ >long.pid; exec sleep 30");
	test_job(&jobs[1], "fails",
		 "while [ ! -s long.pid ]; do :; done; "
		 "exit 1");
	test_job(&jobs[2], "queued-1", "true");
	test_job(&jobs[3], "queued-2", "true");
	test_options(&opts);
	opts.jobs = 2;
	opts.fail_fast = true;
	test_run(&out, jobs, 4, &opts, 0);

	assert_int_equal(out.results[0].status, SL_JOB_SKIPPED);
	assert_contains(out.results[0].error,
			"stopped: gate 'fails' failed and fail-fast is on");
	assert_int_equal(out.results[0].signal, SIGTERM);
	assert_int_equal(out.results[1].status, SL_JOB_FAILED);
	assert_int_equal(out.results[2].status, SL_JOB_SKIPPED);
	assert_contains(out.results[2].error, "not started: gate 'fails'");
	assert_int_equal(out.results[2].attempts, 0);
	assert_null(out.results[2].log);
	assert_int_equal(out.results[3].status, SL_JOB_SKIPPED);
	assert_true(sl_now_ms() - start < 3000);
	assert_false(test_alive(test_read_pid("long.pid")));
	sl_run_result_release(&out);
	test_jobs_release(jobs, 4);
}

static void run__fail_fast_waits_for_retries(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job jobs[2];

	(void)state;
	test_job(&jobs[0], "flaky", FLAKY_CMD(2));
	jobs[0].retries = 1;
	test_job(&jobs[1], "after", "true");
	test_options(&opts);
	opts.jobs = 1;
	opts.fail_fast = true;
	test_run(&out, jobs, 2, &opts, 0);
	assert_int_equal(out.results[0].status, SL_JOB_PASSED);
	assert_int_equal(out.results[1].status, SL_JOB_PASSED);
	sl_run_result_release(&out);
	test_jobs_release(jobs, 2);
}

struct counts {
	size_t started, finished, ticks, max_running;
	bool order_ok;
};

static void count_events(void *data, const struct sl_run_event *ev)
{
	struct counts *c = data;

	if (ev->running > c->max_running)
		c->max_running = ev->running;
	switch (ev->type) {
	case SL_RUN_EVENT_STARTED:
		c->started++;
		assert_non_null(ev->job);
		assert_int_equal(ev->result->status, SL_JOB_PENDING);
		break;
	case SL_RUN_EVENT_FINISHED:
		c->finished++;
		assert_int_not_equal(ev->result->status, SL_JOB_PENDING);
		assert_int_equal(ev->finished, c->finished);
		break;
	case SL_RUN_EVENT_TICK:
		c->ticks++;
		assert_null(ev->job);
		assert_int_equal(ev->index, SIZE_MAX);
		break;
	}
}

/* Each gate records its start and end; no more than N may overlap. */
#define TIMED_CMD                                                              \
	"date +%s%N >times/$SLUICE_GATE.start; sleep 0.2; "                    \
	"date +%s%N >times/$SLUICE_GATE.end"

static uint64_t read_ns(const char *gate, const char *what)
{
	struct sl_buf path = SL_BUF_INIT, text = SL_BUF_INIT;
	uint64_t ns;

	sl_buf_addf(&path, "times/%s.%s", gate, what);
	sl_read_file(&text, path.buf);
	ns = strtoull(text.buf, NULL, 10);
	sl_buf_release(&path);
	sl_buf_release(&text);
	return ns;
}

static void run__parallelism_is_bounded_by_jobs(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct counts counts = {0, 0, 0, 0, true};
	struct sl_job jobs[6];
	uint64_t start[6], end[6];
	size_t i, k, most = 0;

	(void)state;
	sl_sh_ok("mkdir times");
	for (i = 0; i < 6; i++) {
		char name[16];

		snprintf(name, sizeof(name), "g%zu", i);
		test_job(&jobs[i], name, TIMED_CMD);
	}
	test_options(&opts);
	opts.jobs = 2;
	opts.tick_ms = 50;
	opts.on_event = count_events;
	opts.data = &counts;
	test_run(&out, jobs, 6, &opts, 0);

	for (i = 0; i < 6; i++) {
		assert_int_equal(out.results[i].status, SL_JOB_PASSED);
		start[i] = read_ns(jobs[i].name, "start");
		end[i] = read_ns(jobs[i].name, "end");
	}
	/*
	 * At each gate's start, how many gates were running? Two at some
	 * point (they did run in parallel), never more.
	 */
	for (i = 0; i < 6; i++) {
		size_t running = 0;

		for (k = 0; k < 6; k++)
			running += start[k] <= start[i] && end[k] > start[i];
		if (running > most)
			most = running;
	}
	assert_int_equal(most, 2);
	assert_int_equal(counts.max_running, 2);
	assert_int_equal(counts.started, 6);
	assert_int_equal(counts.finished, 6);
	assert_true(counts.ticks >= 3);
	sl_run_result_release(&out);
	test_jobs_release(jobs, 6);
}

static void run__logs_dir_is_made_private(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job jobs[2];
	struct stat st;

	(void)state;
	test_job(&jobs[0], "a/../weird name", "echo one");
	test_job(&jobs[1], "a_.._weird_name", "echo two");
	test_options(&opts);
	opts.logs_dir = "deep/er/logs";
	test_run(&out, jobs, 2, &opts, 0);
	assert_int_equal(stat("deep/er/logs", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_string_equal(out.results[0].log,
			    "deep/er/logs/a_.._weird_name.log");
	assert_string_equal(out.results[1].log,
			    "deep/er/logs/a_.._weird_name-2.log");
	assert_log_contains(&out.results[0], "one");
	assert_log_contains(&out.results[1], "two");
	assert_int_equal(stat("deep/er/logs/a_.._weird_name.changed0", &st), 0);
	sl_run_result_release(&out);
	test_jobs_release(jobs, 2);
}

static void run__default_logs_dir_is_temporary(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job job;
	struct stat st;

	(void)state;
	setenv("TMPDIR", ".", 1);
	test_job(&job, "t", "true");
	test_options(&opts);
	opts.logs_dir = NULL;
	test_run(&out, &job, 1, &opts, 0);
	assert_non_null(out.logs_dir);
	assert_non_null(strstr(out.logs_dir, "sluice-logs-"));
	assert_int_equal(stat(out.logs_dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	unsetenv("TMPDIR");
	sl_run_result_release(&out);
	sl_job_release(&job);
}

static void run__unusable_logs_dir_is_an_env_error(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_run_options opts;
	struct sl_job job;

	(void)state;
	sl_write_text("file", "not a directory");
	test_job(&job, "t", "touch ran");
	test_options(&opts);
	opts.logs_dir = "file/logs";
	assert_int_equal(sl_run(&out, &job, 1, &opts, &err), SL_EENV);
	assert_non_null(strstr(sl_error_message(&err), "'file/logs'"));
	assert_int_equal(access("ran", F_OK), -1);
	assert_int_equal(out.results[0].status, SL_JOB_PENDING);
	sl_error_release(&err);
	sl_run_result_release(&out);
	sl_job_release(&job);
}

static void run__nothing_to_run_is_fine(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;

	(void)state;
	test_options(&opts);
	test_run(&out, NULL, 0, &opts, 0);
	assert_int_equal(out.n, 0);
	sl_run_result_release(&out);
}

/* One run for identical gates: what counts (lane, command, cwd, env in
 * order, timeout, retries, a command reading the gate's name or kind) and
 * what does not (name, kind, changed paths). */
static void run__same_runs_by_definition(void **state)
{
	struct sl_job jobs[10];
	size_t *same = NULL, i;

	(void)state;
	for (i = 0; i < 10; i++) {
		sl_job_init(&jobs[i]);
		jobs[i].shell = sl_xstrdup("npm test -w a");
		jobs[i].cwd = sl_xstrdup("/repo");
		sl_job_setenv(&jobs[i], "A", "1");
		sl_job_setenv(&jobs[i], "B", "2");
	}
	/* 1: another name, kind and changed paths: the same run. */
	free(jobs[1].name);
	jobs[1].name = sl_xstrdup("a-smoke");
	free(jobs[1].kind);
	jobs[1].kind = sl_xstrdup("smoke");
	sl_job_add_changed(&jobs[1], "x", 1);
	/* 2: another timeout; 3: env in another order; 4: argv, not shell;
	 * 5: another retries; 6: another cwd. */
	jobs[2].timeout_ms = 1000;
	free(jobs[3].env[0].name);
	jobs[3].env[0].name = sl_xstrdup("B");
	free(jobs[3].env[1].name);
	jobs[3].env[1].name = sl_xstrdup("A");
	free(jobs[3].env[0].value);
	jobs[3].env[0].value = sl_xstrdup("2");
	free(jobs[3].env[1].value);
	jobs[3].env[1].value = sl_xstrdup("1");
	free(jobs[4].shell);
	jobs[4].shell = NULL;
	sl_strvec_push(&jobs[4].argv, "npm test -w a");
	jobs[5].retries = 1;
	free(jobs[6].cwd);
	jobs[6].cwd = sl_xstrdup("/repo/a");
	/* 7: another lane (a script may test the lane $SLUICE_LANE names);
	 * 8 and 9: the same command, which reads the gate's name: each its
	 * own run, though identical to each other. */
	free(jobs[7].lane);
	jobs[7].lane = sl_xstrdup("b");
	for (i = 8; i < 10; i++) {
		free(jobs[i].shell);
		jobs[i].shell = sl_xstrdup("./ci/gate.sh \"$SLUICE_GATE\"");
	}
	sl_jobs_same_runs(&same, jobs, 10);
	assert_int_equal(same[0], 0);
	assert_int_equal(same[1], 0);
	for (i = 2; i < 10; i++)
		assert_int_equal(same[i], i);
	assert_true(sl_job_same_run(&jobs[0], &jobs[1]));
	assert_false(sl_job_same_run(&jobs[0], &jobs[3]));
	assert_false(sl_job_same_run(&jobs[0], &jobs[7]));
	assert_false(sl_job_same_run(&jobs[8], &jobs[9]));
	free(same);
	sl_jobs_same_runs(&same, jobs, 0);
	free(same);
	for (i = 0; i < 10; i++)
		sl_job_release(&jobs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(run__statuses_follow_exit_codes,
					    setup, teardown),
	    cmocka_unit_test(run__status_names_match_the_results_file),
	    cmocka_unit_test(run__same_runs_by_definition),
	    cmocka_unit_test_setup_teardown(
		run__timeout_terms_then_kills_the_group, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		run__unstartable_commands_are_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(run__argv_is_not_parsed_by_a_shell,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(run__retries_until_a_pass_is_flaky,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(run__retries_run_out_as_failed,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(run__a_timed_out_attempt_is_retried,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(run__fail_fast_stops_the_rest,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(run__fail_fast_waits_for_retries,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(run__parallelism_is_bounded_by_jobs,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(run__logs_dir_is_made_private,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(run__default_logs_dir_is_temporary,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		run__unusable_logs_dir_is_an_env_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(run__nothing_to_run_is_fine, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
