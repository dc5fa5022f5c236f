/*
 * hd-zwsim: a Z-Wave USB stick simulator for tests and the demo. It
 * speaks the Serial API on a pty (the slave opens it as a serial device)
 * or on a TCP port, with a few simulated nodes:
 *
 *	node 1	the controller itself
 *	node 2	binary switch (generic 0x10; Binary Switch, Basic)
 *	node 3	binary sensor (generic 0x20; Binary Sensor, Battery)
 *	node 4	dimmer (generic 0x11; Multilevel Switch)
 *	node 5	multilevel sensor (generic 0x21; Multilevel Sensor, Battery)
 *	node 6	with -l: a door lock (generic 0x40) taking Door Lock only
 *		over S0, with secure inclusion (zwsim_s0.c; its control
 *		lines are there)
 *
 * Nodes answer RequestNodeInfo with their node information frame, SETs
 * and GETs with reports (through ApplicationCommandHandler 0x04).
 * Lines on stdin inject faults, for testing the session's recovery:
 *	nak N		answer the next N frames with NAK (and drop them)
 *	can N		answer the next N frames with CAN (and drop them)
 *	garbage N	send garbage bytes before each of the next N answers
 *	silent		ignore everything from now on (a jammed stick)
 *	jam N		the next N SendData callbacks say FAIL (the radio is
 *			jammed: nothing was transmitted, no node acts)
 *	reset		the next SendData is answered, then the stick restarts
 *			(SerialAPIStarted) instead of its callback
 *	talk		answer again
 *	deaf N		node N stops acknowledging (SendData fails)
 *	hear N		node N acknowledges again
 *	mute N 0|1	node N acts on commands but (1) sends no reports
 *	temp N TENTHS	node N reports this temperature (°C x 10)
 *	motion N 0|1	node N reports motion or none
 *	battery N PCT	node N reports its battery (255: low warning)
 *	join N GENERIC CC...	node N (classes in hex) waits to be added: it
 *			joins when the host's AddNodeToNetwork is on, at once
 *			if it is on already
 *	leave N		node N's button for exclusion: it leaves when the
 *			host's RemoveNodeFromNetwork is on
 *	sleepy N	node N becomes a sleeping node (not listening): it
 *			hears nothing until...
 *	wake N		...it wakes up (Wake Up Notification), until the
 *			host's No More Information
 *	endpoints N C	node N has C Multi Channel endpoints (binary switches)
 *	supervise N ST	node N answers Supervision Gets with status ST (hex)
 *	scene N S A	node N sends a Central Scene Notification: scene S,
 *			key attribute A (hex: 0 pressed, 1 released, 2 held,
 *			3..6 pressed 2..5 times), a new sequence number
 *	sceneagain N	...the last one again, same sequence number
 *	cfgv N V	node N's Configuration class is version V (1..4; 4
 *			unless told: Properties and Name from 3)
 *	nif N		node N sends its node information unasked (its
 *			button pressed, or as many nodes do right after
 *			they joined)
 *	routehold N	node N's next neighbour update (a heal) is held
 *			after its STARTED callback...
 *	routego		...until this line ends it (DONE, or FAILED for a
 *			deaf node)
 *	ts N TEMP LOSE	node N reports in Transport Service segments
 *			(zwsim_ts.c)
 *	smartstart N K	a SmartStart S2 device (zwsim_s2.c) that joins as
 *			node N asking for keys K (hex): it announces itself
 *			while the host's SmartStart listen mode is on
 * Nodes also answer Version Command Class Get, Z-Wave Plus Info Get,
 * Association Set/Get (group 1), Wake Up Interval Get/Set, Multi Channel
 * End Point/Capability Get and encapsulated commands, Supervision Get.
 * Inclusion mode: AddNodeToNetwork (0x4a) answers LEARN_READY, then for a
 * joining node NODE_FOUND, ADDING_SLAVE (with its node information) and
 * PROTOCOL_DONE; the host's STOP gets DONE with the node's id. Removal
 * (0x4b): LEARN_READY, then NODE_FOUND, REMOVING_SLAVE and DONE for a
 * leaving node, which is then gone from the node list. A STOP without a
 * callback id ends either mode silently.
 * Failed nodes: a node whose SendData went unacknowledged is in the
 * stick's failed list (IsFailedNode 0x62) until one is acknowledged.
 * RemoveFailedNode (0x61) removes a listed node that still does not
 * answer; ReplaceFailedNode (0x63) waits for a joining node (join N ...),
 * which then takes the failed node's id. Both answer 0x08 for a node not
 * in the list.
 * RequestNodeNeighborUpdate (0x48), AssignReturnRoute (0x46) and
 * AssignSUCReturnRoute (0x51) are answered as a stick does, failed for a
 * deaf or sleeping node; the stick is a real primary without a SUC until
 * SetSUCNodeID (0x54) makes one (GetControllerCapabilities 0x05,
 * GetSUCNodeID 0x56 tell it).
 * With -n N it has N more binary switches (nodes 7, 8, ...: a 40-node
 * network is -n 36). With -7 it is a 700/800 stick: its library says "Z-Wave 7.18" and it
 * answers SerialAPISoftReset (0x08) with SerialAPIStarted (a 500-series
 * one, the default, says "Z-Wave 6.07" and restarts without a word).
 * Its NVM (zwsim_nvm.c) is read and written through 0x2E (500 series)
 * or 0x3D (-7), the supported function in GetCapabilities' bitmask;
 * a restore rebuilds the node list from the image.
 * Every request is logged to stderr as "zwsim: request 0xFF [node N]".
 * A test tool: blocking poll() loop, no event library.
 */

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "net.h"
#include "../../slave/zwave/zw.h"
#include "zwsim.h"

