/*
 * index.c: ownership, "which rule decides this path?" (SPEC.md §1: the
 * last ownership pattern, in file order, that matches). The reference
 * answer tests every rule, last to first. The index answers the same
 * without looking at rules that cannot match: each rule is filed under
 * the one key a path must have for it to match (pattern.c/glob.c say
 * which), and a path collects only the rules filed under its own keys:
 *
 *   leading directories  a trie over the literal leading components of
 *                        anchored patterns: services/billing/, src/x*.c
 *   component            any component equal to a literal name: Makefile,
 *                        node_modules/, and docs after a leading "**" + "/"
 *   extension            any component's extension: *.proto, *_test.go
 *   first byte           any component's first byte: test_*
 *   always               what has no key: re:..., a leading * or ?
 *
 * Each key's rules are kept in file order, so the candidate lists are
 * merged from the highest rule down and the first match ends the search.
 * A path's cost grows with its depth and the rules that share its keys,
 * not with the size of the rules file.
 */
#include "common/common.h"

#include "rules/internal.h"

/* Hash-table tags: a trie node's children use TAG_CHILD + its list id. */
enum index_tag { TAG_COMPONENT, TAG_EXTENSION, TAG_ROOT, TAG_CHILD };

#define NO_LIST UINT32_MAX

struct id_list {
	uint32_t *v; /* rule indices, ascending */
	size_t n;
	size_t alloc;
};

struct entry {
	uint64_t hash;
	size_t key; /* offset in pool */
	size_t len;
	uint32_t tag;
	uint32_t list;
};

struct sl_owner_index {
	size_t nrules;
	struct entry *entries;
	size_t nentries;
	size_t alloc_entries;
	uint32_t *slots; /* entry index + 1; 0 is empty */
	size_t nslots;	 /* a power of two */
	struct sl_buf pool;
	struct id_list *lists;
	size_t nlists;
	size_t alloc_lists;
	uint32_t first_byte[256];
	uint32_t always;
};

/* ---- hashing -------------------------------------------------------- */

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static uint64_t hash_tag(uint64_t h, uint32_t tag)
{
	h ^= (uint64_t)tag * UINT64_C(0x9e3779b97f4a7c15);
	h ^= h >> 31;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	return h ^ (h >> 29);
}

static uint32_t find(const struct sl_owner_index *ix, uint32_t tag,
		     uint64_t base, const char *key, size_t len)
{
	uint64_t h = hash_tag(base, tag);
	size_t mask, at;
	const struct entry *e;

	if (!ix->nslots)
		return NO_LIST;
	mask = ix->nslots - 1;
	at = (size_t)h & mask;
	for (; ix->slots[at]; at = (at + 1) & mask) {
		e = &ix->entries[ix->slots[at] - 1];
		if (e->hash == h && e->tag == tag && e->len == len &&
		    !memcmp(ix->pool.buf + e->key, key, len))
			return e->list;
	}
	return NO_LIST;
}

static void rehash(struct sl_owner_index *ix)
{
	size_t i, at, mask;

	ix->nslots = ix->nslots ? 2 * ix->nslots : 64;
	free(ix->slots);
	ix->slots = sl_xcalloc(ix->nslots, sizeof(*ix->slots));
	mask = ix->nslots - 1;
	for (i = 0; i < ix->nentries; i++) {
		for (at = (size_t)ix->entries[i].hash & mask; ix->slots[at];
		     at = (at + 1) & mask)
			;
		ix->slots[at] = (uint32_t)(i + 1);
	}
}

static uint32_t new_list(struct sl_owner_index *ix)
{
	SL_ALLOC_GROW(ix->lists, ix->nlists + 1, ix->alloc_lists);
	memset(&ix->lists[ix->nlists], 0, sizeof(ix->lists[0]));
	return (uint32_t)ix->nlists++;
}

