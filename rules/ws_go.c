/*
 * ws_go.c: Go workspaces (docs/workspaces.md, "Go"). With a go.work at
 * the root, each `use` directory is a module (a package, whose name is
 * its module path); without one, the root's go.mod is, with every module
 * its `replace` directives (and theirs) point to by a local path. A module
 * requiring another's path, or replacing a path by another's directory,
 * has an internal edge to it. Each module's closure, what lockfile changes
 * are attributed by, is every module path its go.mod names (require,
 * replace, exclude) and its go.sum lists: go.sum holds a line for every
 * module of the module's graph whose go.mod or code the go command
 * consulted, so no module its build can load is missing from it. The
 * lines of go.mod and go.work (the modfile syntax: directives, blocks in
 * parentheses, // comments, quoted strings) are read here for
 * ws_go_lock.c too.
 */
#include "common/common.h"

#include "rules/load_internal.h"
#include "rules/ws_internal.h"

/* ---- the modfile syntax -------------------------------------------- */

/*
 * One line's tokens: their bytes end to end in text, each NUL-terminated,
 * and pointers to them once the line is split. Reused line after line: a
 * thousand go.mod and go.sum files of forty lines are no allocation per
 * token.
 */
struct tokens {
	struct sl_buf text;
	size_t *off; /* of each token in text */
	const char **v;
	size_t n, alloc;
};

static void token_start(struct tokens *t)
{
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 16;
		t->off =
		    sl_xrealloc(t->off, sl_st_mult(t->alloc, sizeof(*t->off)));
		t->v = sl_xrealloc(t->v, sl_st_mult(t->alloc, sizeof(*t->v)));
	}
	t->off[t->n++] = t->text.len;
}

/* The quoted token at line[*at] (its opening quote), unquoted, onto t;
 * -1 when the quote is not closed. */
static int quoted(struct tokens *t, const char *line, size_t n, size_t *at)
{
	size_t i = *at;
	char q = line[i++];

	token_start(t);
	while (i < n && line[i] != q) {
		if (q == '"' && line[i] == '\\' && i + 1 < n)
			i++;
		sl_buf_addch(&t->text, line[i++]);
	}
	if (i >= n)
		return -1;
	sl_buf_addch(&t->text, '\0');
	*at = i + 1;
	return 0;
}

/* Splits one line into t (quoted tokens unquoted); -1 when a quote is
 * not closed. A "//" outside quotes ends the line. */
