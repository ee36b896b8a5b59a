/*
 * output.c: printing what came from input (cli_printf_safe(): no control
 * byte raw, SL_SAFE), and the two ways a result reaches a file that are not "replace it
 * whole": "-" for stdout (`--json -`), and appending (`--summary`, which
 * adds to a file as GitHub's $GITHUB_STEP_SUMMARY wants: every step of a
 * job writes its part of one page), each through common/file.c, which
 * also replaces files atomically (sl_file_write()); and the check, before
 * the first gate starts, that each can be written.
 */
#include "common/common.h"

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
	if (cli_is_stdout(path))
		return cli_write_stdout(data, err);
	return sl_file_append(path, data, err);
}

int cli_check_output(const char *path, bool append, struct sl_error *err)
{
	if (!path || cli_is_stdout(path))
		return 0;
	return sl_file_check_writable(path, append, err);
}

void cli_vprintf_safe(FILE *fp, const char *fmt, va_list ap)
{
	struct sl_buf raw = SL_BUF_INIT, shown = SL_BUF_INIT;
	bool eol;

	sl_buf_vaddf(&raw, fmt, ap);
	eol = raw.len && raw.buf[raw.len - 1] == '\n';
	sl_buf_add_safe(&shown, raw.buf, raw.len - eol, 0);
	if (eol)
		sl_buf_addch(&shown, '\n');
	fwrite(shown.buf, 1, shown.len, fp);
	sl_buf_release(&raw);
	sl_buf_release(&shown);
}

void cli_printf_safe(FILE *fp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vprintf_safe(fp, fmt, ap);
	va_end(ap);
}
