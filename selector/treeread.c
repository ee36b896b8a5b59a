/*
 * treeread.c: tree objects read as git stores them, for the two walks of
 * a commit's trees: the diff's (treewalk.c) and the search for a
 * workspace's packages (ws_source.c). It owns the opening of a
 * repository's objects (the packs that packs.c reads, libgit2's object
 * database for the rest) and the parsing of a raw tree's entries, one at
 * a time, where they lie in the object's bytes. Which trees to read, and
 * what their entries mean to the walk, are the callers'.
 *
 * Why not git_tree: libgit2 parses a tree into an array of entries and
 * looks the object up through every backend first; the walks read each
 * tree once, in order (docs/performance.md, "Start-up and the diff",
 * items 2 and 4, and "Workspaces" have the measurements).
 */
#include "common/common.h"

#include "selector/internal.h"

int sl_objects_open(struct sl_objects *out, struct sl_repo *repo,
		    struct sl_error *err)
{
	git_buf objects = GIT_BUF_INIT;
	bool own_dir;

	memset(out, 0, sizeof(*out));
	if (git_repository_odb(&out->odb, repo->git) < 0)
		return sl_git_error(err, SL_EENV,
				    "cannot open the object database");
	/* Another object directory (GIT_OBJECT_DIRECTORY): libgit2 reads
	 * everything. */
	own_dir = !getenv("GIT_OBJECT_DIRECTORY") &&
		  !git_repository_item_path(&objects, repo->git,
					    GIT_REPOSITORY_ITEM_OBJECTS);
	out->packs = sl_packs_open(own_dir ? objects.ptr : NULL);
	git_buf_dispose(&objects);
	git_error_clear();
	return 0;
}

void sl_objects_release(struct sl_objects *objs)
{
	sl_packs_free(objs->packs);
	objs->packs = NULL;
	git_odb_free(objs->odb);
	objs->odb = NULL;
}

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

static int malformed(const char *name, struct sl_error *err)
{
	return sl_error_set(err, SL_EENV,
			    "the tree '%s' is malformed (a damaged repository: "
			    "run git fsck)",
			    name);
}

/* Parses the entry at *p (before end) into e and moves *p past it;
 * false when the bytes are not a tree entry. */
static bool parse_entry(struct sl_tree_entry *e, const char **p,
			const char *end)
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

int sl_tree_reader_next(struct sl_tree_reader *r, const char *name,
			struct sl_error *err)
{
	r->has = r->p < r->end;
	if (r->has && !parse_entry(&r->cur, &r->p, r->end))
		return malformed(name, err);
	return 0;
}

int sl_tree_reader_open(struct sl_tree_reader *r, struct sl_objects *objs,
			const git_oid *id, const char *name,
			struct sl_error *err)
{
	git_object_t type;
	size_t len;

	memset(r, 0, sizeof(*r));
	if (sl_packs_read(objs->packs, id, &type, &r->data, &len)) {
		if (type != GIT_OBJECT_TREE)
			return malformed(name, err);
		r->p = (const char *)r->data;
		r->end = r->p + len;
		return sl_tree_reader_next(r, name, err);
	}
	if (git_odb_read(&r->obj, objs->odb, id) < 0)
		return sl_git_error(err, SL_EENV,
				    "cannot read the tree '%s' (a damaged or "
				    "incomplete repository: run git fsck)",
				    name);
	if (git_odb_object_type(r->obj) != GIT_OBJECT_TREE)
		return malformed(name, err);
	r->p = git_odb_object_data(r->obj);
	r->end = r->p + git_odb_object_size(r->obj);
	return sl_tree_reader_next(r, name, err);
}

void sl_tree_reader_release(struct sl_tree_reader *r)
{
	free(r->data);
	r->data = NULL;
	git_odb_object_free(r->obj);
	r->obj = NULL;
	r->p = r->end = NULL;
	r->has = false;
}
