/*
 * offer.c: work that another thread may take (common.h, struct sl_offer).
 * The owner posts jobs and goes on with its own work; a thread that has
 * nothing else to do waits in sl_offer_serve() and takes the oldest job
 * still open; the owner's sl_offer_join() takes a job back and runs it
 * itself if no one took it, and returns once it is done. So each job is
 * done exactly once, by whichever thread is free first, and a busy helper
 * never makes the owner wait longer than doing the job itself would. What
 * a job reads and writes is the owner's to keep apart from its own work
 * until the join, which orders the job before what follows it.
 */
#include "common/common.h"

#include <pthread.h>

enum sl_offer_state {
	SL_OFFER_OPEN,	/* posted, in the queue */
	SL_OFFER_TAKEN, /* a serving thread runs it */
	SL_OFFER_DONE	/* done, or joined */
};

struct sl_offer {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct sl_offer_job *open; /* the queue, oldest first */
	bool closed;		   /* serving threads return */
};

void sl_offer_new(struct sl_offer **out)
{
	struct sl_offer *o = sl_xcalloc(1, sizeof(*o));

	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->changed, NULL);
	*out = o;
}

void sl_offer_free(struct sl_offer *o)
{
	if (!o)
		return;
	pthread_cond_destroy(&o->changed);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

void sl_offer_post(struct sl_offer *o, struct sl_offer_job *job)
{
	struct sl_offer_job **at;

	job->state = SL_OFFER_OPEN;
	job->next = NULL;
	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	for (at = &o->open; *at; at = &(*at)->next)
		;
	*at = job;
	pthread_cond_broadcast(&o->changed);
	pthread_mutex_unlock(&o->lock);
}

void sl_offer_join(struct sl_offer *o, struct sl_offer_job *job)
{
	struct sl_offer_job **at;
	bool mine = !o;

	if (o) {
		pthread_mutex_lock(&o->lock);
		mine = job->state == SL_OFFER_OPEN;
		for (at = &o->open; mine && *at != job; at = &(*at)->next)
			;
		if (mine)
			*at = job->next;
		while (job->state == SL_OFFER_TAKEN)
			pthread_cond_wait(&o->changed, &o->lock);
		pthread_mutex_unlock(&o->lock);
	}
	if (mine)
		job->run(job->arg);
	job->state = SL_OFFER_DONE;
}

void sl_offer_serve(struct sl_offer *o)
{
	pthread_mutex_lock(&o->lock);
	while (!o->closed) {
		struct sl_offer_job *job = o->open;

		if (!job) {
			pthread_cond_wait(&o->changed, &o->lock);
			continue;
		}
		o->open = job->next;
		job->state = SL_OFFER_TAKEN;
		pthread_mutex_unlock(&o->lock);
		job->run(job->arg);
		pthread_mutex_lock(&o->lock);
		job->state = SL_OFFER_DONE;
		pthread_cond_broadcast(&o->changed);
	}
	pthread_mutex_unlock(&o->lock);
}

void sl_offer_close(struct sl_offer *o)
{
	pthread_mutex_lock(&o->lock);
	o->closed = true;
	pthread_cond_broadcast(&o->changed);
	pthread_mutex_unlock(&o->lock);
}
