/*
 * ledger_sync.c: the ledger shared through git (SPEC.md §6). Fetches the
 * remote's REF through the caller's transport, verifies what is new on it
 * (the SHA-256 chain of the events, never git's ids), refuses a REF that
 * no longer holds what this clone verified there, merges it into the
 * working copy (the copy's own unshared events go on top, once each), and
 * pushes them as a compare-and-swap: never forcing, fetching and merging
 * again when another clone pushed first. How an event becomes a commit
 * (its text and message) is here; git itself is the transport's.
 */
#include "common/common.h"

#include <time.h>
#include <unistd.h>

#include "gates/ledger_internal.h"

/* ---- bookkeeping --------------------------------------------------------- */

struct sl_ledger_commit *sl_ledger_commits_push(struct sl_ledger_commits *c)
{
	struct sl_ledger_commit *item;

	SL_ALLOC_GROW(c->items, c->n + 1, c->alloc);
	item = &c->items[c->n++];
	memset(item, 0, sizeof(*item));
	return item;
}

void sl_ledger_commits_release(struct sl_ledger_commits *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->items[i].text);
		free(c->items[i].message);
	}
	free(c->items);
	c->items = NULL;
	c->n = c->alloc = 0;
}

void sl_ledger_sync_result_release(struct sl_ledger_sync_result *r)
{
	free(r->renumbered);
	free(r->moved);
	free(r->dropped_seqs);
	r->dropped_seqs = NULL;
	r->alloc_dropped_seqs = 0;
	sl_strvec_release(&r->dropped);
	r->renumbered = r->moved = NULL;
	r->nrenumbered = r->alloc_renumbered = 0;
	r->nmoved = r->alloc_moved = 0;
}

int64_t sl_ledger_sync_renumbered(const struct sl_ledger_sync_result *r,
				  int64_t id)
{
	size_t i;

	for (i = 0; i < r->nrenumbered; i++)
		if (r->renumbered[i].from == id)
			return r->renumbered[i].to;
	return id;
}

/*
 * What one merge did to this copy's own events, kept apart until its
 * transaction commits: every event of the copy's past the common part,
 * its seq before and after (0: dropped, with why).
 */
struct move {
	int64_t from, to;
	bool request;
	char *why; /* dropped: "(kind of override N by X) ...: reason" */
};

struct moves {
	struct move *v;
	size_t n, alloc;
};

#define MOVES_INIT                                                             \
	{                                                                      \
		.v = NULL, .n = 0, .alloc = 0                                  \
	}

static void moves_release(struct moves *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].why);
	free(m->v);
	m->v = NULL;
	m->n = m->alloc = 0;
}

static struct move *moves_push(struct moves *m, int64_t from, int64_t to,
			       bool request)
{
	struct move *mv;

	SL_ALLOC_GROW(m->v, m->n + 1, m->alloc);
	mv = &m->v[m->n++];
	mv->from = from;
	mv->to = to;
	mv->request = request;
	mv->why = NULL;
	return mv;
}

/* The id the copy's request `id` got in this merge; id when none moved. */
static int64_t moved_request(const struct moves *m, int64_t id)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->v[i].request && m->v[i].from == id && m->v[i].to)
			return m->v[i].to;
	return id;
}

/* Records that this copy's event seq was not shared, and why. */
static void drop(struct moves *m, int64_t seq, const struct sl_ledger_event *ev,
		 const char *why)
{
	struct sl_buf text = SL_BUF_INIT;

	sl_buf_addf(&text,
		    "(%s of override %" PRId64 " by %s) was not shared: %s",
		    sl_ledger_kind_name(ev->kind), ev->override_id,
		    *ev->actor ? ev->actor : "a run", why);
	moves_push(m, seq, 0, ev->kind == SL_LEDGER_REQUEST)->why =
	    sl_buf_detach(&text, NULL);
}

/*
 * Adds one merge's moves to what the earlier attempts did: list maps the
 * seqs the copy had when the sync began to the ones they have now. Each
 * move is from the seqs as they were before this merge, so an entry is
 * matched by its old value only once (an entry just updated may now hold
 * another move's old seq); *from is the seq the event had when the sync
 * began.
 */
