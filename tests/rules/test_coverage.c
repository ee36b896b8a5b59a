/*
 * test_coverage.c: `sluice check`'s analysis (rules/coverage*.c). The
 * unowned paths, ownership patterns that match nothing or are shadowed
 * (by another lane: a warning; by their own: a note), run_all_on and
 * `when` patterns each seen among the paths they could match, lanes and
 * gates that no change reaches, the order of the findings, and the drift
 * against a CODEOWNERS file. A randomized test holds the indexed passes to
 * the answer of testing every rule against every path.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rules/rules.h"
#include "tests/rules/random.h"
#include "tests/support/sandbox.h"
#include "tests/rules/ws_fixture.h"

#define DEFAULT_SEED UINT64_C(2024)

/* ---- helpers ------------------------------------------------------------ */

struct fixture {
	struct sl_rules *rules;
	struct sl_check_path *paths;
	size_t n;
	struct sl_check_report report;
};

static struct sl_rules *load(const char *yaml)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;

	if (sl_rules_load_buffer(&rules, "sluice.yml", yaml, strlen(yaml),
				 &err))
		fail_msg("unexpected error: %s", sl_error_message(&err));
	sl_error_release(&err);
	return rules;
}

/* paths: NULL-terminated; a trailing '/' makes a submodule. */
static void set_paths(struct fixture *f, const char *const *paths)
{
	size_t i;

	for (f->n = 0; paths[f->n]; f->n++)
		;
	f->paths = sl_xcalloc(f->n + 1, sizeof(*f->paths));
	for (i = 0; i < f->n; i++) {
		size_t len = strlen(paths[i]);

		f->paths[i].path = paths[i];
		f->paths[i].len = len;
		if (len > 1 && paths[i][len - 1] == '/') {
			f->paths[i].len--;
			f->paths[i].flags = SL_MATCH_DIR;
		}
	}
}

static void check(struct fixture *f, const char *yaml, const char *const *paths)
{
	struct sl_error err = SL_ERROR_INIT;

	f->rules = load(yaml);
	set_paths(f, paths);
	f->report = (struct sl_check_report)SL_CHECK_REPORT_INIT;
	if (sl_check_tree(&f->report, f->rules, f->paths, f->n, &err))
		fail_msg("unexpected error: %s", sl_error_message(&err));
	sl_error_release(&err);
}

static void release(struct fixture *f)
{
	sl_check_report_release(&f->report);
	sl_rules_free(f->rules);
	free(f->paths);
}

/* The findings as "LINE:COL KIND SEVERITY", one per line, in order. */
static void summary(struct sl_buf *out, const struct sl_check_report *r)
{
	size_t i;

	sl_buf_reset(out);
	for (i = 0; i < r->nfindings; i++) {
		const struct sl_finding *f = &r->findings[i];

		sl_buf_addf(out, "%u:%u %s %s\n", f->pos.line, f->pos.col,
			    sl_finding_kind_name(f->kind),
			    sl_severity_name(f->severity));
	}
}

static void assert_summary(const struct sl_check_report *r,
			   const char *expected)
{
	struct sl_buf got = SL_BUF_INIT;

	summary(&got, r);
	assert_string_equal(got.buf, expected);
	sl_buf_release(&got);
}

static const struct sl_finding *find(const struct sl_check_report *r,
				     enum sl_finding_kind kind, unsigned line)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if (r->findings[i].kind == kind &&
		    r->findings[i].pos.line == line)
			return &r->findings[i];
	fail_msg("no %s finding at line %u", sl_finding_kind_name(kind), line);
	return NULL;
}

/* ---- coverage ---------------------------------------------------------- */

static void coverage__clean_tree_has_no_findings(void **state)
{
	static const char *const paths[] = {"src/a.c", "src/b.c", "README.md",
					    NULL};
	struct fixture f;

	(void)state;
	check(&f,
	      "version: 1\n"
	      "lanes:\n"
	      "  src:\n"
	      "    owners: ['@src']\n"
	      "    paths: ['src/']\n"
	      "    gates:\n"
	      "      unit: {run: make}\n"
	      "  top:\n"
	      "    owners: ['@top']\n"
	      "    paths: ['/README.md']\n"
	      "    gates:\n"
	      "      top: {run: make}\n",
	      paths);
	assert_int_equal(f.report.nfindings, 0);
	assert_int_equal(f.report.nunowned, 0);
	assert_int_equal(f.report.npaths, 3);
	assert_ptr_equal(f.report.owner[2], &f.rules->rules.items[1]);
	assert_int_equal(f.report.lane_paths[0], 2);
	assert_int_equal(f.report.lane_paths[1], 1);
	release(&f);
}

