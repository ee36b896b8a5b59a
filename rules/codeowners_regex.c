/*
 * codeowners_regex.c: one CODEOWNERS pattern, read the way git reads a
 * gitignore line (dir.c's parse_path_pattern(), match_basename() and
 * match_pathname(), and wildmatch.c), translated into a regular expression
 * that matches exactly the whole paths the pattern matches, leading
 * directories included; and the cheap, sound reasoning about two patterns
 * that keeps the import's expressions small ("no path matches both", "this
 * one matches every path that one does"). Reading the file is
 * codeowners_parse.c's; building lanes is codeowners.c's.
 */
#include "common/common.h"

#include "rules/codeowners_internal.h"
#include "rules/internal.h"

/*
 * The class at p[at] == '[' as wildmatch reads it, which never matches a
 * '/' (WM_PATHNAME; a name has none). Returns the index after its ']', or
 * 0 when wildmatch gives up on it: the pattern then matches nothing.
 */
static size_t parse_class(const unsigned char *p, size_t n, size_t at,
			  struct byteset *set)
{
	struct sl_wildmatch_name unknown = {NULL, 0};
	size_t end = sl_wildmatch_class(set, p, n, at, &unknown);

	bs_del(set, '/');
	return end;
}

/* ---- reading a pattern ------------------------------------------------- */

/* Does the run of stars at body[i..j) cross directories ("**")? */
static bool starstar(const struct sl_co_glob *g, size_t i, size_t j)
{
	const char *p = g->body;
	size_t n = g->len;

	/* Without WM_PATHNAME (a name) no star stops at '/': a name has none. */
	if (g->name || j - i < 2)
		return false;
	/*
	 * wildmatch looks at the byte before the stars in the string it was
	 * handed: git compares the literal prefix itself and hands it the
	 * rest, so stars right after the prefix count as leading.
	 */
	if (i != g->prefix && p[i - 1] != '/')
		return false;
	return j == n || p[j] == '/' ||
	       (p[j] == '\\' && j + 1 < n && p[j + 1] == '/');
}

/* Why a pattern matches nothing, or NULL: a lone '\' or a bad class. */
static const char *scan_never(const struct sl_co_glob *g)
{
	const unsigned char *p = (const unsigned char *)g->body;
	struct byteset set;
	size_t i, end;

	if (!g->len)
		return "nothing is left of it but slashes";
	for (i = 0; i < g->len; i++) {
		if (p[i] == '\\') {
			if (++i >= g->len)
				return "it ends with a lone '\\'";
		} else if (p[i] == '[') {
			end = parse_class(p, g->len, i, &set);
			if (!end)
				return "its '[' class is malformed";
			i = end - 1;
		}
	}
	return NULL;
}

static enum sl_co_seg_kind seg_kind(const char *s, size_t len)
{
	size_t i, stars = 0;
	bool wild = false;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' || s[i] == '[')
			return SL_CO_SEG_OTHER;
		if (s[i] == '*')
			stars++;
		if (s[i] == '*' || s[i] == '?')
			wild = true;
	}
	if (len >= 2 && stars == len)
		return SL_CO_SEG_STARSTAR;
	return wild ? SL_CO_SEG_SIMPLE : SL_CO_SEG_LITERAL;
}

/* Splits a path pattern's body into segments, when they mean positions. */
static void split_segments(struct sl_co_glob *g)
{
	const char *p = g->body, *slash;
	size_t i, j, nondeep = 0;

	g->structured = !memmem(p, g->len, "\\/", 2);
	for (i = g->prefix; i < g->len && p[i] == '*'; i++)
		;
	if (g->prefix && starstar(g, g->prefix, i) && p[g->prefix - 1] != '/')
		g->structured = false;
	g->first_starstar = SIZE_MAX;
	for (i = 0; g->structured && i <= g->len; i = j + 1) {
		slash = memchr(p + i, '/', g->len - i);
		j = slash ? (size_t)(slash - p) : g->len;
		SL_ALLOC_GROW(g->segs, g->nsegs + 1, g->alloc_segs);
		g->segs[g->nsegs].s = p + i;
		g->segs[g->nsegs].len = j - i;
		g->segs[g->nsegs].kind = seg_kind(p + i, j - i);
		if (g->segs[g->nsegs].kind == SL_CO_SEG_STARSTAR) {
			if (g->first_starstar == SIZE_MAX)
				g->first_starstar = g->nsegs;
		} else {
			nondeep++;
		}
		g->nsegs++;
	}
	if (g->first_starstar == SIZE_MAX)
		g->first_starstar = g->nsegs;
	g->min_depth = nondeep + g->dir_only;
	if (g->structured && g->exact && g->first_starstar == g->nsegs)
		g->max_depth = g->nsegs;
}

void sl_co_glob_init(struct sl_co_glob *g, const char *text, bool exact_rule,
		     struct sl_buf *why)
{
	size_t len = strlen(text);
	const char *s = text, *reason;

