/*
 * test_results.c: the results files. JSON round-trips (non-UTF-8 log paths
 * included), merge refuses shards of different runs and catches a missing
 * shard, JUnit is well-formed XML whatever bytes it holds, and markdown
 * cannot be broken out of by a log.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "gates/gates.h"
#include "tests/support/sandbox.h"

static const char base_id[] = "1111111111111111111111111111111111111111";
static const char head_id[] = "2222222222222222222222222222222222222222";

static struct sl_gate_result *add_gate(struct sl_results *r, const char *name,
				       enum sl_job_status st)
{
	struct sl_gate_result *g = sl_results_add(r);

	g->name = sl_xstrdup(name);
	g->kind = sl_xstrdup("local");
	g->lane = sl_xstrdup("billing");
	g->status = st;
	/* As the runner leaves them: a verdict its exit code agrees with. */
	g->exit_code = st == SL_JOB_PASSED ? 0 : st == SL_JOB_SKIPPED ? -1 : 1;
	g->attempts = 1;
	g->duration_ms = 1234;
	sl_strvec_push(&g->reasons, "services/billing/api.c -> lane billing");
	sl_strvec_push(&r->selected, name);
	return g;
}

static void fill(struct sl_results *r)
{
	struct sl_gate_result *g;

	sl_results_init(r);
	r->base = sl_xstrdup(base_id);
	r->head = sl_xstrdup(head_id);
	r->rules_blob = sl_xstrdup("abcd");
	g = add_gate(r, "billing-unit", SL_JOB_OVERRIDDEN);
	g->exit_code = 1;
	g->has_override = true;
	g->override.id = 7;
	g->override.requested_by = sl_xstrdup("dev@example.com");
	g->override.approved_by = sl_xstrdup("ana@example.com");
	g->override.reason = sl_xstrdup("flaky upstream, TICKET-1");
	g->override.expires_at = 1767225600; /* 2026-01-01 */
	g = add_gate(r, "web-smoke", SL_JOB_FAILED);
	g->exit_code = -1;
	g->signal = 11;
	g->log = sl_xstrdup("logs/caf\xE9.log");
}

static void json__round_trips(void **state)
{
	struct sl_results r, back;
	struct sl_buf a = SL_BUF_INIT, b = SL_BUF_INIT;
	struct sl_error err = SL_ERROR_INIT;

	(void)state;
	fill(&r);
	sl_results_write_json(&a, &r);
	assert_non_null(strstr(a.buf, "\"schema\": \"sluice.results/1\""));
	assert_non_null(strstr(a.buf, "\"verdict\": \"fail\""));
	assert_non_null(
	    strstr(a.buf, "\"expires_at\": \"2026-01-01T00:00:00Z\""));
	assert_non_null(strstr(a.buf, "\"log_base64\""));
	sl_results_init(&back);
	assert_int_equal(
	    sl_results_read_json(&back, "r.json", a.buf, a.len, &err), 0);
	assert_string_equal(back.gates[1].log, "logs/caf\xE9.log");
	assert_int_equal(back.gates[1].signal, 11);
	assert_int_equal(back.gates[0].override.id, 7);
	sl_results_write_json(&b, &back);
	assert_string_equal(a.buf, b.buf);
	sl_results_release(&r);
	sl_results_release(&back);
	sl_buf_release(&a);
	sl_buf_release(&b);
	sl_error_release(&err);
}

static void json__refuses_other_schemas_and_bad_fields(void **state)
{
	static const char *const bad[] = {
	    "not json",
	    "{\"schema\": \"other/1\", \"gates\": []}",
	    "{\"schema\": \"sluice.results/1\", \"base\": \"a\", "
	    "\"head\": \"b\", \"gates\": {}}",
	    "{\"schema\": \"sluice.results/1\", \"base\": \"a\", "
	    "\"head\": \"b\", \"gates\": [{\"name\": \"x\", \"kind\": "
	    "\"local\", \"status\": \"great\"}]}",
	    "{\"schema\": \"sluice.results/1\", \"base\": 1, \"head\": "
	    "\"b\", \"gates\": []}",
	};
	struct sl_error err = SL_ERROR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		struct sl_results r;

		sl_results_init(&r);
		assert_int_equal(sl_results_read_json(&r, "x.json", bad[i],
						      strlen(bad[i]), &err),
				 SL_EUSAGE);
		assert_non_null(strstr(sl_error_message(&err), "'x.json'"));
		sl_results_release(&r);
	}
	sl_error_release(&err);
}

/* Replaces the first occurrence of from in text with to; caller frees. */
static char *replaced(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	struct sl_buf out = SL_BUF_INIT;

	assert_non_null(at);
	sl_buf_add(&out, text, (size_t)(at - text));
	sl_buf_adds(&out, to);
	sl_buf_adds(&out, at + strlen(from));
	return sl_buf_detach(&out, NULL);
}

