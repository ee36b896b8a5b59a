/*
 * ws_rules.c: the `workspaces` key of the rules file (SPEC.md §7;
 * docs/rules.md, "workspaces"): a list of entries, each with its kind,
 * root, owners, and the gate templates every lane it derives gets. A
 * template's name must become a valid gate name once {lane}, {path} and
 * {name} are filled in, and no other {...} may appear where those can.
 * Instantiating them is rules/ws_derive.c's, once the manifests are read.
 */
#include "common/common.h"

#include "rules/load_internal.h"

/* The placeholders a template may use. */
static const char *const holes[] = {"{lane}", "{path}", "{name}"};

/* The first "{...}" of text that is not a placeholder, or NULL. */
static const char *bad_hole(const char *text)
{
	const char *c = text;
	size_t i;

	while ((c = strchr(c, '{')) != NULL) {
		bool ok = false;

		for (i = 0; i < SL_ARRAY_SIZE(holes) && !ok; i++)
			ok = !strncmp(c, holes[i], strlen(holes[i]));
		if (!ok && strchr(c, '}'))
			return c;
		c++;
	}
	return NULL;
}

/* text with each placeholder as "x": what the name checks see. */
static char *filled(const char *text)
{
	struct sl_buf sb = SL_BUF_INIT;
	const char *c = text;

	while (*c) {
		size_t i;
		bool hit = false;

		for (i = 0; i < SL_ARRAY_SIZE(holes) && !hit; i++) {
			size_t n = strlen(holes[i]);

			if (!strncmp(c, holes[i], n)) {
				sl_buf_addch(&sb, 'x');
				c += n;
				hit = true;
			}
		}
		if (!hit)
			sl_buf_addch(&sb, *c++);
	}
	return sl_buf_detach(&sb, NULL);
}

static int hole_error(struct sl_loader *ld, uint32_t node, const char *text,
		      const char *at)
{
	return sl_load_error(ld, node,
			     "'%s' has '%.*s', which is not one of {lane}, "
			     "{path} and {name}",
			     sl_load_subject(ld, text),
			     (int)(strchr(at, '}') - at + 1), at);
}

/* Checks the gate's run, cwd and env for unknown placeholders. */
static int check_holes(struct sl_loader *ld, uint32_t key,
		       const struct sl_gate *g)
{
	const char *at;
	size_t i;

	if (g->shell && (at = bad_hole(g->shell)) != NULL)
		return hole_error(ld, key, g->shell, at);
	for (i = 0; i < g->argv.n; i++)
		if ((at = bad_hole(g->argv.v[i])) != NULL)
			return hole_error(ld, key, g->argv.v[i], at);
	if (g->cwd && (at = bad_hole(g->cwd)) != NULL)
		return hole_error(ld, key, g->cwd, at);
	for (i = 0; i < g->nenv; i++)
		if ((at = bad_hole(g->env[i].value)) != NULL)
			return hole_error(ld, key, g->env[i].value, at);
	return 0;
}

static int read_template(struct sl_loader *ld, uint32_t key,
			 struct sl_ws_rule *w, enum sl_gate_kind kind)
{
	const char *text, *at;
	struct sl_gate *g;
	char *x;
	size_t i;
	int ret = sl_load_key(ld, key);

	if (ret)
		return ret;
	text = sl_ydoc_str(&ld->doc, key);
	at = bad_hole(text);
	if (at)
		return hole_error(ld, key, text, at);
	for (i = 0; i < w->ngates; i++)
		if (!strcmp(w->gates[i].name, text))
			return sl_load_error(ld, key,
					     "gate template '%s' is written "
					     "twice in this workspace; keep "
					     "only one",
					     sl_load_subject(ld, text));
	/* The name, filled in, must be a gate name: check it so. */
	x = filled(text);
	ret = sl_load_name_text(ld, key, x, "gate");
	free(x);
	if (ret)
		return ret;
	w->gates =
	    sl_xrealloc(w->gates, sl_st_mult(w->ngates + 1, sizeof(*w->gates)));
	g = &w->gates[w->ngates++];
	sl_gate_defaults(g, kind);
	ret = sl_load_gate_body(ld, key, g, text);
	return ret ? ret : check_holes(ld, key, g);
}

static int read_templates(struct sl_loader *ld, uint32_t value,
			  struct sl_ws_rule *w, enum sl_gate_kind kind,
			  const char *what)
{
	const struct sl_ydoc *doc = &ld->doc;
	uint32_t k;
	int ret = 0;

	if (sl_ydoc_kind(doc, value) == SL_YK_NULL)
		return 0;
	if (doc->nodes[value].type != SL_YMAP)
		return sl_load_type_error(ld, value, what,
					  "a mapping of gate names to gates");
	for (k = value + 1; !ret && k < doc->nodes[value].end;
	     k = doc->nodes[doc->nodes[k].end].end)
		ret = read_template(ld, k, w, kind);
	return ret;
}

