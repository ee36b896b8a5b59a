/*
 * run_internal.h: what the runner's files (gates/run*.c) share and nothing
 * outside gates/ may include: signal handling around the wait loop, process
 * spawning with the environment contract, the clean-up of what gates leave
 * behind, and the run history. The scheduling itself is gates/run.c's.
 */
#ifndef SL_GATES_RUN_INTERNAL_H
#define SL_GATES_RUN_INTERNAL_H

#include "common/common.h"
#include "gates/gates.h"

#include <signal.h>
#include <sys/types.h>

#define RUN_NEVER UINT64_MAX

/* ---- signals (run_signal.c) ------------------------------------------ */

/*
 * While a run or a repro goes on, SIGCHLD, SIGINT, SIGTERM and SIGHUP are
 * blocked on the calling thread and caught by handlers that write to a
 * self-pipe; sl_run_signals_wait() sleeps in ppoll() with them unblocked, so
 * no signal is lost between a check and the sleep, and one delivered to
 * another thread still wakes the loop. The process is made a child
 * subreaper for the same span.
 */
struct run_signals {
	sigset_t old_mask;
	sigset_t wait_mask;
	struct sigaction old_actions[4];
	int old_subreaper;
	bool installed;
};

int sl_run_signals_install(struct run_signals *sig, struct sl_error *err);
/* Puts back the mask, the handlers and the subreaper flag. */
void sl_run_signals_restore(struct run_signals *sig);
/* Sleeps until a signal arrives or timeout_ms passes (RUN_NEVER: none). */
void sl_run_signals_wait(struct run_signals *sig, uint64_t timeout_ms);
/* The first interrupting signal (SIGINT, SIGTERM, SIGHUP) so far, or 0. */
int sl_run_signals_interrupted(void);
/* How many interrupting signals arrived so far. */
unsigned sl_run_signals_interrupts(void);

/* ---- spawning (run_spawn.c) ------------------------------------------ */

/* One environment variable the runner sets for a gate (borrowed strings). */
struct run_var {
	const char *name;
	const char *value;
};

/* The variables of the environment contract, beside the gate's env. */
#define RUN_CONTRACT_VARS 9

/*
 * The variables job gets on top of the inherited environment, in order:
 * the gate's env, then SLUICE_GATE, SLUICE_KIND, SLUICE_LANE, SLUICE_BASE,
 * SLUICE_HEAD, SLUICE_ROOT, SLUICE_CHANGED, SLUICE_CHANGED0 and PWD (which
 * win over the gate's env). A name given twice keeps only its last value.
 * out holds job->nenv + RUN_CONTRACT_VARS entries; returns how many it got.
 */
size_t sl_run_env_vars(struct run_var *out, const struct sl_job *job,
		       const char *changed, const char *changed0);

/*
 * May a gate inherit this "NAME=VALUE" of sluice's environment? Not a
 * SLUICE_* variable: sluice's own settings (SLUICE_LEDGER, SLUICE_RULES,
 * SLUICE_ACTOR, ...) name its state and are not the gate's business; the
 * contract's SLUICE_* are set anew for each gate (SPEC.md §5).
 */
bool sl_run_env_inherits(const char *entry);

/*
 * The whole environment for job: environ without what a gate may not
 * inherit, with sl_run_env_vars() applied.
 */
void sl_run_env_build(struct sl_strvec *out, const struct sl_job *job,
		      const char *changed, const char *changed0);

/*
 * A file name made of job name: bytes other than [A-Za-z0-9._-] become
 * '_', so does a leading '.', and an empty name becomes "_gate".
 */
void sl_run_stem(struct sl_buf *out, const char *name);

/* Creates path and its missing parents, each 0700. */
int sl_run_mkdirs(const char *path, struct sl_error *err);

/*
 * Writes job's changed paths to <prefix>.changed (one per line) and
 * <prefix>.changed0 (NUL-terminated), and puts the two names in changed
 * and changed0.
 */
int sl_run_changed_write(struct sl_buf *changed, struct sl_buf *changed0,
			 const struct sl_job *job, const char *prefix,
			 struct sl_error *err);

