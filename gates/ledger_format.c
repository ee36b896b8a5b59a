/*
 * ledger_format.c: the override ledger's canonical forms and input checks.
 * Every form is a sequence of fields "NAME LEN:VALUE\n" in a fixed order,
 * the first one naming the form and its version, so that no two different
 * sets of values encode to the same bytes (docs/overrides.md, "Canonical
 * forms"). Also: times as RFC 3339, expiry durations, and the small
 * bookkeeping of events and overrides. Hashing itself is ledger_digest.c's.
 */
#include "common/common.h"

#include <time.h>

#include "gates/ledger_internal.h"

const char sl_ledger_zero_hash[SL_HASH_HEX_SIZE] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static const char *const kind_names[] = {"request", "approve", "deny", "revoke",
					 "applied"};
static const char *const state_names[] = {"requested", "approved", "denied",
					  "revoked", "expired"};

const char *sl_ledger_kind_name(enum sl_ledger_kind kind)
{
	if ((size_t)kind >= SL_ARRAY_SIZE(kind_names))
		return "unknown";
	return kind_names[kind];
}

int sl_ledger_kind_parse(enum sl_ledger_kind *out, const char *name)
{
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(kind_names); i++) {
		if (!strcmp(name, kind_names[i])) {
			*out = (enum sl_ledger_kind)i;
			return 0;
		}
	}
	return -1;
}

const char *sl_override_state_name(enum sl_override_state state)
{
	if ((size_t)state >= SL_ARRAY_SIZE(state_names))
		return "unknown";
	return state_names[state];
}

/* ---- fields ---------------------------------------------------------- */

/*
 * n in decimal, '-' first when negative, at the end of buf; returns where
 * it starts. No printf: the forms hold thousands of numbers.
 */
