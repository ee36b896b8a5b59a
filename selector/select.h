/*
 * Selection (SPEC.md §2): from the names a diff touched to the gates that
 * must run, each with the chain of reasons that leads to it from a changed
 * path, and every other gate with the reason it was not selected. It sees
 * only names and rules: where the names came from (git, a list, the work
 * tree) is the diff's business.
 *
 * Merged into selector/selector.h once the diff's half of that header
 * settles; until then this is the selection half of selector's public
 * interface.
 */
#ifndef SL_SELECTOR_SELECT_H
#define SL_SELECTOR_SELECT_H

#include "common/common.h"
#include "rules/rules.h"
#include "selector/selector.h"

/* The rules file's path in the repository (SPEC.md §1). */
#define SL_RULES_FILE "sluice.yml"

/* Reasons kept per gate; the rest are counted in more_reasons. */
#define SL_REASONS_MAX 10

/* One name a change touched (a rename touches two). Borrowed. */
struct sl_touched {
	const char *path;
	size_t len;
	unsigned flags; /* SL_MATCH_DIR for a submodule */
};

/* Which copy of the rules selected a gate. */
enum { SL_BY_BASE = 1 << 0, SL_BY_HEAD = 1 << 1 };

/* One gate's verdict. */
struct sl_pick {
	const struct sl_gate *gate;   /* borrowed from rules */
	const struct sl_rules *rules; /* the copy whose definition runs */
	/*
	 * The gate as the copy that selected it defines it: its lane and
	 * `when` decide which changed paths it sees (the head's copy may have
	 * selected a gate that runs as the trusted copy defines it).
	 */
	const struct sl_gate *decided_by;
	bool selected;
	unsigned by; /* SL_BY_BASE | SL_BY_HEAD, when selected */
	/*
	 * Selected: chains from a changed path ("a.proto -> lane contracts
	 * <- consumed by billing"); not selected: one sentence saying why.
	 */
	struct sl_strvec reasons;
	size_t more_reasons; /* reasons left out past SL_REASONS_MAX */
	/* Lanes of rules whose changes brought the gate in (smoke gates). */
	size_t *sources;
	size_t nsources;
};

struct sl_selection {
	const struct sl_rules *base; /* borrowed: the trusted copy */
	const struct sl_rules *head; /* borrowed: the head's copy, or NULL */
	bool run_all;
	bool rules_changed; /* a head copy of the rules took part */
	bool degraded;	    /* the base was unavailable: everything runs */
	struct sl_strvec run_all_reasons;
	size_t run_all_more; /* run-all reasons left out */
	/* Per touched name: its deciding rule under the trusted copy. */
	const struct sl_rule **owner;
	/* The same under the head's copy (NULL without one). */
	const struct sl_rule **owner_head;
	size_t ntouched;
	/*
	 * Every gate: the trusted copy's in file order, then gates only the
	 * head's copy has. Selected ones keep that order.
	 */
	struct sl_pick *picks;
	size_t npicks;
	size_t nselected;
};

struct sl_select_options {
	const struct sl_rules *base; /* the trusted copy (required) */
	/* The head's copy when the diff changes the rules file, else NULL. */
	const struct sl_rules *head;
	/* The base is unavailable (--if-missing-base=run-all): select all. */
	bool base_unavailable;
	/* Why, for the run-all reason (e.g. the base's name). */
	const char *degraded_reason;
};

/*
 * Selects gates for the touched names (SPEC.md §2). When opts->head is set
 * the result is the union of what both copies select; a gate both copies
 * define runs as the trusted copy defines it. Returns 0; SL_EREFUSED when
 * a touched name is owned by no lane and the rules say `unowned: fail`;
 * SL_ERULES when a pattern hit a limit. Caller owns *out (free with
 * sl_selection_free()); it borrows the rules and the touched names.
 */
int sl_select(struct sl_selection **out, const struct sl_select_options *opts,
	      const struct sl_touched *touched, size_t ntouched,
	      struct sl_error *err);

