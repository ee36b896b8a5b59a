/*
 * helpers.c: the threads that help a load (rules.h, sl_rules_helpers):
 * they compile its patterns, and parse part of its YAML
 * (yaml_split.c), whichever of the two comes first.
 *
 * Patterns. Compiling a glob is a pure function of its text, and a third
 * of a large file's load (3,000 patterns: 15 M of 55 M instructions), so a
 * helped load queues each pattern with an empty struct sl_pattern that the
 * rule points to, and moves on. A helper, a thread with nothing else to do
 * (selector/plan.c's diff thread once its diff is done), compiles them as
 * they come; when the loader has read the whole file it compiles what is
 * left itself and waits for what a helper holds. So a load is never slower
 * for having helpers that are busy, and nothing reads a compiled pattern
 * before sl_compiler_finish() returns. Errors come out as if each pattern
 * had been compiled where the loader met it: the loader stops at its first
 * error, so every queued pattern was met before it, and the first failed
 * pattern wins over it.
 *
 * Jobs. Any other piece of work is offered as a job: a helper may take
 * it, and its owner joins it, running it itself if no helper did.
 *
 * A thread's first allocations come from a malloc arena of its own, which
 * glibc grows one page, one mprotect(), at a time: a helper grows its own
 * once, up front, by what a large file's load takes.
 */
#include "common/common.h"

#include <pthread.h>
#include <stdatomic.h>

#include "rules/internal.h"
#include "rules/load_internal.h"

/* Queued patterns, in chunks that never move once written. */
#define CHUNK 256
/* Patterns queued between wake-ups of a waiting helper: it compiles
 * faster than the loader finds patterns, and a wake-up costs as much as
 * a few compiles. */
#define BATCH 64

struct queued_pattern {
	struct sl_pattern *pattern; /* the rule's, filled in here */
	const char *text;	    /* the rule's */
	struct sl_pos pos;
	int ret;
	struct sl_error err;
};

struct chunk {
	struct queued_pattern items[CHUNK];
	struct chunk *next;
};

/* One load's queue. */
struct sl_compiler {
	struct sl_rules_helpers *helpers;
	struct chunk *first, *last; /* the loader appends to last */
	atomic_size_t queued;	    /* items[0 .. queued) are written */
	atomic_size_t next;	    /* the next job to take */
	atomic_size_t done;	    /* jobs compiled */
	atomic_bool closed;	    /* nothing more will be queued */
	int users;		    /* helpers at work on it (lock) */
};

struct sl_rules_helpers {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct sl_compiler *current; /* the load under way, if any */
	struct sl_rules_job *jobs;   /* offered, not taken yet */
	atomic_int waiting;	     /* helpers waiting for patterns */
	bool closed;
	size_t splits; /* files parsed in parts */
};

void sl_rules_helpers_new(struct sl_rules_helpers **out)
{
	struct sl_rules_helpers *h = sl_xcalloc(1, sizeof(*h));

	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->changed, NULL);
	atomic_init(&h->waiting, 0);
	*out = h;
}

void sl_rules_helpers_free(struct sl_rules_helpers *h)
{
	if (!h)
		return;
	pthread_cond_destroy(&h->changed);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

void sl_rules_helpers_close(struct sl_rules_helpers *h)
{
	pthread_mutex_lock(&h->lock);
	h->closed = true;
	pthread_cond_broadcast(&h->changed);
	pthread_mutex_unlock(&h->lock);
}

/* What a helper's arena is grown by before it compiles anything. */
#define ARENA_RESERVE (2 * 1024 * 1024)
#define RESERVE_BLOCK (64 * 1024) /* under malloc's mmap threshold */

static void grow_arena(void)
{
	void *blocks[ARENA_RESERVE / RESERVE_BLOCK];
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(blocks); i++)
		blocks[i] = malloc(RESERVE_BLOCK);
	for (i = 0; i < SL_ARRAY_SIZE(blocks); i++)
		free(blocks[i]);
}

/* Job i; *chunk and *base are the caller's cursor (taken in order). */
static struct queued_pattern *queued_at(struct chunk **chunk, size_t *base,
					size_t i)
{
	while (i >= *base + CHUNK) {
		*chunk = (*chunk)->next;
		*base += CHUNK;
	}
	return &(*chunk)->items[i - *base];
}

static void compile_queued(struct sl_compiler *c, struct queued_pattern *job)
{
	job->ret = sl_pattern_compile_into(job->pattern, job->text, &job->err);
	atomic_fetch_add(&c->done, 1);
}

