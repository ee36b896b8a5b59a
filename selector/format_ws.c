/*
 * format_ws.c: what `explain` says of workspaces (SPEC.md §7): which
 * manifest gave which lane and which edge, at which commit, the lanes
 * only the head's manifests give, and which lockfile entries selected
 * which lane (or why a lockfile could not be compared).
 */
#include "common/common.h"

#include "selector/internal.h"

static size_t count_edges(const struct sl_ws *ws)
{
	size_t i, n = 0;

	for (i = 0; i < ws->npkgs; i++)
		n += ws->pkgs[i].ndeps;
	return n;
}

static void write_pkg(struct sl_buf *out, const struct sl_ws *ws, size_t i)
{
	const struct sl_ws_pkg *p = &ws->pkgs[i];
	size_t j;

	sl_buf_adds(out, "  lane ");
	sl_buf_adds_safe(out, p->lane);
	sl_buf_adds(out, " <- ");
	sl_buf_adds_safe(out, p->manifest);
	sl_buf_adds(out, " (");
	sl_buf_adds_safe(out, p->name);
	sl_buf_addch(out, ')');
	for (j = 0; j < p->ndeps; j++) {
		sl_buf_adds(out, j ? ", " : "; consumes ");
		sl_buf_adds_safe(out, ws->pkgs[p->deps[j].to].lane);
		sl_buf_addf(out, " (%s)", p->deps[j].field);
	}
	sl_buf_addch(out, '\n');
}

static bool has_lane(const struct sl_ws *ws, const char *lane)
{
	size_t i;

	for (i = 0; i < ws->npkgs; i++)
		if (!strcmp(ws->pkgs[i].lane, lane))
			return true;
	return false;
}

static void write_ws(struct sl_buf *out, const struct sl_plan *plan, size_t k)
{
	const struct sl_ws *ws = plan->ws[k];
	const struct sl_ws_rule *w = &plan->rules->workspaces[k];
	size_t i, h;

	sl_buf_addf(out, "workspace %s at %s (", sl_ws_kind_name(ws->kind),
		    *ws->root ? ws->root : ".");
	sl_buf_adds_safe(out, plan->rules->file);
	sl_buf_addf(out,
		    ":%u): %zu lane%s, %zu edge%s, from the manifests at "
		    "%.12s\n",
		    w->pos.line, ws->npkgs, ws->npkgs == 1 ? "" : "s",
		    count_edges(ws), count_edges(ws) == 1 ? "" : "s",
		    plan->ws_commit);
	for (i = 0; i < ws->npkgs; i++)
		write_pkg(out, ws, i);
	for (h = 0; h < plan->nhead_ws; h++) {
		const struct sl_ws *hw = plan->head_ws[h];

		if (hw->kind != ws->kind || strcmp(hw->root, ws->root))
			continue;
		for (i = 0; i < hw->npkgs; i++) {
			if (has_lane(ws, hw->pkgs[i].lane))
				continue;
			sl_buf_adds(out, "  head manifests:");
			write_pkg(out, hw, i);
		}
	}
}

static void write_lockfile(struct sl_buf *out,
			   const struct sl_plan_lockfile *lf)
{
	const struct sl_ws_changes *c = &lf->changes;
	size_t i;

	sl_buf_adds(out, "lockfile ");
	sl_buf_adds_safe(out, lf->path);
	if (lf->failed) {
		sl_buf_adds(out, ": cannot be compared, so every lane of its "
				 "workspace is selected: ");
		sl_buf_adds_safe(out, lf->failed);
		sl_buf_addch(out, '\n');
		return;
	}
	sl_buf_addf(out, ": %zu entr%s changed\n", c->nchanged,
		    c->nchanged == 1 ? "y" : "ies");
	for (i = 0; i < c->nhits; i++) {
		sl_buf_adds(out, "  lane ");
		sl_buf_adds_safe(out, c->hits[i].lane);
		sl_buf_adds(out, ": ");
		sl_buf_adds_safe(out, c->hits[i].entry);
		sl_buf_addch(out, '\n');
	}
	for (i = 0; i < c->unattributed.n; i++) {
		sl_buf_adds(out, "  no package (the path stays changed): ");
		sl_buf_adds_safe(out, c->unattributed.v[i]);
		sl_buf_addch(out, '\n');
	}
}

void sl_plan_write_workspaces(struct sl_buf *out, const struct sl_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nws; i++)
		write_ws(out, plan, i);
	for (i = 0; i < plan->nlockfiles; i++)
		write_lockfile(out, &plan->lockfiles[i]);
}
