/*
 * test_run_repro.c: `sluice repro` underneath: one gate in the foreground
 * with the terminal, and the shell snippet that reproduces exactly what the
 * runner gave the gate (environment, cwd, changed-path files).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
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

/* Runs sl_job_repro() with stdout going to the file out. */
static int repro_to_file(int *status, const struct sl_job *job, const char *out,
			 struct sl_error *err)
{
	int saved, fd, ret;

	fflush(stdout);
	saved = dup(1);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 1);
	close(fd);
	ret = sl_job_repro(status, job, "repro", err);
	dup2(saved, 1);
	close(saved);
	return ret;
}

static void repro__runs_with_our_stdio_and_returns_the_status(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf out = SL_BUF_INIT, changed = SL_BUF_INIT;
	struct sl_job job;
	int status = -1;

	(void)state;
	test_job(&job, "seven",
		 "echo out; cat \"$SLUICE_CHANGED\"; sleep 1000 & "
		 "echo $! >bg.pid; exit 7");
	sl_job_add_changed(&job, "a.c", 3);
	assert_int_equal(repro_to_file(&status, &job, "stdout", &err), 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
	sl_read_file(&out, "stdout");
	assert_string_equal(out.buf, "out\na.c\n");
	sl_read_file(&changed, "repro/seven.changed0");
	assert_int_equal(changed.len, 4);
	assert_memory_equal(changed.buf, "a.c", 4);
	assert_false(test_alive(test_read_pid("bg.pid")));
	sl_job_release(&job);

	test_job(&job, "killed", "kill -TERM $$");
	assert_int_equal(repro_to_file(&status, &job, "stdout", &err), 0);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	sl_job_release(&job);
	sl_buf_release(&out);
	sl_buf_release(&changed);
	sl_error_release(&err);
}

static void repro__failures_to_start_are_env_errors(void **state)
{
	static const char *argv[] = {"/nonexistent/tool", NULL};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_job job;
	int status = -1;

	(void)state;
	test_job_argv(&job, "missing", argv);
	assert_int_equal(sl_job_repro(&status, &job, "repro", &err), SL_EENV);
	assert_non_null(strstr(sl_error_message(&err), "/nonexistent/tool"));
	sl_job_release(&job);

	sl_write_text("file", "x");
	test_job(&job, "t", "true");
	assert_int_equal(sl_job_repro(&status, &job, "file/repro", &err),
			 SL_EENV);
	sl_job_release(&job);
	sl_error_release(&err);
}

/*
 * A gate whose exit status cannot be learnt (waitpid() fails) makes repro
 * an environment error (exit 3), never an exit 0.
 */
static void repro__lost_exit_status_is_an_env_error(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_job job;
	int status = -1;

	(void)state;
	test_job(&job, "lost", "exit 0");
	test_fail_next_wait();
	assert_int_equal(sl_job_repro(&status, &job, "repro", &err), SL_EENV);
	assert_non_null(strstr(sl_error_message(&err),
			       "cannot wait for the gate: No child processes"));
	assert_int_equal(status, -1);
	sl_job_release(&job);
	sl_error_release(&err);
}

/*
 * In a new session with a pseudo-terminal as its controlling terminal and
 * stdin, the gate's process group must own the terminal while it runs, also
 * after a ^Z, and sluice's must own it again afterwards.
 */
static void repro__gate_gets_the_terminal(void **state)
{
	struct sl_buf stat = SL_BUF_INIT;
	int wstatus = 0;
	pid_t child;
	long pgrp = 0, tpgid = 0, pid;

	(void)state;
	fflush(stdout);
	child = fork();
	assert_true(child >= 0);
	if (!child) {
		struct sl_error err = SL_ERROR_INIT;
		struct sl_job job;
		int master, slave, status = -1;

		setsid();
		master = posix_openpt(O_RDWR | O_NOCTTY);
		if (master < 0 || grantpt(master) || unlockpt(master))
			_exit(10);
		slave = open(ptsname(master), O_RDWR);
		if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
			_exit(11);
		dup2(slave, 0);
		/*
		 * ^Z: sluice takes the terminal back, stops with the gate
		 * (a no-op here: an orphaned process group does not stop),
		 * then hands the terminal back and continues the gate.
		 */
		test_job(&job, "tty",
			 "kill -TSTP $$; "
			 "echo $$ >pid; cut -d' ' -f5,8 /proc/$$/stat >stat");
		if (sl_job_repro(&status, &job, "repro", &err) || status)
			_exit(12);
		_exit(tcgetpgrp(0) == getpgrp() ? 0 : 13);
	}
	assert_int_equal(waitpid(child, &wstatus, 0), child);
	assert_true(WIFEXITED(wstatus));
	assert_int_equal(WEXITSTATUS(wstatus), 0);
	pid = test_read_pid("pid");
	sl_read_file(&stat, "stat");
	assert_int_equal(sscanf(stat.buf, "%ld %ld", &pgrp, &tpgid), 2);
	assert_int_equal(pgrp, pid);
	assert_int_equal(tpgid, pid);
	sl_buf_release(&stat);
}

/* NUL-separated `env -0` output, sorted, without the entries that differ. */
static void load_env(struct sl_strvec *out, const char *file)
{
	static const char *const differ[] = {
	    "DUMP=",   "SLUICE_CHANGED=", "SLUICE_CHANGED0=",
	    "OLDPWD=", "SHLVL=",	  "_="};
	struct sl_buf data = SL_BUF_INIT;
	size_t i = 0, k;

	sl_read_file(&data, file);
	while (i < data.len) {
		const char *entry = data.buf + i;
		bool skip = false;

		for (k = 0; k < SL_ARRAY_SIZE(differ); k++)
			skip |= !strncmp(entry, differ[k], strlen(differ[k]));
		if (!skip)
			sl_strvec_push(out, entry);
		i += strlen(entry) + 1;
	}
	sl_buf_release(&data);
}

static int compare_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_env(struct sl_strvec *env)
{
	qsort(env->v, env->n, sizeof(*env->v), compare_strp);
}

static void assert_same_file(const char *a, const char *b)
{
	struct sl_buf x = SL_BUF_INIT, y = SL_BUF_INIT;

	sl_read_file(&x, a);
	sl_read_file(&y, b);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.buf, y.buf, x.len);
	sl_buf_release(&x);
	sl_buf_release(&y);
}

