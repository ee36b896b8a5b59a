/*
 * file.c: the one way sluice writes a file it made (results, merged
 * results, an imported rules file, a starter sluice.yml, an exported
 * decision), and the few ways it adds to one that is not its own (a step
 * summary) or creates one in a directory it does not control (gate logs).
 * It owns the refusals: a symbolic link, a directory or a special file in
 * the way is never written through. What to write is the callers'.
 *
 * Replacing is atomic: a temporary file beside the target (mkstemp(), so
 * never a name someone planted), written, fsync()ed, renamed over the
 * target, and the directory fsync()ed; a reader sees the old file or the
 * whole new one, never half, and a full disk leaves the old one as it was.
 */
#include "common/common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		/* write() of 0 bytes for a non-zero length: no space. */
		if (n == 0)
			return ENOSPC;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The directory part of path ("." when there is none) into dir. */
static void dir_of(struct sl_buf *dir, const char *path)
{
	const char *slash = strrchr(path, '/');

	sl_buf_reset(dir);
	if (!slash)
		sl_buf_addch(dir, '.');
	else if (slash == path)
		sl_buf_addch(dir, '/');
	else
		sl_buf_add(dir, path, (size_t)(slash - path));
}

/*
 * Why what is at path may not be replaced or added to: NULL when nothing
 * is there (ENOENT) or a regular file is.
 */
static const char *in_the_way(const char *path, struct stat *st, int *errnum)
{
	*errnum = 0;
	if (lstat(path, st)) {
		*errnum = errno == ENOENT ? 0 : errno;
		return *errnum ? strerror(*errnum) : NULL;
	}
	if (S_ISLNK(st->st_mode))
		return "it is a symbolic link (sluice writes through no "
		       "link: name the file itself)";
	if (S_ISDIR(st->st_mode))
		return "it is a directory (name a file in it)";
	if (!S_ISREG(st->st_mode))
		return "it is not a regular file (use '-' for stdout)";
	return NULL;
}

static int refuse(struct sl_error *err, const char *path, const char *why)
{
	return sl_error_set(err, SL_EENV, "cannot write '%s': %s", path, why);
}

static int failed(struct sl_error *err, const char *path, int errnum)
{
	return sl_error_set(err, SL_EENV,
			    "cannot write '%s': %s; check the directory and "
			    "free space",
			    path, strerror(errnum));
}

/* fsync() of the directory, so that a rename survives a crash. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		/* Some file systems refuse it: the rename was still made. */
		(void)fsync(fd);
		close(fd);
	}
}

/* A new private file beside path: its name into tmp, its fd returned. */
static int make_temp(struct sl_buf *tmp, const char *path, const char *dir)
{
	const char *slash = strrchr(path, '/');

	sl_buf_reset(tmp);
	sl_buf_addf(tmp, "%s/.%s.sluice-XXXXXX", dir, slash ? slash + 1 : path);
	return mkostemp(tmp->buf, O_CLOEXEC);
}

int sl_file_write(const char *path, const struct sl_buf *data, unsigned flags,
		  struct sl_error *err)
{
	struct sl_buf dir = SL_BUF_INIT, tmp = SL_BUF_INIT;
	const char *why;
	struct stat st;
	int fd = -1, errnum = 0, ret = 0;
	mode_t mask;

	if (!*path)
		return sl_error_set(err, SL_EUSAGE, "an empty file name");
	if ((flags & SL_FILE_NEW) && !lstat(path, &st))
		return sl_error_set(err, SL_EUSAGE,
				    "'%s' already exists: sluice does not "
				    "replace it",
				    path);
	why = in_the_way(path, &st, &errnum);
	if (why)
		return refuse(err, path, why);
	dir_of(&dir, path);
	fd = make_temp(&tmp, path, dir.buf);
	if (fd < 0) {
		ret = failed(err, path, errno);
		goto out;
	}
	/* mkstemp() makes it 0600; the file is as any other the user makes. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask))
		errnum = errno;
	if (!errnum)
		errnum = write_all(fd, data->buf, data->len);
	if (!errnum && fsync(fd))
		errnum = errno;
	if (close(fd) && !errnum)
		errnum = errno;
	/* link() never replaces a name: a file that appeared wins. */
	if (!errnum && (flags & SL_FILE_NEW) && link(tmp.buf, path))
		errnum = errno;
	else if (!errnum && !(flags & SL_FILE_NEW) && rename(tmp.buf, path))
		errnum = errno;
	if (errnum || (flags & SL_FILE_NEW))
		unlink(tmp.buf);
	if (errnum == EEXIST)
		ret = sl_error_set(err, SL_EUSAGE,
				   "'%s' already exists: sluice does not "
				   "replace it",
				   path);
	else if (errnum)
		ret = failed(err, path, errnum);
	else
		sync_dir(dir.buf);
out:
	sl_buf_release(&dir);
	sl_buf_release(&tmp);
	return ret;
}

int sl_file_append(const char *path, const struct sl_buf *data,
		   struct sl_error *err)
{
	int fd, errnum;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
		  0666);
	if (fd < 0)
		return errno == ELOOP
			   ? refuse(err, path,
				    "it is a symbolic link (sluice writes "
				    "through no link: name the file itself)")
			   : failed(err, path, errno);
	errnum = write_all(fd, data->buf, data->len);
	if (close(fd) && !errnum)
		errnum = errno;
	return errnum ? failed(err, path, errnum) : 0;
}

int sl_file_check_writable(const char *path, bool append, struct sl_error *err)
{
	struct sl_buf dir = SL_BUF_INIT, tmp = SL_BUF_INIT;
	const char *why;
	struct stat st;
	int fd, errnum, ret = 0;

	if (!*path)
		return sl_error_set(err, SL_EUSAGE, "an empty file name");
	why = in_the_way(path, &st, &errnum);
	if (why)
		return refuse(err, path, why);
	if (append && !lstat(path, &st)) {
		/* Opened for writing without writing: the file stays. */
		fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return failed(err, path, errno);
		close(fd);
		return 0;
	}
	/* What sl_file_write() will need: a new file in its directory. */
	dir_of(&dir, path);
	fd = make_temp(&tmp, path, dir.buf);
	if (fd < 0) {
		ret = failed(err, path, errno);
	} else {
		close(fd);
		unlink(tmp.buf);
	}
	sl_buf_release(&dir);
	sl_buf_release(&tmp);
	return ret;
}

int sl_file_create(int *out, const char *path, mode_t mode,
		   struct sl_error *err)
{
	struct stat st;
	const char *why;
	int errnum, fd;

	*out = -1;
	why = in_the_way(path, &st, &errnum);
	if (why)
		return refuse(err, path, why);
	/* A regular file of an earlier run: removed, then made anew. */
	if (!lstat(path, &st) && unlink(path) && errno != ENOENT)
		return failed(err, path, errno);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  mode);
	if (fd < 0 && errno == EEXIST)
		return refuse(err, path,
			      "something was put in its place while sluice "
			      "made it");
	if (fd < 0)
		return failed(err, path, errno);
	*out = fd;
	return 0;
}
