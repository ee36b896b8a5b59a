/*
 * test_override_trust.c: who may override what, and what a run applies
 * (gates/override_trust.c): when rules are trusted at all, a gate's policy
 * under them, the overrides a run fixes before its first gate (what enters
 * the ledger afterwards never counts for it; only candidates' signatures
 * are checked), and what it lets through after its gates, whatever state
 * its ledger was in.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "gates/gates.h"
#include "tests/gates/ledger_fixture.h"
#include "tests/support/sandbox.h"

static const char base_yml[] =
    "version: 1\n"
    "lanes:\n"
    "  billing:\n"
    "    owners: [\"ana@example.com\"]\n"
    "    paths: [\"billing/\"]\n"
    "    gates:\n"
    "      billing-unit: {run: \"make test\"}\n"
    "      billing-lint: {run: \"make lint\", overridable: false}\n";

static const char head_yml[] =
    "version: 1\n"
    "lanes:\n"
    "  billing:\n"
    "    owners: [\"ana@example.com\"]\n"
    "    paths: [\"billing/\"]\n"
    "    gates:\n"
    "      billing-unit: {run: \"make test\"}\n"
    "      billing-lint: {run: \"make lint\", overridable: false}\n"
    "      billing-extra: {run: \"make extra\"}\n";

static const char base_id[] = "9999999999999999999999999999999999999999";

struct fx {
	struct sl_rules *rules, *head_rules;
	struct sl_override_trust trust;
	struct sl_ledger *ledger;
	struct sl_override_fix fix;
	struct sl_results results;
	struct sl_error err;
};

static struct sl_rules *load(const char *name, const char *yml)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;

	if (sl_rules_load_buffer(&rules, name, yml, strlen(yml), &err))
		fail_msg("%s", sl_error_message(&err));
	sl_error_release(&err);
	return rules;
}

static int setup_group(void **state)
{
	(void)state;
	sl_sandbox_enter();
	return 0;
}

static int teardown_group(void **state)
{
	(void)state;
	sl_sandbox_leave();
	return 0;
}

static int setup(void **state)
{
	struct fx *fx = sl_xcalloc(1, sizeof(*fx));

	fx->rules = load("sluice.yml@999999999999", base_yml);
	fx->head_rules = load("sluice.yml@111111111111", head_yml);
	fx->trust.rules = fx->rules;
	fx->trust.head_rules = fx->head_rules;
	fx->trust.source = "sluice.yml@999999999999";
	fx->trust.file = "sluice.yml";
	fx->trust.rules_commit = base_id;
	fx->trust.head = fx_commit;
	fx->trust.merge_base = base_id;
	fx->trust.ssh_keygen = fx_ssh_keygen();
	assert_int_equal(system("rm -f ci.db* runs"), 0);
	fx->ledger = fx_open("ci.db");
	fx->fix = (struct sl_override_fix)SL_OVERRIDE_FIX_INIT;
	sl_results_init(&fx->results);
	fx->results.run_id = sl_xstrdup("run-1");
	fx->err = (struct sl_error)SL_ERROR_INIT;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	sl_override_fix_release(&fx->fix);
	sl_results_release(&fx->results);
	sl_ledger_free(fx->ledger);
	sl_rules_free(fx->rules);
	sl_rules_free(fx->head_rules);
	sl_error_release(&fx->err);
	free(fx);
	return 0;
}

/* The policy of gate under the fixture's trust; fails unless it has one. */
static void policy_of(struct fx *fx, struct sl_override_policy *policy,
		      const char *gate)
{
	if (sl_override_gate_policy(policy, &fx->trust, gate, NULL, &fx->err))
		fail_msg("%s", sl_error_message(&fx->err));
}

