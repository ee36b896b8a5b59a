/*
 * cmd_init.c: `sluice init`, a starter sluice.yml from what the repository
 * already has: its CODEOWNERS file (converted by rules/'s importer, as
 * `sluice import codeowners` does), else a commented template. It owns
 * finding the sources, the words around the rules, and writing the file
 * without ever replacing one (a hard link from a finished temporary file,
 * which fails when the name exists). What the rules mean is rules/'s.
 */
#include "common/common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "rules/rules.h"
#include "selector/selector.h"

static const char usage[] =
    "usage: sluice init [--codeowners FILE | --template] [-o FILE | "
    "--stdout]\n\n"
    "Writes a starter sluice.yml at the root of the repository from what it "
    "has:\nits workspace manifests as committed at HEAD (npm, pnpm, go.work: "
    "a\n'workspaces:' entry, docs/workspaces.md), else its CODEOWNERS file\n"
    "(.github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS or .gitlab/CODEOWNERS), "
    "one\nlane per owner set, else a commented template. It never replaces "
    "a file.\n'sluice check' passes on what it writes.\n\n"
    "  --codeowners FILE      start from this CODEOWNERS file\n"
    "  --template             the commented template, even with a "
    "CODEOWNERS file\n"
    "  -o, --output FILE      write FILE instead of sluice.yml at the root\n"
    "  --stdout               print the rules instead of writing a file\n";

enum init_opt {
	INIT_OPT_CODEOWNERS = CLI_OPT_NEXT,
	INIT_OPT_TEMPLATE,
	INIT_OPT_STDOUT
};

const struct option cli_init_longopts[] = {
    {"codeowners", required_argument, NULL, INIT_OPT_CODEOWNERS},
    {"template", no_argument, NULL, INIT_OPT_TEMPLATE},
    {"output", required_argument, NULL, 'o'},
    {"stdout", no_argument, NULL, INIT_OPT_STDOUT},
    {NULL, 0, NULL, 0},
};

struct init_opts {
	const char *codeowners;
	const char *output;
	bool template_only;
	bool to_stdout;
};

/* Where GitHub and GitLab look for CODEOWNERS, first found wins. */
static const char *const codeowners_places[] = {
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
};

static const char header[] =
    "# sluice.yml: who owns which paths (lanes), which checks (gates) "
    "guard them,\n"
    "# and which lanes consume which (docs/rules.md, 'man sluice.yml').\n"
    "# Selection reads this file as it is at the base of a change, so a "
    "change\n"
    "# cannot switch off its own gates. Try it: 'sluice check', then\n"
    "# 'sluice select --worktree'. Editors: docs/rules.md, \"Editor "
    "support\".\n"
    "#\n";

static const char gate_hint[] =
    "\n"
    "# Next: give each lane the gates its changes must pass, and say which\n"
    "# lanes consume which (their smoke gates run when those change):\n"
    "#\n"
    "#   lanes:\n"
    "#     web:\n"
    "#       consumes: [api]\n"
    "#       gates:\n"
    "#         web-unit: {run: make -C web test, timeout: 10m}\n"
    "#       smoke:\n"
    "#         web-smoke: {run: ./scripts/smoke web}\n"
    "#\n"
    "# and the checks every change needs, with who may approve an override:\n"
    "#\n"
    "#   global:\n"
    "#     approvers: [\"@release-team\"]\n"
    "#     gates:\n"
    "#       lint: {run: make lint}\n";

static const char template_text[] =
    "version: 1\n"
    "\n"
    "# Changed paths that run every gate (the build itself, the toolchain):\n"
    "# run_all_on: [Makefile, \"toolchain/**\"]\n"
    "\n"
    "# A changed path no lane owns: run-all (default), global-only or "
    "fail.\n"
    "unowned: run-all\n"
    "\n"
    "# Checks every change needs, and who may approve an override of one.\n"
    "# global:\n"
    "#   approvers: [\"@release-team\"]\n"
    "#   gates:\n"
    "#     lint: {run: make lint}\n"
    "\n"
    "# Lanes, in order: a path belongs to the lane of the last pattern that\n"
    "# matches it (as in CODEOWNERS), so later lanes carve paths out of\n"
    "# earlier ones. Patterns are gitignore patterns.\n"
    "lanes:\n"
    "  everything:\n"
    "    paths: [\"*\"]\n"
    "    # owners: [\"@your-team\"]\n"
    "    # gates:\n"
    "    #   unit: {run: make test, timeout: 10m}\n"
    "  # api:\n"
    "  #   owners: [\"@api-team\"]\n"
    "  #   paths: [\"api/\", \"*.proto\"]\n"
    "  #   gates:\n"
    "  #     api-unit: {run: make -C api test}\n"
    "  # web:\n"
    "  #   owners: [\"@web-team\"]\n"
    "  #   paths: [\"web/\"]\n"
    "  #   consumes: [api]     # web's smoke gates run when api changes\n"
    "  #   smoke:\n"
    "  #     web-smoke: {run: ./scripts/smoke web}\n";

