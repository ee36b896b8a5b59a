/*
 * ws_source.c: a workspace's manifests and lockfiles read as blobs from a
 * commit's tree (SPEC.md §7: from the trusted commit, as the rules file
 * is, and from the head for the union), handed to rules/ as a struct
 * sl_ws_source. Trees are read raw (treeread.c) and blobs from the packs
 * (packs.c), libgit2 reading only what those do not. The entries met on
 * the way to a file, and the files the search for packages finds, are
 * kept by path, so that a thousand packages' manifests are read without
 * reading a tree again.
 * With a disk root (--worktree, whose head is the work tree as it is for
 * the rules file) files are read from there, and the search for packages'
 * directories uses the commit and the files the work tree adds to it.
 */
#include "common/common.h"

#include <errno.h>
#include <sys/stat.h>

#include "selector/internal.h"

/*
 * An entry of the commit's tree known by its path: every entry of a
 * directory read on the way to a file (so that the next file of that
 * directory, or of a directory beside it, reads no tree again), and each
 * file the search for packages finds (so that reading a thousand
 * packages' manifests reads no tree at all).
 */
struct known {
	char *path;    /* NULL: an empty slot */
	uint32_t mode; /* 0: an empty slot's */
	bool listed;   /* a directory whose entries are all kept */
	git_oid id;
};

struct sl_ws_tree {
	struct sl_objects objs; /* read without libgit2's object layer */
	char commit[SL_OID_HEXSZ + 1];
	char *disk;		/* NULL: every file from the commit */
	struct sl_strvec added; /* with disk: files the work tree adds */
	char label[SL_OID_HEXSZ + 2];
	struct known *slots;
	size_t cap, n;
	struct sl_buf path; /* the directory being read, for the walk */
	struct sl_ws_source src;
};

/* The slot of path[0..len): its entry, or the empty slot it would take. */
static struct known *slot_of(struct sl_ws_tree *t, const char *path, size_t len)
{
	size_t i = (size_t)sl_hash_bytes(path, len) & (t->cap - 1);

