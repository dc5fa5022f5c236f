/*
 * libFuzzer harness for what hd-master takes out of a sched.state (the
 * master's, replicated to a standby that takes over with it): the
 * outbox of firing commands (master/sched/sched_hold.c,
 * sched_hold_take) and the clients' keys of runs from the API
 * (master/sched/sched_runkeys.c, sched_runkeys_get), each field checked
 * against its limit; then written back (put) and packed, as the next
 * save does. The input is the file's protobuf body.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "master.pb-c.h"
#include "sched/sched_master.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sched_runkeys	 rk;
	struct sched_hold		 h;
	Hd__SchedState			*st, out = HD__SCHED_STATE__INIT;
	uint8_t				*buf;
	char				 key[SCHED_RUN_KEY_MAX + 8];

	static int			 logs;

	if (!logs++)
		log_init("fuzz", 0);
	if ((st = hd__sched_state__unpack(NULL, size, data)) == NULL)
		return 0;
	sched_hold_init(&h);
	sched_hold_take(&h, st, 1000);
	sched_runkeys_get(&rk, st);
	if (st->n_run_keys > 0) {
		memcpy(key, st->run_keys[0]->key, strnlen(st->run_keys[0]->key,
		    sizeof(key) - 1));
		key[strnlen(st->run_keys[0]->key, sizeof(key) - 1)] = '\0';
		(void)sched_runkeys_find(&rk, key);
	}
	hd__sched_state__free_unpacked(st, NULL);
	sched_hold_put(&h, &out);
	sched_runkeys_put(&rk, &out);
	if ((buf = malloc(hd__sched_state__get_packed_size(&out) + 1)) != NULL) {
		hd__sched_state__pack(&out, buf);
		free(buf);
	}
	sched_hold_clear(&h);
	return 0;
}
