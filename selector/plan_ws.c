/*
 * plan_ws.c: the plan's step for workspaces (SPEC.md §7), between taking
 * the rules and selecting. The lanes `workspaces` derive are read from
 * the manifests at the trusted commit, as blobs through the same reader
 * as the rules file (ws_source.c); when the head changes a manifest (or
 * the rules), the head's copy is derived from the head's manifests, so
 * that selection is the union of both, as for the rules file. Each
 * lockfile the change touched is compared by content: its entries
 * select the lanes whose closures hold them, with the entries as the
 * reason; what belongs to no package leaves the lockfile's path changed;
 * a lockfile that cannot be compared selects every lane of its
 * workspace, saying why.
 */
#include "common/common.h"

#include "selector/internal.h"

void sl_ws_list_free(struct sl_ws **ws, size_t n)
{
	size_t i;

	for (i = 0; ws && i < n; i++)
		sl_ws_free(ws[i]);
	free(ws);
}

int sl_ws_derive_all(struct sl_ws ***out, struct sl_rules *rules,
		     const struct sl_ws_source *src, struct sl_error *err)
{
	size_t i, n = rules->nworkspaces;
	struct sl_ws **ws = sl_xcalloc(n + 1, sizeof(*ws));
	int ret = 0;

	*out = NULL;
	for (i = 0; i < n && !ret; i++)
		ret = sl_ws_derive(&ws[i], rules->workspaces[i].kind,
				   rules->workspaces[i].root, src, err);
	if (!ret)
		ret = sl_rules_derive(rules, ws, err);
	if (ret) {
		sl_ws_list_free(ws, n);
		return ret;
	}
	*out = ws;
	return 0;
}

struct ws_step {
	struct sl_plan *plan;
	struct sl_repo *repo;
	const struct sl_plan_ws_input *in;
	/* The trees read: the trusted commit's, the merge-base's (the
	 * lockfiles' old side, when it is another commit) and the head's. */
	struct sl_ws_tree *trusted, *base, *head;
};

static bool is_manifest_change(const struct sl_plan *plan,
			       const struct sl_change *ch)
{
	size_t k;

	for (k = 0; k < plan->nws; k++)
		if (sl_ws_is_manifest(plan->ws[k], ch->path, ch->len) ||
		    (ch->old_path &&
		     sl_ws_is_manifest(plan->ws[k], ch->old_path, ch->old_len)))
			return true;
	return false;
}

static bool manifests_changed(const struct sl_plan *plan)
{
	const struct sl_change_list *changes = &plan->diff->changes;
	size_t i;

	for (i = 0; i < changes->n; i++)
		if (is_manifest_change(plan, &changes->items[i]))
			return true;
	return false;
}

/* The head's files: its commit's, or with --worktree the work tree's
 * (packages it adds found by the diff's added files). */
static int open_head(struct ws_step *s, struct sl_error *err)
{
	const struct sl_diff *diff = s->plan->diff;
	int ret = sl_ws_tree_open(&s->head, s->repo, diff->head,
				  diff->worktree ? s->plan->root : NULL, err);

	if (!ret && diff->worktree)
		sl_ws_tree_add_worktree(s->head, &diff->changes);
	return ret;
}

/* The head's copy, derived at the head: the head's rules when it changes
 * them, else the trusted copy read again. */
static int derive_head(struct ws_step *s, struct sl_error *err)
{
	struct sl_plan *plan = s->plan;
	const struct sl_plan_ws_input *in = s->in;
	int ret = 0;

	if (!plan->head_rules) {
		if (in->rules_file)
			ret = sl_rules_load_file(&plan->head_rules,
						 in->rules_file, err);
		else
			ret = sl_rules_load_buffer(&plan->head_rules,
						   plan->rules->file, in->text,
						   in->len, err);
		plan->manifests_changed = true;
	}
	if (!ret)
		ret = open_head(s, err);
	if (!ret)
		ret = sl_ws_derive_all(&plan->head_ws, plan->head_rules,
				       sl_ws_tree_source(s->head), err);
	if (!ret)
		plan->nhead_ws = plan->head_rules->nworkspaces;
	return ret;
}

/* ---- lockfiles ------------------------------------------------------- */

