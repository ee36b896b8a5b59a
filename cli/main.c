/*
 * main.c: sluice's entry point. Parses the global options, finds the
 * subcommand in the one command table, runs it, and makes sure that what it
 * printed reached stdout (a full disk is an error, not a silent truncation).
 */
#include "common/common.h"

#include <getopt.h>
#include <malloc.h>
#include <unistd.h>

#include "cli/cli.h"

static const struct cli_command commands[] = {
    {"select", cmd_select, "print the gates a change selects, and why"},
    {"run", cmd_run, "select, then run the gates in parallel"},
    {"repro", cmd_repro, "run one gate in the foreground exactly as run does"},
    {"merge", cmd_merge, "combine the results of a fanned-out run"},
    {"explain", cmd_explain,
     "why a gate was or was not selected; a path's lane"},
    {"owners", cmd_owners, "lane, owners and deciding rule of each path"},
    {"check", cmd_check,
     "validate the rules; coverage, dead patterns, CODEOWNERS drift"},
    {"override", cmd_override,
     "request, approve, deny, revoke, list and verify overrides"},
    {"import", cmd_import, "write a rules file from a CODEOWNERS file"},
};

static void print_usage(FILE *fp)
{
	size_t i;

	fputs("usage: sluice [--rules FILE] [-C DIR] <command> [<args>]\n"
	      "       sluice --version | --help\n\n"
	      "commands:\n",
	      fp);
	for (i = 0; i < SL_ARRAY_SIZE(commands); i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].help);
	fputs("\n'sluice <command> --help' describes a command. Exit status: 0 "
	      "ok, 1 a gate failed\nor a decision was refused, 2 bad usage or "
	      "rules, 3 environment, 130 interrupted.\n",
	      fp);
}

static const struct cli_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Parses the options before the subcommand; returns its index or -1. */
static int parse_globals(int argc, char **argv, struct cli_globals *g,
			 int *exit_code)
{
	static const struct option longopts[] = {
	    {"rules", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	g->rules_file = getenv("SLUICE_RULES");
	if (g->rules_file && !*g->rules_file)
		g->rules_file = NULL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			g->rules_file = optarg;
			break;
		case 'C':
			g->dir = optarg;
			break;
		case 'h':
			print_usage(stdout);
			*exit_code = CLI_EXIT_OK;
			return -1;
		case 'V':
			printf("sluice %s\n", SLUICE_VERSION);
			*exit_code = CLI_EXIT_OK;
			return -1;
		default:
			*exit_code = cli_usage_error(
			    "unknown option '%s'; see 'sluice --help'",
			    argv[optind - 1]);
			return -1;
		}
	}
	if (optind >= argc) {
		print_usage(stderr);
		*exit_code = CLI_EXIT_USAGE;
		return -1;
	}
	return optind;
}

int main(int argc, char **argv)
{
	struct cli_globals g = {0};
	const struct cli_command *cmd;
	int exit_code = CLI_EXIT_OK, first;

	/*
	 * The heap is taken from the system 8 MB of address space at a time
	 * (pages are still only used as they are touched) and kept, not
	 * handed back and taken again: a thread's arena otherwise grows by
	 * exactly what each allocation lacks, one mprotect() each (655 of
	 * them for the diff's thread on the benchmark's 99-commit range),
	 * each taking the lock on the address space that the other thread's
	 * page faults need (docs/performance.md, "Selection", item 12).
	 */
	mallopt(M_TOP_PAD, 8 << 20);
	first = parse_globals(argc, argv, &g, &exit_code);
	if (first < 0)
		return exit_code;
	cmd = find_command(argv[first]);
	if (!cmd)
		return cli_usage_error(
		    "'%s' is not a sluice command; see 'sluice --help'",
		    argv[first]);
	if (g.dir && chdir(g.dir))
		return cli_usage_error("cannot change to '%s': %s", g.dir,
				       strerror(errno));
	/* Subcommands parse their own options from a fresh getopt state. */
	optind = 0;
	exit_code = cmd->fn(argc - first, argv + first, &g);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "sluice: cannot write to stdout: %s\n",
			strerror(errno));
		if (exit_code == CLI_EXIT_OK)
			exit_code = CLI_EXIT_ENV;
	}
	return exit_code;
}