static void compose(struct sl_ledger_renumber **list, size_t *n, size_t *alloc,
		    const struct moves *m, bool requests_only, int64_t *from)
{
	size_t before = *n, i, j;
	bool *done = sl_xcalloc(before + 1, sizeof(*done));

	for (i = 0; i < m->n; i++) {
		const struct move *mv = &m->v[i];

		from[i] = mv->from;
		/* A request's id is never 0: one dropped keeps its old. */
		if (requests_only && (!mv->request || !mv->to))
			continue;
		for (j = 0; j < before; j++)
			if (!done[j] && (*list)[j].to == mv->from)
				break;
		if (j < before) {
			done[j] = true;
			from[i] = (*list)[j].from;
			(*list)[j].to = mv->to;
		} else if (mv->from != mv->to) {
			SL_ALLOC_GROW(*list, *n + 1, *alloc);
			(*list)[*n].from = mv->from;
			(*list)[(*n)++].to = mv->to;
		}
	}
	free(done);
}

/* After the merge's transaction committed: its moves are the sync's. */
static void settle(struct sl_ledger_sync_result *out, const struct moves *m)
{
	int64_t *from = sl_xcalloc(m->n + 1, sizeof(*from));
	size_t i;

	compose(&out->renumbered, &out->nrenumbered, &out->alloc_renumbered, m,
		true, from);
	compose(&out->moved, &out->nmoved, &out->alloc_moved, m, false, from);
	for (i = 0; i < m->n; i++) {
		if (m->v[i].to)
			continue;
		SL_ALLOC_GROW(out->dropped_seqs, out->dropped.n + 1,
			      out->alloc_dropped_seqs);
		out->dropped_seqs[out->dropped.n] = from[i];
		sl_strvec_pushf(&out->dropped, "event %" PRId64 " %s", from[i],
				m->v[i].why);
	}
	free(from);
}

/* ---- an event as a commit ------------------------------------------------- */

#define TRAILER_SEQ "Sluice-Event: "
#define TRAILER_HASH "Sluice-Event-Hash: "

/* A one-line summary and the trailers that name the event and its hash. */
static void commit_message(struct sl_buf *out, const struct sl_ledger_event *ev)
{
	sl_buf_addf(out, "%s override %" PRId64, sl_ledger_kind_name(ev->kind),
		    ev->override_id);
	if (ev->kind == SL_LEDGER_REQUEST)
		sl_buf_addf(out, ": %s at %.12s", ev->gate, ev->commit);
	if (ev->kind == SL_LEDGER_APPLIED)
		sl_buf_addf(out, ": %s at %.12s", ev->gate, ev->commit);
	if (*ev->actor)
		sl_buf_addf(out, " by %s", ev->actor);
	sl_buf_addf(out,
		    "\n\nOne event of a sluice override ledger: its canonical "
		    "text is the\nfile 'event', and its SHA-256 the hash the "
		    "next event names.\n\n" TRAILER_SEQ "%" PRId64
		    "\n" TRAILER_HASH "%s\n",
		    ev->seq, ev->hash);
}

static void event_commit(struct sl_ledger_commit *c,
			 const struct sl_ledger_event *ev)
{
	struct sl_buf text = SL_BUF_INIT, msg = SL_BUF_INIT;

	sl_ledger_event_canonical(&text, ev);
	commit_message(&msg, ev);
	c->text = sl_buf_detach(&text, &c->len);
	c->message = sl_buf_detach(&msg, NULL);
	c->at = ev->at;
}

/* The value of trailer in message, up to the end of its line; NULL. */
static char *trailer(const char *message, const char *name)
{
	const char *at = message, *end;

	while ((at = strstr(at, name))) {
		if (at == message || at[-1] == '\n') {
			at += strlen(name);
			end = strchrnul(at, '\n');
			return sl_xmemdupz(at, (size_t)(end - at));
		}
		at += strlen(name);
	}
	return NULL;
}

