/*
 * format_select.c: `sluice select`'s outputs. Text for a person at a
 * terminal (base and head, then the selected gates grouped by kind with the
 * chains that brought each in, then the rest with why not); JSON for tools
 * (docs/formats.md); a GitHub Actions matrix; a GitLab CI child pipeline
 * whose jobs each run one gate with `sluice run --gate`. Nothing prints.
 */
#include "common/common.h"

#include <jansson.h>

#include "selector/select.h"

/* Reasons shown per gate in text; JSON carries up to SL_REASONS_MAX. */
#define TEXT_REASONS 3

static const char *const kind_titles[] = {"contract gates", "local gates",
					  "consumer-smoke gates"};

int sl_select_format_parse(enum sl_select_format *out, const char *name)
{
	static const char *const names[] = {"text", "json", "github-matrix",
					    "gitlab-ci"};
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(names); i++) {
		if (!strcmp(names[i], name)) {
			*out = (enum sl_select_format)i;
			return 0;
		}
	}
	return -1;
}

static const char *lane_name(const struct sl_pick *pick)
{
	const struct sl_gate *g = pick->gate;

	return g->lane == SL_NO_LANE ? NULL : pick->rules->lanes[g->lane].name;
}

/* ---- text ------------------------------------------------------------ */

static void text_header(struct sl_buf *out, const struct sl_plan *plan)
{
	const struct sl_diff *d = plan->diff;

	if (d->degraded)
		sl_buf_addf(out, "base  unavailable: %s\n", d->degraded_reason);
	else
		sl_buf_addf(out, "base  %s  %.12s  (from %s)\n",
			    d->base_rev ? d->base_rev : "", d->base,
			    sl_base_source_name(d->base_source));
	if (*d->merge_base && strcmp(d->merge_base, d->base))
		sl_buf_addf(out, "      diff from the merge-base %.12s\n",
			    d->merge_base);
	sl_buf_addf(out, "head  %s  %.12s%s\n", d->head_rev, d->head,
		    d->worktree ? "  + the working copy" : "");
	sl_buf_addf(out, "rules %s%s\n", plan->rules_source,
		    plan->rules_changed
			? "  (this change edits them: the union of both "
			  "copies is selected)"
			: "");
	sl_buf_addf(out, "%zu changed path%s; %zu of %zu gates selected\n",
		    plan->nnames, plan->nnames == 1 ? "" : "s",
		    plan->selection->nselected, plan->selection->npicks);
}

static void text_reasons(struct sl_buf *out, const struct sl_pick *pick,
			 size_t width)
{
	size_t i, shown = pick->reasons.n < TEXT_REASONS ? pick->reasons.n
							 : TEXT_REASONS;
	size_t rest = pick->reasons.n - shown + pick->more_reasons;

	for (i = 0; i < shown; i++)
		sl_buf_addf(out, "%*s%s\n", i ? (int)width + 4 : 0, "",
			    pick->reasons.v[i]);
	if (rest)
		sl_buf_addf(out, "%*s... and %zu more\n", (int)width + 4, "",
			    rest);
	if (!shown)
		sl_buf_addch(out, '\n');
}

static size_t name_width(const struct sl_selection *sel)
{
	size_t i, w = 0;

	for (i = 0; i < sel->npicks; i++)
		if (strlen(sel->picks[i].gate->name) > w)
			w = strlen(sel->picks[i].gate->name);
	return w;
}

static void text_kind(struct sl_buf *out, const struct sl_selection *sel,
		      enum sl_gate_kind kind, size_t width)
{
	bool titled = false;
	size_t i;

	for (i = 0; i < sel->npicks; i++) {
		const struct sl_pick *p = &sel->picks[i];

		if (!p->selected || p->gate->kind != kind)
			continue;
		if (!titled)
			sl_buf_addf(out, "\n%s\n", kind_titles[kind]);
		titled = true;
		sl_buf_addf(out, "  %-*s  ", (int)width, p->gate->name);
		text_reasons(out, p, width);
	}
}

