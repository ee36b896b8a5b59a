/*
 * test_ledger_sync.c: sharing the ledger (gates/ledger_sync.c) between
 * working copies through a remote kept in memory: a line of commits, a
 * tip, and a push that is a compare-and-swap (not a fast-forward: moved).
 * What git itself does is tested end to end (tests/cli/ledger_git*.t);
 * here, the merge's cases one by one: events of two copies re-chained and
 * renumbered, a push that went through but said it failed, the same
 * decision recorded in two copies, conflicting decisions, a signed decision
 * whose request moved, a run's record that a revoke overtook, requests
 * and decisions that move over several attempts, a refused push, what a
 * run's records on the remote count, a rewritten remote, and a remote
 * that cannot be reached.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "gates/gates.h"
#include "gates/ledger_internal.h"
#include "tests/gates/ledger_fixture.h"
#include "tests/support/sandbox.h"

/* ---- a remote in memory ------------------------------------------------- */

struct commit {
	char id[SL_HASH_HEX_SIZE];
	char parent[SL_HASH_HEX_SIZE];
	struct sl_buf text, message;
	int64_t at;
};

struct remote {
	struct commit *objects; /* every commit ever written, any clone's */
	size_t n, alloc;
	char tip[SL_HASH_HEX_SIZE]; /* "": no ledger yet */
	bool down;		    /* cannot be reached */
	bool lose_ack;		    /* next push: done, then "failed" */
	unsigned pushes;
	/* Next push: this copy syncs first, as if it raced the pusher. */
	struct sl_ledger *race;
};

static struct remote remote;

static const struct commit *find(const char *id)
{
	size_t i;

	for (i = 0; i < remote.n; i++)
		if (!strcmp(remote.objects[i].id, id))
			return &remote.objects[i];
	return NULL;
}

static int do_fetch(void *data, char tip[SL_HASH_HEX_SIZE],
		    struct sl_error *err)
{
	(void)data;
	if (remote.down)
		return sl_error_set(err, SL_EENV, "cannot reach 'mem'");
	memcpy(tip, remote.tip, SL_HASH_HEX_SIZE);
	return 0;
}

static int do_read(void *data, struct sl_ledger_commits *out, bool *stopped,
		   struct sl_buf *problem, const char *tip, const char *stop,
		   struct sl_error *err)
{
	const struct commit *c = find(tip);
	struct sl_ledger_commits back = SL_LEDGER_COMMITS_INIT;
	size_t i;

	(void)data;
	(void)problem;
	(void)err;
	*stopped = false;
	for (; c; c = *c->parent ? find(c->parent) : NULL) {
		struct sl_ledger_commit *l;

		if (*stop && !strcmp(c->id, stop)) {
			*stopped = true;
			break;
		}
		l = sl_ledger_commits_push(&back);
		memcpy(l->id, c->id, SL_HASH_HEX_SIZE);
		l->text = sl_xmemdupz(c->text.buf, c->text.len);
		l->len = c->text.len;
		l->message = sl_xstrdup(c->message.buf);
		l->at = c->at;
	}
	for (i = back.n; i-- > 0;) {
		*sl_ledger_commits_push(out) = back.items[i];
		memset(&back.items[i], 0, sizeof(back.items[i]));
	}
	sl_ledger_commits_release(&back);
	return 0;
}

static int do_write(void *data, struct sl_ledger_commits *commits,
		    const char *parent, struct sl_error *err)
{
	char on[SL_HASH_HEX_SIZE];
	size_t i;

	(void)data;
	(void)err;
	memcpy(on, parent, SL_HASH_HEX_SIZE);
	for (i = 0; i < commits->n; i++) {
		struct sl_ledger_commit *c = &commits->items[i];
		struct commit *o;
		struct sl_buf all = SL_BUF_INIT;

		sl_buf_addf(&all, "%s\n%s\n", on, c->message);
		sl_buf_add(&all, c->text, c->len);
		sl_ledger_sha256_hex(c->id, all.buf, all.len);
		sl_buf_release(&all);
		if (!find(c->id)) {
			SL_ALLOC_GROW(remote.objects, remote.n + 1,
				      remote.alloc);
			o = &remote.objects[remote.n++];
			memset(o, 0, sizeof(*o));
			memcpy(o->id, c->id, SL_HASH_HEX_SIZE);
			memcpy(o->parent, on, SL_HASH_HEX_SIZE);
			sl_buf_add(&o->text, c->text, c->len);
			sl_buf_adds(&o->message, c->message);
			o->at = c->at;
		}
		memcpy(on, c->id, SL_HASH_HEX_SIZE);
	}
	return 0;
}

