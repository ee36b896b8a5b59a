/*
 * cmd_import.c: `sluice import codeowners` (SPEC.md §3), a rules file from a
 * CODEOWNERS file. It owns the command line, reading the file, printing the
 * warnings to stderr and writing the rules (stdout, or -o FILE, replaced
 * whole or not at all). The conversion is rules/'s
 * (sl_codeowners_convert(), docs/codeowners.md).
 */
#include "common/common.h"

#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "rules/rules.h"

static const char import_usage[] =
    "usage: sluice import codeowners [--flavor github|gitlab] [-o FILE] "
    "FILE\n"
    "\n"
    "Writes a rules file whose lanes give every path the owners the "
    "CODEOWNERS\n"
    "FILE gives it: one lane per owner set, in an order that keeps \"the "
    "last\n"
    "matching line wins\", with 're:' patterns where a glob cannot say what "
    "the\n"
    "host means (GitHub's 'docs/*' does not reach into subdirectories). "
    "FILE\n"
    "'-' reads stdin.\n"
    "\n"
    "    --flavor github    read FILE with GitHub's rules\n"
    "    --flavor gitlab    read FILE with GitLab's: [Section] headers, "
    "default\n"
    "                       owners; sections are flattened in file order\n"
    "                       (default: gitlab when FILE has a [Section] "
    "header)\n"
    "    -o, --output FILE  write the rules to FILE instead of stdout\n"
    "\n"
    "Lines the host skips as invalid, and what a rules file cannot say, are\n"
    "warnings on stderr and comments in the rules. 'sluice check "
    "--codeowners\n"
    "FILE' reports paths whose owners differ later on. See "
    "docs/codeowners.md.\n";

struct import_opts {
	enum sl_codeowners_flavor flavor;
	const char *output; /* NULL: stdout */
	const char *file;
};

const struct option cli_import_longopts[] = {
    {"flavor", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};

/*
 * Parses argv (argv[0] is "import"; the options may stand anywhere around
 * "codeowners FILE"); 0, or an exit code.
 */
static int parse_options(int argc, char **argv, struct import_opts *opts)
{
	struct cli_getopt p = {.argc = argc,
			       .argv = argv,
			       .cmd = "import",
			       .shortopts = "o:",
			       .longopts = cli_import_longopts};
	int c;

	while ((c = cli_getopt_next(&p)) >= 0) {
		if (c == 'o') {
			opts->output = p.arg;
		} else if (!strcmp(p.arg, "github")) {
			opts->flavor = SL_CODEOWNERS_GITHUB;
		} else if (!strcmp(p.arg, "gitlab")) {
			opts->flavor = SL_CODEOWNERS_GITLAB;
		} else {
			return cli_usage_error("import: unknown flavor '%s'; "
					       "use github or gitlab",
					       p.arg);
		}
	}
	if (c == CLI_GETOPT_STOP)
		return p.exit_code;
	if (optind >= argc)
		return cli_usage_error("import: say what to import: 'sluice "
				       "import codeowners FILE'");
	if (strcmp(argv[optind], "codeowners"))
		return cli_usage_error("import: cannot import from '%s'; "
				       "sluice imports 'codeowners'",
				       argv[optind]);
	if (optind + 2 != argc)
		return cli_usage_error(
		    "import: %s; see 'sluice import codeowners --help'",
		    optind + 1 >= argc ? "no CODEOWNERS file given"
				       : "give one CODEOWNERS file");
	opts->file = argv[optind + 1];
	return 0;
}

static int import_codeowners(const struct import_opts *opts,
			     struct sl_error *err)
{
	struct sl_codeowners_options copts = SL_CODEOWNERS_OPTIONS_INIT;
	struct sl_codeowners_result res = SL_CODEOWNERS_RESULT_INIT;
	struct sl_buf text = SL_BUF_INIT;
	size_t i;
	int ret;

	ret = sl_buf_read_file(&text, opts->file, SL_RULES_MAX_BYTES, err);
	if (ret)
		goto out;
	copts.flavor = opts->flavor;
	copts.source = strcmp(opts->file, "-") ? opts->file : "<stdin>";
	ret = sl_codeowners_convert(&res, text.buf, text.len, &copts, err);
	if (ret)
		goto out;
	for (i = 0; i < res.warnings.n; i++)
		cli_printf_safe(stderr, "sluice: warning: %s\n",
				res.warnings.v[i]);
	if (opts->output)
		ret = sl_file_write(opts->output, &res.yaml, 0, err);
	else
		fwrite(res.yaml.buf, 1, res.yaml.len, stdout);
out:
	sl_codeowners_result_release(&res);
	sl_buf_release(&text);
	return ret;
}

int cmd_import(int argc, char **argv, const struct cli_globals *g)
{
	struct import_opts opts = {SL_CODEOWNERS_AUTO, NULL, NULL};
	struct sl_error err = SL_ERROR_INIT;
	int code;

	(void)g;
	if (cli_wants_help(argc, argv, import_usage))
		return CLI_EXIT_OK;
	code = parse_options(argc, argv, &opts);
	if (code)
		return code;
	if (import_codeowners(&opts, &err))
		code = cli_fail(&err);
	sl_error_release(&err);
	return code;
}
