/*
 * fuzz_paths.c: the path-list reader (`--paths-from`, `-z`:
 * selector/paths.c) on any bytes, in both modes (the first byte picks).
 * A list it takes is sorted, without repeats, and every name is one git
 * prints (no empty, "." or ".." component, no leading or trailing '/');
 * shown quoted (sl_buf_add_quoted_path) and read back, each is itself.
 */
#include "tests/fuzz/fuzz.h"

#include "selector/selector.h"

static void check_name(const char *p, size_t len)
{
	struct sl_buf q = SL_BUF_INIT, back = SL_BUF_INIT;
	size_t i, start = 0;

	sl_fuzz_check(len > 0, "no empty name");
	sl_fuzz_check(p[0] != '/' && p[len - 1] != '/',
		      "no leading or trailing '/'");
	for (i = 0; i <= len; i++) {
		if (i < len && p[i] != '/')
			continue;
		sl_fuzz_check(i > start, "no empty component");
		sl_fuzz_check(!(i - start == 1 && p[start] == '.') &&
				  !(i - start == 2 && p[start] == '.' &&
				    p[start + 1] == '.'),
			      "no '.' or '..' component");
		start = i + 1;
	}
	sl_buf_add_quoted_path(&q, p, len);
	sl_fuzz_check(sl_text_is_safe(q.buf, q.len), "a quoted name is safe");
	if (q.len != len || memcmp(q.buf, p, len)) {
		sl_fuzz_check(!sl_path_unquote(&back, q.buf, q.len),
			      "a quoted name reads back");
		sl_fuzz_check(back.len == len && !memcmp(back.buf, p, len),
			      "a quoted name reads back as itself");
	}
	sl_buf_release(&q);
	sl_buf_release(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	bool nul;
	size_t i;

	if (!size)
		return 0;
	nul = data[0] & 1;
	if (!sl_change_list_parse(&list, (const char *)data + 1, size - 1,
				  "fuzz", nul, &err)) {
		for (i = 0; i < list.n; i++) {
			const struct sl_change *c = &list.items[i];

			check_name(c->path, c->len);
			if (i) {
				const struct sl_change *p = &list.items[i - 1];
				size_t n = SL_MIN(p->len, c->len);
				int cmp = memcmp(p->path, c->path, n);

				sl_fuzz_check(cmp < 0 ||
						  (cmp == 0 && p->len < c->len),
					      "sorted, without repeats");
			}
		}
	} else {
		sl_fuzz_check(list.n == 0, "a refused list is left empty");
		sl_fuzz_check(err.status == SL_EUSAGE, "a refusal is usage");
	}
	sl_change_list_release(&list);
	sl_error_release(&err);
	return 0;
}