/* ---- reading the remote's chain ------------------------------------------ */

/* What the transport reads, described for messages. */
struct remote {
	const struct sl_ledger_transport *t;
	char tip[SL_HASH_HEX_SIZE];
};

static int not_a_ledger(const struct remote *r, const char *why,
			struct sl_error *err)
{
	return sl_error_set(err, SL_EENV,
			    "'%s' on '%s' is not a sluice ledger: %s; point "
			    "'ledger: git:REF' at the ledger's ref",
			    r->t->ref, r->t->remote, why);
}

/* Parses commit c (the event numbered seq, when the chain is whole). */
static int parse_commit(struct sl_ledger_event *ev, const struct remote *r,
			const struct sl_ledger_commit *c, struct sl_error *err)
{
	struct sl_buf why = SL_BUF_INIT;
	char *hash = NULL;
	int ret = 0;

	if (sl_ledger_event_parse(ev, &why, c->text, c->len)) {
		sl_buf_addf(&why, " (commit %.12s)", c->id);
		ret = not_a_ledger(r, why.buf, err);
		goto out;
	}
	hash = trailer(c->message, TRAILER_HASH);
	if (!hash) {
		sl_buf_addf(&why,
			    "commit %.12s does not name its event's hash "
			    "(" TRAILER_HASH "...)",
			    c->id);
		ret = not_a_ledger(r, why.buf, err);
	} else if (strcmp(hash, ev->hash)) {
		ret = sl_error_set(err, SL_EENV,
				   "the ledger on '%s' (%s) fails "
				   "verification: event %" PRId64
				   " (commit %.12s) was edited in place: its "
				   "text no longer has the hash its commit "
				   "records; no override in it can be trusted",
				   r->t->remote, r->t->ref, ev->seq, c->id);
	}
out:
	free(hash);
	sl_buf_release(&why);
	return ret;
}

/*
 * Reads the remote's chain into log: events [0, base) are this copy's own
 * (verified, the same on the remote: base is what it remembers, and the
 * walk stopped at its commit), the rest read from the remote. *base is 0
 * when the walk went back to the first commit.
 */
static int read_remote(struct sl_ledger_log *log, size_t *base,
		       const struct remote *r, const struct sl_ledger_log *mine,
		       const struct sl_ledger_shared *mem, struct sl_error *err)
{
	struct sl_ledger_commits commits = SL_LEDGER_COMMITS_INIT;
	struct sl_buf problem = SL_BUF_INIT;
	bool stopped = false;
	size_t i;
	int ret = 0;

	*base = 0;
	if (!*r->tip)
		return 0;
	ret = r->t->read(r->t->data, &commits, &stopped, &problem, r->tip,
			 mem->known && mem->seq ? mem->commit : "", err);
	if (!ret && problem.len)
		ret = not_a_ledger(r, problem.buf, err);
	if (!ret && stopped) {
		*base = (size_t)mem->seq;
		for (i = 0; i < *base; i++)
			sl_ledger_event_copy(sl_ledger_log_push(log),
					     &mine->events[i]);
	}
	for (i = 0; !ret && i < commits.n; i++)
		ret = parse_commit(sl_ledger_log_push(log), r,
				   &commits.items[i], err);
	sl_ledger_commits_release(&commits);
	sl_buf_release(&problem);
	return ret;
}

/* Parses "SEQ:HASH" into seq and hash. */
static int parse_anchor(int64_t *seq, const char **hash, const char *anchor,
			struct sl_error *err)
{
	char *end = NULL;
	long long n;

	errno = 0;
	n = strtoll(anchor, &end, 10);
	if (errno || n < 0 || end == anchor || *end != ':' ||
	    !sl_ledger_is_hex(end + 1, 64))
		return sl_error_set(err, SL_EUSAGE,
				    "'%s' is not a ledger anchor: give "
				    "SEQ:HASH as 'override verify' printed it",
				    anchor);
	*seq = n;
	*hash = end + 1;
	return 0;
}

