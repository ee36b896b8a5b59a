/*
 * select.c: selection (SPEC.md §2). For one copy of the rules, a "view"
 * maps every touched name to its lane and decides each gate: run-all, then
 * contract, local and consumer-smoke gates, each with the reasons that
 * chain it to a changed path (gate and lane inputs matched by
 * select_inputs.c).
 * sl_select() builds the trusted copy's view and, when the diff changes
 * the rules file, the head's, and takes their union. The consumer graph walk lives here too: it is only ever asked
 * "which touched lanes are upstream of this one, and through whom?".
 */
#include "common/common.h"

#include "selector/internal.h"

/* Selection under one copy of the rules. */
struct view {
	const struct sl_rules *rules;
	const struct sl_touched *touched;
	size_t ntouched;
	const struct sl_rule **owner; /* per touched name; NULL: unowned */
	/* Touched names grouped by lane: lane_paths[lane_start[l] ..], those
	 * it owns first, then those its inputs name (lane_via[k], the input;
	 * NULL for an owned one). */
	size_t *lane_paths;
	const struct sl_rule **lane_via;
	size_t *lane_start; /* nlanes + 1 entries */
	bool run_all;
	struct sl_strvec run_all_reasons;
	size_t run_all_more;
	struct sl_pick *picks; /* one per gate of rules, in order */
	struct sl_select_inputs in;
};

static size_t lane_count(const struct view *v, size_t lane)
{
	return v->lane_start[lane + 1] - v->lane_start[lane];
}

/* Past SL_REASONS_MAX, reasons are only counted, never formatted. */
static bool reasons_full(const struct sl_pick *pick)
{
	return pick->reasons.n >= SL_REASONS_MAX;
}

/* Takes text's string when there is room for it (text is left empty). */
static void add_reason(struct sl_strvec *reasons, size_t *more,
		       struct sl_buf *text)
{
	if (reasons->n < SL_REASONS_MAX)
		sl_strvec_push_take(reasons, sl_buf_detach(text, NULL));
	else
		(*more)++;
}

static void print_path(struct sl_buf *sb, const struct sl_touched *t)
{
	sl_buf_add(sb, t->path, t->len);
	if (t->why)
		sl_buf_addf(sb, " (%s)", t->why);
}

/*
 * Which rule of the gate's `when` matches touched name t: *out is NULL when
 * none does, or when the gate has no `when` (then every name counts).
 */
static int when_match(const struct sl_rule **out, const struct sl_gate *gate,
		      const struct sl_touched *t, struct sl_error *err)
{
	size_t i;

	*out = NULL;
	for (i = 0; i < gate->when.n; i++) {
		const struct sl_rule *rule = &gate->when.items[i];
		int ret = sl_pattern_match(rule->pattern, t->path, t->len,
					   t->flags, err);

		if (ret < 0)
			return ret;
		if (ret) {
			*out = rule;
			return 1;
		}
	}
	return gate->when.n ? 0 : 1;
}

static void describe_when(struct sl_buf *sb, const struct sl_gate *gate)
{
	size_t i;

	sl_buf_adds(sb, "when: ");
	for (i = 0; i < gate->when.n; i++) {
		sl_buf_adds(sb, i ? ", '" : "'");
		sl_buf_adds(sb, gate->when.items[i].text);
		sl_buf_addch(sb, '\'');
	}
}

/* " -> input 'PATTERN' (FILE:LINE)", for a path a lane's input names. */
static void add_via(struct sl_buf *sb, const struct sl_rules *r,
		    const struct sl_rule *via)
{
	if (!via)
		return;
	sl_buf_adds(sb, " -> input '");
	sl_buf_adds(sb, via->text);
	sl_buf_addf(sb, "' (%s:%u)", r->file, via->pos.line);
}

/* Reasons are built by appending, not formatting: there is one for every
 * path that brings each gate in, up to SL_REASONS_MAX a gate. */
static void add_when_suffix(struct sl_buf *sb, const struct sl_rule *when)
{
	if (!when)
		return;
	sl_buf_adds(sb, " (when '");
	sl_buf_adds(sb, when->text);
	sl_buf_adds(sb, "')");
}

/* ---- work in parts ------------------------------------------------------ */

/* Work over items [0, n) is done in this many parts: a thread serving the
 * offer takes them from the first, this one from the last, until they
 * meet. */
#define PARTS 8

typedef int part_fn(struct view *v, size_t from, size_t to,
		    struct sl_error *err);

struct part {
	struct sl_offer_job job;
	struct view *v;
	part_fn *run;
	size_t from, to;
	int ret;
	struct sl_error err;
};

static void run_part(void *arg)
{
	struct part *p = arg;

	p->ret = p->run(p->v, p->from, p->to, &p->err);
}

