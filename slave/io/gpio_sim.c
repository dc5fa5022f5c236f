/*
 * Simulated GPIO chips: line state in memory, with the physical level
 * kept apart from the logical value (active-low) as on a real chip. Edge
 * callbacks run when a test or the demo moves an input (gpio_sim_input,
 * or every sim-toggle ms). Chips are found by their config name.
 */

#include <sys/queue.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slave.h"

struct sim_chip;

struct sim_line {
	struct sim_chip	*chip;
	unsigned	 offset;
	int		 requested, output, active_low, edges;
	int		 level;			/* physical */
	gpio_edge_cb	*cb;
	void		*arg;
};

struct sim_chip {
	LIST_ENTRY(sim_chip)	 entry;
	char			 name[HW_NAME_MAX + 1];
	struct ev_loop		*loop;
	struct ev_timer		 toggle;
	long			 toggle_ms;
	struct sim_line		 lines[GPIO_MAX_OFFSET + 1];
};

static LIST_HEAD(, sim_chip) sim_chips = LIST_HEAD_INITIALIZER(sim_chips);

static struct sim_chip *
find_chip(const char *name)
{
	struct sim_chip *c;

	LIST_FOREACH(c, &sim_chips, entry)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void
move_input(struct sim_line *l, int level)
{
	int was = l->level ^ l->active_low;

	l->level = level ? 1 : 0;
	if (l->requested && !l->output && l->edges && l->cb != NULL &&
	    (l->level ^ l->active_low) != was)
		l->cb(l->arg, l->level ^ l->active_low,
		    ev_clock_ms() * 1000000);
}

int
gpio_sim_input(const char *chip, unsigned offset, int level)
{
	struct sim_chip *c;

	if ((c = find_chip(chip)) == NULL || offset > GPIO_MAX_OFFSET ||
	    c->lines[offset].output)
		return -1;
	move_input(&c->lines[offset], level);
	return 0;
}

int
gpio_sim_level(const char *chip, unsigned offset, int *level)
{
	struct sim_chip *c;

	if ((c = find_chip(chip)) == NULL || offset > GPIO_MAX_OFFSET ||
	    !c->lines[offset].requested)
		return -1;
	*level = c->lines[offset].level;
	return 0;
}

static void
toggle(struct ev_timer *t)
{
	struct sim_chip	*c = t->arg;
	int		 i;

	for (i = 0; i <= GPIO_MAX_OFFSET; i++)
		if (c->lines[i].requested && !c->lines[i].output)
			move_input(&c->lines[i], !c->lines[i].level);
	ev_timer_start(c->loop, t, (uint64_t)c->toggle_ms);
}

static void *
sim_chip_open(struct ev_loop *loop, const struct gpio_chip_conf *cc,
    char *err, size_t errlen)
{
	struct sim_chip	*c;
	unsigned	 i;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(c->name, sizeof(c->name), "%s", cc->name);
	c->loop = loop;
	c->toggle_ms = cc->sim_toggle_ms;
	for (i = 0; i <= GPIO_MAX_OFFSET; i++) {
		c->lines[i].chip = c;
		c->lines[i].offset = i;
	}
	ev_timer_init(&c->toggle, toggle, c);
	if (c->toggle_ms > 0)
		ev_timer_start(loop, &c->toggle, (uint64_t)c->toggle_ms);
	LIST_INSERT_HEAD(&sim_chips, c, entry);
	return c;
}

static void
sim_chip_close(void *h)
{
	struct sim_chip *c = h;

	ev_timer_stop(c->loop, &c->toggle);
	LIST_REMOVE(c, entry);
	free(c);
}

static void *
sim_request(void *h, const struct gpio_req *r, char *err, size_t errlen)
{
	struct sim_chip	*c = h;
	struct sim_line	*l;

	if (r->offset > GPIO_MAX_OFFSET || c->lines[r->offset].requested) {
		snprintf(err, errlen, "line %u: %s", r->offset,
		    strerror(r->offset > GPIO_MAX_OFFSET ? EINVAL : EBUSY));
		return NULL;
	}
	l = &c->lines[r->offset];
	l->requested = 1;
	l->output = r->output;
	l->active_low = r->active_low ? 1 : 0;
	l->edges = r->edges;
	if (r->output)
		l->level = (r->value ? 1 : 0) ^ l->active_low;
	else if (r->bias == GPIO_BIAS_PULL_UP)
		l->level = 1;
	return l;
}

static void
sim_release(void *h)
{
	struct sim_line *l = h;

	l->requested = 0;
	l->cb = NULL;
}

static int
sim_set(void *h, int v)
{
	struct sim_line *l = h;

	l->level = (v ? 1 : 0) ^ l->active_low;
	return 0;
}

static int
sim_get(void *h, int *v)
{
	struct sim_line *l = h;

	*v = l->level ^ l->active_low;
	return 0;
}

static int
sim_watch(void *h, gpio_edge_cb *cb, void *arg)
{
	struct sim_line *l = h;

	l->cb = cb;
	l->arg = arg;
	return 0;
}

const struct gpio_backend gpio_sim_backend = {
	.name = "simulated",
	.chip_open = sim_chip_open,
	.chip_close = sim_chip_close,
	.request = sim_request,
	.release = sim_release,
	.set = sim_set,
	.get = sim_get,
	.watch = sim_watch,
};
