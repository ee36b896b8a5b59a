/*
 * repo.c: the repository as sluice sees it through libgit2: opening it,
 * resolving revisions to commits (with messages that say how to fetch what
 * is missing), reading a file or a file's id at a commit, listing a
 * commit's tracked paths, and git config. It also owns the conversion of
 * libgit2's errors into sl_error for all of selector/. Diffs live in
 * treediff.c and worktree.c, base and head in range.c.
 */
#include "common/common.h"

#include <strings.h>
#include <unistd.h>

#include "selector/internal.h"

const char *sl_git_last_message(void)
{
	const git_error *e = git_error_last();

	return e && e->message && *e->message ? e->message : "unknown error";
}

int sl_git_error(struct sl_error *err, enum sl_status status, const char *fmt,
		 ...)
{
	struct sl_buf msg = SL_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sl_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	sl_buf_addf(&msg, ": %s", sl_git_last_message());
	git_error_clear();
	sl_error_set(err, status, "%s", msg.buf);
	sl_buf_release(&msg);
	return status;
}

/* Two hex digits for each byte value, so that an id takes 20 lookups. */
#define HEX_DIGIT(n) ((n) < 10 ? '0' + (n) : 'a' + (n)-10)
#define HEX_PAIR(b)                                                            \
	{                                                                      \
		HEX_DIGIT((b) >> 4), HEX_DIGIT((b)&15)                         \
	}
#define HEX_ROW(h)                                                             \
	HEX_PAIR(h * 16 + 0), HEX_PAIR(h * 16 + 1), HEX_PAIR(h * 16 + 2),      \
	    HEX_PAIR(h * 16 + 3), HEX_PAIR(h * 16 + 4), HEX_PAIR(h * 16 + 5),  \
	    HEX_PAIR(h * 16 + 6), HEX_PAIR(h * 16 + 7), HEX_PAIR(h * 16 + 8),  \
	    HEX_PAIR(h * 16 + 9), HEX_PAIR(h * 16 + 10),                       \
	    HEX_PAIR(h * 16 + 11), HEX_PAIR(h * 16 + 12),                      \
	    HEX_PAIR(h * 16 + 13), HEX_PAIR(h * 16 + 14),                      \
	    HEX_PAIR(h * 16 + 15)

void sl_oid_hex(char out[SL_OID_HEXSZ + 1], const git_oid *oid)
{
	/* A table, not git_oid_tostr(): a diff formats two ids per change,
	 * and libgit2's costs four times as much. */
	static const char pairs[256][2] = {
	    HEX_ROW(0),	 HEX_ROW(1),  HEX_ROW(2),  HEX_ROW(3),
	    HEX_ROW(4),	 HEX_ROW(5),  HEX_ROW(6),  HEX_ROW(7),
	    HEX_ROW(8),	 HEX_ROW(9),  HEX_ROW(10), HEX_ROW(11),
	    HEX_ROW(12), HEX_ROW(13), HEX_ROW(14), HEX_ROW(15),
	};
	size_t i;

	for (i = 0; i < SL_OID_HEXSZ / 2; i++)
		memcpy(out + 2 * i, pairs[oid->id[i]], 2);
	out[SL_OID_HEXSZ] = '\0';
}

bool sl_oid_hex_is_zero(const char *s)
{
	size_t i;

	for (i = 0; i < SL_OID_HEXSZ; i++)
		if (s[i] != '0')
			return false;
	return s[i] == '\0';
}

static bool is_hex_id(const char *s)
{
	size_t n = strlen(s);

	return n >= 7 && n <= SL_OID_HEXSZ &&
	       strspn(s, "0123456789abcdefABCDEF") == n;
}

/* ---- opening --------------------------------------------------------- */

static char *strip_slash(const char *path)
{
	size_t len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	return sl_xmemdupz(path, len);
}