static int parse(struct init_opts *o, int argc, char **argv)
{
	struct cli_getopt p = {.argc = argc,
			       .argv = argv,
			       .cmd = "init",
			       .shortopts = "o:",
			       .longopts = cli_init_longopts};
	int c;

	while ((c = cli_getopt_next(&p)) >= 0) {
		if (c == INIT_OPT_CODEOWNERS)
			o->codeowners = p.arg;
		else if (c == INIT_OPT_TEMPLATE)
			o->template_only = true;
		else if (c == INIT_OPT_STDOUT)
			o->to_stdout = true;
		else
			o->output = p.arg;
	}
	if (c == CLI_GETOPT_STOP)
		return p.exit_code;
	if (optind < argc)
		return cli_usage_error("init takes no arguments ('%s'); see "
				       "'sluice init --help'",
				       argv[optind]);
	if (o->codeowners && o->template_only)
		return cli_usage_error("init: --codeowners and --template "
				       "exclude each other");
	if (o->output && o->to_stdout)
		return cli_usage_error("init: -o and --stdout exclude each "
				       "other");
	return 0;
}

/* The CODEOWNERS file to start from under root, or NULL for none. */
static const char *find_codeowners(struct sl_buf *path, const char *root)
{
	struct stat st;
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(codeowners_places); i++) {
		sl_buf_reset(path);
		sl_buf_addf(path, "%s/%s", root, codeowners_places[i]);
		if (!stat(path->buf, &st) && S_ISREG(st.st_mode))
			return codeowners_places[i];
	}
	return NULL;
}

/*
 * The rules converted from the CODEOWNERS file at path (named name in the
 * file), with the importer's warnings on stderr.
 */
static int from_codeowners(struct sl_buf *out, const char *path,
			   const char *name, struct sl_error *err)
{
	struct sl_codeowners_options copts = SL_CODEOWNERS_OPTIONS_INIT;
	struct sl_codeowners_result res = SL_CODEOWNERS_RESULT_INIT;
	struct sl_buf text = SL_BUF_INIT;
	size_t i;
	int ret;

	ret = sl_buf_read_regular(&text, path, SL_RULES_MAX_BYTES, false, err);
	if (!ret) {
		copts.source = name;
		ret = sl_codeowners_convert(&res, text.buf, text.len, &copts,
					    err);
	}
	for (i = 0; !ret && i < res.warnings.n; i++)
		cli_printf_safe(stderr, "sluice: warning: %s\n",
				res.warnings.v[i]);
	if (!ret) {
		sl_buf_adds(out, header);
		sl_buf_add(out, res.yaml.buf, res.yaml.len);
		sl_buf_adds(out, gate_hint);
	}
	sl_codeowners_result_release(&res);
	sl_buf_release(&text);
	return ret;
}

/* One kind of workspace init looks for at the root, with the file that
 * says the root is one and the gates it starts the templates with. */
struct ws_guess {
	enum sl_ws_kind kind;
	const char *marker; /* a file at the root */
	const char *needle; /* it must contain this; NULL: any content */
	const char *lockfile;
	const char *unit, *smoke;
};

static const struct ws_guess ws_guesses[] = {
    {SL_WS_PNPM, "pnpm-workspace.yaml", NULL, "pnpm-lock.yaml",
     "pnpm --filter {name} test", "pnpm --filter {name} run test:smoke"},
    {SL_WS_NPM, "package.json", "\"workspaces\"", "package-lock.json",
     "npm test -w {path}", "npm run test:smoke -w {path}"},
    {SL_WS_GO, "go.work", NULL, "go.work.sum", "go test ./...", "go vet ./..."},
};

