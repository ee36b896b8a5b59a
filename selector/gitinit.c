/*
 * gitinit.c: starting libgit2 for sluice. It owns the one call to
 * git_libgit2_init() and leaves out the only costly part of it that sluice
 * never uses: parsing the system's TLS certificate bundle. The rest of
 * libgit2's start-up is left as it is.
 *
 * Why: Debian's libgit2 1.5 is built with mbedTLS, and its global init
 * (src/libgit2/streams/mbedtls.c, git_mbedtls_stream_global_init) parses
 * the CA bundle at a path fixed at build time
 * (/etc/ssl/certs/ca-certificates.crt, ~140 certificates) through
 * mbedtls_x509_crt_parse_file(). That is 85% of the instructions of
 * git_libgit2_init() (53 of 63 million, callgrind) and 5 of its 6.5 ms,
 * for TLS connections sluice never makes. libgit2 offers no switch for it
 * before init (GIT_OPT_SET_SSL_CERT_LOCATIONS only works after). sluice
 * links libgit2 statically (meson.build says why) with
 * -Wl,--wrap=mbedtls_x509_crt_parse_file, so every call to that function
 * in the link reaches __wrap_mbedtls_x509_crt_parse_file() below: while
 * sl_git_init() runs on this thread it loads nothing and reports success
 * (libgit2 then holds an empty CA chain); at any other time it forwards to
 * mbedTLS's own function, so an explicit GIT_OPT_SET_SSL_CERT_LOCATIONS
 * still works.
 * The start of libssh2 (and through it OpenSSL's, about 1 M
 * instructions) is left out the same way: libssh2 starts itself when a
 * session is first made (below).
 * It also turns off libgit2's re-hashing of every object read and its
 * object cache (below).
 * docs/performance.md, "Start-up and the diff", has the measurements.
 */
#include "common/common.h"

#include "selector/internal.h"

struct mbedtls_x509_crt;

/* The linker's names for the wrapped function and the real one (ld(1),
 * --wrap); reserved identifiers, but these are the ones it looks for. */
int __wrap_mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain,
				       const char *path);
int __real_mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain,
				       const char *path);
int __wrap_libssh2_init(int flags);
int __real_libssh2_init(int flags);

/* Set only around git_libgit2_init() on the thread that calls it. */
static _Thread_local bool in_git_init;

int __wrap_mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain,
				       const char *path)
{
	if (in_git_init)
		return 0;
	return __real_mbedtls_x509_crt_parse_file(chain, path);
}

/*
 * libssh2 starts itself (and OpenSSL) when a session is first made
 * (libssh2_session_init_ex() calls _libssh2_init_if_needed()), and its
 * libssh2_exit() does nothing unless it was started, so the start
 * libgit2's init asks for can wait for a use that sluice never makes.
 */
int __wrap_libssh2_init(int flags)
{
	if (in_git_init)
		return 0;
	return __real_libssh2_init(flags);
}

int sl_git_init(struct sl_error *err)
{
	int ret;

	in_git_init = true;
	ret = git_libgit2_init();
	in_git_init = false;
	if (ret < 0)
		return sl_git_error(err, SL_EENV, "cannot start libgit2");
	/*
	 * libgit2 re-hashes every object it reads (SHA-1 with collision
	 * detection): 36% of the instructions of a diff that reads 8,000
	 * trees. git does not, and neither does sluice: a damaged object
	 * still fails, on zlib's checksum, when it is inflated. And it keeps
	 * every tree it read in its object cache, so the heap grows with each
	 * one: sluice reads each object once, and without the cache a large
	 * diff takes 40% fewer page faults.
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
	sl_inflate_release();
}
