/*
 * test_helpers.c: loads that other threads help with (rules/
 * helpers.c). A helped load must give exactly the rules and exactly the
 * error the load alone gives, whether a helper takes every pattern, some,
 * or none, and serving threads must return once the helpers close.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <pthread.h>

#include "rules/rules.h"
#include "common/common.h"

/* A helper thread serving h until it is closed. */
static void *serve(void *data)
{
	sl_rules_helpers_serve(data);
	return NULL;
}

/*
 * Loads yaml alone and with helpers (nhelpers serving threads); both must
 * agree on the status and the message. Returns the helped load's status,
 * its rules in *helped and the lone load's in *alone.
 */
static int load_both(struct sl_rules **alone, struct sl_rules **helped,
		     const char *yaml, int nhelpers, struct sl_error *err)
{
	struct sl_rules_text text = {"sluice.yml", yaml, strlen(yaml)};
	struct sl_error lone_err = SL_ERROR_INIT;
	struct sl_rules_helpers *h;
	pthread_t threads[4];
	int i, lone, ret;

	lone =
	    sl_rules_load_buffer(alone, text.name, yaml, text.len, &lone_err);
	sl_rules_helpers_new(&h);
	for (i = 0; i < nhelpers; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, serve, h),
				 0);
	ret = sl_rules_load_text(helped, &text, h, err);
	sl_rules_helpers_close(h);
	for (i = 0; i < nhelpers; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	sl_rules_helpers_free(h);
	assert_int_equal(ret, lone);
	if (ret)
		assert_string_equal(sl_error_message(err),
				    sl_error_message(&lone_err));
	sl_error_release(&lone_err);
	return ret;
}

/*
 * 600 lanes, well past the size from which patterns are handed over;
 * lane bad_at has a pattern that does not compile, lane bogus_at an
 * unknown key after its paths (-1: none).
 */
static void many_lanes(struct sl_buf *yaml, int bad_at, int bogus_at)
{
	int i;

	sl_buf_adds(yaml, "version: 1\nlanes:\n");
	for (i = 0; i < 600; i++) {
		sl_buf_addf(yaml, "  lane-%d:\n", i);
		if (i == bad_at)
			sl_buf_adds(yaml, "    paths: ['dir/', 'a[b']\n");
		else
			sl_buf_addf(yaml,
				    "    paths: ['/dir%d/', '*.x%d', "
				    "'**/gen%d/*.c', 're:^r%d/']\n",
				    i, i, i, i);
		if (i == bogus_at)
			sl_buf_adds(yaml, "    bogus: 1\n");
	}
}

static void assert_same_owners(const struct sl_rules *a,
			       const struct sl_rules *b)
{
	struct sl_error err = SL_ERROR_INIT;
	size_t i;

	assert_int_equal(a->rules.n, b->rules.n);
	for (i = 0; i < a->rules.n; i++) {
		assert_string_equal(a->rules.items[i].text,
				    b->rules.items[i].text);
		assert_int_equal(a->rules.items[i].lane,
				 b->rules.items[i].lane);
	}
	for (i = 0; i < 600 * 5; i += 7) {
		struct sl_buf path = SL_BUF_INIT;
		const struct sl_rule *ra, *rb;
		size_t lane = i / 5;

		/* Paths for each kind of pattern, and one for none. */
		switch (i % 5) {
		case 0:
			sl_buf_addf(&path, "dir%zu/x", lane);
			break;
		case 1:
			sl_buf_addf(&path, "a/b.x%zu", lane);
			break;
		case 2:
			sl_buf_addf(&path, "q/gen%zu/m.c", lane);
			break;
		case 3:
			sl_buf_addf(&path, "r%zu/z", lane);
			break;
		default:
			sl_buf_addf(&path, "nothing%zu", lane);
		}
		assert_int_equal(
		    sl_rules_owner(&ra, a, path.buf, path.len, 0, &err), 0);
		assert_int_equal(
		    sl_rules_owner(&rb, b, path.buf, path.len, 0, &err), 0);
		assert_true(!ra == !rb);
		if (ra)
			assert_int_equal(ra - a->rules.items,
					 rb - b->rules.items);
		sl_buf_release(&path);
	}
	sl_error_release(&err);
}

static void helpers__helped_loads_equal_the_load_alone(void **state)
{
	struct sl_buf yaml = SL_BUF_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *alone, *helped;
	int helpers;

	(void)state;
	many_lanes(&yaml, -1, -1);
	assert_true(yaml.len > 16 * 1024);
	for (helpers = 0; helpers <= 2; helpers++) {
		assert_int_equal(
		    load_both(&alone, &helped, yaml.buf, helpers, &err), 0);
		assert_int_equal(helped->rules.n, 2400);
		assert_same_owners(alone, helped);
		sl_rules_free(alone);
		sl_rules_free(helped);
	}
	sl_buf_release(&yaml);
	sl_error_release(&err);
}

