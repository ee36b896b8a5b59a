/*
 * internal.h: what the files of selector/ share and nothing outside it
 * includes: the repository handle's layout, libgit2 start-up, the
 * conversion of libgit2 errors into sl_error, and the helpers that build
 * change lists. Only selector/ sees libgit2's types.
 */
#ifndef SL_SELECTOR_INTERNAL_H
#define SL_SELECTOR_INTERNAL_H

#include "common/common.h"

#include <git2.h>

#include "selector/selector.h"

/* Deeper trees are refused, as git's core.maxTreeDepth does. */
#define SL_TREE_MAX_DEPTH 4096

struct sl_repo {
	git_repository *git;
	char *root;    /* work tree without trailing slash; NULL when bare */
	char *git_dir; /* with a trailing slash */
	bool shallow;
};

/* ---- gitinit.c ----------------------------------------------------- */

/*
 * git_libgit2_init() without parsing the TLS certificate bundle (sluice
 * never connects to a network); balanced by sl_git_shutdown(). Returns
 * SL_EENV when libgit2 cannot start.
 */
int sl_git_init(struct sl_error *err);
void sl_git_shutdown(void);

/* ---- inflate.c ------------------------------------------------------- */

/* Frees the calling thread's libdeflate decompressor, if it has one (other
 * threads' are freed as they end). */
void sl_inflate_release(void);
/* How many zlib streams this thread has had decoded in one step, for tests. */
size_t sl_inflate_one_step_count(void);

/* ---- repo.c ---------------------------------------------------------- */

/*
 * Sets err to status with the formatted message followed by ": " and
 * libgit2's last error message (when there is one), and clears libgit2's.
 * Returns status. The one place libgit2's errors become sl_error.
 */
int sl_git_error(struct sl_error *err, enum sl_status status, const char *fmt,
		 ...) SL_PRINTF(3, 4);

/* libgit2's last error message, or "unknown error"; borrowed. */
const char *sl_git_last_message(void);

/*
 * Looks rev up and peels it to a commit, reporting failures as SL_EENV
 * with what ("base", "head", "commit") and rev named, and how to fetch a
 * missing commit. Caller owns *out (git_commit_free()).
 */
int sl_repo_lookup_commit(git_commit **out, struct sl_repo *repo,
			  const char *rev, const char *what,
			  struct sl_error *err);

/* The full hex id of oid, NUL-terminated. */
void sl_oid_hex(char out[SL_OID_HEXSZ + 1], const git_oid *oid);

/* True when s is SL_OID_HEXSZ zeros: the "no commit" id of push events. */
bool sl_oid_hex_is_zero(const char *s);

/* ---- treewalk.c ----------------------------------------------------- */

/*
 * A part of one tree comparison, walked by one thread: its changes in
 * git's tree order, and where among them go the parts it handed to
 * another thread (splices, by position, in order).
 */
struct sl_walk_part {
	struct sl_change_list changes;
	struct sl_walk_splice {
		size_t at; /* before changes.items[at] */
		struct sl_walk_task *task;
	} * splices;
	size_t nsplices, splices_alloc;
};

/*
 * A handed-over part: entries of two trees that one thread had not reached
 * yet when another had nothing to do (the second half of what a directory
 * had left), copied out of the objects (a side that does not exist has
 * none), with the directory they are in.
 */
struct sl_walk_task {
	struct sl_walk_part part;
	char *dir; /* "" or "a/b/" */
	size_t dirlen;
	char *old_entries, *new_entries; /* NULL: no such tree on that side */
	size_t old_len, new_len;
	int depth;
	int ret; /* the walk's status; err has its message */
	struct sl_error err;
	struct sl_walk_task *next; /* in the pool's queue */
	/* Handed over earlier from the same directory: it comes after. */
	struct sl_walk_task *after;
};

struct sl_tree_diff_options {
	const git_oid *old_tree, *new_tree;
	/* Threads that may take parts of the walk (treepool.c); NULL: the
	 * calling thread walks alone. */
	struct sl_walk_pool *pool;
};

/*
 * Appends to out the changes from the tree old_tree to new_tree, in path
 * order, renames not paired. With a pool, parts of the walk may be done
 * by the pool's other threads; the result is the same. Returns SL_EENV
 * when a tree cannot be read.
 */
int sl_tree_diff(struct sl_change_list *out, struct sl_repo *repo,
		 const struct sl_tree_diff_options *opts, struct sl_error *err);

/*
 * Walks a handed-over part with repo's object database (the calling
 * thread's own handle), handing parts of it over in turn to pool's other
 * threads. Sets task->ret and task->err.
 */
void sl_walk_task_run(struct sl_walk_task *task, struct sl_repo *repo,
		      struct sl_walk_pool *pool);

/* Frees task, the parts it handed over and their changes. */
void sl_walk_task_free(struct sl_walk_task *task);

/* ---- treepool.c ----------------------------------------------------- */

