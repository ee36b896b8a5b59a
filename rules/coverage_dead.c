/*
 * coverage_dead.c: the patterns that do nothing for the tree checked. An
 * ownership pattern that decides no path either matches none, or is
 * shadowed: every path it matches is decided by a later pattern, of the
 * same lane (no path changes lane for it) or of another (its lane never
 * gets those paths). A run_all_on or `when` pattern may match no path it
 * could see. Only the patterns that decide nothing are tested, a pass at a
 * time through an index of just them (sl_cov_hits()), so that the usual
 * check stays one index lookup per path. Reporting the deciding rules and
 * the lanes is coverage.c's.
 */
#include "common/common.h"

#include "rules/coverage_internal.h"

/* ---- which patterns match one of the paths ---------------------------- */

/* The patterns being looked for, and an index of those not found yet. */
struct hits {
	size_t *hit;
	const struct sl_rule *const *patterns;
	size_t npatterns;
	struct sl_rule *items; /* copies, borrowing the patterns */
	size_t *map;	       /* items[i] is patterns[map[i]] */
	/* Only rules and index are read by sl_rules_owner(). */
	struct sl_rules sub;
};

/* Indexes the patterns not found yet (none: no index). */
static void hits_rebuild(struct hits *h)
{
	size_t k, n = 0;

	if (h->sub.index)
		sl_owner_index_free(h->sub.index);
	h->sub.index = NULL;
	for (k = 0; k < h->npatterns; k++) {
		if (h->hit[k] != SIZE_MAX)
			continue;
		h->items[n] = *h->patterns[k];
		h->map[n++] = k;
	}
	h->sub.rules.n = n;
	if (n)
		sl_owner_index_build(&h->sub.index, &h->sub.rules);
}

/*
 * One pass: each live path finds the last pattern not found yet that it
 * matches; the paths that match none are dropped. A path that finds a
 * pattern found earlier in the pass stays for the next; once such wasted
 * lookups would pay for it, the index is rebuilt without the patterns
 * found, so that many patterns matching the same paths (say, one written
 * a hundred times) do not each cost a pass over them.
 */
static int hit_pass(struct hits *h, const struct sl_check_path *paths,
		    size_t *live, size_t *nlive, struct sl_error *err)
{
	const struct sl_check_path *p;
	const struct sl_rule *r;
	size_t i, keep = 0, k, waste = 0;
	int ret;

	for (i = 0; i < *nlive && h->sub.rules.n; i++) {
		p = &paths[live[i]];
		ret =
		    sl_rules_owner(&r, &h->sub, p->path, p->len, p->flags, err);
		if (ret)
			return ret;
		if (!r)
			continue;
		live[keep++] = live[i];
		k = h->map[r - h->sub.rules.items];
		if (h->hit[k] == SIZE_MAX) {
			h->hit[k] = live[i];
		} else if (++waste > 64 + 4 * h->sub.rules.n) {
			hits_rebuild(h);
			waste = 0;
		}
	}
	*nlive = keep;
	return 0;
}

int sl_cov_hits(size_t *hit, const struct sl_rule *const *patterns,
		size_t npatterns, const struct sl_check_path *paths,
		const size_t *idx, size_t m, struct sl_error *err)
{
	struct hits h;
	size_t *live, nlive = m;
	int ret = 0;

	memset(&h, 0, sizeof(h));
	h.hit = hit;
	h.patterns = patterns;
	h.npatterns = npatterns;
	h.items = sl_xmalloc(sl_st_mult(npatterns + 1, sizeof(*h.items)));
	h.map = sl_xmalloc(sl_st_mult(npatterns + 1, sizeof(*h.map)));
	h.sub.rules.items = h.items;
	live = sl_xmalloc(sl_st_mult(m + 1, sizeof(*live)));
	memcpy(live, idx, m * sizeof(*live));
	/* Each pass finds at least one pattern, or drops every path. */
	while (nlive && !ret) {
		hits_rebuild(&h);
		if (!h.sub.rules.n)
			break;
		ret = hit_pass(&h, paths, live, &nlive, err);
	}
	if (h.sub.index)
		sl_owner_index_free(h.sub.index);
	free(h.items);
	free(h.map);
	free(live);
	return ret;
}

/* ---- ownership patterns ------------------------------------------------ */

/*
 * For each shadowed pattern k (hit[k] set), a path it matches that a rule
 * of another lane decides, into cross[k]: lane by lane, the patterns of
 * the other lanes against that lane's paths.
 */
