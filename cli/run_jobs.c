/*
 * run_jobs.c: between the plan and the runner. Turns selected gates into
 * the runner's jobs (the definition the trusted rules give, the changed
 * paths that brought each in), and the runner's outcome into the run's
 * record (struct sl_results) with each gate's reasons. `run` and `repro`
 * build jobs here, so that repro runs a gate exactly as run does.
 */
#include "common/common.h"

#include <sys/random.h>

#include "cli/cli.h"
#include "cli/run.h"

static int mark_changed(size_t index, void *payload)
{
	bool *seen = payload;

	seen[index] = true;
	return 0;
}

/*
 * A lockfile's entries attributed to lanes are names after the diff's
 * (plan->nnames on), each with the lockfile's path: SLUICE_CHANGED lists
 * that path once.
 */
static bool seen_before(const struct sl_plan *plan, const bool *seen, size_t i)
{
	const struct sl_touched *t = &plan->touched[i];
	size_t j;

	for (j = 0; i >= plan->nnames && j < i; j++)
		if (seen[j] && plan->touched[j].len == t->len &&
		    !memcmp(plan->touched[j].path, t->path, t->len))
			return true;
	return false;
}

/* Fills job with pick's gate as run runs it, without changed paths. */
static void job_define(struct sl_job *job, const struct sl_plan *plan,
		       const struct sl_pick *pick)
{
	sl_job_init(job);
	sl_job_from_gate(job, pick->rules, pick->gate, plan->root);
	/* SLUICE_BASE is the diff's old side: `git diff $SLUICE_BASE
	 * $SLUICE_HEAD` shows a gate what selection saw. */
	sl_job_set_commits(job, plan->diff->merge_base, plan->diff->head);
}

/*
 * job as picks[0]'s gate, with the changed paths that brought in any of
 * picks[0..n) (the same run standing for them all), in the diff's order.
 */
static int job_for_picks(struct sl_job *job, const struct sl_plan *plan,
			 const struct sl_pick *const *picks, size_t n,
			 struct sl_error *err)
{
	size_t nt = plan->selection->ntouched, i;
	bool *seen = sl_xcalloc(nt + 1, sizeof(*seen));
	int ret = 0;

	job_define(job, plan, picks[0]);
	for (i = 0; i < n && !ret; i++)
		ret = sl_pick_foreach_path(plan->selection, picks[i],
					   plan->touched, mark_changed, seen,
					   err);
	for (i = 0; i < nt && !ret; i++)
		if (seen[i] && !seen_before(plan, seen, i))
			sl_job_add_changed(job, plan->touched[i].path,
					   plan->touched[i].len);
	free(seen);
	return ret;
}

int cli_job_for_pick(struct sl_job *job, const struct sl_plan *plan,
		     const struct sl_pick *pick, struct sl_error *err)
{
	return job_for_picks(job, plan, &pick, 1, err);
}

int cli_jobs_for_picks(struct sl_job **out, size_t *njobs, size_t **run_of,
		       const struct sl_plan *plan,
		       const struct sl_pick *const *picks, size_t n,
		       struct sl_error *err)
{
	struct sl_job *defs = sl_xcalloc(n + 1, sizeof(*defs));
	const struct sl_pick **group = sl_xcalloc(n + 1, sizeof(*group));
	size_t *same, i, k, m;
	int ret = 0;

	for (i = 0; i < n; i++)
		job_define(&defs[i], plan, picks[i]);
	sl_jobs_same_runs(&same, defs, n);
	*out = sl_xcalloc(n + 1, sizeof(**out));
	*run_of = sl_xcalloc(n + 1, sizeof(**run_of));
	*njobs = 0;
	for (i = 0; i < n && !ret; i++) {
		if (same[i] != i) {
			(*run_of)[i] = (*run_of)[same[i]];
			continue;
		}
		for (k = i, m = 0; k < n; k++)
			if (same[k] == i)
				group[m++] = picks[k];
		(*run_of)[i] = *njobs;
		ret = job_for_picks(&(*out)[(*njobs)++], plan, group, m, err);
	}
	for (i = 0; i < n; i++)
		sl_job_release(&defs[i]);
	free(defs);
	free(group);
	free(same);
	return ret;
}

size_t *cli_same_run_leaders(const struct sl_plan *plan)
{
	const struct sl_selection *sel = plan->selection;
	size_t *lead = sl_xcalloc(sel->npicks + 1, sizeof(*lead));
	size_t *idx = sl_xcalloc(sel->npicks + 1, sizeof(*idx));
	struct sl_job *defs = sl_xcalloc(sel->npicks + 1, sizeof(*defs));
	size_t *same, i, n = 0;

	for (i = 0; i < sel->npicks; i++) {
		lead[i] = i;
		if (sel->picks[i].selected) {
			job_define(&defs[n], plan, &sel->picks[i]);
			idx[n++] = i;
		}
	}
	sl_jobs_same_runs(&same, defs, n);
	for (i = 0; i < n; i++) {
		lead[idx[i]] = idx[same[i]];
		sl_job_release(&defs[i]);
	}
	free(same);
	free(defs);
	free(idx);
	return lead;
}

