/*
 * run.c: the scheduler. Decides which job starts next (longest first, from
 * the history), keeps at most N running, and turns each exit, timeout,
 * failure and signal into a job's final result: retries, fail-fast,
 * SIGTERM then SIGKILL, interrupts. The loop sleeps only in ppoll()
 * (run_signal.c) until the next child exit, signal or deadline. How a
 * process starts is run_spawn.c's; what a gate leaves behind, run_reap.c's;
 * the history database, run_history.c's.
 */
#include "common/common.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gates/run_internal.h"

/* Less room than this on the logs' file system when a gate ends: its log
 * may have been cut short (a write of the gate's found no room). */
#define RUN_LOG_ROOM_MIN (64u * 1024)

/* Why the runner itself ended an attempt, if it did. */
enum stop_reason {
	STOP_NONE = 0,
	STOP_TIMEOUT,	/* the attempt ran past its timeout */
	STOP_FAIL_FAST, /* another gate failed and fail-fast is on */
	STOP_INTERRUPT	/* sluice got SIGINT, SIGTERM or SIGHUP */
};

/* One running job: its current attempt's main process and deadlines. */
struct slot {
	bool busy;
	size_t job;
	pid_t pid; /* also the process group */
	unsigned attempt;
	uint64_t deadline; /* of the timeout */
	uint64_t kill_at;  /* SIGKILL, once SIGTERM was sent */
	enum stop_reason stop;
};

struct run {
	const struct sl_job *jobs;
	size_t njobs;
	const struct sl_run_options *opts;
	struct sl_run_result *out;
	uint64_t grace_ms;
	char **prefixes; /* per job: <logs>/<stem> */
	size_t *order;	 /* in which to start the jobs */
	size_t next;	 /* into order: the next job to start */
	struct slot *slots;
	size_t nslots;
	size_t running;
	size_t finished;
	uint64_t t0;
	bool history_failed; /* warned once: not opened again to record */
	uint64_t next_tick;
	enum stop_reason stopping; /* STOP_NONE while jobs still start */
	size_t failed_job;	   /* that stopped the run (fail-fast) */
	unsigned interrupts;	   /* seen so far */
	struct run_reaper reaper;
	struct run_signals sig;
	struct run_pids kids;
	struct sl_buf scratch;
};

static const char *signal_name(int signo)
{
	switch (signo) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	}
	return "a signal";
}

static void emit(struct run *run, enum sl_run_event_type type, size_t j,
		 unsigned attempt)
{
	struct sl_run_event ev;

	if (!run->opts->on_event)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.index = j;
	ev.job = j == SIZE_MAX ? NULL : &run->jobs[j];
	ev.result = j == SIZE_MAX ? NULL : &run->out->results[j];
	ev.attempt = attempt;
	ev.elapsed_ms = sl_now_ms() - run->t0;
	ev.running = run->running;
	ev.finished = run->finished;
	ev.total = run->njobs;
	run->opts->on_event(run->opts->data, &ev);
}

/* Appends one line of sluice's own to a job's log, between attempts. */
static void log_note(struct run *run, size_t j, const char *fmt, ...)
    SL_PRINTF(3, 4);

static void log_note(struct run *run, size_t j, const char *fmt, ...)
{
	const char *path = run->out->results[j].log;
	struct sl_buf line = SL_BUF_INIT;
	va_list ap;
	int fd;

	if (!path)
		return;
	sl_buf_adds(&line, "\n--- sluice: ");
	va_start(ap, fmt);
	sl_buf_vaddf(&line, fmt, ap);
	va_end(ap);
	sl_buf_adds(&line, " ---\n");
	fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		/* A log that cannot take the note still has the output. */
		ssize_t ret = write(fd, line.buf, line.len);

		(void)ret;
		close(fd);
	}
	sl_buf_release(&line);
}

static bool is_failure(enum sl_job_status status)
{
	return status == SL_JOB_FAILED || status == SL_JOB_TIMED_OUT ||
	       status == SL_JOB_ERROR;
}

static void begin_stop(struct run *run, enum stop_reason reason, uint64_t now);

static void finish_job(struct run *run, size_t j, enum sl_job_status status,
		       char *error)
{
	struct sl_job_result *res = &run->out->results[j];
	uint64_t now = sl_now_ms();

	res->status = status;
	res->error = error;
	if (res->attempts)
		res->duration_ms = now - run->t0 - res->started_ms;
	run->finished++;
	emit(run, SL_RUN_EVENT_FINISHED, j, res->attempts);
	if (run->opts->fail_fast && is_failure(status) && !run->stopping) {
		run->failed_job = j;
		begin_stop(run, STOP_FAIL_FAST, now);
	}
}

