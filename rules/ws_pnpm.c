/*
 * ws_pnpm.c: pnpm workspaces (docs/workspaces.md, "pnpm"). The root's
 * pnpm-workspace.yaml names the packages with globs in `packages` (a glob
 * starting with '!' excludes); each directory they match that holds a
 * package.json is a package, read as npm's are (ws_npm.c), and a
 * dependency naming another package of the workspace, by name or through
 * the `workspace:` protocol, is an internal edge. The YAML is read by
 * rules/yaml.c, the one file that calls libyaml; the lockfile is
 * ws_pnpm_lock.c's. Also the small helpers both read YAML with.
 */
#include "common/common.h"

#include "rules/load_internal.h"
#include "rules/ws_internal.h"
#include "rules/ws_yaml.h"

uint32_t sl_ymap_get(const struct sl_ydoc *doc, uint32_t map, const char *key)
{
	const struct sl_ynode *n = &doc->nodes[map];
	uint32_t c = map + 1, i;

	if (n->type != SL_YMAP)
		return 0;
	for (i = 0; i + 1 < n->n; i += 2) {
		uint32_t v = doc->nodes[c].end;

		if (doc->nodes[c].type == SL_YSCALAR &&
		    !strcmp(sl_ydoc_str(doc, c), key))
			return v;
		c = doc->nodes[v].end;
	}
	return 0;
}

void sl_ymap_iter_init(struct sl_ymap_iter *it, const struct sl_ydoc *doc,
		       uint32_t map)
{
	it->doc = doc;
	it->map = map;
	it->i = 0;
	it->k = map + 1;
	it->v = 0;
}

bool sl_ymap_next(struct sl_ymap_iter *it)
{
	const struct sl_ynode *m = &it->doc->nodes[it->map];

	/* 0 is what sl_ymap_get() says for an absent key: nothing. */
	if (!it->map || m->type != SL_YMAP || it->i + 1 >= m->n)
		return false;
	if (it->i)
		it->k = it->doc->nodes[it->v].end;
	it->v = it->doc->nodes[it->k].end;
	it->i += 2;
	return true;
}

uint64_t sl_ynode_hash(const struct sl_ydoc *doc, uint32_t node)
{
	uint64_t h = 1469598103934665603ull;
	uint32_t i;

	for (i = node; i < doc->nodes[node].end; i++) {
		const struct sl_ynode *n = &doc->nodes[i];
		const char *s =
		    n->type == SL_YSCALAR ? sl_ydoc_str(doc, i) : "";
		size_t k;

		h = (h ^ (unsigned char)(n->type + 1)) * 1099511628211ull;
		h = (h ^ n->n) * 1099511628211ull;
		for (k = 0; k < n->len; k++)
			h = (h ^ (unsigned char)s[k]) * 1099511628211ull;
		h = (h ^ 0xFF) * 1099511628211ull;
	}
	return h;
}

int sl_ws_yaml_error(struct sl_error *err, const char *file,
		     const struct sl_ydoc *doc, uint32_t node, const char *what)
{
	return sl_error_set(err, SL_ERULES, "%s:%u:%u: %s", file,
			    doc->nodes[node].line, doc->nodes[node].col, what);
}

static int read_globs(struct sl_strvec *out, const struct sl_ydoc *doc,
		      uint32_t list, const char *file, struct sl_error *err)
{
	const struct sl_ynode *n = &doc->nodes[list];
	uint32_t c = list + 1, i;

	if (n->type != SL_YSEQ)
		return sl_ws_yaml_error(err, file, doc, list,
					"'packages' must be a list of globs");
	for (i = 0; i < n->n; i++, c = doc->nodes[c].end) {
		if (doc->nodes[c].type != SL_YSCALAR)
			return sl_ws_yaml_error(err, file, doc, c,
						"an entry of 'packages' must "
						"be a glob");
		sl_strvec_push(out, sl_ydoc_str(doc, c));
	}
	return 0;
}

int sl_ws_derive_pnpm(struct sl_ws *ws, const struct sl_ws_source *src,
		      struct sl_error *err)
{
	struct sl_buf data = SL_BUF_INIT, label = SL_BUF_INIT;
	struct sl_ydoc doc = SL_YDOC_INIT;
	struct sl_strvec globs = SL_STRVEC_INIT;
	char *file = sl_ws_join(ws->root, "pnpm-workspace.yaml");
	bool found = false;
	uint32_t list = 0;
	int ret = sl_ws_read(&data, &found, src, file, err);

	sl_ws_label(&label, src, file);
	if (!ret && !found)
		ret = sl_error_set(err, SL_ERULES,
				   "'%s' does not exist; a workspace of kind "
				   "pnpm needs its pnpm-workspace.yaml (or "
				   "another 'root')",
				   label.buf);
	if (!ret)
		ret = sl_ydoc_parse(&doc, label.buf, data.buf, data.len, err);
	if (!ret && doc.nnodes)
		list = sl_ymap_get(&doc, 0, "packages");
	/* pnpm 10 reads its settings there too: without `packages` (or an
	 * empty file, as a test fixture may have) the workspace is the root
	 * alone, a package of no lane. */
	if (!ret && list)
		ret = read_globs(&globs, &doc, list, label.buf, err);
	if (!ret)
		ret = sl_ws_add_js_packages(ws, src, &globs, err);
	if (!ret) {
		char *lock = sl_ws_join(ws->root, "pnpm-lock.yaml");

		sl_strvec_push(&ws->lockfiles, lock);
		ws->shared_lockfile = lock;
	}
	sl_strvec_release(&globs);
	sl_ydoc_release(&doc);
	sl_buf_release(&data);
	sl_buf_release(&label);
	free(file);
	return ret;
}
