/*
 * ws_pnpm_lock.c: pnpm-lock.yaml, lockfileVersion 6.x (pnpm 8) and 9.x
 * (pnpm 9 and 10), as a graph of entries (docs/workspaces.md, "pnpm").
 * `importers` has one entry per workspace package ("." is the root), each
 * dependency with its resolved version; version 6 keys `packages` by
 * "/name@version(peers)" with each package's dependencies, version 9
 * keeps the metadata (integrity) in `packages` under "name@version" and
 * the dependencies in `snapshots` under "name@version(peers)". A
 * dependency's version is a key's tail (name@version), a whole key (an
 * alias: "string-width@4.2.3"), or "link:DIR" (a workspace package: its
 * changes reach consumers through their edges). A dependency written
 * "catalog:" also depends on its entry in the lockfile's `catalogs`.
 */
#include "common/common.h"

#include "rules/load_internal.h"
#include "rules/ws_internal.h"
#include "rules/ws_yaml.h"

static const char *const dep_keys[] = {"dependencies", "devDependencies",
				       "optionalDependencies"};

struct pnpm_reader {
	struct sl_ws_lock *lock;
	const struct sl_ydoc *doc;
	unsigned major; /* 6 or 9 */
	uint32_t packages, snapshots, importers, catalogs;
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
	entry->name = sl_lock_str(r->lock, k, (size_t)(at - k));
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
		uint32_t e = sl_lock_add(r->lock, key, strlen(key), &dup);

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
		sl_buf_adds3(&r->sb, "catalogs/", s[8] ? s + 8 : "default",
			     "/");
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
			sl_buf_adds3(&r->sb, "catalogs/", sl_ydoc_str(doc, k),
				     "/");
			sl_buf_adds(&r->sb, sl_ydoc_str(doc, dk));
			e = sl_lock_add(r->lock, r->sb.buf, r->sb.len, &dup);
			r->lock->entries[e].hash = sl_ynode_hash(doc, dv);
			r->lock->entries[e].name =
			    sl_lock_str(r->lock, sl_ydoc_str(doc, dk),
					strlen(sl_ydoc_str(doc, dk)));
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
		sl_buf_adds3(&r->sb, "importers/", path, "");
		e = sl_lock_add(r->lock, r->sb.buf, r->sb.len, &dup);
		r->lock->entries[e].hash = sl_ynode_hash(doc, v);
		r->lock->entries[e].pkg = importer_pkg(r->lock->ws, path);
		r->lock->entries[e].name =
		    sl_lock_str(r->lock, path, strlen(path));
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
		const char *key = sl_ydoc_str(doc, it.k);

		e = sl_lock_find(r->lock, key, strlen(key));
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

int sl_lock_parse_pnpm(struct sl_ws_lock *lock, const char *data, size_t len,
		       struct sl_error *err)
{
	struct sl_ydoc doc = SL_YDOC_INIT;
	struct pnpm_reader r = {
	    .lock = lock, .doc = &doc, .err = err, .sb = SL_BUF_INIT};
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
			    "(6.x and 9.x, pnpm 8 to 10); run 'pnpm install' "
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