/*
 * run() over items [0, n) of v, in parts offered to offer when there are
 * at least min items (fewer take less time than waking a thread). Each
 * part reads only the view and writes only its own items. Returns the
 * first failure in item order.
 */
static int in_parts(struct view *v, struct sl_offer *offer, size_t n,
		    size_t min, part_fn *run, struct sl_error *err)
{
	struct part parts[PARTS];
	size_t i, at = 0;
	int ret = 0;

	if (n < min)
		offer = NULL;
	for (i = 0; i < PARTS; i++) {
		size_t share = n / PARTS + (i < n % PARTS);

		parts[i] =
		    (struct part){.job = {.run = run_part, .arg = &parts[i]},
				  .v = v,
				  .run = run,
				  .from = at,
				  .to = at + share,
				  .err = SL_ERROR_INIT};
		at += share;
		sl_offer_post(offer, &parts[i].job);
	}
	for (i = PARTS; i-- > 0;)
		sl_offer_join(offer, &parts[i].job);
	for (i = 0; i < PARTS; i++) {
		if (parts[i].ret && !ret && err) {
			sl_error_release(err);
			*err = parts[i].err;
			parts[i].err = (struct sl_error)SL_ERROR_INIT;
		}
		if (parts[i].ret && !ret)
			ret = parts[i].ret;
		sl_error_release(&parts[i].err);
	}
	return ret;
}

/* ---- gate inputs ------------------------------------------------------- */

/*
 * Selects pick for each touched name one of its gate's inputs matches,
 * each a reason "PATH -> input 'PATTERN' (FILE:LINE)".
 */
static void pick_inputs(struct view *v, struct sl_pick *pick)
{
	const struct sl_gate *gate = pick->gate;
	size_t g = (size_t)(gate - v->rules->gates), k, h, n;
	struct sl_buf sb = SL_BUF_INIT;
	const size_t *hits;

	for (k = 0; k < gate->inputs.n; k++) {
		const struct sl_rule *rule = &gate->inputs.items[k];

		hits = sl_select_inputs_hits(&n, &v->in, g, k);
		for (h = 0; h < n; h++) {
			pick->selected = true;
			if (reasons_full(pick)) {
				pick->more_reasons++;
				continue;
			}
			sl_buf_reset(&sb);
			print_path(&sb, &v->touched[hits[h]]);
			sl_buf_adds(&sb, " -> input '");
			sl_buf_adds(&sb, rule->text);
			sl_buf_addf(&sb, "' (%s:%u)", v->rules->file,
				    rule->pos.line);
			add_reason(&pick->reasons, &pick->more_reasons, &sb);
		}
	}
	sl_buf_release(&sb);
}

/* "; no changed path matches its inputs: 'a', 'b'", for a gate that has
 * inputs and was not selected. */
static void describe_inputs(struct sl_buf *sb, const struct sl_gate *gate)
{
	size_t i;

	if (!gate->inputs.n)
		return;
	sl_buf_adds(sb, "; no changed path matches its inputs: ");
	for (i = 0; i < gate->inputs.n; i++) {
		sl_buf_adds(sb, i ? ", '" : "'");
		sl_buf_adds(sb, gate->inputs.items[i].text);
		sl_buf_addch(sb, '\'');
	}
}

/* ---- ownership and run-all ------------------------------------------ */

/* A name given to a lane (a lockfile entry): the lane's first pattern,
 * its package's directory; NULL when this copy has no such lane. */
static const struct sl_rule *lane_rule(const struct sl_rules *r,
				       const char *name)
{
	const struct sl_lane *lane = sl_rules_lane(r, name);

	return lane && lane->nrules ? &r->rules.items[lane->first_rule] : NULL;
}

static int owners_of(struct view *v, size_t from, size_t to,
		     struct sl_error *err)
{
	size_t i;
	int ret = 0;

	for (i = from; i < to && !ret; i++) {
		const struct sl_touched *t = &v->touched[i];

		if (t->lane) {
			v->owner[i] = lane_rule(v->rules, t->lane);
			continue;
		}
		ret = sl_rules_owner(&v->owner[i], v->rules, t->path, t->len,
				     t->flags, err);
	}
	return ret;
}

/* Fewer paths are looked up sooner than a thread is woken for them. */
#define OWNERS_APART 512

/*
 * Visits, pass by pass, each touched name lane l's inputs name and l does
 * not own, once (mark keeps which lane and pass saw a name last): counts
 * them (fill NULL) or puts them after l's own at fill[l].
 */
