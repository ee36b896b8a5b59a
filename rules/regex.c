/*
 * regex.c: "re:EXPR" patterns, the one file that calls PCRE2 (and so the
 * one that converts its errors). An expression is compiled for 8-bit
 * subjects, byte-wise (never UTF: paths need not be UTF-8), with '.'
 * matching every byte, and anchored at both ends: it must match the WHOLE
 * path, and only the path itself (no leading-directory rule as globs
 * have). Matching runs under a match limit, a depth limit and a heap limit
 * (and the JIT's stack), so a hostile expression costs bounded time; a
 * match that hits one is an error naming the pattern and the path, never
 * a silent "no match".
 */
#include "common/common.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rules/internal.h"

/*
 * Generous for any expression a rules file needs on a path of PATH_MAX
 * bytes, small enough that a runaway one fails in milliseconds.
 */
#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 10000
#define HEAP_LIMIT_KIB (64 * 1024)

struct sl_regex {
	pcre2_code *code;
	pcre2_match_context *mctx;
	char *text; /* "re:EXPR", for messages */
};

static void pcre2_message(struct sl_buf *out, int code)
{
	PCRE2_UCHAR buf[256];

	if (pcre2_get_error_message(code, buf, sizeof(buf)) < 0)
		sl_buf_addf(out, "PCRE2 error %d", code);
	else
		sl_buf_adds(out, (const char *)buf);
}

int sl_regex_compile(struct sl_regex **out, const char *expr, const char *text,
		     struct sl_error *err)
{
	uint32_t options = PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_DOTALL |
			   PCRE2_NEVER_UTF | PCRE2_NEVER_UCP;
	struct sl_buf msg = SL_BUF_INIT;
	PCRE2_SIZE offset = 0;
	struct sl_regex *re;
	int code = 0, ret;

	*out = NULL;
	if (!*expr)
		return sl_error_set(err, SL_ERULES,
				    "pattern '%s' has an empty regular "
				    "expression, which matches no path",
				    text);
	re = sl_xcalloc(1, sizeof(*re));
	re->text = sl_xstrdup(text);
	re->code = pcre2_compile((PCRE2_SPTR)expr, PCRE2_ZERO_TERMINATED,
				 options, &code, &offset, NULL);
	if (!re->code) {
		pcre2_message(&msg, code);
		ret = sl_error_set(err, SL_ERULES,
				   "pattern '%s' is not a valid regular "
				   "expression: %s at offset %zu of the "
				   "expression",
				   text, msg.buf, (size_t)offset);
		sl_buf_release(&msg);
		sl_regex_free(re);
		return ret;
	}
	/* Without JIT support pcre2_match() interprets: slower, not wrong. */
	(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->mctx) {
		fputs("sluice: out of memory\n", stderr);
		abort();
	}
	pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(re->mctx, HEAP_LIMIT_KIB);
	*out = re;
	return 0;
}

void sl_regex_free(struct sl_regex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	pcre2_match_context_free(re->mctx);
	free(re->text);
	free(re);
}

static const char *limit_name(int rc)
{
	switch (rc) {
	case PCRE2_ERROR_MATCHLIMIT:
		return "match limit";
	case PCRE2_ERROR_DEPTHLIMIT:
		return "depth limit";
	case PCRE2_ERROR_HEAPLIMIT:
		return "heap limit";
	case PCRE2_ERROR_JIT_STACKLIMIT:
		return "JIT stack limit";
	default:
		return NULL;
	}
}

int sl_regex_match(const struct sl_regex *re, const char *path, size_t len,
		   struct sl_error *err)
{
	struct sl_buf msg = SL_BUF_INIT, shown = SL_BUF_INIT;
	pcre2_match_data *md;
	const char *limit;
	int rc, ret;

	md = pcre2_match_data_create(1, NULL);
	if (!md) {
		fputs("sluice: out of memory\n", stderr);
		abort();
	}
	rc = pcre2_match(re->code, (PCRE2_SPTR)path, len, 0, 0, md, re->mctx);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	sl_utf8_lossy(&shown, path, len);
	limit = limit_name(rc);
	if (limit) {
		ret = sl_error_set(err, SL_ERULES,
				   "pattern '%s' hit the regular expression "
				   "%s on path '%s'; simplify it (nested "
				   "repetition like '(a+)+' backtracks without "
				   "end)",
				   re->text, limit, shown.buf);
	} else {
		pcre2_message(&msg, rc);
		ret = sl_error_set(err, SL_ERULES,
				   "pattern '%s' failed on path '%s': %s",
				   re->text, shown.buf, msg.buf);
	}
	sl_buf_release(&msg);
	sl_buf_release(&shown);
	return ret;
}
