/*
 * The master's table of slaves, their devices and last values, and its
 * own durable state (term, command id reservation).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "cluster/cluster.h"
#include "cluster/devcheck.h"
#include "log.h"
#include "master.h"
#include "wire.h"

#define CMD_ID_RESERVE	1024	/* command ids reserved per state write */

struct node *
node_get(struct master *m, const char *id, int create)
{
	struct node *n;

	TAILQ_FOREACH(n, &m->nodes, entry)
		if (strcmp(n->id, id) == 0)
			return n;
	if (!create || (n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	snprintf(n->id, sizeof(n->id), "%s", id);
	TAILQ_INIT(&n->values);
	TAILQ_INSERT_TAIL(&m->nodes, n, entry);
	return n;
}

static void
value_free(struct value *v)
{
	if (v->v != NULL && v->v->v_case == HD__VALUE__V_S)
		free(v->v->s);
	free(v->v);
	free(v->key);
	free(v);
}

void
node_free(struct master *m, struct node *n)
{
	struct value *v;

	cluster_obs_freed(m, n);
	while ((v = TAILQ_FIRST(&n->values)) != NULL) {
		TAILQ_REMOVE(&n->values, v, entry);
		value_free(v);
	}
	wire_free((ProtobufCMessage *)n->devices);
	free(n);
}

uint32_t
node_caps(const Hd__Hello *h)
{
	uint32_t	caps = 0;
	size_t		i;

	for (i = 0; i < h->n_capabilities; i++)
		if ((unsigned)h->capabilities[i] < 32)
			caps |= 1u << h->capabilities[i];
	return caps;
}

static const Hd__Device	*find_device(const struct node *, const char *);
static int		 has_key(const Hd__Device *, const char *);

/* Forget values of devices or keys the new list no longer has. */
static void
prune_values(struct node *n)
{
	struct value		*v, *next;
	const Hd__Device	*d;

	for (v = TAILQ_FIRST(&n->values); v != NULL; v = next) {
		next = TAILQ_NEXT(v, entry);
		if ((d = find_device(n, v->device_id)) != NULL &&
		    has_key(d, v->key))
			continue;
		TAILQ_REMOVE(&n->values, v, entry);
		n->nvalues--;
		value_free(v);
	}
}

/* Takes ownership of `da` (a complete list). NULL, or why it is refused. */
const char *
node_set_devices(struct node *n, Hd__DeviceAnnounce *da)
{
	const char *why;

	if ((why = node_check_announce(da)) != NULL) {
		wire_free(&da->base);
		return why;
	}
	if (n->devices != NULL)
		wire_free((ProtobufCMessage *)n->devices);
	n->devices = da;
	prune_values(n);
	return NULL;
}

static const Hd__Device *
find_device(const struct node *n, const char *id)
{
	size_t i;

	for (i = 0; n->devices != NULL && i < n->devices->n_devices; i++)
		if (strcmp(n->devices->devices[i]->id, id) == 0)
			return n->devices->devices[i];
	return NULL;
}

static Hd__Value *
value_copy(const Hd__Value *src)
{
	Hd__Value *v;

	if ((v = malloc(sizeof(*v))) == NULL)
		return NULL;
	*v = *src;
	v->base.unknown_fields = NULL;
	v->base.n_unknown_fields = 0;
	if (src->v_case == HD__VALUE__V_S &&
	    (v->s = strndup(src->s, VALUE_STR_MAX)) == NULL) {
		free(v);
		return NULL;
	}
	return v;
}

static int
has_key(const Hd__Device *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->n_values; i++)
		if (strcmp(d->values[i]->key, key) == 0)
			return 1;
	return 0;
}

/*
 * Record a report for a value the slave announced; -1 if unknown. Only
 * announced (device, key) pairs are stored, so a slave cannot make the
 * master's table grow past what node_check_announce() allowed.
 */
int
node_set_value(struct node *n, const Hd__ValueReport *r)
{
	const Hd__Device	*d;
	struct value		*v;
	Hd__Value		*nv;

	if (r->value == NULL || (d = find_device(n, r->device_id)) == NULL ||
	    !has_key(d, r->key))
		return -1;
	TAILQ_FOREACH(v, &n->values, entry)
		if (strcmp(v->device_id, r->device_id) == 0 &&
		    strcmp(v->key, r->key) == 0)
			break;
	if (v == NULL) {
		if ((v = calloc(1, sizeof(*v))) == NULL ||
		    (v->key = strdup(r->key)) == NULL) {
			free(v);
			return -1;
		}
		snprintf(v->device_id, sizeof(v->device_id), "%s", r->device_id);
		TAILQ_INSERT_TAIL(&n->values, v, entry);
		n->nvalues++;
	}
	if ((nv = value_copy(r->value)) == NULL)
		return -1;
	if (v->v != NULL && v->v->v_case == HD__VALUE__V_S)
		free(v->v->s);
	free(v->v);
	v->v = nv;
	v->time_ms = r->time_ms;
	v->stale = r->stale;
	v->fault = r->fault;
	v->low_battery = r->low_battery;
	return 0;
}

static void
state_path(struct master *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s/master.state", m->conf.state_dir);
}

int
node_state_save(struct master *m)
{
	Hd__NodeState	st = HD__NODE_STATE__INIT;
	char		path[512];

	state_path(m, path, sizeof(path));
	st.term = m->term;
	st.next_command_id = m->cmd_reserved;
	state_format_set(&st.base);
	if (state_save(path, &st.base) == -1) {
		log_warn("%s", path);
		return -1;
	}
	return 0;
}

/*
 * Load the term and command-id reservation. A fresh install starts at
 * term 1. Command ids are handed out from a reserved block, and the end
 * of the block is written before any id from it is used, so no id is
 * reused after a crash.
 */
int
node_state_load(struct master *m)
{
	Hd__NodeState	*st;
	char		 path[512];

	state_path(m, path, sizeof(path));
	errno = 0;
	st = (Hd__NodeState *)state_load(path, &hd__node_state__descriptor);
	/* A newer format is refused: a fresh term 1 could be lower than
	 * one this master held, and the file must not be overwritten. */
	if (st == NULL && errno == ENOTSUP)
		return -1;
	if (st == NULL && errno != ENOENT)
		log_warnx("%s: starting with a fresh state", path);
	m->term = st && st->term ? st->term : 1;
	m->next_cmd = st && st->next_command_id ? st->next_command_id : 1;
	wire_free((ProtobufCMessage *)st);
	m->cmd_reserved = m->next_cmd + CMD_ID_RESERVE;
	return node_state_save(m);
}

uint64_t
cluster_command_id(struct master *m)
{
	if (m->next_cmd >= m->cmd_reserved) {
		m->cmd_reserved = m->next_cmd + CMD_ID_RESERVE;
		if (node_state_save(m) == -1)
			return 0;
	}
	return m->next_cmd++;
}

/* Free the node table and the cluster's TLS context, so leak checkers
 * see a clean exit; master.c frees the loop and the configuration. */
void
cluster_free(struct master *m)
{
	struct node *n;

	while ((n = TAILQ_FIRST(&m->nodes)) != NULL) {
		TAILQ_REMOVE(&m->nodes, n, entry);
		node_free(m, n);
	}
	SSL_CTX_free(m->ctx);
}
