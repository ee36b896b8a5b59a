/*
 * test_ws_npm.c: npm workspaces (rules/ws_npm.c, ws_npm_lock.c, ws_lock.c;
 * docs/workspaces.md, "npm"): the packages and edges a workspace's globs
 * and manifests give, each package's closure in a real package-lock.json
 * (versions 2 and 3, made by npm: fixtures/workspaces/generate.sh) held
 * to `npm ls --all`, and lockfile changes attributed to the packages
 * whose closure they touch, with the refusals of what sluice cannot read.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rules/rules.h"
#include "tests/support/sandbox.h"
#include "tests/rules/ws_fixture.h"

static struct sl_ws *derive_ok(const struct sl_ws_source *src,
			       enum sl_ws_kind kind, const char *root)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws *ws = NULL;

	if (sl_ws_derive(&ws, kind, root, src, &err))
		fail_msg("derive: %s", sl_error_message(&err));
	sl_error_release(&err);
	return ws;
}

static struct sl_ws_lock *lock_ok(const struct sl_ws *ws, const char *file,
				  const char *text)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws_lock *lock = NULL;

	if (sl_ws_lock_parse(&lock, ws, file, text, strlen(text), &err))
		fail_msg("lock: %s", sl_error_message(&err));
	sl_error_release(&err);
	return lock;
}

/* "lane: entry" lines of the hits, then "- entry" of the unattributed. */
static void changes_text(struct sl_buf *out, const struct sl_ws_changes *c)
{
	size_t i;

	for (i = 0; i < c->nhits; i++)
		sl_buf_addf(out, "%s: %s\n", c->hits[i].lane, c->hits[i].entry);
	for (i = 0; i < c->unattributed.n; i++)
		sl_buf_addf(out, "- %s\n", c->unattributed.v[i]);
}

static void diff_text(struct sl_buf *out, const struct sl_ws *ws,
		      const char *old, const char *new)
{
	struct sl_ws_lock *a =
	    old ? lock_ok(ws, "package-lock.json", old) : NULL;
	struct sl_ws_lock *b =
	    new ? lock_ok(ws, "package-lock.json", new) : NULL;
	struct sl_ws_changes c = SL_WS_CHANGES_INIT;

	sl_ws_lock_diff(&c, a, b);
	changes_text(out, &c);
	sl_ws_changes_release(&c);
	sl_ws_lock_free(a);
	sl_ws_lock_free(b);
}

/* ---- the packages ---------------------------------------------------- */

static void npm__fixture_packages_edges_and_lanes(void **state)
{
	struct dir_ctx d;
	struct sl_ws_source src = dir_source(&d, "npm");
	struct sl_ws *ws = derive_ok(&src, SL_WS_NPM, "");
	struct sl_buf sb = SL_BUF_INIT;
	size_t i, j;

	(void)state;
	for (i = 0; i < ws->npkgs; i++) {
		sl_buf_addf(&sb, "%s %s %s:", ws->pkgs[i].dir, ws->pkgs[i].name,
			    ws->pkgs[i].lane);
		for (j = 0; j < ws->pkgs[i].ndeps; j++)
			sl_buf_addf(&sb, " %s(%s)",
				    ws->pkgs[ws->pkgs[i].deps[j].to].lane,
				    ws->pkgs[i].deps[j].field);
		sl_buf_addch(&sb, '\n');
	}
	/* The glob of tools takes tools/gen, and "!tools/unused" none. */
	assert_string_equal(
	    sb.buf, "apps/web web web: util(dependencies)\n"
		    "packages/core @acme/core core:\n"
		    "packages/util @acme/util util: core(dependencies)\n"
		    "tools/gen @acme/gen gen: web(devDependencies)\n");
	assert_string_equal(ws->shared_lockfile, "package-lock.json");
	sl_buf_release(&sb);
	sl_ws_free(ws);
}

