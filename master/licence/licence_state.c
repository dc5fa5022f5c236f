/*
 * The master's licence in force and what it allows over time
 * (docs/LICENSING.md). The file is the authority: it is read at start-up,
 * on SIGHUP, by a timer (daily, and at the next change of status), and
 * when an admin uploads a new one. Every problem becomes a status and a
 * logged reason, never a failure: a house must not go dark over a
 * licence. Limited mode refuses new slaves and the licensed features;
 * slaves admitted before keep being served, remembered in
 * <state-dir>/licence.slaves.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "atomicfile.h"
#include "ev.h"
#include "licence/licence.h"
#include "log.h"
#include "version.h"

struct licence {
	char			*path, *crl_path, *known_path, *kept_path;
	X509_CRL		*kept;		/* newest licence CRL seen */
	X509			*root;		/* borrowed */
	uint8_t			 binding[LICENCE_BINDING_LEN];
	int64_t			 install_since;	/* grace start, licence_grace.c */
	int			 installed;
	struct licence_terms	 terms;
	uint8_t			*good;		/* the bytes of `terms` */
	size_t			 goodlen;
	char			 problem[192];
	enum licence_status	 status;
	int64_t			 days_left, grace_until, now;
	int			 logged;	/* status last logged, -1 none */
	int64_t			 logged_at;	/* when, licence clock */
	char			 known[LICENCE_MAX_KNOWN][NODE_ID_MAX + 1];
	int			 nknown;
	int			 known_ro;	/* a newer format: never written */
	struct ev_loop		*loop;
	struct ev_timer		 timer;
};

static const char *const status_names[] = {
	"valid", "expiring", "grace", "limited",
};

const char *
licence_status_name(enum licence_status s)
{
	return (unsigned)s < 4 ? status_names[s] : "?";
}

static char *
fmt_time(int64_t t, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, len, "?");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return buf;
}

static int64_t
ceil_days(int64_t s)
{
	return s <= 0 ? 0 : (s + LICENCE_DAY_S - 1) / LICENCE_DAY_S;
}

/* On every change of status, and daily while it is not "valid", so the
 * warning is in each day's log. */
static void
log_status(struct licence *l)
{
	const struct licence_terms *t = &l->terms;

	if (l->logged == (int)l->status && (l->status == LICENCE_VALID ||
	    l->now - l->logged_at < LICENCE_DAY_S))
		return;
	l->logged = (int)l->status;
	l->logged_at = l->now;
	switch (l->status) {
	case LICENCE_VALID:
		log_info("licence: valid for \"%s\" (serial %s), %" PRId64
		    " days left", t->customer, t->serial, l->days_left);
		break;
	case LICENCE_EXPIRING:
		log_warnx("licence: for \"%s\" expires in %" PRId64 " days; "
		    "renew it", t->customer, l->days_left);
		break;
	case LICENCE_GRACE:
		log_warnx("licence: %s: grace period, %" PRId64 " days left "
		    "before limited mode", l->installed ? "expired" :
		    "none installed", l->days_left);
		break;
	case LICENCE_LIMITED:
		log_warnx("licence: limited mode (%s): no new slaves, no "
		    "licensed features; install a licence", l->installed ?
		    "expired, grace period over" : "no valid licence");
		break;
	}
}

void
licence_eval(struct licence *l, int64_t now)
{
	int64_t end;

	l->now = now;
	l->grace_until = 0;
	if (l->installed && now < l->terms.not_after) {
		l->days_left = ceil_days(l->terms.not_after - now);
		l->status = l->days_left <= LICENCE_WARN_DAYS ?
		    LICENCE_EXPIRING : LICENCE_VALID;
	} else {
		/* Expired: grace from its end. None: from the installation's
		 * birth (licence_grace_start()), so a new home works while it
		 * is licensed (an old expired licence does not shorten that). */
		end = l->install_since;
		if (l->installed && l->terms.not_after > end)
			end = l->terms.not_after;
		l->grace_until = end + (int64_t)LICENCE_GRACE_DAYS *
		    LICENCE_DAY_S;
		l->days_left = ceil_days(l->grace_until - now);
		l->status = now < l->grace_until ? LICENCE_GRACE :
		    LICENCE_LIMITED;
	}
	log_status(l);
}

