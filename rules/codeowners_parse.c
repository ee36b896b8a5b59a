/*
 * codeowners_parse.c: reads a CODEOWNERS file, GitHub's or GitLab's, into
 * entries (a pattern as a gitignore glob, its owners, its section) and
 * warnings, deciding each line the way the host does (docs/codeowners.md):
 * comments and inline comments, escapes, the lines GitHub skips as
 * invalid, GitLab's section headers, default owners and globstar prefix.
 * What the entries become in a rules file is codeowners.c's; what one
 * pattern matches is codeowners_regex.c's.
 */
#include "common/common.h"

#include "rules/codeowners_internal.h"
#include "rules/internal.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

void sl_co_add_shown(struct sl_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	while (*p) {
		if (*p < 0x20 || *p == 0x7f) {
			sl_buf_addf(out, "\\x%02x", *p++);
			continue;
		}
		if (*p < 0x80) {
			sl_buf_addch(out, *p++);
			continue;
		}
		/* Valid UTF-8 (the file was checked): decode to find the
		 * characters YAML reads as line breaks or refuses. */
		n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		cp = *p & (0x7f >> n);
		for (size_t k = 1; k < n; k++)
			cp = cp << 6 | (p[k] & 0x3f);
		if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
		    cp == 0x2029 || cp == 0xfeff || cp >= 0xfffe)
			sl_buf_addf(out, "\\u%04" PRIX32, cp);
		else
			sl_buf_add(out, p, n);
		p += n;
	}
}

void sl_co_warn(struct sl_co_file *f, unsigned line, const char *fmt, ...)
{
	struct sl_buf sb = SL_BUF_INIT;
	va_list ap;

	sl_buf_addf(&sb, "%s:%u: ", f->source, line);
	va_start(ap, fmt);
	sl_buf_vaddf(&sb, fmt, ap);
	va_end(ap);
	SL_ALLOC_GROW(f->warnings, f->nwarnings + 1, f->walloc);
	f->warnings[f->nwarnings].line = line;
	f->warnings[f->nwarnings].msg = sl_buf_detach(&sb, NULL);
	f->nwarnings++;
}

/* Splits s[0..len) at blanks a '\' does not escape; escapes stay. */
static void tokenize(struct sl_strvec *out, const char *s, size_t len)
{
	size_t i = 0, start;

	while (i < len) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && !is_blank(s[i]))
			i += s[i] == '\\' && i + 1 < len ? 2 : 1;
		sl_strvec_push_take(out, sl_xmemdupz(s + start, i - start));
	}
}

/* ---- owners ------------------------------------------------------------ */

/* name, or with nested, name/name/...: [A-Za-z0-9_][A-Za-z0-9_.-]* each. */
static bool valid_handle(const char *s, size_t max_slashes)
{
	size_t slashes = 0;
	bool start = true;

	for (; *s; s++) {
		if (*s == '/') {
			if (start || ++slashes > max_slashes)
				return false;
			start = true;
		} else if (is_alnum(*s) || *s == '_' ||
			   (!start && (*s == '.' || *s == '-'))) {
			start = false;
		} else {
			return false;
		}
	}
	return !start;
}

static bool valid_email(const char *s)
{
	const char *at = strchr(s, '@'), *p;

	if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.'))
		return false;
	for (p = s; p < at; p++)
		if (!is_alnum(*p) && !strchr(".!#$%&'*+/=?^_`{|}~-", *p))
			return false;
	for (p = at + 1; *p; p++)
		if (!is_alnum(*p) && *p != '.' && *p != '-')
			return false;
	return at[1] != '.' && p[-1] != '.';
}

/*
 * GitHub: @user, @org/team, an email address. GitLab also nests groups
 * (@group/sub/team) and names roles (@@maintainer).
 */
static bool valid_owner(const char *s, enum sl_codeowners_flavor flavor)
{
	if (s[0] != '@')
		return valid_email(s);
	if (flavor == SL_CODEOWNERS_GITLAB)
		return s[1] == '@' ? valid_handle(s + 2, 0)
				   : valid_handle(s + 1, SIZE_MAX);
	return valid_handle(s + 1, 1);
}

static void add_owner(struct sl_strvec *owners, const char *owner)
{
	size_t i;

	for (i = 0; i < owners->n; i++)
		if (!strcmp(owners->v[i], owner))
			return;
	sl_strvec_push(owners, owner);
}

