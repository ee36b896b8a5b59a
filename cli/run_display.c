/*
 * run_display.c: what `sluice run` shows while gates run and after. On a
 * terminal, one status line redrawn in place (done/total, the running
 * gates and their time) with a line per finished gate above it. Without
 * one (CI logs), one block per gate when it finishes, never interleaved,
 * holding its log, and while gates run longer than a heartbeat a line
 * saying which (so that a quiet log is not taken for a hung job); inside
 * GitHub Actions the blocks are ::group::s and each failure also gets an
 * ::error:: line. Then the verdict, and for each gate that did not pass,
 * its log and the command that reproduces it.
 */
#include "common/common.h"

#include <sys/ioctl.h>

#include "cli/run.h"

/* Without a terminal: a line saying what runs, after this much quiet. */
#define HEARTBEAT_MS (60 * 1000)

/* How much of a gate's log a CI block shows (its tail, past this). */
#define BLOCK_LOG_LINES 2000
#define BLOCK_LOG_BYTES (1024 * 1024)

void cli_display_init(struct cli_display *d, const struct sl_job *jobs,
		      size_t njobs)
{
	const char *term = getenv("TERM");
	const char *gha = getenv("GITHUB_ACTIONS");

	const char *beat = getenv("SLUICE_HEARTBEAT");

	memset(d, 0, sizeof(*d));
	d->fp = stdout;
	d->live = isatty(STDOUT_FILENO) && term && strcmp(term, "dumb");
	d->github = gha && !strcmp(gha, "true");
	/* SLUICE_HEARTBEAT=DURATION changes it; 0 or a bad value: none. */
	d->heartbeat_ms = HEARTBEAT_MS;
	if (beat && sl_duration_parse(&d->heartbeat_ms, beat))
		d->heartbeat_ms = 0;
	d->jobs = jobs;
	d->njobs = njobs;
	d->started_ms = sl_xcalloc(njobs + 1, sizeof(*d->started_ms));
}

void cli_display_use(struct cli_display *d, FILE *fp)
{
	const char *term = getenv("TERM");

	d->fp = fp;
	d->live = isatty(fileno(fp)) && term && strcmp(term, "dumb");
}

void cli_display_release(struct cli_display *d)
{
	free(d->started_ms);
}

static const char *mark(enum sl_job_status st)
{
	switch (st) {
	case SL_JOB_PASSED:
		return "✓";
	case SL_JOB_OVERRIDDEN:
		return "⚠";
	case SL_JOB_SKIPPED:
		return "-";
	default:
		return "✗";
	}
}

/* The colour of a status's mark, or "" without colour. */
static const char *paint(const struct cli_display *d, enum sl_job_status st)
{
	switch (st) {
	case SL_JOB_PASSED:
		return cli_paint(d->fp, CLI_PAINT_GOOD);
	case SL_JOB_OVERRIDDEN:
		return cli_paint(d->fp, CLI_PAINT_WARN);
	case SL_JOB_SKIPPED:
		return cli_paint(d->fp, CLI_PAINT_DIM);
	default:
		return cli_paint(d->fp, CLI_PAINT_BAD);
	}
}

/* "passed in 1.2s", "failed (exit 1) after 0.3s", ... */
static void outcome(struct sl_buf *out, const struct sl_job_result *r)
{
	sl_buf_adds(out, sl_job_status_name(r->status));
	if (r->status == SL_JOB_FAILED && r->signal)
		sl_buf_addf(out, " (signal %d)", r->signal);
	else if (r->status == SL_JOB_FAILED)
		sl_buf_addf(out, " (exit %d)", r->exit_code);
	else if ((r->status == SL_JOB_ERROR || r->status == SL_JOB_SKIPPED) &&
		 r->error)
		sl_buf_addf(out, " (%s)", r->error);
	if (r->status != SL_JOB_SKIPPED)
		sl_buf_addf(out, " %s %.1fs",
			    r->status == SL_JOB_PASSED ? "in" : "after",
			    (double)r->duration_ms / 1000);
	if (r->flaky)
		sl_buf_addf(out, ", flaky: passed on attempt %u", r->attempts);
}