void sl_selection_free(struct sl_selection *sel);

/* The pick for the gate named name, or NULL. Borrowed. */
const struct sl_pick *sl_selection_find(const struct sl_selection *sel,
					const char *name);

/*
 * Calls fn(index, payload) for each touched name relevant to pick's gate,
 * in order: what SLUICE_CHANGED lists. For a run-all every name is
 * relevant; otherwise the names that brought the gate in (its `when`
 * applied). Stops and returns fn's value when it is not 0; SL_ERULES when
 * a pattern hit a limit.
 */
int sl_pick_foreach_path(const struct sl_selection *sel,
			 const struct sl_pick *pick,
			 const struct sl_touched *touched,
			 int (*fn)(size_t index, void *payload), void *payload,
			 struct sl_error *err);

/* ---- the plan: diff, trusted rules, selection (selector/plan.c) ----- */

struct sl_plan_options {
	struct sl_diff_options diff;
	/* --rules FILE or $SLUICE_RULES: read from disk, trusting it. */
	const char *rules_file;
};

/*
 * Everything a selecting command needs, built once: the diff, the rules
 * that apply and the selection. Owns all of it.
 */
struct sl_plan {
	struct sl_diff *diff;
	/* The trusted copy (SPEC.md §1): at the merge-base; or --rules;
	 * or the head's, when the base has none or is unavailable. */
	struct sl_rules *rules;
	/* The head's copy when the change edits the rules file; else NULL. */
	struct sl_rules *head_rules;
	bool rules_changed;
	/* The trusted copy's blob id; "" when it was not read from a commit. */
	char rules_blob[SL_OID_HEXSZ + 1];
	/* The commit it was read at (files it names, like allowed_signers,
	 * are read there too); "" when it came from disk (--rules). */
	char rules_commit[SL_OID_HEXSZ + 1];
	char *rules_source; /* what messages call the trusted copy */
	char *root;	    /* the work tree's root; NULL when bare */
	/* The names the changes touch (sl_change_list_names()) and the same
	 * as selection sees them, index for index. */
	struct sl_change_name *names;
	struct sl_touched *touched;
	size_t nnames;
	struct sl_selection *selection;
};

/*
 * Runs the diff, chooses the rules (the trusted copy at the merge-base, and
 * the head's when the change edits the rules file, so that a change cannot
 * switch off its own gates), and selects. Returns the diff's, the rules'
 * and selection's errors as they are: SL_EENV for git, SL_ERULES for a bad
 * or missing rules file, SL_EREFUSED for `unowned: fail`. Caller owns *out
 * (sl_plan_free()).
 */
int sl_plan_build(struct sl_plan **out, struct sl_repo *repo,
		  const struct sl_plan_options *opts, struct sl_error *err);
void sl_plan_free(struct sl_plan *plan);

/* ---- output (selector/format_*.c) --------------------------------- */

enum sl_select_format {
	SL_FORMAT_TEXT,
	SL_FORMAT_JSON,
	SL_FORMAT_GITHUB_MATRIX,
	SL_FORMAT_GITLAB_CI
};

/* The format named name ("text", "json", ...); -1 when there is none. */
int sl_select_format_parse(enum sl_select_format *out, const char *name);

/*
 * Appends the plan's selection to out (docs/formats.md): text for people,
 * grouped by kind with reasons; JSON (SPEC.md §2-§4); a GitHub Actions
 * matrix object; a GitLab CI child pipeline with one job per gate.
 */
void sl_plan_write(struct sl_buf *out, const struct sl_plan *plan,
		   enum sl_select_format format);

/*
 * Appends, for each argument, why the gate it names was or was not
 * selected, or which lane and owners the path it names has, which rule
 * decided it and whether the diff touched it; with no arguments, every
 * gate. Returns SL_ERULES when a pattern hit a limit.
 */
int sl_plan_explain(struct sl_buf *out, const struct sl_plan *plan,
		    char *const *args, size_t nargs, struct sl_error *err);

#endif
