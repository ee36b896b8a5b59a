/*
 * glob.c: gitignore patterns with exactly git's meaning (SPEC.md §1): a
 * pattern P matches a path X when `git check-ignore --no-index` with P as
 * its only pattern says X is ignored. It owns parsing a pattern the way
 * git's dir.c does (trailing spaces, '/' anchoring, the trailing '/', the
 * literal prefix that match_pathname() compares before calling wildmatch)
 * and wildmatch.c does (classes, escapes, when '**' is special), compiling
 * it to a small token program, and running that program as an NFA over a
 * bit set of positions, so that a match costs at most O(path x pattern)
 * whatever the input (git's own matcher backtracks). It also refuses
 * patterns git would silently never match. The index (index.c) and
 * regular expressions (regex.c) live elsewhere.
 */
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

struct byteset {
	uint64_t w[4];
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
	 * Programs of fewer than 64 positions also run bit-parallel: close[i]
	 * is the epsilon closure of position i, loops the looping positions,
	 * and masks[cls[c]] the positions whose token takes byte c.
	 */
	bool small;
	uint64_t *close;
	uint64_t loops;
	uint64_t *masks;
	uint8_t cls[256];
	/* Where the index files it (compute_key()); keybuf owns the bytes. */
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

static const struct byteset set_any = {
    {~UINT64_C(1), ~UINT64_C(0), ~UINT64_C(0), ~UINT64_C(0)}};
static const struct byteset set_noslash = {
    {~UINT64_C(1) & ~(UINT64_C(1) << '/'), ~UINT64_C(0), ~UINT64_C(0),
     ~UINT64_C(0)}};

static const struct byteset *tok_set(const struct sl_glob *g,
				     const struct glob_tok *t)
{
	if (t->set == SET_ANY)
		return &set_any;
	if (t->set == SET_NOSLASH)
		return &set_noslash;
	return &g->sets[t->set - 2];
}

/* Enough words for every position of the longest pattern. */
#define MAXW ((SL_PATTERN_MAX + 1) / 64 + 1)

static inline void bs_add(struct byteset *s, unsigned c)
{
	s->w[c >> 6] |= UINT64_C(1) << (c & 63);
}

static inline void bs_del(struct byteset *s, unsigned c)
{
	s->w[c >> 6] &= ~(UINT64_C(1) << (c & 63));
}

static inline bool bs_has(const struct byteset *s, unsigned c)
{
	return s->w[c >> 6] >> (c & 63) & 1;
}

/* ---- building the token program ------------------------------------- */

struct builder {
	struct sl_glob *g;
	size_t alloc_toks;
	size_t alloc_sets;
	const char *text; /* the pattern as written, for messages */
	size_t base;	  /* offset in text of what parse_tokens() sees */
};

static uint32_t add_set(struct builder *b, const struct byteset *set)
{
	SL_ALLOC_GROW(b->g->sets, b->g->nsets + 1, b->alloc_sets);
	b->g->sets[b->g->nsets] = *set;
	return 2 + b->g->nsets++;
}

static struct glob_tok *add_tok(struct builder *b, enum glob_op op,
				size_t where)
{
	struct glob_tok *t;

	SL_ALLOC_GROW(b->g->toks, b->g->ntoks + 1, b->alloc_toks);
	t = &b->g->toks[b->g->ntoks++];
	memset(t, 0, sizeof(*t));
	t->op = op;
	t->where = (uint32_t)(where + b->base);
	return t;
}

static void add_byte(struct builder *b, unsigned char c, size_t where)
{
	add_tok(b, OP_BYTE, where)->byte = c;
}

static void add_loop(struct builder *b, uint32_t set, size_t where)
{
	struct glob_tok *t = add_tok(b, OP_SET, where);

	t->set = set;
	t->loop = 1;
}

/*
 * The POSIX classes as git's wildmatch tests them: git's own ctype
 * (ASCII only; isspace is tab, LF, CR and space, without VT and FF).
 */
static bool in_named_class(const char *name, size_t len, unsigned c)
{
#define IS(s) (len == sizeof(s) - 1 && !memcmp(name, s, len))
	bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
	bool digit = c >= '0' && c <= '9';
	bool punct = (c >= 33 && c <= 47) || (c >= 58 && c <= 64) ||
		     (c >= 91 && c <= 96) || (c >= 123 && c <= 126);

	if (IS("alnum"))
		return upper || lower || digit;
	if (IS("alpha"))
		return upper || lower;
	if (IS("blank"))
		return c == ' ' || c == '\t';
	if (IS("cntrl"))
		return c < 32 || c == 127;
	if (IS("digit"))
		return digit;
	if (IS("graph"))
		return c >= 33 && c <= 126;
	if (IS("lower"))
		return lower;
	if (IS("print"))
		return c >= 32 && c <= 126;
	if (IS("punct"))
		return punct;
	if (IS("space"))
		return c == ' ' || c == '\t' || c == '\n' || c == '\r';
	if (IS("upper"))
		return upper;
	if (IS("xdigit"))
		return digit || (c >= 'a' && c <= 'f') ||
		       (c >= 'A' && c <= 'F');
	return false;
#undef IS
}

static bool named_class_known(const char *name, size_t len)
{
	static const char *const names[] = {
	    "alnum", "alpha", "blank", "cntrl", "digit", "graph",
	    "lower", "print", "punct", "space", "upper", "xdigit",
	};
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == len && !memcmp(names[i], name, len))
			return true;
	return false;
}

