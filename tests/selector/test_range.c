/*
 * test_range.c: choosing base and head, the merge-base, missing bases and
 * the run-all fallback, and sl_diff_run() as a whole (selector/range.c).
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
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_sandbox_leave();
	return 0;
}

/*
 * main: m1 (root) - m2 - m3, and feature branching from m2 with f1 - f2.
 * Leaves the feature branch checked out, in directory r.
 */
static void diverged(void)
{
	gr_init("r");
	assert_int_equal(chdir("r"), 0);
	/* One shell for all of it: the tests spend their time in fork(). */
	sl_sh_ok("echo 1 > shared.txt && git add -A && git commit -q -m m1 && "
		 "echo 2 > shared.txt && git commit -q -am m2 && "
		 "git branch feature && "
		 "echo main > main-only.txt && git add -A && "
		 "git commit -q -m m3 && git checkout -q feature && "
		 "mkdir feature && echo f1 > feature/a.txt && git add -A && "
		 "git commit -q -m f1 && echo f2 > feature/b.txt && "
		 "git add -A && git commit -q -m f2");
}

/* sl_diff_run() that must succeed. */
static struct sl_diff *run(struct sl_repo *repo,
			   const struct sl_diff_options *opts)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_diff *d = NULL;

	if (sl_diff_run(&d, repo, opts, &err))
		fail_msg("sl_diff_run: %s", sl_error_message(&err));
	sl_error_release(&err);
	return d;
}

/* sl_diff_run() that must fail with status and a message holding each
 * of the NULL-terminated fragments. */
static void run_fails(struct sl_repo *repo, const struct sl_diff_options *opts,
		      int status, ...)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_diff *d = (struct sl_diff *)1;
	const char *frag;
	va_list ap;

	assert_int_equal(sl_diff_run(&d, repo, opts, &err), status);
	assert_null(d);
	va_start(ap, status);
	while ((frag = va_arg(ap, const char *)))
		if (!strstr(sl_error_message(&err), frag))
			fail_msg("'%s' not in: %s", frag,
				 sl_error_message(&err));
	va_end(ap);
	sl_error_release(&err);
}

/* The same options with run-all: degraded, with head and no changes. */
static void run_degrades(struct sl_repo *repo,
			 const struct sl_diff_options *opts)
{
	struct sl_diff_options o = *opts;
	char head[SL_OID_HEXSZ + 1];
	struct sl_diff *d;

	o.run_all_if_missing_base = true;
	d = run(repo, &o);
	assert_string_equal(d->degraded, "base_unavailable");
	assert_non_null(d->degraded_reason);
	assert_true(strlen(d->degraded_reason) > 20);
	assert_string_equal(d->base, "");
	assert_string_equal(d->merge_base, "");
	assert_int_equal(d->changes.n, 0);
	gr_rev(head, o.head ? o.head : "HEAD");
	assert_string_equal(d->head, head);
	sl_diff_free(d);
}

static void range__diff_starts_at_the_merge_base(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	char id[SL_OID_HEXSZ + 1];
	struct sl_repo *repo;
	struct sl_diff *d;

	(void)state;
	diverged();
	repo = gr_open(".");
	opts.base = "main";
	d = run(repo, &opts);
	gr_assert_changes(&d->changes, "A feature/a.txt\nA feature/b.txt\n");
	gr_assert_like_git(&d->changes, "main...HEAD --");
	gr_rev(id, "main");
	assert_string_equal(d->base, id);
	gr_rev(id, "main~1");
	assert_string_equal(d->merge_base, id);
	gr_rev(id, "HEAD");
	assert_string_equal(d->head, id);
	assert_string_equal(d->base_rev, "main");
	assert_string_equal(d->head_rev, "HEAD");
	assert_int_equal(d->base_source, SL_BASE_OPTION);
	assert_null(d->degraded);
	sl_diff_free(d);
	sl_repo_free(repo);
}

static void range__no_merge_base_diffs_base_directly(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	struct sl_repo *repo;
	struct sl_diff *d;

	(void)state;
	diverged();
	repo = gr_open(".");
	opts.base = "main";
	opts.head = "feature";
	opts.no_merge_base = true;
	d = run(repo, &opts);
	gr_assert_changes(
	    &d->changes, "A feature/a.txt\nA feature/b.txt\nD main-only.txt\n");
	gr_assert_like_git(&d->changes, "main feature --");
	assert_string_equal(d->merge_base, d->base);
	assert_string_equal(d->head_rev, "feature");
	sl_diff_free(d);
	sl_repo_free(repo);
}

