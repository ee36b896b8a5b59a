/*
 * override_trust.c: who may override what, and which overrides a run
 * applies (SPEC.md §5, docs/overrides.md). From what the caller read and
 * hands over as data (the rules the plan trusted, the commits, the
 * allowed_signers content, the ssh-keygen found before any gate), it
 * answers, one entry point each: may any override be judged under these
 * rules; what is one gate's policy under them; which overrides may this
 * run apply, fixed before its first gate; and, after the gates, which
 * failures those let through. Reading and writing the ledger is
 * ledger_*.c's and override_lookup.c's; who may take which step is
 * override_policy.c's.
 */
#include "common/common.h"

#include "gates/ledger_internal.h"

/* ---- the trusted rules ------------------------------------------------ */

int sl_override_trust_check(const struct sl_override_trust *t,
			    struct sl_error *err)
{
	if (t->worktree)
		return sl_error_set(err, SL_EREFUSED,
				    "overrides apply to commits, not to a "
				    "working copy (--worktree)");
	if (t->rules_file)
		return 0;
	if (!t->merge_base || !*t->merge_base)
		return sl_error_set(err, SL_EREFUSED,
				    "no trusted rules for commit %.12s: its "
				    "base is not available (these are %s), so "
				    "nothing names who may approve",
				    t->head, t->source);
	if (!t->rules_commit || strcmp(t->rules_commit, t->merge_base))
		return sl_error_set(err, SL_EREFUSED,
				    "no trusted rules for commit %.12s: the "
				    "base %.12s has no %s, so nothing names "
				    "who may approve; commit the rules to the "
				    "base first",
				    t->head, t->merge_base, t->file);
	return 0;
}

const char *sl_override_trust_merged(const struct sl_override_trust *t)
{
	if (t->worktree || t->nparents != 2 || !t->merge_base ||
	    !*t->merge_base || strcmp(t->parents[0], t->merge_base))
		return NULL;
	return t->parents[1];
}

/* The gate of rules whose name is closest to name, when close enough. */
static const char *closest_gate(const struct sl_rules *rules, const char *name)
{
	const char **names = sl_xcalloc(rules->ngates + 1, sizeof(*names));
	const char *found;
	size_t i;

	for (i = 0; i < rules->ngates; i++)
		names[i] = rules->gates[i].name;
	found = sl_suggest(name, names, rules->ngates);
	free(names);
	return found;
}

/* name is not a gate of the trusted rules: why, for a request or not. */
static int not_trusted(const struct sl_override_trust *t, const char *name,
		       const char *refusing, struct sl_error *err)
{
	const char *close;

	if (t->head_rules && sl_rules_gate(t->head_rules, name))
		return sl_error_set(err, SL_EREFUSED,
				    "%s%sgate '%s' is defined only by the "
				    "change under review, not by the trusted "
				    "rules (%s): a change cannot make its own "
				    "gates overridable",
				    refusing ? refusing : "",
				    refusing ? ": " : "", name, t->source);
	if (refusing)
		return sl_error_set(err, SL_EREFUSED,
				    "%s: gate '%s' is not in the trusted rules "
				    "(%s)",
				    refusing, name, t->source);
	close = closest_gate(t->rules, name);
	return sl_error_set(
	    err, SL_EUSAGE,
	    "no gate named '%s' in the trusted rules (%s)%s%s%s", name,
	    t->source, close ? "; did you mean '" : "", close ? close : "",
	    close ? "'?" : "");
}

int sl_override_gate_policy(struct sl_override_policy *out,
			    const struct sl_override_trust *t, const char *name,
			    const char *refusing, struct sl_error *err)
{
	const struct sl_gate *gate;
	int ret = sl_override_trust_check(t, err);

	if (ret) {
		if (refusing)
			sl_error_prefix(err, "%s", refusing);
		return ret;
	}
	gate = sl_rules_gate(t->rules, name);
	if (!gate)
		return not_trusted(t, name, refusing, err);
	sl_override_policy_from_rules(out, t->rules, gate, t->allowed_signers);
	out->gate = gate;
	out->ssh_keygen = t->ssh_keygen;
	return 0;
}

