/*
 * packs.c: the objects of a repository's pack files, read without libgit2,
 * for the tree walk (treewalk.c). It owns the mapped packs and their
 * indexes, the decoding of a packed object (its header, its zlib stream,
 * the chain of deltas it is built from) and a small cache of delta bases.
 * Which objects to read, and everything this file does not find, are the
 * caller's: it asks libgit2 then.
 *
 * Why: a diff is mostly reading trees, one at a time, each about a
 * kilobyte and most of them a delta on another. Through libgit2
 * (git_odb_read()) each such read also looks the object up in every
 * backend, takes the pack's and the window's locks for every part of the
 * chain, allocates and zeroes a buffer for each part, and sets up a zlib
 * stream for each (inflate.c makes that last part cheap): about as much
 * again as decoding the object. Read here, an object is found by binary
 * search in the index, each part of its chain is decoded by libdeflate
 * straight from the mapped pack, and the result is the only allocation
 * (docs/performance.md, "Selection (select)", has the measurements).
 *
 * The formats are git's (gitformat-pack(5)): an index of version 2 (its
 * fan-out table, the sorted ids, the 31-bit offsets and the 64-bit ones),
 * a pack of version 2 or 3, objects whole or as OFS_DELTA or REF_DELTA on
 * another object of the same pack. What this file does not read is left to
 * libgit2, which reads it or says what is wrong: loose objects, alternates,
 * an index of version 1, a REF_DELTA whose base is in no pack of this
 * repository, a pack or an index that does not hold together, an object
 * of more than SL_PACKS_MAX_OBJECT bytes, and any stream that does not
 * decode to exactly the size its header gives (damaged data: zlib's
 * Adler-32, which libdeflate checks, catches it as libgit2's would).
 * Nothing here trusts a byte of a pack: every offset and size is checked
 * against what is mapped before it is used.
 */
#include "common/common.h"

#include <dirent.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "selector/internal.h"

/* Object types in a pack's object headers. */
enum pack_type {
	PACK_COMMIT = 1,
	PACK_TREE = 2,
	PACK_BLOB = 3,
	PACK_TAG = 4,
	PACK_OFS_DELTA = 6,
	PACK_REF_DELTA = 7,
};

/* Deeper delta chains are left to libgit2 (git makes them 50 deep, or
 * 250 with gc --aggressive). */
#define MAX_CHAIN 10000

/* The delta bases kept: slots, and the bytes they may hold together. */
#define CACHE_SLOTS 256
#define CACHE_BYTES (16u << 20)

struct pack {
	const unsigned char *idx, *data; /* both mapped whole */
	size_t idx_len, data_len;
	uint32_t count;
	const unsigned char *fanout, *ids, *offsets, *large;
	size_t n_large;
};

struct cached {
	const struct pack *pack; /* NULL: an empty slot */
	uint64_t at;
	git_object_t type;
	unsigned char *data;
	size_t len;
};

struct sl_packs {
	struct pack *packs;
	size_t n, alloc;
	size_t last; /* the pack that held the last object found */
	struct libdeflate_decompressor *inflater;
	unsigned char *scratch; /* a delta, while it is applied */
	size_t scratch_len;
	struct cached cache[CACHE_SLOTS];
	size_t cached_bytes;
};

/* One part of a delta chain: the object at `at`, its data's zlib stream
 * at `stream`, `size` bytes inflated. */
