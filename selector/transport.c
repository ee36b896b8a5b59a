/*
 * transport.c: fetching and pushing one ref with the git program, so that
 * whatever credentials the clone already uses (an SSH agent, a credential
 * helper, the header a CI checkout configures) work unchanged. git is run
 * by the absolute path found before any gate ran, on this repository's
 * git directory, with hooks off, in the C locale (its messages are read),
 * never asking on a terminal sluice does not have, and stopped at a
 * deadline. A push never forces: a ref that moved is the caller's to
 * fetch again. Objects themselves are chain.c's (libgit2).
 */
#include "common/common.h"

#include <unistd.h>

#include "selector/internal.h"

/* A slow remote gets this long; a hung one is stopped. */
#define TRANSPORT_TIMEOUT_MS (5u * 60 * 1000)

/* Runs git (absolute path) on repo with args; c->status its status. */
static int run_git(struct sl_child *c, struct sl_repo *repo, const char *git,
		   const char *const *args, struct sl_error *err)
{
	/* The remote's messages are read: English, whatever the user's. */
	static const char *const env_tty[] = {"LC_ALL=C", "LANGUAGE=", NULL};
	static const char *const env_batch[] = {
	    "LC_ALL=C", "LANGUAGE=", "GIT_TERMINAL_PROMPT=0", NULL};
	struct sl_strvec argv = SL_STRVEC_INIT;
	size_t i;
	int ret;

	sl_strvec_push(&argv, git);
	sl_strvec_pushf(&argv, "--git-dir=%s", repo->git_dir);
	/* No hook of the clone's runs for the ledger (a change under test
	 * may have written one). */
	sl_strvec_push(&argv, "-c");
	sl_strvec_push(&argv, "core.hooksPath=/dev/null");
	for (i = 0; args[i]; i++)
		sl_strvec_push(&argv, args[i]);
	c->program = git;
	c->argv = (const char *const *)argv.v;
	/* Prompts go to the terminal itself (/dev/tty), never to stdout:
	 * allowed only when there is one to answer them. */
	c->env = isatty(STDIN_FILENO) ? env_tty : env_batch;
	c->what = "git";
	c->package = "git";
	c->install = "git";
	c->timeout_ms = TRANSPORT_TIMEOUT_MS;
	ret = sl_child_run(c, err);
	sl_strvec_release(&argv);
	return ret;
}

/* git's own words, on one line, for a message. */
static void git_says(struct sl_buf *out, const struct sl_child *c)
{
	const char *fatal = strstr(c->output.buf, "fatal: ");
	size_t len;

	/* The first "fatal:" says what went wrong; the rest is advice. */
	if (!fatal || (fatal != c->output.buf && fatal[-1] != '\n')) {
		sl_child_message(out, c);
		return;
	}
	fatal += strlen("fatal: ");
	len = strcspn(fatal, "\n");
	while (len && (fatal[len - 1] == '.' || fatal[len - 1] == ' '))
		len--;
	sl_buf_add(out, fatal, len);
}

int sl_repo_fetch_ref(char tip[SL_OID_HEXSZ + 1], struct sl_repo *repo,
		      const char *git, const char *remote, const char *ref,
		      const char *into, struct sl_error *err)
{
	struct sl_child c = SL_CHILD_INIT;
	struct sl_buf spec = SL_BUF_INIT, msg = SL_BUF_INIT;
	const char *args[] = {"fetch",
			      "--quiet",
			      "--no-tags",
			      "--no-write-fetch-head",
			      "--no-recurse-submodules",
			      "--no-auto-maintenance",
			      "--no-show-forced-updates",
			      "--",
			      remote,
			      NULL,
			      NULL};
	int ret;

	*tip = '\0';
	/* Forced into sluice's own ref: a rewritten REF must be seen, to
	 * be refused. */
	sl_buf_addf(&spec, "+%s:%s", ref, into);
	args[9] = spec.buf;
	ret = run_git(&c, repo, git, args, err);
	if (!ret && c.status &&
	    strstr(c.output.buf, "couldn't find remote ref"))
		goto out; /* no such ref: an empty ledger */
	if (!ret && c.status) {
		git_says(&msg, &c);
		ret = sl_error_set(err, SL_EENV,
				   "cannot fetch %s from remote '%s': %s; "
				   "check that the remote can be reached "
				   "('git fetch %s')",
				   ref, remote, msg.buf, remote);
	}
	if (!ret)
		ret = sl_repo_resolve_commit(tip, repo, into, err);
out:
	sl_buf_release(&spec);
	sl_buf_release(&msg);
	sl_child_release(&c);
	return ret;
}

