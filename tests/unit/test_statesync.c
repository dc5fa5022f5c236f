/*
 * Unit tests for master/cluster/statesync*.c: a master and a standby
 * machine connected in memory, each with a temporary state-dir. Every
 * message is packed and unpacked on its way, as on the link.
 */

#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "check.h"
#include "hdlimits.h"
#include "cluster/statesync.h"
#include "auth/tokens.h"
#include "auth/users.h"
#include "licence/licence.h"
#include "sched/sched.h"
#include "master.pb-c.h"
#include "statefmt.h"

#define QMAX	4096		/* messages in flight one way */

struct q {
	uint8_t	*msg[QMAX];
	size_t	 len[QMAX];
	int	 head, n;
	int	 chunks0[SSYNC_MAX_FILES];	/* first pieces sent, per file */
	int	 synced;			/* StateSynced sent */
};

static char		 mdir[128], sdir[128];
static struct q		 m2s, s2m;
static struct ssync	*ms;
static struct ssync_sb	*sb;
static int		 peer = -1;
static uint64_t		 now = 1000;
static const char	*why;

static int
qsend(void *arg, const Hd__Envelope *e)
{
	struct q	*q = arg;
	size_t		 n = protobuf_c_message_get_packed_size(&e->base);
	int		 f;

	if (q->n == QMAX || n > WIRE_MAX_FRAME)
		return -1;
	if (e->body_case == HD__ENVELOPE__BODY_STATE_CHUNK &&
	    e->state_chunk->offset == 0 &&
	    (f = ssync_file_index(e->state_chunk->name)) != -1)
		q->chunks0[f]++;
	if (e->body_case == HD__ENVELOPE__BODY_STATE_SYNCED)
		q->synced++;
	q->msg[(q->head + q->n) % QMAX] = malloc(n);
	q->len[(q->head + q->n) % QMAX] = n;
	protobuf_c_message_pack(&e->base, q->msg[(q->head + q->n) % QMAX]);
	q->n++;
	return 0;
}

static const struct ssync_ops to_standby = { qsend, &m2s, NULL };
static const struct ssync_ops to_master = { qsend, &s2m, NULL };

static Hd__Envelope *
qpop(struct q *q)
{
	Hd__Envelope	*e;

	if (q->n == 0)
		return NULL;
	e = hd__envelope__unpack(NULL, q->len[q->head], q->msg[q->head]);
	free(q->msg[q->head]);
	q->head = (q->head + 1) % QMAX;
	q->n--;
	return e;
}

static void
qclear(struct q *q)
{
	while (q->n > 0) {
		free(q->msg[q->head]);
		q->head = (q->head + 1) % QMAX;
		q->n--;
	}
	memset(q->chunks0, 0, sizeof(q->chunks0));
	q->synced = 0;
}

/* Deliver one message each way; -1 on a refusal (why set). */
static int
step(void)
{
	Hd__Envelope	*e;
	int		 r = 0;

	if ((e = qpop(&m2s)) != NULL) {
		if (e->body_case == HD__ENVELOPE__BODY_STATE_CHUNK)
			r = ssync_sb_chunk(sb, e->state_chunk, &why);
		else if (e->body_case == HD__ENVELOPE__BODY_STATE_SYNCED)
			ssync_sb_synced(sb, e->state_synced);
		hd__envelope__free_unpacked(e, NULL);
	}
	if (r == 0 && (e = qpop(&s2m)) != NULL) {
		if (e->body_case == HD__ENVELOPE__BODY_STATE_HELLO)
			peer = ssync_attach(ms, &to_standby, e->state_hello,
			    now, &why);
		else if (e->body_case == HD__ENVELOPE__BODY_STATE_ACK)
			r = ssync_ack(ms, peer, e->state_ack, now, &why);
		hd__envelope__free_unpacked(e, NULL);
	}
	now++;
	return r;
}

