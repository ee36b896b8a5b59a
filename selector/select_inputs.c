/*
 * select_inputs.c: the gates' and the lanes' `inputs` (docs/rules.md) held
 * against the touched names of one selection, for select.c. Each distinct
 * pattern (by its text: gate templates give many gates the same ones, and
 * a lane may name what a gate does) is matched
 * once against every name, so the cost is the distinct patterns times the
 * names, however many gates and lanes share them. Which gate or lane that
 * selects, and the reasons it gets, are select.c's.
 */
#include "common/common.h"

#include "selector/internal.h"

struct input_ref {
	const char *text;
	size_t at; /* into in->id */
	const struct sl_rule *rule;
};

static int cmp_input_ref(const void *a, const void *b)
{
	const struct input_ref *x = a, *y = b;
	int c = strcmp(x->text, y->text);

	if (c)
		return c;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* The inputs of holder o: gate o, then lane o - ngates. */
static const struct sl_rule_list *inputs_of(const struct sl_rules *r, size_t o)
{
	return o < r->ngates ? &r->gates[o].inputs
			     : &r->lanes[o - r->ngates].inputs;
}

/* Numbers the distinct patterns of every gate's and lane's inputs (by
 * text); returns how many inputs there are in all. */
static size_t number(struct sl_select_inputs *in, const struct sl_rules *r)
{
	size_t o, k, n = 0, d = 0, nholders = r->ngates + r->nlanes;
	const struct sl_rule_list *list;
	struct input_ref *refs;

	for (o = 0; o < nholders; o++)
		n += inputs_of(r, o)->n;
	if (!n)
		return 0;
	in->ngates = r->ngates;
	in->first = sl_xcalloc(nholders + 1, sizeof(*in->first));
	in->id = sl_xcalloc(n, sizeof(*in->id));
	refs = sl_xcalloc(n, sizeof(*refs));
	n = 0;
	for (o = 0; o < nholders; o++) {
		in->first[o] = n;
		list = inputs_of(r, o);
		for (k = 0; k < list->n; k++, n++)
			refs[n] = (struct input_ref){list->items[k].text, n,
						     &list->items[k]};
	}
	in->first[nholders] = n;
	qsort(refs, n, sizeof(*refs), cmp_input_ref);
	in->pattern = sl_xcalloc(n, sizeof(*in->pattern));
	for (k = 0; k < n; k++) {
		if (k && strcmp(refs[k].text, refs[k - 1].text))
			d++;
		if (!k || strcmp(refs[k].text, refs[k - 1].text))
			in->pattern[d] = refs[k].rule;
		in->id[refs[k].at] = d;
	}
	free(refs);
	in->ndistinct = d + 1;
	return n;
}

int sl_select_inputs_build(struct sl_select_inputs *in,
			   const struct sl_rules *rules,
			   const struct sl_touched *touched, size_t ntouched,
			   struct sl_error *err)
{
	size_t d, i, n = 0, alloc = 0;
	int ret;

	memset(in, 0, sizeof(*in));
	if (!number(in, rules))
		return 0;
	in->start = sl_xcalloc(in->ndistinct + 1, sizeof(*in->start));
	in->covered = sl_xcalloc(ntouched + 1, sizeof(*in->covered));
	for (d = 0; d < in->ndistinct; d++) {
		in->start[d] = n;
		for (i = 0; i < ntouched; i++) {
			ret = sl_pattern_match(in->pattern[d]->pattern,
					       touched[i].path, touched[i].len,
					       touched[i].flags, err);
			if (ret < 0)
				return ret;
			if (!ret)
				continue;
			SL_ALLOC_GROW(in->hits, n + 1, alloc);
			in->hits[n++] = i;
			in->covered[i] = true;
		}
	}
	in->start[in->ndistinct] = n;
	return 0;
}

const size_t *sl_select_inputs_hits(size_t *n,
				    const struct sl_select_inputs *in,
				    size_t gate, size_t k)
{
	size_t d;

	*n = 0;
	if (!in->first)
		return NULL;
	d = in->id[in->first[gate] + k];
	*n = in->start[d + 1] - in->start[d];
	return in->hits + in->start[d];
}

const size_t *sl_select_inputs_lane_hits(size_t *n,
					 const struct sl_select_inputs *in,
					 size_t lane, size_t k)
{
	return sl_select_inputs_hits(n, in, in->ngates + lane, k);
}

bool sl_select_inputs_cover(const struct sl_select_inputs *in, size_t i)
{
	return in->covered && in->covered[i];
}

void sl_select_inputs_release(struct sl_select_inputs *in)
{
	free(in->first);
	free(in->id);
	free(in->pattern);
	free(in->start);
	free(in->hits);
	free(in->covered);
	memset(in, 0, sizeof(*in));
}
