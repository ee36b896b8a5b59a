/*
 * cmd_merge.c: `sluice merge FILE...` (SPEC.md §3): the results files of a
 * fanned-out run (one per CI matrix job) as one results file and one
 * verdict. A shard that never wrote its results fails the run: every
 * results file lists the whole selection, so a missing gate is seen.
 */
#include "common/common.h"

#include <getopt.h>

#include "cli/run.h"

static const char usage[] =
    "usage: sluice merge [options] FILE...\n\n"
    "Combines the results files (run --json) of one fanned-out run into one "
    "and\nprints the verdict. Exit 0 when every selected gate passed or was "
    "overridden,\n1 when one did not or has no result, 2 when the files are "
    "not results of\none run, 3 when one cannot be read.\n\n"
    "  --json FILE            write the merged results (default: stdout)\n"
    "  --junit FILE           write JUnit XML (- for stdout)\n"
    "  --summary FILE         add markdown to FILE (e.g. "
    "$GITHUB_STEP_SUMMARY)\n";

struct merge_outputs {
	const char *json;
	const char *junit;
	const char *summary;
};

static int read_shards(struct sl_results *shards, char *const *files, size_t n,
		       struct sl_error *err)
{
	struct sl_buf text = SL_BUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		sl_buf_reset(&text);
		ret = sl_buf_read_file(&text, files[i], 256u << 20, err);
		if (!ret)
			ret = sl_results_read_json(&shards[i], files[i],
						   text.buf, text.len, err);
	}
	sl_buf_release(&text);
	return ret;
}

static int write_outputs(const struct merge_outputs *o,
			 const struct sl_results *merged, struct sl_error *err)
{
	struct sl_buf out = SL_BUF_INIT;
	int ret = 0;

	sl_results_write_json(&out, merged);
	if (o->json && !cli_is_stdout(o->json))
		ret = sl_file_write(o->json, &out, 0, err);
	else
		cli_print(&out);
	if (!ret && o->junit) {
		sl_buf_reset(&out);
		sl_results_write_junit(&out, merged);
		ret = cli_is_stdout(o->junit)
			  ? cli_write_stdout(&out, err)
			  : sl_file_write(o->junit, &out, 0, err);
	}
	/* A step summary is added to, as GitHub's $GITHUB_STEP_SUMMARY is. */
	if (!ret && o->summary) {
		sl_buf_reset(&out);
		sl_results_write_markdown(&out, merged);
		ret = cli_append(o->summary, &out, err);
	}
	sl_buf_release(&out);
	return ret;
}

static void print_verdict(const struct sl_results *merged, size_t nfiles)
{
	struct sl_strvec missing = SL_STRVEC_INIT;
	struct sl_buf shown = SL_BUF_INIT;
	const char *why = NULL;
	bool pass = sl_results_pass(merged, &why);
	size_t i;

	cli_printf_safe(stderr, "sluice: %s: %zu results files, %zu gates",
			pass ? "pass" : "FAIL", nfiles, merged->n);
	cli_printf_safe(stderr, "%s%s\n", pass ? "" : "; ", pass ? "" : why);
	sl_results_not_run(&missing, merged);
	for (i = 0; i < missing.n; i++) {
		sl_buf_reset(&shown);
		sl_buf_adds_safe(&shown, missing.v[i]);
		cli_printf_safe(
		    stderr, "  ✗ %s: selected, but no shard has its result\n",
		    shown.buf);
	}
	sl_strvec_release(&missing);
	sl_buf_release(&shown);
}

const struct option cli_merge_longopts[] = {
    {"json", required_argument, NULL, 'j'},
    {"junit", required_argument, NULL, 'u'},
    {"summary", required_argument, NULL, 's'},
    {NULL, 0, NULL, 0},
};

int cmd_merge(int argc, char **argv, const struct cli_globals *g)
{
	struct cli_getopt p = {.argc = argc,
			       .argv = argv,
			       .cmd = "merge",
			       .longopts = cli_merge_longopts};
	struct merge_outputs o = {0};
	struct sl_error err = SL_ERROR_INIT;
	struct sl_results *shards, merged;
	size_t n, i;
	int c, ret, code;

	(void)g;
	if (cli_wants_help(argc, argv, usage))
		return CLI_EXIT_OK;
	while ((c = cli_getopt_next(&p)) >= 0) {
		if (c == 'j')
			o.json = p.arg;
		else if (c == 'u')
			o.junit = p.arg;
		else
			o.summary = p.arg;
	}
	if (c == CLI_GETOPT_STOP)
		return p.exit_code;
	if (optind >= argc)
		return cli_usage_error("merge needs results files; see 'sluice "
				       "merge --help'");
	n = (size_t)(argc - optind);
	shards = sl_xcalloc(n, sizeof(*shards));
	for (i = 0; i < n; i++)
		sl_results_init(&shards[i]);
	sl_results_init(&merged);
	ret = read_shards(shards, argv + optind, n, &err);
	if (!ret)
		ret = sl_results_merge(&merged, shards,
				       (const char *const *)(argv + optind), n,
				       &err);
	if (!ret)
		ret = write_outputs(&o, &merged, &err);
	if (ret) {
		code = cli_fail(&err);
	} else {
		print_verdict(&merged, n);
		code = sl_results_pass(&merged, NULL) ? CLI_EXIT_OK
						      : CLI_EXIT_FAILED;
	}
	for (i = 0; i < n; i++)
		sl_results_release(&shards[i]);
	free(shards);
	sl_results_release(&merged);
	sl_error_release(&err);
	return code;
}