/*
 * With the helpers' lock held: waits until a pattern is queued past the
 * ones taken, the queue is closed or a job is offered. Returns whether
 * to stay with this queue.
 */
static bool wait_queue(struct sl_rules_helpers *h, struct sl_compiler *c)
{
	for (;;) {
		bool queued = atomic_load(&c->next) < atomic_load(&c->queued);

		if (queued || h->jobs || atomic_load(&c->closed))
			return queued || (!h->jobs && !atomic_load(&c->closed));
		atomic_fetch_add(&h->waiting, 1);
		/* Checked again with waiting raised: the loader either sees
		 * it or has queued the pattern already. */
		if (atomic_load(&c->next) >= atomic_load(&c->queued) &&
		    !atomic_load(&c->closed))
			pthread_cond_wait(&h->changed, &h->lock);
		atomic_fetch_sub(&h->waiting, 1);
	}
}

/*
 * A helper's share of one load: the queued patterns no one took yet, one
 * at a time (taken only once queued, so that leaving never strands one),
 * until the queue is closed and empty, or a job is offered, which comes
 * first.
 */
static void help_load(struct sl_rules_helpers *h, struct sl_compiler *c)
{
	struct chunk *chunk = c->first;
	size_t base = 0;
	bool stay = true;

	while (stay) {
		size_t i = atomic_load(&c->next);

		if (i < atomic_load(&c->queued)) {
			if (atomic_compare_exchange_weak(&c->next, &i, i + 1))
				compile_queued(c, queued_at(&chunk, &base, i));
			continue;
		}
		pthread_mutex_lock(&h->lock);
		stay = wait_queue(h, c);
		pthread_mutex_unlock(&h->lock);
	}
}

/* With the lock held: runs job on this thread, unlocking meanwhile. */
static void run_job(struct sl_rules_helpers *h, struct sl_rules_job *job)
{
	job->state = SL_JOB_TAKEN;
	pthread_mutex_unlock(&h->lock);
	job->run(job->arg);
	pthread_mutex_lock(&h->lock);
	job->state = SL_JOB_DONE;
	pthread_cond_broadcast(&h->changed);
}

void sl_rules_helpers_serve(struct sl_rules_helpers *h)
{
	bool grown = false;

	pthread_mutex_lock(&h->lock);
	while (!h->closed) {
		struct sl_rules_job *job = h->jobs;
		struct sl_compiler *c = h->current;

		if (!job && !c) {
			pthread_cond_wait(&h->changed, &h->lock);
			continue;
		}
		if (!grown) {
			pthread_mutex_unlock(&h->lock);
			grow_arena();
			pthread_mutex_lock(&h->lock);
			grown = true;
			continue; /* what there was may be gone */
		}
		if (job) {
			h->jobs = job->next;
			run_job(h, job);
			continue;
		}
		c->users++;
		pthread_mutex_unlock(&h->lock);
		help_load(h, c);
		/* Back for a job, or the queue is closed and no longer
		 * current; its loader waits for every helper to leave it. */
		pthread_mutex_lock(&h->lock);
		c->users--;
		pthread_cond_broadcast(&h->changed);
	}
	pthread_mutex_unlock(&h->lock);
}

void sl_rules_job_offer(struct sl_rules_helpers *h, struct sl_rules_job *job)
{
	struct sl_rules_job **at;

	pthread_mutex_lock(&h->lock);
	job->state = SL_JOB_OFFERED;
	job->next = NULL;
	for (at = &h->jobs; *at; at = &(*at)->next)
		;
	*at = job;
	pthread_cond_broadcast(&h->changed);
	pthread_mutex_unlock(&h->lock);
}

void sl_rules_job_join(struct sl_rules_helpers *h, struct sl_rules_job *job)
{
	struct sl_rules_job **at;

	pthread_mutex_lock(&h->lock);
	if (job->state == SL_JOB_OFFERED) {
		for (at = &h->jobs; *at != job; at = &(*at)->next)
			;
		*at = job->next;
		run_job(h, job);
	}
	while (job->state != SL_JOB_DONE)
		pthread_cond_wait(&h->changed, &h->lock);
	pthread_mutex_unlock(&h->lock);
}

/* One half of some shared work, and how it ended. */
struct share {
	const struct sl_rules_shares *shares;
	size_t from, to;
	int ret;
	struct sl_error err;
};

static void run_share(void *arg)
{
	struct share *s = arg;

	s->ret = s->shares->run(s->shares->arg, s->from, s->to, &s->err);
}

