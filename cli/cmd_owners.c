/*
 * cmd_owners.c: `sluice owners` (SPEC.md §3), the lane, owners and deciding
 * rule of each path, with no diff involved. It owns the command line, the
 * paths it reads (arguments or stdin, one per line or NUL-separated, with
 * git's C-style quoting undone), where the rules file is found, and the
 * text and JSON output. Which rule decides is rules/'s answer
 * (sl_rules_owner()).
 */
#include "common/common.h"

#include <getopt.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "rules/rules.h"

static const char owners_usage[] =
    "usage: sluice owners [--format text|json] [PATH...]\n"
    "       sluice owners [--format text|json] --stdin [-z]\n"
    "\n"
    "Prints the lane, the owners and the rule (FILE:LINE) that decides each\n"
    "PATH: the last rule of the rules file whose pattern matches it. Paths\n"
    "are relative to the repository root, as 'git diff --name-only' prints\n"
    "them; a trailing '/' asks about a directory (a submodule).\n"
    "\n"
    "    --format text   one line per path, aligned: PATH LANE OWNERS RULE\n"
    "                    (the default; '(unowned)' when no lane owns it, and\n"
    "                    as RULE what a change to it selects instead:\n"
    "                    'run_all_on FILE:LINE', 'inputs of gate|lane NAME\n"
    "                    FILE:LINE', or '-')\n"
    "    --format json   {\"paths\": [{\"path\", \"lane\", \"owners\", "
    "\"rule\",\n"
    "                    \"covered_by\"}]}\n"
    "    --stdin         read the paths from stdin, one per line; a line in\n"
    "                    double quotes is unquoted as git quotes paths\n"
    "    -z              with --stdin: the paths are NUL-separated\n"
    "\n"
    "The rules are --rules FILE, else $SLUICE_RULES, else sluice.yml at the\n"
    "root of the git repository that holds the current directory.\n";

enum owners_format { FORMAT_TEXT, FORMAT_JSON };

struct owners_opts {
	enum owners_format format;
	bool from_stdin;
	bool nul;
};

/* One path asked about; its bytes are pool[off .. off + len). */
struct owners_row {
	size_t off;
	size_t len;
	unsigned flags;
	const struct sl_rule *rule;
	struct sl_cover cover; /* when no lane owns it */
};

struct owners_table {
	struct sl_buf pool;
	struct owners_row *rows;
	size_t n;
	size_t alloc;
};

/* ---- options ---------------------------------------------------------- */

const struct option cli_owners_longopts[] = {
    {"format", required_argument, NULL, 'f'},
    {"stdin", no_argument, NULL, 's'},
    {NULL, 0, NULL, 0},
};

/* Returns the index of the first PATH, or -1 with *exit_code set. */
static int parse_options(int argc, char **argv, struct owners_opts *opts,
			 int *exit_code)
{
	struct cli_getopt p = {.argc = argc,
			       .argv = argv,
			       .cmd = "owners",
			       .shortopts = "z",
			       .longopts = cli_owners_longopts};
	int c;

	while ((c = cli_getopt_next(&p)) >= 0) {
		switch (c) {
		case 'f':
			if (!strcmp(p.arg, "text")) {
				opts->format = FORMAT_TEXT;
			} else if (!strcmp(p.arg, "json")) {
				opts->format = FORMAT_JSON;
			} else {
				*exit_code =
				    cli_usage_error("owners: unknown format "
						    "'%s'; use text or json",
						    p.arg);
				return -1;
			}
			break;
		case 's':
			opts->from_stdin = true;
			break;
		default:
			opts->nul = true;
			break;
		}
	}
	if (c == CLI_GETOPT_STOP) {
		*exit_code = p.exit_code;
		return -1;
	}
	if (opts->nul && !opts->from_stdin) {
		*exit_code =
		    cli_usage_error("owners: -z goes with --stdin; see "
				    "'sluice owners --help'");
		return -1;
	}
	if (opts->from_stdin && optind < argc) {
		*exit_code = cli_usage_error("owners: give paths as arguments "
					     "or with --stdin, not both");
		return -1;
	}
	if (!opts->from_stdin && optind >= argc) {
		*exit_code = cli_usage_error("owners: no paths given; see "
					     "'sluice owners --help'");
		return -1;
	}
	return optind;
}

