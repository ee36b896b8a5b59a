/*
 * cmd_run.c: `sluice run` (SPEC.md §3, §4): select as `select` does, run
 * the gates in parallel, apply approved overrides to failures, write the
 * results files, show the verdict. Exit 0 when every gate passed or was
 * overridden, 1 when one did not, 3 when the ledger cannot be trusted, 130
 * when interrupted (results of the finished gates are written first).
 */
#include "common/common.h"

#include <fcntl.h>
#include <getopt.h>

#include "cli/run.h"

static const char usage[] =
    "usage: sluice run [options]\n\n"
    "Selects gates as 'sluice select' does and runs them: up to -j at once, "
    "each in\nits own process group with its output in a log file; then "
    "lets through the\nfailures an owner overrode (sluice override), writes "
    "the results and exits\n0 (all passed or overridden), 1 (a gate "
    "failed), 3 (environment or ledger)\nor 130 (interrupted). With --gate "
    "(a shard of a fanned-out run), by the\ngates it ran.\n\n"
    "  -j, --jobs N           gates at once (default: the number of CPUs)\n"
    "  --gate NAME            run only this gate, selected or not "
    "(repeatable)\n"
    "  --fail-fast            after a failure, start nothing new and stop "
    "the rest\n"
    "  --json FILE            write the results (sluice.results/1; - for "
    "stdout)\n"
    "  --junit FILE           write JUnit XML (- for stdout)\n"
    "  --summary FILE         add markdown to FILE (e.g. "
    "$GITHUB_STEP_SUMMARY)\n"
    "  --logs DIR             where gate logs go (default: "
    ".sluice/logs/RUN-ID)\n"
    "  --ledger FILE          the override ledger (default: the rules' "
    "ledger:,\n"
    "                         or .sluice/ledger.db)\n"
    "  --grace DURATION       SIGTERM to SIGKILL for a gate past its "
    "timeout\n"
    "                         or on interrupt (default: 5s)\n";

enum run_opt {
	RUN_OPT_GATE = CLI_OPT_NEXT,
	RUN_OPT_FAIL_FAST,
	RUN_OPT_JSON,
	RUN_OPT_JUNIT,
	RUN_OPT_SUMMARY,
	RUN_OPT_LOGS,
	RUN_OPT_LEDGER,
	RUN_OPT_GRACE
};

struct run_opts {
	struct sl_plan_options plan;
	struct sl_run_options run;
	struct sl_strvec gates;
	const char *json;
	const char *junit;
	const char *summary;
	const char *ledger;
	bool explicit_rules;
};

static int parse_jobs(unsigned *out, const char *arg)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || n == 0 || n > 4096)
		return cli_usage_error("-j takes a number of gates from 1 to "
				       "4096, not '%s'",
				       arg);
	*out = (unsigned)n;
	return 0;
}

static int run_option(struct run_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'j':
		return parse_jobs(&o->run.jobs, arg);
	case RUN_OPT_GATE:
		sl_strvec_push(&o->gates, arg);
		return 0;
	case RUN_OPT_FAIL_FAST:
		o->run.fail_fast = true;
		return 0;
	case RUN_OPT_JSON:
		o->json = arg;
		return 0;
	case RUN_OPT_JUNIT:
		o->junit = arg;
		return 0;
	case RUN_OPT_SUMMARY:
		o->summary = arg;
		return 0;
	case RUN_OPT_LOGS:
		o->run.logs_dir = arg;
		return 0;
	case RUN_OPT_LEDGER:
		o->ledger = arg;
		return 0;
	case RUN_OPT_GRACE:
		if (sl_duration_parse(&o->run.grace_ms, arg))
			return cli_usage_error("--grace takes a duration like "
					       "5s or 500ms, not '%s'",
					       arg);
		return 0;
	}
	return 0;
}

const struct option cli_run_longopts[] = {
    CLI_SELECT_LONGOPTS,
    {"jobs", required_argument, NULL, 'j'},
    {"gate", required_argument, NULL, RUN_OPT_GATE},
    {"fail-fast", no_argument, NULL, RUN_OPT_FAIL_FAST},
    {"json", required_argument, NULL, RUN_OPT_JSON},
    {"junit", required_argument, NULL, RUN_OPT_JUNIT},
    {"summary", required_argument, NULL, RUN_OPT_SUMMARY},
    {"logs", required_argument, NULL, RUN_OPT_LOGS},
    {"ledger", required_argument, NULL, RUN_OPT_LEDGER},
    {"grace", required_argument, NULL, RUN_OPT_GRACE},
    {NULL, 0, NULL, 0},
};