static void npm__array_form_negation_and_root(void **state)
{
	static const char *const files[] = {
	    "js/package.json",
	    "{\"workspaces\": [\"libs/*\", \"!libs/old\", \"app\"]}",
	    "js/libs/a/package.json",
	    "{\"name\": \"@x/a\", \"optionalDependencies\": {\"@y/a\": \"1\"}}",
	    "js/libs/b/package.json",
	    "{\"name\": \"@y/a\", \"peerDependencies\": {\"app\": \"*\"}}",
	    "js/libs/old/package.json",
	    "{\"name\": \"old\"}",
	    "js/libs/c/d/package.json",
	    "{\"name\": \"too-deep\"}",
	    "js/app/package.json",
	    "{\"name\": \"app\", \"dependencies\": {\"alias\": "
	    "\"npm:@x/a@^1\"}}",
	    "package.json",
	    "{\"name\": \"outer\"}",
	    NULL,
	    NULL};
	struct sl_ws_source src = mem_source(files);
	struct sl_ws *ws = derive_ok(&src, SL_WS_NPM, "js");
	struct sl_buf sb = SL_BUF_INIT;

	(void)state;
	ws_graph_text(&sb, ws, false);
	/* Two packages named a: each lane takes its scope as well. */
	assert_string_equal(sb.buf, "js/app=app>x-a js/libs/a=x-a>y-a "
				    "js/libs/b=y-a>app ");
	assert_string_equal(ws->shared_lockfile, "js/package-lock.json");
	assert_true(sl_ws_is_manifest(ws, "js/libs/new/package.json", 24));
	assert_false(sl_ws_is_manifest(ws, "package.json", 12));
	assert_false(sl_ws_is_manifest(ws, "js/libs/a/index.js", 18));
	sl_buf_release(&sb);
	sl_ws_free(ws);
}

/* Globs that find one directory twice (and a negation undone by a later
 * glob) make one package of it. */
static void npm__overlapping_globs_find_a_package_once(void **state)
{
	static const char *const files[] = {
	    "package.json",
	    "{\"workspaces\": [\"libs/*\", \"libs/a\", \"!libs/b\", "
	    "\"libs/b\", \"libs/*\"]}",
	    "libs/a/package.json",
	    "{\"name\": \"a\", \"dependencies\": {\"b\": \"*\"}}",
	    "libs/b/package.json",
	    "{\"name\": \"b\", \"devDependencies\": {\"al\": "
	    "\"workspace:a@*\"}}",
	    NULL,
	    NULL};
	struct sl_ws_source src = mem_source(files);
	struct sl_ws *ws = derive_ok(&src, SL_WS_NPM, "");
	struct sl_buf sb = SL_BUF_INIT;

	(void)state;
	ws_graph_text(&sb, ws, true);
	assert_string_equal(sb.buf, "libs/a=a>b(dependencies) "
				    "libs/b=b>a(devDependencies) ");
	sl_buf_release(&sb);
	sl_ws_free(ws);
}

static void refused(const char *const *files, const char *message)
{
	struct sl_ws_source src = mem_source(files);
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws *ws = NULL;

	src.label = "@abc1234";
	assert_int_equal(sl_ws_derive(&ws, SL_WS_NPM, "", &src, &err),
			 SL_ERULES);
	assert_null(ws);
	assert_string_equal(sl_error_message(&err), message);
	sl_error_release(&err);
}

