/*
 * hd-zwsim's simulated nodes: their state, what they answer to the
 * controller's commands (reports, the management classes, Multi Channel
 * endpoints, Supervision) and the control lines that act on one node.
 * The stick itself (Serial API, inclusion, the pty or TCP port) is in
 * zwsim.c.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zwsim.h"

struct simnode zwsim_nodes[MAX_SIMNODES] = {
	{ .id = 2, .generic = 0x10, .specific = 0x01,
	  .cc = { 0x25, 0x20, 0x86, 0x72 } },
	{ .id = 3, .generic = 0x20, .specific = 0x01, .cc = { 0x30, 0x80 },
	  .battery = 90 },
	{ .id = 4, .generic = 0x11, .specific = 0x01, .cc = { 0x26, 0x20 } },
	{ .id = 5, .generic = 0x21, .specific = 0x01, .cc = { 0x31, 0x80 },
	  .battery = 80, .temp = 215 },
	/* Its node information lists only what it takes in clear. */
	{ .id = ZWSIM_LOCK_ID, .generic = 0x40, .specific = 0x03,
	  .cc = { 0x98, 0x72, 0x86 } },
};
/* The lock (fifth) only with -l, so the other tests' node counts hold;
 * nodes that join go after it. */
size_t		zwsim_nnodes = 4;
/* The node waiting to be added (join), not yet in zwsim_nodes. */
struct simnode	zwsim_joiner;

int
zwsim_add_switches(int n)
{
	struct simnode	*sw;
	int		 i;

	if (n < 0 || (size_t)n > MAX_SIMNODES - zwsim_nnodes)
		return -1;
	for (i = 0; i < n; i++) {
		sw = &zwsim_nodes[zwsim_nnodes++];
		*sw = zwsim_nodes[0];		/* node 2's kind */
		sw->id = (uint8_t)(ZWSIM_LOCK_ID + 1 + i);
	}
	return 0;
}

struct simnode *
zwsim_find(uint8_t id)
{
	size_t i;

	for (i = 0; i < zwsim_nnodes; i++)
		if (zwsim_nodes[i].id == id)
			return &zwsim_nodes[i];
	return NULL;
}

/* The report of class `cc` with the node's current state. */
void
zwsim_report(const struct simnode *n, uint8_t cc)
{
	uint8_t r[8] = { cc, 0x03 };
	size_t	len = 3;

	if (n->mute)
		return;

	switch (cc) {
	case 0x20:
	case 0x25:
		r[2] = n->generic == 0x11 ? n->level : n->on;
		break;
	case 0x26:
		r[2] = n->level;
		break;
	case 0x30:
		r[2] = n->motion ? 0xff : 0x00;
		r[3] = 0x0c;				/* motion */
		len = 4;
		break;
	case 0x31:
		r[1] = 0x05;
		r[2] = 0x01;				/* air temperature */
		r[3] = 0x22;			/* precision 1, °C, 2 bytes */
		r[4] = (uint8_t)((uint16_t)n->temp >> 8);
		r[5] = (uint8_t)(n->temp & 0xff);
		len = 6;
		break;
	case 0x80:
		r[2] = n->battery;
		break;
	case 0x72:				/* Manufacturer Specific */
		r[1] = 0x05;
		r[3] = 0x86;			/* 0x0086 */
		r[5] = 0x03;			/* type 0x0003 */
		r[7] = 0x60;			/* id 0x0060 */
		len = 8;
		break;
	default:
		return;
	}
	zwsim_send(n->id, r, len);
}

static int	cur_ep;		/* the endpoint a command is for */

/* Node `n`'s answer from endpoint `cur_ep` (encapsulated if not 0). */
static void
reply(const struct simnode *n, const uint8_t *cmd, size_t len)
{
	uint8_t e[4 + 16] = { 0x60, 0x0d, 0, 0 };

	if (cur_ep == 0 || len > 16) {
		zwsim_send(n->id, cmd, len);
		return;
	}
	e[2] = (uint8_t)cur_ep;
	memcpy(e + 4, cmd, len);
	zwsim_send(n->id, e, 4 + len);
}

/* Configuration: two parameters (zwsim.h), Properties and Name from
 * version 3; a parameter it does not have gets no Report (a Properties
 * Report of size 0). Set keeps a value only within the range. */
