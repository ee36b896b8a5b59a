/*
 * options.c: the command line's grammar, shared by every command (SPEC.md
 * §3: options stand before or after the command's name). It owns the
 * global options (-C, --rules, --color, --version) and their state, finding
 * the command among options (cli_args_command()), the one getopt loop every
 * command parses with (cli_getopt_next(): the command's options and the
 * global ones, anywhere), the "unknown option; did you mean" message, and
 * whether output gets colour. What each option means is its command's.
 */
#include "common/common.h"

#include <getopt.h>
#include <unistd.h>

#include "cli/cli.h"

enum global_opt {
	GOPT_RULES = 2000,
	GOPT_COLOR,
	GOPT_VERSION,
	GOPT_HELP,
};

static const struct option global_longopts[] = {
    {"rules", required_argument, NULL, GOPT_RULES},
    {"color", optional_argument, NULL, GOPT_COLOR},
    {"version", no_argument, NULL, GOPT_VERSION},
    {"help", no_argument, NULL, GOPT_HELP},
    {NULL, 0, NULL, 0},
};
#define GLOBAL_SHORTOPTS "C:h"

const char cli_global_usage[] =
    "\nOptions every command takes (before or after its name):\n"
    "  -C DIR                 run as if started in DIR\n"
    "  --rules FILE           the rules file (default: $SLUICE_RULES, "
    "else sluice.yml)\n"
    "  --color[=WHEN]         colour: auto (default: on a terminal, unless "
    "NO_COLOR\n"
    "                         is set), always, never\n"
    "  -h, --help             this help ('sluice help COMMAND' opens its "
    "manual)\n"
    "  --version              print sluice's version\n";

static struct cli_globals globals;

struct cli_globals *cli_globals_init(void)
{
	const char *rules = getenv("SLUICE_RULES");

	memset(&globals, 0, sizeof(globals));
	globals.rules_file = rules && *rules ? rules : NULL;
	globals.color = CLI_COLOR_AUTO;
	return &globals;
}

/* ---- colour ------------------------------------------------------------ */

bool cli_color(FILE *fp)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");

	if (globals.color != CLI_COLOR_AUTO)
		return globals.color == CLI_COLOR_ALWAYS;
	/* no-color.org: set and not empty means no colour. */
	if (no_color && *no_color)
		return false;
	return isatty(fileno(fp)) && term && strcmp(term, "dumb");
}

const char *cli_paint(FILE *fp, enum cli_paint what)
{
	static const char *const codes[] = {
	    [CLI_PAINT_RESET] = "\033[m",   [CLI_PAINT_GOOD] = "\033[32m",
	    [CLI_PAINT_BAD] = "\033[1;31m", [CLI_PAINT_WARN] = "\033[33m",
	    [CLI_PAINT_DIM] = "\033[2m",    [CLI_PAINT_BOLD] = "\033[1m",
	};

	return cli_color(fp) ? codes[what] : "";
}

static int parse_color(const char *arg)
{
	if (!arg || !strcmp(arg, "always"))
		globals.color = CLI_COLOR_ALWAYS;
	else if (!strcmp(arg, "never"))
		globals.color = CLI_COLOR_NEVER;
	else if (!strcmp(arg, "auto"))
		globals.color = CLI_COLOR_AUTO;
	else
		return cli_usage_error("--color takes auto, always or never, "
				       "not '%s'",
				       arg);
	return 0;
}

/* ---- unknown options ----------------------------------------------------- */

/* Appends "--name" for each long option of opts. */
static void option_names(struct sl_strvec *out, const struct option *opts,
			 const char *shorts)
{
	struct sl_buf b = SL_BUF_INIT;
	size_t i;

	for (i = 0; opts && opts[i].name; i++) {
		sl_buf_reset(&b);
		sl_buf_addf(&b, "--%s", opts[i].name);
		sl_strvec_push(out, b.buf);
	}
	(void)shorts; /* one-letter options are never a suggestion */
	sl_buf_release(&b);
}