	while (t->slots[i].path &&
	       (strncmp(t->slots[i].path, path, len) || t->slots[i].path[len]))
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

/* Keeps path[0..len) as an entry of mode with id; returns it. */
static struct known *keep(struct sl_ws_tree *t, const char *path, size_t len,
			  uint32_t mode, const git_oid *id)
{
	struct known *k;
	size_t i;

	if ((t->n + 1) * 2 > t->cap) {
		struct known *old = t->slots;
		size_t cap = t->cap;

		t->cap = cap ? cap * 2 : 64;
		t->slots = sl_xcalloc(t->cap, sizeof(*t->slots));
		for (i = 0; i < cap; i++)
			if (old[i].path)
				*slot_of(t, old[i].path, strlen(old[i].path)) =
				    old[i];
		free(old);
	}
	k = slot_of(t, path, len);
	if (!k->path) {
		k->path = sl_xmemdupz(path, len);
		t->n++;
	}
	k->mode = mode;
	git_oid_cpy(&k->id, id);
	return k;
}

/* The directory being read, as the tree reader names it in messages. */
static const char *tree_name(const struct sl_ws_tree *t)
{
	return t->path.len ? t->path.buf : ".";
}

/* The reader's errors name the commit the tree was read at. */
static int tree_failed(struct sl_ws_tree *t, int ret, struct sl_error *err)
{
	if (ret)
		sl_error_prefix(err, "workspace manifests at '%.12s'",
				t->commit);
	return ret;
}

/* Opens the tree id of the directory t->path names. */
static int open_tree(struct sl_tree_reader *r, struct sl_ws_tree *t,
		     const git_oid *id, struct sl_error *err)
{
	return tree_failed(
	    t, sl_tree_reader_open(r, &t->objs, id, tree_name(t), err), err);
}

static int next_entry(struct sl_tree_reader *r, struct sl_ws_tree *t,
		      struct sl_error *err)
{
	return tree_failed(t, sl_tree_reader_next(r, tree_name(t), err), err);
}

/* Keeps every entry of the directory path[0..len), whose tree is id. */
static int list_dir(struct sl_ws_tree *t, const char *path, size_t len,
		    const git_oid *id, struct sl_error *err)
{
	struct sl_tree_reader r;
	int ret;

	sl_buf_reset(&t->path);
	sl_buf_add(&t->path, path, len);
	ret = open_tree(&r, t, id, err);
	while (!ret && r.has) {
		if (len)
			sl_buf_addch(&t->path, '/');
		sl_buf_add(&t->path, r.cur.name, r.cur.len);
		keep(t, t->path.buf, t->path.len, r.cur.mode, &r.cur.id);
		sl_buf_setlen(&t->path, len);
		ret = next_entry(&r, t, err);
	}
	sl_tree_reader_release(&r);
	if (!ret)
		slot_of(t, path, len)->listed = true;
	return ret;
}

/*
 * The entry path[0..len) of the commit ("" the root): kept, or found by
 * reading the directories down to it from the root. *out NULL when the
 * commit has none. Borrowed from t until the next entry is kept.
 */
static int lookup(const struct known **out, struct sl_ws_tree *t,
		  const char *path, size_t len, struct sl_error *err)
{
	const struct known *k = slot_of(t, path, len);
	size_t at = 0, start, end;
	int ret = 0;

	*out = NULL;
	if (k->path) {
		*out = k->mode ? k : NULL;
		return 0;
	}
	k = slot_of(t, "", 0); /* the root is always kept */
	while (!ret && k->mode == GIT_FILEMODE_TREE && at < len) {
		start = at ? at + 1 : 0;
		for (end = start; end < len && path[end] != '/'; end++)
			;
		if (end == start)
			break; /* an empty name is no entry: "a//b", "/a" */
		if (!k->listed)
			ret = list_dir(t, path, at, &k->id, err);
		k = slot_of(t, path, end);
		at = end;
	}
	if (!ret && at == len && k->mode)
		*out = k;
	return ret;
}

static int read_disk(struct sl_ws_tree *t, const char *path, struct sl_buf *out,
		     bool *found, struct sl_error *err)
{
	struct sl_buf full = SL_BUF_INIT;
	struct stat st;
	int ret = 0;

	sl_buf_addf(&full, "%s/%s", t->disk, path);
	*found = !lstat(full.buf, &st);
	if (!*found && errno != ENOENT && errno != ENOTDIR)
		ret = sl_error_set(err, SL_EENV, "cannot read '%s': %s",
				   full.buf, strerror(errno));
	else if (*found)
		ret = sl_buf_read_regular(out, full.buf, SL_REPO_BLOB_MAX, true,
					  err);
	sl_buf_release(&full);
	return ret;
}

static int too_large(struct sl_ws_tree *t, const char *path,
		     struct sl_error *err)
{
	return sl_error_set(err, SL_EUSAGE,
			    "'%s' at '%.12s' is past sluice's limit of %u "
			    "bytes for a file read from a commit",
			    path, t->commit, SL_REPO_BLOB_MAX);
}

static int unreadable(struct sl_ws_tree *t, const char *path,
		      struct sl_error *err)
{
	return sl_git_error(err, SL_EENV,
			    "cannot read '%s' at '%.12s' (a damaged or "
			    "incomplete repository: run git fsck)",
			    path, t->commit);
}

/* The blob id (path's) appended to out: from the packs (packs.c), else
 * through libgit2's object database, its size looked at first. */
static int read_blob(struct sl_ws_tree *t, const char *path, const git_oid *id,
		     struct sl_buf *out, struct sl_error *err)
{
	git_odb_object *obj = NULL;
	unsigned char *data = NULL;
	const void *bytes = NULL;
	git_object_t type;
	size_t len;
	int ret = 0;

