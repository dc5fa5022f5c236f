/*
 * A tiny assertion header for the unit tests (in the spirit of libuev's
 * test/check.h). Every check prints exactly one line in the protocol that
 * tests/run.sh counts:
 *
 *	ok - <file>: <desc>
 *	not ok - <file>: <desc> (at line N)
 *	skip - <file>: <desc> (known bug: ...)	(CHECK_KNOWN)
 *	skip - <file>: <desc>			(SKIP: cannot be checked here)
 *
 * CHECK() returns the truth of its condition, so a test can bail out when
 * a precondition fails:
 *
 *	if (!CHECK(loop != NULL, "ev_loop_new"))
 *		return check_done();
 *
 * main() ends with `return check_done();` (1 if any check failed).
 * Diagnostics go to stderr or start with '#'; nothing else may start with
 * "ok" or "not ok".
 */
#ifndef HD_TEST_CHECK_H
#define HD_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * A test program of several files shares one count: main()'s file
 * defines CHECK_PARTS before including this, each other file CHECK_PART.
 */
#if defined(CHECK_PART)
extern int	check_count, check_failed, check_skipped;
#elif defined(CHECK_PARTS)
int		check_count, check_failed, check_skipped;
#else
static int	check_count, check_failed, check_skipped;
#endif

static inline const char *
check_basename(const char *file)
{
	const char *s = strrchr(file, '/');

	return s != NULL ? s + 1 : file;
}

static inline void
check_vline(const char *status, const char *file, const char *fmt,
    va_list ap)
{
	printf("%s - %s: ", status, check_basename(file));
	vprintf(fmt, ap);
}

static inline int __attribute__((format(printf, 4, 5)))
check_report(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	check_count++;
	va_start(ap, fmt);
	check_vline(ok ? "ok" : "not ok", file, fmt, ap);
	va_end(ap);
	if (!ok) {
		check_failed++;
		printf(" (at line %d)", line);
	}
	putchar('\n');
	fflush(stdout);
	return ok;
}

/*
 * A check that documents a known bug in non-test code: "ok" once fixed,
 * "skip" (not a failure) while the bug is there.
 */
static inline int __attribute__((format(printf, 5, 6)))
check_known(int ok, const char *bug, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;

	check_count++;
	va_start(ap, fmt);
	check_vline(ok ? "ok" : "skip", file, fmt, ap);
	va_end(ap);
	if (!ok) {
		check_skipped++;
		printf(" (known bug: %s; at line %d)", bug, line);
	}
	putchar('\n');
	fflush(stdout);
	return ok;
}

/* A check this machine cannot make (the description says why). */
static inline void __attribute__((format(printf, 2, 3)))
check_skip(const char *file, const char *fmt, ...)
{
	va_list ap;

	check_count++;
	check_skipped++;
	va_start(ap, fmt);
	check_vline("skip", file, fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* CHECK(cond, "description", ...): the description is a printf format. */
#define CHECK(cond, ...) \
	check_report(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_KNOWN(cond, bug, ...) \
	check_known(!!(cond), (bug), __FILE__, __LINE__, __VA_ARGS__)
#define SKIP(...)	check_skip(__FILE__, __VA_ARGS__)

static inline int
check_done(void)
{
	printf("# %d checks, %d failed, %d skipped\n", check_count,
	    check_failed, check_skipped);
	fflush(stdout);
	return check_failed > 0 ? 1 : 0;
}

#endif
