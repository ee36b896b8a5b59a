/*
 * codeowners.c: sl_codeowners_convert(), a CODEOWNERS file in, a rules file
 * out. It gives each owner set one lane, orders the lanes so that few
 * patterns need to leave anything out, and writes each CODEOWNERS line's
 * pattern into its lane so that sluice's "last matching pattern wins, lanes
 * in file order" gives every path the owners CODEOWNERS's "last matching
 * line wins" gives it (docs/codeowners.md has the argument). It also says
 * what GitLab's sections lose when flattened. Reading the file is
 * codeowners_parse.c's; one pattern's meaning and regular expression are
 * codeowners_regex.c's; writing the YAML is codeowners_yaml.c's.
 */
#include "common/common.h"

#include "rules/codeowners_internal.h"
#include "rules/rules.h"

/* Past this many owner sets the lanes keep the order of their first line. */
#define ORDER_MAX_LANES 2048
/* Lines named in one comment before "and N more". */
#define NOTE_MAX_LINES 8

/*
 * Leaves out the lines whose glob the rules file refuses: glob.c refuses
 * exactly the patterns git never matches, so they decide nothing.
 */
static void check_globs(struct sl_co_file *f)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_pattern *pattern;
	struct sl_co_entry *e;
	size_t i;

	for (i = 0; i < f->nentries; i++) {
		e = &f->entries[i];
		/* Written as a regular expression (below), never as a glob. */
		if (e->dropped || !strncmp(e->glob.text, "re:", 3))
			continue;
		if (sl_pattern_compile(&pattern, e->glob.text, &err)) {
			sl_co_warn(f, e->line,
				   "'%s' is left out, as it decides nothing: "
				   "%s",
				   e->pattern, sl_error_message(&err));
			e->dropped = true;
		}
		sl_pattern_free(pattern);
	}
	sl_error_release(&err);
}

/* Marks each line that a later line covers: it never decides a path. */
static void find_dead(struct sl_co_file *f, const struct sl_co_index *x)
{
	struct sl_co_entry *e = f->entries;
	size_t i, j, n, *later = NULL, alloc = 0;

	for (i = 0; i < f->nentries; i++) {
		if (e[i].dropped)
			continue;
		n = sl_co_index_later(&later, &alloc, x, i);
		/* The last line that covers it. */
		while (n--) {
			j = later[n];
			if (!e[j].dropped &&
			    sl_co_glob_covers(&e[j].glob, &e[i].glob)) {
				e[i].dead_by = j;
				break;
			}
		}
	}
	free(later);
}

/* ---- owner sets ---------------------------------------------------------- */