/* Does the commit hold path? */
static int src_has(bool *yes, const struct sl_ws_source *src, const char *path,
		   struct sl_error *err)
{
	struct sl_buf data = SL_BUF_INIT;
	int ret = src->read(src->ctx, path, &data, yes, err);

	sl_buf_release(&data);
	return ret;
}

/* Does the commit's root hold g's marker (with its needle)? */
static int guess_holds(bool *yes, const struct sl_ws_source *src,
		       const struct ws_guess *g, struct sl_error *err)
{
	struct sl_buf data = SL_BUF_INIT;
	int ret = src->read(src->ctx, g->marker, &data, yes, err);

	if (!ret && *yes && g->needle)
		*yes = memmem(data.buf, data.len, g->needle,
			      strlen(g->needle)) != NULL;
	sl_buf_release(&data);
	return ret;
}

static void write_entry(struct sl_buf *out, const struct ws_guess *g,
			const struct sl_ws *ws)
{
	size_t i, edges = 0;

	for (i = 0; i < ws->npkgs; i++)
		edges += ws->pkgs[i].ndeps;
	sl_buf_addf(out,
		    "  # %s: %zu packages and %zu internal dependencies "
		    "today\n"
		    "  - kind: %s\n"
		    "    root: .\n"
		    "    # owners: [\"@your-team\"]\n"
		    "    gates:\n"
		    "      \"{lane}-test\": {run: \"%s\"%s}\n"
		    "    # smoke gates run when a package a lane consumes "
		    "changes:\n"
		    "    # smoke:\n"
		    "    #   \"{lane}-smoke\": {run: \"%s\"%s}\n",
		    g->marker, ws->npkgs, edges, sl_ws_kind_name(g->kind),
		    g->unit, g->kind == SL_WS_GO ? ", cwd: \"{path}\"" : "",
		    g->smoke, g->kind == SL_WS_GO ? ", cwd: \"{path}\"" : "");
}

/*
 * The sources init knows, in the order it tries them. Workspace manifests
 * (npm, pnpm, go: SPEC.md §7, docs/workspaces.md) go first, read as they
 * are committed at HEAD (selection reads them from commits too): each
 * kind whose root manifest is there writes a `workspaces:` entry, and
 * the function returns 1; 0 means "none" (or no commit yet). A manifest
 * that is there but cannot be read is an error, never "none".
 */
static int from_workspaces(struct sl_buf *out, struct sl_repo *repo,
			   const char **from, struct sl_error *err)
{
	struct sl_buf entries = SL_BUF_INIT, lockfiles = SL_BUF_INIT;
	struct sl_ws_tree *tree = NULL;
	char head[SL_OID_HEXSZ + 1];
	struct sl_error none = SL_ERROR_INIT;
	bool npm_or_pnpm = false;
	size_t i;
	int ret = 0, found = 0;

	/* No commit yet: nothing is committed to derive from. */
	if (sl_repo_resolve_commit(head, repo, "HEAD", &none)) {
		sl_error_release(&none);
		return 0;
	}
	ret = sl_ws_tree_open(&tree, repo, head, NULL, err);
	for (i = 0; !ret && i < SL_ARRAY_SIZE(ws_guesses); i++) {
		const struct ws_guess *g = &ws_guesses[i];
		struct sl_ws *ws = NULL;
		bool yes = false;

		if (g->kind == SL_WS_NPM && npm_or_pnpm)
			continue;
		ret = guess_holds(&yes, sl_ws_tree_source(tree), g, err);
		if (!ret && yes)
			ret = sl_ws_derive(&ws, g->kind, "",
					   sl_ws_tree_source(tree), err);
		/* A pnpm-workspace.yaml of settings alone derives nothing. */
		if (!ret && yes && !ws->npkgs) {
			sl_ws_free(ws);
			continue;
		}
		if (ret || !yes)
			continue;
		npm_or_pnpm |= g->kind != SL_WS_GO;
		write_entry(&entries, g, ws);
		sl_ws_free(ws);
		/* Only a lockfile the commit has: one it lacks (a go.work
		 * with no go.work.sum) would be a pattern check warns of.
		 * Anchored: npm/cli's test fixtures hold 95 more
		 * package-lock.json files, each of which would run all. */
		ret = src_has(&yes, sl_ws_tree_source(tree), g->lockfile, err);
		if (!ret && yes)
			sl_buf_addf(&lockfiles, "%s/%s",
				    lockfiles.len ? ", " : "", g->lockfile);
		*from = found ? "the workspace manifests" : g->marker;
		found++;
	}
	if (!ret && found) {
		sl_buf_adds(out, header);
		sl_buf_addf(out,
			    "# Lanes, their consumes and their gates come "
			    "from the workspace manifests\n"
			    "# (docs/workspaces.md): one lane per package, "
			    "named after it.\n"
			    "version: 1\n\n"
			    "# A changed path no lane owns runs the global "
			    "gates only.\n"
			    "unowned: global-only\n\n"
			    "%s%s%s"
			    "workspaces:\n",
			    lockfiles.len ? "# Lockfile changes select the "
					    "packages whose dependencies "
					    "changed; what\n# no package "
					    "accounts for (the root's own) "
					    "runs everything.\nrun_all_on: ["
					  : "",
			    lockfiles.buf, lockfiles.len ? "]\n\n" : "");
		sl_buf_add(out, entries.buf, entries.len);
	}
	sl_ws_tree_free(tree);
	sl_buf_release(&entries);
	sl_buf_release(&lockfiles);
	return ret ? ret : found > 0;
}

