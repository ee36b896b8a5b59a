/*
 * test_packs.c: objects read from pack files without libgit2
 * (selector/packs.c). Every object git packs (whole, as an OFS_DELTA or a
 * REF_DELTA, behind a 64-bit offset, in one pack of several) reads back as
 * `git cat-file --batch` prints it; what the reader does not read (loose
 * objects, an index of version 1) and what does not hold together (damaged
 * data, packs made by hand to mislead it) is refused, for libgit2 to read
 * or report, without reading or allocating past what the pack says.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <git2.h>
#include <zlib.h>

#include "selector/internal.h"
#include "tests/selector/gitref.h"
#include "tests/support/sandbox.h"

static struct sl_packs *open_here(void)
{
	return sl_packs_open(".git/objects");
}

static void oid_of(git_oid *out, const char *hex)
{
	assert_int_equal(git_oid_fromstrn(out, hex, SL_OID_HEXSZ), 0);
}

static git_object_t type_named(const char *name, size_t len)
{
	if (len == 4 && !memcmp(name, "tree", 4))
		return GIT_OBJECT_TREE;
	if (len == 4 && !memcmp(name, "blob", 4))
		return GIT_OBJECT_BLOB;
	if (len == 6 && !memcmp(name, "commit", 6))
		return GIT_OBJECT_COMMIT;
	assert_true(len == 3 && !memcmp(name, "tag", 3));
	return GIT_OBJECT_TAG;
}

/*
 * Reads every object of the repository with the reader and holds it to
 * what `git cat-file --batch-all-objects --batch` prints; returns how many
 * objects there were.
 */
static size_t assert_all_like_git(void)
{
	struct sl_packs *packs = open_here();
	struct sl_buf all = SL_BUF_INIT;
	const char *p, *end;
	size_t n = 0;

	assert_int_equal(sl_sh_capture(&all, "git cat-file --batch-all-objects "
					     "--batch"),
			 0);
	p = all.buf;
	end = all.buf + all.len;
	while (p < end) {
		const char *type = p + SL_OID_HEXSZ + 1;
		const char *space = memchr(type, ' ', (size_t)(end - type));
		char *nl;
		unsigned long size = strtoul(space + 1, &nl, 10);
		git_object_t want = type_named(type, (size_t)(space - type));
		git_object_t got;
		unsigned char *data = NULL;
		size_t len = 0;
		git_oid id;

		oid_of(&id, p);
		assert_true(sl_packs_read(packs, &id, &got, &data, &len));
		assert_int_equal(got, want);
		assert_int_equal(len, size);
		assert_memory_equal(data, nl + 1, size);
		assert_int_equal(data[len], '\0');
		free(data);
		p = nl + 1 + size + 1;
		n++;
	}
	sl_buf_release(&all);
	sl_packs_free(packs);
	return n;
}

/* Files in several versions, each one more line marked than the last, so
 * that git stores most of them, and the trees holding them, as chains of
 * deltas. */
static void make_history(unsigned commits)
{
	struct sl_buf text = SL_BUF_INIT, name = SL_BUF_INIT;
	unsigned c, f, line;

	for (c = 0; c < commits; c++) {
		for (f = 0; f < 6; f++) {
			sl_buf_setlen(&text, 0);
			for (line = 0; line < 200; line++)
				sl_buf_addf(&text, "file %u line %u%s\n", f,
					    line, line <= c ? " *" : "");
			sl_buf_setlen(&name, 0);
			sl_buf_addf(&name, "d%u/e/file%u.txt", f % 3, f);
			gr_write_file(name.buf, text.buf, text.len);
		}
		gr_commit_all("step");
	}
	sl_buf_release(&text);
	sl_buf_release(&name);
}

/* The longest delta chain in the repository's packs (git verify-pack). */
static unsigned longest_chain(void)
{
	struct sl_buf out = SL_BUF_INIT;
	unsigned longest = 0, n;
	const char *p;

	assert_int_equal(sl_sh_capture(&out, "git verify-pack -v "
					     ".git/objects/pack/*.idx"),
			 0);
	for (p = out.buf; (p = strstr(p, "chain length = ")); p++)
		if (sscanf(p, "chain length = %u", &n) == 1 && n > longest)
			longest = n;
	sl_buf_release(&out);
	return longest;
}

