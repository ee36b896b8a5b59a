/*
 * json.c: the jansson helpers every JSON writer shares. jansson refuses
 * strings that are not UTF-8 by returning NULL, and a NULL handed to a
 * *_set_new() call is dropped without a word; so every string that comes
 * from outside (paths, log text) goes through sl_json_text(), and every
 * insertion through sl_json_set()/sl_json_append(), which check.
 */
#include "common/common.h"

#include <jansson.h>

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

SL_NORETURN static void die_jansson(const char *what)
{
	fprintf(stderr, "sluice: BUG: jansson refused %s\n", what);
	abort();
}

json_t *sl_json_text(const char *data, size_t len)
{
	struct sl_buf sb = SL_BUF_INIT;
	json_t *s;

	if (sl_utf8_valid(data, len)) {
		s = json_stringn(data, len);
	} else {
		sl_utf8_lossy(&sb, data, len);
		s = json_stringn(sb.buf, sb.len);
		sl_buf_release(&sb);
	}
	if (!s)
		die_jansson("a string");
	return s;
}

void sl_base64_encode(struct sl_buf *out, const unsigned char *in, size_t len)
{
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
			     in[i + 2];
		sl_buf_addch(out, b64_alphabet[v >> 18 & 63]);
		sl_buf_addch(out, b64_alphabet[v >> 12 & 63]);
		sl_buf_addch(out, b64_alphabet[v >> 6 & 63]);
		sl_buf_addch(out, b64_alphabet[v & 63]);
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		sl_buf_addch(out, b64_alphabet[v >> 18 & 63]);
		sl_buf_addch(out, b64_alphabet[v >> 12 & 63]);
		sl_buf_addch(out,
			     i + 1 < len ? b64_alphabet[v >> 6 & 63] : '=');
		sl_buf_addch(out, '=');
	}
}

static int base64_value(char c)
{
	const char *p = c ? strchr(b64_alphabet, c) : NULL;

	return p ? (int)(p - b64_alphabet) : -1;
}

/* Returns 0, or -1 when in is not canonical padded base64. */
static int base64_decode(struct sl_buf *out, const char *in, size_t len)
{
	size_t i;

	if (len % 4)
		return -1;
	for (i = 0; i < len; i += 4) {
		int a = base64_value(in[i]), b = base64_value(in[i + 1]);
		int c = in[i + 2] == '=' ? 0 : base64_value(in[i + 2]);
		int d = in[i + 3] == '=' ? 0 : base64_value(in[i + 3]);
		bool last = i + 4 == len;
		uint32_t v;

		if (a < 0 || b < 0 || c < 0 || d < 0)
			return -1;
		if (!last && (in[i + 2] == '=' || in[i + 3] == '='))
			return -1;
		if (in[i + 2] == '=' && in[i + 3] != '=')
			return -1;
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 |
		    (uint32_t)d;
		sl_buf_addch(out, (int)(v >> 16 & 0xFF));
		if (in[i + 2] != '=')
			sl_buf_addch(out, (int)(v >> 8 & 0xFF));
		if (in[i + 3] != '=')
			sl_buf_addch(out, (int)(v & 0xFF));
	}
	return 0;
}

void sl_json_set(json_t *obj, const char *key, json_t *value)
{
	/* json_object_set_new() steals value, even when it fails. */
	if (!value || json_object_set_new(obj, key, value))
		die_jansson(key);
}

void sl_json_append(json_t *arr, json_t *value)
{
	/* json_array_append_new() steals value, even when it fails. */
	if (!value || json_array_append_new(arr, value))
		die_jansson("an array element");
}

void sl_json_dump(struct sl_buf *out, json_t *root, size_t flags)
{
	char *text = json_dumps(root, flags | JSON_PRESERVE_ORDER);

	if (!text)
		die_jansson("to encode a document");
	sl_buf_adds(out, text);
	sl_buf_addch(out, '\n');
	free(text);
	json_decref(root);
}

void sl_json_set_path(json_t *obj, const char *key, const char *path,
		      size_t len)
{
	struct sl_buf twin = SL_BUF_INIT, b64 = SL_BUF_INIT;

	sl_json_set(obj, key, sl_json_text(path, len));
	if (sl_utf8_valid(path, len))
		return;
	sl_buf_addf(&twin, "%s_base64", key);
	sl_base64_encode(&b64, (const unsigned char *)path, len);
	sl_json_set(obj, twin.buf, json_stringn(b64.buf, b64.len));
	sl_buf_release(&twin);
	sl_buf_release(&b64);
}

int sl_json_get_path(struct sl_buf *out, const json_t *obj, const char *key,
		     struct sl_error *err)
{
	struct sl_buf twin = SL_BUF_INIT;
	const json_t *text = json_object_get(obj, key), *raw;
	int ret = 0;

	sl_buf_reset(out);
	sl_buf_addf(&twin, "%s_base64", key);
	raw = json_object_get(obj, twin.buf);
	if (!json_is_string(text)) {
		ret = sl_error_set(err, SL_EUSAGE,
				   "'%s' is missing or not a string", key);
	} else if (!raw) {
		sl_buf_add(out, json_string_value(text),
			   json_string_length(text));
	} else if (!json_is_string(raw) ||
		   base64_decode(out, json_string_value(raw),
				 json_string_length(raw))) {
		ret = sl_error_set(err, SL_EUSAGE, "'%s' is not valid base64",
				   twin.buf);
	}
	sl_buf_release(&twin);
	return ret;
}
