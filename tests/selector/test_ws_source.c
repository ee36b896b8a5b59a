/*
 * test_ws_source.c: a workspace's manifests read from a commit
 * (selector/ws_source.c): the search for packages' directories and the
 * files read through the raw tree reader (treeread.c), from loose objects
 * and from packs alike, held to the layout git committed; links and
 * submodules never followed; a damaged tree an error, never "no
 * packages".
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <limits.h>

#include "rules/rules.h"
#include "selector/selector.h"
#include "tests/selector/gitref.h"
#include "tests/support/sandbox.h"

/* The source of rev's tree; fails the test on error. */
static struct sl_ws_tree *open_at(struct sl_repo *repo, const char *rev)
{
	struct sl_error err = SL_ERROR_INIT;
	char id[SL_OID_HEXSZ + 1];
	struct sl_ws_tree *t;

	gr_rev(id, rev);
	if (sl_ws_tree_open(&t, repo, id, NULL, &err))
		fail_msg("sl_ws_tree_open: %s", sl_error_message(&err));
	sl_error_release(&err);
	return t;
}

/* The directories src finds, one a line; fails the test on error. */
static void find(struct sl_buf *out, const struct sl_ws_source *src,
		 const char *dir, unsigned depth)
{
	struct sl_strvec found = SL_STRVEC_INIT;
	struct sl_error err = SL_ERROR_INIT;
	size_t i;

	if (src->find(src->ctx, dir, "package.json", depth, &found, &err))
		fail_msg("find: %s", sl_error_message(&err));
	sl_buf_reset(out);
	for (i = 0; i < found.n; i++)
		sl_buf_adds3(out, "[", found.v[i], "]");
	sl_strvec_release(&found);
	sl_error_release(&err);
}

/* Every package found under dir with its manifest's text, in out. */
static void packages(struct sl_buf *out, const struct sl_ws_source *src)
{
	struct sl_strvec found = SL_STRVEC_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf path = SL_BUF_INIT;
	size_t i;

	if (src->find(src->ctx, "", "package.json", UINT_MAX, &found, &err))
		fail_msg("find: %s", sl_error_message(&err));
	sl_buf_reset(out);
	for (i = 0; i < found.n; i++) {
		bool ok = false;

		sl_buf_reset(&path);
		sl_buf_addf(&path, "%s%spackage.json", found.v[i],
			    *found.v[i] ? "/" : "");
		sl_buf_adds3(out, path.buf, ": ", "");
		if (src->read(src->ctx, path.buf, out, &ok, &err) || !ok)
			fail_msg("read %s: %s", path.buf,
				 sl_error_message(&err));
	}
	sl_strvec_release(&found);
	sl_buf_release(&path);
	sl_error_release(&err);
}

/* read of path: its text, "(none)", or "error: <message>". */
static void read_path(struct sl_buf *out, const struct sl_ws_source *src,
		      const char *path)
{
	struct sl_error err = SL_ERROR_INIT;
	bool found = false;

	sl_buf_reset(out);
	if (src->read(src->ctx, path, out, &found, &err)) {
		sl_buf_reset(out);
		sl_buf_adds3(out, "error: ", sl_error_message(&err), "");
	} else if (!found) {
		sl_buf_adds(out, "(none)");
	}
	sl_error_release(&err);
}

