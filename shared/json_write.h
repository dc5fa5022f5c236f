#ifndef HD_JSON_WRITE_H
#define HD_JSON_WRITE_H

/*
 * The JSON writer, in shared/ because the scheduler engine (shared/sched/)
 * writes its notices with it and both daemons link the engine. The parser
 * stays with the master's API (master/lib/json.h, which includes this).
 */

#include <stddef.h>
#include <stdint.h>

#include "hdlimits.h"

/* Length of the valid UTF-8 sequence at p (n bytes left), its code point
 * in *cp; 0 if invalid (json_write.c, shared with the parser). */
size_t	json_utf8_seq(const uint8_t *p, size_t n, uint32_t *cp);

/*
 * The writer: appends to a caller's buffer, never past it. Commas are
 * placed for the caller; strings are escaped, invalid UTF-8 in them is
 * written as U+FFFD so the output is always valid JSON. jw_end() gives
 * the length, or -1 if the buffer was too small or nesting unbalanced.
 */
struct jw {
	char		*buf;
	size_t		 cap, len;
	int		 overflow;
	int		 depth;
	int		 after_key;
	uint8_t		 comma[JSON_MAX_DEPTH + 1];
};

void	jw_init(struct jw *, char *buf, size_t cap);
void	jw_open(struct jw *, char brace);	/* '{' or '[' */
void	jw_close(struct jw *, char brace);	/* '}' or ']' */
void	jw_key(struct jw *, const char *);
void	jw_str(struct jw *, const char *);
void	jw_strn(struct jw *, const char *, size_t);
void	jw_int(struct jw *, int64_t);
void	jw_uint(struct jw *, uint64_t);
void	jw_double(struct jw *, double);	/* null if not finite */
/* Valid JSON text the caller vouches for, placed as one value. */
void	jw_raw(struct jw *, const char *, size_t);
void	jw_bool(struct jw *, int);
void	jw_null(struct jw *);
long	jw_end(struct jw *);

#endif
