/*
 * cmd_override.h: what the files of `sluice override` share, inside cli/
 * only. cmd_override.c parses the command line into struct ov_opts and
 * owns the context every subcommand builds on: the repository, the plan
 * whose trusted rules decide (the rules at merge-base(base, commit), as
 * `run` reads them for that commit), the gate and policy they give, and the
 * ledger. The subcommands live in cmd_override_decide.c (request, approve,
 * deny, revoke), cmd_override_show.c (list, log, verify) and
 * cmd_override_carry.c (export, import). Policy and storage are gates/'s.
 */
#ifndef SL_CLI_CMD_OVERRIDE_H
#define SL_CLI_CMD_OVERRIDE_H

#include "common/common.h"

#include "cli/cli.h"
#include "gates/gates.h"

/* The largest override document import and --from read (a few KiB each). */
#define OV_DOC_MAX (1024u * 1024)

/* The options of every subcommand; NULL or false when not given. */
struct ov_opts {
	const char *sub; /* the subcommand's name, for messages */
	const char *ledger;
	const char *by;
	const char *base;
	const char *rules; /* --rules, else the global --rules/$SLUICE_RULES */
	const char *reason;
	const char *commit;
	const char *expires;
	const char *sign;
	const char *from;
	const char *output; /* -o */
	const char *gate;   /* list --gate */
	const char *anchor;
	bool all;
	bool json;
	bool no_push; /* --no-push: keep a decision in this clone */
	char **args;  /* the operands, after the options */
	size_t nargs;
};

/* One subcommand's state; ov_ctx_release() frees what it holds. */
struct ov_ctx {
	const struct ov_opts *opts;
	struct sl_repo *repo;	  /* NULL until ov_repo() */
	struct sl_plan *plan;	  /* the plan for the override's commit */
	struct sl_ledger *ledger; /* NULL until ov_ledger_open() */
	struct sl_buf actor;	  /* who acts, after ov_actor() */
	struct cli_share share;	  /* on: the ledger is shared through git */
	struct sl_ledger_sync_result sync; /* the last sync's */
	struct sl_programs programs;	   /* git, ssh-keygen: found once */
	struct cli_trust trust;		   /* what ctx->plan trusts */
};

/* Sets ctx up for opts, and finds the trusted programs (git, ssh-keygen). */
void ov_ctx_init(struct ov_ctx *ctx, const struct ov_opts *opts);
void ov_ctx_release(struct ov_ctx *ctx);

/* Opens the repository around the current directory, once. */
int ov_repo(struct ov_ctx *ctx, struct sl_error *err);

/*
 * Builds ctx->plan for commit (a revision; the override's full id) with
 * --base and --rules as given, and ctx->trust from it: the trusted rules
 * are those `run` would use for that commit. A base that cannot be found
 * is SL_EENV (never a guess); so is an allowed_signers file that cannot
 * be read.
 */
int ov_plan(struct ov_ctx *ctx, const char *commit, struct sl_error *err);

/*
 * The policy (initialised) of gate name under ctx->trust, its trusted
 * definition in policy->gate: sl_override_gate_policy() (refusals when the
 * rules are not trusted or do not define the gate, prefixed with
 * refusing: "cannot approve override 7").
 */
int ov_gate_policy(struct sl_override_policy *policy, struct ov_ctx *ctx,
		   const char *name, const char *refusing,
		   struct sl_error *err);

/*
 * Who acts: --by, $SLUICE_ACTOR or git's user.email (the repository's when
 * one is open), into ctx->actor.
 */
int ov_actor(struct ov_ctx *ctx, struct sl_error *err);

/*
 * Opens the ledger (--ledger, $SLUICE_LEDGER, the trusted rules' ledger:
 * for HEAD, .sluice/ledger.db), creating it when create is set. A missing
 * ledger is SL_EENV naming the path. When the rules share it through git
 * (`ledger: git:REF`), the file is the working copy, made when missing,
 * and with fetch (and no --no-push) first brought up to date with the
 * remote (--anchor checked there too).
 */
int ov_ledger_open(struct ov_ctx *ctx, bool create, bool fetch,
		   struct sl_error *err);

/* Syncs the open working copy with the remote (push: this clone's events
 * too), into ctx->sync, saying on stderr what moved or was dropped. */
int ov_sync_ledger(struct ov_ctx *ctx, bool push, struct sl_error *err);

/*
 * After recording event mine (what: "override 7's approval", for
 * messages): shares it when the ledger is shared through git, unless
 * --no-push (then says it stays here). SL_EREFUSED when another clone's
 * event made it no longer a legal step (it was not recorded); SL_EENV,
 * saying it is recorded here but not shared, when the push failed.
 */
int ov_share(struct ov_ctx *ctx, int64_t mine, const char *what,
	     struct sl_error *err);

/* Parses an override id operand; SL_EUSAGE for anything but 1, 2, ... */
int ov_parse_id(int64_t *out, const char *text, struct sl_error *err);

/* Writes buf to path, or to stdout when path is NULL or "-". */
int ov_write_output(const char *path, const struct sl_buf *buf,
		    struct sl_error *err);

/* Reads and parses the override document at path ("-": stdin). */
int ov_read_doc(struct sl_override_doc *doc, const char *path,
		struct sl_error *err);

/*
 * When the trusted gate's definition is not the one ov was requested for,
 * warns on stderr that it will not apply to a run under these rules.
 */
void ov_warn_definition(const struct sl_override *ov,
			const struct sl_gate *gate, const struct ov_ctx *ctx);

/* Appends text in double quotes, with \ " and control characters escaped. */
void ov_quote(struct sl_buf *out, const char *text);

/* The subcommands: 0, or a status with err set. */
int ov_request(struct ov_ctx *ctx, struct sl_error *err);
int ov_approve(struct ov_ctx *ctx, struct sl_error *err);
int ov_deny(struct ov_ctx *ctx, struct sl_error *err);
int ov_revoke(struct ov_ctx *ctx, struct sl_error *err);
int ov_list(struct ov_ctx *ctx, struct sl_error *err);
int ov_log(struct ov_ctx *ctx, struct sl_error *err);
int ov_verify(struct ov_ctx *ctx, struct sl_error *err);
int ov_export(struct ov_ctx *ctx, struct sl_error *err);
int ov_import(struct ov_ctx *ctx, struct sl_error *err);
int ov_sync(struct ov_ctx *ctx, struct sl_error *err);

#endif