static void write_text(struct sl_buf *out, const struct sl_plan *plan)
{
	const struct sl_selection *sel = plan->selection;
	size_t width = name_width(sel), i;
	bool titled = false;

	text_header(out, plan);
	if (sel->run_all) {
		sl_buf_adds(out, "\nrun-all: every gate runs\n");
		for (i = 0; i < sel->run_all_reasons.n; i++)
			sl_buf_addf(out, "  %s\n", sel->run_all_reasons.v[i]);
		if (sel->run_all_more)
			sl_buf_addf(out, "  ... and %zu more\n",
				    sel->run_all_more);
	}
	for (i = 0; i < SL_ARRAY_SIZE(kind_titles); i++)
		text_kind(out, sel, (enum sl_gate_kind)i, width);
	for (i = 0; i < sel->npicks; i++) {
		const struct sl_pick *p = &sel->picks[i];

		if (p->selected)
			continue;
		if (!titled)
			sl_buf_adds(out, "\nnot selected\n");
		titled = true;
		sl_buf_addf(out, "  %-*s  %s\n", (int)width, p->gate->name,
			    p->reasons.n ? p->reasons.v[0] : "");
	}
}

/* ---- JSON ------------------------------------------------------------ */

static json_t *text_or_null(const char *s)
{
	return s ? sl_json_text(s, strlen(s)) : json_null();
}

static json_t *strvec_json(const struct sl_strvec *sv)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < sv->n; i++)
		sl_json_append(arr, sl_json_text(sv->v[i], strlen(sv->v[i])));
	return arr;
}

static json_t *changed_json(const struct sl_plan *plan, size_t i)
{
	const struct sl_change_name *name = &plan->names[i];
	const struct sl_change *c = name->change;
	const struct sl_rule *owner = plan->selection->owner[i];
	json_t *obj = json_object();

	sl_json_set_path(obj, "path", name->path, name->len);
	sl_json_set(obj, "status",
		    json_string(sl_change_status_name(c->status)));
	sl_json_set(obj, "lane",
		    owner ? json_string(plan->rules->lanes[owner->lane].name)
			  : json_null());
	if (c->status == SL_CHANGE_RENAMED && name->is_old_name)
		sl_json_set_path(obj, "renamed_to", c->path, c->len);
	else if (c->status == SL_CHANGE_RENAMED)
		sl_json_set_path(obj, "renamed_from", c->old_path, c->old_len);
	if (c->submodule)
		sl_json_set(obj, "submodule", json_true());
	return obj;
}

static json_t *pick_json(const struct sl_pick *p)
{
	json_t *obj = json_object(), *by = json_array();

	sl_json_set(obj, "name", json_string(p->gate->name));
	sl_json_set(obj, "kind", json_string(sl_gate_kind_name(p->gate->kind)));
	sl_json_set(obj, "lane", text_or_null(lane_name(p)));
	if (!p->selected) {
		sl_json_set(
		    obj, "reason",
		    text_or_null(p->reasons.n ? p->reasons.v[0] : NULL));
		json_decref(by);
		return obj;
	}
	sl_json_set(obj, "reasons", strvec_json(&p->reasons));
	sl_json_set(obj, "reasons_omitted",
		    json_integer((json_int_t)p->more_reasons));
	if (p->by & SL_BY_BASE)
		sl_json_append(by, json_string("base"));
	if (p->by & SL_BY_HEAD)
		sl_json_append(by, json_string("head"));
	sl_json_set(obj, "selected_by", by);
	return obj;
}

static json_t *id_or_null(const char *id)
{
	return *id ? json_string(id) : json_null();
}

static json_t *plan_json(const struct sl_plan *plan)
{
	const struct sl_selection *sel = plan->selection;
	const struct sl_diff *d = plan->diff;
	json_t *root = json_object(), *changed = json_array(),
	       *gates = json_array(), *skipped = json_array();
	size_t i;

	sl_json_set(root, "schema", json_string("sluice.selection/1"));
	sl_json_set(root, "base", id_or_null(d->base));
	sl_json_set(root, "head", json_string(d->head));
	sl_json_set(root, "merge_base", id_or_null(d->merge_base));
	sl_json_set(root, "base_ref", text_or_null(d->base_rev));
	sl_json_set(root, "base_source",
		    json_string(sl_base_source_name(d->base_source)));
	sl_json_set(root, "worktree", json_boolean(d->worktree));
	sl_json_set(root, "rules", text_or_null(plan->rules_source));
	sl_json_set(root, "rules_blob", id_or_null(plan->rules_blob));
	sl_json_set(root, "rules_changed", json_boolean(plan->rules_changed));
	sl_json_set(root, "run_all", json_boolean(sel->run_all));
	sl_json_set(root, "run_all_reasons",
		    strvec_json(&sel->run_all_reasons));
	sl_json_set(root, "degraded", text_or_null(d->degraded));
	if (d->degraded)
		sl_json_set(root, "degraded_reason",
			    text_or_null(d->degraded_reason));
	for (i = 0; i < plan->nnames; i++)
		sl_json_append(changed, changed_json(plan, i));
	for (i = 0; i < sel->npicks; i++)
		sl_json_append(sel->picks[i].selected ? gates : skipped,
			       pick_json(&sel->picks[i]));
	sl_json_set(root, "changed", changed);
	sl_json_set(root, "gates", gates);
	sl_json_set(root, "not_selected", skipped);
	return root;
}

