/*
 * test_worktree.c: the working copy's changes for --worktree
 * (selector/worktree.c): staged, unstaged, untracked but not ignored,
 * deleted, and their merge with a commit range.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <unistd.h>

#include "selector/selector.h"
#include "tests/selector/gitref.h"
#include "tests/support/sandbox.h"

static int setup(void **state)
{
	(void)state;
	sl_sandbox_enter();
	gr_init("r");
	assert_int_equal(chdir("r"), 0);
	gr_write(".gitignore", "*.log\nbuild/\n");
	gr_write("staged.txt", "1\n");
	gr_write("unstaged.txt", "1\n");
	gr_write("deleted.txt", "1\n");
	gr_write("both.txt", "1\n");
	gr_write("src/keep.c", "1\n");
	gr_commit_all("one");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_sandbox_leave();
	return 0;
}

static void worktree(struct sl_change_list *out, struct sl_repo *repo)
{
	struct sl_error err = SL_ERROR_INIT;

	if (sl_diff_add_worktree(out, repo, "HEAD", &err))
		fail_msg("sl_diff_add_worktree: %s", sl_error_message(&err));
	sl_error_release(&err);
}

/*
 * The names git reports for the same working copy: staged, unstaged and
 * untracked-but-not-ignored, each as git lists them.
 */
static void assert_names_like_git(const struct sl_change_list *list)
{
	struct sl_buf ours = SL_BUF_INIT, git = SL_BUF_INIT;
	struct sl_change_name *names;
	size_t i, n = sl_change_list_names(&names, list);

	for (i = 0; i < n; i++)
		sl_buf_addf(&ours, "%s\n", names[i].path);
	assert_int_equal(
	    sl_sh_capture(&git, "{ git diff --cached --name-only --no-renames; "
				"git diff --name-only --no-renames; "
				"git ls-files --others --exclude-standard; } "
				"| LC_ALL=C sort -u"),
	    0);
	assert_string_equal(ours.buf, git.buf);
	free(names);
	sl_buf_release(&ours);
	sl_buf_release(&git);
}