/* Does the line of commits ending at tip hold id? */
static bool holds(const char *tip, const char *id)
{
	const struct commit *c;

	for (c = find(tip); c; c = *c->parent ? find(c->parent) : NULL)
		if (!strcmp(c->id, id))
			return true;
	return false;
}

static const struct sl_ledger_transport transport;

static int do_push(void *data, bool *moved, const char *tip,
		   struct sl_error *err)
{
	struct sl_ledger_sync_options so = SL_LEDGER_SYNC_OPTIONS_INIT;
	struct sl_ledger_sync_result r = SL_LEDGER_SYNC_RESULT_INIT;
	struct sl_ledger *racer = remote.race;

	(void)data;
	*moved = false;
	if (racer) {
		remote.race = NULL;
		so.push = true;
		assert_int_equal(
		    sl_ledger_sync(&r, racer, &transport, &so, err), 0);
		sl_ledger_sync_result_release(&r);
	}
	if (remote.down)
		return sl_error_set(err, SL_EENV, "cannot reach 'mem'");
	remote.pushes++;
	if (*remote.tip && !holds(tip, remote.tip)) {
		*moved = true;
		return 0;
	}
	memcpy(remote.tip, tip, SL_HASH_HEX_SIZE);
	if (remote.lose_ack) {
		remote.lose_ack = false;
		return sl_error_set(err, SL_EENV, "the connection was lost");
	}
	return 0;
}

static const struct sl_ledger_transport transport = {
    "mem",  "refs/heads/sluice-ledger", NULL, do_fetch, do_read, do_write,
    do_push};

/* ---- fixture ---------------------------------------------------------------- */

struct fx {
	struct sl_ledger *a, *b; /* two clones' working copies */
	struct sl_override_policy policy;
	struct sl_ledger_sync_result res;
	struct sl_error err;
};

static int setup(void **state)
{
	struct fx *fx = sl_xcalloc(1, sizeof(*fx));
	struct sl_override_policy policy = SL_OVERRIDE_POLICY_INIT;

	sl_sandbox_enter();
	memset(&remote, 0, sizeof(remote));
	fx->policy = policy;
	fx->err = (struct sl_error)SL_ERROR_INIT;
	fx->res = (struct sl_ledger_sync_result)SL_LEDGER_SYNC_RESULT_INIT;
	fx_policy(&fx->policy, "ana@example.com", "bob@example.com", NULL);
	fx->a = fx_open("a.db");
	fx->b = fx_open("b.db");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	size_t i;

	sl_ledger_free(fx->a);
	sl_ledger_free(fx->b);
	sl_override_policy_release(&fx->policy);
	sl_ledger_sync_result_release(&fx->res);
	sl_error_release(&fx->err);
	for (i = 0; i < remote.n; i++) {
		sl_buf_release(&remote.objects[i].text);
		sl_buf_release(&remote.objects[i].message);
	}
	free(remote.objects);
	free(fx);
	sl_sandbox_leave();
	return 0;
}

static int sync_copy(struct fx *fx, struct sl_ledger *copy, bool push)
{
	struct sl_ledger_sync_options so = SL_LEDGER_SYNC_OPTIONS_INIT;

	so.push = push;
	sl_ledger_sync_result_release(&fx->res);
	fx->res = (struct sl_ledger_sync_result)SL_LEDGER_SYNC_RESULT_INIT;
	return sl_ledger_sync(&fx->res, copy, &transport, &so, &fx->err);
}

