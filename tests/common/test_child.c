/*
 * test_child.c: finding a trusted program (absolute PATH entries only, all
 * of them at once) and running one to completion: its output and status,
 * the environment set over sluice's, no inherited descriptor, the deadline
 * (even for a child that closed its output), a program that cannot run,
 * and a name that is never looked up in PATH.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>

#include "tests/support/sandbox.h"

static int setup(void **state)
{
	(void)state;
	sl_sandbox_enter();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_sandbox_leave();
	return 0;
}

/* Sets PATH, returning the old one (caller frees). */
static char *set_path(const char *path)
{
	const char *old = getenv("PATH");
	char *saved = sl_xstrdup(old ? old : "");

	setenv("PATH", path, 1);
	return saved;
}

static void program__skips_relative_path_entries(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf out = SL_BUF_INIT, want = SL_BUF_INIT;
	char cwd[4096];
	char *old;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	sl_sh_ok("mkdir -p here abs && printf '#!/bin/sh\\n' > here/tool && "
		 "cp here/tool abs/tool && chmod +x here/tool abs/tool");
	/* "", "." and "here" name the planted copy; only abs counts. */
	sl_buf_addf(&want, "%s/abs/tool", cwd);
	sl_buf_addf(&out, ":.:here:%s/abs", cwd);
	old = set_path(out.buf);
	assert_int_equal(sl_program_resolve(&out, "tool", &err), 0);
	assert_string_equal(out.buf, want.buf);
	setenv("PATH", ":here", 1);
	assert_int_equal(sl_program_resolve(&out, "tool", &err), SL_EENV);
	assert_non_null(strstr(sl_error_message(&err), "cannot find 'tool'"));
	assert_string_equal(out.buf, "");
	setenv("PATH", old, 1);
	free(old);
	sl_buf_release(&out);
	sl_buf_release(&want);
	sl_error_release(&err);
}

static void program__takes_an_absolute_name_and_refuses_others(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf out = SL_BUF_INIT;

	(void)state;
	assert_int_equal(sl_program_resolve(&out, "/bin/sh", &err), 0);
	assert_string_equal(out.buf, "/bin/sh");
	assert_int_equal(sl_program_resolve(&out, "./sh", &err), SL_EENV);
	assert_int_equal(sl_program_resolve(&out, "/nonexistent/x", &err),
			 SL_EENV);
	/* A directory is not a program. */
	assert_int_equal(sl_program_resolve(&out, "/tmp", &err), SL_EENV);
	sl_buf_release(&out);
	sl_error_release(&err);
}

static int run_sh(struct sl_child *c, const char *script,
		  const char *const *env, unsigned timeout_ms,
		  struct sl_error *err)
{
	const char *argv[] = {"/bin/sh", "-c", script, NULL};

	c->program = argv[0];
	c->argv = argv;
	c->env = env;
	c->what = "the test";
	c->timeout_ms = timeout_ms;
	return sl_child_run(c, err);
}

static void child__captures_output_status_and_environment(void **state)
{
	const char *env[] = {"SL_CHILD_A=set", "HOME=/elsewhere", NULL};
	struct sl_child c = SL_CHILD_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf msg = SL_BUF_INIT;

	(void)state;
	assert_int_equal(run_sh(&c,
				"echo out; echo err >&2; echo \"$SL_CHILD_A "
				"$HOME\"; exit 7",
				env, 10000, &err),
			 0);
	assert_int_equal(c.status, 7);
	assert_string_equal(c.output.buf, "out\nerr\nset /elsewhere\n");
	sl_child_message(&msg, &c);
	assert_string_equal(msg.buf, "out; err; set /elsewhere");
	sl_child_release(&c);
	sl_buf_release(&msg);
	sl_error_release(&err);
}

static void child__inherits_no_descriptor(void **state)
{
	struct sl_child c = SL_CHILD_INIT;
	struct sl_error err = SL_ERROR_INIT;
	/* Opened without O_CLOEXEC, as a careless caller might. */
	int fd = open("/dev/null", O_RDONLY);

	(void)state;
	assert_true(fd > 2);
	assert_int_equal(run_sh(&c, "ls /proc/self/fd", NULL, 10000, &err), 0);
	/* 0, 1, 2, and the directory ls reads. */
	assert_string_equal(c.output.buf, "0\n1\n2\n3\n");
	close(fd);
	sl_child_release(&c);
	sl_error_release(&err);
}

static void child__is_stopped_at_the_deadline(void **state)
{
	struct sl_child c = SL_CHILD_INIT;
	struct sl_error err = SL_ERROR_INIT;
	uint64_t start = sl_now_ms();

	(void)state;
	/* It closes its output and lingers: still stopped on time. */
	assert_int_equal(
	    run_sh(&c, "exec >/dev/null 2>&1; sleep 30", NULL, 300, &err),
	    SL_EENV);
	assert_true(sl_now_ms() - start < 10000);
	assert_non_null(strstr(sl_error_message(&err),
			       "the test failed: '/bin/sh' did not finish"));
	sl_child_release(&c);
	sl_error_release(&err);
}

