/*
 * results_junit.c: a run as JUnit XML, the format every CI reads. One
 * testcase per gate; a failed or timed-out gate is a <failure> with its log
 * tail, a gate that could not start an <error>, a skipped one <skipped>.
 * XML 1.0 cannot hold every byte a log or a path may: ill-formed UTF-8
 * becomes U+FFFD and forbidden control characters a visible \xNN, so the
 * document is always well-formed.
 */
#include "common/common.h"

#include "gates/gates.h"

#define TAIL_LINES 80
#define TAIL_BYTES 16384

/* Can c (a byte below 0x80) appear in XML 1.0 text? */
static bool xml_char_ok(unsigned char c)
{
	return c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
}

/* Appends text escaped for an XML attribute value or element content. */
static void xml_escape(struct sl_buf *out, const char *data, size_t len)
{
	struct sl_buf utf8 = SL_BUF_INIT;
	size_t i;

	sl_utf8_lossy(&utf8, data, len);
	for (i = 0; i < utf8.len; i++) {
		unsigned char c = (unsigned char)utf8.buf[i];

		if (c == '&')
			sl_buf_adds(out, "&amp;");
		else if (c == '<')
			sl_buf_adds(out, "&lt;");
		else if (c == '>')
			sl_buf_adds(out, "&gt;");
		else if (c == '"')
			sl_buf_adds(out, "&quot;");
		else if (c == '\'')
			sl_buf_adds(out, "&apos;");
		else if (c < 0x80 && !xml_char_ok(c))
			sl_buf_addf(out, "\\x%02x", c);
		else if (c == 0xEF && i + 2 < utf8.len &&
			 (unsigned char)utf8.buf[i + 1] == 0xBF &&
			 ((unsigned char)utf8.buf[i + 2] & 0xFE) == 0xBE) {
			/* U+FFFE and U+FFFF are not XML characters. */
			sl_buf_adds(out, "\xEF\xBF\xBD");
			i += 2;
		} else {
			sl_buf_addch(out, c);
		}
	}
	sl_buf_release(&utf8);
}

static void xml_escape_s(struct sl_buf *out, const char *s)
{
	xml_escape(out, s, strlen(s));
}

static void attr(struct sl_buf *out, const char *name, const char *value)
{
	sl_buf_addf(out, " %s=\"", name);
	xml_escape_s(out, value);
	sl_buf_addch(out, '"');
}

static void failure_message(struct sl_buf *out, const struct sl_gate_result *g)
{
	if (g->status == SL_JOB_TIMED_OUT)
		sl_buf_addf(out, "timed out after %" PRIu64 " ms",
			    g->duration_ms);
	else if (g->signal)
		sl_buf_addf(out, "killed by signal %d", g->signal);
	else if (g->exit_code >= 0)
		sl_buf_addf(out, "exit code %d", g->exit_code);
	else
		sl_buf_adds(out, g->error ? g->error : "failed");
}

static void testcase_outcome(struct sl_buf *out, const struct sl_gate_result *g)
{
	struct sl_buf msg = SL_BUF_INIT, tail = SL_BUF_INIT;
	const char *tag = NULL;

	if (g->status == SL_JOB_FAILED || g->status == SL_JOB_TIMED_OUT)
		tag = "failure";
	else if (g->status == SL_JOB_ERROR || g->status == SL_JOB_PENDING)
		tag = "error";
	if (g->status == SL_JOB_SKIPPED) {
		sl_buf_adds(out, "      <skipped");
		attr(out, "message", g->error ? g->error : "skipped");
		sl_buf_adds(out, "/>\n");
	} else if (tag) {
		failure_message(&msg, g);
		sl_buf_addf(out, "      <%s", tag);
		attr(out, "message", msg.buf);
		attr(out, "type", sl_job_status_name(g->status));
		sl_buf_adds(out, ">");
		sl_log_tail(&tail, g->log, TAIL_LINES, TAIL_BYTES);
		xml_escape(out, tail.buf, tail.len);
		sl_buf_addf(out, "</%s>\n", tag);
	}
	sl_buf_release(&msg);
	sl_buf_release(&tail);
}

static void testcase_out(struct sl_buf *out, const struct sl_gate_result *g)
{
	struct sl_buf text = SL_BUF_INIT;
	size_t i;

	for (i = 0; i < g->reasons.n; i++)
		sl_buf_addf(&text, "selected: %s\n", g->reasons.v[i]);
	if (g->has_override)
		sl_buf_addf(&text,
			    "overridden by override %" PRId64
			    ", requested by %s, approved by %s: %s\n",
			    g->override.id, g->override.requested_by,
			    g->override.approved_by, g->override.reason);
	if (g->flaky)
		sl_buf_addf(&text, "flaky: passed on attempt %u\n",
			    g->attempts);
	if (g->same_run_as)
		sl_buf_addf(&text,
			    "same run as %s (identical command, cwd, env, "
			    "timeout and retries): its result\n",
			    g->same_run_as);
	if (g->log)
		sl_buf_addf(&text, "log: %s\n", g->log);
	if (text.len) {
		sl_buf_adds(out, "      <system-out>");
		xml_escape(out, text.buf, text.len);
		sl_buf_adds(out, "</system-out>\n");
	}
	sl_buf_release(&text);
}

static void testcase(struct sl_buf *out, const struct sl_gate_result *g)
{
	struct sl_buf cls = SL_BUF_INIT;

	sl_buf_addf(&cls, "sluice.%s%s%s", g->kind, g->lane ? "." : "",
		    g->lane ? g->lane : "");
	sl_buf_adds(out, "    <testcase");
	attr(out, "classname", cls.buf);
	attr(out, "name", g->name);
	sl_buf_addf(out, " time=\"%.3f\">\n", (double)g->duration_ms / 1000);
	testcase_outcome(out, g);
	testcase_out(out, g);
	sl_buf_adds(out, "    </testcase>\n");
	sl_buf_release(&cls);
}

void sl_results_write_junit(struct sl_buf *out,
			    const struct sl_results *results)
{
	size_t i, failures = 0, errors = 0, skipped = 0;
	uint64_t total_ms = 0;

	for (i = 0; i < results->n; i++) {
		enum sl_job_status st = results->gates[i].status;

		failures += st == SL_JOB_FAILED || st == SL_JOB_TIMED_OUT;
		errors += st == SL_JOB_ERROR || st == SL_JOB_PENDING;
		skipped += st == SL_JOB_SKIPPED;
		total_ms += results->gates[i].duration_ms;
	}
	sl_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	sl_buf_addf(
	    out,
	    "<testsuites name=\"sluice\" tests=\"%zu\" failures=\"%zu\" "
	    "errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
	    results->n, failures, errors, skipped, (double)total_ms / 1000);
	sl_buf_addf(
	    out,
	    "  <testsuite name=\"sluice\" tests=\"%zu\" failures=\"%zu\" "
	    "errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
	    results->n, failures, errors, skipped, (double)total_ms / 1000);
	sl_buf_adds(out, "    <properties>\n");
	sl_buf_adds(out, "      <property name=\"base\"");
	attr(out, "value", results->base ? results->base : "");
	sl_buf_adds(out, "/>\n      <property name=\"head\"");
	attr(out, "value", results->head ? results->head : "");
	sl_buf_adds(out, "/>\n    </properties>\n");
	for (i = 0; i < results->n; i++)
		testcase(out, &results->gates[i]);
	sl_buf_adds(out, "  </testsuite>\n</testsuites>\n");
}
