/*
 * test_override_sign.c: proven identities. Decisions signed with ed25519
 * keys made in the sandbox, checked against an allowed_signers file:
 * signed, unsigned and wrongly signed approvals, a key listed for another
 * identity, team membership through the file, self-approval by key, the
 * run re-checking signatures, and carrying a signed decision between
 * ledgers with export and import (round trip, twice, tampered, offline).
 */
#include "common/common.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "gates/gates.h"
#include "tests/gates/ledger_fixture.h"
#include "tests/support/sandbox.h"

struct fx {
	struct sl_ledger *ledger;
	struct sl_override_policy policy;
	struct sl_error err;
	int64_t id;
};

/* Keys for ana (an approver), bob (another approver), dev (requester). */
static int setup_keys(void **state)
{
	(void)state;
	sl_sandbox_enter();
	fx_keygen("ana");
	fx_keygen("bob");
	fx_keygen("dev");
	return 0;
}

static int teardown_keys(void **state)
{
	(void)state;
	sl_sandbox_leave();
	return 0;
}

static int setup(void **state)
{
	struct fx *fx = sl_xcalloc(1, sizeof(*fx));
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf signers = SL_BUF_INIT;

	fx->policy = policy;
	fx->err = err;
	fx_policy(&fx->policy, "ana@example.com", "bob@example.com", NULL);
	fx_allowed(&signers, "ana@example.com", "ana");
	fx_allowed(&signers, "bob@example.com", "bob");
	fx_allowed(&signers, "dev@example.com", "dev");
	fx->policy.allowed_signers = sl_buf_detach(&signers, NULL);
	assert_int_equal(system("rm -f ci.db* laptop.db*"), 0);
	fx->ledger = fx_open("ci.db");
	fx->id = fx_request(fx->ledger, &fx->policy, "dev@example.com", FX_T0);
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
	return 0;
}

static struct sl_override_decision decision(enum sl_ledger_kind kind,
					    int64_t id, const char *actor,
					    const char *key)
{
	struct sl_override_decision d = {0};

	d.kind = kind;
	d.id = id;
	d.actor = actor;
	d.reason = "checked: the failure is the sandbox";
	d.sign_key = key;
	d.now = FX_T0 + FX_HOUR;
	return d;
}

static int decide(struct fx *fx, const struct sl_override_decision *d)
{
	return sl_ledger_decide(NULL, fx->ledger, d, &fx->policy, &fx->err);
}

static int lookup(struct fx *fx, struct sl_override *ov)
{
	struct sl_override_query q = fx_query(FX_T0 + 2 * FX_HOUR);

	sl_override_release(ov);
	return sl_ledger_lookup(ov, fx->ledger, &q, &fx->policy, &fx->err);
}

/* ---- signed decisions ------------------------------------------------- */

static void signed__approval_by_a_listed_key_counts(void **state)
{
	struct fx *fx = *state;
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", "keys/ana");

	assert_int_equal(decide(fx, &d), 0);
	assert_int_equal(lookup(fx, &ov), 0);
	assert_true(ov.decision_signed);
	assert_non_null(
	    strstr(ov.decision_signature, "-----BEGIN SSH SIGNATURE-----"));
	sl_override_release(&ov);
}

static void signed__unsigned_decision_is_refused(void **state)
{
	struct fx *fx = *state;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", NULL);

	assert_int_equal(decide(fx, &d), SL_EREFUSED);
	fx_assert_msg(&fx->err, "decisions must be signed: use --sign KEY");
	d.kind = SL_LEDGER_DENY;
	assert_int_equal(decide(fx, &d), SL_EREFUSED);
	assert_int_equal(fx_events(fx->ledger), 1);
}

static void signed__by_someone_elses_key_is_refused(void **state)
{
	struct fx *fx = *state;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", "keys/bob");

	assert_int_equal(decide(fx, &d), SL_EREFUSED);
	fx_assert_msg(&fx->err, "not by a key allowed_signers lists for "
				"'ana@example.com'");
	assert_int_equal(fx_events(fx->ledger), 1);
}

