/*
 * cli: the front end. main.c parses the global options and dispatches to one
 * cmd_<name>() per subcommand; each parses its own options, calls the
 * libraries, prints, and returns an exit code from cli_exit_code(). Only
 * cli/ prints to the user or decides an exit status.
 *
 * An int here is a status or an exit code, never both: a status (0 or a
 * negative enum sl_status, with its sl_error) is held in `ret` and turned
 * into an exit code once, by cli_fail(); an exit code (enum cli_exit) is
 * held in `code`. A function says in its comment which it returns.
 */
#ifndef SL_CLI_H
#define SL_CLI_H

#include "common/common.h"

#include <getopt.h>

#include "gates/gates.h"
#include "selector/selector.h"

/* Exit codes of SPEC.md §3, for every command. */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILED = 1, /* a gate failed; a decision was refused */
	CLI_EXIT_USAGE = 2,  /* bad usage or bad rules: nothing was run */
	CLI_EXIT_ENV = 3,    /* repository, commit, ledger, disk */
	CLI_EXIT_INTR = 130  /* interrupted */
};

enum cli_color_mode { CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };

/*
 * Options every command takes, before or after its name (cli/options.c
 * owns them; -C is acted on as it is parsed).
 */
struct cli_globals {
	const char *rules_file; /* --rules, else $SLUICE_RULES; NULL: default */
	enum cli_color_mode color;
};

struct cli_command {
	const char *name; /* "__x": hidden from help and completion */
	int (*fn)(int argc, char **argv, const struct cli_globals *g);
	const char *help;	       /* one line for `sluice --help` */
	const struct option *longopts; /* its options, for the grammar */
	const char *shortopts;
};

/* ---- the command line's grammar (cli/options.c) ---- */

/* The globals, from the environment; the one instance, owned there. */
struct cli_globals *cli_globals_init(void);

/* The usage lines of the global options, for every command's --help. */
extern const char cli_global_usage[];

/*
 * The index in argv of the command's name: the first argument that is not
 * an option or an option's value, as the option tables (and the global
 * options) say which take values. -1 when there is none; -2 - i when
 * argv[i] is an option no table has.
 */
int cli_args_command(int argc, char **argv, const struct option *const *tables,
		     size_t ntables, const char *shorts);

/*
 * argv with the command's name (argv[at]) first and the options that stood
 * before it after it, for the command's own parser. Caller frees the array
 * (the strings are argv's).
 */
char **cli_args_reorder(int argc, char **argv, int at);

/* What cli_getopt_next() returns when the command must stop now. */
#define CLI_GETOPT_STOP (-2)

/*
 * One command's getopt loop: its options and the global ones, anywhere on
 * its command line (getopt_long permutes; "--" ends options). Fill argc,
 * argv, cmd (for messages: "owners", "override approve"), shortopts and
 * longopts; the rest is the loop's.
 */
struct cli_getopt {
	int argc;
	char **argv;
	const char *cmd;
	const char *shortopts;
	const struct option *longopts;
	const char *arg; /* the value of the option returned */
	int exit_code;	 /* after CLI_GETOPT_STOP: the command's exit code */
	bool started;
	struct option all[64];
	char shorts[64];
};

/*
 * The next of the command's own options (its val), -1 after the last
 * (optind is then the first operand), or CLI_GETOPT_STOP having said why
 * (an unknown option, with the closest known one; a missing value; a bad
 * global): return p->exit_code (never 0).
 */
int cli_getopt_next(struct cli_getopt *p);

/*
 * Says "unknown option 'text' for 'sluice cmd'" and the closest of opts,
 * shorts and the global options; returns CLI_EXIT_USAGE.
 */
int cli_unknown_option(const char *cmd, const char *text,
		       const struct option *opts, const char *shorts);

/* Whether what goes to fp gets colour: --color, NO_COLOR, a terminal. */
bool cli_color(FILE *fp);

enum cli_paint {
	CLI_PAINT_RESET,
	CLI_PAINT_GOOD,
	CLI_PAINT_BAD,
	CLI_PAINT_WARN,
	CLI_PAINT_DIM,
	CLI_PAINT_BOLD
};

/* The escape sequence for what, or "" when fp gets no colour. */
const char *cli_paint(FILE *fp, enum cli_paint what);

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

/* Whether cli_wants_help() printed a usage (main then adds the globals). */
bool cli_help_shown(void);

/* The command table (cli/main.c): by name, or the i-th (NULL past it). */
const struct cli_command *cli_command_find(const char *name);
const struct cli_command *cli_command_at(size_t i);

/* Prints `sluice --help`: the commands and the global options. */
void cli_usage(FILE *fp);

/* "'name' is not a sluice command", with the closest; CLI_EXIT_USAGE. */
int cli_not_a_command(const char *name);

/* Each command's options, for the grammar, --help checks and completion. */
extern const struct option cli_select_longopts[];
extern const struct option cli_explain_longopts[];
extern const struct option cli_run_longopts[];
extern const struct option cli_repro_longopts[];
extern const struct option cli_merge_longopts[];
extern const struct option cli_owners_longopts[];
extern const struct option cli_check_longopts[];
extern const struct option cli_override_longopts[];
extern const struct option cli_import_longopts[];
extern const struct option cli_init_longopts[];

