/*
 * db.c: opening, configuring and closing the sqlite databases of gates/
 * (the override ledger, the run history), running a statement or a
 * one-integer query, switching to WAL, and sqlite's errors as an sl_error
 * that names the database and says what to do. What each database holds,
 * and what a failure means to its caller, is ledger_db*.c's and
 * run_history.c's.
 */
#include "common/common.h"

#include <sqlite3.h>
#include <time.h>

#include "gates/db.h"

int sl_db_error(const struct sl_db *db, int rc, const char *doing,
		struct sl_error *err)
{
	const char *msg =
	    db->handle ? sqlite3_errmsg(db->handle) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return sl_error_set(err, SL_EENV,
				    "%s '%s' is locked by another process "
				    "(waited %u ms): try again when it is done",
				    db->what, db->path, db->busy_timeout_ms);
	case SQLITE_NOTADB:
		return sl_error_set(err, SL_EENV,
				    "'%s' is not a sluice %s (not an sqlite "
				    "database): %s",
				    db->path, db->what,
				    db->not_a_db_hint ? db->not_a_db_hint
						      : "remove it");
	case SQLITE_CORRUPT:
		return sl_error_set(err, SL_EENV, "%s '%s' is corrupt (%s): %s",
				    db->what, db->path, msg,
				    db->corrupt_hint ? db->corrupt_hint
						     : "remove it");
	case SQLITE_FULL:
		return sl_error_set(err, SL_EENV,
				    "%s '%s': the disk is full: free space "
				    "and try again",
				    db->what, db->path);
	default:
		return sl_error_set(
		    err, SL_EENV, "%s '%s': %s: %s (%d)", db->what, db->path,
		    doing, msg,
		    db->handle ? sqlite3_extended_errcode(db->handle) : rc);
	}
}

int sl_db_open(struct sl_db *db, const char *path,
	       const struct sl_db_options *opts, struct sl_error *err)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW;
	int on = 1, rc;

	free(db->path);
	db->path = sl_xstrdup(path);
	db->busy_timeout_ms = opts->busy_timeout_ms;
	if (opts->create)
		flags |= SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &db->handle, flags, NULL);
	if (rc != SQLITE_OK)
		return sl_db_error(db, rc, "cannot open it", err);
	sqlite3_busy_timeout(db->handle, (int)opts->busy_timeout_ms);
	if (opts->defensive) {
		sqlite3_db_config(db->handle, SQLITE_DBCONFIG_DEFENSIVE, 1,
				  &on);
		sqlite3_db_config(db->handle, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
				  &on);
	}
	return 0;
}

void sl_db_close(struct sl_db *db)
{
	/* Every statement is finalized: close now, not when they are. */
	sqlite3_close_v2(db->handle);
	db->handle = NULL;
	free(db->path);
	db->path = NULL;
}

int sl_db_exec(const struct sl_db *db, const char *sql, const char *doing,
	       struct sl_error *err)
{
	int rc = sqlite3_exec(db->handle, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sl_db_error(db, rc, doing, err);
}

int sl_db_int(int64_t *out, const struct sl_db *db, const char *sql,
	      struct sl_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->handle, sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : sl_db_error(db, rc, sql, err);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000),
			      (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int sl_db_wal(const struct sl_db *db, struct sl_error *err)
{
	uint64_t start = sl_now_ms();
	int rc;

	for (;;) {
		sqlite3_stmt *st = NULL;
		const unsigned char *mode = NULL;

		rc = sqlite3_prepare_v2(db->handle, "PRAGMA journal_mode=WAL",
					-1, &st, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			mode = sqlite3_column_text(st, 0);
		if (mode && !strcmp((const char *)mode, "wal"))
			rc = SQLITE_OK;
		else if (rc == SQLITE_ROW)
			rc = SQLITE_BUSY;
		sqlite3_finalize(st);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		if (sl_now_ms() - start >= db->busy_timeout_ms)
			break;
		sleep_ms(10);
	}
	return rc == SQLITE_OK ? 0 : sl_db_error(db, rc, "journal_mode", err);
}
