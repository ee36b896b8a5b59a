/*
 * inflate.c: zlib's inflate() for the objects libgit2 reads, done in one
 * step by libdeflate when the caller hands over the whole stream at once.
 * It owns the wrappers of zlib's inflateInit_(), inflate(), inflateReset()
 * and inflateEnd() and the per-thread libdeflate decompressors; zlib
 * itself, and every other use of it, are left as they are.
 *
 * Why: a diff is mostly inflating trees. On the benchmark's 1,000-file
 * ranges zlib's inflate() and its checksum are 70% of the instructions of
 * sluice's tree walk, as they are of git's own diff. libgit2 reads a
 * packed object by calling inflate() with Z_FINISH, the whole rest of the
 * pack's window as input and an output buffer of the object's full size:
 * the one-step case of zlib's manual. libdeflate decodes exactly that case
 * (a whole zlib stream into a buffer that holds it) in fewer than half the
 * instructions. sluice links libgit2 and zlib statically (meson.build says
 * why) with -Wl,--wrap=inflate (and the three others), so every call to
 * inflate() in the link reaches __wrap_inflate() below, which decodes the
 * stream in one step when it can and otherwise leaves it to zlib:
 *   - only on a stream's first call with Z_FINISH (nothing read yet, no
 *     dictionary asked for, the zlib wrapper, as inflateInit() sets up);
 *   - only when libdeflate decodes a whole stream, its Adler-32 checked,
 *     within the output space given; on anything else (damaged data, too
 *     little room, a stream that goes on past the input) it has written
 *     nothing zlib would not, and zlib decodes the stream from the start,
 *     with its own result and message;
 *   - a stream inflateInit() sets up gets no zlib state until it needs
 *     one: inflateInit_(), inflateReset() and inflateEnd() are wrapped
 *     too, and a stream decoded in one step never has any (zlib's cost
 *     nearly a third as much again as the decode: its allocation, its
 *     set-up, bringing it to the end, freeing it, and the pages it
 *     touches). Those three and inflate() are all of zlib's
 *     inflate functions libgit2 and libssh2 call; any other one, handed
 *     such a stream, finds no state of its own and fails with
 *     Z_STREAM_ERROR, as zlib's functions do on a stream they cannot use;
 *   - a stream with a zlib state (inflateInit2()) decoded in one step has
 *     that state brought to the end of a stream (it inflates an empty
 *     one, a few hundred instructions);
 *   - either way a later call returns Z_STREAM_END as zlib would, and
 *     inflateReset() and inflateEnd() work on it as on zlib's.
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
int __wrap_inflateInit_(z_streamp strm, const char *version, int stream_size);
int __real_inflateInit_(z_streamp strm, const char *version, int stream_size);
int __wrap_inflateReset(z_streamp strm);
int __real_inflateReset(z_streamp strm);
int __wrap_inflateEnd(z_streamp strm);
int __real_inflateEnd(z_streamp strm);

/*
 * What strm->state points to while zlib has no state for a stream:
 * zeroed memory, so that a zlib function handed it sees a state that is
 * not this stream's (its first field, the stream, is NULL) and fails.
 */
static union {
	void *align;
	unsigned char bytes[256];
} deferred_state, ended_state;
#define DEFERRED ((struct internal_state *)(void *)&deferred_state)
#define ENDED ((struct internal_state *)(void *)&ended_state)

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
	/* Cannot fail on a state inflateInit2() made and nothing has used. */
	if (__real_inflate(strm, Z_FINISH) != Z_STREAM_END)
		abort();
	strm->next_in = seen.next_in;
	strm->avail_in = seen.avail_in;
	strm->total_in = seen.total_in;
	strm->next_out = seen.next_out;
	strm->avail_out = seen.avail_out;
	strm->total_out = seen.total_out;
	strm->adler = seen.adler;
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
	one_step_streams++;
	return true;
}

/* Gives a deferred stream the zlib state inflateInit() would have. */
static int init_now(z_streamp strm)
{
	z_stream seen = *strm;
	int ret;

	strm->state = NULL;
	ret = __real_inflateInit_(strm, ZLIB_VERSION, (int)sizeof(z_stream));
	strm->next_in = seen.next_in;
	strm->avail_in = seen.avail_in;
	strm->next_out = seen.next_out;
	strm->avail_out = seen.avail_out;
	if (ret != Z_OK)
		strm->state = DEFERRED;
	return ret;
}

/* As inflateReset() leaves a stream, without a zlib state. */
static void reset_deferred(z_streamp strm)
{
	strm->state = DEFERRED;
	strm->total_in = strm->total_out = 0;
	strm->msg = NULL;
	strm->adler = 1;
}

int __wrap_inflateInit_(z_streamp strm, const char *version, int stream_size)
{
	if (!strm || !version || version[0] != ZLIB_VERSION[0] ||
	    stream_size != (int)sizeof(z_stream))
		return __real_inflateInit_(strm, version, stream_size);
	reset_deferred(strm);
	return Z_OK;
}

int __wrap_inflateReset(z_streamp strm)
{
	if (!strm || (strm->state != DEFERRED && strm->state != ENDED))
		return __real_inflateReset(strm);
	reset_deferred(strm);
	return Z_OK;
}

int __wrap_inflateEnd(z_streamp strm)
{
	if (!strm || (strm->state != DEFERRED && strm->state != ENDED))
		return __real_inflateEnd(strm);
	strm->state = NULL;
	return Z_OK;
}

int __wrap_inflate(z_streamp strm, int flush)
{
	int ret;

	if (!strm)
		return __real_inflate(strm, flush);
	if (strm->state == ENDED)
		return Z_STREAM_END; /* as zlib's at the end of a stream */
	if (strm->state == DEFERRED) {
		if (flush == Z_FINISH && one_step(strm)) {
			strm->state = ENDED;
			return Z_STREAM_END;
		}
		ret = init_now(strm);
		return ret == Z_OK ? __real_inflate(strm, flush) : ret;
	}
	/* A zlib state nothing has used yet. inflateInit2() leaves adler at
	 * 1 for the zlib wrapper and for zlib-or-gzip, at 0 for gzip, and
	 * as it was for raw deflate. */
	if (flush == Z_FINISH && !strm->total_in && !strm->total_out &&
	    strm->adler == 1 && one_step(strm)) {
		finish_zlib_state(strm);
		return Z_STREAM_END;
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
