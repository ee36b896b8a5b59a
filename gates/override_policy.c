/*
 * override_policy.c: who may do what to an override, and the ledger's write
 * side: request, decide, and the run's lookup and apply. Every input that
 * decides (approvers, overridable, allowed_signers) comes from the caller,
 * read from the trusted base rules; every check runs inside the write
 * transaction against the verified ledger, so two processes cannot both
 * take the same step. Identity rules are in docs/overrides.md ("Who may
 * decide").
 */
#include "common/common.h"

#include "gates/ledger_internal.h"

/* ---- approvers and identities --------------------------------------- */

void sl_override_approvers(struct sl_strvec *out, const struct sl_rules *rules,
			   const struct sl_gate *gate)
{
	const struct sl_strvec *from;
	size_t i;

	if (gate->has_approvers)
		from = &gate->approvers;
	else if (gate->lane != SL_NO_LANE && gate->lane < rules->nlanes)
		from = &rules->lanes[gate->lane].owners;
	else
		from = &rules->global_approvers;
	for (i = 0; i < from->n; i++)
		sl_strvec_push(out, from->v[i]);
}

void sl_override_policy_from_rules(struct sl_override_policy *policy,
				   const struct sl_rules *rules,
				   const struct sl_gate *gate,
				   const char *allowed_signers)
{
	sl_override_approvers(&policy->approvers, rules, gate);
	policy->overridable = gate->overridable;
	free(policy->allowed_signers);
	policy->allowed_signers =
	    allowed_signers ? sl_xstrdup(allowed_signers) : NULL;
}