/* Requests an override of gate at commit, as the run will run it. */
static int64_t request(struct fx *fx, const char *gate, const char *commit,
		       int64_t now)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_override_request req = {0};
	char hash[SL_HASH_HEX_SIZE];
	int64_t id = 0;

	policy_of(fx, &policy, gate);
	sl_override_gate_hash(hash, policy.gate);
	req.gate = gate;
	req.commit = commit;
	req.gate_hash = hash;
	req.requester = "dev@example.com";
	req.reason = "the sandbox is down";
	req.now = now;
	if (sl_ledger_request(&id, fx->ledger, &req, &policy, &fx->err))
		fail_msg("%s", sl_error_message(&fx->err));
	sl_override_policy_release(&policy);
	return id;
}

/*
 * An approval by ana at now carrying a signature that no key made
 * (recorded under rules that name no allowed_signers).
 */
static void approve_signed(struct fx *fx, int64_t id, int64_t now)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_override_decision d = {0};

	policy_of(fx, &policy, "billing-unit");
	d.kind = SL_LEDGER_APPROVE;
	d.id = id;
	d.actor = "ana@example.com";
	d.reason = "looked at it";
	d.signature = "-----BEGIN SSH SIGNATURE-----\nAAAA\n"
		      "-----END SSH SIGNATURE-----\n";
	d.now = now;
	if (sl_ledger_decide(NULL, fx->ledger, &d, &policy, &fx->err))
		fail_msg("%s", sl_error_message(&fx->err));
	sl_override_policy_release(&policy);
}

/* An approval (or revoke) by ana at now, under the gate's policy. */
static int decide(struct fx *fx, enum sl_ledger_kind kind, int64_t id,
		  const char *gate, int64_t now)
{
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	int ret;

	policy_of(fx, &policy, gate);
	ret = fx_decide(fx->ledger, &policy, kind, id, "ana@example.com", now,
			&fx->err);
	sl_override_policy_release(&policy);
	return ret;
}

/* Fixes what a run of billing-unit and billing-lint may apply, at now. */
static void fix(struct fx *fx, struct sl_ledger *ledger, int status,
		bool unreachable, int64_t now)
{
	struct sl_override_target targets[2];
	struct sl_override_run run = {0};

	targets[0].name = "billing-unit";
	targets[0].definition = sl_rules_gate(fx->rules, "billing-unit");
	targets[1].name = "billing-lint";
	targets[1].definition = sl_rules_gate(fx->rules, "billing-lint");
	run.trust = &fx->trust;
	run.ledger = ledger;
	run.ledger_status = status;
	run.ledger_problem = status ? "the ledger problem" : NULL;
	run.unreachable = unreachable;
	run.actor = "ci@example.com";
	run.targets = targets;
	run.ntargets = 2;
	run.now = now;
	sl_override_fix_release(&fx->fix);
	sl_override_fix(&fx->fix, &run);
}

/* The run's results: each gate of the fix, with these statuses. */
static void ran(struct fx *fx, enum sl_job_status unit, enum sl_job_status lint)
{
	struct sl_gate_result *g;

	sl_results_release(&fx->results);
	fx->results.run_id = sl_xstrdup("run-1");
	g = sl_results_add(&fx->results);
	g->name = sl_xstrdup("billing-unit");
	g->status = unit;
	g = sl_results_add(&fx->results);
	g->name = sl_xstrdup("billing-lint");
	g->status = lint;
}

static size_t applied_events(struct fx *fx)
{
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	size_t i, n = 0;

	assert_int_equal(sl_ledger_log(&log, fx->ledger, 0, &fx->err), 0);
	for (i = 0; i < log.n; i++)
		n += log.events[i].kind == SL_LEDGER_APPLIED;
	sl_ledger_log_release(&log);
	return n;
}

/* ---- trusted rules ----------------------------------------------------- */