int cli_unknown_option(const char *cmd, const char *text,
		       const struct option *opts, const char *shorts)
{
	struct sl_strvec names = SL_STRVEC_INIT;
	struct sl_buf name = SL_BUF_INIT;
	const char *close;
	int code;

	/* "--json=x" is asked about as "--json". */
	sl_buf_add(&name, text, strcspn(text, "="));
	/* A one-letter option is one edit from every other: no guess. */
	if (name.len > 2) {
		option_names(&names, opts, shorts);
		option_names(&names, global_longopts, GLOBAL_SHORTOPTS);
	}
	close = sl_suggest(name.buf, (const char *const *)names.v, names.n);
	if (!cmd)
		code = cli_usage_error("unknown option '%s'; %s%s%s", name.buf,
				       close ? "did you mean '" : "",
				       close ? close : "see 'sluice --help'",
				       close ? "'?" : "");
	else if (close && !strcmp(close, name.buf))
		code = cli_usage_error("option '%s' takes no value; see "
				       "'sluice %s --help'",
				       name.buf, cmd);
	else if (close)
		code = cli_usage_error("unknown option '%s' for 'sluice %s'; "
				       "did you mean '%s'?",
				       name.buf, cmd, close);
	else
		code = cli_usage_error("unknown option '%s' for 'sluice %s'; "
				       "see 'sluice %s --help'",
				       name.buf, cmd, cmd);
	sl_strvec_release(&names);
	sl_buf_release(&name);
	return code;
}

/* ---- finding the command among the options ---------------------------- */

static const struct option *find_long(const struct option *const *tables,
				      size_t ntables, const char *name,
				      size_t len)
{
	const struct option *prefix = NULL;
	size_t t, i;
	bool ambiguous = false;

	for (t = 0; t < ntables; t++) {
		for (i = 0; tables[t] && tables[t][i].name; i++) {
			const struct option *o = &tables[t][i];

			if (strncmp(o->name, name, len))
				continue;
			if (!o->name[len])
				return o;
			if (prefix && (strcmp(prefix->name, o->name) ||
				       prefix->has_arg != o->has_arg))
				ambiguous = true;
			prefix = o;
		}
	}
	return ambiguous ? NULL : prefix;
}

/* How many argv elements the option at argv[i] spans, or 0 if unknown. */
static int option_span(char **argv, int argc, int i,
		       const struct option *const *tables, size_t ntables,
		       const char *shorts)
{
	const char *a = argv[i], *p;
	const struct option *o;
	size_t j, len;

	if (a[1] == '-') {
		len = strcspn(a + 2, "=");
		o = find_long(tables, ntables, a + 2, len);
		if (!o)
			return 0;
		if (o->has_arg == required_argument && !a[2 + len])
			return i + 1 < argc ? 2 : 1;
		return 1;
	}
	for (j = 1; a[j]; j++) {
		p = strchr(shorts, a[j]);
		if (!p || a[j] == ':')
			return 0;
		if (p[1] == ':')
			return a[j + 1] || i + 1 >= argc ? 1 : 2;
	}
	return 1;
}

int cli_args_command(int argc, char **argv, const struct option *const *tables,
		     size_t ntables, const char *shorts)
{
	const struct option *all[64];
	struct sl_buf allshort = SL_BUF_INIT;
	int i = 1, span;
	size_t n = 0;

	for (n = 0; n < ntables && n + 1 < SL_ARRAY_SIZE(all); n++)
		all[n] = tables[n];
	all[n++] = global_longopts;
	sl_buf_addf(&allshort, "%s%s", shorts, GLOBAL_SHORTOPTS);
	while (i < argc) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i = i + 1 < argc ? i + 1 : -1;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		span = option_span(argv, argc, i, all, n, allshort.buf);
		if (!span) {
			sl_buf_release(&allshort);
			return -2 - i;
		}
		i += span;
	}
	sl_buf_release(&allshort);
	return i < argc ? i : -1;
}

