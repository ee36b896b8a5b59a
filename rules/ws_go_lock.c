/*
 * ws_go_lock.c: the files of a Go workspace compared by content (go.sum,
 * go.work.sum, and the require, replace and exclude lines of go.mod and
 * go.work) as entries keyed by module path: an entry's content is every
 * line about that path, its version the last one named. A changed entry
 * is attributed to each module whose closure names the path (ws_go.c),
 * whoever's file it changed in: in a workspace the build list is shared,
 * so one module raising a requirement raises it for every module that
 * loads that path. That is by path, not by version: a documented
 * over-approximation (docs/workspaces.md, "Go"), never a miss. Other
 * directives (go, toolchain, use, module) belong to no module.
 */
#include "common/common.h"

#include "rules/ws_internal.h"

struct go_reader {
	struct sl_ws_lock *lock;
	bool sum; /* a go.sum or go.work.sum */
	struct sl_buf sb;
};

static uint64_t hash_line(const struct sl_modline *ml)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;
	const char *s;

	for (i = 0; i <= ml->nargs; i++) {
		for (s = i ? ml->args[i - 1] : ml->verb; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ull;
		h = (h ^ 0xFF) * 1099511628211ull;
	}
	return h;
}

/* Adds the line's content to the entry key (module path, or NULL for a
 * directive of no module), with the version it names. */
static void add_line(struct go_reader *r, const char *key, const char *version,
		     const struct sl_modline *ml)
{
	struct sl_ws_lock *lock = r->lock;
	struct sl_lock_entry *e;
	bool dup;
	uint32_t i;

	if (!key) {
		size_t k;

		sl_buf_reset(&r->sb);
		sl_buf_adds(&r->sb, ml->verb);
		for (k = 0; k < ml->nargs; k++)
			sl_buf_adds3(&r->sb, " ", ml->args[k], "");
		key = r->sb.buf;
	}
	i = sl_lock_add(lock, key, strlen(key), &dup);
	e = &lock->entries[i];
	/* A sum, not a running hash: the lines' order does not matter. */
	e->hash += hash_line(ml);
	if (version)
		e->version = sl_lock_str(lock, version, strlen(version));
}

static int go_line(const struct sl_modline *ml, void *payload)
{
	struct go_reader *r = payload;

	if (r->sum) {
		/* "path version[/go.mod] h1:hash" */
		if (ml->nargs >= 1) {
			size_t n = strcspn(ml->args[0], "/");

			sl_buf_reset(&r->sb);
			sl_buf_add(&r->sb, ml->args[0], n);
			{
				char *v = sl_xstrdup(r->sb.buf);

				add_line(r, ml->verb, v, ml);
				free(v);
			}
		}
		return 0;
	}
	if ((!strcmp(ml->verb, "require") || !strcmp(ml->verb, "exclude")) &&
	    ml->nargs >= 1) {
		add_line(r, ml->args[0], ml->nargs >= 2 ? ml->args[1] : NULL,
			 ml);
	} else if (!strcmp(ml->verb, "replace") && ml->nargs >= 3) {
		size_t arrow = !strcmp(ml->args[1], "=>") ? 1 : 2;

		sl_buf_reset(&r->sb);
		sl_buf_adds(&r->sb, "=>");
		for (size_t k = arrow + 1; k < ml->nargs; k++)
			sl_buf_adds3(&r->sb, " ", ml->args[k], "");
		{
			char *v = sl_xstrdup(r->sb.buf);

			add_line(r, ml->args[0], v, ml);
			free(v);
		}
	} else {
		add_line(r, NULL, NULL, ml);
	}
	return 0;
}

int sl_lock_parse_go(struct sl_ws_lock *lock, const char *data, size_t len,
		     struct sl_error *err)
{
	struct go_reader r = {.lock = lock, .sb = SL_BUF_INIT};
	const char *base = strrchr(lock->file, '/');
	size_t i;
	int ret;

	base = base ? base + 1 : lock->file;
	r.sum =
	    !strncmp(base, "go.sum", 6) || !strncmp(base, "go.work.sum", 11);
	lock->by_closure = true;
	ret = sl_modfile_parse(lock->file, data, len, go_line, &r, err);
	sl_buf_release(&r.sb);
	/* Entries are named by their key: the module path. */
	for (i = 0; i < lock->n; i++)
		lock->entries[i].name = lock->entries[i].key;
	return ret;
}
