/* cmd_owners.c: placeholder until the rules land (replaced wholesale). */
#include "common/common.h"

#include "cli/cli.h"
#include "rules/rules.h"

int cmd_owners(int argc, char **argv, const struct cli_globals *g)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *rules;
	int ret;

	(void)argc;
	(void)argv;
	ret = sl_rules_load_file(
	    &rules, g->rules_file ? g->rules_file : "sluice.yml", &err);
	if (ret)
		ret = cli_fail(&err);
	sl_rules_free(rules);
	sl_error_release(&err);
	return ret;
}
