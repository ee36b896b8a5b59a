/*
 * selectopts.c: the options every selecting command shares (select,
 * explain, run, repro), and the one way they open the repository and build
 * the plan, so that `run` selects exactly what `select` shows.
 */
#include "common/common.h"

#include <getopt.h>

#include "cli/cli.h"

const char cli_select_usage[] =
    "  --base REV             the base (default: $SLUICE_BASE, the "
    "branch's upstream,\n"
    "                         origin/HEAD, main, master)\n"
    "  --head REV             the head (default: HEAD)\n"
    "  --no-merge-base        diff base..head, not merge-base(base, "
    "head)..head\n"
    "  --find-renames         detect renames by similarity (slower; "
    "exact renames\n"
    "                         are always reported)\n"
    "  --worktree             add staged, unstaged and untracked changes\n"
    "  --if-missing-base=run-all\n"
    "                         when the base is not in the clone, run every "
    "gate\n"
    "                         (degraded) instead of failing with exit 3\n"
    "  --paths-from FILE      take the changed paths from FILE (- for "
    "stdin),\n"
    "                         one per line; -z: NUL-separated\n"
    "  --rules FILE           read the rules from FILE, not from the base "
    "commit\n";

void cli_select_init(struct sl_plan_options *opts, const struct cli_globals *g)
{
	memset(opts, 0, sizeof(*opts));
	opts->diff = (struct sl_diff_options)SL_DIFF_OPTIONS_INIT;
	opts->rules_file = g->rules_file;
}

int cli_select_option(bool *taken, struct sl_plan_options *opts, int c,
		      const char *arg)
{
	*taken = true;
	switch (c) {
	case CLI_OPT_BASE:
		opts->diff.base = arg;
		return CLI_EXIT_OK;
	case CLI_OPT_HEAD:
		opts->diff.head = arg;
		return CLI_EXIT_OK;
	case CLI_OPT_NO_MERGE_BASE:
		opts->diff.no_merge_base = true;
		return CLI_EXIT_OK;
	case CLI_OPT_FIND_RENAMES:
		opts->diff.find_renames = true;
		return CLI_EXIT_OK;
	case CLI_OPT_WORKTREE:
		opts->diff.worktree = true;
		return CLI_EXIT_OK;
	case CLI_OPT_IF_MISSING_BASE:
		if (!strcmp(arg, "run-all"))
			opts->diff.run_all_if_missing_base = true;
		else if (!strcmp(arg, "fail"))
			opts->diff.run_all_if_missing_base = false;
		else
			return cli_usage_error("--if-missing-base takes "
					       "'run-all' or 'fail', not '%s'",
					       arg);
		return CLI_EXIT_OK;
	case CLI_OPT_PATHS_FROM:
		opts->diff.paths_from = arg;
		return CLI_EXIT_OK;
	case CLI_OPT_RULES:
		opts->rules_file = arg;
		return CLI_EXIT_OK;
	case 'z':
		opts->diff.paths_nul = true;
		return CLI_EXIT_OK;
	}
	*taken = false;
	return CLI_EXIT_OK;
}

int cli_plan(struct sl_repo **repo, struct sl_plan **plan,
	     const struct sl_plan_options *opts)
{
	struct sl_error err = SL_ERROR_INIT;
	int code = CLI_EXIT_OK;

	*plan = NULL;
	if (sl_repo_open(repo, NULL, &err) ||
	    sl_plan_build(plan, *repo, opts, &err)) {
		code = cli_fail(&err);
		sl_repo_free(*repo);
		*repo = NULL;
	}
	sl_error_release(&err);
	return code;
}

#if defined(__SANITIZE_ADDRESS__)
#define CLI_FREE_AT_EXIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CLI_FREE_AT_EXIT 1
#endif
#endif
#ifndef CLI_FREE_AT_EXIT
#define CLI_FREE_AT_EXIT 0
#endif

void cli_plan_done(struct sl_repo *repo, struct sl_plan *plan)
{
	if (!CLI_FREE_AT_EXIT)
		return;
	sl_plan_free(plan);
	sl_repo_free(repo);
}

void cli_print(const struct sl_buf *out)
{
	fwrite(out->buf, 1, out->len, stdout);
}
