/*
 * test_inflate.c: zlib's inflate() as sluice links it (selector/inflate.c):
 * whatever a call is handed, its result, its output and every field of the
 * stream a caller reads are the ones zlib's own inflate() gives
 * (__real_inflate, the reference, in the same executable), and the streams
 * that can be decoded in one step are: those libgit2 hands over when it
 * reads a packed object. Objects packed or loose read back as git has
 * them.
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

/* zlib's own inflate(), the reference. */
int __real_inflate(z_streamp strm, int flush);

/* How a stream is set up: inflateInit(), or inflateInit2() for the zlib
 * wrapper, raw deflate or gzip. */
enum wrapper { ZLIB_INIT = 0, ZLIB_WRAPPED = 15, RAW = -15, GZIP = 31 };

/* Text that compresses with dynamic Huffman blocks, as trees do. */
static void make_text(struct sl_buf *out, size_t len)
{
	size_t i;

	for (i = 0; out->len < len; i++)
		sl_buf_addf(out, "100644 src/module%zu/file%zu.c\n", i % 97,
			    i * 7919 % 1000);
	sl_buf_setlen(out, len);
}

/* data compressed with the given wrapper, followed by `trailing` bytes of
 * what comes next in a pack. */
static void compress_to(struct sl_buf *out, const struct sl_buf *data,
			enum wrapper w, size_t trailing)
{
	z_stream z = {0};
	size_t room = deflateBound(&z, data->len) + 64;

	assert_int_equal(
	    deflateInit2(&z, 6, Z_DEFLATED, w, 8, Z_DEFAULT_STRATEGY), Z_OK);
	sl_buf_grow(out, room + trailing);
	z.next_in = (Bytef *)data->buf;
	z.avail_in = (uInt)data->len;
	z.next_out = (Bytef *)out->buf;
	z.avail_out = (uInt)room;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	sl_buf_setlen(out, z.total_out);
	assert_int_equal(deflateEnd(&z), Z_OK);
	while (trailing--)
		sl_buf_addch(out, (char)(0x5a ^ trailing));
}

struct side {
	z_stream z;
	unsigned char *out;
	int ret;
	bool zlibs; /* the reference: zlib's own functions only */
};

static void side_init(struct side *s, enum wrapper w, size_t room, bool zlibs)
{
	memset(&s->z, 0, sizeof(s->z));
	s->zlibs = zlibs;
	if (w == ZLIB_INIT)
		assert_int_equal(inflateInit(&s->z), Z_OK);
	else
		assert_int_equal(inflateInit2(&s->z, w), Z_OK);
	s->out = sl_xcalloc(1, room ? room : 1);
}

static void side_reset(struct side *s)
{
	assert_int_equal(inflateReset(&s->z), Z_OK);
}

static void side_release(struct side *s)
{
	assert_int_equal(inflateEnd(&s->z), Z_OK);
	free(s->out);
}

/* Feeds both sides the same input and room, one through sluice's
 * inflate(), the other through zlib's, and checks they agree. */
static void step_both(struct side *ours, struct side *zlibs,
		      const struct sl_buf *in, size_t in_at, size_t in_len,
		      size_t out_at, size_t room, int flush)
{
	struct side *s[2] = {ours, zlibs};
	int i;

	for (i = 0; i < 2; i++) {
		s[i]->z.next_in = (Bytef *)in->buf + in_at;
		s[i]->z.avail_in = (uInt)in_len;
		s[i]->z.next_out = s[i]->out + out_at;
		s[i]->z.avail_out = (uInt)room;
	}
	ours->ret = inflate(&ours->z, flush);
	zlibs->ret = __real_inflate(&zlibs->z, flush);
	assert_int_equal(ours->ret, zlibs->ret);
	assert_int_equal(ours->z.next_in - (Bytef *)in->buf,
			 zlibs->z.next_in - (Bytef *)in->buf);
	assert_int_equal(ours->z.avail_in, zlibs->z.avail_in);
	assert_int_equal(ours->z.total_in, zlibs->z.total_in);
	assert_int_equal(ours->z.next_out - ours->out,
			 zlibs->z.next_out - zlibs->out);
	assert_int_equal(ours->z.avail_out, zlibs->z.avail_out);
	assert_int_equal(ours->z.total_out, zlibs->z.total_out);
	assert_int_equal(ours->z.adler, zlibs->z.adler);
	assert_memory_equal(ours->out, zlibs->out, out_at + room);
	if (zlibs->z.msg)
		assert_string_equal(ours->z.msg, zlibs->z.msg);
	else
		assert_null(ours->z.msg);
}