/* Until nothing moves (bounded): 0, or -1 on a refusal. */
static int
run(int max)
{
	int	i;

	for (i = 0; i < max && (m2s.n > 0 || s2m.n > 0); i++)
		if (step() == -1)
			return -1;
	return m2s.n > 0 || s2m.n > 0 ? -1 : 0;
}

static const char *
P(const char *dir, const char *name)
{
	static char	ring[4][256];
	static int	next;
	char		*p = ring[next++ % 4];

	snprintf(p, sizeof(ring[0]), "%s/%s", dir, name);
	return p;
}

/* Write a state file of `len` bytes of pattern `seed` on the master. */
static void
put(const char *name, size_t len, int seed)
{
	uint8_t	*b = malloc(len + 1);
	size_t	 i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + (size_t)seed);
	atomic_write(P(mdir, name), b, len, 0600);
	free(b);
}

/* Does the standby's copy equal the master's (both absent counts)? */
static int
same(const char *name)
{
	uint8_t	*a = NULL, *b = NULL;
	size_t	 al = 0, bl = 0;
	int	 ra, rb, r;

	ra = atomic_read(P(mdir, name), HISTORY_FILE_MAX, &a, &al);
	rb = atomic_read(P(sdir, name), HISTORY_FILE_MAX, &b, &bl);
	r = ra == rb && al == bl && (al == 0 || memcmp(a, b, al) == 0);
	free(a);
	free(b);
	return r;
}

static int
all_same(void)
{
	int	i;

	for (i = 0; i < ssync_nfiles(); i++)
		if (!same(ssync_file(i)->name))
			return 0;
	return 1;
}

static void
empty_standby(void)
{
	int	i;

	for (i = 0; i < ssync_nfiles(); i++)
		unlink(P(sdir, ssync_file(i)->name));
}

/* A fresh pair: empty standby dir, the master's files as they are. */
static void
pair_new(void)
{
	ssync_free(ms);
	ssync_sb_free(sb);
	qclear(&m2s);
	qclear(&s2m);
	ms = ssync_new(mdir, now);
	sb = ssync_sb_new(sdir);
	peer = -1;
}

static void
attach(void)
{
	ssync_sb_hello(sb, &to_master);
}

static void
test_names(void)
{
	CHECK(ssync_file_index(USERS_FILE) != -1, "users file listed");
	CHECK(ssync_file_index(TOKENS_FILE) != -1, "tokens file listed");
	CHECK(ssync_file_index(HISTORY_FILE) != -1, "history listed");
	CHECK(ssync_file_index(LICENCE_FILE) != -1 &&
	    ssync_file_index(LICENCE_KNOWN_FILE) != -1 &&
	    ssync_file_index(LICENCE_CRL_FILE) != -1 &&
	    ssync_file_index(LICENCE_GRACE_FILE) != -1, "licence files listed");
	CHECK(ssync_file_index(SCHED_LAST_GOOD) != -1 &&
	    ssync_file_index("sched.state") != -1, "scheduler files listed");
	CHECK(ssync_file_index("master.state") != -1 &&
	    ssync_file_index("bans") != -1, "node state and bans listed");
	CHECK(ssync_file_index("web-root") == -1 &&
	    ssync_file_index("../users") == -1 &&
	    ssync_file_index("/etc/passwd") == -1 &&
	    ssync_file_index("") == -1, "no other name, no path");
}

static void
test_snapshot(void)
{
	struct ssync_lag	l;
	uint32_t		a;

	put("users", 300, 1);
	put("history", 3 * SSYNC_CHUNK + 17, 2);	/* four pieces */
	put("sched.state", SSYNC_CHUNK, 3);		/* exactly one */
	put("tokens", 0, 0);				/* empty */
	pair_new();
	attach();
	CHECK(run(1000) == 0, "snapshot runs to the end");
	CHECK(peer == 0, "standby attached in slot 0");
	CHECK(all_same(), "standby holds every file as the master");
	CHECK(ssync_sb_is_synced(sb) && m2s.synced == 1,
	    "standby told the snapshot is complete, once");
	CHECK(ssync_lag(ms, peer, now, &l) == 0 && l.files == 0 &&
	    l.bytes == 0 && l.oldest_ms == 0 && l.synced, "no lag");
	a = ssync_sb_take_applied(sb);
	CHECK((a & 1u << ssync_file_index("users")) &&
	    (a & 1u << ssync_file_index("history")),
	    "applied files reported for the reload");
	CHECK(ssync_sb_take_applied(sb) == 0, "and cleared once taken");
}

