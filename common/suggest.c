/*
 * suggest.c: "did you mean": the one edit distance sluice has, and the
 * choice of the closest name, used for unknown keys of the rules file,
 * unknown options and commands, and gate names. It knows nothing of where
 * the names come from.
 */
#include "common/common.h"

/* Names longer than this get no suggestion (hostile text may be huge). */
#define SUGGEST_MAX_LEN 64

/*
 * Levenshtein distance of a and b (insertions, deletions, substitutions),
 * or SIZE_MAX when either is longer than SUGGEST_MAX_LEN.
 */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[SUGGEST_MAX_LEN + 1], prev, cur;

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j] > cur + 1)
				row[j] = cur + 1;
			if (row[j] > row[j - 1] + 1)
				row[j] = row[j - 1] + 1;
			prev = cur;
		}
	}
	return row[lb];
}

const char *sl_suggest(const char *text, const char *const *names, size_t n)
{
	size_t i, d, len = strlen(text), best = SIZE_MAX;
	/* One edit in a short word, two in a longer one, three past 12. */
	size_t limit = len <= 4 ? 1 : len <= 12 ? 2 : 3;
	const char *found = NULL;

	/* Beyond a few thousand candidates a suggestion is not worth it. */
	if (n > 10000)
		n = 10000;
	for (i = 0; i < n; i++) {
		if (!names[i])
			continue;
		d = edit_distance(text, names[i]);
		if (d < best && d <= limit && d < strlen(names[i])) {
			best = d;
			found = names[i];
		}
	}
	return found;
}