/* Up to LICENCE_MAX_CRLS CRLs from a PEM file into `crls`. */
static void
crls_read(STACK_OF(X509_CRL) *crls, const char *path, int quiet)
{
	X509_CRL	*c;
	BIO		*b;
	int		 n = 0;

	if ((b = licence_file_bio(path, LICENCE_CRL_MAX_FILE)) == NULL) {
		if (!quiet || errno != ENOENT)
			log_warn("licence: CRL %s", path);
		return;
	}
	while (n < LICENCE_MAX_CRLS &&
	    (c = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_CRL_push(crls, c))
			X509_CRL_free(c);
		n++;
	}
	BIO_free(b);
	ERR_clear_error();
	if (n == 0)
		log_warnx("licence: %s holds no CRL", path);
}

/* The `licence-crl` file's CRLs and the newest one seen before. */
static STACK_OF(X509_CRL) *
load_crls(struct licence *l)
{
	STACK_OF(X509_CRL) *crls;

	if ((crls = sk_X509_CRL_new_null()) == NULL)
		return NULL;
	if (l->crl_path != NULL)
		crls_read(crls, l->crl_path, 0);
	if (l->kept != NULL && sk_X509_CRL_push(crls, l->kept))
		X509_CRL_up_ref(l->kept);
	return crls;
}

/*
 * Keep the newest licence CRL seen, in <state-dir>/licence-crl.pem, so a
 * revocation that reached this home once stays in force: installing an
 * older file with an older CRL cannot undo it.
 */
static void
remember_crl(struct licence *l, const void *pem, size_t len,
    STACK_OF(X509_CRL) *crls)
{
	X509_CRL	*c = licence_newest_crl(pem, len, crls);
	BIO		*mem;
	char		*data;
	long		 n;

	if (c == NULL || c == l->kept) {
		X509_CRL_free(c);
		return;
	}
	if ((mem = BIO_new(BIO_s_mem())) != NULL &&
	    PEM_write_bio_X509_CRL(mem, c) == 1 &&
	    (n = BIO_get_mem_data(mem, &data)) > 0 &&
	    atomic_write(l->kept_path, data, (size_t)n, 0644) == 0)
		log_info("licence: newest licence CRL kept in %s",
		    l->kept_path);
	else
		log_warnx("licence: cannot write %s", l->kept_path);
	BIO_free(mem);
	X509_CRL_free(l->kept);
	l->kept = c;
}

static enum licence_verdict
verify(struct licence *l, const void *pem, size_t len, int64_t now,
    struct licence_terms *t, char *why, size_t wlen)
{
	STACK_OF(X509_CRL)	*crls = load_crls(l);
	enum licence_verdict	 v;

	v = licence_verify(pem, len, l->root, l->binding, crls, now, t, why,
	    wlen);
	if (v != LICENCE_BAD)
		remember_crl(l, pem, len, crls);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	return v;
}

/* When to look again: daily, sooner at the next change of status, and
 * hourly while the file is refused (a clock not yet set, say). */
static void
arm(struct licence *l)
{
	int64_t	next = LICENCE_CHECK_MS / 1000, when[3];
	size_t	i;

	if (l->loop == NULL)
		return;
	when[0] = l->installed ? l->terms.not_after -
	    (int64_t)LICENCE_WARN_DAYS * LICENCE_DAY_S : 0;
	when[1] = l->installed ? l->terms.not_after : 0;
	when[2] = l->grace_until;
	for (i = 0; i < 3; i++)
		if (when[i] > l->now && when[i] - l->now < next)
			next = when[i] - l->now + 1;
	if (l->problem[0] != '\0' && next > LICENCE_RETRY_MS / 1000)
		next = LICENCE_RETRY_MS / 1000;
	ev_timer_start(l->loop, &l->timer, (uint64_t)next * 1000);
}