static void coverage__unowned_paths_in_order(void **state)
{
	static const char *const paths[] = {"LICENSE", "src/a.c", "tools/x",
					    NULL};
	struct fixture f;
	const struct sl_finding *u;

	(void)state;
	check(&f,
	      "version: 1\n"
	      "lanes:\n"
	      "  src:\n"
	      "    paths: ['src/']\n",
	      paths);
	assert_int_equal(f.report.nunowned, 2);
	assert_int_equal(f.report.unowned[0], 0);
	assert_int_equal(f.report.unowned[1], 2);
	assert_null(f.report.owner[0]);
	/* The unowned finding comes after the rules file's own. */
	u = &f.report.findings[f.report.nfindings - 1];
	assert_int_equal(u->kind, SL_FINDING_UNOWNED);
	assert_int_equal(u->severity, SL_SEVERITY_WARNING);
	assert_null(u->file);
	assert_string_equal(u->message,
			    "2 of 3 tracked files are owned by no lane: a "
			    "change to one runs every gate (unowned: "
			    "run-all); add them to a lane's paths");
	release(&f);
}

/* A lane's inputs reach its local gates and its consumers' smoke gates,
 * so a `when` that matches only what they name is not unused; one that
 * matches nothing at all still is. */
static void coverage__when_sees_lane_inputs(void **state)
{
	static const char *const paths[] = {"karma.conf.js", "web/a.js",
					    "app/b.js", NULL};
	struct fixture f;
	struct sl_buf got = SL_BUF_INIT;

	(void)state;
	check(&f,
	      "version: 1\n"
	      "lanes:\n"
	      "  web:\n"
	      "    paths: ['web/']\n"
	      "    inputs: ['/karma.conf.js']\n"
	      "    gates:\n"
	      "      web-karma: {run: 'true', when: ['karma.conf.js']}\n"
	      "      web-none: {run: 'true', when: ['*.nothing']}\n"
	      "  app:\n"
	      "    paths: ['app/']\n"
	      "    consumes: [web]\n"
	      "    smoke:\n"
	      "      app-karma: {run: 'true', when: ['karma.conf.js']}\n",
	      paths);
	summary(&got, &f.report);
	assert_string_equal(got.buf, "8:38 when_unmatched warning\n"
				     "9:3 lane_no_gates note\n"
				     "0:0 inputs note\n");
	sl_buf_release(&got);
	release(&f);
}

static void coverage__run_all_paths_are_covered_not_unowned(void **state)
{
	static const char *const paths[] = {"LICENSE", "meson.build",
					    "src/a.c", "src/meson.build",
					    "tools/x", NULL};
	struct fixture f;
	const struct sl_finding *a;

	(void)state;
	check(&f,
	      "version: 1\n"
	      "unowned: fail\n"
	      "run_all_on: ['meson.build']\n"
	      "lanes:\n"
	      "  src:\n"
	      "    paths: ['src/']\n",
	      paths);
	/* meson.build (no lane) is covered; src/meson.build is owned and
	 * matched; LICENSE and tools/x are the unowned ones. */
	assert_int_equal(f.report.nrun_all, 2);
	assert_int_equal(f.report.run_all[0], 1);
	assert_int_equal(f.report.run_all[1], 3);
	assert_int_equal(f.report.nunowned, 2);
	assert_int_equal(f.report.unowned[0], 0);
	assert_int_equal(f.report.unowned[1], 4);
	a = find(&f.report, SL_FINDING_RUN_ALL, 0);
	assert_int_equal(a->severity, SL_SEVERITY_NOTE);
	assert_string_equal(a->message,
			    "2 of 5 tracked files match run_all_on: a change "
			    "to one runs every gate of every kind, whichever "
			    "lane owns them (no lane needs to: they are "
			    "covered)");
	assert_string_equal(
	    find(&f.report, SL_FINDING_UNOWNED, 0)->message,
	    "2 of 5 tracked files are owned by no lane: a change to one "
	    "fails selection (unowned: fail); add them to a lane's paths");
	/* Covered paths alone: no unowned finding at all. */
	release(&f);
	check(&f,
	      "version: 1\n"
	      "unowned: fail\n"
	      "run_all_on: ['meson.build', 'LICENSE', 'tools/']\n"
	      "lanes:\n"
	      "  src:\n"
	      "    paths: ['src/']\n",
	      paths);
	assert_int_equal(f.report.nrun_all, 4);
	assert_int_equal(f.report.nunowned, 0);
	assert_int_equal(f.report.count[SL_SEVERITY_ERROR], 0);
	assert_int_equal(find(&f.report, SL_FINDING_RUN_ALL, 0)->severity,
			 SL_SEVERITY_NOTE);
	release(&f);
}

static void coverage__unowned_with_fail_policy_is_an_error(void **state)
{
	static const char *const paths[] = {"LICENSE", "src/a.c", NULL};
	struct fixture f;
	const struct sl_finding *u;

	(void)state;
	check(&f,
	      "version: 1\n"
	      "unowned: fail\n"
	      "lanes:\n"
	      "  src:\n"
	      "    paths: ['src/']\n",
	      paths);
	u = find(&f.report, SL_FINDING_UNOWNED, 0);
	assert_int_equal(u->severity, SL_SEVERITY_ERROR);
	assert_int_equal(f.report.count[SL_SEVERITY_ERROR], 1);
	assert_string_equal(u->message,
			    "1 of 2 tracked files is owned by no lane: a "
			    "change to it fails selection (unowned: fail); "
			    "add it to a lane's paths");
	release(&f);
}

