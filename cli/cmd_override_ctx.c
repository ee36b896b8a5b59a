/*
 * cmd_override_ctx.c: the context every `sluice override` subcommand builds
 * on. It finds the trusted rules for an override's commit exactly as `run`
 * finds them (a plan for that commit: the rules at merge-base(base,
 * commit)) and hands them to gates/, which says whether they are trusted
 * and what a gate's policy is under them; who acts, and the ledger; and
 * reads and writes override documents. It decides nothing about overrides:
 * that is gates/'s.
 */
#include "common/common.h"

#include "cli/cmd_override.h"

void ov_ctx_init(struct ov_ctx *ctx, const struct ov_opts *opts)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->opts = opts;
	sl_buf_init(&ctx->actor, 0);
	ctx->sync = (struct sl_ledger_sync_result)SL_LEDGER_SYNC_RESULT_INIT;
	sl_programs_find(&ctx->programs);
}

void ov_ctx_release(struct ov_ctx *ctx)
{
	cli_trust_release(&ctx->trust);
	sl_programs_release(&ctx->programs);
	sl_ledger_sync_result_release(&ctx->sync);
	cli_share_release(&ctx->share);
	sl_ledger_free(ctx->ledger);
	sl_plan_free(ctx->plan);
	sl_repo_free(ctx->repo);
	sl_buf_release(&ctx->actor);
	ctx->ledger = NULL;
	ctx->plan = NULL;
	ctx->repo = NULL;
}

int ov_repo(struct ov_ctx *ctx, struct sl_error *err)
{
	if (ctx->repo)
		return 0;
	return sl_repo_open(&ctx->repo, NULL, err);
}

/* A plan for head (NULL: HEAD) with --base and --rules. */
static int build_plan(struct sl_plan **out, struct ov_ctx *ctx,
		      const char *head, struct sl_error *err)
{
	struct sl_plan_options po = {SL_DIFF_OPTIONS_INIT, NULL};
	int ret = ov_repo(ctx, err);

	po.diff.base = ctx->opts->base;
	po.diff.head = head;
	po.rules_file = ctx->opts->rules;
	if (!ret)
		ret = sl_plan_build(out, ctx->repo, &po, err);
	return ret;
}

int ov_plan(struct ov_ctx *ctx, const char *commit, struct sl_error *err)
{
	int ret;

	cli_trust_release(&ctx->trust);
	sl_plan_free(ctx->plan);
	ctx->plan = NULL;
	ret = build_plan(&ctx->plan, ctx, commit, err);
	if (!ret)
		ret = cli_trust_init(&ctx->trust, ctx->repo, ctx->plan,
				     ctx->opts->rules != NULL, &ctx->programs,
				     err);
	return ret;
}

int ov_gate_policy(struct sl_override_policy *policy, struct ov_ctx *ctx,
		   const char *name, const char *refusing, struct sl_error *err)
{
	return sl_override_gate_policy(policy, &ctx->trust.t, name, refusing,
				       err);
}

int ov_actor(struct ov_ctx *ctx, struct sl_error *err)
{
	return cli_identity(&ctx->actor, ctx->opts->by, ctx->repo, err);
}

/*
 * The trusted rules for HEAD, as `run` in this checkout reads them, so that
 * every subcommand finds the same ledger. *here is the plan built for it
 * when ctx->plan is not HEAD's (caller frees).
 */
static int head_rules(const struct sl_plan **out, struct sl_plan **here,
		      struct ov_ctx *ctx, struct sl_error *err)
{
	char head[SL_OID_HEXSZ + 1];
	int ret = ov_repo(ctx, err);

	*out = ctx->plan;
	if (!ret)
		ret = sl_repo_resolve_commit(head, ctx->repo, "HEAD", err);
	if (!ret && (!ctx->plan || strcmp(ctx->plan->diff->head, head))) {
		ret = build_plan(here, ctx, NULL, err);
		*out = *here;
	}
	return ret;
}

/*
 * Where the ledger is (--ledger, $SLUICE_LEDGER, the rules' ledger:, the
 * default), and whether the rules share it through git: into ctx->share.
 */
static int locate(struct sl_buf *path, struct ov_ctx *ctx, struct sl_error *err)
{
	const char *env = getenv("SLUICE_LEDGER");
	bool given = ctx->opts->ledger || (env && *env);
	const struct sl_plan *plan = NULL;
	struct sl_plan *here = NULL;
	int ret = head_rules(&plan, &here, ctx, err);

	/* A file named outside any clone (or with rules that cannot be
	 * read) is a local ledger, as it always was: say so. */
	if (ret && given) {
		if (ctx->repo)
			cli_printf_safe(
			    stderr,
			    "sluice: warning: %s; the ledger is used as a "
			    "local file, not shared\n",
			    sl_error_message(err));
		sl_error_reset(err);
		ret = cli_ledger_path(path, ctx->opts->ledger, NULL, NULL, err);
		goto out;
	}
	if (ret)
		sl_error_prefix(err, "cannot tell where the ledger is (pass "
				     "--ledger FILE)");
	if (!ret)
		ret = cli_ledger_path(path, ctx->opts->ledger, plan->rules,
				      plan->root, err);
	if (!ret)
		ret = cli_share_init(&ctx->share, ctx->repo, plan->rules,
				     &ctx->programs, err);
out:
	sl_plan_free(here);
	return ret;
}

