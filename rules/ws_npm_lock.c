/*
 * ws_npm_lock.c: package-lock.json, lockfileVersion 2 and 3 (npm 7 and
 * later), as a graph of entries (docs/workspaces.md, "npm"). Each entry of
 * `packages` is keyed by where npm puts it: "" is the root,
 * "packages/web" a workspace package, "node_modules/express" a hoisted
 * dependency, "packages/web/node_modules/express" or
 * "node_modules/a/node_modules/b" a nested one. A dependency named N of
 * the entry at L resolves as Node.js resolves it: to L/node_modules/N,
 * else the same in each directory above L (skipping the node_modules
 * directories themselves), up to the root's node_modules/N. An entry with
 * `link: true` stands for a workspace package: a walk stops there. A
 * bundled dependency (`inBundle`) sits under its bundler's node_modules
 * and resolves the same way. devDependencies count for the root and the
 * workspace packages only: npm installs no one else's. Version 1 (npm 6)
 * has no `packages`; it and any version past 3 are refused as unknown.
 */
#include "common/common.h"

#include "rules/ws_internal.h"

/* One entry's dependency names, kept until every entry is known. */
struct pending {
	uint32_t first, n; /* names[first .. first+n) */
};

struct npm_reader {
	struct sl_ws_lock *lock;
	struct sl_jr jr;
	struct sl_jstr key, s;
	uint32_t *names; /* pool offsets of dependency names */
	size_t nnames, names_alloc;
	struct pending *pending; /* by entry */
	size_t pending_alloc;
	/* Directories that hold a node_modules with entries: where a
	 * lookup can stop before the root. */
	struct sl_ws_lock *nested;
	uint64_t version;
	bool has_packages, has_version;
	bool pkgs_nested; /* a package's directory has "node_modules" */
};

static bool under_node_modules(const char *key)
{
	return !strncmp(key, "node_modules/", 13) ||
	       strstr(key, "/node_modules/") != NULL;
}

/* The package name of a location: what follows its last node_modules/. */
static const char *name_of_location(const char *key)
{
	const char *last = NULL, *c = key;

	if (!strncmp(key, "node_modules/", 13))
		last = key + 13;
	while ((c = strstr(c, "/node_modules/")) != NULL) {
		last = c + 14;
		c += 14;
	}
	return last ? last : key;
}

static int read_dep_names(struct npm_reader *r, uint32_t entry)
{
	struct sl_jr *jr = &r->jr;
	struct pending *p = &r->pending[entry];
	int ret = sl_jr_peek(jr);

	if (ret >= 0 && ret != SL_JT_OBJECT)
		return sl_jr_error(jr, "dependencies must be an object");
	if (ret >= 0)
		ret = sl_jr_object(jr);
	while (ret >= 0 && (ret = sl_jr_key(jr, &r->key)) > 0) {
		ret = sl_jr_skip(jr);
		if (ret < 0)
			break;
		if (!p->n)
			p->first = (uint32_t)r->nnames;
		else if (p->first + p->n != r->nnames)
			return sl_jr_error(jr, "BUG: dependency names apart");
		SL_ALLOC_GROW(r->names, r->nnames + 1, r->names_alloc);
		r->names[r->nnames++] =
		    sl_lock_str(r->lock, r->key.s, r->key.n);
		p->n++;
	}
	return ret < 0 ? ret : 0;
}

static int read_str(struct npm_reader *r, uint32_t *out)
{
	int ret = sl_jr_peek(&r->jr);

	if (ret != SL_JT_STRING)
		return ret < 0 ? ret : sl_jr_skip(&r->jr);
	ret = sl_jr_str(&r->jr, &r->s);
	if (!ret)
		*out = sl_lock_str(r->lock, r->s.s, r->s.n);
	return ret;
}