static void npm__manifest_errors_name_the_file(void **state)
{
	static const char *const none[] = {NULL, NULL};
	static const char *const no_ws[] = {"package.json", "{\"name\": \"x\"}",
					    NULL, NULL};
	static const char *const bad_root[] = {
	    "package.json", "{\n  \"workspaces\": [\"a\",]\n}", NULL, NULL};
	static const char *const bad_pkg[] = {
	    "package.json",
	    "{\"workspaces\": [\"a\"]}",
	    "a/package.json",
	    "{\"name\": \"a\", \"dependencies\": []}",
	    NULL,
	    NULL};
	static const char *const twice[] = {"package.json",
					    "{\"workspaces\": [\"a\", \"b\"]}",
					    "a/package.json",
					    "{\"name\": \"x\"}",
					    "b/package.json",
					    "{\"name\": \"x\"}",
					    NULL,
					    NULL};

	(void)state;
	refused(none, "'package.json@abc1234' does not exist; a workspace of "
		      "kind npm needs its root package.json (or another "
		      "'root')");
	refused(no_ws, "'package.json@abc1234' has no 'workspaces'; list the "
		       "packages' directories there, as npm does");
	refused(bad_root, "package.json@abc1234:2:22: not valid JSON: "
			  "expected a value");
	refused(bad_pkg,
		"a/package.json@abc1234:1:31: not valid JSON: "
		"dependencies must be an object of names and versions");
	refused(twice, "'a/package.json' and 'b/package.json' both name the "
		       "package 'x'; a workspace's packages have names of "
		       "their own: rename one");
}

/* ---- the lockfile: closures against npm's own tree ------------------ */

static void closures_match(const char *lock_file, const char *expect_file)
{
	struct dir_ctx d;
	struct sl_ws_source src = dir_source(&d, "npm");
	struct sl_ws *ws = derive_ok(&src, SL_WS_NPM, "");
	struct sl_buf text = SL_BUF_INIT, want = SL_BUF_INIT, got = SL_BUF_INIT;
	struct sl_ws_lock *lock;

	fixture_read(&text, "npm", lock_file);
	fixture_read(&want, "npm", expect_file);
	lock = lock_ok(ws, "package-lock.json", text.buf);
	closures_text(&got, lock, ws);
	assert_string_equal(got.buf, want.buf);
	sl_ws_lock_free(lock);
	sl_ws_free(ws);
	sl_buf_release(&text);
	sl_buf_release(&want);
	sl_buf_release(&got);
}

static void npm__v3_closures_are_npm_ls(void **state)
{
	(void)state;
	closures_match("lock.v3.a.json", "closures.v3.a.expect");
	closures_match("lock.v3.b.json", "closures.v3.b.expect");
}

static void npm__v2_closures_are_npm_ls(void **state)
{
	(void)state;
	closures_match("lock.v2.a.json", "closures.v2.a.expect");
	closures_match("lock.v2.b.json", "closures.v2.b.expect");
}

/* ---- the lockfile: attributing changes ----------------------------- */

static void attribution(const char *a_file, const char *b_file)
{
	struct dir_ctx d;
	struct sl_ws_source src = dir_source(&d, "npm");
	struct sl_ws *ws = derive_ok(&src, SL_WS_NPM, "");
	struct sl_buf a = SL_BUF_INIT, b = SL_BUF_INIT, got = SL_BUF_INIT;

	fixture_read(&a, "npm", a_file);
	fixture_read(&b, "npm", b_file);
	diff_text(&got, ws, a.buf, b.buf);
	/* express 4.18.2 -> 4.19.2 in apps/web: web alone, each entry whose
	 * version moved named (the lists of `npm ls` differ by the same). */
	assert_string_equal(got.buf,
			    "web: apps/web 1.0.0 changed\n"
			    "web: node_modules/body-parser 1.20.1 -> 1.20.2\n"
			    "web: node_modules/cookie 0.5.0 -> 0.6.0\n"
			    "web: node_modules/express 4.18.2 -> 4.19.2\n"
			    "web: node_modules/raw-body 2.5.1 -> 2.5.2\n");
	sl_buf_reset(&got);
	diff_text(&got, ws, a.buf, a.buf);
	assert_string_equal(got.buf, "");
	sl_buf_release(&a);
	sl_buf_release(&b);
	sl_buf_release(&got);
	sl_ws_free(ws);
}

static void npm__v3_express_bump_selects_web_alone(void **state)
{
	(void)state;
	attribution("lock.v3.a.json", "lock.v3.b.json");
}

