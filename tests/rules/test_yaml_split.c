/*
 * test_yaml_split.c: large rules files parsed in two parts at once
 * (rules/yaml_split.c) against the same files parsed whole (rules/yaml.c):
 * the same tree, node for node, or the same error, word for word, on
 * files made to split and on files made to break a split: values that
 * run across the line it splits at, markers and indentation it must not
 * be fooled by, line breaks libyaml counts that a line scan does not, and
 * random damage near the middle.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <pthread.h>

#include "rules/internal.h"
#include "rules/load_internal.h"
#include "tests/rules/random.h"

static struct rng rng;

static unsigned rnd(unsigned n)
{
	return (unsigned)rng_below(&rng, n);
}

static void *serve(void *data)
{
	sl_rules_helpers_serve(data);
	return NULL;
}

static void assert_same_doc(const struct sl_ydoc *a, const struct sl_ydoc *b)
{
	uint32_t i;

	assert_int_equal(a->nnodes, b->nnodes);
	for (i = 0; i < a->nnodes; i++) {
		const struct sl_ynode *x = &a->nodes[i], *y = &b->nodes[i];

		assert_int_equal(x->type, y->type);
		assert_int_equal(x->end, y->end);
		assert_int_equal(x->n, y->n);
		assert_int_equal(x->line, y->line);
		assert_int_equal(x->col, y->col);
		assert_int_equal(x->plain, y->plain);
		assert_int_equal(x->flow, y->flow);
		if (x->type == SL_YSCALAR) {
			assert_int_equal(x->len, y->len);
			assert_memory_equal(a->text.buf + x->off,
					    b->text.buf + y->off, x->len + 1);
		}
	}
}

/*
 * Parses data whole and helped (with a serving thread when threaded);
 * both must agree. Returns whether the helped parse went in parts.
 */
static bool check_parse(const char *data, size_t len, bool threaded)
{
	struct sl_rules_text text = {"sluice.yml", data, len};
	struct sl_ydoc whole = SL_YDOC_INIT, helped = SL_YDOC_INIT;
	struct sl_error we = SL_ERROR_INIT, he = SL_ERROR_INIT;
	size_t splits;
	struct sl_rules_helpers *h;
	pthread_t thread;
	int wret, hret;

	wret = sl_ydoc_parse(&whole, text.name, data, len, &we);
	sl_rules_helpers_new(&h);
	if (threaded)
		assert_int_equal(pthread_create(&thread, NULL, serve, h), 0);
	hret = sl_ydoc_parse_helped(&helped, &text, h, &he);
	sl_rules_helpers_close(h);
	if (threaded)
		assert_int_equal(pthread_join(thread, NULL), 0);
	splits = sl_rules_helpers_splits(h);
	sl_rules_helpers_free(h);
	assert_int_equal(hret, wret);
	if (wret)
		assert_string_equal(sl_error_message(&he),
				    sl_error_message(&we));
	else
		assert_same_doc(&helped, &whole);
	sl_ydoc_release(&whole);
	sl_ydoc_release(&helped);
	sl_error_release(&we);
	sl_error_release(&he);
	return splits > 0;
}

static bool check_both(const struct sl_buf *yaml)
{
	bool split = check_parse(yaml->buf, yaml->len, false);

	assert_true(check_parse(yaml->buf, yaml->len, true) == split);
	return split;
}

/* One lane, in one of the styles a rules file uses; `i` names it. */
static void add_lane(struct sl_buf *y, unsigned i, unsigned style)
{
	sl_buf_addf(y, "  lane-%u:\n", i);
	switch (style % 5) {
	case 0:
		sl_buf_addf(y,
			    "    owners: [\"@team%u\"]\n    paths:\n"
			    "      - \"/svc%u/\"\n      - '*.x%u'\n",
			    i, i, i);
		break;
	case 1:
		sl_buf_addf(y,
			    "    paths: [/lib%u/, \"**/gen%u/*.c\"]\n"
			    "    consumes: [lane-%u]\n",
			    i, i, i ? i - 1 : 0);
		break;
	case 2:
		sl_buf_addf(y,
			    "    # a comment\n    paths: ['/app%u/']\n"
			    "    gates:\n      unit-%u: {run: \"make test\"}\n",
			    i, i);
		break;
	case 3:
		sl_buf_addf(y,
			    "    paths: ['/doc%u/']\n    gates:\n"
			    "      g%u:\n        run: |\n          make %u\n"
			    "          make check\n\n",
			    i, i, i);
		break;
	default:
		sl_buf_addf(y, "    paths:\n    - /t%u/\n    - re:^t%u/\n", i,
			    i);
	}
}