static int read_kind(struct sl_loader *ld, uint32_t key, uint32_t value,
		     void *obj)
{
	struct sl_ws_rule *w = obj;
	const char *text = sl_ydoc_str(&ld->doc, value);
	static const char *const kinds[] = {"npm", "pnpm", "go"};
	const char *close;

	(void)key;
	if (sl_ydoc_kind(&ld->doc, value) == SL_YK_STRING &&
	    !sl_ws_kind_parse(&w->kind, text))
		return 0;
	if (sl_ydoc_kind(&ld->doc, value) != SL_YK_STRING)
		return sl_load_type_error(ld, value, "'kind'",
					  "npm, pnpm or go");
	close = sl_suggest(text, kinds, SL_ARRAY_SIZE(kinds));
	return sl_load_error(ld, value,
			     "'kind' must be npm, pnpm or go, not "
			     "'%s'%s%s%s",
			     sl_load_subject(ld, text),
			     close ? "; did you mean '" : "",
			     close ? close : "", close ? "'?" : "");
}

static int read_root(struct sl_loader *ld, uint32_t key, uint32_t value,
		     void *obj)
{
	struct sl_ws_rule *w = obj;
	char *root = NULL;
	const char *c;
	int ret;

	(void)key;
	ret = sl_load_string(&root, ld, value, "'root'");
	if (ret)
		return ret;
	if (root[0] == '/')
		ret = sl_load_error(ld, value,
				    "'root' must be relative to the repository "
				    "root, not '%s'; drop the leading '/'",
				    sl_load_subject(ld, root));
	for (c = root; !ret && *c;) {
		size_t n = strcspn(c, "/");

		if (n == 2 && !memcmp(c, "..", 2))
			ret = sl_load_error(ld, value,
					    "'root' must stay inside the "
					    "repository, but '%s' goes up "
					    "with '..'",
					    sl_load_subject(ld, root));
		c += n + (c[n] == '/');
	}
	if (!ret) {
		/* "." and "./x/" name what "" and "x" do. */
		size_t n = strlen(root);

		while (n && root[n - 1] == '/')
			root[--n] = '\0';
		free(w->root);
		if (!strcmp(root, "."))
			w->root = sl_xstrdup("");
		else
			w->root = sl_xstrdup(root +
					     (!strncmp(root, "./", 2) ? 2 : 0));
	}
	free(root);
	return ret;
}

static int read_ws_owners(struct sl_loader *ld, uint32_t key, uint32_t value,
			  void *obj)
{
	struct sl_ws_rule *w = obj;

	(void)key;
	return sl_load_string_list(&w->owners, ld, value, "'owners'");
}

static int read_ws_gates(struct sl_loader *ld, uint32_t key, uint32_t value,
			 void *obj)
{
	(void)key;
	return read_templates(ld, value, obj, SL_GATE_LOCAL, "'gates'");
}

static int read_ws_smoke(struct sl_loader *ld, uint32_t key, uint32_t value,
			 void *obj)
{
	(void)key;
	return read_templates(ld, value, obj, SL_GATE_SMOKE, "'smoke'");
}

static const struct sl_field ws_fields[] = {
    {"kind", read_kind},	{"root", read_root},
    {"owners", read_ws_owners}, {"gates", read_ws_gates},
    {"smoke", read_ws_smoke},
};

static int read_entry(struct sl_loader *ld, uint32_t item)
{
	struct sl_rules *rules = ld->rules;
	struct sl_ws_rule *w;
	int ret;

	if (ld->doc.nodes[item].type != SL_YMAP)
		return sl_load_type_error(ld, item, "an entry of 'workspaces'",
					  "a mapping such as {kind: npm}");
	w = &rules->workspaces[rules->nworkspaces++];
	memset(w, 0, sizeof(*w));
	w->owners = (struct sl_strvec)SL_STRVEC_INIT;
	w->root = sl_xstrdup("");
	w->kind = (enum sl_ws_kind) - 1;
	w->pos.line = ld->doc.nodes[item].line;
	w->pos.col = ld->doc.nodes[item].col;
	ret = sl_load_fields(ld, item, ws_fields, SL_ARRAY_SIZE(ws_fields),
			     "in a workspace", w);
	if (!ret && w->kind == (enum sl_ws_kind) - 1)
		ret = sl_load_error(ld, item,
				    "a workspace needs a 'kind': npm, pnpm or "
				    "go");
	return ret;
}

int sl_load_workspaces(struct sl_loader *ld, uint32_t key, uint32_t value,
		       void *obj)
{
	struct sl_rules *rules = obj;
	uint32_t item;
	size_t n;
	int ret;

	(void)key;
	ret = sl_load_list(&n, ld, value, "'workspaces'",
			   "a list of workspaces such as [{kind: npm}]");
	if (ret || !n)
		return ret;
	rules->workspaces = sl_xcalloc(n, sizeof(*rules->workspaces));
	for (item = value + 1; !ret && item < ld->doc.nodes[value].end;
	     item = ld->doc.nodes[item].end)
		ret = read_entry(ld, item);
	return ret;
}

void sl_ws_rule_release(struct sl_ws_rule *w)
{
	size_t i;

	free(w->root);
	sl_strvec_release(&w->owners);
	for (i = 0; i < w->ngates; i++)
		sl_gate_release(&w->gates[i]);
	free(w->gates);
}
