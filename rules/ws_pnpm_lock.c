/*
 * ws_pnpm_lock.c: pnpm-lock.yaml, lockfileVersion 6.x (pnpm 8) and 9.x
 * (pnpm 9 to 11), as a graph of entries (docs/workspaces.md, "pnpm").
 * `importers` has one entry per workspace package ("." is the root), each
 * dependency with its resolved version; version 6 keys `packages` by
 * "/name@version(peers)" with each package's dependencies, version 9
 * keeps the metadata (integrity) in `packages` under "name@version" and
 * the dependencies in `snapshots` under "name@version(peers)". A
 * dependency's version is a key's tail (name@version), a whole key (an
 * alias: "string-width@4.2.3"), or "link:DIR" (a workspace package: its
 * changes reach consumers through their edges). A dependency written
 * "catalog:" also depends on its entry in the lockfile's `catalogs`.
 *
 * A pnpm that manages its own version (pnpm 11, or a `packageManager` or
 * `devEngines.packageManager` it installs) writes the file as two YAML
 * documents, split as pnpm splits them (its lockfile/fs yamlDocuments):
 * a file that opens on "---" holds an environment document up to the
 * next "\n---\n" (configDependencies and packageManagerDependencies:
 * pnpm itself and what its configuration loads), then the lockfile of
 * the workspace. The environment's entries are read with their keys and
 * names prefixed "environment: " and belong to no package: a change to
 * them (a pnpm upgrade) leaves the lockfile's path changed.
 */
#include "common/common.h"

#include "rules/load_internal.h"
#include "rules/ws_internal.h"
#include "rules/ws_yaml.h"

#define ENV_PREFIX "environment: "

static const char *const dep_keys[] = {"dependencies", "devDependencies",
				       "optionalDependencies"};

struct pnpm_reader {
	struct sl_ws_lock *lock;
	const struct sl_ydoc *doc;
	unsigned major; /* 6 or 9 */
	uint32_t packages, snapshots, importers, catalogs;
	const char *prefix; /* of every key and name: "" or ENV_PREFIX */
	struct sl_buf sb;
	struct sl_error *err;
};

/* Splits a package key ("/@scope/x@1.0.0(peer@2)") into name and version. */
static void split_key(struct pnpm_reader *r, uint32_t e, const char *key)
{
	struct sl_lock_entry *entry = &r->lock->entries[e];
	const char *k = key + (*key == '/'), *at, *paren;

	at = strchr(k + (*k == '@'), '@');
	if (!at)
		return;
	paren = strchr(at, '(');
	sl_buf_reset(&r->sb);
	sl_buf_adds(&r->sb, r->prefix);
	sl_buf_add(&r->sb, k, (size_t)(at - k));
	entry->name = sl_lock_str(r->lock, r->sb.buf, r->sb.len);
	entry->version = sl_lock_str(
	    r->lock, at + 1, paren ? (size_t)(paren - at - 1) : strlen(at + 1));
}

/* The key of the entry a dependency name: version resolves to. */
static const char *dep_key(struct pnpm_reader *r, const char *name,
			   const char *version)
{
	size_t head = strcspn(version, "(");
	bool whole;

	if (r->major == 6)
		whole = version[0] == '/';
	else /* an alias's version is a whole key: "string-width@4.2.3" */
		whole = head > 1 && memchr(version + 1, '@', head - 1);
	sl_buf_reset(&r->sb);
	sl_buf_adds(&r->sb, r->prefix);
	if (!whole)
		sl_buf_adds3(&r->sb, r->major == 6 ? "/" : "", name, "@");
	sl_buf_adds(&r->sb, version);
	return r->sb.buf;
}

/* Adds edges from e to what the mapping deps (name: version) names. */
static void add_dep_edges(struct pnpm_reader *r, uint32_t e, uint32_t deps)
{
	const struct sl_ydoc *doc = r->doc;
	struct sl_ymap_iter it;

	sl_ymap_iter_init(&it, doc, deps);
	while (sl_ymap_next(&it)) {
		uint32_t k = it.k, v = it.v, ver = v, to;
		const char *version;

		if (doc->nodes[v].type == SL_YMAP) /* importers: {version} */
			ver = sl_ymap_get(doc, v, "version");
		if (!ver || doc->nodes[ver].type != SL_YSCALAR)
			continue;
		version = sl_ydoc_str(doc, ver);
		if (!strncmp(version, "link:", 5))
			continue;
		dep_key(r, sl_ydoc_str(doc, k), version);
		to = sl_lock_find(r->lock, r->sb.buf, r->sb.len);
		if (to != SL_LOCK_NONE && to != e)
			sl_lock_edge(r->lock, e, to);
	}
}