static const char *decimal(char buf[24], uint64_t n, bool negative)
{
	char *at = buf + 23;

	*at = '\0';
	do {
		*--at = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	if (negative)
		*--at = '-';
	return at;
}

void sl_ledger_field(struct sl_buf *out, const char *name, const char *value,
		     size_t len)
{
	char buf[24];

	sl_buf_adds(out, name);
	sl_buf_addch(out, ' ');
	sl_buf_adds(out, decimal(buf, len, false));
	sl_buf_addch(out, ':');
	sl_buf_add(out, value, len);
	sl_buf_addch(out, '\n');
}

void sl_ledger_field_str(struct sl_buf *out, const char *name,
			 const char *value)
{
	sl_ledger_field(out, name, value ? value : "",
			value ? strlen(value) : 0);
}

void sl_ledger_field_int(struct sl_buf *out, const char *name, int64_t value)
{
	/* The magnitude, of INT64_MIN too. */
	uint64_t mag =
	    value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
	char buf[24];

	sl_ledger_field_str(out, name, decimal(buf, mag, value < 0));
}

static void field_time(struct sl_buf *out, const char *name, int64_t t)
{
	struct sl_buf text = SL_BUF_INIT;

	sl_override_time_format(&text, t);
	sl_ledger_field(out, name, text.buf, text.len);
	sl_buf_release(&text);
}

/* ---- the canonical forms ------------------------------------------- */

void sl_ledger_event_canonical(struct sl_buf *out,
			       const struct sl_ledger_event *ev)
{
	sl_ledger_field_str(out, "format", "sluice-ledger-event/1");
	sl_ledger_field_int(out, "seq", ev->seq);
	sl_ledger_field_str(out, "prev", ev->prev_hash);
	sl_ledger_field_str(out, "kind", sl_ledger_kind_name(ev->kind));
	sl_ledger_field_int(out, "override", ev->override_id);
	sl_ledger_field_int(out, "at", ev->at);
	sl_ledger_field_str(out, "actor", ev->actor);
	sl_ledger_field_str(out, "reason", ev->reason);
	sl_ledger_field_str(out, "gate", ev->gate);
	sl_ledger_field_str(out, "commit", ev->commit);
	sl_ledger_field_str(out, "gate-definition", ev->gate_hash);
	sl_ledger_field_int(out, "expires", ev->expires_at);
	sl_ledger_field_str(out, "run", ev->run_id);
	sl_ledger_field_str(out, "signature", ev->signature);
}

void sl_ledger_event_hash(char out[SL_HASH_HEX_SIZE],
			  const struct sl_ledger_event *ev)
{
	struct sl_buf form = SL_BUF_INIT;

	sl_ledger_event_canonical(&form, ev);
	sl_ledger_sha256_hex(out, form.buf, form.len);
	sl_buf_release(&form);
}

static int env_cmp(const void *a, const void *b)
{
	const struct sl_env_var *x = *(const struct sl_env_var *const *)a;
	const struct sl_env_var *y = *(const struct sl_env_var *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

void sl_override_gate_hash(char out[SL_HASH_HEX_SIZE],
			   const struct sl_gate *gate)
{
	struct sl_buf form = SL_BUF_INIT;
	const struct sl_env_var **env;
	size_t i;

	sl_ledger_field_str(&form, "format", "sluice-gate-definition/1");
	if (gate->shell) {
		sl_ledger_field_str(&form, "run", "shell");
		sl_ledger_field_str(&form, "shell", gate->shell);
	} else {
		sl_ledger_field_str(&form, "run", "argv");
		sl_ledger_field_int(&form, "argc", (int64_t)gate->argv.n);
		for (i = 0; i < gate->argv.n; i++)
			sl_ledger_field_str(&form, "arg", gate->argv.v[i]);
	}
	sl_ledger_field_str(&form, "cwd", gate->cwd);
	/* Sorted, so that reordering the env map is not an edit. */
	env = sl_xcalloc(gate->nenv + 1, sizeof(*env));
	for (i = 0; i < gate->nenv; i++)
		env[i] = &gate->env[i];
	qsort(env, gate->nenv, sizeof(*env), env_cmp);
	sl_ledger_field_int(&form, "envc", (int64_t)gate->nenv);
	for (i = 0; i < gate->nenv; i++) {
		sl_ledger_field_str(&form, "env-name", env[i]->name);
		sl_ledger_field_str(&form, "env-value", env[i]->value);
	}
	free(env);
	sl_ledger_sha256_hex(out, form.buf, form.len);
	sl_buf_release(&form);
}

void sl_override_decision_text(struct sl_buf *out, const struct sl_override *ov,
			       const struct sl_override_decision *decision)
{
	sl_ledger_field_str(out, "format", "sluice-override-decision/1");
	sl_ledger_field_str(out, "decision",
			    sl_ledger_kind_name(decision->kind));
	sl_ledger_field_int(out, "override", ov->id);
	sl_ledger_field_str(out, "gate", ov->gate);
	sl_ledger_field_str(out, "commit", ov->commit);
	sl_ledger_field_str(out, "gate-definition", ov->gate_hash);
	sl_ledger_field_str(out, "requested-by", ov->requested_by);
	sl_ledger_field_str(out, "request-reason", ov->reason);
	field_time(out, "expires", ov->expires_at);
	sl_ledger_field_str(out, "decided-by", decision->actor);
	sl_ledger_field_str(out, "decision-reason", decision->reason);
	field_time(out, "decided-at", decision->now);
}

/* ---- times ----------------------------------------------------------- */

int64_t sl_ledger_now(int64_t now)
{
	return now ? now : (int64_t)time(NULL);
}

void sl_override_time_format(struct sl_buf *out, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char text[64];

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		/* Out of gmtime's range: still unambiguous, still readable. */
		sl_buf_addf(out, "@%" PRId64, t);
		return;
	}
	sl_buf_adds(out, text);
}

static int parse_digits(const char *s, size_t n, int *out)
{
	size_t i;
	int v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int sl_override_time_parse(int64_t *out, const char *text)
{
	struct sl_buf back = SL_BUF_INIT;
	struct tm tm = {0};
	int year, mon, ret = -1;

	if (strlen(text) != 20 || text[4] != '-' || text[7] != '-' ||
	    text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
	    text[19] != 'Z')
		return -1;
	if (parse_digits(text, 4, &year) || parse_digits(text + 5, 2, &mon) ||
	    parse_digits(text + 8, 2, &tm.tm_mday) ||
	    parse_digits(text + 11, 2, &tm.tm_hour) ||
	    parse_digits(text + 14, 2, &tm.tm_min) ||
	    parse_digits(text + 17, 2, &tm.tm_sec))
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	*out = (int64_t)timegm(&tm);
	/* timegm normalises "02-30": only a date that formats back is one. */
	sl_override_time_format(&back, *out);
	if (!strcmp(back.buf, text))
		ret = 0;
	sl_buf_release(&back);
	return ret;
}

int sl_override_expiry_parse(int64_t *out, const char *text,
			     struct sl_error *err)
{
	char *end = NULL;
	long long n;
	int64_t unit;

	errno = 0;
	if (text[0] < '0' || text[0] > '9')
		goto bad;
	n = strtoll(text, &end, 10);
	if (errno || n <= 0 || !end[0] || end[1])
		goto bad;
	switch (end[0]) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		goto bad;
	}
	if (n > SL_OVERRIDE_EXPIRY_MAX / unit)
		return sl_error_set(err, SL_EUSAGE,
				    "expiry '%s' is past the limit of 30 days: "
				    "request a new override when it expires",
				    text);
	*out = (int64_t)n * unit;
	return 0;
bad:
	return sl_error_set(err, SL_EUSAGE,
			    "bad expiry '%s': write a number and a unit, "
			    "s, m, h or d (e.g. '36h', '7d')",
			    text);
}

/* ---- input checks ---------------------------------------------------- */

bool sl_ledger_is_hex(const char *s, size_t len)
{
	size_t i;

	if (strlen(s) != len)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int sl_ledger_check_identity(const char *value, const char *what,
			     struct sl_error *err)
{
	size_t len = value ? strlen(value) : 0;
	size_t i;

	if (!len)
		return sl_error_set(err, SL_EUSAGE,
				    "%s is empty: say who with --by, "
				    "SLUICE_ACTOR or git config user.email",
				    what);
	if (len > LEDGER_IDENTITY_MAX || !sl_utf8_valid(value, len))
		goto bad;
	/* No '-' in front: an identity becomes ssh-keygen's -I argument. */
	if (value[0] == '-')
		goto bad;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c <= ' ' || c == 0x7f || c == ',')
			goto bad;
	}
	return 0;
bad:
	return sl_error_set(err, SL_EUSAGE,
			    "%s '%s' is not an identity: use an email, "
			    "@user or @org/team (no spaces or commas, at "
			    "most %d bytes)",
			    what, value, LEDGER_IDENTITY_MAX);
}

int sl_ledger_check_reason(const char *value, struct sl_error *err)
{
	size_t len = value ? strlen(value) : 0;
	bool blank = true;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c < ' ' && c != '\n' && c != '\t')
			return sl_error_set(err, SL_EUSAGE,
					    "the reason holds a control "
					    "character: write plain text");
		if (c != ' ' && c != '\n' && c != '\t')
			blank = false;
	}
	if (blank)
		return sl_error_set(err, SL_EUSAGE,
				    "a reason is required: say why with "
				    "--reason");
	if (len > LEDGER_REASON_MAX || !sl_utf8_valid(value, len))
		return sl_error_set(err, SL_EUSAGE,
				    "the reason must be UTF-8 text of at most "
				    "%d bytes",
				    LEDGER_REASON_MAX);
	return 0;
}