static void ws_source__finds_what_the_commit_holds(void **state)
{
	struct sl_buf out = SL_BUF_INIT;
	const struct sl_ws_source *src;
	struct sl_ws_tree *t;
	struct sl_repo *repo;

	(void)state;
	gr_write("package.json", "{}\n");
	gr_write("packages/a/package.json", "{\"name\": \"a\"}\n");
	gr_write("packages/b/package.json", "{\"name\": \"b\"}\n");
	gr_write("packages/b/nested/c/package.json", "{\"name\": \"c\"}\n");
	gr_write("packages/.hidden/package.json", "{}\n");
	gr_write("packages/node_modules/x/package.json", "{}\n");
	gr_write("packages/nopkg/README", "no package\n");
	gr_write("packages/a.b/package.json", "{\"name\": \"a.b\"}\n");
	gr_mkdir_parents("packages/filelink/x");
	sl_sh_ok("ln -s a packages/link && "
		 "ln -s ../a/package.json packages/filelink/package.json");
	gr_commit_all("layout");
	/* A submodule: a commit id in the tree, no directory behind it. */
	sl_sh_ok("git update-index --add --cacheinfo "
		 "160000,$(git rev-parse HEAD),packages/sub && "
		 "git commit -qm submodule");
	repo = gr_open(".");
	t = open_at(repo, "HEAD");
	src = sl_ws_tree_source(t);
	find(&out, src, "packages", 1);
	assert_string_equal(out.buf, "[packages/a][packages/a.b][packages/b]"
				     "[packages/filelink]");
	find(&out, src, "packages", UINT_MAX);
	assert_string_equal(out.buf,
			    "[packages/a][packages/a.b][packages/b]"
			    "[packages/b/nested/c][packages/filelink]");
	find(&out, src, "packages", 0);
	assert_string_equal(out.buf, "");
	find(&out, src, "", 0);
	assert_string_equal(out.buf, "[]");
	find(&out, src, "packages/b", 2);
	assert_string_equal(out.buf, "[packages/b][packages/b/nested/c]");
	find(&out, src, "nowhere", UINT_MAX);
	assert_string_equal(out.buf, "");
	find(&out, src, "packages/link", UINT_MAX);
	assert_string_equal(out.buf, "");
	find(&out, src, "packages/a/package.json", UINT_MAX);
	assert_string_equal(out.buf, "");
	read_path(&out, src, "packages/b/nested/c/package.json");
	assert_string_equal(out.buf, "{\"name\": \"c\"}\n");
	read_path(&out, src, "packages/nopkg/README");
	assert_string_equal(out.buf, "no package\n");
	read_path(&out, src, "packages/nopkg/package.json");
	assert_string_equal(out.buf, "(none)");
	read_path(&out, src, "packages/link/package.json");
	assert_string_equal(out.buf, "(none)");
	read_path(&out, src, "packages/sub/package.json");
	assert_string_equal(out.buf, "(none)");
	read_path(&out, src, "packages//a/package.json");
	assert_string_equal(out.buf, "(none)");
	read_path(&out, src, "/package.json");
	assert_string_equal(out.buf, "(none)");
	read_path(&out, src, "packages/filelink/package.json");
	assert_non_null(strstr(out.buf, "error: 'packages/filelink/package."
					"json' at '"));
	assert_non_null(strstr(out.buf, "is not a file"));
	read_path(&out, src, "packages/a");
	assert_non_null(strstr(out.buf, "is not a file"));
	sl_ws_tree_free(t);
	sl_repo_free(repo);
	sl_buf_release(&out);
}

/* True when the tree rev is a loose object. */
static bool loose(const char *rev)
{
	char id[SL_OID_HEXSZ + 1];

	gr_rev(id, rev);
	return !sl_sh("test -f .git/objects/%.2s/%s", id, id + 2);
}

/* The packages of HEAD and their manifests, read by a new source. */
static void packages_at_head(struct sl_buf *out)
{
	struct sl_repo *repo = gr_open(".");
	struct sl_ws_tree *t = open_at(repo, "HEAD");

	packages(out, sl_ws_tree_source(t));
	sl_ws_tree_free(t);
	sl_repo_free(repo);
}

/*
 * The same packages, whether their trees and manifests are loose
 * objects (libgit2 reads them), packed (packs.c reads them), or some of
 * each, as in a clone with commits made since.
 */
