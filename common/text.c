/*
 * text.c: UTF-8 validation, paths quoted (and unquoted) as git quotes
 * them, the one escaping of text for a terminal or a markdown file (no
 * control byte from input ever reaches either raw), and the monotonic
 * clock: small facts about bytes and time that several folders
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

/*
 * The length of the character at s (1 for a byte of an ill-formed
 * sequence), and in *unsafe whether a terminal or a markdown file must not
 * get it raw: C0 controls and DEL, C1 controls (U+0080..U+009F, which some
 * terminals take as CSI and OSC), a byte of an ill-formed sequence (the
 * same, for a terminal in an 8-bit mode), and the bidirectional overrides
 * and isolates (U+202A..U+202E, U+2066..U+2069), which reorder what is
 * shown after them.
 */
static size_t classify(const unsigned char *s, size_t avail, bool *unsafe)
{
	size_t n = sl_utf8_seq_len(s, avail);

	if (!n) {
		*unsafe = true;
		return 1;
	}
	if (n == 1)
		*unsafe = s[0] < 0x20 || s[0] == 0x7f;
	else if (n == 2)
		*unsafe = s[0] == 0xC2 && s[1] < 0xA0;
	else if (n == 3 && s[0] == 0xE2 && s[1] == 0x80)
		*unsafe = s[2] >= 0xAA && s[2] <= 0xAE;
	else if (n == 3 && s[0] == 0xE2 && s[1] == 0x81)
		*unsafe = s[2] >= 0xA6 && s[2] <= 0xA9;
	else
		*unsafe = false;
	return n;
}

/* Appends the bytes of one unsafe character as C escapes. */
static void add_escaped(struct sl_buf *out, const unsigned char *s, size_t n)
{
	static const char esc_from[] = "\a\b\t\n\v\f\r";
	static const char esc_to[] = "abtnvfr";
	size_t i;

	for (i = 0; i < n; i++) {
		const char *e =
		    s[i] && s[i] < 0x20 ? strchr(esc_from, s[i]) : NULL;

		if (e)
			sl_buf_addf(out, "\\%c", esc_to[e - esc_from]);
		else
			sl_buf_addf(out, "\\%03o", s[i]);
	}
}

bool sl_text_is_safe(const char *data, size_t len)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0;
	bool unsafe = false;

	while (i < len && !unsafe)
		i += classify(s + i, len - i, &unsafe);
	return !unsafe;
}

void sl_buf_add_safe(struct sl_buf *out, const char *data, size_t len,
		     unsigned flags)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0, start = 0;

	while (i < len) {
		bool unsafe;
		size_t n = classify(s + i, len - i, &unsafe);

		if (unsafe && (flags & SL_SAFE_LINES) && n == 1 &&
		    (s[i] == '\n' || s[i] == '\t'))
			unsafe = false;
		if (unsafe) {
			sl_buf_add(out, s + start, i - start);
			add_escaped(out, s + i, n);
			start = i + n;
		}
		i += n;
	}
	sl_buf_add(out, s + start, len - start);
}

void sl_buf_adds_safe(struct sl_buf *out, const char *s)
{
	sl_buf_add_safe(out, s, strlen(s), 0);
}

void sl_buf_add_quoted_path(struct sl_buf *out, const char *path, size_t len)
{
	const unsigned char *s = (const unsigned char *)path;
	bool quote = !sl_text_is_safe(path, len);
	size_t i;

	for (i = 0; i < len && !quote; i++)
		quote = path[i] == '"' || path[i] == '\\';
	if (!quote) {
		sl_buf_add(out, path, len);
		return;
	}
	/* As git quotes (C escapes, octal bytes): sl_path_unquote() reads
	 * it back. */
	sl_buf_addch(out, '"');
	for (i = 0; i < len;) {
		bool unsafe;
		size_t n = classify(s + i, len - i, &unsafe);

		if (unsafe)
			add_escaped(out, s + i, n);
		else if (s[i] == '"' || s[i] == '\\')
			sl_buf_addf(out, "\\%c", s[i]);
		else
			sl_buf_add(out, s + i, n);
		i += n;
	}
	sl_buf_addch(out, '"');
}

int sl_path_unquote(struct sl_buf *out, const char *s, size_t len)
{
	static const char esc_from[] = "abtnvfr\"\\";
	static const char esc_to[] = "\a\b\t\n\v\f\r\"\\";
	const char *e;
	size_t i;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return -1;
	for (i = 1; i + 1 < len; i++) {
		if (s[i] == '"')
			return -1;
		if (s[i] != '\\') {
			sl_buf_addch(out, s[i]);
			continue;
		}
		if (++i + 1 >= len)
			return -1;
		e = s[i] ? strchr(esc_from, s[i]) : NULL;
		if (e) {
			sl_buf_addch(out, esc_to[e - esc_from]);
		} else if (s[i] >= '0' && s[i] <= '3' && i + 3 < len &&
			   s[i + 1] >= '0' && s[i + 1] <= '7' &&
			   s[i + 2] >= '0' && s[i + 2] <= '7') {
			sl_buf_addch(out, (char)((s[i] - '0') << 6 |
						 (s[i + 1] - '0') << 3 |
						 (s[i + 2] - '0')));
			i += 2;
		} else {
			return -1;
		}
	}
	return 0;
}

uint64_t sl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
