/*
 * selector: the repository and the diff, and selection on top of them
 * (SPEC.md §2). This header owns repository access through libgit2
 * (opening, reading files and trees at a commit, git config), resolving
 * the base and head of a run, and the list of changed paths: between two
 * commits, plus the working copy (--worktree), or read from a list
 * (--paths-from). Lanes, gates and reasons are built on this API and never
 * touch libgit2 themselves.
 *
 * Who owns what: each section names the files that implement it, and every
 * declaration says who owns the memory it hands out ("Caller owns",
 * "Borrowed"). The repository and diff sections are the diff's
 * (docs/design.md, "selector: the diff"); the last, selection, is built
 * on them and does not change them.
 *
 * Paths are raw bytes as git stores them, relative to the repository root,
 * '/'-separated, without a leading or trailing slash; they may be ill-formed
 * UTF-8 and are never re-encoded. Each carries its length. A git failure is
 * never reported as "nothing changed": every function either succeeds or
 * returns a negative enum sl_status with the message in err.
 */
#ifndef SL_SELECTOR_H
#define SL_SELECTOR_H

#include "common/common.h"
#include "rules/rules.h"

/* Hex digits of a full object id (SHA-1). */
#define SL_OID_HEXSZ 40

/* ---- the repository (selector/repo.c, gitinit.c, shallow.c) ----------- */

struct sl_repo; /* opaque */

/*
 * Opens the git repository containing start_dir (NULL: the current
 * directory), searching upward as git does and honouring git's environment
 * (GIT_DIR, GIT_WORK_TREE, GIT_CEILING_DIRECTORIES, ...). Initialises libgit2
 * for as long as the repository is open (see docs/performance.md on what is
 * left out of that). On failure returns SL_EENV: "not a git repository:
 * '<start_dir>'; run sluice inside a clone, or pass -C DIR". Caller owns
 * *out and frees it with sl_repo_free().
 */
int sl_repo_open(struct sl_repo **out, const char *start_dir,
		 struct sl_error *err);

/* Frees the repository (and what it borrowed out); no-op on NULL. */
void sl_repo_free(struct sl_repo *repo);

/*
 * The root of the work tree, without a trailing slash; NULL for a bare
 * repository. Borrowed from repo.
 */
const char *sl_repo_root(const struct sl_repo *repo);

/*
 * The git directory (".git" or the bare repository), with a trailing slash.
 * Borrowed from repo.
 */
const char *sl_repo_git_dir(const struct sl_repo *repo);

/* True for a bare repository (no work tree). */
bool sl_repo_is_bare(const struct sl_repo *repo);

/* True for a shallow clone (history cut off at some depth). */
bool sl_repo_is_shallow(const struct sl_repo *repo);

/*
 * For commands that need a work tree (running gates, --worktree, reading the
 * working copy's rules): returns 0 when repo has one, else SL_EENV "<what>
 * needs a work tree, but '<git dir>' is a bare repository; run it in a clone
 * with a checkout". Commands that only read commits work in bare
 * repositories too.
 */
int sl_repo_need_worktree(const struct sl_repo *repo, const char *what,
			  struct sl_error *err);

/*
 * The configured user.email (repository, global and system configuration,
 * as git reads them), for identities, appended to out (the caller's
 * buffer). Sets *found to false, and leaves out untouched, when it is
 * unset or empty. Returns SL_EENV when the configuration cannot be read.
 */
int sl_repo_user_email(struct sl_buf *out, bool *found, struct sl_repo *repo,
		       struct sl_error *err);

/*
 * Resolves rev (anything `git rev-parse` takes: a full or abbreviated id, a
 * ref, "HEAD~2", ...) to a commit, writing its full hex id and a NUL into
 * out. Returns SL_EENV, naming rev and saying how to fetch it, when it
 * names nothing in this clone or something that is not a commit.
 */
int sl_repo_resolve_commit(char out[SL_OID_HEXSZ + 1], struct sl_repo *repo,
			   const char *rev, struct sl_error *err);

