/*
 * format_select.c: `sluice select`'s outputs. Text for a person at a
 * terminal (base and head, then the selected gates grouped by kind with the
 * chains that brought each in, then the rest with why not); JSON for tools
 * (docs/formats.md); a GitHub Actions matrix; a GitLab CI child pipeline
 * whose jobs each run one gate with `sluice run --gate`. Nothing prints.
 */
#include "common/common.h"

#include <jansson.h>

#include "selector/selector.h"

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

/*
 * A line of text output holds what came from input (paths in reasons, a
 * revision as given, a rules file's name): each such value goes through
 * sl_buf_add_safe(), so no control byte reaches a terminal raw.
 */
static void add_safe(struct sl_buf *out, const char *s)
{
	sl_buf_adds_safe(out, s ? s : "");
}

static void text_header(struct sl_buf *out, const struct sl_plan *plan)
{
	const struct sl_diff *d = plan->diff;

	if (d->degraded) {
		sl_buf_adds(out, "base  unavailable: ");
		add_safe(out, d->degraded_reason);
		sl_buf_addch(out, '\n');
	} else {
		sl_buf_adds(out, "base  ");
		add_safe(out, d->base_rev);
		sl_buf_addf(out, "  %.12s  (from %s)\n", d->base,
			    sl_base_source_name(d->base_source));
	}
	if (*d->merge_base && strcmp(d->merge_base, d->base))
		sl_buf_addf(out, "      diff from the merge-base %.12s\n",
			    d->merge_base);
	sl_buf_adds(out, "head  ");
	add_safe(out, d->head_rev);
	sl_buf_addf(out, "  %.12s%s\n", d->head,
		    d->worktree ? "  + the working copy" : "");
	sl_buf_adds(out, "rules ");
	add_safe(out, plan->rules_source);
	sl_buf_addf(out, "%s\n",
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

	for (i = 0; i < shown; i++) {
		sl_buf_addf(out, "%*s", i ? (int)width + 4 : 0, "");
		add_safe(out, pick->reasons.v[i]);
		sl_buf_addch(out, '\n');
	}
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
		for (i = 0; i < sel->run_all_reasons.n; i++) {
			sl_buf_adds(out, "  ");
			add_safe(out, sel->run_all_reasons.v[i]);
			sl_buf_addch(out, '\n');
		}
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
		sl_buf_addf(out, "  %-*s  ", (int)width, p->gate->name);
		add_safe(out, p->reasons.n ? p->reasons.v[0] : "");
		sl_buf_addch(out, '\n');
	}
}

/* ---- JSON ------------------------------------------------------------ */

static void strvec_write(struct sl_json_writer *w, const struct sl_strvec *sv)
{
	size_t i;

	sl_jw_array(w);
	for (i = 0; i < sv->n; i++)
		sl_jw_str(w, sv->v[i]);
	sl_jw_end(w, ']');
}

static void changed_write(struct sl_json_writer *w, const struct sl_plan *plan,
			  size_t i)
{
	const struct sl_change_name *name = &plan->names[i];
	const struct sl_change *c = name->change;
	const struct sl_rule *owner = plan->selection->owner[i];

	sl_jw_object(w);
	sl_jw_path(w, "path", name->path, name->len);
	sl_jw_key(w, "status");
	sl_jw_str(w, sl_change_status_name(c->status));
	sl_jw_key(w, "lane");
	sl_jw_str(w, owner ? plan->rules->lanes[owner->lane].name : NULL);
	if (c->status == SL_CHANGE_RENAMED && name->is_old_name)
		sl_jw_path(w, "renamed_to", c->path, c->len);
	else if (c->status == SL_CHANGE_RENAMED)
		sl_jw_path(w, "renamed_from", c->old_path, c->old_len);
	if (c->submodule) {
		sl_jw_key(w, "submodule");
		sl_jw_bool(w, true);
	}
	sl_jw_end(w, '}');
}

