/*
 * test_select.c: selection (SPEC.md §2) on rules loaded from YAML and lists
 * of touched names: each kind of gate, `when`, consumers direct and
 * transitive, run-all and its causes, the unowned policies, the union of
 * the trusted and the head's rules (a change cannot switch off its own
 * gates), reasons and their cap, and the paths each gate is given.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <pthread.h>

#include "selector/selector.h"

static const char example[] =
    "version: 1\n"
    "run_all_on: [\"toolchain/**\"]\n"
    "global:\n"
    "  approvers: [\"@release\"]\n"
    "  gates:\n"
    "    contract-compat: {run: ./c, when: [\"api/**\"]}\n"
    "    repo-lint: {run: ./lint}\n"
    "lanes:\n"
    "  contracts:\n"
    "    owners: [\"@api\"]\n"
    "    paths: [\"api/\", \"*.proto\"]\n"
    "  billing:\n"
    "    owners: [\"@billing\"]\n"
    "    paths: [\"services/billing/\"]\n"
    "    consumes: [contracts]\n"
    "    gates:\n"
    "      billing-unit: {run: make}\n"
    "      billing-migrations:\n"
    "        run: ./m\n"
    "        when: [\"services/billing/migrations/**\"]\n"
    "    smoke:\n"
    "      billing-smoke: {run: ./s}\n"
    "  web:\n"
    "    owners: [\"@web\"]\n"
    "    paths: [\"apps/web/\"]\n"
    "    consumes: [billing]\n"
    "    gates:\n"
    "      web-unit: {run: ./w}\n"
    "    smoke:\n"
    "      web-smoke: {run: ./ws}\n"
    "      web-api-smoke: {run: ./wa, when: [\"api/**\"]}\n"
    "  docs:\n"
    "    paths: [\"*.md\", \"services/billing/docs/\"]\n";

/* Replaces the one occurrence of old in yaml with new. */
static void replace(struct sl_buf *yaml, const char *old, const char *new)
{
	struct sl_buf out = SL_BUF_INIT;
	char *at = strstr(yaml->buf, old);

	assert_non_null(at);
	sl_buf_add(&out, yaml->buf, (size_t)(at - yaml->buf));
	sl_buf_adds(&out, new);
	sl_buf_adds(&out, at + strlen(old));
	sl_buf_release(yaml);
	*yaml = out;
}

static struct sl_rules *load(const char *yaml)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;

	if (sl_rules_load_buffer(&rules, "test.yml", yaml, strlen(yaml), &err))
		fail_msg("%s", sl_error_message(&err));
	sl_error_release(&err);
	return rules;
}

/* Touched names from a NULL-terminated list of paths. */
static size_t touch(struct sl_touched *out, const char *const *paths)
{
	size_t n = 0;

	for (; paths[n]; n++) {
		out[n].path = paths[n];
		out[n].len = strlen(paths[n]);
		out[n].flags = 0;
		out[n].why = NULL;
		out[n].lane = NULL;
	}
	return n;
}

static struct sl_selection *select_paths(const struct sl_rules *base,
					 const struct sl_rules *head,
					 const char *const *paths,
					 struct sl_touched *touched)
{
	struct sl_select_options opts = {.base = base, .head = head};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_selection *sel = NULL;
	size_t n = touch(touched, paths);

	if (sl_select(&sel, &opts, touched, n, &err))
		fail_msg("%s", sl_error_message(&err));
	sl_error_release(&err);
	return sel;
}

/* "name,name,..." of the selected gates, in order. */
static void selected_names(struct sl_buf *out, const struct sl_selection *sel)
{
	size_t i;

	for (i = 0; i < sel->npicks; i++) {
		if (!sel->picks[i].selected)
			continue;
		if (out->len)
			sl_buf_addch(out, ',');
		sl_buf_adds(out, sel->picks[i].gate->name);
	}
}