static int open_failed(const char *start_dir, int gitret, struct sl_error *err)
{
	char cwd[PATH_MAX];
	const char *where = start_dir;

	if (!where)
		where = getcwd(cwd, sizeof(cwd)) ? cwd : ".";
	if (gitret == GIT_ENOTFOUND) {
		git_error_clear();
		return sl_error_set(err, SL_EENV,
				    "not a git repository: '%s'; run sluice "
				    "inside a clone, or pass -C DIR",
				    where);
	}
	return sl_git_error(err, SL_EENV,
			    "cannot open the git repository at or above '%s'",
			    where);
}

int sl_repo_open(struct sl_repo **out, const char *start_dir,
		 struct sl_error *err)
{
	struct sl_repo *repo;
	git_repository *git = NULL;
	int ret;

	*out = NULL;
	ret = sl_git_init(err);
	if (ret)
		return ret;
	/* FROM_ENV: GIT_DIR, GIT_WORK_TREE, GIT_CEILING_DIRECTORIES... as git
	 * itself honours them (a hook runs with GIT_DIR set). */
	ret = git_repository_open_ext(&git, start_dir ? start_dir : ".",
				      GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
	if (ret < 0) {
		ret = open_failed(start_dir, ret, err);
		sl_git_shutdown();
		return ret;
	}
	repo = sl_xcalloc(1, sizeof(*repo));
	repo->git = git;
	repo->git_dir = sl_xstrdup(git_repository_path(git));
	if (!git_repository_is_bare(git) && git_repository_workdir(git))
		repo->root = strip_slash(git_repository_workdir(git));
	repo->shallow = git_repository_is_shallow(git) == 1;
	*out = repo;
	return 0;
}

void sl_repo_free(struct sl_repo *repo)
{
	if (!repo)
		return;
	git_repository_free(repo->git);
	free(repo->root);
	free(repo->git_dir);
	free(repo);
	sl_git_shutdown();
}

const char *sl_repo_root(const struct sl_repo *repo)
{
	return repo->root;
}

const char *sl_repo_git_dir(const struct sl_repo *repo)
{
	return repo->git_dir;
}

bool sl_repo_is_bare(const struct sl_repo *repo)
{
	return repo->root == NULL;
}

bool sl_repo_is_shallow(const struct sl_repo *repo)
{
	return repo->shallow;
}

int sl_repo_need_worktree(const struct sl_repo *repo, const char *what,
			  struct sl_error *err)
{
	if (repo->root)
		return 0;
	return sl_error_set(err, SL_EENV,
			    "%s needs a work tree, but '%s' is a bare "
			    "repository; run it in a clone with a checkout",
			    what, repo->git_dir);
}

/* Whether git reads the environment variable name as true. */
static bool env_true(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") && strcasecmp(v, "false") &&
	       strcasecmp(v, "no") && strcasecmp(v, "off");
}

/* user.email of one configuration level, or 1 when it has none. */
static int email_in(struct sl_buf *out, bool *found, git_config *cfg,
		    struct sl_error *err)
{
	const char *value;
	int ret = git_config_get_string(&value, cfg, "user.email");

