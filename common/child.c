/*
 * child.c: running a program sluice trusts for a decision (ssh-keygen,
 * git) to completion, and finding it. A program is found once, on PATH as
 * it is before any gate runs, and run by its absolute path from then on
 * (SPEC.md §5: never looked up in PATH again). It runs with a fixed argv (no
 * shell), no descriptor of sluice's but stdin, stdout and stderr
 * (closefrom(3) in the child, whatever a caller left open), its output
 * captured (bounded), and a deadline after which it is killed, even when
 * it has closed its output. What the program is asked, and what its
 * answer means, is the caller's.
 */
#include "common/common.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- finding a program ------------------------------------------------- */

static bool executable_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

int sl_program_resolve(struct sl_buf *out, const char *name,
		       struct sl_error *err)
{
	const char *path = getenv("PATH"), *p, *end;

	sl_buf_reset(out);
	if (strchr(name, '/')) {
		if (*name != '/' || !executable_file(name))
			return sl_error_set(err, SL_EENV,
					    "'%s' is not an executable file "
					    "named by its absolute path",
					    name);
		sl_buf_adds(out, name);
		return 0;
	}
	for (p = path ? path : ""; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		/* A relative entry ("", ".") means another program in
		 * another directory: never one sluice trusts. */
		if (*p != '/')
			continue;
		sl_buf_reset(out);
		sl_buf_add(out, p, (size_t)(end - p));
		sl_buf_addch(out, '/');
		sl_buf_adds(out, name);
		if (executable_file(out->buf))
			return 0;
	}
	sl_buf_reset(out);
	return sl_error_set(err, SL_EENV,
			    "cannot find '%s' in any absolute directory of "
			    "PATH: install it, or add its directory to PATH",
			    name);
}

void sl_programs_find(struct sl_programs *out)
{
	static const char *const names[SL_PROGRAM_COUNT] = {"git",
							    "ssh-keygen"};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf path = SL_BUF_INIT;
	size_t i;

	sl_programs_release(out);
	for (i = 0; i < SL_PROGRAM_COUNT; i++) {
		if (sl_program_resolve(&path, names[i], &err))
			out->missing[i] = sl_xstrdup(sl_error_message(&err));
		else
			out->path[i] = sl_xstrdup(path.buf);
		sl_error_reset(&err);
	}
	sl_buf_release(&path);
	sl_error_release(&err);
}

int sl_programs_get(const char **out, const struct sl_programs *p,
		    enum sl_program which, struct sl_error *err)
{
	*out = p->path[which];
	if (*out)
		return 0;
	return sl_error_set(err, SL_EENV, "%s",
			    p->missing[which]
				? p->missing[which]
				: "the program was not looked for");
}

void sl_programs_release(struct sl_programs *p)
{
	size_t i;

	for (i = 0; i < SL_PROGRAM_COUNT; i++) {
		free(p->path[i]);
		free(p->missing[i]);
		p->path[i] = p->missing[i] = NULL;
	}
}

/* ---- running it -------------------------------------------------------- */

/* environ with each NAME=VALUE of set replacing or adding NAME. */
static char **child_environ(const char *const *set)
{
	size_t n = 0, nset = 0, i, j, k = 0;
	char **env;

	while (environ[n])
		n++;
	while (set && set[nset])
		nset++;
	env = sl_xcalloc(n + nset + 1, sizeof(*env));
	for (i = 0; i < n; i++) {
		bool replaced = false;

		for (j = 0; j < nset && !replaced; j++) {
			size_t len = strcspn(set[j], "=") + 1;

			replaced = !strncmp(environ[i], set[j], len);
		}
		if (!replaced)
			env[k++] = environ[i];
	}
	for (j = 0; j < nset; j++)
		env[k++] = (char *)set[j];
	return env;
}

static int spawn(pid_t *pid, int out_fd, const struct sl_child *c)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask, dflt;
	char **env = child_environ(c->env);
	int ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	if (c->stdin_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, c->stdin_fd, 0);
	else if (!c->interactive)
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
						 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	if (!c->interactive)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
	/* Whatever the caller left open without O_CLOEXEC stays here. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	sigemptyset(&mask);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_setsigmask(&attr, &mask);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);
	/* Never posix_spawnp(): PATH may hold what a gate planted. */
	ret = posix_spawn(pid, c->program, &fa, &attr, (char *const *)c->argv,
			  env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(env);
	return ret;
}

/* How reading the child's output ended. */
enum collected {
	COLLECT_EOF,	 /* it closed its output: it is done, or nearly */
	COLLECT_TIMEOUT, /* the deadline passed first */
	COLLECT_FAILED,	 /* poll() or read() failed: errno says why */
};

