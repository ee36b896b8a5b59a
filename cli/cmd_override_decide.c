/*
 * cmd_override_decide.c: `sluice override request`, `approve`, `deny` and
 * `revoke` (SPEC.md §5, docs/overrides.md). It resolves what the library
 * needs (the full commit id, the trusted rules' gate and policy for that
 * commit, the gate's definition hash, who acts) and prints the outcome;
 * whether a step is allowed is gates/'s decision. With --from, a decision
 * is made over an exported document instead of a ledger, for an owner whose
 * key is not on CI.
 */
#include "common/common.h"

#include <unistd.h>

#include "cli/cmd_override.h"

int ov_request(struct ov_ctx *ctx, struct sl_error *err)
{
	const struct ov_opts *o = ctx->opts;
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_override_request req = {0};
	const struct sl_gate *gate = NULL;
	struct sl_buf what = SL_BUF_INIT;
	char hash[SL_HASH_HEX_SIZE];
	int64_t id = 0;
	int ret = 0;

	if (!o->commit)
		return sl_error_set(
		    err, SL_EUSAGE,
		    "'override request' needs --commit REV, the "
		    "commit whose gate failed");
	if (o->expires)
		ret =
		    sl_override_expiry_parse(&req.expires_in, o->expires, err);
	if (!ret)
		ret = ov_plan(ctx, o->commit, err);
	if (!ret)
		ret = ov_actor(ctx, err);
	if (!ret)
		ret = ov_gate_policy(&policy, ctx, o->args[0], NULL, err);
	gate = policy.gate;
	/* A request refused for its reason makes no ledger. */
	if (!ret)
		ret = sl_ledger_check_reason(o->reason, err);
	if (!ret)
		ret = ov_ledger_open(ctx, true, true, err);
	if (!ret) {
		/* The definition `run` runs: the trusted copy's. */
		sl_override_gate_hash(hash, gate);
		req.gate = gate->name;
		req.commit = ctx->plan->diff->head;
		req.gate_hash = hash;
		req.requester = ctx->actor.buf;
		req.reason = o->reason;
		ret = sl_ledger_request(&id, ctx->ledger, &req, &policy, err);
	}
	if (!ret) {
		sl_buf_addf(&what,
			    "override %" PRId64 " (a request of gate '%s')", id,
			    gate->name);
		ret = ov_share(ctx, id, what.buf, err);
	}
	/* Its id once shared: another clone's events may have come first. */
	if (!ret)
		printf("%" PRId64 "\n",
		       sl_ledger_sync_renumbered(&ctx->sync, id));
	sl_buf_release(&what);
	sl_override_policy_release(&policy);
	return ret;
}

static const char *decided(enum sl_ledger_kind kind)
{
	if (kind == SL_LEDGER_APPROVE)
		return "approved";
	return kind == SL_LEDGER_DENY ? "denied" : "revoked";
}

static void print_decided(const struct sl_override *ov,
			  enum sl_ledger_kind kind, const char *actor,
			  bool is_signed)
{
	struct sl_buf until = SL_BUF_INIT;

	printf("override %" PRId64 " %s by %s%s: %s at %.12s", ov->id,
	       decided(kind), actor, is_signed ? " (signed)" : "", ov->gate,
	       ov->commit);
	if (kind == SL_LEDGER_APPROVE) {
		sl_override_time_format(&until, ov->expires_at);
		printf(", until %s", until.buf);
	}
	putchar('\n');
	sl_buf_release(&until);
}

static const char *decision_noun(enum sl_ledger_kind kind)
{
	if (kind == SL_LEDGER_APPROVE)
		return "approval";
	return kind == SL_LEDGER_DENY ? "denial" : "revocation";
}

/*
 * On a shared ledger, a decision is on a request the remote has: the id
 * of one this clone has not shared yet may still change.
 */
static int shared_request(struct ov_ctx *ctx, int64_t id, const char *refusing,
			  struct sl_error *err)
{
	bool shared = false;
	int ret;

	if (!ctx->share.on)
		return 0;
	ret = sl_ledger_is_shared(&shared, ctx->ledger, id, err);
	if (!ret && !shared)
		ret = sl_error_set(err, SL_EREFUSED,
				   "%s: it is not on '%s' yet, so its id may "
				   "still change: 'sluice override sync' "
				   "shares it, then decide",
				   refusing, ctx->share.remote);
	return ret;
}

/* The policy of ov's gate under the trusted rules for its commit. */
static int policy_for(struct sl_override_policy *policy,
		      const struct sl_gate **gate, struct ov_ctx *ctx,
		      const struct sl_override *ov, const char *refusing,
		      struct sl_error *err)
{
	int ret = ov_plan(ctx, ov->commit, err);

	if (!ret)
		ret = ov_gate_policy(policy, ctx, ov->gate, refusing, err);
	*gate = policy->gate;
	return ret;
}

