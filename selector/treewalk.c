/*
 * treewalk.c: the comparison of two trees that every commit diff goes
 * through. It merge-walks the entries of the two trees in git's tree
 * order and skips every subtree whose id is the same on both sides,
 * without reading it, so that the cost follows the size of the change and
 * the depth of its paths, not the size of the repository. It also lists
 * every file of one tree, with the same reader. Exact renames, sorting and
 * the libgit2 similarity path are treediff.c's.
 *
 * Why not git_diff_tree_to_tree(): it iterates every entry of both trees,
 * unchanged subtrees included: 530 M instructions (~100 ms) on a
 * 100,000-file tree when one file changed, against 10.5 M here, start-up
 * included. Why raw objects and not git_tree: a git_tree is parsed
 * into an array of entries and kept in libgit2's object cache; a tree read
 * here is used once, in order, so it is walked where it lies in the
 * object's buffer (a fifth of the diff's instructions on a large change;
 * docs/performance.md).
 *
 * With a pool (treepool.c), a walk that sees another thread waiting hands
 * it the second half of what its outermost unfinished directory has left
 * (the entries of both trees from its middle subtree on, copied out) as a
 * task. The directory's walk ends where the task begins, and the task's
 * changes are spliced in there, so the result is the one walk's, in order.
 */
#include "common/common.h"

#include "selector/internal.h"

/* One entry of a raw tree object: "<octal mode> <name>\0<20-byte id>". */
struct entry {
	const char *name; /* not NUL-terminated by itself: use len */
	size_t len;
	uint32_t mode; /* canonical, as git_tree_entry_filemode() gives it */
	git_oid id;
};

/* A tree object (or a handed-over part of one) being read, and its next
 * entry. */
struct tree {
	git_odb_object *obj; /* NULL: p..end belongs to a task */
	const char *p, *end;
	const char *cur_at; /* where cur's bytes start */
	struct entry cur;
	bool has;
};

/* One directory being compared, as a hand-over sees it. */
struct frame {
	struct tree *a, *b; /* NULL: the side has no such tree */
	size_t dirlen;	    /* of the walk's path */
	int depth;
	int cmp; /* the entry being compared: <= 0 a's, >= 0 b's */
	/* The parts handed over from it, linked by `after`, the one that
	 * comes first in the walk's order first. */
	struct sl_walk_task *handed;
};

struct walk {
	struct sl_repo *repo;
	git_odb *odb;
	struct sl_walk_part *out;
	struct sl_buf path; /* the directory being compared, with '/' */
	struct sl_error *err;
	struct sl_walk_pool *pool; /* NULL: nobody to hand over to */
	struct frame **frames;	   /* the directories open, outermost first */
	size_t nframes, frames_alloc;
};

/* git's canon_mode(): what any mode a tree may hold means. */
static uint32_t canon_mode(uint32_t mode)
{
	switch (mode & 0170000) {
	case 0040000:
		return GIT_FILEMODE_TREE;
	case 0120000:
		return GIT_FILEMODE_LINK;
	case 0160000:
		return GIT_FILEMODE_COMMIT;
	default:
		return mode & 0100 ? GIT_FILEMODE_BLOB_EXECUTABLE
				   : GIT_FILEMODE_BLOB;
	}
}

static int malformed(struct walk *w)
{
	return sl_error_set(w->err, SL_EENV,
			    "the tree '%s' is malformed (a damaged repository: "
			    "run git fsck)",
			    w->path.len ? w->path.buf : "/");
}

/* Parses the entry at *p (before end) into e and moves *p past it;
 * false when the bytes are not a tree entry. */
