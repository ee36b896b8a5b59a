/*
 * glob.c: gitignore patterns with exactly git's meaning (SPEC.md §1): a
 * pattern P matches a path X when `git check-ignore --no-index` with P as
 * its only pattern says X is ignored. This file reads a pattern the way
 * git's dir.c does (what git would read differently is refused; trailing
 * spaces, '/' anchoring, the trailing '/', the literal prefix that
 * match_pathname() compares before calling wildmatch) and wildmatch.c does
 * (classes, escapes, when '**' is special), into a small token program
 * (glob_internal.h). glob_analyze.c refuses programs that can never match
 * and files them for the index; glob_match.c runs them as an automaton
 * that never backtracks. The index itself (index.c) and regular
 * expressions (regex.c) live elsewhere.
 */
#include "common/common.h"

#include "rules/glob_internal.h"

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

static inline struct glob_tok *add_tok(struct builder *b, enum glob_op op,
				       size_t where)
{
	struct glob_tok *t;

	SL_ALLOC_GROW(b->g->toks, b->g->ntoks + 1, b->alloc_toks);
	t = &b->g->toks[b->g->ntoks++];
	*t = (struct glob_tok){.op = (uint8_t)op,
			       .where = (uint32_t)(where + b->base)};
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

/* The class at p[*pos] into set (sl_wildmatch_class()); *pos past it. */
static int parse_class(struct builder *b, struct byteset *set,
		       const unsigned char *p, size_t n, size_t *pos,
		       struct sl_error *err)
{
	struct sl_wildmatch_name unknown = {NULL, 0};
	size_t end = sl_wildmatch_class(set, p, n, *pos, &unknown);

	if (end) {
		*pos = end;
		return 0;
	}
	if (!unknown.name)
		return sl_error_set(err, SL_ERULES,
				    "pattern '%s' has an unterminated '[' at "
				    "offset %zu; write '\\[' for a literal '['",
				    b->text, *pos + b->base);
	return sl_error_set(err, SL_ERULES,
			    "pattern '%s' names an unknown character class "
			    "'[:%.*s:]'; the classes are alnum, alpha, blank, "
			    "cntrl, digit, graph, lower, print, punct, space, "
			    "upper and xdigit",
			    b->text, (int)unknown.len, unknown.name);
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
	prefix = sl_wildmatch_simple_length(s, len);
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
	summarize(b.g);
	if (!sl_glob_can_match(b.g)) {
		ret = sl_glob_refuse_never(b.g, text, err);
		goto out;
	}
	sl_glob_compute_key(b.g);
	/* A literal or "*" + tail matches with memcmp: no program runs. */
	if (!b.g->literal && !b.g->endswith && b.g->ntoks < 64)
		sl_glob_build_small(b.g);
	if (b.g->small || b.g->literal || b.g->endswith) {
		/* lit, tail or the bit-parallel form is all matching needs. */
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
	if (glob->cls_owned)
		free((void *)glob->cls);
	free(glob->keybuf);
	free(glob);
}
