/*
 * range.c: which two commits a run compares (SPEC.md §2) and the diff
 * between them. It owns choosing the base (--base, SLUICE_BASE, the
 * upstream, origin/HEAD, main, master) and the head, finding their
 * merge-base, deciding what is a missing base (an error, or with
 * --if-missing-base=run-all a degraded diff), and the two steps of a diff:
 * sl_diff_resolve() (the commits) and sl_diff_list() (the merge-base and
 * the changes), which the plan runs on two threads. Comparing trees is
 * treediff.c's, the working copy worktree.c's, path lists paths.c's.
 */
#include "common/common.h"

#include "selector/internal.h"

static const char *const source_names[] = {
    [SL_BASE_NONE] = "none",
    [SL_BASE_OPTION] = "--base",
    [SL_BASE_ENV] = "SLUICE_BASE",
    [SL_BASE_UPSTREAM] = "upstream",
    [SL_BASE_ORIGIN_HEAD] = "origin/HEAD",
    [SL_BASE_MAIN] = "main",
    [SL_BASE_MASTER] = "master",
};

const char *sl_base_source_name(enum sl_base_source source)
{
	return source_names[source];
}

/* ---- choosing the base ----------------------------------------------- */

/*
 * The upstream of a branch is found as git finds it, from the config:
 * branch.<name>.remote and branch.<name>.merge, the latter mapped through
 * the remote's fetch refspecs to a remote-tracking ref. Not with
 * git_branch_upstream(): in libgit2 1.5.1 it goes through
 * git_remote_lookup(), which leaks a pcre2 match block for every config
 * entry it scans for url.*.insteadOf (libgit2 PR #6382, fixed in 1.6).
 */
struct tracking {
	const char *merge; /* the branch on the remote: refs/heads/main */
	struct sl_buf ref; /* the remote-tracking ref it is fetched to */
};

static int map_fetch_spec(const git_config_entry *entry, void *payload)
{
	struct tracking *t = payload;
	git_buf ref = GIT_BUF_INIT;
	git_refspec *spec = NULL;
	int found = 0;

	/* A refspec git could not parse would be refused by git fetch;
	 * it maps nothing. */
	if (git_refspec_parse(&spec, entry->value, true) < 0) {
		git_error_clear();
		return 0;
	}
	if (git_refspec_src_matches(spec, t->merge) &&
	    git_refspec_transform(&ref, spec, t->merge) == 0) {
		sl_buf_add(&t->ref, ref.ptr, ref.size);
		found = 1; /* stops the iteration */
	}
	git_error_clear();
	git_buf_dispose(&ref);
	git_refspec_free(spec);
	return found;
}

/* The ref the upstream of branch lives at, into t->ref; empty: none. */
static int tracking_ref(struct tracking *t, git_config *cfg, const char *branch,
			struct sl_error *err)
{
	struct sl_buf key = SL_BUF_INIT;
	const char *remote = NULL;
	int ret;

	sl_buf_addf(&key, "branch.%s.remote", branch);
	ret = git_config_get_string(&remote, cfg, key.buf);
	if (!ret) {
		sl_buf_reset(&key);
		sl_buf_addf(&key, "branch.%s.merge", branch);
		ret = git_config_get_string(&t->merge, cfg, key.buf);
	}
	if (ret == GIT_ENOTFOUND) {
		ret = 0;
	} else if (ret < 0) {
		ret = sl_git_error(err, SL_EENV,
				   "cannot read the upstream of '%s'", branch);
	} else if (!strcmp(remote, ".")) {
		sl_buf_adds(&t->ref, t->merge); /* a local branch */
	} else {
		sl_buf_reset(&key);
		sl_buf_addf(&key, "remote.%s.fetch", remote);
		ret = git_config_get_multivar_foreach(cfg, key.buf, NULL,
						      map_fetch_spec, t);
		ret = ret == GIT_ENOTFOUND || ret == 1 ? 0 : ret;
		if (ret < 0)
			ret = sl_git_error(err, SL_EENV,
					   "cannot read the fetch refspecs of "
					   "remote '%s'",
					   remote);
	}
	git_error_clear();
	sl_buf_release(&key);
	return ret;
}

/*
 * The upstream of the branch HEAD is on, as "origin/main". *out stays NULL
 * when HEAD is detached or unborn, the branch has no upstream, its
 * remote-tracking branch was never fetched, or it is the branch's own copy
 * on the remote.
 */