static void pick_write(struct sl_json_writer *w, const struct sl_pick *p,
		       const struct sl_pick *same_run_as)
{
	sl_jw_object(w);
	sl_jw_key(w, "name");
	sl_jw_str(w, p->gate->name);
	sl_jw_key(w, "kind");
	sl_jw_str(w, sl_gate_kind_name(p->gate->kind));
	sl_jw_key(w, "lane");
	sl_jw_str(w, lane_name(p));
	if (!p->selected) {
		sl_jw_key(w, "reason");
		sl_jw_str(w, p->reasons.n ? p->reasons.v[0] : NULL);
		sl_jw_end(w, '}');
		return;
	}
	sl_jw_key(w, "reasons");
	strvec_write(w, &p->reasons);
	sl_jw_key(w, "reasons_omitted");
	sl_jw_int(w, (int64_t)p->more_reasons);
	sl_jw_key(w, "selected_by");
	sl_jw_array(w);
	if (p->by & SL_BY_BASE)
		sl_jw_str(w, "base");
	if (p->by & SL_BY_HEAD)
		sl_jw_str(w, "head");
	sl_jw_end(w, ']');
	if (same_run_as != p) {
		sl_jw_key(w, "same_run_as");
		sl_jw_str(w, same_run_as->gate->name);
	}
	sl_jw_end(w, '}');
}

static const char *id_or_null(const char *id)
{
	return *id ? id : NULL;
}

/* The pick whose run stands for pick i: itself without same_run. */
static const struct sl_pick *run_of(const struct sl_selection *sel,
				    const size_t *same_run, size_t i)
{
	return &sel->picks[same_run ? same_run[i] : i];
}

static void picks_write(struct sl_json_writer *w,
			const struct sl_selection *sel, bool selected,
			const size_t *same_run)
{
	size_t i;

	sl_jw_key(w, selected ? "gates" : "not_selected");
	sl_jw_array(w);
	for (i = 0; i < sel->npicks; i++)
		if (sel->picks[i].selected == selected)
			pick_write(w, &sel->picks[i], run_of(sel, same_run, i));
	sl_jw_end(w, ']');
}

/* For each pick, the gates its run stands for besides its own, joined by
 * spaces (empty for none): one pass, however many gates. Caller releases
 * each of sel->npicks buffers and frees the array. */
static struct sl_buf *others_all(const struct sl_selection *sel,
				 const size_t *same_run)
{
	struct sl_buf *also = sl_xcalloc(sel->npicks + 1, sizeof(*also));
	size_t k;

	for (k = 0; k < sel->npicks; k++)
		sl_buf_init(&also[k], 0);
	for (k = 0; same_run && k < sel->npicks; k++) {
		struct sl_buf *b = &also[same_run[k]];

		if (same_run[k] == k)
			continue;
		if (b->len)
			sl_buf_addch(b, ' ');
		sl_buf_adds(b, sel->picks[k].gate->name);
	}
	return also;
}

static void others_free(struct sl_buf *also, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		sl_buf_release(&also[k]);
	free(also);
}

static void head_write(struct sl_json_writer *w, const struct sl_plan *plan)
{
	const struct sl_diff *d = plan->diff;

	sl_jw_key(w, "schema");
	sl_jw_str(w, "sluice.selection/1");
	sl_jw_key(w, "base");
	sl_jw_str(w, id_or_null(d->base));
	sl_jw_key(w, "head");
	sl_jw_str(w, d->head);
	sl_jw_key(w, "merge_base");
	sl_jw_str(w, id_or_null(d->merge_base));
	sl_jw_key(w, "base_ref");
	sl_jw_str(w, d->base_rev);
	sl_jw_key(w, "base_source");
	sl_jw_str(w, sl_base_source_name(d->base_source));
	sl_jw_key(w, "worktree");
	sl_jw_bool(w, d->worktree);
	sl_jw_key(w, "rules");
	sl_jw_str(w, plan->rules_source);
	sl_jw_key(w, "rules_blob");
	sl_jw_str(w, id_or_null(plan->rules_blob));
	sl_jw_key(w, "rules_changed");
	sl_jw_bool(w, plan->rules_changed);
}

static void write_json(struct sl_buf *out, const struct sl_plan *plan,
		       const size_t *same_run)
{
	const struct sl_selection *sel = plan->selection;
	const struct sl_diff *d = plan->diff;
	struct sl_json_writer w;
	size_t i;

	sl_jw_init(&w, out);
	sl_jw_object(&w);
	head_write(&w, plan);
	sl_jw_key(&w, "run_all");
	sl_jw_bool(&w, sel->run_all);
	sl_jw_key(&w, "run_all_reasons");
	strvec_write(&w, &sel->run_all_reasons);
	sl_jw_key(&w, "degraded");
	sl_jw_str(&w, d->degraded);
	if (d->degraded) {
		sl_jw_key(&w, "degraded_reason");
		sl_jw_str(&w, d->degraded_reason);
	}
	sl_jw_key(&w, "changed");
	sl_jw_array(&w);
	for (i = 0; i < plan->nnames; i++)
		changed_write(&w, plan, i);
	sl_jw_end(&w, ']');
	picks_write(&w, sel, true, same_run);
	picks_write(&w, sel, false, same_run);
	sl_jw_end(&w, '}');
}

