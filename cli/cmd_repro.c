/*
 * cmd_repro.c: `sluice repro GATE` (SPEC.md §3): one gate in the
 * foreground, with the terminal, exactly as `run` runs it: the same
 * definition (the trusted rules'), cwd, environment and changed-path list,
 * for base and head given as `select` takes them or read from a results
 * file of a CI run. `--print` writes it as a shell snippet instead.
 */
#include "common/common.h"

#include <getopt.h>
#include <signal.h>
#include <sys/wait.h>

#include "cli/run.h"

static const char usage[] =
    "usage: sluice repro [options] GATE\n\n"
    "Runs GATE in the foreground exactly as 'sluice run' runs it (same "
    "command,\ncwd, environment and changed-path list), for --base/--head "
    "or for the run a\nresults file records.\n\nExit status: 0 when the gate "
    "passes; 1 when it "
    "fails (its exit code, or the\nsignal that killed it, is printed); 130 "
    "when a SIGINT (Ctrl-C) stopped it;\n2 for bad usage or rules and 3 when "
    "the environment failed, as for every\ncommand.\n\n"
    "  --results FILE         take base and head from a results file "
    "(run --json)\n"
    "  --print                print a shell snippet that does the same, "
    "and run\n"
    "                         nothing\n";

enum repro_opt { REPRO_OPT_RESULTS = CLI_OPT_NEXT, REPRO_OPT_PRINT };

struct repro_opts {
	struct sl_plan_options plan;
	const char *results;
	bool print;
	const char *gate;
	struct sl_results from; /* what --results recorded */
};

const struct option cli_repro_longopts[] = {
    CLI_SELECT_LONGOPTS,
    {"results", required_argument, NULL, REPRO_OPT_RESULTS},
    {"print", no_argument, NULL, REPRO_OPT_PRINT},
    {NULL, 0, NULL, 0},
};

static int parse(struct repro_opts *o, int argc, char **argv,
		 const struct cli_globals *g)
{
	struct cli_getopt p = {.argc = argc,
			       .argv = argv,
			       .cmd = "repro",
			       .shortopts = CLI_SELECT_SHORTOPTS,
			       .longopts = cli_repro_longopts};
	bool taken;
	int c, code;

	cli_select_init(&o->plan, g);
	while ((c = cli_getopt_next(&p)) >= 0) {
		code = cli_select_option(&taken, &o->plan, c, p.arg);
		if (code)
			return code;
		if (taken)
			continue;
		if (c == REPRO_OPT_RESULTS)
			o->results = p.arg;
		else
			o->print = true;
	}
	if (c == CLI_GETOPT_STOP)
		return p.exit_code;
	if (optind + 1 != argc)
		return cli_usage_error("repro takes one gate name; see 'sluice "
				       "repro --help'");
	o->gate = argv[optind];
	return 0;
}

/* Points the plan at the run a results file records. */
static int from_results(struct repro_opts *o, struct sl_error *err)
{
	struct sl_buf text = SL_BUF_INIT;
	int ret = sl_buf_read_file(&text, o->results, 64u << 20, err);

	if (!ret)
		ret = sl_results_read_json(&o->from, o->results, text.buf,
					   text.len, err);
	sl_buf_release(&text);
	if (ret)
		return ret;
	o->plan.diff.head = o->from.head;
	if (o->from.base && *o->from.base) {
		o->plan.diff.base = o->from.base;
		/* base..head is the recorded diff when base was its old side. */
		o->plan.diff.no_merge_base =
		    o->from.merge_base &&
		    !strcmp(o->from.merge_base, o->from.base);
	} else {
		o->plan.diff.run_all_if_missing_base = true;
	}
	return 0;
}

static int run_job(const struct sl_job *job, const struct sl_plan *plan,
		   struct sl_error *err)
{
	struct sl_buf dir = SL_BUF_INIT;
	int status = 0, ret;