static void synced(struct fx *fx, struct sl_ledger *copy)
{
	if (sync_copy(fx, copy, true))
		fail_msg("sync: %s", sl_error_message(&fx->err));
}

/* The remote's chain, verified into a fresh copy: its events, in order. */
static void remote_log(struct sl_ledger_log *out)
{
	struct sl_ledger_sync_options so = SL_LEDGER_SYNC_OPTIONS_INIT;
	struct sl_ledger_sync_result r = SL_LEDGER_SYNC_RESULT_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *fresh;

	assert_int_equal(system("rm -f fresh.db*"), 0);
	fresh = fx_open("fresh.db");
	if (sl_ledger_sync(&r, fresh, &transport, &so, &err))
		fail_msg("fresh sync: %s", sl_error_message(&err));
	assert_int_equal(sl_ledger_log(out, fresh, 0, &err), 0);
	sl_ledger_free(fresh);
	sl_ledger_sync_result_release(&r);
	sl_error_release(&err);
}

static size_t count_kind(const struct sl_ledger_log *log,
			 enum sl_ledger_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < log->n; i++)
		n += log->events[i].kind == kind;
	return n;
}

/* ---- cases ----------------------------------------------------------------- */

static void sync__second_writer_goes_on_top_renumbered(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;

	assert_int_equal(
	    fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0), 1);
	assert_int_equal(
	    fx_request(fx->b, &fx->policy, "dev2@example.com", FX_T0 + 1), 1);
	synced(fx, fx->a);
	assert_int_equal(fx->res.pushed, 1);
	synced(fx, fx->b);
	/* B was second: its request is 2 on the shared ledger. */
	assert_int_equal(fx->res.fetched, 1);
	assert_int_equal(fx->res.pushed, 1);
	assert_int_equal(fx->res.attempts, 1);
	assert_int_equal(sl_ledger_sync_renumbered(&fx->res, 1), 2);
	assert_int_equal(fx->res.dropped.n, 0);
	remote_log(&log);
	assert_int_equal(log.n, 2);
	assert_string_equal(log.events[0].actor, "dev@example.com");
	assert_string_equal(log.events[1].actor, "dev2@example.com");
	assert_int_equal(log.events[1].override_id, 2);
	sl_ledger_log_release(&log);
}

/*
 * Another copy pushes between this one's fetch and its push: the push is
 * refused (not a fast-forward), and the copy fetches, re-chains and pushes
 * again.
 */
static void sync__moved_remote_is_fetched_again(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;

	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0);
	synced(fx, fx->a);
	synced(fx, fx->b);
	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0 + 5);
	fx_request(fx->b, &fx->policy, "dev2@example.com", FX_T0 + 6);
	remote.race = fx->a;
	remote.pushes = 0;
	synced(fx, fx->b);
	/* A's push, B's refused one, B's again. */
	assert_int_equal(remote.pushes, 3);
	assert_int_equal(fx->res.attempts, 2);
	assert_int_equal(sl_ledger_sync_renumbered(&fx->res, 2), 3);
	remote_log(&log);
	assert_int_equal(log.n, 3);
	assert_string_equal(log.events[1].actor, "dev@example.com");
	assert_string_equal(log.events[2].actor, "dev2@example.com");
	sl_ledger_log_release(&log);
}

/* A push that went through but said it failed is not pushed twice. */
static void sync__lost_acknowledgement_does_not_duplicate(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;

	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0);
	remote.lose_ack = true;
	assert_int_equal(sync_copy(fx, fx->a, true), SL_EENV);
	assert_true(fx->res.unreachable);
	/* Meanwhile another copy adds on top. */
	synced(fx, fx->b);
	fx_request(fx->b, &fx->policy, "dev2@example.com", FX_T0 + 9);
	synced(fx, fx->b);
	synced(fx, fx->a);
	assert_int_equal(fx->res.pushed, 0);
	assert_int_equal(fx->res.pending, 0);
	remote_log(&log);
	assert_int_equal(log.n, 2);
	assert_int_equal(count_kind(&log, SL_LEDGER_REQUEST), 2);
	sl_ledger_log_release(&log);
}

