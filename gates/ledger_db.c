/*
 * ledger_db.c: the override ledger's sqlite database. It opens the file
 * (through db.c, the one opener of gates/' databases: no symlinks,
 * close-on-exec descriptors, a busy timeout; then WAL, synchronous=FULL),
 * checks that it is a sluice ledger
 * of a schema it knows, applies migrations, and offers transactions and the
 * few statements the ledger needs: load every event, read the chain head,
 * append an event, quick_check. What the events mean, and whether the chain
 * holds, is for ledger_verify.c and override_*.c.
 */
#include "common/common.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gates/ledger_internal.h"

/* "SLCE": PRAGMA application_id marks the file as a sluice ledger. */
#define LEDGER_APPLICATION_ID 0x534c4345

/*
 * The schema, one migration per version: migrations[v] takes a ledger at
 * user_version v to v + 1. Version 2 is added by appending a string; a
 * migration never edits what an earlier one created in a way that changes
 * the canonical form of recorded events.
 */
static const char *const migrations[] = {
    /* 1: events, the chain head witness, and triggers that refuse to
     * update or delete them (a convenience, not the protection: anyone
     * with the file can drop them; verification is the protection). */
    "CREATE TABLE events ("
    " seq INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL,"
    " override_id INTEGER NOT NULL,"
    " at INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " gate TEXT NOT NULL,"
    " commit_id TEXT NOT NULL,"
    " gate_hash TEXT NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " run_id TEXT NOT NULL,"
    " signature TEXT NOT NULL,"
    " prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL"
    ") STRICT;"
    "CREATE TABLE chain_head ("
    " one INTEGER PRIMARY KEY CHECK (one = 1),"
    " count INTEGER NOT NULL,"
    " hash TEXT NOT NULL"
    ") STRICT;"
    "INSERT INTO chain_head VALUES (1, 0, "
    "'0000000000000000000000000000000000000000000000000000000000000000');"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN"
    " SELECT RAISE(ABORT, 'the sluice ledger is append-only'); END;"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN"
    " SELECT RAISE(ABORT, 'the sluice ledger is append-only'); END;"
    "CREATE TRIGGER events_extend_head BEFORE INSERT ON events"
    " WHEN NEW.seq IS NOT (SELECT count + 1 FROM chain_head)"
    " OR NEW.prev_hash IS NOT (SELECT hash FROM chain_head) BEGIN"
    " SELECT RAISE(ABORT, 'a ledger event must extend the chain'); END;"
    "CREATE TRIGGER events_move_head AFTER INSERT ON events BEGIN"
    " UPDATE chain_head SET count = NEW.seq, hash = NEW.hash; END;"
    "CREATE TRIGGER head_forward_only BEFORE UPDATE ON chain_head"
    " WHEN NEW.count IS NOT OLD.count + 1 OR NEW.one IS NOT 1 BEGIN"
    " SELECT RAISE(ABORT, 'the chain head only moves forward'); END;"
    "CREATE TRIGGER head_no_delete BEFORE DELETE ON chain_head BEGIN"
    " SELECT RAISE(ABORT, 'the chain head cannot be deleted'); END;"
    "CREATE TRIGGER head_only_one BEFORE INSERT ON chain_head"
    " WHEN EXISTS (SELECT 1 FROM chain_head) BEGIN"
    " SELECT RAISE(ABORT, 'the chain head cannot be replaced'); END;",
    /* 2: a ledger shared through git (SPEC.md §6). `shared` remembers
     * the remote's ref and the newest event verified on it; events past
     * it are this copy's own, not yet pushed, and only they may be taken
     * back (to be put on top of what another clone pushed first). What
     * ssh-keygen answered is remembered in signature_checks. */
    "CREATE TABLE shared ("
    " one INTEGER PRIMARY KEY CHECK (one = 1),"
    " remote TEXT NOT NULL,"
    " ref TEXT NOT NULL,"
    " seq INTEGER NOT NULL,"
    " hash TEXT NOT NULL,"
    " commit_id TEXT NOT NULL"
    ") STRICT;"
    "CREATE TABLE signature_checks ("
    " key TEXT PRIMARY KEY,"
    " holds INTEGER NOT NULL"
    ") STRICT;"
    "DROP TRIGGER events_no_delete;"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
    " WHEN OLD.seq <= coalesce((SELECT seq FROM shared),"
    " 9223372036854775807) BEGIN"
    " SELECT RAISE(ABORT, 'the sluice ledger is append-only'); END;"
    "DROP TRIGGER head_forward_only;"
    "CREATE TRIGGER head_forward_only BEFORE UPDATE ON chain_head"
    " WHEN NEW.one IS NOT 1 OR (NEW.count IS NOT OLD.count + 1 AND NOT"
    " (NEW.count < OLD.count AND NEW.count >= coalesce((SELECT seq FROM"
    " shared), 9223372036854775807))) BEGIN"
    " SELECT RAISE(ABORT, 'the chain head only moves forward'); END;"
    "CREATE TRIGGER shared_forward_only BEFORE UPDATE ON shared"
    " WHEN NEW.seq < OLD.seq OR NEW.remote IS NOT OLD.remote"
    " OR NEW.ref IS NOT OLD.ref BEGIN"
    " SELECT RAISE(ABORT, 'a verified ledger tip is never forgotten'); END;"
    "CREATE TRIGGER shared_no_delete BEFORE DELETE ON shared BEGIN"
    " SELECT RAISE(ABORT, 'a verified ledger tip is never forgotten'); END;",
};

