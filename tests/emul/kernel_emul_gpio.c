/*
 * libhdemul.so's GPIO character device, uAPI v2 (kernel_emul.c has the
 * control file, i2c-dev and the intercepted calls, which hold its mutex
 * around these): chip and line info, a line request with its flags
 * checked as the kernel does, values with active-low applied, edge
 * events queued on the request's eventfd.
 */

#include <sys/eventfd.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/gpio.h>

#include "kernel_emul.h"

void
gpio_level(struct echip *c, unsigned off, int level)
{
	struct eline			*l = &c->lines[off];
	struct gpio_v2_line_event	*e;
	int				 al, was, now;
	uint64_t			 one = 1;

	al = (l->flags & GPIO_V2_LINE_FLAG_ACTIVE_LOW) != 0;
	was = l->level ^ al;
	l->level = level != 0;
	now = l->level ^ al;
	if (!l->mine || !(l->flags & GPIO_V2_LINE_FLAG_INPUT) || was == now)
		return;
	if (!(l->flags & (now ? GPIO_V2_LINE_FLAG_EDGE_RISING :
	    GPIO_V2_LINE_FLAG_EDGE_FALLING)))
		return;
	if (l->qn == EM_QUEUE) {
		elog("gpio %d event %u OVERFLOW", (int)(c - chips), off);
		return;
	}
	e = &l->q[l->qn++];
	memset(e, 0, sizeof(*e));
	e->timestamp_ns = now_ns();
	e->id = now ? GPIO_V2_LINE_EVENT_RISING_EDGE :
	    GPIO_V2_LINE_EVENT_FALLING_EDGE;
	e->offset = off;
	e->seqno = ++c->seq;
	e->line_seqno = ++l->seq;
	elog("gpio %d event %u %s", (int)(c - chips), off,
	    now ? "rising" : "falling");
	real_write(l->fd, &one, sizeof(one));
}

static int
flags_ok(uint64_t f)
{
	uint64_t	bias = f & (GPIO_V2_LINE_FLAG_BIAS_PULL_UP |
			    GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN |
			    GPIO_V2_LINE_FLAG_BIAS_DISABLED);
	uint64_t	all = GPIO_V2_LINE_FLAG_ACTIVE_LOW |
			    GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_OUTPUT |
			    GPIO_V2_LINE_FLAG_EDGE_RISING |
			    GPIO_V2_LINE_FLAG_EDGE_FALLING |
			    GPIO_V2_LINE_FLAG_OPEN_DRAIN |
			    GPIO_V2_LINE_FLAG_OPEN_SOURCE | bias |
			    GPIO_V2_LINE_FLAG_BIAS_PULL_UP |
			    GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN |
			    GPIO_V2_LINE_FLAG_BIAS_DISABLED;
	int		in = (f & GPIO_V2_LINE_FLAG_INPUT) != 0;
	int		out = (f & GPIO_V2_LINE_FLAG_OUTPUT) != 0;

	if (f & ~all || (in && out) || (!in && !out))
		return 0;
	if (f & (GPIO_V2_LINE_FLAG_EDGE_RISING |
	    GPIO_V2_LINE_FLAG_EDGE_FALLING) && !in)
		return 0;
	if (f & (GPIO_V2_LINE_FLAG_OPEN_DRAIN |
	    GPIO_V2_LINE_FLAG_OPEN_SOURCE) && !out)
		return 0;
	if ((f & GPIO_V2_LINE_FLAG_OPEN_DRAIN) &&
	    (f & GPIO_V2_LINE_FLAG_OPEN_SOURCE))
		return 0;
	return bias == 0 || (bias & (bias - 1)) == 0;
}

static void
flags_text(uint64_t f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s%s%s%s",
	    f & GPIO_V2_LINE_FLAG_OUTPUT ? "output" : "input",
	    f & GPIO_V2_LINE_FLAG_ACTIVE_LOW ? " active-low" : "",
	    f & GPIO_V2_LINE_FLAG_OPEN_DRAIN ? " open-drain" : "",
	    f & GPIO_V2_LINE_FLAG_OPEN_SOURCE ? " open-source" : "",
	    f & GPIO_V2_LINE_FLAG_BIAS_PULL_UP ? " pull-up" : "",
	    f & GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN ? " pull-down" : "",
	    f & GPIO_V2_LINE_FLAG_BIAS_DISABLED ? " bias-disabled" : "",
	    f & GPIO_V2_LINE_FLAG_EDGE_RISING ? " rising" : "",
	    f & GPIO_V2_LINE_FLAG_EDGE_FALLING ? " falling" : "");
}

