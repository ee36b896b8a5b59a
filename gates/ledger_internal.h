/*
 * ledger_internal.h: what the override ledger's files share, and nothing
 * outside gates/ledger*.c and gates/override*.c includes. The files split
 * the ledger by the library each one talks to: ledger_db.c and
 * ledger_db_shared.c alone call sqlite (opened, closed and its errors told
 * by db.c, which the run history shares), ledger_digest.c alone calls
 * libcrypto, override_sign.c alone spawns ssh-keygen, override_doc.c alone
 * calls jansson for documents. ledger_format.c holds the canonical forms
 * and input checks, ledger_verify.c the chain check, override_state.c the
 * state machine, override_policy.c the decisions, override_trust.c what a
 * run applies.
 */
#ifndef SL_GATES_LEDGER_INTERNAL_H
#define SL_GATES_LEDGER_INTERNAL_H

#include "common/common.h"

#include "gates/db.h"
#include "gates/gates.h"

struct sqlite3_stmt;

struct sl_ledger {
	struct sl_db db; /* db.path: the path it was opened with */
	/* Prepared once: a sync appends thousands of events in a row. */
	struct sqlite3_stmt *append_st;
	struct sqlite3_stmt *head_st;
};

/* Limits on what a request or decision may carry. */
#define LEDGER_IDENTITY_MAX 256
#define LEDGER_REASON_MAX 4096
#define LEDGER_GATE_MAX 256
#define LEDGER_RUN_ID_MAX 1024
#define LEDGER_SIGNATURE_MAX 16384

/* The hash before the first event: 64 zeros. */
extern const char sl_ledger_zero_hash[SL_HASH_HEX_SIZE];

/* ---- ledger_digest.c ---- */

/* SHA-256 of data, in lowercase hex, NUL-terminated. */
void sl_ledger_sha256_hex(char out[SL_HASH_HEX_SIZE], const void *data,
			  size_t len);

/* ---- ledger_format.c ---- */

/* Appends "NAME LEN:VALUE\n", the one field encoding of every form. */
void sl_ledger_field(struct sl_buf *out, const char *name, const char *value,
		     size_t len);
void sl_ledger_field_str(struct sl_buf *out, const char *name,
			 const char *value);
void sl_ledger_field_int(struct sl_buf *out, const char *name, int64_t value);

/* The canonical form of ev, "sluice-ledger-event/1", and its hash. */
void sl_ledger_event_canonical(struct sl_buf *out,
			       const struct sl_ledger_event *ev);
void sl_ledger_event_hash(char out[SL_HASH_HEX_SIZE],
			  const struct sl_ledger_event *ev);

/* Is s exactly len lowercase hex digits? */
bool sl_ledger_is_hex(const char *s, size_t len);
/*
 * Input checks: 0, or SL_EUSAGE naming what (e.g. "the approver") is wrong
 * with the value.
 */
int sl_ledger_check_identity(const char *value, const char *what,
			     struct sl_error *err);
int sl_ledger_check_gate(const char *value, struct sl_error *err);
int sl_ledger_check_commit(const char *value, struct sl_error *err);
int sl_ledger_check_gate_hash(const char *value, struct sl_error *err);

/* now, or the clock when now is 0. */
int64_t sl_ledger_now(int64_t now);

/* Event and override bookkeeping. */
void sl_ledger_event_release(struct sl_ledger_event *ev);
void sl_ledger_event_copy(struct sl_ledger_event *dst,
			  const struct sl_ledger_event *src);
struct sl_ledger_event *sl_ledger_log_push(struct sl_ledger_log *log);
void sl_ledger_override_copy(struct sl_override *dst,
			     const struct sl_override *src);

/* ---- ledger_db.c: the events in sqlite (opened through db.c) ---- */

/*
 * Transactions: a read (BEGIN DEFERRED) or a write (BEGIN IMMEDIATE,
 * waiting up to the busy timeout for other writers). end commits when ret
 * is 0 and rolls back otherwise; it returns ret, or the commit's error.
 */
int sl_ledger_begin(struct sl_ledger *ledger, bool write, struct sl_error *err);
int sl_ledger_end(struct sl_ledger *ledger, int ret, struct sl_error *err);

