/*
 * hd-zwsim's SmartStart devices: S2 binary switches that are in no
 * network yet and announce themselves, and the stick's side of
 * SmartStart.
 *
 *	smartstart N KEYS	a device that will join as node N, asking for
 *				KEYS (hex, KEX bits: 01 Unauthenticated, 02
 *				Authenticated, 04 Access Control, 80 S0). Its
 *				Curve25519 key is made from N, so its DSK is
 *				the same each run; both are logged:
 *				"zwsim: smartstart N dsk D nwi H".
 *
 * While the host's AddNodeToNetwork mode 0x09 (SmartStart listen) is on,
 * each device not yet included announces itself every ZWSIM_SS_EVERY_MS
 * (ApplicationUpdate 0x85 with its NWI home id), in the order they were
 * made; mode 0x08 with a device's NWI home id adds it (the usual status
 * callbacks); any other add or remove ends listening, as a stick does.
 *
 * Once added, the device takes S2 bootstrapping as a joining node
 * (KEX Report, its public key with the PIN's bytes blanked for a PIN
 * class, the KEX Set echo under the temporary key, Network Key Get for
 * each granted class, S0's included, each verified under its key,
 * Transfer End), then Security 2 Commands Supported (Binary Switch) and
 * Binary Switch Set/Get, all under S2: slave/zwave/zw_s2_*.c's code on
 * the node's side (their known-answer and zwave-js tests keep it honest).
 * It ignores Binary Switch in clear.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "../../slave/zwave/zw.h"
#include "../../slave/zwave/zw_s2.h"
#include "zwsim.h"

#define ZWSIM_SS_MAX		4	/* SmartStart devices */
#define ZWSIM_SS_EVERY_MS	1000	/* an announcement this often */

struct ssdev {
	uint8_t		 id, requested, granted, remaining, current;
	int		 joined, done;
	uint8_t		 priv[32], pub[32];
	struct zw_s2	 s2;
	uint8_t		 pending[ZW_S2_MAX_CMD];	/* awaits a nonce */
	size_t		 npending;
	int		 then_grant;
	/* Its last frame, sent again once if the controller answers it
	 * with a Nonce Report SOS (it could not decrypt it: both ends
	 * stepped the SPAN at once), as the spec asks of a sender. */
	uint8_t		 last[ZW_S2_MAX_CMD];
	size_t		 nlast;
	uint64_t	 last_at;
	uint8_t		 on;
};

static struct ssdev	ss[ZWSIM_SS_MAX];
static int		nss, listening;
static uint64_t		next_ms;

