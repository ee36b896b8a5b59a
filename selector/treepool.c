/*
 * treepool.c: the threads that share one tree walk (treewalk.c). The
 * walking thread and any thread that has nothing else to do (plan.c's,
 * once the rules are loaded) meet here: a waiting thread is counted, a
 * walking thread that sees the count hands it half of what its outermost
 * unfinished directory has left as a task (treewalk.c decides what),
 * and the walk is over when no thread is walking and no task is queued.
 * Nothing is handed over unless a thread waits, so a small diff costs one
 * relaxed atomic load per entry more than a walk alone.
 *
 * libgit2 objects are used by one thread at a time, so each helper opens
 * its own repository handle; the pack files behind them are shared by
 * libgit2 itself, under its locks.
 */
#include "common/common.h"

#include <pthread.h>
#include <stdatomic.h>

#include "selector/internal.h"

struct sl_walk_pool {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	atomic_int waiting;		   /* threads waiting for a task */
	struct sl_walk_task *first, *last; /* queued, not taken yet */
	int walking;			   /* threads walking */
	bool begun, over, closed;
	size_t handed; /* tasks handed over, for tests and benchmarks */
};

void sl_walk_pool_new(struct sl_walk_pool **out)
{
	struct sl_walk_pool *pool = sl_xcalloc(1, sizeof(*pool));

	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->changed, NULL);
	atomic_init(&pool->waiting, 0);
	*out = pool;
}

void sl_walk_pool_free(struct sl_walk_pool *pool)
{
	if (!pool)
		return;
	pthread_cond_destroy(&pool->changed);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}

/*
 * With the lock held: walks queued tasks until the walk is over (no
 * thread walking, nothing queued) or the pool is closed before any walk
 * began.
 */
static void serve(struct sl_walk_pool *pool, struct sl_repo *repo)
{
	for (;;) {
		struct sl_walk_task *task = pool->first;

		if (task) {
			pool->first = task->next;
			if (!pool->first)
				pool->last = NULL;
			pool->walking++;
			pthread_mutex_unlock(&pool->lock);
			sl_walk_task_run(task, repo, pool);
			pthread_mutex_lock(&pool->lock);
			pool->walking--;
			continue;
		}
		if (pool->begun && !pool->walking)
			pool->over = true;
		if (pool->over || (pool->closed && !pool->begun))
			break;
		atomic_fetch_add_explicit(&pool->waiting, 1,
					  memory_order_relaxed);
		pthread_cond_wait(&pool->changed, &pool->lock);
		atomic_fetch_sub_explicit(&pool->waiting, 1,
					  memory_order_relaxed);
	}
	pthread_cond_broadcast(&pool->changed);
}

void sl_walk_pool_help(struct sl_walk_pool *pool, const char *git_dir)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo = NULL;
	bool done;

	pthread_mutex_lock(&pool->lock);
	done = pool->over || pool->closed;
	pthread_mutex_unlock(&pool->lock);
	/* The handle costs a few hundred microseconds: only when the walk
	 * may still need a hand. */
	if (done || sl_repo_open(&repo, git_dir, &err)) {
		sl_error_release(&err);
		return;
	}
	pthread_mutex_lock(&pool->lock);
	serve(pool, repo);
	pthread_mutex_unlock(&pool->lock);
	sl_repo_free(repo);
}

void sl_walk_pool_close(struct sl_walk_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	pool->closed = true;
	pthread_cond_broadcast(&pool->changed);
	pthread_mutex_unlock(&pool->lock);
}

void sl_walk_pool_begin(struct sl_walk_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	pool->begun = true;
	pool->walking++;
	pthread_mutex_unlock(&pool->lock);
}

bool sl_walk_pool_wanted(struct sl_walk_pool *pool)
{
	return atomic_load_explicit(&pool->waiting, memory_order_relaxed) > 0;
}

bool sl_walk_pool_lock_if_waiting(struct sl_walk_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	if (atomic_load_explicit(&pool->waiting, memory_order_relaxed) > 0 &&
	    !pool->first)
		return true;
	pthread_mutex_unlock(&pool->lock);
	return false;
}

void sl_walk_pool_give(struct sl_walk_pool *pool, struct sl_walk_task *task)
{
	if (task) {
		if (pool->last)
			pool->last->next = task;
		else
			pool->first = task;
		pool->last = task;
		pool->handed++;
		pthread_cond_signal(&pool->changed);
	}
	pthread_mutex_unlock(&pool->lock);
}

void sl_walk_pool_finish(struct sl_walk_pool *pool, struct sl_repo *repo)
{
	pthread_mutex_lock(&pool->lock);
	pool->walking--;
	serve(pool, repo);
	pthread_mutex_unlock(&pool->lock);
}

size_t sl_walk_pool_handed(struct sl_walk_pool *pool)
{
	size_t n;

	pthread_mutex_lock(&pool->lock);
	n = pool->handed;
	pthread_mutex_unlock(&pool->lock);
	return n;
}
