/*
 * inflate.c: zlib's inflate() for the objects libgit2 reads, done in one
 * step by libdeflate when the caller hands over the whole stream at once.
 * It owns __wrap_inflate() and the per-thread libdeflate decompressors;
 * zlib itself, and every other use of it, are left as they are.
 *
 * Why: a diff is mostly inflating trees. On the benchmark's 1,000-file
 * ranges zlib's inflate() and its checksum are 70% of the instructions of
 * sluice's tree walk, as they are of git's own diff. libgit2 reads a
 * packed object by calling inflate() with Z_FINISH, the whole rest of the
 * pack's window as input and an output buffer of the object's full size:
 * the one-step case of zlib's manual. libdeflate decodes exactly that case
 * (a whole zlib stream into a buffer that holds it) in fewer than half the
 * instructions. sluice links libgit2 and zlib statically (meson.build says
 * why) with -Wl,--wrap=inflate, so every call to inflate() in the link
 * reaches __wrap_inflate() below, which decodes the stream in one step
 * when it can and otherwise leaves it to zlib untouched:
 *   - only on a stream's first call with Z_FINISH (nothing read yet, no
 *     dictionary asked for, the zlib wrapper, as inflateInit() sets up);
 *   - only when libdeflate decodes a whole stream, its Adler-32 checked,
 *     within the output space given; on anything else (damaged data, too
 *     little room, a stream that goes on past the input) it has written
 *     nothing zlib would not, and zlib decodes the stream from the start,
 *     with its own result and message;
 *   - after a one-step decode zlib's own state is brought to the end of a
 *     stream (it inflates an empty one, a few hundred instructions), so a
 *     later call returns Z_STREAM_END as zlib would, and inflateReset()
 *     and inflateEnd() work on it unchanged.
 * docs/performance.md, "Selection (select)", has the measurements.
 */
#include "common/common.h"

#include <libdeflate.h>
#include <pthread.h>
#include <stdlib.h>
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

/* Brings zlib's own state for strm to the end of a stream, as if it had
 * decoded the one libdeflate did, then restores what the caller sees. */
static void finish_zlib_state(z_streamp strm)
{
	z_stream seen = *strm;
	Bytef out[1];

	strm->next_in = (Bytef *)empty_stream;
	strm->avail_in = sizeof(empty_stream);
	strm->next_out = out;
	strm->avail_out = sizeof(out);
	/* Cannot fail on a state inflateInit() made and nothing has used. */
	if (__real_inflate(strm, Z_FINISH) != Z_STREAM_END)
		abort();
	strm->next_in = seen.next_in;
	strm->avail_in = seen.avail_in;
	strm->total_in = seen.total_in;
	strm->next_out = seen.next_out;
	strm->avail_out = seen.avail_out;
	strm->total_out = seen.total_out;
	strm->adler = seen.adler;
	strm->msg = NULL;
}

int __wrap_inflate(z_streamp strm, int flush)
{
	struct libdeflate_decompressor *d;
	size_t in_used, out_made;
	enum libdeflate_result res;

	/* inflateInit() (the zlib wrapper) leaves adler at 1, as does
	 * inflateInit2() asked to detect zlib or gzip; raw deflate leaves it
	 * as it was, gzip at 0. */
	if (flush != Z_FINISH || !strm || strm->total_in || strm->total_out ||
	    strm->adler != 1 || !strm->next_in || !strm->next_out)
		return __real_inflate(strm, flush);
	d = thread_decompressor();
	if (!d)
		return __real_inflate(strm, flush);
	res = libdeflate_zlib_decompress_ex(d, strm->next_in, strm->avail_in,
					    strm->next_out, strm->avail_out,
					    &in_used, &out_made);
	if (res != LIBDEFLATE_SUCCESS)
		return __real_inflate(strm, flush);
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
	finish_zlib_state(strm);
	one_step_streams++;
	return Z_STREAM_END;
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
