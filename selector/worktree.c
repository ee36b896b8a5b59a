/*
 * worktree.c: the changes of the working copy against a commit, for
 * --worktree: what is staged (commit -> index), what is not (index -> work
 * tree, tracked files deleted from the work tree included) and what is
 * untracked but not ignored. Correctness over speed: libgit2's own index
 * and work-tree diffs do the comparing, with git's ignore rules. Merging
 * the result with a commit range is changes.c's.
 */
#include "common/common.h"

#include "selector/internal.h"

/* commit -> index: what `git diff --cached` shows. */
static int staged(struct sl_change_list *out, struct sl_repo *repo,
		  git_tree *tree, git_index *index, struct sl_error *err)
{
	git_diff_options opts;
	git_diff *diff = NULL;
	int ret = 0;

	/* The _INIT macros leave fields out, which -Wextra refuses. */
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
	opts.ignore_submodules = GIT_SUBMODULE_IGNORE_NONE;
	if (git_diff_tree_to_index(&diff, repo->git, tree, index, &opts) < 0)
		ret = sl_git_error(err, SL_EENV,
				   "cannot compare the index with the head");
	else
		sl_changes_from_git_diff(out, diff);
	git_diff_free(diff);
	if (!ret) {
		sl_change_list_pair_renames(out);
		sl_change_list_sort_unique(out);
	}
	return ret;
}

/* index -> work tree, untracked files included: `git status`'s lower half. */
static int unstaged(struct sl_change_list *out, struct sl_repo *repo,
		    git_index *index, struct sl_error *err)
{
	git_diff_options opts;
	git_diff *diff = NULL;
	int ret = 0;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_INCLUDE_UNTRACKED |
		     GIT_DIFF_RECURSE_UNTRACKED_DIRS |
		     GIT_DIFF_INCLUDE_TYPECHANGE | GIT_DIFF_INCLUDE_UNREADABLE;
	/* A submodule counts when its checked-out commit moved, not when
	 * its own work tree is dirty: only the former can be committed. */
	opts.ignore_submodules = GIT_SUBMODULE_IGNORE_DIRTY;
	if (git_diff_index_to_workdir(&diff, repo->git, index, &opts) < 0)
		ret =
		    sl_git_error(err, SL_EENV,
				 "cannot compare the work tree with the index");
	else
		sl_changes_from_git_diff(out, diff);
	git_diff_free(diff);
	sl_change_list_sort_unique(out);
	return ret;
}

int sl_diff_add_worktree(struct sl_change_list *out, struct sl_repo *repo,
			 const char *head_rev, struct sl_error *err)
{
	struct sl_change_list index_changes = SL_CHANGE_LIST_INIT;
	struct sl_change_list work_changes = SL_CHANGE_LIST_INIT;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_index *index = NULL;
	int ret;

	ret = sl_repo_need_worktree(repo, "--worktree", err);
	if (!ret)
		ret =
		    sl_repo_lookup_commit(&commit, repo, head_rev, "head", err);
	if (ret)
		return ret;
	if (git_commit_tree(&tree, commit) < 0 ||
	    git_repository_index(&index, repo->git) < 0) {
		ret = sl_git_error(err, SL_EENV,
				   "cannot read the head's tree or the index");
		goto out;
	}
	ret = staged(&index_changes, repo, tree, index, err);
	if (!ret)
		ret = unstaged(&work_changes, repo, index, err);
	if (ret)
		goto out;
	sl_change_list_merge(&index_changes, &work_changes);
	sl_change_list_merge(out, &index_changes);
out:
	sl_change_list_release(&index_changes);
	sl_change_list_release(&work_changes);
	git_index_free(index);
	git_tree_free(tree);
	git_commit_free(commit);
	return ret;
}
