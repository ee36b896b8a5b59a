/*
 * cmd_override.c: `sluice override <sub>` (SPEC.md §3, §5;
 * docs/overrides.md): the table of subcommands, their usage texts, and the
 * one option parser they share, which takes every option of the family and
 * refuses those a subcommand does not use. What each subcommand does is in
 * cmd_override_decide.c, cmd_override_show.c and cmd_override_carry.c; the
 * context they share is cmd_override_ctx.c's.
 */
#include "common/common.h"

#include <getopt.h>

#include "cli/cmd_override.h"

enum override_opt {
	OVERRIDE_OPT_LEDGER = 1000,
	OVERRIDE_OPT_BY,
	OVERRIDE_OPT_BASE,
	OVERRIDE_OPT_RULES,
	OVERRIDE_OPT_REASON,
	OVERRIDE_OPT_COMMIT,
	OVERRIDE_OPT_EXPIRES,
	OVERRIDE_OPT_SIGN,
	OVERRIDE_OPT_FROM,
	OVERRIDE_OPT_OUTPUT,
	OVERRIDE_OPT_GATE,
	OVERRIDE_OPT_ALL,
	OVERRIDE_OPT_FORMAT,
	OVERRIDE_OPT_ANCHOR,
	OVERRIDE_OPT_NO_PUSH
};

#define BIT(opt) (1u << ((opt)-OVERRIDE_OPT_LEDGER))
/* Where the ledger and the trusted rules are: every subcommand takes them. */
#define WHERE                                                                  \
	(BIT(OVERRIDE_OPT_LEDGER) | BIT(OVERRIDE_OPT_BASE) |                   \
	 BIT(OVERRIDE_OPT_RULES))
#define DECIDE                                                                 \
	(WHERE | BIT(OVERRIDE_OPT_BY) | BIT(OVERRIDE_OPT_REASON) |             \
	 BIT(OVERRIDE_OPT_SIGN) | BIT(OVERRIDE_OPT_FROM) |                     \
	 BIT(OVERRIDE_OPT_OUTPUT) | BIT(OVERRIDE_OPT_NO_PUSH))

const struct option cli_override_longopts[] = {
    {"ledger", required_argument, NULL, OVERRIDE_OPT_LEDGER},
    {"by", required_argument, NULL, OVERRIDE_OPT_BY},
    {"base", required_argument, NULL, OVERRIDE_OPT_BASE},
    {"rules", required_argument, NULL, OVERRIDE_OPT_RULES},
    {"reason", required_argument, NULL, OVERRIDE_OPT_REASON},
    {"commit", required_argument, NULL, OVERRIDE_OPT_COMMIT},
    {"expires", required_argument, NULL, OVERRIDE_OPT_EXPIRES},
    {"sign", required_argument, NULL, OVERRIDE_OPT_SIGN},
    {"from", required_argument, NULL, OVERRIDE_OPT_FROM},
    {"output", required_argument, NULL, OVERRIDE_OPT_OUTPUT},
    {"gate", required_argument, NULL, OVERRIDE_OPT_GATE},
    {"all", no_argument, NULL, OVERRIDE_OPT_ALL},
    {"format", required_argument, NULL, OVERRIDE_OPT_FORMAT},
    {"anchor", required_argument, NULL, OVERRIDE_OPT_ANCHOR},
    {"no-push", no_argument, NULL, OVERRIDE_OPT_NO_PUSH},
    {NULL, 0, NULL, 0},
};

static const char where_usage[] =
    "\n"
    "  --ledger FILE    the ledger (default: $SLUICE_LEDGER, else the "
    "trusted\n"
    "                   rules' ledger:, else .sluice/ledger.db)\n"
    "  --base REV       the base: the trusted rules are those at\n"
    "                   merge-base(base, commit) (default: as 'sluice "
    "select')\n"
    "  --rules FILE     read the rules from FILE instead, trusting it\n";

