/*
 * run_overrides.c: what `run` hands gates/ about overrides (SPEC.md §5).
 * Before the first gate: what the overrides are judged under (the plan's
 * trusted rules and commits, allowed_signers, the ssh-keygen found first),
 * the ledger (a shared one fetched and verified into its working copy by
 * run_ledger.c, or the local file), who runs it, and the gates the run
 * runs; gates/ fixes then which overrides may apply (sl_override_fix()).
 * After the gates: the results, for gates/ to let through what it fixed
 * (sl_override_fix_apply()); then the shared ledger's push. Nothing here
 * decides whether an override holds.
 */
#include "common/common.h"

#include "cli/run.h"

/* Opens the local ledger for run; what went wrong is kept in run. */
static void open_local(struct cli_run_overrides *ro,
		       struct sl_override_run *run,
		       const struct cli_overrides_input *in)
{
	struct sl_buf path = SL_BUF_INIT;
	int ret = cli_ledger_path(&path, in->ledger_opt, in->plan->rules,
				  in->plan->root, &ro->err);

	if (!ret)
		ret = sl_ledger_open(&ro->local, path.buf, NULL, &ro->err);
	if (ret == SL_ENOTFOUND) {
		sl_error_reset(&ro->err);
		sl_error_set(&ro->err, SL_ENOTFOUND,
			     "no override ledger at '%s'", path.buf);
	}
	run->ledger = ro->local;
	run->ledger_status = ret;
	sl_buf_release(&path);
}

/* The ledger the run judges overrides by, into run. */
static void find_ledger(struct cli_run_overrides *ro,
			struct sl_override_run *run,
			const struct cli_overrides_input *in)
{
	struct cli_run_ledger *shared = &ro->shared;

	/* A shared ledger is fetched once, before the first gate. */
	cli_run_ledger_fetch(shared, in->repo, in->plan, in->ledger_opt,
			     in->programs);
	if (shared->share.on || shared->status) {
		run->ledger = shared->ledger;
		run->ledger_status = shared->status;
		run->ledger_problem = sl_error_message(&shared->err);
		run->shared = true;
		run->unreachable = shared->unreachable;
		return;
	}
	open_local(ro, run, in);
	run->ledger_problem = sl_error_message(&ro->err);
}

int cli_overrides_fix(struct cli_run_overrides *ro,
		      const struct cli_overrides_input *in)
{
	struct sl_override_run run = {0};
	struct sl_override_target *targets =
	    sl_xcalloc(in->n + 1, sizeof(*targets));
	struct sl_buf actor = SL_BUF_INIT;
	size_t i;

	for (i = 0; i < in->n; i++) {
		targets[i].name = in->picks[i]->gate->name;
		targets[i].definition = in->picks[i]->gate;
	}
	run.targets = targets;
	run.ntargets = in->n;
	run.trust = &ro->trust.t;
	if (cli_trust_init(&ro->trust, in->repo, in->plan, in->explicit_rules,
			   in->programs, &ro->err)) {
		/* The repository could not say what is trusted. */
		run.ledger_status = SL_EENV;
		run.ledger_problem = sl_error_message(&ro->err);
	} else if (!sl_override_trust_check(&ro->trust.t, NULL)) {
		find_ledger(ro, &run, in);
	}
	/* Who runs it: read now, not from a config a gate may rewrite. */
	if (!cli_identity(&actor, NULL, in->repo, NULL))
		run.actor = actor.buf;
	sl_override_fix(&ro->fix, &run);
	sl_buf_release(&actor);
	free(targets);
	return 0;
}

int cli_overrides_apply(struct sl_results *results,
			struct cli_run_overrides *ro, struct sl_error *err)
{
	struct sl_ledger *ledger =
	    ro->shared.share.on ? ro->shared.ledger : ro->local;
	int ret = sl_override_fix_apply(results, ledger, &ro->fix, err);

	if (!ret)
		ret = cli_run_ledger_push(&ro->shared, results, err);
	return ret;
}

void cli_run_overrides_release(struct cli_run_overrides *ro)
{
	sl_override_fix_release(&ro->fix);
	cli_run_ledger_release(&ro->shared);
	cli_trust_release(&ro->trust);
	sl_ledger_free(ro->local);
	sl_error_release(&ro->err);
	ro->local = NULL;
}
