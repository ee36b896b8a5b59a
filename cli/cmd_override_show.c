/*
 * cmd_override_show.c: `sluice override list`, `log` and `verify`: the
 * ledger read back for people (aligned tables, times in RFC 3339 UTC) and
 * for tools (JSON records from gates/). Reading verifies the chain (the
 * library does): a damaged ledger is an error here too, never an empty
 * list.
 */
#include "common/common.h"

#include <jansson.h>

#include "cli/cmd_override.h"

/* A table of text cells, ncols a row, printed aligned. */
struct table {
	struct sl_strvec cells;
	size_t ncols;
};

/* Appends the table, columns two spaces apart, the last one unpadded. */
static void table_write(struct sl_buf *out, const struct table *t)
{
	size_t *width = sl_xcalloc(t->ncols, sizeof(*width));
	size_t i, len;

	for (i = 0; i < t->cells.n; i++) {
		len = strlen(t->cells.v[i]);
		if (len > width[i % t->ncols])
			width[i % t->ncols] = len;
	}
	for (i = 0; i < t->cells.n; i++) {
		bool last = i % t->ncols == t->ncols - 1;

		if (last)
			sl_buf_addf(out, "%s\n", t->cells.v[i]);
		else
			sl_buf_addf(out, "%-*s  ", (int)width[i % t->ncols],
				    t->cells.v[i]);
	}
	free(width);
}

static char *time_text(int64_t t)
{
	struct sl_buf b = SL_BUF_INIT;

	sl_override_time_format(&b, t);
	return sl_buf_detach(&b, NULL);
}

/* Prints root (stolen) as indented JSON. */
static void print_json(json_t *root)
{
	struct sl_buf out = SL_BUF_INIT;

	sl_json_dump(&out, root, JSON_INDENT(2));
	cli_print(&out);
	sl_buf_release(&out);
}

/* ---- list --------------------------------------------------------------- */

/* Who made the override what it is now: a revoke, else the decision. */
static const char *decider(const struct sl_override *ov)
{
	if (ov->state == SL_OVERRIDE_REVOKED && ov->revoked_by)
		return ov->revoked_by;
	return ov->decided_by ? ov->decided_by : "-";
}

static void list_text(struct sl_buf *out, const struct sl_override_list *list)
{
	struct table t = {SL_STRVEC_INIT, 7};
	const struct sl_override *ov;
	size_t i;

	sl_strvec_push(&t.cells, "ID");
	sl_strvec_push(&t.cells, "STATE");
	sl_strvec_push(&t.cells, "GATE");
	sl_strvec_push(&t.cells, "COMMIT");
	sl_strvec_push(&t.cells, "REQUESTED BY");
	sl_strvec_push(&t.cells, "DECIDED BY");
	sl_strvec_push(&t.cells, "EXPIRES");
	for (i = 0; i < list->n; i++) {
		ov = &list->items[i];
		sl_strvec_pushf(&t.cells, "%" PRId64, ov->id);
		sl_strvec_push(&t.cells, sl_override_state_name(ov->state));
		sl_strvec_push(&t.cells, ov->gate);
		sl_strvec_pushf(&t.cells, "%.12s", ov->commit);
		sl_strvec_push(&t.cells, ov->requested_by);
		sl_strvec_push(&t.cells, decider(ov));
		sl_strvec_push_take(&t.cells, time_text(ov->expires_at));
	}
	table_write(out, &t);
	sl_strvec_release(&t.cells);
}

int ov_list(struct ov_ctx *ctx, struct sl_error *err)
{
	const struct ov_opts *o = ctx->opts;
	struct sl_ledger_list_options lo = SL_LEDGER_LIST_OPTIONS_INIT;
	struct sl_override_list list = SL_OVERRIDE_LIST_INIT;
	struct sl_buf out = SL_BUF_INIT;
	json_t *root, *items;
	size_t i;
	int ret = ov_ledger_open(ctx, false, true, err);

	lo.all = o->all;
	lo.gate = o->gate;
	if (!ret)
		ret = sl_ledger_list(&list, ctx->ledger, &lo, err);
	if (!ret && o->json) {
		items = json_array();
		for (i = 0; i < list.n; i++)
			sl_json_append(items, sl_override_json(&list.items[i]));
		root = json_object();
		sl_json_set(root, "overrides", items); /* takes items */
		print_json(root);
	} else if (!ret && list.n) {
		list_text(&out, &list);
	} else if (!ret) {
		sl_buf_addf(&out, "no %s%s%s%s\n",
			    o->all ? "overrides"
				   : "open requests or active "
				     "overrides",
			    o->gate ? " of gate '" : "", o->gate ? o->gate : "",
			    o->gate ? "'" : "");
	}
	cli_print(&out);
	sl_override_list_release(&list);
	sl_buf_release(&out);
	return ret;
}

/* ---- log ------------------------------------------------------------- */

