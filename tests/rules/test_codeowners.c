/*
 * test_codeowners.c: the CODEOWNERS import (rules/codeowners*.c). The
 * glob-to-regex translation, case by case and against the glob engine on
 * thousands of random patterns; the reasoning that skips exclusions
 * ("disjoint", "covers"), for soundness; and the converter: its output,
 * warnings, lane names and order, GitLab's sections, refusals, and, on
 * random CODEOWNERS files, that the rules it writes give every path the
 * owner set of the last matching line. The end-to-end proof against git
 * itself is test_codeowners_exact.c.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rules/codeowners_internal.h"
#include "rules/rules.h"
#include "tests/rules/random.h"

/* ---- helpers ------------------------------------------------------------- */

/* Does pattern text (a glob, or "re:...") match path as a file? */
static int match(const char *text, const char *path)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_pattern *p;
	int ret;

	if (sl_pattern_compile(&p, text, &err)) {
		print_error("'%s' does not compile: %s\n", text,
			    sl_error_message(&err));
		fail();
	}
	ret = sl_pattern_match(p, path, strlen(path), 0, &err);
	assert_true(ret == 0 || ret == 1);
	sl_pattern_free(p);
	sl_error_release(&err);
	return ret;
}

/* "re:" + the translation of pattern, GitHub's exact rule or not. */
static char *regex_of(const char *pattern, bool exact_rule)
{
	struct sl_buf re = SL_BUF_INIT, why = SL_BUF_INIT;
	struct sl_co_glob g;

	sl_co_glob_init(&g, pattern, exact_rule, &why);
	sl_buf_adds(&re, "re:");
	sl_co_glob_regex(&re, &g);
	sl_co_glob_release(&g);
	sl_buf_release(&why);
	return sl_buf_detach(&re, NULL);
}

