/*
 * bench_diff.c: the diff benchmark's driver (bench/diff/run.sh). One
 * process does one thing, so that hyperfine times it end to end, start-up
 * included, as a user would see it:
 *
 *   bench_diff [--find-renames] REPO OLD NEW  sluice's diff of OLD..NEW,
 *       printed as `git diff --name-only --no-renames` prints it
 *   bench_diff --libgit2 REPO OLD NEW  the same names through libgit2's
 *       git_diff_tree_to_tree(), the walk sluice does not use
 *   bench_diff --startup sluice|plain REPO  open REPO and stop: through
 *       sl_repo_open(), or git_libgit2_init() + git_repository_open_ext()
 *       as any libgit2 program would (the CA bundle parsed)
 *
 * With SL_BENCH_RUSAGE set, peak RSS and CPU time go to stderr.
 */
#include "common/common.h"

#include <git2.h>
#include <sys/resource.h>

#include "selector/selector.h"

static int usage(void)
{
	fputs("usage: bench_diff [--find-renames | --libgit2] REPO OLD NEW\n"
	      "       bench_diff --startup sluice|plain REPO\n",
	      stderr);
	return 2;
}

static void report_rusage(void)
{
	struct rusage ru;

	if (!getenv("SL_BENCH_RUSAGE") || getrusage(RUSAGE_SELF, &ru))
		return;
	fprintf(stderr, "peak_rss_kib %ld user_ms %ld sys_ms %ld\n",
		ru.ru_maxrss,
		ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000,
		ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000);
}

static int fail(const struct sl_error *err)
{
	fprintf(stderr, "bench_diff: %s\n", sl_error_message(err));
	return 3;
}

static int sluice_diff(const char *dir, const char *old, const char *new,
		       bool find_renames)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_change_name *names = NULL;
	struct sl_repo *repo = NULL;
	size_t i, n;
	int ret;

	ret = sl_repo_open(&repo, dir, &err);
	if (!ret)
		ret =
		    sl_diff_commits(&list, repo, old, new, find_renames, &err);
	if (ret) {
		ret = fail(&err);
		goto out;
	}
	n = sl_change_list_names(&names, &list);
	for (i = 0; i < n; i++) {
		fwrite(names[i].path, 1, names[i].len, stdout);
		putchar('\n');
	}
out:
	free(names);
	sl_change_list_release(&list);
	sl_repo_free(repo);
	sl_error_release(&err);
	return ret;
}

static int tree_of(git_tree **out, git_repository *repo, const char *rev)
{
	git_object *obj = NULL;
	int ret = git_revparse_single(&obj, repo, rev);

	if (!ret)
		ret = git_object_peel((git_object **)out, obj, GIT_OBJECT_TREE);
	git_object_free(obj);
	return ret;
}

/* libgit2's own tree diff, printed the same way (deletions, then the
 * rest, each delta's names). */
static int libgit2_diff(const char *dir, const char *old, const char *new)
{
	git_repository *repo = NULL;
	git_tree *a = NULL, *b = NULL;
	git_diff *diff = NULL;
	size_t i;
	int ret;

	git_libgit2_init();
	ret = git_repository_open_ext(&repo, dir, 0, NULL);
	if (!ret)
		ret = tree_of(&a, repo, old);
	if (!ret)
		ret = tree_of(&b, repo, new);
	if (!ret)
		ret = git_diff_tree_to_tree(&diff, repo, a, b, NULL);
	for (i = 0; !ret && i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		puts(d->status == GIT_DELTA_DELETED ? d->old_file.path
						    : d->new_file.path);
	}
	if (ret)
		fprintf(stderr, "bench_diff: %s\n", git_error_last()->message);
	git_diff_free(diff);
	git_tree_free(a);
	git_tree_free(b);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return ret ? 3 : 0;
}

static int startup(const char *how, const char *dir)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo = NULL;
	git_repository *git = NULL;
	int ret;

	if (!strcmp(how, "sluice")) {
		ret = sl_repo_open(&repo, dir, &err) ? fail(&err) : 0;
		sl_repo_free(repo);
		sl_error_release(&err);
		return ret;
	}
	if (strcmp(how, "plain"))
		return usage();
	git_libgit2_init();
	ret = git_repository_open_ext(&git, dir, 0, NULL) ? 3 : 0;
	git_repository_free(git);
	git_libgit2_shutdown();
	return ret;
}

int main(int argc, char **argv)
{
	int ret;

	if (argc == 4 && !strcmp(argv[1], "--startup"))
		ret = startup(argv[2], argv[3]);
	else if (argc == 4 && argv[1][0] != '-')
		ret = sluice_diff(argv[1], argv[2], argv[3], false);
	else if (argc == 5 && !strcmp(argv[1], "--find-renames"))
		ret = sluice_diff(argv[2], argv[3], argv[4], true);
	else if (argc == 5 && !strcmp(argv[1], "--libgit2"))
		ret = libgit2_diff(argv[2], argv[3], argv[4]);
	else
		return usage();
	report_rusage();
	if (fflush(stdout) || ferror(stdout))
		ret = 3;
	return ret;
}