static const char push_usage[] =
    "  --no-push        with a ledger shared through git (ledger: "
    "git:REF): record\n"
    "                   in this clone only, with no fetch or push; "
    "'sluice\n"
    "                   override sync' shares it later\n";

static const char by_usage[] =
    "  --by WHO         who acts (default: $SLUICE_ACTOR, else git config\n"
    "                   user.email)\n";

static const char request_usage[] =
    "usage: sluice override request GATE --commit REV --reason TEXT "
    "[--expires DUR]\n\n"
    "Asks to override the failure of GATE at commit REV, and prints the "
    "new\noverride's id alone on stdout. The gate's approvers, whether it "
    "is\noverridable, and the definition the override is bound to come "
    "from the\ntrusted rules: those at merge-base(base, REV), as 'sluice "
    "run' reads them\nfor that commit.\n\n"
    "  --commit REV     the commit whose gate failed (resolved to its full "
    "id)\n"
    "  --reason TEXT    why the failure may pass (required)\n"
    "  --expires DUR    how long it may apply: 90m, 36h, 7d (default 7d, "
    "at most\n"
    "                   30d)\n";

/* A macro, not an array: a format string must be a literal. */
#define DECIDE_USAGE                                                           \
	"usage: sluice override %s ID --reason TEXT [--sign KEY]\n"            \
	"       sluice override %s ID --from FILE --reason TEXT [--sign KEY] " \
	"[-o OUT]\n\n"                                                         \
	"%s\nWith --from, decides over an exported document instead, with no " \
	"ledger,\nand writes the document with the decision added (to "        \
	"stdout, "                                                             \
	"or OUT), for\n'sluice override import' on the ledger's machine.\n\n"  \
	"  --reason TEXT    why (required)\n"                                  \
	"  --sign KEY       sign the decision with 'ssh-keygen -Y sign -f "    \
	"KEY'\n"                                                               \
	"                   (required when the trusted rules name "            \
	"allowed_signers)\n"                                                   \
	"  --from FILE      the document 'sluice override export' "            \
	"wrote (- for\n"                                                       \
	"                   stdin)\n"                                          \
	"  -o, --output OUT with --from: where to write the document\n"

static const char approve_what[] =
    "Approves override ID: an approver of its gate, as the trusted rules "
    "at\nmerge-base(base, its commit) name them, and not its requester.\n";
static const char deny_what[] =
    "Refuses override ID: an approver of its gate, or its requester "
    "withdrawing\nit.\n";
static const char revoke_what[] =
    "Withdraws the approval of override ID: an approver of its gate, or "
    "its\nrequester.\n";

static const char list_usage[] =
    "usage: sluice override list [--all] [--gate GATE] [--format "
    "text|json]\n\n"
    "Lists the open requests and the active (approved, unexpired) "
    "overrides.\n\n"
    "  --all            every override, denied, revoked and expired too\n"
    "  --gate GATE      only GATE's\n"
    "  --format FORMAT  text (default: a table) or json ({\"overrides\": "
    "[...]})\n";

static const char log_usage[] =
    "usage: sluice override log [ID] [--format text|json]\n\n"
    "Prints the audit trail, every event in chain order (with ID: only "
    "that\noverride's): who requested, decided or applied what, when and "
    "why.\n\n"
    "  --format FORMAT  text (default: one line per event) or json\n"
    "                   ({\"events\": [...]})\n";

static const char verify_usage[] =
    "usage: sluice override verify [--anchor SEQ:HASH]\n\n"
    "Checks the whole ledger: every event's hash, the chain, the chain "
    "head, the\nstate machine. Prints the number of events and the "
    "anchor (SEQ:HASH of the\nnewest event) to pin; on failure exits 3 "
    "naming the first bad event.\n\n"
    "  --anchor SEQ:HASH  also check that event SEQ still has the hash an\n"
    "                     earlier 'verify' printed (catches a rewritten "
    "chain)\n";