static void child__output_is_bounded(void **state)
{
	struct sl_child c = SL_CHILD_INIT;
	struct sl_error err = SL_ERROR_INIT;

	(void)state;
	c.output_max = 100;
	assert_int_equal(run_sh(&c, "head -c 100000 /dev/zero | tr '\\0' x",
				NULL, 10000, &err),
			 0);
	assert_int_equal(c.status, 0);
	assert_int_equal(c.output.len, 100);
	sl_child_release(&c);
	sl_error_release(&err);
}

static void child__that_cannot_run_says_what_to_install(void **state)
{
	const char *argv[] = {"/nonexistent/tool", NULL};
	struct sl_child c = SL_CHILD_INIT;
	struct sl_error err = SL_ERROR_INIT;

	(void)state;
	c.program = argv[0];
	c.argv = argv;
	c.install = "the tool package";
	c.timeout_ms = 1000;
	assert_int_equal(sl_child_run(&c, &err), SL_EENV);
	assert_string_equal(sl_error_message(&err),
			    "cannot run '/nonexistent/tool': No such file or "
			    "directory; install the tool package");
	assert_int_equal(c.status, -1);
	sl_child_release(&c);
	sl_error_release(&err);
}

/*
 * A program sluice trusts is run by the absolute path found before any gate
 * ran: a bare name is never looked up in PATH, where a gate may have
 * planted one, and one that was not found says how to install it.
 */
static void child__is_never_looked_up_in_path(void **state)
{
	const char *argv[] = {"tool", NULL};
	struct sl_child c = SL_CHILD_INIT;
	struct sl_error err = SL_ERROR_INIT;
	char *old;

	(void)state;
	sl_sh_ok("mkdir -p planted && printf '#!/bin/sh\\ntouch RAN\\n' > "
		 "planted/tool && chmod +x planted/tool");
	old = set_path("planted");
	c.argv = argv;
	c.what = "tool";
	c.install = "the tool package";
	c.timeout_ms = 1000;
	c.program = "tool";
	assert_int_equal(sl_child_run(&c, &err), SL_EENV);
	assert_non_null(strstr(sl_error_message(&err), "never looked up"));
	c.program = NULL;
	assert_int_equal(sl_child_run(&c, &err), SL_EENV);
	assert_string_equal(sl_error_message(&err),
			    "cannot run tool: it was not found in any absolute "
			    "directory of PATH when sluice started; install "
			    "the tool package");
	setenv("PATH", old, 1);
	assert_int_equal(access("RAN", F_OK), -1);
	free(old);
	sl_child_release(&c);
	sl_error_release(&err);
}

/* Every trusted program found at once; one that is missing says so. */
static void programs__are_found_once_by_absolute_path(void **state)
{
	struct sl_programs p = SL_PROGRAMS_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf dir = SL_BUF_INIT;
	const char *git = NULL, *keygen = NULL;
	char cwd[4096];
	char *old;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	sl_sh_ok("mkdir -p bin && printf '#!/bin/sh\\n' > bin/git && "
		 "chmod +x bin/git");
	sl_buf_addf(&dir, "%s/bin", cwd);
	old = set_path(dir.buf);
	sl_programs_find(&p);
	setenv("PATH", old, 1);
	assert_int_equal(sl_programs_get(&git, &p, SL_PROGRAM_GIT, &err), 0);
	sl_buf_adds(&dir, "/git");
	assert_string_equal(git, dir.buf);
	assert_int_equal(
	    sl_programs_get(&keygen, &p, SL_PROGRAM_SSH_KEYGEN, &err), SL_EENV);
	assert_null(keygen);
	assert_non_null(
	    strstr(sl_error_message(&err), "cannot find 'ssh-keygen'"));
	sl_programs_release(&p);
	free(old);
	sl_buf_release(&dir);
	sl_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(program__skips_relative_path_entries),
	    cmocka_unit_test(
		program__takes_an_absolute_name_and_refuses_others),
	    cmocka_unit_test(child__captures_output_status_and_environment),
	    cmocka_unit_test(child__inherits_no_descriptor),
	    cmocka_unit_test(child__is_stopped_at_the_deadline),
	    cmocka_unit_test(child__output_is_bounded),
	    cmocka_unit_test(child__that_cannot_run_says_what_to_install),
	    cmocka_unit_test(child__is_never_looked_up_in_path),
	    cmocka_unit_test(programs__are_found_once_by_absolute_path),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
