/*
 * yaml.c: the one file that calls libyaml. It reads the rules file with the
 * event API (never the document loader, which would expand aliases) into a
 * flat tree of nodes, refusing what a rules file never needs and an attacker
 * would use: anchors and aliases (refused at the first one, so a "billion
 * laughs" costs nothing), tags, a second document, nesting past
 * SL_RULES_MAX_DEPTH (refused as soon as it is reached, without recursion)
 * and NUL bytes. libyaml's own errors become "file:line:col" messages here.
 * What the keys mean is rules/schema.c's and rules/load.c's business.
 */
#include "common/common.h"

#include <yaml.h>

#include "rules/load_internal.h"

struct reader {
	struct sl_ydoc *doc;
	const char *file;
	const char *data;
	size_t len;
	struct sl_error *err;
	yaml_parser_t parser;
	uint32_t stack[SL_RULES_MAX_DEPTH + 1]; /* open collections */
	unsigned depth;
};

static int error_at(struct reader *r, yaml_mark_t mark, const char *fmt, ...)
    SL_PRINTF(3, 4);

static int error_at(struct reader *r, yaml_mark_t mark, const char *fmt, ...)
{
	struct sl_buf msg = SL_BUF_INIT;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	sl_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	ret = sl_error_set(r->err, SL_ERULES, "%s:%zu:%zu: %s", r->file,
			   mark.line + 1, mark.column + 1, msg.buf);
	sl_buf_release(&msg);
	return ret;
}

/* The character at libyaml's character index, for a hint; 0 if none. */
static unsigned char char_at(const struct reader *r, size_t index)
{
	size_t i, chars = 0;

	for (i = 0; i < r->len; i++) {
		if (((unsigned char)r->data[i] & 0xC0) == 0x80)
			continue;
		if (chars++ == index)
			return (unsigned char)r->data[i];
	}
	return 0;
}

/* A reader error carries a byte offset, not a mark: make one. */
static yaml_mark_t mark_of_offset(const struct reader *r, size_t offset)
{
	yaml_mark_t mark = {0, 0, 0};
	size_t i;

	for (i = 0; i < offset && i < r->len; i++) {
		if (r->data[i] == '\n') {
			mark.line++;
			mark.column = 0;
		} else if (((unsigned char)r->data[i] & 0xC0) != 0x80) {
			mark.column++;
		}
	}
	return mark;
}

static const char *syntax_hint(const struct reader *r, yaml_mark_t mark)
{
	unsigned char c = char_at(r, mark.index);
	unsigned char start = char_at(r, r->parser.context_mark.index);

	/* "*.md" unquoted reads as an alias with a bad name. */
	if (r->parser.context && (start == '*' || start == '&'))
		return "quote values that start with '*' or '&'";

	if (c == '\t')
		return "indent with spaces, not tabs";
	if (c == '@' || c == '`')
		return "quote values that start with '@' or '`'";
	if (c == '%')
		return "quote values that start with '%'";
	return "check the indentation and the quoting here";
}

static int syntax_error(struct reader *r)
{
	yaml_parser_t *p = &r->parser;
	yaml_mark_t mark = p->problem_mark;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return sl_error_set(r->err, SL_EENV,
				    "%s: out of memory while reading the YAML",
				    r->file);
	case YAML_READER_ERROR:
		mark = mark_of_offset(r, p->problem_offset);
		return error_at(r, mark, "not a valid UTF-8 text file: %s; %s",
				p->problem ? p->problem : "unreadable",
				"save the rules file as UTF-8");
	default:
		break;
	}
	if (p->context)
		return error_at(r, mark,
				"YAML syntax error: %s (%s that starts at line "
				"%zu, column %zu); %s",
				p->problem ? p->problem : "unexpected text",
				p->context, p->context_mark.line + 1,
				p->context_mark.column + 1,
				syntax_hint(r, mark));
	return error_at(r, mark, "YAML syntax error: %s; %s",
			p->problem ? p->problem : "unexpected text",
			syntax_hint(r, mark));
}