static const char export_usage[] =
    "usage: sluice override export ID [-o FILE]\n\n"
    "Writes override ID and its decisions, with their signatures, as a "
    "portable\ndocument (sluice.override/1 JSON): to decide over with "
    "'approve --from',\nor to carry decisions to another copy of the "
    "ledger with 'import'.\n\n"
    "  -o, --output FILE  write it to FILE instead of stdout\n";

static const char import_usage[] =
    "usage: sluice override import FILE\n\n"
    "Records the decisions of an override document (- for stdin) in the "
    "ledger,\nafter checking each as a direct decision is checked, against "
    "the trusted\nrules for the override's commit: a legal step, by an "
    "allowed actor, signed\nwhen the rules name allowed_signers. "
    "Decisions the ledger already holds are\nskipped; when one is "
    "refused, nothing is recorded.\n";

static const char sync_usage[] =
    "usage: sluice override sync\n\n"
    "With a ledger shared through git (ledger: git:REF in the trusted "
    "rules):\nfetches REF from the remote (ledger_remote:, default "
    "origin), verifies\nevery event this clone has not seen, adds them to "
    "the working copy, and\npushes the events of this clone the remote "
    "lacks, never forcing (when\nanother clone pushed first, it fetches "
    "and tries again). Exit 3 when the\nremote cannot be reached, its REF "
    "is not a ledger, fails verification,\nor was rewritten.\n";

struct ov_sub {
	const char *name;
	int (*fn)(struct ov_ctx *ctx, struct sl_error *err);
	const char *help;  /* one line for `sluice override --help` */
	const char *usage; /* NULL: DECIDE_USAGE with what */
	const char *what;  /* the decisions' own paragraph */
	unsigned opts;	   /* BIT()s of the options it takes */
	size_t min_args, max_args;
	const char *operands; /* what it takes, for messages */
};

static const struct ov_sub subs[] = {
    {"request", ov_request,
     "ask to override a gate's failure at one commit; prints the id",
     request_usage, NULL,
     WHERE | BIT(OVERRIDE_OPT_BY) | BIT(OVERRIDE_OPT_REASON) |
	 BIT(OVERRIDE_OPT_COMMIT) | BIT(OVERRIDE_OPT_EXPIRES) |
	 BIT(OVERRIDE_OPT_NO_PUSH),
     1, 1, "one gate name"},
    {"approve", ov_approve,
     "approve a request (an approver of the gate, not its requester)", NULL,
     approve_what, DECIDE, 1, 1, "one override id"},
    {"deny", ov_deny, "refuse a request, or withdraw your own", NULL, deny_what,
     DECIDE, 1, 1, "one override id"},
    {"revoke", ov_revoke, "withdraw an approval", NULL, revoke_what, DECIDE, 1,
     1, "one override id"},
    {"list", ov_list, "open requests and active overrides", list_usage, NULL,
     WHERE | BIT(OVERRIDE_OPT_ALL) | BIT(OVERRIDE_OPT_GATE) |
	 BIT(OVERRIDE_OPT_FORMAT),
     0, 0, "no arguments"},
    {"log", ov_log, "the full audit trail, or one override's", log_usage, NULL,
     WHERE | BIT(OVERRIDE_OPT_FORMAT), 0, 1, "at most one override id"},
    {"verify", ov_verify, "check the ledger's integrity; print its anchor",
     verify_usage, NULL, WHERE | BIT(OVERRIDE_OPT_ANCHOR), 0, 0,
     "no arguments"},
    {"export", ov_export, "write an override as a portable document",
     export_usage, NULL, WHERE | BIT(OVERRIDE_OPT_OUTPUT), 1, 1,
     "one override id"},
    {"import", ov_import, "record a document's decisions in the ledger",
     import_usage, NULL, WHERE | BIT(OVERRIDE_OPT_NO_PUSH), 1, 1, "one file"},
    {"sync", ov_sync, "share the ledger through git: fetch, verify, push",
     sync_usage, NULL, WHERE, 0, 0, "no arguments"},
};

