/*
 * S2's transport frames: Nonce Get, Nonce Report (SOS: the receiver's EI),
 * Message Encapsulation with its extensions, encoded and decoded.
 *
 *   9F 03 seq flags [clear extensions] ciphertext(encrypted extensions,
 *   command) tag(8)
 *
 * authenticated with the additional data sender | receiver (or multicast
 * group) | home id (4, big-endian) | frame length (2, big-endian) | seq |
 * flags | clear extensions. An extension is length, a byte of "more
 * follow", "critical" and type, then its payload; an unknown critical
 * one, a known one of the wrong length or in the wrong part (the MPAN in
 * clear, a SPAN encrypted) condemn the whole frame.
 *
 * A SPAN is made when a frame carrying the sender's EI meets the EI we
 * handed out in our Nonce Report; every frame either way steps it. A
 * frame is tried against ZW_S2_SPAN_TRIES nonces (frames lost in between
 * stepped the sender's copy); failing all, the receiver answers SOS.
 */

#include <string.h>

#include <openssl/crypto.h>

#include "zwave/zw_s2.h"

/* Addresses, home id, length, then the frame's clear part: an unknown
 * extension may be as long as the frame allows (the fuzzer's first find:
 * sized by the known extensions, this overflowed). */
#define AAD_MAX		(8 + ZW_S2_MAX_FRAME)

/* What the extensions of one frame said. */
struct ext_info {
	const uint8_t	*sei;		/* SPAN: the sender's EI */
	int		 mgrp;		/* -1 or the group */
	int		 mos;
	int		 mpan_group;	/* -1 or the group of an MPAN */
	const uint8_t	*mpan;		/* its inner state */
};

static const uint8_t ext_len[] = {
	[ZW_S2_X_SPAN] = ZW_S2_X_SPAN_LEN, [ZW_S2_X_MPAN] = ZW_S2_X_MPAN_LEN,
	[ZW_S2_X_MGRP] = ZW_S2_X_MGRP_LEN, [ZW_S2_X_MOS] = ZW_S2_X_MOS_LEN,
};

/* Take one known extension into *x: -1 if misplaced or repeated. */
static int
ext_take(uint8_t type, const uint8_t *pl, int encrypted, struct ext_info *x)
{
	if ((type == ZW_S2_X_MPAN) != (encrypted != 0))
		return -1;
	switch (type) {
	case ZW_S2_X_SPAN:
		if (x->sei != NULL)
			return -1;
		x->sei = pl;
		break;
	case ZW_S2_X_MPAN:
		if (x->mpan != NULL)
			return -1;
		x->mpan_group = pl[0];
		x->mpan = pl + 1;
		break;
	case ZW_S2_X_MGRP:
		if (x->mgrp != -1)
			return -1;
		x->mgrp = pl[0];
		break;
	default:	/* ZW_S2_X_MOS */
		x->mos = 1;
		break;
	}
	return 0;
}

/*
 * Parse the extensions at b[*off] up to b[end]: *off moves past them.
 * -1 if the frame must be dropped; unknown non-critical ones are skipped.
 */
static int
ext_parse(const uint8_t *b, size_t *off, size_t end, int encrypted,
    struct ext_info *x)
{
	uint8_t	l, hdr, type;
	int	i;

	for (i = 0; i < ZW_S2_MAX_EXT; i++) {
		if (end - *off < 2)
			return -1;
		l = b[*off];
		hdr = b[*off + 1];
		type = hdr & ZW_S2_X_TYPE;
		if (l < 2 || l > end - *off)
			return -1;
		if (type < sizeof(ext_len) && ext_len[type] != 0) {
			if (l != ext_len[type] ||
			    ext_take(type, b + *off + 2, encrypted, x) == -1)
				return -1;
		} else if (hdr & ZW_S2_X_CRITICAL)
			return -1;
		*off += l;
		if (!(hdr & ZW_S2_X_MORE))
			return 0;
	}
	return -1;	/* more than ZW_S2_MAX_EXT */
}