static char *stop_message(struct run *run, bool started)
{
	struct sl_buf msg = SL_BUF_INIT;

	sl_buf_adds(&msg, started ? "stopped: " : "not started: ");
	if (run->stopping == STOP_INTERRUPT)
		sl_buf_addf(&msg, "interrupted by %s",
			    signal_name(sl_run_signals_interrupted()));
	else
		sl_buf_addf(&msg, "gate '%s' failed and fail-fast is on",
			    run->jobs[run->failed_job].name);
	return sl_buf_detach(&msg, NULL);
}

/* SIGTERM to the slot's process group; SIGKILL follows after the grace. */
static void term_slot(struct run *run, struct slot *slot, uint64_t now)
{
	if (slot->kill_at != RUN_NEVER)
		return;
	kill(-slot->pid, SIGTERM);
	kill(-slot->pid, SIGCONT);
	slot->kill_at = now + run->grace_ms;
}

static void begin_stop(struct run *run, enum stop_reason reason, uint64_t now)
{
	size_t i;

	if (run->stopping == STOP_INTERRUPT)
		return;
	run->stopping = reason;
	for (i = 0; i < run->nslots; i++) {
		struct slot *slot = &run->slots[i];

		/* A timed-out attempt keeps its verdict. */
		if (!slot->busy || slot->stop == STOP_TIMEOUT)
			continue;
		slot->stop = reason;
		term_slot(run, slot, now);
	}
}

/* A second ^C: no more grace for anyone. */
static void hurry(struct run *run, uint64_t now)
{
	size_t i;

	for (i = 0; i < run->nslots; i++)
		if (run->slots[i].busy && run->slots[i].kill_at > now)
			run->slots[i].kill_at = now;
	sl_run_reaper_hurry(&run->reaper, now);
}

static int open_log(int *out, struct run *run, size_t j, unsigned attempt,
		    struct sl_error *err)
{
	const char *path = run->out->results[j].log;
	int fd = -1, ret;

	/* The logs directory may be shared (--logs DIR): the first attempt
	 * makes the log anew and refuses a link planted there; a retry adds
	 * to the file it made, never through a link. */
	if (attempt == 1) {
		ret = sl_file_create(&fd, path, 0600, err);
		if (ret)
			return ret;
	} else {
		fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return sl_error_set(err, SL_EENV,
					    "cannot open log '%s': %s", path,
					    strerror(errno));
	}
	/* The child's dup2() onto 1 and 2 must not meet the log itself. */
	if (fd < 3) {
		int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);

		close(fd);
		if (moved < 0)
			return sl_error_set(err, SL_EENV,
					    "cannot open log '%s': %s", path,
					    strerror(errno));
		fd = moved;
	}
	*out = fd;
	return 0;
}

static int spawn_attempt(struct run *run, struct slot *slot, size_t j,
			 unsigned attempt, struct sl_error *err)
{
	const struct sl_job *job = &run->jobs[j];
	struct sl_buf changed = SL_BUF_INIT, changed0 = SL_BUF_INIT;
	struct sl_strvec env = SL_STRVEC_INIT;
	struct run_stdio io = {-1, -1};
	int ret;

	ret = sl_run_changed_write(&changed, &changed0, job, run->prefixes[j],
				   err);
	if (!ret)
		ret = open_log(&io.log_fd, run, j, attempt, err);
	if (!ret) {
		sl_run_env_build(&env, job, changed.buf, changed0.buf);
		ret = sl_run_spawn(&slot->pid, job, env.v, &io, err);
	}
	if (io.log_fd >= 0)
		close(io.log_fd);
	sl_strvec_release(&env);
	sl_buf_release(&changed);
	sl_buf_release(&changed0);
	return ret;
}

