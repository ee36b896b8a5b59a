/*
 * pattern.c: struct sl_pattern, the one type the rest of sluice sees for a
 * pattern of the rules file. It picks the engine ("re:EXPR" goes to
 * regex.c, everything else is a gitignore glob for glob.c), and answers
 * "does this pattern, or this list of rules, match that path?". Ownership
 * (which rule decides a path) is index.c's.
 */
#include "common/common.h"

#include "rules/internal.h"

struct sl_pattern {
	struct sl_glob *glob; /* exactly one of glob and re is set */
	struct sl_regex *re;
};

#define REGEX_PREFIX "re:"

struct sl_pattern *sl_pattern_new_empty(void)
{
	return sl_xcalloc(1, sizeof(struct sl_pattern));
}

int sl_pattern_compile_into(struct sl_pattern *pattern, const char *text,
			    struct sl_error *err)
{
	if (!strncmp(text, REGEX_PREFIX, strlen(REGEX_PREFIX)))
		return sl_regex_compile(&pattern->re,
					text + strlen(REGEX_PREFIX), text, err);
	return sl_glob_compile(&pattern->glob, text, err);
}

int sl_pattern_compile(struct sl_pattern **out, const char *text,
		       struct sl_error *err)
{
	struct sl_pattern *pattern = sl_pattern_new_empty();
	int ret = sl_pattern_compile_into(pattern, text, err);

	*out = NULL;
	if (ret) {
		sl_pattern_free(pattern);
		return ret;
	}
	*out = pattern;
	return 0;
}

void sl_pattern_free(struct sl_pattern *pattern)
{
	if (!pattern)
		return;
	sl_glob_free(pattern->glob);
	sl_regex_free(pattern->re);
	free(pattern);
}

int sl_pattern_match(const struct sl_pattern *pattern, const char *path,
		     size_t len, unsigned flags, struct sl_error *err)
{
	if (pattern->re)
		return sl_regex_match(pattern->re, path, len, err);
	return sl_glob_match(pattern->glob, path, len, flags);
}

/* The first rule of list that matches path: 1 (*out set), 0 or SL_ERULES. */
static int first_match(const struct sl_rule **out,
		       const struct sl_rule_list *list, const char *path,
		       size_t len, unsigned flags, struct sl_error *err)
{
	size_t i;
	int ret;

	for (i = 0; i < list->n; i++) {
		ret = sl_pattern_match(list->items[i].pattern, path, len, flags,
				       err);
		if (ret > 0)
			*out = &list->items[i];
		if (ret)
			return ret;
	}
	return 0;
}

int sl_rule_list_match(const struct sl_rule_list *list, const char *path,
		       size_t len, unsigned flags, struct sl_error *err)
{
	const struct sl_rule *rule;

	return first_match(&rule, list, path, len, flags, err);
}

int sl_rules_cover(struct sl_cover *out, const struct sl_rules *rules,
		   const char *path, size_t len, unsigned flags,
		   struct sl_error *err)
{
	size_t i;
	int ret;

	memset(out, 0, sizeof(*out));
	ret =
	    first_match(&out->rule, &rules->run_all_on, path, len, flags, err);
	if (ret > 0)
		out->kind = SL_COVER_RUN_ALL;
	for (i = 0; !ret && i < rules->ngates; i++) {
		ret = first_match(&out->rule, &rules->gates[i].inputs, path,
				  len, flags, err);
		if (ret > 0) {
			out->kind = SL_COVER_GATE_INPUTS;
			out->index = i;
		}
	}
	for (i = 0; !ret && i < rules->nlanes; i++) {
		ret = first_match(&out->rule, &rules->lanes[i].inputs, path,
				  len, flags, err);
		if (ret > 0) {
			out->kind = SL_COVER_LANE_INPUTS;
			out->index = i;
		}
	}
	return ret < 0 ? ret : 0;
}

void sl_pattern_index_key(const struct sl_pattern *pattern,
			  struct sl_index_key *out)
{
	if (pattern->glob) {
		sl_glob_index_key(pattern->glob, out);
		return;
	}
	out->kind = SL_KEY_ALWAYS;
	out->key = NULL;
	out->len = 0;
}