static void
test_change_during_snapshot(void)
{
	int	i, h = ssync_file_index("history");

	put("history", 6 * SSYNC_CHUNK, 4);
	empty_standby();
	pair_new();
	attach();
	/* Until the snapshot's history is under way, not done. */
	for (i = 0; i < 100 && m2s.chunks0[h] == 0; i++)
		step();
	CHECK(m2s.chunks0[h] == 1 && !same("history"),
	    "history under way");
	put("history", 2 * SSYNC_CHUNK + 5, 5);
	ssync_changed(ms, "history", now);
	put("users", 10, 6);
	ssync_changed(ms, "users", now);
	CHECK(run(1000) == 0, "snapshot with changes runs to the end");
	CHECK(all_same(), "standby holds the newest of every file");
	CHECK(m2s.chunks0[h] == 2,
	    "history sent twice: the snapshot's, then the newest");
}

static void
test_coalesce(void)
{
	struct ssync_lag	l;
	int			i, f = ssync_file_index("users");

	pair_new();
	attach();
	run(1000);
	qclear(&m2s);
	for (i = 0; i < 6; i++) {
		put("users", 100 + (size_t)i, 10 + i);
		ssync_changed(ms, "users", now);
		now += 10;
	}
	CHECK(ssync_lag(ms, peer, now, &l) == 0 && l.files == 1 &&
	    l.bytes > 0 && l.oldest_ms == 60, "lag: 1 file, 60 ms");
	CHECK(run(1000) == 0 && same("users"), "newest users applied");
	CHECK(m2s.chunks0[f] == 2, "six changes sent as two versions");
	CHECK(ssync_lag(ms, peer, now, &l) == 0 && l.files == 0 &&
	    l.oldest_ms == 0, "no lag after");
}

/*
 * The scheduler's firing record (docs/FAILOVER.md#scheduled-firings):
 * sched.state goes before the files due with it, however the round
 * robin stands, and its version applied on the standby is known.
 */
static void
test_urgent(void)
{
	int		i, f = ssync_file_index("sched.state");
	uint64_t	v;

	pair_new();
	attach();
	run(1000);
	ssync_set_urgent(ms, "sched.state");
	qclear(&m2s);
	/* In transfer at once: the round robin looks next at the files
	 * listed after it, bans before sched.state. */
	put(SCHED_LAST_GOOD, 100, 21);
	put("bans", 100, 22);
	put("sched.state", 200, 23);
	ssync_changed(ms, SCHED_LAST_GOOD, now);
	ssync_changed(ms, "bans", now);
	ssync_changed(ms, "sched.state", now);
	v = ssync_version(ms, "sched.state");
	CHECK(v > 1 && ssync_applied(ms, peer, "sched.state") < v,
	    "the record written: a version the standby lacks");
	for (i = 0; i < 100 && ssync_applied(ms, peer, "sched.state") < v;
	    i++)
		step();
	CHECK(ssync_applied(ms, peer, "sched.state") == v && same("sched.state")
	    && same(SCHED_LAST_GOOD) && !same("bans"), "sched.state applied right "
	    "after the file already in transfer, before bans");
	CHECK(run(1000) == 0 && all_same() && m2s.chunks0[f] == 1,
	    "then the rest");
	CHECK(ssync_applied(ms, 3, "sched.state") == 0 &&
	    ssync_version(ms, "nothing") == 0, "no such standby or file: 0");
}

/* The standby holds every file but history: only history is sent,
 * SSYNC_WINDOW pieces before the first acknowledgement. */