static void packs__every_object_reads_as_git_has_it(void **state)
{
	(void)state;
	make_history(30);
	sl_sh_ok("git repack -q -a -d -f --depth=50 --window=50");
	assert_true(longest_chain() >= 3);
	assert_true(assert_all_like_git() > 100);
}

/* Packed without OFS_DELTA: each delta names its base by id. */
static void packs__ref_deltas_read_as_git_has_them(void **state)
{
	(void)state;
	make_history(20);
	sl_sh_ok("git -c repack.useDeltaBaseOffset=false repack -q -a -d -f");
	assert_true(longest_chain() >= 2);
	assert_true(assert_all_like_git() > 60);
}

/* An index whose offsets above 256 are all in its 64-bit table (git's
 * index-pack can be told to write one so for packs of any size). */
static void packs__large_offsets_read(void **state)
{
	(void)state;
	make_history(10);
	sl_sh_ok(
	    "git repack -q -a -d -f && cd .git/objects/pack && "
	    "for p in *.pack; do rm ${p%%.pack}.idx && "
	    "git index-pack --index-version=2,256 $p >/dev/null || exit 1; "
	    "done");
	assert_all_like_git();
}

static void packs__objects_in_several_packs_read(void **state)
{
	(void)state;
	make_history(8);
	sl_sh_ok("git repack -q -a -d");
	make_history(3);
	sl_sh_ok("git repack -q -d && test $(ls .git/objects/pack/*.idx | "
		 "wc -l) = 2");
	assert_all_like_git();
}

static bool read_hex(struct sl_packs *packs, const char *hex)
{
	unsigned char *data = NULL;
	git_object_t type;
	size_t len;
	git_oid id;
	bool found;

	oid_of(&id, hex);
	found = sl_packs_read(packs, &id, &type, &data, &len);
	assert_true(found || !data);
	free(data);
	return found;
}

static bool read_rev(struct sl_packs *packs, const char *rev)
{
	char hex[SL_OID_HEXSZ + 1];

	gr_rev(hex, rev);
	return read_hex(packs, hex);
}

/* Loose objects, unknown ids, an index of version 1 and no object
 * directory at all are not read here. */
static void packs__what_is_not_in_a_pack_is_not_read(void **state)
{
	struct sl_packs *packs;
	git_oid id;
	unsigned char *data = NULL;
	git_object_t type;
	size_t len;

	(void)state;
	make_history(2);
	sl_sh_ok("git repack -q -a -d");
	gr_write("loose.txt", "loose\n");
	gr_commit_all("loose");
	packs = open_here();
	assert_true(read_rev(packs, "HEAD~1"));
	assert_true(read_rev(packs, "HEAD~1^{tree}"));
	assert_false(read_rev(packs, "HEAD"));
	assert_false(read_rev(packs, "HEAD:loose.txt"));
	oid_of(&id, "0123456789012345678901234567890123456789");
	assert_false(sl_packs_read(packs, &id, &type, &data, &len));
	sl_packs_free(packs);

	packs = sl_packs_open(NULL);
	assert_false(read_rev(packs, "HEAD~1"));
	sl_packs_free(packs);

	sl_sh_ok("cd .git/objects/pack && for p in *.pack; do "
		 "rm ${p%%.pack}.idx && git index-pack --index-version=1 $p "
		 ">/dev/null || exit 1; done");
	packs = open_here();
	assert_false(read_rev(packs, "HEAD~1"));
	sl_packs_free(packs);
}

/*
 * A byte changed in an object's compressed data: that object (and what is
 * built on it) is refused, the others still read. The object is chosen
 * from `git verify-pack -v` (id type size size-in-pack offset).
 */
