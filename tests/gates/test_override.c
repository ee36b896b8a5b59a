/*
 * test_override.c: the override policy and state machine, without
 * signatures: who may request, approve, deny and revoke; every refusal (and
 * that a refusal records nothing); expiry with an injected clock; binding to
 * the commit and the gate definition; what a run finds and records; list,
 * log and their JSON; the approvers and gate hash helpers.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>

#include "gates/gates.h"
#include "tests/gates/ledger_fixture.h"
#include "tests/support/sandbox.h"

struct fx {
	struct sl_ledger *ledger;
	struct sl_override_policy policy;
	struct sl_error err;
};

static int setup(void **state)
{
	struct fx *fx = sl_xcalloc(1, sizeof(*fx));
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_error err = SL_ERROR_INIT;

	sl_sandbox_enter();
	fx->policy = policy;
	fx->err = err;
	fx_policy(&fx->policy, "@billing", "ana@example.com", NULL);
	fx->ledger = fx_open(".sluice/ledger.db");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	sl_ledger_free(fx->ledger);
	sl_override_policy_release(&fx->policy);
	sl_error_release(&fx->err);
	free(fx);
	sl_sandbox_leave();
	return 0;
}

static int decide(struct fx *fx, enum sl_ledger_kind kind, int64_t id,
		  const char *actor, int64_t now)
{
	return fx_decide(fx->ledger, &fx->policy, kind, id, actor, now,
			 &fx->err);
}

static int refused(struct fx *fx, enum sl_ledger_kind kind, int64_t id,
		   const char *actor, int64_t now, const char *why)
{
	size_t before = fx_events(fx->ledger);
	int ret = decide(fx, kind, id, actor, now);

	assert_int_equal(ret, SL_EREFUSED);
	fx_assert_msg(&fx->err, why);
	/* A refusal records nothing that counts. */
	assert_int_equal(fx_events(fx->ledger), before);
	return ret;
}

static int lookup(struct fx *fx, struct sl_override *ov, int64_t now)
{
	struct sl_override_query q = fx_query(now);

	sl_override_release(ov);
	return sl_ledger_lookup(ov, fx->ledger, &q, &fx->policy, &fx->err);
}

/* ---- helpers -------------------------------------------------------- */

static void approvers__gate_then_lane_then_global(void **state)
{
	struct sl_rules rules;
	struct sl_lane lanes[1];
	struct sl_gate gate;
	struct sl_strvec out = SL_STRVEC_INIT;
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;

	(void)state;
	memset(&rules, 0, sizeof(rules));
	memset(lanes, 0, sizeof(lanes));
	memset(&gate, 0, sizeof(gate));
	sl_strvec_push(&rules.global_approvers, "@platform/release");
	sl_strvec_push(&lanes[0].owners, "@billing");
	sl_strvec_push(&lanes[0].owners, "ana@example.com");
	rules.lanes = lanes;
	rules.nlanes = 1;
	gate.lane = 0;
	gate.overridable = true;
	sl_override_approvers(&out, &rules, &gate);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[0], "@billing");
	sl_strvec_release(&out);
	gate.lane = SL_NO_LANE;
	sl_override_approvers(&out, &rules, &gate);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0], "@platform/release");
	sl_strvec_release(&out);
	gate.lane = 0;
	gate.has_approvers = true;
	sl_strvec_push(&gate.approvers, "@billing/leads");
	gate.overridable = false;
	sl_override_policy_from_rules(&policy, &rules, &gate, "x y z\n");
	assert_int_equal(policy.approvers.n, 1);
	assert_string_equal(policy.approvers.v[0], "@billing/leads");
	assert_false(policy.overridable);
	assert_string_equal(policy.allowed_signers, "x y z\n");
	sl_override_policy_release(&policy);
	sl_strvec_release(&gate.approvers);
	sl_strvec_release(&lanes[0].owners);
	sl_strvec_release(&rules.global_approvers);
}

