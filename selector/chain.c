/*
 * chain.c: a line of one-file commits, read and written with libgit2: the
 * storage of the override ledger shared through git (SPEC.md §6). Reading
 * walks from a tip back to a known commit (or the first), and checks the
 * shape of each commit (one parent, a tree of exactly one regular file of
 * the expected name); writing builds each commit on the one before, with a
 * fixed identity and the date given, so that the same file on the same
 * parent is always the same commit. What the file means is gates/'s.
 */
#include "common/common.h"

#include "selector/internal.h"

/* Nothing sluice writes in a chain's file comes near this. */
#define CHAIN_FILE_MAX (1024u * 1024)
/* Longer chains are refused rather than read into memory whole. */
#define CHAIN_MAX_LINKS (16u * 1024 * 1024)

void sl_chain_release(struct sl_chain *chain)
{
	size_t i;

	for (i = 0; i < chain->n; i++) {
		free(chain->links[i].data);
		free(chain->links[i].message);
	}
	free(chain->links);
	chain->links = NULL;
	chain->n = chain->alloc = 0;
}

static int parse_id(git_oid *out, const char *hex, struct sl_error *err)
{
	if (strlen(hex) != SL_OID_HEXSZ || git_oid_fromstr(out, hex) < 0) {
		git_error_clear();
		return sl_error_set(err, SL_EUSAGE, "'%s' is not a commit id",
				    hex);
	}
	return 0;
}

/* Is the commit's tree the one file name? Says why not in problem. */
static int read_file(struct sl_chain_link *link, struct sl_buf *problem,
		     struct sl_repo *repo, const git_commit *commit,
		     const char *name, struct sl_error *err)
{
	const git_tree_entry *entry;
	git_tree *tree = NULL;
	git_blob *blob = NULL;
	size_t n;
	int ret = 0;

	if (git_commit_tree(&tree, commit) < 0)
		return sl_git_error(err, SL_EENV,
				    "cannot read the tree of commit %.12s",
				    link->id);
	n = git_tree_entrycount(tree);
	entry = n == 1 ? git_tree_entry_byindex(tree, 0) : NULL;
	if (!entry || strcmp(git_tree_entry_name(entry), name) ||
	    git_tree_entry_filemode(entry) != GIT_FILEMODE_BLOB) {
		sl_buf_addf(
		    problem,
		    "commit %.12s holds %zu entr%s (the first '%s'), "
		    "not the one file '%s'",
		    link->id, n, n == 1 ? "y" : "ies",
		    n ? git_tree_entry_name(git_tree_entry_byindex(tree, 0))
		      : "",
		    name);
		goto out;
	}
	if (git_blob_lookup(&blob, repo->git, git_tree_entry_id(entry)) < 0) {
		ret = sl_git_error(err, SL_EENV,
				   "cannot read '%s' of commit %.12s", name,
				   link->id);
		goto out;
	}
	if (git_blob_rawsize(blob) > CHAIN_FILE_MAX) {
		sl_buf_addf(problem, "commit %.12s: its '%s' is too large",
			    link->id, name);
		goto out;
	}
	link->len = (size_t)git_blob_rawsize(blob);
	link->data = sl_xmemdupz(git_blob_rawcontent(blob), link->len);
out:
	git_blob_free(blob);
	git_tree_free(tree);
	return ret;
}

/* Reads one commit into link; *parent its parent (zero for the first). */
static int read_link(struct sl_chain_link *link, git_oid *parent,
		     struct sl_buf *problem, struct sl_repo *repo,
		     const git_oid *id, const char *name, struct sl_error *err)
{
	git_commit *commit = NULL;
	unsigned parents;
	int ret = 0;

	sl_oid_hex(link->id, id);
	if (git_commit_lookup(&commit, repo->git, id) < 0)
		return sl_git_error(err, SL_EENV, "cannot read commit %.12s",
				    link->id);
	parents = git_commit_parentcount(commit);
	link->message = sl_xstrdup(git_commit_message_raw(commit));
	link->time = (int64_t)git_commit_time(commit);
	memset(parent, 0, sizeof(*parent));
	if (parents > 1)
		sl_buf_addf(problem,
			    "commit %.12s has %u parents: a chain is one "
			    "line of commits",
			    link->id, parents);
	else if (parents == 1)
		git_oid_cpy(parent, git_commit_parent_id(commit, 0));
	if (!problem->len)
		ret = read_file(link, problem, repo, commit, name, err);
	git_commit_free(commit);
	return ret;
}

