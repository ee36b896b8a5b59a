/*
 * random.h: the randomized tests' generators (tests/rules/ only). A small
 * seeded generator, and paths and gitignore patterns drawn from the same
 * few names, so that patterns match generated paths often, written in
 * every syntax git's matcher has a corner for: '*', '**', '?', classes
 * (negated, ranges, POSIX names, ']' first), escapes, leading and trailing
 * '/', trailing spaces (escaped or not).
 */
#ifndef SL_TEST_RULES_RANDOM_H
#define SL_TEST_RULES_RANDOM_H

#include "common/common.h"

struct rng {
	uint64_t s;
};

/* splitmix64: small, fast, and the same sequence everywhere. */
static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static inline size_t rng_below(struct rng *r, size_t n)
{
	return (size_t)(rng_next(r) % n);
}

static inline bool rng_chance(struct rng *r, unsigned percent)
{
	return rng_below(r, 100) < percent;
}

#define RNG_PICK(r, array) ((array)[rng_below((r), SL_ARRAY_SIZE(array))])

/* A seed from the environment variable name, else fallback. */
static inline uint64_t rng_seed_from_env(const char *name, uint64_t fallback)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return fallback;
	errno = 0;
	v = strtoull(s, &end, 0);
	return errno || *end ? fallback : (uint64_t)v;
}

static inline size_t rng_count_from_env(const char *name, size_t fallback)
{
	return (size_t)rng_seed_from_env(name, fallback);
}

/* Names that paths are made of; patterns use them too. */
static const char *const rand_names[] = {
    "a",	"b",	"ab",	"ba",	"abc", "a.c", "b.h",  "x.tar.gz",
    ".a",	"a.",	"...",	"a b",	"a ",  " a",  "[a]",  "a*",
    "*",	"?",	"\\",	"a\\b", "-",   "]",   "!",    "#",
    "\xc3\xa9", "\xff", "a\tb", "A",	"B1",  "foo", "bar",  "foobar",
    "dir",	"docs", "**",	"a-b",	"^",   "x:y", "a\vb", "Z9",
};

/* Characters for random components and random patterns. */
static const char rand_path_chars[] = "abAB.-*?[]!^\\ :1\t";
static const char rand_glob_chars[] = "ab/*?[]!^-\\ :.A1";

static inline void rand_component(struct rng *r, struct sl_buf *out)
{
	size_t n, i, start = out->len;

	if (rng_chance(r, 75)) {
		sl_buf_adds(out, RNG_PICK(r, rand_names));
		return;
	}
	do {
		sl_buf_setlen(out, start);
		n = 1 + rng_below(r, 4);
		for (i = 0; i < n; i++)
			sl_buf_addch(out, rand_path_chars[rng_below(
					      r, sizeof(rand_path_chars) - 1)]);
	} while (!strcmp(out->buf + start, ".") ||
		 !strcmp(out->buf + start, ".."));
}

/*
 * A path as git prints it: 1 to 5 components, none empty, "." or "..",
 * never ".git", never starting with ':' (pathspec magic to git).
 */
static inline void rand_path(struct rng *r, struct sl_buf *out)
{
	size_t depth = 1 + rng_below(r, 5), i, start;

	sl_buf_reset(out);
	for (i = 0; i < depth; i++) {
		if (i)
			sl_buf_addch(out, '/');
		start = out->len;
		rand_component(r, out);
		if (!strcmp(out->buf + start, ".git"))
			sl_buf_addch(out, 'x');
	}
	if (out->buf[0] == ':')
		out->buf[0] = 'c';
}

/* Glob segments with something to get wrong. */
static const char *const rand_glob_segments[] = {
    "*",	   "**",	  "***",	  "?",		 "a*",
    "*a",	   "*.c",	  "*.h",	  "a?",		 "?b",
    "[ab]",	   "[!a]",	  "[^a]",	  "[!a]*",	 "[a-c]",
    "[c-a]",	   "[[:alpha:]]", "[[:alpha:]]*", "[[:space:]]", "[[:punct:]]",
    "[[:digit:]]", "[[:upper:]]", "[[:xdigit:]]", "[]a]",	 "[!]]",
    "[a-]",	   "[-a]",	  "\\*",	  "\\?",	 "\\[a]",
    "[\\]]",	   "[a\\-c]",	  "a\\ ",	  "\\\\",	 "a**",
    "**a",	   "*b*",	  "foo*",	  "*bar",	 "f*o*o",
    "[[:foo:]]",   "[[:alpha:]",  "[a",		  "[[:]",	 "[[:a]",
    "\\#",	   "\\!",	  "a\\",	  "[/]",	 "[!/]",
    ".",	   "..",	  "[.]",	  "*.*",	 "[[:cntrl:]]",
};

/* Everything the loader would hand the compiler, odd or not. */
static inline void rand_glob(struct rng *r, struct sl_buf *out)
{
	size_t n, i;

	sl_buf_reset(out);
	if (rng_chance(r, 15)) {
		n = 1 + rng_below(r, 10);
		for (i = 0; i < n; i++)
			sl_buf_addch(out, rand_glob_chars[rng_below(
					      r, sizeof(rand_glob_chars) - 1)]);
		return;
	}
	if (rng_chance(r, 20))
		sl_buf_addch(out, '/');
	/* Now and then a long one, past 64 automaton positions. */
	n = rng_chance(r, 5) ? 6 + rng_below(r, 12) : 1 + rng_below(r, 4);
	for (i = 0; i < n; i++) {
		if (i)
			sl_buf_addch(out, '/');
		if (rng_chance(r, 50))
			sl_buf_adds(out, RNG_PICK(r, rand_names));
		else
			sl_buf_adds(out, RNG_PICK(r, rand_glob_segments));
	}
	if (rng_chance(r, 20))
		sl_buf_addch(out, '/');
	if (rng_chance(r, 10))
		sl_buf_adds(
		    out,
		    RNG_PICK(r, ((const char *const[]){" ", "  ", "\\ ", "\\  ",
						       " \\ ", "\t"})));
}

#endif
