/*
 * test_ledger.c: the override ledger as a file: creating and opening it,
 * what it refuses to open, close-on-exec descriptors, the append-only
 * triggers, verification and anchors, every kind of tampering an attacker
 * with the file can do, corruption, and a lock held past the busy timeout.
 * Playing the attacker who re-hashes consistently needs the canonical form,
 * so this test includes gates/ledger_internal.h (the form is public in
 * docs/overrides.md anyway).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gates/gates.h"
#include "gates/ledger_internal.h"
#include "tests/gates/ledger_fixture.h"
#include "tests/support/sandbox.h"

static int setup(void **state)
{
	(void)state;
	sl_sandbox_enter();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_sandbox_leave();
	return 0;
}

/* A ledger with a request (1), its approval (2) and a second request (3). */
static struct sl_ledger *three_events(const char *path,
				      struct sl_override_policy *policy)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = fx_open(path);
	int64_t id;

	fx_policy(policy, "ana@example.com", NULL);
	id = fx_request(ledger, policy, "dev@example.com", FX_T0);
	assert_int_equal(fx_decide(ledger, policy, SL_LEDGER_APPROVE, id,
				   "ana@example.com", FX_T0 + 60, &err),
			 0);
	fx_request(ledger, policy, "dev2@example.com", FX_T0 + 120);
	sl_error_release(&err);
	return ledger;
}

/* Every read and write refuses the ledger with SL_EENV. */
static void assert_untrusted(struct sl_ledger *ledger,
			     const struct sl_override_policy *policy)
{
	struct sl_override_list list = SL_OVERRIDE_LIST_INIT;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_override_query q = fx_query(FX_T0 + 600);
	struct sl_override_request req = {0};
	struct sl_error err = SL_ERROR_INIT;
	int64_t id = 0;

	assert_int_equal(sl_ledger_lookup(&ov, ledger, &q, policy, &err),
			 SL_EENV);
	fx_assert_msg(&err, "fails verification");
	q.run_id = "run-1";
	assert_int_equal(fx_apply(&ov, ledger, &q, policy, &err), SL_EENV);
	assert_int_equal(sl_ledger_list(&list, ledger, NULL, &err), SL_EENV);
	assert_int_equal(sl_ledger_log(&log, ledger, 0, &err), SL_EENV);
	assert_int_equal(sl_ledger_get(&ov, ledger, 1, FX_T0, &err), SL_EENV);
	req.gate = "billing-unit";
	req.commit = fx_commit;
	req.gate_hash = fx_gate_hash;
	req.requester = "dev@example.com";
	req.reason = "again";
	req.now = FX_T0 + 600;
	assert_int_equal(sl_ledger_request(&id, ledger, &req, policy, &err),
			 SL_EENV);
	assert_int_equal(list.n, 0);
	assert_int_equal(log.n, 0);
	sl_error_release(&err);
}

static void verify_fails_at(struct sl_ledger *ledger, int64_t seq,
			    const char *why)
{
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	struct sl_error err = SL_ERROR_INIT;

	assert_int_equal(sl_ledger_verify(&report, ledger, NULL, &err),
			 SL_EENV);
	print_message("# %s\n", sl_error_message(&err));
	assert_int_equal(report.bad_seq, seq);
	fx_assert_msg(&err, why);
	sl_ledger_report_release(&report);
	sl_error_release(&err);
}

/* ---- opening ---------------------------------------------------------- */

static int pragma_row(void *data, int ncols, char **vals, char **names)
{
	(void)names;
	if (ncols == 1 && vals[0])
		sl_buf_addf(data, "%s\n", vals[0]);
	return 0;
}

/* journal_mode, user_version and application_id, one per line. */
static void pragmas(struct sl_buf *out, const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "PRAGMA journal_mode; PRAGMA "
				      "user_version; PRAGMA application_id",
				      pragma_row, out, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
}