static void start_attempt(struct run *run, struct slot *slot, size_t j,
			  unsigned attempt)
{
	struct sl_job_result *res = &run->out->results[j];
	struct sl_error err = SL_ERROR_INIT;
	uint64_t now = sl_now_ms();

	if (attempt == 1) {
		res->started_ms = now - run->t0;
		res->log = sl_xstrdup(run->prefixes[j]);
		res->log = sl_xrealloc(res->log, strlen(res->log) + 5);
		memcpy(res->log + strlen(res->log), ".log", 5);
	}
	res->attempts = attempt;
	if (spawn_attempt(run, slot, j, attempt, &err)) {
		slot->busy = false;
		finish_job(run, j, SL_JOB_ERROR,
			   sl_xstrdup(sl_error_message(&err)));
		sl_error_release(&err);
		return;
	}
	slot->busy = true;
	slot->job = j;
	slot->attempt = attempt;
	slot->deadline =
	    run->jobs[j].timeout_ms ? now + run->jobs[j].timeout_ms : RUN_NEVER;
	slot->kill_at = RUN_NEVER;
	slot->stop = STOP_NONE;
	run->running++;
	emit(run, SL_RUN_EVENT_STARTED, j, attempt);
}

static void start_more(struct run *run)
{
	size_t i;

	for (i = 0; i < run->nslots && !run->stopping; i++) {
		if (run->slots[i].busy)
			continue;
		if (run->next == run->njobs)
			break;
		start_attempt(run, &run->slots[i], run->order[run->next++], 1);
	}
}

static void skip_queue(struct run *run)
{
	while (run->next < run->njobs) {
		size_t j = run->order[run->next++];

		finish_job(run, j, SL_JOB_SKIPPED, stop_message(run, false));
	}
}

static size_t job_named(const struct run *run, const char *name)
{
	size_t j;

	for (j = 0; j < run->njobs; j++)
		if (!strcmp(run->jobs[j].name, name))
			return j;
	return SIZE_MAX;
}

static struct slot *slot_of(struct run *run, pid_t pid)
{
	size_t i;

	for (i = 0; i < run->nslots; i++)
		if (run->slots[i].busy && run->slots[i].pid == pid)
			return &run->slots[i];
	return NULL;
}

/*
 * Orphans that left the gate's process group (setsid, a daemon) came back
 * to us as subreaper. Those whose SLUICE_GATE names a gate that is over
 * (or the one whose attempt just ended) get SIGTERM now; the rest wait for
 * the end of the run (sl_run_reaper_sweep()).
 */
static void stop_orphans(struct run *run, size_t ended, uint64_t now)
{
	size_t i;

	sl_run_children(&run->kids);
	for (i = 0; i < run->kids.n; i++) {
		pid_t pid = run->kids.v[i];
		size_t j;

		if (slot_of(run, pid) ||
		    sl_run_reaper_tracks(&run->reaper, pid) ||
		    !sl_run_proc_gate(&run->scratch, pid))
			continue;
		j = job_named(run, run->scratch.buf);
		if (j != ended &&
		    (j == SIZE_MAX ||
		     run->out->results[j].status == SL_JOB_PENDING))
			continue;
		sl_run_reaper_term(&run->reaper, pid, getpgid(pid) == pid,
				   now + run->grace_ms);
	}
}

static void describe_exit(struct sl_buf *out, const struct sl_job_result *res,
			  enum sl_job_status status)
{
	if (status == SL_JOB_TIMED_OUT)
		sl_buf_adds(out, "timed out");
	else if (res->signal)
		sl_buf_addf(out, "killed by signal %d", res->signal);
	else
		sl_buf_addf(out, "exit code %d", res->exit_code);
}

/* Frees the slot of an attempt whose main process is gone. */
static void release_slot(struct run *run, struct slot *slot)
{
	slot->busy = false;
	run->running--;
	stop_orphans(run, slot->job, sl_now_ms());
}

/*
 * The attempt's main process is gone but waiting for it failed: how it
 * ended is unknown, so the gate is an error, never a pass (nor retried).
 */
static void attempt_lost(struct run *run, struct slot *slot, int errnum)
{
	struct sl_buf msg = SL_BUF_INIT;

	release_slot(run, slot);
	sl_buf_addf(&msg,
		    "cannot wait for the gate: %s; how it ended is unknown, "
		    "run it again",
		    strerror(errnum));
	finish_job(run, slot->job, SL_JOB_ERROR, sl_buf_detach(&msg, NULL));
}

/*
 * Why the log may lack what the attempt wrote, or NULL: output goes from
 * the gate straight to the file, so a write that failed was the gate's,
 * and sluice sees only what it left behind. A gate killed by SIGXFSZ, or
 * a log as large as the file size limit the gate ran under, hit that
 * limit; a file system with no room left when the gate ended cut it
 * short (or may have: the run says so rather than show a log that looks
 * whole). Caller owns the string.
 */