	if (ret == GIT_ENOTFOUND) {
		git_error_clear();
		return 1;
	}
	if (ret < 0)
		return sl_git_error(err, SL_EENV,
				    "cannot read user.email from git's "
				    "configuration");
	/* An empty value set at a higher level wins, as in git. */
	sl_buf_adds(out, value);
	*found = *value != '\0';
	return 0;
}

/* A snapshot of the configuration file at path (reads need one). */
static int open_file(git_config **out, const char *path)
{
	git_config *live = NULL;
	int ret = git_config_open_ondisk(&live, path);

	if (!ret)
		ret = git_config_snapshot(out, live);
	git_config_free(live);
	return ret;
}

/*
 * The configuration of one level, as `git config` reads it: libgit2 1.5
 * ignores GIT_CONFIG_GLOBAL (which replaces ~/.gitconfig and the XDG file)
 * and GIT_CONFIG_NOSYSTEM. *out is NULL when the level has no file.
 */
static int open_level(git_config **out, git_config *all,
		      git_config_level_t level, struct sl_error *err)
{
	const char *global = getenv("GIT_CONFIG_GLOBAL");
	int ret = 0;

	*out = NULL;
	if (global && *global && level == GIT_CONFIG_LEVEL_GLOBAL)
		ret = open_file(out, global);
	else if ((global && *global && level == GIT_CONFIG_LEVEL_XDG) ||
		 (level <= GIT_CONFIG_LEVEL_SYSTEM &&
		  env_true("GIT_CONFIG_NOSYSTEM")))
		return 0;
	else
		ret = git_config_open_level(out, all, level);
	if (ret == GIT_ENOTFOUND) {
		git_error_clear();
		return 0;
	}
	if (ret < 0)
		return sl_git_error(err, SL_EENV,
				    "cannot read git's configuration");
	return 0;
}

int sl_repo_user_email(struct sl_buf *out, bool *found, struct sl_repo *repo,
		       struct sl_error *err)
{
	static const git_config_level_t levels[] = {
	    GIT_CONFIG_LEVEL_APP,    GIT_CONFIG_LEVEL_LOCAL,
	    GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_XDG,
	    GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_PROGRAMDATA,
	};
	struct sl_buf value = SL_BUF_INIT;
	git_config *all = NULL, *cfg;
	size_t i;
	int ret = 0;

	*found = false;
	if (git_repository_config_snapshot(&all, repo->git) < 0)
		return sl_git_error(err, SL_EENV,
				    "cannot read git's configuration");
	/* Highest level first: the first that sets it decides. */
	for (i = 0; i < SL_ARRAY_SIZE(levels); i++) {
		ret = open_level(&cfg, all, levels[i], err);
		if (!ret)
			ret = cfg ? email_in(&value, found, cfg, err) : 1;
		git_config_free(cfg);
		if (ret <= 0)
			break;
	}
	if (ret > 0)
		ret = 0;
	if (*found)
		sl_buf_add(out, value.buf, value.len);
	sl_buf_release(&value);
	git_config_free(all);
	return ret;
}

/* ---- revisions ------------------------------------------------------- */

/* True when remote name is configured (remote.<name>.url is set). */
static bool remote_exists(struct sl_repo *repo, const char *name)
{
	struct sl_buf key = SL_BUF_INIT;
	git_config *cfg = NULL;
	const char *url;
	bool exists = false;

	/* Not git_remote_lookup(): libgit2 1.5.1 leaks in it (range.c). */
	if (git_repository_config_snapshot(&cfg, repo->git) == 0) {
		sl_buf_addf(&key, "remote.%s.url", name);
		exists = git_config_get_string(&url, cfg, key.buf) == 0;
	}
	git_error_clear();
	git_config_free(cfg);
	sl_buf_release(&key);
	return exists;
}

/*
 * How to fetch rev: "git fetch REMOTE BRANCH" for a remote-tracking name
 * such as origin/main, else "git fetch origin REV".
 */
static void add_fetch_hint(struct sl_buf *sb, struct sl_repo *repo,
			   const char *rev)
{
	const char *slash = strchr(rev, '/');
	char *name;

	if (slash && slash != rev && slash[1]) {
		name = sl_xmemdupz(rev, (size_t)(slash - rev));
		if (remote_exists(repo, name)) {
			sl_buf_addf(sb, "git fetch %s %s", name, slash + 1);
			free(name);
			return;
		}
		free(name);
	}
	sl_buf_addf(sb, "git fetch origin %s", rev);
}

static int not_found(struct sl_repo *repo, const char *rev, const char *what,
		     struct sl_error *err)
{
	struct sl_buf msg = SL_BUF_INIT;
	int ret;

