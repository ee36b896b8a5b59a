/*
 * coverage_consumes.c: sl_check_consumes(), the lanes' written `consumes`
 * held against the repository's own manifests (docs/check.md, "consumes
 * and the manifests"), for a rules file that derives no lanes itself.
 * It finds the workspaces among a tree's paths (npm and pnpm, Go),
 * derives each
 * through ws_*.c, gives each package the lane that owns its manifest, and
 * reports a dependency between two lanes that selection does not follow
 * (a consumer smoke that a change will not run), and a written edge no
 * manifest supports. Reading the tree is the caller's (a struct
 * sl_ws_source); the other findings are coverage.c's.
 */
#include "common/common.h"

#include "rules/coverage_internal.h"
#include "rules/ws_internal.h"

struct root {
	enum sl_ws_kind kind;
	char *dir;
};

/* A dependency between the packages of two lanes: the first one found. */
struct pair {
	size_t a, b;
	size_t seq; /* in the order found */
	const struct sl_ws_pkg *pkg, *dep;
	const char *field;
};

struct consumes {
	const struct sl_rules *rules;
	struct sl_check_report *report;
	const struct sl_ws_source *src;
	struct root *roots;
	size_t nroots, alloc;
	struct sl_ws **ws; /* derived, kept until the end: pairs point in */
	size_t nws;
	struct pair *pairs;
	size_t npairs, alloc_pairs;
	bool *has_pkg; /* per lane: owns a package's manifest */
};

static void add_root(struct consumes *c, enum sl_ws_kind kind, const char *dir)
{
	size_t i;

	/* pnpm's directory has a package.json too, maybe with workspaces. */
	for (i = 0; kind == SL_WS_NPM && i < c->nroots; i++)
		if (c->roots[i].kind == SL_WS_PNPM &&
		    !strcmp(c->roots[i].dir, dir))
			return;
	SL_ALLOC_GROW(c->roots, c->nroots + 1, c->alloc);
	c->roots[c->nroots].kind = kind;
	c->roots[c->nroots++].dir = sl_xstrdup(dir);
}

/* Does dir's package.json name workspaces? Unreadable: no (deriving it
 * would say why, but a package.json that is not a root is none of this). */
static int npm_root(bool *out, struct consumes *c, const char *dir,
		    struct sl_error *err)
{
	char *path = sl_ws_join(dir, "package.json");
	struct sl_buf data = SL_BUF_INIT;
	struct sl_error perr = SL_ERROR_INIT;
	struct sl_pkg_json pj;
	bool found = false;
	int ret;

	*out = false;
	ret = sl_ws_read(&data, &found, c->src, path, err);
	if (!ret && found &&
	    !sl_pkg_json_parse(&pj, path, data.buf, data.len, &perr)) {
		*out = pj.has_workspaces;
		sl_pkg_json_release(&pj);
	}
	sl_error_release(&perr);
	sl_buf_release(&data);
	free(path);
	return ret;
}

/* Is path's directory one a workspace search enters (none of its
 * directories is node_modules or starts with '.')? Its length, or -1. */
static ssize_t dir_len(const char *path, size_t len, const char *file)
{
	size_t fl = strlen(file), i, start = 0;

	if (len < fl || memcmp(path + len - fl, file, fl) ||
	    (len > fl && path[len - fl - 1] != '/'))
		return -1;
	len = len > fl ? len - fl - 1 : 0;
	for (i = 0; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		if (i > start && (path[start] == '.' ||
				  (i - start == 12 &&
				   !memcmp(path + start, "node_modules", 12))))
			return -1;
		start = i + 1;
	}
	return (ssize_t)len;
}

/*
 * Every workspace root among the tracked paths (the commit's files, which
 * check has listed already: no tree is walked again), pnpm and Go first,
 * then npm.
 */
static int find_roots(struct consumes *c, const struct sl_check_path *paths,
		      size_t n, struct sl_error *err)
{
	static const char *const files[] = {"pnpm-workspace.yaml", "go.work",
					    "package.json"};
	static const enum sl_ws_kind kinds[] = {SL_WS_PNPM, SL_WS_GO,
						SL_WS_NPM};
	size_t k, i;
	bool is_root;
	int ret = 0;

	for (k = 0; k < 3 && !ret; k++) {
		for (i = 0; i < n && !ret; i++) {
			ssize_t dl = paths[i].flags & SL_MATCH_DIR
					 ? -1
					 : dir_len(paths[i].path, paths[i].len,
						   files[k]);
			char *dir;

			if (dl < 0)
				continue;
			dir = sl_xmemdupz(paths[i].path, (size_t)dl);
			is_root = kinds[k] != SL_WS_NPM;
			if (!is_root)
				ret = npm_root(&is_root, c, dir, err);
			if (!ret && is_root)
				add_root(c, kinds[k], dir);
			free(dir);
		}
	}
	return ret;
}