static void open__creates_parents_with_wal_and_schema(void **state)
{
	struct sl_buf out = SL_BUF_INIT;
	struct sl_ledger *ledger;

	(void)state;
	ledger = fx_open("deep/er/.sluice/ledger.db");
	assert_string_equal(sl_ledger_path(ledger),
			    "deep/er/.sluice/ledger.db");
	assert_int_equal(fx_events(ledger), 0);
	sl_ledger_free(ledger);
	pragmas(&out, "deep/er/.sluice/ledger.db");
	assert_string_equal(out.buf, "wal\n2\n1397506885\n");
	sl_buf_release(&out);
	/* Opening again (now migrated) changes nothing. */
	ledger = fx_open("deep/er/.sluice/ledger.db");
	sl_ledger_free(ledger);
}

/* An empty file is a ledger cut short, never a fresh one (issue 12): it
 * is refused, with or without create, and left as it is. */
static void open__refuses_an_empty_file_as_damaged(void **state)
{
	struct sl_ledger_options create = SL_LEDGER_OPTIONS_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = NULL;
	struct sl_buf out = SL_BUF_INIT;

	(void)state;
	create.create = true;
	sl_write_text("ledger.db", "");
	assert_int_equal(sl_ledger_open(&ledger, "ledger.db", NULL, &err),
			 SL_EENV);
	assert_non_null(strstr(sl_error_message(&err), "is empty (0 bytes)"));
	assert_int_equal(sl_ledger_open(&ledger, "ledger.db", &create, &err),
			 SL_EENV);
	assert_null(ledger);
	sl_read_file(&out, "ledger.db");
	assert_int_equal(out.len, 0);
	sl_buf_release(&out);
	sl_error_release(&err);
}

static void open__missing_without_create_is_not_found(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = NULL;

	(void)state;
	assert_int_equal(sl_ledger_open(&ledger, "nope.db", NULL, &err),
			 SL_ENOTFOUND);
	assert_null(ledger);
	fx_assert_msg(&err, "no ledger at 'nope.db'");
	assert_int_equal(access("nope.db", F_OK), -1);
	sl_error_release(&err);
}

static void open__refuses_a_symlink(void **state)
{
	struct sl_ledger_options opts = SL_LEDGER_OPTIONS_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = NULL;

	(void)state;
	sl_ledger_free(fx_open("real.db"));
	assert_int_equal(symlink("real.db", "link.db"), 0);
	opts.create = true;
	assert_int_equal(sl_ledger_open(&ledger, "link.db", &opts, &err),
			 SL_EENV);
	fx_assert_msg(&err, "symbolic link");
	sl_error_release(&err);
}

static void open__refuses_a_file_that_is_not_sqlite(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = NULL;
	char junk[8192];

	(void)state;
	memset(junk, 'x', sizeof(junk));
	sl_write_file("ledger.db", junk, sizeof(junk));
	assert_int_equal(sl_ledger_open(&ledger, "ledger.db", NULL, &err),
			 SL_EENV);
	fx_assert_msg(&err, "not a sluice ledger");
	sl_error_release(&err);
}

static void open__refuses_another_applications_database(void **state)
{
	struct sl_ledger_options opts = SL_LEDGER_OPTIONS_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = NULL;

	(void)state;
	assert_int_equal(fx_sql("other.db", "CREATE TABLE t (x)"), SQLITE_OK);
	opts.create = true;
	assert_int_equal(sl_ledger_open(&ledger, "other.db", &opts, &err),
			 SL_EENV);
	fx_assert_msg(&err, "another application's");
	/* Nothing was changed in it: still not WAL, no ledger tables. */
	assert_int_equal(fx_sql("other.db", "SELECT * FROM t"), SQLITE_OK);
	assert_int_not_equal(fx_sql("other.db", "SELECT * FROM events"),
			     SQLITE_OK);
	sl_error_release(&err);
}

/*
 * A ledger written by a sluice of schema 1 (no `shared` table, triggers
 * that take back nothing) is migrated on open, its events kept and still
 * verifying; and its events still cannot be deleted.
 */
