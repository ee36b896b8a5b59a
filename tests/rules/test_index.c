/*
 * test_index.c: ownership. sl_rules_owner() (the index) must give exactly
 * the answer of sl_rules_owner_scan() (every rule, last to first) on
 * random rule sets and paths, owned and unowned; and the last matching
 * rule decides, so a later lane carves paths out of an earlier one. Rules
 * are put together by hand here, as the loader would.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rules/rules.h"
#include "tests/rules/random.h"

#define DEFAULT_SEED UINT64_C(77)

/* Adds one ownership rule for lane; false when text does not compile. */
static bool add_rule(struct sl_rules *rules, size_t *alloc, const char *text,
		     size_t lane)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_pattern *p;
	struct sl_rule *r;

	if (sl_pattern_compile(&p, text, &err)) {
		sl_error_release(&err);
		return false;
	}
	SL_ALLOC_GROW(rules->rules.items, rules->rules.n + 1, *alloc);
	r = &rules->rules.items[rules->rules.n++];
	memset(r, 0, sizeof(*r));
	r->text = sl_xstrdup(text);
	r->pattern = p;
	r->lane = lane;
	r->pos.line = (unsigned)rules->rules.n;
	r->pos.col = 5;
	return true;
}

static void free_rules(struct sl_rules *rules)
{
	size_t i;

	for (i = 0; i < rules->rules.n; i++) {
		free(rules->rules.items[i].text);
		sl_pattern_free(rules->rules.items[i].pattern);
	}
	free(rules->rules.items);
	sl_owner_index_free(rules->index);
	memset(rules, 0, sizeof(*rules));
}

/* The rule that owns path, by the index; checked against the scan. */
static const struct sl_rule *owner(const struct sl_rules *rules,
				   const char *path, unsigned flags)
{
	struct sl_error err = SL_ERROR_INIT;
	const struct sl_rule *by_index = NULL, *by_scan = NULL;
	int a, b;

	a = sl_rules_owner(&by_index, rules, path, strlen(path), flags, &err);
	b = sl_rules_owner_scan(&by_scan, rules, path, strlen(path), flags,
				&err);
	assert_int_equal(a, b);
	if (by_index != by_scan)
		fail_msg("path '%s': index says rule %s, scan says rule %s",
			 path, by_index ? by_index->text : "(none)",
			 by_scan ? by_scan->text : "(none)");
	sl_error_release(&err);
	return by_index;
}

static const char *owner_text(const struct sl_rules *rules, const char *path)
{
	const struct sl_rule *r = owner(rules, path, 0);

	return r ? r->text : NULL;
}

/* ---- fixed cases -------------------------------------------------------- */

static void owner__later_lane_carves_paths_out(void **state)
{
	struct sl_rules rules = {0};
	size_t alloc = 0;

	(void)state;
	assert_true(add_rule(&rules, &alloc, "services/", 0));
	assert_true(add_rule(&rules, &alloc, "services/billing/", 1));
	assert_true(add_rule(&rules, &alloc, "*.md", 2));
	sl_owner_index_build(&rules.index, &rules.rules);
	assert_string_equal(owner_text(&rules, "services/auth/x.c"),
			    "services/");
	assert_string_equal(owner_text(&rules, "services/billing/x.c"),
			    "services/billing/");
	assert_string_equal(owner_text(&rules, "services/billing/README.md"),
			    "*.md");
	assert_null(owner_text(&rules, "apps/web/x.c"));
	assert_null(owner_text(&rules, "services"));
	free_rules(&rules);
}

static void owner__earlier_rule_loses_to_a_broader_later_one(void **state)
{
	struct sl_rules rules = {0};
	size_t alloc = 0;

	(void)state;
	assert_true(add_rule(&rules, &alloc, "services/billing/", 1));
	assert_true(add_rule(&rules, &alloc, "services/", 0));
	sl_owner_index_build(&rules.index, &rules.rules);
	assert_string_equal(owner_text(&rules, "services/billing/x.c"),
			    "services/");
	free_rules(&rules);
}

