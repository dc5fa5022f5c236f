/*
 * Unit tests for the QR code string parser (slave/zwave/zw_s2_qr.c).
 *
 * The two good strings were made and read back by zwave-js's own
 * parseQRCodeString (@zwave-js/core, npm; its checksum is SHA-1 over the
 * digits after the checksum, first two bytes) with this script, run from
 * the npm cache:
 *
 *	const { parseQRCodeString } = require("@zwave-js/core");
 *	parseQRCodeString(qr).then((r) => console.log(JSON.stringify(r)));
 *
 * which said: the first, SmartStart (version 1), requests S2 Unauthenticated,
 * Authenticated, Access Control and S0 (0x87), DSK 54321-48156-13215-
 * 21699-55543-34093-11072-28681, generic 64, specific 3, icon 1792,
 * manufacturer 134, product type 3, product id 100, application version
 * 1.5; the second, S2 (version 0), requests Access Control (0x04), DSK
 * 00001-...-00007-65535, the same product, and a Supported Protocols
 * block (not critical: skipped here). Every refusal below is one zwave-js
 * refuses too.
 */

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "../../slave/zwave/zw_s2.h"

static const char QR1[] = "9001500551355432148156132152169955543340931107228"
    "68100101638701792022000134000030010000261";
static const char QR2[] = "9000280400040000100002000030000400005000060000765"
    "535022000134000030010000261001016387017920803100";

/* A copy of QR1 with digit `at` replaced by `c`. */
static const char *
with(size_t at, char c)
{
	static char b[sizeof(QR1)];

	memcpy(b, QR1, sizeof(QR1));
	b[at] = c;
	return b;
}

static void
test_good(void)
{
	static const uint8_t dsk1[16] = { 0xd4, 0x31, 0xbc, 0x1c, 0x33, 0x9f,
	    0x54, 0xc3, 0xd8, 0xf7, 0x85, 0x2d, 0x2b, 0x40, 0x70, 0x09 };
	struct zw_s2_qr	 r;
	char		 s[48];
	const char	*why;

	why = zw_s2_qr_parse(QR1, strlen(QR1), &r);
	CHECK(why == NULL, "zwave-js's SmartStart string: taken (%s)",
	    why ? why : "");
	CHECK(r.smartstart && r.keys == 0x87 && memcmp(r.dsk, dsk1, 16) == 0,
	    "version 1, keys 0x87, the DSK");
	zw_s2_dsk_str(r.dsk, s);
	CHECK(strcmp(s, "54321-48156-13215-21699-55543-34093-11072-28681") ==
	    0, "the DSK as zwave-js prints it");
	CHECK(r.generic == 64 && r.specific == 3 && r.icon == 1792 &&
	    r.manufacturer == 134 && r.product_type == 3 &&
	    r.product_id == 100 && r.app_version == 0x0105,
	    "product type and id as zwave-js read them");
	why = zw_s2_qr_parse(QR2, strlen(QR2), &r);
	CHECK(why == NULL && !r.smartstart && r.keys == 0x04 &&
	    r.dsk[14] == 0xff && r.dsk[15] == 0xff && r.dsk[1] == 1 &&
	    r.product_id == 100, "zwave-js's S2 string, its blocks in the "
	    "other order and a non-critical block: taken");
	CHECK(zw_s2_qr_parse("9001 50055 135 54321 48156 13215 21699 55543 "
	    "34093 11072 28681 0010 16387 01792 0220 00134 00003 00100 00261\n",
	    strlen(QR1) + 19, &r) == NULL && r.keys == 0x87,
	    "spaces and a newline (pasted): taken");
}

static void
test_bad(void)
{
	struct zw_s2_qr	r;
	char		b[ZW_QR_MAX + 8];

	CHECK(zw_s2_qr_parse(with(20, QR1[20] == '1' ? '2' : '1'),
	    strlen(QR1), &r) != NULL, "a mistyped DSK digit: wrong checksum");
	CHECK(zw_s2_qr_parse(with(0, '8'), strlen(QR1), &r) != NULL,
	    "not starting with 90: refused");
	CHECK(zw_s2_qr_parse(with(3, '2'), strlen(QR1), &r) != NULL,
	    "version 02: refused");
	CHECK(zw_s2_qr_parse(with(30, 'x'), strlen(QR1), &r) != NULL,
	    "a letter: refused");
	CHECK(zw_s2_qr_parse(QR1, 51, &r) != NULL, "51 digits: too short");
	CHECK(zw_s2_qr_parse(QR1, strlen(QR1) - 24, &r) != NULL,
	    "the last 24 digits cut (no Product ID): refused");
	CHECK(zw_s2_qr_parse(QR1, strlen(QR1) - 2, &r) != NULL,
	    "two digits cut off the end: refused");
	/* Checksums right (made as QR1), only the structure is wrong;
	 * zwave-js refuses both ("no valid QR code found"). */
	CHECK(zw_s2_qr_parse("9001108421355432148156132152169955543340931"
	    "107228681001016387017920220001340000300100002611103100", 97,
	    &r) != NULL, "an unknown critical block: refused");
	CHECK(zw_s2_qr_parse("9001002101359999948156132152169955543340931"
	    "10722868100101638701792022000134000030010000261", 90, &r) !=
	    NULL, "a DSK group past 65535: refused");
	memset(b, '0', sizeof(b));
	memcpy(b, QR1, strlen(QR1));
	CHECK(zw_s2_qr_parse(b, sizeof(b), &r) != NULL,
	    "more than ZW_QR_MAX digits: refused");
	CHECK(zw_s2_qr_parse("", 0, &r) != NULL, "empty: refused");
}

int
main(void)
{
	test_good();
	test_bad();
	return check_done();
}