/* Put `t` in force. `pem` (malloc'd, now ours) is kept, so that a bad
 * file cannot take a good licence away; its removal, its expiry or a CRL
 * can. */
static void
adopt(struct licence *l, const struct licence_terms *t, uint8_t *pem,
    size_t len)
{
	if (!l->installed || strcmp(t->serial, l->terms.serial) != 0)
		l->logged = -1;		/* say what is in force */
	l->installed = 1;
	l->terms = *t;
	if (pem != l->good) {
		free(l->good);
		l->good = pem;
		l->goodlen = len;
	}
}

static void
drop(struct licence *l)
{
	l->installed = 0;
	memset(&l->terms, 0, sizeof(l->terms));
	free(l->good);
	l->good = NULL;
	l->goodlen = 0;
}

/* The file is absent (ENOENT: "none") or unreadable: -1 and why. */
static int
read_file(struct licence *l, uint8_t **buf, size_t *len, int *absent,
    char *why, size_t wlen)
{
	*absent = 0;
	if (atomic_read(l->path, LICENCE_MAX_FILE, buf, len) == 0)
		return 0;
	*absent = errno == ENOENT;
	if (*absent)
		snprintf(why, wlen, "no licence installed");
	else
		snprintf(why, wlen, "cannot read %s: %s", l->path,
		    errno == EFBIG ? "too large" : errno == EINVAL ?
		    "not a regular file" : strerror(errno));
	return -1;
}

void
licence_reload(struct licence *l, int64_t now)
{
	struct licence_terms	 t;
	uint8_t			*buf = NULL;
	size_t			 len = 0;
	int			 absent;
	char			 why[sizeof(l->problem)], old[160];

	if (read_file(l, &buf, &len, &absent, why, sizeof(why)) == 0 &&
	    verify(l, buf, len, now, &t, why, sizeof(why)) != LICENCE_BAD) {
		adopt(l, &t, buf, len);
		buf = NULL;
	} else if (!absent && l->good != NULL && verify(l, l->good,
	    l->goodlen, now, &t, old, sizeof(old)) != LICENCE_BAD) {
		if (strcmp(why, l->problem) != 0)
			log_warnx("licence: %s: %s; licence %s stays in force",
			    l->path, why, t.serial);
		adopt(l, &t, l->good, l->goodlen);
	} else {
		if (l->installed || strcmp(why, l->problem) != 0)
			log_warnx("licence: %s: %s", l->path, why);
		drop(l);
	}
	free(buf);
	snprintf(l->problem, sizeof(l->problem), "%s", why);
	licence_eval(l, now);
	arm(l);
}

static void
on_timer(struct ev_timer *tm)
{
	struct licence *l = tm->arg;

	licence_reload(l, licence_now());
}

void
licence_start(struct licence *l, struct ev_loop *loop)
{
	l->loop = loop;
	ev_timer_init(&l->timer, on_timer, l);
	arm(l);
}

/*
 * licence.slaves: one node id per line, the slaves admitted while
 * licensed (or in grace); limited mode still serves them. The first
 * line names the format (statefmt.h); v0.1.0 wrote none (format 0, the
 * same lines), and skips this one: it is longer than any node id.
 */
#define KNOWN_FORMAT	STATE_KNOWN_FORMAT	/* statefmt.h */
#define KNOWN_HEAD	STATE_KNOWN_HEAD
#define KNOWN_TAIL	": the node id of each slave admitted while " \
			"licensed, one a line\n"
_Static_assert(sizeof(KNOWN_HEAD) + sizeof(KNOWN_TAIL) > NODE_ID_MAX + 3,
    "v0.1.0 skips the header as too long for a node id");

