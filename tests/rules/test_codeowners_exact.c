/*
 * test_codeowners_exact.c: the proof that `sluice import codeowners` is
 * exact. It builds a repository of fixtures/codeowners/paths.txt (a few
 * hundred tracked paths whose names trip patterns up), and for
 * fixtures/codeowners/CODEOWNERS and for random CODEOWNERS files (a fixed
 * seed) imports each with the built binary, asks `sluice owners --format
 * json --stdin -z` about every tracked path, and compares each owner set
 * with the one GitHub's rules give, as tests/rules/codeowners_reference.py
 * decides it from git's own matcher (`git check-ignore --no-index`).
 * SLUICE_CO_SEED and SLUICE_CO_FILES change the seed and how many random
 * files there are.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <sys/stat.h>

#include "tests/rules/random.h"
#include "tests/support/sandbox.h"

#define DEFAULT_SEED UINT64_C(20260101)
#define DEFAULT_FILES 40
#define SHARED_PATTERNS 60
#define MAX_REPORTED 20

struct fixture {
	struct sl_strvec paths; /* as tracked, in `git ls-files` order */
	size_t files;		/* CODEOWNERS files: co0 (the fixture) ... */
};

static struct fixture fx;

/* ---- the repository ------------------------------------------------------ */

/* Creates the empty file path, and its directories (one shell per file
 * would take seconds). */
static void create_empty(struct sl_buf *path)
{
	char *slash;
	FILE *fp;

	for (slash = strchr(path->buf, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path->buf, 0777) && errno != EEXIST)
			fail_msg("mkdir '%s': %s", path->buf, strerror(errno));
		*slash = '/';
	}
	fp = fopen(path->buf, "wb");
	if (!fp)
		fail_msg("cannot create '%s': %s", path->buf, strerror(errno));
	assert_int_equal(fclose(fp), 0);
}

static void build_repository(void)
{
	struct sl_buf list = SL_BUF_INIT, path = SL_BUF_INIT, out = SL_BUF_INIT;
	const char *p, *nl;
	size_t n = 0;

	sl_buf_addf(&path, "%s/fixtures/codeowners/paths.txt",
		    sl_source_root());
	sl_read_file(&list, path.buf);
	sl_sh_ok("git init -q repo");
	for (p = list.buf; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		sl_buf_reset(&path);
		sl_buf_adds(&path, "repo/");
		sl_buf_add(&path, p, (size_t)(nl - p));
		create_empty(&path);
		n++;
	}
	sl_sh_ok("cd repo && git add -A && git commit -q -m fixture");
	/* sl_sh() sends stdout to stderr: redirect inside a subshell. */
	sl_sh_ok("(cd repo && git ls-files -z > ../paths0)");
	sl_read_file(&out, "paths0");
	for (p = out.buf; p < out.buf + out.len; p += strlen(p) + 1)
		sl_strvec_push(&fx.paths, p);
	/* Every line of the fixture is one tracked path. */
	assert_int_equal(fx.paths.n, n);
	assert_true(n >= 250);
	sl_buf_release(&list);
	sl_buf_release(&path);
	sl_buf_release(&out);
}

/* ---- random CODEOWNERS files --------------------------------------------- */

static const char *const names[] = {
    "docs",	"apps",	   "src",	 "api",	      "logs",	  "build",
    "x",	"a",	   "b",		 "web",	      "github",	  "services",
    "billing",	"lib",	   "weird",	 "modules",   "packages", "README.md",
    "index.js", "main.go", ".github",	 "docs-site", "tools",	  "m1",
    "core",	"y",	   "migrations", "internal",  "mobile",	  "scripts",
};

static const char *const wild[] = {
    "*",    "**",   "*.md", "*.js",  "*.go",	     "*.txt",
    "a*",   "*s",   "?",    "m?",    "doc?",	     "*_test.go",
    "*.*",  ".*",   "m1*",  "*.yml", "my\\ file.md", "notes/\\#todo.md",
    "re:x", "*.MD",
};

static const char *const owner_sets[] = {
    "@a", "@b", "@a @b", "@b @a", "@org/t", "x@example.com", "", "@c",
};

static const char *const odd_lines[] = {
    "# a comment",
    "",
    "   ",
    "!docs/ @a",
    "*.[ch] @a",
    "\\#root.md @a",
    "docs/ nobody",
    "\t# indented",
    "apps/ @a # inline",
    "/ @a",
    "weird\\ @b",
};

