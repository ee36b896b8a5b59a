/*
 * ws_derive.c: the lanes a rules file's `workspaces` derive (SPEC.md §7),
 * added to the loaded rules once the manifests are read (sl_ws_derive()).
 * Each package becomes a lane owning its directory, consuming the lanes
 * of the packages it depends on, with the workspace's owners and its gate
 * templates filled in. A lane of the same name written under `lanes`
 * refines the derived one: it keeps its place in the file, its owners
 * (the workspace's when it names none), its paths after the package's
 * directory, its consumes after the derived ones, and its gates before
 * the templates'. Lanes that nothing refines come first, in the order of
 * the workspaces and their packages' directories, so that any written
 * lane's paths carve paths out of them, as later patterns do.
 */
#include "common/common.h"

#include "rules/load_internal.h"

/* One derived lane: a package of a workspace. */
struct derived {
	size_t w; /* its workspace entry */
	const struct sl_ws *ws;
	size_t pkg;
	size_t refines; /* the written lane of its name, or SL_NO_LANE */
	size_t lane;	/* its index in the new lanes */
};

struct deriver {
	struct sl_rules *rules;
	struct sl_error *err;
	struct derived *d;
	size_t nd, nfree;   /* derived lanes; those no written lane refines */
	size_t *first_of;   /* workspace -> its first package's index in d */
	size_t *at_lane;    /* new lane -> its derived index, or SIZE_MAX */
	size_t *new_of;	    /* written lane -> its new index */
	size_t *derived_of; /* written lane -> derived index, or SIZE_MAX */
	struct sl_lane *lanes;
	size_t nlanes;
	struct sl_rule_list rules_list;
	struct sl_gate *gates;
	const struct sl_gate **tmpl; /* per gate: its template, or NULL */
	size_t ngates;
	struct sl_strmap names;	  /* gate name -> index in gates */
	struct sl_strmap lane_ix; /* lane name -> its new index */
	const char **lane_list;	  /* every new lane's name, for suggestions */
};

/* ---- filling templates in ------------------------------------------- */

static char *fill(const char *text, const struct derived *d)
{
	const struct sl_ws_pkg *p = &d->ws->pkgs[d->pkg];
	struct sl_buf sb = SL_BUF_INIT;
	const char *c = text, *brace;

	/* Two thousand gates' names and commands: copied a span at a time
	 * from one '{' to the next. */
	while ((brace = strchr(c, '{'))) {
		sl_buf_add(&sb, c, (size_t)(brace - c));
		c = brace;
		if (!strncmp(c, "{lane}", 6)) {
			sl_buf_adds(&sb, p->lane);
			c += 6;
		} else if (!strncmp(c, "{path}", 6)) {
			sl_buf_adds(&sb, *p->dir ? p->dir : ".");
			c += 6;
		} else if (!strncmp(c, "{name}", 6)) {
			sl_buf_adds(&sb, p->name);
			c += 6;
		} else {
			sl_buf_addch(&sb, *c++);
		}
	}
	sl_buf_adds(&sb, c);
	return sl_buf_detach(&sb, NULL);
}

static int copy_when(struct sl_rule_list *out, const struct sl_rule_list *in,
		     struct sl_error *err)
{
	size_t i;
	int ret = 0;

	out->items = sl_xcalloc(in->n + 1, sizeof(*out->items));
	for (i = 0; i < in->n && !ret; i++) {
		out->items[i] = in->items[i];
		out->items[i].text = sl_xstrdup(in->items[i].text);
		out->items[i].pattern = NULL;
		out->n++;
		ret = sl_pattern_compile(&out->items[i].pattern,
					 in->items[i].text, err);
	}
	return ret;
}