struct run_stdio {
	int log_fd; /* >= 3: stdout and stderr, stdin /dev/null; -1: inherit */
	int tty_fd; /* >= 0: give the gate's group this terminal */
};

/*
 * Starts job's command in its own process group, in job->cwd, with envp
 * and the given stdio, signal mask and dispositions reset. On failure
 * returns SL_EENV saying why the command could not start.
 */
int sl_run_spawn(pid_t *out, const struct sl_job *job, char *const *envp,
		 const struct run_stdio *io, struct sl_error *err);

/* ---- what gates leave behind (run_reap.c) ---------------------------- */

struct run_pids {
	pid_t *v;
	size_t n;
	size_t alloc;
};

void sl_run_pids_release(struct run_pids *pids);

/* Replaces pids with the children of this process (live and zombie). */
void sl_run_children(struct run_pids *pids);

/*
 * The value of SLUICE_GATE in the environment of process pid, into out;
 * returns false when it has none or cannot be read.
 */
bool sl_run_proc_gate(struct sl_buf *out, pid_t pid);

/*
 * Processes and groups that were sent SIGTERM and get SIGKILL at their
 * deadline unless they are gone by then.
 */
struct run_lingerer {
	pid_t id;
	bool group; /* id is a process group */
	uint64_t kill_at;
};

struct run_reaper {
	struct run_lingerer *v;
	size_t n;
	size_t alloc;
	uint64_t grace_ms;
};

void sl_run_reaper_release(struct run_reaper *reaper);
/*
 * Sends SIGTERM and SIGCONT to a process (group: a process group) and
 * tracks it for SIGKILL at kill_at, unless it is already gone.
 */
void sl_run_reaper_term(struct run_reaper *reaper, pid_t id, bool group,
			uint64_t kill_at);
bool sl_run_reaper_tracks(const struct run_reaper *reaper, pid_t pid);
/* SIGKILLs what is past its deadline; forgets what is gone. */
void sl_run_reaper_tick(struct run_reaper *reaper, uint64_t now);
/* The next time sl_run_reaper_tick() has something to do, or RUN_NEVER. */
uint64_t sl_run_reaper_next(const struct run_reaper *reaper);
/* Moves every deadline to now at the latest (a second ^C). */
void sl_run_reaper_hurry(struct run_reaper *reaper, uint64_t now);
/* Reaps every exited child (only once no gate's main process runs). */
void sl_run_reap_all(void);

/*
 * Waits for the child pid to end and reaps it, retrying on EINTR. Returns
 * 0 with its wait status in out_wstatus, or the errno of the failure
 * (out_wstatus untouched): how the child ended is then unknown.
 */
int sl_run_wait_exit(int *out_wstatus, pid_t pid);

/* How long past the grace period the end-of-run sweep waits at most. */
#define RUN_SWEEP_SLACK_MS 3000

/*
 * The end of a run or repro: SIGTERM to every remaining child (and its
 * group when it leads one), SIGKILL to what is left after the grace
 * period, until the process has no child left (as a subreaper, no
 * descendant either). What is still there RUN_SWEEP_SLACK_MS after the
 * grace period (a process sluice may not signal, or one stuck in the
 * kernel) is left running, with a warning naming its pids appended to
 * warnings: sluice never hangs on it.
 */
void sl_run_reaper_sweep(struct run_reaper *reaper, struct run_signals *sig,
			 struct sl_strvec *warnings);

/* ---- the history (run_history.c) -------------------------------------- */

struct run_history;

/*
 * Opens (creating it and its directory if needed) the history at path.
 * On failure returns SL_EENV; the caller makes it a warning.
 */
int sl_run_history_open(struct run_history **out, const char *path,
			struct sl_error *err);
void sl_run_history_close(struct run_history *history);

/*
 * The expected duration of each job (the median of its last recorded
 * durations), or -1 when the history does not know the gate.
 */
int sl_run_history_estimates(int64_t *out, struct run_history *history,
			     const struct sl_job *jobs, size_t njobs,
			     struct sl_error *err);

/* Records the outcome of every job that reached a verdict, in one go. */
int sl_run_history_record(struct run_history *history,
			  const struct sl_job *jobs,
			  const struct sl_job_result *results, size_t njobs,
			  struct sl_error *err);

#endif
