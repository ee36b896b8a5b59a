/*
 * test_treediff.c: the changes between two commits (selector/treediff.c),
 * held to what `git diff --name-only --no-renames` and `--name-status`
 * print for the same two commits, case by case and on random histories.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "selector/selector.h"
#include "tests/selector/gitref.h"
#include "tests/support/sandbox.h"

/* Diffs old..new (exact renames only); fails the test on error. */
static void diff(struct sl_change_list *out, struct sl_repo *repo,
		 const char *old_rev, const char *new_rev, bool find_renames)
{
	struct sl_error err = SL_ERROR_INIT;

	if (sl_diff_commits(out, repo, old_rev, new_rev, find_renames, &err))
		fail_msg("sl_diff_commits: %s", sl_error_message(&err));
	sl_error_release(&err);
}

/* Checks HEAD~1..HEAD against git, and returns its changes in out. */
static void check_last(struct sl_change_list *out, struct sl_repo *repo)
{
	gr_check_commits(repo, "HEAD~1", "HEAD");
	diff(out, repo, "HEAD~1", "HEAD", false);
	gr_assert_like_git(out, "HEAD~1 HEAD");
}

static void treediff__adds_deletes_and_modifies_match_git(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("keep.txt", "keep\n");
	gr_write("mod.txt", "one\n");
	gr_write("gone/old.txt", "old\n");
	gr_write("src/lib/util.c", "int x;\n");
	gr_commit_all("one");
	gr_write("mod.txt", "two\n");
	gr_remove("gone");
	gr_write("new/dir/new.txt", "new\n");
	gr_write("src/lib/more.c", "int y;\n");
	gr_commit_all("two");
	repo = gr_open(".");
	check_last(&list, repo);
	gr_assert_changes(&list, "D gone/old.txt\n"
				 "M mod.txt\n"
				 "A new/dir/new.txt\n"
				 "A src/lib/more.c\n");
	assert_int_equal(list.items[1].old_mode, 0100644);
	assert_int_equal(list.items[1].new_mode, 0100644);
	assert_int_equal(strlen(list.items[1].old_id), SL_OID_HEXSZ);
	assert_string_equal(list.items[0].new_id, "");
	assert_string_equal(list.items[2].old_id, "");
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void
treediff__exact_rename_across_directories_has_both_names(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_change_name *names;
	struct sl_repo *repo;
	size_t n;

	(void)state;
	gr_write("services/billing/api.c", "int billing;\n");
	gr_write("services/billing/other.c", "int other;\n");
	gr_commit_all("one");
	sl_sh_ok("mkdir -p libs/pay && git mv services/billing/api.c "
		 "libs/pay/api.c");
	gr_commit_all("move");
	repo = gr_open(".");
	check_last(&list, repo);
	gr_assert_changes(&list, "R services/billing/api.c->libs/pay/api.c\n");
	assert_int_equal(list.items[0].similarity, 100);
	assert_string_equal(list.items[0].old_id, list.items[0].new_id);
	n = sl_change_list_names(&names, &list);
	assert_int_equal(n, 2);
	assert_string_equal(names[0].path, "libs/pay/api.c");
	assert_false(names[0].is_old_name);
	assert_string_equal(names[1].path, "services/billing/api.c");
	assert_true(names[1].is_old_name);
	free(names);
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void
treediff__rename_with_changed_content_needs_find_renames(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_buf git = SL_BUF_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("a/long.txt", "line 1\nline 2\nline 3\nline 4\nline 5\n"
			       "line 6\nline 7\nline 8\nline 9\nline 10\n");
	gr_commit_all("one");
	sl_sh_ok("mkdir b && git mv a/long.txt b/long.txt");
	gr_write("b/long.txt", "line 1\nline 2\nline 3\nline 4\nline 5\n"
			       "line 6\nline 7\nline 8\nline 9\nline 10\n"
			       "line 11\n");
	gr_commit_all("move and edit");
	repo = gr_open(".");
	check_last(&list, repo);
	gr_assert_changes(&list, "D a/long.txt\nA b/long.txt\n");
	sl_change_list_release(&list);

	diff(&list, repo, "HEAD~1", "HEAD", true);
	gr_assert_changes(&list, "R a/long.txt->b/long.txt\n");
	assert_int_equal(sl_sh_capture(&git, "git diff -M --name-status "
					     "HEAD~1 HEAD | cut -c1"),
			 0);
	assert_string_equal(git.buf, "R\n");
	assert_true(list.items[0].similarity >= 50);
	assert_true(list.items[0].similarity < 100);
	sl_buf_release(&git);
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void treediff__empty_files_are_not_paired_as_renames(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("x/empty", "");
	gr_commit_all("one");
	sl_sh_ok("mkdir y && git mv x/empty y/empty");
	gr_commit_all("move");
	repo = gr_open(".");
	check_last(&list, repo);
	gr_assert_changes(&list, "D x/empty\nA y/empty\n");
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void treediff__rename_pairs_prefer_the_same_base_name(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("a/first.txt", "same\n");
	gr_write("b/second.txt", "same\n");
	gr_commit_all("one");
	gr_remove("a");
	gr_remove("b");
	gr_write("c/second.txt", "same\n");
	gr_write("d/other.txt", "same\n");
	gr_commit_all("two");
	repo = gr_open(".");
	check_last(&list, repo);
	gr_assert_changes(&list, "R b/second.txt->c/second.txt\n"
				 "R a/first.txt->d/other.txt\n");
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void treediff__mode_change_is_modified(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("bin/tool", "#!/bin/sh\n");
	gr_commit_all("one");
	sl_sh_ok("chmod +x bin/tool");
	gr_commit_all("chmod");
	repo = gr_open(".");
	check_last(&list, repo);
	gr_assert_changes(&list, "M bin/tool\n");
	assert_int_equal(list.items[0].old_mode, 0100644);
	assert_int_equal(list.items[0].new_mode, 0100755);
	assert_string_equal(list.items[0].old_id, list.items[0].new_id);
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void treediff__file_and_symlink_swap_as_typechange(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("conf/a.yml", "a: 1\n");
	gr_write("conf/b.yml", "b: 1\n");
	gr_commit_all("one");
	gr_remove("conf/a.yml");
	assert_int_equal(symlink("b.yml", "conf/a.yml"), 0);
	gr_commit_all("link");
	repo = gr_open(".");
	check_last(&list, repo);
	gr_assert_changes(&list, "T conf/a.yml\n");
	assert_int_equal(list.items[0].new_mode, 0120000);
	sl_change_list_release(&list);
	gr_remove("conf/a.yml");
	gr_write("conf/a.yml", "a: 2\n");
	gr_commit_all("file again");
	check_last(&list, repo);
	gr_assert_changes(&list, "T conf/a.yml\n");
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void treediff__file_and_directory_swap_as_delete_and_adds(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("pkg", "was a file\n");
	gr_write("pkg.c", "x\n");
	gr_commit_all("one");
	gr_remove("pkg");
	gr_write("pkg/x.c", "x\n");
	gr_write("pkg/sub/y.c", "y\n");
	gr_commit_all("dir");
	repo = gr_open(".");
	check_last(&list, repo);
	gr_assert_changes(&list, "D pkg\nA pkg/sub/y.c\nA pkg/x.c\n");
	sl_change_list_release(&list);
	gr_remove("pkg");
	gr_write("pkg", "a file again\n");
	gr_commit_all("file");
	check_last(&list, repo);
	gr_assert_changes(&list, "A pkg\nD pkg/sub/y.c\nD pkg/x.c\n");
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

/*
 * libgit2's similarity search splits a typechange so that its new side can
 * be a rename's target; the path must still be listed once.
 */
static void treediff__similarity_lists_a_typechanged_path_once(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo;

	(void)state;
	assert_int_equal(symlink("one", "A"), 0);
	gr_write("a0", "content that moves\n");
	gr_commit_all("one");
	gr_remove("A");
	gr_remove("a0");
	gr_write("A", "content that moves\n");
	gr_commit_all("two");
	repo = gr_open(".");
	check_last(&list, repo);
	gr_assert_changes(&list, "T A\nD a0\n");
	sl_change_list_release(&list);
	diff(&list, repo, "HEAD~1", "HEAD", true);
	gr_assert_changes(&list, "R a0->A\n");
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void treediff__submodules_count_and_are_flagged(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("README", "r\n");
	gr_commit_all("one");
	repo = gr_open(".");
	sl_sh_ok("git update-index --add --cacheinfo "
		 "160000,1111111111111111111111111111111111111111,libs/sub "
		 "&& git commit -q -m add");
	check_last(&list, repo);
	gr_assert_changes(&list, "A libs/sub\n");
	assert_true(list.items[0].submodule);
	assert_int_equal(list.items[0].new_mode, 0160000);
	sl_change_list_release(&list);

	sl_sh_ok("git update-index --cacheinfo "
		 "160000,2222222222222222222222222222222222222222,libs/sub "
		 "&& git commit -q -m bump");
	check_last(&list, repo);
	gr_assert_changes(&list, "M libs/sub\n");
	assert_true(list.items[0].submodule);
	assert_string_equal(list.items[0].new_id,
			    "2222222222222222222222222222222222222222");
	sl_change_list_release(&list);

	sl_sh_ok("git update-index --force-remove libs/sub && "
		 "git commit -q -m remove");
	check_last(&list, repo);
	gr_assert_changes(&list, "D libs/sub\n");
	assert_true(list.items[0].submodule);
	sl_change_list_release(&list);

	/* A submodule replaced by a file, and by a directory. */
	sl_sh_ok("git update-index --add --cacheinfo "
		 "160000,1111111111111111111111111111111111111111,m1 && "
		 "git update-index --add --cacheinfo "
		 "160000,1111111111111111111111111111111111111111,m2 && "
		 "git commit -q -m two-subs && "
		 "git update-index --force-remove m1 m2 && "
		 "echo f > m1 && mkdir m2 && echo g > m2/g && "
		 "git add m1 m2/g && git commit -q -m replaced");
	check_last(&list, repo);
	gr_assert_changes(&list, "T m1\nD m2\nA m2/g\n");
	assert_true(list.items[0].submodule);
	assert_true(list.items[1].submodule);
	assert_false(list.items[2].submodule);
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

/*
 * git's tree order puts a directory "a" after "a.b" and "a-b" (as "a/"),
 * while a file "a" comes first; the merge-walk must agree or it pairs the
 * wrong entries.
 */
static void treediff__names_that_sort_tricky_match_git(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("a", "file a\n");
	gr_write("a.b", "1\n");
	gr_write("a-b", "1\n");
	gr_write("a0", "1\n");
	gr_write("a1/x", "1\n");
	gr_write("ab/x", "1\n");
	gr_commit_all("one");
	gr_remove("a");
	gr_write("a/x", "dir a\n");
	gr_write("a.b", "2\n");
	gr_write("a-b", "2\n");
	gr_write("a0", "2\n");
	gr_write("a1/x", "2\n");
	gr_commit_all("a becomes a directory");
	repo = gr_open(".");
	check_last(&list, repo);
	gr_assert_changes(&list, "D a\nM a-b\nM a.b\nA a/x\nM a0\nM a1/x\n");
	sl_change_list_release(&list);

	gr_remove("a");
	gr_write("a", "file again\n");
	gr_write("a.b", "3\n");
	gr_write("a0", "3\n");
	gr_commit_all("a becomes a file");
	check_last(&list, repo);
	gr_assert_changes(&list, "A a\nM a.b\nD a/x\nM a0\n");
	sl_change_list_release(&list);
	gr_check_commits(repo, "HEAD~2", "HEAD");
	sl_repo_free(repo);
}

static void treediff__non_utf8_names_are_kept_as_bytes(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("docs/readme", "r\n");
	gr_commit_all("one");
	gr_write("docs/caf\xe9.txt", "latin-1 name\n");
	gr_write("docs/\xff\xfe/x", "odd directory\n");
	gr_commit_all("latin-1");
	repo = gr_open(".");
	check_last(&list, repo);
	assert_int_equal(list.n, 2);
	assert_int_equal(list.items[0].len, strlen("docs/caf\xe9.txt"));
	assert_memory_equal(list.items[0].path, "docs/caf\xe9.txt",
			    list.items[0].len);
	assert_memory_equal(list.items[1].path, "docs/\xff\xfe/x",
			    list.items[1].len);
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void treediff__same_tree_is_an_empty_diff(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("x/y", "1\n");
	gr_commit_all("one");
	gr_commit_all("empty commit");
	repo = gr_open(".");
	check_last(&list, repo);
	assert_int_equal(list.n, 0);
	diff(&list, repo, "HEAD", "HEAD", false);
	assert_int_equal(list.n, 0);
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void treediff__deep_tree_with_one_changed_leaf(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_buf path = SL_BUF_INIT;
	struct sl_repo *repo;
	int i, j;

	(void)state;
	for (i = 0; i < 8; i++)
		for (j = 0; j < 8; j++) {
			sl_buf_reset(&path);
			sl_buf_addf(&path, "d%d/e/f/g/h/i/j/k%d/leaf.txt", i,
				    j);
			gr_write(path.buf, path.buf);
		}
	gr_commit_all("deep");
	gr_write("d3/e/f/g/h/i/j/k5/leaf.txt", "changed\n");
	gr_commit_all("one leaf");
	repo = gr_open(".");
	check_last(&list, repo);
	gr_assert_changes(&list, "M d3/e/f/g/h/i/j/k5/leaf.txt\n");
	sl_change_list_release(&list);
	sl_buf_release(&path);
	sl_repo_free(repo);
}

/* Removes the loose object of rev (a tree id) from the object store. */
static void remove_object(const char *rev)
{
	char id[SL_OID_HEXSZ + 1];

	gr_rev(id, rev);
	sl_sh_ok("rm -f .git/objects/%.2s/%s", id, id + 2);
}

/*
 * An unchanged subtree is skipped without being read: with its object
 * gone the diff still succeeds (as git's does), which shows that the cost
 * follows the change, not the tree.
 */
static void treediff__skips_unchanged_subtrees_unread(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("big/a/b/c.txt", "c\n");
	gr_write("small/x.txt", "x\n");
	gr_commit_all("one");
	gr_write("small/x.txt", "y\n");
	gr_commit_all("two");
	remove_object("HEAD:big/a");
	repo = gr_open(".");
	diff(&list, repo, "HEAD~1", "HEAD", false);
	gr_assert_changes(&list, "M small/x.txt\n");
	sl_change_list_release(&list);
	sl_repo_free(repo);
}

static void treediff__missing_changed_tree_is_an_error(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("src/a/x.c", "1\n");
	gr_commit_all("one");
	gr_write("src/a/x.c", "2\n");
	gr_commit_all("two");
	remove_object("HEAD:src/a");
	repo = gr_open(".");
	assert_int_equal(
	    sl_diff_commits(&list, repo, "HEAD~1", "HEAD", false, &err),
	    SL_EENV);
	assert_int_equal(list.n, 0);
	assert_non_null(
	    strstr(sl_error_message(&err), "cannot read the tree 'src/a'"));
	assert_non_null(strstr(sl_error_message(&err), "git fsck"));
	sl_error_release(&err);
	sl_repo_free(repo);
}

/* A commit of a tree written byte for byte (git hash-object --literally). */
static void commit_raw_tree(const char *data, size_t len, const char *branch)
{
	gr_write_file("raw-tree", data, len);
	sl_sh_ok("t=$(git hash-object -t tree -w --literally raw-tree) && "
		 "c=$(git commit-tree -m raw \"$t\") && "
		 "git update-ref refs/heads/%s \"$c\"",
		 branch);
}

static void treediff__malformed_tree_is_an_error(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("x", "1\n");
	gr_commit_all("one");
	commit_raw_tree("100644 no-terminator", 20, "bad");
	repo = gr_open(".");
	assert_int_equal(
	    sl_diff_commits(&list, repo, "HEAD", "bad", false, &err), SL_EENV);
	assert_non_null(strstr(sl_error_message(&err), "is malformed"));
	assert_int_equal(list.n, 0);
	sl_error_release(&err);
	sl_repo_free(repo);
}

/* Old gits wrote modes such as 100664; git reads them as 100644. */
static void treediff__non_canonical_modes_read_as_git_reads_them(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_buf tree = SL_BUF_INIT;
	char blob[SL_OID_HEXSZ + 1];
	unsigned char raw[20];
	struct sl_repo *repo;
	int i;

	(void)state;
	gr_write("f", "content\n");
	gr_commit_all("canonical");
	sl_sh_ok("git branch canonical");
	gr_rev(blob, "HEAD:f");
	for (i = 0; i < 20; i++) {
		unsigned v;

		assert_int_equal(sscanf(blob + 2 * i, "%2x", &v), 1);
		raw[i] = (unsigned char)v;
	}
	sl_buf_add(&tree, "100664 f", 9); /* with its NUL */
	sl_buf_add(&tree, raw, 20);
	commit_raw_tree(tree.buf, tree.len, "odd");
	repo = gr_open(".");
	diff(&list, repo, "canonical", "odd", false);
	assert_int_equal(list.n, 0);
	gr_assert_like_git(&list, "canonical odd --");
	sl_buf_release(&tree);
	sl_repo_free(repo);
}

static void treediff__unknown_revision_is_an_error(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_write("x", "1\n");
	gr_commit_all("one");
	repo = gr_open(".");
	assert_int_equal(
	    sl_diff_commits(&list, repo, "nope", "HEAD", false, &err), SL_EENV);
	assert_non_null(strstr(sl_error_message(&err), "'nope' not found"));
	assert_int_equal(
	    sl_diff_commits(&list, repo, "HEAD:x", "HEAD", false, &err),
	    SL_EENV);
	assert_non_null(strstr(sl_error_message(&err), "not a commit"));
	sl_error_release(&err);
	sl_repo_free(repo);
}

/* ---- random histories ------------------------------------------------ */

/* A random path of 1 to 3 components from names that sort tricky. */
static void random_path(struct sl_buf *out)
{
	static const char *const names[] = {
	    "a", "a.b", "a-b", "a0", "b", "z", "\xe9t\xe9", "A", "a_b", "x.y"};
	unsigned depth = 1 + gr_rnd(3), i;

	sl_buf_reset(out);
	for (i = 0; i < depth; i++) {
		if (i)
			sl_buf_addch(out, '/');
		sl_buf_adds(out, names[gr_rnd(SL_ARRAY_SIZE(names))]);
	}
}

/* Makes room for a file at path: no file where a directory must be. */
static void clear_way(const char *path)
{
	struct sl_buf prefix = SL_BUF_INIT;
	const char *p = path;
	struct stat st;

	while ((p = strchr(p, '/'))) {
		sl_buf_reset(&prefix);
		sl_buf_add(&prefix, path, (size_t)(p - path));
		if (lstat(prefix.buf, &st) == 0 && !S_ISDIR(st.st_mode))
			gr_remove(prefix.buf);
		p++;
	}
	if (lstat(path, &st) == 0)
		gr_remove(path);
	sl_buf_release(&prefix);
}

static void random_edit(void)
{
	static const char *const contents[] = {"one\n", "two\n", "three\n",
					       "four\n", ""};
	struct sl_buf path = SL_BUF_INIT;
	struct stat st;
	unsigned op = gr_rnd(10);

	random_path(&path);
	if (op < 5) {
		clear_way(path.buf);
		gr_write(path.buf, contents[gr_rnd(SL_ARRAY_SIZE(contents))]);
	} else if (op < 7) {
		gr_remove(path.buf);
	} else if (op < 8) {
		if (lstat(path.buf, &st) == 0 && S_ISREG(st.st_mode))
			assert_int_equal(
			    chmod(path.buf, st.st_mode & 0100 ? 0644 : 0755),
			    0);
	} else if (op < 9) {
		clear_way(path.buf);
		gr_mkdir_parents(path.buf);
		assert_int_equal(symlink(gr_rnd(2) ? "one" : "two", path.buf),
				 0);
	} else {
		/* Moves a file, so that exact renames occur. */
		struct sl_buf to = SL_BUF_INIT;

		random_path(&to);
		if (lstat(path.buf, &st) == 0 && S_ISREG(st.st_mode) &&
		    strncmp(to.buf, path.buf, path.len)) {
			struct sl_buf data = SL_BUF_INIT;

			sl_read_file(&data, path.buf);
			gr_remove(path.buf);
			clear_way(to.buf);
			gr_write_file(to.buf, data.buf, data.len);
			sl_buf_release(&data);
		}
		sl_buf_release(&to);
	}
	sl_buf_release(&path);
}

static void random_gitlink(unsigned n)
{
	sl_sh_ok("git update-index --add --cacheinfo "
		 "160000,%040x,sub%u && git commit -q -m sub",
		 n * 2654435761u, gr_rnd(2));
}

static void treediff__random_histories_match_git(void **state)
{
	enum { COMMITS = 16, EDITS = 10 };
	char ids[COMMITS + 1][SL_OID_HEXSZ + 1];
	struct sl_repo *repo;
	unsigned c, e;

	(void)state;
	gr_seed(20260101);
	gr_write("base", "base\n");
	gr_commit_all("base");
	gr_rev(ids[0], "HEAD");
	repo = gr_open(".");
	for (c = 1; c <= COMMITS; c++) {
		for (e = 0; e < EDITS; e++)
			random_edit();
		gr_commit_all("random");
		if (gr_rnd(4) == 0)
			random_gitlink(c);
		gr_rev(ids[c], "HEAD");
		gr_check_commits(repo, ids[c - 1], ids[c]);
		gr_check_commits(repo, ids[gr_rnd(c)], ids[c]);
	}
	gr_check_commits(repo, ids[COMMITS], ids[0]);
	sl_repo_free(repo);
}

/*
 * The same, with every tree read from a pack (selector/packs.c) as git
 * gc leaves them, most of them deltas on others: first as OFS_DELTA, then
 * as REF_DELTA, with part of the history in a second pack.
 */
static void treediff__random_packed_histories_match_git(void **state)
{
	enum { COMMITS = 24, EDITS = 6 };
	static const char *const repack[] = {
	    "git repack -q -a -d -f --depth=50 --window=50",
	    "git -c repack.useDeltaBaseOffset=false repack -q -a -d -f",
	    "git repack -q -a -d -f && git commit -q --allow-empty -m e && "
	    "echo x > extra && git add extra && git commit -q -m x && "
	    "git repack -q -d",
	};
	char ids[COMMITS + 1][SL_OID_HEXSZ + 1];
	struct sl_repo *repo;
	unsigned c, e, r;

	(void)state;
	gr_seed(20260102);
	gr_write("base", "base\n");
	gr_commit_all("base");
	gr_rev(ids[0], "HEAD");
	for (c = 1; c <= COMMITS; c++) {
		for (e = 0; e < EDITS; e++)
			random_edit();
		gr_commit_all("random");
		gr_rev(ids[c], "HEAD");
	}
	for (r = 0; r < sizeof(repack) / sizeof(repack[0]); r++) {
		sl_sh_ok("%s && test -z \"$(find .git/objects -type f "
			 "-path '*/objects/[0-9a-f][0-9a-f]/*')\"",
			 repack[r]);
		repo = gr_open(".");
		for (c = 1; c <= COMMITS; c++) {
			gr_check_commits(repo, ids[c - 1], ids[c]);
			gr_check_commits(repo, ids[gr_rnd(c)], ids[c]);
		}
		gr_check_commits(repo, ids[COMMITS], ids[0]);
		sl_repo_free(repo);
	}
}

/*
 * A packed tree whose data is damaged is refused by the pack reader and
 * then by libgit2, which says why; a packed tree that is not well formed
 * is malformed, as a loose one is.
 */
static void treediff__damaged_packed_trees_are_errors(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf out = SL_BUF_INIT;
	char id[SL_OID_HEXSZ + 1];
	unsigned long size, packed, offset;
	struct sl_repo *repo;
	const char *line;

	(void)state;
	gr_write("x", "1\n");
	gr_write("src/a/x.c", "1\n");
	gr_commit_all("one");
	gr_write("src/a/x.c", "2\n");
	gr_commit_all("two");
	sl_sh_ok("git repack -q -a -d -f");
	gr_rev(id, "HEAD:src/a");
	assert_int_equal(sl_sh_capture(&out,
				       "git verify-pack -v "
				       ".git/objects/pack/*.idx | "
				       "grep '^%s '",
				       id),
			 0);
	line = out.buf;
	assert_int_equal(
	    sscanf(line, "%*40s %*15s %lu %lu %lu", &size, &packed, &offset),
	    3);
	sl_sh_ok("p=$(ls .git/objects/pack/*.pack) && chmod u+w $p && "
		 "printf '\\377\\377\\377' | dd of=$p bs=1 seek=%lu "
		 "conv=notrunc 2>/dev/null",
		 offset + packed - 6);
	repo = gr_open(".");
	assert_int_equal(
	    sl_diff_commits(&list, repo, "HEAD~1", "HEAD", false, &err),
	    SL_EENV);
	assert_int_equal(list.n, 0);
	assert_non_null(
	    strstr(sl_error_message(&err), "cannot read the tree 'src/a'"));
	sl_error_release(&err);
	sl_repo_free(repo);
	/* git packs no malformed tree it walks to; named, it packs one. */
	commit_raw_tree("100644 no-terminator", 20, "worse");
	gr_rev(id, "worse^{tree}");
	sl_sh_ok("echo %s | git pack-objects -q .git/objects/pack/pack "
		 ">/dev/null && rm .git/objects/%.2s/%s",
		 id, id, id + 2);
	repo = gr_open(".");
	assert_int_equal(
	    sl_diff_commits(&list, repo, "HEAD", "worse", false, &err),
	    SL_EENV);
	assert_non_null(strstr(sl_error_message(&err), "is malformed"));
	sl_error_release(&err);
	sl_repo_free(repo);
	sl_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, gr_setup_repo, gr_teardown_repo)
	    T(treediff__adds_deletes_and_modifies_match_git),
	    T(treediff__exact_rename_across_directories_has_both_names),
	    T(treediff__rename_with_changed_content_needs_find_renames),
	    T(treediff__empty_files_are_not_paired_as_renames),
	    T(treediff__rename_pairs_prefer_the_same_base_name),
	    T(treediff__mode_change_is_modified),
	    T(treediff__file_and_symlink_swap_as_typechange),
	    T(treediff__file_and_directory_swap_as_delete_and_adds),
	    T(treediff__similarity_lists_a_typechanged_path_once),
	    T(treediff__submodules_count_and_are_flagged),
	    T(treediff__names_that_sort_tricky_match_git),
	    T(treediff__non_utf8_names_are_kept_as_bytes),
	    T(treediff__same_tree_is_an_empty_diff),
	    T(treediff__deep_tree_with_one_changed_leaf),
	    T(treediff__skips_unchanged_subtrees_unread),
	    T(treediff__missing_changed_tree_is_an_error),
	    T(treediff__malformed_tree_is_an_error),
	    T(treediff__non_canonical_modes_read_as_git_reads_them),
	    T(treediff__unknown_revision_is_an_error),
	    T(treediff__random_histories_match_git),
	    T(treediff__random_packed_histories_match_git),
	    T(treediff__damaged_packed_trees_are_errors),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