static int unterminated_class(struct builder *b, size_t at,
			      struct sl_error *err)
{
	return sl_error_set(err, SL_ERULES,
			    "pattern '%s' has an unterminated '[' at offset "
			    "%zu; write '\\[' for a literal '['",
			    b->text, at + b->base);
}

/*
 * Parses the class that starts at p[*pos] == '[' exactly as wildmatch's
 * do-while loop does (a ']' right after '[' or '[!' is a member; '-'
 * makes a range only between two members; "[:name:]" only when it closes
 * with ":]"), into set. Leaves *pos after the closing ']'.
 */
static int parse_class(struct builder *b, struct byteset *set,
		       const unsigned char *p, size_t n, size_t *pos,
		       struct sl_error *err)
{
	size_t at = *pos, k = at + 1;
	unsigned c, prev = 0, x;
	bool negated = false;

	memset(set, 0, sizeof(*set));
	if (k < n && (p[k] == '!' || p[k] == '^')) {
		negated = true;
		k++;
	}
	for (;;) {
		if (k >= n)
			return unterminated_class(b, at, err);
		c = p[k];
		if (c == '\\') {
			if (++k >= n)
				return unterminated_class(b, at, err);
			c = p[k];
			bs_add(set, c);
		} else if (c == '-' && prev && k + 1 < n && p[k + 1] != ']') {
			c = p[++k];
			if (c == '\\') {
				if (++k >= n)
					return unterminated_class(b, at, err);
				c = p[k];
			}
			for (x = prev; x <= c; x++)
				bs_add(set, x);
			c = 0;
		} else if (c == '[' && k + 1 < n && p[k + 1] == ':') {
			size_t s = k + 2, q = s;

			while (q < n && p[q] != ']')
				q++;
			if (q >= n)
				return unterminated_class(b, at, err);
			if (q == s || p[q - 1] != ':') {
				/* Not a class name: a plain '['. */
				bs_add(set, '[');
				c = '[';
			} else {
				const char *name = (const char *)p + s;
				size_t len = q - s - 1;

				if (!named_class_known(name, len))
					return sl_error_set(
					    err, SL_ERULES,
					    "pattern '%s' names an unknown "
					    "character class '[:%.*s:]'; the "
					    "classes are alnum, alpha, blank, "
					    "cntrl, digit, graph, lower, "
					    "print, punct, space, upper and "
					    "xdigit",
					    b->text, (int)len, name);
				for (x = 1; x < 256; x++)
					if (in_named_class(name, len, x))
						bs_add(set, x);
				c = 0;
				k = q;
			}
		} else {
			bs_add(set, c);
		}
		prev = c;
		if (++k >= n)
			return unterminated_class(b, at, err);
		if (p[k] == ']')
			break;
	}
	if (negated)
		for (x = 0; x < 4; x++)
			set->w[x] = ~set->w[x];
	bs_del(set, 0);
	*pos = k + 1;
	return 0;
}