static int find_cross(struct sl_cov *c, const struct sl_rule **dead, size_t nd,
		      const size_t *hit, size_t *cross, struct sl_error *err)
{
	const struct sl_rule **cand = sl_xmalloc(sl_st_mult(nd, sizeof(*cand)));
	size_t *map = sl_xmalloc(sl_st_mult(nd, sizeof(*map)));
	size_t *sub_hit = sl_xmalloc(sl_st_mult(nd, sizeof(*sub_hit)));
	size_t lane, first, k, nc;
	int ret = 0;

	for (lane = 0; lane < c->rules->nlanes && !ret; lane++) {
		first = c->lane_start[lane];
		nc = 0;
		for (k = 0; k < nd && first < c->lane_start[lane + 1]; k++) {
			if (hit[k] == SIZE_MAX || cross[k] != SIZE_MAX ||
			    dead[k]->lane == lane)
				continue;
			cand[nc] = dead[k];
			map[nc] = k;
			sub_hit[nc++] = SIZE_MAX;
		}
		if (!nc)
			continue;
		ret =
		    sl_cov_hits(sub_hit, cand, nc, c->paths, c->by_lane + first,
				c->lane_start[lane + 1] - first, err);
		for (k = 0; k < nc && !ret; k++)
			if (sub_hit[k] != SIZE_MAX)
				cross[map[k]] = sub_hit[k];
	}
	free(cand);
	free(map);
	free(sub_hit);
	return ret;
}

/* A pattern for a message: as written, unless a control byte would break
 * the line (backslashes are common in patterns, and kept). */
