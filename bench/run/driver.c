/*
 * driver.c: runs N trivial gates through the runner, for bench/run/run.sh
 * to time against xargs -P running the same commands. Usage:
 *   run-bench COUNT JOBS LOGS_DIR [COMMAND]
 * Each gate runs COMMAND (default "true") with /bin/sh -c, like
 * `xargs -P JOBS -n 1 sh -c`. Exits 1 unless every gate passed.
 */
#include "common/common.h"

#include <unistd.h>

#include "gates/gates.h"

static unsigned long number(const char *text)
{
	char *end;
	unsigned long n = strtoul(text, &end, 10);

	if (end == text || *end) {
		fprintf(stderr, "run-bench: '%s' is not a number\n", text);
		exit(2);
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sl_run_options opts = SL_RUN_OPTIONS_INIT;
	struct sl_run_result out = SL_RUN_RESULT_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_job *jobs;
	char cwd[PATH_MAX];
	size_t n, i;
	int ret = 0;

	if (argc < 4 || argc > 5) {
		fprintf(stderr,
			"usage: run-bench COUNT JOBS LOGS_DIR [COMMAND]\n");
		return 2;
	}
	if (!getcwd(cwd, sizeof(cwd))) {
		perror("run-bench: getcwd");
		return 2;
	}
	n = number(argv[1]);
	jobs = sl_xcalloc(n ? n : 1, sizeof(*jobs));
	for (i = 0; i < n; i++) {
		sl_job_init(&jobs[i]);
		free(jobs[i].name);
		jobs[i].name = sl_xmalloc(32);
		snprintf(jobs[i].name, 32, "gate-%zu", i);
		jobs[i].shell = sl_xstrdup(argc == 5 ? argv[4] : "true");
		jobs[i].cwd = sl_xstrdup(cwd);
		jobs[i].root = sl_xstrdup(cwd);
	}
	opts.jobs = (unsigned)number(argv[2]);
	opts.logs_dir = argv[3];
	if (sl_run(&out, jobs, n, &opts, &err)) {
		fprintf(stderr, "run-bench: %s\n", sl_error_message(&err));
		ret = 1;
	}
	for (i = 0; i < out.n && !ret; i++)
		if (out.results[i].status != SL_JOB_PASSED)
			ret = 1;
	sl_run_result_release(&out);
	for (i = 0; i < n; i++)
		sl_job_release(&jobs[i]);
	free(jobs);
	sl_error_release(&err);
	return ret;
}
