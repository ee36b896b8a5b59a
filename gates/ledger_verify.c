/*
 * ledger_verify.c: checking the override ledger's integrity. Recomputes
 * every event's hash over its canonical form, follows the chain of previous
 * hashes and sequence numbers, compares its end with the chain head witness,
 * checks each event's fields and replays the state machine; the first
 * failure names the event and why. What it can and cannot detect is written
 * down in docs/overrides.md ("What the chain guarantees").
 */
#include "common/common.h"

#include "gates/ledger_internal.h"

static bool empty(const char *s)
{
	return !s || !*s;
}

/* Does a request event carry what a request must, and only that? */
static bool request_fields_ok(const struct sl_ledger_event *ev)
{
	return ev->override_id == ev->seq &&
	       !sl_ledger_check_identity(ev->actor, "requester", NULL) &&
	       !sl_ledger_check_reason(ev->reason, NULL) &&
	       !sl_ledger_check_gate(ev->gate, NULL) &&
	       !sl_ledger_check_commit(ev->commit, NULL) &&
	       !sl_ledger_check_gate_hash(ev->gate_hash, NULL) &&
	       ev->expires_at > ev->at &&
	       ev->expires_at - ev->at <= SL_OVERRIDE_EXPIRY_MAX &&
	       empty(ev->run_id) && empty(ev->signature);
}

static bool decision_fields_ok(const struct sl_ledger_event *ev)
{
	return !sl_ledger_check_identity(ev->actor, "actor", NULL) &&
	       !sl_ledger_check_reason(ev->reason, NULL) && empty(ev->gate) &&
	       empty(ev->commit) && empty(ev->gate_hash) &&
	       ev->expires_at == 0 && empty(ev->run_id) &&
	       strlen(ev->signature) <= LEDGER_SIGNATURE_MAX;
}

/*
 * An "applied" event's reason is empty, or the merge commit the run tested
 * when the override was for that commit's second parent (a pull request's
 * head, docs/overrides.md).
 */
static bool applied_fields_ok(const struct sl_ledger_event *ev)
{
	return (empty(ev->actor) ||
		!sl_ledger_check_identity(ev->actor, "actor", NULL)) &&
	       (empty(ev->reason) ||
		!sl_ledger_check_commit(ev->reason, NULL)) &&
	       !sl_ledger_check_gate(ev->gate, NULL) &&
	       !sl_ledger_check_commit(ev->commit, NULL) &&
	       empty(ev->gate_hash) && ev->expires_at == 0 &&
	       !empty(ev->run_id) && strlen(ev->run_id) <= LEDGER_RUN_ID_MAX &&
	       empty(ev->signature);
}

static bool fields_ok(const struct sl_ledger_event *ev)
{
	if (ev->kind != SL_LEDGER_REQUEST &&
	    (ev->override_id <= 0 || ev->override_id >= ev->seq))
		return false;
	switch (ev->kind) {
	case SL_LEDGER_REQUEST:
		return request_fields_ok(ev);
	case SL_LEDGER_APPROVE:
	case SL_LEDGER_DENY:
	case SL_LEDGER_REVOKE:
		return decision_fields_ok(ev);
	case SL_LEDGER_APPLIED:
		return applied_fields_ok(ev);
	}
	return false;
}

static void bad(struct sl_ledger_report *report, int64_t seq, const char *fmt,
		...) SL_PRINTF(3, 4);

static void bad(struct sl_ledger_report *report, int64_t seq, const char *fmt,
		...)
{
	va_list ap;

	report->bad_seq = seq;
	sl_buf_reset(&report->problem);
	va_start(ap, fmt);
	sl_buf_vaddf(&report->problem, fmt, ap);
	va_end(ap);
}

