/*
 * test_load.c: the rules-file loader (SPEC.md §1 "The rules file" and
 * "Validation"): the example of the spec loads with every field right, and
 * every kind of mistake is refused with its exact file:line:col, quickly
 * and without leaks, however hostile the input. Every load the helpers
 * below make is made twice: alone, and with half of its patterns offered
 * to a serving thread (sl_rules_load_offered()), which must give the same
 * rules or the same first mistake.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <pthread.h>

#include "rules/rules.h"
#include "tests/support/sandbox.h"

/* ---- helpers ---------------------------------------------------------- */

static void *serve(void *offer)
{
	sl_offer_serve(offer);
	return NULL;
}

/* Paths to hold two copies' compiled patterns to each other with. */
static const char *const probes[] = {
    "a",	 "a/b.c",	   "lane-1/f.x1", "lane-399/x/y.x399",
    "docs/x.md", "api/v1/x.proto", "x.go",	  "deep/a/b/c/d/e/f.txt",
    "Makefile",	 "tests/unit/t.c",
};

static void assert_same_list(const struct sl_rule_list *a,
			     const struct sl_rule_list *b)
{
	size_t i, k;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_string_equal(a->items[i].text, b->items[i].text);
		assert_int_equal(a->items[i].pos.line, b->items[i].pos.line);
		assert_int_equal(a->items[i].pos.col, b->items[i].pos.col);
		assert_int_equal(a->items[i].lane, b->items[i].lane);
		for (k = 0; k < SL_ARRAY_SIZE(probes); k++)
			assert_int_equal(
			    sl_pattern_match(a->items[i].pattern, probes[k],
					     strlen(probes[k]), 0, NULL),
			    sl_pattern_match(b->items[i].pattern, probes[k],
					     strlen(probes[k]), 0, NULL));
	}
}

static void assert_same_rules(const struct sl_rules *a,
			      const struct sl_rules *b)
{
	size_t i;

	assert_same_list(&a->rules, &b->rules);
	assert_same_list(&a->run_all_on, &b->run_all_on);
	assert_int_equal(a->ngates, b->ngates);
	for (i = 0; i < a->ngates; i++) {
		assert_string_equal(a->gates[i].name, b->gates[i].name);
		assert_same_list(&a->gates[i].when, &b->gates[i].when);
	}
}

/*
 * sl_rules_load_buffer() of yaml, and again with an offer that a thread
 * serves: both must give the same status and message, or the same rules.
 * Returns the first's.
 */
static int load_twice(struct sl_rules **out, const char *name, const char *data,
		      size_t len, struct sl_error *err)
{
	struct sl_error other_err = SL_ERROR_INIT;
	struct sl_rules *other = NULL;
	struct sl_offer *offer;
	pthread_t thread;
	int ret, other_ret;

	ret = sl_rules_load_buffer(out, name, data, len, err);
	sl_offer_new(&offer);
	assert_int_equal(pthread_create(&thread, NULL, serve, offer), 0);
	other_ret =
	    sl_rules_load_offered(&other, name, data, len, offer, &other_err);
	sl_offer_close(offer);
	assert_int_equal(pthread_join(thread, NULL), 0);
	sl_offer_free(offer);
	assert_int_equal(ret, other_ret);
	if (err)
		assert_string_equal(sl_error_message(err),
				    sl_error_message(&other_err));
	if (!ret)
		assert_same_rules(*out, other);
	else
		assert_null(other);
	sl_rules_free(other);
	sl_error_release(&other_err);
	return ret;
}

static struct sl_rules *load_ok(const char *yaml)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;
	int ret;

	ret = load_twice(&rules, "sluice.yml", yaml, strlen(yaml), &err);
	if (ret)
		fail_msg("unexpected error: %s", sl_error_message(&err));
	assert_non_null(rules);
	sl_error_release(&err);
	return rules;
}

/* Loads yaml and checks that it is refused with exactly message. */
static void refused(const char *yaml, const char *message)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = (struct sl_rules *)&err; /* must be reset */

	assert_int_equal(
	    load_twice(&rules, "sluice.yml", yaml, strlen(yaml), &err),
	    SL_ERULES);
	assert_null(rules);
	assert_int_equal(err.status, SL_ERULES);
	assert_string_equal(sl_error_message(&err), message);
	sl_error_release(&err);
}

/* The same, for messages that end in another component's words. */
static void refused_prefix(const char *yaml, const char *prefix)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;

	assert_int_equal(
	    load_twice(&rules, "sluice.yml", yaml, strlen(yaml), &err),
	    SL_ERULES);
	assert_null(rules);
	if (strncmp(sl_error_message(&err), prefix, strlen(prefix)))
		fail_msg("'%s' does not start with '%s'",
			 sl_error_message(&err), prefix);
	assert_null(strchr(sl_error_message(&err), '\n'));
	sl_error_release(&err);
}

static char *fixture(const char *name)
{
	struct sl_buf path = SL_BUF_INIT;

	sl_buf_addf(&path, "%s/fixtures/rules/%s", sl_source_root(), name);
	return sl_buf_detach(&path, NULL);
}

static void assert_pos(struct sl_pos pos, unsigned line, unsigned col)
{
	assert_int_equal(pos.line, line);
	assert_int_equal(pos.col, col);
}

/* ---- the example of SPEC.md ------------------------------------------ */

static void check_example_top(const struct sl_rules *r)
{
	assert_int_equal(r->version, 1);
	assert_int_equal(r->run_all_on.n, 2);
	assert_string_equal(r->run_all_on.items[0].text, "meson.build");
	assert_non_null(r->run_all_on.items[0].pattern);
	assert_true(r->run_all_on.items[0].lane == SL_NO_LANE);
	assert_pos(r->run_all_on.items[0].pos, 5, 5);
	assert_string_equal(r->run_all_on.items[1].text, "toolchain/**");
	assert_pos(r->run_all_on.items[1].pos, 6, 5);
	assert_int_equal(r->unowned, SL_UNOWNED_RUN_ALL);
	assert_int_equal(r->consumers, SL_CONSUMERS_TRANSITIVE);
	assert_string_equal(r->ledger, ".sluice/ledger.db");
	assert_null(r->ledger_ref);
	assert_null(r->ledger_remote);
	assert_string_equal(r->allowed_signers, ".sluice/allowed_signers");
	assert_int_equal(r->global_approvers.n, 1);
	assert_string_equal(r->global_approvers.v[0], "@platform/release");
	assert_null(r->global_approvers.v[1]);
	assert_non_null(r->index);
}

static void check_example_lanes(const struct sl_rules *r)
{
	static const struct {
		const char *text;
		size_t lane;
		unsigned line, col;
	} rules[] = {
	    {"api/", 0, 33, 13},
	    {"*.proto", 0, 33, 21},
	    {"services/billing/", 1, 36, 13},
	    {"apps/web/", 2, 50, 13},
	    {"*.md", 3, 56, 13},
	    {"services/billing/docs/", 3, 56, 21},
	};
	size_t i;

	assert_int_equal(r->nlanes, 4);
	assert_string_equal(r->lanes[0].name, "contracts");
	assert_pos(r->lanes[0].pos, 31, 3);
	assert_int_equal(r->lanes[0].owners.n, 1);
	assert_string_equal(r->lanes[0].owners.v[0], "@platform/api");
	assert_int_equal(r->lanes[0].nconsumes, 0);
	assert_string_equal(r->lanes[1].name, "billing");
	assert_int_equal(r->lanes[1].owners.n, 2);
	assert_string_equal(r->lanes[1].owners.v[1], "ana@example.com");
	assert_int_equal(r->lanes[1].nconsumes, 1);
	assert_int_equal(r->lanes[1].consumes[0], 0);
	assert_string_equal(r->lanes[2].name, "web");
	assert_int_equal(r->lanes[2].consumes[0], 1);
	assert_string_equal(r->lanes[3].name, "docs");
	assert_int_equal(r->lanes[3].owners.n, 0);
	assert_null(r->lanes[3].owners.v[0]);
	assert_pos(r->lanes[3].pos, 55, 3);

	assert_int_equal(r->rules.n, SL_ARRAY_SIZE(rules));
	for (i = 0; i < SL_ARRAY_SIZE(rules); i++) {
		assert_string_equal(r->rules.items[i].text, rules[i].text);
		assert_int_equal(r->rules.items[i].lane, rules[i].lane);
		assert_non_null(r->rules.items[i].pattern);
		assert_pos(r->rules.items[i].pos, rules[i].line, rules[i].col);
	}
	assert_int_equal(r->lanes[0].first_rule, 0);
	assert_int_equal(r->lanes[0].nrules, 2);
	assert_int_equal(r->lanes[1].first_rule, 2);
	assert_int_equal(r->lanes[1].nrules, 1);
	assert_int_equal(r->lanes[2].first_rule, 3);
	assert_int_equal(r->lanes[2].nrules, 1);
	assert_int_equal(r->lanes[3].first_rule, 4);
	assert_int_equal(r->lanes[3].nrules, 2);
}

