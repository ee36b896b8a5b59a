/*
 * override_carry.c: carrying decisions between ledgers. Export reads an
 * override and its decisions out of a ledger; an owner may add a signed
 * decision to that document away from CI (doc_decide); import records a
 * document's decisions in another ledger after every check a direct
 * decision gets, idempotently. The JSON itself is override_doc.c's.
 */
#include "common/common.h"

#include "gates/ledger_internal.h"

static bool is_decision(enum sl_ledger_kind kind)
{
	return kind == SL_LEDGER_APPROVE || kind == SL_LEDGER_DENY ||
	       kind == SL_LEDGER_REVOKE;
}

int sl_ledger_export(struct sl_override_doc *out, struct sl_ledger *ledger,
		     int64_t id, struct sl_error *err)
{
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	struct sl_override_list list = SL_OVERRIDE_LIST_INIT;
	const struct sl_override *ov = NULL;
	size_t i;
	int ret = sl_ledger_begin(ledger, false, err);

	if (!ret)
		ret = sl_ledger_load_folded(&list, &log, ledger,
					    sl_ledger_now(0), err);
	ret = sl_ledger_end(ledger, ret, err);
	if (!ret)
		ov = sl_ledger_find(&list, id);
	if (!ret && !ov)
		ret = sl_error_set(err, SL_ENOTFOUND,
				   "unknown override %" PRId64
				   ": 'sluice override list --all' shows them",
				   id);
	if (!ret) {
		sl_ledger_override_copy(&out->request, ov);
		for (i = 0; i < log.n; i++)
			if (log.events[i].override_id == id &&
			    is_decision(log.events[i].kind))
				sl_ledger_event_copy(
				    sl_ledger_log_push(&out->decisions),
				    &log.events[i]);
	}
	sl_override_list_release(&list);
	sl_ledger_log_release(&log);
	return ret;
}

/* The document's override, its decisions replayed; SL_EUSAGE if illegal. */
static int replay_doc(struct sl_override *ov, const struct sl_override_doc *doc,
		      struct sl_error *err)
{
	struct sl_buf why = SL_BUF_INIT;
	size_t i;
	int ret = 0;

	sl_ledger_override_copy(ov, &doc->request);
	ov->state = SL_OVERRIDE_REQUESTED;
	free(ov->decided_by);
	free(ov->decision_reason);
	free(ov->decision_signature);
	free(ov->revoked_by);
	free(ov->revoke_reason);
	ov->decided_by = ov->decision_reason = ov->decision_signature = NULL;
	ov->revoked_by = ov->revoke_reason = NULL;
	ov->applied = 0;
	for (i = 0; !ret && i < doc->decisions.n; i++)
		if (sl_ledger_step(ov, &doc->decisions.events[i], &why))
			ret = sl_error_set(err, SL_EUSAGE,
					   "the document's decision %zu is not "
					   "a legal step: %s",
					   i + 1, why.buf);
	sl_buf_release(&why);
	return ret;
}

static void push_decision(struct sl_override_doc *doc,
			  const struct sl_override_decision *d)
{
	struct sl_ledger_event *ev = sl_ledger_log_push(&doc->decisions);

	ev->kind = d->kind;
	ev->override_id = d->id;
	ev->at = d->now;
	ev->actor = sl_xstrdup(d->actor);
	ev->reason = sl_xstrdup(d->reason);
	ev->signature = sl_xstrdup(d->signature ? d->signature : "");
	ev->gate = sl_xstrdup("");
	ev->commit = sl_xstrdup("");
	ev->gate_hash = sl_xstrdup("");
	ev->run_id = sl_xstrdup("");
}

int sl_override_doc_decide(struct sl_override_doc *doc,
			   const struct sl_override_decision *decision,
			   const char *ssh_keygen, struct sl_error *err)
{
	struct sl_override_decision d = *decision;
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_buf text = SL_BUF_INIT, sig = SL_BUF_INIT;
	int ret;

	d.now = sl_ledger_now(d.now);
	ret = sl_ledger_check_decision(&d, err);
	if (!ret && d.id != doc->request.id)
		ret = sl_error_set(err, SL_EUSAGE,
				   "the document is for override %" PRId64
				   ", not %" PRId64,
				   doc->request.id, d.id);
	if (!ret)
		ret = replay_doc(&ov, doc, err);
	if (!ret)
		ret = sl_ledger_check_transition(&ov, d.kind, d.now, err);
	if (!ret && d.kind == SL_LEDGER_APPROVE &&
	    sl_override_identity_matches(d.actor, ov.requested_by))
		ret =
		    sl_error_set(err, SL_EREFUSED,
				 "cannot approve override %" PRId64 ": '%s' "
				 "requested it, and nobody approves their own "
				 "request",
				 ov.id, d.actor);
	if (!ret && d.sign_key) {
		sl_override_decision_text(&text, &ov, &d);
		ret = sl_override_sign(&sig, d.sign_key, text.buf, ssh_keygen,
				       d.interactive, err);
		d.signature = sig.buf;
	}
	if (!ret)
		push_decision(doc, &d);
	sl_override_release(&ov);
	sl_buf_release(&text);
	sl_buf_release(&sig);
	return ret;
}

