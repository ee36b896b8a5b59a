/*
 * output.c: the two ways a result reaches a file that are not "replace it
 * whole": "-" for stdout (`--json -`), and appending (`--summary`, which
 * adds to a file as GitHub's $GITHUB_STEP_SUMMARY wants: every step of a
 * job writes its part of one page). Replacing a file atomically is the
 * commands' own writer's.
 */
#include "common/common.h"

#include <fcntl.h>
#include <unistd.h>

#include "cli/cli.h"

bool cli_is_stdout(const char *path)
{
	return path && !strcmp(path, "-");
}

int cli_write_stdout(const struct sl_buf *data, struct sl_error *err)
{
	if (fwrite(data->buf, 1, data->len, stdout) != data->len ||
	    fflush(stdout))
		return sl_error_set(err, SL_EENV, "cannot write to stdout: %s",
				    strerror(errno));
	return 0;
}

int cli_append(const char *path, const struct sl_buf *data,
	       struct sl_error *err)
{
	const char *p = data->buf;
	size_t left = data->len;
	int fd, failed = 0;

	if (cli_is_stdout(path))
		return cli_write_stdout(data, err);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0)
		failed = errno;
	while (!failed && left) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			failed = n < 0 ? errno : ENOSPC;
		else {
			p += n;
			left -= (size_t)n;
		}
	}
	if (fd >= 0 && close(fd) && !failed)
		failed = errno;
	if (failed)
		return sl_error_set(err, SL_EENV,
				    "cannot add to '%s': %s; check the "
				    "directory and free space",
				    path, strerror(failed));
	return 0;
}