/* Runs check on a stream of each set-up that may decode in one step. */
static void with_each_init(void (*check)(enum wrapper))
{
	check(ZLIB_INIT);
	check(ZLIB_WRAPPED);
}

/* One call with all of `in` and `room` bytes of output, both ways; returns
 * how many streams were decoded in one step meanwhile. */
static size_t one_call(const struct sl_buf *in, enum wrapper w, size_t room,
		       int *ret)
{
	struct side ours, zlibs;
	size_t before = sl_inflate_one_step_count();

	side_init(&ours, w, room, false);
	side_init(&zlibs, w, room, true);
	step_both(&ours, &zlibs, in, 0, in->len, 0, room, Z_FINISH);
	*ret = ours.ret;
	side_release(&ours);
	side_release(&zlibs);
	return sl_inflate_one_step_count() - before;
}

static void whole_streams(enum wrapper w)
{
	struct sl_buf text = SL_BUF_INIT, z = SL_BUF_INIT;
	size_t sizes[] = {0, 1, 37, 4096, 100000};
	size_t i;
	int ret;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		sl_buf_setlen(&text, 0);
		sl_buf_setlen(&z, 0);
		make_text(&text, sizes[i]);
		/* With what follows it in a pack, and room for one more byte,
		 * as libgit2 gives it. */
		compress_to(&z, &text, ZLIB_WRAPPED, 20);
		assert_int_equal(one_call(&z, w, text.len + 1, &ret), 1);
		assert_int_equal(ret, Z_STREAM_END);
		/* Exactly the room it needs. */
		assert_int_equal(one_call(&z, w, text.len, &ret), 1);
		assert_int_equal(ret, Z_STREAM_END);
	}
	sl_buf_release(&text);
	sl_buf_release(&z);
}

static void inflate__a_whole_stream_is_decoded_in_one_step(void **state)
{
	(void)state;
	with_each_init(whole_streams);
}

/* After a one-step decode the stream is at its end for zlib too: called
 * again it says so, and reset it decodes the next stream, in one step or
 * in parts. */
static void after_one_step(enum wrapper w)
{
	struct sl_buf text = SL_BUF_INIT, z = SL_BUF_INIT;
	struct side ours, zlibs;
	size_t room;

	make_text(&text, 5000);
	compress_to(&z, &text, ZLIB_WRAPPED, 0);
	room = text.len + 1;
	side_init(&ours, w, 3 * room, false);
	side_init(&zlibs, w, 3 * room, true);
	step_both(&ours, &zlibs, &z, 0, z.len, 0, room, Z_FINISH);
	assert_int_equal(ours.ret, Z_STREAM_END);
	step_both(&ours, &zlibs, &z, z.len, 0, text.len, 1, Z_FINISH);
	assert_int_equal(ours.ret, Z_STREAM_END);
	side_reset(&ours);
	side_reset(&zlibs);
	step_both(&ours, &zlibs, &z, 0, z.len, room, room, Z_FINISH);
	assert_int_equal(ours.ret, Z_STREAM_END);
	assert_memory_equal(ours.out + room, text.buf, text.len);
	side_reset(&ours);
	side_reset(&zlibs);
	step_both(&ours, &zlibs, &z, 0, z.len / 2, 2 * room, room, Z_NO_FLUSH);
	assert_int_equal(ours.ret, Z_OK);
	side_release(&ours);
	side_release(&zlibs);
	sl_buf_release(&text);
	sl_buf_release(&z);
}

static void inflate__after_one_step_the_stream_behaves_as_zlibs(void **state)
{
	(void)state;
	with_each_init(after_one_step);
}

/*
 * A stream whose state is not one inflateInit() made (never set up, or
 * ended) is refused as zlib refuses it, and nothing is written.
 */