static void random_pattern(struct rng *r, struct sl_buf *out)
{
	size_t n = 1 + rng_below(r, 3), i;

	if (rng_chance(r, 35))
		sl_buf_addch(out, '/');
	else if (rng_chance(r, 10))
		sl_buf_adds(out, "**/");
	for (i = 0; i < n; i++) {
		if (i)
			sl_buf_addch(out, '/');
		sl_buf_adds(out, rng_chance(r, 60) ? RNG_PICK(r, names)
						   : RNG_PICK(r, wild));
	}
	if (rng_chance(r, 20))
		sl_buf_addch(out, '/');
	else if (rng_chance(r, 15))
		sl_buf_adds(out, "/*");
}

/*
 * Most lines take a pattern from a pool the files share, so that git is
 * asked about fewer patterns; the rest are new. Owner sets and order are
 * what the lanes are built from, and they are drawn afresh every line.
 */
static void random_file(struct rng *r, const struct sl_strvec *shared,
			const char *name)
{
	struct sl_buf text = SL_BUF_INIT;
	size_t n = 5 + rng_below(r, 16), i;

	if (rng_chance(r, 40))
		sl_buf_adds(&text, "* @default\n");
	for (i = 0; i < n; i++) {
		if (rng_chance(r, 10)) {
			sl_buf_addf(&text, "%s\n", RNG_PICK(r, odd_lines));
			continue;
		}
		if (rng_chance(r, 60))
			sl_buf_adds(&text, shared->v[rng_below(r, shared->n)]);
		else
			random_pattern(r, &text);
		sl_buf_addf(&text, " %s%s\n", RNG_PICK(r, owner_sets),
			    rng_chance(r, 5) ? " # why" : "");
	}
	sl_write_text(name, text.buf);
	sl_buf_release(&text);
}

/* ---- sluice and the reference -------------------------------------------- */

static int setup(void **state)
{
	struct rng r = {rng_seed_from_env("SLUICE_CO_SEED", DEFAULT_SEED)};
	struct sl_strvec shared = SL_STRVEC_INIT;
	struct sl_buf name = SL_BUF_INIT;
	size_t i;

	(void)state;
	sl_sandbox_enter();
	fx.paths = (struct sl_strvec)SL_STRVEC_INIT;
	build_repository();
	sl_sh_ok("cp '%s/fixtures/codeowners/CODEOWNERS' co0",
		 sl_source_root());
	fx.files = 1 + rng_count_from_env("SLUICE_CO_FILES", DEFAULT_FILES);
	for (i = 0; i < SHARED_PATTERNS; i++) {
		sl_buf_reset(&name);
		random_pattern(&r, &name);
		sl_strvec_push(&shared, name.buf);
	}
	for (i = 1; i < fx.files; i++) {
		sl_buf_reset(&name);
		sl_buf_addf(&name, "co%zu", i);
		random_file(&r, &shared, name.buf);
	}
	sl_strvec_release(&shared);
	sl_buf_release(&name);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_strvec_release(&fx.paths);
	sl_sandbox_leave();
	return 0;
}

/* Imports co<i> and asks sluice about every path: owners<i>.json. */
static void run_sluice(size_t i)
{
	sl_sh_ok("('%s' import codeowners --flavor github -o rules%zu.yml "
		 "co%zu 2> warnings%zu)",
		 sl_sluice_bin(), i, i, i);
	sl_sh_ok("(cd repo && '%s' --rules ../rules%zu.yml owners --format "
		 "json --stdin -z < ../paths0 > ../owners%zu.json)",
		 sl_sluice_bin(), i, i);
}