static int instantiate(struct sl_gate *g, const struct sl_gate *t,
		       const struct derived *d, struct sl_error *err)
{
	size_t i;
	int ret;

	sl_gate_defaults(g, t->kind);
	g->name = fill(t->name, d);
	g->lane = d->lane;
	g->shell = t->shell ? fill(t->shell, d) : NULL;
	for (i = 0; i < t->argv.n; i++)
		sl_strvec_push_take(&g->argv, fill(t->argv.v[i], d));
	g->cwd = t->cwd ? fill(t->cwd, d) : NULL;
	g->env = sl_xcalloc(t->nenv + 1, sizeof(*g->env));
	for (i = 0; i < t->nenv; i++) {
		g->env[i].name = sl_xstrdup(t->env[i].name);
		g->env[i].value = fill(t->env[i].value, d);
	}
	g->nenv = t->nenv;
	g->timeout_ms = t->timeout_ms;
	g->retries = t->retries;
	g->overridable = t->overridable;
	for (i = 0; i < t->approvers.n; i++)
		sl_strvec_push(&g->approvers, t->approvers.v[i]);
	g->has_approvers = t->has_approvers;
	g->pos = t->pos;
	ret = copy_when(&g->when, &t->when, err);
	return ret ? ret : copy_when(&g->inputs, &t->inputs, err);
}

/* ---- the derived lanes ---------------------------------------------- */

static int collect(struct deriver *dv, struct sl_ws *const *ws)
{
	struct sl_rules *r = dv->rules;
	struct sl_strmap seen = {0};
	size_t w, p, n = 0, i;
	int ret = 0;

	for (w = 0; w < r->nworkspaces; w++)
		n += ws[w]->npkgs;
	dv->d = sl_xcalloc(n + 1, sizeof(*dv->d));
	dv->first_of = sl_xcalloc(r->nworkspaces + 1, sizeof(size_t));
	dv->derived_of = sl_xcalloc(r->nlanes + 1, sizeof(size_t));
	for (i = 0; i < r->nlanes; i++)
		dv->derived_of[i] = SIZE_MAX;
	for (w = 0; w < r->nworkspaces && !ret; w++) {
		dv->first_of[w] = dv->nd;
		for (p = 0; p < ws[w]->npkgs && !ret; p++) {
			struct derived *d = &dv->d[dv->nd];
			const char *lane = ws[w]->pkgs[p].lane;
			const struct sl_lane *written = sl_rules_lane(r, lane);
			uint64_t first = sl_strmap_put(&seen, lane, dv->nd);

			if (first != dv->nd) {
				ret = sl_error_set(
				    dv->err, SL_ERULES,
				    "%s:%u:%u: this workspace derives a lane "
				    "'%s' for '%s', as the workspace at line "
				    "%u "
				    "does for '%s'; write a lane of another "
				    "name for one of them, or give the "
				    "packages names apart",
				    r->file, r->workspaces[w].pos.line,
				    r->workspaces[w].pos.col, lane,
				    ws[w]->pkgs[p].manifest,
				    r->workspaces[dv->d[first].w].pos.line,
				    dv->d[first]
					.ws->pkgs[dv->d[first].pkg]
					.manifest);
				break;
			}
			d->w = w;
			d->ws = ws[w];
			d->pkg = p;
			d->refines =
			    written ? (size_t)(written - r->lanes) : SL_NO_LANE;
			if (written)
				dv->derived_of[d->refines] = dv->nd;
			else
				d->lane = dv->nfree++;
			dv->nd++;
		}
	}
	sl_strmap_release(&seen);
	dv->new_of = sl_xcalloc(r->nlanes + 1, sizeof(size_t));
	for (i = 0; i < r->nlanes; i++)
		dv->new_of[i] = dv->nfree + i;
	for (i = 0; i < dv->nd; i++)
		if (dv->d[i].refines != SL_NO_LANE)
			dv->d[i].lane = dv->new_of[dv->d[i].refines];
	dv->at_lane = sl_xcalloc(dv->nfree + r->nlanes + 1, sizeof(size_t));
	for (i = 0; i < dv->nfree + r->nlanes; i++)
		dv->at_lane[i] = SIZE_MAX;
	for (i = 0; i < dv->nd; i++)
		dv->at_lane[dv->d[i].lane] = i;
	dv->lane_list = sl_xcalloc(dv->nfree + r->nlanes + 1, sizeof(char *));
	for (i = 0; i < dv->nd; i++)
		dv->lane_list[dv->d[i].lane] =
		    dv->d[i].ws->pkgs[dv->d[i].pkg].lane;
	for (i = 0; i < r->nlanes; i++)
		dv->lane_list[dv->new_of[i]] = r->lanes[i].name;
	for (i = 0; i < dv->nfree + r->nlanes; i++)
		sl_strmap_put(&dv->lane_ix, dv->lane_list[i], i);
	return ret;
}