static void assert_selected(const struct sl_selection *sel,
			    const char *expected)
{
	struct sl_buf names = SL_BUF_INIT;

	selected_names(&names, sel);
	assert_string_equal(names.buf, expected);
	sl_buf_release(&names);
}

static const struct sl_pick *pick(const struct sl_selection *sel,
				  const char *name)
{
	const struct sl_pick *p = sl_selection_find(sel, name);

	assert_non_null(p);
	return p;
}

static void assert_reason(const struct sl_selection *sel, const char *gate,
			  size_t i, const char *expected)
{
	const struct sl_pick *p = pick(sel, gate);

	if (i >= p->reasons.n)
		fail_msg("gate %s has %zu reasons, wanted #%zu: %s", gate,
			 p->reasons.n, i, expected);
	assert_string_equal(p->reasons.v[i], expected);
}

static void select__contract_local_and_transitive_smoke(void **state)
{
	static const char *const paths[] = {"api/v1/billing.proto", NULL};
	struct sl_rules *rules = load(example);
	struct sl_touched touched[8];
	struct sl_selection *sel = select_paths(rules, NULL, paths, touched);

	(void)state;
	assert_selected(sel, "contract-compat,repo-lint,billing-smoke,"
			     "web-smoke,web-api-smoke");
	assert_false(sel->run_all);
	assert_reason(sel, "contract-compat", 0,
		      "api/v1/billing.proto -> when 'api/**'");
	assert_reason(sel, "repo-lint", 0,
		      "api/v1/billing.proto -> any change");
	assert_reason(sel, "billing-smoke", 0,
		      "api/v1/billing.proto -> lane contracts <- consumed by "
		      "billing");
	assert_reason(sel, "web-smoke", 0,
		      "api/v1/billing.proto -> lane contracts <- consumed by "
		      "billing <- consumed by web");
	assert_reason(sel, "web-api-smoke", 0,
		      "api/v1/billing.proto -> lane contracts <- consumed by "
		      "billing <- consumed by web (when 'api/**')");
	assert_reason(sel, "billing-unit", 0,
		      "no changed path is owned by lane billing");
	assert_int_equal(sel->nselected, 5);
	sl_selection_free(sel);
	sl_rules_free(rules);
}

static void select__local_gates_narrowed_by_when(void **state)
{
	static const char *const code[] = {"services/billing/api.c", NULL};
	static const char *const mig[] = {"services/billing/migrations/2.sql",
					  NULL};
	struct sl_rules *rules = load(example);
	struct sl_touched touched[8];
	struct sl_selection *sel = select_paths(rules, NULL, code, touched);

	(void)state;
	assert_selected(sel, "repo-lint,billing-unit,web-smoke");
	assert_reason(sel, "billing-unit", 0,
		      "services/billing/api.c -> lane billing");
	assert_reason(sel, "billing-migrations", 0,
		      "lane billing changed (1 paths), but none matches when: "
		      "'services/billing/migrations/**'");
	assert_reason(sel, "contract-compat", 0,
		      "no changed path matches when: 'api/**'");
	assert_reason(sel, "web-api-smoke", 0,
		      "lanes upstream of web changed, but none of their paths "
		      "matches when: 'api/**'");
	assert_reason(sel, "billing-smoke", 0,
		      "no lane upstream of billing changed (upstream: "
		      "contracts)");
	sl_selection_free(sel);
	sel = select_paths(rules, NULL, mig, touched);
	assert_selected(sel, "repo-lint,billing-unit,billing-migrations,"
			     "web-smoke");
	assert_reason(sel, "billing-migrations", 0,
		      "services/billing/migrations/2.sql -> lane billing "
		      "(when 'services/billing/migrations/**')");
	sl_selection_free(sel);
	sl_rules_free(rules);
}

