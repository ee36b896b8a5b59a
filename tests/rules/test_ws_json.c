/*
 * test_ws_json.c: the pull reader of workspace manifests and lockfiles
 * (rules/ws_json.c), strict JSON with its errors at line:col, and the
 * workspace globs (rules/ws_glob.c) with minimatch's meaning.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rules/rules.h"
#include "rules/ws_internal.h"

/* Skips the whole document; returns the message or "" when it is valid. */
static char *check(const char *text)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_jr jr;
	char *msg;

	sl_jr_init(&jr, "f.json", text, strlen(text), &err);
	if (!sl_jr_skip(&jr))
		sl_jr_end(&jr);
	msg = sl_xstrdup(sl_error_message(&err));
	sl_error_release(&err);
	return msg;
}

static void valid(const char *text)
{
	char *msg = check(text);

	if (*msg)
		fail_msg("'%s': %s", text, msg);
	free(msg);
}

static void invalid(const char *text, const char *message)
{
	char *msg = check(text);

	assert_string_equal(msg, message);
	free(msg);
}

static void json__strict_json_with_positions(void **state)
{
	(void)state;
	valid("{}");
	valid(
	    " [1, -2.5e+3, 0, true, false, null, \"a\\u00e9\\ud83d\\ude00\"]");
	valid("\xEF\xBB\xBF{\"a\": {\"b\": [[], {}]}}\n");
	invalid("{\"a\": 01}", "f.json:1:8: not valid JSON: expected ',' or "
			       "'}'");
	invalid("[1,]", "f.json:1:4: not valid JSON: expected a value");
	invalid("{\"a\" 1}", "f.json:1:6: not valid JSON: expected ':' after "
			     "a key");
	invalid("{\n  \"a\": \"x\ty\"}", "f.json:2:10: not valid JSON: a "
					 "control character in a string");
	invalid("\"\\q\"", "f.json:1:2: not valid JSON: a bad escape in a "
			   "string");
	invalid("\"\\u12\"", "f.json:1:2: not valid JSON: a bad escape in a "
			     "string");
	invalid("\"\\u0000\"", "f.json:1:2: not valid JSON: a bad escape in a "
			       "string");
	invalid("[1] [2]", "f.json:1:5: not valid JSON: text after the end "
			   "of the document");
	invalid("tru", "f.json:1:1: not valid JSON: expected a value");
	invalid("{\"a\": \"open", "f.json:1:7: not valid JSON: a string is "
				  "not closed");
	invalid("-", "f.json:1:1: not valid JSON: a bad number");
	/* The string's end is found before its contents are judged. */
	invalid("[\"a\nb", "f.json:1:2: not valid JSON: a string is not "
			   "closed");
	invalid("[\"ab\\", "f.json:1:2: not valid JSON: a string is not "
			   "closed");
	invalid("[\"a\\\"\n\"]", "f.json:1:6: not valid JSON: a control "
				 "character in a string");
	invalid("[\"a\\\n\"]", "f.json:1:5: not valid JSON: a control "
			       "character in a string");
	valid("[\"a\\\"b\\\\\", \"\\\\\"]");
}

static void json__nesting_is_bounded(void **state)
{
	struct sl_buf sb = SL_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 64; i++)
		sl_buf_addch(&sb, '[');
	for (i = 0; i < 64; i++)
		sl_buf_addch(&sb, ']');
	valid(sb.buf);
	sl_buf_reset(&sb);
	for (i = 0; i < 100000; i++)
		sl_buf_addch(&sb, '[');
	invalid(sb.buf, "f.json:1:65: not valid JSON: nested deeper than 64 "
			"levels");
	sl_buf_release(&sb);
}

static void json__decoded_strings_and_hash(void **state)
{
	static const char text[] = "{\"k\\u00e9y\": \"a\\\"b\\/c\"}";
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf val = SL_BUF_INIT;
	struct sl_jstr key = SL_JSTR_INIT;
	struct sl_jr jr;

	(void)state;
	sl_jr_init(&jr, "f.json", text, strlen(text), &err);
	assert_int_equal(sl_jr_object(&jr), 0);
	assert_int_equal(sl_jr_key(&jr, &key), 1);
	assert_true(sl_jstr_is(&key, "k\xC3\xA9y"));
	assert_int_equal(sl_jr_string(&jr, &val), 0);
	assert_string_equal(val.buf, "a\"b/c");
	assert_int_equal(sl_jr_key(&jr, &key), 0);
	assert_int_equal(sl_jr_end(&jr), 0);
	/* Layout does not count; content and string contents do. */
	assert_true(sl_jr_hash("{\"a\": [1, 2]}", 13) ==
		    sl_jr_hash("{\n\t\"a\":[1,2]\n}", 14));
	assert_true(sl_jr_hash("{\"a\": \"x y\"}", 12) !=
		    sl_jr_hash("{\"a\": \"xy\"}", 11));
	assert_true(sl_jr_hash("[\"\\\"\", 1]", 9) !=
		    sl_jr_hash("[\"\\\",1\"]", 8));
	sl_jstr_release(&key);
	sl_buf_release(&val);
	sl_error_release(&err);
}