/* Version 9: the metadata of each "name@version", by that key. */
static void index_metadata(struct sl_strmap *out, const struct sl_ydoc *doc,
			   uint32_t packages)
{
	struct sl_ymap_iter it;

	sl_ymap_iter_init(&it, doc, packages);
	while (sl_ymap_next(&it))
		sl_strmap_put(out, sl_ydoc_str(doc, it.k), it.v);
}

static int add_packages(struct pnpm_reader *r, uint32_t map)
{
	const struct sl_ydoc *doc = r->doc;
	struct sl_strmap meta = {0};
	struct sl_ymap_iter it;
	bool dup;
	int ret = 0;

	if (r->major != 6)
		index_metadata(&meta, doc, r->packages);
	sl_ymap_iter_init(&it, doc, map);
	while (!ret && sl_ymap_next(&it)) {
		const char *key = sl_ydoc_str(doc, it.k);
		uint64_t h = sl_ynode_hash(doc, it.v), m;
		uint32_t e;

		sl_buf_reset(&r->sb);
		sl_buf_adds3(&r->sb, r->prefix, key, "");
		e = sl_lock_add(r->lock, r->sb.buf, r->sb.len, &dup);

		if (dup) {
			ret = sl_ws_yaml_error(r->err, r->lock->file, doc, it.k,
					       "a package is listed twice");
			break;
		}
		if (r->major != 6) {
			/* Its metadata is under the key without peers. */
			sl_buf_reset(&r->sb);
			sl_buf_add(&r->sb, key, strcspn(key, "("));
			m = sl_strmap_get(&meta, r->sb.buf);
			if (m != UINT64_MAX)
				h ^= sl_ynode_hash(doc, (uint32_t)m) * 31;
		}
		r->lock->entries[e].hash = h;
		split_key(r, e, key);
	}
	sl_strmap_release(&meta);
	return ret;
}

static uint32_t importer_pkg(const struct sl_ws *ws, const char *path)
{
	char *dir;
	size_t i;

	if (!strcmp(path, "."))
		return SL_LOCK_ROOT;
	dir = sl_ws_join(ws->root, path);
	i = sl_ws_find_dir(ws, dir);
	free(dir);
	return i == SIZE_MAX ? SL_LOCK_NONE : (uint32_t)i;
}

/* Adds the edges of importer e to the catalog entries it uses. */
static void add_catalog_edges(struct pnpm_reader *r, uint32_t e, uint32_t deps)
{
	const struct sl_ydoc *doc = r->doc;
	struct sl_ymap_iter it;
	uint32_t to;

	sl_ymap_iter_init(&it, doc, deps);
	while (sl_ymap_next(&it)) {
		uint32_t k = it.k, spec = sl_ymap_get(doc, it.v, "specifier");
		const char *s;

		if (!spec || doc->nodes[spec].type != SL_YSCALAR)
			continue;
		s = sl_ydoc_str(doc, spec);
		if (strncmp(s, "catalog:", 8))
			continue;
		sl_buf_reset(&r->sb);
		sl_buf_adds3(&r->sb, r->prefix, "catalogs/", "");
		sl_buf_adds3(&r->sb, s[8] ? s + 8 : "default", "/", "");
		sl_buf_adds(&r->sb, sl_ydoc_str(doc, k));
		to = sl_lock_find(r->lock, r->sb.buf, r->sb.len);
		if (to != SL_LOCK_NONE)
			sl_lock_edge(r->lock, e, to);
	}
}

