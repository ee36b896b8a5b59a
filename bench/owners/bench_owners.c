/*
 * bench_owners.c: the ownership benchmark's library half (see
 * bench/owners/run.sh and docs/performance.md). For each rules file it
 * loads the rules, then resolves every path of the paths file with
 * sl_rules_owner() (the index) and with sl_rules_owner_scan() (every rule,
 * last to first), checks that both give the same rule for every path, and
 * prints the CPU time of each, in one table:
 *
 *     bench_owners PATHS RULES.yml...
 */
#include "common/common.h"

#include <time.h>

#include "rules/rules.h"

/* The index pass is fast enough to repeat: the best of these counts. */
#define INDEX_REPEAT 5

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const struct sl_error *err)
{
	fprintf(stderr, "bench_owners: %s\n", sl_error_message(err));
	exit(1);
}

/* Splits the paths file into lines, in place. */
static void read_paths(struct sl_buf *data, struct sl_strvec *paths,
		       const char *file)
{
	struct sl_error err = SL_ERROR_INIT;
	char *line, *nl;

	if (sl_buf_read_file(data, file, SIZE_MAX, &err))
		die(&err);
	for (line = data->buf; line < data->buf + data->len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(data->buf + data->len - line));
		if (!nl)
			nl = data->buf + data->len;
		*nl = '\0';
		if (*line)
			sl_strvec_push(paths, line);
	}
}

typedef int (*owner_fn)(const struct sl_rule **, const struct sl_rules *,
			const char *, size_t, unsigned, struct sl_error *);

/* Resolves every path; returns the CPU milliseconds it took. */
static double resolve_all(owner_fn fn, const struct sl_rules *rules,
			  const struct sl_strvec *paths,
			  const struct sl_rule **out)
{
	struct sl_error err = SL_ERROR_INIT;
	double start = cpu_ms();
	size_t i;

	for (i = 0; i < paths->n; i++)
		if (fn(&out[i], rules, paths->v[i], strlen(paths->v[i]), 0,
		       &err))
			die(&err);
	return cpu_ms() - start;
}

static void bench_one(const char *file, const struct sl_strvec *paths,
		      double *index_ms_out)
{
	struct sl_error err = SL_ERROR_INIT;
	const struct sl_rule **by_index, **by_scan;
	struct sl_rules *rules;
	double load_ms, index_ms = 0, scan_ms, t;
	size_t i, owned = 0;
	int rep;

	by_index = sl_xcalloc(paths->n, sizeof(*by_index));
	by_scan = sl_xcalloc(paths->n, sizeof(*by_scan));
	load_ms = cpu_ms();
	if (sl_rules_load_file(&rules, file, &err))
		die(&err);
	load_ms = cpu_ms() - load_ms;
	for (rep = 0; rep < INDEX_REPEAT; rep++) {
		t = resolve_all(sl_rules_owner, rules, paths, by_index);
		if (!rep || t < index_ms)
			index_ms = t;
	}
	scan_ms = resolve_all(sl_rules_owner_scan, rules, paths, by_scan);
	for (i = 0; i < paths->n; i++) {
		if (by_index[i] != by_scan[i]) {
			fprintf(stderr,
				"bench_owners: %s: the index and the scan "
				"disagree on '%s'\n",
				file, paths->v[i]);
			exit(1);
		}
		owned += by_index[i] != NULL;
	}
	printf("| %6zu | %7.1f | %9.1f | %9.1f | %8.1fx | %6.1f%% |\n",
	       rules->rules.n, load_ms, index_ms, scan_ms,
	       index_ms > 0 ? scan_ms / index_ms : 0.0,
	       paths->n ? 100.0 * (double)owned / (double)paths->n : 0.0);
	*index_ms_out = index_ms;
	sl_rules_free(rules);
	free(by_index);
	free(by_scan);
}

int main(int argc, char **argv)
{
	struct sl_strvec paths = SL_STRVEC_INIT;
	struct sl_buf data = SL_BUF_INIT;
	double first = 0, last = 0;
	int i;

	if (argc < 3) {
		fputs("usage: bench_owners PATHS RULES.yml...\n", stderr);
		return 2;
	}
	read_paths(&data, &paths, argv[1]);
	printf("%zu paths; CPU milliseconds to resolve all of them "
	       "(index: best of %d)\n\n",
	       paths.n, INDEX_REPEAT);
	printf("|  rules | load ms | index ms |   scan ms | scan/index |  "
	       "owned |\n");
	printf("|-------:|--------:|---------:|----------:|-----------:|"
	       "-------:|\n");
	for (i = 2; i < argc; i++) {
		bench_one(argv[i], &paths, &last);
		if (i == 2)
			first = last;
	}
	if (argc > 3 && first > 0)
		printf("\nindex time, last file / first file: %.2fx\n",
		       last / first);
	sl_strvec_release(&paths);
	sl_buf_release(&data);
	return 0;
}
