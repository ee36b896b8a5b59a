/*
 * ws_npm.c: npm workspaces (docs/workspaces.md, "npm"). The root
 * package.json names its packages with globs in `workspaces` (a list, or
 * yarn's {packages: [...]} form npm also reads); each directory they match
 * that holds a package.json is a package, and a dependency of any kind
 * (dependencies, devDependencies, peerDependencies, optionalDependencies)
 * that names another package of the workspace is an internal edge.
 * package.json itself is read here for pnpm too (ws_pnpm.c); the
 * lockfile is ws_npm_lock.c's.
 */
#include "common/common.h"

#include "rules/load_internal.h"
#include "rules/ws_internal.h"

static const char *const dep_fields[] = {"dependencies", "devDependencies",
					 "peerDependencies",
					 "optionalDependencies"};

static const char *dep_field(const struct sl_jstr *key)
{
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(dep_fields); i++)
		if (sl_jstr_is(key, dep_fields[i]))
			return dep_fields[i];
	return NULL;
}

static int read_string_list(struct sl_strvec *out, struct sl_jr *jr,
			    const char *what)
{
	struct sl_buf s = SL_BUF_INIT;
	int ret;

	ret = sl_jr_peek(jr);
	if (ret >= 0 && ret != SL_JT_ARRAY)
		ret = sl_jr_error(jr, what);
	if (ret >= 0)
		ret = sl_jr_array(jr);
	while (ret >= 0 && (ret = sl_jr_element(jr)) > 0) {
		ret = sl_jr_peek(jr);
		if (ret >= 0 && ret != SL_JT_STRING)
			ret = sl_jr_error(jr, what);
		if (ret >= 0)
			ret = sl_jr_string(jr, &s);
		if (ret >= 0)
			sl_strvec_push(out, s.buf);
	}
	sl_buf_release(&s);
	return ret < 0 ? ret : 0;
}

/* `workspaces`: ["glob", ...] or {"packages": ["glob", ...], ...}. */
static int read_workspaces(struct sl_pkg_json *out, struct sl_jr *jr)
{
	static const char what[] = "'workspaces' must be a list of globs, or "
				   "an object with a 'packages' list";
	struct sl_jstr key = SL_JSTR_INIT;
	int ret = sl_jr_peek(jr);

	out->has_workspaces = true;
	sl_strvec_release(&out->workspaces);
	if (ret == SL_JT_ARRAY)
		return read_string_list(&out->workspaces, jr, what);
	if (ret >= 0 && ret != SL_JT_OBJECT)
		ret = sl_jr_error(jr, what);
	if (ret >= 0)
		ret = sl_jr_object(jr);
	while (ret >= 0 && (ret = sl_jr_key(jr, &key)) > 0) {
		if (sl_jstr_is(&key, "packages"))
			ret = read_string_list(&out->workspaces, jr, what);
		else
			ret = sl_jr_skip(jr);
	}
	sl_jstr_release(&key);
	return ret < 0 ? ret : 0;
}

/* The package a dependency names, into pj->targets: an alias's target
 * (npm:NAME@RANGE, workspace:NAME@RANGE) or its own name. spec is NULL
 * when the value is not a string. */
