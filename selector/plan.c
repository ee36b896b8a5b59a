/*
 * plan.c: the pipeline every selecting command shares. It runs the diff,
 * reads the trusted copy of the rules at the diff's old side (the
 * merge-base) and, when the change edits the rules file, the head's copy
 * too, turns the changes into the names selection sees, and selects. It
 * decides which copy of the rules is trusted; select.c decides the gates.
 *
 * Loading a large rules file costs about as much as the tree walk, and
 * needs only the commits, not the changes: so the diff runs on a second
 * thread, and once it has resolved them (sl_diff_options.on_resolved) it
 * reads the files' bytes from git and hands them to this thread, which
 * parses them while the other walks the trees. Even sooner, once the base
 * is known and before the merge-base walk (long on a branch far behind
 * its base), the base's copy is read and parsed as a guess, kept when the
 * merge-base's copy is the same blob (guess_rules(), start_rules()).
 * libgit2 is used by one thread at a time: the diff's while it runs, this
 * one's before and after.
 * The parse stays on the calling thread because its heap is the main
 * arena, which grows in large steps: on a second thread's fresh arena the
 * same load cost a one-file selection 3 ms more (docs/performance.md).
 * This thread does not share the tree walk: two threads reading objects
 * wait on libgit2's pack locks more than they gain (docs/performance.md).
 * But once its diff is done, the diff's thread helps with the rules' work
 * until the plan is built (rules.h, sl_rules_helpers): it compiles
 * patterns, parses part of a large file, takes half of a large
 * selection's ownership lookups.
 */
#include "common/common.h"

#include <pthread.h>
#include <sys/stat.h>

#include "selector/internal.h"

/* The rules files, read by the diff's thread and parsed on this one. */
struct rules_load {
	const char *file; /* --rules: read from disk when parsed */
	struct sl_buf base_text, base_name;
	bool base_found;
	struct sl_buf head_text, head_name; /* only when it differs */
	bool head_found;
	struct sl_rules *base, *head; /* the results */
	struct sl_error err;
	int ret;
	/*
	 * A guess, made while the merge-base is walked for: the copy at the
	 * base, parsed as the trusted one. It is kept when the merge-base's
	 * copy turns out to be the same blob (guess_kept), as it mostly is.
	 */
	struct sl_buf guess_text;
	char guess_blob[SL_OID_HEXSZ + 1];
	bool guess_found, guess_kept;
	struct sl_rules *guess; /* parsed: NULL when it failed or was not */
};

/*
 * The guess at the base, parsed while the merge-base is walked for. A
 * failure is forgotten: if the guess is kept, the copy is parsed again
 * under its own name, which the messages need.
 */
static void load_guess(struct rules_load *l, struct sl_rules_helpers *helpers)
{
	struct sl_rules_text text = {SL_RULES_FILE, l->guess_text.buf,
				     l->guess_text.len};
	struct sl_error err = SL_ERROR_INIT;

	if (sl_rules_load_text(&l->guess, &text, helpers, &err))
		l->guess = NULL;
	sl_error_release(&err);
}

/* helpers: the diff's thread, once its diff is done (NULL: none). */
static void load_rules(struct rules_load *l, struct sl_rules_helpers *helpers)
{
	struct sl_rules_text base = {l->base_name.buf, l->base_text.buf,
				     l->base_text.len};
	struct sl_rules_text head = {l->head_name.buf, l->head_text.buf,
				     l->head_text.len};

	if (l->file) {
		l->ret = sl_rules_load_file_helped(&l->base, l->file, helpers,
						   &l->err);
	} else if (l->base_found && l->guess_kept && l->guess) {
		/* The same blob as the merge-base's: the same rules. */
		sl_rules_rename(l->guess, base.name);
		l->base = l->guess;
		l->guess = NULL;
	} else if (l->base_found) {
		l->ret = sl_rules_load_text(&l->base, &base, helpers, &l->err);
	}
	if (!l->ret && l->head_found)
		l->ret = sl_rules_load_text(&l->head, &head, helpers, &l->err);
}