static void check_defaults(const struct sl_gate *g)
{
	assert_null(g->cwd);
	assert_int_equal(g->nenv, 0);
	assert_int_equal(g->retries, 0);
	assert_false(g->has_approvers);
	assert_int_equal(g->approvers.n, 0);
}

static void check_example_gates(const struct sl_rules *r)
{
	const struct sl_gate *g = r->gates;

	assert_int_equal(r->ngates, 5);
	assert_string_equal(g[0].name, "contract-compat");
	assert_int_equal(g[0].kind, SL_GATE_CONTRACT);
	assert_true(g[0].lane == SL_NO_LANE);
	assert_string_equal(g[0].shell, "./scripts/check-contracts");
	assert_int_equal(g[0].argv.n, 0);
	assert_int_equal(g[0].when.n, 2);
	assert_string_equal(g[0].when.items[1].text, "schema/**");
	assert_true(g[0].when.items[1].lane == SL_NO_LANE);
	assert_pos(g[0].when.items[1].pos, 27, 24);
	assert_false(g[0].overridable);
	assert_int_equal(g[0].timeout_ms, 30 * 60 * 1000);
	assert_pos(g[0].pos, 25, 5);

	assert_string_equal(g[1].name, "billing-unit");
	assert_int_equal(g[1].kind, SL_GATE_LOCAL);
	assert_int_equal(g[1].lane, 1);
	assert_string_equal(g[1].shell, "make -C services/billing test");
	assert_int_equal(g[1].timeout_ms, 10 * 60 * 1000);
	assert_int_equal(g[1].when.n, 0);
	assert_true(g[1].overridable);

	assert_string_equal(g[2].name, "billing-migrations");
	assert_null(g[2].shell);
	assert_int_equal(g[2].argv.n, 2);
	assert_string_equal(g[2].argv.v[0],
			    "./services/billing/check-migrations");
	assert_string_equal(g[2].argv.v[1], "--strict");
	assert_null(g[2].argv.v[2]);
	assert_int_equal(g[2].when.n, 1);
	assert_pos(g[2].pos, 42, 7);

	assert_string_equal(g[3].name, "billing-api-smoke");
	assert_int_equal(g[3].kind, SL_GATE_SMOKE);
	assert_int_equal(g[3].lane, 1);
	assert_string_equal(g[4].name, "web-checkout-smoke");
	assert_int_equal(g[4].kind, SL_GATE_SMOKE);
	assert_int_equal(g[4].lane, 2);
	for (size_t i = 0; i < r->ngates; i++)
		check_defaults(&g[i]);
}

static void load__spec_example_fills_every_field(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;
	char *path = fixture("spec-example.yml");

	(void)state;
	if (sl_rules_load_file(&rules, path, &err))
		fail_msg("%s", sl_error_message(&err));
	assert_string_equal(rules->file, path);
	check_example_top(rules);
	check_example_lanes(rules);
	check_example_gates(rules);
	assert_ptr_equal(sl_rules_gate(rules, "billing-unit"),
			 &rules->gates[1]);
	assert_null(sl_rules_gate(rules, "billing"));
	assert_ptr_equal(sl_rules_lane(rules, "docs"), &rules->lanes[3]);
	assert_null(sl_rules_lane(rules, "billing-unit"));
	sl_rules_free(rules);
	sl_error_release(&err);
	free(path);
}

/* ---- fields, defaults and order --------------------------------------- */

static void load__every_gate_field(void **state)
{
	struct sl_rules *r =
	    load_ok("version: 1\n"
		    "lanes:\n"
		    "  app:\n"
		    "    gates:\n"
		    "      app-test:\n"
		    "        run: [sleep, 5, true, '']\n"
		    "        cwd: services/app\n"
		    "        env: {B: 2, A: 'x y', EMPTY: \"\", a_1: off}\n"
		    "        timeout: 90s\n"
		    "        retries: 3\n"
		    "        when: ['re:src/.*\\.c']\n"
		    "        overridable: FALSE\n"
		    "        approvers: []\n");
	const struct sl_gate *g = &r->gates[0];

	(void)state;
	assert_int_equal(g->argv.n, 4);
	assert_string_equal(g->argv.v[1], "5");
	assert_string_equal(g->argv.v[2], "true");
	assert_string_equal(g->argv.v[3], "");
	assert_string_equal(g->cwd, "services/app");
	assert_int_equal(g->nenv, 4);
	assert_string_equal(g->env[0].name, "B");
	assert_string_equal(g->env[0].value, "2");
	assert_string_equal(g->env[1].name, "A");
	assert_string_equal(g->env[1].value, "x y");
	assert_string_equal(g->env[2].value, "");
	assert_string_equal(g->env[3].name, "a_1");
	assert_string_equal(g->env[3].value, "off");
	assert_int_equal(g->timeout_ms, 90000);
	assert_int_equal(g->retries, 3);
	assert_string_equal(g->when.items[0].text, "re:src/.*\\.c");
	assert_false(g->overridable);
	assert_true(g->has_approvers);
	assert_int_equal(g->approvers.n, 0);
	sl_rules_free(r);
}

static void load__defaults_when_keys_are_absent(void **state)
{
	struct sl_rules *r = load_ok("version: 1\n");

	(void)state;
	assert_int_equal(r->version, 1);
	assert_int_equal(r->unowned, SL_UNOWNED_RUN_ALL);
	assert_int_equal(r->consumers, SL_CONSUMERS_TRANSITIVE);
	assert_null(r->ledger);
	assert_null(r->allowed_signers);
	assert_int_equal(r->run_all_on.n, 0);
	assert_int_equal(r->global_approvers.n, 0);
	assert_int_equal(r->nlanes, 0);
	assert_int_equal(r->ngates, 0);
	assert_int_equal(r->rules.n, 0);
	assert_non_null(r->index);
	assert_string_equal(r->file, "sluice.yml");
	sl_rules_free(r);
}

static void load__choices_and_booleans(void **state)
{
	struct sl_rules *r = load_ok("version: 1\n"
				     "unowned: global-only\n"
				     "consumers: direct\n"
				     "global:\n"
				     "  gates:\n"
				     "    a: {run: x, overridable: True}\n"
				     "    b: {run: x, overridable: false}\n");

	(void)state;
	assert_int_equal(r->unowned, SL_UNOWNED_GLOBAL_ONLY);
	assert_int_equal(r->consumers, SL_CONSUMERS_DIRECT);
	assert_true(r->gates[0].overridable);
	assert_false(r->gates[1].overridable);
	sl_rules_free(r);
	r = load_ok("version: 1\nunowned: fail\n");
	assert_int_equal(r->unowned, SL_UNOWNED_FAIL);
	sl_rules_free(r);
}

static void load__global_gates_come_first_and_keys_keep_file_order(void **state)
{
	struct sl_rules *r = load_ok("version: 1\n"
				     "lanes:\n"
				     "  a:\n"
				     "    smoke: {a-smoke: {run: x}}\n"
				     "    gates: {a-unit: {run: x}}\n"
				     "  b:\n"
				     "    gates: {b-unit: {run: x}}\n"
				     "global:\n"
				     "  gates: {contract: {run: x}}\n");

	(void)state;
	assert_int_equal(r->ngates, 4);
	assert_string_equal(r->gates[0].name, "contract");
	assert_string_equal(r->gates[1].name, "a-smoke");
	assert_int_equal(r->gates[1].kind, SL_GATE_SMOKE);
	assert_string_equal(r->gates[2].name, "a-unit");
	assert_int_equal(r->gates[2].kind, SL_GATE_LOCAL);
	assert_string_equal(r->gates[3].name, "b-unit");
	assert_int_equal(r->gates[3].lane, 1);
	sl_rules_free(r);
}

static void load__empty_values_are_empty_lanes(void **state)
{
	struct sl_rules *r = load_ok("version: 1\n"
				     "run_all_on:\n"
				     "global:\n"
				     "lanes:\n"
				     "  empty:\n"
				     "  also-empty: {}\n"
				     "  nulls:\n"
				     "    owners:\n"
				     "    paths:\n"
				     "    consumes:\n"
				     "    gates:\n"
				     "    smoke:\n");

	(void)state;
	assert_int_equal(r->nlanes, 3);
	assert_int_equal(r->lanes[2].nrules, 0);
	assert_int_equal(r->lanes[2].first_rule, 0);
	assert_int_equal(r->ngates, 0);
	sl_rules_free(r);
}

static void load__consumes_may_name_a_later_lane(void **state)
{
	struct sl_rules *r = load_ok("version: 1\n"
				     "lanes:\n"
				     "  web: {consumes: [billing, api]}\n"
				     "  billing: {consumes: [api]}\n"
				     "  api: {}\n");

	(void)state;
	assert_int_equal(r->lanes[0].nconsumes, 2);
	assert_int_equal(r->lanes[0].consumes[0], 1);
	assert_int_equal(r->lanes[0].consumes[1], 2);
	assert_int_equal(r->lanes[1].consumes[0], 2);
	sl_rules_free(r);
}

