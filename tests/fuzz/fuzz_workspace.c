/*
 * fuzz_workspace.c: deriving a workspace (rules/ws_*.c) from manifests
 * and lockfiles of any bytes. The input is a small archive of files:
 *
 *	npm|pnpm|go			(the kind; any other first byte picks
 *					 one by its value)
 *	=== PATH			(a file at PATH, its text up to the
 *	TEXT				 next "\n=== " or the end)
 *
 * A workspace derived has its packages sorted by directory, no two of
 * one name, directory or lane, and edges between its own packages; a
 * refusal is a rules error with a message. Each lockfile it names that
 * the archive holds parses or is refused as a rules error; one that
 * parses differs from itself in nothing, and compared with nothing
 * attributes every hit to one of the workspace's lanes.
 */
#include "tests/fuzz/fuzz.h"

#include "rules/rules.h"

struct archive {
	struct sl_strvec paths;
	struct sl_strvec texts;
};

static const char header[] = "=== ";

/* Splits data[0..len) into files at each line that starts "=== ". */
static void archive_parse(struct archive *a, const char *data, size_t len)
{
	const char *p = data, *end = data + len;

	while (p < end) {
		const char *eol, *next;

		if ((size_t)(end - p) < sizeof(header) - 1 ||
		    memcmp(p, header, sizeof(header) - 1)) {
			p = memchr(p, '\n', end - p);
			p = p ? p + 1 : end;
			continue;
		}
		p += sizeof(header) - 1;
		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		sl_strvec_push_take(&a->paths, sl_xmemdupz(p, eol - p));
		p = eol < end ? eol + 1 : end;
		for (next = p; next < end; next++)
			if (next[0] == '\n' &&
			    (size_t)(end - next - 1) >= sizeof(header) - 1 &&
			    !memcmp(next + 1, header, sizeof(header) - 1))
				break;
		sl_strvec_push_take(&a->texts, sl_xmemdupz(p, next - p));
		p = next < end ? next + 1 : end;
	}
}

static int archive_read(void *ctx, const char *path, struct sl_buf *out,
			bool *found, struct sl_error *err)
{
	const struct archive *a = ctx;
	size_t i;

	(void)err;
	*found = false;
	for (i = a->paths.n; i-- > 0;) {
		if (!strcmp(a->paths.v[i], path)) {
			sl_buf_adds(out, a->texts.v[i]);
			*found = true;
			break;
		}
	}
	return 0;
}

static int cmp_strp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/*
 * Is path a file named file in dir or a directory at most depth levels
 * below it, none of them hidden or node_modules (as struct sl_ws_source
 * says)? Its directory's length into *parent.
 */
static bool archive_holds(const char *path, const char *dir, const char *file,
			  unsigned depth, size_t *parent)
{
	size_t dl = strlen(dir), fl = strlen(file), pl = strlen(path);
	unsigned below = 0;
	const char *c;

	if (pl < fl || strcmp(path + pl - fl, file) ||
	    (pl > fl && path[pl - fl - 1] != '/'))
		return false;
	*parent = pl > fl ? pl - fl - 1 : 0;
	if (dl && (*parent < dl || strncmp(path, dir, dl) ||
		   (*parent > dl && path[dl] != '/')))
		return false;
	for (c = path + (dl ? dl + 1 : 0); c < path + *parent; c++) {
		if (c != path + (dl ? dl + 1 : 0) && c[-1] != '/')
			continue;
		below++;
		if (*c == '.' || !strncmp(c, "node_modules/", 13))
			return false;
	}
	return depth == UINT_MAX || below <= depth;
}

static int archive_find(void *ctx, const char *dir, const char *file,
			unsigned depth, struct sl_strvec *out,
			struct sl_error *err)
{
	const struct archive *a = ctx;
	size_t i, j, parent, first = out->n;

	(void)err;
	for (i = 0; i < a->paths.n; i++) {
		for (j = 0; j < i && strcmp(a->paths.v[j], a->paths.v[i]); j++)
			;
		if (j == i &&
		    archive_holds(a->paths.v[i], dir, file, depth, &parent))
			sl_strvec_push_take(out,
					    sl_xmemdupz(a->paths.v[i], parent));
	}
	qsort(out->v + first, out->n - first, sizeof(char *), cmp_strp);
	return 0;
}

