/*
 * yaml_split.c: a large rules file parsed in two parts at once. libyaml
 * reads about 150 instructions a byte, half of a large file's load, and
 * cannot be asked to read from the middle; but a rules file is a mapping
 * whose `lanes` mapping holds nearly all of it, one entry per lane, each
 * starting on a line of its own at one indentation. Such a line S in the
 * middle of the lanes splits the file: the part before S is a document of
 * its own (the lanes mapping ends early), and so is the part from S to the
 * end of the lanes (a mapping indented by K spaces), and so is the rest
 * (the top-level keys after `lanes`, usually none). A helper parses the
 * second part while this thread parses the first; the trees are joined.
 *
 * The lines are only where to try. What decides is how each part parsed:
 * the first must end with exactly the lanes mapping and the top level
 * still open (so that S is a key of the lanes mapping, in block style,
 * and nothing before S reads on past it: a quoted or flow value left open
 * fails its parse), the second must be one block mapping at S's line and
 * indentation, and the third one at the top level's. Anything else, and
 * any error in any part, and the whole file is parsed as one, which is
 * what gives the messages. tests/rules/test_yaml_split.c holds split
 * parses to whole ones on files made to break them.
 */
#include "common/common.h"

#include "rules/internal.h"
#include "rules/load_internal.h"

/* Smaller files parse in less time than a helper takes to start. */
#define SPLIT_MIN (32 * 1024)

struct split {
	size_t s, e; /* the second part: data[s .. e) */
	unsigned k;  /* the indentation of the lanes' keys */
};

struct part {
	const char *data;
	size_t len;
	unsigned depth; /* collections it sits in within the file */
	struct sl_ydoc doc;
	struct sl_ydoc_shape shape;
	int ret;
};

static size_t line_end(const char *data, size_t len, size_t at)
{
	const char *nl = memchr(data + at, '\n', len - at);

	return nl ? (size_t)(nl - data) + 1 : len;
}

static size_t indent_of(const char *line, size_t n)
{
	size_t i = 0;

	while (i < n && line[i] == ' ')
		i++;
	return i;
}

static bool key_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '"' || c == '\'';
}

/* Only spaces, or spaces and a comment: no token at all. */
static bool empty_line(const char *line, size_t n)
{
	size_t i = indent_of(line, n);

	return i == n || line[i] == '\n' || line[i] == '\r' || line[i] == '#';
}

/* The line that starts the lanes mapping ("lanes:" at column 0). */
static bool find_lanes(size_t *out, const char *data, size_t len)
{
	size_t at = 0;

	while (at < len) {
		size_t end = line_end(data, len, at), i = at + 6;

		if (end - at >= 6 && !memcmp(data + at, "lanes:", 6)) {
			while (i < end && data[i] == ' ')
				i++;
			if (i == end || data[i] == '\n' || data[i] == '\r' ||
			    data[i] == '#') {
				*out = end;
				return true;
			}
		}
		at = end;
	}
	return false;
}

/* Where to try: a lane's first line near the middle of the file. */
static bool find_split(struct split *sp, const char *data, size_t len)
{
	size_t at, first, end;

	if (!find_lanes(&at, data, len))
		return false;
	for (; at < len && empty_line(data + at, line_end(data, len, at) - at);
	     at = line_end(data, len, at))
		;
	first = at;
	end = line_end(data, len, at);
	sp->k = (unsigned)indent_of(data + at, end - at);
	if (at == len || !sp->k || !key_start(data[at + sp->k]))
		return false;
	/* From the middle on, the first line of a lane after the first. */
	at = line_end(data, len, first > len / 2 ? first : len / 2);
	for (; at < len; at = line_end(data, len, at)) {
		end = line_end(data, len, at);
		if (indent_of(data + at, end - at) == sp->k &&
		    key_start(data[at + sp->k]))
			break;
	}
	if (at >= len)
		return false;
	sp->s = at;
	/* The lanes end at the first line with a token further left. */
	for (at = line_end(data, len, at); at < len; at = end) {
		end = line_end(data, len, at);
		if (data[at] == '\t')
			return false;
		if (!empty_line(data + at, end - at) &&
		    indent_of(data + at, end - at) < sp->k)
			break;
	}
	sp->e = at;
	return at == len || key_start(data[at]);
}

static void parse_part(void *arg)
{
	struct part *p = arg;

	p->ret =
	    sl_ydoc_parse_part(&p->doc, &p->shape, p->data, p->len, p->depth);
}

static void part_init(struct part *p, const char *data, size_t len,
		      unsigned depth)
{
	memset(p, 0, sizeof(*p));
	p->data = data;
	p->len = len;
	p->depth = depth;
	p->doc = (struct sl_ydoc)SL_YDOC_INIT;
}

static bool block_map(const struct sl_ydoc *doc, uint32_t node)
{
	return node < doc->nnodes && doc->nodes[node].type == SL_YMAP &&
	       !doc->nodes[node].flow;
}