static void
test_window(void)
{
	pair_new();
	put("history", 10 * SSYNC_CHUNK, 7);
	attach();
	step();			/* the hello reaches the master */
	CHECK(m2s.n == SSYNC_WINDOW, "the window's pieces in flight");
	CHECK(run(1000) == 0 && same("history"), "then the rest");
}

static void
test_restart_mid_snapshot(void)
{
	struct stat	st;
	int		i;

	empty_standby();
	put("history", 8 * SSYNC_CHUNK, 8);
	pair_new();
	attach();
	for (i = 0; i < 4; i++)
		step();
	/* The standby dies: its half file is gone, the master's link too. */
	ssync_sb_free(sb);
	sb = ssync_sb_new(sdir);
	qclear(&m2s);
	qclear(&s2m);
	ssync_detach(ms, peer);
	CHECK(stat(P(sdir, "history"), &st) == -1 && errno == ENOENT,
	    "no partial file written");
	attach();
	CHECK(run(1000) == 0 && all_same() && ssync_sb_is_synced(sb),
	    "restarted standby gets the whole snapshot");
}

static void
test_reattach(void)
{
	int	f = ssync_file_index("users");

	ssync_detach(ms, peer);
	qclear(&m2s);
	qclear(&s2m);
	put("users", 77, 9);
	ssync_changed(ms, "users", now);
	attach();
	CHECK(run(1000) == 0 && all_same(), "re-attached standby in sync");
	CHECK(m2s.chunks0[f] == 1 &&
	    m2s.chunks0[ssync_file_index("history")] == 0,
	    "only the changed file sent again");
	CHECK(ssync_sb_is_synced(sb), "and told so");
}

/* A file the master does not have is removed from the standby; one
 * neither has is not sent at all. */
static void
test_absent(void)
{
	struct stat	st;
	uint8_t		junk[3] = { 1, 2, 3 };
	int		f = ssync_file_index("bans");

	unlink(P(mdir, "bans"));
	atomic_write(P(sdir, "bans"), junk, sizeof(junk), 0600);
	pair_new();
	attach();
	CHECK(run(1000) == 0 && stat(P(sdir, "bans"), &st) == -1 &&
	    errno == ENOENT, "a file the master lacks is removed");
	CHECK(m2s.chunks0[f] == 1 && ssync_sb_is_synced(sb),
	    "by one absent piece, then in sync");
	pair_new();
	attach();
	CHECK(run(1000) == 0 && m2s.chunks0[f] == 0,
	    "lacking on both sides: nothing sent");
}

/* Send one forged chunk to a fresh standby: its verdict. */
static int
forged(const char *name, uint64_t size, const uint8_t *sha, size_t datalen)
{
	Hd__StateChunk	c = HD__STATE_CHUNK__INIT;
	static uint8_t	data[SSYNC_CHUNK + 1];
	uint8_t		zero[32] = { 0 };

	c.name = (char *)(uintptr_t)name;
	c.version = 1;
	c.size = size;
	c.sha256.data = (uint8_t *)(uintptr_t)(sha != NULL ? sha : zero);
	c.sha256.len = 32;
	c.data.data = data;
	c.data.len = datalen;
	why = NULL;
	return ssync_sb_chunk(sb, &c, &why);
}