static enum sl_ws_kind kind_of(const char **data, size_t *size)
{
	static const char *const names[] = {"npm\n", "pnpm\n", "go\n"};
	size_t i, n;

	for (i = 0; i < SL_ARRAY_SIZE(names); i++) {
		n = strlen(names[i]);
		if (*size >= n && !memcmp(*data, names[i], n)) {
			*data += n;
			*size -= n;
			return (enum sl_ws_kind)i;
		}
	}
	return (enum sl_ws_kind)((unsigned char)(*data)[0] % 3);
}

static void check_workspace(const struct sl_ws *ws)
{
	size_t i, j;

	for (i = 0; i < ws->npkgs; i++) {
		const struct sl_ws_pkg *p = &ws->pkgs[i];

		sl_fuzz_check(
		    p->name && p->dir && p->manifest && p->lane && *p->lane,
		    "a package has a name, directory, manifest, lane");
		for (j = 0; j < p->ndeps; j++)
			sl_fuzz_check(
			    p->deps[j].to < ws->npkgs && p->deps[j].field,
			    "an edge is to a package of the workspace");
		if (!i)
			continue;
		sl_fuzz_check(strcmp(ws->pkgs[i - 1].dir, p->dir) < 0,
			      "packages sorted by directory, none twice");
		for (j = 0; j < i; j++) {
			sl_fuzz_check(strcmp(ws->pkgs[j].name, p->name),
				      "no two packages of one name");
			sl_fuzz_check(strcmp(ws->pkgs[j].lane, p->lane),
				      "no two packages of one lane");
		}
	}
}

static bool is_lane(const struct sl_ws *ws, const char *lane)
{
	size_t i;

	for (i = 0; i < ws->npkgs; i++)
		if (!strcmp(ws->pkgs[i].lane, lane))
			return true;
	return false;
}

static void check_lockfile(const struct sl_ws *ws, const struct archive *a,
			   const char *file)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws_changes same = SL_WS_CHANGES_INIT;
	struct sl_ws_changes added = SL_WS_CHANGES_INIT;
	struct sl_ws_lock *lock = NULL;
	struct sl_buf text = SL_BUF_INIT;
	bool found;
	size_t i;

	archive_read((void *)a, file, &text, &found, &err);
	if (!found)
		goto out;
	if (sl_ws_lock_parse(&lock, ws, file, text.buf, text.len, &err)) {
		sl_fuzz_check(!lock && err.status == SL_ERULES && err.msg.len,
			      "a lockfile refused is a rules error, said");
		goto out;
	}
	sl_ws_lock_diff(&same, lock, lock);
	sl_fuzz_check(!same.nchanged && !same.nhits && !same.unattributed.n,
		      "a lockfile differs from itself in nothing");
	sl_ws_lock_diff(&added, NULL, lock);
	for (i = 0; i < added.nhits; i++)
		sl_fuzz_check(
		    is_lane(ws, added.hits[i].lane) && added.hits[i].entry,
		    "a hit names a lane of the workspace and an entry");
out:
	sl_ws_changes_release(&same);
	sl_ws_changes_release(&added);
	sl_ws_lock_free(lock);
	sl_buf_release(&text);
	sl_error_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct archive a = {SL_STRVEC_INIT, SL_STRVEC_INIT};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws *ws = NULL;
	const char *text = (const char *)data;
	struct sl_ws_source src = {.read = archive_read,
				   .find = archive_find,
				   .ctx = &a,
				   .label = NULL};
	enum sl_ws_kind kind;
	size_t i;

	if (!size)
		return 0;
	kind = kind_of(&text, &size);
	archive_parse(&a, text, size);
	if (sl_ws_derive(&ws, kind, "", &src, &err)) {
		sl_fuzz_check(!ws && err.status == SL_ERULES && err.msg.len,
			      "a workspace refused is a rules error, said");
	} else {
		check_workspace(ws);
		for (i = 0; i < ws->lockfiles.n; i++)
			check_lockfile(ws, &a, ws->lockfiles.v[i]);
	}
	sl_ws_free(ws);
	sl_error_release(&err);
	sl_strvec_release(&a.paths);
	sl_strvec_release(&a.texts);
	return 0;
}
