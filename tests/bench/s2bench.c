/*
 * make bench, S2 part (tests/bench/s2.sh runs it): what Security 2 costs
 * the slave per frame on this machine, beside S0, and what it adds to the
 * slave's memory. Two ends in one process (controller node 1, device node
 * 6) on an established SPAN; each figure is the mean over BENCH_S2_FRAMES
 * (20000) frames. Figures only, no pass/fail.
 */

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zwave/zw_s2.h"
#include "zwave/zw_sec.h"

static uint8_t	rnd = 1;
static int
rand_count(uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = rnd++;
	return 0;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static struct zw_s2	a, b;

static void
pair(void)
{
	uint8_t	k[16], f[64];
	size_t	n;
	int	c;

	zw_s2_init(&a, 1, 0xc0ffee01u, rand_count);
	zw_s2_init(&b, 6, 0xc0ffee01u, rand_count);
	for (c = 0; c < 3; c++) {
		memset(k, 0x11 * (c + 1), sizeof(k));
		zw_s2_set_key(&a, (enum zw_s2_class)c, k);
		zw_s2_set_key(&b, (enum zw_s2_class)c, k);
	}
	zw_s2_grant(&a, 6, ZW_S2_GRANT(ZW_S2_ACCESS));
	zw_s2_grant(&b, 1, ZW_S2_GRANT(ZW_S2_ACCESS));
	zw_s2_nonce_report(&b, 1, 0, 0, f, sizeof(f), &n);
	zw_s2_on_nonce_report(&a, 6, f, n);
}

/* Mean µs to encapsulate, then to decapsulate, a command of n bytes. */
static void
s2_frames(int frames, size_t cmdn, double *enc, double *dec)
{
	uint8_t		 cmd[ZW_S2_MAX_CMD], f[ZW_S2_MAX_FRAME], out[64];
	static uint8_t	 buf[20000][ZW_S2_MAX_FRAME];
	static size_t	 len[20000];
	size_t		 n;
	struct zw_s2_rx	 rx;
	double		 t;
	int		 i, bad = 0;

	memset(cmd, 0x62, sizeof(cmd));
	pair();
	t = now_us();
	for (i = 0; i < frames; i++)
		bad |= zw_s2_encap(&a, 6, cmd, cmdn, 0, buf[i], sizeof(f),
		    &len[i]) != ZW_S2_OK;
	*enc = (now_us() - t) / frames;
	t = now_us();
	for (i = 0; i < frames; i++)
		bad |= zw_s2_decap(&b, 1, buf[i], len[i], 0, out, sizeof(out),
		    &n, &rx) != ZW_S2_OK;
	*dec = (now_us() - t) / frames;
	if (bad)
		fprintf(stderr, "s2bench: a frame failed\n");
}

static void
s0_frames(int frames, size_t cmdn, double *enc, double *dec)
{
	static struct zw_s0	 s;
	uint8_t			 key[16] = { 1 }, cmd[ZW_S0_MAX_CMD];
	uint8_t			 f[64], out[64], iv[8] = { 2 }, rn[8];
	size_t			 n, fn;
	double			 t, te = 0, td = 0;
	int			 i, bad = 0;

	memset(cmd, 0x62, sizeof(cmd));
	zw_s0_init(&s, key);
	for (i = 0; i < frames; i++) {
		zw_s0_nonce_new(&s, 6, 0, rn, rand_count);	/* ours, for 6 */
		t = now_us();
		zw_s0_encap(&s, 6, 1, iv, rn, ZW_S0_ENCAP, cmd, cmdn, f,
		    sizeof(f), &fn);
		te += now_us() - t;
		t = now_us();
		bad |= zw_s0_decap(&s, 6, 1, f, fn, 0, out, sizeof(out), &n) !=
		    ZW_SEC_OK;
		td += now_us() - t;
	}
	if (bad)
		fprintf(stderr, "s2bench: an S0 frame failed\n");
	*enc = te / frames;
	*dec = td / frames;
}

/* A SPAN made: Nonce Report, the first frame with its SPAN extension. */
static double
span_setup(int rounds)
{
	uint8_t		 f[ZW_S2_MAX_FRAME], out[64], cmd[3] = { 0x62, 1, 0 };
	size_t		 n;
	struct zw_s2_rx	 rx;
	double		 t = now_us();
	int		 i;

	for (i = 0; i < rounds; i++) {
		zw_s2_nonce_report(&b, 1, 0, 0, f, sizeof(f), &n);
		zw_s2_on_nonce_report(&a, 6, f, n);
		zw_s2_encap(&a, 6, cmd, 3, 0, f, sizeof(f), &n);
		zw_s2_decap(&b, 1, f, n, 0, out, sizeof(out), &n, &rx);
	}
	return (now_us() - t) / rounds;
}

static double
ecdh(int rounds)
{
	uint8_t	priv[32], pub[32], s[32];
	double	t = now_us();
	int	i;

	memset(priv, 7, sizeof(priv));
	zw_s2_x25519_public(priv, pub);
	for (i = 0; i < rounds; i++)
		zw_s2_x25519_shared(priv, pub, s);
	return (now_us() - t) / rounds;
}

int
main(void)
{
	const char	*e = getenv("BENCH_S2_FRAMES");
	int		 frames = e != NULL ? atoi(e) : 20000;
	double		 e2, d2, e0, d0, e2l, d2l;
	size_t		 heap0, heap1;

	if (frames < 100 || frames > 20000)
		frames = 20000;
	/* A first round warms OpenSSL's caches (its algorithm fetches stay
	 * for the process); the heap is compared around the second. */
	s2_frames(frames, 3, &e2, &d2);
	heap0 = mallinfo2().uordblks;
	s2_frames(frames, 3, &e2, &d2);
	s2_frames(frames, 40, &e2l, &d2l);
	heap1 = mallinfo2().uordblks;
	s0_frames(frames, 3, &e0, &d0);
	printf("S2 encapsulation, 3-byte command:   %6.2f us/frame\n", e2);
	printf("S2 decapsulation, 3-byte command:   %6.2f us/frame\n", d2);
	printf("S2 encapsulation, 40-byte command:  %6.2f us/frame\n", e2l);
	printf("S2 decapsulation, 40-byte command:  %6.2f us/frame\n", d2l);
	printf("S0 encapsulation, 3-byte command:   %6.2f us/frame\n", e0);
	printf("S0 decapsulation, 3-byte command:   %6.2f us/frame\n", d0);
	printf("ratio S2/S0 encapsulation: %.2f, decapsulation: %.2f\n",
	    e2 / e0, d2 / d0);
	printf("SPAN set-up (Nonce Report, SPAN extension, both ends): "
	    "%.1f us\n", span_setup(frames / 20));
	printf("X25519 shared secret (bootstrapping): %.1f us\n", ecdh(200));
	printf("S2 state in the slave: %zu bytes (struct zw_s2: keys of 4 "
	    "classes, %d peers of %zu bytes), allocated once\n",
	    sizeof(struct zw_s2), ZW_S2_PEERS, sizeof(struct zw_s2_peer));
	printf("heap growth over %d more frames each way: %zd bytes "
	    "(OpenSSL contexts are per call, none kept)\n", 2 * frames,
	    (ssize_t)heap1 - (ssize_t)heap0);
	return 0;
}
