/*
 * plan.c: the pipeline every selecting command shares. It runs the diff,
 * reads the trusted copy of the rules at the diff's old side (the
 * merge-base) and, when the change edits the rules file, the head's copy
 * too, turns the changes into the names selection sees, and selects. It
 * decides which copy of the rules is trusted; select.c decides the gates.
 */
#include "common/common.h"

#include <sys/stat.h>

#include "selector/select.h"

static void short_id(struct sl_buf *out, const char *id)
{
	sl_buf_addf(out, "%.12s", id);
}

/* Loads the rules file at commit into *out; *found false when absent. */
static int rules_at(struct sl_rules **out, bool *found, char blob[41],
		    struct sl_repo *repo, const char *commit,
		    struct sl_error *err)
{
	struct sl_buf data = SL_BUF_INIT, name = SL_BUF_INIT;
	int ret;

	*out = NULL;
	ret = sl_repo_blob_id_at(blob, found, repo, commit, SL_RULES_FILE, err);
	if (!ret && *found)
		ret = sl_repo_read_blob_at(&data, found, repo, commit,
					   SL_RULES_FILE, err);
	if (!ret && *found) {
		sl_buf_addf(&name, "%s@", SL_RULES_FILE);
		short_id(&name, commit);
		ret = sl_rules_load_buffer(out, name.buf, data.buf, data.len,
					   err);
	}
	sl_buf_release(&data);
	sl_buf_release(&name);
	return ret;
}

/* The work tree's rules file: the head's copy for --worktree. */
static int rules_in_worktree(struct sl_rules **out, bool *found,
			     struct sl_buf *content, const char *root,
			     struct sl_error *err)
{
	struct sl_buf path = SL_BUF_INIT;
	struct stat st;
	int ret = 0;

	*out = NULL;
	sl_buf_addf(&path, "%s/%s", root, SL_RULES_FILE);
	*found = !lstat(path.buf, &st);
	if (*found)
		ret = sl_buf_read_file(content, path.buf, SL_RULES_MAX_BYTES,
				       err);
	if (!ret && *found)
		ret = sl_rules_load_buffer(out, SL_RULES_FILE, content->buf,
					   content->len, err);
	sl_buf_release(&path);
	return ret;
}

static int no_rules_anywhere(const struct sl_diff *diff, struct sl_error *err)
{
	return sl_error_set(err, SL_ERULES,
			    "no %s at %.12s or at %.12s; write one (see "
			    "docs/rules.md) or pass --rules FILE",
			    SL_RULES_FILE,
			    *diff->merge_base ? diff->merge_base : "(no base)",
			    diff->head);
}

/* The head's copy, when it differs from the trusted one. */
static int head_rules(struct sl_plan *plan, struct sl_repo *repo,
		      const char *base_blob, bool base_found,
		      struct sl_error *err)
{
	struct sl_buf worktree = SL_BUF_INIT, base = SL_BUF_INIT;
	char blob[SL_OID_HEXSZ + 1] = "";
	bool found = false, differs;
	int ret;

	if (plan->diff->worktree) {
		ret = rules_in_worktree(&plan->head_rules, &found, &worktree,
					plan->root, err);
		if (!ret && found && base_found)
			ret = sl_repo_read_blob_at(&base, &base_found, repo,
						   plan->diff->merge_base,
						   SL_RULES_FILE, err);
		differs = found != base_found || base.len != worktree.len ||
			  memcmp(base.buf, worktree.buf, base.len);
	} else {
		ret = sl_repo_blob_id_at(blob, &found, repo, plan->diff->head,
					 SL_RULES_FILE, err);
		differs =
		    found != base_found || (found && strcmp(blob, base_blob));
		if (!ret && found && differs)
			ret = rules_at(&plan->head_rules, &found, blob, repo,
				       plan->diff->head, err);
	}
	if (!ret && !differs) {
		sl_rules_free(plan->head_rules);
		plan->head_rules = NULL;
	}
	plan->rules_changed = !ret && differs;
	sl_buf_release(&worktree);
	sl_buf_release(&base);
	return ret;
}

