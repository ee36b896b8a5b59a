/*
 * load.c: the rules file as a whole (SPEC.md §1): reading it within its
 * size limit, checking its version first (a newer file is "unsupported",
 * not a heap of unknown keys), the top-level keys, `global`, the lanes and
 * their `consumes` graph (unknown lanes, cycles), and assembling struct
 * sl_rules in file order before the ownership index is built over it. The
 * whole file is validated before anything is returned; the first error
 * found is the one reported. YAML is rules/yaml.c's, typed values and
 * messages rules/schema.c's, gates rules/gate.c's.
 */
#include "common/common.h"

#include "rules/internal.h"
#include "rules/load_internal.h"

/* ---- top-level scalars ----------------------------------------------- */

static int read_version(struct sl_loader *ld, uint32_t key, uint32_t value,
			void *obj)
{
	/* check_version() has read it already, before anything else. */
	(void)ld;
	(void)key;
	(void)value;
	(void)obj;
	return 0;
}

/* What goes before item i of n in "a, b or c". */
static const char *separator(size_t i, size_t n)
{
	if (i == 0)
		return "";
	return i + 1 < n ? ", " : " or ";
}

/* Reads one of choices[] (n of them) into *out as its index. */
static int read_choice(unsigned *out, struct sl_loader *ld, uint32_t node,
		       const char *what, const char *const *choices, size_t n)
{
	struct sl_buf want = SL_BUF_INIT;
	const char *text = sl_ydoc_str(&ld->doc, node), *close;
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		if (sl_ydoc_kind(&ld->doc, node) == SL_YK_STRING &&
		    !strcmp(text, choices[i])) {
			*out = (unsigned)i;
			return 0;
		}
	}
	for (i = 0; i < n; i++)
		sl_buf_addf(&want, "%s%s", separator(i, n), choices[i]);
	if (sl_ydoc_kind(&ld->doc, node) != SL_YK_STRING) {
		ret = sl_load_type_error(ld, node, what, want.buf);
	} else {
		close = sl_suggest(text, choices, n);
		ret = sl_load_error(ld, node, "%s must be %s, not '%s'%s%s%s",
				    what, want.buf, sl_load_subject(ld, text),
				    close ? "; did you mean '" : "",
				    close ? close : "", close ? "'?" : "");
	}
	sl_buf_release(&want);
	return ret;
}

static int read_unowned(struct sl_loader *ld, uint32_t key, uint32_t value,
			void *obj)
{
	static const char *const choices[] = {"run-all", "global-only", "fail"};
	struct sl_rules *rules = obj;
	unsigned i = 0; /* set on success; GCC -O3 cannot tell */
	int ret;

	(void)key;
	ret = read_choice(&i, ld, value, "'unowned'", choices,
			  SL_ARRAY_SIZE(choices));
	if (!ret)
		rules->unowned = i == 0	  ? SL_UNOWNED_RUN_ALL
				 : i == 1 ? SL_UNOWNED_GLOBAL_ONLY
					  : SL_UNOWNED_FAIL;
	return ret;
}

static int read_consumers(struct sl_loader *ld, uint32_t key, uint32_t value,
			  void *obj)
{
	static const char *const choices[] = {"transitive", "direct"};
	struct sl_rules *rules = obj;
	unsigned i = 0; /* set on success; GCC -O3 cannot tell */
	int ret;

	(void)key;
	ret = read_choice(&i, ld, value, "'consumers'", choices,
			  SL_ARRAY_SIZE(choices));
	if (!ret)
		rules->consumers =
		    i == 0 ? SL_CONSUMERS_TRANSITIVE : SL_CONSUMERS_DIRECT;
	return ret;
}

static int read_run_all_on(struct sl_loader *ld, uint32_t key, uint32_t value,
			   void *obj)
{
	struct sl_rules *rules = obj;

	(void)key;
	return sl_load_pattern_list(&rules->run_all_on, ld, value,
				    "'run_all_on'");
}