/* What an event says; which override, unless the log is of one only. */
static void event_detail(struct sl_buf *out, const struct sl_ledger_event *ev,
			 bool name_override)
{
	if (ev->kind == SL_LEDGER_REQUEST) {
		sl_buf_addf(out, "%s @ %.12s  ", ev->gate, ev->commit);
		ov_quote(out, ev->reason);
		return;
	}
	if (name_override)
		sl_buf_addf(out, "override %" PRId64 "  ", ev->override_id);
	if (ev->kind == SL_LEDGER_APPLIED) {
		sl_buf_addf(out, "run %s", ev->run_id);
		if (*ev->reason)
			sl_buf_addf(out, " (at merge commit %.12s)",
				    ev->reason);
		return;
	}
	if (*ev->signature)
		sl_buf_adds(out, "(signed)  ");
	ov_quote(out, ev->reason);
}

static void log_text(struct sl_buf *out, const struct sl_ledger_log *log,
		     bool name_override)
{
	struct table t = {SL_STRVEC_INIT, 5};
	const struct sl_ledger_event *ev;
	struct sl_buf detail = SL_BUF_INIT;
	size_t i;

	for (i = 0; i < log->n; i++) {
		ev = &log->events[i];
		sl_strvec_pushf(&t.cells, "#%" PRId64, ev->seq);
		sl_strvec_push_take(&t.cells, time_text(ev->at));
		sl_strvec_push(&t.cells, sl_ledger_kind_name(ev->kind));
		sl_strvec_push(&t.cells, *ev->actor ? ev->actor : "-");
		sl_buf_reset(&detail);
		event_detail(&detail, ev, name_override);
		sl_strvec_push(&t.cells, detail.buf);
	}
	table_write(out, &t);
	sl_strvec_release(&t.cells);
	sl_buf_release(&detail);
}

int ov_log(struct ov_ctx *ctx, struct sl_error *err)
{
	const struct ov_opts *o = ctx->opts;
	struct sl_ledger_log log = SL_LEDGER_LOG_INIT;
	struct sl_buf out = SL_BUF_INIT;
	int64_t id = 0;
	json_t *root, *events;
	size_t i;
	int ret = o->nargs ? ov_parse_id(&id, o->args[0], err) : 0;

	if (!ret)
		ret = ov_ledger_open(ctx, false, true, err);
	if (!ret)
		ret = sl_ledger_log(&log, ctx->ledger, id, err);
	if (!ret && o->json) {
		events = json_array();
		for (i = 0; i < log.n; i++)
			sl_json_append(events,
				       sl_ledger_event_json(&log.events[i]));
		root = json_object();
		sl_json_set(root, "events", events); /* takes events */
		print_json(root);
	} else if (!ret && log.n) {
		log_text(&out, &log, id == 0);
	} else if (!ret) {
		sl_buf_adds(&out, "the ledger is empty\n");
	}
	cli_print(&out);
	sl_ledger_log_release(&log);
	sl_buf_release(&out);
	return ret;
}

/* ---- verify ------------------------------------------------------------ */

#define ZEROS8 "00000000"
static const char zero_hash[] =
    ZEROS8 ZEROS8 ZEROS8 ZEROS8 ZEROS8 ZEROS8 ZEROS8 ZEROS8;

int ov_verify(struct ov_ctx *ctx, struct sl_error *err)
{
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	int ret = ov_ledger_open(ctx, false, true, err);

	if (!ret)
		ret = sl_ledger_verify(&report, ctx->ledger, ctx->opts->anchor,
				       err);
	if (!ret && ctx->share.on) {
		const struct sl_ledger_sync_result *r = &ctx->sync;

		printf("ledger %s on %s: %" PRId64 " event%s verified\n",
		       ctx->share.ref, ctx->share.remote, r->events,
		       r->events == 1 ? "" : "s");
		printf("working copy %s: %" PRId64 " event%s verified (%" PRId64
		       " not shared yet)\n",
		       sl_ledger_path(ctx->ledger), report.events,
		       report.events == 1 ? "" : "s", r->pending);
		if (ctx->opts->anchor)
			printf("pinned anchor %s: holds\n", ctx->opts->anchor);
		/* The shared chain's anchor: what every clone can pin. */
		printf("anchor: %" PRId64 ":%s\n", r->events, r->head);
	} else if (!ret) {
		printf("ledger %s: %" PRId64 " event%s verified\n",
		       sl_ledger_path(ctx->ledger), report.events,
		       report.events == 1 ? "" : "s");
		if (ctx->opts->anchor)
			printf("pinned anchor %s: holds\n", ctx->opts->anchor);
		/* An empty ledger's anchor: the hash before the first event. */
		printf("anchor: %" PRId64 ":%s\n", report.events,
		       report.events ? report.head : zero_hash);
	}
	sl_ledger_report_release(&report);
	return ret;
}
