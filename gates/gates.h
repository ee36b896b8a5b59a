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

/* ==== the runner (gates/run*.c; docs/running.md) ======================= */

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
	char *name;	       /* SLUICE_GATE; names the log file */
	char *kind;	       /* SLUICE_KIND: "contract", "local" or "smoke" */
	char *lane;	       /* SLUICE_LANE: "" for contract gates */
	char *shell;	       /* run by `/bin/sh -c`; NULL when argv is used */
	struct sl_strvec argv; /* run directly (PATH searched); n == 0: shell */
	char *cwd;	       /* absolute working directory */
	struct sl_env_var *env; /* the gate's `env`, in order */
	size_t nenv;
	uint64_t timeout_ms;	     /* 0: none */
	unsigned retries;	     /* extra attempts after a failed one */
	char *base;		     /* SLUICE_BASE: full commit id */
	char *head;		     /* SLUICE_HEAD: full commit id */
	char *root;		     /* SLUICE_ROOT: the repository root */
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
	SL_JOB_FAILED,	  /* non-zero exit or killed by a signal */
	SL_JOB_TIMED_OUT, /* past timeout_ms: stopped */
	SL_JOB_ERROR,	  /* could not start, or interrupted mid-run */
	SL_JOB_SKIPPED,	  /* not run to a verdict: fail-fast or interrupt */
	SL_JOB_OVERRIDDEN
};

/* "pending", "passed", "failed", "timed_out", "error", "skipped", ... */
const char *sl_job_status_name(enum sl_job_status status);

struct sl_job_result {
	enum sl_job_status status;
	int exit_code; /* of the last attempt; -1 when it did not exit */
	int signal;    /* that ended the last attempt; 0 when none */
	unsigned attempts;
	bool flaky;	      /* passed after a failed attempt */
	uint64_t started_ms;  /* since the run started: first attempt */
	uint64_t duration_ms; /* first start to last exit, retries included */
	char *log;	      /* path of the log file; NULL if never started */
	char *error; /* why, for error and skipped (and a stopped gate) */
	/* Why the log lacks output the gate wrote (a full disk, a file
	 * size limit); NULL when it is whole (docs/running.md). */
	char *log_incomplete;
};

/* What a run reports while it goes; `result` is the job's, as it stands. */
enum sl_run_event_type {
	SL_RUN_EVENT_STARTED,  /* an attempt started (attempt > 1: a retry) */
	SL_RUN_EVENT_FINISHED, /* a job has its final status */
	SL_RUN_EVENT_TICK      /* every tick_ms while gates run */
};

struct sl_run_event {
	enum sl_run_event_type type;
	size_t index;		  /* into the jobs array; SIZE_MAX for a tick */
	const struct sl_job *job; /* NULL for a tick */
	const struct sl_job_result *result; /* NULL for a tick */
	unsigned attempt;
	uint64_t elapsed_ms; /* since the run started */
	size_t running;	     /* jobs with a process right now */
	size_t finished;     /* jobs with a final status */
	size_t total;
};

struct sl_run_options {
	unsigned jobs;	   /* at most this many at once; 0: online CPUs */
	bool fail_fast;	   /* first failure: skip the rest, stop running */
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
	{                                                                      \
		.jobs = 0, .grace_ms = 5000                                    \
	}

struct sl_run_result {
	struct sl_job_result *results; /* one per job, in the jobs' order */
	size_t n;
	char *logs_dir;		   /* where the logs went */
	struct sl_strvec warnings; /* e.g. the history could not be used */
	int signal;		   /* that interrupted the run; 0 when none */
	uint64_t duration_ms;
};

#define SL_RUN_RESULT_INIT                                                     \
	{                                                                      \
		.results = NULL, .warnings = SL_STRVEC_INIT                    \
	}

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
 * run: every status is `pending`). out (from SL_RUN_RESULT_INIT) is filled
 * in all three cases; caller owns it and frees it with
 * sl_run_result_release().
 */
int sl_run(struct sl_run_result *out, const struct sl_job *jobs, size_t njobs,
	   const struct sl_run_options *opts, struct sl_error *err);

/*
 * Are a and b the same run: gates of the same lane with the same command
 * (shell text or argv), cwd, env (in order), timeout and retries, neither
 * command naming SLUICE_GATE or SLUICE_KIND? Their names, kinds and
 * changed paths do not count (docs/running.md, "One run for identical
 * gates").
 */
bool sl_job_same_run(const struct sl_job *a, const struct sl_job *b);

/*
 * For each of jobs[0..n): (*out)[i] is the first job, in order, that is
 * the same run as jobs[i] (i itself when none before it is). Caller owns
 * *out (free()).
 */
void sl_jobs_same_runs(size_t **out, const struct sl_job *jobs, size_t n);

/*
 * `sluice repro`: runs job once in the foreground with sluice's own
 * stdin, stdout and stderr, in its own process group, which gets the
 * terminal when stdin is one (job control: ^Z stops the gate and sluice).
 * The changed-path files are written into dir (created 0700). No timeout,
 * no retries. *out_status is its wait status, as waitpid() gives it
 * (WIFEXITED(), WEXITSTATUS(), WTERMSIG() read it): an exit 130 and a
 * SIGINT stay apart. Returns SL_EENV when dir cannot be written or the command
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

/*
 * Overrides (SPEC.md §5, docs/overrides.md): a request to let one failed
 * gate pass at one commit, for one definition of that gate, until it
 * expires, once an approver of the gate (as the trusted base rules name
 * them) approves it. The ledger records every request and decision as an
 * event in an sqlite database: append-only, each event carrying a SHA-256 of
 * its canonical form and of the event before it. Policy lives here; its
 * inputs (approvers, overridable, allowed_signers) come from the caller, who
 * reads them from the trusted rules. Nothing here prints.
 *
 * Status codes: a policy refusal (not an approver, self-approval, not
 * overridable, bad signature, unknown, decided or expired request) is
 * SL_EREFUSED with the reason, and records nothing; bad input (an empty
 * reason, an identity with spaces, a short commit id) is SL_EUSAGE; a ledger
 * that cannot be opened, is corrupt, is not a ledger, is locked past the busy
 * timeout or fails verification is SL_EENV from every function, reads
 * included: a damaged ledger is never read as "no overrides".
 *
 * Times are Unix seconds (UTC). Every function that takes a `now` reads the
 * clock when it is 0; tests pass a fixed time instead of sleeping.
 */