/* ---- entries ----------------------------------------------------------- */

static struct sl_co_entry *add_entry(struct sl_co_file *f, unsigned line,
				     const char *pattern)
{
	struct sl_co_entry *e;

	SL_ALLOC_GROW(f->entries, f->nentries + 1, f->alloc);
	e = &f->entries[f->nentries++];
	memset(e, 0, sizeof(*e));
	e->line = line;
	e->pattern = sl_xstrdup(pattern);
	e->owners = (struct sl_strvec)SL_STRVEC_INIT;
	e->section = f->nsections ? f->nsections - 1 : SIZE_MAX;
	e->dead_by = SIZE_MAX;
	return e;
}

/*
 * The gitignore glob a pattern is. GitLab reads a pattern that does not
 * start with '/' at any depth (it prepends a globstar), where git would
 * anchor one with a '/' inside it.
 */
static void glob_text(struct sl_buf *out, const struct sl_co_file *f,
		      const char *pattern)
{
	size_t len = strlen(pattern);
	bool inner_slash = memchr(pattern, '/', len - 1) != NULL;

	if (f->flavor == SL_CODEOWNERS_GITLAB && pattern[0] != '/' &&
	    inner_slash && strncmp(pattern, "**/", 3))
		sl_buf_adds(out, "**/");
	sl_buf_adds(out, pattern);
}

static int finish_entry(struct sl_co_file *f, struct sl_co_entry *e,
			struct sl_error *err)
{
	struct sl_buf text = SL_BUF_INIT, why = SL_BUF_INIT;

	glob_text(&text, f, e->pattern);
	if (text.len > SL_PATTERN_MAX) {
		sl_buf_release(&text);
		return sl_error_set(err, SL_EUSAGE,
				    "%s:%u: the pattern is longer than %d "
				    "bytes, which a rules file does not take",
				    f->source, e->line, SL_PATTERN_MAX);
	}
	sl_co_glob_init(&e->glob, text.buf, true, &why);
	if (e->glob.never) {
		sl_co_warn(f, e->line,
			   "'%s' matches no path (%s); the line decides "
			   "nothing and is left out",
			   e->pattern, why.buf);
		e->dropped = true;
	}
	sl_buf_release(&text);
	sl_buf_release(&why);
	return 0;
}

/* Why GitHub skips a pattern as invalid, or NULL. */
static const char *github_invalid(const char *pattern)
{
	const char *p;

	if (pattern[0] == '!')
		return "negation ('!') does not work in GitHub's CODEOWNERS";
	if (pattern[0] == '\\' && pattern[1] == '#')
		return "escaping '#' with '\\' does not work in GitHub's "
		       "CODEOWNERS";
	for (p = pattern; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '[')
			return "character ranges ('[ ]') do not work in "
			       "GitHub's CODEOWNERS";
	}
	return NULL;
}

/*
 * A GitHub line: a pattern, then owners up to an inline comment (a word
 * that starts with '#'). A line with an invalid pattern or owner is
 * skipped whole, as GitHub skips it.
 */
static int github_line(struct sl_co_file *f, unsigned line,
		       const struct sl_strvec *tok, struct sl_error *err)
{
	const char *why = github_invalid(tok->v[0]);
	struct sl_co_entry *e;
	size_t i;

	for (i = 1; !why && i < tok->n && tok->v[i][0] != '#'; i++)
		if (!valid_owner(tok->v[i], f->flavor)) {
			sl_co_warn(f, line,
				   "skipped: '%s' is not an owner (@user, "
				   "@org/team or an email address), so GitHub "
				   "skips the line",
				   tok->v[i]);
			return 0;
		}
	if (why) {
		sl_co_warn(f, line, "skipped '%s': %s, which skips the line",
			   tok->v[0], why);
		return 0;
	}
	e = add_entry(f, line, tok->v[0]);
	for (i = 1; i < tok->n && tok->v[i][0] != '#'; i++)
		add_owner(&e->owners, tok->v[i]);
	return finish_entry(f, e, err);
}

/* ---- GitLab's sections --------------------------------------------------- */

/*
 * Parses "[Name]", "^[Name]", "[Name][N]" at the start of s; returns the
 * length of the header, or 0 when s is not one. A header ends at the end
 * of the line or at a blank.
 */