/* Decides on override id in the ledger. */
static int decide_in_ledger(struct ov_ctx *ctx, enum sl_ledger_kind kind,
			    int64_t id, struct sl_error *err)
{
	const struct ov_opts *o = ctx->opts;
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_override_decision d = {0};
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_buf refusing = SL_BUF_INIT;
	const struct sl_gate *gate = NULL;
	int64_t seq = 0;
	int ret = ov_repo(ctx, err);

	sl_buf_addf(&refusing, "cannot %s override %" PRId64,
		    sl_ledger_kind_name(kind), id);
	if (!ret)
		ret = ov_actor(ctx, err);
	if (!ret)
		ret = ov_ledger_open(ctx, false, true, err);
	if (!ret)
		ret = sl_ledger_get(&ov, ctx->ledger, id, 0, err);
	if (ret == SL_ENOTFOUND)
		ret = sl_error_set(err, SL_EREFUSED,
				   "%s: there is no such request in ledger "
				   "'%s'",
				   refusing.buf, sl_ledger_path(ctx->ledger));
	if (!ret)
		ret = shared_request(ctx, id, refusing.buf, err);
	if (!ret)
		ret = policy_for(&policy, &gate, ctx, &ov, refusing.buf, err);
	d.kind = kind;
	d.id = id;
	d.actor = ctx->actor.buf;
	d.reason = o->reason;
	d.sign_key = o->sign;
	d.interactive = isatty(STDIN_FILENO);
	if (!ret)
		ret = sl_ledger_decide(&seq, ctx->ledger, &d, &policy, err);
	if (!ret) {
		sl_buf_reset(&refusing);
		sl_buf_addf(&refusing, "the %s of override %" PRId64,
			    decision_noun(kind), id);
		ret = ov_share(ctx, seq, refusing.buf, err);
	}
	if (!ret)
		print_decided(&ov, kind, ctx->actor.buf, o->sign != NULL);
	if (!ret && kind == SL_LEDGER_APPROVE)
		ov_warn_definition(&ov, gate, ctx);
	sl_override_release(&ov);
	sl_override_policy_release(&policy);
	sl_buf_release(&refusing);
	return ret;
}

/* Decides over the document --from names; writes it to -o or stdout. */
static int decide_offline(struct ov_ctx *ctx, enum sl_ledger_kind kind,
			  int64_t id, struct sl_error *err)
{
	const struct ov_opts *o = ctx->opts;
	struct sl_override_doc doc = SL_OVERRIDE_DOC_INIT;
	struct sl_override_decision d = {0};
	struct sl_buf out = SL_BUF_INIT;
	int ret = 0;

	if (o->ledger || o->base)
		return sl_error_set(err, SL_EUSAGE,
				    "--from decides over a document, with no "
				    "ledger or rules: drop --%s",
				    o->ledger ? "ledger" : "base");
	/* Only for git's user.email: none is fine with --by. */
	if (ov_repo(ctx, err))
		sl_error_reset(err);
	ret = ov_read_doc(&doc, o->from, err);
	if (!ret)
		ret = ov_actor(ctx, err);
	d.kind = kind;
	d.id = id;
	d.actor = ctx->actor.buf;
	d.reason = o->reason;
	d.sign_key = o->sign;
	d.interactive = isatty(STDIN_FILENO);
	if (!ret)
		ret = sl_override_doc_decide(
		    &doc, &d, ctx->programs.path[SL_PROGRAM_SSH_KEYGEN], err);
	if (!ret) {
		sl_override_doc_write(&out, &doc);
		ret = ov_write_output(o->output, &out, err);
	}
	if (!ret && o->output && strcmp(o->output, "-"))
		printf("override %" PRId64 " %s by %s%s in '%s': carry it to "
		       "the ledger's machine and run 'sluice override import "
		       "%s'\n",
		       id, decided(kind), ctx->actor.buf,
		       o->sign ? " (signed)" : "", o->output, o->output);
	sl_override_doc_release(&doc);
	sl_buf_release(&out);
	return ret;
}

static int decide(struct ov_ctx *ctx, enum sl_ledger_kind kind,
		  struct sl_error *err)
{
	const struct ov_opts *o = ctx->opts;
	int64_t id = 0;
	int ret = ov_parse_id(&id, o->args[0], err);

	if (ret)
		return ret;
	if (o->output && !o->from)
		return sl_error_set(err, SL_EUSAGE,
				    "-o goes with --from: a decision in the "
				    "ledger writes no document (use 'sluice "
				    "override export %" PRId64 " -o FILE')",
				    id);
	if (o->from)
		return decide_offline(ctx, kind, id, err);
	return decide_in_ledger(ctx, kind, id, err);
}

int ov_approve(struct ov_ctx *ctx, struct sl_error *err)
{
	return decide(ctx, SL_LEDGER_APPROVE, err);
}

int ov_deny(struct ov_ctx *ctx, struct sl_error *err)
{
	return decide(ctx, SL_LEDGER_DENY, err);
}

int ov_revoke(struct ov_ctx *ctx, struct sl_error *err)
{
	return decide(ctx, SL_LEDGER_REVOKE, err);
}