#define SL_LEDGER_SCHEMA_VERSION 2
#define SL_LEDGER_BUSY_TIMEOUT_MS 10000
#define SL_OVERRIDE_EXPIRY_DEFAULT ((int64_t)7 * 24 * 60 * 60)
#define SL_OVERRIDE_EXPIRY_MAX ((int64_t)30 * 24 * 60 * 60)
/* The namespace (-n) of every ssh-keygen -Y signature over a decision. */
#define SL_OVERRIDE_SIG_NAMESPACE "sluice-override"
/* A SHA-256 in lowercase hex, with its NUL. */
#define SL_HASH_HEX_SIZE 65

/* An open ledger; opaque. */
struct sl_ledger;

struct sl_ledger_options {
	/* Create the file (and its parent directories) when it is missing. */
	bool create;
	/* How long a write (or a read) waits for another process's lock. */
	unsigned busy_timeout_ms;
};

#define SL_LEDGER_OPTIONS_INIT                                                 \
	{                                                                      \
		.create = false, .busy_timeout_ms = SL_LEDGER_BUSY_TIMEOUT_MS  \
	}

/*
 * Whether value may be a decision's reason (UTF-8 text, no control
 * character but newline and tab, not blank, not too long): SL_EUSAGE
 * saying why not. The commands check it before they open the ledger, so
 * that a refused request leaves no ledger behind.
 */
int sl_ledger_check_reason(const char *value, struct sl_error *err);

/*
 * Opens the ledger at path (opts NULL: the defaults), creating it with the
 * current schema when opts->create is set, and migrating an older schema in
 * one transaction. Refuses a symlink at path. Returns SL_ENOTFOUND when the
 * file is missing and create is not set (a run treats that as "no override
 * was ever recorded"), SL_EENV when the file is not an sqlite database, is
 * another application's, was written by a newer sluice, or cannot be opened
 * or locked. Caller owns *out; free with sl_ledger_free(). The database's
 * descriptors are close-on-exec: no gate or child inherits them.
 */
int sl_ledger_open(struct sl_ledger **out, const char *path,
		   const struct sl_ledger_options *opts, struct sl_error *err);
void sl_ledger_free(struct sl_ledger *ledger);
/* The path it was opened with. Borrowed. */
const char *sl_ledger_path(const struct sl_ledger *ledger);

enum sl_ledger_kind {
	SL_LEDGER_REQUEST = 0,
	SL_LEDGER_APPROVE,
	SL_LEDGER_DENY,
	SL_LEDGER_REVOKE,
	SL_LEDGER_APPLIED /* a run let a failed gate pass with the override */
};

/* "request", "approve", "deny", "revoke", "applied". */
const char *sl_ledger_kind_name(enum sl_ledger_kind kind);
/* The kind named name; returns -1 when there is none. */
int sl_ledger_kind_parse(enum sl_ledger_kind *out, const char *name);

/*
 * One event, as stored. Fields a kind does not use are "" (strings) or 0
 * (docs/overrides.md, "The events"). Owned by the struct sl_ledger_log that
 * holds it.
 */
struct sl_ledger_event {
	int64_t seq; /* 1, 2, 3, ...: the position in the chain */
	enum sl_ledger_kind kind;
	int64_t override_id; /* the seq of the request event */
	int64_t at;	     /* when it happened (a decision: as signed) */
	char *actor;	     /* who requested, decided, or ran */
	char *reason;
	char *gate;	    /* request, applied */
	char *commit;	    /* request, applied: the full commit id */
	char *gate_hash;    /* request: the gate definition's hash */
	int64_t expires_at; /* request */
	char *run_id;	    /* applied */
	char *signature;    /* a decision: ssh-keygen's armored signature */
	char prev_hash[SL_HASH_HEX_SIZE];
	char hash[SL_HASH_HEX_SIZE];
};

struct sl_ledger_log {
	struct sl_ledger_event *events; /* in chain order */
	size_t n;
	size_t alloc;
};

#define SL_LEDGER_LOG_INIT                                                     \
	{                                                                      \
		.events = NULL, .n = 0, .alloc = 0                             \
	}

void sl_ledger_log_release(struct sl_ledger_log *log);

/*
 * The state of an override at a given time (docs/overrides.md, "The state
 * machine"): requested -> approved | denied; approved -> revoked; requested
 * and approved become expired at expires_at.
 */
enum sl_override_state {
	SL_OVERRIDE_REQUESTED = 0,
	SL_OVERRIDE_APPROVED,
	SL_OVERRIDE_DENIED,
	SL_OVERRIDE_REVOKED,
	SL_OVERRIDE_EXPIRED
};

/* "requested", "approved", "denied", "revoked", "expired". */
const char *sl_override_state_name(enum sl_override_state state);

/* An override as its events add up at one time. Owns its strings. */
struct sl_override {
	int64_t id;
	char *gate;
	char *commit;
	char gate_hash[SL_HASH_HEX_SIZE];
	char *requested_by;
	char *reason;
	int64_t requested_at;
	int64_t expires_at;
	enum sl_override_state state;
	/* The approve or deny; NULL/0 while requested. */
	char *decided_by;
	char *decision_reason;
	int64_t decided_at;
	char *decision_signature; /* armored; "" when unsigned */
	bool decision_signed;
	/* The revoke; NULL/0 unless revoked. */
	char *revoked_by;
	char *revoke_reason;
	int64_t revoked_at;
	unsigned applied; /* how many runs applied it */
};