/*
 * The same decision (same actor, time, reason, signature) recorded in two
 * copies (a document imported twice, say) is one event: recognised by its
 * identity, not dropped as an illegal second approval.
 */
static void sync__same_decision_in_two_copies_is_one_event(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;

	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0);
	synced(fx, fx->a);
	synced(fx, fx->b);
	assert_int_equal(fx_decide(fx->a, &fx->policy, SL_LEDGER_APPROVE, 1,
				   "ana@example.com", FX_T0 + 60, &fx->err),
			 0);
	assert_int_equal(fx_decide(fx->b, &fx->policy, SL_LEDGER_APPROVE, 1,
				   "ana@example.com", FX_T0 + 60, &fx->err),
			 0);
	synced(fx, fx->a);
	synced(fx, fx->b);
	assert_int_equal(fx->res.dropped.n, 0);
	assert_int_equal(fx->res.pushed, 0);
	remote_log(&log);
	assert_int_equal(log.n, 2);
	assert_int_equal(count_kind(&log, SL_LEDGER_APPROVE), 1);
	sl_ledger_log_release(&log);
}

/* Two owners decide differently: the second is dropped, saying why. */
static void sync__conflicting_decision_is_dropped(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	int64_t deny_seq = 0;

	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0);
	synced(fx, fx->a);
	synced(fx, fx->b);
	assert_int_equal(fx_decide(fx->a, &fx->policy, SL_LEDGER_APPROVE, 1,
				   "ana@example.com", FX_T0 + 60, &fx->err),
			 0);
	assert_int_equal(fx_decide(fx->b, &fx->policy, SL_LEDGER_DENY, 1,
				   "bob@example.com", FX_T0 + 61, &fx->err),
			 0);
	deny_seq = 2;
	synced(fx, fx->a);
	synced(fx, fx->b);
	assert_int_equal(fx->res.dropped.n, 1);
	assert_int_equal(fx->res.dropped_seqs[0], deny_seq);
	if (!strstr(fx->res.dropped.v[0], "it denies override 1, which is "
					  "approved, not requested"))
		fail_msg("%s", fx->res.dropped.v[0]);
	remote_log(&log);
	assert_int_equal(log.n, 2);
	assert_int_equal(count_kind(&log, SL_LEDGER_DENY), 0);
	sl_ledger_log_release(&log);
	/* B's copy is the remote's again: nothing left to push. */
	assert_int_equal(fx->res.pending, 0);
}

/*
 * A request of B's that another copy overtook gets a new id; B's signed
 * decision on it cannot follow (its signature names the old id), an
 * unsigned one can.
 */
static void sync__signed_decision_on_a_moved_request_is_dropped(void **state)
{
	struct fx *fx = *state;
	struct sl_override_decision d = {0};
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;

	fx_request(fx->b, &fx->policy, "dev2@example.com", FX_T0);
	d.kind = SL_LEDGER_APPROVE;
	d.id = 1;
	d.actor = "ana@example.com";
	d.reason = "signed, over id 1";
	d.signature = "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH "
		      "SIGNATURE-----\n";
	d.now = FX_T0 + 60;
	assert_int_equal(
	    sl_ledger_decide(NULL, fx->b, &d, &fx->policy, &fx->err), 0);
	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0 + 1);
	synced(fx, fx->a);
	synced(fx, fx->b);
	assert_int_equal(sl_ledger_sync_renumbered(&fx->res, 1), 2);
	assert_int_equal(fx->res.dropped.n, 1);
	if (!strstr(fx->res.dropped.v[0], "its signature covers the old id"))
		fail_msg("%s", fx->res.dropped.v[0]);
	remote_log(&log);
	assert_int_equal(log.n, 2);
	assert_int_equal(count_kind(&log, SL_LEDGER_APPROVE), 0);
	sl_ledger_log_release(&log);
}

