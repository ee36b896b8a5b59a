/*
 * coverage.c: sl_check_tree(), the rules held against the tracked paths of
 * a tree, and the report it fills. It owns the deciding-rule pass (one
 * index lookup per path), the unowned paths, the findings about lanes and
 * gates, and the order of the findings. Which patterns match no path is
 * coverage_dead.c's; the comparison with a CODEOWNERS file is
 * coverage_drift.c's. docs/check.md says what each finding means.
 */
#include "common/common.h"

#include "rules/coverage_internal.h"

static const char *const kind_names[] = {
    [SL_FINDING_UNOWNED] = "unowned",
    [SL_FINDING_UNMATCHED] = "unmatched",
    [SL_FINDING_SHADOWED] = "shadowed",
    [SL_FINDING_RUN_ALL_UNMATCHED] = "run_all_unmatched",
    [SL_FINDING_WHEN_UNMATCHED] = "when_unmatched",
    [SL_FINDING_LANE_NO_GATES] = "lane_no_gates",
    [SL_FINDING_LANE_NO_PATHS] = "lane_no_paths",
    [SL_FINDING_GATE_NO_PATHS] = "gate_no_paths",
    [SL_FINDING_SMOKE_NO_UPSTREAM] = "smoke_no_upstream",
    [SL_FINDING_CODEOWNERS] = "codeowners",
    [SL_FINDING_DRIFT] = "drift",
    [SL_FINDING_LEDGER_UNSIGNED] = "ledger_unsigned",
    [SL_FINDING_WORKSPACE] = "workspace",
    [SL_FINDING_CONSUMES_CONTRADICTS] = "consumes_contradicts",
    [SL_FINDING_RUN_ALL] = "run_all",
    [SL_FINDING_INPUT_UNMATCHED] = "input_unmatched",
    [SL_FINDING_INPUTS] = "inputs",
    [SL_FINDING_CONSUMES_MISSING] = "consumes_missing",
    [SL_FINDING_CONSUMES_UNSUPPORTED] = "consumes_unsupported",
    [SL_FINDING_WORKSPACE_UNREADABLE] = "workspace_unreadable",
};

const char *sl_finding_kind_name(enum sl_finding_kind kind)
{
	return kind_names[kind];
}

const char *sl_severity_name(enum sl_severity severity)
{
	static const char *const names[] = {"note", "warning", "error"};

	return names[severity];
}

const struct sl_strvec *sl_rules_owners_of(const struct sl_rules *rules,
					   const struct sl_rule *rule)
{
	static const struct sl_strvec none = SL_STRVEC_INIT;

	if (!rule || rule->lane >= rules->nlanes)
		return &none;
	return &rules->lanes[rule->lane].owners;
}

struct sl_finding *sl_cov_add(struct sl_check_report *report,
			      enum sl_finding_kind kind,
			      enum sl_severity severity, const char *fmt, ...)
{
	struct sl_buf msg = SL_BUF_INIT;
	struct sl_finding *f;
	va_list ap;