/*
 * The parents of commit (a full id) into out, in order, at most max of
 * them; *n is how many it has (max or more for a merge of more). A
 * parent's id is in the commit itself: a shallow clone has it even when
 * it lacks the parent. SL_EENV when the commit cannot be read.
 */
int sl_repo_commit_parents(char (*out)[SL_OID_HEXSZ + 1], size_t max, size_t *n,
			   struct sl_repo *repo, const char *commit,
			   struct sl_error *err);

/* The largest file sl_repo_read_blob_at() reads into memory. */
#define SL_REPO_BLOB_MAX (64u * 1024 * 1024)

/*
 * Appends to out (the caller's buffer) the content of the file at path in
 * the tree of the commit rev (see sl_repo_resolve_commit; normally a full
 * id). When the commit has
 * no such path, sets *found to false and leaves out untouched. A path that
 * names a directory, a submodule or a symbolic link is an error (SL_EENV:
 * sluice reads files from a commit's tree and follows no links), and so is a
 * file larger than SL_REPO_BLOB_MAX (SL_EUSAGE). A commit or object missing
 * from the clone is SL_EENV, never "not found".
 */
int sl_repo_read_blob_at(struct sl_buf *out, bool *found, struct sl_repo *repo,
			 const char *rev, const char *path,
			 struct sl_error *err);

/*
 * The blob id (full hex, NUL-terminated) of the file at path in the commit
 * rev, for comparing a file between two commits without reading it (did
 * the head change the rules file?) and for results' rules_blob. *found and
 * errors as for sl_repo_read_blob_at().
 */
int sl_repo_blob_id_at(char out[SL_OID_HEXSZ + 1], bool *found,
		       struct sl_repo *repo, const char *rev, const char *path,
		       struct sl_error *err);

/* One tracked path of a commit's tree; path is owned by the list. */
struct sl_tree_file {
	char *path;
	size_t len;
	uint32_t mode; /* git's mode: 0100644, 0100755, 0120000, 0160000 */
	bool gitlink;  /* a submodule: matched as a directory by selection */
};

struct sl_file_list {
	struct sl_tree_file *items;
	size_t n;
	size_t alloc;
};

#define SL_FILE_LIST_INIT                                                      \
	{                                                                      \
		.items = NULL, .n = 0, .alloc = 0                              \
	}

/*
 * Appends to out every tracked path of the commit rev's tree (files,
 * symbolic links and submodules; not directories), in git's order, which is
 * the order of the paths' bytes (as `git ls-tree -r --name-only`). For
 * coverage checks. Returns SL_EENV when a tree cannot be read. Caller owns
 * what is appended: sl_file_list_release().
 */
int sl_repo_list_files(struct sl_file_list *out, struct sl_repo *repo,
		       const char *rev, struct sl_error *err);

/* Frees the list's contents; it is left empty and reusable. */
void sl_file_list_release(struct sl_file_list *list);

/* ---- a chain of one-file commits (selector/chain.c) ------------------- */

/*
 * A line of commits, each holding one file and a message: how the override
 * ledger is kept on a ref of the remote (SPEC.md §6). selector/ reads and
 * writes the commits; what the file says is not its business.
 */
struct sl_chain_link {
	char id[SL_OID_HEXSZ + 1]; /* the commit ("" until written) */
	char *data;		   /* the file's content (owned) */
	size_t len;
	char *message; /* the commit's message (owned) */
	int64_t time;  /* the commit's date, Unix seconds */
};

struct sl_chain {
	struct sl_chain_link *links; /* oldest first */
	size_t n;
	size_t alloc;
};

#define SL_CHAIN_INIT                                                          \
	{                                                                      \
		.links = NULL, .n = 0, .alloc = 0                              \
	}

/* Who every commit sluice writes in a chain is by (its date is the link's). */
#define SL_CHAIN_AUTHOR_NAME "sluice"
#define SL_CHAIN_AUTHOR_EMAIL "sluice@ledger.invalid"

void sl_chain_release(struct sl_chain *chain);

/*
 * Appends to out the commits from tip back to stop (not included; "": to
 * the first commit), oldest first, each with the content of its one file
 * `name`, and sets *stopped when it met stop. A commit that cannot be a
 * link (a merge, a tree that is not exactly the regular file `name`, a
 * file past 1 MiB) ends the walk, with why in problem (return 0): the ref
 * is not a chain. SL_EENV when an object cannot be read.
 */