#define SL_OVERRIDE_INIT                                                       \
	{                                                                      \
		.id = 0                                                        \
	}

void sl_override_release(struct sl_override *ov);

struct sl_override_list {
	struct sl_override *items; /* by id */
	size_t n;
	size_t alloc;
};

#define SL_OVERRIDE_LIST_INIT                                                  \
	{                                                                      \
		.items = NULL, .n = 0, .alloc = 0                              \
	}

void sl_override_list_release(struct sl_override_list *list);

/*
 * What the trusted (base) rules say about one gate: who may approve an
 * override of it, whether it may be overridden, and, when the rules name an
 * allowed_signers file, that file's content as it is at the base.
 */
struct sl_override_policy {
	struct sl_strvec approvers; /* owned */
	bool overridable;
	/* Owned; NULL: decisions need no signature. */
	char *allowed_signers;
	/*
	 * The ssh-keygen to run, by its absolute path (sl_programs_find(),
	 * before any gate ran); NULL: it was not found, and a signature
	 * cannot be made or checked. Borrowed.
	 */
	const char *ssh_keygen;
	/*
	 * Where ssh-keygen's answers are remembered, so that a clone checks
	 * one signature against one allowed_signers content once; NULL:
	 * nowhere (always ask). Borrowed.
	 */
	struct sl_ledger *remember;
	/* The trusted definition of the gate (sl_override_gate_policy());
	 * NULL when filled otherwise. Borrowed from the rules. */
	const struct sl_gate *gate;
};

#define SL_OVERRIDE_POLICY_INIT                                                \
	{                                                                      \
		.approvers = SL_STRVEC_INIT, .overridable = true               \
	}

/*
 * Appends to out who may approve an override of gate (which belongs to
 * rules): its `approvers` when written, else its lane's owners, else (a
 * global gate) global.approvers. Possibly empty: then nobody may.
 */
void sl_override_approvers(struct sl_strvec *out, const struct sl_rules *rules,
			   const struct sl_gate *gate);

/*
 * Fills policy (initialised with SL_OVERRIDE_POLICY_INIT) for gate from the
 * trusted rules: its approvers and overridable flag. allowed_signers is the
 * content of the rules' allowed_signers file at the base (NULL when the
 * rules name none); policy takes a copy.
 */
void sl_override_policy_from_rules(struct sl_override_policy *policy,
				   const struct sl_rules *rules,
				   const struct sl_gate *gate,
				   const char *allowed_signers);
void sl_override_policy_release(struct sl_override_policy *policy);

/*
 * The gate definition hash an override is bound to: SHA-256, in lowercase
 * hex, over the canonical form of the gate's command (shell or argv), cwd
 * and env (sorted by name) (docs/overrides.md, "Canonical forms"). Editing
 * any of these voids the gate's overrides; its name, timeout, retries and
 * `when` do not.
 */
void sl_override_gate_hash(char out[SL_HASH_HEX_SIZE],
			   const struct sl_gate *gate);

/*
 * Does identity match the approver entry (`@org/team`, `@user` or an
 * email)? Exact comparison, ASCII case-insensitive. Team membership is not
 * resolved here: see sl_ledger_decide() for how a signature proves it.
 */
bool sl_override_identity_matches(const char *identity, const char *entry);

/*
 * Parses an expiry duration: a positive integer and a unit, s, m, h or d
 * ("90m", "36h", "7d"). Refuses (SL_EUSAGE) anything else, and anything
 * past SL_OVERRIDE_EXPIRY_MAX. out is in seconds.
 */
int sl_override_expiry_parse(int64_t *out, const char *text,
			     struct sl_error *err);

/* Appends t as RFC 3339 UTC with seconds: "2026-01-08T00:00:00Z". */
void sl_override_time_format(struct sl_buf *out, int64_t t);
/* Reads back exactly that form; returns -1 for anything else. */
int sl_override_time_parse(int64_t *out, const char *text);

/* ---- requests and decisions ---- */

struct sl_override_request {
	const char *gate;
	const char *commit;    /* the full id: 40 (SHA-1) or 64 (SHA-256) hex */
	const char *gate_hash; /* sl_override_gate_hash() of the gate */
	const char *requester;
	const char *reason; /* required */
	int64_t expires_in; /* seconds from now; 0: 7 days; at most 30 days */
	int64_t now;
};

/*
 * Records a request and sets *out_id to the new override's id. Refuses
 * (SL_EREFUSED) when policy says the gate is not overridable or names no
 * approver, or expires_in is past 30 days; SL_EUSAGE for malformed input.
 */
int sl_ledger_request(int64_t *out_id, struct sl_ledger *ledger,
		      const struct sl_override_request *req,
		      const struct sl_override_policy *policy,
		      struct sl_error *err);

struct sl_override_decision {
	enum sl_ledger_kind kind; /* SL_LEDGER_APPROVE, _DENY or _REVOKE */
	int64_t id;
	const char *actor;
	const char *reason; /* required */
	/*
	 * An armored `ssh-keygen -Y sign -n sluice-override` signature over
	 * sl_override_decision_text() of this decision at `now`; NULL: none.
	 */
	const char *signature;
	/*
	 * A key file to sign with (approve --sign): the decision is signed
	 * with `ssh-keygen -Y sign -f sign_key` before it is recorded, and
	 * signature is ignored. NULL: do not sign.
	 */
	const char *sign_key;
	/* Let ssh-keygen ask for the key's passphrase on this terminal. */
	bool interactive;
	int64_t now; /* the decision's time, as signed */
};

/*
 * Records a decision on override id, after checking, in one transaction
 * against the verified ledger: the override exists; the transition is
 * allowed (approve and deny a requested override, revoke an approved one;
 * none once expired); the actor may decide: an approver of the gate for an
 * approve (and never its requester), an approver or the requester for a
 * deny or revoke; approve needs policy->overridable. When
 * policy->allowed_signers is set the decision must be signed by a key that
 * file lists for the actor; an actor then also matches an approver entry
 * (a team, say) whose name the file lists for the same key. Any refusal is
 * SL_EREFUSED with the reason and records nothing. *out_seq (may be NULL)
 * receives the event's sequence number.
 */