#define HOME_ID		ZWSIM_HOME_ID
#define OWN_ID		1

#define NIF		0x84	/* ApplicationUpdate: node info received */
#define NIF_FAILED	0x81

static int	io = -1, nak, can, garbage, silent, reset_next, jam;
int		zwsim_sdk7;		/* -7; zwsim_nvm.c reads it too */
#define sdk7	zwsim_sdk7		/* its name here before it was shared */

/* Inclusion: the mode the host turned on (0x4a, 0x4b or 0) and its
 * callback id; a node waiting to join, one waiting to leave, the node
 * added whose DONE the host's STOP collects. */
static uint8_t		incl_func, incl_cb, added;
static uint8_t		leaver;
static uint8_t		replace_id, replace_cb;	/* ReplaceFailedNode */
/* routehold: the node whose neighbour update is held, and the one held
 * (its node, callback id; 0 none). */
static uint8_t		route_hold, held_node, held_cb;

static void
out(const uint8_t *b, size_t n)
{
	if (io != -1 && write(io, b, n) != (ssize_t)n)
		fprintf(stderr, "zwsim: write: %s\n", strerror(errno));
	usleep(2000);	/* one write per frame, never glued */
}

static void
send_frame(uint8_t type, uint8_t func, const uint8_t *pl, size_t n)
{
	static const uint8_t junk[] = { 0xff, 0x42, 0x01, 0x02, 0x00 };
	uint8_t	buf[ZW_MAX_FRAME];
	size_t	len = zw_frame_encode(buf, sizeof(buf), type, func, pl, n);

	if (garbage > 0) {
		garbage--;
		out(junk, sizeof(junk));
	}
	out(buf, len);
}

void
zwsim_answer(uint8_t func, const uint8_t *pl, size_t n)
{
	send_frame(ZW_RES, func, pl, n);
}

static void
init_data(void)
{
	uint8_t	pl[3 + ZW_NODEMASK_LEN + 2] = { 0x08, 0x00, ZW_NODEMASK_LEN };
	size_t	i;

	pl[3 + (OWN_ID - 1) / 8] |= 1u << ((OWN_ID - 1) % 8);
	for (i = 0; i < zwsim_nnodes; i++)
		pl[3 + (zwsim_nodes[i].id - 1) / 8] |= 1u << ((zwsim_nodes[i].id - 1) % 8);
	/* chip type (0x05: 500 series, 0x07: 700), version */
	pl[3 + ZW_NODEMASK_LEN] = sdk7 ? 0x07 : 0x05;
	send_frame(ZW_RES, ZW_FN_GET_INIT_DATA, pl, sizeof(pl));
}

