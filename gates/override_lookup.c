/*
 * override_lookup.c: what a run asks the ledger. Finds the override that
 * lets one gate's failure at one commit pass, re-checking it against the
 * trusted rules of the run (a decision that no longer holds under them does
 * not apply), and records that a run applied it, once its gates ran, as a
 * legal step of the ledger as it is then. When none applies, says why for
 * the nearest candidate, so that a developer learns that the push or the
 * gate edit voided it, or that it expired. When to ask (before the first
 * gate) is override_trust.c's.
 */
#include "common/common.h"

#include "gates/ledger_internal.h"

/* A run id: 1 to LEDGER_RUN_ID_MAX bytes of UTF-8 without controls. */
static bool run_id_ok(const char *id)
{
	size_t len = id ? strlen(id) : 0;
	size_t i;

	if (!len || len > LEDGER_RUN_ID_MAX || !sl_utf8_valid(id, len))
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)id[i] < ' ' || id[i] == 0x7f)
			return false;
	return true;
}

static int check_query(const struct sl_override_query *q, bool apply,
		       struct sl_error *err)
{
	int ret = sl_ledger_check_gate(q->gate, err);

	if (!ret)
		ret = sl_ledger_check_commit(q->commit, err);
	if (!ret && q->merged)
		ret = sl_ledger_check_commit(q->merged, err);
	if (!ret)
		ret = sl_ledger_check_gate_hash(q->gate_hash, err);
	if (ret || !apply)
		return ret;
	if (!run_id_ok(q->run_id))
		return sl_error_set(err, SL_EUSAGE,
				    "a run id (printable, at most %d bytes) is "
				    "required to apply an override",
				    LEDGER_RUN_ID_MAX);
	if (q->actor && *q->actor)
		return sl_ledger_check_identity(q->actor, "the run's actor",
						err);
	return 0;
}

/*
 * How far ov goes toward applying to q (its gate already matches): 0 another
 * commit, 1 another gate definition, 2 not active, 3 active. Says why not.
 */
static int match_depth(const struct sl_override *ov,
		       const struct sl_override_query *q, int64_t now,
		       struct sl_buf *why)
{
	if (strcmp(ov->commit, q->commit) &&
	    (!q->merged || strcmp(ov->commit, q->merged))) {
		sl_buf_addf(why,
			    "override %" PRId64 " is for commit %.12s, not ",
			    ov->id, ov->commit);
		if (q->merged)
			sl_buf_addf(why, "%.12s or the head it merges, %.12s",
				    q->commit, q->merged);
		else
			sl_buf_addf(why, "%.12s", q->commit);
		sl_buf_adds(why, ": a new commit voids an override");
		return 0;
	}
	if (strcmp(ov->gate_hash, q->gate_hash)) {
		sl_buf_addf(why,
			    "override %" PRId64 " is for another definition "
			    "of gate '%s': editing a gate voids its overrides",
			    ov->id, ov->gate);
		return 1;
	}
	switch (sl_ledger_state_at(ov, now)) {
	case SL_OVERRIDE_APPROVED:
		return 3;
	case SL_OVERRIDE_EXPIRED:
		sl_buf_addf(why, "override %" PRId64 " expired at ", ov->id);
		sl_override_time_format(why, ov->expires_at);
		break;
	default:
		sl_buf_addf(
		    why, "override %" PRId64 " is %s", ov->id,
		    sl_override_state_name(sl_ledger_state_at(ov, now)));
		break;
	}
	return 2;
}

/* Does ov's approval still hold under policy? 0, SL_EREFUSED or SL_EENV. */
static int still_holds(const struct sl_override *ov,
		       const struct sl_override_policy *policy,
		       struct sl_buf *why, struct sl_error *err)
{
	struct sl_override_decision approval = {0};
	struct sl_error e = SL_ERROR_INIT;
	int ret;

	approval.kind = SL_LEDGER_APPROVE;
	approval.id = ov->id;
	approval.actor = ov->decided_by;
	approval.reason = ov->decision_reason;
	approval.signature = ov->decision_signature;
	approval.now = ov->decided_at;
	ret = sl_ledger_authorize(ov, &approval, policy, &e);
	if (ret == SL_EREFUSED)
		sl_buf_addf(why,
			    "override %" PRId64 " does not hold under the "
			    "trusted rules: %s",
			    ov->id, sl_error_message(&e));
	else if (ret)
		sl_error_set(err, ret, "%s", sl_error_message(&e));
	sl_error_release(&e);
	return ret;
}

int sl_override_find(struct sl_override **out,
		     const struct sl_override_list *list,
		     const struct sl_override_query *q,
		     const struct sl_override_policy *policy,
		     struct sl_error *err)
{
	struct sl_buf why = SL_BUF_INIT, best_why = SL_BUF_INIT;
	int64_t now = sl_ledger_now(q->now);
	int best = -1, depth, ret = 0;
	size_t i;

