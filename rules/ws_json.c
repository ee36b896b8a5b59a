/*
 * ws_json.c: a pull reader for the JSON manifests and lockfiles of
 * workspaces (package.json, package-lock.json). It reads in one pass,
 * without building a tree: the caller asks for the next member or element
 * and takes the values it needs, skipping the rest. jansson, which reads
 * every other JSON input of sluice, builds a tree with a hash table per
 * object first; for a lockfile of 50,000 entries that is most of a
 * selection's time (docs/design.md, "JSON"). The reader is strict JSON
 * (RFC 8259): every value it skips is checked as well as one it reads,
 * and the first error is "FILE:LINE:COL: not valid JSON: ...". What the
 * keys mean is the callers' (ws_npm*.c).
 */
#include "common/common.h"

#include "rules/ws_internal.h"

/* The deepest nesting a manifest or lockfile is read to. */
#define JR_MAX_DEPTH 64

void sl_jr_init(struct sl_jr *jr, const char *file, const char *data,
		size_t len, struct sl_error *err)
{
	memset(jr, 0, sizeof(*jr));
	jr->file = file;
	jr->start = data;
	jr->p = data;
	jr->end = data + len;
	jr->err = err;
	/* A UTF-8 byte order mark is not JSON, but editors write one. */
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		jr->p += 3;
}

int sl_jr_error(struct sl_jr *jr, const char *what)
{
	const char *c;
	unsigned line = 1, col = 1;

	if (jr->failed)
		return SL_ERULES;
	for (c = jr->start; c < jr->p && c < jr->end; c++) {
		if (*c == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)*c & 0xC0) != 0x80) {
			col++;
		}
	}
	jr->failed = 1;
	return sl_error_set(jr->err, SL_ERULES, "%s:%u:%u: not valid JSON: %s",
			    jr->file, line, col, what);
}

static void skip_ws(struct sl_jr *jr)
{
	while (jr->p < jr->end && (*jr->p == ' ' || *jr->p == '\n' ||
				   *jr->p == '\r' || *jr->p == '\t'))
		jr->p++;
}

int sl_jr_peek(struct sl_jr *jr)
{
	skip_ws(jr);
	if (jr->p >= jr->end)
		return sl_jr_error(jr, "the text ends where a value should be");
	switch (*jr->p) {
	case '{':
		return SL_JT_OBJECT;
	case '[':
		return SL_JT_ARRAY;
	case '"':
		return SL_JT_STRING;
	case 't':
		return SL_JT_TRUE;
	case 'f':
		return SL_JT_FALSE;
	case 'n':
		return SL_JT_NULL;
	default:
		if (*jr->p == '-' || (*jr->p >= '0' && *jr->p <= '9'))
			return SL_JT_NUMBER;
		return sl_jr_error(jr, "expected a value");
	}
}

/* Opens an object or array: checks the nesting and remembers the level. */
static int open_container(struct sl_jr *jr, char c, const char *what)
{
	skip_ws(jr);
	if (jr->p >= jr->end || *jr->p != c)
		return sl_jr_error(jr, what);
	if (jr->depth >= JR_MAX_DEPTH)
		return sl_jr_error(jr, "nested deeper than 64 levels");
	jr->p++;
	jr->open_obj[jr->depth] = c == '{';
	jr->first[jr->depth++] = 1;
	return 0;
}

int sl_jr_object(struct sl_jr *jr)
{
	return open_container(jr, '{', "expected an object");
}

int sl_jr_array(struct sl_jr *jr)
{
	return open_container(jr, '[', "expected an array");
}

/*
 * Before the next member or element: 0 at the closing c (consumed, the
 * level closed), 1 when one follows (its comma consumed), or an error.
 */
static int next_item(struct sl_jr *jr, char close)
{
	unsigned char *first = &jr->first[jr->depth - 1];

	skip_ws(jr);
	if (jr->p < jr->end && *jr->p == close) {
		jr->p++;
		jr->depth--;
		return 0;
	}
	if (!*first) {
		if (jr->p >= jr->end || *jr->p != ',')
			return sl_jr_error(jr, close == '}'
						   ? "expected ',' or '}'"
						   : "expected ',' or ']'");
		jr->p++;
		skip_ws(jr);
	}
	*first = 0;
	return 1;
}