static int match_github(const char *pattern, const char *path)
{
	char *re = regex_of(pattern, true);
	int ret = match(re, path);

	free(re);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct conv {
	struct sl_codeowners_result res;
	struct sl_rules *rules;
	struct sl_buf owners; /* owners_of()'s answer */
};

static void convert_as(struct conv *c, const char *text,
		       enum sl_codeowners_flavor flavor)
{
	struct sl_codeowners_options opts = SL_CODEOWNERS_OPTIONS_INIT;
	struct sl_error err = SL_ERROR_INIT;

	memset(c, 0, sizeof(*c));
	c->res = (struct sl_codeowners_result)SL_CODEOWNERS_RESULT_INIT;
	c->owners = (struct sl_buf)SL_BUF_INIT;
	opts.flavor = flavor;
	if (sl_codeowners_convert(&c->res, text, strlen(text), &opts, &err) ||
	    sl_rules_load_buffer(&c->rules, "out.yml", c->res.yaml.buf,
				 c->res.yaml.len, &err)) {
		print_error("%s\n%s\n", sl_error_message(&err),
			    c->res.yaml.buf);
		fail();
	}
	sl_error_release(&err);
}

static void convert(struct conv *c, const char *text)
{
	convert_as(c, text, SL_CODEOWNERS_AUTO);
}

static void conv_release(struct conv *c)
{
	sl_codeowners_result_release(&c->res);
	sl_rules_free(c->rules);
	sl_buf_release(&c->owners);
}

/*
 * The owners sluice gives path under the converted rules, sorted and
 * comma-separated; "-" when no lane owns it, "" for a lane without owners.
 */
static const char *owners_of(struct conv *c, const char *path)
{
	struct sl_error err = SL_ERROR_INIT;
	const struct sl_rule *rule;
	const struct sl_lane *lane;
	struct sl_strvec sorted = SL_STRVEC_INIT;
	size_t i;

	assert_int_equal(
	    sl_rules_owner(&rule, c->rules, path, strlen(path), 0, &err), 0);
	sl_buf_reset(&c->owners);
	if (!rule) {
		sl_buf_adds(&c->owners, "-");
		return c->owners.buf;
	}
	lane = &c->rules->lanes[rule->lane];
	for (i = 0; i < lane->owners.n; i++)
		sl_strvec_push(&sorted, lane->owners.v[i]);
	qsort(sorted.v, sorted.n, sizeof(*sorted.v), cmp_str);
	for (i = 0; i < sorted.n; i++)
		sl_buf_addf(&c->owners, "%s%s", i ? "," : "", sorted.v[i]);
	sl_strvec_release(&sorted);
	return c->owners.buf;
}

static bool yaml_has(const struct conv *c, const char *needle)
{
	if (strstr(c->res.yaml.buf, needle))
		return true;
	print_error("no '%s' in:\n%s\n", needle, c->res.yaml.buf);
	return false;
}

static bool warned(const struct conv *c, const char *needle)
{
	size_t i;

	for (i = 0; i < c->res.warnings.n; i++)
		if (strstr(c->res.warnings.v[i], needle))
			return true;
	print_error("no warning with '%s' among %zu\n", needle,
		    c->res.warnings.n);
	return false;
}

/* ---- the translation, case by case --------------------------------------- */

static void regex__lone_trailing_star_does_not_recurse(void **state)
{
	(void)state;
	assert_true(match_github("docs/*", "docs/a.md"));
	assert_false(match_github("docs/*", "docs/x/b.md"));
	assert_false(match_github("docs/*", "docs"));
	assert_true(match_github("/*", "README"));
	assert_false(match_github("/*", "src/a.c"));
	/* gitignore would: docs/x is a directory docs/ * matches. */
	assert_true(match("docs/*", "docs/x/b.md"));
	/* A star with more than itself in the segment keeps git's rule. */
	assert_true(match_github("docs/*.md", "docs/a.md/b"));
	assert_true(match_github("docs/**/*", "docs/x/y/z"));
}

static void regex__names_and_directories(void **state)
{
	(void)state;
	assert_true(match_github("apps/", "apps/a"));
	assert_true(match_github("apps/", "x/apps/y/z"));
	assert_false(match_github("apps/", "apps"));
	assert_false(match_github("apps/", "x/apps"));
	assert_true(match_github("apps", "x/apps"));
	assert_true(match_github("apps", "apps/b"));
	assert_false(match_github("apps", "xapps/b"));
	assert_true(match_github("*.js", "a/b.js"));
	assert_true(match_github("*.js", "a.js/b"));
	assert_false(match_github("*.js", "a/b.jsx"));
	assert_true(match_github("/build/logs/", "build/logs/a"));
	assert_false(match_github("/build/logs/", "x/build/logs/a"));
	assert_true(match_github("build/logs", "build/logs/a"));
	assert_false(match_github("build/logs", "x/build/logs/a"));
}

static void regex__double_star(void **state)
{
	(void)state;
	assert_true(match_github("**/logs", "logs"));
	assert_true(match_github("**/logs", "a/b/logs/c"));
	assert_true(match_github("a/**/b", "a/b"));
	assert_true(match_github("a/**/b", "a/x/y/b"));
	assert_false(match_github("a/**/b", "ab"));
	assert_true(match_github("a/**", "a/x/y"));
	assert_false(match_github("a/**", "a"));
	assert_true(match_github("**", "x/y"));
	/* Not a whole segment: a plain star. */
	assert_false(match_github("a**b", "a/b"));
	assert_true(match_github("a**b", "axyb"));
	/* git compares the literal prefix itself: the stars count as leading. */
	assert_true(match_github("foo**/bar", "foobar"));
	assert_true(match_github("foo**/bar", "foo/x/bar"));
	assert_true(match("foo**/bar", "foobar"));
}

static void regex__escapes_and_classes(void **state)
{
	(void)state;
	assert_true(match_github("my\\ file.md", "d/my file.md"));
	assert_true(match_github("a\\*b", "a*b"));
	assert_false(match_github("a\\*b", "axb"));
	assert_true(match_github("re:x", "re:x"));
	assert_true(match_github("a.(b)+", "a.(b)+"));
	assert_false(match_github("a.(b)+", "aX(b)"));
	/* GitLab's patterns may hold classes; git's wildmatch decides. */
	assert_true(match_github("*.[ch]", "x/a.c"));
	assert_false(match_github("*.[ch]", "a.o"));
	assert_true(match_github("[!a]", "b"));
	assert_false(match_github("[!a]", "a"));
	assert_true(match_github("[]a]", "]"));
	assert_true(match_github("[[:digit:]x]", "7"));
	assert_true(match_github("[a-c]", "b"));
	assert_false(match_github("[c-a]", "b"));
	assert_false(match_github("a[/]b", "a/b"));
}

static void regex__never_matching_patterns(void **state)
{
	struct sl_buf why = SL_BUF_INIT;
	struct sl_co_glob g;
	static const char *const never[] = {"a\\", "[a", "[[:nope:]]", "/",
					    "//"};
	size_t i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(never); i++) {
		sl_buf_reset(&why);
		sl_co_glob_init(&g, never[i], true, &why);
		assert_true(g.never);
		assert_true(why.len > 0);
		sl_co_glob_release(&g);
	}
	sl_buf_release(&why);
}

