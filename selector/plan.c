/*
 * plan.c: the pipeline every selecting command shares. It runs the diff,
 * reads the trusted copy of the rules at the diff's old side (the
 * merge-base) and, when the change edits the rules file, the head's copy
 * too, turns the changes into the names selection sees, and selects. It
 * decides which copy of the rules is trusted; select.c decides the gates.
 *
 * The plan reads in order (docs/design.md, "The plan"):
 *   1. resolve head and base (sl_diff_resolve());
 *   2. read the rules at the base, and at the head;
 *   3. start one thread for the merge-base and the tree walk
 *      (sl_diff_list(), the first job of an offer the thread serves:
 *      common.h, struct sl_offer);
 *   4. parse the rules on this thread meanwhile: the base's copy, as a
 *      guess at the merge-base's, and the head's when it is another blob;
 *   5. join the list;
 *   6. read the merge-base's blob id, and parse its copy only when it is
 *      neither the base's blob nor the head's;
 *   7. select.
 * The one hand-off is the join. Loading a large rules file costs about as
 * much as the tree walk and needs only the commits, so the two overlap;
 * the guess is right unless the target branch changed its rules since the
 * fork, and a branch far behind its base spends the merge-base walk
 * parsing it. Once its walk is done the thread stays until the plan is
 * built, taking what the load (pattern compiles) and selection (owner
 * lookups, gate picks) offer in parts; the calling thread does any part
 * no one took. libgit2 is used by one thread at a time: this one before
 * the thread starts and after the join, the other in between. The parse
 * stays on this thread, whose heap is the main arena. docs/performance.md
 * ("Issue 13") says what each of these pays.
 */
#include "common/common.h"

#include <pthread.h>
#include <sys/stat.h>

#include "selector/internal.h"

/* One copy of the rules file: where it was read, its bytes, and once
 * parsed, the rules or the error. */
struct copy {
	bool found;
	char blob[SL_OID_HEXSZ + 1]; /* "" when not read from a commit */
	struct sl_buf text;
	struct sl_buf name; /* what messages call it */
	bool parsed;
	int ret;
	struct sl_rules *rules; /* parsed: NULL when it failed */
	struct sl_error err;
};

struct plan_ctx {
	struct sl_plan *plan;
	struct sl_repo *repo;
	const struct sl_plan_options *opts;
	/* The base's copy (the guess at the merge-base's), the head's, and
	 * the merge-base's when it is neither. */
	struct copy base, head, mb;
	/* Reading the base's copy failed: only a guess, unless the
	 * merge-base is the base. */
	int base_ret;
	struct sl_error base_err;
	/* --rules FILE, parsed while the trees are compared. */
	struct sl_rules *file;
	int file_ret;
	struct sl_error file_err;
	/* The second thread serves offer: first the job that lists the
	 * changes (the merge-base and the tree walk), then whatever the
	 * rules' load and selection offer, until the plan is built. */
	pthread_t thread;
	bool threaded;
	struct sl_offer *offer;
	struct sl_offer_job list;
	int list_ret;
	struct sl_error list_err;
	/* What the trusted and the head's copies were (add_rules_file()). */
	bool trusted_found, head_found;
	/* The trusted copy's bytes, for the workspaces' step. */
	const struct sl_buf *trusted_text;
};

static void copy_init(struct copy *c)
{
	memset(c, 0, sizeof(*c));
	c->text = (struct sl_buf)SL_BUF_INIT;
	c->name = (struct sl_buf)SL_BUF_INIT;
	c->err = (struct sl_error)SL_ERROR_INIT;
}

static void copy_release(struct copy *c)
{
	sl_buf_release(&c->text);
	sl_buf_release(&c->name);
	sl_rules_free(c->rules);
	sl_error_release(&c->err);
}

/* Is b's content another than a's? Both absent is no difference. */
static bool copies_differ(const struct copy *a, const struct copy *b)
{
	if (a->found != b->found)
		return true;
	if (!a->found)
		return false;
	if (*a->blob && *b->blob)
		return strcmp(a->blob, b->blob) != 0;
	return a->text.len != b->text.len ||
	       memcmp(a->text.buf, b->text.buf, a->text.len);
}

