/*
 * results.c: a run's record (struct sl_results): its verdict, the
 * sluice.results/1 JSON that `run --json` writes and `merge` and
 * `repro --results` read back, the merge of a fanned-out run's shards, and
 * the log tails the other formats quote. JUnit and markdown live in
 * results_junit.c and results_markdown.c.
 */
#include "common/common.h"

#include <fcntl.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gates/gates.h"

void sl_results_init(struct sl_results *results)
{
	memset(results, 0, sizeof(*results));
	results->selected = (struct sl_strvec)SL_STRVEC_INIT;
}

static void gate_result_release(struct sl_gate_result *g)
{
	free(g->name);
	free(g->kind);
	free(g->lane);
	free(g->log);
	free(g->log_incomplete);
	free(g->error);
	sl_strvec_release(&g->reasons);
	free(g->override.requested_by);
	free(g->override.approved_by);
	free(g->override.reason);
	free(g->override.commit);
	free(g->override_note);
	free(g->same_run_as);
}

void sl_results_release(struct sl_results *results)
{
	size_t i;

	for (i = 0; i < results->n; i++)
		gate_result_release(&results->gates[i]);
	free(results->gates);
	free(results->base);
	free(results->head);
	free(results->merge_base);
	free(results->rules_blob);
	free(results->run_id);
	sl_strvec_release(&results->selected);
	sl_results_init(results);
}

struct sl_gate_result *sl_results_add(struct sl_results *results)
{
	struct sl_gate_result *g;

