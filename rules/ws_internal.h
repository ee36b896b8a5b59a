/*
 * ws_internal.h: what the files of workspaces (rules/ws_*.c) share and
 * nothing outside rules/ includes: the JSON pull reader (ws_json.c), the
 * workspace globs (ws_glob.c), building a struct sl_ws (ws_model.c) and
 * the lockfile graph every kind fills and ws_lock.c diffs.
 */
#ifndef SL_RULES_WS_INTERNAL_H
#define SL_RULES_WS_INTERNAL_H

#include "common/common.h"

#include "rules/rules.h"

/* ---- ws_json.c: a pull reader over one JSON text --------------------- */

enum sl_jtype {
	SL_JT_OBJECT,
	SL_JT_ARRAY,
	SL_JT_STRING,
	SL_JT_NUMBER,
	SL_JT_TRUE,
	SL_JT_FALSE,
	SL_JT_NULL
};

struct sl_jr {
	const char *file; /* for messages */
	const char *start, *p, *end;
	struct sl_error *err;
	unsigned depth;
	unsigned char first[64];    /* per open level: no item read yet */
	unsigned char open_obj[64]; /* per open level: an object */
	int failed;
};

void sl_jr_init(struct sl_jr *jr, const char *file, const char *data,
		size_t len, struct sl_error *err);
/* The type of the next value (whitespace skipped), or SL_ERULES. */
int sl_jr_peek(struct sl_jr *jr);
/* Opens the object or array that must come next. */
int sl_jr_object(struct sl_jr *jr);
int sl_jr_array(struct sl_jr *jr);
/*
 * A string as read: s[0..n), not NUL-terminated. It points into the
 * text when the string holds no escape (no copy: almost every key and
 * value), else into dec, its decoding. Borrowed either way: valid while
 * the text lives and until the next read into the same struct. Caller
 * owns dec and frees it with sl_jstr_release().
 */
struct sl_jstr {
	const char *s;
	size_t n;
	struct sl_buf dec;
};
#define SL_JSTR_INIT                                                           \
	{                                                                      \
		.s = NULL, .n = 0, .dec = SL_BUF_INIT                          \
	}
void sl_jstr_release(struct sl_jstr *js);
/* Is js the string lit (compared decoded, as JSON compares keys)?
 * Inline: with lit a literal, its length is known where it is called. */
static inline bool sl_jstr_is(const struct sl_jstr *js, const char *lit)
{
	size_t n = strlen(lit);

	return js->n == n && !memcmp(js->s, lit, n);
}
/*
 * In an open object: 1 with the next member's key in key and its value
 * next; 0 at the closing '}' (the object is then closed).
 */
int sl_jr_key(struct sl_jr *jr, struct sl_jstr *key);
/* In an open array: 1 when an element is next; 0 at the closing ']'. */
int sl_jr_element(struct sl_jr *jr);
/* The string that must come next, in out (see struct sl_jstr). */
int sl_jr_str(struct sl_jr *jr, struct sl_jstr *out);
/* The same decoded into out (replaced): a NUL-terminated copy. */
int sl_jr_string(struct sl_jr *jr, struct sl_buf *out);
/* The number that must come next; UINT64_MAX unless a whole number. */
int sl_jr_uint(struct sl_jr *jr, uint64_t *out);
/* Skips (and checks) the next value, however deep. */
int sl_jr_skip(struct sl_jr *jr);
/* Checks that nothing but whitespace follows the document. */
int sl_jr_end(struct sl_jr *jr);
/* Sets "FILE:LINE:COL: not valid JSON: what" at the reader's place. */
int sl_jr_error(struct sl_jr *jr, const char *what);
/* A hash of the JSON text s[0..n) that ignores whitespace between
 * tokens: equal for the same value written with another layout. */
uint64_t sl_jr_hash(const char *s, size_t n);

/* ---- ws_glob.c: workspace globs ------------------------------------- */

/*
 * Does the directory path dir (relative to the workspace root, no
 * trailing '/') match the workspace glob pat, as npm's and pnpm's globs
 * match (minimatch / micromatch): '*' and '?' within a component, '**'
 * as a whole component any number of them, [...] classes, {a,b}
 * alternatives; wildcards do not match a leading '.' of a component; a
 * leading "./" and a trailing "/" of pat are ignored.
 */