static void name_at(struct sl_buf *name, const char *commit)
{
	sl_buf_reset(name);
	sl_buf_addf(name, "%s@%.12s", SL_RULES_FILE, commit);
}

/*
 * The copy at commit into c. When it is the blob like holds, its bytes
 * are taken from like instead of read again.
 */
static int read_at(struct copy *c, struct sl_repo *repo, const char *commit,
		   const struct copy *like, struct sl_error *err)
{
	int ret = sl_repo_blob_id_at(c->blob, &c->found, repo, commit,
				     SL_RULES_FILE, err);

	name_at(&c->name, commit);
	if (ret || !c->found)
		return ret;
	if (like && like->found && !strcmp(like->blob, c->blob)) {
		sl_buf_add(&c->text, like->text.buf, like->text.len);
		return 0;
	}
	return sl_repo_read_blob_at(&c->text, &c->found, repo, commit,
				    SL_RULES_FILE, err);
}

/* The work tree's copy: the head's for --worktree. */
static int read_worktree(struct copy *c, const char *root, struct sl_error *err)
{
	struct sl_buf path = SL_BUF_INIT;
	struct stat st;
	int ret = 0;

	sl_buf_addf(&path, "%s/%s", root, SL_RULES_FILE);
	c->found = !lstat(path.buf, &st);
	if (c->found)
		ret = sl_buf_read_regular(&c->text, path.buf,
					  SL_RULES_MAX_BYTES, true, err);
	sl_buf_adds(&c->name, SL_RULES_FILE);
	sl_buf_release(&path);
	return ret;
}

/*
 * Step 2: the copies at the base and the head, read before the thread
 * starts (libgit2 is this thread's until then). A base's copy that cannot
 * be read is only a failed guess: its error counts if the merge-base
 * turns out to be the base.
 */
static int read_copies(struct plan_ctx *c, struct sl_error *err)
{
	const struct sl_diff *diff = c->plan->diff;

	if (c->opts->rules_file)
		return 0;
	if (!diff->degraded) {
		c->base_ret =
		    read_at(&c->base, c->repo, diff->base, NULL, &c->base_err);
		if (c->base_ret)
			c->base.found = false;
	}
	if (diff->worktree)
		return read_worktree(&c->head, c->plan->root, err);
	return read_at(&c->head, c->repo, diff->head, &c->base, err);
}

static void parse(struct copy *c, struct sl_offer *offer)
{
	if (!c->found || c->parsed)
		return;
	c->ret = sl_rules_load_offered(&c->rules, c->name.buf, c->text.buf,
				       c->text.len, offer, &c->err);
	c->parsed = true;
}

/*
 * Takes c's rules as what messages call name: renamed when c was parsed
 * under another name (the same blob, read at another commit), parsed
 * again when that parse failed, so that its message names the copy that
 * counts. Returns the parse's status, with its message in err.
 */
static int take(struct sl_rules **out, struct copy *c, const char *name,
		struct sl_error *err)
{
	if (strcmp(c->name.buf, name)) {
		sl_buf_reset(&c->name);
		sl_buf_adds(&c->name, name);
		if (c->rules)
			sl_rules_rename(c->rules, name);
		else
			c->parsed = false;
	}
	parse(c, NULL);
	if (c->ret) {
		sl_error_release(err);
		*err = c->err;
		c->err = (struct sl_error)SL_ERROR_INIT;
		return c->ret;
	}
	*out = c->rules;
	c->rules = NULL;
	return 0;
}

static void list_changes(void *data)
{
	struct plan_ctx *c = data;

	c->list_ret =
	    sl_diff_list(c->plan->diff, c->repo, &c->opts->diff, &c->list_err);
}