static size_t
aad_make(uint8_t *aad, uint8_t src, uint8_t dst, uint32_t home_id,
    size_t framelen, const uint8_t *clear, size_t clearn)
{
	aad[0] = src;
	aad[1] = dst;
	aad[2] = (uint8_t)(home_id >> 24);
	aad[3] = (uint8_t)(home_id >> 16);
	aad[4] = (uint8_t)(home_id >> 8);
	aad[5] = (uint8_t)home_id;
	aad[6] = (uint8_t)(framelen >> 8);
	aad[7] = (uint8_t)framelen;
	memcpy(aad + 8, clear, clearn);
	return 8 + clearn;
}

int
zw_s2_nonce_get(struct zw_s2 *s, uint8_t node, uint8_t *out, size_t outlen,
    size_t *outn)
{
	struct zw_s2_peer *p;

	if ((p = zw_s2_peer(s, node)) == NULL || outlen < 3)
		return -1;
	out[0] = ZW_CC_SECURITY_2;
	out[1] = ZW_S2_NONCE_GET;
	out[2] = p->seq_tx++;
	*outn = 3;
	return 0;
}

enum zw_s2_result
zw_s2_nonce_report(struct zw_s2 *s, uint8_t node, uint64_t now, int mos,
    uint8_t *out, size_t outlen, size_t *outn)
{
	struct zw_s2_peer *p;

	if ((p = zw_s2_peer(s, node)) == NULL)
		return ZW_S2_NOT_GRANTED;
	if (outlen < 4 + ZW_S2_EI_LEN)
		return ZW_S2_NO_ROOM;
	zw_s2_span_reset(p);
	if (s->rand == NULL || s->rand(p->ei, ZW_S2_EI_LEN) == -1)
		return ZW_S2_CRYPTO;
	p->span_state = ZW_S2_SPAN_LOCAL_EI;
	p->ei_expires = now + ZW_S2_EI_TTL_MS;
	out[0] = ZW_CC_SECURITY_2;
	out[1] = ZW_S2_NONCE_REPORT;
	out[2] = p->seq_tx++;
	out[3] = ZW_S2_NR_SOS | (mos ? ZW_S2_NR_MOS : 0);
	memcpy(out + 4, p->ei, ZW_S2_EI_LEN);
	*outn = 4 + ZW_S2_EI_LEN;
	return ZW_S2_OK;
}

enum zw_s2_result
zw_s2_on_nonce_report(struct zw_s2 *s, uint8_t node, const uint8_t *frame,
    size_t len)
{
	struct zw_s2_peer	*p;
	int			 sos;

	if (len < 4 || frame[0] != ZW_CC_SECURITY_2 ||
	    frame[1] != ZW_S2_NONCE_REPORT)
		return ZW_S2_MALFORMED;
	sos = (frame[3] & ZW_S2_NR_SOS) != 0;
	if (len != (sos ? 4 + ZW_S2_EI_LEN : 4))
		return ZW_S2_MALFORMED;
	if ((p = zw_s2_peer(s, node)) == NULL)
		return ZW_S2_NOT_GRANTED;
	if (frame[3] & ZW_S2_NR_MOS)
		p->mos = 1;
	if (sos) {
		zw_s2_span_reset(p);
		memcpy(p->ei, frame + 4, ZW_S2_EI_LEN);
		p->span_state = ZW_S2_SPAN_REMOTE_EI;
	}
	return ZW_S2_OK;
}

/* The SPAN to send under, made now from the peer's REI if need be: 0 as
 * it was, 1 made (the SPAN extension carries sei), -1 with *err set. */