/* ---- the translation against the glob engine ----------------------------- */

/*
 * git's trim_trailing_spaces() would change text (a space at the end that
 * no '\' escapes): not a word a CODEOWNERS line can hold.
 */
static bool trims(const char *text)
{
	size_t i, len = strlen(text);
	bool escaped_last = false;

	for (i = 0; i < len; i++) {
		escaped_last = false;
		if (text[i] == '\\' && i + 1 < len) {
			i++;
			escaped_last = true;
		}
	}
	return len && text[len - 1] == ' ' && !escaped_last;
}

static void regex__agrees_with_the_glob_engine(void **state)
{
	struct rng r = {rng_seed_from_env("SLUICE_CO_SEED", 7)};
	struct sl_buf glob = SL_BUF_INIT, path = SL_BUF_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_pattern *g, *re;
	size_t i, k, compared = 0;
	char *text;
	int a, b;

	(void)state;
	for (i = 0; i < 3000; i++) {
		rand_glob(&r, &glob);
		if (trims(glob.buf) || sl_pattern_compile(&g, glob.buf, &err))
			continue;
		text = regex_of(glob.buf, false);
		if (sl_pattern_compile(&re, text, &err)) {
			print_error("'%s' -> '%s': %s\n", glob.buf, text,
				    sl_error_message(&err));
			fail();
		}
		for (k = 0; k < 60; k++) {
			rand_path(&r, &path);
			a = sl_pattern_match(g, path.buf, path.len, 0, &err);
			b = sl_pattern_match(re, path.buf, path.len, 0, &err);
			if (a != b) {
				print_error("'%s' on '%s': glob %d, regex %d "
					    "('%s')\n",
					    glob.buf, path.buf, a, b, text);
				fail();
			}
			compared++;
		}
		free(text);
		sl_pattern_free(g);
		sl_pattern_free(re);
	}
	assert_true(compared > 50000);
	sl_buf_release(&glob);
	sl_buf_release(&path);
	sl_error_release(&err);
}

/* ---- disjoint and covers are sound --------------------------------------- */

static const char *const pool[] = {
    "*",      "**",	    "/*",	 "docs/*",    "docs/",	  "/docs/",
    "docs",   "/docs/a.md", "docs/a.md", "*.md",      "a/b",	  "/a/b/",
    "a/*/c",  "a/**/c",	    "/a/b/c",	 "**/logs",   "logs/",	  "/x/*",
    "/x/y/*", "x/y",	    "/apps/",	 "apps/web/", "apps/*",	  "*.js",
    "/a/?",   "a*/b",	    "b",	 "/b/",	      "/docs/x/", "a/b/*",
};

static const char *const pool_paths[] = {
    "docs",	   "docs/a.md", "docs/x/b.md",	"docs/x/y/c.md",
    "a/b",	   "a/b/c",	"a/x/c",	"a/b/c/d",
    "x/docs/a.md", "logs",	"a/logs/z",	"x/y",
    "x/y/z",	   "x/y/z/w",	"apps/web/a",	"apps/a.js",
    "README.md",   "b",		"b/c",		"a/b.md",
    "ab/b",	   "apps/web",	"q/apps/web/x", "x",
};

static void reasoning__disjoint_and_covers_are_sound(void **state)
{
	struct sl_buf why = SL_BUF_INIT;
	struct sl_co_glob a, b;
	size_t i, j, k;
	int ma, mb;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(pool); i++) {
		sl_co_glob_init(&a, pool[i], true, &why);
		for (j = 0; j < SL_ARRAY_SIZE(pool); j++) {
			sl_co_glob_init(&b, pool[j], true, &why);
			for (k = 0; k < SL_ARRAY_SIZE(pool_paths); k++) {
				ma = match_github(pool[i], pool_paths[k]);
				mb = match_github(pool[j], pool_paths[k]);
				if (sl_co_glob_disjoint(&a, &b) && ma && mb) {
					print_error("'%s' and '%s' both match "
						    "'%s'\n",
						    pool[i], pool[j],
						    pool_paths[k]);
					fail();
				}
				if (sl_co_glob_covers(&a, &b) && mb && !ma) {
					print_error("'%s' covers '%s' but not "
						    "'%s'\n",
						    pool[i], pool[j],
						    pool_paths[k]);
					fail();
				}
			}
			sl_co_glob_release(&b);
		}
		sl_co_glob_release(&a);
	}
	/* And they do say something. */
	sl_co_glob_init(&a, "/docs/a.md", true, &why);
	sl_co_glob_init(&b, "/apps/", true, &why);
	assert_true(sl_co_glob_disjoint(&a, &b));
	sl_co_glob_release(&b);
	sl_co_glob_init(&b, "docs/", true, &why);
	assert_true(sl_co_glob_covers(&b, &a));
	sl_co_glob_release(&b);
	sl_co_glob_init(&b, "/x/*", true, &why);
	sl_co_glob_release(&a);
	sl_co_glob_init(&a, "/x/y/z", true, &why);
	assert_true(sl_co_glob_disjoint(&a, &b));
	sl_co_glob_release(&a);
	sl_co_glob_release(&b);
	sl_buf_release(&why);
}

