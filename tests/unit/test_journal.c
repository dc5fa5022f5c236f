/*
 * Unit tests for slave/dev/journal.c, the action journal, through the real
 * command path (slave/dev/command.c): one "exec" line before a driver acts
 * and one "done" line when it ends, with id, origin, term, master, device,
 * key, value, status and both clocks; nothing for a refused command or a
 * repeated id answered from the memo; fields that cannot forge another;
 * the size cap; a journal that cannot be opened.
 */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hdlimits.h"
#include "../../slave/slave.h"
#include "../../slave/link/link.h"

#define ST(x)	HD__COMMAND_RESULT__STATUS__ ## x

static struct slave	 S;
static char		 dir[] = "/tmp/test_journal.XXXXXX";
static char		 path[64];
static int		 fail_next;	/* the driver fails its next command */

/* A driver that finishes each command at once (or fails it). */
static void
drv_command(struct dev *d, const Hd__Command *c)
{
	if (fail_next) {
		fail_next = 0;
		dev_done(d, c->id, ST(DEVICE_FAULT), "jammed", NULL);
		return;
	}
	dev_done(d, c->id, ST(OK), "", c->value);
}

static const struct dev_ops drv_ops = { .command = drv_command };

/* The journal's whole text (static buffer). */
static const char *
text(void)
{
	static char	 buf[8192];
	ssize_t		 n;
	int		 fd;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) == -1)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static int
lines(void)
{
	const char	*p;
	int		 n = 0;

	for (p = text(); *p != '\0'; p++)
		n += *p == '\n';
	return n;
}

/* Line `i` (0-based) of the journal, without its newline. */
static const char *
line(int i)
{
	static char	 one[2048];
	const char	*p = text(), *e;

	while (i-- > 0 && (p = strchr(p, '\n')) != NULL)
		p++;
	if (p == NULL || (e = strchr(p, '\n')) == NULL)
		return "";
	snprintf(one, sizeof(one), "%.*s", (int)(e - p), p);
	return one;
}

static int
starts(const char *l, const char *prefix)
{
	return strncmp(l, prefix, strlen(prefix)) == 0;
}

static int
has(const char *l, const char *field)
{
	return strstr(l, field) != NULL;
}

static void
cmd(uint64_t id, const char *dev, const char *key, Hd__Value *v)
{
	Hd__Command c = HD__COMMAND__INIT;

	c.id = id;
	c.device_id = (char *)(uintptr_t)dev;
	c.key = (char *)(uintptr_t)key;
	c.value = v;
	devices_command(&S, &c);
}

static void
test_ok(void)
{
	Hd__Value	 v = HD__VALUE__INIT;
	const char	*l;

	v.v_case = HD__VALUE__V_B;
	v.b = 1;
	cmd(41, "t:lamp", "on", &v);
	CHECK(lines() == 3, "a command makes two lines (%d)", lines());
	l = line(1);
	CHECK(starts(l, "exec id=41 origin=master term=7 master=m1 "
	    "mono_ms="), "exec line head: %s", l);
	CHECK(has(l, " dev=t:lamp key=on value=b:true") &&
	    has(l, " wall_ms="), "exec line: device, key, value, wall time");
	l = line(2);
	CHECK(starts(l, "done id=41 origin=master term=7 master=m1 "),
	    "done line head: %s", l);
	CHECK(has(l, " dev=t:lamp status=OK value=b:true"),
	    "done line: status and confirmed value: %s", l);
	cmd(41, "t:lamp", "on", &v);
	CHECK(lines() == 3, "a repeated id (memo answer) adds no line");
	cmd(42, "t:none", "on", &v);
	CHECK(lines() == 3, "a refused command (no such device) adds no line");
	v.v_case = HD__VALUE__V_I;
	v.i = 3;
	cmd(43, "t:lamp", "on", &v);
	CHECK(lines() == 3, "a refused command (bad value) adds no line");
}

static void
test_fields(void)
{
	Hd__Value	 v = HD__VALUE__INIT;
	const char	*l;

	v.v_case = HD__VALUE__V_S;
	v.s = (char *)(uintptr_t)"a b=c\nexec id=1\\";
	cmd(50, "t:text", "msg", &v);
	CHECK(lines() == 5, "a text value with a newline stays one line");
	l = line(3);
	CHECK(has(l, " value=s:a\\x20b\\x3dc\\x0aexec\\x20id\\x3d1\\x5c"),
	    "space, '=', newline and backslash escaped: %s", l);
	v.v_case = HD__VALUE__V_D;
	v.d = 21.5;
	fail_next = 1;
	cmd(51, "t:level", "level", &v);
	CHECK(has(line(5), " value=d:21.5"), "a double: %s", line(5));
	CHECK(has(line(6), "done id=51 ") &&
	    has(line(6), " status=DEVICE_FAULT value=-"),
	    "a failed command: status, no value: %s", line(6));
}