static int
encap_span(struct zw_s2 *s, struct zw_s2_peer *p, int cls, uint8_t *sei,
    enum zw_s2_result *err)
{
	if (p->span_state == ZW_S2_SPAN_ESTABLISHED &&
	    (int)p->span_class == cls)
		return 0;
	*err = ZW_S2_NEED_NONCE;
	if (p->span_state != ZW_S2_SPAN_REMOTE_EI)
		return -1;
	*err = ZW_S2_CRYPTO;
	if (s->rand == NULL || s->rand(sei, ZW_S2_EI_LEN) == -1 ||
	    zw_s2_span_seed(&p->span, sei, p->ei, s->keys[cls].ps) == -1)
		return -1;
	OPENSSL_cleanse(p->ei, sizeof(p->ei));
	p->span_state = ZW_S2_SPAN_ESTABLISHED;
	p->span_class = (enum zw_s2_class)cls;
	return 1;
}

/* 9F 03 seq flags and the clear extensions (SPAN if made, MOS): their
 * length. */
static size_t
encap_head(uint8_t *out, uint8_t seq, const uint8_t *sei, int mos)
{
	size_t off = ZW_S2_ENCAP_HDR;

	out[0] = ZW_CC_SECURITY_2;
	out[1] = ZW_S2_MSG_ENCAP;
	out[2] = seq;
	out[3] = (sei != NULL || mos) ? ZW_S2_F_EXT : 0;
	if (sei != NULL) {
		out[off] = ZW_S2_X_SPAN_LEN;
		out[off + 1] = ZW_S2_X_CRITICAL | ZW_S2_X_SPAN |
		    (mos ? ZW_S2_X_MORE : 0);
		memcpy(out + off + 2, sei, ZW_S2_EI_LEN);
		off += ZW_S2_X_SPAN_LEN;
	}
	if (mos) {
		out[off] = ZW_S2_X_MOS_LEN;
		out[off + 1] = ZW_S2_X_MOS;
		off += ZW_S2_X_MOS_LEN;
	}
	return off;
}

enum zw_s2_result
zw_s2_encap(struct zw_s2 *s, uint8_t node, const uint8_t *cmd, size_t n,
    int mos, uint8_t *out, size_t outlen, size_t *outn)
{
	struct zw_s2_peer	*p;
	uint8_t			 sei[ZW_S2_EI_LEN], nonce[ZW_S2_NONCE_LEN];
	uint8_t			 aad[AAD_MAX];
	size_t			 off, total, aadn;
	enum zw_s2_result	 err = ZW_S2_OK;
	int			 cls, made;

	if ((p = zw_s2_peer(s, node)) == NULL ||
	    (cls = zw_s2_highest(p->granted)) == -1)
		return ZW_S2_NOT_GRANTED;
	if (!(s->have & ZW_S2_GRANT(cls)))
		return ZW_S2_NO_KEY;
	total = ZW_S2_ENCAP_MIN + ZW_S2_X_SPAN_LEN + ZW_S2_X_MOS_LEN + n;
	if (n > ZW_S2_MAX_CMD || total > outlen)
		return ZW_S2_NO_ROOM;
	if ((made = encap_span(s, p, cls, sei, &err)) == -1)
		return err;
	off = encap_head(out, p->seq_tx++, made ? sei : NULL, mos);
	OPENSSL_cleanse(sei, sizeof(sei));
	total = off + n + ZW_S2_TAG_LEN;
	aadn = aad_make(aad, s->own, node, s->home_id, total, out + 2, off - 2);
	if (zw_s2_span_next(&p->span, nonce) == -1 ||
	    zw_s2_ccm_seal(s->keys[cls].ccm, nonce, aad, aadn, cmd, n,
	    out + off, out + off + n) == -1) {
		zw_s2_span_reset(p);
		return ZW_S2_CRYPTO;
	}
	memcpy(p->tx_nonce, nonce, sizeof(p->tx_nonce));
	p->tx_nonce_ok = 1;
	*outn = total;
	return ZW_S2_OK;
}

/* The parts of an encapsulation, checked before any key is tried. */
struct frame {
	uint8_t		 seq;
	uint8_t		 flags;
	size_t		 clear_end;	/* where the ciphertext starts */
	size_t		 ctn;
	struct ext_info	 x;
};

