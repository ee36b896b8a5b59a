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
 * unchanged subtrees included, so a one-file change in a large tree costs
 * what the whole tree does. Why raw objects and not git_tree: a git_tree
 * is parsed into an array of entries and kept in libgit2's object cache;
 * a tree read here is used once, in order, so it is walked where it lies
 * in the object's buffer (docs/performance.md, "Start-up and the diff",
 * items 2 and 4, has the measurements).
 *
 * One thread walks: two threads sharing a walk spent more time waiting on
 * libgit2's pack locks than they saved (docs/performance.md, "Selection",
 * item 10).
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

/* A tree object being read, and its next entry. */
struct tree {
	unsigned char *data; /* read from the packs (packs.c) */
	git_odb_object *obj; /* or else read by libgit2 */
	const char *p, *end;
	struct entry cur;
	bool has;
};

struct walk {
	struct sl_repo *repo;
	struct sl_packs *packs;
	git_odb *odb;
	struct sl_change_list *out;
	struct sl_buf path; /* the directory being compared, with '/' */
	struct sl_error *err;
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
	if (t->has && !parse_entry(&t->cur, &t->p, t->end))
		return malformed(w);
	return 0;
}

static int open_tree(struct tree *t, struct walk *w, const git_oid *id)
{
	git_object_t type;
	size_t len;

	memset(t, 0, sizeof(*t));
	if (sl_packs_read(w->packs, id, &type, &t->data, &len)) {
		if (type != GIT_OBJECT_TREE)
			return malformed(w);
		t->p = (const char *)t->data;
		t->end = t->p + len;
		return advance(w, t);
	}
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
	free(t->data);
	t->data = NULL;
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
	c = sl_change_list_push(w->out, status, w->path.buf, w->path.len);
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

/* ---- the comparison ---------------------------------------------------- */

/* a or b may be NULL: everything of the other side was added or deleted. */
static int diff_trees(struct walk *w, struct tree *a, struct tree *b, int depth)
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
	sl_packs_free(w->packs);
	git_odb_free(w->odb);
	sl_buf_release(&w->path);
}

/*
 * libgit2's object database, and the packs read without it (packs.c):
 * those of the repository's own object directory, unless
 * GIT_OBJECT_DIRECTORY names another (libgit2 then reads everything).
 */
static int open_odb(struct walk *w)
{
	git_buf objects = GIT_BUF_INIT;
	bool own_dir;

	if (git_repository_odb(&w->odb, w->repo->git) < 0)
		return sl_git_error(w->err, SL_EENV,
				    "cannot open the object database");
	own_dir = !getenv("GIT_OBJECT_DIRECTORY") &&
		  !git_repository_item_path(&objects, w->repo->git,
					    GIT_REPOSITORY_ITEM_OBJECTS);
	w->packs = sl_packs_open(own_dir ? objects.ptr : NULL);
	git_buf_dispose(&objects);
	git_error_clear();
	return 0;
}

int sl_tree_diff(struct sl_change_list *out, struct sl_repo *repo,
		 const git_oid *old_tree, const git_oid *new_tree,
		 struct sl_error *err)
{
	struct walk w = {repo, NULL, NULL, out, SL_BUF_INIT, err};
	struct tree a = {0}, b = {0};
	int ret;

	ret = open_odb(&w);
	if (!ret)
		ret = open_tree(&a, &w, old_tree);
	if (!ret)
		ret = open_tree(&b, &w, new_tree);
	if (!ret)
		ret = diff_trees(&w, &a, &b, 0);
	close_tree(&a);
	close_tree(&b);
	walk_release(&w);
	return ret;
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
	struct walk w = {repo, NULL, NULL, NULL, SL_BUF_INIT, err};
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
