/*
 * run_spawn.c: how a gate's process starts. Builds its environment (the
 * inherited one without sluice's own SLUICE_* settings, the gate's env,
 * then the SLUICE_* contract), writes the
 * files that carry its changed paths (paths are data, never part of a
 * command line), and starts it with posix_spawn() in its own process group,
 * its cwd, stdin from /dev/null, stdout and stderr to its log, and signal
 * state reset. Every descriptor the runner opens is close-on-exec, so a
 * gate gets only 0, 1 and 2. Deciding when to start or stop is run.c's.
 */
#include "common/common.h"

#include <fcntl.h>
#include <spawn.h>
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

static void set_attributes(posix_spawnattr_t *attr)
{
	sigset_t none, all;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(attr);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP |
					   POSIX_SPAWN_SETSIGMASK |
					   POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(attr, 0);
	posix_spawnattr_setsigmask(attr, &none);
	posix_spawnattr_setsigdefault(attr, &all);
}

static void set_file_actions(posix_spawn_file_actions_t *fa,
			     const struct sl_job *job,
			     const struct run_stdio *io)
{
	posix_spawn_file_actions_init(fa);
	if (io->log_fd >= 0) {
		posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY,
						 0);
		posix_spawn_file_actions_adddup2(fa, io->log_fd, 1);
		posix_spawn_file_actions_adddup2(fa, io->log_fd, 2);
	}
	if (io->tty_fd >= 0)
		posix_spawn_file_actions_addtcsetpgrp_np(fa, io->tty_fd);
	/*
	 * Our own descriptors are close-on-exec already; this also covers
	 * any a library or the caller opened without it.
	 */
	posix_spawn_file_actions_addclosefrom_np(fa, 3);
	posix_spawn_file_actions_addchdir_np(fa, job->cwd);
}

int sl_run_spawn(pid_t *out, const struct sl_job *job, char *const *envp,
		 const struct run_stdio *io, struct sl_error *err)
{
	const char *sh_argv[] = {"sh", "-c", job->shell, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct sl_buf path = SL_BUF_INIT;
	const char *const *argv = sh_argv;
	struct stat st;
	int ret = 0, rc;

	if (!job->cwd || stat(job->cwd, &st) < 0 || !S_ISDIR(st.st_mode))
		return sl_error_set(err, SL_EENV,
				    "cannot run gate '%s': its working "
				    "directory '%s' does not exist",
				    job->name, job->cwd ? job->cwd : "");
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

	set_attributes(&attr);
	set_file_actions(&fa, job, io);
	/* posix_spawn() does not change argv or envp; its prototype is old. */
	rc = posix_spawn(out, path.buf, &fa, &attr, (char *const *)argv, envp);
	if (rc)
		ret = sl_error_set(err, SL_EENV, "cannot run '%s': %s",
				   path.buf, strerror(rc));
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
out:
	sl_buf_release(&path);
	return ret;
}