	memset(g, 0, sizeof(*g));
	g->text = sl_xstrdup(text);
	g->max_depth = SIZE_MAX;
	if (len && s[len - 1] == '/') {
		g->dir_only = true;
		len--;
	}
	g->name = !memchr(s, '/', len);
	/* git's nowildcardlen counts the leading '/', which then goes. */
	g->prefix = sl_wildmatch_simple_length(s, len);
	if (!g->name && s[0] == '/') {
		s++;
		len--;
		g->prefix--;
	}
	g->body = sl_xmemdupz(s, len);
	g->len = len;
	g->exact = exact_rule && !g->name && !g->dir_only && len &&
		   text[strlen(text) - 1] == '*' &&
		   (len == 1 || g->body[len - 2] == '/');
	reason = scan_never(g);
	if (reason) {
		g->never = true;
		sl_buf_adds(why, reason);
		return;
	}
	if (g->name)
		g->min_depth = 1 + g->dir_only;
	else
		split_segments(g);
	if (!g->min_depth)
		g->min_depth = 1;
}

void sl_co_glob_release(struct sl_co_glob *g)
{
	free(g->text);
	free(g->body);
	free(g->segs);
	memset(g, 0, sizeof(*g));
}

/* ---- the regular expression -------------------------------------------- */

static bool is_alnum(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static void add_literal(struct sl_buf *out, unsigned char c)
{
	if (is_alnum(c) || c >= 0x80 || (c && strchr("/_-:@,%=~'\"!&;<> `", c)))
		sl_buf_addch(out, c);
	else if (c < 0x20 || c == 0x7f)
		sl_buf_addf(out, "\\x%02x", c);
	else
		sl_buf_addf(out, "\\%c", c);
}

static void add_class_byte(struct sl_buf *out, unsigned c)
{
	if (is_alnum(c))
		sl_buf_addch(out, (int)c);
	else
		sl_buf_addf(out, "\\x%02x", c);
}

/* A byte set as a class: ranges of members, every odd byte as \xHH. */
static void add_class(struct sl_buf *out, const struct byteset *set)
{
	unsigned c = 1, end, members = 0;

	sl_buf_addch(out, '[');
	while (c < 256) {
		if (!bs_has(set, c)) {
			c++;
			continue;
		}
		for (end = c; end + 1 < 256 && bs_has(set, end + 1); end++)
			;
		add_class_byte(out, c);
		if (end > c + 1)
			sl_buf_addch(out, '-');
		if (end > c)
			add_class_byte(out, end);
		members += end - c + 1;
		c = end + 1;
	}
	if (!members) {
		/* An empty class matches nothing; "[]" would not parse. */
		sl_buf_setlen(out, out->len - 1);
		sl_buf_adds(out, "(?!)");
		return;
	}
	sl_buf_addch(out, ']');
}

/* The stars at body[i..j): "**" crosses directories, '*' stays in one. */
static size_t add_stars(struct sl_buf *out, const struct sl_co_glob *g,
			size_t i, size_t j)
{
	if (!starstar(g, i, j)) {
		sl_buf_adds(out, "[^/]*");
		return j;
	}
	/* "**" + "/": no directory, or any number of them (wildmatch). */
	if (j < g->len && g->body[j] == '/') {
		sl_buf_adds(out, "(?:[^/]*+/)*");
		return j + 1;
	}
	sl_buf_adds(out, ".*");
	return j;
}

/* The body as wildmatch matches it: WM_PATHNAME for a path pattern. */
static void add_wild(struct sl_buf *out, const struct sl_co_glob *g)
{
	const unsigned char *p = (const unsigned char *)g->body;
	struct byteset set;
	size_t i = 0, j;

	while (i < g->len) {
		switch (p[i]) {
		case '\\':
			add_literal(out, p[i + 1]);
			i += 2;
			break;
		case '?':
			sl_buf_adds(out, "[^/]");
			i++;
			break;
		case '[':
			i = parse_class(p, g->len, i, &set);
			add_class(out, &set);
			break;
		case '*':
			for (j = i; j < g->len && p[j] == '*'; j++)
				;
			i = add_stars(out, g, i, j);
			break;
		default:
			add_literal(out, p[i]);
			i++;
		}
	}
}

void sl_co_glob_regex(struct sl_buf *out, const struct sl_co_glob *g)
{
	if (g->never) {
		sl_buf_adds(out, "(?!)");
		return;
	}
	/* A name matches the last component of a leading directory, or the
	 * path's own; possessive, so that a miss costs one pass. */
	if (g->name)
		sl_buf_adds(out, "(?:[^/]*+/)*");
	add_wild(out, g);
	if (g->exact)
		return;
	/* A directory's match takes everything under it; a trailing '/'
	 * matches directories only, and the path itself is a file. */
	sl_buf_adds(out, g->dir_only ? "/.*" : "(?:/.*)?");
}

/* ---- two patterns -------------------------------------------------------- */

/* Does the segment glob (bytes, '*' and '?' only) match the literal? */
static bool simple_match(const struct sl_co_seg *glob,
			 const struct sl_co_seg *lit)
{
	size_t p = 0, t = 0, star = SIZE_MAX, mark = 0;

	while (t < lit->len) {
		if (p < glob->len && glob->s[p] == '*') {
			star = ++p;
			mark = t;
		} else if (p < glob->len &&
			   (glob->s[p] == '?' || glob->s[p] == lit->s[t])) {
			p++;
			t++;
		} else if (star != SIZE_MAX) {
			p = star;
			t = ++mark;
		} else {
			return false;
		}
	}
	while (p < glob->len && glob->s[p] == '*')
		p++;
	return p == glob->len;
}

static bool seg_disjoint(const struct sl_co_seg *a, const struct sl_co_seg *b)
{
	if (a->kind == SL_CO_SEG_LITERAL && b->kind == SL_CO_SEG_LITERAL)
		return a->len != b->len || memcmp(a->s, b->s, a->len);
	if (a->kind == SL_CO_SEG_LITERAL && b->kind == SL_CO_SEG_SIMPLE)
		return !simple_match(b, a);
	if (a->kind == SL_CO_SEG_SIMPLE && b->kind == SL_CO_SEG_LITERAL)
		return !simple_match(a, b);
	return false;
}

/*
 * a is a name, b has a bounded depth ("docs/" + "*"): a's name must be
 * component p of the path for some p that b bounds, a directory when a
 * wants one. Disjoint when b's segment p refuses the name at every p.
 */
static bool name_disjoint(const struct sl_co_glob *a,
			  const struct sl_co_glob *b)
{
	struct sl_co_seg name = {a->body, a->len, seg_kind(a->body, a->len)};
	size_t p, last = b->max_depth - 1 - a->dir_only;

	if (!b->structured || b->max_depth == SIZE_MAX ||
	    b->max_depth < 1u + a->dir_only)
		return false;
	for (p = 0; p <= last; p++)
		if (!seg_disjoint(&name, &b->segs[p]))
			return false;
	return true;
}

bool sl_co_glob_disjoint(const struct sl_co_glob *a, const struct sl_co_glob *b)
{
	size_t i, n;

	if (a->never || b->never)
		return true;
	if (a->max_depth < b->min_depth || b->max_depth < a->min_depth)
		return true;
	if (a->name && !b->name)
		return name_disjoint(a, b);
	if (b->name && !a->name)
		return name_disjoint(b, a);
	if (!a->structured || !b->structured)
		return false;
	/* Before the first "**", segment i is component i of the path. */
	n = a->first_starstar < b->first_starstar ? a->first_starstar
						  : b->first_starstar;
	for (i = 0; i < n; i++)
		if (seg_disjoint(&a->segs[i], &b->segs[i]))
			return true;
	return false;
}

static bool matches_everything(const struct sl_co_glob *g)
{
	size_t i;

	if (g->never || g->exact || g->dir_only || !g->len)
		return false;
	for (i = 0; i < g->len; i++)
		if (g->body[i] != '*')
			return false;
	return true;
}

/* A path pattern of plain directory names, "a/b" or "/a/b/". */
static bool all_literal(const struct sl_co_glob *g)
{
	size_t i;

	if (g->name || !g->structured || g->exact)
		return false;
	for (i = 0; i < g->nsegs; i++)
		if (g->segs[i].kind != SL_CO_SEG_LITERAL)
			return false;
	return true;
}

/*
 * a is a plain name ("docs", "docs/"): does every path b matches have it
 * as a component, one with more below it when a wants a directory? Each
 * segment of b but "**" is one component of the path, whatever is before.
 */
static bool name_covers(const struct sl_co_glob *a, const struct sl_co_glob *b)
{
	struct sl_co_seg name = {a->body, a->len, SL_CO_SEG_LITERAL};
	size_t p;

	if (seg_kind(a->body, a->len) != SL_CO_SEG_LITERAL || b->name ||
	    !b->structured)
		return false;
	for (p = 0; p < b->nsegs; p++) {
		if (b->segs[p].kind != SL_CO_SEG_LITERAL ||
		    seg_disjoint(&name, &b->segs[p]))
			continue;
		if (!a->dir_only || p + 1 < b->nsegs || b->dir_only)
			return true;
	}
	return false;
}

bool sl_co_glob_covers(const struct sl_co_glob *a, const struct sl_co_glob *b)
{
	size_t i;

	if (b->never)
		return true;
	if (a->never)
		return false;
	if (matches_everything(a))
		return true;
	if (!strcmp(a->text, b->text) && a->exact == b->exact)
		return true;
	if (a->name)
		return name_covers(a, b);
	/* a names a directory (or file) b's paths all lie in, or are. */
	if (!all_literal(a) || b->name || !b->structured ||
	    b->first_starstar < a->nsegs)
		return false;
	for (i = 0; i < a->nsegs; i++)
		if (b->segs[i].kind != SL_CO_SEG_LITERAL ||
		    seg_disjoint(&a->segs[i], &b->segs[i]))
			return false;
	/* Every further segment of b is a component more. */
	if (b->nsegs > a->nsegs)
		return true;
	return !a->dir_only || b->dir_only;
}