/* Is "**" at p[i..j) a whole segment, as wildmatch decides it? */
static bool whole_segment(const unsigned char *p, size_t n, size_t i, size_t j,
			  size_t start)
{
	if (j - i < 2 || (i != start && p[i - 1] != '/'))
		return false;
	return j == n || p[j] == '/' ||
	       (p[j] == '\\' && j + 1 < n && p[j + 1] == '/');
}

/*
 * Compiles p[0..n) as wildmatch would match it, with WM_PATHNAME when
 * pathname. start is where the string wildmatch sees begins: git compares
 * a path pattern's literal prefix itself and hands wildmatch the rest, so
 * a "**" right after that prefix counts as leading (git's "foo**" + "/bar"
 * matches "foobar").
 */
static int parse_tokens(struct builder *b, const unsigned char *p, size_t n,
			size_t start, bool pathname, struct sl_error *err)
{
	size_t i = 0, j;
	struct byteset set;
	struct glob_tok *t;

	while (i < n) {
		switch (p[i]) {
		case '\\':
			if (i + 1 >= n)
				return sl_error_set(
				    err, SL_ERULES,
				    "pattern '%s' ends with a lone '\\', which "
				    "never matches; write '\\\\' for a literal "
				    "backslash",
				    b->text);
			add_byte(b, p[i + 1], i);
			i += 2;
			break;
		case '?':
			add_tok(b, OP_SET, i)->set =
			    pathname ? SET_NOSLASH : SET_ANY;
			i++;
			break;
		case '*':
			for (j = i; j < n && p[j] == '*'; j++)
				;
			if (pathname && whole_segment(p, n, i, j, start)) {
				if (j < n && p[j] == '/') {
					t = add_tok(b, OP_FORK, i);
					t->loop = 1;
					t->skip = b->g->ntoks + 2;
					add_loop(b, SET_ANY, i);
					add_byte(b, '/', j);
					j++;
				} else {
					add_loop(b, SET_ANY, i);
				}
			} else {
				add_loop(b, pathname ? SET_NOSLASH : SET_ANY,
					 i);
			}
			i = j;
			break;
		case '[':
			j = i;
			if (parse_class(b, &set, p, n, &j, err))
				return err ? err->status : SL_ERULES;
			if (pathname)
				bs_del(&set, '/');
			add_tok(b, OP_SET, i)->set = add_set(b, &set);
			i = j;
			break;
		default:
			add_byte(b, p[i], i);
			i++;
			break;
		}
	}
	return 0;
}

