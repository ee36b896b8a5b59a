/*
 * test_buf.c: sl_buf, sl_strvec, sl_error and UTF-8 validation.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

static void buf__starts_empty_and_terminated(void **state)
{
	struct sl_buf sb = SL_BUF_INIT;

	(void)state;
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	sl_buf_release(&sb);
	assert_string_equal(sb.buf, "");
}

static void buf__grows_and_keeps_binary(void **state)
{
	struct sl_buf sb = SL_BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 10000; i++)
		sl_buf_addch(&sb, i % 2 ? 'x' : '\0');
	assert_int_equal(sb.len, 10000);
	assert_int_equal(sb.buf[0], '\0');
	assert_int_equal(sb.buf[9999], 'x');
	assert_int_equal(sb.buf[10000], '\0');
	sl_buf_release(&sb);
}

static void buf__addf_formats_long_strings(void **state)
{
	struct sl_buf sb = SL_BUF_INIT;
	char big[5000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sl_buf_addf(&sb, "<%s|%d>", big, 42);
	assert_int_equal(sb.len, sizeof(big) - 1 + 5);
	assert_memory_equal(sb.buf + sb.len - 4, "|42>", 4);
	sl_buf_release(&sb);
}

static void buf__adds3_appends_the_three_as_addf_would(void **state)
{
	struct sl_buf sb = SL_BUF_INIT, want = SL_BUF_INIT;

	(void)state;
	sl_buf_adds(&sb, "x:");
	sl_buf_adds3(&sb, "in lane '", "web", "'");
	sl_buf_adds3(&sb, "", "", "");
	sl_buf_adds3(&sb, " an entry of ", "'paths'", "");
	sl_buf_addf(&want, "x:%s%s%s%s%s", "in lane '", "web", "'",
		    " an entry of ", "'paths'");
	assert_string_equal(sb.buf, want.buf);
	assert_int_equal(sb.len, want.len);
	sl_buf_release(&sb);
	sl_buf_release(&want);
}

static void buf__detach_hands_over_the_string(void **state)
{
	struct sl_buf sb = SL_BUF_INIT;
	size_t len;
	char *s;

	(void)state;
	sl_buf_adds(&sb, "hello");
	s = sl_buf_detach(&sb, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	assert_int_equal(sb.len, 0);
	free(s);
	s = sl_buf_detach(&sb, NULL);
	assert_string_equal(s, "");
	free(s);
}

static void buf__read_file_refuses_past_the_limit(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf sb = SL_BUF_INIT;

	(void)state;
	assert_int_equal(sl_buf_read_file(&sb, "/etc/passwd", 4, &err),
			 SL_EUSAGE);
	assert_non_null(strstr(sl_error_message(&err), "limit of 4 bytes"));
	assert_int_equal(sl_buf_read_file(&sb, "/nonexistent/x", 4, &err),
			 SL_EENV);
	assert_non_null(strstr(sl_error_message(&err), "'/nonexistent/x'"));
	sl_buf_release(&sb);
	sl_error_release(&err);
}

static void error__prefix_keeps_status(void **state)
{
	struct sl_error err = SL_ERROR_INIT;

	(void)state;
	assert_int_equal(sl_error_set(&err, SL_ERULES, "bad %s", "key"),
			 SL_ERULES);
	sl_error_prefix(&err, "%s:%d:%d", "sluice.yml", 3, 5);
	assert_string_equal(sl_error_message(&err), "sluice.yml:3:5: bad key");
	assert_int_equal(err.status, SL_ERULES);
	assert_int_equal(sl_error_set(NULL, SL_EENV, "x"), SL_EENV);
	sl_error_release(&err);
}

static void strvec__is_null_terminated(void **state)
{
	struct sl_strvec sv = SL_STRVEC_INIT;

	(void)state;
	assert_null(sv.v[0]);
	sl_strvec_push(&sv, "a");
	sl_strvec_pushf(&sv, "%d", 7);
	assert_int_equal(sv.n, 2);
	assert_string_equal(sv.v[1], "7");
	assert_null(sv.v[2]);
	sl_strvec_release(&sv);
	assert_null(sv.v[0]);
}

static void utf8__rejects_overlongs_and_surrogates(void **state)
{
	(void)state;
	assert_true(sl_utf8_valid("plain/ascii.c", 13));
	assert_true(sl_utf8_valid("caf\xC3\xA9", 5));
	assert_true(sl_utf8_valid("\xF0\x9F\x98\x80", 4));
	assert_false(sl_utf8_valid("\xC0\xAF", 2));	    /* overlong / */
	assert_false(sl_utf8_valid("\xED\xA0\x80", 3));	    /* surrogate */
	assert_false(sl_utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(sl_utf8_valid("caf\xE9", 4));	    /* latin-1 */
	assert_false(sl_utf8_valid("\xE2\x82", 2));	    /* truncated */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(buf__starts_empty_and_terminated),
	    cmocka_unit_test(buf__grows_and_keeps_binary),
	    cmocka_unit_test(buf__addf_formats_long_strings),
	    cmocka_unit_test(buf__adds3_appends_the_three_as_addf_would),
	    cmocka_unit_test(buf__detach_hands_over_the_string),
	    cmocka_unit_test(buf__read_file_refuses_past_the_limit),
	    cmocka_unit_test(error__prefix_keeps_status),
	    cmocka_unit_test(strvec__is_null_terminated),
	    cmocka_unit_test(utf8__rejects_overlongs_and_surrogates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
