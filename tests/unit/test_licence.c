/*
 * Unit tests for master/licence/licence.c and master/licence/licence_state.c: the DER
 * parser of the licence extension, verification of every kind of good
 * and bad licence made at run time by tests/integration/gen-test-licences.sh,
 * and the status over time (valid, expiring, grace, limited) with a
 * simulated clock, slave admission and features. Run from the
 * repository root.
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "atomicfile.h"
#include "check.h"
#include "../../master/api/api.h"
#include "../../master/api/api_licence.h"
#include "../../master/licence/licence.h"

#define GEN		"tests/integration/gen-test-licences.sh"
#define DAY		((int64_t)LICENCE_DAY_S)

static char	base[200], dir[256];
static X509	*root;
static uint8_t	binding[LICENCE_BINDING_LEN];
static int64_t	now0;

static const char *
P(const char *rel)
{
	static char	ring[8][512];
	static int	next;
	char		*p = ring[next++ % 8];

	snprintf(p, sizeof(ring[0]), "%.255s/%.200s", dir, rel);
	return p;
}

/* --- the extension's DER --------------------------------------------- */

/* A good extension: version 1, "Home", binding 0x11.., 3 slaves, 200
 * nodes, `features`. Returns its length. */
static size_t
mk_ext(uint8_t *out, const char *features)
{
	uint8_t	 body[256], *b = body;
	size_t	 fl = strlen(features), n;

	*b++ = 0x02; *b++ = 1; *b++ = 1;
	*b++ = 0x0c; *b++ = 4; memcpy(b, "Home", 4); b += 4;
	*b++ = 0x04; *b++ = 32; memset(b, 0x11, 32); b += 32;
	*b++ = 0x02; *b++ = 1; *b++ = 3;
	*b++ = 0x02; *b++ = 2; *b++ = 0x00; *b++ = 200;
	*b++ = 0x0c; *b++ = (uint8_t)fl; memcpy(b, features, fl); b += fl;
	n = (size_t)(b - body);
	out[0] = 0x30;
	out[1] = (uint8_t)n;
	memcpy(out + 2, body, n);
	return n + 2;
}

static int
parses(const uint8_t *d, size_t n, struct licence_terms *t)
{
	char why[160];

	memset(t, 0, sizeof(*t));
	return licence_parse_ext(d, n, t, why, sizeof(why)) == 0;
}

static void
test_der(void)
{
	struct licence_terms	t;
	uint8_t			d[300], e[300];
	size_t			n, i;
	int			all;
	char			names[64];

	n = mk_ext(d, "secure-zwave,app-api");
	CHECK(parses(d, n, &t) && strcmp(t.customer, "Home") == 0 &&
	    t.binding[0] == 0x11 && t.binding[31] == 0x11 &&
	    t.max_slaves == 3 && t.max_zwave_nodes == 200 &&
	    t.features == (LICENCE_F_SECURE_ZWAVE | LICENCE_F_APP_API) &&
	    t.unknown_features == 0, "a good extension parses, every field");
	CHECK(strcmp(licence_feature_names(t.features, names, sizeof(names)),
	    "secure-zwave,app-api") == 0, "feature names round trip");
	n = mk_ext(d, "");
	CHECK(parses(d, n, &t) && t.features == 0, "no features");
	n = mk_ext(d, "standby,teleport");
	CHECK(parses(d, n, &t) && t.features == LICENCE_F_STANDBY &&
	    t.unknown_features == 1, "an unknown feature is counted, "
	    "not granted");
	n = mk_ext(d, "standby,");
	CHECK(!parses(d, n, &t), "trailing comma refused");
	n = mk_ext(d, ",standby");
	CHECK(!parses(d, n, &t), "empty feature name refused");

	n = mk_ext(d, "app-api");
	for (all = 1, i = 0; i < n; i++)
		all &= !parses(d, i, &t);
	CHECK(all, "every truncation of a good extension is refused");
	memcpy(e, d, n);
	e[n] = 0;
	CHECK(!parses(e, n + 1, &t), "a byte after the SEQUENCE refused");

	memcpy(e, d, n); e[4] = 2;
	CHECK(!parses(e, n, &t), "version 2 refused");
	memcpy(e, d, n); e[0] = 0x31;
	CHECK(!parses(e, n, &t), "a SET instead of a SEQUENCE refused");
	memcpy(e, d, n); e[6] = 0x13;
	CHECK(!parses(e, n, &t), "customer as PrintableString refused");
	memcpy(e, d, n); e[8] = '\n';
	CHECK(!parses(e, n, &t), "control character in the customer refused");
	memcpy(e, d, n); e[12] = 31;
	CHECK(!parses(e, n, &t), "31-byte binding refused");
	memcpy(e, d, n); e[47] = 65;
	CHECK(!parses(e, n, &t), "65 slaves refused (> CLUSTER_MAX_PEERS)");
	memcpy(e, d, n); e[47] = 0x83;
	CHECK(!parses(e, n, &t), "negative slave count refused");
	memcpy(e, d, n); e[50] = 0x01; e[51] = 0x00;
	CHECK(!parses(e, n, &t), "256 Z-Wave nodes refused");
	memcpy(e, d, n); e[51] = 0x7f;
	CHECK(!parses(e, n, &t), "non-minimal INTEGER refused");

	/* Long-form length where the short form fits: not DER. */
	e[0] = 0x30; e[1] = 0x81; e[2] = d[1];
	memcpy(e + 3, d + 2, n - 2);
	CHECK(!parses(e, n + 1, &t), "non-minimal length refused");
	e[1] = 0x80;
	CHECK(!parses(e, n + 1, &t), "indefinite length refused");
	e[1] = 0x84;
	CHECK(!parses(e, n + 1, &t), "4-byte length refused");
}

