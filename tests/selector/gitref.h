/*
 * gitref: what the selector tests share: building repositories with the
 * git CLI in the sandbox, checking sluice's change lists against what git
 * itself prints (`git diff --name-only --no-renames`, `--name-status`), the
 * reference the diff is held to, and a seeded generator for the random
 * histories. tests/selector/ only.
 */
#ifndef SL_TEST_GITREF_H
#define SL_TEST_GITREF_H

#include "common/common.h"

#include "selector/selector.h"

/* `git init` of a repository on branch main in dir ("." for the sandbox). */
void gr_init(const char *dir);
/* cmocka set-up and tear-down of a test in a new sandbox that is a fresh
 * repository (gr_init(".")), and of leaving it. */
int gr_setup_repo(void **state);
int gr_teardown_repo(void **state);
/* Stages everything in the current directory and commits it. */
void gr_commit_all(const char *msg);
/* The full id of rev, as git resolves it in the current directory. */
void gr_rev(char out[SL_OID_HEXSZ + 1], const char *rev);
/* Opens the repository at dir, failing the test on error. */
struct sl_repo *gr_open(const char *dir);

/*
 * Writes text (or len bytes of data) to path, creating its directories;
 * removes a path recursively. Directories are made without a shell.
 */
void gr_write(const char *path, const char *text);
void gr_write_file(const char *path, const char *data, size_t len);
void gr_mkdir_parents(const char *path);
void gr_remove(const char *path);

/*
 * Fails the test unless list, seen as names (renames under both names), is
 * exactly what `git diff --name-only --no-renames -z <git_args>` prints,
 * and, with renames split into a deletion and an addition, every status
 * letter is the one `git diff --name-status --no-renames` prints.
 */
void gr_assert_like_git(const struct sl_change_list *list,
			const char *git_args);

/* Diffs old..new both ways (exact renames, similarity) and checks each. */
void gr_check_commits(struct sl_repo *repo, const char *old_rev,
		      const char *new_rev);

/*
 * Fails the test unless list holds exactly the changes described by
 * expected: "A a\nD b\nR old->new\n", one per line, in order.
 */
void gr_assert_changes(const struct sl_change_list *list, const char *expected);

/*
 * A seeded generator for the randomized tests (xorshift64): gr_seed()
 * takes SLUICE_TEST_SEED when it is set, else fallback, and prints the
 * seed as a TAP comment; gr_rnd(n) is in [0, n).
 */
void gr_seed(uint64_t fallback);
unsigned gr_rnd(unsigned n);

#endif