static void gate_hash__binds_command_cwd_and_env_not_their_order(void **state)
{
	struct sl_env_var env[2] = {{(char *)"A", (char *)"1"},
				    {(char *)"B", (char *)"2"}};
	struct sl_env_var swapped[2] = {{(char *)"B", (char *)"2"},
					{(char *)"A", (char *)"1"}};
	char base[SL_HASH_HEX_SIZE], h[SL_HASH_HEX_SIZE];
	struct sl_gate gate;

	(void)state;
	memset(&gate, 0, sizeof(gate));
	gate.name = (char *)"billing-unit";
	gate.shell = (char *)"make test";
	gate.env = env;
	gate.nenv = 2;
	sl_override_gate_hash(base, &gate);
	assert_int_equal(strlen(base), 64);
	gate.env = swapped;
	sl_override_gate_hash(h, &gate);
	assert_string_equal(h, base);
	/* Name, timeout and retries are not the definition. */
	gate.name = (char *)"renamed";
	gate.timeout_ms = 1;
	gate.retries = 3;
	sl_override_gate_hash(h, &gate);
	assert_string_equal(h, base);
	swapped[0].value = (char *)"3";
	sl_override_gate_hash(h, &gate);
	assert_string_not_equal(h, base);
	swapped[0].value = (char *)"2";
	gate.cwd = (char *)"services/billing";
	sl_override_gate_hash(h, &gate);
	assert_string_not_equal(h, base);
	gate.cwd = NULL;
	gate.shell = (char *)"make  test";
	sl_override_gate_hash(h, &gate);
	assert_string_not_equal(h, base);
	/* ["make test"] as argv is not "make test" for a shell. */
	gate.shell = NULL;
	sl_strvec_push(&gate.argv, "make test");
	sl_override_gate_hash(h, &gate);
	assert_string_not_equal(h, base);
	sl_strvec_release(&gate.argv);
}

static void identity__matches_exactly_ignoring_ascii_case(void **state)
{
	(void)state;
	assert_true(
	    sl_override_identity_matches("Ana@Example.com", "ana@example.com"));
	assert_true(sl_override_identity_matches("@Billing", "@billing"));
	assert_false(sl_override_identity_matches("ana@example.com.evil",
						  "ana@example.com"));
	assert_false(
	    sl_override_identity_matches("@billing/leads", "@billing"));
	assert_false(sl_override_identity_matches("", ""));
	assert_false(sl_override_identity_matches("ana", "ana@example.com"));
	/* Only ASCII folds: "É" is not "é". */
	assert_false(
	    sl_override_identity_matches("\xc3\x89@x.org", "\xc3\xa9@x.org"));
}

static void times__format_and_parse_round_trip(void **state)
{
	struct sl_buf text = SL_BUF_INIT;
	struct sl_error err = SL_ERROR_INIT;
	int64_t t = 0;

	(void)state;
	sl_override_time_format(&text, FX_T0 + 7 * FX_DAY + 61);
	assert_string_equal(text.buf, "2026-01-08T00:01:01Z");
	assert_int_equal(sl_override_time_parse(&t, text.buf), 0);
	assert_int_equal(t, FX_T0 + 7 * FX_DAY + 61);
	assert_int_equal(sl_override_time_parse(&t, "2026-02-30T00:00:00Z"),
			 -1);
	assert_int_equal(sl_override_time_parse(&t, "2026-01-08 00:00:00"), -1);
	assert_int_equal(sl_override_expiry_parse(&t, "36h", &err), 0);
	assert_int_equal(t, 36 * FX_HOUR);
	assert_int_equal(sl_override_expiry_parse(&t, "30d", &err), 0);
	assert_int_equal(sl_override_expiry_parse(&t, "31d", &err), SL_EUSAGE);
	fx_assert_msg(&err, "30 days");
	assert_int_equal(sl_override_expiry_parse(&t, "7", &err), SL_EUSAGE);
	assert_int_equal(sl_override_expiry_parse(&t, "-1d", &err), SL_EUSAGE);
	assert_int_equal(sl_override_expiry_parse(&t, "0d", &err), SL_EUSAGE);
	assert_int_equal(sl_override_expiry_parse(&t, "7dd", &err), SL_EUSAGE);
	sl_buf_release(&text);
	sl_error_release(&err);
}

/* ---- requests ---------------------------------------------------------- */

