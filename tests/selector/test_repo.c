/*
 * test_repo.c: opening a repository, reading files and trees at a commit,
 * resolving revisions and git config (selector/repo.c).
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

static const char *sandbox;

static int setup(void **state)
{
	(void)state;
	sandbox = sl_sandbox_enter();
	/* Never find a repository above the sandbox. */
	setenv("GIT_CEILING_DIRECTORIES", sandbox, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("GIT_CEILING_DIRECTORIES");
	sl_sandbox_leave();
	return 0;
}

/* A repository with a few files, a symbolic link and a submodule. */
static struct sl_repo *fixture(void)
{
	gr_init("r");
	assert_int_equal(chdir("r"), 0);
	gr_write("sluice.yml", "version: 1\n");
	gr_write("conf/signers", "ana@example.com ssh-ed25519 AAAA\n");
	gr_write("a/b/c.txt", "c\n");
	assert_int_equal(symlink("sluice.yml", "link.yml"), 0);
	gr_commit_all("one");
	sl_sh_ok("git update-index --add --cacheinfo "
		 "160000,1111111111111111111111111111111111111111,mod && "
		 "git commit -q -m sub");
	return gr_open(".");
}

static void repo__not_a_repository_says_what_to_do(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo = (struct sl_repo *)1;

	(void)state;
	assert_int_equal(sl_repo_open(&repo, NULL, &err), SL_EENV);
	assert_null(repo);
	assert_non_null(
	    strstr(sl_error_message(&err), "not a git repository: '"));
	assert_non_null(strstr(sl_error_message(&err), sandbox));
	assert_non_null(strstr(sl_error_message(&err), "pass -C DIR"));
	assert_int_equal(sl_repo_open(&repo, "/nonexistent/dir", &err),
			 SL_EENV);
	assert_string_equal(sl_error_message(&err),
			    "not a git repository: '/nonexistent/dir'; run "
			    "sluice inside a clone, or pass -C DIR");
	sl_error_release(&err);
}

static void repo__opens_from_a_subdirectory(void **state)
{
	struct sl_repo *repo;
	char real[PATH_MAX];
	struct sl_buf want = SL_BUF_INIT;

	(void)state;
	gr_init("r");
	sl_sh_ok("mkdir -p r/deep/er");
	repo = gr_open("r/deep/er");
	assert_non_null(realpath(sandbox, real));
	sl_buf_addf(&want, "%s/r", real);
	assert_string_equal(sl_repo_root(repo), want.buf);
	sl_buf_adds(&want, "/.git/");
	assert_string_equal(sl_repo_git_dir(repo), want.buf);
	assert_false(sl_repo_is_bare(repo));
	assert_false(sl_repo_is_shallow(repo));
	assert_int_equal(sl_repo_need_worktree(repo, "run", NULL), 0);
	sl_buf_release(&want);
	sl_repo_free(repo);
}

static void repo__bare_repository_reads_commits_but_has_no_root(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf blob = SL_BUF_INIT;
	struct sl_repo *repo;
	bool found;

	(void)state;
	sl_repo_free(fixture());
	assert_int_equal(chdir(".."), 0);
	sl_sh_ok("git clone -q --bare r bare.git");
	repo = gr_open("bare.git");
	assert_null(sl_repo_root(repo));
	assert_true(sl_repo_is_bare(repo));
	assert_int_equal(sl_repo_need_worktree(repo, "sluice run", &err),
			 SL_EENV);
	assert_non_null(strstr(sl_error_message(&err),
			       "sluice run needs a work tree, but '"));
	assert_non_null(strstr(sl_error_message(&err), "is a bare repository"));
	assert_int_equal(sl_repo_read_blob_at(&blob, &found, repo, "HEAD",
					      "sluice.yml", &err),
			 0);
	assert_true(found);
	assert_string_equal(blob.buf, "version: 1\n");
	sl_buf_release(&blob);
	sl_error_release(&err);
	sl_repo_free(repo);
}

static void repo__user_email_comes_from_git_config(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf email = SL_BUF_INIT;
	struct sl_repo *repo;
	bool found = true;

	(void)state;
	gr_init("r");
	repo = gr_open("r");
	assert_int_equal(sl_repo_user_email(&email, &found, repo, &err), 0);
	assert_false(found);
	assert_int_equal(email.len, 0);
	sl_repo_free(repo);

	sl_sh_ok("git -C r config user.email ana@example.com");
	repo = gr_open("r");
	assert_int_equal(sl_repo_user_email(&email, &found, repo, &err), 0);
	assert_true(found);
	assert_string_equal(email.buf, "ana@example.com");
	sl_repo_free(repo);

	sl_buf_reset(&email);
	sl_sh_ok("git -C r config user.email ''");
	repo = gr_open("r");
	assert_int_equal(sl_repo_user_email(&email, &found, repo, &err), 0);
	assert_false(found);
	sl_repo_free(repo);

	/* GIT_CONFIG_GLOBAL replaces ~/.gitconfig, as git reads it. */
	sl_sh_ok("git -C r config --unset user.email");
	gr_write("global.cfg", "[user]\n\temail = global@example.com\n");
	gr_write(".gitconfig", "[user]\n\temail = home@example.com\n");
	setenv("GIT_CONFIG_GLOBAL", "global.cfg", 1);
	repo = gr_open("r");
	assert_int_equal(sl_repo_user_email(&email, &found, repo, &err), 0);
	assert_true(found);
	assert_string_equal(email.buf, "global@example.com");
	sl_repo_free(repo);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	sl_buf_release(&email);
	sl_error_release(&err);
}