static void npm__v2_express_bump_selects_web_alone(void **state)
{
	(void)state;
	attribution("lock.v2.a.json", "lock.v2.b.json");
}

/* A hand-made workspace whose lockfile has every corner npm writes. */
static const char *const corner_files[] = {
    "package.json",
    "{\"workspaces\": [\"packages/*\"], \"devDependencies\": {\"lint\": "
    "\"1\"}}",
    "packages/a/package.json",
    "{\"name\": \"a\", \"dependencies\": {\"foo\": \"2\", \"b\": \"*\", "
    "\"bundler\": \"1\"}}",
    "packages/b/package.json",
    "{\"name\": \"b\", \"dependencies\": {\"foo\": \"1\"}}",
    NULL,
    NULL};

static const char corner_lock[] =
    "{\"name\": \"r\", \"lockfileVersion\": 3, \"requires\": true,\n"
    " \"packages\": {\n"
    "  \"\": {\"workspaces\": [\"packages/*\"], \"devDependencies\": "
    "{\"lint\": \"1\"}},\n"
    "  \"node_modules/a\": {\"resolved\": \"packages/a\", \"link\": true},\n"
    "  \"node_modules/b\": {\"resolved\": \"packages/b\", \"link\": true},\n"
    "  \"node_modules/foo\": {\"version\": \"1.0.0\", \"integrity\": "
    "\"sha512-F1\", \"dependencies\": {\"shared\": \"1\"}},\n"
    "  \"node_modules/shared\": {\"version\": \"1.0.0\"},\n"
    "  \"node_modules/lint\": {\"version\": \"1.0.0\", \"dev\": true, "
    "\"dependencies\": {\"shared\": \"1\"}},\n"
    "  \"node_modules/bundler\": {\"version\": \"1.0.0\", "
    "\"bundleDependencies\": [\"inner\"], \"dependencies\": {\"inner\": "
    "\"1\"}},\n"
    "  \"node_modules/bundler/node_modules/inner\": {\"version\": "
    "\"1.0.0\", \"inBundle\": true},\n"
    "  \"node_modules/orphan\": {\"version\": \"1.0.0\", \"extraneous\": "
    "true},\n"
    "  \"packages/a\": {\"name\": \"a\", \"dependencies\": {\"foo\": "
    "\"2\", \"b\": \"*\", \"bundler\": \"1\"}},\n"
    "  \"packages/a/node_modules/foo\": {\"version\": \"2.0.0\", "
    "\"integrity\": \"sha512-F2\"},\n"
    "  \"packages/b\": {\"name\": \"b\", \"dependencies\": {\"foo\": "
    "\"1\"}}\n"
    " }\n}\n";

/* The corner lockfile with from replaced by to (once). */
static char *corner_with(const char *from, const char *to)
{
	const char *at = strstr(corner_lock, from);
	struct sl_buf sb = SL_BUF_INIT;

	assert_non_null(at);
	sl_buf_add(&sb, corner_lock, (size_t)(at - corner_lock));
	sl_buf_adds3(&sb, to, at + strlen(from), "");
	return sl_buf_detach(&sb, NULL);
}

static void corner(const char *from, const char *to, const char *want)
{
	struct sl_ws_source src = mem_source(corner_files);
	struct sl_ws *ws = derive_ok(&src, SL_WS_NPM, "");
	char *changed = corner_with(from, to);
	struct sl_buf got = SL_BUF_INIT;

	diff_text(&got, ws, corner_lock, changed);
	assert_string_equal(got.buf, want);
	sl_buf_release(&got);
	free(changed);
	sl_ws_free(ws);
}