static bool parse_entry(struct entry *e, const char **p, const char *end)
{
	const char *q = *p, *name, *nul;
	uint32_t mode = 0;

	/* Nearly every entry is a file or a directory, as git writes them. */
	if (end - q > 7 && !memcmp(q, "100644 ", 7)) {
		mode = 0100644;
		q += 6;
	} else if (end - q > 6 && !memcmp(q, "40000 ", 6)) {
		mode = 040000;
		q += 5;
	} else {
		/* Octal digits up to a space; too many is no mode. */
		while (q < end && *q >= '0' && *q <= '7' && mode <= 0177777)
			mode = mode * 8 + (uint32_t)(*q++ - '0');
		if (q == *p || q == end || *q != ' ')
			return false;
	}
	name = q + 1;
	nul = memchr(name, '\0', (size_t)(end - name));
	if (!nul || nul == name || (size_t)(end - nul) < 1 + GIT_OID_RAWSZ)
		return false;
	e->name = name;
	e->len = (size_t)(nul - name);
	e->mode = canon_mode(mode);
	memcpy(e->id.id, nul + 1, GIT_OID_RAWSZ);
	*p = nul + 1 + GIT_OID_RAWSZ;
	return true;
}

/* Reads the next entry of t into t->cur; t->has is false at the end. */
static int advance(struct walk *w, struct tree *t)
{
	t->has = t->p < t->end;
	t->cur_at = t->p;
	if (t->has && !parse_entry(&t->cur, &t->p, t->end))
		return malformed(w);
	return 0;
}

static int open_tree(struct tree *t, struct walk *w, const git_oid *id)
{
	memset(t, 0, sizeof(*t));
	if (git_odb_read(&t->obj, w->odb, id) < 0)
		return sl_git_error(w->err, SL_EENV,
				    "cannot read the tree '%s' (a damaged or "
				    "incomplete repository: run git fsck)",
				    w->path.len ? w->path.buf : "/");
	if (git_odb_object_type(t->obj) != GIT_OBJECT_TREE)
		return malformed(w);
	t->p = git_odb_object_data(t->obj);
	t->end = t->p + git_odb_object_size(t->obj);
	return advance(w, t);
}

static void close_tree(struct tree *t)
{
	git_odb_object_free(t->obj);
	t->obj = NULL;
}

/*
 * git's tree order (base_name_compare): names compare bytewise, and a
 * directory compares as if its name ended in '/'. So a file "a" sorts
 * before "a.b" and a directory "a" after it (as "a/"), and a file and a
 * directory of the same name are two different entries, never a pair.
 */
static int entry_cmp(const struct entry *a, const struct entry *b)
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
			      const struct entry *e)
{
	size_t base = w->path.len;
	struct sl_change *c;

	sl_buf_add(&w->path, e->name, e->len);
	c = sl_change_list_push(&w->out->changes, status, w->path.buf,
				w->path.len);
	sl_buf_setlen(&w->path, base);
	return c;
}

static void set_old(struct sl_change *c, const struct entry *e)
{
	c->old_mode = e->mode;
	sl_oid_hex(c->old_id, &e->id);
	c->submodule |= e->mode == GIT_FILEMODE_COMMIT;
}

static void set_new(struct sl_change *c, const struct entry *e)
{
	c->new_mode = e->mode;
	sl_oid_hex(c->new_id, &e->id);
	c->submodule |= e->mode == GIT_FILEMODE_COMMIT;
}

static int diff_trees(struct walk *w, struct tree *a, struct tree *b,
		      int depth);

/* Enters directory ea and/or eb (the side that lacks it passes NULL). */
static int descend(struct walk *w, const struct entry *ea,
		   const struct entry *eb, int depth)
{
	const struct entry *e = ea ? ea : eb;
	struct tree ta = {0}, tb = {0};
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
	close_tree(&ta);
	close_tree(&tb);
	sl_buf_setlen(&w->path, base);
	return ret;
}

/* An entry only the old side (ea) or only the new side (eb) has. */
static int one_side(struct walk *w, const struct entry *ea,
		    const struct entry *eb, int depth)
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
static int both_sides(struct walk *w, const struct entry *ea,
		      const struct entry *eb, int depth)
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

/* ---- handing the rest of a directory over --------------------------- */