	git_error_clear();
	if (!strcmp(rev, "HEAD") && git_repository_head_unborn(repo->git) == 1)
		sl_buf_addf(&msg,
			    "%s 'HEAD' has no commit yet (an empty "
			    "repository, or a branch not yet born); commit "
			    "first, or pass --%s REV",
			    what, what);
	else if (repo->shallow && is_hex_id(rev))
		sl_buf_addf(&msg,
			    "%s '%s' is not in this shallow clone; fetch more "
			    "history (git fetch --deepen=N, or git fetch "
			    "origin %s; in GitHub Actions, actions/checkout "
			    "with fetch-depth: 0)",
			    what, rev, rev);
	else if (is_hex_id(rev))
		sl_buf_addf(&msg,
			    "%s commit '%s' is not in this clone; fetch it "
			    "(git fetch origin %s, or fetch-depth: 0 in GitHub "
			    "Actions)",
			    what, rev, rev);
	else {
		sl_buf_addf(&msg,
			    "%s '%s' not found: no such branch, tag or commit "
			    "in this clone; fetch it (",
			    what, rev);
		add_fetch_hint(&msg, repo, rev);
		sl_buf_adds(&msg, ") or name another");
	}
	ret = sl_error_set(err, SL_EENV, "%s", msg.buf);
	sl_buf_release(&msg);
	return ret;
}

static int revparse_failed(struct sl_repo *repo, const char *rev,
			   const char *what, int gitret, struct sl_error *err)
{
	if (gitret == GIT_ENOTFOUND)
		return not_found(repo, rev, what, err);
	if (gitret == GIT_EAMBIGUOUS) {
		git_error_clear();
		return sl_error_set(
		    err, SL_EENV,
		    "%s '%s' is ambiguous: give more hex digits "
		    "or a full ref name (refs/heads/...)",
		    what, rev);
	}
	if (repo->shallow)
		return sl_git_error(err, SL_EENV,
				    "cannot read %s '%s' in this shallow clone "
				    "(fetch more history: git fetch "
				    "--deepen=N, or fetch-depth: 0 in GitHub "
				    "Actions)",
				    what, rev);
	return sl_git_error(err, SL_EENV, "cannot resolve %s '%s'", what, rev);
}

/*
 * A ref whose commit is not in the object store (a damaged clone, a ref
 * written by hand): reported before libgit2's revparse sees it, which in
 * 1.5.1 leaks on that path. 1 when rev is not such a ref.
 */
static int dangling_ref(struct sl_repo *repo, const char *rev, const char *what,
			struct sl_error *err)
{
	git_reference *ref = NULL, *resolved = NULL;
	char hex[SL_OID_HEXSZ + 1];
	git_odb *odb = NULL;
	int ret = 1;

	if (is_hex_id(rev) || git_reference_dwim(&ref, repo->git, rev) < 0 ||
	    git_reference_resolve(&resolved, ref) < 0 ||
	    git_repository_odb(&odb, repo->git) < 0)
		goto out;
	if (!git_odb_exists(odb, git_reference_target(resolved))) {
		struct sl_buf hint = SL_BUF_INIT;

		sl_oid_hex(hex, git_reference_target(resolved));
		add_fetch_hint(&hint, repo, rev);
		ret = sl_error_set(err, SL_EENV,
				   "%s '%s' points to commit '%s', which is "
				   "not in this clone; fetch it (%s)",
				   what, rev, hex, hint.buf);
		sl_buf_release(&hint);
	}
out:
	git_error_clear();
	git_odb_free(odb);
	git_reference_free(resolved);
	git_reference_free(ref);
	return ret;
}

int sl_repo_lookup_commit(git_commit **out, struct sl_repo *repo,
			  const char *rev, const char *what,
			  struct sl_error *err)
{
	git_object *obj = NULL;
	git_object *peeled = NULL;
	int ret;