	if (sl_packs_read(t->objs.packs, id, &type, &data, &len)) {
		bytes = data;
	} else if (git_odb_read_header(&len, &type, t->objs.odb, id) < 0) {
		return unreadable(t, path, err);
	} else if (len > SL_REPO_BLOB_MAX) {
		return too_large(t, path, err);
	} else if (git_odb_read(&obj, t->objs.odb, id) < 0) {
		return unreadable(t, path, err);
	} else {
		type = git_odb_object_type(obj);
		bytes = git_odb_object_data(obj);
		len = git_odb_object_size(obj);
	}
	if (type != GIT_OBJECT_BLOB)
		ret = sl_error_set(err, SL_EENV,
				   "'%s' at '%.12s' is not a blob (a damaged "
				   "repository: run git fsck)",
				   path, t->commit);
	else if (len > SL_REPO_BLOB_MAX)
		ret = too_large(t, path, err);
	else
		sl_buf_add(out, bytes, len);
	free(data);
	git_odb_object_free(obj);
	return ret;
}

static int read_file(void *ctx, const char *path, struct sl_buf *out,
		     bool *found, struct sl_error *err)
{
	struct sl_ws_tree *t = ctx;
	const struct known *k;
	git_oid id;
	int ret;

	*found = false;
	if (t->disk)
		return read_disk(t, path, out, found, err);
	ret = lookup(&k, t, path, strlen(path), err);
	if (ret || !k)
		return ret;
	if (k->mode != GIT_FILEMODE_BLOB &&
	    k->mode != GIT_FILEMODE_BLOB_EXECUTABLE)
		return sl_error_set(err, SL_EENV,
				    "'%s' at '%.12s' is not a file (a "
				    "directory, a submodule or a symbolic "
				    "link); sluice reads manifests from the "
				    "commit and follows no links",
				    path, t->commit);
	git_oid_cpy(&id, &k->id);
	ret = read_blob(t, path, &id, out, err);
	*found = !ret;
	return ret;
}

static int walk(struct sl_ws_tree *t, const git_oid *id, const char *file,
		unsigned depth, int level, struct sl_strvec *out,
		struct sl_error *err);

/* Walks the directory e of the one t->path names. */
static int descend(struct sl_ws_tree *t, const struct sl_tree_entry *e,
		   const char *file, unsigned depth, int level,
		   struct sl_strvec *out, struct sl_error *err)
{
	size_t base = t->path.len;
	int ret;

	if (base)
		sl_buf_addch(&t->path, '/');
	sl_buf_add(&t->path, e->name, e->len);
	if (level >= SL_TREE_MAX_DEPTH)
		ret = sl_error_set(err, SL_EENV,
				   "'%s' at '%.12s' is nested deeper than %d "
				   "directories",
				   t->path.buf, t->commit, SL_TREE_MAX_DEPTH);
	else
		ret =
		    walk(t, &e->id, file, depth == UINT_MAX ? depth : depth - 1,
			 level + 1, out, err);
	sl_buf_setlen(&t->path, base);
	return ret;
}

/* The file found in the directory t->path names: listed, and kept for
 * reading it without its tree. */
static void found(struct sl_ws_tree *t, const struct sl_tree_entry *e,
		  struct sl_strvec *out)
{
	size_t base = t->path.len;

	sl_strvec_push(out, t->path.buf);
	if (base)
		sl_buf_addch(&t->path, '/');
	sl_buf_add(&t->path, e->name, e->len);
	keep(t, t->path.buf, t->path.len, e->mode, &e->id);
	sl_buf_setlen(&t->path, base);
}

/*
 * Lists the directory t->path names (its tree id) when it holds file, then
 * walks down depth levels (level: how far below the search's start).
 * Symbolic links and submodules are not directories here, and directories
 * named node_modules or starting with '.' are not entered.
 */
static int walk(struct sl_ws_tree *t, const git_oid *id, const char *file,
		unsigned depth, int level, struct sl_strvec *out,
		struct sl_error *err)
{
	size_t flen = strlen(file);
	struct sl_tree_reader r;
	int ret = open_tree(&r, t, id, err);

	while (!ret && r.has) {
		const struct sl_tree_entry *e = &r.cur;

		if (e->mode == GIT_FILEMODE_TREE) {
			if (depth && e->name[0] != '.' &&
			    !(e->len == 12 &&
			      !memcmp(e->name, "node_modules", 12)))
				ret =
				    descend(t, e, file, depth, level, out, err);
		} else if (e->mode != GIT_FILEMODE_COMMIT && e->len == flen &&
			   !memcmp(e->name, file, flen)) {
			found(t, e, out);
		}
		if (!ret)
			ret = next_entry(&r, t, err);
	}
	sl_tree_reader_release(&r);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Would the walk enter the directory component c[0..n)? */
static bool entered(const char *c, size_t n)
{
	return n && c[0] != '.' && !(n == 12 && !memcmp(c, "node_modules", 12));
}

/*
 * The directories below dir (depth levels at most) where the work tree
 * adds file, as the walk would have found them in the commit had they
 * been committed: what `git commit -a` of the change would show CI.
 */
static void find_added(struct sl_ws_tree *t, const char *dir, const char *file,
		       unsigned depth, struct sl_strvec *out)
{
	size_t dl = strlen(dir), i;

	for (i = 0; i < t->added.n; i++) {
		const char *p = t->added.v[i], *rel = p, *c, *slash;
		const char *name = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
		unsigned levels = 0;
		bool in = !strcmp(name, file);

		if (in && dl) {
			in = !strncmp(p, dir, dl) && p[dl] == '/';
			rel = p + dl + 1;
		}
		for (c = rel; in && c < name; c = slash + 1, levels++) {
			slash = strchr(c, '/');
			in = entered(c, (size_t)(slash - c));
		}
		if (in && (depth == UINT_MAX || levels <= depth))
			sl_strvec_push_take(
			    out, sl_xmemdupz(p, (size_t)(name - p) -
						    (name > p ? 1 : 0)));
	}
}

static int find_dirs(void *ctx, const char *dir, const char *file,
		     unsigned depth, struct sl_strvec *out,
		     struct sl_error *err)
{
	struct sl_ws_tree *t = ctx;
	size_t first = out->n, k;
	const struct known *known;
	git_oid tree;
	int ret = lookup(&known, t, dir, strlen(dir), err);