void sl_override_policy_release(struct sl_override_policy *policy)
{
	sl_strvec_release(&policy->approvers);
	free(policy->allowed_signers);
	policy->allowed_signers = NULL;
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

bool sl_override_identity_matches(const char *identity, const char *entry)
{
	size_t i;

	if (!identity || !entry || !*identity)
		return false;
	/*
	 * GitHub handles, team slugs and email domains ignore case. ASCII
	 * only, whatever the locale: other bytes must be equal.
	 */
	for (i = 0; identity[i] && entry[i]; i++)
		if (ascii_lower((unsigned char)identity[i]) !=
		    ascii_lower((unsigned char)entry[i]))
			return false;
	return identity[i] == entry[i];
}

static bool listed_approver(const struct sl_override_policy *policy,
			    const char *actor)
{
	size_t i;

	for (i = 0; i < policy->approvers.n; i++)
		if (sl_override_identity_matches(actor, policy->approvers.v[i]))
			return true;
	return false;
}

static void join_approvers(struct sl_buf *out,
			   const struct sl_override_policy *policy)
{
	size_t i;

	for (i = 0; i < policy->approvers.n; i++)
		sl_buf_addf(out, "%s%s", i ? ", " : "", policy->approvers.v[i]);
}

/*
 * Does the signature on text also hold for identity (the signing key is
 * listed for it too)? 1, 0, or SL_EENV. Only ssh-keygen's own "does not
 * verify" answer (SL_EREFUSED) is a 0: when it crashes, is killed, times out
 * or exits without a verdict, nobody knows whether the key is listed, and
 * a guess of "not listed" would let a requester approve their own request.
 */
static int key_listed_for(const struct sl_override_policy *policy,
			  const char *identity, const char *signature,
			  const char *text, struct sl_error *err)
{
	struct sl_error why = SL_ERROR_INIT;
	int ret;

	if (sl_ledger_check_identity(identity, "approver", NULL))
		return 0;
	ret = sl_override_check_signature(policy, identity, signature, text,
					  &why);
	if (ret && ret != SL_EREFUSED)
		ret = sl_error_set(err, SL_EENV,
				   "cannot check whether the signing key is "
				   "listed for '%s': %s",
				   identity, sl_error_message(&why));
	sl_error_release(&why);
	if (ret == SL_EREFUSED)
		return 0;
	return ret ? ret : 1;
}

/*
 * May actor approve? Listed literally, or (signatures required) signing with
 * a key allowed_signers also lists for an approver entry: how a team's
 * members prove membership offline. 1, 0 or SL_EENV.
 */
static int is_approver(const struct sl_override_policy *policy,
		       const struct sl_override_decision *d, const char *text,
		       struct sl_error *err)
{
	size_t i;
	int ret;

	if (listed_approver(policy, d->actor))
		return 1;
	if (!policy->allowed_signers)
		return 0;
	for (i = 0; i < policy->approvers.n; i++) {
		ret = key_listed_for(policy, policy->approvers.v[i],
				     d->signature, text, err);
		if (ret)
			return ret;
	}
	return 0;
}

static int check_signature(const struct sl_override *ov,
			   const struct sl_override_decision *d,
			   const struct sl_override_policy *policy,
			   const char *text, struct sl_error *err)
{
	struct sl_error why = SL_ERROR_INIT;
	int ret;

	if (!d->signature || !*d->signature)
		return sl_error_set(
		    err, SL_EREFUSED,
		    "cannot %s override %" PRId64 ": the rules "
		    "name allowed_signers, so decisions must be "
		    "signed: use --sign KEY",
		    sl_ledger_kind_name(d->kind), ov->id);
	ret = sl_override_check_signature(policy, d->actor, d->signature, text,
					  &why);
	if (ret == SL_EREFUSED)
		ret = sl_error_set(err, SL_EREFUSED,
				   "cannot %s override %" PRId64 ": the "
				   "signature is not by a key allowed_signers "
				   "lists for '%s' (%s)",
				   sl_ledger_kind_name(d->kind), ov->id,
				   d->actor, sl_error_message(&why));
	else if (ret)
		ret = sl_error_set(err, ret, "%s", sl_error_message(&why));
	sl_error_release(&why);
	return ret;
}

/* Approve: an approver, not the requester (by name or by key). */
static int authorize_approve(const struct sl_override *ov,
			     const struct sl_override_decision *d,
			     const struct sl_override_policy *policy,
			     const char *text, struct sl_error *err)
{
	struct sl_buf names = SL_BUF_INIT;
	int ret = is_approver(policy, d, text, err);

	if (ret < 0)
		return ret;
	if (!ret && !policy->approvers.n)
		return sl_error_set(
		    err, SL_EREFUSED,
		    "cannot approve override %" PRId64 ": gate "
		    "'%s' has no approvers in the trusted rules",
		    ov->id, ov->gate);
	if (!ret) {
		join_approvers(&names, policy);
		ret =
		    sl_error_set(err, SL_EREFUSED,
				 "cannot approve override %" PRId64 ": '%s' "
				 "is not an approver of gate '%s' (approvers: "
				 "%s)",
				 ov->id, d->actor, ov->gate, names.buf);
		sl_buf_release(&names);
		return ret;
	}
	if (policy->allowed_signers) {
		ret = key_listed_for(policy, ov->requested_by, d->signature,
				     text, err);
		if (ret < 0)
			return ret;
		if (ret)
			return sl_error_set(err, SL_EREFUSED,
					    "cannot approve override %" PRId64
					    ": the signing key is also listed "
					    "for the requester '%s': nobody "
					    "approves their own request",
					    ov->id, ov->requested_by);
	}
	return 0;
}

/* Deny and revoke only narrow: an approver, or the requester withdrawing. */
static int authorize_narrow(const struct sl_override *ov,
			    const struct sl_override_decision *d,
			    const struct sl_override_policy *policy,
			    const char *text, struct sl_error *err)
{
	int ret = is_approver(policy, d, text, err);

	if (!ret && policy->allowed_signers)
		ret = key_listed_for(policy, ov->requested_by, d->signature,
				     text, err);
	if (ret)
		return ret < 0 ? ret : 0;
	return sl_error_set(err, SL_EREFUSED,
			    "cannot %s override %" PRId64 ": '%s' is neither "
			    "an approver of gate '%s' nor its requester",
			    sl_ledger_kind_name(d->kind), ov->id, d->actor,
			    ov->gate);
}

int sl_ledger_authorize(const struct sl_override *ov,
			const struct sl_override_decision *d,
			const struct sl_override_policy *policy,
			struct sl_error *err)
{
	struct sl_buf text = SL_BUF_INIT;
	bool requester =
	    sl_override_identity_matches(d->actor, ov->requested_by);
	int ret = 0;

	if (d->kind == SL_LEDGER_APPROVE && !policy->overridable)
		ret =
		    sl_error_set(err, SL_EREFUSED,
				 "cannot approve override %" PRId64 ": gate "
				 "'%s' is not overridable (overridable: false "
				 "in the trusted rules)",
				 ov->id, ov->gate);
	else if (d->kind == SL_LEDGER_APPROVE && requester)
		ret =
		    sl_error_set(err, SL_EREFUSED,
				 "cannot approve override %" PRId64 ": '%s' "
				 "requested it, and nobody approves their own "
				 "request",
				 ov->id, d->actor);
	if (ret)
		return ret;
	sl_override_decision_text(&text, ov, d);
	if (policy->allowed_signers)
		ret = check_signature(ov, d, policy, text.buf, err);
	if (!ret && d->kind == SL_LEDGER_APPROVE)
		ret = authorize_approve(ov, d, policy, text.buf, err);
	else if (!ret && !requester)
		ret = authorize_narrow(ov, d, policy, text.buf, err);
	sl_buf_release(&text);
	return ret;
}

/* ---- steps ---------------------------------------------------------- */

int sl_ledger_check_decision(const struct sl_override_decision *d,
			     struct sl_error *err)
{
	int ret;

	if (d->kind != SL_LEDGER_APPROVE && d->kind != SL_LEDGER_DENY &&
	    d->kind != SL_LEDGER_REVOKE)
		return sl_error_set(err, SL_EUSAGE,
				    "'%s' is not a decision: approve, deny or "
				    "revoke",
				    sl_ledger_kind_name(d->kind));
	if (d->id <= 0)
		return sl_error_set(err, SL_EUSAGE,
				    "%" PRId64 " is not an override id", d->id);
	ret = sl_ledger_check_identity(d->actor, "the actor", err);
	if (!ret)
		ret = sl_ledger_check_reason(d->reason, err);
	if (!ret && d->signature && strlen(d->signature) > LEDGER_SIGNATURE_MAX)
		ret = sl_error_set(err, SL_EUSAGE,
				   "the signature is larger than %d bytes",
				   LEDGER_SIGNATURE_MAX);
	return ret;
}

static void describe_decision(struct sl_buf *out, const struct sl_override *ov)
{
	struct sl_buf when = SL_BUF_INIT;

	if (ov->state == SL_OVERRIDE_REVOKED) {
		sl_override_time_format(&when, ov->revoked_at);
		sl_buf_addf(out, " by '%s' at %s", ov->revoked_by, when.buf);
	} else if (ov->decided_by) {
		sl_override_time_format(&when, ov->decided_at);
		sl_buf_addf(out, " by '%s' at %s", ov->decided_by, when.buf);
	}
	sl_buf_release(&when);
}

int sl_ledger_check_transition(const struct sl_override *ov,
			       enum sl_ledger_kind kind, int64_t at,
			       struct sl_error *err)
{
	enum sl_override_state state = sl_ledger_state_at(ov, at);
	struct sl_buf why = SL_BUF_INIT;
	int ret = 0;

	if (at < ov->requested_at)
		sl_buf_addf(&why, "that is before it was requested");
	else if (state == SL_OVERRIDE_EXPIRED) {
		sl_buf_adds(&why, "it expired at ");
		sl_override_time_format(&why, ov->expires_at);
		sl_buf_adds(&why, "; request a new one");
	} else if (kind == SL_LEDGER_REVOKE && state == SL_OVERRIDE_REQUESTED)
		sl_buf_adds(&why, "it is not approved; deny it instead");
	else if ((kind == SL_LEDGER_REVOKE && state != SL_OVERRIDE_APPROVED) ||
		 (kind != SL_LEDGER_REVOKE && state != SL_OVERRIDE_REQUESTED)) {
		sl_buf_addf(&why, "it is already %s",
			    sl_override_state_name(state));
		describe_decision(&why, ov);
	}
	if (why.len)
		ret = sl_error_set(err, SL_EREFUSED,
				   "cannot %s override %" PRId64 ": %s",
				   sl_ledger_kind_name(kind), ov->id, why.buf);
	sl_buf_release(&why);
	return ret;
}

int sl_ledger_record_decision(int64_t *out_seq, struct sl_ledger *ledger,
			      struct sl_override_list *list,
			      const struct sl_override_decision *d,
			      const struct sl_override_policy *policy,
			      int64_t now, struct sl_error *err)
{
	struct sl_override *ov = sl_ledger_find(list, d->id);
	struct sl_ledger_event ev = {0};
	struct sl_buf why = SL_BUF_INIT;
	int ret;

	if (!ov)
		return sl_error_set(err, SL_EREFUSED,
				    "cannot %s override %" PRId64 ": there is "
				    "no such request in ledger '%s'",
				    sl_ledger_kind_name(d->kind), d->id,
				    ledger->db.path);
	ret = sl_ledger_check_transition(ov, d->kind, d->now, err);
	if (!ret && now != d->now)
		ret = sl_ledger_check_transition(ov, d->kind, now, err);
	if (!ret)
		ret = sl_ledger_authorize(ov, d, policy, err);
	if (ret)
		return ret;
	ev.kind = d->kind;
	ev.override_id = d->id;
	ev.at = d->now;
	ev.actor = (char *)d->actor;
	ev.reason = (char *)d->reason;
	ev.gate = ev.commit = ev.gate_hash = ev.run_id = (char *)"";
	ev.signature = (char *)(d->signature ? d->signature : "");
	ret = sl_ledger_append(ledger, &ev, err);
	/* Step the folded copy, so that a later decision in this
	 * transaction (an import) sees this one. */
	if (!ret && sl_ledger_step(ov, &ev, &why))
		ret = sl_error_set(err, SL_EENV, "ledger '%s': %s",
				   ledger->db.path, why.buf);
	if (!ret && out_seq)
		*out_seq = ev.seq;
	sl_buf_release(&why);
	return ret;
}

/* ---- request ----------------------------------------------------------- */

static int check_request(const struct sl_override_request *req,
			 const struct sl_override_policy *policy,
			 struct sl_error *err)
{
	int ret = sl_ledger_check_gate(req->gate, err);

	if (!ret)
		ret = sl_ledger_check_commit(req->commit, err);
	if (!ret)
		ret = sl_ledger_check_gate_hash(req->gate_hash, err);
	if (!ret)
		ret = sl_ledger_check_identity(req->requester, "the requester",
					       err);
	if (!ret)
		ret = sl_ledger_check_reason(req->reason, err);
	if (ret)
		return ret;
	if (req->expires_in < 0 || req->expires_in > SL_OVERRIDE_EXPIRY_MAX)
		return sl_error_set(err, SL_EREFUSED,
				    "an override may last at most 30 days: ask "
				    "for a shorter --expires");
	if (!policy->overridable)
		return sl_error_set(
		    err, SL_EREFUSED,
		    "gate '%s' is not overridable (overridable: "
		    "false in the trusted rules): fix the "
		    "failure instead",
		    req->gate);
	if (!policy->approvers.n)
		return sl_error_set(err, SL_EREFUSED,
				    "gate '%s' has no approvers in the trusted "
				    "rules: nobody could approve this request",
				    req->gate);
	return 0;
}

int sl_ledger_request(int64_t *out_id, struct sl_ledger *ledger,
		      const struct sl_override_request *req,
		      const struct sl_override_policy *policy,
		      struct sl_error *err)
{
	struct sl_override_list list = SL_OVERRIDE_LIST_INIT;
	struct sl_ledger_event ev = {0};
	int64_t now = sl_ledger_now(req->now);
	int ret = check_request(req, policy, err);

	if (ret)
		return ret;
	ev.kind = SL_LEDGER_REQUEST;
	ev.at = now;
	ev.actor = (char *)req->requester;
	ev.reason = (char *)req->reason;
	ev.gate = (char *)req->gate;
	ev.commit = (char *)req->commit;
	ev.gate_hash = (char *)req->gate_hash;
	ev.expires_at = now + (req->expires_in ? req->expires_in
					       : SL_OVERRIDE_EXPIRY_DEFAULT);
	ev.run_id = ev.signature = (char *)"";
	ret = sl_ledger_begin(ledger, true, err);
	/* Never extend a chain that does not verify. */
	if (!ret)
		ret = sl_ledger_load_folded(&list, NULL, ledger, now, err);
	if (!ret)
		ret = sl_ledger_append(ledger, &ev, err);
	ret = sl_ledger_end(ledger, ret, err);
	if (!ret)
		*out_id = ev.override_id;
	sl_override_list_release(&list);
	return ret;
}

/* ---- decide ------------------------------------------------------------ */

/* Signs d (with d->sign_key) over the ledger's request, into sig. */
static int sign_decision(struct sl_buf *sig, struct sl_ledger *ledger,
			 const struct sl_override_decision *d,
			 const struct sl_override_policy *policy,
			 struct sl_error *err)
{
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_buf text = SL_BUF_INIT;
	int ret = sl_ledger_get(&ov, ledger, d->id, d->now, err);

	if (ret == SL_ENOTFOUND)
		ret = sl_error_set(err, SL_EREFUSED,
				   "cannot %s override %" PRId64 ": there is "
				   "no such request in ledger '%s'",
				   sl_ledger_kind_name(d->kind), d->id,
				   ledger->db.path);
	/* Refuse before asking for a passphrase, where we already can. */
	if (!ret)
		ret = sl_ledger_check_transition(&ov, d->kind, d->now, err);
	if (!ret) {
		sl_override_decision_text(&text, &ov, d);
		ret = sl_override_sign(sig, d->sign_key, text.buf,
				       policy->ssh_keygen, d->interactive, err);
	}
	sl_buf_release(&text);
	sl_override_release(&ov);
	return ret;
}

int sl_ledger_decide(int64_t *out_seq, struct sl_ledger *ledger,
		     const struct sl_override_decision *decision,
		     const struct sl_override_policy *policy,
		     struct sl_error *err)
{
	struct sl_override_decision d = *decision;
	struct sl_override_list list = SL_OVERRIDE_LIST_INIT;
	struct sl_buf sig = SL_BUF_INIT;
	int ret;

	d.now = sl_ledger_now(d.now);
	ret = sl_ledger_check_decision(&d, err);
	/* Sign outside the write lock: a passphrase prompt may take long. */
	if (!ret && d.sign_key) {
		ret = sign_decision(&sig, ledger, &d, policy, err);
		d.signature = sig.buf;
	}
	if (!ret)
		ret = sl_ledger_begin(ledger, true, err);
	if (!ret)
		ret = sl_ledger_load_folded(&list, NULL, ledger, d.now, err);
	if (!ret)
		ret = sl_ledger_record_decision(out_seq, ledger, &list, &d,
						policy, d.now, err);
	ret = sl_ledger_end(ledger, ret, err);
	sl_override_list_release(&list);
	sl_buf_release(&sig);
	return ret;
}
