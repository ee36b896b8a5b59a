/*
 * common: what every folder of sluice uses and nothing else. Allocation that
 * never returns NULL (out of memory aborts), the status codes and the
 * caller-owned error message every fallible function reports through, the
 * growable byte buffer (sl_buf), a NULL-terminated string vector (sl_strvec),
 * UTF-8 validation and JSON encoding of paths that may not be UTF-8, and
 * finding and running the programs a decision trusts (ssh-keygen, git). It
 * knows nothing of rules, diffs or gates.
 *
 * Include this header first in every .c file: it pulls in the system headers
 * and then common/banned.h.
 */
#ifndef SL_COMMON_H
#define SL_COMMON_H

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define SL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define SL_NORETURN __attribute__((noreturn))
#define SL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SL_MIN(a, b) ((a) < (b) ? (a) : (b))

/* ---- allocation ------------------------------------------------------ */

/*
 * The sl_x*alloc family never returns NULL: out of memory prints
 * "sluice: out of memory" and aborts, so callers need not check. The caller
 * owns what they return and frees it with free().
 */
void *sl_xmalloc(size_t size);
void *sl_xcalloc(size_t nmemb, size_t size);
void *sl_xrealloc(void *ptr, size_t size);
char *sl_xstrdup(const char *s);
/* Copies len bytes and adds a NUL; the copy may hold NULs of its own. */
char *sl_xmemdupz(const void *data, size_t len);
/* Aborts on overflow: the size of nmemb elements of size bytes. */
size_t sl_st_mult(size_t nmemb, size_t size);
size_t sl_st_add(size_t a, size_t b);

/*
 * Grows the array x (of *alloc elements, nr in use) so that it holds at
 * least nr elements: SL_ALLOC_GROW(v, n + 1, alloc).
 */
#define SL_ALLOC_GROW(x, nr, alloc)                                            \
	do {                                                                   \
		if ((nr) > (alloc)) {                                          \
			size_t sl_ag_new_ = (alloc) < 8 ? 8 : 2 * (alloc);     \
			if (sl_ag_new_ < (nr))                                 \
				sl_ag_new_ = (nr);                             \
			(x) = sl_xrealloc(                                     \
			    (x), sl_st_mult(sl_ag_new_, sizeof(*(x))));        \
			(alloc) = sl_ag_new_;                                  \
		}                                                              \
	} while (0)

/* ---- hashing for in-memory tables ----------------------------------- */

/* FNV-1a of s[0..n): the hash of sluice's open-addressing tables. Not
 * for anything an attacker could choose to collide on purpose at scale:
 * the tables stay correct, only slower. */
