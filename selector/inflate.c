/*
 * inflate.c: zlib's inflate() for the objects libgit2 reads, done in one
 * step by libdeflate when the caller hands over the whole stream at once.
 * It owns the wrapper of zlib's inflate() and the per-thread libdeflate
 * decompressors; zlib itself, and every other use of it, are left as they
 * are. Built only where libgit2 is linked from its static archive and the
 * meson option `interpose` allows it (meson.build checks).
 *
 * Why: a diff is mostly inflating trees, and libgit2 reads a packed object
 * by calling inflate() with Z_FINISH, the whole rest of the pack's window
 * as input and an output buffer of the object's full size: the one-step
 * case of zlib's manual, which libdeflate decodes (a whole zlib stream
 * into a buffer that holds it, its Adler-32 checked) in far fewer
 * instructions. The link has -Wl,--wrap=inflate, so every call to
 * inflate() in the link reaches __wrap_inflate() below, which decodes the
 * stream in one step when it can and otherwise leaves it to zlib:
 *   - only on a stream's first call with Z_FINISH (nothing read or written
 *     yet, the zlib wrapper, as inflateInit() sets up);
 *   - only when libdeflate decodes a whole stream, its Adler-32 checked,
 *     within the output space given; on anything else (damaged data, too
 *     little room, a stream that goes on past the input) it has written
 *     nothing zlib would not, and zlib decodes the stream from the start,
 *     with its own result and message;
 *   - zlib's own state for the stream is then brought to the end of a
 *     stream (it inflates an empty one), so a later call returns
 *     Z_STREAM_END as zlib would, and inflateReset() and inflateEnd() work
 *     on it as on any other: zlib's state is never anything but zlib's.
 * docs/performance.md, "Selection (select)", has the measurements.
 */
#include "common/common.h"

#include <libdeflate.h>
#include <pthread.h>
#include <zlib.h>

#include "selector/internal.h"

/* The linker's names for the wrapped function and the real one (ld(1),
 * --wrap); reserved identifiers, but these are the ones it looks for. */
int __wrap_inflate(z_streamp strm, int flush);
int __real_inflate(z_streamp strm, int flush);

/* A zlib stream of no bytes: header 78 9c, one empty final fixed block,
 * Adler-32 of nothing (1). */
static const unsigned char empty_stream[] = {0x78, 0x9c, 0x03, 0x00,
					     0x00, 0x00, 0x00, 0x01};

/* Streams this thread decoded in one step, for tests. */
static _Thread_local size_t one_step_streams;

static pthread_key_t decompressor_key;
static pthread_once_t decompressor_once = PTHREAD_ONCE_INIT;
static bool decompressor_key_made;

static void free_decompressor(void *d)
{
	libdeflate_free_decompressor(d);
}

static void make_decompressor_key(void)
{
	decompressor_key_made =
	    pthread_key_create(&decompressor_key, free_decompressor) == 0;
}

/* This thread's decompressor, made on first use and freed when the thread
 * ends (or by sl_inflate_release() on the main thread); NULL if none could
 * be made, and zlib then does the work. */
static struct libdeflate_decompressor *thread_decompressor(void)
{
	struct libdeflate_decompressor *d;

	pthread_once(&decompressor_once, make_decompressor_key);
	if (!decompressor_key_made)
		return NULL;
	d = pthread_getspecific(decompressor_key);
	if (d)
		return d;
	d = libdeflate_alloc_decompressor();
	if (d && pthread_setspecific(decompressor_key, d) != 0) {
		libdeflate_free_decompressor(d);
		d = NULL;
	}
	return d;
}

/*
 * Brings zlib's own state for strm to the end of a stream, as if it had
 * decoded the one libdeflate did, then restores what the caller sees.
 * False when zlib refuses that (a state not as inflateInit() made it).
 */
static bool finish_zlib_state(z_streamp strm)
{
	z_stream seen = *strm;
	Bytef out[1];

	strm->next_in = (Bytef *)empty_stream;
	strm->avail_in = sizeof(empty_stream);
	strm->next_out = out;
	strm->avail_out = sizeof(out);
	if (__real_inflate(strm, Z_FINISH) != Z_STREAM_END)
		return false;
	strm->next_in = seen.next_in;
	strm->avail_in = seen.avail_in;
	strm->total_in = seen.total_in;
	strm->next_out = seen.next_out;
	strm->avail_out = seen.avail_out;
	strm->total_out = seen.total_out;
	strm->adler = seen.adler;
	return true;
}

/*
 * Decodes strm in one step with libdeflate if it can (the whole stream in
 * the input, room for all of it) and moves the stream's fields past it;
 * false, strm untouched, when it cannot.
 */
static bool one_step(z_streamp strm)
{
	struct libdeflate_decompressor *d;
	size_t in_used, out_made;

	if (!strm->next_in || !strm->next_out)
		return false;
	d = thread_decompressor();
	if (!d ||
	    libdeflate_zlib_decompress_ex(
		d, strm->next_in, strm->avail_in, strm->next_out,
		strm->avail_out, &in_used, &out_made) != LIBDEFLATE_SUCCESS)
		return false;
	/* The Adler-32 of what was made: the stream's last four bytes,
	 * which libdeflate has checked against it. */
	strm->adler = (uLong)strm->next_in[in_used - 4] << 24 |
		      (uLong)strm->next_in[in_used - 3] << 16 |
		      (uLong)strm->next_in[in_used - 2] << 8 |
		      strm->next_in[in_used - 1];
	strm->next_in += in_used;
	strm->avail_in -= (uInt)in_used;
	strm->total_in = in_used;
	strm->next_out += out_made;
	strm->avail_out -= (uInt)out_made;
	strm->total_out = out_made;
	strm->msg = NULL;
	return true;
}

int __wrap_inflate(z_streamp strm, int flush)
{
	z_stream before;
	uInt dict_len;

	/* A zlib state nothing has used yet. inflateInit2() leaves adler at
	 * 1 for the zlib wrapper and for zlib-or-gzip, at 0 for gzip, and
	 * as it was for raw deflate (whose data libdeflate's zlib decoder
	 * refuses, and then zlib has it). */
	if (!strm || flush != Z_FINISH || strm->total_in || strm->total_out ||
	    strm->adler != 1)
		return __real_inflate(strm, flush);
	/* A stream whose state zlib would refuse is refused by zlib, before
	 * anything is written (inflateGetDictionary() with no buffer only
	 * checks the state and reads its length). */
	if (inflateGetDictionary(strm, NULL, &dict_len) != Z_OK)
		return __real_inflate(strm, flush);
	before = *strm;
	if (one_step(strm)) {
		if (finish_zlib_state(strm)) {
			one_step_streams++;
			return Z_STREAM_END;
		}
		/* Not a state inflateInit() made: zlib gives its own
		 * answer, from the start. */
		*strm = before;
	}
	return __real_inflate(strm, flush);
}

size_t sl_inflate_one_step_count(void)
{
	return one_step_streams;
}

void sl_inflate_release(void)
{
	struct libdeflate_decompressor *d;

	if (!decompressor_key_made)
		return;
	d = pthread_getspecific(decompressor_key);
	if (d) {
		libdeflate_free_decompressor(d);
		pthread_setspecific(decompressor_key, NULL);
	}
}
