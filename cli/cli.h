/*
 * cli: the front end. main.c parses the global options and dispatches to one
 * cmd_<name>() per subcommand; each parses its own options, calls the
 * libraries, prints, and returns an exit code from cli_exit_code(). Only
 * cli/ prints to the user or decides an exit status.
 */
#ifndef SL_CLI_H
#define SL_CLI_H

#include "common/common.h"

/* Exit codes of SPEC.md §3, for every command. */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILED = 1, /* a gate failed; a decision was refused */
	CLI_EXIT_USAGE = 2,  /* bad usage or bad rules: nothing was run */
	CLI_EXIT_ENV = 3,    /* repository, commit, ledger, disk */
	CLI_EXIT_INTR = 130  /* interrupted */
};

/* Options every command sees, set before the subcommand's name. */
struct cli_globals {
	const char *rules_file; /* --rules, else $SLUICE_RULES; NULL: default */
	const char *dir;	/* -C: where to look for the repository */
};

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv, const struct cli_globals *g);
	const char *help; /* one line for `sluice --help` */
};

/* The exit code for a library status (the one table: cli/exit.c). */
int cli_exit_code(enum sl_status status);

/*
 * Prints "sluice: <message>" for err to stderr and returns its exit code.
 * Every failing command ends through here.
 */
int cli_fail(const struct sl_error *err);

/* Prints "sluice: <formatted>" to stderr and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) SL_PRINTF(1, 2);

/*
 * Handles -h/--help for a command whose usage text is usage: returns 1 (and
 * prints usage to stdout) when argv asks for help.
 */
int cli_wants_help(int argc, char **argv, const char *usage);

int cmd_owners(int argc, char **argv, const struct cli_globals *g);

#endif