static void
test_safe_and_term(void)
{
	Hd__Command	 c = HD__COMMAND__INIT;
	Hd__Value	 v = HD__VALUE__INIT;
	const char	*why;

	S.term = 8;
	snprintf(S.master_id, sizeof(S.master_id), "m2");
	v.v_case = HD__VALUE__V_B;
	c.id = SAFE_ID_BASE + 1;
	c.device_id = (char *)(uintptr_t)"t:lamp";
	c.key = (char *)(uintptr_t)"on";
	c.value = &v;
	CHECK(devices_command_local(&S, &c, &why) == ST(OK),
	    "the slave's own command runs");
	CHECK(starts(line(7), "exec id=18446181123756130305 origin=safe "
	    "term=8 master=m2 "), "its origin is safe: %s", line(7));
	cmd(60, "t:lamp", "on", &v);
	CHECK(has(line(9), "exec id=60 origin=master term=8 master=m2 "),
	    "the term and master at the time: %s", line(9));
}

static void
test_cap(void)
{
	Hd__Value	v = HD__VALUE__INIT;
	int		fd, n;

	journal_close(&S);
	CHECK(S.journal == NULL, "closed");
	CHECK(starts(line(lines() - 1), "stop id=0 origin=- term=8 master=m2 "),
	    "closing writes a stop line: %s", line(lines() - 1));
	/* A sparse file just under the cap: the next line would pass it. */
	n = lines();
	fd = open(path, O_WRONLY);
	CHECK(fd != -1 && ftruncate(fd, JOURNAL_MAX_BYTES - 10) == 0,
	    "a journal just under JOURNAL_MAX_BYTES");
	close(fd);
	CHECK(journal_open(&S) == 0 && S.journal != NULL, "opened again");
	v.v_case = HD__VALUE__V_B;
	cmd(70, "t:lamp", "on", &v);
	fd = open(path, O_RDONLY);
	CHECK(lseek(fd, 0, SEEK_END) == JOURNAL_MAX_BYTES - 10,
	    "past the cap nothing more is written (had %d lines)", n);
	close(fd);
	CHECK(memo_find(&S, 70) != NULL, "... and the command still ran");
	journal_close(&S);
}

static void
test_open(void)
{
	Hd__Value	v = HD__VALUE__INIT;
	char		bad[96];

	free(S.conf.journal);
	S.conf.journal = NULL;
	CHECK(journal_open(&S) == 0 && S.journal == NULL,
	    "no journal line: no journal, no error");
	snprintf(bad, sizeof(bad), "%s/no/such/dir/j", dir);
	S.conf.journal = bad;
	CHECK(journal_open(&S) == -1 && S.journal == NULL,
	    "a journal that cannot be created is refused");
	S.conf.journal = NULL;
	v.v_case = HD__VALUE__V_B;
	cmd(80, "t:lamp", "on", &v);
	CHECK(memo_find(&S, 80) != NULL, "commands run without a journal");
}

int
main(void)
{
	struct dev *d;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/journal", dir);
	TAILQ_INIT(&S.devs);
	rq_init(&S.rq);
	S.up = &link_uplink;
	S.link.state = CLINK_IDLE;
	S.term = 7;
	snprintf(S.master_id, sizeof(S.master_id), "m1");
	S.conf.journal = strdup(path);
	CHECK(journal_open(&S) == 0 && S.journal != NULL, "journal opened");
	d = dev_new(&S, "t:lamp", "Lamp", "", HD__DEVICE_KIND__DEV_SWITCH,
	    &drv_ops, NULL);
	CHECK(d != NULL && dev_value(d, "on", HD__VALUE_TYPE__VT_BOOL, "", 1,
	    0, 0) == 0, "a lamp");
	d = dev_new(&S, "t:text", "Text", "", HD__DEVICE_KIND__DEV_SWITCH,
	    &drv_ops, NULL);
	CHECK(d != NULL && dev_value(d, "msg", HD__VALUE_TYPE__VT_STRING, "",
	    1, 0, 0) == 0, "a text display");
	d = dev_new(&S, "t:level", "Level", "", HD__DEVICE_KIND__DEV_SWITCH,
	    &drv_ops, NULL);
	CHECK(d != NULL && dev_value(d, "level", HD__VALUE_TYPE__VT_DOUBLE,
	    "", 1, 0, 100) == 0, "a level");
	CHECK(starts(line(0), "start id=0 origin=- term=7 master=m1 mono_ms="),
	    "opening writes a start line: %s", line(0));
	test_ok();
	test_fields();
	test_safe_and_term();
	test_cap();
	test_open();
	while ((d = TAILQ_FIRST(&S.devs)) != NULL)
		dev_remove(d);
	rq_free(&S.rq);
	unlink(path);
	rmdir(dir);
	return check_done();
}