static void add_catalogs(struct pnpm_reader *r)
{
	const struct sl_ydoc *doc = r->doc;
	struct sl_ymap_iter cat, it;
	uint32_t e;
	bool dup;

	sl_ymap_iter_init(&cat, doc, r->catalogs);
	while (r->catalogs && sl_ymap_next(&cat)) {
		uint32_t k = cat.k;

		sl_ymap_iter_init(&it, doc, cat.v);
		while (sl_ymap_next(&it)) {
			uint32_t dk = it.k, dv = it.v;

			sl_buf_reset(&r->sb);
			sl_buf_adds3(&r->sb, r->prefix, "catalogs/",
				     sl_ydoc_str(doc, k));
			sl_buf_adds3(&r->sb, "/", sl_ydoc_str(doc, dk), "");
			e = sl_lock_add(r->lock, r->sb.buf, r->sb.len, &dup);
			r->lock->entries[e].hash = sl_ynode_hash(doc, dv);
			sl_buf_reset(&r->sb);
			sl_buf_adds3(&r->sb, r->prefix, sl_ydoc_str(doc, dk),
				     "");
			r->lock->entries[e].name =
			    sl_lock_str(r->lock, r->sb.buf, r->sb.len);
		}
	}
}

static void add_importers(struct pnpm_reader *r)
{
	const struct sl_ydoc *doc = r->doc;
	struct sl_ymap_iter it;
	uint32_t e;
	size_t f;
	bool dup;

	sl_ymap_iter_init(&it, doc, r->importers);
	while (sl_ymap_next(&it)) {
		uint32_t k = it.k, v = it.v;
		const char *path = sl_ydoc_str(doc, k);

		sl_buf_reset(&r->sb);
		sl_buf_adds3(&r->sb, r->prefix, "importers/", path);
		e = sl_lock_add(r->lock, r->sb.buf, r->sb.len, &dup);
		r->lock->entries[e].hash = sl_ynode_hash(doc, v);
		/* The environment's importer is pnpm's, not a package's. */
		r->lock->entries[e].pkg =
		    *r->prefix ? SL_LOCK_NONE : importer_pkg(r->lock->ws, path);
		sl_buf_reset(&r->sb);
		sl_buf_adds3(&r->sb, r->prefix, path, "");
		r->lock->entries[e].name =
		    sl_lock_str(r->lock, r->sb.buf, r->sb.len);
		for (f = 0; f < SL_ARRAY_SIZE(dep_keys); f++) {
			uint32_t deps = sl_ymap_get(doc, v, dep_keys[f]);

			if (deps) {
				add_dep_edges(r, e, deps);
				add_catalog_edges(r, e, deps);
			}
		}
	}
}

/* The edges of every package (v6) or snapshot (v9) entry. */
static void add_package_edges(struct pnpm_reader *r, uint32_t map)
{
	static const char *const keys[] = {"dependencies",
					   "optionalDependencies"};
	const struct sl_ydoc *doc = r->doc;
	struct sl_ymap_iter it;
	uint32_t e;
	size_t f;

	sl_ymap_iter_init(&it, doc, map);
	while (map && sl_ymap_next(&it)) {
		uint32_t v = it.v;
		sl_buf_reset(&r->sb);
		sl_buf_adds3(&r->sb, r->prefix, sl_ydoc_str(doc, it.k), "");
		e = sl_lock_find(r->lock, r->sb.buf, r->sb.len);
		for (f = 0; f < SL_ARRAY_SIZE(keys); f++) {
			uint32_t deps = sl_ymap_get(doc, v, keys[f]);

			if (deps)
				add_dep_edges(r, e, deps);
		}
	}
}

/* "6.0", "6.1", "9.0" (quoted or not): the major version, or 0. */
static unsigned major_of(const struct sl_ydoc *doc, uint32_t node)
{
	const char *s;

	if (!node || doc->nodes[node].type != SL_YSCALAR)
		return 0;
	s = sl_ydoc_str(doc, node);
	if ((s[0] == '6' || s[0] == '9') && (!s[1] || s[1] == '.'))
		return (unsigned)(s[0] - '0');
	return 0;
}