static void add_pattern(struct sl_buf *out, const char *text)
{
	const char *p;

	for (p = text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			break;
	if (*p)
		sl_buf_add_quoted_path(out, text, strlen(text));
	else
		sl_buf_adds(out, text);
}

/* "PATH: FILE:LINE:COL 'PATTERN'", a path and the rule that decides it. */
static void add_example(struct sl_buf *out, const struct sl_cov *c, size_t path)
{
	const struct sl_check_path *p = &c->paths[path];
	const struct sl_rule *by = c->report->owner[path];

	sl_buf_add_quoted_path(out, p->path, p->len);
	if (p->flags & SL_MATCH_DIR)
		sl_buf_addch(out, '/');
	sl_buf_addf(out, ": %s:%u:%u '", c->rules->file, by->pos.line,
		    by->pos.col);
	add_pattern(out, by->text);
	sl_buf_addch(out, '\'');
}

static void report_dead(struct sl_cov *c, const struct sl_rule *rule,
			size_t hit, size_t cross)
{
	const struct sl_rules *rules = c->rules;
	const char *lane = rules->lanes[rule->lane].name;
	struct sl_buf pat = SL_BUF_INIT, eg = SL_BUF_INIT;
	struct sl_finding *f;
	size_t example = cross != SIZE_MAX ? cross : hit;

	add_pattern(&pat, rule->text);
	if (hit == SIZE_MAX) {
		f = sl_cov_add(c->report, SL_FINDING_UNMATCHED,
			       SL_SEVERITY_WARNING,
			       "pattern '%s' of lane %s matches no tracked "
			       "file; fix it, or remove it",
			       pat.buf, lane);
	} else if (cross != SIZE_MAX) {
		add_example(&eg, c, example);
		f = sl_cov_add(
		    c->report, SL_FINDING_SHADOWED, SL_SEVERITY_WARNING,
		    "pattern '%s' of lane %s decides no tracked file: later "
		    "patterns decide every file it matches (%s of lane %s); "
		    "move it after them, or remove it",
		    pat.buf, lane, eg.buf,
		    rules->lanes[c->report->owner[example]->lane].name);
	} else {
		add_example(&eg, c, example);
		f = sl_cov_add(c->report, SL_FINDING_SHADOWED, SL_SEVERITY_NOTE,
			       "pattern '%s' of lane %s decides no tracked "
			       "file: later patterns of the same lane decide "
			       "every file it matches (%s), so no file changes "
			       "lane for it",
			       pat.buf, lane, eg.buf);
	}
	if (hit != SIZE_MAX) {
		f->example = example;
		f->decided_by = c->report->owner[example];
	}
	f->file = rules->file;
	f->pos = rule->pos;
	f->rule = rule;
	f->lane = rule->lane;
	sl_buf_release(&pat);
	sl_buf_release(&eg);
}

int sl_cov_dead_rules(struct sl_cov *c, struct sl_error *err)
{
	const struct sl_rule_list *list = &c->rules->rules;
	const struct sl_rule **dead;
	size_t *hit = NULL, *cross = NULL, nd = 0, k;
	int ret = 0;

	dead = sl_xmalloc(sl_st_mult(list->n + 1, sizeof(*dead)));
	for (k = 0; k < list->n; k++)
		if (!c->decided[k])
			dead[nd++] = &list->items[k];
	if (!nd)
		goto out;
	hit = sl_xmalloc(sl_st_mult(nd, sizeof(*hit)));
	cross = sl_xmalloc(sl_st_mult(nd, sizeof(*cross)));
	for (k = 0; k < nd; k++)
		hit[k] = cross[k] = SIZE_MAX;
	/* by_lane holds every path, once. */
	ret = sl_cov_hits(hit, dead, nd, c->paths, c->by_lane, c->n, err);
	/* Most shadowed patterns lose their first path found to another
	 * lane already; only the rest need looking at lane by lane. */
	for (k = 0; k < nd && !ret; k++)
		if (hit[k] != SIZE_MAX &&
		    c->report->owner[hit[k]]->lane != dead[k]->lane)
			cross[k] = hit[k];
	if (!ret)
		ret = find_cross(c, dead, nd, hit, cross, err);
	for (k = 0; k < nd && !ret; k++)
		report_dead(c, dead[k], hit[k], cross[k]);
out:
	free(dead);
	free(hit);
	free(cross);
	return ret;
}

/* ---- run_all_on and `when` ---------------------------------------------- */

/* A pattern that need match only among some paths: a run_all_on entry
 * (gate NULL), an entry of a gate's `when`, or of a gate's or a lane's
 * `inputs` (every path). */
struct use {
	const struct sl_rule *rule;
	const struct sl_gate *gate;
	bool input;  /* an entry of the gate's inputs, not of its when */
	size_t lane; /* of a lane's inputs: that lane; else SL_NO_LANE */
};

struct use_list {
	struct use *v;
	const struct sl_rule **rules;
	size_t n;
	size_t alloc;
	size_t alloc_rules;
};

static void use_add(struct use_list *u, const struct sl_rule *rule,
		    const struct sl_gate *gate)
{
	SL_ALLOC_GROW(u->v, u->n + 1, u->alloc);
	SL_ALLOC_GROW(u->rules, u->n + 1, u->alloc_rules);
	u->v[u->n].rule = rule;
	u->v[u->n].gate = gate;
	u->v[u->n].input = false;
	u->v[u->n].lane = SL_NO_LANE;
	u->rules[u->n++] = rule;
}

static void report_unused(struct sl_cov *c, const struct use *u)
{
	const struct sl_gate *g = u->gate;
	struct sl_buf pat = SL_BUF_INIT;
	struct sl_finding *f;
	const char *lane = g && g->lane < c->rules->nlanes
			       ? c->rules->lanes[g->lane].name
			       : NULL;

	add_pattern(&pat, u->rule->text);
	if (u->lane != SL_NO_LANE)
		f = sl_cov_add(c->report, SL_FINDING_INPUT_UNMATCHED,
			       SL_SEVERITY_WARNING,
			       "pattern '%s' in the inputs of lane %s matches "
			       "no tracked file; fix it, or remove it",
			       pat.buf, c->rules->lanes[u->lane].name);
	else if (u->input)
		f = sl_cov_add(c->report, SL_FINDING_INPUT_UNMATCHED,
			       SL_SEVERITY_WARNING,
			       "pattern '%s' in the inputs of gate %s matches "
			       "no tracked file; fix it, or remove it",
			       pat.buf, g->name);
	else if (!g)
		f = sl_cov_add(c->report, SL_FINDING_RUN_ALL_UNMATCHED,
			       SL_SEVERITY_WARNING,
			       "run_all_on pattern '%s' matches no tracked "
			       "file; fix it, or remove it",
			       pat.buf);
	else if (g->kind == SL_GATE_CONTRACT)
		f = sl_cov_add(c->report, SL_FINDING_WHEN_UNMATCHED,
			       SL_SEVERITY_WARNING,
			       "pattern '%s' in the when of gate %s matches no "
			       "tracked file; fix it, or remove it",
			       pat.buf, g->name);
	else if (g->kind == SL_GATE_LOCAL)
		f = sl_cov_add(c->report, SL_FINDING_WHEN_UNMATCHED,
			       SL_SEVERITY_WARNING,
			       "pattern '%s' in the when of gate %s matches no "
			       "file of lane %s, whose changes are all it "
			       "sees; fix it, or remove it",
			       pat.buf, g->name, lane);
	else
		f = sl_cov_add(c->report, SL_FINDING_WHEN_UNMATCHED,
			       SL_SEVERITY_WARNING,
			       "pattern '%s' in the when of smoke gate %s "
			       "matches no file of the lanes %s consumes, "
			       "whose changes are all it sees; fix it, or "
			       "remove it",
			       pat.buf, g->name, lane);
	f->file = c->rules->file;
	f->pos = u->rule->pos;
	f->rule = u->rule;
	f->gate = g;
	f->lane = g ? g->lane : u->lane;
	sl_buf_release(&pat);
}

/* Tests the patterns of u among the paths idx[0..m), reports the unused
 * ones and empties u. Nothing is reported among no paths: the gate's own
 * finding says that nothing can select it. */
static int check_uses(struct sl_cov *c, struct use_list *u, const size_t *idx,
		      size_t m, struct sl_error *err)
{
	size_t *hit, k;
	int ret;

	if (!u->n || !m) {
		u->n = 0;
		return 0;
	}
	hit = sl_xmalloc(sl_st_mult(u->n, sizeof(*hit)));
	for (k = 0; k < u->n; k++)
		hit[k] = SIZE_MAX;
	ret = sl_cov_hits(hit, u->rules, u->n, c->paths, idx, m, err);
	for (k = 0; k < u->n && !ret; k++)
		if (hit[k] == SIZE_MAX)
			report_unused(c, &u->v[k]);
	free(hit);
	u->n = 0;
	return ret;
}

static void add_whens(struct use_list *u, const struct sl_rules *rules,
		      enum sl_gate_kind kind, size_t lane)
{
	const struct sl_gate *g;
	size_t i, k;

	for (i = 0; i < rules->ngates; i++) {
		g = &rules->gates[i];
		if (g->kind != kind ||
		    (kind != SL_GATE_CONTRACT && g->lane != lane))
			continue;
		for (k = 0; k < g->when.n; k++)
			use_add(u, &g->when.items[k], g);
	}
}

/*
 * The paths of the lanes that lane consumes, into idx; returns how many.
 * When one of them has `inputs`, the paths they name reach its consumers
 * too: every path then, a superset that spares a false warning.
 */
static size_t upstream_paths(size_t *idx, const struct sl_cov *c, size_t lane,
			     size_t *up, bool *seen)
{
	size_t i, n = sl_cov_upstream(up, seen, c->rules, lane), m = 0;
	size_t from, count;

	for (i = 0; i < n; i++)
		if (c->rules->lanes[up[i]].inputs.n) {
			memcpy(idx, c->by_lane, c->n * sizeof(*idx));
			return c->n;
		}
	for (i = 0; i < n; i++) {
		from = c->lane_start[up[i]];
		count = c->lane_start[up[i] + 1] - from;
		memcpy(idx + m, c->by_lane + from, count * sizeof(*idx));
		m += count;
	}
	return m;
}

int sl_cov_unused_patterns(struct sl_cov *c, struct sl_error *err)
{
	const struct sl_rules *rules = c->rules;
	struct use_list u = {NULL, NULL, 0, 0, 0};
	size_t *idx = sl_xmalloc(sl_st_mult(c->n + 1, sizeof(*idx)));
	size_t *up = sl_xcalloc(rules->nlanes + 1, sizeof(*up));
	bool *seen = sl_xcalloc(rules->nlanes + 1, sizeof(*seen));
	size_t lane, k, m;
	int ret;

	/* run_all_on and the contract gates see every change. */
	for (k = 0; k < rules->run_all_on.n; k++)
		use_add(&u, &rules->run_all_on.items[k], NULL);
	add_whens(&u, rules, SL_GATE_CONTRACT, SL_NO_LANE);
	/* So do every gate's inputs. */
	for (m = 0; m < rules->ngates; m++) {
		for (k = 0; k < rules->gates[m].inputs.n; k++) {
			use_add(&u, &rules->gates[m].inputs.items[k],
				&rules->gates[m]);
			u.v[u.n - 1].input = true;
		}
	}
	/* And every lane's. */
	for (m = 0; m < rules->nlanes; m++) {
		for (k = 0; k < rules->lanes[m].inputs.n; k++) {
			use_add(&u, &rules->lanes[m].inputs.items[k], NULL);
			u.v[u.n - 1].lane = m;
		}
	}
	ret = check_uses(c, &u, c->by_lane, c->n, err);
	for (lane = 0; lane < rules->nlanes && !ret; lane++) {
		/* A local gate sees its lane's changes (and those its
		 * lane's inputs name: among every path, then)... */
		add_whens(&u, rules, SL_GATE_LOCAL, lane);
		if (rules->lanes[lane].inputs.n)
			ret = check_uses(c, &u, c->by_lane, c->n, err);
		else
			ret = check_uses(
			    c, &u, c->by_lane + c->lane_start[lane],
			    c->lane_start[lane + 1] - c->lane_start[lane], err);
		if (ret)
			break;
		/* ...a smoke gate those of the lanes its lane consumes. */
		add_whens(&u, rules, SL_GATE_SMOKE, lane);
		m = u.n ? upstream_paths(idx, c, lane, up, seen) : 0;
		ret = check_uses(c, &u, idx, m, err);
	}
	free(u.v);
	free(u.rules);
	free(idx);
	free(up);
	free(seen);
	return ret;
}