int sl_ledger_decide(int64_t *out_seq, struct sl_ledger *ledger,
		     const struct sl_override_decision *decision,
		     const struct sl_override_policy *policy,
		     struct sl_error *err);

/*
 * The canonical text of decision on ov: what is signed and checked
 * (docs/overrides.md, "Canonical forms"). It binds the decision's kind,
 * the override's id, the request's gate, commit, gate hash, requester,
 * reason and expiry, and the decision's actor, reason and time
 * (decision->now, which must be set; signature and sign_key are unused).
 */
void sl_override_decision_text(struct sl_buf *out, const struct sl_override *ov,
			       const struct sl_override_decision *decision);

/*
 * Signs text with `ssh-keygen -Y sign -f key -n sluice-override` and
 * appends the armored signature to out. interactive lets ssh-keygen use the
 * terminal (stdin, stderr) to ask for a passphrase; otherwise its messages
 * are captured into the error. SL_EENV when ssh-keygen cannot run, fails or
 * times out. ssh_keygen is its absolute path (NULL: not found, SL_EENV).
 */
int sl_override_sign(struct sl_buf *out, const char *key, const char *text,
		     const char *ssh_keygen, bool interactive,
		     struct sl_error *err);

/*
 * Checks signature over text with `ssh-keygen -Y verify` for identity,
 * against allowed_signers (the file's content). Returns 0 when it holds,
 * SL_EREFUSED with ssh-keygen's reason when it does not, SL_EENV when
 * ssh-keygen cannot run or times out.
 */
int sl_override_verify_signature(const char *allowed_signers,
				 const char *identity, const char *signature,
				 const char *text, const char *ssh_keygen,
				 struct sl_error *err);

/* ---- reading ---- */

/*
 * Fills out (initialised) with override id as it stands at now.
 * SL_ENOTFOUND when there is no such override.
 */
int sl_ledger_get(struct sl_override *out, struct sl_ledger *ledger, int64_t id,
		  int64_t now, struct sl_error *err);

struct sl_ledger_list_options {
	bool all;	  /* also denied, revoked and expired ones */
	const char *gate; /* only this gate's; NULL: every gate's */
	int64_t now;
};

#define SL_LEDGER_LIST_OPTIONS_INIT                                            \
	{                                                                      \
		.all = false, .gate = NULL, .now = 0                           \
	}

/*
 * Appends to out the open requests and active (approved, unexpired)
 * overrides, by id (opts->all: every override).
 */
int sl_ledger_list(struct sl_override_list *out, struct sl_ledger *ledger,
		   const struct sl_ledger_list_options *opts,
		   struct sl_error *err);

/*
 * Appends to out the full trail, every event in chain order (id > 0: only
 * that override's events).
 */
int sl_ledger_log(struct sl_ledger_log *out, struct sl_ledger *ledger,
		  int64_t id, struct sl_error *err);

/* JSON for output (docs/overrides.md): caller owns the references. */
struct json_t *sl_override_json(const struct sl_override *ov);
struct json_t *sl_ledger_event_json(const struct sl_ledger_event *ev);

/* ---- runs ---- */

struct sl_override_query {
	const char *gate;
	const char *commit; /* the run's head, full id */
	/* Also a commit whose overrides apply: the head's second parent
	 * (sl_override_trust_merged()); NULL: none. */
	const char *merged;
	const char *gate_hash; /* of the definition the run runs */
	int64_t now;	       /* when the run fixed what it applies */
	/* For sl_ledger_record_applied(): the run that applies it
	 * (required) and who ran it (may be NULL). */
	const char *run_id;
	const char *actor;
};

/*
 * Finds the override that lets gate's failure at commit pass at now: for
 * this gate, commit and gate hash, approved, not revoked, not expired, and
 * still allowed by policy (the trusted rules at the run's base): the gate is
 * overridable, its approver is still an approver and, with allowed_signers,
 * the approval is signed by a key listed for its approver. The newest such
 * approval wins. Fills out (initialised) and returns 0; returns SL_ENOTFOUND
 * with the reason the nearest candidate does not apply ("override 7 expired
 * at ...", "... for another commit") when none does; SL_EENV when the
 * ledger is damaged or fails verification, naming the first bad event, or
 * a signature could not be checked. Remembered ssh-keygen answers are used
 * only when policy->remember says where. A run asks this before its first
 * gate, for all its gates at once (sl_override_fix()).
 */
int sl_ledger_lookup(struct sl_override *out, struct sl_ledger *ledger,
		     const struct sl_override_query *query,
		     const struct sl_override_policy *policy,
		     struct sl_error *err);

/*
 * After the run's gates: records that run query->run_id applied override
 * id, which a lookup at query->now found before the first gate, to the
 * failure of query->gate at query->commit (an "applied" event dated
 * query->now, so the trail shows what each override was used for; for an
 * override of query->merged, the event is for that commit, and its reason
 * names query->commit, the merge commit the run tested). One
 * write transaction against the whole verified ledger as it is now: SL_EENV
 * when it fails verification or the step is no longer a legal one (the
 * override was revoked before query->now, say); SL_EUSAGE when id is not
 * an override of that gate and commit. Fills out (may be NULL) with the
 * override.
 */
int sl_ledger_record_applied(struct sl_override *out, struct sl_ledger *ledger,
			     int64_t id, const struct sl_override_query *query,
			     struct sl_error *err);

/* ---- who may override what; what a run applies (override_trust.c) ---- */

struct sl_results; /* below: what a run's gates did */

/*
 * What the caller read about the rules an override is judged under, and
 * the commit it is judged at, handed over as data: cli/ reads them from
 * the plan of that commit (the rules at merge-base(base, commit), as
 * `run` reads them), and gates/ decides what they allow. Borrowed.
 */