int sl_repo_chain_read(struct sl_chain *out, bool *stopped,
		       struct sl_buf *problem, struct sl_repo *repo,
		       const char *tip, const char *stop, const char *name,
		       struct sl_error *err);

/*
 * Writes each link of links (data, message, time) as a commit holding the
 * file `name`, each on the one before, the first on parent ("": none), by
 * SL_CHAIN_AUTHOR_* at the link's time, and sets each link's id. The same
 * content on the same parent is always the same commit. No ref moves.
 */
int sl_repo_chain_write(struct sl_chain *links, struct sl_repo *repo,
			const char *parent, const char *name,
			struct sl_error *err);

/* ---- fetch and push with the git program (selector/transport.c) ------- */

/*
 * Fetches ref from remote (git fetch, never asking on a terminal sluice
 * has not got) into the local ref into, forced (a rewritten ref is
 * fetched, to be refused), and sets tip to the commit it points to: ""
 * when the remote has no such ref. git is the program's absolute path
 * (sl_program_resolve). SL_EENV naming the remote and quoting git when it
 * cannot be reached or fetched from.
 */
int sl_repo_fetch_ref(char tip[SL_OID_HEXSZ + 1], struct sl_repo *repo,
		      const char *git, const char *remote, const char *ref,
		      const char *into, struct sl_error *err);

/*
 * Pushes commit to ref on remote, never forcing. *moved is set when the
 * ref moved on the remote (the push was not a fast-forward: fetch again).
 * SL_EREFUSED naming the remote when it refused the push otherwise, or
 * said this clone may not push there (a read-only token, a protected
 * branch, no credentials); SL_EENV when it cannot be reached.
 */
int sl_repo_push_ref(bool *moved, struct sl_repo *repo, const char *git,
		     const char *remote, const char *commit, const char *ref,
		     struct sl_error *err);

/* ---- the diff (selector/range.c, treewalk.c, treediff.c, worktree.c,
 *      paths.c, changes.c) ---------------------------------------------- */

enum sl_change_status {
	SL_CHANGE_ADDED,
	SL_CHANGE_DELETED,
	SL_CHANGE_MODIFIED,   /* content or mode (chmod +x) */
	SL_CHANGE_TYPECHANGE, /* file <-> symbolic link <-> submodule */
	SL_CHANGE_RENAMED
};

/* "added", "deleted", "modified", "typechange", "renamed". */
const char *sl_change_status_name(enum sl_change_status status);
/* The letter `git diff --name-status` shows: 'A', 'D', 'M', 'T', 'R'. */
char sl_change_status_letter(enum sl_change_status status);

/*
 * One changed path. A file replaced by a directory is the file deleted and
 * each file of the directory added (as git shows it), so a path is never
 * both a file and a directory here.
 */
struct sl_change {
	enum sl_change_status status;
	/* The path: its new name, or for a deletion the name it had. */
	char *path;
	size_t len;
	/* SL_CHANGE_RENAMED only: the old name; NULL and 0 otherwise. */
	char *old_path;
	size_t old_len;
	uint32_t old_mode; /* 0 when the path did not exist */
	uint32_t new_mode; /* 0 when the path no longer exists */
	/* Renamed: 100 for unchanged content, else libgit2's similarity. */
	unsigned similarity;
	/* Either side is a submodule (gitlink): selection treats it as a
	 * directory. */
	bool submodule;
	/* Blob (or submodule commit) ids, full hex; "" when the side does not
	 * exist or was not hashed (working-tree files). */
	char old_id[SL_OID_HEXSZ + 1];
	char new_id[SL_OID_HEXSZ + 1];
};

/*
 * Changes sorted by path bytes (a rename by its new name), each path once.
 * The list owns its items and their strings.
 */
struct sl_change_list {
	struct sl_change *items;
	size_t n;
	size_t alloc;
};

