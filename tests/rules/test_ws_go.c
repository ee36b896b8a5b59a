/*
 * test_ws_go.c: Go workspaces (rules/ws_go.c, ws_go_lock.c;
 * docs/workspaces.md, "Go"): the modules of a go.work (and of a go.mod
 * with local replaces), their edges, each module's closure from its
 * go.mod and go.sum, and changes to go.sum, go.work.sum and go.mod
 * requirements attributed by module path to every module that can load
 * it. The files have the shape `go mod tidy` writes.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rules/rules.h"
#include "tests/support/sandbox.h"
#include "tests/rules/ws_fixture.h"

static const char go_work[] = "go 1.22.0\n"
			      "\n"
			      "toolchain go1.22.4\n"
			      "\n"
			      "use (\n"
			      "\t./services/api\n"
			      "\t./services/worker // the queue\n"
			      "\t./lib/log\n"
			      ")\n"
			      "\n"
			      "replace golang.org/x/net v0.25.0 => "
			      "golang.org/x/net v0.26.0\n";

static const char api_mod[] =
    "module example.com/acme/services/api\n"
    "\n"
    "go 1.22.0\n"
    "\n"
    "require (\n"
    "\texample.com/acme/lib/log v0.0.0-00010101000000-000000000000\n"
    "\tgithub.com/go-chi/chi/v5 v5.0.12\n"
    ")\n"
    "\n"
    "require golang.org/x/net v0.25.0 // indirect\n"
    "\n"
    "replace example.com/acme/lib/log => ../../lib/log\n"
    "\n"
    "exclude github.com/go-chi/chi/v5 v5.0.11\n";

static const char api_sum[] =
    "github.com/go-chi/chi/v5 v5.0.12 "
    "h1:9euLV5sTrTNTRUU9POmDUvfxyj6LAABLUcEWO+JJb4s=\n"
    "github.com/go-chi/chi/v5 v5.0.12/go.mod "
    "h1:DslCQbL2OYiznFReuXYUmQ2hGd1aDpCnlMNITLSKoi8=\n"
    "golang.org/x/net v0.25.0 h1:d/OCCoBEUq33pjydKrGQhw7IlUPI2Oylr+8qLx49kac=\n"
    "golang.org/x/net v0.25.0/go.mod "
    "h1:JkAGAh7GEvH74S6FOH42FLoXpXbE/aqXSrIQjXgsiwM=\n";

static const char worker_mod[] =
    "module example.com/acme/services/worker\n"
    "\n"
    "go 1.22.0\n"
    "\n"
    "require (\n"
    "\texample.com/acme/services/api v0.0.0\n"
    "\tgithub.com/segmentio/kafka-go v0.4.47\n"
    ")\n"
    "\n"
    "require (\n"
    "\tgithub.com/klauspost/compress v1.15.9 // indirect\n"
    "\tgithub.com/pierrec/lz4/v4 v4.1.15 // indirect\n"
    ")\n";

static const char worker_sum[] =
    "github.com/klauspost/compress v1.15.9 "
    "h1:wKRjX6JRtDdrE9qwa4b/Cip7ACOshUI4smpCQanqjSY=\n"
    "github.com/klauspost/compress v1.15.9/go.mod "
    "h1:PhcZ0MbTNciWF3rruxRgKxI5NkcHHrHUDtV4Yw2GlzU=\n"
    "github.com/pierrec/lz4/v4 v4.1.15 "
    "h1:MO0/ucJhngq7299dKLwIMtgTfbkoSPF6AoMYDd8Q4q0=\n"
    "github.com/pierrec/lz4/v4 v4.1.15/go.mod "
    "h1:gZWDp/Ze/IJXGXf23ltt2EXimqmTUXEy0GFuRQyBid4=\n"
    "github.com/segmentio/kafka-go v0.4.47 "
    "h1:IqziR4pA3vrZq7YdRxaT3w1/5fvIH5qpCwstUanQQB0=\n"
    "github.com/segmentio/kafka-go v0.4.47/go.mod "
    "h1:HjF6XbOKh0Pjlkr5GVZxt6CsjjwnmhVOfURM5KMd8qg=\n";

static const char log_mod[] = "module example.com/acme/lib/log\n"
			      "\n"
			      "go 1.21\n";

static const char work_sum[] =
    "golang.org/x/net v0.26.0 h1:soB7SVo0PWrY4vPW/+ay0jKDNScG2X9wFeYlXIvJsOQ=\n"
    "golang.org/x/text v0.15.0/go.mod "
    "h1:18ZOQIKpY8NJVqYksKHtTdi31H5itFRjB5/qKTNYzSU=\n";

static const char *const files[] = {"go.work",
				    go_work,
				    "go.work.sum",
				    work_sum,
				    "services/api/go.mod",
				    api_mod,
				    "services/api/go.sum",
				    api_sum,
				    "services/worker/go.mod",
				    worker_mod,
				    "services/worker/go.sum",
				    worker_sum,
				    "lib/log/go.mod",
				    log_mod,
				    NULL,
				    NULL};

static struct sl_ws *derive(const char *const *table)
{
	struct sl_ws_source src = mem_source(table);
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws *ws = NULL;

	if (sl_ws_derive(&ws, SL_WS_GO, "", &src, &err))
		fail_msg("derive: %s", sl_error_message(&err));
	sl_error_release(&err);
	return ws;
}

static void go__work_modules_edges_and_lockfiles(void **state)
{
	struct sl_ws *ws = derive(files);
	struct sl_buf sb = SL_BUF_INIT;
	size_t i;

	(void)state;
	ws_graph_text(&sb, ws, true);
	assert_string_equal(sb.buf, "lib/log=log services/api=api>log(require) "
				    "services/worker=worker>api(require) ");
	assert_string_equal(ws->shared_lockfile, "go.work.sum");
	sl_buf_reset(&sb);
	for (i = 0; i < ws->lockfiles.n; i++)
		sl_buf_addf(&sb, "%s ", ws->lockfiles.v[i]);
	assert_string_equal(sb.buf,
			    "go.work.sum go.work services/api/go.mod "
			    "services/api/go.sum services/worker/go.mod "
			    "services/worker/go.sum lib/log/go.mod "
			    "lib/log/go.sum ");
	sl_buf_reset(&sb);
	/* go.work replaces x/net for whoever loads it: api's closure. */
	for (i = 0; i < ws->pkgs[1].closure.n; i++)
		sl_buf_addf(&sb, "%s ", ws->pkgs[1].closure.v[i]);
	assert_string_equal(sb.buf, "example.com/acme/lib/log "
				    "github.com/go-chi/chi/v5 "
				    "golang.org/x/net ");
	assert_true(sl_ws_is_manifest(ws, "tools/go.mod", 12));
	sl_buf_release(&sb);
	sl_ws_free(ws);
}