static void
protocol_info(const struct zw_frame *f)
{
	uint8_t		 pl[6] = { 0 };
	struct simnode	*n = f->len >= 1 ? zwsim_find(f->payload[0]) : NULL;

	if (n != NULL) {
		pl[0] = n->sleepy ? 0x53 : 0xd3;	/* listening, routing */
		pl[1] = 0x9c;
		pl[3] = 0x04;	/* basic: routing slave */
		pl[4] = n->generic;
		pl[5] = n->specific;
	}
	send_frame(ZW_RES, ZW_FN_GET_NODE_PROTOCOL_INFO, pl, sizeof(pl));
}

/* Node `node` sends command `cmd` to the controller. */
void
zwsim_send(uint8_t node, const uint8_t *cmd, size_t len)
{
	uint8_t pl[3 + ZWSIM_CMD_MAX];

	if (len > ZWSIM_CMD_MAX)
		return;
	pl[0] = 0;
	pl[1] = node;
	pl[2] = (uint8_t)len;
	memcpy(pl + 3, cmd, len);
	send_frame(ZW_REQ, ZW_FN_APP_COMMAND, pl, 3 + len);
}

void
zwsim_update(const uint8_t *pl, size_t len)
{
	send_frame(ZW_REQ, ZW_FN_APP_UPDATE, pl, len);
}

/* SendData: node, length, command, tx options, callback id. */
static void
send_data(const struct zw_frame *f)
{
	static const uint8_t ok = 1;
	struct simnode	*n;
	/* funcID, status; with -7 a transmit report: 30 ms on the air
	 * (3 ticks), no repeater, acknowledged at -60 dBm */
	uint8_t		 cb[6] = { 0, 0, 0x00, 0x03, 0x00, (uint8_t)-60 };
	size_t		 clen;

	if (f->len < 4 || (clen = f->payload[1]) + 4 > f->len)
		return;
	send_frame(ZW_RES, ZW_FN_SEND_DATA, &ok, 1);
	if (reset_next) {
		/* reset reason (watchdog), then a node information frame
		 * of the stick itself: no callback will ever come */
		static const uint8_t started[] = { 0x03, 0x01, 0x02, 0x01,
		    0x00 };

		reset_next = 0;
		fprintf(stderr, "zwsim: restarts mid-send\n");
		send_frame(ZW_REQ, 0x0a, started, sizeof(started));
		return;
	}
	n = zwsim_find(f->payload[0]);
	cb[0] = f->payload[3 + clen];
	if (jam > 0) {
		jam--;
		cb[1] = 0x02;		/* TRANSMIT_COMPLETE_FAIL */
		fprintf(stderr, "zwsim: jammed: SendData to node %d not "
		    "transmitted\n", f->payload[0]);
		send_frame(ZW_REQ, ZW_FN_SEND_DATA, cb, 2);
		return;
	}
	/* ok / no ACK */
	cb[1] = n != NULL && !n->deaf && !n->asleep ? 0x00 : 0x01;
	if (n != NULL && !n->asleep)
		n->failed = cb[1] != 0x00;
	/* A node's answer may reach the host before the stick's callback. */
	if (cb[1] == 0x00 && zwsim_s0_early(n->id))
		zwsim_node_command(n, f->payload + 2, clen);
	send_frame(ZW_REQ, ZW_FN_SEND_DATA, cb, sdk7 ? sizeof(cb) : 2);
	if (cb[1] == 0x00 && !zwsim_s0_early(n->id))
		zwsim_node_command(n, f->payload + 2, clen);
}

/* Node `n`'s node information frame (ApplicationUpdate). */
static void
send_nif(const struct simnode *n)
{
	uint8_t		 pl[6 + MAX_CCS];
	size_t		 ncc = 0;

	while (ncc < MAX_CCS && n->cc[ncc] != 0)
		ncc++;
	pl[0] = NIF;
	pl[1] = n->id;
	pl[2] = (uint8_t)(3 + ncc);
	pl[3] = 0x04;
	pl[4] = n->generic;
	pl[5] = n->specific;
	memcpy(pl + 6, n->cc, ncc);
	send_frame(ZW_REQ, ZW_FN_APP_UPDATE, pl, 6 + ncc);
}