static void repo__read_blob_at_reads_the_committed_content(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf blob = SL_BUF_INIT;
	struct sl_repo *repo = fixture();
	char head[SL_OID_HEXSZ + 1];
	bool found = false;

	(void)state;
	gr_write("sluice.yml", "changed in the work tree\n");
	gr_rev(head, "HEAD");
	assert_int_equal(
	    sl_repo_read_blob_at(&blob, &found, repo, head, "sluice.yml", &err),
	    0);
	assert_true(found);
	assert_string_equal(blob.buf, "version: 1\n");
	sl_buf_reset(&blob);
	assert_int_equal(sl_repo_read_blob_at(&blob, &found, repo, "HEAD~1",
					      "conf/signers", &err),
			 0);
	assert_true(found);
	assert_string_equal(blob.buf, "ana@example.com ssh-ed25519 AAAA\n");
	sl_buf_release(&blob);
	sl_error_release(&err);
	sl_repo_free(repo);
}

static void repo__absent_path_is_not_found_not_an_error(void **state)
{
	static const char *const absent[] = {
	    "nope.yml", "a/nope", "a/b/c.txt/x", "sluice.yml/x", "zz/top"};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf blob = SL_BUF_INIT;
	struct sl_repo *repo = fixture();
	char id[SL_OID_HEXSZ + 1];
	bool found;
	size_t i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(absent); i++) {
		found = true;
		assert_int_equal(sl_repo_read_blob_at(&blob, &found, repo,
						      "HEAD", absent[i], &err),
				 0);
		assert_false(found);
		assert_int_equal(blob.len, 0);
		found = true;
		assert_int_equal(sl_repo_blob_id_at(id, &found, repo, "HEAD",
						    absent[i], &err),
				 0);
		assert_false(found);
	}
	sl_buf_release(&blob);
	sl_error_release(&err);
	sl_repo_free(repo);
}

static void repo__directories_links_and_submodules_are_not_files(void **state)
{
	static const char *const cases[][2] = {
	    {"a/b", "is a directory"},
	    {"link.yml", "is a symbolic link"},
	    {"mod", "is a submodule"},
	    {"/sluice.yml", "bad repository path"},
	    {"a/", "bad repository path"},
	    {"", "bad repository path"},
	};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf blob = SL_BUF_INIT;
	struct sl_repo *repo = fixture();
	bool found;
	size_t i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(cases); i++) {
		assert_true(sl_repo_read_blob_at(&blob, &found, repo, "HEAD",
						 cases[i][0], &err) < 0);
		assert_false(found);
		if (!strstr(sl_error_message(&err), cases[i][1]))
			fail_msg("'%s': %s", cases[i][0],
				 sl_error_message(&err));
	}
	sl_buf_release(&blob);
	sl_error_release(&err);
	sl_repo_free(repo);
}

static void repo__missing_objects_are_errors_not_absent(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf blob = SL_BUF_INIT;
	struct sl_repo *repo = fixture();
	char id[SL_OID_HEXSZ + 1];
	bool found = true;

	(void)state;
	gr_rev(id, "HEAD:sluice.yml");
	sl_sh_ok("rm -f .git/objects/%.2s/%s", id, id + 2);
	assert_int_equal(sl_repo_read_blob_at(&blob, &found, repo, "HEAD",
					      "sluice.yml", &err),
			 SL_EENV);
	assert_false(found);
	assert_non_null(strstr(sl_error_message(&err), "git fsck"));

	gr_rev(id, "HEAD:a/b");
	sl_sh_ok("rm -f .git/objects/%.2s/%s", id, id + 2);
	found = true;
	assert_int_equal(
	    sl_repo_blob_id_at(id, &found, repo, "HEAD", "a/b/c.txt", &err),
	    SL_EENV);
	assert_false(found);
	assert_non_null(strstr(sl_error_message(&err), "'a/b'"));
	sl_buf_release(&blob);
	sl_error_release(&err);
	sl_repo_free(repo);
}

static void repo__blob_id_is_gits(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo = fixture();
	char ours[SL_OID_HEXSZ + 1], gits[SL_OID_HEXSZ + 1];
	bool found = false;

	(void)state;
	assert_int_equal(
	    sl_repo_blob_id_at(ours, &found, repo, "HEAD", "a/b/c.txt", &err),
	    0);
	assert_true(found);
	gr_rev(gits, "HEAD:a/b/c.txt");
	assert_string_equal(ours, gits);
	sl_error_release(&err);
	sl_repo_free(repo);
}

