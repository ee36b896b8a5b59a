/*
 * test_ws_pnpm.c: pnpm workspaces (rules/ws_pnpm.c, ws_pnpm_lock.c;
 * docs/workspaces.md, "pnpm"): the packages pnpm-workspace.yaml's globs
 * give, each package's closure in real pnpm-lock.yaml files of version
 * 6.0 (pnpm 8) and 9.0 (pnpm 9), made by pnpm (fixtures/workspaces/
 * generate.sh) and held to `pnpm list -r --depth Infinity`, changes
 * attributed (catalog: and workspace: protocols, aliases), and the
 * lockfiles sluice refuses.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rules/rules.h"
#include "tests/support/sandbox.h"
#include "tests/rules/ws_fixture.h"

static struct sl_ws *derive_fixture(struct dir_ctx *d)
{
	struct sl_ws_source src = dir_source(d, "pnpm");
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws *ws = NULL;

	if (sl_ws_derive(&ws, SL_WS_PNPM, "", &src, &err))
		fail_msg("derive: %s", sl_error_message(&err));
	sl_error_release(&err);
	return ws;
}

static struct sl_ws_lock *lock_ok(const struct sl_ws *ws, const char *text)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws_lock *lock = NULL;

	if (sl_ws_lock_parse(&lock, ws, "pnpm-lock.yaml", text, strlen(text),
			     &err))
		fail_msg("lock: %s", sl_error_message(&err));
	sl_error_release(&err);
	return lock;
}

static void pnpm__fixture_packages_and_edges(void **state)
{
	struct dir_ctx d;
	struct sl_ws *ws = derive_fixture(&d);
	struct sl_buf sb = SL_BUF_INIT;

	(void)state;
	ws_graph_text(&sb, ws, false);
	assert_string_equal(sb.buf, "apps/web=web>util packages/core=core "
				    "packages/util=util>core ");
	assert_string_equal(ws->shared_lockfile, "pnpm-lock.yaml");
	sl_buf_release(&sb);
	sl_ws_free(ws);
}

static void pnpm__globs_exclude_and_errors(void **state)
{
	static const char *const files[] = {
	    "pnpm-workspace.yaml",
	    "packages:\n  - 'libs/**'\n  - '!**/test/**'\n",
	    "libs/a/package.json",
	    "{\"name\": \"a\", \"devDependencies\": {\"x\": "
	    "\"workspace:b@*\"}}",
	    "libs/a/test/fix/package.json",
	    "{\"name\": \"fix\"}",
	    "libs/deep/b/package.json",
	    "{\"name\": \"b\"}",
	    NULL,
	    NULL};
	static const char *const bad[] = {"pnpm-workspace.yaml",
					  "packages: [a\n", NULL, NULL};
	static const char *const none[] = {"pnpm-workspace.yaml",
					   "catalog:\n  a: 1\n", NULL, NULL};
	static const char *const empty[] = {"pnpm-workspace.yaml", "", NULL,
					    NULL};
	struct sl_ws_source src = mem_source(files);
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws *ws = NULL;

	(void)state;
	assert_int_equal(sl_ws_derive(&ws, SL_WS_PNPM, "", &src, &err), 0);
	assert_int_equal(ws->npkgs, 2);
	assert_string_equal(ws->pkgs[0].dir, "libs/a");
	assert_string_equal(ws->pkgs[1].dir, "libs/deep/b");
	/* An aliased workspace: dependency is an edge to its target. */
	assert_int_equal(ws->pkgs[0].ndeps, 1);
	assert_int_equal(ws->pkgs[0].deps[0].to, 1);
	sl_ws_free(ws);
	src = mem_source(bad);
	assert_int_equal(sl_ws_derive(&ws, SL_WS_PNPM, "", &src, &err),
			 SL_ERULES);
	assert_non_null(strstr(sl_error_message(&err),
			       "pnpm-workspace.yaml:2:1: YAML syntax error"));
	/* pnpm 10 keeps settings there: without `packages` (or empty) the
	 * workspace is the root alone, as `pnpm ls -r` lists it. */
	src = mem_source(none);
	assert_int_equal(sl_ws_derive(&ws, SL_WS_PNPM, "", &src, &err), 0);
	assert_int_equal(ws->npkgs, 0);
	sl_ws_free(ws);
	src = mem_source(empty);
	assert_int_equal(sl_ws_derive(&ws, SL_WS_PNPM, "", &src, &err), 0);
	assert_int_equal(ws->npkgs, 0);
	sl_ws_free(ws);
	sl_error_release(&err);
}