/*
 * Loads every event, in seq order, into out. A row whose columns have the
 * wrong type, hold a NUL or an unknown kind is loaded as far as it can be
 * and reported in report (the first such row: bad_seq and problem).
 */
int sl_ledger_load(struct sl_ledger_log *out, struct sl_ledger_report *report,
		   struct sl_ledger *ledger, struct sl_error *err);
/* The chain head witness: how many events, and the newest one's hash. */
int sl_ledger_load_head(int64_t *count, char hash[SL_HASH_HEX_SIZE],
			struct sl_ledger *ledger, struct sl_error *err);
/* sqlite's quick_check: "" in problem when it says ok. */
int sl_ledger_quick_check(struct sl_buf *problem, struct sl_ledger *ledger,
			  struct sl_error *err);
/*
 * Appends ev at the end of the chain (inside a write transaction): sets its
 * seq, prev_hash and hash (and, for a request, override_id = seq) from the
 * chain head, and inserts it.
 */
int sl_ledger_append(struct sl_ledger *ledger, struct sl_ledger_event *ev,
		     struct sl_error *err);

/* ---- ledger_db_shared.c: a shared ledger's working copy (sqlite) ---- */

/* sqlite's rc as an sl_error naming the ledger (ledger_db.c). */
int sl_ledger_db_error(struct sl_ledger *ledger, int rc, const char *what,
		       struct sl_error *err);

/* What a working copy remembers of the ledger it shares. */
struct sl_ledger_shared {
	bool known; /* false: never synced (nothing remembered) */
	char *remote;
	char *ref;
	int64_t seq;		       /* the newest event verified there */
	char hash[SL_HASH_HEX_SIZE];   /* its hash */
	char commit[SL_HASH_HEX_SIZE]; /* its commit */
};

void sl_ledger_shared_release(struct sl_ledger_shared *s);
/* Inside the caller's transaction. */
int sl_ledger_shared_load(struct sl_ledger_shared *out,
			  struct sl_ledger *ledger, struct sl_error *err);
int sl_ledger_shared_store(struct sl_ledger *ledger,
			   const struct sl_ledger_shared *s,
			   struct sl_error *err);
/*
 * Inside a write transaction: removes the events past seq (only events
 * the remote does not have yet may go) and moves the chain head back to
 * seq, whose event has hash.
 */
int sl_ledger_rewind(struct sl_ledger *ledger, int64_t seq,
		     const char hash[SL_HASH_HEX_SIZE], struct sl_error *err);
/* What ssh-keygen answered for key: *out 1 holds, 0 does not, -1 unknown. */
int sl_ledger_sigcheck_get(int *out, struct sl_ledger *ledger, const char *key,
			   struct sl_error *err);
int sl_ledger_sigcheck_put(struct sl_ledger *ledger, const char *key,
			   bool holds, struct sl_error *err);

/* ---- ledger_parse.c ---- */

/*
 * Reads an event back from its canonical text (exactly that form, byte for
 * byte) into out (its strings owned; out->hash the text's SHA-256). -1,
 * with why set ("field 'kind' is missing"), when the text is not one; out
 * is then filled as far as it could be, and must be released either way.
 */
int sl_ledger_event_parse(struct sl_ledger_event *out, struct sl_buf *why,
			  const char *text, size_t len);
/*
 * An event's identity: the SHA-256 of what it says, without its place in
 * the chain (seq, prev, and a request's id, which is its place). The same
 * event recorded twice, on two tips, has one identity.
 */
void sl_ledger_event_identity(char out[SL_HASH_HEX_SIZE],
			      const struct sl_ledger_event *ev);

/* ---- ledger_verify.c ---- */

/*
 * Verifies the ledger inside the caller's transaction and loads its events
 * into log. Returns SL_EENV naming the first bad event when it fails.
 */
int sl_ledger_verified_load(struct sl_ledger_log *log,
			    struct sl_ledger_report *report,
			    struct sl_ledger *ledger, struct sl_error *err);
/*
 * Checks events[from..n) of log, each after the one before it (events
 * [0..from) checked already): sequence, hash, previous hash and fields;
 * then replays the state machine over the whole log. false, with report
 * naming the first bad event and why, when one does not hold.
 */
