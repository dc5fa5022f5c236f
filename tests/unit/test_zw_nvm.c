/*
 * Unit tests for the controller's NVM backup and restore: the Serial
 * API's encoders and parsers (zw_nvm_fmt.c) and the backup file
 * (shared/zwnvm.c) on known bytes, then the chunk machine (zw_nvm.c)
 * with zw_fake.c's stick (a 7.18 library) answering from an image here:
 * a backup whole, paced behind a busy stick, short and empty reads, each
 * way a stick can answer wrong (address, status, end of file, none), a
 * stick lost; a restore written, read back and reset, the commands
 * refused meanwhile, and the images it must refuse (chip, function,
 * firmware, size, damage, pieces out of order, a read-back mismatch).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK_PARTS	/* zw_fake.c shares the count */
#include "check.h"
#include "wire.h"
#include "atomicfile.h"
#include "zw_fake.h"
#include "../../slave/zwave/zw_nvm.h"
#include "../../slave/zwave/zw_sec_int.h"

#define IMG_SIZE	1000		/* five chunks: 4 x 240 + 40 */

static uint8_t	img[IMG_SIZE];		/* the stick's NVM */
static uint8_t	api = ZWNVM_API_EXT;
static size_t	stick_size = IMG_SIZE;
/* Faults: answer the read at this address wrongly (-1: never). */
static long	bad_addr_at = -1, bad_status_at = -1, eof_at = -1;
static long	noanswer_at = -1, flip_at = -1;
static size_t	short_len;		/* reads give at most this (0: all) */
static int	empty_once;		/* a full read answered with nothing */
static int	opens, closes, writes;

/* The stick's capabilities: ids, then function `f`'s bit. */
static void
set_caps(uint8_t f, uint8_t chip)
{
	uint8_t caps[8 + 32] = { 1, 0, 0, 0x86, 0, 1, 0, 0x5a };
	uint8_t init[3 + ZW_NODEMASK_LEN + 2] = { 8, 0, ZW_NODEMASK_LEN };

	if (f != 0)
		caps[8 + (f - 1) / 8] |= (uint8_t)(1u << ((f - 1) % 8));
	zw_nvm_caps(S.zw, caps, f != 0 ? sizeof(caps) : 8);
	init[3 + ZW_NODEMASK_LEN] = chip;
	zw_nvm_init_data(S.zw, init, sizeof(init));
	api = f;
}

static void
reply(const struct zw_req *r, uint8_t st, uint32_t addr, const uint8_t *d,
    size_t n)
{
	uint8_t	p[ZW_MAX_PAYLOAD];
	size_t	i = 0;

	p[i++] = st;
	p[i++] = (uint8_t)n;
	if (api == ZWNVM_API_EXT) {
		p[i++] = (uint8_t)(addr >> 24);
		p[i++] = (uint8_t)(addr >> 16);
	}
	p[i++] = (uint8_t)(addr >> 8);
	p[i++] = (uint8_t)addr;
	if (n > 0)
		memcpy(p + i, d, n);
	answer(r, p, i + n, 0);
}

