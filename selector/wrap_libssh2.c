/*
 * wrap_libssh2.c: libgit2's start-up without starting libssh2 (and,
 * through it, OpenSSL). Built only where libgit2 is linked from its static
 * archive with libssh2 and the meson option `interpose` allows it
 * (meson.build checks both).
 *
 * libssh2 starts itself when a session is first made
 * (libssh2_session_init_ex() calls _libssh2_init_if_needed()), and its
 * libssh2_exit() does nothing unless it was started, so the start
 * libgit2's init asks for can wait for a use that sluice never makes. The
 * link has -Wl,--wrap=libssh2_init: while sl_git_init() runs on this
 * thread the wrapper does nothing; at any other time it forwards.
 */
#include "common/common.h"

#include "selector/internal.h"

/* The linker's names for the wrapped function and the real one (ld(1),
 * --wrap); reserved identifiers, but these are the ones it looks for. */
int __wrap_libssh2_init(int flags);
int __real_libssh2_init(int flags);

int __wrap_libssh2_init(int flags)
{
	if (sl_git_starting)
		return 0;
	return __real_libssh2_init(flags);
}