/* The header's format, or 0 without one; *off past the header. */
static unsigned
known_format(const uint8_t *buf, size_t len, size_t *off)
{
	return state_text_format(buf, len, KNOWN_HEAD, off);
}

static void
known_load(struct licence *l)
{
	uint8_t		*buf;
	size_t		 len, i, start, n;
	unsigned	 f;

	if (atomic_read(l->known_path, STATE_MAX_FILE, &buf, &len) == -1) {
		if (errno != ENOENT)
			log_warn("licence: %s", l->known_path);
		return;
	}
	if ((f = known_format(buf, len, &start)) > KNOWN_FORMAT) {
		log_warnx("licence: %s: format %u is newer than this version "
		    "(%s) reads (%u): refused, left as it is (slaves admitted "
		    "now are kept in memory only)", l->known_path, f,
		    HD_VERSION, KNOWN_FORMAT);
		l->known_ro = 1;
		free(buf);
		return;
	}
	for (i = start; i <= len && l->nknown < LICENCE_MAX_KNOWN; i++) {
		if (i < len && buf[i] != '\n')
			continue;
		n = i - start;
		if (n > 0 && n <= NODE_ID_MAX) {
			memcpy(l->known[l->nknown], buf + start, n);
			l->known[l->nknown++][n] = '\0';
		}
		start = i + 1;
	}
	free(buf);
}

static void
known_add(struct licence *l, const char *id)
{
	char	buf[sizeof(KNOWN_HEAD) + 8 + sizeof(KNOWN_TAIL) +
		    LICENCE_MAX_KNOWN * (NODE_ID_MAX + 1)];
	size_t	n;
	int	i;

	if (l->nknown == LICENCE_MAX_KNOWN)
		return;
	snprintf(l->known[l->nknown++], NODE_ID_MAX + 1, "%s", id);
	if (l->known_ro)
		return;
	n = (size_t)snprintf(buf, sizeof(buf), "%s%u%s", KNOWN_HEAD,
	    KNOWN_FORMAT, KNOWN_TAIL);
	for (i = 0; i < l->nknown; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\n",
		    l->known[i]);
	if (atomic_write(l->known_path, buf, n, 0600) == -1)
		log_warn("licence: %s", l->known_path);
}

static int
known_has(const struct licence *l, const char *id)
{
	int i;

	for (i = 0; i < l->nknown; i++)
		if (strcmp(l->known[i], id) == 0)
			return 1;
	return 0;
}

int
licence_admit(struct licence *l, const char *id, int online, char *why,
    size_t len)
{
	int max = l->installed ? l->terms.max_slaves : CLUSTER_MAX_PEERS;

	if (l->status == LICENCE_LIMITED) {
		if (known_has(l, id))
			return 0;
		snprintf(why, len, "no valid licence (limited mode): only the "
		    "%d slave%s admitted before may connect; install a licence",
		    l->nknown, l->nknown == 1 ? "" : "s");
		return -1;
	}
	if (online >= max) {
		snprintf(why, len, "the licence allows %d slave%s online and "
		    "%d %s", max, max == 1 ? "" : "s", online,
		    online == 1 ? "is" : "are");
		return -1;
	}
	if (!known_has(l, id))
		known_add(l, id);
	return 0;
}

int
licence_allows(const struct licence *l, enum licence_feature f)
{
	if (l == NULL || l->status == LICENCE_LIMITED)
		return 0;
	/* No licence yet, in grace: the whole product, to try it out. */
	return l->installed ? (l->terms.features & (unsigned)f) != 0 : 1;
}

int
licence_zwave_limit(const struct licence *l)
{
	if (l == NULL || l->status == LICENCE_LIMITED)
		return 0;
	return l->installed ? l->terms.max_zwave_nodes : -1;
}