/* Answer one recorded NVM request as the stick would; 0 if none. */
static int
serve1(void)
{
	struct zw_req	r;
	size_t		alen = api == ZWNVM_API_EXT ? 4 : 2, len, k;
	uint32_t	addr = 0;
	uint8_t		st = 0, buf[256];

	int		i;

	/* The NVM's requests, wherever they are among the interview's. */
	for (i = 0; i < nreqs && reqs[i].func != api; i++)
		;
	if (i == nreqs)
		return 0;
	r = reqs[i];
	memmove(reqs + i, reqs + i + 1, (size_t)(nreqs - i - 1) *
	    sizeof(reqs[0]));
	nreqs--;
	if (r.payload[0] == ZW_NVM_OPEN || r.payload[0] == ZW_NVM_CLOSE) {
		if (r.payload[0] == ZW_NVM_OPEN)
			opens++;
		else
			closes++;
		reply(&r, 0, r.payload[0] == ZW_NVM_OPEN ? (uint32_t)stick_size
		    : 0, NULL, 0);
		return 1;
	}
	len = r.payload[1];
	for (k = 0; k < alen; k++)
		addr = addr << 8 | r.payload[2 + k];
	if ((long)addr == noanswer_at) {
		r.done(r.arg, ZW_ERR_NORES, NULL, NULL);
		return 1;
	}
	if (len > stick_size - addr)
		len = stick_size - addr;
	if (addr + len >= stick_size || (long)addr == eof_at)
		st = ZW_NVM_ST_EOF;
	if ((long)addr == bad_status_at)
		st = 0x01;
	if (r.payload[0] == ZW_NVM_WRITE) {
		memcpy(img + addr, r.payload + 2 + alen, len);
		writes++;
		reply(&r, st, addr, NULL, 0);
		return 1;
	}
	if (short_len != 0 && len > short_len)
		len = short_len;
	if (empty_once && len == ZW_NVM_CHUNK) {
		empty_once = 0;
		len = 0;
	}
	/* End of file only for the bytes really given. */
	if (st == ZW_NVM_ST_EOF && addr + len < stick_size &&
	    (long)addr != eof_at)
		st = 0;
	memcpy(buf, img + addr, len);
	if ((long)addr == flip_at)
		buf[0] ^= 0xff;
	reply(&r, st, (long)addr == bad_addr_at ? addr + 1 : addr, buf, len);
	return 1;
}

static void
serve(void)
{
	while (serve1())
		;
}

static void
reset_faults(void)
{
	bad_addr_at = bad_status_at = eof_at = noanswer_at = flip_at = -1;
	short_len = 0;
	empty_once = 0;
	opens = closes = writes = 0;
	fake_busy = 0;
}

/* A command from the master, not answered by the simulated nodes (as
 * zw_fake.c's command() does: they would take the NVM's requests): its
 * result status, or -1 when none came yet. */
static int
cmd(uint64_t id, const char *dev, const char *key, int b)
{
	Hd__Command	c = HD__COMMAND__INIT;
	Hd__Value	v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_B;
	v.b = b;
	c.id = id;
	c.device_id = (char *)(uintptr_t)dev;
	c.key = (char *)(uintptr_t)key;
	c.value = &v;
	devices_command(&S, &c);
	return last_result(id, NULL, 0);
}

static void
request(Hd__ZwNvm__Action a)
{
	Hd__ZwNvm q = HD__ZW_NVM__INIT;

	q.action = a;
	q.issued_by = (char *)(uintptr_t)"test";
	zw_nvm_request(&S, &q);
}

/* The last ZwNvmStatus: its state (-1: none) and reason in why. */
static int
last_status(char *why, size_t size)
{
	Hd__Envelope	*e;
	int		 st;

	if (queued(HD__ENVELOPE__BODY_ZW_NVM_STATUS, &e) == 0 || e == NULL)
		return -1;
	st = e->zw_nvm_status->state;
	if (why != NULL)
		snprintf(why, size, "%s", e->zw_nvm_status->reason);
	wire_free((ProtobufCMessage *)e);
	return st;
}

/* --- pure ------------------------------------------------------------- */