static void select__direct_consumers_stop_after_one_hop(void **state)
{
	static const char *const paths[] = {"api/x.proto", NULL};
	struct sl_buf yaml = SL_BUF_INIT;
	struct sl_touched touched[4];
	struct sl_selection *sel;
	struct sl_rules *rules;

	(void)state;
	sl_buf_adds(&yaml, example);
	sl_buf_adds(&yaml, "consumers: direct\n");
	rules = load(yaml.buf);
	sel = select_paths(rules, NULL, paths, touched);
	assert_selected(sel, "contract-compat,repo-lint,billing-smoke");
	assert_reason(sel, "web-smoke", 0,
		      "no lane upstream of web changed (consumers: direct, "
		      "consumes: billing)");
	sl_selection_free(sel);
	sl_rules_free(rules);
	sl_buf_release(&yaml);
}

static void
select__later_lane_carves_out_and_ownerless_lane_selects_nothing(void **state)
{
	static const char *const paths[] = {"services/billing/docs/a.txt",
					    "README.md", NULL};
	struct sl_rules *rules = load(example);
	struct sl_touched touched[4];
	struct sl_selection *sel = select_paths(rules, NULL, paths, touched);

	(void)state;
	/* docs owns both: no lane gate runs, and nothing is unowned. */
	assert_selected(sel, "repo-lint");
	assert_false(sel->run_all);
	assert_non_null(sel->owner[0]);
	assert_string_equal(rules->lanes[sel->owner[0]->lane].name, "docs");
	sl_selection_free(sel);
	sl_rules_free(rules);
}

static void select__run_all_on_selects_everything(void **state)
{
	static const char *const paths[] = {"README.md", "toolchain/gcc", NULL};
	struct sl_rules *rules = load(example);
	struct sl_touched touched[4];
	struct sl_selection *sel = select_paths(rules, NULL, paths, touched);
	size_t i;

	(void)state;
	assert_true(sel->run_all);
	assert_int_equal(sel->nselected, rules->ngates);
	assert_string_equal(sel->run_all_reasons.v[0],
			    "toolchain/gcc -> run_all_on 'toolchain/**' "
			    "(test.yml:2)");
	for (i = 0; i < sel->npicks; i++)
		assert_string_equal(sel->picks[i].reasons.v[0],
				    "run-all: toolchain/gcc -> run_all_on "
				    "'toolchain/**' (test.yml:2)");
	sl_selection_free(sel);
	sl_rules_free(rules);
}

static void select__unowned_policies(void **state)
{
	static const char *const paths[] = {"stray/file.c", NULL};
	struct sl_select_options opts = {.base = NULL};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf yaml = SL_BUF_INIT;
	struct sl_touched touched[2];
	struct sl_selection *sel;
	struct sl_rules *rules = load(example);

	(void)state;
	sel = select_paths(rules, NULL, paths, touched);
	assert_true(sel->run_all);
	assert_string_equal(sel->run_all_reasons.v[0],
			    "stray/file.c -> owned by no lane (unowned: "
			    "run-all)");
	assert_null(sel->owner[0]);
	sl_selection_free(sel);
	sl_rules_free(rules);

	sl_buf_addf(&yaml, "%sunowned: global-only\n", example);
	rules = load(yaml.buf);
	sel = select_paths(rules, NULL, paths, touched);
	assert_false(sel->run_all);
	assert_selected(sel, "repo-lint");
	sl_selection_free(sel);
	sl_rules_free(rules);

	sl_buf_reset(&yaml);
	sl_buf_addf(&yaml, "%sunowned: fail\n", example);
	rules = load(yaml.buf);
	opts.base = rules;
	assert_int_equal(
	    sl_select(&sel, &opts, touched, touch(touched, paths), &err),
	    SL_EREFUSED);
	assert_null(sel);
	assert_string_equal(sl_error_message(&err),
			    "'stray/file.c' is owned by no lane and test.yml "
			    "says 'unowned: fail'; add it to a lane's paths");
	sl_rules_free(rules);
	sl_buf_release(&yaml);
	sl_error_release(&err);
}