/* Does the remote's chain still hold event seq with hash? */
static int check_pinned(const struct remote *r,
			const struct sl_ledger_log *chain, int64_t seq,
			const char *hash, const char *what,
			struct sl_error *err)
{
	const char *have;

	if (!seq)
		return 0;
	have = seq <= (int64_t)chain->n ? chain->events[seq - 1].hash : NULL;
	if (have && !strcmp(have, hash))
		return 0;
	if (!chain->n)
		return sl_error_set(err, SL_EENV,
				    "the ledger on '%s' (%s) was deleted: the "
				    "remote has no such ref, but %s event "
				    "%" PRId64 " (%.12s) there; refusing it: "
				    "restore the ref",
				    r->t->remote, r->t->ref, what, seq, hash);
	if (!have)
		return sl_error_set(err, SL_EENV,
				    "the ledger on '%s' (%s) was rewritten: it "
				    "holds %zu events, but %s event %" PRId64
				    " (%.12s); refusing it: restore the ref, "
				    "or ask whoever rewrote it",
				    r->t->remote, r->t->ref, chain->n, what,
				    seq, hash);
	return sl_error_set(err, SL_EENV,
			    "the ledger on '%s' (%s) was rewritten: its event "
			    "%" PRId64 " is not the one %s (%.12s); refusing "
			    "it: restore the ref, or ask whoever rewrote it",
			    r->t->remote, r->t->ref, seq, what, hash);
}

/* Verifies the remote's chain: the events new to this copy, memory, pin. */
static int verify_remote(const struct remote *r,
			 const struct sl_ledger_log *chain, size_t base,
			 const struct sl_ledger_shared *mem, const char *anchor,
			 struct sl_error *err)
{
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	const char *pinned = NULL;
	int64_t seq = 0;
	int ret = 0;

	if (!sl_ledger_check_events(&report, chain, base))
		ret = sl_error_set(err, SL_EENV,
				   "the ledger on '%s' (%s) fails "
				   "verification: %s; no override in it can "
				   "be trusted",
				   r->t->remote, r->t->ref, report.problem.buf);
	if (!ret && mem->known)
		ret = check_pinned(r, chain, mem->seq, mem->hash,
				   "this clone verified", err);
	if (!ret && anchor)
		ret = parse_anchor(&seq, &pinned, anchor, err);
	if (!ret && anchor)
		ret =
		    check_pinned(r, chain, seq, pinned, "the anchor pins", err);
	sl_ledger_report_release(&report);
	return ret;
}

/* ---- merging it into the working copy ------------------------------------ */

/*
 * The copy's own event mine, put on top of the chain as it now stands;
 * where it went is recorded in moves.
 */
static int rechain_one(struct sl_ledger *ledger, struct sl_override_list *state,
		       const struct sl_ledger_event *mine,
		       const struct sl_strvec *remote_ids,
		       const struct sl_ledger_log *remote, struct moves *moves,
		       struct sl_error *err)
{
	struct sl_ledger_event ev;
	struct sl_buf why = SL_BUF_INIT;
	char id[SL_HASH_HEX_SIZE];
	bool request = mine->kind == SL_LEDGER_REQUEST;
	/* A decision on a request of this copy follows it: the request came
	 * first in this copy, so it moved earlier in this same merge. */
	int64_t moved_to = moved_request(moves, mine->override_id);
	size_t i;
	int ret = 0;

	sl_ledger_event_copy(&ev, mine);
	if (!request && moved_to != ev.override_id && *ev.signature) {
		sl_buf_addf(&why,
			    "its override is %" PRId64 " on the shared "
			    "ledger, and its signature covers the old id; "
			    "decide again",
			    moved_to);
		drop(moves, mine->seq, &ev, why.buf);
		goto out;
	}
	if (!request)
		ev.override_id = moved_to;
	sl_ledger_event_identity(id, &ev);
	/* Already there (a push that went through, then failed to say so). */
	for (i = 0; i < remote_ids->n; i++) {
		if (strcmp(remote_ids->v[i], id))
			continue;
		moves_push(moves, mine->seq, remote->events[i].seq, request);
		goto out;
	}
	sl_buf_adds(&why, "another clone's event came first: ");
	if (sl_ledger_fold_one(state, &ev, &why)) {
		drop(moves, mine->seq, &ev, why.buf);
		goto out;
	}
	ret = sl_ledger_append(ledger, &ev, err);
	if (!ret && request)
		/* The fold above used the old id: it is the new one now. */
		state->items[state->n - 1].id = ev.seq;
	if (!ret)
		moves_push(moves, mine->seq, ev.seq, request);
out:
	sl_ledger_event_release(&ev);
	sl_buf_release(&why);
	return ret;
}