/*
 * The options of `override NAME` ("--x", "-o"), only those that take a
 * value when values is set; -1 for no such command.
 */
int cli_override_options(struct sl_strvec *out, const char *name, bool values);
/* The names of override's commands. */
void cli_override_subs(struct sl_strvec *out);

/* ---- the options of every selecting command (cli/selectopts.c) ---- */

enum cli_select_opt {
	CLI_OPT_BASE = 1000,
	CLI_OPT_HEAD,
	CLI_OPT_NO_MERGE_BASE,
	CLI_OPT_FIND_RENAMES,
	CLI_OPT_WORKTREE,
	CLI_OPT_IF_MISSING_BASE,
	CLI_OPT_PATHS_FROM,
	CLI_OPT_RULES,
	CLI_OPT_NEXT /* the first value a command may use for its own */
};

/* Entries for a command's struct option table (getopt_long). */
#define CLI_SELECT_LONGOPTS                                                    \
	{"base", required_argument, NULL, CLI_OPT_BASE},                       \
	    {"head", required_argument, NULL, CLI_OPT_HEAD},                   \
	    {"no-merge-base", no_argument, NULL, CLI_OPT_NO_MERGE_BASE},       \
	    {"find-renames", no_argument, NULL, CLI_OPT_FIND_RENAMES},         \
	    {"worktree", no_argument, NULL, CLI_OPT_WORKTREE},                 \
	    {"if-missing-base", required_argument, NULL,                       \
	     CLI_OPT_IF_MISSING_BASE},                                         \
	    {"paths-from", required_argument, NULL, CLI_OPT_PATHS_FROM},       \
	{                                                                      \
		"rules", required_argument, NULL, CLI_OPT_RULES                \
	}

/* The short options of selection ("z": NUL-separated --paths-from). */
#define CLI_SELECT_SHORTOPTS "z"

/* The usage lines of those options, for each command's --help. */
extern const char cli_select_usage[];

/* Defaults: the global --rules / $SLUICE_RULES, nothing else set. */
void cli_select_init(struct sl_plan_options *opts, const struct cli_globals *g);

/*
 * Takes option c (with its argument) when it is a selecting option, and
 * says in *taken whether it was. Returns an exit code: CLI_EXIT_OK, or
 * CLI_EXIT_USAGE (having said why) for a bad value.
 */
int cli_select_option(bool *taken, struct sl_plan_options *opts, int c,
		      const char *arg);

/*
 * Opens the repository around the current directory and builds the plan.
 * On failure prints the error and returns its exit code; else 0, and the
 * caller owns *repo and *plan.
 */
int cli_plan(struct sl_repo **repo, struct sl_plan **plan,
	     const struct sl_plan_options *opts);

/*
 * The end of a command that built a plan and has written its answer: frees
 * repo and plan in builds that check for leaks (ASan), and leaves them to
 * exit() otherwise. Freeing a large rules file's compiled patterns and
 * shutting libgit2 down is a visible share of a small selection
 * (docs/performance.md, "Numbers behind the code"), spent returning
 * memory the kernel takes back anyway (git's UNLEAK() makes the same
 * trade).
 */
void cli_plan_done(struct sl_repo *repo, struct sl_plan *plan);

/* ---- state, the ledger and identities (cli/ledger_ctx.c) ---- */

/*
 * The directory for sluice's own state under root (.sluice), created with
 * a .gitignore that ignores everything in it, so that logs, the history
 * and the ledger never show up as changes (--worktree). out gets its path.
 */
int cli_state_dir(struct sl_buf *out, const char *root, struct sl_error *err);

/*
 * The ledger's path (SPEC.md §1, §5): opt (--ledger), else $SLUICE_LEDGER,
 * else the trusted rules' `ledger:` under root (a path), else
 * .sluice/ledger.db under root (also the working copy of a `ledger:
 * git:REF`). The last two create the state directory.
 */
int cli_ledger_path(struct sl_buf *out, const char *opt,
		    const struct sl_rules *rules, const char *root,
		    struct sl_error *err);

/* ---- the ledger shared through git (cli/ledger_share.c) ---- */

/*
 * The transport of a ledger shared through git (`ledger: git:REF`, SPEC.md
 * §6): gates/ syncs through it, selector/ does the git work.
 */
struct cli_share {
	bool on;	      /* the rules share the ledger through git */
	struct sl_repo *repo; /* borrowed */
	char *remote;	      /* ledger_remote:, or origin */
	char *ref;	      /* REF */
	struct sl_buf git;    /* git's absolute path, found once */
	struct sl_buf into;   /* the local ref a fetch lands in */
	struct sl_ledger_transport t;
};

/*
 * Sets s up for the ledger that rules (the trusted rules) name: off for a
 * local ledger; else on, with git as programs found it before anything
 * ran (SL_EENV when it was not found). s borrows repo; release it with
 * cli_share_release().
 */