/*
 * Where the entries of a directory's side t that its walk has not reached
 * start: past the current entry when the comparison under way takes it
 * (consumed), else at it. NULL when there are none.
 */
static const char *rest_of(const struct tree *t, bool consumed)
{
	if (!t || !t->has)
		return NULL;
	return consumed ? t->p : t->cur_at;
}

/* The subtrees among the raw entries p..end; -1 when they do not parse
 * (the walk will say so when it gets there). */
static long count_subtrees(const char *p, const char *end)
{
	struct entry e;
	long n = 0;

	while (p && p < end) {
		if (!parse_entry(&e, &p, end))
			return -1;
		n += e.mode == GIT_FILEMODE_TREE;
	}
	return n;
}

/* Where the k-th subtree (from 0) of p..end is, and it. */
static const char *nth_subtree(struct entry *out, const char *p,
			       const char *end, long k)
{
	for (;;) {
		const char *at = p;

		if (!parse_entry(out, &p, end))
			return NULL;
		if (out->mode == GIT_FILEMODE_TREE && !k--)
			return at;
	}
}

/* The first of p..end that does not sort before m (end when none does). */
static const char *split_at(const char *p, const char *end,
			    const struct entry *m)
{
	while (p && p < end) {
		const char *at = p;
		struct entry e;

		if (!parse_entry(&e, &p, end))
			return NULL;
		if (entry_cmp(&e, m) >= 0)
			return at;
	}
	return end;
}

/*
 * Cuts side t of a directory at `at`: what lies past it goes to the task
 * (*entries, *len; NULL when the side has no tree), and t ends there.
 */
static void cut(char **entries, size_t *len, struct tree *t, const char *at)
{
	if (!t)
		return;
	*len = at ? (size_t)(t->end - at) : 0;
	*entries = sl_xmemdupz(at ? at : "", *len);
	if (!at)
		return;
	if (at == t->cur_at && t->has && at != t->p) {
		/* The entry t is on was not compared yet: it goes too. */
		t->has = false;
		t->p = at;
	}
	t->end = at;
}

/*
 * Splits the rest of frame f (what its walk has not reached: past the
 * entry it is on) at its middle subtree and builds the task for the
 * second half; NULL when the rest has no subtree, the only entries that
 * cost a walk anything. Pairs of entries stay on one side: both sides are
 * cut before the same name.
 */
static struct sl_walk_task *split_frame(struct walk *w, struct frame *f)
{
	const char *ra = rest_of(f->a, f->cmp <= 0);
	const char *rb = rest_of(f->b, f->cmp >= 0);
	const char *ea = ra ? f->a->end : NULL, *eb = rb ? f->b->end : NULL;
	long na = count_subtrees(ra, ea), nb = count_subtrees(rb, eb);
	struct sl_walk_task *task;
	const char *cut_a, *cut_b;
	struct entry m;

	if (na < 0 || nb < 0 || na + nb == 0)
		return NULL;
	if (na >= nb) {
		cut_a = nth_subtree(&m, ra, ea, na / 2);
		cut_b = split_at(rb, eb, &m);
	} else {
		cut_b = nth_subtree(&m, rb, eb, nb / 2);
		cut_a = split_at(ra, ea, &m);
	}
	if ((ra && !cut_a) || (rb && !cut_b))
		return NULL;
	task = sl_xcalloc(1, sizeof(*task));
	task->dir = sl_xmemdupz(w->path.buf, f->dirlen);
	task->dirlen = f->dirlen;
	cut(&task->old_entries, &task->old_len, f->a, cut_a);
	cut(&task->new_entries, &task->new_len, f->b, cut_b);
	task->depth = f->depth;
	task->err = (struct sl_error)SL_ERROR_INIT;
	return task;
}

/*
 * Hands half of the rest of the outermost directory that has a subtree
 * left to a waiting thread, queued while the pool's lock is held. The
 * walker keeps the entry it is on and the first half, so every hand-over
 * leaves it work and the walk always advances, and two threads share a
 * directory with a handful of hand-overs, not one per entry. The task's
 * changes are spliced in where the directory's walk ends.
 */