/* A string without an escape is the text's own bytes, not a copy; one
 * with an escape is its decoding; both are the same key to a caller. */
static void json__plain_strings_borrowed_escaped_decoded(void **state)
{
	static const char text[] = "{\"key\": \"v/w\", \"k\\u0065y\": "
				   "\"v\\/w\", \"\": \"\\ud83d\\ude00\"}";
	struct sl_error err = SL_ERROR_INIT;
	struct sl_jstr key = SL_JSTR_INIT, val = SL_JSTR_INIT;
	struct sl_jr jr;

	(void)state;
	sl_jr_init(&jr, "f.json", text, strlen(text), &err);
	assert_int_equal(sl_jr_object(&jr), 0);
	assert_int_equal(sl_jr_key(&jr, &key), 1);
	assert_ptr_equal(key.s, text + 2);
	assert_true(sl_jstr_is(&key, "key"));
	assert_false(sl_jstr_is(&key, "ke"));
	assert_false(sl_jstr_is(&key, "keys"));
	assert_int_equal(sl_jr_str(&jr, &val), 0);
	assert_ptr_equal(val.s, text + 9);
	assert_true(sl_jstr_is(&val, "v/w"));
	assert_int_equal(sl_jr_key(&jr, &key), 1);
	assert_ptr_equal(key.s, key.dec.buf);
	assert_true(sl_jstr_is(&key, "key"));
	assert_int_equal(sl_jr_str(&jr, &val), 0);
	assert_ptr_equal(val.s, val.dec.buf);
	assert_true(sl_jstr_is(&val, "v/w"));
	assert_int_equal(sl_jr_key(&jr, &key), 1);
	assert_true(sl_jstr_is(&key, ""));
	assert_int_equal(sl_jr_str(&jr, &val), 0);
	assert_true(sl_jstr_is(&val, "\xF0\x9F\x98\x80"));
	assert_int_equal(sl_jr_key(&jr, &key), 0);
	assert_int_equal(sl_jr_end(&jr), 0);
	sl_jstr_release(&key);
	sl_jstr_release(&val);
	sl_jstr_release(&val); /* twice is harmless */
	sl_error_release(&err);
}

/* The first error of a key or value read as a slice, at its place. */
static char *slice_error(const char *text)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_jstr key = SL_JSTR_INIT, val = SL_JSTR_INIT;
	struct sl_jr jr;
	int ret;
	char *msg;

	sl_jr_init(&jr, "f.json", text, strlen(text), &err);
	ret = sl_jr_object(&jr);
	while (!ret && (ret = sl_jr_key(&jr, &key)) > 0)
		ret = sl_jr_str(&jr, &val);
	msg = sl_xstrdup(sl_error_message(&err));
	sl_jstr_release(&key);
	sl_jstr_release(&val);
	sl_error_release(&err);
	return msg;
}

static void json__slices_keep_every_check(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
	    {"{\"a\\x\": \"1\"}",
	     "f.json:1:3: not valid JSON: a bad escape in a string"},
	    {"{\"a\": \"\\ud800\\u0000\"}",
	     "f.json:1:8: not valid JSON: a bad escape in a string"},
	    {"{\"a\":\n \"b\x01\"}",
	     "f.json:2:4: not valid JSON: a control character in a string"},
	    {"{\"a\x1f\": \"b\"}",
	     "f.json:1:4: not valid JSON: a control character in a string"},
	    {"{\"a\": \"b", "f.json:1:7: not valid JSON: a string is not "
			    "closed"},
	    {"{\"a\": 1}", "f.json:1:7: not valid JSON: expected a string"},
	    {"{\"a\" \"b\"}", "f.json:1:6: not valid JSON: expected ':' after "
			      "a key"},
	    {"{a: \"b\"}", "f.json:1:2: not valid JSON: expected a key in "
			   "double quotes"},
	    {"{\"a\": \"\\ud800\", \"\\udc00x\": \"\\u00e9\"}", ""},
	};
	size_t i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(cases); i++) {
		char *msg = slice_error(cases[i].text);

		if (strcmp(msg, cases[i].msg))
			fail_msg("'%s': '%s', not '%s'", cases[i].text, msg,
				 cases[i].msg);
		free(msg);
	}
}

/* Strings are scanned eight bytes at a time: a byte that stops the scan
 * (a control byte, a backslash, the closing quote) is found at each place
 * of a word, and bytes past 0x7F never stop it. */
