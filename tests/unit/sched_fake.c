/* The scheduler's tests' stub ops, state file in memory and standby
 * (sched_fake.h). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sched_fake.h"

int				sched_fake_ncmd;
struct sched_fake_standby	sched_fake_sb = { 0, 0, 7 };

int
sched_fake_no_value(void *arg, const struct sched_devref *r,
    struct sched_val *out)
{
	(void)arg;
	(void)r;
	(void)out;
	return -1;
}

int
sched_fake_command(void *arg, const struct sched_act *a, const char *by,
    char *why, size_t len)
{
	(void)arg;
	(void)a;
	(void)by;
	(void)why;
	(void)len;
	sched_fake_ncmd++;
	return 0;
}

const struct sched_ops sched_fake_ops = { sched_fake_no_value,
    sched_fake_command };

int
sched_fake_disk_write(void *arg, const uint8_t *p, size_t len)
{
	struct sched_fake_disk *d = arg;

	free(d->p);
	if ((d->p = malloc(len + 1)) == NULL)
		return -1;
	memcpy(d->p, p, len);
	d->len = len;
	return 0;
}

int
sched_fake_disk_read(void *arg, uint8_t **p, size_t *len)
{
	struct sched_fake_disk *d = arg;

	if (d->p == NULL) {
		errno = ENOENT;		/* no file yet (sched_state_io) */
		return -1;
	}
	if ((*p = malloc(d->len + 1)) == NULL)
		return -1;
	memcpy(*p, d->p, d->len);
	*len = d->len;
	return 0;
}

void
sched_fake_disk_copy(struct sched_fake_disk *to,
    const struct sched_fake_disk *from)
{
	sched_fake_disk_write(to, from->p, from->len);
}

void
sched_fake_disk_wipe(struct sched_fake_disk *d)
{
	free(d->p);
	d->p = NULL;
	d->len = 0;
}

void
sched_fake_disk_use(struct sched *s, struct sched_fake_disk *d)
{
	sched_set_state_io(s, &(struct sched_state_io){ sched_fake_disk_write,
	    sched_fake_disk_read, d });
}

static uint64_t
sb_mark(void *arg, const char *name)
{
	struct sched_fake_standby *sb = arg;

	(void)name;
	return sb->attached ? sb->version : 0;
}

static int
sb_done(void *arg, const char *name, uint64_t token)
{
	struct sched_fake_standby *sb = arg;

	(void)name;
	return !sb->attached || sb->applied >= token;
}

static int
sb_held(void *arg, const char *name, uint64_t token)
{
	struct sched_fake_standby *sb = arg;

	(void)name;
	return sb->attached && sb->applied >= token;
}

const struct sched_sync sched_fake_sync = { sb_mark, sb_done, &sched_fake_sb,
    sb_held };
