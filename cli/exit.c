/*
 * exit.c: the one table from library status to exit code (SPEC.md §3), and
 * the one place errors are printed.
 */
#include "common/common.h"

#include "cli/cli.h"

int cli_exit_code(enum sl_status status)
{
	switch (status) {
	case SL_OK:
		return CLI_EXIT_OK;
	case SL_EREFUSED:
		return CLI_EXIT_FAILED;
	case SL_EUSAGE:
	case SL_ERULES:
	case SL_ENOTFOUND:
		return CLI_EXIT_USAGE;
	case SL_EENV:
		return CLI_EXIT_ENV;
	case SL_EINTR:
		return CLI_EXIT_INTR;
	}
	return CLI_EXIT_ENV;
}

int cli_fail(const struct sl_error *err)
{
	const char *msg = sl_error_message(err);

	fflush(stdout);
	/* A message names paths, values and what a program said: never
	 * raw on a terminal. */
	cli_printf_safe(
	    stderr, "sluice: %s\n",
	    *msg ? msg : "unknown error (this is a bug; please report it)");
	/* A failure must never exit 0, even if a status was left unset. */
	return err->status == SL_OK ? CLI_EXIT_ENV : cli_exit_code(err->status);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("sluice: ", stderr);
	va_start(ap, fmt);
	cli_vprintf_safe(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_USAGE;
}

static bool help_shown;

bool cli_help_shown(void)
{
	return help_shown;
}

int cli_wants_help(int argc, char **argv, const char *usage)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			help_shown = true;
			return 1;
		}
	}
	return 0;
}