int sl_repo_chain_read(struct sl_chain *out, bool *stopped,
		       struct sl_buf *problem, struct sl_repo *repo,
		       const char *tip, const char *stop, const char *name,
		       struct sl_error *err)
{
	git_oid at, end, parent;
	size_t first = out->n, i, j;
	int ret;

	*stopped = false;
	ret = parse_id(&at, tip, err);
	if (!ret && *stop)
		ret = parse_id(&end, stop, err);
	while (!ret && !problem->len) {
		if (*stop && git_oid_equal(&at, &end)) {
			*stopped = true;
			break;
		}
		if (out->n - first >= CHAIN_MAX_LINKS) {
			sl_buf_addf(problem, "it is longer than %u commits",
				    CHAIN_MAX_LINKS);
			break;
		}
		SL_ALLOC_GROW(out->links, out->n + 1, out->alloc);
		memset(&out->links[out->n], 0, sizeof(out->links[0]));
		ret = read_link(&out->links[out->n++], &parent, problem, repo,
				&at, name, err);
		if (git_oid_is_zero(&parent))
			break;
		git_oid_cpy(&at, &parent);
	}
	/* Read from the tip back: oldest first, as the chain goes. */
	for (i = first, j = out->n; j-- > i; i++) {
		struct sl_chain_link tmp = out->links[i];

		out->links[i] = out->links[j];
		out->links[j] = tmp;
	}
	return ret;
}

/* Writes one commit holding data as the file name, on parent (or none). */
static int write_link(git_oid *out, struct sl_repo *repo,
		      const struct sl_chain_link *link, const char *name,
		      git_commit *parent, struct sl_error *err)
{
	git_treebuilder *tb = NULL;
	git_signature *who = NULL;
	git_tree *tree = NULL;
	git_oid blob, tree_id;
	const git_commit *parents[1] = {parent};
	int ret = 0;

	if (git_blob_create_from_buffer(&blob, repo->git, link->data,
					link->len) < 0 ||
	    git_treebuilder_new(&tb, repo->git, NULL) < 0 ||
	    git_treebuilder_insert(NULL, tb, name, &blob, GIT_FILEMODE_BLOB) <
		0 ||
	    git_treebuilder_write(&tree_id, tb) < 0 ||
	    git_tree_lookup(&tree, repo->git, &tree_id) < 0 ||
	    git_signature_new(&who, SL_CHAIN_AUTHOR_NAME, SL_CHAIN_AUTHOR_EMAIL,
			      (git_time_t)link->time, 0) < 0 ||
	    git_commit_create(out, repo->git, NULL, who, who, NULL,
			      link->message, tree, parent ? 1 : 0, parents) < 0)
		ret =
		    sl_git_error(err, SL_EENV, "cannot write a commit in '%s'",
				 repo->git_dir);
	git_signature_free(who);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	return ret;
}

int sl_repo_chain_write(struct sl_chain *links, struct sl_repo *repo,
			const char *parent, const char *name,
			struct sl_error *err)
{
	git_commit *on = NULL;
	git_oid id;
	size_t i;
	int ret = 0;

	if (*parent) {
		ret = parse_id(&id, parent, err);
		if (!ret && git_commit_lookup(&on, repo->git, &id) < 0)
			ret = sl_git_error(err, SL_EENV,
					   "cannot read commit %.12s", parent);
	}
	for (i = 0; !ret && i < links->n; i++) {
		ret = write_link(&id, repo, &links->links[i], name, on, err);
		git_commit_free(on);
		on = NULL;
		if (!ret) {
			sl_oid_hex(links->links[i].id, &id);
			if (git_commit_lookup(&on, repo->git, &id) < 0)
				ret = sl_git_error(err, SL_EENV,
						   "cannot read commit %.12s",
						   links->links[i].id);
		}
	}
	git_commit_free(on);
	return ret;
}