static void clear_line(struct cli_display *d)
{
	if (d->line_drawn)
		fputs("\r\033[K", d->fp);
	d->line_drawn = false;
}

/* The terminal's width in columns (80 when it does not say). */
static size_t terminal_width(FILE *fp)
{
	struct winsize ws;

	if (ioctl(fileno(fp), TIOCGWINSZ, &ws) || ws.ws_col < 2)
		return 80;
	return ws.ws_col;
}

/* Without a terminal: after a quiet heartbeat, the gates still running. */
static void heartbeat(struct cli_display *d, const struct sl_run_event *ev)
{
	size_t i, shown = 0;

	if (!d->heartbeat_ms || !ev->running ||
	    ev->elapsed_ms < d->last_output_ms + d->heartbeat_ms)
		return;
	fprintf(d->fp,
		"sluice: %zu of %zu gates finished; running:", ev->finished,
		ev->total);
	for (i = 0; i < d->njobs && shown < 8; i++) {
		if (!d->started_ms[i])
			continue;
		fprintf(d->fp, "%s %s (%.0fs)", shown ? "," : "",
			d->jobs[i].name,
			(double)(ev->elapsed_ms + 1 - d->started_ms[i]) / 1000);
		shown++;
	}
	if (ev->running > shown)
		fprintf(d->fp, " and %zu more", ev->running - shown);
	fputc('\n', d->fp);
	fflush(d->fp);
	d->last_output_ms = ev->elapsed_ms;
}

static void draw_line(struct cli_display *d, const struct sl_run_event *ev)
{
	struct sl_buf line = SL_BUF_INIT;
	size_t i, shown = 0;

	sl_buf_addf(&line, "[%zu/%zu]", ev->finished, ev->total);
	for (i = 0; i < d->njobs && shown < 4; i++) {
		if (!d->started_ms[i])
			continue;
		sl_buf_addf(
		    &line, "%s %s %.0fs", shown ? "," : "", d->jobs[i].name,
		    (double)(ev->elapsed_ms + 1 - d->started_ms[i]) / 1000);
		shown++;
	}
	if (ev->running > shown)
		sl_buf_addf(&line, " +%zu more", ev->running - shown);
	if (d->failures)
		sl_buf_addf(&line, "  (%zu failed)", d->failures);
	clear_line(d);
	/*
	 * One row of the terminal, as wide as it is now, less the last
	 * column (writing there wraps on some terminals): a line that
	 * wrapped could not be erased by the next redraw. Every byte of it
	 * is one ASCII column (gate names are ASCII).
	 */
	fprintf(d->fp, "%.*s", (int)(terminal_width(d->fp) - 1), line.buf);
	d->line_drawn = true;
	fflush(d->fp);
	sl_buf_release(&line);
}

static void print_log(FILE *fp, const char *path)
{
	struct sl_buf tail = SL_BUF_INIT;

	struct sl_buf shown = SL_BUF_INIT;

	sl_log_tail(&tail, path, BLOCK_LOG_LINES, BLOCK_LOG_BYTES);
	/* A gate's output is input: its lines as lines, every other
	 * control byte (a colour, a title, a cursor move) escaped. */
	sl_buf_add_safe(&shown, tail.buf, tail.len, SL_SAFE_LINES);
	fwrite(shown.buf, 1, shown.len, fp);
	if (shown.len && shown.buf[shown.len - 1] != '\n')
		fputc('\n', fp);
	sl_buf_release(&tail);
	sl_buf_release(&shown);
}

