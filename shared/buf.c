#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->off = b->len = b->cap = 0;
}

size_t
buf_used(const struct buf *b)
{
	return b->len - b->off;
}

uint8_t *
buf_head(const struct buf *b)
{
	return b->data + b->off;
}

uint8_t *
buf_tail(const struct buf *b)
{
	return b->data + b->len;
}

int
buf_reserve(struct buf *b, size_t n)
{
	size_t	 used = buf_used(b), ncap;
	uint8_t	*p;

	if (n > b->max || used > b->max - n)
		return -1;
	if (b->off > 0 && b->len + n > b->cap) {
		memmove(b->data, b->data + b->off, used);
		b->off = 0;
		b->len = used;
	}
	if (b->len + n <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < b->len + n)
		ncap *= 2;
	if (ncap > b->max)
		ncap = b->max;
	if ((p = realloc(b->data, ncap)) == NULL)
		return -1;
	b->data = p;
	b->cap = ncap;
	return 0;
}

void
buf_commit(struct buf *b, size_t n)
{
	b->len += n;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (buf_reserve(b, n) == -1)
		return -1;
	memcpy(buf_tail(b), p, n);
	b->len += n;
	return 0;
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n > buf_used(b))
		n = buf_used(b);
	b->off += n;
	if (b->off == b->len)
		b->off = b->len = 0;
}

void
buf_release(struct buf *b)
{
	if (buf_used(b) == 0)
		buf_free(b);
}