static void
test_encode(void)
{
	static const uint8_t r16[] = { 0x01, 0xf0, 0x12, 0x34 };
	static const uint8_t r32[] = { 0x01, 0xf0, 0x00, 0x01, 0x23, 0x45 };
	static const uint8_t w32[] = { 0x02, 0x02, 0x00, 0x00, 0x00, 0x10,
	    0xaa, 0xbb };
	static const uint8_t d[] = { 0xaa, 0xbb };
	uint8_t	out[ZW_MAX_PAYLOAD];

	CHECK(zw_nvm_encode(ZWNVM_API_OPS, ZW_NVM_READ, 0x1234, NULL, 240, out,
	    sizeof(out)) == 4 && memcmp(out, r16, 4) == 0,
	    "0x2E read: 01 f0 12 34 (length, 16-bit address)");
	CHECK(zw_nvm_encode(ZWNVM_API_EXT, ZW_NVM_READ, 0x12345, NULL, 240, out,
	    sizeof(out)) == 6 && memcmp(out, r32, 6) == 0,
	    "0x3D read: 01 f0 00 01 23 45 (32-bit address)");
	CHECK(zw_nvm_encode(ZWNVM_API_EXT, ZW_NVM_WRITE, 0x10, d, 2, out,
	    sizeof(out)) == 8 && memcmp(out, w32, 8) == 0,
	    "0x3D write: length, address, the bytes");
	CHECK(zw_nvm_encode(ZWNVM_API_OPS, ZW_NVM_OPEN, 0, NULL, 0, out,
	    sizeof(out)) == 1 && out[0] == 0, "open: its sub-command alone");
	CHECK(zw_nvm_encode(ZWNVM_API_OPS, ZW_NVM_READ, 0x10000, NULL, 16,
	    out, sizeof(out)) == 0, "0x2E: an address past 16 bits refused");
	CHECK(zw_nvm_encode(ZWNVM_API_EXT, ZW_NVM_READ, 0, NULL,
	    ZW_NVM_CHUNK + 1, out, sizeof(out)) == 0,
	    "a chunk past ZW_NVM_CHUNK refused");
	CHECK(zw_nvm_encode(0x42, ZW_NVM_OPEN, 0, NULL, 0, out, sizeof(out)) ==
	    0, "an unknown function refused");
}

static void
test_parse(void)
{
	static const uint8_t open16[] = { 0x00, 0x00, 0x40, 0x00 };
	static const uint8_t read32[] = { 0xff, 0x02, 0x00, 0x01, 0x00, 0x00,
	    0xde, 0xad };
	static const uint8_t runs[] = { 0x00, 0x05, 0x00, 0x00, 0xaa };
	struct zw_nvm_res r;
	uint8_t	caps[8 + 32] = { 0 };

	CHECK(zw_nvm_parse(ZWNVM_API_OPS, open16, sizeof(open16), &r) == 0 &&
	    r.status == 0 && r.addr == 0x4000 && r.len == 0,
	    "0x2E open: the size, 16 KiB");
	CHECK(zw_nvm_parse(ZWNVM_API_EXT, read32, sizeof(read32), &r) == 0 &&
	    r.status == 0xff && r.addr == 0x10000 && r.len == 2 &&
	    r.data[0] == 0xde && r.data[1] == 0xad,
	    "0x3D read: end of file, 32-bit address, the bytes");
	CHECK(zw_nvm_parse(ZWNVM_API_EXT, open16, sizeof(open16), &r) == -1,
	    "0x3D: 4 bytes are too short");
	CHECK(zw_nvm_parse(ZWNVM_API_OPS, runs, sizeof(runs), &r) == -1,
	    "a length byte past the frame refused");
	CHECK(zw_nvm_pick_api(caps, 8) == 0, "8 bytes of ids only: no NVM");
	caps[8 + (0x2e - 1) / 8] |= 1u << ((0x2e - 1) % 8);
	CHECK(zw_nvm_pick_api(caps, sizeof(caps)) == ZWNVM_API_OPS,
	    "0x2E's bit: the 16-bit operations");
	caps[8 + (0x3d - 1) / 8] |= 1u << ((0x3d - 1) % 8);
	CHECK(zw_nvm_pick_api(caps, sizeof(caps)) == ZWNVM_API_EXT,
	    "0x3D's bit too: the extended ones");
}