static void block(struct cli_display *d, const struct sl_job *job,
		  const struct sl_job_result *r)
{
	struct sl_buf what = SL_BUF_INIT;

	outcome(&what, r);
	if (d->github)
		cli_printf_safe(d->fp, "::group::%s %s: %s\n", mark(r->status),
				job->name, what.buf);
	else
		cli_printf_safe(d->fp, "== %s %s (%s%s%s): %s\n",
				mark(r->status), job->name, job->kind,
				*job->lane ? ", lane " : "", job->lane,
				what.buf);
	if (r->log_incomplete)
		cli_printf_safe(d->fp, "sluice: this log is incomplete: %s\n",
				r->log_incomplete);
	if (r->log)
		print_log(d->fp, r->log);
	if (d->github)
		fputs("::endgroup::\n", d->fp);
	else
		fputc('\n', d->fp);
	sl_buf_release(&what);
}

static void finished(struct cli_display *d, const struct sl_run_event *ev)
{
	const struct sl_job_result *r = ev->result;
	struct sl_buf what = SL_BUF_INIT;

	d->started_ms[ev->index] = 0;
	if (r->status != SL_JOB_PASSED && r->status != SL_JOB_SKIPPED)
		d->failures++;
	if (!d->live) {
		block(d, ev->job, r);
		fflush(d->fp);
		d->last_output_ms = ev->elapsed_ms;
		return;
	}
	outcome(&what, r);
	clear_line(d);
	fprintf(d->fp, "%s%s%s", paint(d, r->status), mark(r->status),
		cli_paint(d->fp, CLI_PAINT_RESET));
	cli_printf_safe(d->fp, " %s %s\n", ev->job->name, what.buf);
	sl_buf_release(&what);
	draw_line(d, ev);
}

void cli_display_event(void *data, const struct sl_run_event *ev)
{
	struct cli_display *d = data;

	switch (ev->type) {
	case SL_RUN_EVENT_STARTED:
		d->started_ms[ev->index] = ev->elapsed_ms + 1;
		if (d->live)
			draw_line(d, ev);
		break;
	case SL_RUN_EVENT_FINISHED:
		finished(d, ev);
		break;
	case SL_RUN_EVENT_TICK:
		if (d->live)
			draw_line(d, ev);
		else
			heartbeat(d, ev);
		break;
	}
}

/* ---- the summary ------------------------------------------------------ */

static void repro_hint(struct cli_display *d, const struct sl_gate_result *g,
		       const struct sl_plan *plan, const char *results_file)
{
	const struct sl_diff *diff = plan->diff;

	if (results_file)
		cli_printf_safe(d->fp,
				"    reproduce: sluice repro %s --results %s\n",
				g->name, results_file);
	else if (*diff->base)
		fprintf(d->fp,
			"    reproduce: sluice repro %s --base %.12s --head "
			"%.12s%s\n",
			g->name, diff->base, diff->head,
			strcmp(diff->base, diff->merge_base)
			    ? ""
			    : " --no-merge-base");
}

static void github_error(struct cli_display *d, const struct sl_gate_result *g)
{
	struct sl_buf line = SL_BUF_INIT;

	/* Workflow commands end at a newline: keep the message on one
	 * (a reason names a path, which may hold one). */
	sl_buf_addf(&line, "::error title=sluice gate %s::%s %s", g->name,
		    g->name, sl_job_status_name(g->status));
	if (g->status == SL_JOB_FAILED && g->signal)
		sl_buf_addf(&line, " (signal %d)", g->signal);
	else if (g->status == SL_JOB_FAILED)
		sl_buf_addf(&line, " (exit %d)", g->exit_code);
	if (g->reasons.n)
		sl_buf_addf(&line, "; selected because %s", g->reasons.v[0]);
	cli_printf_safe(d->fp, "%s\n", line.buf);
	sl_buf_release(&line);
}

