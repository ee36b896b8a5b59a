/*
 * gates: running the selected gates and keeping their record. This header
 * owns the runner (child processes, timeouts, signals, logs, the run
 * history that schedules the longest gates first), the results files (JSON,
 * JUnit, markdown) and the override ledger (an append-only, hash-chained
 * sqlite record of who asked, who approved, why, for which commit). It
 * depends on rules/ for gate definitions and knows nothing of git or of how
 * gates were selected: callers hand it jobs and reasons as data.
 */
#ifndef SL_GATES_H
#define SL_GATES_H

#include "common/common.h"
#include "rules/rules.h"

/* ==== the runner (gates/run*.c, gates/spawn*.c, gates/history.c) ======= */

/* ==== the override ledger (gates/ledger*.c, gates/override*.c) ========= */

#endif