/* Step 4: what can be parsed before the merge-base is known. */
static void parse_early(struct plan_ctx *c)
{
	if (c->opts->rules_file) {
		c->file_ret = sl_rules_load_file(&c->file, c->opts->rules_file,
						 &c->file_err);
		return;
	}
	parse(&c->base, c->offer);
	if (copies_differ(&c->head, &c->base))
		parse(&c->head, c->offer);
}

static void *serve(void *offer)
{
	sl_offer_serve(offer);
	return NULL;
}

/*
 * Steps 3 to 5: lists the changes on a second thread while this one
 * parses; with no thread to be had, one after the other. Returns the
 * diff's status (its errors come before the rules').
 */
static int list_and_parse(struct plan_ctx *c, struct sl_error *err)
{
	sl_offer_new(&c->offer);
	c->list = (struct sl_offer_job){.run = list_changes, .arg = c};
	sl_offer_post(c->offer, &c->list);
	c->threaded = !pthread_create(&c->thread, NULL, serve, c->offer);
	parse_early(c);
	/* With no thread to be had, the join lists the changes here. */
	sl_offer_join(c->offer, &c->list);
	if (c->list_ret) {
		sl_error_release(err);
		*err = c->list_err;
		c->list_err = (struct sl_error)SL_ERROR_INIT;
	}
	return c->list_ret;
}

/*
 * Step 6, the trusted copy: the merge-base's. The base's copy parsed as a
 * guess is kept when the merge-base has the same blob, the head's when
 * that has; only a third blob is read and parsed now. *out is NULL when
 * there is none (no rules file at the merge-base, or a degraded diff).
 */
static int trusted_copy(struct copy **out, struct plan_ctx *c,
			struct sl_error *err)
{
	const struct sl_diff *diff = c->plan->diff;
	int ret;

	*out = NULL;
	if (diff->degraded)
		return 0;
	if (!strcmp(diff->merge_base, diff->base) && c->base_ret) {
		sl_error_release(err);
		*err = c->base_err;
		c->base_err = (struct sl_error)SL_ERROR_INIT;
		return c->base_ret;
	}
	ret = sl_repo_blob_id_at(c->mb.blob, &c->mb.found, c->repo,
				 diff->merge_base, SL_RULES_FILE, err);
	name_at(&c->mb.name, diff->merge_base);
	if (ret)
		return ret;
	if (c->mb.found && !copies_differ(&c->mb, &c->base))
		*out = &c->base;
	else if (c->mb.found && *c->head.blob &&
		 !copies_differ(&c->mb, &c->head))
		*out = &c->head;
	else
		*out = &c->mb;
	if (*out != &c->mb || !c->mb.found)
		return 0;
	return read_at(&c->mb, c->repo, diff->merge_base, NULL, err);
}

static int no_rules_anywhere(const struct sl_diff *diff, struct sl_error *err)
{
	return sl_error_set(err, SL_ERULES,
			    "no %s at %.12s or at %.12s; write one (see "
			    "docs/rules.md) or pass --rules FILE",
			    SL_RULES_FILE,
			    *diff->merge_base ? diff->merge_base : "(no base)",
			    diff->head);
}

/* --rules FILE: trusted as it is; no copy from git takes part. */
static int take_file(struct plan_ctx *c, struct sl_error *err)
{
	struct sl_plan *plan = c->plan;

	if (c->file_ret) {
		sl_error_release(err);
		*err = c->file_err;
		c->file_err = (struct sl_error)SL_ERROR_INIT;
		return c->file_ret;
	}
	plan->rules = c->file;
	c->file = NULL;
	plan->rules_source = sl_xstrdup(c->opts->rules_file);
	c->trusted_found = true;
	return 0;
}

/*
 * Takes the rules that apply: the merge-base's copy, plus the head's when
 * it differs; a rules file the change adds is all there is (nothing to
 * trust yet); with no base at all (degraded), the head's copy.
 */
