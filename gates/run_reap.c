/*
 * run_reap.c: making sure nothing a gate started outlives it for long, nor
 * the run at all. Lists this process's children (sluice is a subreaper, so
 * orphaned descendants of gates become its children), tells which gate an
 * orphan came from by the SLUICE_GATE in its environment, and stops what
 * is left: SIGTERM, then SIGKILL once the grace period is over. Which gate
 * ended and when is run.c's business.
 */
#include "common/common.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gates/run_internal.h"

void sl_run_pids_release(struct run_pids *pids)
{
	free(pids->v);
	pids->v = NULL;
	pids->n = pids->alloc = 0;
}

static void pids_add(struct run_pids *pids, pid_t pid)
{
	SL_ALLOC_GROW(pids->v, pids->n + 1, pids->alloc);
	pids->v[pids->n++] = pid;
}

static int read_small(struct sl_buf *out, const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return -1;
	do {
		sl_buf_grow(out, 4096);
		got = read(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (got > 0)
			sl_buf_setlen(out, out->len + (size_t)got);
	} while ((got > 0 || (got < 0 && errno == EINTR)) && out->len < max);
	close(fd);
	return got < 0 ? -1 : 0;
}

static void parse_pids(struct run_pids *pids, const char *text)
{
	while (*text) {
		char *end;
		long pid = strtol(text, &end, 10);

		if (end == text)
			break;
		if (pid > 0)
			pids_add(pids, (pid_t)pid);
		text = end;
	}
}

/* The kernel's own list: /proc/self/task/<tid>/children for each thread. */
static int children_from_tasks(struct run_pids *pids)
{
	DIR *dir = opendir("/proc/self/task");
	struct sl_buf path = SL_BUF_INIT, text = SL_BUF_INIT;
	struct dirent *de;
	int ret = 0;

	if (!dir)
		return -1;
	while (!ret && (de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		sl_buf_reset(&path);
		sl_buf_addf(&path, "/proc/self/task/%s/children", de->d_name);
		sl_buf_reset(&text);
		/*
		 * No such file without CONFIG_PROC_CHILDREN, or a thread
		 * that just ended: scanning /proc is slower but sure.
		 */
		if (read_small(&text, path.buf, SIZE_MAX) < 0)
			ret = -1;
		else
			parse_pids(pids, text.buf);
	}
	closedir(dir);
	sl_buf_release(&path);
	sl_buf_release(&text);
	return ret;
}

/* The parent pid in /proc/<pid>/stat (after the parenthesised name). */
static pid_t stat_ppid(const char *pid)
{
	struct sl_buf path = SL_BUF_INIT, text = SL_BUF_INIT;
	const char *p;
	pid_t ppid = 0;

	sl_buf_addf(&path, "/proc/%s/stat", pid);
	if (!read_small(&text, path.buf, 4096)) {
		p = strrchr(text.buf, ')');
		if (p && p[1] == ' ' && p[2] && p[3] == ' ')
			ppid = (pid_t)strtol(p + 4, NULL, 10);
	}
	sl_buf_release(&path);
	sl_buf_release(&text);
	return ppid;
}

static void children_from_scan(struct run_pids *pids)
{
	DIR *dir = opendir("/proc");
	pid_t self = getpid();
	struct dirent *de;

	if (!dir)
		return;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (stat_ppid(de->d_name) == self)
			pids_add(pids, (pid_t)strtol(de->d_name, NULL, 10));
	}
	closedir(dir);
}

void sl_run_children(struct run_pids *pids)
{
	pids->n = 0;
	if (children_from_tasks(pids) < 0) {
		pids->n = 0;
		children_from_scan(pids);
	}
}

bool sl_run_proc_gate(struct sl_buf *out, pid_t pid)
{
	static const char key[] = "SLUICE_GATE=";
	struct sl_buf path = SL_BUF_INIT, env = SL_BUF_INIT;
	bool found = false;
	size_t i = 0;

	sl_buf_addf(&path, "/proc/%ld/environ", (long)pid);
	if (!read_small(&env, path.buf, 1024 * 1024)) {
		while (i < env.len && !found) {
			const char *entry = env.buf + i;
			size_t len = strnlen(entry, env.len - i);

			if (len >= sizeof(key) - 1 &&
			    !memcmp(entry, key, sizeof(key) - 1)) {
				sl_buf_reset(out);
				sl_buf_add(out, entry + sizeof(key) - 1,
					   len - (sizeof(key) - 1));
				found = true;
			}
			i += len + 1;
		}
	}
	sl_buf_release(&path);
	sl_buf_release(&env);
	return found;
}

void sl_run_reaper_release(struct run_reaper *reaper)
{
	free(reaper->v);
	reaper->v = NULL;
	reaper->n = reaper->alloc = 0;
}

static int signal_target(pid_t id, bool group, int signo)
{
	return kill(group ? -id : id, signo);
}

void sl_run_reaper_term(struct run_reaper *reaper, pid_t id, bool group,
			uint64_t kill_at)
{
	size_t i;

	if (signal_target(id, group, SIGTERM) < 0)
		return;
	/* A stopped process would never see the SIGTERM. */
	signal_target(id, group, SIGCONT);
	for (i = 0; i < reaper->n; i++) {
		if (reaper->v[i].id == id && reaper->v[i].group == group) {
			if (kill_at < reaper->v[i].kill_at)
				reaper->v[i].kill_at = kill_at;
			return;
		}
	}
	SL_ALLOC_GROW(reaper->v, reaper->n + 1, reaper->alloc);
	reaper->v[reaper->n].id = id;
	reaper->v[reaper->n].group = group;
	reaper->v[reaper->n].kill_at = kill_at;
	reaper->n++;
}

bool sl_run_reaper_tracks(const struct run_reaper *reaper, pid_t pid)
{
	size_t i;

	for (i = 0; i < reaper->n; i++)
		if (reaper->v[i].id == pid)
			return true;
	return false;
}

void sl_run_reaper_tick(struct run_reaper *reaper, uint64_t now)
{
	size_t i, j = 0;

	for (i = 0; i < reaper->n; i++) {
		struct run_lingerer *l = &reaper->v[i];

		if (signal_target(l->id, l->group, 0) < 0 && errno == ESRCH)
			continue;
		if (now >= l->kill_at) {
			signal_target(l->id, l->group, SIGKILL);
			/* Check again soon, without spinning on a slow death. */
			l->kill_at = now + 100;
		}
		reaper->v[j++] = *l;
	}
	reaper->n = j;
}

uint64_t sl_run_reaper_next(const struct run_reaper *reaper)
{
	uint64_t next = RUN_NEVER;
	size_t i;

	for (i = 0; i < reaper->n; i++)
		if (reaper->v[i].kill_at < next)
			next = reaper->v[i].kill_at;
	return next;
}

void sl_run_reaper_hurry(struct run_reaper *reaper, uint64_t now)
{
	size_t i;

	for (i = 0; i < reaper->n; i++)
		if (reaper->v[i].kill_at > now)
			reaper->v[i].kill_at = now;
}

void sl_run_reap_all(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int sl_run_wait_exit(int *out_wstatus, pid_t pid)
{
	int wstatus = 0;

	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR)
			return errno;
	}
	*out_wstatus = wstatus;
	return 0;
}