/* Is the workspace at root one the rules' own `workspaces` derive? */
static bool declared(const struct sl_rules *rules, const struct root *r)
{
	size_t i;

	for (i = 0; i < rules->nworkspaces; i++)
		if (rules->workspaces[i].kind == r->kind &&
		    !strcmp(rules->workspaces[i].root, r->dir))
			return true;
	return false;
}

/* The lane that owns pkg's manifest, or SL_NO_LANE. */
static int lane_of(size_t *out, const struct consumes *c,
		   const struct sl_ws_pkg *pkg, struct sl_error *err)
{
	const struct sl_rule *rule = NULL;
	int ret = sl_rules_owner(&rule, c->rules, pkg->manifest,
				 strlen(pkg->manifest), 0, err);

	*out = rule && rule->lane < c->rules->nlanes ? rule->lane : SL_NO_LANE;
	return ret;
}

static bool upstream_of(const struct sl_rules *rules, size_t a, size_t b,
			size_t *up, bool *seen)
{
	size_t i, n = sl_cov_upstream(up, seen, rules, a);

	for (i = 0; i < n; i++)
		if (up[i] == b)
			return true;
	return false;
}

static bool has_smoke(const struct sl_rules *rules, size_t lane)
{
	size_t g;

	for (g = 0; g < rules->ngates; g++)
		if (rules->gates[g].lane == lane &&
		    rules->gates[g].kind == SL_GATE_SMOKE)
			return true;
	return false;
}

static void report_missing(struct consumes *c, const struct pair *p)
{
	const struct sl_rules *r = c->rules;
	bool smoke = has_smoke(r, p->a);
	struct sl_finding *f;

	f = sl_cov_add(
	    c->report, SL_FINDING_CONSUMES_MISSING,
	    smoke ? SL_SEVERITY_WARNING : SL_SEVERITY_NOTE,
	    "lane %s does not consume lane %s, but %s (lane %s) "
	    "depends on %s (%s, lane %s) in %s: a change to %s "
	    "%s the smoke gates of %s; add %s to the consumes "
	    "of %s",
	    r->lanes[p->a].name, r->lanes[p->b].name, p->pkg->manifest,
	    r->lanes[p->a].name, p->dep->name, p->dep->manifest,
	    r->lanes[p->b].name, p->field, r->lanes[p->b].name,
	    smoke ? "does not run" : "would not run (once it has some)",
	    r->lanes[p->a].name, r->lanes[p->b].name, r->lanes[p->a].name);
	f->file = r->file;
	f->pos = r->lanes[p->a].pos;
	f->lane = p->a;
}

/* Each internal dependency of ws between two lanes, as a pair. */
static int collect(struct consumes *c, const struct sl_ws *ws,
		   struct sl_error *err)
{
	size_t i, k, a, b;
	int ret = 0;

	for (i = 0; i < ws->npkgs && !ret; i++) {
		ret = lane_of(&a, c, &ws->pkgs[i], err);
		if (!ret && a != SL_NO_LANE)
			c->has_pkg[a] = true;
		for (k = 0; !ret && a != SL_NO_LANE && k < ws->pkgs[i].ndeps;
		     k++) {
			const struct sl_ws_pkg *dep =
			    &ws->pkgs[ws->pkgs[i].deps[k].to];

			ret = lane_of(&b, c, dep, err);
			if (ret || b == SL_NO_LANE || b == a)
				continue;
			SL_ALLOC_GROW(c->pairs, c->npairs + 1, c->alloc_pairs);
			c->pairs[c->npairs] =
			    (struct pair){a,	     b,
					  c->npairs, &ws->pkgs[i],
					  dep,	     ws->pkgs[i].deps[k].field};
			c->npairs++;
		}
	}
	return ret;
}