#define SL_CHANGE_LIST_INIT                                                    \
	{                                                                      \
		.items = NULL, .n = 0, .alloc = 0                              \
	}

/* Frees the items and their strings; the list is left empty, reusable. */
void sl_change_list_release(struct sl_change_list *list);

/* One name a change touches: selection counts a rename under both. */
struct sl_change_name {
	const char *path; /* borrowed from change */
	size_t len;
	const struct sl_change *change;
	bool is_old_name; /* the old name of a rename */
};

/*
 * Every name the changes touch, sorted by bytes and without duplicates: a
 * rename's old and new names, a deletion's old name, every other change's
 * path. The same set `git diff --name-only --no-renames` prints. Caller
 * owns *out (free() it); the names are borrowed from list. Returns the
 * number of names.
 */
size_t sl_change_list_names(struct sl_change_name **out,
			    const struct sl_change_list *list);

/* How the base was chosen (SPEC.md §2), for explanations. */
enum sl_base_source {
	SL_BASE_NONE,	     /* none found (only with a degraded diff) */
	SL_BASE_OPTION,	     /* --base REV */
	SL_BASE_ENV,	     /* $SLUICE_BASE */
	SL_BASE_UPSTREAM,    /* the upstream of the current branch */
	SL_BASE_ORIGIN_HEAD, /* origin/HEAD */
	SL_BASE_MAIN,	     /* main */
	SL_BASE_MASTER	     /* master */
};

/* "--base", "SLUICE_BASE", "upstream", "origin/HEAD", "main", "master". */
const char *sl_base_source_name(enum sl_base_source source);

struct sl_diff;

struct sl_diff_options {
	const char *base;   /* --base REV; NULL: SLUICE_BASE, upstream, ... */
	const char *head;   /* --head REV; NULL: HEAD */
	bool no_merge_base; /* diff base..head, not merge-base(base, head) */
	bool find_renames;  /* similarity detection (slow: on request only) */
	bool worktree;	    /* add staged, unstaged and untracked changes */
	/* --if-missing-base=run-all: a base that cannot be used makes a
	 * degraded diff instead of an error. */
	bool run_all_if_missing_base;
	/* --paths-from FILE ("-": stdin): the changes come from this list,
	 * not from git; base and head are still resolved. */
	const char *paths_from;
	bool paths_nul; /* -z: the list is NUL-separated */
};

#define SL_DIFF_OPTIONS_INIT                                                   \
	{                                                                      \
		.base = NULL                                                   \
	}

/* The name of the one degraded state (SPEC.md §2). */
#define SL_DEGRADED_BASE_UNAVAILABLE "base_unavailable"

struct sl_diff {
	char head[SL_OID_HEXSZ + 1]; /* the head commit */
	/* The base commit; "" when degraded. */
	char base[SL_OID_HEXSZ + 1];
	/* The diff's old side: merge-base(base, head), or the base itself
	 * with no_merge_base; "" when degraded. The trusted rules are read
	 * here. */
	char merge_base[SL_OID_HEXSZ + 1];
	char *head_rev; /* as named: "HEAD", or --head's value */
	char *base_rev; /* as named: "origin/main", --base's value; NULL when
			   none was found */
	enum sl_base_source base_source;
	/*
	 * NULL, or SL_DEGRADED_BASE_UNAVAILABLE (static): the base could not
	 * be used and the caller asked for run-all. Then changes holds only
	 * what did not need the base (a --paths-from list) and everything
	 * must be selected; degraded_reason holds the error that would have
	 * been reported. The strings and changes are owned by the struct.
	 */
	const char *degraded;
	char *degraded_reason;
	bool worktree;	 /* changes include the working copy */
	bool from_paths; /* changes were read from --paths-from */
	struct sl_change_list changes;
};

