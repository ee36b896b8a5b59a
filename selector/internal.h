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
#ifdef SL_HAVE_GIT2_SYS_ERRORS_H
#include <git2/sys/errors.h> /* git_error_clear() from libgit2 1.8 on */
#endif

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
 * git_libgit2_init(), with the options sluice sets (no re-hashing, no
 * object cache) and, where the build wraps them, without the TLS
 * certificate bundle and libssh2's start; balanced by sl_git_shutdown().
 * Returns SL_EENV when libgit2 cannot start.
 */
int sl_git_init(struct sl_error *err);
void sl_git_shutdown(void);

/* True on the thread in sl_git_init() while libgit2 starts: what the
 * link-time wrappers (wrap_*.c) look at. */
extern _Thread_local bool sl_git_starting;

/* ---- inflate.c (built with -Dinterpose, SL_WRAP_INFLATE) ------------- */

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

/* ---- packs.c --------------------------------------------------------- */

/* Objects larger than this are left to libgit2. */
#define SL_PACKS_MAX_OBJECT ((size_t)1 << 30)

/* The pack files of one repository, mapped for reading objects from them
 * without libgit2; for one thread at a time. */
struct sl_packs;

/*
 * Maps the packs in objects_dir/pack that can be read here (none, or a
 * NULL objects_dir, is not an error: every read then says "not here").
 * Caller owns the result (sl_packs_free()).
 */
struct sl_packs *sl_packs_open(const char *objects_dir);
void sl_packs_free(struct sl_packs *packs);

/*
 * Reads the object id from the packs: true with its type, and its bytes
 * in *data (followed by a NUL; caller frees) and *len. False when it is not
 * in a pack, or not one this file reads, or does not decode: the caller
 * asks libgit2 then, which reads it or says what is wrong.
 */
bool sl_packs_read(struct sl_packs *packs, const git_oid *id,
		   git_object_t *type, unsigned char **data, size_t *len);

/* ---- treeread.c ----------------------------------------------------- */

/* A repository's objects as the tree walks read them: from the packs
 * that packs.c reads, else through libgit2's object database. */
struct sl_objects {
	struct sl_packs *packs;
	git_odb *odb;
};

/*
 * Opens repo's objects into out: the packs of its own object directory
 * (none when GIT_OBJECT_DIRECTORY names another: libgit2 then reads
 * everything). SL_EENV when libgit2 cannot open its object database.
 * Release out with sl_objects_release(), also on error.
 */
int sl_objects_open(struct sl_objects *out, struct sl_repo *repo,
		    struct sl_error *err);
void sl_objects_release(struct sl_objects *objs);

/* One entry of a raw tree object: "<octal mode> <name>\0<20-byte id>". */
struct sl_tree_entry {
	const char *name; /* not NUL-terminated by itself: use len */
	size_t len;
	uint32_t mode; /* canonical, as git_tree_entry_filemode() gives it */
	git_oid id;
};

/* A tree object being read, in git's order, and its current entry. */
struct sl_tree_reader {
	unsigned char *data;	  /* read from the packs */
	git_odb_object *obj;	  /* or else by libgit2 */
	const char *p, *end;	  /* what is left after cur */
	struct sl_tree_entry cur; /* borrowed from the object's bytes */
	bool has;		  /* false: no entry left */
};

/*
 * Reads the tree id from objs into r, its first entry in r->cur (r->has
 * false for an empty tree). name is the tree's path, for messages: SL_EENV
 * "cannot read the tree 'name'" when the object cannot be read (libgit2's
 * reason appended), "the tree 'name' is malformed" when it is not a tree
 * or its entry is not one. Release r with sl_tree_reader_release(), also on
 * error.
 */
int sl_tree_reader_open(struct sl_tree_reader *r, struct sl_objects *objs,
			const git_oid *id, const char *name,
			struct sl_error *err);
/* Moves r->cur to the next entry (r->has false at the end); SL_EENV
 * "the tree 'name' is malformed" when the bytes are not an entry. */