/* The base named by each default, most specific first. */
static void expect_base(struct sl_repo *repo, enum sl_base_source source,
			const char *rev)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	char id[SL_OID_HEXSZ + 1];
	struct sl_diff *d = run(repo, &opts);

	assert_int_equal(d->base_source, source);
	assert_string_equal(d->base_rev, rev);
	gr_rev(id, rev);
	assert_string_equal(d->base, id);
	sl_diff_free(d);
}

static void range__base_defaults_in_spec_order(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	struct sl_repo *repo;
	struct sl_diff *d;

	(void)state;
	gr_init("r");
	assert_int_equal(chdir("r"), 0);
	sl_sh_ok("for i in 0 1 2 3 4 5; do echo $i > f && git add f && "
		 "git commit -q -m c$i || exit 1; done");
	sl_sh_ok("git branch -m main master && git branch main HEAD~1 && "
		 "git remote add origin https://example.invalid/r.git && "
		 "git update-ref refs/remotes/origin/main HEAD~2 && "
		 "git update-ref refs/remotes/origin/up HEAD~3 && "
		 "git symbolic-ref refs/remotes/origin/HEAD "
		 "refs/remotes/origin/main && "
		 "git checkout -q -b work && git branch -q -u origin/up");
	repo = gr_open(".");
	setenv("SLUICE_BASE", "HEAD~4", 1);
	expect_base(repo, SL_BASE_ENV, "HEAD~4");
	setenv("SLUICE_BASE", "", 1); /* empty: as if unset */
	expect_base(repo, SL_BASE_UPSTREAM, "origin/up");
	unsetenv("SLUICE_BASE");
	opts.base = "HEAD~5"; /* --base before all of them */
	d = run(repo, &opts);
	assert_int_equal(d->base_source, SL_BASE_OPTION);
	sl_diff_free(d);
	sl_sh_ok("git branch -q --unset-upstream");
	expect_base(repo, SL_BASE_ORIGIN_HEAD, "origin/HEAD");
	sl_sh_ok("git symbolic-ref --delete refs/remotes/origin/HEAD");
	expect_base(repo, SL_BASE_MAIN, "main");
	sl_sh_ok("git branch -q -D main");
	expect_base(repo, SL_BASE_MASTER, "master");
	sl_sh_ok("git branch -q -D master");
	opts.base = NULL;
	run_fails(repo, &opts, SL_EENV, "no base to diff against",
		  "pass --base REV or set SLUICE_BASE",
		  "--if-missing-base=run-all", NULL);
	run_degrades(repo, &opts);
	sl_repo_free(repo);
}

/* The upstream is found as git finds it: config, then fetch refspecs. */
static void range__upstream_follows_the_fetch_refspecs(void **state)
{
	struct sl_repo *repo;

	(void)state;
	diverged();
	sl_sh_ok("git remote add origin https://example.invalid/r.git && "
		 "git config --replace-all remote.origin.fetch "
		 "'+refs/heads/*:refs/remotes/mirror/*' && "
		 "git update-ref refs/remotes/mirror/trunk main~1 && "
		 "git config branch.feature.remote origin && "
		 "git config branch.feature.merge refs/heads/trunk");
	repo = gr_open(".");
	expect_base(repo, SL_BASE_UPSTREAM, "mirror/trunk");
	/* An upstream never fetched is no upstream: the next default. */
	sl_sh_ok("git config branch.feature.merge refs/heads/gone");
	expect_base(repo, SL_BASE_MAIN, "main");
	/* A local branch as upstream (remote "."). */
	sl_sh_ok("git branch -q -u main");
	expect_base(repo, SL_BASE_UPSTREAM, "main");
	sl_repo_free(repo);
}

/*
 * After `git push -u`, a branch's upstream is its own copy on the remote;
 * diffing against it would show only unpushed commits, not the pull
 * request. The default branch is the base then; an upstream that names
 * another branch (--track origin/main) still is one.
 */