/* --- verification ----------------------------------------------------- */

static enum licence_verdict
verify_at(const char *name, int64_t now, struct licence_terms *t, char *why,
    size_t len)
{
	uint8_t			*buf = NULL;
	size_t			 n = 0;
	enum licence_verdict	 v;

	if (atomic_read(P(name), LICENCE_MAX_FILE, &buf, &n) == -1) {
		snprintf(why, len, "cannot read %s", name);
		return LICENCE_BAD;
	}
	v = licence_verify(buf, n, root, binding, NULL, now, t, why, len);
	free(buf);
	return v;
}

static void
expect(const char *name, enum licence_verdict want, const char *reason)
{
	struct licence_terms	t;
	char			why[192] = "";
	enum licence_verdict	v = verify_at(name, now0, &t, why, sizeof(why));

	CHECK(v == want && (reason == NULL || strstr(why, reason) != NULL),
	    "%s: verdict %d, reason has \"%s\" (got %d: %s)", name, want,
	    reason != NULL ? reason : "", v, why);
}

static void
test_verify(void)
{
	struct licence_terms	t;
	char			why[192];

	expect("valid.pem", LICENCE_OK, NULL);
	if (verify_at("valid.pem", now0, &t, why, sizeof(why)) == LICENCE_OK)
		CHECK(strcmp(t.customer, "Test Home") == 0 &&
		    t.max_slaves == 2 && t.max_zwave_nodes == 50 &&
		    t.features == (LICENCE_F_SECURE_ZWAVE | LICENCE_F_APP_API) &&
		    t.not_after - t.not_before == 401 * DAY &&
		    strlen(t.serial) > 8, "valid.pem: terms as issued");
	expect("expired.pem", LICENCE_EXPIRED, "expired on 2021-01-01");
	expect("recent.pem", LICENCE_EXPIRED, "expired");
	expect("notyet.pem", LICENCE_BAD, "not yet valid");
	expect("foreign.pem", LICENCE_BAD, "licence refused");
	expect("instca.pem", LICENCE_BAD, "licence refused");
	expect("otherca.pem", LICENCE_BAD, "not a licence CA");
	expect("noeku.pem", LICENCE_BAD, "no licence EKU");
	expect("wrong.pem", LICENCE_BAD, "another installation");
	expect("revoked.pem", LICENCE_BAD, "revoked");
	expect("revoked-old.pem", LICENCE_OK, NULL);
	expect("bitflip.pem", LICENCE_BAD, "signature");
	expect("truncated.pem", LICENCE_BAD, NULL);
	expect("garbage.pem", LICENCE_BAD, NULL);

	/* The same licence judged at other times. */
	CHECK(verify_at("valid.pem", now0 + 500 * DAY, &t, why,
	    sizeof(why)) == LICENCE_EXPIRED, "valid.pem in 500 days: expired");
	CHECK(verify_at("valid.pem", now0 - 3 * DAY, &t, why,
	    sizeof(why)) == LICENCE_BAD, "valid.pem 3 days ago: not yet "
	    "valid (%s)", why);
	CHECK(licence_verify("x", 1, NULL, binding, NULL, now0, &t, why,
	    sizeof(why)) == LICENCE_BAD, "no root, no licence");
}

