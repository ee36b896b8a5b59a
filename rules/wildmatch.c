/*
 * wildmatch.c: what both readers of gitignore patterns need from git's
 * wildmatch.c and dir.c: a bracket class read exactly as wildmatch reads
 * it, the POSIX class names as its ctype knows them, and the literal
 * prefix git compares before calling it. glob.c compiles patterns with
 * them; codeowners_regex.c translates CODEOWNERS patterns with them.
 */
#include "common/common.h"

#include "rules/internal.h"

static bool is_alpha(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned c)
{
	return c >= '0' && c <= '9';
}

/*
 * Is c in the class [:name:]? wildmatch tests with git's own ctype
 * (git-compat-util.h, ctype.c), which knows ASCII only and whose space is
 * tab, newline, carriage return and space. -1 for a name it does not know.
 */
static int in_named_class(const char *name, size_t len, unsigned c)
{
	static const char *const names[] = {
	    "alnum", "alpha", "blank", "cntrl", "digit", "graph",
	    "lower", "print", "punct", "space", "upper", "xdigit",
	};
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == len && !memcmp(names[i], name, len))
			break;
	switch (i) {
	case 0:
		return is_alpha(c) || is_digit(c);
	case 1:
		return is_alpha(c);
	case 2:
		return c == ' ' || c == '\t';
	case 3:
		return c < 0x20 || c == 0x7f;
	case 4:
		return is_digit(c);
	case 5:
		return c > 0x20 && c < 0x7f;
	case 6:
		return c >= 'a' && c <= 'z';
	case 7:
		return c >= 0x20 && c < 0x7f;
	case 8:
		return c > 0x20 && c < 0x7f && !is_alpha(c) && !is_digit(c);
	case 9:
		return c == ' ' || c == '\t' || c == '\n' || c == '\r';
	case 10:
		return c >= 'A' && c <= 'Z';
	case 11:
		return is_digit(c) || (c >= 'a' && c <= 'f') ||
		       (c >= 'A' && c <= 'F');
	}
	return -1;
}

/* Adds the members of [:name:] to set; false for an unknown name. */
static bool add_named_class(struct byteset *set, const char *name, size_t len)
{
	unsigned x;
	int in;

	for (x = 1; x < 256; x++) {
		in = in_named_class(name, len, x);
		if (in < 0)
			return false;
		if (in)
			bs_add(set, x);
	}
	return true;
}

size_t sl_wildmatch_class(struct byteset *set, const unsigned char *p, size_t n,
			  size_t at, struct sl_wildmatch_name *unknown)
{
	size_t k = at + 1, s, q;
	unsigned c, prev = 0, x;
	bool negated = false;

	memset(set, 0, sizeof(*set));
	if (k < n && (p[k] == '!' || p[k] == '^')) {
		negated = true;
		k++;
	}
	for (;;) {
		if (k >= n)
			return 0;
		c = p[k];
		if (c == '\\') {
			if (++k >= n)
				return 0;
			c = p[k];
			bs_add(set, c);
		} else if (c == '-' && prev && k + 1 < n && p[k + 1] != ']') {
			c = p[++k];
			if (c == '\\' && ++k >= n)
				return 0;
			c = p[k];
			for (x = prev; x <= c; x++)
				bs_add(set, x);
			c = 0;
		} else if (c == '[' && k + 1 < n && p[k + 1] == ':') {
			for (s = k + 2, q = s; q < n && p[q] != ']'; q++)
				;
			if (q >= n)
				return 0;
			if (q == s || p[q - 1] != ':') {
				bs_add(set, '['); /* not a name: a plain '[' */
			} else {
				if (!add_named_class(set, (const char *)p + s,
						     q - s - 1)) {
					unknown->name = (const char *)p + s;
					unknown->len = q - s - 1;
					return 0;
				}
				c = 0;
				k = q;
			}
		} else {
			bs_add(set, c);
		}
		prev = c;
		if (++k >= n)
			return 0;
		if (p[k] == ']')
			break;
	}
	if (negated)
		for (x = 0; x < 4; x++)
			set->w[x] = ~set->w[x];
	bs_del(set, 0);
	return k + 1;
}

size_t sl_wildmatch_simple_length(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\')
			break;
	return i;
}
