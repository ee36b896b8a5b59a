/*
 * fuzz_override_doc.c: the ledger's import document (`override import`:
 * gates/override_doc.c) on any bytes. A document it takes is written back
 * and read again: the same document, the same text.
 */
#include "tests/fuzz/fuzz.h"

#include "gates/gates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_override_doc a = SL_OVERRIDE_DOC_INIT;
	struct sl_override_doc b = SL_OVERRIDE_DOC_INIT;
	struct sl_buf one = SL_BUF_INIT, two = SL_BUF_INIT;
	struct sl_error err = SL_ERROR_INIT;

	if (!sl_override_doc_parse(&a, (const char *)data, size, &err)) {
		sl_override_doc_write(&one, &a);
		sl_fuzz_check(
		    !sl_override_doc_parse(&b, one.buf, one.len, &err),
		    "what sluice writes, it reads back");
		sl_override_doc_write(&two, &b);
		sl_fuzz_check(one.len == two.len &&
				  !memcmp(one.buf, two.buf, one.len),
			      "a round trip changes nothing");
	} else {
		sl_fuzz_check(*sl_error_message(&err), "a refusal says why");
	}
	sl_override_doc_release(&a);
	sl_override_doc_release(&b);
	sl_buf_release(&one);
	sl_buf_release(&two);
	sl_error_release(&err);
	return 0;
}
