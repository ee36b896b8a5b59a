/*
 * test_pattern.c: sl_pattern_compile() and sl_pattern_match(): the
 * gitignore corners people get wrong (each checked against git by
 * test_gitignore_diff.c as well), the patterns refused and why, matching
 * in linear time on hostile input, and re: patterns with their limits.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rules/rules.h"

static struct sl_buf last_error = SL_BUF_INIT;

/* Does pattern (which must compile) match path? */
static int matches_flags(const char *pattern, const char *path, unsigned flags)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_pattern *p;
	int ret;

	if (sl_pattern_compile(&p, pattern, &err))
		fail_msg("'%s' does not compile: %s", pattern,
			 sl_error_message(&err));
	ret = sl_pattern_match(p, path, strlen(path), flags, &err);
	assert_true(ret == 0 || ret == 1);
	sl_pattern_free(p);
	sl_error_release(&err);
	return ret;
}

static int matches(const char *pattern, const char *path)
{
	return matches_flags(pattern, path, 0);
}

/* The message pattern is refused with; fails if it compiles. */
static const char *refused(const char *pattern)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_pattern *p = NULL;

	if (!sl_pattern_compile(&p, pattern, &err))
		fail_msg("'%s' compiled; it should be refused", pattern);
	assert_null(p);
	assert_int_equal(err.status, SL_ERULES);
	sl_buf_reset(&last_error);
	sl_buf_adds(&last_error, sl_error_message(&err));
	sl_error_release(&err);
	return last_error.buf;
}

#define assert_refused(pattern, needle)                                        \
	do {                                                                   \
		const char *msg_ = refused(pattern);                           \
		if (!strstr(msg_, needle))                                     \
			fail_msg("'%s' refused with \"%s\", expected \"%s\"",  \
				 pattern, msg_, needle);                       \
	} while (0)

/* ---- what matches --------------------------------------------------- */

static void match__star_matches_within_a_directory_and_below_it(void **state)
{
	(void)state;
	assert_true(matches("docs/*", "docs/a.md"));
	/* docs/a is a directory that docs/ * matches: all below it goes. */
	assert_true(matches("docs/*", "docs/a/b.md"));
	assert_false(matches("docs/*", "docs"));
	assert_false(matches("docs/*", "x/docs/a"));
}

static void match__double_star_crosses_dirs(void **state)
{
	(void)state;
	assert_true(matches("a/**/b", "a/b"));
	assert_true(matches("a/**/b", "a/x/b"));
	assert_true(matches("a/**/b", "a/x/y/b"));
	assert_true(matches("a/**/b", "a/x/y/b/c"));
	assert_false(matches("a/**/b", "a/xb"));
	assert_false(matches("a/**/b", "a/x/bc"));
	assert_true(matches("**/b", "b"));
	assert_true(matches("**/b", "x/y/b"));
	assert_true(matches("a/**", "a/x/y"));
	assert_true(matches("/**", "x"));
	/* The "match nothing" branch of "**" + "/" closes once it has
	 * matched something (a bug the differential test found). */
	assert_false(matches("x/**/[!/]", "x/abc"));
	assert_true(matches("x/**/[!/]", "x/y/a"));
	assert_true(matches("x/**/[!/]", "x/a"));
}

static void match__trailing_double_star_needs_something_below(void **state)
{
	(void)state;
	assert_false(matches("foo/**", "foo"));
	assert_false(matches_flags("foo/**", "foo", SL_MATCH_DIR));
	assert_true(matches("foo/**", "foo/x"));
}

static void match__trailing_slash_means_directories_only(void **state)
{
	(void)state;
	assert_false(matches("dir/", "dir"));
	assert_true(matches_flags("dir/", "dir", SL_MATCH_DIR));
	assert_true(matches("dir/", "dir/x"));
	assert_true(matches("dir/", "a/dir/x"));
	assert_false(matches("dir/", "a/dir"));
	assert_true(matches("a/dir/", "a/dir/x"));
	assert_false(matches("a/dir/", "a/dir"));
}

