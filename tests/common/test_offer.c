/*
 * test_offer.c: work another thread may take (common/offer.c): each job
 * is done exactly once, by the thread that serves the offer when it takes
 * it first (the oldest open job first), else by the owner at the join,
 * which returns only once the job is done; with no offer the join does
 * it; closing lets serving threads return.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "tests/support/sandbox.h"

struct work {
	struct sl_offer_job job;
	atomic_int runs; /* how many times it ran */
	atomic_bool started;
	atomic_bool release; /* it may finish */
	pthread_t by;
};

static void run_work(void *arg)
{
	struct work *w = arg;

	w->by = pthread_self();
	atomic_store(&w->started, true);
	while (!atomic_load(&w->release))
		usleep(100);
	atomic_fetch_add(&w->runs, 1);
}

static void work_init(struct work *w, bool release)
{
	memset(w, 0, sizeof(*w));
	w->job.run = run_work;
	w->job.arg = w;
	atomic_store(&w->release, release);
}

static void *serve(void *offer)
{
	sl_offer_serve(offer);
	return NULL;
}

static void offer__without_a_helper_the_owner_does_it(void **state)
{
	struct work w;
	struct sl_offer *offer;

	(void)state;
	work_init(&w, true);
	sl_offer_new(&offer);
	sl_offer_post(offer, &w.job);
	assert_int_equal(atomic_load(&w.runs), 0);
	sl_offer_join(offer, &w.job);
	assert_int_equal(atomic_load(&w.runs), 1);
	assert_true(pthread_equal(w.by, pthread_self()));
	sl_offer_free(offer);
	/* No offer at all: the join does it. */
	work_init(&w, true);
	sl_offer_post(NULL, &w.job);
	assert_int_equal(atomic_load(&w.runs), 0);
	sl_offer_join(NULL, &w.job);
	assert_int_equal(atomic_load(&w.runs), 1);
}

/* Taken by the serving thread, oldest first: the join waits until it is
 * done, and a later job still open is the owner's to run. */
static void
offer__a_serving_thread_takes_the_oldest_and_the_join_waits(void **state)
{
	struct work first, second;
	struct sl_offer *offer;
	pthread_t thread;

	(void)state;
	work_init(&first, false);
	work_init(&second, true);
	sl_offer_new(&offer);
	sl_offer_post(offer, &first.job);
	sl_offer_post(offer, &second.job);
	assert_int_equal(pthread_create(&thread, NULL, serve, offer), 0);
	while (!atomic_load(&first.started))
		usleep(100);
	assert_false(pthread_equal(first.by, pthread_self()));
	/* The helper is busy with the first: the second is ours. */
	sl_offer_join(offer, &second.job);
	assert_int_equal(atomic_load(&second.runs), 1);
	assert_true(pthread_equal(second.by, pthread_self()));
	atomic_store(&first.release, true);
	sl_offer_join(offer, &first.job);
	assert_int_equal(atomic_load(&first.runs), 1);
	sl_offer_close(offer);
	assert_int_equal(pthread_join(thread, NULL), 0);
	sl_offer_free(offer);
}

/* Posted and joined at once, with a thread serving: done exactly once,
 * whoever does it. */
static void offer__done_exactly_once(void **state)
{
	struct work w[4];
	struct sl_offer *offer;
	pthread_t thread;
	int i, k;

	(void)state;
	sl_offer_new(&offer);
	assert_int_equal(pthread_create(&thread, NULL, serve, offer), 0);
	for (i = 0; i < 500; i++) {
		for (k = 0; k < 4; k++) {
			work_init(&w[k], true);
			sl_offer_post(offer, &w[k].job);
		}
		for (k = 4; k-- > 0;)
			sl_offer_join(offer, &w[k].job);
		for (k = 0; k < 4; k++)
			assert_int_equal(atomic_load(&w[k].runs), 1);
	}
	sl_offer_close(offer);
	assert_int_equal(pthread_join(thread, NULL), 0);
	sl_offer_free(offer);
}

static void offer__closing_lets_a_waiting_server_return(void **state)
{
	struct sl_offer *offer;
	pthread_t thread;

	(void)state;
	sl_offer_new(&offer);
	assert_int_equal(pthread_create(&thread, NULL, serve, offer), 0);
	usleep(1000);
	sl_offer_close(offer);
	assert_int_equal(pthread_join(thread, NULL), 0);
	/* Closed before it serves: it returns at once. */
	sl_offer_serve(offer);
	sl_offer_free(offer);
	sl_offer_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(offer__without_a_helper_the_owner_does_it),
	    cmocka_unit_test(
		offer__a_serving_thread_takes_the_oldest_and_the_join_waits),
	    cmocka_unit_test(offer__done_exactly_once),
	    cmocka_unit_test(offer__closing_lets_a_waiting_server_return),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