static void
ws_source__loose_and_packed_trees_give_the_same_packages(void **state)
{
	struct sl_buf all_loose = SL_BUF_INIT, mixed = SL_BUF_INIT,
		      packed = SL_BUF_INIT;
	const char *expected =
	    "package.json: {\"workspaces\": [\"packages/*\"]}\n"
	    "packages/p1/package.json: {\"name\": \"p1\"}\n"
	    "packages/p2/package.json: {\"name\": \"p2\"}\n"
	    "packages/p3/package.json: {\"name\": \"p3\"}\n"
	    "packages/p4/package.json: {\"name\": \"p4\"}\n"
	    "tools/t/package.json: {\"name\": \"t\"}\n";

	(void)state;
	gr_write("package.json", "{\"workspaces\": [\"packages/*\"]}\n");
	gr_write("packages/p1/package.json", "{\"name\": \"p1\"}\n");
	gr_write("packages/p3/package.json", "{\"name\": \"p3\"}\n");
	gr_write("tools/t/package.json", "{\"name\": \"t\"}\n");
	gr_commit_all("one");
	sl_sh_ok("git repack -adq && git prune-packed");
	assert_false(loose("HEAD:packages"));
	gr_write("packages/p2/package.json", "{\"name\": \"p2\"}\n");
	gr_write("packages/p4/package.json", "{\"name\": \"p4\"}\n");
	gr_commit_all("two");
	/* packages/ and its new directories loose, tools/ and p1 packed */
	assert_true(loose("HEAD:packages"));
	assert_true(loose("HEAD:packages/p2"));
	assert_false(loose("HEAD:tools"));
	packages_at_head(&mixed);
	assert_string_equal(mixed.buf, expected);
	sl_sh_ok("git repack -adq && git prune-packed");
	assert_false(loose("HEAD:packages"));
	packages_at_head(&packed);
	assert_string_equal(packed.buf, expected);
	/* and every object loose again */
	sl_sh_ok("mv .git/objects/pack/*.pack .git/all.pack && "
		 "rm .git/objects/pack/* && "
		 "git unpack-objects -q < .git/all.pack && rm .git/all.pack");
	assert_true(loose("HEAD:tools"));
	packages_at_head(&all_loose);
	assert_string_equal(all_loose.buf, expected);
	sl_buf_release(&all_loose);
	sl_buf_release(&mixed);
	sl_buf_release(&packed);
}

/* A commit whose tree holds packages/ as the tree written byte for byte
 * (git hash-object --literally); its id in id. */
static void commit_raw_packages(char id[SL_OID_HEXSZ + 1], const char *data,
				size_t len)
{
	gr_write_file("raw-tree", data, len);
	sl_sh_ok("t=$(git hash-object -t tree -w --literally raw-tree) && "
		 "r=$(printf '040000 tree %%s\\tpackages\\n' \"$t\" | "
		 "git mktree) && c=$(git commit-tree -m raw \"$r\") && "
		 "git update-ref refs/heads/bad \"$c\"");
	gr_rev(id, "bad:packages");
}

/* find and read through the damaged packages/ tree: each an error that
 * names it and the commit, nothing found. */
static void assert_damaged(const char *what)
{
	struct sl_strvec found = SL_STRVEC_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf out = SL_BUF_INIT;
	char commit[SL_OID_HEXSZ + 1];
	struct sl_repo *repo = gr_open(".");
	struct sl_ws_tree *t = open_at(repo, "bad");
	const struct sl_ws_source *src = sl_ws_tree_source(t);

	gr_rev(commit, "bad");
	assert_int_equal(
	    src->find(src->ctx, "packages", "package.json", 1, &found, &err),
	    SL_EENV);
	print_message("# %s: %s\n", what, sl_error_message(&err));
	assert_non_null(
	    strstr(sl_error_message(&err), "the tree 'packages' is malformed"));
	assert_non_null(strstr(sl_error_message(&err), "git fsck"));
	sl_buf_addf(&out, "at '%.12s'", commit);
	assert_non_null(strstr(sl_error_message(&err), out.buf));
	assert_int_equal(found.n, 0);
	sl_ws_tree_free(t);
	/* a read that must list packages/ meets it too */
	t = open_at(repo, "bad");
	src = sl_ws_tree_source(t);
	read_path(&out, src, "packages/a/package.json");
	assert_non_null(strstr(out.buf, "the tree 'packages' is malformed"));
	sl_ws_tree_free(t);
	sl_repo_free(repo);
	sl_strvec_release(&found);
	sl_buf_release(&out);
	sl_error_release(&err);
}

/*
 * A tree whose last entry is cut short (no NUL after its name), loose
 * and then packed: the search for packages and the read of a manifest
 * behind it are errors naming the tree, never "no packages".
 */
