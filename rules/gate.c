/*
 * gate.c: reading the gates of the rules file: a mapping of names to gates
 * under `global.gates`, a lane's `gates` or its `smoke`, and each gate's
 * fields (SPEC.md §1 "Gates"). Gate names are unique across the whole
 * file because they become CI job names and log file names. Where a gate
 * ends up in struct sl_rules is rules/load.c's business.
 */
#include "common/common.h"

#include "rules/load_internal.h"

#define DEFAULT_TIMEOUT_MS (30ull * 60 * 1000)
/* A week: longer is a typo, and bounds the runner's arithmetic. */
#define MAX_TIMEOUT_MS (7ull * 24 * 60 * 60 * 1000)
#define MAX_RETRIES 10
#define DURATION_WANT "a duration like 90s, 10m or 1h"

static int read_run_list(struct sl_gate *gate, struct sl_loader *ld,
			 uint32_t key, uint32_t value)
{
	const struct sl_ydoc *doc = &ld->doc;
	uint32_t item;
	int ret;

	if (!doc->nodes[value].n)
		return sl_load_error(ld, key,
				     "'run' must name at least the program to "
				     "run; write run: [\"./program\", "
				     "\"argument\"]");
	for (item = value + 1; item < doc->nodes[value].end;
	     item = doc->nodes[item].end) {
		const char *arg;

		ret = sl_load_text(&arg, ld, item, "an entry of 'run'",
				   "a string");
		if (ret)
			return ret;
		if (!gate->argv.n && !*arg)
			return sl_load_error(ld, item,
					     "the program in 'run' must not "
					     "be empty; name the program to "
					     "run");
		sl_strvec_push(&gate->argv, arg);
	}
	return 0;
}

static int read_run(struct sl_loader *ld, uint32_t key, uint32_t value,
		    void *obj)
{
	struct sl_gate *gate = obj;
	const char *text;
	int ret;

	if (ld->doc.nodes[value].type == SL_YSEQ)
		return read_run_list(gate, ld, key, value);
	ret = sl_load_text(&text, ld, value, "'run'",
			   "a command (a string) or a list of arguments");
	if (ret)
		return ret;
	if (!text[strspn(text, " \t\r\n")])
		return sl_load_error(ld, value,
				     "'run' must not be empty; give the "
				     "command to run");
	gate->shell = sl_xstrdup(text);
	return 0;
}

static int read_cwd(struct sl_loader *ld, uint32_t key, uint32_t value,
		    void *obj)
{
	struct sl_gate *gate = obj;
	const char *p;
	int ret;

	(void)key;
	ret = sl_load_string(&gate->cwd, ld, value, "'cwd'");
	if (ret)
		return ret;
	if (gate->cwd[0] == '/')
		return sl_load_error(ld, value,
				     "'cwd' must be relative to the "
				     "repository root, not '%s'; drop the "
				     "leading '/'",
				     sl_load_subject(ld, gate->cwd));
	for (p = gate->cwd; *p; p += strcspn(p, "/"), p += *p == '/') {
		if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2]))
			return sl_load_error(
			    ld, value,
			    "'cwd' must stay inside the repository, but '%s' "
			    "goes up with '..'; name the directory from the "
			    "root",
			    sl_load_subject(ld, gate->cwd));
	}
	return 0;
}

static bool env_name_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (c == '_' || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || (i && c >= '0' && c <= '9'))
			continue;
		return false;
	}
	return i > 0;
}

static int read_env_var(struct sl_gate *gate, struct sl_loader *ld,
			uint32_t key, struct sl_strmap *seen)
{
	uint32_t value = ld->doc.nodes[key].end;
	const char *name, *text;
	uint64_t first;
	int ret;

	ret = sl_load_key(ld, key);
	if (ret)
		return ret;
	name = sl_ydoc_str(&ld->doc, key);
	if (!env_name_valid(name))
		return sl_load_error(ld, key,
				     "'%s' is not a valid environment variable "
				     "name; use letters, digits and '_', not "
				     "starting with a digit",
				     sl_load_subject(ld, name));
	if (!strncmp(name, "SLUICE_", 7))
		return sl_load_error(ld, key,
				     "'%s' is set by sluice itself; choose a "
				     "name that does not start with SLUICE_",
				     sl_load_subject(ld, name));
	first = sl_strmap_put(seen, name, key);
	if (first != key)
		return sl_load_error(ld, key,
				     "duplicate key '%s' (first at line %u); "
				     "keep only one",
				     name, (unsigned)ld->doc.nodes[first].line);
	ret = sl_load_text(&text, ld, value, "'env' value", "a string");
	if (ret)
		return ret;
	gate->env[gate->nenv].name = sl_xstrdup(name);
	gate->env[gate->nenv].value = sl_xstrdup(text);
	gate->nenv++;
	return 0;
}