/*
 * The shape of vitejs/vite's playground: pnpm takes two packages of one
 * name (test fixtures' copies, and packages with no name at all), which
 * their dependents reach by `file:` or `link:` path. Each is its own
 * lane, told apart by its directory; a path dependency is an edge to
 * the package in that directory; a dependency by a name two packages
 * have is an edge to each. npm refuses such names (test_ws_npm.c).
 */
static void pnpm__same_names_and_path_dependencies(void **state)
{
	static const char *const files[] = {
	    "pnpm-workspace.yaml",
	    "packages:\n  - 'playground/**'\n",
	    "playground/ssr/package.json",
	    "{\"name\": \"@x/test-ssr\", \"dependencies\": "
	    "{\"@x/test-nested\": \"file:./nested\"}}",
	    "playground/ssr/nested/package.json",
	    "{\"name\": \"@x/test-nested\"}",
	    "playground/opt/package.json",
	    "{\"name\": \"@x/test-opt\", \"dependencies\": "
	    "{\"@x/test-nested\": \"file:./nested\", \"gone\": "
	    "\"file:../../outside\"}}",
	    "playground/opt/nested/package.json",
	    "{\"name\": \"@x/test-nested\", \"dependencies\": "
	    "{\"inc\": \"link:../inc\"}}",
	    "playground/opt/inc/package.json",
	    "{\"name\": \"@x/test-inc\"}",
	    "playground/fix/a/nested/package.json",
	    "{}",
	    "playground/fix/b/nested/package.json",
	    "{\"version\": \"1.0.0\"}",
	    "playground/user/package.json",
	    "{\"name\": \"user\", \"devDependencies\": "
	    "{\"@x/test-nested\": \"workspace:*\"}}",
	    NULL,
	    NULL};
	struct sl_ws_source src = mem_source(files);
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws *ws = NULL;
	struct sl_buf sb = SL_BUF_INIT;

	(void)state;
	if (sl_ws_derive(&ws, SL_WS_PNPM, "", &src, &err))
		fail_msg("derive: %s", sl_error_message(&err));
	ws_graph_text(&sb, ws, false);
	assert_string_equal(sb.buf,
			    "playground/fix/a/nested=a-nested "
			    "playground/fix/b/nested=b-nested "
			    "playground/opt=test-opt>opt-nested "
			    "playground/opt/inc=test-inc "
			    "playground/opt/nested=opt-nested>test-inc "
			    "playground/ssr=test-ssr>ssr-nested "
			    "playground/ssr/nested=ssr-nested "
			    "playground/user=user>opt-nested>ssr-nested ");
	sl_buf_release(&sb);
	sl_ws_free(ws);
	sl_error_release(&err);
}

static void closures_match(const char *lock_file, const char *expect_file)
{
	struct dir_ctx d;
	struct sl_ws *ws = derive_fixture(&d);
	struct sl_buf text = SL_BUF_INIT, want = SL_BUF_INIT, got = SL_BUF_INIT;
	struct sl_ws_lock *lock;

	fixture_read(&text, "pnpm", lock_file);
	fixture_read(&want, "pnpm", expect_file);
	lock = lock_ok(ws, text.buf);
	closures_text(&got, lock, ws);
	assert_string_equal(got.buf, want.buf);
	sl_ws_lock_free(lock);
	sl_ws_free(ws);
	sl_buf_release(&text);
	sl_buf_release(&want);
	sl_buf_release(&got);
}