static size_t lane_inputs(struct view *v, size_t l, size_t *mark, size_t pass,
			  size_t *fill)
{
	const struct sl_rule_list *inputs = &v->rules->lanes[l].inputs;
	size_t k, h, n, count = 0, seen = pass * (v->rules->nlanes + 1) + l + 1;
	const size_t *hits;

	for (k = 0; k < inputs->n; k++) {
		hits = sl_select_inputs_lane_hits(&n, &v->in, l, k);
		for (h = 0; h < n; h++) {
			size_t i = hits[h];

			if ((v->owner[i] && v->owner[i]->lane == l) ||
			    mark[i] == seen)
				continue;
			mark[i] = seen;
			count++;
			if (!fill)
				continue;
			v->lane_via[fill[l]] = &inputs->items[k];
			v->lane_paths[fill[l]++] = i;
		}
	}
	return count;
}

/* Groups the touched names by lane: a counting sort, keeping their order,
 * the names a lane's inputs name after those it owns. */
static void view_group(struct view *v)
{
	const struct sl_rules *r = v->rules;
	size_t i, total = 0, *fill, *mark;

	v->lane_start = sl_xcalloc(r->nlanes + 2, sizeof(size_t));
	mark = sl_xcalloc(v->ntouched + 1, sizeof(size_t));
	for (i = 0; i < v->ntouched; i++)
		if (v->owner[i])
			v->lane_start[v->owner[i]->lane + 2]++;
	for (i = 0; v->in.first && i < r->nlanes; i++)
		v->lane_start[i + 2] += lane_inputs(v, i, mark, 0, NULL);
	for (i = 2; i < r->nlanes + 2; i++)
		v->lane_start[i] += v->lane_start[i - 1];
	total = v->lane_start[r->nlanes + 1];
	v->lane_paths = sl_xcalloc(total + 1, sizeof(size_t));
	v->lane_via = sl_xcalloc(total + 1, sizeof(*v->lane_via));
	fill = v->lane_start + 1;
	for (i = 0; i < v->ntouched; i++)
		if (v->owner[i])
			v->lane_paths[fill[v->owner[i]->lane]++] = i;
	for (i = 0; v->in.first && i < r->nlanes; i++)
		lane_inputs(v, i, mark, 1, fill);
	free(mark);
}

static int view_own(struct view *v, struct sl_offer *offer,
		    struct sl_error *err)
{
	int ret;

	v->owner = sl_xcalloc(v->ntouched + 1, sizeof(*v->owner));
	ret = in_parts(v, offer, v->ntouched, OWNERS_APART, owners_of, err);
	if (!ret)
		ret = sl_select_inputs_build(&v->in, v->rules, v->touched,
					     v->ntouched, err);
	if (!ret)
		view_group(v);
	return ret;
}

static void run_all_reason(struct view *v, struct sl_buf *text)
{
	v->run_all = true;
	add_reason(&v->run_all_reasons, &v->run_all_more, text);
}

static int unowned_policy(struct view *v, const struct sl_touched *t,
			  struct sl_error *err)
{
	struct sl_buf sb = SL_BUF_INIT;

	switch (v->rules->unowned) {
	case SL_UNOWNED_RUN_ALL:
		print_path(&sb, t);
		sl_buf_adds(&sb, " -> owned by no lane (unowned: run-all)");
		run_all_reason(v, &sb);
		break;
	case SL_UNOWNED_GLOBAL_ONLY:
		break;
	case SL_UNOWNED_FAIL:
		sl_buf_release(&sb);
		return sl_error_set(err, SL_EREFUSED,
				    "'%.*s' is owned by no lane and %s says "
				    "'unowned: fail'; add it to a lane's paths",
				    (int)t->len, t->path, v->rules->file);
	}
	sl_buf_release(&sb);
	return 0;
}

static int view_run_all(struct view *v, struct sl_error *err)
{
	const struct sl_rule_list *on = &v->rules->run_all_on;
	struct sl_buf sb = SL_BUF_INIT;
	size_t i, j;
	int ret = 0;

	for (i = 0; i < v->ntouched && !ret; i++) {
		const struct sl_touched *t = &v->touched[i];
		bool matched = false;

		if (t->lane)
			continue;
		for (j = 0; j < on->n && !matched; j++) {
			ret = sl_pattern_match(on->items[j].pattern, t->path,
					       t->len, t->flags, err);
			if (ret < 0)
				goto out;
			if (!ret)
				continue;
			sl_buf_reset(&sb);
			print_path(&sb, t);
			sl_buf_addf(&sb, " -> run_all_on '%s' (%s:%u)",
				    on->items[j].text, v->rules->file,
				    on->items[j].pos.line);
			run_all_reason(v, &sb);
			matched = true;
		}
		/* A run_all_on path is covered, owned or not: it already runs
		 * every gate, so `unowned: fail` does not refuse it; one that
		 * a gate's inputs name selects that gate, one that a lane's
		 * inputs name touches that lane. */
		ret =
		    v->owner[i] || matched || sl_select_inputs_cover(&v->in, i)
			? 0
			: unowned_policy(v, t, err);
	}
out:
	sl_buf_release(&sb);
	return ret < 0 ? ret : 0;
}

