/*
 * cmd_select.c: `sluice select`, what CI will run for a change and why
 * (SPEC.md §2, §3), in text, JSON, a GitHub matrix or a GitLab pipeline.
 */
#include "common/common.h"

#include <getopt.h>

#include "cli/cli.h"
#include "cli/run.h"

static const char usage[] =
    "usage: sluice select [options]\n\n"
    "Prints the gates a change selects: contract gates, the local gates "
    "of every\nlane it touches, and the consumer-smoke gates of every lane "
    "downstream, each\nwith the chain of reasons from a changed path; and "
    "every other gate with why\nnot.\n\n"
    "  --format FORMAT        text (default), json, github-matrix, "
    "gitlab-ci\n";

const struct option cli_select_longopts[] = {
    CLI_SELECT_LONGOPTS,
    {"format", required_argument, NULL, 'f'},
    {NULL, 0, NULL, 0},
};

int cmd_select(int argc, char **argv, const struct cli_globals *g)
{
	struct cli_getopt p = {.argc = argc,
			       .argv = argv,
			       .cmd = "select",
			       .shortopts = CLI_SELECT_SHORTOPTS "f:",
			       .longopts = cli_select_longopts};
	enum sl_select_format format = SL_FORMAT_TEXT;
	struct sl_plan_options opts;
	struct sl_buf out = SL_BUF_INIT;
	size_t *same_run = NULL;
	struct sl_plan *plan;
	struct sl_repo *repo;
	bool taken;
	int c, code;

	if (cli_wants_help(argc, argv, usage)) {
		fputs(cli_select_usage, stdout);
		return CLI_EXIT_OK;
	}
	cli_select_init(&opts, g);
	while ((c = cli_getopt_next(&p)) >= 0) {
		code = cli_select_option(&taken, &opts, c, p.arg);
		if (code)
			return code;
		if (taken)
			continue;
		if (!sl_select_format_parse(&format, p.arg))
			continue;
		return cli_usage_error("unknown format '%s'; use text, json, "
				       "github-matrix or gitlab-ci",
				       p.arg);
	}
	if (c == CLI_GETOPT_STOP)
		return p.exit_code;
	if (optind < argc)
		return cli_usage_error("select takes no arguments ('%s'); see "
				       "'sluice select --help'",
				       argv[optind]);
	code = cli_plan(&repo, &plan, &opts);
	if (code)
		return code;
	/* Which gates one run stands for: what a fanned-out run's jobs
	 * are, and what JSON says; text lists gates, not runs. */
	if (format != SL_FORMAT_TEXT)
		same_run = cli_same_run_leaders(plan);
	sl_plan_write(&out, plan, format, same_run);
	free(same_run);
	cli_print(&out);
	sl_buf_release(&out);
	cli_plan_done(repo, plan);
	return CLI_EXIT_OK;
}