static void request__records_and_returns_ids(void **state)
{
	struct fx *fx = *state;
	struct sl_override ov = SL_OVERRIDE_INIT;
	int64_t a, b;

	a = fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);
	b = fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0 + 1);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_int_equal(sl_ledger_get(&ov, fx->ledger, a, FX_T0, &fx->err), 0);
	assert_string_equal(ov.gate, "billing-unit");
	assert_string_equal(ov.commit, fx_commit);
	assert_string_equal(ov.gate_hash, fx_gate_hash);
	assert_string_equal(ov.requested_by, "dev@example.com");
	assert_string_equal(ov.reason, "flaky upstream sandbox");
	assert_int_equal(ov.requested_at, FX_T0);
	assert_int_equal(ov.expires_at, FX_T0 + SL_OVERRIDE_EXPIRY_DEFAULT);
	assert_int_equal(ov.state, SL_OVERRIDE_REQUESTED);
	assert_null(ov.decided_by);
	sl_override_release(&ov);
	assert_int_equal(sl_ledger_get(&ov, fx->ledger, 99, FX_T0, &fx->err),
			 SL_ENOTFOUND);
}

static int request_with(struct fx *fx, struct sl_override_request *req)
{
	int64_t id = 0;

	return sl_ledger_request(&id, fx->ledger, req, &fx->policy, &fx->err);
}

static struct sl_override_request good_request(void)
{
	struct sl_override_request req = {0};

	req.gate = "billing-unit";
	req.commit = fx_commit;
	req.gate_hash = fx_gate_hash;
	req.requester = "dev@example.com";
	req.reason = "the sandbox is down";
	req.now = FX_T0;
	return req;
}

static void request__refuses_bad_input_and_policy(void **state)
{
	struct fx *fx = *state;
	struct sl_override_request req = good_request();

	req.commit = "1111111";
	assert_int_equal(request_with(fx, &req), SL_EUSAGE);
	fx_assert_msg(&fx->err, "not a full commit id");
	req.commit = "1111111111111111111111111111111111111ABC";
	assert_int_equal(request_with(fx, &req), SL_EUSAGE);
	req.commit = fx_commit256;
	req.reason = "  \n ";
	assert_int_equal(request_with(fx, &req), SL_EUSAGE);
	fx_assert_msg(&fx->err, "a reason is required");
	req.reason = "ok";
	req.requester = "";
	assert_int_equal(request_with(fx, &req), SL_EUSAGE);
	fx_assert_msg(&fx->err, "the requester is empty");
	req.requester = "Ana Example";
	assert_int_equal(request_with(fx, &req), SL_EUSAGE);
	req.requester = "-oProxyCommand=x";
	assert_int_equal(request_with(fx, &req), SL_EUSAGE);
	req.requester = "a@x.org,b@x.org";
	assert_int_equal(request_with(fx, &req), SL_EUSAGE);
	req.requester = "dev@example.com";
	req.gate_hash = "abc";
	assert_int_equal(request_with(fx, &req), SL_EUSAGE);
	req.gate_hash = fx_gate_hash;
	req.expires_in = SL_OVERRIDE_EXPIRY_MAX + 1;
	assert_int_equal(request_with(fx, &req), SL_EREFUSED);
	fx_assert_msg(&fx->err, "at most 30 days");
	req.expires_in = 0;
	fx->policy.overridable = false;
	assert_int_equal(request_with(fx, &req), SL_EREFUSED);
	fx_assert_msg(&fx->err, "is not overridable");
	fx->policy.overridable = true;
	sl_strvec_release(&fx->policy.approvers);
	assert_int_equal(request_with(fx, &req), SL_EREFUSED);
	fx_assert_msg(&fx->err, "has no approvers");
	assert_int_equal(fx_events(fx->ledger), 0);
	/* A SHA-256 repository's 64-digit id is a full id. */
	sl_strvec_push(&fx->policy.approvers, "ana@example.com");
	assert_int_equal(request_with(fx, &req), 0);
}

/* ---- decisions ---------------------------------------------------------- */

static void approve__by_an_approver_lets_the_run_find_it(void **state)
{
	struct fx *fx = *state;
	struct sl_override ov = SL_OVERRIDE_INIT;
	int64_t id =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);

	assert_int_equal(lookup(fx, &ov, FX_T0 + 1), SL_ENOTFOUND);
	fx_assert_msg(&fx->err, "override 1 is requested");
	assert_int_equal(decide(fx, SL_LEDGER_APPROVE, id, "Ana@Example.com",
				FX_T0 + FX_HOUR),
			 0);
	assert_int_equal(lookup(fx, &ov, FX_T0 + 2 * FX_HOUR), 0);
	assert_int_equal(ov.id, id);
	assert_int_equal(ov.state, SL_OVERRIDE_APPROVED);
	assert_string_equal(ov.requested_by, "dev@example.com");
	assert_string_equal(ov.decided_by, "Ana@Example.com");
	assert_string_equal(ov.decision_reason,
			    "looked at the logs: the sandbox is down");
	assert_int_equal(ov.decided_at, FX_T0 + FX_HOUR);
	assert_int_equal(ov.expires_at, FX_T0 + 7 * FX_DAY);
	assert_false(ov.decision_signed);
	sl_override_release(&ov);
}