static void trust__only_the_bases_rules_for_a_commit(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(sl_override_trust_check(&fx->trust, &fx->err), 0);
	fx->trust.worktree = true;
	assert_int_equal(sl_override_trust_check(&fx->trust, &fx->err),
			 SL_EREFUSED);
	fx_assert_msg(&fx->err, "not to a working copy (--worktree)");
	fx->trust.worktree = false;
	/* The base has no rules file: these are the head's. */
	fx->trust.rules_commit = fx_commit;
	assert_int_equal(sl_override_trust_check(&fx->trust, &fx->err),
			 SL_EREFUSED);
	fx_assert_msg(&fx->err, "the base 999999999999 has no sluice.yml");
	/* --rules FILE is trusted as given. */
	fx->trust.rules_file = true;
	assert_int_equal(sl_override_trust_check(&fx->trust, &fx->err), 0);
	fx->trust.rules_file = false;
	/* A degraded run has no base at all. */
	fx->trust.merge_base = "";
	assert_int_equal(sl_override_trust_check(&fx->trust, &fx->err),
			 SL_EREFUSED);
	fx_assert_msg(&fx->err, "its base is not available");
}

static void trust__gate_policy_is_the_trusted_gates(void **state)
{
	struct fx *fx = *state;
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;

	assert_int_equal(sl_override_gate_policy(&policy, &fx->trust,
						 "billing-unit", NULL,
						 &fx->err),
			 0);
	assert_ptr_equal(policy.gate, sl_rules_gate(fx->rules, "billing-unit"));
	assert_int_equal(policy.approvers.n, 1);
	assert_string_equal(policy.approvers.v[0], "ana@example.com");
	assert_true(policy.overridable);
	assert_string_equal(policy.ssh_keygen, fx_ssh_keygen());
	sl_override_policy_release(&policy);
	/* A change cannot make its own gate overridable. */
	assert_int_equal(sl_override_gate_policy(&policy, &fx->trust,
						 "billing-extra", NULL,
						 &fx->err),
			 SL_EREFUSED);
	fx_assert_msg(&fx->err, "defined only by the change under review");
	assert_int_equal(sl_override_gate_policy(&policy, &fx->trust,
						 "billing-unti", NULL,
						 &fx->err),
			 SL_EUSAGE);
	fx_assert_msg(&fx->err, "did you mean 'billing-unit'?");
	assert_int_equal(
	    sl_override_gate_policy(&policy, &fx->trust, "billing-unti",
				    "cannot approve override 3", &fx->err),
	    SL_EREFUSED);
	fx_assert_msg(&fx->err, "cannot approve override 3: gate "
				"'billing-unti' is not in the trusted rules");
	fx->trust.worktree = true;
	assert_int_equal(
	    sl_override_gate_policy(&policy, &fx->trust, "billing-unit",
				    "cannot approve override 3", &fx->err),
	    SL_EREFUSED);
	fx_assert_msg(&fx->err, "cannot approve override 3: overrides apply");
	sl_override_policy_release(&policy);
}

/*
 * A pull request's test-merge commit: two parents, the base first. Its
 * second parent's overrides apply; any other shape gets none of them.
 */
static void trust__merged_is_a_merge_onto_the_base(void **state)
{
	struct fx *fx = *state;

	assert_null(sl_override_trust_merged(&fx->trust));
	fx->trust.parents[0] = base_id;
	fx->trust.parents[1] = fx_other_commit;
	fx->trust.nparents = 2;
	assert_string_equal(sl_override_trust_merged(&fx->trust),
			    fx_other_commit);
	fx->trust.nparents = 3; /* an octopus */
	assert_null(sl_override_trust_merged(&fx->trust));
	fx->trust.nparents = 2;
	fx->trust.worktree = true;
	assert_null(sl_override_trust_merged(&fx->trust));
	fx->trust.worktree = false;
	fx->trust.parents[0] = fx_other_commit;
	fx->trust.parents[1] = base_id;
	assert_null(sl_override_trust_merged(&fx->trust));
	fx->trust.merge_base = "";
	assert_null(sl_override_trust_merged(&fx->trust));
}

/* ---- before and after the gates --------------------------------------- */