	SL_ALLOC_GROW(results->gates, results->n + 1, results->alloc);
	g = &results->gates[results->n++];
	memset(g, 0, sizeof(*g));
	g->exit_code = -1;
	g->reasons = (struct sl_strvec)SL_STRVEC_INIT;
	return g;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The gates' names, sorted, for bsearch(): a merge of 100,000 gates must
 * not ask each selected name of every result. Caller frees. */
static const char **sorted_names(const struct sl_results *r)
{
	const char **v = sl_xcalloc(r->n + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < r->n; i++)
		v[i] = r->gates[i].name;
	qsort(v, r->n, sizeof(*v), cmp_name);
	return v;
}

void sl_results_not_run(struct sl_strvec *out, const struct sl_results *results)
{
	const char **names = sorted_names(results);
	size_t i;

	for (i = 0; i < results->selected.n; i++)
		if (!bsearch(&results->selected.v[i], names, results->n,
			     sizeof(*names), cmp_name))
			sl_strvec_push(out, results->selected.v[i]);
	free(names);
}

bool sl_results_pass(const struct sl_results *results, const char **why)
{
	struct sl_strvec missing = SL_STRVEC_INIT;
	size_t i;
	bool none;

	sl_results_not_run(&missing, results);
	none = !missing.n || results->shard;
	sl_strvec_release(&missing);
	if (!none) {
		if (why)
			*why = "a selected gate has no result";
		return false;
	}
	for (i = 0; i < results->n; i++) {
		enum sl_job_status st = results->gates[i].status;

		if (st != SL_JOB_PASSED && st != SL_JOB_OVERRIDDEN) {
			if (why)
				*why = "a gate did not pass";
			return false;
		}
	}
	return true;
}

/* ---- writing JSON ----------------------------------------------------- */

/*
 * Written as it streams, not as a jansson tree (common/json_writer.c: the
 * same text): a merge of 100,000 gates would build and free a million
 * values for one write.
 */
static void add_strvec(struct sl_json_writer *w, const char *key,
		       const struct sl_strvec *sv)
{
	size_t i;

	sl_jw_key(w, key);
	sl_jw_array(w);
	for (i = 0; i < sv->n; i++)
		sl_jw_str(w, sv->v[i]);
	sl_jw_end(w, ']');
}

static void add_override(struct sl_json_writer *w,
			 const struct sl_result_override *ov)
{
	struct sl_buf when = SL_BUF_INIT;

	sl_override_time_format(&when, ov->expires_at);
	sl_jw_object(w);
	sl_jw_key(w, "id");
	sl_jw_int(w, ov->id);
	sl_jw_key(w, "requested_by");
	sl_jw_str(w, ov->requested_by);
	sl_jw_key(w, "approved_by");
	sl_jw_str(w, ov->approved_by);
	sl_jw_key(w, "reason");
	sl_jw_str(w, ov->reason);
	sl_jw_key(w, "expires_at");
	sl_jw_str(w, when.buf);
	if (ov->commit) {
		sl_jw_key(w, "commit");
		sl_jw_str(w, ov->commit);
		sl_jw_key(w, "commit_role");
		sl_jw_str(w, ov->merged ? "second_parent" : "head");
	}
	sl_jw_end(w, '}');
	sl_buf_release(&when);
}

static void add_int_or_null(struct sl_json_writer *w, const char *key, bool set,
			    int64_t v)
{
	sl_jw_key(w, key);
	if (set)
		sl_jw_int(w, v);
	else
		sl_jw_null(w);
}

static void add_gate(struct sl_json_writer *w, const struct sl_gate_result *g)
{
	sl_jw_object(w);
	sl_jw_key(w, "name");
	sl_jw_str(w, g->name);
	sl_jw_key(w, "kind");
	sl_jw_str(w, g->kind);
	sl_jw_key(w, "lane");
	sl_jw_str(w, g->lane);
	sl_jw_key(w, "status");
	sl_jw_str(w, sl_job_status_name(g->status));
	add_int_or_null(w, "exit_code", g->exit_code >= 0, g->exit_code);
	add_int_or_null(w, "signal", g->signal != 0, g->signal);
	add_int_or_null(w, "duration_ms", true, (int64_t)g->duration_ms);
	add_int_or_null(w, "attempts", true, g->attempts);
	sl_jw_key(w, "flaky");
	sl_jw_bool(w, g->flaky);
	if (g->log) {
		sl_jw_path(w, "log", g->log, strlen(g->log));
	} else {
		sl_jw_key(w, "log");
		sl_jw_null(w);
	}
	if (g->log_incomplete) {
		sl_jw_key(w, "log_incomplete");
		sl_jw_str(w, g->log_incomplete);
	}
	sl_jw_key(w, "error");
	sl_jw_str(w, g->error);
	add_strvec(w, "reasons", &g->reasons);
	sl_jw_key(w, "override");
	if (g->has_override)
		add_override(w, &g->override);
	else
		sl_jw_null(w);
	if (g->override_note) {
		sl_jw_key(w, "override_note");
		sl_jw_str(w, g->override_note);
	}
	if (g->same_run_as) {
		sl_jw_key(w, "same_run_as");
		sl_jw_str(w, g->same_run_as);
	}
	sl_jw_end(w, '}');
}

void sl_results_write_json(struct sl_buf *out, const struct sl_results *results)
{
	struct sl_json_writer w;
	struct sl_strvec not_run = SL_STRVEC_INIT;
	const char *why;
	size_t i;

	sl_jw_init(&w, out);
	sl_jw_object(&w);
	sl_jw_key(&w, "schema");
	sl_jw_str(&w, SL_RESULTS_SCHEMA);
	sl_jw_key(&w, "base");
	sl_jw_str(&w, results->base);
	sl_jw_key(&w, "head");
	sl_jw_str(&w, results->head);
	sl_jw_key(&w, "merge_base");
	sl_jw_str(&w, results->merge_base);
	sl_jw_key(&w, "rules_blob");
	sl_jw_str(&w, results->rules_blob);
	sl_jw_key(&w, "run_id");
	sl_jw_str(&w, results->run_id);
	sl_jw_key(&w, "verdict");
	sl_jw_str(&w, sl_results_pass(results, &why) ? "pass" : "fail");
	sl_jw_key(&w, "degraded");
	sl_jw_bool(&w, results->degraded);
	sl_jw_key(&w, "rules_changed");
	sl_jw_bool(&w, results->rules_changed);
	sl_jw_key(&w, "shard");
	sl_jw_bool(&w, results->shard);
	add_strvec(&w, "selected", &results->selected);
	sl_results_not_run(&not_run, results);
	add_strvec(&w, "not_run", &not_run);
	sl_strvec_release(&not_run);
	sl_jw_key(&w, "gates");
	sl_jw_array(&w);
	for (i = 0; i < results->n; i++)
		add_gate(&w, &results->gates[i]);
	sl_jw_end(&w, ']');
	sl_jw_end(&w, '}');
}

/* ---- reading JSON ----------------------------------------------------- */

struct reader {
	const char *name;
	struct sl_error *err;
	int ret;
	const char *gate; /* the gate being read, once its name is */
};

static int bad_field(struct reader *rd, const char *where, const char *what)
{
	if (!rd->ret && rd->gate)
		rd->ret = sl_error_set(rd->err, SL_EUSAGE,
				       "'%s' is not sluice results: gate '%s': "
				       "%s %s",
				       rd->name, rd->gate, where, what);
	else if (!rd->ret)
		rd->ret = sl_error_set(rd->err, SL_EUSAGE,
				       "'%s' is not sluice results: %s %s",
				       rd->name, where, what);
	return rd->ret;
}

/* A string field, or NULL when null; a wrong type is an error. */
static char *get_string(struct reader *rd, const json_t *obj, const char *key,
			bool required)
{
	const json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		return sl_xmemdupz(json_string_value(v), json_string_length(v));
	if ((!v || json_is_null(v)) && !required)
		return NULL;
	bad_field(rd, key, "must be a string");
	return NULL;
}

/*
 * A field every results file sluice writes has. Missing, the file was made
 * or cut by something else, and no default is safe: an empty `selected`
 * would hide a lost shard from merge.
 */
static void missing_field(struct reader *rd, const char *key)
{
	bad_field(rd, key,
		  "is missing; use the file 'sluice run --json' wrote, "
		  "unedited");
}

static void get_strvec(struct reader *rd, struct sl_strvec *out,
		       const json_t *obj, const char *key, bool required)
{
	const json_t *arr = json_object_get(obj, key), *v;
	size_t i;

	if (!arr) {
		if (required)
			missing_field(rd, key);
		return;
	}
	if (!json_is_array(arr)) {
		bad_field(rd, key, "must be a list of strings");
		return;
	}
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v)) {
			bad_field(rd, key, "must be a list of strings");
			return;
		}
		sl_strvec_push(out, json_string_value(v));
	}
}

