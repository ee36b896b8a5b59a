/*
 * format_explain.c: `sluice explain`, the answer to "why?". For a gate: was
 * it selected, and the full chain from each changed path that brought it
 * in, or the one reason it was not. For a path: its lane and owners, the
 * rule (file:line) that decided it under the trusted rules (and the head's,
 * when the change edits them), and whether this diff touches it.
 */
#include "common/common.h"

#include "selector/internal.h"

static void explain_gate(struct sl_buf *out, const struct sl_plan *plan,
			 const struct sl_pick *p)
{
	const struct sl_gate *g = p->gate;
	size_t i;

	sl_buf_addf(out, "gate %s (%s", g->name, sl_gate_kind_name(g->kind));
	if (g->lane != SL_NO_LANE)
		sl_buf_addf(out, ", lane %s", p->rules->lanes[g->lane].name);
	sl_buf_adds(out, ", ");
	sl_buf_adds_safe(out, p->rules->file);
	sl_buf_addf(out, ":%u): %s\n", g->pos.line,
		    p->selected ? "selected" : "not selected");
	/* Reasons name paths, owners and patterns are the rules' values:
	 * none reaches a terminal raw (sl_buf_add_safe()). */
	for (i = 0; i < p->reasons.n; i++) {
		sl_buf_adds(out, "  ");
		sl_buf_adds_safe(out, p->reasons.v[i]);
		sl_buf_addch(out, '\n');
	}
	if (p->more_reasons)
		sl_buf_addf(out, "  ... and %zu more\n", p->more_reasons);
	if (p->selected && p->by == SL_BY_HEAD && p->rules == plan->rules)
		sl_buf_adds(out, "  (selected by the head's rules; runs as "
				 "the trusted copy defines it)\n");
}

static void owners_list(struct sl_buf *out, const struct sl_lane *lane)
{
	size_t i;

	if (!lane->owners.n) {
		sl_buf_adds(out, "no owners");
		return;
	}
	sl_buf_adds(out, "owners ");
	for (i = 0; i < lane->owners.n; i++) {
		sl_buf_adds(out, i ? ", " : "");
		sl_buf_adds_safe(out, lane->owners.v[i]);
	}
}

/* Which inputs explain_inputs() looks at. */
#define INPUTS_OF_GATES 1u
#define INPUTS_OF_LANES 2u

/*
 * The gates whose inputs name path (a change to it selects each), then
 * the lanes (a change to it touches each), as which says. Returns how
 * many there are (out NULL: only counts them).
 */
static int explain_inputs(struct sl_buf *out, const struct sl_rules *rules,
			  const char *label, const char *path, unsigned flags,
			  unsigned which, struct sl_error *err)
{
	size_t g, k, nholders = rules->ngates + rules->nlanes;
	int ret, n = 0;

	for (g = 0; g < nholders; g++) {
		bool lane = g >= rules->ngates;
		const struct sl_rule_list *in =
		    lane ? &rules->lanes[g - rules->ngates].inputs
			 : &rules->gates[g].inputs;

		if (!(which & (lane ? INPUTS_OF_LANES : INPUTS_OF_GATES)))
			continue;
		for (k = 0; k < in->n; k++) {
			ret = sl_pattern_match(in->items[k].pattern, path,
					       strlen(path), flags, err);
			if (ret < 0)
				return ret;
			if (!ret)
				continue;
			n++;
			if (!out)
				break;
			sl_buf_addf(out, "  %sinput '", label);
			sl_buf_adds_safe(out, in->items[k].text);
			sl_buf_addf(out, "' of %s %s (", lane ? "lane" : "gate",
				    lane ? rules->lanes[g - rules->ngates].name
					 : rules->gates[g].name);
			sl_buf_adds_safe(out, rules->file);
			sl_buf_addf(out, ":%u:%u): a change to it %s\n",
				    in->items[k].pos.line, in->items[k].pos.col,
				    lane ? "touches that lane, as a change "
					   "to its paths does"
					 : "selects that gate");
			break;
		}
	}
	return n;
}

/*
 * flags as selection matched the name (SL_MATCH_DIR for a submodule the
 * diff touched), so that the answer is the lane selection used.
 */
static int explain_owner(struct sl_buf *out, const struct sl_rules *rules,
			 const char *label, const char *path, unsigned flags,
			 struct sl_error *err)
{
	const struct sl_rule *rule, *all = NULL;
	int ret = sl_rules_owner(&rule, rules, path, strlen(path), flags, err);
	size_t i;