/*
 * Eight bytes at a time: 0x80 in each byte of c[0..8) that is '"', '\\'
 * or a control byte (below 0x20), the bytes a string's scan stops at,
 * and maybe in bytes after the first such. (v - ONES) & ~v & HIGHS marks
 * the bytes of v that are zero, (v - n * ONES) & ~v & HIGHS those below
 * n ("Bit Twiddling Hacks", haszero and hasless): exact up to the first
 * byte marked, which is all that is asked.
 */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static uint64_t stops_in_word(const char *c)
{
	uint64_t v, q, b;

	memcpy(&v, c, 8);
	q = v ^ ONES * '"';
	b = v ^ ONES * '\\';
	return ((q - ONES) & ~q & HIGHS) | ((b - ONES) & ~b & HIGHS) |
	       ((v - ONES * 0x20) & ~v & HIGHS);
}

/* The first '"', '\\' or control byte at or after c, or end. Most of a
 * lockfile's bytes are in strings (hashes, URLs): skipped by the word,
 * and where the word's memory order is its bits' order the byte that
 * stops is found from its mark. */
static const char *plain_end(const char *c, const char *end)
{
	for (; end - c >= 8; c += 8) {
		uint64_t m = stops_in_word(c);

		if (!m)
			continue;
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		return c + (__builtin_ctzll(m) >> 3);
#else
		break;
#endif
	}
	while (c < end && *c != '"' && *c != '\\' && (unsigned char)*c >= 0x20)
		c++;
	return c;
}

/* Scans the string at jr->p (the opening quote): sets *s, *n to its raw
 * contents and *escaped when it holds a backslash. One pass over the
 * bytes (a lockfile's 33 MB are mostly strings): a string not closed is
 * that error, else the first control character in it is. */