/* A required true or false. */
static bool get_bool(struct reader *rd, const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (!v)
		missing_field(rd, key);
	else if (!json_is_boolean(v))
		bad_field(rd, key, "must be true or false");
	return json_is_true(v);
}

static int parse_status(enum sl_job_status *out, const char *name)
{
	int st;

	for (st = SL_JOB_PENDING; st <= SL_JOB_OVERRIDDEN; st++) {
		if (!strcmp(sl_job_status_name((enum sl_job_status)st), name)) {
			*out = (enum sl_job_status)st;
			return 0;
		}
	}
	return -1;
}

static void read_override(struct reader *rd, struct sl_gate_result *g,
			  const json_t *obj)
{
	char *expires, *role;

	if (!obj || json_is_null(obj))
		return;
	if (!json_is_object(obj) ||
	    !json_is_integer(json_object_get(obj, "id"))) {
		bad_field(rd, "override", "must be an object with an id");
		return;
	}
	g->has_override = true;
	g->override.id = json_integer_value(json_object_get(obj, "id"));
	g->override.requested_by = get_string(rd, obj, "requested_by", false);
	g->override.approved_by = get_string(rd, obj, "approved_by", false);
	g->override.reason = get_string(rd, obj, "reason", false);
	expires = get_string(rd, obj, "expires_at", false);
	if (expires && sl_override_time_parse(&g->override.expires_at, expires))
		bad_field(rd, "override.expires_at", "must be a UTC time");
	free(expires);
	g->override.commit = get_string(rd, obj, "commit", false);
	role = get_string(rd, obj, "commit_role", false);
	if (role && strcmp(role, "head") && strcmp(role, "second_parent"))
		bad_field(rd, "override.commit_role",
			  "must be \"head\" or \"second_parent\"");
	g->override.merged = role && !strcmp(role, "second_parent");
	free(role);
}

static int get_int(struct reader *rd, const json_t *obj, const char *key,
		   json_int_t dflt, json_int_t min)
{
	const json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return (int)dflt;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > INT_MAX)
		return bad_field(rd, key, "must be a non-negative integer"), 0;
	return (int)json_integer_value(v);
}

static uint64_t get_duration(struct reader *rd, const json_t *obj)
{
	const json_t *v = json_object_get(obj, "duration_ms");

	if (!v) {
		missing_field(rd, "duration_ms");
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		bad_field(rd, "duration_ms", "must be a non-negative integer");
		return 0;
	}
	return (uint64_t)json_integer_value(v);
}

