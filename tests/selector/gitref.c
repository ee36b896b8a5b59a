/*
 * gitref.c: repositories built with the git CLI, change lists checked
 * against git's own output, and the randomized tests' generator (see
 * gitref.h).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <ftw.h>
#include <sys/stat.h>

#include "tests/selector/gitref.h"
#include "tests/support/sandbox.h"

void gr_init(const char *dir)
{
	sl_sh_ok("git init -q -b main '%s'", dir);
}

int gr_setup_repo(void **state)
{
	(void)state;
	sl_sandbox_enter();
	gr_init(".");
	return 0;
}

int gr_teardown_repo(void **state)
{
	(void)state;
	sl_sandbox_leave();
	return 0;
}

void gr_commit_all(const char *msg)
{
	sl_sh_ok("git add -A . && git commit -q --allow-empty -m '%s'", msg);
}

void gr_rev(char out[SL_OID_HEXSZ + 1], const char *rev)
{
	struct sl_buf sb = SL_BUF_INIT;

	assert_int_equal(
	    sl_sh_capture(&sb, "git rev-parse --verify -q '%s'", rev), 0);
	assert_true(sb.len >= SL_OID_HEXSZ);
	memcpy(out, sb.buf, SL_OID_HEXSZ);
	out[SL_OID_HEXSZ] = '\0';
	sl_buf_release(&sb);
}

struct sl_repo *gr_open(const char *dir)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_repo *repo = NULL;

	if (sl_repo_open(&repo, dir, &err))
		fail_msg("sl_repo_open: %s", sl_error_message(&err));
	sl_error_release(&err);
	return repo;
}

void gr_mkdir_parents(const char *path)
{
	struct sl_buf dir = SL_BUF_INIT;
	const char *p = path;

	while ((p = strchr(p, '/'))) {
		sl_buf_reset(&dir);
		sl_buf_add(&dir, path, (size_t)(p - path));
		if (mkdir(dir.buf, 0755) && errno != EEXIST)
			fail_msg("mkdir %s: %s", dir.buf, strerror(errno));
		p++;
	}
	sl_buf_release(&dir);
}

void gr_write_file(const char *path, const char *data, size_t len)
{
	FILE *fp;

	/* Not sl_write_file(): it runs a shell for mkdir -p, and the
	 * random histories write hundreds of files. */
	gr_mkdir_parents(path);
	fp = fopen(path, "wb");
	if (!fp)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