/* RequestNodeInfo: queued, then the node information frame. */
static void
node_info(const struct zw_frame *f)
{
	static const uint8_t ok = 1, failed[3] = { NIF_FAILED, 0, 0 };
	struct simnode	*n = f->len >= 1 ? zwsim_find(f->payload[0]) : NULL;

	send_frame(ZW_RES, f->func, &ok, 1);
	if (n == NULL || n->deaf) {
		send_frame(ZW_REQ, ZW_FN_APP_UPDATE, failed, sizeof(failed));
		return;
	}
	send_nif(n);
}

/* A status callback of AddNode/RemoveNode, with the node's info when
 * `n` is given. */
static void
incl_status(uint8_t func, uint8_t status, uint8_t node,
    const struct simnode *n)
{
	uint8_t	pl[7 + MAX_CCS] = { incl_cb, status, node, 0 };
	size_t	len = 4, ncc = 0;

	if (n != NULL) {
		while (ncc < MAX_CCS && n->cc[ncc] != 0)
			ncc++;
		pl[3] = (uint8_t)(3 + ncc);
		pl[4] = 0x04;
		pl[5] = n->generic;
		pl[6] = n->specific;
		memcpy(pl + 7, n->cc, ncc);
		len = 7 + ncc;
	}
	fprintf(stderr, "zwsim: %s status 0x%02x node %d\n",
	    func == ZW_FN_ADD_NODE ? "add" : "remove", status, node);
	send_frame(ZW_REQ, func, pl, len);
}

/* The waiting node joins or leaves, if the host's mode allows it. */
static void
incl_run(void)
{
	struct simnode *n;

	if (replace_id != 0 && zwsim_joiner.id != 0 &&
	    (n = zwsim_find(replace_id)) != NULL) {
		uint8_t cb[2] = { replace_cb, 0x04 };	/* replace done */

		*n = zwsim_joiner;
		n->id = replace_id;
		zwsim_joiner.id = 0;
		fprintf(stderr, "zwsim: node %d replaced\n", replace_id);
		replace_id = 0;
		send_frame(ZW_REQ, ZW_FN_REPLACE_FAILED, cb, sizeof(cb));
	} else if (incl_func == ZW_FN_ADD_NODE && zwsim_joiner.id != 0 && added == 0 &&
	    zwsim_nnodes < MAX_SIMNODES) {
		incl_status(incl_func, 0x02, 0, NULL);		/* found */
		incl_status(incl_func, 0x03, zwsim_joiner.id, &zwsim_joiner);
		zwsim_nodes[zwsim_nnodes++] = zwsim_joiner;
		added = zwsim_joiner.id;
		zwsim_joiner.id = 0;
		incl_status(incl_func, 0x05, added, NULL);	/* protocol */
		zwsim_s0_joined(added);
	} else if (incl_func == ZW_FN_REMOVE_NODE && leaver != 0 &&
	    (n = zwsim_find(leaver)) != NULL) {
		incl_status(incl_func, 0x02, 0, NULL);
		incl_status(incl_func, 0x03, leaver, NULL);
		*n = zwsim_nodes[--zwsim_nnodes];
		incl_status(incl_func, 0x06, leaver, NULL);	/* done */
		zwsim_s0_left(leaver);
		leaver = 0;
	}
}

/* AddNodeToNetwork / RemoveNodeFromNetwork: mode, callback id. */
static void
inclusion(const struct zw_frame *f)
{
	uint8_t mode, cb;

	if (f->len < 2)
		return;
	mode = f->payload[0] & 0x0f;
	cb = f->payload[1];
	fprintf(stderr, "zwsim: %s mode 0x%02x callback %d\n",
	    f->func == ZW_FN_ADD_NODE ? "add" : "remove", f->payload[0], cb);
	/* SmartStart: listen mode (no callback); any other mode ends it;
	 * 0x08 (a home id) picks the device that joins. */
	if (zwsim_ss_mode(f->func == ZW_FN_ADD_NODE ? mode : 0, f->payload,
	    f->len))
		return;
	if (mode == 0x05 && replace_id != 0 && f->func == ZW_FN_ADD_NODE) {
		fprintf(stderr, "zwsim: replacement of node %d stopped\n",
		    replace_id);
		replace_id = 0;
	}
	if (mode == 0x05) {				/* stop */
		if (incl_func == f->func && cb != 0) {
			incl_cb = cb;
			incl_status(f->func, added != 0 ? 0x06 : 0x07, added,
			    NULL);
		}
		if (incl_func == f->func)
			incl_func = 0;
		added = 0;
		return;
	}
	if (mode != 0x01 && !(mode == 0x08 && f->func == ZW_FN_ADD_NODE))
		return;
	if (incl_func != 0) {
		incl_cb = cb;
		incl_status(f->func, 0x07, 0, NULL);		/* failed */
		return;
	}
	incl_func = f->func;
	incl_cb = cb;
	added = 0;
	incl_status(f->func, 0x01, 0, NULL);		/* learn ready */
	incl_run();
}