int sl_tree_reader_next(struct sl_tree_reader *r, const char *name,
			struct sl_error *err);
void sl_tree_reader_release(struct sl_tree_reader *r);

/* ---- treewalk.c ----------------------------------------------------- */

/*
 * Appends to out the changes from the tree old_tree to new_tree, in path
 * order, renames not paired. Returns SL_EENV when a tree cannot be read.
 */
int sl_tree_diff(struct sl_change_list *out, struct sl_repo *repo,
		 const git_oid *old_tree, const git_oid *new_tree,
		 struct sl_error *err);

/*
 * Appends every file, symbolic link and submodule of tree to out, in
 * git's order (that of the paths' bytes). SL_EENV when a tree cannot be
 * read.
 */
int sl_tree_list(struct sl_file_list *out, struct sl_repo *repo,
		 const git_oid *tree, struct sl_error *err);

/* ---- treediff.c ----------------------------------------------------- */

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

/* ---- plan_ws.c: the plan's step for workspaces ---------------------- */

/* The trusted copy of the rules as it was read, for a second parse that
 * the head's manifests derive (the head changed them, not the rules). */
struct sl_plan_ws_input {
	const char *text; /* its bytes, when read from a commit */
	size_t len;
	const char *rules_file; /* --rules FILE: read it again */
};

/*
 * Derives the lanes of the plan's rules' `workspaces` at the trusted
 * commit (and the head's, when the head changes a manifest or the
 * rules: plan->head_rules, derived at the head), and compares each
 * lockfile the change touched by content (SPEC.md §7). Nothing to do
 * without `workspaces`. Uses repo: after the join only.
 */
int sl_plan_workspaces(struct sl_plan *plan, struct sl_repo *repo,
		       const struct sl_plan_ws_input *in, struct sl_error *err);
/* Gives plan->touched (ntouched names) the lanes the lockfiles' entries
 * select: after the names are built, before selection. */
void sl_plan_touch_lockfiles(struct sl_plan *plan);
void sl_plan_ws_release(struct sl_plan *plan);

/* ---- format_ws.c ---------------------------------------------------- */

/* What explain says of the plan's workspaces and lockfiles; nothing
 * without them. */
void sl_plan_write_workspaces(struct sl_buf *out, const struct sl_plan *plan);

/* ---- select_inputs.c ------------------------------------------------- */

/*
 * The gates' and lanes' `inputs` matched against one selection's touched
 * names: gate g's k-th input is distinct pattern id[first[g] + k], lane
 * l's id[first[ngates + l] + k], whose matching names are hits[start[d]
 * .. start[d + 1]). All NULL when no gate or lane has inputs.
 */
struct sl_select_inputs {
	size_t ngates;
	size_t *first;
	size_t *id;
	const struct sl_rule **pattern; /* per distinct: its first rule */
	size_t ndistinct;
	size_t *start;
	size_t *hits;
	bool *covered; /* per touched name: an input matches it */
};

/*
 * Matches every distinct input pattern of rules' gates and lanes once against
 * touched[0..ntouched). Returns SL_ERULES when a pattern hits a match
 * limit (never a silent "no match"). Release in with
 * sl_select_inputs_release(), also on error.
 */
int sl_select_inputs_build(struct sl_select_inputs *in,
			   const struct sl_rules *rules,
			   const struct sl_touched *touched, size_t ntouched,
			   struct sl_error *err);
/* The touched names (indices, in order, *n of them) that the k-th input
 * of gate index gate matches. Borrowed from in. */
const size_t *sl_select_inputs_hits(size_t *n,
				    const struct sl_select_inputs *in,
				    size_t gate, size_t k);
/* The same for the k-th input of lane index lane. */
const size_t *sl_select_inputs_lane_hits(size_t *n,
					 const struct sl_select_inputs *in,
					 size_t lane, size_t k);
/* Does an input of any gate or lane match touched name i? */
bool sl_select_inputs_cover(const struct sl_select_inputs *in, size_t i);
void sl_select_inputs_release(struct sl_select_inputs *in);

#endif
