/*
 * Unit tests for master/licence/licence_grace.c and the installation CA checks of
 * licence_new(): the grace period without a licence is kept per CA key
 * in <state-dir>/licence.grace, so re-signing the CA with the same key
 * and a fresh date does not restart it; a CA not yet valid is refused;
 * files the operator names that are FIFOs fail at once. The CA
 * certificates are made here with fixed dates relative to now.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "atomicfile.h"
#include "check.h"
#include "../../master/licence/licence.h"

#define DAY		((int64_t)LICENCE_DAY_S)
#define ALARM_S		10	/* a blocking open fails the run, not hangs it */

static char	tmpdir[256];
static int64_t	now0;

static const char *
T(const char *name)
{
	static char	ring[8][512];
	static int	next;
	char		*p = ring[next++ % 8];

	snprintf(p, sizeof(ring[0]), "%.255s/%.200s", tmpdir, name);
	return p;
}

/* A self-signed CA certificate for `k`, valid from `nb` for 10 years. */
static int
mk_ca(EVP_PKEY *k, int64_t nb, const char *path)
{
	X509		*x;
	X509_NAME	*n;
	FILE		*f;
	int		 r = -1;

	if ((x = X509_new()) == NULL)
		return -1;
	n = X509_get_subject_name(x);
	if (X509_set_version(x, 2) == 1 &&
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 1) == 1 &&
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"Test Home CA", -1, -1, 0) == 1 &&
	    X509_set_issuer_name(x, n) == 1 &&
	    X509_time_adj_ex(X509_getm_notBefore(x), 0, 0,
	    &(time_t){ (time_t)nb }) != NULL &&
	    X509_time_adj_ex(X509_getm_notAfter(x), 3650, 0,
	    &(time_t){ (time_t)nb }) != NULL &&
	    X509_set_pubkey(x, k) == 1 && X509_sign(x, k, EVP_sha256()) > 0 &&
	    (f = fopen(path, "w")) != NULL) {
		r = PEM_write_X509(f, x) == 1 ? 0 : -1;
		if (fclose(f) != 0)
			r = -1;
	}
	X509_free(x);
	return r;
}

static int
write_file(const char *path, const char *text, size_t len)
{
	unlink(path);
	return atomic_write(path, text, len, 0600);
}

static int
read_text(const char *path, char *buf, size_t size)
{
	uint8_t	*p;
	size_t	 len;

	if (atomic_read(path, size - 1, &p, &len) == -1)
		return -1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	free(p);
	return 0;
}

/* The record: kept, never moved later by the same key, per key. */
static void
test_record(EVP_PKEY *k1, EVP_PKEY *k2)
{
	uint8_t		 b1[LICENCE_BINDING_LEN], b2[LICENCE_BINDING_LEN];
	X509		*x;
	const char	*g = T("grace");
	struct stat	 st;
	char		 text[256];
	int64_t		 t0 = now0 - 100 * DAY;

	if (!CHECK(mk_ca(k1, t0, T("ca1.crt")) == 0 &&
	    mk_ca(k2, t0, T("ca2.crt")) == 0, "make two CA certificates"))
		return;
	x = X509_new();
	CHECK(X509_set_pubkey(x, k1) == 1 && licence_binding(x, b1) == 0 &&
	    X509_set_pubkey(x, k2) == 1 && licence_binding(x, b2) == 0,
	    "the bindings of both keys");
	X509_free(x);

	CHECK(licence_grace_start(g, b1, t0) == t0, "no file: the CA's date");
	CHECK(stat(g, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 07777) == 0600, "the record is written, mode 0600");
	CHECK(read_text(g, text, sizeof(text)) == 0 && text[0] == '1' &&
	    strlen(text) == 2 + 64 + 1 + (size_t)snprintf(NULL, 0, "%lld",
	    (long long)t0) + 1, "one line: version, binding, date (%s)", text);
	CHECK(licence_grace_start(g, b1, now0 - DAY) == t0,
	    "the same key re-signed with a fresh date: still the first date");
	CHECK(licence_grace_start(g, b1, now0) == t0, "... again, re-signed "
	    "today: still the first date");
	CHECK(licence_grace_start(g, b1, t0 - 5 * DAY) == t0 - 5 * DAY &&
	    licence_grace_start(g, b1, now0) == t0 - 5 * DAY,
	    "re-signed with an earlier date: the earlier one is kept");
	CHECK(licence_grace_start(g, b2, now0 - 2 * DAY) == now0 - 2 * DAY,
	    "a new CA key (a new installation): its own date");
	CHECK(licence_grace_start(g, b2, now0) == now0 - 2 * DAY,
	    "... kept for that key");
	unlink(g);
	CHECK(licence_grace_start(g, b1, now0 - DAY) == now0 - DAY,
	    "the record deleted: the CA's date again (the documented limit)");
}