/* IsFailedNode, RemoveFailedNode, ReplaceFailedNode. */
static void
failed_node(const struct zw_frame *f)
{
	struct simnode	*n = f->len >= 1 ? zwsim_find(f->payload[0]) : NULL;
	uint8_t		 res, cb[2];

	if (f->func == ZW_FN_IS_FAILED) {
		res = n != NULL && n->failed;
		send_frame(ZW_RES, f->func, &res, 1);
		return;
	}
	res = n == NULL || !n->failed || f->len < 2 ? 0x08 : 0x00;
	send_frame(ZW_RES, f->func, &res, 1);
	if (res != 0)
		return;
	cb[0] = f->payload[1];
	/* The stick tries the node once more first. */
	if (!n->deaf) {
		n->failed = 0;
		cb[1] = 0x00;				/* node OK */
	} else if (f->func == ZW_FN_REMOVE_FAILED) {
		fprintf(stderr, "zwsim: failed node %d removed\n", n->id);
		*n = zwsim_nodes[--zwsim_nnodes];
		cb[1] = 0x01;				/* removed */
	} else {
		replace_id = n->id;
		replace_cb = cb[0];
		cb[1] = 0x03;				/* waiting */
		fprintf(stderr, "zwsim: node %d: waiting for its "
		    "replacement\n", n->id);
	}
	send_frame(ZW_REQ, f->func, cb, sizeof(cb));
	if (replace_id != 0)
		incl_run();
}

/* The SUC: GetControllerCapabilities (a real primary; SUC and SIS once
 * set), GetSUCNodeID, SetSUCNodeID (our own id: no callback). */
static uint8_t	suc_id;

static void
suc(const struct zw_frame *f)
{
	static const uint8_t ok = 1;
	uint8_t caps = 0x08 | (suc_id == OWN_ID ? 0x14 : 0);

	if (f->func == ZW_FN_GET_CTRL_CAPS)
		send_frame(ZW_RES, f->func, &caps, 1);
	else if (f->func == ZW_FN_GET_SUC)
		send_frame(ZW_RES, f->func, &suc_id, 1);
	else if (f->len >= 4) {
		suc_id = f->payload[1] ? f->payload[0] : 0;
		fprintf(stderr, "zwsim: SUC%s set to node %d\n",
		    f->payload[3] ? "/SIS" : "", suc_id);
		send_frame(ZW_RES, f->func, &ok, 1);
	}
}

/* routego: the held neighbour update ends. */
static void
route_go(void)
{
	struct simnode	*n = zwsim_find(held_node);
	uint8_t		 cb[2];

	if (held_node == 0)
		return;
	cb[0] = held_cb;
	cb[1] = n != NULL && !n->deaf && !n->asleep ? 0x22 : 0x23;
	fprintf(stderr, "zwsim: node %d: neighbours %s\n", held_node,
	    cb[1] == 0x22 ? "updated" : "not updated");
	held_node = 0;
	send_frame(ZW_REQ, ZW_FN_NEIGHBOR_UPDATE, cb, sizeof(cb));
}

/* RequestNodeNeighborUpdate (no response: STARTED, then DONE or FAILED)
 * and AssignReturnRoute (response, then a transmit status): a deaf or
 * sleeping node fails both. */
