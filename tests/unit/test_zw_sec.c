/*
 * Unit tests for slave/zwave/zw_sec.c's network key file (STATE_DIR/zwave.key):
 * made on the first start (0600, 32 hex digits), read back the same on
 * the next, refused when others can read it or when it is not a key; and
 * for what a node is sent securely or refused in clear.
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "../../slave/slave.h"
#include "../../slave/link/link.h"
#include "../../slave/zwave/zw.h"
#include "../../slave/zwave/zw_sec.h"

static char		dir[] = "/tmp/hd-test-zwsec.XXXXXX", path[128];
static struct slave	s;
static struct zw_ctrl	c;

static int
start(void)
{
	int r = zw_sec_start(&c);

	if (r == 0)
		zw_sec_stop(&c);
	return r;
}

static int
write_key(const char *text, mode_t mode)
{
	int	fd;
	ssize_t	n;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)) == -1)
		return -1;
	n = write(fd, text, strlen(text));
	fchmod(fd, mode);
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int
read_key(char *buf, size_t len)
{
	FILE	*f = fopen(path, "r");
	size_t	 n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (int)n;
}

static void
test_key_file(void)
{
	struct stat	st;
	char		first[80], again[80];
	size_t		i;
	int		hex = 1;

	CHECK(start() == 0, "first start: a key is made");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "the key file is 0600");
	CHECK(read_key(first, sizeof(first)) == 33 && first[32] == '\n',
	    "32 characters and a newline");
	for (i = 0; i < 32; i++)
		hex &= strchr("0123456789abcdef", first[i]) != NULL;
	CHECK(hex, "lowercase hex digits");
	CHECK(start() == 0 && read_key(again, sizeof(again)) == 33 &&
	    strcmp(first, again) == 0, "the next start reads the same key");
	chmod(path, 0640);
	CHECK(start() == -1, "a key file the group can read is refused");
	chmod(path, 0604);
	CHECK(start() == -1, "a key file others can read is refused");
	chmod(path, 0600);
	CHECK(start() == 0, "0600 again: taken");

	write_key("000102030405060708090A0B0C0D0E0F\n", 0600);
	CHECK(start() == 0, "uppercase hex is read");
	write_key("000102030405060708090a0b0c0d0e0\n", 0600);
	CHECK(start() == -1, "31 digits: refused");
	write_key("000102030405060708090a0b0c0d0e0f", 0600);
	CHECK(start() == -1, "no newline: refused");
	write_key("000102030405060708090a0b0c0d0e0f0\n", 0600);
	CHECK(start() == -1, "33 digits: refused");
	write_key("000102030405060708090a0b0c0d0e0g\n", 0600);
	CHECK(start() == -1, "a non-hex digit: refused");
	write_key("0x0102030405060708090a0b0c0d0e0f\n", 0600);
	CHECK(start() == -1, "a 0x prefix: refused");
	write_key("", 0600);
	CHECK(start() == -1, "an empty file: refused");
	unlink(path);
}

/* hd-slave -n: the key file is checked as the daemon would take it, and
 * nothing is made. */
static void
test_key_check(void)
{
	struct stat st;

	unlink(path);
	CHECK(zw_sec_key_check(dir) == 0 && stat(path, &st) == -1,
	    "-n: no key file yet is fine, and none is made");
	write_key("000102030405060708090a0b0c0d0e0f\n", 0600);
	CHECK(zw_sec_key_check(dir) == 0, "-n: a good key file passes");
	chmod(path, 0644);
	CHECK(zw_sec_key_check(dir) == -1,
	    "-n: a key file others can read is refused");
	write_key("not a key\n", 0600);
	CHECK(zw_sec_key_check(dir) == -1, "-n: a key file that is not a "
	    "key is refused");
	unlink(path);
}

static void
test_policy(void)
{
	struct zw_node	*zn = &c.node[6];
	const uint8_t	 lock[] = { 0x62, 0x03, 0xff, 0, 1, 0, 0 };
	const uint8_t	 batt[] = { 0x80, 0x03, 0x50 };

	zn->ctrl = &c;
	zn->scc[0] = 0x62;
	zn->nscc = 1;
	CHECK(!zw_sec_wanted(zn, 0x62),
	    "no scheme granted: nothing goes encapsulated");
	CHECK(zw_sec_filter(&c, zn, lock, sizeof(lock)) == 0,
	    "no scheme granted: a clear Door Lock report is the node layer's");
	zn->sec_level = 1;
	CHECK(zw_sec_wanted(zn, 0x62), "granted: Door Lock goes encapsulated");
	CHECK(!zw_sec_wanted(zn, 0x80), "a class in clear stays in clear");
	CHECK(!zw_sec_wanted(zn, 0x98), "Security itself is never wrapped");
	CHECK(zw_sec_filter(&c, zn, lock, sizeof(lock)) == 0 &&
	    zw_sec_refused(zn, 0, lock, sizeof(lock)) == 1,
	    "granted: a clear Door Lock report is refused (at any depth)");
	CHECK(zw_sec_refused(zn, 2, lock, sizeof(lock)) == 1,
	    "from an endpoint too");
	CHECK(zw_sec_filter(&c, zn, batt, sizeof(batt)) == 0 &&
	    zw_sec_refused(zn, 0, batt, sizeof(batt)) == 0,
	    "a clear Battery report is the node layer's");
	CHECK(zw_sec_filter(&c, zn, (const uint8_t[]){ 0x98, 0x42 }, 2) == 1,
	    "an unknown S0 command stops at the filter");
	CHECK(zw_sec_filter(&c, zn, (const uint8_t[]){ 0x98, 0x80, 1 }, 3) ==
	    1, "a short nonce report stops at the filter");
	CHECK(zw_sec_filter(&c, zn, (const uint8_t[]){ 0x98, 0x81, 1, 2 },
	    4) == 1, "a short encapsulation stops at the filter");
	CHECK(zw_sec_filter(&c, zn, (const uint8_t[]){ 0x98, 0x05, 0 }, 3) ==
	    1, "a scheme report out of turn stops at the filter");
	CHECK(zw_sec_bootstrap(zn) == -1,
	    "a node with a key is not included again");
	CHECK(zw_sec_adopt(zn) == -1, "nor adopted");
	zn->sec_level = 0;
	c.incl.node = 0;
	CHECK(zw_sec_bootstrap(zn) == -1 && !zw_sec_busy(zn), "no key yet, but not the node the user "
	    "is including: no secure inclusion, nothing queued");
	zw_sec_node_reset(zn);
}

int
main(void)
{
	log_init("test_zw_sec", 0);
	if (!CHECK(mkdtemp(dir) != NULL, "temporary state folder"))
		return check_done();
	snprintf(path, sizeof(path), "%s/zwave.key", dir);
	s.conf.state_dir = dir;
	if (!CHECK((s.loop = ev_loop_new()) != NULL, "event loop"))
		return check_done();
	c.s = &s;
	s.up = &link_uplink;
	test_key_file();
	test_key_check();
	if (CHECK(zw_sec_start(&c) == 0, "keys for the policy tests")) {
		test_policy();
		zw_sec_stop(&c);
	}
	unlink(path);
	snprintf(path, sizeof(path), "%s/zwave-s2.key", dir);
	unlink(path);		/* zw_sec_start made the S2 keys too */
	rmdir(dir);
	ev_loop_free(s.loop);
	return check_done();
}