struct keyed {
	char *key;
	size_t entry;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* The owners sorted, one per line: equal keys, equal owner sets. */
static char *owner_key(const struct sl_strvec *owners)
{
	struct sl_buf key = SL_BUF_INIT;
	char **v = sl_xcalloc(owners->n + 1, sizeof(*v));
	size_t i;

	memcpy(v, owners->v, owners->n * sizeof(*v));
	qsort(v, owners->n, sizeof(*v), cmp_str);
	for (i = 0; i < owners->n; i++)
		sl_buf_addf(&key, "%s\n", v[i]);
	free(v);
	return sl_buf_detach(&key, NULL);
}

/* Gives each live entry its lane: one per owner set, by first line. */
static void group_sets(struct sl_co_conv *c)
{
	struct sl_co_entry *e = c->file.entries;
	struct keyed *k = sl_xcalloc(c->file.nentries + 1, sizeof(*k));
	size_t n = 0, i, lane = 0;
	size_t *group_of = sl_xcalloc(c->file.nentries + 1, sizeof(*group_of));

	for (i = 0; i < c->file.nentries; i++) {
		if (!sl_co_entry_live(&e[i]))
			continue;
		k[n].key = owner_key(&e[i].owners);
		k[n++].entry = i;
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	/* Each group's first member is its first line. */
	for (i = 0; i < n; i++)
		group_of[k[i].entry] = i && !strcmp(k[i].key, k[i - 1].key)
					   ? group_of[k[i - 1].entry]
					   : k[i].entry;
	c->lanes = sl_xcalloc(n + 1, sizeof(*c->lanes));
	for (i = 0; i < c->file.nentries; i++) {
		if (!sl_co_entry_live(&e[i]))
			continue;
		if (group_of[i] == i) {
			c->lanes[lane].first = i;
			e[i].set = lane++;
		} else {
			e[i].set = e[group_of[i]].set;
		}
	}
	c->nlanes = lane;
	for (i = 0; i < n; i++)
		free(k[i].key);
	free(k);
	free(group_of);
}

/* Lists each lane's live entries, in file order (a counting sort). */
static void group_lanes(struct sl_co_conv *c)
{
	const struct sl_co_entry *e = c->file.entries;
	size_t i, *next;

	c->lane_start = sl_xcalloc(c->nlanes + 2, sizeof(*c->lane_start));
	c->by_lane = sl_xcalloc(c->file.nentries + 1, sizeof(*c->by_lane));
	for (i = 0; i < c->file.nentries; i++)
		if (sl_co_entry_live(&e[i]))
			c->lane_start[e[i].set + 1]++;
	for (i = 0; i < c->nlanes; i++)
		c->lane_start[i + 1] += c->lane_start[i];
	next = sl_xcalloc(c->nlanes + 1, sizeof(*next));
	memcpy(next, c->lane_start, c->nlanes * sizeof(*next));
	for (i = 0; i < c->file.nentries; i++)
		if (sl_co_entry_live(&e[i]))
			c->by_lane[next[e[i].set]++] = i;
	free(next);
}

/* ---- lane order ---------------------------------------------------------- */

/*
 * w[a * n + b] counts pairs of lines, one of lane a before one of lane b,
 * that may match one path: each pair costs an exclusion unless lane a is
 * written before lane b.
 */
static uint32_t *pair_weights(const struct sl_co_conv *c)
{
	const struct sl_co_entry *e = c->file.entries;
	size_t n = c->nlanes, i, j, k, m, *later = NULL, alloc = 0;
	uint32_t *w = sl_xcalloc(sl_st_mult(n, n), sizeof(*w));

	for (i = 0; i < c->file.nentries; i++) {
		if (!sl_co_entry_live(&e[i]))
			continue;
		m = sl_co_index_later(&later, &alloc, c->index, i);
		for (k = 0; k < m; k++) {
			j = later[k];
			if (sl_co_entry_live(&e[j]) && e[j].set != e[i].set &&
			    !sl_co_glob_disjoint(&e[i].glob, &e[j].glob))
				w[e[i].set * n + e[j].set]++;
		}
	}
	free(later);
	return w;
}

struct els {
	const uint32_t *w;
	size_t n;
	uint64_t *out, *in; /* weight to and from the lanes still left */
	bool *done;
};

static void els_take(struct els *s, size_t u)
{
	size_t v;

	s->done[u] = true;
	for (v = 0; v < s->n; v++) {
		s->out[v] -= s->w[v * s->n + u];
		s->in[v] -= s->w[u * s->n + v];
	}
}

/* The next lane for the front: a source, else the most "forward" one. */
static size_t els_front(const struct els *s, bool *source)
{
	size_t u, best = SIZE_MAX;
	int64_t score, best_score = INT64_MIN;

	for (u = 0; u < s->n; u++) {
		if (s->done[u])
			continue;
		if (!s->in[u]) {
			*source = true;
			return u;
		}
		score = (int64_t)s->out[u] - (int64_t)s->in[u];
		if (score > best_score) {
			best_score = score;
			best = u;
		}
	}
	*source = false;
	return best;
}

/*
 * Orders the lanes to leave few pairs backwards (a minimum feedback arc
 * set, by Eades, Lin and Smyth's greedy rule): sinks go to the back,
 * sources to the front, else the lane with the most weight forward. Ties go
 * to the order of first lines, so a file without conflicts keeps its order.
 */
static void order_lanes(struct sl_co_conv *c)
{
	struct els s = {0};
	size_t n = c->nlanes, front = 0, back = n, u, v, left = n;
	uint32_t *w;
	bool source;

	c->order = sl_xcalloc(n + 1, sizeof(*c->order));
	c->pos = sl_xcalloc(n + 1, sizeof(*c->pos));
	if (n > ORDER_MAX_LANES) {
		for (u = 0; u < n; u++)
			c->order[u] = c->pos[u] = u;
		return;
	}
	w = pair_weights(c);
	s.w = w;
	s.n = n;
	s.out = sl_xcalloc(n + 1, sizeof(*s.out));
	s.in = sl_xcalloc(n + 1, sizeof(*s.in));
	s.done = sl_xcalloc(n + 1, sizeof(*s.done));
	for (u = 0; u < n; u++)
		for (v = 0; v < n; v++) {
			s.out[u] += w[u * n + v];
			s.in[v] += w[u * n + v];
		}
	while (left) {
		for (u = n; u-- > 0;)
			if (!s.done[u] && !s.out[u])
				break;
		if (u == SIZE_MAX) {
			u = els_front(&s, &source);
			c->order[front++] = u;
		} else {
			c->order[--back] = u;
		}
		els_take(&s, u);
		left--;
	}
	for (u = 0; u < n; u++)
		c->pos[c->order[u]] = u;
	free(w);
	free(s.out);
	free(s.in);
	free(s.done);
}

/* ---- lane names ---------------------------------------------------------- */

/* One owner as a name: "@platform/api" -> "platform-api", mail: local. */
static void add_owner_name(struct sl_buf *out, const char *owner)
{
	const char *end = owner + strlen(owner), *at;
	char ch;

	while (*owner == '@')
		owner++;
	at = strchr(owner, '@');
	if (at)
		end = at;
	for (; owner < end; owner++) {
		ch = *owner;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		      ch == '-'))
			ch = '-';
		if (ch == '-' && out->len && out->buf[out->len - 1] == '-')
			continue;
		sl_buf_addch(out, ch);
	}
}

