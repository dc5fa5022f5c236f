/*
 * Unit tests for the state files' format numbers (shared/statefmt.c):
 * for every protobuf state file, through state_load() and then through
 * the module that reads it, the current format is read, a file without
 * the field (what v0.1.0 wrote) is migrated, a newer format is refused
 * and left as it was, a damaged file is refused; a writer that forgot
 * the number writes nothing. The backup file's magic too.
 */

#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "auth/tokens.h"
#include "auth/users.h"
#include "backup.h"
#include "check.h"
#include "cluster.pb-c.h"
#include "ha.pb-c.h"
#include "lib/ban.h"
#include "log.h"
#include "master.pb-c.h"
#include "statefmt.h"
#include "web.pb-c.h"
#include "wire.h"
#include "zwave.pb-c.h"

static char	dir[] = "/tmp/test_statefmt.XXXXXX";

/* Every state file's top-level message. */
static const ProtobufCMessageDescriptor *const descs[] = {
	&hd__node_state__descriptor,	&hd__elect_state__descriptor,
	&hd__vote_state__descriptor,	&hd__user_list__descriptor,
	&hd__api_token_list__descriptor, &hd__session_list__descriptor,
	&hd__ban_list__descriptor,	&hd__sched_state__descriptor,
	&hd__zw_node_table__descriptor,	&hd__cmd_memo__descriptor,
	&hd__log_head__descriptor,	&hd__zw_provision_list__descriptor,
};
#define NDESCS	(sizeof(descs) / sizeof(descs[0]))

