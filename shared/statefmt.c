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

static uint32_t
current_of(const char *msg)
{
	size_t	i;

	for (i = 0; msg != NULL && i < NFORMATS; i++)
		if (strcmp(msg, formats[i].msg) == 0)
			return formats[i].current;
	return 0;
}

uint32_t
state_format_current(const ProtobufCMessageDescriptor *desc)
{
	return desc == NULL ? 0 : current_of(desc->name);
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

uint32_t
state_text_format(const uint8_t *buf, size_t len, const char *head,
    size_t *off)
{
	size_t		i = strlen(head);
	uint32_t	f = 0;

	*off = 0;
	if (len < i || memcmp(buf, head, i) != 0)
		return 0;
	for (; i < len && buf[i] >= '0' && buf[i] <= '9' && f < 1000; i++)
		f = f * 10 + (uint32_t)(buf[i] - '0');
	while (i < len && buf[i] != '\n')
		i++;
	*off = i < len ? i + 1 : len;
	return f;
}

/* A varint at *off, every byte checked; 0 or -1. */
static int
varint(const uint8_t *buf, size_t len, size_t *off, uint64_t *v)
{
	unsigned	shift;

	*v = 0;
	for (shift = 0; shift < 64; shift += 7) {
		if (*off >= len)
			return -1;
		*v |= (uint64_t)(buf[*off] & 0x7f) << shift;
		if ((buf[(*off)++] & 0x80) == 0)
			return 0;
	}
	return -1;
}

int
state_format_scan(const uint8_t *buf, size_t len, uint32_t *fmt)
{
	size_t		off = 0;
	uint64_t	tag, v;

	*fmt = 0;
	while (off < len) {
		if (varint(buf, len, &off, &tag) == -1)
			return -1;
		switch (tag & 7) {
		case 0:			/* varint */
			if (varint(buf, len, &off, &v) == -1)
				return -1;
			if (tag >> 3 == 100)
				*fmt = (uint32_t)v;
			break;
		case 1:			/* 64-bit */
			if (len - off < 8)
				return -1;
			off += 8;
			break;
		case 2:			/* length-delimited */
			if (varint(buf, len, &off, &v) == -1 || v > len - off)
				return -1;
			off += (size_t)v;
			break;
		case 5:			/* 32-bit */
			if (len - off < 4)
				return -1;
			off += 4;
			break;
		default:		/* groups, or not protobuf */
			return -1;
		}
	}
	return 0;
}

/*
 * The state files by name, with the form their number takes: a
 * protobuf message (its name in the table above), or a text or framed
 * file whose first bytes carry it. zwave.nodes (field 4) and
 * commands.log (framed LogHead) are read only by their own modules.
 */
enum file_form { FORM_PROTO, FORM_HISTORY, FORM_GRACE, FORM_KNOWN };

static const struct {
	const char	*file;
	enum file_form	 form;
	const char	*msg;
} files[] = {
	{ "master.state",	FORM_PROTO,	"hd.NodeState" },
	{ "slave.state",	FORM_PROTO,	"hd.NodeState" },
	{ "elect.state",	FORM_PROTO,	"hd.ElectState" },
	{ "vote.state",		FORM_PROTO,	"hd.VoteState" },
	{ "users",		FORM_PROTO,	"hd.UserList" },
	{ "tokens",		FORM_PROTO,	"hd.ApiTokenList" },
	{ "sessions",		FORM_PROTO,	"hd.SessionList" },
	{ "bans",		FORM_PROTO,	"hd.BanList" },
	{ "sched.state",	FORM_PROTO,	"hd.SchedState" },
	{ "local.state",	FORM_PROTO,	"hd.SchedState" },
	{ "cmdmemo.state",	FORM_PROTO,	"hd.CmdMemo" },
	{ "zwave.provision",	FORM_PROTO,	"hd.ZwProvisionList" },
	{ "history",		FORM_HISTORY,	NULL },
	{ "licence.grace",	FORM_GRACE,	NULL },
	{ "licence.slaves",	FORM_KNOWN,	NULL },
};
#define NFILES	(sizeof(files) / sizeof(files[0]))

uint32_t
state_file_format(const char *name, const uint8_t *buf, size_t len,
    uint32_t *reads)
{
	uint32_t	f = 0;
	size_t		i, off;

	*reads = 0;
	for (i = 0; i < NFILES && strcmp(files[i].file, name) != 0; i++)
		;
	if (i == NFILES)
		return 0;
	switch (files[i].form) {
	case FORM_PROTO:
		*reads = current_of(files[i].msg);
		if (state_format_scan(buf, len, &f) == -1)
			f = 0;
		return f;
	case FORM_HISTORY:
		*reads = STATE_HISTORY_FORMAT;
		return state_magic_format(buf, len, "HDH");
	case FORM_GRACE:
		*reads = STATE_GRACE_FORMAT;
		return len >= 2 && buf[0] >= '1' && buf[0] <= '9' &&
		    buf[1] == ' ' ? (uint32_t)(buf[0] - '0') : 0;
	case FORM_KNOWN:
		*reads = STATE_KNOWN_FORMAT;
		return state_text_format(buf, len, STATE_KNOWN_HEAD, &off);
	}
	return 0;
}