/* revoked-old.pem carries an old CRL; a newer one from licence-crl wins. */
static void
test_crl_file(void)
{
	STACK_OF(X509_CRL)	*crls = sk_X509_CRL_new_null();
	struct licence_terms	 t;
	FILE			*f = fopen(P("vendor/crl.pem"), "r");
	X509_CRL		*c = f ? PEM_read_X509_CRL(f, NULL, NULL, NULL) :
				    NULL;
	uint8_t			*buf = NULL;
	size_t			 n;
	char			 why[192] = "";

	if (f != NULL)
		fclose(f);
	if (!CHECK(c != NULL && crls != NULL && sk_X509_CRL_push(crls, c) &&
	    atomic_read(P("revoked-old.pem"), LICENCE_MAX_FILE, &buf,
	    &n) == 0, "load the vendor CRL"))
		return;
	CHECK(licence_verify(buf, n, root, binding, crls, now0, &t, why,
	    sizeof(why)) == LICENCE_BAD && strstr(why, "revoked") != NULL,
	    "an extra CRL revokes a licence whose own bundle does not (%s)",
	    why);
	free(buf);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
}

/* --- status over time ---------------------------------------------- */

static int
install(const char *dst, const char *src)
{
	uint8_t	*buf;
	size_t	 n;
	int	 r;

	if (atomic_read(P(src), LICENCE_MAX_FILE, &buf, &n) == -1)
		return -1;
	r = atomic_write(dst, buf, n, 0644);
	free(buf);
	return r;
}

static enum licence_status
status_at(struct licence *l, int64_t t, struct licence_view *v)
{
	licence_eval(l, t);
	licence_view(l, v);
	return v->status;
}

/*
 * Evaluate at t, t + 1 h, t + 2 h, t + 25 h, t + 49 h with stderr (the log)
 * in a file; how many log lines hold `what`?
 */
static int
count_warnings(struct licence *l, int64_t t, const char *what)
{
	static const int64_t	 at[] = { 0, 3600, 7200, 25 * 3600, 49 * 3600 };
	char			 path[300], line[512];
	FILE			*f;
	size_t			 i;
	int			 fd, saved, n = 0;

	snprintf(path, sizeof(path), "%s/log", dir);
	fflush(stderr);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    (saved = dup(2)) == -1)
		return -1;
	dup2(fd, 2);
	close(fd);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		licence_eval(l, t + at[i]);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, what) != NULL;
	fclose(f);
	return n;
}

/*
 * licence.slaves's format (docs/OPERATIONS.md, "State files and their
 * formats"): written with its header, read without one (v0.1.0), and a
 * newer one is refused and never written over.
 */
