/*
 * run_overrides.c: after the gates ran, let through the failures an owner
 * accountably overrode (SPEC.md §5). The ledger decides whether an
 * override holds (gates/); this file decides when to ask it: only for a
 * failure, only for a commit (not a working copy), only with the trusted
 * rules, and never from a ledger that fails verification.
 */
#include "common/common.h"

#include "cli/run.h"

static bool is_failure(const struct sl_gate_result *g)
{
	return g->status == SL_JOB_FAILED || g->status == SL_JOB_TIMED_OUT;
}

/* Gives every failure without a note of its own this one. */
static void note_all(struct sl_results *results, const struct sl_buf *note)
{
	size_t i;

	for (i = 0; i < results->n; i++)
		if (is_failure(&results->gates[i]) &&
		    !results->gates[i].override_note)
			results->gates[i].override_note = sl_xstrdup(note->buf);
}

static void take_override(struct sl_gate_result *g, struct sl_override *ov)
{
	g->status = SL_JOB_OVERRIDDEN;
	g->has_override = true;
	g->override.id = ov->id;
	g->override.requested_by = sl_xstrdup(ov->requested_by);
	g->override.approved_by =
	    sl_xstrdup(ov->decided_by ? ov->decided_by : "");
	g->override.reason = sl_xstrdup(ov->reason);
	g->override.expires_at = ov->expires_at;
}

/* Asks the ledger about one failed gate. SL_EENV stops everything. */
static int apply_one(struct sl_gate_result *g, struct sl_ledger *ledger,
		     const struct sl_plan *plan, const char *signers,
		     const char *ssh_keygen, const char *actor,
		     const char *run_id, int64_t now, struct sl_error *err)
{
	const struct sl_gate *trusted = sl_rules_gate(plan->rules, g->name);
	const struct sl_pick *ran = sl_selection_find(plan->selection, g->name);
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_override_query q = {0};
	char hash[SL_HASH_HEX_SIZE];
	int ret;

	if (!trusted || !ran) {
		g->override_note = sl_xstrdup(
		    "the trusted rules do not define this gate, so nobody "
		    "may override it");
		return 0;
	}
	sl_override_policy_from_rules(&policy, plan->rules, trusted, signers);
	policy.ssh_keygen = ssh_keygen;
	sl_override_gate_hash(hash, ran->gate);
	q.gate = g->name;
	q.commit = plan->diff->head;
	q.gate_hash = hash;
	q.run_id = run_id;
	q.actor = actor;
	q.now = now;
	ret = sl_ledger_apply(&ov, ledger, &q, &policy, err);
	if (!ret)
		take_override(g, &ov);
	if (ret == SL_ENOTFOUND) {
		g->override_note = sl_xstrdup(sl_error_message(err));
		sl_error_reset(err);
		ret = 0;
	}
	sl_override_release(&ov);
	sl_override_policy_release(&policy);
	return ret;
}

static size_t count_failures(const struct sl_results *results)
{
	size_t i, n = 0;

	for (i = 0; i < results->n; i++)
		n += is_failure(&results->gates[i]);
	return n;
}

/*
 * Applying stopped at gate stop (err says why). The overrides applied before
 * it stay applied: the ledger recorded that this run used them, and an
 * append-only ledger cannot take that back, so the results say the same.
 * stop and every later failure keep the status they ran with, with a note
 * saying that no override was checked for them; err says which gates were
 * overridden, if any.
 */
static void stopped(struct sl_results *results, size_t stop,
		    const struct sl_strvec *applied, struct sl_error *err)
{
	const char *name = results->gates[stop].name;
	struct sl_buf note = SL_BUF_INIT, list = SL_BUF_INIT;
	size_t i;

	sl_buf_addf(&note, "no override could be checked: %s",
		    sl_error_message(err));
	free(results->gates[stop].override_note);
	results->gates[stop].override_note = sl_buf_detach(&note, NULL);
	sl_buf_addf(&note,
		    "no override was checked: applying overrides stopped at "
		    "gate '%s'",
		    name);
	for (i = stop + 1; i < results->n; i++)
		if (is_failure(&results->gates[i]) &&
		    !results->gates[i].override_note)
			results->gates[i].override_note = sl_xstrdup(note.buf);
	for (i = 0; i < applied->n; i++)
		sl_buf_addf(&list, "%s'%s'", i ? ", " : "", applied->v[i]);
	if (!applied->n)
		sl_error_prefix(
		    err,
		    "cannot apply overrides (stopped at gate '%s'); "
		    "nothing was overridden",
		    name);
	else
		sl_error_prefix(
		    err,
		    "cannot apply overrides (stopped at gate '%s'); "
		    "only %s stayed overridden, as the ledger recorded",
		    name, list.buf);
	sl_buf_release(&note);
	sl_buf_release(&list);
}