static void select__empty_diff_selects_nothing(void **state)
{
	static const char *const none[] = {NULL};
	struct sl_rules *rules = load(example);
	struct sl_touched touched[1];
	struct sl_selection *sel = select_paths(rules, NULL, none, touched);

	(void)state;
	assert_int_equal(sel->nselected, 0);
	assert_int_equal(sel->npicks, rules->ngates);
	assert_reason(sel, "repo-lint", 0, "nothing changed");
	sl_selection_free(sel);
	sl_rules_free(rules);
}

static void select__degraded_base_selects_everything(void **state)
{
	struct sl_select_options opts = {.base_unavailable = true,
					 .degraded_reason = "no 'main' here"};
	struct sl_rules *rules = load(example);
	struct sl_selection *sel = NULL;

	(void)state;
	opts.base = rules;
	assert_int_equal(sl_select(&sel, &opts, NULL, 0, NULL), 0);
	assert_true(sel->degraded);
	assert_int_equal(sel->nselected, rules->ngates);
	assert_string_equal(sel->run_all_reasons.v[0],
			    "base unavailable: no 'main' here "
			    "(--if-missing-base=run-all)");
	sl_selection_free(sel);
	sl_rules_free(rules);
}

/*
 * The head's rules try to switch off billing-unit: they narrow it with a
 * `when` that the change does not match, and drop billing-smoke. The union
 * keeps both, as the trusted copy defines them.
 */
static void select__head_rules_cannot_switch_off_gates(void **state)
{
	static const char *const paths[] = {"services/billing/api.c",
					    "api/a.proto", NULL};
	struct sl_buf yaml = SL_BUF_INIT;
	struct sl_rules *base = load(example), *head;
	struct sl_touched touched[4];
	struct sl_selection *sel;
	const struct sl_pick *p;

	(void)state;
	sl_buf_adds(&yaml, example);
	replace(&yaml, "billing-unit: {run: make}",
		"billing-unit: {run: \"true\", when: [nope]}");
	replace(&yaml, "    smoke:\n      billing-smoke: {run: ./s}\n", "");
	head = load(yaml.buf);
	assert_null(sl_rules_gate(head, "billing-smoke"));
	sel = select_paths(base, head, paths, touched);
	assert_true(sel->rules_changed);
	p = pick(sel, "billing-unit");
	assert_true(p->selected);
	/* The head's copy would not select it; the trusted one does. */
	assert_int_equal(p->by, SL_BY_BASE);
	/* It runs as the trusted copy defines it, not as `true`. */
	assert_string_equal(p->gate->shell, "make");
	assert_ptr_equal(p->rules, base);
	p = pick(sel, "billing-smoke");
	assert_true(p->selected);
	sl_selection_free(sel);
	sl_rules_free(head);
	sl_rules_free(base);
	sl_buf_release(&yaml);
}

static void select__head_rules_add_gates_and_lanes(void **state)
{
	static const char *const paths[] = {"apps/web/x.js", "tools/new.sh",
					    NULL};
	struct sl_buf yaml = SL_BUF_INIT;
	struct sl_rules *base = load(example), *head;
	struct sl_touched touched[4];
	struct sl_selection *sel;
	const struct sl_pick *p;

	(void)state;
	sl_buf_adds(&yaml, example);
	sl_buf_adds(&yaml, "  tools:\n"
			   "    paths: [\"tools/\"]\n"
			   "    gates:\n"
			   "      tools-check: {run: ./t}\n");
	head = load(yaml.buf);
	sel = select_paths(base, head, paths, touched);
	/* tools/new.sh is unowned under the trusted rules: run-all. */
	assert_true(sel->run_all);
	p = pick(sel, "tools-check");
	assert_true(p->selected);
	assert_int_equal(p->by, SL_BY_HEAD);
	assert_ptr_equal(p->rules, head);
	assert_string_equal(sel->picks[sel->npicks - 1].gate->name,
			    "tools-check");
	assert_string_equal(p->reasons.v[0],
			    "head rules: tools/new.sh -> lane tools");
	sl_selection_free(sel);
	sl_rules_free(head);
	sl_rules_free(base);
	sl_buf_release(&yaml);
}