static void
config_command(struct simnode *n, const uint8_t *c, size_t len)
{
	static const char *const names[] = { "", "LED brightness",
	    "Report interval" };
	static const int32_t lo[] = { 0, 0, 30 }, hi[] = { 0, 99, 3600 },
	    dflt[] = { 0, 50, 300 };
	uint8_t	r[32] = { 0x70 };
	int	p, size, i, ver = n->cfg_v ? n->cfg_v : 4;
	int32_t	v;

	if (!n->cfg_set) {
		n->cfg[1] = dflt[1];
		n->cfg[2] = dflt[2];
		n->cfg_set = 1;
	}
	p = c[1] == 0x0e || c[1] == 0x0a ? (len >= 4 ? c[2] << 8 | c[3] : 0) :
	    len >= 3 ? c[2] : 0;
	size = p == 1 ? 1 : p == 2 ? 2 : 0;
	if (c[1] == 0x0e && ver >= 3) {		/* Properties */
		r[1] = 0x0f; r[2] = 0; r[3] = (uint8_t)p;
		r[4] = (uint8_t)size;			/* format 0: signed */
		if (size == 0) {
			r[5] = 0; r[6] = 0;
			reply(n, r, 7);
			return;
		}
		for (i = 0; i < size; i++) {
			r[5 + i] = (uint8_t)(lo[p] >> (8 * (size - 1 - i)));
			r[5 + size + i] = (uint8_t)(hi[p] >>
			    (8 * (size - 1 - i)));
			r[5 + 2 * size + i] = (uint8_t)(dflt[p] >>
			    (8 * (size - 1 - i)));
		}
		r[5 + 3 * size] = 0;
		r[6 + 3 * size] = (uint8_t)(p == 1 ? 2 : 0);
		reply(n, r, (size_t)(7 + 3 * size));
	} else if (c[1] == 0x0a && ver >= 3 && size != 0) {	/* Name */
		r[1] = 0x0b; r[2] = 0; r[3] = (uint8_t)p; r[4] = 0;
		memcpy(r + 5, names[p], strlen(names[p]));
		reply(n, r, 5 + strlen(names[p]));
	} else if (c[1] == 0x04 && size != 0 && len >= 4u + (size_t)size) {
		v = size == 1 ? (int8_t)c[4] : (int16_t)(c[4] << 8 | c[5]);
		if (v >= lo[p] && v <= hi[p])
			n->cfg[p] = v;
		fprintf(stderr, "zwsim: node %d: parameter %d set to %d%s\n",
		    n->id, p, v, v >= lo[p] && v <= hi[p] ? "" :
		    " (out of range: kept)");
	} else if (c[1] == 0x05 && size != 0) {		/* Get */
		r[1] = 0x06; r[2] = (uint8_t)p; r[3] = (uint8_t)size;
		for (i = 0; i < size; i++)
			r[4 + i] = (uint8_t)(n->cfg[p] >> (8 * (size - 1 - i)));
		reply(n, r, (size_t)(4 + size));
	}
}

/* The management classes; 1 if `c` was one of theirs. */
/* Association Set, Get, Remove (0x85) on groups 1..SIM_GROUPS; a Get of
 * a group it has not is answered with group 1, as the class says. */
static void
assoc_command(struct simnode *n, const uint8_t *c, size_t len)
{
	uint8_t	 r[5 + SIM_GROUP_MAX] = { 0x85, 0x03 }, *g;
	size_t	 i, j, gi;

	if (len < 2)
		return;
	if (c[1] == 0x05) {				/* Groupings Get */
		r[1] = 0x06; r[2] = SIM_GROUPS;
		reply(n, r, 3);
		return;
	}
	if (len < 3)
		return;
	gi = c[2] >= 1 && c[2] <= SIM_GROUPS ? c[2] - 1u : 0;
	g = n->group[gi];
	if (c[1] == 0x02) {
		r[2] = (uint8_t)(gi + 1);
		r[3] = gi == 0 ? 1 : SIM_GROUP_MAX;
		memcpy(r + 5, g, n->ngroup[gi]);
		reply(n, r, 5 + n->ngroup[gi]);
		return;
	}
	if (c[1] == 0x01 && c[2] >= 1 && c[2] <= SIM_GROUPS) {
		for (i = 3; i < len; i++) {
			for (j = 0; j < n->ngroup[gi] && g[j] != c[i]; j++)
				;
			if (gi == 0)		/* the lifeline: replaced */
				g[0] = c[i], n->ngroup[0] = 1;
			else if (j == n->ngroup[gi] && j < SIM_GROUP_MAX)
				g[n->ngroup[gi]++] = c[i];
			fprintf(stderr, "zwsim: node %d: group %d: %s %d\n",
			    n->id, c[2], j < n->ngroup[gi] ? "has" :
			    "full, refused", c[i]);
		}
	} else if (c[1] == 0x04 && c[2] <= SIM_GROUPS) {
		for (gi = 0; gi < SIM_GROUPS; gi++) {
			if (c[2] != 0 && gi + 1 != c[2])
				continue;
			g = n->group[gi];
			for (i = j = 0; i < n->ngroup[gi]; i++)
				if (len > 3 && memchr(c + 3, g[i], len - 3) ==
				    NULL)
					g[j++] = g[i];
			n->ngroup[gi] = (uint8_t)j;
		}
		fprintf(stderr, "zwsim: node %d: group %d: removed\n", n->id,
		    c[2]);
	}
}

