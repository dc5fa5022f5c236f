/* Unit tests for slave/dev/cmdmemo.c: recently executed command ids. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "ha.pb-c.h"

#include "check.h"
#include "hdlimits.h"
#include "../../slave/slave.h"
#include "../../slave/link/link.h"

#define NR	CLUSTER_RECENT_CMDS
#define OK	HD__COMMAND_RESULT__STATUS__OK
#define RO	HD__COMMAND_RESULT__STATUS__READ_ONLY

/* A boolean value to remember (memo_add copies it). */
static const Hd__Value *
bv(int on)
{
	static Hd__Value v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_B;
	v.b = on;
	return &v;
}

static int
memo_on(const struct cmd_memo *m)
{
	return m->value.v_case == HD__VALUE__V_B ? m->value.b : -1;
}

/* How many of ids first..last does the memo know, with the right data? */
static int
known(const struct slave *s, uint64_t first, uint64_t last)
{
	const struct cmd_memo	*m;
	uint64_t		 id;
	int			 n = 0;

	for (id = first; id <= last; id++)
		if ((m = memo_find(s, id)) != NULL && m->id == id &&
		    memo_on(m) == (int)(id & 1) &&
		    m->status == (id % 3 == 0 ? RO : OK))
			n++;
	return n;
}

static void
add_range(struct slave *s, uint64_t first, uint64_t last)
{
	uint64_t id;

	for (id = first; id <= last; id++)
		memo_add(s, id, id % 3 == 0 ? RO : OK, bv((int)(id & 1)));
}

static int	writes;

static void
count_write(void *arg, const char *path)
{
	(void)arg;
	if (strstr(path, "cmdmemo.state") != NULL)
		writes++;
}

/* A slave on `dir` as after a restart: the memo read back. */
static struct slave *
restart(struct slave *old, char *dir)
{
	struct slave *s = calloc(1, sizeof(*s));

	free(old);
	if (s != NULL) {
		s->up = &link_uplink;
		s->conf.state_dir = dir;
		s->conf.ha.n = 2;	/* a standby: the memo on disk */
		memo_load(s);
	}
	return s;
}

/* A CmdMemo of n entries, ids from `first` (a repeat if first == 0), of
 * format `fmt`, packed by hand (state_save writes only the current). */
static void
write_file(const char *dir, int n, uint64_t first, uint32_t fmt)
{
	Hd__CmdMemo	cm = HD__CMD_MEMO__INIT;
	Hd__MemoEntry	e[NR + 1], *ep[NR + 1];
	char		path[256];
	uint8_t		buf[4096];
	size_t		len;
	int		i;

	for (i = 0; i < n; i++) {
		hd__memo_entry__init(&e[i]);
		e[i].id = first != 0 ? first + (uint64_t)i : 9;
		e[i].done = 1;
		ep[i] = &e[i];
	}
	cm.memo = ep;
	cm.n_memo = (size_t)n;
	cm.format = fmt;
	snprintf(path, sizeof(path), "%s/cmdmemo.state", dir);
	len = hd__cmd_memo__get_packed_size(&cm);
	if (len > sizeof(buf) || hd__cmd_memo__pack(&cm, buf) != len ||
	    atomic_write(path, buf, len, 0600) == -1)
		fprintf(stderr, "# %s not written\n", path);
}

/* The memo on disk (cmdmemo.c): written before the act and after it,
 * read back at a restart, a damaged or oversized file refused. */
