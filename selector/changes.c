/*
 * changes.c: the change list every source of changes fills (a commit
 * range, the working copy, a --paths-from list): adding, sorting and
 * merging changes, and the set of names selection matches. It knows
 * nothing of git; the diffs that fill it are in treediff.c and worktree.c.
 */
#include "common/common.h"

#include "selector/internal.h"

static const struct {
	const char *name;
	char letter;
} status_names[] = {
    [SL_CHANGE_ADDED] = {"added", 'A'},
    [SL_CHANGE_DELETED] = {"deleted", 'D'},
    [SL_CHANGE_MODIFIED] = {"modified", 'M'},
    [SL_CHANGE_TYPECHANGE] = {"typechange", 'T'},
    [SL_CHANGE_RENAMED] = {"renamed", 'R'},
};

const char *sl_change_status_name(enum sl_change_status status)
{
	return status_names[status].name;
}

char sl_change_status_letter(enum sl_change_status status)
{
	return status_names[status].letter;
}

struct sl_change *sl_change_list_push(struct sl_change_list *list,
				      enum sl_change_status status,
				      const char *path, size_t len)
{
	struct sl_change *c;

	SL_ALLOC_GROW(list->items, list->n + 1, list->alloc);
	c = &list->items[list->n++];
	memset(c, 0, sizeof(*c));
	c->status = status;
	c->path = sl_xmemdupz(path, len);
	c->len = len;
	return c;
}

void sl_change_release(struct sl_change *change)
{
	free(change->path);
	free(change->old_path);
	change->path = NULL;
	change->old_path = NULL;
}

void sl_change_list_release(struct sl_change_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		sl_change_release(&list->items[i]);
	free(list->items);
	list->items = NULL;
	list->n = 0;
	list->alloc = 0;
}

int sl_path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int cmp = memcmp(a, b, alen < blen ? alen : blen);

	if (cmp)
		return cmp;
	return alen < blen ? -1 : alen > blen;
}

static int change_cmp(const void *a, const void *b)
{
	const struct sl_change *x = a, *y = b;

	return sl_path_cmp(x->path, x->len, y->path, y->len);
}

static bool is_sorted(const void *base, size_t n, size_t size,
		      int (*cmp)(const void *, const void *))
{
	const char *p = base;
	size_t i;

	for (i = 1; i < n; i++)
		if (cmp(p + (i - 1) * size, p + i * size) > 0)
			return false;
	return true;
}

void sl_change_list_sort(struct sl_change_list *list)
{
	/* A tree walk lists paths in order already: check before sorting. */
	if (!is_sorted(list->items, list->n, sizeof(*list->items), change_cmp))
		qsort(list->items, list->n, sizeof(*list->items), change_cmp);
}

void sl_change_list_sort_unique(struct sl_change_list *list)
{
	size_t i, kept = 0;

	sl_change_list_sort(list);
	for (i = 0; i < list->n; i++) {
		struct sl_change *c = &list->items[i];
		struct sl_change *last = kept ? &list->items[kept - 1] : NULL;

		if (!last || change_cmp(last, c)) {
			list->items[kept++] = *c;
			continue;
		}
		/* The same path twice: keep what says where it is now. */
		if (last->status == SL_CHANGE_DELETED &&
		    c->status != SL_CHANGE_DELETED) {
			sl_change_release(last);
			*last = *c;
		} else {
			sl_change_release(c);
		}
	}
	list->n = kept;
}

/*
 * The status of a path changed first by `first` and then by `later`. Both
 * names stay listed whatever happens: a path added and then deleted again
 * was still touched, so it is reported (as deleted) rather than dropped.
 */
static enum sl_change_status combine(enum sl_change_status first,
				     enum sl_change_status later)
{
	/* Either rename keeps an old name listed (merge_one() keeps it). */
	if (first == SL_CHANGE_RENAMED || later == SL_CHANGE_RENAMED)
		return SL_CHANGE_RENAMED;
	if (first == SL_CHANGE_ADDED && later != SL_CHANGE_DELETED)
		return SL_CHANGE_ADDED;
	if (first == SL_CHANGE_DELETED && later == SL_CHANGE_ADDED)
		return SL_CHANGE_MODIFIED; /* it exists again */
	return later;
}

