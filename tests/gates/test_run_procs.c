/*
 * test_run_procs.c: what the runner promises about processes: nothing a
 * gate starts outlives the run (background children, setsid'd and
 * double-forked daemons), no output can hang it or grow its memory, no
 * descriptor of sluice's reaches a gate, and SIGINT/SIGTERM stop every
 * gate and keep the results of finished ones.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

static void assert_dead(const char *pid_file)
{
	pid_t pid = test_read_pid(pid_file);

	if (pid <= 0)
		fail_msg("no pid in '%s'", pid_file);
	if (test_alive(pid))
		fail_msg("process %ld from '%s' outlived the run", (long)pid,
			 pid_file);
}

static void procs__background_child_holding_output_does_not_hang(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job job;

	(void)state;
	test_job(&job, "leaves-a-child",
		 "sleep 1000 & echo $! >bg.pid; echo done");
	test_options(&opts);
	test_run(&out, &job, 1, &opts, 0);
	assert_int_equal(out.results[0].status, SL_JOB_PASSED);
	assert_true(out.duration_ms < 2000);
	assert_dead("bg.pid");
	sl_run_result_release(&out);
	sl_job_release(&job);
}

static void procs__daemons_are_stopped_with_their_gate(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job jobs[2];

	(void)state;
	/*
	 * A child and an orphan in the gate's process group, a child and an
	 * orphan out of it (setsid), all holding stdout, and an orphan out of
	 * it that also dropped its environment.
	 */
	test_job(&jobs[0], "daemons",
		 "sleep 1000 & echo $! >bg.pid; "
		 "(sleep 1000 & echo $! >grp.pid); "
		 "setsid sleep 1000 & echo $! >sid.pid; "
		 "(setsid sleep 1000 & echo $! >dbl.pid); "
		 "(setsid env -i sleep 1000 & echo $! >anon.pid); "
		 /* Until env -i has exec'd sleep with no SLUICE_GATE. */
		 "until [ \"$(cat /proc/$(cat anon.pid)/comm)\" = sleep ]; "
		 "do :; done");
	/*
	 * The next gate sees all but the last gone already: they were in the
	 * group, or carry SLUICE_GATE=daemons. The last goes at the end of
	 * the run.
	 */
	test_job(&jobs[1], "checks",
		 "sleep 0.3; "
		 "for f in bg grp sid dbl; do "
		 "  kill -0 $(cat $f.pid) 2>/dev/null && exit 1; "
		 "done; "
		 "kill -0 $(cat anon.pid) || exit 2; exit 0");
	test_options(&opts);
	opts.jobs = 1;
	test_run(&out, jobs, 2, &opts, 0);
	assert_int_equal(out.results[0].status, SL_JOB_PASSED);
	assert_int_equal(out.results[1].status, SL_JOB_PASSED);
	assert_dead("bg.pid");
	assert_dead("grp.pid");
	assert_dead("sid.pid");
	assert_dead("dbl.pid");
	assert_dead("anon.pid");
	sl_run_result_release(&out);
	test_jobs_release(jobs, 2);
}

static void procs__stopped_gate_still_times_out(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job job;

	(void)state;
	test_job(&job, "stops-itself", "kill -STOP $$; sleep 30");
	job.timeout_ms = 200;
	test_options(&opts);
	test_run(&out, &job, 1, &opts, 0);
	assert_int_equal(out.results[0].status, SL_JOB_TIMED_OUT);
	assert_true(out.results[0].duration_ms < 2000);
	sl_run_result_release(&out);
	sl_job_release(&job);
}

static long max_rss_kb(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

static void procs__huge_output_keeps_memory_flat(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job job;
	struct stat st;
	long before;

	(void)state;
	test_job(&job, "chatty", "head -c 200000000 /dev/zero");
	test_options(&opts);
	before = max_rss_kb();
	test_run(&out, &job, 1, &opts, 0);
	assert_int_equal(out.results[0].status, SL_JOB_PASSED);
	assert_int_equal(stat(out.results[0].log, &st), 0);
	assert_int_equal(st.st_size, 200000000);
	/* 200 MB went through; sluice's own high-water mark moved < 8 MB. */
	assert_true(max_rss_kb() - before < 8 * 1024);
	unlink(out.results[0].log);
	sl_run_result_release(&out);
	sl_job_release(&job);
}

/*
 * Descriptors that are not the runner's: those the test process inherited
 * and those the test itself opens without close-on-exec.
 */
static bool foreign[1024];

static void mark_open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;

	assert_non_null(dir);
	memset(foreign, 0, sizeof(foreign));
	while ((de = readdir(dir)) != NULL) {
		long fd = strtol(de->d_name, NULL, 10);

		if (de->d_name[0] != '.' && fd >= 0 &&
		    fd < (long)SL_ARRAY_SIZE(foreign) && fd != dirfd(dir))
			foreign[fd] = true;
	}
	closedir(dir);
}

static bool is_foreign(int fd)
{
	return fd >= (int)SL_ARRAY_SIZE(foreign) || foreign[fd];
}

