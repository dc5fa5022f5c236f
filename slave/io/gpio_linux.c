/*
 * GPIO backend for Linux: the GPIO character device, uAPI v2
 * (<linux/gpio.h>; no sysfs). One line request per configured line, so
 * each line has its own fd: outputs are set and read back with
 * GPIO_V2_LINE_SET_VALUES_IOCTL / GET_VALUES, inputs ask for both edges
 * and their request fd is watched by the event loop for
 * struct gpio_v2_line_event records. Active-low, drive and bias are
 * request flags: the kernel applies them, values here are logical.
 */

#include <sys/ioctl.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/gpio.h>

#include "log.h"
#include "slave.h"

struct gl_chip {
	int		 fd;
	unsigned	 nlines;
	char		 path[128];
	struct ev_loop	*loop;
};

struct gl_line {
	struct gl_chip	*chip;
	int		 fd;
	unsigned	 offset;
	struct ev_io	 io;
	int		 watching;
	gpio_edge_cb	*cb;
	void		*arg;
};

static void *
gl_chip_open(struct ev_loop *loop, const struct gpio_chip_conf *cc,
    char *err, size_t errlen)
{
	struct gpiochip_info	 info;
	struct gl_chip		*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->loop = loop;
	snprintf(c->path, sizeof(c->path), "%s", cc->device);
	if ((c->fd = open(c->path, O_RDWR | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", c->path, strerror(errno));
		free(c);
		return NULL;
	}
	memset(&info, 0, sizeof(info));
	if (ioctl(c->fd, GPIO_GET_CHIPINFO_IOCTL, &info) == -1) {
		snprintf(err, errlen, "%s: not a GPIO chip: %s", c->path,
		    strerror(errno));
		close(c->fd);
		free(c);
		return NULL;
	}
	c->nlines = info.lines;
	log_info("gpio %s: %.*s (%.*s), %u lines", c->path,
	    (int)sizeof(info.name), info.name, (int)sizeof(info.label),
	    info.label, info.lines);
	return c;
}

static void
gl_chip_close(void *h)
{
	struct gl_chip *c = h;

	close(c->fd);
	free(c);
}

static uint64_t
req_flags(const struct gpio_req *r)
{
	uint64_t f = r->output ? GPIO_V2_LINE_FLAG_OUTPUT :
	    GPIO_V2_LINE_FLAG_INPUT;

	if (r->active_low)
		f |= GPIO_V2_LINE_FLAG_ACTIVE_LOW;
	if (r->output && r->drive == GPIO_DRIVE_OPEN_DRAIN)
		f |= GPIO_V2_LINE_FLAG_OPEN_DRAIN;
	if (r->output && r->drive == GPIO_DRIVE_OPEN_SOURCE)
		f |= GPIO_V2_LINE_FLAG_OPEN_SOURCE;
	if (r->bias == GPIO_BIAS_DISABLED)
		f |= GPIO_V2_LINE_FLAG_BIAS_DISABLED;
	else if (r->bias == GPIO_BIAS_PULL_UP)
		f |= GPIO_V2_LINE_FLAG_BIAS_PULL_UP;
	else if (r->bias == GPIO_BIAS_PULL_DOWN)
		f |= GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN;
	if (!r->output && r->edges)
		f |= GPIO_V2_LINE_FLAG_EDGE_RISING |
		    GPIO_V2_LINE_FLAG_EDGE_FALLING;
	return f;
}

/* Refuse a line someone else holds with a clear reason, then request. */
static void *
gl_request(void *h, const struct gpio_req *r, char *err, size_t errlen)
{
	struct gl_chip			*c = h;
	struct gpio_v2_line_info	 li;
	struct gpio_v2_line_request	 req;
	struct gl_line			*l;

	if (r->offset >= c->nlines) {
		snprintf(err, errlen, "%s: line %u out of range (%u lines)",
		    c->path, r->offset, c->nlines);
		return NULL;
	}
	memset(&li, 0, sizeof(li));
	li.offset = r->offset;
	if (ioctl(c->fd, GPIO_V2_GET_LINEINFO_IOCTL, &li) == -1) {
		snprintf(err, errlen, "%s: line %u: %s", c->path, r->offset,
		    strerror(errno));
		return NULL;
	}
	if (li.flags & GPIO_V2_LINE_FLAG_USED) {
		snprintf(err, errlen, "%s: line %u is in use by \"%.*s\"",
		    c->path, r->offset, (int)sizeof(li.consumer), li.consumer);
		return NULL;
	}
	memset(&req, 0, sizeof(req));
	req.offsets[0] = r->offset;
	req.num_lines = 1;
	snprintf(req.consumer, sizeof(req.consumer), "%s", r->consumer);
	req.config.flags = req_flags(r);
	if (r->output) {
		req.config.num_attrs = 1;
		req.config.attrs[0].attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
		req.config.attrs[0].attr.values = r->value ? 1 : 0;
		req.config.attrs[0].mask = 1;
	}
	if (ioctl(c->fd, GPIO_V2_GET_LINE_IOCTL, &req) == -1) {
		snprintf(err, errlen, "%s: requesting line %u: %s", c->path,
		    r->offset, strerror(errno));
		return NULL;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		close(req.fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->chip = c;
	l->fd = req.fd;
	l->offset = r->offset;
	if (fcntl(l->fd, F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(l->fd, F_SETFD, FD_CLOEXEC) == -1) {
		snprintf(err, errlen, "%s: line %u: %s", c->path, r->offset,
		    strerror(errno));
		close(l->fd);
		free(l);
		return NULL;
	}
	return l;
}

static void
gl_release(void *h)
{
	struct gl_line *l = h;

	if (l->watching)
		ev_io_set(l->chip->loop, &l->io, 0);
	close(l->fd);
	free(l);
}

static int
gl_set(void *h, int v)
{
	struct gl_line			*l = h;
	struct gpio_v2_line_values	 vals = { .bits = v ? 1 : 0, .mask = 1 };

	return ioctl(l->fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &vals);
}

static int
gl_get(void *h, int *v)
{
	struct gl_line			*l = h;
	struct gpio_v2_line_values	 vals = { .bits = 0, .mask = 1 };

	if (ioctl(l->fd, GPIO_V2_LINE_GET_VALUES_IOCTL, &vals) == -1)
		return -1;
	*v = (vals.bits & 1) != 0;
	return 0;
}

/* Drain the request's event records: a batch at a time, until EAGAIN. */
static void
gl_events(struct ev_io *io, int revents)
{
	struct gl_line		*l = io->arg;
	struct gpio_v2_line_event ev[GPIO_EVENT_BATCH];
	ssize_t			 r;
	size_t			 i, n;

	(void)revents;
	for (;;) {
		r = read(l->fd, ev, sizeof(ev));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN)
			return;
		if (r <= 0 || r % (ssize_t)sizeof(ev[0]) != 0) {
			log_warnx("gpio %s line %u: bad event read, no more "
			    "edges", l->chip->path, l->offset);
			ev_io_set(l->chip->loop, io, 0);
			l->watching = 0;
			return;
		}
		n = (size_t)r / sizeof(ev[0]);
		for (i = 0; i < n; i++)
			l->cb(l->arg, ev[i].id ==
			    GPIO_V2_LINE_EVENT_RISING_EDGE, ev[i].timestamp_ns);
	}
}

static int
gl_watch(void *h, gpio_edge_cb *cb, void *arg)
{
	struct gl_line *l = h;

	l->cb = cb;
	l->arg = arg;
	ev_io_init(&l->io, l->fd, gl_events, l);
	if (ev_io_set(l->chip->loop, &l->io, EV_READ) == -1)
		return -1;
	l->watching = 1;
	return 0;
}

const struct gpio_backend gpio_linux_backend = {
	.name = "linux gpio-cdev v2",
	.chip_open = gl_chip_open,
	.chip_close = gl_chip_close,
	.request = gl_request,
	.release = gl_release,
	.set = gl_set,
	.get = gl_get,
	.watch = gl_watch,
};
