/*
 * paths.c: --paths-from, a change list read from a file or stdin instead
 * of git (a CI that computed the changed files itself). It owns the list's
 * format and its validation; every name becomes a "modified" change. What
 * the names select is the selector's business.
 *
 * Format: one path per line, or NUL-separated with -z, relative to the
 * repository root, as `git diff --name-only [-z]` prints them. In line
 * mode one trailing CR is stripped (a list saved on Windows); a name that
 * really ends in CR needs -z, which takes every byte as it is. Names that
 * git would never print (empty, a leading or trailing '/', "." or ".."
 * components, "a//b") are refused rather than matched against nothing.
 */
#include "common/common.h"

#include "selector/internal.h"

/* Past this the input is refused: 100,000 paths take ~6 MiB. */
#define PATHS_MAX_BYTES (256u * 1024 * 1024)

/* What is wrong with the name p[0..len), or NULL when it is fine. */
static const char *bad_name(const char *p, size_t len, bool nul)
{
	size_t start = 0, i;

	if (!len)
		return "empty path";
	if (!nul && memchr(p, '\0', len))
		return "NUL byte inside a line (use -z for NUL-separated "
		       "input)";
	if (p[0] == '/')
		return "leading '/' (paths are relative to the repository "
		       "root)";
	if (p[len - 1] == '/')
		return "trailing '/' (list files, not directories)";
	for (i = 0; i <= len; i++) {
		size_t n = i - start;

		if (i < len && p[i] != '/')
			continue;
		if (n == 0 || (n == 1 && p[start] == '.') ||
		    (n == 2 && p[start] == '.' && p[start + 1] == '.'))
			return "empty, '.' or '..' component (give the path "
			       "as git prints it)";
		start = i + 1;
	}
	return NULL;
}

static int parse(struct sl_change_list *out, const char *data, size_t len,
		 const char *name, bool nul, struct sl_error *err)
{
	char sep = nul ? '\0' : '\n';
	size_t pos = 0, record = 0;

	while (pos < len) {
		const char *end = memchr(data + pos, sep, len - pos);
		size_t n = end ? (size_t)(end - (data + pos)) : len - pos;
		const char *why;

		record++;
		if (!nul && n && data[pos + n - 1] == '\r')
			n--;
		why = bad_name(data + pos, n, nul);
		if (why) {
			struct sl_buf shown = SL_BUF_INIT;
			int ret;

			sl_utf8_lossy(&shown, data + pos, n < 200 ? n : 200);
			ret = sl_error_set(err, SL_EUSAGE,
					   nul ? "%s: entry %zu: %s: '%s'"
					       : "%s:%zu: %s: '%s'",
					   name, record, why, shown.buf);
			sl_buf_release(&shown);
			return ret;
		}
		sl_change_list_push(out, SL_CHANGE_MODIFIED, data + pos, n);
		pos += (end ? (size_t)(end - (data + pos)) : len - pos) + 1;
	}
	return 0;
}

static int from_buffer(struct sl_change_list *out, const struct sl_buf *sb,
		       const char *name, bool nul, struct sl_error *err)
{
	int ret = parse(out, sb->buf, sb->len, name, nul, err);

	if (ret)
		sl_change_list_release(out);
	else
		sl_change_list_sort_unique(out);
	return ret;
}

int sl_change_list_read_fd(struct sl_change_list *out, int fd, const char *name,
			   bool nul, struct sl_error *err)
{
	struct sl_buf sb = SL_BUF_INIT;
	int ret = sl_buf_read_fd(&sb, fd, name, PATHS_MAX_BYTES, err);

	if (!ret)
		ret = from_buffer(out, &sb, name, nul, err);
	sl_buf_release(&sb);
	return ret;
}

int sl_change_list_read_file(struct sl_change_list *out, const char *path,
			     bool nul, struct sl_error *err)
{
	struct sl_buf sb = SL_BUF_INIT;
	int ret = sl_buf_read_file(&sb, path, PATHS_MAX_BYTES, err);

	if (!ret)
		ret = from_buffer(
		    out, &sb, strcmp(path, "-") ? path : "<stdin>", nul, err);
	sl_buf_release(&sb);
	return ret;
}
