/*
 * rules/glob_internal.h: what the files of the glob engine share and
 * nothing else includes: the token program a gitignore pattern compiles
 * to (glob.c), what is worked out from it (glob_analyze.c: can it match at
 * all, where the index files it) and how it runs (glob_match.c).
 */
#ifndef SL_RULES_GLOB_INTERNAL_H
#define SL_RULES_GLOB_INTERNAL_H

#include "common/common.h"

#include "rules/internal.h"

/*
 * A token matches one byte (op BYTE or SET), or none (op FORK). A looping
 * token matches any number of them, none included: it has an epsilon edge
 * to the next position. skip, when nonzero, is one more epsilon edge,
 * forward. "**" + "/" compiles to a FORK that skips past a looping "any
 * byte" and a '/': wildmatch's "match nothing, or anything then a slash".
 * (The skip cannot sit on the loop itself: it would still be open after
 * the loop consumed bytes.)
 */
enum glob_op { OP_BYTE, OP_SET, OP_FORK };

struct glob_tok {
	uint8_t op;
	uint8_t loop;
	uint8_t byte;	/* OP_BYTE */
	uint32_t set;	/* OP_SET: SET_ANY, SET_NOSLASH, or 2 + index in sets */
	uint32_t skip;	/* an epsilon edge to this position; 0: none */
	uint32_t where; /* offset in the pattern, for messages */
};

/* A pattern without a '/' (but a trailing one) matches a name at any depth;
 * any other is anchored and matched against the whole path. */
enum glob_kind { GLOB_NAME, GLOB_PATH };

struct sl_glob {
	enum glob_kind kind;
	bool mustbedir; /* written with a trailing '/' */
	struct glob_tok *toks;
	uint32_t ntoks; /* position ntoks accepts */
	struct byteset *sets;
	uint32_t nsets;
	/* The leading plain bytes (every token, when literal). */
	char *lit;
	size_t nlit;
	bool literal;
	/* A name "*" followed by plain bytes only: tail is those bytes. */
	bool endswith;
	char *tail;
	size_t ntail;
	/*
	 * Programs of fewer than 64 positions also run bit-parallel: a run
	 * starts past the literal prefix, close[i - nlit] is the epsilon
	 * closure of position i >= nlit, loops the looping positions, and
	 * masks[cls[c]] the positions whose token takes byte c.
	 */
	bool small;
	uint64_t *close;
	uint64_t loops;
	uint64_t *masks;
	const uint8_t *cls; /* 256 entries */
	bool cls_owned;	    /* else a shared table (glob_match.c) */
	/* Where the index files it (sl_glob_compute_key()); keybuf owns it. */
	struct sl_index_key key;
	char *keybuf;
};

#define FREE_AND_NULL(p)                                                       \
	do {                                                                   \
		free(p);                                                       \
		(p) = NULL;                                                    \
	} while (0)

/* Set 0 is every byte but NUL; set 1 every byte but NUL and '/'. */
#define SET_ANY 0
#define SET_NOSLASH 1

static const struct byteset glob_set_any = {
    {~UINT64_C(1), ~UINT64_C(0), ~UINT64_C(0), ~UINT64_C(0)}};
static const struct byteset glob_set_noslash = {
    {~UINT64_C(1) & ~(UINT64_C(1) << '/'), ~UINT64_C(0), ~UINT64_C(0),
     ~UINT64_C(0)}};

static inline const struct byteset *tok_set(const struct sl_glob *g,
					    const struct glob_tok *t)
{
	if (t->set == SET_ANY)
		return &glob_set_any;
	if (t->set == SET_NOSLASH)
		return &glob_set_noslash;
	return &g->sets[t->set - 2];
}

/* Enough words for every position of the longest pattern. */
#define MAXW ((SL_PATTERN_MAX + 1) / 64 + 1)

/* glob_analyze.c */

/*
 * Does the program accept some path git can hold (a whole path for an
 * anchored pattern, one component for a name)?
 */
bool sl_glob_can_match(const struct sl_glob *g);
/* SL_ERULES saying why sl_glob_can_match() said no, as far as it can tell. */
int sl_glob_refuse_never(const struct sl_glob *g, const char *text,
			 struct sl_error *err);
/* Fills g->key: where the index files the pattern. */
void sl_glob_compute_key(struct sl_glob *g);

/* glob_match.c */

/* Builds the bit-parallel form of a program of fewer than 64 positions. */
void sl_glob_build_small(struct sl_glob *g);

#endif
