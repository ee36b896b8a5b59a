/*
 * test_paths.c: change lists read from a file, stdin or a descriptor for
 * --paths-from (selector/paths.c): the format and every refusal.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>

#include "selector/selector.h"
#include "tests/selector/gitref.h"
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

/* Reads data (len bytes) through a pipe, as a CI step would pipe it. */
static int read_piped(struct sl_change_list *out, const char *data, size_t len,
		      bool nul, struct sl_error *err)
{
	int fds[2], ret;

	assert_int_equal(pipe(fds), 0);
	assert_true(len < 65536); /* fits the pipe: no writer thread */
	assert_int_equal(write(fds[1], data, len), (ssize_t)len);
	close(fds[1]);
	ret = sl_change_list_read_fd(out, fds[0], "<pipe>", nul, err);
	close(fds[0]);
	return ret;
}

static void expect(const char *data, size_t len, bool nul, const char *changes)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;

	if (read_piped(&list, data, len, nul, &err))
		fail_msg("%s", sl_error_message(&err));
	gr_assert_changes(&list, changes);
	sl_change_list_release(&list);
	sl_error_release(&err);
}

static void expect_refused(const char *data, size_t len, bool nul,
			   const char *message)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;

	assert_int_equal(read_piped(&list, data, len, nul, &err), SL_EUSAGE);
	assert_int_equal(list.n, 0);
	if (!strstr(sl_error_message(&err), message))
		fail_msg("'%s' not in: %s", message, sl_error_message(&err));
	sl_error_release(&err);
}

#define S(lit) lit, sizeof(lit) - 1

static void paths__lines_are_sorted_unique_and_modified(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;

	(void)state;
	expect(S("b/x.c\na\nb/x.c\na.b\na/c\n"), false,
	       "M a\nM a.b\nM a/c\nM b/x.c\n");
	assert_int_equal(read_piped(&list, S("one\n"), false, &err), 0);
	assert_int_equal(list.items[0].len, 3);
	assert_int_equal(list.items[0].old_mode, 0);
	assert_null(list.items[0].old_path);
	sl_change_list_release(&list);
	sl_error_release(&err);
}

static void paths__last_line_needs_no_newline_and_crlf_is_stripped(void **state)
{
	(void)state;
	expect(S("a\r\nb\r\nc"), false, "M a\nM b\nM c\n");
	expect(S("only"), false, "M only\n");
}

/* As `git diff --name-only` prints them with core.quotePath on (the
 * default): the owning lane must see the real name (issue 12). */
static void paths__git_quoted_lines_are_unquoted(void **state)
{
	(void)state;
	expect(S("\"caf\\303\\251.c\"\n\"tab\\tname\"\nplain\n"), false,
	       "M caf\xc3\xa9.c\nM plain\nM tab\tname\n");
	expect(S("\"q\\\"x\\\\y\"\r\n"), false, "M q\"x\\y\n");
	/* -z names are taken as they are, quotes and all. */
	expect(S("\"q\"\0"), true, "M \"q\"\n");
}

static void paths__nul_separated_names_are_taken_byte_for_byte(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;

	(void)state;
	assert_int_equal(
	    read_piped(&list, S("new\nline\0cr\r\0caf\xe9\0"), true, &err), 0);
	assert_int_equal(list.n, 3);
	assert_memory_equal(list.items[0].path, "caf\xe9", 5);
	assert_int_equal(list.items[1].len, 3);
	assert_memory_equal(list.items[1].path, "cr\r", 3);
	assert_string_equal(list.items[2].path, "new\nline");
	sl_change_list_release(&list);
	expect(S("no-terminator"), true, "M no-terminator\n");
	sl_error_release(&err);
}

static void paths__empty_input_is_an_empty_list(void **state)
{
	(void)state;
	expect("", 0, false, "");
	expect("", 0, true, "");
}

static void paths__bad_names_are_refused_with_their_line(void **state)
{
	(void)state;
	expect_refused(S("a\n\nb\n"), false, "<pipe>:2: empty path");
	expect_refused(S("a\n\r\n"), false, "<pipe>:2: empty path");
	expect_refused(S("ok\n/etc/passwd\n"), false,
		       "<pipe>:2: leading '/' (paths are relative to the "
		       "repository root): '/etc/passwd'");
	expect_refused(S("dir/\n"), false, "<pipe>:1: trailing '/'");
	expect_refused(S("a/../b\n"), false, "'..' component");
	expect_refused(S("./a\n"), false, "'.' or '..' component");
	expect_refused(S("a//b\n"), false, "empty, '.' or '..' component");
	expect_refused(S("a\0b\n"), false, "NUL byte inside a line (use -z");
	expect_refused(S("a\0\0"), true, "<pipe>: entry 2: empty path");
	expect_refused(S("caf\xe9/\n"), false, "'\"caf\\351/\"'");
	/* A quoted name that is not as git quotes is refused, not taken
	 * literally. */
	expect_refused(S("\"unterminated\n"), false,
		       "<pipe>:1: a quoted name that is not well-formed");
	expect_refused(S("\"a\\q\"\n"), false, "not well-formed");
	expect_refused(S("\"a\\000b\"\n"), false, "NUL byte inside a line");
	expect_refused(S("\"a/\"\n"), false, "<pipe>:1: trailing '/'");
}

static void paths__file_and_stdin(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	int saved, fd;

	(void)state;
	sl_write_text("list.txt", "x/y\nx\n");
	assert_int_equal(
	    sl_change_list_read_file(&list, "list.txt", false, &err), 0);
	gr_assert_changes(&list, "M x\nM x/y\n");
	sl_change_list_release(&list);

	/* "-" is stdin: point descriptor 0 at a file for the call. */
	sl_write_file("list0", "s\0t\0", 4);
	saved = dup(STDIN_FILENO);
	fd = open("list0", O_RDONLY);
	assert_true(saved >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	assert_int_equal(sl_change_list_read_file(&list, "-", true, &err), 0);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	gr_assert_changes(&list, "M s\nM t\n");
	sl_change_list_release(&list);

	sl_write_text("bad.txt", "x\n/y\n");
	assert_int_equal(
	    sl_change_list_read_file(&list, "bad.txt", false, &err), SL_EUSAGE);
	assert_non_null(strstr(sl_error_message(&err), "bad.txt:2: leading"));
	sl_error_release(&err);
}

static void paths__unreadable_input_is_an_environment_error(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;

	(void)state;
	assert_int_equal(
	    sl_change_list_read_file(&list, "missing.txt", false, &err),
	    SL_EENV);
	assert_string_equal(sl_error_message(&err),
			    "cannot open 'missing.txt': No such file or "
			    "directory");
	sl_sh_ok("mkdir adir");
	assert_int_equal(sl_change_list_read_file(&list, "adir", false, &err),
			 SL_EENV);
	assert_int_equal(
	    sl_change_list_read_fd(&list, -1, "fd -1", false, &err), SL_EENV);
	assert_non_null(strstr(sl_error_message(&err), "cannot read 'fd -1'"));
	assert_int_equal(list.n, 0);
	sl_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(paths__lines_are_sorted_unique_and_modified),
	    T(paths__last_line_needs_no_newline_and_crlf_is_stripped),
	    T(paths__git_quoted_lines_are_unquoted),
	    T(paths__nul_separated_names_are_taken_byte_for_byte),
	    T(paths__empty_input_is_an_empty_list),
	    T(paths__bad_names_are_refused_with_their_line),
	    T(paths__file_and_stdin),
	    T(paths__unreadable_input_is_an_environment_error),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