int cli_share_init(struct cli_share *s, struct sl_repo *repo,
		   const struct sl_rules *rules,
		   const struct sl_programs *programs, struct sl_error *err);
void cli_share_release(struct cli_share *s);
/* Prints what a sync says to the user on stderr: renumbered requests
 * ("override 11 is now override 13"), and the events it dropped. */
void cli_share_report(const struct sl_ledger_sync_result *r);

/*
 * Who is acting (SPEC.md §3): by (--by), else $SLUICE_ACTOR, else git's
 * user.email. SL_EUSAGE, saying how to set one, when there is none.
 */
int cli_identity(struct sl_buf *out, const char *by, struct sl_repo *repo,
		 struct sl_error *err);

/*
 * What gates/ judges an override under, read from plan (the plan for the
 * override's commit, or the run's): the trusted rules and where they came
 * from, the commits, the allowed_signers file as it is where the rules
 * were read, and the ssh-keygen programs found before anything ran. Only
 * data: what it allows is sl_override_trust_check() and friends'.
 */
struct cli_trust {
	struct sl_override_trust t; /* borrows from plan and from below */
	char *allowed_signers;	    /* owned */
	char parents[2][SL_OID_HEXSZ + 1];
};

/*
 * Fills ct from plan (rules_file: --rules FILE was given), the head's
 * parents included. SL_EENV when the allowed_signers file the rules name,
 * or the head commit, cannot be read from the repository (a missing file
 * reads as "": no signature verifies, fail closed). ct borrows plan and
 * programs; release it with cli_trust_release().
 */
int cli_trust_init(struct cli_trust *ct, struct sl_repo *repo,
		   const struct sl_plan *plan, bool rules_file,
		   const struct sl_programs *programs, struct sl_error *err);
void cli_trust_release(struct cli_trust *ct);

/* ---- the working tree's rules file (cli/rules_file.c) ---- */

/*
 * The rules file that owners and check read into out: --rules or
 * $SLUICE_RULES, else sluice.yml at the root of the repository holding the
 * current directory (the first parent with a .git, directory or file),
 * named relative to the current directory so that rule positions read as
 * paths from here. SL_EUSAGE when there is neither.
 */
int cli_rules_file(struct sl_buf *out, const struct cli_globals *g,
		   struct sl_error *err);

/*
 * The lanes of the working tree's rules' `workspaces`, derived from the
 * manifests committed at HEAD (docs/workspaces.md) and added to rules;
 * *out the workspaces (sl_ws_list_free(*out, rules->nworkspaces)), NULL
 * without any. What owners and completion read. With no repository or no
 * commit, and skipped given, nothing is derived and skipped says why
 * (the caller warns); otherwise that is SL_EENV.
 */
int cli_rules_derive_head(struct sl_ws ***out, struct sl_rules *rules,
			  struct sl_buf *skipped, struct sl_error *err);

/* Prints out to stdout; a short write is reported by main. */
void cli_print(const struct sl_buf *out);

/* ---- where results go (cli/output.c) ---- */

/*
 * Prints the formatted text to fp with every control byte in it shown
 * escaped (sl_buf_add_safe()), but for one newline at its end: for a line
 * that holds anything that came from input (a path, a name, a reason, a
 * value from the rules or the ledger), so that none reaches a terminal or
 * a CI log raw. Colour goes around it, never through it.
 */
void cli_printf_safe(FILE *fp, const char *fmt, ...) SL_PRINTF(2, 3);
void cli_vprintf_safe(FILE *fp, const char *fmt, va_list ap);

/* Whether an output path is "-": stdout. */
bool cli_is_stdout(const char *path);

/* Writes data to stdout now; SL_EENV when it cannot. */
int cli_write_stdout(const struct sl_buf *data, struct sl_error *err);

/*
 * Appends data to path (created if missing; "-": stdout), as --summary
 * does; SL_EENV naming path when it cannot.
 */
int cli_append(const char *path, const struct sl_buf *data,
	       struct sl_error *err);

/*
 * Whether an output path (NULL or "-": nothing to check) can be written,
 * replaced whole or, with append, added to: checked before the first gate
 * starts, so that a directory or an unwritable place is found before the
 * run rather than after it (SL_EENV naming path).
 */
int cli_check_output(const char *path, bool append, struct sl_error *err);

int cmd_complete(int argc, char **argv, const struct cli_globals *g);
int cmd_help(int argc, char **argv, const struct cli_globals *g);
int cmd_check(int argc, char **argv, const struct cli_globals *g);
int cmd_explain(int argc, char **argv, const struct cli_globals *g);
int cmd_init(int argc, char **argv, const struct cli_globals *g);
int cmd_import(int argc, char **argv, const struct cli_globals *g);
int cmd_override(int argc, char **argv, const struct cli_globals *g);
int cmd_owners(int argc, char **argv, const struct cli_globals *g);
int cmd_merge(int argc, char **argv, const struct cli_globals *g);
int cmd_repro(int argc, char **argv, const struct cli_globals *g);
int cmd_run(int argc, char **argv, const struct cli_globals *g);
int cmd_select(int argc, char **argv, const struct cli_globals *g);

#endif