static void load__names_use_the_whole_charset(void **state)
{
	struct sl_rules *r = load_ok("version: 1\n"
				     "lanes:\n"
				     "  0.x_Y-z:\n"
				     "    gates: {9a.B_c-D: {run: x}}\n"
				     "  2024: {consumes: [0.x_Y-z]}\n");

	(void)state;
	assert_string_equal(r->lanes[0].name, "0.x_Y-z");
	assert_string_equal(r->lanes[1].name, "2024");
	assert_string_equal(r->gates[0].name, "9a.B_c-D");
	sl_rules_free(r);
}

static void load__byte_order_mark_and_crlf(void **state)
{
	struct sl_rules *r = load_ok("\xEF\xBB\xBFversion: 1\r\n"
				     "lanes:\r\n"
				     "  a: {paths: [x]}\r\n");

	(void)state;
	assert_int_equal(r->nlanes, 1);
	assert_pos(r->lanes[0].pos, 3, 3);
	assert_string_equal(r->rules.items[0].text, "x");
	sl_rules_free(r);
	refused("\xEF\xBB\xBFversion: 1\r\nlanes:\r\n  a: {pahts: [x]}\r\n",
		"sluice.yml:3:7: unknown key 'pahts' in lane 'a'; did you mean "
		"'paths'?");
}

static void load__multiline_run_and_document_markers(void **state)
{
	struct sl_rules *r = load_ok("%YAML 1.1\n"
				     "---\n"
				     "version: 1\n"
				     "global:\n"
				     "  gates:\n"
				     "    g:\n"
				     "      run: |\n"
				     "        make\n"
				     "        make test\n"
				     "...\n");

	(void)state;
	assert_string_equal(r->gates[0].shell, "make\nmake test\n");
	sl_rules_free(r);
}

/* ---- durations -------------------------------------------------------- */

static void duration__parses_units(void **state)
{
	uint64_t ms = 0;

	(void)state;
	assert_int_equal(sl_duration_parse(&ms, "90s"), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(sl_duration_parse(&ms, "10m"), 0);
	assert_int_equal(ms, 600000);
	assert_int_equal(sl_duration_parse(&ms, "1h"), 0);
	assert_int_equal(ms, 3600000);
	assert_int_equal(sl_duration_parse(&ms, "250ms"), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(sl_duration_parse(&ms, "007s"), 0);
	assert_int_equal(ms, 7000);
}

static void duration__refuses_everything_else(void **state)
{
	static const char *const bad[] = {
	    "",
	    "s",
	    "0s",
	    "10",
	    "1.5h",
	    "10 m",
	    "-1s",
	    "+1s",
	    "1d",
	    "1H",
	    " 1s",
	    "1s ",
	    "1h30m",
	    "10sec",
	    "ms1",
	    "1msx",
	    "99999999999999999999s",
	    "18446744073709551615h",
	};
	uint64_t ms = 42;
	size_t i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(bad); i++)
		if (sl_duration_parse(&ms, bad[i]) != -1)
			fail_msg("'%s' was accepted", bad[i]);
	assert_int_equal(ms, 42);
}

static void gate_kind__names(void **state)
{
	(void)state;
	assert_string_equal(sl_gate_kind_name(SL_GATE_CONTRACT), "contract");
	assert_string_equal(sl_gate_kind_name(SL_GATE_LOCAL), "local");
	assert_string_equal(sl_gate_kind_name(SL_GATE_SMOKE), "smoke");
}

/* ---- YAML itself ------------------------------------------------------ */

static void refuse__yaml_syntax_error(void **state)
{
	(void)state;
	refused("version: 1\nlanes:\n  a:\n    paths: [x\n",
		"sluice.yml:5:1: YAML syntax error: did not find expected ',' "
		"or ']' (while parsing a flow sequence that starts at line 4, "
		"column 12); check the indentation and the quoting here");
	refused("version: 1\nledger: \"unterminated\n",
		"sluice.yml:3:1: YAML syntax error: found unexpected end of "
		"stream (while scanning a quoted scalar that starts at line 2, "
		"column 9); check the indentation and the quoting here");
	refused("version: 1\nlanes:\n  a:\n    owners: [@a]\n",
		"sluice.yml:4:14: YAML syntax error: found character that "
		"cannot start any token (while scanning for the next token "
		"that starts at line 4, column 14); quote values that start "
		"with '@' or '`'");
}

static void refuse__tab_indentation(void **state)
{
	(void)state;
	refused("version: 1\nlanes:\n\ta: {}\n",
		"sluice.yml:3:1: YAML syntax error: found character that "
		"cannot start any token (while scanning for the next token "
		"that starts at line 3, column 1); indent with spaces, not "
		"tabs");
}

static void refuse__bad_indentation(void **state)
{
	(void)state;
	refused("version: 1\nlanes:\n  a:\n    paths: [x]\n   owners: [y]\n",
		"sluice.yml:5:4: YAML syntax error: did not find expected key "
		"(while parsing a block mapping that starts at line 3, column "
		"3); check the indentation and the quoting here");
}

static void refuse__empty_file(void **state)
{
	(void)state;
	refused("", "sluice.yml:1:1: the rules file is empty; it needs at "
		    "least 'version: 1'");
	refused("# only a comment\n\n",
		"sluice.yml:1:1: the rules file is empty; it needs at least "
		"'version: 1'");
	refused("---\n", "sluice.yml:1:1: the rules file is empty; it needs "
			 "at least 'version: 1'");
}

static void refuse__top_level_not_a_mapping(void **state)
{
	(void)state;
	refused("- version: 1\n",
		"sluice.yml:1:1: the top level must be a mapping of keys such "
		"as 'version: 1', not a list");
	refused("\n  hello\n",
		"sluice.yml:2:3: the top level must be a mapping of keys such "
		"as 'version: 1', not a string");
}

static void refuse__second_document(void **state)
{
	(void)state;
	refused("version: 1\n---\nversion: 1\n",
		"sluice.yml:2:1: a second YAML document starts here; a rules "
		"file holds one document: remove this '---' and what follows");
}

static void refuse__anchors_and_aliases(void **state)
{
	(void)state;
	refused(
	    "version: 1\nrun_all_on: &all [a]\n",
	    "sluice.yml:2:13: anchors and aliases are not allowed ('&all'); "
	    "write the value out in full, and quote a value that starts "
	    "with '&'");
	refused("version: 1\nlanes:\n  a: {paths: [*md]}\n",
		"sluice.yml:3:15: anchors and aliases are not allowed ('*md'); "
		"write the value out in full, and quote a value that starts "
		"with '*'");
	/* Not even an alias to YAML, but the same mistake. */
	refused("version: 1\nlanes:\n  a: {paths: [*.md]}\n",
		"sluice.yml:3:16: YAML syntax error: did not find expected "
		"alphabetic or numeric character (while scanning an alias that "
		"starts at line 3, column 15); quote values that start with "
		"'*' or '&'");
	refused("version: &v 1\n",
		"sluice.yml:1:10: anchors and aliases are not allowed ('&v'); "
		"write the value out in full, and quote a value that starts "
		"with '&'");
}

static void refuse__billion_laughs_at_the_first_anchor(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;
	char *path = fixture("billion-laughs.yml");
	uint64_t start = sl_now_ms();

	(void)state;
	assert_int_equal(sl_rules_load_file(&rules, path, &err), SL_ERULES);
	assert_null(rules);
	assert_non_null(strstr(sl_error_message(&err),
			       "billion-laughs.yml:2:4: anchors and aliases "
			       "are not allowed ('&a')"));
	assert_true(sl_now_ms() - start < 1000);
	sl_error_release(&err);
	free(path);
}

static void refuse__tags(void **state)
{
	(void)state;
	refused(
	    "version: 1\nledger: !!str x\n",
	    "sluice.yml:2:9: tags are not allowed ('tag:yaml.org,2002:str'); "
	    "remove the tag, and quote the value if it is meant as a "
	    "string");
	refused("version: 1\nlanes: !custom {}\n",
		"sluice.yml:2:8: tags are not allowed ('!custom'); remove the "
		"tag, and quote the value if it is meant as a string");
}

static void refuse__deep_nesting_quickly(void **state)
{
	struct sl_buf yaml = SL_BUF_INIT;
	uint64_t start = sl_now_ms();
	int i;

	(void)state;
	sl_buf_adds(&yaml, "version: 1\nx: ");
	for (i = 0; i < 5000; i++)
		sl_buf_addch(&yaml, '[');
	for (i = 0; i < 5000; i++)
		sl_buf_addch(&yaml, ']');
	sl_buf_addch(&yaml, '\n');
	/* The top-level mapping is level 1: the 64th '[' is level 65. */
	refused(yaml.buf, "sluice.yml:2:67: nesting deeper than 64 levels; a "
			  "rules file never needs that many: flatten it");
	assert_true(sl_now_ms() - start < 1000);

	sl_buf_reset(&yaml);
	for (i = 0; i < 200; i++)
		sl_buf_addf(&yaml, "%*sk:\n", i, "");
	/* The mapping that starts on line n is level n. */
	refused(yaml.buf, "sluice.yml:65:65: nesting deeper than 64 levels; a "
			  "rules file never needs that many: flatten it");
	sl_buf_release(&yaml);
}

static void load__nesting_of_64_levels_is_parsed(void **state)
{
	struct sl_buf yaml = SL_BUF_INIT;
	int i;

	(void)state;
	/* 63 levels under the top level: within the limit, so the error
	 * is the schema's, not the depth's. */
	sl_buf_adds(&yaml, "version: 1\nx: ");
	for (i = 0; i < 63; i++)
		sl_buf_addch(&yaml, '[');
	for (i = 0; i < 63; i++)
		sl_buf_addch(&yaml, ']');
	refused(
	    yaml.buf,
	    "sluice.yml:2:1: unknown key 'x' at the top level; "
	    "the keys here are version, run_all_on, unowned, "
	    "consumers, ledger, ledger_remote, allowed_signers, global, lanes, "
	    "workspaces");
	sl_buf_release(&yaml);
}

static void refuse__files_over_4_mib(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;
	size_t len = 5 * 1024 * 1024;
	char *big = sl_xmalloc(len);

	(void)state;
	memset(big, '#', len);
	memcpy(big, "version: 1\n", 11);
	assert_int_equal(
	    sl_rules_load_buffer(&rules, "big.yml", big, len, &err), SL_ERULES);
	assert_string_equal(sl_error_message(&err),
			    "big.yml:1:1: the rules file is larger than the "
			    "limit of 4 MiB (5242880 bytes); split out what "
			    "does not belong in it");
	sl_rules_free(rules);

	sl_sandbox_enter();
	sl_write_file("big.yml", big, len);
	assert_int_equal(sl_rules_load_file(&rules, "big.yml", &err),
			 SL_ERULES);
	assert_null(rules);
	assert_string_equal(sl_error_message(&err),
			    "big.yml:1:1: the rules file is larger than the "
			    "limit of 4 MiB; split out what does not belong "
			    "in it");
	/* Exactly the limit is still read (and here, being comments,
	 * loads). */
	sl_write_file("limit.yml", big, SL_RULES_MAX_BYTES);
	assert_int_equal(sl_rules_load_file(&rules, "limit.yml", &err), 0);
	sl_rules_free(rules);
	sl_sandbox_leave();
	sl_error_release(&err);
	free(big);
}

static void refuse__unreadable_file_as_environment(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;

	(void)state;
	assert_int_equal(
	    sl_rules_load_file(&rules, "/nonexistent/sluice.yml", &err),
	    SL_EENV);
	assert_null(rules);
	assert_non_null(
	    strstr(sl_error_message(&err), "'/nonexistent/sluice.yml'"));
	sl_error_release(&err);
}

static void refuse__nul_bytes_and_bad_utf8(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;

	(void)state;
	refused("version: 1\nledger: \"a\\0b\"\n",
		"sluice.yml:2:9: a value holds a NUL byte; remove the \\0 "
		"escape");
	assert_int_equal(sl_rules_load_buffer(&rules, "x.yml",
					      "version: 1\nledger: \xff\n", 20,
					      &err),
			 SL_ERULES);
	assert_string_equal(sl_error_message(&err),
			    "x.yml:2:9: not a valid UTF-8 text file: invalid "
			    "leading UTF-8 octet; save the rules file as "
			    "UTF-8");
	assert_int_equal(
	    sl_rules_load_buffer(&rules, "x.yml", "version: 1\0\n", 12, &err),
	    SL_ERULES);
	assert_string_equal(sl_error_message(&err),
			    "x.yml:1:11: not a valid UTF-8 text file: control "
			    "characters are not allowed; save the rules file "
			    "as UTF-8");
	sl_error_release(&err);
}

/* ---- version ------------------------------------------------------------ */

static void refuse__version_missing_wrong_or_unsupported(void **state)
{
	(void)state;
	refused("lanes: {}\n", "sluice.yml:1:1: missing 'version'; add "
			       "'version: 1' at the top of the file");
	refused("# rules\nlanes: {}\n",
		"sluice.yml:2:1: missing 'version'; add 'version: 1' at the "
		"top of the file");
	refused("version: \"1\"\n",
		"sluice.yml:1:10: 'version' must be an integer, not a string; "
		"remove the quotes around \"1\"");
	refused("version: 1.0\n",
		"sluice.yml:1:10: 'version' must be an integer, not a number; "
		"quote it if it is meant as a string: \"1.0\"");
	refused("version: [1]\n",
		"sluice.yml:1:10: 'version' must be an integer, not a list");
	refused("version: 2\nfuture: key\n",
		"sluice.yml:1:10: unsupported version 2; this sluice reads "
		"version 1: write 'version: 1', or upgrade sluice");
	refused("version: -1\n",
		"sluice.yml:1:10: unsupported version -1; this sluice reads "
		"version 1: write 'version: 1', or upgrade sluice");
}

/* ---- keys -------------------------------------------------------------- */

static void refuse__unknown_keys_with_a_suggestion(void **state)
{
	(void)state;
	refused("version: 1\nlanes:\n  a:\n    pahts: [x]\n",
		"sluice.yml:4:5: unknown key 'pahts' in lane 'a'; did you "
		"mean 'paths'?");
	refused("version: 1\nrun_all_off: []\n",
		"sluice.yml:2:1: unknown key 'run_all_off' at the top level; "
		"did you mean 'run_all_on'?");
	refused("version: 1\nglobal:\n  gate: {}\n",
		"sluice.yml:3:3: unknown key 'gate' in 'global'; did you mean "
		"'gates'?");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, timout: 1m}\n",
		"sluice.yml:4:17: unknown key 'timout' in gate 'g'; did you "
		"mean 'timeout'?");
	refused("version: 1\nVersion: 1\n",
		"sluice.yml:2:1: unknown key 'Version' at the top level; did "
		"you mean 'version'?");
}