/*
 * What enters the ledger after the fix does not count for the run: an
 * approval made while the gates ran (by anyone, a gate included) applies
 * to the next run only.
 */
static void fix__events_after_it_do_not_count(void **state)
{
	struct fx *fx = *state;
	int64_t id = request(fx, "billing-unit", fx_commit, FX_T0);

	fix(fx, fx->ledger, 0, false, FX_T0 + 10);
	assert_int_equal(fx->fix.gates[0].kind, SL_OVERRIDE_FIXED_NONE);
	/* The gates run; meanwhile the override is approved. */
	assert_int_equal(
	    decide(fx, SL_LEDGER_APPROVE, id, "billing-unit", FX_T0 + 20), 0);
	ran(fx, SL_JOB_FAILED, SL_JOB_PASSED);
	assert_int_equal(
	    sl_override_fix_apply(&fx->results, fx->ledger, &fx->fix, &fx->err),
	    0);
	assert_int_equal(fx->results.gates[0].status, SL_JOB_FAILED);
	assert_string_equal(fx->results.gates[0].override_note,
			    "override 1 is requested");
	assert_int_equal(applied_events(fx), 0);
	/* The next run applies it, and records that it did. */
	fix(fx, fx->ledger, 0, false, FX_T0 + 30);
	assert_int_equal(fx->fix.gates[0].kind, SL_OVERRIDE_FIXED_APPLIES);
	ran(fx, SL_JOB_FAILED, SL_JOB_PASSED);
	assert_int_equal(
	    sl_override_fix_apply(&fx->results, fx->ledger, &fx->fix, &fx->err),
	    0);
	assert_int_equal(fx->results.gates[0].status, SL_JOB_OVERRIDDEN);
	assert_int_equal(fx->results.gates[0].override.id, id);
	assert_int_equal(applied_events(fx), 1);
}

/* A revoke made while the gates ran counts for the next run only. */
static void fix__holds_through_a_revoke_during_the_run(void **state)
{
	struct fx *fx = *state;
	int64_t id = request(fx, "billing-unit", fx_commit, FX_T0);

	assert_int_equal(
	    decide(fx, SL_LEDGER_APPROVE, id, "billing-unit", FX_T0 + 5), 0);
	fix(fx, fx->ledger, 0, false, FX_T0 + 10);
	assert_int_equal(
	    decide(fx, SL_LEDGER_REVOKE, id, "billing-unit", FX_T0 + 20), 0);
	ran(fx, SL_JOB_TIMED_OUT, SL_JOB_FAILED);
	assert_int_equal(
	    sl_override_fix_apply(&fx->results, fx->ledger, &fx->fix, &fx->err),
	    0);
	assert_int_equal(fx->results.gates[0].status, SL_JOB_OVERRIDDEN);
	/* Not overridable: no override was looked for, and none applies. */
	assert_int_equal(fx->results.gates[1].status, SL_JOB_FAILED);
	fx_assert_msg(&fx->err, "");
	assert_int_equal(applied_events(fx), 1);
	fix(fx, fx->ledger, 0, false, FX_T0 + 30);
	assert_int_equal(fx->fix.gates[0].kind, SL_OVERRIDE_FIXED_NONE);
	assert_string_equal(fx->fix.gates[0].note, "override 1 is revoked");
}

/* ./runs counts the ssh-keygen processes; this one gives no verdict. */
static void broken_keygen(struct fx *fx)
{
	sl_write_text("keygen", "#!/bin/sh\necho >> runs\nexit 1\n");
	sl_sh_ok("chmod +x keygen && rm -f runs && touch runs");
	fx->trust.ssh_keygen = fx_abs("keygen");
	fx->trust.allowed_signers = "ana@example.com ssh-ed25519 AAAA\n";
}

static int keygen_runs(void)
{
	struct sl_buf out = SL_BUF_INIT;
	int n;

	sl_read_file(&out, "runs");
	n = (int)out.len;
	sl_buf_release(&out);
	return n;
}

