/*
 * libFuzzer harness for the events-file parser (shared/sched/sched_lex.c,
 * sched_parse.c, sched_parse_rule.c): operators write these files by
 * hand and the API reloads them, so every byte sequence must give a
 * program or file:line:col errors, never a crash. Includes are refused
 * (no file access while fuzzing).
 */

#include <stddef.h>
#include <stdint.h>

#include "sched/sched.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sched_errs	 e;
	struct sched_prog	*g;

	g = sched_parse_buf("fuzz", (const char *)data, size, 0, &e);
	sched_prog_free(g);
	return 0;
}