/* ---- the converter ------------------------------------------------------- */

static const char github_example[] =
    "# This is a comment.\n"
    "*       @global-owner1 @global-owner2\n"
    "*.js    @js-owner #This is an inline comment.\n"
    "*.go docs@example.com\n"
    "*.txt @octo-org/octocats\n"
    "/build/logs/ @doctocat\n"
    "docs/* docs@example.com\n"
    "apps/ @octocat\n"
    "/docs/ @doctocat\n"
    "/scripts/ @doctocat @octocat\n"
    "**/logs @octocat\n"
    "/apps/ @octocat\n"
    "/apps/github\n";

static void convert__github_documentation_example(void **state)
{
	struct conv c;

	(void)state;
	convert(&c, github_example);
	assert_int_equal(c.res.flavor, SL_CODEOWNERS_GITHUB);
	assert_int_equal(c.res.warnings.n, 0);
	assert_string_equal(owners_of(&c, "README"),
			    "@global-owner1,@global-owner2");
	assert_string_equal(owners_of(&c, "src/x.js"), "@js-owner");
	assert_string_equal(owners_of(&c, "main.go"), "docs@example.com");
	/* The later '**' + "/logs" takes it back from /build/logs/. */
	assert_string_equal(owners_of(&c, "build/logs/a/b.txt"), "@octocat");
	assert_string_equal(owners_of(&c, "build/x/b.txt"),
			    "@octo-org/octocats");
	assert_string_equal(owners_of(&c, "docs/getting-started.md"),
			    "@doctocat");
	assert_string_equal(owners_of(&c, "x/apps/y.js"), "@octocat");
	assert_string_equal(owners_of(&c, "docs/apps/y"), "@doctocat");
	assert_string_equal(owners_of(&c, "scripts/run.sh"),
			    "@doctocat,@octocat");
	assert_string_equal(owners_of(&c, "scripts/logs/x"), "@octocat");
	assert_string_equal(owners_of(&c, "apps/github/x"), "");
	assert_true(yaml_has(&c, "  global-owner1-global-owner2:\n"
				 "    owners: ['@global-owner1', "
				 "'@global-owner2']\n"
				 "    paths:\n"
				 "      - '*' # line 2\n"));
	assert_true(yaml_has(&c, "  octo-org-octocats:\n"));
	assert_true(yaml_has(&c, "  no-owners:\n    # No owners"));
	/* Each loaded rule knows its CODEOWNERS line. */
	assert_int_equal(c.res.nrule_lines, c.rules->rules.n);
	assert_int_equal(c.res.rule_lines[0], 2);
	for (size_t k = 0; k < c.rules->rules.n; k++)
		assert_true(c.res.rule_lines[k] >= 2 &&
			    c.res.rule_lines[k] <= 13);
	assert_int_equal(c.res.rule_lines[c.rules->rules.n - 1], 13);
	/* "docs/" "*" is covered by the later "/docs/": it never decides. */
	assert_true(yaml_has(&c, "#   line 7 'docs/*' (line 9 '/docs/')\n"));
	conv_release(&c);
}

static void convert__reordered_owner_sets_keep_the_last_match(void **state)
{
	struct conv c;

	(void)state;
	/* Grouped naively, lane A [1, 3] then lane B [2] would give
	 * x/y.md to B: line 2 would beat line 3. */
	convert(&c, "x/ @a\n*.md @b\nx/y* @a\n");
	assert_string_equal(owners_of(&c, "x/y.md"), "@a");
	assert_string_equal(owners_of(&c, "x/z.md"), "@b");
	assert_string_equal(owners_of(&c, "x/z.c"), "@a");
	assert_string_equal(owners_of(&c, "q.md"), "@b");
	assert_string_equal(owners_of(&c, "q.c"), "-");
	assert_true(yaml_has(&c, "less what line 3 decides"));
	conv_release(&c);

	/* A cycle of three owner sets over one path. */
	convert(&c, "* @a\n*.md @b\ndocs/ @c\n*.md @a\ndocs/x/ @b\n");
	assert_string_equal(owners_of(&c, "q.md"), "@a");
	assert_string_equal(owners_of(&c, "docs/q.c"), "@c");
	assert_string_equal(owners_of(&c, "docs/q.md"), "@a");
	assert_string_equal(owners_of(&c, "docs/x/q.md"), "@b");
	assert_string_equal(owners_of(&c, "q.c"), "@a");
	conv_release(&c);
}

