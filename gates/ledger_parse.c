/*
 * ledger_parse.c: reading an event back from its canonical text, as a
 * commit of the shared ledger holds it (SPEC.md §6), and an event's
 * identity. Parsing is strict: the text must be exactly the canonical
 * form of the event it describes (ledger_format.c writes it), byte for
 * byte, so that the hash of the text is the event's hash and no two texts
 * mean the same event. Whether the event belongs where it stands in the
 * chain is ledger_verify.c's question.
 */
#include "common/common.h"

#include "gates/ledger_internal.h"

/* The largest event text: every field at its limit, with room to spare. */
#define EVENT_TEXT_MAX (64u * 1024)

struct reader {
	const char *at, *end;
	struct sl_buf *why;
};

/* Reads "NAME LEN:VALUE\n" into value (a NUL-free string). */
static bool read_field(struct reader *r, const char *name, char **value)
{
	size_t nlen = strlen(name), len = 0;
	const char *p = r->at;

	if ((size_t)(r->end - p) < nlen + 1 || memcmp(p, name, nlen) ||
	    p[nlen] != ' ') {
		sl_buf_addf(r->why, "field '%s' is missing", name);
		return false;
	}
	p += nlen + 1;
	if (p >= r->end || *p < '0' || *p > '9') {
		sl_buf_addf(r->why, "field '%s' has no length", name);
		return false;
	}
	while (p < r->end && *p >= '0' && *p <= '9') {
		if (len > EVENT_TEXT_MAX) {
			sl_buf_addf(r->why, "field '%s' is too long", name);
			return false;
		}
		len = len * 10 + (size_t)(*p++ - '0');
	}
	if (p >= r->end || *p != ':' || (size_t)(r->end - p - 1) < len + 1 ||
	    p[1 + len] != '\n' || memchr(p + 1, '\0', len)) {
		sl_buf_addf(r->why, "field '%s' is malformed", name);
		return false;
	}
	*value = sl_xmemdupz(p + 1, len);
	r->at = p + 2 + len;
	return true;
}

static bool read_int(struct reader *r, const char *name, int64_t *out)
{
	char *text = NULL, *end = NULL;
	long long n;
	bool ok;

	if (!read_field(r, name, &text))
		return false;
	errno = 0;
	n = strtoll(text, &end, 10);
	ok = !errno && *text && !*end;
	if (!ok)
		sl_buf_addf(r->why, "field '%s' is not a number", name);
	*out = n;
	free(text);
	return ok;
}

static bool read_hash(struct reader *r, const char *name,
		      char out[SL_HASH_HEX_SIZE])
{
	char *text = NULL;
	bool ok;

	if (!read_field(r, name, &text))
		return false;
	ok = sl_ledger_is_hex(text, 64);
	if (ok)
		memcpy(out, text, SL_HASH_HEX_SIZE);
	else
		sl_buf_addf(r->why, "field '%s' is not a SHA-256", name);
	free(text);
	return ok;
}

static bool read_kind(struct reader *r, enum sl_ledger_kind *out)
{
	char *text = NULL;
	bool ok;

	if (!read_field(r, "kind", &text))
		return false;
	ok = !sl_ledger_kind_parse(out, text);
	if (!ok)
		sl_buf_adds(r->why, "field 'kind' names no kind of event");
	free(text);
	return ok;
}

/* Every field, in the canonical order; false at the first that is not. */
static bool read_fields(struct reader *r, struct sl_ledger_event *ev)
{
	char *format = NULL;
	bool ok = read_field(r, "format", &format);

	if (ok && strcmp(format, "sluice-ledger-event/1")) {
		sl_buf_adds(r->why, "it is not a sluice-ledger-event/1");
		ok = false;
	}
	free(format);
	return ok && read_int(r, "seq", &ev->seq) &&
	       read_hash(r, "prev", ev->prev_hash) && read_kind(r, &ev->kind) &&
	       read_int(r, "override", &ev->override_id) &&
	       read_int(r, "at", &ev->at) &&
	       read_field(r, "actor", &ev->actor) &&
	       read_field(r, "reason", &ev->reason) &&
	       read_field(r, "gate", &ev->gate) &&
	       read_field(r, "commit", &ev->commit) &&
	       read_field(r, "gate-definition", &ev->gate_hash) &&
	       read_int(r, "expires", &ev->expires_at) &&
	       read_field(r, "run", &ev->run_id) &&
	       read_field(r, "signature", &ev->signature);
}

/* Strings a text that did not parse lacks become "". */
static void fill_missing(struct sl_ledger_event *ev)
{
	char **text[] = {&ev->actor,	&ev->reason,	&ev->gate,
			 &ev->commit,	&ev->gate_hash, &ev->run_id,
			 &ev->signature};
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(text); i++)
		if (!*text[i])
			*text[i] = sl_xstrdup("");
}

int sl_ledger_event_parse(struct sl_ledger_event *out, struct sl_buf *why,
			  const char *text, size_t len)
{
	struct reader r = {text, text + len, why};
	struct sl_buf again = SL_BUF_INIT;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (len > EVENT_TEXT_MAX) {
		sl_buf_addf(why, "it is larger than %u bytes", EVENT_TEXT_MAX);
		ok = false;
	} else {
		ok = read_fields(&r, out);
	}
	if (ok && r.at != r.end) {
		sl_buf_adds(why, "it goes on after the last field");
		ok = false;
	}
	if (ok) {
		sl_ledger_event_canonical(&again, out);
		ok = again.len == len && !memcmp(again.buf, text, len);
		if (!ok)
			sl_buf_adds(why, "it is not in the canonical form");
	}
	fill_missing(out);
	sl_ledger_sha256_hex(out->hash, text, len);
	sl_buf_release(&again);
	return ok ? 0 : -1;
}

void sl_ledger_event_identity(char out[SL_HASH_HEX_SIZE],
			      const struct sl_ledger_event *ev)
{
	struct sl_buf form = SL_BUF_INIT;

	/* The event's canonical form without its place in the chain: a
	 * request's id is its place, so it is left out too. */
	sl_ledger_field_str(&form, "format", "sluice-ledger-identity/1");
	sl_ledger_field_str(&form, "kind", sl_ledger_kind_name(ev->kind));
	sl_ledger_field_int(&form, "override",
			    ev->kind == SL_LEDGER_REQUEST ? 0
							  : ev->override_id);
	sl_ledger_field_int(&form, "at", ev->at);
	sl_ledger_field_str(&form, "actor", ev->actor);
	sl_ledger_field_str(&form, "reason", ev->reason);
	sl_ledger_field_str(&form, "gate", ev->gate);
	sl_ledger_field_str(&form, "commit", ev->commit);
	sl_ledger_field_str(&form, "gate-definition", ev->gate_hash);
	sl_ledger_field_int(&form, "expires", ev->expires_at);
	sl_ledger_field_str(&form, "run", ev->run_id);
	sl_ledger_field_str(&form, "signature", ev->signature);
	sl_ledger_sha256_hex(out, form.buf, form.len);
	sl_buf_release(&form);
}