/* Anything but a good record counts as none: never a longer grace. */
static void
test_damaged(void)
{
	static const char *const bad[] = {
		"",
		"garbage\n",
		"1 00000000000000000000000000000000000000000000000000000000000000 5\n",
		"1 000000000000000000000000000000000000000000000000000000000000000g 5\n",
		"1 000000000000000000000000000000000000000000000000000000000000000A 5\n",
		"1 0000000000000000000000000000000000000000000000000000000000000000 5",
		"1 0000000000000000000000000000000000000000000000000000000000000000 \n",
		"1 0000000000000000000000000000000000000000000000000000000000000000 -5\n",
		"1 0000000000000000000000000000000000000000000000000000000000000000 5 \n",
		"1 0000000000000000000000000000000000000000000000000000000000000000 99999999999999999999\n",
		"1 0000000000000000000000000000000000000000000000000000000000000000 5\nextra\n",
	};
	uint8_t		zero[LICENCE_BINDING_LEN] = { 0 };
	const char	*g = T("grace-bad");
	char		big[LICENCE_GRACE_MAX_FILE + 2];
	size_t		i;
	int		ok = 1;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (write_file(g, bad[i], strlen(bad[i])) == -1 ||
		    licence_grace_start(g, zero, now0 - DAY) != now0 - DAY ||
		    licence_grace_start(g, zero, now0) != now0 - DAY) {
			ok = 0;
			CHECK(0, "damaged record %zu: %s", i, bad[i]);
		}
	}
	CHECK(ok, "%zu damaged records: the CA's date, then a good record",
	    sizeof(bad) / sizeof(bad[0]));
	/* A later version's record: not read, never written over. */
	CHECK(write_file(g, "2 0000000000000000000000000000000000000000000000"
	    "000000000000000000 5\n", 69) == 0 &&
	    licence_grace_start(g, zero, now0 - DAY) == now0 - DAY &&
	    licence_grace_start(g, zero, now0) == now0 &&
	    read_text(g, big, sizeof(big)) == 0 && big[0] == '2',
	    "a record of format 2: the CA's date, and left as it is");
	CHECK(write_file(g, "1 0000000000000000000000000000000000000000000000"
	    "000000000000000000 5\n", 69) == 0 &&
	    licence_grace_start(g, zero, now0) == 5, "a good record by hand "
	    "is read (Unix second 5)");
	memset(big, ' ', sizeof(big));
	CHECK(write_file(g, big, sizeof(big)) == 0 &&
	    licence_grace_start(g, zero, now0 - DAY) == now0 - DAY,
	    "a record over LICENCE_GRACE_MAX_FILE: refused, the CA's date");
	unlink(g);
	CHECK(mkfifo(g, 0600) == 0, "a FIFO as the record");
	alarm(ALARM_S);
	CHECK(licence_grace_start(g, zero, now0 - DAY) == now0 - DAY,
	    "... does not block: the CA's date");
	alarm(0);
	CHECK(licence_grace_start(T("no/such/dir/grace"), zero, now0 - DAY) ==
	    now0 - DAY, "a record that cannot be written: the CA's date");
}

