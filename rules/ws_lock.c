/*
 * ws_lock.c: a lockfile as a graph of entries (struct sl_ws_lock), which
 * each kind's parser fills (ws_npm_lock.c, ws_pnpm_lock.c, ws_go_lock.c),
 * and the comparison of two of them by content (SPEC.md §7): each entry
 * added, removed or changed is attributed to the packages whose closure
 * holds it. A package's closure is what its entry reaches through the
 * dependency edges, stopping at another workspace package (that one's
 * changes reach it as a consumer); the root's own entry reaching a
 * changed entry leaves it to the lockfile's path. Attribution walks the
 * edges backwards from 64 changed entries at a time, one bit each, so
 * its cost follows the graph, not the number of packages times it.
 */
#include "common/common.h"

#include "rules/load_internal.h"
#include "rules/ws_internal.h"

/* Entries named per lane; past it a lane's reasons say how many more. */
#define HITS_PER_LANE 10

/* ---- building ---------------------------------------------------------- */

struct sl_ws_lock *sl_lock_new(const struct sl_ws *ws, const char *file)
{
	struct sl_ws_lock *lock = sl_xcalloc(1, sizeof(*lock));

	lock->ws = ws;
	lock->file = sl_xstrdup(file);
	sl_buf_init(&lock->pool, 1 << 16);
	sl_buf_addch(&lock->pool, '\0'); /* offset 0 is "" */
	return lock;
}

uint32_t sl_lock_str(struct sl_ws_lock *lock, const char *s, size_t n)
{
	size_t off = lock->pool.len;

	if (off + n + 1 > UINT32_MAX) {
		fprintf(stderr, "sluice: a lockfile past 4 GiB of names\n");
		abort();
	}
	sl_buf_add(&lock->pool, s, n);
	sl_buf_addch(&lock->pool, '\0');
	return (uint32_t)off;
}

static size_t slot_of(const struct sl_ws_lock *lock, const char *key,
		      size_t len)
{
	size_t i = (size_t)sl_hash_bytes(key, len) & (lock->cap - 1);

	for (;; i = (i + 1) & (lock->cap - 1)) {
		uint32_t e = lock->slots[i];
		const char *k;

		if (e == SL_LOCK_NONE)
			return i;
		k = sl_lock_s(lock, lock->entries[e].key);
		if (!memcmp(k, key, len) && !k[len])
			return i;
	}
}

static void grow_slots(struct sl_ws_lock *lock)
{
	uint32_t *old = lock->slots;
	size_t i, cap = lock->cap;

	lock->cap = cap ? 2 * cap : 1024;
	lock->slots = sl_xmalloc(sl_st_mult(lock->cap, sizeof(uint32_t)));
	memset(lock->slots, 0xFF, lock->cap * sizeof(uint32_t));
	for (i = 0; i < cap; i++) {
		const char *k;

		if (old[i] == SL_LOCK_NONE)
			continue;
		k = sl_lock_s(lock, lock->entries[old[i]].key);
		lock->slots[slot_of(lock, k, strlen(k))] = old[i];
	}
	free(old);
}

uint32_t sl_lock_find(const struct sl_ws_lock *lock, const char *key,
		      size_t len)
{
	if (!lock->cap)
		return SL_LOCK_NONE;
	return lock->slots[slot_of(lock, key, len)];
}

uint32_t sl_lock_add(struct sl_ws_lock *lock, const char *key, size_t len,
		     bool *dup)
{
	struct sl_lock_entry *e;
	size_t slot;

	*dup = false;
	if (2 * (lock->n + 1) > lock->cap)
		grow_slots(lock);
	slot = slot_of(lock, key, len);
	if (lock->slots[slot] != SL_LOCK_NONE) {
		*dup = true;
		return lock->slots[slot];
	}
	SL_ALLOC_GROW(lock->entries, lock->n + 1, lock->alloc);
	e = &lock->entries[lock->n];
	memset(e, 0, sizeof(*e));
	e->key = sl_lock_str(lock, key, len);
	e->name = e->key;
	e->pkg = SL_LOCK_NONE;
	e->edges = (uint32_t)lock->nedge;
	lock->slots[slot] = (uint32_t)lock->n;
	return (uint32_t)lock->n++;
}