struct sl_override_trust {
	const struct sl_rules *rules;	   /* the copy the plan trusted */
	const struct sl_rules *head_rules; /* the head's, when it differs */
	const char *source;	  /* names them: "sluice.yml@b671…" */
	const char *file;	  /* the rules file's name: sluice.yml */
	const char *rules_commit; /* read there; "" from a file */
	bool rules_file;	  /* --rules FILE: trusted as given */
	const char *head;	  /* the commit, full id */
	const char *merge_base;	  /* the diff's old side; "" degraded */
	bool worktree;		  /* the working copy takes part */
	/* The allowed_signers file's content where the rules were read;
	 * NULL when the rules name none. */
	const char *allowed_signers;
	const char *ssh_keygen; /* absolute, found first; NULL: not found */
	/* The head's parents, in order (at most two kept), and how many. */
	const char *parents[2];
	size_t nparents;
};

/*
 * May any override be judged under t? 0 when t's rules are trusted for
 * its commit: read at the merge-base (or given as a file), for a commit
 * (not a working copy). Otherwise SL_EREFUSED saying why (the base has no
 * rules file, the run is degraded, --worktree).
 */
int sl_override_trust_check(const struct sl_override_trust *t,
			    struct sl_error *err);

/*
 * The commit besides t->head whose overrides apply at it, or NULL. A pull
 * request's CI tests a merge commit its host makes (GitHub's
 * refs/pull/N/merge, GitLab's merged results): two parents, the base first
 * and the pushed head second. An override is requested for what the
 * developer pushed, so at such a head, overrides recorded for its second
 * parent apply too: when the head has exactly two parents and the first is
 * the merge-base the run diffs from (so the change tested is exactly the
 * second parent's, merged onto the base). Anything else, a merge the other
 * way round included, gets overrides for the head itself only.
 */
const char *sl_override_trust_merged(const struct sl_override_trust *t);

/*
 * The policy (initialised) of gate name under t: sl_override_trust_check(),
 * then the trusted gate (out->gate), its approvers, overridable, and t's
 * allowed_signers and ssh-keygen. A gate only the head's rules define is
 * refused (SL_EREFUSED): a change cannot make its own gates overridable.
 * An unknown gate is SL_EUSAGE with a "did you mean" when refusing is NULL
 * (a request), else SL_EREFUSED. refusing ("cannot approve override 7")
 * starts every refusal's message when given.
 */
int sl_override_gate_policy(struct sl_override_policy *out,
			    const struct sl_override_trust *t, const char *name,
			    const char *refusing, struct sl_error *err);

/* One gate of a run, as it runs (its definition's hash binds overrides). */
struct sl_override_target {
	const char *name;
	const struct sl_gate *definition; /* what the run runs */
};

/*
 * What the run hands over before its first gate: the trust it runs under,
 * its ledger, its gates. Borrowed.
 */
struct sl_override_run {
	const struct sl_override_trust *trust;
	/* Opened (not yet verified: sl_override_fix() verifies it). NULL
	 * when there is none: ledger_status says why, SL_ENOTFOUND for "no
	 * override was ever recorded" (ledger_problem names the file), any
	 * other status for a ledger that cannot be used (ledger_problem). */
	struct sl_ledger *ledger;
	int ledger_status;
	const char *ledger_problem;
	/* The ledger is the working copy of one shared through git (so it
	 * lives in the clone: ssh-keygen's remembered answers are used). */
	bool shared;
	/* A shared ledger's remote could not be reached: the run fails for
	 * it only when an override could have mattered. */
	bool unreachable;
	const char *actor; /* who runs it (may be NULL), found before gates */
	const struct sl_override_target *targets;
	size_t ntargets;
	int64_t now; /* 0: the clock */
};

enum sl_override_fixed_kind {
	SL_OVERRIDE_FIXED_NONE = 0,  /* none applies; note says why */
	SL_OVERRIDE_FIXED_APPLIES,   /* override lets a failure through */
	SL_OVERRIDE_FIXED_UNCHECKED, /* could not be told (note): a failure
					is then an error, not a guess */
};

/* What one gate of the run may be let through by, fixed before it ran. */
struct sl_override_fixed {
	char *gate;
	bool overridable; /* under the trusted rules: could one matter */
	enum sl_override_fixed_kind kind;
	struct sl_override override; /* SL_OVERRIDE_FIXED_APPLIES */
	char *note;		     /* why none, or why unchecked */
};

/* The overrides a run may apply, fixed before its first gate (§5). */
struct sl_override_fix {
	int64_t at;   /* when: judged then; "applied" events dated then */
	char *head;   /* the run's head */
	char *merged; /* sl_override_trust_merged(); NULL */
	char *actor;  /* who runs it; NULL */
	struct sl_override_fixed *gates; /* one per target, in order */
	size_t n;
	size_t alloc;
	/* The ledger could not be used: no override applies, and the run
	 * fails with err after its gates (only when one could have mattered,
	 * with status_if_matters). */
	int status;
	bool status_if_matters;
	struct sl_error err;
};

#define SL_OVERRIDE_FIX_INIT                                                   \
	{                                                                      \
		.err = SL_ERROR_INIT                                           \
	}

/*
 * Before a run's first gate (SPEC.md §5): verifies the whole ledger once,
 * and for each of the run's gates fixes which override, if any, may let
 * its failure through: approved, unexpired, for this gate, commit and
 * definition, and still holding under the trusted rules (its approver an
 * approver, with allowed_signers its signature checked by ssh-keygen).
 * Only those candidates' signatures are checked: a run without an approved
 * override for its head runs no ssh-keygen at all. Whatever enters the
 * ledger after this does not count for the run. Never fails: what went
 * wrong is in out (status, or a gate's note), for the run to report after
 * its gates. out (SL_OVERRIDE_FIX_INIT) is the caller's to release.
 */
void sl_override_fix(struct sl_override_fix *out,
		     const struct sl_override_run *run);
void sl_override_fix_release(struct sl_override_fix *fix);

