/*
 * ledger_db_shared.c: the sqlite statements of a working copy of a ledger
 * shared through git (SPEC.md §6; schema version 2): what it remembers of
 * the remote (its ref and the newest event verified there), taking back
 * the copy's own events that no remote has yet (to put them on top of
 * what another clone pushed first), and the answers ssh-keygen gave. The
 * file itself, and every other statement, is ledger_db.c's; when to call
 * these is ledger_sync.c's.
 */
#include "common/common.h"

#include <sqlite3.h>

#include "gates/ledger_internal.h"

void sl_ledger_shared_release(struct sl_ledger_shared *s)
{
	free(s->remote);
	free(s->ref);
	memset(s, 0, sizeof(*s));
}

/* A text column as an owned string ("" when it is not text). */
static char *column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *text = sqlite3_column_text(st, col);

	return sl_xstrdup(text ? (const char *)text : "");
}

static void column_copy(char out[SL_HASH_HEX_SIZE], sqlite3_stmt *st, int col)
{
	const unsigned char *text = sqlite3_column_text(st, col);
	size_t len = text ? strlen((const char *)text) : 0;

	memset(out, 0, SL_HASH_HEX_SIZE);
	if (len < SL_HASH_HEX_SIZE)
		memcpy(out, text, len);
}

int sl_ledger_shared_load(struct sl_ledger_shared *out,
			  struct sl_ledger *ledger, struct sl_error *err)
{
	static const char sql[] =
	    "SELECT remote, ref, seq, hash, commit_id FROM shared";
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(ledger->db.handle, sql, -1, &st, NULL);

	sl_ledger_shared_release(out);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->known = true;
		out->remote = column_dup(st, 0);
		out->ref = column_dup(st, 1);
		out->seq = sqlite3_column_int64(st, 2);
		column_copy(out->hash, st, 3);
		column_copy(out->commit, st, 4);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sl_ledger_db_error(ledger, rc, "reading the shared tip",
					  err);
	return 0;
}

int sl_ledger_shared_store(struct sl_ledger *ledger,
			   const struct sl_ledger_shared *s,
			   struct sl_error *err)
{
	static const char sql[] =
	    "INSERT INTO shared (one, remote, ref, seq, hash, commit_id) "
	    "VALUES (1, ?1, ?2, ?3, ?4, ?5) ON CONFLICT (one) DO UPDATE SET "
	    "remote = ?1, ref = ?2, seq = ?3, hash = ?4, commit_id = ?5";
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(ledger->db.handle, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, s->remote, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, s->ref, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, s->seq);
		sqlite3_bind_text(st, 4, s->hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, s->commit, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sl_ledger_db_error(ledger, rc,
					  "remembering the shared tip", err);
	return 0;
}

int sl_ledger_rewind(struct sl_ledger *ledger, int64_t seq,
		     const char hash[SL_HASH_HEX_SIZE], struct sl_error *err)
{
	sqlite3_stmt *del = NULL, *head = NULL;
	int rc;

	rc = sqlite3_prepare_v2(ledger->db.handle,
				"DELETE FROM events WHERE seq > ?", -1, &del,
				NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(del, 1, seq);
		rc = sqlite3_step(del);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		    ledger->db.handle,
		    "UPDATE chain_head SET count = ?, hash = ? WHERE one = 1 "
		    "AND count <> ?1",
		    -1, &head, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(head, 1, seq);
		sqlite3_bind_text(head, 2, hash, -1, SQLITE_STATIC);
		rc = sqlite3_step(head);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(del);
	sqlite3_finalize(head);
	if (rc != SQLITE_OK)
		return sl_ledger_db_error(
		    ledger, rc, "taking back events not yet shared", err);
	return 0;
}

int sl_ledger_sigcheck_get(int *out, struct sl_ledger *ledger, const char *key,
			   struct sl_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(ledger->db.handle,
				    "SELECT holds FROM signature_checks WHERE "
				    "key = ?",
				    -1, &st, NULL);

	*out = -1;
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0) ? 1 : 0;
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sl_ledger_db_error(ledger, rc,
					  "reading remembered signatures", err);
	return 0;
}

int sl_ledger_sigcheck_put(struct sl_ledger *ledger, const char *key,
			   bool holds, struct sl_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(ledger->db.handle,
				    "INSERT OR REPLACE INTO signature_checks "
				    "(key, holds) VALUES (?, ?)",
				    -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, holds ? 1 : 0);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sl_ledger_db_error(ledger, rc,
					  "remembering a signature check", err);
	return 0;
}