static void refuse__unknown_keys_far_from_any(void **state)
{
	(void)state;
	refused("version: 1\nlanes:\n  a:\n    frobnicate: yes\n",
		"sluice.yml:4:5: unknown key 'frobnicate' in lane 'a'; the "
		"keys here are owners, paths, consumes, inputs, gates, smoke");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, rn: y}\n",
		"sluice.yml:4:17: unknown key 'rn' in gate 'g'; did you mean "
		"'run'?");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, zz: y}\n",
		"sluice.yml:4:17: unknown key 'zz' in gate 'g'; the keys here "
		"are run, cwd, env, timeout, retries, when, inputs, "
		"overridable, approvers");
}

static void refuse__keys_that_are_not_names(void **state)
{
	(void)state;
	refused("version: 1\n[a]: 1\n",
		"sluice.yml:2:1: a key must be a name, not a list; write "
		"'name: value'");
	refused("version: 1\n~: 1\n",
		"sluice.yml:2:1: a key must be a name, not null; write 'name: "
		"value'");
	refused("version: 1\nlanes:\n  ? {a: b}\n  : {}\n",
		"sluice.yml:3:5: a key must be a name, not a mapping; write "
		"'name: value'");
	refused(
	    "version: 1\nglobal:\n  gates:\n    g: {run: x, env: {[A]: b}}\n",
	    "sluice.yml:4:23: a key must be a name, not a list; write "
	    "'name: value'");
}

static void refuse__duplicate_keys(void **state)
{
	(void)state;
	refused("version: 1\nunowned: fail\nconsumers: direct\nunowned: fail\n",
		"sluice.yml:4:1: duplicate key 'unowned' (first at line 2); "
		"keep only one");
	refused("version: 1\nversion: 1\n",
		"sluice.yml:2:1: duplicate key 'version' (first at line 1); "
		"keep only one");
	refused("version: 1\nlanes:\n  a: {}\n  b: {}\n  a: {}\n",
		"sluice.yml:5:3: duplicate lane 'a' (first at line 3); keep "
		"only one");
	refused("version: 1\nglobal:\n  gates:\n    g:\n      run: x\n"
		"      env: {A: 1, B: 2,\n            A: 3}\n",
		"sluice.yml:7:13: duplicate key 'A' (first at line 6); keep "
		"only one");
	refused("version: 1\nlanes:\n  a:\n    paths: [x]\n    paths: [y]\n",
		"sluice.yml:5:5: duplicate key 'paths' (first at line 4); "
		"keep only one");
}

static void refuse__gate_name_used_twice(void **state)
{
	(void)state;
	refused("version: 1\n"
		"global:\n"
		"  gates:\n"
		"    unit: {run: x}\n"
		"lanes:\n"
		"  a:\n"
		"    smoke:\n"
		"      unit: {run: y}\n",
		"sluice.yml:8:7: gate 'unit' is already defined at line 4, "
		"column 5; gate names must be unique across the file: rename "
		"one");
	refused("version: 1\n"
		"lanes:\n"
		"  a:\n"
		"    gates: {unit: {run: x}, unit: {run: y}}\n",
		"sluice.yml:4:29: gate 'unit' is already defined at line 4, "
		"column 13; gate names must be unique across the file: rename "
		"one");
}