static int read_env(struct sl_loader *ld, uint32_t key, uint32_t value,
		    void *obj)
{
	const struct sl_ydoc *doc = &ld->doc;
	struct sl_strmap seen = {NULL, 0, 0};
	struct sl_gate *gate = obj;
	uint32_t k;
	int ret = 0;

	(void)key;
	if (sl_ydoc_kind(doc, value) == SL_YK_NULL)
		return 0;
	if (doc->nodes[value].type != SL_YMAP)
		return sl_load_type_error(ld, value, "'env'",
					  "a mapping of NAME: value");
	gate->env = sl_xcalloc(doc->nodes[value].n / 2, sizeof(*gate->env));
	for (k = value + 1; !ret && k < doc->nodes[value].end;
	     k = doc->nodes[doc->nodes[k].end].end)
		ret = read_env_var(gate, ld, k, &seen);
	sl_strmap_release(&seen);
	return ret;
}

static int read_timeout(struct sl_loader *ld, uint32_t key, uint32_t value,
			void *obj)
{
	struct sl_gate *gate = obj;
	enum sl_ykind kind = sl_ydoc_kind(&ld->doc, value);
	const char *text = sl_ydoc_str(&ld->doc, value);

	(void)key;
	if (kind == SL_YK_INT)
		return sl_load_error(ld, value,
				     "'timeout' must be " DURATION_WANT
				     ", not an integer; add a unit: %ss",
				     sl_load_subject(ld, text));
	if (kind != SL_YK_STRING)
		return sl_load_error(
		    ld, value, "'timeout' must be " DURATION_WANT ", not %s",
		    sl_ykind_name(kind));
	if (sl_duration_parse(&gate->timeout_ms, text))
		return sl_load_error(
		    ld, value, "'timeout' must be " DURATION_WANT ", not '%s'",
		    sl_load_subject(ld, text));
	if (gate->timeout_ms > MAX_TIMEOUT_MS)
		return sl_load_error(ld, value,
				     "'timeout' of '%s' is longer than the "
				     "limit of 168h; give a shorter one",
				     sl_load_subject(ld, text));
	return 0;
}

static int read_retries(struct sl_loader *ld, uint32_t key, uint32_t value,
			void *obj)
{
	struct sl_gate *gate = obj;
	uint64_t n;
	int ret;

	(void)key;
	ret = sl_load_uint(&n, ld, value, "'retries'");
	if (ret)
		return ret;
	if (n > MAX_RETRIES)
		return sl_load_error(
		    ld, value,
		    "'retries' must be between 0 and %d, not "
		    "%s; a gate that needs more is broken",
		    MAX_RETRIES,
		    sl_load_subject(ld, sl_ydoc_str(&ld->doc, value)));
	gate->retries = (unsigned)n;
	return 0;
}

static int read_when(struct sl_loader *ld, uint32_t key, uint32_t value,
		     void *obj)
{
	struct sl_gate *gate = obj;
	int ret;

	ret = sl_load_pattern_list(&gate->when, ld, value, "'when'");
	if (ret)
		return ret;
	if (!gate->when.n)
		return sl_load_error(ld, key,
				     "'when' must list at least one pattern; "
				     "remove it to run the gate on any change");
	return 0;
}

static int read_inputs(struct sl_loader *ld, uint32_t key, uint32_t value,
		       void *obj)
{
	struct sl_gate *gate = obj;
	int ret;

	ret = sl_load_pattern_list(&gate->inputs, ld, value, "'inputs'");
	if (ret)
		return ret;
	if (!gate->inputs.n)
		return sl_load_error(ld, key,
				     "'inputs' must list at least one pattern; "
				     "remove it if the gate reads no file "
				     "outside its lane");
	return 0;
}

static int read_overridable(struct sl_loader *ld, uint32_t key, uint32_t value,
			    void *obj)
{
	struct sl_gate *gate = obj;

	(void)key;
	return sl_load_bool(&gate->overridable, ld, value, "'overridable'");
}

static int read_approvers(struct sl_loader *ld, uint32_t key, uint32_t value,
			  void *obj)
{
	struct sl_gate *gate = obj;

	(void)key;
	gate->has_approvers = true;
	return sl_load_string_list(&gate->approvers, ld, value, "'approvers'");
}