	*out = NULL;
	if (!*rev)
		return sl_error_set(err, SL_EUSAGE,
				    "empty %s revision; name a commit", what);
	if (sl_oid_hex_is_zero(rev))
		return sl_error_set(
		    err, SL_EENV,
		    "%s '%s' is the all-zero id (a new branch's first push "
		    "has no previous commit); name a real commit instead, "
		    "e.g. --base origin/main",
		    what, rev);
	ret = dangling_ref(repo, rev, what, err);
	if (ret < 0)
		return ret;
	ret = git_revparse_single(&obj, repo->git, rev);
	if (ret < 0)
		return revparse_failed(repo, rev, what, ret, err);
	ret = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	if (ret < 0) {
		git_error_clear();
		ret = sl_error_set(
		    err, SL_EENV, "%s '%s' names a %s, not a commit", what, rev,
		    git_object_type2string(git_object_type(obj)));
	} else {
		*out = (git_commit *)peeled;
	}
	git_object_free(obj);
	return ret;
}

int sl_repo_resolve_commit(char out[SL_OID_HEXSZ + 1], struct sl_repo *repo,
			   const char *rev, struct sl_error *err)
{
	git_commit *commit;
	int ret = sl_repo_lookup_commit(&commit, repo, rev, "commit", err);

	if (ret)
		return ret;
	sl_oid_hex(out, git_commit_id(commit));
	git_commit_free(commit);
	return 0;
}

int sl_repo_commit_parents(char (*out)[SL_OID_HEXSZ + 1], size_t max, size_t *n,
			   struct sl_repo *repo, const char *commit,
			   struct sl_error *err)
{
	git_commit *c;
	size_t i;
	int ret = sl_repo_lookup_commit(&c, repo, commit, "commit", err);

	*n = 0;
	if (ret)
		return ret;
	*n = git_commit_parentcount(c);
	for (i = 0; i < *n && i < max; i++)
		sl_oid_hex(out[i], git_commit_parent_id(c, (unsigned)i));
	git_commit_free(c);
	return 0;
}

/* ---- files at a commit ----------------------------------------------- */

static int check_path(const char *path, struct sl_error *err)
{
	if (!*path || path[0] == '/' || path[strlen(path) - 1] == '/')
		return sl_error_set(
		    err, SL_EUSAGE,
		    "bad repository path '%s': give it relative "
		    "to the root, without a leading or trailing "
		    "'/'",
		    path);
	return 0;
}

/*
 * Finds path in tree one component at a time, so that a subtree that
 * cannot be read is an error and only a missing name is "not found".
 * Caller owns *out (git_tree_entry_free()); NULL when absent.
 */
static int find_entry(git_tree_entry **out, struct sl_repo *repo,
		      git_tree *root, const char *path, const char *rev,
		      struct sl_error *err)
{
	git_tree *tree = root;
	const git_tree_entry *entry;
	const char *p = path;
	git_tree *sub;
	char *name;
	int ret = 0;

	*out = NULL;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		name = sl_xmemdupz(p, len);
		entry = git_tree_entry_byname(tree, name);
		free(name);
		if (!entry)
			break;
		if (!slash) {
			if (git_tree_entry_dup(out, entry) < 0)
				ret = sl_git_error(err, SL_EENV,
						   "cannot copy a tree entry");
			break;
		}
		if (git_tree_entry_type(entry) != GIT_OBJECT_TREE)
			break;
		if (git_tree_lookup(&sub, repo->git,
				    git_tree_entry_id(entry))) {
			ret = sl_git_error(err, SL_EENV,
					   "cannot read the tree of '%.*s' at "
					   "'%s' (a damaged or incomplete "
					   "repository: run git fsck)",
					   (int)(slash - path), path, rev);
			break;
		}
		if (tree != root)
			git_tree_free(tree);
		tree = sub;
		p = slash + 1;
	}
	if (tree != root)
		git_tree_free(tree);
	return ret;
}