struct plan_ctx {
	struct sl_plan *plan;
	struct sl_repo *repo;
	struct sl_diff_options diff;
	/* The diff's thread helps with the rules when its diff is done. */
	struct sl_rules_helpers *helpers;
	pthread_t thread;
	bool threaded;
	struct rules_load load;
	/* The diff's thread: its result, and what it tells this one. */
	int diff_ret;
	struct sl_error diff_err;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	bool guessed;  /* the base's copy of the rules is read: a guess */
	bool resolved; /* the rules' bytes are read: parse them */
	bool diffed;   /* the diff is over, whatever its outcome */
};

static void tell(struct plan_ctx *c, bool *flag)
{
	pthread_mutex_lock(&c->lock);
	*flag = true;
	pthread_cond_signal(&c->changed);
	pthread_mutex_unlock(&c->lock);
}

static int read_at(struct sl_buf *text, struct sl_buf *name, bool *found,
		   char blob[SL_OID_HEXSZ + 1], struct sl_repo *repo,
		   const char *commit, struct sl_error *err)
{
	int ret =
	    sl_repo_blob_id_at(blob, found, repo, commit, SL_RULES_FILE, err);

	if (!ret && *found)
		ret = sl_repo_read_blob_at(text, found, repo, commit,
					   SL_RULES_FILE, err);
	sl_buf_addf(name, "%s@%.12s", SL_RULES_FILE, commit);
	return ret;
}

/* The work tree's copy: the head's for --worktree. */
static int read_worktree(struct sl_buf *text, struct sl_buf *name, bool *found,
			 const char *root, struct sl_error *err)
{
	struct sl_buf path = SL_BUF_INIT;
	struct stat st;
	int ret = 0;

	sl_buf_addf(&path, "%s/%s", root, SL_RULES_FILE);
	*found = !lstat(path.buf, &st);
	if (*found)
		ret = sl_buf_read_file(text, path.buf, SL_RULES_MAX_BYTES, err);
	sl_buf_adds(name, SL_RULES_FILE);
	sl_buf_release(&path);
	return ret;
}

/* The head's copy, kept only when it differs from the trusted one. */
static int read_head(struct plan_ctx *c, const struct sl_diff *diff,
		     struct sl_error *err)
{
	struct rules_load *l = &c->load;
	char blob[SL_OID_HEXSZ + 1] = "";
	bool found = false, differs;
	int ret;

	if (diff->worktree) {
		ret = read_worktree(&l->head_text, &l->head_name, &found,
				    c->plan->root, err);
		differs = found != l->base_found ||
			  l->base_text.len != l->head_text.len ||
			  memcmp(l->base_text.buf, l->head_text.buf,
				 l->base_text.len);
	} else {
		ret = sl_repo_blob_id_at(blob, &found, c->repo, diff->head,
					 SL_RULES_FILE, err);
		differs = found != l->base_found ||
			  (found && strcmp(blob, c->plan->rules_blob));
		if (!ret && found && differs)
			ret = read_at(&l->head_text, &l->head_name, &found,
				      blob, c->repo, diff->head, err);
	}
	l->head_found = !ret && found && differs;
	c->plan->rules_changed = !ret && differs;
	return ret;
}

/*
 * Called by the diff, on its thread, once the base is known and before the
 * merge-base walk, which can take longer than the rules' parse on a branch
 * far behind its base: reads the base's copy for this thread to parse
 * meanwhile. Nothing here is an error; start_rules() reads for real.
 */
static void guess_rules(const struct sl_diff *diff, void *data)
{
	struct plan_ctx *c = data;
	struct rules_load *l = &c->load;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf name = SL_BUF_INIT;

	if (!l->file &&
	    !read_at(&l->guess_text, &name, &l->guess_found, l->guess_blob,
		     c->repo, diff->base, &err) &&
	    l->guess_found)
		tell(c, &c->guessed);
	sl_buf_release(&name);
	sl_error_release(&err);
}

/*
 * Called by the diff, on its thread, once the commits are known: reads the
 * rules files (SPEC.md §1 "Which rules apply") and has them parsed, the
 * guess kept when the merge-base has the same blob.
 */
static int start_rules(const struct sl_diff *diff, void *data,
		       struct sl_error *err)
{
	struct plan_ctx *c = data;
	struct rules_load *l = &c->load;
	int ret = 0;

