/*
 * main.c: sluice's entry point. Finds the command in the one command table
 * (options may stand before its name: cli/options.c reads the grammar),
 * hands it every option, runs it, and makes sure that what it printed
 * reached stdout (a full disk is an error, not a silent truncation).
 */
#include "common/common.h"

#include <getopt.h>
#include <unistd.h>
#ifdef SL_HAVE_MALLOPT
#include <malloc.h>
#endif

#include "cli/cli.h"

static const struct cli_command commands[] = {
    {"select", cmd_select, "print the gates a change selects, and why",
     cli_select_longopts, CLI_SELECT_SHORTOPTS},
    {"run", cmd_run, "select, then run the gates in parallel", cli_run_longopts,
     CLI_SELECT_SHORTOPTS "j:"},
    {"repro", cmd_repro, "run one gate in the foreground exactly as run does",
     cli_repro_longopts, CLI_SELECT_SHORTOPTS},
    {"merge", cmd_merge, "combine the results of a fanned-out run",
     cli_merge_longopts, ""},
    {"explain", cmd_explain,
     "why a gate was or was not selected; a path's lane", cli_explain_longopts,
     CLI_SELECT_SHORTOPTS},
    {"owners", cmd_owners, "lane, owners and deciding rule of each path",
     cli_owners_longopts, "z"},
    {"check", cmd_check,
     "validate the rules; coverage, dead patterns, CODEOWNERS drift",
     cli_check_longopts, ""},
    {"override", cmd_override,
     "request, approve, deny, revoke, list and verify overrides",
     cli_override_longopts, "o:"},
    {"import", cmd_import, "write a rules file from a CODEOWNERS file",
     cli_import_longopts, "o:"},
    {"init", cmd_init,
     "write a starter sluice.yml from what the repository has",
     cli_init_longopts, "o:"},
    {"help", cmd_help, "open a command's manual page", NULL, ""},
    {"__complete", cmd_complete, "words for shell completion", NULL, ""},
};

void cli_usage(FILE *fp)
{
	size_t i;

	fputs("usage: sluice [options] <command> [<args>]\n"
	      "       sluice --version | --help\n\n"
	      "commands:\n",
	      fp);
	for (i = 0; i < SL_ARRAY_SIZE(commands); i++)
		if (strncmp(commands[i].name, "__", 2))
			fprintf(fp, "  %-10s %s\n", commands[i].name,
				commands[i].help);
	fputs(cli_global_usage, fp);
	fputs("\n'sluice <command> --help' describes a command, 'sluice help "
	      "<command>' opens\nits manual. Exit status: 0 ok, 1 a gate "
	      "failed or a decision was refused,\n2 bad usage or rules, 3 "
	      "environment, 130 interrupted.\n",
	      fp);
}

const struct cli_command *cli_command_find(const char *name)
{
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

const struct cli_command *cli_command_at(size_t i)
{
	return i < SL_ARRAY_SIZE(commands) ? &commands[i] : NULL;
}

int cli_not_a_command(const char *name)
{
	const char *names[SL_ARRAY_SIZE(commands)], *close;
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(commands); i++)
		names[i] = strncmp(commands[i].name, "__", 2) ? commands[i].name
							      : NULL;
	close = sl_suggest(name, names, SL_ARRAY_SIZE(commands));
	if (close)
		return cli_usage_error("'%s' is not a sluice command; did you "
				       "mean '%s'?",
				       name, close);
	return cli_usage_error("'%s' is not a sluice command; see 'sluice "
			       "--help'",
			       name);
}

/* --version, before or after any command, answers alone. */
static bool wants_version(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--version"))
			return true;
	return false;
}

/* No command given: --help, or bad usage. */
static int no_command(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			cli_usage(stdout);
			return CLI_EXIT_OK;
		}
	}
	cli_usage(stderr);
	return CLI_EXIT_USAGE;
}

/* The command's name in argv (options may stand before it), or -1. */
static int command_index(int argc, char **argv, int *exit_code)
{
	const struct option *tables[SL_ARRAY_SIZE(commands)];
	struct sl_buf shorts = SL_BUF_INIT;
	size_t i;
	int at;

	for (i = 0; i < SL_ARRAY_SIZE(commands); i++) {
		tables[i] = commands[i].longopts;
		sl_buf_adds(&shorts, commands[i].shortopts);
	}
	at = cli_args_command(argc, argv, tables, SL_ARRAY_SIZE(commands),
			      shorts.buf);
	sl_buf_release(&shorts);
	if (at == -1)
		*exit_code = no_command(argc, argv);
	else if (at < -1)
		*exit_code =
		    cli_unknown_option(NULL, argv[-2 - at], NULL, NULL);
	return at;
}

int main(int argc, char **argv)
{
	const struct cli_globals *g = cli_globals_init();
	const struct cli_command *cmd;
	int exit_code = CLI_EXIT_OK, at, n;
	char **args;

	/*
	 * The heap is taken from the system 8 MB of address space at a time
	 * (pages are still only used as they are touched) and kept, not
	 * handed back and taken again: a thread's arena otherwise grows by
	 * exactly what each allocation lacks, one mprotect() each, each
	 * taking the lock on the address space that the other thread's page
	 * faults need (docs/performance.md, "Selection", item 12, has the
	 * counts).
	 */
#ifdef SL_HAVE_MALLOPT
	mallopt(M_TOP_PAD, 8 << 20);
#endif
	if (wants_version(argc, argv)) {
		printf("sluice %s\n", SLUICE_VERSION);
		return CLI_EXIT_OK;
	}
	at = command_index(argc, argv, &exit_code);
	if (at < 0)
		return exit_code;
	cmd = cli_command_find(argv[at]);
	if (!cmd)
		return cli_not_a_command(argv[at]);
	args = cli_args_reorder(argc, argv, at);
	for (n = 0; args[n]; n++)
		;
	exit_code = cmd->fn(n, args, g);
	if (exit_code == CLI_EXIT_OK && cli_help_shown())
		fputs(cli_global_usage, stdout);
	free(args);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "sluice: cannot write to stdout: %s\n",
			strerror(errno));
		if (exit_code == CLI_EXIT_OK)
			exit_code = CLI_EXIT_ENV;
	}
	return exit_code;
}
