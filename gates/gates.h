/*
 * gates: running the selected gates and keeping their record. This header
 * owns the runner (child processes, timeouts, signals, logs, the run
 * history that schedules the longest gates first), the results files (JSON,
 * JUnit, markdown) and the override ledger (an append-only, hash-chained
 * sqlite record of who asked, who approved, why, for which commit). It
 * depends on rules/ for gate definitions and knows nothing of git or of how
 * gates were selected: callers hand it jobs and reasons as data.
 */
#ifndef SL_GATES_H
#define SL_GATES_H

#include "common/common.h"
#include "rules/rules.h"

/* ==== the runner (gates/run*.c, gates/spawn*.c, gates/history.c) ======= */

/*
 * A job: one gate as the runner runs it, self-contained (docs/running.md).
 * Every string is owned by the job and freed by sl_job_release(). Set the
 * fields directly or with the helpers below; sl_job_init() gives the
 * defaults (no command, 30 minutes, no retries, empty strings).
 */
struct sl_job_path {
  char *data; /* may hold any byte but NUL; need not be UTF-8 */
  size_t len;
};

struct sl_job {
  char *name;             /* SLUICE_GATE; names the log file */
  char *kind;             /* SLUICE_KIND: "contract", "local" or "smoke" */
  char *lane;             /* SLUICE_LANE: "" for contract gates */
  char *shell;            /* run by `/bin/sh -c`; NULL when argv is used */
  struct sl_strvec argv;  /* run directly (PATH searched); n == 0: shell */
  char *cwd;              /* absolute working directory */
  struct sl_env_var *env; /* the gate's `env`, in order */
  size_t nenv;
  uint64_t timeout_ms;         /* 0: none */
  unsigned retries;            /* extra attempts after a failed one */
  char *base;                  /* SLUICE_BASE: full commit id */
  char *head;                  /* SLUICE_HEAD: full commit id */
  char *root;                  /* SLUICE_ROOT: the repository root */
  struct sl_job_path *changed; /* SLUICE_CHANGED{,0}: this gate's */
  size_t nchanged;
  size_t alloc_changed;
};

void sl_job_init(struct sl_job *job);
void sl_job_release(struct sl_job *job);

/*
 * Fills job (which must be fresh from sl_job_init()) from a gate of rules:
 * name, kind, lane name, command, cwd (gate->cwd under root, or root),
 * env, timeout, retries, and root. Base, head and the changed paths are
 * the caller's to set (sl_job_set_commits(), sl_job_add_changed()).
 */
void sl_job_from_gate(struct sl_job *job, const struct sl_rules *rules,
                      const struct sl_gate *gate, const char *root);
/* Replaces job's base and head with copies of the two commit ids. */
void sl_job_set_commits(struct sl_job *job, const char *base, const char *head);
/* Appends a copy of the changed path (len bytes, no NUL in it). */
void sl_job_add_changed(struct sl_job *job, const char *path, size_t len);
/* Sets (or replaces) one variable of the gate's env. */
void sl_job_setenv(struct sl_job *job, const char *name, const char *value);

/*
 * What became of a job (SPEC.md §4). SL_JOB_OVERRIDDEN is never set by the
 * runner: the override layer turns a failure into it afterwards.
 */
enum sl_job_status {
  SL_JOB_PENDING = 0, /* not decided yet (only seen during a run) */
  SL_JOB_PASSED,
  SL_JOB_FAILED,    /* non-zero exit or killed by a signal */
  SL_JOB_TIMED_OUT, /* past timeout_ms: stopped */
  SL_JOB_ERROR,     /* could not start, or interrupted mid-run */
  SL_JOB_SKIPPED,   /* not run to a verdict: fail-fast or interrupt */
  SL_JOB_OVERRIDDEN
};

/* "pending", "passed", "failed", "timed_out", "error", "skipped", ... */
const char *sl_job_status_name(enum sl_job_status status);

struct sl_job_result {
  enum sl_job_status status;
  int exit_code; /* of the last attempt; -1 when it did not exit */
  int signal;    /* that ended the last attempt; 0 when none */
  unsigned attempts;
  bool flaky;           /* passed after a failed attempt */
  uint64_t started_ms;  /* since the run started: first attempt */
  uint64_t duration_ms; /* first start to last exit, retries included */
  char *log;            /* path of the log file; NULL if never started */
  char *error;          /* why, for error and skipped (and a stopped gate) */
};