static void
test_known_formats(const char *path, const char *sd)
{
	static const char old[] = "slave-a\nslave-b\n";
	static const char newer[] = "# homedaemon licence.slaves format 2: "
	    "whatever it means\nslave-a\n";
	struct licence		*l = NULL;
	struct licence_view	 v;
	char			 kp[PATH_MAX + 32], why[200];
	uint8_t			*buf = NULL;
	size_t			 n = 0;

	if (snprintf(kp, sizeof(kp), "%s/licence.slaves", sd) >= (int)sizeof(kp))
		return;
	CHECK(atomic_read(kp, 4096, &buf, &n) == 0 && n > 36 &&
	    memcmp(buf, "# homedaemon licence.slaves format 1:", 37) == 0,
	    "licence.slaves starts with its format line");
	free(buf);
	if (!CHECK(atomic_write(kp, old, sizeof(old) - 1, 0600) == 0 &&
	    (l = licence_new(path, NULL, P("inst/ca.crt"), sd, root, now0)) !=
	    NULL, "licence.slaves as v0.1.0 wrote it"))
		return;
	licence_view(l, &v);
	CHECK(v.known_slaves == 2, "... its 2 slaves are read (%d)",
	    v.known_slaves);
	licence_free(l);
	if (!CHECK(atomic_write(kp, newer, sizeof(newer) - 1, 0600) == 0 &&
	    (l = licence_new(path, NULL, P("inst/ca.crt"), sd, root, now0)) !=
	    NULL, "licence.slaves of format 2"))
		return;
	licence_view(l, &v);
	CHECK(v.known_slaves == 0 &&
	    licence_admit(l, "slave-x", 0, why, sizeof(why)) == 0,
	    "... refused: no slave read from it; a new one is admitted");
	CHECK(atomic_read(kp, 4096, &buf, &n) == 0 &&
	    n == sizeof(newer) - 1 && memcmp(buf, newer, n) == 0,
	    "... and the file is left as it was");
	free(buf);
	licence_free(l);
	/* As before: the 3 slaves the test admitted, in the current form. */
	CHECK(atomic_write(kp, "slave-a\nslave-b\nslave-c\n", 24, 0600) == 0,
	    "licence.slaves put back");
}