static void add_dep(struct sl_pkg_json *pj, const char *field,
		    const struct sl_jstr *name, const struct sl_jstr *spec)
{
	const char *p = NULL, *at = NULL, *t = name->s;
	size_t n = name->n, rest = 0;

	if (spec && spec->n >= 4 && !memcmp(spec->s, "npm:", 4)) {
		p = spec->s + 4;
		rest = spec->n - 4;
	} else if (spec && spec->n >= 10 &&
		   !memcmp(spec->s, "workspace:", 10)) {
		p = spec->s + 10;
		rest = spec->n - 10;
	}
	if (rest > 1)
		at = memchr(p + 1, '@', rest - 1);
	if (at && (p[0] == '@' || (p[0] >= 'a' && p[0] <= 'z') ||
		   (p[0] >= '0' && p[0] <= '9'))) {
		t = p;
		n = (size_t)(at - p);
	}
	SL_ALLOC_GROW(pj->deps, pj->ndeps + 1, pj->deps_alloc);
	pj->deps[pj->ndeps].target = pj->targets.len;
	pj->deps[pj->ndeps].field = field;
	pj->deps[pj->ndeps].local = SIZE_MAX;
	sl_buf_add(&pj->targets, t, n);
	sl_buf_addch(&pj->targets, '\0'); /* each name NUL-terminated */
	/* A directory (npm's and pnpm's file:, pnpm's link:) is the package
	 * there, whatever its name: two of one name are told apart so. */
	if (spec && spec->n >= 5 &&
	    (!memcmp(spec->s, "file:", 5) || !memcmp(spec->s, "link:", 5))) {
		pj->deps[pj->ndeps].local = pj->targets.len;
		sl_buf_add(&pj->targets, spec->s + 5, spec->n - 5);
		sl_buf_addch(&pj->targets, '\0');
	}
	pj->ndeps++;
}

static int read_deps(struct sl_pkg_json *out, struct sl_jr *jr,
		     const char *field)
{
	struct sl_jstr name = SL_JSTR_INIT, spec = SL_JSTR_INIT;
	int ret = sl_jr_peek(jr);

	if (ret >= 0 && ret != SL_JT_OBJECT)
		ret = sl_jr_error(jr, "dependencies must be an object of "
				      "names and versions");
	if (ret >= 0)
		ret = sl_jr_object(jr);
	while (ret >= 0 && (ret = sl_jr_key(jr, &name)) > 0) {
		bool is_string = sl_jr_peek(jr) == SL_JT_STRING;

		/* npm itself ignores what is not a string here. */
		ret = is_string ? sl_jr_str(jr, &spec) : sl_jr_skip(jr);
		if (ret < 0)
			break;
		add_dep(out, field, &name, is_string ? &spec : NULL);
	}
	sl_jstr_release(&name);
	sl_jstr_release(&spec);
	return ret < 0 ? ret : 0;
}

static int read_member(struct sl_pkg_json *out, struct sl_jr *jr,
		       const struct sl_jstr *key)
{
	struct sl_buf s = SL_BUF_INIT;
	const char *field = dep_field(key);
	int ret;

	if (field)
		return read_deps(out, jr, field);
	if (sl_jstr_is(key, "workspaces"))
		return read_workspaces(out, jr);
	if (!sl_jstr_is(key, "name"))
		return sl_jr_skip(jr);
	ret = sl_jr_peek(jr);
	if (ret >= 0 && ret != SL_JT_STRING)
		ret = sl_jr_error(jr, "'name' must be a string");
	if (ret >= 0)
		ret = sl_jr_string(jr, &s);
	if (ret >= 0) {
		free(out->name);
		out->name = s.len ? sl_xstrdup(s.buf) : NULL;
	}
	sl_buf_release(&s);
	return ret < 0 ? ret : 0;
}

int sl_pkg_json_parse(struct sl_pkg_json *out, const char *file,
		      const char *data, size_t len, struct sl_error *err)
{
	struct sl_jstr key = SL_JSTR_INIT;
	struct sl_jr jr;
	int ret;

	memset(out, 0, sizeof(*out));
	out->workspaces = (struct sl_strvec)SL_STRVEC_INIT;
	/* The names are no longer than the text they are read from: one
	 * allocation, not one per doubling. */
	sl_buf_init(&out->targets, len);
	sl_jr_init(&jr, file, data, len, err);
	ret = sl_jr_peek(&jr);
	if (ret >= 0 && ret != SL_JT_OBJECT)
		ret = sl_jr_error(&jr, "a package.json must be an object");
	if (ret >= 0)
		ret = sl_jr_object(&jr);
	while (ret >= 0 && (ret = sl_jr_key(&jr, &key)) > 0)
		ret = read_member(out, &jr, &key);
	if (ret >= 0)
		ret = sl_jr_end(&jr);
	sl_jstr_release(&key);
	if (ret < 0) {
		sl_pkg_json_release(out);
		return ret;
	}
	return 0;
}

