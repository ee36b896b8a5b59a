/*
 * glob_analyze.c: what is worked out from a glob's token program once it
 * is compiled. Whether any path git can hold matches it at all (git would
 * silently ignore a pattern that matches nothing; sluice refuses it, and
 * says why), and the key the ownership index files it under (index.c):
 * the one thing every path it matches must have.
 */
#include "common/common.h"

#include "rules/glob_internal.h"

/* ---- can it match anything at all? ---------------------------------- */

/*
 * A path git can hold: components separated by single '/', none empty,
 * none "." or "..", no NUL. Its automaton, on three classes of bytes.
 */
enum path_state { PS_START, PS_DOT, PS_DOTDOT, PS_NAME, PS_DEAD };
enum byte_class { BC_SLASH = 1, BC_DOT = 2, BC_OTHER = 4 };

static int path_step(int ps, int bc, bool slash_ok)
{
	switch (bc) {
	case BC_SLASH:
		return slash_ok && ps == PS_NAME ? PS_START : PS_DEAD;
	case BC_DOT:
		return ps == PS_START ? PS_DOT
		       : ps == PS_DOT ? PS_DOTDOT
				      : PS_NAME;
	default:
		return PS_NAME;
	}
}

static bool is_slash(const struct glob_tok *t)
{
	return t->op == OP_BYTE && t->byte == '/';
}

static inline unsigned byte_class(uint8_t c)
{
	return c == '/' ? BC_SLASH : c == '.' ? BC_DOT : c ? BC_OTHER : 0;
}

static unsigned tok_classes(const struct sl_glob *g, const struct glob_tok *t)
{
	/* Every byte but NUL, '/' and '.'. */
	static const struct byteset other = {
	    {~UINT64_C(1) & ~(UINT64_C(1) << '/') & ~(UINT64_C(1) << '.'),
	     ~UINT64_C(0), ~UINT64_C(0), ~UINT64_C(0)}};
	const struct byteset *s;
	unsigned m = 0, j;

	if (t->op == OP_FORK)
		return 0;
	if (t->op == OP_BYTE)
		return byte_class(t->byte);
	s = tok_set(g, t);
	if (bs_has(s, '/'))
		m |= BC_SLASH;
	if (bs_has(s, '.'))
		m |= BC_DOT;
	for (j = 0; j < 4; j++)
		if (s->w[j] & other.w[j])
			m |= BC_OTHER;
	return m;
}

/*
 * Does the program accept some path git can hold (a whole path for an
 * anchored pattern, one component for a name)? A search over pairs of
 * (program position, path automaton state) after the literal prefix:
 * O(pattern). Needs summarize()'s nlit.
 */
bool sl_glob_can_match(const struct sl_glob *g)
{
	size_t nstates = ((size_t)g->ntoks + 1) * 4, sp = 0;
	bool seen_small[65 * 4], *seen = seen_small;
	uint32_t stack_small[65 * 4], *stack = stack_small;
	bool slash_ok = g->kind == GLOB_PATH, found = false;
	uint32_t s, i, target;
	unsigned classes;
	int ps, bc;

	if (nstates > SL_ARRAY_SIZE(seen_small)) {
		seen = sl_xmalloc(nstates);
		stack = sl_xmalloc(sl_st_mult(nstates, sizeof(*stack)));
	}
	memset(seen, 0, nstates);
	/* The literal prefix has one way through: walk it, no search. */
	ps = PS_START;
	for (i = 0; i < g->nlit && ps != PS_DEAD; i++) {
		bc = (int)byte_class(g->toks[i].byte); /* all OP_BYTE */
		ps = bc ? path_step(ps, bc, slash_ok) : PS_DEAD;
	}
	if (ps == PS_DEAD)
		goto out;

#define PUSH(pos, st)                                                          \
	do {                                                                   \
		uint32_t s_ = (uint32_t)(pos)*4 + (uint32_t)(st);              \
		if (!seen[s_]) {                                               \
			seen[s_] = true;                                       \
			stack[sp++] = s_;                                      \
		}                                                              \
	} while (0)

	PUSH(g->nlit, ps);
	while (sp && !found) {
		s = stack[--sp];
		i = s / 4;
		ps = (int)(s % 4);
		if (i == g->ntoks) {
			found = ps == PS_NAME;
			continue;
		}
		if (g->toks[i].loop)
			PUSH(i + 1, ps);
		if (g->toks[i].skip)
			PUSH(g->toks[i].skip, ps);
		target = g->toks[i].loop ? i : i + 1;
		classes = tok_classes(g, &g->toks[i]);
		for (bc = 1; bc <= BC_OTHER; bc <<= 1) {
			int next;

			if (!(classes & (unsigned)bc))
				continue;
			next = path_step(ps, bc, slash_ok);
			if (next != PS_DEAD)
				PUSH(target, next);
		}
	}
#undef PUSH
out:
	if (seen != seen_small) {
		free(seen);
		free(stack);
	}
	return found;
}