int sl_ledger_db_error(struct sl_ledger *ledger, int rc, const char *what,
		       struct sl_error *err)
{
	return sl_db_error(&ledger->db, rc, what, err);
}

/* ---- opening --------------------------------------------------------- */

static int make_parents(const char *path, struct sl_error *err)
{
	char *dir = sl_xstrdup(path);
	char *p;
	int ret = 0;

	for (p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0777) && errno != EEXIST) {
			ret = sl_error_set(err, SL_EENV,
					   "cannot create directory '%s' for "
					   "the ledger: %s",
					   dir, strerror(errno));
			break;
		}
		*p = '/';
	}
	free(dir);
	return ret;
}

/* Is the file there, and not a symlink? 1 when it is missing. */
static int check_path(const char *path, bool create, struct sl_error *err)
{
	struct stat st;
	int ret;

	if (!lstat(path, &st)) {
		if (S_ISLNK(st.st_mode))
			return sl_error_set(err, SL_EENV,
					    "ledger '%s' is a symbolic link: "
					    "point --ledger at the file itself",
					    path);
		/* sluice makes a ledger whole and links it into place
		 * (create_fresh()): an empty file is one cut short, never a
		 * fresh one, and must not become "no events". */
		if (S_ISREG(st.st_mode) && st.st_size == 0)
			return sl_error_set(
			    err, SL_EENV,
			    "ledger '%s' is empty (0 bytes): it "
			    "is damaged, as a ledger is never "
			    "empty; restore it from a backup "
			    "(or, for a shared ledger, remove "
			    "it and run 'sluice override sync')",
			    path);
		return 0;
	}
	if (errno != ENOENT)
		return sl_error_set(err, SL_EENV, "cannot open ledger '%s': %s",
				    path, strerror(errno));
	if (!create)
		return sl_error_set(err, SL_ENOTFOUND,
				    "no ledger at '%s': no override was ever "
				    "requested there",
				    path);
	ret = make_parents(path, err);
	return ret ? ret : 1;
}

struct header {
	int64_t app_id;
	int64_t version;
	int64_t objects; /* tables, indices, triggers */
};

/* Reads the header; inside the caller's transaction, or its own. */
static int read_header(struct header *h, struct sl_ledger *ledger,
		       struct sl_error *err)
{
	bool own = sqlite3_get_autocommit(ledger->db.handle);
	int ret = own ? sl_ledger_begin(ledger, false, err) : 0;

	if (!ret)
		ret = sl_db_int(&h->app_id, &ledger->db,
				"PRAGMA application_id", err);
	if (!ret)
		ret = sl_db_int(&h->version, &ledger->db, "PRAGMA user_version",
				err);
	if (!ret)
		ret = sl_db_int(&h->objects, &ledger->db,
				"SELECT count(*) FROM sqlite_master", err);
	return own ? sl_ledger_end(ledger, ret, err) : ret;
}

/* Is h a ledger this sluice can use (after migrating, for fresh files)? */
static int check_header(const struct header *h, struct sl_ledger *ledger,
			struct sl_error *err)
{
	bool fresh = h->app_id == 0 && h->version == 0 && h->objects == 0;

	if (!fresh && h->app_id != LEDGER_APPLICATION_ID)
		return sl_error_set(
		    err, SL_EENV,
		    "'%s' is not a sluice ledger (it is another "
		    "application's sqlite database): point "
		    "--ledger at the ledger",
		    ledger->db.path);
	if (h->version > (int64_t)SL_ARRAY_SIZE(migrations))
		return sl_error_set(err, SL_EENV,
				    "ledger '%s' has schema version %" PRId64
				    ", newer than this sluice knows (%zu): "
				    "upgrade sluice",
				    ledger->db.path, h->version,
				    SL_ARRAY_SIZE(migrations));
	return 0;
}