/*
 * A field every results file sluice writes has is never defaulted: a shard
 * without `selected` would merge to a pass with its gates lost, and a
 * mistyped duration, flag or log would silently read as 0, false or none.
 */
static void json__missing_or_mistyped_fields_are_errors(void **state)
{
	static const char good[] =
	    "{\"schema\": \"sluice.results/1\", \"base\": \"b\", \"head\": "
	    "\"h\", \"merge_base\": null, \"rules_blob\": null, \"run_id\": "
	    "null, \"verdict\": \"pass\", \"degraded\": false, "
	    "\"rules_changed\": false, \"selected\": [\"a\"], \"gates\": "
	    "[{\"name\": \"a\", \"kind\": \"local\", \"lane\": null, "
	    "\"status\": \"passed\", \"exit_code\": 0, \"signal\": null, "
	    "\"duration_ms\": 5, \"attempts\": 1, \"flaky\": false, \"log\": "
	    "\"a.log\", \"error\": null, \"reasons\": [], \"override\": "
	    "null}]}";
	static const struct {
		const char *from, *to, *msg;
	} bad[] = {
	    {"\"selected\": [\"a\"], ", "", "selected is missing"},
	    {"\"degraded\": false, ", "", "degraded is missing"},
	    {"\"degraded\": false", "\"degraded\": \"no\"",
	     "degraded must be true or false"},
	    {"\"rules_changed\": false, ", "", "rules_changed is missing"},
	    {"\"duration_ms\": 5, ", "", "gate 'a': duration_ms is missing"},
	    {"\"duration_ms\": 5", "\"duration_ms\": \"5\"",
	     "gate 'a': duration_ms must be"},
	    {"\"duration_ms\": 5", "\"duration_ms\": -5",
	     "gate 'a': duration_ms must be"},
	    {"\"flaky\": false, ", "", "gate 'a': flaky is missing"},
	    {"\"flaky\": false", "\"flaky\": 0",
	     "gate 'a': flaky must be true or false"},
	    {"\"log\": \"a.log\", ", "", "gate 'a': log is missing"},
	    {"\"log\": \"a.log\"", "\"log\": 7", "gate 'a': log must be"},
	    {"\"log\": \"a.log\"", "\"log\": \"a.log\", \"log_base64\": \"!\"",
	     "gate 'a': log_base64 must be"},
	};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_results r;
	size_t i;

	(void)state;
	sl_results_init(&r);
	assert_int_equal(
	    sl_results_read_json(&r, "x.json", good, strlen(good), &err), 0);
	assert_string_equal(r.gates[0].log, "a.log");
	assert_int_equal(r.gates[0].duration_ms, 5);
	sl_results_release(&r);
	for (i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		char *text = replaced(good, bad[i].from, bad[i].to);

		sl_results_init(&r);
		assert_int_equal(sl_results_read_json(&r, "x.json", text,
						      strlen(text), &err),
				 SL_EUSAGE);
		assert_non_null(strstr(sl_error_message(&err),
				       "'x.json' is not sluice results"));
		if (!strstr(sl_error_message(&err), bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i,
				 sl_error_message(&err), bad[i].msg);
		sl_results_release(&r);
		free(text);
	}
	sl_error_release(&err);
}

/* A shard that lost `selected` cannot hide a lost shard from merge. */
static void merge__a_shard_without_selected_is_refused(void **state)
{
	struct sl_results r;
	struct sl_buf a = SL_BUF_INIT;
	struct sl_error err = SL_ERROR_INIT;
	char *text;

	(void)state;
	fill(&r);
	sl_results_write_json(&a, &r);
	sl_results_release(&r);
	/* Cut "selected": [...] (two gates) out of what sluice wrote. */
	text = replaced(a.buf,
			"\"selected\": [\n    \"billing-unit\",\n    "
			"\"web-smoke\"\n  ],\n",
			"");
	sl_results_init(&r);
	assert_int_equal(
	    sl_results_read_json(&r, "shard.json", text, strlen(text), &err),
	    SL_EUSAGE);
	assert_non_null(strstr(sl_error_message(&err),
			       "'shard.json' is not sluice results: selected "
			       "is missing"));
	sl_results_release(&r);
	sl_buf_release(&a);
	sl_error_release(&err);
	free(text);
}

static void verdict__needs_every_selected_gate(void **state)
{
	struct sl_results r;
	const char *why = NULL;

	(void)state;
	sl_results_init(&r);
	assert_true(sl_results_pass(&r, NULL));
	add_gate(&r, "a", SL_JOB_PASSED);
	add_gate(&r, "b", SL_JOB_OVERRIDDEN);
	assert_true(sl_results_pass(&r, NULL));
	sl_strvec_push(&r.selected, "c");
	assert_false(sl_results_pass(&r, &why));
	assert_string_equal(why, "a selected gate has no result");
	add_gate(&r, "c", SL_JOB_SKIPPED);
	assert_false(sl_results_pass(&r, NULL));
	sl_results_release(&r);
}

/*
 * A shard answers for the gates it ran: the selected gates it has no
 * result for are other shards' (listed as not run), and its verdict is
 * theirs; read back, it is still a shard. Merged, it is not.
 */
static void verdict__of_a_shard_is_its_gates(void **state)
{
	const char *names[] = {"a.json"};
	struct sl_results r, back, merged;
	struct sl_strvec not_run = SL_STRVEC_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf text = SL_BUF_INIT;
	char *bad;

	(void)state;
	sl_results_init(&r);
	r.base = sl_xstrdup(base_id);
	r.head = sl_xstrdup(head_id);
	r.shard = true;
	sl_strvec_push(&r.selected, "one");
	sl_strvec_push(&r.selected, "two");
	add_gate(&r, "one", SL_JOB_PASSED);
	assert_true(sl_results_pass(&r, NULL));
	sl_results_not_run(&not_run, &r);
	assert_int_equal(not_run.n, 1);
	assert_string_equal(not_run.v[0], "two");
	sl_results_write_json(&text, &r);
	assert_non_null(strstr(text.buf, "\"shard\": true"));
	assert_non_null(strstr(text.buf, "\"not_run\": [\n    \"two\"\n  ]"));
	sl_results_init(&back);
	assert_int_equal(
	    sl_results_read_json(&back, "a.json", text.buf, text.len, &err), 0);
	assert_true(back.shard);
	assert_true(sl_results_pass(&back, NULL));
	sl_results_init(&merged);
	assert_int_equal(sl_results_merge(&merged, &back, names, 1, &err), 0);
	assert_false(merged.shard);
	assert_false(sl_results_pass(&merged, NULL));
	/* Its own failure fails the shard. */
	r.gates[0].status = SL_JOB_FAILED;
	assert_false(sl_results_pass(&r, NULL));
	bad = replaced(text.buf, "\"shard\": true", "\"shard\": 1");
	sl_results_release(&back);
	sl_results_init(&back);
	assert_int_equal(
	    sl_results_read_json(&back, "a.json", bad, strlen(bad), &err),
	    SL_EUSAGE);
	assert_non_null(strstr(sl_error_message(&err), "shard must be true"));
	free(bad);
	sl_results_release(&back);
	sl_results_release(&merged);
	sl_results_release(&r);
	sl_strvec_release(&not_run);
	sl_buf_release(&text);
	sl_error_release(&err);
}

static void merge__unions_shards_and_catches_a_lost_one(void **state)
{
	const char *names[] = {"a.json", "b.json"};
	struct sl_results shards[2], out;
	struct sl_error err = SL_ERROR_INIT;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sl_results_init(&shards[i]);
		shards[i].base = sl_xstrdup(base_id);
		shards[i].head = sl_xstrdup(head_id);
		sl_strvec_push(&shards[i].selected, "one");
		sl_strvec_push(&shards[i].selected, "two");
	}
	add_gate(&shards[0], "one", SL_JOB_PASSED);
	sl_results_init(&out);
	/* Only shard a: gate two's shard was lost, so the run fails. */
	assert_int_equal(sl_results_merge(&out, shards, names, 1, &err), 0);
	assert_false(sl_results_pass(&out, NULL));
	sl_results_release(&out);
	add_gate(&shards[1], "two", SL_JOB_PASSED);
	sl_results_init(&out);
	assert_int_equal(sl_results_merge(&out, shards, names, 2, &err), 0);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.selected.n, 2);
	assert_true(sl_results_pass(&out, NULL));
	sl_results_release(&out);
	/* The same gate twice is refused, as are different heads. */
	add_gate(&shards[1], "one", SL_JOB_FAILED);
	sl_results_init(&out);
	assert_int_equal(sl_results_merge(&out, shards, names, 2, &err),
			 SL_EUSAGE);
	assert_non_null(strstr(sl_error_message(&err), "gate 'one'"));
	sl_results_release(&out);
	free(shards[1].head);
	shards[1].head = sl_xstrdup(base_id);
	sl_results_init(&out);
	assert_int_equal(sl_results_merge(&out, shards, names, 2, &err),
			 SL_EUSAGE);
	assert_non_null(strstr(sl_error_message(&err), "different runs"));
	sl_results_release(&out);
	sl_results_release(&shards[0]);
	sl_results_release(&shards[1]);
	sl_error_release(&err);
}