static char *log_cut_short(const char *path, int signal)
{
	struct rlimit lim;
	struct statvfs fs;
	struct stat st;
	uint64_t room;

	if (signal == SIGXFSZ)
		return sl_xstrdup("the gate was stopped by SIGXFSZ: its output "
				  "reached the file size limit (ulimit -f)");
	if (!path || lstat(path, &st) || !S_ISREG(st.st_mode))
		return NULL;
	if (!getrlimit(RLIMIT_FSIZE, &lim) && lim.rlim_cur != RLIM_INFINITY &&
	    (uint64_t)st.st_size >= (uint64_t)lim.rlim_cur)
		return sl_xstrdup("the log reached the file size limit "
				  "(ulimit -f)");
	if (statvfs(path, &fs))
		return NULL;
	room = (uint64_t)(geteuid() ? fs.f_bavail : fs.f_bfree) * fs.f_frsize;
	if (room < RUN_LOG_ROOM_MIN)
		return sl_xstrdup("the logs directory's file system is full "
				  "(No space left on device)");
	return NULL;
}

static void attempt_ended(struct run *run, struct slot *slot, int wstatus)
{
	size_t j = slot->job;
	struct sl_job_result *res = &run->out->results[j];
	enum sl_job_status status;

	res->exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	res->signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	if (!res->log_incomplete)
		res->log_incomplete = log_cut_short(res->log, res->signal);
	release_slot(run, slot);
	if (slot->stop == STOP_INTERRUPT) {
		finish_job(run, j, SL_JOB_ERROR, stop_message(run, true));
		return;
	}
	if (slot->stop == STOP_FAIL_FAST) {
		finish_job(run, j, SL_JOB_SKIPPED, stop_message(run, true));
		return;
	}
	if (slot->stop == STOP_TIMEOUT)
		status = SL_JOB_TIMED_OUT;
	else if (res->exit_code == 0)
		status = SL_JOB_PASSED;
	else
		status = SL_JOB_FAILED;
	if (status != SL_JOB_PASSED && slot->attempt <= run->jobs[j].retries &&
	    !run->stopping) {
		sl_buf_reset(&run->scratch);
		describe_exit(&run->scratch, res, status);
		log_note(run, j, "attempt %u of %u: %s; retrying",
			 slot->attempt, run->jobs[j].retries + 1,
			 run->scratch.buf);
		start_attempt(run, slot, j, slot->attempt + 1);
		return;
	}
	res->flaky = status == SL_JOB_PASSED && slot->attempt > 1;
	finish_job(run, j, status, NULL);
}

static void reap(struct run *run)
{
	pid_t unreaped = 0;

	for (;;) {
		struct slot *slot;
		siginfo_t si;
		int wstatus = 0, failed;

		memset(&si, 0, sizeof(si));
		/*
		 * A child we failed to reap comes back first: leave it to the
		 * next round (or the sweep) rather than spin on it.
		 */
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    !si.si_pid || si.si_pid == unreaped)
			break;
		slot = slot_of(run, si.si_pid);
		/*
		 * The exited leader, not reaped yet, keeps its group id from
		 * being reused while we stop what is left in the group.
		 */
		if (slot)
			sl_run_reaper_term(&run->reaper, si.si_pid, true,
					   slot->kill_at != RUN_NEVER
					       ? slot->kill_at
					       : sl_now_ms() + run->grace_ms);
		failed = sl_run_wait_exit(&wstatus, si.si_pid);
		if (slot && failed)
			attempt_lost(run, slot, failed);
		else if (slot)
			attempt_ended(run, slot, wstatus);
		if (failed)
			unreaped = si.si_pid;
	}
}

static void check_deadlines(struct run *run, uint64_t now)
{
	size_t i;

	for (i = 0; i < run->nslots; i++) {
		struct slot *slot = &run->slots[i];

		if (!slot->busy)
			continue;
		if (slot->stop == STOP_NONE && now >= slot->deadline) {
			slot->stop = STOP_TIMEOUT;
			term_slot(run, slot, now);
			log_note(run, slot->job,
				 "timed out after %" PRIu64
				 " ms: SIGTERM to the process group, SIGKILL "
				 "in %" PRIu64 " ms",
				 run->jobs[slot->job].timeout_ms,
				 run->grace_ms);
		}
		if (now >= slot->kill_at) {
			kill(-slot->pid, SIGKILL);
			slot->kill_at = now + 100;
		}
	}
}

