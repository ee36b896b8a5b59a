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

/* The same document built with jansson and with the streaming writer. */
static void build_both(json_t **tree, struct sl_buf *text)
{
	/* Escapes first, last, in runs and alone, between plain runs. */
	static const char tricky[] =
	    "\"q\"b\\s/ctl\x01\x1f\t\n\r\x7f caf\xC3\xA9\x02\\";
	static const char latin1[] = "dir/caf\xE9.c";
	struct sl_json_writer w;
	json_t *arr = json_array(), *inner = json_object();

	*tree = json_object();
	sl_json_set(*tree, "s", sl_json_text(tricky, sizeof(tricky) - 1));
	sl_json_set(*tree, "n", json_integer(-42));
	sl_json_set(*tree, "t", json_true());
	sl_json_set(*tree, "z", json_null());
	sl_json_set(*tree, "empty_a", json_array());
	sl_json_set(*tree, "empty_o", json_object());
	sl_json_set_path(inner, "path", latin1, sizeof(latin1) - 1);
	sl_json_append(arr, inner);
	sl_json_append(arr, json_string("x"));
	sl_json_set(*tree, "arr", arr);

	sl_jw_init(&w, text);
	sl_jw_object(&w);
	sl_jw_key(&w, "s");
	sl_jw_string(&w, tricky, sizeof(tricky) - 1);
	sl_jw_key(&w, "n");
	sl_jw_int(&w, -42);
	sl_jw_key(&w, "t");
	sl_jw_bool(&w, true);
	sl_jw_key(&w, "z");
	sl_jw_str(&w, NULL);
	sl_jw_key(&w, "empty_a");
	sl_jw_array(&w);
	sl_jw_end(&w, ']');
	sl_jw_key(&w, "empty_o");
	sl_jw_object(&w);
	sl_jw_end(&w, '}');
	sl_jw_key(&w, "arr");
	sl_jw_array(&w);
	sl_jw_object(&w);
	sl_jw_path(&w, "path", latin1, sizeof(latin1) - 1);
	sl_jw_end(&w, '}');
	sl_jw_str(&w, "x");
	sl_jw_end(&w, ']');
	sl_jw_end(&w, '}');
}

static void writer__matches_jansson_byte_for_byte(void **state)
{
	struct sl_buf text = SL_BUF_INIT;
	json_t *tree;
	char *dumped;

	(void)state;
	build_both(&tree, &text);
	dumped = json_dumps(tree, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	assert_non_null(dumped);
	assert_int_equal(text.len, strlen(dumped) + 1);
	assert_memory_equal(text.buf, dumped, strlen(dumped));
	assert_int_equal(text.buf[text.len - 1], '\n');
	free(dumped);
	json_decref(tree);
	sl_buf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(json__utf8_path_has_no_twin),
	    cmocka_unit_test(json__latin1_path_round_trips_through_dump),
	    cmocka_unit_test(json__every_length_mod_3_round_trips),
	    cmocka_unit_test(json__malformed_base64_is_an_error),
	    cmocka_unit_test(writer__matches_jansson_byte_for_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