/* A log holding every byte value, ill-formed UTF-8 and XML specials. */
static void write_hostile_log(const char *path)
{
	static const char tricky[] = "]]></failure><x>&amp;\xEF\xBF\xBF ```\n";
	char data[512 + sizeof(tricky)];
	size_t i, n = 0;

	for (i = 0; i < 256; i++) {
		data[n++] = (char)i;
		data[n++] = '\n';
	}
	memcpy(data + n, tricky, sizeof(tricky) - 1);
	n += sizeof(tricky) - 1;
	sl_write_file(path, data, n);
}

static void junit__is_well_formed_whatever_the_bytes(void **state)
{
	struct sl_buf xml = SL_BUF_INIT;
	struct sl_results r;
	struct sl_gate_result *g;

	(void)state;
	sl_sandbox_enter();
	write_hostile_log("gate.log");
	fill(&r);
	g = &r.gates[1];
	free(g->log);
	g->log = sl_xstrdup("gate.log");
	free(g->name);
	g->name = sl_xstrdup("we<i>rd\"&'\x01\xFF");
	sl_strvec_push(&g->reasons, "$(touch PWNED);\x1b[31m.c -> lane x");
	sl_results_write_junit(&xml, &r);
	sl_write_file("out.xml", xml.buf, xml.len);
	assert_int_equal(
	    sl_sh("python3 -c 'import sys, xml.dom.minidom as m; "
		  "d = m.parse(\"out.xml\"); "
		  "c = d.getElementsByTagName(\"testcase\"); "
		  "assert len(c) == 2, len(c); "
		  "assert c[1].getElementsByTagName(\"failure\")'"),
	    0);
	assert_non_null(strstr(xml.buf, "\\x1b[31m"));
	assert_non_null(strstr(xml.buf, "type=\"failed\""));
	assert_non_null(strstr(xml.buf, "killed by signal 11"));
	sl_results_release(&r);
	sl_buf_release(&xml);
	sl_sandbox_leave();
}

