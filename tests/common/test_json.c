/*
 * test_json.c: paths that are not UTF-8 survive a JSON round trip.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>

static void json__utf8_path_has_no_twin(void **state)
{
	json_t *obj = json_object();
	struct sl_buf back = SL_BUF_INIT;

	(void)state;
	sl_json_set_path(obj, "path", "caf\xC3\xA9.c", 7);
	assert_string_equal(json_string_value(json_object_get(obj, "path")),
			    "caf\xC3\xA9.c");
	assert_null(json_object_get(obj, "path_base64"));
	assert_int_equal(sl_json_get_path(&back, obj, "path", NULL), 0);
	assert_string_equal(back.buf, "caf\xC3\xA9.c");
	json_decref(obj);
	sl_buf_release(&back);
}

static void json__latin1_path_round_trips_through_dump(void **state)
{
	static const char raw[] = "dir/caf\xE9\xFF\x80.c";
	struct sl_buf back = SL_BUF_INIT;
	json_t *obj = json_object(), *again;
	char *text;

	(void)state;
	sl_json_set_path(obj, "path", raw, sizeof(raw) - 1);
	text = json_dumps(obj, JSON_SORT_KEYS);
	assert_non_null(text);
	assert_non_null(strstr(text, "\\ufffd") ? text
						: strstr(text, "\xEF\xBF\xBD"));
	again = json_loads(text, 0, NULL);
	assert_non_null(again);
	assert_int_equal(sl_json_get_path(&back, again, "path", NULL), 0);
	assert_int_equal(back.len, sizeof(raw) - 1);
	assert_memory_equal(back.buf, raw, back.len);
	free(text);
	json_decref(obj);
	json_decref(again);
	sl_buf_release(&back);
}

static void json__every_length_mod_3_round_trips(void **state)
{
	struct sl_buf back = SL_BUF_INIT;
	char raw[8];
	size_t len;

	(void)state;
	for (len = 1; len < sizeof(raw); len++) {
		json_t *obj = json_object();

		memset(raw, '\xFE', len);
		sl_json_set_path(obj, "p", raw, len);
		assert_int_equal(sl_json_get_path(&back, obj, "p", NULL), 0);
		assert_int_equal(back.len, len);
		assert_memory_equal(back.buf, raw, len);
		json_decref(obj);
	}
	sl_buf_release(&back);
}

static void json__malformed_base64_is_an_error(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf back = SL_BUF_INIT;
	json_t *obj =
	    json_pack("{s:s, s:s}", "path", "x", "path_base64", "a=b=");

	(void)state;
	assert_int_equal(sl_json_get_path(&back, obj, "path", &err), SL_EUSAGE);
	assert_non_null(strstr(sl_error_message(&err), "path_base64"));
	assert_int_equal(sl_json_get_path(&back, obj, "missing", &err),
			 SL_EUSAGE);
	json_decref(obj);
	sl_buf_release(&back);
	sl_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(json__utf8_path_has_no_twin),
	    cmocka_unit_test(json__latin1_path_round_trips_through_dump),
	    cmocka_unit_test(json__every_length_mod_3_round_trips),
	    cmocka_unit_test(json__malformed_base64_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