void gr_write(const char *path, const char *text)
{
	gr_write_file(path, text, strlen(text));
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void gr_remove(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		assert_int_equal(
		    nftw(path, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

/* Splits NUL-terminated records of sb into sv. */
static void split_nul(struct sl_strvec *sv, const struct sl_buf *sb)
{
	size_t pos = 0;

	while (pos < sb->len) {
		size_t n = strlen(sb->buf + pos);

		sl_strvec_push(sv, sb->buf + pos);
		pos += n + 1;
	}
}

static void assert_same_lists(const struct sl_strvec *ours,
			      const struct sl_strvec *gits, const char *what)
{
	size_t i;

	for (i = 0; i < ours->n || i < gits->n; i++) {
		const char *a = i < ours->n ? ours->v[i] : "(none)";
		const char *b = i < gits->n ? gits->v[i] : "(none)";

		if (strcmp(a, b))
			fail_msg("%s differ at %zu: sluice '%s', git '%s'",
				 what, i, a, b);
	}
}

/*
 * git's view of the diff: "L\tpath" lines from one `git diff --name-status
 * --no-renames -z` (its paths are exactly what --name-only prints).
 */
static void git_changes(struct sl_strvec *out, const char *git_args)
{
	struct sl_strvec raw = SL_STRVEC_INIT;
	struct sl_buf sb = SL_BUF_INIT;
	size_t i;

	assert_int_equal(sl_sh_capture(&sb,
				       "git diff --name-status --no-renames "
				       "-z %s",
				       git_args),
			 0);
	split_nul(&raw, &sb);
	assert_int_equal(raw.n % 2, 0);
	for (i = 0; i + 1 < raw.n; i += 2)
		sl_strvec_pushf(out, "%s\t%s", raw.v[i], raw.v[i + 1]);
	sl_strvec_release(&raw);
	sl_buf_release(&sb);
}

static void assert_names(const struct sl_change_list *list,
			 const struct sl_strvec *gits)
{
	struct sl_strvec ours = SL_STRVEC_INIT, names_git = SL_STRVEC_INIT;
	struct sl_change_name *names;
	size_t i, n = sl_change_list_names(&names, list);

	for (i = 0; i < n; i++) {
		assert_int_equal(strlen(names[i].path), names[i].len);
		sl_strvec_push(&ours, names[i].path);
	}
	for (i = 0; i < gits->n; i++)
		sl_strvec_push(&names_git, gits->v[i] + 2);
	assert_same_lists(&ours, &names_git, "names");
	free(names);
	sl_strvec_release(&ours);
	sl_strvec_release(&names_git);
}

static int line_cmp(const void *a, const void *b)
{
	/* "L\tpath": order by path bytes, as git does. */
	return strcmp(*(char *const *)a + 2, *(char *const *)b + 2);
}

static void assert_statuses(const struct sl_change_list *list,
			    const struct sl_strvec *gits)
{
	struct sl_strvec ours = SL_STRVEC_INIT;
	size_t i;

	for (i = 0; i < list->n; i++) {
		const struct sl_change *c = &list->items[i];

		if (c->status == SL_CHANGE_RENAMED) {
			sl_strvec_pushf(&ours, "D\t%s", c->old_path);
			sl_strvec_pushf(&ours, "A\t%s", c->path);
		} else {
			sl_strvec_pushf(&ours, "%c\t%s",
					sl_change_status_letter(c->status),
					c->path);
		}
	}
	if (ours.n > 1)
		qsort(ours.v, ours.n, sizeof(*ours.v), line_cmp);
	assert_same_lists(&ours, gits, "statuses");
	sl_strvec_release(&ours);
}

/* Strictly increasing path bytes: sorted, no path twice. */
static bool path_less(const struct sl_change *a, const struct sl_change *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int cmp = memcmp(a->path, b->path, n);

	return cmp < 0 || (cmp == 0 && a->len < b->len);
}

static void assert_sorted(const struct sl_change_list *list)
{
	size_t i;

	for (i = 1; i < list->n; i++)
		if (!path_less(&list->items[i - 1], &list->items[i]))
			fail_msg(
			    "not sorted: '%c %s' before '%c %s'",
			    sl_change_status_letter(list->items[i - 1].status),
			    list->items[i - 1].path,
			    sl_change_status_letter(list->items[i].status),
			    list->items[i].path);
}

void gr_assert_like_git(const struct sl_change_list *list, const char *git_args)
{
	struct sl_strvec gits = SL_STRVEC_INIT, only = SL_STRVEC_INIT;
	struct sl_change_name *names;
	struct sl_buf sb = SL_BUF_INIT;
	size_t i, n = sl_change_list_names(&names, list);

	assert_sorted(list);
	git_changes(&gits, git_args);
	assert_names(list, &gits);
	assert_statuses(list, &gits);
	/* And the names once more against --name-only itself. */
	assert_int_equal(
	    sl_sh_capture(&sb, "git diff --name-only --no-renames -z %s",
			  git_args),
	    0);
	split_nul(&only, &sb);
	assert_int_equal(only.n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(only.v[i], names[i].path);
	free(names);
	sl_buf_release(&sb);
	sl_strvec_release(&only);
	sl_strvec_release(&gits);
}

void gr_check_commits(struct sl_repo *repo, const char *old_rev,
		      const char *new_rev)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_strvec gits = SL_STRVEC_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf args = SL_BUF_INIT;
	int find;

	sl_buf_addf(&args, "'%s' '%s'", old_rev, new_rev);
	git_changes(&gits, args.buf);
	for (find = 0; find < 2; find++) {
		if (sl_diff_commits(&list, repo, old_rev, new_rev, find, &err))
			fail_msg("sl_diff_commits: %s", sl_error_message(&err));
		assert_sorted(&list);
		assert_names(&list, &gits);
		if (!find)
			assert_statuses(&list, &gits);
		sl_change_list_release(&list);
	}
	sl_strvec_release(&gits);
	sl_buf_release(&args);
	sl_error_release(&err);
}

void gr_assert_changes(const struct sl_change_list *list, const char *expected)
{
	struct sl_buf got = SL_BUF_INIT;
	size_t i;

	for (i = 0; i < list->n; i++) {
		const struct sl_change *c = &list->items[i];

		sl_buf_addf(&got, "%c ", sl_change_status_letter(c->status));
		if (c->old_path)
			sl_buf_addf(&got, "%s->", c->old_path);
		sl_buf_addf(&got, "%s\n", c->path);
	}
	assert_string_equal(got.buf, expected);
	sl_buf_release(&got);
}

static uint64_t rng_state;

void gr_seed(uint64_t fallback)
{
	const char *seed_env = getenv("SLUICE_TEST_SEED");

	rng_state = seed_env ? strtoull(seed_env, NULL, 10) : fallback;
	fprintf(stderr, "# seed %" PRIu64 "\n", rng_state);
}

unsigned gr_rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}