/* Appends a node as the next child of the innermost open collection. */
static uint32_t add_node(struct reader *r, enum sl_ynode_type type,
			 yaml_mark_t mark)
{
	struct sl_ydoc *doc = r->doc;
	struct sl_ynode *node;
	uint32_t i = doc->nnodes;

	SL_ALLOC_GROW(doc->nodes, (size_t)i + 1, doc->alloc);
	node = &doc->nodes[i];
	memset(node, 0, sizeof(*node));
	node->type = (uint8_t)type;
	node->line = (uint32_t)mark.line + 1;
	node->col = (uint32_t)mark.column + 1;
	node->end = i + 1;
	doc->nnodes = i + 1;
	if (r->depth)
		doc->nodes[r->stack[r->depth - 1]].n++;
	return i;
}

static int add_scalar(struct reader *r, const yaml_event_t *ev)
{
	const char *value = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	struct sl_ynode *node;
	uint32_t i;

	if (memchr(value, '\0', len))
		return error_at(r, ev->start_mark,
				"a value holds a NUL byte; remove the \\0 "
				"escape");
	i = add_node(r, SL_YSCALAR, ev->start_mark);
	node = &r->doc->nodes[i];
	node->off = (uint32_t)r->doc->text.len;
	node->len = (uint32_t)len;
	node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	sl_buf_add(&r->doc->text, value, len);
	sl_buf_addch(&r->doc->text, '\0');
	return 0;
}

static int open_collection(struct reader *r, enum sl_ynode_type type,
			   yaml_mark_t mark, bool flow)
{
	if (r->depth >= SL_RULES_MAX_DEPTH)
		return error_at(r, mark,
				"nesting deeper than %d levels; a rules file "
				"never needs that many: flatten it",
				SL_RULES_MAX_DEPTH);
	r->stack[r->depth] = add_node(r, type, mark);
	r->doc->nodes[r->stack[r->depth]].flow = flow;
	r->depth++;
	return 0;
}

static void close_collection(struct reader *r)
{
	uint32_t node;

	r->depth--;
	node = r->stack[r->depth];
	r->doc->nodes[node].end = r->doc->nnodes;
}

/* An anchor or alias named name, written with sigil ('&' or '*'). */
static int refuse_anchor(struct reader *r, yaml_mark_t mark, char sigil,
			 const yaml_char_t *name)
{
	struct sl_buf shown = SL_BUF_INIT;
	int ret;

	sl_load_printable(&shown, (const char *)name);
	ret = error_at(r, mark,
		       "anchors and aliases are not allowed ('%c%s'); write "
		       "the value out in full, and quote a value that starts "
		       "with '%c'",
		       sigil, shown.buf, sigil);
	sl_buf_release(&shown);
	return ret;
}

/* Anchors and tags are refused wherever they appear. */
static int check_props(struct reader *r, const yaml_event_t *ev,
		       const yaml_char_t *anchor, const yaml_char_t *tag)
{
	struct sl_buf shown = SL_BUF_INIT;
	int ret;

	if (anchor)
		return refuse_anchor(r, ev->start_mark, '&', anchor);
	if (!tag)
		return 0;
	sl_load_printable(&shown, (const char *)tag);
	ret = error_at(r, ev->start_mark,
		       "tags are not allowed ('%s'); remove the tag, and quote "
		       "the value if it is meant as a string",
		       shown.buf);
	sl_buf_release(&shown);
	return ret;
}

static int handle_event(struct reader *r, const yaml_event_t *ev)
{
	int ret;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (r->doc->nnodes)
			return error_at(r, ev->start_mark,
					"a second YAML document starts here; "
					"a rules file holds one document: "
					"remove this '---' and what follows");
		return 0;
	case YAML_ALIAS_EVENT:
		return refuse_anchor(r, ev->start_mark, '*',
				     ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		ret = check_props(r, ev, ev->data.scalar.anchor,
				  ev->data.scalar.tag);
		return ret ? ret : add_scalar(r, ev);
	case YAML_SEQUENCE_START_EVENT:
		ret = check_props(r, ev, ev->data.sequence_start.anchor,
				  ev->data.sequence_start.tag);
		return ret ? ret
			   : open_collection(r, SL_YSEQ, ev->start_mark,
					     ev->data.sequence_start.style ==
						 YAML_FLOW_SEQUENCE_STYLE);
	case YAML_MAPPING_START_EVENT:
		ret = check_props(r, ev, ev->data.mapping_start.anchor,
				  ev->data.mapping_start.tag);
		return ret ? ret
			   : open_collection(r, SL_YMAP, ev->start_mark,
					     ev->data.mapping_start.style ==
						 YAML_FLOW_MAPPING_STYLE);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		close_collection(r);
		return 0;
	default:
		return 0;
	}
}