static int
mgmt_command(struct simnode *n, const uint8_t *c, size_t len)
{
	uint8_t r[16] = { c[0] };

	if (c[0] == 0x70) {
		config_command(n, c, len);
		return 1;
	}

	switch (c[0] << 8 | c[1]) {
	case 0x8613:					/* Version CC Get */
		if (len < 3)
			return 1;
		r[1] = 0x14; r[2] = c[2]; r[3] = c[2] == 0x86 ? 2 :
		    c[2] == 0x70 ? (n->cfg_v ? n->cfg_v : 4) :
		    c[2] == 0x33 ? 2 : c[2] == 0x43 ? 3 : 1;
		reply(n, r, 4);
		return 1;
	case 0x5e01:					/* Z-Wave Plus Info */
		memcpy(r, (const uint8_t []){ 0x5e, 0x02, 0x02, 0x05, 0x00,
		    0x06, 0x00, 0x06, 0x00 }, 9);
		reply(n, r, 9);
		return 1;
	case 0x5901:				/* AGI Group Name Get */
		if (len >= 3 && c[2] >= 1 && c[2] <= SIM_GROUPS) {
			static const char *const names[SIM_GROUPS] = {
			    "Lifeline", "Basic Set", "Notification" };
			size_t nl = strlen(names[c[2] - 1]);

			r[1] = 0x02; r[2] = c[2]; r[3] = (uint8_t)nl;
			memcpy(r + 4, names[c[2] - 1], nl);
			reply(n, r, 4 + nl);
		}
		return 1;
	case 0x8501:					/* Association */
	case 0x8502:
	case 0x8504:
	case 0x8505:
		assoc_command(n, c, len);
		return 1;
	case 0x8405:					/* Wake Up Interval */
		r[1] = 0x06; r[2] = (uint8_t)(n->wakeup >> 16);
		r[3] = (uint8_t)(n->wakeup >> 8); r[4] = (uint8_t)n->wakeup;
		r[5] = n->wakeup_node;
		reply(n, r, 6);
		return 1;
	case 0x8404:
		if (len >= 6) {
			n->wakeup = (uint32_t)c[2] << 16 | c[3] << 8 | c[4];
			n->wakeup_node = c[5];
		}
		return 1;
	case 0x8408:					/* No More Information */
		n->asleep = n->sleepy;
		fprintf(stderr, "zwsim: node %d back to sleep\n", n->id);
		return 1;
	case 0x6007:					/* End Point Get */
		r[1] = 0x08; r[2] = 0x40; r[3] = n->endpoints;
		reply(n, r, 4);
		return 1;
	case 0x6009:					/* Capability Get */
		if (len < 3)
			return 1;
		memcpy(r, (const uint8_t []){ 0x60, 0x0a, c[2], 0x10, 0x01,
		    0x25, 0x6c }, 7);
		reply(n, r, 7);
		return 1;
	case 0x600d:					/* encapsulated */
		if (len >= 5 && c[3] >= 1 && c[3] <= n->endpoints) {
			cur_ep = c[3];
			zwsim_node_command(n, c + 4, len - 4);
			cur_ep = 0;
		}
		return 1;
	case 0x6c01:					/* Supervision Get */
		if (len < 5 || (size_t)c[3] + 4 > len)
			return 1;
		/* It acts when it reports SUCCESS, or WORKING and then
		 * SUCCESS; not on FAIL, NO_SUPPORT, or a WORKING left so. */
		if (n->sv_status == 0xff ||
		    (n->sv_status == 0x01 && (c[2] & 0x80)))
			zwsim_node_command(n, c + 4, c[3]);
		r[1] = 0x02; r[2] = c[2] & 0x3f; r[3] = n->sv_status; r[4] = 0;
		if (n->sv_status == 0x01 && (c[2] & 0x80)) {
			/* WORKING, updates asked for: done at once after */
			r[2] |= 0x80;
			r[4] = 1;
			reply(n, r, 5);
			r[2] &= 0x3f;
			r[3] = 0xff;	/* SUCCESS */
			r[4] = 0;
		}
		reply(n, r, 5);
		return 1;
	default:
		return 0;
	}
}

