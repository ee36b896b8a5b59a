/*
 * sandbox: what the unit tests share. Each test that touches the file system
 * gets a fresh temporary directory (removed afterwards), a git environment
 * that ignores the machine's configuration, and helpers to run shell
 * commands in it and read what they wrote. Include after <cmocka.h>'s
 * prerequisites; tests/ only.
 */
#ifndef SL_TEST_SANDBOX_H
#define SL_TEST_SANDBOX_H

#include "common/common.h"

/*
 * Creates a fresh directory under $TMPDIR, makes it the working directory,
 * and points HOME and git's configuration at it, so that neither git nor
 * libgit2 reads the machine's settings. Returns its path (owned by the
 * sandbox). Fails the test on error.
 */
const char *sl_sandbox_enter(void);
/* Leaves the sandbox and removes its directory. */
void sl_sandbox_leave(void);

/*
 * Runs `/bin/sh -c <formatted>` in the current directory and returns its
 * exit status (or 128 + signal). Its stdout and stderr go to the test log.
 */
int sl_sh(const char *fmt, ...) SL_PRINTF(1, 2);
/* Like sl_sh() but appends its stdout to out (stderr to the test log). */
int sl_sh_capture(struct sl_buf *out, const char *fmt, ...) SL_PRINTF(2, 3);
/* Like sl_sh(), failing the test unless the command exits 0. */
#define sl_sh_ok(...) assert_int_equal(sl_sh(__VA_ARGS__), 0)

/* Writes len bytes to path, creating parent directories. */
void sl_write_file(const char *path, const char *data, size_t len);
void sl_write_text(const char *path, const char *text);
/* Reads the whole file at path into out; fails the test on error. */
void sl_read_file(struct sl_buf *out, const char *path);

/*
 * cmocka 1.1 prints a skipped test as "not ok N # SKIP", which TAP (and
 * meson) read as a failure. Called first in main() by a test that may
 * skip (its build lacks what the case is about, or the machine a tool):
 * the tests then run in a child whose output passes through this process,
 * each such line as "ok N # SKIP", so that a skip is counted as a skip,
 * neither as a pass nor as a failure. Exits with the child's status.
 */
void sl_tap_skips(void);

/* The source tree's root (for fixtures/) and the built sluice binary. */
const char *sl_source_root(void);
const char *sl_sluice_bin(void);

#endif
