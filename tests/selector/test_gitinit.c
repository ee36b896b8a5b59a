/*
 * test_gitinit.c: starting libgit2 (selector/gitinit.c) and, where the
 * build wraps them (meson.build, `interpose`: SL_WRAP_MBEDTLS,
 * SL_WRAP_LIBSSH2), without its TLS certificate bundle and without
 * starting libssh2 (selector/wrap_*.c), and without breaking anything
 * else: explicit certificate locations still reach the TLS library,
 * libssh2 starts when used, and every start is balanced by a shutdown.
 * A test of a wrap the build left out is reported skipped.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <sys/stat.h>
#ifdef SL_WRAP_LIBSSH2
#include <libssh2.h>
#endif

#include "selector/internal.h"
#include "tests/selector/gitref.h"
#include "tests/support/sandbox.h"

/* Where Debian's libgit2 looks, fixed when it was built. */
#define CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static char self[PATH_MAX]; /* this executable, for the traced child */

/* What this build promises of a process's start. */
#ifdef SL_WRAP_MBEDTLS
static const bool no_ca_bundle = true;
#else
static const bool no_ca_bundle = false;
#endif
#ifdef SL_LIBGIT2_STATIC
static const bool no_libgit2_so = true;
#else
static const bool no_libgit2_so = false;
#endif

/*
 * The whole start of a sluice process, traced: the bundle may be looked at
 * (libgit2 stats it) but is never opened, and libgit2 is part of the
 * executable, not a shared library the loader has to open and bind.
 */
static void
gitinit__opening_a_repository_loads_no_ca_bundle_and_no_libgit2(void **state)
{
	struct sl_buf trace = SL_BUF_INIT;
	struct stat st;
	bool check_ca;

	(void)state;
	/* The bundle is left out by the wrapper, where there is one to leave
	 * out; libgit2 is linked in where its archive was. */
	check_ca = no_ca_bundle && !stat(CA_BUNDLE, &st);
	if ((!check_ca && !no_libgit2_so) ||
	    sl_sh("command -v strace >/dev/null"))
		skip(); /* nothing to check, or nothing to watch it with */
	/* LeakSanitizer cannot run under ptrace: off for the child. */
	sl_sh_ok("ASAN_OPTIONS=\"$ASAN_OPTIONS:detect_leaks=0\" "
		 "SL_GITINIT_CHILD=1 strace -f -e trace=open,openat -o trace "
		 "'%s'",
		 self);
	sl_read_file(&trace, "trace");
	assert_non_null(
	    strstr(trace.buf, "/.git/config")); /* it saw the open */
	if (check_ca)
		assert_null(strstr(trace.buf, CA_BUNDLE));
	if (no_libgit2_so)
		assert_null(strstr(trace.buf, "libgit2"));
	sl_buf_release(&trace);
}

static void gitinit__explicit_certificate_locations_still_work(void **state)
{
	struct sl_repo *repo;

	(void)state;
	if (!no_ca_bundle)
		skip(); /* no wrapper to go through */
	repo = gr_open(".");
	/* Outside start-up the call goes through to the TLS library, which
	 * refuses a file that does not exist. */
	assert_true(git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS,
				     "/nonexistent/ca.pem", NULL) < 0);
	git_error_clear();
	sl_repo_free(repo);
}

/* libssh2, whose start libgit2's init no longer makes, starts when used. */
static void gitinit__ssh_starts_when_first_used(void **state)
{
#ifdef SL_WRAP_LIBSSH2
	struct sl_repo *repo = gr_open(".");
	LIBSSH2_SESSION *session;

	(void)state;
	session = libssh2_session_init();
	assert_non_null(session);
	assert_int_equal(libssh2_session_free(session), 0);
	sl_repo_free(repo);
#else
	(void)state;
	skip(); /* libssh2's start is not wrapped in this build */
#endif
}

static void gitinit__every_start_is_balanced(void **state)
{
	struct sl_repo *a = gr_open("."), *b = gr_open(".");
	struct sl_repo *c = NULL;
	struct sl_error err = SL_ERROR_INIT;

	(void)state;
	assert_int_equal(sl_repo_open(&c, "/nonexistent", &err), SL_EENV);
	sl_repo_free(b);
	sl_repo_free(a);
	sl_repo_free(NULL);
	/* Back to zero: this init is the first again. */
	assert_int_equal(git_libgit2_init(), 1);
	git_libgit2_shutdown();
	sl_error_release(&err);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, gr_setup_repo, gr_teardown_repo)
	    T(gitinit__opening_a_repository_loads_no_ca_bundle_and_no_libgit2),
	    T(gitinit__explicit_certificate_locations_still_work),
	    T(gitinit__ssh_starts_when_first_used),
	    T(gitinit__every_start_is_balanced),
#undef T
	};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo;

	(void)argc;
	if (!realpath(argv[0], self))
		return 1;
	if (getenv("SL_GITINIT_CHILD")) {
		/* The traced child: start up as sluice does, and stop. */
		if (sl_repo_open(&repo, ".", &err))
			return 1;
		sl_repo_free(repo);
		return 0;
	}
	sl_tap_skips();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