/* The lane of package pkg of d's workspace (a dependency of d's). Every
 * package of a workspace is derived, in order, from first_of[w] on. */
static size_t lane_of_pkg(const struct deriver *dv, const struct derived *d,
			  size_t pkg)
{
	return dv->d[dv->first_of[d->w] + pkg].lane;
}

/* Adds lane l to c[0..*k) unless it is there. */
static void add_once(size_t *c, size_t *k, size_t l)
{
	size_t j;

	for (j = 0; j < *k && c[j] != l; j++)
		;
	if (j == *k)
		c[(*k)++] = l;
}

/* A written `consumes` entry that names no lane, derived ones included. */
static int unknown_later(struct deriver *dv, const struct sl_lane *lane,
			 size_t i)
{
	const char *name = lane->later.v[i];
	const char *close =
	    sl_suggest(name, dv->lane_list, dv->nfree + dv->rules->nlanes);

	return sl_error_set(
	    dv->err, SL_ERULES,
	    "%s:%u:%u: lane '%s' consumes unknown lane '%s', which no lane "
	    "written or derived from the workspaces has%s%s%s",
	    dv->rules->file, lane->later_pos[i].line, lane->later_pos[i].col,
	    lane->name, name, close ? "; did you mean '" : "; remove it",
	    close ? close : "", close ? "'?" : "");
}

/*
 * The derived consumes of d, then the written ones of old in the order
 * written (its lanes mapped, the names only derived lanes have found),
 * each once.
 */
static int set_consumes(struct deriver *dv, struct sl_lane *lane,
			const struct derived *d, const struct sl_lane *old)
{
	const struct sl_ws_pkg *p = d ? &d->ws->pkgs[d->pkg] : NULL;
	size_t total = (p ? p->ndeps : 0), k = 0, i, j = 0;
	size_t *c;

	if (old)
		total += old->nconsumes + old->later.n;
	c = sl_xcalloc(total + 1, sizeof(size_t));
	lane->consumes = c;
	for (i = 0; p && i < p->ndeps; i++)
		add_once(c, &k, lane_of_pkg(dv, d, p->deps[i].to));
	lane->nderived = k;
	for (i = 0; old && i <= old->nconsumes; i++) {
		for (; j < old->later.n && old->later_at[j] == i; j++) {
			uint64_t l =
			    sl_strmap_get(&dv->lane_ix, old->later.v[j]);

			if (l == UINT64_MAX) {
				lane->nconsumes = k;
				return unknown_later(dv, old, j);
			}
			add_once(c, &k, (size_t)l);
		}
		if (i < old->nconsumes)
			add_once(c, &k, dv->new_of[old->consumes[i]]);
	}
	lane->nconsumes = k;
	return 0;
}

/* "/dir/": the package's directory as an anchored pattern. */
static char *dir_pattern(const char *dir)
{
	struct sl_buf sb = SL_BUF_INIT;
	const char *c;

	if (!*dir)
		return sl_xstrdup("/*");
	sl_buf_addch(&sb, '/');
	for (c = dir; *c; c++) {
		if (strchr("*?[\\", *c))
			sl_buf_addch(&sb, '\\');
		sl_buf_addch(&sb, *c);
	}
	sl_buf_addch(&sb, '/');
	return sl_buf_detach(&sb, NULL);
}

static int add_dir_rule(struct deriver *dv, struct sl_lane *lane,
			const struct derived *d)
{
	struct sl_rule *rule = &dv->rules_list.items[dv->rules_list.n++];
	const struct sl_ws_rule *w = &dv->rules->workspaces[d->w];

	memset(rule, 0, sizeof(*rule));
	rule->text = dir_pattern(d->ws->pkgs[d->pkg].dir);
	rule->lane = d->lane;
	rule->pos = w->pos;
	lane->nrules++;
	return sl_pattern_compile(&rule->pattern, rule->text, dv->err);
}