/*
 * Inside the write transaction: the copy holds mine; the remote's chain
 * (verified) is remote. Events [0, common) are the same in both; the
 * remote's events past it are added, the copy's own past it re-chained on
 * top (where each went: into moves).
 */
static int merge_events(struct sl_ledger *ledger,
			const struct sl_ledger_log *mine,
			const struct sl_ledger_log *remote, size_t common,
			struct moves *moves, struct sl_error *err)
{
	struct sl_override_list state = SL_OVERRIDE_LIST_INIT;
	struct sl_strvec ids = SL_STRVEC_INIT;
	struct sl_buf why = SL_BUF_INIT;
	char id[SL_HASH_HEX_SIZE];
	int64_t bad = 0;
	size_t i;
	int ret;

	ret = sl_ledger_rewind(
	    ledger, (int64_t)common,
	    common ? mine->events[common - 1].hash : sl_ledger_zero_hash, err);
	for (i = 0; common < mine->n && i < remote->n; i++) {
		/* Identities of the new ones, when this copy has events of
		 * its own to compare: one per remote event, "" for those both
		 * had, so that indices match. */
		if (i >= common)
			sl_ledger_event_identity(id, &remote->events[i]);
		sl_strvec_push(&ids, i >= common ? id : "");
	}
	for (i = common; !ret && i < remote->n; i++) {
		struct sl_ledger_event ev;

		sl_ledger_event_copy(&ev, &remote->events[i]);
		ret = sl_ledger_append(ledger, &ev, err);
		/* The same seq and previous hash give the same hash. */
		if (!ret && strcmp(ev.hash, remote->events[i].hash))
			ret = sl_error_set(err, SL_EENV,
					   "ledger '%s': event %" PRId64
					   " changed as it was added",
					   ledger->db.path, ev.seq);
		sl_ledger_event_release(&ev);
	}
	if (!ret && sl_ledger_fold(&state, &bad, &why, remote, 0))
		ret = sl_error_set(err, SL_EENV,
				   "ledger '%s': event %" PRId64 ": %s",
				   ledger->db.path, bad, why.buf);
	for (i = common; !ret && i < mine->n; i++)
		ret = rechain_one(ledger, &state, &mine->events[i], &ids,
				  remote, moves, err);
	sl_override_list_release(&state);
	sl_strvec_release(&ids);
	sl_buf_release(&why);
	return ret;
}

static int check_copy(struct sl_ledger *ledger, const struct remote *r,
		      const struct sl_ledger_log *mine,
		      const struct sl_ledger_shared *mem, struct sl_error *err)
{
	if (mem->known &&
	    (strcmp(mem->remote, r->t->remote) || strcmp(mem->ref, r->t->ref)))
		return sl_error_set(err, SL_EENV,
				    "ledger '%s' is the working copy of '%s' "
				    "on '%s', not of '%s' on '%s': point "
				    "--ledger at another file",
				    ledger->db.path, mem->ref, mem->remote,
				    r->t->ref, r->t->remote);
	if (mem->known && mem->seq &&
	    (mem->seq > (int64_t)mine->n ||
	     strcmp(mine->events[mem->seq - 1].hash, mem->hash)))
		return sl_error_set(err, SL_EENV,
				    "ledger '%s' fails verification: it no "
				    "longer holds event %" PRId64
				    " it verified on '%s'; remove it, and "
				    "sync again",
				    ledger->db.path, mem->seq, r->t->remote);
	return 0;
}