static void lanes_file(struct sl_buf *y, unsigned n, const char *after)
{
	unsigned i;

	sl_buf_adds(y, "version: 1\nunowned: run-all\nlanes:\n");
	for (i = 0; i < n; i++)
		add_lane(y, i, i);
	sl_buf_adds(y, after);
}

static void split__a_large_file_parses_in_parts_as_a_whole(void **state)
{
	struct sl_buf y = SL_BUF_INIT, crlf = SL_BUF_INIT;
	size_t i;

	(void)state;
	lanes_file(&y, 800, "");
	assert_true(y.len > 64 * 1024);
	assert_true(check_both(&y));
	/* Keys after the lanes: a third part. */
	sl_buf_reset(&y);
	lanes_file(&y, 800,
		   "# the end\nconsumers: direct\nglobal:\n  gates:\n"
		   "    lint: {run: x}\n");
	assert_true(check_both(&y));
	/* A byte order mark. */
	sl_buf_reset(&y);
	sl_buf_adds(&y, "\xEF\xBB\xBF");
	lanes_file(&y, 800, "");
	assert_true(check_both(&y));
	/* Windows line ends. */
	sl_buf_reset(&y);
	lanes_file(&y, 800, "");
	sl_buf_reset(&crlf);
	for (i = 0; i < y.len; i++) {
		if (y.buf[i] == '\n')
			sl_buf_addch(&crlf, '\r');
		sl_buf_addch(&crlf, y.buf[i]);
	}
	assert_true(check_both(&crlf));
	sl_buf_release(&y);
	sl_buf_release(&crlf);
}

/* y with text put before its first lane line past the middle. */
static void break_at_middle(struct sl_buf *out, const struct sl_buf *y,
			    const char *text)
{
	const char *at = strstr(y->buf + y->len / 2, "\n  lane-");

	assert_non_null(at);
	at++;
	sl_buf_reset(out);
	sl_buf_add(out, y->buf, (size_t)(at - y->buf));
	sl_buf_adds(out, text);
	sl_buf_adds(out, at);
}

static void split__values_across_the_split_line_are_read_whole(void **state)
{
	/* Put before a lane's line past the middle (that becomes the line it
	 * tries to split at, unless the text is one itself); whether the
	 * parse may then go in parts: 1 yes, 0 no, -1 either. */
	static const struct {
		const char *text;
		int split;
	} breaks[] = {
	    /* values left open before that line: no part may be trusted */
	    {"    paths: \"runs on\n", 0},
	    {"    paths: 'runs on\n", 0},
	    {"    paths: [a,\n", 0},
	    {"    gates: {a: b,\n", 0},
	    /* a block value with lines that look like lanes' lines */
	    {"    doc: |\n      text\n  lane-x: a line of the text?\n", -1},
	    /* markers, keys and indentation further left */
	    {"---\n", 0},
	    {"...\n", 0},
	    {"%YAML 1.2\n", 0},
	    {"top: level\n", 0},
	    {" odd: 1\n", 0},
	    {"\tlane-tab: 1\n", -1},
	    {"  &anchor lane-a: 1\n", 0},
	    {"  ? complex\n  : key\n", -1},
	    /* line breaks a scan for '\n' does not see */
	    {"  cr: a\rtop: level\r", 0},
	    {"  nel: a\xC2\x85top: level\n", -1},
	    {"  ls: a\xE2\x80\xA8top: level\n", -1},
	    /* nothing a parse sees */
	    {"# column 0 comment\n", 1},
	    {"\n\n\n", 1},
	};
	struct sl_buf y = SL_BUF_INIT, broken = SL_BUF_INIT;
	size_t i;

	(void)state;
	lanes_file(&y, 800, "");
	for (i = 0; i < SL_ARRAY_SIZE(breaks); i++) {
		bool split;

		break_at_middle(&broken, &y, breaks[i].text);
		split = check_both(&broken);
		if (breaks[i].split >= 0 && split != (breaks[i].split == 1))
			fail_msg("case %zu: split %d", i, split);
	}
	sl_buf_release(&y);
	sl_buf_release(&broken);
}