static void signed__key_listed_for_another_identity_is_refused(void **state)
{
	struct fx *fx = *state;
	struct sl_buf signers = SL_BUF_INIT;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", "keys/ana");

	/* The file lists ana's key, but for carol. */
	fx_allowed(&signers, "carol@example.com", "ana");
	free(fx->policy.allowed_signers);
	fx->policy.allowed_signers = sl_buf_detach(&signers, NULL);
	assert_int_equal(decide(fx, &d), SL_EREFUSED);
	fx_assert_msg(&fx->err, "'ana@example.com'");
	assert_int_equal(fx_events(fx->ledger), 1);
}

static void signed__signature_over_another_decision_is_refused(void **state)
{
	struct fx *fx = *state;
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_buf text = SL_BUF_INIT, sig = SL_BUF_INIT;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", NULL);

	assert_int_equal(
	    sl_ledger_get(&ov, fx->ledger, fx->id, FX_T0, &fx->err), 0);
	/* Signed for a different reason, presented with this one. */
	d.reason = "something else";
	sl_override_decision_text(&text, &ov, &d);
	assert_int_equal(sl_override_sign(&sig, "keys/ana", text.buf,
					  fx_ssh_keygen(), false, &fx->err),
			 0);
	d.reason = "checked: the failure is the sandbox";
	d.signature = sig.buf;
	assert_int_equal(decide(fx, &d), SL_EREFUSED);
	fx_assert_msg(&fx->err, "not by a key allowed_signers lists");
	/* The right text signs fine, with the signature handed in. */
	sl_buf_reset(&text);
	sl_buf_reset(&sig);
	sl_override_decision_text(&text, &ov, &d);
	assert_int_equal(sl_override_sign(&sig, "keys/ana", text.buf,
					  fx_ssh_keygen(), false, &fx->err),
			 0);
	d.signature = sig.buf;
	assert_int_equal(decide(fx, &d), 0);
	sl_buf_release(&text);
	sl_buf_release(&sig);
	sl_override_release(&ov);
}

static void signed__team_membership_is_the_key_listed_for_the_team(void **state)
{
	struct fx *fx = *state;
	struct sl_buf signers = SL_BUF_INIT;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", "keys/ana");

	sl_strvec_release(&fx->policy.approvers);
	sl_strvec_push(&fx->policy.approvers, "@billing");
	/* bob's key is listed for bob only: not a member. */
	d.actor = "bob@example.com";
	d.sign_key = "keys/bob";
	assert_int_equal(decide(fx, &d), SL_EREFUSED);
	fx_assert_msg(&fx->err, "is not an approver of gate 'billing-unit'");
	/* ana's key is listed for ana and for the team. */
	fx_allowed(&signers, "ana@example.com,@billing", "ana");
	fx_allowed(&signers, "bob@example.com", "bob");
	free(fx->policy.allowed_signers);
	fx->policy.allowed_signers = sl_buf_detach(&signers, NULL);
	d.actor = "ana@example.com";
	d.sign_key = "keys/ana";
	assert_int_equal(decide(fx, &d), 0);
}

static void signed__requesters_own_key_is_self_approval(void **state)
{
	struct fx *fx = *state;
	struct sl_buf signers = SL_BUF_INIT;
	struct sl_override_decision d = decision(
	    SL_LEDGER_APPROVE, fx->id, "dev-alias@example.com", "keys/dev");

	/* dev listed the same key under an alias who is an approver. */
	fx_allowed(&signers, "dev@example.com,dev-alias@example.com", "dev");
	free(fx->policy.allowed_signers);
	fx->policy.allowed_signers = sl_buf_detach(&signers, NULL);
	sl_strvec_push(&fx->policy.approvers, "dev-alias@example.com");
	assert_int_equal(decide(fx, &d), SL_EREFUSED);
	fx_assert_msg(&fx->err, "also listed for the requester");
	/* The same key withdrawing its own request is fine. */
	d.kind = SL_LEDGER_DENY;
	assert_int_equal(decide(fx, &d), 0);
}