/*
 * Signatures are checked only for the approvals that could apply: this
 * gate, this commit, this definition, approved and unexpired. One that
 * cannot be checked is no answer: the gate's failure stays, and the run
 * fails with the reason, but only when that gate failed.
 */
static void fix__checks_only_candidates_signatures(void **state)
{
	struct fx *fx = *state;
	approve_signed(fx, request(fx, "billing-unit", fx_other_commit, FX_T0),
		       FX_T0 + 1);
	broken_keygen(fx);
	fix(fx, fx->ledger, 0, false, FX_T0 + 10);
	assert_int_equal(fx->fix.gates[0].kind, SL_OVERRIDE_FIXED_NONE);
	assert_int_equal(keygen_runs(), 0);
	/* Now an approval for this commit: its signature is checked. */
	fx->trust.allowed_signers = NULL;
	approve_signed(fx, request(fx, "billing-unit", fx_commit, FX_T0),
		       FX_T0 + 2);
	broken_keygen(fx);
	fix(fx, fx->ledger, 0, false, FX_T0 + 10);
	assert_int_equal(fx->fix.gates[0].kind, SL_OVERRIDE_FIXED_UNCHECKED);
	assert_true(keygen_runs() > 0);
	ran(fx, SL_JOB_PASSED, SL_JOB_PASSED);
	assert_int_equal(
	    sl_override_fix_apply(&fx->results, fx->ledger, &fx->fix, &fx->err),
	    0);
	ran(fx, SL_JOB_FAILED, SL_JOB_PASSED);
	assert_int_equal(
	    sl_override_fix_apply(&fx->results, fx->ledger, &fx->fix, &fx->err),
	    SL_EENV);
	fx_assert_msg(&fx->err, "cannot check the approved override of gate "
				"'billing-unit', so its failure stays");
	assert_int_equal(fx->results.gates[0].status, SL_JOB_FAILED);
	assert_non_null(strstr(fx->results.gates[0].override_note,
			       "no override could be checked: "));
	assert_int_equal(applied_events(fx), 0);
}

/*
 * A ledger that was never made is no override, and no error; one that
 * cannot be used fails the run whatever its gates did; an unreachable
 * shared one only when an overridable gate failed.
 */
static void fix__ledger_problems(void **state)
{
	struct fx *fx = *state;

	fix(fx, NULL, SL_ENOTFOUND, false, FX_T0);
	ran(fx, SL_JOB_FAILED, SL_JOB_PASSED);
	assert_int_equal(
	    sl_override_fix_apply(&fx->results, NULL, &fx->fix, &fx->err), 0);
	assert_string_equal(fx->results.gates[0].override_note,
			    "the ledger problem");
	fix(fx, NULL, SL_EENV, true, FX_T0);
	ran(fx, SL_JOB_PASSED, SL_JOB_FAILED);
	assert_int_equal(
	    sl_override_fix_apply(&fx->results, NULL, &fx->fix, &fx->err), 0);
	assert_string_equal(fx->results.gates[1].override_note,
			    "no override could be checked: the ledger problem");
	ran(fx, SL_JOB_FAILED, SL_JOB_PASSED);
	assert_int_equal(
	    sl_override_fix_apply(&fx->results, NULL, &fx->fix, &fx->err),
	    SL_EENV);
	fx_assert_msg(&fx->err, "cannot apply overrides; nothing was "
				"overridden (the gates that failed stay "
				"failed): the ledger problem");
	fix(fx, NULL, SL_EENV, false, FX_T0);
	ran(fx, SL_JOB_PASSED, SL_JOB_PASSED);
	assert_int_equal(
	    sl_override_fix_apply(&fx->results, NULL, &fx->fix, &fx->err),
	    SL_EENV);
	/* Rules that are not trusted: a note, the ledger never read. */
	fx->trust.worktree = true;
	fix(fx, NULL, SL_EENV, false, FX_T0);
	ran(fx, SL_JOB_FAILED, SL_JOB_PASSED);
	assert_int_equal(
	    sl_override_fix_apply(&fx->results, NULL, &fx->fix, &fx->err), 0);
	assert_string_equal(fx->results.gates[0].override_note,
			    "overrides apply to commits, not to a working "
			    "copy (--worktree)");
}

