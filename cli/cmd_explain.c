/*
 * cmd_explain.c: `sluice explain [GATE|PATH...]`, why a gate was or was
 * not selected, and which lane, owners and rule a path has (SPEC.md §3).
 */
#include "common/common.h"

#include <getopt.h>

#include "cli/cli.h"

static const char usage[] =
    "usage: sluice explain [options] [GATE|PATH...]\n\n"
    "For each gate named: whether this change selects it, with the chain "
    "from each\nchanged path that brought it in, or why not. For each path: "
    "its lane, owners\nand the rule (file:line:col) that decided it, and "
    "whether the change touches\nit. With no arguments: every gate.\n\n";

const struct option cli_explain_longopts[] = {
    CLI_SELECT_LONGOPTS,
    {NULL, 0, NULL, 0},
};

int cmd_explain(int argc, char **argv, const struct cli_globals *g)
{
	struct cli_getopt p = {.argc = argc,
			       .argv = argv,
			       .cmd = "explain",
			       .shortopts = CLI_SELECT_SHORTOPTS,
			       .longopts = cli_explain_longopts};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf out = SL_BUF_INIT;
	struct sl_plan_options opts;
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
		if (code || !taken)
			return code;
	}
	if (c == CLI_GETOPT_STOP)
		return p.exit_code;
	code = cli_plan(&repo, &plan, &opts);
	if (code)
		return code;
	if (sl_plan_explain(&out, plan, argv + optind, (size_t)(argc - optind),
			    &err)) {
		cli_print(&out);
		code = cli_fail(&err);
	} else {
		cli_print(&out);
	}
	sl_buf_release(&out);
	sl_error_release(&err);
	cli_plan_done(repo, plan);
	return code;
}