static void signed__run_rechecks_the_approval_signature(void **state)
{
	struct fx *fx = *state;
	struct sl_override ov = SL_OVERRIDE_INIT;
	char *signers = fx->policy.allowed_signers;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", NULL);

	/* Approved while the rules named no allowed_signers ... */
	fx->policy.allowed_signers = NULL;
	assert_int_equal(decide(fx, &d), 0);
	assert_int_equal(lookup(fx, &ov), 0);
	/* ... does not apply once the base rules require signatures. */
	fx->policy.allowed_signers = signers;
	assert_int_equal(lookup(fx, &ov), SL_ENOTFOUND);
	fx_assert_msg(&fx->err, "does not hold under the trusted rules");
	fx_assert_msg(&fx->err, "must be signed");
}

static void
verify_signature__reports_garbage_and_a_missing_program(void **state)
{
	struct fx *fx = *state;
	struct sl_buf sig = SL_BUF_INIT;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", "keys/ana");

	assert_int_equal(
	    sl_override_verify_signature(fx->policy.allowed_signers,
					 "ana@example.com", "not a signature",
					 "text", fx_ssh_keygen(), &fx->err),
	    SL_EREFUSED);
	fx_assert_msg(&fx->err, "not an armored SSH signature");
	assert_int_equal(
	    sl_override_verify_signature(
		fx->policy.allowed_signers, "ana@example.com",
		"-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH "
		"SIGNATURE-----\n",
		"text", fx_ssh_keygen(), &fx->err),
	    SL_EREFUSED);
	fx_assert_msg(&fx->err, "ssh-keygen: ");
	assert_int_equal(sl_override_verify_signature(
			     fx->policy.allowed_signers, "ana@example.com",
			     "-----BEGIN SSH SIGNATURE-----\n", "text",
			     "/nonexistent/ssh-keygen", &fx->err),
			 SL_EENV);
	fx_assert_msg(&fx->err, "cannot run '/nonexistent/ssh-keygen'");
	assert_int_equal(sl_override_sign(&sig, "keys/none", "x",
					  fx_ssh_keygen(), false, &fx->err),
			 SL_EENV);
	fx_assert_msg(&fx->err, "cannot sign with key 'keys/none'");
	fx->policy.ssh_keygen = "/nonexistent/ssh-keygen";
	assert_int_equal(decide(fx, &d), SL_EENV);
	assert_int_equal(fx_events(fx->ledger), 1);
	/* Not found before any gate ran: no signature, and no PATH look-up
	 * afterwards, where a gate may have planted one. */
	fx->policy.ssh_keygen = NULL;
	assert_int_equal(decide(fx, &d), SL_EENV);
	fx_assert_msg(&fx->err, "cannot run ssh-keygen: it was not found");
	fx->policy.ssh_keygen = "ssh-keygen";
	assert_int_equal(decide(fx, &d), SL_EENV);
	fx_assert_msg(&fx->err, "never looked up in PATH");
	assert_int_equal(fx_events(fx->ledger), 1);
	sl_buf_release(&sig);
}

/* ---- remembered answers ------------------------------------------------ */