int cli_picks_to_run(const struct sl_pick ***out, size_t *n,
		     const struct sl_plan *plan, const struct sl_strvec *names,
		     struct sl_error *err)
{
	const struct sl_selection *sel = plan->selection;
	size_t i, *lead = NULL;

	*out = sl_xcalloc(sel->npicks + 1, sizeof(**out));
	*n = 0;
	for (i = 0; i < names->n; i++)
		if (!sl_selection_find(sel, names->v[i]))
			return sl_error_set(err, SL_EUSAGE,
					    "no gate named '%s' in %s; 'sluice "
					    "select' lists them",
					    names->v[i], plan->rules_source);
	/* A shard of a named gate runs the selected gates its run stands
	 * for too: the matrix has no job of their own for them. */
	if (names->n)
		lead = cli_same_run_leaders(plan);
	for (i = 0; i < sel->npicks; i++) {
		const struct sl_pick *p = &sel->picks[i];
		bool in = p->selected;

		if (names->n)
			in = sl_strvec_has(names, p->gate->name) ||
			     (lead[i] != i &&
			      sl_strvec_has(names,
					    sel->picks[lead[i]].gate->name));
		if (in)
			(*out)[(*n)++] = p;
	}
	free(lead);
	return 0;
}

static void result_reasons(struct sl_gate_result *g, const struct sl_pick *p)
{
	size_t i;

	if (!p->selected)
		sl_strvec_push(&g->reasons, "requested with --gate (not "
					    "selected by this change)");
	for (i = 0; p->selected && i < p->reasons.n; i++)
		sl_strvec_push(&g->reasons, p->reasons.v[i]);
	if (p->selected && p->more_reasons)
		sl_strvec_pushf(&g->reasons, "... and %zu more",
				p->more_reasons);
}

static void result_for(struct sl_gate_result *g, const struct sl_pick *p,
		       const struct sl_job_result *r, const struct sl_job *job)
{
	const struct sl_gate *gate = p->gate;

	if (strcmp(job->name, gate->name))
		g->same_run_as = sl_xstrdup(job->name);
	g->name = sl_xstrdup(gate->name);
	g->kind = sl_xstrdup(sl_gate_kind_name(gate->kind));
	g->lane = gate->lane == SL_NO_LANE
		      ? NULL
		      : sl_xstrdup(p->rules->lanes[gate->lane].name);
	g->status = r->status;
	g->exit_code = r->exit_code;
	g->signal = r->signal;
	g->duration_ms = r->duration_ms;
	g->attempts = r->attempts;
	g->flaky = r->flaky;
	g->log = r->log ? sl_xstrdup(r->log) : NULL;
	g->log_incomplete =
	    r->log_incomplete ? sl_xstrdup(r->log_incomplete) : NULL;
	g->error = r->error ? sl_xstrdup(r->error) : NULL;
	result_reasons(g, p);
}

void cli_results_from_run(struct sl_results *out, const struct sl_plan *plan,
			  const struct sl_pick *const *picks, size_t n,
			  const struct cli_runs *runs,
			  const struct sl_run_result *rr, const char *run_id)
{
	const struct sl_selection *sel = plan->selection;
	size_t i;

	sl_results_init(out);
	out->base = sl_xstrdup(plan->diff->base);
	out->head = sl_xstrdup(plan->diff->head);
	out->merge_base = sl_xstrdup(plan->diff->merge_base);
	out->rules_blob = sl_xstrdup(plan->rules_blob);
	out->run_id = sl_xstrdup(run_id);
	out->degraded = plan->diff->degraded != NULL;
	out->rules_changed = plan->rules_changed;
	for (i = 0; i < sel->npicks; i++)
		if (sel->picks[i].selected)
			sl_strvec_push(&out->selected,
				       sel->picks[i].gate->name);
	for (i = 0; i < n; i++)
		if (runs->run_of[i] < rr->n)
			result_for(sl_results_add(out), picks[i],
				   &rr->results[runs->run_of[i]],
				   &runs->jobs[runs->run_of[i]]);
}

void cli_run_id(struct sl_buf *out)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];

	uint32_t salt = 0;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	/* Runners in containers start sluice with the same few pids: the
	 * salt keeps two runs of one second apart (their "applied" events on
	 * a shared ledger, their logs). */
	if (getrandom(&salt, sizeof(salt), GRND_NONBLOCK) != sizeof(salt))
		salt = (uint32_t)(sl_now_ms() * 2654435761u);
	sl_buf_addf(out, "%s-%ld-%08" PRIx32, stamp, (long)getpid(), salt);
}
