/*
 * glob_match.c: running a glob's token program over a path. The program is
 * an NFA whose states are a bit set of positions, so a match costs at most
 * O(path x pattern) whatever the input (git's own matcher backtracks): one
 * 64-bit word with precomputed epsilon closures and a mask per byte class
 * for programs of fewer than 64 positions (nearly all), an array of words
 * for longer ones. A name pattern is run on each component of the path; an
 * anchored one once over the path, accepting at each '/' a leading
 * directory, as git's prep_exclude() tests them.
 */
#include "common/common.h"

#include "rules/glob_internal.h"

/*
 * The byte classes of a program whose tokens past the literal prefix name
 * no byte (only '*', '?', '**'; the common "dir/file.*"): every byte but
 * NUL and '/' is class 0, and those two are class 0, 1 or 2. Shared, so
 * that 3,000 such patterns do not each fill a table of 256.
 */
#define NUL_SLASH(a, b) [a][b] = {[0] = a, ['/'] = b}
static const uint8_t nul_slash_classes[3][3][256] = {
    NUL_SLASH(0, 0), NUL_SLASH(0, 1), NUL_SLASH(0, 2),
    NUL_SLASH(1, 0), NUL_SLASH(1, 1), NUL_SLASH(1, 2),
    NUL_SLASH(2, 0), NUL_SLASH(2, 1), NUL_SLASH(2, 2),
};
#undef NUL_SLASH

/*
 * The bit-parallel form of a program of fewer than 64 positions. Bytes
 * that every token treats alike share a class, so a pattern needs a mask
 * per class rather than per byte.
 */
void sl_glob_build_small(struct sl_glob *g)
{
	uint64_t sig[256], masks[257], m, any = 0, noslash = 0;
	uint32_t i, j, k, x, nclasses = 0, nlist = 0;
	uint16_t cls_of[256];
	uint8_t list[256];
	bool named[256];
	const struct glob_tok *t;
	const struct byteset *set;

	/*
	 * A run starts past the literal prefix: only positions nlit..ntoks
	 * have a closure, close[i - nlit] (their bits stay absolute).
	 */
	g->close =
	    sl_xcalloc((size_t)(g->ntoks - g->nlit) + 1, sizeof(*g->close));
	for (i = g->ntoks + 1; i-- > g->nlit;) {
		m = UINT64_C(1) << i;
		if (i < g->ntoks) {
			t = &g->toks[i];
			if (t->loop)
				m |= g->close[i + 1 - g->nlit];
			if (t->skip)
				m |= g->close[t->skip - g->nlit];
			if (t->loop && t->op == OP_SET)
				g->loops |= UINT64_C(1) << i;
		}
		g->close[i - g->nlit] = m;
	}
	/*
	 * Bytes that no token names are taken by the "any byte" tokens only:
	 * they are class 0, which a zeroed cls[] already says. Only NUL, '/'
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
	for (i = g->nlit; i < g->ntoks; i++) {
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
	if (nlist == 2 && cls_of[0] < 3 && cls_of[1] < 3) {
		/* list[] is NUL, '/' (NAME()d first), and nothing else. */
		g->cls = nul_slash_classes[cls_of[0]][cls_of[1]];
	} else {
		uint8_t *cls = sl_xcalloc(256, sizeof(*cls));

		for (j = 0; j < nlist; j++)
			cls[list[j]] = (uint8_t)cls_of[j];
		g->cls = cls;
		g->cls_owned = true;
	}
	g->masks = sl_xmalloc(sl_st_mult(nclasses, sizeof(*g->masks)));
	memcpy(g->masks, masks, nclasses * sizeof(*g->masks));
	g->small = true;
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
	uint64_t cur = g->close[0], acc = UINT64_C(1) << g->ntoks;
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
			cur |=
			    g->close[(size_t)__builtin_ctzll(moved) - g->nlit];
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