/*
 * After the gates: lets through each failed or timed-out gate of results
 * that fix holds an override for (it becomes `overridden`, with the
 * override), recording in ledger that this run applied it, one gate at a
 * time in the results' order; a failure nothing covers gets an
 * override_note saying why. Returns SL_EENV when fix->status says so (then
 * nothing is overridden), when an override a failed gate needed could not
 * be checked before the run (its failure stays), or when recording stops
 * at a gate (the ledger fails verification now, the disk is full): the
 * gates before it stay `overridden` (the append-only ledger recorded
 * them), that gate and every later failure keep their status with a note,
 * and err names them.
 */
int sl_override_fix_apply(struct sl_results *results, struct sl_ledger *ledger,
			  const struct sl_override_fix *fix,
			  struct sl_error *err);

/* ---- integrity ---- */

struct sl_ledger_report {
	int64_t events;		     /* events that verified */
	char head[SL_HASH_HEX_SIZE]; /* hash of the newest event */
	int64_t bad_seq;	     /* first bad event; 0: none */
	struct sl_buf problem;	     /* why; empty when intact */
};

#define SL_LEDGER_REPORT_INIT                                                  \
	{                                                                      \
		.events = 0, .problem = SL_BUF_INIT                            \
	}

void sl_ledger_report_release(struct sl_ledger_report *report);

/*
 * Verifies the whole ledger: sqlite's quick_check, then every event's hash
 * over its canonical form, the chain of previous hashes and sequence
 * numbers, the chain head witness (catches a deleted newest event), each
 * event's fields and the state machine. anchor (may be NULL) is a chain
 * anchor "SEQ:HASH" pinned from an earlier sl_ledger_anchor(): the event
 * SEQ must still have that hash. Fills out and returns 0 when intact;
 * returns SL_EENV when not, naming the first bad event and why (also in
 * out->bad_seq and out->problem) or what else is wrong.
 */
int sl_ledger_verify(struct sl_ledger_report *out, struct sl_ledger *ledger,
		     const char *anchor, struct sl_error *err);

/*
 * Appends the ledger's anchor, "SEQ:HASH" of its newest event ("0:" and 64
 * zeros when empty), after verifying it. Printed and pinned by CI, it is
 * what detects a consistent rewrite of the whole chain.
 */
int sl_ledger_anchor(struct sl_buf *out, struct sl_ledger *ledger,
		     struct sl_error *err);

/* ---- carrying decisions between ledgers: export, import ---- */

/*
 * A portable override document (docs/overrides.md, "Export and import"):
 * the request as recorded, and its decisions with their signatures.
 */
struct sl_override_doc {
	struct sl_override request;	/* state and decision fields unused */
	struct sl_ledger_log decisions; /* seq, hashes and gate fields unused */
};

#define SL_OVERRIDE_DOC_INIT                                                   \
	{                                                                      \
		.request = SL_OVERRIDE_INIT, .decisions = SL_LEDGER_LOG_INIT   \
	}

void sl_override_doc_release(struct sl_override_doc *doc);

/* Fills doc (initialised) with override id and its decisions so far. */
int sl_ledger_export(struct sl_override_doc *out, struct sl_ledger *ledger,
		     int64_t id, struct sl_error *err);

/* Appends doc as JSON ("sluice.override/1"), newline-terminated. */
void sl_override_doc_write(struct sl_buf *out,
			   const struct sl_override_doc *doc);
/* Parses what sl_override_doc_write() wrote; SL_EUSAGE when malformed. */
int sl_override_doc_parse(struct sl_override_doc *out, const char *text,
			  size_t len, struct sl_error *err);

/*
 * Adds a decision to doc without a ledger, for an owner who signs away from
 * CI: checks the transition against the decisions doc already holds and
 * its expiry, and signs with decision->sign_key when set (as
 * sl_ledger_decide() does). Policy is checked when the document is
 * imported. SL_EREFUSED when the transition is not allowed or the actor
 * would approve their own request; SL_EUSAGE when decision->id is not the
 * document's override or the document's own decisions do not replay.
 */
int sl_override_doc_decide(struct sl_override_doc *doc,
			   const struct sl_override_decision *decision,
			   const char *ssh_keygen, struct sl_error *err);

struct sl_ledger_import_result {
	unsigned recorded; /* decisions recorded now */
	unsigned already;  /* decisions the ledger already held */
};

/*
 * Records doc's decisions in ledger, in order, after checking each exactly
 * as sl_ledger_decide() does (policy: the trusted rules for doc's gate),
 * including its signature. The override must already be in this ledger
 * with the same id and identical request fields. A decision the ledger
 * already holds (same kind, actor, reason, time and signature) is skipped,
 * so importing a document twice changes nothing. All or nothing: on a
 * refusal nothing of doc is recorded.
 */
int sl_ledger_import(struct sl_ledger_import_result *out,
		     struct sl_ledger *ledger,
		     const struct sl_override_doc *doc,
		     const struct sl_override_policy *policy, int64_t now,
		     struct sl_error *err);

/* ==== sharing the ledger through git (gates/ledger_sync.c) ============= */

/*
 * With `ledger: git:REF` (SPEC.md §6, docs/overrides.md "Sharing the
 * ledger through git") the ledger lives on REF of the repository's remote:
 * each event one commit whose parent is the previous event's commit,
 * holding the event's canonical text in one file, `event`. The SHA-256
 * chain stays inside the events: verification never rests on git's ids.
 * The sqlite ledger is the clone's verified working copy: it remembers the
 * newest event it verified on the remote (a fetched REF that no longer
 * holds it was rewritten, and is refused), and holds its own events until
 * the remote takes them.
 *
 * gates/ knows nothing of git: the caller hands it a transport, the four
 * things it needs done to the repository (cli/ connects them to
 * selector/, which fetches and pushes with the git program and reads and
 * writes objects with libgit2).
 */

/* One event as a commit of REF holds it. */
struct sl_ledger_commit {
	char id[SL_HASH_HEX_SIZE]; /* the commit's id; "" until written */
	char *text;		   /* the event's canonical text */
	size_t len;
	char *message; /* the commit's message */
	int64_t at;    /* the event's time, the commit's date */
};