static void pnpm__v9_closures_are_pnpm_list(void **state)
{
	(void)state;
	closures_match("lock.pnpm9.a.yaml", "closures.pnpm9.a.expect");
	closures_match("lock.pnpm9.b.yaml", "closures.pnpm9.b.expect");
}

static void pnpm__v6_closures_are_pnpm_list(void **state)
{
	(void)state;
	closures_match("lock.pnpm8.a.yaml", "closures.pnpm8.a.expect");
	closures_match("lock.pnpm8.b.yaml", "closures.pnpm8.b.expect");
}

/* Replaces the one occurrence of from in text with to. */
static void replace_once(struct sl_buf *text, const char *from, const char *to)
{
	char *at = strstr(text->buf, from);
	struct sl_buf out = SL_BUF_INIT;

	assert_non_null(at);
	assert_null(strstr(at + 1, from));
	sl_buf_add(&out, text->buf, (size_t)(at - text->buf));
	sl_buf_adds3(&out, to, at + strlen(from), "");
	sl_buf_release(text);
	*text = out;
}

static void diff_texts(struct sl_buf *out, const char *a, const char *b)
{
	struct dir_ctx d;
	struct sl_ws *ws = derive_fixture(&d);
	struct sl_ws_lock *la = lock_ok(ws, a), *lb = lock_ok(ws, b);
	struct sl_ws_changes c = SL_WS_CHANGES_INIT;
	size_t i;

	sl_ws_lock_diff(&c, la, lb);
	for (i = 0; i < c.nhits; i++)
		sl_buf_addf(out, "%s: %s\n", c.hits[i].lane, c.hits[i].entry);
	for (i = 0; i < c.unattributed.n; i++)
		sl_buf_addf(out, "- %s\n", c.unattributed.v[i]);
	sl_ws_changes_release(&c);
	sl_ws_lock_free(la);
	sl_ws_lock_free(lb);
	sl_ws_free(ws);
}

/* The changes between two fixture lockfiles, as "LANE: ENTRY" lines. */
static void diff_files(struct sl_buf *out, const char *a_file,
		       const char *b_file)
{
	struct sl_buf a = SL_BUF_INIT, b = SL_BUF_INIT;

	fixture_read(&a, "pnpm", a_file);
	fixture_read(&b, "pnpm", b_file);
	diff_texts(out, a.buf, b.buf);
	sl_buf_release(&a);
	sl_buf_release(&b);
}

static void pnpm__v9_bumps_selects_web_and_core(void **state)
{
	struct sl_buf got = SL_BUF_INIT;

	(void)state;
	diff_files(&got, "lock.pnpm9.a.yaml", "lock.pnpm9.b.yaml");
	/* The catalog's ms moved for core (which uses it "catalog:"; the
	 * ms@2.1.3 debug needs stays), and express for web; util uses
	 * neither. */
	assert_string_equal(got.buf, "core: catalogs/default/ms changed\n"
				     "core: importers/packages/core changed\n"
				     "core: ms@2.1.2 added\n"
				     "web: body-parser 1.20.1 -> 1.20.2\n"
				     "web: cookie 0.5.0 -> 0.6.0\n"
				     "web: express 4.18.2 -> 4.19.2\n"
				     "web: raw-body 2.5.1 -> 2.5.2\n"
				     "web: importers/apps/web changed\n");
	sl_buf_release(&got);
}

/* A snapshot resolved with other peers keeps its version: the reason says
 * so, and a peer suffix (pnpm's can run to hundreds of characters) is
 * cut to "(...)" where an entry is named by its key. */
