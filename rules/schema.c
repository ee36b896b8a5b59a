/*
 * schema.c: reading typed values out of the YAML tree for the rules loader,
 * and the loader's error messages. Each reader checks one kind of value
 * (a string, a list of strings, a boolean, a pattern, a name) and, when the
 * value is wrong, says what was expected, what was found and what to write
 * instead, at the value's file:line:col. Which key wants which value is
 * rules/load.c's and rules/gate.c's business; YAML itself is rules/yaml.c's.
 */
#include "common/common.h"

#include "rules/internal.h"
#include "rules/load_internal.h"

/* Names longer than this are refused: they become file and job names. */
#define NAME_MAX_LEN 128
/* User text quoted in a message is cut short past this many bytes. */
#define SUBJECT_MAX 60

/* ---- a string -> number map ------------------------------------------ */

static size_t slot_of(const struct sl_strmap *map, const char *key)
{
	size_t i = (size_t)sl_hash_str(key) & (map->cap - 1);

	while (map->slots[i].key && strcmp(map->slots[i].key, key))
		i = (i + 1) & (map->cap - 1);
	return i;
}

static void strmap_grow(struct sl_strmap *map)
{
	struct sl_strmap old = *map;
	size_t i;

	map->cap = old.cap ? 2 * old.cap : 16;
	map->slots = sl_xcalloc(map->cap, sizeof(*map->slots));
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			map->slots[slot_of(map, old.slots[i].key)] =
			    old.slots[i];
	free(old.slots);
}

uint64_t sl_strmap_get(const struct sl_strmap *map, const char *key)
{
	size_t i;

	if (!map->cap)
		return UINT64_MAX;
	i = slot_of(map, key);
	return map->slots[i].key ? map->slots[i].value : UINT64_MAX;
}

uint64_t sl_strmap_put(struct sl_strmap *map, const char *key, uint64_t value)
{
	size_t i;

	if (2 * (map->n + 1) > map->cap)
		strmap_grow(map);
	i = slot_of(map, key);
	if (map->slots[i].key)
		return map->slots[i].value;
	map->slots[i].key = key;
	map->slots[i].value = value;
	map->n++;
	return value;
}

void sl_strmap_release(struct sl_strmap *map)
{
	free(map->slots);
	map->slots = NULL;
	map->cap = 0;
	map->n = 0;
}

/* ---- messages -------------------------------------------------------- */

void sl_load_printable(struct sl_buf *out, const char *text)
{
	size_t len = strlen(text);

	/* The one escaping of text for a terminal (common/text.c). */
	sl_buf_add_safe(out, text, len > SUBJECT_MAX ? SUBJECT_MAX : len, 0);
	if (len > SUBJECT_MAX)
		sl_buf_adds(out, "...");
}

const char *sl_load_subject(struct sl_loader *ld, const char *text)
{
	struct sl_buf *sb = &ld->subject[ld->next_subject];

	ld->next_subject = (ld->next_subject + 1) % SL_ARRAY_SIZE(ld->subject);
	sl_buf_reset(sb);
	sl_load_printable(sb, text);
	return sb->buf;
}

int sl_load_error(struct sl_loader *ld, uint32_t node, const char *fmt, ...)
{
	const struct sl_ynode *n = &ld->doc.nodes[node];
	struct sl_buf msg = SL_BUF_INIT;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	sl_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	ret = sl_error_set(ld->err, SL_ERULES, "%s:%u:%u: %s", ld->file,
			   (unsigned)n->line, (unsigned)n->col, msg.buf);
	sl_buf_release(&msg);
	return ret;
}

int sl_load_type_error(struct sl_loader *ld, uint32_t node, const char *what,
		       const char *want)
{
	const struct sl_ynode *n = &ld->doc.nodes[node];
	enum sl_ykind kind = sl_ydoc_kind(&ld->doc, node);
	const char *text =
	    n->type == SL_YSCALAR ? sl_ydoc_str(&ld->doc, node) : "";

	if (kind == SL_YK_STRING && !n->plain &&
	    sl_ykind_of_plain(text) != SL_YK_STRING &&
	    sl_ykind_of_plain(text) != SL_YK_NULL)
		return sl_load_error(ld, node,
				     "%s must be %s, not a string; remove the "
				     "quotes around \"%s\"",
				     what, want, sl_load_subject(ld, text));
	if (kind == SL_YK_INT || kind == SL_YK_FLOAT || kind == SL_YK_BOOL)
		return sl_load_error(ld, node,
				     "%s must be %s, not %s; quote it if it is "
				     "meant as a string: \"%s\"",
				     what, want, sl_ykind_name(kind),
				     sl_load_subject(ld, text));
	return sl_load_error(ld, node, "%s must be %s, not %s", what, want,
			     sl_ykind_name(kind));
}

/* ---- mappings of known keys ------------------------------------------ */