static void refuse__bad_names(void **state)
{
	(void)state;
	refused("version: 1\nlanes:\n  a:\n    gates:\n      'unit test': "
		"{run: x}\n",
		"sluice.yml:5:7: gate 'unit test' is not a valid name; use "
		"letters, digits, '.', '_' and '-', starting with a letter or "
		"a digit");
	refused("version: 1\nglobal:\n  gates:\n    -x: {run: x}\n",
		"sluice.yml:4:5: gate '-x' is not a valid name; use letters, "
		"digits, '.', '_' and '-', starting with a letter or a digit");
	refused("version: 1\nglobal:\n  gates:\n    ../x: {run: x}\n",
		"sluice.yml:4:5: gate '../x' is not a valid name; use letters, "
		"digits, '.', '_' and '-', starting with a letter or a digit");
	refused("version: 1\nlanes:\n  \"\": {}\n",
		"sluice.yml:3:3: lane '' is not a valid name; use letters, "
		"digits, '.', '_' and '-', starting with a letter or a digit");
	refused("version: 1\nlanes:\n  \"a\\nb\": {}\n",
		"sluice.yml:3:3: lane 'a\\nb' is not a valid name; use "
		"letters, digits, '.', '_' and '-', starting with a letter or "
		"a digit");
}

static void refuse__names_past_128_characters(void **state)
{
	struct sl_buf yaml = SL_BUF_INIT;

	(void)state;
	sl_buf_adds(&yaml, "version: 1\nlanes:\n  ");
	for (int i = 0; i < 129; i++)
		sl_buf_addch(&yaml, 'a');
	sl_buf_adds(&yaml, ": {}\n");
	refused(yaml.buf,
		"sluice.yml:3:3: lane "
		"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"...' is longer than 128 characters; shorten it");
	sl_buf_release(&yaml);
}

/* ---- types --------------------------------------------------------------- */

static void refuse__wrong_types(void **state)
{
	(void)state;
	refused("version: 1\nglobal:\n  gates:\n    g:\n      run: x\n"
		"      timeout: [10m]\n",
		"sluice.yml:6:16: 'timeout' must be a duration like 90s, 10m "
		"or 1h, not a list");
	refused("version: 1\nlanes: [a, b]\n",
		"sluice.yml:2:8: 'lanes' must be a mapping of lane names to "
		"lanes, not a list");
	refused("version: 1\nlanes:\n  a: [x]\n",
		"sluice.yml:3:6: lane 'a' must be a mapping of owners, paths, "
		"consumes, inputs, gates and smoke, not a list");
	refused("version: 1\nlanes:\n  a: {owners: '@a'}\n",
		"sluice.yml:3:15: 'owners' must be a list of strings, not a "
		"string");
	refused("version: 1\nlanes:\n  a: {owners: [123]}\n",
		"sluice.yml:3:16: an entry of 'owners' must be a string, not "
		"an integer; quote it if it is meant as a string: \"123\"");
	refused("version: 1\nlanes:\n  a: {paths: [true]}\n",
		"sluice.yml:3:15: an entry of 'paths' must be a pattern (a "
		"string), not a boolean; quote it if it is meant as a string: "
		"\"true\"");
	refused("version: 1\nrun_all_on: meson.build\n",
		"sluice.yml:2:13: 'run_all_on' must be a list of patterns, not "
		"a string");
	refused("version: 1\nglobal: [x]\n",
		"sluice.yml:2:9: 'global' must be a mapping with approvers and "
		"gates, not a list");
	refused("version: 1\nglobal:\n  gates: [g]\n",
		"sluice.yml:3:10: 'gates' must be a mapping of gate names to "
		"gates, not a list");
	refused("version: 1\nlanes:\n  a:\n    smoke: x\n",
		"sluice.yml:4:12: 'smoke' must be a mapping of gate names to "
		"gates, not a string");
	refused("version: 1\nglobal:\n  gates:\n    g: make\n",
		"sluice.yml:4:8: gate 'g' must be a mapping such as {run: "
		"COMMAND}, not a string");
	refused("version: 1\nledger: 42\n",
		"sluice.yml:2:9: 'ledger' must be a string, not an integer; "
		"quote it if it is meant as a string: \"42\"");
	refused("version: 1\nallowed_signers: ''\n",
		"sluice.yml:2:18: 'allowed_signers' must not be empty");
	refused("version: 1\nglobal: {approvers: [\"\"]}\n",
		"sluice.yml:2:22: an entry of 'approvers' must not be empty");
}

static void load__shared_ledger_on_a_git_ref(void **state)
{
	static const char yaml[] =
	    "version: 1\nledger: git:refs/heads/sluice-ledger\n"
	    "ledger_remote: upstream/mirror\n";
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *r = NULL;

	(void)state;
	assert_int_equal(
	    sl_rules_load_buffer(&r, "sluice.yml", yaml, strlen(yaml), &err),
	    0);
	assert_string_equal(r->ledger, "git:refs/heads/sluice-ledger");
	assert_string_equal(r->ledger_ref, "refs/heads/sluice-ledger");
	assert_string_equal(r->ledger_remote, "upstream/mirror");
	assert_pos(r->ledger_pos, 2, 9);
	sl_rules_free(r);
	sl_error_release(&err);
}

static void refuse__ledger_refs_and_remotes_git_would_not_take(void **state)
{
	(void)state;
	refused("version: 1\nledger: git:sluice-ledger\n",
		"sluice.yml:2:9: 'ledger' 'git:sluice-ledger' names no full "
		"ref: write git:refs/..., e.g. 'git:refs/heads/sluice-ledger'");
	refused("version: 1\nledger: 'git:'\n",
		"sluice.yml:2:9: 'ledger' 'git:' names no full ref: write "
		"git:refs/..., e.g. 'git:refs/heads/sluice-ledger'");
	refused("version: 1\nledger: git:refs/\n",
		"sluice.yml:2:9: 'ledger' 'git:refs/' names no full ref: write "
		"git:refs/..., e.g. 'git:refs/heads/sluice-ledger'");
	refused("version: 1\nledger: git:refs/heads/a..b\n",
		"sluice.yml:2:9: 'ledger' 'git:refs/heads/a..b' is not a ref "
		"name git accepts: it holds '..' or '//'");
	refused("version: 1\nledger: git:refs/heads/.hidden\n",
		"sluice.yml:2:9: 'ledger' 'git:refs/heads/.hidden' is not a "
		"ref name git accepts: a part of it starts with '.'");
	refused("version: 1\nledger: git:refs/heads/x.lock\n",
		"sluice.yml:2:9: 'ledger' 'git:refs/heads/x.lock' is not a ref "
		"name git accepts: a part of it ends with '.lock'");
	refused("version: 1\nledger: 'git:refs/heads/a b'\n",
		"sluice.yml:2:9: 'ledger' 'git:refs/heads/a b' is not a ref "
		"name git accepts: it holds a space, a control character or "
		"one of ~ ^ : ? * [ \\");
	refused(
	    "version: 1\nledger: git:refs/heads/x/\n",
	    "sluice.yml:2:9: 'ledger' 'git:refs/heads/x/' is not a ref name "
	    "git accepts: it starts or ends with '/'");
	refused("version: 1\nledger: git:refs/heads/x@{1}\n",
		"sluice.yml:2:9: 'ledger' 'git:refs/heads/x@{1}' is not a ref "
		"name git accepts: it holds '@{' or is '@'");
	refused(
	    "version: 1\nledger: git:refs/heads/x.\n",
	    "sluice.yml:2:9: 'ledger' 'git:refs/heads/x.' is not a ref name "
	    "git accepts: it ends with '.'");
	refused("version: 1\nledger: git:refs/heads/l\nledger_remote: "
		"git@host:x.git\n",
		"sluice.yml:3:16: 'ledger_remote' 'git@host:x.git' is "
		"not a remote's name (it holds a space, a control character "
		"or one of ~ ^ : ? * [ \\): name the remote, as 'git remote' "
		"lists it");
	refused("version: 1\nledger: git:refs/heads/l\nledger_remote: -u\n",
		"sluice.yml:3:16: 'ledger_remote' '-u' is not a remote's name "
		"(it starts with '-'): name the remote, as 'git remote' lists "
		"it");
	refused(
	    "version: 1\nledger_remote: origin\n",
	    "sluice.yml:2:16: 'ledger_remote' names the remote of a shared "
	    "ledger, but 'ledger' is not set (a local file): write 'ledger: "
	    "git:REF' to share it, or remove 'ledger_remote'");
	refused("version: 1\nledger_remote: origin\nledger: x.db\n",
		"sluice.yml:2:16: 'ledger_remote' names the remote of a shared "
		"ledger, but 'ledger' is a local file: write 'ledger: "
		"git:REF' to share it, or remove 'ledger_remote'");
	refused("version: 1\nledger: git:refs/heads/l\nledger_remote: 7\n",
		"sluice.yml:3:16: 'ledger_remote' must be a string, not an "
		"integer; quote it if it is meant as a string: \"7\"");
}

static void refuse__overridable_must_be_a_yaml_boolean(void **state)
{
	(void)state;
	refused("version: 1\nglobal:\n  gates:\n    g:\n      run: x\n"
		"      overridable: \"true\"\n",
		"sluice.yml:6:20: 'overridable' must be true or false, not a "
		"string; remove the quotes around \"true\"");
	refused("version: 1\nglobal:\n  gates:\n    g:\n      run: x\n"
		"      overridable: yes\n",
		"sluice.yml:6:20: 'overridable' must be true or false, not a "
		"string");
	refused("version: 1\nglobal:\n  gates:\n    g:\n      run: x\n"
		"      overridable: 0\n",
		"sluice.yml:6:20: 'overridable' must be true or false, not an "
		"integer; quote it if it is meant as a string: \"0\"");
}

static void refuse__bad_choices(void **state)
{
	(void)state;
	refused("version: 1\nunowned: runall\n",
		"sluice.yml:2:10: 'unowned' must be run-all, global-only or "
		"fail, not 'runall'; did you mean 'run-all'?");
	refused("version: 1\nunowned: never\n",
		"sluice.yml:2:10: 'unowned' must be run-all, global-only or "
		"fail, not 'never'");
	refused(
	    "version: 1\nconsumers: [direct]\n",
	    "sluice.yml:2:12: 'consumers' must be transitive or direct, not "
	    "a list");
	refused(
	    "version: 1\nconsumers: Direct\n",
	    "sluice.yml:2:12: 'consumers' must be transitive or direct, not "
	    "'Direct'; did you mean 'direct'?");
}

/* ---- gates -------------------------------------------------------------- */

static void refuse__missing_or_empty_run(void **state)
{
	(void)state;
	refused("version: 1\nlanes:\n  a:\n    gates:\n      unit:\n"
		"        timeout: 1m\n",
		"sluice.yml:5:7: gate 'unit' has no 'run'; add run: COMMAND");
	refused("version: 1\nlanes:\n  a:\n    gates:\n      unit:\n",
		"sluice.yml:5:7: gate 'unit' has no 'run'; add run: COMMAND");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: '  '}\n",
		"sluice.yml:4:14: 'run' must not be empty; give the command to "
		"run");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: []}\n",
		"sluice.yml:4:9: 'run' must name at least the program to run; "
		"write run: [\"./program\", \"argument\"]");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: ['', x]}\n",
		"sluice.yml:4:15: the program in 'run' must not be empty; name "
		"the program to run");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: {a: b}}\n",
		"sluice.yml:4:14: 'run' must be a command (a string) or a list "
		"of arguments, not a mapping");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: [x, [y]]}\n",
		"sluice.yml:4:18: an entry of 'run' must be a string, not a "
		"list");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: ~}\n",
		"sluice.yml:4:14: 'run' must be a command (a string) or a list "
		"of arguments, not null");
}

