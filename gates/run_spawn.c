/*
 * run_spawn.c: how a gate's process starts. Builds its environment (the
 * inherited one without sluice's own SLUICE_* settings, the gate's env,
 * then the SLUICE_* contract), writes the
 * files that carry its changed paths (paths are data, never part of a
 * command line), and starts it with fork() and exec in its own process
 * group, in its cwd resolved (never outside the repository), stdin from
 * /dev/null, stdout and stderr to its log, signal state reset, and set to
 * die with sluice (PR_SET_PDEATHSIG). Every descriptor the runner opens is close-on-exec, so a
 * gate gets only 0, 1 and 2. Deciding when to start or stop is run.c's.
 */
#include "common/common.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gates/run_internal.h"

extern char **environ;

size_t sl_run_env_vars(struct run_var *out, const struct sl_job *job,
		       const char *changed, const char *changed0)
{
	const struct run_var contract[RUN_CONTRACT_VARS] = {
	    {"SLUICE_GATE", job->name ? job->name : ""},
	    {"SLUICE_KIND", job->kind ? job->kind : ""},
	    {"SLUICE_LANE", job->lane ? job->lane : ""},
	    {"SLUICE_BASE", job->base ? job->base : ""},
	    {"SLUICE_HEAD", job->head ? job->head : ""},
	    {"SLUICE_ROOT", job->root ? job->root : ""},
	    {"SLUICE_CHANGED", changed},
	    {"SLUICE_CHANGED0", changed0},
	    {"PWD", job->cwd ? job->cwd : ""},
	};
	size_t n = 0, i, j;

	for (i = 0; i < job->nenv; i++) {
		out[n].name = job->env[i].name;
		out[n].value = job->env[i].value;
		n++;
	}
	for (i = 0; i < RUN_CONTRACT_VARS; i++)
		out[n++] = contract[i];
	/* Keep the last of each name: the contract wins over the gate. */
	for (i = 0, j = 0; i < n; i++) {
		size_t k;
		bool later = false;

		for (k = i + 1; k < n && !later; k++)
			later = !strcmp(out[i].name, out[k].name);
		if (!later)
			out[j++] = out[i];
	}
	return j;
}

static bool env_overridden(const char *entry, const struct run_var *vars,
			   size_t n)
{
	const char *eq = strchr(entry, '=');
	size_t len = eq ? (size_t)(eq - entry) : strlen(entry);
	size_t i;

	for (i = 0; i < n; i++)
		if (!strncmp(entry, vars[i].name, len) &&
		    vars[i].name[len] == '\0')
			return true;
	return false;
}

bool sl_run_env_inherits(const char *entry)
{
	return strncmp(entry, "SLUICE_", 7) != 0;
}

void sl_run_env_build(struct sl_strvec *out, const struct sl_job *job,
		      const char *changed, const char *changed0)
{
	struct run_var *vars =
	    sl_xcalloc(sl_st_add(job->nenv, RUN_CONTRACT_VARS), sizeof(*vars));
	size_t n = sl_run_env_vars(vars, job, changed, changed0);
	char **e;
	size_t i;

	for (e = environ; e && *e; e++)
		if (sl_run_env_inherits(*e) && !env_overridden(*e, vars, n))
			sl_strvec_push(out, *e);
	for (i = 0; i < n; i++)
		sl_strvec_pushf(out, "%s=%s", vars[i].name, vars[i].value);
	free(vars);
}

static bool stem_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

void sl_run_stem(struct sl_buf *out, const char *name)
{
	size_t start = out->len;

	for (; *name; name++)
		sl_buf_addch(out, stem_char(*name) ? *name : '_');
	if (out->len == start)
		sl_buf_adds(out, "_gate");
	else if (out->buf[start] == '.')
		out->buf[start] = '_';
}

int sl_run_mkdirs(const char *path, struct sl_error *err)
{
	struct sl_buf dir = SL_BUF_INIT;
	struct stat st;
	size_t i;
	int ret = 0;

	sl_buf_adds(&dir, path);
	for (i = 1; i <= dir.len && !ret; i++) {
		char saved = dir.buf[i];

		if (saved != '/' && saved != '\0')
			continue;
		dir.buf[i] = '\0';
		if (mkdir(dir.buf, 0700) < 0 && errno != EEXIST)
			ret = sl_error_set(err, SL_EENV,
					   "cannot create directory '%s': %s",
					   dir.buf, strerror(errno));
		dir.buf[i] = saved;
	}
	if (!ret && (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)))
		ret =
		    sl_error_set(err, SL_EENV, "'%s' is not a directory", path);
	sl_buf_release(&dir);
	return ret;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t got = write(fd, data, len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		data += got;
		len -= (size_t)got;
	}
	return 0;
}

static int write_file(const char *path, const struct sl_buf *data,
		      struct sl_error *err)
{
	int fd, ret;