static void json__every_place_of_a_word_is_checked(void **state)
{
	struct sl_buf text = SL_BUF_INIT, want = SL_BUF_INIT, got = SL_BUF_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_jr jr;
	size_t i;

	(void)state;
	for (i = 0; i < 20; i++) {
		char *msg;

		sl_buf_reset(&text);
		sl_buf_adds(&text, "[\"");
		while (text.len < i + 2)
			sl_buf_addch(&text, 'a');
		sl_buf_adds(&text, "\x01"
				   "bcdefghij\"]");
		msg = check(text.buf);
		sl_buf_reset(&want);
		sl_buf_addf(&want,
			    "f.json:1:%zu: not valid JSON: a control "
			    "character in a string",
			    i + 3);
		assert_string_equal(msg, want.buf);
		free(msg);

		/* An escaped quote anywhere, then more than a word. */
		sl_buf_setlen(&text, i + 2);
		sl_buf_adds(&text, "\\\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9z\"]");
		sl_jr_init(&jr, "f.json", text.buf, text.len, &err);
		assert_int_equal(sl_jr_array(&jr), 0);
		assert_int_equal(sl_jr_element(&jr), 1);
		assert_int_equal(sl_jr_string(&jr, &got), 0);
		sl_buf_reset(&want);
		sl_buf_add(&want, text.buf + 2, i);
		sl_buf_adds(&want, "\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9z");
		assert_string_equal(got.buf, want.buf);
		assert_int_equal(sl_jr_element(&jr), 0);
		assert_int_equal(sl_jr_end(&jr), 0);
	}
	sl_buf_release(&text);
	sl_buf_release(&want);
	sl_buf_release(&got);
	sl_error_release(&err);
}

/* The hash reads long strings by the word: each byte of one counts. */
static void json__hash_counts_each_byte_of_a_long_string(void **state)
{
	static const char base[] = "{\"integrity\": \"sha512-abcdefghijklmnop"
				   "qrstuvwxyz0123456789\", \"v\": [1, 2]}";
	static const char layout[] = "{\n  \"integrity\": \"sha512-abcdefghijk"
				     "lmnopqrstuvwxyz0123456789\",\n  \"v\": "
				     "[1,2]\n}";
	char text[sizeof(base)];
	uint64_t h = sl_jr_hash(base, strlen(base));
	size_t i;

	(void)state;
	assert_true(sl_jr_hash(layout, strlen(layout)) == h);
	for (i = 0; i < strlen(base); i++) {
		if (base[i] == ' ')
			continue;
		memcpy(text, base, sizeof(base));
		text[i] ^= 0x40;
		assert_true(sl_jr_hash(text, strlen(base)) != h);
	}
}

/* name, workspaces and "target(field)" of each dependency: one line. */
static char *pkg_text(const char *text)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_pkg_json pj;
	struct sl_buf sb = SL_BUF_INIT;
	size_t i;

	if (sl_pkg_json_parse(&pj, "package.json", text, strlen(text), &err))
		fail_msg("%s", sl_error_message(&err));
	sl_buf_addf(&sb, "%s [", pj.name ? pj.name : "(none)");
	for (i = 0; i < pj.workspaces.n; i++)
		sl_buf_addf(&sb, " %s", pj.workspaces.v[i]);
	sl_buf_adds(&sb, " ]");
	for (i = 0; i < pj.ndeps; i++)
		sl_buf_addf(&sb, " %s(%s)", sl_pkg_json_target(&pj, i),
			    pj.deps[i].field);
	sl_pkg_json_release(&pj);
	sl_error_release(&err);
	return sl_buf_detach(&sb, NULL);
}

/* JSON compares keys decoded: "dep\u0065ndencies" is dependencies. */
static void pkg_json__escaped_keys_and_values_read_alike(void **state)
{
	static const char plain[] =
	    "{\"name\": \"@s/app\", \"workspaces\": {\"packages\": "
	    "[\"libs/*\"]}, \"dependencies\": {\"x\": \"1\", \"al\": "
	    "\"npm:@s/y@^2\"}, \"devDependencies\": {\"w\": "
	    "\"workspace:z@*\", \"\xC3\xA9\": \"2\"}}";
	static const char escaped[] =
	    "{\"n\\u0061me\": \"@s\\/app\", \"w\\u006frkspaces\": "
	    "{\"p\\u0061ckages\": [\"libs\\/*\"]}, \"dep\\u0065ndencies\": "
	    "{\"\\u0078\": \"1\", \"al\": \"npm:@s\\/y\\u0040^2\"}, "
	    "\"devDependencies\": {\"w\": \"w\\u006frkspace:z@*\", "
	    "\"\\u00e9\": \"2\"}}";
	char *a = pkg_text(plain), *b = pkg_text(escaped);

	(void)state;
	assert_string_equal(a, "@s/app [ libs/* ] x(dependencies) "
			       "@s/y(dependencies) z(devDependencies) "
			       "\xC3\xA9(devDependencies)");
	assert_string_equal(b, a);
	free(a);
	free(b);
}