static void match__leading_slash_anchors(void **state)
{
	(void)state;
	assert_true(matches("/root", "root"));
	assert_true(matches("/root", "root/x"));
	assert_false(matches("/root", "x/root"));
	assert_true(matches("root", "x/root"));
}

static void match__name_without_slash_matches_at_any_depth(void **state)
{
	(void)state;
	assert_true(matches("b.md", "docs/a/b.md"));
	assert_true(matches("a", "x/a/y"));
	assert_true(matches("*.c", "src/deep/x.c"));
	assert_false(matches("*.c", "src/x.cc"));
	/* A middle slash anchors the pattern to the root. */
	assert_false(matches("a/b", "x/a/b"));
	assert_true(matches("a/b", "a/b/c"));
}

static void match__double_star_only_special_as_a_whole_segment(void **state)
{
	(void)state;
	assert_true(matches("a**b", "axxb"));
	assert_false(matches("x/a**b", "x/a/y/b"));
	assert_false(matches("x/**a", "x/y/ba"));
	assert_true(matches("x/**a", "x/ba"));
	assert_true(matches("x/***/y", "x/a/b/y"));
	/*
	 * git compares a literal prefix itself and hands wildmatch the
	 * rest, where a "**" is then leading: "foo**" + "/bar" matches
	 * "foobar" and "foo/x/bar" in git, so it does here.
	 */
	assert_true(matches("foo**/bar", "foobar"));
	assert_true(matches("foo**/bar", "foo/x/bar"));
}

static void match__wildcards_never_match_a_slash(void **state)
{
	(void)state;
	assert_false(matches("x/a?b", "x/a/b"));
	assert_false(matches("x/a*b", "x/a/b"));
	assert_false(matches("x/a[!c]b", "x/a/b"));
	assert_true(matches("x/a?b", "x/a-b"));
	assert_true(matches("x/a*b", "x/ab"));
}

static void match__classes(void **state)
{
	(void)state;
	assert_true(matches("[!a]*", "b"));
	assert_false(matches("[!a]*", "a"));
	assert_true(matches("[^a]", "b"));
	assert_false(matches("[^a]", "a"));
	assert_true(matches("[a-c]", "b"));
	assert_false(matches("[a-c]", "d"));
	/* A reversed range adds nothing but its first end, a member. */
	assert_true(matches("[c-ax]", "x"));
	assert_true(matches("[c-ax]", "c"));
	assert_false(matches("[c-ax]", "b"));
	assert_true(matches("[z-a]", "z"));
	assert_false(matches("[z-a]", "m"));
	assert_true(matches("[]a]", "]"));
	assert_true(matches("[]a]", "a"));
	assert_false(matches("[]a]", "b"));
	assert_false(matches("[!]]", "]"));
	assert_true(matches("[!]]", "x"));
	assert_true(matches("[a-]", "-"));
	assert_true(matches("[-a]", "-"));
	assert_true(matches("[\\]]", "]"));
	assert_true(matches("[[:alpha:]]", "Q"));
	assert_false(matches("[[:alpha:]]", "1"));
	assert_true(matches("[[:digit:]][[:upper:]]", "1Q"));
	assert_true(matches("[[:xdigit:]]", "f"));
	assert_false(matches("[[:xdigit:]]", "g"));
	assert_true(matches("[[:punct:]]", "]"));
	/* git's isspace: tab, LF, CR, space; not VT or FF. */
	assert_true(matches("a[[:space:]]b", "a\tb"));
	assert_false(matches("a[[:space:]]b", "a\vb"));
	/* "[[:" that does not close with ":]" is plain characters. */
	assert_true(matches("[[:]", ":"));
	assert_true(matches("[[:a]", "a"));
	/* POSIX classes are ASCII only; negation takes the rest. */
	assert_false(matches("[[:alpha:]]", "\xc3"));
	assert_true(matches("[!a]", "\xff"));
}