static void
routes(const struct zw_frame *f)
{
	static const uint8_t ok = 1;
	struct simnode	*n = f->len >= 1 ? zwsim_find(f->payload[0]) : NULL;
	int		 hears = n != NULL && !n->deaf && !n->asleep;
	uint8_t		 cb[2];

	if (f->func == ZW_FN_NEIGHBOR_UPDATE && f->len >= 2) {
		cb[0] = f->payload[1];
		cb[1] = 0x21;
		send_frame(ZW_REQ, f->func, cb, sizeof(cb));
		if (route_hold != 0 && route_hold == f->payload[0]) {
			held_node = route_hold;
			held_cb = cb[0];
			route_hold = 0;
			fprintf(stderr, "zwsim: node %d: neighbour update "
			    "held\n", held_node);
			return;
		}
		cb[1] = hears ? 0x22 : 0x23;
		fprintf(stderr, "zwsim: node %d: neighbours %s\n",
		    f->payload[0], hears ? "updated" : "not updated");
		send_frame(ZW_REQ, f->func, cb, sizeof(cb));
	} else if (f->func == ZW_FN_ASSIGN_SUC_ROUTE && f->len >= 2) {
		send_frame(ZW_RES, f->func, &ok, 1);
		cb[0] = f->payload[1];
		cb[1] = hears && suc_id != 0 ? 0x00 : 0x01;
		if (cb[1] == 0x00)
			fprintf(stderr, "zwsim: node %d: return route to the "
			    "SUC\n", f->payload[0]);
		send_frame(ZW_REQ, f->func, cb, sizeof(cb));
	} else if (f->func == ZW_FN_ASSIGN_RETURN_ROUTE && f->len >= 3) {
		send_frame(ZW_RES, f->func, &ok, 1);
		cb[0] = f->payload[2];
		cb[1] = hears ? 0x00 : 0x01;
		if (hears)
			fprintf(stderr, "zwsim: node %d: return route to %d\n",
			    f->payload[0], f->payload[1]);
		send_frame(ZW_REQ, f->func, cb, sizeof(cb));
	}
}

static void
request(const struct zw_frame *f)
{
	/* ids, then the supported functions' bitmask (bit f - 1) */
	uint8_t caps[8 + 32] = { 1, 0, 0x00, 0x86, 0x00, 0x01, 0x00, 0x5a };
	static const uint8_t ver[] = "Z-Wave 6.07\0\x01";
	static const uint8_t ver7[] = "Z-Wave 7.18\0\x07";
	/* reset reason 0 (a reset), then the stick's own node information */
	static const uint8_t started[] = { 0x00, 0x01, 0x02, 0x01, 0x00 };
	uint8_t memid[5] = { HOME_ID >> 24, HOME_ID >> 16 & 0xff,
	    HOME_ID >> 8 & 0xff, HOME_ID & 0xff, OWN_ID };

	if ((f->func == ZW_FN_GET_NODE_PROTOCOL_INFO ||
	    f->func == ZW_FN_REQUEST_NODE_INFO) && f->len >= 1)
		fprintf(stderr, "zwsim: request 0x%02x node %d\n", f->func,
		    f->payload[0]);
	else
		fprintf(stderr, "zwsim: request 0x%02x\n", f->func);
	if (zwsim_nvm_request(f))
		return;
	switch (f->func) {
	case ZW_FN_GET_CAPABILITIES:
		zwsim_nvm_caps(caps + 8);
		send_frame(ZW_RES, f->func, caps, sizeof(caps));
		break;
	case ZW_FN_GET_VERSION:
		if (sdk7)
			send_frame(ZW_RES, f->func, ver7, sizeof(ver7) - 1);
		else
			send_frame(ZW_RES, f->func, ver, sizeof(ver) - 1);
		break;
	case ZW_FN_SOFT_RESET:
		fprintf(stderr, "zwsim: soft reset\n");
		if (sdk7)
			send_frame(ZW_REQ, ZW_FN_SERIAL_API_STARTED, started,
			    sizeof(started));
		break;
	case ZW_FN_MEMORY_GET_ID:
		send_frame(ZW_RES, f->func, memid, sizeof(memid));
		break;
	case ZW_FN_GET_INIT_DATA:
		init_data();
		break;
	case ZW_FN_GET_NODE_PROTOCOL_INFO:
		protocol_info(f);
		break;
	case ZW_FN_SEND_DATA:
		if (f->len >= 4)
			fprintf(stderr, "zwsim: node %d gets %02x %02x\n",
			    f->payload[0], f->payload[2], f->payload[3]);
		send_data(f);
		break;
	case ZW_FN_REQUEST_NODE_INFO:
		node_info(f);
		break;
	case ZW_FN_ADD_NODE:
	case ZW_FN_REMOVE_NODE:
		inclusion(f);
		break;
	case ZW_FN_NEIGHBOR_UPDATE:
	case ZW_FN_ASSIGN_RETURN_ROUTE:
	case ZW_FN_ASSIGN_SUC_ROUTE:
		routes(f);
		break;
	case ZW_FN_GET_CTRL_CAPS:
	case ZW_FN_GET_SUC:
	case ZW_FN_SET_SUC:
		suc(f);
		break;
	case ZW_FN_IS_FAILED:
	case ZW_FN_REMOVE_FAILED:
	case ZW_FN_REPLACE_FAILED:
		fprintf(stderr, "zwsim: request 0x%02x node %d\n", f->func,
		    f->len >= 1 ? f->payload[0] : 0);
		failed_node(f);
		break;
	default:
		break;		/* ACKed, no answer, like many sticks */
	}
}