static void
test_states(void)
{
	struct licence		*l;
	struct licence_view	 v;
	char			 path[512], why[192], sd[300];
	int64_t			 end;
	uint8_t			*buf;
	size_t			 n;

	snprintf(sd, sizeof(sd), "%s/state", dir);
	snprintf(path, sizeof(path), "%s/licence.pem", sd);
	if (!CHECK(mkdir(sd, 0700) == 0 && install(path, "valid.pem") == 0,
	    "state dir with valid.pem"))
		return;
	l = licence_new(path, NULL, P("inst/ca.crt"), sd, root, now0);
	if (!CHECK(l != NULL, "licence_new"))
		return;
	licence_view(l, &v);
	end = v.terms.not_after;
	CHECK(v.status == LICENCE_VALID && v.installed && v.days_left == 400 &&
	    v.problem[0] == '\0', "valid: status valid, 400 days left "
	    "(%s, %lld)", licence_status_name(v.status), (long long)v.days_left);
	CHECK(licence_allows(l, LICENCE_F_APP_API) &&
	    licence_allows(l, LICENCE_F_SECURE_ZWAVE) &&
	    !licence_allows(l, LICENCE_F_STANDBY) &&
	    licence_zwave_limit(l) == 50, "valid: its features and limits");

	CHECK(licence_admit(l, "slave-a", 0, why, sizeof(why)) == 0 &&
	    licence_admit(l, "slave-b", 1, why, sizeof(why)) == 0,
	    "two slaves admitted under a 2-slave licence");
	CHECK(licence_admit(l, "slave-c", 2, why, sizeof(why)) == -1 &&
	    strstr(why, "allows 2 slaves") != NULL, "the third is refused: "
	    "%s", why);

	CHECK(status_at(l, end - 31 * DAY, &v) == LICENCE_VALID,
	    "31 days before the end: valid");
	CHECK(status_at(l, end - 30 * DAY, &v) == LICENCE_EXPIRING &&
	    v.days_left == 30, "30 days before the end: expiring, 30 left");
	CHECK(count_warnings(l, end - 20 * DAY, "expires in") == 3,
	    "expiring: warned again each day, not each hour");
	CHECK(status_at(l, end, &v) == LICENCE_GRACE && v.days_left ==
	    LICENCE_GRACE_DAYS && v.grace_until == end + 30 * DAY,
	    "at the end: grace, %d days left", LICENCE_GRACE_DAYS);
	CHECK(licence_allows(l, LICENCE_F_APP_API) &&
	    licence_admit(l, "slave-c", 1, why, sizeof(why)) == 0,
	    "grace keeps the features and admits within the limit");
	CHECK(status_at(l, end + 30 * DAY, &v) == LICENCE_LIMITED &&
	    v.days_left == 0, "grace over: limited");
	CHECK(!licence_allows(l, LICENCE_F_APP_API) &&
	    !licence_allows(l, LICENCE_F_SECURE_ZWAVE) &&
	    licence_zwave_limit(l) == 0, "limited: no features, no inclusion");
	CHECK(licence_admit(l, "slave-a", 5, why, sizeof(why)) == 0 &&
	    licence_admit(l, "slave-c", 5, why, sizeof(why)) == 0,
	    "limited: slaves admitted before are still served");
	CHECK(licence_admit(l, "slave-d", 0, why, sizeof(why)) == -1 &&
	    strstr(why, "limited mode") != NULL, "limited: a new slave is "
	    "refused: %s", why);

	/* Leave limited mode: install a renewal at the simulated time. */
	CHECK(atomic_read(P("expired.pem"), LICENCE_MAX_FILE, &buf, &n) == 0 &&
	    licence_install(l, buf, n, end + 30 * DAY, why, sizeof(why)) == -1 &&
	    strstr(why, "expired") != NULL, "installing an expired licence "
	    "is refused: %s", why);
	free(buf);
	CHECK(atomic_read(P("wrong.pem"), LICENCE_MAX_FILE, &buf, &n) == 0 &&
	    licence_install(l, buf, n, end + 30 * DAY, why, sizeof(why)) == -1,
	    "installing another installation's licence is refused: %s", why);
	free(buf);
	licence_view(l, &v);
	CHECK(v.status == LICENCE_LIMITED, "a refused upload changes nothing");
	CHECK(atomic_read(P("renewal.pem"), LICENCE_MAX_FILE, &buf, &n) == 0 &&
	    licence_install(l, buf, n, end + 30 * DAY, why, sizeof(why)) == 0,
	    "the renewal installs in limited mode (%s)", why);
	free(buf);
	licence_view(l, &v);
	CHECK(v.status == LICENCE_VALID && v.terms.max_slaves == 3 &&
	    licence_allows(l, LICENCE_F_STANDBY), "renewal: valid again, its "
	    "limits and features");
	licence_free(l);

	/* The renewal was written to the file; the known slaves persist. */
	l = licence_new(path, NULL, P("inst/ca.crt"), sd, root, now0);
	licence_view(l, &v);
	CHECK(l != NULL && v.terms.max_slaves == 3 && v.known_slaves == 3,
	    "restart: the installed renewal and 3 known slaves are read back "
	    "(%d)", v.known_slaves);
	test_known_formats(path, sd);

	/* A bad file does not take a good licence away; removing it does. */
	if (l != NULL && install(path, "bitflip.pem") == 0) {
		licence_reload(l, now0);
		licence_view(l, &v);
		CHECK(v.installed && v.terms.max_slaves == 3 &&
		    v.status == LICENCE_VALID && strstr(v.problem,
		    "signature") != NULL, "a damaged file over a good licence: "
		    "the good one stays in force, the problem is shown (%s)",
		    v.problem);
		licence_reload(l, end + 900 * DAY);
		licence_view(l, &v);
		CHECK(v.installed && v.status == LICENCE_LIMITED,
		    "... until its own term and grace are over");
		unlink(path);
		licence_reload(l, now0);
		licence_view(l, &v);
		CHECK(!v.installed && strstr(v.problem, "no licence") != NULL,
		    "removing the file drops the licence");
	}
	licence_free(l);
}

