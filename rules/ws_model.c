/*
 * ws_model.c: a workspace as sluice holds it (struct sl_ws): adding
 * packages and their internal edges, the checks and the lane names once
 * every package is known, and the entry points that hand a kind to its
 * reader (ws_npm.c, ws_pnpm.c, ws_go.c). It reads files only through the
 * caller's struct sl_ws_source.
 */
#include "common/common.h"

#include "rules/load_internal.h"
#include "rules/ws_internal.h"

/* The largest manifest or lockfile read (as a blob from a commit). */
#define WS_FILE_MAX (256u * 1024 * 1024)
/* Lane names are at most this long (rules/schema.c's limit). */
#define LANE_MAX 128

static const char *const kind_names[] = {"npm", "pnpm", "go"};

const char *sl_ws_kind_name(enum sl_ws_kind kind)
{
	return kind_names[kind];
}

int sl_ws_kind_parse(enum sl_ws_kind *out, const char *name)
{
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(kind_names); i++) {
		if (!strcmp(name, kind_names[i])) {
			*out = (enum sl_ws_kind)i;
			return 0;
		}
	}
	return -1;
}

char *sl_ws_join(const char *root, const char *rel)
{
	struct sl_buf sb = SL_BUF_INIT;

	if (*root && *rel)
		sl_buf_adds3(&sb, root, "/", rel);
	else
		sl_buf_adds(&sb, *root ? root : rel);
	return sl_buf_detach(&sb, NULL);
}

const char *sl_ws_label(struct sl_buf *sb, const struct sl_ws_source *src,
			const char *path)
{
	sl_buf_reset(sb);
	sl_buf_adds(sb, path);
	if (src->label)
		sl_buf_adds(sb, src->label);
	return sb->buf;
}

int sl_ws_read(struct sl_buf *out, bool *found, const struct sl_ws_source *src,
	       const char *path, struct sl_error *err)
{
	int ret = src->read(src->ctx, path, out, found, err);

	if (!ret && *found && out->len > WS_FILE_MAX)
		ret = sl_error_set(err, SL_EUSAGE,
				   "'%s' is larger than %u MiB; sluice reads "
				   "manifests and lockfiles up to that size",
				   path, WS_FILE_MAX >> 20);
	return ret;
}

size_t sl_ws_add_pkg(struct sl_ws *ws, const char *name, const char *dir,
		     const char *manifest)
{
	struct sl_ws_pkg *p;

	SL_ALLOC_GROW(ws->pkgs, ws->npkgs + 1, ws->alloc);
	p = &ws->pkgs[ws->npkgs];
	memset(p, 0, sizeof(*p));
	p->name = sl_xstrdup(name);
	p->dir = sl_xstrdup(dir);
	p->manifest = sl_xstrdup(manifest);
	p->closure = (struct sl_strvec)SL_STRVEC_INIT;
	return ws->npkgs++;
}

void sl_ws_add_edge(struct sl_ws *ws, size_t from, size_t to, const char *field)
{
	struct sl_ws_pkg *p = &ws->pkgs[from];
	size_t i;

	for (i = 0; i < p->ndeps; i++)
		if (p->deps[i].to == to)
			return;
	p->deps =
	    sl_xrealloc(p->deps, sl_st_mult(p->ndeps + 1, sizeof(*p->deps)));
	p->deps[p->ndeps].to = to;
	p->deps[p->ndeps++].field = field;
}

size_t sl_ws_find_name(const struct sl_ws *ws, const char *name)
{
	size_t i;

	for (i = 0; i < ws->npkgs; i++)
		if (!strcmp(ws->pkgs[i].name, name))
			return i;
	return SIZE_MAX;
}