static bool lockfile_name(const char *path, size_t len)
{
	static const char *const names[] = {
	    "package-lock.json", "pnpm-lock.yaml", "go.sum", "go.mod",
	    "go.work",		 "go.work.sum"};
	const char *base = path;
	size_t i;

	for (i = 0; i < len; i++)
		if (path[i] == '/')
			base = path + i + 1;
	for (i = 0; i < SL_ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == (size_t)(path + len - base) &&
		    !memcmp(names[i], base, strlen(names[i])))
			return true;
	return false;
}

/* The head's workspace matching trusted one w (same kind and root). */
static const struct sl_ws *head_match(const struct sl_plan *plan,
				      const struct sl_ws *w)
{
	size_t k;

	for (k = 0; k < plan->nhead_ws; k++)
		if (plan->head_ws[k]->kind == w->kind &&
		    !strcmp(plan->head_ws[k]->root, w->root))
			return plan->head_ws[k];
	return NULL;
}

/* One side of a lockfile, parsed; *out NULL when the side has none.
 * What cannot be read as a lockfile is 1 with why in err. */
static int parse_side(struct sl_ws_lock **out, struct sl_ws_tree *tree,
		      const struct sl_ws *ws, const char *path,
		      struct sl_error *err)
{
	const struct sl_ws_source *src = sl_ws_tree_source(tree);
	struct sl_buf data = SL_BUF_INIT;
	bool found = false;
	int ret = src->read(src->ctx, path, &data, &found, err);

	*out = NULL;
	if (!ret && found) {
		struct sl_buf name = SL_BUF_INIT;

		sl_buf_adds(&name, path);
		if (src->label)
			sl_buf_adds(&name, src->label);
		ret = sl_ws_lock_parse(out, ws, name.buf, data.buf, data.len,
				       err);
		sl_buf_release(&name);
	}
	sl_buf_release(&data);
	/* A file that is no lockfile sluice can read (or too large): every
	 * lane, never an error that stops selection. git's errors are. */
	return ret == SL_ERULES || ret == SL_EUSAGE ? 1 : ret;
}

static int compare(struct ws_step *s, size_t w, const struct sl_ws *old_ws,
		   const struct sl_ws *new_ws, const char *path,
		   struct sl_error *err)
{
	struct sl_plan *plan = s->plan;
	struct sl_plan_lockfile *lf;
	struct sl_ws_lock *old = NULL, *new = NULL;
	struct sl_error why = SL_ERROR_INIT;
	int ret = parse_side(&old, s->base, old_ws, path, &why);

	if (!ret)
		ret = parse_side(&new, s->head, new_ws, path, &why);
	if (ret < 0) {
		sl_error_release(err);
		*err = why;
		sl_ws_lock_free(old);
		return ret;
	}
	plan->lockfiles =
	    sl_xrealloc(plan->lockfiles, sl_st_mult(plan->nlockfiles + 1,
						    sizeof(*plan->lockfiles)));
	lf = &plan->lockfiles[plan->nlockfiles++];
	memset(lf, 0, sizeof(*lf));
	lf->path = sl_xstrdup(path);
	lf->workspace = w;
	lf->shared =
	    old_ws->shared_lockfile && !strcmp(old_ws->shared_lockfile, path);
	lf->changes = (struct sl_ws_changes)SL_WS_CHANGES_INIT;
	if (ret)
		lf->failed =
		    sl_xstrdup(why.msg.len ? why.msg.buf : "cannot be read");
	else
		sl_ws_lock_diff(&lf->changes, old, new);
	sl_ws_lock_free(old);
	sl_ws_lock_free(new);
	sl_error_release(&why);
	return 0;
}

static int compare_lockfiles(struct ws_step *s, struct sl_error *err)
{
	struct sl_plan *plan = s->plan;
	const struct sl_change_list *changes = &plan->diff->changes;
	size_t i, k;
	int ret = 0;

	for (i = 0; i < changes->n && !ret; i++) {
		const struct sl_change *ch = &changes->items[i];

		if (!lockfile_name(ch->path, ch->len) || ch->submodule)
			continue;
		for (k = 0; k < plan->nws && !ret; k++) {
			const struct sl_ws *w = plan->ws[k];
			const struct sl_ws *h = head_match(plan, w);

			if (!sl_strvec_has(&w->lockfiles, ch->path) &&
			    !(h && sl_strvec_has(&h->lockfiles, ch->path)))
				continue;
			ret = compare(s, k, w, h ? h : w, ch->path, err);
			break;
		}
	}
	return ret;
}