static void range__own_remote_copy_is_not_the_base(void **state)
{
	struct sl_repo *repo;

	(void)state;
	diverged();
	sl_sh_ok("git init -q --bare ../remote.git && "
		 "git remote add origin ../remote.git && "
		 "git push -q origin main && git push -q -u origin feature && "
		 "git remote set-head origin main");
	repo = gr_open(".");
	expect_base(repo, SL_BASE_ORIGIN_HEAD, "origin/HEAD");
	sl_sh_ok("git branch -q -u origin/main");
	expect_base(repo, SL_BASE_UPSTREAM, "origin/main");
	sl_repo_free(repo);
}

static void range__upstream_names_the_base_in_errors(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	struct sl_repo *repo;

	(void)state;
	diverged();
	/* An upstream whose commit is not in the object store. */
	sl_sh_ok("git remote add origin https://example.invalid/r.git");
	sl_write_text(".git/refs/remotes/origin/trunk",
		      "1234567890123456789012345678901234567890\n");
	sl_sh_ok("git config branch.feature.remote origin && "
		 "git config branch.feature.merge refs/heads/trunk");
	repo = gr_open(".");
	run_fails(repo, &opts, SL_EENV, "base 'origin/trunk'",
		  "(the base came from upstream)", NULL);
	run_degrades(repo, &opts);
	sl_repo_free(repo);
}

/*
 * A default base whose ref cannot be read is an error, not "absent": no
 * other base is picked in its place, and run-all does not hide it.
 */
static void range__damaged_default_ref_is_an_error(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	struct sl_repo *repo;

	(void)state;
	diverged();
	sl_sh_ok("git branch -q master main");
	sl_write_text(".git/refs/heads/main", "garbage\n");
	repo = gr_open(".");
	run_fails(repo, &opts, SL_EENV, "cannot read the ref 'main'",
		  "pass --base REV", "corrupted", NULL);
	opts.run_all_if_missing_base = true;
	run_fails(repo, &opts, SL_EENV, "cannot read the ref 'main'", NULL);
	sl_repo_free(repo);
}

/* The same for the upstream: a damaged one is not "never fetched". */
static void range__damaged_upstream_ref_is_an_error(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	struct sl_repo *repo;

	(void)state;
	diverged();
	sl_sh_ok("git remote add origin https://example.invalid/r.git && "
		 "git config branch.feature.remote origin && "
		 "git config branch.feature.merge refs/heads/trunk && "
		 "mkdir -p .git/refs/remotes/origin");
	sl_write_text(".git/refs/remotes/origin/trunk", "garbage\n");
	repo = gr_open(".");
	run_fails(repo, &opts, SL_EENV,
		  "cannot read 'refs/remotes/origin/trunk', the upstream of "
		  "branch 'feature'",
		  NULL);
	opts.run_all_if_missing_base = true;
	run_fails(repo, &opts, SL_EENV, "the upstream of branch", NULL);
	sl_repo_free(repo);
}

static void range__unknown_base_says_how_to_fetch_it(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	struct sl_repo *repo;

	(void)state;
	diverged();
	sl_sh_ok("git remote add origin https://example.invalid/r.git");
	repo = gr_open(".");
	opts.base = "origin/release";
	run_fails(repo, &opts, SL_EENV,
		  "base 'origin/release' not found: no such branch, tag or "
		  "commit in this clone; fetch it (git fetch origin release)",
		  "--if-missing-base=run-all", NULL);
	run_degrades(repo, &opts);
	opts.base = "v1.0";
	run_fails(repo, &opts, SL_EENV, "(git fetch origin v1.0)", NULL);
	opts.base = "1234567890abcdef1234567890abcdef12345678";
	run_fails(repo, &opts, SL_EENV,
		  "base commit '1234567890abcdef1234567890abcdef12345678' is "
		  "not in this clone",
		  "fetch-depth: 0", NULL);
	run_degrades(repo, &opts);
	sl_repo_free(repo);
}

