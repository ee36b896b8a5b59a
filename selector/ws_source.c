/*
 * ws_source.c: a workspace's manifests and lockfiles read as blobs from a
 * commit's tree (SPEC.md §7: from the trusted commit, as the rules file
 * is, and from the head for the union), handed to rules/ as a struct
 * sl_ws_source. Trees are kept by directory once read, so that a
 * thousand packages' manifests do not each walk from the root again.
 * With a disk root (--worktree, whose head is the work tree as it is for
 * the rules file) files are read from there, and only the search for
 * packages' directories uses the commit.
 */
#include "common/common.h"

#include <errno.h>
#include <sys/stat.h>

#include "selector/internal.h"

struct tree_slot {
	char *dir; /* NULL: empty slot */
	git_tree *tree;
};

struct sl_ws_tree {
	struct sl_repo *repo;
	struct sl_packs *packs; /* blobs read without libgit2 (packs.c) */
	char commit[SL_OID_HEXSZ + 1];
	char *disk; /* NULL: every file from the commit */
	char label[SL_OID_HEXSZ + 2];
	struct tree_slot *slots;
	size_t cap, n;
	struct sl_ws_source src;
};

static uint64_t hash_dir(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct tree_slot *slot_of(struct sl_ws_tree *t, const char *dir)
{
	size_t i = (size_t)hash_dir(dir) & (t->cap - 1);

	while (t->slots[i].dir && strcmp(t->slots[i].dir, dir))
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

static void grow(struct sl_ws_tree *t)
{
	struct tree_slot *old = t->slots;
	size_t i, cap = t->cap;

	t->cap = cap ? cap * 2 : 64;
	t->slots = sl_xcalloc(t->cap, sizeof(*t->slots));
	for (i = 0; i < cap; i++)
		if (old[i].dir)
			*slot_of(t, old[i].dir) = old[i];
	free(old);
}

/* Keeps tree (NULL: dir is not a directory of the commit) as dir's. */
static git_tree *keep(struct sl_ws_tree *t, const char *dir, git_tree *tree)
{
	struct tree_slot *s;

	if ((t->n + 1) * 2 > t->cap)
		grow(t);
	s = slot_of(t, dir);
	s->dir = sl_xstrdup(dir);
	s->tree = tree;
	t->n++;
	return tree;
}

static int tree_failed(struct sl_ws_tree *t, const char *dir,
		       struct sl_error *err)
{
	return sl_git_error(
	    err, SL_EENV,
	    "cannot read the tree of '%s' at '%.12s' (a damaged "
	    "or incomplete repository: run git fsck)",
	    *dir ? dir : ".", t->commit);
}

/* The tree of dir ("" the root) at the commit; *out NULL when the
 * commit has no such directory. Borrowed from t. */
static int tree_of(git_tree **out, struct sl_ws_tree *t, const char *dir,
		   struct sl_error *err)
{
	struct tree_slot *s = slot_of(t, dir);
	const char *slash = strrchr(dir, '/');
	const git_tree_entry *e;
	git_tree *parent, *tree;
	char *up;
	int ret;

	*out = NULL;
	if (s->dir) {
		*out = s->tree;
		return 0;
	}
	up = sl_xmemdupz(dir, slash ? (size_t)(slash - dir) : 0);
	ret = tree_of(&parent, t, up, err);
	free(up);
	if (ret || !parent) {
		if (!ret)
			keep(t, dir, NULL);
		return ret;
	}
	e = git_tree_entry_byname(parent, slash ? slash + 1 : dir);
	if (!e || git_tree_entry_type(e) != GIT_OBJECT_TREE) {
		keep(t, dir, NULL);
		return 0;
	}
	if (git_tree_lookup(&tree, t->repo->git, git_tree_entry_id(e)))
		return tree_failed(t, dir, err);
	*out = keep(t, dir, tree);
	return 0;
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

/*
 * The blob id read from the packs without libgit2 (packs.c): for a
 * thousand manifests, libgit2's object lookup and cache cost about as
 * much as inflating them. 0 with the blob in out, 1 when libgit2 is to
 * read it (not in a pack this reads), or the error.
 */
static int read_packed(struct sl_ws_tree *t, const char *path,
		       const git_oid *id, struct sl_buf *out,
		       struct sl_error *err)
{
	git_object_t type;
	unsigned char *data;
	size_t len;
	int ret = 0;

	if (!sl_packs_read(t->packs, id, &type, &data, &len))
		return 1;
	if (type != GIT_OBJECT_BLOB)
		ret = 1; /* libgit2 says what is wrong */
	else if (len > SL_REPO_BLOB_MAX)
		ret = too_large(t, path, err);
	else
		sl_buf_add(out, data, len);
	free(data);
	return ret;
}

static int read_file(void *ctx, const char *path, struct sl_buf *out,
		     bool *found, struct sl_error *err)
{
	struct sl_ws_tree *t = ctx;
	const char *slash = strrchr(path, '/');
	char *dir = sl_xmemdupz(path, slash ? (size_t)(slash - path) : 0);
	const git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	git_tree *tree;
	int ret;

	*found = false;
	if (t->disk) {
		free(dir);
		return read_disk(t, path, out, found, err);
	}
	ret = tree_of(&tree, t, dir, err);
	free(dir);
	if (!ret && tree)
		e = git_tree_entry_byname(tree, slash ? slash + 1 : path);
	if (ret || !e)
		return ret;
	if (git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB &&
	    git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB_EXECUTABLE)
		return sl_error_set(err, SL_EENV,
				    "'%s' at '%.12s' is not a file (a "
				    "directory, a submodule or a symbolic "
				    "link); sluice reads manifests from the "
				    "commit and follows no links",
				    path, t->commit);
	ret = read_packed(t, path, git_tree_entry_id(e), out, err);
	if (ret <= 0) {
		*found = !ret;
		return ret;
	}
	ret = 0;
	if (git_blob_lookup(&blob, t->repo->git, git_tree_entry_id(e)))
		return sl_git_error(err, SL_EENV,
				    "cannot read '%s' at '%.12s' (a damaged or "
				    "incomplete repository: run git fsck)",
				    path, t->commit);
	if ((uint64_t)git_blob_rawsize(blob) > SL_REPO_BLOB_MAX)
		ret = too_large(t, path, err);
	else
		sl_buf_add(out, git_blob_rawcontent(blob),
			   (size_t)git_blob_rawsize(blob));
	*found = !ret;
	git_blob_free(blob);
	return ret;
}

static char *join(const char *dir, const char *name)
{
	struct sl_buf sb = SL_BUF_INIT;

	if (*dir)
		sl_buf_adds3(&sb, dir, "/", name);
	else
		sl_buf_adds(&sb, name);
	return sl_buf_detach(&sb, NULL);
}

/* Appends dir when its tree holds file, then walks down depth levels. */
static int walk(struct sl_ws_tree *t, const char *dir, git_tree *tree,
		const char *file, unsigned depth, struct sl_strvec *out,
		struct sl_error *err)
{
	const git_tree_entry *e = git_tree_entry_byname(tree, file);
	size_t i, n = git_tree_entrycount(tree);
	int ret = 0;

	if (e && git_tree_entry_type(e) == GIT_OBJECT_BLOB)
		sl_strvec_push(out, dir);
	if (!depth)
		return 0;
	for (i = 0; i < n && !ret; i++) {
		const char *name;
		git_tree *sub;
		char *path;

		e = git_tree_entry_byindex(tree, i);
		name = git_tree_entry_name(e);
		if (git_tree_entry_type(e) != GIT_OBJECT_TREE ||
		    name[0] == '.' || !strcmp(name, "node_modules"))
			continue;
		path = join(dir, name);
		ret = tree_of(&sub, t, path, err);
		if (!ret && sub)
			ret = walk(t, path, sub, file,
				   depth == UINT_MAX ? depth : depth - 1, out,
				   err);
		free(path);
	}
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int find_dirs(void *ctx, const char *dir, const char *file,
		     unsigned depth, struct sl_strvec *out,
		     struct sl_error *err)
{
	struct sl_ws_tree *t = ctx;
	size_t first = out->n;
	git_tree *tree;
	int ret = tree_of(&tree, t, dir, err);

	if (!ret && tree)
		ret = walk(t, dir, tree, file, depth, out, err);
	if (!ret)
		qsort(out->v + first, out->n - first, sizeof(char *), cmp_str);
	return ret;
}

/* The packs of the repository's own object directory, as the tree walk
 * reads them (treewalk.c); none when GIT_OBJECT_DIRECTORY names another
 * (libgit2 then reads everything). */
static struct sl_packs *open_packs(struct sl_repo *repo)
{
	git_buf objects = GIT_BUF_INIT;
	struct sl_packs *packs;
	bool own_dir = !getenv("GIT_OBJECT_DIRECTORY") &&
		       !git_repository_item_path(&objects, repo->git,
						 GIT_REPOSITORY_ITEM_OBJECTS);

	packs = sl_packs_open(own_dir ? objects.ptr : NULL);
	git_buf_dispose(&objects);
	git_error_clear();
	return packs;
}

int sl_ws_tree_open(struct sl_ws_tree **out, struct sl_repo *repo,
		    const char *commit, const char *disk, struct sl_error *err)
{
	struct sl_ws_tree *t = sl_xcalloc(1, sizeof(*t));
	git_commit *c = NULL;
	git_tree *root = NULL;
	int ret;

	*out = NULL;
	t->repo = repo;
	snprintf(t->commit, sizeof(t->commit), "%s", commit);
	t->disk = disk ? sl_xstrdup(disk) : NULL;
	if (!disk)
		snprintf(t->label, sizeof(t->label), "@%.12s", commit);
	ret = sl_repo_lookup_commit(&c, repo, commit, "commit", err);
	if (!ret && git_commit_tree(&root, c) < 0)
		ret = tree_failed(t, "", err);
	git_commit_free(c);
	if (!ret && !disk)
		t->packs = open_packs(repo);
	if (ret) {
		sl_ws_tree_free(t);
		return ret;
	}
	keep(t, "", root);
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
	for (i = 0; i < t->cap; i++) {
		free(t->slots[i].dir);
		git_tree_free(t->slots[i].tree);
	}
	free(t->slots);
	free(t->disk);
	sl_packs_free(t->packs);
	free(t);
}
