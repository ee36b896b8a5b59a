/*
 * test_gitignore_diff.c: glob patterns against git itself. SPEC.md §1
 * defines a pattern's meaning as `git check-ignore --no-index` with that
 * pattern alone; this test generates thousands of patterns and paths,
 * asks git (one process per pattern, every path on its stdin) and compares
 * each answer with sl_pattern_match(). Some paths exist as directories in
 * the sandbox, so git sees them as directories and trailing-'/' patterns
 * are exercised on both kinds of leaf. Patterns the compiler refuses are
 * counted, and git must match nothing with them: that is what justifies
 * refusing. SLUICE_DIFF_SEED, SLUICE_DIFF_PATTERNS and SLUICE_DIFF_PATHS
 * override the seed and the sizes.
 */
#include "common/common.h"

#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "rules/rules.h"
#include "tests/rules/random.h"
#include "tests/support/sandbox.h"

extern char **environ;

#define DEFAULT_SEED UINT64_C(20240611)
#define DEFAULT_PATTERNS 1000
#define DEFAULT_PATHS 1000
#define MAX_REPORTED 25
#define SLOTS 2

struct corpus {
	struct sl_strvec paths;
	bool *is_dir;
	struct sl_buf stdin_data; /* the paths, NUL-terminated each */
};

/* Shows arbitrary bytes readably in a failure message. */
static const char *show(struct sl_buf *sb, const char *s, size_t len)
{
	size_t i;

	sl_buf_reset(sb);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '"')
			sl_buf_addf(sb, "\\%c", c);
		else if (c < 32 || c >= 127)
			sl_buf_addf(sb, "\\x%02x", c);
		else
			sl_buf_addch(sb, c);
	}
	return sb->buf;
}

static void mkdir_p(const char *path)
{
	char *copy = sl_xstrdup(path), *p;

	for (p = copy; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(copy, 0777);
		*p = '/';
	}
	(void)mkdir(copy, 0777);
	free(copy);
}

/* Paths, some of which become directories under repo/. */
static void make_corpus(struct corpus *c, struct rng *r, size_t npaths)
{
	struct sl_buf path = SL_BUF_INIT, full = SL_BUF_INIT;
	struct stat st;
	size_t i;

	for (i = 0; i < npaths; i++) {
		rand_path(r, &path);
		sl_strvec_push(&c->paths, path.buf);
		sl_buf_add(&c->stdin_data, path.buf, path.len + 1);
		if (rng_chance(r, 10)) {
			sl_buf_reset(&full);
			sl_buf_addf(&full, "repo/%s", path.buf);
			mkdir_p(full.buf);
		}
	}
	c->is_dir = sl_xcalloc(npaths, sizeof(*c->is_dir));
	for (i = 0; i < npaths; i++) {
		sl_buf_reset(&full);
		sl_buf_addf(&full, "repo/%s", c->paths.v[i]);
		c->is_dir[i] = !lstat(full.buf, &st) && S_ISDIR(st.st_mode);
	}
	sl_buf_release(&path);
	sl_buf_release(&full);
}

/*
 * Starts git check-ignore in repo/ on the corpus, with the pattern in
 * pattern<slot> and its output to out<slot>.
 */
static pid_t start_git(int slot)
{
	struct sl_buf config = SL_BUF_INIT, out = SL_BUF_INIT;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	char *argv[] = {
	    (char *)"git",
	    (char *)"-c",
	    NULL,
	    (char *)"check-ignore",
	    (char *)"--no-index",
	    (char *)"-v",
	    (char *)"-n",
	    (char *)"-z",
	    (char *)"--stdin",
	    NULL,
	};

	sl_buf_addf(&config, "core.excludesFile=../pattern%d", slot);
	sl_buf_addf(&out, "../out%d", slot);
	argv[2] = config.buf;
	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	posix_spawn_file_actions_addchdir_np(&fa, "repo");
	posix_spawn_file_actions_addopen(&fa, 0, "../paths", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out.buf,
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(posix_spawnp(&pid, "git", &fa, NULL, argv, environ),
			 0);
	posix_spawn_file_actions_destroy(&fa);
	sl_buf_release(&config);
	sl_buf_release(&out);
	return pid;
}

/* Waits for the git of slot and reads what it wrote into out. */
static void finish_git(pid_t pid, int slot, struct sl_buf *out)
{
	struct sl_buf name = SL_BUF_INIT;
	int status = -1;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* check-ignore exits 1 when nothing is ignored. */
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) <= 1);
	sl_buf_addf(&name, "out%d", slot);
	sl_buf_reset(out);
	sl_read_file(out, name.buf);
	sl_buf_release(&name);
}

/*
 * Parses git's -z -v -n records (source, line, pattern, path; each NUL-
 * terminated) into ignored[]: a path is ignored when a pattern matched and
 * it is not a negation (-v also reports those).
 */