static enum zw_s2_result
frame_parse(const uint8_t *b, size_t len, struct frame *f)
{
	memset(f, 0, sizeof(*f));
	f->x.mgrp = f->x.mpan_group = -1;
	if (len < ZW_S2_ENCAP_MIN || len > ZW_S2_MAX_FRAME ||
	    b[0] != ZW_CC_SECURITY_2 || b[1] != ZW_S2_MSG_ENCAP)
		return ZW_S2_MALFORMED;
	f->seq = b[2];
	f->flags = b[3];
	f->clear_end = ZW_S2_ENCAP_HDR;
	if ((f->flags & ZW_S2_F_EXT) && ext_parse(b, &f->clear_end,
	    len - ZW_S2_TAG_LEN, 0, &f->x) == -1)
		return ZW_S2_MALFORMED;
	f->ctn = len - ZW_S2_TAG_LEN - f->clear_end;
	return ZW_S2_OK;
}

/*
 * The plaintext's encrypted extensions, then the command into out. An
 * MPAN given to us is kept for its group.
 */
static enum zw_s2_result
plain_take(struct zw_s2_peer *p, const struct frame *f, const uint8_t *pt,
    uint8_t *out, size_t outlen, size_t *outn, struct zw_s2_rx *rx)
{
	struct ext_info	 x = { .mgrp = -1, .mpan_group = -1 };
	struct zw_s2_mpan *m;
	size_t		 off = 0;

	if ((f->flags & ZW_S2_F_EEXT) &&
	    ext_parse(pt, &off, f->ctn, 1, &x) == -1)
		return ZW_S2_MALFORMED;
	if (f->ctn - off > outlen || f->ctn - off > ZW_S2_MAX_CMD)
		return ZW_S2_NO_ROOM;
	if (x.mpan != NULL && (m = zw_s2_mpan_find(p, (uint8_t)x.mpan_group,
	    1)) != NULL) {
		memcpy(m->inner, x.mpan, ZW_S2_MPAN_LEN);
		m->state = 1;
	}
	memcpy(out, pt + off, f->ctn - off);
	*outn = f->ctn - off;
	rx->mgrp = f->x.mgrp;
	rx->mos = f->x.mos;
	rx->mpan_group = x.mpan_group;
	return ZW_S2_OK;
}

/*
 * Try the SPAN against ZW_S2_SPAN_TRIES nonces; it keeps the step that
 * opened the frame. Else the nonce of our own last frame, once: both
 * ends sent at the same time, each with the SPAN's next nonce, so the
 * peer's frame was sealed with the one we used (the SPAN stays where
 * it is: both ends have taken that nonce). A reflected frame of ours
 * does not open (the AAD names sender and receiver), and a copy of the
 * peer's is a duplicate by its sequence number.
 */
static int
open_span(struct zw_s2 *s, struct zw_s2_peer *p, const uint8_t *ct,
    size_t ctn, const uint8_t *aad, size_t aadn, uint8_t *pt)
{
	struct zw_s2_drbg	d = p->span;
	uint8_t			nonce[ZW_S2_NONCE_LEN];
	int			i, r = -1;

	for (i = 0; i < ZW_S2_SPAN_TRIES && r == -1; i++) {
		if (zw_s2_span_next(&d, nonce) == -1)
			break;
		r = zw_s2_ccm_open(s->keys[p->span_class].ccm, nonce, aad,
		    aadn, ct, ctn, ct + ctn, pt);
	}
	if (r == 0)
		p->span = d;
	else if (p->tx_nonce_ok)
		r = zw_s2_ccm_open(s->keys[p->span_class].ccm, p->tx_nonce,
		    aad, aadn, ct, ctn, ct + ctn, pt);
	if (r == 0) {
		OPENSSL_cleanse(p->tx_nonce, sizeof(p->tx_nonce));
		p->tx_nonce_ok = 0;
	}
	zw_s2_drbg_clear(&d);
	return r;
}