/*
 * Resolves head (--head, else HEAD) and the base (--base, else
 * $SLUICE_BASE when set and not empty, else the upstream of the current
 * branch, else origin/HEAD, else main, else master), then lists the changes
 * of merge-base(base, head)..head (or base..head with no_merge_base), plus
 * the working copy with worktree, or reads them from paths_from: what
 * sl_diff_resolve() and then sl_diff_list() do.
 *
 * A head that cannot be resolved is SL_EENV. A base that cannot be
 * resolved, that is missing from the clone (shallow), the all-zero id, or
 * one with no merge-base with head, is SL_EENV with a message that names
 * the commit and says how to fetch it, unless run_all_if_missing_base is
 * set: then returns 0 with degraded set. Options that cannot go together
 * (worktree with paths_from) are SL_EUSAGE; a bad paths_from list is
 * SL_EUSAGE, an unreadable one SL_EENV.
 *
 * Caller owns *out and frees it with sl_diff_free().
 */
int sl_diff_run(struct sl_diff **out, struct sl_repo *repo,
		const struct sl_diff_options *opts, struct sl_error *err);

/*
 * The first step of a diff, resolving the range: checks the options, reads
 * a paths_from list, resolves head and the base (as above) and, with
 * no_merge_base, takes the base as the diff's old side; merge_base is left
 * empty otherwise, for sl_diff_list() to find. A base that cannot be used
 * fails or degrades as above. Caller owns *out (sl_diff_free()).
 */
int sl_diff_resolve(struct sl_diff **out, struct sl_repo *repo,
		    const struct sl_diff_options *opts, struct sl_error *err);

/*
 * The second step, listing the changes of a range sl_diff_resolve() made
 * with the same opts: finds the merge-base (histories that do not meet
 * fail or degrade as a missing base does), then compares the two commits
 * and adds the working copy, unless the changes came from a list or the
 * diff is degraded. Uses repo, so nothing else may use it meanwhile. On
 * failure the diff is the caller's to free, its changes incomplete.
 */
int sl_diff_list(struct sl_diff *diff, struct sl_repo *repo,
		 const struct sl_diff_options *opts, struct sl_error *err);

/* Frees the diff and everything it holds; no-op on NULL. */
void sl_diff_free(struct sl_diff *diff);

/*
 * Fills out (which must be empty) with the changes from the commit old_rev
 * to the commit new_rev (what `git diff old new` shows), comparing the two
 * trees and skipping every subtree whose id did not change. Renames with
 * unchanged content (a deleted and an added path with the same blob id and
 * mode) are reported as renames; find_renames adds libgit2's similarity
 * detection. Returns SL_EENV, with out left empty, when a commit or object
 * cannot be read. Caller owns the changes: sl_change_list_release().
 */
int sl_diff_commits(struct sl_change_list *out, struct sl_repo *repo,
		    const char *old_rev, const char *new_rev, bool find_renames,
		    struct sl_error *err);

/*
 * Merges into out (sorted: the changes up to head_rev) the staged,
 * unstaged and untracked-but-not-ignored changes of the working copy
 * against head_rev, including tracked files deleted from the work tree. A
 * path changed both ways is listed once (docs/design.md says with which
 * status). Needs a work tree. Returns SL_EENV, with out unchanged, when
 * the work tree or index cannot be read.
 */
int sl_diff_add_worktree(struct sl_change_list *out, struct sl_repo *repo,
			 const char *head_rev, struct sl_error *err);

/*
 * Reads a list of changed paths from fd (name is what messages call it),
 * one per line, or NUL-separated when nul is set, and appends them to out
 * as SL_CHANGE_MODIFIED, sorted and without duplicates. In line mode a
 * trailing CR is stripped (a list written on Windows), the last line
 * needs no newline, and a line that starts with '"' is a name git quoted
 * (non-ASCII bytes as octal, by default), read back as git wrote it (a
 * quoted line that is not well-formed is refused); with nul, names are
 * taken byte for byte. An empty input
 * is an empty list. Returns SL_EUSAGE "<name>:<line>: ..." for an empty
 * name, a leading or trailing '/', a "." or ".." component or an empty one
 * ("a//b"), a NUL inside a line, or an input past 256 MiB; SL_EENV when fd
 * cannot be read. out must be empty, and is left empty on error. Caller
 * owns the changes: sl_change_list_release().
 */
int sl_change_list_read_fd(struct sl_change_list *out, int fd, const char *name,
			   bool nul, struct sl_error *err);