/*
 * A run's "applied" record, dated when the run fixed its overrides, stays
 * a legal step when a revoke made after that time reached the remote
 * first; one dated after the revoke does not.
 */
static void sync__applied_before_a_later_revoke_is_kept(void **state)
{
	struct fx *fx = *state;
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_override_query q = fx_query(FX_T0 + 100);
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;

	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0);
	assert_int_equal(fx_decide(fx->a, &fx->policy, SL_LEDGER_APPROVE, 1,
				   "ana@example.com", FX_T0 + 60, &fx->err),
			 0);
	synced(fx, fx->a);
	synced(fx, fx->b);
	/* B's run applies it at T0+100; A revokes at T0+200 and pushes first. */
	q.run_id = "run-b";
	assert_int_equal(fx_apply(&ov, fx->b, &q, &fx->policy, &fx->err), 0);
	assert_int_equal(fx_decide(fx->a, &fx->policy, SL_LEDGER_REVOKE, 1,
				   "ana@example.com", FX_T0 + 200, &fx->err),
			 0);
	synced(fx, fx->a);
	synced(fx, fx->b);
	assert_int_equal(fx->res.dropped.n, 0);
	remote_log(&log);
	assert_int_equal(log.n, 4);
	assert_int_equal(log.events[2].kind, SL_LEDGER_REVOKE);
	assert_int_equal(log.events[3].kind, SL_LEDGER_APPLIED);
	sl_ledger_log_release(&log);
	sl_override_release(&ov);
}

/*
 * Two requests of one copy that another clone's event overtook: each gets
 * its own new id (1 -> 2, 2 -> 3), not both moves folded into the first.
 */
static void sync__each_request_of_a_copy_is_renumbered(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;

	assert_int_equal(
	    fx_request(fx->b, &fx->policy, "dev2@example.com", FX_T0), 1);
	assert_int_equal(
	    fx_request(fx->b, &fx->policy, "dev3@example.com", FX_T0 + 1), 2);
	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0 + 2);
	synced(fx, fx->a);
	synced(fx, fx->b);
	assert_int_equal(sl_ledger_sync_renumbered(&fx->res, 1), 2);
	assert_int_equal(sl_ledger_sync_renumbered(&fx->res, 2), 3);
	assert_int_equal(fx->res.nrenumbered, 2);
	remote_log(&log);
	assert_int_equal(log.n, 3);
	assert_string_equal(log.events[1].actor, "dev2@example.com");
	assert_string_equal(log.events[2].actor, "dev3@example.com");
	sl_ledger_log_release(&log);
}

/*
 * A copy's request moves twice (another clone pushed between its fetch and
 * its push): its unsigned decision follows it each time, and is never
 * left on the id the request had one attempt before (by then another
 * clone's request).
 */
static void sync__decision_follows_its_request_over_attempts(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger *c = fx_open("c.db");
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;

	fx_request(fx->b, &fx->policy, "dev2@example.com", FX_T0);
	assert_int_equal(fx_decide(fx->b, &fx->policy, SL_LEDGER_APPROVE, 1,
				   "ana@example.com", FX_T0 + 60, &fx->err),
			 0);
	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0 + 1);
	synced(fx, fx->a);
	synced(fx, c);
	fx_request(c, &fx->policy, "dev3@example.com", FX_T0 + 2);
	/* B fetches [A's], puts its request at 2; C pushes its own 2 first. */
	remote.race = c;
	synced(fx, fx->b);
	assert_int_equal(sl_ledger_sync_renumbered(&fx->res, 1), 3);
	assert_int_equal(fx->res.dropped.n, 0);
	remote_log(&log);
	assert_int_equal(log.n, 4);
	assert_string_equal(log.events[1].actor, "dev3@example.com");
	assert_string_equal(log.events[2].actor, "dev2@example.com");
	assert_int_equal(log.events[3].kind, SL_LEDGER_APPROVE);
	assert_int_equal(log.events[3].override_id, 3);
	sl_ledger_log_release(&log);
	sl_ledger_free(c);
}