static void coverage__submodule_matches_as_directory(void **state)
{
	/* "vendor/lib/" matches the submodule only as a directory. */
	static const char *const paths[] = {"vendor/lib/", "src/a.c", NULL};
	struct fixture f;

	(void)state;
	check(&f,
	      "version: 1\n"
	      "lanes:\n"
	      "  all:\n"
	      "    paths: ['src/', 'vendor/lib/']\n",
	      paths);
	assert_int_equal(f.report.nunowned, 0);
	assert_ptr_equal(f.report.owner[0], &f.rules->rules.items[1]);
	release(&f);
}

/* ---- dead patterns ------------------------------------------------------- */

static const char dead_yaml[] =
    "version: 1\n"
    "lanes:\n"
    "  core:\n"
    "    owners: ['@core']\n"
    "    paths: ['src/', 'lib/', 'docs/']\n" /* line 5 */
    "    gates:\n"
    "      unit: {run: make}\n"
    "  c:\n"
    "    owners: ['@c']\n"
    "    paths: ['*.c']\n" /* line 10 */
    "    gates:\n"
    "      c: {run: make}\n"
    "  docs:\n"
    "    paths: ['*.md', 'docs/*.md']\n"; /* line 14 */

static void dead__unmatched_and_shadowed_told_apart(void **state)
{
	static const char *const paths[] = {"src/a.c", "docs/x.md", "src/b.c",
					    NULL};
	const struct sl_finding *d;
	struct fixture f;

	(void)state;
	check(&f, dead_yaml, paths);
	/* Lane core is left with no file, so its gate never runs. */
	assert_summary(&f.report, "5:13 shadowed warning\n"
				  "5:21 unmatched warning\n"
				  "5:29 shadowed warning\n"
				  "7:7 gate_no_paths warning\n"
				  "13:3 lane_no_gates note\n"
				  "14:13 shadowed note\n");
	d = find(&f.report, SL_FINDING_UNMATCHED, 5);
	assert_string_equal(d->message, "pattern 'lib/' of lane core matches "
					"no tracked file; fix it, or remove "
					"it");
	assert_ptr_equal(d->rule, &f.rules->rules.items[1]);
	assert_int_equal(d->lane, 0);
	assert_int_equal(d->example, SIZE_MAX);
	assert_string_equal(d->file, "sluice.yml");
	/* src/ loses src/a.c and src/b.c to *.c of lane c. */
	d = &f.report.findings[0];
	assert_int_equal(d->example, 0);
	assert_ptr_equal(d->decided_by, &f.rules->rules.items[3]);
	assert_string_equal(
	    d->message, "pattern 'src/' of lane core decides no tracked file: "
			"later patterns decide every file it matches (src/a.c: "
			"sluice.yml:10:13 '*.c' of lane c); move it after "
			"them, or remove it");
	/* '*.md' loses docs/x.md to its own lane's 'docs/ *.md'. */
	d = &f.report.findings[5];
	assert_int_equal(d->lane, 2);
	assert_string_equal(d->message,
			    "pattern '*.md' of lane docs decides no tracked "
			    "file: later patterns of the same lane decide "
			    "every file it matches (docs/x.md: "
			    "sluice.yml:14:21 'docs/*.md'), so no file changes "
			    "lane for it");
	release(&f);
}

static void dead__shadowed_by_another_lane_wins_over_own(void **state)
{
	/* 'a/' matches a/x.md (its own lane decides) and a/y.c (lane c):
	 * a warning, with the other lane's path as the example. */
	static const char *const paths[] = {"a/x.md", "a/y.c", NULL};
	struct fixture f;
	const struct sl_finding *d;

	(void)state;
	check(&f,
	      "version: 1\n"
	      "lanes:\n"
	      "  a:\n"
	      "    paths: ['a/', '*.md']\n"
	      "  c:\n"
	      "    paths: ['*.c']\n",
	      paths);
	d = find(&f.report, SL_FINDING_SHADOWED, 4);
	assert_int_equal(d->severity, SL_SEVERITY_WARNING);
	assert_int_equal(d->example, 1);
	release(&f);
}

static void dead__overlapping_dead_patterns_each_found(void **state)
{
	/* Three dead patterns match the same single path: one pass finds
	 * only the last of them, so it takes three. */
	static const char *const paths[] = {"x/y.c", "z", NULL};
	struct fixture f;

	(void)state;
	check(&f,
	      "version: 1\n"
	      "lanes:\n"
	      "  a:\n"
	      "    paths: ['x/', '*.c', 'x/*.c', 'nope/']\n"
	      "  b:\n"
	      "    paths: ['y.c', 'z']\n",
	      paths);
	assert_summary(&f.report, "3:3 lane_no_gates note\n"
				  "4:13 shadowed warning\n"
				  "4:19 shadowed warning\n"
				  "4:26 shadowed warning\n"
				  "4:35 unmatched warning\n"
				  "5:3 lane_no_gates note\n");
	release(&f);
}