/* While gates run, every descriptor of the runner's is close-on-exec. */
static void check_cloexec(void *data, const struct sl_run_event *ev)
{
	DIR *dir;
	struct dirent *de;
	size_t *checked = data;

	if (ev->type != SL_RUN_EVENT_STARTED)
		return;
	dir = opendir("/proc/self/fd");
	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL) {
		int fd = (int)strtol(de->d_name, NULL, 10);
		int flags;

		if (de->d_name[0] == '.' || fd < 3 || fd == dirfd(dir) ||
		    is_foreign(fd))
			continue;
		flags = fcntl(fd, F_GETFD);
		if (flags >= 0 && !(flags & FD_CLOEXEC)) {
			char link[PATH_MAX] = "";
			char path[64];

			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			if (readlink(path, link, sizeof(link) - 1) < 0)
				link[0] = '\0';
			fail_msg("descriptor %d (%s) is not close-on-exec", fd,
				 link);
		}
		(*checked)++;
	}
	closedir(dir);
}

static void procs__gates_get_only_stdio(void **state)
{
	static const char *argv[] = {"sh", "-c", "ls /proc/$$/fd", NULL};
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_buf log = SL_BUF_INIT;
	struct sl_run_options opts;
	struct sl_job jobs[2];
	size_t checked = 0, i;
	int fds[3];

	(void)state;
	sl_write_text("secret", "not for gates");
	fds[0] = open("secret", O_RDONLY);
	assert_true(fds[0] >= 3);
	assert_int_equal(pipe(fds + 1), 0);
	mark_open_fds();
	/* ls, a child of the shell, lists the shell's descriptors exactly. */
	test_job(&jobs[0], "shell", "ls /proc/$$/fd");
	test_job_argv(&jobs[1], "argv", argv);
	test_options(&opts);
	opts.history = "history.db"; /* an open sqlite database, too */
	opts.on_event = check_cloexec;
	opts.data = &checked;
	test_run(&out, jobs, 2, &opts, 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(out.results[i].status, SL_JOB_PASSED);
		sl_buf_reset(&log);
		sl_read_file(&log, out.results[i].log);
		assert_string_equal(log.buf, "0\n1\n2\n");
	}
	/* The self-pipe's two ends and sqlite's files, at least. */
	assert_true(checked >= 3);
	for (i = 0; i < SL_ARRAY_SIZE(fds); i++)
		close(fds[i]);
	sl_buf_release(&log);
	sl_run_result_release(&out);
	test_jobs_release(jobs, 2);
}

/*
 * Runs the jobs in a child process (the engine is then the one to get the
 * signal, as `sluice run` would); once every file in wait_for holds a pid,
 * sends it the signals. The child writes "name status error" lines to
 * results.txt and exits 130 when sl_run() says SL_EINTR.
 */
static int run_and_signal(const struct sl_job *jobs, size_t n,
			  const struct sl_run_options *opts,
			  const char **wait_for, const int *signals)
{
	pid_t child;
	int wstatus = 0;
	size_t i;

	fflush(stdout);
	child = fork();
	assert_true(child >= 0);
	if (!child) {
		struct sl_run_result out = SL_RUN_RESULT_INIT;
		struct sl_error err = SL_ERROR_INIT;
		int ret = sl_run(&out, jobs, n, opts, &err);
		FILE *fp = fopen("results.txt", "w");

		for (i = 0; fp && i < out.n; i++)
			fprintf(fp, "%s %s %s\n", jobs[i].name,
				sl_job_status_name(out.results[i].status),
				out.results[i].error ? out.results[i].error
						     : "-");
		if (fp)
			fclose(fp);
		_exit(ret == SL_EINTR ? 130 : ret ? 3 : 0);
	}
	for (; *wait_for; wait_for++)
		assert_true(test_wait_file(*wait_for, 5000));
	for (; *signals; signals++) {
		kill(child, *signals);
		usleep(50 * 1000);
	}
	assert_int_equal(waitpid(child, &wstatus, 0), child);
	assert_true(WIFEXITED(wstatus));
	return WEXITSTATUS(wstatus);
}

static void procs__sigint_stops_every_gate_and_keeps_results(void **state)
{
	static const char *wait_for[] = {"a.pid", "a_bg.pid", "c.pid",
					 "c_daemon.pid", NULL};
	static const int signals[] = {SIGINT, 0};
	struct sl_buf results = SL_BUF_INIT;
	struct sl_run_options opts;
	struct sl_job jobs[4];
	uint64_t start = sl_now_ms();

	(void)state;
	test_job(&jobs[0], "a",
		 "echo $$ >a.pid; sleep 1000 & echo $! >a_bg.pid; wait");
	test_job(&jobs[1], "b", "true");
	test_job(&jobs[2], "c",
		 "setsid sleep 1000 & echo $! >c_daemon.pid; "
		 "echo $$ >c.pid; exec sleep 1000");
	test_job(&jobs[3], "d", "touch d-ran");
	test_options(&opts);
	opts.jobs = 2;
	assert_int_equal(run_and_signal(jobs, 4, &opts, wait_for, signals),
			 130);
	assert_true(sl_now_ms() - start < 4000);

	sl_read_file(&results, "results.txt");
	assert_string_equal(results.buf,
			    "a error stopped: interrupted by SIGINT\n"
			    "b passed -\n"
			    "c error stopped: interrupted by SIGINT\n"
			    "d skipped not started: interrupted by SIGINT\n");
	assert_int_equal(access("d-ran", F_OK), -1);
	assert_dead("a.pid");
	assert_dead("a_bg.pid");
	assert_dead("c.pid");
	assert_dead("c_daemon.pid");
	sl_buf_release(&results);
	test_jobs_release(jobs, 4);
}

