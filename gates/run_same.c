/*
 * run_same.c: which jobs of a run are the same run. Two gates of one lane
 * whose command, working directory, env, timeout and retries are all the
 * same, and whose command does not read the gate's name or kind, run the
 * same process to the same end (a package's smoke gate that is its own
 * unit test), so a run runs it once and both gates report that run
 * (docs/running.md, "One run for identical gates"). This file only decides; the CLI builds the job
 * that runs and copies its result to the gates that reused it.
 */
#include "common/common.h"

#include "gates/gates.h"

static bool same_text(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/* Does the command itself read the gate's name or kind? Then it can do
 * something else for each gate, and no run stands for another's. */
static bool reads_gate(const struct sl_job *job)
{
	size_t i;

	if (job->shell && (strstr(job->shell, "SLUICE_GATE") ||
			   strstr(job->shell, "SLUICE_KIND")))
		return true;
	for (i = 0; i < job->argv.n; i++)
		if (strstr(job->argv.v[i], "SLUICE_GATE") ||
		    strstr(job->argv.v[i], "SLUICE_KIND"))
			return true;
	return false;
}

bool sl_job_same_run(const struct sl_job *a, const struct sl_job *b)
{
	size_t i;

	/* Gates of one lane only: a shared script that reads $SLUICE_LANE
	 * (or the lane's files by it) tests another lane for each. */
	if (!same_text(a->lane, b->lane) || reads_gate(a) || reads_gate(b))
		return false;
	if (!same_text(a->shell, b->shell) || a->argv.n != b->argv.n ||
	    !same_text(a->cwd, b->cwd) || a->nenv != b->nenv ||
	    a->timeout_ms != b->timeout_ms || a->retries != b->retries)
		return false;
	for (i = 0; i < a->argv.n; i++)
		if (strcmp(a->argv.v[i], b->argv.v[i]))
			return false;
	/* In the order written: env is applied in order. */
	for (i = 0; i < a->nenv; i++)
		if (strcmp(a->env[i].name, b->env[i].name) ||
		    strcmp(a->env[i].value, b->env[i].value))
			return false;
	return true;
}

/* A hash of what sl_job_same_run() compares, so that n jobs need not be
 * compared n * n times. */
static uint64_t hash_run(const struct sl_job *job)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	const char *parts[4] = {job->shell ? job->shell : "", job->cwd,
				job->argv.n ? job->argv.v[0] : "", job->lane};
	size_t i;

	for (i = 0; i < 4; i++) {
		const char *s = parts[i] ? parts[i] : "";

		for (; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull;
	}
	return h ^ job->timeout_ms ^ ((uint64_t)job->retries << 56) ^
	       ((uint64_t)job->nenv << 48);
}

struct slot {
	uint64_t hash;
	size_t job; /* SIZE_MAX: empty */
};

void sl_jobs_same_runs(size_t **out, const struct sl_job *jobs, size_t n)
{
	size_t cap = 16, i, k;
	struct slot *slots;

	while (cap < 2 * n)
		cap *= 2;
	slots = sl_xcalloc(cap, sizeof(*slots));
	for (k = 0; k < cap; k++)
		slots[k].job = SIZE_MAX;
	*out = sl_xcalloc(n + 1, sizeof(**out));
	for (i = 0; i < n; i++) {
		uint64_t h = hash_run(&jobs[i]);

		(*out)[i] = i;
		for (k = (size_t)h & (cap - 1); slots[k].job != SIZE_MAX;
		     k = (k + 1) & (cap - 1)) {
			if (slots[k].hash == h &&
			    sl_job_same_run(&jobs[slots[k].job], &jobs[i])) {
				(*out)[i] = slots[k].job;
				break;
			}
		}
		if (slots[k].job == SIZE_MAX) {
			slots[k].hash = h;
			slots[k].job = i;
		}
	}
	free(slots);
}