static void ws_source__truncated_tree_entry_is_an_error(void **state)
{
	struct sl_buf tree = SL_BUF_INIT;
	char a[SL_OID_HEXSZ + 1], bad[SL_OID_HEXSZ + 1];
	unsigned char raw[20];
	int i;

	(void)state;
	gr_write("packages/a/package.json", "{\"name\": \"a\"}\n");
	gr_commit_all("good");
	gr_rev(a, "HEAD:packages/a");
	for (i = 0; i < 20; i++) {
		unsigned v;

		assert_int_equal(sscanf(a + 2 * i, "%2x", &v), 1);
		raw[i] = (unsigned char)v;
	}
	sl_buf_add(&tree, "40000 a", 8); /* with its NUL */
	sl_buf_add(&tree, raw, 20);
	sl_buf_adds(&tree, "40000 b-cut-short");
	commit_raw_packages(bad, tree.buf, tree.len);
	assert_damaged("loose");
	/* git packs no malformed tree it walks to; named, it packs one. */
	sl_sh_ok("echo %s | git pack-objects -q .git/objects/pack/pack "
		 ">/dev/null && rm .git/objects/%.2s/%s",
		 bad, bad, bad + 2);
	assert_false(loose("bad:packages"));
	assert_damaged("packed");
	sl_buf_release(&tree);
}

/* A loose manifest past SL_REPO_BLOB_MAX is refused (its size read from
 * the object's header), saying which file at which commit. */
static void ws_source__manifest_past_the_limit_is_refused(void **state)
{
	struct sl_buf out = SL_BUF_INIT;
	struct sl_ws_tree *t;
	struct sl_repo *repo;

	(void)state;
	gr_write("package.json", "{}\n");
	gr_commit_all("small");
	sl_sh_ok("truncate -s %u package.json && git commit -qam big",
		 SL_REPO_BLOB_MAX + 1);
	repo = gr_open(".");
	t = open_at(repo, "HEAD");
	read_path(&out, sl_ws_tree_source(t), "package.json");
	assert_non_null(strstr(out.buf, "error: 'package.json' at '"));
	assert_non_null(strstr(out.buf, "past sluice's limit"));
	sl_ws_tree_free(t);
	t = open_at(repo, "HEAD~1");
	read_path(&out, sl_ws_tree_source(t), "package.json");
	assert_string_equal(out.buf, "{}\n");
	sl_ws_tree_free(t);
	sl_repo_free(repo);
	sl_buf_release(&out);
}

/*
 * A package 4,097 directories deep (built by git fast-import, which
 * packs it): a search of any depth stops at git's core.maxTreeDepth
 * (4,096) with an error, never a stack overflow or "no packages"; a
 * search of one level does not go that far.
 */
static void ws_source__search_deeper_than_git_allows_is_an_error(void **state)
{
	struct sl_strvec found = SL_STRVEC_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf out = SL_BUF_INIT;
	const struct sl_ws_source *src;
	struct sl_ws_tree *t;
	struct sl_repo *repo;

	(void)state;
	sl_sh_ok("p=d; i=1; while [ $i -lt 4097 ]; do p=$p/d; i=$((i + 1)); "
		 "done; printf 'commit refs/heads/main\\ncommitter a <a@b> 0 "
		 "+0000\\ndata 0\\nM 100644 inline %%s/package.json\\ndata "
		 "3\\n{}\\n\\n' \"$p\" | git fast-import --quiet");
	repo = gr_open(".");
	t = open_at(repo, "main");
	src = sl_ws_tree_source(t);
	find(&out, src, "", 1);
	assert_string_equal(out.buf, "");
	assert_int_equal(
	    src->find(src->ctx, "", "package.json", UINT_MAX, &found, &err),
	    SL_EENV);
	assert_non_null(
	    strstr(sl_error_message(&err), "is nested deeper than 4096"));
	assert_int_equal(found.n, 0);
	sl_ws_tree_free(t);
	sl_repo_free(repo);
	sl_strvec_release(&found);
	sl_buf_release(&out);
	sl_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, gr_setup_repo, gr_teardown_repo)
	    T(ws_source__finds_what_the_commit_holds),
	    T(ws_source__loose_and_packed_trees_give_the_same_packages),
	    T(ws_source__truncated_tree_entry_is_an_error),
	    T(ws_source__manifest_past_the_limit_is_refused),
	    T(ws_source__search_deeper_than_git_allows_is_an_error),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