static inline uint64_t sl_hash_bytes(const void *s, size_t n)
{
	const unsigned char *p = s;
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* The same of the NUL-terminated s, in one pass. */
static inline uint64_t sl_hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* ---- status and errors ---------------------------------------------- */

/*
 * What went wrong, by what the user must do about it. Only cli/ maps these
 * to exit codes (cli/exit.c): usage and rules -> 2, env -> 3, refused -> 1,
 * interrupted -> 130.
 */
enum sl_status {
	SL_OK = 0,
	SL_EUSAGE = -1,	  /* bad command line or input: nothing was run */
	SL_ERULES = -2,	  /* the rules file is wrong: nothing was run */
	SL_EENV = -3,	  /* no repository, missing commit, ledger, disk */
	SL_EREFUSED = -4, /* an override decision was refused */
	SL_EINTR = -5,	  /* interrupted by SIGINT or SIGTERM */
	SL_ENOTFOUND = -6 /* a named thing does not exist (maps to usage) */
};

struct sl_buf {
	size_t alloc;
	size_t len;
	char *buf;
};

/*
 * A caller-owned error: a status and one message. Messages are lowercase,
 * without a trailing period, name the subject in quotes and the
 * file:line:col where there is one, and say what to do.
 */
struct sl_error {
	enum sl_status status;
	struct sl_buf msg;
};

#define SL_ERROR_INIT                                                          \
	{                                                                      \
		.status = SL_OK, .msg = SL_BUF_INIT                            \
	}

/*
 * Records status and message in err (replacing any earlier one) and returns
 * status, so that `return sl_error_set(err, SL_EENV, "...")` reads as one
 * step. err may be NULL: the status is still returned.
 */
int sl_error_set(struct sl_error *err, enum sl_status status, const char *fmt,
		 ...) SL_PRINTF(3, 4);
/* Puts "<formatted>: " in front of the message, keeping the status. */
void sl_error_prefix(struct sl_error *err, const char *fmt, ...)
    SL_PRINTF(2, 3);
/* The message, or "" when none was set; borrowed from err. */
const char *sl_error_message(const struct sl_error *err);
/*
 * As git's lifecycle verbs: _reset empties (SL_OK, no message) and keeps
 * the memory for the next message; _release frees it.
 */
void sl_error_reset(struct sl_error *err);
void sl_error_release(struct sl_error *err);

/* ---- sl_buf: growable, binary-safe, always NUL-terminated ------------ */

extern char sl_buf_slopbuf[];
#define SL_BUF_INIT                                                            \
	{                                                                      \
		.alloc = 0, .len = 0, .buf = sl_buf_slopbuf                    \
	}

void sl_buf_init(struct sl_buf *sb, size_t hint);
/* Frees the contents; sb is left empty and reusable. */
void sl_buf_release(struct sl_buf *sb);
/* Caller owns the returned string; sb is left empty. */
char *sl_buf_detach(struct sl_buf *sb, size_t *len_out);
/* The slow paths of the inline functions below: not for callers. */
void sl_buf_grow_alloc(struct sl_buf *sb, size_t extra);
SL_NORETURN void sl_buf_setlen_overflow(void);

/*
 * Makes room for extra more bytes and the NUL. Inline, as setlen() and
 * addch() are: JSON output and reasons call them once or more per byte
 * they write, and almost every call has room already.
 */
static inline void sl_buf_grow(struct sl_buf *sb, size_t extra)
{
	if (!sb->alloc || extra >= sb->alloc - sb->len)
		sl_buf_grow_alloc(sb, extra);
}

/* Sets the length (within what is allocated) and the NUL after it. */
static inline void sl_buf_setlen(struct sl_buf *sb, size_t len)
{
	if (len > (sb->alloc ? sb->alloc - 1 : 0))
		sl_buf_setlen_overflow();
	sb->len = len;
	if (sb->alloc)
		sb->buf[len] = '\0';
}

#define sl_buf_reset(sb) sl_buf_setlen(sb, 0)
void sl_buf_add(struct sl_buf *sb, const void *data, size_t len);
void sl_buf_adds(struct sl_buf *sb, const char *s);
/*
 * Appends a, b and c, one growth for all three: sl_buf_addf(sb,
 * "%s%s%s", ...) without vsnprintf(), which for the place every lane,
 * gate and list of a rules file names before anything fails was a
 * visible share of a small selection (docs/performance.md, "Numbers
 * behind the code").
 */
void sl_buf_adds3(struct sl_buf *sb, const char *a, const char *b,
		  const char *c);

static inline void sl_buf_addch(struct sl_buf *sb, int c)
{
	sl_buf_grow(sb, 1);
	sb->buf[sb->len] = (char)c;
	sl_buf_setlen(sb, sb->len + 1);
}

void sl_buf_addf(struct sl_buf *sb, const char *fmt, ...) SL_PRINTF(2, 3);
void sl_buf_vaddf(struct sl_buf *sb, const char *fmt, va_list ap);
/*
 * Appends all of fd, or the whole file at path, to sb. Refuses more than
 * max bytes (SL_EUSAGE, naming the limit) and reports an unreadable one as
 * SL_EENV with strerror; name is what messages call fd. path "-" reads
 * stdin.
 */
int sl_buf_read_fd(struct sl_buf *sb, int fd, const char *name, size_t max,
		   struct sl_error *err);
int sl_buf_read_file(struct sl_buf *sb, const char *path, size_t max,
		     struct sl_error *err);
/*
 * The same for a file that must be a regular one (a rules file, an
 * allowed_signers file): a FIFO, a device or a directory is refused
 * (SL_EENV) without waiting on it, and with nofollow so is a symbolic
 * link (the copy in a work tree, which a checkout can make a link).
 */
int sl_buf_read_regular(struct sl_buf *sb, const char *path, size_t max,
			bool nofollow, struct sl_error *err);

/* ---- sl_strvec: a NULL-terminated, owned vector of strings ----------- */

struct sl_strvec {
	char **v;
	size_t n;
	size_t alloc;
};

extern const char *sl_strvec_empty[];
#define SL_STRVEC_INIT                                                         \
	{                                                                      \
		.v = (char **)sl_strvec_empty, .n = 0, .alloc = 0              \
	}

/* Pushes a copy of s. */
void sl_strvec_push(struct sl_strvec *sv, const char *s);
/* Pushes s itself: takes ownership of it. */
void sl_strvec_push_take(struct sl_strvec *sv, char *s);
void sl_strvec_pushf(struct sl_strvec *sv, const char *fmt, ...)
    SL_PRINTF(2, 3);
/* Frees every string and the vector; sv is left empty and reusable. */
void sl_strvec_release(struct sl_strvec *sv);
/* Is s one of sv's strings? */
bool sl_strvec_has(const struct sl_strvec *sv, const char *s);

/* ---- text and time -------------------------------------------------- */

/* True when data[0..len) is well-formed UTF-8 (no overlongs, surrogates). */
bool sl_utf8_valid(const char *data, size_t len);
/* Length of the well-formed UTF-8 sequence at s (avail bytes there), or 0
 * if it is not one. */
size_t sl_utf8_seq_len(const unsigned char *s, size_t avail);
/* Appends data to sb, each byte of an ill-formed sequence as U+FFFD. */
void sl_utf8_lossy(struct sl_buf *sb, const char *data, size_t len);
/*
 * Appends path as git shows it (core.quotePath off): as it is, or, when it
 * holds a '"', a '\\' or a character sl_text_is_safe() refuses, in double
 * quotes with C escapes (octal for each byte without a name), as git
 * quotes. The one way a path reaches a terminal or a markdown file.
 */
void sl_buf_add_quoted_path(struct sl_buf *sb, const char *path, size_t len);
/*
 * Reads back a path git quoted ("a\303\251.c", as `git diff --name-only`
 * prints a name with a control byte or, by default, a non-ASCII byte):
 * s[0..len) must be the whole quoted form. Appends the raw bytes to out;
 * -1 when s is not well-formed.
 */
int sl_path_unquote(struct sl_buf *out, const char *s, size_t len);

/*
 * The one principle for text output: no control byte that came from input
 * (a path, a gate's log, a reason, a rules value) reaches a terminal or a
 * markdown file raw. sl_text_is_safe() is false when data holds a C0
 * control or DEL, a C1 control (U+0080..U+009F), a byte of an ill-formed
 * UTF-8 sequence, or a bidirectional override or isolate (U+202A..U+202E,
 * U+2066..U+2069). sl_buf_add_safe() appends data with each of those as C
 * escapes ("\e" is "\033", a tab "\t"); with SL_SAFE_LINES, newlines and
 * tabs stay as they are (a log shown as lines).
 */
#define SL_SAFE_LINES 1u
bool sl_text_is_safe(const char *data, size_t len);
void sl_buf_add_safe(struct sl_buf *sb, const char *data, size_t len,
		     unsigned flags);
/* sl_buf_add_safe() of a NUL-terminated string, on one line. */
void sl_buf_adds_safe(struct sl_buf *sb, const char *s);
/* Monotonic milliseconds, for durations only. */
uint64_t sl_now_ms(void);

/* ---- work another thread may take (common/offer.c) ------------------ */

/*
 * A thread that has nothing else to do calls sl_offer_serve(), which runs
 * posted jobs, oldest first, until sl_offer_close(). The owner posts a
 * job (run and arg set) with sl_offer_post(), does its own work, then
 * calls sl_offer_join(), which runs the job on the owner's thread unless
 * a serving thread took it first, and returns once it is done: each job is
 * done exactly once, never later than the owner would have done it. With
 * offer NULL, post does nothing and join runs the job.
 */
struct sl_offer;

struct sl_offer_job {
	void (*run)(void *arg);
	void *arg;
	int state; /* the offer's */
	struct sl_offer_job *next;
};

/* Caller owns *out (sl_offer_free(), once no thread serves it). */
void sl_offer_new(struct sl_offer **out);
void sl_offer_free(struct sl_offer *offer);
void sl_offer_post(struct sl_offer *offer, struct sl_offer_job *job);
void sl_offer_join(struct sl_offer *offer, struct sl_offer_job *job);
void sl_offer_serve(struct sl_offer *offer);
void sl_offer_close(struct sl_offer *offer);

/* ---- trusted programs (common/child.c) --------------------------- */

/*
 * Finds the program a decision trusts (ssh-keygen, git) once, before any
 * gate runs: name as it is when it holds a '/' (it must be absolute), else
 * the first executable regular file name in an absolute directory of PATH
 * (relative entries are skipped). Sets out to its absolute path; SL_EENV
 * saying how to install it when there is none.
 */
int sl_program_resolve(struct sl_buf *out, const char *name,
		       struct sl_error *err);

/* The programs sluice trusts for a decision. */
enum sl_program {
	SL_PROGRAM_GIT = 0,    /* the ledger's transport (SPEC.md §6) */
	SL_PROGRAM_SSH_KEYGEN, /* signs and verifies decisions (§5) */
	SL_PROGRAM_COUNT
};

/*
 * Every trusted program, found once: `run` and the override commands call
 * sl_programs_find() when they start, before any gate, and hand the paths
 * on; nothing looks a program up in PATH after that (SPEC.md §5).
 */
struct sl_programs {
	char *path[SL_PROGRAM_COUNT];	 /* absolute; NULL: not found */
	char *missing[SL_PROGRAM_COUNT]; /* why not, when not found */
};

#define SL_PROGRAMS_INIT                                                       \
	{                                                                      \
		.path = {NULL}, .missing = { NULL }                            \
	}

/* Finds each program with sl_program_resolve(), on PATH as it is now. */
void sl_programs_find(struct sl_programs *out);
/*
 * Its absolute path into *out (borrowed from p); SL_EENV, saying why it
 * was not found and how to install it, when it was not.
 */
int sl_programs_get(const char **out, const struct sl_programs *p,
		    enum sl_program which, struct sl_error *err);
void sl_programs_release(struct sl_programs *p);

/* What sl_child_run() keeps of a child's output by default. */
#define SL_CHILD_OUTPUT_MAX 8192

/*
 * A program run to completion: no shell, the argv given, no descriptor of
 * sluice's but 0, 1 and 2, its stdout and stderr captured together into
 * output (at most output_max bytes: the rest is read and dropped).
 */
struct sl_child {
	const char *program;	 /* its absolute path: never looked up */
	const char *const *argv; /* argv[0] first, NULL-terminated */
	const char *const *env;	 /* "NAME=VALUE"s set over sluice's own */
	const char *what;	 /* names it in messages ("ssh-keygen") */
	const char *package;	 /* "check the PACKAGE installation" */
	const char *install;	 /* "install INSTALL", when it cannot run */
	int stdin_fd;		 /* -1: /dev/null (interactive: sluice's) */
	bool interactive;	 /* stdin and stderr stay sluice's */
	unsigned timeout_ms;	 /* killed with SIGKILL past it */
	size_t output_max;	 /* 0: SL_CHILD_OUTPUT_MAX */
	struct sl_buf output;	 /* what it printed */
	int status;		 /* its exit status, once it exited */
};

#define SL_CHILD_INIT                                                          \
	{                                                                      \
		.stdin_fd = -1, .output = SL_BUF_INIT, .status = -1            \
	}

/*
 * Runs c and waits for it to exit, never past c->timeout_ms. c->program
 * must be an absolute path (sl_programs_find()): a name is never looked up
 * in PATH here, where a gate may have planted one. 0 with
 * c->status its exit status (whatever it is); SL_EENV when it cannot run,
 * its output cannot be read, it is killed (by a signal, or at the
 * deadline) or waiting for it fails: then it gave no answer.
 */
int sl_child_run(struct sl_child *c, struct sl_error *err);
/* Appends c's output on one line ("; " between lines), or its status. */
void sl_child_message(struct sl_buf *out, const struct sl_child *c);
void sl_child_release(struct sl_child *c);

/* ---- files sluice writes (common/file.c) --------------------------- */

/* sl_file_write(): fail, rather than replace, when path exists. */
#define SL_FILE_NEW 1u

/*
 * The one writer of whole files: data to path through a temporary file in
 * the same directory, fsync(), rename() (link() with SL_FILE_NEW, which
 * never replaces), and an fsync() of the directory, so path is the old
 * file or the whole new one. Refuses (SL_EENV, saying why) a symbolic
 * link, a directory or a special file at path; SL_EUSAGE when SL_FILE_NEW
 * and path exists; SL_EENV with strerror for anything the system refuses
 * (a full disk leaves path as it was).
 */
int sl_file_write(const char *path, const struct sl_buf *data, unsigned flags,
		  struct sl_error *err);
/*
 * Adds data to the end of path, creating it (GitHub's step summary, which
 * every step of a job adds to); refuses a symbolic link.
 */
int sl_file_append(const char *path, const struct sl_buf *data,
		   struct sl_error *err);
/*
 * Whether sl_file_write() (or with append, sl_file_append()) can write
 * path, checked before any work whose result it would lose: what is in
 * the way, and a file made and removed in its directory. Nothing is left
 * behind.
 */
int sl_file_check_writable(const char *path, bool append, struct sl_error *err);
/*
 * Creates path anew for writing (mode), in a directory someone else may
 * write to (--logs DIR): a regular file there is removed first; a
 * symbolic link, a directory or a special file is refused (SL_EENV), and
 * the file is opened with O_EXCL | O_NOFOLLOW, so a link planted in
 * between is refused too. *out is the descriptor (close-on-exec).
 */
int sl_file_create(int *out, const char *path, mode_t mode,
		   struct sl_error *err);

/* ---- "did you mean" (common/suggest.c) ------------------------------ */

/*
 * The one of n names (NULL entries skipped) closest to text by edit
 * distance, when it is close enough to be the name meant: one edit for a
 * word of up to 4 bytes, two up to 12, three beyond, and fewer edits than
 * the name is long; NULL otherwise. Borrowed from names.
 */
const char *sl_suggest(const char *text, const char *const *names, size_t n);

/* ---- JSON (jansson) for text that may not be UTF-8 ------------------ */

struct json_t;

/*
 * A JSON string for arbitrary bytes: well-formed UTF-8 as it is, each byte of
 * an ill-formed sequence as U+FFFD. Never NULL. Caller owns the reference.
 */
struct json_t *sl_json_text(const char *data, size_t len);
/*
 * Sets obj[key] to the path as sl_json_text() shows it and, only when the
 * path is not valid UTF-8, obj["<key>_base64"] to its raw bytes in base64,
 * so that every byte is recoverable (docs/formats.md).
 */
void sl_json_set_path(struct json_t *obj, const char *key, const char *path,
		      size_t len);
/*
 * Reads back what sl_json_set_path() wrote into out (replacing its
 * contents). Returns SL_EUSAGE when obj[key] is missing, not a string, or
 * its base64 twin is malformed.
 */
int sl_json_get_path(struct sl_buf *out, const struct json_t *obj,
		     const char *key, struct sl_error *err);
/* Appends len bytes of in as standard, padded base64 (RFC 4648). */
void sl_base64_encode(struct sl_buf *out, const unsigned char *in, size_t len);
/* Sets obj[key] = value, taking ownership of value; aborts if jansson fails. */
void sl_json_set(struct json_t *obj, const char *key, struct json_t *value);
/* Appends value to arr, taking ownership of value; aborts if jansson fails. */
void sl_json_append(struct json_t *arr, struct json_t *value);
/*
 * Appends root as JSON text (jansson's flags, keys in the order they were
 * set) and a newline, and frees root; aborts if jansson cannot encode it
 * (out of memory: every value was built by the functions above).
 */
void sl_json_dump(struct sl_buf *out, struct json_t *root, size_t flags);

/* ---- a streaming JSON writer (common/json_writer.c) ---------------- */

/*
 * Writes JSON text straight into a buffer, indented by two spaces as
 * jansson's JSON_INDENT(2) does, without building a tree first: for the
 * outputs that can hold tens of thousands of entries (select's changed[]).
 * Strings get the same escaping as sl_json_text(): ill-formed UTF-8 as
 * U+FFFD, '"', '\' and control characters escaped. The caller nests
 * begin/end calls correctly; keys are ASCII literals.
 */
#define SL_JSON_WRITER_DEPTH 32

struct sl_json_writer {
	struct sl_buf *out;
	unsigned depth;
	bool empty[SL_JSON_WRITER_DEPTH]; /* nothing written at this depth */
	bool after_key;
};

void sl_jw_init(struct sl_json_writer *w, struct sl_buf *out);
void sl_jw_object(struct sl_json_writer *w);
void sl_jw_array(struct sl_json_writer *w);
/* Closes the innermost object or array. */
void sl_jw_end(struct sl_json_writer *w, char close);
void sl_jw_key(struct sl_json_writer *w, const char *key);
void sl_jw_string(struct sl_json_writer *w, const char *s, size_t len);
/* s NUL-terminated, or NULL for null. */
void sl_jw_str(struct sl_json_writer *w, const char *s);
void sl_jw_int(struct sl_json_writer *w, int64_t v);
void sl_jw_bool(struct sl_json_writer *w, bool v);
void sl_jw_null(struct sl_json_writer *w);
/* "key": the path, and "key_base64" when it is not UTF-8 (as
 * sl_json_set_path()). */
void sl_jw_path(struct sl_json_writer *w, const char *key, const char *path,
		size_t len);

#include "common/banned.h"

#endif