static void owner__every_kind_of_key(void **state)
{
	static const char *const patterns[] = {
	    "api/",
	    "/services/billing",
	    "src/*.c",
	    "Makefile",
	    "node_modules/",
	    "*.proto",
	    "*_test.go",
	    "test_*",
	    "**/docs/x",
	    "**/*.pb.go",
	    "foo*/bar",
	    "/*.c",
	    "*",
	    "?",
	    "re:gen/.*",
	    "**/gen",
	    "a/**/b",
	    "[Mm]akefile",
	    "**/t?st/",
	    "x/y/z",
	};
	static const struct {
		const char *path;
		const char *rule;
	} cases[] = {
	    {"api/v1/x.json", "*"},  {"deep/Makefile", "[Mm]akefile"},
	    {"gen/x", "**/gen"},     {"gen", "**/gen"},
	    {"q/gen/x", "**/gen"},   {"x/y/z/w", "x/y/z"},
	    {"x/y/zz", "?"},	     {"a/b", "a/**/b"},
	    {"a/1/2/b/c", "a/**/b"}, {"p/tast/x", "**/t?st/"},
	    {"p/tast", "?"},	     {"tast", "*"},
	};
	struct sl_rules rules = {0};
	size_t alloc = 0, i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(patterns); i++)
		assert_true(add_rule(&rules, &alloc, patterns[i], i));
	sl_owner_index_build(&rules.index, &rules.rules);
	for (i = 0; i < SL_ARRAY_SIZE(cases); i++)
		assert_string_equal(owner_text(&rules, cases[i].path),
				    cases[i].rule);
	free_rules(&rules);
	alloc = 0;
	/* Without the catch-alls, each key decides on its own. */
	for (i = 0; i < SL_ARRAY_SIZE(patterns); i++)
		if (strcmp(patterns[i], "*") && strcmp(patterns[i], "?"))
			assert_true(add_rule(&rules, &alloc, patterns[i], i));
	sl_owner_index_build(&rules.index, &rules.rules);
	assert_string_equal(owner_text(&rules, "api/v1/x.json"), "api/");
	assert_string_equal(owner_text(&rules, "services/billing/a/b"),
			    "/services/billing");
	assert_string_equal(owner_text(&rules, "main.c"), "/*.c");
	assert_string_equal(owner_text(&rules, "src/main.c"), "src/*.c");
	assert_null(owner_text(&rules, "src/sub/main.c"));
	assert_string_equal(owner_text(&rules, "gen/x"), "**/gen");
	assert_string_equal(owner_text(&rules, "gen/x/y"), "**/gen");
	assert_string_equal(owner_text(&rules, "a/makefile"), "[Mm]akefile");
	assert_string_equal(owner_text(&rules, "z/node_modules/q"),
			    "node_modules/");
	assert_string_equal(owner_text(&rules, "q/a.proto"), "*.proto");
	assert_string_equal(owner_text(&rules, "q/a_test.go"), "*_test.go");
	assert_string_equal(owner_text(&rules, "q/test_a.py"), "test_*");
	assert_string_equal(owner_text(&rules, "m/docs/x/y"), "**/docs/x");
	assert_string_equal(owner_text(&rules, "m/n/a.pb.go"), "**/*.pb.go");
	assert_string_equal(owner_text(&rules, "foo1/bar"), "foo*/bar");
	assert_null(owner_text(&rules, "q/README"));
	free_rules(&rules);
}

static void owner__directory_flag_reaches_trailing_slash_rules(void **state)
{
	struct sl_rules rules = {0};
	size_t alloc = 0;

	(void)state;
	assert_true(add_rule(&rules, &alloc, "vendor/lib/", 0));
	sl_owner_index_build(&rules.index, &rules.rules);
	assert_null(owner(&rules, "vendor/lib", 0));
	assert_non_null(owner(&rules, "vendor/lib", SL_MATCH_DIR));
	free_rules(&rules);
}

static void owner__limit_error_is_the_same_both_ways(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules rules = {0};
	const struct sl_rule *r = NULL;
	const char *path = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaacb";
	size_t alloc = 0;

	(void)state;
	assert_true(add_rule(&rules, &alloc, "re:(a|a)*b", 0));
	assert_true(add_rule(&rules, &alloc, "docs/", 1));
	sl_owner_index_build(&rules.index, &rules.rules);
	assert_int_equal(
	    sl_rules_owner(&r, &rules, path, strlen(path), 0, &err), SL_ERULES);
	assert_null(r);
	assert_int_equal(
	    sl_rules_owner_scan(&r, &rules, path, strlen(path), 0, &err),
	    SL_ERULES);
	/* A later rule that decides first spares the expression. */
	assert_string_equal(owner_text(&rules, "docs/aaaaaaaaaaaaaaaaaaaacb"),
			    "docs/");
	free_rules(&rules);
	sl_error_release(&err);
}

static void owner__without_an_index_scans(void **state)
{
	struct sl_rules rules = {0};
	size_t alloc = 0;

	(void)state;
	assert_true(add_rule(&rules, &alloc, "api/", 0));
	assert_string_equal(owner_text(&rules, "api/x"), "api/");
	free_rules(&rules);
}

/* ---- random rule sets ------------------------------------------------- */

static const char *const tree_dirs[] = {
    "services", "apps", "libs", "api", "docs", "tools", "vendor",
};
static const char *const tree_exts[] = {
    "c", "h", "go", "proto", "md", "py", "json", "pb.go", "yml",
};
static const char *const tree_names[] = {
    "Makefile", "BUILD", "README.md", "OWNERS", "tests", "gen", "docs",
};