static void
from_host(struct zw_parser *p, const uint8_t *b, size_t n)
{
	static const uint8_t ack = ZW_ACK, nakb = ZW_NAK, canb = ZW_CAN;
	struct zw_frame	f;
	size_t		i;
	enum zw_rx	ev;

	for (i = 0; i < n; i++) {
		ev = zw_parse_byte(p, b[i], 0, &f);
		if (silent)
			continue;
		if (ev == ZW_RX_BADSUM)
			out(&nakb, 1);
		if (ev != ZW_RX_FRAME)
			continue;
		if (nak > 0 || can > 0) {
			fprintf(stderr, "zwsim: refused 0x%02x with %s\n",
			    f.func, nak > 0 ? "NAK" : "CAN");
			if (nak > 0) {
				nak--;
				out(&nakb, 1);
			} else {
				can--;
				out(&canb, 1);
			}
			continue;
		}
		out(&ack, 1);
		request(&f);
	}
}

/* join N GENERIC CC...: a node waiting to be added. */
static int
join_control(const char *line)
{
	unsigned	v[2 + MAX_CCS];
	int		k, i;

	memset(v, 0, sizeof(v));
	k = sscanf(line, "join %u %x %x %x %x %x %x %x %x %x", &v[0], &v[1],
	    &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	if (k < 2 || v[0] < 2 || v[0] > ZW_MAX_NODES || zwsim_find((uint8_t)v[0]))
		return 0;
	memset(&zwsim_joiner, 0, sizeof(zwsim_joiner));
	zwsim_joiner.id = (uint8_t)v[0];
	zwsim_joiner.generic = (uint8_t)v[1];
	zwsim_joiner.specific = 0x01;
	for (i = 0; i + 2 < k && i < MAX_CCS; i++)
		zwsim_joiner.cc[i] = (uint8_t)v[i + 2];
	incl_run();
	return 1;
}

static void
control(char *line)
{
	int n = 1;

	sscanf(line, "%*s %d", &n);
	if (zwsim_node_control(line) || zwsim_s0_control(line) ||
	    zwsim_ts_control(line) || zwsim_s2_control(line) ||
	    join_control(line))
		;
	else if (strncmp(line, "nif", 3) == 0) {
		if (zwsim_find((uint8_t)n) != NULL)
			send_nif(zwsim_find((uint8_t)n));
	} else if (strncmp(line, "leave", 5) == 0) {
		leaver = (uint8_t)n;
		incl_run();
	}
	else if (strncmp(line, "nak", 3) == 0)
		nak = n;
	else if (strncmp(line, "can", 3) == 0)
		can = n;
	else if (strncmp(line, "garbage", 7) == 0)
		garbage = n;
	else if (strncmp(line, "silent", 6) == 0)
		silent = 1;
	else if (strncmp(line, "jam", 3) == 0)
		jam = n;
	else if (strncmp(line, "reset", 5) == 0)
		reset_next = 1;
	else if (strncmp(line, "talk", 4) == 0)
		silent = 0;
	else if (strncmp(line, "routehold", 9) == 0)
		route_hold = (uint8_t)n;
	else if (strncmp(line, "routego", 7) == 0)
		route_go();
	fprintf(stderr, "zwsim: control: %s", line);
}

static int
open_pty(const char *pathfile, int *keep)
{
	struct termios	t;
	char		name[128], tmp[256];
	FILE		*f;
	int		m;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) == -1 || grantpt(m) == -1 ||
	    unlockpt(m) == -1 || ptsname_r(m, name, sizeof(name)) != 0)
		return -1;
	/* Hold the other side open so the pty lives across the slave's
	 * reopens, raw so nothing is echoed before the slave sets it. */
	if ((*keep = open(name, O_RDWR | O_NOCTTY)) == -1 ||
	    tcgetattr(*keep, &t) == -1)
		return -1;
	cfmakeraw(&t);
	tcsetattr(*keep, TCSANOW, &t);
	snprintf(tmp, sizeof(tmp), "%s.tmp", pathfile);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "%s\n", name);
	fclose(f);
	return rename(tmp, pathfile) == -1 ? -1 : m;
}