static void range__shallow_clone_missing_the_base(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	char old[SL_OID_HEXSZ + 1];
	struct sl_repo *repo;

	(void)state;
	diverged();
	gr_rev(old, "main~2");
	assert_int_equal(chdir(".."), 0);
	sl_sh_ok("git clone -q --depth 1 --no-single-branch \"file://$PWD/r\" "
		 "shallow");
	repo = gr_open("shallow");
	assert_true(sl_repo_is_shallow(repo));
	assert_int_equal(chdir("shallow"), 0);
	opts.base = old;
	run_fails(repo, &opts, SL_EENV, "base '", old,
		  "is not in this shallow clone", "git fetch --deepen=N",
		  "fetch-depth: 0", NULL);
	run_degrades(repo, &opts);

	/* A name that is nowhere: fetching it, not deepening, is the way. */
	opts.base = "origin/nope";
	run_fails(repo, &opts, SL_EENV,
		  "base 'origin/nope' not found: no such branch, tag or commit "
		  "in this clone; fetch it (git fetch origin nope)",
		  NULL);

	/* Both tips are there, but not the commit where they meet. */
	opts.base = "origin/main";
	run_fails(repo, &opts, SL_EENV,
		  "cannot find the merge-base of base 'origin/main'",
		  "in this shallow clone", "fetch-depth: 0", NULL);
	run_degrades(repo, &opts);
	sl_repo_free(repo);
}

/* Within the fetched depth the merge-base is git's, boundary and all. */
static void range__shallow_clone_finds_a_merge_base_within_depth(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	char id[SL_OID_HEXSZ + 1];
	struct sl_buf git = SL_BUF_INIT;
	struct sl_repo *repo;
	struct sl_diff *d;

	(void)state;
	gr_init("r");
	sl_sh_ok("cd r && for i in 1 2 3 4 5 6; do echo $i > f && git add f "
		 "&& git commit -q -m m$i || exit 1; done && "
		 "git checkout -q -b feature HEAD~1 && echo x > x && "
		 "git add x && git commit -q -m f1 && git checkout -q main && "
		 "echo 7 > f && git commit -q -am m7 && "
		 "git merge -q --no-edit feature && echo 8 > f && "
		 "git commit -q -am m8 && git checkout -q feature && "
		 "echo y > x && git commit -q -am f2");
	sl_sh_ok("git clone -q --depth 4 --no-single-branch \"file://$PWD/r\" "
		 "shallow");
	assert_int_equal(chdir("shallow"), 0);
	repo = gr_open(".");
	assert_true(sl_repo_is_shallow(repo));
	opts.base = "origin/main";
	opts.head = "origin/feature";
	d = run(repo, &opts);
	assert_int_equal(sl_sh_capture(&git, "git merge-base origin/main "
					     "origin/feature"),
			 0);
	gr_rev(id, "origin/feature~1");
	assert_memory_equal(git.buf, id, SL_OID_HEXSZ);
	assert_string_equal(d->merge_base, id);
	gr_assert_changes(&d->changes, "M x\n");
	sl_diff_free(d);
	sl_buf_release(&git);
	sl_repo_free(repo);
}

static void range__all_zero_base_is_refused(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	struct sl_repo *repo;

	(void)state;
	diverged();
	repo = gr_open(".");
	setenv("SLUICE_BASE", "0000000000000000000000000000000000000000", 1);
	run_fails(repo, &opts, SL_EENV, "is the all-zero id",
		  "(the base came from SLUICE_BASE)", NULL);
	run_degrades(repo, &opts);
	unsetenv("SLUICE_BASE");
	sl_repo_free(repo);
}

static void range__unrelated_histories_have_no_merge_base(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	struct sl_repo *repo;
	struct sl_diff *d;

	(void)state;
	diverged();
	sl_sh_ok("git checkout -q --orphan other && git rm -q -rf . && "
		 "echo other > other.txt && git add other.txt && "
		 "git commit -q -m other");
	repo = gr_open(".");
	opts.base = "main";
	run_fails(repo, &opts, SL_EENV, "no merge-base between base 'main'",
		  "unrelated histories", "--no-merge-base", NULL);
	run_degrades(repo, &opts);
	opts.no_merge_base = true;
	d = run(repo, &opts);
	gr_assert_like_git(&d->changes, "main HEAD --");
	sl_diff_free(d);
	sl_repo_free(repo);
}