static void match__escapes_and_trailing_spaces(void **state)
{
	(void)state;
	assert_true(matches("\\*", "*"));
	assert_false(matches("\\*", "a"));
	assert_true(matches("\\[a]", "[a]"));
	assert_true(matches("\\#x", "#x"));
	assert_true(matches("\\!x", "!x"));
	/* Unescaped trailing spaces are stripped, as git does. */
	assert_true(matches("a  ", "a"));
	assert_false(matches("a  ", "a "));
	assert_true(matches("a\\ ", "a "));
	assert_false(matches("a\\ ", "a"));
	assert_true(matches("a\\  ", "a "));
	/* Leading spaces and a trailing tab stay. */
	assert_true(matches(" a", " a"));
	assert_true(matches("a\t", "a\t"));
	assert_false(matches("a\t", "a"));
}

static void match__is_bytewise_and_case_sensitive(void **state)
{
	(void)state;
	assert_false(matches("A", "a"));
	assert_false(matches("*.C", "x.c"));
	assert_true(matches("\xff*", "d/\xff\xfe"));
	assert_true(matches("?", "\xff"));
}

/* ---- what is refused -------------------------------------------------- */

static void compile__refuses_what_git_reads_differently(void **state)
{
	(void)state;
	assert_refused("", "empty pattern");
	assert_refused("   ", "only spaces");
	assert_refused("!x", "negation is not supported; carve paths out "
			     "with a later lane");
	assert_refused("#x", "'\\#'");
	assert_refused("a\nb", "line break");
	assert_refused("\xef\xbb\xbfx", "byte order mark");
}

static void compile__refuses_malformed_patterns(void **state)
{
	(void)state;
	assert_refused("[ab", "unterminated '[' at offset 0");
	assert_refused("x/[ab", "unterminated '[' at offset 2");
	assert_refused("[]", "unterminated '['");
	assert_refused("[[:alpha:]", "unterminated '['");
	assert_refused("a\\", "lone '\\'");
	assert_refused("[[:foo:]]", "unknown character class '[:foo:]'");
	assert_refused("[[::]]", "unknown character class");
}

static void compile__refuses_patterns_that_can_never_match(void **state)
{
	(void)state;
	assert_refused("//a", "empty path component");
	assert_refused("a//b", "empty path component");
	assert_refused("a//", "empty path component");
	assert_refused("/", "can never match");
	assert_refused("./a", "'.' or '..'");
	assert_refused("a/../b", "'.' or '..'");
	assert_refused("..", "'.' or '..'");
	assert_refused("x/[/]", "matches no byte");
	assert_refused("a[/]b", "can never match");
}

static void compile__accepts_odd_but_matching_patterns(void **state)
{
	(void)state;
	assert_true(matches("...", "..."));
	assert_true(matches(".a", "x/.a"));
	assert_true(matches("a/.*", "a/.b"));
	assert_true(matches("x/a\\/b", "x/a/b"));
}

/* ---- cost ------------------------------------------------------------- */

static void match__is_linear_on_hostile_input(void **state)
{
	static const char *const hostile[] = {
	    "*a*a*a*a*a*a*a*a*a*a*a",
	    "x/*a*a*a*a*a*a*a*a*a*a*a",
	    "**/**/**/**/**/**/**/**/**/**/b",
	    "**a**a**a**a**a**a**a**a**a**a**b",
	    "[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*c",
	};
	struct sl_buf flat = SL_BUF_INIT, deep = SL_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 10000; i++)
		sl_buf_addch(&flat, 'a');
	sl_buf_addch(&flat, '!');
	for (i = 0; i < 5000; i++)
		sl_buf_adds(&deep, "a/");
	sl_buf_addch(&deep, 'x');
	/* Exponential backtracking would not finish; this must, fast. */
	for (i = 0; i < SL_ARRAY_SIZE(hostile); i++) {
		assert_false(matches(hostile[i], flat.buf));
		assert_false(matches(hostile[i], deep.buf));
	}
	flat.buf[flat.len - 1] = 'a';
	assert_true(matches(hostile[0], flat.buf));
	sl_buf_release(&flat);
	sl_buf_release(&deep);
}

