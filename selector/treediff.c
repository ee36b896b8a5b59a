/*
 * treediff.c: the changes between two commits. It owns what surrounds
 * the comparison of the two trees (treewalk.c): the pairing of exact
 * renames, similarity renames through libgit2 on request, and the
 * conversion of a libgit2 git_diff (that one, and the working copy's in
 * worktree.c) into a change list. Which commits to compare is range.c's.
 */
#include "common/common.h"

#include "selector/internal.h"

/* The empty blob: never paired as a rename (any two empty files would be). */
static const char empty_blob_hex[] = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

/* ---- exact renames --------------------------------------------------- */

static bool rename_candidate(const struct sl_change *c)
{
	const char *id = c->status == SL_CHANGE_DELETED ? c->old_id : c->new_id;

	if (c->status != SL_CHANGE_DELETED && c->status != SL_CHANGE_ADDED)
		return false;
	return !c->submodule && *id && strcmp(id, empty_blob_hex) != 0;
}

struct pairing {
	struct sl_change **deleted; /* sorted by (id, mode, path) */
	size_t n;
	bool *used;
};

static int deleted_cmp(const void *a, const void *b)
{
	const struct sl_change *x = *(struct sl_change *const *)a;
	const struct sl_change *y = *(struct sl_change *const *)b;
	int cmp = strcmp(x->old_id, y->old_id);

	if (!cmp && x->old_mode != y->old_mode)
		cmp = x->old_mode < y->old_mode ? -1 : 1;
	return cmp ? cmp : sl_path_cmp(x->path, x->len, y->path, y->len);
}

static const char *basename_of(const char *path, size_t len, size_t *out_len)
{
	const char *slash = memrchr(path, '/', len);
	const char *base = slash ? slash + 1 : path;

	*out_len = len - (size_t)(base - path);
	return base;
}

/* The first deleted index with id and mode of c, or p->n. */
static size_t lower_bound(const struct pairing *p, const struct sl_change *c)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sl_change *d = p->deleted[mid];
		int cmp = strcmp(d->old_id, c->new_id);

		if (!cmp && d->old_mode != c->new_mode)
			cmp = d->old_mode < c->new_mode ? -1 : 1;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The deleted path to pair the added c with: among those with the same
 * blob id and mode, the first with the same base name (a move to another
 * directory), else the first in path order. SIZE_MAX when none is left.
 */
static size_t pick(struct pairing *p, const struct sl_change *c)
{
	size_t k, first = SIZE_MAX, blen, dlen;
	const char *base = basename_of(c->path, c->len, &blen);

	for (k = lower_bound(p, c); k < p->n; k++) {
		const struct sl_change *d = p->deleted[k];
		const char *dbase;

		if (strcmp(d->old_id, c->new_id) || d->old_mode != c->new_mode)
			break;
		if (p->used[k])
			continue;
		if (first == SIZE_MAX)
			first = k;
		dbase = basename_of(d->path, d->len, &dlen);
		if (dlen == blen && !memcmp(dbase, base, blen))
			return k;
	}
	return first;
}

static void make_rename(struct sl_change *added, struct sl_change *deleted)
{
	added->status = SL_CHANGE_RENAMED;
	added->old_path = deleted->path;
	added->old_len = deleted->len;
	added->old_mode = deleted->old_mode;
	memcpy(added->old_id, deleted->old_id, sizeof(added->old_id));
	added->similarity = 100;
	deleted->path = NULL; /* moved; the entry is dropped below */
}

/* Drops the entries whose path was moved into a rename. */
static void drop_moved(struct sl_change_list *list)
{
	size_t i, kept = 0;

	for (i = 0; i < list->n; i++)
		if (list->items[i].path)
			list->items[kept++] = list->items[i];
	list->n = kept;
}

void sl_change_list_pair_renames(struct sl_change_list *list)
{
	struct pairing p = {NULL, 0, NULL};
	size_t i, k;
	bool any = false;

	p.deleted = sl_xcalloc(list->n + 1, sizeof(*p.deleted));
	for (i = 0; i < list->n; i++) {
		if (!rename_candidate(&list->items[i]))
			continue;
		if (list->items[i].status == SL_CHANGE_DELETED)
			p.deleted[p.n++] = &list->items[i];
		else
			any = true;
	}
	if (!p.n || !any)
		goto out;
	qsort(p.deleted, p.n, sizeof(*p.deleted), deleted_cmp);
	p.used = sl_xcalloc(p.n, sizeof(*p.used));
	for (i = 0; i < list->n; i++) {
		struct sl_change *c = &list->items[i];

		if (c->status != SL_CHANGE_ADDED || !rename_candidate(c))
			continue;
		k = pick(&p, c);
		if (k == SIZE_MAX)
			continue;
		p.used[k] = true;
		make_rename(c, p.deleted[k]);
	}
	drop_moved(list);
out:
	free(p.used);
	free(p.deleted);
}