/* The log's path (null: none), with its raw bytes when not UTF-8. */
static char *get_log(struct reader *rd, const json_t *obj)
{
	const json_t *v = json_object_get(obj, "log");
	struct sl_buf log = SL_BUF_INIT;

	if (!v) {
		missing_field(rd, "log");
		return NULL;
	}
	if (json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		bad_field(rd, "log", "must be a path or null");
		return NULL;
	}
	if (sl_json_get_path(&log, obj, "log", NULL)) {
		bad_field(rd, "log_base64", "must be the log path in base64");
		sl_buf_release(&log);
		return NULL;
	}
	return sl_buf_detach(&log, NULL);
}

/*
 * What sluice never writes: a verdict its own fields contradict. A file
 * that says so was edited or made by something else, and merge would
 * otherwise pass a gate on its word ("overridden" with no override).
 */
static void check_consistent(struct reader *rd, const struct sl_gate_result *g)
{
	const char *st = sl_job_status_name(g->status);
	struct sl_buf why = SL_BUF_INIT;

	if (g->status == SL_JOB_OVERRIDDEN && !g->has_override)
		sl_buf_addf(&why, "is '%s' but names no override", st);
	else if (g->status != SL_JOB_OVERRIDDEN && g->has_override)
		sl_buf_addf(&why, "names override %" PRId64 " but is '%s'",
			    g->override.id, st);
	else if (g->exit_code >= 0 && g->signal)
		sl_buf_addf(&why, "has both exit code %d and signal %d",
			    g->exit_code, g->signal);
	else if (g->status == SL_JOB_PASSED && g->signal)
		sl_buf_addf(&why, "is 'passed' with signal %d", g->signal);
	else if (g->status == SL_JOB_PASSED && g->exit_code != 0)
		sl_buf_addf(&why, "is 'passed' with %s%d",
			    g->exit_code < 0 ? "no exit code: " : "exit code ",
			    g->exit_code);
	else if (g->status == SL_JOB_FAILED && g->exit_code <= 0 && !g->signal)
		sl_buf_addf(&why, "is 'failed' with %s",
			    g->exit_code ? "neither an exit code nor a signal"
					 : "exit code 0");
	if (why.len)
		rd->ret =
		    sl_error_set(rd->err, SL_EUSAGE,
				 "'%s' contradicts itself: gate '%s' %s; "
				 "use the file 'sluice run --json' wrote, "
				 "unedited",
				 rd->name, g->name, why.buf);
	sl_buf_release(&why);
}

static void read_gate(struct reader *rd, struct sl_results *out,
		      const json_t *obj)
{
	struct sl_gate_result *g = sl_results_add(out);
	char *status;

	if (!json_is_object(obj)) {
		bad_field(rd, "gates[]", "must be objects");
		return;
	}
	g->name = get_string(rd, obj, "name", true);
	rd->gate = g->name;
	g->kind = get_string(rd, obj, "kind", true);
	g->lane = get_string(rd, obj, "lane", false);
	status = get_string(rd, obj, "status", true);
	if (status && parse_status(&g->status, status))
		bad_field(rd, "status", "is not a known status");
	free(status);
	g->exit_code = get_int(rd, obj, "exit_code", -1, 0);
	g->signal = get_int(rd, obj, "signal", 0, 0);
	g->duration_ms = get_duration(rd, obj);
	g->attempts = (unsigned)get_int(rd, obj, "attempts", 0, 0);
	g->flaky = get_bool(rd, obj, "flaky");
	g->log = get_log(rd, obj);
	g->log_incomplete = get_string(rd, obj, "log_incomplete", false);
	g->error = get_string(rd, obj, "error", false);
	g->override_note = get_string(rd, obj, "override_note", false);
	g->same_run_as = get_string(rd, obj, "same_run_as", false);
	get_strvec(rd, &g->reasons, obj, "reasons", false);
	read_override(rd, g, json_object_get(obj, "override"));
	if (!rd->ret)
		check_consistent(rd, g);
	rd->gate = NULL;
}

