/*
 * test_run_env.c: the environment contract (SPEC.md §1 "Gates"): what a
 * gate finds in its environment (and what it does not: sluice's own
 * SLUICE_* settings), and changed paths that reach it only as data,
 * whatever bytes they hold.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
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

static void run_one(struct sl_job *job, enum sl_job_status want)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;

	test_options(&opts);
	test_run(&out, job, 1, &opts, 0);
	if (out.results[0].status != want) {
		struct sl_buf log = SL_BUF_INIT;

		sl_read_file(&log, out.results[0].log);
		fail_msg("gate '%s' %s: %s", job->name,
			 sl_job_status_name(out.results[0].status), log.buf);
	}
	sl_run_result_release(&out);
}

static void env__contract_variables_are_set(void **state)
{
	struct sl_buf got = SL_BUF_INIT, want = SL_BUF_INIT;
	char cwd[PATH_MAX];
	struct sl_job job;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	sl_sh_ok("mkdir sub");
	setenv("TEST_INHERITED", "from the parent", 1);
	/* sluice's own settings name its state: never the gate's. */
	setenv("SLUICE_LEDGER", "/ci/ledger.db", 1);
	setenv("SLUICE_ACTOR", "ci@example.com", 1);
	test_job(&job, "billing-unit",
		 "printf '%s\\n' \"$SLUICE_GATE\" \"$SLUICE_KIND\" "
		 "\"$SLUICE_LANE\" \"$SLUICE_BASE\" \"$SLUICE_HEAD\" "
		 "\"$SLUICE_ROOT\" \"$PWD\" \"$(pwd)\" \"$EXTRA\" "
		 "\"$TEST_INHERITED\" \"${SLUICE_LEDGER-unset}\" "
		 "\"${SLUICE_ACTOR-unset}\" >../vars; "
		 "[ -f \"$SLUICE_CHANGED\" ] && [ -f \"$SLUICE_CHANGED0\" ]");
	free(job.cwd);
	sl_buf_addf(&want, "%s/sub", cwd);
	job.cwd = sl_xstrdup(want.buf);
	sl_job_setenv(&job, "EXTRA", "it's \"quoted\" $HOME");
	/* The contract wins over a gate's env. */
	sl_job_setenv(&job, "SLUICE_GATE", "spoofed");
	run_one(&job, SL_JOB_PASSED);

	sl_buf_reset(&want);
	sl_buf_addf(&want,
		    "billing-unit\nlocal\nlane\n%s\n%s\n%s\n%s/sub\n%s/sub\n"
		    "it's \"quoted\" $HOME\nfrom the parent\nunset\nunset\n",
		    TEST_BASE, TEST_HEAD, cwd, cwd, cwd);
	sl_read_file(&got, "vars");
	assert_string_equal(got.buf, want.buf);
	unsetenv("TEST_INHERITED");
	unsetenv("SLUICE_LEDGER");
	unsetenv("SLUICE_ACTOR");
	sl_buf_release(&got);
	sl_buf_release(&want);
	sl_job_release(&job);
}

static void env__contract_gate_has_an_empty_lane(void **state)
{
	struct sl_buf got = SL_BUF_INIT;
	struct sl_job job;

	(void)state;
	test_job(&job, "contract-compat",
		 "printf '[%s][%s]' \"$SLUICE_KIND\" \"${SLUICE_LANE-unset}\" "
		 ">vars");
	free(job.kind);
	job.kind = sl_xstrdup("contract");
	free(job.lane);
	job.lane = sl_xstrdup("");
	run_one(&job, SL_JOB_PASSED);
	sl_read_file(&got, "vars");
	assert_string_equal(got.buf, "[contract][]");
	sl_buf_release(&got);
	sl_job_release(&job);
}

/* Paths no shell may see as code, with bytes that are not UTF-8. */
static const char *const hostile[] = {
    "$(touch PWNED);x.c", "`touch PWNED2`.c", "a b/c'd\".c", "-rf",
    "caf\xe9/\xff\xfe.c", "new\nline.c",
};