/* ---- the three kinds ------------------------------------------------ */

static void not_selected(struct sl_pick *pick, struct sl_buf *why)
{
	pick->selected = false;
	describe_inputs(why, pick->gate);
	sl_strvec_push(&pick->reasons, why->buf);
}

/*
 * Selects pick for each of n touched names (touched[idx[k]], or
 * touched[k] with idx NULL) that its gate's `when` takes, each a reason:
 * "PATH -> lane LANE" for a local gate ("PATH -> input 'PATTERN'
 * (FILE:LINE) -> lane LANE" for one the lane's input via[k] names),
 * "PATH -> when ..." or "PATH -> any change" for a contract gate (lane
 * NULL).
 */
static int pick_paths(struct view *v, struct sl_pick *pick, const size_t *idx,
		      const struct sl_rule *const *via, size_t n,
		      const char *lane, struct sl_error *err)
{
	const struct sl_gate *gate = pick->gate;
	struct sl_buf sb = SL_BUF_INIT;
	const struct sl_rule *when;
	size_t k;
	int ret = 0;

	for (k = 0; k < n; k++) {
		const struct sl_touched *t = &v->touched[idx ? idx[k] : k];

		if (reasons_full(pick) && !gate->when.n) {
			/* Without `when` every path counts: no need to look. */
			pick->more_reasons += n - k;
			break;
		}
		ret = when_match(&when, gate, t, err);
		if (ret < 0)
			break;
		if (!ret)
			continue;
		ret = 0;
		pick->selected = true;
		if (reasons_full(pick)) {
			pick->more_reasons++;
			continue;
		}
		sl_buf_reset(&sb);
		print_path(&sb, t);
		if (lane) {
			add_via(&sb, v->rules, via ? via[k] : NULL);
			sl_buf_adds(&sb, " -> lane ");
			sl_buf_adds(&sb, lane);
			add_when_suffix(&sb, when);
		} else if (when) {
			sl_buf_adds(&sb, " -> when '");
			sl_buf_adds(&sb, when->text);
			sl_buf_addch(&sb, '\'');
		} else {
			sl_buf_adds(&sb, " -> any change");
		}
		add_reason(&pick->reasons, &pick->more_reasons, &sb);
	}
	sl_buf_release(&sb);
	return ret < 0 ? ret : 0;
}

static int pick_contract(struct view *v, struct sl_pick *pick,
			 struct sl_error *err)
{
	struct sl_buf sb = SL_BUF_INIT;
	int ret = pick_paths(v, pick, NULL, NULL, v->ntouched, NULL, err);

	if (!ret)
		pick_inputs(v, pick);
	if (ret || pick->selected)
		return ret;
	if (!v->ntouched) {
		sl_buf_adds(&sb, "nothing changed");
	} else {
		sl_buf_adds(&sb, "no changed path matches ");
		describe_when(&sb, pick->gate);
	}
	not_selected(pick, &sb);
	sl_buf_release(&sb);
	return 0;
}

static int pick_local(struct view *v, struct sl_pick *pick,
		      struct sl_error *err)
{
	size_t lane_ix = pick->gate->lane, start = v->lane_start[lane_ix];
	const char *lane = v->rules->lanes[lane_ix].name;
	struct sl_buf sb = SL_BUF_INIT;
	int ret =
	    pick_paths(v, pick, v->lane_paths + start, v->lane_via + start,
		       v->lane_start[lane_ix + 1] - start, lane, err);

	if (!ret)
		pick_inputs(v, pick);
	if (ret || pick->selected)
		return ret;
	if (!lane_count(v, lane_ix)) {
		sl_buf_adds(&sb, "no changed path is owned by lane ");
		sl_buf_adds(&sb, lane);
	} else {
		sl_buf_addf(&sb,
			    "lane %s changed (%zu paths), but none matches ",
			    lane, lane_count(v, lane_ix));
		describe_when(&sb, pick->gate);
	}
	not_selected(pick, &sb);
	sl_buf_release(&sb);
	return 0;
}

/*
 * The lanes upstream of lane c (those it consumes, directly or, unless
 * direct, through a chain), nearest first, into order; parent[x] is the
 * lane through which x was reached (the next link towards c).
 */
