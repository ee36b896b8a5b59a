/*
 * run_history.c: the run history, an sqlite database of how long each gate
 * took in recent runs, so that the next run can start the longest first.
 * It is an optimisation: every failure here becomes a warning in the
 * caller, never a failed run. It names gates, nothing of the clone it was
 * written in, so a copy from another clone (a CI cache) schedules as well.
 * Opening and closing it, and its errors, are db.c's, as for the override
 * ledger, which is a different database and file.
 */
#include "common/common.h"

#include <sqlite3.h>

#include "gates/db.h"
#include "gates/run_internal.h"

/* Bump when the schema changes; an unknown version is left alone. */
#define HISTORY_VERSION 1
/* "SLHS": PRAGMA application_id marks the file as a sluice run history
 * (histories written before it have 0, and get it on their next use). */
#define HISTORY_APPLICATION_ID 0x534c4853
/* Outcomes kept per gate, and how many of the latest make the estimate. */
#define HISTORY_KEEP 20
#define HISTORY_SAMPLES 5
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

struct run_history {
	struct sl_db db;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS runs ("
    " id INTEGER PRIMARY KEY,"
    " finished_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS outcomes ("
    " id INTEGER PRIMARY KEY,"
    " run INTEGER NOT NULL REFERENCES runs(id),"
    " gate TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " duration_ms INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS outcomes_by_gate ON outcomes (gate, id);"
    "PRAGMA user_version = 1;";

/* The last statement's failure, as an error naming the history. */
static int db_error(struct run_history *history, struct sl_error *err,
		    const char *what)
{
	return sl_db_error(&history->db, sqlite3_errcode(history->db.handle),
			   what, err);
}

static int exec(struct run_history *history, const char *sql,
		struct sl_error *err)
{
	return sl_db_exec(&history->db, sql, "cannot update it", err);
}

/* The integer a PRAGMA reads (user_version, application_id). */
static int pragma_int(int *out, struct run_history *history, const char *sql,
		      struct sl_error *err)
{
	int64_t value = 0;
	int ret = sl_db_int(&value, &history->db, sql, err);

	*out = (int)value;
	return ret;
}

static int history_setup(struct run_history *history, struct sl_error *err)
{
	int version = 0, app = 0, ret;

	/* What the file is, before anything in it changes. */
	ret = pragma_int(&app, history, "PRAGMA application_id", err);
	if (!ret && app && app != HISTORY_APPLICATION_ID)
		return sl_error_set(err, SL_EENV,
				    "'%s' is not a sluice run history (it is "
				    "another application's database): copy "
				    "the history file itself there, or remove "
				    "it",
				    history->db.path);
	if (!ret)
		ret = sl_db_wal(&history->db, err);
	if (!ret)
		ret = pragma_int(&version, history, "PRAGMA user_version", err);
	if (!ret && version == 0)
		ret = exec(history, schema, err);
	if (!ret && !app && (version == 0 || version == HISTORY_VERSION))
		ret = exec(history,
			   "PRAGMA application_id = " STRINGIFY(
			       HISTORY_APPLICATION_ID),
			   err);
	else if (!ret && version != HISTORY_VERSION)
		ret = sl_error_set(err, SL_EENV,
				   "run history '%s' has schema version %d, "
				   "this sluice knows %d: remove the file",
				   history->db.path, version, HISTORY_VERSION);
	return ret;
}

int sl_run_history_open(struct run_history **out, const char *path,
			struct sl_error *err)
{
	struct run_history *history = sl_xcalloc(1, sizeof(*history));
	struct sl_db_options o = {.create = true, .busy_timeout_ms = 5000};
	const char *slash = strrchr(path, '/');
	int ret = 0;

	history->db.what = "run history";
	history->db.not_a_db_hint = "remove it";
	history->db.corrupt_hint = "remove it";
	history->db.path = sl_xstrdup(path);
	if (slash && slash != path) {
		char *dir = sl_xmemdupz(path, (size_t)(slash - path));

		ret = sl_run_mkdirs(dir, err);
		free(dir);
	}
	if (!ret)
		ret = sl_db_open(&history->db, path, &o, err);
	if (!ret)
		ret = history_setup(history, err);
	if (ret) {
		sl_run_history_close(history);
		return ret;
	}
	*out = history;
	return 0;
}

void sl_run_history_close(struct run_history *history)
{
	if (!history)
		return;
	sl_db_close(&history->db);
	free(history);
}

static int compare_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int estimate_one(int64_t *out, sqlite3_stmt *st, const char *gate)
{
	int64_t samples[HISTORY_SAMPLES];
	size_t n = 0;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, gate, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < HISTORY_SAMPLES)
		samples[n++] = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	qsort(samples, n, sizeof(samples[0]), compare_i64);
	*out = n ? samples[n / 2] : -1;
	return 0;
}

int sl_run_history_estimates(int64_t *out, struct run_history *history,
			     const struct sl_job *jobs, size_t njobs,
			     struct sl_error *err)
{
	static const char sql[] =
	    "SELECT duration_ms FROM outcomes WHERE gate = ?1"
	    " ORDER BY id DESC LIMIT " STRINGIFY(HISTORY_SAMPLES);
	sqlite3_stmt *st = NULL;
	size_t i;
	int ret = 0;