/* Reads one entry's fields; the rest are only hashed. */
static int read_entry_fields(struct npm_reader *r, uint32_t e, bool dev,
			     uint32_t *resolved, bool *link)
{
	struct sl_jr *jr = &r->jr;
	struct sl_jstr f = SL_JSTR_INIT;
	int ret = sl_jr_object(jr);

	while (ret >= 0 && (ret = sl_jr_key(jr, &f)) > 0) {
		struct sl_lock_entry *entry = &r->lock->entries[e];

		if (sl_jstr_is(&f, "version")) {
			ret = read_str(r, &entry->version);
		} else if (sl_jstr_is(&f, "resolved")) {
			ret = read_str(r, resolved);
		} else if (sl_jstr_is(&f, "name")) {
			ret = read_str(r, &entry->name);
		} else if (sl_jstr_is(&f, "link")) {
			*link = sl_jr_peek(jr) == SL_JT_TRUE;
			ret = sl_jr_skip(jr);
		} else if (sl_jstr_is(&f, "dependencies") ||
			   sl_jstr_is(&f, "optionalDependencies") ||
			   sl_jstr_is(&f, "peerDependencies") ||
			   (dev && sl_jstr_is(&f, "devDependencies"))) {
			ret = read_dep_names(r, e);
		} else {
			ret = sl_jr_skip(jr);
		}
	}
	sl_jstr_release(&f);
	return ret < 0 ? ret : 0;
}

/* Which workspace package (or the root) the entry at key is. */
static uint32_t package_of(const struct sl_ws *ws, const char *key)
{
	char *dir;
	size_t i;

	if (!*key)
		return SL_LOCK_ROOT;
	dir = sl_ws_join(ws->root, key);
	i = sl_ws_find_dir(ws, dir);
	free(dir);
	return i == SIZE_MAX ? SL_LOCK_NONE : (uint32_t)i;
}

static int read_entry(struct npm_reader *r)
{
	struct sl_jr *jr = &r->jr;
	const char *start;
	uint32_t e, resolved = 0;
	bool dup, link = false, nested;
	int ret;

	e = sl_lock_add(r->lock, r->key.s, r->key.n, &dup);
	if (dup)
		return sl_jr_error(jr, "a key of 'packages' is written twice");
	/* The pool's copy is NUL-terminated; read before the pool grows. */
	nested =
	    under_node_modules(sl_lock_s(r->lock, r->lock->entries[e].key));
	SL_ALLOC_GROW(r->pending, r->lock->n, r->pending_alloc);
	r->pending[e].n = 0;
	ret = sl_jr_peek(jr);
	if (ret >= 0 && ret != SL_JT_OBJECT)
		return sl_jr_error(jr, "an entry of 'packages' must be an "
				       "object");
	if (ret < 0)
		return ret;
	start = jr->p;
	ret = read_entry_fields(r, e, !nested, &resolved, &link);
	if (ret)
		return ret;
	{
		struct sl_lock_entry *entry = &r->lock->entries[e];
		const char *key = sl_lock_s(r->lock, entry->key);

		entry->hash = sl_jr_hash(start, (size_t)(jr->p - start));
		entry->stop = link;
		/* A package's directory has no node_modules in it (their
		 * search skips those): 50,000 entries need no lookup. */
		entry->pkg = nested && !r->pkgs_nested
				 ? SL_LOCK_NONE
				 : package_of(r->lock->ws, key);
		if (entry->name == entry->key && *key)
			entry->name = (uint32_t)(entry->key +
						 (name_of_location(key) - key));
		(void)resolved;
	}
	return 0;
}

static int read_packages(struct npm_reader *r)
{
	struct sl_jr *jr = &r->jr;
	int ret = sl_jr_peek(jr);

	if (ret >= 0 && ret != SL_JT_OBJECT)
		return sl_jr_error(jr, "'packages' must be an object");
	if (ret >= 0)
		ret = sl_jr_object(jr);
	r->has_packages = true;
	while (ret >= 0 && (ret = sl_jr_key(jr, &r->key)) > 0)
		ret = read_entry(r);
	return ret < 0 ? ret : 0;
}

static int read_top(struct npm_reader *r)
{
	struct sl_jr *jr = &r->jr;
	int ret = sl_jr_peek(jr);

	if (ret >= 0 && ret != SL_JT_OBJECT)
		return sl_jr_error(jr, "a package-lock.json must be an object");
	if (ret >= 0)
		ret = sl_jr_object(jr);
	while (ret >= 0 && (ret = sl_jr_key(jr, &r->key)) > 0) {
		if (sl_jstr_is(&r->key, "packages")) {
			ret = read_packages(r);
		} else if (sl_jstr_is(&r->key, "lockfileVersion")) {
			ret = sl_jr_uint(jr, &r->version);
			r->has_version = true;
		} else {
			ret = sl_jr_skip(jr);
		}
	}
	if (ret >= 0)
		ret = sl_jr_end(jr);
	return ret < 0 ? ret : 0;
}

/* ---- resolution --------------------------------------------------- */

