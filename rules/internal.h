/*
 * rules/internal.h: what the files of rules/ share and nothing outside
 * rules/ may include. The two pattern engines behind struct sl_pattern
 * (gitignore globs in glob*.c, PCRE2 in regex.c) and the shape of a pattern
 * that the ownership index (index.c) files it under.
 */
#ifndef SL_RULES_INTERNAL_H
#define SL_RULES_INTERNAL_H

#include "common/common.h"

#include "rules/rules.h"

/* The longest pattern accepted, in bytes: a path is at most PATH_MAX. */
#define SL_PATTERN_MAX 4096

/*
 * Where the ownership index files a pattern: the one key a path must have
 * for the pattern to possibly match it.
 */
enum sl_index_key_kind {
	/* No key: test the pattern against every path. */
	SL_KEY_ALWAYS,
	/*
	 * The path's leading components are the '/'-separated components of
	 * key (anchored patterns with a literal leading directory).
	 */
	SL_KEY_LEADING,
	/* Some component of the path is exactly key. */
	SL_KEY_COMPONENT,
	/* Some component of the path has the extension key (after its last
	 * '.'). */
	SL_KEY_EXTENSION,
	/* Some component of the path starts with the byte key[0]. */
	SL_KEY_FIRST_BYTE
};

struct sl_index_key {
	enum sl_index_key_kind kind;
	const char *key; /* borrowed from the pattern; not NUL-terminated */
	size_t len;
};

/* ---- glob*.c: gitignore patterns --------------------------------- */

struct sl_glob;

/*
 * Compiles a gitignore pattern (text, NUL-terminated) with git's exact
 * meaning. Refuses what git would read differently or never match
 * (SL_ERULES, a message about the pattern). Caller owns *out.
 */
int sl_glob_compile(struct sl_glob **out, const char *text,
		    struct sl_error *err);
void sl_glob_free(struct sl_glob *glob);
/* 1 when glob matches path or one of its leading directories, else 0. */
int sl_glob_match(const struct sl_glob *glob, const char *path, size_t len,
		  unsigned flags);
/* The index key of glob; borrowed from glob. */
void sl_glob_index_key(const struct sl_glob *glob, struct sl_index_key *out);

/* ---- regex.c: re:EXPR patterns (the one file that calls pcre2) --------- */

struct sl_regex;

/*
 * Compiles EXPR (without the "re:") to match a whole path; text is the
 * pattern as written, for messages. Caller owns *out.
 */
int sl_regex_compile(struct sl_regex **out, const char *expr, const char *text,
		     struct sl_error *err);
void sl_regex_free(struct sl_regex *re);
/* 1 or 0, or SL_ERULES naming the pattern and the path when a limit hit. */
int sl_regex_match(const struct sl_regex *re, const char *path, size_t len,
		   struct sl_error *err);

/* ---- pattern.c ------------------------------------------------------- */

/* The index key of pattern (SL_KEY_ALWAYS for regular expressions). */
/*
 * A pattern in two steps, for a load that compiles its patterns once the
 * file is read (load.c): an empty one (never to be matched;
 * sl_pattern_free() frees it), then its compilation in place, what
 * sl_pattern_compile() does in one. On failure it stays empty.
 */
struct sl_pattern *sl_pattern_new_empty(void);
int sl_pattern_compile_into(struct sl_pattern *pattern, const char *text,
			    struct sl_error *err);

void sl_pattern_index_key(const struct sl_pattern *pattern,
			  struct sl_index_key *out);

/* ---- wildmatch.c: git's wildmatch, as both pattern readers need it ---- */

/* A set of bytes. */
struct byteset {
	uint64_t w[4];
};

static inline void bs_add(struct byteset *s, unsigned c)
{
	s->w[c >> 6] |= UINT64_C(1) << (c & 63);
}

static inline void bs_del(struct byteset *s, unsigned c)
{
	s->w[c >> 6] &= ~(UINT64_C(1) << (c & 63));
}

static inline bool bs_has(const struct byteset *s, unsigned c)
{
	return s->w[c >> 6] >> (c & 63) & 1;
}

/* A [:name:] wildmatch does not know; borrowed from the pattern. */
struct sl_wildmatch_name {
	const char *name;
	size_t len;
};

/*
 * Reads the bracket class that starts at p[at] == '[' exactly as
 * wildmatch's do-while loop does: a ']' right after "[" or "[!" is a
 * member, '-' makes a range only between two members, "[:name:]" only
 * when it closes with ":]", '\' escapes. The set is negated when the
 * class is, and never holds NUL; removing '/' (WM_PATHNAME) is the
 * caller's. Returns the index after the closing ']', or 0 when wildmatch
 * would give up on the class: it never closes, or it names a class
 * wildmatch does not know (then *unknown says which).
 */
size_t sl_wildmatch_class(struct byteset *set, const unsigned char *p, size_t n,
			  size_t at, struct sl_wildmatch_name *unknown);

/* git's simple_length(): the bytes before the first of * ? [ \. */
size_t sl_wildmatch_simple_length(const char *s, size_t len);

#endif