static void approve__refusals(void **state)
{
	struct fx *fx = *state;
	int64_t id =
	    fx_request(fx->ledger, &fx->policy, "ana@example.com", FX_T0);

	refused(fx, SL_LEDGER_APPROVE, id, "mallory@example.com", FX_T0 + 1,
		"'mallory@example.com' is not an approver of gate "
		"'billing-unit' (approvers: @billing, ana@example.com)");
	/* Approvers are matched literally: a team's name is not a member. */
	refused(fx, SL_LEDGER_APPROVE, id, "@billing/leads", FX_T0 + 1,
		"is not an approver");
	refused(fx, SL_LEDGER_APPROVE, id, "ANA@example.com", FX_T0 + 1,
		"nobody approves their own request");
	refused(fx, SL_LEDGER_APPROVE, 42, "@billing", FX_T0 + 1,
		"cannot approve override 42: there is no such request");
	fx->policy.overridable = false;
	refused(fx, SL_LEDGER_APPROVE, id, "@billing", FX_T0 + 1,
		"is not overridable");
	fx->policy.overridable = true;
	assert_int_equal(decide(fx, SL_LEDGER_APPROVE, id, "", FX_T0 + 1),
			 SL_EUSAGE);
	assert_int_equal(decide(fx, SL_LEDGER_REQUEST, id, "@billing", FX_T0),
			 SL_EUSAGE);
	/* Before it was requested (a skewed clock) is no time to decide. */
	refused(fx, SL_LEDGER_APPROVE, id, "@billing", FX_T0 - 10,
		"before it was requested");
	assert_int_equal(fx_events(fx->ledger), 1);
}

static void approve__refuses_an_empty_reason(void **state)
{
	struct fx *fx = *state;
	struct sl_override_decision d = {0};
	int64_t id =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);

	d.kind = SL_LEDGER_APPROVE;
	d.id = id;
	d.actor = "@billing";
	d.reason = "";
	d.now = FX_T0 + 1;
	assert_int_equal(
	    sl_ledger_decide(NULL, fx->ledger, &d, &fx->policy, &fx->err),
	    SL_EUSAGE);
	fx_assert_msg(&fx->err, "a reason is required");
	assert_int_equal(fx_events(fx->ledger), 1);
}

static void state_machine__every_illegal_step_is_refused(void **state)
{
	struct fx *fx = *state;
	int64_t a =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);
	int64_t b =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);
	int64_t seq = 0;
	struct sl_override_decision d = {0};

	refused(fx, SL_LEDGER_REVOKE, a, "@billing", FX_T0 + 1,
		"it is not approved; deny it instead");
	assert_int_equal(
	    decide(fx, SL_LEDGER_APPROVE, a, "@billing", FX_T0 + 2), 0);
	refused(fx, SL_LEDGER_APPROVE, a, "ana@example.com", FX_T0 + 3,
		"it is already approved by '@billing' at 2026-01-01T00:00:02Z");
	refused(fx, SL_LEDGER_DENY, a, "ana@example.com", FX_T0 + 3,
		"already approved");
	d.kind = SL_LEDGER_REVOKE;
	d.id = a;
	d.actor = "ana@example.com";
	d.reason = "the sandbox is back";
	d.now = FX_T0 + 4;
	assert_int_equal(
	    sl_ledger_decide(&seq, fx->ledger, &d, &fx->policy, &fx->err), 0);
	assert_int_equal(seq, 4);
	refused(fx, SL_LEDGER_REVOKE, a, "@billing", FX_T0 + 5,
		"already revoked by 'ana@example.com'");
	refused(fx, SL_LEDGER_APPROVE, a, "@billing", FX_T0 + 5,
		"already revoked");
	assert_int_equal(decide(fx, SL_LEDGER_DENY, b, "@billing", FX_T0 + 6),
			 0);
	refused(fx, SL_LEDGER_APPROVE, b, "@billing", FX_T0 + 7,
		"it is already denied by '@billing'");
	refused(fx, SL_LEDGER_REVOKE, b, "@billing", FX_T0 + 7,
		"already denied");
}