char **cli_args_reorder(int argc, char **argv, int at)
{
	char **out = sl_xcalloc((size_t)argc + 1, sizeof(*out));
	int i, n = 0;

	out[n++] = argv[at];
	for (i = 1; i < at; i++)
		if (strcmp(argv[i], "--") || i + 1 != at)
			out[n++] = argv[i];
	for (i = at + 1; i < argc; i++)
		out[n++] = argv[i];
	out[n] = NULL;
	return out;
}

/* ---- one getopt loop for every command -------------------------------- */

/* The command's options and the global ones it does not have itself. */
static void merge_tables(struct cli_getopt *p)
{
	size_t n = 0, i, j;
	bool shadowed;

	for (i = 0; p->longopts && p->longopts[i].name; i++) {
		if (n + 1 >= SL_ARRAY_SIZE(p->all))
			abort(); /* a command with 60 options: make it room */
		p->all[n++] = p->longopts[i];
	}
	for (j = 0; global_longopts[j].name; j++) {
		shadowed = false;
		for (i = 0; i < n; i++)
			shadowed |=
			    !strcmp(p->all[i].name, global_longopts[j].name);
		if (!shadowed && n + 1 < SL_ARRAY_SIZE(p->all))
			p->all[n++] = global_longopts[j];
	}
	memset(&p->all[n], 0, sizeof(p->all[n]));
	/* ':' first: a missing value is told apart from an unknown option. */
	if ((size_t)snprintf(p->shorts, sizeof(p->shorts), ":%s%s",
			     p->shortopts ? p->shortopts : "",
			     GLOBAL_SHORTOPTS) >= sizeof(p->shorts))
		abort(); /* a command with 30 short options: make it room */
}

/* The text of the option getopt just refused, for the message. */
static const char *refused_text(const struct cli_getopt *p, char *buf)
{
	const char *a =
	    optind > 0 && optind <= p->argc ? p->argv[optind - 1] : "";

	if (a[0] == '-' && a[1] == '-')
		return a;
	buf[0] = '-';
	buf[1] = (char)optopt;
	buf[2] = '\0';
	return buf;
}

static int take_global(int c)
{
	switch (c) {
	case 'C':
		if (chdir(optarg))
			return cli_usage_error("cannot change to '%s': %s",
					       optarg, strerror(errno));
		return 0;
	case GOPT_RULES:
		globals.rules_file = optarg;
		return 0;
	case GOPT_COLOR:
		return parse_color(optarg);
	case GOPT_VERSION:
	case GOPT_HELP:
	case 'h':
		/* main and cli_wants_help() answered before parsing began. */
		return 0;
	}
	return -1;
}

int cli_getopt_next(struct cli_getopt *p)
{
	char buf[3];
	int c, ret;

	if (!p->started) {
		merge_tables(p);
		p->started = true;
		optind = 0;
		opterr = 0;
	}
	for (;;) {
		p->arg = NULL;
		c = getopt_long(p->argc, p->argv, p->shorts, p->all, NULL);
		if (c == -1)
			break;
		p->arg = optarg;
		if (c == ':') {
			p->exit_code = cli_usage_error(
			    "option '%s' needs a value; see 'sluice %s --help'",
			    refused_text(p, buf), p->cmd);
			return CLI_GETOPT_STOP;
		}
		if (c == '?') {
			p->exit_code =
			    cli_unknown_option(p->cmd, refused_text(p, buf),
					       p->longopts, p->shortopts);
			return CLI_GETOPT_STOP;
		}
		ret = take_global(c);
		if (ret < 0)
			return c; /* the command's own */
		if (ret) {
			p->exit_code = ret;
			return CLI_GETOPT_STOP;
		}
	}
	return -1;
}