static int collect(size_t index, void *payload)
{
	struct sl_buf *out = payload;

	sl_buf_addf(out, "%s%zu", out->len ? "," : "", index);
	return 0;
}

static void paths_of(struct sl_buf *out, const struct sl_selection *sel,
		     const char *gate, const struct sl_touched *touched)
{
	sl_buf_reset(out);
	assert_int_equal(sl_pick_foreach_path(sel, pick(sel, gate), touched,
					      collect, out, NULL),
			 0);
}

static void select__each_gate_sees_the_paths_that_brought_it_in(void **state)
{
	static const char *const paths[] = {
	    "README.md",			 /* 0: docs */
	    "api/v1/a.proto",			 /* 1: contracts */
	    "apps/web/x.js",			 /* 2: web */
	    "services/billing/api.c",		 /* 3: billing */
	    "services/billing/migrations/1.sql", /* 4: billing */
	    NULL};
	struct sl_rules *rules = load(example);
	struct sl_buf got = SL_BUF_INIT;
	struct sl_touched touched[8];
	struct sl_selection *sel = select_paths(rules, NULL, paths, touched);

	(void)state;
	paths_of(&got, sel, "repo-lint", touched);
	assert_string_equal(got.buf, "0,1,2,3,4");
	paths_of(&got, sel, "contract-compat", touched);
	assert_string_equal(got.buf, "1");
	paths_of(&got, sel, "billing-unit", touched);
	assert_string_equal(got.buf, "3,4");
	paths_of(&got, sel, "billing-migrations", touched);
	assert_string_equal(got.buf, "4");
	paths_of(&got, sel, "web-unit", touched);
	assert_string_equal(got.buf, "2");
	/* web's smoke: what changed upstream of web, not web itself. */
	paths_of(&got, sel, "web-smoke", touched);
	assert_string_equal(got.buf, "1,3,4");
	/* Every upstream lane's first chain comes before any lane's second. */
	assert_reason(sel, "web-smoke", 0,
		      "services/billing/api.c -> lane billing <- consumed by "
		      "web");
	assert_reason(sel, "web-smoke", 1,
		      "api/v1/a.proto -> lane contracts <- consumed by billing "
		      "<- consumed by web");
	assert_reason(sel, "web-smoke", 2,
		      "services/billing/migrations/1.sql -> lane billing <- "
		      "consumed by web");
	paths_of(&got, sel, "web-api-smoke", touched);
	assert_string_equal(got.buf, "1");
	sl_selection_free(sel);
	sl_rules_free(rules);
	sl_buf_release(&got);
}

/* billing reads a root karma config, its own sources (named twice) and a
 * file docs owns: lane inputs. */
static struct sl_rules *load_lane_inputs(const char *policy)
{
	struct sl_buf yaml = SL_BUF_INIT;
	struct sl_rules *rules;

	sl_buf_adds(&yaml, example);
	replace(&yaml, "    consumes: [contracts]\n",
		"    consumes: [contracts]\n"
		"    inputs: [/karma.conf.js, 'services/billing/*.c', "
		"/CHANGELOG.md]\n");
	replace(&yaml, "version: 1\n", policy);
	rules = load(yaml.buf);
	sl_buf_release(&yaml);
	return rules;
}

/*
 * A path a lane's inputs name touches the lane as its own paths do: its
 * local gates (narrowed by `when`) and its consumers' smoke gates, each
 * with the input in the reason; it is covered (`unowned: fail` does not
 * refuse it), its owner does not change, and each gate is given it.
 */