/* Prefix of a `ledger` shared through git (SPEC.md §6). */
#define LEDGER_GIT_PREFIX "git:"

/*
 * Why name is not a name git accepts for a ref (git check-ref-format's
 * rules), or NULL when it is one.
 */
static const char *refname_problem(const char *name)
{
	const char *c, *part = name;

	if (!*name || *name == '/' || name[strlen(name) - 1] == '/')
		return "it starts or ends with '/'";
	if (name[strlen(name) - 1] == '.')
		return "it ends with '.'";
	if (!strcmp(name, "@") || strstr(name, "@{"))
		return "it holds '@{' or is '@'";
	if (strstr(name, "..") || strstr(name, "//"))
		return "it holds '..' or '//'";
	for (c = name; *c; c++) {
		unsigned char u = (unsigned char)*c;

		if (u < 0x20 || u == 0x7f || strchr(" ~^:?*[\\", u))
			return "it holds a space, a control character or one "
			       "of ~ ^ : ? * [ \\";
	}
	for (c = name;; c++) {
		if (*c && *c != '/')
			continue;
		if (*part == '.')
			return "a part of it starts with '.'";
		if (c - part >= 5 && !strncmp(c - 5, ".lock", 5))
			return "a part of it ends with '.lock'";
		if (!*c)
			break;
		part = c + 1;
	}
	return NULL;
}

static int read_ledger(struct sl_loader *ld, uint32_t key, uint32_t value,
		       void *obj)
{
	struct sl_rules *rules = obj;
	const char *ref, *why;
	int ret;

	(void)key;
	ret = sl_load_string(&rules->ledger, ld, value, "'ledger'");
	if (ret)
		return ret;
	rules->ledger_pos.line = ld->doc.nodes[value].line;
	rules->ledger_pos.col = ld->doc.nodes[value].col;
	if (strncmp(rules->ledger, LEDGER_GIT_PREFIX,
		    strlen(LEDGER_GIT_PREFIX)))
		return 0;
	ref = rules->ledger + strlen(LEDGER_GIT_PREFIX);
	if (strncmp(ref, "refs/", 5) || !ref[5])
		return sl_load_error(ld, value,
				     "'ledger' '%s' names no full ref: write "
				     "git:refs/..., e.g. "
				     "'git:refs/heads/sluice-ledger'",
				     sl_load_subject(ld, rules->ledger));
	why = refname_problem(ref);
	if (why)
		return sl_load_error(ld, value,
				     "'ledger' '%s' is not a ref name git "
				     "accepts: %s",
				     sl_load_subject(ld, rules->ledger), why);
	rules->ledger_ref = sl_xstrdup(ref);
	return 0;
}

static int read_ledger_remote(struct sl_loader *ld, uint32_t key,
			      uint32_t value, void *obj)
{
	struct sl_rules *rules = obj;
	struct sl_buf ref = SL_BUF_INIT;
	const char *why;
	int ret;

	(void)key;
	ret =
	    sl_load_string(&rules->ledger_remote, ld, value, "'ledger_remote'");
	if (ret)
		return ret;
	ld->ledger_remote_node = value;
	/* git's own test: NAME is a remote's name when refs/remotes/NAME/x
	 * is a ref name (a URL is not: give the remote a name). */
	sl_buf_addf(&ref, "refs/remotes/%s/x", rules->ledger_remote);
	why = *rules->ledger_remote == '-' ? "it starts with '-'"
					   : refname_problem(ref.buf);
	sl_buf_release(&ref);
	if (why)
		return sl_load_error(ld, value,
				     "'ledger_remote' '%s' is not a remote's "
				     "name (%s): name the remote, as 'git "
				     "remote' lists it",
				     sl_load_subject(ld, rules->ledger_remote),
				     why);
	return 0;
}