static void expiry__ends_requests_and_approvals(void **state)
{
	struct fx *fx = *state;
	struct sl_override_request req = good_request();
	struct sl_override ov = SL_OVERRIDE_INIT;
	int64_t a = 0, b = 0;

	req.expires_in = FX_HOUR;
	assert_int_equal(
	    sl_ledger_request(&a, fx->ledger, &req, &fx->policy, &fx->err), 0);
	assert_int_equal(
	    sl_ledger_request(&b, fx->ledger, &req, &fx->policy, &fx->err), 0);
	refused(fx, SL_LEDGER_APPROVE, a, "@billing", FX_T0 + FX_HOUR,
		"it expired at 2026-01-01T01:00:00Z");
	assert_int_equal(
	    decide(fx, SL_LEDGER_APPROVE, b, "@billing", FX_T0 + FX_HOUR - 1),
	    0);
	assert_int_equal(lookup(fx, &ov, FX_T0 + FX_HOUR - 1), 0);
	assert_int_equal(ov.id, b);
	assert_int_equal(lookup(fx, &ov, FX_T0 + FX_HOUR), SL_ENOTFOUND);
	fx_assert_msg(&fx->err, "override 2 expired at 2026-01-01T01:00:00Z");
	refused(fx, SL_LEDGER_REVOKE, b, "@billing", FX_T0 + FX_HOUR + 1,
		"expired");
	assert_int_equal(
	    sl_ledger_get(&ov, fx->ledger, b, FX_T0 + FX_HOUR, &fx->err), 0);
	assert_int_equal(ov.state, SL_OVERRIDE_EXPIRED);
	sl_override_release(&ov);
}

static void deny_and_revoke__by_the_requester_withdraw(void **state)
{
	struct fx *fx = *state;
	int64_t a =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);
	int64_t b =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);

	refused(fx, SL_LEDGER_DENY, a, "mallory@example.com", FX_T0 + 1,
		"is neither an approver of gate 'billing-unit' nor its "
		"requester");
	assert_int_equal(
	    decide(fx, SL_LEDGER_DENY, a, "dev@example.com", FX_T0 + 1), 0);
	assert_int_equal(
	    decide(fx, SL_LEDGER_APPROVE, b, "@billing", FX_T0 + 1), 0);
	refused(fx, SL_LEDGER_REVOKE, b, "mallory@example.com", FX_T0 + 2,
		"neither an approver");
	assert_int_equal(
	    decide(fx, SL_LEDGER_REVOKE, b, "dev@example.com", FX_T0 + 2), 0);
}

/* ---- runs ------------------------------------------------------------ */

static void lookup__is_bound_to_commit_and_definition(void **state)
{
	struct fx *fx = *state;
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_override_query q = fx_query(FX_T0 + 10);
	int64_t id =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);

	assert_int_equal(
	    decide(fx, SL_LEDGER_APPROVE, id, "@billing", FX_T0 + 1), 0);
	q.commit = fx_other_commit;
	assert_int_equal(
	    sl_ledger_lookup(&ov, fx->ledger, &q, &fx->policy, &fx->err),
	    SL_ENOTFOUND);
	fx_assert_msg(&fx->err, "override 1 is for commit 111111111111, not "
				"222222222222: a new commit voids an override");
	q.commit = fx_commit;
	q.gate_hash = fx_other_hash;
	assert_int_equal(
	    sl_ledger_lookup(&ov, fx->ledger, &q, &fx->policy, &fx->err),
	    SL_ENOTFOUND);
	fx_assert_msg(&fx->err, "editing a gate voids its overrides");
	q.gate_hash = fx_gate_hash;
	q.gate = "billing-migrations";
	assert_int_equal(
	    sl_ledger_lookup(&ov, fx->ledger, &q, &fx->policy, &fx->err),
	    SL_ENOTFOUND);
	fx_assert_msg(
	    &fx->err,
	    "no override was requested for gate 'billing-migrations'");
	q.gate = "billing-unit";
	q.commit = "short";
	assert_int_equal(
	    sl_ledger_lookup(&ov, fx->ledger, &q, &fx->policy, &fx->err),
	    SL_EUSAGE);
}

