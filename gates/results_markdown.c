/*
 * results_markdown.c: a run as GitHub-flavoured markdown, written for
 * $GITHUB_STEP_SUMMARY: the verdict first, a table of gates with why each
 * ran, then the log tail of each failure. Table cells escape what would
 * break a row; code blocks use a fence longer than any backtick run in the
 * log, so no log can end its block early.
 */
#include "common/common.h"

#include "gates/gates.h"

#define TAIL_LINES 40
#define TAIL_BYTES 8192

static const char *status_icon(enum sl_job_status st)
{
	switch (st) {
	case SL_JOB_PASSED:
		return "✅";
	case SL_JOB_OVERRIDDEN:
		return "⚠️";
	case SL_JOB_SKIPPED:
		return "⏭️";
	default:
		return "❌";
	}
}

/*
 * Appends text for a table cell: one line, no unescaped | or markup, and
 * no control byte raw (sl_buf_add_safe(): a newline is "\n", ESC "\033").
 */
static void cell(struct sl_buf *out, const char *text)
{
	struct sl_buf safe = SL_BUF_INIT;
	size_t i;

	sl_buf_add_safe(&safe, text, strlen(text), 0);
	for (i = 0; i < safe.len; i++) {
		char c = safe.buf[i];

		if (c == '|' || c == '\\' || c == '`' || c == '*' || c == '_' ||
		    c == '<' || c == '>' || c == '[' || c == ']')
			sl_buf_addch(out, '\\');
		sl_buf_addch(out, c);
	}
	sl_buf_release(&safe);
}

/* A commit id in a code span: at most 12 characters, no backtick. */
static void commit_span(struct sl_buf *out, const char *id)
{
	struct sl_buf safe = SL_BUF_INIT;
	size_t i;

	sl_buf_add_safe(&safe, id ? id : "", id ? strnlen(id, 12) : 0, 0);
	sl_buf_addch(out, '`');
	for (i = 0; i < safe.len; i++)
		sl_buf_addch(out, safe.buf[i] == '`' ? '\'' : safe.buf[i]);
	sl_buf_addch(out, '`');
	sl_buf_release(&safe);
}

static void status_text(struct sl_buf *out, const struct sl_gate_result *g)
{
	sl_buf_addf(out, "%s %s", status_icon(g->status),
		    sl_job_status_name(g->status));
	if (g->status == SL_JOB_FAILED && g->signal)
		sl_buf_addf(out, " (signal %d)", g->signal);
	else if (g->status == SL_JOB_FAILED && g->exit_code >= 0)
		sl_buf_addf(out, " (exit %d)", g->exit_code);
	else if (g->has_override)
		sl_buf_addf(out, " (override %" PRId64 ")", g->override.id);
	if (g->flaky)
		sl_buf_addf(out, " (flaky: %u attempts)", g->attempts);
	if (g->log_incomplete)
		sl_buf_adds(out, " (log incomplete)");
	if (g->same_run_as)
		sl_buf_addf(out, " (same run as %s)", g->same_run_as);
}

static void table_row(struct sl_buf *out, const struct sl_gate_result *g)
{
	struct sl_buf st = SL_BUF_INIT;

	sl_buf_adds(out, "| ");
	cell(out, g->name);
	sl_buf_adds(out, " | ");
	cell(out, g->kind ? g->kind : "");
	sl_buf_adds(out, " | ");
	cell(out, g->lane ? g->lane : "");
	status_text(&st, g);
	sl_buf_adds(out, " | ");
	cell(out, st.buf);
	sl_buf_addf(out, " | %.1fs | ", (double)g->duration_ms / 1000);
	if (g->reasons.n)
		cell(out, g->reasons.v[0]);
	if (g->reasons.n > 1)
		sl_buf_addf(out, " (+%zu more)", g->reasons.n - 1);
	sl_buf_adds(out, " |\n");
	sl_buf_release(&st);
}

