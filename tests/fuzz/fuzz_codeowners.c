/*
 * fuzz_codeowners.c: the CODEOWNERS converter (rules/codeowners*.c) on any
 * bytes, for each flavour; whatever it writes must load as a rules file
 * (the converter checks that itself and calls a failure a bug: here it
 * aborts). The first byte picks the flavour.
 */
#include "tests/fuzz/fuzz.h"

#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum sl_codeowners_flavor flavors[] = {
	    SL_CODEOWNERS_AUTO, SL_CODEOWNERS_GITHUB, SL_CODEOWNERS_GITLAB};
	struct sl_codeowners_options opts = SL_CODEOWNERS_OPTIONS_INIT;
	struct sl_codeowners_result res = SL_CODEOWNERS_RESULT_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;

	if (!size)
		return 0;
	opts.flavor = flavors[data[0] % SL_ARRAY_SIZE(flavors)];
	if (!sl_codeowners_convert(&res, (const char *)data + 1, size - 1,
				   &opts, &err)) {
		int ret = sl_rules_load_buffer(
		    &rules, "imported.yml", res.yaml.buf, res.yaml.len, &err);

		if (ret)
			fprintf(stderr, "fuzz: %s\n", sl_error_message(&err));
		sl_fuzz_check(!ret, "the converter's output loads");
		sl_fuzz_check(res.flavor != SL_CODEOWNERS_AUTO,
			      "a flavour is decided");
	} else {
		sl_fuzz_check(!strstr(sl_error_message(&err), "a bug in"),
			      "the converter's output loads (its own check)");
	}
	sl_rules_free(rules);
	sl_codeowners_result_release(&res);
	sl_error_release(&err);
	return 0;
}
