/*
 * run_ledger.c: what `run` does with a ledger shared through git (SPEC.md
 * §6): before the first gate, it fetches REF once and verifies it into the
 * working copy (the overrides the run may apply are those it verified
 * then); after the overrides were applied, it pushes the run's "applied"
 * events. A remote that cannot be reached is kept, not fatal: the run goes
 * on, failures stay failures, and gates/ decides whether it mattered. The
 * sync itself is gates/'s.
 */
#include "common/common.h"

#include "cli/run.h"

void cli_run_ledger_fetch(struct cli_run_ledger *rl, struct sl_repo *repo,
			  const struct sl_plan *plan, const char *ledger_opt,
			  const struct sl_programs *programs)
{
	struct sl_ledger_options lo = SL_LEDGER_OPTIONS_INIT;
	struct sl_ledger_sync_options so = SL_LEDGER_SYNC_OPTIONS_INIT;
	struct sl_buf path = SL_BUF_INIT;
	struct sl_error *err = &rl->err;
	int ret;

	ret = cli_share_init(&rl->share, repo, plan->rules, programs, err);
	if (ret || !rl->share.on)
		goto out;
	lo.create = true;
	ret = cli_ledger_path(&path, ledger_opt, plan->rules, plan->root, err);
	if (!ret)
		ret = sl_ledger_open(&rl->ledger, path.buf, &lo, err);
	if (!ret)
		ret = sl_ledger_sync(&rl->sync, rl->ledger, &rl->share.t, &so,
				     err);
	rl->unreachable = ret && rl->sync.unreachable;
	cli_share_report(&rl->sync);
	/* What the working copy holds now: the run adds to it only its own
	 * "applied" events, and pushes nothing else (a gate could write
	 * there). */
	if (!ret)
		sl_buf_addf(&rl->before, "%" PRId64 ":%s", rl->sync.copy_events,
			    rl->sync.copy_head);
out:
	rl->status = ret;
	if (ret) {
		sl_ledger_free(rl->ledger);
		rl->ledger = NULL;
	}
	sl_buf_release(&path);
}

/*
 * Is the working copy what it was before the gates, plus events of this
 * run only? Says why not in why.
 */
static bool only_ours(struct cli_run_ledger *rl, const char *run_id,
		      size_t *added, struct sl_buf *why)
{
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	struct sl_error err = SL_ERROR_INIT;
	const char *colon = strchr(rl->before.buf, ':');
	long long before = strtoll(rl->before.buf, NULL, 10);
	bool ok = true;
	size_t i;

	if (sl_ledger_log(&log, rl->ledger, 0, &err)) {
		sl_buf_adds(why, sl_error_message(&err));
		ok = false;
	} else if ((long long)log.n < before ||
		   (before && strcmp(log.events[before - 1].hash, colon + 1))) {
		sl_buf_adds(why, "events it held before the gates ran changed");
		ok = false;
	}
	for (i = (size_t)before; ok && i < log.n; i++) {
		if (log.events[i].kind == SL_LEDGER_APPLIED &&
		    !strcmp(log.events[i].run_id, run_id))
			continue;
		sl_buf_addf(why,
			    "event %" PRId64 " (%s) was added while the "
			    "gates ran",
			    log.events[i].seq,
			    sl_ledger_kind_name(log.events[i].kind));
		ok = false;
	}
	*added = ok ? log.n - (size_t)before : 0;
	sl_ledger_log_release(&log);
	sl_error_release(&err);
	return ok;
}

/*
 * The shared ledger may not hold the "applied" events of the overrides
 * the run applied (what says why): when its gates passed only thanks to
 * them, the run fails (exit 3), for a success must not rest on a record
 * that is not there. A run that fails anyway, or applied none, says so,
 * and exits as its gates say.
 */
static int unrecorded(const struct sl_results *results, const char *what,
		      struct sl_error *err)
{
	bool applied = false;
	size_t i;

	for (i = 0; i < results->n; i++)
		applied = applied || results->gates[i].has_override;
	if (applied && sl_results_pass(results, NULL))
		return sl_error_set(err, SL_EENV,
				    "%s; a run does not pass on overrides "
				    "the shared ledger does not record",
				    what);
	cli_printf_safe(stderr, "sluice: warning: %s\n", what);
	return 0;
}

int cli_run_ledger_push(struct cli_run_ledger *rl,
			const struct sl_results *results, struct sl_error *err)
{
	struct sl_ledger_sync_options so = SL_LEDGER_SYNC_OPTIONS_INIT;
	struct sl_ledger_sync_result r = SL_LEDGER_SYNC_RESULT_INIT;
	struct sl_error e = SL_ERROR_INIT;
	struct sl_buf why = SL_BUF_INIT, because = SL_BUF_INIT;
	size_t added = 0, shared = 0;
	int ret = 0;

	if (!rl->ledger || !rl->share.on)
		return 0;
	if (!only_ours(rl, results->run_id, &added, &because)) {
		sl_buf_addf(&why,
			    "not pushing the ledger's working copy '%s' to "
			    "'%s': %s; look at it ('sluice override log'), "
			    "then 'sluice override sync'",
			    sl_ledger_path(rl->ledger), rl->share.remote,
			    because.buf);
		ret = unrecorded(results, why.buf, err);
		goto out;
	}
	/* Nothing applied: nothing of the run's to record. */
	if (!added)
		goto out;
	so.push = true;
	ret = sl_ledger_sync(&r, rl->ledger, &rl->share.t, &so, &e);
	cli_share_report(&r);
	/* What counts is what the remote holds: pushed, or there already. */
	if (!ret)
		ret = sl_ledger_run_shared(&shared, rl->ledger, results->run_id,
					   &e);
	if (!ret && shared >= added)
		goto out;
	sl_buf_addf(&why,
		    "the overrides this run applied are in the results, but "
		    "not recorded on '%s': ",
		    rl->share.remote);
	if (ret)
		sl_buf_adds(&why, sl_error_message(&e));
	else
		sl_buf_addf(&why,
			    "%zu of its %zu 'applied' events did not reach it "
			    "(the warnings above say why)",
			    added - shared, added);
	/* SPEC.md §6: a run that may not push (a read-only token) says so,
	 * and the results name what it applied; it fails no run. */
	if (r.refused)
		cli_printf_safe(stderr, "sluice: warning: %s\n", why.buf);
	ret = r.refused ? 0 : unrecorded(results, why.buf, err);
out:
	sl_ledger_sync_result_release(&r);
	sl_error_release(&e);
	sl_buf_release(&why);
	sl_buf_release(&because);
	return ret;
}

void cli_run_ledger_release(struct cli_run_ledger *rl)
{
	sl_ledger_free(rl->ledger);
	cli_share_release(&rl->share);
	sl_ledger_sync_result_release(&rl->sync);
	sl_error_release(&rl->err);
	sl_buf_release(&rl->before);
	rl->ledger = NULL;
}