static int
listen_tcp(const char *port)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;
	char			addr[64];

	snprintf(addr, sizeof(addr), "127.0.0.1:%s", port);
	if (net_parse_addr(addr, &ss, &sl) == -1)
		return -1;
	return net_listen(&ss, sl, 1);
}

/* The poll timeout: the lock's, the SmartStart announcements'. */
static int
timeout(void)
{
	int a = zwsim_s0_tick(), b = zwsim_ss_tick();

	return a < 0 ? b : b < 0 || a < b ? a : b;
}

static void
loop(int lfd)
{
	struct zw_parser	p;
	struct pollfd		pf[3];
	char			line[128];
	uint8_t			buf[512];
	ssize_t			n;
	int			use_stdin = 1;

	zw_parser_init(&p);
	for (;;) {
		pf[0] = (struct pollfd){ .fd = io, .events = POLLIN };
		pf[1] = (struct pollfd){ .fd = use_stdin ? 0 : -1,
		    .events = POLLIN };
		pf[2] = (struct pollfd){ .fd = io == -1 ? lfd : -1,
		    .events = POLLIN };
		if (poll(pf, 3, timeout()) == -1 && errno != EINTR)
			return;
		if (pf[1].revents) {
			if (fgets(line, sizeof(line), stdin) == NULL)
				use_stdin = 0;
			else
				control(line);
		}
		if (pf[2].revents & POLLIN) {
			io = net_accept(lfd, (char *)buf, sizeof(buf));
			zw_parser_init(&p);
			fprintf(stderr, "zwsim: client connected\n");
		}
		if (io == -1 || !(pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if ((n = read(io, buf, sizeof(buf))) > 0)
			from_host(&p, buf, (size_t)n);
		else if (lfd != -1 && (n == 0 || errno != EAGAIN)) {
			close(io);		/* tcp: wait for the next one */
			io = -1;
		} else if (n == -1 && errno == EIO)
			usleep(100000);		/* pty: nobody there yet */
	}
}

int
main(int argc, char *argv[])
{
	int keep = -1, lfd = -1, extra = 0;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stderr, NULL, _IOLBF, 0);
	/* Unbuffered: poll() must see every line not yet handled, which a
	 * stdio buffer holding several lines would hide. */
	setvbuf(stdin, NULL, _IONBF, 0);
	while (argc > 3 && argv[1][0] == '-' && argv[1][2] == '\0' &&
	    (argv[1][1] == 'l' || argv[1][1] == '7' || argv[1][1] == 'n')) {
		if (argv[1][1] == 'l')
			zwsim_nnodes++;
		else if (argv[1][1] == '7')
			sdk7 = 1;
		else {
			extra = atoi(argv[2]);
			argc--;
			argv++;
		}
		argc--;
		argv++;
	}
	/* After the lock's place, which -l counts. */
	if (zwsim_add_switches(extra) == -1) {
		fprintf(stderr, "hd-zwsim: -n: at most %zu more nodes\n",
		    MAX_SIMNODES - zwsim_nnodes);
		return 2;
	}
	if (argc == 3 && strcmp(argv[1], "-p") == 0)
		io = open_pty(argv[2], &keep);
	else if (argc == 3 && strcmp(argv[1], "-t") == 0)
		lfd = listen_tcp(argv[2]);
	else {
		fprintf(stderr, "usage: hd-zwsim [-l] [-7] [-n N] -p PATHFILE | "
		    "-t PORT\n");
		return 2;
	}
	if (io == -1 && lfd == -1) {
		perror("hd-zwsim");
		return 1;
	}
	fprintf(stderr, "zwsim: ready\n");
	loop(lfd);
	return 0;
}
