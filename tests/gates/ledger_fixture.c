/*
 * ledger_fixture.c: the override ledger tests' shared helpers (see
 * ledger_fixture.h).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <unistd.h>

#include "tests/gates/ledger_fixture.h"
#include "tests/support/sandbox.h"

const char fx_commit[] = "1111111111111111111111111111111111111111";
const char fx_other_commit[] = "2222222222222222222222222222222222222222";
const char fx_commit256[] =
    "3333333333333333333333333333333333333333333333333333333333333333";
const char fx_gate_hash[] =
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const char fx_other_hash[] =
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

struct sl_ledger *fx_open(const char *path)
{
	struct sl_ledger_options opts = SL_LEDGER_OPTIONS_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = NULL;

	opts.create = true;
	if (sl_ledger_open(&ledger, path, &opts, &err))
		fail_msg("open '%s': %s", path, sl_error_message(&err));
	sl_error_release(&err);
	return ledger;
}

/* Paths handed out by fx_ssh_keygen() and fx_abs(), kept until exit. */
static struct sl_strvec kept = SL_STRVEC_INIT;

const char *fx_ssh_keygen(void)
{
	static const char *found;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf path = SL_BUF_INIT;

	if (found)
		return found;
	if (sl_program_resolve(&path, "ssh-keygen", &err))
		fail_msg("%s", sl_error_message(&err));
	sl_strvec_push(&kept, path.buf);
	found = kept.v[kept.n - 1];
	sl_buf_release(&path);
	sl_error_release(&err);
	return found;
}

const char *fx_abs(const char *name)
{
	char cwd[4096];

	if (!getcwd(cwd, sizeof(cwd)))
		fail_msg("getcwd: %s", strerror(errno));
	sl_strvec_pushf(&kept, "%s/%s", cwd, name);
	return kept.v[kept.n - 1];
}

void fx_policy(struct sl_override_policy *policy, const char *approver, ...)
{
	va_list ap;
	const char *a;

	policy->overridable = true;
	policy->ssh_keygen = fx_ssh_keygen();
	va_start(ap, approver);
	for (a = approver; a; a = va_arg(ap, const char *))
		sl_strvec_push(&policy->approvers, a);
	va_end(ap);
}

int64_t fx_request(struct sl_ledger *ledger,
		   const struct sl_override_policy *policy,
		   const char *requester, int64_t now)
{
	struct sl_override_request req = {0};
	struct sl_error err = SL_ERROR_INIT;
	int64_t id = 0;

	req.gate = "billing-unit";
	req.commit = fx_commit;
	req.gate_hash = fx_gate_hash;
	req.requester = requester;
	req.reason = "flaky upstream sandbox";
	req.now = now;
	if (sl_ledger_request(&id, ledger, &req, policy, &err))
		fail_msg("request: %s", sl_error_message(&err));
	sl_error_release(&err);
	return id;
}

int fx_decide(struct sl_ledger *ledger, const struct sl_override_policy *policy,
	      enum sl_ledger_kind kind, int64_t id, const char *actor,
	      int64_t now, struct sl_error *err)
{
	struct sl_override_decision d = {0};

	d.kind = kind;
	d.id = id;
	d.actor = actor;
	d.reason = "looked at the logs: the sandbox is down";
	d.now = now;
	return sl_ledger_decide(NULL, ledger, &d, policy, err);
}

struct sl_override_query fx_query(int64_t now)
{
	struct sl_override_query q = {0};

	q.gate = "billing-unit";
	q.commit = fx_commit;
	q.gate_hash = fx_gate_hash;
	q.now = now;
	return q;
}

size_t fx_events(struct sl_ledger *ledger)
{
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	struct sl_error err = SL_ERROR_INIT;
	size_t n;

	if (sl_ledger_log(&log, ledger, 0, &err))
		fail_msg("log: %s", sl_error_message(&err));
	n = log.n;
	sl_ledger_log_release(&log);
	sl_error_release(&err);
	return n;
}

void fx_keygen(const char *name)
{
	sl_sh_ok("mkdir -p keys && ssh-keygen -q -t ed25519 -N '' -C %s "
		 "-f keys/%s",
		 name, name);
}

void fx_allowed(struct sl_buf *out, const char *principals, const char *name)
{
	struct sl_buf pub = SL_BUF_INIT, path = SL_BUF_INIT;

	sl_buf_addf(&path, "keys/%s.pub", name);
	sl_read_file(&pub, path.buf);
	/* keys/NAME.pub is "TYPE BASE64 COMMENT\n". */
	sl_buf_addf(out, "%s namespaces=\"sluice-override\" %s", principals,
		    pub.buf);
	if (!pub.len || pub.buf[pub.len - 1] != '\n')
		sl_buf_addch(out, '\n');
	sl_buf_release(&pub);
	sl_buf_release(&path);
}

int fx_sql(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc = sqlite3_open(path, &db);

	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	}
	if (msg)
		print_message("# sql: %s\n", msg);
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc;
}

void fx_drop_triggers(const char *path)
{
	assert_int_equal(fx_sql(path, "DROP TRIGGER events_no_update;"
				      "DROP TRIGGER events_no_delete;"
				      "DROP TRIGGER events_extend_head;"
				      "DROP TRIGGER events_move_head;"
				      "DROP TRIGGER head_forward_only;"
				      "DROP TRIGGER head_no_delete;"
				      "DROP TRIGGER head_only_one;"),
			 SQLITE_OK);
}

int fx_apply(struct sl_override *out, struct sl_ledger *ledger,
	     const struct sl_override_query *query,
	     const struct sl_override_policy *policy, struct sl_error *err)
{
	int ret = sl_ledger_lookup(out, ledger, query, policy, err);
	int64_t id = out->id;

	if (ret)
		return ret;
	sl_override_release(out);
	return sl_ledger_record_applied(out, ledger, id, query, err);
}