static int take_rules(struct plan_ctx *c, struct sl_error *err)
{
	struct sl_plan *plan = c->plan;
	const struct sl_diff *diff = plan->diff;
	struct copy *trusted, *head = &c->head;
	int ret;

	if (c->opts->rules_file)
		return take_file(c, err);
	ret = trusted_copy(&trusted, c, err);
	if (ret)
		return ret;
	c->trusted_found = trusted && trusted->found;
	plan->rules_changed =
	    trusted ? copies_differ(head, trusted) : head->found;
	c->head_found = plan->rules_changed && head->found;
	if (c->trusted_found) {
		c->trusted_text = &trusted->text;
		ret = take(&plan->rules, trusted, c->mb.name.buf, err);
		if (ret)
			return ret;
		memcpy(plan->rules_blob, c->mb.blob, sizeof(plan->rules_blob));
		memcpy(plan->rules_commit, diff->merge_base,
		       sizeof(plan->rules_commit));
	}
	/* The head's copy is the base's blob when it was not parsed apart. */
	if (c->head_found)
		ret = take(&plan->head_rules,
			   copies_differ(head, &c->base) ? head : &c->base,
			   head->name.buf, err);
	if (ret || c->trusted_found) {
		if (!ret)
			plan->rules_source = sl_xstrdup(plan->rules->file);
		return ret;
	}
	/* No trusted copy: the head's is the only one there is. */
	c->trusted_text =
	    copies_differ(head, &c->base) ? &head->text : &c->base.text;
	plan->rules = plan->head_rules;
	plan->head_rules = NULL;
	if (!plan->rules)
		return no_rules_anywhere(diff, err);
	plan->rules_source = sl_xstrdup(plan->rules->file);
	if (!diff->worktree)
		memcpy(plan->rules_commit, diff->head,
		       sizeof(plan->rules_commit));
	return 0;
}

/* What reasons say of a name the diff did not list (SPEC.md §1). */
#define RULES_CHANGED_WHY "the head changes the rules"

static bool has_name(const struct sl_plan *plan, const char *path)
{
	size_t i, len = strlen(path);

	for (i = 0; i < plan->nnames; i++)
		if (!sl_path_cmp(plan->names[i].path, plan->names[i].len, path,
				 len))
			return true;
	return false;
}

/*
 * When the head changes the rules file, the lane that owns it is treated
 * as changed (SPEC.md §1): a --paths-from list that leaves the file out
 * does not switch that lane's gates off. Adds the file to the changes,
 * with the status the two copies give it, unless a name has it already;
 * returns whether it did. Not for a degraded diff: with no base, whether
 * the rules changed is unknown, and every gate runs anyway.
 */
static bool add_rules_file(struct sl_plan *plan, const struct plan_ctx *c)
{
	struct sl_change_list *changes = &plan->diff->changes;
	enum sl_change_status status = SL_CHANGE_MODIFIED;

	if (!plan->rules_changed || plan->diff->degraded ||
	    has_name(plan, SL_RULES_FILE))
		return false;
	if (!c->trusted_found)
		status = SL_CHANGE_ADDED;
	else if (!c->head_found)
		status = SL_CHANGE_DELETED;
	sl_change_list_push(changes, status, SL_RULES_FILE,
			    strlen(SL_RULES_FILE));
	sl_change_list_sort(changes);
	free(plan->names);
	plan->nnames = sl_change_list_names(&plan->names, changes);
	return true;
}

static void build_touched(struct sl_plan *plan, const struct plan_ctx *c)
{
	size_t i;
	bool added;

	plan->nnames = sl_change_list_names(&plan->names, &plan->diff->changes);
	added = add_rules_file(plan, c);
	plan->ntouched = plan->nnames;
	plan->touched = sl_xcalloc(plan->nnames + 1, sizeof(*plan->touched));
	for (i = 0; i < plan->nnames; i++) {
		struct sl_touched *t = &plan->touched[i];

		t->path = plan->names[i].path;
		t->len = plan->names[i].len;
		t->flags = plan->names[i].change->submodule ? SL_MATCH_DIR : 0;
		if (added && !strcmp(t->path, SL_RULES_FILE))
			t->why = RULES_CHANGED_WHY;
	}
	sl_plan_touch_lockfiles(plan);
}

