/*
 * gen.c: fills an override ledger with many events, for bench/ledger/run.sh
 * (a ledger shared through git, 10,000 events). Usage:
 *   ledger-gen LEDGER COUNT GATE GATE_HASH
 * appends COUNT events to the ledger (which must exist): requests of GATE
 * at made-up commits, each approved by ana@example.com with a signature of
 * a real signature's size (no run checks them: none is for the commit a
 * run tests), in one transaction, chained as sluice chains every event.
 * It writes through the ledger's own append (gates/ledger_internal.h, as
 * the ledger's tests do): asking sl_ledger_request() 10,000 times would
 * verify the growing chain each time.
 */
#include "common/common.h"

#include "gates/gates.h"
#include "gates/ledger_internal.h"

/* An armored SSH signature's shape and size (an ed25519 one). */
static const char signature[] =
    "-----BEGIN SSH SIGNATURE-----\n"
    "U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgbWFkZS11cCBmb3IgdGhlIGJl\n"
    "bmNobWFyaywgbmV2ZXIgY2hlY2tlZAAAAA9zbHVpY2Utb3ZlcnJpZGUAAAAAAAAABnNo\n"
    "YTUxMgAAAFMAAAALc3NoLWVkMjU1MTkAAABAbWFkZS11cCBmb3IgdGhlIGJlbmNobWFy\n"
    "aywgbmV2ZXIgY2hlY2tlZCwgbWFkZS11cCBmb3IgdGhlIGJlbmNobWFyaw==\n"
    "-----END SSH SIGNATURE-----\n";

static unsigned long number(const char *text)
{
	char *end;
	unsigned long n = strtoul(text, &end, 10);

	if (end == text || *end) {
		fprintf(stderr, "ledger-gen: '%s' is not a number\n", text);
		exit(2);
	}
	return n;
}

/* One event on top of the chain, the fields it does not use empty. */
static int append(struct sl_ledger *ledger, enum sl_ledger_kind kind,
		  int64_t id, int64_t at, const char *gate, const char *commit,
		  const char *gate_hash, struct sl_error *err)
{
	struct sl_ledger_event ev = {0};

	ev.kind = kind;
	ev.override_id = id;
	ev.at = at;
	ev.run_id = (char *)"";
	if (kind == SL_LEDGER_REQUEST) {
		ev.actor = (char *)"dev@example.com";
		ev.reason = (char *)"made up for the benchmark";
		ev.gate = (char *)gate;
		ev.commit = (char *)commit;
		ev.gate_hash = (char *)gate_hash;
		ev.expires_at = at + SL_OVERRIDE_EXPIRY_DEFAULT;
		ev.signature = (char *)"";
	} else {
		ev.actor = (char *)"ana@example.com";
		ev.reason = (char *)"approved for the benchmark";
		ev.gate = ev.commit = ev.gate_hash = (char *)"";
		ev.signature = (char *)signature;
	}
	return sl_ledger_append(ledger, &ev, err);
}

int main(int argc, char **argv)
{
	struct sl_ledger_report report = SL_LEDGER_REPORT_INIT;
	struct sl_error err = SL_ERROR_INIT;
	struct sl_ledger *ledger = NULL;
	int64_t now = sl_ledger_now(0), id = 0;
	char commit[41];
	unsigned long count, i;
	int ret;

	if (argc != 5) {
		fprintf(stderr, "usage: ledger-gen LEDGER COUNT GATE "
				"GATE_HASH\n");
		return 2;
	}
	count = number(argv[2]);
	ret = sl_ledger_open(&ledger, argv[1], NULL, &err);
	if (!ret)
		ret = sl_ledger_begin(ledger, true, &err);
	for (i = 0; !ret && i < count; i++) {
		if (i % 2 == 0) {
			snprintf(commit, sizeof(commit), "%040lx", i + 1);
			ret = append(ledger, SL_LEDGER_REQUEST, 0, now, argv[3],
				     commit, argv[4], &err);
			/* A request's id is its sequence number. */
			if (!ret)
				ret = sl_ledger_load_head(&id, report.head,
							  ledger, &err);
		} else {
			ret = append(ledger, SL_LEDGER_APPROVE, id, now + 1,
				     NULL, NULL, NULL, &err);
		}
	}
	ret = ledger ? sl_ledger_end(ledger, ret, &err) : ret;
	if (!ret)
		ret = sl_ledger_verify(&report, ledger, NULL, &err);
	if (ret)
		fprintf(stderr, "ledger-gen: %s\n", sl_error_message(&err));
	else
		printf("%" PRId64 " events\n", report.events);
	sl_ledger_report_release(&report);
	sl_ledger_free(ledger);
	sl_error_release(&err);
	return ret ? 1 : 0;
}