/* ---- reading paths ----------------------------------------------------- */

/* Repository-relative as git prints paths: no leading '/', no empty, "."
 * or ".." component, no NUL. */
static bool is_repo_relative(const char *s, size_t len)
{
	size_t start = 0, end;

	if (!len || memchr(s, '\0', len))
		return false;
	while (start <= len) {
		const char *slash = memchr(s + start, '/', len - start);

		end = slash ? (size_t)(slash - s) : len;
		if (end == start || (end - start == 1 && s[start] == '.') ||
		    (end - start == 2 && s[start] == '.' &&
		     s[start + 1] == '.'))
			return false;
		start = end + 1;
	}
	return true;
}

static int add_path(struct owners_table *t, const char *s, size_t len,
		    struct sl_error *err)
{
	struct sl_buf shown = SL_BUF_INIT;
	struct owners_row *row;
	unsigned flags = 0;
	int ret;

	if (len > 1 && s[len - 1] == '/') {
		flags = SL_MATCH_DIR;
		len--;
	}
	if (!is_repo_relative(s, len)) {
		sl_buf_add_quoted_path(&shown, s, len);
		ret =
		    sl_error_set(err, SL_EUSAGE,
				 "path '%s' is not relative to the repository "
				 "root as git prints paths (no leading '/', "
				 "no empty, '.' or '..' component)",
				 shown.buf);
		sl_buf_release(&shown);
		return ret;
	}
	SL_ALLOC_GROW(t->rows, t->n + 1, t->alloc);
	row = &t->rows[t->n++];
	row->off = t->pool.len;
	row->len = len;
	row->flags = flags;
	row->rule = NULL;
	sl_buf_add(&t->pool, s, len);
	return 0;
}

static int read_stdin(struct owners_table *t, bool nul, struct sl_error *err)
{
	struct sl_buf unquoted = SL_BUF_INIT;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;

	while ((n = getdelim(&line, &cap, nul ? '\0' : '\n', stdin)) > 0) {
		size_t len = (size_t)n;

		if (line[len - 1] == (nul ? '\0' : '\n'))
			len--;
		if (!len)
			continue;
		if (!nul && line[0] == '"') {
			sl_buf_reset(&unquoted);
			if (sl_path_unquote(&unquoted, line, len)) {
				ret = sl_error_set(
				    err, SL_EUSAGE,
				    "cannot unquote the path '%.*s' read from "
				    "stdin",
				    (int)len, line);
				goto out;
			}
			ret = add_path(t, unquoted.buf, unquoted.len, err);
		} else {
			ret = add_path(t, line, len, err);
		}
		if (ret)
			goto out;
	}
	if (ferror(stdin))
		ret = sl_error_set(err, SL_EENV, "cannot read stdin: %s",
				   strerror(errno));
out:
	free(line);
	sl_buf_release(&unquoted);
	return ret;
}

/* ---- answering and printing -------------------------------------------- */

static int resolve(struct owners_table *t, const struct sl_rules *rules,
		   struct sl_error *err)
{
	size_t i;
	int ret;