static void repo__list_files_is_ls_tree(void **state)
{
	struct sl_file_list files = SL_FILE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf git = SL_BUF_INIT, ours = SL_BUF_INIT;
	struct sl_repo *repo = fixture();
	size_t i;

	(void)state;
	gr_write("a.b", "x\n");
	gr_write("a-b/c", "x\n");
	gr_write("a0", "x\n");
	gr_write("caf\xe9", "x\n");
	/* Not `git add -A`: it would drop the submodule, which has no
	 * directory here. */
	sl_sh_ok("git add a.b a-b a0 caf* && git commit -q -m more");
	assert_int_equal(sl_repo_list_files(&files, repo, "HEAD", &err), 0);
	for (i = 0; i < files.n; i++) {
		assert_int_equal(strlen(files.items[i].path),
				 files.items[i].len);
		sl_buf_add(&ours, files.items[i].path, files.items[i].len + 1);
		assert_int_equal(files.items[i].gitlink,
				 !strcmp(files.items[i].path, "mod"));
		if (!strcmp(files.items[i].path, "link.yml"))
			assert_int_equal(files.items[i].mode, 0120000);
	}
	assert_int_equal(sl_sh_capture(&git, "git ls-tree -r -z --name-only "
					     "HEAD"),
			 0);
	assert_int_equal(ours.len, git.len);
	assert_memory_equal(ours.buf, git.buf, git.len);
	sl_file_list_release(&files);
	sl_buf_release(&git);
	sl_buf_release(&ours);
	sl_error_release(&err);
	sl_repo_free(repo);
}

static void repo__resolve_commit_names_what_is_missing(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo = fixture();
	char ours[SL_OID_HEXSZ + 1], gits[SL_OID_HEXSZ + 1];

	(void)state;
	assert_int_equal(sl_repo_resolve_commit(ours, repo, "HEAD~1", &err), 0);
	gr_rev(gits, "HEAD~1");
	assert_string_equal(ours, gits);
	assert_int_equal(sl_repo_resolve_commit(ours, repo, "v9", &err),
			 SL_EENV);
	assert_string_equal(sl_error_message(&err),
			    "commit 'v9' not found: no such branch, tag or "
			    "commit in this clone; fetch it (git fetch origin "
			    "v9) or name another");
	assert_int_equal(
	    sl_repo_resolve_commit(
		ours, repo, "1234567890123456789012345678901234567890", &err),
	    SL_EENV);
	assert_non_null(
	    strstr(sl_error_message(&err),
		   "commit '1234567890123456789012345678901234567890'"
		   " is not in this clone; fetch it (git fetch"));
	assert_int_equal(
	    sl_repo_resolve_commit(
		ours, repo, "0000000000000000000000000000000000000000", &err),
	    SL_EENV);
	assert_non_null(strstr(sl_error_message(&err), "all-zero"));
	assert_int_equal(sl_repo_resolve_commit(ours, repo, "HEAD:a", &err),
			 SL_EENV);
	assert_string_equal(sl_error_message(&err),
			    "commit 'HEAD:a' names a tree, not a commit");
	assert_int_equal(sl_repo_resolve_commit(ours, repo, "", &err),
			 SL_EUSAGE);
	sl_error_release(&err);
	sl_repo_free(repo);
}

static void repo__large_files_are_refused(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf blob = SL_BUF_INIT;
	struct sl_repo *repo;
	bool found;

	(void)state;
	gr_init("r");
	assert_int_equal(chdir("r"), 0);
	sl_sh_ok("truncate -s %u big && git add big && git commit -q -m big",
		 SL_REPO_BLOB_MAX + 1);
	repo = gr_open(".");
	assert_int_equal(
	    sl_repo_read_blob_at(&blob, &found, repo, "HEAD", "big", &err),
	    SL_EUSAGE);
	assert_false(found);
	assert_int_equal(blob.len, 0);
	assert_non_null(strstr(sl_error_message(&err), "past sluice's limit"));
	sl_buf_release(&blob);
	sl_error_release(&err);
	sl_repo_free(repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(repo__not_a_repository_says_what_to_do),
	    T(repo__opens_from_a_subdirectory),
	    T(repo__bare_repository_reads_commits_but_has_no_root),
	    T(repo__user_email_comes_from_git_config),
	    T(repo__read_blob_at_reads_the_committed_content),
	    T(repo__absent_path_is_not_found_not_an_error),
	    T(repo__directories_links_and_submodules_are_not_files),
	    T(repo__missing_objects_are_errors_not_absent),
	    T(repo__blob_id_is_gits),
	    T(repo__list_files_is_ls_tree),
	    T(repo__resolve_commit_names_what_is_missing),
	    T(repo__large_files_are_refused),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
