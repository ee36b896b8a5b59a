/*
 * run_support.h: what the runner's tests (test_run*.c) share: jobs made
 * from a shell command in the sandbox, a run with the logs in the sandbox,
 * and small facts about processes and files. tests/ only.
 */
#ifndef SL_TEST_RUN_SUPPORT_H
#define SL_TEST_RUN_SUPPORT_H

#include "common/common.h"
#include "gates/gates.h"

#include <sys/types.h>

/* Fake commit ids every job gets as SLUICE_BASE and SLUICE_HEAD. */
#define TEST_BASE "1111111111111111111111111111111111111111"
#define TEST_HEAD "2222222222222222222222222222222222222222"

/*
 * Initialises job as a "local" gate of lane "lane" that runs cmd with
 * /bin/sh in the current directory (also its root), with a 10 s timeout.
 */
void test_job(struct sl_job *job, const char *name, const char *cmd);
/* The same for an argv, NULL-terminated. */
void test_job_argv(struct sl_job *job, const char *name, const char **argv);
void test_jobs_release(struct sl_job *jobs, size_t n);

/* opts with logs in "<cwd>/logs". */
void test_options(struct sl_run_options *opts);

/* Runs the jobs; fails the test unless sl_run() returns want. */
void test_run(struct sl_run_result *out, const struct sl_job *jobs, size_t n,
	      const struct sl_run_options *opts, int want);

/* The pid written in file (by `echo $! > file`), or -1. */
pid_t test_read_pid(const char *file);
/* Waits up to timeout_ms for path to exist and be non-empty. */
bool test_wait_file(const char *path, uint64_t timeout_ms);
/* Is a process pid alive (not a zombie)? */
bool test_alive(pid_t pid);

/*
 * Seams: run_support.c defines waitpid() and kill() for the executables it
 * is linked into, so the runner (linked in statically) calls these. They
 * go straight to the kernel unless a test says otherwise below.
 */

/* The next waitpid() that blocks on one pid fails with ECHILD, once. */
void test_fail_next_wait(void);
/*
 * kill() of the process whose pid is in pid_file (read when it appears),
 * or of its group, fails with EPERM as for a process of another user,
 * until test_allow_kill(), which returns that pid (-1: none was read).
 */
void test_deny_kill(const char *pid_file);
pid_t test_allow_kill(void);

#endif