static void inflate__streams_zlib_refuses_are_refused(void **state)
{
	struct sl_buf text = SL_BUF_INIT, z = SL_BUF_INIT;
	unsigned char out[64], ref[64];
	z_stream ours, zlibs;

	(void)state;
	make_text(&text, 40);
	compress_to(&z, &text, ZLIB_WRAPPED, 0);
	memset(&ours, 0, sizeof(ours));
	ours.adler = 1; /* as a fresh stream has it */
	memset(out, 0xee, sizeof(out));
	memset(ref, 0xee, sizeof(ref));
	zlibs = ours;
	ours.next_in = zlibs.next_in = (Bytef *)z.buf;
	ours.avail_in = zlibs.avail_in = (uInt)z.len;
	ours.next_out = out;
	zlibs.next_out = ref;
	ours.avail_out = zlibs.avail_out = sizeof(out);
	assert_int_equal(inflate(&ours, Z_FINISH), Z_STREAM_ERROR);
	assert_int_equal(__real_inflate(&zlibs, Z_FINISH), Z_STREAM_ERROR);
	assert_memory_equal(out, ref, sizeof(out));
	assert_int_equal(ours.avail_in, z.len);
	/* Ended: the same. */
	assert_int_equal(inflateInit(&ours), Z_OK);
	assert_int_equal(inflateEnd(&ours), Z_OK);
	ours.next_in = (Bytef *)z.buf;
	ours.avail_in = (uInt)z.len;
	ours.next_out = out;
	ours.avail_out = sizeof(out);
	assert_int_equal(inflate(&ours, Z_FINISH), Z_STREAM_ERROR);
	assert_memory_equal(out, ref, sizeof(out));
	sl_buf_release(&text);
	sl_buf_release(&z);
}

static void too_little_room(enum wrapper w)
{
	struct sl_buf text = SL_BUF_INIT, z = SL_BUF_INIT;
	struct side ours, zlibs;
	size_t before = sl_inflate_one_step_count();

	make_text(&text, 20000);
	compress_to(&z, &text, ZLIB_WRAPPED, 0);
	side_init(&ours, w, text.len, false);
	side_init(&zlibs, w, text.len, true);
	step_both(&ours, &zlibs, &z, 0, z.len, 0, text.len / 2, Z_FINISH);
	assert_int_equal(ours.ret, Z_BUF_ERROR);
	/* Then given the rest of the room, it goes on where zlib left it. */
	step_both(&ours, &zlibs, &z, (size_t)(zlibs.z.next_in - (Bytef *)z.buf),
		  zlibs.z.avail_in, text.len / 2, text.len - text.len / 2,
		  Z_FINISH);
	assert_int_equal(ours.ret, Z_STREAM_END);
	assert_memory_equal(ours.out, text.buf, text.len);
	assert_int_equal(sl_inflate_one_step_count(), before);
	side_release(&ours);
	side_release(&zlibs);
	sl_buf_release(&text);
	sl_buf_release(&z);
}

static void inflate__too_little_room_is_left_to_zlib(void **state)
{
	(void)state;
	with_each_init(too_little_room);
}

static void damaged(enum wrapper w)
{
	struct sl_buf text = SL_BUF_INIT, z = SL_BUF_INIT;
	size_t at[] = {1, 2, 0, 0}, i;
	int ret;

	make_text(&text, 3000);
	compress_to(&z, &text, ZLIB_WRAPPED, 0);
	at[2] = z.len / 2; /* the data */
	at[3] = z.len - 1; /* its Adler-32 */
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		z.buf[at[i]] ^= 0x10;
		assert_int_equal(one_call(&z, w, text.len + 1, &ret), 0);
		assert_int_equal(ret, Z_DATA_ERROR);
		z.buf[at[i]] ^= 0x10;
	}
	/* Cut short: not a whole stream. */
	sl_buf_setlen(&z, z.len - 5);
	assert_int_equal(one_call(&z, w, text.len + 1, &ret), 0);
	assert_int_equal(ret, Z_BUF_ERROR);
	sl_buf_release(&text);
	sl_buf_release(&z);
}

static void inflate__damaged_streams_fail_as_with_zlib(void **state)
{
	(void)state;
	with_each_init(damaged);
}

