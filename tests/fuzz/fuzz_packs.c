/*
 * fuzz_packs.c: the pack reader of the tree walk (selector/packs.c) on any
 * bytes, written as the one pack and index of an object directory. The
 * first byte picks how the rest makes them:
 *   - even: the rest is a 4-byte little-endian length L, an index of L
 *     bytes (up to what is there) and the pack (the rest): every byte of
 *     both is the input's, as a damaged or hostile repository has them;
 *   - odd: the rest is a list of objects, which the harness writes as a
 *     pack, their data compressed, with a well-formed index giving object
 *     i the id i, 0, 0, ... (so that a REF_DELTA can name it), so that
 *     the input is spent on objects and deltas: a zlib stream the fuzzer
 *     changes no longer decodes, the delta inside it does. Each object is
 *     a byte (its type in bits 0-2, any of 0-7; bit 3: a size byte
 *     follows, added to the size its header gives; bit 4: the data is
 *     written as it is, not compressed), for an OFS_DELTA (6) a byte k
 *     (the base is object i - k, or k bytes back when there is none) and
 *     for a REF_DELTA (7) a byte j (the base is object j), then the data's
 *     length in 2 little-endian bytes and the data. Bit 1 of the first
 *     byte puts every offset in the index's 64-bit table, bit 2 makes
 *     those one pack length too far.
 * Every id the index lists is read, and one it does not, three times: in
 * order, again in order (the delta bases now cached) and in reverse order
 * by a reader of its own. An object read has a type git stores, a NUL
 * after its bytes and at most SL_PACKS_MAX_OBJECT of them, and reads the
 * same every time: the cache never changes an answer. (No input here is
 * long enough for a chain of deltas the reader stops following, where a
 * cached base could.)
 */
#include "tests/fuzz/fuzz.h"

#include <fcntl.h>
#include <git2.h>
#include <libdeflate.h>
#include <sys/stat.h>
#include <unistd.h>

#include "selector/internal.h"

/* The ids read per input, at most. */
#define MAX_IDS 256

struct answer {
	bool found;
	git_object_t type;
	unsigned char *data;
	size_t len;
};

/* The object directory the harness writes to, made once per process. */
static char *objects_dir;
static char *idx_path, *pack_path;

static void remove_dir(void)
{
	struct sl_buf pack_dir = SL_BUF_INIT;

	unlink(idx_path);
	unlink(pack_path);
	sl_buf_addf(&pack_dir, "%s/pack", objects_dir);
	rmdir(pack_dir.buf);
	rmdir(objects_dir);
	sl_buf_release(&pack_dir);
	free(idx_path);
	free(pack_path);
	free(objects_dir);
}

static void make_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	struct sl_buf path = SL_BUF_INIT;

	sl_buf_addf(&path, "%s/sl-fuzz-packs-XXXXXX",
		    tmp && *tmp ? tmp : "/tmp");
	sl_fuzz_check(mkdtemp(path.buf) != NULL, "a temporary directory");
	objects_dir = sl_buf_detach(&path, NULL);
	sl_buf_addf(&path, "%s/pack", objects_dir);
	sl_fuzz_check(!mkdir(path.buf, 0700), "its pack directory");
	sl_buf_adds(&path, "/pack-fuzz.idx");
	idx_path = sl_xstrdup(path.buf);
	sl_buf_setlen(&path, path.len - 4);
	sl_buf_adds(&path, ".pack");
	pack_path = sl_buf_detach(&path, NULL);
	atexit(remove_dir);
}

static void write_all(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const char *p = data;

	sl_fuzz_check(fd >= 0, "the input written out");
	while (len) {
		ssize_t n = write(fd, p, len);

		sl_fuzz_check(n > 0, "the input written out");
		p += n;
		len -= (size_t)n;
	}
	close(fd);
}

static void add_be32(struct sl_buf *out, uint32_t v)
{
	unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};

	sl_buf_add(out, b, 4);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The even case: index and pack as they are in the input. */