/* A frame with the sender's EI: a SPAN from it and our REI, under each
 * granted class in turn (the strongest first); -1 when none opens it. */
static int
open_new_span(struct zw_s2 *s, struct zw_s2_peer *p, const uint8_t *sei,
    const uint8_t *ct, size_t ctn, const uint8_t *aad, size_t aadn,
    uint8_t *pt)
{
	struct zw_s2_drbg	d;
	uint8_t			nonce[ZW_S2_NONCE_LEN];
	int			c;

	for (c = ZW_S2_NCLASSES - 1; c >= 0; c--) {
		if (!(p->granted & s->have & ZW_S2_GRANT(c)) ||
		    zw_s2_span_seed(&d, sei, p->ei, s->keys[c].ps) == -1 ||
		    zw_s2_span_next(&d, nonce) == -1)
			continue;
		if (zw_s2_ccm_open(s->keys[c].ccm, nonce, aad, aadn, ct, ctn,
		    ct + ctn, pt) == 0) {
			p->span = d;
			p->span_class = (enum zw_s2_class)c;
			zw_s2_drbg_clear(&d);
			return c;
		}
	}
	zw_s2_drbg_clear(&d);
	return -1;
}

/*
 * Decrypt a singlecast frame into pt: with a SPAN extension, a new SPAN
 * from it and the REI we handed out (if still live); else the SPAN as it
 * stands. -1 (the SPAN gone: SOS is due) if neither opens it.
 */
static int
decap_open(struct zw_s2 *s, struct zw_s2_peer *p, const struct frame *f,
    const uint8_t *frame, const uint8_t *aad, size_t aadn, uint64_t now,
    uint8_t *pt)
{
	const uint8_t	*ct = frame + f->clear_end;

	if (f->x.sei != NULL) {
		if (p->span_state != ZW_S2_SPAN_LOCAL_EI ||
		    now >= p->ei_expires ||
		    open_new_span(s, p, f->x.sei, ct, f->ctn, aad, aadn,
		    pt) == -1) {
			zw_s2_span_reset(p);
			return -1;
		}
		OPENSSL_cleanse(p->ei, sizeof(p->ei));
		p->span_state = ZW_S2_SPAN_ESTABLISHED;
	} else if (p->span_state != ZW_S2_SPAN_ESTABLISHED ||
	    open_span(s, p, ct, f->ctn, aad, aadn, pt) == -1) {
		zw_s2_span_reset(p);
		return -1;
	}
	return 0;
}

enum zw_s2_result
zw_s2_decap(struct zw_s2 *s, uint8_t src, const uint8_t *frame, size_t len,
    uint64_t now, uint8_t *out, size_t outlen, size_t *outn,
    struct zw_s2_rx *rx)
{
	struct zw_s2_peer	*p;
	struct frame		 f;
	uint8_t			 aad[AAD_MAX], pt[ZW_S2_MAX_FRAME];
	size_t			 aadn;
	int			 fresh;
	enum zw_s2_result	 r;

	if ((r = frame_parse(frame, len, &f)) != ZW_S2_OK)
		return r;
	if ((p = zw_s2_peer(s, src)) == NULL ||
	    zw_s2_highest(p->granted) == -1)
		return ZW_S2_NOT_GRANTED;
	/*
	 * A frame that makes a new SPAN with the REI we just handed out is
	 * no replay (an old frame cannot open under a fresh REI): a peer that
	 * restarted may reuse a number we remember, and is heard. Once the
	 * SPAN is made, a copy of that frame is a duplicate again.
	 */
	fresh = f.x.sei != NULL && p->span_state == ZW_S2_SPAN_LOCAL_EI;
	if (!fresh && zw_s2_seq_seen(p, f.seq))
		return ZW_S2_DUPLICATE;
	aadn = aad_make(aad, src, s->own, s->home_id, len, frame + 2,
	    f.clear_end - 2);
	if (decap_open(s, p, &f, frame, aad, aadn, now, pt) == -1)
		return ZW_S2_SOS;
	if (fresh)
		p->nseq = 0;		/* its numbers start anew */
	zw_s2_seq_take(p, f.seq);
	rx->cls = p->span_class;
	/* Authentic, but a key below the node's best: a downgrade. */
	if ((int)p->span_class != zw_s2_highest(p->granted)) {
		zw_s2_span_reset(p);
		r = ZW_S2_LOWER_CLASS;
	} else
		r = plain_take(p, &f, pt, out, outlen, outn, rx);
	OPENSSL_cleanse(pt, sizeof(pt));
	return r;
}

