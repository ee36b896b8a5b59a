/*
 * test_file.c: the one file writer (common/file.c) and the one escaping
 * of text for a terminal or a markdown file (common/text.c).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

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

static void expect_file(const char *path, const char *text)
{
	struct sl_buf got = SL_BUF_INIT;

	sl_read_file(&got, path);
	assert_string_equal(got.buf, text);
	sl_buf_release(&got);
}

static void expect_error(int ret, enum sl_status status, const char *part,
			 struct sl_error *err)
{
	assert_int_equal(ret, status);
	if (!strstr(sl_error_message(err), part))
		fail_msg("'%s' not in: %s", part, sl_error_message(err));
	sl_error_reset(err);
}

static struct sl_buf text(const char *s)
{
	struct sl_buf b = SL_BUF_INIT;

	sl_buf_adds(&b, s);
	return b;
}

static void file__write_replaces_whole_and_leaves_no_temporary(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf b = text("new\n");
	struct sl_buf ls = SL_BUF_INIT;

	(void)state;
	sl_write_text("out.json", "old\n");
	assert_int_equal(sl_file_write("out.json", &b, 0, &err), 0);
	expect_file("out.json", "new\n");
	assert_int_equal(sl_sh_capture(&ls, "ls -A"), 0);
	assert_string_equal(ls.buf, "out.json\n");
	sl_buf_release(&ls);
	sl_buf_release(&b);
	sl_error_release(&err);
}

static void file__write_refuses_links_directories_and_devices(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf b = text("x");

	(void)state;
	sl_write_text("target", "keep\n");
	sl_sh_ok("ln -s target link && mkdir dir && mkfifo fifo");
	expect_error(sl_file_write("link", &b, 0, &err), SL_EENV,
		     "'link': it is a symbolic link", &err);
	expect_file("target", "keep\n");
	expect_error(sl_file_write("dir", &b, 0, &err), SL_EENV,
		     "it is a directory", &err);
	expect_error(sl_file_write("fifo", &b, 0, &err), SL_EENV,
		     "not a regular file", &err);
	expect_error(sl_file_write("no/such/dir/f", &b, 0, &err), SL_EENV,
		     "No such file or directory", &err);
	expect_error(sl_file_write("", &b, 0, &err), SL_EUSAGE, "empty", &err);
	sl_buf_release(&b);
	sl_error_release(&err);
}

static void file__new_never_replaces(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf b = text("made\n");

	(void)state;
	assert_int_equal(sl_file_write("f", &b, SL_FILE_NEW, &err), 0);
	expect_file("f", "made\n");
	sl_sh_ok("ln -s nowhere dangling");
	expect_error(sl_file_write("f", &b, SL_FILE_NEW, &err), SL_EUSAGE,
		     "already exists", &err);
	expect_error(sl_file_write("dangling", &b, SL_FILE_NEW, &err),
		     SL_EUSAGE, "already exists", &err);
	assert_int_equal(sl_sh("test -e nowhere"), 1);
	sl_buf_release(&b);
	sl_error_release(&err);
}

static void file__append_adds_and_refuses_a_link(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf b = text("two\n");

	(void)state;
	sl_write_text("summary.md", "one\n");
	assert_int_equal(sl_file_append("summary.md", &b, &err), 0);
	expect_file("summary.md", "one\ntwo\n");
	sl_sh_ok("ln -s summary.md link");
	expect_error(sl_file_append("link", &b, &err), SL_EENV, "symbolic link",
		     &err);
	expect_file("summary.md", "one\ntwo\n");
	sl_buf_release(&b);
	sl_error_release(&err);
}

static void file__check_finds_what_a_write_would_meet(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf ls = SL_BUF_INIT;

	(void)state;
	sl_sh_ok("mkdir dir");
	assert_int_equal(sl_file_check_writable("new.json", false, &err), 0);
	expect_error(sl_file_check_writable("dir", false, &err), SL_EENV,
		     "it is a directory", &err);
	expect_error(sl_file_check_writable("dir", true, &err), SL_EENV,
		     "it is a directory", &err);
	expect_error(sl_file_check_writable("none/x", false, &err), SL_EENV,
		     "No such file", &err);
	/* Nothing is left behind by a check. */
	assert_int_equal(sl_sh_capture(&ls, "ls -A"), 0);
	assert_string_equal(ls.buf, "dir\n");
	sl_buf_release(&ls);
	sl_error_release(&err);
}