	SL_ALLOC_GROW(report->findings, report->nfindings + 1,
		      report->alloc_findings);
	f = &report->findings[report->nfindings++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->severity = severity;
	f->lane = SL_NO_LANE;
	f->example = SIZE_MAX;
	va_start(ap, fmt);
	sl_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	f->message = sl_buf_detach(&msg, NULL);
	report->count[severity]++;
	return f;
}

size_t sl_cov_upstream(size_t *out, bool *seen, const struct sl_rules *rules,
		       size_t lane)
{
	size_t head = 0, n = 0, i;
	const struct sl_lane *x;

	memset(seen, 0, rules->nlanes * sizeof(*seen));
	seen[lane] = true;
	x = &rules->lanes[lane];
	for (;;) {
		for (i = 0; i < x->nconsumes; i++) {
			if (seen[x->consumes[i]])
				continue;
			seen[x->consumes[i]] = true;
			out[n++] = x->consumes[i];
		}
		if (rules->consumers == SL_CONSUMERS_DIRECT || head == n)
			break;
		x = &rules->lanes[out[head++]];
	}
	return n;
}

/* ---- the deciding rule of every path ---------------------------------- */

/*
 * The paths no lane owns and no run_all_on pattern matches, in order:
 * those a gate's or a lane's inputs name are covered, the rest unowned.
 */
static int list_unowned(struct sl_cov *c, struct sl_error *err)
{
	struct sl_check_report *r = c->report;
	size_t i, a = 0, start = c->lane_start[c->rules->nlanes];
	struct sl_cover cover;
	int ret;

	r->unowned = sl_xmalloc(sl_st_mult(r->nunowned + 1, sizeof(size_t)));
	r->inputs = sl_xmalloc(sl_st_mult(r->nunowned + 1, sizeof(size_t)));
	r->nunowned = 0;
	for (i = start; i < c->n; i++) {
		size_t p = c->by_lane[i];

		while (a < r->nrun_all && r->run_all[a] < p)
			a++;
		if (a < r->nrun_all && r->run_all[a] == p)
			continue;
		ret = sl_rules_cover(&cover, c->rules, c->paths[p].path,
				     c->paths[p].len, c->paths[p].flags, err);
		if (ret < 0)
			return ret;
		if (cover.kind != SL_COVER_NONE)
			r->inputs[r->ninputs++] = p;
		else
			r->unowned[r->nunowned++] = p;
	}
	return 0;
}

static int decide(struct sl_cov *c, struct sl_error *err)
{
	struct sl_check_report *r = c->report;
	const struct sl_rules *rules = c->rules;
	const struct sl_rule *rule;
	size_t i, *count;
	int ret;

	r->owner = sl_xcalloc(c->n ? c->n : 1, sizeof(*r->owner));
	r->lane_paths = sl_xcalloc(rules->nlanes + 1, sizeof(*r->lane_paths));
	c->decided = sl_xcalloc(rules->rules.n + 1, sizeof(*c->decided));
	r->run_all = sl_xcalloc(c->n + 1, sizeof(*r->run_all));
	for (i = 0; i < c->n; i++) {
		ret = sl_rules_owner(&rule, rules, c->paths[i].path,
				     c->paths[i].len, c->paths[i].flags, err);
		if (!ret)
			ret = sl_rule_list_match(
			    &rules->run_all_on, c->paths[i].path,
			    c->paths[i].len, c->paths[i].flags, err);
		if (ret < 0)
			return ret;
		r->owner[i] = rule;
		if (ret)
			r->run_all[r->nrun_all++] = i;
		if (rule && rule->lane < rules->nlanes) {
			c->decided[rule - rules->rules.items]++;
			r->lane_paths[rule->lane]++;
		} else if (!ret) {
			/* A run_all_on path is covered: it runs every gate. */
			r->nunowned++;
		}
	}
	/* Group the paths by lane (a counting sort), the unowned last. */
	c->lane_start = sl_xcalloc(rules->nlanes + 2, sizeof(*c->lane_start));
	for (i = 0; i < rules->nlanes; i++)
		c->lane_start[i + 1] = c->lane_start[i] + r->lane_paths[i];
	c->lane_start[rules->nlanes + 1] = c->n;
	count = sl_xcalloc(rules->nlanes + 1, sizeof(*count));
	c->by_lane = sl_xcalloc(c->n ? c->n : 1, sizeof(*c->by_lane));
	for (i = 0; i < c->n; i++) {
		size_t l = r->owner[i] && r->owner[i]->lane < rules->nlanes
			       ? r->owner[i]->lane
			       : rules->nlanes;

		c->by_lane[c->lane_start[l] + count[l]++] = i;
	}
	free(count);
	return list_unowned(c, err);
}

/* What a run_all_on path selects: every gate, whichever lane owns it. */
static void report_run_all(struct sl_cov *c)
{
	const struct sl_check_report *r = c->report;

	if (!r->nrun_all)
		return;
	sl_cov_add(
	    c->report, SL_FINDING_RUN_ALL, SL_SEVERITY_NOTE,
	    "%zu of %zu tracked files %s run_all_on: a change to %s runs "
	    "every gate of every kind, whichever lane owns %s (no lane "
	    "needs to: %s covered)",
	    r->nrun_all, c->n, r->nrun_all == 1 ? "matches" : "match",
	    r->nrun_all == 1 ? "it" : "one", r->nrun_all == 1 ? "it" : "them",
	    r->nrun_all == 1 ? "it is" : "they are");
}

/* What an unowned path that gates' or lanes' inputs name selects: those
 * gates, and those lanes' gates. */
static void report_inputs(struct sl_cov *c)
{
	const struct sl_check_report *r = c->report;

	if (!r->ninputs)
		return;
	sl_cov_add(c->report, SL_FINDING_INPUTS, SL_SEVERITY_NOTE,
		   "%zu of %zu tracked files %s owned by no lane but named by "
		   "the inputs of gates or lanes: a change to %s selects "
		   "those gates, or touches those lanes (explain PATH names "
		   "them), so %s covered",
		   r->ninputs, c->n, r->ninputs == 1 ? "is" : "are",
		   r->ninputs == 1 ? "it" : "one",
		   r->ninputs == 1 ? "it is" : "they are");
}

static void report_unowned(struct sl_cov *c)
{
	const struct sl_check_report *r = c->report;
	enum sl_severity severity = SL_SEVERITY_WARNING;
	const char *effect;

	if (!r->nunowned)
		return;
	switch (c->rules->unowned) {
	case SL_UNOWNED_GLOBAL_ONLY:
		effect = "runs only the contract gates (unowned: global-only)";
		break;
	case SL_UNOWNED_FAIL:
		effect = "fails selection (unowned: fail)";
		severity = SL_SEVERITY_ERROR;
		break;
	default:
		effect = "runs every gate (unowned: run-all)";
		break;
	}
	sl_cov_add(c->report, SL_FINDING_UNOWNED, severity,
		   "%zu of %zu tracked files %s owned by no lane: a change to "
		   "%s %s; add %s to a lane's paths",
		   r->nunowned, c->n, r->nunowned == 1 ? "is" : "are",
		   r->nunowned == 1 ? "it" : "one", effect,
		   r->nunowned == 1 ? "it" : "them");
}

/* ---- lanes and gates ---------------------------------------------------- */

/* Per lane: does a lane that consumes it (as selection reaches) have a
 * smoke gate, which a change to the lane would run? */
static bool *smoked_lanes(const struct sl_rules *rules)
{
	bool *smoked = sl_xcalloc(rules->nlanes + 1, sizeof(*smoked));
	bool *seen = sl_xcalloc(rules->nlanes + 1, sizeof(*seen));
	size_t *up = sl_xcalloc(rules->nlanes + 1, sizeof(*up));
	size_t g, i, n;

	for (g = 0; g < rules->ngates; g++) {
		if (rules->gates[g].kind != SL_GATE_SMOKE)
			continue;
		n = sl_cov_upstream(up, seen, rules, rules->gates[g].lane);
		for (i = 0; i < n; i++)
			smoked[up[i]] = true;
	}
	free(seen);
	free(up);
	return smoked;
}

static size_t count_gates(const struct sl_rules *rules, size_t lane,
			  enum sl_gate_kind kind)
{
	size_t g, n = 0;