#define DUMP_CMD                                                               \
	"env -0 >\"$DUMP\"; cat \"$SLUICE_CHANGED0\" >\"$DUMP.c0\"; "          \
	"cat \"$SLUICE_CHANGED\" >\"$DUMP.c\"; printf '%s|' \"$@\" "           \
	">\"$DUMP.a\""

/* Runs job with the runner, then its snippet with sh; same results? */
static void assert_snippet_reproduces(struct sl_job *job)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_strvec run_env = SL_STRVEC_INIT, snip_env = SL_STRVEC_INIT;
	struct sl_buf snippet = SL_BUF_INIT, dump = SL_BUF_INIT;
	struct sl_run_options opts;
	char cwd[PATH_MAX];
	size_t i;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	sl_buf_addf(&dump, "%s/run.env", cwd);
	setenv("DUMP", dump.buf, 1);
	test_options(&opts);
	test_run(&out, job, 1, &opts, 0);
	assert_int_equal(out.results[0].status, SL_JOB_PASSED);

	sl_job_snippet(&snippet, job);
	sl_write_text("snippet.sh", snippet.buf);
	sl_buf_reset(&dump);
	sl_buf_addf(&dump, "%s/snip.env", cwd);
	setenv("DUMP", dump.buf, 1);
	sl_sh_ok("sh snippet.sh");
	unsetenv("DUMP");

	assert_int_equal(access("PWNED", F_OK), -1);
	load_env(&run_env, "run.env");
	load_env(&snip_env, "snip.env");
	sort_env(&run_env);
	sort_env(&snip_env);
	for (i = 0; i < run_env.n && i < snip_env.n; i++)
		assert_string_equal(run_env.v[i], snip_env.v[i]);
	assert_int_equal(run_env.n, snip_env.n);
	assert_same_file("run.env.c0", "snip.env.c0");
	assert_same_file("run.env.c", "snip.env.c");
	if (!access("run.env.a", F_OK))
		assert_same_file("run.env.a", "snip.env.a");

	sl_strvec_release(&run_env);
	sl_strvec_release(&snip_env);
	sl_buf_release(&snippet);
	sl_buf_release(&dump);
	sl_run_result_release(&out);
}

static const char *const hostile[] = {
    "$(touch PWNED);x.c", "it's.c", "a b\\c.c", "caf\xe9/\xff.c",
    "new\nline.c",	  "%s%n.c", "-v",
};

static void repro__snippet_reproduces_a_shell_gate(void **state)
{
	struct sl_buf cwd = SL_BUF_INIT;
	struct sl_job job;
	size_t i;

	(void)state;
	sl_sh_ok("mkdir \"odd dir's\"");
	test_job(&job, "shell-gate", DUMP_CMD);
	sl_buf_addf(&cwd, "%s/odd dir's", job.root);
	free(job.cwd);
	job.cwd = sl_buf_detach(&cwd, NULL);
	sl_job_setenv(&job, "QUOTED", "it's \"$HOME\" `id` \\ \n done");
	sl_job_setenv(&job, "EMPTY", "");
	for (i = 0; i < SL_ARRAY_SIZE(hostile); i++)
		sl_job_add_changed(&job, hostile[i], strlen(hostile[i]));
	assert_snippet_reproduces(&job);
	sl_job_release(&job);
}

static void repro__snippet_reproduces_an_argv_gate(void **state)
{
	static const char *argv[] = {"./run=me", "a b", "it's", "$(x)", NULL};
	struct sl_job job;

	(void)state;
	/* A first word with '=' in it, that env would take for a variable. */
	sl_write_text("run=me", "#!/bin/sh\n" DUMP_CMD "\n");
	sl_sh_ok("chmod +x run=me");
	test_job_argv(&job, "argv-gate", argv);
	assert_snippet_reproduces(&job);
	sl_job_release(&job);
}

static void repro__snippet_with_no_paths_makes_empty_files(void **state)
{
	struct sl_job job;

	(void)state;
	test_job(&job, "no-paths", DUMP_CMD);
	assert_snippet_reproduces(&job);
	sl_job_release(&job);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		repro__runs_with_our_stdio_and_returns_the_status, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		repro__failures_to_start_are_env_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		repro__lost_exit_status_is_an_env_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(repro__gate_gets_the_terminal,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		repro__snippet_reproduces_a_shell_gate, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		repro__snippet_reproduces_an_argv_gate, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		repro__snippet_with_no_paths_makes_empty_files, setup,
		teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