static uint32_t find_or_add(struct sl_owner_index *ix, uint32_t tag,
			    const char *key, size_t len)
{
	uint64_t base = hash_bytes(key, len);
	uint32_t list = find(ix, tag, base, key, len);
	struct entry *e;

	if (list != NO_LIST)
		return list;
	if (2 * (ix->nentries + 1) > ix->nslots)
		rehash(ix);
	SL_ALLOC_GROW(ix->entries, ix->nentries + 1, ix->alloc_entries);
	e = &ix->entries[ix->nentries++];
	e->hash = hash_tag(base, tag);
	e->tag = tag;
	e->key = ix->pool.len;
	e->len = len;
	e->list = new_list(ix);
	sl_buf_add(&ix->pool, key, len);
	{
		size_t mask = ix->nslots - 1, at = (size_t)e->hash & mask;

		while (ix->slots[at])
			at = (at + 1) & mask;
		ix->slots[at] = (uint32_t)ix->nentries;
	}
	return e->list;
}

/* ---- building ---------------------------------------------------------- */

static void list_push(struct sl_owner_index *ix, uint32_t list, size_t rule)
{
	struct id_list *l = &ix->lists[list];

	SL_ALLOC_GROW(l->v, l->n + 1, l->alloc);
	l->v[l->n++] = (uint32_t)rule;
}

/* The trie node for the '/'-separated components of key. */
static uint32_t leading_node(struct sl_owner_index *ix, const char *key,
			     size_t len)
{
	uint32_t tag = TAG_ROOT, node = NO_LIST;
	size_t start = 0, end;
	const char *slash;

	for (;;) {
		slash = memchr(key + start, '/', len - start);
		end = slash ? (size_t)(slash - key) : len;
		node = find_or_add(ix, tag, key + start, end - start);
		tag = TAG_CHILD + node;
		if (!slash)
			return node;
		start = end + 1;
	}
}

void sl_owner_index_build(struct sl_owner_index **out,
			  const struct sl_rule_list *rules)
{
	struct sl_owner_index *ix = sl_xcalloc(1, sizeof(*ix));
	struct sl_index_key key;
	uint32_t list = NO_LIST;
	size_t i;

	sl_buf_init(&ix->pool, 0);
	ix->nrules = rules->n;
	for (i = 0; i < 256; i++)
		ix->first_byte[i] = NO_LIST;
	ix->always = new_list(ix);
	for (i = 0; i < rules->n; i++) {
		sl_pattern_index_key(rules->items[i].pattern, &key);
		switch (key.kind) {
		case SL_KEY_ALWAYS:
			list = ix->always;
			break;
		case SL_KEY_LEADING:
			list = leading_node(ix, key.key, key.len);
			break;
		case SL_KEY_COMPONENT:
			list = find_or_add(ix, TAG_COMPONENT, key.key, key.len);
			break;
		case SL_KEY_EXTENSION:
			list = find_or_add(ix, TAG_EXTENSION, key.key, key.len);
			break;
		case SL_KEY_FIRST_BYTE:
			list = ix->first_byte[(unsigned char)key.key[0]];
			if (list == NO_LIST) {
				list = new_list(ix);
				ix->first_byte[(unsigned char)key.key[0]] =
				    list;
			}
			break;
		}
		list_push(ix, list, i);
	}
	*out = ix;
}

void sl_owner_index_free(struct sl_owner_index *index)
{
	size_t i;

	if (!index)
		return;
	for (i = 0; i < index->nlists; i++)
		free(index->lists[i].v);
	free(index->lists);
	free(index->entries);
	free(index->slots);
	sl_buf_release(&index->pool);
	free(index);
}

/* ---- looking a path up ----------------------------------------------- */

/* The candidate lists of one path; the rest of each list is v[0..n). */
struct cursor {
	const uint32_t *v;
	size_t n;
	uint32_t list;
};

struct candidates {
	struct cursor small[48];
	struct cursor *c;
	size_t n;
	size_t alloc;
};