/*
 * A decision re-chained by a first attempt and dropped by a second (the
 * other owner's decision came first in between) is reported under the
 * seq the copy gave it when the sync began: the one the command that
 * recorded it knows, so that the command is refused.
 */
static void sync__drop_in_a_later_attempt_names_the_first_seq(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger *c = fx_open("c.db");
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;

	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0);
	synced(fx, fx->a);
	synced(fx, fx->b);
	synced(fx, c);
	assert_int_equal(fx_decide(fx->a, &fx->policy, SL_LEDGER_APPROVE, 1,
				   "ana@example.com", FX_T0 + 60, &fx->err),
			 0);
	fx_request(c, &fx->policy, "dev3@example.com", FX_T0 + 61);
	synced(fx, c);
	/* B's denial is its event 2; its first attempt puts it at 3, on C's
	 * request, and A's approval reaches the remote before B's push. */
	assert_int_equal(fx_decide(fx->b, &fx->policy, SL_LEDGER_DENY, 1,
				   "bob@example.com", FX_T0 + 62, &fx->err),
			 0);
	remote.race = fx->a;
	synced(fx, fx->b);
	assert_int_equal(fx->res.dropped.n, 1);
	assert_int_equal(fx->res.dropped_seqs[0], 2);
	if (strncmp(fx->res.dropped.v[0], "event 2 (deny of override 1 ", 28))
		fail_msg("%s", fx->res.dropped.v[0]);
	remote_log(&log);
	assert_int_equal(log.n, 3);
	assert_int_equal(count_kind(&log, SL_LEDGER_DENY), 0);
	sl_ledger_log_release(&log);
	sl_ledger_free(c);
}

/* A push the remote refused (this clone may not push) says so. */
static int push_refused(void *data, bool *moved, const char *tip,
			struct sl_error *err)
{
	(void)data;
	(void)tip;
	*moved = false;
	return sl_error_set(err, SL_EREFUSED, "read-only token");
}

static void sync__refused_push_is_told_apart(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_transport ro = transport;
	struct sl_ledger_sync_options so = SL_LEDGER_SYNC_OPTIONS_INIT;

	ro.push = push_refused;
	so.push = true;
	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0);
	assert_int_equal(sl_ledger_sync(&fx->res, fx->a, &ro, &so, &fx->err),
			 SL_EENV);
	assert_int_equal(fx->err.status, SL_EENV);
	assert_true(fx->res.refused);
	assert_int_equal(fx->res.pending, 1);
	/* Unreachable is not refused. */
	remote.down = true;
	assert_int_equal(sync_copy(fx, fx->a, true), SL_EENV);
	assert_false(fx->res.refused);
}

/*
 * What the shared chain holds of a run: its "applied" events up to the
 * newest event this copy verified there, not those still only here.
 */
static void sync__run_shared_counts_what_the_remote_holds(void **state)
{
	struct fx *fx = *state;
	struct sl_override ov = SL_OVERRIDE_INIT;
	struct sl_override_query q = fx_query(FX_T0 + 100);
	size_t n = 9;

	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0);
	assert_int_equal(fx_decide(fx->a, &fx->policy, SL_LEDGER_APPROVE, 1,
				   "ana@example.com", FX_T0 + 60, &fx->err),
			 0);
	synced(fx, fx->a);
	synced(fx, fx->b);
	q.run_id = "run-b";
	assert_int_equal(fx_apply(&ov, fx->b, &q, &fx->policy, &fx->err), 0);
	assert_int_equal(sl_ledger_run_shared(&n, fx->b, "run-b", &fx->err), 0);
	assert_int_equal(n, 0);
	remote.down = true;
	assert_int_equal(sync_copy(fx, fx->b, true), SL_EENV);
	assert_int_equal(sl_ledger_run_shared(&n, fx->b, "run-b", &fx->err), 0);
	assert_int_equal(n, 0);
	remote.down = false;
	synced(fx, fx->b);
	assert_int_equal(sl_ledger_run_shared(&n, fx->b, "run-b", &fx->err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sl_ledger_run_shared(&n, fx->b, "run-c", &fx->err), 0);
	assert_int_equal(n, 0);
	sl_override_release(&ov);
}

