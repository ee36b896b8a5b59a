/*
 * codeowners_index.c: which lines of a CODEOWNERS file may match a path in
 * common, without asking every pair. The import compares lines pairwise
 * (a later line that covers an earlier one, lines of other owners that
 * need an exclusion, lane order); a file of 100,000 lines has five
 * billion pairs, but in a real one almost every line names its own
 * directory, and two lines whose leading directories differ can share
 * no path. So each line gets a key, the literal segments its glob starts
 * with ("services/billing/"), and the candidates of a line are the lines
 * whose key is a prefix of its own or has its own as a prefix, plus the
 * lines with no key (a name at any depth like "*.js", or a glob that
 * starts with a wildcard), which may meet anything. Everything else is
 * disjoint (sl_co_glob_disjoint() would say so too), so the answers of
 * the pairwise questions do not change; codeowners.c still asks them.
 */
#include "common/common.h"

#include "rules/codeowners_internal.h"

struct keyed_line {
	const char *key; /* "a/b/": each literal segment and a '/' */
	size_t len;
	size_t entry;
};

struct sl_co_index {
	struct keyed_line *sorted; /* keyed lines, by key bytes */
	size_t nsorted;
	size_t *wild; /* lines without a key, ascending */
	size_t nwild;
	size_t *pos;	    /* entry -> its place in sorted; SIZE_MAX: wild */
	struct sl_buf keys; /* every key, NUL after each */
	size_t nentries;
};

/* The line's key into keys, or false when it has none. */
static bool add_key(struct sl_buf *keys, const struct sl_co_glob *g)
{
	size_t i, start = keys->len;

	if (g->never || g->name || !g->structured)
		return false;
	for (i = 0; i < g->first_starstar && i < g->nsegs; i++) {
		if (g->segs[i].kind != SL_CO_SEG_LITERAL)
			break;
		sl_buf_add(keys, g->segs[i].s, g->segs[i].len);
		sl_buf_addch(keys, '/');
	}
	if (keys->len == start)
		return false;
	sl_buf_addch(keys, '\0');
	return true;
}

static int cmp_key(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return (alen > blen) - (alen < blen);
}

static int cmp_keyed_line(const void *a, const void *b)
{
	const struct keyed_line *x = a, *y = b;
	int c = cmp_key(x->key, x->len, y->key, y->len);

	if (c)
		return c;
	return (x->entry > y->entry) - (x->entry < y->entry);
}

struct sl_co_index *sl_co_index_new(const struct sl_co_file *f)
{
	struct sl_co_index *x = sl_xcalloc(1, sizeof(*x));
	size_t *offsets = sl_xcalloc(f->nentries + 1, sizeof(*offsets));
	size_t i, n = 0;

	x->nentries = f->nentries;
	x->sorted = sl_xcalloc(f->nentries + 1, sizeof(*x->sorted));
	x->wild = sl_xcalloc(f->nentries + 1, sizeof(*x->wild));
	x->pos = sl_xcalloc(f->nentries + 1, sizeof(*x->pos));
	x->keys = (struct sl_buf)SL_BUF_INIT;
	for (i = 0; i < f->nentries; i++) {
		offsets[i] = x->keys.len;
		x->pos[i] = SIZE_MAX;
		if (f->entries[i].dropped)
			continue;
		if (!add_key(&x->keys, &f->entries[i].glob)) {
			x->wild[x->nwild++] = i;
			continue;
		}
		x->sorted[n].entry = i;
		x->sorted[n].len = x->keys.len - offsets[i] - 1;
		n++;
	}
	/* The buffer has stopped moving: point into it now. */
	for (i = 0; i < n; i++)
		x->sorted[i].key = x->keys.buf + offsets[x->sorted[i].entry];
	x->nsorted = n;
	qsort(x->sorted, n, sizeof(*x->sorted), cmp_keyed_line);
	for (i = 0; i < n; i++)
		x->pos[x->sorted[i].entry] = i;
	free(offsets);
	return x;
}

void sl_co_index_free(struct sl_co_index *x)
{
	if (!x)
		return;
	free(x->sorted);
	free(x->wild);
	free(x->pos);
	sl_buf_release(&x->keys);
	free(x);
}

/* The first place in sorted whose key is not below key[0..len). */
static size_t lower_bound(const struct sl_co_index *x, const char *key,
			  size_t len)
{
	size_t lo = 0, hi = x->nsorted;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_key(x->sorted[mid].key, x->sorted[mid].len, key, len) <
		    0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct picks {
	size_t **out;
	size_t n, *alloc;
	size_t after;
};

static void pick(struct picks *p, size_t j)
{
	if (j <= p->after)
		return;
	SL_ALLOC_GROW(*p->out, p->n + 1, *p->alloc);
	(*p->out)[p->n++] = j;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* Lines whose key is key[0..len) exactly or starts with it. */
static void pick_under(struct picks *p, const struct sl_co_index *x,
		       const char *key, size_t len)
{
	size_t k;

	for (k = lower_bound(x, key, len); k < x->nsorted; k++) {
		if (x->sorted[k].len < len ||
		    memcmp(x->sorted[k].key, key, len))
			break;
		pick(p, x->sorted[k].entry);
	}
}

/* Lines whose key is exactly key[0..len). */
static void pick_exact(struct picks *p, const struct sl_co_index *x,
		       const char *key, size_t len)
{
	size_t k;

	for (k = lower_bound(x, key, len); k < x->nsorted; k++) {
		if (x->sorted[k].len != len ||
		    memcmp(x->sorted[k].key, key, len))
			break;
		pick(p, x->sorted[k].entry);
	}
}

size_t sl_co_index_later(size_t **out, size_t *alloc,
			 const struct sl_co_index *x, size_t i)
{
	struct picks p = {out, 0, alloc, i};
	const struct keyed_line *me;
	size_t j, k, lo, hi;

	if (x->pos[i] == SIZE_MAX) {
		/* A line without a key may meet any other. */
		for (j = i + 1; j < x->nentries; j++)
			pick(&p, j);
		return p.n;
	}
	me = &x->sorted[x->pos[i]];
	pick_under(&p, x, me->key, me->len);
	/* Each shorter key it starts with: "a/" and "a/b/" of "a/b/c/". */
	for (k = 0; k + 1 < me->len; k++)
		if (me->key[k] == '/')
			pick_exact(&p, x, me->key, k + 1);
	/* The lines without a key after i: wild is ascending. */
	lo = 0;
	hi = x->nwild;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->wild[mid] <= i)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (j = lo; j < x->nwild; j++)
		pick(&p, x->wild[j]);
	/* qsort() of nothing may still not be handed NULL. */
	if (p.n > 1)
		qsort(*out, p.n, sizeof(**out), cmp_size);
	return p.n;
}
