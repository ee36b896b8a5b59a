/*
 * rules/coverage_internal.h: what the files of sl_check_tree() share and
 * nothing outside rules/ may include. The state of one check (the paths
 * grouped by the lane that owns them, the paths each rule decides), adding
 * a finding, the lanes upstream of a lane, and the pass that tells which of
 * a list of patterns match one of a set of paths.
 */
#ifndef SL_RULES_COVERAGE_INTERNAL_H
#define SL_RULES_COVERAGE_INTERNAL_H

#include "common/common.h"

#include "rules/rules.h"

struct sl_cov {
	const struct sl_rules *rules;
	const struct sl_check_path *paths;
	size_t n;
	struct sl_check_report *report;
	/*
	 * The paths' indices grouped by the lane that owns them: lane l's
	 * are by_lane[lane_start[l] .. lane_start[l + 1]), in order; the
	 * unowned ones come last, as lane rules->nlanes.
	 */
	size_t *by_lane;
	size_t *lane_start;
	size_t *decided; /* per ownership rule: how many paths it decides */
};

/*
 * Adds a finding with a formatted message to report and counts it. The
 * finding is about nothing and nowhere until the caller says otherwise.
 */
struct sl_finding *sl_cov_add(struct sl_check_report *report,
			      enum sl_finding_kind kind,
			      enum sl_severity severity, const char *fmt, ...)
    SL_PRINTF(4, 5);

/*
 * The lanes that lane consumes: directly, or with rules->consumers
 * transitive, through a chain. Writes their indices to out (room for
 * rules->nlanes) and returns how many; seen (room for rules->nlanes) is
 * scratch.
 */
size_t sl_cov_upstream(size_t *out, bool *seen, const struct sl_rules *rules,
		       size_t lane);

/*
 * Which of patterns[0..npatterns) match one of the paths whose indices are
 * idx[0..m): sets hit[k] to the index of a path pattern k matches, and
 * leaves hit[k] as it is (SIZE_MAX: none found yet) otherwise; patterns
 * whose hit[k] is already set are not tested. Each pass looks every path
 * up in an index of the patterns not found yet, finding the last one it
 * matches, and drops the paths that match none; the index is rebuilt
 * without the patterns found between passes, and within one when many
 * paths find the same pattern. The cost is the number of paths times how
 * many of the patterns overlap on one path, not the number of patterns.
 * Returns SL_ERULES when a pattern hits a match limit.
 */
int sl_cov_hits(size_t *hit, const struct sl_rule *const *patterns,
		size_t npatterns, const struct sl_check_path *paths,
		const size_t *idx, size_t m, struct sl_error *err);

/*
 * Puts the findings of report about a line of the rules file back in file
 * order after more were added: findings[0..keep) are the sorted ones,
 * [keep..before) the ones about no line, and those from before on are
 * new; the new ones about no line go last.
 */
void sl_cov_sort(struct sl_check_report *report, size_t keep, size_t before);

/* The ownership patterns that decide no path (coverage_dead.c). */
int sl_cov_dead_rules(struct sl_cov *c, struct sl_error *err);

/* The run_all_on and `when` patterns that match no path they could see. */
int sl_cov_unused_patterns(struct sl_cov *c, struct sl_error *err);

#endif
