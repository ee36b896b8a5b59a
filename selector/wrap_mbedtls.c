/*
 * wrap_mbedtls.c: libgit2's start-up without the TLS certificate bundle.
 * Built only where libgit2 is linked from its static archive with mbedTLS
 * and the meson option `interpose` allows it (meson.build checks both).
 *
 * Debian's libgit2 1.5 is built with mbedTLS, and its global init
 * (src/libgit2/streams/mbedtls.c, git_mbedtls_stream_global_init) parses
 * the CA bundle at a path fixed at build time through
 * mbedtls_x509_crt_parse_file(): most of git_libgit2_init()'s cost, for
 * TLS connections sluice never makes, and libgit2 offers no switch for it
 * before init (GIT_OPT_SET_SSL_CERT_LOCATIONS only works after). The link
 * has -Wl,--wrap=mbedtls_x509_crt_parse_file, so every call to it reaches
 * the wrapper below: while sl_git_init() runs on this thread it loads
 * nothing and reports success (libgit2 then holds an empty CA chain); at
 * any other time it forwards to mbedTLS's own function, so an explicit
 * GIT_OPT_SET_SSL_CERT_LOCATIONS still works.
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

int __wrap_mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain,
				       const char *path)
{
	if (sl_git_starting)
		return 0;
	return __real_mbedtls_x509_crt_parse_file(chain, path);
}