static void packs__damaged_data_is_refused(void **state)
{
	struct sl_buf out = SL_BUF_INIT;
	char hex[SL_OID_HEXSZ + 1], type[16];
	unsigned long size, packed, offset;
	struct sl_packs *packs;
	const char *line;
	git_oid id;

	(void)state;
	make_history(3);
	sl_sh_ok("git repack -q -a -d -f");
	assert_int_equal(sl_sh_capture(&out, "git verify-pack -v "
					     ".git/objects/pack/*.idx | "
					     "grep ' blob ' | sort -k3 -n -r"),
			 0);
	line = out.buf;
	assert_int_equal(sscanf(line, "%40s %15s %lu %lu %lu", hex, type, &size,
				&packed, &offset),
			 5);
	/* The middle of its stream, past the header and the zlib header. */
	sl_sh_ok("p=$(ls .git/objects/pack/*.pack) && chmod u+w $p && "
		 "printf '\\377' | dd of=$p bs=1 seek=%lu conv=notrunc "
		 "2>/dev/null",
		 offset + packed / 2);
	packs = open_here();
	oid_of(&id, hex);
	{
		unsigned char *data = NULL;
		git_object_t t;
		size_t len;

		assert_false(sl_packs_read(packs, &id, &t, &data, &len));
		assert_null(data);
	}
	assert_true(read_rev(packs, "HEAD^{tree}"));
	sl_packs_free(packs);
	/* Cut short: what lies past the end is refused. */
	sl_sh_ok("p=$(ls .git/objects/pack/*.pack) && "
		 "truncate -s %lu $p",
		 offset + packed / 2);
	packs = open_here();
	assert_false(sl_packs_read(packs, &id, &(git_object_t){0},
				   &(unsigned char *){NULL}, &(size_t){0}));
	sl_packs_free(packs);
	sl_buf_release(&out);
}

/*
 * An index of another pack of the same objects (here the one a repack
 * replaced, put in the new one's place): its offsets are the other pack's,
 * so nothing is read from it, as git and libgit2 read nothing from it.
 */
static void packs__an_index_of_another_pack_is_refused(void **state)
{
	struct sl_buf ids = SL_BUF_INIT;
	struct sl_packs *packs;
	const char *p;
	size_t n = 0;

	(void)state;
	make_history(6);
	sl_sh_ok("git repack -q -a -d -f --window=0 && "
		 "cp .git/objects/pack/*.idx old.idx && "
		 "git repack -q -a -d -f --window=50 && "
		 "test $(ls .git/objects/pack/*.idx | wc -l) = 1 && "
		 "! cmp -s old.idx .git/objects/pack/*.idx");
	assert_int_equal(sl_sh_capture(&ids, "git cat-file --batch-all-objects "
					     "--batch-check='%%(objectname)'"),
			 0);
	packs = open_here();
	for (p = ids.buf; *p; p += SL_OID_HEXSZ + 1, n++)
		assert_true(read_hex(packs, p));
	sl_packs_free(packs);
	sl_sh_ok("i=$(ls .git/objects/pack/*.idx) && chmod u+w $i && "
		 "cp old.idx $i");
	packs = open_here();
	for (p = ids.buf; *p; p += SL_OID_HEXSZ + 1)
		assert_false(read_hex(packs, p));
	sl_packs_free(packs);
	/* git refuses the pack too: the reference agrees. */
	assert_int_not_equal(
	    sl_sh("git cat-file -p %.40s >/dev/null 2>&1", ids.buf), 0);
	assert_true(n > 40);
	sl_buf_release(&ids);
}

/* ---- packs made by hand ------------------------------------------------ */

/* One object of a pack made by hand: its id in the index, and its bytes
 * (the header written by the test). */
struct made {
	git_oid id;
	struct sl_buf bytes;
	size_t at;
};

/* An object header: type and size as git writes them. */
static void add_header(struct sl_buf *out, unsigned type, uint64_t size)
{
	unsigned char c = (unsigned char)(type << 4 | (size & 15));

	size >>= 4;
	while (size) {
		sl_buf_addch(out, (char)(c | 0x80));
		c = size & 0x7f;
		size >>= 7;
	}
	sl_buf_addch(out, (char)c);
}

static void add_zlib(struct sl_buf *out, const void *data, size_t len)
{
	uLongf room = compressBound((uLong)len);

	sl_buf_grow(out, room);
	assert_int_equal(
	    compress((Bytef *)out->buf + out->len, &room, data, (uLong)len),
	    Z_OK);
	sl_buf_setlen(out, out->len + room);
}

static void add_be32(struct sl_buf *out, uint32_t v)
{
	unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};

	sl_buf_add(out, b, 4);
}

static int made_cmp(const void *a, const void *b)
{
	return git_oid_cmp(&((const struct made *)a)->id,
			   &((const struct made *)b)->id);
}

