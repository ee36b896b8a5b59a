/*
 * alloc.c: allocation that cannot fail. sluice has no sensible way to go on
 * without memory, so running out is fatal here, once, and nowhere else.
 */
#include "common/common.h"

SL_NORETURN static void die_oom(size_t size)
{
	fprintf(stderr, "sluice: out of memory (allocating %zu bytes)\n", size);
	abort();
}

void *sl_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die_oom(size);
	return p;
}

void *sl_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		die_oom(sl_st_mult(nmemb, size));
	return p;
}

void *sl_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		die_oom(size);
	return p;
}

char *sl_xstrdup(const char *s)
{
	return sl_xmemdupz(s, strlen(s));
}

char *sl_xmemdupz(const void *data, size_t len)
{
	char *p = sl_xmalloc(sl_st_add(len, 1));

	if (len)
		memcpy(p, data, len);
	p[len] = '\0';
	return p;
}

size_t sl_st_mult(size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		die_oom(SIZE_MAX);
	return nmemb * size;
}

size_t sl_st_add(size_t a, size_t b)
{
	if (a > SIZE_MAX - b)
		die_oom(SIZE_MAX);
	return a + b;
}