/* ---- before the run: what it may apply -------------------------------- */

static struct sl_override_fixed *fixed_push(struct sl_override_fix *fix,
					    const char *gate)
{
	struct sl_override_fixed *f;

	SL_ALLOC_GROW(fix->gates, fix->n + 1, fix->alloc);
	f = &fix->gates[fix->n++];
	memset(f, 0, sizeof(*f));
	f->gate = sl_xstrdup(gate);
	return f;
}

/* Every gate gets the note prefix + why (none applies to any). */
static void note_every(struct sl_override_fix *fix, const char *prefix,
		       const char *why)
{
	size_t i;

	for (i = 0; i < fix->n; i++) {
		struct sl_buf note = SL_BUF_INIT;

		sl_buf_addf(&note, "%s%s", prefix, why);
		free(fix->gates[i].note);
		fix->gates[i].note = sl_buf_detach(&note, NULL);
	}
}

/* The ledger cannot be used: the run fails with why after its gates. */
static void unusable(struct sl_override_fix *fix, int status, bool if_matters,
		     const char *why)
{
	fix->status = status;
	fix->status_if_matters = if_matters;
	sl_error_set(&fix->err, status, "%s", why);
	note_every(fix, "no override could be checked: ", why);
}

/* Fixes what may let gate f's failure through, from the folded ledger. */
static void fix_one(struct sl_override_fixed *f,
		    const struct sl_override_list *list,
		    const struct sl_override_fix *fix,
		    const struct sl_override_run *run,
		    const struct sl_override_target *target)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_override_query q = {0};
	struct sl_error e = SL_ERROR_INIT;
	struct sl_override *ov = NULL;
	char hash[SL_HASH_HEX_SIZE];
	int ret =
	    sl_override_gate_policy(&policy, run->trust, target->name, "", &e);

	if (ret) {
		f->note = sl_xstrdup("the trusted rules do not define this "
				     "gate, so nobody may override it");
		goto out;
	}
	/* A shared ledger's working copy lives in the clone: what it
	 * remembers is as trustworthy as the clone (docs/overrides.md). */
	policy.remember = run->shared ? run->ledger : NULL;
	sl_override_gate_hash(hash, target->definition);
	q.gate = target->name;
	q.commit = fix->head;
	q.merged = fix->merged;
	q.gate_hash = hash;
	q.now = fix->at;
	ret = sl_override_find(&ov, list, &q, &policy, &e);
	if (!ret) {
		f->kind = SL_OVERRIDE_FIXED_APPLIES;
		sl_ledger_override_copy(&f->override, ov);
	} else {
		f->kind = ret == SL_ENOTFOUND ? SL_OVERRIDE_FIXED_NONE
					      : SL_OVERRIDE_FIXED_UNCHECKED;
		f->note = sl_xstrdup(sl_error_message(&e));
	}
out:
	sl_override_policy_release(&policy);
	sl_error_release(&e);
}

/* Verifies the whole ledger and folds it at fix->at, in one snapshot. */
static int load(struct sl_override_list *out, struct sl_ledger *ledger,
		int64_t at, struct sl_error *err)
{
	int ret = sl_ledger_begin(ledger, false, err);

	if (!ret)
		ret = sl_ledger_load_folded(out, NULL, ledger, at, err);
	return sl_ledger_end(ledger, ret, err);
}