static void range__head_must_resolve_even_with_run_all(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	struct sl_repo *repo;

	(void)state;
	gr_init("r");
	repo = gr_open("r");
	assert_int_equal(chdir("r"), 0);
	opts.base = "main";
	opts.run_all_if_missing_base = true;
	run_fails(repo, &opts, SL_EENV, "head 'HEAD' has no commit yet",
		  "pass --head REV", NULL);
	gr_commit_all("one");
	opts.head = "nope";
	run_fails(repo, &opts, SL_EENV, "head 'nope' not found", NULL);
	opts.head = "";
	run_fails(repo, &opts, SL_EUSAGE, "--head is empty", NULL);
	opts.head = NULL;
	opts.base = "";
	run_fails(repo, &opts, SL_EUSAGE, "--base is empty", NULL);
	sl_repo_free(repo);
}

static void range__paths_from_replaces_the_diff(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	struct sl_repo *repo;
	struct sl_diff *d;

	(void)state;
	diverged();
	repo = gr_open(".");
	gr_write("../list", "z/one\na/two\n");
	opts.base = "main";
	opts.paths_from = "../list";
	d = run(repo, &opts);
	assert_true(d->from_paths);
	gr_assert_changes(&d->changes, "M a/two\nM z/one\n");
	assert_int_equal(strlen(d->merge_base), SL_OID_HEXSZ);
	sl_diff_free(d);

	/* The list does not depend on the base: kept when degraded. */
	opts.base = "nope";
	opts.run_all_if_missing_base = true;
	d = run(repo, &opts);
	assert_string_equal(d->degraded, "base_unavailable");
	assert_int_equal(d->changes.n, 2);
	sl_diff_free(d);

	opts.worktree = true;
	run_fails(repo, &opts, SL_EUSAGE, "cannot be used together", NULL);
	opts.worktree = false;
	opts.paths_from = "../no-such-list";
	run_fails(repo, &opts, SL_EENV, "cannot open '../no-such-list'", NULL);
	sl_repo_free(repo);
}

static void range__worktree_adds_the_working_copy(void **state)
{
	struct sl_diff_options opts = SL_DIFF_OPTIONS_INIT;
	struct sl_repo *repo;
	struct sl_diff *d;

	(void)state;
	diverged();
	gr_write("feature/a.txt", "edited\n");
	gr_write("untracked.txt", "u\n");
	repo = gr_open(".");
	opts.base = "main";
	opts.worktree = true;
	d = run(repo, &opts);
	assert_true(d->worktree);
	gr_assert_changes(&d->changes, "A feature/a.txt\nA feature/b.txt\n"
				       "A untracked.txt\n");
	sl_diff_free(d);
	sl_repo_free(repo);
}

static void range__base_source_names(void **state)
{
	(void)state;
	assert_string_equal(sl_base_source_name(SL_BASE_OPTION), "--base");
	assert_string_equal(sl_base_source_name(SL_BASE_ENV), "SLUICE_BASE");
	assert_string_equal(sl_base_source_name(SL_BASE_UPSTREAM), "upstream");
	assert_string_equal(sl_base_source_name(SL_BASE_ORIGIN_HEAD),
			    "origin/HEAD");
	assert_string_equal(sl_base_source_name(SL_BASE_MAIN), "main");
	assert_string_equal(sl_base_source_name(SL_BASE_MASTER), "master");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(range__diff_starts_at_the_merge_base),
	    T(range__no_merge_base_diffs_base_directly),
	    T(range__base_defaults_in_spec_order),
	    T(range__upstream_follows_the_fetch_refspecs),
	    T(range__own_remote_copy_is_not_the_base),
	    T(range__upstream_names_the_base_in_errors),
	    T(range__damaged_default_ref_is_an_error),
	    T(range__damaged_upstream_ref_is_an_error),
	    T(range__unknown_base_says_how_to_fetch_it),
	    T(range__shallow_clone_missing_the_base),
	    T(range__shallow_clone_finds_a_merge_base_within_depth),
	    T(range__all_zero_base_is_refused),
	    T(range__unrelated_histories_have_no_merge_base),
	    T(range__head_must_resolve_even_with_run_all),
	    T(range__paths_from_replaces_the_diff),
	    T(range__worktree_adds_the_working_copy),
	    cmocka_unit_test(range__base_source_names),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
