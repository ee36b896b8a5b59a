/*
 * cmd_override_carry.c: `sluice override export` and `import`, which carry
 * an override and its signed decisions from one copy of the ledger to
 * another (an owner's laptop to CI). Export writes the document; import
 * checks its decisions against the trusted rules for the override's commit,
 * as direct decisions are checked, and records them, all or nothing. The
 * document's format and the checks are gates/'s.
 */
#include "common/common.h"

#include "cli/cmd_override.h"

int ov_export(struct ov_ctx *ctx, struct sl_error *err)
{
	struct sl_override_doc doc = SL_OVERRIDE_DOC_INIT;
	struct sl_buf out = SL_BUF_INIT;
	int64_t id = 0;
	int ret = ov_parse_id(&id, ctx->opts->args[0], err);

	if (!ret)
		ret = ov_ledger_open(ctx, false, true, err);
	if (!ret)
		ret = sl_ledger_export(&doc, ctx->ledger, id, err);
	if (!ret) {
		sl_override_doc_write(&out, &doc);
		ret = ov_write_output(ctx->opts->output, &out, err);
	}
	sl_override_doc_release(&doc);
	sl_buf_release(&out);
	return ret;
}

/*
 * The policy of the document's gate, under the trusted rules for its
 * commit, as for a direct decision.
 */
static int doc_policy(struct sl_override_policy *policy,
		      const struct sl_gate **gate, struct ov_ctx *ctx,
		      const struct sl_override_doc *doc, struct sl_error *err)
{
	const struct sl_override *r = &doc->request;
	struct sl_buf refusing = SL_BUF_INIT;
	int ret = ov_plan(ctx, r->commit, err);

	sl_buf_addf(&refusing, "cannot import override %" PRId64, r->id);
	if (!ret)
		ret = ov_gate_policy(policy, ctx, r->gate, refusing.buf, err);
	*gate = policy->gate;
	sl_buf_release(&refusing);
	return ret;
}

int ov_import(struct ov_ctx *ctx, struct sl_error *err)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_override_doc doc = SL_OVERRIDE_DOC_INIT;
	struct sl_ledger_import_result res = {0, 0};
	const struct sl_gate *gate = NULL;
	struct sl_buf what = SL_BUF_INIT;
	int ret = ov_read_doc(&doc, ctx->opts->args[0], err);

	if (!ret)
		ret = ov_ledger_open(ctx, false, true, err);
	if (!ret)
		ret = doc_policy(&policy, &gate, ctx, &doc, err);
	if (!ret)
		ret =
		    sl_ledger_import(&res, ctx->ledger, &doc, &policy, 0, err);
	if (!ret && res.recorded) {
		sl_buf_addf(&what,
			    "the imported decision%s on override %" PRId64,
			    res.recorded == 1 ? "" : "s", doc.request.id);
		ret = ov_share(ctx, 0, what.buf, err);
	}
	if (!ret)
		printf("imported %u decision%s on override %" PRId64
		       " (%u already present)\n",
		       res.recorded, res.recorded == 1 ? "" : "s",
		       doc.request.id, res.already);
	if (!ret && res.recorded)
		ov_warn_definition(&doc.request, gate, ctx);
	sl_override_doc_release(&doc);
	sl_override_policy_release(&policy);
	sl_buf_release(&what);
	return ret;
}

int ov_sync(struct ov_ctx *ctx, struct sl_error *err)
{
	const struct sl_ledger_sync_result *r = &ctx->sync;
	int ret = ov_ledger_open(ctx, false, false, err);

	if (!ret && !ctx->share.on)
		return sl_error_set(err, SL_EUSAGE,
				    "the ledger is not shared: 'override "
				    "sync' needs 'ledger: git:REF' in the "
				    "trusted rules (docs/overrides.md)");
	if (!ret)
		ret = ov_sync_ledger(ctx, true, err);
	if (!ret)
		printf("ledger %s on %s: %" PRId64 " event%s (%" PRId64
		       " fetched, %" PRId64 " pushed)\n",
		       ctx->share.ref, ctx->share.remote, r->events,
		       r->events == 1 ? "" : "s", r->fetched, r->pushed);
	return ret;
}
