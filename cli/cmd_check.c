/*
 * cmd_check.c: `sluice check` (SPEC.md §3), the rules file validated and
 * held against the tracked files of a commit, and optionally against a
 * CODEOWNERS file. It owns the command line, gathering what the check
 * needs (the repository, the working tree's rules, the commit's files, the
 * CODEOWNERS file), the text and JSON reports and the exit status. What is
 * found is rules/'s (sl_check_tree(), sl_check_codeowners());
 * docs/check.md says what each finding means.
 */
#include "common/common.h"

#include <getopt.h>
#include <jansson.h>

#include "cli/cli.h"
#include "rules/rules.h"
#include "selector/selector.h"

static const char check_usage[] =
    "usage: sluice check [--strict] [--codeowners FILE] [--rev REV]\n"
    "                    [--format text|json]\n"
    "\n"
    "Validates the rules file, then holds it against the tracked files of a\n"
    "commit: files no lane owns; patterns that decide no file (matching\n"
    "none, or shadowed by later ones); run_all_on and when patterns that\n"
    "match no file; lanes whose changes run no gate; gates that no change\n"
    "selects; lanes whose consumes miss a dependency that the npm, pnpm\n"
    "or Go workspaces' manifests of the commit declare. Each finding is a\n"
    "note, a warning or an error; see\n"
    "docs/check.md for what each means and how to fix it.\n"
    "\n"
    "    --strict           warnings fail the check too\n"
    "    --codeowners FILE  also list each tracked file whose owners differ\n"
    "                       between the rules and FILE, a CODEOWNERS file\n"
    "                       (GitHub's, or GitLab's when it has [Section]\n"
    "                       headers); any such file fails the check\n"
    "    --rev REV          the tracked files of REV (default: HEAD)\n"
    "    --format text      one line per finding, FILE:LINE:COL: SEVERITY:\n"
    "                       MESSAGE, then a summary (the default)\n"
    "    --format json      {\"schema\": \"sluice.check/1\", ...}, every "
    "file\n"
    "                       listed\n"
    "\n"
    "The rules are the working tree's: --rules FILE, else $SLUICE_RULES, else\n"
    "sluice.yml at the root of the repository.\n"
    "\n"
    "Exit status: 0 no errors (with --strict: and no warnings), 1 errors\n"
    "(with --strict: or warnings), 2 bad usage or rules, 3 no repository,\n"
    "an unknown REV, or an unreadable CODEOWNERS file.\n";

/* Lists in text output stop after this many paths, with "... and N more". */
#define TEXT_LIST_MAX 50

enum check_format { FORMAT_TEXT, FORMAT_JSON };

struct check_opts {
	bool strict;
	const char *codeowners; /* NULL: no comparison */
	const char *rev;	/* NULL: HEAD */
	enum check_format format;
};

struct check_ctx {
	struct sl_repo *repo;
	struct sl_buf rules_file;
	struct sl_rules *rules;
	char commit[SL_OID_HEXSZ + 1];
	struct sl_file_list files;
	struct sl_check_path *paths;
	struct sl_codeowners_rules co;
	bool have_co;
	struct sl_check_report report;
	struct sl_ws **ws; /* the rules' workspaces, derived at commit */
};

/* ---- options ---------------------------------------------------------- */

static int parse_format(struct check_opts *opts, const char *arg)
{
	if (!strcmp(arg, "text"))
		opts->format = FORMAT_TEXT;
	else if (!strcmp(arg, "json"))
		opts->format = FORMAT_JSON;
	else
		return cli_usage_error(
		    "check: unknown format '%s'; use text or json", arg);
	return 0;
}

const struct option cli_check_longopts[] = {
    {"strict", no_argument, NULL, 's'},
    {"codeowners", required_argument, NULL, 'c'},
    {"rev", required_argument, NULL, 'r'},
    {"format", required_argument, NULL, 'f'},
    {NULL, 0, NULL, 0},
};

/* Returns 0, or the exit code of a usage error (having said why). */
static int parse_options(int argc, char **argv, struct check_opts *opts)
{
	struct cli_getopt p = {.argc = argc,
			       .argv = argv,
			       .cmd = "check",
			       .longopts = cli_check_longopts};
	int c, code = 0;

	while (!code && (c = cli_getopt_next(&p)) >= 0) {
		switch (c) {
		case 's':
			opts->strict = true;
			break;
		case 'c':
			opts->codeowners = p.arg;
			break;
		case 'r':
			opts->rev = p.arg;
			break;
		default:
			code = parse_format(opts, p.arg);
			break;
		}
	}
	if (!code && c == CLI_GETOPT_STOP)
		code = p.exit_code;
	if (!code && optind < argc)
		code = cli_usage_error("check: unexpected argument '%s'; see "
				       "'sluice check --help'",
				       argv[optind]);
	return code;
}