static size_t section_header(const char *s, size_t len, size_t *name_at,
			     size_t *name_len, unsigned *approvals)
{
	size_t i = s[0] == '^', close, k;
	const char *end;

	*approvals = 0;
	if (i >= len || s[i] != '[')
		return 0;
	end = memchr(s + i + 1, ']', len - i - 1);
	if (!end || end == s + i + 1)
		return 0;
	close = (size_t)(end - s);
	*name_at = i + 1;
	*name_len = close - i - 1;
	i = close + 1;
	if (i < len && s[i] == '[') {
		for (k = i + 1;
		     k < len && k - i < 6 && s[k] >= '0' && s[k] <= '9'; k++)
			*approvals = *approvals * 10 + (unsigned)(s[k] - '0');
		if (k == i + 1 || k >= len || s[k] != ']')
			return 0;
		i = k + 1;
	}
	return i == len || is_blank(s[i]) ? i : 0;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* GitLab's section names ignore case. */
static bool same_name(const char *a, const char *b)
{
	for (; *a && lower(*a) == lower(*b); a++, b++)
		;
	return !*a && !*b;
}

/* Words that are not owners: GitLab ignores them (it has no inline
 * comments, and owners after a '#' still count). */
static void gitlab_owners(struct sl_co_file *f, unsigned line,
			  struct sl_strvec *owners, const struct sl_strvec *tok,
			  size_t from)
{
	struct sl_buf ignored = SL_BUF_INIT;
	size_t i;

	for (i = from; i < tok->n; i++) {
		if (valid_owner(tok->v[i], f->flavor)) {
			add_owner(owners, tok->v[i]);
			continue;
		}
		sl_buf_addf(&ignored, "%s'%s'", ignored.len ? ", " : "",
			    tok->v[i]);
	}
	if (ignored.len)
		sl_co_warn(f, line,
			   "GitLab ignores %s: not an owner (GitLab has no "
			   "inline comments; owners after a '#' still count)",
			   ignored.buf);
	sl_buf_release(&ignored);
}

static void add_section(struct sl_co_file *f, unsigned line, const char *s,
			size_t len, size_t hlen)
{
	struct sl_strvec tok = SL_STRVEC_INIT;
	struct sl_co_section *sec;
	size_t name_at, name_len, i;
	unsigned approvals;

	section_header(s, len, &name_at, &name_len, &approvals);
	SL_ALLOC_GROW(f->sections, f->nsections + 1, f->salloc);
	sec = &f->sections[f->nsections];
	memset(sec, 0, sizeof(*sec));
	sec->name = sl_xmemdupz(s + name_at, name_len);
	sec->line = line;
	sec->optional = s[0] == '^';
	sec->approvals = approvals;
	sec->defaults = (struct sl_strvec)SL_STRVEC_INIT;
	for (i = 0;
	     i < f->nsections && !same_name(f->sections[i].name, sec->name);
	     i++)
		;
	sec->merged = i;
	f->nsections++;
	tokenize(&tok, s + hlen, len - hlen);
	gitlab_owners(f, line, &sec->defaults, &tok, 0);
	sl_strvec_release(&tok);
	if (sec->optional)
		sl_co_warn(
		    f, line,
		    "section '%s' is optional in GitLab ('^'); a lane's "
		    "owners cannot be optional, so its lines are imported "
		    "as if the section were required",
		    sec->name);
	if (approvals > 1)
		sl_co_warn(
		    f, line,
		    "section '%s' requires %u approvals in GitLab; sluice "
		    "does not count approvals",
		    sec->name, approvals);
}

static int gitlab_line(struct sl_co_file *f, unsigned line, const char *s,
		       size_t len, struct sl_error *err)
{
	struct sl_strvec tok = SL_STRVEC_INIT;
	size_t name_at, name_len, hlen;
	struct sl_co_entry *e;
	unsigned approvals;
	int ret = 0;

	if (s[0] == '[' || (s[0] == '^' && len > 1 && s[1] == '[')) {
		hlen = section_header(s, len, &name_at, &name_len, &approvals);
		if (hlen)
			add_section(f, line, s, len, hlen);
		else
			sl_co_warn(f, line,
				   "skipped: not a section header GitLab reads "
				   "('[Name]', '^[Name]' or '[Name][N]', then "
				   "owners)");
		return 0;
	}
	tokenize(&tok, s, len);
	if (tok.v[0][0] == '!') {
		sl_co_warn(
		    f, line,
		    "skipped '%s': GitLab's exclusion patterns ('!') are not "
		    "imported; the paths keep the owners earlier lines give "
		    "them",
		    tok.v[0]);
		goto out;
	}
	e = add_entry(f, line, tok.v[0]);
	gitlab_owners(f, line, &e->owners, &tok, 1);
	if (!e->owners.n && e->section != SIZE_MAX)
		for (size_t i = 0; i < f->sections[e->section].defaults.n; i++)
			add_owner(&e->owners,
				  f->sections[e->section].defaults.v[i]);
	ret = finish_entry(f, e, err);
out:
	sl_strvec_release(&tok);
	return ret;
}

/* ---- the file ------------------------------------------------------------ */

/* Drops the '\r' of a CRLF ending and the blanks before s[0..*len). */
static const char *trim(const char *s, size_t *len)
{
	if (*len && s[*len - 1] == '\r')
		(*len)--;
	while (*len && is_blank(*s)) {
		s++;
		(*len)--;
	}
	return s;
}

static bool has_section_header(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl, *s;
	size_t n, a, b;
	unsigned approvals;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		n = (size_t)(nl - p);
		s = trim(p, &n);
		if (n && section_header(s, n, &a, &b, &approvals))
			return true;
	}
	return false;
}