static void select__lane_inputs_touch_the_lane(void **state)
{
	static const char *const paths[] = {"karma.conf.js", "CHANGELOG.md",
					    "apps/web/x.js", NULL};
	struct sl_rules *rules =
	    load_lane_inputs("version: 1\nunowned: fail\n");
	struct sl_buf got = SL_BUF_INIT;
	struct sl_touched touched[8];
	struct sl_selection *sel = select_paths(rules, NULL, paths, touched);

	(void)state;
	assert_false(sel->run_all);
	assert_selected(sel, "repo-lint,billing-unit,web-unit,web-smoke");
	assert_reason(sel, "billing-unit", 0,
		      "karma.conf.js -> input '/karma.conf.js' (test.yml:17) "
		      "-> lane billing");
	assert_reason(sel, "billing-unit", 1,
		      "CHANGELOG.md -> input '/CHANGELOG.md' (test.yml:17) -> "
		      "lane billing");
	assert_int_equal(pick(sel, "billing-unit")->reasons.n, 2);
	assert_reason(sel, "web-smoke", 0,
		      "karma.conf.js -> input '/karma.conf.js' (test.yml:17) "
		      "-> lane billing <- consumed by web");
	/* `when` narrows a path an input names as it does an owned one. */
	assert_reason(sel, "billing-migrations", 0,
		      "lane billing changed (2 paths), but none matches when: "
		      "'services/billing/migrations/**'");
	/* billing's own smoke is for lanes it consumes, not for billing. */
	assert_false(pick(sel, "billing-smoke")->selected);
	/* Ownership is unchanged: karma.conf.js no lane's, CHANGELOG docs'. */
	assert_null(sel->owner[0]);
	assert_string_equal(rules->lanes[sel->owner[1]->lane].name, "docs");
	paths_of(&got, sel, "billing-unit", touched);
	assert_string_equal(got.buf, "0,1");
	paths_of(&got, sel, "web-smoke", touched);
	assert_string_equal(got.buf, "0,1");
	paths_of(&got, sel, "web-unit", touched);
	assert_string_equal(got.buf, "2");
	sl_selection_free(sel);
	sl_rules_free(rules);
	sl_buf_release(&got);
}

/* An input that names one of the lane's own paths adds nothing: one
 * reason per path. A path no input names is unowned as before. */
static void select__lane_inputs_own_paths_once(void **state)
{
	static const char *const own[] = {"services/billing/api.c", NULL};
	static const char *const other[] = {"Makefile", NULL};
	struct sl_rules *rules =
	    load_lane_inputs("version: 1\nunowned: fail\n");
	struct sl_select_options opts = {.base = rules};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_touched touched[8];
	struct sl_selection *sel = select_paths(rules, NULL, own, touched);
	size_t n;

	(void)state;
	assert_reason(sel, "billing-unit", 0,
		      "services/billing/api.c -> lane billing");
	assert_int_equal(pick(sel, "billing-unit")->reasons.n, 1);
	assert_int_equal(pick(sel, "billing-unit")->more_reasons, 0);
	sl_selection_free(sel);
	n = touch(touched, other);
	sel = NULL;
	assert_int_equal(sl_select(&sel, &opts, touched, n, &err), SL_EREFUSED);
	assert_null(sel);
	sl_rules_free(rules);
	sl_error_release(&err);
}

static void select__reasons_are_capped_and_counted(void **state)
{
	const char *paths[31];
	char names[30][32];
	struct sl_rules *rules = load(example);
	struct sl_touched touched[31];
	struct sl_selection *sel;
	const struct sl_pick *p;
	size_t i;

	(void)state;
	for (i = 0; i < 30; i++) {
		snprintf(names[i], sizeof(names[i]), "services/billing/%02zu.c",
			 i);
		paths[i] = names[i];
	}
	paths[30] = NULL;
	sel = select_paths(rules, NULL, paths, touched);
	p = pick(sel, "billing-unit");
	assert_int_equal(p->reasons.n, SL_REASONS_MAX);
	assert_int_equal(p->more_reasons, 30 - SL_REASONS_MAX);
	assert_string_equal(p->reasons.v[9],
			    "services/billing/09.c -> lane billing");
	sl_selection_free(sel);
	sl_rules_free(rules);
}