	for (g = 0; g < rules->ngates; g++)
		n += rules->gates[g].lane == lane &&
		     rules->gates[g].kind == kind;
	return n;
}

static struct sl_finding *add_lane(struct sl_cov *c, size_t lane,
				   enum sl_finding_kind kind,
				   enum sl_severity severity, const char *what)
{
	const struct sl_lane *l = &c->rules->lanes[lane];
	struct sl_finding *f;

	f = sl_cov_add(c->report, kind, severity, "lane %s %s", l->name, what);
	f->file = c->rules->file;
	f->pos = l->pos;
	f->lane = lane;
	return f;
}

static void report_lane(struct sl_cov *c, size_t lane, const bool *smoked)
{
	const struct sl_lane *l = &c->rules->lanes[lane];
	size_t nsmoke = count_gates(c->rules, lane, SL_GATE_SMOKE);

	if (!l->nrules && l->inputs.n) {
		add_lane(c, lane, SL_FINDING_LANE_NO_PATHS, SL_SEVERITY_NOTE,
			 "has no paths: it owns no file, and only a change "
			 "its inputs name touches it");
		return;
	}
	if (!l->nrules) {
		if (!nsmoke && !count_gates(c->rules, lane, SL_GATE_LOCAL))
			add_lane(c, lane, SL_FINDING_LANE_NO_PATHS,
				 SL_SEVERITY_WARNING,
				 "has no paths and no gates, so it does "
				 "nothing; give it paths, or remove it");
		else if (nsmoke)
			add_lane(c, lane, SL_FINDING_LANE_NO_PATHS,
				 SL_SEVERITY_NOTE,
				 "has no paths: it owns no file, and only its "
				 "smoke gates run, when a lane it consumes "
				 "changes");
		else
			add_lane(c, lane, SL_FINDING_LANE_NO_PATHS,
				 SL_SEVERITY_WARNING,
				 "has no paths: it owns no file, so no change "
				 "selects its gates; give it paths, or remove "
				 "it");
		return;
	}
	if (count_gates(c->rules, lane, SL_GATE_LOCAL) || smoked[lane])
		return;
	if (!l->owners.n)
		add_lane(c, lane, SL_FINDING_LANE_NO_GATES, SL_SEVERITY_NOTE,
			 "has no owners and no gates: a change to its paths "
			 "runs only the contract gates, as meant for "
			 "documentation or a CODEOWNERS line with no owners");
	else
		add_lane(c, lane, SL_FINDING_LANE_NO_GATES, SL_SEVERITY_WARNING,
			 "has no gates, and no lane that consumes it has a "
			 "smoke gate: a change to its paths runs only the "
			 "contract gates; give it a gate, or leave it so if "
			 "that is meant");
}

/* Do the lanes a smoke gate's lane consumes own any path? */
static bool upstream_owns(const struct sl_cov *c, size_t lane, size_t *up,
			  bool *seen)
{
	size_t i, n = sl_cov_upstream(up, seen, c->rules, lane);

	for (i = 0; i < n; i++)
		if (c->report->lane_paths[up[i]] ||
		    c->rules->lanes[up[i]].inputs.n)
			return true;
	return false;
}

static void report_gate(struct sl_cov *c, const struct sl_gate *g, size_t *up,
			bool *seen)
{
	const struct sl_lane *l;
	struct sl_finding *f = NULL;

	if (g->kind == SL_GATE_CONTRACT)
		return;
	l = &c->rules->lanes[g->lane];
	/* A lane with no paths says so for its local gates; a gate with
	 * inputs, or whose lane has some, is selected by them (an unused
	 * one says so itself). */
	if (g->inputs.n || (g->kind == SL_GATE_LOCAL && l->inputs.n))
		return;
	if (g->kind == SL_GATE_LOCAL && !c->report->lane_paths[g->lane] &&
	    l->nrules)
		f = sl_cov_add(c->report, SL_FINDING_GATE_NO_PATHS,
			       SL_SEVERITY_WARNING,
			       "gate %s: lane %s owns no tracked file, so no "
			       "change selects it (only a run of every gate "
			       "does); give the lane paths that match files",
			       g->name, l->name);
	else if (g->kind == SL_GATE_SMOKE && !l->nconsumes)
		f = sl_cov_add(c->report, SL_FINDING_SMOKE_NO_UPSTREAM,
			       SL_SEVERITY_WARNING,
			       "smoke gate %s: lane %s consumes no lane, so no "
			       "change selects it (only a run of every gate "
			       "does); add the lanes it tests to its consumes, "
			       "or make it a local gate",
			       g->name, l->name);
	else if (g->kind == SL_GATE_SMOKE &&
		 !upstream_owns(c, g->lane, up, seen))
		f = sl_cov_add(c->report, SL_FINDING_GATE_NO_PATHS,
			       SL_SEVERITY_WARNING,
			       "smoke gate %s: the lanes %s consumes own no "
			       "tracked file, so no change selects it (only a "
			       "run of every gate does)",
			       g->name, l->name);
	if (!f)
		return;
	f->file = c->rules->file;
	f->pos = g->pos;
	f->lane = g->lane;
	f->gate = g;
}

static void report_lanes_and_gates(struct sl_cov *c)
{
	const struct sl_rules *rules = c->rules;
	bool *smoked = smoked_lanes(rules);
	bool *seen = sl_xcalloc(rules->nlanes + 1, sizeof(*seen));
	size_t *up = sl_xcalloc(rules->nlanes + 1, sizeof(*up));
	size_t i;

	for (i = 0; i < rules->nlanes; i++)
		report_lane(c, i, smoked);
	for (i = 0; i < rules->ngates; i++)
		report_gate(c, &rules->gates[i], up, seen);
	free(smoked);
	free(seen);
	free(up);
}

/*
 * A ledger shared through git with no allowed_signers: anyone who may push
 * its ref can write a decision in anyone's name (SPEC.md §6).
 */
static void report_ledger(struct sl_cov *c)
{
	struct sl_finding *f;

	if (!c->rules->ledger_ref || c->rules->allowed_signers)
		return;
	f = sl_cov_add(c->report, SL_FINDING_LEDGER_UNSIGNED,
		       SL_SEVERITY_WARNING,
		       "the ledger is shared on %s with no allowed_signers: "
		       "anyone who may push that ref can record a decision "
		       "in anyone's name; name an allowed_signers file so "
		       "that decisions count only when signed",
		       c->rules->ledger_ref);
	f->file = c->rules->file;
	f->pos = c->rules->ledger_pos;
}

/* ---- the whole -------------------------------------------------------- */

/* By position in the file; at one position, by kind, then message. */
static int cmp_finding(const void *a, const void *b)
{
	const struct sl_finding *x = a, *y = b;

	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	if (x->pos.col != y->pos.col)
		return x->pos.col < y->pos.col ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->message, y->message);
}

