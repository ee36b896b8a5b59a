/*
 * fuzz.h: what the fuzz harnesses share. Each harness file defines
 * LLVMFuzzerTestOneInput() for one reader of untrusted input; built with
 * -fsanitize=fuzzer (meson option `fuzz`) it is a libFuzzer target, and
 * linked with replay.c it is a plain program that runs every file of a
 * corpus through it once (the test suite does that, under the sanitizers
 * too). A harness aborts (sl_fuzz_check) only where an invariant of the
 * code under test is broken, never for input the code refuses.
 */
#ifndef SL_FUZZ_H
#define SL_FUZZ_H

#include "common/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message naming the broken invariant when ok is false. */
#define sl_fuzz_check(ok, what)                                                \
	do {                                                                   \
		if (!(ok)) {                                                   \
			fprintf(stderr, "fuzz: broken: %s (%s:%d)\n", what,    \
				__FILE__, __LINE__);                           \
			abort();                                               \
		}                                                              \
	} while (0)

#endif
