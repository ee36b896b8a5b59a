/*
 * coverage_drift.c: the rules held against a CODEOWNERS file. It loads
 * the file through the CODEOWNERS converter (sl_codeowners_convert(), whose
 * rules give every path the owners the host gives it, and which says the
 * CODEOWNERS line of each), and lists the tracked paths whose owner sets
 * differ. What the converter makes of each line is codeowners*.c's;
 * the deciding rules of the sluice rules come from sl_check_tree().
 */
#include "common/common.h"

#include "rules/coverage_internal.h"

/* ---- loading ------------------------------------------------------------ */

/* The CODEOWNERS line of each converted ownership rule (the converter's
 * rule_lines); 0 when it does not say. */
static unsigned *map_lines(const struct sl_codeowners_result *res,
			   const struct sl_rules *rules)
{
	unsigned *lines = sl_xcalloc(rules->rules.n + 1, sizeof(*lines));

	if (res->rule_lines && res->nrule_lines == rules->rules.n)
		memcpy(lines, res->rule_lines, rules->rules.n * sizeof(*lines));
	return lines;
}

int sl_codeowners_rules_load(struct sl_codeowners_rules *out,
			     const char *source, const char *text, size_t len,
			     struct sl_error *err)
{
	struct sl_codeowners_options opts = SL_CODEOWNERS_OPTIONS_INIT;
	struct sl_codeowners_result res = SL_CODEOWNERS_RESULT_INIT;
	struct sl_buf name = SL_BUF_INIT;
	int ret;

	memset(out, 0, sizeof(*out));
	out->warnings = (struct sl_strvec)SL_STRVEC_INIT;
	opts.source = source;
	ret = sl_codeowners_convert(&res, text, len, &opts, err);
	if (ret)
		goto out;
	sl_buf_addf(&name, "%s (converted)", source);
	ret = sl_rules_load_buffer(&out->rules, name.buf, res.yaml.buf,
				   res.yaml.len, err);
	if (ret)
		goto out;
	out->lines = map_lines(&res, out->rules);
	out->source = sl_xstrdup(source);
	out->flavor = res.flavor;
	out->warnings = res.warnings;
	res.warnings = (struct sl_strvec)SL_STRVEC_INIT;
out:
	sl_codeowners_result_release(&res);
	sl_buf_release(&name);
	return ret;
}

void sl_codeowners_rules_release(struct sl_codeowners_rules *co)
{
	free(co->source);
	sl_rules_free(co->rules);
	free(co->lines);
	sl_strvec_release(&co->warnings);
	memset(co, 0, sizeof(*co));
	co->warnings = (struct sl_strvec)SL_STRVEC_INIT;
}

/* ---- comparing ---------------------------------------------------------- */