void sl_cov_sort(struct sl_check_report *r, size_t keep, size_t before)
{
	size_t i, n = 0, m = r->nfindings;
	struct sl_finding *v = sl_xcalloc(m + 1, sizeof(*v));

	for (i = 0; i < m; i++)
		if (i < keep || (i >= before && r->findings[i].file))
			v[n++] = r->findings[i];
	qsort(v, n, sizeof(*v), cmp_finding);
	for (i = keep; i < m; i++)
		if (i < before || !r->findings[i].file)
			v[n++] = r->findings[i];
	free(r->findings);
	r->findings = v;
	r->alloc_findings = m + 1;
}

int sl_check_tree(struct sl_check_report *out, const struct sl_rules *rules,
		  const struct sl_check_path *paths, size_t n,
		  struct sl_error *err)
{
	struct sl_cov c = {rules, paths, n, out, NULL, NULL, NULL};
	int ret;

	memset(out, 0, sizeof(*out));
	out->npaths = n;
	ret = decide(&c, err);
	if (!ret)
		ret = sl_cov_dead_rules(&c, err);
	if (!ret)
		ret = sl_cov_unused_patterns(&c, err);
	if (ret) {
		sl_check_report_release(out);
		goto out;
	}
	report_lanes_and_gates(&c);
	report_ledger(&c);
	if (out->nfindings)
		qsort(out->findings, out->nfindings, sizeof(*out->findings),
		      cmp_finding);
	report_run_all(&c);
	report_inputs(&c);
	report_unowned(&c);
out:
	free(c.by_lane);
	free(c.lane_start);
	free(c.decided);
	return ret;
}

void sl_check_report_release(struct sl_check_report *report)
{
	size_t i;

	for (i = 0; i < report->nfindings; i++)
		free(report->findings[i].message);
	free(report->findings);
	free(report->owner);
	free(report->lane_paths);
	free(report->unowned);
	free(report->run_all);
	free(report->inputs);
	free(report->drift);
	memset(report, 0, sizeof(*report));
}
