#ifndef HD_HWCONF_H
#define HD_HWCONF_H

/*
 * What hwconf.c (the ADC directives, the dispatch, the checks that need
 * the whole file) and hwconf_gpio.c (the GPIO directives) share: the
 * option walker and the checks of one word. Each returns 0, or -1 with
 * the reason in err, naming the directive and the key.
 */

#include <stddef.h>

#include "cfg.h"
#include "slave.h"

struct hw_opt {
	const char	*key;
	int		 nargs;		/* words after the key: 0 to 2 */
};

int	hw_bad(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	hw_num(const char *dir, const char *key, const char *s,
	    double min, double max, double *out, char *err, size_t errlen);
int	hw_inum(const char *dir, const char *key, const char *s,
	    long min, long max, long *out, char *err, size_t errlen);
int	hw_name_ok(const struct cfg_line *, char *dst, char *err,
	    size_t errlen);
int	hw_text(const char *dir, const char *key, const char *s,
	    char *dst, size_t len, char *err, size_t errlen);
/* Walk "key value" options from argv[2]: each key in `opts` (ended by
 * a NULL key), at most once; fn() handles one. */
int	hw_options(const struct cfg_line *, const struct hw_opt *,
	    int (*fn)(void *, const char *, char *const *, char *, size_t),
	    void *arg, char *err, size_t errlen);
int	hw_where(struct hw_where *, const struct cfg_line *, char *err,
	    size_t errlen);
int	hw_backend(const char *dir, const char *v, const void **be,
	    const void *lin, const void *sim, char *err, size_t errlen);

/* hwconf_gpio.c */
int	hw_gpio_chip(struct hwconf *, const struct cfg_line *, char *err,
	    size_t errlen);
int	hw_gpio_line(struct hwconf *, const struct cfg_line *, int output,
	    char *err, size_t errlen);

#endif