static void worktree__staged_unstaged_untracked_and_deleted(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo = gr_open(".");

	(void)state;
	gr_write("staged.txt", "2\n");
	sl_sh_ok("git add staged.txt");
	gr_write("unstaged.txt", "2\n");
	gr_write("both.txt", "2\n");
	sl_sh_ok("git add both.txt");
	gr_write("both.txt", "3\n");
	gr_remove("deleted.txt");
	gr_write("new.txt", "n\n");
	gr_write("newdir/deep/x.c", "x\n");
	gr_write("debug.log", "ignored\n");
	gr_write("build/out.o", "ignored\n");
	gr_write("src/trace.log", "ignored\n");
	worktree(&list, repo);
	gr_assert_changes(&list, "M both.txt\n"
				 "D deleted.txt\n"
				 "A new.txt\n"
				 "A newdir/deep/x.c\n"
				 "M staged.txt\n"
				 "M unstaged.txt\n");
	assert_names_like_git(&list);
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void worktree__clean_work_tree_adds_nothing(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo = gr_open(".");

	(void)state;
	gr_write("ignored.log", "x\n");
	worktree(&list, repo);
	assert_int_equal(list.n, 0);
	sl_repo_free(repo);
}

static void worktree__staged_deletion_and_rename(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo = gr_open(".");

	(void)state;
	sl_sh_ok("git rm -q deleted.txt && mkdir lib && "
		 "git mv src/keep.c lib/keep.c");
	worktree(&list, repo);
	gr_assert_changes(&list, "D deleted.txt\nR src/keep.c->lib/keep.c\n");
	assert_names_like_git(&list);
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

/* Staged, then undone in the work tree: still what a plain commit would
 * carry, so it counts. */
static void worktree__staged_change_undone_in_the_work_tree_counts(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo = gr_open(".");

	(void)state;
	gr_write("staged.txt", "2\n");
	sl_sh_ok("git add staged.txt");
	gr_write("staged.txt", "1\n");
	worktree(&list, repo);
	gr_assert_changes(&list, "M staged.txt\n");
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void worktree__file_replaced_by_symlink_or_directory(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo = gr_open(".");

	(void)state;
	gr_remove("unstaged.txt");
	assert_int_equal(symlink("staged.txt", "unstaged.txt"), 0);
	gr_remove("deleted.txt");
	gr_write("deleted.txt/inside", "now a directory\n");
	worktree(&list, repo);
	gr_assert_changes(&list, "D deleted.txt\nA deleted.txt/inside\n"
				 "T unstaged.txt\n");
	assert_names_like_git(&list);
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void worktree__nested_repository_is_one_entry(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo = gr_open(".");

	(void)state;
	gr_init("vendor/lib");
	gr_write("vendor/lib/x.c", "x\n");
	sl_sh_ok("cd vendor/lib && git add x.c && git commit -q -m x");
	worktree(&list, repo);
	gr_assert_changes(&list, "A vendor/lib\n");
	assert_true(list.items[0].submodule);
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

/* The working copy merged with changes the commit range made. */
static void worktree__merges_with_the_commit_range(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo = gr_open(".");

	(void)state;
	gr_write("added.txt", "a\n");
	gr_remove("deleted.txt");
	gr_write("staged.txt", "range\n");
	gr_commit_all("range");
	gr_write("added.txt", "edited in the work tree\n");
	gr_write("deleted.txt", "back again\n");
	gr_remove("staged.txt");
	gr_write("zzz.txt", "new\n");
	assert_int_equal(
	    sl_diff_commits(&list, repo, "HEAD~1", "HEAD", false, &err), 0);
	worktree(&list, repo);
	gr_assert_changes(&list, "A added.txt\n"
				 "M deleted.txt\n"
				 "D staged.txt\n"
				 "A zzz.txt\n");
	assert_int_equal(list.items[1].old_mode, 0100644);
	assert_int_equal(list.items[2].new_mode, 0);
	sl_change_list_release(&list);
	sl_error_release(&err);
	sl_repo_free(repo);
}

/*
 * A path the range deleted and the working copy renamed another file onto:
 * the rename's old name is still a touched name, as git status shows it.
 */
static void worktree__rename_onto_a_path_the_range_deleted(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_change_name *names;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo = gr_open(".");

	(void)state;
	gr_write("lib/keep.c", "old\n");
	gr_commit_all("lib");
	gr_remove("lib/keep.c");
	gr_commit_all("range");
	sl_sh_ok("git mv src/keep.c lib/keep.c");
	assert_int_equal(
	    sl_diff_commits(&list, repo, "HEAD~1", "HEAD", false, &err), 0);
	worktree(&list, repo);
	gr_assert_changes(&list, "R src/keep.c->lib/keep.c\n");
	assert_int_equal(sl_change_list_names(&names, &list), 2);
	assert_string_equal(names[1].path, "src/keep.c");
	assert_true(names[1].is_old_name);
	free(names);
	sl_change_list_release(&list);
	sl_error_release(&err);
	sl_repo_free(repo);
}

static void worktree__bare_repository_is_refused(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo;

	(void)state;
	sl_sh_ok("git clone -q --bare . ../bare.git");
	repo = gr_open("../bare.git");
	assert_int_equal(sl_diff_add_worktree(&list, repo, "HEAD", &err),
			 SL_EENV);
	assert_non_null(
	    strstr(sl_error_message(&err), "--worktree needs a work tree"));
	assert_int_equal(list.n, 0);
	sl_error_release(&err);
	sl_repo_free(repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(worktree__staged_unstaged_untracked_and_deleted),
	    T(worktree__clean_work_tree_adds_nothing),
	    T(worktree__staged_deletion_and_rename),
	    T(worktree__staged_change_undone_in_the_work_tree_counts),
	    T(worktree__file_replaced_by_symlink_or_directory),
	    T(worktree__nested_repository_is_one_entry),
	    T(worktree__merges_with_the_commit_range),
	    T(worktree__rename_onto_a_path_the_range_deleted),
	    T(worktree__bare_repository_is_refused),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