static void convert__skips_and_reports_invalid_lines(void **state)
{
	struct conv c;

	(void)state;
	convert(&c, "* @a\n"
		    "!vendor/ @b\n"
		    "*.[ch] @b\n"
		    "\\#notes @b\n"
		    "docs/ someone\n"
		    "src/ @c\n"
		    "lib/ @d/e/f\n");
	assert_int_equal(c.res.warnings.n, 5);
	assert_true(warned(&c, "CODEOWNERS:2: skipped '!vendor/'"));
	assert_true(warned(&c, "CODEOWNERS:3: skipped '*.[ch]'"));
	assert_true(warned(&c, "CODEOWNERS:4: skipped '\\#notes'"));
	assert_true(warned(&c, "CODEOWNERS:5: skipped: 'someone' is not an "
			       "owner"));
	assert_true(warned(&c, "CODEOWNERS:7: skipped: '@d/e/f'"));
	assert_true(yaml_has(&c, "# Warnings:\n#   CODEOWNERS:2: skipped"));
	assert_string_equal(owners_of(&c, "vendor/x"), "@a");
	assert_string_equal(owners_of(&c, "a.c"), "@a");
	assert_string_equal(owners_of(&c, "docs/x"), "@a");
	assert_string_equal(owners_of(&c, "src/x"), "@c");
	conv_release(&c);
}

static void convert__comments_blanks_and_escapes(void **state)
{
	struct conv c;

	(void)state;
	convert(&c, "\xef\xbb\xbf# header\r\n"
		    "\r\n"
		    "   # indented comment\n"
		    "\t*.md\t@a  # @b is in a comment\r\n"
		    "my\\ file.txt @c #\n"
		    "x#y @d\n"
		    "it's @e\n"
		    "dup @f @f @g\n");
	assert_int_equal(c.res.warnings.n, 0);
	assert_string_equal(owners_of(&c, "a.md"), "@a");
	assert_string_equal(owners_of(&c, "q/my file.txt"), "@c");
	assert_string_equal(owners_of(&c, "x#y"), "@d");
	assert_string_equal(owners_of(&c, "it's"), "@e");
	assert_string_equal(owners_of(&c, "dup"), "@f,@g");
	assert_true(yaml_has(&c, "- 'it''s'"));
	assert_true(yaml_has(&c, "owners: ['@f', '@g']"));
	conv_release(&c);
}

static void
convert__one_lane_per_owner_set_with_valid_unique_names(void **state)
{
	struct conv c;
	size_t i;

	(void)state;
	convert(&c, "a @x @y\n"
		    "b @y @x\n"
		    "c @x\n"
		    "d x@example.com\n"
		    "e @org/x\n"
		    "f @1 @2 @3 @4 @5\n"
		    "g @null\n"
		    "h @12\n"
		    "i\n");
	/* {x,y} once; x, x@example.com and @org/x all want "x". */
	assert_int_equal(c.rules->nlanes, 8);
	for (i = 0; i < c.rules->nlanes; i++)
		print_message("# lane %s\n", c.rules->lanes[i].name);
	assert_non_null(sl_rules_lane(c.rules, "x-y"));
	assert_non_null(sl_rules_lane(c.rules, "x"));
	assert_non_null(sl_rules_lane(c.rules, "x-2"));
	assert_non_null(sl_rules_lane(c.rules, "org-x"));
	assert_non_null(sl_rules_lane(c.rules, "1-2-3-and-2-more"));
	assert_non_null(sl_rules_lane(c.rules, "null"));
	assert_non_null(sl_rules_lane(c.rules, "12"));
	assert_non_null(sl_rules_lane(c.rules, "no-owners"));
	assert_true(yaml_has(&c, "  'null':\n"));
	assert_string_equal(owners_of(&c, "b"), "@x,@y");
	conv_release(&c);
}