static void dead__many_copies_of_one_pattern(void **state)
{
	/* 300 copies of one pattern, all shadowed, on 3,000 paths: every
	 * path finds the same copy until the index is rebuilt without it. */
	struct sl_buf yaml = SL_BUF_INIT, names = SL_BUF_INIT;
	struct sl_check_report report = SL_CHECK_REPORT_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_check_path *paths;
	struct sl_rules *rules;
	size_t i, n = 3000, shadowed = 0;

	(void)state;
	sl_buf_adds(&yaml, "version: 1\nlanes:\n  a:\n    paths:\n");
	for (i = 0; i < 300; i++)
		sl_buf_adds(&yaml, "      - '*.c'\n");
	sl_buf_adds(&yaml, "  b:\n    paths: ['*.c']\n");
	rules = load(yaml.buf);
	for (i = 0; i < n; i++)
		sl_buf_addf(&names, "d%04zu/f.c", i);
	paths = sl_xcalloc(n, sizeof(*paths));
	for (i = 0; i < n; i++) {
		paths[i].path = names.buf + 9 * i;
		paths[i].len = 9;
	}
	assert_int_equal(sl_check_tree(&report, rules, paths, n, &err), 0);
	for (i = 0; i < report.nfindings; i++)
		shadowed += report.findings[i].kind == SL_FINDING_SHADOWED &&
			    report.findings[i].severity == SL_SEVERITY_WARNING;
	assert_int_equal(shadowed, 300);
	sl_check_report_release(&report);
	sl_rules_free(rules);
	free(paths);
	sl_buf_release(&yaml);
	sl_buf_release(&names);
	sl_error_release(&err);
}