static int open_verified(struct sl_ledger **ledger, const char *path,
			 struct sl_error *err)
{
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	int ret = sl_ledger_open(ledger, path, NULL, err);

	if (!ret)
		ret = sl_ledger_verify(&report, *ledger, NULL, err);
	if (ret && ret != SL_ENOTFOUND)
		sl_error_prefix(err, "cannot apply overrides; nothing was "
				     "overridden");
	sl_ledger_report_release(&report);
	return ret;
}

/* Could an override have let a failure pass: is a failed gate one? */
static bool could_matter(const struct sl_results *results,
			 const struct sl_plan *plan)
{
	size_t i;

	for (i = 0; i < results->n; i++) {
		const struct sl_gate *g =
		    sl_rules_gate(plan->rules, results->gates[i].name);

		if (is_failure(&results->gates[i]) && g && g->overridable)
			return true;
	}
	return false;
}

/*
 * The shared ledger's fetch before the gates failed: no override applies,
 * and each failure says why. A remote that could not be verified is an
 * error; one that could not be reached only when it could have mattered.
 */
static int shared_failed(struct sl_results *results, const struct sl_plan *plan,
			 struct cli_run_ledger *shared, struct sl_error *err)
{
	struct sl_buf note = SL_BUF_INIT;

	sl_buf_addf(&note, "no override could be checked: %s",
		    sl_error_message(&shared->err));
	note_all(results, &note);
	sl_buf_release(&note);
	if (shared->unreachable && !could_matter(results, plan))
		return 0;
	sl_error_set(err, shared->status, "%s", sl_error_message(&shared->err));
	sl_error_prefix(err, "cannot apply overrides; nothing was overridden "
			     "(the gates that failed stay failed)");
	return shared->status;
}

int cli_apply_overrides(struct sl_results *results, const struct sl_plan *plan,
			struct sl_repo *repo, const char *ledger_opt,
			bool explicit_rules, struct cli_run_ledger *shared,
			const char *ssh_keygen, struct sl_error *err)
{
	struct sl_buf path = SL_BUF_INIT, actor = SL_BUF_INIT,
		      note = SL_BUF_INIT;
	struct sl_strvec applied = SL_STRVEC_INIT;
	struct sl_ledger *ledger = NULL;
	char *signers = NULL;
	size_t i;
	int ret = 0;

	/* A shared ledger that fails verification, or was rewritten, is
	 * news whatever the gates did. */
	if (shared && shared->share.on && shared->status)
		return shared_failed(results, plan, shared, err);
	if (!count_failures(results))
		return 0;
	if (plan->diff->worktree) {
		sl_buf_adds(&note, "overrides apply to commits, not to a "
				   "working copy (--worktree)");
		goto out;
	}
	if (!explicit_rules &&
	    strcmp(plan->rules_commit, plan->diff->merge_base)) {
		sl_buf_addf(&note,
			    "no trusted rules at the base (these are %s), so "
			    "no override can be checked",
			    plan->rules_source);
		goto out;
	}
	if (shared && shared->share.on) {
		/* Fetched and verified before the first gate. */
		ledger = shared->ledger;
		goto verified;
	}
	ret = cli_ledger_path(&path, ledger_opt, plan->rules, plan->root, err);
	if (!ret)
		ret = open_verified(&ledger, path.buf, err);
	if (ret == SL_ENOTFOUND) {
		sl_error_reset(err);
		sl_buf_addf(&note, "no override ledger at '%s'", path.buf);
		ret = 0;
		goto out;
	}
verified:
	if (!ret)
		ret = cli_allowed_signers(&signers, repo, plan, err);
	if (!ret && cli_identity(&actor, NULL, repo, NULL))
		sl_buf_reset(&actor);
	for (i = 0; !ret && i < results->n; i++) {
		struct sl_gate_result *g = &results->gates[i];

		if (!is_failure(g))
			continue;
		ret = apply_one(g, ledger, plan, signers, ssh_keygen,
				actor.len ? actor.buf : NULL, results->run_id,
				shared ? shared->fetched_at : 0, err);
		if (ret)
			stopped(results, i, &applied, err);
		else if (g->status == SL_JOB_OVERRIDDEN)
			sl_strvec_push(&applied, g->name);
	}
out:
	if (note.len)
		note_all(results, &note);
	if (!shared || ledger != shared->ledger)
		sl_ledger_free(ledger);
	free(signers);
	sl_buf_release(&path);
	sl_buf_release(&actor);
	sl_buf_release(&note);
	sl_strvec_release(&applied);
	return ret;
}