static void helpers__the_first_mistake_in_the_file_is_reported(void **state)
{
	static const int cases[][2] = {
	    {500, -1}, /* a bad pattern near the end */
	    {3, -1},   /* near the start, so likely the loader's own */
	    {300, 350},
	    {300, 100}, /* and an error after it, or before */
	};
	struct sl_buf yaml = SL_BUF_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *alone, *helped;
	size_t i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(cases); i++) {
		sl_buf_reset(&yaml);
		many_lanes(&yaml, cases[i][0], cases[i][1]);
		assert_int_equal(load_both(&alone, &helped, yaml.buf, 1, &err),
				 SL_ERULES);
		assert_null(helped);
	}
	/* The message is the pattern's, at its place in the file. */
	sl_buf_reset(&yaml);
	many_lanes(&yaml, 300, 350);
	load_both(&alone, &helped, yaml.buf, 1, &err);
	assert_non_null(strstr(sl_error_message(&err), "sluice.yml:604:21: "));
	sl_buf_release(&yaml);
	sl_error_release(&err);
}

static void helpers__serving_threads_return_when_closed(void **state)
{
	struct sl_rules_helpers *h;
	pthread_t thread;

	(void)state;
	/* Closed with no load at all: the thread that waited returns. */
	sl_rules_helpers_new(&h);
	assert_int_equal(pthread_create(&thread, NULL, serve, h), 0);
	sl_rules_helpers_close(h);
	assert_int_equal(pthread_join(thread, NULL), 0);
	/* And one that comes after the close returns at once. */
	sl_rules_helpers_serve(h);
	sl_rules_helpers_free(h);
}

/* Looks every path up in one batch (helped by nthreads serving threads)
 * and one by one; they must agree, and the status is returned. */
static int owners_both(const struct sl_rules *rules, const char *const *paths,
		       size_t n, int nthreads, struct sl_error *err)
{
	const struct sl_rule **got = sl_xcalloc(n + 1, sizeof(*got));
	struct sl_owner_query *q = sl_xcalloc(n + 1, sizeof(*q));
	struct sl_rules_helpers *h;
	struct sl_owners_batch batch = {rules, q, n, NULL};
	pthread_t threads[2];
	size_t i;
	int t, ret;

	for (i = 0; i < n; i++)
		q[i] = (struct sl_owner_query){paths[i], strlen(paths[i]), 0};
	sl_rules_helpers_new(&h);
	batch.helpers = h;
	for (t = 0; t < nthreads; t++)
		assert_int_equal(pthread_create(&threads[t], NULL, serve, h),
				 0);
	ret = sl_rules_owners(got, &batch, err);
	sl_rules_helpers_close(h);
	for (t = 0; t < nthreads; t++)
		assert_int_equal(pthread_join(threads[t], NULL), 0);
	sl_rules_helpers_free(h);
	for (i = 0; !ret && i < n; i++) {
		const struct sl_rule *one;

		assert_int_equal(
		    sl_rules_owner(&one, rules, q[i].path, q[i].len, 0, NULL),
		    0);
		assert_ptr_equal(got[i], one);
	}
	free(got);
	free(q);
	return ret;
}

static void helpers__owner_batches_split_with_helpers(void **state)
{
	struct sl_buf yaml = SL_BUF_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *alone, *helped;
	struct sl_buf *paths = sl_xcalloc(6000, sizeof(*paths));
	const char **p = sl_xcalloc(6000, sizeof(*p));
	size_t i;
	int t;

	(void)state;
	many_lanes(&yaml, -1, -1);
	assert_int_equal(load_both(&alone, &helped, yaml.buf, 0, &err), 0);
	for (i = 0; i < 6000; i++) {
		paths[i] = (struct sl_buf)SL_BUF_INIT;
		sl_buf_addf(&paths[i], i % 2 ? "dir%zu/f" : "x/q.x%zu", i / 10);
		p[i] = paths[i].buf;
	}
	for (t = 0; t <= 2; t++)
		assert_int_equal(owners_both(helped, p, 6000, t, &err), 0);
	for (i = 0; i < 6000; i++)
		sl_buf_release(&paths[i]);
	free(paths);
	free(p);
	sl_rules_free(alone);
	sl_rules_free(helped);
	sl_buf_release(&yaml);
	sl_error_release(&err);
}

static void helpers__an_owner_batch_reports_its_first_failure(void **state)
{
	static const char yaml[] = "version: 1\nlanes:\n  a:\n"
				   "    paths: ['re:(a|a)*b']\n";
	struct sl_error err = SL_ERROR_INIT;
	const char **p = sl_xcalloc(4096, sizeof(*p));
	struct sl_rules *rules;
	size_t i;

	(void)state;
	assert_int_equal(sl_rules_load_buffer(&rules, "sluice.yml", yaml,
					      strlen(yaml), &err),
			 0);
	/* Both shares fail; the first path's failure is the one told. */
	for (i = 0; i < 4096; i++)
		p[i] = "ok";
	p[1000] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaacb";
	p[3000] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaacb";
	assert_int_equal(owners_both(rules, p, 4096, 1, &err), SL_ERULES);
	assert_non_null(strstr(sl_error_message(&err), "limit"));
	assert_non_null(strstr(sl_error_message(&err), p[1000]));
	assert_null(strstr(sl_error_message(&err), p[3000]));
	free(p);
	sl_rules_free(rules);
	sl_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(helpers__helped_loads_equal_the_load_alone),
	    cmocka_unit_test(
		helpers__the_first_mistake_in_the_file_is_reported),
	    cmocka_unit_test(helpers__serving_threads_return_when_closed),
	    cmocka_unit_test(helpers__owner_batches_split_with_helpers),
	    cmocka_unit_test(helpers__an_owner_batch_reports_its_first_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