void sl_pkg_json_release(struct sl_pkg_json *pj)
{
	free(pj->name);
	pj->name = NULL;
	sl_strvec_release(&pj->workspaces);
	sl_buf_release(&pj->targets);
	free(pj->deps);
	pj->deps = NULL;
	pj->ndeps = pj->deps_alloc = 0;
}

const char *sl_pkg_json_target(const struct sl_pkg_json *pj, size_t i)
{
	return pj->targets.buf + pj->deps[i].target;
}

/* ---- the packages a workspace's globs find -------------------------- */

/* Every directory (relative to the workspace root) the globs select. */
static int glob_dirs(struct sl_strvec *out, const struct sl_ws *ws,
		     const struct sl_ws_source *src,
		     const struct sl_strvec *globs, struct sl_error *err)
{
	struct sl_strvec found = SL_STRVEC_INIT;
	struct sl_strmap seen = {0}; /* of found's strings */
	size_t i, j, k, rl = strlen(ws->root);
	int ret = 0;

	for (i = 0; i < globs->n && !ret; i++) {
		char *prefix, *dir;
		unsigned depth;

		if (globs->v[i][0] == '!')
			continue;
		sl_ws_glob_base(&prefix, &depth, globs->v[i]);
		dir = sl_ws_join(ws->root, prefix);
		ret = src->find(src->ctx, dir, "package.json", depth, &found,
				err);
		free(prefix);
		free(dir);
	}
	for (j = 0; j < found.n && !ret; j++) {
		const char *rel =
		    found.v[j] + (rl && found.v[j][rl] ? rl + 1 : rl);
		bool in = false;

		/* Two globs can find one directory: a thousand packages'
		 * directories are checked by hash, not against the list. */
		if (sl_strmap_put(&seen, rel, j) != j)
			continue;
		for (k = 0; k < globs->n; k++) {
			bool neg = globs->v[k][0] == '!';

			if (sl_ws_glob_match(globs->v[k] + neg, rel))
				in = !neg; /* the last glob that matches */
		}
		if (in)
			sl_strvec_push(out, rel);
	}
	sl_strmap_release(&seen);
	sl_strvec_release(&found);
	return ret;
}

/* The package dependency j of package i names: by directory for a
 * `file:` or `link:` path (none when no package is there), else by name;
 * *dup: more packages have that name (pnpm takes them). */
struct pkg_index {
	struct sl_strmap by_name, by_dir;
	struct sl_strmap dups; /* names more packages than one have */
};

static size_t dep_to(bool *dup, const struct sl_ws *ws,
		     const struct sl_pkg_json *pj, size_t i, size_t j,
		     const struct pkg_index *x)
{
	uint64_t got;

	*dup = false;
	if (pj->deps[j].local != SIZE_MAX) {
		char *dir = sl_modfile_dir(ws->pkgs[i].dir,
					   pj->targets.buf + pj->deps[j].local);

		got = dir ? sl_strmap_get(&x->by_dir, dir) : UINT64_MAX;
		free(dir);
		return got == UINT64_MAX ? SIZE_MAX : (size_t)got;
	}
	got = sl_strmap_get(&x->by_name, sl_pkg_json_target(pj, j));
	if (got == UINT64_MAX)
		return SIZE_MAX;
	*dup = sl_strmap_get(&x->dups, sl_pkg_json_target(pj, j)) != UINT64_MAX;
	return (size_t)got;
}

