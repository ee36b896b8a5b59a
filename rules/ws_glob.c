/*
 * ws_glob.c: the globs a workspace names its packages with (package.json
 * `workspaces`, pnpm-workspace.yaml `packages`), matched as npm's and
 * pnpm's own glob libraries match directories: minimatch's meaning, not
 * gitignore's (those are rules/glob*.c's). Patterns are a few bytes long
 * and directories a few components deep, so matching is plain recursion.
 */
#include "common/common.h"

#include "rules/ws_internal.h"

/* Alternatives {a,b} a pattern may expand to before it is refused. */
#define BRACE_MAX 256

static bool is_wild(char c)
{
	return c == '*' || c == '?' || c == '[' || c == '{';
}

/* Matches the class at p ('[' already passed) against c; sets *next past
 * its ']'. An unclosed class is a literal '['. */
static bool class_match(const char *p, const char *end, char c,
			const char **next, bool *ok)
{
	bool neg = false, hit = false;
	const char *q = p;

	if (q < end && (*q == '!' || *q == '^')) {
		neg = true;
		q++;
	}
	for (bool first = true; q < end && (first || *q != ']');
	     first = false) {
		char lo = *q, hi;

		if (lo == '\\' && q + 1 < end)
			lo = *++q;
		hi = lo;
		if (q + 2 < end && q[1] == '-' && q[2] != ']') {
			hi = q[2];
			q += 2;
		}
		if ((unsigned char)c >= (unsigned char)lo &&
		    (unsigned char)c <= (unsigned char)hi)
			hit = true;
		q++;
	}
	if (q >= end) {
		*ok = false;
		return false;
	}
	*ok = true;
	*next = q + 1;
	return hit != neg;
}

/* One component s[0..n) against one pattern segment p[0..pn). */
static bool seg_match(const char *p, size_t pn, const char *s, size_t n,
		      bool start)
{
	const char *pe = p + pn;

	if (start && n && s[0] == '.' && pn && p[0] != '.')
		return false; /* wildcards never match a leading '.' */
	while (p < pe) {
		const char *next;
		bool ok;

		switch (*p) {
		case '*':
			while (p < pe && *p == '*')
				p++;
			for (size_t i = 0; i <= n; i++)
				if (seg_match(p, (size_t)(pe - p), s + i, n - i,
					      false))
					return true;
			return false;
		case '?':
			if (!n)
				return false;
			p++;
			s++;
			n--;
			continue;
		case '[':
			if (!n)
				return false;
			if (class_match(p + 1, pe, *s, &next, &ok) && ok) {
				p = next;
				s++;
				n--;
				continue;
			}
			if (ok)
				return false;
			break; /* an unclosed '[' is itself */
		case '\\':
			if (p + 1 < pe)
				p++;
			break;
		default:
			break;
		}
		if (!n || *p != *s)
			return false;
		p++;
		s++;
		n--;
	}
	return n == 0;
}

/* The pattern's segments (after i) against the dir's components. */
static bool match_from(char **segs, size_t nsegs, char **comps, size_t ncomps)
{
	size_t k;

	if (!nsegs)
		return ncomps == 0;
	if (!strcmp(segs[0], "**")) {
		for (k = 0; k <= ncomps; k++) {
			if (match_from(segs + 1, nsegs - 1, comps + k,
				       ncomps - k))
				return true;
			if (k < ncomps && comps[k][0] == '.')
				return false;
		}
		return false;
	}
	if (!ncomps || !seg_match(segs[0], strlen(segs[0]), comps[0],
				  strlen(comps[0]), true))
		return false;
	return match_from(segs + 1, nsegs - 1, comps + 1, ncomps - 1);
}

static void split(struct sl_strvec *out, const char *s)
{
	const char *c = s;

	while (*c) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);

		if (n && !(n == 1 && *c == '.'))
			sl_strvec_push_take(out, sl_xmemdupz(c, n));
		c += n + (slash != NULL);
	}
}

/* Expands the first {a,b} of pat into out, recursively, up to the cap. */
static void expand(struct sl_strvec *out, const char *pat)
{
	const char *open = NULL, *c, *close = NULL, *alt;
	int depth = 0;

	for (c = pat; *c; c++) {
		if (*c == '\\' && c[1]) {
			c++;
		} else if (*c == '{') {
			if (!depth++)
				open = c;
		} else if (*c == '}' && depth && !--depth) {
			close = c;
			break;
		}
	}
	if (!close || out->n >= BRACE_MAX) {
		sl_strvec_push(out, pat);
		return;
	}
	alt = open + 1;
	depth = 0;
	for (c = open + 1; c <= close; c++) {
		struct sl_buf sb = SL_BUF_INIT;

		if (*c == '\\' && c + 1 < close) {
			c++;
			continue;
		}
		if (*c == '{')
			depth++;
		else if (*c == '}' && c < close)
			depth--;
		if (!(c == close || (*c == ',' && !depth)))
			continue;
		sl_buf_add(&sb, pat, (size_t)(open - pat));
		sl_buf_add(&sb, alt, (size_t)(c - alt));
		sl_buf_adds(&sb, close + 1);
		expand(out, sb.buf);
		sl_buf_release(&sb);
		alt = c + 1;
	}
}

bool sl_ws_glob_match(const char *pat, const char *dir)
{
	struct sl_strvec alts = SL_STRVEC_INIT, comps = SL_STRVEC_INIT;
	bool hit = false;
	size_t i;

	expand(&alts, pat);
	split(&comps, dir);
	for (i = 0; i < alts.n && !hit; i++) {
		struct sl_strvec segs = SL_STRVEC_INIT;

		split(&segs, alts.v[i]);
		hit = match_from(segs.v, segs.n, comps.v, comps.n);
		sl_strvec_release(&segs);
	}
	sl_strvec_release(&alts);
	sl_strvec_release(&comps);
	return hit;
}

void sl_ws_glob_base(char **prefix, unsigned *depth, const char *pat)
{
	struct sl_strvec segs = SL_STRVEC_INIT;
	struct sl_buf sb = SL_BUF_INIT;
	size_t i, k;

	split(&segs, pat);
	for (i = 0; i < segs.n; i++) {
		const char *c;
		bool wild = false;

		for (c = segs.v[i]; *c && !wild; c++)
			wild = is_wild(*c) || *c == '\\';
		if (wild)
			break;
		if (sb.len)
			sl_buf_addch(&sb, '/');
		sl_buf_adds(&sb, segs.v[i]);
	}
	*depth = (unsigned)(segs.n - i);
	for (k = i; k < segs.n; k++)
		if (strstr(segs.v[k], "**") || strchr(segs.v[k], '{'))
			*depth = UINT_MAX; /* "**", or braces with a '/' */
	*prefix = sl_buf_detach(&sb, NULL);
	sl_strvec_release(&segs);
}
