/*
 * fuzz_results.c: the results-file reader (`merge`, `repro --results`:
 * gates/results.c) on any bytes. A file it takes must survive a round
 * trip (written back, read again, written again: the same text), merge
 * with itself must be refused (each gate twice), and the markdown and
 * JUnit writers must take it; the markdown must hold no raw control byte.
 */
#include "tests/fuzz/fuzz.h"

#include "gates/gates.h"

static void no_raw_control(const struct sl_buf *md)
{
	size_t i;

	for (i = 0; i < md->len; i++) {
		unsigned char c = (unsigned char)md->buf[i];

		sl_fuzz_check(c >= 0x20 || c == '\n' || c == '\t',
			      "the markdown summary holds no raw control "
			      "byte");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_results a, b, merged;
	struct sl_buf one = SL_BUF_INIT, two = SL_BUF_INIT, md = SL_BUF_INIT;
	struct sl_error err = SL_ERROR_INIT;
	const char *names[2] = {"a.json", "b.json"};

	sl_results_init(&a);
	sl_results_init(&b);
	sl_results_init(&merged);
	if (sl_results_read_json(&a, "a.json", (const char *)data, size, &err))
		goto out;
	sl_results_write_json(&one, &a);
	sl_fuzz_check(
	    !sl_results_read_json(&b, "b.json", one.buf, one.len, &err),
	    "what sluice writes, it reads back");
	sl_results_write_json(&two, &b);
	sl_fuzz_check(one.len == two.len && !memcmp(one.buf, two.buf, one.len),
		      "a round trip changes nothing");
	{
		struct sl_results both[2] = {a, b};

		if (a.n)
			sl_fuzz_check(sl_results_merge(&merged, both, names, 2,
						       &err) == SL_EUSAGE,
				      "a gate in two shards is refused");
	}
	sl_results_write_markdown(&md, &a);
	no_raw_control(&md);
	sl_buf_reset(&md);
	sl_results_write_junit(&md, &a);
out:
	sl_results_release(&a);
	sl_results_release(&b);
	sl_results_release(&merged);
	sl_buf_release(&one);
	sl_buf_release(&two);
	sl_buf_release(&md);
	sl_error_release(&err);
	return 0;
}