static int scan_string(struct sl_jr *jr, const char **s, size_t *n,
		       bool *escaped)
{
	const char *c = jr->p + 1, *ctl = NULL;

	*escaped = false;
	for (;;) {
		c = plain_end(c, jr->end);
		if (c >= jr->end || *c == '"')
			break;
		if (*c == '\\') {
			*escaped = true;
			if (++c == jr->end)
				break;
		}
		if ((unsigned char)*c < 0x20 && !ctl)
			ctl = c;
		c++;
	}
	if (c >= jr->end)
		return sl_jr_error(jr, "a string is not closed");
	*s = jr->p + 1;
	*n = (size_t)(c - *s);
	if (ctl) {
		jr->p = ctl;
		return sl_jr_error(jr, "a control character in a string");
	}
	jr->p = c + 1;
	return 0;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void add_utf8(struct sl_buf *out, unsigned cp)
{
	if (cp < 0x80) {
		sl_buf_addch(out, (int)cp);
	} else if (cp < 0x800) {
		sl_buf_addch(out, (int)(0xC0 | cp >> 6));
		sl_buf_addch(out, (int)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		sl_buf_addch(out, (int)(0xE0 | cp >> 12));
		sl_buf_addch(out, (int)(0x80 | (cp >> 6 & 0x3F)));
		sl_buf_addch(out, (int)(0x80 | (cp & 0x3F)));
	} else {
		sl_buf_addch(out, (int)(0xF0 | cp >> 18));
		sl_buf_addch(out, (int)(0x80 | (cp >> 12 & 0x3F)));
		sl_buf_addch(out, (int)(0x80 | (cp >> 6 & 0x3F)));
		sl_buf_addch(out, (int)(0x80 | (cp & 0x3F)));
	}
}

/* Decodes the escapes of s[0..n) into out; -1 at a bad escape. */
static int unescape(struct sl_buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned cp, lo;

		if (s[i] != '\\') {
			sl_buf_addch(out, s[i]);
			continue;
		}
		if (++i >= n)
			return -1;
		switch (s[i]) {
		case '"':
		case '\\':
		case '/':
			sl_buf_addch(out, s[i]);
			continue;
		case 'b':
			sl_buf_addch(out, '\b');
			continue;
		case 'f':
			sl_buf_addch(out, '\f');
			continue;
		case 'n':
			sl_buf_addch(out, '\n');
			continue;
		case 'r':
			sl_buf_addch(out, '\r');
			continue;
		case 't':
			sl_buf_addch(out, '\t');
			continue;
		case 'u':
			break;
		default:
			return -1;
		}
		if (n - i < 5 || hex4(s + i + 1, &cp))
			return -1;
		i += 4;
		if (cp >= 0xD800 && cp < 0xDC00 && n - i >= 7 &&
		    s[i + 1] == '\\' && s[i + 2] == 'u' &&
		    !hex4(s + i + 3, &lo) && lo >= 0xDC00 && lo < 0xE000) {
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			i += 6;
		} else if (cp >= 0xD800 && cp < 0xE000) {
			cp = 0xFFFD; /* a lone surrogate */
		}
		if (!cp)
			return -1; /* a NUL would cut every name short */
		add_utf8(out, cp);
	}
	return 0;
}

/*
 * The string that must come next as s[0..n): the text's own bytes when
 * it holds no escape (no copy: most keys and values), else its decoding
 * in dec.
 */
static int read_string(struct sl_jr *jr, const char **s, size_t *n,
		       struct sl_buf *dec)
{
	const char *raw = NULL;
	size_t len = 0;
	bool escaped;
	int ret;

	skip_ws(jr);
	if (jr->p >= jr->end || *jr->p != '"')
		return sl_jr_error(jr, "expected a string");
	ret = scan_string(jr, &raw, &len, &escaped);
	if (ret)
		return ret;
	if (!escaped) {
		*s = raw;
		*n = len;
		return 0;
	}
	sl_buf_reset(dec);
	if (unescape(dec, raw, len)) {
		jr->p = raw;
		return sl_jr_error(jr, "a bad escape in a string");
	}
	*s = dec->buf;
	*n = dec->len;
	return 0;
}

int sl_jr_str(struct sl_jr *jr, struct sl_jstr *out)
{
	return read_string(jr, &out->s, &out->n, &out->dec);
}

int sl_jr_string(struct sl_jr *jr, struct sl_buf *out)
{
	const char *s;
	size_t n;
	int ret = read_string(jr, &s, &n, out);

	if (!ret && s != out->buf) {
		sl_buf_reset(out);
		sl_buf_add(out, s, n);
	}
	return ret;
}

void sl_jstr_release(struct sl_jstr *js)
{
	sl_buf_release(&js->dec);
	js->s = NULL;
	js->n = 0;
}

/* The key of the next member, as read_string() reads it, and its ':'. */
static int member(struct sl_jr *jr, const char **s, size_t *n,
		  struct sl_buf *dec)
{
	int ret = next_item(jr, '}');

	if (ret <= 0)
		return ret;
	if (jr->p >= jr->end || *jr->p != '"')
		return sl_jr_error(jr, "expected a key in double quotes");
	ret = read_string(jr, s, n, dec);
	if (ret)
		return ret;
	skip_ws(jr);
	if (jr->p >= jr->end || *jr->p != ':')
		return sl_jr_error(jr, "expected ':' after a key");
	jr->p++;
	return 1;
}

int sl_jr_key(struct sl_jr *jr, struct sl_jstr *key)
{
	return member(jr, &key->s, &key->n, &key->dec);
}

int sl_jr_element(struct sl_jr *jr)
{
	return next_item(jr, ']');
}

static int literal(struct sl_jr *jr, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(jr->end - jr->p) < n || memcmp(jr->p, word, n))
		return sl_jr_error(jr, "expected a value");
	jr->p += n;
	return 0;
}