/* ./counting-keygen: the real ssh-keygen, counting its runs in ./runs. */
static void counting_keygen(void)
{
	sl_write_text("counting-keygen", "#!/bin/sh\necho >> runs\n"
					 "exec ssh-keygen \"$@\"\n");
	sl_sh_ok("chmod +x counting-keygen && rm -f runs && touch runs");
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
 * Told where to remember (a shared ledger's working copy), a lookup checks
 * an approval's signature with ssh-keygen once per clone: the answer is
 * remembered in the ledger, for the same allowed_signers content,
 * identity, signature and text. Another allowed_signers, or one whose
 * answers depend on the time, is asked again; so is everything when the
 * policy says nowhere (a ledger that is only a local file).
 */
static void remembered__a_signature_is_checked_once(void **state)
{
	struct fx *fx = *state;
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", "keys/ana");
	struct sl_buf more = SL_BUF_INIT;
	char *first = fx->policy.allowed_signers;
	int runs;

	assert_int_equal(decide(fx, &d), 0);
	counting_keygen();
	fx->policy.ssh_keygen = fx_abs("counting-keygen");
	assert_int_equal(lookup(fx, &ov), 0);
	runs = keygen_runs();
	assert_true(runs >= 2); /* ana's signature; not dev's key */
	assert_int_equal(lookup(fx, &ov), 0);
	assert_int_equal(keygen_runs(), 2 * runs);
	fx->policy.remember = fx->ledger;
	assert_int_equal(lookup(fx, &ov), 0);
	runs = keygen_runs();
	assert_int_equal(lookup(fx, &ov), 0);
	assert_int_equal(keygen_runs(), runs);
	/* Remembered answers hold across opening the ledger again. */
	sl_ledger_free(fx->ledger);
	fx->ledger = fx_open("ci.db");
	fx->policy.remember = fx->ledger;
	assert_int_equal(lookup(fx, &ov), 0);
	assert_int_equal(keygen_runs(), runs);
	/* Other allowed_signers content: asked again. */
	sl_buf_addf(&more, "%s# another line\n", first);
	fx->policy.allowed_signers = more.buf;
	assert_int_equal(lookup(fx, &ov), 0);
	assert_true(keygen_runs() > runs);
	runs = keygen_runs();
	/* The key dropped from the file: not remembered as holding. */
	fx->policy.allowed_signers = (char *)"";
	assert_int_equal(lookup(fx, &ov), SL_ENOTFOUND);
	fx_assert_msg(&fx->err, "does not hold under the trusted rules");
	/* An answer that depends on the time is never remembered. */
	sl_buf_reset(&more);
	sl_buf_addf(&more, "%s", first);
	sl_buf_setlen(&more, more.len - 1);
	sl_buf_adds(&more, " # \nbob@example.com valid-before=\"29991231\" "
			   "ssh-ed25519 AAAA\n");
	fx->policy.allowed_signers = more.buf;
	runs = keygen_runs();
	assert_int_equal(lookup(fx, &ov), 0);
	assert_true(keygen_runs() > runs);
	runs = keygen_runs();
	assert_int_equal(lookup(fx, &ov), 0);
	assert_true(keygen_runs() > runs);
	fx->policy.allowed_signers = first;
	sl_override_release(&ov);
	sl_buf_release(&more);
}

/* ---- ssh-keygen failing ----------------------------------------------- */

static const char garbage_sig[] = "-----BEGIN SSH SIGNATURE-----\nAAAA\n"
				  "-----END SSH SIGNATURE-----\n";

/*
 * ./fake-keygen: the real ssh-keygen, except that a verification for
 * identity runs action (shell) instead.
 */
static void fake_keygen(const char *identity, const char *action)
{
	struct sl_buf text = SL_BUF_INIT;

	sl_buf_addf(&text,
		    "#!/bin/sh\nulimit -c 0\ncase \" $* \" in\n"
		    "*\" -I %s \"*) %s ;;\nesac\nexec ssh-keygen \"$@\"\n",
		    identity, action);
	sl_write_text("fake-keygen", text.buf);
	sl_sh_ok("chmod +x fake-keygen");
	sl_buf_release(&text);
}

/*
 * Only ssh-keygen's own "Could not verify signature." (exit 255) means the
 * approver's key is not also the requester's. A crash, or an exit without
 * that verdict, is no answer: the approval is refused (SL_EENV), never let
 * through as "not the requester's key".
 */
static void signed__keygen_failing_on_the_requester_check_refuses(void **state)
{
	static const char *const failures[] = {
	    "kill -SEGV $$",
	    "kill -KILL $$",
	    "exit 255",
	    "exit 1",
	    "echo 'Could not verify signature.'; exit 1",
	};
	struct fx *fx = *state;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", "keys/ana");
	size_t i;

	fx->policy.ssh_keygen = fx_abs("fake-keygen");
	for (i = 0; i < SL_ARRAY_SIZE(failures); i++) {
		fake_keygen("dev@example.com", failures[i]);
		assert_int_equal(decide(fx, &d), SL_EENV);
		fx_assert_msg(&fx->err, "cannot check whether the signing key "
					"is listed for 'dev@example.com'");
		fx_assert_msg(&fx->err, "ssh-keygen failed");
		assert_int_equal(fx_events(fx->ledger), 1);
	}
	fx_assert_msg(&fx->err, "without a verdict");
	/* ssh-keygen's own "no": ana's key is not dev's, so she approves. */
	fake_keygen("dev@example.com",
		    "echo 'Could not verify signature.'; exit 255");
	assert_int_equal(decide(fx, &d), 0);
	assert_int_equal(fx_events(fx->ledger), 2);
}

/* A child something else reaped (SIGCHLD ignored) gave no verdict. */
static void verify_signature__a_lost_child_is_no_verdict(void **state)
{
	struct fx *fx = *state;
	int ret;

	signal(SIGCHLD, SIG_IGN);
	ret = sl_override_verify_signature(fx->policy.allowed_signers,
					   "ana@example.com", garbage_sig,
					   "text", fx_ssh_keygen(), &fx->err);
	signal(SIGCHLD, SIG_DFL);
	assert_int_equal(ret, SL_EENV);
	fx_assert_msg(&fx->err, "ssh-keygen failed: cannot wait for");
}

/*
 * An ssh-keygen that closes its output but does not exit is stopped at the
 * deadline (10 s for a verification), not waited for.
 */
static void verify_signature__a_lingering_keygen_is_stopped(void **state)
{
	struct fx *fx = *state;
	uint64_t start = sl_now_ms();

	fake_keygen("ana@example.com", "exec >&- 2>&-; exec sleep 60");
	assert_int_equal(
	    sl_override_verify_signature(fx->policy.allowed_signers,
					 "ana@example.com", garbage_sig, "text",
					 fx_abs("fake-keygen"), &fx->err),
	    SL_EENV);
	fx_assert_msg(&fx->err, "did not finish within 10 s");
	assert_true(sl_now_ms() - start < 30000);
}

/* ---- export and import ----------------------------------------------- */

/* Copies CI's ledger to the owner's laptop (a closed, checkpointed file). */
static struct sl_ledger *laptop_copy(struct fx *fx)
{
	sl_ledger_free(fx->ledger);
	sl_sh_ok("cp ci.db laptop.db");
	fx->ledger = fx_open("ci.db");
	return fx_open("laptop.db");
}

static void write_doc(struct sl_buf *out, struct sl_ledger *ledger, int64_t id)
{
	struct sl_override_doc doc = SL_OVERRIDE_DOC_INIT;
	struct sl_error err = SL_ERROR_INIT;

	assert_int_equal(sl_ledger_export(&doc, ledger, id, &err), 0);
	sl_override_doc_write(out, &doc);
	sl_override_doc_release(&doc);
	sl_error_release(&err);
}

static int import_text(struct fx *fx, const char *text,
		       struct sl_ledger_import_result *res)
{
	struct sl_override_doc doc = SL_OVERRIDE_DOC_INIT;
	int ret = sl_override_doc_parse(&doc, text, strlen(text), &fx->err);

	if (!ret)
		ret = sl_ledger_import(res, fx->ledger, &doc, &fx->policy,
				       FX_T0 + 2 * FX_HOUR, &fx->err);
	sl_override_doc_release(&doc);
	return ret;
}

static void carry__signed_approval_round_trip_and_twice(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_import_result res;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", "keys/ana");
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_buf text = SL_BUF_INIT;
	struct sl_ledger *laptop = laptop_copy(fx);

	assert_int_equal(
	    sl_ledger_decide(NULL, laptop, &d, &fx->policy, &fx->err), 0);
	write_doc(&text, laptop, fx->id);
	assert_non_null(strstr(text.buf, "\"schema\": \"sluice.override/1\""));
	assert_non_null(strstr(text.buf, "\"decision\": \"approve\""));
	assert_int_equal(lookup(fx, &ov), SL_ENOTFOUND);
	assert_int_equal(import_text(fx, text.buf, &res), 0);
	assert_int_equal(res.recorded, 1);
	assert_int_equal(res.already, 0);
	assert_int_equal(lookup(fx, &ov), 0);
	assert_string_equal(ov.decided_by, "ana@example.com");
	assert_int_equal(ov.decided_at, FX_T0 + FX_HOUR);
	assert_true(ov.decision_signed);
	/* The same document again changes nothing. */
	assert_int_equal(import_text(fx, text.buf, &res), 0);
	assert_int_equal(res.recorded, 0);
	assert_int_equal(res.already, 1);
	assert_int_equal(fx_events(fx->ledger), 2);
	/* A later revoke travels in the next export, after the approval. */
	d = decision(SL_LEDGER_REVOKE, fx->id, "bob@example.com", "keys/bob");
	d.now = FX_T0 + FX_HOUR + 5;
	assert_int_equal(
	    sl_ledger_decide(NULL, laptop, &d, &fx->policy, &fx->err), 0);
	sl_buf_reset(&text);
	write_doc(&text, laptop, fx->id);
	assert_int_equal(import_text(fx, text.buf, &res), 0);
	assert_int_equal(res.recorded, 1);
	assert_int_equal(res.already, 1);
	assert_int_equal(lookup(fx, &ov), SL_ENOTFOUND);
	fx_assert_msg(&fx->err, "revoked");
	sl_buf_release(&text);
	sl_override_release(&ov);
	sl_ledger_free(laptop);
}

/* Replaces the first occurrence of from in text with to. */
static void replace(struct sl_buf *text, const char *from, const char *to)
{
	char *at = strstr(text->buf, from);
	struct sl_buf out = SL_BUF_INIT;

	assert_non_null(at);
	sl_buf_add(&out, text->buf, (size_t)(at - text->buf));
	sl_buf_adds(&out, to);
	sl_buf_adds(&out, at + strlen(from));
	sl_buf_reset(text);
	sl_buf_add(text, out.buf, out.len);
	sl_buf_release(&out);
}

static void carry__tampered_documents_are_refused(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_import_result res;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", "keys/ana");
	struct sl_buf good = SL_BUF_INIT, text = SL_BUF_INIT;
	struct sl_ledger *laptop = laptop_copy(fx);

	assert_int_equal(
	    sl_ledger_decide(NULL, laptop, &d, &fx->policy, &fx->err), 0);
	write_doc(&good, laptop, fx->id);
	/* A different decision reason: the signature no longer holds. */
	sl_buf_add(&text, good.buf, good.len);
	replace(&text, "checked: the failure", "trust me: the failure");
	assert_int_equal(import_text(fx, text.buf, &res), SL_EREFUSED);
	fx_assert_msg(&fx->err, "not by a key allowed_signers lists");
	/* Claimed by someone else. */
	sl_buf_reset(&text);
	sl_buf_add(&text, good.buf, good.len);
	replace(&text, "\"by\": \"ana@example.com\"",
		"\"by\": \"bob@example.com\"");
	assert_int_equal(import_text(fx, text.buf, &res), SL_EREFUSED);
	/* Moved to another commit: not the request in this ledger. */
	sl_buf_reset(&text);
	sl_buf_add(&text, good.buf, good.len);
	replace(&text, fx_commit, fx_other_commit);
	assert_int_equal(import_text(fx, text.buf, &res), SL_EREFUSED);
	fx_assert_msg(&fx->err, "(its commit differs)");
	/* Signature stripped. */
	sl_buf_reset(&text);
	sl_buf_add(&text, good.buf, good.len);
	replace(&text, "\"signature\": \"-----BEGIN", "\"x\": \"");
	assert_int_equal(import_text(fx, text.buf, &res), SL_EREFUSED);
	fx_assert_msg(&fx->err, "must be signed");
	/* Another override id. */
	sl_buf_reset(&text);
	sl_buf_add(&text, good.buf, good.len);
	replace(&text, "\"id\": 1,", "\"id\": 9,");
	assert_int_equal(import_text(fx, text.buf, &res), SL_EREFUSED);
	fx_assert_msg(&fx->err, "override 9 is not in ledger 'ci.db'");
	/* Not a document at all. */
	assert_int_equal(import_text(fx, "{\"schema\": \"x\"}", &res),
			 SL_EUSAGE);
	assert_int_equal(import_text(fx, "[1, 2", &res), SL_EUSAGE);
	assert_int_equal(fx_events(fx->ledger), 1);
	sl_buf_release(&good);
	sl_buf_release(&text);
	sl_ledger_free(laptop);
}

static void carry__import_is_all_or_nothing(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_import_result res;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", "keys/ana");
	struct sl_buf text = SL_BUF_INIT;
	struct sl_ledger *laptop = laptop_copy(fx);

	assert_int_equal(
	    sl_ledger_decide(NULL, laptop, &d, &fx->policy, &fx->err), 0);
	d = decision(SL_LEDGER_REVOKE, fx->id, "bob@example.com", "keys/bob");
	d.now = FX_T0 + FX_HOUR + 1;
	assert_int_equal(
	    sl_ledger_decide(NULL, laptop, &d, &fx->policy, &fx->err), 0);
	write_doc(&text, laptop, fx->id);
	/* Break the second decision's signature: the first is not kept. */
	replace(&text, "\"by\": \"bob@example.com\"",
		"\"by\": \"ana@example.com\"");
	assert_int_equal(import_text(fx, text.buf, &res), SL_EREFUSED);
	assert_int_equal(res.recorded, 0);
	assert_int_equal(fx_events(fx->ledger), 1);
	sl_buf_release(&text);
	sl_ledger_free(laptop);
}

static void carry__offline_decision_on_an_exported_request(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_import_result res;
	struct sl_override_doc doc = SL_OVERRIDE_DOC_INIT;
	struct sl_override_decision d =
	    decision(SL_LEDGER_APPROVE, fx->id, "ana@example.com", "keys/ana");
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_buf text = SL_BUF_INIT;

	/* CI exports the request; the owner signs with no ledger at all. */
	write_doc(&text, fx->ledger, fx->id);
	assert_non_null(strstr(text.buf, "\"decisions\": []"));
	assert_int_equal(
	    sl_override_doc_parse(&doc, text.buf, text.len, &fx->err), 0);
	d.actor = "dev@example.com";
	assert_int_equal(
	    sl_override_doc_decide(&doc, &d, fx_ssh_keygen(), &fx->err),
	    SL_EREFUSED);
	fx_assert_msg(&fx->err, "nobody approves their own request");
	d.actor = "ana@example.com";
	d.id = 5;
	assert_int_equal(
	    sl_override_doc_decide(&doc, &d, fx_ssh_keygen(), &fx->err),
	    SL_EUSAGE);
	d.id = fx->id;
	assert_int_equal(
	    sl_override_doc_decide(&doc, &d, fx_ssh_keygen(), &fx->err), 0);
	assert_int_equal(
	    sl_override_doc_decide(&doc, &d, fx_ssh_keygen(), &fx->err),
	    SL_EREFUSED);
	fx_assert_msg(&fx->err, "already approved");
	sl_buf_reset(&text);
	sl_override_doc_write(&text, &doc);
	assert_int_equal(import_text(fx, text.buf, &res), 0);
	assert_int_equal(res.recorded, 1);
	assert_int_equal(lookup(fx, &ov), 0);
	assert_true(ov.decision_signed);
	sl_override_release(&ov);
	sl_override_doc_release(&doc);
	sl_buf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(signed__approval_by_a_listed_key_counts),
	    T(signed__unsigned_decision_is_refused),
	    T(signed__by_someone_elses_key_is_refused),
	    T(signed__key_listed_for_another_identity_is_refused),
	    T(signed__signature_over_another_decision_is_refused),
	    T(signed__team_membership_is_the_key_listed_for_the_team),
	    T(signed__requesters_own_key_is_self_approval),
	    T(signed__run_rechecks_the_approval_signature),
	    T(remembered__a_signature_is_checked_once),
	    T(verify_signature__reports_garbage_and_a_missing_program),
	    T(signed__keygen_failing_on_the_requester_check_refuses),
	    T(verify_signature__a_lost_child_is_no_verdict),
	    T(verify_signature__a_lingering_keygen_is_stopped),
	    T(carry__signed_approval_round_trip_and_twice),
	    T(carry__tampered_documents_are_refused),
	    T(carry__import_is_all_or_nothing),
	    T(carry__offline_decision_on_an_exported_request),
#undef T
	};

	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