struct sl_ledger_commits {
	struct sl_ledger_commit *items; /* oldest first */
	size_t n;
	size_t alloc;
};

#define SL_LEDGER_COMMITS_INIT                                                 \
	{                                                                      \
		.items = NULL, .n = 0, .alloc = 0                              \
	}

/* Appends a blank commit (zeroed). Borrowed from c. */
struct sl_ledger_commit *sl_ledger_commits_push(struct sl_ledger_commits *c);
void sl_ledger_commits_release(struct sl_ledger_commits *c);

/* What the ledger asks of the repository it is shared through. */
struct sl_ledger_transport {
	const char *remote; /* the remote's name, for messages */
	const char *ref;    /* REF, the full name on the remote */
	void *data;	    /* the callbacks' own */
	/*
	 * Fetches REF from the remote; tip is set to the commit it points
	 * to, "" when the remote has no such ref. SL_EENV naming the remote
	 * when it cannot be reached.
	 */
	int (*fetch)(void *data, char tip[SL_HASH_HEX_SIZE],
		     struct sl_error *err);
	/*
	 * Appends to out the commits from tip back to stop (not included;
	 * "": to the first), oldest first, and says whether it met stop.
	 * When a commit is not one an event can be (a merge, a tree that is
	 * not the one file `event`), says why in problem and returns 0.
	 */
	int (*read)(void *data, struct sl_ledger_commits *out, bool *stopped,
		    struct sl_buf *problem, const char *tip, const char *stop,
		    struct sl_error *err);
	/*
	 * Writes commits (their text, message and date) one on another,
	 * the first on parent ("": a first commit), setting each one's id.
	 */
	int (*write)(void *data, struct sl_ledger_commits *commits,
		     const char *parent, struct sl_error *err);
	/*
	 * Pushes tip to REF, never forcing. *moved is set when REF moved on
	 * the remote since it was fetched (the push was not a fast-forward):
	 * fetch and try again. SL_EREFUSED when the remote refused it
	 * otherwise: this clone may not push there (a read-only token, a
	 * protected ref, no credentials); SL_EENV when it cannot be reached
	 * or failed.
	 */
	int (*push)(void *data, bool *moved, const char *tip,
		    struct sl_error *err);
};

/* How often a push whose ref moved is tried again before giving up. */
#define SL_LEDGER_SYNC_ATTEMPTS 40

struct sl_ledger_sync_options {
	bool push;	    /* push this copy's events the remote lacks */
	const char *anchor; /* "SEQ:HASH" the remote's chain must hold */
	unsigned attempts;  /* 0: SL_LEDGER_SYNC_ATTEMPTS */
};

#define SL_LEDGER_SYNC_OPTIONS_INIT                                            \
	{                                                                      \
		.push = false, .anchor = NULL, .attempts = 0                   \
	}

/*
 * An event of this copy that a sync moved (re-chained on top of another
 * clone's events, or found already there): for a request, its override id
 * too, since a request's id is its place.
 */
struct sl_ledger_renumber {
	int64_t from; /* its seq here when the sync began */
	int64_t to;   /* its seq now (0: dropped) */
};

struct sl_ledger_sync_result {
	int64_t events;		     /* in the remote's chain, verified */
	char head[SL_HASH_HEX_SIZE]; /* the newest one's hash */
	int64_t fetched;	     /* events new from the remote */
	int64_t pushed;		     /* events of this copy it took now */
	int64_t pending;	     /* events of this copy it still lacks */
	int64_t copy_events;	     /* in the working copy, after the fetch */
	char copy_head[SL_HASH_HEX_SIZE]; /* its newest one's hash */
	unsigned attempts;		  /* pushes tried */
	/* This copy's requests whose id changed (a subset of moved). */
	struct sl_ledger_renumber *renumbered;
	size_t nrenumbered;
	size_t alloc_renumbered;
	/* Every event of this copy whose seq changed, over all attempts. */
	struct sl_ledger_renumber *moved;
	size_t nmoved;
	size_t alloc_moved;
	/* Events of this copy that could not be shared, and why; the seq
	 * each had in this copy when the sync began (the one the command
	 * that recorded it saw, whatever attempt dropped it). */
	struct sl_strvec dropped;
	int64_t *dropped_seqs;
	size_t alloc_dropped_seqs;
	bool unreachable; /* the remote could not be fetched or pushed */
	bool refused;	  /* the remote refused the push (may not push) */
	bool fetched_ok;  /* the remote's chain was fetched and verified */
};

#define SL_LEDGER_SYNC_RESULT_INIT                                             \
	{                                                                      \
		.dropped = SL_STRVEC_INIT                                      \
	}

void sl_ledger_sync_result_release(struct sl_ledger_sync_result *r);
/*
 * The id override `id` of this copy (its id when the sync began) has now:
 * id itself when unmoved.
 */
int64_t sl_ledger_sync_renumbered(const struct sl_ledger_sync_result *r,
				  int64_t id);

/*
 * Synchronises ledger, the working copy, with REF on the remote: fetches
 * it; verifies every event it does not know yet (the SHA-256 chain, each
 * event's fields, the state machine) and that it still holds the newest
 * event this copy verified there before (else it was rewritten) and
 * opts->anchor; adds those events to the copy, putting the copy's own
 * events that the remote lacks on top of them (an event the remote holds
 * already, by its identity, is not added twice; one that is no longer a
 * legal step, or a signed decision whose override's id moved, is dropped,
 * and said why in out->dropped); then, with opts->push, pushes them
 * without forcing, and when another clone pushed first, does it all
 * again, at most opts->attempts times.
 *
 * Returns 0; SL_EENV when the remote cannot be reached (out->unreachable),
 * its REF is not a ledger, fails verification or was rewritten, the copy
 * fails verification or shares another REF, a push is refused (also
 * out->refused), or the attempts ran out. out (from SL_LEDGER_SYNC_RESULT_INIT) says what was
 * done, also on failure; caller releases it.
 */