static void dead__limit_is_an_error_not_a_miss(void **state)
{
	static const char *const paths[] = {
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaacb", NULL};
	struct sl_check_report report = SL_CHECK_REPORT_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct fixture f;

	(void)state;
	f.rules = load("version: 1\n"
		       "lanes:\n"
		       "  a:\n"
		       "    paths: ['re:(a|a)*b']\n");
	set_paths(&f, paths);
	assert_int_equal(sl_check_tree(&report, f.rules, f.paths, f.n, &err),
			 SL_ERULES);
	assert_non_null(strstr(sl_error_message(&err), "match limit"));
	assert_int_equal(report.nfindings, 0);
	assert_null(report.owner);
	sl_error_release(&err);
	sl_rules_free(f.rules);
	free(f.paths);
}

/* ---- run_all_on and when ------------------------------------------------- */

static void unused__each_where_it_looks(void **state)
{
	/* A local gate's `when` sees its lane's files only, a smoke gate's
	 * those of the lanes its lane consumes, a contract gate's all. */
	static const char *const paths[] = {"api/v1.proto", "svc/a.c",
					    "svc/db/1.sql", "web/x.js", NULL};
	struct fixture f;

	(void)state;
	check(&f,
	      "version: 1\n"
	      "run_all_on: ['meson.build', 'api/**']\n"
	      "global:\n"
	      "  gates:\n"
	      "    compat:\n"
	      "      run: make\n"
	      "      when: ['api/**', '*.py']\n" /* line 7 */
	      "lanes:\n"
	      "  api:\n"
	      "    paths: ['api/']\n"
	      "  svc:\n"
	      "    paths: ['svc/']\n"
	      "    consumes: [api]\n"
	      "    gates:\n"
	      "      db:\n"
	      "        run: make\n"
	      "        when: ['svc/db/**', 'web/**']\n" /* line 17 */
	      "    smoke:\n"
	      "      svc-smoke:\n"
	      "        run: make\n"
	      "        when: ['*.proto', 'svc/**']\n" /* line 21 */
	      "  web:\n"
	      "    paths: ['web/']\n"
	      "    gates:\n"
	      "      web: {run: make}\n",
	      paths);
	assert_summary(&f.report, "2:14 run_all_unmatched warning\n"
				  "7:24 when_unmatched warning\n"
				  "17:29 when_unmatched warning\n"
				  "21:27 when_unmatched warning\n"
				  "0:0 run_all note\n");
	assert_string_equal(
	    find(&f.report, SL_FINDING_WHEN_UNMATCHED, 17)->message,
	    "pattern 'web/**' in the when of gate db matches "
	    "no file of lane svc, whose changes are all it "
	    "sees; fix it, or remove it");
	assert_string_equal(
	    find(&f.report, SL_FINDING_WHEN_UNMATCHED, 21)->gate->name,
	    "svc-smoke");
	assert_null(find(&f.report, SL_FINDING_RUN_ALL_UNMATCHED, 2)->gate);
	release(&f);
}

/* ---- lanes and gates ----------------------------------------------------- */

static void lanes__gates_that_no_change_reaches(void **state)
{
	static const char *const paths[] = {"a/x", "b/x", "d/x", NULL};
	const struct sl_finding *l;
	struct fixture f;

	(void)state;
	check(&f,
	      "version: 1\n"
	      "consumers: direct\n"
	      "lanes:\n"
	      "  a:\n" /* line 4: consumed by b, whose smoke covers it */
	      "    owners: ['@a']\n"
	      "    paths: ['a/']\n"
	      "  b:\n" /* line 7: no gates, owners: a warning */
	      "    owners: ['@b']\n"
	      "    paths: ['b/']\n"
	      "    consumes: [a]\n"
	      "    smoke:\n"
	      "      b-smoke: {run: make}\n"
	      "  c:\n" /* line 13: consumed only through b (direct) */
	      "    owners: ['@c']\n"
	      "    paths: ['c/']\n"
	      "    gates:\n"
	      "      c-unit: {run: make}\n" /* line 17: owns nothing */
	      "  d:\n" /* line 18: no owners, no gates: a note */
	      "    paths: ['d/']\n"
	      "  e:\n" /* line 20: no paths, no gates */
	      "    owners: ['@e']\n"
	      "  f:\n" /* line 22: no paths, local gate */
	      "    gates:\n"
	      "      f-unit: {run: make}\n"
	      "  g:\n" /* line 25: no paths, smoke only: a note */
	      "    consumes: [c]\n"
	      "    smoke:\n"
	      "      g-smoke: {run: make}\n" /* line 28: c owns nothing */
	      "  h:\n"
	      "    paths: ['h/']\n"
	      "    smoke:\n"
	      "      h-smoke: {run: make}\n", /* line 32: consumes none */
	      paths);
	assert_summary(&f.report, "7:3 lane_no_gates warning\n"
				  "15:13 unmatched warning\n"
				  "17:7 gate_no_paths warning\n"
				  "18:3 lane_no_gates note\n"
				  "20:3 lane_no_paths warning\n"
				  "22:3 lane_no_paths warning\n"
				  "25:3 lane_no_paths note\n"
				  "28:7 gate_no_paths warning\n"
				  "29:3 lane_no_gates note\n"
				  "30:13 unmatched warning\n"
				  "32:7 smoke_no_upstream warning\n");
	l = find(&f.report, SL_FINDING_LANE_NO_GATES, 7);
	assert_int_equal(l->lane, 1);
	assert_null(l->gate);
	assert_string_equal(
	    find(&f.report, SL_FINDING_LANE_NO_PATHS, 20)->message,
	    "lane e has no paths and no gates, so it does "
	    "nothing; give it paths, or remove it");
	assert_string_equal(
	    find(&f.report, SL_FINDING_GATE_NO_PATHS, 17)->gate->name,
	    "c-unit");
	release(&f);
}

static void lanes__transitive_smoke_covers_upstream(void **state)
{
	/* a <- b <- c (transitive): c's smoke gate runs when a changes. */
	static const char *const paths[] = {"a/x", "b/x", "c/x", NULL};
	struct fixture f;

	(void)state;
	check(&f,
	      "version: 1\n"
	      "lanes:\n"
	      "  a:\n"
	      "    owners: ['@a']\n"
	      "    paths: ['a/']\n"
	      "  b:\n"
	      "    owners: ['@b']\n"
	      "    paths: ['b/']\n"
	      "    consumes: [a]\n"
	      "  c:\n"
	      "    owners: ['@c']\n"
	      "    paths: ['c/']\n"
	      "    consumes: [b]\n"
	      "    gates:\n"
	      "      c-unit: {run: make}\n"
	      "    smoke:\n"
	      "      c-smoke: {run: make}\n",
	      paths);
	assert_summary(&f.report, "");
	release(&f);
}

/* ---- drift ------------------------------------------------------------- */

static const char drift_yaml[] = "version: 1\n"
				 "lanes:\n"
				 "  all:\n"
				 "    owners: ['@Core', 'ana@example.com']\n"
				 "    paths: ['*']\n"
				 "  web:\n"
				 "    owners: ['@web']\n"
				 "    paths: ['web/']\n"
				 "  docs:\n"
				 "    paths: ['*.md']\n";

static int drift(struct fixture *f, struct sl_codeowners_rules *co,
		 const char *codeowners, const char *const *paths)
{
	struct sl_error err = SL_ERROR_INIT;
	int ret;

	check(f, drift_yaml, paths);
	if (sl_codeowners_rules_load(co, "CODEOWNERS", codeowners,
				     strlen(codeowners), &err))
		fail_msg("unexpected error: %s", sl_error_message(&err));
	ret =
	    sl_check_codeowners(&f->report, f->rules, co, f->paths, f->n, &err);
	sl_error_release(&err);
	return ret;
}

static void drift__same_owner_sets_agree(void **state)
{
	/* Order, repetition and ASCII case aside; no lane and an owner-less
	 * lane both mean no owners. */
	static const char *const paths[] = {"src/a.c", "web/x.js", "README.md",
					    NULL};
	struct sl_codeowners_rules co;
	struct fixture f;

	(void)state;
	assert_int_equal(drift(&f, &co,
			       "* ana@example.com @core @CORE\n"
			       "/web/ @web\n"
			       "*.md\n",
			       paths),
			 0);
	assert_int_equal(f.report.ndrift, 0);
	assert_int_equal(f.report.count[SL_SEVERITY_ERROR], 0);
	assert_int_equal(co.flavor, SL_CODEOWNERS_GITHUB);
	sl_codeowners_rules_release(&co);
	release(&f);
}

static void drift__differing_paths_listed_with_lines(void **state)
{
	static const char *const paths[] = {"src/a.c", "web/x.js", "README.md",
					    "web/y.md", NULL};
	struct sl_codeowners_rules co;
	const struct sl_check_drift *d;
	const struct sl_finding *e;
	struct fixture f;

	(void)state;
	assert_int_equal(drift(&f, &co,
			       "# comment\n"
			       "* @core ana@example.com\n"
			       "/web/ @web-team\n"
			       "lib/[ab].c @x\n",
			       paths),
			 0);
	/* web/x.js: @web vs @web-team; README.md and web/y.md: none vs
	 * @web-team and @core. */
	assert_int_equal(f.report.ndrift, 3);
	d = &f.report.drift[0];
	assert_int_equal(d->path, 1);
	assert_ptr_equal(d->rule, &f.rules->rules.items[1]);
	assert_int_equal(d->co_line, 3);
	assert_string_equal(sl_rules_owners_of(co.rules, d->co_rule)->v[0],
			    "@web-team");
	d = &f.report.drift[1];
	assert_int_equal(d->path, 2);
	assert_int_equal(d->co_line, 2);
	assert_int_equal(sl_rules_owners_of(f.rules, d->rule)->n, 0);
	assert_int_equal(f.report.drift[2].path, 3);
	/* The rules' findings, the skipped line, then the drift, an error. */
	assert_summary(&f.report, "3:3 lane_no_gates warning\n"
				  "6:3 lane_no_gates warning\n"
				  "9:3 lane_no_gates note\n"
				  "4:0 codeowners warning\n"
				  "0:0 drift error\n");
	assert_string_equal(f.report.findings[3].file, "CODEOWNERS");
	e = &f.report.findings[4];
	assert_string_equal(e->message,
			    "3 of 4 tracked files have other owners in "
			    "CODEOWNERS than in sluice.yml; change one file "
			    "so that they agree");
	sl_codeowners_rules_release(&co);
	release(&f);
}

static void drift__unowned_path_against_owners(void **state)
{
	static const char *const paths[] = {"x", NULL};
	struct sl_codeowners_rules co;
	struct fixture f;
	struct sl_error err = SL_ERROR_INIT;

	(void)state;
	f.rules = load("version: 1\nlanes:\n  a:\n    paths: ['y']\n");
	set_paths(&f, paths);
	f.report = (struct sl_check_report)SL_CHECK_REPORT_INIT;
	assert_int_equal(sl_check_tree(&f.report, f.rules, f.paths, 1, &err),
			 0);
	assert_int_equal(sl_codeowners_rules_load(&co, "C", "x @a\n", 5, &err),
			 0);
	assert_int_equal(
	    sl_check_codeowners(&f.report, f.rules, &co, f.paths, 1, &err), 0);
	assert_int_equal(f.report.ndrift, 1);
	assert_null(f.report.drift[0].rule);
	assert_int_equal(f.report.drift[0].co_line, 1);
	sl_codeowners_rules_release(&co);
	release(&f);
	sl_error_release(&err);
}

static void drift__refused_input_is_an_error(void **state)
{
	struct sl_codeowners_rules co;
	struct sl_error err = SL_ERROR_INIT;

	(void)state;
	assert_int_equal(sl_codeowners_rules_load(&co, "C", "a\0b", 3, &err),
			 SL_EUSAGE);
	assert_null(co.rules);
	sl_codeowners_rules_release(&co);
	sl_error_release(&err);
}

/* ---- the indexed passes against every rule on every path ---------------- */

static const char *const vocab_patterns[] = {
    "a/",    "a/b/",  "*.c",	 "*.h",	   "b",		"/a",	"a/**",
    "**/b/", "a/*.c", "re:a/.*", "c/",	   "a/b/c.c",	"x/",	"b/*",
    "?",     "c",     "/c/*.h",	 "**/x.c", "re:.*\\.h", "b/b/", "nope/",
};
static const char *const vocab_names[] = {"a", "b", "c", "x.c", "y.h", "z"};

/* What every rule against every path says of rule k: 0 matches none,
 * 1 shadowed within its lane, 2 shadowed by another lane, 3 decides. */
static int brute_force(const struct fixture *f, size_t k)
{
	const struct sl_rule *rule = &f->rules->rules.items[k];
	struct sl_error err = SL_ERROR_INIT;
	const struct sl_rule *owner;
	size_t i;
	int state = 0;

	for (i = 0; i < f->n && state < 3; i++) {
		if (sl_pattern_match(rule->pattern, f->paths[i].path,
				     f->paths[i].len, f->paths[i].flags,
				     &err) != 1)
			continue;
		assert_int_equal(sl_rules_owner_scan(
				     &owner, f->rules, f->paths[i].path,
				     f->paths[i].len, f->paths[i].flags, &err),
				 0);
		if (owner == rule)
			state = 3;
		else if (owner->lane != rule->lane)
			state = 2;
		else if (!state)
			state = 1;
	}
	sl_error_release(&err);
	return state;
}

/* What the report says of rule k, on the same scale. */
static int reported(const struct fixture *f, size_t k)
{
	const struct sl_rule *rule = &f->rules->rules.items[k];
	size_t i;

	for (i = 0; i < f->report.nfindings; i++) {
		const struct sl_finding *x = &f->report.findings[i];

		if (x->rule != rule)
			continue;
		if (x->kind == SL_FINDING_UNMATCHED)
			return 0;
		return x->severity == SL_SEVERITY_NOTE ? 1 : 2;
	}
	return 3;
}

/* ---- consumes against the manifests -------------------------------- */

static const char *const ws_files[] = {
    "package.json",
    "{\"workspaces\": [\"packages/*\"]}",
    "packages/api/package.json",
    "{\"name\": \"@acme/api\", \"dependencies\": {\"@acme/log\": \"*\"}}",
    "packages/log/package.json",
    "{\"name\": \"@acme/log\"}",
    "packages/web/package.json",
    "{\"name\": \"@acme/web\", \"devDependencies\": {\"@acme/api\": "
    "\"*\", \"@acme/log\": \"*\"}}",
    "tools/pnpm-workspace.yaml",
    "packages: [",
    NULL,
    NULL};

static void consumes__missing_and_unsupported_edges(void **state)
{
	static const char *const paths[] = {"package.json",
					    "packages/api/package.json",
					    "packages/log/package.json",
					    "packages/web/package.json",
					    "tools/pnpm-workspace.yaml",
					    "node_modules/x/package.json",
					    ".hidden/go.work",
					    NULL};
	struct sl_ws_source src = mem_source(ws_files);
	struct sl_error err = SL_ERROR_INIT;
	struct fixture f;
	const struct sl_finding *x;

	(void)state;
	/* web consumes log only: its dependency on api is missed (web has
	 * a smoke gate: a warning); api consumes web for nothing (a note). */
	check(&f,
	      "version: 1\n"
	      "lanes:\n"
	      "  log:\n"
	      "    paths: [packages/log/]\n"
	      "  api:\n"
	      "    paths: [packages/api/]\n"
	      "    consumes: [log, web]\n"
	      "  web:\n"
	      "    paths: [packages/web/]\n"
	      "    consumes: [log]\n"
	      "    smoke:\n"
	      "      web-smoke: {run: x}\n",
	      paths);
	assert_int_equal(
	    sl_check_consumes(&f.report, f.rules, f.paths, f.n, &src, &err), 0);
	assert_int_equal(f.report.consumes_workspaces, 1);
	assert_int_equal(f.report.consumes_packages, 3);
	assert_int_equal(f.report.consumes_edges, 3);
	x = find(&f.report, SL_FINDING_CONSUMES_MISSING, 8);
	assert_int_equal(x->severity, SL_SEVERITY_WARNING);
	assert_string_equal(
	    x->message,
	    "lane web does not consume lane api, but "
	    "packages/web/package.json (lane web) depends on @acme/api "
	    "(packages/api/package.json, lane api) in devDependencies: a "
	    "change to api does not run the smoke gates of web; add api to "
	    "the consumes of web");
	x = find(&f.report, SL_FINDING_CONSUMES_UNSUPPORTED, 5);
	assert_int_equal(x->severity, SL_SEVERITY_NOTE);
	x = find(&f.report, SL_FINDING_WORKSPACE_UNREADABLE, 0);
	assert_int_equal(x->severity, SL_SEVERITY_WARNING);
	assert_null(x->file);
	/* In file order, then those about no line. */
	assert_summary(&f.report, "5:3 lane_no_gates note\n"
				  "5:3 consumes_unsupported note\n"
				  "8:3 lane_no_gates note\n"
				  "8:3 consumes_missing warning\n"
				  "0:0 unowned warning\n"
				  "0:0 workspace_unreadable warning\n");
	release(&f);
	/* Through a chain (consumers: transitive) it is reached: nothing;
	 * with consumers: direct, it is not. A lane without smoke gates
	 * gets a note. */
	check(&f,
	      "version: 1\n"
	      "lanes:\n"
	      "  log: {paths: [packages/log/]}\n"
	      "  api: {paths: [packages/api/], consumes: [log]}\n"
	      "  web:\n"
	      "    paths: [packages/web/]\n"
	      "    consumes: [api]\n"
	      "    smoke: {web-smoke: {run: x}}\n",
	      paths);
	assert_int_equal(
	    sl_check_consumes(&f.report, f.rules, f.paths, f.n, &src, &err), 0);
	/* The unowned files and the unreadable workspace, nothing else. */
	assert_int_equal(f.report.count[SL_SEVERITY_WARNING], 2);
	find(&f.report, SL_FINDING_WORKSPACE_UNREADABLE, 0);
	release(&f);
	check(&f,
	      "version: 1\n"
	      "consumers: direct\n"
	      "lanes:\n"
	      "  log: {paths: [packages/log/]}\n"
	      "  api: {paths: [packages/api/]}\n"
	      "  web:\n"
	      "    paths: [packages/web/]\n"
	      "    consumes: [api]\n"
	      "    smoke: {web-smoke: {run: x}}\n",
	      paths);
	assert_int_equal(
	    sl_check_consumes(&f.report, f.rules, f.paths, f.n, &src, &err), 0);
	assert_int_equal(
	    find(&f.report, SL_FINDING_CONSUMES_MISSING, 6)->severity,
	    SL_SEVERITY_WARNING);
	assert_int_equal(
	    find(&f.report, SL_FINDING_CONSUMES_MISSING, 5)->severity,
	    SL_SEVERITY_NOTE);
	release(&f);
	sl_error_release(&err);
}

static void random_rules(struct rng *r, struct sl_buf *yaml)
{
	size_t lanes = 1 + rng_below(r, 5), l, k, n;

	sl_buf_reset(yaml);
	sl_buf_adds(yaml, "version: 1\nlanes:\n");
	for (l = 0; l < lanes; l++) {
		sl_buf_addf(yaml, "  l%zu:\n    paths: [", l);
		n = 1 + rng_below(r, 6);
		for (k = 0; k < n; k++)
			sl_buf_addf(yaml, "%s'%s'", k ? ", " : "",
				    RNG_PICK(r, vocab_patterns));
		sl_buf_adds(yaml, "]\n");
	}
}

static void random_paths(struct rng *r, struct sl_strvec *paths)
{
	struct sl_buf p = SL_BUF_INIT;
	size_t n = rng_below(r, 30), i, d, depth;

	sl_strvec_release(paths);
	for (i = 0; i < n; i++) {
		sl_buf_reset(&p);
		depth = 1 + rng_below(r, 4);
		for (d = 0; d < depth; d++)
			sl_buf_addf(&p, "%s%s", d ? "/" : "",
				    RNG_PICK(r, vocab_names));
		if (rng_chance(r, 10))
			sl_buf_addch(&p, '/');
		sl_strvec_push(paths, p.buf);
	}
	sl_buf_release(&p);
}

static void random__passes_equal_brute_force(void **state)
{
	uint64_t seed = rng_seed_from_env("SLUICE_COVERAGE_SEED", DEFAULT_SEED);
	struct sl_strvec paths = SL_STRVEC_INIT;
	struct sl_buf yaml = SL_BUF_INIT;
	size_t round, k, seen[4] = {0, 0, 0, 0};
	struct rng r = {seed};
	struct fixture f;

	(void)state;
	print_message("# seed %" PRIu64 " (SLUICE_COVERAGE_SEED)\n", seed);
	for (round = 0; round < 400; round++) {
		random_rules(&r, &yaml);
		random_paths(&r, &paths);
		check(&f, yaml.buf, (const char *const *)paths.v);
		for (k = 0; k < f.rules->rules.n; k++) {
			int want = brute_force(&f, k);

			if (reported(&f, k) != want)
				fail_msg("rule %zu '%s': reported %d, want %d "
					 "(round %zu)",
					 k, f.rules->rules.items[k].text,
					 reported(&f, k), want, round);
			seen[want]++;
		}
		release(&f);
	}
	print_message("# %zu unmatched, %zu own-shadowed, %zu shadowed, %zu "
		      "deciding\n",
		      seen[0], seen[1], seen[2], seen[3]);
	for (k = 0; k < 4; k++)
		assert_true(seen[k] > 50);
	sl_strvec_release(&paths);
	sl_buf_release(&yaml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(coverage__clean_tree_has_no_findings),
	    cmocka_unit_test(coverage__unowned_paths_in_order),
	    cmocka_unit_test(coverage__when_sees_lane_inputs),
	    cmocka_unit_test(coverage__run_all_paths_are_covered_not_unowned),
	    cmocka_unit_test(coverage__unowned_with_fail_policy_is_an_error),
	    cmocka_unit_test(coverage__submodule_matches_as_directory),
	    cmocka_unit_test(dead__unmatched_and_shadowed_told_apart),
	    cmocka_unit_test(dead__shadowed_by_another_lane_wins_over_own),
	    cmocka_unit_test(dead__overlapping_dead_patterns_each_found),
	    cmocka_unit_test(dead__many_copies_of_one_pattern),
	    cmocka_unit_test(dead__limit_is_an_error_not_a_miss),
	    cmocka_unit_test(unused__each_where_it_looks),
	    cmocka_unit_test(lanes__gates_that_no_change_reaches),
	    cmocka_unit_test(lanes__transitive_smoke_covers_upstream),
	    cmocka_unit_test(drift__same_owner_sets_agree),
	    cmocka_unit_test(drift__differing_paths_listed_with_lines),
	    cmocka_unit_test(drift__unowned_path_against_owners),
	    cmocka_unit_test(drift__refused_input_is_an_error),
	    cmocka_unit_test(consumes__missing_and_unsupported_edges),
	    cmocka_unit_test(random__passes_equal_brute_force),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
