/*
 * error.c: the caller-owned error message (after tmux's cause strings and
 * libgit2's error codes). Functions that fail fill one in and return its
 * status; only cli/ prints it.
 */
#include "common/common.h"

int sl_error_set(struct sl_error *err, enum sl_status status, const char *fmt,
		 ...)
{
	va_list ap;

	if (!err)
		return status;
	err->status = status;
	sl_buf_reset(&err->msg);
	va_start(ap, fmt);
	sl_buf_vaddf(&err->msg, fmt, ap);
	va_end(ap);
	return status;
}

void sl_error_prefix(struct sl_error *err, const char *fmt, ...)
{
	struct sl_buf prefix = SL_BUF_INIT;
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	sl_buf_vaddf(&prefix, fmt, ap);
	va_end(ap);
	sl_buf_adds(&prefix, ": ");
	sl_buf_add(&prefix, err->msg.buf, err->msg.len);
	sl_buf_release(&err->msg);
	err->msg = prefix;
}

const char *sl_error_message(const struct sl_error *err)
{
	return err ? err->msg.buf : "";
}

void sl_error_reset(struct sl_error *err)
{
	if (!err)
		return;
	err->status = SL_OK;
	sl_buf_reset(&err->msg);
}

void sl_error_release(struct sl_error *err)
{
	if (!err)
		return;
	err->status = SL_OK;
	sl_buf_release(&err->msg);
}