static void select__submodule_matches_directory_patterns(void **state)
{
	struct sl_select_options opts = {.base = NULL};
	struct sl_touched t = {"vendor/lib", 10, SL_MATCH_DIR, NULL, NULL};
	struct sl_rules *rules =
	    load("version: 1\nlanes:\n  vendor:\n    paths: [\"vendor/"
		 "lib/\"]\n    gates:\n      v: {run: x}\n");
	struct sl_selection *sel = NULL;

	(void)state;
	opts.base = rules;
	assert_int_equal(sl_select(&sel, &opts, &t, 1, NULL), 0);
	assert_selected(sel, "v");
	sl_selection_free(sel);
	t.flags = 0;
	assert_int_equal(sl_select(&sel, &opts, &t, 1, NULL), 0);
	assert_true(sel->run_all); /* a file named vendor/lib is unowned */
	sl_selection_free(sel);
	sl_rules_free(rules);
}

/* A `when` that hits the regex match limit is an error, never "not
 * selected": for a contract gate and for a local one. */
static void select__when_limit_is_an_error_not_a_skip(void **state)
{
	static const char *const yaml[] = {
	    "version: 1\nunowned: global-only\nglobal:\n  gates:\n"
	    "    g: {run: x, when: ['re:(a|a)*b']}\n",
	    "version: 1\nlanes:\n  lib:\n    paths: [lib/]\n    gates:\n"
	    "      l: {run: x, when: ['re:lib/(a|a)*b']}\n",
	};
	static const char *const paths[][2] = {
	    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaacb", NULL},
	    {"lib/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaacb", NULL},
	};
	struct sl_touched touched[2];
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct sl_select_options opts = {.base = NULL};
		struct sl_error err = SL_ERROR_INIT;
		struct sl_selection *sel = (struct sl_selection *)&err;
		struct sl_rules *rules = load(yaml[i]);

		opts.base = rules;
		assert_int_not_equal(sl_select(&sel, &opts, touched,
					       touch(touched, paths[i]), &err),
				     0);
		assert_null(sel);
		assert_non_null(strstr(sl_error_message(&err), "limit"));
		sl_error_release(&err);
		sl_rules_free(rules);
	}
}

static void *serve(void *offer)
{
	sl_offer_serve(offer);
	return NULL;
}

/* A chain of 300 lanes, each consuming the one before, with a local gate
 * narrowed by `when` and a smoke gate: 600 gates, reasons of every kind. */
static void chain_of_lanes(struct sl_buf *yaml)
{
	int i;

	sl_buf_adds(yaml, "version: 1\nglobal:\n  gates:\n"
			  "    any: {run: x}\n"
			  "    api: {run: x, when: ['l7/**']}\nlanes:\n");
	for (i = 0; i < 300; i++) {
		sl_buf_addf(yaml, "  l%d:\n    paths: ['l%d/']\n", i, i);
		if (i)
			sl_buf_addf(yaml, "    consumes: [l%d]\n", i - 1);
		sl_buf_addf(
		    yaml,
		    "    gates:\n      u%d: {run: x, when: ['**/*.c']}\n"
		    "    smoke:\n      s%d: {run: x}\n",
		    i, i);
	}
}