static int upstream_of_head(char **out, struct sl_repo *repo,
			    struct sl_error *err)
{
	struct tracking t = {NULL, SL_BUF_INIT};
	git_reference *head = NULL, *up = NULL;
	git_config *cfg = NULL;
	int ret;

	*out = NULL;
	ret = git_repository_head(&head, repo->git);
	if (ret == GIT_EUNBORNBRANCH || ret == GIT_ENOTFOUND) {
		git_error_clear();
		return 0;
	}
	if (ret < 0)
		return sl_git_error(err, SL_EENV, "cannot read HEAD");
	ret = 0;
	if (!git_reference_is_branch(head))
		goto out;
	if (git_repository_config_snapshot(&cfg, repo->git) < 0) {
		ret = sl_git_error(err, SL_EENV,
				   "cannot read git's configuration");
		goto out;
	}
	ret = tracking_ref(&t, cfg, git_reference_shorthand(head), err);
	if (ret || !t.ref.len)
		goto out;
	/*
	 * The branch's own copy on a remote (what `git push -u` sets up) is
	 * not what its pull request is diffed against: with it as the base a
	 * pushed branch would select only its unpushed commits. SPEC.md's
	 * order does not say so; docs/design.md does. The next default
	 * (origin/HEAD, main, master) is the pull request's base.
	 */
	if (t.merge && !strcmp(t.merge, git_reference_name(head)))
		goto out;
	/* Only a ref that is not there means "never fetched". */
	ret = git_reference_lookup(&up, repo->git, t.ref.buf);
	if (ret == GIT_ENOTFOUND) {
		git_error_clear();
		ret = 0;
	} else if (ret < 0) {
		ret = sl_git_error(err, SL_EENV,
				   "cannot read '%s', the upstream of branch "
				   "'%s'; repair or delete that ref, or pass "
				   "--base REV",
				   t.ref.buf, git_reference_shorthand(head));
	} else {
		*out = sl_xstrdup(git_reference_shorthand(up));
	}
out:
	sl_buf_release(&t.ref);
	git_config_free(cfg);
	git_reference_free(up);
	git_reference_free(head);
	return ret;
}

/*
 * Whether name (a ref, or a name git would expand to one) exists, into
 * *out. Only "no such ref" is absence: a ref that cannot be read (a
 * damaged ref file, an I/O error) is SL_EENV, never a reason to pick
 * another base.
 */
static int ref_exists(bool *out, struct sl_repo *repo, const char *name,
		      struct sl_error *err)
{
	git_reference *ref = NULL;
	int ret = git_reference_dwim(&ref, repo->git, name);

	git_reference_free(ref);
	*out = ret == 0;
	if (ret == GIT_ENOTFOUND) {
		git_error_clear();
		ret = 0;
	} else if (ret < 0) {
		ret = sl_git_error(err, SL_EENV,
				   "cannot read the ref '%s' while choosing "
				   "the base; repair or delete it, or pass "
				   "--base REV",
				   name);
	}
	return ret;
}

/*
 * Names the base: --base, else $SLUICE_BASE when set and not empty (a CI
 * template that sets it from an empty event field), else the upstream,
 * origin/HEAD, main, master, the first that exists. *missing is set when
 * the error is that there is no base at all (not that git failed).
 */
static int choose_base(struct sl_diff *d, struct sl_repo *repo,
		       const char *option, bool *missing, struct sl_error *err)
{
	static const struct {
		const char *name;
		enum sl_base_source source;
	} fallbacks[] = {
	    {"refs/remotes/origin/HEAD", SL_BASE_ORIGIN_HEAD},
	    {"main", SL_BASE_MAIN},
	    {"master", SL_BASE_MASTER},
	};
	const char *env = getenv("SLUICE_BASE");
	size_t i;
	int ret;

	if (option) {
		d->base_source = SL_BASE_OPTION;
		d->base_rev = sl_xstrdup(option);
		return 0;
	}
	if (env && *env) {
		d->base_source = SL_BASE_ENV;
		d->base_rev = sl_xstrdup(env);
		return 0;
	}
	ret = upstream_of_head(&d->base_rev, repo, err);
	if (ret || d->base_rev) {
		d->base_source = SL_BASE_UPSTREAM;
		return ret;
	}
	for (i = 0; i < SL_ARRAY_SIZE(fallbacks); i++) {
		bool exists;

		ret = ref_exists(&exists, repo, fallbacks[i].name, err);
		if (ret)
			return ret;
		if (!exists)
			continue;
		d->base_source = fallbacks[i].source;
		d->base_rev = sl_xstrdup(sl_base_source_name(d->base_source));
		return 0;
	}
	*missing = true;
	return sl_error_set(err, SL_EENV,
			    "no base to diff against: the current branch has "
			    "no upstream and neither 'origin/HEAD', 'main' "
			    "nor 'master' exists; pass --base REV or set "
			    "SLUICE_BASE");
}