static int open_trees(struct ws_step *s, struct sl_error *err)
{
	const struct sl_diff *diff = s->plan->diff;
	int ret = 0;

	if (!strcmp(s->plan->ws_commit, diff->merge_base))
		s->base = s->trusted;
	else
		ret = sl_ws_tree_open(&s->base, s->repo, diff->merge_base, NULL,
				      err);
	if (!ret && !s->head)
		ret = open_head(s, err);
	return ret;
}

static bool has_lockfile_change(const struct sl_plan *plan)
{
	const struct sl_change_list *changes = &plan->diff->changes;
	size_t i;

	for (i = 0; i < changes->n; i++)
		if (lockfile_name(changes->items[i].path,
				  changes->items[i].len))
			return true;
	return false;
}

int sl_plan_workspaces(struct sl_plan *plan, struct sl_repo *repo,
		       const struct sl_plan_ws_input *in, struct sl_error *err)
{
	const struct sl_diff *diff = plan->diff;
	struct ws_step s = {.plan = plan, .repo = repo, .in = in};
	bool head_too;
	int ret;

	if (!plan->rules->nworkspaces &&
	    !(plan->head_rules && plan->head_rules->nworkspaces))
		return 0;
	/* The trusted commit: the rules' own, or the merge-base for --rules
	 * FILE; with no base at all, the head (everything runs). */
	snprintf(plan->ws_commit, sizeof(plan->ws_commit), "%s",
		 *plan->rules_commit ? plan->rules_commit
		 : *diff->merge_base ? diff->merge_base
				     : diff->head);
	ret = sl_ws_tree_open(&s.trusted, repo, plan->ws_commit, NULL, err);
	if (!ret)
		ret = sl_ws_derive_all(&plan->ws, plan->rules,
				       sl_ws_tree_source(s.trusted), err);
	if (ret)
		goto out;
	plan->nws = plan->rules->nworkspaces;
	head_too =
	    !diff->degraded && (plan->head_rules || manifests_changed(plan));
	if (head_too)
		ret = derive_head(&s, err);
	if (!ret && !diff->degraded && plan->nws && has_lockfile_change(plan))
		ret = open_trees(&s, err);
	if (!ret && s.base)
		ret = compare_lockfiles(&s, err);
out:
	if (s.base != s.trusted)
		sl_ws_tree_free(s.base);
	sl_ws_tree_free(s.trusted);
	sl_ws_tree_free(s.head);
	return ret;
}

/* ---- the names selection sees --------------------------------------- */

static size_t name_index(const struct sl_plan *plan, const char *path)
{
	size_t i, len = strlen(path);

	for (i = 0; i < plan->nnames; i++)
		if (plan->names[i].len == len &&
		    !memcmp(plan->names[i].path, path, len) &&
		    !plan->names[i].is_old_name)
			return i;
	return SIZE_MAX;
}

struct adder {
	struct sl_plan *plan;
	size_t alloc;
	size_t self; /* the lockfile's own name, given to the first lane */
};

static void add_touched(struct adder *a, const char *path, const char *lane,
			char *why)
{
	struct sl_plan *plan = a->plan;
	struct sl_touched *t;

	sl_strvec_push_take(&plan->whys, why);
	why = plan->whys.v[plan->whys.n - 1];
	if (a->self != SIZE_MAX) {
		t = &plan->touched[a->self];
		a->self = SIZE_MAX;
	} else {
		SL_ALLOC_GROW(plan->touched, plan->ntouched + 2, a->alloc);
		t = &plan->touched[plan->ntouched++];
		memset(t, 0, sizeof(*t));
		t->path = path;
		t->len = strlen(path);
	}
	t->lane = lane;
	t->why = why;
}

static char *every_lane_why(const struct sl_plan_lockfile *lf)
{
	struct sl_buf sb = SL_BUF_INIT;

	sl_buf_addf(&sb,
		    "cannot be compared, so every lane of its workspace: %s",
		    lf->failed);
	return sl_buf_detach(&sb, NULL);
}