static bool is_digit(const char *p, const char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

static int number(struct sl_jr *jr)
{
	const char *p = jr->p;

	if (p < jr->end && *p == '-')
		p++;
	if (!is_digit(p, jr->end))
		return sl_jr_error(jr, "a bad number");
	if (*p == '0')
		p++;
	else
		while (is_digit(p, jr->end))
			p++;
	if (p < jr->end && *p == '.') {
		if (!is_digit(++p, jr->end))
			return sl_jr_error(jr, "a bad number");
		while (is_digit(p, jr->end))
			p++;
	}
	if (p < jr->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < jr->end && (*p == '+' || *p == '-'))
			p++;
		if (!is_digit(p, jr->end))
			return sl_jr_error(jr, "a bad number");
		while (is_digit(p, jr->end))
			p++;
	}
	jr->p = p;
	return 0;
}

int sl_jr_uint(struct sl_jr *jr, uint64_t *out)
{
	const char *p;
	uint64_t v = 0;
	int ret = sl_jr_peek(jr);

	if (ret < 0)
		return ret;
	if (ret != SL_JT_NUMBER)
		return sl_jr_error(jr, "expected a number");
	p = jr->p;
	ret = number(jr);
	if (ret)
		return ret;
	for (; p < jr->p; p++) {
		if (*p < '0' || *p > '9' || v > UINT64_MAX / 10 - 9) {
			*out = UINT64_MAX; /* not a whole number we read */
			return 0;
		}
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return 0;
}

int sl_jr_skip(struct sl_jr *jr)
{
	struct sl_jstr key = SL_JSTR_INIT;
	unsigned base = jr->depth;
	int ret;

	/* Iterative: a skipped value may be as deep as the limit allows. */
	do {
		ret = sl_jr_peek(jr);
		if (ret < 0)
			break;
		switch (ret) {
		case SL_JT_OBJECT:
			ret = sl_jr_object(jr);
			break;
		case SL_JT_ARRAY:
			ret = sl_jr_array(jr);
			break;
		case SL_JT_STRING:
			ret = sl_jr_str(jr, &key); /* checks its escapes */
			break;
		case SL_JT_TRUE:
			ret = literal(jr, "true");
			break;
		case SL_JT_FALSE:
			ret = literal(jr, "false");
			break;
		case SL_JT_NULL:
			ret = literal(jr, "null");
			break;
		default:
			ret = number(jr);
			break;
		}
		/* Close every level that ends here; stop at one that goes on. */
		while (!ret && jr->depth > base) {
			bool obj = jr->open_obj[jr->depth - 1];

			ret = obj ? sl_jr_key(jr, &key) : sl_jr_element(jr);
			if (ret > 0) {
				ret = 0;
				break;
			}
		}
	} while (!ret && jr->depth > base);
	sl_jstr_release(&key);
	return ret < 0 ? ret : 0;
}

int sl_jr_end(struct sl_jr *jr)
{
	skip_ws(jr);
	if (jr->p != jr->end)
		return sl_jr_error(jr, "text after the end of the document");
	return 0;
}

/* One step of the hash: a bijection of h for each v, so two texts that
 * differ in one byte or word never hash alike. */
static uint64_t mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9E3779B97F4A7C15ull;
	return h ^ h >> 32;
}

/* The end of the string whose contents start at c: its closing quote,
 * or end. */
static const char *string_end(const char *c, const char *end)
{
	for (;;) {
		c = plain_end(c, end);
		if (c >= end || *c == '"')
			return c;
		c += *c == '\\' && c + 1 < end ? 2 : 1;
	}
}

uint64_t sl_jr_hash(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	uint64_t h = 0;

	while (p < end) {
		const char *q;

		if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') {
			p++;
			continue;
		}
		if (*p != '"') {
			h = mix(h, (unsigned char)*p++);
			continue;
		}
		/* A string as written, quotes included: by the word, then
		 * the bytes left. */
		q = string_end(p + 1, end);
		q = q < end ? q + 1 : q;
		for (; q - p >= 8; p += 8) {
			uint64_t w;

			memcpy(&w, p, 8);
			h = mix(h, w);
		}
		while (p < q)
			h = mix(h, (unsigned char)*p++);
	}
	return h;
}