static void npm__nested_node_modules_resolve_nearest(void **state)
{
	(void)state;
	/* a has its own foo 2; b takes the root's foo 1. */
	corner("\"sha512-F2\"", "\"sha512-F3\"",
	       "a: packages/a/node_modules/foo 2.0.0 changed\n");
	corner("\"version\": \"1.0.0\", \"integrity\": \"sha512-F1\"",
	       "\"version\": \"1.0.1\", \"integrity\": \"sha512-F1\"",
	       "b: node_modules/foo 1.0.0 -> 1.0.1\n");
	/* shared: b through the root's foo, and the root's own lint. */
	corner("\"node_modules/shared\": {\"version\": \"1.0.0\"",
	       "\"node_modules/shared\": {\"version\": \"1.1.0\"",
	       "b: node_modules/shared 1.0.0 -> 1.1.0\n"
	       "- node_modules/shared 1.0.0 -> 1.1.0\n");
}

static void npm__bundled_links_and_orphans(void **state)
{
	(void)state;
	corner("\"inBundle\": true", "\"inBundle\": true, \"license\": \"x\"",
	       "a: node_modules/bundler/node_modules/inner 1.0.0 changed\n");
	/* A link is a's closure; what b depends on reaches a as b's. */
	corner("\"resolved\": \"packages/b\"", "\"resolved\": \"packages/bb\"",
	       "a: node_modules/b changed\n");
	corner("\"extraneous\": true", "\"extraneous\": false",
	       "- node_modules/orphan 1.0.0 changed\n");
	corner("  \"node_modules/orphan\"",
	       "  \"node_modules/new\": {\"version\": "
	       "\"0.1.0\"},\n  \"node_modules/orphan\"",
	       "- node_modules/new 0.1.0 added\n");
	/* Layout is not content. */
	corner("\"packages/b\": {\"name\"", "\"packages/b\":\n\t{ \"name\"",
	       "");
}

/* text with every from replaced by to. Caller owns it. */
static char *replaced(const char *text, const char *from, const char *to)
{
	struct sl_buf sb = SL_BUF_INIT;
	const char *at;

	while ((at = strstr(text, from)) != NULL) {
		sl_buf_add(&sb, text, (size_t)(at - text));
		sl_buf_adds(&sb, to);
		text = at + strlen(from);
	}
	sl_buf_adds(&sb, text);
	return sl_buf_detach(&sb, NULL);
}

/* A lockfile whose keys and strings are written with escapes is read as
 * the same lockfile: JSON compares them decoded. */
static void npm__escaped_keys_read_as_written_plain(void **state)
{
	static const char *const escapes[][2] = {
	    {"\"packages\"", "\"p\\u0061ckages\""},
	    {"\"lockfileVersion\"", "\"lockfileV\\u0065rsion\""},
	    {"\"dependencies\"", "\"dep\\u0065ndencies\""},
	    {"\"devDependencies\"", "\"devDep\\u0065ndencies\""},
	    {"\"link\"", "\"l\\u0069nk\""},
	    {"\"version\"", "\"v\\u0065rsion\""},
	    {"node_modules/", "node_modules\\/"},
	    {"\"foo\"", "\"\\u0066oo\""},
	};
	struct sl_ws_source src = mem_source(corner_files);
	struct sl_ws *ws = derive_ok(&src, SL_WS_NPM, "");
	struct sl_buf want = SL_BUF_INIT, got = SL_BUF_INIT;
	struct sl_ws_lock *lock = lock_ok(ws, "package-lock.json", corner_lock);
	char *text = sl_xstrdup(corner_lock);
	size_t i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(escapes); i++) {
		char *next = replaced(text, escapes[i][0], escapes[i][1]);

		assert_string_not_equal(next, text);
		free(text);
		text = next;
	}
	closures_text(&want, lock, ws);
	sl_ws_lock_free(lock);
	lock = lock_ok(ws, "package-lock.json", text);
	closures_text(&got, lock, ws);
	assert_non_null(strstr(want.buf, "a\tfoo@2.0.0\n"));
	assert_string_equal(got.buf, want.buf);
	sl_ws_lock_free(lock);
	free(text);
	sl_buf_release(&want);
	sl_buf_release(&got);
	sl_ws_free(ws);
}