/* Step 7 (SPEC.md §7): the lanes the workspaces derive, and what the
 * lockfiles the change touched select (plan_ws.c). */
static int derive(struct plan_ctx *c, struct sl_error *err)
{
	struct sl_plan_ws_input in = {0};

	if (c->opts->rules_file) {
		in.rules_file = c->opts->rules_file;
	} else if (c->trusted_text) {
		in.text = c->trusted_text->buf;
		in.len = c->trusted_text->len;
	}
	return sl_plan_workspaces(c->plan, c->repo, &in, err);
}

/* Step 8. */
static int select_plan(struct sl_plan *plan, struct plan_ctx *c,
		       struct sl_error *err)
{
	struct sl_select_options sel = {0};
	int ret;

	build_touched(plan, c);
	sel.base = plan->rules;
	sel.head = plan->head_rules;
	sel.offer = c->threaded ? c->offer : NULL;
	sel.base_unavailable = plan->diff->degraded != NULL;
	sel.degraded_reason = plan->diff->degraded_reason;
	if (plan->manifests_changed)
		sel.head_label = "head manifests";
	ret = sl_select(&plan->selection, &sel, plan->touched, plan->ntouched,
			err);
	if (!ret)
		plan->selection->rules_changed = plan->rules_changed;
	return ret;
}

static void ctx_init(struct plan_ctx *c, struct sl_repo *repo,
		     const struct sl_plan_options *opts)
{
	memset(c, 0, sizeof(*c));
	c->plan = sl_xcalloc(1, sizeof(*c->plan));
	c->repo = repo;
	c->opts = opts;
	copy_init(&c->base);
	copy_init(&c->head);
	copy_init(&c->mb);
	c->base_err = (struct sl_error)SL_ERROR_INIT;
	c->file_err = (struct sl_error)SL_ERROR_INIT;
	c->list_err = (struct sl_error)SL_ERROR_INIT;
	c->plan->root =
	    sl_repo_root(repo) ? sl_xstrdup(sl_repo_root(repo)) : NULL;
}

/* The plan is built: the second thread may go. */
static void end_thread(struct plan_ctx *c)
{
	if (c->threaded) {
		sl_offer_close(c->offer);
		pthread_join(c->thread, NULL);
	}
	sl_offer_free(c->offer);
}

static void ctx_release(struct plan_ctx *c)
{
	copy_release(&c->base);
	copy_release(&c->head);
	copy_release(&c->mb);
	sl_error_release(&c->base_err);
	sl_rules_free(c->file);
	sl_error_release(&c->file_err);
	sl_error_release(&c->list_err);
}

int sl_plan_build(struct sl_plan **out, struct sl_repo *repo,
		  const struct sl_plan_options *opts, struct sl_error *err)
{
	struct plan_ctx c;
	int ret;

	*out = NULL;
	ctx_init(&c, repo, opts);
	ret = sl_diff_resolve(&c.plan->diff, repo, &opts->diff, err);
	if (!ret)
		ret = read_copies(&c, err);
	if (!ret)
		ret = list_and_parse(&c, err);
	if (!ret)
		ret = take_rules(&c, err);
	if (!ret)
		ret = derive(&c, err);
	if (!ret)
		ret = select_plan(c.plan, &c, err);
	end_thread(&c);
	ctx_release(&c);
	if (ret)
		sl_plan_free(c.plan);
	else
		*out = c.plan;
	return ret;
}

void sl_plan_free(struct sl_plan *plan)
{
	if (!plan)
		return;
	sl_selection_free(plan->selection);
	sl_plan_ws_release(plan);
	free(plan->touched);
	free(plan->names);
	sl_rules_free(plan->head_rules);
	sl_rules_free(plan->rules);
	sl_diff_free(plan->diff);
	free(plan->rules_source);
	free(plan->root);
	free(plan);
}
