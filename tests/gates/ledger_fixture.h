/*
 * ledger_fixture.h: what the override ledger's tests share: a ledger in the
 * sandbox, a policy, fixed commits and times, ed25519 keys made with
 * ssh-keygen, and raw SQL for playing an attacker who has the file. Tests of
 * gates/ledger*.c and gates/override*.c only.
 */
#ifndef SL_TEST_LEDGER_FIXTURE_H
#define SL_TEST_LEDGER_FIXTURE_H

#include "common/common.h"

#include "gates/gates.h"

/* 2026-01-01T00:00:00Z: every test's clock starts here. */
#define FX_T0 ((int64_t)1767225600)
#define FX_HOUR ((int64_t)3600)
#define FX_DAY ((int64_t)86400)

extern const char fx_commit[];	     /* 40 hex */
extern const char fx_other_commit[]; /* 40 hex */
extern const char fx_commit256[];    /* 64 hex */
extern const char fx_gate_hash[];    /* 64 hex */
extern const char fx_other_hash[];   /* 64 hex */

/* Opens (creating) path; fails the test on error. */
struct sl_ledger *fx_open(const char *path);

/*
 * A policy: overridable, approvers from a NULL-terminated list, and the
 * ssh-keygen on PATH (fx_ssh_keygen()).
 */
void fx_policy(struct sl_override_policy *policy, const char *approver, ...);

/* ssh-keygen's absolute path, found on PATH once (as sluice finds it). */
const char *fx_ssh_keygen(void);
/* The absolute path of name in the current directory; lives as long as
 * the test program. */
const char *fx_abs(const char *name);

/*
 * Requests an override of "billing-unit" at fx_commit, fx_gate_hash, by
 * requester at now, expiring in 7 days; fails the test unless it works.
 */
int64_t fx_request(struct sl_ledger *ledger,
		   const struct sl_override_policy *policy,
		   const char *requester, int64_t now);

/* A decision with the common fields; returns sl_ledger_decide()'s status,
 * leaving the message in err. */
int fx_decide(struct sl_ledger *ledger, const struct sl_override_policy *policy,
	      enum sl_ledger_kind kind, int64_t id, const char *actor,
	      int64_t now, struct sl_error *err);

/*
 * What a run does with query: looks it up under policy (before its
 * gates), then records that query->run_id applied the override found.
 * sl_ledger_lookup()'s status, else sl_ledger_record_applied()'s; out
 * (initialised) is the override found.
 */
int fx_apply(struct sl_override *out, struct sl_ledger *ledger,
	     const struct sl_override_query *query,
	     const struct sl_override_policy *policy, struct sl_error *err);

/* A query for billing-unit at fx_commit with fx_gate_hash at now. */
struct sl_override_query fx_query(int64_t now);

/* Number of events in the ledger (via sl_ledger_log). */
size_t fx_events(struct sl_ledger *ledger);

/* Makes keys/NAME (ed25519, no passphrase) in the sandbox. */
void fx_keygen(const char *name);
/* Appends "PRINCIPALS namespaces="sluice-override" <keys/NAME.pub>\n". */
void fx_allowed(struct sl_buf *out, const char *principals, const char *name);

/* Runs sql on the file at path through sqlite directly; returns the
 * sqlite result code. */
int fx_sql(const char *path, const char *sql);
/* Drops the ledger's triggers, as anyone with the file can. */
void fx_drop_triggers(const char *path);

/* Asserts that the message of err contains needle. */
#define fx_assert_msg(err, needle)                                             \
	do {                                                                   \
		if (!strstr(sl_error_message(err), (needle)))                  \
			fail_msg("message '%s' lacks '%s'",                    \
				 sl_error_message(err), (needle));             \
	} while (0)

#endif