static size_t upstream(size_t *order, size_t *parent, const struct sl_rules *r,
		       size_t c, bool direct)
{
	size_t head = 0, n = 0, i;

	for (i = 0; i < r->nlanes; i++)
		parent[i] = SL_NO_LANE;
	parent[c] = c;
	order[n++] = c;
	while (head < n) {
		const struct sl_lane *x = &r->lanes[order[head]];

		for (i = 0; i < x->nconsumes; i++) {
			size_t y = x->consumes[i];

			if (parent[y] != SL_NO_LANE)
				continue;
			parent[y] = order[head];
			order[n++] = y;
		}
		if (direct && head == 0)
			break;
		head++;
	}
	/* order[0] is c itself; the callers want only its upstream. */
	memmove(order, order + 1, (n - 1) * sizeof(*order));
	return n - 1;
}

static void chain(struct sl_buf *sb, const struct sl_rules *r,
		  const size_t *parent, size_t from, size_t to)
{
	/* Not sl_buf_addf(): this runs for every reason of every smoke gate. */
	sl_buf_adds(sb, " -> lane ");
	sl_buf_adds(sb, r->lanes[from].name);
	while (from != to) {
		from = parent[from];
		sl_buf_adds(sb, " <- consumed by ");
		sl_buf_adds(sb, r->lanes[from].name);
	}
}

static void smoke_reason(struct view *v, struct sl_pick *pick, size_t u,
			 const size_t *parent, size_t k,
			 const struct sl_rule *when)
{
	const struct sl_touched *t = &v->touched[v->lane_paths[k]];
	struct sl_buf sb = SL_BUF_INIT;

	if (reasons_full(pick)) {
		pick->more_reasons++;
		return;
	}
	/* One allocation for most chains, not one for each time it grows. */
	sl_buf_grow(&sb, 200);
	print_path(&sb, t);
	add_via(&sb, v->rules, v->lane_via[k]);
	chain(&sb, v->rules, parent, u, pick->gate->lane);
	add_when_suffix(&sb, when);
	add_reason(&pick->reasons, &pick->more_reasons, &sb);
	sl_buf_release(&sb);
}

/*
 * Adds the reasons touched upstream lane u gives pick: in the first pass
 * only its first matching path, in the second the rest, so that every
 * upstream lane shows up before any lane's second path. Returns 1 when a
 * path of u matches, 0 when none does.
 */
static int smoke_from(struct view *v, struct sl_pick *pick, size_t u,
		      const size_t *parent, int pass, struct sl_error *err)
{
	size_t k, start = v->lane_start[u], end = v->lane_start[u + 1];
	const struct sl_gate *gate = pick->gate;
	const struct sl_rule *when;
	size_t matched = 0;
	int ret;

	for (k = start; k < end; k++) {
		const struct sl_touched *t = &v->touched[v->lane_paths[k]];

		if (pass == 1 && reasons_full(pick) && !gate->when.n) {
			/* Every path counts; the first was the first pass's. */
			pick->more_reasons += end - k - (matched == 0);
			return 1;
		}
		ret = when_match(&when, gate, t, err);
		if (ret < 0)
			return ret;
		if (!ret || (matched++ > 0) != (pass == 1))
			continue;
		smoke_reason(v, pick, u, parent, k, when);
		if (pass == 0)
			return 1;
	}
	return matched > 0;
}

static void smoke_not_selected(struct view *v, struct sl_pick *pick,
			       const size_t *order, size_t n, bool touched)
{
	const struct sl_lane *lane = &v->rules->lanes[pick->gate->lane];
	struct sl_buf sb = SL_BUF_INIT;
	size_t i;

	if (!n) {
		sl_buf_addf(&sb, "lane %s consumes no lane", lane->name);
	} else if (touched) {
		sl_buf_adds(&sb, "lanes upstream of ");
		sl_buf_addf(&sb, "%s changed, but none of their paths matches ",
			    lane->name);
		describe_when(&sb, pick->gate);
	} else {
		/* Every smoke gate no change reaches says this: appended. */
		sl_buf_adds(&sb, "no lane upstream of ");
		sl_buf_adds(&sb, lane->name);
		sl_buf_adds(&sb, v->rules->consumers == SL_CONSUMERS_DIRECT
				     ? " changed (consumers: direct, consumes: "
				     : " changed (upstream: ");
		for (i = 0; i < n; i++) {
			if (i)
				sl_buf_adds(&sb, ", ");
			sl_buf_adds(&sb, v->rules->lanes[order[i]].name);
		}
		sl_buf_addch(&sb, ')');
	}
	not_selected(pick, &sb);
	sl_buf_release(&sb);
}

static void add_source(struct sl_pick *pick, size_t lane)
{
	pick->sources = sl_xrealloc(
	    pick->sources, sl_st_mult(pick->nsources + 1, sizeof(size_t)));
	pick->sources[pick->nsources++] = lane;
}