static void convert__lone_trailing_star_becomes_a_regex(void **state)
{
	struct conv c;

	(void)state;
	convert(&c, "* @all\ndocs/* @docs\n");
	assert_string_equal(owners_of(&c, "docs/a.md"), "@docs");
	assert_string_equal(owners_of(&c, "docs/x/b.md"), "@all");
	assert_string_equal(owners_of(&c, "src/docs/a.md"), "@all");
	assert_true(yaml_has(&c, "not what is under the directories"));
	assert_true(yaml_has(&c, "- 're:docs/[^/]*'"));
	conv_release(&c);
}

static void convert__covered_lines_are_left_out(void **state)
{
	struct conv c;

	(void)state;
	convert(&c, "/docs/a.md @a\ndocs/b @b\n/docs/ @c\n*.md @d\n* @e\n");
	assert_int_equal(c.rules->nlanes, 1);
	assert_string_equal(owners_of(&c, "docs/a.md"), "@e");
	assert_true(yaml_has(&c, "line 1 '/docs/a.md' (line 5 '*')"));
	conv_release(&c);
}

static void convert__empty_and_comment_only_files(void **state)
{
	struct conv c;

	(void)state;
	convert(&c, "");
	assert_int_equal(c.rules->nlanes, 0);
	assert_true(yaml_has(&c, "version: 1\n\nlanes: {}\n"));
	conv_release(&c);
	convert(&c, "# nothing\n\n   \n");
	assert_int_equal(c.rules->nlanes, 0);
	assert_string_equal(owners_of(&c, "a"), "-");
	conv_release(&c);
}

static void convert__left_out_when_git_matches_nothing(void **state)
{
	struct conv c;

	(void)state;
	convert(&c, "* @a\nfoo\\\n./x @c\na//b @d\n");
	assert_int_equal(c.res.warnings.n, 3);
	assert_true(warned(&c, "CODEOWNERS:2: 'foo\\' matches no path"));
	assert_true(warned(&c, "CODEOWNERS:3: './x' is left out"));
	assert_true(warned(&c, "CODEOWNERS:4: 'a//b' is left out"));
	assert_int_equal(c.rules->nlanes, 1);
	conv_release(&c);
}

static void convert__odd_characters_survive_yaml(void **state)
{
	struct conv c;

	(void)state;
	/* C1 controls and U+2028 are line breaks or refused in YAML. */
	convert(&c, "a\xc2\x85z @a\n"
		    "b\xe2\x80\xa8z @b\n"
		    "'q' @c\n"
		    "\"d\\\\\" @d\n"
		    "re:x @e\n");
	assert_string_equal(owners_of(&c, "a\xc2\x85z"), "@a");
	assert_string_equal(owners_of(&c, "b\xe2\x80\xa8z"), "@b");
	assert_string_equal(owners_of(&c, "'q'"), "@c");
	assert_string_equal(owners_of(&c, "\"d\\\""), "@d");
	assert_string_equal(owners_of(&c, "re:x"), "@e");
	assert_string_equal(owners_of(&c, "rex"), "-");
	assert_true(yaml_has(&c, "- \"a\\u0085z\""));
	conv_release(&c);
}

static void convert__refuses_what_is_not_text(void **state)
{
	struct sl_codeowners_options opts = SL_CODEOWNERS_OPTIONS_INIT;
	struct sl_codeowners_result res = SL_CODEOWNERS_RESULT_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf big = SL_BUF_INIT;

	(void)state;
	opts.source = "CO";
	assert_int_equal(
	    sl_codeowners_convert(&res, "a @b\n\0", 6, &opts, &err), SL_EUSAGE);
	assert_string_equal(sl_error_message(&err),
			    "CO holds a NUL byte; is it a CODEOWNERS file?");
	assert_int_equal(
	    sl_codeowners_convert(&res, "a @b\nc\xff @d\n", 11, &opts, &err),
	    SL_EUSAGE);
	assert_string_equal(sl_error_message(&err),
			    "CO:2: the line is not valid UTF-8; save the file "
			    "as UTF-8");
	while (big.len < 5000)
		sl_buf_adds(&big, "abcdefgh");
	sl_buf_adds(&big, " @x\n");
	assert_int_equal(
	    sl_codeowners_convert(&res, big.buf, big.len, &opts, &err),
	    SL_EUSAGE);
	assert_non_null(strstr(sl_error_message(&err), "CO:1: the pattern is "
						       "longer than 4096"));
	assert_int_equal(res.yaml.len, 0);
	sl_buf_release(&big);
	sl_error_release(&err);
	sl_codeowners_result_release(&res);
}

