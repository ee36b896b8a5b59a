/*
 * gitinit.c: starting libgit2 for sluice. It owns the one call to
 * git_libgit2_init() and the options sluice sets on it: libgit2 neither
 * re-hashes every object it reads nor keeps them in its object cache.
 *
 * Where the build links libgit2 from its static archives and the meson
 * option `interpose` allows it (meson.build checks at configure time that
 * the libgit2 being linked has what they wrap), two parts of libgit2's
 * start-up that sluice never uses are left out through the linker's --wrap:
 * parsing the TLS certificate bundle (wrap_mbedtls.c) and starting libssh2
 * (wrap_libssh2.c). They know sl_git_init() is running by sl_git_starting.
 * docs/performance.md, "Start-up and the diff", has the measurements.
 */
#include "common/common.h"

#include "selector/internal.h"

_Thread_local bool sl_git_starting;

int sl_git_init(struct sl_error *err)
{
	int ret;

	sl_git_starting = true;
	ret = git_libgit2_init();
	sl_git_starting = false;
	if (ret < 0)
		return sl_git_error(err, SL_EENV, "cannot start libgit2");
	/*
	 * libgit2 re-hashes every object it reads (SHA-1 with collision
	 * detection), which git does not, and neither does sluice: a
	 * damaged object still fails, on zlib's checksum, when it is
	 * inflated. And it keeps every tree it read in its object cache, so
	 * the heap grows with each one, where sluice reads each object once.
	 */
	if (git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0) < 0 ||
	    git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0) < 0) {
		/* libgit2's message first: the shutdown discards it. */
		ret = sl_git_error(err, SL_EENV, "cannot configure libgit2");
		sl_git_shutdown();
		return ret;
	}
	return 0;
}

void sl_git_shutdown(void)
{
	git_libgit2_shutdown();
#ifdef SL_WRAP_INFLATE
	sl_inflate_release();
#endif
}