/* Checks event i of log; returns false (and says why) at the first fault. */
static bool check_event(struct sl_ledger_report *report,
			const struct sl_ledger_log *log, size_t i,
			int64_t malformed)
{
	const struct sl_ledger_event *ev = &log->events[i];
	const char *prev = i ? log->events[i - 1].hash : sl_ledger_zero_hash;
	int64_t want = (int64_t)i + 1;
	char hash[SL_HASH_HEX_SIZE];

	if (ev->seq != want) {
		bad(report, want,
		    "event %" PRId64 " is missing (the chain goes from %" PRId64
		    " to %" PRId64 "): it was deleted",
		    want, want - 1, ev->seq);
		return false;
	}
	if (malformed == ev->seq)
		return false;
	sl_ledger_event_hash(hash, ev);
	if (strcmp(hash, ev->hash)) {
		bad(report, ev->seq,
		    "event %" PRId64 " was altered: its content does not match "
		    "its hash",
		    ev->seq);
		return false;
	}
	if (strcmp(ev->prev_hash, prev)) {
		bad(report, ev->seq,
		    "event %" PRId64 " does not follow event %" PRId64
		    " (its previous hash differs): an event before it was "
		    "altered and re-hashed, removed or moved",
		    ev->seq, ev->seq - 1);
		return false;
	}
	if (!fields_ok(ev)) {
		bad(report, ev->seq,
		    "event %" PRId64 " (%s) has fields a %s event cannot have",
		    ev->seq, sl_ledger_kind_name(ev->kind),
		    sl_ledger_kind_name(ev->kind));
		return false;
	}
	return true;
}

/* Does the end of the chain agree with the chain head witness? */
static bool check_head(struct sl_ledger_report *report,
		       const struct sl_ledger_log *log, int64_t count,
		       const char *head)
{
	int64_t n = (int64_t)log->n;
	const char *last = n ? log->events[n - 1].hash : sl_ledger_zero_hash;

	if (count < 0) {
		bad(report, n + 1, "the chain head is missing or malformed");
		return false;
	}
	if (count == n + 1) {
		bad(report, n + 1,
		    "event %" PRId64 " is missing: the chain head records it, "
		    "so the newest event was deleted",
		    count);
		return false;
	}
	if (count > n) {
		bad(report, n + 1,
		    "events %" PRId64 " to %" PRId64 " are missing: the chain "
		    "head records %" PRId64 " events, so the newest were "
		    "deleted",
		    n + 1, count, count);
		return false;
	}
	if (count < n) {
		bad(report, count + 1,
		    "event %" PRId64 " is not in the chain head (which records "
		    "%" PRId64
		    " events): it was added behind the ledger's back",
		    count + 1, count);
		return false;
	}
	if (strcmp(head, last)) {
		bad(report, n,
		    "event %" PRId64
		    " is not the event the chain head records: "
		    "the newest event was altered or replaced",
		    n);
		return false;
	}
	return true;
}

static bool check_chain(struct sl_ledger_report *report,
			const struct sl_ledger_log *log, int64_t count,
			const char *head)
{
	int64_t malformed = report->bad_seq;
	struct sl_override_list folded = SL_OVERRIDE_LIST_INIT;
	int64_t bad_seq = 0;
	struct sl_buf why = SL_BUF_INIT;
	bool ok = true;
	size_t i;

	for (i = 0; ok && i < log->n; i++)
		ok = check_event(report, log, i, malformed);
	if (ok)
		ok = check_head(report, log, count, head);
	if (ok && sl_ledger_fold(&folded, &bad_seq, &why, log, 1)) {
		bad(report, bad_seq,
		    "event %" PRId64 " is not a legal step: %s", bad_seq,
		    why.buf);
		ok = false;
	}
	sl_override_list_release(&folded);
	sl_buf_release(&why);
	return ok;
}

bool sl_ledger_check_events(struct sl_ledger_report *report,
			    const struct sl_ledger_log *log, size_t from)
{
	struct sl_override_list folded = SL_OVERRIDE_LIST_INIT;
	struct sl_buf why = SL_BUF_INIT;
	int64_t bad_seq = 0;
	bool ok = true;
	size_t i;

	for (i = from; ok && i < log->n; i++)
		ok = check_event(report, log, i, 0);
	if (ok && sl_ledger_fold(&folded, &bad_seq, &why, log, 1)) {
		bad(report, bad_seq,
		    "event %" PRId64 " is not a legal step: %s", bad_seq,
		    why.buf);
		ok = false;
	}
	sl_override_list_release(&folded);
	sl_buf_release(&why);
	return ok;
}