static void print_overview(FILE *fp)
{
	size_t i;

	fputs("usage: sluice override <command> [<args>]\n\n"
	      "An override lets one failed gate pass at one commit, once an "
	      "approver of the\ngate approves it; the ledger records who "
	      "asked, who decided, when and why\n(docs/overrides.md).\n\n"
	      "commands:\n",
	      fp);
	for (i = 0; i < SL_ARRAY_SIZE(subs); i++)
		fprintf(fp, "  %-8s %s\n", subs[i].name, subs[i].help);
	fputs("\n'sluice override <command> --help' describes a command. "
	      "Exit status: 0 done,\n1 refused (nothing was recorded), 2 bad "
	      "usage, 3 the ledger or the\nrepository cannot be used.\n",
	      fp);
}

static void print_usage(const struct ov_sub *sub)
{
	if (sub->what)
		printf(DECIDE_USAGE, sub->name, sub->name, sub->what);
	else
		fputs(sub->usage, stdout);
	fputs(where_usage, stdout);
	if (sub->opts & BIT(OVERRIDE_OPT_BY))
		fputs(by_usage, stdout);
	if (sub->opts & BIT(OVERRIDE_OPT_NO_PUSH))
		fputs(push_usage, stdout);
}

static const char *option_name(int c)
{
	size_t i;

	for (i = 0; cli_override_longopts[i].name; i++)
		if (cli_override_longopts[i].val == c)
			return cli_override_longopts[i].name;
	return "?";
}

static const char **slot(struct ov_opts *o, int c)
{
	switch (c) {
	case OVERRIDE_OPT_LEDGER:
		return &o->ledger;
	case OVERRIDE_OPT_BY:
		return &o->by;
	case OVERRIDE_OPT_BASE:
		return &o->base;
	case OVERRIDE_OPT_RULES:
		return &o->rules;
	case OVERRIDE_OPT_REASON:
		return &o->reason;
	case OVERRIDE_OPT_COMMIT:
		return &o->commit;
	case OVERRIDE_OPT_EXPIRES:
		return &o->expires;
	case OVERRIDE_OPT_SIGN:
		return &o->sign;
	case OVERRIDE_OPT_FROM:
		return &o->from;
	case OVERRIDE_OPT_OUTPUT:
		return &o->output;
	case OVERRIDE_OPT_GATE:
		return &o->gate;
	case OVERRIDE_OPT_ANCHOR:
		return &o->anchor;
	}
	return NULL;
}

/* Takes option c; returns 0 or an exit code (having said why). */
static int take_option(struct ov_opts *o, const struct ov_sub *sub, int c,
		       const char *arg)
{
	const char **value = slot(o, c);

	if (!(sub->opts & BIT(c)))
		return cli_usage_error("'override %s' takes no --%s; see "
				       "'sluice override %s --help'",
				       sub->name, option_name(c), sub->name);
	if (c == OVERRIDE_OPT_ALL) {
		o->all = true;
	} else if (c == OVERRIDE_OPT_NO_PUSH) {
		o->no_push = true;
	} else if (c == OVERRIDE_OPT_FORMAT) {
		if (strcmp(arg, "text") && strcmp(arg, "json"))
			return cli_usage_error("unknown format '%s'; use text "
					       "or json",
					       arg);
		o->json = !strcmp(arg, "json");
	} else {
		*value = arg;
	}
	return 0;
}