/* Writes data to path, never replacing a file that is there. */
static int write_new(const char *path, const struct sl_buf *data,
		     struct sl_error *err)
{
	int ret = sl_file_write(path, data, SL_FILE_NEW, err);

	if (ret == SL_EUSAGE)
		ret = sl_error_set(err, SL_EUSAGE,
				   "'%s' already exists; sluice init never "
				   "replaces a file: edit it, or write "
				   "another with -o FILE",
				   path);
	return ret;
}

static int build(struct sl_buf *out, const struct init_opts *o,
		 struct sl_repo *repo, const char **from, struct sl_error *err)
{
	struct sl_buf path = SL_BUF_INIT;
	const char *name = NULL, *root = sl_repo_root(repo);
	int ret = 0;

	if (!o->template_only && !o->codeowners)
		ret = from_workspaces(out, repo, from, err);
	if (ret)
		goto out;
	if (o->codeowners)
		sl_buf_adds(&path, o->codeowners);
	else if (!o->template_only)
		name = find_codeowners(&path, root);
	if (o->codeowners || name) {
		*from = o->codeowners ? o->codeowners : name;
		ret = from_codeowners(out, path.buf, *from, err);
	} else {
		*from = NULL;
		sl_buf_adds(out, header);
		sl_buf_adds(out, template_text);
	}
out:
	sl_buf_release(&path);
	return ret < 0 ? ret : 0;
}

int cmd_init(int argc, char **argv, const struct cli_globals *g)
{
	struct init_opts o = {0};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf out = SL_BUF_INIT, target = SL_BUF_INIT;
	struct sl_repo *repo = NULL;
	const char *from = NULL;
	int code, ret;

	(void)g;
	if (cli_wants_help(argc, argv, usage))
		return CLI_EXIT_OK;
	code = parse(&o, argc, argv);
	if (code)
		return code;
	ret = sl_repo_open(&repo, NULL, &err);
	if (!ret)
		ret = build(&out, &o, repo, &from, &err);
	if (!ret && o.to_stdout) {
		cli_print(&out);
	} else if (!ret) {
		if (o.output)
			sl_buf_adds(&target, o.output);
		else
			sl_buf_addf(&target, "%s/sluice.yml",
				    sl_repo_root(repo));
		ret = write_new(target.buf, &out, &err);
	}
	if (ret) {
		code = cli_fail(&err);
	} else if (!o.to_stdout) {
		cli_printf_safe(
		    stderr,
		    "sluice: wrote %s from %s; next: add gates to its "
		    "lanes, then 'sluice check'\n",
		    o.output ? o.output : "sluice.yml",
		    from ? from : "the template");
	}
	sl_repo_free(repo);
	sl_buf_release(&out);
	sl_buf_release(&target);
	sl_error_release(&err);
	return code;
}
