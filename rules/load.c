/* load.c: placeholder until the loader lands (replaced wholesale). */
#include "common/common.h"

#include "rules/rules.h"

int sl_rules_load_file(struct sl_rules **out, const char *path,
		       struct sl_error *err)
{
	*out = NULL;
	return sl_error_set(err, SL_ERULES, "%s: loader not built yet", path);
}

void sl_rules_free(struct sl_rules *rules)
{
	free(rules);
}
