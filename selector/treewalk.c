/*
 * treewalk.c: the comparison of two trees that every commit diff goes
 * through. It merge-walks the entries of the two trees in git's tree
 * order and skips every subtree whose id is the same on both sides,
 * without reading it, so that the cost follows the size of the change and
 * the depth of its paths, not the size of the repository. It also lists
 * every file of one tree. Trees are read, and their entries parsed, by
 * treeread.c; exact renames, sorting and the libgit2 similarity path are
 * treediff.c's.
 *
 * Why not git_diff_tree_to_tree(): it iterates every entry of both trees,
 * unchanged subtrees included, so a one-file change in a large tree costs
 * what the whole tree does.
 *
 * One thread walks: two threads sharing a walk spent more time waiting on
 * libgit2's pack locks than they saved (docs/performance.md, "Selection",
 * item 10).
 */
#include "common/common.h"

#include "selector/internal.h"

struct walk {
	struct sl_objects objs;
	struct sl_change_list *out;
	struct sl_buf path; /* the directory being compared, with '/' */
	struct sl_error *err;
};

/* The tree being read, named for messages by the path walked to it. */
static const char *tree_name(const struct walk *w)
{
	return w->path.len ? w->path.buf : "/";
}

/* Reads the next entry of t into t->cur; t->has is false at the end. */
static int advance(struct walk *w, struct sl_tree_reader *t)
{
	return sl_tree_reader_next(t, tree_name(w), w->err);
}

static int open_tree(struct sl_tree_reader *t, struct walk *w,
		     const git_oid *id)
{
	return sl_tree_reader_open(t, &w->objs, id, tree_name(w), w->err);
}

/*
 * git's tree order (base_name_compare): names compare bytewise, and a
 * directory compares as if its name ended in '/'. So a file "a" sorts
 * before "a.b" and a directory "a" after it (as "a/"), and a file and a
 * directory of the same name are two different entries, never a pair.
 */
static int entry_cmp(const struct sl_tree_entry *a,
		     const struct sl_tree_entry *b)
{
	size_t len = a->len < b->len ? a->len : b->len;
	int cmp = memcmp(a->name, b->name, len);
	unsigned char ac, bc;

	if (cmp)
		return cmp;
	ac = a->len > len		    ? (unsigned char)a->name[len]
	     : a->mode == GIT_FILEMODE_TREE ? '/'
					    : '\0';
	bc = b->len > len		    ? (unsigned char)b->name[len]
	     : b->mode == GIT_FILEMODE_TREE ? '/'
					    : '\0';
	return (int)ac - (int)bc;
}

/* Regular files (either mode), symbolic links and submodules are kinds. */
static uint32_t kind(uint32_t mode)
{
	return mode == GIT_FILEMODE_BLOB_EXECUTABLE ? GIT_FILEMODE_BLOB : mode;
}

static struct sl_change *push(struct walk *w, enum sl_change_status status,
			      const struct sl_tree_entry *e)
{
	size_t base = w->path.len;
	struct sl_change *c;

	sl_buf_add(&w->path, e->name, e->len);
	c = sl_change_list_push(w->out, status, w->path.buf, w->path.len);
	sl_buf_setlen(&w->path, base);
	return c;
}

static void set_old(struct sl_change *c, const struct sl_tree_entry *e)
{
	c->old_mode = e->mode;
	sl_oid_hex(c->old_id, &e->id);
	c->submodule |= e->mode == GIT_FILEMODE_COMMIT;
}

static void set_new(struct sl_change *c, const struct sl_tree_entry *e)
{
	c->new_mode = e->mode;
	sl_oid_hex(c->new_id, &e->id);
	c->submodule |= e->mode == GIT_FILEMODE_COMMIT;
}

static int diff_trees(struct walk *w, struct sl_tree_reader *a,
		      struct sl_tree_reader *b, int depth);

/* Enters directory ea and/or eb (the side that lacks it passes NULL). */
static int descend(struct walk *w, const struct sl_tree_entry *ea,
		   const struct sl_tree_entry *eb, int depth)
{
	const struct sl_tree_entry *e = ea ? ea : eb;
	struct sl_tree_reader ta = {0}, tb = {0};
	size_t base = w->path.len;
	int ret;

	sl_buf_add(&w->path, e->name, e->len);
	if (depth >= SL_TREE_MAX_DEPTH) {
		ret = sl_error_set(w->err, SL_EENV,
				   "'%s' is nested deeper than %d directories",
				   w->path.buf, SL_TREE_MAX_DEPTH);
		goto out;
	}
	ret = ea ? open_tree(&ta, w, &ea->id) : 0;
	if (!ret && eb)
		ret = open_tree(&tb, w, &eb->id);
	sl_buf_addch(&w->path, '/');
	if (!ret)
		ret =
		    diff_trees(w, ea ? &ta : NULL, eb ? &tb : NULL, depth + 1);
out:
	sl_tree_reader_release(&ta);
	sl_tree_reader_release(&tb);
	sl_buf_setlen(&w->path, base);
	return ret;
}