bool sl_ws_glob_match(const char *pat, const char *dir);
/* The directory a glob's first wildcard is in ("packages" for
 * packages/[any]; "" for a glob that starts with one), and how many components below it it can
 * reach (UINT_MAX: any number, it holds "**"). Caller owns *prefix. */
void sl_ws_glob_base(char **prefix, unsigned *depth, const char *pat);

/* ---- ws_model.c: building a workspace ------------------------------ */

/* Adds a package (the strings are copied); returns its index. */
size_t sl_ws_add_pkg(struct sl_ws *ws, const char *name, const char *dir,
		     const char *manifest);
/* Adds an edge from package from to package to, once. */
void sl_ws_add_edge(struct sl_ws *ws, size_t from, size_t to,
		    const char *field);
/* The package named name, or SIZE_MAX. */
size_t sl_ws_find_name(const struct sl_ws *ws, const char *name);
/* The package whose directory is dir, or SIZE_MAX. */
size_t sl_ws_find_dir(const struct sl_ws *ws, const char *dir);
/*
 * Sorts the packages by directory (edges renumbered), refuses two
 * packages of one name or directory, and names each package's lane:
 * the shortest tail of its name (split at '/' and '@') that no other
 * package shares, made a valid lane name. Messages name files by
 * what suffix adds to them.
 */
int sl_ws_finish(struct sl_ws *ws, struct sl_error *err);
/* root + "/" + rel, or rel when root is "" (path joining). */
char *sl_ws_join(const char *root, const char *rel);
/* The file's name in messages: path and the source's label. */
const char *sl_ws_label(struct sl_buf *sb, const struct sl_ws_source *src,
			const char *path);
/* Reads a file through src; *found false when absent. Caps the size. */
int sl_ws_read(struct sl_buf *out, bool *found, const struct sl_ws_source *src,
	       const char *path, struct sl_error *err);

/* The kinds' derivations (ws_npm.c, ws_pnpm.c, ws_go.c). */
int sl_ws_derive_npm(struct sl_ws *ws, const struct sl_ws_source *src,
		     struct sl_error *err);
int sl_ws_derive_pnpm(struct sl_ws *ws, const struct sl_ws_source *src,
		      struct sl_error *err);
int sl_ws_derive_go(struct sl_ws *ws, const struct sl_ws_source *src,
		    struct sl_error *err);

/*
 * One package.json as deriving reads it: its name (NULL when it has
 * none), its `workspaces` globs (npm's array or {packages: [...]} form;
 * has_workspaces when the key is there), and each dependency of the four
 * fields by the package it names: its own name, or an alias's target
 * (npm:NAME@RANGE, workspace:NAME@RANGE). The names are kept end to end
 * in one buffer, each NUL-terminated: a thousand manifests of forty
 * dependencies are a thousand buffers, not 120,000 strings. Caller owns
 * what is parsed and releases it with sl_pkg_json_release().
 */
struct sl_pkg_dep {
	size_t target;	   /* offset of the package's name in targets */
	const char *field; /* "dependencies", ...: static */
	/* A `file:` or `link:` dependency: the offset of its path (relative
	 * to the package's directory) in targets; SIZE_MAX: none. */
	size_t local;
};
struct sl_pkg_json {
	char *name;
	struct sl_strvec workspaces;
	bool has_workspaces;
	struct sl_buf targets;
	struct sl_pkg_dep *deps;
	size_t ndeps, deps_alloc;
};
int sl_pkg_json_parse(struct sl_pkg_json *out, const char *file,
		      const char *data, size_t len, struct sl_error *err);
/* The name of the package dependency i names. Borrowed from pj. */
const char *sl_pkg_json_target(const struct sl_pkg_json *pj, size_t i);
void sl_pkg_json_release(struct sl_pkg_json *pj);

/*
 * The packages of npm and pnpm workspaces: every directory matched by
 * the globs (a glob starting with '!' excludes) that holds a
 * package.json, read and added with its dependencies on one another.
 */
int sl_ws_add_js_packages(struct sl_ws *ws, const struct sl_ws_source *src,
			  const struct sl_strvec *globs, struct sl_error *err);

/* ---- ws_go.c: go.mod, go.work and go.sum lines ---------------------- */