	/* Beside the log, in a directory that may be shared: made anew,
	 * never written through a link (sl_file_create()). */
	ret = sl_file_create(&fd, path, 0600, err);
	if (ret)
		return ret;
	if (write_all(fd, data->buf, data->len) < 0)
		ret = sl_error_set(err, SL_EENV, "cannot write '%s': %s", path,
				   strerror(errno));
	if (close(fd) < 0 && !ret)
		ret = sl_error_set(err, SL_EENV, "cannot write '%s': %s", path,
				   strerror(errno));
	return ret;
}

int sl_run_changed_write(struct sl_buf *changed, struct sl_buf *changed0,
			 const struct sl_job *job, const char *prefix,
			 struct sl_error *err)
{
	struct sl_buf lines = SL_BUF_INIT, nuls = SL_BUF_INIT;
	size_t i;
	int ret;

	for (i = 0; i < job->nchanged; i++) {
		sl_buf_add(&lines, job->changed[i].data, job->changed[i].len);
		sl_buf_addch(&lines, '\n');
		sl_buf_add(&nuls, job->changed[i].data, job->changed[i].len);
		sl_buf_addch(&nuls, '\0');
	}
	sl_buf_reset(changed);
	sl_buf_addf(changed, "%s.changed", prefix);
	sl_buf_reset(changed0);
	sl_buf_addf(changed0, "%s.changed0", prefix);
	ret = write_file(changed->buf, &lines, err);
	if (!ret)
		ret = write_file(changed0->buf, &nuls, err);
	sl_buf_release(&lines);
	sl_buf_release(&nuls);
	return ret;
}

/* The value of PATH in envp, or the system's default search path. */
static const char *env_path(char *const *envp)
{
	for (; *envp; envp++)
		if (!strncmp(*envp, "PATH=", 5))
			return *envp + 5;
	return "/bin:/usr/bin";
}

/*
 * Finds argv[0] as execvp() would, but in the gate's PATH and relative to
 * its cwd (posix_spawnp() would search sluice's own PATH).
 */
static int resolve_command(struct sl_buf *out, const struct sl_job *job,
			   char *const *envp, struct sl_error *err)
{
	const char *name = job->argv.v[0];
	const char *dirs = env_path(envp);
	struct sl_buf probe = SL_BUF_INIT;
	int ret = SL_EENV;

	if (strchr(name, '/') || !*name) {
		sl_buf_adds(out, name);
		return 0;
	}
	while (ret) {
		const char *colon = strchr(dirs, ':');
		size_t len = colon ? (size_t)(colon - dirs) : strlen(dirs);

		sl_buf_reset(out);
		if (len)
			sl_buf_add(out, dirs, len);
		else
			sl_buf_addch(out, '.');
		sl_buf_addf(out, "/%s", name);
		sl_buf_reset(&probe);
		if (out->buf[0] != '/')
			sl_buf_addf(&probe, "%s/", job->cwd);
		sl_buf_adds(&probe, out->buf);
		if (!access(probe.buf, X_OK))
			ret = 0;
		if (!colon)
			break;
		dirs = colon + 1;
	}
	sl_buf_release(&probe);
	if (ret)
		return sl_error_set(err, SL_EENV,
				    "cannot run '%s': command not found in "
				    "the gate's PATH",
				    name);
	return 0;
}

/* What the child reports when it cannot exec: which step, and errno. */
struct child_failure {
	int step;
	int errnum;
};

enum child_step {
	STEP_PDEATHSIG = 1,
	STEP_PARENT_GONE,
	STEP_TERMINAL,
	STEP_STDIO,
	STEP_CWD,
	STEP_EXEC
};

static const char *const step_names[] = {
    [STEP_PDEATHSIG] = "cannot ask to die with sluice (prctl)",
    [STEP_PARENT_GONE] = "sluice was gone before the gate started",
    [STEP_TERMINAL] = "cannot give it the terminal",
    [STEP_STDIO] = "cannot set up its stdin and output",
    [STEP_CWD] = "cannot enter its working directory",
    [STEP_EXEC] = "cannot run it",
};

static SL_NORETURN void child_fail(int fd, enum child_step step)
{
	struct child_failure f = {(int)step, errno};
	ssize_t n = write(fd, &f, sizeof(f));

	(void)n;
	_exit(127);
}

/*
 * The child, between fork() and exec: only async-signal-safe calls. Every
 * signal is blocked on entry (the parent blocked them around fork()), so
 * none of sluice's handlers runs here.
 */
static SL_NORETURN void child(const char *path, const char *const *argv,
			      char *const *envp, const char *cwd,
			      const struct run_stdio *io, pid_t parent,
			      int report)
{
	struct sigaction dfl;
	sigset_t none;
	int sig, null;

	setpgid(0, 0);
	/*
	 * Die with sluice: a SIGKILL to sluice (a CI runner's last word on
	 * cancel) leaves it no chance to stop its gates. The signal comes
	 * when the thread that forked exits, which for sluice is the main
	 * one. prctl(2): the parent may have died before the call, and then
	 * nothing will ever come, so look at who the parent is now.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		child_fail(report, STEP_PDEATHSIG);
	if (getppid() != parent) {
		errno = ESRCH;
		child_fail(report, STEP_PARENT_GONE);
	}
	if (io->tty_fd >= 0 && tcsetpgrp(io->tty_fd, getpgrp()))
		child_fail(report, STEP_TERMINAL);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	if (io->log_fd >= 0) {
		null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(io->log_fd, 1) < 0 ||
		    dup2(io->log_fd, 2) < 0)
			child_fail(report, STEP_STDIO);
	}
	/*
	 * Our own descriptors are close-on-exec already; this also covers
	 * any a library or the caller opened without it. report stays
	 * (close-on-exec: exec closes it, which tells the parent).
	 */
	if (report > 3)
		close_range(3, (unsigned)report - 1, 0);
	close_range((unsigned)report + 1, ~0U, 0);
	if (chdir(cwd))
		child_fail(report, STEP_CWD);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* execve() does not change argv; its prototype is old. */
	execve(path, (char *const *)argv, envp);
	child_fail(report, STEP_EXEC);
}

