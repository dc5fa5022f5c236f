#ifndef HD_VERSION_H
#define HD_VERSION_H

/*
 * The release both daemons say they are: in their Hello (the master
 * logs a peer's), GET /api/v1/cluster, /health and -V. The Makefile
 * reads it from here for the Debian packages' version, so it is kept
 * in this one place.
 */
/* 0.1.90: after the release 0.1.0 (tag v0.1.0), on the way to 0.2.0; plain
 * digits and dots, as the packages and the tests expect. */
#define HD_VERSION	"0.1.90"

/* The build of this binary: "git DESCRIBE" when it was built from a git
 * checkout, "release VERSION" otherwise (shared/version.c). */
extern const char	hd_build[];

/* Print "PROG VERSION (BUILD)" on stdout, for -V. */
void	version_print(const char *prog);

#endif