/* Reads one lockfile document of data into lock, its keys prefixed. */
static int read_document(struct sl_ws_lock *lock, const char *data, size_t len,
			 const char *prefix, struct sl_error *err)
{
	struct sl_ydoc doc = SL_YDOC_INIT;
	struct pnpm_reader r = {.lock = lock,
				.doc = &doc,
				.err = err,
				.sb = SL_BUF_INIT,
				.prefix = prefix};
	uint32_t version = 0;
	int ret = sl_ydoc_parse(&doc, lock->file, data, len, err);

	if (!ret && (!doc.nnodes || doc.nodes[0].type != SL_YMAP))
		ret = sl_error_set(err, SL_ERULES,
				   "%s: not a pnpm lockfile (no mapping)",
				   lock->file);
	if (!ret) {
		version = sl_ymap_get(&doc, 0, "lockfileVersion");
		r.major = major_of(&doc, version);
		if (!r.major)
			ret = sl_error_set(
			    err, SL_ERULES,
			    "%s: lockfileVersion '%s' is not one sluice reads "
			    "(6.x and 9.x, pnpm 8 to 11); run 'pnpm install' "
			    "with one of those to rewrite it",
			    lock->file,
			    version && doc.nodes[version].type == SL_YSCALAR
				? sl_ydoc_str(&doc, version)
				: "(none)");
	}
	if (!ret) {
		r.packages = sl_ymap_get(&doc, 0, "packages");
		r.snapshots = sl_ymap_get(&doc, 0, "snapshots");
		r.importers = sl_ymap_get(&doc, 0, "importers");
		r.catalogs = sl_ymap_get(&doc, 0, "catalogs");
		if (!r.importers)
			ret = sl_error_set(err, SL_ERULES,
					   "%s: no 'importers'; the lockfile "
					   "of a pnpm workspace lists each "
					   "package there",
					   lock->file);
	}
	if (!ret)
		ret = add_packages(&r, r.major == 6 ? r.packages : r.snapshots);
	if (!ret) {
		add_catalogs(&r);
		add_importers(&r);
		add_package_edges(&r, r.major == 6 ? r.packages : r.snapshots);
	}
	sl_buf_release(&r.sb);
	sl_ydoc_release(&doc);
	return ret;
}

/* A document start marker "---" ending a line at s (LF or CRLF): the
 * length of the line with its end, or 0. */
static size_t marker_at(const char *s, const char *end)
{
	if (end - s >= 4 && !memcmp(s, "---\n", 4))
		return 4;
	if (end - s >= 5 && !memcmp(s, "---\r\n", 5))
		return 5;
	return 0;
}

/*
 * Where the environment document ends: the offset of the line that
 * starts the lockfile's own document, or 0 when the file does not open
 * on "---" (one document, the lockfile). *env_only: the file opens on
 * "---" and no second document follows (pnpm reads no lockfile then).
 */
static size_t env_end(const char *data, size_t len, bool *env_only)
{
	const char *end = data + len, *s = data, *nl;

	*env_only = false;
	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3;
	if (!marker_at(s, end))
		return 0;
	for (nl = memchr(s, '\n', (size_t)(end - s)); nl;
	     nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1))) {
		if (marker_at(nl + 1, end))
			return (size_t)(nl + 1 - data);
	}
	*env_only = true;
	return len;
}

int sl_lock_parse_pnpm(struct sl_ws_lock *lock, const char *data, size_t len,
		       struct sl_error *err)
{
	struct sl_buf main_doc = SL_BUF_INIT;
	bool env_only;
	size_t split = env_end(data, len, &env_only), i;
	int ret;

	if (!split)
		return read_document(lock, data, len, "", err);
	if (env_only)
		return sl_error_set(err, SL_ERULES,
				    "%s: holds only pnpm's environment "
				    "document ('---' first, no second "
				    "document): no lockfile of the workspace; "
				    "run 'pnpm install' to write it",
				    lock->file);
	ret = read_document(lock, data, split, ENV_PREFIX, err);
	if (ret)
		return ret;
	/* The lockfile's document with the environment's lines blanked, so
	 * that an error in it names the line and column of the file. */
	sl_buf_add(&main_doc, data, len);
	for (i = 0; i < split; i++)
		if (main_doc.buf[i] != '\n')
			main_doc.buf[i] = ' ';
	ret = read_document(lock, main_doc.buf, main_doc.len, "", err);
	sl_buf_release(&main_doc);
	return ret;
}