/* ---- libgit2 diffs --------------------------------------------------- */

static enum sl_change_status from_delta(git_delta_t status)
{
	switch (status) {
	case GIT_DELTA_ADDED:
	case GIT_DELTA_UNTRACKED:
	case GIT_DELTA_COPIED:
		return SL_CHANGE_ADDED;
	case GIT_DELTA_DELETED:
		return SL_CHANGE_DELETED;
	case GIT_DELTA_TYPECHANGE:
		return SL_CHANGE_TYPECHANGE;
	case GIT_DELTA_RENAMED:
		return SL_CHANGE_RENAMED;
	default:
		/* Modified, and what cannot be known for sure (unreadable,
		 * conflicted): counted as changed, never as unchanged. */
		return SL_CHANGE_MODIFIED;
	}
}

static void set_file(uint32_t *mode, char id[SL_OID_HEXSZ + 1],
		     const git_diff_file *f)
{
	*mode = f->mode;
	if (f->mode && !git_oid_is_zero(&f->id))
		sl_oid_hex(id, &f->id);
}

/* Untracked directories (a nested repository) come with a trailing '/'. */
static size_t path_len(const char *path)
{
	size_t len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	return len;
}

void sl_changes_from_git_diff(struct sl_change_list *out, git_diff *diff)
{
	size_t i, n = git_diff_num_deltas(diff);

	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		enum sl_change_status status = from_delta(d->status);
		const git_diff_file *f =
		    status == SL_CHANGE_DELETED ? &d->old_file : &d->new_file;
		struct sl_change *c;

		if (d->status == GIT_DELTA_UNMODIFIED ||
		    d->status == GIT_DELTA_IGNORED)
			continue;
		c = sl_change_list_push(out, status, f->path,
					path_len(f->path));
		if (status != SL_CHANGE_ADDED)
			set_file(&c->old_mode, c->old_id, &d->old_file);
		if (status != SL_CHANGE_DELETED)
			set_file(&c->new_mode, c->new_id, &d->new_file);
		c->submodule = c->old_mode == GIT_FILEMODE_COMMIT ||
			       c->new_mode == GIT_FILEMODE_COMMIT ||
			       (d->status == GIT_DELTA_UNTRACKED &&
				c->len < strlen(f->path));
		if (status == SL_CHANGE_RENAMED) {
			c->old_len = strlen(d->old_file.path);
			c->old_path = sl_xmemdupz(d->old_file.path, c->old_len);
			c->similarity = d->similarity;
		}
	}
}

static int diff_similar(struct sl_change_list *out, struct sl_repo *repo,
			git_commit *a, git_commit *b, struct sl_error *err)
{
	git_diff_options opts;
	git_diff_find_options find;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	int ret = 0;

	/* The _INIT macros leave fields out, which -Wextra refuses. */
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
	/* Submodules count by their commit id, whatever .gitmodules says. */
	opts.ignore_submodules = GIT_SUBMODULE_IGNORE_NONE;
	git_diff_find_options_init(&find, GIT_DIFF_FIND_OPTIONS_VERSION);
	find.flags = GIT_DIFF_FIND_RENAMES;
	if (git_commit_tree(&ta, a) < 0 || git_commit_tree(&tb, b) < 0 ||
	    git_diff_tree_to_tree(&diff, repo->git, ta, tb, &opts) < 0 ||
	    git_diff_find_similar(diff, &find) < 0)
		ret = sl_git_error(err, SL_EENV,
				   "cannot compare the two commits' trees (a "
				   "damaged or incomplete repository: run git "
				   "fsck)");
	else
		sl_changes_from_git_diff(out, diff);
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	return ret;
}

int sl_diff_commits(struct sl_change_list *out, struct sl_repo *repo,
		    const char *old_rev, const char *new_rev, bool find_renames,
		    struct sl_error *err)
{
	git_commit *a = NULL, *b = NULL;
	int ret;

	ret = sl_repo_lookup_commit(&a, repo, old_rev, "commit", err);
	if (!ret)
		ret = sl_repo_lookup_commit(&b, repo, new_rev, "commit", err);
	if (!ret && find_renames) {
		ret = diff_similar(out, repo, a, b, err);
	} else if (!ret) {
		ret = sl_tree_diff(out, repo, git_commit_tree_id(a),
				   git_commit_tree_id(b), err);
		if (!ret)
			sl_change_list_pair_renames(out);
	}
	if (ret)
		sl_change_list_release(out);
	else
		sl_change_list_sort_unique(out);
	git_commit_free(a);
	git_commit_free(b);
	return ret;
}