static size_t longest_backtick_run(const struct sl_buf *text)
{
	size_t i, run = 0, best = 0;

	for (i = 0; i < text->len; i++) {
		run = text->buf[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static void fence(struct sl_buf *out, size_t n)
{
	while (n--)
		sl_buf_addch(out, '`');
}

static void failure_section(struct sl_buf *out, const struct sl_gate_result *g)
{
	struct sl_buf tail = SL_BUF_INIT, utf8 = SL_BUF_INIT;
	size_t ticks;

	sl_buf_addf(out, "\n### %s ", status_icon(g->status));
	cell(out, g->name);
	sl_buf_addch(out, '\n');
	if (g->error) {
		sl_buf_adds(out, "\n");
		cell(out, g->error);
		sl_buf_adds(out, "\n");
	}
	if (g->override_note) {
		sl_buf_adds(out, "\nNot overridden: ");
		cell(out, g->override_note);
		sl_buf_adds(out, "\n");
	}
	if (g->log_incomplete) {
		sl_buf_adds(out, "\n**Log incomplete:** ");
		cell(out, g->log_incomplete);
		sl_buf_adds(out, "\n");
	}
	sl_log_tail(&tail, g->log, TAIL_LINES, TAIL_BYTES);
	if (!tail.len)
		goto out;
	/* A log is input: lines stay lines, no other control byte is raw. */
	sl_buf_add_safe(&utf8, tail.buf, tail.len, SL_SAFE_LINES);
	ticks = longest_backtick_run(&utf8) + 1;
	sl_buf_adds(out, "\n<details open><summary>log tail</summary>\n\n");
	fence(out, ticks < 3 ? 3 : ticks);
	sl_buf_adds(out, "text\n");
	sl_buf_add(out, utf8.buf, utf8.len);
	if (utf8.len && utf8.buf[utf8.len - 1] != '\n')
		sl_buf_addch(out, '\n');
	fence(out, ticks < 3 ? 3 : ticks);
	sl_buf_adds(out, "\n\n</details>\n");
out:
	sl_buf_release(&tail);
	sl_buf_release(&utf8);
}

/* A shard answers for its own gates: the run's verdict is merge's. */
static void shard_note(struct sl_buf *out, const struct sl_results *results)
{
	struct sl_strvec others = SL_STRVEC_INIT;

	sl_results_not_run(&others, results);
	sl_buf_addf(out,
		    "\nA shard of a fanned-out run: it answers for the gates "
		    "it ran; %zu more selected gate%s for other shards, and "
		    "`sluice merge` gives the run's verdict.\n",
		    others.n, others.n == 1 ? " is" : "s are");
	sl_strvec_release(&others);
}

static void headline(struct sl_buf *out, const struct sl_results *results)
{
	size_t count[SL_JOB_OVERRIDDEN + 1] = {0}, i;
	bool pass = sl_results_pass(results, NULL);

	for (i = 0; i < results->n; i++)
		count[results->gates[i].status]++;
	sl_buf_addf(out, "## sluice: %s %s\n\n", pass ? "✅" : "❌",
		    pass ? "pass" : "fail");
	sl_buf_addf(out, "%zu gates: %zu passed", results->n,
		    count[SL_JOB_PASSED]);
	if (count[SL_JOB_FAILED] + count[SL_JOB_TIMED_OUT])
		sl_buf_addf(out, ", %zu failed",
			    count[SL_JOB_FAILED] + count[SL_JOB_TIMED_OUT]);
	if (count[SL_JOB_OVERRIDDEN])
		sl_buf_addf(out, ", %zu overridden", count[SL_JOB_OVERRIDDEN]);
	if (count[SL_JOB_ERROR] + count[SL_JOB_PENDING])
		sl_buf_addf(out, ", %zu could not run",
			    count[SL_JOB_ERROR] + count[SL_JOB_PENDING]);
	if (count[SL_JOB_SKIPPED])
		sl_buf_addf(out, ", %zu skipped", count[SL_JOB_SKIPPED]);
	sl_buf_adds(out, ". Base ");
	commit_span(out, results->base);
	sl_buf_adds(out, ", head ");
	commit_span(out, results->head);
	sl_buf_adds(out, ".\n");
	if (results->shard)
		shard_note(out, results);
	if (results->degraded)
		sl_buf_adds(out, "\n**Degraded:** the base commit was not "
				 "available, so every gate ran.\n");
	if (results->rules_changed)
		sl_buf_adds(out, "\nThis change edits the rules file: gates "
				 "were selected by both its old and new "
				 "rules.\n");
}

void sl_results_write_markdown(struct sl_buf *out,
			       const struct sl_results *results)
{
	size_t i;

	headline(out, results);
	if (!results->n) {
		sl_buf_adds(out, "\nNo gate was selected for this change.\n");
		return;
	}
	sl_buf_adds(out, "\n| gate | kind | lane | status | time | selected "
			 "because |\n|---|---|---|---|---|---|\n");
	for (i = 0; i < results->n; i++)
		table_row(out, &results->gates[i]);
	for (i = 0; i < results->n; i++) {
		enum sl_job_status st = results->gates[i].status;

		if (st != SL_JOB_PASSED && st != SL_JOB_SKIPPED)
			failure_section(out, &results->gates[i]);
	}
}