/* Remembers ev, on commit, as the newest event verified on the remote. */
static int remember(struct sl_ledger *ledger, const struct remote *r,
		    const struct sl_ledger_event *ev, const char *commit,
		    struct sl_error *err)
{
	struct sl_ledger_shared mem = {0};

	mem.remote = (char *)r->t->remote;
	mem.ref = (char *)r->t->ref;
	mem.seq = ev->seq;
	memcpy(mem.hash, ev->hash, SL_HASH_HEX_SIZE);
	memcpy(mem.commit, commit, SL_HASH_HEX_SIZE);
	return sl_ledger_shared_store(ledger, &mem, err);
}

/* Remembers that this copy shares REF on the remote, and nothing of it. */
static int remember_nothing(struct sl_ledger *ledger, const struct remote *r,
			    struct sl_error *err)
{
	struct sl_ledger_shared mem = {0};

	mem.remote = (char *)r->t->remote;
	mem.ref = (char *)r->t->ref;
	memcpy(mem.hash, sl_ledger_zero_hash, SL_HASH_HEX_SIZE);
	return sl_ledger_shared_store(ledger, &mem, err);
}

/* One fetched tip, verified and merged into the copy in one transaction. */
static int merge(struct sl_ledger_sync_result *out, struct sl_ledger *ledger,
		 const struct remote *r, const char *anchor,
		 struct sl_error *err)
{
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	struct sl_ledger_log mine = SL_LEDGER_LOG_INIT,
			     chain = SL_LEDGER_LOG_INIT;
	struct sl_ledger_shared mem = {0};
	struct moves moves = MOVES_INIT;
	char head[SL_HASH_HEX_SIZE];
	size_t base = 0, common;
	int64_t after;
	int ret = sl_ledger_begin(ledger, true, err);

	if (!ret)
		ret = sl_ledger_shared_load(&mem, ledger, err);
	if (!ret)
		ret = sl_ledger_verified_load(&mine, &report, ledger, err);
	if (!ret)
		ret = check_copy(ledger, r, &mine, &mem, err);
	/* A copy that never synced shares nothing yet: every event of its
	 * own may be taken back, to go on top of the remote's. */
	if (!ret && !mem.known)
		ret = remember_nothing(ledger, r, err);
	if (!ret && !*r->tip && mem.known && mem.seq)
		ret = check_pinned(r, &chain, mem.seq, mem.hash,
				   "this clone verified", err);
	if (!ret)
		ret = read_remote(&chain, &base, r, &mine, &mem, err);
	if (!ret)
		ret = verify_remote(r, &chain, base, &mem, anchor, err);
	if (ret)
		goto out;
	out->fetched_ok = true;
	for (common = base;
	     common < mine.n && common < chain.n &&
	     !strcmp(mine.events[common].hash, chain.events[common].hash);
	     common++)
		;
	after = (int64_t)mine.n;
	memcpy(head,
	       mine.n ? mine.events[mine.n - 1].hash : sl_ledger_zero_hash,
	       SL_HASH_HEX_SIZE);
	if (common < chain.n) {
		ret = merge_events(ledger, &mine, &chain, common, &moves, err);
		out->fetched += (int64_t)(chain.n - common);
		if (!ret)
			ret = sl_ledger_load_head(&after, head, ledger, err);
	}
	if (!ret && chain.n)
		ret = remember(ledger, r, &chain.events[chain.n - 1], r->tip,
			       err);
	out->events = (int64_t)chain.n;
	memcpy(out->head,
	       chain.n ? chain.events[chain.n - 1].hash : sl_ledger_zero_hash,
	       SL_HASH_HEX_SIZE);
	out->pending = after - (int64_t)chain.n;
	out->copy_events = after;
	memcpy(out->copy_head, head, SL_HASH_HEX_SIZE);
out:
	ret = sl_ledger_end(ledger, ret, err);
	/* Rolled back: the copy's events are where they were. */
	if (!ret)
		settle(out, &moves);
	moves_release(&moves);
	sl_ledger_shared_release(&mem);
	sl_ledger_log_release(&mine);
	sl_ledger_log_release(&chain);
	sl_ledger_report_release(&report);
	return ret;
}