/*
 * Reads git push --porcelain's line for the ref: "!" rejected, with why in
 * brackets; " ", "+", "*", "=" done. -1 when there is none (git failed
 * before it got to the ref).
 */
static int push_status(char *flag, const char **why, const struct sl_child *c,
		       const char *ref)
{
	const char *line = c->output.buf;

	for (; *line; line += strcspn(line, "\n"), line += *line == '\n') {
		const char *dst = strchr(line, ':');
		size_t len = strlen(ref);

		if (line[0] == '\0' || line[1] != '\t' || !dst ||
		    strncmp(dst + 1, ref, len) || dst[1 + len] != '\t')
			continue;
		*flag = line[0];
		*why = dst + 1 + len + 1;
		return 0;
	}
	return -1;
}

/*
 * Did the push fail because the ref moved? Refused by this side (not a
 * fast-forward), or by the remote's side, when it found another push
 * holding the ref or having moved it after the ref was advertised.
 */
static bool moved_on(const char *why)
{
	static const char *const moved[] = {
	    "[rejected] (fetch first)",
	    "[rejected] (non-fast-forward)",
	    "[remote rejected] (failed to update ref)",
	    "[remote rejected] (failed to lock)",
	    "[remote rejected] (cannot lock ref",
	    "[remote rejected] (incorrect old value provided)",
	};
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(moved); i++)
		if (!strncmp(why, moved[i], strlen(moved[i])))
			return true;
	return false;
}

/*
 * Did git fail before reaching the ref because this clone may not push
 * there? The host's 401 or 403 (a read-only token), a key it denies, no
 * credentials to give (a CI checkout that kept none), a remote directory
 * it may not write. Anything else (a host that cannot be resolved, a
 * connection that broke) is not a refusal.
 */
static bool not_allowed(const struct sl_child *c)
{
	static const char *const said[] = {
	    "returned error: 401",
	    "returned error: 403",
	    "permission denied",
	    "denied to ",
	    "not allowed to",
	    "authentication failed",
	    "could not read username",
	    "could not read password",
	    "terminal prompts disabled",
	    "insufficient permission",
	};
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(said); i++)
		if (strcasestr(c->output.buf, said[i]))
			return true;
	return false;
}

int sl_repo_push_ref(bool *moved, struct sl_repo *repo, const char *git,
		     const char *remote, const char *commit, const char *ref,
		     struct sl_error *err)
{
	struct sl_child c = SL_CHILD_INIT;
	struct sl_buf spec = SL_BUF_INIT, msg = SL_BUF_INIT;
	const char *args[] = {"push", "--porcelain", "--no-verify", "--",
			      remote, NULL,	     NULL};
	const char *why = "";
	char flag = 0;
	int ret;

	*moved = false;
	/* No '+': never a forced push. */
	sl_buf_addf(&spec, "%s:%s", commit, ref);
	args[5] = spec.buf;
	ret = run_git(&c, repo, git, args, err);
	if (ret)
		goto out;
	if (push_status(&flag, &why, &c, ref) < 0) {
		git_says(&msg, &c);
		ret = sl_error_set(err, not_allowed(&c) ? SL_EREFUSED : SL_EENV,
				   "cannot push %s to remote '%s': %s; check "
				   "that the remote can be reached and that "
				   "this clone may push there",
				   ref, remote, msg.buf);
	} else if (flag == '!' && moved_on(why)) {
		*moved = true;
	} else if (flag == '!') {
		sl_buf_add(&msg, why, strcspn(why, "\n"));
		ret = sl_error_set(err, SL_EREFUSED,
				   "remote '%s' refused the push of %s: %s; "
				   "this clone may not push there (a read-only "
				   "token, or a protected branch)",
				   remote, ref, msg.buf);
	} else if (c.status) {
		git_says(&msg, &c);
		ret = sl_error_set(err, SL_EENV,
				   "cannot push %s to remote '%s': %s; check "
				   "that the remote can be reached",
				   ref, remote, msg.buf);
	}
out:
	sl_buf_release(&spec);
	sl_buf_release(&msg);
	sl_child_release(&c);
	return ret;
}