void sl_lock_edge(struct sl_ws_lock *lock, uint32_t from, uint32_t to)
{
	struct sl_lock_entry *e = &lock->entries[from];

	SL_ALLOC_GROW(lock->edge, lock->nedge + 1, lock->edge_alloc);
	if (!e->nedges)
		e->edges = (uint32_t)lock->nedge;
	lock->edge[lock->nedge++] = to;
	e->nedges++;
}

/* ---- the entry points ------------------------------------------------ */

int sl_ws_lock_parse(struct sl_ws_lock **out, const struct sl_ws *ws,
		     const char *file, const char *data, size_t len,
		     struct sl_error *err)
{
	struct sl_ws_lock *lock = sl_lock_new(ws, file);
	int ret;

	*out = NULL;
	switch (ws->kind) {
	case SL_WS_NPM:
		ret = sl_lock_parse_npm(lock, data, len, err);
		break;
	case SL_WS_PNPM:
		ret = sl_lock_parse_pnpm(lock, data, len, err);
		break;
	default:
		ret = sl_lock_parse_go(lock, data, len, err);
		break;
	}
	if (ret) {
		sl_ws_lock_free(lock);
		return ret;
	}
	*out = lock;
	return 0;
}

void sl_ws_lock_free(struct sl_ws_lock *lock)
{
	if (!lock)
		return;
	free(lock->file);
	sl_buf_release(&lock->pool);
	free(lock->entries);
	free(lock->edge);
	free(lock->slots);
	free(lock);
}

void sl_ws_changes_release(struct sl_ws_changes *changes)
{
	size_t i;

	for (i = 0; i < changes->nhits; i++) {
		free(changes->hits[i].lane);
		free(changes->hits[i].entry);
	}
	free(changes->hits);
	changes->hits = NULL;
	changes->nhits = changes->alloc = 0;
	sl_strvec_release(&changes->unattributed);
	changes->nchanged = 0;
}

/* ---- comparing two parses ------------------------------------------- */

/* One change: the entry in old and in new (SL_LOCK_NONE where absent). */
struct change {
	uint32_t old, new;
	char *text; /* "node_modules/x 1.0.0 -> 1.0.1" */
	bool hit;   /* attributed to a package */
	bool root;  /* reached by the root's own entry */
};

/* Predecessors: who depends on each entry (built once per diff). */
struct preds {
	uint32_t *start; /* n + 1 */
	uint32_t *from;
};

static void preds_build(struct preds *p, const struct sl_ws_lock *lock)
{
	size_t i, k;
	uint32_t *fill;

	p->start = sl_xcalloc(lock->n + 2, sizeof(uint32_t));
	p->from = sl_xcalloc(lock->nedge + 1, sizeof(uint32_t));
	for (k = 0; k < lock->nedge; k++)
		p->start[lock->edge[k] + 2]++;
	for (i = 2; i < lock->n + 2; i++)
		p->start[i] += p->start[i - 1];
	fill = p->start + 1;
	for (i = 0; i < lock->n; i++) {
		const struct sl_lock_entry *e = &lock->entries[i];

		for (k = e->edges; k < (size_t)e->edges + e->nedges; k++)
			p->from[fill[lock->edge[k]]++] = (uint32_t)i;
	}
}

static void preds_release(struct preds *p)
{
	free(p->start);
	free(p->from);
}

struct attributor {
	const struct sl_ws_lock *lock;
	struct preds preds;
	uint64_t *mask;
	uint32_t *queue;
	bool *queued;
};