/* ---- CI fan-out ------------------------------------------------------ */

/* One job per run: a gate another's run stands for is that job's. */
static void write_github_matrix(struct sl_buf *out, const struct sl_plan *plan,
				const size_t *same_run)
{
	const struct sl_selection *sel = plan->selection;
	json_t *root = json_object(), *include = json_array();
	struct sl_buf *also = others_all(sel, same_run);
	size_t i;

	for (i = 0; i < sel->npicks; i++) {
		const struct sl_pick *p = &sel->picks[i];
		json_t *job;

		if (!p->selected || run_of(sel, same_run, i) != p)
			continue;
		job = json_object();
		sl_json_set(job, "gate", json_string(p->gate->name));
		sl_json_set(job, "kind",
			    json_string(sl_gate_kind_name(p->gate->kind)));
		sl_json_set(job, "lane",
			    lane_name(p) ? json_string(lane_name(p))
					 : json_null());
		if (also[i].len)
			sl_json_set(job, "also", json_string(also[i].buf));
		sl_json_append(include, job);
	}
	sl_json_set(root, "include", include);
	sl_json_dump(out, root, JSON_COMPACT);
	others_free(also, sel->npicks);
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

/*
 * One child job per gate. Its name is "gate/NAME", quoted: a bare gate
 * name can be a GitLab keyword (default, variables, stages, workflow,
 * include ...) or read as a boolean or number (true, 123), and either
 * breaks the child pipeline. The script creates the results directory
 * first: `run --json` writes a file, not the folders above it.
 */
static void gitlab_job(struct sl_buf *out, const char *gate,
		       const struct sl_buf *args, const struct sl_buf *also)
{
	if (also->len)
		sl_buf_addf(out, "\n# Its run stands for: %s", also->buf);
	sl_buf_addf(
	    out,
	    "\n\"gate/%s\":\n"
	    "  stage: gates\n"
	    "  needs: []\n"
	    "  script:\n"
	    "    - mkdir -p sluice-results\n"
	    "    - sluice run --gate %s%s --json sluice-results/%s.json "
	    "--junit sluice-results/%s.xml\n"
	    "  artifacts:\n"
	    "    when: always\n"
	    "    paths: [sluice-results/]\n"
	    "    reports:\n"
	    "      junit: sluice-results/%s.xml\n",
	    gate, gate, args->buf, gate, gate, gate);
}

static void write_gitlab_ci(struct sl_buf *out, const struct sl_plan *plan,
			    const size_t *same_run)
{
	const struct sl_selection *sel = plan->selection;
	struct sl_buf args = SL_BUF_INIT, *also = others_all(sel, same_run);
	size_t i;

	run_args(&args, plan);
	sl_buf_addf(out,
		    "# A GitLab CI child pipeline written by `sluice select "
		    "--format gitlab-ci`:\n# one job per selected gate "
		    "(%zu of %zu; identical gates share one) for head %s.\n"
		    "stages: [gates]\n"
		    "variables:\n"
		    "  # Each job selects again: it needs the base commit.\n"
		    "  GIT_DEPTH: \"0\"\n",
		    sel->nselected, sel->npicks, plan->diff->head);
	for (i = 0; i < sel->npicks; i++) {
		if (!sel->picks[i].selected ||
		    run_of(sel, same_run, i) != &sel->picks[i])
			continue;
		gitlab_job(out, sel->picks[i].gate->name, &args, &also[i]);
	}
	/* GitLab refuses a pipeline without jobs: say so in one. */
	if (!sel->nselected)
		sl_buf_adds(out, "\nsluice-nothing-selected:\n"
				 "  stage: gates\n"
				 "  script:\n"
				 "    - echo 'sluice selected no gate for this "
				 "change'\n");
	sl_buf_release(&args);
	others_free(also, sel->npicks);
}

void sl_plan_write(struct sl_buf *out, const struct sl_plan *plan,
		   enum sl_select_format format, const size_t *same_run)
{
	switch (format) {
	case SL_FORMAT_TEXT:
		write_text(out, plan);
		break;
	case SL_FORMAT_JSON:
		write_json(out, plan, same_run);
		break;
	case SL_FORMAT_GITHUB_MATRIX:
		write_github_matrix(out, plan, same_run);
		break;
	case SL_FORMAT_GITLAB_CI:
		write_gitlab_ci(out, plan, same_run);
		break;
	}
}