static void
test_file(void)
{
	struct zwnvm_meta	 m, p;
	const char		*why = NULL;
	uint8_t			 f[ZWNVM_HDR_LEN + 100];
	size_t			 i;

	memset(&m, 0, sizeof(m));
	m.api = ZWNVM_API_EXT;
	m.chip_type = 7;
	m.own_id = 1;
	m.home_id = 0xc0ffee01;
	m.time_ms = 1765000000123ULL;
	snprintf(m.library, sizeof(m.library), "Z-Wave 7.18");
	for (i = 0; i < 100; i++)
		f[ZWNVM_HDR_LEN + i] = (uint8_t)i;
	CHECK(zwnvm_encode(f, &m, f + ZWNVM_HDR_LEN, 100) == 0 &&
	    zwnvm_parse(f, sizeof(f), &p, &why) == 0 && p.size == 100 &&
	    p.home_id == 0xc0ffee01 && p.time_ms == m.time_ms &&
	    strcmp(p.library, "Z-Wave 7.18") == 0 &&
	    memcmp(p.sha256, m.sha256, 32) == 0,
	    "a backup file written and read back");
	CHECK(zwnvm_parse(f, sizeof(f) - 1, &p, &why) == -1 &&
	    strstr(why, "size") != NULL, "cut short: refused, the size");
	f[ZWNVM_HDR_LEN + 50] ^= 1;
	CHECK(zwnvm_parse(f, sizeof(f), &p, &why) == -1 &&
	    strstr(why, "SHA-256") != NULL, "a byte changed: the SHA-256");
	f[ZWNVM_HDR_LEN + 50] ^= 1;
	f[9] = 2;
	CHECK(zwnvm_parse(f, sizeof(f), &p, &why) == -1 &&
	    strstr(why, "newer") != NULL, "format 2: a newer format");
	f[9] = 1;
	f[57] = 1;
	CHECK(zwnvm_parse(f, sizeof(f), &p, &why) == -1 &&
	    strstr(why, "damaged") != NULL, "reserved bytes set: damaged");
	f[57] = 0;
	f[0] = 'H';
	CHECK(zwnvm_parse(f, sizeof(f), &p, &why) == -1 &&
	    strstr(why, "not a Z-Wave") != NULL, "another magic: not a backup");
}

/* --- the machine ------------------------------------------------------ */

#define ACT_BACKUP	HD__ZW_NVM__ACTION__BACKUP
#define ACT_RESTORE	HD__ZW_NVM__ACTION__RESTORE
#define ST_RUNNING	HD__ZW_NVM_STATUS__STATE__RUNNING
#define ST_DONE		HD__ZW_NVM_STATUS__STATE__DONE
#define ST_FAILED	HD__ZW_NVM_STATUS__STATE__FAILED
#define ST_REFUSED	HD__ZW_NVM_STATUS__STATE__REFUSED

static char	path[160];
static uint8_t	good[IMG_SIZE];		/* the image backed up */

static int
file_is(const uint8_t *want)
{
	struct zwnvm_meta	 m;
	const char		*why;
	uint8_t			*f;
	size_t			 len;
	int			 ok;

	if (atomic_read(path, ZWNVM_FILE_MAX, &f, &len) == -1)
		return 0;
	ok = zwnvm_parse(f, len, &m, &why) == 0 && m.size == IMG_SIZE &&
	    memcmp(f + ZWNVM_HDR_LEN, want, IMG_SIZE) == 0 && m.chip_type == 7 &&
	    m.api == ZWNVM_API_EXT && m.home_id == 0xc0ffee01 &&
	    strcmp(m.library, "Z-Wave 7.18") == 0 && m.own_id == 1;
	free(f);
	return ok;
}

/* The start-up; node 2 interviewed as a switch (its "on" value). */
static int
switch_node(void)
{
	static const uint8_t	sw_cc[] = { 0x25, 0x20, 0x72 };
	struct zw_req		r;

	if (startup() != 0 || !take(&r))
		return -1;
	answer(&r, (const uint8_t []){ 1 }, 1, 0);
	nif(2, 0x10, sw_cc, sizeof(sw_cc));
	take(&r);			/* node 3's interview: silent */
	answer(&r, (const uint8_t []){ 1 }, 1, 0);
	nif_timeout();
	pump();
	return dev_find_value(dev_find(&S, "zw:2:0"), "on") != NULL ? 0 : -1;
}

/* The start-up again on the same opening of the port (after a soft
 * reset the stick layer calls up(1), it does not reopen). */
static int
startup_again(void)
{
	opened--;		/* stick_startup() counts an opening */
	return startup();
}

