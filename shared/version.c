#include <stdio.h>

#include "version.h"

/* The Makefile passes HD_BUILD for this file alone (git describe at build
 * time; rebuilt when that changes). A build without it, as the fuzz
 * harnesses', still links. */
#ifndef HD_BUILD
#define HD_BUILD	"release " HD_VERSION
#endif

const char	hd_build[] = HD_BUILD;

void
version_print(const char *prog)
{
	printf("%s %s (%s)\n", prog, HD_VERSION, hd_build);
}