/* A remote for a ledger that is not shared would silently do nothing. */
static int check_ledger_remote(struct sl_loader *ld)
{
	if (!ld->ledger_remote_node || ld->rules->ledger_ref)
		return 0;
	return sl_load_error(ld, ld->ledger_remote_node,
			     "'ledger_remote' names the remote of a shared "
			     "ledger, but 'ledger' is %s: write 'ledger: "
			     "git:REF' to share it, or remove 'ledger_remote'",
			     ld->rules->ledger ? "a local file"
					       : "not set (a local file)");
}

static int read_allowed_signers(struct sl_loader *ld, uint32_t key,
				uint32_t value, void *obj)
{
	struct sl_rules *rules = obj;

	(void)key;
	return sl_load_string(&rules->allowed_signers, ld, value,
			      "'allowed_signers'");
}

/* ---- global ---------------------------------------------------------- */

static int read_global_approvers(struct sl_loader *ld, uint32_t key,
				 uint32_t value, void *obj)
{
	struct sl_rules *rules = obj;

	(void)key;
	return sl_load_string_list(&rules->global_approvers, ld, value,
				   "'approvers'");
}

static int read_global_gates(struct sl_loader *ld, uint32_t key, uint32_t value,
			     void *obj)
{
	(void)obj;
	return sl_load_gates(ld, key, value, SL_GATE_CONTRACT, SL_NO_LANE);
}

static const struct sl_field global_fields[] = {
    {"approvers", read_global_approvers},
    {"gates", read_global_gates},
};

static int read_global(struct sl_loader *ld, uint32_t key, uint32_t value,
		       void *obj)
{
	(void)key;
	if (ld->doc.nodes[value].type != SL_YMAP &&
	    sl_ydoc_kind(&ld->doc, value) != SL_YK_NULL)
		return sl_load_type_error(ld, value, "'global'",
					  "a mapping with approvers and gates");
	return sl_load_fields(ld, value, global_fields,
			      SL_ARRAY_SIZE(global_fields), "in 'global'", obj);
}

/* ---- a lane ---------------------------------------------------------- */

static size_t lane_index(const struct sl_loader *ld, const struct sl_lane *l)
{
	return (size_t)(l - ld->rules->lanes);
}

static int read_owners(struct sl_loader *ld, uint32_t key, uint32_t value,
		       void *obj)
{
	struct sl_lane *lane = obj;

	(void)key;
	return sl_load_string_list(&lane->owners, ld, value, "'owners'");
}

static int read_paths(struct sl_loader *ld, uint32_t key, uint32_t value,
		      void *obj)
{
	struct sl_rule_list *list = &ld->rules->rules;
	struct sl_lane *lane = obj;
	uint32_t item;
	size_t n;
	int ret;

	(void)key;
	ret = sl_load_list(&n, ld, value, "'paths'", "a list of patterns");
	for (item = value + 1; !ret && n && item < ld->doc.nodes[value].end;
	     item = ld->doc.nodes[item].end) {
		struct sl_rule *rule;

		SL_ALLOC_GROW(list->items, list->n + 1, ld->rules_alloc);
		rule = &list->items[list->n++];
		memset(rule, 0, sizeof(*rule));
		ret = sl_load_pattern(rule, ld, item, "an entry of 'paths'");
		rule->lane = lane_index(ld, lane);
		lane->nrules++;
	}
	return ret;
}

static int unknown_lane(struct sl_loader *ld, uint32_t item,
			const struct sl_lane *lane, const char *name)
{
	const char *close = sl_suggest(name, ld->lane_list, ld->nlane_list);

	if (close)
		return sl_load_error(
		    ld, item,
		    "lane '%s' consumes unknown lane '%s'; did "
		    "you mean '%s'?",
		    lane->name, sl_load_subject(ld, name), close);
	return sl_load_error(ld, item,
			     "lane '%s' consumes unknown lane '%s'; define it "
			     "under 'lanes', or remove it",
			     lane->name, sl_load_subject(ld, name));
}