static void write_raw(const uint8_t *data, size_t size)
{
	size_t idx_len = 0;

	if (size >= 4) {
		idx_len = SL_MIN((size_t)le32(data), size - 4);
		data += 4;
		size -= 4;
	}
	write_all(idx_path, data, idx_len);
	write_all(pack_path, data + idx_len, size - idx_len);
}

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

/* git's encoding of an OFS_DELTA's distance back to its base. */
static void add_ofs(struct sl_buf *out, uint64_t ofs)
{
	unsigned char b[10];
	size_t i = sizeof(b) - 1;

	b[i] = ofs & 0x7f;
	while (ofs >>= 7)
		b[--i] = 0x80 | (--ofs & 0x7f);
	sl_buf_add(out, b + i, sizeof(b) - i);
}

static void add_zlib(struct sl_buf *out, const uint8_t *data, size_t len)
{
	static struct libdeflate_compressor *c;
	size_t made;

	if (!c)
		c = libdeflate_alloc_compressor(6);
	sl_fuzz_check(c != NULL, "a compressor");
	sl_buf_grow(out, libdeflate_zlib_compress_bound(c, len));
	made = libdeflate_zlib_compress(c, data, len, out->buf + out->len,
					libdeflate_zlib_compress_bound(c, len));
	sl_fuzz_check(made > 0, "the data compressed");
	sl_buf_setlen(out, out->len + made);
}

/* The odd case: the input's objects as a pack, and an index for them. */
static void write_made(const uint8_t *data, size_t size, unsigned flags)
{
	static const char trailer[] = "fuzzfuzzfuzzfuzzfuzz";
	struct sl_buf pack = SL_BUF_INIT, idx = SL_BUF_INIT;
	uint64_t at[MAX_IDS - 1];
	const uint8_t *end = data + size;
	size_t n = 0, i;

	sl_buf_add(&pack, "PACK\0\0\0\2\0\0\0\0", 12);
	while (data < end && n < MAX_IDS - 1) {
		unsigned kind = *data++, type = kind & 7, base = 0;
		size_t len, grow = 0;

		if (kind & 8 && data < end)
			grow = *data++;
		if ((type == 6 || type == 7) && data < end)
			base = *data++;
		len = end - data >= 2 ? (size_t)data[0] | (size_t)data[1] << 8
				      : 0;
		data += SL_MIN((size_t)(end - data), 2);
		len = SL_MIN(len, (size_t)(end - data));
		at[n] = pack.len;
		add_header(&pack, type, len + grow);
		if (type == 6) {
			add_ofs(&pack, base && base <= n ? at[n] - at[n - base]
							 : base);
		} else if (type == 7) {
			unsigned char id[GIT_OID_RAWSZ] = {(unsigned char)base};

			sl_buf_add(&pack, id, sizeof(id));
		}
		if (kind & 16)
			sl_buf_add(&pack, data, len);
		else
			add_zlib(&pack, data, len);
		data += len;
		n++;
	}
	pack.buf[11] = (char)n; /* fewer than 256 */
	sl_buf_add(&pack, trailer, 20);

	sl_buf_add(&idx, "\377tOc", 4);
	add_be32(&idx, 2);
	for (i = 0; i < 256; i++)
		add_be32(&idx, (uint32_t)SL_MIN(i + 1, n));
	for (i = 0; i < n; i++) {
		unsigned char id[GIT_OID_RAWSZ] = {(unsigned char)i};

		sl_buf_add(&idx, id, sizeof(id));
	}
	for (i = 0; i < n; i++)
		add_be32(&idx, 0); /* CRCs: not read */
	for (i = 0; i < n; i++)
		add_be32(&idx, flags & 2 ? (uint32_t)(0x80000000u | i)
					 : (uint32_t)at[i]);
	for (i = 0; flags & 2 && i < n; i++) {
		uint64_t large = at[i] + (flags & 4 ? pack.len : 0);

		add_be32(&idx, (uint32_t)(large >> 32));
		add_be32(&idx, (uint32_t)large);
	}
	sl_buf_add(&idx, trailer, 20);
	sl_buf_add(&idx, trailer, 20);
	write_all(idx_path, idx.buf, idx.len);
	write_all(pack_path, pack.buf, pack.len);
	sl_buf_release(&pack);
	sl_buf_release(&idx);
}