static int unknown_key(struct sl_loader *ld, uint32_t key,
		       const struct sl_field *fields, size_t nfields,
		       const char *where)
{
	const char *names[16], *text = sl_ydoc_str(&ld->doc, key), *close;
	struct sl_buf all = SL_BUF_INIT;
	size_t i;
	int ret;

	for (i = 0; i < nfields && i < SL_ARRAY_SIZE(names); i++)
		names[i] = fields[i].name;
	close = sl_suggest(text, names, i);
	if (close)
		return sl_load_error(ld, key,
				     "unknown key '%s' %s; did you mean '%s'?",
				     sl_load_subject(ld, text), where, close);
	for (i = 0; i < nfields; i++)
		sl_buf_addf(&all, "%s%s", i ? ", " : "", fields[i].name);
	ret =
	    sl_load_error(ld, key, "unknown key '%s' %s; the keys here are %s",
			  sl_load_subject(ld, text), where, all.buf);
	sl_buf_release(&all);
	return ret;
}

int sl_load_key(struct sl_loader *ld, uint32_t key)
{
	enum sl_ykind kind = sl_ydoc_kind(&ld->doc, key);

	if (kind == SL_YK_LIST || kind == SL_YK_MAP || kind == SL_YK_NULL)
		return sl_load_error(ld, key,
				     "a key must be a name, not %s; write "
				     "'name: value'",
				     sl_ykind_name(kind));
	return 0;
}

int sl_load_fields(struct sl_loader *ld, uint32_t node,
		   const struct sl_field *fields, size_t nfields,
		   const char *where, void *obj)
{
	const struct sl_ydoc *doc = &ld->doc;
	uint32_t seen[16] = {0}, key;
	size_t f;
	int ret;

	if (doc->nodes[node].type != SL_YMAP)
		return 0;
	for (key = node + 1; key < doc->nodes[node].end;) {
		uint32_t value = doc->nodes[key].end;

		ret = sl_load_key(ld, key);
		if (ret)
			return ret;
		for (f = 0; f < nfields; f++)
			if (!strcmp(fields[f].name, sl_ydoc_str(doc, key)))
				break;
		if (f == nfields)
			return unknown_key(ld, key, fields, nfields, where);
		if (seen[f])
			return sl_load_error(
			    ld, key,
			    "duplicate key '%s' (first at line %u); keep only "
			    "one",
			    fields[f].name, (unsigned)doc->nodes[seen[f]].line);
		seen[f] = key;
		ret = fields[f].read(ld, key, value, obj);
		if (ret)
			return ret;
		key = doc->nodes[value].end;
	}
	return 0;
}

/* ---- typed values ---------------------------------------------------- */

static bool is_string(const struct sl_loader *ld, uint32_t node)
{
	return sl_ydoc_kind(&ld->doc, node) == SL_YK_STRING;
}

static bool is_null(const struct sl_loader *ld, uint32_t node)
{
	return sl_ydoc_kind(&ld->doc, node) == SL_YK_NULL;
}

int sl_load_string(char **out, struct sl_loader *ld, uint32_t node,
		   const char *what)
{
	if (!is_string(ld, node))
		return sl_load_type_error(ld, node, what, "a string");
	if (!ld->doc.nodes[node].len)
		return sl_load_error(ld, node, "%s must not be empty", what);
	*out = sl_xstrdup(sl_ydoc_str(&ld->doc, node));
	return 0;
}

int sl_load_text(const char **out, struct sl_loader *ld, uint32_t node,
		 const char *what, const char *want)
{
	if (ld->doc.nodes[node].type != SL_YSCALAR || is_null(ld, node))
		return sl_load_type_error(ld, node, what, want);
	*out = sl_ydoc_str(&ld->doc, node);
	return 0;
}

int sl_load_bool(bool *out, struct sl_loader *ld, uint32_t node,
		 const char *what)
{
	const char *text = sl_ydoc_str(&ld->doc, node);

	if (sl_ydoc_kind(&ld->doc, node) != SL_YK_BOOL)
		return sl_load_type_error(ld, node, what, "true or false");
	*out = text[0] == 't' || text[0] == 'T';
	return 0;
}

int sl_load_uint(uint64_t *out, struct sl_loader *ld, uint32_t node,
		 const char *what)
{
	const char *text = sl_ydoc_str(&ld->doc, node);
	uint64_t v = 0;

	if (sl_ydoc_kind(&ld->doc, node) != SL_YK_INT)
		return sl_load_type_error(ld, node, what, "an integer");
	if (*text == '+')
		text++;
	if (*text == '-') {
		/* "-0" is zero; every other negative is out of range. */
		for (text++; *text == '0'; text++)
			;
		*out = *text ? UINT64_MAX : 0;
		return 0;
	}
	for (; *text; text++) {
		unsigned d = (unsigned)(*text - '0');

		v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
	}
	*out = v;
	return 0;
}