/* No licence, or a bad one: grace from the installation CA's birth. */
static void
test_none(void)
{
	struct licence		*l;
	struct licence_view	 v;
	char			 path[512], sd[300], why[192];

	snprintf(sd, sizeof(sd), "%s/state2", dir);
	snprintf(path, sizeof(path), "%s/licence.pem", sd);
	if (!CHECK(mkdir(sd, 0700) == 0, "second state dir"))
		return;
	l = licence_new(path, NULL, P("inst/ca.crt"), sd, root, now0);
	if (!CHECK(l != NULL, "licence_new without a file"))
		return;
	licence_view(l, &v);
	CHECK(v.status == LICENCE_GRACE && !v.installed &&
	    strstr(v.problem, "no licence") != NULL &&
	    (v.days_left == 30 || v.days_left == 29), "none: grace from the "
	    "installation CA's date (%s, %lld days)", v.problem,
	    (long long)v.days_left);
	CHECK(licence_allows(l, LICENCE_F_STANDBY) &&
	    licence_zwave_limit(l) == -1 &&
	    licence_admit(l, "slave-a", 10, why, sizeof(why)) == 0,
	    "none, in grace: everything, no limits");
	CHECK(status_at(l, now0 + 31 * DAY, &v) == LICENCE_LIMITED &&
	    licence_admit(l, "slave-a", 0, why, sizeof(why)) == 0 &&
	    licence_admit(l, "slave-b", 0, why, sizeof(why)) == -1,
	    "none, 31 days on: limited, only the known slave");
	licence_free(l);

	if (!CHECK(install(path, "bitflip.pem") == 0, "install a bad file"))
		return;
	l = licence_new(path, NULL, P("inst/ca.crt"), sd, root, now0);
	licence_view(l, &v);
	CHECK(l != NULL && !v.installed && v.status == LICENCE_GRACE &&
	    strstr(v.problem, "signature") != NULL, "a damaged file: no "
	    "licence, its problem shown (%s)", v.problem);
	if (install(path, "valid.pem") == 0)
		licence_reload(l, now0);
	licence_view(l, &v);
	CHECK(v.installed && v.status == LICENCE_VALID, "reload after the "
	    "file was fixed: valid");
	licence_free(l);
	CHECK(licence_new(path, NULL, P("nothere.crt"), sd, root, now0) ==
	    NULL, "an unreadable installation CA fails");

	/* An old expired licence on a new installation: still its grace. */
	if (install(path, "expired.pem") == 0 &&
	    (l = licence_new(path, NULL, P("inst/ca.crt"), sd, root,
	    now0)) != NULL) {
		licence_view(l, &v);
		CHECK(v.installed && v.status == LICENCE_GRACE &&
		    v.days_left >= 29, "a licence expired in 2021 on a new "
		    "installation: grace from the CA's birth (%s, %lld)",
		    licence_status_name(v.status), (long long)v.days_left);
		licence_free(l);
	}
}

/* A revocation seen once stays: an older file cannot undo it. */
static void
test_sticky_crl(void)
{
	struct licence		*l;
	struct licence_view	 v;
	char			 path[512], sd[300], why[192];
	uint8_t			*buf;
	size_t			 n;

	snprintf(sd, sizeof(sd), "%s/state3", dir);
	snprintf(path, sizeof(path), "%s/licence.pem", sd);
	if (!CHECK(mkdir(sd, 0700) == 0 && install(path, "revoked-old.pem") ==
	    0, "third state dir, with the licence revoked later"))
		return;
	l = licence_new(path, NULL, P("inst/ca.crt"), sd, root, now0);
	licence_view(l, &v);
	CHECK(l != NULL && v.installed, "before the CRL arrives, it is good");
	if (l == NULL)
		return;
	CHECK(atomic_read(P("after.pem"), LICENCE_MAX_FILE, &buf, &n) == 0 &&
	    licence_install(l, buf, n, now0, why, sizeof(why)) == 0,
	    "a later licence brings the newer CRL (%s)", why);
	free(buf);
	snprintf(path, sizeof(path), "%s/%s", sd, LICENCE_CRL_FILE);
	CHECK(access(path, R_OK) == 0, "the newest CRL is kept in state-dir");
	snprintf(path, sizeof(path), "%s/licence.pem", sd);
	CHECK(atomic_read(P("revoked-old.pem"), LICENCE_MAX_FILE, &buf,
	    &n) == 0 && licence_install(l, buf, n, now0, why, sizeof(why)) ==
	    -1 && strstr(why, "revoked") != NULL, "the revoked licence with "
	    "its old CRL is refused now: %s", why);
	licence_free(l);
	l = licence_new(path, NULL, P("inst/ca.crt"), sd, root, now0);
	CHECK(l != NULL && licence_install(l, buf, n, now0, why,
	    sizeof(why)) == -1 && strstr(why, "revoked") != NULL,
	    "... also after a restart");
	free(buf);
	licence_free(l);
}