static int read_consumes_entry(struct sl_loader *ld, struct sl_lane *lane,
			       uint32_t item)
{
	size_t self = lane_index(ld, lane);
	const char *name;
	uint64_t other;
	int ret;

	ret = sl_load_text(&name, ld, item, "an entry of 'consumes'",
			   "a lane name");
	if (ret)
		return ret;
	other = sl_strmap_get(&ld->lane_names, name);
	if (other == UINT64_MAX && ld->has_workspaces) {
		/* Perhaps a derived lane: sl_rules_derive() will tell. */
		if (sl_strvec_has(&lane->later, name))
			return sl_load_error(ld, item,
					     "lane '%s' is listed twice in "
					     "'consumes'; remove one",
					     sl_load_subject(ld, name));
		lane->later_pos = sl_xrealloc(
		    lane->later_pos,
		    sl_st_mult(lane->later.n + 1, sizeof(*lane->later_pos)));
		lane->later_at = sl_xrealloc(
		    lane->later_at,
		    sl_st_mult(lane->later.n + 1, sizeof(*lane->later_at)));
		lane->later_at[lane->later.n] = lane->nconsumes;
		lane->later_pos[lane->later.n].line = ld->doc.nodes[item].line;
		lane->later_pos[lane->later.n].col = ld->doc.nodes[item].col;
		sl_strvec_push(&lane->later, name);
		return 0;
	}
	if (other == UINT64_MAX)
		return unknown_lane(ld, item, lane, name);
	if (ld->stamp[other] == self + 1)
		return sl_load_error(ld, item,
				     "lane '%s' is listed twice in 'consumes'; "
				     "remove one",
				     sl_load_subject(ld, name));
	ld->stamp[other] = self + 1;
	ld->consumes_nodes[self][lane->nconsumes] = item;
	lane->consumes[lane->nconsumes++] = (size_t)other;
	return 0;
}

static int read_consumes(struct sl_loader *ld, uint32_t key, uint32_t value,
			 void *obj)
{
	struct sl_lane *lane = obj;
	uint32_t item;
	size_t n;
	int ret;

	(void)key;
	ret = sl_load_list(&n, ld, value, "'consumes'", "a list of lane names");
	if (ret || !n)
		return ret;
	lane->consumes = sl_xcalloc(n, sizeof(*lane->consumes));
	ld->consumes_nodes[lane_index(ld, lane)] =
	    sl_xcalloc(n, sizeof(**ld->consumes_nodes));
	for (item = value + 1; !ret && item < ld->doc.nodes[value].end;
	     item = ld->doc.nodes[item].end)
		ret = read_consumes_entry(ld, lane, item);
	return ret;
}

static int read_lane_gates(struct sl_loader *ld, uint32_t key, uint32_t value,
			   void *obj)
{
	return sl_load_gates(ld, key, value, SL_GATE_LOCAL,
			     lane_index(ld, obj));
}

static int read_lane_smoke(struct sl_loader *ld, uint32_t key, uint32_t value,
			   void *obj)
{
	return sl_load_gates(ld, key, value, SL_GATE_SMOKE,
			     lane_index(ld, obj));
}

static int read_lane_inputs(struct sl_loader *ld, uint32_t key, uint32_t value,
			    void *obj)
{
	struct sl_lane *lane = obj;
	int ret;

	ret = sl_load_pattern_list(&lane->inputs, ld, value, "'inputs'");
	if (ret)
		return ret;
	if (!lane->inputs.n)
		return sl_load_error(ld, key,
				     "'inputs' must list at least one pattern; "
				     "remove it if the lane reads no file "
				     "outside its paths");
	return 0;
}

static const struct sl_field lane_fields[] = {
    {"owners", read_owners},	 {"paths", read_paths},
    {"consumes", read_consumes}, {"inputs", read_lane_inputs},
    {"gates", read_lane_gates},	 {"smoke", read_lane_smoke},
};