/* A backup answered with the faults set; its last status, reason in why. */
static int
backup(char *why, size_t size)
{
	drain();
	request(ACT_BACKUP);
	serve();
	return last_status(why, size);
}

static void
test_backup(void)
{
	struct stat	sb;
	char		why[ZW_INCL_REASON_MAX + 1];
	int		resets = soft_resets, i, k;

	for (i = 0; i < IMG_SIZE; i++)
		img[i] = good[i] = (uint8_t)(i * 13 + 7);
	snprintf(path, sizeof(path), "%s/zwave.nvm", dir);
	set_caps(ZWNVM_API_EXT, 0x07);
	reset_faults();
	CHECK(backup(why, sizeof(why)) == ST_DONE && opens == 1 &&
	    closes == 1, "a backup: open, reads, close, done");
	CHECK(strncmp(why, "1000 bytes in ", 14) == 0 &&
	    strstr(why, "home id c0ffee01") != NULL, "... saying what it kept");
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600 &&
	    sb.st_size == ZWNVM_HDR_LEN + IMG_SIZE,
	    "zwave.nvm: mode 0600, the header and the image");
	CHECK(file_is(good), "... the image, the stick's identity in its header");
	CHECK(soft_resets == resets + 1, "a 7.18 stick soft-reset after it");

	/* A busy stick: each chunk waits, a while. */
	drain();
	reset_faults();
	fake_busy = 1;
	request(ACT_BACKUP);
	serve1();
	CHECK(!pending(ZWNVM_API_EXT, -1) && S.zw->nvm->timer.active,
	    "the stick busy: the first read waits");
	for (k = 1; k < ZW_NVM_PACE_TRIES; k++)
		fire(&S.zw->nvm->timer);
	CHECK(!pending(ZWNVM_API_EXT, -1), "... ZW_NVM_PACE_TRIES - 1 times "
	    "still");
	fire(&S.zw->nvm->timer);
	CHECK(pending(ZWNVM_API_EXT, ZW_NVM_READ),
	    "... then it queues behind the stick's work");
	fake_busy = 0;
	serve();
	CHECK(last_status(NULL, 0) == ST_DONE && file_is(good),
	    "the stick free again: the backup ends whole");

	reset_faults();
	short_len = 100;
	CHECK(backup(why, sizeof(why)) == ST_DONE && file_is(good),
	    "reads answered with 100 bytes: the rest asked for");
	reset_faults();
	empty_once = 1;
	CHECK(backup(why, sizeof(why)) == ST_DONE && file_is(good) &&
	    S.zw->nvm->chunk == ZW_NVM_CHUNK_SMALL,
	    "a full read answered with nothing: smaller chunks");
}