	for (i = 0; i < t->n; i++) {
		struct owners_row *row = &t->rows[i];

		ret = sl_rules_owner(&row->rule, rules, t->pool.buf + row->off,
				     row->len, row->flags, err);
		row->cover = (struct sl_cover){SL_COVER_NONE, NULL, 0};
		if (!ret && !row->rule)
			ret = sl_rules_cover(&row->cover, rules,
					     t->pool.buf + row->off, row->len,
					     row->flags, err);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct sl_lane *row_lane(const struct sl_rules *rules,
				      const struct owners_row *row)
{
	if (!row->rule || row->rule->lane >= rules->nlanes)
		return NULL;
	return &rules->lanes[row->rule->lane];
}

/* Appends n as decimal digits (printf costs more per row than the rest). */
static void add_uint(struct sl_buf *sb, unsigned n)
{
	char digits[16];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	sl_buf_add(sb, digits + i, sizeof(digits) - i);
}

/* The gate or lane whose inputs cover a path, or NULL. */
static const char *cover_name(const struct sl_rules *rules,
			      const struct sl_cover *cover)
{
	if (cover->kind == SL_COVER_GATE_INPUTS)
		return rules->gates[cover->index].name;
	if (cover->kind == SL_COVER_LANE_INPUTS)
		return rules->lanes[cover->index].name;
	return NULL;
}

/*
 * The RULE column of a path no lane owns: what a change to it selects
 * instead ("run_all_on FILE:LINE", "inputs of gate NAME FILE:LINE",
 * "inputs of lane NAME FILE:LINE"), or '-'.
 */
static void add_cover(struct sl_buf *out, const struct sl_rules *rules,
		      const struct sl_cover *cover)
{
	const char *name = cover_name(rules, cover);

	if (cover->kind == SL_COVER_NONE) {
		sl_buf_addch(out, '-');
		return;
	}
	if (cover->kind == SL_COVER_RUN_ALL) {
		sl_buf_adds(out, "run_all_on ");
	} else {
		sl_buf_adds(out, cover->kind == SL_COVER_GATE_INPUTS
				     ? "inputs of gate "
				     : "inputs of lane ");
		sl_buf_adds_safe(out, name);
		sl_buf_addch(out, ' ');
	}
	sl_buf_adds_safe(out, rules->file);
	sl_buf_addch(out, ':');
	add_uint(out, cover->rule->pos.line);
}

/* Columns on a terminal: UTF-8 continuation bytes take none. */
static size_t display_width(const char *s, size_t len)
{
	size_t i, w = 0;

	for (i = 0; i < len; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

static void add_padded(struct sl_buf *sb, const char *s, size_t len,
		       size_t width, size_t column)
{
	static const char spaces[] = "                                ";
	size_t n = column + 2 - width;

	sl_buf_add(sb, s, len);
	for (; n >= sizeof(spaces) - 1; n -= sizeof(spaces) - 1)
		sl_buf_add(sb, spaces, sizeof(spaces) - 1);
	sl_buf_add(sb, spaces, n);
}

/* What every text row of a lane shows: its name and its owners, joined. */
struct lane_text {
	struct sl_buf owners;
	size_t name_width;
	size_t owners_width;
};

static struct lane_text *lane_texts(const struct sl_rules *rules)
{
	struct lane_text *lt =
	    sl_xcalloc(rules->nlanes + 1, sizeof(*lt)); /* + unowned */
	const struct sl_lane *lane;
	size_t i, k;

	for (i = 0; i <= rules->nlanes; i++) {
		sl_buf_init(&lt[i].owners, 0);
		lane = i < rules->nlanes ? &rules->lanes[i] : NULL;
		for (k = 0; lane && k < lane->owners.n; k++) {
			if (k)
				sl_buf_addch(&lt[i].owners, ',');
			/* A rules value: never raw on a terminal. */
			sl_buf_adds_safe(&lt[i].owners, lane->owners.v[k]);
		}
		if (!lt[i].owners.len)
			sl_buf_addch(&lt[i].owners, '-');
		lt[i].name_width =
		    lane ? display_width(lane->name, strlen(lane->name))
			 : strlen("(unowned)");
		lt[i].owners_width =
		    display_width(lt[i].owners.buf, lt[i].owners.len);
	}
	return lt;
}

/*
 * One line per path, PATH LANE OWNERS RULE, the first three columns padded
 * to their widest entry. Each path is measured once, and lines go out
 * through one buffer.
 */
static void print_text(const struct sl_rules *rules,
		       const struct owners_table *t)
{
	struct lane_text *lt = lane_texts(rules);
	struct sl_buf out = SL_BUF_INIT, shown = SL_BUF_INIT;
	size_t width[3] = {0, 0, 0}, *path_width, i, l;
	const struct owners_row *row;
	const struct sl_lane *lane;

	path_width = sl_xcalloc(t->n ? t->n : 1, sizeof(*path_width));
	for (i = 0; i < t->n; i++) {
		row = &t->rows[i];
		sl_buf_reset(&shown);
		sl_buf_add_quoted_path(&shown, t->pool.buf + row->off,
				       row->len);
		path_width[i] = display_width(shown.buf, shown.len) +
				!!(row->flags & SL_MATCH_DIR);
		lane = row_lane(rules, row);
		l = lane ? (size_t)(lane - rules->lanes) : rules->nlanes;
		if (path_width[i] > width[0])
			width[0] = path_width[i];
		if (lt[l].name_width > width[1])
			width[1] = lt[l].name_width;
		if (lt[l].owners_width > width[2])
			width[2] = lt[l].owners_width;
	}
	for (i = 0; i < t->n; i++) {
		row = &t->rows[i];
		lane = row_lane(rules, row);
		l = lane ? (size_t)(lane - rules->lanes) : rules->nlanes;
		sl_buf_reset(&shown);
		sl_buf_add_quoted_path(&shown, t->pool.buf + row->off,
				       row->len);
		if (row->flags & SL_MATCH_DIR)
			sl_buf_addch(&shown, '/');
		add_padded(&out, shown.buf, shown.len, path_width[i], width[0]);
		add_padded(&out, lane ? lane->name : "(unowned)",
			   lane ? strlen(lane->name) : strlen("(unowned)"),
			   lt[l].name_width, width[1]);
		add_padded(&out, lt[l].owners.buf, lt[l].owners.len,
			   lt[l].owners_width, width[2]);
		if (row->rule) {
			sl_buf_adds_safe(&out, rules->file);
			sl_buf_addch(&out, ':');
			add_uint(&out, row->rule->pos.line);
		} else {
			add_cover(&out, rules, &row->cover);
		}
		sl_buf_addch(&out, '\n');
		if (out.len >= 65536 || i + 1 == t->n) {
			fwrite(out.buf, 1, out.len, stdout);
			sl_buf_reset(&out);
		}
	}
	for (i = 0; i <= rules->nlanes; i++)
		sl_buf_release(&lt[i].owners);
	free(lt);
	free(path_width);
	sl_buf_release(&out);
	sl_buf_release(&shown);
}

/* "covered_by" of a path no lane owns: {"kind", "name", "rule"} or null. */
static json_t *json_cover(const struct sl_rules *rules,
			  const struct sl_cover *cover)
{
	static const char *const kinds[] = {
	    [SL_COVER_RUN_ALL] = "run_all_on",
	    [SL_COVER_GATE_INPUTS] = "gate_inputs",
	    [SL_COVER_LANE_INPUTS] = "lane_inputs"};
	const char *name = cover_name(rules, cover);
	struct sl_buf rule = SL_BUF_INIT;
	json_t *obj;

	if (cover->kind == SL_COVER_NONE)
		return json_null();
	obj = json_object();
	if (!obj) {
		fputs("sluice: out of memory\n", stderr);
		abort();
	}
	sl_json_set(
	    obj, "kind",
	    sl_json_text(kinds[cover->kind], strlen(kinds[cover->kind])));
	sl_json_set(obj, "name",
		    name ? sl_json_text(name, strlen(name)) : json_null());
	sl_buf_addf(&rule, "%s:%u", rules->file, cover->rule->pos.line);
	sl_json_set(obj, "rule", sl_json_text(rule.buf, rule.len));
	sl_buf_release(&rule);
	return obj;
}

/* One element of "paths"; jansson's _new calls steal the reference. */
static json_t *json_row(const struct sl_rules *rules,
			const struct owners_table *t,
			const struct owners_row *row)
{
	const struct sl_lane *lane = row_lane(rules, row);
	json_t *obj = json_object(), *owners = json_array();
	struct sl_buf path = SL_BUF_INIT, rule = SL_BUF_INIT;
	size_t i;

	if (!obj || !owners) {
		fputs("sluice: out of memory\n", stderr);
		abort();
	}
	/* A directory asked about keeps its trailing '/', as in text. */
	sl_buf_add(&path, t->pool.buf + row->off, row->len);
	if (row->flags & SL_MATCH_DIR)
		sl_buf_addch(&path, '/');
	sl_json_set_path(obj, "path", path.buf, path.len);
	sl_json_set(obj, "lane",
		    lane ? sl_json_text(lane->name, strlen(lane->name))
			 : json_null());
	for (i = 0; lane && i < lane->owners.n; i++)
		sl_json_append(owners, sl_json_text(lane->owners.v[i],
						    strlen(lane->owners.v[i])));
	sl_json_set(obj, "owners", owners);
	if (row->rule) {
		sl_buf_addf(&rule, "%s:%u", rules->file, row->rule->pos.line);
		sl_json_set(obj, "rule", sl_json_text(rule.buf, rule.len));
	} else {
		sl_json_set(obj, "rule", json_null());
	}
	sl_json_set(obj, "covered_by", json_cover(rules, &row->cover));
	sl_buf_release(&path);
	sl_buf_release(&rule);
	return obj;
}

static int append_chunk(const char *data, size_t len, void *sb)
{
	sl_buf_add(sb, data, len);
	return 0;
}

/*
 * Prints what json_dumpf(root, JSON_INDENT(2)) would for {"paths": [...]},
 * one row at a time, so that a hundred thousand paths never sit in one
 * jansson tree.
 */
static int print_json(const struct sl_rules *rules,
		      const struct owners_table *t, struct sl_error *err)
{
	struct sl_buf row = SL_BUF_INIT, out = SL_BUF_INIT;
	size_t i, k;
	json_t *obj;
	int ret = 0;

	fputs(t->n ? "{\n  \"paths\": [\n" : "{\n  \"paths\": []\n}\n", stdout);
	for (i = 0; i < t->n; i++) {
		obj = json_row(rules, t, &t->rows[i]);
		sl_buf_reset(&row);
		ret =
		    json_dump_callback(obj, append_chunk, &row, JSON_INDENT(2));
		json_decref(obj);
		if (ret)
			break;
		sl_buf_reset(&out);
		sl_buf_adds(&out, "    ");
		for (k = 0; k < row.len; k++) {
			sl_buf_addch(&out, row.buf[k]);
			if (row.buf[k] == '\n')
				sl_buf_adds(&out, "    ");
		}
		sl_buf_adds(&out, i + 1 < t->n ? ",\n" : "\n  ]\n}\n");
		fwrite(out.buf, 1, out.len, stdout);
	}
	if (ret)
		ret = sl_error_set(
		    err, SL_EENV, "cannot encode the owners of a path as JSON");
	sl_buf_release(&row);
	sl_buf_release(&out);
	return ret;
}

/* ---- the command -------------------------------------------------------- */

int cmd_owners(int argc, char **argv, const struct cli_globals *g)
{
	struct owners_opts opts = {FORMAT_TEXT, false, false};
	struct owners_table t = {SL_BUF_INIT, NULL, 0, 0};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf file = SL_BUF_INIT;
	struct sl_rules *rules = NULL;
	struct sl_ws **ws = NULL;
	struct sl_buf skipped = SL_BUF_INIT;
	int first, i, code = CLI_EXIT_OK;

	if (cli_wants_help(argc, argv, owners_usage))
		return CLI_EXIT_OK;
	first = parse_options(argc, argv, &opts, &code);
	if (first < 0)
		return code;
	for (i = first; i < argc; i++)
		if (add_path(&t, argv[i], strlen(argv[i]), &err))
			goto fail;
	if (opts.from_stdin && read_stdin(&t, opts.nul, &err))
		goto fail;
	if (cli_rules_file(&file, g, &err) ||
	    sl_rules_load_file(&rules, file.buf, &err) ||
	    cli_rules_derive_head(&ws, rules, &skipped, &err) ||
	    resolve(&t, rules, &err))
		goto fail;
	if (skipped.len)
		cli_printf_safe(stderr,
				"sluice: warning: the lanes of 'workspaces' "
				"are left out (%s)\n",
				skipped.buf);
	if (opts.format == FORMAT_JSON) {
		if (print_json(rules, &t, &err))
			goto fail;
	} else {
		print_text(rules, &t);
	}
	goto out;
fail:
	code = cli_fail(&err);
out:
	sl_ws_list_free(ws, rules ? rules->nworkspaces : 0);
	sl_rules_free(rules);
	sl_buf_release(&skipped);
	sl_buf_release(&file);
	sl_buf_release(&t.pool);
	free(t.rows);
	sl_error_release(&err);
	return code;
}