static enum licence_status
status_of(struct licence *l, struct licence_view *v)
{
	licence_view(l, v);
	return v->status;
}

/* The whole path: licence_new() with a CA re-signed, or not valid yet. */
static void
test_new(EVP_PKEY *k1)
{
	struct licence		*l;
	struct licence_view	 v;
	char			 sd[300], lic[400], why[192] = "";
	int64_t			 born = now0 - 40 * DAY;

	snprintf(sd, sizeof(sd), "%s", T("state"));
	snprintf(lic, sizeof(lic), "%s/licence.pem", sd);
	if (!CHECK(mkdir(sd, 0700) == 0 && mk_ca(k1, born, T("ca.crt")) == 0,
	    "a state dir, a CA made 40 days ago"))
		return;
	l = licence_new(lic, NULL, T("ca.crt"), sd, NULL, now0);
	CHECK(l != NULL && status_of(l, &v) == LICENCE_LIMITED &&
	    v.grace_until == born + 30 * DAY, "no licence, CA 40 days old: "
	    "limited");
	licence_free(l);
	mk_ca(k1, now0 - DAY, T("ca.crt"));
	l = licence_new(lic, NULL, T("ca.crt"), sd, NULL, now0);
	CHECK(l != NULL && status_of(l, &v) == LICENCE_LIMITED &&
	    v.grace_until == born + 30 * DAY, "the CA re-signed yesterday "
	    "with the same key: still limited, grace from its first date");
	licence_free(l);
	snprintf(lic, sizeof(lic), "%s/%s", sd, LICENCE_GRACE_FILE);
	unlink(lic);
	snprintf(lic, sizeof(lic), "%s/licence.pem", sd);
	l = licence_new(lic, NULL, T("ca.crt"), sd, NULL, now0);
	CHECK(l != NULL && status_of(l, &v) == LICENCE_GRACE,
	    "re-signed and the record deleted too: grace (documented limit)");
	licence_free(l);

	mk_ca(k1, now0 + DAY, T("ca-future.crt"));
	CHECK(licence_new(lic, NULL, T("ca-future.crt"), sd, NULL, now0) ==
	    NULL, "a CA not valid before tomorrow: refused");
	mk_ca(k1, now0 + 60, T("ca-future.crt"));
	CHECK(licence_new(lic, NULL, T("ca-future.crt"), sd, NULL, now0) ==
	    NULL, "... also a minute ahead");

	l = NULL;
	alarm(ALARM_S);
	CHECK(mkfifo(T("ca.fifo"), 0600) == 0 && licence_new(lic, NULL,
	    T("ca.fifo"), sd, NULL, now0) == NULL, "a FIFO as the CA: "
	    "refused at once");
	CHECK(mkfifo(lic, 0600) == 0 && mkfifo(T("crl.fifo"), 0600) == 0 &&
	    (l = licence_new(lic, T("crl.fifo"), T("ca.crt"), sd, NULL,
	    now0)) != NULL && strstr((licence_view(l, &v), v.problem),
	    "not a regular file") != NULL, "a FIFO as the licence: at once, "
	    "the problem says so (%s)", v.problem);
	CHECK(l != NULL && licence_install(l, "junk", 4, now0, why,
	    sizeof(why)) == -1, "an upload, with a FIFO as the licence CRL: "
	    "answered at once (%s)", why);
	alarm(0);
	licence_free(l);
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

int
main(void)
{
	EVP_PKEY *k1, *k2;

	snprintf(tmpdir, sizeof(tmpdir), "%.150s/hd-test-grace.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (!CHECK(mkdtemp(tmpdir) != NULL, "make a temporary directory"))
		return check_done();
	now0 = (int64_t)time(NULL);
	k1 = EVP_EC_gen("P-256");
	k2 = EVP_EC_gen("P-256");
	if (CHECK(k1 != NULL && k2 != NULL, "two CA keys")) {
		test_record(k1, k2);
		test_damaged();
		test_new(k1);
	}
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	CHECK(nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0,
	    "remove the temporary directory");
	return check_done();
}
