/*
 * cli/run.h: the pieces of `sluice run` (and of `repro`, which runs one
 * gate exactly as run does), inside cli/ only: building jobs and results
 * (run_jobs.c), handing gates/ what overrides are judged under before the
 * first gate and the results after (run_overrides.c, with a shared
 * ledger's fetch and push in run_ledger.c) and showing progress
 * (run_display.c).
 */
#ifndef SL_CLI_RUN_H
#define SL_CLI_RUN_H

#include "common/common.h"

#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "gates/gates.h"

/*
 * Fills job (uninitialised) with pick's gate as `run` runs it: the
 * definition the selecting rules give, the diff's commits, and the changed
 * paths that brought it in. Caller releases job with sl_job_release().
 */
int cli_job_for_pick(struct sl_job *job, const struct sl_plan *plan,
		     const struct sl_pick *pick, struct sl_error *err);

/*
 * The jobs that run picks[0..n) (docs/running.md, "One run for identical
 * gates"): one per distinct run (sl_jobs_same_runs()), as the first of
 * its picks' gate, with the changed paths of all of them; picks[i]'s
 * result is (*out)[(*run_of)[i]]'s. Caller releases each of *njobs jobs
 * and frees *out and *run_of, also on error.
 */
int cli_jobs_for_picks(struct sl_job **out, size_t *njobs, size_t **run_of,
		       const struct sl_plan *plan,
		       const struct sl_pick *const *picks, size_t n,
		       struct sl_error *err);

/*
 * For each pick of plan's selection, the pick whose run stands for it when
 * the selected gates run (docs/running.md, "One run for identical gates"):
 * the first selected pick of an identical run, or itself (always itself
 * when not selected). A fanned-out run's matrix lists only the picks that
 * stand for themselves, and `run --gate NAME` of such a pick runs those it
 * stands for too. Caller frees.
 */
size_t *cli_same_run_leaders(const struct sl_plan *plan);

/* A run's jobs and which job each pick's result is. */
struct cli_runs {
	const struct sl_job *jobs;
	const size_t *run_of; /* per pick */
};

/*
 * The picks to run: the selected ones, or with names (--gate), exactly the
 * gates named, selected or not (SL_EUSAGE for a name no gate has). Caller
 * frees *out; the picks are borrowed from plan.
 */
int cli_picks_to_run(const struct sl_pick ***out, size_t *n,
		     const struct sl_plan *plan, const struct sl_strvec *names,
		     struct sl_error *err);

/* The run's record from the plan and what the runner reported. */
void cli_results_from_run(struct sl_results *out, const struct sl_plan *plan,
			  const struct sl_pick *const *picks, size_t n,
			  const struct cli_runs *runs,
			  const struct sl_run_result *rr, const char *run_id);

/*
 * A run id: the UTC time, the process id and 32 random bits,
 * "20261122T101500Z-4242-9f3a1c2e".
 */
void cli_run_id(struct sl_buf *out);

/* A run's ledger shared through git (cli/run_ledger.c). */
struct cli_run_ledger {
	struct cli_share share;	  /* off: the ledger is a local file */
	struct sl_ledger *ledger; /* the working copy, verified; NULL */
	int status;		  /* of the fetch: 0, or err's status */
	struct sl_error err;
	bool unreachable; /* the remote could not be fetched */
	struct sl_ledger_sync_result sync;
	struct sl_buf before; /* the copy's anchor before the gates */
};

#define CLI_RUN_LEDGER_INIT                                                    \
	{                                                                      \
		.err = SL_ERROR_INIT, .sync = SL_LEDGER_SYNC_RESULT_INIT,      \
		.before = SL_BUF_INIT                                          \
	}

/*
 * Before the first gate, when the trusted rules share the ledger through
 * git: opens the working copy and fetches and verifies REF into it, once.
 * What goes wrong is kept in rl (status, err, unreachable), never
 * returned: the gates run anyway. Nothing happens for a local ledger.
 */