static void lookup__rechecks_the_trusted_rules(void **state)
{
	struct fx *fx = *state;
	struct sl_override ov = SL_OVERRIDE_INIT;
	int64_t id =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);

	assert_int_equal(
	    decide(fx, SL_LEDGER_APPROVE, id, "ana@example.com", FX_T0 + 1), 0);
	/* The base rules made the gate non-overridable since. */
	fx->policy.overridable = false;
	assert_int_equal(lookup(fx, &ov, FX_T0 + 2), SL_ENOTFOUND);
	fx_assert_msg(&fx->err, "does not hold under the trusted rules");
	fx_assert_msg(&fx->err, "is not overridable");
	/* ... or dropped its approver. */
	fx->policy.overridable = true;
	sl_strvec_release(&fx->policy.approvers);
	sl_strvec_push(&fx->policy.approvers, "@billing");
	assert_int_equal(lookup(fx, &ov, FX_T0 + 2), SL_ENOTFOUND);
	fx_assert_msg(&fx->err, "'ana@example.com' is not an approver");
}

static void lookup__newest_valid_approval_wins(void **state)
{
	struct fx *fx = *state;
	struct sl_override ov = SL_OVERRIDE_INIT;
	int64_t a =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);
	int64_t b =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0 + 1);
	int64_t c =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0 + 2);

	assert_int_equal(
	    decide(fx, SL_LEDGER_APPROVE, a, "@billing", FX_T0 + 3), 0);
	assert_int_equal(
	    decide(fx, SL_LEDGER_APPROVE, b, "@billing", FX_T0 + 4), 0);
	assert_int_equal(decide(fx, SL_LEDGER_DENY, c, "@billing", FX_T0 + 5),
			 0);
	assert_int_equal(lookup(fx, &ov, FX_T0 + 6), 0);
	assert_int_equal(ov.id, b);
	assert_int_equal(decide(fx, SL_LEDGER_REVOKE, b, "@billing", FX_T0 + 7),
			 0);
	assert_int_equal(lookup(fx, &ov, FX_T0 + 8), 0);
	assert_int_equal(ov.id, a);
	sl_override_release(&ov);
}

static void apply__records_the_run_in_the_trail(void **state)
{
	struct fx *fx = *state;
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_override_query q = fx_query(FX_T0 + 10);
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	int64_t id =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);

	q.run_id = "https://ci.example.com/runs/77";
	assert_int_equal(fx_apply(&ov, fx->ledger, &q, &fx->policy, &fx->err),
			 SL_ENOTFOUND);
	assert_int_equal(
	    decide(fx, SL_LEDGER_APPROVE, id, "@billing", FX_T0 + 1), 0);
	assert_int_equal(fx_apply(&ov, fx->ledger, &q, &fx->policy, &fx->err),
			 0);
	assert_int_equal(ov.applied, 1);
	sl_override_release(&ov);
	q.actor = "ci@example.com";
	assert_int_equal(fx_apply(&ov, fx->ledger, &q, &fx->policy, &fx->err),
			 0);
	assert_int_equal(ov.applied, 2);
	sl_override_release(&ov);
	q.run_id = "";
	assert_int_equal(fx_apply(&ov, fx->ledger, &q, &fx->policy, &fx->err),
			 SL_EUSAGE);
	assert_int_equal(sl_ledger_log(&log, fx->ledger, id, &fx->err), 0);
	assert_int_equal(log.n, 4);
	assert_int_equal(log.events[2].kind, SL_LEDGER_APPLIED);
	assert_string_equal(log.events[2].run_id,
			    "https://ci.example.com/runs/77");
	assert_string_equal(log.events[2].gate, "billing-unit");
	assert_string_equal(log.events[2].commit, fx_commit);
	assert_string_equal(log.events[3].actor, "ci@example.com");
	sl_ledger_log_release(&log);
	/* A revoked override is used no more. */
	assert_int_equal(
	    decide(fx, SL_LEDGER_REVOKE, id, "@billing", FX_T0 + 20), 0);
	q.run_id = "run-78";
	q.now = FX_T0 + 21;
	assert_int_equal(fx_apply(&ov, fx->ledger, &q, &fx->policy, &fx->err),
			 SL_ENOTFOUND);
	fx_assert_msg(&fx->err, "override 1 is revoked");
}

/* ---- list and log ----------------------------------------------------- */