static uint64_t next_wakeup(const struct run *run)
{
	uint64_t next = sl_run_reaper_next(&run->reaper);
	size_t i;

	if (run->opts->tick_ms && run->next_tick < next)
		next = run->next_tick;
	for (i = 0; i < run->nslots; i++) {
		const struct slot *slot = &run->slots[i];

		if (!slot->busy)
			continue;
		if (slot->stop == STOP_NONE && slot->deadline < next)
			next = slot->deadline;
		if (slot->kill_at < next)
			next = slot->kill_at;
	}
	return next;
}

static void wait_events(struct run *run)
{
	uint64_t next = next_wakeup(run), now = sl_now_ms();

	sl_run_signals_wait(&run->sig, next == RUN_NEVER ? RUN_NEVER
				       : next > now	 ? next - now
							 : 0);
}

static void handle_signals(struct run *run, uint64_t now)
{
	unsigned interrupts = sl_run_signals_interrupts();

	if (interrupts == run->interrupts)
		return;
	if (run->stopping != STOP_INTERRUPT)
		begin_stop(run, STOP_INTERRUPT, now);
	if (run->interrupts > 0 || interrupts > 1)
		hurry(run, now);
	run->interrupts = interrupts;
}

static void tick(struct run *run, uint64_t now)
{
	if (!run->opts->tick_ms || now < run->next_tick)
		return;
	run->next_tick = now + run->opts->tick_ms;
	emit(run, SL_RUN_EVENT_TICK, SIZE_MAX, 0);
}

static void loop(struct run *run)
{
	for (;;) {
		uint64_t now = sl_now_ms();

		handle_signals(run, now);
		reap(run);
		check_deadlines(run, now);
		sl_run_reaper_tick(&run->reaper, now);
		start_more(run);
		if (run->stopping)
			skip_queue(run);
		if (!run->running && run->next == run->njobs)
			break;
		tick(run, now);
		wait_events(run);
	}
}

/* ---- setting up: logs, order, history ------------------------------- */

/* File names for each job's log and changed-path files: <dir>/<stem>. */
static void make_prefixes(struct run *run, const char *dir)
{
	char **stems = sl_xcalloc(run->njobs ? run->njobs : 1, sizeof(*stems));
	size_t j, k;

	run->prefixes =
	    sl_xcalloc(run->njobs ? run->njobs : 1, sizeof(*run->prefixes));
	for (j = 0; j < run->njobs; j++) {
		struct sl_buf stem = SL_BUF_INIT, prefix = SL_BUF_INIT;
		bool taken = false;

		sl_run_stem(&stem, run->jobs[j].name);
		for (k = 0; k < j && !taken; k++)
			taken = !strcmp(stems[k], stem.buf);
		if (taken)
			sl_buf_addf(&stem, "-%zu", j + 1);
		stems[j] = sl_buf_detach(&stem, NULL);
		sl_buf_addf(&prefix, "%s/%s", dir, stems[j]);
		run->prefixes[j] = sl_buf_detach(&prefix, NULL);
	}
	for (j = 0; j < run->njobs; j++)
		free(stems[j]);
	free(stems);
}

static int make_logs_dir(struct run *run, struct sl_error *err)
{
	const char *dir = run->opts->logs_dir;
	struct sl_buf tmp = SL_BUF_INIT;
	int ret = 0;

	if (dir) {
		ret = sl_run_mkdirs(dir, err);
		run->out->logs_dir = sl_xstrdup(dir);
	} else {
		const char *base = getenv("TMPDIR");

		sl_buf_addf(&tmp, "%s/sluice-logs-XXXXXX",
			    base && *base ? base : "/tmp");
		if (!mkdtemp(tmp.buf))
			ret = sl_error_set(err, SL_EENV,
					   "cannot create a logs directory in "
					   "'%s': %s",
					   base && *base ? base : "/tmp",
					   strerror(errno));
		else
			run->out->logs_dir = sl_buf_detach(&tmp, NULL);
	}
	sl_buf_release(&tmp);
	return ret;
}

struct ranked {
	size_t job;
	int64_t estimate; /* -1: unknown */
};

/* Unknown gates first (file order), then the longest first. */
static int compare_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if ((x->estimate < 0) != (y->estimate < 0))
		return x->estimate < 0 ? -1 : 1;
	if (x->estimate != y->estimate)
		return x->estimate > y->estimate ? -1 : 1;
	return (x->job > y->job) - (x->job < y->job);
}