	if (!l->file && *diff->merge_base && l->guess_found &&
	    !sl_repo_blob_id_at(c->plan->rules_blob, &l->base_found, c->repo,
				diff->merge_base, SL_RULES_FILE, err) &&
	    l->base_found && !strcmp(c->plan->rules_blob, l->guess_blob)) {
		l->guess_kept = true;
		sl_buf_add(&l->base_text, l->guess_text.buf, l->guess_text.len);
		sl_buf_addf(&l->base_name, "%s@%.12s", SL_RULES_FILE,
			    diff->merge_base);
	} else if (!l->file && *diff->merge_base) {
		ret = read_at(&l->base_text, &l->base_name, &l->base_found,
			      c->plan->rules_blob, c->repo, diff->merge_base,
			      err);
	}
	if (!ret && !l->file)
		ret = read_head(c, diff, err);
	if (ret)
		return ret;
	tell(c, &c->resolved);
	return 0;
}

static void *run_diff(void *data)
{
	struct plan_ctx *c = data;

	c->diff_ret =
	    sl_diff_run(&c->plan->diff, c->repo, &c->diff, &c->diff_err);
	tell(c, &c->diffed);
	if (c->threaded)
		sl_rules_helpers_serve(c->helpers);
	return NULL;
}

/*
 * Runs the diff on a second thread and parses the rules here as soon as it
 * has read them; with no thread to be had, one after the other. Returns
 * the diff's status (its errors come first); the rules' is in c->load.
 */
static int diff_and_load(struct plan_ctx *c, struct sl_error *err)
{
	bool guess, parse;

	c->threaded = true;
	if (pthread_create(&c->thread, NULL, run_diff, c)) {
		c->threaded = false;
		run_diff(c);
	}
	pthread_mutex_lock(&c->lock);
	while (!c->guessed && !c->resolved && !c->diffed)
		pthread_cond_wait(&c->changed, &c->lock);
	guess = c->guessed && !c->resolved && !c->diffed;
	pthread_mutex_unlock(&c->lock);
	if (guess)
		load_guess(&c->load, c->threaded ? c->helpers : NULL);
	pthread_mutex_lock(&c->lock);
	while (!c->resolved && !c->diffed)
		pthread_cond_wait(&c->changed, &c->lock);
	parse = c->resolved;
	pthread_mutex_unlock(&c->lock);
	if (parse)
		load_rules(&c->load, c->threaded ? c->helpers : NULL);
	pthread_mutex_lock(&c->lock);
	while (!c->diffed)
		pthread_cond_wait(&c->changed, &c->lock);
	pthread_mutex_unlock(&c->lock);
	if (c->diff_ret) {
		*err = c->diff_err;
		c->diff_err = (struct sl_error)SL_ERROR_INIT;
	}
	return c->diff_ret;
}