/* ---- gathering ----------------------------------------------------------- */

/* The lanes the rules' `workspaces` derive from the commit's manifests
 * (docs/workspaces.md). */
static int derive(struct check_ctx *x, struct sl_error *err)
{
	struct sl_ws_tree *tree = NULL;
	int ret;

	if (!x->rules->nworkspaces)
		return 0;
	ret = sl_ws_tree_open(&tree, x->repo, x->commit, NULL, err);
	if (!ret)
		ret = sl_ws_derive_all(&x->ws, x->rules,
				       sl_ws_tree_source(tree), err);
	sl_ws_tree_free(tree);
	return ret;
}

/* The repository, then the rules (refused before anything else is read),
 * then the commit's files. */
static int gather(struct check_ctx *x, const struct check_opts *opts,
		  const struct cli_globals *g, struct sl_error *err)
{
	size_t i;
	int ret;

	ret = sl_repo_open(&x->repo, NULL, err);
	if (!ret && !g->rules_file)
		ret = sl_repo_need_worktree(x->repo,
					    "check (reading the working "
					    "tree's rules file)",
					    err);
	if (!ret)
		ret = cli_rules_file(&x->rules_file, g, err);
	if (!ret)
		ret = sl_rules_load_file(&x->rules, x->rules_file.buf, err);
	if (!ret)
		ret = sl_repo_resolve_commit(
		    x->commit, x->repo, opts->rev ? opts->rev : "HEAD", err);
	if (!ret)
		ret = derive(x, err);
	if (!ret)
		ret = sl_repo_list_files(&x->files, x->repo, x->commit, err);
	if (ret)
		return ret;
	x->paths = sl_xcalloc(x->files.n + 1, sizeof(*x->paths));
	for (i = 0; i < x->files.n; i++) {
		x->paths[i].path = x->files.items[i].path;
		x->paths[i].len = x->files.items[i].len;
		x->paths[i].flags =
		    x->files.items[i].gitlink ? SL_MATCH_DIR : 0;
	}
	return 0;
}

static int load_codeowners(struct check_ctx *x, const char *file,
			   struct sl_error *err)
{
	struct sl_buf text = SL_BUF_INIT;
	int ret;

	ret = sl_buf_read_regular(&text, file, SL_RULES_MAX_BYTES, false, err);
	if (!ret)
		ret = sl_codeowners_rules_load(&x->co, file, text.buf, text.len,
					       err);
	x->have_co = !ret;
	sl_buf_release(&text);
	return ret;
}

/* The lanes' consumes against the workspaces' manifests, read as blobs
 * from the commit whose files are checked. */
static int check_consumes(struct check_ctx *x, struct sl_error *err)
{
	struct sl_ws_tree *t = NULL;
	int ret;

	ret = sl_ws_tree_open(&t, x->repo, x->commit, NULL, err);
	if (!ret)
		ret = sl_check_consumes(&x->report, x->rules, x->paths,
					x->files.n, sl_ws_tree_source(t), err);
	sl_ws_tree_free(t);
	return ret;
}

static void release(struct check_ctx *x)
{
	sl_check_report_release(&x->report);
	if (x->have_co)
		sl_codeowners_rules_release(&x->co);
	free(x->paths);
	sl_file_list_release(&x->files);
	sl_ws_list_free(x->ws, x->rules ? x->rules->nworkspaces : 0);
	sl_rules_free(x->rules);
	sl_buf_release(&x->rules_file);
	sl_repo_free(x->repo);
}

/* ---- text -------------------------------------------------------------- */

/* Appends path as a line of a list: C-quoted when odd, '/' after a
 * submodule. */
static void add_path(struct sl_buf *out, const struct check_ctx *x, size_t i)
{
	sl_buf_add_quoted_path(out, x->paths[i].path, x->paths[i].len);
	if (x->paths[i].flags & SL_MATCH_DIR)
		sl_buf_addch(out, '/');
}