static void parse_git(const struct sl_buf *out, const struct corpus *c,
		      bool *ignored)
{
	const char *p = out->buf, *end = out->buf + out->len;
	const char *field[4];
	size_t i, f;

	for (i = 0; i < c->paths.n; i++) {
		for (f = 0; f < 4; f++) {
			const char *nul = memchr(p, '\0', (size_t)(end - p));

			assert_non_null(nul);
			field[f] = p;
			p = nul + 1;
		}
		assert_string_equal(field[3], c->paths.v[i]);
		ignored[i] = *field[0] && field[2][0] != '!';
	}
	assert_ptr_equal(p, end);
}

struct tally {
	size_t patterns, refused, compared, matched, mismatches;
};

static void compare_one(const char *pattern, const struct corpus *c,
			const bool *ignored, struct tally *t)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf a = SL_BUF_INIT, b = SL_BUF_INIT;
	struct sl_pattern *pat;
	size_t i;
	int ours;

	t->patterns++;
	if (sl_pattern_compile(&pat, pattern, &err)) {
		t->refused++;
		for (i = 0; i < c->paths.n; i++) {
			if (!ignored[i])
				continue;
			if (t->mismatches++ < MAX_REPORTED)
				print_message(
				    "# refused \"%s\" (%s) but git "
				    "matches \"%s\"\n",
				    show(&a, pattern, strlen(pattern)),
				    sl_error_message(&err),
				    show(&b, c->paths.v[i],
					 strlen(c->paths.v[i])));
		}
		goto out;
	}
	for (i = 0; i < c->paths.n; i++) {
		ours =
		    sl_pattern_match(pat, c->paths.v[i], strlen(c->paths.v[i]),
				     c->is_dir[i] ? SL_MATCH_DIR : 0, &err);
		assert_true(ours == 0 || ours == 1);
		t->compared++;
		t->matched += ignored[i];
		if (ours == ignored[i])
			continue;
		if (t->mismatches++ < MAX_REPORTED)
			print_message(
			    "# \"%s\" vs %s \"%s\": git %d, sluice %d\n",
			    show(&a, pattern, strlen(pattern)),
			    c->is_dir[i] ? "directory" : "file",
			    show(&b, c->paths.v[i], strlen(c->paths.v[i])),
			    ignored[i], ours);
	}
	sl_pattern_free(pat);
out:
	sl_buf_release(&a);
	sl_buf_release(&b);
	sl_error_release(&err);
}

static void gitignore__every_answer_agrees_with_git(void **state)
{
	uint64_t seed = rng_seed_from_env("SLUICE_DIFF_SEED", DEFAULT_SEED);
	size_t npatterns =
	    rng_count_from_env("SLUICE_DIFF_PATTERNS", DEFAULT_PATTERNS);
	size_t npaths = rng_count_from_env("SLUICE_DIFF_PATHS", DEFAULT_PATHS);
	struct corpus c = {SL_STRVEC_INIT, NULL, SL_BUF_INIT};
	struct sl_buf pattern[SLOTS] = {SL_BUF_INIT, SL_BUF_INIT};
	struct sl_buf out = SL_BUF_INIT, name = SL_BUF_INIT;
	struct tally t = {0};
	struct rng r = {seed};
	bool *ignored;
	size_t i;

	(void)state;
	print_message("# seed %" PRIu64 " (SLUICE_DIFF_SEED), %zu patterns, "
		      "%zu paths\n",
		      seed, npatterns, npaths);
	sl_sandbox_enter();
	sl_sh_ok("git init -q repo");
	make_corpus(&c, &r, npaths);
	sl_write_file("paths", c.stdin_data.buf, c.stdin_data.len);
	ignored = sl_xcalloc(npaths, sizeof(*ignored));
	/* Two gits at a time: git's per-path system calls dominate. */
	for (i = 0; i < npatterns; i += SLOTS) {
		pid_t pid[SLOTS];
		int k, nslots =
			   (int)(npatterns - i < SLOTS ? npatterns - i : SLOTS);

		for (k = 0; k < nslots; k++) {
			sl_buf_reset(&name);
			sl_buf_addf(&name, "pattern%d", k);
			rand_glob(&r, &pattern[k]);
			sl_buf_addch(&pattern[k], '\n');
			sl_write_file(name.buf, pattern[k].buf, pattern[k].len);
			sl_buf_setlen(&pattern[k], pattern[k].len - 1);
			pid[k] = start_git(k);
		}
		for (k = 0; k < nslots; k++) {
			finish_git(pid[k], k, &out);
			parse_git(&out, &c, ignored);
			compare_one(pattern[k].buf, &c, ignored, &t);
		}
	}
	print_message("# %zu patterns (%zu refused), %zu answers compared, "
		      "%zu of them matches, %zu disagreements\n",
		      t.patterns, t.refused, t.compared, t.matched,
		      t.mismatches);
	assert_int_equal(t.mismatches, 0);
	/* A corpus where nothing matches would prove nothing. */
	assert_true(t.matched > t.compared / 50);
	free(ignored);
	free(c.is_dir);
	sl_strvec_release(&c.paths);
	sl_buf_release(&c.stdin_data);
	sl_buf_release(&pattern[0]);
	sl_buf_release(&pattern[1]);
	sl_buf_release(&out);
	sl_buf_release(&name);
	sl_sandbox_leave();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(gitignore__every_answer_agrees_with_git),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
