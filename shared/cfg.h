#ifndef HD_CFG_H
#define HD_CFG_H

/*
 * Line-oriented configuration files: one directive per line, words
 * separated by blanks, "double quotes" for words with blanks (\" and \\
 * escapes), '#' starts a comment, `include FILE` (relative to the
 * including file). Each directive goes to a callback; any error is
 * reported as file:line: reason and stops the parse.
 */

#include <stddef.h>

#include "hdlimits.h"

struct cfg_line {
	const char	*file;
	int		 lineno;
	int		 argc;
	char		*argv[CFG_MAX_WORDS];
};

/* Return 0, or -1 after filling err. */
typedef int	cfg_cb(const struct cfg_line *, void *arg, char *err,
		    size_t errlen);

/* 0 on success; -1 after logging "file:line: reason". */
int	cfg_parse_file(const char *path, cfg_cb *, void *arg);
/* Split one line into words in place; -1 with a reason on a bad quote. */
int	cfg_split(char *line, struct cfg_line *, char *err, size_t errlen);
int	cfg_want_args(const struct cfg_line *, int min, int max, char *err,
	    size_t errlen);
int	cfg_long(const struct cfg_line *, int idx, long min, long max,
	    long *out, char *err, size_t errlen);
/* "directive NUMBER": exactly one argument, in min..max. */
int	cfg_one_long(const struct cfg_line *, long min, long max, long *out,
	    char *err, size_t errlen);
/* argv[idx] as a path, relative ones resolved against the file's folder.
 * Returns a malloc'd string (caller frees) or NULL. */
char	*cfg_path(const struct cfg_line *, int idx);

#endif