static void refuse__cwd_outside_the_repository(void **state)
{
	(void)state;
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, cwd: /tmp}\n",
		"sluice.yml:4:22: 'cwd' must be relative to the repository "
		"root, not '/tmp'; drop the leading '/'");
	refused(
	    "version: 1\nglobal:\n  gates:\n    g: {run: x, cwd: a/../..}\n",
	    "sluice.yml:4:22: 'cwd' must stay inside the repository, but "
	    "'a/../..' goes up with '..'; name the directory from the "
	    "root");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, cwd: ..}\n",
		"sluice.yml:4:22: 'cwd' must stay inside the repository, but "
		"'..' goes up with '..'; name the directory from the root");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, cwd: ''}\n",
		"sluice.yml:4:22: 'cwd' must not be empty");
}

static void load__cwd_may_hold_dots_in_names(void **state)
{
	struct sl_rules *r = load_ok("version: 1\nglobal:\n  gates:\n"
				     "    g: {run: x, cwd: a/..b/c..}\n"
				     "    h: {run: x, cwd: ./x/.}\n");

	(void)state;
	assert_string_equal(r->gates[0].cwd, "a/..b/c..");
	assert_string_equal(r->gates[1].cwd, "./x/.");
	sl_rules_free(r);
}

static void refuse__bad_env(void **state)
{
	(void)state;
	refused(
	    "version: 1\nglobal:\n  gates:\n    g: {run: x, env: {1A: b}}\n",
	    "sluice.yml:4:23: '1A' is not a valid environment variable "
	    "name; use letters, digits and '_', not starting with a digit");
	refused(
	    "version: 1\nglobal:\n  gates:\n    g: {run: x, env: {A-B: b}}\n",
	    "sluice.yml:4:23: 'A-B' is not a valid environment variable "
	    "name; use letters, digits and '_', not starting with a digit");
	refused("version: 1\nglobal:\n  gates:\n"
		"    g: {run: x, env: {SLUICE_GATE: b}}\n",
		"sluice.yml:4:23: 'SLUICE_GATE' is set by sluice itself; "
		"choose a name that does not start with SLUICE_");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, env: [A]}\n",
		"sluice.yml:4:22: 'env' must be a mapping of NAME: value, not "
		"a list");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, env: {A: }}\n",
		"sluice.yml:4:26: 'env' value must be a string, not null");
	refused(
	    "version: 1\nglobal:\n  gates:\n    g: {run: x, env: {A: [1]}}\n",
	    "sluice.yml:4:26: 'env' value must be a string, not a list");
}

static void refuse__bad_durations(void **state)
{
	(void)state;
	refused("version: 1\nglobal:\n  gates:\n"
		"    g: {run: x, timeout: 10 minutes}\n",
		"sluice.yml:4:26: 'timeout' must be a duration like 90s, 10m "
		"or 1h, not '10 minutes'");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, timeout: 0s}\n",
		"sluice.yml:4:26: 'timeout' must be a duration like 90s, 10m "
		"or 1h, not '0s'");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, timeout: 90}\n",
		"sluice.yml:4:26: 'timeout' must be a duration like 90s, 10m "
		"or 1h, not an integer; add a unit: 90s");
	refused(
	    "version: 1\nglobal:\n  gates:\n    g: {run: x, timeout: 169h}\n",
	    "sluice.yml:4:26: 'timeout' of '169h' is longer than the limit "
	    "of 168h; give a shorter one");
}

static void refuse__bad_retries(void **state)
{
	(void)state;
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, retries: 11}\n",
		"sluice.yml:4:26: 'retries' must be between 0 and 10, not 11; "
		"a gate that needs more is broken");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, retries: -1}\n",
		"sluice.yml:4:26: 'retries' must be between 0 and 10, not -1; "
		"a gate that needs more is broken");
	refused("version: 1\nglobal:\n  gates:\n"
		"    g: {run: x, retries: 99999999999999999999999}\n",
		"sluice.yml:4:26: 'retries' must be between 0 and 10, not "
		"99999999999999999999999; a gate that needs more is broken");
	refused(
	    "version: 1\nglobal:\n  gates:\n    g: {run: x, retries: '2'}\n",
	    "sluice.yml:4:26: 'retries' must be an integer, not a string; "
	    "remove the quotes around \"2\"");
}

static void refuse__empty_when(void **state)
{
	(void)state;
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, when: []}\n",
		"sluice.yml:4:17: 'when' must list at least one pattern; "
		"remove it to run the gate on any change");
	refused("version: 1\nglobal:\n  gates:\n    g: {run: x, when: api/}\n",
		"sluice.yml:4:23: 'when' must be a list of patterns, not a "
		"string");
}

static void refuse__bad_inputs(void **state)
{
	(void)state;
	refused("version: 1\nlanes:\n  a:\n    gates:\n"
		"      g: {run: x, inputs: []}\n",
		"sluice.yml:5:19: 'inputs' must list at least one pattern; "
		"remove it if the gate reads no file outside its lane");
	refused("version: 1\nlanes:\n  a:\n    gates:\n"
		"      g: {run: x, inputs: karma.conf.js}\n",
		"sluice.yml:5:27: 'inputs' must be a list of patterns, not a "
		"string");
	refused_prefix("version: 1\nlanes:\n  a:\n    smoke:\n"
		       "      g: {run: x, inputs: [ok, 're:(']}\n",
		       "sluice.yml:5:32: ");
}