/*
 * The ids to read: those of the index as written (as far as its fan-out
 * table and length say it has them, whether or not the reader takes it),
 * and one no index of the harness lists.
 */
static size_t ids_of_index(git_oid *ids)
{
	struct sl_buf idx = SL_BUF_INIT;
	struct sl_error err = SL_ERROR_INIT;
	size_t n = 0, count, i;

	if (!sl_buf_read_file(&idx, idx_path, SIZE_MAX / 2, &err) &&
	    idx.len >= 8 + 256 * 4) {
		const unsigned char *p = (const unsigned char *)idx.buf;

		count = (size_t)p[8 + 255 * 4] << 24 |
			(size_t)p[8 + 255 * 4 + 1] << 16 |
			(size_t)p[8 + 255 * 4 + 2] << 8 | p[8 + 255 * 4 + 3];
		count = SL_MIN(count, (idx.len - 8 - 256 * 4) / GIT_OID_RAWSZ);
		for (i = 0; i < count && n < MAX_IDS - 1; i++)
			memcpy(ids[n++].id, p + 8 + 256 * 4 + i * GIT_OID_RAWSZ,
			       GIT_OID_RAWSZ);
	}
	memset(ids[n].id, 0xfe, GIT_OID_RAWSZ);
	n++;
	sl_buf_release(&idx);
	sl_error_release(&err);
	return n;
}

static void check_read(struct sl_packs *packs, const git_oid *id,
		       struct answer *a)
{
	a->data = NULL;
	a->found = sl_packs_read(packs, id, &a->type, &a->data, &a->len);
	if (!a->found) {
		sl_fuzz_check(!a->data,
			      "nothing returned for an object not read");
		return;
	}
	sl_fuzz_check(
	    a->type == GIT_OBJECT_COMMIT || a->type == GIT_OBJECT_TREE ||
		a->type == GIT_OBJECT_BLOB || a->type == GIT_OBJECT_TAG,
	    "an object read has a type git stores");
	sl_fuzz_check(a->len <= SL_PACKS_MAX_OBJECT, "not past the size limit");
	sl_fuzz_check(a->data && a->data[a->len] == '\0',
		      "a NUL after its bytes");
}

static void check_same(const struct answer *a, const struct answer *b)
{
	sl_fuzz_check(a->found == b->found, "read or not, every time");
	if (!a->found)
		return;
	sl_fuzz_check(a->type == b->type && a->len == b->len &&
			  !memcmp(a->data, b->data, a->len),
		      "the same object every time (the cache changes nothing)");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static git_oid ids[MAX_IDS];
	static struct answer first[MAX_IDS];
	struct sl_packs *warm, *cold;
	size_t n, i;

	if (!size)
		return 0;
	if (!objects_dir)
		make_dir();
	if (data[0] & 1)
		write_made(data + 1, size - 1, data[0]);
	else
		write_raw(data + 1, size - 1);
	n = ids_of_index(ids);

	warm = sl_packs_open(objects_dir);
	for (i = 0; i < n; i++)
		check_read(warm, &ids[i], &first[i]);
	for (i = 0; i < n; i++) {
		struct answer again;

		check_read(warm, &ids[i], &again);
		check_same(&first[i], &again);
		free(again.data);
	}
	cold = sl_packs_open(objects_dir);
	for (i = n; i-- > 0;) {
		struct answer again;

		check_read(cold, &ids[i], &again);
		check_same(&first[i], &again);
		free(again.data);
	}
	for (i = 0; i < n; i++)
		free(first[i].data);
	sl_packs_free(warm);
	sl_packs_free(cold);
	return 0;
}