static void
test_persisted(void)
{
	struct slave		*s;
	const struct cmd_memo	*m;
	char			 dir[] = "/tmp/test_cmdmemo.XXXXXX", path[256];
	FILE			*f;

	if (!CHECK(mkdtemp(dir) != NULL, "a state-dir"))
		return;
	atomic_observe(count_write, NULL);
	if ((s = restart(NULL, dir)) == NULL)
		return;
	s->conf.ha.n = 1;
	writes = 0;
	CHECK(memo_begin(s, 3) == 0 && writes == 0, "a single master: the "
	    "memo stays in RAM (no write)");
	s = restart(s, dir);
	CHECK(memo_find(s, 1) == NULL && memo_find(s, 3) == NULL,
	    "no file: an empty memo");
	writes = 0;
	CHECK(memo_begin(s, 41) == 0 && writes == 1, "before the act: one "
	    "write");
	memo_add(s, 41, OK, bv(1));
	CHECK(writes == 2, "after it: a second (two writes a command)");
	memo_begin(s, 42);	/* a restart cuts this one off */
	s = restart(s, dir);
	m = memo_find(s, 41);
	CHECK(s != NULL && m != NULL && m->done && m->status == OK &&
	    memo_on(m) == 1, "after a restart: the done command with its "
	    "status and value");
	m = memo_find(s, 42);
	CHECK(m != NULL && !m->done, "... and the one cut off, not done");
	add_range(s, 100, 100 + NR - 1);
	s = restart(s, dir);
	CHECK(memo_find(s, 41) == NULL && known(s, 100, 100 + NR - 1) == NR,
	    "the ring's order survives: the oldest forgotten first");
	memo_add(s, 500, OK, bv(0));
	CHECK(memo_find(s, 100) == NULL && memo_find(s, 101) != NULL,
	    "... and goes on after the restart");
	write_file(dir, NR + 1, 1, 1);
	s = restart(s, dir);
	CHECK(memo_find(s, 1) == NULL && memo_find(s, 2) == NULL,
	    "more than CLUSTER_RECENT_CMDS entries: refused, empty");
	write_file(dir, 2, 0, 1);
	s = restart(s, dir);
	CHECK(memo_find(s, 9) == NULL, "an id twice: refused");
	write_file(dir, 3, 40, 0);
	s = restart(s, dir);
	CHECK(memo_find(s, 41) != NULL, "a file of the first builds (no "
	    "format): read");
	write_file(dir, 3, 50, 2);
	s = restart(s, dir);
	CHECK(memo_find(s, 51) == NULL && s->memo_newer, "a newer format: "
	    "refused, the memo starts empty");
	CHECK(memo_begin(s, 60) == 0 && memo_find(s, 60) != NULL,
	    "... and works on in RAM");
	s = restart(s, dir);
	CHECK(memo_find(s, 51) == NULL && memo_find(s, 60) == NULL &&
	    s->memo_newer, "... without writing over the newer file");
	snprintf(path, sizeof(path), "%s/cmdmemo.state", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("\x0a\xff\xff garbage", f);
		fclose(f);
	}
	s = restart(s, dir);
	CHECK(s != NULL && memo_find(s, 9) == NULL && memo_begin(s, 7) == 0,
	    "a damaged file: refused, and the memo works on");
	free(s);
	atomic_observe(NULL, NULL);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
}

int
main(void)
{
	struct slave		*s;
	const struct cmd_memo	*m;
	int			 next;

	if (!CHECK((s = calloc(1, sizeof(*s))) != NULL, "allocate a slave"))
		return check_done();
	s->up = &link_uplink;

	CHECK(memo_find(s, 1) == NULL, "empty memo knows nothing");
	CHECK(memo_find(s, 0) == NULL,
	    "id 0 is never found, though empty slots hold 0");

	memo_add(s, 5, HD__COMMAND_RESULT__STATUS__TIMEOUT, bv(1));
	m = memo_find(s, 5);
	CHECK(m != NULL && m->id == 5 &&
	    m->status == HD__COMMAND_RESULT__STATUS__TIMEOUT && memo_on(m) == 1,
	    "memo_find after memo_add returns id, status and value");
	CHECK(memo_find(s, 6) == NULL && memo_find(s, 4) == NULL,
	    "other ids are unknown");
	CHECK(s->memo_next == 1, "one slot used");

	next = s->memo_next;
	memo_add(s, 0, OK, bv(1));
	CHECK(s->memo_next == next, "id 0 is never stored (no slot used)");
	CHECK(memo_find(s, 0) == NULL, "id 0 still not found");
	CHECK(memo_find(s, 5) != NULL, "id 5 still known");

	memo_add(s, UINT64_MAX, HD__COMMAND_RESULT__STATUS__BUSY, bv(0));
	m = memo_find(s, UINT64_MAX);
	CHECK(m != NULL && m->status == HD__COMMAND_RESULT__STATUS__BUSY,
	    "id UINT64_MAX is stored");

	/* Start over: fill exactly CLUSTER_RECENT_CMDS. */
	free(s);
	if (!CHECK((s = calloc(1, sizeof(*s))) != NULL, "allocate a slave"))
		return check_done();
	add_range(s, 1, NR);
	CHECK(known(s, 1, NR) == NR, "all CLUSTER_RECENT_CMDS (%d) ids known",
	    NR);
	CHECK(s->memo_next == 0, "the ring is full and back at slot 0");

	memo_add(s, NR + 1, OK, bv((NR + 1) & 1));
	CHECK(memo_find(s, 1) == NULL, "one more forgets the oldest (1)");
	CHECK(known(s, 2, NR) == NR - 1 && memo_find(s, NR + 1) != NULL,
	    "ids 2..%d still known", NR + 1);

	add_range(s, NR + 2, 3 * NR + 5);
	CHECK(known(s, 1, 2 * NR + 5) == 0,
	    "after wrapping twice, ids 1..%d are forgotten", 2 * NR + 5);
	CHECK(known(s, 2 * NR + 6, 3 * NR + 5) == NR,
	    "the last CLUSTER_RECENT_CMDS ids (%d..%d) are known",
	    2 * NR + 6, 3 * NR + 5);
	CHECK(memo_find(s, 3 * NR + 6) == NULL, "a future id is unknown");
	CHECK(s->memo_next >= 0 && s->memo_next < NR,
	    "memo_next stays inside the ring");

	/* id 0 in between does not disturb the ring. */
	next = s->memo_next;
	memo_add(s, 0, OK, bv(0));
	CHECK(s->memo_next == next && known(s, 2 * NR + 6, 3 * NR + 5) == NR,
	    "adding id 0 to a full ring forgets nothing");

	free(s);
	test_persisted();
	return check_done();
}