/* A remote whose chain no longer holds what this copy verified. */
static void sync__rewritten_remote_is_refused(void **state)
{
	struct fx *fx = *state;

	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0);
	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0 + 1);
	synced(fx, fx->a);
	synced(fx, fx->b);
	/* Back to the first event, and another second one on it. */
	memcpy(remote.tip, find(remote.tip)->parent, SL_HASH_HEX_SIZE);
	assert_int_equal(sync_copy(fx, fx->b, false), SL_EENV);
	fx_assert_msg(&fx->err, "was rewritten: it holds 1 events, but this "
				"clone verified event 2");
	fx_request(fx->a, &fx->policy, "dev3@example.com", FX_T0 + 2);
	assert_int_equal(sync_copy(fx, fx->a, true), SL_EENV);
	fx_assert_msg(&fx->err, "was rewritten");
	/* Gone altogether. */
	memset(remote.tip, 0, sizeof(remote.tip));
	assert_int_equal(sync_copy(fx, fx->b, false), SL_EENV);
	fx_assert_msg(&fx->err, "was deleted");
}

/* An unreachable remote: an error, the copy's own events kept. */
static void sync__unreachable_remote_keeps_the_copy(void **state)
{
	struct fx *fx = *state;

	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0);
	remote.down = true;
	assert_int_equal(sync_copy(fx, fx->a, true), SL_EENV);
	assert_true(fx->res.unreachable);
	fx_assert_msg(&fx->err, "cannot reach 'mem'");
	assert_int_equal(fx_events(fx->a), 1);
	remote.down = false;
	synced(fx, fx->a);
	assert_int_equal(fx->res.pushed, 1);
}

/* The bounded retries: a remote that always moves ends in an error. */
static int push_always_moves(void *data, bool *moved, const char *tip,
			     struct sl_error *err)
{
	(void)data;
	(void)tip;
	(void)err;
	*moved = true;
	return 0;
}

static void sync__gives_up_after_its_attempts(void **state)
{
	struct fx *fx = *state;
	struct sl_ledger_transport busy = transport;
	struct sl_ledger_sync_options so = SL_LEDGER_SYNC_OPTIONS_INIT;

	busy.push = push_always_moves;
	so.push = true;
	so.attempts = 3;
	fx_request(fx->a, &fx->policy, "dev@example.com", FX_T0);
	assert_int_equal(sl_ledger_sync(&fx->res, fx->a, &busy, &so, &fx->err),
			 SL_EENV);
	fx_assert_msg(&fx->err, "other clones pushed first 3 times in a row");
	assert_int_equal(fx->res.attempts, 3);
	assert_int_equal(fx_events(fx->a), 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(sync__second_writer_goes_on_top_renumbered),
	    T(sync__moved_remote_is_fetched_again),
	    T(sync__lost_acknowledgement_does_not_duplicate),
	    T(sync__same_decision_in_two_copies_is_one_event),
	    T(sync__conflicting_decision_is_dropped),
	    T(sync__signed_decision_on_a_moved_request_is_dropped),
	    T(sync__applied_before_a_later_revoke_is_kept),
	    T(sync__each_request_of_a_copy_is_renumbered),
	    T(sync__decision_follows_its_request_over_attempts),
	    T(sync__drop_in_a_later_attempt_names_the_first_seq),
	    T(sync__refused_push_is_told_apart),
	    T(sync__run_shared_counts_what_the_remote_holds),
	    T(sync__rewritten_remote_is_refused),
	    T(sync__unreachable_remote_keeps_the_copy),
	    T(sync__gives_up_after_its_attempts),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