/* Reads r's input to the end of the stream, or to the first error. */
static int read_events(struct reader *r)
{
	yaml_event_t ev;
	bool end = false;
	int ret = 0;

	if (!yaml_parser_initialize(&r->parser))
		return sl_error_set(r->err, SL_EENV,
				    "%s: out of memory while reading the YAML",
				    r->file);
	yaml_parser_set_input_string(&r->parser, (const unsigned char *)r->data,
				     r->len);
	yaml_parser_set_encoding(&r->parser, YAML_UTF8_ENCODING);
	while (!ret && !end) {
		if (!yaml_parser_parse(&r->parser, &ev)) {
			ret = syntax_error(r);
			break;
		}
		end = ev.type == YAML_STREAM_END_EVENT;
		ret = handle_event(r, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&r->parser);
	return ret;
}

static void reader_init(struct reader *r, struct sl_ydoc *doc, const char *data,
			size_t len, struct sl_error *err)
{
	memset(r, 0, sizeof(*r));
	r->doc = doc;
	r->data = data;
	r->len = len;
	r->err = err;
}

int sl_ydoc_parse(struct sl_ydoc *doc, const char *file, const char *data,
		  size_t len, struct sl_error *err)
{
	struct reader r;

	if (!data)
		data = ""; /* an empty buffer, which libyaml refuses as NULL */
	/* An editor's byte order mark is not content (and with the encoding
	 * fixed to UTF-8, libyaml would read it as some). */
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
		data += 3;
		len -= 3;
	}
	reader_init(&r, doc, data, len, err);
	r.file = file;
	return read_events(&r);
}

void sl_ydoc_release(struct sl_ydoc *doc)
{
	free(doc->nodes);
	doc->nodes = NULL;
	doc->nnodes = 0;
	doc->alloc = 0;
	sl_buf_release(&doc->text);
}

/* ---- typing plain scalars (YAML 1.2's core schema) ------------------- */

static bool is_int(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static size_t digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

static bool is_float(const char *s)
{
	static const char *const special[] = {
	    ".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN",
	};
	size_t i, n;

	if (*s == '-' || *s == '+')
		s++;
	for (i = 0; i < SL_ARRAY_SIZE(special); i++)
		if (!strcmp(s, special[i]))
			return true;
	n = digits(s);
	s += n;
	if (*s == '.') {
		size_t frac = digits(s + 1);

		if (!n && !frac)
			return false;
		s += 1 + frac;
	} else if (!n) {
		return false;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		n = digits(s);
		if (!n)
			return false;
		s += n;
	}
	return !*s;
}

enum sl_ykind sl_ykind_of_plain(const char *s)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	static const char *const bools[] = {"true",  "True",  "TRUE",
					    "false", "False", "FALSE"};
	size_t i;

	/* Every null, boolean and number starts with one of these. */
	if (*s && !strchr("~nNtTfF+-.0123456789", *s))
		return SL_YK_STRING;
	for (i = 0; i < SL_ARRAY_SIZE(nulls); i++)
		if (!strcmp(s, nulls[i]))
			return SL_YK_NULL;
	for (i = 0; i < SL_ARRAY_SIZE(bools); i++)
		if (!strcmp(s, bools[i]))
			return SL_YK_BOOL;
	if (is_int(s))
		return SL_YK_INT;
	if (is_float(s))
		return SL_YK_FLOAT;
	return SL_YK_STRING;
}

enum sl_ykind sl_ydoc_kind(const struct sl_ydoc *doc, uint32_t node)
{
	const struct sl_ynode *n = &doc->nodes[node];

	if (n->type == SL_YSEQ)
		return SL_YK_LIST;
	if (n->type == SL_YMAP)
		return SL_YK_MAP;
	if (!n->plain)
		return SL_YK_STRING;
	return sl_ykind_of_plain(sl_ydoc_str(doc, node));
}

const char *sl_ykind_name(enum sl_ykind kind)
{
	switch (kind) {
	case SL_YK_NULL:
		return "null";
	case SL_YK_BOOL:
		return "a boolean";
	case SL_YK_INT:
		return "an integer";
	case SL_YK_FLOAT:
		return "a number";
	case SL_YK_STRING:
		return "a string";
	case SL_YK_LIST:
		return "a list";
	case SL_YK_MAP:
		return "a mapping";
	}
	return "a value";
}