static void convert__refuses_rules_past_the_size_limit(void **state)
{
	struct sl_codeowners_options opts = SL_CODEOWNERS_OPTIONS_INIT;
	struct sl_codeowners_result res = SL_CODEOWNERS_RESULT_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf text = SL_BUF_INIT;
	size_t i;

	(void)state;
	/* More owner sets than the lanes are ordered for, each line of them
	 * to be kept from what 2,100 later lines of one set decide. */
	sl_buf_adds(&text, "*.a @a\n");
	for (i = 0; i < 2100; i++)
		sl_buf_addf(&text, "*.e%zu @b%zu\n", i, i);
	for (i = 0; i < 2100; i++)
		sl_buf_addf(&text, "*.f%zu @a\n", i);
	assert_int_equal(
	    sl_codeowners_convert(&res, text.buf, text.len, &opts, &err),
	    SL_EUSAGE);
	assert_non_null(strstr(sl_error_message(&err),
			       "the rules from CODEOWNERS would take more than "
			       "the 4194304 bytes"));
	assert_int_equal(res.yaml.len, 0);
	sl_buf_release(&text);
	sl_error_release(&err);
}

/* ---- GitLab -------------------------------------------------------------- */

static const char gitlab_example[] =
    "* @general\n"
    "\n"
    "[Documentation] @docs-team\n"
    "docs/\n"
    "README.md @tech-lead\n"
    "\\#notes.md\n"
    "\n"
    "^[Database][2] @database-team\n"
    "model/db/\n"
    "config/db/setup.md @@maintainer # owners @here count\n"
    "!model/db/generated/\n"
    "\n"
    "[documentation]\n"
    "ee/docs @group/sub/team\n";

static void convert__gitlab_sections_and_default_owners(void **state)
{
	struct conv c;

	(void)state;
	convert(&c, gitlab_example);
	assert_int_equal(c.res.flavor, SL_CODEOWNERS_GITLAB);
	assert_string_equal(owners_of(&c, "src/a.c"), "@general");
	assert_string_equal(owners_of(&c, "docs/a.md"), "@docs-team");
	assert_string_equal(owners_of(&c, "README.md"), "@tech-lead");
	assert_string_equal(owners_of(&c, "#notes.md"), "@docs-team");
	assert_string_equal(owners_of(&c, "x/model/db/a"), "@database-team");
	assert_string_equal(owners_of(&c, "config/db/setup.md"),
			    "@@maintainer,@here");
	/* Not anchored in GitLab: any depth. */
	assert_string_equal(owners_of(&c, "q/ee/docs/x"), "@group/sub/team");
	assert_true(warned(&c, "CODEOWNERS:8: section 'Database' is optional"));
	assert_true(warned(&c, "CODEOWNERS:8: section 'Database' requires 2 "
			       "approvals"));
	assert_true(warned(&c, "CODEOWNERS:10: GitLab ignores '#', 'owners'"));
	assert_true(
	    warned(&c, "CODEOWNERS:11: skipped '!model/db/generated/'"));
	/* Every section overlaps the unnamed one's '*'. */
	assert_true(warned(&c, "sections '(before any section)' and "
			       "'Documentation' may match the same path"));
	assert_true(yaml_has(&c, "read with GitLab's rules"));
	assert_true(yaml_has(&c, "# line 9 [Database]"));
	conv_release(&c);
}

static void convert__gitlab_overlaps_are_named_precisely(void **state)
{
	struct conv c;

	(void)state;
	/* Disjoint sections, and an overlap that loses no owner: quiet. */
	convert(&c, "[A]\n/a/ @x\n[B]\n/b/ @y\n[C]\n/a/q @x @z\n");
	assert_int_equal(c.res.warnings.n, 0);
	conv_release(&c);
	convert(&c, "[A]\n/a/ @x\n[B]\n/a/q @y\n[A]\n/a/r/ @w\n");
	assert_int_equal(c.res.warnings.n, 1);
	assert_true(warned(&c, "CODEOWNERS:4: sections 'A' and 'B' may match "
			       "the same path (lines 2 and 4)"));
	assert_string_equal(owners_of(&c, "a/q"), "@y");
	conv_release(&c);
}

static void convert__flavor_can_be_forced(void **state)
{
	struct conv c;

	(void)state;
	/* Read as GitHub's, a section header is a line with a '[' range. */
	convert_as(&c, "[Docs] @a\ndocs/x @b\n", SL_CODEOWNERS_GITHUB);
	assert_true(warned(&c, "CODEOWNERS:1: skipped '[Docs]'"));
	assert_string_equal(owners_of(&c, "docs/x"), "@b");
	assert_string_equal(owners_of(&c, "q/docs/x"), "-");
	conv_release(&c);
	convert_as(&c, "docs/x @b\n", SL_CODEOWNERS_GITLAB);
	assert_string_equal(owners_of(&c, "q/docs/x"), "@b");
	conv_release(&c);
}