static int read_lane(struct sl_loader *ld, uint32_t key)
{
	struct sl_rules *rules = ld->rules;
	uint32_t value = ld->doc.nodes[key].end;
	struct sl_buf where = SL_BUF_INIT;
	struct sl_lane *lane;
	const char *name;
	uint64_t first;
	int ret;

	ret = sl_load_name(&name, ld, key, "lane");
	if (ret)
		return ret;
	first = sl_strmap_get(&ld->lane_names, name);
	if (first != rules->nlanes)
		return sl_load_error(ld, key,
				     "duplicate lane '%s' (first at line %u); "
				     "keep only one",
				     name, rules->lanes[first].pos.line);
	lane = &rules->lanes[rules->nlanes++];
	lane->name = sl_xstrdup(name);
	lane->owners = (struct sl_strvec)SL_STRVEC_INIT;
	lane->first_rule = rules->rules.n;
	lane->pos.line = ld->doc.nodes[key].line;
	lane->pos.col = ld->doc.nodes[key].col;
	if (ld->doc.nodes[value].type != SL_YMAP &&
	    sl_ydoc_kind(&ld->doc, value) != SL_YK_NULL) {
		sl_buf_addf(&where, "lane '%s'", name);
		ret = sl_load_type_error(ld, value, where.buf,
					 "a mapping of owners, paths, "
					 "consumes, inputs, gates and smoke");
	} else {
		sl_buf_adds3(&where, "in lane '", name, "'");
		ret =
		    sl_load_fields(ld, value, lane_fields,
				   SL_ARRAY_SIZE(lane_fields), where.buf, lane);
	}
	sl_buf_release(&where);
	return ret;
}

/* ---- lanes and their consumes graph ---------------------------------- */

/*
 * Every lane name first, so that `consumes` may name a lane written later
 * and a typo can be told apart from a forward reference.
 */
static void collect_lane_names(struct sl_loader *ld, uint32_t value)
{
	const struct sl_ydoc *doc = &ld->doc;
	size_t count = 0;
	uint32_t k;

	for (k = value + 1; k < doc->nodes[value].end;
	     k = doc->nodes[doc->nodes[k].end].end) {
		const char *name = sl_ydoc_str(doc, k);

		if (doc->nodes[k].type != SL_YSCALAR ||
		    sl_ydoc_kind(doc, k) == SL_YK_NULL)
			continue;
		if (sl_strmap_put(&ld->lane_names, name, count) == count)
			ld->lane_list[count++] = name;
	}
	ld->nlane_list = count;
}

static int read_lanes(struct sl_loader *ld, uint32_t key, uint32_t value,
		      void *obj)
{
	const struct sl_ydoc *doc = &ld->doc;
	size_t n = doc->nodes[value].n / 2;
	uint32_t k;
	int ret = 0;

	(void)key;
	(void)obj;
	if (sl_ydoc_kind(doc, value) == SL_YK_NULL)
		return 0;
	if (doc->nodes[value].type != SL_YMAP)
		return sl_load_type_error(ld, value, "'lanes'",
					  "a mapping of lane names to lanes");
	ld->rules->lanes = sl_xcalloc(n, sizeof(*ld->rules->lanes));
	ld->lane_list = sl_xcalloc(n, sizeof(*ld->lane_list));
	ld->consumes_nodes = sl_xcalloc(n, sizeof(*ld->consumes_nodes));
	ld->stamp = sl_xcalloc(n, sizeof(*ld->stamp));
	ld->nconsumes_nodes = n;
	collect_lane_names(ld, value);
	for (k = value + 1; !ret && k < doc->nodes[value].end;
	     k = doc->nodes[doc->nodes[k].end].end)
		ret = read_lane(ld, k);
	return ret;
}

struct frame {
	size_t lane;
	size_t edge; /* the next of its consumes to follow */
};