	ret = cli_state_dir(&dir, plan->root, err);
	if (!ret) {
		sl_buf_addf(&dir, "/repro/%s", job->name);
		cli_printf_safe(
		    stderr,
		    "sluice: running %s (%s%s%s) as run does: head %.12s, "
		    "%zu changed path%s in $SLUICE_CHANGED\n",
		    job->name, job->kind, *job->lane ? ", lane " : "",
		    job->lane, job->head, job->nchanged,
		    job->nchanged == 1 ? "" : "s");
		ret = sl_job_repro(&status, job, dir.buf, err);
	}
	sl_buf_release(&dir);
	if (ret)
		return cli_fail(err);
	if (WIFSIGNALED(status)) {
		const char *name = sigabbrev_np(WTERMSIG(status));

		cli_printf_safe(stderr,
				"sluice: %s failed (killed by signal %d%s%s)\n",
				job->name, WTERMSIG(status),
				name ? ", SIG" : "", name ? name : "");
		/* ^C reached the gate, which had the terminal: interrupted. */
		return WTERMSIG(status) == SIGINT ? CLI_EXIT_INTR
						  : CLI_EXIT_FAILED;
	}
	if (WEXITSTATUS(status))
		cli_printf_safe(stderr, "sluice: %s failed (exit %d)\n",
				job->name, WEXITSTATUS(status));
	return WEXITSTATUS(status) ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

/*
 * The job run ran for pick: a selected gate that is the same run as an
 * earlier selected one (docs/running.md, "One run for identical gates")
 * was that gate's run, under its name and with the changed paths of
 * both, and is reproduced so. Fills job; caller releases it.
 */
static int repro_job(struct sl_job *job, const struct sl_plan *plan,
		     const struct sl_pick *pick, struct sl_error *err)
{
	const struct sl_strvec none = SL_STRVEC_INIT;
	const struct sl_pick **picks = NULL;
	struct sl_job *jobs = NULL;
	size_t n = 0, njobs = 0, *run_of = NULL, i, at = SIZE_MAX;
	int ret;

	if (!pick->selected)
		return cli_job_for_pick(job, plan, pick, err);
	ret = cli_picks_to_run(&picks, &n, plan, &none, err);
	if (!ret)
		ret = cli_jobs_for_picks(&jobs, &njobs, &run_of, plan, picks, n,
					 err);
	for (i = 0; !ret && i < n; i++)
		if (picks[i] == pick)
			at = run_of[i];
	if (!ret && at < njobs) {
		*job = jobs[at];
		sl_job_init(&jobs[at]);
		if (strcmp(job->name, pick->gate->name))
			cli_printf_safe(stderr,
					"sluice: %s is the same run as %s "
					"(identical command, cwd, env, "
					"timeout and retries): run ran it "
					"once, as %s\n",
					pick->gate->name, job->name, job->name);
	} else if (!ret) {
		ret = cli_job_for_pick(job, plan, pick, err);
	}
	for (i = 0; i < njobs; i++)
		sl_job_release(&jobs[i]);
	free(jobs);
	free(run_of);
	free(picks);
	return ret;
}

int cmd_repro(int argc, char **argv, const struct cli_globals *g)
{
	struct repro_opts o = {0};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf snippet = SL_BUF_INIT;
	struct sl_plan *plan = NULL;
	struct sl_repo *repo = NULL;
	const struct sl_pick *pick;
	struct sl_job job;
	int code;

	if (cli_wants_help(argc, argv, usage)) {
		fputs(cli_select_usage, stdout);
		return CLI_EXIT_OK;
	}
	sl_results_init(&o.from);
	code = parse(&o, argc, argv, g);
	if (!code && o.results && from_results(&o, &err))
		code = cli_fail(&err);
	if (!code)
		code = cli_plan(&repo, &plan, &o.plan);
	if (code)
		goto out;
	pick = sl_selection_find(plan->selection, o.gate);
	if (!pick) {
		code = cli_usage_error("no gate named '%s' in %s; 'sluice "
				       "select' lists them",
				       o.gate, plan->rules_source);
		goto out;
	}
	if (sl_repo_need_worktree(repo, "repro", &err) ||
	    repro_job(&job, plan, pick, &err)) {
		code = cli_fail(&err);
		goto out;
	}
	if (o.print) {
		sl_job_snippet(&snippet, &job);
		cli_print(&snippet);
	} else {
		code = run_job(&job, plan, &err);
	}
	sl_job_release(&job);
out:
	sl_buf_release(&snippet);
	sl_results_release(&o.from);
	sl_plan_free(plan);
	sl_repo_free(repo);
	sl_error_release(&err);
	return code;
}
