/*
 * The master's log in hd-master (master/cluster/ha_log.c): the records'
 * contents follow the machine's log, commands.log is appended and read
 * back, a torn last frame is dropped and the file rewritten, any other
 * damage refuses the load, a compaction rewrites the file. The machine
 * is driven directly (shared/repl.c), the cluster link stubbed
 * (tests/unit/stub_master.c).
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "check.h"
#include "elect.h"
#include "ha.pb-c.h"
#include "ha_wire.h"
#include "stub_master.h"
#include "../../master/cluster/ha_int.h"

static struct master	m;
static struct ha	ha;
static char		dir[] = "/tmp/test_ha_log.XXXXXX";
static char		path[256];

/* A fresh node as at start: the log from commands.log. */
static int
start(void)
{
	static struct repl_disk rd;

	ha_log_free(&ha);
	memset(&rd, 0, sizeof(rd));
	if (ha_log_load(&ha, &rd, 0) == -1)
		return -1;
	elect_restart(ha.el, &(struct elect_disk){ .term = 2 }, &rd, 0, 2, 2,
	    0);
	return 0;
}

/* This node master of term 2 (as elect.c's promotion does). */
static void
lead(void)
{
	ha_out_clear(ha.out);
	ha.el->role = ELECT_MASTER;
	ha.el->d.term = 2;
	repl_lead(&ha.el->r, 2, 0, ha.out);
	ha_log_sync(&ha);
	ha_log_save(&ha);
}

static uint64_t issued_ms;	/* the next command's wall time */

/* Command id to slave-a, logged as ha_cmd.c does; 0 or -1. */
static int
command(uint64_t *id)
{
	Hd__ReplRecord	rec = HD__REPL_RECORD__INIT;
	Hd__ReplCommand	rc = HD__REPL_COMMAND__INIT;
	Hd__Command	c = HD__COMMAND__INIT;
	Hd__Value	v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_B;
	v.b = 1;
	c.id = ha.el->d.term << 32 | (ha.el->next_cmd + 1);
	c.device_id = "sim:lamp";
	c.key = "on";
	c.value = &v;
	c.issued_by = "admin";
	rc.slave = "slave-a";
	rc.command = &c;
	rc.issued_ms = issued_ms;
	rec.pos = ha.el->r.d.len + 1;
	rec.change_case = HD__REPL_RECORD__CHANGE_COMMAND;
	rec.command = &rc;
	ha_out_clear(ha.out);
	ha_log_next(&ha, &rec);
	if ((*id = elect_command(ha.el, 0, 0, ha.out)) != c.id)
		return -1;
	ha_log_sync(&ha);
	return ha_log_save(&ha);
}

/* The slave's result for id, logged as ha_cmd.c does. */
static int
result(uint64_t id)
{
	Hd__ReplRecord		rec = HD__REPL_RECORD__INIT;
	Hd__ReplResult		rr = HD__REPL_RESULT__INIT;
	Hd__CommandResult	r = HD__COMMAND_RESULT__INIT;
	struct ha_msg		msg;

	r.id = id;
	r.detail = "";
	rr.slave = "slave-a";
	rr.result = &r;
	rec.pos = ha.el->r.d.len + 1;
	rec.change_case = HD__REPL_RECORD__CHANGE_RESULT;
	rec.result = &rr;
	memset(&msg, 0, sizeof(msg));
	msg.type = HA_RESULT;
	msg.from = HA_SLAVE(0);
	msg.to = 0;
	msg.term = 2;
	msg.id = id;
	ha_out_clear(ha.out);
	ha_log_next(&ha, &rec);
	elect_recv(ha.el, 0, &msg, ha.out);
	ha_log_sync(&ha);
	return ha_log_save(&ha);
}

static off_t
file_size(void)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void
count(void *arg, const Hd__ReplCommand *rc, const Hd__ReplResult *rr)
{
	(void)rc;
	(void)rr;
	(*(int *)arg)++;
}

static int
commands(void)
{
	int n = 0;

	ha_log_commands(&m, count, &n);
	return n;
}