int sl_ledger_sync(struct sl_ledger_sync_result *out, struct sl_ledger *ledger,
		   const struct sl_ledger_transport *t,
		   const struct sl_ledger_sync_options *opts,
		   struct sl_error *err);

/*
 * Is override id of ledger on the shared chain (its id final)? false for
 * a request of this copy that no remote has yet. SL_ENOTFOUND when no
 * such override.
 */
int sl_ledger_is_shared(bool *out, struct sl_ledger *ledger, int64_t id,
			struct sl_error *err);
/*
 * How many "applied" events of run run_id the shared chain holds, as this
 * copy last verified it (its events up to the newest one verified on the
 * remote): a run's record is shared when it is counted here.
 */
int sl_ledger_run_shared(size_t *out, struct sl_ledger *ledger,
			 const char *run_id, struct sl_error *err);

/* ==== results (gates/results*.c) ======================================= */

/*
 * A run's record (SPEC.md §4 "Results file"; docs/formats.md): what the
 * results files say, whether written by `run`, read back by `merge` and
 * `repro --results`, or combined from the shards of a fanned-out run.
 * Everything is owned by the struct sl_results that holds it.
 */

/* The override that let a failed gate pass. */
struct sl_result_override {
	int64_t id;
	char *requested_by;
	char *approved_by;
	char *reason;
	int64_t expires_at; /* Unix seconds */
	/* The commit it was requested for (NULL in files written before it
	 * was recorded), and whether that is the head's second parent (a
	 * pull request's head, the head being CI's merge of it). */
	char *commit;
	bool merged;
};

struct sl_gate_result {
	char *name;
	char *kind; /* "contract", "local" or "smoke" */
	char *lane; /* NULL for a contract gate */
	enum sl_job_status status;
	int exit_code; /* -1: the last attempt did not exit */
	int signal;    /* 0: none */
	uint64_t duration_ms;
	unsigned attempts;
	bool flaky;
	char *log;	      /* path of its log; NULL: never started */
	char *log_incomplete; /* why the log was cut short; NULL: whole */
	char *error; /* why it is `error` or `skipped`; NULL otherwise */
	struct sl_strvec reasons; /* why it was selected */
	bool has_override;	  /* status is SL_JOB_OVERRIDDEN */
	struct sl_result_override override;
	/* A failure no override covered, and why ("override 7 expired"). */
	char *override_note;
	/*
	 * The gate whose run this gate's result is (docs/running.md, "One
	 * run for identical gates"): the same command, cwd, env, timeout
	 * and retries ran once, under that gate's name; NULL: its own run.
	 */
	char *same_run_as;
};

struct sl_results {
	char *base;
	char *head;
	char *merge_base; /* the diff's old side; "" when degraded */
	char *rules_blob; /* the trusted rules file's blob id; "" if none */
	char *run_id;
	bool degraded;
	bool rules_changed;
	/*
	 * A shard of a fanned-out run (`run --gate`): it answers for the
	 * gates it ran, and its verdict is theirs; the selected gates it has
	 * no result for are other shards'.
	 */
	bool shard;
	/*
	 * Every gate the selection chose, run here or not: a fanned-out
	 * shard runs some, and `merge` checks that the shards cover them all.
	 */
	struct sl_strvec selected;
	struct sl_gate_result *gates;
	size_t n;
	size_t alloc;
};

#define SL_RESULTS_SCHEMA "sluice.results/1"

void sl_results_init(struct sl_results *results);
void sl_results_release(struct sl_results *results);
/* Appends a blank gate result (status pending, exit_code -1). Borrowed. */
struct sl_gate_result *sl_results_add(struct sl_results *results);

/*
 * The verdict: true when every selected gate has a result and each passed
 * or was overridden; for a shard, when each gate it ran did (the selected
 * gates it has no result for are other shards'). Nothing selected passes.
 * *why (may be NULL) is set to a borrowed or static sentence when it fails.
 */
bool sl_results_pass(const struct sl_results *results, const char **why);
/*
 * Appends to out the selected gates results has no result for: in a shard,
 * the other shards'; in a whole run or a merge, the ones that make it fail.
 */
void sl_results_not_run(struct sl_strvec *out,
			const struct sl_results *results);

/* Appends results as sluice.results/1 JSON, newline-terminated. */
void sl_results_write_json(struct sl_buf *out,
			   const struct sl_results *results);
/*
 * Reads sluice.results/1 JSON (name is what messages call it). SL_EUSAGE,
 * naming the file and the field, when it is malformed or another schema.
 * out must be fresh from sl_results_init().
 */
int sl_results_read_json(struct sl_results *out, const char *name,
			 const char *text, size_t len, struct sl_error *err);
/*
 * Combines the shards of a fanned-out run into out (fresh from
 * sl_results_init()): they must agree on base, head and rules; a gate may
 * appear in one shard only; the selection is their union. SL_EUSAGE,
 * naming the shards, when they disagree.
 */
int sl_results_merge(struct sl_results *out, const struct sl_results *shards,
		     const char *const *names, size_t n, struct sl_error *err);

/*
 * Appends results as JUnit XML: a testcase per gate, failure text from its
 * log's tail. Valid XML whatever bytes a log, a path or a reason holds.
 */
void sl_results_write_junit(struct sl_buf *out,
			    const struct sl_results *results);
/*
 * Appends results as GitHub-flavoured markdown (for $GITHUB_STEP_SUMMARY):
 * the verdict, a table of gates with the reason each was selected, and the
 * log tail of each failure.
 */
void sl_results_write_markdown(struct sl_buf *out,
			       const struct sl_results *results);

/*
 * Appends the last max_lines lines (at most max_bytes bytes) of the file at
 * path; nothing when it cannot be read.
 */
void sl_log_tail(struct sl_buf *out, const char *path, size_t max_lines,
		 size_t max_bytes);

#endif