/* Writes objs (ids already set) as .git/objects/pack/pack-made.pack and
 * an index of version 2 for them. */
static void write_pack(struct made *objs, size_t n)
{
	struct sl_buf pack = SL_BUF_INIT, idx = SL_BUF_INIT;
	size_t i, k;

	sl_buf_add(&pack, "PACK", 4);
	add_be32(&pack, 2);
	add_be32(&pack, (uint32_t)n);
	for (i = 0; i < n; i++) {
		objs[i].at = pack.len;
		sl_buf_add(&pack, objs[i].bytes.buf, objs[i].bytes.len);
	}
	sl_buf_add(&pack, "01234567890123456789", 20);
	qsort(objs, n, sizeof(*objs), made_cmp);
	sl_buf_add(&idx, "\377tOc", 4);
	add_be32(&idx, 2);
	for (i = 0; i < 256; i++) {
		uint32_t below = 0;

		for (k = 0; k < n; k++)
			below += objs[k].id.id[0] <= i;
		add_be32(&idx, below);
	}
	for (i = 0; i < n; i++)
		sl_buf_add(&idx, objs[i].id.id, GIT_OID_RAWSZ);
	for (i = 0; i < n; i++)
		add_be32(&idx, 0); /* CRCs: not read */
	for (i = 0; i < n; i++)
		add_be32(&idx, (uint32_t)objs[i].at);
	sl_buf_add(&idx, "0123456789012345678901234567890123456789", 40);
	sl_sh_ok("mkdir -p .git/objects/pack");
	sl_write_file(".git/objects/pack/pack-made.pack", pack.buf, pack.len);
	sl_write_file(".git/objects/pack/pack-made.idx", idx.buf, idx.len);
	sl_buf_release(&pack);
	sl_buf_release(&idx);
}

static void made_init(struct made *m, unsigned char first)
{
	memset(m, 0, sizeof(*m));
	m->id.id[0] = first;
	m->id.id[19] = 1;
}

/* A delta of git's format: base size, result size, then the ops given. */
static void make_delta(struct sl_buf *out, size_t base, size_t result,
		       const char *ops, size_t ops_len)
{
	size_t v[2] = {base, result}, i;

	for (i = 0; i < 2; i++) {
		do {
			sl_buf_addch(out, (char)((v[i] & 0x7f) |
						 (v[i] > 0x7f ? 0x80 : 0)));
			v[i] >>= 7;
		} while (v[i]);
	}
	sl_buf_add(out, ops, ops_len);
}

/* A REF_DELTA object on base holding delta. */
static void add_ref_delta(struct sl_buf *out, const git_oid *base,
			  const struct sl_buf *delta)
{
	add_header(out, 7, delta->len);
	sl_buf_add(out, base->id, GIT_OID_RAWSZ);
	add_zlib(out, delta->buf, delta->len);
}

/* Object 0: the blob "hello world\n"; object 1: a REF_DELTA on it with
 * the given ops (claiming base_size and result_size). True when the reader
 * reads object 1, whose bytes are then appended to got. */
static bool delta_reads(size_t base_size, size_t result_size, const char *ops,
			size_t ops_len, struct sl_buf *got)
{
	struct made objs[2];
	struct sl_buf d = SL_BUF_INIT;
	struct sl_packs *packs;
	unsigned char *data = NULL;
	git_object_t type;
	size_t len, i;
	git_oid base_id, id;
	bool found;

	made_init(&objs[0], 0x10);
	add_header(&objs[0].bytes, 3, 12);
	add_zlib(&objs[0].bytes, "hello world\n", 12);
	base_id = objs[0].id;
	made_init(&objs[1], 0x20);
	id = objs[1].id;
	make_delta(&d, base_size, result_size, ops, ops_len);
	add_ref_delta(&objs[1].bytes, &base_id, &d);
	write_pack(objs, 2);
	packs = open_here();
	assert_true(sl_packs_read(packs, &base_id, &type, &data, &len));
	free(data);
	data = NULL;
	found = sl_packs_read(packs, &id, &type, &data, &len);
	if (found) {
		assert_int_equal(type, GIT_OBJECT_BLOB);
		sl_buf_add(got, data, len);
	}
	free(data);
	sl_packs_free(packs);
	for (i = 0; i < 2; i++)
		sl_buf_release(&objs[i].bytes);
	sl_buf_release(&d);
	return found;
}