static const char *
P(const char *name)
{
	static char	buf[4][300];
	static int	n;
	char		*p = buf[n++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

/* Write `m` with its format field set to `fmt`, whatever the table says
 * (a file of an older or a newer version). */
static int
write_fmt(const char *path, ProtobufCMessage *m, uint32_t fmt)
{
	const ProtobufCFieldDescriptor	*f;
	uint8_t				*p;
	size_t				 len;
	int				 r;

	f = protobuf_c_message_descriptor_get_field_by_name(m->descriptor,
	    STATE_FORMAT_FIELD);
	if (f == NULL)
		return -1;
	memcpy((char *)m + f->offset, &fmt, sizeof(fmt));
	len = protobuf_c_message_get_packed_size(m);
	if ((p = malloc(len + 1)) == NULL)
		return -1;
	protobuf_c_message_pack(m, p);
	r = atomic_write(path, p, len, 0600);
	free(p);
	return r;
}

static int
same_file(const char *path, const uint8_t *want, size_t wlen)
{
	uint8_t	*p;
	size_t	 len;
	int	 same;

	if (atomic_read(path, 1 << 20, &p, &len) == -1)
		return 0;
	same = len == wlen && memcmp(p, want, len) == 0;
	free(p);
	return same;
}

static void
generic(const ProtobufCMessageDescriptor *d)
{
	ProtobufCMessage	*m, *got;
	uint32_t		 cur = state_format_current(d);
	const char		*path = P("file");
	uint8_t			*saved;
	size_t			 slen;

	CHECK(cur >= 1, "%s: a state file's message, format %u", d->name, cur);
	if ((m = calloc(1, d->sizeof_message)) == NULL)
		return;
	protobuf_c_message_init(d, m);

	/* The current format, as the daemons write it. */
	state_format_set(m);
	CHECK(state_save(path, m) == 0, "%s: saved at format %u", d->name, cur);
	got = state_load(path, d);
	CHECK(got != NULL && state_format_of(got) == cur,
	    "%s: the current format reads back", d->name);
	wire_free(got);

	/* What v0.1.0 wrote: no field at all. */
	CHECK(write_fmt(path, m, 0) == 0 && (got = state_load(path, d)) !=
	    NULL && state_format_of(got) == cur,
	    "%s: no format field (v0.1.0) is read, migrated to %u", d->name,
	    cur);
	wire_free(got);

	/* A newer one: refused, the file left as it was. */
	CHECK(write_fmt(path, m, cur + 1) == 0 &&
	    atomic_read(path, 1 << 20, &saved, &slen) == 0,
	    "%s: a file of format %u written", d->name, cur + 1);
	errno = 0;
	got = state_load(path, d);
	CHECK(got == NULL && errno == ENOTSUP,
	    "%s: format %u is refused (ENOTSUP)", d->name, cur + 1);
	CHECK(same_file(path, saved, slen), "%s: ... and left as it was",
	    d->name);
	free(saved);
	wire_free(got);

	/* Damaged: refused as such, not as newer. */
	CHECK(atomic_write(path, "\xff\xff\xff\xff", 4, 0600) == 0,
	    "%s: a damaged file written", d->name);
	errno = 0;
	got = state_load(path, d);
	CHECK(got == NULL && errno == EINVAL, "%s: a damaged file is refused "
	    "(EINVAL)", d->name);
	wire_free(got);

	/* A writer that forgot the number writes nothing. */
	unlink(path);
	CHECK(write_fmt(P("scratch"), m, 0) == 0 && state_save(path, m) == -1 &&
	    access(path, F_OK) == -1, "%s: a message without its format is "
	    "not written", d->name);
	free(m);
}

/* The users: a v0.1.0 file loads, a newer one makes users_load() fail. */
static void
users(void)
{
	struct users	*u = NULL;
	Hd__UserList	 l = HD__USER_LIST__INIT;
	const char	*path = P("users");

	unlink(path);
	CHECK(write_fmt(path, &l.base, 0) == 0 &&
	    (u = users_new(path, NULL)) != NULL && users_load(u) == 0,
	    "users: a v0.1.0 file loads");
	users_free(u);
	u = NULL;
	CHECK(write_fmt(path, &l.base, 2) == 0 &&
	    (u = users_new(path, NULL)) != NULL && users_load(u) == -1 &&
	    errno == ENOTSUP, "users: format 2 is refused");
	users_free(u);
}

static void
tokens(void)
{
	Hd__ApiTokenList	 l = HD__API_TOKEN_LIST__INIT;
	struct tokens		*tk = NULL;
	const char		*path = P("tokens");

	CHECK(write_fmt(path, &l.base, 0) == 0 &&
	    (tk = tokens_new(path)) != NULL, "tokens: a v0.1.0 file loads");
	tokens_discard(tk);
	tk = NULL;
	CHECK(write_fmt(path, &l.base, 2) == 0 && tokens_new(path) == NULL,
	    "tokens: format 2 is refused");
	unlink(path);
	CHECK((tk = tokens_new(path)) != NULL, "tokens: no file, no tokens");
	tokens_discard(tk);
}

static void
sessions(void)
{
	Hd__SessionList	 l = HD__SESSION_LIST__INIT;
	struct sessions	*s = sessions_new();
	const char	*path = P("sessions");

	CHECK(write_fmt(path, &l.base, 0) == 0 &&
	    sessions_load(s, path, 1000, 1000) == 0,
	    "sessions: a v0.1.0 file loads");
	CHECK(write_fmt(path, &l.base, 2) == 0 &&
	    sessions_load(s, path, 1000, 1000) == -1,
	    "sessions: format 2 is refused");
	sessions_free(s);
}

static void
bans(void)
{
	Hd__BanList		 l = HD__BAN_LIST__INIT;
	struct ban_table	*t = ban_new();
	const char		*path = P("bans");

	CHECK(write_fmt(path, &l.base, 0) == 0 && ban_load(t, path, 0) == 0,
	    "bans: a v0.1.0 file loads");
	errno = 0;
	CHECK(write_fmt(path, &l.base, 2) == 0 &&
	    ban_load(t, path, 0) == -1 && errno == ENOTSUP,
	    "bans: format 2 is refused (ENOTSUP: the web process stops)");
	CHECK(ban_save(t, path, 0) == 0 && ban_load(t, path, 0) == 0,
	    "bans: what ban_save() writes loads");
	ban_free(t);
}

static void
backup(void)
{
	static uint8_t	 buf[4 + 32];
	struct backup	*b = calloc(1, sizeof(*b));
	const char	*why = "";

	memcpy(buf, "HDB2", 4);
	CHECK(b != NULL && backup_parse(buf, sizeof(buf), b, &why) == -1 &&
	    strstr(why, "format 2 is newer") != NULL &&
	    strstr(why, "reads (1)") != NULL,
	    "backup: HDB2 is refused naming both formats (%s)", why);
	memcpy(buf, "HDBx", 4);
	CHECK(backup_parse(buf, sizeof(buf), b, &why) == -1 &&
	    strstr(why, "not a homedaemon backup") != NULL,
	    "backup: HDBx is not a backup (%s)", why);
	CHECK(state_magic_format((const uint8_t *)"HDH1", 4, "HDH") == 1 &&
	    state_magic_format((const uint8_t *)"HDH9", 4, "HDH") == 9 &&
	    state_magic_format((const uint8_t *)"HDH0", 4, "HDH") == 0 &&
	    state_magic_format((const uint8_t *)"HDH", 3, "HDH") == 0 &&
	    state_magic_format((const uint8_t *)"HDB1", 4, "HDH") == 0,
	    "magic: the digit is the format, 1-9; anything else is none");
	free(b);
}

/*
 * What a standby checks a received file with (state_file_format()): the
 * number of each form, without unpacking; bytes that are not protobuf.
 */
static void
file_formats(void)
{
	Hd__UserList	 l = HD__USER_LIST__INIT;
	uint8_t		 buf[64];
	uint32_t	 reads, f;
	size_t		 n;
	static const uint8_t twice[] = { 0xa0, 0x06, 0x05, 0xa0, 0x06, 0x03 };
	static const uint8_t group[] = { 0x0b, 0x0c };
	static const uint8_t cut[] = { 0xa0, 0x06 };
	static const uint8_t longer[] = { 0x0a, 0x05, 'a' };
	static const uint8_t huge[] = { 0xa0, 0x06, 0x81, 0x80, 0x80, 0x80,
	    0x10 };		/* 2^32 + 1: protobuf-c keeps the low 32 bits */

	l.format = 7;
	n = hd__user_list__pack(&l, buf);
	CHECK(state_file_format("users", buf, n, &reads) == 7 && reads == 1,
	    "users of format 7: read as 7, this build reads 1");
	l.format = 0;
	n = hd__user_list__pack(&l, buf);
	CHECK(state_file_format("users", buf, n, &reads) == 0 && reads == 1,
	    "users without the field: format 0");
	CHECK(state_file_format("master.state", twice, sizeof(twice),
	    &reads) == 3 && reads == 1, "the field twice: the last counts");
	CHECK(state_format_scan(group, sizeof(group), &f) == -1 &&
	    state_format_scan(cut, sizeof(cut), &f) == -1 &&
	    state_format_scan(longer, sizeof(longer), &f) == -1,
	    "a group, a cut varint, a length past the end: not protobuf");
	CHECK(state_file_format("users", group, sizeof(group), &reads) == 0,
	    "... which reads as format 0 (damage is the reader's business)");
	CHECK(state_format_scan(huge, sizeof(huge), &f) == 0 && f == 1,
	    "a number past 32 bits: its low 32 bits, as the reader sees it");
	CHECK(state_file_format("history", (const uint8_t *)"HDH3", 4,
	    &reads) == 3 && reads == STATE_HISTORY_FORMAT, "history: HDH3");
	CHECK(state_file_format("licence.grace", (const uint8_t *)"4 ab", 4,
	    &reads) == 4 && reads == STATE_GRACE_FORMAT, "licence.grace: 4");
	CHECK(state_file_format("licence.slaves", (const uint8_t *)
	    STATE_KNOWN_HEAD "12: x\n", sizeof(STATE_KNOWN_HEAD) + 5,
	    &reads) == 12 && reads == STATE_KNOWN_FORMAT &&
	    state_file_format("licence.slaves", (const uint8_t *)"slave-a\n",
	    8, &reads) == 0, "licence.slaves: its first line, none in v0.1.0's");
	CHECK(state_file_format("licence.pem", (const uint8_t *)"-----", 5,
	    &reads) == 0 && reads == 0 && state_file_format("events.last-good",
	    (const uint8_t *)"x", 1, &reads) == 0 && reads == 0,
	    "PEM and the events file carry no number");
}

int
main(void)
{
	size_t	i;

	log_init("test_statefmt", 0);
	if (!CHECK(mkdtemp(dir) != NULL, "mkdtemp"))
		return check_done();
	for (i = 0; i < NDESCS; i++)
		generic(descs[i]);
	CHECK(state_format_current(&hd__envelope__descriptor) == 0 &&
	    state_format_current(&hd__history_ring__descriptor) == 0,
	    "a message that is not a state file's has no format");
	file_formats();
	users();
	tokens();
	sessions();
	bans();
	backup();
	unlink(P("file"));
	unlink(P("scratch"));
	unlink(P("users"));
	unlink(P("tokens"));
	unlink(P("sessions"));
	unlink(P("bans"));
	rmdir(dir);
	return check_done();
}