static int parse(struct run_opts *o, int argc, char **argv,
		 const struct cli_globals *g)
{
	struct cli_getopt p = {.argc = argc,
			       .argv = argv,
			       .cmd = "run",
			       .shortopts = CLI_SELECT_SHORTOPTS "j:",
			       .longopts = cli_run_longopts};
	bool taken;
	int c, code;

	cli_select_init(&o->plan, g);
	while ((c = cli_getopt_next(&p)) >= 0) {
		code = cli_select_option(&taken, &o->plan, c, p.arg);
		if (!code && !taken)
			code = run_option(o, c, p.arg);
		if (code)
			return code;
	}
	if (c == CLI_GETOPT_STOP)
		return p.exit_code;
	if (optind < argc)
		return cli_usage_error("run takes no arguments ('%s'); see "
				       "'sluice run --help'",
				       argv[optind]);
	o->explicit_rules = o->plan.rules_file != NULL;
	return 0;
}

static int write_results(const struct run_opts *o,
			 const struct sl_results *results, struct sl_error *err)
{
	struct sl_buf out = SL_BUF_INIT;
	int ret = 0;

	if (o->json) {
		sl_results_write_json(&out, results);
		ret = cli_is_stdout(o->json)
			  ? cli_write_stdout(&out, err)
			  : sl_file_write(o->json, &out, 0, err);
	}
	if (!ret && o->junit) {
		sl_buf_reset(&out);
		sl_results_write_junit(&out, results);
		ret = cli_is_stdout(o->junit)
			  ? cli_write_stdout(&out, err)
			  : sl_file_write(o->junit, &out, 0, err);
	}
	/* A step summary is added to, as GitHub's $GITHUB_STEP_SUMMARY is. */
	if (!ret && o->summary) {
		sl_buf_reset(&out);
		sl_results_write_markdown(&out, results);
		ret = cli_append(o->summary, &out, err);
	}
	sl_buf_release(&out);
	return ret;
}

/* Default logs and history under .sluice/ (ignored by git). */
static int state_paths(struct run_opts *o, struct sl_buf *logs,
		       struct sl_buf *history, const char *root,
		       const char *run_id, struct sl_error *err)
{
	struct sl_buf state = SL_BUF_INIT;
	int ret = cli_state_dir(&state, root, err);

	if (!ret) {
		sl_buf_addf(history, "%s/history.db", state.buf);
		o->run.history = history->buf;
	}
	if (!ret && !o->run.logs_dir) {
		sl_buf_addf(logs, "%s/logs/%s", state.buf, run_id);
		o->run.logs_dir = logs->buf;
	}
	sl_buf_release(&state);
	return ret;
}

struct run_state {
	struct sl_plan *plan;
	struct sl_repo *repo;
	const struct sl_pick **picks;
	size_t n;
	struct sl_job *jobs; /* one per distinct run */
	size_t njobs;
	size_t *run_of; /* per pick: its job */
	struct sl_run_result rr;
	struct sl_results results;
	struct cli_display display;
	struct sl_buf run_id, logs, history;
	struct sl_programs programs; /* git, ssh-keygen: found before gates */
	struct cli_run_overrides overrides; /* fixed before the first gate */
};

static int build_jobs(struct run_state *s, struct sl_error *err)
{
	return cli_jobs_for_picks(&s->jobs, &s->njobs, &s->run_of, s->plan,
				  s->picks, s->n, err);
}

/*
 * Before the first gate (SPEC.md §5): the programs a decision trusts are
 * found, and which overrides may apply is fixed. Nothing a gate does
 * counts for this run.
 */
static int fix_overrides(struct run_state *s, const struct run_opts *o)
{
	struct cli_overrides_input in = {.repo = s->repo,
					 .plan = s->plan,
					 .ledger_opt = o->ledger,
					 .explicit_rules = o->explicit_rules,
					 .programs = &s->programs,
					 .picks = s->picks,
					 .n = s->n};

	sl_programs_find(&s->programs);
	return cli_overrides_fix(&s->overrides, &in);
}

static int execute(struct run_state *s, struct run_opts *o,
		   struct sl_error *err)
{
	struct cli_runs runs = {s->jobs, s->run_of};
	size_t i;
	int ret;