int sl_load_list(size_t *out, struct sl_loader *ld, uint32_t node,
		 const char *what, const char *want)
{
	*out = 0;
	if (is_null(ld, node))
		return 0;
	if (ld->doc.nodes[node].type != SL_YSEQ)
		return sl_load_type_error(ld, node, what, want);
	*out = ld->doc.nodes[node].n;
	return 0;
}

int sl_load_string_list(struct sl_strvec *out, struct sl_loader *ld,
			uint32_t node, const char *what)
{
	struct sl_buf entry = SL_BUF_INIT;
	uint32_t item;
	size_t n;
	int ret;

	ret = sl_load_list(&n, ld, node, what, "a list of strings");
	if (ret || !n)
		return ret;
	sl_buf_adds3(&entry, "an entry of ", what, "");
	for (item = node + 1; item < ld->doc.nodes[node].end;
	     item = ld->doc.nodes[item].end) {
		char *s = NULL;

		ret = sl_load_string(&s, ld, item, entry.buf);
		if (ret)
			break;
		sl_strvec_push_take(out, s);
	}
	sl_buf_release(&entry);
	return ret;
}

/* Appends text to err's message with control bytes escaped. */
static void add_one_line(struct sl_error *err, const char *text)
{
	if (err)
		sl_buf_adds_safe(&err->msg, text);
}

int sl_load_pattern_error(struct sl_loader *ld, struct sl_pos pos,
			  const struct sl_error *err)
{
	/* The pattern's own message says what is wrong with it; it quotes
	 * the pattern, which may hold a line break. */
	int ret = sl_error_set(ld->err, SL_ERULES, "%s:%u:%u: ", ld->file,
			       pos.line, pos.col);

	add_one_line(ld->err, sl_error_message(err));
	return ret;
}

int sl_load_pattern(struct sl_rule *rule, struct sl_loader *ld, uint32_t node,
		    const char *what)
{
	const struct sl_ynode *n = &ld->doc.nodes[node];
	struct sl_error err = SL_ERROR_INIT;
	int ret = 0;

	rule->lane = SL_NO_LANE;
	rule->pos.line = n->line;
	rule->pos.col = n->col;
	if (!is_string(ld, node))
		return sl_load_type_error(ld, node, what,
					  "a pattern (a string)");
	rule->text = sl_xstrdup(sl_ydoc_str(&ld->doc, node));
	if (ld->offer) {
		struct sl_pending_pattern *p;

		SL_ALLOC_GROW(ld->pending, ld->npending + 1, ld->pending_alloc);
		p = &ld->pending[ld->npending++];
		rule->pattern = sl_pattern_new_empty();
		*p = (struct sl_pending_pattern){.pattern = rule->pattern,
						 .text = rule->text,
						 .pos = rule->pos,
						 .err = SL_ERROR_INIT};
		return 0;
	}
	if (sl_pattern_compile(&rule->pattern, rule->text, &err))
		ret = sl_load_pattern_error(ld, rule->pos, &err);
	sl_error_release(&err);
	return ret;
}

int sl_load_pattern_list(struct sl_rule_list *out, struct sl_loader *ld,
			 uint32_t node, const char *what)
{
	struct sl_buf entry = SL_BUF_INIT;
	uint32_t item;
	size_t n;
	int ret;

	ret = sl_load_list(&n, ld, node, what, "a list of patterns");
	if (ret || !n)
		return ret;
	out->items = sl_xcalloc(n, sizeof(*out->items));
	sl_buf_adds3(&entry, "an entry of ", what, "");
	for (item = node + 1; item < ld->doc.nodes[node].end;
	     item = ld->doc.nodes[item].end) {
		/* Counted first, so that a failure frees what it started. */
		out->n++;
		ret = sl_load_pattern(&out->items[out->n - 1], ld, item,
				      entry.buf);
		if (ret)
			break;
	}
	sl_buf_release(&entry);
	return ret;
}

static bool name_char(char c, bool first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '.' || c == '_' || c == '-');
}

int sl_load_name_text(struct sl_loader *ld, uint32_t node, const char *text,
		      const char *what)
{
	size_t i;

	for (i = 0; text[i]; i++)
		if (!name_char(text[i], i == 0))
			break;
	if (!i || text[i])
		return sl_load_error(
		    ld, node,
		    "%s '%s' is not a valid name; use letters, digits, '.', "
		    "'_' and '-', starting with a letter or a digit",
		    what, sl_load_subject(ld, text));
	if (i > NAME_MAX_LEN)
		return sl_load_error(ld, node,
				     "%s '%s' is longer than %d characters; "
				     "shorten it",
				     what, sl_load_subject(ld, text),
				     NAME_MAX_LEN);
	return 0;
}

int sl_load_name(const char **out, struct sl_loader *ld, uint32_t node,
		 const char *what)
{
	const char *text;
	int ret;

	ret = sl_load_key(ld, node);
	if (ret)
		return ret;
	text = sl_ydoc_str(&ld->doc, node);
	ret = sl_load_name_text(ld, node, text, what);
	if (!ret)
		*out = text;
	return ret;
}