/* ---- random files, in process -------------------------------------------- */

static const char *const rand_owner_sets[] = {
    "@a", "@b", "@a @b", "@c", "", "@org/t", "x@example.com"};

static const char *const rand_co_patterns[] = {
    "*",      "*.md",	"docs/*",   "docs/",  "/docs/",	   "docs",
    "/a/",    "a/b",	"/a/b/*",   "a/**/c", "**/logs",   "logs/",
    "/*",     "*/x",	"b/",	    "/b",     "x/*/z",	   "a*",
    "**/b/*", "a/*.md", "/docs/x/", "x",      "/a/b/c.md", "?.md",
};

/* GitHub's answer for path, from each line alone, last match wins. */
static const char *reference(struct sl_buf *out, char *const *pats,
			     char *const *sets, size_t n, const char *path)
{
	size_t i;

	sl_buf_reset(out);
	for (i = n; i-- > 0;)
		if (match_github(pats[i], path))
			break;
	if (i == SIZE_MAX) {
		sl_buf_adds(out, "-");
		return out->buf;
	}
	sl_buf_adds(out, sets[i]);
	/* The sets above are written sorted, as owners_of() prints. */
	for (char *p = out->buf; *p; p++)
		if (*p == ' ')
			*p = ',';
	return out->buf;
}

static void convert__random_files_give_the_last_matching_line(void **state)
{
	struct rng r = {rng_seed_from_env("SLUICE_CO_SEED", 11)};
	struct sl_buf text = SL_BUF_INIT, want = SL_BUF_INIT;
	char *pats[16], *sets[16];
	size_t round, n, i, k;
	struct conv c;

	(void)state;
	for (round = 0; round < 150; round++) {
		n = 1 + rng_below(&r, 12);
		sl_buf_reset(&text);
		for (i = 0; i < n; i++) {
			pats[i] = (char *)RNG_PICK(&r, rand_co_patterns);
			sets[i] = (char *)RNG_PICK(&r, rand_owner_sets);
			sl_buf_addf(&text, "%s %s\n", pats[i], sets[i]);
		}
		convert(&c, text.buf);
		for (k = 0; k < SL_ARRAY_SIZE(pool_paths); k++) {
			reference(&want, pats, sets, n, pool_paths[k]);
			if (strcmp(owners_of(&c, pool_paths[k]), want.buf)) {
				print_error("'%s': want '%s', got '%s'\n%s\n%s",
					    pool_paths[k], want.buf,
					    c.owners.buf, text.buf,
					    c.res.yaml.buf);
				fail();
			}
		}
		conv_release(&c);
	}
	sl_buf_release(&text);
	sl_buf_release(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(regex__lone_trailing_star_does_not_recurse),
	    cmocka_unit_test(regex__names_and_directories),
	    cmocka_unit_test(regex__double_star),
	    cmocka_unit_test(regex__escapes_and_classes),
	    cmocka_unit_test(regex__never_matching_patterns),
	    cmocka_unit_test(regex__agrees_with_the_glob_engine),
	    cmocka_unit_test(reasoning__disjoint_and_covers_are_sound),
	    cmocka_unit_test(convert__github_documentation_example),
	    cmocka_unit_test(convert__reordered_owner_sets_keep_the_last_match),
	    cmocka_unit_test(convert__skips_and_reports_invalid_lines),
	    cmocka_unit_test(convert__comments_blanks_and_escapes),
	    cmocka_unit_test(
		convert__one_lane_per_owner_set_with_valid_unique_names),
	    cmocka_unit_test(convert__lone_trailing_star_becomes_a_regex),
	    cmocka_unit_test(convert__covered_lines_are_left_out),
	    cmocka_unit_test(convert__empty_and_comment_only_files),
	    cmocka_unit_test(convert__left_out_when_git_matches_nothing),
	    cmocka_unit_test(convert__odd_characters_survive_yaml),
	    cmocka_unit_test(convert__refuses_what_is_not_text),
	    cmocka_unit_test(convert__refuses_rules_past_the_size_limit),
	    cmocka_unit_test(convert__gitlab_sections_and_default_owners),
	    cmocka_unit_test(convert__gitlab_overlaps_are_named_precisely),
	    cmocka_unit_test(convert__flavor_can_be_forced),
	    cmocka_unit_test(convert__random_files_give_the_last_matching_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
