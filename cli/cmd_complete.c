/*
 * cmd_complete.c: `sluice __complete WHAT [...]`, the words the shell
 * completions (contrib/completion/) offer, printed by sluice itself so that
 * no shell script parses YAML or guesses at options: commands, a command's
 * options (from the same tables its parser uses), override's commands,
 * the gate and lane names of the working tree's rules, the ids of open and
 * active overrides. Hidden: not in `sluice --help`. Prints nothing and
 * exits 0 where there is nothing to offer; errors (no rules file, say) go
 * to stderr with their usual status, which completion scripts discard.
 */
#include "common/common.h"

#include "cli/cmd_override.h"
#include "rules/rules.h"

static const char usage[] =
    "usage: sluice __complete commands\n"
    "       sluice __complete options COMMAND [OVERRIDE-COMMAND]\n"
    "       sluice __complete values [COMMAND [OVERRIDE-COMMAND]]\n"
    "       sluice __complete subcommands COMMAND\n"
    "       sluice __complete gates | lanes | overrides\n\n"
    "Prints, one per line, the words a shell completion offers.\n";

static void print_all(const struct sl_strvec *words)
{
	size_t i;

	for (i = 0; i < words->n; i++)
		printf("%s\n", words->v[i]);
}

/* Each word once, in the order first given. */
static void print_unique(const struct sl_strvec *words)
{
	size_t i, j;

	for (i = 0; i < words->n; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(words->v[i], words->v[j]))
				break;
		if (j == i)
			printf("%s\n", words->v[i]);
	}
}

static void global_options(struct sl_strvec *out, bool values)
{
	static const char *const globals[] = {"-C", "--rules", "--color",
					      "--help", "--version"};
	size_t i;

	/* The first two take a value (--color's is optional, after '='). */
	for (i = 0; i < (values ? 2 : SL_ARRAY_SIZE(globals)); i++)
		sl_strvec_push(out, globals[i]);
}

/* The options of cmd (and sub) that take a value, when values is set. */
static int options(int argc, char **argv, bool values)
{
	struct sl_strvec words = SL_STRVEC_INIT;
	const struct cli_command *cmd;
	const char *s;
	size_t i, j;
	int code = CLI_EXIT_OK;

	cmd = argc > 2 ? cli_command_find(argv[2]) : NULL;
	if (!cmd && values && argc <= 2) {
		/* Before the command: any command's valued option may come. */
		for (i = 0; (cmd = cli_command_at(i)); i++)
			for (j = 0; cmd->longopts && cmd->longopts[j].name; j++)
				if (cmd->longopts[j].has_arg ==
				    required_argument)
					sl_strvec_pushf(&words, "--%s",
							cmd->longopts[j].name);
		sl_strvec_push(&words, "-j");
		sl_strvec_push(&words, "-o");
		global_options(&words, true);
		print_unique(&words);
		sl_strvec_release(&words);
		return CLI_EXIT_OK;
	}
	if (!cmd)
		return argc > 2 ? cli_not_a_command(argv[2])
				: cli_usage_error("__complete options: which "
						  "command?");
	if (!strcmp(cmd->name, "override") && argc > 3) {
		if (cli_override_options(&words, argv[3], values))
			code = cli_usage_error("'%s' is not an override "
					       "command",
					       argv[3]);
	} else {
		for (i = 0; cmd->longopts && cmd->longopts[i].name; i++)
			if (!values ||
			    cmd->longopts[i].has_arg == required_argument)
				sl_strvec_pushf(&words, "--%s",
						cmd->longopts[i].name);
		for (s = cmd->shortopts; *s; s++)
			if (*s != ':' && (!values || s[1] == ':'))
				sl_strvec_pushf(&words, "-%c", *s);
	}
	if (!code) {
		global_options(&words, values);
		print_unique(&words);
	}
	sl_strvec_release(&words);
	return code;
}

static int commands(void)
{
	const struct cli_command *cmd;
	size_t i;

	for (i = 0; (cmd = cli_command_at(i)); i++)
		if (strncmp(cmd->name, "__", 2))
			printf("%s\n", cmd->name);
	return CLI_EXIT_OK;
}

static int subcommands(const char *name)
{
	struct sl_strvec words = SL_STRVEC_INIT;

	if (!strcmp(name, "override"))
		cli_override_subs(&words);
	else if (!strcmp(name, "import"))
		sl_strvec_push(&words, "codeowners");
	else if (!strcmp(name, "help"))
		commands();
	print_all(&words);
	sl_strvec_release(&words);
	return CLI_EXIT_OK;
}

/* The gate (lanes false) or lane names of the working tree's rules. */
static int rule_names(const struct cli_globals *g, bool lanes)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_buf file = SL_BUF_INIT;
	struct sl_rules *rules = NULL;
	struct sl_ws **ws = NULL;
	size_t i;
	int code = CLI_EXIT_OK;

	if (cli_rules_file(&file, g, &err) ||
	    sl_rules_load_file(&rules, file.buf, &err) ||
	    cli_rules_derive_head(&ws, rules, NULL, &err)) {
		code = cli_fail(&err);
		goto out;
	}
	for (i = 0; lanes && i < rules->nlanes; i++)
		printf("%s\n", rules->lanes[i].name);
	for (i = 0; !lanes && i < rules->ngates; i++)
		printf("%s\n", rules->gates[i].name);
out:
	sl_ws_list_free(ws, rules ? rules->nworkspaces : 0);
	sl_rules_free(rules);
	sl_buf_release(&file);
	sl_error_release(&err);
	return code;
}

/* The open and active overrides: "ID<TAB>GATE", as `override list`. */
static int overrides(const struct cli_globals *g)
{
	struct sl_ledger_list_options lo = SL_LEDGER_LIST_OPTIONS_INIT;
	struct sl_override_list list = SL_OVERRIDE_LIST_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct ov_opts o = {0};
	struct ov_ctx ctx;
	size_t i;
	int code = CLI_EXIT_OK;

	o.sub = "list";
	o.rules = g->rules_file;
	ov_ctx_init(&ctx, &o);
	if (ov_ledger_open(&ctx, false, false, &err) ||
	    sl_ledger_list(&list, ctx.ledger, &lo, &err))
		code = cli_fail(&err);
	for (i = 0; !code && i < list.n; i++)
		printf("%" PRId64 "\t%s\n", list.items[i].id,
		       list.items[i].gate);
	sl_override_list_release(&list);
	ov_ctx_release(&ctx);
	sl_error_release(&err);
	return code;
}

int cmd_complete(int argc, char **argv, const struct cli_globals *g)
{
	struct cli_getopt p = {.argc = argc, .argv = argv, .cmd = "__complete"};
	const char *what;
	int c;

	/* -C and --rules, as the command line being completed has them. */
	while ((c = cli_getopt_next(&p)) >= 0)
		;
	if (c == CLI_GETOPT_STOP)
		return p.exit_code;
	argc -= optind - 1;
	argv += optind - 1;
	what = argc > 1 ? argv[1] : "";

	if (!strcmp(what, "commands"))
		return commands();
	if (!strcmp(what, "options"))
		return options(argc, argv, false);
	if (!strcmp(what, "values"))
		return options(argc, argv, true);
	if (!strcmp(what, "subcommands") && argc > 2)
		return subcommands(argv[2]);
	if (!strcmp(what, "gates") || !strcmp(what, "lanes"))
		return rule_names(g, !strcmp(what, "lanes"));
	if (!strcmp(what, "overrides"))
		return overrides(g);
	fputs(usage, stderr);
	return CLI_EXIT_USAGE;
}