/* The head frame's length, as the file has it. */
static size_t
head_len(void)
{
	uint8_t	*buf;
	size_t	 len, n = 0;

	if (atomic_read(path, 1 << 24, &buf, &len) == 0 && len >= 4)
		n = (size_t)buf[0] << 24 | (size_t)buf[1] << 16 |
		    (size_t)buf[2] << 8 | buf[3];
	free(buf);
	return n;
}

/* commands.log's head read back: its format, or -1. */
static int64_t
head_format(void)
{
	Hd__LogHead	*h;
	uint8_t		*buf;
	size_t		 len, n = head_len();
	int64_t		 f = -1;

	if (atomic_read(path, 1 << 24, &buf, &len) == -1)
		return -1;
	if (n > 0 && n <= len - 4 &&
	    (h = hd__log_head__unpack(NULL, n, buf + 4)) != NULL) {
		f = h->format;
		hd__log_head__free_unpacked(h, NULL);
	}
	free(buf);
	return f;
}

/* The file with its head replaced by one of format `fmt` (0: none, as
 * the first builds wrote it), the records as they are. */
static int
head_set(uint32_t fmt)
{
	Hd__LogHead	h = HD__LOG_HEAD__INIT;
	uint8_t		*buf, *out;
	size_t		 len, n = head_len(), hn;
	int		 r = -1;

	if (atomic_read(path, 1 << 24, &buf, &len) == -1)
		return -1;
	h.log_base = 2;
	h.format = fmt;
	hn = hd__log_head__get_packed_size(&h);
	if (n <= len - 4 && (out = malloc(len + 16)) != NULL) {
		out[0] = out[1] = out[2] = 0;
		out[3] = (uint8_t)hn;
		hd__log_head__pack(&h, out + 4);
		memcpy(out + 4 + hn, buf + 4 + n, len - 4 - n);
		r = atomic_write(path, out, 4 + hn + len - 4 - n, 0600);
		free(out);
	}
	free(buf);
	return r;
}

static int
same_bytes(const uint8_t *want, size_t wlen)
{
	uint8_t	*buf;
	size_t	 len;
	int	 same;

	if (atomic_read(path, 1 << 24, &buf, &len) == -1)
		return 0;
	same = len == wlen && memcmp(buf, want, len) == 0;
	free(buf);
	return same;
}

/*
 * The head's format (docs/OPERATIONS.md, "State files and their
 * formats"): written 1; a file without it (the first builds) is read as
 * 1 and rewritten numbered at the next save; a newer one refuses the
 * start and is left byte for byte.
 */
static void
test_format(void)
{
	uint64_t	id = 0;
	uint8_t		*before = NULL;
	size_t		 blen = 0;

	unlink(path);
	CHECK(start() == 0, "a fresh log");
	lead();
	CHECK(command(&id) == 0 && result(id) == 0 && head_format() == 1,
	    "the head says format 1");
	CHECK(head_set(0) == 0 && head_format() == 0 && start() == 0 &&
	    ha.el->r.d.n == 2 && commands() == 1, "a head without a format "
	    "(the first 0.1.90 builds) is read as 1, its records kept");
	lead();
	CHECK(head_format() == 1 && command(&id) == 0 && start() == 0 &&
	    ha.el->r.d.n == 3, "... and the file rewritten at format 1 at the "
	    "next save");
	CHECK(head_set(2) == 0 && atomic_read(path, 1 << 24, &before,
	    &blen) == 0, "a head of format 2 (a newer version's)");
	CHECK(start() == -1, "... refuses the start (the master does not "
	    "start without the commands it holds)");
	CHECK(before != NULL && same_bytes(before, blen), "... and the file "
	    "is left byte for byte");
	free(before);
	unlink(path);
}

