/*
 * coverage_ws.c: what `check` says of workspaces (SPEC.md §7,
 * docs/workspaces.md): for each `workspaces` entry, a note with the lanes
 * it derived and the count of lanes and edges; and a warning for each
 * written `consumes` of a derived lane that names another lane derived
 * from the same workspace when the manifests have no such dependency: the
 * rules and the manifests disagree, and one of them is wrong.
 */
#include "common/common.h"

#include "rules/coverage_internal.h"

/* Lanes named in a note; past it, how many more. */
#define LANES_NAMED 20

static void note_workspace(struct sl_check_report *report,
			   const struct sl_rules *rules, size_t w,
			   const struct sl_ws *ws)
{
	struct sl_buf names = SL_BUF_INIT;
	struct sl_finding *f;
	size_t i, edges = 0;

	for (i = 0; i < ws->npkgs; i++) {
		edges += ws->pkgs[i].ndeps;
		if (i < LANES_NAMED)
			sl_buf_addf(&names, "%s%s", i ? ", " : "",
				    ws->pkgs[i].lane);
	}
	if (ws->npkgs > LANES_NAMED)
		sl_buf_addf(&names, ", and %zu more", ws->npkgs - LANES_NAMED);
	f = sl_cov_add(report, SL_FINDING_WORKSPACE, SL_SEVERITY_NOTE,
		       "workspace %s at %s derives %zu lane%s and %zu "
		       "edge%s from its manifests: %s",
		       sl_ws_kind_name(ws->kind), *ws->root ? ws->root : ".",
		       ws->npkgs, ws->npkgs == 1 ? "" : "s", edges,
		       edges == 1 ? "" : "s", ws->npkgs ? names.buf : "none");
	f->file = rules->file;
	f->pos = rules->workspaces[w].pos;
	sl_buf_release(&names);
}

static void contradictions(struct sl_check_report *report,
			   const struct sl_rules *rules, size_t l)
{
	const struct sl_lane *lane = &rules->lanes[l];
	size_t i;

	for (i = lane->nderived; i < lane->nconsumes; i++) {
		const struct sl_lane *to = &rules->lanes[lane->consumes[i]];
		struct sl_finding *f;

		if (!to->manifest || to->workspace != lane->workspace)
			continue;
		f = sl_cov_add(report, SL_FINDING_CONSUMES_CONTRADICTS,
			       SL_SEVERITY_WARNING,
			       "lane '%s' consumes '%s' as written, but %s "
			       "does not depend on %s's package: add the "
			       "dependency to the manifest, or remove '%s' "
			       "from consumes",
			       lane->name, to->name, lane->manifest, to->name,
			       to->name);
		f->file = rules->file;
		f->pos = lane->pos;
		f->lane = l;
	}
}

void sl_check_workspaces(struct sl_check_report *report,
			 const struct sl_rules *rules, struct sl_ws *const *ws)
{
	size_t i, keep, before = report->nfindings;

	for (i = 0; i < rules->nworkspaces; i++)
		note_workspace(report, rules, i, ws[i]);
	for (i = 0; i < rules->nlanes; i++)
		if (rules->lanes[i].manifest)
			contradictions(report, rules, i);
	/* Each at its place among the rules file's findings, which stay in
	 * file order before those about no line (the unowned files, ...). */
	for (keep = 0; keep < before && report->findings[keep].file; keep++)
		;
	sl_cov_sort(report, keep, before);
}