/* Deltas that do not fit their base or their result are refused; one
 * that does is applied. */
static void packs__deltas_that_do_not_fit_are_refused(void **state)
{
	struct sl_buf got = SL_BUF_INIT;

	(void)state;
	/* Copy 5 bytes from 6, insert "there\n": "world there\n". */
	assert_true(delta_reads(12, 12, "\x91\x06\x05\x07 there\n", 11, &got));
	assert_string_equal(got.buf, "world there\n");
	/* A copy past the end of the base. */
	assert_false(delta_reads(12, 12, "\x91\x0a\x05\x07 there\n", 11, &got));
	/* An insert longer than the delta left. */
	assert_false(delta_reads(12, 12, "\x91\x06\x05\x09 there\n", 11, &got));
	/* More than the result size said, and less. */
	assert_false(delta_reads(12, 11, "\x91\x06\x05\x07 there\n", 11, &got));
	assert_false(delta_reads(12, 13, "\x91\x06\x05\x07 there\n", 11, &got));
	/* A base of another size than the delta was made for. */
	assert_false(delta_reads(11, 12, "\x91\x06\x05\x07 there\n", 11, &got));
	/* The reserved op. */
	assert_false(delta_reads(12, 12, "\x00", 1, &got));
	/* A result claimed of a terabyte: refused before any allocation. */
	assert_false(delta_reads(12, (size_t)1 << 40, "\x91\x06\x05", 3, &got));
	sl_buf_release(&got);
}

/* Headers that mislead: a size of a terabyte, a type git never writes, an
 * OFS_DELTA reaching before the pack, two REF_DELTAs on each other. */
static void packs__misleading_headers_are_refused(void **state)
{
	struct made objs[3];
	struct sl_packs *packs;
	size_t i;

	(void)state;
	made_init(&objs[0], 0x01);
	add_header(&objs[0].bytes, 3, (uint64_t)1 << 40);
	add_zlib(&objs[0].bytes, "x", 1);
	made_init(&objs[1], 0x02);
	add_header(&objs[1].bytes, 5, 1);
	add_zlib(&objs[1].bytes, "x", 1);
	made_init(&objs[2], 0x03);
	add_header(&objs[2].bytes, 6, 1);
	sl_buf_add(&objs[2].bytes, "\x7f", 1); /* 127 bytes back */
	add_zlib(&objs[2].bytes, "\x01\x01\x01x", 4);
	write_pack(objs, 3);
	packs = open_here();
	for (i = 0; i < 3; i++) {
		unsigned char *data = NULL;
		git_object_t type;
		size_t len;
		git_oid id = {{0}};

		id.id[0] = (unsigned char)(i + 1);
		id.id[19] = 1;
		assert_false(sl_packs_read(packs, &id, &type, &data, &len));
		assert_null(data);
	}
	sl_packs_free(packs);
	for (i = 0; i < 3; i++)
		sl_buf_release(&objs[i].bytes);

	/* A and B, each a delta on the other. */
	made_init(&objs[0], 0x0a);
	made_init(&objs[1], 0x0b);
	for (i = 0; i < 2; i++) {
		struct sl_buf d = SL_BUF_INIT;

		make_delta(&d, 1, 1, "\x01x", 2);
		add_ref_delta(&objs[i].bytes, &objs[1 - i].id, &d);
		sl_buf_release(&d);
	}
	write_pack(objs, 2);
	packs = open_here();
	assert_false(sl_packs_read(packs, &objs[0].id, &(git_object_t){0},
				   &(unsigned char *){NULL}, &(size_t){0}));
	sl_packs_free(packs);
	for (i = 0; i < 2; i++)
		sl_buf_release(&objs[i].bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, gr_setup_repo, gr_teardown_repo)
	    T(packs__every_object_reads_as_git_has_it),
	    T(packs__ref_deltas_read_as_git_has_them),
	    T(packs__large_offsets_read),
	    T(packs__objects_in_several_packs_read),
	    T(packs__what_is_not_in_a_pack_is_not_read),
	    T(packs__damaged_data_is_refused),
	    T(packs__an_index_of_another_pack_is_refused),
	    T(packs__deltas_that_do_not_fit_are_refused),
	    T(packs__misleading_headers_are_refused),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