static void split__lanes_in_flow_style_or_nested_are_read_whole(void **state)
{
	struct sl_buf y = SL_BUF_INIT;
	unsigned i;

	(void)state;
	sl_buf_adds(&y, "version: 1\nlanes: {\n");
	for (i = 0; i < 2000; i++)
		sl_buf_addf(&y, "  lane-%u: {paths: [/d%u/]},\n", i, i);
	sl_buf_adds(&y, "}\n");
	assert_false(check_both(&y));
	/* Deep nesting inside the second part, at the limit and past it. */
	for (i = SL_RULES_MAX_DEPTH - 3; i <= SL_RULES_MAX_DEPTH; i++) {
		struct sl_buf deep = SL_BUF_INIT, x = SL_BUF_INIT;
		unsigned d;

		sl_buf_reset(&y);
		lanes_file(&y, 800, "");
		sl_buf_adds(&deep, "  deep: ");
		for (d = 0; d < i; d++)
			sl_buf_addch(&deep, '[');
		for (d = 0; d < i; d++)
			sl_buf_addch(&deep, ']');
		sl_buf_addch(&deep, '\n');
		/* Put near the end: in the second part. */
		sl_buf_add(&x, y.buf, y.len);
		sl_buf_adds(&x, deep.buf);
		check_both(&x);
		sl_buf_release(&deep);
		sl_buf_release(&x);
	}
	sl_buf_release(&y);
}

static void damage(struct sl_buf *x, size_t at)
{
	static const char specials[] = "'\"[]{}:#-|>&*!%?,\t\r\n \\";
	static const char *const pieces[] = {
	    "\n? ",	 ": ",	  "\n  k:", "\n  - ",	   "\n- ",
	    "\n---\n",	 "\n...", "|\n",    ">-\n",	   "\"",
	    "'",	 "\n\t",  "\r",	    "\xC2\x85",	   "\n#",
	    "\n  ? a\n", "{",	  "[",	    "\n      x\n",
	};
	struct sl_buf out = SL_BUF_INIT;

	switch (rnd(3)) {
	case 0:
		x->buf[at] = specials[rnd(sizeof(specials) - 1)];
		return;
	case 1:
		sl_buf_add(&out, x->buf, at);
		sl_buf_adds(&out, pieces[rnd(SL_ARRAY_SIZE(pieces))]);
		sl_buf_add(&out, x->buf + at, x->len - at);
		break;
	default:
		sl_buf_add(&out, x->buf, at);
		at += 1 + rnd(8);
		sl_buf_add(&out, x->buf + at, x->len - at);
	}
	sl_buf_reset(x);
	sl_buf_add(x, out.buf, out.len);
	sl_buf_release(&out);
}

static void split__random_damage_near_the_middle(void **state)
{
	const char *seed_env = getenv("SLUICE_TEST_SEED");
	struct sl_buf y = SL_BUF_INIT, x = SL_BUF_INIT;
	unsigned round, rounds = 300, splits = 0;

	(void)state;
	rng.s = seed_env ? strtoull(seed_env, NULL, 10) : 20261204;
	fprintf(stderr, "# seed %" PRIu64 "\n", rng.s);
	for (round = 0; round < rounds; round++) {
		unsigned lanes = 700 + rnd(200), i, edits = 1 + rnd(4);

		sl_buf_reset(&y);
		sl_buf_adds(&y, "version: 1\nlanes:\n");
		for (i = 0; i < lanes; i++)
			add_lane(&y, i, rnd(5));
		if (rnd(3) == 0)
			sl_buf_adds(&y, "consumers: direct\n");
		sl_buf_reset(&x);
		sl_buf_add(&x, y.buf, y.len);
		/* Damage within a few lines either side of the middle: bytes
		 * replaced, pieces of YAML put in, bytes cut out. */
		for (i = 0; i < edits; i++)
			damage(&x, x.len / 2 - 300 + rnd(600));
		splits += check_parse(x.buf, x.len, rnd(2));
	}
	/* Most damage breaks the file or leaves the split alone: both kinds
	 * must have come up. */
	assert_true(splits > 0 && splits < rounds);
	sl_buf_release(&y);
	sl_buf_release(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(split__a_large_file_parses_in_parts_as_a_whole),
	    cmocka_unit_test(
		split__values_across_the_split_line_are_read_whole),
	    cmocka_unit_test(
		split__lanes_in_flow_style_or_nested_are_read_whole),
	    cmocka_unit_test(split__random_damage_near_the_middle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