void sl_override_fix(struct sl_override_fix *out,
		     const struct sl_override_run *run)
{
	struct sl_override_list list = SL_OVERRIDE_LIST_INIT;
	struct sl_error e = SL_ERROR_INIT;
	size_t i;

	out->at = sl_ledger_now(run->now);
	out->head = sl_xstrdup(run->trust->head);
	if (sl_override_trust_merged(run->trust))
		out->merged = sl_xstrdup(sl_override_trust_merged(run->trust));
	out->actor = run->actor ? sl_xstrdup(run->actor) : NULL;
	for (i = 0; i < run->ntargets; i++) {
		const struct sl_gate *g =
		    sl_rules_gate(run->trust->rules, run->targets[i].name);

		fixed_push(out, run->targets[i].name)->overridable =
		    g && g->overridable;
	}
	if (sl_override_trust_check(run->trust, &e)) {
		note_every(out, "", sl_error_message(&e));
		goto out;
	}
	if (!run->ledger && run->ledger_status == SL_ENOTFOUND) {
		note_every(out, "", run->ledger_problem);
		goto out;
	}
	if (!run->ledger) {
		unusable(out, run->ledger_status, run->unreachable,
			 run->ledger_problem);
		goto out;
	}
	if (load(&list, run->ledger, out->at, &e)) {
		unusable(out, SL_EENV, false, sl_error_message(&e));
		goto out;
	}
	for (i = 0; i < run->ntargets; i++)
		fix_one(&out->gates[i], &list, out, run, &run->targets[i]);
out:
	sl_override_list_release(&list);
	sl_error_release(&e);
}

void sl_override_fix_release(struct sl_override_fix *fix)
{
	size_t i;

	for (i = 0; i < fix->n; i++) {
		free(fix->gates[i].gate);
		free(fix->gates[i].note);
		sl_override_release(&fix->gates[i].override);
	}
	free(fix->gates);
	free(fix->head);
	free(fix->merged);
	free(fix->actor);
	sl_error_release(&fix->err);
	memset(fix, 0, sizeof(*fix));
	fix->err = (struct sl_error)SL_ERROR_INIT;
}

/* ---- after the run: what it lets through ------------------------------ */

static bool is_failure(const struct sl_gate_result *g)
{
	return g->status == SL_JOB_FAILED || g->status == SL_JOB_TIMED_OUT;
}

static const struct sl_override_fixed *
fixed_find(const struct sl_override_fix *fix, const char *gate)
{
	size_t i;

	for (i = 0; i < fix->n; i++)
		if (!strcmp(fix->gates[i].gate, gate))
			return &fix->gates[i];
	return NULL;
}

/* Sets g's note to prefix + what, unless it has one. */
static void note(struct sl_gate_result *g, const char *prefix, const char *what)
{
	struct sl_buf text = SL_BUF_INIT;

	if (g->override_note)
		return;
	sl_buf_addf(&text, "%s%s", prefix, what);
	g->override_note = sl_buf_detach(&text, NULL);
}

/* Could an override have let a failure pass: is a failed gate one? */
static bool could_matter(const struct sl_results *results,
			 const struct sl_override_fix *fix)
{
	const struct sl_override_fixed *f;
	size_t i;

	for (i = 0; i < results->n; i++) {
		f = fixed_find(fix, results->gates[i].name);
		if (is_failure(&results->gates[i]) && f && f->overridable)
			return true;
	}
	return false;
}

static void take_override(struct sl_gate_result *g,
			  const struct sl_override *ov,
			  const struct sl_override_fix *fix)
{
	g->status = SL_JOB_OVERRIDDEN;
	g->has_override = true;
	g->override.id = ov->id;
	g->override.requested_by = sl_xstrdup(ov->requested_by);
	g->override.approved_by =
	    sl_xstrdup(ov->decided_by ? ov->decided_by : "");
	g->override.reason = sl_xstrdup(ov->reason);
	g->override.expires_at = ov->expires_at;
	g->override.commit = sl_xstrdup(ov->commit);
	g->override.merged = strcmp(ov->commit, fix->head) != 0;
}

