/*
 * db.h: the sqlite databases of gates/ (the override ledger, the run
 * history), opened, configured, closed and their errors told one way. Only
 * gates/ledger_db*.c and gates/run_history.c include it; what each database
 * holds is theirs.
 */
#ifndef SL_GATES_DB_H
#define SL_GATES_DB_H

#include "common/common.h"

struct sqlite3;

struct sl_db {
	struct sqlite3 *handle; /* NULL until opened */
	char *path;
	const char *what; /* names it in messages: "ledger", "run history" */
	unsigned busy_timeout_ms;
	/* What to do about a file that is not an sqlite database, and about
	 * one that is corrupt (end of the message). */
	const char *not_a_db_hint;
	const char *corrupt_hint;
};

struct sl_db_options {
	bool create;		  /* make the file when it is missing */
	unsigned busy_timeout_ms; /* how long to wait for another's lock */
	/* SQLITE_DBCONFIG_DEFENSIVE, no trusted schema: the file may be
	 * anyone's, and must not change what our own statements do. */
	bool defensive;
};

/*
 * Opens path for reading and writing (never through a symbolic link;
 * sqlite opens every file close-on-exec, so no gate or child inherits it),
 * with the busy timeout. db's what and hints are the caller's to set
 * before (they name it in messages). SL_EENV, through sl_db_error(), when
 * it cannot; close db either way.
 */
int sl_db_open(struct sl_db *db, const char *path,
	       const struct sl_db_options *opts, struct sl_error *err);
/* Closes db (finalize its statements first); a no-op when not open. */
void sl_db_close(struct sl_db *db);

/*
 * sqlite's result code rc as an SL_EENV naming db: locked past the busy
 * timeout, not a database, corrupt, the disk full, or what was being done
 * (doing: "committing") and sqlite's own message.
 */
int sl_db_error(const struct sl_db *db, int rc, const char *doing,
		struct sl_error *err);
/* Runs sql, no rows wanted; sl_db_error(doing) when it fails. */
int sl_db_exec(const struct sl_db *db, const char *sql, const char *doing,
	       struct sl_error *err);
/* Runs sql, a query of one integer (a PRAGMA), into *out. */
int sl_db_int(int64_t *out, const struct sl_db *db, const char *sql,
	      struct sl_error *err);
/*
 * Switches db to WAL (several processes read and write at once). Changing
 * the journal mode needs an exclusive lock that the busy handler does not
 * always wait for, so it is retried for the busy timeout.
 */
int sl_db_wal(const struct sl_db *db, struct sl_error *err);

#endif