int sl_rules_share(struct sl_rules_helpers *h,
		   const struct sl_rules_shares *shares, struct sl_error *err)
{
	size_t half = h && shares->n >= shares->min ? shares->n / 2 : 0;
	struct share first = {shares, 0, half, 0, SL_ERROR_INIT};
	struct share second = {shares, half, shares->n, 0, SL_ERROR_INIT};
	struct sl_rules_job job = {run_share, &first, SL_JOB_OFFERED, NULL};
	struct share *failed;

	if (half)
		sl_rules_job_offer(h, &job);
	run_share(&second);
	if (half)
		sl_rules_job_join(h, &job);
	failed = first.ret ? &first : second.ret ? &second : NULL;
	if (failed && err) {
		sl_error_release(err);
		*err = failed->err;
		failed->err = (struct sl_error)SL_ERROR_INIT;
	}
	sl_error_release(&first.err);
	sl_error_release(&second.err);
	return failed ? failed->ret : 0;
}

struct sl_compiler *sl_compiler_start(struct sl_rules_helpers *h)
{
	struct sl_compiler *c = sl_xcalloc(1, sizeof(*c));

	c->helpers = h;
	c->first = c->last = sl_xcalloc(1, sizeof(*c->first));
	atomic_init(&c->queued, 0);
	atomic_init(&c->next, 0);
	atomic_init(&c->done, 0);
	atomic_init(&c->closed, false);
	pthread_mutex_lock(&h->lock);
	h->current = c;
	pthread_cond_broadcast(&h->changed);
	pthread_mutex_unlock(&h->lock);
	return c;
}

void sl_compiler_add(struct sl_compiler *c, struct sl_rule *rule)
{
	struct sl_rules_helpers *h = c->helpers;
	size_t i = atomic_load_explicit(&c->queued, memory_order_relaxed);
	struct queued_pattern *job;

	if (i && i % CHUNK == 0) {
		c->last->next = sl_xcalloc(1, sizeof(*c->last));
		c->last = c->last->next;
	}
	job = &c->last->items[i % CHUNK];
	rule->pattern = sl_pattern_new_empty();
	job->pattern = rule->pattern;
	job->text = rule->text;
	job->pos = rule->pos;
	job->err = (struct sl_error)SL_ERROR_INIT;
	/* Sequentially consistent, as waiting's update and load are. */
	atomic_store(&c->queued, i + 1);
	if ((i + 1) % BATCH == 0 && atomic_load(&h->waiting)) {
		pthread_mutex_lock(&h->lock);
		pthread_cond_broadcast(&h->changed);
		pthread_mutex_unlock(&h->lock);
	}
}

/* Frees c once every job is done; the first failure in queue order. */
static int collect(struct sl_compiler *c, struct sl_loader *ld)
{
	struct chunk *chunk = c->first, *next;
	size_t i, base = 0, n = atomic_load(&c->queued);
	int ret = 0;

	for (i = 0; i < n; i++) {
		struct queued_pattern *job = queued_at(&chunk, &base, i);

		if (job->ret && !ret)
			ret = sl_load_pattern_error(ld, job->pos, &job->err);
		sl_error_release(&job->err);
	}
	for (chunk = c->first; chunk; chunk = next) {
		next = chunk->next;
		free(chunk);
	}
	free(c);
	return ret;
}

int sl_compiler_finish(struct sl_compiler *c, struct sl_loader *ld)
{
	struct sl_rules_helpers *h = c->helpers;
	struct chunk *chunk = c->first;
	size_t i, base = 0, n = atomic_load(&c->queued);

	pthread_mutex_lock(&h->lock);
	h->current = NULL;
	atomic_store(&c->closed, true);
	pthread_cond_broadcast(&h->changed);
	pthread_mutex_unlock(&h->lock);
	/* What no helper took, this thread compiles. */
	while ((i = atomic_fetch_add(&c->next, 1)) < n)
		compile_queued(c, queued_at(&chunk, &base, i));
	pthread_mutex_lock(&h->lock);
	while (c->users || atomic_load(&c->done) < n)
		pthread_cond_wait(&h->changed, &h->lock);
	pthread_mutex_unlock(&h->lock);
	return collect(c, ld);
}

size_t sl_rules_helpers_splits(struct sl_rules_helpers *h)
{
	size_t n;

	pthread_mutex_lock(&h->lock);
	n = h->splits;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void sl_rules_helpers_count_split(struct sl_rules_helpers *h)
{
	pthread_mutex_lock(&h->lock);
	h->splits++;
	pthread_mutex_unlock(&h->lock);
}
