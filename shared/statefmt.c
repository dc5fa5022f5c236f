/*
 * Format numbers of the state files (statefmt.h). The table names each
 * file's top-level message by its protobuf name, so this module needs
 * none of the generated code of master/ or slave/ (shared/ never
 * includes them), and reads and writes the field through the
 * descriptor the caller passes.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "statefmt.h"
#include "version.h"

struct state_format {
	const char	*msg;		/* the message's full protobuf name */
	uint32_t	 current;	/* the format this build writes */
};

/*
 * Every protobuf state file (docs/OPERATIONS.md lists the files). All
 * but one at 1: the meaning of every field is still that of v0.1.0,
 * which wrote them without the field (format 0).
 */
static const struct state_format formats[] = {
	{ "hd.NodeState",	1 },	/* master.state, slave.state */
	{ "hd.ElectState",	1 },	/* elect.state */
	{ "hd.VoteState",	1 },	/* vote.state */
	{ "hd.UserList",	1 },	/* users */
	{ "hd.ApiTokenList",	1 },	/* tokens */
	{ "hd.SessionList",	1 },	/* sessions */
	{ "hd.BanList",		1 },	/* bans */
	{ "hd.SchedState",	1 },	/* sched.state */
	{ "hd.CmdMemo",		1 },	/* cmdmemo.state (a slave's) */
	{ "hd.LogHead",		1 },	/* commands.log's first frame */
	{ "hd.ZwProvisionList",	1 },	/* zwave.provision (a slave's) */
	/* zwave.nodes: 2 since S2 (s2_granted; ZW_NODES_FORMAT in
	 * slave/zwave/zw_nodes.c, field 4, not 100) */
	{ "hd.ZwNodeTable",	2 },
};
#define NFORMATS	(sizeof(formats) / sizeof(formats[0]))

/* The descriptor's format field, if it is a state file's message. */
static const ProtobufCFieldDescriptor *
format_field(const ProtobufCMessageDescriptor *desc)
{
	const ProtobufCFieldDescriptor	*f;

	if (state_format_current(desc) == 0)
		return NULL;
	f = protobuf_c_message_descriptor_get_field_by_name(desc,
	    STATE_FORMAT_FIELD);
	if (f == NULL || f->type != PROTOBUF_C_TYPE_UINT32 ||
	    f->label != PROTOBUF_C_LABEL_NONE)
		return NULL;
	return f;
}

uint32_t
state_format_current(const ProtobufCMessageDescriptor *desc)
{
	size_t	i;

	for (i = 0; desc != NULL && i < NFORMATS; i++)
		if (strcmp(desc->name, formats[i].msg) == 0)
			return formats[i].current;
	return 0;
}

uint32_t
state_format_of(const ProtobufCMessage *m)
{
	const ProtobufCFieldDescriptor	*f;
	uint32_t			 v;

	if (m == NULL || (f = format_field(m->descriptor)) == NULL)
		return 0;
	memcpy(&v, (const char *)m + f->offset, sizeof(v));
	return v;
}

void
state_format_set(ProtobufCMessage *m)
{
	const ProtobufCFieldDescriptor	*f;
	uint32_t			 v;

	if ((f = format_field(m->descriptor)) == NULL)
		fatalx("state_format_set: %s is not a state file's message",
		    m->descriptor->name);
	v = state_format_current(m->descriptor);
	memcpy((char *)m + f->offset, &v, sizeof(v));
}

/*
 * One step: a message of format `from` becomes one of `from + 1`. A
 * change of meaning adds its case here (and raises the table above).
 * 0 -> 1 changes nothing: format 1 is the v0.1.0 form, numbered. The
 * node table's 1 -> 2 neither: S2's s2_granted came with 2, and a table
 * without it has no S2 node (0 is what it reads as).
 */
static int
migrate(ProtobufCMessage *m, uint32_t from)
{
	switch (from) {
	case 0:
		return 0;
	case 1:
		return strcmp(m->descriptor->name, "hd.ZwNodeTable") == 0 ?
		    0 : -1;
	default:
		return -1;
	}
}

int
state_format_in(const char *path, ProtobufCMessage *m)
{
	uint32_t	cur = state_format_current(m->descriptor);
	uint32_t	fmt = state_format_of(m), f;

	if (cur == 0)
		fatalx("state_format_in: %s is not a state file's message",
		    m->descriptor->name);
	if (fmt > cur) {
		log_warnx("%s: format %u is newer than this version (%s) "
		    "reads (%u): refused, the file is left as it is "
		    "(upgrade, or restore this version's backup)", path,
		    fmt, HD_VERSION, cur);
		errno = ENOTSUP;
		return -1;
	}
	for (f = fmt; f < cur; f++)
		if (migrate(m, f) == -1) {
			log_warnx("%s: no migration from format %u", path, f);
			errno = ENOTSUP;
			return -1;
		}
	if (fmt < cur) {
		log_info("%s: format %u read as format %u%s", path, fmt, cur,
		    fmt == 0 ? " (written before format numbers, v0.1.0)" :
		    "");
		state_format_set(m);
	}
	return 0;
}

uint32_t
state_magic_format(const uint8_t *buf, size_t len, const char *prefix)
{
	if (len < 4 || memcmp(buf, prefix, 3) != 0 || buf[3] < '1' ||
	    buf[3] > '9')
		return 0;
	return (uint32_t)(buf[3] - '0');
}
