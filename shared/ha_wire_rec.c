/*
 * The records of the master's log on the link and on disk (ha_wire.h):
 * a ReplRecord (proto/cluster.proto) <-> the machines' struct ha_rec,
 * every field of a peer's (or of a file's) checked. A command record
 * carries the whole Command, so a new master can send it again with the
 * same id and the API can answer for it; a result record the slave's
 * CommandResult.
 */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ha_wire.h"

static int
str_ok(const char *s, size_t max, int empty)
{
	return s != NULL && (empty || s[0] != '\0') && strlen(s) <= max;
}

/* A value as a command or a result may carry one. */
static const char *
value_check(const Hd__Value *v)
{
	switch (v->v_case) {
	case HD__VALUE__V_B:
	case HD__VALUE__V_I:
		return NULL;
	case HD__VALUE__V_D:
		return isfinite(v->d) ? NULL : "a value that is not finite";
	case HD__VALUE__V_S:
		return str_ok(v->s, VALUE_STR_MAX, 1) ? NULL :
		    "a text value too long";
	default:
		return "a value of no type";
	}
}

static const char *
command_check(const Hd__ReplCommand *rc)
{
	const Hd__Command *c = rc->command;

	if (c == NULL)
		return "a command record without its command";
	if (c->id == 0)
		return "a command of id 0";
	if (!str_ok(c->device_id, DEVICE_ID_MAX, 0) ||
	    !str_ok(c->key, VALUE_KEY_MAX, 0))
		return "a command's device or key empty or too long";
	if (c->value == NULL)
		return "a command without a value";
	if (c->pulse_ms > API_MAX_PULSE_MS ||
	    c->timeout_ms > HA_REC_TIMEOUT_MAX_MS)
		return "a command's pulse or timeout out of range";
	if (!str_ok(c->issued_by, HA_REC_BY_MAX, 1) ||
	    !str_ok(rc->event, SCHED_NAME_MAX, 1) ||
	    !str_ok(rc->site, SITE_NAME_MAX, 1))
		return "a command's issuer, event or site too long";
	return value_check(c->value);
}

static const char *
result_check(const Hd__ReplResult *rr)
{
	const Hd__CommandResult *r = rr->result;

	if (r == NULL)
		return "a result record without its result";
	if (r->id == 0)
		return "a result of id 0";
	if (protobuf_c_enum_descriptor_get_value(
	    &hd__command_result__status__descriptor, (int)r->status) == NULL ||
	    r->status == HD__COMMAND_RESULT__STATUS__QUEUED)
		return "a result of no final status";
	if (!str_ok(r->detail, HA_REC_DETAIL_MAX, 1))
		return "a result's detail too long";
	return r->value != NULL ? value_check(r->value) : NULL;
}

int
ha_wire_rec_in(const Hd__ReplRecord *in, uint64_t after,
    const struct ha_slaves *hs, struct ha_rec *out, char *why, size_t len)
{
	const char	*slave = NULL, *bad;
	size_t		 n;
	int		 i = -1;

	memset(out, 0, sizeof(*out));
	/* What the log file and a copy hold (unknown fields count too). */
	if ((n = hd__repl_record__get_packed_size(in)) > HA_REC_MAX_BYTES) {
		snprintf(why, len, "log record of %zu bytes (at most %d)", n,
		    HA_REC_MAX_BYTES);
		return -1;
	}
	if (in->pos <= after) {
		snprintf(why, len, "log record at %" PRIu64 " after %" PRIu64,
		    in->pos, after);
		return -1;
	}
	out->pos = in->pos;
	switch (in->change_case) {
	case HD__REPL_RECORD__CHANGE_COMMAND:
		out->kind = HA_REC_COMMAND;
		slave = in->command->slave;
		bad = command_check(in->command);
		if (bad == NULL)
			out->id = in->command->command->id;
		break;
	case HD__REPL_RECORD__CHANGE_RESULT:
		out->kind = HA_REC_RESULT;
		slave = in->result->slave;
		bad = result_check(in->result);
		if (bad == NULL) {
			out->id = in->result->result->id;
			out->value = (int64_t)in->result->result->status;
		}
		break;
	default:
		bad = "a log record that is neither a command nor a result";
	}
	if (bad == NULL && (hs == NULL || slave == NULL ||
	    (i = ha_slaves_find(hs, slave)) == -1))
		bad = "a log record for a slave not in the slave lines";
	if (bad != NULL) {
		snprintf(why, len, "log record %" PRIu64 ": %s", in->pos, bad);
		return -1;
	}
	out->slave = (uint32_t)i;
	return 0;
}

int
ha_wire_rec_matches(const Hd__ReplRecord *r, const struct ha_rec *rec,
    const struct ha_slaves *hs)
{
	struct ha_rec	got;
	char		why[8];

	return ha_wire_rec_in(r, rec->pos - 1, hs, &got, why,
	    sizeof(why)) == 0 && got.kind == rec->kind && got.id == rec->id &&
	    got.slave == rec->slave && (got.kind != HA_REC_RESULT ||
	    got.value == rec->value);
}