/* A package.json's dependencies, each by the package it names (an
 * alias's target), with its field; kept in one buffer (ws_npm.c). */
static void pkg_json__dependencies_by_target(void **state)
{
	static const char text[] =
	    "{\"name\": \"@s/app\", \"workspaces\": {\"packages\": "
	    "[\"libs/*\"]}, \"dependencies\": {\"x\": \"1\", \"al\": "
	    "\"npm:@s/y@^2\", \"w\": \"workspace:z@*\", \"bare\": "
	    "\"npm:\", \"odd\": \"npm:Q@1\", \"n\": 5}, "
	    "\"peerDependencies\": {\"x\": \"*\"}, \"scripts\": {\"a\": "
	    "\"b\"}, \"optionalDependencies\": {}}";
	struct sl_error err = SL_ERROR_INIT;
	struct sl_pkg_json pj;
	struct sl_buf sb = SL_BUF_INIT;
	size_t i;

	(void)state;
	assert_int_equal(
	    sl_pkg_json_parse(&pj, "package.json", text, strlen(text), &err),
	    0);
	assert_string_equal(pj.name, "@s/app");
	assert_true(pj.has_workspaces);
	assert_int_equal(pj.workspaces.n, 1);
	assert_string_equal(pj.workspaces.v[0], "libs/*");
	for (i = 0; i < pj.ndeps; i++)
		sl_buf_addf(&sb, "%s(%s) ", sl_pkg_json_target(&pj, i),
			    pj.deps[i].field);
	assert_string_equal(sb.buf, "x(dependencies) @s/y(dependencies) "
				    "z(dependencies) bare(dependencies) "
				    "odd(dependencies) n(dependencies) "
				    "x(peerDependencies) ");
	sl_pkg_json_release(&pj);
	assert_int_equal(pj.ndeps, 0);
	sl_pkg_json_release(&pj); /* twice is harmless */
	sl_buf_release(&sb);
	sl_error_release(&err);
}

static void glob__minimatch_meaning(void **state)
{
	char *prefix;
	unsigned depth;

	(void)state;
	assert_true(sl_ws_glob_match("packages/*", "packages/a"));
	assert_false(sl_ws_glob_match("packages/*", "packages/a/b"));
	assert_false(sl_ws_glob_match("packages/*", "packages/.hidden"));
	assert_true(sl_ws_glob_match("./packages/*/", "packages/a"));
	assert_true(sl_ws_glob_match("packages/**", "packages/a/b"));
	assert_true(sl_ws_glob_match("**/test/**", "libs/a/test/fix"));
	assert_true(sl_ws_glob_match("**/test/**", "test"));
	assert_true(sl_ws_glob_match("{apps,libs}/*", "libs/x"));
	assert_true(sl_ws_glob_match("apps/{web,api}-*", "apps/api-v2"));
	assert_false(sl_ws_glob_match("apps/{web,api}-*", "apps/cli-v2"));
	assert_true(sl_ws_glob_match("pkg-[a-c]?", "pkg-b1"));
	assert_false(sl_ws_glob_match("pkg-[!a-c]?", "pkg-b1"));
	assert_true(sl_ws_glob_match("app", "app"));
	assert_false(sl_ws_glob_match("app", "apps"));
	sl_ws_glob_base(&prefix, &depth, "packages/*");
	assert_string_equal(prefix, "packages");
	assert_int_equal(depth, 1);
	free(prefix);
	sl_ws_glob_base(&prefix, &depth, "apps/web");
	assert_string_equal(prefix, "apps/web");
	assert_int_equal(depth, 0);
	free(prefix);
	sl_ws_glob_base(&prefix, &depth, "libs/**/x");
	assert_string_equal(prefix, "libs");
	assert_int_equal(depth, UINT_MAX);
	free(prefix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(json__strict_json_with_positions),
	    cmocka_unit_test(json__nesting_is_bounded),
	    cmocka_unit_test(json__decoded_strings_and_hash),
	    cmocka_unit_test(json__plain_strings_borrowed_escaped_decoded),
	    cmocka_unit_test(json__slices_keep_every_check),
	    cmocka_unit_test(json__every_place_of_a_word_is_checked),
	    cmocka_unit_test(json__hash_counts_each_byte_of_a_long_string),
	    cmocka_unit_test(pkg_json__dependencies_by_target),
	    cmocka_unit_test(pkg_json__escaped_keys_and_values_read_alike),
	    cmocka_unit_test(glob__minimatch_meaning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