/* Records every directory that holds a node_modules with entries. */
static void index_nested(struct npm_reader *r)
{
	size_t i;
	bool dup;

	r->nested = sl_lock_new(r->lock->ws, "");
	for (i = 0; i < r->lock->n; i++) {
		const char *key = sl_lock_s(r->lock, r->lock->entries[i].key);
		const char *last = NULL, *c = key;

		while ((c = strstr(c, "/node_modules/")) != NULL)
			last = c++;
		if (last)
			sl_lock_add(r->nested, key, (size_t)(last - key), &dup);
	}
}

/*
 * The entry a dependency named name of the entry at location from
 * resolves to, by Node.js's lookup; SL_LOCK_NONE when none.
 */
static uint32_t resolve(struct npm_reader *r, struct sl_buf *sb,
			const char *from, const char *name)
{
	size_t len = strlen(from);

	for (;;) {
		const char *base;
		bool skip;
		uint32_t hit;

		/* from[0..len) is a directory; its basename decides. */
		base = len ? (const char *)memrchr(from, '/', len) : NULL;
		base = base ? base + 1 : from;
		skip = (size_t)(from + len - base) == 12 &&
		       !memcmp(base, "node_modules", 12);
		if (!skip && (!len || sl_lock_find(r->nested, from, len) !=
					  SL_LOCK_NONE)) {
			sl_buf_reset(sb);
			sl_buf_add(sb, from, len);
			sl_buf_adds3(sb, len ? "/" : "", "node_modules/", name);
			hit = sl_lock_find(r->lock, sb->buf, sb->len);
			if (hit != SL_LOCK_NONE)
				return hit;
		}
		if (!len)
			return SL_LOCK_NONE;
		base = memrchr(from, '/', len);
		len = base ? (size_t)(base - from) : 0;
	}
}

static void resolve_all(struct npm_reader *r)
{
	struct sl_ws_lock *lock = r->lock;
	struct sl_buf sb = SL_BUF_INIT;
	size_t i, k;

	index_nested(r);
	for (i = 0; i < lock->n; i++) {
		struct sl_lock_entry *e = &lock->entries[i];
		const struct pending *p = &r->pending[i];

		e->edges = (uint32_t)lock->nedge;
		if (e->stop)
			continue; /* a link: the package it names walks on */
		for (k = 0; k < p->n; k++) {
			uint32_t to =
			    resolve(r, &sb, sl_lock_s(lock, e->key),
				    sl_lock_s(lock, r->names[p->first + k]));

			if (to != SL_LOCK_NONE && to != i)
				sl_lock_edge(lock, (uint32_t)i, to);
		}
	}
	sl_buf_release(&sb);
}

int sl_lock_parse_npm(struct sl_ws_lock *lock, const char *data, size_t len,
		      struct sl_error *err)
{
	struct npm_reader r = {
	    .lock = lock, .key = SL_JSTR_INIT, .s = SL_JSTR_INIT};
	struct sl_buf version = SL_BUF_INIT;
	size_t i;
	int ret;

	for (i = 0; i < lock->ws->npkgs; i++)
		if (strstr(lock->ws->pkgs[i].dir, "node_modules"))
			r.pkgs_nested = true;
	sl_jr_init(&r.jr, lock->file, data, len, err);
	ret = read_top(&r);
	if (!ret && (!r.has_version || r.version < 2 || r.version > 3)) {
		if (!r.has_version)
			sl_buf_adds(&version, "(none)");
		else if (r.version == UINT64_MAX)
			sl_buf_adds(&version, "(not a whole number)");
		else
			sl_buf_addf(&version, "%" PRIu64, r.version);
		ret = sl_error_set(err, SL_ERULES,
				   "%s: lockfileVersion %s is not one sluice "
				   "reads (2 and 3, npm 7 and later); run "
				   "'npm install' with npm 7 or later to "
				   "rewrite it",
				   lock->file, version.buf);
	}
	if (!ret && !r.has_packages)
		ret = sl_error_set(err, SL_ERULES,
				   "%s: no 'packages'; a package-lock.json of "
				   "version 2 or 3 lists every package there",
				   lock->file);
	if (!ret)
		resolve_all(&r);
	sl_ws_lock_free(r.nested);
	sl_jstr_release(&r.key);
	sl_jstr_release(&r.s);
	sl_buf_release(&version);
	free(r.names);
	free(r.pending);
	return ret;
}