static void lock_refused(const char *text, const char *message)
{
	struct sl_ws_source src = mem_source(corner_files);
	struct sl_ws *ws = derive_ok(&src, SL_WS_NPM, "");
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws_lock *lock = NULL;

	assert_int_equal(sl_ws_lock_parse(&lock, ws, "package-lock.json", text,
					  strlen(text), &err),
			 SL_ERULES);
	assert_null(lock);
	assert_string_equal(sl_error_message(&err), message);
	sl_error_release(&err);
	sl_ws_free(ws);
}

static void npm__unknown_versions_and_bad_json_refused(void **state)
{
	(void)state;
	lock_refused("{\"lockfileVersion\": 1, \"dependencies\": {}}",
		     "package-lock.json: lockfileVersion 1 is not one sluice "
		     "reads (2 and 3, npm 7 and later); run 'npm install' "
		     "with npm 7 or later to rewrite it");
	lock_refused("{\"lockfileVersion\": 4, \"packages\": {}}",
		     "package-lock.json: lockfileVersion 4 is not one sluice "
		     "reads (2 and 3, npm 7 and later); run 'npm install' "
		     "with npm 7 or later to rewrite it");
	lock_refused("{\"packages\": {}}",
		     "package-lock.json: lockfileVersion (none) is not one "
		     "sluice reads (2 and 3, npm 7 and later); run 'npm "
		     "install' with npm 7 or later to rewrite it");
	lock_refused("{\"lockfileVersion\": 3}",
		     "package-lock.json: no 'packages'; a package-lock.json "
		     "of version 2 or 3 lists every package there");
	lock_refused("{\"lockfileVersion\": 3, \"packages\": {\n"
		     "<<<<<<< HEAD\n",
		     "package-lock.json:2:1: not valid JSON: expected a key "
		     "in double quotes");
	lock_refused("{\"lockfileVersion\": 3, \"packages\": {\"a\": {}, "
		     "\"a\": {}}}",
		     "package-lock.json:1:50: not valid JSON: a key of "
		     "'packages' is written twice");
	lock_refused("", "package-lock.json:1:1: not valid JSON: the text "
			 "ends where a value should be");
}

static void npm__lockfile_added_or_removed(void **state)
{
	struct sl_ws_source src = mem_source(corner_files);
	struct sl_ws *ws = derive_ok(&src, SL_WS_NPM, "");
	struct sl_buf got = SL_BUF_INIT;

	(void)state;
	diff_text(&got, ws, NULL, corner_lock);
	assert_non_null(strstr(got.buf, "a: packages/a/node_modules/foo 2.0.0 "
					"added\n"));
	assert_non_null(strstr(got.buf, "b: node_modules/foo 1.0.0 added\n"));
	assert_non_null(strstr(got.buf, "- node_modules/lint 1.0.0 added\n"));
	sl_buf_reset(&got);
	diff_text(&got, ws, corner_lock, NULL);
	assert_non_null(strstr(got.buf, "b: node_modules/foo 1.0.0 "
					"removed\n"));
	sl_buf_release(&got);
	sl_ws_free(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(npm__fixture_packages_edges_and_lanes),
	    cmocka_unit_test(npm__array_form_negation_and_root),
	    cmocka_unit_test(npm__overlapping_globs_find_a_package_once),
	    cmocka_unit_test(npm__manifest_errors_name_the_file),
	    cmocka_unit_test(npm__v3_closures_are_npm_ls),
	    cmocka_unit_test(npm__v2_closures_are_npm_ls),
	    cmocka_unit_test(npm__v3_express_bump_selects_web_alone),
	    cmocka_unit_test(npm__v2_express_bump_selects_web_alone),
	    cmocka_unit_test(npm__nested_node_modules_resolve_nearest),
	    cmocka_unit_test(npm__bundled_links_and_orphans),
	    cmocka_unit_test(npm__unknown_versions_and_bad_json_refused),
	    cmocka_unit_test(npm__lockfile_added_or_removed),
	    cmocka_unit_test(npm__escaped_keys_read_as_written_plain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