static void add_where(struct sl_buf *out, const struct sl_finding *f)
{
	if (!f->file)
		return;
	sl_buf_adds(out, f->file);
	if (f->pos.line)
		sl_buf_addf(out, ":%u", f->pos.line);
	if (f->pos.line && f->pos.col)
		sl_buf_addf(out, ":%u", f->pos.col);
	sl_buf_adds(out, ": ");
}

static void add_more(struct sl_buf *out, size_t shown, size_t n)
{
	if (n > shown)
		sl_buf_addf(out,
			    "  ... and %zu more (--format json lists them "
			    "all)\n",
			    n - shown);
}

static void add_owners(struct sl_buf *out, const struct sl_strvec *owners)
{
	size_t i;

	if (!owners->n)
		sl_buf_adds(out, "(no owners)");
	for (i = 0; i < owners->n; i++)
		sl_buf_addf(out, "%s%s", i ? " " : "", owners->v[i]);
}

/* Where a deciding rule is ("FILE:LINE:COL", col 0: "FILE:LINE"), or
 * "FILE (no rule)" for none. */
static void add_rule_where(struct sl_buf *out, const char *file, unsigned line,
			   unsigned col)
{
	if (!line)
		sl_buf_addf(out, "%s (no rule)", file);
	else if (!col)
		sl_buf_addf(out, "%s:%u", file, line);
	else
		sl_buf_addf(out, "%s:%u:%u", file, line, col);
}

/* Where each side decided drift entry d, into a and b (reset first). */
static void drift_where(struct sl_buf *a, struct sl_buf *b,
			const struct check_ctx *x,
			const struct sl_check_drift *d)
{
	sl_buf_reset(a);
	sl_buf_reset(b);
	add_rule_where(a, x->rules->file, d->rule ? d->rule->pos.line : 0,
		       d->rule ? d->rule->pos.col : 0);
	add_rule_where(b, x->co.source, d->co_line, 0);
}

/* The drifting files: each, then its two sides, aligned over the list. */
static void add_drift(struct sl_buf *out, const struct check_ctx *x)
{
	const struct sl_check_report *r = &x->report;
	struct sl_buf a = SL_BUF_INIT, b = SL_BUF_INIT;
	size_t i, width = 0;
	size_t shown = r->ndrift < TEXT_LIST_MAX ? r->ndrift : TEXT_LIST_MAX;

	for (i = 0; i < shown; i++) {
		drift_where(&a, &b, x, &r->drift[i]);
		width = a.len > width ? a.len : width;
		width = b.len > width ? b.len : width;
	}
	for (i = 0; i < shown; i++) {
		const struct sl_check_drift *d = &r->drift[i];

		drift_where(&a, &b, x, d);
		sl_buf_adds(out, "  ");
		add_path(out, x, d->path);
		sl_buf_addf(out, "\n    %-*s  ", (int)width, a.buf);
		add_owners(out, sl_rules_owners_of(x->rules, d->rule));
		sl_buf_addf(out, "\n    %-*s  ", (int)width, b.buf);
		add_owners(out, sl_rules_owners_of(x->co.rules, d->co_rule));
		sl_buf_addch(out, '\n');
	}
	add_more(out, shown, r->ndrift);
	sl_buf_release(&a);
	sl_buf_release(&b);
}

static const char *severity_paint(enum sl_severity severity)
{
	switch (severity) {
	case SL_SEVERITY_ERROR:
		return cli_paint(stdout, CLI_PAINT_BAD);
	case SL_SEVERITY_WARNING:
		return cli_paint(stdout, CLI_PAINT_WARN);
	case SL_SEVERITY_NOTE:
		break;
	}
	return cli_paint(stdout, CLI_PAINT_DIM);
}

/* The paths idx[0..n), one a line, the first TEXT_LIST_MAX of them. */
static void add_paths(struct sl_buf *out, const struct check_ctx *x,
		      const size_t *idx, size_t n)
{
	size_t i, shown = n < TEXT_LIST_MAX ? n : TEXT_LIST_MAX;

	for (i = 0; i < shown; i++) {
		sl_buf_adds(out, "  ");
		add_path(out, x, idx[i]);
		sl_buf_addch(out, '\n');
	}
	add_more(out, shown, n);
}