static void attributor_init(struct attributor *a, const struct sl_ws_lock *lock)
{
	a->lock = lock;
	if (!lock || lock->by_closure)
		return;
	preds_build(&a->preds, lock);
	a->mask = sl_xcalloc(lock->n + 1, sizeof(uint64_t));
	a->queue = sl_xcalloc(lock->n + 1, sizeof(uint32_t));
	a->queued = sl_xcalloc(lock->n + 1, sizeof(bool));
}

static void attributor_release(struct attributor *a)
{
	if (!a->lock || a->lock->by_closure)
		return;
	preds_release(&a->preds);
	free(a->mask);
	free(a->queue);
	free(a->queued);
}

/* A hit the other side gives again is dropped by drop_repeats(). */
static void add_hit(struct sl_ws_changes *out, const char *lane,
		    const char *entry)
{
	SL_ALLOC_GROW(out->hits, out->nhits + 1, out->alloc);
	out->hits[out->nhits].lane = sl_xstrdup(lane);
	out->hits[out->nhits++].entry = sl_xstrdup(entry);
}

/* Attributes by closure (Go): every package whose closure names it. */
static void attribute_closure(struct sl_ws_changes *out,
			      const struct sl_ws_lock *lock, struct change *c,
			      uint32_t entry)
{
	const char *name = sl_lock_s(lock, lock->entries[entry].name);
	size_t i;

	for (i = 0; i < lock->ws->npkgs; i++) {
		const struct sl_ws_pkg *p = &lock->ws->pkgs[i];
		size_t lo = 0, hi = p->closure.n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int cmp = strcmp(p->closure.v[mid], name);

			if (!cmp) {
				add_hit(out, p->lane, c->text);
				c->hit = true;
				break;
			}
			if (cmp < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
}

/* Walks backwards from up to 64 changes at once (bit b: changes[b]). */
static void attribute_batch(struct sl_ws_changes *out, struct attributor *a,
			    struct change **batch, size_t n, bool old_side)
{
	const struct sl_ws_lock *lock = a->lock;
	size_t head = 0, tail = 0, i, b;

	for (b = 0; b < n; b++) {
		uint32_t e = old_side ? batch[b]->old : batch[b]->new;

		a->mask[e] |= UINT64_C(1) << b;
		if (!a->queued[e]) {
			a->queued[e] = true;
			a->queue[tail++ % (lock->n + 1)] = e;
		}
	}
	while (head != tail) {
		uint32_t x = a->queue[head++ % (lock->n + 1)];
		uint32_t k;

		a->queued[x] = false;
		for (k = a->preds.start[x]; k < a->preds.start[x + 1]; k++) {
			uint32_t p = a->preds.from[k];

			if ((a->mask[p] | a->mask[x]) == a->mask[p])
				continue;
			a->mask[p] |= a->mask[x];
			if (!a->queued[p]) {
				a->queued[p] = true;
				a->queue[tail++ % (lock->n + 1)] = p;
			}
		}
	}
	for (i = 0; i < lock->n; i++) {
		const struct sl_lock_entry *e = &lock->entries[i];
		uint64_t m = a->mask[i];

		a->mask[i] = 0;
		if (!m || e->pkg == SL_LOCK_NONE)
			continue;
		for (b = 0; b < n; b++) {
			if (!(m >> b & 1))
				continue;
			if (e->pkg == SL_LOCK_ROOT) {
				batch[b]->root = true;
			} else {
				add_hit(out, lock->ws->pkgs[e->pkg].lane,
					batch[b]->text);
				batch[b]->hit = true;
			}
		}
	}
}

static void attribute(struct sl_ws_changes *out, struct attributor *a,
		      struct change *changes, size_t n, bool old_side)
{
	struct change *batch[64];
	size_t i, nb = 0;

	if (!a->lock)
		return;
	for (i = 0; i < n; i++) {
		uint32_t e = old_side ? changes[i].old : changes[i].new;

		if (e == SL_LOCK_NONE)
			continue;
		if (a->lock->by_closure) {
			attribute_closure(out, a->lock, &changes[i], e);
			continue;
		}
		batch[nb++] = &changes[i];
		if (nb == 64) {
			attribute_batch(out, a, batch, nb, old_side);
			nb = 0;
		}
	}
	if (nb)
		attribute_batch(out, a, batch, nb, old_side);
}

static const char *version_of(const struct sl_ws_lock *lock, uint32_t e)
{
	return sl_lock_s(lock, lock->entries[e].version);
}

/* "key version", or the key alone when it names the version already
 * (pnpm's "ms@2.1.2"). */
/*
 * An entry's key as a reason names it: pnpm's peer suffix, which can run
 * to hundreds of characters ("x@1.0.0(a@1(b@2))(c@3)"), cut to "(...)";
 * two variants of one version then read alike, as they are alike but for
 * the peers they were resolved with.
 */
static void add_key_version(struct sl_buf *sb, const char *key,
			    const char *version)
{
	const char *peers = *key ? strchr(key + 1, '(') : NULL;

	if (peers) {
		sl_buf_add(sb, key, (size_t)(peers - key));
		sl_buf_adds(sb, "(...)");
	} else {
		sl_buf_adds(sb, key);
	}
	if (*version && !strstr(key, version))
		sl_buf_adds3(sb, " ", version, "");
}

static char *describe(const struct sl_ws_lock *old,
		      const struct sl_ws_lock *new, uint32_t o, uint32_t n)
{
	struct sl_buf sb = SL_BUF_INIT;
	const char *ov = o != SL_LOCK_NONE ? version_of(old, o) : "";
	const char *nv = n != SL_LOCK_NONE ? version_of(new, n) : "";

	if (o != SL_LOCK_NONE && n != SL_LOCK_NONE &&
	    strcmp(sl_lock_s(old, old->entries[o].key),
		   sl_lock_s(new, new->entries[n].key))) {
		/* Paired by name: one version of it replaced another, or
		 * the same version resolved with other peers (pnpm). */
		sl_buf_adds3(&sb, sl_lock_s(new, new->entries[n].name), " ",
			     ov);
		if (strcmp(ov, nv))
			sl_buf_adds3(&sb, " -> ", nv, "");
		else
			sl_buf_adds(&sb, " (its peers changed)");
	} else if (o != SL_LOCK_NONE && n != SL_LOCK_NONE) {
		const char *key = sl_lock_s(new, new->entries[n].key);

		/* npm's root entry is keyed "": say what it is. */
		if (*key)
			add_key_version(&sb, key, strcmp(ov, nv) ? "" : nv);
		else
			sl_buf_adds(&sb, "(the root package)");
		if (strcmp(ov, nv))
			sl_buf_addf(&sb, " %s -> %s", *ov ? ov : "(none)",
				    *nv ? nv : "(none)");
		else
			sl_buf_adds(&sb, " changed");
	} else if (n != SL_LOCK_NONE) {
		add_key_version(&sb, sl_lock_s(new, new->entries[n].key), nv);
		sl_buf_adds(&sb, " added");
	} else {
		add_key_version(&sb, sl_lock_s(old, old->entries[o].key), ov);
		sl_buf_adds(&sb, " removed");
	}
	return sl_buf_detach(&sb, NULL);
}

/*
 * Pairs a removed and an added entry of the same name when each is the
 * only one of its name on its side (pnpm's "express@4.18.2" replaced by
 * "express@4.19.2"): one change, "express 4.18.2 -> 4.19.2".
 */
static size_t pair_by_name(struct change *c, size_t n,
			   const struct sl_ws_lock *old,
			   const struct sl_ws_lock *new)
{
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		size_t match = SIZE_MAX, count = 0;
		const char *name;

		if (c[i].new != SL_LOCK_NONE || c[i].old == SL_LOCK_NONE)
			continue;
		name = sl_lock_s(old, old->entries[c[i].old].name);
		for (j = 0; j < n && count < 2; j++) {
			if (j != i && c[j].old == SL_LOCK_NONE &&
			    c[j].new != SL_LOCK_NONE &&
			    !strcmp(
				name,
				sl_lock_s(new, new->entries[c[j].new].name))) {
				match = j;
				count++;
			}
			if (j != i &&
			    c[j].new == SL_LOCK_NONE &&c[j].old !=
				SL_LOCK_NONE &&
			    !strcmp(
				name,
				sl_lock_s(old, old->entries[c[j].old].name)))
				count = 2; /* two removed of that name */
		}
		if (count == 1) {
			c[i].new = c[match].new;
			c[match].new = SL_LOCK_NONE; /* dropped below */
		}
	}
	for (i = 0; i < n; i++)
		if (c[i].old != SL_LOCK_NONE || c[i].new != SL_LOCK_NONE)
			c[k++] = c[i];
	return k;
}

static size_t list_changes(struct change **out, const struct sl_ws_lock *old,
			   const struct sl_ws_lock *new)
{
	size_t no = old ? old->n : 0, nn = new ? new->n : 0, i, n = 0;
	struct change *c = sl_xcalloc(no + nn + 1, sizeof(*c));

	for (i = 0; i < no; i++) {
		const struct sl_lock_entry *e = &old->entries[i];
		const char *key = sl_lock_s(old, e->key);
		uint32_t m =
		    new ? sl_lock_find(new, key, strlen(key)) : SL_LOCK_NONE;

		if (m != SL_LOCK_NONE && new->entries[m].hash == e->hash)
			continue;
		c[n].old = (uint32_t)i;
		c[n++].new = m;
	}
	for (i = 0; i < nn; i++) {
		const char *key = sl_lock_s(new, new->entries[i].key);

		if (old && sl_lock_find(old, key, strlen(key)) != SL_LOCK_NONE)
			continue;
		c[n].old = SL_LOCK_NONE;
		c[n++].new = (uint32_t)i;
	}
	if (old && new)
		n = pair_by_name(c, n, old, new);
	*out = c;
	return n;
}

/* Keeps HITS_PER_LANE entries per lane, in order, and says how many more. */
static void cap_hits(struct sl_ws_changes *out, size_t from)
{
	struct sl_strmap count = {0};
	size_t i, k = from;
	size_t *more = sl_xcalloc(out->nhits + 1, sizeof(size_t));

	for (i = from; i < out->nhits; i++) {
		uint64_t first = sl_strmap_put(&count, out->hits[i].lane, i);

		more[first]++;
		if (more[first] > HITS_PER_LANE) {
			free(out->hits[i].lane);
			free(out->hits[i].entry);
			continue;
		}
		out->hits[k++] = out->hits[i];
	}
	out->nhits = k;
	for (i = from; i < k; i++) {
		uint64_t first = sl_strmap_get(&count, out->hits[i].lane);
		char *text;

		if (first == UINT64_MAX || more[first] <= HITS_PER_LANE)
			continue;
		/* The last kept hit of the lane carries the count. */
		if (i + 1 < k &&
		    !strcmp(out->hits[i + 1].lane, out->hits[i].lane))
			continue;
		text = out->hits[i].entry;
		out->hits[i].entry = NULL;
		{
			struct sl_buf sb = SL_BUF_INIT;

			sl_buf_addf(&sb, "%s, and %zu more entries", text,
				    more[first] - HITS_PER_LANE);
			out->hits[i].entry = sl_buf_detach(&sb, NULL);
		}
		free(text);
	}
	sl_strmap_release(&count);
	free(more);
}

struct hit_rank {
	const char *lane;
	size_t i;
};

static int by_lane(const void *a, const void *b)
{
	const struct hit_rank *x = a, *y = b;
	int c = strcmp(x->lane, y->lane);

	if (c)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Drops the hits of hits[from..] (grouped by lane) that name an entry
 * their lane has already: one change seen from both sides. By hash: a
 * go.work of 160 modules bumping 70 modules each gives ten thousand hits
 * a lockfile, which comparing each with all before took seconds over.
 */
static void drop_repeats(struct sl_ws_changes *out, size_t from)
{
	size_t i = from, j, k = from;

	while (i < out->nhits) {
		struct sl_strmap seen = {0};
		const char *lane = out->hits[i].lane; /* kept: the first */

		for (j = i; j < out->nhits && !strcmp(out->hits[j].lane, lane);
		     j++) {
			if (sl_strmap_put(&seen, out->hits[j].entry, j) != j) {
				free(out->hits[j].lane);
				free(out->hits[j].entry);
				continue;
			}
			out->hits[k++] = out->hits[j];
		}
		sl_strmap_release(&seen);
		i = j;
	}
	out->nhits = k;
}

/* Groups hits[from..] by lane, each lane's entries in the order they came. */
static void group_hits(struct sl_ws_changes *out, size_t from)
{
	size_t n = out->nhits - from, j;
	struct hit_rank *rank = sl_xcalloc(n + 1, sizeof(*rank));
	struct sl_ws_hit *copy = sl_xcalloc(n + 1, sizeof(*copy));

	for (j = 0; j < n; j++) {
		rank[j].lane = out->hits[from + j].lane;
		rank[j].i = j;
		copy[j] = out->hits[from + j];
	}
	qsort(rank, n, sizeof(*rank), by_lane);
	for (j = 0; j < n; j++)
		out->hits[from + j] = copy[rank[j].i];
	free(rank);
	free(copy);
}

void sl_ws_lock_diff(struct sl_ws_changes *out, const struct sl_ws_lock *old,
		     const struct sl_ws_lock *new)
{
	struct attributor ao = {0}, an = {0};
	struct change *c = NULL;
	size_t n = list_changes(&c, old, new), i, from = out->nhits;

	for (i = 0; i < n; i++)
		c[i].text = describe(old, new, c[i].old, c[i].new);
	attributor_init(&ao, old);
	attributor_init(&an, new);
	attribute(out, &ao, c, n, true);
	attribute(out, &an, c, n, false);
	attributor_release(&ao);
	attributor_release(&an);
	group_hits(out, from);
	drop_repeats(out, from);
	cap_hits(out, from);
	for (i = 0; i < n; i++) {
		if (!c[i].hit || c[i].root)
			sl_strvec_push(&out->unattributed, c[i].text);
		free(c[i].text);
	}
	out->nchanged += n;
	free(c);
}

void sl_ws_lock_closure(struct sl_strvec *out, const struct sl_ws_lock *lock,
			size_t pkg)
{
	uint32_t *queue, head = 0, tail = 0;
	bool *seen;
	size_t i, k;

	if (lock->by_closure) {
		for (i = 0; i < lock->ws->pkgs[pkg].closure.n; i++)
			sl_strvec_push(out, lock->ws->pkgs[pkg].closure.v[i]);
		return;
	}
	queue = sl_xcalloc(lock->n + 1, sizeof(uint32_t));
	seen = sl_xcalloc(lock->n + 1, sizeof(bool));
	for (i = 0; i < lock->n; i++) {
		if (lock->entries[i].pkg == pkg) {
			seen[i] = true;
			queue[tail++] = (uint32_t)i;
		}
	}
	while (head < tail) {
		const struct sl_lock_entry *e = &lock->entries[queue[head++]];

		for (k = e->edges; k < (size_t)e->edges + e->nedges; k++) {
			uint32_t to = lock->edge[k];

			if (seen[to])
				continue;
			seen[to] = true;
			queue[tail++] = to;
			/* A workspace package, or lockfile metadata (pnpm's
			 * catalogs): not a package of the closure. */
			if (lock->entries[to].stop ||
			    lock->entries[to].pkg != SL_LOCK_NONE ||
			    !lock->entries[to].version)
				continue;
			sl_strvec_pushf(
			    out, "%s@%s",
			    sl_lock_s(lock, lock->entries[to].name),
			    sl_lock_s(lock, lock->entries[to].version));
		}
	}
	free(queue);
	free(seen);
}
