/*
 * text.c: UTF-8 validation, paths quoted as git quotes them, and the
 * monotonic clock: small facts about bytes and time that several folders
 * need.
 */
#include "common/common.h"

#include <time.h>

size_t sl_utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (avail < n)
		return 0;
	/* The second byte's range rules out overlongs and surrogates. */
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

bool sl_utf8_valid(const char *data, size_t len)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0;

	while (i < len) {
		size_t n;
		uint64_t word;

		/* Paths are mostly ASCII: take 8 bytes at a time while so. */
		if (i + 8 <= len) {
			memcpy(&word, s + i, sizeof(word));
			if (!(word & UINT64_C(0x8080808080808080))) {
				i += 8;
				continue;
			}
		}
		n = sl_utf8_seq_len(s + i, len - i);

		if (!n)
			return false;
		i += n;
	}
	return true;
}

void sl_utf8_lossy(struct sl_buf *sb, const char *data, size_t len)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0;

	while (i < len) {
		size_t n = sl_utf8_seq_len(s + i, len - i);

		if (n) {
			sl_buf_add(sb, s + i, n);
			i += n;
		} else {
			sl_buf_adds(sb, "\xEF\xBF\xBD");
			i++;
		}
	}
}

void sl_buf_add_quoted_path(struct sl_buf *out, const char *path, size_t len)
{
	static const char esc_from[] = "\a\b\t\n\v\f\r\"\\";
	static const char esc_to[] = "abtnvfr\"\\";
	const char *e;
	bool quote = false;
	size_t i;

	for (i = 0; i < len && !quote; i++)
		quote = (unsigned char)path[i] < 0x20 || path[i] == 0x7f ||
			path[i] == '"' || path[i] == '\\';
	if (!quote) {
		sl_buf_add(out, path, len);
		return;
	}
	sl_buf_addch(out, '"');
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)path[i];

		e = ch ? strchr(esc_from, ch) : NULL;
		if (e)
			sl_buf_addf(out, "\\%c", esc_to[e - esc_from]);
		else if (ch < 0x20 || ch == 0x7f)
			sl_buf_addf(out, "\\%03o", ch);
		else
			sl_buf_addch(out, (char)ch);
	}
	sl_buf_addch(out, '"');
}

uint64_t sl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