static void procs__second_signal_skips_the_grace(void **state)
{
	static const char *wait_for[] = {"stubborn.pid", NULL};
	static const int signals[] = {SIGTERM, SIGTERM, 0};
	struct sl_buf results = SL_BUF_INIT;
	struct sl_run_options opts;
	struct sl_job job;
	uint64_t start = sl_now_ms();

	(void)state;
	test_job(&job, "stubborn",
		 "trap '' TERM; echo $$ >stubborn.pid; "
		 "while :; do sleep 1; done");
	test_options(&opts);
	opts.grace_ms = 20000;
	assert_int_equal(run_and_signal(&job, 1, &opts, wait_for, signals),
			 130);
	assert_true(sl_now_ms() - start < 5000);
	sl_read_file(&results, "results.txt");
	assert_string_equal(results.buf,
			    "stubborn error stopped: interrupted by SIGTERM\n");
	assert_dead("stubborn.pid");
	sl_buf_release(&results);
	sl_job_release(&job);
}

/*
 * A gate whose exit status cannot be learnt (waitpid() fails) is an error
 * saying so, never a pass for want of a status.
 */
static void procs__lost_exit_status_is_an_error(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job job;

	(void)state;
	test_job(&job, "lost", "exit 0");
	test_options(&opts);
	test_fail_next_wait();
	test_run(&out, &job, 1, &opts, 0);
	assert_int_equal(out.results[0].status, SL_JOB_ERROR);
	assert_non_null(out.results[0].error);
	assert_non_null(strstr(out.results[0].error,
			       "cannot wait for the gate: No child processes"));
	sl_run_result_release(&out);
	sl_job_release(&job);
}

/* The sweep hung: end the process it could not, then the test. */
static void on_sweep_hang(int signo)
{
	static const char msg[] = "# the sweep hung on an unkillable process\n";
	pid_t stuck = test_allow_kill();
	ssize_t ret;

	(void)signo;
	if (stuck > 0)
		kill(stuck, SIGKILL);
	ret = write(2, msg, sizeof(msg) - 1);
	(void)ret;
	_exit(1);
}

/*
 * A leftover sluice may not signal (EPERM; or one SIGKILL cannot end, in
 * the kernel) does not hang the run: the sweep gives up after the grace
 * period and a little more, with a warning that names it.
 */
static void procs__unkillable_leftover_does_not_hang(void **state)
{
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_run_options opts;
	struct sl_job job;
	char pid[32];
	pid_t stuck;

	(void)state;
	/* Until setsid has left the gate's group and exec'd sleep. */
	test_job(&job, "stuck",
		 "setsid sleep 1000 & echo $! >stuck.pid; "
		 "until [ \"$(cat /proc/$!/comm)\" = sleep ]; do :; done");
	test_options(&opts);
	opts.grace_ms = 100;
	test_deny_kill("stuck.pid");
	/* Without the bound the sweep never returns: fail, do not hang. */
	signal(SIGALRM, on_sweep_hang);
	alarm(30);
	test_run(&out, &job, 1, &opts, 0);
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	stuck = test_allow_kill();
	assert_true(stuck > 0);
	assert_true(test_alive(stuck));
	kill(stuck, SIGKILL);
	assert_int_equal(waitpid(stuck, NULL, 0), stuck);

	assert_int_equal(out.results[0].status, SL_JOB_PASSED);
	assert_true(out.duration_ms < 100 + 3000 + 2000);
	assert_int_equal(out.warnings.n, 1);
	snprintf(pid, sizeof(pid), " %ld;", (long)stuck);
	assert_non_null(strstr(out.warnings.v[0], pid));
	sl_run_result_release(&out);
	sl_job_release(&job);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		procs__background_child_holding_output_does_not_hang, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		procs__daemons_are_stopped_with_their_gate, setup, teardown),
	    cmocka_unit_test_setup_teardown(procs__stopped_gate_still_times_out,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		procs__huge_output_keeps_memory_flat, setup, teardown),
	    cmocka_unit_test_setup_teardown(procs__gates_get_only_stdio, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		procs__sigint_stops_every_gate_and_keeps_results, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		procs__second_signal_skips_the_grace, setup, teardown),
	    cmocka_unit_test_setup_teardown(procs__lost_exit_status_is_an_error,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		procs__unkillable_leftover_does_not_hang, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