/* ---- resolving ------------------------------------------------------- */

static void short_id(char out[8], const char *hex)
{
	memcpy(out, hex, 7);
	out[7] = '\0';
}

/*
 * Histories that do not meet (in this clone) make a missing base, and set
 * *missing; any other failure of git's is an error of its own.
 */
static int merge_base_failed(struct sl_diff *d, struct sl_repo *repo,
			     int gitret, bool *missing, struct sl_error *err)
{
	char b[8], h[8];

	short_id(b, d->base);
	short_id(h, d->head);
	*missing = gitret == GIT_ENOTFOUND;
	if (repo->shallow && gitret == GIT_ENOTFOUND)
		return sl_error_set(
		    err, SL_EENV,
		    "cannot find the merge-base of base '%s' (%s) and head "
		    "'%s' (%s) in this shallow clone: its history stops "
		    "before they meet; fetch more history (git fetch "
		    "--deepen=N, or git fetch --unshallow; in GitHub Actions, "
		    "actions/checkout with fetch-depth: 0)",
		    d->base_rev, b, d->head_rev, h);
	if (gitret == GIT_ENOTFOUND) {
		git_error_clear();
		return sl_error_set(
		    err, SL_EENV,
		    "no merge-base between base '%s' (%s) and head '%s' (%s): "
		    "unrelated histories; pass --no-merge-base to diff them "
		    "directly, or another --base",
		    d->base_rev, b, d->head_rev, h);
	}
	return sl_git_error(err, SL_EENV,
			    "cannot find the merge-base of base '%s' (%s) and "
			    "head '%s' (%s)",
			    d->base_rev, b, d->head_rev, h);
}

/*
 * Names the base and finds its commit. On failure *missing says whether
 * the base is missing (none to be found, not in this clone), which
 * --if-missing-base=run-all may turn into a degraded run; git failing to
 * read the configuration or refs is not.
 */
static int resolve_base(struct sl_diff *d, struct sl_repo *repo,
			const struct sl_diff_options *opts, bool *missing,
			struct sl_error *err)
{
	git_commit *base = NULL;
	int ret;

	*missing = false;
	ret = choose_base(d, repo, opts->base, missing, err);
	if (ret)
		return ret;
	/* sl_repo_lookup_commit() reports each way a commit can be absent
	 * from the clone (not found, dangling, all-zero, shallow). */
	ret = sl_repo_lookup_commit(&base, repo, d->base_rev, "base", err);
	if (ret) {
		*missing = true;
		return ret;
	}
	sl_oid_hex(d->base, git_commit_id(base));
	git_commit_free(base);
	return 0;
}

/*
 * The merge-base of the resolved base and head, into d->merge_base. On
 * failure *missing says whether the histories do not meet in this clone
 * (a missing base, as above), not that git failed to read them.
 */
static int find_merge_base(struct sl_diff *d, struct sl_repo *repo,
			   bool *missing, struct sl_error *err)
{
	git_oid base, head, mb;
	int ret;

	*missing = false;
	if (git_oid_fromstr(&base, d->base) < 0 ||
	    git_oid_fromstr(&head, d->head) < 0)
		return sl_git_error(err, SL_EENV, "cannot read a commit id");
	if (repo->shallow) {
		ret = sl_shallow_merge_base(&mb, repo, &base, &head, err);
		if (ret == 1)
			ret = merge_base_failed(d, repo, GIT_ENOTFOUND, missing,
						err);
	} else {
		ret = git_merge_base(&mb, repo->git, &base, &head);
		if (ret < 0)
			ret = merge_base_failed(d, repo, ret, missing, err);
	}
	if (!ret)
		sl_oid_hex(d->merge_base, &mb);
	return ret;
}

/*
 * A base that cannot be used (why says what went wrong): the error,
 * completed with where the base came from and the way out; or, when the
 * base is missing (not when git failed) and the caller asked for run-all,
 * a degraded diff and success.
 */