/*
 * Threads sharing one tree walk. The walking thread hands over half of
 * what its outermost unfinished directory has left whenever another
 * thread of the pool is waiting for work, so that two threads share a
 * large diff with a handful of hand-overs. A pool serves one walk. See
 * treepool.c.
 */
struct sl_walk_pool;

/* Caller owns *out (sl_walk_pool_free()). */
void sl_walk_pool_new(struct sl_walk_pool **out);
void sl_walk_pool_free(struct sl_walk_pool *pool);

/*
 * Called by a thread that has nothing else to do: opens its own handle on
 * the repository at git_dir and walks the parts the walk hands over until
 * the walk is over or the pool is closed. Returns at once when it is over
 * already. Failing to open the handle is not an error: the walk goes on
 * without this thread.
 */
void sl_walk_pool_help(struct sl_walk_pool *pool, const char *git_dir);

/* No walk will start (or the diff is over): helpers return. */
void sl_walk_pool_close(struct sl_walk_pool *pool);

/* How many parts were handed over so far. */
size_t sl_walk_pool_handed(struct sl_walk_pool *pool);

/* The walking thread's side, for treewalk.c: */

/* Marks the start of the walk, the calling thread busy with it. */
void sl_walk_pool_begin(struct sl_walk_pool *pool);

/*
 * Cheap and unlocked: might a thread be waiting for work? A true answer
 * is checked again under the lock by sl_walk_pool_lock_if_waiting().
 */
bool sl_walk_pool_wanted(struct sl_walk_pool *pool);

/*
 * Takes the pool's lock and returns true when a thread is waiting and no
 * part is queued; then the caller gives one part or none with
 * sl_walk_pool_give(), which unlocks.
 */
bool sl_walk_pool_lock_if_waiting(struct sl_walk_pool *pool);
void sl_walk_pool_give(struct sl_walk_pool *pool, struct sl_walk_task *task);

/*
 * Called when the calling thread's own walk is done: it walks the parts
 * handed over until every part is done, with repo's handle.
 */
void sl_walk_pool_finish(struct sl_walk_pool *pool, struct sl_repo *repo);

/*
 * Appends every file, symbolic link and submodule of tree to out, in
 * git's order (that of the paths' bytes). SL_EENV when a tree cannot be
 * read.
 */
int sl_tree_list(struct sl_file_list *out, struct sl_repo *repo,
		 const git_oid *tree, struct sl_error *err);

/* ---- treediff.c ----------------------------------------------------- */

/* Two commits to compare, as sl_diff_commits() takes them, and the pool
 * that may share the tree walk (NULL: none). */
struct sl_commit_pair {
	const char *old_rev, *new_rev;
	bool find_renames;
	struct sl_walk_pool *pool;
};

/* sl_diff_commits() (selector.h), with a pool. */
int sl_diff_commit_pair(struct sl_change_list *out, struct sl_repo *repo,
			const struct sl_commit_pair *pair,
			struct sl_error *err);

/*
 * Appends the deltas of a libgit2 diff to out, unsorted: renames with
 * both names, untracked directories (nested repositories) without their
 * trailing '/' and flagged as submodules, and any delta whose state is
 * uncertain (unreadable, conflicted) as modified.
 */
void sl_changes_from_git_diff(struct sl_change_list *out, git_diff *diff);

/*
 * Reports each deleted and added path of list with the same blob id and
 * mode (not empty, not a submodule) as one rename, preferring a pair with
 * the same base name. Cheap and exact: no content is read. Leaves list
 * unsorted.
 */
void sl_change_list_pair_renames(struct sl_change_list *list);

/* ---- shallow.c ------------------------------------------------------ */

/*
 * The merge-base of a and b in a shallow clone, with the commits of its
 * shallow file as roots, as git computes it there. Returns 0 with *out
 * set, 1 when the fetched histories do not meet, or SL_EENV.
 */
int sl_shallow_merge_base(git_oid *out, struct sl_repo *repo, const git_oid *a,
			  const git_oid *b, struct sl_error *err);

/* ---- changes.c ------------------------------------------------------- */

/* Appends a change for path (copied) and returns it, zeroed otherwise. */
struct sl_change *sl_change_list_push(struct sl_change_list *list,
				      enum sl_change_status status,
				      const char *path, size_t len);

/* Byte order of two paths, a prefix first ("a" < "a.b" < "a/x"). */
int sl_path_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* Sorts by path (a rename by its new name). */
void sl_change_list_sort(struct sl_change_list *list);

/*
 * Sorts and lists each path once. libgit2's similarity search splits a
 * typechange into a deletion and an addition that may become a rename's
 * new side: of two changes with one path, the one that is not a deletion
 * is kept (the names they touch are the same).
 */
void sl_change_list_sort_unique(struct sl_change_list *list);

/*
 * Merges later (changes made after those of into, e.g. the working copy's
 * after a commit range's) into into, both sorted: a path in both is listed
 * once, with the status of the combined change. Empties later.
 */
void sl_change_list_merge(struct sl_change_list *into,
			  struct sl_change_list *later);

/* Frees one change's strings. */
void sl_change_release(struct sl_change *change);

#endif