static void go__mod_alone_follows_local_replaces(void **state)
{
	static const char *const table[] = {
	    "go.mod",
	    "module example.com/mono\n\ngo 1.22\n\nrequire "
	    "example.com/mono/tools v0.0.0\n\nreplace example.com/mono/tools "
	    "=> ./tools\n",
	    "tools/go.mod",
	    "module example.com/mono/tools\n\nreplace x.org/y => ../vendor/y\n",
	    "vendor/y/go.mod",
	    "module x.org/y\n",
	    NULL,
	    NULL};
	struct sl_ws *ws = derive(table);

	(void)state;
	assert_int_equal(ws->npkgs, 3);
	assert_string_equal(ws->pkgs[0].dir, "");
	assert_string_equal(ws->pkgs[0].lane, "mono");
	assert_string_equal(ws->pkgs[1].dir, "tools");
	assert_string_equal(ws->pkgs[2].dir, "vendor/y");
	assert_int_equal(ws->pkgs[1].ndeps, 1);
	assert_string_equal(ws->pkgs[1].deps[0].field, "replace");
	assert_null(ws->shared_lockfile);
	sl_ws_free(ws);
}

static void diff(struct sl_buf *out, const struct sl_ws *ws, const char *file,
		 const char *a, const char *b)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws_lock *la = NULL, *lb = NULL;
	struct sl_ws_changes c = SL_WS_CHANGES_INIT;
	size_t i;

	assert_int_equal(sl_ws_lock_parse(&la, ws, file, a, strlen(a), &err),
			 0);
	assert_int_equal(sl_ws_lock_parse(&lb, ws, file, b, strlen(b), &err),
			 0);
	sl_ws_lock_diff(&c, la, lb);
	for (i = 0; i < c.nhits; i++)
		sl_buf_addf(out, "%s: %s\n", c.hits[i].lane, c.hits[i].entry);
	for (i = 0; i < c.unattributed.n; i++)
		sl_buf_addf(out, "- %s\n", c.unattributed.v[i]);
	sl_ws_changes_release(&c);
	sl_ws_lock_free(la);
	sl_ws_lock_free(lb);
	sl_error_release(&err);
}