/* Raw deflate and gzip streams, and streams fed in parts, are zlib's. */
static void inflate__other_streams_are_left_to_zlib(void **state)
{
	struct sl_buf text = SL_BUF_INIT, z = SL_BUF_INIT;
	struct side ours, zlibs;
	size_t at = 0, part = 100, made = 0;
	int ret;

	(void)state;
	make_text(&text, 8000);
	compress_to(&z, &text, RAW, 0);
	assert_int_equal(one_call(&z, RAW, text.len + 1, &ret), 0);
	assert_int_equal(ret, Z_STREAM_END);
	sl_buf_setlen(&z, 0);
	compress_to(&z, &text, GZIP, 0);
	assert_int_equal(one_call(&z, GZIP, text.len + 1, &ret), 0);
	assert_int_equal(ret, Z_STREAM_END);

	sl_buf_setlen(&z, 0);
	compress_to(&z, &text, ZLIB_WRAPPED, 0);
	side_init(&ours, ZLIB_INIT, text.len, false);
	side_init(&zlibs, ZLIB_INIT, text.len, true);
	do {
		size_t n = at + part < z.len ? part : z.len - at;

		step_both(&ours, &zlibs, &z, at, n, made, text.len - made,
			  Z_NO_FLUSH);
		at = (size_t)(zlibs.z.next_in - (Bytef *)z.buf);
		made = zlibs.z.total_out;
	} while (ours.ret == Z_OK);
	assert_int_equal(ours.ret, Z_STREAM_END);
	assert_memory_equal(ours.out, text.buf, text.len);
	side_release(&ours);
	side_release(&zlibs);
	sl_buf_release(&text);
	sl_buf_release(&z);
}

/*
 * What libgit2 reads, packed or loose, reads back as git has it, and a
 * packed object in one step (each is read from a repository of its own:
 * libgit2 keeps delta bases while a pack is open). A loose object's header
 * is inflated on its own first, into a few bytes: that stream is zlib's.
 */
static void check_blob(const char *name, const struct sl_buf *want,
		       bool one_step)
{
	struct sl_repo *repo = gr_open(".");
	char hex[SL_OID_HEXSZ + 1];
	size_t before = sl_inflate_one_step_count();
	git_oid oid;
	git_blob *blob;

	gr_rev(hex, name);
	assert_int_equal(git_oid_fromstr(&oid, hex), 0);
	assert_int_equal(git_blob_lookup(&blob, repo->git, &oid), 0);
	assert_int_equal(git_blob_rawsize(blob), want->len);
	assert_memory_equal(git_blob_rawcontent(blob), want->buf, want->len);
	assert_int_equal(sl_inflate_one_step_count() > before, one_step);
	git_blob_free(blob);
	sl_repo_free(repo);
}

static void inflate__libgit2_reads_packed_objects_in_one_step(void **state)
{
	struct sl_buf first = SL_BUF_INIT, packed = SL_BUF_INIT;
	struct sl_buf loose = SL_BUF_INIT;

	(void)state;
	sl_sandbox_enter();
	gr_init(".");
	make_text(&first, 50000);
	gr_write_file("packed.txt", first.buf, first.len);
	gr_commit_all("one");
	/* A second version: one of the two is stored as a delta. */
	sl_buf_add(&packed, first.buf, first.len);
	sl_buf_adds(&packed, "one more line\n");
	gr_write_file("packed.txt", packed.buf, packed.len);
	gr_commit_all("two");
	sl_sh_ok("git gc -q --aggressive && test -z \"$(find .git/objects "
		 "-type f -path '*/objects/[0-9a-f][0-9a-f]/*')\"");
	make_text(&loose, 700);
	gr_write_file("loose.txt", loose.buf, loose.len);
	gr_commit_all("three");
	check_blob("HEAD:packed.txt", &packed, true);
	check_blob("HEAD~2:packed.txt", &first, true);
	check_blob("HEAD:loose.txt", &loose, false);
	sl_buf_release(&first);
	sl_buf_release(&packed);
	sl_buf_release(&loose);
	sl_sandbox_leave();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(inflate__a_whole_stream_is_decoded_in_one_step),
	    cmocka_unit_test(
		inflate__after_one_step_the_stream_behaves_as_zlibs),
	    cmocka_unit_test(inflate__streams_zlib_refuses_are_refused),
	    cmocka_unit_test(inflate__too_little_room_is_left_to_zlib),
	    cmocka_unit_test(inflate__damaged_streams_fail_as_with_zlib),
	    cmocka_unit_test(inflate__other_streams_are_left_to_zlib),
	    cmocka_unit_test(inflate__libgit2_reads_packed_objects_in_one_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