int
licence_install(struct licence *l, const void *pem, size_t len, int64_t now,
    char *why, size_t wlen)
{
	struct licence_terms	 t;
	uint8_t			*copy;

	if (verify(l, pem, len, now, &t, why, wlen) != LICENCE_OK)
		return -1;	/* an expired one would only start the grace */
	if ((copy = malloc(len)) == NULL) {
		snprintf(why, wlen, "out of memory");
		return -1;
	}
	memcpy(copy, pem, len);
	if (atomic_write(l->path, pem, len, 0644) == -1) {
		free(copy);
		snprintf(why, wlen, "cannot write %s: %s", l->path,
		    strerror(errno));
		return -1;
	}
	log_info("licence: installed licence %s for \"%s\"", t.serial,
	    t.customer);
	adopt(l, &t, copy, len);
	l->problem[0] = '\0';
	l->logged = -1;
	licence_eval(l, now);
	arm(l);
	return 0;
}

void
licence_view(const struct licence *l, struct licence_view *v)
{
	memset(v, 0, sizeof(*v));
	v->status = l->status;
	v->installed = l->installed;
	v->terms = l->terms;
	v->now = l->now;
	v->days_left = l->days_left;
	v->grace_until = l->grace_until;
	snprintf(v->problem, sizeof(v->problem), "%s", l->problem);
	v->known_slaves = l->nknown;
}

static void
kept_load(struct licence *l)
{
	BIO *b;

	if ((b = licence_file_bio(l->kept_path, LICENCE_CRL_MAX_FILE)) ==
	    NULL) {
		if (errno != ENOENT)
			log_warn("licence: %s", l->kept_path);
		return;
	}
	if ((l->kept = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL)) == NULL)
		log_warnx("licence: %s holds no CRL", l->kept_path);
	BIO_free(b);
	ERR_clear_error();
}

/*
 * The installation CA's binding and where the grace starts. A CA that is
 * not valid yet is refused: its date would put the grace in the future
 * (and the nodes refuse such a CA too); usually the clock is wrong.
 */
static int
install_load(struct licence *l, const char *ca_path, const char *state_dir,
    int64_t now)
{
	char	why[192], day[32], *grace;
	int64_t	nb;

	if (licence_binding_file(ca_path, l->binding, &nb, why,
	    sizeof(why)) == -1) {
		log_warnx("licence: %s", why);
		return -1;
	}
	if (nb > now) {
		log_warnx("licence: installation CA %s is not valid before %s: "
		    "refused (is the clock right? start hd-master after time "
		    "sync)", ca_path, fmt_time(nb, day, sizeof(day)));
		return -1;
	}
	if (asprintf(&grace, "%s/%s", state_dir, LICENCE_GRACE_FILE) == -1)
		return -1;
	l->install_since = licence_grace_start(grace, l->binding, nb);
	free(grace);
	return 0;
}

struct licence *
licence_new(const char *path, const char *crl_path, const char *ca_path,
    const char *state_dir, X509 *root, int64_t now)
{
	struct licence	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->root = root;
	l->logged = -1;
	if (install_load(l, ca_path, state_dir, now) == -1)
		goto fail;
	if ((l->path = strdup(path)) == NULL ||
	    (crl_path != NULL && (l->crl_path = strdup(crl_path)) == NULL) ||
	    asprintf(&l->known_path, "%s/%s", state_dir,
	    LICENCE_KNOWN_FILE) == -1) {
		l->known_path = NULL;
		goto fail;
	}
	if (asprintf(&l->kept_path, "%s/%s", state_dir,
	    LICENCE_CRL_FILE) == -1) {
		l->kept_path = NULL;
		goto fail;
	}
	kept_load(l);
	if (root == NULL)
		log_warnx("licence: this build has no usable vendor root");
	known_load(l);
	licence_reload(l, now);
	return l;
fail:
	licence_free(l);
	return NULL;
}

void
licence_free(struct licence *l)
{
	if (l == NULL)
		return;
	if (l->loop != NULL)
		ev_timer_stop(l->loop, &l->timer);
	free(l->good);
	X509_CRL_free(l->kept);
	free(l->kept_path);
	free(l->path);
	free(l->crl_path);
	free(l->known_path);
	free(l);
}