/* Patterns of 64 positions or more run on the multi-word automaton. */
static void match__long_patterns_mean_the_same(void **state)
{
	struct sl_buf pat = SL_BUF_INIT, path = SL_BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 40; i++)
		sl_buf_adds(&pat, "a*");
	for (i = 0; i < 40; i++)
		sl_buf_addch(&path, 'a');
	assert_true(matches(pat.buf, path.buf));
	assert_true(
	    matches(pat.buf, "x/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab/y"));
	sl_buf_setlen(&path, 39);
	assert_false(matches(pat.buf, path.buf));

	/* Anchored, with '?' and a trailing "**" + "/" + name. */
	sl_buf_reset(&pat);
	sl_buf_adds(&pat, "d/");
	for (i = 0; i < 40; i++)
		sl_buf_adds(&pat, "x?");
	sl_buf_adds(&pat, "/**/z");
	sl_buf_reset(&path);
	sl_buf_adds(&path, "d/");
	for (i = 0; i < 40; i++)
		sl_buf_adds(&path, "xy");
	sl_buf_adds(&path, "/q/z/w");
	assert_true(matches(pat.buf, path.buf));
	path.buf[2 + 79] = '/';
	assert_false(matches(pat.buf, path.buf));

	/* A run of "**" + "/" groups: each may match nothing or anything. */
	sl_buf_reset(&pat);
	sl_buf_adds(&pat, "d/");
	for (i = 0; i < 30; i++)
		sl_buf_adds(&pat, "**/");
	sl_buf_adds(&pat, "z");
	assert_true(matches(pat.buf, "d/z"));
	assert_true(matches(pat.buf, "d/a/b/z"));
	assert_true(matches(pat.buf, "d/a/b/z/c"));
	assert_false(matches(pat.buf, "d/a/b/y"));
	assert_false(matches(pat.buf, "e/z"));

	/* A long directory-only pattern matches through its directory. */
	sl_buf_reset(&pat);
	sl_buf_adds(&pat, "d/");
	for (i = 0; i < 35; i++)
		sl_buf_adds(&pat, "x*");
	sl_buf_addch(&pat, '/');
	sl_buf_reset(&path);
	sl_buf_adds(&path, "d/");
	for (i = 0; i < 35; i++)
		sl_buf_adds(&path, "xx");
	assert_false(matches(pat.buf, path.buf));
	assert_true(matches_flags(pat.buf, path.buf, SL_MATCH_DIR));
	sl_buf_adds(&path, "/f");
	assert_true(matches(pat.buf, path.buf));
	sl_buf_release(&pat);
	sl_buf_release(&path);
}

/* ---- regular expressions --------------------------------------------- */

static void regex__matches_the_whole_path_only(void **state)
{
	(void)state;
	assert_true(matches("re:docs/.*", "docs/x"));
	assert_false(matches("re:docs/.*", "x/docs/y"));
	/* No leading-directory rule: the path string itself must match. */
	assert_false(matches("re:docs", "docs/x"));
	assert_true(matches("re:docs", "docs"));
	assert_false(matches("re:doc", "docs"));
	assert_true(matches("re:.*\\.(c|h)", "src/a.h"));
	/* Byte-wise, '.' is any byte, a newline included. */
	assert_true(matches("re:a.b", "a\xff"
				      "b"));
	assert_true(matches("re:a.b", "a\nb"));
	assert_false(matches("re:A", "a"));
}

static void regex__refuses_what_does_not_compile(void **state)
{
	(void)state;
	assert_refused("re:(", "is not a valid regular expression: missing "
			       "closing parenthesis at offset 1");
	assert_refused("re:", "empty regular expression");
	assert_refused("re:(*UTF)a", "not a valid regular expression");
}