static void
test_backup_faults(void)
{
	char	why[ZW_INCL_REASON_MAX + 1];

	reset_faults();
	bad_addr_at = 240;
	CHECK(backup(why, sizeof(why)) == ST_FAILED && strcmp(why,
	    "the stick answered for byte 241, asked for 240") == 0,
	    "a read answered for another address: failed, in words");
	reset_faults();
	eof_at = 480;
	CHECK(backup(why, sizeof(why)) == ST_FAILED && strcmp(why,
	    "the stick says its NVM ends at byte 720 of 1000") == 0,
	    "end of file before the size: failed");
	reset_faults();
	bad_status_at = 0;
	CHECK(backup(why, sizeof(why)) == ST_FAILED && strcmp(why,
	    "the stick reports an NVM error while reading at byte 0") == 0,
	    "an error status: failed");
	reset_faults();
	noanswer_at = 240;
	CHECK(backup(why, sizeof(why)) == ST_FAILED && strstr(why,
	    "the stick did not answer while reading at byte 240") == why,
	    "no answer: failed");
	CHECK(file_is(good), "the failed backups left the last good one");

	reset_faults();
	drain();
	request(ACT_BACKUP);
	serve1();
	the_stick.ops->up(the_stick.arg, 0, "port closed");
	CHECK(last_status(why, sizeof(why)) == ST_FAILED && strcmp(why,
	    "port closed while reading at byte 0") == 0,
	    "the stick lost mid-backup: failed, saying so");
	nreqs = 0;
	CHECK(startup() == 0, "the stick back");
	set_caps(ZWNVM_API_EXT, 0x07);

	drain();
	request(ACT_BACKUP);
	request(ACT_BACKUP);
	CHECK(last_status(why, sizeof(why)) == ST_REFUSED && strcmp(why,
	    "a controller backup is under way") == 0,
	    "a second backup meanwhile: refused");
	CHECK(cmd(81, "zw:2:0", "on", 1) == -1 &&
	    pending(ZW_FN_SEND_DATA, 2), "a command during a backup goes to "
	    "the stick");
	serve();
	CHECK(last_status(NULL, 0) == ST_DONE && file_is(good),
	    "... the backup ends whole around it");
	pump();
	CHECK(last_result(81, NULL, 0) == HD__COMMAND_RESULT__STATUS__OK,
	    "... and the command is confirmed");
	set_caps(0, 0x07);
	drain();
	request(ACT_BACKUP);
	CHECK(last_status(why, sizeof(why)) == ST_REFUSED && strstr(why,
	    "this stick offers no NVM backup") == why,
	    "a stick without 0x3D or 0x2E: refused, in words");
	set_caps(ZWNVM_API_EXT, 0x07);
}

/* RESTORE of a file built here, sent in two pieces as the master does. */
static void
restore_pieces(uint8_t chip, uint8_t fn, const char *lib, size_t n,
    int damage)
{
	Hd__ZwNvm		 q = HD__ZW_NVM__INIT;
	struct zwnvm_meta	 m;
	static uint8_t		 f[ZWNVM_HDR_LEN + 2 * IMG_SIZE];

	memset(&m, 0, sizeof(m));
	m.api = fn;
	m.chip_type = chip;
	m.own_id = 1;
	m.home_id = 0xc0ffee01;
	snprintf(m.library, sizeof(m.library), "%s", lib);
	memcpy(f + ZWNVM_HDR_LEN, good, IMG_SIZE);
	memcpy(f + ZWNVM_HDR_LEN + IMG_SIZE, good, IMG_SIZE);
	zwnvm_encode(f, &m, f + ZWNVM_HDR_LEN, n);
	if (damage)
		f[ZWNVM_HDR_LEN + 10] ^= 1;
	drain();
	q.action = ACT_RESTORE;
	q.total = (uint32_t)(ZWNVM_HDR_LEN + n);
	q.data.data = f;
	q.data.len = 500;
	zw_nvm_request(&S, &q);
	q.offset = 500;
	q.data.data = f + 500;
	q.data.len = q.total - 500;
	zw_nvm_request(&S, &q);
}