static void open__migrates_version_1_keeping_its_events(void **state)
{
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf out = SL_BUF_INIT;
	struct sl_ledger *ledger;

	(void)state;
	sl_ledger_free(three_events("ledger.db", &policy));
	/* Back to schema 1, as that sluice left it. */
	assert_int_equal(
	    fx_sql("ledger.db",
		   "DROP TABLE shared; DROP TABLE signature_checks;"
		   "DROP TRIGGER events_no_delete; DROP TRIGGER "
		   "head_forward_only; CREATE TRIGGER events_no_delete BEFORE "
		   "DELETE ON events BEGIN SELECT RAISE(ABORT, 'the sluice "
		   "ledger is append-only'); END; CREATE TRIGGER "
		   "head_forward_only BEFORE UPDATE ON chain_head WHEN "
		   "NEW.count IS NOT OLD.count + 1 OR NEW.one IS NOT 1 BEGIN "
		   "SELECT RAISE(ABORT, 'the chain head only moves forward'); "
		   "END; PRAGMA user_version = 1"),
	    SQLITE_OK);
	ledger = fx_open("ledger.db");
	assert_int_equal(sl_ledger_verify(&report, ledger, NULL, &err), 0);
	assert_int_equal(report.events, 3);
	sl_ledger_free(ledger);
	pragmas(&out, "ledger.db");
	assert_string_equal(out.buf, "wal\n2\n1397506885\n");
	/* Not shared: nothing may be taken back. */
	assert_int_not_equal(fx_sql("ledger.db", "DELETE FROM events WHERE "
						 "seq = 3"),
			     SQLITE_OK);
	assert_int_not_equal(fx_sql("ledger.db", "UPDATE chain_head SET count "
						 "= 2"),
			     SQLITE_OK);
	sl_override_policy_release(&policy);
	sl_ledger_report_release(&report);
	sl_buf_release(&out);
	sl_error_release(&err);
}

static void open__refuses_a_newer_schema(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = NULL;

	(void)state;
	sl_ledger_free(fx_open("ledger.db"));
	assert_int_equal(fx_sql("ledger.db", "PRAGMA user_version = 7"),
			 SQLITE_OK);
	assert_int_equal(sl_ledger_open(&ledger, "ledger.db", NULL, &err),
			 SL_EENV);
	fx_assert_msg(&err, "upgrade sluice");
	sl_error_release(&err);
}