static void base_name(struct sl_buf *out, const struct sl_strvec *owners)
{
	size_t i, start;

	for (i = 0; i < owners->n && i < 3; i++) {
		if (out->len)
			sl_buf_addch(out, '-');
		add_owner_name(out, owners->v[i]);
	}
	if (owners->n > 3)
		sl_buf_addf(out, "-and-%zu-more", owners->n - 3);
	if (!owners->n)
		sl_buf_adds(out, "no-owners");
	/* A name starts with a letter or a digit; keep it short. */
	for (start = 0; start < out->len; start++) {
		char ch = out->buf[start];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9'))
			break;
	}
	memmove(out->buf, out->buf + start, out->len - start);
	sl_buf_setlen(out, out->len - start > 60 ? 60 : out->len - start);
	while (out->len && out->buf[out->len - 1] == '-')
		sl_buf_setlen(out, out->len - 1);
	if (!out->len)
		sl_buf_adds(out, "owners");
}

/* The names given so far: an open-addressing set of borrowed strings. */
struct name_set {
	const char **slot;
	size_t mask;
};

/* Adds s unless it is there: false when it was. */
static bool name_set_add(struct name_set *set, const char *s)
{
	size_t k = (size_t)sl_hash_str(s) & set->mask;

	while (set->slot[k]) {
		if (!strcmp(set->slot[k], s))
			return false;
		k = (k + 1) & set->mask;
	}
	set->slot[k] = s;
	return true;
}

/* Names the lanes readably after their owners, in the order written. */
static void name_lanes(struct sl_co_conv *c)
{
	struct sl_buf base = SL_BUF_INIT, name = SL_BUF_INIT;
	struct name_set set;
	size_t i, n, size = 16;
	struct sl_co_lane *l;

	while (size < 2 * c->nlanes + 2)
		size *= 2;
	set.slot = sl_xcalloc(size, sizeof(*set.slot));
	set.mask = size - 1;
	for (i = 0; i < c->nlanes; i++) {
		l = &c->lanes[c->order[i]];
		sl_buf_reset(&base);
		base_name(&base, &c->file.entries[l->first].owners);
		sl_buf_reset(&name);
		sl_buf_add(&name, base.buf, base.len);
		for (n = 2;; n++) {
			l->name = sl_xmemdupz(name.buf, name.len);
			if (name_set_add(&set, l->name))
				break;
			free(l->name);
			sl_buf_reset(&name);
			sl_buf_addf(&name, "%s-%zu", base.buf, n);
		}
	}
	free(set.slot);
	sl_buf_release(&base);
	sl_buf_release(&name);
}

/* ---- patterns ------------------------------------------------------------ */

static const char *entry_regex(struct sl_co_entry *e)
{
	struct sl_buf re = SL_BUF_INIT;

	if (!e->regex) {
		sl_co_glob_regex(&re, &e->glob);
		e->regex = sl_buf_detach(&re, NULL);
	}
	return e->regex;
}

/*
 * The later lines that may match a path line i matches, have another owner
 * set, and sit in a lane written earlier: without them, line i's pattern
 * would win such a path by order, where CODEOWNERS gives it to the later
 * line. Lines with the same glob count once.
 */