/* Applies the migrations the file lacks, all in one transaction. */
static int migrate(struct sl_ledger *ledger, struct sl_error *err)
{
	struct header h = {0, 0, 0};
	struct sl_buf sql = SL_BUF_INIT;
	size_t v;
	int ret;

	ret = sl_ledger_begin(ledger, true, err);
	if (ret)
		return ret;
	/* Re-read under the write lock: another process may have migrated. */
	ret = read_header(&h, ledger, err);
	if (!ret)
		ret = check_header(&h, ledger, err);
	for (v = (size_t)h.version; !ret && v < SL_ARRAY_SIZE(migrations); v++)
		ret = sl_db_exec(&ledger->db, migrations[v],
				 "migrating the schema", err);
	if (!ret && (size_t)h.version < SL_ARRAY_SIZE(migrations)) {
		sl_buf_addf(&sql,
			    "PRAGMA user_version = %zu;"
			    "PRAGMA application_id = %d;",
			    SL_ARRAY_SIZE(migrations), LEDGER_APPLICATION_ID);
		ret = sl_db_exec(&ledger->db, sql.buf, "migrating the schema",
				 err);
	}
	sl_buf_release(&sql);
	return sl_ledger_end(ledger, ret, err);
}

static int open_db(struct sl_ledger *ledger, const char *path, bool create,
		   struct sl_error *err)
{
	struct sl_db_options o = {.create = create,
				  .busy_timeout_ms = ledger->db.busy_timeout_ms,
				  .defensive = true};
	struct header h = {0, 0, 0};
	int ret = sl_db_open(&ledger->db, path, &o, err);

	/* Check what the file is before changing anything in it. */
	if (!ret)
		ret = read_header(&h, ledger, err);
	if (!ret)
		ret = check_header(&h, ledger, err);
	if (!ret)
		ret = sl_db_wal(&ledger->db, err);
	if (!ret)
		ret = sl_db_exec(&ledger->db, "PRAGMA synchronous=FULL",
				 "synchronous", err);
	if (!ret && h.version < (int64_t)SL_ARRAY_SIZE(migrations))
		ret = migrate(ledger, err);
	return ret;
}

static struct sl_ledger *ledger_new(unsigned timeout_ms)
{
	struct sl_ledger *ledger = sl_xcalloc(1, sizeof(*ledger));

	ledger->db.what = "ledger";
	ledger->db.not_a_db_hint = "point --ledger at the ledger";
	ledger->db.corrupt_hint =
	    "no override in it can be trusted; restore it from a backup";
	ledger->db.busy_timeout_ms =
	    timeout_ms ? timeout_ms : SL_LEDGER_BUSY_TIMEOUT_MS;
	return ledger;
}

/*
 * Creates a ledger at path that did not exist: built complete (WAL, schema)
 * under a private name, then linked into place, which fails rather than
 * replaces when another process got there first. So no process ever sees a
 * half-made ledger, or one still in rollback-journal mode.
 */
static int create_fresh(const char *path, unsigned timeout_ms,
			struct sl_error *err)
{
	struct sl_buf tmp = SL_BUF_INIT;
	struct sl_ledger *ledger;
	int ret;

	sl_buf_addf(&tmp, "%s.new-%ld-%" PRIu64, path, (long)getpid(),
		    sl_now_ms());
	ledger = ledger_new(timeout_ms);
	ret = open_db(ledger, tmp.buf, true, err);
	/* The last close checkpoints and removes the -wal and -shm files. */
	sl_ledger_free(ledger);
	if (!ret && link(tmp.buf, path) && errno != EEXIST)
		ret =
		    sl_error_set(err, SL_EENV, "cannot create ledger '%s': %s",
				 path, strerror(errno));
	unlink(tmp.buf);
	sl_buf_release(&tmp);
	return ret;
}

int sl_ledger_open(struct sl_ledger **out, const char *path,
		   const struct sl_ledger_options *opts, struct sl_error *err)
{
	struct sl_ledger_options defaults = SL_LEDGER_OPTIONS_INIT;
	struct sl_ledger *ledger;
	int ret;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (!path || !*path)
		return sl_error_set(err, SL_EUSAGE, "no ledger path given");
	ret = check_path(path, opts->create, err);
	if (ret == 1)
		ret = create_fresh(path, opts->busy_timeout_ms, err);
	if (ret)
		return ret;
	ledger = ledger_new(opts->busy_timeout_ms);
	ret = open_db(ledger, path, opts->create, err);
	if (ret) {
		sl_ledger_free(ledger);
		return ret;
	}
	*out = ledger;
	return 0;
}