/* Fills lit, tail, literal and endswith from the token program. */
static char *token_bytes(const struct glob_tok *toks, size_t n)
{
	char *out = sl_xmalloc(n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (char)toks[i].byte;
	out[n] = '\0';
	return out;
}

static void summarize(struct sl_glob *g)
{
	uint32_t nlit = 0, first_tail = g->ntoks;

	while (nlit < g->ntoks && g->toks[nlit].op == OP_BYTE)
		nlit++;
	g->literal = nlit == g->ntoks;
	while (first_tail > 0 && g->toks[first_tail - 1].op == OP_BYTE)
		first_tail--;
	g->endswith = g->kind == GLOB_NAME && first_tail == 1 &&
		      g->toks[0].op == OP_SET && g->toks[0].loop &&
		      !g->toks[0].skip && g->toks[0].set == SET_ANY;
	g->nlit = nlit;
	g->lit = token_bytes(g->toks, nlit);
	g->ntail = g->ntoks - first_tail;
	g->tail = token_bytes(g->toks + first_tail, g->ntail);
}

/*
 * The bit-parallel form of a program of fewer than 64 positions. Bytes
 * that every token treats alike share a class, so a pattern needs a mask
 * per class rather than per byte.
 */
static void build_small(struct sl_glob *g)
{
	uint64_t sig[256], masks[257], m, any = 0, noslash = 0;
	uint32_t i, j, k, x, nclasses = 0, nlist = 0;
	uint16_t cls_of[256];
	uint8_t list[256];
	bool named[256];
	const struct glob_tok *t;
	const struct byteset *set;

	g->close = sl_xcalloc((size_t)g->ntoks + 1, sizeof(*g->close));
	for (i = g->ntoks + 1; i-- > 0;) {
		m = UINT64_C(1) << i;
		if (i < g->ntoks) {
			t = &g->toks[i];
			if (t->loop)
				m |= g->close[i + 1];
			if (t->skip)
				m |= g->close[t->skip];
			if (t->loop && t->op == OP_SET)
				g->loops |= UINT64_C(1) << i;
		}
		g->close[i] = m;
	}
	/*
	 * Bytes that no token names are taken by the "any byte" tokens only:
	 * they are class 0, which cls[] (zeroed) already says. Only NUL, '/'
	 * and the named bytes need a class of their own.
	 */
	memset(named, 0, sizeof(named));
#define NAME(c)                                                                \
	do {                                                                   \
		if (!named[c]) {                                               \
			named[c] = true;                                       \
			sig[c] = 0;                                            \
			list[nlist++] = (uint8_t)(c);                          \
		}                                                              \
	} while (0)
	NAME(0);
	NAME('/');
	for (i = 0; i < g->ntoks; i++) {
		t = &g->toks[i];
		if (t->op == OP_BYTE) {
			NAME(t->byte);
			sig[t->byte] |= UINT64_C(1) << i;
		} else if (t->op == OP_SET && t->set == SET_ANY) {
			any |= UINT64_C(1) << i;
		} else if (t->op == OP_SET && t->set == SET_NOSLASH) {
			noslash |= UINT64_C(1) << i;
		} else if (t->op == OP_SET) {
			set = tok_set(g, t);
			for (j = 0; j < 4; j++)
				for (m = set->w[j]; m; m &= m - 1) {
					x = j * 64 +
					    (uint32_t)__builtin_ctzll(m);
					NAME(x);
					sig[x] |= UINT64_C(1) << i;
				}
		}
	}
#undef NAME
	masks[nclasses++] = any | noslash;
	for (j = 0; j < nlist; j++) {
		x = list[j];
		m = sig[x] | (x ? any : 0) | (x && x != '/' ? noslash : 0);
		for (k = 0; k < nclasses && masks[k] != m; k++)
			;
		if (k == nclasses)
			masks[nclasses++] = m;
		cls_of[j] = (uint16_t)k;
	}
	if (nclasses > 256) {
		/* Every byte its own class and then some: stay multi-word. */
		FREE_AND_NULL(g->close);
		return;
	}
	for (j = 0; j < nlist; j++)
		g->cls[list[j]] = (uint8_t)cls_of[j];
	g->masks = sl_xmalloc(sl_st_mult(nclasses, sizeof(*g->masks)));
	memcpy(g->masks, masks, nclasses * sizeof(*g->masks));
	g->small = true;
}

/* ---- can it match anything at all? ---------------------------------- */

/*
 * A path git can hold: components separated by single '/', none empty,
 * none "." or "..", no NUL. Its automaton, on three classes of bytes.
 */
enum { PS_START, PS_DOT, PS_DOTDOT, PS_NAME, PS_DEAD };
enum { BC_SLASH = 1, BC_DOT = 2, BC_OTHER = 4 };

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
		return t->byte == '/'	? BC_SLASH
		       : t->byte == '.' ? BC_DOT
		       : t->byte	? BC_OTHER
					: 0;
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
 * (program position, path automaton state): O(pattern).
 */
static bool can_match(const struct sl_glob *g)
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

#define PUSH(pos, st)                                                          \
	do {                                                                   \
		uint32_t s_ = (uint32_t)(pos)*4 + (uint32_t)(st);              \
		if (!seen[s_]) {                                               \
			seen[s_] = true;                                       \
			stack[sp++] = s_;                                      \
		}                                                              \
	} while (0)

	PUSH(0, PS_START);
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
	if (seen != seen_small) {
		free(seen);
		free(stack);
	}
	return found;
}