/* The same for data[0..len) (what the other two read). */
int sl_change_list_parse(struct sl_change_list *out, const char *data,
			 size_t len, const char *name, bool nul,
			 struct sl_error *err);

/* The same for the file at path; "-" reads stdin. */
int sl_change_list_read_file(struct sl_change_list *out, const char *path,
			     bool nul, struct sl_error *err);

/* ---- selection (selector/select.c, plan.c, format_*.c) ------------- */

/*
 * Selection (SPEC.md §2): from the names a diff touched to the gates that
 * must run, each with the chain of reasons that leads to it from a changed
 * path, and every other gate with the reason it was not selected. It sees
 * only names and rules: where the names came from (git, a list, the work
 * tree) is the diff's business.
 */

/* The rules file's path in the repository (SPEC.md §1). */
#define SL_RULES_FILE "sluice.yml"

/* Reasons kept per gate; the rest are counted in more_reasons. */
#define SL_REASONS_MAX 10

/* One name a change touched (a rename touches two). Borrowed. */
struct sl_touched {
	const char *path;
	size_t len;
	unsigned flags; /* SL_MATCH_DIR for a submodule */
	/* NULL, or why a name the diff did not list counts (the rules file
	 * when the head changes it; a lockfile's entries): reasons show it
	 * after the path. */
	const char *why;
	/* NULL, or the lane that owns this name whatever the patterns say:
	 * a lockfile change attributed to a package (SPEC.md §7). Such a
	 * name is never a run_all_on match nor unowned; a copy of the
	 * rules without that lane does not see it. */
	const char *lane;
};

/* Which copy of the rules selected a gate. */
enum sl_pick_by { SL_BY_BASE = 1 << 0, SL_BY_HEAD = 1 << 1 };

/* One gate's verdict. */
struct sl_pick {
	const struct sl_gate *gate;   /* borrowed from rules */
	const struct sl_rules *rules; /* the copy whose definition runs */
	/*
	 * The gate as the copy that selected it defines it: its lane and
	 * `when` decide which changed paths it sees (the head's copy may have
	 * selected a gate that runs as the trusted copy defines it).
	 */
	const struct sl_gate *decided_by;
	bool selected;
	unsigned by; /* SL_BY_BASE | SL_BY_HEAD, when selected */
	/*
	 * Selected: chains from a changed path ("a.proto -> lane contracts
	 * <- consumed by billing"); not selected: one sentence saying why.
	 */
	struct sl_strvec reasons;
	size_t more_reasons; /* reasons left out past SL_REASONS_MAX */
	/* Lanes of rules whose changes brought the gate in (smoke gates). */
	size_t *sources;
	size_t nsources;
};

struct sl_selection {
	const struct sl_rules *base; /* borrowed: the trusted copy */
	const struct sl_rules *head; /* borrowed: the head's copy, or NULL */
	bool run_all;
	bool rules_changed; /* a head copy of the rules took part */
	bool degraded;	    /* the base was unavailable: everything runs */
	struct sl_strvec run_all_reasons;
	size_t run_all_more; /* run-all reasons left out */
	/* Per touched name: its deciding rule under the trusted copy. */
	const struct sl_rule **owner;
	/* The same under the head's copy (NULL without one). */
	const struct sl_rule **owner_head;
	size_t ntouched;
	/*
	 * Every gate: the trusted copy's in file order, then gates only the
	 * head's copy has. Selected ones keep that order.
	 */
	struct sl_pick *picks;
	size_t npicks;
	size_t nselected;
};

struct sl_select_options {
	const struct sl_rules *base; /* the trusted copy (required) */
	/* The head's copy when the diff changes the rules file, else NULL. */
	const struct sl_rules *head;
	/* The base is unavailable (--if-missing-base=run-all): select all. */
	bool base_unavailable;
	/* Why, for the run-all reason (e.g. the base's name). */
	const char *degraded_reason;
	/* Where a thread serves it, the gates' picks are offered to it in
	 * parts (common.h, struct sl_offer; NULL: all on this thread). */
	struct sl_offer *offer;
	/* What the head copy's reasons start with; NULL: "head rules"
	 * (the head changes manifests only: "head manifests"). */
	const char *head_label;
};