/*
 * Chooses the rules (SPEC.md §1 "Which rules apply"): the file given with
 * --rules; else the copy at the merge-base, plus the head's when it
 * differs; a rules file the change adds is all there is (nothing to trust
 * yet); with no base at all (degraded), the head's copy.
 */
static int choose_rules(struct sl_plan *plan, struct sl_repo *repo,
			const struct sl_plan_options *opts,
			struct sl_error *err)
{
	bool found = false;
	int ret;

	if (opts->rules_file) {
		plan->rules_source = sl_xstrdup(opts->rules_file);
		return sl_rules_load_file(&plan->rules, opts->rules_file, err);
	}
	if (*plan->diff->merge_base) {
		ret = rules_at(&plan->rules, &found, plan->rules_blob, repo,
			       plan->diff->merge_base, err);
		if (ret)
			return ret;
	}
	ret = head_rules(plan, repo, plan->rules_blob, found, err);
	if (ret)
		return ret;
	if (found) {
		plan->rules_source = sl_xstrdup(plan->rules->file);
		memcpy(plan->rules_commit, plan->diff->merge_base,
		       sizeof(plan->rules_commit));
		return 0;
	}
	/* No trusted copy: the head's is the only one there is. */
	plan->rules = plan->head_rules;
	plan->head_rules = NULL;
	plan->rules_blob[0] = '\0';
	if (!plan->rules)
		return no_rules_anywhere(plan->diff, err);
	plan->rules_source = sl_xstrdup(plan->rules->file);
	if (!plan->diff->worktree)
		memcpy(plan->rules_commit, plan->diff->head,
		       sizeof(plan->rules_commit));
	return 0;
}

static void build_touched(struct sl_plan *plan)
{
	size_t i;

	plan->nnames = sl_change_list_names(&plan->names, &plan->diff->changes);
	plan->touched = sl_xcalloc(plan->nnames + 1, sizeof(*plan->touched));
	for (i = 0; i < plan->nnames; i++) {
		plan->touched[i].path = plan->names[i].path;
		plan->touched[i].len = plan->names[i].len;
		plan->touched[i].flags =
		    plan->names[i].change->submodule ? SL_MATCH_DIR : 0;
	}
}

int sl_plan_build(struct sl_plan **out, struct sl_repo *repo,
		  const struct sl_plan_options *opts, struct sl_error *err)
{
	struct sl_plan *plan = sl_xcalloc(1, sizeof(*plan));
	struct sl_select_options sel = {0};
	int ret;

	*out = NULL;
	plan->root = sl_repo_root(repo) ? sl_xstrdup(sl_repo_root(repo)) : NULL;
	ret = sl_diff_run(&plan->diff, repo, &opts->diff, err);
	if (!ret)
		ret = choose_rules(plan, repo, opts, err);
	if (ret)
		goto out;
	build_touched(plan);
	sel.base = plan->rules;
	sel.head = plan->head_rules;
	sel.base_unavailable = plan->diff->degraded != NULL;
	sel.degraded_reason = plan->diff->degraded_reason;
	ret =
	    sl_select(&plan->selection, &sel, plan->touched, plan->nnames, err);
	if (!ret)
		plan->selection->rules_changed = plan->rules_changed;
out:
	if (ret)
		sl_plan_free(plan);
	else
		*out = plan;
	return ret;
}

void sl_plan_free(struct sl_plan *plan)
{
	if (!plan)
		return;
	sl_selection_free(plan->selection);
	free(plan->touched);
	free(plan->names);
	sl_rules_free(plan->head_rules);
	sl_rules_free(plan->rules);
	sl_diff_free(plan->diff);
	free(plan->rules_source);
	free(plan->root);
	free(plan);
}
