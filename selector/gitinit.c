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
 * before init (GIT_OPT_SET_SSL_CERT_LOCATIONS only works after), so sluice
 * defines mbedtls_x509_crt_parse_file() itself: the dynamic linker binds
 * libgit2's call to the executable's definition first (ELF symbol
 * interposition, the same mechanism as a malloc replacement). While
 * sl_git_init() runs on this thread it loads nothing and reports success
 * (libgit2 then holds an empty CA chain); at any other time it forwards to
 * mbedTLS's own function, found with dlsym(RTLD_NEXT), so an explicit
 * GIT_OPT_SET_SSL_CERT_LOCATIONS still works. With a libgit2 built against
 * OpenSSL the definition is never called and nothing changes.
 * It also turns off libgit2's re-hashing of every object read and its
 * object cache (below).
 * docs/performance.md, "Start-up and the diff", has the measurements.
 */
#include "common/common.h"

#include <dlfcn.h>

#include "selector/internal.h"

struct mbedtls_x509_crt;

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain,
				const char *path);

/* Set only around git_libgit2_init() on the thread that calls it. */
static _Thread_local bool skipping_ca_bundle;

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain,
				const char *path)
{
	typedef int (*parse_file_fn)(struct mbedtls_x509_crt *, const char *);
	parse_file_fn real;
	void *sym;

	if (skipping_ca_bundle)
		return 0;
	sym = dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file");
	if (!sym)
		return -1; /* mbedTLS's generic failure: nothing was loaded */
	/* POSIX lets a dlsym() result be used as a function pointer; ISO C
	 * has no conversion for it, so copy the bytes. */
	memcpy(&real, &sym, sizeof(real));
	return real(chain, path);
}

int sl_git_init(struct sl_error *err)
{
	int ret;

	skipping_ca_bundle = true;
	ret = git_libgit2_init();
	skipping_ca_bundle = false;
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
}
