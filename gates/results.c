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
	free(g->error);
	sl_strvec_release(&g->reasons);
	free(g->override.requested_by);
	free(g->override.approved_by);
	free(g->override.reason);
	free(g->override.commit);
	free(g->override_note);
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

static const struct sl_gate_result *find_gate(const struct sl_results *r,
					      const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->gates[i].name, name))
			return &r->gates[i];
	return NULL;
}

void sl_results_not_run(struct sl_strvec *out, const struct sl_results *results)
{
	size_t i;

	for (i = 0; i < results->selected.n; i++)
		if (!find_gate(results, results->selected.v[i]))
			sl_strvec_push(out, results->selected.v[i]);
}

bool sl_results_pass(const struct sl_results *results, const char **why)
{
	size_t i;

	for (i = 0; i < results->selected.n && !results->shard; i++) {
		if (!find_gate(results, results->selected.v[i])) {
			if (why)
				*why = "a selected gate has no result";
			return false;
		}
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

static json_t *string_or_null(const char *s)
{
	return s ? sl_json_text(s, strlen(s)) : json_null();
}

static json_t *strvec_json(const struct sl_strvec *sv)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < sv->n; i++)
		sl_json_append(arr, sl_json_text(sv->v[i], strlen(sv->v[i])));
	return arr;
}

static json_t *override_json(const struct sl_result_override *ov)
{
	struct sl_buf when = SL_BUF_INIT;
	json_t *obj = json_object();

	sl_override_time_format(&when, ov->expires_at);
	sl_json_set(obj, "id", json_integer(ov->id));
	sl_json_set(obj, "requested_by", string_or_null(ov->requested_by));
	sl_json_set(obj, "approved_by", string_or_null(ov->approved_by));
	sl_json_set(obj, "reason", string_or_null(ov->reason));
	sl_json_set(obj, "expires_at", json_string(when.buf));
	if (ov->commit) {
		sl_json_set(obj, "commit", json_string(ov->commit));
		sl_json_set(obj, "commit_role",
			    json_string(ov->merged ? "second_parent" : "head"));
	}
	sl_buf_release(&when);
	return obj;
}

static json_t *gate_json(const struct sl_gate_result *g)
{
	json_t *obj = json_object();

	sl_json_set(obj, "name", string_or_null(g->name));
	sl_json_set(obj, "kind", string_or_null(g->kind));
	sl_json_set(obj, "lane", string_or_null(g->lane));
	sl_json_set(obj, "status", json_string(sl_job_status_name(g->status)));
	sl_json_set(obj, "exit_code",
		    g->exit_code >= 0 ? json_integer(g->exit_code)
				      : json_null());
	sl_json_set(obj, "signal",
		    g->signal ? json_integer(g->signal) : json_null());
	sl_json_set(obj, "duration_ms",
		    json_integer((json_int_t)g->duration_ms));
	sl_json_set(obj, "attempts", json_integer(g->attempts));
	sl_json_set(obj, "flaky", json_boolean(g->flaky));
	if (g->log)
		sl_json_set_path(obj, "log", g->log, strlen(g->log));
	else
		sl_json_set(obj, "log", json_null());
	sl_json_set(obj, "error", string_or_null(g->error));
	sl_json_set(obj, "reasons", strvec_json(&g->reasons));
	sl_json_set(obj, "override",
		    g->has_override ? override_json(&g->override)
				    : json_null());
	if (g->override_note)
		sl_json_set(obj, "override_note",
			    string_or_null(g->override_note));
	return obj;
}

void sl_results_write_json(struct sl_buf *out, const struct sl_results *results)
{
	json_t *root = json_object(), *gates = json_array();
	struct sl_strvec not_run = SL_STRVEC_INIT;
	const char *why;
	size_t i;

	sl_json_set(root, "schema", json_string(SL_RESULTS_SCHEMA));
	sl_json_set(root, "base", string_or_null(results->base));
	sl_json_set(root, "head", string_or_null(results->head));
	sl_json_set(root, "merge_base", string_or_null(results->merge_base));
	sl_json_set(root, "rules_blob", string_or_null(results->rules_blob));
	sl_json_set(root, "run_id", string_or_null(results->run_id));
	sl_json_set(
	    root, "verdict",
	    json_string(sl_results_pass(results, &why) ? "pass" : "fail"));
	sl_json_set(root, "degraded", json_boolean(results->degraded));
	sl_json_set(root, "rules_changed",
		    json_boolean(results->rules_changed));
	sl_json_set(root, "shard", json_boolean(results->shard));
	sl_json_set(root, "selected", strvec_json(&results->selected));
	sl_results_not_run(&not_run, results);
	sl_json_set(root, "not_run", strvec_json(&not_run));
	for (i = 0; i < results->n; i++)
		sl_json_append(gates, gate_json(&results->gates[i]));
	sl_json_set(root, "gates", gates);
	sl_json_dump(out, root, JSON_INDENT(2));
	sl_strvec_release(&not_run);
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
	g->error = get_string(rd, obj, "error", false);
	g->override_note = get_string(rd, obj, "override_note", false);
	get_strvec(rd, &g->reasons, obj, "reasons", false);
	read_override(rd, g, json_object_get(obj, "override"));
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
	c->error = g->error ? sl_xstrdup(g->error) : NULL;
	c->override_note =
	    g->override_note ? sl_xstrdup(g->override_note) : NULL;
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

static int merge_shard(struct sl_results *out, const struct sl_results *shard,
		       const char *const *names, size_t i, struct sl_error *err)
{
	size_t k;

	for (k = 0; k < shard->selected.n; k++)
		if (!sl_strvec_has(&out->selected, shard->selected.v[k]))
			sl_strvec_push(&out->selected, shard->selected.v[k]);
	for (k = 0; k < shard->n; k++) {
		const struct sl_gate_result *g = &shard->gates[k];

		if (find_gate(out, g->name))
			return sl_error_set(err, SL_EUSAGE,
					    "gate '%s' has results in two "
					    "shards (the second: '%s'); merge "
					    "each shard once",
					    g->name, names[i]);
		copy_gate(out, g);
	}
	out->degraded |= shard->degraded;
	out->rules_changed |= shard->rules_changed;
	return 0;
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
		if (!ret)
			ret = merge_shard(out, &shards[i], names, i, err);
	}
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