int ov_ledger_open(struct ov_ctx *ctx, bool create, bool fetch,
		   struct sl_error *err)
{
	struct sl_ledger_options lo = SL_LEDGER_OPTIONS_INIT;
	struct sl_buf path = SL_BUF_INIT;
	int ret = locate(&path, ctx, err);

	/* A shared ledger's working copy is made on first use. */
	lo.create = create || ctx->share.on;
	if (!ret)
		ret = sl_ledger_open(&ctx->ledger, path.buf, &lo, err);
	if (ret == SL_ENOTFOUND)
		ret = sl_error_set(err, SL_EENV,
				   "no override ledger at '%s': nothing was "
				   "ever requested there; point --ledger at "
				   "the ledger",
				   path.buf);
	if (!ret && ctx->share.on && fetch && !ctx->opts->no_push)
		ret = ov_sync_ledger(ctx, false, err);
	sl_buf_release(&path);
	return ret;
}

int ov_sync_ledger(struct ov_ctx *ctx, bool push, struct sl_error *err)
{
	struct sl_ledger_sync_options so = SL_LEDGER_SYNC_OPTIONS_INIT;
	int ret;

	so.push = push;
	so.anchor = ctx->opts->anchor;
	sl_ledger_sync_result_release(&ctx->sync);
	ctx->sync = (struct sl_ledger_sync_result)SL_LEDGER_SYNC_RESULT_INIT;
	ret = sl_ledger_sync(&ctx->sync, ctx->ledger, &ctx->share.t, &so, err);
	cli_share_report(&ctx->sync);
	return ret;
}

int ov_share(struct ov_ctx *ctx, int64_t mine, const char *what,
	     struct sl_error *err)
{
	size_t i;
	int ret;

	if (!ctx->share.on)
		return 0;
	if (ctx->opts->no_push) {
		cli_printf_safe(
		    stderr,
		    "sluice: %s is recorded in this clone only "
		    "(--no-push): 'sluice override sync' shares it\n",
		    what);
		return 0;
	}
	ret = ov_sync_ledger(ctx, true, err);
	for (i = 0; !ret && i < ctx->sync.dropped.n; i++)
		if (ctx->sync.dropped_seqs[i] == mine)
			ret = sl_error_set(err, SL_EREFUSED,
					   "%s was not recorded: %s", what,
					   ctx->sync.dropped.v[i]);
	if (ret == SL_EENV)
		sl_error_prefix(err,
				"%s is recorded in this clone, but not shared "
				"('sluice override sync' shares it)",
				what);
	return ret;
}

int ov_parse_id(int64_t *out, const char *text, struct sl_error *err)
{
	char *end = NULL;
	long long n;

	errno = 0;
	n = text[0] >= '1' && text[0] <= '9' ? strtoll(text, &end, 10) : 0;
	if (errno || n <= 0 || *end)
		return sl_error_set(err, SL_EUSAGE,
				    "'%s' is not an override id: give the "
				    "number 'override request' printed",
				    text);
	*out = n;
	return 0;
}

int ov_write_output(const char *path, const struct sl_buf *buf,
		    struct sl_error *err)
{
	if (!path || !strcmp(path, "-")) {
		cli_print(buf);
		return 0;
	}
	return sl_file_write(path, buf, 0, err);
}

int ov_read_doc(struct sl_override_doc *doc, const char *path,
		struct sl_error *err)
{
	struct sl_buf text = SL_BUF_INIT;
	int ret = sl_buf_read_file(&text, path, OV_DOC_MAX, err);

	if (!ret) {
		ret = sl_override_doc_parse(doc, text.buf, text.len, err);
		if (ret)
			sl_error_prefix(err, "%s",
					strcmp(path, "-") ? path : "stdin");
	}
	sl_buf_release(&text);
	return ret;
}

void ov_warn_definition(const struct sl_override *ov,
			const struct sl_gate *gate, const struct ov_ctx *ctx)
{
	char hash[SL_HASH_HEX_SIZE];

	sl_override_gate_hash(hash, gate);
	if (!strcmp(hash, ov->gate_hash))
		return;
	fflush(stdout);
	cli_printf_safe(
	    stderr,
	    "sluice: warning: override %" PRId64 " was requested for "
	    "another definition of gate '%s' than the trusted rules (%s) "
	    "give: it will not apply to a run under them (editing a gate "
	    "voids its overrides); request a new one\n",
	    ov->id, ov->gate, ctx->plan->rules_source);
}

void ov_quote(struct sl_buf *out, const char *text)
{
	const char *p = text, *q;

	/* '"' and '\\' escaped here; every control byte by the one
	 * escaping of text for a terminal (common/text.c). */
	sl_buf_addch(out, '"');
	while ((q = strpbrk(p, "\"\\"))) {
		sl_buf_add_safe(out, p, (size_t)(q - p), 0);
		sl_buf_addch(out, '\\');
		sl_buf_addch(out, *q);
		p = q + 1;
	}
	sl_buf_add_safe(out, p, strlen(p), 0);
	sl_buf_addch(out, '"');
}