static void add_finding(struct sl_buf *out, const struct check_ctx *x,
			const struct sl_finding *f)
{
	const struct sl_check_report *r = &x->report;

	add_where(out, f);
	sl_buf_addf(out, "%s%s%s: %s\n", severity_paint(f->severity),
		    sl_severity_name(f->severity),
		    cli_paint(stdout, CLI_PAINT_RESET), f->message);
	if (f->kind == SL_FINDING_UNOWNED) {
		add_paths(out, x, r->unowned, r->nunowned);
	} else if (f->kind == SL_FINDING_RUN_ALL) {
		add_paths(out, x, r->run_all, r->nrun_all);
	} else if (f->kind == SL_FINDING_INPUTS) {
		add_paths(out, x, r->inputs, r->ninputs);
	} else if (f->kind == SL_FINDING_DRIFT) {
		add_drift(out, x);
	}
}

static void add_count(struct sl_buf *out, size_t n, const char *what,
		      bool *first)
{
	if (!n)
		return;
	sl_buf_addf(out, "%s%zu %s%s", *first ? "" : ", ", n, what,
		    n == 1 ? "" : "s");
	*first = false;
}

/*
 * Appends text escaped as GitHub's workflow commands want: '%', CR and LF
 * always; in a property (file=...), ':' and ',' too.
 */
static void add_escaped(struct sl_buf *out, const char *text, bool property)
{
	for (; *text; text++) {
		if (*text == '%' || *text == '\r' || *text == '\n' ||
		    (property && (*text == ':' || *text == ',')))
			sl_buf_addf(out, "%%%02X", (unsigned char)*text);
		else
			sl_buf_addch(out, *text);
	}
}

/*
 * Appends f as a GitHub Actions workflow command, so that the finding is
 * shown on the line of sluice.yml it is about: ::error, ::warning or
 * ::notice, with the file relative to the repository root as GitHub
 * wants it. Workflow commands end at a newline; the message has none.
 */
static void add_annotation(struct sl_buf *out, const struct check_ctx *x,
			   const struct sl_finding *f)
{
	static const char *const commands[] = {
	    [SL_SEVERITY_NOTE] = "notice",
	    [SL_SEVERITY_WARNING] = "warning",
	    [SL_SEVERITY_ERROR] = "error",
	};
	const char *root = sl_repo_root(x->repo);
	char *abs = f->file ? realpath(f->file, NULL) : NULL;
	const char *file = abs ? abs : f->file;
	size_t len = root ? strlen(root) : 0;

	while (len && root[len - 1] == '/')
		len--;
	if (abs && len && !strncmp(abs, root, len) && abs[len] == '/')
		file = abs + len + 1;
	sl_buf_addf(out, "::%s ", commands[f->severity]);
	if (file) {
		sl_buf_adds(out, "file=");
		add_escaped(out, file, true);
		sl_buf_addch(out, ',');
	}
	if (file && f->pos.line)
		sl_buf_addf(out, "line=%u,", f->pos.line);
	if (file && f->pos.line && f->pos.col)
		sl_buf_addf(out, "col=%u,", f->pos.col);
	sl_buf_adds(out, "title=sluice check::");
	add_escaped(out, f->message, false);
	sl_buf_addch(out, '\n');
	free(abs);
}

static bool in_github_actions(void)
{
	const char *gha = getenv("GITHUB_ACTIONS");

	return gha && !strcmp(gha, "true");
}

static void print_text(const struct check_ctx *x, const struct check_opts *opts)
{
	const struct sl_check_report *r = &x->report;
	struct sl_buf out = SL_BUF_INIT;
	bool first = true;
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		add_finding(&out, x, &r->findings[i]);
	for (i = 0; in_github_actions() && i < r->nfindings; i++)
		add_annotation(&out, x, &r->findings[i]);
	sl_buf_addf(&out, "checked %s against %zu tracked file%s of %s (%.12s)",
		    x->rules->file, r->npaths, r->npaths == 1 ? "" : "s",
		    opts->rev ? opts->rev : "HEAD", x->commit);
	if (x->have_co)
		sl_buf_addf(&out, " and %s", x->co.source);
	sl_buf_adds(&out, ": ");
	add_count(&out, r->count[SL_SEVERITY_ERROR], "error", &first);
	add_count(&out, r->count[SL_SEVERITY_WARNING], "warning", &first);
	add_count(&out, r->count[SL_SEVERITY_NOTE], "note", &first);
	if (first)
		sl_buf_adds(&out, "no findings");
	if (opts->strict && r->count[SL_SEVERITY_WARNING])
		sl_buf_adds(&out, " (--strict: warnings fail)");
	sl_buf_addch(&out, '\n');
	cli_print(&out);
	sl_buf_release(&out);
}