/*
 * Recording stopped at gate stop (err says why). The overrides recorded
 * before it stay applied: the ledger says this run used them, and an
 * append-only ledger cannot take that back, so the results say the same.
 * stop and every later failure keep the status they ran with, with a note;
 * err says which gates were overridden, if any.
 */
static void stopped(struct sl_results *results, size_t stop,
		    const struct sl_strvec *applied, struct sl_error *err)
{
	const char *name = results->gates[stop].name;
	struct sl_buf list = SL_BUF_INIT, later = SL_BUF_INIT;
	size_t i;

	free(results->gates[stop].override_note);
	results->gates[stop].override_note = NULL;
	note(&results->gates[stop],
	     "no override could be checked: ", sl_error_message(err));
	sl_buf_addf(&later,
		    "no override was checked: applying overrides stopped at "
		    "gate '%s'",
		    name);
	for (i = stop + 1; i < results->n; i++)
		if (is_failure(&results->gates[i]))
			note(&results->gates[i], "", later.buf);
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
		    "only %s stayed overridden, as the ledger "
		    "recorded",
		    name, list.buf);
	sl_buf_release(&list);
	sl_buf_release(&later);
}

/* The ledger could not be used: every failure says so. */
static int apply_none(struct sl_results *results,
		      const struct sl_override_fix *fix, struct sl_error *err)
{
	size_t i;

	for (i = 0; i < results->n; i++)
		if (is_failure(&results->gates[i]))
			note(&results->gates[i],
			     "no override could be checked: ",
			     sl_error_message(&fix->err));
	if (fix->status_if_matters && !could_matter(results, fix))
		return 0;
	sl_error_set(err, fix->status, "%s", sl_error_message(&fix->err));
	sl_error_prefix(err, "cannot apply overrides; nothing was overridden "
			     "(the gates that failed stay failed)");
	return fix->status;
}

/* Records that this run applied f's override to g. */
static int apply_one(struct sl_gate_result *g, struct sl_ledger *ledger,
		     const struct sl_override_fixed *f,
		     const struct sl_override_fix *fix, const char *run_id,
		     struct sl_error *err)
{
	struct sl_override_query q = {0};

	q.gate = g->name;
	q.commit = fix->head;
	q.merged = fix->merged;
	q.now = fix->at;
	q.run_id = run_id;
	q.actor = fix->actor;
	q.gate_hash = f->override.gate_hash;
	return sl_ledger_record_applied(NULL, ledger, f->override.id, &q, err);
}

int sl_override_fix_apply(struct sl_results *results, struct sl_ledger *ledger,
			  const struct sl_override_fix *fix,
			  struct sl_error *err)
{
	struct sl_strvec applied = SL_STRVEC_INIT;
	const struct sl_override_fixed *unchecked = NULL;
	size_t i;
	int ret = 0;

	if (fix->status)
		return apply_none(results, fix, err);
	for (i = 0; i < results->n && !ret; i++) {
		struct sl_gate_result *g = &results->gates[i];
		const struct sl_override_fixed *f = fixed_find(fix, g->name);

		if (!is_failure(g) || !f)
			continue;
		if (f->kind == SL_OVERRIDE_FIXED_UNCHECKED) {
			note(g, "no override could be checked: ", f->note);
			unchecked = unchecked ? unchecked : f;
		} else if (f->kind == SL_OVERRIDE_FIXED_NONE) {
			if (f->note)
				note(g, "", f->note);
		} else {
			ret =
			    apply_one(g, ledger, f, fix, results->run_id, err);
			if (ret)
				stopped(results, i, &applied, err);
			else
				take_override(g, &f->override, fix);
			if (!ret)
				sl_strvec_push(&applied, g->name);
		}
	}
	if (!ret && unchecked)
		ret = sl_error_set(err, SL_EENV,
				   "cannot check the approved override of "
				   "gate '%s', so its failure stays: %s",
				   unchecked->gate, unchecked->note);
	sl_strvec_release(&applied);
	return ret;
}