static int tokenize(struct tokens *t, const char *line, size_t n)
{
	size_t i = 0, start;

	t->n = 0;
	sl_buf_reset(&t->text);
	while (i < n) {
		while (i < n &&
		       (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		if (i >= n ||
		    (i + 1 < n && line[i] == '/' && line[i + 1] == '/'))
			break;
		if (line[i] == '"' || line[i] == '`') {
			if (quoted(t, line, n, &i))
				return -1;
			continue;
		}
		start = i;
		while (i < n && line[i] != ' ' && line[i] != '\t' &&
		       line[i] != '\r' &&
		       !(line[i] == '/' && i + 1 < n && line[i + 1] == '/'))
			i++;
		token_start(t);
		sl_buf_add(&t->text, line + start, i - start);
		sl_buf_addch(&t->text, '\0');
	}
	for (i = 0; i < t->n; i++) /* text no longer moves */
		t->v[i] = t->text.buf + t->off[i];
	return 0;
}

int sl_modfile_parse(const char *file, const char *data, size_t len,
		     int (*fn)(const struct sl_modline *line, void *payload),
		     void *payload, struct sl_error *err)
{
	struct tokens toks = {SL_BUF_INIT, NULL, NULL, 0, 0};
	char *block = NULL;
	unsigned lineno = 0, block_line = 0;
	size_t at = 0;
	int ret = 0;

	while (at < len && !ret) {
		const char *nl = memchr(data + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (data + at)) : len - at;
		struct sl_modline ml;

		lineno++;
		if (tokenize(&toks, data + at, n))
			ret = sl_error_set(err, SL_ERULES,
					   "%s:%u: a quoted string is not "
					   "closed",
					   file, lineno);
		at += n + 1;
		if (ret || !toks.n)
			continue;
		if (block && toks.n == 1 && !strcmp(toks.v[0], ")")) {
			free(block);
			block = NULL;
			continue;
		}
		if (!block && toks.n == 2 && !strcmp(toks.v[1], "(")) {
			block = sl_xstrdup(toks.v[0]);
			block_line = lineno;
			continue;
		}
		ml.verb = block ? block : toks.v[0];
		ml.args = toks.v + (block ? 0 : 1);
		ml.nargs = toks.n - (block ? 0 : 1);
		ml.line = lineno;
		ret = fn(&ml, payload);
	}
	if (!ret && block)
		ret = sl_error_set(err, SL_ERULES,
				   "%s:%u: the block '%s (' is not closed "
				   "with ')'",
				   file, block_line, block);
	free(block);
	sl_buf_release(&toks.text);
	free(toks.off);
	free(toks.v);
	return ret;
}

bool sl_modfile_local(const char *path)
{
	return !strncmp(path, "./", 2) || !strncmp(path, "../", 3) ||
	       !strcmp(path, ".") || !strcmp(path, "..") || path[0] == '/';
}

/*
 * dir (relative to the repository root) joined with the local path rel,
 * "." and ".." resolved; NULL when it leaves the repository or is
 * absolute.
 */
char *sl_modfile_dir(const char *dir, const char *rel)
{
	struct sl_strvec parts = SL_STRVEC_INIT;
	struct sl_buf sb = SL_BUF_INIT;
	const char *c;
	size_t i;
	char *joined;

	if (rel[0] == '/')
		return NULL;
	joined = sl_ws_join(dir, rel);
	for (c = joined; *c;) {
		size_t n = strcspn(c, "/");

		if (n == 2 && !memcmp(c, "..", 2)) {
			if (!parts.n) {
				free(joined);
				sl_strvec_release(&parts);
				return NULL;
			}
			free(parts.v[--parts.n]);
			parts.v[parts.n] = NULL;
		} else if (n && !(n == 1 && *c == '.')) {
			sl_strvec_push_take(&parts, sl_xmemdupz(c, n));
		}
		c += n + (c[n] == '/');
	}
	for (i = 0; i < parts.n; i++)
		sl_buf_adds3(&sb, i ? "/" : "", parts.v[i], "");
	free(joined);
	sl_strvec_release(&parts);
	return sl_buf_detach(&sb, NULL);
}

/* ---- one module's go.mod ------------------------------------------- */

struct gomod {
	char *dir;		    /* relative to the repository root */
	char *module;		    /* its module path */
	struct sl_strvec paths;	    /* every module path it names */
	struct sl_strvec local;	    /* dirs its replaces point to, resolved */
	struct sl_strvec local_for; /* ... and the path each replaces */
};

static int gomod_line(const struct sl_modline *ml, void *payload)
{
	struct gomod *m = payload;

	if (!strcmp(ml->verb, "module") && ml->nargs >= 1) {
		free(m->module);
		m->module = sl_xstrdup(ml->args[0]);
	} else if ((!strcmp(ml->verb, "require") ||
		    !strcmp(ml->verb, "exclude")) &&
		   ml->nargs >= 1) {
		sl_strvec_push(&m->paths, ml->args[0]);
	} else if (!strcmp(ml->verb, "replace") && ml->nargs >= 3) {
		size_t arrow = !strcmp(ml->args[1], "=>") ? 1 : 2;

		if (arrow + 1 >= ml->nargs)
			return 0;
		if (sl_modfile_local(ml->args[arrow + 1])) {
			char *d = sl_modfile_dir(m->dir, ml->args[arrow + 1]);

			if (d) {
				sl_strvec_push_take(&m->local, d);
				sl_strvec_push(&m->local_for, ml->args[0]);
			}
		} else {
			sl_strvec_push(&m->paths, ml->args[0]);
			sl_strvec_push(&m->paths, ml->args[arrow + 1]);
		}
	}
	return 0;
}

static int go_sum_line(const struct sl_modline *ml, void *payload)
{
	struct gomod *m = payload;

	/* "path version hash": the verb is the module path. */
	if (ml->nargs >= 2)
		sl_strvec_push(&m->paths, ml->verb);
	return 0;
}

static void gomod_release(struct gomod *m)
{
	free(m->dir);
	free(m->module);
	sl_strvec_release(&m->paths);
	sl_strvec_release(&m->local);
	sl_strvec_release(&m->local_for);
}

/* Reads dir/go.mod (and dir/go.sum) into m. */
static int read_module(struct gomod *m, const char *dir,
		       const struct sl_ws_source *src, struct sl_error *err)
{
	struct sl_buf data = SL_BUF_INIT, label = SL_BUF_INIT;
	char *file = sl_ws_join(dir, "go.mod");
	bool found = false;
	int ret;

	memset(m, 0, sizeof(*m));
	m->dir = sl_xstrdup(dir);
	m->paths = (struct sl_strvec)SL_STRVEC_INIT;
	m->local = (struct sl_strvec)SL_STRVEC_INIT;
	m->local_for = (struct sl_strvec)SL_STRVEC_INIT;
	ret = sl_ws_read(&data, &found, src, file, err);
	sl_ws_label(&label, src, file);
	if (!ret && !found)
		ret = sl_error_set(err, SL_ERULES,
				   "'%s' does not exist; every module of a Go "
				   "workspace has its go.mod",
				   label.buf);
	if (!ret)
		ret = sl_modfile_parse(label.buf, data.buf, data.len,
				       gomod_line, m, err);
	if (!ret && !m->module)
		ret = sl_error_set(err, SL_ERULES,
				   "%s: no 'module' line; a go.mod names its "
				   "module path",
				   label.buf);
	free(file);
	file = sl_ws_join(dir, "go.sum");
	sl_buf_reset(&data);
	if (!ret)
		ret = sl_ws_read(&data, &found, src, file, err);
	if (!ret && found)
		ret = sl_modfile_parse(sl_ws_label(&label, src, file), data.buf,
				       data.len, go_sum_line, m, err);
	free(file);
	sl_buf_release(&data);
	sl_buf_release(&label);
	return ret;
}

/* ---- the workspace ------------------------------------------------- */

struct gowork {
	struct sl_strvec use;	      /* module dirs, resolved */
	struct sl_strvec replace_for; /* paths go.work replaces ... */
	struct sl_strvec replace_to;  /* ... by a dir (resolved) or a path */
	const char *root;
};

static int gowork_line(const struct sl_modline *ml, void *payload)
{
	struct gowork *w = payload;

	if (!strcmp(ml->verb, "use") && ml->nargs >= 1) {
		char *d = sl_modfile_dir(w->root, ml->args[0]);

		if (d)
			sl_strvec_push_take(&w->use, d);
	} else if (!strcmp(ml->verb, "replace") && ml->nargs >= 3) {
		size_t arrow = !strcmp(ml->args[1], "=>") ? 1 : 2;
		char *d;

		if (arrow + 1 >= ml->nargs)
			return 0;
		d = sl_modfile_local(ml->args[arrow + 1])
			? sl_modfile_dir(w->root, ml->args[arrow + 1])
			: sl_xstrdup(ml->args[arrow + 1]);
		if (!d)
			return 0;
		sl_strvec_push(&w->replace_for, ml->args[0]);
		sl_strvec_push_take(&w->replace_to, d);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and deduplicates a vector in place. */
static void sort_unique(struct sl_strvec *sv)
{
	size_t i, k = 0;

	if (!sv->n)
		return;
	qsort(sv->v, sv->n, sizeof(char *), cmp_str);
	for (i = 0; i < sv->n; i++) {
		if (k && !strcmp(sv->v[k - 1], sv->v[i])) {
			free(sv->v[i]);
			continue;
		}
		sv->v[k++] = sv->v[i];
	}
	sv->n = k;
	sv->v[k] = NULL;
}

/* Edges and closures, once every module is known. Modules are found by
 * path and by directory through hash maps: a thousand modules naming
 * dozens of paths each are not each held against every module. */
static void link_modules(struct sl_ws *ws, struct gomod *mods, size_t n,
			 const struct gowork *w)
{
	struct sl_strmap by_name = {0}, by_dir = {0};
	size_t i, j;
	uint64_t to;

	for (i = 0; i < n; i++) {
		sl_strmap_put(&by_name, ws->pkgs[i].name, i);
		sl_strmap_put(&by_dir, mods[i].dir, i);
	}
	for (i = 0; i < n; i++) {
		struct sl_ws_pkg *p = &ws->pkgs[i];

		for (j = 0; j < mods[i].paths.n; j++) {
			char *path = mods[i].paths.v[j];

			to = sl_strmap_get(&by_name, path);
			if (to != UINT64_MAX && to != i)
				sl_ws_add_edge(ws, i, (size_t)to, "require");
			/* Moved, not copied: 36,000 paths for 1,000 modules. */
			sl_strvec_push_take(&p->closure, path);
			mods[i].paths.v[j] = NULL;
		}
		for (j = 0; j < mods[i].local.n; j++) {
			to = sl_strmap_get(&by_dir, mods[i].local.v[j]);
			if (to != UINT64_MAX && to != i)
				sl_ws_add_edge(ws, i, (size_t)to, "replace");
		}
		for (j = 0; w && j < w->replace_for.n; j++) {
			if (!sl_strvec_has(&p->closure, w->replace_for.v[j]))
				continue;
			to = sl_strmap_get(&by_dir, w->replace_to.v[j]);
			if (to != UINT64_MAX && to != i)
				sl_ws_add_edge(ws, i, (size_t)to, "replace");
			if (!sl_modfile_local(w->replace_to.v[j]))
				sl_strvec_push(&p->closure, w->replace_to.v[j]);
		}
		sort_unique(&p->closure);
	}
	sl_strmap_release(&by_name);
	sl_strmap_release(&by_dir);
}

static void add_lockfiles(struct sl_ws *ws, struct gomod *mods, size_t n,
			  bool work)
{
	size_t i;

	if (work) {
		ws->shared_lockfile = sl_ws_join(ws->root, "go.work.sum");
		sl_strvec_push(&ws->lockfiles, ws->shared_lockfile);
		sl_strvec_push_take(&ws->lockfiles,
				    sl_ws_join(ws->root, "go.work"));
	}
	for (i = 0; i < n; i++) {
		sl_strvec_push_take(&ws->lockfiles,
				    sl_ws_join(mods[i].dir, "go.mod"));
		sl_strvec_push_take(&ws->lockfiles,
				    sl_ws_join(mods[i].dir, "go.sum"));
	}
}

/* Adds dir to dirs unless it is there (a go.work of a thousand modules:
 * checked by hash, not against the list). */
static void add_dir(struct sl_strvec *dirs, struct sl_strmap *seen,
		    const char *dir)
{
	if (sl_strmap_get(seen, dir) != UINT64_MAX)
		return;
	sl_strvec_push(dirs, dir);
	sl_strmap_put(seen, dirs->v[dirs->n - 1], dirs->n - 1);
}

/* The modules: go.work's `use`, or the root's go.mod and its local
 * replacements, followed to every module they lead to. */
static int read_modules(struct gomod **out, size_t *nout,
			const struct sl_strvec *start, bool follow,
			const struct sl_ws_source *src, struct sl_error *err)
{
	struct sl_strvec dirs = SL_STRVEC_INIT;
	struct sl_strmap seen = {0}; /* of dirs' strings */
	struct gomod *mods = NULL;
	size_t i, n = 0, j;
	int ret = 0;

	for (i = 0; i < start->n; i++)
		add_dir(&dirs, &seen, start->v[i]);
	for (i = 0; i < dirs.n && !ret; i++) {
		mods = sl_xrealloc(mods, sl_st_mult(n + 1, sizeof(*mods)));
		ret = read_module(&mods[n], dirs.v[i], src, err);
		n++;
		for (j = 0; !ret && follow && j < mods[n - 1].local.n; j++)
			add_dir(&dirs, &seen, mods[n - 1].local.v[j]);
	}
	sl_strmap_release(&seen);
	sl_strvec_release(&dirs);
	*out = mods;
	*nout = n;
	return ret;
}

int sl_ws_derive_go(struct sl_ws *ws, const struct sl_ws_source *src,
		    struct sl_error *err)
{
	struct sl_buf data = SL_BUF_INIT, label = SL_BUF_INIT;
	struct gowork w = {.use = SL_STRVEC_INIT,
			   .replace_for = SL_STRVEC_INIT,
			   .replace_to = SL_STRVEC_INIT,
			   .root = ws->root};
	struct sl_strvec start = SL_STRVEC_INIT;
	char *file = sl_ws_join(ws->root, "go.work");
	struct gomod *mods = NULL;
	size_t i, n = 0;
	bool work = false;
	int ret = sl_ws_read(&data, &work, src, file, err);

	if (!ret && work)
		ret = sl_modfile_parse(sl_ws_label(&label, src, file), data.buf,
				       data.len, gowork_line, &w, err);
	if (!ret && work)
		for (i = 0; i < w.use.n; i++)
			sl_strvec_push(&start, w.use.v[i]);
	else if (!ret)
		sl_strvec_push(&start, ws->root);
	if (!ret)
		ret = read_modules(&mods, &n, &start, !work, src, err);
	for (i = 0; !ret && i < n; i++) {
		char *manifest = sl_ws_join(mods[i].dir, "go.mod");

		sl_ws_add_pkg(ws, mods[i].module, mods[i].dir, manifest);
		free(manifest);
	}
	if (!ret) {
		link_modules(ws, mods, n, work ? &w : NULL);
		add_lockfiles(ws, mods, n, work);
	}
	for (i = 0; i < n; i++)
		gomod_release(&mods[i]);
	free(mods);
	sl_strvec_release(&start);
	sl_strvec_release(&w.use);
	sl_strvec_release(&w.replace_for);
	sl_strvec_release(&w.replace_to);
	sl_buf_release(&data);
	sl_buf_release(&label);
	free(file);
	return ret;
}