/* ---- JSON ----------------------------------------------------------------- */

static json_t *json_str(const char *s)
{
	return s ? sl_json_text(s, strlen(s)) : json_null();
}

static json_t *json_uint(size_t n)
{
	return json_integer((json_int_t)n);
}

/* "FILE:LINE:COL" of a rule, or null. */
static json_t *json_rule(const struct sl_rules *rules,
			 const struct sl_rule *rule)
{
	struct sl_buf sb = SL_BUF_INIT;
	json_t *v;

	if (!rule)
		return json_null();
	sl_buf_addf(&sb, "%s:%u:%u", rules->file, rule->pos.line,
		    rule->pos.col);
	v = sl_json_text(sb.buf, sb.len);
	sl_buf_release(&sb);
	return v;
}

static json_t *json_owners(const struct sl_strvec *owners)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < owners->n; i++)
		sl_json_append(arr, json_str(owners->v[i]));
	return arr;
}

/* {"path": ...}, with "path_base64" for a path that is not UTF-8. */
static json_t *json_path(const struct check_ctx *x, size_t i)
{
	json_t *obj = json_object();

	sl_json_set_path(obj, "path", x->paths[i].path, x->paths[i].len);
	return obj;
}

/* One finding; jansson's _new calls (sl_json_set) steal the values. */
static json_t *json_finding(const struct check_ctx *x,
			    const struct sl_finding *f)
{
	const struct sl_rules *rules = x->rules;
	json_t *obj = json_object();

	sl_json_set(obj, "kind", json_str(sl_finding_kind_name(f->kind)));
	sl_json_set(obj, "severity", json_str(sl_severity_name(f->severity)));
	sl_json_set(obj, "file", json_str(f->file));
	sl_json_set(obj, "line",
		    f->pos.line ? json_uint(f->pos.line) : json_null());
	sl_json_set(obj, "col",
		    f->pos.col ? json_uint(f->pos.col) : json_null());
	sl_json_set(obj, "message", json_str(f->message));
	sl_json_set(obj, "pattern", json_str(f->rule ? f->rule->text : NULL));
	sl_json_set(obj, "lane",
		    json_str(f->lane < rules->nlanes
				 ? rules->lanes[f->lane].name
				 : NULL));
	sl_json_set(obj, "gate", json_str(f->gate ? f->gate->name : NULL));
	if (f->example != SIZE_MAX)
		sl_json_set_path(obj, "example", x->paths[f->example].path,
				 x->paths[f->example].len);
	else
		sl_json_set(obj, "example", json_null());
	sl_json_set(obj, "decided_by", json_rule(rules, f->decided_by));
	return obj;
}

static json_t *json_drift(const struct check_ctx *x,
			  const struct sl_check_drift *d)
{
	json_t *obj = json_path(x, d->path), *a = json_object(),
	       *b = json_object();
	struct sl_buf sb = SL_BUF_INIT;

	sl_json_set(a, "rule", json_rule(x->rules, d->rule));
	sl_json_set(a, "lane",
		    json_str(d->rule && d->rule->lane < x->rules->nlanes
				 ? x->rules->lanes[d->rule->lane].name
				 : NULL));
	sl_json_set(a, "owners",
		    json_owners(sl_rules_owners_of(x->rules, d->rule)));
	if (d->co_line)
		sl_buf_addf(&sb, "%s:%u", x->co.source, d->co_line);
	sl_json_set(b, "rule",
		    d->co_line ? sl_json_text(sb.buf, sb.len) : json_null());
	sl_json_set(b, "owners",
		    json_owners(sl_rules_owners_of(x->co.rules, d->co_rule)));
	sl_json_set(obj, "rules", a);
	sl_json_set(obj, "codeowners", b);
	sl_buf_release(&sb);
	return obj;
}

static json_t *json_counts(const struct check_ctx *x)
{
	const struct sl_check_report *r = &x->report;
	json_t *obj = json_object();

	sl_json_set(obj, "files", json_uint(r->npaths));
	sl_json_set(obj, "unowned", json_uint(r->nunowned));
	sl_json_set(obj, "run_all", json_uint(r->nrun_all));
	sl_json_set(obj, "inputs", json_uint(r->ninputs));
	sl_json_set(obj, "workspaces", json_uint(r->consumes_workspaces));
	sl_json_set(obj, "packages", json_uint(r->consumes_packages));
	sl_json_set(obj, "package_edges", json_uint(r->consumes_edges));
	sl_json_set(obj, "drift", json_uint(r->ndrift));
	sl_json_set(obj, "errors", json_uint(r->count[SL_SEVERITY_ERROR]));
	sl_json_set(obj, "warnings", json_uint(r->count[SL_SEVERITY_WARNING]));
	sl_json_set(obj, "notes", json_uint(r->count[SL_SEVERITY_NOTE]));
	return obj;
}