static void regex__hitting_a_limit_is_an_error(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf path = SL_BUF_INIT;
	struct sl_pattern *p;
	size_t i;

	(void)state;
	assert_int_equal(sl_pattern_compile(&p, "re:(a|a)*b", &err), 0);
	for (i = 0; i < 64; i++)
		sl_buf_addch(&path, 'a');
	sl_buf_adds(&path, "cb");
	assert_int_equal(sl_pattern_match(p, path.buf, path.len, 0, &err),
			 SL_ERULES);
	assert_non_null(strstr(sl_error_message(&err), "'re:(a|a)*b'"));
	assert_non_null(strstr(sl_error_message(&err), path.buf));
	assert_non_null(strstr(sl_error_message(&err), "limit"));
	sl_pattern_free(p);
	sl_buf_release(&path);
	sl_error_release(&err);
}

/* ---- lists ------------------------------------------------------------ */

static void rule_list__matches_when_any_rule_does(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rule items[2];
	struct sl_rule_list list = {items, 2};
	size_t i;

	(void)state;
	memset(items, 0, sizeof(items));
	assert_int_equal(sl_pattern_compile(&items[0].pattern, "api/", &err),
			 0);
	assert_int_equal(sl_pattern_compile(&items[1].pattern, "*.proto", &err),
			 0);
	assert_int_equal(sl_rule_list_match(&list, "api/x", 5, 0, &err), 1);
	assert_int_equal(sl_rule_list_match(&list, "a/b.proto", 9, 0, &err), 1);
	assert_int_equal(sl_rule_list_match(&list, "b/api", 5, 0, &err), 0);
	list.n = 0;
	assert_int_equal(sl_rule_list_match(&list, "api/x", 5, 0, &err), 0);
	for (i = 0; i < 2; i++)
		sl_pattern_free(items[i].pattern);
	sl_error_release(&err);
}

static void rule_list__passes_a_limit_error_on(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rule item;
	struct sl_rule_list list = {&item, 1};
	const char *path = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaacb";

	(void)state;
	memset(&item, 0, sizeof(item));
	assert_int_equal(sl_pattern_compile(&item.pattern, "re:(a|a)*b", &err),
			 0);
	assert_int_equal(sl_rule_list_match(&list, path, strlen(path), 0, &err),
			 SL_ERULES);
	sl_pattern_free(item.pattern);
	sl_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
		match__star_matches_within_a_directory_and_below_it),
	    cmocka_unit_test(match__double_star_crosses_dirs),
	    cmocka_unit_test(match__trailing_double_star_needs_something_below),
	    cmocka_unit_test(match__trailing_slash_means_directories_only),
	    cmocka_unit_test(match__leading_slash_anchors),
	    cmocka_unit_test(match__name_without_slash_matches_at_any_depth),
	    cmocka_unit_test(
		match__double_star_only_special_as_a_whole_segment),
	    cmocka_unit_test(match__wildcards_never_match_a_slash),
	    cmocka_unit_test(match__classes),
	    cmocka_unit_test(match__escapes_and_trailing_spaces),
	    cmocka_unit_test(match__is_bytewise_and_case_sensitive),
	    cmocka_unit_test(compile__refuses_what_git_reads_differently),
	    cmocka_unit_test(compile__refuses_malformed_patterns),
	    cmocka_unit_test(compile__refuses_patterns_that_can_never_match),
	    cmocka_unit_test(compile__accepts_odd_but_matching_patterns),
	    cmocka_unit_test(match__is_linear_on_hostile_input),
	    cmocka_unit_test(match__long_patterns_mean_the_same),
	    cmocka_unit_test(regex__matches_the_whole_path_only),
	    cmocka_unit_test(regex__refuses_what_does_not_compile),
	    cmocka_unit_test(regex__hitting_a_limit_is_an_error),
	    cmocka_unit_test(rule_list__matches_when_any_rule_does),
	    cmocka_unit_test(rule_list__passes_a_limit_error_on),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	sl_buf_release(&last_error);
	return ret;
}
