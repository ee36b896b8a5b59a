/*
 * cmd_help.c: `sluice help [COMMAND]`, a command's manual page, as `git
 * help` opens one: the page installed beside the binary (PREFIX/share/man,
 * or the build tree's docs/man when run from there), else the one `man`
 * finds on its own path; when there is no manual at all, the command's
 * --help. The pages are the docs/man/ scdoc sources, built by meson.
 */
#include "common/common.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

extern char **environ;

static const char usage[] =
    "usage: sluice help [COMMAND | sluice.yml]\n\n"
    "Opens the manual page of COMMAND (sluice-COMMAND(1)), of sluice "
    "itself\n(sluice(1)) or of the rules file (sluice.yml(5)) with man(1); "
    "when no manual\nis installed, prints the command's --help instead.\n";

/* The directory of the running binary (with a trailing '/'), or "". */
static void exe_dir(struct sl_buf *out)
{
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	if (n <= 0)
		return;
	path[n] = '\0';
	sl_buf_adds(out, path);
	while (out->len && out->buf[out->len - 1] != '/')
		out->len--;
	sl_buf_setlen(out, out->len);
}

/* The page's file beside the binary: installed, or in the build tree. */
static bool page_beside(struct sl_buf *out, const char *page, char section)
{
	struct sl_buf dir = SL_BUF_INIT;
	struct stat st;
	int i;
	bool found = false;

	exe_dir(&dir);
	for (i = 0; i < 2 && dir.len && !found; i++) {
		sl_buf_reset(out);
		sl_buf_adds(out, dir.buf);
		if (i == 0)
			sl_buf_addf(out, "../share/man/man%c/%s.%c", section,
				    page, section);
		else
			sl_buf_addf(out, "../docs/man/%s.%c", page, section);
		found = !stat(out->buf, &st) && S_ISREG(st.st_mode);
	}
	sl_buf_release(&dir);
	return found;
}

/* Whether `man -w SECTION PAGE` finds the page (quietly). */
static bool man_finds(const char *page, const char *section)
{
	char man[] = "man", w[] = "-w";
	char *const argv[] = {man, w, (char *)section, (char *)page, NULL};
	posix_spawn_file_actions_t fa;
	int status = 0;
	pid_t pid;
	bool found = false;

	if (posix_spawn_file_actions_init(&fa))
		return false;
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (!posix_spawnp(&pid, "man", &fa, NULL, argv, environ)) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		found = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	posix_spawn_file_actions_destroy(&fa);
	return found;
}

/* Shows the page with man, replacing this process; returns on failure. */
static void show(const char *page, char section)
{
	struct sl_buf file = SL_BUF_INIT;
	char sec[2] = {section, '\0'}, man[] = "man", local[] = "-l";

	fflush(stdout);
	if (page_beside(&file, page, section)) {
		char *const argv[] = {man, local, file.buf, NULL};

		execvp("man", argv);
	} else if (man_finds(page, sec)) {
		char *const argv[] = {man, sec, (char *)page, NULL};

		execvp("man", argv);
	}
	sl_buf_release(&file);
}

int cmd_help(int argc, char **argv, const struct cli_globals *g)
{
	struct sl_buf page = SL_BUF_INIT;
	const struct cli_command *cmd = NULL;
	char dash_help[] = "--help", *help_argv[] = {NULL, dash_help, NULL};
	struct cli_getopt p = {.argc = argc, .argv = argv, .cmd = "help"};
	char section = '1';
	int c;

	if (cli_wants_help(argc, argv, usage))
		return CLI_EXIT_OK;
	/* No options of its own; the global ones, anywhere. */
	while ((c = cli_getopt_next(&p)) >= 0)
		;
	if (c == CLI_GETOPT_STOP)
		return p.exit_code;
	argc -= optind - 1;
	argv += optind - 1;
	if (argc > 2)
		return cli_usage_error("help takes one command; see 'sluice "
				       "help --help'");
	if (argc < 2) {
		sl_buf_adds(&page, "sluice");
	} else if (!strcmp(argv[1], "sluice.yml") ||
		   !strcmp(argv[1], "rules")) {
		sl_buf_adds(&page, "sluice.yml");
		section = '5';
	} else {
		cmd = cli_command_find(argv[1]);
		if (!cmd || !strncmp(cmd->name, "__", 2))
			return cli_not_a_command(argv[1]);
		sl_buf_addf(&page, "sluice-%s", cmd->name);
	}
	show(page.buf, section);
	sl_buf_release(&page);
	/* No manual page to be had: the command's own help. */
	if (section == '5') {
		fputs("sluice: no manual page for sluice.yml is installed; "
		      "see docs/rules.md\n",
		      stderr);
		return CLI_EXIT_ENV;
	}
	if (!cmd) {
		cli_usage(stdout);
		return CLI_EXIT_OK;
	}
	help_argv[0] = (char *)cmd->name;
	return cmd->fn(2, help_argv, g);
}