static int pick_smoke(struct view *v, struct sl_pick *pick, size_t *order,
		      size_t *parent, struct sl_error *err)
{
	const struct sl_rules *r = v->rules;
	bool direct = r->consumers == SL_CONSUMERS_DIRECT, touched = false;
	size_t n = upstream(order, parent, r, pick->gate->lane, direct), i;
	int ret;

	for (i = 0; i < n; i++) {
		if (!lane_count(v, order[i]))
			continue;
		touched = true;
		ret = smoke_from(v, pick, order[i], parent, 0, err);
		if (ret < 0)
			return ret;
		if (ret)
			add_source(pick, order[i]);
	}
	for (i = 0; i < pick->nsources; i++) {
		ret = smoke_from(v, pick, pick->sources[i], parent, 1, err);
		if (ret < 0)
			return ret;
	}
	pick->selected = pick->nsources > 0;
	pick_inputs(v, pick);
	if (!pick->selected)
		smoke_not_selected(v, pick, order, n, touched);
	return 0;
}

static void pick_run_all(struct view *v, struct sl_pick *pick)
{
	struct sl_buf sb = SL_BUF_INIT;
	size_t i;

	pick->selected = true;
	for (i = 0; i < v->run_all_reasons.n; i++) {
		sl_buf_reset(&sb);
		sl_buf_adds(&sb, "run-all: ");
		sl_buf_adds(&sb, v->run_all_reasons.v[i]);
		add_reason(&pick->reasons, &pick->more_reasons, &sb);
	}
	pick->more_reasons += v->run_all_more;
	sl_buf_release(&sb);
}

static int view_pick(struct view *v, struct sl_pick *pick, size_t *order,
		     size_t *parent, struct sl_error *err)
{
	if (v->run_all) {
		pick_run_all(v, pick);
		return 0;
	}
	switch (pick->gate->kind) {
	case SL_GATE_CONTRACT:
		return pick_contract(v, pick, err);
	case SL_GATE_LOCAL:
		return pick_local(v, pick, err);
	case SL_GATE_SMOKE:
		return pick_smoke(v, pick, order, parent, err);
	}
	return 0;
}

/* Decides gates from..to: each pick reads only the view, writes only
 * itself. */
static int pick_gates(struct view *v, size_t from, size_t to,
		      struct sl_error *err)
{
	const struct sl_rules *r = v->rules;
	size_t *order = sl_xcalloc(r->nlanes + 1, sizeof(size_t));
	size_t *parent = sl_xcalloc(r->nlanes + 1, sizeof(size_t));
	size_t i;
	int ret = 0;

	for (i = from; i < to && !ret; i++) {
		struct sl_pick *pick = &v->picks[i];

		pick->gate = &r->gates[i];
		pick->decided_by = pick->gate;
		pick->rules = r;
		pick->reasons = (struct sl_strvec)SL_STRVEC_INIT;
		ret = view_pick(v, pick, order, parent, err);
	}
	free(order);
	free(parent);
	return ret;
}

/* Fewer gates are decided sooner than a thread is woken for them. */
#define PICKS_APART 128

/* Decides every gate; the first failure in gate order is the error. */
static int view_select(struct view *v, struct sl_offer *offer,
		       struct sl_error *err)
{
	v->picks = sl_xcalloc(v->rules->ngates + 1, sizeof(*v->picks));
	return in_parts(v, offer, v->rules->ngates, PICKS_APART, pick_gates,
			err);
}

static int view_build(struct view *v, const struct sl_rules *rules,
		      const struct sl_select_options *opts,
		      const struct sl_touched *touched, size_t ntouched,
		      struct sl_error *err)
{
	struct sl_buf sb = SL_BUF_INIT;
	int ret;

	v->rules = rules;
	v->touched = touched;
	v->ntouched = ntouched;
	v->run_all_reasons = (struct sl_strvec)SL_STRVEC_INIT;
	ret = view_own(v, opts->offer, err);
	if (!ret)
		ret = view_run_all(v, err);
	if (!ret && opts->base_unavailable) {
		sl_buf_addf(&sb,
			    "base unavailable: %s (--if-missing-base=run-all)",
			    opts->degraded_reason ? opts->degraded_reason
						  : "no base commit");
		run_all_reason(v, &sb);
	}
	if (!ret)
		ret = view_select(v, opts->offer, err);
	sl_buf_release(&sb);
	return ret;
}

static void pick_release(struct sl_pick *pick)
{
	sl_strvec_release(&pick->reasons);
	free(pick->sources);
}

