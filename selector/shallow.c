/*
 * shallow.c: the merge-base of two commits in a shallow clone, as git
 * computes it there: the commits listed in the shallow file are roots
 * (their parents were never fetched), and when the two histories do not
 * meet within what was fetched there is no merge-base. range.c uses it
 * for shallow clones only; full clones use libgit2's git_merge_base().
 *
 * Why not libgit2: version 1.5 knows nothing of shallow clones, so its
 * walk fails with a generic "object not found" when it reaches a missing
 * parent (and leaks on that path), even where git would answer.
 * A shallow clone holds only what its depth fetched, so walking every
 * ancestor here is cheap.
 */
#include "common/common.h"

#include "selector/internal.h"

/* An open-addressing set of object ids. */
struct oid_set {
	git_oid *slots;
	bool *used;
	size_t cap; /* a power of two */
	size_t n;
};

static void set_release(struct oid_set *s)
{
	free(s->slots);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

static size_t slot_of(const struct oid_set *s, const git_oid *id)
{
	size_t h, i;

	memcpy(&h, id->id, sizeof(h)); /* ids are uniformly distributed */
	for (i = h & (s->cap - 1); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (git_oid_equal(&s->slots[i], id))
			break;
	return i;
}

static bool set_has(const struct oid_set *s, const git_oid *id)
{
	return s->cap && s->used[slot_of(s, id)];
}

static void set_grow(struct oid_set *s)
{
	struct oid_set bigger = {NULL, NULL, s->cap ? 2 * s->cap : 64, 0};
	size_t i;

	bigger.slots = sl_xcalloc(bigger.cap, sizeof(*bigger.slots));
	bigger.used = sl_xcalloc(bigger.cap, sizeof(*bigger.used));
	for (i = 0; i < s->cap; i++) {
		size_t j;

		if (!s->used[i])
			continue;
		j = slot_of(&bigger, &s->slots[i]);
		bigger.slots[j] = s->slots[i];
		bigger.used[j] = true;
		bigger.n++;
	}
	set_release(s);
	*s = bigger;
}

/* Adds id; false when it was there already. */
static bool set_add(struct oid_set *s, const git_oid *id)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap)
		set_grow(s);
	i = slot_of(s, id);
	if (s->used[i])
		return false;
	git_oid_cpy(&s->slots[i], id);
	s->used[i] = true;
	s->n++;
	return true;
}

/* The commits of the shallow file: roots, whatever their parents. */
static int read_boundary(struct oid_set *out, struct sl_repo *repo,
			 struct sl_error *err)
{
	struct sl_buf path = SL_BUF_INIT, data = SL_BUF_INIT;
	const char *p, *end;
	int ret;

	sl_buf_addf(&path, "%sshallow", git_repository_commondir(repo->git));
	ret = sl_buf_read_file(&data, path.buf, SIZE_MAX / 2, err);
	p = data.buf;
	end = data.buf + data.len;
	while (!ret && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		git_oid id;

		if (len && git_oid_fromstrn(&id, p, len) < 0)
			ret = sl_git_error(err, SL_EENV, "bad line in '%s'",
					   path.buf);
		else if (len)
			set_add(out, &id);
		p += len + 1;
	}
	sl_buf_release(&path);
	sl_buf_release(&data);
	return ret;
}

struct walk {
	struct sl_repo *repo;
	const struct oid_set *boundary;
	git_oid *stack;
	size_t n, alloc;
	struct sl_error *err;
};

static void push(struct walk *w, const git_oid *id)
{
	SL_ALLOC_GROW(w->stack, w->n + 1, w->alloc);
	git_oid_cpy(&w->stack[w->n++], id);
}

/* Pushes the parents of id, unless it is a root of the shallow clone. */
static int push_parents(struct walk *w, const git_oid *id)
{
	git_commit *commit;
	unsigned i, n;

	if (set_has(w->boundary, id))
		return 0;
	if (git_commit_lookup(&commit, w->repo->git, id) < 0) {
		char hex[SL_OID_HEXSZ + 1];

		sl_oid_hex(hex, id);
		return sl_git_error(w->err, SL_EENV,
				    "cannot read commit '%s' in this shallow "
				    "clone",
				    hex);
	}
	n = git_commit_parentcount(commit);
	for (i = 0; i < n; i++)
		push(w, git_commit_parent_id(commit, i));
	git_commit_free(commit);
	return 0;
}

/*
 * Adds to seen every commit reachable from the start commits. With stop,
 * does not walk past a commit in stop, and collects those into hits.
 */
static int walk(struct walk *w, struct oid_set *seen,
		const struct oid_set *stop, struct oid_set *hits)
{
	int ret = 0;

	while (!ret && w->n) {
		git_oid id;

		git_oid_cpy(&id, &w->stack[--w->n]);
		if (!set_add(seen, &id))
			continue;
		if (stop && set_has(stop, &id)) {
			set_add(hits, &id);
			continue;
		}
		ret = push_parents(w, &id);
	}
	w->n = 0;
	return ret;
}

/*
 * Of the candidates, the one no other candidate reaches, the newest first.
 * Returns 1 when there is none.
 */
static int pick_best(git_oid *out, struct walk *w,
		     const struct oid_set *candidates)
{
	struct oid_set below = {0};
	git_time_t best_time = 0;
	bool found = false;
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < candidates->cap; i++)
		if (candidates->used[i])
			ret = push_parents(w, &candidates->slots[i]);
	if (!ret)
		ret = walk(w, &below, NULL, NULL);
	for (i = 0; !ret && i < candidates->cap; i++) {
		const git_oid *id = &candidates->slots[i];
		git_commit *c;
		git_time_t t;

		if (!candidates->used[i] || set_has(&below, id))
			continue;
		if (git_commit_lookup(&c, w->repo->git, id) < 0) {
			ret = sl_git_error(w->err, SL_EENV,
					   "cannot read a commit in this "
					   "shallow clone");
			break;
		}
		t = git_commit_time(c);
		git_commit_free(c);
		if (!found || t > best_time ||
		    (t == best_time && git_oid_cmp(id, out) < 0)) {
			git_oid_cpy(out, id);
			best_time = t;
			found = true;
		}
	}
	set_release(&below);
	return ret ? ret : !found;
}

int sl_shallow_merge_base(git_oid *out, struct sl_repo *repo, const git_oid *a,
			  const git_oid *b, struct sl_error *err)
{
	struct oid_set boundary = {0}, from_a = {0}, from_b = {0};
	struct oid_set common = {0};
	struct walk w = {repo, &boundary, NULL, 0, 0, err};
	int ret = read_boundary(&boundary, repo, err);

	if (!ret) {
		push(&w, a);
		ret = walk(&w, &from_a, NULL, NULL);
	}
	if (!ret) {
		push(&w, b);
		ret = walk(&w, &from_b, &from_a, &common);
	}
	if (!ret)
		ret = pick_best(out, &w, &common);
	free(w.stack);
	set_release(&boundary);
	set_release(&from_a);
	set_release(&from_b);
	set_release(&common);
	return ret;
}