/* frames[from..top] is a cycle: name it in full, from its earliest lane. */
static int cycle_error(struct sl_loader *ld, const struct frame *frames,
		       size_t from, size_t top)
{
	const struct sl_lane *lanes = ld->rules->lanes;
	size_t len = top - from + 1, first = from, i;
	struct sl_buf path = SL_BUF_INIT;
	uint32_t node;
	int ret;

	for (i = from; i <= top; i++)
		if (frames[i].lane < frames[first].lane)
			first = i;
	for (i = 0; i < len; i++)
		sl_buf_addf(
		    &path, "%s -> ",
		    lanes[frames[from + (first - from + i) % len].lane].name);
	sl_buf_adds(&path, lanes[frames[first].lane].name);
	node = ld->consumes_nodes[frames[first].lane][frames[first].edge - 1];
	ret = sl_load_error(ld, node,
			    "'consumes' makes a cycle: %s; a lane cannot "
			    "consume itself, directly or through other lanes: "
			    "remove one of these entries",
			    path.buf);
	sl_buf_release(&path);
	return ret;
}

/*
 * Depth-first search over the consumes graph in file order, with its own
 * stack: a chain of thousands of lanes must not exhaust the C stack.
 */
static int check_cycles(struct sl_loader *ld)
{
	const struct sl_rules *rules = ld->rules;
	size_t n = rules->nlanes, s, top;
	unsigned char *color = sl_xcalloc(n, 1); /* 0 new, 1 open, 2 done */
	size_t *depth_of = sl_xcalloc(n, sizeof(*depth_of));
	struct frame *frames = sl_xcalloc(n, sizeof(*frames));
	int ret = 0;

	for (s = 0; !ret && s < n; s++) {
		if (color[s])
			continue;
		top = 0;
		frames[0].lane = s;
		frames[0].edge = 0;
		color[s] = 1;
		for (;;) {
			struct frame *f = &frames[top];
			const struct sl_lane *lane = &rules->lanes[f->lane];
			size_t next;

			if (f->edge == lane->nconsumes) {
				color[f->lane] = 2;
				if (!top--)
					break;
				continue;
			}
			next = lane->consumes[f->edge++];
			if (color[next] == 1) {
				ret = cycle_error(ld, frames, depth_of[next],
						  top);
				break;
			}
			if (color[next])
				continue;
			color[next] = 1;
			depth_of[next] = ++top;
			frames[top].lane = next;
			frames[top].edge = 0;
		}
	}
	free(color);
	free(depth_of);
	free(frames);
	return ret;
}

/* ---- the file -------------------------------------------------------- */

static const struct sl_field top_fields[] = {
    {"version", read_version},
    {"run_all_on", read_run_all_on},
    {"unowned", read_unowned},
    {"consumers", read_consumers},
    {"ledger", read_ledger},
    {"ledger_remote", read_ledger_remote},
    {"allowed_signers", read_allowed_signers},
    {"global", read_global},
    {"lanes", read_lanes},
    {"workspaces", sl_load_workspaces},
};

/* The version decides what the rest means, so it is checked first. */
static int check_version(struct sl_loader *ld)
{
	const struct sl_ydoc *doc = &ld->doc;
	uint32_t k;
	uint64_t v;
	int ret;

	for (k = 1; k < doc->nodes[0].end;
	     k = doc->nodes[doc->nodes[k].end].end)
		if (doc->nodes[k].type == SL_YSCALAR &&
		    !strcmp(sl_ydoc_str(doc, k), "version"))
			break;
	if (k >= doc->nodes[0].end)
		return sl_load_error(ld, 0,
				     "missing 'version'; add 'version: 1' at "
				     "the top of the file");
	k = doc->nodes[k].end;
	ret = sl_load_uint(&v, ld, k, "'version'");
	if (ret)
		return ret;
	if (v != 1)
		return sl_load_error(ld, k,
				     "unsupported version %s; this sluice "
				     "reads version 1: write 'version: 1', or "
				     "upgrade sluice",
				     sl_load_subject(ld, sl_ydoc_str(doc, k)));
	ld->rules->version = 1;
	return 0;
}