static void
test_file(void)
{
	uint64_t	id = 0, first;
	off_t		size;
	int		i, ok = 1, fd;

	CHECK(start() == 0 && ha.el->r.d.n == 0, "no commands.log: an empty "
	    "log");
	lead();
	CHECK(command(&first) == 0 && file_size() > 0, "a command: written "
	    "before anything else");
	size = file_size();
	CHECK(result(first) == 0 && file_size() > size, "its result: "
	    "appended");
	CHECK(command(&id) == 0, "a second command, no result");
	CHECK(start() == 0 && ha.el->r.d.n == 3 && ha.el->r.d.len == 3 &&
	    ha.el->r.d.base == 2 && commands() == 2, "a restart reads the "
	    "three records back, on term 2");
	lead();
	CHECK(ha.el->r.pending[0] == 1, "... the second still waiting");
	size = file_size();
	if ((fd = open(path, O_WRONLY | O_APPEND)) != -1) {
		if (write(fd, "\0\0\1", 3) != 3)
			ok = 0;
		close(fd);
	}
	CHECK(ok && start() == 0 && ha.el->r.d.n == 3, "a torn last frame "
	    "(an append cut short): dropped");
	lead();
	CHECK(file_size() == size, "... and the file rewritten without it");
	/* The first record's length (after the head's frame) past
	 * HA_REC_MAX_BYTES. */
	if ((fd = open(path, O_WRONLY)) != -1) {
		if (pwrite(fd, "\0\0\x0f\xff", 4, 4 + head_len()) != 4)
			ok = 0;
		close(fd);
	}
	CHECK(ok && start() == -1, "a damaged frame in the middle: the log "
	    "is refused");
	unlink(path);
	CHECK(start() == 0, "without it, a fresh log");
	lead();
	for (i = 0; i < HA_LOG_MAX / 2 + 8 && ok; i++)
		if (command(&id) == -1 || result(id) == -1 ||
		    ha.el->r.d.n > HA_LOG_MAX)
			ok = 0;
	CHECK(ok && ha.el->r.d.n < ha.el->r.d.len, "%d commands with "
	    "results: the log compacts and is written each time",
	    HA_LOG_MAX / 2 + 8);
	CHECK(start() == 0 && ha.el->r.d.len == HA_LOG_MAX + 16 &&
	    ha.el->r.d.n <= HA_LOG_MAX && commands() > 0, "a restart reads "
	    "the compacted log, positions as they were");
	test_format();
}

/* As ha_elect_run persists a step (the rest is the link's). */
static void
run(struct ha *h)
{
	ha_log_sync(h);
	ha_log_save(h);
}

/* The status of command id's result in the log: -1 none. */
static int
status_of(uint64_t id)
{
	struct ha_pl	*p;
	uint64_t	 k;
	int		 st = -1;

	for (k = 0; (p = ha_log_at(&ha, k)) != NULL; k++)
		if (p->r->change_case == HD__REPL_RECORD__CHANGE_RESULT &&
		    p->r->result->result->id == id)
			st = (int)p->r->result->result->status;
	return st;
}

static int	nsettled;
static void
on_settled(void *arg, uint64_t id, int status, const char *detail)
{
	(void)arg;
	(void)id;
	(void)detail;
	nsettled += status == HD__COMMAND_RESULT__STATUS__EXPIRED;
}

/*
 * Stuck commands (ha_settle.c), on a fake wall clock: a cancel, an
 * expiry at CMD_LOG_EXPIRE_MS and not a ms before, the first settlement
 * winning, and each kept in commands.log across a restart.
 */