/* Patterns of the kinds rules files hold, plus odd random globs. */
static void rand_rule(struct rng *r, struct sl_buf *out)
{
	sl_buf_reset(out);
	switch (rng_below(r, 14)) {
	case 0:
	case 1:
		sl_buf_addf(out, "%s%s/m%zu/", rng_chance(r, 30) ? "/" : "",
			    RNG_PICK(r, tree_dirs), rng_below(r, 40));
		break;
	case 2:
		sl_buf_addf(out, "%s/m%zu/%s/", RNG_PICK(r, tree_dirs),
			    rng_below(r, 40), RNG_PICK(r, tree_names));
		break;
	case 3:
		sl_buf_addf(out, "*.%s", RNG_PICK(r, tree_exts));
		break;
	case 4:
		sl_buf_adds(out, RNG_PICK(r, tree_names));
		break;
	case 5:
		sl_buf_addf(out, "**/%s/", RNG_PICK(r, tree_names));
		break;
	case 6:
		sl_buf_addf(out, "%s/*/%s", RNG_PICK(r, tree_dirs),
			    RNG_PICK(r, tree_names));
		break;
	case 7:
		sl_buf_addf(out, "re:%s/m[0-9]+/.*\\.%s",
			    RNG_PICK(r, tree_dirs), RNG_PICK(r, tree_exts));
		break;
	case 8:
		sl_buf_addf(out, "%s/m%zu/**/*.%s", RNG_PICK(r, tree_dirs),
			    rng_below(r, 40), RNG_PICK(r, tree_exts));
		break;
	case 9:
		sl_buf_addf(out, "**/%s/*.%s", RNG_PICK(r, tree_names),
			    RNG_PICK(r, tree_exts));
		break;
	case 10:
		sl_buf_addf(out, "*/m%zu/%s", rng_below(r, 40),
			    RNG_PICK(r, tree_names));
		break;
	default:
		rand_glob(r, out);
		break;
	}
}

static void rand_tree_path(struct rng *r, struct sl_buf *out)
{
	size_t depth, i;

	if (rng_chance(r, 40)) {
		rand_path(r, out);
		return;
	}
	sl_buf_reset(out);
	sl_buf_addf(out, "%s/m%zu", RNG_PICK(r, tree_dirs), rng_below(r, 45));
	depth = rng_below(r, 4);
	for (i = 0; i < depth; i++)
		sl_buf_addf(out, "/%s",
			    rng_chance(r, 30) ? RNG_PICK(r, tree_names)
					      : RNG_PICK(r, rand_names));
	if (rng_chance(r, 70))
		sl_buf_addf(out, "/f%zu.%s", rng_below(r, 9),
			    RNG_PICK(r, tree_exts));
}

static void owner__index_equals_scan_on_random_rules(void **state)
{
	uint64_t seed = rng_seed_from_env("SLUICE_INDEX_SEED", DEFAULT_SEED);
	struct sl_buf text = SL_BUF_INIT, path = SL_BUF_INIT;
	size_t round, i, nrules, alloc, owned = 0, unowned = 0;
	struct rng r = {seed};

	(void)state;
	print_message("# seed %" PRIu64 " (SLUICE_INDEX_SEED)\n", seed);
	for (round = 0; round < 40; round++) {
		struct sl_rules rules = {0};

		alloc = 0;
		nrules = 1 + rng_below(&r, round < 30 ? 60 : 600);
		while (rules.rules.n < nrules) {
			rand_rule(&r, &text);
			add_rule(&rules, &alloc, text.buf, rng_below(&r, 8));
		}
		sl_owner_index_build(&rules.index, &rules.rules);
		for (i = 0; i < 400; i++) {
			rand_tree_path(&r, &path);
			if (owner(&rules, path.buf,
				  rng_chance(&r, 10) ? SL_MATCH_DIR : 0))
				owned++;
			else
				unowned++;
		}
		free_rules(&rules);
	}
	print_message("# %zu owned, %zu unowned paths\n", owned, unowned);
	assert_true(owned > 1000 && unowned > 1000);
	sl_buf_release(&text);
	sl_buf_release(&path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(owner__later_lane_carves_paths_out),
	    cmocka_unit_test(owner__earlier_rule_loses_to_a_broader_later_one),
	    cmocka_unit_test(owner__every_kind_of_key),
	    cmocka_unit_test(
		owner__directory_flag_reaches_trailing_slash_rules),
	    cmocka_unit_test(owner__limit_error_is_the_same_both_ways),
	    cmocka_unit_test(owner__without_an_index_scans),
	    cmocka_unit_test(owner__index_equals_scan_on_random_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