/* Every lane of the lockfile's workspace, at the trusted commit and at
 * the head, once each. */
static void every_lane(struct adder *a, const struct sl_plan_lockfile *lf)
{
	const struct sl_plan *plan = a->plan;
	const struct sl_ws *w = plan->ws[lf->workspace];
	const struct sl_ws *h = head_match(plan, w);
	struct sl_strvec seen = SL_STRVEC_INIT;
	size_t i, side;

	for (side = 0; side < 2; side++) {
		const struct sl_ws *ws = side ? h : w;

		for (i = 0; ws && i < ws->npkgs; i++) {
			if (sl_strvec_has(&seen, ws->pkgs[i].lane))
				continue;
			sl_strvec_push(&seen, ws->pkgs[i].lane);
			add_touched(a, lf->path, ws->pkgs[i].lane,
				    every_lane_why(lf));
		}
	}
	sl_strvec_release(&seen);
}

static void hits(struct adder *a, const struct sl_plan_lockfile *lf)
{
	const struct sl_ws_changes *c = &lf->changes;
	size_t i = 0, j;

	while (i < c->nhits) {
		struct sl_buf sb = SL_BUF_INIT;

		for (j = i;
		     j < c->nhits && !strcmp(c->hits[j].lane, c->hits[i].lane);
		     j++)
			sl_buf_addf(&sb, "%s%s", j > i ? "; " : "",
				    c->hits[j].entry);
		add_touched(a, lf->path, c->hits[i].lane,
			    sl_buf_detach(&sb, NULL));
		i = j;
	}
}

/* What no package's closure holds, on the lockfile's own name. */
static void unattributed(struct sl_plan *plan, size_t self,
			 const struct sl_plan_lockfile *lf)
{
	const struct sl_strvec *u = &lf->changes.unattributed;
	struct sl_buf sb = SL_BUF_INIT;
	size_t i;

	for (i = 0; i < u->n && i < 3; i++)
		sl_buf_addf(&sb, "%s%s", i ? "; " : "", u->v[i]);
	if (u->n > 3)
		sl_buf_addf(&sb, ", and %zu more entries", u->n - 3);
	sl_strvec_push_take(&plan->whys, sl_buf_detach(&sb, NULL));
	plan->touched[self].why = plan->whys.v[plan->whys.n - 1];
}

void sl_plan_touch_lockfiles(struct sl_plan *plan)
{
	struct adder a = {.plan = plan, .alloc = plan->ntouched + 1};
	size_t i;

	for (i = 0; i < plan->nlockfiles; i++) {
		const struct sl_plan_lockfile *lf = &plan->lockfiles[i];
		size_t self = name_index(plan, lf->path);

		a.self = SIZE_MAX;
		if (self == SIZE_MAX)
			continue;
		if (lf->failed) {
			/* The path stays changed, and says why to whatever
			 * else it selects (run_all_on, its owner). */
			sl_strvec_push_take(&plan->whys, every_lane_why(lf));
			plan->touched[self].why =
			    plan->whys.v[plan->whys.n - 1];
			every_lane(&a, lf);
			continue;
		}
		if (!lf->changes.nchanged)
			continue; /* no entry changed: the path, as written */
		/* The shared lockfile stays changed only for what no
		 * package holds; a module's own go.mod or go.sum always is
		 * (its lane owns it). */
		if (lf->shared && !lf->changes.unattributed.n)
			a.self = self;
		else if (lf->changes.unattributed.n)
			unattributed(plan, self, lf);
		hits(&a, lf);
	}
}

void sl_plan_ws_release(struct sl_plan *plan)
{
	size_t i;

	sl_ws_list_free(plan->ws, plan->nws);
	sl_ws_list_free(plan->head_ws, plan->nhead_ws);
	for (i = 0; i < plan->nlockfiles; i++) {
		free(plan->lockfiles[i].path);
		sl_ws_changes_release(&plan->lockfiles[i].changes);
		free(plan->lockfiles[i].failed);
	}
	free(plan->lockfiles);
	sl_strvec_release(&plan->whys);
}