static void file__create_replaces_a_file_and_refuses_a_link(void **state)
{
	struct sl_error err = SL_ERROR_INIT;
	int fd;

	(void)state;
	sl_write_text("victim", "precious\n");
	sl_write_text("gate.log", "an earlier run\n");
	assert_int_equal(sl_file_create(&fd, "gate.log", 0600, &err), 0);
	assert_true(write(fd, "x\n", 2) == 2);
	close(fd);
	expect_file("gate.log", "x\n");
	sl_sh_ok("ln -s victim planted.log");
	expect_error(sl_file_create(&fd, "planted.log", 0600, &err), SL_EENV,
		     "symbolic link", &err);
	assert_int_equal(fd, -1);
	expect_file("victim", "precious\n");
	sl_error_release(&err);
}

static void expect_safe(const char *in, size_t len, unsigned flags,
			const char *want)
{
	struct sl_buf out = SL_BUF_INIT;

	sl_buf_add_safe(&out, in, len, flags);
	assert_string_equal(out.buf, want);
	assert_true(sl_text_is_safe(out.buf, out.len) ||
		    (flags & SL_SAFE_LINES));
	sl_buf_release(&out);
}

#define S(lit) lit, sizeof(lit) - 1

static void text__control_bytes_are_never_raw(void **state)
{
	(void)state;
	expect_safe(S("plain caf\xc3\xa9"), 0, "plain caf\xc3\xa9");
	expect_safe(S("\x1b[2Jx\0y\a"), 0, "\\033[2Jx\\000y\\a");
	expect_safe(S("a\nb\tc\r"), 0, "a\\nb\\tc\\r");
	expect_safe(S("a\nb\tc\r"), SL_SAFE_LINES, "a\nb\tc\\r");
	/* C1 CSI (U+009B), a lone 0x9b, DEL, a bidi override. */
	expect_safe(S("\xc2\x9b"
		      "1m\x9b\x7f\xe2\x80\xae"),
		    0, "\\302\\2331m\\233\\177\\342\\200\\256");
	assert_true(sl_text_is_safe(S("\xe2\x80\x94 dash")));
	assert_false(sl_text_is_safe(S("\xe2\x81\xa6")));
}

static void text__quoted_paths_read_back(void **state)
{
	static const char *const paths[] = {
	    "plain/x.c", "tab\there",	"q\"uote\\",   "\x1b]0;title\a",
	    "bad\xff",	 "caf\xc3\xa9", "\xc2\x85next"};
	size_t i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(paths); i++) {
		struct sl_buf q = SL_BUF_INIT, back = SL_BUF_INIT;

		sl_buf_add_quoted_path(&q, paths[i], strlen(paths[i]));
		assert_true(sl_text_is_safe(q.buf, q.len));
		if (q.buf[0] == '"')
			assert_int_equal(sl_path_unquote(&back, q.buf, q.len),
					 0);
		else
			sl_buf_add(&back, q.buf, q.len);
		assert_string_equal(back.buf, paths[i]);
		sl_buf_release(&q);
		sl_buf_release(&back);
	}
}

static void text__malformed_quotes_are_refused(void **state)
{
	static const char *const bad[] = {"\"",		"\"a",	   "a\"",
					  "\"a\"b\"",	"\"a\\\"", "\"\\q\"",
					  "\"\\4000\"", "\"\\12\""};
	size_t i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		struct sl_buf out = SL_BUF_INIT;

		if (!sl_path_unquote(&out, bad[i], strlen(bad[i])))
			fail_msg("'%s' was taken", bad[i]);
		sl_buf_release(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(file__write_replaces_whole_and_leaves_no_temporary),
	    T(file__write_refuses_links_directories_and_devices),
	    T(file__new_never_replaces),
	    T(file__append_adds_and_refuses_a_link),
	    T(file__check_finds_what_a_write_would_meet),
	    T(file__create_replaces_a_file_and_refuses_a_link),
	    cmocka_unit_test(text__control_bytes_are_never_raw),
	    cmocka_unit_test(text__quoted_paths_read_back),
	    cmocka_unit_test(text__malformed_quotes_are_refused),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