/* What a run reports while it goes; `result` is the job's, as it stands. */
enum sl_run_event_type {
  SL_RUN_EVENT_STARTED,  /* an attempt started (attempt > 1: a retry) */
  SL_RUN_EVENT_FINISHED, /* a job has its final status */
  SL_RUN_EVENT_TICK      /* every tick_ms while gates run */
};

struct sl_run_event {
  enum sl_run_event_type type;
  size_t index;             /* into the jobs array; SIZE_MAX for a tick */
  const struct sl_job *job; /* NULL for a tick */
  const struct sl_job_result *result; /* NULL for a tick */
  unsigned attempt;
  uint64_t elapsed_ms; /* since the run started */
  size_t running;      /* jobs with a process right now */
  size_t finished;     /* jobs with a final status */
  size_t total;
};

struct sl_run_options {
  unsigned jobs;     /* at most this many at once; 0: online CPUs */
  bool fail_fast;    /* first failure: skip the rest, stop running */
  uint64_t grace_ms; /* SIGTERM to SIGKILL; default 5000 */
  /*
   * Where logs and changed-path files go, created 0700 with its
   * parents. NULL: a fresh directory under $TMPDIR (or /tmp).
   */
  const char *logs_dir;
  /*
   * The run history (sqlite) that orders the longest gates first.
   * NULL: none (file order). A history that cannot be used is a
   * warning, never an error.
   */
  const char *history;
  uint64_t tick_ms; /* 0: no ticks */
  /* Called on the caller's thread; must not call sl_run() again. */
  void (*on_event)(void *data, const struct sl_run_event *event);
  void *data;
};

#define SL_RUN_OPTIONS_INIT                                                    \
  { 0, false, 5000, NULL, NULL, 0, NULL, NULL }

struct sl_run_result {
  struct sl_job_result *results; /* one per job, in the jobs' order */
  size_t n;
  char *logs_dir;            /* where the logs went */
  struct sl_strvec warnings; /* e.g. the history could not be used */
  int signal;                /* that interrupted the run; 0 when none */
  uint64_t duration_ms;
};

#define SL_RUN_RESULT_INIT                                                     \
  { NULL, 0, NULL, SL_STRVEC_INIT, 0, 0 }

void sl_run_result_release(struct sl_run_result *result);

/*
 * Runs the jobs, up to opts->jobs at once, longest first when the history
 * knows them (docs/running.md). Each gate runs in its own process group
 * with stdin from /dev/null and stdout and stderr to its log file, and
 * gets no other descriptor. While it runs, the calling process is a child
 * subreaper, handles SIGINT, SIGTERM, SIGHUP and SIGCHLD, and reaps every
 * child it has: nothing else in the process may wait for children then,
 * and only one sl_run() or sl_job_repro() may run at a time. Before it
 * returns, every process the gates started is gone.
 *
 * Returns 0 when every job has its result (whatever the statuses);
 * SL_EINTR when SIGINT, SIGTERM or SIGHUP stopped the run (finished jobs
 * keep their results; running ones are `error` "interrupted", the others
 * `skipped`); SL_EENV when the logs directory cannot be made (nothing was
 * run). out (from SL_RUN_RESULT_INIT) is filled in all three cases; caller
 * owns it and frees it with sl_run_result_release().
 */
int sl_run(struct sl_run_result *out, const struct sl_job *jobs, size_t njobs,
           const struct sl_run_options *opts, struct sl_error *err);

/*
 * `sluice repro`: runs job once in the foreground with sluice's own
 * stdin, stdout and stderr, in its own process group, which gets the
 * terminal when stdin is one (job control: ^Z stops the gate and sluice).
 * The changed-path files are written into dir (created 0700). No timeout,
 * no retries. *out_status is the exit code, or 128 + the signal that
 * killed it. Returns SL_EENV when dir cannot be written or the command
 * cannot be started.
 */
int sl_job_repro(int *out_status, const struct sl_job *job, const char *dir,
                 struct sl_error *err);

/*
 * Appends to out a POSIX shell snippet that runs job as the runner would:
 * it recreates the changed-path files in a fresh `mktemp -d` directory,
 * cds to the job's cwd and runs the command under `env` with the gate's
 * env and the SLUICE_* contract, every value single-quoted. Paste it into
 * a shell, or run it with `sh -c`.
 */
void sl_job_snippet(struct sl_buf *out, const struct sl_job *job);

/* ==== the override ledger (gates/ledger*.c, gates/override*.c) ========= */

#endif
