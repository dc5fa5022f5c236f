/*
 * libFuzzer harness for the configuration tokenizer: arbitrary bytes as
 * lines of a config file (operators edit these by hand; includes make
 * them a parser of files we did not write).
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cfg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		line[CFG_MAX_LINE + 2], err[256];
	struct cfg_line	l = { .file = "fuzz" };
	long		v;
	size_t		off = 0, n;

	while (off < size) {
		for (n = 0; off + n < size && n < CFG_MAX_LINE &&
		    data[off + n] != '\n'; n++)
			;
		memcpy(line, data + off, n);
		line[n] = '\0';
		off += n + 1;
		l.lineno++;
		if (cfg_split(line, &l, err, sizeof(err)) == -1 || l.argc == 0)
			continue;
		if (l.argc > 1)
			cfg_long(&l, 1, -100, 100, &v, err, sizeof(err));
		cfg_want_args(&l, 1, 3, err, sizeof(err));
	}
	return 0;
}