	if (!ret && known && known->mode == GIT_FILEMODE_TREE) {
		/* known moves as entries are kept */
		git_oid_cpy(&tree, &known->id);
		sl_buf_reset(&t->path);
		sl_buf_adds(&t->path, dir);
		ret = walk(t, &tree, file, depth, 0, out, err);
	}
	if (!ret)
		find_added(t, dir, file, depth, out);
	while (ret && out->n > first) { /* an error finds nothing */
		free(out->v[--out->n]);
		out->v[out->n] = NULL;
	}
	if (!ret)
		qsort(out->v + first, out->n - first, sizeof(char *), cmp_str);
	for (k = first + 1; !ret && k < out->n;) { /* once each */
		if (strcmp(out->v[k - 1], out->v[k])) {
			k++;
			continue;
		}
		free(out->v[k]);
		memmove(&out->v[k], &out->v[k + 1],
			(out->n - k) * sizeof(*out->v)); /* and the NULL */
		out->n--;
	}
	return ret;
}

void sl_ws_tree_add_worktree(struct sl_ws_tree *t,
			     const struct sl_change_list *changes)
{
	size_t i;

	for (i = 0; t->disk && i < changes->n; i++) {
		const struct sl_change *ch = &changes->items[i];

		if ((ch->status == SL_CHANGE_ADDED ||
		     ch->status == SL_CHANGE_RENAMED ||
		     ch->status == SL_CHANGE_TYPECHANGE) &&
		    !ch->submodule)
			sl_strvec_push_take(&t->added,
					    sl_xmemdupz(ch->path, ch->len));
	}
}

int sl_ws_tree_open(struct sl_ws_tree **out, struct sl_repo *repo,
		    const char *commit, const char *disk, struct sl_error *err)
{
	struct sl_ws_tree *t = sl_xcalloc(1, sizeof(*t));
	git_commit *c = NULL;
	int ret;

	*out = NULL;
	t->path = (struct sl_buf)SL_BUF_INIT;
	t->added = (struct sl_strvec)SL_STRVEC_INIT;
	snprintf(t->commit, sizeof(t->commit), "%s", commit);
	t->disk = disk ? sl_xstrdup(disk) : NULL;
	if (!disk)
		snprintf(t->label, sizeof(t->label), "@%.12s", commit);
	ret = sl_repo_lookup_commit(&c, repo, commit, "commit", err);
	if (!ret)
		ret = sl_objects_open(&t->objs, repo, err);
	if (!ret)
		keep(t, "", 0, GIT_FILEMODE_TREE, git_commit_tree_id(c));
	git_commit_free(c);
	if (ret) {
		sl_ws_tree_free(t);
		return ret;
	}
	t->src = (struct sl_ws_source){.read = read_file,
				       .find = find_dirs,
				       .ctx = t,
				       .label = disk ? NULL : t->label};
	*out = t;
	return 0;
}

const struct sl_ws_source *sl_ws_tree_source(const struct sl_ws_tree *t)
{
	return &t->src;
}

void sl_ws_tree_free(struct sl_ws_tree *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->cap; i++)
		free(t->slots[i].path);
	free(t->slots);
	free(t->disk);
	sl_strvec_release(&t->added);
	sl_objects_release(&t->objs);
	sl_buf_release(&t->path);
	free(t);
}
