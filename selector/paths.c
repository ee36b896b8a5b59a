/*
 * paths.c: --paths-from, a change list read from a file or stdin instead
 * of git (a CI that computed the changed files itself). It owns the list's
 * format and its validation; every name becomes a "modified" change. What
 * the names select is the selector's business.
 *
 * Format: one path per line, or NUL-separated with -z, relative to the
 * repository root, as `git diff --name-only [-z]` prints them. In line
 * mode one trailing CR is stripped (a list saved on Windows), and a line
 * that starts with '"' is a name git quoted (a control byte, a '"' or a
 * '\\' in it, or by default any byte past ASCII: "caf\303\251.c"), read
 * back as git wrote it; a quoted line that is not well-formed is refused,
 * never taken literally. A name that really ends in CR needs -z, which
 * takes every byte as it is. Names that
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

static int refuse(struct sl_error *err, const char *name, size_t record,
		  bool nul, const char *p, size_t n, const char *why)
{
	struct sl_buf shown = SL_BUF_INIT;
	int ret;

	sl_buf_add_quoted_path(&shown, p, n < 200 ? n : 200);
	ret = sl_error_set(err, SL_EUSAGE,
			   nul ? "%s: entry %zu: %s: '%s'" : "%s:%zu: %s: '%s'",
			   name, record, why, shown.buf);
	sl_buf_release(&shown);
	return ret;
}

/*
 * The name p[0..n) (unquoted when git quoted it) into name_buf, and onto
 * out when it is one git prints: 0; 1 when bad_name() refuses it; -1 for
 * a quoted name that is not well-formed.
 */
static int add_name(struct sl_change_list *out, struct sl_buf *name_buf,
		    const char *p, size_t n, bool nul)
{
	sl_buf_reset(name_buf);
	if (!nul && n && p[0] == '"') {
		if (sl_path_unquote(name_buf, p, n))
			return -1;
	} else {
		sl_buf_add(name_buf, p, n);
	}
	if (bad_name(name_buf->buf, name_buf->len, nul))
		return 1;
	sl_change_list_push(out, SL_CHANGE_MODIFIED, name_buf->buf,
			    name_buf->len);
	return 0;
}

static int parse(struct sl_change_list *out, const char *data, size_t len,
		 const char *name, bool nul, struct sl_error *err)
{
	struct sl_buf name_buf = SL_BUF_INIT;
	char sep = nul ? '\0' : '\n';
	size_t pos = 0, record = 0;
	int ret = 0;

	while (pos < len) {
		const char *end = memchr(data + pos, sep, len - pos);
		size_t n = end ? (size_t)(end - (data + pos)) : len - pos;

		record++;
		if (!nul && n && data[pos + n - 1] == '\r')
			n--;
		ret = add_name(out, &name_buf, data + pos, n, nul);
		if (ret)
			ret = refuse(err, name, record, nul, data + pos, n,
				     ret < 0 ? "a quoted name that is not "
					       "well-formed (git quotes as "
					       "\"caf\\303\\251.c\")"
					     : bad_name(name_buf.buf,
							name_buf.len, nul));
		if (ret)
			break;
		pos += (end ? (size_t)(end - (data + pos)) : len - pos) + 1;
	}
	sl_buf_release(&name_buf);
	return ret;
}

int sl_change_list_parse(struct sl_change_list *out, const char *data,
			 size_t len, const char *name, bool nul,
			 struct sl_error *err)
{
	int ret = parse(out, data, len, name, nul, err);

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
		ret = sl_change_list_parse(out, sb.buf, sb.len, name, nul, err);
	sl_buf_release(&sb);
	return ret;
}

int sl_change_list_read_file(struct sl_change_list *out, const char *path,
			     bool nul, struct sl_error *err)
{
	struct sl_buf sb = SL_BUF_INIT;
	int ret = sl_buf_read_file(&sb, path, PATHS_MAX_BYTES, err);

	if (!ret)
		ret = sl_change_list_parse(out, sb.buf, sb.len,
					   strcmp(path, "-") ? path : "<stdin>",
					   nul, err);
	sl_buf_release(&sb);
	return ret;
}