void sl_ledger_free(struct sl_ledger *ledger)
{
	if (!ledger)
		return;
	sqlite3_finalize(ledger->append_st);
	sqlite3_finalize(ledger->head_st);
	sl_db_close(&ledger->db);
	free(ledger);
}

const char *sl_ledger_path(const struct sl_ledger *ledger)
{
	return ledger->db.path;
}

/* ---- transactions ----------------------------------------------------- */

int sl_ledger_begin(struct sl_ledger *ledger, bool write, struct sl_error *err)
{
	return sl_db_exec(&ledger->db,
			  write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED",
			  "starting a transaction", err);
}

int sl_ledger_end(struct sl_ledger *ledger, int ret, struct sl_error *err)
{
	if (!sqlite3_get_autocommit(ledger->db.handle) && !ret)
		ret = sl_db_exec(&ledger->db, "COMMIT", "committing", err);
	/* A failed COMMIT leaves the transaction open: end it too. */
	if (!sqlite3_get_autocommit(ledger->db.handle))
		sqlite3_exec(ledger->db.handle, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

/* ---- statements -------------------------------------------------------- */

static const char *const event_columns[] = {
    "seq",    "kind",	   "override_id", "at",	       "actor",
    "reason", "gate",	   "commit_id",	  "gate_hash", "expires_at",
    "run_id", "signature", "prev_hash",	  "hash",
};

/* A text column as an owned string; NULL when it is not clean text. */
static char *column_text(sqlite3_stmt *st, int col)
{
	const unsigned char *text;
	int len;

	if (sqlite3_column_type(st, col) != SQLITE_TEXT)
		return NULL;
	text = sqlite3_column_text(st, col);
	len = sqlite3_column_bytes(st, col);
	if (!text || memchr(text, '\0', (size_t)len))
		return NULL;
	return sl_xmemdupz(text, (size_t)len);
}

static bool column_int(int64_t *out, sqlite3_stmt *st, int col)
{
	*out = sqlite3_column_int64(st, col);
	return sqlite3_column_type(st, col) == SQLITE_INTEGER;
}

static bool column_hash(char out[SL_HASH_HEX_SIZE], sqlite3_stmt *st, int col)
{
	char *text = column_text(st, col);
	bool ok = text && strlen(text) < SL_HASH_HEX_SIZE;

	memset(out, 0, SL_HASH_HEX_SIZE);
	if (ok)
		memcpy(out, text, strlen(text));
	free(text);
	return ok;
}

/* Reads one row into ev; returns the first bad column's index, or -1. */
static int read_event(struct sl_ledger_event *ev, sqlite3_stmt *st)
{
	char **text[] = {&ev->actor, &ev->reason, &ev->gate, &ev->commit,
			 &ev->gate_hash};
	char *kind;
	int bad = -1, i;

	if (!column_int(&ev->seq, st, 0))
		bad = 0;
	kind = column_text(st, 1);
	if ((!kind || sl_ledger_kind_parse(&ev->kind, kind)) && bad < 0)
		bad = 1;
	free(kind);
	if (!column_int(&ev->override_id, st, 2) && bad < 0)
		bad = 2;
	if (!column_int(&ev->at, st, 3) && bad < 0)
		bad = 3;
	for (i = 0; i < 5; i++) {
		*text[i] = column_text(st, 4 + i);
		if (!*text[i] && bad < 0)
			bad = 4 + i;
	}
	if (!column_int(&ev->expires_at, st, 9) && bad < 0)
		bad = 9;
	ev->run_id = column_text(st, 10);
	if (!ev->run_id && bad < 0)
		bad = 10;
	ev->signature = column_text(st, 11);
	if (!ev->signature && bad < 0)
		bad = 11;
	if (!column_hash(ev->prev_hash, st, 12) && bad < 0)
		bad = 12;
	if (!column_hash(ev->hash, st, 13) && bad < 0)
		bad = 13;
	return bad;
}

/* Strings a malformed row lacks become "" so later code need not check. */
static void fill_missing(struct sl_ledger_event *ev)
{
	char **text[] = {&ev->actor,	&ev->reason,	&ev->gate,
			 &ev->commit,	&ev->gate_hash, &ev->run_id,
			 &ev->signature};
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(text); i++)
		if (!*text[i])
			*text[i] = sl_xstrdup("");
}

int sl_ledger_load(struct sl_ledger_log *out, struct sl_ledger_report *report,
		   struct sl_ledger *ledger, struct sl_error *err)
{
	static const char sql[] =
	    "SELECT seq, kind, override_id, at, actor, reason, gate, "
	    "commit_id, gate_hash, expires_at, run_id, signature, prev_hash, "
	    "hash FROM events ORDER BY seq";
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(ledger->db.handle, sql, -1, &st, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sl_ledger_event *ev = sl_ledger_log_push(out);
		int bad = read_event(ev, st);

		fill_missing(ev);
		if (bad >= 0 && !report->bad_seq) {
			report->bad_seq = ev->seq ? ev->seq : (int64_t)out->n;
			sl_buf_addf(&report->problem,
				    "event %" PRId64 " is malformed: its '%s' "
				    "has the wrong type or content",
				    report->bad_seq, event_columns[bad]);
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sl_ledger_db_error(ledger, rc, "reading events", err);
	return 0;
}

/*
 * The statement sql, prepared once into *slot and reset for another use
 * (sqlite finalizes it with the ledger). SQLITE_OK or sqlite's error.
 */
static int cached(sqlite3_stmt **slot, struct sl_ledger *ledger,
		  const char *sql)
{
	if (*slot) {
		sqlite3_reset(*slot);
		sqlite3_clear_bindings(*slot);
		return SQLITE_OK;
	}
	return sqlite3_prepare_v3(ledger->db.handle, sql, -1,
				  SQLITE_PREPARE_PERSISTENT, slot, NULL);
}

int sl_ledger_load_head(int64_t *count, char hash[SL_HASH_HEX_SIZE],
			struct sl_ledger *ledger, struct sl_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = cached(&ledger->head_st, ledger,
			"SELECT count, hash FROM chain_head");
	int rows = 0;

	st = ledger->head_st;
	*count = -1;
	memset(hash, 0, SL_HASH_HEX_SIZE);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rows++;
		if (!column_int(count, st, 0) || !column_hash(hash, st, 1))
			*count = -1;
		rc = SQLITE_OK;
	}
	if (st)
		sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sl_ledger_db_error(ledger, rc, "reading the chain head",
					  err);
	if (rows != 1)
		*count = -1;
	return 0;
}

int sl_ledger_quick_check(struct sl_buf *problem, struct sl_ledger *ledger,
			  struct sl_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(ledger->db.handle, "PRAGMA quick_check", -1,
				    &st, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *line = sqlite3_column_text(st, 0);

		if (line && strcmp((const char *)line, "ok")) {
			if (problem->len)
				sl_buf_adds(problem, "; ");
			sl_buf_adds(problem, (const char *)line);
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sl_ledger_db_error(ledger, rc, "checking integrity",
					  err);
	return 0;
}

static void bind_event(sqlite3_stmt *st, const struct sl_ledger_event *ev)
{
	sqlite3_bind_int64(st, 1, ev->seq);
	sqlite3_bind_text(st, 2, sl_ledger_kind_name(ev->kind), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ev->override_id);
	sqlite3_bind_int64(st, 4, ev->at);
	sqlite3_bind_text(st, 5, ev->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, ev->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, ev->gate, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, ev->commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, ev->gate_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, ev->expires_at);
	sqlite3_bind_text(st, 11, ev->run_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, ev->signature, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, ev->prev_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, ev->hash, -1, SQLITE_STATIC);
}

int sl_ledger_append(struct sl_ledger *ledger, struct sl_ledger_event *ev,
		     struct sl_error *err)
{
	static const char sql[] =
	    "INSERT INTO events (seq, kind, override_id, at, actor, reason, "
	    "gate, commit_id, gate_hash, expires_at, run_id, signature, "
	    "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?)";
	sqlite3_stmt *st = NULL;
	int64_t count;
	int rc, ret;

	ret = sl_ledger_load_head(&count, ev->prev_hash, ledger, err);
	if (ret)
		return ret;
	if (count < 0)
		return sl_error_set(err, SL_EENV,
				    "ledger '%s' is damaged: its chain head is "
				    "missing or malformed",
				    ledger->db.path);
	ev->seq = count + 1;
	if (ev->kind == SL_LEDGER_REQUEST)
		ev->override_id = ev->seq;
	sl_ledger_event_hash(ev->hash, ev);
	rc = cached(&ledger->append_st, ledger, sql);
	st = ledger->append_st;
	if (rc == SQLITE_OK) {
		bind_event(st, ev);
		rc = sqlite3_step(st);
		/* The bindings borrow ev's strings: let go of them now. */
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	if (rc != SQLITE_DONE)
		return sl_ledger_db_error(ledger, rc, "recording an event",
					  err);
	return 0;
}