/* ---- pushing this copy's events -------------------------------------------- */

/*
 * The copy's events the remote lacks, as commits (oldest first), and the
 * commit they go on. Read in one transaction.
 */
static int unshared(struct sl_ledger_commits *out, int64_t *first,
		    char parent[SL_HASH_HEX_SIZE], struct sl_ledger *ledger,
		    struct sl_error *err)
{
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	struct sl_ledger_log mine = SL_LEDGER_LOG_INIT;
	struct sl_ledger_shared mem = {0};
	size_t i;
	int ret = sl_ledger_begin(ledger, false, err);

	if (!ret)
		ret = sl_ledger_shared_load(&mem, ledger, err);
	if (!ret)
		ret = sl_ledger_verified_load(&mine, &report, ledger, err);
	ret = sl_ledger_end(ledger, ret, err);
	*first = mem.known ? mem.seq + 1 : 1;
	memset(parent, 0, SL_HASH_HEX_SIZE);
	if (mem.known && mem.seq)
		memcpy(parent, mem.commit, SL_HASH_HEX_SIZE);
	for (i = (size_t)(*first - 1); !ret && i < mine.n; i++)
		event_commit(sl_ledger_commits_push(out), &mine.events[i]);
	sl_ledger_shared_release(&mem);
	sl_ledger_log_release(&mine);
	sl_ledger_report_release(&report);
	return ret;
}

/*
 * After a push of commits (events first, first + 1, ...) went through:
 * remembers its tip as verified, unless the copy changed meanwhile (then
 * the next sync finds the remote's events the same, by their hash).
 */
static int pushed(struct sl_ledger *ledger, const struct remote *r,
		  const struct sl_ledger_commits *commits, int64_t first,
		  struct sl_error *err)
{
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	struct sl_ledger_log mine = SL_LEDGER_LOG_INIT;
	const struct sl_ledger_commit *top = &commits->items[commits->n - 1];
	struct sl_ledger_shared mem = {0};
	int64_t last = first + (int64_t)commits->n - 1;
	char hash[SL_HASH_HEX_SIZE];
	int ret = sl_ledger_begin(ledger, true, err);

	if (!ret)
		ret = sl_ledger_shared_load(&mem, ledger, err);
	if (!ret)
		ret = sl_ledger_verified_load(&mine, &report, ledger, err);
	if (ret || (mem.known && mem.seq >= last) || last > (int64_t)mine.n)
		goto out;
	/* The copy still holds what was pushed when the newest event is the
	 * pushed one: the chain fixes every event before it. */
	sl_ledger_sha256_hex(hash, top->text, top->len);
	if (!strcmp(hash, mine.events[last - 1].hash))
		ret = remember(ledger, r, &mine.events[last - 1], top->id, err);
out:
	ret = sl_ledger_end(ledger, ret, err);
	sl_ledger_shared_release(&mem);
	sl_ledger_log_release(&mine);
	sl_ledger_report_release(&report);
	return ret;
}

/* Pushes the copy's own events; *moved when another clone was first. */
static int publish(struct sl_ledger_sync_result *out, bool *moved,
		   struct sl_ledger *ledger, const struct remote *r,
		   struct sl_error *err)
{
	struct sl_ledger_commits commits = SL_LEDGER_COMMITS_INIT;
	char parent[SL_HASH_HEX_SIZE];
	int64_t first = 0;
	int ret = unshared(&commits, &first, parent, ledger, err);

	*moved = false;
	if (ret || !commits.n)
		goto out;
	ret = r->t->write(r->t->data, &commits, parent, err);
	if (!ret) {
		out->attempts++;
		ret = r->t->push(r->t->data, moved,
				 commits.items[commits.n - 1].id, err);
		/* Not reached, or refused: either way, not shared. Refused
		 * (this clone may not push) is an environment error to the
		 * caller too; `run` tells it apart. */
		out->unreachable = ret != 0;
		out->refused = ret == SL_EREFUSED;
		if (ret == SL_EREFUSED) {
			err->status = SL_EENV;
			ret = SL_EENV;
		}
	}
	if (!ret && !*moved)
		ret = pushed(ledger, r, &commits, first, err);
	if (!ret && !*moved) {
		out->pushed += (int64_t)commits.n;
		out->pending = 0;
		out->events = first + (int64_t)commits.n - 1;
	}
out:
	sl_ledger_commits_release(&commits);
	return ret;
}

