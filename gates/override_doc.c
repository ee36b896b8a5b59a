/*
 * override_doc.c: overrides as JSON. The portable document that carries a
 * request and its signed decisions from one ledger to another (export on
 * the machine that holds the key, import on CI's ledger), and the JSON
 * records that `override list` and `log` print. The only file of the ledger
 * that calls jansson. Format: docs/overrides.md ("Export and import").
 */
#include "common/common.h"

#include <jansson.h>

#include "gates/ledger_internal.h"

#define DOC_SCHEMA "sluice.override/1"

static json_t *time_json(int64_t t)
{
	struct sl_buf text = SL_BUF_INIT;
	json_t *v;

	sl_override_time_format(&text, t);
	v = json_string(text.buf);
	sl_buf_release(&text);
	return v;
}

static json_t *text_or_null(const char *s)
{
	return s && *s ? sl_json_text(s, strlen(s)) : json_null();
}

/* ---- records for output ---------------------------------------------- */

struct json_t *sl_override_json(const struct sl_override *ov)
{
	json_t *o = json_object();
	/* A decision that is not a denial was an approval (maybe revoked or
	 * expired since). */
	bool approved = ov->decided_by && ov->state != SL_OVERRIDE_DENIED;

	sl_json_set(o, "id", json_integer(ov->id));
	sl_json_set(o, "gate", text_or_null(ov->gate));
	sl_json_set(o, "commit", text_or_null(ov->commit));
	sl_json_set(o, "gate_definition", json_string(ov->gate_hash));
	sl_json_set(o, "state", json_string(sl_override_state_name(ov->state)));
	sl_json_set(o, "requested_by", text_or_null(ov->requested_by));
	sl_json_set(o, "reason", text_or_null(ov->reason));
	sl_json_set(o, "requested_at", time_json(ov->requested_at));
	sl_json_set(o, "expires_at", time_json(ov->expires_at));
	sl_json_set(o, "approved_by",
		    approved ? text_or_null(ov->decided_by) : json_null());
	sl_json_set(o, "decided_by", text_or_null(ov->decided_by));
	sl_json_set(o, "decision_reason", text_or_null(ov->decision_reason));
	sl_json_set(o, "decided_at",
		    ov->decided_by ? time_json(ov->decided_at) : json_null());
	sl_json_set(o, "signed", json_boolean(ov->decision_signed));
	sl_json_set(o, "revoked_by", text_or_null(ov->revoked_by));
	sl_json_set(o, "revoke_reason", text_or_null(ov->revoke_reason));
	sl_json_set(o, "revoked_at",
		    ov->revoked_by ? time_json(ov->revoked_at) : json_null());
	sl_json_set(o, "applied", json_integer(ov->applied));
	return o;
}

struct json_t *sl_ledger_event_json(const struct sl_ledger_event *ev)
{
	json_t *o = json_object();

	sl_json_set(o, "seq", json_integer(ev->seq));
	sl_json_set(o, "kind", json_string(sl_ledger_kind_name(ev->kind)));
	sl_json_set(o, "override", json_integer(ev->override_id));
	sl_json_set(o, "at", time_json(ev->at));
	sl_json_set(o, "actor", text_or_null(ev->actor));
	sl_json_set(o, "reason", text_or_null(ev->reason));
	sl_json_set(o, "gate", text_or_null(ev->gate));
	sl_json_set(o, "commit", text_or_null(ev->commit));
	sl_json_set(o, "gate_definition", text_or_null(ev->gate_hash));
	sl_json_set(o, "expires_at",
		    ev->kind == SL_LEDGER_REQUEST ? time_json(ev->expires_at)
						  : json_null());
	sl_json_set(o, "run", text_or_null(ev->run_id));
	sl_json_set(o, "signature", text_or_null(ev->signature));
	sl_json_set(o, "prev_hash", json_string(ev->prev_hash));
	sl_json_set(o, "hash", json_string(ev->hash));
	return o;
}

/* ---- the portable document ------------------------------------------- */

void sl_override_doc_release(struct sl_override_doc *doc)
{
	sl_override_release(&doc->request);
	sl_ledger_log_release(&doc->decisions);
}

static json_t *request_json(const struct sl_override *r)
{
	json_t *o = json_object();

	sl_json_set(o, "id", json_integer(r->id));
	sl_json_set(o, "gate", json_string(r->gate));
	sl_json_set(o, "commit", json_string(r->commit));
	sl_json_set(o, "gate_definition", json_string(r->gate_hash));
	sl_json_set(o, "requested_by", json_string(r->requested_by));
	sl_json_set(o, "reason", json_string(r->reason));
	sl_json_set(o, "requested_at", time_json(r->requested_at));
	sl_json_set(o, "expires_at", time_json(r->expires_at));
	return o;
}

static json_t *decision_json(const struct sl_ledger_event *ev)
{
	json_t *o = json_object();

	sl_json_set(o, "decision", json_string(sl_ledger_kind_name(ev->kind)));
	sl_json_set(o, "by", json_string(ev->actor));
	sl_json_set(o, "reason", json_string(ev->reason));
	sl_json_set(o, "at", time_json(ev->at));
	sl_json_set(o, "signature",
		    *ev->signature ? json_string(ev->signature) : json_null());
	return o;
}

