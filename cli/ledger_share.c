/*
 * ledger_share.c: connecting the ledger shared through git (gates/, which
 * decides) to the repository (selector/, which fetches and pushes with the
 * git program and reads and writes commits with libgit2). It runs the git
 * found once, by absolute path, before anything ran (struct sl_programs),
 * names the local ref a fetch lands in, and converts
 * between the two folders' records. No policy lives here.
 */
#include "common/common.h"

#include "cli/cli.h"
#include "gates/gates.h"

/* The file each commit of the shared ledger holds. */
#define EVENT_FILE "event"

static int share_fetch(void *data, char tip[SL_HASH_HEX_SIZE],
		       struct sl_error *err)
{
	struct cli_share *s = data;
	char id[SL_OID_HEXSZ + 1];
	int ret = sl_repo_fetch_ref(id, s->repo, s->git.buf, s->remote, s->ref,
				    s->into.buf, err);

	memset(tip, 0, SL_HASH_HEX_SIZE);
	if (!ret)
		memcpy(tip, id, strlen(id) + 1);
	return ret;
}

static int share_read(void *data, struct sl_ledger_commits *out, bool *stopped,
		      struct sl_buf *problem, const char *tip, const char *stop,
		      struct sl_error *err)
{
	struct cli_share *s = data;
	struct sl_chain chain = SL_CHAIN_INIT;
	size_t i;
	int ret = sl_repo_chain_read(&chain, stopped, problem, s->repo, tip,
				     stop, EVENT_FILE, err);

	for (i = 0; i < chain.n; i++) {
		struct sl_chain_link *link = &chain.links[i];
		struct sl_ledger_commit *c = sl_ledger_commits_push(out);

		memcpy(c->id, link->id, SL_OID_HEXSZ + 1);
		c->text = link->data ? link->data : sl_xstrdup("");
		c->len = link->len;
		c->message = link->message ? link->message : sl_xstrdup("");
		c->at = link->time;
		link->data = link->message = NULL;
	}
	sl_chain_release(&chain);
	return ret;
}

static int share_write(void *data, struct sl_ledger_commits *commits,
		       const char *parent, struct sl_error *err)
{
	struct cli_share *s = data;
	struct sl_chain chain = SL_CHAIN_INIT;
	size_t i;
	int ret;

	chain.links = sl_xcalloc(commits->n + 1, sizeof(*chain.links));
	chain.n = chain.alloc = commits->n;
	for (i = 0; i < commits->n; i++) {
		/* Borrowed for the write; taken back below, not freed. */
		chain.links[i].data = commits->items[i].text;
		chain.links[i].len = commits->items[i].len;
		chain.links[i].message = commits->items[i].message;
		chain.links[i].time = commits->items[i].at;
	}
	ret = sl_repo_chain_write(&chain, s->repo, parent, EVENT_FILE, err);
	for (i = 0; i < commits->n; i++)
		memcpy(commits->items[i].id, chain.links[i].id,
		       SL_OID_HEXSZ + 1);
	free(chain.links);
	return ret;
}

static int share_push(void *data, bool *moved, const char *tip,
		      struct sl_error *err)
{
	struct cli_share *s = data;

	return sl_repo_push_ref(moved, s->repo, s->git.buf, s->remote, tip,
				s->ref, err);
}

int cli_share_init(struct cli_share *s, struct sl_repo *repo,
		   const struct sl_rules *rules,
		   const struct sl_programs *programs, struct sl_error *err)
{
	const char *git = NULL;
	int ret;

	memset(s, 0, sizeof(*s));
	s->git = (struct sl_buf)SL_BUF_INIT;
	s->into = (struct sl_buf)SL_BUF_INIT;
	if (!rules || !rules->ledger_ref)
		return 0;
	s->repo = repo;
	s->ref = sl_xstrdup(rules->ledger_ref);
	s->remote =
	    sl_xstrdup(rules->ledger_remote ? rules->ledger_remote : "origin");
	/* Fetched into sluice's own namespace: no branch of the user's moves. */
	sl_buf_addf(&s->into, "refs/sluice/ledger/%s/%s", s->remote,
		    s->ref + strlen("refs/"));
	ret = sl_programs_get(&git, programs, SL_PROGRAM_GIT, err);
	if (!ret)
		sl_buf_adds(&s->git, git);
	if (ret) {
		sl_error_prefix(err, "the ledger is shared through git");
		return ret;
	}
	s->t.remote = s->remote;
	s->t.ref = s->ref;
	s->t.data = s;
	s->t.fetch = share_fetch;
	s->t.read = share_read;
	s->t.write = share_write;
	s->t.push = share_push;
	s->on = true;
	return 0;
}

void cli_share_release(struct cli_share *s)
{
	free(s->remote);
	free(s->ref);
	sl_buf_release(&s->git);
	sl_buf_release(&s->into);
	memset(s, 0, sizeof(*s));
}

void cli_share_report(const struct sl_ledger_sync_result *r)
{
	size_t i;

	for (i = 0; i < r->nrenumbered; i++)
		fprintf(stderr,
			"sluice: override %" PRId64
			" of this clone is override "
			"%" PRId64 " on the shared ledger (another clone's "
			"events came first)\n",
			r->renumbered[i].from, r->renumbered[i].to);
	for (i = 0; i < r->dropped.n; i++)
		cli_printf_safe(stderr, "sluice: warning: %s\n",
				r->dropped.v[i]);
}