static void plan_order(struct run *run, const int64_t *estimates)
{
	struct ranked *ranked =
	    sl_xcalloc(run->njobs ? run->njobs : 1, sizeof(*ranked));
	size_t j;

	for (j = 0; j < run->njobs; j++) {
		ranked[j].job = j;
		ranked[j].estimate = estimates ? estimates[j] : 0;
	}
	qsort(ranked, run->njobs, sizeof(*ranked), compare_ranked);
	for (j = 0; j < run->njobs; j++)
		run->order[j] = ranked[j].job;
	free(ranked);
}

static void warn(struct run *run, struct sl_error *err, const char *what)
{
	sl_strvec_pushf(&run->out->warnings, "%s; %s", sl_error_message(err),
			what);
	sl_error_reset(err);
}

/*
 * Orders the jobs by the history, and closes it again: while the gates
 * run, the history is one complete file (no write-ahead log beside it),
 * so that a cache or a copy taken then, or left by a run that was killed,
 * is whole. record_history() opens it again.
 */
static void order_by_history(struct run *run)
{
	struct sl_error err = SL_ERROR_INIT;
	struct run_history *history = NULL;
	int64_t *estimates;

	if (!run->opts->history) {
		plan_order(run, NULL);
		return;
	}
	estimates = sl_xcalloc(run->njobs ? run->njobs : 1, sizeof(*estimates));
	if (sl_run_history_open(&history, run->opts->history, &err) ||
	    sl_run_history_estimates(estimates, history, run->jobs, run->njobs,
				     &err)) {
		warn(run, &err, "gates start in the order given");
		plan_order(run, NULL);
		run->history_failed = true;
	} else {
		plan_order(run, estimates);
	}
	sl_run_history_close(history);
	free(estimates);
	sl_error_release(&err);
}

static void record_history(struct run *run)
{
	struct sl_error err = SL_ERROR_INIT;
	struct run_history *history = NULL;

	if (!run->opts->history || run->history_failed)
		return;
	if (sl_run_history_open(&history, run->opts->history, &err) ||
	    sl_run_history_record(history, run->jobs, run->out->results,
				  run->njobs, &err))
		warn(run, &err, "this run's durations are not recorded");
	sl_run_history_close(history);
	sl_error_release(&err);
}

static void run_release(struct run *run)
{
	size_t j;

	for (j = 0; run->prefixes && j < run->njobs; j++)
		free(run->prefixes[j]);
	free(run->prefixes);
	free(run->order);
	free(run->slots);
	sl_run_reaper_release(&run->reaper);
	sl_run_pids_release(&run->kids);
	sl_buf_release(&run->scratch);
}

static size_t slot_count(const struct sl_run_options *opts, size_t njobs)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = opts->jobs ? opts->jobs : (cpus > 0 ? (size_t)cpus : 1);

	return n < njobs ? n : (njobs ? njobs : 1);
}

static void init_results(struct sl_run_result *out, size_t njobs)
{
	size_t j;

	out->results = sl_xcalloc(njobs ? njobs : 1, sizeof(*out->results));
	out->n = njobs;
	for (j = 0; j < njobs; j++)
		out->results[j].exit_code = -1;
}

int sl_run(struct sl_run_result *out, const struct sl_job *jobs, size_t njobs,
	   const struct sl_run_options *opts, struct sl_error *err)
{
	struct run run;
	int ret;

	memset(&run, 0, sizeof(run));
	run.jobs = jobs;
	run.njobs = njobs;
	run.opts = opts;
	run.out = out;
	run.grace_ms = opts->grace_ms;
	run.scratch = (struct sl_buf)SL_BUF_INIT;
	run.t0 = sl_now_ms();
	init_results(out, njobs);
	ret = make_logs_dir(&run, err);
	if (ret)
		goto out;
	make_prefixes(&run, out->logs_dir);
	run.order = sl_xcalloc(njobs ? njobs : 1, sizeof(*run.order));
	order_by_history(&run);
	ret = sl_run_signals_install(&run.sig, err);
	if (ret)
		goto out;
	run.nslots = slot_count(opts, njobs);
	run.slots = sl_xcalloc(run.nslots, sizeof(*run.slots));
	run.reaper.grace_ms = run.grace_ms;
	run.next_tick = run.t0 + opts->tick_ms;

	loop(&run);
	sl_run_reaper_sweep(&run.reaper, &run.sig, &out->warnings);
	out->signal = sl_run_signals_interrupted();
	sl_run_signals_restore(&run.sig);
	record_history(&run);
	if (out->signal)
		ret = sl_error_set(err, SL_EINTR, "interrupted by %s",
				   signal_name(out->signal));
out:
	out->duration_ms = sl_now_ms() - run.t0;
	run_release(&run);
	return ret;
}