static void dump(struct sl_buf *out, json_t *root, size_t flags)
{
	char *text = json_dumps(root, flags | JSON_PRESERVE_ORDER);

	if (!text) {
		fprintf(stderr, "sluice: out of memory (writing JSON)\n");
		abort();
	}
	sl_buf_adds(out, text);
	sl_buf_addch(out, '\n');
	free(text);
	json_decref(root);
}

/* ---- CI fan-out ------------------------------------------------------ */

static void write_github_matrix(struct sl_buf *out, const struct sl_plan *plan)
{
	const struct sl_selection *sel = plan->selection;
	json_t *root = json_object(), *include = json_array();
	size_t i;

	for (i = 0; i < sel->npicks; i++) {
		const struct sl_pick *p = &sel->picks[i];
		json_t *job;

		if (!p->selected)
			continue;
		job = json_object();
		sl_json_set(job, "gate", json_string(p->gate->name));
		sl_json_set(job, "kind",
			    json_string(sl_gate_kind_name(p->gate->kind)));
		sl_json_set(job, "lane", text_or_null(lane_name(p)));
		sl_json_append(include, job);
	}
	sl_json_set(root, "include", include);
	dump(out, root, JSON_COMPACT);
}

/* The selection options a shard's `sluice run` needs to select the same. */
static void run_args(struct sl_buf *out, const struct sl_plan *plan)
{
	const struct sl_diff *d = plan->diff;

	if (*d->base)
		sl_buf_addf(out, " --base %s", d->base);
	else
		sl_buf_adds(out, " --if-missing-base=run-all");
	sl_buf_addf(out, " --head %s", d->head);
	/*
	 * When the diff's old side is the base itself, base..head is that
	 * diff whether or not the base is an ancestor of the head.
	 */
	if (*d->base && !strcmp(d->base, d->merge_base))
		sl_buf_adds(out, " --no-merge-base");
}

static void gitlab_job(struct sl_buf *out, const char *gate,
		       const struct sl_buf *args)
{
	sl_buf_addf(
	    out,
	    "\n%s:\n"
	    "  stage: gates\n"
	    "  needs: []\n"
	    "  script:\n"
	    "    - sluice run --gate %s%s --json sluice-results/%s.json "
	    "--junit sluice-results/%s.xml\n"
	    "  artifacts:\n"
	    "    when: always\n"
	    "    paths: [sluice-results/]\n"
	    "    reports:\n"
	    "      junit: sluice-results/%s.xml\n",
	    gate, gate, args->buf, gate, gate, gate);
}

static void write_gitlab_ci(struct sl_buf *out, const struct sl_plan *plan)
{
	const struct sl_selection *sel = plan->selection;
	struct sl_buf args = SL_BUF_INIT;
	size_t i;

	run_args(&args, plan);
	sl_buf_addf(out,
		    "# A GitLab CI child pipeline written by `sluice select "
		    "--format gitlab-ci`:\n# one job per selected gate "
		    "(%zu of %zu) for head %s.\n"
		    "stages: [gates]\n"
		    "variables:\n"
		    "  # Each job selects again: it needs the base commit.\n"
		    "  GIT_DEPTH: \"0\"\n",
		    sel->nselected, sel->npicks, plan->diff->head);
	for (i = 0; i < sel->npicks; i++)
		if (sel->picks[i].selected)
			gitlab_job(out, sel->picks[i].gate->name, &args);
	/* GitLab refuses a pipeline without jobs: say so in one. */
	if (!sel->nselected)
		sl_buf_adds(out, "\nsluice-nothing-selected:\n"
				 "  stage: gates\n"
				 "  script:\n"
				 "    - echo 'sluice selected no gate for this "
				 "change'\n");
	sl_buf_release(&args);
}

void sl_plan_write(struct sl_buf *out, const struct sl_plan *plan,
		   enum sl_select_format format)
{
	switch (format) {
	case SL_FORMAT_TEXT:
		write_text(out, plan);
		break;
	case SL_FORMAT_JSON:
		dump(out, plan_json(plan), JSON_INDENT(2));
		break;
	case SL_FORMAT_GITHUB_MATRIX:
		write_github_matrix(out, plan);
		break;
	case SL_FORMAT_GITLAB_CI:
		write_gitlab_ci(out, plan);
		break;
	}
}
