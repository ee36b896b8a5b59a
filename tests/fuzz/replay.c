/*
 * replay.c: a fuzz harness as a plain program. Each argument is a corpus
 * file, or a directory whose files are each one input; every input is
 * run through LLVMFuzzerTestOneInput() once, in name order. Exits 0 when
 * every input ran (a broken invariant aborts), 2 when an argument cannot
 * be read or no input was found. Prints TAP: one test per input.
 */
#include "tests/fuzz/fuzz.h"

#include <dirent.h>
#include <sys/stat.h>

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(struct sl_strvec *out, const char *arg)
{
	struct stat st;
	struct dirent *de;
	size_t start = out->n;
	DIR *d;

	if (stat(arg, &st)) {
		fprintf(stderr, "replay: cannot read '%s': %s\n", arg,
			strerror(errno));
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		sl_strvec_push(out, arg);
		return;
	}
	d = opendir(arg);
	if (!d) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", arg,
			strerror(errno));
		exit(2);
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			sl_strvec_pushf(out, "%s/%s", arg, de->d_name);
	closedir(d);
	qsort(out->v + start, out->n - start, sizeof(*out->v), cmp_names);
}

int main(int argc, char **argv)
{
	struct sl_strvec inputs = SL_STRVEC_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf data = SL_BUF_INIT;
	size_t i;
	int a;

	for (a = 1; a < argc; a++)
		collect(&inputs, argv[a]);
	if (!inputs.n) {
		fprintf(stderr, "replay: no input given\n");
		return 2;
	}
	printf("1..%zu\n", inputs.n);
	for (i = 0; i < inputs.n; i++) {
		sl_buf_reset(&data);
		if (sl_buf_read_file(&data, inputs.v[i], SIZE_MAX / 2, &err)) {
			fprintf(stderr, "replay: %s\n", sl_error_message(&err));
			return 2;
		}
		/* A copy of its own, so a read past the end is caught. */
		{
			uint8_t *copy = sl_xmalloc(data.len ? data.len : 1);

			memcpy(copy, data.buf, data.len);
			LLVMFuzzerTestOneInput(copy, data.len);
			free(copy);
		}
		printf("ok %zu - %s\n", i + 1, inputs.v[i]);
		fflush(stdout);
	}
	sl_buf_release(&data);
	sl_strvec_release(&inputs);
	sl_error_release(&err);
	return 0;
}