/*
 * Folds later into into, the same path. A rename's old name is a path it
 * touched: when later is a rename, its old name becomes into's, or, when
 * into has one of its own already (renamed twice onto the same path), is
 * appended to gone as a deletion, so that no name is lost.
 */
static void merge_one(struct sl_change *into, struct sl_change *later,
		      struct sl_change_list *gone)
{
	into->status = combine(into->status, later->status);
	into->new_mode = later->new_mode;
	memcpy(into->new_id, later->new_id, sizeof(into->new_id));
	into->submodule = into->submodule || later->submodule;
	if (later->old_path && !into->old_path) {
		into->old_path = later->old_path;
		into->old_len = later->old_len;
		into->old_mode = later->old_mode;
		memcpy(into->old_id, later->old_id, sizeof(into->old_id));
		into->similarity = later->similarity;
		later->old_path = NULL;
	} else if (later->old_path &&
		   sl_path_cmp(into->old_path, into->old_len, later->old_path,
			       later->old_len)) {
		struct sl_change *c = sl_change_list_push(
		    gone, SL_CHANGE_DELETED, later->old_path, later->old_len);

		c->old_mode = later->old_mode;
		memcpy(c->old_id, later->old_id, sizeof(c->old_id));
	}
	if (into->status != SL_CHANGE_RENAMED)
		into->similarity = 0;
	sl_change_release(later);
}

void sl_change_list_merge(struct sl_change_list *into,
			  struct sl_change_list *later)
{
	struct sl_change_list out = SL_CHANGE_LIST_INIT;
	struct sl_change_list gone = SL_CHANGE_LIST_INIT;
	size_t i = 0, j = 0;

	SL_ALLOC_GROW(out.items, into->n + later->n, out.alloc);
	while (i < into->n || j < later->n) {
		int cmp;

		if (i == into->n)
			cmp = 1;
		else if (j == later->n)
			cmp = -1;
		else
			cmp = change_cmp(&into->items[i], &later->items[j]);
		if (cmp < 0) {
			out.items[out.n++] = into->items[i++];
		} else if (cmp > 0) {
			out.items[out.n++] = later->items[j++];
		} else {
			merge_one(&into->items[i], &later->items[j++], &gone);
			out.items[out.n++] = into->items[i++];
		}
	}
	free(into->items);
	free(later->items);
	*into = out;
	later->items = NULL;
	later->n = 0;
	later->alloc = 0;
	if (gone.n) {
		/* Rare: old names of renames that could not stay on theirs. */
		for (i = 0; i < gone.n; i++) {
			SL_ALLOC_GROW(into->items, into->n + 1, into->alloc);
			into->items[into->n++] = gone.items[i];
		}
		sl_change_list_sort_unique(into);
	}
	free(gone.items);
}

static int name_cmp(const void *a, const void *b)
{
	const struct sl_change_name *x = a, *y = b;

	return sl_path_cmp(x->path, x->len, y->path, y->len);
}

/* Equal names: the change listed under its own path first, so it is kept. */
static int name_order(const void *a, const void *b)
{
	const struct sl_change_name *x = a, *y = b;
	int cmp = name_cmp(a, b);

	return cmp ? cmp : (int)x->is_old_name - (int)y->is_old_name;
}

size_t sl_change_list_names(struct sl_change_name **out,
			    const struct sl_change_list *list)
{
	struct sl_change_name *names;
	size_t i, n = 0, kept = 0;

	names =
	    sl_xcalloc(sl_st_add(sl_st_mult(list->n, 2), 1), sizeof(*names));
	for (i = 0; i < list->n; i++) {
		const struct sl_change *c = &list->items[i];

		names[n++] = (struct sl_change_name){c->path, c->len, c, false};
		if (c->old_path)
			names[n++] = (struct sl_change_name){
			    c->old_path, c->old_len, c, true};
	}
	if (!is_sorted(names, n, sizeof(*names), name_order))
		qsort(names, n, sizeof(*names), name_order);
	for (i = 0; i < n; i++)
		if (!kept || name_cmp(&names[kept - 1], &names[i]))
			names[kept++] = names[i];
	*out = names;
	return kept;
}