static size_t find_exclusions(size_t **out, struct sl_co_conv *c, size_t i)
{
	struct sl_co_entry *e = c->file.entries;
	size_t j, k, m, t, n = 0, alloc = 0, *later = NULL, later_alloc = 0;

	*out = NULL;
	m = sl_co_index_later(&later, &later_alloc, c->index, i);
	for (t = 0; t < m; t++) {
		j = later[t];
		if (!sl_co_entry_live(&e[j]) || e[j].set == e[i].set ||
		    c->pos[e[j].set] > c->pos[e[i].set] ||
		    sl_co_glob_disjoint(&e[i].glob, &e[j].glob))
			continue;
		for (k = 0; k < n; k++)
			if (!strcmp(e[(*out)[k]].glob.text, e[j].glob.text))
				break;
		if (k < n)
			continue;
		SL_ALLOC_GROW(*out, n + 1, alloc);
		(*out)[n++] = j;
	}
	free(later);
	return n;
}

static void add_line_list(struct sl_buf *out, const struct sl_co_entry *e,
			  const size_t *idx, size_t n)
{
	size_t k;

	sl_buf_adds(out, n > 1 ? "lines " : "line ");
	for (k = 0; k < n && k < NOTE_MAX_LINES; k++)
		sl_buf_addf(out, "%s%u", k ? ", " : "", e[idx[k]].line);
	if (n > NOTE_MAX_LINES)
		sl_buf_addf(out, " and %zu more", n - NOTE_MAX_LINES);
}

/*
 * Writes line i's pattern: the glob as written when it means what GitHub
 * means and needs no exclusion, else "re:" with a negative lookahead for
 * the exclusions. note gets what a reader needs to know about it.
 */
static void build_pattern(struct sl_buf *out, struct sl_buf *note,
			  struct sl_co_conv *c, size_t i)
{
	struct sl_co_entry *e = c->file.entries, *ei = &e[i];
	size_t *ex, n, k;

	n = find_exclusions(&ex, c, i);
	if (!n && !ei->glob.exact && strncmp(ei->glob.text, "re:", 3)) {
		sl_buf_adds(out, ei->glob.text);
		free(ex);
		return;
	}
	sl_buf_adds(out, "re:");
	if (n)
		sl_buf_adds(out, n > 1 ? "(?!(?:" : "(?!");
	for (k = 0; k < n; k++)
		sl_buf_addf(out, "%s%s", k ? "|" : "", entry_regex(&e[ex[k]]));
	if (n)
		sl_buf_adds(out, n > 1 ? ")\\z)" : "\\z)");
	sl_buf_adds(out, entry_regex(ei));

	sl_buf_adds(note, "'");
	sl_co_add_shown(note, ei->pattern);
	sl_buf_adds(note, "'");
	if (ei->glob.exact)
		sl_buf_adds(note, ", not what is under the directories it "
				  "matches");
	if (n) {
		sl_buf_adds(note, ", less what ");
		add_line_list(note, e, ex, n);
		sl_buf_adds(note, n > 1 ? " decide" : " decides");
	}
	free(ex);
}

static int too_big(const struct sl_co_conv *c, struct sl_error *err)
{
	return sl_error_set(err, SL_EUSAGE,
			    "the rules from %s would take more than the %u "
			    "bytes a rules file may have; fewer owner sets, or "
			    "lines in fewer orders, make them smaller",
			    c->file.source, SL_RULES_MAX_BYTES);
}

/*
 * Writes every live entry's pattern, and a note for a reader, for
 * sl_co_emit(). Stops as soon as the patterns alone outgrow a rules file.
 */
static int build_patterns(struct sl_co_conv *c, struct sl_error *err)
{
	struct sl_buf pattern = SL_BUF_INIT, note = SL_BUF_INIT;
	struct sl_co_entry *e;
	size_t i, total = 0;
	int ret = 0;

	for (i = 0; !ret && i < c->file.nentries; i++) {
		e = &c->file.entries[i];
		if (!sl_co_entry_live(e))
			continue;
		build_pattern(&pattern, &note, c, i);
		total += pattern.len;
		if (total > SL_RULES_MAX_BYTES)
			ret = too_big(c, err);
		e->rule = sl_buf_detach(&pattern, NULL);
		e->note = note.len ? sl_buf_detach(&note, NULL) : NULL;
		sl_buf_reset(&note);
	}
	sl_buf_release(&note);
	return ret;
}