static void
test_refused(void)
{
	Hd__StateChunk	c = HD__STATE_CHUNK__INIT;
	struct stat	st;
	uint8_t		sha[32];

	pair_new();
	ssync_sb_hello(sb, &to_master);
	CHECK(forged("../users", 1, NULL, 1) == -1 && why != NULL,
	    "a path refused");
	CHECK(forged("/tmp/evil", 1, NULL, 1) == -1, "an absolute path refused");
	CHECK(forged("passwd", 1, NULL, 1) == -1, "a name off the list refused");
	CHECK(stat("/tmp/evil", &st) == -1, "nothing written outside");
	CHECK(forged("licence.grace", LICENCE_GRACE_MAX_FILE + 1, NULL, 1) == -1,
	    "a file over its limit refused");
	CHECK(forged("history", HISTORY_FILE_MAX + 1ull, NULL, 1) == -1,
	    "a history over its limit refused");
	CHECK(forged("users", 4, NULL, 4) == -1 &&
	    strstr(why, "hash") != NULL, "a hash mismatch refused");
	CHECK(stat(P(sdir, "users"), &st) == -1 || st.st_size != 4,
	    "and the file left alone");
	CHECK(forged("users", 4, NULL, SSYNC_CHUNK + 1) == -1,
	    "more bytes than announced refused");
	memset(sha, 0, sizeof(sha));
	CHECK(forged("users", 2 * SSYNC_CHUNK, NULL, 16) == 0,
	    "a first piece taken");
	c.name = (char *)"users";
	c.version = 1;
	c.offset = 17;		/* 16 came */
	c.size = 2 * SSYNC_CHUNK;
	c.data.data = sha;
	c.data.len = 16;
	CHECK(ssync_sb_chunk(sb, &c, &why) == -1 &&
	    strstr(why, "order") != NULL, "a piece out of order refused");
	c.offset = 0;
	c.sha256.len = 0;
	CHECK(ssync_sb_chunk(sb, &c, &why) == -1, "a first piece without hash refused");
}

/* Write `len` bytes on the master (a state file's real form). */
static void
put_bytes(const char *name, const void *b, size_t len)
{
	atomic_write(P(mdir, name), b, len, 0600);
}

/* Write a UserList of `fmt` (its field 100) on the master, or on the
 * standby; `n` users. */
static void
put_users(const char *dir, uint32_t fmt, size_t n)
{
	Hd__UserList	 l = HD__USER_LIST__INIT;
	Hd__User	 u[4], *up[4];
	uint8_t		 buf[512];
	size_t		 i;

	for (i = 0; i < n && i < 4; i++) {
		hd__user__init(&u[i]);
		u[i].name = (char *)(uintptr_t)(i == 0 ? "anna" : "ben");
		up[i] = &u[i];
	}
	l.users = up;
	l.n_users = n;
	l.format = fmt;
	atomic_write(P(dir, "users"), buf, hd__user_list__pack(&l, buf),
	    0600);
}

/* Is the standby's file byte for byte what `want` holds? */
static int
standby_has(const char *name, const uint8_t *want, size_t wlen)
{
	uint8_t	*b = NULL;
	size_t	 bl = 0;
	int	 r;

	r = atomic_read(P(sdir, name), HISTORY_FILE_MAX, &b, &bl) == 0 &&
	    bl == wlen && memcmp(b, want, wlen) == 0;
	free(b);
	return r;
}

/*
 * The master is newer than its standby (docs/OPERATIONS.md, "Upgrades":
 * standbys go first): a state file of a format the standby does not
 * read is refused there, its own kept byte for byte, and the master
 * told why; the other files still go, the refused one is not sent again
 * while the standby stays attached, and an upgraded standby (a new
 * attach) gets it.
 */