static int
get_line(int cn, struct gpio_v2_line_request *r)
{
	struct echip	*c = &chips[cn];
	struct eline	*l;
	char		 ft[160];
	unsigned	 off, i;
	int		 fd, value = 0;

	for (i = 0; i < sizeof(r->padding) / sizeof(r->padding[0]); i++)
		if (r->padding[i] != 0)
			goto inval;
	if (r->num_lines != 1 || r->config.num_attrs >
	    GPIO_V2_LINE_NUM_ATTRS_MAX || !flags_ok(r->config.flags))
		goto inval;
	off = r->offsets[0];
	if (off >= c->nlines)
		goto inval;
	for (i = 0; i < r->config.num_attrs; i++)
		if (r->config.attrs[i].attr.id ==
		    GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES &&
		    r->config.attrs[i].mask & 1)
			value = r->config.attrs[i].attr.values & 1;
	l = &c->lines[off];
	if (l->used) {
		elog("gpio %d request %u BUSY", cn, off);
		errno = EBUSY;
		return -1;
	}
	if ((fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		return -1;
	if (fd >= EM_MAX_FD) {
		real_close(fd);
		errno = EMFILE;
		return -1;
	}
	l->used = l->mine = 1;
	l->fd = fd;
	l->flags = r->config.flags;
	l->qn = 0;
	snprintf(l->consumer, sizeof(l->consumer), "%.*s",
	    (int)sizeof(r->consumer), r->consumer);
	if (l->flags & GPIO_V2_LINE_FLAG_OUTPUT)
		l->level = value ^ ((l->flags &
		    GPIO_V2_LINE_FLAG_ACTIVE_LOW) != 0);
	fds[fd].kind = K_LINE;
	fds[fd].chip = cn;
	fds[fd].line = off;
	r->fd = fd;
	flags_text(l->flags, ft, sizeof(ft));
	elog("gpio %d request %u %s value=%d level=%d consumer=%s", cn, off,
	    ft, value, l->level, l->consumer);
	return 0;
inval:
	elog("gpio %d request INVALID flags=0x%llx lines=%u", cn,
	    (unsigned long long)r->config.flags, r->num_lines);
	errno = EINVAL;
	return -1;
}

int
chip_ioctl(int cn, unsigned long req, void *arg)
{
	struct echip			*c = &chips[cn];
	struct gpiochip_info		*ci;
	struct gpio_v2_line_info	*li;

	switch (req) {
	case GPIO_GET_CHIPINFO_IOCTL:
		ci = arg;
		memset(ci, 0, sizeof(*ci));
		snprintf(ci->name, sizeof(ci->name), "gpiochip%d", cn);
		snprintf(ci->label, sizeof(ci->label), "%s", c->label);
		ci->lines = c->nlines;
		elog("gpio %d chipinfo", cn);
		return 0;
	case GPIO_V2_GET_LINEINFO_IOCTL:
		li = arg;
		if (li->offset >= c->nlines) {
			errno = EINVAL;
			return -1;
		}
		snprintf(li->name, sizeof(li->name), "GPIO%u", li->offset);
		snprintf(li->consumer, sizeof(li->consumer), "%s",
		    c->lines[li->offset].consumer);
		li->flags = c->lines[li->offset].flags |
		    (c->lines[li->offset].used ? GPIO_V2_LINE_FLAG_USED : 0);
		li->num_attrs = 0;
		elog("gpio %d lineinfo %u", cn, li->offset);
		return 0;
	case GPIO_V2_GET_LINE_IOCTL:
		return get_line(cn, arg);
	default:
		elog("gpio %d UNSUPPORTED ioctl 0x%lx", cn, req);
		errno = ENOTTY;
		return -1;
	}
}

int
line_ioctl(struct efd *e, unsigned long req, void *arg)
{
	struct eline			*l = &chips[e->chip].lines[e->line];
	struct gpio_v2_line_values	*v = arg;
	int				 al;

	al = (l->flags & GPIO_V2_LINE_FLAG_ACTIVE_LOW) != 0;
	switch (req) {
	case GPIO_V2_LINE_SET_VALUES_IOCTL:
		if (!(l->flags & GPIO_V2_LINE_FLAG_OUTPUT) || v->mask != 1) {
			elog("gpio %d set %u REFUSED", e->chip, e->line);
			errno = EPERM;
			return -1;
		}
		l->level = (int)(v->bits & 1) ^ al;
		elog("gpio %d set %u value=%d level=%d", e->chip, e->line,
		    (int)(v->bits & 1), l->level);
		return 0;
	case GPIO_V2_LINE_GET_VALUES_IOCTL:
		v->bits = (uint64_t)(l->level ^ al) & v->mask & 1;
		elog("gpio %d get %u value=%d", e->chip, e->line,
		    (int)(v->bits & 1));
		return 0;
	default:
		elog("gpio %d line %u UNSUPPORTED ioctl 0x%lx", e->chip,
		    e->line, req);
		errno = ENOTTY;
		return -1;
	}
}

ssize_t
line_read(struct efd *e, int fd, void *buf, size_t n)
{
	struct eline	*l = &chips[e->chip].lines[e->line];
	size_t		 k, sz = sizeof(l->q[0]);
	uint64_t	 cnt;

	if (n < sz) {
		errno = EINVAL;
		return -1;
	}
	if (l->qn == 0) {
		errno = EAGAIN;
		return -1;
	}
	k = n / sz < (size_t)l->qn ? n / sz : (size_t)l->qn;
	memcpy(buf, l->q, k * sz);
	memmove(l->q, l->q + k, (size_t)l->qn * sz - k * sz);
	l->qn -= (int)k;
	if (l->qn == 0)
		real_read(fd, &cnt, sizeof(cnt));	/* not readable now */
	return (ssize_t)(k * sz);
}