/* ---- GitLab's sections --------------------------------------------------- */

struct overlap {
	size_t a, b; /* merged sections; nsections: before any section */
	size_t count;
	unsigned la[3], lb[3];
};

static size_t merged_section(const struct sl_co_file *f,
			     const struct sl_co_entry *e)
{
	return e->section == SIZE_MAX ? f->nsections
				      : f->sections[e->section].merged;
}

static bool owners_subset(const struct sl_strvec *a, const struct sl_strvec *b)
{
	size_t i, j;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n && strcmp(a->v[i], b->v[j]); j++)
			;
		if (j == b->n)
			return false;
	}
	return true;
}

/* Is entry i ever its own section's last match? later: the candidates. */
static bool section_live(const struct sl_co_file *f, size_t i,
			 const size_t *later, size_t m)
{
	const struct sl_co_entry *e = f->entries;
	size_t j, k;

	for (k = 0; k < m; k++) {
		j = later[k];
		if (!e[j].dropped &&
		    merged_section(f, &e[j]) == merged_section(f, &e[i]) &&
		    sl_co_glob_covers(&e[j].glob, &e[i].glob))
			return false;
	}
	return true;
}

static void record_overlap(struct overlap **list, size_t *n, size_t *alloc,
			   size_t a, size_t b, const unsigned lines[2])
{
	size_t k;

	for (k = 0; k < *n && ((*list)[k].a != a || (*list)[k].b != b); k++)
		;
	if (k == *n) {
		SL_ALLOC_GROW(*list, *n + 1, *alloc);
		memset(&(*list)[k], 0, sizeof(**list));
		(*list)[k].a = a;
		(*list)[k].b = b;
		(*n)++;
	}
	if ((*list)[k].count < 3) {
		(*list)[k].la[(*list)[k].count] = lines[0];
		(*list)[k].lb[(*list)[k].count] = lines[1];
	}
	(*list)[k].count++;
}

static const char *section_shown(const struct sl_co_file *f, size_t s)
{
	return s == f->nsections ? "(before any section)" : f->sections[s].name;
}

static void warn_overlap(struct sl_co_file *f, const struct overlap *o)
{
	struct sl_buf ex = SL_BUF_INIT;
	size_t k;

	for (k = 0; k < o->count && k < 3; k++)
		sl_buf_addf(&ex, "%s%u and %u", k ? ", " : "", o->la[k],
			    o->lb[k]);
	if (o->count > 3)
		sl_buf_addf(&ex, ", and %zu more pair%s", o->count - 3,
			    o->count > 4 ? "s" : "");
	sl_co_warn(f, o->lb[0],
		   "sections '%s' and '%s' may match the same path (lines %s) "
		   "with other owners: GitLab asks each section's last "
		   "matching line, but a path has one lane, so the import "
		   "gives it the later line's owners only",
		   section_shown(f, o->a), section_shown(f, o->b), ex.buf);
	sl_buf_release(&ex);
}

/*
 * GitLab gives a path the owners of its last matching line in EACH
 * section; flattened, only the last line over all sections counts. Warns
 * about each pair of sections where that may lose owners: lines of both
 * that may match one path, the earlier with owners the later lacks.
 */
static void gitlab_overlaps(struct sl_co_file *f, const struct sl_co_index *x)
{
	const struct sl_co_entry *e = f->entries;
	struct overlap *list = NULL;
	size_t n = 0, alloc = 0, i, j, k, t, m, *later = NULL, lalloc = 0;
	bool *slive = sl_xcalloc(f->nentries + 1, sizeof(*slive));
	unsigned lines[2];

	for (i = 0; i < f->nentries; i++) {
		if (e[i].dropped)
			continue;
		m = sl_co_index_later(&later, &lalloc, x, i);
		slive[i] = section_live(f, i, later, m);
	}
	for (i = 0; i < f->nentries; i++) {
		m = slive[i] ? sl_co_index_later(&later, &lalloc, x, i) : 0;
		for (t = 0; t < m; t++) {
			j = later[t];
			if (!slive[j] ||
			    merged_section(f, &e[i]) ==
				merged_section(f, &e[j]) ||
			    owners_subset(&e[i].owners, &e[j].owners) ||
			    sl_co_glob_disjoint(&e[i].glob, &e[j].glob))
				continue;
			lines[0] = e[i].line;
			lines[1] = e[j].line;
			record_overlap(&list, &n, &alloc,
				       merged_section(f, &e[i]),
				       merged_section(f, &e[j]), lines);
		}
	}
	for (k = 0; k < n; k++)
		warn_overlap(f, &list[k]);
	free(later);
	free(list);
	free(slive);
}