static int cmp_owner(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An owner set as one string: owners in ASCII lower case, sorted, each
 * once, each after its length. "" for none. */
static char *owner_key(const struct sl_strvec *owners)
{
	struct sl_buf key = SL_BUF_INIT;
	char **v = sl_xmalloc(sl_st_mult(owners->n + 1, sizeof(*v)));
	size_t i;
	char *p;

	for (i = 0; i < owners->n; i++) {
		v[i] = sl_xstrdup(owners->v[i]);
		for (p = v[i]; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	}
	qsort(v, owners->n, sizeof(*v), cmp_owner);
	for (i = 0; i < owners->n; i++)
		if (!i || strcmp(v[i], v[i - 1]))
			sl_buf_addf(&key, "%zu:%s", strlen(v[i]), v[i]);
	for (i = 0; i < owners->n; i++)
		free(v[i]);
	free(v);
	return sl_buf_detach(&key, NULL);
}

/* Each lane's owner_key(), and "" for no lane at index nlanes. */
static char **lane_keys(const struct sl_rules *rules)
{
	char **keys = sl_xcalloc(rules->nlanes + 1, sizeof(*keys));
	size_t i;

	for (i = 0; i < rules->nlanes; i++)
		keys[i] = owner_key(&rules->lanes[i].owners);
	keys[rules->nlanes] = sl_xstrdup("");
	return keys;
}

static void free_keys(char **keys, size_t n)
{
	size_t i;

	for (i = 0; i <= n; i++)
		free(keys[i]);
	free(keys);
}

static size_t lane_or_none(const struct sl_rules *rules,
			   const struct sl_rule *rule)
{
	return rule && rule->lane < rules->nlanes ? rule->lane : rules->nlanes;
}

static void add_drift(struct sl_check_report *report,
		      const struct sl_codeowners_rules *co, size_t path,
		      const struct sl_rule *rule, const struct sl_rule *co_rule)
{
	struct sl_check_drift *d;

	SL_ALLOC_GROW(report->drift, report->ndrift + 1, report->alloc_drift);
	d = &report->drift[report->ndrift++];
	d->path = path;
	d->rule = rule;
	d->co_rule = co_rule;
	d->co_line = co_rule ? co->lines[co_rule - co->rules->rules.items] : 0;
}

static int compare(struct sl_check_report *report, const struct sl_rules *rules,
		   const struct sl_codeowners_rules *co,
		   const struct sl_check_path *paths, size_t n,
		   struct sl_error *err)
{
	char **keys = lane_keys(rules), **co_keys = lane_keys(co->rules);
	const struct sl_rule *co_rule;
	size_t i, a, b;
	int ret = 0;

	for (i = 0; i < n; i++) {
		ret = sl_rules_owner(&co_rule, co->rules, paths[i].path,
				     paths[i].len, paths[i].flags, err);
		if (ret)
			break;
		a = lane_or_none(rules, report->owner[i]);
		b = lane_or_none(co->rules, co_rule);
		if (strcmp(keys[a], co_keys[b]))
			add_drift(report, co, i, report->owner[i], co_rule);
	}
	free_keys(keys, rules->nlanes);
	free_keys(co_keys, co->rules->nlanes);
	return ret;
}

/* A converter warning "SOURCE:LINE: what", as a finding at that line. */
static void add_warning(struct sl_check_report *report,
			const struct sl_codeowners_rules *co, const char *w)
{
	size_t slen = strlen(co->source);
	const char *p = w + slen + 1;
	unsigned long line = 0;
	struct sl_finding *f;

	if (strncmp(w, co->source, slen) || w[slen] != ':' || *p < '0' ||
	    *p > '9') {
		sl_cov_add(report, SL_FINDING_CODEOWNERS, SL_SEVERITY_WARNING,
			   "%s", w);
		return;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		if (line < UINT_MAX / 10)
			line = line * 10 + (unsigned long)(*p - '0');
	if (*p == ':')
		p++;
	while (*p == ' ')
		p++;
	f = sl_cov_add(report, SL_FINDING_CODEOWNERS, SL_SEVERITY_WARNING, "%s",
		       p);
	f->file = co->source;
	f->pos.line = (unsigned)line;
}

int sl_check_codeowners(struct sl_check_report *report,
			const struct sl_rules *rules,
			const struct sl_codeowners_rules *co,
			const struct sl_check_path *paths, size_t n,
			struct sl_error *err)
{
	size_t i;
	int ret;

	ret = compare(report, rules, co, paths, n, err);
	if (ret)
		return ret;
	for (i = 0; i < co->warnings.n; i++)
		add_warning(report, co, co->warnings.v[i]);
	if (report->ndrift)
		sl_cov_add(report, SL_FINDING_DRIFT, SL_SEVERITY_ERROR,
			   "%zu of %zu tracked files %s other owners in %s "
			   "than in %s; change one file so that they agree",
			   report->ndrift, n,
			   report->ndrift == 1 ? "has" : "have", co->source,
			   rules->file);
	return 0;
}