/* ---- import ----------------------------------------------------------- */

/* Is ledger's override ov the request doc was made for? */
static int same_request(const struct sl_override *ov,
			const struct sl_override *r, struct sl_ledger *ledger,
			struct sl_error *err)
{
	const char *differs = NULL;

	if (strcmp(ov->gate, r->gate))
		differs = "gate";
	else if (strcmp(ov->commit, r->commit))
		differs = "commit";
	else if (strcmp(ov->gate_hash, r->gate_hash))
		differs = "gate definition";
	else if (strcmp(ov->requested_by, r->requested_by))
		differs = "requester";
	else if (strcmp(ov->reason, r->reason))
		differs = "reason";
	else if (ov->requested_at != r->requested_at)
		differs = "request time";
	else if (ov->expires_at != r->expires_at)
		differs = "expiry";
	if (!differs)
		return 0;
	return sl_error_set(err, SL_EREFUSED,
			    "override %" PRId64 " in ledger '%s' is not the "
			    "request this document was made for (its %s "
			    "differs)",
			    ov->id, ledger->db.path, differs);
}

/* Does log already hold decision ev? */
static bool holds(const struct sl_ledger_log *log,
		  const struct sl_ledger_event *ev)
{
	size_t i;

	for (i = 0; i < log->n; i++) {
		const struct sl_ledger_event *have = &log->events[i];

		if (have->override_id == ev->override_id &&
		    have->kind == ev->kind && have->at == ev->at &&
		    !strcmp(have->actor, ev->actor) &&
		    !strcmp(have->reason, ev->reason) &&
		    !strcmp(have->signature, ev->signature))
			return true;
	}
	return false;
}

static int import_decisions(struct sl_ledger_import_result *out,
			    struct sl_ledger *ledger,
			    const struct sl_override_doc *doc,
			    const struct sl_override_policy *policy,
			    int64_t now, struct sl_error *err)
{
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	struct sl_override_list list = SL_OVERRIDE_LIST_INIT;
	const struct sl_override *ov = NULL;
	size_t i;
	int ret = sl_ledger_load_folded(&list, &log, ledger, now, err);

	if (!ret)
		ov = sl_ledger_find(&list, doc->request.id);
	if (!ret && !ov)
		ret =
		    sl_error_set(err, SL_EREFUSED,
				 "override %" PRId64 " is not in ledger '%s': "
				 "a document's decisions go to the ledger "
				 "its request was made in",
				 doc->request.id, ledger->db.path);
	if (!ret)
		ret = same_request(ov, &doc->request, ledger, err);
	for (i = 0; !ret && i < doc->decisions.n; i++) {
		const struct sl_ledger_event *ev = &doc->decisions.events[i];
		struct sl_override_decision d = {0};

		if (holds(&log, ev)) {
			out->already++;
			continue;
		}
		d.kind = ev->kind;
		d.id = doc->request.id;
		d.actor = ev->actor;
		d.reason = ev->reason;
		d.signature = *ev->signature ? ev->signature : NULL;
		d.now = ev->at;
		ret = sl_ledger_check_decision(&d, err);
		if (!ret)
			ret = sl_ledger_record_decision(NULL, ledger, &list, &d,
							policy, now, err);
		if (!ret)
			out->recorded++;
	}
	sl_override_list_release(&list);
	sl_ledger_log_release(&log);
	return ret;
}

int sl_ledger_import(struct sl_ledger_import_result *out,
		     struct sl_ledger *ledger,
		     const struct sl_override_doc *doc,
		     const struct sl_override_policy *policy, int64_t now,
		     struct sl_error *err)
{
	int ret;

	out->recorded = out->already = 0;
	ret = sl_ledger_begin(ledger, true, err);
	if (!ret)
		ret = import_decisions(out, ledger, doc, policy,
				       sl_ledger_now(now), err);
	/* All or nothing: a refused decision rolls back the ones before. */
	ret = sl_ledger_end(ledger, ret, err);
	if (ret)
		out->recorded = 0;
	return ret;
}