static void gate_detail(struct cli_display *d, const struct sl_gate_result *g,
			const struct sl_plan *plan, const char *results_file)
{
	struct sl_buf line = SL_BUF_INIT;

	if (g->status == SL_JOB_OVERRIDDEN) {
		cli_printf_safe(
		    d->fp,
		    "  ⚠ %s failed, let through by override %" PRId64
		    " (requested by %s, approved by %s: %s)\n",
		    g->name, g->override.id, g->override.requested_by,
		    g->override.approved_by, g->override.reason);
		if (g->override.merged)
			cli_printf_safe(
			    d->fp,
			    "    requested for %.12s, the head this "
			    "merge commit merges onto the base\n",
			    g->override.commit);
		return;
	}
	fprintf(d->fp, "  %s%s%s", paint(d, g->status), mark(g->status),
		cli_paint(d->fp, CLI_PAINT_RESET));
	sl_buf_addf(&line, " %s: %s", g->name, sl_job_status_name(g->status));
	if (g->status == SL_JOB_FAILED && g->signal)
		sl_buf_addf(&line, " (killed by signal %d)", g->signal);
	else if (g->status == SL_JOB_FAILED)
		sl_buf_addf(&line, " (exit %d)", g->exit_code);
	if (g->error)
		sl_buf_addf(&line, ": %s", g->error);
	cli_printf_safe(d->fp, "%s\n", line.buf);
	sl_buf_release(&line);
	if (g->log)
		cli_printf_safe(d->fp, "    log: %s\n", g->log);
	if (g->log_incomplete)
		cli_printf_safe(d->fp, "    log incomplete: %s\n",
				g->log_incomplete);
	if (g->override_note)
		cli_printf_safe(d->fp, "    not overridden: %s\n",
				g->override_note);
	if (g->status != SL_JOB_SKIPPED)
		repro_hint(d, g, plan, results_file);
	if (d->github && g->status != SL_JOB_SKIPPED)
		github_error(d, g);
}

/* A shard answers for the gates it ran; the rest are other shards'. */
static void shard_note(struct cli_display *d, const struct sl_results *results)
{
	struct sl_strvec others = SL_STRVEC_INIT;

	sl_results_not_run(&others, results);
	if (others.n)
		fprintf(d->fp,
			" (a shard: %zu more selected gate%s for other "
			"shards; 'sluice merge' gives the run's verdict)",
			others.n, others.n == 1 ? " is" : "s are");
	sl_strvec_release(&others);
}

void cli_display_summary(struct cli_display *d,
			 const struct sl_results *results,
			 const struct sl_plan *plan, const char *results_file)
{
	size_t i, passed = 0, overridden = 0, reused = 0;
	bool pass = sl_results_pass(results, NULL);

	clear_line(d);
	for (i = 0; i < results->n; i++) {
		passed += results->gates[i].status == SL_JOB_PASSED;
		overridden += results->gates[i].status == SL_JOB_OVERRIDDEN;
		reused += results->gates[i].same_run_as != NULL;
	}
	fprintf(d->fp, "sluice: %s%s%s: %zu of %zu gates passed",
		cli_paint(d->fp, pass ? CLI_PAINT_GOOD : CLI_PAINT_BAD),
		pass ? "pass" : "FAIL", cli_paint(d->fp, CLI_PAINT_RESET),
		passed, results->n);
	if (overridden)
		fprintf(d->fp, ", %zu overridden", overridden);
	if (reused)
		fprintf(d->fp,
			" (%zu run%s: %zu reused an identical gate's run)",
			results->n - reused,
			results->n - reused == 1 ? "" : "s", reused);
	if (results->shard)
		shard_note(d, results);
	if (plan->diff->degraded)
		fputs(" (degraded: the base was unavailable, every gate ran)",
		      d->fp);
	fputc('\n', d->fp);
	for (i = 0; i < results->n; i++)
		if (results->gates[i].status != SL_JOB_PASSED)
			gate_detail(d, &results->gates[i], plan, results_file);
		else if (results->gates[i].log_incomplete)
			cli_printf_safe(d->fp,
					"  ! %s passed, but its log is "
					"incomplete: %s\n",
					results->gates[i].name,
					results->gates[i].log_incomplete);
	fflush(d->fp);
}