/*
 * Selects gates for the touched names (SPEC.md §2). When opts->head is set
 * the result is the union of what both copies select; a gate both copies
 * define runs as the trusted copy defines it. Returns 0; SL_EREFUSED when
 * a touched name is owned by no lane and the rules say `unowned: fail`;
 * SL_ERULES when a pattern hit a limit. Caller owns *out (free with
 * sl_selection_free()); it borrows the rules and the touched names.
 */
int sl_select(struct sl_selection **out, const struct sl_select_options *opts,
	      const struct sl_touched *touched, size_t ntouched,
	      struct sl_error *err);

void sl_selection_free(struct sl_selection *sel);

/* The pick for the gate named name, or NULL. Borrowed. */
const struct sl_pick *sl_selection_find(const struct sl_selection *sel,
					const char *name);

/*
 * Calls fn(index, payload) for each touched name relevant to pick's gate,
 * in order: what SLUICE_CHANGED lists. For a run-all every name is
 * relevant; otherwise the names that brought the gate in (its `when`
 * applied). Stops and returns fn's value when it is not 0; SL_ERULES when
 * a pattern hit a limit.
 */
int sl_pick_foreach_path(const struct sl_selection *sel,
			 const struct sl_pick *pick,
			 const struct sl_touched *touched,
			 int (*fn)(size_t index, void *payload), void *payload,
			 struct sl_error *err);

/* ---- workspaces' manifests at a commit (selector/ws_source.c) ------- */

struct sl_ws_tree; /* opaque */

/*
 * A struct sl_ws_source (rules.h) reading a commit's tree (SPEC.md §7:
 * manifests are read as blobs, never from the work tree), the entries it
 * met kept by path. With disk (a work tree's root, for --worktree) files are
 * read from there instead, and only the search for packages' directories
 * uses the commit. Messages name files "FILE@COMMIT12". SL_EENV when the
 * commit cannot be read. Caller owns *out (sl_ws_tree_free()).
 */
int sl_ws_tree_open(struct sl_ws_tree **out, struct sl_repo *repo,
		    const char *commit, const char *disk, struct sl_error *err);
/*
 * With a disk root: the files changes (the work tree's diff) adds to the
 * commit take part in the search for packages' directories, so that a
 * package the work tree adds is found as it will be once committed.
 */
void sl_ws_tree_add_worktree(struct sl_ws_tree *t,
			     const struct sl_change_list *changes);
/* Borrowed from t. */
const struct sl_ws_source *sl_ws_tree_source(const struct sl_ws_tree *t);
void sl_ws_tree_free(struct sl_ws_tree *t);

/*
 * Derives every entry of rules' `workspaces` through src into *out (one
 * per entry; caller owns it: sl_ws_list_free()) and adds their lanes to
 * rules (sl_rules_derive()). Nothing to do without `workspaces`.
 */
int sl_ws_derive_all(struct sl_ws ***out, struct sl_rules *rules,
		     const struct sl_ws_source *src, struct sl_error *err);
void sl_ws_list_free(struct sl_ws **ws, size_t n);

/* ---- the plan: diff, trusted rules, selection (selector/plan.c) ----- */

/* One lockfile the change touched, compared by content (SPEC.md §7). */
struct sl_plan_lockfile {
	char *path;
	size_t workspace; /* its entry of rules->workspaces */
	bool shared;	  /* the one every package shares */
	/* Entries attributed to lanes, and those of no package. */
	struct sl_ws_changes changes;
	/* NULL, or why it could not be compared: every lane of its
	 * workspace is then selected. */
	char *failed;
};

struct sl_plan_options {
	struct sl_diff_options diff;
	/* --rules FILE or $SLUICE_RULES: read from disk, trusting it. */
	const char *rules_file;
};

/*
 * Everything a selecting command needs, built once: the diff, the rules
 * that apply and the selection. Owns all of it.
 */