/* Every descriptor on the ledger's files is close-on-exec. */
static void open__descriptors_are_close_on_exec(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_buf out = SL_BUF_INIT;
	struct sl_ledger *ledger;
	char link[PATH_MAX], name[64];
	int fd, seen = 0;

	(void)state;
	fx_policy(&policy, "ana@example.com", NULL);
	ledger = fx_open("ledger.db");
	fx_request(ledger, &policy, "dev@example.com", FX_T0);
	for (fd = 0; fd < 1024; fd++) {
		ssize_t n;

		snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
		n = readlink(name, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (!strstr(link, "ledger.db"))
			continue;
		seen++;
		assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	}
	assert_true(seen >= 1);
	/* And a child started the ordinary way sees none of them. */
	assert_int_equal(sl_sh_capture(&out, "ls -l /proc/self/fd/ 2>&1"), 0);
	assert_null(strstr(out.buf, "ledger.db"));
	sl_buf_release(&out);
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

/* ---- append-only ------------------------------------------------------ */

static void triggers__refuse_update_delete_and_head_rewind(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger *ledger;

	(void)state;
	ledger = three_events("ledger.db", &policy);
	assert_int_not_equal(
	    fx_sql("ledger.db", "UPDATE events SET reason = 'x' WHERE seq = 1"),
	    SQLITE_OK);
	assert_int_not_equal(fx_sql("ledger.db", "DELETE FROM events"),
			     SQLITE_OK);
	assert_int_not_equal(
	    fx_sql("ledger.db", "UPDATE chain_head SET count = 2"), SQLITE_OK);
	assert_int_not_equal(fx_sql("ledger.db", "DELETE FROM chain_head"),
			     SQLITE_OK);
	assert_int_not_equal(
	    fx_sql("ledger.db",
		   "INSERT OR REPLACE INTO chain_head VALUES (1, 2, 'x')"),
	    SQLITE_OK);
	/* An insert that does not extend the chain head. */
	assert_int_not_equal(
	    fx_sql("ledger.db",
		   "INSERT INTO events SELECT 9, kind, override_id, at, actor, "
		   "reason, gate, commit_id, gate_hash, expires_at, run_id, "
		   "signature, prev_hash, hash FROM events WHERE seq = 1"),
	    SQLITE_OK);
	assert_int_equal(fx_events(ledger), 3);
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

/* ---- verification and anchors --------------------------------------- */

static void verify__reports_events_head_and_anchor(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf anchor = SL_BUF_INIT, later = SL_BUF_INIT;
	struct sl_ledger *ledger;

	(void)state;
	ledger = fx_open("ledger.db");
	assert_int_equal(sl_ledger_anchor(&anchor, ledger, &err), 0);
	assert_string_equal(anchor.buf, "0:0000000000000000000000000000000000"
					"000000000000000000000000000000");
	sl_ledger_free(ledger);
	sl_buf_reset(&anchor);
	ledger = three_events("ledger.db", &policy);
	assert_int_equal(sl_ledger_verify(&report, ledger, NULL, &err), 0);
	assert_int_equal(report.events, 3);
	assert_int_equal(report.bad_seq, 0);
	assert_int_equal(strlen(report.head), 64);
	assert_int_equal(sl_ledger_anchor(&anchor, ledger, &err), 0);
	assert_int_equal(strncmp(anchor.buf, "3:", 2), 0);
	assert_string_equal(anchor.buf + 2, report.head);
	/* The ledger grows; the pinned anchor still holds. */
	fx_request(ledger, &policy, "dev3@example.com", FX_T0 + 500);
	assert_int_equal(sl_ledger_verify(&report, ledger, anchor.buf, &err),
			 0);
	assert_int_equal(report.events, 4);
	assert_int_equal(sl_ledger_anchor(&later, ledger, &err), 0);
	assert_string_not_equal(later.buf, anchor.buf);
	assert_int_equal(sl_ledger_verify(&report, ledger, "3:nothex", &err),
			 SL_EUSAGE);
	sl_buf_release(&anchor);
	sl_buf_release(&later);
	sl_ledger_report_release(&report);
	sl_error_release(&err);
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

static void tamper__edited_reason_is_named_and_nothing_is_trusted(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger *ledger;

	(void)state;
	ledger = three_events("ledger.db", &policy);
	fx_drop_triggers("ledger.db");
	assert_int_equal(fx_sql("ledger.db",
				"UPDATE events SET reason = 'rubber stamp' "
				"WHERE seq = 2"),
			 SQLITE_OK);
	verify_fails_at(ledger, 2, "event 2 was altered");
	assert_untrusted(ledger, &policy);
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

static void tamper__deleted_newest_event_is_caught_by_the_head(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger *ledger;

	(void)state;
	ledger = three_events("ledger.db", &policy);
	fx_drop_triggers("ledger.db");
	assert_int_equal(
	    fx_sql("ledger.db", "DELETE FROM events WHERE seq = 3"), SQLITE_OK);
	verify_fails_at(ledger, 3, "the newest event was deleted");
	assert_untrusted(ledger, &policy);
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

static void tamper__deleted_middle_event(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger *ledger;

	(void)state;
	ledger = three_events("ledger.db", &policy);
	fx_drop_triggers("ledger.db");
	assert_int_equal(
	    fx_sql("ledger.db", "DELETE FROM events WHERE seq = 2"), SQLITE_OK);
	verify_fails_at(ledger, 2, "event 2 is missing");
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

static void tamper__swapped_events(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger *ledger;

	(void)state;
	ledger = three_events("ledger.db", &policy);
	fx_drop_triggers("ledger.db");
	assert_int_equal(fx_sql("ledger.db",
				"UPDATE events SET seq = 100 WHERE seq = 2;"
				"UPDATE events SET seq = 2 WHERE seq = 3;"
				"UPDATE events SET seq = 3 WHERE seq = 100;"),
			 SQLITE_OK);
	verify_fails_at(ledger, 2, "event 2 was altered");
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

static void tamper__forged_newest_event_without_the_head(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf sql = SL_BUF_INIT;
	struct sl_ledger *ledger;
	struct sl_ledger_event *ev;

	(void)state;
	ledger = three_events("ledger.db", &policy);
	assert_int_equal(sl_ledger_log(&log, ledger, 0, &err), 0);
	/* A well-formed, correctly chained approval of override 3 as event
	 * 4, slipped in without moving the chain head. */
	ev = &log.events[1];
	ev->seq = 4;
	ev->override_id = 3;
	memcpy(ev->prev_hash, log.events[2].hash, SL_HASH_HEX_SIZE);
	sl_ledger_event_hash(ev->hash, ev);
	sl_buf_addf(
	    &sql,
	    "INSERT INTO events SELECT 4, kind, 3, at, actor, reason, "
	    "gate, commit_id, gate_hash, expires_at, run_id, signature, "
	    "'%s', '%s' FROM events WHERE seq = 2",
	    ev->prev_hash, ev->hash);
	fx_drop_triggers("ledger.db");
	assert_int_equal(fx_sql("ledger.db", sql.buf), SQLITE_OK);
	verify_fails_at(ledger, 4, "added behind the ledger's back");
	sl_buf_release(&sql);
	sl_ledger_log_release(&log);
	sl_error_release(&err);
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

/* Rewrites event seq's reason and re-hashes it and every later event. */
static void rewrite_chain(const char *path, int64_t seq, const char *reason)
{
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf sql = SL_BUF_INIT;
	struct sl_ledger *ledger = fx_open(path);
	size_t i;

	assert_int_equal(sl_ledger_log(&log, ledger, 0, &err), 0);
	sl_ledger_free(ledger);
	free(log.events[seq - 1].reason);
	log.events[seq - 1].reason = sl_xstrdup(reason);
	for (i = (size_t)seq - 1; i < log.n; i++) {
		struct sl_ledger_event *ev = &log.events[i];

		if (i)
			memcpy(ev->prev_hash, log.events[i - 1].hash,
			       SL_HASH_HEX_SIZE);
		sl_ledger_event_hash(ev->hash, ev);
		sl_buf_addf(
		    &sql,
		    "UPDATE events SET reason = '%s', prev_hash = '%s', "
		    "hash = '%s' WHERE seq = %" PRId64 ";",
		    ev->reason, ev->prev_hash, ev->hash, ev->seq);
	}
	sl_buf_addf(&sql, "UPDATE chain_head SET hash = '%s';",
		    log.events[log.n - 1].hash);
	fx_drop_triggers(path);
	assert_int_equal(fx_sql(path, sql.buf), SQLITE_OK);
	sl_buf_release(&sql);
	sl_ledger_log_release(&log);
	sl_error_release(&err);
}

static void tamper__consistent_rewrite_needs_the_anchor(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf anchor = SL_BUF_INIT;
	struct sl_ledger *ledger;

	(void)state;
	ledger = three_events("ledger.db", &policy);
	assert_int_equal(sl_ledger_anchor(&anchor, ledger, &err), 0);
	sl_ledger_free(ledger);
	rewrite_chain("ledger.db", 1, "a better sounding reason");
	ledger = fx_open("ledger.db");
	/* The documented limit: a consistent rewrite verifies by itself. */
	assert_int_equal(sl_ledger_verify(&report, ledger, NULL, &err), 0);
	/* The anchor pinned before catches it. */
	assert_int_equal(sl_ledger_verify(&report, ledger, anchor.buf, &err),
			 SL_EENV);
	assert_int_equal(report.bad_seq, 3);
	fx_assert_msg(&err, "anchor pinned");
	sl_buf_release(&anchor);
	sl_ledger_report_release(&report);
	sl_error_release(&err);
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

static void tamper__illegal_step_rehashed_is_still_caught(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf sql = SL_BUF_INIT;
	struct sl_ledger *ledger;
	struct sl_ledger_event *ev;

	(void)state;
	ledger = three_events("ledger.db", &policy);
	assert_int_equal(sl_ledger_log(&log, ledger, 0, &err), 0);
	/* Turn event 3 (a request) into a second approval of override 1. */
	ev = &log.events[2];
	ev->kind = SL_LEDGER_APPROVE;
	ev->override_id = 1;
	ev->expires_at = 0;
	ev->gate[0] = ev->commit[0] = ev->gate_hash[0] = '\0';
	sl_ledger_event_hash(ev->hash, ev);
	sl_buf_addf(
	    &sql,
	    "UPDATE events SET kind = 'approve', override_id = 1, "
	    "expires_at = 0, gate = '', commit_id = '', gate_hash = '', "
	    "hash = '%s' WHERE seq = 3; UPDATE chain_head SET hash = "
	    "'%s';",
	    ev->hash, ev->hash);
	fx_drop_triggers("ledger.db");
	assert_int_equal(fx_sql("ledger.db", sql.buf), SQLITE_OK);
	verify_fails_at(ledger, 3, "not a legal step");
	sl_buf_release(&sql);
	sl_ledger_log_release(&log);
	sl_error_release(&err);
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

static void tamper__wrong_column_type_is_malformed(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger *ledger;

	(void)state;
	ledger = three_events("ledger.db", &policy);
	fx_drop_triggers("ledger.db");
	/* STRICT refuses a blob; a tool that drops STRICT would not. */
	assert_int_not_equal(fx_sql("ledger.db",
				    "UPDATE events SET actor = x'00ff' "
				    "WHERE seq = 2"),
			     SQLITE_OK);
	assert_int_equal(fx_sql("ledger.db",
				"UPDATE events SET actor = 'a' || char(0) || "
				"'b' WHERE seq = 2"),
			 SQLITE_OK);
	verify_fails_at(ledger, 2, "malformed");
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

static void tamper__dropped_table_is_damage(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger *ledger;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_override_list list = SL_OVERRIDE_LIST_INIT;

	(void)state;
	ledger = three_events("ledger.db", &policy);
	assert_int_equal(fx_sql("ledger.db", "DROP TABLE events"), SQLITE_OK);
	assert_int_equal(sl_ledger_list(&list, ledger, NULL, &err), SL_EENV);
	fx_assert_msg(&err, "no such table");
	sl_error_release(&err);
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

/* Overwrites the file's second page, header and all: sqlite notices. */
static void tamper__corrupt_page_fails_closed(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_override_list list = SL_OVERRIDE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = NULL;
	char junk[2048];
	int fd, ret;

	(void)state;
	sl_ledger_free(three_events("ledger.db", &policy));
	/* Closing the last connection checkpointed the WAL into the file. */
	assert_int_not_equal(access("ledger.db-wal", F_OK), 0);
	memset(junk, 0x5a, sizeof(junk));
	fd = open("ledger.db", O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof(junk), 4096),
			 (ssize_t)sizeof(junk));
	close(fd);
	ret = sl_ledger_open(&ledger, "ledger.db", NULL, &err);
	if (!ret)
		ret = sl_ledger_list(&list, ledger, NULL, &err);
	print_message("# %s\n", sl_error_message(&err));
	assert_int_equal(ret, SL_EENV);
	fx_assert_msg(&err, "corrupt");
	assert_int_equal(list.n, 0);
	sl_error_release(&err);
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

/* ---- locks ----------------------------------------------------------- */

/*
 * A child that holds the ledger locked (sql, then waits) until the parent
 * closes the pipe. Returns its pid once it holds the lock.
 */
static pid_t hold_lock(const char *path, const char *sql, int *release_fd)
{
	int ready[2], release[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(release), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sqlite3 *db = NULL;

		close(ready[0]);
		close(release[1]);
		if (sqlite3_open(path, &db) != SQLITE_OK ||
		    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		if (read(release[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*release_fd = release[1];
	return pid;
}

static void release_lock(pid_t pid, int release_fd)
{
	int status;

	close(release_fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static struct sl_ledger *open_with_timeout(const char *path, unsigned ms)
{
	struct sl_ledger_options opts = SL_LEDGER_OPTIONS_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = NULL;

	opts.busy_timeout_ms = ms;
	assert_int_equal(sl_ledger_open(&ledger, path, &opts, &err), 0);
	sl_error_release(&err);
	return ledger;
}

static void lock__writer_gives_up_after_the_busy_timeout(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_override_request req = {0};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger;
	uint64_t start, took;
	int64_t id = 0;
	int release;
	pid_t pid;

	(void)state;
	sl_ledger_free(three_events("ledger.db", &policy));
	ledger = open_with_timeout("ledger.db", 300);
	pid = hold_lock("ledger.db", "BEGIN EXCLUSIVE", &release);
	req.gate = "billing-unit";
	req.commit = fx_commit;
	req.gate_hash = fx_gate_hash;
	req.requester = "dev@example.com";
	req.reason = "while locked";
	req.now = FX_T0 + 900;
	start = sl_now_ms();
	assert_int_equal(sl_ledger_request(&id, ledger, &req, &policy, &err),
			 SL_EENV);
	took = sl_now_ms() - start;
	fx_assert_msg(&err, "is locked by another process (waited 300 ms)");
	assert_true(took >= 250 && took < 3000);
	release_lock(pid, release);
	/* Once the lock is gone, the same ledger works. */
	assert_int_equal(sl_ledger_request(&id, ledger, &req, &policy, &err),
			 0);
	assert_int_equal(id, 4);
	sl_error_release(&err);
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

static void lock__reader_is_not_told_no_overrides(void **state)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_ledger_options opts = SL_LEDGER_OPTIONS_INIT;
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_override_query q = fx_query(FX_T0 + 900);
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = NULL;
	int release;
	pid_t pid;

	(void)state;
	sl_ledger_free(three_events("ledger.db", &policy));
	/* An exclusive-mode connection keeps even readers out. */
	pid = hold_lock("ledger.db",
			"PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; "
			"SELECT count(*) FROM events;",
			&release);
	opts.busy_timeout_ms = 300;
	assert_int_equal(sl_ledger_open(&ledger, "ledger.db", &opts, &err),
			 SL_EENV);
	fx_assert_msg(&err, "is locked by another process");
	assert_null(ledger);
	release_lock(pid, release);
	ledger = open_with_timeout("ledger.db", 300);
	assert_int_equal(sl_ledger_lookup(&ov, ledger, &q, &policy, &err), 0);
	assert_int_equal(ov.id, 1);
	sl_override_release(&ov);
	sl_error_release(&err);
	sl_ledger_free(ledger);
	sl_override_policy_release(&policy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(open__creates_parents_with_wal_and_schema),
	    T(open__refuses_an_empty_file_as_damaged),
	    T(open__migrates_version_1_keeping_its_events),
	    T(open__missing_without_create_is_not_found),
	    T(open__refuses_a_symlink),
	    T(open__refuses_a_file_that_is_not_sqlite),
	    T(open__refuses_another_applications_database),
	    T(open__refuses_a_newer_schema),
	    T(open__descriptors_are_close_on_exec),
	    T(triggers__refuse_update_delete_and_head_rewind),
	    T(verify__reports_events_head_and_anchor),
	    T(tamper__edited_reason_is_named_and_nothing_is_trusted),
	    T(tamper__deleted_newest_event_is_caught_by_the_head),
	    T(tamper__deleted_middle_event),
	    T(tamper__swapped_events),
	    T(tamper__forged_newest_event_without_the_head),
	    T(tamper__consistent_rewrite_needs_the_anchor),
	    T(tamper__illegal_step_rehashed_is_still_caught),
	    T(tamper__wrong_column_type_is_malformed),
	    T(tamper__dropped_table_is_damage),
	    T(tamper__corrupt_page_fails_closed),
	    T(lock__writer_gives_up_after_the_busy_timeout),
	    T(lock__reader_is_not_told_no_overrides),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