/* Fills the new lane at index l: derived d, written lane old, or both. */
static int build_lane(struct deriver *dv, size_t l, const struct derived *d,
		      size_t old)
{
	struct sl_rules *r = dv->rules;
	struct sl_lane *lane = &dv->lanes[l];
	size_t i;
	int ret = 0;

	if (old != SL_NO_LANE) {
		*lane = r->lanes[old];
		lane->consumes = NULL;
	} else {
		memset(lane, 0, sizeof(*lane));
		lane->name = sl_xstrdup(d->ws->pkgs[d->pkg].lane);
		lane->owners = (struct sl_strvec)SL_STRVEC_INIT;
		lane->pos = r->workspaces[d->w].pos;
	}
	if (d) {
		lane->manifest = sl_xstrdup(d->ws->pkgs[d->pkg].manifest);
		lane->workspace = d->w;
		if (!lane->owners.n)
			for (i = 0; i < r->workspaces[d->w].owners.n; i++)
				sl_strvec_push(&lane->owners,
					       r->workspaces[d->w].owners.v[i]);
	}
	ret = set_consumes(dv, lane, d,
			   old != SL_NO_LANE ? &r->lanes[old] : NULL);
	if (old != SL_NO_LANE) {
		free(r->lanes[old].consumes);
		lane->later = (struct sl_strvec)SL_STRVEC_INIT;
		lane->later_pos = NULL;
		lane->later_at = NULL;
		sl_strvec_release(&r->lanes[old].later);
		free(r->lanes[old].later_pos);
		free(r->lanes[old].later_at);
	}
	if (ret)
		return ret;
	lane->first_rule = dv->rules_list.n;
	lane->nrules = 0;
	if (d)
		ret = add_dir_rule(dv, lane, d);
	for (i = 0; !ret && old != SL_NO_LANE && i < r->lanes[old].nrules;
	     i++) {
		struct sl_rule *rule =
		    &dv->rules_list.items[dv->rules_list.n++];

		*rule = r->rules.items[r->lanes[old].first_rule + i];
		rule->lane = l;
		lane->nrules++;
		r->rules.items[r->lanes[old].first_rule + i].text = NULL;
		r->rules.items[r->lanes[old].first_rule + i].pattern = NULL;
	}
	return ret;
}

/* ---- gates ---------------------------------------------------------- */

/*
 * Gates a and b have one name, and one of them (at least) was filled in
 * from a template: the error is at that template (b's when both were).
 */
static int name_clash(struct deriver *dv, size_t a, size_t b)
{
	const struct sl_gate *t, *g, *o;

	if (!dv->tmpl[b]) {
		size_t x = a;

		a = b;
		b = x;
	}
	t = dv->tmpl[b];
	g = &dv->gates[b];
	o = &dv->gates[a];
	return sl_error_set(
	    dv->err, SL_ERULES,
	    "%s:%u:%u: gate template '%s' makes gate '%s' for lane %s, but "
	    "%s is already a gate of %s%s%s (line %u, column %u); put {lane} "
	    "or {name} in the template's name, or rename the other gate",
	    dv->rules->file, t->pos.line, t->pos.col, t->name, g->name,
	    dv->lanes[g->lane].name, g->name,
	    o->lane == SL_NO_LANE ? "" : "lane ",
	    o->lane == SL_NO_LANE ? "global" : dv->lanes[o->lane].name,
	    dv->tmpl[a] == t ? ", from the same template" : "", o->pos.line,
	    o->pos.col);
}

static int add_gate(struct deriver *dv, struct sl_gate *moved,
		    const struct sl_gate *t, const struct derived *d)
{
	struct sl_gate *g = &dv->gates[dv->ngates];
	uint64_t first;
	int ret = 0;

	if (moved) {
		*g = *moved;
		memset(moved, 0, sizeof(*moved));
	} else {
		ret = instantiate(g, t, d, dv->err);
	}
	dv->tmpl[dv->ngates++] = moved ? NULL : t;
	if (ret)
		return ret;
	first = sl_strmap_put(&dv->names, g->name, dv->ngates - 1);
	if (first != dv->ngates - 1)
		return name_clash(dv, (size_t)first, dv->ngates - 1);
	return 0;
}