static void hand_over(struct walk *w)
{
	struct sl_walk_task *task = NULL;
	size_t i;

	if (!sl_walk_pool_lock_if_waiting(w->pool))
		return;
	for (i = 0; i < w->nframes && !task; i++) {
		struct frame *f = w->frames[i];

		task = split_frame(w, f);
		if (task) {
			/* Cut before any earlier one: spliced first. */
			task->after = f->handed;
			f->handed = task;
		}
	}
	sl_walk_pool_give(w->pool, task);
}

static void add_splice(struct sl_walk_part *part, struct sl_walk_task *task)
{
	SL_ALLOC_GROW(part->splices, part->nsplices + 1, part->splices_alloc);
	part->splices[part->nsplices++] =
	    (struct sl_walk_splice){part->changes.n, task};
}

static void frame_push(struct walk *w, struct frame *f)
{
	SL_ALLOC_GROW(w->frames, w->nframes + 1, w->frames_alloc);
	w->frames[w->nframes++] = f;
}

/* Leaves the directory: what it handed over goes in here, in order. */
static void frame_pop(struct walk *w, struct frame *f)
{
	struct sl_walk_task *task = f->handed;

	w->nframes--;
	for (; task; task = task->after)
		add_splice(w->out, task);
}

/* ---- the comparison ---------------------------------------------------- */

/* a or b may be NULL: everything of the other side was added or deleted. */
static int diff_trees(struct walk *w, struct tree *a, struct tree *b, int depth)
{
	struct frame f = {a, b, w->path.len, depth, 0, NULL};
	int ret = 0;

	frame_push(w, &f);
	while (!ret && ((a && a->has) || (b && b->has))) {
		bool has_a = a && a->has, has_b = b && b->has;

		f.cmp = !has_a ? 1 : !has_b ? -1 : entry_cmp(&a->cur, &b->cur);
		/* Every open directory is on an entry now: a good moment. */
		if (w->pool && sl_walk_pool_wanted(w->pool))
			hand_over(w);
		if (f.cmp < 0)
			ret = one_side(w, &a->cur, NULL, depth);
		else if (f.cmp > 0)
			ret = one_side(w, NULL, &b->cur, depth);
		else
			ret = both_sides(w, &a->cur, &b->cur, depth);
		if (!ret && f.cmp <= 0)
			ret = advance(w, a);
		if (!ret && f.cmp >= 0)
			ret = advance(w, b);
	}
	frame_pop(w, &f);
	return ret;
}

static void walk_release(struct walk *w)
{
	git_odb_free(w->odb);
	sl_buf_release(&w->path);
	free(w->frames);
}

static int open_odb(struct walk *w)
{
	if (git_repository_odb(&w->odb, w->repo->git) < 0)
		return sl_git_error(w->err, SL_EENV,
				    "cannot open the object database");
	return 0;
}

/*
 * Moves part's changes, with those of the parts it handed over spliced
 * in, to the end of out, and frees the tasks. The first failure met, in
 * the walk's order, goes to *ret and err unless *ret is set already.
 */
static void splice_parts(struct sl_change_list *out, struct sl_walk_part *part,
			 int *ret, struct sl_error *err)
{
	struct sl_change_list *from = &part->changes;
	size_t i, next = 0;

	for (i = 0; i <= part->nsplices; i++) {
		size_t end = i < part->nsplices ? part->splices[i].at : from->n;
		struct sl_walk_task *task;

		if (end > next) {
			SL_ALLOC_GROW(out->items, out->n + end - next,
				      out->alloc);
			memcpy(out->items + out->n, from->items + next,
			       (end - next) * sizeof(*out->items));
			out->n += end - next;
			next = end;
		}
		if (i == part->nsplices)
			break;
		task = part->splices[i].task;
		if (task->ret && !*ret) {
			*ret = task->ret;
			sl_error_release(err);
			*err = task->err;
			task->err = (struct sl_error)SL_ERROR_INIT;
		}
		splice_parts(out, &task->part, ret, err);
		sl_walk_task_free(task);
	}
	free(from->items);
	free(part->splices);
	*part = (struct sl_walk_part){0};
}