static int parse(struct ov_opts *o, const struct ov_sub *sub, int argc,
		 char **argv)
{
	struct sl_buf cmd = SL_BUF_INIT;
	struct cli_getopt p = {.argc = argc,
			       .argv = argv,
			       .shortopts = "o:",
			       .longopts = cli_override_longopts};
	int c, code = 0;

	sl_buf_addf(&cmd, "override %s", sub->name);
	p.cmd = cmd.buf;
	while (!code && (c = cli_getopt_next(&p)) >= 0)
		code = take_option(o, sub, c == 'o' ? OVERRIDE_OPT_OUTPUT : c,
				   p.arg);
	if (!code && c == CLI_GETOPT_STOP)
		code = p.exit_code;
	sl_buf_release(&cmd);
	if (code)
		return code;
	o->args = argv + optind;
	o->nargs = (size_t)(argc - optind);
	if (o->nargs < sub->min_args || o->nargs > sub->max_args)
		return cli_usage_error(
		    "'override %s' takes %s; see 'sluice override %s --help'",
		    sub->name, sub->operands, sub->name);
	return 0;
}

static const struct ov_sub *find_sub(const char *name)
{
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(subs); i++)
		if (!strcmp(subs[i].name, name))
			return &subs[i];
	return NULL;
}

static int not_a_sub(const char *name)
{
	const char *names[SL_ARRAY_SIZE(subs)], *close;
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(subs); i++)
		names[i] = subs[i].name;
	close = sl_suggest(name, names, SL_ARRAY_SIZE(subs));
	if (close)
		return cli_usage_error("'%s' is not an override command; did "
				       "you mean '%s'?",
				       name, close);
	return cli_usage_error("'%s' is not an override command; see "
			       "'sluice override --help'",
			       name);
}

int cli_override_options(struct sl_strvec *out, const char *name, bool values)
{
	const struct ov_sub *sub = find_sub(name);
	size_t i;

	if (!sub)
		return -1;
	for (i = 0; cli_override_longopts[i].name; i++)
		if (sub->opts & BIT(cli_override_longopts[i].val) &&
		    (!values ||
		     cli_override_longopts[i].has_arg == required_argument))
			sl_strvec_pushf(out, "--%s",
					cli_override_longopts[i].name);
	if (sub->opts & BIT(OVERRIDE_OPT_OUTPUT))
		sl_strvec_push(out, "-o");
	return 0;
}

void cli_override_subs(struct sl_strvec *out)
{
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(subs); i++)
		sl_strvec_push(out, subs[i].name);
}

int cmd_override(int argc, char **argv, const struct cli_globals *g)
{
	const struct option *tables[] = {cli_override_longopts};
	struct sl_error err = SL_ERROR_INIT;
	struct ov_opts opts = {0};
	struct ov_ctx ctx;
	const struct ov_sub *sub;
	char **args;
	int code, at, n;

	/* Options may stand before the subcommand's name too. */
	at = cli_args_command(argc, argv, tables, 1, "o:");
	if (at < -1)
		return cli_unknown_option("override", argv[-2 - at],
					  cli_override_longopts, "o:");
	if (at < 0) {
		if (cli_wants_help(argc, argv, "")) {
			print_overview(stdout);
			return CLI_EXIT_OK;
		}
		print_overview(stderr);
		return CLI_EXIT_USAGE;
	}
	sub = find_sub(argv[at]);
	if (!sub)
		return not_a_sub(argv[at]);
	args = cli_args_reorder(argc, argv, at);
	for (n = 0; args[n]; n++)
		;
	if (cli_wants_help(n, args, "")) {
		print_usage(sub);
		free(args);
		return CLI_EXIT_OK;
	}
	opts.sub = sub->name;
	code = parse(&opts, sub, n, args);
	/* --rules, before or after the subcommand, is the global option. */
	if (!opts.rules)
		opts.rules = g->rules_file;
	if (code) {
		free(args);
		return code;
	}
	ov_ctx_init(&ctx, &opts);
	if (sub->fn(&ctx, &err))
		code = cli_fail(&err);
	ov_ctx_release(&ctx);
	sl_error_release(&err);
	free(args);
	return code;
}