	cli_display_init(&s->display, s->jobs, s->njobs);
	/* Results on stdout (--json -): progress goes to stderr. */
	if (cli_is_stdout(o->json) || cli_is_stdout(o->junit) ||
	    cli_is_stdout(o->summary))
		cli_display_use(&s->display, stderr);
	o->run.on_event = cli_display_event;
	o->run.data = &s->display;
	o->run.tick_ms = s->display.live ? 250 : 1000;
	ret = sl_run(&s->rr, s->jobs, s->njobs, &o->run, err);
	for (i = 0; i < s->rr.warnings.n; i++)
		cli_printf_safe(stderr, "sluice: warning: %s\n",
				s->rr.warnings.v[i]);
	if (ret && ret != SL_EINTR)
		return ret;
	cli_results_from_run(&s->results, s->plan, s->picks, s->n, &runs,
			     &s->rr, s->run_id.buf);
	/* `--gate`: a shard, which answers for the gates it ran (§3). */
	s->results.shard = o->gates.n > 0;
	return ret;
}

/* Overrides, results files and the verdict, after the gates ran. */
static int finish(struct run_state *s, struct run_opts *o, int ran,
		  struct sl_error *err)
{
	struct sl_error write_err = SL_ERROR_INIT;
	int ret = ran;

	if (!ret)
		ret = cli_overrides_apply(&s->results, &s->overrides, err);
	if (write_results(o, &s->results, &write_err) && !ret) {
		*err = write_err;
		write_err = (struct sl_error)SL_ERROR_INIT;
		ret = SL_EENV;
	}
	cli_display_summary(&s->display, &s->results, s->plan,
			    cli_is_stdout(o->json) ? NULL : o->json);
	sl_error_release(&write_err);
	return ret;
}

static void release(struct run_state *s, struct run_opts *o)
{
	size_t i;

	for (i = 0; s->jobs && i < s->njobs; i++)
		sl_job_release(&s->jobs[i]);
	free(s->jobs);
	free(s->run_of);
	free(s->picks);
	sl_run_result_release(&s->rr);
	sl_results_release(&s->results);
	cli_display_release(&s->display);
	sl_plan_free(s->plan);
	sl_repo_free(s->repo);
	sl_buf_release(&s->run_id);
	sl_buf_release(&s->logs);
	sl_buf_release(&s->history);
	cli_run_overrides_release(&s->overrides);
	sl_programs_release(&s->programs);
	sl_strvec_release(&o->gates);
}

/* Runs the gates the plan selected; returns the exit code. */
static int run_plan(struct run_state *s, struct run_opts *o)
{
	struct sl_error err = SL_ERROR_INIT;
	int ret, code;

	cli_run_id(&s->run_id);
	ret = sl_repo_need_worktree(s->repo, "running gates", &err);
	if (!ret)
		ret = cli_picks_to_run(&s->picks, &s->n, s->plan, &o->gates,
				       &err);
	if (!ret)
		ret = state_paths(o, &s->logs, &s->history, s->plan->root,
				  s->run_id.buf, &err);
	if (!ret)
		ret = build_jobs(s, &err);
	/* Where results go is checked before the first gate starts: a
	 * directory or an unwritable place found after the run loses it. */
	if (!ret)
		ret = cli_check_output(o->json, false, &err);
	if (!ret)
		ret = cli_check_output(o->junit, false, &err);
	if (!ret)
		ret = cli_check_output(o->summary, true, &err);
	if (!ret)
		ret = fix_overrides(s, o);
	if (!ret)
		ret = execute(s, o, &err);
	if (!ret || ret == SL_EINTR)
		ret = finish(s, o, ret, &err);
	if (ret == SL_EINTR) {
		fputs("sluice: interrupted; the results of the gates that "
		      "finished were kept\n",
		      stderr);
		code = CLI_EXIT_INTR;
	} else if (ret) {
		code = cli_fail(&err);
	} else {
		code = sl_results_pass(&s->results, NULL) ? CLI_EXIT_OK
							  : CLI_EXIT_FAILED;
	}
	sl_error_release(&err);
	return code;
}

int cmd_run(int argc, char **argv, const struct cli_globals *g)
{
	struct run_opts o = {.run = SL_RUN_OPTIONS_INIT,
			     .gates = SL_STRVEC_INIT};
	struct run_state s = {.rr = SL_RUN_RESULT_INIT,
			      .run_id = SL_BUF_INIT,
			      .logs = SL_BUF_INIT,
			      .history = SL_BUF_INIT,
			      .programs = SL_PROGRAMS_INIT,
			      .overrides = CLI_RUN_OVERRIDES_INIT};
	int code;

	if (cli_wants_help(argc, argv, usage)) {
		fputs(cli_select_usage, stdout);
		return CLI_EXIT_OK;
	}
	sl_results_init(&s.results);
	code = parse(&o, argc, argv, g);
	if (!code)
		code = cli_plan(&s.repo, &s.plan, &o.plan);
	if (!code)
		code = run_plan(&s, &o);
	release(&s, &o);
	return code;
}