static void pnpm__peers_named_short(void **state)
{
	struct sl_buf a = SL_BUF_INIT, b = SL_BUF_INIT, c = SL_BUF_INIT;
	struct sl_buf got = SL_BUF_INIT;

	(void)state;
	fixture_read(&a, "pnpm", "lock.pnpm9.a.yaml");
	sl_buf_adds(&b, a.buf);
	replace_once(&b, "specifier: 4.18.2\n        version: 4.18.2\n",
		     "specifier: 4.18.2\n        version: 4.18.2(ms@2.1.3)\n");
	replace_once(&b, "  express@4.18.2:\n    dependencies:",
		     "  express@4.18.2(ms@2.1.3):\n    dependencies:");
	diff_texts(&got, a.buf, b.buf);
	assert_string_equal(got.buf, "web: express 4.18.2 (its peers changed)\n"
				     "web: importers/apps/web changed\n");
	sl_buf_adds(&c, b.buf);
	replace_once(&c, "  express@4.18.2(ms@2.1.3):\n    dependencies:\n",
		     "  express@4.18.2(ms@2.1.3):\n    dependencies:\n"
		     "      ms: 2.1.3\n");
	sl_buf_reset(&got);
	diff_texts(&got, b.buf, c.buf);
	assert_string_equal(got.buf, "web: express@4.18.2(...) changed\n");
	sl_buf_release(&a);
	sl_buf_release(&b);
	sl_buf_release(&c);
	sl_buf_release(&got);
}

static void pnpm__v6_bumps_selects_web_and_core(void **state)
{
	struct sl_buf got = SL_BUF_INIT;

	(void)state;
	diff_files(&got, "lock.pnpm8.a.yaml", "lock.pnpm8.b.yaml");
	assert_non_null(strstr(got.buf, "web: express 4.18.2 -> 4.19.2\n"));
	assert_non_null(strstr(got.buf, "core: importers/packages/core "
					"changed\n"));
	assert_null(strstr(got.buf, "util:"));
	assert_null(strstr(got.buf, "\n- "));
	sl_buf_release(&got);
}

static void lock_refused(const char *text, const char *message)
{
	struct dir_ctx d;
	struct sl_ws *ws = derive_fixture(&d);
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws_lock *lock = NULL;

	assert_int_equal(sl_ws_lock_parse(&lock, ws, "pnpm-lock.yaml", text,
					  strlen(text), &err),
			 SL_ERULES);
	assert_null(lock);
	assert_string_equal(sl_error_message(&err), message);
	sl_error_release(&err);
	sl_ws_free(ws);
}

static void pnpm__unknown_versions_and_bad_yaml_refused(void **state)
{
	(void)state;
	lock_refused("lockfileVersion: 5.4\nimporters: {}\n",
		     "pnpm-lock.yaml: lockfileVersion '5.4' is not one "
		     "sluice reads (6.x and 9.x, pnpm 8 to 11); run 'pnpm "
		     "install' with one of those to rewrite it");
	lock_refused("lockfileVersion: '10.0'\n",
		     "pnpm-lock.yaml: lockfileVersion '10.0' is not one "
		     "sluice reads (6.x and 9.x, pnpm 8 to 11); run 'pnpm "
		     "install' with one of those to rewrite it");
	lock_refused("lockfileVersion: '9.0'\npackages: {}\n",
		     "pnpm-lock.yaml: no 'importers'; the lockfile of a pnpm "
		     "workspace lists each package there");
	lock_refused("- a\n",
		     "pnpm-lock.yaml: not a pnpm lockfile (no mapping)");
	lock_refused("lockfileVersion: '9.0'\nimporters:\n  a: [\n",
		     "pnpm-lock.yaml:4:1: YAML syntax error: did not find "
		     "expected node content (while parsing a flow node that "
		     "starts at line 4, column 1); check the indentation and "
		     "the quoting here");
}

/* pnpm's environment document (pnpm 11, or a pnpm that pins itself):
 * "---" opens the file, configDependencies and packageManagerDependencies
 * come first, the workspace's lockfile after the next "---". */
