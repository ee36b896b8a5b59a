/*
 * ledger_ctx.c: what `run` and the `override` commands need to reach the
 * override ledger the same way: the state directory, the ledger's path,
 * the identity of whoever acts, and what an override is judged under (the
 * trusted rules and commits of a plan, the allowed_signers file as those
 * rules have it), handed to gates/ as data. The ledger and every decision
 * about it are gates/'s.
 */
#include "common/common.h"

#include <sys/stat.h>

#include "cli/cli.h"

int cli_state_dir(struct sl_buf *out, const char *root, struct sl_error *err)
{
	struct sl_buf ignore = SL_BUF_INIT, text = SL_BUF_INIT;
	struct stat st;
	int ret = 0;

	sl_buf_reset(out);
	sl_buf_addf(out, "%s/.sluice", root);
	if (mkdir(out->buf, 0777) && errno != EEXIST)
		return sl_error_set(err, SL_EENV, "cannot create '%s': %s",
				    out->buf, strerror(errno));
	sl_buf_addf(&ignore, "%s/.gitignore", out->buf);
	if (!lstat(ignore.buf, &st))
		goto out;
	sl_buf_adds(&text, "# sluice's own state (logs, history, ledger): "
			   "never a change to select on\n*\n");
	ret = sl_file_write(ignore.buf, &text, SL_FILE_NEW, err);
	/* Another process made it first: the same file. */
	if (ret == SL_EUSAGE) {
		sl_error_reset(err);
		ret = 0;
	}
out:
	sl_buf_release(&ignore);
	sl_buf_release(&text);
	return ret;
}

int cli_ledger_path(struct sl_buf *out, const char *opt,
		    const struct sl_rules *rules, const char *root,
		    struct sl_error *err)
{
	const char *env = getenv("SLUICE_LEDGER");
	struct sl_buf state = SL_BUF_INIT;
	int ret = 0;

	sl_buf_reset(out);
	if (opt) {
		sl_buf_adds(out, opt);
	} else if (env && *env) {
		sl_buf_adds(out, env);
	} else if (!root) {
		ret = sl_error_set(err, SL_EUSAGE,
				   "the repository has no work tree to keep "
				   "the ledger in; pass --ledger FILE");
	} else if (rules && rules->ledger && !rules->ledger_ref &&
		   *rules->ledger == '/') {
		sl_buf_adds(out, rules->ledger);
	} else {
		ret = cli_state_dir(&state, root, err);
		if (!ret && rules && rules->ledger && !rules->ledger_ref)
			sl_buf_addf(out, "%s/%s", root, rules->ledger);
		else if (!ret)
			sl_buf_addf(out, "%s/ledger.db", state.buf);
	}
	sl_buf_release(&state);
	return ret;
}

int cli_identity(struct sl_buf *out, const char *by, struct sl_repo *repo,
		 struct sl_error *err)
{
	const char *env = getenv("SLUICE_ACTOR");
	bool found = false;
	int ret;

	sl_buf_reset(out);
	/* Given, it is the identity: an empty one never falls back to
	 * another (issue 12), nor is a name that prints as something else
	 * taken. */
	if (by && !by[strspn(by, " \t")])
		return sl_error_set(err, SL_EUSAGE,
				    "--by '%s': an empty identity; give who "
				    "acts (an email or @name)",
				    by);
	if (by && !sl_text_is_safe(by, strlen(by)))
		return sl_error_set(err, SL_EUSAGE,
				    "--by '%s': an identity holds no control "
				    "character",
				    by);
	if (by) {
		sl_buf_adds(out, by);
		return 0;
	}
	if (env && *env) {
		sl_buf_adds(out, env);
		return 0;
	}
	ret = repo ? sl_repo_user_email(out, &found, repo, err) : 0;
	if (ret || found)
		return ret;
	return sl_error_set(err, SL_EUSAGE,
			    "who are you? pass --by WHO, set SLUICE_ACTOR, or "
			    "run 'git config user.email you@example.com'");
}

/*
 * The content of the allowed_signers file the trusted rules name, as it is
 * where those rules were read (the base commit, or disk with --rules):
 * *out NULL when the rules name none; "" when the file named is missing
 * (then no signature verifies: fail closed). Caller owns *out.
 */
static int allowed_signers(char **out, struct sl_repo *repo,
			   const struct sl_plan *plan, struct sl_error *err)
{
	const char *name = plan->rules->allowed_signers;
	struct sl_buf content = SL_BUF_INIT, path = SL_BUF_INIT;
	bool found = true;
	int ret = 0;

	*out = NULL;
	if (!name)
		return 0;
	if (*plan->rules_commit) {
		ret = sl_repo_read_blob_at(&content, &found, repo,
					   plan->rules_commit, name, err);
	} else {
		sl_buf_addf(&path, "%s/%s", plan->root ? plan->root : ".",
			    name);
		ret = sl_buf_read_regular(&content, path.buf, SL_REPO_BLOB_MAX,
					  false, err);
		/* A file the rules name but nobody wrote verifies nothing. */
		if (ret == SL_EENV && errno == ENOENT) {
			sl_error_reset(err);
			ret = 0;
			found = false;
		}
	}
	if (!ret)
		*out = found ? sl_buf_detach(&content, NULL) : sl_xstrdup("");
	sl_buf_release(&content);
	sl_buf_release(&path);
	return ret;
}

int cli_trust_init(struct cli_trust *ct, struct sl_repo *repo,
		   const struct sl_plan *plan, bool rules_file,
		   const struct sl_programs *programs, struct sl_error *err)
{
	struct sl_override_trust *t = &ct->t;
	int ret;

	memset(ct, 0, sizeof(*ct));
	t->rules = plan->rules;
	t->head_rules = plan->head_rules;
	t->source = plan->rules_source;
	t->file = SL_RULES_FILE;
	t->rules_commit = plan->rules_commit;
	t->rules_file = rules_file;
	t->head = plan->diff->head;
	t->merge_base = plan->diff->merge_base;
	t->worktree = plan->diff->worktree;
	t->ssh_keygen = programs->path[SL_PROGRAM_SSH_KEYGEN];
	ret = allowed_signers(&ct->allowed_signers, repo, plan, err);
	t->allowed_signers = ct->allowed_signers;
	if (!ret)
		ret = sl_repo_commit_parents(ct->parents, 2, &t->nparents, repo,
					     t->head, err);
	t->parents[0] = ct->parents[0];
	t->parents[1] = ct->parents[1];
	return ret;
}

void cli_trust_release(struct cli_trust *ct)
{
	free(ct->allowed_signers);
	memset(ct, 0, sizeof(*ct));
}