static void add_list(struct candidates *cs, const struct sl_owner_index *ix,
		     uint32_t list)
{
	size_t i;

	if (list == NO_LIST || !ix->lists[list].n)
		return;
	for (i = 0; i < cs->n; i++)
		if (cs->c[i].list == list)
			return;
	if (cs->n == cs->alloc) {
		struct cursor *bigger =
		    sl_xmalloc(sl_st_mult(2 * cs->alloc, sizeof(*bigger)));

		memcpy(bigger, cs->c, cs->n * sizeof(*bigger));
		if (cs->c != cs->small)
			free(cs->c);
		cs->c = bigger;
		cs->alloc *= 2;
	}
	cs->c[cs->n].v = ix->lists[list].v;
	cs->c[cs->n].n = ix->lists[list].n;
	cs->c[cs->n].list = list;
	cs->n++;
}

/* Every list filed under one of the path's keys. */
static void collect(struct candidates *cs, const struct sl_owner_index *ix,
		    const char *path, size_t len)
{
	uint32_t tag = TAG_ROOT, node;
	size_t start = 0, end, n;
	const char *slash, *name, *dot;
	bool on_trie = true;
	uint64_t h;

	for (;;) {
		slash = memchr(path + start, '/', len - start);
		end = slash ? (size_t)(slash - path) : len;
		name = path + start;
		n = end - start;
		h = hash_bytes(name, n);
		if (on_trie) {
			node = find(ix, tag, h, name, n);
			add_list(cs, ix, node);
			on_trie = node != NO_LIST;
			tag = TAG_CHILD + node;
		}
		add_list(cs, ix, find(ix, TAG_COMPONENT, h, name, n));
		dot = n ? memrchr(name, '.', n) : NULL;
		if (dot) {
			size_t elen = n - (size_t)(dot - name) - 1;

			add_list(cs, ix,
				 find(ix, TAG_EXTENSION,
				      hash_bytes(dot + 1, elen), dot + 1,
				      elen));
		}
		if (n)
			add_list(cs, ix,
				 ix->first_byte[(unsigned char)name[0]]);
		if (!slash)
			break;
		start = end + 1;
	}
	add_list(cs, ix, ix->always);
}

/* Takes the highest rule index left in any list; false when none is. */
static bool next_candidate(struct candidates *cs, size_t *out)
{
	size_t i, best = SIZE_MAX;
	uint32_t top = 0;

	for (i = 0; i < cs->n; i++)
		if (cs->c[i].n &&
		    (best == SIZE_MAX || cs->c[i].v[cs->c[i].n - 1] > top)) {
			best = i;
			top = cs->c[i].v[cs->c[i].n - 1];
		}
	if (best == SIZE_MAX)
		return false;
	cs->c[best].n--;
	*out = top;
	return true;
}

int sl_rules_owner(const struct sl_rule **out, const struct sl_rules *rules,
		   const char *path, size_t len, unsigned flags,
		   struct sl_error *err)
{
	const struct sl_owner_index *ix = rules->index;
	struct candidates cs;
	size_t rule;
	int ret = 0;

	*out = NULL;
	/* Rules put together without a loader have no index. */
	if (!ix || ix->nrules != rules->rules.n)
		return sl_rules_owner_scan(out, rules, path, len, flags, err);
	cs.c = cs.small;
	cs.n = 0;
	cs.alloc = SL_ARRAY_SIZE(cs.small);
	collect(&cs, ix, path, len);
	while (next_candidate(&cs, &rule)) {
		ret = sl_pattern_match(rules->rules.items[rule].pattern, path,
				       len, flags, err);
		if (ret < 0)
			goto out;
		if (ret) {
			*out = &rules->rules.items[rule];
			ret = 0;
			goto out;
		}
	}
out:
	if (cs.c != cs.small)
		free(cs.c);
	return ret;
}

int sl_rules_owner_scan(const struct sl_rule **out,
			const struct sl_rules *rules, const char *path,
			size_t len, unsigned flags, struct sl_error *err)
{
	size_t i;
	int ret;

	*out = NULL;
	for (i = rules->rules.n; i-- > 0;) {
		ret = sl_pattern_match(rules->rules.items[i].pattern, path, len,
				       flags, err);
		if (ret < 0)
			return ret;
		if (ret) {
			*out = &rules->rules.items[i];
			return 0;
		}
	}
	return 0;
}