int sl_results_read_json(struct sl_results *out, const char *name,
			 const char *text, size_t len, struct sl_error *err)
{
	struct reader rd = {name, err, 0, NULL};
	json_t *root, *gates, *v;
	json_error_t jerr;
	size_t i;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return sl_error_set(err, SL_EUSAGE,
				    "'%s' is not valid JSON: %d:%d: %s", name,
				    jerr.line, jerr.column, jerr.text);
	v = json_object_get(root, "schema");
	if (!json_is_string(v) ||
	    strcmp(json_string_value(v), SL_RESULTS_SCHEMA)) {
		bad_field(&rd, "schema", "must be \"" SL_RESULTS_SCHEMA "\"");
		goto out;
	}
	out->base = get_string(&rd, root, "base", true);
	out->head = get_string(&rd, root, "head", true);
	out->merge_base = get_string(&rd, root, "merge_base", false);
	out->rules_blob = get_string(&rd, root, "rules_blob", false);
	out->run_id = get_string(&rd, root, "run_id", false);
	out->degraded = get_bool(&rd, root, "degraded");
	out->rules_changed = get_bool(&rd, root, "rules_changed");
	/* Files written before shards said so have none: not a shard. */
	v = json_object_get(root, "shard");
	if (v && !json_is_boolean(v))
		bad_field(&rd, "shard", "must be true or false");
	out->shard = json_is_true(v);
	get_strvec(&rd, &out->selected, root, "selected", true);
	gates = json_object_get(root, "gates");
	if (!json_is_array(gates)) {
		bad_field(&rd, "gates", "must be a list");
		goto out;
	}
	json_array_foreach(gates, i, v) read_gate(&rd, out, v);
out:
	json_decref(root);
	return rd.ret;
}

/* ---- merging shards --------------------------------------------------- */

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static int check_agree(const struct sl_results *shards,
		       const char *const *names, size_t i, struct sl_error *err)
{
	static const char *const what[] = {"base", "head", "rules"};
	const char *mine[3], *first[3];
	size_t k;

	mine[0] = or_empty(shards[i].base);
	mine[1] = or_empty(shards[i].head);
	mine[2] = or_empty(shards[i].rules_blob);
	first[0] = or_empty(shards[0].base);
	first[1] = or_empty(shards[0].head);
	first[2] = or_empty(shards[0].rules_blob);
	for (k = 0; k < 3; k++)
		if (strcmp(mine[k], first[k]))
			return sl_error_set(
			    err, SL_EUSAGE,
			    "'%s' and '%s' are results of different runs "
			    "(%s '%s' vs '%s'); merge the shards of one run",
			    names[0], names[i], what[k], first[k], mine[k]);
	return 0;
}

static void copy_gate(struct sl_results *out, const struct sl_gate_result *g)
{
	struct sl_gate_result *c = sl_results_add(out);
	size_t i;

	*c = *g;
	c->name = sl_xstrdup(g->name);
	c->kind = sl_xstrdup(g->kind);
	c->lane = g->lane ? sl_xstrdup(g->lane) : NULL;
	c->log = g->log ? sl_xstrdup(g->log) : NULL;
	c->log_incomplete =
	    g->log_incomplete ? sl_xstrdup(g->log_incomplete) : NULL;
	c->error = g->error ? sl_xstrdup(g->error) : NULL;
	c->override_note =
	    g->override_note ? sl_xstrdup(g->override_note) : NULL;
	c->same_run_as = g->same_run_as ? sl_xstrdup(g->same_run_as) : NULL;
	c->reasons = (struct sl_strvec)SL_STRVEC_INIT;
	for (i = 0; i < g->reasons.n; i++)
		sl_strvec_push(&c->reasons, g->reasons.v[i]);
	c->override.requested_by = g->override.requested_by
				       ? sl_xstrdup(g->override.requested_by)
				       : NULL;
	c->override.approved_by = g->override.approved_by
				      ? sl_xstrdup(g->override.approved_by)
				      : NULL;
	c->override.reason =
	    g->override.reason ? sl_xstrdup(g->override.reason) : NULL;
	c->override.commit =
	    g->override.commit ? sl_xstrdup(g->override.commit) : NULL;
}

/* A name and where it came from: its shard, its place there. */
struct placed {
	const char *name;
	size_t shard, k;
};

static int cmp_placed(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->shard != y->shard)
		return x->shard < y->shard ? -1 : 1;
	return (x->k > y->k) - (x->k < y->k);
}

static int cmp_place(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;

	if (x->shard != y->shard)
		return x->shard < y->shard ? -1 : 1;
	return (x->k > y->k) - (x->k < y->k);
}