static void
test_restore(void)
{
	char	why[ZW_INCL_REASON_MAX + 1];
	int	resets;

	/* The network changed since: the stick's NVM differs. */
	memset(img, 0x55, sizeof(img));
	reset_faults();
	drain();
	request(ACT_RESTORE);
	CHECK(last_status(NULL, 0) == ST_RUNNING && S.zw->nvm->step == N_WOPEN,
	    "restore of the slave's own backup: started");
	CHECK(cmd(82, "zw:2:0", "on", 1) ==
	    HD__COMMAND_RESULT__STATUS__BUSY && last_result(82, why,
	    sizeof(why)) == HD__COMMAND_RESULT__STATUS__BUSY &&
	    strstr(why, "restore is under way") != NULL,
	    "a command meanwhile: BUSY, saying why");
	resets = soft_resets;
	serve();
	CHECK(memcmp(img, good, IMG_SIZE) == 0 && writes == 5,
	    "the image written in five chunks, each at its address");
	CHECK(opens == 2 && closes == 2, "written, closed, opened again to "
	    "read back, closed");
	CHECK(soft_resets == resets + 1 && S.zw->nvm->step == N_RESTART &&
	    S.zw->nvm->timer.active, "verified: the stick soft-reset, its "
	    "restart awaited");
	CHECK(startup_again() == 0, "the stick restarted: the start-up again");
	CHECK(last_status(why, sizeof(why)) == ST_DONE &&
	    strstr(why, "1000 bytes written and verified in ") == why &&
	    strstr(why, "home id c0ffee01, 2 nodes besides itself") != NULL,
	    "done: what the stick lists now");
	set_caps(ZWNVM_API_EXT, 0x07);

	restore_pieces(0x05, ZWNVM_API_EXT, "Z-Wave 7.18", IMG_SIZE, 0);
	CHECK(last_status(why, sizeof(why)) == ST_REFUSED && strcmp(why,
	    "the image is from a 500 series stick, this one is a 700 series: "
	    "an NVM image cannot be restored onto another chip generation") ==
	    0, "an image of another chip: refused, in words");
	restore_pieces(0x07, ZWNVM_API_OPS, "Z-Wave 7.18", IMG_SIZE, 0);
	CHECK(last_status(why, sizeof(why)) == ST_REFUSED && strstr(why,
	    "read with NVM function 0x2e, this stick offers 0x3d") != NULL,
	    "an image read with the other function: refused");
	restore_pieces(0x07, ZWNVM_API_EXT, "Z-Wave 7.15", IMG_SIZE, 0);
	CHECK(last_status(why, sizeof(why)) == ST_REFUSED && strcmp(why,
	    "the image is from firmware \"Z-Wave 7.15\", this stick runs "
	    "\"Z-Wave 7.18\": bring the stick to that version first") == 0,
	    "an image of other firmware: refused");
	restore_pieces(0x07, ZWNVM_API_EXT, "Z-Wave 7.18", IMG_SIZE, 1);
	CHECK(last_status(why, sizeof(why)) == ST_REFUSED &&
	    strstr(why, "SHA-256") != NULL, "a damaged image: refused");
	CHECK(!pending(ZWNVM_API_EXT, -1), "nothing went to the stick for any "
	    "of them");

	reset_faults();
	restore_pieces(0x07, ZWNVM_API_EXT, "Z-Wave 7.18", 2 * IMG_SIZE, 0);
	serve();
	CHECK(last_status(why, sizeof(why)) == ST_FAILED && strcmp(why,
	    "the image holds 2000 bytes, this stick's NVM 1000: it is another "
	    "kind of stick") == 0 && writes == 0 && closes == 1,
	    "an image of another size: failed at open, closed, nothing written");

	reset_faults();
	flip_at = 240;
	restore_pieces(0x07, ZWNVM_API_EXT, "Z-Wave 7.18", IMG_SIZE, 0);
	serve();
	CHECK(last_status(why, sizeof(why)) == ST_FAILED && strcmp(why,
	    "read back differs from the image near byte 240: the stick's NVM "
	    "may be damaged; restore again") == 0,
	    "a read-back that differs: failed, saying so");

	reset_faults();
	drain();
	{
		Hd__ZwNvm q = HD__ZW_NVM__INIT;
		uint8_t	  b[600] = { 0 };

		q.action = ACT_RESTORE;
		q.total = 1096;
		q.data.data = b;
		q.data.len = 500;
		zw_nvm_request(&S, &q);
		q.offset = 600;		/* 500..599 never came */
		zw_nvm_request(&S, &q);
	}
	CHECK(last_status(why, sizeof(why)) == ST_REFUSED && strstr(why,
	    "out of order") != NULL, "pieces out of order: refused");
	CHECK(!pending(ZWNVM_API_EXT, -1) && S.zw->nvm->op == -1,
	    "nothing started");
}

/* --- SmartStart around a restore -------------------------------------- */

#define SS_LISTEN	(ZW_INCL_MODE_SS_LISTEN | ZW_INCL_OPT_NWI)

/* Where the first request of `func` (with first byte `b`, or any when
 * -1) waits in the fake stick's queue; -1 if none. */
static int
req_at(uint8_t func, int b)
{
	int i;

	for (i = 0; i < nreqs; i++)
		if (reqs[i].func == func && (b < 0 || reqs[i].payload[0] == b))
			return i;
	return -1;
}

