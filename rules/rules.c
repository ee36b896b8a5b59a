/*
 * rules.c: what a loaded struct sl_rules offers besides its fields: freeing
 * it, looking gates and lanes up by name, the names of gate kinds, and
 * durations ("90s", "10m", "1h"). Loading is rules/load.c's; patterns and
 * the ownership index are rules/pattern*.c's and rules/index*.c's.
 */
#include "common/common.h"

#include "rules/load_internal.h"

void sl_rule_list_release(struct sl_rule_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		free(list->items[i].text);
		if (list->items[i].pattern)
			sl_pattern_free(list->items[i].pattern);
	}
	free(list->items);
	list->items = NULL;
	list->n = 0;
}

void sl_gate_release(struct sl_gate *gate)
{
	size_t i;

	free(gate->name);
	free(gate->shell);
	sl_strvec_release(&gate->argv);
	free(gate->cwd);
	for (i = 0; i < gate->nenv; i++) {
		free(gate->env[i].name);
		free(gate->env[i].value);
	}
	free(gate->env);
	sl_rule_list_release(&gate->when);
	sl_rule_list_release(&gate->inputs);
	sl_strvec_release(&gate->approvers);
	memset(gate, 0, sizeof(*gate));
}

void sl_lane_release(struct sl_lane *lane)
{
	free(lane->name);
	sl_strvec_release(&lane->owners);
	free(lane->consumes);
	sl_rule_list_release(&lane->inputs);
	free(lane->manifest);
	sl_strvec_release(&lane->later);
	free(lane->later_pos);
	free(lane->later_at);
}

void sl_rules_rename(struct sl_rules *rules, const char *name)
{
	free(rules->file);
	rules->file = sl_xstrdup(name);
}

void sl_rules_free(struct sl_rules *rules)
{
	size_t i;

	if (!rules)
		return;
	if (rules->index)
		sl_owner_index_free(rules->index);
	free(rules->file);
	sl_rule_list_release(&rules->run_all_on);
	free(rules->ledger);
	free(rules->ledger_ref);
	free(rules->ledger_remote);
	free(rules->allowed_signers);
	sl_strvec_release(&rules->global_approvers);
	for (i = 0; i < rules->nlanes; i++)
		sl_lane_release(&rules->lanes[i]);
	free(rules->lanes);
	for (i = 0; i < rules->ngates; i++)
		sl_gate_release(&rules->gates[i]);
	free(rules->gates);
	sl_rule_list_release(&rules->rules);
	for (i = 0; i < rules->nworkspaces; i++)
		sl_ws_rule_release(&rules->workspaces[i]);
	free(rules->workspaces);
	free(rules);
}

const struct sl_gate *sl_rules_gate(const struct sl_rules *rules,
				    const char *name)
{
	size_t i;

	for (i = 0; i < rules->ngates; i++)
		if (!strcmp(rules->gates[i].name, name))
			return &rules->gates[i];
	return NULL;
}

const struct sl_lane *sl_rules_lane(const struct sl_rules *rules,
				    const char *name)
{
	size_t i;

	for (i = 0; i < rules->nlanes; i++)
		if (!strcmp(rules->lanes[i].name, name))
			return &rules->lanes[i];
	return NULL;
}

const char *sl_gate_kind_name(enum sl_gate_kind kind)
{
	switch (kind) {
	case SL_GATE_CONTRACT:
		return "contract";
	case SL_GATE_LOCAL:
		return "local";
	case SL_GATE_SMOKE:
		return "smoke";
	}
	return "unknown";
}

int sl_duration_parse(uint64_t *out_ms, const char *text)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = {
	    {"ms", 1},
	    {"s", 1000},
	    {"m", 60 * 1000},
	    {"h", 60 * 60 * 1000},
	};
	uint64_t n = 0;
	size_t i;

	if (*text < '0' || *text > '9')
		return -1;
	for (; *text >= '0' && *text <= '9'; text++) {
		unsigned d = (unsigned)(*text - '0');

		if (n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	if (!n)
		return -1;
	for (i = 0; i < SL_ARRAY_SIZE(units); i++) {
		if (strcmp(text, units[i].unit))
			continue;
		if (n > UINT64_MAX / units[i].ms)
			return -1;
		*out_ms = n * units[i].ms;
		return 0;
	}
	return -1;
}