/*
 * Every shard's gates, each once (a gate with results in two shards is
 * an error naming the second), then the union of what they selected in
 * the order first named: sorted, so near-linear in the gates, where
 * asking each name of all the others took minutes at 100,000 gates.
 */
static int merge_gates(struct sl_results *out, const struct sl_results *shards,
		       const char *const *names, size_t n, struct sl_error *err)
{
	struct placed *v;
	size_t i, k, total = 0, m = 0;
	int ret = 0;

	for (i = 0; i < n; i++)
		total += shards[i].n > shards[i].selected.n
			     ? shards[i].n
			     : shards[i].selected.n;
	v = sl_xcalloc(total + 1, sizeof(*v));
	for (i = 0; i < n; i++)
		for (k = 0; k < shards[i].n; k++)
			v[m++] = (struct placed){shards[i].gates[k].name, i, k};
	qsort(v, m, sizeof(*v), cmp_placed);
	for (k = 1; k < m && !ret; k++)
		if (!strcmp(v[k].name, v[k - 1].name))
			ret = sl_error_set(err, SL_EUSAGE,
					   "gate '%s' has results in two "
					   "shards (the second: '%s'); merge "
					   "each shard once",
					   v[k].name, names[v[k].shard]);
	for (i = 0; i < n && !ret; i++)
		for (k = 0; k < shards[i].n; k++)
			copy_gate(out, &shards[i].gates[k]);
	m = 0;
	for (i = 0; i < n && !ret; i++)
		for (k = 0; k < shards[i].selected.n; k++)
			v[m++] = (struct placed){shards[i].selected.v[k], i, k};
	qsort(v, m, sizeof(*v), cmp_placed);
	for (i = 0, k = 0; k < m; k++)
		if (!k || strcmp(v[k].name, v[k - 1].name))
			v[i++] = v[k];
	qsort(v, i, sizeof(*v), cmp_place);
	for (k = 0; k < i && !ret; k++)
		sl_strvec_push(&out->selected, v[k].name);
	free(v);
	return ret;
}

int sl_results_merge(struct sl_results *out, const struct sl_results *shards,
		     const char *const *names, size_t n, struct sl_error *err)
{
	size_t i;
	int ret = 0;

	if (!n)
		return sl_error_set(err, SL_EUSAGE, "no results to merge");
	for (i = 0; i < n && !ret; i++) {
		ret = check_agree(shards, names, i, err);
		out->degraded |= shards[i].degraded;
		out->rules_changed |= shards[i].rules_changed;
	}
	if (!ret)
		ret = merge_gates(out, shards, names, n, err);
	if (ret)
		return ret;
	out->base = sl_xstrdup(or_empty(shards[0].base));
	out->head = sl_xstrdup(or_empty(shards[0].head));
	out->merge_base = sl_xstrdup(or_empty(shards[0].merge_base));
	out->rules_blob = sl_xstrdup(or_empty(shards[0].rules_blob));
	out->run_id = shards[0].run_id ? sl_xstrdup(shards[0].run_id) : NULL;
	return 0;
}

/* ---- log tails -------------------------------------------------------- */

void sl_log_tail(struct sl_buf *out, const char *path, size_t max_lines,
		 size_t max_bytes)
{
	struct sl_buf chunk = SL_BUF_INIT;
	struct stat st;
	size_t start, lines = 0, i;
	ssize_t got;
	int fd;

	fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		goto out;
	start =
	    (size_t)st.st_size > max_bytes ? (size_t)st.st_size - max_bytes : 0;
	sl_buf_grow(&chunk, max_bytes);
	got = pread(fd, chunk.buf, max_bytes, (off_t)start);
	if (got <= 0)
		goto out;
	sl_buf_setlen(&chunk, (size_t)got);
	/* Keep whole lines: count back max_lines newlines from the end. */
	i = chunk.len;
	if (i && chunk.buf[i - 1] == '\n')
		i--;
	while (i > 0 && lines < max_lines)
		if (chunk.buf[--i] == '\n')
			lines++;
	if (lines == max_lines || (start > 0 && i == 0))
		while (i < chunk.len && chunk.buf[i++] != '\n')
			;
	sl_buf_add(out, chunk.buf + i, chunk.len - i);
out:
	close(fd);
	sl_buf_release(&chunk);
}