/* Answer and take out every AddNode (SmartStart listen and its stop:
 * no callback); how many there were. */
static int
take_adds(void)
{
	struct zw_req	r;
	int		i, n = 0;

	while ((i = req_at(ZW_FN_ADD_NODE, -1)) != -1) {
		r = reqs[i];
		memmove(reqs + i, reqs + i + 1, (size_t)(nreqs - i - 1) *
		    sizeof(reqs[0]));
		nreqs--;
		answer(&r, (const uint8_t []){ 0 }, 0, 0);
		n++;
	}
	return n;
}

/*
 * A restore while SmartStart listens: listen mode is left before the
 * first NVM request (a device announcing itself must not join a stick
 * being rewritten), stays off while the restore runs whatever asks for
 * it, and is taken up again once the stick restarted, the list still
 * wanting it.
 */
static void
test_restore_smartstart(void)
{
	struct zw_s2ctl	*k = S.zw->sec != NULL ? S.zw->sec->s2 : NULL;
	struct zw_req	 r;
	char		 why[ZW_INCL_REASON_MAX + 1];
	int		 i, stop, open;

	if (!CHECK(k != NULL && k->nprov == 0, "S2 keys, an empty "
	    "provisioning list"))
		return;
	/* What the last restart queued (node 3's interview again, node
	 * 2's state poll) answered first: the start-up after the restore
	 * must find the stick's queue empty. Node 3 stays silent. */
	for (i = 0; i < 16 && take(&r); i++) {
		answer(&r, (const uint8_t []){ 1 }, 1, 0);
		if (r.func == ZW_FN_REQUEST_NODE_INFO)
			nif_timeout();
	}
	memset(&k->prov[0], 0, sizeof(k->prov[0]));
	memset(k->prov[0].q.dsk, 0x11, sizeof(k->prov[0].q.dsk));
	k->prov[0].q.smartstart = 1;
	k->prov[0].state = ZW_SS_PENDING;
	k->nprov = 1;
	zw_ss_arm(S.zw);
	CHECK(k->listening && req_at(ZW_FN_ADD_NODE, SS_LISTEN) != -1,
	    "a pending SmartStart entry: the stick listens");
	take_adds();

	reset_faults();
	drain();
	request(ACT_RESTORE);
	stop = req_at(ZW_FN_ADD_NODE, ZW_INCL_MODE_STOP);
	open = req_at(api, ZW_NVM_OPEN);
	CHECK(!k->listening && stop != -1 && open != -1 && stop < open,
	    "a restore: listen mode left (AddNode STOP) before the NVM is "
	    "opened (%d, %d)", stop, open);
	take_adds();
	zw_ss_arm(S.zw);	/* as a provisioning change would */
	CHECK(!k->listening && req_at(ZW_FN_ADD_NODE, -1) == -1,
	    "while the restore runs, nothing takes listen mode up again");
	serve();
	CHECK(req_at(ZW_FN_ADD_NODE, -1) == -1 && !k->listening,
	    "... nor while it is written and read back");
	CHECK(startup_again() == 0 && last_status(why, sizeof(why)) ==
	    ST_DONE, "the stick restarted: the restore done");
	CHECK(k->listening && req_at(ZW_FN_ADD_NODE, SS_LISTEN) != -1,
	    "the list still wants it: the stick listens again");
	take_adds();
	k->nprov = 0;
	zw_ss_arm(S.zw);
	take_adds();
}

int
main(void)
{
	char p[160];

	test_encode();
	test_parse();
	test_file();
	if (!CHECK(zwf_open() == 0, "zw_start") ||
	    !CHECK(switch_node() == 0, "the fake stick's start-up, node 2 "
	    "a switch"))
		return check_done();
	test_backup();
	test_backup_faults();
	test_restore();
	test_restore_smartstart();
	snprintf(p, sizeof(p), "%s/zwave.nvm", dir);
	unlink(p);
	zwf_close();
	return check_done();
}