static json_t *run_reference(void)
{
	struct sl_buf cmd = SL_BUF_INIT;
	json_error_t jerr;
	json_t *ref;
	size_t i;

	sl_buf_addf(
	    &cmd,
	    "(cd repo && python3 '%s/tests/rules/codeowners_reference.py' "
	    "--paths ../paths0",
	    sl_source_root());
	for (i = 0; i < fx.files; i++)
		sl_buf_addf(&cmd, " ../co%zu", i);
	sl_buf_adds(&cmd, " > ../reference.json)");
	sl_sh_ok("%s", cmd.buf);
	sl_buf_release(&cmd);
	ref = json_load_file("reference.json", 0, &jerr);
	if (!ref)
		fail_msg("reference.json: %s", jerr.text);
	assert_int_equal(json_array_size(ref), fx.files);
	return ref;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An owner list as "a,b" (sorted), or "-" for JSON null. */
static void owners_text(struct sl_buf *out, const json_t *list)
{
	struct sl_strvec v = SL_STRVEC_INIT;
	size_t i;

	sl_buf_reset(out);
	if (json_is_null(list)) {
		sl_buf_adds(out, "-");
		return;
	}
	assert_true(json_is_array(list));
	for (i = 0; i < json_array_size(list); i++)
		sl_strvec_push(&v, json_string_value(json_array_get(list, i)));
	qsort(v.v, v.n, sizeof(*v.v), cmp_str);
	for (i = 0; i < v.n; i++)
		sl_buf_addf(out, "%s%s", i ? "," : "", v.v[i]);
	sl_strvec_release(&v);
}

/* Compares file i's answers; returns the number of paths that differ. */
static size_t compare(size_t i, const json_t *want_list, size_t *reported)
{
	struct sl_buf name = SL_BUF_INIT, want = SL_BUF_INIT, got = SL_BUF_INIT;
	struct sl_buf path = SL_BUF_INIT;
	struct sl_error err = SL_ERROR_INIT;
	const json_t *row, *rows;
	size_t k, bad = 0;
	json_error_t jerr;
	json_t *doc;

	sl_buf_addf(&name, "owners%zu.json", i);
	doc = json_load_file(name.buf, 0, &jerr);
	if (!doc)
		fail_msg("%s: %s", name.buf, jerr.text);
	rows = json_object_get(doc, "paths");
	assert_int_equal(json_array_size(rows), fx.paths.n);
	assert_int_equal(json_array_size(want_list), fx.paths.n);
	for (k = 0; k < fx.paths.n; k++) {
		row = json_array_get(rows, k);
		assert_int_equal(sl_json_get_path(&path, row, "path", &err), 0);
		assert_string_equal(path.buf, fx.paths.v[k]);
		owners_text(&want, json_array_get(want_list, k));
		if (json_is_null(json_object_get(row, "lane")))
			owners_text(&got, json_null());
		else
			owners_text(&got, json_object_get(row, "owners"));
		if (!strcmp(want.buf, got.buf))
			continue;
		bad++;
		if ((*reported)++ < MAX_REPORTED)
			print_message("# co%zu: '%s': GitHub gives '%s', "
				      "sluice '%s'\n",
				      i, fx.paths.v[k], want.buf, got.buf);
	}
	json_decref(doc);
	sl_buf_release(&name);
	sl_buf_release(&want);
	sl_buf_release(&got);
	sl_buf_release(&path);
	sl_error_release(&err);
	return bad;
}

static void exact__every_tracked_path_has_githubs_owners(void **state)
{
	size_t i, bad = 0, reported = 0;
	json_t *ref;

	(void)state;
	for (i = 0; i < fx.files; i++)
		run_sluice(i);
	ref = run_reference();
	for (i = 0; i < fx.files; i++)
		bad += compare(i, json_array_get(ref, i), &reported);
	json_decref(ref);
	print_message("# %zu CODEOWNERS files x %zu paths: %zu differ\n",
		      fx.files, fx.paths.n, bad);
	assert_int_equal(bad, 0);
}

/* The fixture really exercises what it claims to: a warning per invalid
 * line, a regular expression for the lone trailing star, an owner-less
 * lane, and exclusions. */
static void exact__the_fixture_covers_every_rule(void **state)
{
	struct sl_buf yaml = SL_BUF_INIT, warnings = SL_BUF_INIT;

	(void)state;
	sl_read_file(&yaml, "rules0.yml");
	sl_read_file(&warnings, "warnings0");
	assert_non_null(strstr(warnings.buf, "skipped '!apps/web/'"));
	assert_non_null(strstr(warnings.buf, "skipped 'lib/[id].js'"));
	assert_non_null(strstr(warnings.buf, "skipped '\\#root.md'"));
	assert_non_null(strstr(warnings.buf, "'not-an-owner' is not an owner"));
	assert_non_null(strstr(warnings.buf, "'@bad!owner' is not an owner"));
	assert_non_null(strstr(yaml.buf, "'docs/*', not what is under"));
	assert_non_null(strstr(yaml.buf, "- 're:\\.config/[^/]*'"));
	assert_non_null(strstr(yaml.buf, "  no-owners:\n"));
	assert_non_null(strstr(yaml.buf, ", less what line"));
	sl_buf_release(&yaml);
	sl_buf_release(&warnings);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(exact__every_tracked_path_has_githubs_owners),
	    cmocka_unit_test(exact__the_fixture_covers_every_rule),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