enum zw_s2_result
zw_s2_decap_multicast(struct zw_s2 *s, uint8_t src, const uint8_t *frame,
    size_t len, uint8_t *out, size_t outlen, size_t *outn,
    struct zw_s2_rx *rx)
{
	struct zw_s2_peer	*p;
	struct zw_s2_mpan	*m;
	struct frame		 f;
	uint8_t			 aad[AAD_MAX], pt[ZW_S2_MAX_FRAME], nonce[16];
	uint8_t			 inner[ZW_S2_MPAN_LEN];
	size_t			 aadn;
	enum zw_s2_result	 r = ZW_S2_SOS;
	int			 cls, i;

	if ((r = frame_parse(frame, len, &f)) != ZW_S2_OK || f.x.mgrp == -1 ||
	    f.x.sei != NULL)
		return ZW_S2_MALFORMED;
	if ((p = zw_s2_peer(s, src)) == NULL ||
	    (cls = zw_s2_highest(p->granted)) == -1 || cls == ZW_S2_TEMP ||
	    cls == ZW_S2_S0KEY)
		return ZW_S2_NOT_GRANTED;
	if ((m = zw_s2_mpan_find(p, (uint8_t)f.x.mgrp, 1)) == NULL ||
	    m->state != 1) {
		if (m != NULL)
			m->state = -1;
		return ZW_S2_NEED_NONCE;
	}
	aadn = aad_make(aad, src, (uint8_t)f.x.mgrp, s->home_id, len,
	    frame + 2, f.clear_end - 2);
	memcpy(inner, m->inner, sizeof(inner));
	r = ZW_S2_SOS;
	for (i = 0; i < ZW_S2_SPAN_TRIES && r == ZW_S2_SOS; i++) {
		if (zw_s2_aes(s->keys[cls].mpan, inner, nonce) == -1)
			return ZW_S2_CRYPTO;
		zw_s2_mpan_step(inner);
		if (zw_s2_ccm_open(s->keys[cls].ccm, nonce, aad, aadn,
		    frame + f.clear_end, f.ctn, frame + len - ZW_S2_TAG_LEN,
		    pt) == 0)
			r = ZW_S2_OK;
	}
	if (r != ZW_S2_OK) {
		m->state = -1;		/* MOS to it next time */
		return ZW_S2_NEED_NONCE;
	}
	memcpy(m->inner, inner, sizeof(inner));
	rx->cls = (enum zw_s2_class)cls;
	r = plain_take(p, &f, pt, out, outlen, outn, rx);
	OPENSSL_cleanse(pt, sizeof(pt));
	return r;
}

const char *
zw_s2_result_str(enum zw_s2_result r)
{
	switch (r) {
	case ZW_S2_OK:		return "ok";
	case ZW_S2_MALFORMED:	return "malformed";
	case ZW_S2_DUPLICATE:	return "duplicate sequence number";
	case ZW_S2_NEED_NONCE:	return "no nonce: a Nonce Get is due";
	case ZW_S2_SOS:		return "cannot decrypt: SPAN out of sync";
	case ZW_S2_LOWER_CLASS:	return "under a class below the node's "
				    "highest granted";
	case ZW_S2_NOT_GRANTED:	return "no S2 class granted";
	case ZW_S2_NO_KEY:	return "no key for the class";
	case ZW_S2_NO_ROOM:	return "too long";
	case ZW_S2_CRYPTO:	return "crypto failure";
	}
	return "?";
}