static void markdown__escapes_cells_and_fences_logs(void **state)
{
	struct sl_buf md = SL_BUF_INIT;
	struct sl_results r;

	(void)state;
	sl_sandbox_enter();
	sl_write_text("gate.log", "before\n```\nstill inside | the block\n");
	fill(&r);
	free(r.gates[1].log);
	r.gates[1].log = sl_xstrdup("gate.log");
	free(r.gates[1].name);
	r.gates[1].name = sl_xstrdup("a|b");
	sl_results_write_markdown(&md, &r);
	assert_non_null(strstr(md.buf, "## sluice: ❌ fail"));
	assert_non_null(strstr(md.buf, "| a\\|b |"));
	assert_non_null(strstr(md.buf, "⚠️ overridden (override 7)"));
	/* The log's own ``` cannot close the block: the fence is longer. */
	assert_non_null(strstr(md.buf, "````text\nbefore\n```\nstill"));
	assert_non_null(strstr(md.buf, "the block\n````\n"));
	sl_results_release(&r);
	sl_buf_release(&md);
	sl_sandbox_leave();
}

static void tail__keeps_whole_last_lines(void **state)
{
	struct sl_buf tail = SL_BUF_INIT;

	(void)state;
	sl_sandbox_enter();
	sl_write_text("log", "one\ntwo\nthree\nfour\n");
	sl_log_tail(&tail, "log", 2, 1024);
	assert_string_equal(tail.buf, "three\nfour\n");
	sl_buf_reset(&tail);
	sl_log_tail(&tail, "log", 10, 12);
	assert_string_equal(tail.buf, "three\nfour\n");
	sl_buf_reset(&tail);
	sl_log_tail(&tail, "missing", 10, 12);
	assert_string_equal(tail.buf, "");
	sl_buf_release(&tail);
	sl_sandbox_leave();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(json__round_trips),
	    cmocka_unit_test(json__refuses_other_schemas_and_bad_fields),
	    cmocka_unit_test(json__missing_or_mistyped_fields_are_errors),
	    cmocka_unit_test(merge__a_shard_without_selected_is_refused),
	    cmocka_unit_test(verdict__needs_every_selected_gate),
	    cmocka_unit_test(verdict__of_a_shard_is_its_gates),
	    cmocka_unit_test(merge__unions_shards_and_catches_a_lost_one),
	    cmocka_unit_test(junit__is_well_formed_whatever_the_bytes),
	    cmocka_unit_test(markdown__escapes_cells_and_fences_logs),
	    cmocka_unit_test(tail__keeps_whole_last_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
