/*
 * fuzz_rules.c: the rules loader (rules/load.c, yaml.c, schema.c, the
 * patterns) on any bytes, and then, for a file that loads, the ownership
 * index against the scan of every rule: both must give every path the
 * same rule. The input is the rules file up to its first NUL byte (a rules
 * file never holds one); the NUL-separated names after it are the paths
 * to ask about, besides a fixed set.
 */
#include "tests/fuzz/fuzz.h"

#include "rules/rules.h"

static const char *const fixed_paths[] = {
    "a",
    "a/b",
    "a/b/c.c",
    "api/v1/x.proto",
    "docs/x.md",
    "x.md",
    "b/a",
    "services/billing/api.c",
    "apps/web/w.js",
    "sluice.yml",
    ".github/CODEOWNERS",
    "a/b/c/d/e/f/g",
    "A",
    "a.b",
    "-",
    "[x]",
    "\xc3\xa9",
    "x/\xff/y",
};

static void same_owner(const struct sl_rules *rules, const char *path,
		       size_t len)
{
	struct sl_error err = SL_ERROR_INIT;
	const struct sl_rule *a = NULL, *b = NULL;
	unsigned flags;

	for (flags = 0; flags <= SL_MATCH_DIR; flags += SL_MATCH_DIR) {
		int ra = sl_rules_owner(&a, rules, path, len, flags, &err);
		int rb = sl_rules_owner_scan(&b, rules, path, len, flags, &err);

		/* A match limit is an error for both, never "no owner". */
		sl_fuzz_check(ra == rb, "index and scan fail alike");
		sl_fuzz_check(ra || a == b,
			      "the index gives the rule the scan gives");
		sl_error_reset(&err);
	}
	sl_error_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t len = nul ? (size_t)(nul - text) : size;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules = NULL;
	size_t i;

	if (!sl_rules_load_buffer(&rules, "fuzz.yml", text, len, &err)) {
		for (i = 0; i < SL_ARRAY_SIZE(fixed_paths); i++)
			same_owner(rules, fixed_paths[i],
				   strlen(fixed_paths[i]));
		for (i = len + 1; nul && i < size;) {
			const char *end = memchr(text + i, '\0', size - i);
			size_t n = end ? (size_t)(end - (text + i)) : size - i;

			if (n)
				same_owner(rules, text + i, n);
			i += n + 1;
		}
	} else {
		sl_fuzz_check(err.status == SL_ERULES ||
				  err.status == SL_EUSAGE,
			      "a refused rules file is a rules error");
		sl_fuzz_check(*sl_error_message(&err), "a refusal says why");
	}
	sl_rules_free(rules);
	sl_error_release(&err);
	return 0;
}