/* Reads fd into c->output until EOF, an error or the deadline. */
static enum collected collect(int fd, struct sl_child *c, uint64_t deadline)
{
	size_t max = c->output_max ? c->output_max : SL_CHILD_OUTPUT_MAX;
	char chunk[4096];

	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		uint64_t now = sl_now_ms();
		ssize_t n;
		int ready;

		if (now >= deadline)
			return COLLECT_TIMEOUT;
		ready = poll(&pfd, 1, (int)(deadline - now));
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return COLLECT_FAILED;
		if (!ready)
			return COLLECT_TIMEOUT;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return COLLECT_FAILED;
		if (!n)
			return COLLECT_EOF;
		if (c->output.len < max)
			sl_buf_add(&c->output, chunk,
				   SL_MIN((size_t)n, max - c->output.len));
	}
}

/*
 * Waits for pid until the deadline, then kills it: a child that closed its
 * output but does not exit cannot hang sluice either. 0 with *status (as
 * waitpid() gives it), 1 when it had to be killed, -1 when waiting failed
 * (errno says why: ECHILD when something else reaped it, so its pid is not
 * ours to kill any more).
 */
static int reap(pid_t pid, uint64_t deadline, int *status)
{
	const struct timespec nap = {0, 2 * 1000 * 1000};
	pid_t got;

	for (;;) {
		got = waitpid(pid, status, WNOHANG);
		if (got == pid)
			return 0;
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (sl_now_ms() >= deadline)
			break;
		nanosleep(&nap, NULL);
	}
	kill(pid, SIGKILL);
	/* SIGKILL cannot be caught: this wait is short. */
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 1;
}

int sl_child_run(struct sl_child *c, struct sl_error *err)
{
	uint64_t deadline = sl_now_ms() + c->timeout_ms;
	const char *what = c->what	? c->what
			   : c->program ? c->program
					: "a program";
	enum collected how;
	int fds[2], status = 0, saved = 0, reaped;
	pid_t pid;
	int ret;

	c->status = -1;
	if (!c->program)
		return sl_error_set(err, SL_EENV,
				    "cannot run %s: it was not found in any "
				    "absolute directory of PATH when sluice "
				    "started%s%s",
				    what, c->install ? "; install " : "",
				    c->install ? c->install : "");
	if (*c->program != '/')
		return sl_error_set(err, SL_EENV,
				    "cannot run '%s': a program sluice trusts "
				    "is run by its absolute path, never looked "
				    "up in PATH",
				    c->program);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return sl_error_set(err, SL_EENV, "cannot create a pipe: %s",
				    strerror(errno));
	ret = spawn(&pid, fds[1], c);
	close(fds[1]);
	if (ret) {
		close(fds[0]);
		return sl_error_set(err, SL_EENV, "cannot run '%s': %s%s%s",
				    c->program, strerror(ret),
				    c->install ? "; install " : "",
				    c->install ? c->install : "");
	}
	how = collect(fds[0], c, deadline);
	if (how == COLLECT_FAILED)
		saved = errno;
	close(fds[0]);
	if (how != COLLECT_EOF)
		kill(pid, SIGKILL);
	reaped = reap(pid, deadline, &status);
	if (reaped < 0)
		return sl_error_set(err, SL_EENV,
				    "%s failed: cannot wait for '%s': %s", what,
				    c->program, strerror(errno));
	if (how == COLLECT_FAILED)
		return sl_error_set(err, SL_EENV,
				    "%s failed: cannot read the output of "
				    "'%s': %s; it was stopped",
				    what, c->program, strerror(saved));
	if (how == COLLECT_TIMEOUT || reaped)
		return sl_error_set(err, SL_EENV,
				    "%s failed: '%s' did not finish within "
				    "%u s: it was stopped",
				    what, c->program, c->timeout_ms / 1000);
	if (WIFSIGNALED(status))
		return sl_error_set(err, SL_EENV,
				    "%s failed: '%s' was killed by signal %d "
				    "(%s); retry, and check the %s "
				    "installation if it recurs",
				    what, c->program, WTERMSIG(status),
				    strsignal(WTERMSIG(status)),
				    c->package ? c->package : what);
	c->status = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
	return 0;
}

void sl_child_message(struct sl_buf *out, const struct sl_child *c)
{
	bool space = false;
	size_t i;

	for (i = 0; i < c->output.len; i++) {
		unsigned char ch = (unsigned char)c->output.buf[i];

		if (ch == '\n' || ch == '\r' || ch == '\t') {
			space = out->len > 0;
			continue;
		}
		if (ch < ' ' || ch == 0x7f)
			continue;
		if (space)
			sl_buf_adds(out, "; ");
		space = false;
		sl_buf_addch(out, ch);
	}
	if (!out->len)
		sl_buf_addf(out, "exit status %d", c->status);
}

void sl_child_release(struct sl_child *c)
{
	sl_buf_release(&c->output);
}