void cli_run_ledger_fetch(struct cli_run_ledger *rl, struct sl_repo *repo,
			  const struct sl_plan *plan, const char *ledger_opt,
			  const struct sl_programs *programs);
/*
 * After the overrides were applied: pushes this run's "applied" events to
 * the remote, and checks that the remote holds each of them. It pushes
 * nothing when the working copy holds anything else new (a gate may have
 * written there). A push the remote refused (a read-only token) is a
 * warning: the results file names the overrides applied. Any other way
 * the records did not reach the remote (it could not be reached, other
 * clones kept pushing first, an event was dropped) is SL_EENV when the
 * run would pass (it passed thanks to them), a warning when it fails
 * anyway.
 */
int cli_run_ledger_push(struct cli_run_ledger *rl,
			const struct sl_results *results, struct sl_error *err);
void cli_run_ledger_release(struct cli_run_ledger *rl);

/* What `run` hands gates/ about overrides (cli/run_overrides.c). */
struct cli_overrides_input {
	struct sl_repo *repo;
	const struct sl_plan *plan;
	const char *ledger_opt; /* --ledger */
	bool explicit_rules;	/* --rules FILE: trusted as given */
	const struct sl_programs *programs;
	const struct sl_pick *const *picks; /* the gates the run runs */
	size_t n;
};

struct cli_run_overrides {
	struct cli_trust trust;
	struct cli_run_ledger shared; /* a ledger shared through git */
	struct sl_ledger *local;      /* a local ledger; NULL */
	struct sl_error err;	      /* why the ledger cannot be used */
	struct sl_override_fix fix;   /* what the run may apply */
};

#define CLI_RUN_OVERRIDES_INIT                                                 \
	{                                                                      \
		.shared = CLI_RUN_LEDGER_INIT, .err = SL_ERROR_INIT,           \
		.fix = SL_OVERRIDE_FIX_INIT                                    \
	}

/*
 * Before the first gate (SPEC.md §5): hands gates/ what the run's
 * overrides are judged under, its ledger (a shared one fetched and
 * verified into its working copy first) and its gates, and lets it fix
 * which overrides may apply. Whatever goes wrong is kept in ro->fix, for
 * after the gates: they run anyway. Returns 0.
 */
int cli_overrides_fix(struct cli_run_overrides *ro,
		      const struct cli_overrides_input *in);

/*
 * After the gates: lets through the failures of results that ro->fix
 * covers, recording it in the ledger, and pushes a shared ledger's
 * "applied" events. What sl_override_fix_apply() returns.
 */
int cli_overrides_apply(struct sl_results *results,
			struct cli_run_overrides *ro, struct sl_error *err);
void cli_run_overrides_release(struct cli_run_overrides *ro);

/* How `run` shows progress: live on a terminal, in blocks otherwise. */
struct cli_display {
	FILE *fp;
	bool live;   /* a terminal: one status line, redrawn */
	bool github; /* inside GitHub Actions: ::group:: and ::error:: */
	const struct sl_job *jobs;
	size_t njobs;
	uint64_t *started_ms; /* per job: when its current attempt began */
	bool line_drawn;
	size_t failures;
	uint64_t heartbeat_ms;	 /* without a terminal; 0: none */
	uint64_t last_output_ms; /* when a block or heartbeat was last shown */
};

void cli_display_init(struct cli_display *d, const struct sl_job *jobs,
		      size_t njobs);
/* Shows progress on fp instead (stderr when stdout carries results). */
void cli_display_use(struct cli_display *d, FILE *fp);
void cli_display_release(struct cli_display *d);
/* The runner's on_event callback (data: the struct cli_display). */
void cli_display_event(void *data, const struct sl_run_event *ev);
/* The verdict and what to do about each gate that did not pass. */
void cli_display_summary(struct cli_display *d,
			 const struct sl_results *results,
			 const struct sl_plan *plan, const char *results_file);

#endif