	*out = NULL;
	/* Newest first: the latest approval wins. */
	for (i = list->n; i-- > 0 && !ret;) {
		struct sl_override *ov = &list->items[i];

		if (strcmp(ov->gate, q->gate))
			continue;
		sl_buf_reset(&why);
		depth = match_depth(ov, q, now, &why);
		if (depth == 3) {
			ret = still_holds(ov, policy, &why, err);
			if (!ret) {
				*out = ov;
				break;
			}
			if (ret == SL_EREFUSED)
				ret = 0;
		}
		if (depth > best) {
			best = depth;
			sl_buf_reset(&best_why);
			sl_buf_add(&best_why, why.buf, why.len);
		}
	}
	if (!ret && !*out && best < 0)
		ret = sl_error_set(err, SL_ENOTFOUND,
				   "no override was requested for gate '%s'",
				   q->gate);
	else if (!ret && !*out)
		ret = sl_error_set(err, SL_ENOTFOUND, "%s", best_why.buf);
	sl_buf_release(&why);
	sl_buf_release(&best_why);
	return ret;
}

/* Inside a transaction: the override for q, under policy as given. */
static int lookup(struct sl_override *out, struct sl_ledger *ledger,
		  const struct sl_override_query *q,
		  const struct sl_override_policy *policy, struct sl_error *err)
{
	struct sl_override_list list = SL_OVERRIDE_LIST_INIT;
	struct sl_override *ov = NULL;
	int ret = sl_ledger_load_folded(&list, NULL, ledger,
					sl_ledger_now(q->now), err);

	if (!ret)
		ret = sl_override_find(&ov, &list, q, policy, err);
	if (!ret)
		sl_ledger_override_copy(out, ov);
	sl_override_list_release(&list);
	return ret;
}

/*
 * Inside a write transaction: records that q->run_id applied override id
 * (looked up earlier, before the run's gates), against the verified
 * ledger and only as a legal step of it.
 */
static int record_applied(struct sl_override *out, struct sl_ledger *ledger,
			  int64_t id, const struct sl_override_query *q,
			  struct sl_error *err)
{
	struct sl_override_list list = SL_OVERRIDE_LIST_INIT;
	struct sl_ledger_event ev = {0};
	struct sl_buf why = SL_BUF_INIT;
	struct sl_override *ov;
	int64_t now = sl_ledger_now(q->now);
	int ret = sl_ledger_load_folded(&list, NULL, ledger, now, err);
	bool merged;

	ov = ret ? NULL : sl_ledger_find(&list, id);
	merged = ov && q->merged && !strcmp(ov->commit, q->merged) &&
		 strcmp(ov->commit, q->commit);
	if (!ret && (!ov || strcmp(ov->gate, q->gate) ||
		     (strcmp(ov->commit, q->commit) && !merged)))
		ret = sl_error_set(err, SL_EUSAGE,
				   "override %" PRId64 " is not for gate '%s' "
				   "at commit %.12s",
				   id, q->gate, q->commit);
	if (ret)
		goto out;
	ev.kind = SL_LEDGER_APPLIED;
	ev.override_id = id;
	ev.at = now;
	ev.actor = (char *)(q->actor ? q->actor : "");
	ev.gate_hash = ev.signature = (char *)"";
	ev.gate = (char *)q->gate;
	/* The override's own commit; the merge commit tested, when it was
	 * one of it, in the reason. */
	ev.commit = ov->commit;
	ev.reason = (char *)(merged ? q->commit : "");
	ev.run_id = (char *)q->run_id;
	/* What the ledger holds now may differ from what the run judged
	 * (another process wrote since): the step must still be legal. */
	if (sl_ledger_step(ov, &ev, &why))
		ret = sl_error_set(err, SL_EENV,
				   "ledger '%s': cannot record that this run "
				   "applied override %" PRId64 ": %s",
				   ledger->db.path, id, why.buf);
	if (!ret)
		ret = sl_ledger_append(ledger, &ev, err);
	if (!ret && out)
		sl_ledger_override_copy(out, ov);
out:
	sl_override_list_release(&list);
	sl_buf_release(&why);
	return ret;
}

int sl_ledger_lookup(struct sl_override *out, struct sl_ledger *ledger,
		     const struct sl_override_query *query,
		     const struct sl_override_policy *policy,
		     struct sl_error *err)
{
	int ret = check_query(query, false, err);

	if (!ret)
		ret = sl_ledger_begin(ledger, false, err);
	if (!ret)
		ret = lookup(out, ledger, query, policy, err);
	return sl_ledger_end(ledger, ret, err);
}

int sl_ledger_record_applied(struct sl_override *out, struct sl_ledger *ledger,
			     int64_t id, const struct sl_override_query *query,
			     struct sl_error *err)
{
	int ret = check_query(query, true, err);

	if (!ret)
		ret = sl_ledger_begin(ledger, true, err);
	if (!ret)
		ret = record_applied(out, ledger, id, query, err);
	return sl_ledger_end(ledger, ret, err);
}
