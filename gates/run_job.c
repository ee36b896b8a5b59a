/*
 * run_job.c: the job a gate becomes for the runner, and what a run gives
 * back. A job copies everything it needs out of the rules, so the runner
 * depends on no rules object while it runs; results are plain data for the
 * CLI and the results files. Running them is run.c's.
 */
#include "common/common.h"

#include "gates/gates.h"

void sl_job_init(struct sl_job *job)
{
	memset(job, 0, sizeof(*job));
	job->argv = (struct sl_strvec)SL_STRVEC_INIT;
	job->name = sl_xstrdup("");
	job->kind = sl_xstrdup("contract");
	job->lane = sl_xstrdup("");
	job->timeout_ms = 30u * 60 * 1000;
}

void sl_job_release(struct sl_job *job)
{
	size_t i;

	free(job->name);
	free(job->kind);
	free(job->lane);
	free(job->shell);
	sl_strvec_release(&job->argv);
	free(job->cwd);
	for (i = 0; i < job->nenv; i++) {
		free(job->env[i].name);
		free(job->env[i].value);
	}
	free(job->env);
	free(job->base);
	free(job->head);
	free(job->root);
	for (i = 0; i < job->nchanged; i++)
		free(job->changed[i].data);
	free(job->changed);
	memset(job, 0, sizeof(*job));
	job->argv = (struct sl_strvec)SL_STRVEC_INIT;
}

static void replace(char **field, const char *value)
{
	free(*field);
	*field = value ? sl_xstrdup(value) : NULL;
}

void sl_job_from_gate(struct sl_job *job, const struct sl_rules *rules,
		      const struct sl_gate *gate, const char *root)
{
	size_t i;

	replace(&job->name, gate->name);
	replace(&job->kind, sl_gate_kind_name(gate->kind));
	if (gate->lane != SL_NO_LANE && gate->lane < rules->nlanes)
		replace(&job->lane, rules->lanes[gate->lane].name);
	else
		replace(&job->lane, "");
	replace(&job->shell, gate->shell);
	sl_strvec_release(&job->argv);
	for (i = 0; i < gate->argv.n; i++)
		sl_strvec_push(&job->argv, gate->argv.v[i]);
	free(job->cwd);
	if (gate->cwd && *gate->cwd && strcmp(gate->cwd, ".")) {
		struct sl_buf cwd = SL_BUF_INIT;

		sl_buf_addf(&cwd, "%s/%s", root, gate->cwd);
		job->cwd = sl_buf_detach(&cwd, NULL);
	} else {
		job->cwd = sl_xstrdup(root);
	}
	for (i = 0; i < gate->nenv; i++)
		sl_job_setenv(job, gate->env[i].name, gate->env[i].value);
	job->timeout_ms = gate->timeout_ms;
	job->retries = gate->retries;
	replace(&job->root, root);
}

void sl_job_set_commits(struct sl_job *job, const char *base, const char *head)
{
	replace(&job->base, base);
	replace(&job->head, head);
}

void sl_job_add_changed(struct sl_job *job, const char *path, size_t len)
{
	SL_ALLOC_GROW(job->changed, job->nchanged + 1, job->alloc_changed);
	job->changed[job->nchanged].data = sl_xmemdupz(path, len);
	job->changed[job->nchanged].len = len;
	job->nchanged++;
}

void sl_job_setenv(struct sl_job *job, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < job->nenv; i++) {
		if (!strcmp(job->env[i].name, name)) {
			replace(&job->env[i].value, value);
			return;
		}
	}
	job->env =
	    sl_xrealloc(job->env, sl_st_mult(job->nenv + 1, sizeof(*job->env)));
	job->env[job->nenv].name = sl_xstrdup(name);
	job->env[job->nenv].value = sl_xstrdup(value);
	job->nenv++;
}

const char *sl_job_status_name(enum sl_job_status status)
{
	switch (status) {
	case SL_JOB_PENDING:
		return "pending";
	case SL_JOB_PASSED:
		return "passed";
	case SL_JOB_FAILED:
		return "failed";
	case SL_JOB_TIMED_OUT:
		return "timed_out";
	case SL_JOB_ERROR:
		return "error";
	case SL_JOB_SKIPPED:
		return "skipped";
	case SL_JOB_OVERRIDDEN:
		return "overridden";
	}
	return "unknown";
}

void sl_run_result_release(struct sl_run_result *result)
{
	size_t i;

	for (i = 0; i < result->n; i++) {
		free(result->results[i].log);
		free(result->results[i].error);
		free(result->results[i].log_incomplete);
	}
	free(result->results);
	result->results = NULL;
	result->n = 0;
	free(result->logs_dir);
	result->logs_dir = NULL;
	sl_strvec_release(&result->warnings);
	result->signal = 0;
	result->duration_ms = 0;
}
