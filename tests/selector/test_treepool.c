/*
 * test_treepool.c: one tree walk shared by two threads (selector/
 * treewalk.c's hand-overs, selector/treepool.c's pool). A helper that
 * waits from the start makes the walker hand over at every chance, so
 * these diffs split as often as they can; each must still be exactly the
 * one-thread walk's (and git's), errors included, and no thread may be
 * left waiting.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <pthread.h>

#include "selector/internal.h"
#include "tests/selector/gitref.h"
#include "tests/support/sandbox.h"

static int setup(void **state)
{
	(void)state;
	sl_sandbox_enter();
	gr_init(".");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_sandbox_leave();
	return 0;
}

struct helper {
	pthread_t thread;
	struct sl_walk_pool *pool;
	const char *git_dir;
};

static void *help(void *data)
{
	struct helper *h = data;

	sl_walk_pool_help(h->pool, h->git_dir);
	return NULL;
}

/* Starts a helper on pool and waits until it waits for work. */
static void start_helper(struct helper *h, struct sl_walk_pool *pool,
			 const char *git_dir)
{
	h->pool = pool;
	h->git_dir = git_dir;
	assert_int_equal(pthread_create(&h->thread, NULL, help, h), 0);
	while (!sl_walk_pool_wanted(pool))
		sched_yield();
}

/*
 * Diffs old..new with a helper waiting from the start; returns the status,
 * the changes in out, and how many parts were handed over.
 */
static int shared_diff(struct sl_change_list *out, size_t *handed,
		       struct sl_repo *repo, const char *old_rev,
		       const char *new_rev, struct sl_error *err)
{
	struct sl_walk_pool *pool;
	struct helper h;
	struct sl_commit_pair pair = {old_rev, new_rev, false, NULL};
	int ret;

	sl_walk_pool_new(&pool);
	pair.pool = pool;
	start_helper(&h, pool, sl_repo_git_dir(repo));
	ret = sl_diff_commit_pair(out, repo, &pair, err);
	sl_walk_pool_close(pool);
	assert_int_equal(pthread_join(h.thread, NULL), 0);
	*handed = sl_walk_pool_handed(pool);
	sl_walk_pool_free(pool);
	return ret;
}

static void assert_same_changes(const struct sl_change_list *a,
				const struct sl_change_list *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		const struct sl_change *x = &a->items[i], *y = &b->items[i];

		assert_string_equal(x->path, y->path);
		assert_int_equal(x->status, y->status);
		assert_int_equal(x->old_mode, y->old_mode);
		assert_int_equal(x->new_mode, y->new_mode);
		assert_string_equal(x->old_id, y->old_id);
		assert_string_equal(x->new_id, y->new_id);
		assert_true(!x->old_path == !y->old_path);
		if (x->old_path)
			assert_string_equal(x->old_path, y->old_path);
	}
}

/* Directory and file names that sort tricky in git's tree order. */
static const char *const names[] = {"a", "a.b", "a-b", "a0", "b",
				    "z", "A",	"a_b", "x.y"};

static void random_path(struct sl_buf *out, unsigned depth)
{
	unsigned i;

	sl_buf_reset(out);
	for (i = 0; i < depth; i++)
		sl_buf_addf(out, "%s%s", i ? "/" : "",
			    names[gr_rnd(SL_ARRAY_SIZE(names))]);
	sl_buf_addf(out, "/f%u", gr_rnd(4));
}

/* A tree of many directories: every part of a walk can be handed over. */
static void write_wide_tree(void)
{
	struct sl_buf path = SL_BUF_INIT;
	unsigned i;

	for (i = 0; i < 300; i++) {
		random_path(&path, 1 + gr_rnd(3));
		gr_write(path.buf, "base\n");
	}
	sl_buf_release(&path);
}

/* Changes, adds, deletes (whole directories too) and moves files. */
static void random_edits(unsigned n)
{
	struct sl_buf path = SL_BUF_INIT;
	unsigned i;

	for (i = 0; i < n; i++) {
		random_path(&path, 1 + gr_rnd(3));
		switch (gr_rnd(4)) {
		case 0:
			gr_remove(path.buf);
			break;
		case 1: /* a whole directory */
			*strrchr(path.buf, '/') = '\0';
			gr_remove(path.buf);
			break;
		default: /* no name is both a file and a directory */
			gr_write(path.buf, gr_rnd(2) ? "one\n" : "two\n");
		}
	}
	sl_buf_release(&path);
}