static int
s2_rand(uint8_t *b, size_t n)
{
	return RAND_bytes(b, (int)n) == 1 ? 0 : -1;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct ssdev *
find(uint8_t id)
{
	int i;

	for (i = 0; i < nss; i++)
		if (ss[i].id == id && ss[i].joined)
			return &ss[i];
	return NULL;
}

/* --- the device: S2 as a joining node ---------------------------------- */

/* Send `cmd` S2-encapsulated, with a Nonce Get first when due; once it
 * went, the controller's grants in its transport become `grant` (>= 0). */
static void
send_then(struct ssdev *d, const uint8_t *cmd, size_t n, int grant)
{
	uint8_t			f[ZW_S2_MAX_FRAME];
	size_t			fn = 0;
	enum zw_s2_result	r;

	r = zw_s2_encap(&d->s2, ZWSIM_OWN_ID, cmd, n, 0, f, sizeof(f), &fn);
	if (r == ZW_S2_NEED_NONCE) {
		memcpy(d->pending, cmd, n);
		d->npending = n;
		d->then_grant = grant;
		if (zw_s2_nonce_get(&d->s2, ZWSIM_OWN_ID, f, sizeof(f),
		    &fn) == 0)
			zwsim_send(d->id, f, fn);
		return;
	}
	if (r != ZW_S2_OK) {
		fprintf(stderr, "zwsim: smartstart %d: cannot send: %s\n",
		    d->id, zw_s2_result_str(r));
		return;
	}
	if (grant >= 0)
		zw_s2_grant(&d->s2, ZWSIM_OWN_ID, (unsigned)grant);
	memcpy(d->last, cmd, n);
	d->nlast = n;
	d->last_at = now_ms();
	zwsim_send(d->id, f, fn);
}

static void
temp_key(struct ssdev *d, const uint8_t *ctrlpub)
{
	struct zw_s2_keys	t;
	uint8_t			secret[32], prk[16];

	if (zw_s2_x25519_shared(d->priv, ctrlpub, secret) == -1 ||
	    zw_s2_temp_extract(secret, ctrlpub, d->pub, prk) == -1 ||
	    zw_s2_temp_expand(prk, &t) == -1)
		return;
	zw_s2_set_keys(&d->s2, ZW_S2_TEMP, &t);
	zw_s2_grant(&d->s2, ZWSIM_OWN_ID, ZW_S2_GRANT(ZW_S2_TEMP));
}

/* The next key to ask for (S2's strongest first, S0's last), or the
 * final Transfer End. */
static void
key_get(struct ssdev *d)
{
	uint8_t	get[3] = { ZW_CC_SECURITY_2, ZW_S2_NETKEY_GET, 0 };
	int	c;

	for (c = ZW_S2_ACCESS; c >= 0; c--)
		if (d->remaining & ZW_S2_GRANT(c))
			break;
	if (c < 0 && (d->remaining & ZW_S2_KEY_S0)) {
		d->current = ZW_S2_S0KEY;
		get[2] = ZW_S2_KEY_S0;
		send_then(d, get, 3, -1);
		return;
	}
	if (c < 0) {
		get[1] = ZW_S2_TRANSFER_END;
		get[2] = ZW_S2_TE_COMPLETE;
		send_then(d, get, 3, d->granted & 0x07);
		d->done = 1;
		fprintf(stderr, "zwsim: smartstart %d: keys taken (0x%02x)\n",
		    d->id, d->granted);
		return;
	}
	d->current = (uint8_t)c;
	get[2] = (uint8_t)ZW_S2_GRANT(c);
	send_then(d, get, 3, -1);
}

/* A command from the controller (decapsulated if it came so; `secure`). */
static void
command(struct ssdev *d, const uint8_t *c, size_t n, int secure)
{
	uint8_t r[40];

	if (n < 2)
		return;
	switch (c[0] << 8 | c[1]) {
	case 0x9f04:				/* KEX Get */
		memcpy(r, (const uint8_t []){ ZW_CC_SECURITY_2,
		    ZW_S2_KEX_REPORT, 0, ZW_S2_KEX_SCHEME1,
		    ZW_S2_KEX_CURVE25519, d->requested }, 6);
		zwsim_send(d->id, r, 6);
		break;
	case 0x9f06:				/* KEX Set */
		if (n < 6 || secure)
			break;
		d->granted = c[5];
		r[0] = ZW_CC_SECURITY_2;
		r[1] = ZW_S2_PUBKEY_REPORT;
		r[2] = 0;
		memcpy(r + 3, d->pub, 32);
		if (d->granted & 0x06)
			r[3] = r[4] = 0;	/* the PIN's part */
		zwsim_send(d->id, r, 35);
		break;
	case 0x9f08:				/* the controller's key */
		if (n < 35)
			break;
		temp_key(d, c + 3);
		memcpy(r, (const uint8_t []){ ZW_CC_SECURITY_2,
		    ZW_S2_KEX_SET, ZW_S2_KEX_ECHO, ZW_S2_KEX_SCHEME1,
		    ZW_S2_KEX_CURVE25519, d->granted }, 6);
		send_then(d, r, 6, -1);
		break;
	case 0x9f05:				/* KEX Report echo */
		if (!secure)
			break;
		d->remaining = d->granted;
		key_get(d);
		break;
	case 0x9f0a:				/* Network Key Report */
		if (!secure || n < 19)
			break;
		zw_s2_set_key(&d->s2, (enum zw_s2_class)d->current, c + 3);
		zw_s2_grant(&d->s2, ZWSIM_OWN_ID, ZW_S2_GRANT(d->current));
		r[0] = ZW_CC_SECURITY_2;
		r[1] = ZW_S2_NETKEY_VERIFY;
		send_then(d, r, 2, ZW_S2_GRANT(ZW_S2_TEMP));
		break;
	case 0x9f0c:				/* Transfer End */
		if (!secure)
			break;
		d->remaining &= (uint8_t)~(d->current == ZW_S2_S0KEY ?
		    ZW_S2_KEY_S0 : ZW_S2_GRANT(d->current));
		key_get(d);
		break;
	case 0x9f07:
		fprintf(stderr, "zwsim: smartstart %d: KEX Fail 0x%02x\n",
		    d->id, n > 2 ? c[2] : 0);
		break;
	case 0x9f0d:				/* Commands Supported Get */
		memcpy(r, (const uint8_t []){ ZW_CC_SECURITY_2,
		    ZW_S2_CMDS_REPORT, 0x25 }, 3);
		send_then(d, r, 3, -1);
		break;
	case 0x2501:				/* Binary Switch Set */
		if (!secure) {
			fprintf(stderr, "zwsim: smartstart %d: Binary Switch "
			    "in clear ignored\n", d->id);
			break;
		}
		if (n >= 3)
			d->on = c[2] ? 0xff : 0x00;
		fprintf(stderr, "zwsim: smartstart %d: switched %s under "
		    "S2\n", d->id, d->on ? "on" : "off");
		break;
	case 0x2502:
		if (!secure)
			break;
		memcpy(r, (const uint8_t []){ 0x25, 0x03, d->on }, 3);
		send_then(d, r, 3, -1);
		break;
	default:
		break;
	}
}

/* What the controller sent the device (SendData): 1 if it was S2's or
 * Binary Switch (the rest, Version and the like, the common node code
 * answers). */
static int
radio(struct ssdev *d, const uint8_t *f, size_t n)
{
	uint8_t			in[ZW_S2_MAX_CMD], out[ZW_S2_MAX_FRAME];
	size_t			in_n = 0, on = 0;
	struct zw_s2_rx		rx;
	enum zw_s2_result	r;

	if (n < 2 || (f[0] != ZW_CC_SECURITY_2 && f[0] != 0x25))
		return 0;
	if (f[0] != ZW_CC_SECURITY_2) {
		command(d, f, n, 0);
		return 1;
	}
	switch (f[1]) {
	case ZW_S2_NONCE_GET:
		if (zw_s2_nonce_report(&d->s2, ZWSIM_OWN_ID, now_ms(), 0, out,
		    sizeof(out), &on) == ZW_S2_OK)
			zwsim_send(d->id, out, on);
		break;
	case ZW_S2_NONCE_REPORT:
		fprintf(stderr, "zwsim: smartstart %d: nonce report%s\n", d->id,
		    n > 2 && (f[3] & ZW_S2_NR_SOS) ? " SOS" : "");
		if (zw_s2_on_nonce_report(&d->s2, ZWSIM_OWN_ID, f, n) !=
		    ZW_S2_OK)
			break;
		if (d->npending > 0) {
			on = d->npending;
			d->npending = 0;
			send_then(d, d->pending, on, d->then_grant);
		} else if (d->nlast > 0 && n > 3 && (f[3] & ZW_S2_NR_SOS) &&
		    now_ms() - d->last_at < ZW_S2_SOS_RESEND_MS) {
			fprintf(stderr, "zwsim: smartstart %d: its last frame "
			    "sent again\n", d->id);
			on = d->nlast;
			d->nlast = 0;	/* once */
			send_then(d, d->last, on, -1);
		}
		break;
	case ZW_S2_MSG_ENCAP:
		r = zw_s2_decap(&d->s2, ZWSIM_OWN_ID, f, n, now_ms(), in,
		    sizeof(in), &in_n, &rx);
		if (r == ZW_S2_OK) {
			fprintf(stderr, "zwsim: smartstart %d: S2 %02x %02x "
			    "taken\n", d->id, in[0], in_n > 1 ? in[1] : 0);
			command(d, in, in_n, 1);
		}
		else if (r == ZW_S2_SOS && zw_s2_nonce_report(&d->s2,
		    ZWSIM_OWN_ID, now_ms(), 0, out, sizeof(out), &on) ==
		    ZW_S2_OK) {
			fprintf(stderr, "zwsim: smartstart %d: S2 frame not "
			    "decrypted (%s extension): a new nonce sent\n",
			    d->id, n > 4 && (f[3] & ZW_S2_F_EXT) ? "with an" :
			    "no");
			zwsim_send(d->id, out, on);
		}
		else
			fprintf(stderr, "zwsim: smartstart %d: S2 frame "
			    "dropped: %s\n", d->id, zw_s2_result_str(r));
		break;
	default:
		command(d, f, n, 0);
	}
	return 1;
}

int
zwsim_s2_command(uint8_t node, const uint8_t *c, size_t n)
{
	struct ssdev *d = find(node);

	return d != NULL && radio(d, c, n);
}

/* --- the stick's side ------------------------------------------------- */

int
zwsim_ss_mode(uint8_t mode, const uint8_t *p, size_t n)
{
	uint8_t	nwi[4];
	int	i;

	if (mode == ZW_INCL_MODE_SS_LISTEN) {
		listening = 1;
		next_ms = now_ms();
		fprintf(stderr, "zwsim: smartstart: listening\n");
		return 1;
	}
	if (listening)
		fprintf(stderr, "zwsim: smartstart: listening ends\n");
	listening = 0;
	if (mode != ZW_INCL_MODE_HOMEID || n < 10)
		return 0;
	fprintf(stderr, "zwsim: smartstart: include home id "
	    "%02x%02x%02x%02x\n", p[2], p[3], p[4], p[5]);
	for (i = 0; i < nss; i++) {
		zw_ss_nwi(ss[i].pub, nwi);
		if (!ss[i].joined && memcmp(nwi, p + 2, 4) == 0 &&
		    zwsim_find(ss[i].id) == NULL) {
			memset(&zwsim_joiner, 0, sizeof(zwsim_joiner));
			zwsim_joiner.id = ss[i].id;
			zwsim_joiner.generic = 0x10;
			zwsim_joiner.specific = 0x01;
			memcpy(zwsim_joiner.cc, (const uint8_t []){ 0x5e, 0x9f,
			    0x86 }, 3);
			zw_s2_init(&ss[i].s2, ss[i].id, ZWSIM_HOME_ID, s2_rand);
			ss[i].joined = 1;
		}
	}
	return 0;
}

/* Announcements while listening: the poll timeout until the next. */
int
zwsim_ss_tick(void)
{
	uint8_t		pl[13] = { ZW_UPDATE_SS_HOMEID, 0, 0, 0, 0, 0, 0, 5,
	    0x04, 0x10, 0x01, 0x5e, 0x9f };
	uint64_t	now = now_ms();
	int		i;

	if (!listening || nss == 0)
		return -1;
	if (now < next_ms)
		return (int)(next_ms - now);
	next_ms = now + ZWSIM_SS_EVERY_MS;
	/* The host's AddNode by home id ends listening: the rest wait. */
	for (i = 0; i < nss && listening; i++) {
		if (ss[i].joined)
			continue;
		zw_ss_nwi(ss[i].pub, pl + 3);
		fprintf(stderr, "zwsim: smartstart %d announces (nwi "
		    "%02x%02x%02x%02x)\n", ss[i].id, pl[3], pl[4], pl[5],
		    pl[6]);
		zwsim_update(pl, sizeof(pl));
	}
	return ZWSIM_SS_EVERY_MS;
}

/* smartstart N KEYS */
int
zwsim_s2_control(const char *line)
{
	struct ssdev	*d;
	unsigned	 id, keys;
	uint8_t		 nwi[4];
	char		 dsk[48];
	int		 i;

	if (sscanf(line, "smartstart %u %x", &id, &keys) != 2 || id < 2 ||
	    id > ZW_MAX_NODES || keys > 0xff || nss == ZWSIM_SS_MAX)
		return 0;
	d = &ss[nss++];
	memset(d, 0, sizeof(*d));
	d->id = (uint8_t)id;
	d->requested = (uint8_t)keys;
	for (i = 0; i < 32; i++)	/* its key, the same each run */
		d->priv[i] = (uint8_t)(0x40 + 7 * i + id);
	zw_s2_x25519_public(d->priv, d->pub);
	zw_s2_dsk_str(d->pub, dsk);
	zw_ss_nwi(d->pub, nwi);
	fprintf(stderr, "zwsim: smartstart %u dsk %s nwi %02x%02x%02x%02x\n",
	    id, dsk, nwi[0], nwi[1], nwi[2], nwi[3]);
	return 1;
}