static json_t *json_report(const struct check_ctx *x,
			   const struct check_opts *opts, bool ok)
{
	const struct sl_check_report *r = &x->report;
	json_t *root = json_object(), *arr;
	size_t i;

	sl_json_set(root, "schema", json_str("sluice.check/1"));
	sl_json_set(root, "rules", json_str(x->rules->file));
	sl_json_set(root, "rev", json_str(opts->rev ? opts->rev : "HEAD"));
	sl_json_set(root, "commit", json_str(x->commit));
	sl_json_set(root, "codeowners",
		    json_str(x->have_co ? x->co.source : NULL));
	sl_json_set(root, "codeowners_flavor",
		    json_str(!x->have_co ? NULL
			     : x->co.flavor == SL_CODEOWNERS_GITLAB
				 ? "gitlab"
				 : "github"));
	sl_json_set(root, "strict", json_boolean(opts->strict));
	sl_json_set(root, "ok", json_boolean(ok));
	sl_json_set(root, "counts", json_counts(x));
	arr = json_array();
	for (i = 0; i < r->nfindings; i++)
		sl_json_append(arr, json_finding(x, &r->findings[i]));
	sl_json_set(root, "findings", arr);
	arr = json_array();
	for (i = 0; i < r->nunowned; i++)
		sl_json_append(arr, json_path(x, r->unowned[i]));
	sl_json_set(root, "unowned", arr);
	arr = json_array();
	for (i = 0; i < r->nrun_all; i++)
		sl_json_append(arr, json_path(x, r->run_all[i]));
	sl_json_set(root, "run_all", arr);
	arr = json_array();
	for (i = 0; i < r->ninputs; i++)
		sl_json_append(arr, json_path(x, r->inputs[i]));
	sl_json_set(root, "inputs", arr);
	arr = json_array();
	for (i = 0; i < r->ndrift; i++)
		sl_json_append(arr, json_drift(x, &r->drift[i]));
	sl_json_set(root, "drift", arr);
	return root;
}

static void print_json(const struct check_ctx *x, const struct check_opts *opts,
		       bool ok)
{
	struct sl_buf out = SL_BUF_INIT;

	sl_json_dump(&out, json_report(x, opts, ok), JSON_INDENT(2));
	cli_print(&out);
	sl_buf_release(&out);
}

/* ---- the command -------------------------------------------------------- */

int cmd_check(int argc, char **argv, const struct cli_globals *g)
{
	struct check_opts opts = {false, NULL, NULL, FORMAT_TEXT};
	struct check_ctx x;
	struct sl_error err = SL_ERROR_INIT;
	bool ok;
	int code;

	if (cli_wants_help(argc, argv, check_usage))
		return CLI_EXIT_OK;
	code = parse_options(argc, argv, &opts);
	if (code)
		return code;
	memset(&x, 0, sizeof(x));
	x.rules_file = (struct sl_buf)SL_BUF_INIT;
	x.files = (struct sl_file_list)SL_FILE_LIST_INIT;
	if (gather(&x, &opts, g, &err) ||
	    sl_check_tree(&x.report, x.rules, x.paths, x.files.n, &err) ||
	    check_consumes(&x, &err))
		goto fail;
	if (x.ws)
		sl_check_workspaces(&x.report, x.rules, x.ws);
	if (opts.codeowners && (load_codeowners(&x, opts.codeowners, &err) ||
				sl_check_codeowners(&x.report, x.rules, &x.co,
						    x.paths, x.files.n, &err)))
		goto fail;
	ok = !x.report.count[SL_SEVERITY_ERROR] &&
	     !(opts.strict && x.report.count[SL_SEVERITY_WARNING]);
	if (opts.format == FORMAT_JSON)
		print_json(&x, &opts, ok);
	else
		print_text(&x, &opts);
	code = ok ? CLI_EXIT_OK : CLI_EXIT_FAILED;
	goto out;
fail:
	code = cli_fail(&err);
out:
	release(&x);
	sl_error_release(&err);
	return code;
}