static const struct sl_field gate_fields[] = {
    {"run", read_run},
    {"cwd", read_cwd},
    {"env", read_env},
    {"timeout", read_timeout},
    {"retries", read_retries},
    {"when", read_when},
    {"inputs", read_inputs},
    {"overridable", read_overridable},
    {"approvers", read_approvers},
};

void sl_gate_defaults(struct sl_gate *gate, enum sl_gate_kind kind)
{
	memset(gate, 0, sizeof(*gate));
	gate->kind = kind;
	gate->lane = SL_NO_LANE;
	gate->argv = (struct sl_strvec)SL_STRVEC_INIT;
	gate->approvers = (struct sl_strvec)SL_STRVEC_INIT;
	gate->timeout_ms = DEFAULT_TIMEOUT_MS;
	gate->overridable = true;
}

/* A new gate, with the defaults, at the end of the loader's list for kind. */
static struct sl_gate *new_gate(struct sl_loader *ld, enum sl_gate_kind kind)
{
	struct sl_gate *gate;

	if (kind == SL_GATE_CONTRACT) {
		SL_ALLOC_GROW(ld->global_gates, ld->nglobal + 1,
			      ld->global_alloc);
		gate = &ld->global_gates[ld->nglobal++];
	} else {
		SL_ALLOC_GROW(ld->lane_gates, ld->nlane_gates + 1,
			      ld->lane_gates_alloc);
		gate = &ld->lane_gates[ld->nlane_gates++];
	}
	sl_gate_defaults(gate, kind);
	return gate;
}

int sl_load_gate_body(struct sl_loader *ld, uint32_t key, struct sl_gate *gate,
		      const char *name)
{
	const struct sl_ydoc *doc = &ld->doc;
	uint32_t value = doc->nodes[key].end;
	struct sl_buf where = SL_BUF_INIT;
	int ret;

	if (doc->nodes[value].type != SL_YMAP &&
	    sl_ydoc_kind(doc, value) != SL_YK_NULL) {
		sl_buf_addf(&where, "gate '%s'", name);
		ret = sl_load_type_error(ld, value, where.buf,
					 "a mapping such as {run: COMMAND}");
		sl_buf_release(&where);
		return ret;
	}
	gate->name = sl_xstrdup(name);
	gate->pos.line = doc->nodes[key].line;
	gate->pos.col = doc->nodes[key].col;
	sl_buf_adds3(&where, "in gate '", name, "'");
	ret = sl_load_fields(ld, value, gate_fields, SL_ARRAY_SIZE(gate_fields),
			     where.buf, gate);
	sl_buf_release(&where);
	if (!ret && !gate->shell && !gate->argv.n)
		ret = sl_load_error(
		    ld, key, "gate '%s' has no 'run'; add run: COMMAND", name);
	return ret;
}

static int read_gate(struct sl_loader *ld, uint32_t key, enum sl_gate_kind kind,
		     size_t lane)
{
	const struct sl_ydoc *doc = &ld->doc;
	uint32_t first;
	struct sl_gate *gate;
	const char *name;
	int ret;

	ret = sl_load_name(&name, ld, key, "gate");
	if (ret)
		return ret;
	first = (uint32_t)sl_strmap_put(&ld->gate_names, name, key);
	if (first != key)
		return sl_load_error(
		    ld, key,
		    "gate '%s' is already defined at line %u, column %u; gate "
		    "names must be unique across the file: rename one",
		    name, (unsigned)doc->nodes[first].line,
		    (unsigned)doc->nodes[first].col);
	gate = new_gate(ld, kind);
	gate->lane = lane;
	return sl_load_gate_body(ld, key, gate, name);
}

int sl_load_gates(struct sl_loader *ld, uint32_t key, uint32_t value,
		  enum sl_gate_kind kind, size_t lane)
{
	const struct sl_ydoc *doc = &ld->doc;
	struct sl_buf what = SL_BUF_INIT;
	uint32_t k;
	int ret = 0;

	if (sl_ydoc_kind(doc, value) == SL_YK_NULL)
		return 0;
	if (doc->nodes[value].type != SL_YMAP) {
		sl_buf_addf(&what, "'%s'", sl_ydoc_str(doc, key));
		ret = sl_load_type_error(ld, value, what.buf,
					 "a mapping of gate names to gates");
		sl_buf_release(&what);
		return ret;
	}
	for (k = value + 1; !ret && k < doc->nodes[value].end;
	     k = doc->nodes[doc->nodes[k].end].end)
		ret = read_gate(ld, k, kind, lane);
	return ret;
}