/* ---- the whole --------------------------------------------------------- */

static int cmp_warning(const void *a, const void *b)
{
	const struct sl_co_warning *x = *(const struct sl_co_warning *const *)a;
	const struct sl_co_warning *y = *(const struct sl_co_warning *const *)b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The warnings by line; those of one line in the order found. */
static void sorted_warnings(struct sl_strvec *out, const struct sl_co_file *f)
{
	const struct sl_co_warning **v =
	    sl_xcalloc(f->nwarnings + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < f->nwarnings; i++)
		v[i] = &f->warnings[i];
	qsort(v, f->nwarnings, sizeof(*v), cmp_warning);
	for (i = 0; i < f->nwarnings; i++)
		sl_strvec_push(out, v[i]->msg);
	free(v);
}

/* The line of each pattern, in the order sl_co_emit() writes them. */
static void rule_lines(struct sl_codeowners_result *out,
		       const struct sl_co_conv *c)
{
	const struct sl_co_entry *e = c->file.entries;
	size_t i, k, lane, n = 0;

	out->rule_lines = sl_xcalloc(c->file.nentries + 1, sizeof(unsigned));
	for (k = 0; k < c->nlanes; k++) {
		lane = c->order[k];
		for (i = c->lane_start[lane]; i < c->lane_start[lane + 1]; i++)
			out->rule_lines[n++] = e[c->by_lane[i]].line;
	}
	out->nrule_lines = n;
}

/* The output must load: a failure here is a bug of the import's. */
static int check_output(const struct sl_co_conv *c, const struct sl_buf *yaml,
			struct sl_error *err)
{
	struct sl_rules *rules = NULL;
	int ret;

	if (yaml->len > SL_RULES_MAX_BYTES)
		return too_big(c, err);
	ret = sl_rules_load_buffer(&rules, c->file.source, yaml->buf, yaml->len,
				   err);
	sl_rules_free(rules);
	if (ret)
		sl_error_prefix(err,
				"the rules imported from %s do not load (a bug "
				"in 'sluice import'; please report it)",
				c->file.source);
	return ret;
}

static void conv_release(struct sl_co_conv *c)
{
	size_t i;

	for (i = 0; i < c->nlanes; i++)
		free(c->lanes[i].name);
	free(c->lanes);
	free(c->order);
	free(c->pos);
	free(c->by_lane);
	free(c->lane_start);
	sl_co_index_free(c->index);
	sl_co_file_release(&c->file);
}

int sl_codeowners_convert(struct sl_codeowners_result *out, const char *text,
			  size_t len, const struct sl_codeowners_options *opts,
			  struct sl_error *err)
{
	struct sl_co_conv c = {0};
	int ret;

	sl_codeowners_result_release(out);
	c.file.flavor = opts->flavor;
	c.file.source = opts->source ? opts->source : "CODEOWNERS";
	ret = sl_co_parse(&c.file, text, len, err);
	if (ret)
		goto out;
	check_globs(&c.file);
	c.index = sl_co_index_new(&c.file);
	find_dead(&c.file, c.index);
	if (c.file.flavor == SL_CODEOWNERS_GITLAB)
		gitlab_overlaps(&c.file, c.index);
	group_sets(&c);
	group_lanes(&c);
	order_lanes(&c);
	name_lanes(&c);
	ret = build_patterns(&c, err);
	if (ret)
		goto out;
	sorted_warnings(&out->warnings, &c.file);
	sl_co_emit(&out->yaml, &c, &out->warnings);
	rule_lines(out, &c);
	out->flavor = c.file.flavor;
	ret = check_output(&c, &out->yaml, err);
out:
	if (ret)
		sl_codeowners_result_release(out);
	conv_release(&c);
	return ret;
}

void sl_codeowners_result_release(struct sl_codeowners_result *res)
{
	sl_buf_release(&res->yaml);
	sl_strvec_release(&res->warnings);
	res->flavor = SL_CODEOWNERS_AUTO;
	free(res->rule_lines);
	res->rule_lines = NULL;
	res->nrule_lines = 0;
}
