/*
 * override_state.c: the state machine of an override, and the read side of
 * the ledger. An override's state is never stored: it is the replay of its
 * events, in chain order (docs/overrides.md, "The state machine"):
 *
 *   request -> requested --approve--> approved --revoke--> revoked
 *                        \--deny----> denied
 *   requested and approved turn expired at expires_at; nothing leaves
 *   denied, revoked or expired. "applied" events (a run used the override)
 *   need an approved, unexpired override and change nothing.
 *
 * Who may take a step is override_policy.c's question; here only whether
 * the step exists.
 */
#include "common/common.h"

#include "gates/ledger_internal.h"

enum sl_override_state sl_ledger_state_at(const struct sl_override *ov,
					  int64_t now)
{
	if ((ov->state == SL_OVERRIDE_REQUESTED ||
	     ov->state == SL_OVERRIDE_APPROVED) &&
	    now >= ov->expires_at)
		return SL_OVERRIDE_EXPIRED;
	return ov->state;
}

struct sl_override *sl_ledger_find(const struct sl_override_list *list,
				   int64_t id)
{
	size_t lo = 0, hi = list->n;

	/* Ids are request seqs: the list is sorted by construction. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (list->items[mid].id == id)
			return &list->items[mid];
		if (list->items[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void add_request(struct sl_override_list *list,
			const struct sl_ledger_event *ev)
{
	struct sl_override *ov;

	SL_ALLOC_GROW(list->items, list->n + 1, list->alloc);
	ov = &list->items[list->n++];
	memset(ov, 0, sizeof(*ov));
	ov->id = ev->seq;
	ov->gate = sl_xstrdup(ev->gate);
	ov->commit = sl_xstrdup(ev->commit);
	memcpy(ov->gate_hash, ev->gate_hash,
	       strlen(ev->gate_hash) < SL_HASH_HEX_SIZE ? strlen(ev->gate_hash)
							: 0);
	ov->requested_by = sl_xstrdup(ev->actor);
	ov->reason = sl_xstrdup(ev->reason);
	ov->requested_at = ev->at;
	ov->expires_at = ev->expires_at;
	ov->state = SL_OVERRIDE_REQUESTED;
}

/* Which state a kind of step starts from. */
static enum sl_override_state step_from(enum sl_ledger_kind kind)
{
	return kind == SL_LEDGER_APPROVE || kind == SL_LEDGER_DENY
		   ? SL_OVERRIDE_REQUESTED
		   : SL_OVERRIDE_APPROVED;
}

static void take_step(struct sl_override *ov, const struct sl_ledger_event *ev)
{
	switch (ev->kind) {
	case SL_LEDGER_APPROVE:
	case SL_LEDGER_DENY:
		ov->state = ev->kind == SL_LEDGER_APPROVE ? SL_OVERRIDE_APPROVED
							  : SL_OVERRIDE_DENIED;
		ov->decided_by = sl_xstrdup(ev->actor);
		ov->decision_reason = sl_xstrdup(ev->reason);
		ov->decided_at = ev->at;
		ov->decision_signature = sl_xstrdup(ev->signature);
		ov->decision_signed = *ev->signature != '\0';
		break;
	case SL_LEDGER_REVOKE:
		ov->state = SL_OVERRIDE_REVOKED;
		ov->revoked_by = sl_xstrdup(ev->actor);
		ov->revoke_reason = sl_xstrdup(ev->reason);
		ov->revoked_at = ev->at;
		break;
	case SL_LEDGER_APPLIED:
		ov->applied++;
		break;
	case SL_LEDGER_REQUEST:
		break;
	}
}

/* "it approves", "it denies": the verb of a step, for messages. */
static const char *step_verb(enum sl_ledger_kind kind)
{
	static const char *const verbs[] = {"requests", "approves", "denies",
					    "revokes", "applies"};

	return (size_t)kind < SL_ARRAY_SIZE(verbs) ? verbs[kind] : "takes";
}

int sl_ledger_step(struct sl_override *ov, const struct sl_ledger_event *ev,
		   struct sl_buf *problem)
{
	enum sl_override_state from = step_from(ev->kind);

	if (ev->kind == SL_LEDGER_REQUEST) {
		sl_buf_addf(problem, "override %" PRId64 " is requested twice",
			    ov->id);
		return -1;
	}
	/*
	 * A run records "applied" when a gate fails, under the approval it
	 * verified before it ran; a revoke made after that time may reach
	 * the shared ledger first. The record stays a legal step.
	 */
	if (ev->kind == SL_LEDGER_APPLIED && ov->state == SL_OVERRIDE_REVOKED &&
	    ev->at < ov->revoked_at)
		from = SL_OVERRIDE_REVOKED;
	if (ov->state != from) {
		sl_buf_addf(problem,
			    "it %s override %" PRId64 ", which is %s, not %s",
			    step_verb(ev->kind), ov->id,
			    sl_override_state_name(ov->state),
			    sl_override_state_name(from));
		return -1;
	}
	if (ev->at >= ov->expires_at) {
		sl_buf_addf(problem,
			    "it %s override %" PRId64 " after it expired",
			    step_verb(ev->kind), ov->id);
		return -1;
	}
	if (ev->kind == SL_LEDGER_APPLIED &&
	    (strcmp(ev->gate, ov->gate) || strcmp(ev->commit, ov->commit))) {
		sl_buf_addf(problem,
			    "it applies override %" PRId64 " to another gate "
			    "or commit than the one requested",
			    ov->id);
		return -1;
	}
	take_step(ov, ev);
	return 0;
}

int sl_ledger_fold_one(struct sl_override_list *list,
		       const struct sl_ledger_event *ev, struct sl_buf *problem)
{
	struct sl_override *ov;

	if (ev->kind == SL_LEDGER_REQUEST) {
		add_request(list, ev);
		return 0;
	}
	ov = sl_ledger_find(list, ev->override_id);
	if (!ov) {
		sl_buf_addf(problem,
			    "it refers to override %" PRId64
			    ", which was never requested",
			    ev->override_id);
		return -1;
	}
	return sl_ledger_step(ov, ev, problem);
}

int sl_ledger_fold(struct sl_override_list *out, int64_t *bad_seq,
		   struct sl_buf *problem, const struct sl_ledger_log *log,
		   int64_t now)
{
	size_t i;

	for (i = 0; i < log->n; i++) {
		if (sl_ledger_fold_one(out, &log->events[i], problem)) {
			*bad_seq = log->events[i].seq;
			return -1;
		}
	}
	for (i = 0; i < out->n; i++)
		out->items[i].state = sl_ledger_state_at(&out->items[i], now);
	return 0;
}

/* ---- reading ---------------------------------------------------------- */

int sl_ledger_load_folded(struct sl_override_list *out,
			  struct sl_ledger_log *log, struct sl_ledger *ledger,
			  int64_t now, struct sl_error *err)
{
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	struct sl_ledger_log own = SL_LEDGER_LOG_INIT;
	struct sl_buf why = SL_BUF_INIT;
	int64_t bad_seq = 0;
	int ret;

	if (!log)
		log = &own;
	ret = sl_ledger_verified_load(log, &report, ledger, err);
	/* Verification replayed the same events: this cannot fail. */
	if (!ret && sl_ledger_fold(out, &bad_seq, &why, log, now))
		ret = sl_error_set(err, SL_EENV,
				   "ledger '%s': event %" PRId64 ": %s",
				   ledger->db.path, bad_seq, why.buf);
	sl_ledger_log_release(&own);
	sl_ledger_report_release(&report);
	sl_buf_release(&why);
	return ret;
}

/* A read transaction over the verified ledger, folded at now. */
static int load_folded(struct sl_override_list *out, struct sl_ledger *ledger,
		       int64_t now, struct sl_error *err)
{
	int ret = sl_ledger_begin(ledger, false, err);

	if (!ret)
		ret = sl_ledger_load_folded(out, NULL, ledger,
					    sl_ledger_now(now), err);
	return sl_ledger_end(ledger, ret, err);
}

int sl_ledger_get(struct sl_override *out, struct sl_ledger *ledger, int64_t id,
		  int64_t now, struct sl_error *err)
{
	struct sl_override_list all = SL_OVERRIDE_LIST_INIT;
	const struct sl_override *ov;
	int ret = load_folded(&all, ledger, now, err);

	if (!ret) {
		ov = sl_ledger_find(&all, id);
		if (ov)
			sl_ledger_override_copy(out, ov);
		else
			ret = sl_error_set(err, SL_ENOTFOUND,
					   "unknown override %" PRId64
					   ": 'sluice override list --all' "
					   "shows them",
					   id);
	}
	sl_override_list_release(&all);
	return ret;
}

static bool listed(const struct sl_override *ov,
		   const struct sl_ledger_list_options *opts)
{
	if (opts->gate && strcmp(opts->gate, ov->gate))
		return false;
	return opts->all || ov->state == SL_OVERRIDE_REQUESTED ||
	       ov->state == SL_OVERRIDE_APPROVED;
}

int sl_ledger_list(struct sl_override_list *out, struct sl_ledger *ledger,
		   const struct sl_ledger_list_options *opts,
		   struct sl_error *err)
{
	struct sl_ledger_list_options defaults = SL_LEDGER_LIST_OPTIONS_INIT;
	struct sl_override_list all = SL_OVERRIDE_LIST_INIT;
	size_t i;
	int ret;

	if (!opts)
		opts = &defaults;
	ret = load_folded(&all, ledger, opts->now, err);
	for (i = 0; !ret && i < all.n; i++) {
		if (!listed(&all.items[i], opts))
			continue;
		SL_ALLOC_GROW(out->items, out->n + 1, out->alloc);
		sl_ledger_override_copy(&out->items[out->n++], &all.items[i]);
	}
	sl_override_list_release(&all);
	return ret;
}

int sl_ledger_log(struct sl_ledger_log *out, struct sl_ledger *ledger,
		  int64_t id, struct sl_error *err)
{
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	int ret = sl_ledger_begin(ledger, false, err);
	bool found = false;
	size_t i;

	if (!ret)
		ret = sl_ledger_verified_load(&log, &report, ledger, err);
	ret = sl_ledger_end(ledger, ret, err);
	for (i = 0; !ret && i < log.n; i++) {
		if (id > 0 && log.events[i].override_id != id)
			continue;
		sl_ledger_event_copy(sl_ledger_log_push(out), &log.events[i]);
		found = true;
	}
	if (!ret && id > 0 && !found)
		ret = sl_error_set(err, SL_ENOTFOUND,
				   "unknown override %" PRId64
				   ": 'sluice override list --all' shows them",
				   id);
	sl_ledger_log_release(&log);
	sl_ledger_report_release(&report);
	return ret;
}