static int missing_base(struct sl_diff *d, const struct sl_diff_options *opts,
			struct sl_error *why, bool missing,
			struct sl_error *err)
{
	bool degrade = missing && why->status == SL_EENV;

	if (d->base_source != SL_BASE_OPTION && d->base_source != SL_BASE_NONE)
		sl_buf_addf(&why->msg, " (the base came from %s)",
			    sl_base_source_name(d->base_source));
	if (!degrade || !opts->run_all_if_missing_base) {
		if (degrade)
			sl_buf_adds(&why->msg,
				    "; or pass --if-missing-base=run-all to "
				    "run every gate");
		return sl_error_set(err, why->status, "%s", why->msg.buf);
	}
	d->degraded = SL_DEGRADED_BASE_UNAVAILABLE;
	d->degraded_reason = sl_xstrdup(why->msg.buf);
	d->base[0] = '\0';
	d->merge_base[0] = '\0';
	return 0;
}

static int check_options(const struct sl_diff_options *opts,
			 struct sl_error *err)
{
	if (opts->worktree && opts->paths_from)
		return sl_error_set(err, SL_EUSAGE,
				    "--worktree and --paths-from cannot be "
				    "used together: the list replaces git's "
				    "changes");
	if (opts->base && !*opts->base)
		return sl_error_set(err, SL_EUSAGE,
				    "--base is empty; name a commit");
	if (opts->head && !*opts->head)
		return sl_error_set(err, SL_EUSAGE,
				    "--head is empty; name a commit");
	return 0;
}

int sl_diff_resolve(struct sl_diff **out, struct sl_repo *repo,
		    const struct sl_diff_options *opts, struct sl_error *err)
{
	struct sl_diff *d = sl_xcalloc(1, sizeof(*d));
	struct sl_error why = SL_ERROR_INIT;
	git_commit *head = NULL;
	bool missing;
	int ret;

	*out = NULL;
	d->worktree = opts->worktree;
	d->head_rev = sl_xstrdup(opts->head ? opts->head : "HEAD");
	ret = check_options(opts, err);
	if (!ret && opts->paths_from) {
		d->from_paths = true;
		ret = sl_change_list_read_file(&d->changes, opts->paths_from,
					       opts->paths_nul, err);
	}
	/* A head that cannot be read is an error even with run-all: there
	 * would be nothing to run the gates on. */
	if (!ret)
		ret = sl_repo_lookup_commit(&head, repo, d->head_rev, "head",
					    err);
	if (ret)
		goto out;
	sl_oid_hex(d->head, git_commit_id(head));
	if (resolve_base(d, repo, opts, &missing, &why))
		ret = missing_base(d, opts, &why, missing, err);
	else if (opts->no_merge_base)
		memcpy(d->merge_base, d->base, sizeof(d->merge_base));
out:
	git_commit_free(head);
	sl_error_release(&why);
	if (ret)
		sl_diff_free(d);
	else
		*out = d;
	return ret;
}

int sl_diff_list(struct sl_diff *d, struct sl_repo *repo,
		 const struct sl_diff_options *opts, struct sl_error *err)
{
	struct sl_error why = SL_ERROR_INIT;
	bool missing;
	int ret = 0;

	if (!d->degraded && !*d->merge_base &&
	    find_merge_base(d, repo, &missing, &why))
		ret = missing_base(d, opts, &why, missing, err);
	if (!ret && !d->degraded && !d->from_paths)
		ret = sl_diff_commits(&d->changes, repo, d->merge_base, d->head,
				      opts->find_renames, err);
	if (!ret && !d->degraded && !d->from_paths && opts->worktree)
		ret = sl_diff_add_worktree(&d->changes, repo, d->head, err);
	sl_error_release(&why);
	return ret;
}

int sl_diff_run(struct sl_diff **out, struct sl_repo *repo,
		const struct sl_diff_options *opts, struct sl_error *err)
{
	int ret = sl_diff_resolve(out, repo, opts, err);

	if (!ret)
		ret = sl_diff_list(*out, repo, opts, err);
	if (ret) {
		sl_diff_free(*out);
		*out = NULL;
	}
	return ret;
}

void sl_diff_free(struct sl_diff *diff)
{
	if (!diff)
		return;
	free(diff->head_rev);
	free(diff->base_rev);
	free(diff->degraded_reason);
	sl_change_list_release(&diff->changes);
	free(diff);
}