/* A command from the controller: act on a SET, answer it or a GET. */
void
zwsim_node_command(struct simnode *n, const uint8_t *c, size_t len)
{
	if (len < 2 || zwsim_s0_command(n->id, c, len) ||
	    zwsim_s2_command(n->id, c, len) ||
	    zwsim_ts_command(n->id, c, len) || mgmt_command(n, c, len) ||
	    zwsim_cc_command(n, c, len))
		return;
	if (cur_ep != 0) {			/* an endpoint's switch */
		if (c[0] == 0x25 && c[1] == 0x01 && len >= 3)
			n->ep_on[cur_ep] = c[2] ? 0xff : 0x00;
		if (c[0] == 0x25 && (c[1] == 0x01 || c[1] == 0x02)) {
			uint8_t r[3] = { 0x25, 0x03, n->ep_on[cur_ep] };

			reply(n, r, 3);
		}
		return;
	}
	if (c[1] == 0x01 && len >= 3) {			/* SET */
		if (c[0] == 0x25 || (c[0] == 0x20 && n->generic == 0x10))
			n->on = c[2] ? 0xff : 0x00;
		else if (c[0] == 0x26 || (c[0] == 0x20 && n->generic == 0x11))
			n->level = c[2] == 0xff ? 99 : c[2];
		else
			return;
		zwsim_report(n, c[0]);
	} else if (c[1] == 0x02 || (c[1] == 0x04 &&
	    (c[0] == 0x31 || c[0] == 0x72)))
		zwsim_report(n, c[0]);
}

/* sleepy, wake, endpoints, supervise: the management classes. */
static int
mgmt_control(struct simnode *n, const char *word, const char *line, int v)
{
	static const uint8_t wu[] = { 0x84, 0x07 };
	static uint8_t	last_scene[5] = { 0x5b, 0x03 }, scene_seq;
	unsigned	st, sc;

	if (strcmp(word, "sleepy") == 0) {
		n->sleepy = 1;
		n->asleep = n != &zwsim_joiner;	/* awake while joining */
	} else if (strcmp(word, "wake") == 0) {
		n->asleep = 0;
		zwsim_send(n->id, wu, sizeof(wu));
	} else if (strcmp(word, "endpoints") == 0)
		n->endpoints = (uint8_t)(v < 0 ? 0 : v > MAX_EPS ? MAX_EPS : v);
	else if (strcmp(word, "scene") == 0 &&
	    sscanf(line, "%*s %*d %u %x", &sc, &st) == 2) {
		/* Central Scene Notification: a new sequence number */
		last_scene[2] = scene_seq++;
		last_scene[3] = (uint8_t)st;
		last_scene[4] = (uint8_t)sc;
		zwsim_send(n->id, last_scene, sizeof(last_scene));
	} else if (strcmp(word, "sceneagain") == 0)
		zwsim_send(n->id, last_scene, sizeof(last_scene));
	else if (strcmp(word, "cfgv") == 0)
		n->cfg_v = (uint8_t)(v < 1 ? 1 : v > 4 ? 4 : v);
	else if (strcmp(word, "supervise") == 0 &&
	    sscanf(line, "%*s %*d %x", &st) == 1)
		n->sv_status = (uint8_t)st;
	else
		return zwsim_cc_control(n, word, line);
	return 1;
}

/* Lines that act on one node: deaf, hear, temp, motion, battery. */
int
zwsim_node_control(const char *line)
{
	struct simnode	*n;
	int		 id = 0, v = 0;
	char		 word[16];

	if (sscanf(line, "%15s %d %d", word, &id, &v) < 2 || id < 1 ||
	    id > 255)
		return 0;
	/* The node waiting to join takes the management settings too. */
	if ((n = zwsim_find((uint8_t)id)) == NULL && zwsim_joiner.id == id)
		return mgmt_control(&zwsim_joiner, word, line, v);
	if (n == NULL)
		return 0;
	if (strcmp(word, "deaf") == 0)
		n->deaf = 1;
	else if (strcmp(word, "hear") == 0)
		n->deaf = 0;
	else if (strcmp(word, "mute") == 0)
		n->mute = v != 0;
	else if (strcmp(word, "temp") == 0) {
		n->temp = (int16_t)v;
		zwsim_report(n, 0x31);
	} else if (strcmp(word, "motion") == 0) {
		n->motion = v != 0;
		zwsim_report(n, 0x30);
	} else if (strcmp(word, "battery") == 0) {
		n->battery = (uint8_t)v;
		zwsim_report(n, 0x80);
	} else
		return mgmt_control(n, word, line, v);
	return 1;
}