int sl_ledger_verified_load(struct sl_ledger_log *log,
			    struct sl_ledger_report *report,
			    struct sl_ledger *ledger, struct sl_error *err)
{
	struct sl_buf integrity = SL_BUF_INIT;
	char head[SL_HASH_HEX_SIZE];
	int64_t count;
	int ret;

	report->events = 0;
	report->bad_seq = 0;
	memcpy(report->head, sl_ledger_zero_hash, SL_HASH_HEX_SIZE);
	sl_buf_reset(&report->problem);
	ret = sl_ledger_quick_check(&integrity, ledger, err);
	if (!ret && integrity.len)
		ret =
		    sl_error_set(err, SL_EENV,
				 "ledger '%s' is corrupt (%s): no override in "
				 "it can be trusted; restore it from a backup",
				 ledger->db.path, integrity.buf);
	sl_buf_release(&integrity);
	if (!ret)
		ret = sl_ledger_load(log, report, ledger, err);
	if (!ret)
		ret = sl_ledger_load_head(&count, head, ledger, err);
	if (ret)
		return ret;
	if (!check_chain(report, log, count, head))
		return sl_error_set(err, SL_EENV,
				    "ledger '%s' fails verification: %s; no "
				    "override in it can be trusted (see "
				    "docs/overrides.md)",
				    ledger->db.path, report->problem.buf);
	report->events = (int64_t)log->n;
	if (log->n)
		memcpy(report->head, log->events[log->n - 1].hash,
		       SL_HASH_HEX_SIZE);
	return 0;
}

/* Parses "SEQ:HASH". */
static int parse_anchor(int64_t *seq, const char **hash, const char *anchor,
			struct sl_error *err)
{
	char *end = NULL;
	long long n;

	errno = 0;
	n = strtoll(anchor, &end, 10);
	if (errno || n < 0 || end == anchor || *end != ':' ||
	    !sl_ledger_is_hex(end + 1, 64))
		return sl_error_set(err, SL_EUSAGE,
				    "'%s' is not a ledger anchor: give "
				    "SEQ:HASH as 'override verify' printed it",
				    anchor);
	*seq = n;
	*hash = end + 1;
	return 0;
}

static int check_anchor(struct sl_ledger_report *report,
			const struct sl_ledger_log *log, const char *anchor,
			struct sl_ledger *ledger, struct sl_error *err)
{
	const char *hash = NULL;
	const char *have;
	int64_t seq = 0;
	int ret = parse_anchor(&seq, &hash, anchor, err);

	if (ret)
		return ret;
	if (seq > (int64_t)log->n) {
		bad(report, seq,
		    "the anchor names event %" PRId64 " but the ledger holds "
		    "%zu: events were deleted",
		    seq, log->n);
	} else {
		have = seq ? log->events[seq - 1].hash : sl_ledger_zero_hash;
		if (!strcmp(have, hash))
			return 0;
		bad(report, seq,
		    "event %" PRId64 " is not the event the anchor pinned: the "
		    "chain up to it was rewritten",
		    seq);
	}
	return sl_error_set(err, SL_EENV,
			    "ledger '%s' fails verification: %s; no override "
			    "in it can be trusted",
			    ledger->db.path, report->problem.buf);
}

int sl_ledger_verify(struct sl_ledger_report *out, struct sl_ledger *ledger,
		     const char *anchor, struct sl_error *err)
{
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	int ret = sl_ledger_begin(ledger, false, err);

	if (!ret)
		ret = sl_ledger_verified_load(&log, out, ledger, err);
	if (!ret && anchor)
		ret = check_anchor(out, &log, anchor, ledger, err);
	ret = sl_ledger_end(ledger, ret, err);
	sl_ledger_log_release(&log);
	return ret;
}

int sl_ledger_anchor(struct sl_buf *out, struct sl_ledger *ledger,
		     struct sl_error *err)
{
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	int ret = sl_ledger_verify(&report, ledger, NULL, err);

	if (!ret)
		sl_buf_addf(out, "%" PRId64 ":%s", report.events, report.head);
	sl_ledger_report_release(&report);
	return ret;
}
