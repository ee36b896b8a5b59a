/*
 * rules/codeowners_internal.h: what the files of the CODEOWNERS import share
 * (codeowners_parse.c reads the file, codeowners_regex.c translates one
 * pattern to a regular expression and reasons about pairs of patterns,
 * codeowners.c builds the lanes and writes the rules file). Nothing outside
 * rules/ includes it but the import's own unit tests.
 */
#ifndef SL_CODEOWNERS_INTERNAL_H
#define SL_CODEOWNERS_INTERNAL_H

#include "common/common.h"

#include "rules/rules.h"

/* ---- codeowners_regex.c: one pattern ----------------------------------- */

enum sl_co_seg_kind {
	SL_CO_SEG_LITERAL,  /* plain bytes */
	SL_CO_SEG_STARSTAR, /* a whole-segment "**" */
	SL_CO_SEG_SIMPLE,   /* plain bytes, '*' and '?' */
	SL_CO_SEG_OTHER	    /* escapes or classes: not analysed */
};

struct sl_co_seg {
	const char *s; /* into the glob's body; not NUL-terminated */
	size_t len;
	enum sl_co_seg_kind kind;
};

/*
 * A CODEOWNERS pattern as a gitignore glob, with what the import needs to
 * know about it. A pattern P matches a path X as git's `check-ignore
 * --no-index` with P as its only pattern says, except that an exact pattern
 * (GitHub's lone trailing star, 'docs/' + '*') matches X only itself, never
 * through one of X's leading directories.
 */
struct sl_co_glob {
	char *text;    /* the gitignore pattern, as a glob lane entry says it */
	char *body;    /* text less its leading '/' and one trailing '/' */
	size_t len;    /* of body */
	size_t prefix; /* git's literal prefix of body (match_pathname) */
	bool name;     /* no '/' but a trailing one: a name at any depth */
	bool dir_only; /* a trailing '/': directories only */
	bool exact;    /* ends with '/' + '*': no match through a directory */
	bool never;    /* matches no path at all */
	bool structured; /* segs[i] constrains the path's component i */
	struct sl_co_seg *segs;
	size_t nsegs, alloc_segs;
	size_t first_starstar; /* index of the first "**" segment, or nsegs */
	size_t min_depth;      /* components a matched path has at least */
	size_t max_depth;      /* ... at most; SIZE_MAX: no bound */
};

/*
 * Reads text (a gitignore pattern; GitLab's are normalized by the caller)
 * into g. exact_rule applies GitHub's rule that a pattern ending in a '/'
 * and a '*' does not match the contents of the directories it names. Sets g->never,
 * with the reason in why, for a pattern git can never match (a lone
 * trailing '\', a malformed '[' class, nothing left after the slashes).
 * Release with sl_co_glob_release().
 */
void sl_co_glob_init(struct sl_co_glob *g, const char *text, bool exact_rule,
		     struct sl_buf *why);
void sl_co_glob_release(struct sl_co_glob *g);

/*
 * Appends a PCRE2 expression that matches exactly the whole paths g
 * matches, read as sluice reads "re:" (rules/regex.c: byte-wise, '.'
 * matches every byte, anchored at both ends). The path is taken for a
 * file: a path that is itself a directory (a submodule) is not told apart.
 */
void sl_co_glob_regex(struct sl_buf *out, const struct sl_co_glob *g);

/* True only when no path can match both a and b (false: they may). */
bool sl_co_glob_disjoint(const struct sl_co_glob *a,
			 const struct sl_co_glob *b);

/* True only when every path b matches, a matches too (false: maybe not). */
bool sl_co_glob_covers(const struct sl_co_glob *a, const struct sl_co_glob *b);

/* ---- codeowners_parse.c: the file -------------------------------------- */

struct sl_co_section {
	char *name; /* as written */
	unsigned line;
	bool optional;	    /* ^[Name] */
	unsigned approvals; /* [Name][N]; 0 when not written */
	struct sl_strvec defaults;
	size_t merged; /* index of the first section of the same name */
};