static void view_release(struct view *v, bool keep_owner)
{
	size_t i;

	if (!keep_owner)
		free(v->owner);
	free(v->lane_paths);
	free(v->lane_via);
	free(v->lane_start);
	sl_strvec_release(&v->run_all_reasons);
	sl_select_inputs_release(&v->in);
	if (v->picks)
		for (i = 0; i < v->rules->ngates; i++)
			pick_release(&v->picks[i]);
	free(v->picks);
}

/* ---- the union of the two copies ------------------------------------- */

static void take_pick(struct sl_pick *dst, struct sl_pick *src, unsigned by)
{
	*dst = *src;
	dst->by = dst->selected ? by : 0;
	*src = (struct sl_pick){0};
	src->reasons = (struct sl_strvec)SL_STRVEC_INIT;
}

static void prefix_head(struct sl_strvec *reasons, const char *label)
{
	struct sl_strvec prefixed = SL_STRVEC_INIT;
	size_t i;

	for (i = 0; i < reasons->n; i++)
		sl_strvec_pushf(&prefixed, "%s: %s", label, reasons->v[i]);
	sl_strvec_release(reasons);
	*reasons = prefixed;
}

/*
 * A gate both copies define, selected only by the head's: it runs as the
 * trusted copy defines it, for the reasons (and paths) the head's gives.
 */
static void take_head_verdict(struct sl_pick *dst, struct sl_pick *head,
			      const char *label)
{
	sl_strvec_release(&dst->reasons);
	dst->reasons = head->reasons;
	head->reasons = (struct sl_strvec)SL_STRVEC_INIT;
	prefix_head(&dst->reasons, label);
	dst->more_reasons = head->more_reasons;
	free(dst->sources);
	dst->sources = head->sources;
	dst->nsources = head->nsources;
	head->sources = NULL;
	dst->decided_by = head->gate;
	dst->selected = true;
	dst->by = SL_BY_HEAD;
}

static void merge_views(struct sl_selection *sel, struct view *base,
			struct view *head, const char *label)
{
	const struct sl_rules *hr = head ? head->rules : NULL;
	size_t i, n = base->rules->ngates + (hr ? hr->ngates : 0);

	sel->picks = sl_xcalloc(n + 1, sizeof(*sel->picks));
	for (i = 0; i < base->rules->ngates; i++) {
		struct sl_pick *dst = &sel->picks[sel->npicks++];
		const struct sl_gate *hg =
		    hr ? sl_rules_gate(hr, base->picks[i].gate->name) : NULL;
		struct sl_pick *hp = hg ? &head->picks[hg - hr->gates] : NULL;

		take_pick(dst, &base->picks[i], SL_BY_BASE);
		if (hp && hp->selected && dst->selected)
			dst->by |= SL_BY_HEAD;
		else if (hp && hp->selected)
			take_head_verdict(dst, hp, label);
	}
	for (i = 0; hr && i < hr->ngates; i++) {
		struct sl_pick *dst;

		if (sl_rules_gate(base->rules, hr->gates[i].name))
			continue;
		dst = &sel->picks[sel->npicks++];
		take_pick(dst, &head->picks[i], SL_BY_HEAD);
		prefix_head(&dst->reasons, label);
	}
	for (i = 0; i < sel->npicks; i++)
		sel->nselected += sel->picks[i].selected;
}

/* The head's rules (or manifests) mostly give the base's reasons again
 * (the same lockfile path, the same run_all_on): each is said once, and
 * of the reasons left out, the larger count. */
static void merge_run_all(struct sl_selection *sel, struct view *v)
{
	size_t i;

	if (!v->run_all)
		return;
	sel->run_all = true;
	for (i = 0; i < v->run_all_reasons.n; i++)
		if (!sl_strvec_has(&sel->run_all_reasons,
				   v->run_all_reasons.v[i]))
			sl_strvec_push(&sel->run_all_reasons,
				       v->run_all_reasons.v[i]);
	if (v->run_all_more > sel->run_all_more)
		sel->run_all_more = v->run_all_more;
}

int sl_select(struct sl_selection **out, const struct sl_select_options *opts,
	      const struct sl_touched *touched, size_t ntouched,
	      struct sl_error *err)
{
	struct sl_selection *sel = sl_xcalloc(1, sizeof(*sel));
	struct view base = {0}, head = {0};
	int ret;

