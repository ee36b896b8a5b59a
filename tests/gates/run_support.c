/*
 * run_support.c: helpers for the runner's tests (see run_support.h).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/gates/run_support.h"
#include "tests/support/sandbox.h"

static void test_job_common(struct sl_job *job, const char *name)
{
	char cwd[PATH_MAX];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	sl_job_init(job);
	free(job->name);
	job->name = sl_xstrdup(name);
	free(job->kind);
	job->kind = sl_xstrdup("local");
	free(job->lane);
	job->lane = sl_xstrdup("lane");
	job->cwd = sl_xstrdup(cwd);
	job->root = sl_xstrdup(cwd);
	job->timeout_ms = 10000;
	sl_job_set_commits(job, TEST_BASE, TEST_HEAD);
}

void test_job(struct sl_job *job, const char *name, const char *cmd)
{
	test_job_common(job, name);
	job->shell = sl_xstrdup(cmd);
}

void test_job_argv(struct sl_job *job, const char *name, const char **argv)
{
	test_job_common(job, name);
	for (; *argv; argv++)
		sl_strvec_push(&job->argv, *argv);
}

void test_jobs_release(struct sl_job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sl_job_release(&jobs[i]);
}

void test_options(struct sl_run_options *opts)
{
	static char logs[PATH_MAX + 8];
	char cwd[PATH_MAX];
	const struct sl_run_options init = SL_RUN_OPTIONS_INIT;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	*opts = init;
	snprintf(logs, sizeof(logs), "%s/logs", cwd);
	opts->logs_dir = logs;
}

void test_run(struct sl_run_result *out, const struct sl_job *jobs, size_t n,
	      const struct sl_run_options *opts, int want)
{
	struct sl_error err = SL_ERROR_INIT;
	int ret = sl_run(out, jobs, n, opts, &err);

	if (ret != want)
		fail_msg("sl_run returned %d, not %d: %s", ret, want,
			 sl_error_message(&err));
	sl_error_release(&err);
}

pid_t test_read_pid(const char *file)
{
	FILE *fp = fopen(file, "r");
	long pid = -1;

	if (!fp)
		return -1;
	if (fscanf(fp, "%ld", &pid) != 1)
		pid = -1;
	fclose(fp);
	return (pid_t)pid;
}

bool test_wait_file(const char *path, uint64_t timeout_ms)
{
	uint64_t end = sl_now_ms() + timeout_ms;
	struct timespec ts = {0, 10 * 1000 * 1000};
	struct stat st;

	while (sl_now_ms() < end) {
		if (!stat(path, &st) && st.st_size > 0)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

bool test_alive(pid_t pid)
{
	char path[64];
	char state = '?';
	FILE *fp;
	int got;

	if (pid <= 0 || kill(pid, 0) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fp = fopen(path, "r");
	if (!fp)
		return false;
	got = fscanf(fp, "%*d (%*[^)]) %c", &state);
	fclose(fp);
	return got == 1 && state != 'Z';
}

/* ---- seams over waitpid() and kill() -------------------------------- */

static bool fail_next_wait;
static const char *deny_file;
static pid_t denied = -1;

void test_fail_next_wait(void)
{
	fail_next_wait = true;
}

void test_deny_kill(const char *pid_file)
{
	deny_file = pid_file;
	denied = -1;
}

pid_t test_allow_kill(void)
{
	pid_t pid = denied;

	deny_file = NULL;
	denied = -1;
	return pid;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	if (fail_next_wait && pid > 0 && !(options & WNOHANG)) {
		fail_next_wait = false;
		errno = ECHILD;
		return -1;
	}
	return (pid_t)syscall(SYS_wait4, pid, status, options, NULL);
}

int kill(pid_t pid, int signo)
{
	if (deny_file && denied <= 0)
		denied = test_read_pid(deny_file);
	if (deny_file && denied > 0 && (pid == denied || pid == -denied)) {
		errno = EPERM;
		return -1;
	}
	return (int)syscall(SYS_kill, pid, signo);
}
