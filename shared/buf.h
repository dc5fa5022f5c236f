#ifndef HD_BUF_H
#define HD_BUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * A growable byte buffer with a hard ceiling. Data lives in
 * [data + off, data + len); consumed bytes are reclaimed lazily.
 * An empty buffer can give its memory back (buf_release) so that idle
 * connections cost almost nothing.
 */
struct buf {
	uint8_t	*data;
	size_t	 off;
	size_t	 len;
	size_t	 cap;
	size_t	 max;		/* never grow past this */
};

void	 buf_init(struct buf *, size_t max);
void	 buf_free(struct buf *);
size_t	 buf_used(const struct buf *);
uint8_t	*buf_head(const struct buf *);
/* Make room for `n` more bytes; -1 if that would pass the ceiling. */
int	 buf_reserve(struct buf *, size_t n);
uint8_t	*buf_tail(const struct buf *);
void	 buf_commit(struct buf *, size_t n);
int	 buf_append(struct buf *, const void *, size_t);
void	 buf_consume(struct buf *, size_t);
void	 buf_release(struct buf *);

#endif