bool sl_ledger_check_events(struct sl_ledger_report *report,
			    const struct sl_ledger_log *log, size_t from);

/* ---- override_state.c: the state machine ---- */

/*
 * Replays events (a verified log) into overrides, by id, as they stand at
 * now. Returns 0, or -1 with the seq and reason of the first event that is
 * not a legal step in problem (verification uses this).
 */
int sl_ledger_fold(struct sl_override_list *out, int64_t *bad_seq,
		   struct sl_buf *problem, const struct sl_ledger_log *log,
		   int64_t now);
/*
 * The one way to read overrides: inside the caller's transaction, verifies
 * the whole ledger and folds its events into out (initialised) at now; log
 * (may be NULL; initialised) receives the verified events too. SL_EENV,
 * naming the first bad event, when verification fails.
 */
int sl_ledger_load_folded(struct sl_override_list *out,
			  struct sl_ledger_log *log, struct sl_ledger *ledger,
			  int64_t now, struct sl_error *err);
/*
 * Folds one more event into list (a request adds an override, anything
 * else steps one): 0, or -1 with why it is not a legal step in problem.
 */
int sl_ledger_fold_one(struct sl_override_list *list,
		       const struct sl_ledger_event *ev,
		       struct sl_buf *problem);
/* The override with id in list; NULL when none. Borrowed. */
struct sl_override *sl_ledger_find(const struct sl_override_list *list,
				   int64_t id);
/*
 * Applies one decision event to ov (a legal step at ev->at), or explains
 * in problem why it is not legal. Returns 0 or -1.
 */
int sl_ledger_step(struct sl_override *ov, const struct sl_ledger_event *ev,
		   struct sl_buf *problem);
/* ov's state at now: requested and approved turn expired at expires_at. */
enum sl_override_state sl_ledger_state_at(const struct sl_override *ov,
					  int64_t now);

/* ---- override_remember.c ---- */

/*
 * sl_override_verify_signature() under policy (its allowed_signers and
 * ssh-keygen), through policy->remember when set: an answer ssh-keygen gave
 * for the same allowed_signers content, identity, signature and text is
 * not asked again. Same returns.
 */
int sl_override_check_signature(const struct sl_override_policy *policy,
				const char *identity, const char *signature,
				const char *text, struct sl_error *err);

/* ---- override_lookup.c ---- */

/*
 * The override of list (folded at query->now) that lets query's failure
 * pass under policy, borrowed into *out; SL_ENOTFOUND saying why the
 * nearest candidate does not; SL_EENV when a signature cannot be checked.
 * Only candidates for this gate, commit and definition that are approved
 * and unexpired are checked against policy (ssh-keygen runs for them only).
 */
int sl_override_find(struct sl_override **out,
		     const struct sl_override_list *list,
		     const struct sl_override_query *query,
		     const struct sl_override_policy *policy,
		     struct sl_error *err);

/* ---- override_policy.c ---- */

/*
 * Checks that decision (now resolved) may be made on ov under policy and
 * its signature (when policy requires one) holds. Refusals: SL_EREFUSED.
 */
int sl_ledger_authorize(const struct sl_override *ov,
			const struct sl_override_decision *decision,
			const struct sl_override_policy *policy,
			struct sl_error *err);
/* Checks decision's fields (kind, id, actor, reason, signature size). */
int sl_ledger_check_decision(const struct sl_override_decision *decision,
			     struct sl_error *err);
/*
 * Is kind a step ov can take at `at`? SL_EREFUSED saying why not (already
 * decided, expired, not approved yet).
 */
int sl_ledger_check_transition(const struct sl_override *ov,
			       enum sl_ledger_kind kind, int64_t at,
			       struct sl_error *err);
/*
 * Inside a write transaction, with list folded from the verified ledger:
 * checks decision (its now resolved) on its override at decision->now and
 * at now, under policy, records it, and steps the override in list.
 */
int sl_ledger_record_decision(int64_t *out_seq, struct sl_ledger *ledger,
			      struct sl_override_list *list,
			      const struct sl_override_decision *decision,
			      const struct sl_override_policy *policy,
			      int64_t now, struct sl_error *err);

#endif
