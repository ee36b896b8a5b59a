/*
 * sandbox.c: temporary directories, an isolated git environment and shell
 * helpers for the unit tests (see sandbox.h).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/sandbox.h"

static char *sandbox_dir;
static char *saved_cwd;

static void set_git_env(const char *home)
{
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_AUTHOR_NAME", "Sluice Test", 1);
	setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Sluice Test", 1);
	setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1);
	setenv("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z", 1);
	setenv("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z", 1);
	unsetenv("SLUICE_BASE");
	unsetenv("SLUICE_RULES");
	unsetenv("SLUICE_LEDGER");
	unsetenv("SLUICE_ACTOR");
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITLAB_CI");
	unsetenv("CI");
}

const char *sl_sandbox_enter(void)
{
	const char *tmp = getenv("TMPDIR");
	struct sl_buf path = SL_BUF_INIT;
	char cwd[PATH_MAX];

	assert_null(sandbox_dir);
	sl_buf_addf(&path, "%s/sluice-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(path.buf));
	sandbox_dir = sl_buf_detach(&path, NULL);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	saved_cwd = sl_xstrdup(cwd);
	assert_int_equal(chdir(sandbox_dir), 0);
	set_git_env(sandbox_dir);
	return sandbox_dir;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void sl_sandbox_leave(void)
{
	if (!sandbox_dir)
		return;
	assert_int_equal(chdir(saved_cwd), 0);
	if (!getenv("SLUICE_KEEP_SANDBOX"))
		nftw(sandbox_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(sandbox_dir);
	free(saved_cwd);
	sandbox_dir = NULL;
	saved_cwd = NULL;
}

static int wait_status(int status)
{
	if (status < 0)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int sl_sh(const char *fmt, ...)
{
	struct sl_buf cmd = SL_BUF_INIT;
	va_list ap;
	int status;

	va_start(ap, fmt);
	sl_buf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	fflush(stdout);
	/* TAP reads stdout: keep the command's chatter on stderr. */
	sl_buf_adds(&cmd, " 1>&2");
	status = system(cmd.buf);
	sl_buf_release(&cmd);
	return wait_status(status);
}

int sl_sh_capture(struct sl_buf *out, const char *fmt, ...)
{
	struct sl_buf cmd = SL_BUF_INIT;
	char chunk[4096];
	va_list ap;
	size_t got;
	FILE *fp;

	va_start(ap, fmt);
	sl_buf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	fflush(stdout);
	fp = popen(cmd.buf, "r");
	assert_non_null(fp);
	while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sl_buf_add(out, chunk, got);
	sl_buf_release(&cmd);
	return wait_status(pclose(fp));
}

void sl_write_file(const char *path, const char *data, size_t len)
{
	struct sl_buf dir = SL_BUF_INIT;
	const char *slash = strrchr(path, '/');
	FILE *fp;

	if (slash) {
		sl_buf_add(&dir, path, (size_t)(slash - path));
		assert_int_equal(sl_sh("mkdir -p '%s'", dir.buf), 0);
	}
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	sl_buf_release(&dir);
}

void sl_write_text(const char *path, const char *text)
{
	sl_write_file(path, text, strlen(text));
}

void sl_read_file(struct sl_buf *out, const char *path)
{
	struct sl_error err = SL_ERROR_INIT;
	int ret = sl_buf_read_file(out, path, SIZE_MAX / 2, &err);

	if (ret)
		fail_msg("%s", sl_error_message(&err));
	sl_error_release(&err);
}

const char *sl_source_root(void)
{
	const char *root = getenv("SLUICE_SOURCE_ROOT");

	assert_non_null(root);
	return root;
}

const char *sl_sluice_bin(void)
{
	const char *bin = getenv("SLUICE_BIN");

	assert_non_null(bin);
	return bin;
}

/* "not ok N # SKIP ...": cmocka's skip, read by TAP as a failure. */
static bool cmocka_skip(const char *line)
{
	const char *p = line + strlen("not ok ");

	if (strncmp(line, "not ok ", strlen("not ok ")) || !isdigit(*p))
		return false;
	while (isdigit(*p))
		p++;
	return !strncmp(p, " # SKIP", strlen(" # SKIP"));
}

void sl_tap_skips(void)
{
	char *line = NULL;
	size_t cap = 0;
	int fds[2], status;
	pid_t pid;
	FILE *in;

	fflush(stdout);
	if (pipe(fds))
		return; /* the output as cmocka prints it */
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (!pid) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		return;
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	while (in && getline(&line, &cap, in) > 0) {
		fputs(cmocka_skip(line) ? line + strlen("not ") : line, stdout);
		fflush(stdout);
	}
	free(line);
	if (in)
		fclose(in);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	exit(wait_status(status));
}