static void treepool__shared_walks_equal_the_walk_alone(void **state)
{
	enum { COMMITS = 8 };
	char ids[COMMITS + 1][SL_OID_HEXSZ + 1];
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo;
	size_t handed, total = 0;
	unsigned c;

	(void)state;
	gr_seed(20261204);
	write_wide_tree();
	gr_commit_all("base");
	gr_rev(ids[0], "HEAD");
	for (c = 1; c <= COMMITS; c++) {
		random_edits(5 + gr_rnd(60));
		gr_commit_all("random");
		gr_rev(ids[c], "HEAD");
	}
	repo = gr_open(".");
	for (c = 1; c <= COMMITS; c++) {
		const char *old = ids[gr_rnd(c)], *new = ids[c];
		struct sl_change_list alone = SL_CHANGE_LIST_INIT;
		struct sl_change_list shared = SL_CHANGE_LIST_INIT;
		struct sl_buf args = SL_BUF_INIT;

		assert_int_equal(
		    sl_diff_commits(&alone, repo, old, new, false, &err), 0);
		assert_int_equal(
		    shared_diff(&shared, &handed, repo, old, new, &err), 0);
		assert_same_changes(&shared, &alone);
		sl_buf_addf(&args, "%s %s", old, new);
		gr_assert_like_git(&shared, args.buf);
		total += handed;
		sl_buf_release(&args);
		sl_change_list_release(&alone);
		sl_change_list_release(&shared);
	}
	/* The point of the test: the walks were split, many times. */
	assert_true(total >= COMMITS);
	sl_repo_free(repo);
	sl_error_release(&err);
}

/* Deletes the loose object of rev's tree at path, leaving the others. */
static void remove_tree_object(const char *treeish)
{
	char id[SL_OID_HEXSZ + 1];

	gr_rev(id, treeish);
	sl_sh_ok("rm -f .git/objects/%.2s/%s", id, id + 2);
}

static void treepool__a_handed_part_that_fails_fails_the_diff(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo;
	size_t handed;
	unsigned i;

	(void)state;
	/* Root entries d0..d9, each a directory: after d0 the walker hands
	 * d5..d9 over, and one of those cannot be read. */
	for (i = 0; i < 10; i++) {
		struct sl_buf p = SL_BUF_INIT;

		sl_buf_addf(&p, "d%u/sub/f%u", i, i); /* trees all differ */
		gr_write(p.buf, "one\n");
		sl_buf_release(&p);
	}
	gr_commit_all("one");
	for (i = 0; i < 10; i++) {
		struct sl_buf p = SL_BUF_INIT;

		sl_buf_addf(&p, "d%u/sub/f%u", i, i);
		gr_write(p.buf, "two\n");
		sl_buf_release(&p);
	}
	gr_commit_all("two");
	remove_tree_object("HEAD:d8/sub");
	repo = gr_open(".");
	assert_int_equal(
	    shared_diff(&list, &handed, repo, "HEAD~1", "HEAD", &err), SL_EENV);
	assert_non_null(strstr(sl_error_message(&err), "cannot read the tree"));
	assert_non_null(strstr(sl_error_message(&err), "d8/sub"));
	assert_true(handed >= 1);
	assert_int_equal(list.n, 0);
	sl_repo_free(repo);
	sl_error_release(&err);
}

static void treepool__helpers_return_when_no_walk_comes(void **state)
{
	struct sl_walk_pool *pool;
	struct sl_repo *repo;
	struct helper h;

	(void)state;
	gr_write("f", "x\n");
	gr_commit_all("one");
	repo = gr_open(".");
	/* A diff that never walks (a --paths-from list, a degraded base):
	 * closing the pool lets the waiting helper go. */
	sl_walk_pool_new(&pool);
	start_helper(&h, pool, sl_repo_git_dir(repo));
	sl_walk_pool_close(pool);
	assert_int_equal(pthread_join(h.thread, NULL), 0);
	assert_int_equal(sl_walk_pool_handed(pool), 0);
	/* After the close, a late helper returns at once. */
	sl_walk_pool_help(pool, sl_repo_git_dir(repo));
	sl_walk_pool_free(pool);
	sl_repo_free(repo);
}

static void
treepool__a_helper_that_cannot_open_the_repository_stays_out(void **state)
{
	struct sl_walk_pool *pool;
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_commit_pair pair = {"HEAD~1", "HEAD", false, NULL};
	struct sl_repo *repo;

	(void)state;
	gr_write("a/f", "x\n");
	gr_write("b/f", "x\n");
	gr_commit_all("one");
	gr_write("a/f", "y\n");
	gr_write("b/f", "y\n");
	gr_commit_all("two");
	repo = gr_open(".");
	sl_walk_pool_new(&pool);
	pair.pool = pool;
	/* No thread waits: the walk goes alone, and the failed helper
	 * returned without queueing anything. */
	sl_walk_pool_help(pool, "/nonexistent/.git/");
	assert_int_equal(sl_diff_commit_pair(&list, repo, &pair, &err), 0);
	gr_assert_changes(&list, "M a/f\nM b/f\n");
	assert_int_equal(sl_walk_pool_handed(pool), 0);
	sl_change_list_release(&list);
	sl_walk_pool_free(pool);
	sl_repo_free(repo);
	sl_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(treepool__shared_walks_equal_the_walk_alone),
	    T(treepool__a_handed_part_that_fails_fails_the_diff),
	    T(treepool__helpers_return_when_no_walk_comes),
	    T(treepool__a_helper_that_cannot_open_the_repository_stays_out),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