/* An entry only the old side (ea) or only the new side (eb) has. */
static int one_side(struct walk *w, const struct sl_tree_entry *ea,
		    const struct sl_tree_entry *eb, int depth)
{
	struct sl_change *c;

	if ((ea ? ea : eb)->mode == GIT_FILEMODE_TREE)
		return descend(w, ea, eb, depth);
	if (ea) {
		c = push(w, SL_CHANGE_DELETED, ea);
		set_old(c, ea);
	} else {
		c = push(w, SL_CHANGE_ADDED, eb);
		set_new(c, eb);
	}
	return 0;
}

/* The same name on both sides (so both trees, or both not trees). */
static int both_sides(struct walk *w, const struct sl_tree_entry *ea,
		      const struct sl_tree_entry *eb, int depth)
{
	struct sl_change *c;

	if (ea->mode == eb->mode && git_oid_equal(&ea->id, &eb->id))
		return 0; /* the whole subtree, unread */
	if (ea->mode == GIT_FILEMODE_TREE)
		return descend(w, ea, eb, depth);
	c = push(w,
		 kind(ea->mode) == kind(eb->mode) ? SL_CHANGE_MODIFIED
						  : SL_CHANGE_TYPECHANGE,
		 eb);
	set_old(c, ea);
	set_new(c, eb);
	return 0;
}

/* ---- the comparison ---------------------------------------------------- */

/* a or b may be NULL: everything of the other side was added or deleted. */
static int diff_trees(struct walk *w, struct sl_tree_reader *a,
		      struct sl_tree_reader *b, int depth)
{
	int ret = 0;

	while (!ret && ((a && a->has) || (b && b->has))) {
		bool has_a = a && a->has, has_b = b && b->has;
		int cmp = !has_a   ? 1
			  : !has_b ? -1
				   : entry_cmp(&a->cur, &b->cur);

		if (cmp < 0)
			ret = one_side(w, &a->cur, NULL, depth);
		else if (cmp > 0)
			ret = one_side(w, NULL, &b->cur, depth);
		else
			ret = both_sides(w, &a->cur, &b->cur, depth);
		if (!ret && cmp <= 0)
			ret = advance(w, a);
		if (!ret && cmp >= 0)
			ret = advance(w, b);
	}
	return ret;
}

static void walk_release(struct walk *w)
{
	sl_objects_release(&w->objs);
	sl_buf_release(&w->path);
}

int sl_tree_diff(struct sl_change_list *out, struct sl_repo *repo,
		 const git_oid *old_tree, const git_oid *new_tree,
		 struct sl_error *err)
{
	struct walk w = {.out = out, .path = SL_BUF_INIT, .err = err};
	struct sl_tree_reader a = {0}, b = {0};
	int ret;

	ret = sl_objects_open(&w.objs, repo, err);
	if (!ret)
		ret = open_tree(&a, &w, old_tree);
	if (!ret)
		ret = open_tree(&b, &w, new_tree);
	if (!ret)
		ret = diff_trees(&w, &a, &b, 0);
	sl_tree_reader_release(&a);
	sl_tree_reader_release(&b);
	walk_release(&w);
	return ret;
}

/* ---- every file of one tree ------------------------------------------ */

static int list_tree(struct walk *w, struct sl_tree_reader *t,
		     struct sl_file_list *out, int depth);

static int list_subtree(struct walk *w, const struct sl_tree_entry *e,
			struct sl_file_list *out, int depth)
{
	struct sl_tree_reader sub = {0};
	size_t base = w->path.len;
	int ret;

	sl_buf_add(&w->path, e->name, e->len);
	if (depth >= SL_TREE_MAX_DEPTH)
		ret = sl_error_set(w->err, SL_EENV,
				   "'%s' is nested deeper than %d directories",
				   w->path.buf, SL_TREE_MAX_DEPTH);
	else
		ret = open_tree(&sub, w, &e->id);
	sl_buf_addch(&w->path, '/');
	if (!ret)
		ret = list_tree(w, &sub, out, depth + 1);
	sl_tree_reader_release(&sub);
	sl_buf_setlen(&w->path, base);
	return ret;
}

static int list_tree(struct walk *w, struct sl_tree_reader *t,
		     struct sl_file_list *out, int depth)
{
	int ret = 0;

	while (!ret && t->has) {
		const struct sl_tree_entry *e = &t->cur;
		struct sl_tree_file *f;

		if (e->mode == GIT_FILEMODE_TREE) {
			ret = list_subtree(w, e, out, depth);
		} else {
			SL_ALLOC_GROW(out->items, out->n + 1, out->alloc);
			f = &out->items[out->n++];
			f->len = w->path.len + e->len;
			f->path = sl_xmalloc(f->len + 1);
			memcpy(f->path, w->path.buf, w->path.len);
			memcpy(f->path + w->path.len, e->name, e->len);
			f->path[f->len] = '\0';
			f->mode = e->mode;
			f->gitlink = e->mode == GIT_FILEMODE_COMMIT;
		}
		if (!ret)
			ret = advance(w, t);
	}
	return ret;
}

int sl_tree_list(struct sl_file_list *out, struct sl_repo *repo,
		 const git_oid *tree, struct sl_error *err)
{
	struct walk w = {.path = SL_BUF_INIT, .err = err};
	struct sl_tree_reader t = {0};
	int ret;

	ret = sl_objects_open(&w.objs, repo, err);
	if (!ret)
		ret = open_tree(&t, &w, tree);
	if (!ret)
		ret = list_tree(&w, &t, out, 0);
	sl_tree_reader_release(&t);
	walk_release(&w);
	return ret;
}
