/*
 * json_writer.c: JSON text written as it is produced, for the outputs
 * that grow with the size of a change. jansson builds a tree of objects
 * (a hash table for each) before it writes a byte; for `select --format
 * json` on a large change that tree was a large share of the whole run
 * (docs/design.md, "JSON: jansson, and one streaming writer"). This
 * writer appends to one buffer, in the same layout as jansson's
 * JSON_INDENT(2) and with the same string escaping as common/json.c.
 */
#include "common/common.h"

void sl_jw_init(struct sl_json_writer *w, struct sl_buf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->empty[0] = true;
}

static void indent(struct sl_json_writer *w)
{
	size_t n = 1 + 2 * (size_t)w->depth;

	sl_buf_grow(w->out, n);
	w->out->buf[w->out->len] = '\n';
	memset(w->out->buf + w->out->len + 1, ' ', n - 1);
	sl_buf_setlen(w->out, w->out->len + n);
}

/* Before a value or a key: the separator and the indentation. */
static void separate(struct sl_json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->depth)
		return;
	if (!w->empty[w->depth])
		sl_buf_addch(w->out, ',');
	w->empty[w->depth] = false;
	indent(w);
}

static void open_container(struct sl_json_writer *w, char open)
{
	separate(w);
	sl_buf_addch(w->out, open);
	if (w->depth + 1 >= SL_JSON_WRITER_DEPTH) {
		fprintf(stderr, "sluice: BUG: JSON nested too deeply\n");
		abort();
	}
	w->empty[++w->depth] = true;
}

void sl_jw_object(struct sl_json_writer *w)
{
	open_container(w, '{');
}

void sl_jw_array(struct sl_json_writer *w)
{
	open_container(w, '[');
}

void sl_jw_end(struct sl_json_writer *w, char close)
{
	bool empty = w->empty[w->depth];

	w->depth--;
	if (!empty)
		indent(w);
	sl_buf_addch(w->out, close);
	if (!w->depth)
		sl_buf_addch(w->out, '\n');
}

void sl_jw_key(struct sl_json_writer *w, const char *key)
{
	size_t len = strlen(key);
	char *at;

	separate(w);
	sl_buf_grow(w->out, len + 4);
	at = w->out->buf + w->out->len;
	at[0] = '"';
	memcpy(at + 1, key, len);
	memcpy(at + 1 + len, "\": ", 3);
	sl_buf_setlen(w->out, w->out->len + len + 4);
	w->after_key = true;
}

/* The bytes a JSON string must escape: the controls, '"' and '\\'. */
/* clang-format off */
static const unsigned char must_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1,
};
/* clang-format on */

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/*
 * Might one of the 8 bytes in w need an escape (a control, '"' or '\\')?
 * Bit tricks on the whole word: a byte below 0x20 borrows into its high
 * bit, and a byte equal to c leaves a zero in w ^ c; borrows can make it
 * say yes wrongly, never no. Bytes of 0x80 and up need none.
 */
static inline bool word_needs_escape(uint64_t w)
{
	uint64_t quote = w ^ (ONES * '"'), backslash = w ^ (ONES * '\\');

	return (((w - ONES * 0x20) & ~w) | ((quote - ONES) & ~quote) |
		((backslash - ONES) & ~backslash)) &
	       HIGHS;
}

/*
 * Writes s escaped at `at`, which has room for it (an escape takes at most
 * 6 bytes for 1), checking that it is UTF-8 as it goes: returns where it
 * ended, or NULL (and what it wrote is garbage) when s is not UTF-8.
 */
static char *escape_utf8(char *at, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0;

	while (i < len) {
		unsigned char c;
		uint64_t w;

		/* Most text is ASCII that needs no escape: a word at a time. */
		while (i + 8 <= len) {
			memcpy(&w, s + i, sizeof(w));
			if ((w & HIGHS) || word_needs_escape(w))
				break;
			memcpy(at, &w, sizeof(w));
			at += 8;
			i += 8;
		}
		if (i == len)
			break;
		c = (unsigned char)s[i];
		if (c >= 0x80) {
			size_t n = sl_utf8_seq_len((const unsigned char *)s + i,
						   len - i);

			if (!n)
				return NULL;
			memcpy(at, s + i, n);
			at += n;
			i += n;
			continue;
		}
		i++;
		if (!must_escape[c]) {
			*at++ = (char)c;
		} else if (c == '"' || c == '\\') {
			*at++ = '\\';
			*at++ = (char)c;
		} else if (c == '\n' || c == '\t' || c == '\r') {
			*at++ = '\\';
			*at++ = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
		} else {
			memcpy(at, "\\u00", 4);
			at[4] = hex[c >> 4];
			at[5] = hex[c & 15];
			at += 6;
		}
	}
	return at;
}

/*
 * The string itself, quoted, once the separator is written; text that is
 * not UTF-8 is written as sl_utf8_lossy() makes it. Returns whether it was
 * UTF-8.
 */
static bool quote(struct sl_buf *out, const char *s, size_t len)
{
	struct sl_buf lossy = SL_BUF_INIT;
	char *end;
	bool valid;

	sl_buf_grow(out, sl_st_add(sl_st_mult(len, 6), 2));
	out->buf[out->len] = '"';
	end = escape_utf8(out->buf + out->len + 1, s, len);
	valid = end != NULL;
	if (!valid) {
		sl_utf8_lossy(&lossy, s, len);
		sl_buf_grow(out, sl_st_add(sl_st_mult(lossy.len, 6), 2));
		end =
		    escape_utf8(out->buf + out->len + 1, lossy.buf, lossy.len);
		sl_buf_release(&lossy);
	}
	*end++ = '"';
	sl_buf_setlen(out, (size_t)(end - out->buf));
	return valid;
}

void sl_jw_string(struct sl_json_writer *w, const char *s, size_t len)
{
	separate(w);
	quote(w->out, s, len);
}

void sl_jw_str(struct sl_json_writer *w, const char *s)
{
	if (s)
		sl_jw_string(w, s, strlen(s));
	else
		sl_jw_null(w);
}

void sl_jw_int(struct sl_json_writer *w, int64_t v)
{
	separate(w);
	sl_buf_addf(w->out, "%" PRId64, v);
}

void sl_jw_bool(struct sl_json_writer *w, bool v)
{
	separate(w);
	sl_buf_adds(w->out, v ? "true" : "false");
}

void sl_jw_null(struct sl_json_writer *w)
{
	separate(w);
	sl_buf_adds(w->out, "null");
}

void sl_jw_path(struct sl_json_writer *w, const char *key, const char *path,
		size_t len)
{
	struct sl_buf twin = SL_BUF_INIT;

	sl_jw_key(w, key);
	separate(w);
	if (quote(w->out, path, len))
		return;
	sl_buf_addf(&twin, "%s_base64", key);
	sl_jw_key(w, twin.buf);
	separate(w);
	sl_buf_addch(w->out, '"');
	sl_base64_encode(w->out, (const unsigned char *)path, len);
	sl_buf_addch(w->out, '"');
	sl_buf_release(&twin);
}