int sl_ledger_check_gate(const char *value, struct sl_error *err)
{
	size_t len = value ? strlen(value) : 0;
	size_t i;

	if (!len || len > LEDGER_GATE_MAX || !sl_utf8_valid(value, len))
		goto bad;
	for (i = 0; i < len; i++)
		if ((unsigned char)value[i] < ' ' || value[i] == 0x7f)
			goto bad;
	return 0;
bad:
	return sl_error_set(err, SL_EUSAGE, "'%s' is not a gate name",
			    value ? value : "");
}

int sl_ledger_check_commit(const char *value, struct sl_error *err)
{
	if (value &&
	    (sl_ledger_is_hex(value, 40) || sl_ledger_is_hex(value, 64)))
		return 0;
	return sl_error_set(err, SL_EUSAGE,
			    "'%s' is not a full commit id: give all 40 (or, "
			    "in a SHA-256 repository, 64) lowercase hex digits",
			    value ? value : "");
}

int sl_ledger_check_gate_hash(const char *value, struct sl_error *err)
{
	if (value && sl_ledger_is_hex(value, 64))
		return 0;
	return sl_error_set(err, SL_EUSAGE,
			    "'%s' is not a gate definition hash (64 lowercase "
			    "hex digits from sl_override_gate_hash)",
			    value ? value : "");
}