/* One directive: `require x v1` or a line of a `require (...)` block
 * (verb "require", args "x", "v1"); a go.sum line's verb is its path. */
struct sl_modline {
	const char *verb;
	const char *const *args;
	size_t nargs;
	unsigned line;
};

/* Calls fn for each directive of a go.mod, go.work or go.sum text;
 * stops at fn's error. SL_ERULES "FILE:LINE: ..." for a quote or block
 * that is not closed. */
int sl_modfile_parse(const char *file, const char *data, size_t len,
		     int (*fn)(const struct sl_modline *line, void *payload),
		     void *payload, struct sl_error *err);
/* Is path a local directory ("./x", "../x", "/x"), not a module path? */
bool sl_modfile_local(const char *path);
/* dir joined with the local path rel, resolved; NULL outside the
 * repository. Caller owns it. */
char *sl_modfile_dir(const char *dir, const char *rel);

/* ---- ws_lock.c: the lockfile graph and its diff --------------------- */

/* An entry of a lockfile: what a change is attributed by. */
struct sl_lock_entry {
	uint32_t key;	  /* in pool: its identity in the file */
	uint32_t name;	  /* in pool: the package or module it is of */
	uint32_t version; /* in pool; 0: none ("" at pool offset 0) */
	uint64_t hash;	  /* of its content */
	uint32_t edges;	  /* its dependencies: edge[edges .. edges+nedges) */
	uint32_t nedges;
	/* SL_LOCK_ROOT: the workspace root's own entry; SL_LOCK_NONE: a
	 * dependency; else the index of the package whose entry it is. */
	uint32_t pkg;
	/* A dependency walk stops here: a link to a workspace package. */
	bool stop;
};

#define SL_LOCK_NONE UINT32_MAX
#define SL_LOCK_ROOT (UINT32_MAX - 1)

struct sl_ws_lock {
	const struct sl_ws *ws; /* borrowed */
	char *file;
	struct sl_buf pool; /* NUL-terminated strings; offset 0 is "" */
	struct sl_lock_entry *entries;
	size_t n, alloc;
	uint32_t *edge; /* entry indices */
	size_t nedge, edge_alloc;
	/* An open-addressing table of entry indices by key. */
	uint32_t *slots;
	size_t cap;
	/* Go: entries are module paths, attributed to every package whose
	 * closure names them (ws->pkgs[].closure), not through edges. */
	bool by_closure;
};

/* Interns s[0..n) in the pool (not shared): its offset. */
uint32_t sl_lock_str(struct sl_ws_lock *lock, const char *s, size_t n);
static inline const char *sl_lock_s(const struct sl_ws_lock *lock, uint32_t off)
{
	return lock->pool.buf + off;
}
/* Adds an entry with key (copied); returns its index. Keys are unique:
 * adding one twice returns the first (then *dup is set). */
uint32_t sl_lock_add(struct sl_ws_lock *lock, const char *key, size_t len,
		     bool *dup);
/* The entry whose key is key[0..len), or SL_LOCK_NONE. */
uint32_t sl_lock_find(const struct sl_ws_lock *lock, const char *key,
		      size_t len);
/* Adds an edge from entry from (which must be the last entry given
 * edges) to entry to. */
void sl_lock_edge(struct sl_ws_lock *lock, uint32_t from, uint32_t to);
struct sl_ws_lock *sl_lock_new(const struct sl_ws *ws, const char *file);
/*
 * Appends package pkg's closure to out, as "name@version" for each entry
 * it reaches (a workspace package's link not included; Go: module
 * paths): what tests hold against npm's and pnpm's own trees.
 */
void sl_ws_lock_closure(struct sl_strvec *out, const struct sl_ws_lock *lock,
			size_t pkg);

/* The kinds' parsers (ws_npm_lock.c, ws_pnpm_lock.c, ws_go_lock.c). */
int sl_lock_parse_npm(struct sl_ws_lock *lock, const char *data, size_t len,
		      struct sl_error *err);
int sl_lock_parse_pnpm(struct sl_ws_lock *lock, const char *data, size_t len,
		       struct sl_error *err);
int sl_lock_parse_go(struct sl_ws_lock *lock, const char *data, size_t len,
		     struct sl_error *err);

#endif