struct sl_plan {
	struct sl_diff *diff;
	/* The trusted copy (SPEC.md §1): at the merge-base; or --rules;
	 * or the head's, when the base has none or is unavailable. */
	struct sl_rules *rules;
	/* The head's copy when the change edits the rules file; else NULL. */
	struct sl_rules *head_rules;
	bool rules_changed;
	/* The trusted copy's blob id; "" when it was not read from a commit. */
	char rules_blob[SL_OID_HEXSZ + 1];
	/* The commit it was read at (files it names, like allowed_signers,
	 * are read there too); "" when it came from disk (--rules). */
	char rules_commit[SL_OID_HEXSZ + 1];
	char *rules_source; /* what messages call the trusted copy */
	char *root;	    /* the work tree's root; NULL when bare */
	/* The names the changes touch (sl_change_list_names()) and the same
	 * as selection sees them, index for index. When the head changes
	 * the rules file and no name has it (a --paths-from list that leaves
	 * it out), it is added to diff->changes, so that its lane counts as
	 * changed (SPEC.md §1). */
	struct sl_change_name *names;
	struct sl_touched *touched;
	size_t nnames;
	struct sl_selection *selection;
	/*
	 * Workspaces (SPEC.md §7): what each entry of rules->workspaces
	 * derived at the trusted commit (ws[i] for workspaces[i]), and at
	 * the head (head_ws, for head_rules) when the head changes a
	 * manifest or the rules; then head_rules is derived from the head's
	 * manifests, a copy of the trusted rules when the head did not
	 * change them (manifests_changed).
	 */
	struct sl_ws **ws;
	size_t nws;
	struct sl_ws **head_ws;
	size_t nhead_ws;
	bool manifests_changed;
	char ws_commit[SL_OID_HEXSZ + 1]; /* where ws was read */
	/* Lockfiles the change touched, compared by content. */
	struct sl_plan_lockfile *lockfiles;
	size_t nlockfiles;
	/* touched has ntouched names: the nnames of names, then one per
	 * lane a lockfile's entries select (path the lockfile, why its
	 * entries, lane that lane); whys holds their strings. */
	size_t ntouched;
	struct sl_strvec whys;
};

/*
 * Runs the diff, chooses the rules (the trusted copy at the merge-base, and
 * the head's when the change edits the rules file, so that a change cannot
 * switch off its own gates), and selects. Returns the diff's, the rules'
 * and selection's errors as they are: SL_EENV for git, SL_ERULES for a bad
 * or missing rules file, SL_EREFUSED for `unowned: fail`. Caller owns *out
 * (sl_plan_free()).
 */
int sl_plan_build(struct sl_plan **out, struct sl_repo *repo,
		  const struct sl_plan_options *opts, struct sl_error *err);
void sl_plan_free(struct sl_plan *plan);

/* ---- output (selector/format_*.c) --------------------------------- */

enum sl_select_format {
	SL_FORMAT_TEXT,
	SL_FORMAT_JSON,
	SL_FORMAT_GITHUB_MATRIX,
	SL_FORMAT_GITLAB_CI
};

/* The format named name ("text", "json", ...); -1 when there is none. */
int sl_select_format_parse(enum sl_select_format *out, const char *name);

/*
 * Appends the plan's selection to out (docs/formats.md): text for people,
 * grouped by kind with reasons; JSON (SPEC.md §2-§4); a GitHub Actions
 * matrix object; a GitLab CI child pipeline with one job per gate.
 */
/*
 * same_run (NULL: none) gives for each pick the pick whose run stands for
 * it when the selection runs (itself, or an identical gate's: cli's
 * cli_same_run_leaders()): JSON says "same_run_as", and the matrix and
 * the pipeline have one job per run, whose gate's shard runs the others.
 */
void sl_plan_write(struct sl_buf *out, const struct sl_plan *plan,
		   enum sl_select_format format, const size_t *same_run);

/*
 * Appends, for each argument, why the gate it names was or was not
 * selected, or which lane and owners the path it names has, which rule
 * decided it and whether the diff touched it; with no arguments, every
 * gate. Returns SL_ERULES when a pattern hit a limit.
 */
int sl_plan_explain(struct sl_buf *out, const struct sl_plan *plan,
		    char *const *args, size_t nargs, struct sl_error *err);

#endif