static void
test_newer_format(void)
{
	struct ssync_lag	 l;
	uint8_t			*own = NULL;
	size_t			 ownlen = 0;
	int			 u = ssync_file_index("users");
	static const char	 grace2[] = "2 whatever a later version writes\n";
	static const char	 slaves2[] = STATE_KNOWN_HEAD "2: later\nslave-a\n";

	empty_standby();
	put_users(sdir, 1, 1);			/* the standby's own */
	atomic_read(P(sdir, "users"), 4096, &own, &ownlen);
	put_users(mdir, 2, 2);			/* a newer master's */
	put("tokens", 100, 21);
	put_bytes("history", "HDH2 later", 10);
	put_bytes("licence.grace", grace2, sizeof(grace2) - 1);
	put_bytes("licence.slaves", slaves2, sizeof(slaves2) - 1);
	pair_new();
	attach();
	CHECK(run(1000) == 0, "newer formats: the snapshot runs to its end "
	    "(the link is kept)");
	CHECK(own != NULL && standby_has("users", own, ownlen), "users of "
	    "format 2: refused, the standby's own users left byte for byte");
	CHECK(access(P(sdir, "history"), F_OK) == -1 &&
	    access(P(sdir, "licence.grace"), F_OK) == -1 &&
	    access(P(sdir, "licence.slaves"), F_OK) == -1, "history HDH2, "
	    "licence.grace and licence.slaves of format 2: refused too");
	CHECK(same("tokens") && same("sched.state"), "the files it reads "
	    "still applied");
	CHECK(ssync_lag(ms, peer, now, &l) == 0 && l.refused == 4 &&
	    l.files == 4 && l.synced, "the master counts 4 refused files, "
	    "not applied; the rest of the snapshot is complete");
	CHECK(ssync_refused(ms, peer, "users") &&
	    !ssync_refused(ms, peer, "tokens"), "ssync_refused names them");
	CHECK(strstr(l.refused_why, "format 2 is newer than this standby") !=
	    NULL && strstr(l.refused_why, "reads (1)") != NULL,
	    "the standby's reason names the file and both formats (%s)",
	    l.refused_why);
	m2s.chunks0[u] = 0;
	put_users(mdir, 2, 1);
	ssync_changed(ms, "users", now);
	CHECK(run(1000) == 0 && m2s.chunks0[u] == 0 && standby_has("users",
	    own, ownlen), "a change of the refused file is not sent again");
	put_users(mdir, 1, 2);
	ssync_changed(ms, "users", now);
	CHECK(run(1000) == 0 && m2s.chunks0[u] == 0, "... until the standby "
	    "attaches again");
	ssync_detach(ms, peer);
	attach();
	CHECK(run(1000) == 0 && same("users") && ssync_lag(ms, peer, now,
	    &l) == 0 && !ssync_refused(ms, peer, "users"), "re-attached (an "
	    "upgraded standby, or the master's file back to format 1): users "
	    "applied");
	CHECK(l.refused == 3, "history, licence.grace and licence.slaves "
	    "still refused");
	free(own);
	unlink(P(mdir, "history"));
	unlink(P(mdir, "licence.grace"));
	unlink(P(mdir, "licence.slaves"));
	unlink(P(mdir, "users"));
}

/* A refusal that does not follow the rules drops the standby. */
static void
test_bad_refusal(void)
{
	Hd__StateAck	a = HD__STATE_ACK__INIT;
	char		long_why[SSYNC_REFUSED_MAX + 2];

	pair_new();
	put("users", 3 * SSYNC_CHUNK, 5);
	attach();
	step();
	a.name = (char *)"users";
	a.version = 1;
	a.offset = SSYNC_CHUNK;
	a.refused = (char *)"users: format 9";
	CHECK(ssync_ack(ms, peer, &a, now, &why) == -1 &&
	    strstr(why, "refusal") != NULL, "a refusal before the whole file "
	    "came: the standby dropped");
	qclear(&m2s);
	qclear(&s2m);
	ssync_sb_free(sb);
	sb = ssync_sb_new(sdir);
	attach();
	step();			/* the hello: all three pieces go */
	memset(long_why, 'x', sizeof(long_why) - 1);
	long_why[sizeof(long_why) - 1] = '\0';
	a.offset = 3 * SSYNC_CHUNK;
	a.refused = long_why;
	why = NULL;
	CHECK(peer != -1 && ssync_ack(ms, peer, &a, now, &why) == -1 &&
	    why != NULL && strstr(why, "refusal") != NULL, "a reason over "
	    "SSYNC_REFUSED_MAX bytes: the standby dropped");
	a.refused = (char *)"users: format 9";
	CHECK(ssync_ack(ms, peer, &a, now, &why) == -1 &&
	    strstr(why, "no such") != NULL, "... and forgotten");
	unlink(P(mdir, "users"));
}