static void
test_settle(void)
{
	static const struct ha_cmd_hooks hooks = { .settled = on_settled };
	uint64_t	t0 = 1764158012000ULL, a, b, c, pos = 0;

	unlink(path);
	CHECK(start() == 0, "a fresh log");
	lead();
	ha.cmd_hooks = hooks;
	issued_ms = t0;
	CHECK(command(&a) == 0 && command(&b) == 0 && command(&c) == 0,
	    "three commands to a slave that stays away");
	CHECK(result(c) == 0 && status_of(c) == 0, "the third answered ok");
	CHECK(ha_log_settle(&ha, a, HD__COMMAND_RESULT__STATUS__CANCELLED,
	    "cancelled by admin: not sent again", &pos, run) == HA_SETTLE_DONE
	    && pos == ha.el->r.d.len, "a cancel: settled at the next "
	    "position");
	CHECK(status_of(a) == HD__COMMAND_RESULT__STATUS__CANCELLED &&
	    ha.el->r.pending[0] == 1, "... CANCELLED in the log, one command "
	    "still waiting");
	CHECK(ha_log_settle(&ha, a, HD__COMMAND_RESULT__STATUS__CANCELLED,
	    "again", &pos, run) == HA_SETTLE_ALREADY && ha_log_settle(&ha, c,
	    HD__COMMAND_RESULT__STATUS__CANCELLED, "late", &pos,
	    run) == HA_SETTLE_ALREADY && ha_log_settle(&ha, 12345,
	    HD__COMMAND_RESULT__STATUS__CANCELLED, "none", &pos,
	    run) == HA_SETTLE_UNKNOWN, "cancelling again, an answered command or "
	    "an unknown id: refused");
	CHECK(result(a) == 0 && status_of(a) ==
	    HD__COMMAND_RESULT__STATUS__CANCELLED, "the slave's result after "
	    "the cancel: the log keeps the cancel");
	CHECK(ha_log_expire(&ha, t0 + CMD_LOG_EXPIRE_MS - 1, run) == 0 &&
	    status_of(b) == -1, "1 ms before its expiry: still waiting");
	CHECK(ha_log_expire(&ha, t0 - 60000, run) == 0, "a wall clock set "
	    "back: nothing expires");
	CHECK(ha_log_expire(&ha, t0 + CMD_LOG_EXPIRE_MS, run) == 1 &&
	    status_of(b) == HD__COMMAND_RESULT__STATUS__EXPIRED &&
	    nsettled == 1 && ha.el->r.pending[0] == 0, "at its expiry: "
	    "EXPIRED, the API told, nothing waits");
	CHECK(ha_log_expire(&ha, t0 + 2 * CMD_LOG_EXPIRE_MS, run) == 0 &&
	    nsettled == 1, "expired once");
	CHECK(start() == 0 && status_of(a) ==
	    HD__COMMAND_RESULT__STATUS__CANCELLED && status_of(b) ==
	    HD__COMMAND_RESULT__STATUS__EXPIRED, "a restart reads both "
	    "settlements back from commands.log");
	lead();
	CHECK(ha.el->r.pending[0] == 0, "... and nothing to send again");
	CHECK(ha_log_master_settled(&ha, a) && ha_log_master_settled(&ha, b) &&
	    !ha_log_master_settled(&ha, c), "a settlement told from a "
	    "slave's result (the warning of a result after a cancel)");
	ha.el->role = ELECT_FOLLOWER;
	CHECK(ha_log_settle(&ha, b, HD__COMMAND_RESULT__STATUS__CANCELLED,
	    "x", &pos, run) == HA_SETTLE_UNKNOWN && ha_log_expire(&ha, UINT64_MAX,
	    run) == 0, "a node that is not master settles nothing");
	memset(&ha.cmd_hooks, 0, sizeof(ha.cmd_hooks));
}

int
main(void)
{
	char err[160];

	if (!CHECK(mkdtemp(dir) != NULL, "a state-dir"))
		return check_done();
	snprintf(path, sizeof(path), "%s/commands.log", dir);
	TAILQ_INIT(&m.nodes);
	m.conf.state_dir = dir;
	if (!CHECK(ha_slaves_add(&m.conf.slaves, "slave-a", err,
	    sizeof(err)) == 0 && ha_slaves_add(&m.conf.slaves, "slave-b", err,
	    sizeof(err)) == 0, "two slave lines"))
		return check_done();
	m.ha = &ha;
	ha.m = &m;
	ha.el = calloc(1, sizeof(*ha.el));
	ha.out = calloc(1, sizeof(*ha.out));
	if (!CHECK(ha.el != NULL && ha.out != NULL, "allocate"))
		return check_done();
	test_file();
	test_settle();
	ha_log_free(&ha);
	free(ha.el);
	free(ha.out);
	snprintf(err, sizeof(err), "rm -rf %s", dir);
	if (system(err) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	return check_done();
}