static void env_doc(struct sl_buf *out, const char *pnpm, const char *lock)
{
	sl_buf_addf(out,
		    "---\nlockfileVersion: '9.0'\n\nimporters:\n\n  .:\n"
		    "    configDependencies: {}\n"
		    "    packageManagerDependencies:\n      pnpm:\n"
		    "        specifier: %s\n        version: %s\n\n"
		    "packages:\n\n  pnpm@%s:\n"
		    "    resolution: {integrity: sha512-%s}\n"
		    "    hasBin: true\n\nsnapshots:\n\n  pnpm@%s: {}\n"
		    "\n---\n%s",
		    pnpm, pnpm, pnpm, pnpm, pnpm, lock);
}

static void pnpm__environment_document_read(void **state)
{
	struct sl_buf a = SL_BUF_INIT, b = SL_BUF_INIT, x = SL_BUF_INIT;
	struct sl_buf y = SL_BUF_INIT, got = SL_BUF_INIT;
	struct sl_buf want = SL_BUF_INIT, bad = SL_BUF_INIT;

	(void)state;
	fixture_read(&a, "pnpm", "lock.pnpm9.a.yaml");
	fixture_read(&b, "pnpm", "lock.pnpm9.b.yaml");
	/* Upgrading pnpm belongs to no package: the path stays changed. */
	env_doc(&x, "11.1.0", a.buf);
	env_doc(&y, "11.2.0", a.buf);
	diff_texts(&got, x.buf, y.buf);
	assert_string_equal(got.buf, "- environment: pnpm 11.1.0 -> 11.2.0\n"
				     "- environment: importers/. changed\n");
	/* The workspace's document compares as a lone one does. */
	sl_buf_reset(&y);
	env_doc(&y, "11.1.0", b.buf);
	sl_buf_reset(&got);
	diff_texts(&got, x.buf, y.buf);
	diff_texts(&want, a.buf, b.buf);
	assert_string_equal(got.buf, want.buf);
	/* pnpm starting to pin itself adds the environment, no more. */
	sl_buf_reset(&got);
	diff_texts(&got, a.buf, x.buf);
	assert_string_equal(got.buf, "- environment: pnpm@11.1.0 added\n"
				     "- environment: importers/. added\n");
	/* An error in the second document names the file's line. */
	env_doc(&bad, "11.1.0", "lockfileVersion: '9.0'\nimporters:\n  a: [\n");
	lock_refused(bad.buf,
		     "pnpm-lock.yaml:27:1: YAML syntax error: did not find "
		     "expected node content (while parsing a flow node that "
		     "starts at line 27, column 1); check the indentation and "
		     "the quoting here");
	lock_refused("---\nlockfileVersion: '9.0'\nimporters: {}\n",
		     "pnpm-lock.yaml: holds only pnpm's environment document "
		     "('---' first, no second document): no lockfile of the "
		     "workspace; run 'pnpm install' to write it");
	sl_buf_release(&a);
	sl_buf_release(&b);
	sl_buf_release(&x);
	sl_buf_release(&y);
	sl_buf_release(&got);
	sl_buf_release(&want);
	sl_buf_release(&bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pnpm__fixture_packages_and_edges),
	    cmocka_unit_test(pnpm__globs_exclude_and_errors),
	    cmocka_unit_test(pnpm__same_names_and_path_dependencies),
	    cmocka_unit_test(pnpm__v9_closures_are_pnpm_list),
	    cmocka_unit_test(pnpm__v6_closures_are_pnpm_list),
	    cmocka_unit_test(pnpm__v9_bumps_selects_web_and_core),
	    cmocka_unit_test(pnpm__v6_bumps_selects_web_and_core),
	    cmocka_unit_test(pnpm__peers_named_short),
	    cmocka_unit_test(pnpm__unknown_versions_and_bad_yaml_refused),
	    cmocka_unit_test(pnpm__environment_document_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