/*
 * Forks and execs: fork() rather than posix_spawn(), because the child
 * must ask to die with sluice (PR_SET_PDEATHSIG) before it execs, which
 * posix_spawn() has no action for. A pipe closed by exec says it ran; a
 * failure before it comes back through the pipe as the step and errno.
 */
static int fork_exec(pid_t *out, const char *path, const char *const *argv,
		     char *const *envp, const char *cwd,
		     const struct run_stdio *io, struct sl_error *err)
{
	struct child_failure f = {0, 0};
	sigset_t all, saved;
	pid_t parent = getpid(), pid;
	int fds[2], errnum;
	ssize_t n;

	/* The child's end must not land on 0, 1 or 2, which it sets up. */
	if (pipe2(fds, O_CLOEXEC))
		return sl_error_set(err, SL_EENV, "cannot run '%s': %s", path,
				    strerror(errno));
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &saved);
	pid = fork();
	if (pid == 0)
		child(path, argv, envp, cwd, io, parent, fds[1]);
	errnum = errno;
	sigprocmask(SIG_SETMASK, &saved, NULL);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return sl_error_set(err, SL_EENV, "cannot run '%s': %s", path,
				    strerror(errnum));
	}
	do
		n = read(fds[0], &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n == (ssize_t)sizeof(f)) {
		int ignored;

		sl_run_wait_exit(&ignored, pid);
		return sl_error_set(
		    err, SL_EENV, "cannot run '%s': %s: %s", path,
		    f.step > 0 && f.step < (int)SL_ARRAY_SIZE(step_names)
			? step_names[f.step]
			: "it failed to start",
		    strerror(f.errnum));
	}
	*out = pid;
	return 0;
}

/*
 * The gate's working directory with every link resolved, now, at run time:
 * a cwd inside the repository that is a link to a directory outside it
 * (the change under test can add one) would run the gate elsewhere. It
 * must be the root or under it, with the root resolved too; the child
 * enters the resolved path.
 */
static int real_cwd(struct sl_buf *out, const struct sl_job *job,
		    struct sl_error *err)
{
	char *cwd = realpath(job->cwd, NULL);
	char *root = job->root ? realpath(job->root, NULL) : NULL;
	size_t n = root ? strlen(root) : 0;
	int ret = 0;

	if (!cwd || !root)
		ret = sl_error_set(err, SL_EENV,
				   "cannot run gate '%s': cannot resolve its "
				   "working directory '%s': %s",
				   job->name, job->cwd, strerror(errno));
	else if (strncmp(cwd, root, n) ||
		 (cwd[n] && cwd[n] != '/' && strcmp(root, "/")))
		ret = sl_error_set(err, SL_EENV,
				   "cannot run gate '%s': its working "
				   "directory '%s' resolves to '%s', outside "
				   "the repository '%s' (a symbolic link?); "
				   "a gate runs inside the repository",
				   job->name, job->cwd, cwd, root);
	else
		sl_buf_adds(out, cwd);
	free(cwd);
	free(root);
	return ret;
}

int sl_run_spawn(pid_t *out, const struct sl_job *job, char *const *envp,
		 const struct run_stdio *io, struct sl_error *err)
{
	const char *sh_argv[] = {"sh", "-c", job->shell, NULL};
	struct sl_buf path = SL_BUF_INIT, real = SL_BUF_INIT;
	const char *const *argv = sh_argv;
	struct stat st;
	int ret = 0;

	if (!job->cwd || stat(job->cwd, &st) < 0 || !S_ISDIR(st.st_mode))
		return sl_error_set(err, SL_EENV,
				    "cannot run gate '%s': its working "
				    "directory '%s' does not exist",
				    job->name, job->cwd ? job->cwd : "");
	ret = real_cwd(&real, job, err);
	if (ret)
		goto out;
	if (job->argv.n) {
		ret = resolve_command(&path, job, envp, err);
		argv = (const char *const *)job->argv.v;
	} else if (job->shell) {
		sl_buf_adds(&path, "/bin/sh");
	} else {
		ret = sl_error_set(err, SL_EENV, "gate '%s' has no command",
				   job->name);
	}
	if (ret)
		goto out;

	ret = fork_exec(out, path.buf, argv, envp, real.buf, io, err);
out:
	sl_buf_release(&path);
	sl_buf_release(&real);
	return ret;
}