/* --- the API routes ------------------------------------------------- */

static char	api_out[API_MAX_RESPONSE + 1];

/* One call to /api/v1/`what`; the answer lands in api_out. */
static int
api_call(struct api *a, const char *method, const char *what,
    const char *json, const char *sess, const char *csrf)
{
	static const uint8_t	addr[16] = { [10] = 0xff, [11] = 0xff, 10 };
	Hd__ApiRequest		req = HD__API_REQUEST__INIT;
	Hd__ApiResponse		resp = HD__API_RESPONSE__INIT;
	char			path[64];

	snprintf(path, sizeof(path), "/api/v1/%s", what);
	req.id = 1;
	req.method = (char *)(uintptr_t)method;
	req.path = path;
	req.query = (char *)(uintptr_t)"";
	req.token = (char *)(uintptr_t)"";
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = sizeof(addr);
	req.session = (char *)(uintptr_t)sess;
	req.csrf = (char *)(uintptr_t)csrf;
	req.body.data = (uint8_t *)(uintptr_t)json;
	req.body.len = strlen(json);
	api_handle(a, &req, &resp, 1000);
	snprintf(api_out, sizeof(api_out), "%.*s", (int)resp.body.len,
	    (const char *)resp.body.data);
	if (resp.set_cookie != NULL && strchr(resp.set_cookie, '=') != NULL)
		snprintf(api_out + strlen(api_out), sizeof(api_out) -
		    strlen(api_out), " cookie=%.64s",
		    strchr(resp.set_cookie, '=') + 1);
	return (int)resp.status;
}

/* Log in; the session token and CSRF token, 64 hex digits each. */
static int
api_login(struct api *a, const char *name, char *sess, char *csrf)
{
	char		 body[96];
	const char	*p, *q;

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"password\":"
	    "\"long enough pw\"}", name);
	if (api_call(a, "POST", "login", body, "", "") != 200 ||
	    (p = strstr(api_out, "\"csrf\":\"")) == NULL ||
	    (q = strstr(api_out, " cookie=")) == NULL)
		return -1;
	snprintf(csrf, 65, "%.64s", p + 8);
	snprintf(sess, 65, "%.64s", q + 8);
	return 0;
}