	if (sqlite3_prepare_v2(history->db.handle, sql, -1, &st, NULL) !=
	    SQLITE_OK)
		return db_error(history, err, "cannot read it");
	for (i = 0; i < njobs && !ret; i++)
		if (estimate_one(&out[i], st, jobs[i].name) < 0)
			ret = db_error(history, err, "cannot read it");
	sqlite3_finalize(st);
	return ret;
}

static bool worth_recording(const struct sl_job_result *result)
{
	/* Durations of gates that ran to a verdict, not cut short by us. */
	return result->status == SL_JOB_PASSED ||
	       result->status == SL_JOB_FAILED ||
	       result->status == SL_JOB_TIMED_OUT;
}

static int record_rows(struct run_history *history, sqlite3_int64 run,
		       const struct sl_job *jobs,
		       const struct sl_job_result *results, size_t njobs)
{
	static const char insert_sql[] =
	    "INSERT INTO outcomes (run, gate, status, duration_ms, attempts)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)";
	static const char prune_sql[] =
	    "DELETE FROM outcomes WHERE gate = ?1 AND id <= (SELECT id FROM"
	    " outcomes WHERE gate = ?1 ORDER BY id DESC LIMIT 1 "
	    "OFFSET " STRINGIFY(HISTORY_KEEP) ")";
	sqlite3_stmt *ins = NULL, *prune = NULL;
	int rc = SQLITE_OK;
	size_t i;

	if (sqlite3_prepare_v2(history->db.handle, insert_sql, -1, &ins,
			       NULL) ||
	    sqlite3_prepare_v2(history->db.handle, prune_sql, -1, &prune, NULL))
		rc = SQLITE_ERROR;
	for (i = 0; i < njobs && rc == SQLITE_OK; i++) {
		if (!worth_recording(&results[i]))
			continue;
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, run);
		sqlite3_bind_text(ins, 2, jobs[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, sl_job_status_name(results[i].status),
				  -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 4,
				   (sqlite3_int64)results[i].duration_ms);
		sqlite3_bind_int(ins, 5, (int)results[i].attempts);
		rc =
		    sqlite3_step(ins) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		if (rc != SQLITE_OK)
			break;
		sqlite3_reset(prune);
		sqlite3_bind_text(prune, 1, jobs[i].name, -1, SQLITE_STATIC);
		rc = sqlite3_step(prune) == SQLITE_DONE ? SQLITE_OK
							: SQLITE_ERROR;
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(prune);
	return rc == SQLITE_OK ? 0 : -1;
}

int sl_run_history_record(struct run_history *history,
			  const struct sl_job *jobs,
			  const struct sl_job_result *results, size_t njobs,
			  struct sl_error *err)
{
	int ret = exec(history, "BEGIN IMMEDIATE", err);

	if (ret)
		return ret;
	if (exec(
		history,
		"INSERT INTO runs (finished_at) VALUES (strftime('%s', 'now'));"
		"DELETE FROM runs WHERE id NOT IN (SELECT run FROM outcomes)"
		" AND id <> last_insert_rowid()",
		err) ||
	    record_rows(history, sqlite3_last_insert_rowid(history->db.handle),
			jobs, results, njobs) < 0) {
		ret = db_error(history, err, "cannot record this run");
		sqlite3_exec(history->db.handle, "ROLLBACK", NULL, NULL, NULL);
		return ret;
	}
	return exec(history, "COMMIT", err);
}