static void env__changed_paths_are_data_only(void **state)
{
	struct sl_buf got = SL_BUF_INIT, want = SL_BUF_INIT;
	struct sl_job job;
	size_t i;

	(void)state;
	test_job(
	    &job, "reads-paths",
	    "cat \"$SLUICE_CHANGED0\" >got0; cat \"$SLUICE_CHANGED\" >got; "
	    "while IFS= read -r p; do echo \"$p\"; done "
	    "<\"$SLUICE_CHANGED\"");
	for (i = 0; i < SL_ARRAY_SIZE(hostile); i++)
		sl_job_add_changed(&job, hostile[i], strlen(hostile[i]));
	run_one(&job, SL_JOB_PASSED);
	assert_int_equal(access("PWNED", F_OK), -1);
	assert_int_equal(access("PWNED2", F_OK), -1);

	for (i = 0; i < SL_ARRAY_SIZE(hostile); i++)
		sl_buf_add(&want, hostile[i], strlen(hostile[i]) + 1);
	sl_read_file(&got, "got0");
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.buf, want.buf, want.len);

	sl_buf_reset(&got);
	sl_buf_reset(&want);
	for (i = 0; i < SL_ARRAY_SIZE(hostile); i++) {
		sl_buf_adds(&want, hostile[i]);
		sl_buf_addch(&want, '\n');
	}
	sl_read_file(&got, "got");
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.buf, want.buf, want.len);
	sl_buf_release(&got);
	sl_buf_release(&want);
	sl_job_release(&job);
}

static void env__no_changed_paths_gives_empty_files(void **state)
{
	struct sl_job job;

	(void)state;
	test_job(&job, "none",
		 "[ ! -s \"$SLUICE_CHANGED\" ] && "
		 "[ ! -s \"$SLUICE_CHANGED0\" ] && "
		 "[ -f \"$SLUICE_CHANGED0\" ]");
	run_one(&job, SL_JOB_PASSED);
	sl_job_release(&job);
}

static void env__argv_is_found_in_the_gates_path(void **state)
{
	static const char *argv[] = {"my-tool", "arg", NULL};
	struct sl_buf path = SL_BUF_INIT;
	char cwd[PATH_MAX];
	struct sl_job job;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	sl_write_text("bin/my-tool", "#!/bin/sh\n[ \"$1\" = arg ]\n");
	sl_sh_ok("chmod +x bin/my-tool");
	test_job_argv(&job, "tool", argv);
	sl_buf_addf(&path, "%s/bin:/usr/bin:/bin", cwd);
	sl_job_setenv(&job, "PATH", path.buf);
	run_one(&job, SL_JOB_PASSED);
	sl_buf_release(&path);
	sl_job_release(&job);
}

static void env__job_from_gate_copies_the_gate(void **state)
{
	struct sl_env_var env[] = {{(char *)"K", (char *)"v"}};
	struct sl_lane lane;
	struct sl_rules rules;
	struct sl_gate gate;
	struct sl_job job;

	(void)state;
	memset(&lane, 0, sizeof(lane));
	lane.name = (char *)"billing";
	memset(&rules, 0, sizeof(rules));
	rules.lanes = &lane;
	rules.nlanes = 1;
	memset(&gate, 0, sizeof(gate));
	gate.name = (char *)"billing-unit";
	gate.kind = SL_GATE_LOCAL;
	gate.lane = 0;
	gate.shell = (char *)"make test";
	gate.argv = (struct sl_strvec)SL_STRVEC_INIT;
	gate.cwd = (char *)"services/billing";
	gate.env = env;
	gate.nenv = 1;
	gate.timeout_ms = 600000;
	gate.retries = 2;

	sl_job_init(&job);
	sl_job_from_gate(&job, &rules, &gate, "/repo");
	assert_string_equal(job.name, "billing-unit");
	assert_string_equal(job.kind, "local");
	assert_string_equal(job.lane, "billing");
	assert_string_equal(job.shell, "make test");
	assert_int_equal(job.argv.n, 0);
	assert_string_equal(job.cwd, "/repo/services/billing");
	assert_string_equal(job.root, "/repo");
	assert_int_equal(job.nenv, 1);
	assert_string_equal(job.env[0].name, "K");
	assert_string_equal(job.env[0].value, "v");
	assert_int_equal(job.timeout_ms, 600000);
	assert_int_equal(job.retries, 2);
	sl_job_release(&job);

	gate.kind = SL_GATE_CONTRACT;
	gate.lane = SL_NO_LANE;
	gate.cwd = NULL;
	sl_job_init(&job);
	sl_job_from_gate(&job, &rules, &gate, "/repo");
	assert_string_equal(job.kind, "contract");
	assert_string_equal(job.lane, "");
	assert_string_equal(job.cwd, "/repo");
	sl_job_release(&job);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(env__contract_variables_are_set,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		env__contract_gate_has_an_empty_lane, setup, teardown),
	    cmocka_unit_test_setup_teardown(env__changed_paths_are_data_only,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		env__no_changed_paths_gives_empty_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		env__argv_is_found_in_the_gates_path, setup, teardown),
	    cmocka_unit_test(env__job_from_gate_copies_the_gate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