static void assert_same_picks(const struct sl_selection *a,
			      const struct sl_selection *b)
{
	size_t i, k;

	assert_int_equal(a->npicks, b->npicks);
	assert_int_equal(a->nselected, b->nselected);
	for (i = 0; i < a->ntouched; i++)
		assert_ptr_equal(a->owner[i], b->owner[i]);
	for (i = 0; i < a->npicks; i++) {
		const struct sl_pick *x = &a->picks[i], *y = &b->picks[i];

		assert_string_equal(x->gate->name, y->gate->name);
		assert_int_equal(x->selected, y->selected);
		assert_int_equal(x->more_reasons, y->more_reasons);
		assert_int_equal(x->reasons.n, y->reasons.n);
		for (k = 0; k < x->reasons.n; k++)
			assert_string_equal(x->reasons.v[k], y->reasons.v[k]);
	}
}

/* With a thread serving an offer, the ownership lookups and the picks are
 * done in parts, some on each thread: the selection is the same. */
static void select__in_parts_on_two_threads_is_the_same(void **state)
{
	struct sl_buf yaml = SL_BUF_INIT;
	struct sl_touched *touched = sl_xcalloc(3000, sizeof(*touched));
	struct sl_buf *paths = sl_xcalloc(3000, sizeof(*paths));
	struct sl_select_options opts = {.base = NULL};
	struct sl_selection *alone, *shared;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_offer *offer;
	struct sl_rules *rules;
	pthread_t thread;
	size_t i;

	(void)state;
	chain_of_lanes(&yaml);
	rules = load(yaml.buf);
	/* Enough paths for the ownership lookups to be shared too. */
	for (i = 0; i < 3000; i++) {
		paths[i] = (struct sl_buf)SL_BUF_INIT;
		sl_buf_addf(&paths[i], "l%zu/f%zu.%s", (i * 7) % 300, i,
			    i % 3 ? "c" : "h");
		touched[i] = (struct sl_touched){paths[i].buf, paths[i].len, 0,
						 NULL, NULL};
	}
	opts.base = rules;
	assert_int_equal(sl_select(&alone, &opts, touched, 3000, &err), 0);
	sl_offer_new(&offer);
	assert_int_equal(pthread_create(&thread, NULL, serve, offer), 0);
	opts.offer = offer;
	assert_int_equal(sl_select(&shared, &opts, touched, 3000, &err), 0);
	sl_offer_close(offer);
	assert_int_equal(pthread_join(thread, NULL), 0);
	sl_offer_free(offer);
	assert_int_equal(shared->npicks, 602);
	assert_same_picks(alone, shared);
	sl_selection_free(alone);
	sl_selection_free(shared);
	for (i = 0; i < 3000; i++)
		sl_buf_release(&paths[i]);
	free(paths);
	free(touched);
	sl_rules_free(rules);
	sl_buf_release(&yaml);
	sl_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(select__contract_local_and_transitive_smoke),
	    cmocka_unit_test(select__local_gates_narrowed_by_when),
	    cmocka_unit_test(select__direct_consumers_stop_after_one_hop),
	    cmocka_unit_test(
		select__later_lane_carves_out_and_ownerless_lane_selects_nothing),
	    cmocka_unit_test(select__run_all_on_selects_everything),
	    cmocka_unit_test(select__unowned_policies),
	    cmocka_unit_test(select__empty_diff_selects_nothing),
	    cmocka_unit_test(select__degraded_base_selects_everything),
	    cmocka_unit_test(select__head_rules_cannot_switch_off_gates),
	    cmocka_unit_test(select__head_rules_add_gates_and_lanes),
	    cmocka_unit_test(
		select__each_gate_sees_the_paths_that_brought_it_in),
	    cmocka_unit_test(select__lane_inputs_touch_the_lane),
	    cmocka_unit_test(select__lane_inputs_own_paths_once),
	    cmocka_unit_test(select__reasons_are_capped_and_counted),
	    cmocka_unit_test(select__submodule_matches_directory_patterns),
	    cmocka_unit_test(select__when_limit_is_an_error_not_a_skip),
	    cmocka_unit_test(select__in_parts_on_two_threads_is_the_same),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