/* Why sl_glob_can_match() said no, as far as a reason can be named. */
static void never_reason(const struct sl_glob *g, struct sl_buf *why)
{
	const struct glob_tok *t;
	uint32_t i, j;
	bool slash_before;

	for (i = 0; i < g->ntoks; i++) {
		t = &g->toks[i];
		if (t->op == OP_SET && !tok_classes(g, t)) {
			sl_buf_addf(why,
				    "the '[...]' at offset %u matches no "
				    "byte a path can hold",
				    t->where);
			return;
		}
		if (g->kind == GLOB_PATH && is_slash(t) &&
		    (i == 0 || i + 1 == g->ntoks || is_slash(t + 1))) {
			sl_buf_addf(why,
				    "the '/' at offset %u makes an empty "
				    "path component",
				    t->where);
			return;
		}
	}
	for (i = 0; i < g->ntoks; i = j + 1) {
		slash_before = i == 0 || is_slash(&g->toks[i - 1]);
		for (j = i; j < g->ntoks && g->toks[j].op == OP_BYTE &&
			    g->toks[j].byte == '.';
		     j++)
			;
		if (slash_before && j > i && j - i <= 2 &&
		    (j == g->ntoks || is_slash(&g->toks[j]))) {
			sl_buf_addf(why,
				    "the '.' or '..' at offset %u is "
				    "never a component of a path",
				    g->toks[i].where);
			return;
		}
		while (j < g->ntoks && !is_slash(&g->toks[j]))
			j++;
	}
	sl_buf_adds(why, "no path git can hold matches it");
}

int sl_glob_refuse_never(const struct sl_glob *g, const char *text,
			 struct sl_error *err)
{
	struct sl_buf why = SL_BUF_INIT;
	int ret;

	never_reason(g, &why);
	ret = sl_error_set(err, SL_ERULES,
			   "pattern '%s' can never match a path (%s), so git "
			   "would ignore it silently; fix or remove it",
			   text, why.buf);
	sl_buf_release(&why);
	return ret;
}

/* ---- the index key ---------------------------------------------------- */

static bool is_byte(const struct glob_tok *t, int c)
{
	return t->op == OP_BYTE && (c < 0 || t->byte == c);
}

/*
 * May the token stand for a '/' (or skip over one)? Such tokens join path
 * components: a "**" + "/" group, a '/'-crossing loop.
 */
static bool is_wild(const struct sl_glob *g, const struct glob_tok *t)
{
	return t->op == OP_FORK ||
	       (t->op == OP_SET && g->kind == GLOB_PATH && t->set == SET_ANY);
}

static void set_key(struct sl_glob *g, enum sl_index_key_kind kind,
		    const struct glob_tok *toks, size_t n)
{
	size_t i;

	g->key.kind = kind;
	g->keybuf = sl_xmalloc(n + 1);
	for (i = 0; i < n; i++)
		g->keybuf[i] = (char)toks[i].byte;
	g->keybuf[n] = '\0';
	g->key.key = g->keybuf;
	g->key.len = n;
}

/*
 * The key of the component toks[from..to) (no '/', nothing wild): its
 * name when all of it is plain bytes, else the extension its plain tail
 * ends with, else the byte it starts with; false when it has none.
 */
static bool component_key(struct sl_glob *g, uint32_t from, uint32_t to)
{
	uint32_t tail = to, i;

	while (tail > from && g->toks[tail - 1].op == OP_BYTE)
		tail--;
	if (tail == from && to > from) {
		set_key(g, SL_KEY_COMPONENT, g->toks + from, to - from);
		return true;
	}
	for (i = to; i > tail; i--) {
		if (g->toks[i - 1].byte == '.') {
			set_key(g, SL_KEY_EXTENSION, g->toks + i, to - i);
			return true;
		}
	}
	if (to > from && g->toks[from].op == OP_BYTE) {
		set_key(g, SL_KEY_FIRST_BYTE, g->toks + from, 1);
		return true;
	}
	return false;
}

/*
 * Where the index files the pattern: the key every path it matches has.
 * A match of an anchored pattern starts at the path's start, and each of
 * its components that the pattern spells between two '/' (or the start or
 * end) is a whole component of the path, so for an anchored pattern:
 * its literal leading directories, else its longest literal component,
 * else its last component's extension, else its first byte.
 */
void sl_glob_compute_key(struct sl_glob *g)
{
	uint32_t start = 0, i, best_from = 0, best_len = 0, last_from = 0;
	bool wild = false, last_wild = false;
	const char *slash;

	g->key.kind = SL_KEY_ALWAYS;
	if (g->kind == GLOB_NAME) {
		component_key(g, 0, g->ntoks);
		return;
	}
	slash = g->literal ? g->lit + g->nlit : memrchr(g->lit, '/', g->nlit);
	if (slash) {
		g->key.kind = SL_KEY_LEADING;
		g->key.key = g->lit;
		g->key.len = (size_t)(slash - g->lit);
		return;
	}
	for (i = 0; i <= g->ntoks; i++) {
		if (i < g->ntoks && !is_byte(&g->toks[i], '/')) {
			wild = wild || is_wild(g, &g->toks[i]) ||
			       g->toks[i].op != OP_BYTE;
			last_wild = last_wild || is_wild(g, &g->toks[i]);
			continue;
		}
		if (!wild && i - start > best_len) {
			best_from = start;
			best_len = i - start;
		}
		if (i < g->ntoks) {
			start = i + 1;
			last_from = start;
			wild = false;
			last_wild = false;
		}
	}
	if (best_len) {
		set_key(g, SL_KEY_COMPONENT, g->toks + best_from, best_len);
		return;
	}
	if (!last_wild && component_key(g, last_from, g->ntoks) &&
	    g->key.kind == SL_KEY_EXTENSION)
		return;
	free(g->keybuf);
	g->keybuf = NULL;
	g->key.kind = SL_KEY_ALWAYS;
	if (g->nlit)
		set_key(g, SL_KEY_FIRST_BYTE, g->toks, 1);
}

void sl_glob_index_key(const struct sl_glob *glob, struct sl_index_key *out)
{
	*out = glob->key;
}