/* Global gates, then each new lane's: its written gates, its templates. */
static int build_gates(struct deriver *dv, size_t total)
{
	struct sl_rules *r = dv->rules;
	size_t i, l;
	int ret = 0;

	dv->gates = sl_xcalloc(total + 1, sizeof(*dv->gates));
	dv->tmpl = sl_xcalloc(total + 1, sizeof(*dv->tmpl));
	for (i = 0; i < r->ngates && !ret; i++)
		if (r->gates[i].lane == SL_NO_LANE)
			ret = add_gate(dv, &r->gates[i], NULL, NULL);
	for (l = 0; l < dv->nlanes && !ret; l++) {
		size_t k = dv->at_lane[l];
		const struct derived *d = k == SIZE_MAX ? NULL : &dv->d[k];
		size_t old = l >= dv->nfree ? l - dv->nfree : SL_NO_LANE;

		for (i = 0; i < r->ngates && !ret && old != SL_NO_LANE; i++) {
			if (r->gates[i].lane != old || !r->gates[i].name)
				continue;
			r->gates[i].lane = l;
			ret = add_gate(dv, &r->gates[i], NULL, NULL);
		}
		for (i = 0; d && !ret && i < r->workspaces[d->w].ngates; i++)
			ret = add_gate(dv, NULL, &r->workspaces[d->w].gates[i],
				       d);
	}
	return ret;
}

static void deriver_release(struct deriver *dv)
{
	size_t i;

	free(dv->d);
	free(dv->first_of);
	free(dv->at_lane);
	free(dv->new_of);
	free(dv->derived_of);
	for (i = 0; i < dv->ngates; i++)
		sl_gate_release(&dv->gates[i]);
	free(dv->gates);
	free(dv->tmpl);
	for (i = 0; i < dv->nlanes; i++)
		sl_lane_release(&dv->lanes[i]);
	free(dv->lanes);
	sl_rule_list_release(&dv->rules_list);
	sl_strmap_release(&dv->names);
	sl_strmap_release(&dv->lane_ix);
	free(dv->lane_list);
}

/* Moves what dv built into the rules, and frees what it replaces. */
static void install(struct deriver *dv)
{
	struct sl_rules *r = dv->rules;
	size_t i;

	for (i = 0; i < r->ngates; i++)
		sl_gate_release(&r->gates[i]);
	free(r->gates);
	r->gates = dv->gates;
	r->ngates = dv->ngates;
	free(r->lanes); /* their contents moved into dv->lanes */
	r->lanes = dv->lanes;
	r->nlanes = dv->nlanes;
	sl_rule_list_release(&r->rules);
	r->rules = dv->rules_list;
	sl_owner_index_free(r->index);
	sl_owner_index_build(&r->index, &r->rules);
	r->derived = true;
	dv->gates = NULL;
	dv->ngates = 0;
	dv->lanes = NULL;
	dv->nlanes = 0;
	dv->rules_list = (struct sl_rule_list){0};
}

int sl_rules_derive(struct sl_rules *rules, struct sl_ws *const *ws,
		    struct sl_error *err)
{
	struct deriver dv = {.rules = rules, .err = err};
	size_t i, l, total = rules->ngates, nrules;
	int ret;

	if (rules->derived || !rules->nworkspaces)
		return 0;
	ret = collect(&dv, ws);
	dv.nlanes = dv.nfree + rules->nlanes;
	dv.lanes = sl_xcalloc(dv.nlanes + 1, sizeof(*dv.lanes));
	nrules = rules->rules.n + dv.nd;
	dv.rules_list.items = sl_xcalloc(nrules + 1, sizeof(struct sl_rule));
	for (i = 0, l = 0; !ret && i < dv.nd; i++)
		if (dv.d[i].refines == SL_NO_LANE)
			ret = build_lane(&dv, l++, &dv.d[i], SL_NO_LANE);
	for (i = 0; !ret && i < rules->nlanes; i++, l++) {
		size_t k = dv.derived_of[i];

		ret = build_lane(&dv, l, k == SIZE_MAX ? NULL : &dv.d[k], i);
		/* Its strings moved; only the old array is left to free. */
		memset(&rules->lanes[i], 0, sizeof(rules->lanes[i]));
	}
	if (ret) {
		/* Half moved: the rules cannot be used; leave them empty. */
		for (; i < rules->nlanes; i++)
			sl_lane_release(&rules->lanes[i]);
		rules->nlanes = 0;
		deriver_release(&dv);
		return ret;
	}
	for (i = 0; i < dv.nd; i++)
		total += rules->workspaces[dv.d[i].w].ngates;
	ret = build_gates(&dv, total);
	if (!ret)
		install(&dv);
	else
		rules->nlanes = 0;
	deriver_release(&dv);
	return ret;
}