static void
test_bad_ack(void)
{
	Hd__StateAck	a = HD__STATE_ACK__INIT;

	pair_new();
	put("history", 3 * SSYNC_CHUNK, 11);
	attach();
	step();
	a.name = (char *)"history";
	a.version = 1;
	a.offset = 10 * SSYNC_CHUNK;
	CHECK(ssync_ack(ms, peer, &a, now, &why) == -1,
	    "an ack beyond what was sent refused");
	CHECK(ssync_ack(ms, peer, &a, now, &why) == -1 &&
	    strstr(why, "no such") != NULL, "and that standby forgotten");
	why = NULL;
	ssync_sb_free(sb);
	sb = ssync_sb_new(sdir);
	qclear(&m2s);
	qclear(&s2m);
	attach();
	step();
	a.name = (char *)"../x";
	CHECK(ssync_ack(ms, peer, &a, now, &why) == -1,
	    "an ack off the list refused");
	CHECK(ssync_attach(ms, &to_standby, NULL, now, &why) == peer,
	    "and its slot free again");
}

/*
 * The election's gate (docs/FAILOVER.md, "A standby's first
 * sched.state"): a standby holds the snapshot of sched.state once it
 * applied the version the master held when it attached, the firings
 * made before (alone, nothing waited) with it; a change after does not
 * take that back (those wait for it: the firing's mark).
 */
static void
test_holds_snapshot(void)
{
	put("sched.state", 500, 40);
	pair_new();
	ssync_changed(ms, "sched.state", now);	/* fired alone */
	ssync_changed(ms, "sched.state", now);
	attach();
	step();
	CHECK(peer == 0 && !ssync_holds_snapshot(ms, peer, "sched.state"),
	    "just attached: the standby lacks the sched.state of before");
	CHECK(run(1000) == 0 && same("sched.state") &&
	    ssync_holds_snapshot(ms, peer, "sched.state"), "once applied, it "
	    "holds it");
	put("sched.state", 600, 41);
	ssync_changed(ms, "sched.state", now);
	CHECK(ssync_holds_snapshot(ms, peer, "sched.state"), "a change "
	    "after attaching does not take it back");
	CHECK(run(1000) == 0, "the change applied");
	ssync_detach(ms, peer);
	qclear(&m2s);
	qclear(&s2m);
	attach();
	step();
	CHECK(peer == 0 && ssync_holds_snapshot(ms, peer, "sched.state"),
	    "attached anew with the same file (its hello's hash): held at "
	    "once");
	ssync_detach(ms, peer);
	qclear(&m2s);
	qclear(&s2m);
	put("sched.state", 700, 42);
	ssync_changed(ms, "sched.state", now);	/* while it was away */
	attach();
	step();
	CHECK(!ssync_holds_snapshot(ms, peer, "sched.state"), "attached anew "
	    "after a change: not held until the copy arrives");
	CHECK(run(1000) == 0 && ssync_holds_snapshot(ms, peer,
	    "sched.state"), "... then held");
	CHECK(!ssync_holds_snapshot(ms, 3, "sched.state") &&
	    !ssync_holds_snapshot(ms, peer, "no-such-file"), "no such peer "
	    "or file: not held");
}

int
main(void)
{
	int	i;

	snprintf(mdir, sizeof(mdir), "/tmp/ssync-test-m-%ld", (long)getpid());
	snprintf(sdir, sizeof(sdir), "/tmp/ssync-test-s-%ld", (long)getpid());
	mkdir(mdir, 0700);
	mkdir(sdir, 0700);
	test_names();
	test_snapshot();
	test_change_during_snapshot();
	test_coalesce();
	test_urgent();
	test_window();
	test_restart_mid_snapshot();
	test_reattach();
	test_absent();
	test_refused();
	test_newer_format();
	test_bad_refusal();
	test_bad_ack();
	test_holds_snapshot();
	ssync_free(ms);
	ssync_sb_free(sb);
	qclear(&m2s);
	qclear(&s2m);
	empty_standby();
	rmdir(sdir);
	for (i = 0; i < ssync_nfiles(); i++)
		unlink(P(mdir, ssync_file(i)->name));
	rmdir(mdir);
	return check_done();
}