/* Does this process have a child, dead or alive? */
static bool has_children(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/* SIGTERM (SIGKILL at the deadline) to each child not stopped yet. */
static void sweep_children(struct run_reaper *reaper,
			   const struct run_pids *kids, uint64_t now)
{
	size_t i;

	for (i = 0; i < kids->n; i++) {
		if (sl_run_reaper_tracks(reaper, kids->v[i]))
			continue;
		sl_run_reaper_term(reaper, kids->v[i],
				   getpgid(kids->v[i]) == kids->v[i],
				   now + reaper->grace_ms);
		if (!sl_run_reaper_tracks(reaper, kids->v[i]))
			sl_run_reaper_term(reaper, kids->v[i], false,
					   now + reaper->grace_ms);
	}
}

/*
 * How long to sleep: until the next SIGKILL is due, at most 50 ms. A death
 * among our children wakes us (SIGCHLD); the bound matters for a child the
 * list did not show yet, and for one we cannot signal.
 */
static uint64_t sweep_timeout(const struct run_reaper *reaper, uint64_t now)
{
	uint64_t next = sl_run_reaper_next(reaper);

	if (next <= now)
		return 0;
	return next - now < 50 ? next - now : 50;
}

/* Says which children the sweep leaves behind, and that they may run. */
static void sweep_give_up(struct sl_strvec *warnings,
			  const struct run_pids *kids, uint64_t waited_ms)
{
	const char *it = kids->n == 1 ? "it" : "them";
	struct sl_buf msg = SL_BUF_INIT;
	size_t i;

	sl_buf_addf(&msg,
		    "gave up on %s a gate left behind, still there %" PRIu64
		    " ms after SIGTERM and SIGKILL (sluice may not signal %s, "
		    "or %s stuck in the kernel):",
		    kids->n == 1 ? "a process" : "processes", waited_ms, it,
		    kids->n == 1 ? "it is" : "they are");
	for (i = 0; i < kids->n; i++)
		sl_buf_addf(&msg, " %ld", (long)kids->v[i]);
	if (!kids->n)
		sl_buf_adds(&msg, " (pids unknown)");
	sl_buf_addf(&msg, "; end %s by hand", it);
	sl_strvec_push(warnings, msg.buf);
	sl_buf_release(&msg);
}

void sl_run_reaper_sweep(struct run_reaper *reaper, struct run_signals *sig,
			 struct sl_strvec *warnings)
{
	struct run_pids kids = {NULL, 0, 0};
	unsigned seen = sl_run_signals_interrupts();
	uint64_t start = sl_now_ms();
	uint64_t give_up_at = start + reaper->grace_ms + RUN_SWEEP_SLACK_MS;

	for (;;) {
		uint64_t now = sl_now_ms();

		sl_run_reap_all();
		if (!has_children())
			break;
		/* A signal now, or a second one at all: no more grace. */
		if (sl_run_signals_interrupts() != seen ||
		    sl_run_signals_interrupts() >= 2) {
			seen = sl_run_signals_interrupts();
			reaper->grace_ms = 0;
			sl_run_reaper_hurry(reaper, now);
			if (now + RUN_SWEEP_SLACK_MS < give_up_at)
				give_up_at = now + RUN_SWEEP_SLACK_MS;
		}
		sl_run_children(&kids);
		/* What SIGKILL does not end in time, nothing we do will. */
		if (now >= give_up_at) {
			sweep_give_up(warnings, &kids, now - start);
			break;
		}
		sweep_children(reaper, &kids, now);
		sl_run_reaper_tick(reaper, now);
		sl_run_signals_wait(sig, sweep_timeout(reaper, now));
	}
	sl_run_pids_release(&kids);
	reaper->n = 0;
}