/* Edges of packages first .. first + n, whose package.json is pj[]. */
static void add_edges(struct sl_ws *ws, struct sl_pkg_json *pj, size_t first,
		      size_t n)
{
	struct pkg_index x = {{0}, {0}, {0}};
	size_t i, j, k;

	/* A thousand packages of forty dependencies each: looked up by
	 * hash, not against every package's name. A name two packages
	 * have is marked, its dependents joined to each. */
	for (i = 0; i < ws->npkgs; i++) {
		if (sl_strmap_put(&x.by_name, ws->pkgs[i].name, i) != i)
			sl_strmap_put(&x.dups, ws->pkgs[i].name, i);
		sl_strmap_put(&x.by_dir, ws->pkgs[i].dir, i);
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < pj[i].ndeps; j++) {
			bool dup;
			size_t to = dep_to(&dup, ws, &pj[i], first + i, j, &x);

			if (to != SIZE_MAX && to != first + i)
				sl_ws_add_edge(ws, first + i, to,
					       pj[i].deps[j].field);
			for (k = 0; dup && k < ws->npkgs; k++)
				if (k != first + i && k != to &&
				    !strcmp(ws->pkgs[k].name,
					    ws->pkgs[to].name))
					sl_ws_add_edge(ws, first + i, k,
						       pj[i].deps[j].field);
		}
	}
	sl_strmap_release(&x.by_name);
	sl_strmap_release(&x.by_dir);
	sl_strmap_release(&x.dups);
}

int sl_ws_add_js_packages(struct sl_ws *ws, const struct sl_ws_source *src,
			  const struct sl_strvec *globs, struct sl_error *err)
{
	struct sl_strvec dirs = SL_STRVEC_INIT;
	struct sl_buf data = SL_BUF_INIT, label = SL_BUF_INIT;
	struct sl_pkg_json *pj = NULL;
	size_t i, n = 0, first = ws->npkgs;
	int ret = glob_dirs(&dirs, ws, src, globs, err);

	pj = sl_xcalloc(dirs.n + 1, sizeof(*pj));
	for (i = 0; i < dirs.n && !ret; i++) {
		char *dir = sl_ws_join(ws->root, dirs.v[i]);
		char *file = sl_ws_join(dir, "package.json");
		const char *base = strrchr(dir, '/');
		bool found = false;

		sl_buf_reset(&data);
		ret = sl_ws_read(&data, &found, src, file, err);
		if (!ret && found)
			ret = sl_pkg_json_parse(&pj[n],
						sl_ws_label(&label, src, file),
						data.buf, data.len, err);
		if (!ret && found) {
			/* pnpm takes a package with no name; so does this. */
			sl_ws_add_pkg(ws,
				      pj[n].name ? pj[n].name
						 : (base ? base + 1 : dir),
				      dir, file);
			n++;
		}
		free(dir);
		free(file);
	}
	if (!ret)
		add_edges(ws, pj, first, n);
	for (i = 0; i < n; i++)
		sl_pkg_json_release(&pj[i]);
	free(pj);
	sl_strvec_release(&dirs);
	sl_buf_release(&data);
	sl_buf_release(&label);
	return ret;
}

int sl_ws_derive_npm(struct sl_ws *ws, const struct sl_ws_source *src,
		     struct sl_error *err)
{
	struct sl_buf data = SL_BUF_INIT, label = SL_BUF_INIT;
	struct sl_pkg_json root = {0};
	char *file = sl_ws_join(ws->root, "package.json");
	bool found = false;
	int ret = sl_ws_read(&data, &found, src, file, err);

	if (!ret && !found)
		ret = sl_error_set(err, SL_ERULES,
				   "'%s' does not exist; a workspace of kind "
				   "npm needs its root package.json (or "
				   "another 'root')",
				   sl_ws_label(&label, src, file));
	if (!ret)
		ret = sl_pkg_json_parse(&root, sl_ws_label(&label, src, file),
					data.buf, data.len, err);
	if (!ret && !root.has_workspaces)
		ret = sl_error_set(err, SL_ERULES,
				   "'%s' has no 'workspaces'; list the "
				   "packages' directories there, as npm does",
				   sl_ws_label(&label, src, file));
	if (!ret)
		ret = sl_ws_add_js_packages(ws, src, &root.workspaces, err);
	if (!ret) {
		char *lock = sl_ws_join(ws->root, "package-lock.json");

		sl_strvec_push(&ws->lockfiles, lock);
		ws->shared_lockfile = lock;
	}
	sl_pkg_json_release(&root);
	sl_buf_release(&data);
	sl_buf_release(&label);
	free(file);
	return ret;
}