void sl_override_doc_write(struct sl_buf *out,
			   const struct sl_override_doc *doc)
{
	json_t *root = json_object();
	json_t *list = json_array();
	size_t i;

	sl_json_set(root, "schema", json_string(DOC_SCHEMA));
	sl_json_set(root, "override", request_json(&doc->request));
	for (i = 0; i < doc->decisions.n; i++)
		sl_json_append(list, decision_json(&doc->decisions.events[i]));
	sl_json_set(root, "decisions", list);
	sl_json_dump(out, root, JSON_INDENT(2));
}

/* ---- parsing ---------------------------------------------------------- */

static int doc_bad(struct sl_error *err, const char *what)
{
	return sl_error_set(err, SL_EUSAGE,
			    "not a sluice override document: %s (export one "
			    "with 'sluice override export ID')",
			    what);
}

/* A required string member as an owned copy; NULL when absent. */
static char *get_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v)
		   ? sl_xmemdupz(json_string_value(v), json_string_length(v))
		   : NULL;
}

static bool get_time(int64_t *out, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) &&
	       !sl_override_time_parse(out, json_string_value(v));
}

static int parse_request(struct sl_override *r, const json_t *o,
			 struct sl_error *err)
{
	const json_t *id = json_object_get(o, "id");
	char *hash = get_str(o, "gate_definition");
	int ret = 0;

	r->gate = get_str(o, "gate");
	r->commit = get_str(o, "commit");
	r->requested_by = get_str(o, "requested_by");
	r->reason = get_str(o, "reason");
	if (!json_is_integer(id) || json_integer_value(id) <= 0 || !hash ||
	    !r->gate || !r->commit || !r->requested_by || !r->reason ||
	    !get_time(&r->requested_at, o, "requested_at") ||
	    !get_time(&r->expires_at, o, "expires_at"))
		ret = doc_bad(err, "'override' lacks a field or has a bad one");
	if (!ret)
		ret = sl_ledger_check_gate_hash(hash, err);
	if (!ret) {
		r->id = json_integer_value(id);
		memcpy(r->gate_hash, hash, SL_HASH_HEX_SIZE);
		ret = sl_ledger_check_gate(r->gate, err);
	}
	if (!ret)
		ret = sl_ledger_check_commit(r->commit, err);
	if (!ret)
		ret = sl_ledger_check_identity(r->requested_by, "the requester",
					       err);
	if (!ret)
		ret = sl_ledger_check_reason(r->reason, err);
	r->state = SL_OVERRIDE_REQUESTED;
	free(hash);
	return ret;
}

static int parse_decision(struct sl_ledger_event *ev, int64_t id,
			  const json_t *o, struct sl_error *err)
{
	const json_t *sig = json_object_get(o, "signature");
	char *kind = get_str(o, "decision");
	int ret = 0;

	ev->override_id = id;
	ev->actor = get_str(o, "by");
	ev->reason = get_str(o, "reason");
	ev->signature =
	    json_is_string(sig) ? get_str(o, "signature") : sl_xstrdup("");
	ev->gate = sl_xstrdup("");
	ev->commit = sl_xstrdup("");
	ev->gate_hash = sl_xstrdup("");
	ev->run_id = sl_xstrdup("");
	if (!json_is_object(o) || !kind ||
	    sl_ledger_kind_parse(&ev->kind, kind) ||
	    ev->kind == SL_LEDGER_REQUEST || ev->kind == SL_LEDGER_APPLIED ||
	    !ev->actor || !ev->reason || !get_time(&ev->at, o, "at") ||
	    (sig && !json_is_string(sig) && !json_is_null(sig)))
		ret = doc_bad(err, "a decision lacks a field or has a bad one");
	if (!ev->actor)
		ev->actor = sl_xstrdup("");
	if (!ev->reason)
		ev->reason = sl_xstrdup("");
	free(kind);
	return ret;
}

int sl_override_doc_parse(struct sl_override_doc *out, const char *text,
			  size_t len, struct sl_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	const json_t *schema, *list;
	size_t i;
	int ret = 0;

	if (!root)
		return sl_error_set(err, SL_EUSAGE,
				    "not a sluice override document: line %d, "
				    "column %d: %s",
				    jerr.line, jerr.column, jerr.text);
	schema = json_object_get(root, "schema");
	list = json_object_get(root, "decisions");
	if (!json_is_string(schema) ||
	    strcmp(json_string_value(schema), DOC_SCHEMA))
		ret = doc_bad(err, "its schema is not '" DOC_SCHEMA "'");
	else if (!json_is_object(json_object_get(root, "override")) ||
		 !json_is_array(list))
		ret = doc_bad(err, "it lacks 'override' or 'decisions'");
	if (!ret)
		ret = parse_request(&out->request,
				    json_object_get(root, "override"), err);
	for (i = 0; !ret && i < json_array_size(list); i++)
		ret = parse_decision(sl_ledger_log_push(&out->decisions),
				     out->request.id, json_array_get(list, i),
				     err);
	json_decref(root);
	return ret;
}