/* Does the top level have the key name? */
static bool has_key(const struct sl_ydoc *doc, const char *name)
{
	uint32_t k;

	for (k = 1; k < doc->nodes[0].end;
	     k = doc->nodes[doc->nodes[k].end].end)
		if (doc->nodes[k].type == SL_YSCALAR &&
		    !strcmp(sl_ydoc_str(doc, k), name))
			return true;
	return false;
}

static int check_document(struct sl_loader *ld, const char *data, size_t len)
{
	int ret;

	ret = sl_ydoc_parse(&ld->doc, ld->file, data, len, ld->err);
	if (ret)
		return ret;
	if (!ld->doc.nnodes || sl_ydoc_kind(&ld->doc, 0) == SL_YK_NULL)
		return sl_error_set(ld->err, SL_ERULES,
				    "%s:1:1: the rules file is empty; it needs "
				    "at least 'version: 1'",
				    ld->file);
	if (ld->doc.nodes[0].type != SL_YMAP)
		return sl_load_type_error(ld, 0, "the top level",
					  "a mapping of keys such as "
					  "'version: 1'");
	ret = check_version(ld);
	ld->has_workspaces = has_key(&ld->doc, "workspaces");
	if (!ret)
		ret =
		    sl_load_fields(ld, 0, top_fields, SL_ARRAY_SIZE(top_fields),
				   "at the top level", ld->rules);
	if (!ret)
		ret = check_ledger_remote(ld);
	if (!ret)
		ret = check_cycles(ld);
	return ret;
}

/* Global gates first, then the lanes' gates, each in file order. */
static void take_gates(struct sl_loader *ld)
{
	struct sl_rules *rules = ld->rules;

	rules->ngates = ld->nglobal + ld->nlane_gates;
	rules->gates = sl_xcalloc(rules->ngates, sizeof(*rules->gates));
	if (ld->nglobal)
		memcpy(rules->gates, ld->global_gates,
		       ld->nglobal * sizeof(*rules->gates));
	if (ld->nlane_gates)
		memcpy(rules->gates + ld->nglobal, ld->lane_gates,
		       ld->nlane_gates * sizeof(*rules->gates));
	ld->nglobal = 0;
	ld->nlane_gates = 0;
}

static void loader_release(struct sl_loader *ld)
{
	size_t i;

	for (i = 0; i < ld->nglobal; i++)
		sl_gate_release(&ld->global_gates[i]);
	for (i = 0; i < ld->nlane_gates; i++)
		sl_gate_release(&ld->lane_gates[i]);
	free(ld->global_gates);
	free(ld->lane_gates);
	for (i = 0; i < ld->nconsumes_nodes; i++)
		free(ld->consumes_nodes[i]);
	free(ld->consumes_nodes);
	free(ld->lane_list);
	free(ld->stamp);
	sl_strmap_release(&ld->lane_names);
	sl_strmap_release(&ld->gate_names);
	for (i = 0; i < SL_ARRAY_SIZE(ld->subject); i++)
		sl_buf_release(&ld->subject[i]);
	sl_ydoc_release(&ld->doc);
}

static struct sl_rules *rules_new(const char *name)
{
	struct sl_rules *rules = sl_xcalloc(1, sizeof(*rules));

	rules->file = sl_xstrdup(name);
	rules->global_approvers = (struct sl_strvec)SL_STRVEC_INIT;
	rules->unowned = SL_UNOWNED_RUN_ALL;
	rules->consumers = SL_CONSUMERS_TRANSITIVE;
	return rules;
}

/* The patterns are compiled in this many jobs: a serving thread takes
 * them from the first, this one from the last, until they meet. */
#define COMPILE_JOBS 8
/* Fewer patterns take less time than waking a thread for them. */
#define COMPILE_APART 256

struct compile_job {
	struct sl_offer_job job;
	struct sl_pending_pattern *items;
	size_t n;
};

static void compile_some(void *arg)
{
	struct compile_job *c = arg;
	size_t i;

	for (i = 0; i < c->n; i++) {
		struct sl_pending_pattern *p = &c->items[i];

		p->ret = sl_pattern_compile_into(p->pattern, p->text, &p->err);
	}
}