/*
 * At a test-merge commit, the pushed head's override applies; the ledger
 * records it under its own commit, naming the merge commit tested, and
 * still verifies.
 */
static void fix__applies_the_merged_heads_override(void **state)
{
	static const char merge[] = "4444444444444444444444444444444444444444";
	struct fx *fx = *state;
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	int64_t id = request(fx, "billing-unit", fx_commit, FX_T0);

	assert_int_equal(
	    decide(fx, SL_LEDGER_APPROVE, id, "billing-unit", FX_T0 + 1), 0);
	fx->trust.head = merge;
	fix(fx, fx->ledger, 0, false, FX_T0 + 10);
	assert_int_equal(fx->fix.gates[0].kind, SL_OVERRIDE_FIXED_NONE);
	fx->trust.parents[0] = base_id;
	fx->trust.parents[1] = fx_commit;
	fx->trust.nparents = 2;
	fix(fx, fx->ledger, 0, false, FX_T0 + 10);
	assert_int_equal(fx->fix.gates[0].kind, SL_OVERRIDE_FIXED_APPLIES);
	ran(fx, SL_JOB_FAILED, SL_JOB_PASSED);
	assert_int_equal(
	    sl_override_fix_apply(&fx->results, fx->ledger, &fx->fix, &fx->err),
	    0);
	assert_int_equal(fx->results.gates[0].status, SL_JOB_OVERRIDDEN);
	assert_string_equal(fx->results.gates[0].override.commit, fx_commit);
	assert_true(fx->results.gates[0].override.merged);
	assert_int_equal(sl_ledger_log(&log, fx->ledger, id, &fx->err), 0);
	assert_int_equal(log.events[2].kind, SL_LEDGER_APPLIED);
	assert_string_equal(log.events[2].commit, fx_commit);
	assert_string_equal(log.events[2].reason, merge);
	assert_int_equal(sl_ledger_verify(&report, fx->ledger, NULL, &fx->err),
			 0);
	sl_ledger_report_release(&report);
	sl_ledger_log_release(&log);
}

/* The whole chain is verified before the run: an edit fails it. */
static void fix__verifies_the_whole_ledger_first(void **state)
{
	struct fx *fx = *state;

	request(fx, "billing-unit", fx_other_commit, FX_T0);
	request(fx, "billing-unit", fx_commit, FX_T0);
	fx_drop_triggers("ci.db");
	assert_int_equal(
	    fx_sql("ci.db", "UPDATE events SET reason = 'x' WHERE seq = 1"), 0);
	fix(fx, fx->ledger, 0, false, FX_T0 + 10);
	assert_int_equal(fx->fix.status, SL_EENV);
	fx_assert_msg(&fx->fix.err, "event 1 was altered");
	ran(fx, SL_JOB_PASSED, SL_JOB_PASSED);
	assert_int_equal(
	    sl_override_fix_apply(&fx->results, fx->ledger, &fx->fix, &fx->err),
	    SL_EENV);
	fx_assert_msg(&fx->err, "fails verification");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(trust__only_the_bases_rules_for_a_commit),
	    T(trust__gate_policy_is_the_trusted_gates),
	    T(trust__merged_is_a_merge_onto_the_base),
	    T(fix__events_after_it_do_not_count),
	    T(fix__holds_through_a_revoke_during_the_run),
	    T(fix__checks_only_candidates_signatures),
	    T(fix__ledger_problems),
	    T(fix__verifies_the_whole_ledger_first),
	    T(fix__applies_the_merged_heads_override),
#undef T
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