/* By lanes; the first found first. */
static int cmp_pair(const void *x, const void *y)
{
	const struct pair *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static bool has_pair(const struct consumes *c, size_t a, size_t b)
{
	size_t lo = 0, hi = c->npairs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pair *p = &c->pairs[mid];

		if (p->a == a && p->b == b)
			return true;
		if (p->a < a || (p->a == a && p->b < b))
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Each pair of lanes once: reported when selection does not reach from
 * the dependent lane to the other. */
static void report_pairs(struct consumes *c)
{
	size_t n = c->rules->nlanes, i, k = 0;
	size_t *up = sl_xcalloc(n + 1, sizeof(*up));
	bool *seen = sl_xcalloc(n + 1, sizeof(*seen));

	if (c->npairs)
		qsort(c->pairs, c->npairs, sizeof(*c->pairs), cmp_pair);
	for (i = 0; i < c->npairs; i++) {
		if (k && c->pairs[k - 1].a == c->pairs[i].a &&
		    c->pairs[k - 1].b == c->pairs[i].b)
			continue;
		c->pairs[k++] = c->pairs[i];
	}
	c->npairs = k;
	for (i = 0; i < c->npairs; i++)
		if (!upstream_of(c->rules, c->pairs[i].a, c->pairs[i].b, up,
				 seen))
			report_missing(c, &c->pairs[i]);
	free(up);
	free(seen);
}

/* A manifest that cannot be read is worth a warning, not a failed check:
 * the rules do not name it. */
static void report_unreadable(struct consumes *c, const struct root *r,
			      const struct sl_error *why)
{
	sl_cov_add(c->report, SL_FINDING_WORKSPACE_UNREADABLE,
		   SL_SEVERITY_WARNING,
		   "the %s workspace at %s could not be read, so its "
		   "dependencies were not held against consumes: %s",
		   sl_ws_kind_name(r->kind), *r->dir ? r->dir : ".",
		   sl_error_message(why));
}

/* A written consumes edge between two lanes that own packages, that no
 * dependency between their packages supports. */
static void report_unsupported(struct consumes *c)
{
	const struct sl_rules *r = c->rules;
	size_t n = r->nlanes, a, k, b;
	struct sl_finding *f;

	for (a = 0; a < n; a++) {
		for (k = 0; k < r->lanes[a].nconsumes; k++) {
			b = r->lanes[a].consumes[k];
			if (!c->has_pkg[a] || !c->has_pkg[b] ||
			    has_pair(c, a, b))
				continue;
			f = sl_cov_add(
			    c->report, SL_FINDING_CONSUMES_UNSUPPORTED,
			    SL_SEVERITY_NOTE,
			    "lane %s consumes lane %s, but no manifest of its "
			    "packages depends on a package of %s: remove %s "
			    "from its consumes unless something the manifests "
			    "do not say ties them (an edge the packages do not "
			    "need runs smoke gates for nothing)",
			    r->lanes[a].name, r->lanes[b].name,
			    r->lanes[b].name, r->lanes[b].name);
			f->file = r->file;
			f->pos = r->lanes[a].pos;
			f->lane = a;
		}
	}
}

static int check_roots(struct consumes *c, struct sl_error *err)
{
	struct sl_error why = SL_ERROR_INIT;
	struct sl_ws *ws;
	size_t i;
	int ret = 0;

	c->ws = sl_xcalloc(c->nroots + 1, sizeof(*c->ws));
	for (i = 0; i < c->nroots && !ret; i++) {
		if (declared(c->rules, &c->roots[i]))
			continue;
		ret = sl_ws_derive(&ws, c->roots[i].kind, c->roots[i].dir,
				   c->src, &why);
		if (ret == SL_ERULES) {
			report_unreadable(c, &c->roots[i], &why);
			sl_error_release(&why);
			ret = 0;
			continue;
		}
		if (ret) {
			sl_error_release(err);
			*err = why;
			return ret;
		}
		c->ws[c->nws++] = ws;
		c->report->consumes_packages += ws->npkgs;
		c->report->consumes_workspaces++;
		ret = collect(c, ws, err);
	}
	return ret;
}

int sl_check_consumes(struct sl_check_report *report,
		      const struct sl_rules *rules,
		      const struct sl_check_path *paths, size_t n,
		      const struct sl_ws_source *src, struct sl_error *err)
{
	size_t i, before = report->nfindings, keep;
	struct consumes c = {.rules = rules, .report = report, .src = src};
	int ret;

	c.has_pkg = sl_xcalloc(rules->nlanes + 1, sizeof(*c.has_pkg));
	ret = find_roots(&c, paths, n, err);
	if (!ret)
		ret = check_roots(&c, err);
	if (!ret) {
		report_pairs(&c);
		report_unsupported(&c);
		report->consumes_edges = c.npairs;
	}
	/* The rules file's findings stay first, in file order; those about
	 * no line (the unowned files, ...) after them. */
	for (keep = 0; keep < before && report->findings[keep].file; keep++)
		;
	if (!ret)
		sl_cov_sort(report, keep, before);
	for (i = 0; i < c.nroots; i++)
		free(c.roots[i].dir);
	free(c.roots);
	for (i = 0; i < c.nws; i++)
		sl_ws_free(c.ws[i]);
	free(c.ws);
	free(c.pairs);
	free(c.has_pkg);
	return ret;
}