int sl_tree_diff(struct sl_change_list *out, struct sl_repo *repo,
		 const struct sl_tree_diff_options *opts, struct sl_error *err)
{
	struct sl_walk_part root = {0};
	struct walk w = {repo, NULL, &root, SL_BUF_INIT, err, opts->pool,
			 NULL, 0,    0};
	struct tree a = {0}, b = {0};
	int ret;

	ret = open_odb(&w);
	if (!ret)
		ret = open_tree(&a, &w, opts->old_tree);
	if (!ret)
		ret = open_tree(&b, &w, opts->new_tree);
	if (w.pool)
		sl_walk_pool_begin(w.pool);
	if (!ret)
		ret = diff_trees(&w, &a, &b, 0);
	close_tree(&a);
	close_tree(&b);
	/* Every part handed over is done before anything is spliced. */
	if (w.pool)
		sl_walk_pool_finish(w.pool, repo);
	splice_parts(out, &root, &ret, err);
	walk_release(&w);
	return ret;
}

/* A handed-over side: its entries, or NULL when it has no such tree. */
static int task_tree(struct tree **out, struct tree *t, struct walk *w,
		     const char *entries, size_t len)
{
	*out = NULL;
	if (!entries)
		return 0;
	*t = (struct tree){NULL, entries, entries + len, entries, {0}, false};
	*out = t;
	return advance(w, t);
}

void sl_walk_task_run(struct sl_walk_task *task, struct sl_repo *repo,
		      struct sl_walk_pool *pool)
{
	struct walk w = {
	    repo, NULL, &task->part, SL_BUF_INIT, &task->err, pool, NULL, 0, 0};
	struct tree ta, tb, *a, *b;
	int ret;

	sl_buf_add(&w.path, task->dir, task->dirlen);
	ret = open_odb(&w);
	if (!ret)
		ret = task_tree(&a, &ta, &w, task->old_entries, task->old_len);
	if (!ret)
		ret = task_tree(&b, &tb, &w, task->new_entries, task->new_len);
	if (!ret)
		ret = diff_trees(&w, a, b, task->depth);
	task->ret = ret;
	walk_release(&w);
}

void sl_walk_task_free(struct sl_walk_task *task)
{
	size_t i;

	if (!task)
		return;
	for (i = 0; i < task->part.nsplices; i++)
		sl_walk_task_free(task->part.splices[i].task);
	free(task->part.splices);
	sl_change_list_release(&task->part.changes);
	free(task->dir);
	free(task->old_entries);
	free(task->new_entries);
	sl_error_release(&task->err);
	free(task);
}

/* ---- every file of one tree ------------------------------------------ */

static int list_tree(struct walk *w, struct tree *t, struct sl_file_list *out,
		     int depth);

static int list_subtree(struct walk *w, const struct entry *e,
			struct sl_file_list *out, int depth)
{
	struct tree sub = {0};
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
	close_tree(&sub);
	sl_buf_setlen(&w->path, base);
	return ret;
}

static int list_tree(struct walk *w, struct tree *t, struct sl_file_list *out,
		     int depth)
{
	int ret = 0;

	while (!ret && t->has) {
		const struct entry *e = &t->cur;
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
	struct walk w = {repo, NULL, NULL, SL_BUF_INIT, err, NULL, NULL, 0, 0};
	struct tree t = {0};
	int ret;

	ret = open_odb(&w);
	if (!ret)
		ret = open_tree(&t, &w, tree);
	if (!ret)
		ret = list_tree(&w, &t, out, 0);
	close_tree(&t);
	walk_release(&w);
	return ret;
}