static void load__inputs_compiled_in_order(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;
	const char *yaml =
	    "version: 1\n"
	    "lanes:\n"
	    "  a:\n"
	    "    paths: [a/]\n"
	    "    gates:\n"
	    "      g:\n"
	    "        run: x\n"
	    "        inputs: [/karma.conf.js, 'config/*.json']\n";

	(void)state;
	assert_int_equal(sl_rules_load_buffer(&rules, "sluice.yml", yaml,
					      strlen(yaml), &err),
			 0);
	assert_int_equal(rules->gates[0].inputs.n, 2);
	assert_string_equal(rules->gates[0].inputs.items[1].text,
			    "config/*.json");
	assert_int_equal(rules->gates[0].inputs.items[1].pos.line, 8);
	assert_int_equal(rules->gates[0].inputs.items[1].pos.col, 34);
	assert_int_equal(
	    sl_pattern_match(rules->gates[0].inputs.items[1].pattern,
			     "config/a.json", 13, 0, &err),
	    1);
	assert_int_equal(
	    sl_pattern_match(rules->gates[0].inputs.items[0].pattern,
			     "x/karma.conf.js", 15, 0, &err),
	    0);
	sl_rules_free(rules);
	sl_error_release(&err);
}

static void refuse__bad_lane_inputs(void **state)
{
	(void)state;
	refused("version: 1\nlanes:\n  a:\n    inputs: []\n",
		"sluice.yml:4:5: 'inputs' must list at least one pattern; "
		"remove it if the lane reads no file outside its paths");
	refused("version: 1\nlanes:\n  a:\n    inputs: karma.conf.js\n",
		"sluice.yml:4:13: 'inputs' must be a list of patterns, not a "
		"string");
	refused("version: 1\nlanes:\n  a: {inputs: {x: 1}}\n",
		"sluice.yml:3:15: 'inputs' must be a list of patterns, not a "
		"mapping");
	refused_prefix("version: 1\nlanes:\n  a:\n    paths: [a/]\n"
		       "    inputs: [ok, 're:(']\n",
		       "sluice.yml:5:18: ");
}

/* A lane's inputs are compiled in order, with their places, and own
 * nothing: the path they name stays with its owner. */
static void load__lane_inputs_compiled_in_order(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;
	const struct sl_rule *owner = NULL;
	const char *yaml = "version: 1\n"
			   "lanes:\n"
			   "  config:\n"
			   "    paths: [/karma.conf.js]\n"
			   "  a:\n"
			   "    paths: [a/]\n"
			   "    inputs: [/karma.conf.js, 'config/*.json']\n";

	(void)state;
	assert_int_equal(sl_rules_load_buffer(&rules, "sluice.yml", yaml,
					      strlen(yaml), &err),
			 0);
	assert_int_equal(rules->lanes[1].inputs.n, 2);
	assert_int_equal(rules->lanes[0].inputs.n, 0);
	assert_string_equal(rules->lanes[1].inputs.items[1].text,
			    "config/*.json");
	assert_int_equal(rules->lanes[1].inputs.items[1].pos.line, 7);
	assert_int_equal(rules->lanes[1].inputs.items[1].pos.col, 30);
	assert_int_equal(rules->lanes[1].inputs.items[1].lane, SL_NO_LANE);
	assert_int_equal(
	    sl_pattern_match(rules->lanes[1].inputs.items[0].pattern,
			     "karma.conf.js", 13, 0, &err),
	    1);
	assert_int_equal(
	    sl_rules_owner(&owner, rules, "karma.conf.js", 13, 0, &err), 0);
	assert_non_null(owner);
	assert_string_equal(rules->lanes[owner->lane].name, "config");
	sl_rules_free(rules);
	sl_error_release(&err);
}

/* ---- patterns ------------------------------------------------------------ */

static void refuse__pattern_that_does_not_compile(void **state)
{
	(void)state;
	refused_prefix("version: 1\nlanes:\n  a:\n    paths: [ok/, 're:(']\n",
		       "sluice.yml:4:18: ");
	refused_prefix("version: 1\nrun_all_on:\n  - 're:a(b'\n",
		       "sluice.yml:3:5: ");
	refused_prefix("version: 1\nglobal:\n  gates:\n"
		       "    g: {run: x, when: [\"re:[\"]}\n",
		       "sluice.yml:4:24: ");
	/* The pattern's message quotes it: still one line. */
	refused_prefix("version: 1\nrun_all_on: [\"a\\nb\"]\n",
		       "sluice.yml:2:14: ");
	refused_prefix("version: 1\nrun_all_on: ['']\n", "sluice.yml:2:14: ");
}

/*
 * A file of 400 lanes, lane i's paths on line 4 + 2i; the lane bad_at (if
 * any) has a pattern that does not compile, the lane bogus_at (if any) an
 * unknown key on the line after its paths. Whatever the loader does ahead
 * of its walk, the first mistake in the file is the one reported.
 */
static void many_lanes(struct sl_buf *yaml, int bad_at, int bogus_at)
{
	int i;

	sl_buf_adds(yaml, "version: 1\nlanes:\n");
	for (i = 0; i < 400; i++) {
		sl_buf_addf(yaml, "  lane-%d:\n", i);
		if (i == bad_at)
			sl_buf_adds(yaml, "    paths: ['re:(']\n");
		else
			sl_buf_addf(yaml, "    paths: ['dir%d/', '*.x%d']\n", i,
				    i);
		if (i == bogus_at)
			sl_buf_adds(yaml, "    bogus: 1\n");
	}
}

static void refuse__many_patterns_first_error_in_file_order(void **state)
{
	struct sl_buf yaml = SL_BUF_INIT;
	struct sl_rules *r;

	(void)state;
	many_lanes(&yaml, -1, -1);
	r = load_ok(yaml.buf);
	assert_int_equal(r->rules.n, 800);
	assert_string_equal(r->rules.items[799].text, "*.x399");
	assert_pos(r->rules.items[799].pos, 4 + 2 * 399, 24);
	sl_rules_free(r);

	sl_buf_reset(&yaml);
	many_lanes(&yaml, 300, -1);
	refused_prefix(yaml.buf, "sluice.yml:604:13: ");
	/* An error further down does not hide it... */
	sl_buf_reset(&yaml);
	many_lanes(&yaml, 300, 350);
	refused_prefix(yaml.buf, "sluice.yml:604:13: ");
	/* ...and one further up is the one reported. */
	sl_buf_reset(&yaml);
	many_lanes(&yaml, 300, 100);
	refused(yaml.buf, "sluice.yml:205:5: unknown key 'bogus' in lane "
			  "'lane-100'; the keys here are owners, paths, "
			  "consumes, inputs, gates, smoke");
	/* A bad pattern under a key refused first is never reported. */
	sl_buf_reset(&yaml);
	sl_buf_adds(&yaml, "version: 1\nbogus: {paths: ['re:(']}\n");
	many_lanes(&yaml, -1, -1);
	refused_prefix(yaml.buf, "sluice.yml:2:1: unknown key 'bogus'");
	sl_buf_release(&yaml);
}

/* ---- consumes ------------------------------------------------------------ */

static void refuse__consumes_unknown_lane(void **state)
{
	(void)state;
	refused(
	    "version: 1\nlanes:\n  billing: {}\n  web: {consumes: [biling]}\n",
	    "sluice.yml:4:20: lane 'web' consumes unknown lane 'biling'; "
	    "did you mean 'billing'?");
	refused("version: 1\nlanes:\n  web: {consumes: [payments]}\n",
		"sluice.yml:3:20: lane 'web' consumes unknown lane 'payments'; "
		"define it under 'lanes', or remove it");
	refused("version: 1\nlanes:\n  web: {consumes: [a, a]}\n  a: {}\n",
		"sluice.yml:3:23: lane 'a' is listed twice in 'consumes'; "
		"remove one");
	refused("version: 1\nlanes:\n  web: {consumes: web-lane}\n",
		"sluice.yml:3:19: 'consumes' must be a list of lane names, not "
		"a string");
}

static void refuse__consumes_cycle_in_full(void **state)
{
	(void)state;
	refused("version: 1\n"
		"lanes:\n"
		"  a: {consumes: [b]}\n"
		"  b: {consumes: [c]}\n"
		"  c: {consumes: [a]}\n",
		"sluice.yml:3:18: 'consumes' makes a cycle: a -> b -> c -> a; "
		"a lane cannot consume itself, directly or through other "
		"lanes: remove one of these entries");
	refused("version: 1\nlanes:\n  a: {consumes: [a]}\n",
		"sluice.yml:3:18: 'consumes' makes a cycle: a -> a; a lane "
		"cannot consume itself, directly or through other lanes: "
		"remove one of these entries");
	refused("version: 1\n"
		"lanes:\n"
		"  x: {consumes: [z]}\n"
		"  y: {consumes: [x, z]}\n"
		"  z: {consumes: [w, y]}\n"
		"  w: {}\n",
		"sluice.yml:3:18: 'consumes' makes a cycle: x -> z -> y -> x; "
		"a lane cannot consume itself, directly or through other "
		"lanes: remove one of these entries");
	/* Entered at c from s, but named from its first lane in the file. */
	refused("version: 1\n"
		"lanes:\n"
		"  s: {consumes: [c]}\n"
		"  a: {consumes: [b]}\n"
		"  b: {consumes: [c]}\n"
		"  c: {consumes: [a]}\n",
		"sluice.yml:4:18: 'consumes' makes a cycle: a -> b -> c -> a; "
		"a lane cannot consume itself, directly or through other "
		"lanes: remove one of these entries");
}