static void go__sum_and_require_changes_by_module_path(void **state)
{
	struct sl_ws *ws = derive(files);
	struct sl_buf got = SL_BUF_INIT, b = SL_BUF_INIT;

	(void)state;
	/* worker's go.sum moves kafka-go: worker alone loads it. */
	sl_buf_adds(&b, worker_sum);
	memcpy(strstr(b.buf, "v0.4.47 h1:Iq"), "v0.4.48 h1:Iq", 13);
	memcpy(strstr(b.buf, "v0.4.47/go.mod"), "v0.4.48/go.mod", 14);
	diff(&got, ws, "services/worker/go.sum", worker_sum, b.buf);
	assert_string_equal(got.buf, "worker: github.com/segmentio/kafka-go "
				     "v0.4.47 -> v0.4.48\n");
	/* api raising x/net raises it for every module that loads it. */
	sl_buf_reset(&got);
	sl_buf_reset(&b);
	sl_buf_adds(&b, api_mod);
	memcpy(strstr(b.buf, "v0.25.0"), "v0.27.0", 7);
	diff(&got, ws, "services/api/go.mod", api_mod, b.buf);
	assert_string_equal(got.buf,
			    "api: golang.org/x/net v0.25.0 -> v0.27.0\n");
	/* go.work.sum: x/text is nobody's; the go directive neither. */
	sl_buf_reset(&got);
	sl_buf_reset(&b);
	sl_buf_adds(&b, work_sum);
	memcpy(strstr(b.buf, "v0.15.0"), "v0.16.0", 7);
	diff(&got, ws, "go.work.sum", work_sum, b.buf);
	assert_string_equal(got.buf,
			    "- golang.org/x/text v0.15.0 -> v0.16.0\n");
	sl_buf_reset(&got);
	sl_buf_reset(&b);
	sl_buf_adds(&b, go_work);
	memcpy(strstr(b.buf, "go 1.22.0"), "go 1.23.0", 9);
	memcpy(strstr(b.buf, "=> golang.org/x/net v0.26.0"),
	       "=> golang.org/x/net v0.28.0", 27);
	diff(&got, ws, "go.work", go_work, b.buf);
	assert_string_equal(got.buf,
			    "api: golang.org/x/net => golang.org/x/net v0.26.0 "
			    "-> => golang.org/x/net v0.28.0\n"
			    "- go 1.22.0 removed\n"
			    "- go 1.23.0 added\n");
	sl_buf_release(&got);
	sl_buf_release(&b);
	sl_ws_free(ws);
}

/* Quoted tokens ("..." with escapes, `...` raw), comments after them. */
static void go__quoted_tokens_and_comments(void **state)
{
	static const char *const quoted_files[] = {
	    "go.work",
	    "go 1.22 // the toolchain\nuse (\n\t\"./a\" // the "
	    "app\n\t`./b`\n)\n",
	    "a/go.mod",
	    "module \"example.com/\\a\" // quoted\n"
	    "require example.com/b v0.0.0 // indirect\n",
	    "b/go.mod",
	    "module `example.com/b`\n",
	    NULL,
	    NULL};
	static const char *const open_quote[] = {
	    "go.mod", "module m\nrequire \"x v1\n", NULL, NULL};
	struct sl_ws_source src = mem_source(quoted_files);
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws *ws = NULL;
	struct sl_buf sb = SL_BUF_INIT;
	size_t i, j;

	(void)state;
	if (sl_ws_derive(&ws, SL_WS_GO, "", &src, &err))
		fail_msg("derive: %s", sl_error_message(&err));
	for (i = 0; i < ws->npkgs; i++) {
		sl_buf_addf(&sb, "%s %s", ws->pkgs[i].dir, ws->pkgs[i].name);
		for (j = 0; j < ws->pkgs[i].ndeps; j++)
			sl_buf_addf(&sb, " >%s(%s)",
				    ws->pkgs[ws->pkgs[i].deps[j].to].name,
				    ws->pkgs[i].deps[j].field);
		sl_buf_addch(&sb, '\n');
	}
	assert_string_equal(sb.buf, "a example.com/a >example.com/b(require)\n"
				    "b example.com/b\n");
	sl_ws_free(ws);
	ws = NULL;
	src = mem_source(open_quote);
	assert_int_equal(sl_ws_derive(&ws, SL_WS_GO, "", &src, &err),
			 SL_ERULES);
	assert_string_equal(sl_error_message(&err),
			    "go.mod:2: a quoted string is not closed");
	sl_buf_release(&sb);
	sl_error_release(&err);
}

static void go__errors_name_the_file(void **state)
{
	static const char *const no_mod[] = {"go.work", "use ./a\n", NULL,
					     NULL};
	static const char *const no_module[] = {"go.mod", "go 1.22\n", NULL,
						NULL};
	static const char *const open_block[] = {
	    "go.mod", "module m\nrequire (\n\tx v1\n", NULL, NULL};
	struct sl_ws_source src;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ws *ws = NULL;

	(void)state;
	src = mem_source(no_mod);
	assert_int_equal(sl_ws_derive(&ws, SL_WS_GO, "", &src, &err),
			 SL_ERULES);
	assert_string_equal(sl_error_message(&err),
			    "'a/go.mod' does not exist; every module of a Go "
			    "workspace has its go.mod");
	src = mem_source(no_module);
	assert_int_equal(sl_ws_derive(&ws, SL_WS_GO, "", &src, &err),
			 SL_ERULES);
	assert_string_equal(sl_error_message(&err),
			    "go.mod: no 'module' line; a go.mod names its "
			    "module path");
	src = mem_source(open_block);
	assert_int_equal(sl_ws_derive(&ws, SL_WS_GO, "", &src, &err),
			 SL_ERULES);
	assert_string_equal(sl_error_message(&err),
			    "go.mod:2: the block 'require (' is not closed "
			    "with ')'");
	sl_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(go__work_modules_edges_and_lockfiles),
	    cmocka_unit_test(go__mod_alone_follows_local_replaces),
	    cmocka_unit_test(go__sum_and_require_changes_by_module_path),
	    cmocka_unit_test(go__quoted_tokens_and_comments),
	    cmocka_unit_test(go__errors_name_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