/* {"pem": <file>} with the file as a JSON string (PEM needs only \n). */
static char *
pem_json(const char *name, char *out, size_t size)
{
	uint8_t	*buf;
	size_t	 n, i, o = 0;

	out[0] = '\0';
	if (atomic_read(P(name), LICENCE_MAX_FILE, &buf, &n) == -1)
		return out;
	o = (size_t)snprintf(out, size, "{\"pem\":\"");
	for (i = 0; i < n && o + 8 < size; i++)
		if (buf[i] == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else
			out[o++] = (char)buf[i];
	snprintf(out + o, size - o, "\"}");
	free(buf);
	return out;
}

static void
test_api_routes(void)
{
	static const struct scrypt_params cheap = { 16, 1, 1 };
	static char	 json[2 * LICENCE_MAX_FILE];
	struct users	*u = NULL;
	struct api	*a;
	struct licence	*l;
	char		 sd[300], path[400], err[128];
	char		 vs[65], vc[65], as[65], ac[65];

	snprintf(sd, sizeof(sd), "%s/state4", dir);
	snprintf(path, sizeof(path), "%s/users", sd);
	if (!CHECK(mkdir(sd, 0700) == 0 && (u = users_new(path, &cheap)) !=
	    NULL, "fourth state dir, users"))
		return;
	users_add(u, "vera", UROLE_VIEWER, "long enough pw", 1, err,
	    sizeof(err));
	users_add(u, "ada", UROLE_ADMIN, "long enough pw", 1, err, sizeof(err));
	users_save(u);
	users_free(u);
	a = api_new(path, &cheap);
	snprintf(path, sizeof(path), "%s/licence.pem", sd);
	l = licence_new(path, NULL, P("inst/ca.crt"), sd, root, now0);
	if (!CHECK(a != NULL && l != NULL && api_licence_routes(a, l) == 0 &&
	    api_login(a, "vera", vs, vc) == 0 && api_login(a, "ada", as,
	    ac) == 0, "an api with the licence routes, two users logged in"))
		goto out;
	CHECK(api_call(a, "GET", "licence", "", "", "") == 401,
	    "GET licence without a session: 401");
	CHECK(api_call(a, "GET", "licence", "", vs, "") == 200 &&
	    strstr(api_out, "\"status\":\"grace\",\"installed\":false,"
	    "\"customer\":null") != NULL && strstr(api_out, "\"limits\":"
	    "{\"slaves\":null,\"zwave_nodes\":null}") != NULL,
	    "GET as a viewer, no licence: grace, no limits: %.200s", api_out);
	pem_json("valid.pem", json, sizeof(json));
	CHECK(api_call(a, "PUT", "licence", json, vs, vc) == 403,
	    "PUT as a viewer: 403");
	CHECK(access(path, F_OK) == -1, "... nothing written");
	CHECK(api_call(a, "PUT", "licence", json, as, "") == 403,
	    "PUT as admin without the CSRF token: 403");
	CHECK(api_call(a, "PUT", "licence", "{\"pem\":5}", as, ac) == 400,
	    "PUT a number: 400");
	CHECK(api_call(a, "PUT", "licence", "{\"pem\":[\"-----BEGIN \","
	    "\"CERTIFICATE-----\\nAAAA\"]}", as, ac) == 422 &&
	    strstr(api_out, "licence_refused") != NULL,
	    "PUT a broken PEM in two parts: 422: %s", api_out);
	CHECK(api_call(a, "PUT", "licence", pem_json("expired.pem", json,
	    sizeof(json)), as, ac) == 422 && strstr(api_out, "expired on") !=
	    NULL, "PUT an expired licence: 422, says so");
	CHECK(api_call(a, "PUT", "licence", pem_json("valid.pem", json,
	    sizeof(json)), as, ac) == 200 && strstr(api_out, "\"status\":"
	    "\"valid\",\"installed\":true,\"customer\":\"Test Home\"") !=
	    NULL && strstr(api_out, "\"days_left\":400") != NULL,
	    "PUT a good licence as admin: 200, in force: %.120s", api_out);
	CHECK(access(path, F_OK) == 0, "... written to the licence file");
out:
	licence_free(l);
	api_free(a);
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
	char	 cmd[512];
	FILE	*f;

	snprintf(base, sizeof(base), "%.150s/hd-test-lic.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	test_der();
	if (!CHECK(mkdtemp(base) != NULL, "make a temporary directory"))
		return check_done();
	snprintf(dir, sizeof(dir), "%s/l", base);
	snprintf(cmd, sizeof(cmd), "%s '%s' >/dev/null", GEN, dir);
	fflush(stdout);
	if (!CHECK(access(GEN, X_OK) == 0 && system(cmd) == 0,
	    "generate test licences with %s", GEN))
		goto out;
	now0 = (int64_t)time(NULL);	/* after the licences were made */
	if ((f = fopen(P("vendor/root.crt"), "r")) != NULL) {
		root = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (!CHECK(root != NULL && licence_binding_file(P("inst/ca.crt"),
	    binding, &(int64_t){ 0 }, cmd, sizeof(cmd)) == 0,
	    "load the test root and our binding"))
		goto out;
	test_verify();
	test_crl_file();
	test_states();
	test_none();
	test_sticky_crl();
	test_api_routes();
	X509_free(root);
out:
	CHECK(nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0,
	    "remove the temporary directory");
	return check_done();
}