static int check_text(const struct sl_co_file *f, const char *text, size_t len,
		      struct sl_error *err)
{
	const char *p;
	unsigned line = 1;
	size_t i;

	if (memchr(text, '\0', len))
		return sl_error_set(err, SL_EUSAGE,
				    "%s holds a NUL byte; is it a CODEOWNERS "
				    "file?",
				    f->source);
	if (sl_utf8_valid(text, len))
		return 0;
	/* Name the first line that is not UTF-8. */
	for (p = text; p < text + len; p += i + 1, line++) {
		for (i = 0; p + i < text + len && p[i] != '\n'; i++)
			;
		if (!sl_utf8_valid(p, i))
			break;
	}
	return sl_error_set(err, SL_EUSAGE,
			    "%s:%u: the line is not valid UTF-8; save the file "
			    "as UTF-8",
			    f->source, line);
}

static int parse_line(struct sl_co_file *f, unsigned line, const char *s,
		      size_t len, struct sl_error *err)
{
	struct sl_strvec tok = SL_STRVEC_INIT;
	int ret = 0;

	s = trim(s, &len);
	if (!len || s[0] == '#')
		return 0;
	if (f->flavor == SL_CODEOWNERS_GITLAB)
		return gitlab_line(f, line, s, len, err);
	tokenize(&tok, s, len);
	ret = github_line(f, line, &tok, err);
	sl_strvec_release(&tok);
	return ret;
}

int sl_co_parse(struct sl_co_file *f, const char *text, size_t len,
		struct sl_error *err)
{
	const char *p, *end, *nl;
	unsigned line = 1;
	int ret;

	ret = check_text(f, text, len, err);
	if (ret)
		return ret;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		text += 3;
		len -= 3;
	}
	if (f->flavor == SL_CODEOWNERS_AUTO)
		f->flavor = has_section_header(text, len)
				? SL_CODEOWNERS_GITLAB
				: SL_CODEOWNERS_GITHUB;
	end = text + len;
	for (p = text; !ret && p < end; p = nl + 1, line++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		ret = parse_line(f, line, p, (size_t)(nl - p), err);
	}
	return ret;
}

void sl_co_file_release(struct sl_co_file *f)
{
	size_t i;

	for (i = 0; i < f->nentries; i++) {
		free(f->entries[i].pattern);
		sl_strvec_release(&f->entries[i].owners);
		sl_co_glob_release(&f->entries[i].glob);
		free(f->entries[i].regex);
		free(f->entries[i].rule);
		free(f->entries[i].note);
	}
	free(f->entries);
	for (i = 0; i < f->nsections; i++) {
		free(f->sections[i].name);
		sl_strvec_release(&f->sections[i].defaults);
	}
	free(f->sections);
	for (i = 0; i < f->nwarnings; i++)
		free(f->warnings[i].msg);
	free(f->warnings);
	memset(f, 0, sizeof(*f));
}