struct sl_co_entry {
	unsigned line;
	char *pattern;		 /* as written */
	struct sl_strvec owners; /* as written, each once, in order */
	size_t section; /* GitLab: index into sections; SIZE_MAX: none */
	struct sl_co_glob glob;
	bool dropped; /* matches no path: left out, with a warning */
	/* Filled in by codeowners.c. */
	size_t set;	/* owner set: index into the lanes */
	size_t dead_by; /* a later entry that covers it, or SIZE_MAX */
	char *regex;	/* sl_co_glob_regex(), once needed */
	char *rule;	/* the pattern its lane lists */
	char *note;	/* why rule is a regex, for a comment; NULL: a glob */
};

struct sl_co_warning {
	unsigned line;
	char *msg; /* "SOURCE:LINE: ..." */
};

struct sl_co_file {
	enum sl_codeowners_flavor flavor; /* never AUTO once parsed */
	const char *source;		  /* the file's name, for messages */
	struct sl_co_entry *entries;	  /* the lines that count, in order */
	size_t nentries, alloc;
	struct sl_co_section *sections; /* GitLab's, in order */
	size_t nsections, salloc;
	struct sl_co_warning *warnings; /* in the order found */
	size_t nwarnings, walloc;
};

/*
 * Parses text into file (which the caller zeroes and sets flavor and
 * source on); AUTO becomes GITLAB when a line is a [Section] header, else
 * GITHUB. Lines GitHub (or GitLab) skips, and what the import cannot carry
 * over, become warnings. Returns SL_EUSAGE for input that is not text
 * (not UTF-8, a NUL byte) or a pattern longer than the rules file takes.
 */
int sl_co_parse(struct sl_co_file *file, const char *text, size_t len,
		struct sl_error *err);
void sl_co_file_release(struct sl_co_file *file);

/* ---- codeowners_index.c: which lines may meet -------------------------- */

struct sl_co_index;

/* An index of f's lines that are not dropped. Caller owns it. */
struct sl_co_index *sl_co_index_new(const struct sl_co_file *f);
void sl_co_index_free(struct sl_co_index *x);
/*
 * The lines after line i that may match a path line i matches, ascending,
 * into *out (grown as SL_ALLOC_GROW does with *alloc; the caller frees
 * it): a superset of those sl_co_glob_disjoint() does not call disjoint
 * and of those one covers the other, found without asking every pair.
 * Lines that are dropped may be among them. Returns how many.
 */
size_t sl_co_index_later(size_t **out, size_t *alloc,
			 const struct sl_co_index *x, size_t i);

/* ---- codeowners.c and codeowners_yaml.c: the lanes --------------------- */

struct sl_co_lane {
	size_t first; /* the entry whose owners the lane lists */
	char *name;
};

struct sl_co_conv {
	struct sl_co_file file;
	struct sl_co_lane *lanes; /* one per owner set, by first line */
	size_t nlanes;
	size_t *order; /* the lanes as written: indices into lanes */
	size_t *pos;   /* a lane's place in order */
	struct sl_co_index *index; /* which lines may meet */
	/* The live entries of lane l: by_lane[lane_start[l] ..
	 * lane_start[l + 1]), in file order. */
	size_t *by_lane, *lane_start;
};

/* Is e written into a lane: neither dropped nor covered by a later line? */
static inline bool sl_co_entry_live(const struct sl_co_entry *e)
{
	return !e->dropped && e->dead_by == SIZE_MAX;
}

/*
 * Appends the rules file for c, whose live entries have their rule (and
 * note) written, with warnings repeated as comments in its header.
 */
void sl_co_emit(struct sl_buf *out, const struct sl_co_conv *c,
		const struct sl_strvec *warnings);

/* Appends s to out as text safe inside a YAML comment or a message. */
void sl_co_add_shown(struct sl_buf *out, const char *s);

/* Records "SOURCE:LINE: <formatted>" in f->warnings. */
void sl_co_warn(struct sl_co_file *f, unsigned line, const char *fmt, ...)
    SL_PRINTF(3, 4);

#endif
