/*
 * rules_file.c: where the commands that read the working tree's rules
 * (owners, check: SPEC.md §1 "Which rules apply") find the rules file.
 * Loading it is rules/'s; the trusted copy at the base that selection
 * reads is selector/'s.
 */
#include "common/common.h"

#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "selector/selector.h"

int cli_rules_file(struct sl_buf *out, const struct cli_globals *g,
		   struct sl_error *err)
{
	struct sl_buf dir = SL_BUF_INIT, probe = SL_BUF_INIT;
	struct stat st;
	size_t up = 0, i;
	char *cwd;
	int ret = 0;

	if (g->rules_file) {
		sl_buf_adds(out, g->rules_file);
		return 0;
	}
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return sl_error_set(err, SL_EENV,
				    "cannot get the current directory: %s",
				    strerror(errno));
	sl_buf_adds(&dir, cwd);
	free(cwd);
	for (;;) {
		sl_buf_reset(&probe);
		sl_buf_addf(&probe, "%s/.git", dir.len > 1 ? dir.buf : "");
		if (!lstat(probe.buf, &st))
			break;
		/* The same answer as every command that needs a
		 * repository: the environment (exit 3), not bad usage. */
		if (dir.len <= 1) {
			cwd = getcwd(NULL, 0);
			ret = sl_error_set(
			    err, SL_EENV,
			    "not a git repository: '%s'; run sluice inside a "
			    "clone, or pass -C DIR (or --rules FILE)",
			    cwd ? cwd : ".");
			free(cwd);
			goto out;
		}
		while (dir.len > 1 && dir.buf[dir.len - 1] != '/')
			dir.len--;
		sl_buf_setlen(&dir, dir.len > 1 ? dir.len - 1 : 1);
		up++;
	}
	for (i = 0; i < up; i++)
		sl_buf_adds(out, "../");
	sl_buf_adds(out, "sluice.yml");
out:
	sl_buf_release(&dir);
	sl_buf_release(&probe);
	return ret;
}

int cli_rules_derive_head(struct sl_ws ***out, struct sl_rules *rules,
			  struct sl_buf *skipped, struct sl_error *err)
{
	struct sl_repo *repo = NULL;
	struct sl_ws_tree *tree = NULL;
	char head[SL_OID_HEXSZ + 1];
	int ret;

	*out = NULL;
	if (!rules->nworkspaces)
		return 0;
	ret = sl_repo_open(&repo, NULL, err);
	if (!ret)
		ret = sl_repo_resolve_commit(head, repo, "HEAD", err);
	if (ret == SL_EENV && skipped) {
		/* No commit to read manifests from: the written lanes only,
		 * and the caller says so. */
		sl_buf_adds(skipped, sl_error_message(err));
		sl_error_release(err);
		*err = (struct sl_error)SL_ERROR_INIT;
		sl_repo_free(repo);
		return 0;
	}
	if (!ret)
		ret = sl_ws_tree_open(&tree, repo, head, NULL, err);
	if (!ret)
		ret =
		    sl_ws_derive_all(out, rules, sl_ws_tree_source(tree), err);
	sl_ws_tree_free(tree);
	sl_repo_free(repo);
	return ret;
}
