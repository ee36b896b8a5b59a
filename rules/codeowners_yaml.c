/*
 * codeowners_yaml.c: writes the rules file of a CODEOWNERS import: the
 * header (source, flavor, warnings, the lines left out), then one lane per
 * owner set with each line's pattern and where it came from. Every scalar
 * is quoted so that YAML reads back exactly the bytes written (single
 * quotes, or double quotes with escapes for what YAML reads as a line
 * break or refuses). What goes into the lanes is codeowners.c's.
 */
#include "common/common.h"

#include "rules/codeowners_internal.h"

/* Code points YAML reads as a line break, or refuses unescaped. */
static bool yaml_special(const unsigned char *p, size_t *n)
{
	uint32_t cp;
	size_t k;

	if (*p < 0x80) {
		*n = 1;
		return *p < 0x20 || *p == 0x7f;
	}
	*n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
	cp = *p & (0x7f >> *n);
	for (k = 1; k < *n; k++)
		cp = cp << 6 | (p[k] & 0x3f);
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0xfeff || cp >= 0xfffe;
}

static void add_double_quoted(struct sl_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n, k;

	sl_buf_addch(out, '"');
	for (; *p; p += n) {
		if (!yaml_special(p, &n)) {
			if (*p == '"' || *p == '\\')
				sl_buf_addch(out, '\\');
			sl_buf_add(out, p, n);
			continue;
		}
		if (n == 1) {
			sl_buf_addf(out, "\\x%02x", *p);
			continue;
		}
		cp = *p & (0x7f >> n);
		for (k = 1; k < n; k++)
			cp = cp << 6 | (p[k] & 0x3f);
		sl_buf_addf(out, "\\u%04" PRIX32, cp);
	}
	sl_buf_addch(out, '"');
}

/* A YAML scalar that reads back as s: single quotes, unless s needs
 * escapes only double quotes have. */
static void add_scalar(struct sl_buf *out, const char *s)
{
	const unsigned char *p;
	size_t n;

	for (p = (const unsigned char *)s; *p; p += n)
		if (yaml_special(p, &n)) {
			add_double_quoted(out, s);
			return;
		}
	sl_buf_addch(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sl_buf_addch(out, '\'');
		sl_buf_addch(out, *s);
	}
	sl_buf_addch(out, '\'');
}

/* A lane name as a key: quoted if YAML would read it as null, a bool or a
 * number. */
static void add_key(struct sl_buf *out, const char *name)
{
	static const char *const words[] = {"null",  "Null",  "NULL",
					    "true",  "True",  "TRUE",
					    "false", "False", "FALSE"};
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(words); i++)
		if (!strcmp(name, words[i])) {
			sl_buf_addf(out, "'%s'", name);
			return;
		}
	if (strspn(name, "0123456789.eE+-_") == strlen(name))
		sl_buf_addf(out, "'%s'", name);
	else
		sl_buf_adds(out, name);
}

/* A comment line: prefix (with its '#') and text, made safe. */
static void add_comment(struct sl_buf *out, const char *prefix,
			const char *text)
{
	sl_buf_adds(out, prefix);
	sl_co_add_shown(out, text);
	sl_buf_addch(out, '\n');
}

static const char *flavor_text(enum sl_codeowners_flavor flavor)
{
	return flavor == SL_CODEOWNERS_GITLAB
		   ? "GitLab's rules, its sections flattened in file order"
		   : "GitHub's rules";
}

static void emit_header(struct sl_buf *y, const struct sl_co_conv *c,
			const struct sl_strvec *warnings)
{
	const struct sl_co_file *f = &c->file;
	const struct sl_co_entry *e = f->entries;
	struct sl_buf sb = SL_BUF_INIT;
	size_t i;

	sl_buf_adds(y, "# Written by `sluice import codeowners` from ");
	sl_co_add_shown(y, f->source);
	sl_buf_addf(y, ", read with %s.\n", flavor_text(f->flavor));
	sl_buf_adds(
	    y, "# One lane per owner set. A path belongs to the lane of the "
	       "last pattern\n# that matches it, which gives it the owners "
	       "the CODEOWNERS file gives it.\n# A 're:' pattern says what "
	       "a glob cannot, or leaves out the paths a later\n# line "
	       "decides (docs/codeowners.md). Line numbers are the "
	       "CODEOWNERS file's.\n");
	if (warnings->n) {
		sl_buf_adds(y, "#\n# Warnings:\n");
		for (i = 0; i < warnings->n; i++)
			add_comment(y, "#   ", warnings->v[i]);
	}
	for (i = 0; i < f->nentries; i++) {
		if (e[i].dropped || e[i].dead_by == SIZE_MAX)
			continue;
		if (!sb.len)
			sl_buf_adds(y, "#\n# Left out, as a later line matches "
				       "every path they match:\n");
		sl_buf_reset(&sb);
		sl_buf_addf(&sb, "line %u '%s' (line %u '%s')", e[i].line,
			    e[i].pattern, e[e[i].dead_by].line,
			    e[e[i].dead_by].pattern);
		add_comment(y, "#   ", sb.buf);
	}
	sl_buf_release(&sb);
	sl_buf_adds(y, "version: 1\n");
}

static void emit_entry(struct sl_buf *y, const struct sl_co_conv *c, size_t i)
{
	const struct sl_co_file *f = &c->file;
	const struct sl_co_entry *e = &f->entries[i];
	struct sl_buf where = SL_BUF_INIT;

	sl_buf_addf(&where, "line %u", e->line);
	if (e->section != SIZE_MAX) {
		sl_buf_adds(&where, " [");
		sl_co_add_shown(&where, f->sections[e->section].name);
		sl_buf_adds(&where, "]");
	}
	/* A glob reads for itself; an expression gets a line above. */
	if (e->note)
		sl_buf_addf(y, "      # %s: %s\n", where.buf, e->note);
	sl_buf_adds(y, "      - ");
	add_scalar(y, e->rule);
	if (!e->note)
		sl_buf_addf(y, " # %s", where.buf);
	sl_buf_addch(y, '\n');
	sl_buf_release(&where);
}

static void emit_lane(struct sl_buf *y, const struct sl_co_conv *c, size_t lane)
{
	const struct sl_co_lane *l = &c->lanes[lane];
	const struct sl_strvec *owners = &c->file.entries[l->first].owners;
	size_t i;

	sl_buf_adds(y, "  ");
	add_key(y, l->name);
	sl_buf_adds(y, ":\n");
	if (!owners->n) {
		sl_buf_adds(y, "    # No owners: CODEOWNERS says nobody owns "
			       "these paths.\n");
	} else {
		sl_buf_adds(y, "    owners: [");
		for (i = 0; i < owners->n; i++) {
			if (i)
				sl_buf_adds(y, ", ");
			add_scalar(y, owners->v[i]);
		}
		sl_buf_adds(y, "]\n");
	}
	sl_buf_adds(y, "    paths:\n");
	for (i = c->lane_start[lane]; i < c->lane_start[lane + 1]; i++)
		emit_entry(y, c, c->by_lane[i]);
}

void sl_co_emit(struct sl_buf *y, const struct sl_co_conv *c,
		const struct sl_strvec *warnings)
{
	size_t i;

	emit_header(y, c, warnings);
	if (!c->nlanes) {
		sl_buf_adds(y, "\nlanes: {}\n");
		return;
	}
	sl_buf_adds(y, "\nlanes:\n");
	for (i = 0; i < c->nlanes; i++)
		emit_lane(y, c, c->order[i]);
}