/* The blob entry for path at rev: NULL (not found), or an error. */
static int lookup_file(git_tree_entry **out, struct sl_repo *repo,
		       const char *rev, const char *path, struct sl_error *err)
{
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	const char *kind = NULL;
	int ret;

	*out = NULL;
	ret = check_path(path, err);
	if (!ret)
		ret = sl_repo_lookup_commit(&commit, repo, rev, "commit", err);
	if (ret)
		return ret;
	if (git_commit_tree(&tree, commit) < 0) {
		ret = sl_git_error(err, SL_EENV,
				   "cannot read the tree of commit '%s'", rev);
		goto out;
	}
	ret = find_entry(out, repo, tree, path, rev, err);
	if (ret || !*out)
		goto out;
	if (git_tree_entry_filemode(*out) == GIT_FILEMODE_TREE)
		kind = "a directory";
	else if (git_tree_entry_filemode(*out) == GIT_FILEMODE_COMMIT)
		kind = "a submodule";
	else if (git_tree_entry_filemode(*out) == GIT_FILEMODE_LINK)
		kind = "a symbolic link (sluice reads the file from the "
		       "commit and follows no links: commit the file itself)";
	if (kind) {
		ret =
		    sl_error_set(err, SL_EENV, "'%s' at '%s' is %s, not a file",
				 path, rev, kind);
		git_tree_entry_free(*out);
		*out = NULL;
	}
out:
	git_tree_free(tree);
	git_commit_free(commit);
	return ret;
}

int sl_repo_blob_id_at(char out[SL_OID_HEXSZ + 1], bool *found,
		       struct sl_repo *repo, const char *rev, const char *path,
		       struct sl_error *err)
{
	git_tree_entry *entry;
	int ret = lookup_file(&entry, repo, rev, path, err);

	*found = entry != NULL;
	if (entry)
		sl_oid_hex(out, git_tree_entry_id(entry));
	git_tree_entry_free(entry);
	return ret;
}

static int read_blob(struct sl_buf *out, struct sl_repo *repo,
		     const git_oid *id, const char *rev, const char *path,
		     struct sl_error *err)
{
	git_odb *odb = NULL;
	git_blob *blob = NULL;
	git_object_t type;
	size_t size;
	int ret = 0;

	if (git_repository_odb(&odb, repo->git) < 0 ||
	    git_odb_read_header(&size, &type, odb, id) < 0) {
		ret = sl_git_error(err, SL_EENV,
				   "cannot read '%s' at '%s' (a damaged or "
				   "incomplete repository: run git fsck)",
				   path, rev);
		goto out;
	}
	if (size > SL_REPO_BLOB_MAX) {
		ret = sl_error_set(err, SL_EUSAGE,
				   "'%s' at '%s' is %zu bytes, past sluice's "
				   "limit of %u bytes for a file read from a "
				   "commit",
				   path, rev, size, SL_REPO_BLOB_MAX);
		goto out;
	}
	if (git_blob_lookup(&blob, repo->git, id) < 0) {
		ret = sl_git_error(err, SL_EENV, "cannot read '%s' at '%s'",
				   path, rev);
		goto out;
	}
	sl_buf_add(out, git_blob_rawcontent(blob),
		   (size_t)git_blob_rawsize(blob));
out:
	git_blob_free(blob);
	git_odb_free(odb);
	return ret;
}

int sl_repo_read_blob_at(struct sl_buf *out, bool *found, struct sl_repo *repo,
			 const char *rev, const char *path,
			 struct sl_error *err)
{
	git_tree_entry *entry;
	int ret = lookup_file(&entry, repo, rev, path, err);

	*found = false;
	if (!ret && entry) {
		ret = read_blob(out, repo, git_tree_entry_id(entry), rev, path,
				err);
		*found = ret == 0;
	}
	git_tree_entry_free(entry);
	return ret;
}

/* ---- listing a tree -------------------------------------------------- */

int sl_repo_list_files(struct sl_file_list *out, struct sl_repo *repo,
		       const char *rev, struct sl_error *err)
{
	git_commit *commit;
	int ret = sl_repo_lookup_commit(&commit, repo, rev, "commit", err);

	if (ret)
		return ret;
	ret = sl_tree_list(out, repo, git_commit_tree_id(commit), err);
	git_commit_free(commit);
	return ret;
}

void sl_file_list_release(struct sl_file_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		free(list->items[i].path);
	free(list->items);
	list->items = NULL;
	list->n = 0;
	list->alloc = 0;
}