/* The diff's thread has served the rules' work to the end: let it go. */
static void end_diff_thread(struct plan_ctx *c)
{
	sl_rules_helpers_close(c->helpers);
	if (c->threaded)
		pthread_join(c->thread, NULL);
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

/*
 * Takes the loader's results: --rules' file; else the copy at the
 * merge-base, plus the head's when it differs; a rules file the change
 * adds is all there is (nothing to trust yet); with no base at all
 * (degraded), the head's copy.
 */
static int take_rules(struct sl_plan *plan, struct rules_load *l,
		      struct sl_error *err)
{
	const struct sl_diff *diff = plan->diff;

	if (l->ret) {
		*err = l->err;
		l->err = (struct sl_error)SL_ERROR_INIT;
		return l->ret;
	}
	plan->rules = l->base;
	plan->head_rules = l->head;
	l->base = l->head = NULL;
	if (l->file || l->base_found) {
		plan->rules_source =
		    sl_xstrdup(l->file ? l->file : plan->rules->file);
		if (!l->file)
			memcpy(plan->rules_commit, diff->merge_base,
			       sizeof(plan->rules_commit));
		return 0;
	}
	/* No trusted copy: the head's is the only one there is. */
	plan->rules = plan->head_rules;
	plan->head_rules = NULL;
	plan->rules_blob[0] = '\0';
	if (!plan->rules)
		return no_rules_anywhere(diff, err);
	plan->rules_source = sl_xstrdup(plan->rules->file);
	if (!diff->worktree)
		memcpy(plan->rules_commit, diff->head,
		       sizeof(plan->rules_commit));
	return 0;
}

static void load_release(struct rules_load *l)
{
	sl_rules_free(l->base);
	sl_rules_free(l->head);
	sl_rules_free(l->guess);
	sl_buf_release(&l->guess_text);
	sl_buf_release(&l->base_text);
	sl_buf_release(&l->base_name);
	sl_buf_release(&l->head_text);
	sl_buf_release(&l->head_name);
	sl_error_release(&l->err);
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
static bool add_rules_file(struct sl_plan *plan, const struct rules_load *l)
{
	struct sl_change_list *changes = &plan->diff->changes;
	enum sl_change_status status = SL_CHANGE_MODIFIED;

	if (!plan->rules_changed || plan->diff->degraded ||
	    has_name(plan, SL_RULES_FILE))
		return false;
	if (!l->base_found)
		status = SL_CHANGE_ADDED;
	else if (!l->head_found)
		status = SL_CHANGE_DELETED;
	sl_change_list_push(changes, status, SL_RULES_FILE,
			    strlen(SL_RULES_FILE));
	sl_change_list_sort(changes);
	free(plan->names);
	plan->nnames = sl_change_list_names(&plan->names, changes);
	return true;
}

static void build_touched(struct sl_plan *plan, const struct rules_load *l)
{
	size_t i;
	bool added;

	plan->nnames = sl_change_list_names(&plan->names, &plan->diff->changes);
	added = add_rules_file(plan, l);
	plan->touched = sl_xcalloc(plan->nnames + 1, sizeof(*plan->touched));
	for (i = 0; i < plan->nnames; i++) {
		struct sl_touched *t = &plan->touched[i];

		t->path = plan->names[i].path;
		t->len = plan->names[i].len;
		t->flags = plan->names[i].change->submodule ? SL_MATCH_DIR : 0;
		if (added && !strcmp(t->path, SL_RULES_FILE))
			t->why = RULES_CHANGED_WHY;
	}
}

static int select_plan(struct sl_plan *plan, const struct rules_load *l,
		       struct sl_rules_helpers *helpers, struct sl_error *err)
{
	struct sl_select_options sel = {0};
	int ret;

	build_touched(plan, l);
	sel.helpers = helpers;
	sel.base = plan->rules;
	sel.head = plan->head_rules;
	sel.base_unavailable = plan->diff->degraded != NULL;
	sel.degraded_reason = plan->diff->degraded_reason;
	ret =
	    sl_select(&plan->selection, &sel, plan->touched, plan->nnames, err);
	if (!ret)
		plan->selection->rules_changed = plan->rules_changed;
	return ret;
}

int sl_plan_build(struct sl_plan **out, struct sl_repo *repo,
		  const struct sl_plan_options *opts, struct sl_error *err)
{
	struct plan_ctx c = {0};
	int ret;

	*out = NULL;
	c.plan = sl_xcalloc(1, sizeof(*c.plan));
	c.repo = repo;
	c.load.file = opts->rules_file;
	c.load.err = (struct sl_error)SL_ERROR_INIT;
	c.diff_err = (struct sl_error)SL_ERROR_INIT;
	c.plan->root =
	    sl_repo_root(repo) ? sl_xstrdup(sl_repo_root(repo)) : NULL;
	c.diff = opts->diff;
	c.diff.on_base = guess_rules;
	c.diff.on_resolved = start_rules;
	c.diff.on_resolved_data = &c;
	sl_rules_helpers_new(&c.helpers);
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.changed, NULL);
	ret = diff_and_load(&c, err);
	if (!ret)
		ret = take_rules(c.plan, &c.load, err);
	if (!ret)
		ret = select_plan(c.plan, &c.load,
				  c.threaded ? c.helpers : NULL, err);
	end_diff_thread(&c);
	load_release(&c.load);
	sl_error_release(&c.diff_err);
	sl_rules_helpers_free(c.helpers);
	pthread_cond_destroy(&c.changed);
	pthread_mutex_destroy(&c.lock);
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
	free(plan->touched);
	free(plan->names);
	sl_rules_free(plan->head_rules);
	sl_rules_free(plan->rules);
	sl_diff_free(plan->diff);
	free(plan->rules_source);
	free(plan->root);
	free(plan);
}