	for (i = 0; !ret && !all && i < rules->run_all_on.n; i++) {
		ret = sl_pattern_match(rules->run_all_on.items[i].pattern, path,
				       strlen(path), flags, err);
		if (ret > 0)
			all = &rules->run_all_on.items[i];
	}
	if (ret < 0)
		return ret;
	if (all) {
		/* What a change to it selects: every gate, owned or not. */
		sl_buf_addf(out, "  %srun_all_on '", label);
		sl_buf_adds_safe(out, all->text);
		sl_buf_adds(out, "' (");
		sl_buf_adds_safe(out, rules->file);
		sl_buf_addf(out, ":%u:%u): a change to it runs every gate\n",
			    all->pos.line, all->pos.col);
	}
	sl_buf_addf(out, "  %s", label);
	if (!rule && all) {
		sl_buf_adds(out, "owned by no lane (covered by run_all_on)\n");
		return 0;
	}
	ret = rule ? 0
		   : explain_inputs(NULL, rules, "", path, flags,
				    INPUTS_OF_GATES, err);
	if (ret < 0)
		return ret;
	if (ret) {
		sl_buf_adds(out, "owned by no lane (covered by gate inputs)\n");
		return 0;
	}
	ret = rule ? 0
		   : explain_inputs(NULL, rules, "", path, flags,
				    INPUTS_OF_LANES, err);
	if (ret < 0)
		return ret;
	if (ret) {
		sl_buf_adds(out, "owned by no lane (covered by lane inputs)\n");
		return 0;
	}
	if (!rule) {
		sl_buf_adds(out, "owned by no lane (");
		sl_buf_adds(out, rules->unowned == SL_UNOWNED_RUN_ALL
				     ? "unowned: run-all"
				 : rules->unowned == SL_UNOWNED_GLOBAL_ONLY
				     ? "unowned: global-only"
				     : "unowned: fail");
		sl_buf_adds(out, ")\n");
		return 0;
	}
	sl_buf_addf(out, "lane %s, ", rules->lanes[rule->lane].name);
	owners_list(out, &rules->lanes[rule->lane]);
	sl_buf_adds(out, "; decided by ");
	sl_buf_adds_safe(out, rules->file);
	sl_buf_addf(out, ":%u:%u '", rule->pos.line, rule->pos.col);
	sl_buf_adds_safe(out, rule->text);
	sl_buf_addch(out, '\'');
	if (rules->lanes[rule->lane].manifest) {
		sl_buf_adds(out, " (derived from ");
		sl_buf_adds_safe(out, rules->lanes[rule->lane].manifest);
		sl_buf_addch(out, ')');
	}
	sl_buf_addch(out, '\n');
	return 0;
}

static const struct sl_change_name *find_name(const struct sl_plan *plan,
					      const char *path)
{
	size_t i, len = strlen(path);

	for (i = 0; i < plan->nnames; i++)
		if (plan->names[i].len == len &&
		    !memcmp(plan->names[i].path, path, len))
			return &plan->names[i];
	return NULL;
}

static int explain_path(struct sl_buf *out, const struct sl_plan *plan,
			const char *path, struct sl_error *err)
{
	const struct sl_change_name *name = find_name(plan, path);
	unsigned flags = name ? plan->touched[name - plan->names].flags : 0;
	int ret;

	sl_buf_adds(out, "path ");
	sl_buf_add_quoted_path(out, path, strlen(path));
	sl_buf_addch(out, '\n');
	ret = explain_owner(out, plan->rules, "", path, flags, err);
	if (!ret)
		ret = explain_inputs(out, plan->rules, "", path, flags,
				     INPUTS_OF_GATES | INPUTS_OF_LANES, err);
	if (ret >= 0 && plan->head_rules)
		ret = explain_owner(out, plan->head_rules, "head rules: ", path,
				    flags, err);
	if (ret >= 0 && plan->head_rules)
		ret = explain_inputs(out, plan->head_rules,
				     "head rules: ", path, flags,
				     INPUTS_OF_GATES | INPUTS_OF_LANES, err);
	if (ret < 0)
		return ret;
	if (name)
		sl_buf_addf(out, "  changed in this diff (%s%s)\n",
			    sl_change_status_name(name->change->status),
			    name->is_old_name ? ", its old name" : "");
	else
		sl_buf_adds(out, "  not changed in this diff\n");
	return 0;
}

int sl_plan_explain(struct sl_buf *out, const struct sl_plan *plan,
		    char *const *args, size_t nargs, struct sl_error *err)
{
	const struct sl_selection *sel = plan->selection;
	size_t i;
	int ret = 0;

	if (sel->run_all && !nargs) {
		sl_buf_adds(out, "run-all: every gate runs\n");
		for (i = 0; i < sel->run_all_reasons.n; i++) {
			sl_buf_adds(out, "  ");
			sl_buf_adds_safe(out, sel->run_all_reasons.v[i]);
			sl_buf_addch(out, '\n');
		}
	}
	if (!nargs)
		sl_plan_write_workspaces(out, plan);
	for (i = 0; !nargs && i < sel->npicks; i++)
		explain_gate(out, plan, &sel->picks[i]);
	for (i = 0; i < nargs && !ret; i++) {
		const struct sl_pick *p = sl_selection_find(sel, args[i]);

		if (p)
			explain_gate(out, plan, p);
		else
			ret = explain_path(out, plan, args[i], err);
	}
	return ret;
}
