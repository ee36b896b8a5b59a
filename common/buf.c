/*
 * buf.c: struct sl_buf, the one growable byte buffer (after git's strbuf).
 * It is never NULL and always NUL-terminated, so .buf can be passed to C
 * string functions, yet it may hold NULs of its own: len is the truth.
 */
#include "common/common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

char sl_buf_slopbuf[1];

void sl_buf_init(struct sl_buf *sb, size_t hint)
{
	sb->alloc = 0;
	sb->len = 0;
	sb->buf = sl_buf_slopbuf;
	if (hint)
		sl_buf_grow(sb, hint);
}

void sl_buf_release(struct sl_buf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sl_buf_init(sb, 0);
}

char *sl_buf_detach(struct sl_buf *sb, size_t *len_out)
{
	char *res;

	sl_buf_grow(sb, 0);
	res = sb->buf;
	if (len_out)
		*len_out = sb->len;
	sl_buf_init(sb, 0);
	return res;
}

void sl_buf_grow_alloc(struct sl_buf *sb, size_t extra)
{
	bool fresh = sb->alloc == 0;
	size_t want = sl_st_add(sl_st_add(sb->len, extra), 1);

	if (fresh)
		sb->buf = NULL;
	SL_ALLOC_GROW(sb->buf, want, sb->alloc);
	if (fresh)
		sb->buf[0] = '\0';
}

void sl_buf_setlen_overflow(void)
{
	fprintf(stderr, "sluice: BUG: sl_buf_setlen past the end\n");
	abort();
}

void sl_buf_add(struct sl_buf *sb, const void *data, size_t len)
{
	if (!len)
		return;
	sl_buf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sl_buf_setlen(sb, sb->len + len);
}

void sl_buf_adds(struct sl_buf *sb, const char *s)
{
	sl_buf_add(sb, s, strlen(s));
}

void sl_buf_adds3(struct sl_buf *sb, const char *a, const char *b,
		  const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);

	sl_buf_grow(sb, la + lb + lc);
	sl_buf_add(sb, a, la);
	sl_buf_add(sb, b, lb);
	sl_buf_add(sb, c, lc);
}

void sl_buf_addf(struct sl_buf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_buf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sl_buf_vaddf(struct sl_buf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int len;

	sl_buf_grow(sb, 64);
	va_copy(cp, ap);
	len = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (len < 0) {
		fprintf(stderr, "sluice: BUG: bad format string '%s'\n", fmt);
		abort();
	}
	if ((size_t)len >= sb->alloc - sb->len) {
		sl_buf_grow(sb, (size_t)len);
		len =
		    vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	}
	sl_buf_setlen(sb, sb->len + (size_t)len);
}

int sl_buf_read_fd(struct sl_buf *sb, int fd, const char *name, size_t max,
		   struct sl_error *err)
{
	size_t start = sb->len;

	for (;;) {
		ssize_t got;

		sl_buf_grow(sb, 65536);
		got = read(fd, sb->buf + sb->len, sb->alloc - sb->len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return sl_error_set(err, SL_EENV,
					    "cannot read '%s': %s", name,
					    strerror(errno));
		if (got == 0)
			return 0;
		sl_buf_setlen(sb, sb->len + (size_t)got);
		if (sb->len - start > max)
			return sl_error_set(
			    err, SL_EUSAGE,
			    "'%s' is larger than the limit of %zu bytes", name,
			    max);
	}
}

int sl_buf_read_regular(struct sl_buf *sb, const char *path, size_t max,
			bool nofollow, struct sl_error *err)
{
	struct stat st;
	int fd, ret, flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, flags | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0 && errno == ELOOP && nofollow)
		return sl_error_set(err, SL_EENV,
				    "'%s' is a symbolic link: sluice reads "
				    "the file itself, not through a link",
				    path);
	if (fd < 0)
		return sl_error_set(err, SL_EENV, "cannot open '%s': %s", path,
				    strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return sl_error_set(err, SL_EENV,
				    "'%s' is not a regular file (a FIFO, a "
				    "device or a directory)",
				    path);
	}
	fcntl(fd, F_SETFL, O_RDONLY);
	ret = sl_buf_read_fd(sb, fd, path, max, err);
	close(fd);
	return ret;
}

int sl_buf_read_file(struct sl_buf *sb, const char *path, size_t max,
		     struct sl_error *err)
{
	int fd, ret;

	if (!strcmp(path, "-"))
		return sl_buf_read_fd(sb, STDIN_FILENO, "<stdin>", max, err);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sl_error_set(err, SL_EENV, "cannot open '%s': %s", path,
				    strerror(errno));
	ret = sl_buf_read_fd(sb, fd, path, max, err);
	close(fd);
	return ret;
}
