/*
 * The cluster's observers: the modules above it (the API, the scheduler,
 * Z-Wave management) hear of the slaves through the callbacks that the
 * wiring file registers here, so the cluster names none of them and they
 * stay above it (docs/ARCHITECTURE.md, "Layers"). A fixed array, filled
 * at start-up; an event allocates nothing.
 */

#include "cluster/cluster.h"
#include "log.h"

int
cluster_observe(struct master *m, const struct cluster_ops *ops, void *arg)
{
	if (m->nobs == CLUSTER_MAX_OBSERVERS) {
		log_warnx("cluster: more than %d observers",
		    CLUSTER_MAX_OBSERVERS);
		return -1;
	}
	m->obs[m->nobs].ops = ops;
	m->obs[m->nobs++].arg = arg;
	return 0;
}

void
cluster_obs_node(struct master *m, struct node *n, int online)
{
	int i;

	for (i = 0; i < m->nobs; i++)
		if (m->obs[i].ops->node != NULL)
			m->obs[i].ops->node(m->obs[i].arg, n, online);
}

void
cluster_obs_devices(struct master *m, struct node *n)
{
	int i;

	for (i = 0; i < m->nobs; i++)
		if (m->obs[i].ops->devices != NULL)
			m->obs[i].ops->devices(m->obs[i].arg, n);
}

void
cluster_obs_value(struct master *m, struct node *n, const Hd__ValueReport *r)
{
	int i;

	for (i = 0; i < m->nobs; i++)
		if (m->obs[i].ops->value != NULL)
			m->obs[i].ops->value(m->obs[i].arg, n, r);
}

void
cluster_obs_result(struct master *m, struct node *n,
    const Hd__CommandResult *r)
{
	int i;

	for (i = 0; i < m->nobs; i++)
		if (m->obs[i].ops->result != NULL)
			m->obs[i].ops->result(m->obs[i].arg, n, r);
}

void
cluster_obs_restarted(struct master *m, struct node *n)
{
	int i;

	for (i = 0; i < m->nobs; i++)
		if (m->obs[i].ops->restarted != NULL)
			m->obs[i].ops->restarted(m->obs[i].arg, n);
}

void
cluster_obs_freed(struct master *m, struct node *n)
{
	int i;

	for (i = 0; i < m->nobs; i++)
		if (m->obs[i].ops->freed != NULL)
			m->obs[i].ops->freed(m->obs[i].arg, n);
}

/* The first observer that takes e's body decides; one per body. */
int
cluster_obs_body(struct master *m, struct node *n, const Hd__Envelope *e,
    const char **name)
{
	const struct cluster_ops	*o;
	int				 i;

	for (i = 0; i < m->nobs; i++) {
		o = m->obs[i].ops;
		if (o->body == NULL || o->body_case != e->body_case)
			continue;
		*name = o->body_name;
		return o->body(m->obs[i].arg, n, e) == -1 ? -1 : 0;
	}
	return 1;
}