/* ---- bookkeeping ----------------------------------------------------- */

void sl_ledger_event_release(struct sl_ledger_event *ev)
{
	free(ev->actor);
	free(ev->reason);
	free(ev->gate);
	free(ev->commit);
	free(ev->gate_hash);
	free(ev->run_id);
	free(ev->signature);
	memset(ev, 0, sizeof(*ev));
}

static char *dup_or_empty(const char *s)
{
	return sl_xstrdup(s ? s : "");
}

void sl_ledger_event_copy(struct sl_ledger_event *dst,
			  const struct sl_ledger_event *src)
{
	*dst = *src;
	dst->actor = dup_or_empty(src->actor);
	dst->reason = dup_or_empty(src->reason);
	dst->gate = dup_or_empty(src->gate);
	dst->commit = dup_or_empty(src->commit);
	dst->gate_hash = dup_or_empty(src->gate_hash);
	dst->run_id = dup_or_empty(src->run_id);
	dst->signature = dup_or_empty(src->signature);
}

struct sl_ledger_event *sl_ledger_log_push(struct sl_ledger_log *log)
{
	struct sl_ledger_event *ev;

	SL_ALLOC_GROW(log->events, log->n + 1, log->alloc);
	ev = &log->events[log->n++];
	memset(ev, 0, sizeof(*ev));
	return ev;
}

void sl_ledger_log_release(struct sl_ledger_log *log)
{
	size_t i;

	for (i = 0; i < log->n; i++)
		sl_ledger_event_release(&log->events[i]);
	free(log->events);
	log->events = NULL;
	log->n = log->alloc = 0;
}

void sl_override_release(struct sl_override *ov)
{
	free(ov->gate);
	free(ov->commit);
	free(ov->requested_by);
	free(ov->reason);
	free(ov->decided_by);
	free(ov->decision_reason);
	free(ov->decision_signature);
	free(ov->revoked_by);
	free(ov->revoke_reason);
	memset(ov, 0, sizeof(*ov));
}

static char *dup_or_null(const char *s)
{
	return s ? sl_xstrdup(s) : NULL;
}

void sl_ledger_override_copy(struct sl_override *dst,
			     const struct sl_override *src)
{
	*dst = *src;
	dst->gate = dup_or_null(src->gate);
	dst->commit = dup_or_null(src->commit);
	dst->requested_by = dup_or_null(src->requested_by);
	dst->reason = dup_or_null(src->reason);
	dst->decided_by = dup_or_null(src->decided_by);
	dst->decision_reason = dup_or_null(src->decision_reason);
	dst->decision_signature = dup_or_null(src->decision_signature);
	dst->revoked_by = dup_or_null(src->revoked_by);
	dst->revoke_reason = dup_or_null(src->revoke_reason);
}

void sl_override_list_release(struct sl_override_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		sl_override_release(&list->items[i]);
	free(list->items);
	list->items = NULL;
	list->n = list->alloc = 0;
}

void sl_ledger_report_release(struct sl_ledger_report *report)
{
	sl_buf_release(&report->problem);
}
