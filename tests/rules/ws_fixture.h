/*
 * ws_fixture.h: what the workspace tests share (tests/rules/test_ws_*.c):
 * a struct sl_ws_source over a table of files in memory, one over a
 * fixture directory (fixtures/workspaces/), and comparing a lockfile's
 * closures with what npm or pnpm itself printed (generate.sh there).
 */
#ifndef SL_TEST_WS_FIXTURE_H
#define SL_TEST_WS_FIXTURE_H

#include "common/common.h"

#include <dirent.h>
#include <sys/stat.h>

#include "rules/rules.h"
#include "rules/ws_internal.h"

/* ---- files in memory: {path, text} pairs, NULL-terminated ------------ */

static int mem_read(void *ctx, const char *path, struct sl_buf *out,
		    bool *found, struct sl_error *err)
{
	const char *const *files = ctx;

	(void)err;
	*found = false;
	for (; files[0]; files += 2) {
		if (!strcmp(files[0], path)) {
			sl_buf_adds(out, files[1]);
			*found = true;
		}
	}
	return 0;
}

static unsigned depth_below(const char *dir, const char *path)
{
	unsigned n = 0;
	const char *c = path + strlen(dir) + (*dir ? 1 : 0);

	for (; *c; c++)
		n += *c == '/';
	return n;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int mem_find(void *ctx, const char *dir, const char *file,
		    unsigned depth, struct sl_strvec *out, struct sl_error *err)
{
	const char *const *files = ctx;
	size_t dl = strlen(dir), fl = strlen(file), first = out->n;

	(void)err;
	for (; files[0]; files += 2) {
		const char *p = files[0];
		size_t pl = strlen(p);

		if (dl && (strncmp(p, dir, dl) || p[dl] != '/'))
			continue;
		if (pl < fl || strcmp(p + pl - fl, file) ||
		    (pl > fl && p[pl - fl - 1] != '/'))
			continue;
		if (strstr(p, "node_modules/"))
			continue;
		if (depth != UINT_MAX && depth_below(dir, p) > depth)
			continue;
		sl_strvec_push_take(out,
				    sl_xmemdupz(p, pl > fl ? pl - fl - 1 : 0));
	}
	qsort(out->v + first, out->n - first, sizeof(char *), cmp_strp);
	return 0;
}

static inline struct sl_ws_source mem_source(const char *const *files)
{
	struct sl_ws_source src = {.read = mem_read,
				   .find = mem_find,
				   .ctx = (void *)files,
				   .label = NULL};
	return src;
}

/* ---- what a derivation gave, as text --------------------------------- */

/* Each package as "DIR=LANE" and its edges as ">LANE" (with fields:
 * ">LANE(FIELD)"), each package followed by a space. */
static inline void ws_graph_text(struct sl_buf *out, const struct sl_ws *ws,
				 bool fields)
{
	size_t i, j;

	for (i = 0; i < ws->npkgs; i++) {
		sl_buf_addf(out, "%s=%s", ws->pkgs[i].dir, ws->pkgs[i].lane);
		for (j = 0; j < ws->pkgs[i].ndeps; j++) {
			sl_buf_addf(out, ">%s",
				    ws->pkgs[ws->pkgs[i].deps[j].to].lane);
			if (fields)
				sl_buf_addf(out, "(%s)",
					    ws->pkgs[i].deps[j].field);
		}
		sl_buf_addch(out, ' ');
	}
}

/* ---- a fixture directory -------------------------------------------- */

struct dir_ctx {
	char root[4096];
};

static int dir_read(void *ctx, const char *path, struct sl_buf *out,
		    bool *found, struct sl_error *err)
{
	struct dir_ctx *d = ctx;
	struct sl_buf full = SL_BUF_INIT;
	struct stat st;
	int ret = 0;

	sl_buf_addf(&full, "%s/%s", d->root, path);
	*found = !stat(full.buf, &st) && S_ISREG(st.st_mode);
	if (*found)
		ret = sl_buf_read_file(out, full.buf, SIZE_MAX, err);
	sl_buf_release(&full);
	return ret;
}

static void walk(struct dir_ctx *d, const char *rel, const char *file,
		 unsigned depth, struct sl_strvec *out)
{
	struct sl_buf full = SL_BUF_INIT;
	struct stat st;
	struct dirent *de;
	DIR *dh;

	sl_buf_addf(&full, "%s/%s%s%s", d->root, rel, *rel ? "/" : "", file);
	if (!stat(full.buf, &st) && S_ISREG(st.st_mode))
		sl_strvec_push(out, rel);
	sl_buf_reset(&full);
	sl_buf_addf(&full, "%s/%s", d->root, rel);
	dh = depth ? opendir(full.buf) : NULL;
	while (dh && (de = readdir(dh)) != NULL) {
		struct sl_buf sub = SL_BUF_INIT;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "node_modules"))
			continue;
		sl_buf_addf(&sub, "%s/%s", full.buf, de->d_name);
		if (!stat(sub.buf, &st) && S_ISDIR(st.st_mode)) {
			sl_buf_reset(&sub);
			sl_buf_addf(&sub, "%s%s%s", rel, *rel ? "/" : "",
				    de->d_name);
			walk(d, sub.buf, file,
			     depth == UINT_MAX ? depth : depth - 1, out);
		}
		sl_buf_release(&sub);
	}
	if (dh)
		closedir(dh);
	sl_buf_release(&full);
}

static int dir_find(void *ctx, const char *dir, const char *file,
		    unsigned depth, struct sl_strvec *out, struct sl_error *err)
{
	size_t first = out->n;

	(void)err;
	walk(ctx, dir, file, depth, out);
	qsort(out->v + first, out->n - first, sizeof(char *), cmp_strp);
	return 0;
}

/* A source over fixtures/workspaces/<name>; d must outlive it. */
static inline struct sl_ws_source dir_source(struct dir_ctx *d,
					     const char *name)
{
	struct sl_ws_source src = {
	    .read = dir_read, .find = dir_find, .ctx = d, .label = NULL};

	snprintf(d->root, sizeof(d->root), "%s/fixtures/workspaces/%s",
		 sl_source_root(), name);
	return src;
}

/* Reads fixtures/workspaces/<name>/<file> into out. */
static inline void fixture_read(struct sl_buf *out, const char *name,
				const char *file)
{
	struct sl_buf path = SL_BUF_INIT;

	sl_buf_addf(&path, "%s/fixtures/workspaces/%s/%s", sl_source_root(),
		    name, file);
	sl_read_file(out, path.buf);
	sl_buf_release(&path);
}

/* Every package's closure as "name<TAB>name@version" lines, sorted. */
static inline void closures_text(struct sl_buf *out,
				 const struct sl_ws_lock *lock,
				 const struct sl_ws *ws)
{
	struct sl_strvec lines = SL_STRVEC_INIT;
	size_t i, j;

	for (i = 0; i < ws->npkgs; i++) {
		struct sl_strvec c = SL_STRVEC_INIT;

		sl_ws_lock_closure(&c, lock, i);
		for (j = 0; j < c.n; j++)
			sl_strvec_pushf(&lines, "%s\t%s", ws->pkgs[i].name,
					c.v[j]);
		sl_strvec_release(&c);
	}
	qsort(lines.v, lines.n, sizeof(char *), cmp_strp);
	/* Two copies of one version (nested apart) are one line. */
	for (i = 0; i < lines.n; i++)
		if (!i || strcmp(lines.v[i - 1], lines.v[i]))
			sl_buf_adds3(out, lines.v[i], "\n", "");
	sl_strvec_release(&lines);
}

#endif