size_t sl_ws_find_dir(const struct sl_ws *ws, const char *dir)
{
	size_t lo = 0, hi = ws->npkgs;

	/* Sorted by sl_ws_finish(); before that, every caller scans. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ws->pkgs[mid].dir, dir);

		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

/* ---- finishing: order, checks, lane names ---------------------------- */

struct dir_rank {
	const char *dir;
	size_t i;
};

static int by_dir(const void *a, const void *b)
{
	const struct dir_rank *x = a, *y = b;

	return strcmp(x->dir, y->dir);
}

static void sort_pkgs(struct sl_ws *ws)
{
	struct dir_rank *order = sl_xcalloc(ws->npkgs + 1, sizeof(*order));
	size_t *rank = sl_xcalloc(ws->npkgs + 1, sizeof(size_t));
	struct sl_ws_pkg *sorted;
	size_t i, j;

	for (i = 0; i < ws->npkgs; i++) {
		order[i].dir = ws->pkgs[i].dir;
		order[i].i = i;
	}
	qsort(order, ws->npkgs, sizeof(*order), by_dir);
	sorted = sl_xcalloc(ws->npkgs + 1, sizeof(*sorted));
	for (i = 0; i < ws->npkgs; i++) {
		sorted[i] = ws->pkgs[order[i].i];
		rank[order[i].i] = i;
	}
	for (i = 0; i < ws->npkgs; i++)
		for (j = 0; j < sorted[i].ndeps; j++)
			sorted[i].deps[j].to = rank[sorted[i].deps[j].to];
	free(ws->pkgs);
	ws->pkgs = sorted;
	ws->alloc = ws->npkgs + 1;
	free(order);
	free(rank);
}

/* name's parts, split at '/' and '@'; a Go major version suffix ("v2")
 * stays with the part before it. */
static void name_parts(struct sl_strvec *out, const char *name)
{
	const char *c = name;

	while (*c) {
		size_t n = strcspn(c, "/@");

		if (n)
			sl_strvec_push_take(out, sl_xmemdupz(c, n));
		c += n + (c[n] != '\0');
	}
	if (out->n >= 2) {
		const char *last = out->v[out->n - 1];

		if (last[0] == 'v' && last[1] &&
		    strspn(last + 1, "0123456789") == strlen(last + 1)) {
			char *merged = NULL;
			struct sl_buf sb = SL_BUF_INIT;

			sl_buf_adds3(&sb, out->v[out->n - 2], "-", last);
			merged = sl_buf_detach(&sb, NULL);
			free(out->v[out->n - 1]);
			free(out->v[out->n - 2]);
			out->v[out->n - 2] = merged;
			out->v[--out->n] = NULL;
		}
	}
}

/*
 * What a package's lane name is made of: its name's parts, or, for a
 * name another package has too (pnpm allows it: a test fixture's copies,
 * packages with no name, named after their directory), its directory's
 * components, which tell them apart ("opt-nested", "ssr-nested").
 */
static void lane_parts(struct sl_strvec *out, const struct sl_ws_pkg *p,
		       bool shared)
{
	const char *c = p->dir;

	if (!shared || !*c) {
		name_parts(out, p->name);
		return;
	}
	while (*c) {
		size_t n = strcspn(c, "/");

		if (n)
			sl_strvec_push_take(out, sl_xmemdupz(c, n));
		c += n + (c[n] != '\0');
	}
}

static bool lane_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* The last k parts joined by '-', made a valid lane name. */
static char *lane_of(const struct sl_strvec *parts, size_t k)
{
	struct sl_buf sb = SL_BUF_INIT;
	size_t i, j;

	for (i = parts->n - SL_MIN(k, parts->n); i < parts->n; i++) {
		if (sb.len)
			sl_buf_addch(&sb, '-');
		for (j = 0; parts->v[i][j]; j++)
			sl_buf_addch(&sb, lane_char(parts->v[i][j])
					      ? parts->v[i][j]
					      : '-');
	}
	for (i = 0; i < sb.len && !((sb.buf[i] >= 'a' && sb.buf[i] <= 'z') ||
				    (sb.buf[i] >= 'A' && sb.buf[i] <= 'Z') ||
				    (sb.buf[i] >= '0' && sb.buf[i] <= '9'));
	     i++)
		;
	if (i == sb.len) {
		sl_buf_release(&sb);
		return sl_xstrdup("package");
	}
	memmove(sb.buf, sb.buf + i, sb.len - i);
	sl_buf_setlen(&sb, SL_MIN(sb.len - i, (size_t)LANE_MAX));
	return sl_buf_detach(&sb, NULL);
}

/*
 * Each package's lane: the shortest tail of its name's parts that no
 * other package's lane takes. Rounds lengthen only the tails that clash;
 * a name with no more parts to add keeps its full form and a number.
 */
static void name_lanes(struct sl_ws *ws)
{
	struct sl_strvec *parts = sl_xcalloc(ws->npkgs + 1, sizeof(*parts));
	size_t *k = sl_xcalloc(ws->npkgs + 1, sizeof(size_t));
	bool *shared = sl_xcalloc(ws->npkgs + 1, sizeof(bool));
	struct sl_strmap names = {0};
	bool again = true;
	size_t i, round;

	for (i = 0; i < ws->npkgs; i++) {
		uint64_t first = sl_strmap_put(&names, ws->pkgs[i].name, i);

		if (first != i)
			shared[i] = shared[first] = true;
	}
	sl_strmap_release(&names);
	for (i = 0; i < ws->npkgs; i++) {
		parts[i] = (struct sl_strvec)SL_STRVEC_INIT;
		lane_parts(&parts[i], &ws->pkgs[i], shared[i]);
		k[i] = 1;
		ws->pkgs[i].lane = lane_of(&parts[i], 1);
	}
	for (round = 0; again && round < 64; round++) {
		struct sl_strmap seen = {0};
		bool *clash = sl_xcalloc(ws->npkgs + 1, sizeof(bool));

		again = false;
		for (i = 0; i < ws->npkgs; i++) {
			uint64_t first =
			    sl_strmap_put(&seen, ws->pkgs[i].lane, i);

			if (first != i)
				clash[i] = clash[first] = true;
		}
		for (i = 0; i < ws->npkgs; i++) {
			if (!clash[i])
				continue;
			again = true;
			free(ws->pkgs[i].lane);
			if (k[i] < parts[i].n) {
				ws->pkgs[i].lane = lane_of(&parts[i], ++k[i]);
			} else {
				struct sl_buf sb = SL_BUF_INIT;
				char *full = lane_of(&parts[i], parts[i].n);

				sl_buf_addf(&sb, "%.*s-%zu", LANE_MAX - 12,
					    full, i + 1);
				free(full);
				ws->pkgs[i].lane = sl_buf_detach(&sb, NULL);
			}
		}
		sl_strmap_release(&seen);
		free(clash);
	}
	for (i = 0; i < ws->npkgs; i++)
		sl_strvec_release(&parts[i]);
	free(parts);
	free(k);
	free(shared);
}

int sl_ws_finish(struct sl_ws *ws, struct sl_error *err)
{
	struct sl_strmap names = {0};
	size_t i, j;

	sort_pkgs(ws);
	for (i = 1; i < ws->npkgs; i++)
		if (!strcmp(ws->pkgs[i - 1].dir, ws->pkgs[i].dir))
			return sl_error_set(err, SL_ERULES,
					    "'%s' is listed twice as a "
					    "package of the workspace",
					    ws->pkgs[i].manifest);
	/* pnpm takes two packages of one name (a test fixture's copies);
	 * npm refuses them (EDUPLICATEWORKSPACE), and go a module path
	 * used twice in a go.work. */
	for (i = 0; ws->kind != SL_WS_PNPM && i < ws->npkgs; i++) {
		uint64_t first = sl_strmap_put(&names, ws->pkgs[i].name, i);

		j = (size_t)first;
		if (j != i) {
			sl_strmap_release(&names);
			return sl_error_set(
			    err, SL_ERULES,
			    "'%s' and '%s' both name the package "
			    "'%s'; a workspace's packages have "
			    "names of their own: rename one",
			    ws->pkgs[j].manifest, ws->pkgs[i].manifest,
			    ws->pkgs[i].name);
		}
	}
	sl_strmap_release(&names);
	name_lanes(ws);
	return 0;
}

/* ---- the entry points ------------------------------------------------ */

int sl_ws_derive(struct sl_ws **out, enum sl_ws_kind kind, const char *root,
		 const struct sl_ws_source *src, struct sl_error *err)
{
	struct sl_ws *ws = sl_xcalloc(1, sizeof(*ws));
	int ret;

	*out = NULL;
	ws->kind = kind;
	ws->root = sl_xstrdup(root);
	ws->lockfiles = (struct sl_strvec)SL_STRVEC_INIT;
	switch (kind) {
	case SL_WS_NPM:
		ret = sl_ws_derive_npm(ws, src, err);
		break;
	case SL_WS_PNPM:
		ret = sl_ws_derive_pnpm(ws, src, err);
		break;
	default:
		ret = sl_ws_derive_go(ws, src, err);
		break;
	}
	if (!ret)
		ret = sl_ws_finish(ws, err);
	if (ret) {
		sl_ws_free(ws);
		return ret;
	}
	*out = ws;
	return 0;
}

void sl_ws_free(struct sl_ws *ws)
{
	size_t i;

	if (!ws)
		return;
	for (i = 0; i < ws->npkgs; i++) {
		free(ws->pkgs[i].name);
		free(ws->pkgs[i].dir);
		free(ws->pkgs[i].manifest);
		free(ws->pkgs[i].lane);
		free(ws->pkgs[i].deps);
		sl_strvec_release(&ws->pkgs[i].closure);
	}
	free(ws->pkgs);
	free(ws->root);
	sl_strvec_release(&ws->lockfiles);
	free(ws->shared_lockfile);
	free(ws);
}

/* The file names each kind's derivation reads. */
static bool manifest_name(enum sl_ws_kind kind, const char *base, size_t n)
{
	static const char *const js[] = {"package.json", "pnpm-workspace.yaml"};
	static const char *const go[] = {"go.work", "go.mod", "go.sum"};
	const char *const *names = kind == SL_WS_GO ? go : js;
	size_t i, count = kind == SL_WS_GO ? 3 : 2;

	for (i = 0; i < count; i++)
		if (strlen(names[i]) == n && !memcmp(names[i], base, n))
			return true;
	return false;
}

bool sl_ws_is_manifest(const struct sl_ws *ws, const char *path, size_t len)
{
	size_t rl = strlen(ws->root);
	const char *base = path;
	size_t i;

	if (rl && (len <= rl || memcmp(path, ws->root, rl) || path[rl] != '/'))
		return false;
	for (i = 0; i < len; i++)
		if (path[i] == '/')
			base = path + i + 1;
	return manifest_name(ws->kind, base, (size_t)(path + len - base));
}