static void list__open_and_active_unless_all(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_list_options opts = SL_LEDGER_LIST_OPTIONS_INIT;
	struct sl_override_list list = SL_OVERRIDE_LIST_INIT;
	int64_t a =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);
	int64_t b =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);
	int64_t c =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);

	assert_int_equal(
	    decide(fx, SL_LEDGER_APPROVE, a, "@billing", FX_T0 + 1), 0);
	assert_int_equal(decide(fx, SL_LEDGER_DENY, b, "@billing", FX_T0 + 1),
			 0);
	opts.now = FX_T0 + 2;
	assert_int_equal(sl_ledger_list(&list, fx->ledger, &opts, &fx->err), 0);
	assert_int_equal(list.n, 2);
	assert_int_equal(list.items[0].id, a);
	assert_int_equal(list.items[0].state, SL_OVERRIDE_APPROVED);
	assert_int_equal(list.items[1].id, c);
	assert_int_equal(list.items[1].state, SL_OVERRIDE_REQUESTED);
	sl_override_list_release(&list);
	opts.all = true;
	assert_int_equal(sl_ledger_list(&list, fx->ledger, &opts, &fx->err), 0);
	assert_int_equal(list.n, 3);
	sl_override_list_release(&list);
	opts.gate = "web-checkout-smoke";
	assert_int_equal(sl_ledger_list(&list, fx->ledger, &opts, &fx->err), 0);
	assert_int_equal(list.n, 0);
	/* A week later, nothing is open or active. */
	opts.all = false;
	opts.gate = NULL;
	opts.now = FX_T0 + 8 * FX_DAY;
	assert_int_equal(sl_ledger_list(&list, fx->ledger, &opts, &fx->err), 0);
	assert_int_equal(list.n, 0);
}

static void log__full_trail_and_json(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	struct sl_override ov = SL_OVERRIDE_INIT;
	json_t *j;
	int64_t id =
	    fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);

	fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);
	assert_int_equal(
	    decide(fx, SL_LEDGER_APPROVE, id, "@billing", FX_T0 + 1), 0);
	assert_int_equal(sl_ledger_log(&log, fx->ledger, 0, &fx->err), 0);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.events[0].seq, 1);
	assert_int_equal(log.events[2].kind, SL_LEDGER_APPROVE);
	assert_int_equal(log.events[2].override_id, id);
	assert_string_equal(log.events[1].prev_hash, log.events[0].hash);
	j = sl_ledger_event_json(&log.events[2]);
	assert_string_equal(json_string_value(json_object_get(j, "kind")),
			    "approve");
	assert_string_equal(json_string_value(json_object_get(j, "at")),
			    "2026-01-01T00:00:01Z");
	assert_true(json_is_null(json_object_get(j, "signature")));
	json_decref(j);
	sl_ledger_log_release(&log);
	assert_int_equal(sl_ledger_log(&log, fx->ledger, id, &fx->err), 0);
	assert_int_equal(log.n, 2);
	sl_ledger_log_release(&log);
	assert_int_equal(sl_ledger_log(&log, fx->ledger, 77, &fx->err),
			 SL_ENOTFOUND);
	assert_int_equal(
	    sl_ledger_get(&ov, fx->ledger, id, FX_T0 + 2, &fx->err), 0);
	j = sl_override_json(&ov);
	assert_string_equal(json_string_value(json_object_get(j, "state")),
			    "approved");
	assert_string_equal(
	    json_string_value(json_object_get(j, "approved_by")), "@billing");
	assert_string_equal(json_string_value(json_object_get(j, "expires_at")),
			    "2026-01-08T00:00:00Z");
	assert_false(json_boolean_value(json_object_get(j, "signed")));
	json_decref(j);
	sl_override_release(&ov);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(approvers__gate_then_lane_then_global),
	    cmocka_unit_test(
		gate_hash__binds_command_cwd_and_env_not_their_order),
	    cmocka_unit_test(identity__matches_exactly_ignoring_ascii_case),
	    cmocka_unit_test(times__format_and_parse_round_trip),
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(request__records_and_returns_ids),
	    T(request__refuses_bad_input_and_policy),
	    T(approve__by_an_approver_lets_the_run_find_it),
	    T(approve__refusals),
	    T(approve__refuses_an_empty_reason),
	    T(state_machine__every_illegal_step_is_refused),
	    T(expiry__ends_requests_and_approvals),
	    T(deny_and_revoke__by_the_requester_withdraw),
	    T(lookup__is_bound_to_commit_and_definition),
	    T(lookup__rechecks_the_trusted_rules),
	    T(lookup__newest_valid_approval_wins),
	    T(apply__records_the_run_in_the_trail),
	    T(list__open_and_active_unless_all),
	    T(log__full_trail_and_json),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
