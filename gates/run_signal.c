/*
 * run_signal.c: the signals a run or a repro handles, and the one place the
 * runner sleeps. Handlers only record the signal and write a byte to a
 * self-pipe; everything else happens in the loop that ppoll() wakes. Also
 * makes the process a child subreaper for as long as the handlers are in,
 * so that orphans of gates come back to sluice to be stopped and reaped.
 */
#include "common/common.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "gates/run_internal.h"

static const int caught[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP};

static int wake_pipe[2] = {-1, -1};
static volatile sig_atomic_t interrupted_by;
static volatile sig_atomic_t interrupts;

static void on_signal(int signo)
{
	int saved = errno;
	ssize_t ret;

	if (signo != SIGCHLD) {
		if (!interrupted_by)
			interrupted_by = signo;
		interrupts++;
	}
	/* A full pipe already holds a wake-up: nothing is lost. */
	ret = write(wake_pipe[1], "", 1);
	(void)ret;
	errno = saved;
}

int sl_run_signals_install(struct run_signals *sig, struct sl_error *err)
{
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(sig, 0, sizeof(*sig));
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return sl_error_set(err, SL_EENV, "cannot create a pipe: %s",
				    strerror(errno));
	interrupted_by = 0;
	interrupts = 0;
	sigemptyset(&block);
	for (i = 0; i < SL_ARRAY_SIZE(caught); i++)
		sigaddset(&block, caught[i]);
	pthread_sigmask(SIG_BLOCK, &block, &sig->old_mask);
	sig->wait_mask = sig->old_mask;
	for (i = 0; i < SL_ARRAY_SIZE(caught); i++)
		sigdelset(&sig->wait_mask, caught[i]);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* Stops too: a repro follows its gate's ^Z (run_repro.c). */
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < SL_ARRAY_SIZE(caught); i++)
		sigaction(caught[i], &sa, &sig->old_actions[i]);

	if (prctl(PR_GET_CHILD_SUBREAPER, &sig->old_subreaper) < 0)
		sig->old_subreaper = 0;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sig->installed = true;
	return 0;
}

void sl_run_signals_restore(struct run_signals *sig)
{
	size_t i;

	if (!sig->installed)
		return;
	prctl(PR_SET_CHILD_SUBREAPER, sig->old_subreaper);
	/* Unblock first, so that a pending signal meets our harmless handler. */
	pthread_sigmask(SIG_SETMASK, &sig->old_mask, NULL);
	for (i = 0; i < SL_ARRAY_SIZE(caught); i++)
		sigaction(caught[i], &sig->old_actions[i], NULL);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	wake_pipe[0] = wake_pipe[1] = -1;
	sig->installed = false;
}

void sl_run_signals_wait(struct run_signals *sig, uint64_t timeout_ms)
{
	struct pollfd pfd = {wake_pipe[0], POLLIN, 0};
	struct timespec ts, *tsp = NULL;
	char drain[64];

	if (timeout_ms != RUN_NEVER) {
		ts.tv_sec = (time_t)(timeout_ms / 1000);
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	ppoll(&pfd, 1, tsp, &sig->wait_mask);
	while (read(wake_pipe[0], drain, sizeof(drain)) > 0)
		;
}

int sl_run_signals_interrupted(void)
{
	return interrupted_by;
}

unsigned sl_run_signals_interrupts(void)
{
	return (unsigned)interrupts;
}