	*out = NULL;
	sel->run_all_reasons = (struct sl_strvec)SL_STRVEC_INIT;
	sel->base = opts->base;
	sel->head = opts->head;
	sel->ntouched = ntouched;
	sel->degraded = opts->base_unavailable;
	sel->rules_changed = opts->head != NULL;
	ret = view_build(&base, opts->base, opts, touched, ntouched, err);
	if (!ret && opts->head)
		ret =
		    view_build(&head, opts->head, opts, touched, ntouched, err);
	if (!ret) {
		merge_run_all(sel, &base);
		if (opts->head)
			merge_run_all(sel, &head);
		merge_views(sel, &base, opts->head ? &head : NULL,
			    opts->head_label ? opts->head_label : "head rules");
		sel->owner = base.owner;
		sel->owner_head = opts->head ? head.owner : NULL;
		*out = sel;
	}
	view_release(&base, !ret);
	view_release(&head, !ret);
	if (ret)
		sl_selection_free(sel);
	return ret;
}

void sl_selection_free(struct sl_selection *sel)
{
	size_t i;

	if (!sel)
		return;
	for (i = 0; i < sel->npicks; i++)
		pick_release(&sel->picks[i]);
	free(sel->picks);
	free(sel->owner);
	free(sel->owner_head);
	sl_strvec_release(&sel->run_all_reasons);
	free(sel);
}

const struct sl_pick *sl_selection_find(const struct sl_selection *sel,
					const char *name)
{
	size_t i;

	for (i = 0; i < sel->npicks; i++)
		if (!strcmp(sel->picks[i].gate->name, name))
			return &sel->picks[i];
	return NULL;
}

/* ---- the paths each gate sees --------------------------------------- */

/* Whether lane l's inputs name touched name t. */
static int lane_names(const struct sl_rules *rules, size_t l,
		      const struct sl_touched *t, struct sl_error *err)
{
	return sl_rule_list_match(&rules->lanes[l].inputs, t->path, t->len,
				  t->flags, err);
}

/* 1 when t is one of the paths that bring pick in (its lane's, or a
 * source lane's, owned or named by the lane's inputs), 0 when not. */
static int path_brought_in(const struct sl_pick *pick,
			   const struct sl_rules *rules, const bool *source,
			   const struct sl_rule *owner,
			   const struct sl_touched *t, struct sl_error *err)
{
	size_t i;
	int ret;

	switch (pick->decided_by->kind) {
	case SL_GATE_CONTRACT:
		return 1;
	case SL_GATE_LOCAL:
		if (owner && owner->lane == pick->decided_by->lane)
			return 1;
		return lane_names(rules, pick->decided_by->lane, t, err);
	case SL_GATE_SMOKE:
		if (owner && source[owner->lane])
			return 1;
		for (i = 0; i < pick->nsources; i++) {
			ret = lane_names(rules, pick->sources[i], t, err);
			if (ret)
				return ret;
		}
		return 0;
	}
	return 0;
}

/*
 * Whether pick's deciding definition (its lane index, its `when`, its
 * sources) is the trusted copy's, so that it is compared with the trusted
 * copy's owners: not for a gate only the head's copy defines, nor for one
 * only the head's copy selected (take_head_verdict()). Whether the gate
 * was selected does not matter: an unselected gate of the trusted copy is
 * still the trusted copy's.
 */
static bool decided_by_trusted(const struct sl_selection *sel,
			       const struct sl_pick *pick)
{
	if (!sel->owner_head)
		return true;
	return sl_rules_gate(sel->base, pick->decided_by->name) ==
	       pick->decided_by;
}

int sl_pick_foreach_path(const struct sl_selection *sel,
			 const struct sl_pick *pick,
			 const struct sl_touched *touched,
			 int (*fn)(size_t index, void *payload), void *payload,
			 struct sl_error *err)
{
	bool trusted = decided_by_trusted(sel, pick);
	const struct sl_rule **owner = trusted ? sel->owner : sel->owner_head;
	const struct sl_rules *rules = trusted ? sel->base : sel->head;
	bool *source = sl_xcalloc(rules->nlanes + 1, sizeof(*source));
	const struct sl_rule *when;
	size_t i;
	int ret = 0;

	for (i = 0; i < pick->nsources; i++)
		source[pick->sources[i]] = true;
	for (i = 0; i < sel->ntouched && !ret; i++) {
		if (!sel->run_all) {
			/* A path its inputs name is this gate's, `when` aside. */
			ret = sl_rule_list_match(
			    &pick->decided_by->inputs, touched[i].path,
			    touched[i].len, touched[i].flags, err);
			if (ret < 0)
				break;
			if (ret) {
				ret = fn(i, payload);
				continue;
			}
			ret = path_brought_in(pick, rules, source, owner[i],
					      &touched[i], err);
			if (ret < 0)
				break;
			if (!ret)
				continue;
			ret = when_match(&when, pick->decided_by, &touched[i],
					 err);
			if (ret < 0)
				break;
			if (!ret)
				continue;
		}
		ret = fn(i, payload);
	}
	free(source);
	return ret;
}