struct part {
	uint64_t at;
	size_t stream, size;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* ---- opening ----------------------------------------------------------- */

static const unsigned char *map_file(const char *path, size_t *len)
{
	struct stat st;
	void *p = MAP_FAILED;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= SIZE_MAX) {
		*len = (size_t)st.st_size;
		p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	}
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/*
 * Checks that the index and the pack mapped in p hold together (version 2
 * index, its tables within the file, the same object count as the pack)
 * and points p's tables into the index. False when they do not.
 */
static bool pack_check(struct pack *p)
{
	static const unsigned char idx_magic[] = {0xff, 't', 'O', 'c',
						  0,	0,   0,	  2};
	size_t tables;
	uint32_t i, prev = 0;

	if (p->idx_len < 8 + 256 * 4 + 40 || memcmp(p->idx, idx_magic, 8))
		return false;
	p->fanout = p->idx + 8;
	for (i = 0; i < 256; i++) {
		uint32_t n = be32(p->fanout + 4 * i);

		if (n < prev)
			return false;
		prev = n;
	}
	p->count = prev;
	/* ids, CRCs and 31-bit offsets; the 64-bit offsets and the two
	 * checksums after them. */
	tables = 8 + 256 * 4 + (size_t)p->count * (GIT_OID_RAWSZ + 4 + 4);
	if (p->idx_len < tables + 40 || (p->idx_len - tables - 40) % 8)
		return false;
	p->ids = p->fanout + 256 * 4;
	p->offsets = p->ids + (size_t)p->count * (GIT_OID_RAWSZ + 4);
	p->large = p->idx + tables;
	p->n_large = (p->idx_len - tables - 40) / 8;
	/* The index ends with the checksum of the pack it was made for,
	 * which the pack ends with: an index of another pack (a copy gone
	 * wrong, a repack half done) is refused, as git and libgit2 refuse
	 * it, rather than read at the other pack's offsets. */
	return p->data_len >= 12 + 20 && !memcmp(p->data, "PACK", 4) &&
	       (be32(p->data + 4) == 2 || be32(p->data + 4) == 3) &&
	       be32(p->data + 8) == p->count &&
	       !memcmp(p->idx + p->idx_len - 40, p->data + p->data_len - 20,
		       20);
}

/* Maps pack-X.idx (name) and pack-X.pack in dir; false when it cannot
 * be read here. */
static bool pack_open(struct pack *p, const char *dir, const char *name)
{
	struct sl_buf path = SL_BUF_INIT;
	bool ok = false;

	memset(p, 0, sizeof(*p));
	sl_buf_adds3(&path, dir, "/", name);
	p->idx = map_file(path.buf, &p->idx_len);
	sl_buf_setlen(&path, path.len - 4);
	sl_buf_adds(&path, ".pack");
	if (p->idx)
		p->data = map_file(path.buf, &p->data_len);
	ok = p->data && pack_check(p);
	sl_buf_release(&path);
	return ok;
}

static void pack_release(struct pack *p)
{
	if (p->idx)
		munmap((void *)p->idx, p->idx_len);
	if (p->data)
		munmap((void *)p->data, p->data_len);
}

struct sl_packs *sl_packs_open(const char *objects_dir)
{
	struct sl_packs *packs = sl_xcalloc(1, sizeof(*packs));
	struct sl_buf dir = SL_BUF_INIT;
	struct dirent *de;
	DIR *d;

	if (!objects_dir)
		return packs;
	sl_buf_adds3(&dir, objects_dir, "/", "pack");
	d = opendir(dir.buf);
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".idx"))
			continue;
		SL_ALLOC_GROW(packs->packs, packs->n + 1, packs->alloc);
		if (pack_open(&packs->packs[packs->n], dir.buf, de->d_name))
			packs->n++;
		else
			pack_release(&packs->packs[packs->n]);
	}
	if (d)
		closedir(d);
	sl_buf_release(&dir);
	return packs;
}

void sl_packs_free(struct sl_packs *packs)
{
	size_t i;

	if (!packs)
		return;
	for (i = 0; i < packs->n; i++)
		pack_release(&packs->packs[i]);
	for (i = 0; i < CACHE_SLOTS; i++)
		free(packs->cache[i].data);
	if (packs->inflater)
		libdeflate_free_decompressor(packs->inflater);
	free(packs->scratch);
	free(packs->packs);
	free(packs);
}

/* ---- finding an object --------------------------------------------------- */