/*
 * Compiles the patterns the file's read met, in jobs offered to ld's
 * offer; returns the first one that failed, in the order met, as the
 * error it would have been where it was met. Every one was met before any
 * other mistake the read stopped at, so it comes first in the file.
 */
static int compile_pending(struct sl_loader *ld)
{
	struct compile_job jobs[COMPILE_JOBS];
	size_t i, at = 0, n = ld->npending;
	struct sl_offer *offer = n >= COMPILE_APART ? ld->offer : NULL;
	int ret = 0;

	for (i = 0; i < COMPILE_JOBS; i++) {
		size_t share = n / COMPILE_JOBS + (i < n % COMPILE_JOBS);

		jobs[i] = (struct compile_job){
		    .job = {.run = compile_some, .arg = &jobs[i]},
		    .items = ld->pending + at,
		    .n = share};
		at += share;
		sl_offer_post(offer, &jobs[i].job);
	}
	for (i = COMPILE_JOBS; i-- > 0;)
		sl_offer_join(offer, &jobs[i].job);
	for (i = 0; i < n; i++) {
		struct sl_pending_pattern *p = &ld->pending[i];

		if (p->ret && !ret)
			ret = sl_load_pattern_error(ld, p->pos, &p->err);
		sl_error_release(&p->err);
	}
	free(ld->pending);
	ld->pending = NULL;
	ld->npending = 0;
	return ret;
}

int sl_rules_load_buffer(struct sl_rules **out, const char *name,
			 const char *data, size_t len, struct sl_error *err)
{
	return sl_rules_load_offered(out, name, data, len, NULL, err);
}

int sl_rules_load_offered(struct sl_rules **out, const char *name,
			  const char *data, size_t len, struct sl_offer *offer,
			  struct sl_error *err)
{
	struct sl_loader ld;
	size_t i;
	int ret;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.file = name;
	ld.err = err;
	ld.doc = (struct sl_ydoc)SL_YDOC_INIT;
	for (i = 0; i < SL_ARRAY_SIZE(ld.subject); i++)
		ld.subject[i] = (struct sl_buf)SL_BUF_INIT;
	if (len > SL_RULES_MAX_BYTES)
		return sl_error_set(err, SL_ERULES,
				    "%s:1:1: the rules file is larger than the "
				    "limit of 4 MiB (%zu bytes); split out "
				    "what does not belong in it",
				    name, len);
	ld.rules = rules_new(name);
	ld.offer = offer;
	ret = check_document(&ld, data, len);
	if (ld.npending) {
		int compiled = compile_pending(&ld);

		ret = compiled ? compiled : ret;
	}
	if (!ret) {
		take_gates(&ld);
		sl_owner_index_build(&ld.rules->index, &ld.rules->rules);
		*out = ld.rules;
		ld.rules = NULL;
	}
	loader_release(&ld);
	sl_rules_free(ld.rules);
	return ret;
}

int sl_rules_load_file(struct sl_rules **out, const char *path,
		       struct sl_error *err)
{
	struct sl_error read_err = SL_ERROR_INIT;
	struct sl_buf sb = SL_BUF_INIT;
	int ret;

	*out = NULL;
	ret = sl_buf_read_regular(&sb, path, SL_RULES_MAX_BYTES, false,
				  &read_err);
	if (ret == SL_EUSAGE) {
		ret = sl_error_set(err, SL_ERULES,
				   "%s:1:1: the rules file is larger than the "
				   "limit of 4 MiB; split out what does not "
				   "belong in it",
				   path);
	} else if (ret) {
		ret = sl_error_set(err, read_err.status, "%s",
				   sl_error_message(&read_err));
	} else {
		ret = sl_rules_load_buffer(out, path, sb.buf, sb.len, err);
	}
	sl_buf_release(&sb);
	sl_error_release(&read_err);
	return ret;
}