static void load__diamonds_and_long_chains_are_not_cycles(void **state)
{
	struct sl_buf yaml = SL_BUF_INIT;
	struct sl_rules *r;
	int i;

	(void)state;
	r = load_ok("version: 1\nlanes:\n  a: {consumes: [b, c]}\n"
		    "  b: {consumes: [d]}\n  c: {consumes: [d]}\n  d: {}\n");
	sl_rules_free(r);
	/* A chain far longer than any C stack would take by recursion. */
	sl_buf_adds(&yaml, "version: 1\nlanes:\n");
	for (i = 0; i < 10000; i++)
		sl_buf_addf(&yaml, "  l%d: {consumes: [l%d]}\n", i, i + 1);
	sl_buf_addf(&yaml, "  l%d: {}\n", i);
	r = load_ok(yaml.buf);
	assert_int_equal(r->nlanes, 10001);
	sl_rules_free(r);
	/* The same chain closed into a cycle is refused, named in full. */
	sl_buf_reset(&yaml);
	sl_buf_adds(&yaml, "version: 1\nlanes:\n");
	for (i = 0; i < 10000; i++)
		sl_buf_addf(&yaml, "  l%d: {consumes: [l%d]}\n", i,
			    (i + 1) % 10000);
	refused_prefix(yaml.buf, "sluice.yml:3:19: 'consumes' makes a cycle: "
				 "l0 -> l1 -> l2 -> ");
	sl_buf_release(&yaml);
}

/* ---- robustness ---------------------------------------------------------- */

/* Every prefix and many corruptions of the example either load or are
 * refused with SL_ERULES and one line: never a crash, never a leak. */
static void load__survives_truncation_and_corruption(void **state)
{
	static const char junk[] = "\t:-[]{}&*!|>'\"%@`#,?\n\\ x0";
	struct sl_buf data = SL_BUF_INIT, copy = SL_BUF_INIT;
	char *path = fixture("spec-example.yml");
	size_t i;

	(void)state;
	sl_read_file(&data, path);
	for (i = 0; i <= data.len; i++) {
		struct sl_error err = SL_ERROR_INIT;
		struct sl_rules *r = NULL;
		int ret = load_twice(&r, "t.yml", data.buf, i, &err);

		assert_true(ret == 0 || ret == SL_ERULES);
		assert_true(!ret == !!r);
		assert_null(strchr(sl_error_message(&err), '\n'));
		sl_rules_free(r);
		sl_error_release(&err);
	}
	for (i = 0; i < data.len; i++) {
		struct sl_error err = SL_ERROR_INIT;
		struct sl_rules *r = NULL;
		int ret;

		sl_buf_reset(&copy);
		sl_buf_add(&copy, data.buf, data.len);
		copy.buf[i] = junk[i % (sizeof(junk) - 1)];
		ret = load_twice(&r, "t.yml", copy.buf, copy.len, &err);
		assert_true(ret == 0 || ret == SL_ERULES);
		assert_null(strchr(sl_error_message(&err), '\n'));
		sl_rules_free(r);
		sl_error_release(&err);
	}
	sl_buf_release(&data);
	sl_buf_release(&copy);
	free(path);
}

static void load__null_error_is_allowed(void **state)
{
	struct sl_rules *r = NULL;
	const char *bad_pattern = "version: 1\nrun_all_on: ['re:(']\n";

	(void)state;
	assert_int_equal(sl_rules_load_buffer(&r, "x", NULL, 0, NULL),
			 SL_ERULES);
	assert_int_equal(sl_rules_load_buffer(&r, "x", "lanes: [", 8, NULL),
			 SL_ERULES);
	assert_null(r);
	assert_int_equal(sl_rules_load_buffer(&r, "x", bad_pattern,
					      strlen(bad_pattern), NULL),
			 SL_ERULES);
	assert_null(r);
	/* Compiled once the file is read (no one serves it: this thread
	 * does it all). */
	assert_int_equal(
	    load_twice(&r, "x", bad_pattern, strlen(bad_pattern), NULL),
	    SL_ERULES);
	assert_null(r);
	sl_rules_free(NULL);
}

static void load__huge_but_legal_file_quickly(void **state)
{
	struct sl_buf yaml = SL_BUF_INIT;
	uint64_t start = sl_now_ms();
	struct sl_rules *r;
	int i;

	(void)state;
	sl_buf_adds(&yaml, "version: 1\nlanes:\n");
	for (i = 0; yaml.len < 3 * 1024 * 1024 / 2; i++)
		sl_buf_addf(&yaml,
			    "  lane-%d:\n    owners: ['@t%d']\n"
			    "    paths: ['dir%d/']\n"
			    "    gates: {gate-%d: {run: make, when: [x]}}\n",
			    i, i, i, i);
	r = load_ok(yaml.buf);
	assert_int_equal(r->nlanes, (size_t)i);
	assert_int_equal(r->ngates, (size_t)i);
	sl_rules_free(r);
	sl_buf_release(&yaml);
	print_message("# %d lanes loaded in %" PRIu64 " ms\n", i,
		      sl_now_ms() - start);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(load__spec_example_fills_every_field),
	    cmocka_unit_test(load__every_gate_field),
	    cmocka_unit_test(load__defaults_when_keys_are_absent),
	    cmocka_unit_test(load__choices_and_booleans),
	    cmocka_unit_test(
		load__global_gates_come_first_and_keys_keep_file_order),
	    cmocka_unit_test(load__empty_values_are_empty_lanes),
	    cmocka_unit_test(load__consumes_may_name_a_later_lane),
	    cmocka_unit_test(load__names_use_the_whole_charset),
	    cmocka_unit_test(load__byte_order_mark_and_crlf),
	    cmocka_unit_test(load__multiline_run_and_document_markers),
	    cmocka_unit_test(duration__parses_units),
	    cmocka_unit_test(duration__refuses_everything_else),
	    cmocka_unit_test(gate_kind__names),
	    cmocka_unit_test(refuse__yaml_syntax_error),
	    cmocka_unit_test(refuse__tab_indentation),
	    cmocka_unit_test(refuse__bad_indentation),
	    cmocka_unit_test(refuse__empty_file),
	    cmocka_unit_test(refuse__top_level_not_a_mapping),
	    cmocka_unit_test(refuse__second_document),
	    cmocka_unit_test(refuse__anchors_and_aliases),
	    cmocka_unit_test(refuse__billion_laughs_at_the_first_anchor),
	    cmocka_unit_test(refuse__tags),
	    cmocka_unit_test(refuse__deep_nesting_quickly),
	    cmocka_unit_test(load__nesting_of_64_levels_is_parsed),
	    cmocka_unit_test(refuse__files_over_4_mib),
	    cmocka_unit_test(refuse__unreadable_file_as_environment),
	    cmocka_unit_test(refuse__nul_bytes_and_bad_utf8),
	    cmocka_unit_test(refuse__version_missing_wrong_or_unsupported),
	    cmocka_unit_test(refuse__unknown_keys_with_a_suggestion),
	    cmocka_unit_test(refuse__unknown_keys_far_from_any),
	    cmocka_unit_test(refuse__keys_that_are_not_names),
	    cmocka_unit_test(refuse__duplicate_keys),
	    cmocka_unit_test(refuse__gate_name_used_twice),
	    cmocka_unit_test(refuse__bad_names),
	    cmocka_unit_test(refuse__names_past_128_characters),
	    cmocka_unit_test(refuse__wrong_types),
	    cmocka_unit_test(refuse__overridable_must_be_a_yaml_boolean),
	    cmocka_unit_test(load__shared_ledger_on_a_git_ref),
	    cmocka_unit_test(
		refuse__ledger_refs_and_remotes_git_would_not_take),
	    cmocka_unit_test(refuse__bad_choices),
	    cmocka_unit_test(refuse__missing_or_empty_run),
	    cmocka_unit_test(refuse__cwd_outside_the_repository),
	    cmocka_unit_test(load__cwd_may_hold_dots_in_names),
	    cmocka_unit_test(refuse__bad_env),
	    cmocka_unit_test(refuse__bad_durations),
	    cmocka_unit_test(refuse__bad_retries),
	    cmocka_unit_test(refuse__empty_when),
	    cmocka_unit_test(refuse__bad_inputs),
	    cmocka_unit_test(load__inputs_compiled_in_order),
	    cmocka_unit_test(refuse__bad_lane_inputs),
	    cmocka_unit_test(load__lane_inputs_compiled_in_order),
	    cmocka_unit_test(refuse__pattern_that_does_not_compile),
	    cmocka_unit_test(refuse__consumes_unknown_lane),
	    cmocka_unit_test(refuse__consumes_cycle_in_full),
	    cmocka_unit_test(load__diamonds_and_long_chains_are_not_cycles),
	    cmocka_unit_test(load__survives_truncation_and_corruption),
	    cmocka_unit_test(load__null_error_is_allowed),
	    cmocka_unit_test(load__huge_but_legal_file_quickly),
	    cmocka_unit_test(refuse__many_patterns_first_error_in_file_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