/* A part that is one block mapping whose first key is at line 1, col. */
static bool one_mapping(const struct part *p, uint32_t col)
{
	const struct sl_ydoc *doc = &p->doc;

	return !p->ret && p->shape.implicit_start && block_map(doc, 0) &&
	       doc->nnodes > 1 && doc->nodes[1].line == 1 &&
	       doc->nodes[1].col == col;
}

/*
 * Do the parts' trees make the file's? The first part's last events
 * close the lanes mapping (a block mapping at the top level whose keys
 * are at column k + 1) and then the top level, with nothing between: so
 * both were open at its end, as they are at S in the file.
 */
static bool parts_fit(uint32_t *lanes, const struct part *p,
		      const struct part *q, const struct part *r, unsigned k)
{
	const struct sl_ydoc *doc = &p->doc;

	*lanes = p->shape.last_closed[1];
	if (p->ret || !p->shape.implicit_end || !block_map(doc, 0) ||
	    p->shape.closes_at_end < 2 || p->shape.last_closed[0] != 0 ||
	    !block_map(doc, *lanes) || *lanes + 1 >= doc->nnodes ||
	    doc->nodes[*lanes + 1].col != k + 1)
		return false;
	/* An empty value libyaml makes up for a key written with '?' and no
	 * ':' takes the place of what follows: the end of the part here,
	 * S's key in the file. Nothing else in a tree is placed by what
	 * comes after it. */
	if (doc->nodes[doc->nnodes - 1].line > p->shape.lines)
		return false;
	if (!one_mapping(q, k + 1) || !q->shape.implicit_end)
		return false;
	return !r || one_mapping(r, doc->nodes[1].col);
}

/* Appends part's nodes but its root (a continuation) to doc. */
static void append_nodes(struct sl_ydoc *doc, const struct part *part,
			 uint32_t lines_before)
{
	const struct sl_ydoc *from = &part->doc;
	uint32_t shift = doc->nnodes - 1, text = (uint32_t)doc->text.len, i;

	SL_ALLOC_GROW(doc->nodes, (size_t)doc->nnodes + from->nnodes,
		      doc->alloc);
	for (i = 1; i < from->nnodes; i++) {
		struct sl_ynode *n = &doc->nodes[doc->nnodes++];

		*n = from->nodes[i];
		n->end += shift;
		n->off += text;
		n->line += lines_before;
	}
	sl_buf_add(&doc->text, from->text.buf, from->text.len);
}

static void join_parts(struct sl_ydoc *doc, struct part *p,
		       const struct part *q, const struct part *r,
		       uint32_t lanes)
{
	*doc = p->doc;
	p->doc = (struct sl_ydoc)SL_YDOC_INIT;
	append_nodes(doc, q, p->shape.lines);
	doc->nodes[lanes].n += q->doc.nodes[0].n;
	doc->nodes[lanes].end = doc->nnodes;
	if (r) {
		append_nodes(doc, r, p->shape.lines + q->shape.lines);
		doc->nodes[0].n += r->doc.nodes[0].n;
	}
	doc->nodes[0].end = doc->nnodes;
}

int sl_ydoc_parse_helped(struct sl_ydoc *doc, const struct sl_rules_text *file,
			 struct sl_rules_helpers *helpers, struct sl_error *err)
{
	const char *data = file->data ? file->data : "", *text = data;
	size_t n = file->len;
	struct part p, q, r;
	struct sl_rules_job job = {0};
	struct split sp;
	uint32_t lanes;
	bool fit, rest;

	/* As sl_ydoc_parse() does: a byte order mark is not content. */
	if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
		text += 3;
		n -= 3;
	}
	/* Offered even when no helper waits: one may come while the first
	 * part is read, and if none does this thread reads the second too,
	 * for little more than the whole file's parse. */
	if (!helpers || n < SPLIT_MIN || !find_split(&sp, text, n))
		return sl_ydoc_parse(doc, file->name, data, file->len, err);
	part_init(&q, text + sp.s, sp.e - sp.s, 1);
	job.run = parse_part;
	job.arg = &q;
	sl_rules_job_offer(helpers, &job);
	part_init(&p, text, sp.s, 0);
	parse_part(&p);
	sl_rules_job_join(helpers, &job);
	rest = sp.e < n;
	part_init(&r, text + sp.e, n - sp.e, 0);
	if (rest)
		parse_part(&r);
	fit = parts_fit(&lanes, &p, &q, rest ? &r : NULL, sp.k);
	if (fit) {
		join_parts(doc, &p, &q, rest ? &r : NULL, lanes);
		sl_rules_helpers_count_split(helpers);
	}
	sl_ydoc_release(&p.doc);
	sl_ydoc_release(&q.doc);
	sl_ydoc_release(&r.doc);
	return fit ? 0 : sl_ydoc_parse(doc, file->name, data, file->len, err);
}