/* A short, random wait, longer each time: writers that collided spread. */
static void back_off(unsigned attempt)
{
	unsigned span = 10 + 15 * (attempt < 20 ? attempt : 20);
	struct timespec ts;
	unsigned ms;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ms = (unsigned)((ts.tv_nsec / 1000 + (long)getpid() * 7919) % span);
	ts.tv_sec = 0;
	ts.tv_nsec = (long)ms * 1000000L;
	nanosleep(&ts, NULL);
}

int sl_ledger_sync(struct sl_ledger_sync_result *out, struct sl_ledger *ledger,
		   const struct sl_ledger_transport *t,
		   const struct sl_ledger_sync_options *opts,
		   struct sl_error *err)
{
	struct sl_ledger_sync_options defaults = SL_LEDGER_SYNC_OPTIONS_INIT;
	struct remote r = {t, {0}};
	unsigned attempts, i;
	bool moved = false;
	int ret = 0;

	if (!opts)
		opts = &defaults;
	attempts = opts->attempts ? opts->attempts : SL_LEDGER_SYNC_ATTEMPTS;
	for (i = 0; i < attempts; i++) {
		if (i)
			back_off(i);
		ret = t->fetch(t->data, r.tip, err);
		if (ret) {
			out->unreachable = true;
			return ret;
		}
		ret = merge(out, ledger, &r, opts->anchor, err);
		if (ret || !opts->push)
			return ret;
		ret = publish(out, &moved, ledger, &r, err);
		if (ret || !moved)
			return ret;
	}
	return sl_error_set(err, SL_EENV,
			    "cannot push to '%s' (%s): other clones pushed "
			    "first %u times in a row; this clone's %" PRId64
			    " event%s stay in ledger '%s': 'sluice override "
			    "sync' shares them",
			    t->remote, t->ref, attempts, out->pending,
			    out->pending == 1 ? "" : "s", ledger->db.path);
}

int sl_ledger_is_shared(bool *out, struct sl_ledger *ledger, int64_t id,
			struct sl_error *err)
{
	struct sl_ledger_shared mem = {0};
	struct sl_override ov = SL_OVERRIDE_INIT;
	int ret = sl_ledger_get(&ov, ledger, id, 0, err);

	if (!ret)
		ret = sl_ledger_begin(ledger, false, err);
	if (!ret) {
		ret = sl_ledger_shared_load(&mem, ledger, err);
		ret = sl_ledger_end(ledger, ret, err);
	}
	*out = !ret && mem.known && id <= mem.seq;
	sl_override_release(&ov);
	sl_ledger_shared_release(&mem);
	return ret;
}

int sl_ledger_run_shared(size_t *out, struct sl_ledger *ledger,
			 const char *run_id, struct sl_error *err)
{
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	struct sl_ledger_shared mem = {0};
	size_t i;
	int ret = sl_ledger_begin(ledger, false, err);

	*out = 0;
	if (!ret)
		ret = sl_ledger_shared_load(&mem, ledger, err);
	/* Read, not verified again: the sync that shared them just did. */
	if (!ret)
		ret = sl_ledger_load(&log, &report, ledger, err);
	ret = sl_ledger_end(ledger, ret, err);
	for (i = 0; !ret && mem.known && i < log.n; i++)
		*out += log.events[i].seq <= mem.seq &&
			log.events[i].kind == SL_LEDGER_APPLIED &&
			!strcmp(log.events[i].run_id, run_id);
	sl_ledger_shared_release(&mem);
	sl_ledger_log_release(&log);
	sl_ledger_report_release(&report);
	return ret;
}