/* Why can_match() said no, as far as a reason can be named. */
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

static int refuse_never(const struct sl_glob *g, const char *text,
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
static void compute_key(struct sl_glob *g)
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

/* ---- compiling -------------------------------------------------------- */

/* git's trim_trailing_spaces(): unescaped trailing spaces go. */
static size_t trimmed_length(const char *s, size_t len)
{
	size_t i, last_space = SIZE_MAX;

	for (i = 0; i < len; i++) {
		if (s[i] == ' ') {
			if (last_space == SIZE_MAX)
				last_space = i;
			continue;
		}
		if (s[i] == '\\' && ++i >= len)
			return len;
		last_space = SIZE_MAX;
	}
	return last_space == SIZE_MAX ? len : last_space;
}

/* git's simple_length(): the bytes before the first of * ? [ \. */
static size_t simple_length(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\')
			break;
	return i;
}

/* What git would read differently from what the user wrote. */
static int check_text(const char *text, size_t len, struct sl_error *err)
{
	if (!len)
		return sl_error_set(err, SL_ERULES,
				    "empty pattern; write '**' for every path");
	if (len > SL_PATTERN_MAX)
		return sl_error_set(
		    err, SL_ERULES,
		    "pattern '%.40s...' is longer than %d bytes", text,
		    SL_PATTERN_MAX);
	if (memchr(text, '\n', len) || text[len - 1] == '\r')
		return sl_error_set(err, SL_ERULES,
				    "pattern '%s' holds a line break, which a "
				    "gitignore line cannot",
				    text);
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		return sl_error_set(err, SL_ERULES,
				    "pattern '%s' starts with a byte order "
				    "mark, which git would drop; remove it",
				    text);
	if (text[0] == '#')
		return sl_error_set(err, SL_ERULES,
				    "pattern '%s' starts with '#', which git "
				    "reads as a comment; write '\\#' for a "
				    "literal '#'",
				    text);
	return 0;
}

static int compile_program(struct builder *b, const char *s, size_t len,
			   struct sl_error *err)
{
	struct sl_glob *g = b->g;
	size_t prefix;

	/* A pattern never has more tokens than bytes: one allocation. */
	SL_ALLOC_GROW(g->toks, len + 1, b->alloc_toks);
	/* Only one trailing '/' goes: "a//" stays "a/", which is refused. */
	if (len && s[len - 1] == '/') {
		g->mustbedir = true;
		len--;
	}
	g->kind = memchr(s, '/', len) ? GLOB_PATH : GLOB_NAME;
	if (g->kind == GLOB_NAME)
		return parse_tokens(b, (const unsigned char *)s, len, 0, false,
				    err);
	prefix = simple_length(s, len);
	if (s[0] == '/') {
		s++;
		len--;
		prefix--;
		b->base = 1;
	}
	return parse_tokens(b, (const unsigned char *)s, len, prefix, true,
			    err);
}

int sl_glob_compile(struct sl_glob **out, const char *text,
		    struct sl_error *err)
{
	size_t len = strlen(text);
	struct builder b = {0};
	int ret;

	*out = NULL;
	ret = check_text(text, len, err);
	if (ret)
		return ret;
	b.text = text;
	b.g = sl_xcalloc(1, sizeof(*b.g));

	len = trimmed_length(text, len);
	if (!len) {
		ret = sl_error_set(err, SL_ERULES,
				   "pattern '%s' is only spaces, which git "
				   "strips; write '\\ ' for a literal space",
				   text);
		goto out;
	}
	if (text[0] == '!') {
		ret = sl_error_set(err, SL_ERULES,
				   "pattern '%s': negation is not supported; "
				   "carve paths out with a later lane (write "
				   "'\\!' for a literal '!')",
				   text);
		goto out;
	}
	ret = compile_program(&b, text, len, err);
	if (ret)
		goto out;
	if (!can_match(b.g)) {
		ret = refuse_never(b.g, text, err);
		goto out;
	}
	summarize(b.g);
	compute_key(b.g);
	if (b.g->ntoks < 64)
		build_small(b.g);
	if (b.g->small) {
		/* The bit-parallel form is all that matching needs now. */
		FREE_AND_NULL(b.g->toks);
		FREE_AND_NULL(b.g->sets);
	}
	*out = b.g;
	b.g = NULL;
out:
	sl_glob_free(b.g);
	return ret;
}

void sl_glob_free(struct sl_glob *glob)
{
	if (!glob)
		return;
	free(glob->toks);
	free(glob->sets);
	free(glob->lit);
	free(glob->tail);
	free(glob->close);
	free(glob->masks);
	free(glob->keybuf);
	free(glob);
}

/* ---- matching --------------------------------------------------------- */

static inline bool tok_accepts(const struct sl_glob *g,
			       const struct glob_tok *t, unsigned char c)
{
	if (t->op == OP_BYTE)
		return t->byte == c;
	return t->op == OP_SET && bs_has(tok_set(g, t), c);
}

#define BIT(x) (UINT64_C(1) << ((x)&63))

/*
 * Adds to s every position reachable from it by epsilon edges. The edges
 * only go forward, so one ascending pass suffices: a position added in the
 * word being scanned is queued in that word's pending bits.
 */
static void close_eps(const struct sl_glob *g, uint64_t *s, size_t nw)
{
	size_t w, i;
	uint64_t pending;

	for (w = 0; w < nw; w++) {
		pending = s[w];
		while (pending) {
			const struct glob_tok *t;

			i = w * 64 + (size_t)__builtin_ctzll(pending);
			pending &= pending - 1;
			if (i >= g->ntoks)
				continue;
			t = &g->toks[i];
			if (t->loop) {
				s[(i + 1) >> 6] |= BIT(i + 1);
				if ((i + 1) >> 6 == w)
					pending |= BIT(i + 1);
			}
			if (t->skip) {
				s[t->skip >> 6] |= BIT(t->skip);
				if (t->skip >> 6 == w)
					pending |= BIT(t->skip);
			}
		}
	}
}

/* One byte of input: next = the closure of what cur moves to on c. */
static bool step(const struct sl_glob *g, const uint64_t *cur, uint64_t *next,
		 size_t nw, unsigned char c)
{
	uint64_t bits, live = 0;
	size_t w, i;

	memset(next, 0, nw * sizeof(*next));
	for (w = 0; w < nw; w++) {
		bits = cur[w];
		while (bits) {
			const struct glob_tok *t;

			i = w * 64 + (size_t)__builtin_ctzll(bits);
			bits &= bits - 1;
			if (i >= g->ntoks)
				continue;
			t = &g->toks[i];
			if (tok_accepts(g, t, c)) {
				size_t to = t->loop ? i : i + 1;
				next[to >> 6] |= BIT(to);
			}
		}
	}
	close_eps(g, next, nw);
	for (w = 0; w < nw; w++)
		live |= next[w];
	return live != 0;
}

static void start_at(const struct sl_glob *g, uint64_t *s, size_t nw,
		     size_t pos)
{
	memset(s, 0, nw * sizeof(*s));
	s[pos >> 6] |= BIT(pos);
	close_eps(g, s, nw);
}

static inline bool accepts(const struct sl_glob *g, const uint64_t *s)
{
	return s[g->ntoks >> 6] & BIT(g->ntoks);
}

/*
 * Runs the program over s[nlit..n) (the caller compared the literal
 * prefix). With at_slashes, the prefix s[0..k) is accepted when s[k] is
 * '/': a leading directory of a path. accept_end says whether all of s
 * may be accepted too.
 */
static bool run_small(const struct sl_glob *g, const char *s, size_t n,
		      bool at_slashes, bool accept_end)
{
	uint64_t cur = g->close[g->nlit], acc = UINT64_C(1) << g->ntoks;
	uint64_t m, moved;
	size_t k;

	for (k = g->nlit; k < n; k++) {
		unsigned char c = (unsigned char)s[k];

		if (at_slashes && c == '/' && (cur & acc))
			return true;
		m = cur & g->masks[g->cls[c]];
		moved = ((m & ~g->loops) << 1) | (m & g->loops);
		cur = 0;
		for (; moved; moved &= moved - 1)
			cur |= g->close[__builtin_ctzll(moved)];
		if (!cur)
			return false;
	}
	return accept_end && (cur & acc);
}

static bool run_big(const struct sl_glob *g, const char *s, size_t n,
		    bool at_slashes, bool accept_end)
{
	uint64_t a[MAXW], b[MAXW], *cur = a, *next = b, *tmp;
	size_t nw = g->ntoks / 64 + 1, k;

	start_at(g, cur, nw, g->nlit);
	for (k = g->nlit; k < n; k++) {
		if (at_slashes && s[k] == '/' && accepts(g, cur))
			return true;
		if (!step(g, cur, next, nw, (unsigned char)s[k]))
			return false;
		tmp = cur;
		cur = next;
		next = tmp;
	}
	return accept_end && accepts(g, cur);
}

static bool run(const struct sl_glob *g, const char *s, size_t n,
		bool at_slashes, bool accept_end)
{
	if (g->small)
		return run_small(g, s, n, at_slashes, accept_end);
	return run_big(g, s, n, at_slashes, accept_end);
}

/* Does the whole of name match (a name pattern against one component)? */
static bool match_name(const struct sl_glob *g, const char *name, size_t n)
{
	if (g->literal)
		return n == g->nlit && !memcmp(name, g->lit, n);
	if (g->endswith)
		return n >= g->ntail &&
		       !memcmp(name + n - g->ntail, g->tail, g->ntail);
	if (n < g->nlit || memcmp(name, g->lit, g->nlit))
		return false;
	return run(g, name, n, false, true);
}

/*
 * An anchored pattern: does it match the path, or one of its leading
 * directories (what git's prep_exclude() tests before the path itself)?
 * One pass: the directory path[0..k) is tested when path[k] is '/'.
 */
static bool match_path(const struct sl_glob *g, const char *path, size_t len,
		       bool leaf_ok)
{
	if (len < g->nlit || memcmp(path, g->lit, g->nlit))
		return false;
	if (g->literal)
		return len == g->nlit ? leaf_ok : path[g->nlit] == '/';
	return run(g, path, len, true, leaf_ok);
}

int sl_glob_match(const struct sl_glob *glob, const char *path, size_t len,
		  unsigned flags)
{
	bool leaf_ok = !glob->mustbedir || (flags & SL_MATCH_DIR);
	size_t start = 0, end;
	const char *slash;

	if (glob->kind == GLOB_PATH)
		return match_path(glob, path, len, leaf_ok);
	for (;;) {
		slash = memchr(path + start, '/', len - start);
		end = slash ? (size_t)(slash - path) : len;
		if ((slash || leaf_ok) &&
		    match_name(glob, path + start, end - start))
			return 1;
		if (!slash)
			return 0;
		start = end + 1;
	}
}

void sl_glob_index_key(const struct sl_glob *glob, struct sl_index_key *out)
{
	*out = glob->key;
}