/* Where id is in p, or false. */
static bool pack_find(const struct pack *p, const git_oid *id, uint64_t *at)
{
	uint32_t lo = id->id[0] ? be32(p->fanout + 4 * (id->id[0] - 1)) : 0;
	uint32_t hi = be32(p->fanout + 4 * id->id[0]);
	uint32_t off;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int cmp = memcmp(p->ids + (size_t)mid * GIT_OID_RAWSZ, id->id,
				 GIT_OID_RAWSZ);

		if (cmp < 0) {
			lo = mid + 1;
		} else if (cmp > 0) {
			hi = mid;
		} else {
			off = be32(p->offsets + (size_t)mid * 4);
			if (!(off & 0x80000000u)) {
				*at = off;
				return true;
			}
			off &= 0x7fffffffu;
			if (off >= p->n_large)
				return false;
			*at = be64(p->large + (size_t)off * 8);
			return true;
		}
	}
	return false;
}

/* ---- decoding -------------------------------------------------------------- */

/*
 * Reads the object header at `at` in p: its type, the inflated size of its
 * data, and for a delta where its base is (*base). *stream is where its
 * zlib stream starts. False when the header does not hold together.
 */
static bool read_header(const struct pack *p, uint64_t at, enum pack_type *type,
			size_t *size, size_t *stream, uint64_t *base)
{
	const unsigned char *q, *end = p->data + p->data_len - 20;
	uint64_t n, ofs;
	unsigned c, shift = 4;

	if (at < 12 || at >= p->data_len - 20)
		return false;
	q = p->data + at;
	c = *q++;
	*type = (enum pack_type)((c >> 4) & 7);
	n = c & 15;
	while (c & 0x80) {
		if (q == end || shift > 60)
			return false;
		c = *q++;
		n |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (n > SL_PACKS_MAX_OBJECT)
		return false;
	*size = (size_t)n;
	if (*type == PACK_OFS_DELTA) {
		/* git's offset encoding: each further byte adds one first. */
		if (q == end)
			return false;
		c = *q++;
		ofs = c & 0x7f;
		while (c & 0x80) {
			if (q == end || ofs > (UINT64_MAX >> 8))
				return false;
			c = *q++;
			ofs = ((ofs + 1) << 7) | (c & 0x7f);
		}
		if (!ofs || ofs > at)
			return false;
		*base = at - ofs;
	} else if (*type == PACK_REF_DELTA) {
		git_oid id;

		if (end - q < GIT_OID_RAWSZ)
			return false;
		memcpy(id.id, q, GIT_OID_RAWSZ);
		q += GIT_OID_RAWSZ;
		if (!pack_find(p, &id, base))
			return false;
	} else if (*type < PACK_COMMIT || *type > PACK_TAG) {
		return false;
	}
	*stream = (size_t)(q - p->data);
	return q < end;
}

/* Deflate makes at most 1,032 bytes of each byte it reads (zlib's
 * manual): an object claiming more than the rest of the pack can make is
 * refused before anything is allocated for it. */
#define MAX_INFLATE_RATIO 1032

/* True when the stream at `stream` in p could inflate to size bytes. */
static bool could_make(const struct pack *p, size_t stream, size_t size)
{
	return (uint64_t)size <=
	       (uint64_t)(p->data_len - 20 - stream) * MAX_INFLATE_RATIO;
}

/* Inflates the zlib stream at `stream` in p into out, which has room for
 * exactly size bytes; false when it does not decode to that. */
static bool inflate_into(struct sl_packs *packs, const struct pack *p,
			 size_t stream, unsigned char *out, size_t size)
{
	size_t made;

	if (!packs->inflater)
		packs->inflater = libdeflate_alloc_decompressor();
	return packs->inflater &&
	       libdeflate_zlib_decompress_ex(
		   packs->inflater, p->data + stream, p->data_len - 20 - stream,
		   out, size, NULL, &made) == LIBDEFLATE_SUCCESS &&
	       made == size;
}

/* The same into a new buffer (followed by a NUL); NULL when it fails. */
static unsigned char *inflate_new(struct sl_packs *packs, const struct pack *p,
				  size_t stream, size_t size)
{
	unsigned char *out =
	    could_make(p, stream, size) ? malloc(size + 1) : NULL;

	if (out && !inflate_into(packs, p, stream, out, size)) {
		free(out);
		return NULL;
	}
	if (out)
		out[size] = '\0';
	return out;
}

/* The same into packs->scratch, which a delta is decoded into and read
 * from once; NULL when it fails. */
static unsigned char *inflate_scratch(struct sl_packs *packs,
				      const struct pack *p, size_t stream,
				      size_t size)
{
	if (!could_make(p, stream, size))
		return NULL;
	if (size > packs->scratch_len) {
		unsigned char *bigger = realloc(packs->scratch, size);

		if (!bigger)
			return NULL;
		packs->scratch = bigger;
		packs->scratch_len = size;
	}
	return inflate_into(packs, p, stream, packs->scratch, size)
		   ? packs->scratch
		   : NULL;
}

/* A delta's size field: 7 bits a byte, least significant first. */
static bool delta_size(const unsigned char **q, const unsigned char *end,
		       size_t *out)
{
	uint64_t n = 0;
	unsigned shift = 0, c;

	do {
		if (*q == end || shift > 56)
			return false;
		c = *(*q)++;
		n |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	if (n > SL_PACKS_MAX_OBJECT)
		return false;
	*out = (size_t)n;
	return true;
}

/*
 * Applies the delta (git's format: base size, result size, then copy and
 * insert instructions) to base; the result in a new buffer (and a NUL),
 * or NULL when the delta does not fit base or does not make exactly the
 * size it says.
 */
static unsigned char *apply_delta(const unsigned char *base, size_t base_len,
				  const unsigned char *delta, size_t delta_len,
				  size_t *out_len)
{
	const unsigned char *q = delta, *end = delta + delta_len;
	unsigned char *out = NULL, *at, *out_end;
	size_t want_base, len;

	if (!delta_size(&q, end, &want_base) || want_base != base_len ||
	    !delta_size(&q, end, &len))
		return NULL;
	/* Each op takes a byte of the delta at least, and makes at most the
	 * whole base (a copy) or 127 bytes (an insert): a result claimed
	 * larger is refused before it is allocated. */
	if ((uint64_t)len >
	    (uint64_t)(end - q) * (base_len > 127 ? base_len : 127))
		return NULL;
	out = malloc(len + 1);
	if (!out)
		return NULL;
	at = out;
	out_end = out + len;
	while (q < end) {
		unsigned op = *q++;

		if (op & 0x80) {
			/* Copy from the base: the bits of op say which bytes
			 * of the offset and the size follow. */
			size_t off = 0, n = 0;
			unsigned i;

			for (i = 0; i < 4; i++)
				if (op & (1u << i)) {
					if (q == end)
						goto bad;
					off |= (size_t)*q++ << (8 * i);
				}
			for (i = 0; i < 3; i++)
				if (op & (0x10u << i)) {
					if (q == end)
						goto bad;
					n |= (size_t)*q++ << (8 * i);
				}
			if (!n)
				n = 0x10000;
			if (off > base_len || n > base_len - off ||
			    n > (size_t)(out_end - at))
				goto bad;
			memcpy(at, base + off, n);
			at += n;
		} else if (op) {
			/* Insert the next op bytes of the delta. */
			if (op > (size_t)(end - q) ||
			    op > (size_t)(out_end - at))
				goto bad;
			memcpy(at, q, op);
			at += op;
			q += op;
		} else {
			goto bad; /* reserved */
		}
	}
	if (at != out_end)
		goto bad;
	*out_end = '\0';
	*out_len = len;
	return out;
bad:
	free(out);
	return NULL;
}

static struct cached *cache_slot(struct sl_packs *packs, const struct pack *p,
				 uint64_t at)
{
	uint64_t h =
	    (at ^ (uint64_t)(uintptr_t)p) * UINT64_C(0x9e3779b97f4a7c15);

	return &packs->cache[h >> 56];
}

static const struct cached *cache_get(struct sl_packs *packs,
				      const struct pack *p, uint64_t at)
{
	const struct cached *c = cache_slot(packs, p, at);

	return c->pack == p && c->at == at ? c : NULL;
}

/* Keeps data (taken) as the object at `at` of p, in place of what its slot
 * held, unless that would take the cache past CACHE_BYTES. */
static void cache_put(struct sl_packs *packs, const struct pack *p, uint64_t at,
		      git_object_t type, unsigned char *data, size_t len)
{
	struct cached *c = cache_slot(packs, p, at);
	size_t held = packs->cached_bytes - (c->pack ? c->len : 0);

	if (len > CACHE_BYTES - held) {
		free(data);
		return;
	}
	free(c->data);
	c->pack = p;
	c->at = at;
	c->type = type;
	c->data = data;
	c->len = len;
	packs->cached_bytes = held + len;
}

static git_object_t git_type(enum pack_type type)
{
	switch (type) {
	case PACK_COMMIT:
		return GIT_OBJECT_COMMIT;
	case PACK_TREE:
		return GIT_OBJECT_TREE;
	case PACK_BLOB:
		return GIT_OBJECT_BLOB;
	default:
		return GIT_OBJECT_TAG;
	}
}

/*
 * The object at `at` of p: follows its chain of deltas down to a whole
 * object or one in the cache, then builds it back up, keeping each base
 * on the way in the cache. False when anything on the way does not hold
 * together.
 */
static bool read_at(struct sl_packs *packs, const struct pack *p, uint64_t at,
		    git_object_t *type, unsigned char **data, size_t *len)
{
	struct part *chain = NULL;
	size_t n = 0, alloc = 0;
	const struct cached *hit;
	unsigned char *cur = NULL;
	bool cur_cached = false, ok = false;
	enum pack_type t;
	size_t size, stream;
	uint64_t base = 0;

	for (;;) {
		hit = cache_get(packs, p, at);
		if (hit) {
			*type = hit->type;
			cur = hit->data;
			*len = hit->len;
			cur_cached = true;
			break;
		}
		if (n == MAX_CHAIN ||
		    !read_header(p, at, &t, &size, &stream, &base))
			goto out;
		if (t != PACK_OFS_DELTA && t != PACK_REF_DELTA) {
			*type = git_type(t);
			cur = inflate_new(packs, p, stream, size);
			if (!cur)
				goto out;
			*len = size;
			break;
		}
		SL_ALLOC_GROW(chain, n + 1, alloc);
		chain[n].at = at;
		chain[n].stream = stream;
		chain[n].size = size;
		n++;
		at = base;
	}
	while (n--) {
		unsigned char *delta, *next;
		size_t next_len;

		delta =
		    inflate_scratch(packs, p, chain[n].stream, chain[n].size);
		next = delta ? apply_delta(cur, *len, delta, chain[n].size,
					   &next_len)
			     : NULL;
		if (!next)
			goto out;
		if (!cur_cached)
			cache_put(packs, p, at, *type, cur, *len);
		cur = next;
		cur_cached = false;
		*len = next_len;
		at = chain[n].at;
	}
	if (cur_cached)
		cur = (unsigned char *)sl_xmemdupz(cur, *len);
	*data = cur;
	cur = NULL;
	ok = true;
out:
	if (!cur_cached)
		free(cur);
	free(chain);
	return ok;
}

bool sl_packs_read(struct sl_packs *packs, const git_oid *id,
		   git_object_t *type, unsigned char **data, size_t *len)
{
	size_t i, k;
	uint64_t at;

	for (k = 0; k < packs->n; k++) {
		i = (packs->last + k) % packs->n;
		if (pack_find(&packs->packs[i], id, &at)) {
			packs->last = i;
			return read_at(packs, &packs->packs[i], at, type, data,
				       len);
		}
	}
	return false;
}
