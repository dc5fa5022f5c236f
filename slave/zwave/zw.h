/*
 * Z-Wave Serial API on the slave (slave/zwave/), in Unify's layers,
 * bottom-up:
 *
 *	zw_port.c	serial device or tcp://host:port, behind an ops struct
 *	zw_frame.c	byte-level framing: SOF/ACK/NAK/CAN, length, checksum
 *	zw_session.c	request/response/callback state machine, retries,
 *			unsolicited dispatch
 *	zw_session_queue.c its bounded two-priority queue, completions
 *	zw_stick.c	glue to the event loop: fd watcher, one timer, reopen
 *			with back-off when the stick stops answering
 *	zw_api.c	parsers of the stick's answers and unsolicited frames
 *	zw_ctrl.c	start-up sequence, node table, devices
 *	zw_nodes.c	the node table on disk (proto/zwave.proto)
 *	zw_node.c	nodes as devices: interview, reports;
 *	zw_node_tx.c	sending to nodes, transmit status, state polls
 *	zw_node_cmd.c	commands to nodes (Supervision, Multi Channel)
 *	zw_mgmt.c	the management interview (Wake Up, Association,
 *	zw_mgmt_table.c	versions, endpoints) and what it learnt
 *	zw_incl.c	inclusion and exclusion, driven by the master
 *	zw_conf.c	the `zwave` configuration directives
 *
 * Beside them: the command classes' pure encoders and decoders (zw_cc.h,
 * zw_cc*.c) and security (zw_sec.h: S0 in zw_s0.c, its glue in zw_sec.c;
 * S2 will sit beside S0). Drivers meet the rest of the slave only through
 * the device table (slave/dev/, slave.h).
 *
 * The framing and session layers do no I/O and read no clock: bytes and
 * the time come in as arguments, frames go out through a callback, and
 * the session says when it next needs the time (zw_session_next). The
 * stick layer drives them from the event loop; unit tests and the fuzz
 * harness drive them with a fake clock.
 */
#ifndef HD_ZW_H
#define HD_ZW_H

#include <stddef.h>
#include <stdint.h>

#include "ev.h"
#include "hdlimits.h"
#include "zwave/zw_cc.h"

#define ZW_SOF		0x01
#define ZW_ACK		0x06
#define ZW_NAK		0x15
#define ZW_CAN		0x18

#define ZW_REQ		0x00
#define ZW_RES		0x01

/* Function ids used so far. */
#define ZW_FN_GET_INIT_DATA		0x02
#define ZW_FN_SERIAL_API_STARTED	0x0a	/* the stick (re)started */
#define ZW_FN_APP_COMMAND		0x04	/* ApplicationCommandHandler */
#define ZW_FN_GET_CAPABILITIES		0x07
#define ZW_FN_SOFT_RESET		0x08	/* no response; SerialAPIStarted */
#define ZW_FN_SEND_DATA			0x13
#define ZW_FN_SEND_DATA_ABORT		0x16	/* no response, no callback */
#define ZW_FN_GET_VERSION		0x15
#define ZW_FN_MEMORY_GET_ID		0x20
#define ZW_FN_GET_NODE_PROTOCOL_INFO	0x41
#define ZW_FN_APP_UPDATE		0x49	/* ApplicationUpdate */
#define ZW_FN_ADD_NODE			0x4a	/* AddNodeToNetwork */
#define ZW_FN_REMOVE_NODE		0x4b	/* RemoveNodeFromNetwork */
#define ZW_FN_GET_CTRL_CAPS		0x05	/* GetControllerCapabilities */
#define ZW_FN_ASSIGN_RETURN_ROUTE	0x46	/* AssignReturnRoute */
#define ZW_FN_ASSIGN_SUC_ROUTE		0x51	/* AssignSUCReturnRoute */
#define ZW_FN_SET_SUC			0x54	/* SetSUCNodeID */
#define ZW_FN_GET_SUC			0x56	/* GetSUCNodeID */
#define ZW_FN_NEIGHBOR_UPDATE		0x48	/* RequestNodeNeighborUpdate */
#define ZW_FN_REQUEST_NODE_INFO		0x60
#define ZW_FN_REMOVE_FAILED		0x61	/* RemoveFailedNode */
#define ZW_FN_IS_FAILED			0x62	/* IsFailedNode */
#define ZW_FN_REPLACE_FAILED		0x63	/* ReplaceFailedNode */
#define ZW_FN_APP_COMMAND_BRIDGE	0xa8

#define ZW_NO_DEADLINE	UINT64_MAX
#define ZW_CMD_GETS	3	/* a command's confirming GETs (a colour's) */

/* SendData callback: the transmit status (its second byte). */
#define ZW_TX_OK	0x00
#define ZW_TX_NO_ACK	0x01	/* the node did not acknowledge */
#define ZW_TX_FAIL	0x02	/* not transmitted: the radio is jammed */
#define ZW_TX_NOT_IDLE	0x03	/* not transmitted: routing busy */
#define ZW_TX_NO_ROUTE	0x04	/* no route to the node: unreachable */
#define ZW_MAX_REPEATERS 4	/* hops of a route (transmit report) */

/* One data frame, decoded. */
struct zw_frame {
	uint8_t		type;		/* ZW_REQ or ZW_RES */
	uint8_t		func;
	uint8_t		len;		/* payload bytes */
	uint8_t		payload[ZW_MAX_PAYLOAD];
};

/* --- zw_frame.c ------------------------------------------------------- */

enum zw_rx {
	ZW_RX_NONE,		/* byte taken, nothing complete yet */
	ZW_RX_ACK,
	ZW_RX_NAK,
	ZW_RX_CAN,
	ZW_RX_FRAME,		/* a valid frame: ACK it */
	ZW_RX_BADSUM,		/* a whole frame, wrong checksum: NAK it */
	ZW_RX_BADLEN,		/* SOF then an impossible length: dropped */
	ZW_RX_GARBAGE,		/* a byte outside any frame: skipped */
	ZW_RX_STALLED,		/* a started frame was dropped (byte timeout) */
};

struct zw_parser {
	int		state;
	uint8_t		buf[ZW_MAX_FRAME];
	size_t		have, need;
	uint64_t	last_ms;	/* time of the frame's SOF */
	uint64_t	now;		/* of the byte being taken */
	uint64_t	byte_timeout;	/* ms, ZW_BYTE_TIMEOUT_MS by default */
};

void		zw_parser_init(struct zw_parser *);
/*
 * Take one byte received at `now`. ZW_RX_FRAME fills `out`. A frame
 * that stalled longer than the byte timeout is dropped first (the byte
 * then starts afresh) and reported as ZW_RX_STALLED only by
 * zw_parser_expire(); here the new byte's own result is returned.
 */
enum zw_rx	zw_parse_byte(struct zw_parser *, uint8_t, uint64_t now,
		    struct zw_frame *out);
/* Drop a frame stalled at `now`: ZW_RX_STALLED if one was, else NONE. */
enum zw_rx	zw_parser_expire(struct zw_parser *, uint64_t now);
/* When zw_parser_expire() has work, or ZW_NO_DEADLINE. */
uint64_t	zw_parser_deadline(const struct zw_parser *);
uint8_t		zw_checksum(const uint8_t *, size_t);
/* Encode one frame into `out` (ZW_MAX_FRAME bytes); its length, or 0 if
 * the payload is too long. */
size_t		zw_frame_encode(uint8_t *out, size_t outlen, uint8_t type,
		    uint8_t func, const uint8_t *payload, size_t n);
const char	*zw_rx_str(enum zw_rx);

/* --- zw_session.c ----------------------------------------------------- */

enum zw_status {
	ZW_OK = 0,
	ZW_ERR_NOACK,		/* not ACKed after ZW_RETRIES transmissions */
	ZW_ERR_NORES,		/* ACKed, no response in time */
	ZW_ERR_NOCB,		/* no callback in time */
	ZW_ERR_REFUSED,		/* the stick answered "not accepted" */
	ZW_ERR_FULL,		/* the queue is full */
	ZW_ERR_DOWN,		/* the stick is not answering / port closed */
	ZW_ERR_INVAL,		/* payload too long */
	ZW_ERR_NONONCE,		/* zw_sec.c: the node gave no S0 nonce */
	ZW_ERR_RESTART,		/* the stick restarted (SerialAPIStarted) */
	ZW_ERR_JAMMED,		/* SendData: TX status FAIL, ZW_JAM_TRIES times */
	ZW_ERR_ROUTE_BUSY,	/* SendData: ROUTING_NOT_IDLE, as many times */
};

enum zw_prio {
	ZW_PRIO_USER,		/* commands from the master: first */
	ZW_PRIO_POLL,		/* start-up, interview, polling */
};

struct zw_session;

/*
 * A finished request. `res` is the response frame (NULL when none came or
 * none was wanted), `cb` the callback frame (NULL likewise). Both are
 * borrowed for the duration of the call.
 */
typedef void	zw_done_fn(void *arg, enum zw_status, const struct zw_frame *res,
		    const struct zw_frame *cb);

struct zw_req {
	uint8_t		 func;
	uint8_t		 payload[ZW_MAX_PAYLOAD];
	size_t		 len;
	int		 want_res;	/* a RES frame answers it */
	/* >= 0: the request wants a callback; the session writes a fresh
	 * callback id at payload[cb_idx] and waits for a REQ frame of the
	 * same function whose first byte is that id. The RES must then
	 * start with a non-zero byte ("queued"). */
	int		 cb_idx;
	uint64_t	 cb_timeout;	/* ms; 0: ZW_CB_TIMEOUT_MS */
	/* RequestNodeInfo: no callback id, but the stick is busy until the
	 * node's answer, an ApplicationUpdate (node info, or the request
	 * failed): the request stays in flight, as one awaiting its
	 * callback, until that update or cb_timeout. A SendData given
	 * meanwhile may be refused (the zwave-js mock exits). */
	int		 until_nif;
	enum zw_prio	 prio;
	zw_done_fn	*done;
	void		*arg;
	int		 urgent;	/* ahead of all queued: an S0 nonce */
};

struct zw_session_ops {
	/* Write one whole frame or a single ACK/NAK byte with one write(). */
	int	(*write)(void *arg, const uint8_t *, size_t);
	/* A frame the stick sent on its own (0x04, 0xA8, 0x49, ...). */
	void	(*unsolicited)(void *arg, const struct zw_frame *);
	/* ZW_DEAD_AFTER consecutive timeouts: the stick stopped answering. */
	void	(*dead)(void *arg);
	/* 1: a SendData failed jammed (TX status FAIL) after all its tries;
	 * 0: a transmission left the stick again. May be NULL. */
	void	(*jammed)(void *arg, int jammed);
};

struct zw_timing {
	uint64_t	ack_ms, res_ms, cb_ms, byte_ms, ack_gap_ms;
	uint64_t	ack_ack_ms;	/* least time between two of our ACKs */
	uint64_t	abort_ms;	/* SendData callback awaited, then abort */
	uint64_t	abort_cb_ms;	/* the callback awaited after the abort */
	uint64_t	backoff_base_ms, backoff_step_ms;
	int		dead_after;
	int		jam_tries;	/* SendData sends while not transmitted */
	uint64_t	jam_backoff_ms;	/* times the failures, before each */
};

struct zw_stats {
	uint64_t	tx_frames, rx_frames, retransmits, naks_sent;
	uint64_t	naks, cans, garbage, badlen, stalled, timeouts;
	uint64_t	unsolicited, aborts;
	uint64_t	jams;		/* SendData not transmitted, sent again */
};

void	zw_timing_default(struct zw_timing *);
/* NULL timing: the defaults. Free with zw_session_free(). */
struct zw_session *zw_session_new(const struct zw_session_ops *, void *arg,
	    const struct zw_timing *);
/* Fails every queued and pending request with ZW_ERR_DOWN, then frees. */
void	zw_session_free(struct zw_session *);
/*
 * Queue a copy of `r`. Returns 0, or -1 after calling nothing: the caller
 * gets the reason from *st (ZW_ERR_FULL, ZW_ERR_DOWN, ZW_ERR_INVAL).
 * On 0, r->done is called exactly once, later (never from inside this
 * call).
 */
int	zw_session_submit(struct zw_session *, const struct zw_req *,
	    uint64_t now, enum zw_status *st);
/* Bytes read from the port at `now`. */
void	zw_session_input(struct zw_session *, const uint8_t *, size_t,
	    uint64_t now);
/* Run what is due at `now`; then zw_session_next() is the next deadline. */
void	zw_session_tick(struct zw_session *, uint64_t now);
uint64_t zw_session_next(const struct zw_session *);
/* The port went away (1) or is back (0): while down, everything queued
 * fails with ZW_ERR_DOWN and submits are refused; back, a NAK goes out
 * first (a stick holding half a frame drops it). */
void	zw_session_set_down(struct zw_session *, int down, uint64_t now);
int	zw_session_queued(const struct zw_session *);
/* The stick restarted: everything queued or under way fails with `st`
 * at once (nothing it was sent will be answered); the byte stream and
 * owed ACKs are left alone, and submits are taken again right after. */
void	zw_session_abort(struct zw_session *, enum zw_status, uint64_t now);
/* A soft reset: nothing goes to the stick before `until` (0: at once
 * again); what is queued stays queued. */
void	zw_session_hold(struct zw_session *, uint64_t until, uint64_t now);
/* The stick restarted as we asked (a soft reset): what was on the wire
 * or awaited its callback fails with `st`, what is queued goes on, and
 * the hold ends. */
void	zw_session_restarted(struct zw_session *, enum zw_status,
	    uint64_t now);
const struct zw_stats *zw_session_stats(const struct zw_session *);
const char *zw_status_str(enum zw_status);

/* --- zw_port.c -------------------------------------------------------- */

struct zw_port_ops {
	const char	*name;
	/* Open `spec`; the fd is non-blocking. *connecting set while a TCP
	 * connect is still in progress (watch for EV_WRITE, then call
	 * `finish`). */
	int	(*open)(const char *spec, int *connecting);
	/* 0 once the connection is up; -1 with errno if it failed. */
	int	(*finish)(int fd);
};

extern const struct zw_port_ops zw_port_serial, zw_port_tcp;

/* The backend for a port spec: tcp:// or a device path; NULL if neither. */
const struct zw_port_ops *zw_port_pick(const char *spec);
/* Is `spec` a usable port spec? NULL or why not. */
const char	*zw_port_check(const char *spec);

/* --- zw_stick.c ------------------------------------------------------ */

struct zw_stick;

struct zw_stick_ops {
	/* The stick became reachable (1: port open, requests may go) or was
	 * lost (0: `why` says how; everything queued has failed). */
	void	(*up)(void *arg, int up, const char *why);
	void	(*unsolicited)(void *arg, const struct zw_frame *);
	/* The session's jammed(): the radio cannot transmit, or can again. */
	void	(*jammed)(void *arg, int jammed);
};

/* Opens `spec` now and keeps it open, reopening with back-off. */
struct zw_stick *zw_stick_new(struct ev_loop *, const char *spec,
	    const struct zw_stick_ops *, void *arg);
void	zw_stick_free(struct zw_stick *);
/* zw_session_submit() on the stick's session, with the loop's clock. */
int	zw_stick_submit(struct zw_stick *, const struct zw_req *,
	    enum zw_status *);
const struct zw_stats *zw_stick_stats(const struct zw_stick *);
/*
 * Soft-reset the stick (SerialAPISoftReset, 0x08): it goes ahead of all
 * queued, then nothing more goes to the stick until its SerialAPIStarted
 * or ZW_SOFT_RESET_WAIT_MS; either way `up(1)` follows (start again),
 * with no `up(0)` and what was queued kept. -1 if the port is closed or
 * a reset is under way already.
 */
int	zw_stick_soft_reset(struct zw_stick *);
/* Times the port was opened: a soft reset at start-up goes once each. */
unsigned zw_stick_opened(const struct zw_stick *);
/* Requests queued, on the wire or awaiting their callback: any, how many. */
int	zw_stick_busy(const struct zw_stick *);
int	zw_stick_load(const struct zw_stick *);

/* --- zw_api.c: the stick's answers, parsed ---------------------------- */

#define ZW_CAPS_MIN_LEN		8	/* GetCapabilities: what we read */
#define ZW_UPDATE_NIF		0x84	/* ApplicationUpdate: node info */
#define ZW_UPDATE_NIF_FAILED	0x81	/* RequestNodeInfo got no answer */
#define ZW_UPDATE_SS_HOMEID	0x85	/* a SmartStart device announces */
#define ZW_UPDATE_SS_INCLUDED	0x86	/* ... an included one (its NIF) */
#define ZW_UPDATE_SS_HOMEID_LR	0x87	/* ... on Long Range (not handled) */
#define ZW_CC_MARK		0xef	/* NIF: controlled classes follow */

struct zw_caps {
	uint8_t		app_major, app_minor;
	uint16_t	manufacturer, product_type, product_id;
};

struct zw_proto_info {
	uint8_t		cap, sec, basic, generic, specific;
};

struct zw_app_update {
	uint8_t		status, node, basic, generic, specific;
	uint8_t		cc[ZW_MAX_NODE_CCS];	/* supported classes */
	size_t		ncc;
};

/* ApplicationUpdate 0x85: a SmartStart device's announcement. */
struct zw_ss_update {
	uint8_t		status, node, rx_status;
	uint8_t		nwi[4];		/* its NWI home id */
	uint8_t		basic, generic, specific;	/* 0 when not sent */
};

struct zw_app_command {
	uint8_t		 rx_status, node;
	const uint8_t	*cmd;		/* borrowed from the frame */
	size_t		 len;		/* >= 1 */
};

/* Each parses a frame's payload: 0 (or a count), or -1 if malformed. */
int	zw_parse_caps(const uint8_t *, size_t, struct zw_caps *);
int	zw_parse_version(const uint8_t *, size_t, char *out, size_t outlen);
int	zw_version_major(const char *);
int	zw_parse_memid(const uint8_t *, size_t, uint32_t *home, uint8_t *own);
int	zw_parse_init(const uint8_t *, size_t,
	    uint8_t listed[ZW_MAX_NODES + 1]);
int	zw_parse_protocol_info(const uint8_t *, size_t,
	    struct zw_proto_info *);
int	zw_parse_app_update(const uint8_t *, size_t, struct zw_app_update *);
int	zw_parse_ss_update(const uint8_t *, size_t, struct zw_ss_update *);
int	zw_parse_app_command(uint8_t func, const uint8_t *, size_t,
	    struct zw_app_command *);

/* --- zw_ctrl.c, zw_nodes.c -------------------------------------------- */

struct dev;
struct slave;

#define ZW_INTERVIEW_PROTO	50	/* pct: protocol info known */
#define ZW_INTERVIEW_DONE	100	/* pct: command classes known */
#define ZW_INTERVIEW_NIF	75	/* pct: classes known, management
					 * interview (zw_mgmt.c) to come */

struct zw_ctrl;
struct zw_last;

struct zw_node {
	struct zw_ctrl	*ctrl;
	struct dev	*dev;		/* registered device, or NULL */
	int		 listed;	/* in the stick's node list */
	int		 have_info;	/* protocol info known */
	uint8_t		 cap, sec, basic, generic, specific;
	uint32_t	 pct;		/* interview progress */
	uint8_t		 cc[ZW_MAX_NODE_CCS];	/* supported classes */
	size_t		 ncc;
	int		 nif_asked;	/* since the stick came up */
	int		 refreshed;	/* state asked for since then */
	int		 poll_due;	/* its state poll waits its turn */
	struct zw_last	*last;		/* last values, by value index */
	int		 have_mfr;	/* Manufacturer Specific report */
	uint16_t	 mfr, ptype, pid;
	int		 failed;	/* stopped acknowledging */
	const char	*bin_key;	/* its Binary Sensor's key (static) */
	/* The management interview and sleeping nodes (zw_mgmt.c). */
	uint8_t		 ccver[ZW_MAX_NODE_CCS];	/* cc[i]'s version */
	int		 have_plus;
	uint8_t		 plus_role, plus_type;
	uint16_t	 icon_inst, icon_user;
	int		 lifeline;	/* group 1 reports to us */
	int		 lifeline_mc;	/* ... to our endpoint 0 (0x8e) */
	uint32_t	 wakeup_s;	/* interval set; 0 not sleeping */
	uint8_t		 wakeup_node;	/* the node it notifies */
	int		 awake;		/* between Notification and NMI */
	int		 mgmt_asked;	/* interviewed since the stick came up */
	struct zw_eps	*eps;		/* Multi Channel endpoints, or NULL */
	struct zw_mg	*mg;		/* interview step, wake-up queue */
	uint8_t		 sv_session;	/* last Supervision session id */
	int		 cmd_supervised;	/* the command's SET was */
	uint8_t		 cmd_ep;	/* its endpoint */
	/* The one command under way (zw_node.c). */
	uint64_t	 cmd_id;	/* 0: none */
	int		 cmd_sending;	/* its SET is at the session */
	int		 cmd_confirming;	/* SET delivered, awaiting report */
	int		 cmd_rechecks;	/* GETs again while a dimmer ramps */
	int		 cmd_recheck;	/* cmd_timer: GET again, not fail */
	uint8_t		 cmd_cc;
	char		 cmd_key[VALUE_KEY_MAX + 1];
	int64_t		 cmd_want;	/* 0/1 for "on", the level */
	struct ev_timer	 cmd_timer;
	/* Security (zw_sec.c): the scheme granted (0: none, 1: S0), the
	 * classes the node supports through it, the runtime state. */
	uint8_t		 sec_level;
	uint8_t		 scc[ZW_MAX_NODE_CCS];
	size_t		 nscc;
	struct zw_secnode *secn;
	/* Central Scene: the last notification's sequence number (a node
	 * may send one twice), its endpoint; have_scene_seq once one came */
	int		 have_scene_seq;
	uint8_t		 scene_seq, scene_ep;
	uint8_t		 scene_held;	/* the scene held down, 0 none */
	/* Included while the master's licence forbade secure inclusion:
	 * no later bootstrap (refresh_all) may give it the key. */
	int		 sec_denied;
	/* S2 (zw_sec_s2_boot.c): the classes granted, KEX keys bits; sec_level
	 * is then 2 + the highest (the protocol's Security values). */
	uint8_t		 s2_granted;
	/* Thermostat and Color Switch (zw_node_class.c): the Supported
	 * Reports (bit n: mode, setpoint type or component n; 0 none yet),
	 * each setpoint's scale, the components reported and those asked
	 * for by the command under way. */
	uint32_t	 therm_modes, setpoints;
	int		 sp_none;	/* its Setpoint Supported lists none */
	uint8_t		 sp_scale[16];
	uint16_t	 colors, color_have, color_pending;
	uint8_t		 color[ZW_COLOR_COMPONENTS];
	char		 color_str[ZW_COLOR_STR];
	/* The command's value when not on/off or a level, and its
	 * confirming GETs when not its class's plain GET. */
	double		 cmd_want_d;
	char		 cmd_want_s[24];
	uint8_t		 cmd_get[ZW_CMD_GETS][3];
	uint8_t		 cmd_getlen[ZW_CMD_GETS];
	size_t		 cmd_nget;
};

/* AddNodeToNetwork / RemoveNodeFromNetwork (zw_incl.c). */
#define ZW_INCL_MODE_ANY	0x01	/* add or remove any node */
#define ZW_INCL_MODE_STOP	0x05
#define ZW_INCL_MODE_HOMEID	0x08	/* include the device of a home id */
#define ZW_INCL_MODE_SS_LISTEN	0x09	/* SmartStart: hear announcements */
#define ZW_INCL_OPT_POWER	0x80	/* normal power */
#define ZW_INCL_OPT_NWI		0x40	/* network-wide inclusion */
#define ZW_INCL_LEARN_READY	0x01	/* callback statuses */
#define ZW_INCL_NODE_FOUND	0x02
#define ZW_INCL_ADDING_SLAVE	0x03	/* removing, for 0x4b */
#define ZW_INCL_ADDING_CTRL	0x04
#define ZW_INCL_PROTOCOL_DONE	0x05	/* 0x4a only */
#define ZW_INCL_DONE		0x06
#define ZW_INCL_FAILED		0x07
#define ZW_INCL_NOT_PRIMARY	0x23

/* One AddNode/RemoveNode status callback, parsed. */
struct zw_incl_status {
	uint8_t		cb_id, status, node;
	int		have_info;		/* the node's classes follow */
	uint8_t		basic, generic, specific;
	uint8_t		cc[ZW_MAX_NODE_CCS];
	size_t		ncc;
};

/* An inclusion or exclusion under way (zw_incl.c). */
struct zw_incl {
	int		 action;	/* Hd__ZwInclusion__Action; STOP: idle */
	int		 state;		/* Hd__ZwProgress__State, or -1 starting */
	uint8_t		 node;		/* found, being added or removed */
	uint8_t		 generic, specific, basic;	/* from the callback */
	int		 controller;
	uint8_t		 interview;	/* added, its interview awaited */
	uint64_t	 timeout;	/* ms, learn mode */
	uint64_t	 deadline;	/* monotonic ms of `timer` */
	struct ev_timer	 timer;
	int		 secure;	/* its node information lists S0 or S2 */
	int		 s2;		/* ... lists S2 (0x9F) */
	int		 insecure;	/* the master's licence allows no S0 now */
	int		 smartstart;	/* started by zw_smartstart.c */
};

enum zw_step {
	ZW_STEP_CAPS, ZW_STEP_VERSION, ZW_STEP_MEMID, ZW_STEP_INIT,
	ZW_STEP_NODES, ZW_STEP_READY,
};

struct zw_ctrl {
	struct slave	*s;
	struct zw_stick	*stick;
	enum zw_step	 step;
	int		 up, faulted, stopping;
	int		 jammed;	/* the radio could not transmit */
	int		 lib_major;	/* "Z-Wave 7.18": 7; -1 unknown */
	unsigned	 reset_open;	/* port opening soft-reset last */
	int		 jam_reset;	/* soft-reset for this jam already */
	uint32_t	 home_id, table_home;	/* stick's, node table's */
	uint8_t		 own_id;
	struct zw_secctl *sec;		/* zw_sec.c: keys, nonces */
	char		 version[16];
	struct zw_node	 node[ZW_MAX_NODES + 1];	/* by node id */
	char		*path;			/* node table file */
	struct ev_timer	 retry;		/* a failed start-up step */
	struct ev_timer	 ping;		/* idle stick check */
	int		 interviewing;	/* node asked for its NIF, or 0 */
	int		 mgmt;		/* node in its management interview */
	struct ev_timer	 idle_timer;	/* an interview waits for the stick */
	struct ev_timer	 poll_timer;	/* paced state polls */
	struct zw_incl	 incl;		/* zw_incl.c */
	struct zw_maint	*maint;		/* zw_maint.c */
	struct zw_nvm	*nvm;		/* zw_nvm.c: NVM backup, restore */
	struct zw_tsctl	*ts;		/* zw_transport_rx.c, made on use */
};

/* Fill ctrl->node from the table on disk; 0 if none or read. */
int	zw_nodes_load(struct zw_ctrl *);
int	zw_nodes_save(const struct zw_ctrl *);

/* zw_node.c */
struct dev_ops;
extern const struct dev_ops zw_dev_ops;
void	zw_interview_next(struct zw_ctrl *);
/* A command node zn sent, from endpoint ep (0: the node), decapsulated;
 * `secure`: it came inside a valid S0 encapsulation. 0 taken, -1 refused
 * (a clear-text command, at any depth of wrappers, of a class the node
 * was granted only securely). */
int	zw_node_receive(struct zw_ctrl *, struct zw_node *, uint8_t ep,
	    const uint8_t *cmd, size_t len, int secure);
int	zw_node_values(struct zw_node *);
void	zw_node_identity(struct zw_node *);
void	zw_node_forget(struct zw_node *);	/* frees the last values */
void	zw_node_unsolicited(struct zw_ctrl *, const struct zw_frame *);
/* Shared by zw_node.c and zw_node_cmd.c. */
int	zw_node_has(const struct zw_node *, uint8_t cc);	/* also securely */
int	zw_node_id(const struct zw_ctrl *, const struct zw_node *);
/* Mark the node failed (a device fault) or heard again. */
void	zw_node_fail(struct zw_ctrl *, struct zw_node *, int failed);
void	zw_node_report_all(struct dev *);

/* zw_node_rx.c: frames from nodes, their values */
void	zw_node_app_command(struct zw_ctrl *, const struct zw_frame *);
/* Report value `v` class `cc` gave (added to the device if new). */
void	zw_node_report_value(struct zw_ctrl *, struct zw_node *,
	    const struct zw_cc_value *v, uint8_t cc);

/* zw_node_class.c: Thermostat and Color Switch values and SETs */
struct Hd__Value;
void	zw_node_class_values(struct zw_node *);
int	zw_node_class_receive(struct zw_ctrl *, struct zw_node *, uint8_t ep,
	    const uint8_t *, size_t);
int	zw_node_class_key(const char *base);
size_t	zw_node_class_set(struct zw_node *, const char *base,
	    const struct Hd__Value *, uint8_t *out, size_t outlen,
	    const char **why);

/* zw_node_tx.c (zw_node_send and zw_node_send_clear too) */
void	zw_node_refresh(struct zw_ctrl *, int id);
/* A state poll's GET (said when it cannot be queued). */
void	zw_node_poll_send(struct zw_ctrl *, struct zw_node *, const uint8_t *,
	    size_t);
/* A Supported report (multi-sensor, meter): its GETs sent; 1 if it was. */
int	zw_node_supported(struct zw_ctrl *, struct zw_node *, uint8_t ep,
	    const uint8_t *cmd, size_t len);
/* Send the state polls that wait, a node at a time, while the stick's
 * load stays below ZW_POLL_PACE_BELOW; else look again later. */
void	zw_node_poll_pace(struct zw_ctrl *);
void	zw_on_poll_timer(struct ev_timer *);
/* A finished SendData: 0 delivered, 1 not acknowledged or no route, -1
 * the stick failed (jammed or busy after zw_session.c's tries too). */
int	zw_tx_result(enum zw_status, const struct zw_frame *cb);

/* zw_node_cmd.c: commands to nodes */
/* A Multilevel Switch Report from endpoint ep: a dimmer still on its way
 * to the level asked for is asked again after its ramp. */
void	zw_node_cmd_ramp(struct zw_ctrl *, struct zw_node *, uint8_t ep,
	    const uint8_t *cmd, size_t len);
struct Hd__Value;
void	zw_on_cmd_timeout(struct ev_timer *);
/* A value the node reported: it may confirm the command under way. */
void	zw_node_cmd_report(struct zw_ctrl *, struct zw_node *,
	    const char *key, const struct Hd__Value *);

/* zw_mgmt.c: the management interview, sleeping nodes, endpoints */
struct zw_eps {
	uint8_t		n;
	struct {
		uint8_t	generic, specific, ncc;
		uint8_t	cc[ZW_MAX_NODE_CCS];
	}		ep[ZW_MAX_ENDPOINTS];		/* endpoint i + 1 */
};
struct Hd__ZwNode;
/* Does the node have classes the management interview asks about? */
int	zw_mgmt_needed(const struct zw_node *);
/* Start it after the node information (c->mgmt set until it ends);
 * deferred while the node's secure inclusion or adoption runs. */
void	zw_mgmt_start(struct zw_ctrl *, struct zw_node *);
/* The node's secure inclusion or adoption ended (granted or not): the
 * management interview, deferred or to be redone with the secure
 * classes, goes on. */
void	zw_mgmt_security_known(struct zw_ctrl *, struct zw_node *);
/* Start it for a node whose classes are known but whose management
 * interview is not done (a restart, a node heard meanwhile): 1 if one
 * was started. */
int	zw_mgmt_next(struct zw_ctrl *);
/* A received command the management classes handle (1), else 0; -1
 * when the command an encapsulation carried was refused. */
int	zw_mgmt_receive(struct zw_ctrl *, struct zw_node *, uint8_t ep,
	    const uint8_t *cmd, size_t len, int secure);
/* A sleeping node not awake: keep `r` for its wake-up (1), else 0. */
int	zw_mgmt_hold(struct zw_ctrl *, struct zw_node *, const struct zw_req *);
int	zw_mgmt_unhold(struct zw_node *, zw_done_fn *, const void *arg);
/* Nothing more for an awake sleeping node (zw_sec.c, after an S0
 * exchange): No More Information, unless something is still under way. */
void	zw_mgmt_idle(struct zw_ctrl *, struct zw_node *);
void	zw_mgmt_forget(struct zw_node *);
/* The endpoints' values ("on.2", "level.1") on the node's device. */
void	zw_mgmt_values(struct zw_node *);
/* The version of class `cc` the node reported (1 when not known). */
int	zw_mgmt_version(const struct zw_node *, uint8_t cc);
int	zw_mgmt_ep_has(const struct zw_node *, uint8_t ep, uint8_t cc);
/* A sleeping node between wake-ups: what is sent to it waits. */
int	zw_mgmt_asleep(const struct zw_node *);
/* How the node hears us, from its protocol information: an
 * Hd__ZwListening (Device.listening). */
int	zw_mgmt_listening(const struct zw_node *);
/* Requests held for its wake-up. */
int	zw_mgmt_held(const struct zw_node *);
void	zw_mgmt_load(struct zw_node *, const struct Hd__ZwNode *);
/* Fill the table entry; zw_mgmt_save_free() it after writing. */
void	zw_mgmt_save(const struct zw_node *, struct Hd__ZwNode *);
void	zw_mgmt_save_free(struct Hd__ZwNode *);
void	zw_mgmt_stick_lost(struct zw_ctrl *);
/* The state poll of the endpoints (MC-encapsulated GETs). */
void	zw_mgmt_refresh(struct zw_ctrl *, struct zw_node *);

/* The command's Supervision Report for `session`. */
void	zw_node_supervised(struct zw_ctrl *, struct zw_node *,
	    uint8_t session, uint8_t status, uint8_t duration);
/* SendData of `cmd` to node `id`, held for a sleeping node's wake-up. */
int	zw_node_send(struct zw_ctrl *, int id, const uint8_t *cmd, size_t n,
	    enum zw_prio, zw_done_fn *, void *);
/* The same in clear, past the security hook (zw_sec.c's own frames);
 * `urgent`: ahead of the queue and never held for a sleeping node. */
int	zw_node_send_clear(struct zw_ctrl *, int id, const uint8_t *cmd,
	    size_t n, enum zw_prio, int urgent, zw_done_fn *, void *);
/* The interview of node `id` ended (management steps included). */
void	zw_node_interviewed(struct zw_ctrl *, struct zw_node *);

/* zw_api.c: an AddNode/RemoveNode status callback; 0 or -1 malformed */
int	zw_parse_incl_status(const uint8_t *, size_t, struct zw_incl_status *);
/* A SendData callback (funcID, status) and the transmit report a 700/800
 * stick appends: time on the air (10 ms ticks), repeaters (at most 4),
 * the acknowledgement's RSSI (127: not available). 0, or -1 if short or
 * out of range. */
struct zw_tx_report {
	uint8_t		cb_id, status;
	int		have_route;
	uint32_t	route_ms;
	uint8_t		repeaters;
	int8_t		rssi_dbm;
};
int	zw_parse_tx_report(const uint8_t *, size_t, struct zw_tx_report *);

/* zw_incl.c */
void	zw_incl_init(struct zw_ctrl *);
/* The stick was lost or the slave stops: end what is under way. */
void	zw_incl_abort(struct zw_ctrl *, const char *why);
void	zw_incl_unsolicited(struct zw_ctrl *, const struct zw_frame *);
/* A node's interview completed (zw_node.c). */
void	zw_incl_interviewed(struct zw_ctrl *, int id);
/* An S2 bootstrapping step for the master (zw_sec_s2_boot.c): its state
 * (S2_GRANT, S2_PIN, SECURITY), the KEX keys bits asked for and granted,
 * the DSK (or NULL), and whether the node got less than S2 it asked. */
void	zw_incl_security(struct zw_ctrl *, int state, int node,
	    const char *why, unsigned requested, unsigned granted,
	    const char *dsk, int downgraded);

/* zw_incl.c: SmartStart's inclusion of the device with this DSK (-1:
 * the stick is busy or refused it); end it before the device joined. */
int	zw_incl_smartstart(struct zw_ctrl *, const uint8_t dsk[16]);
void	zw_incl_ss_cancel(struct zw_ctrl *, const char *why);

/* zw_smartstart.c: SmartStart listen mode as the list wants it (arm),
 * left before another operation (leave), forgotten by a restarted stick
 * (lost); a device's announcement; the node a SmartStart inclusion
 * added; the stick's part of it ended (DONE: S2 follows). */
struct zw_ss_update;
void	zw_ss_arm(struct zw_ctrl *);
void	zw_ss_leave(struct zw_ctrl *);
/* ... saying what for (an NVM restore). */
void	zw_ss_leave_for(struct zw_ctrl *, const char *why);
void	zw_ss_lost(struct zw_ctrl *);
void	zw_ss_announce(struct zw_ctrl *, const struct zw_ss_update *);
void	zw_ss_joined(struct zw_ctrl *, int node);
void	zw_ss_incl_ended(struct zw_ctrl *, int state, int node,
	    const char *why);

/* zw_ctrl.c: a node's slot emptied, a known node registered or removed */
void	zw_ctrl_node_reset(struct zw_ctrl *, int id);
int	zw_ctrl_node_register(struct zw_ctrl *, int id);
int	zw_ctrl_node_unregister(struct zw_ctrl *, int id);
/* The device description's command classes and failed flag. */
void	zw_ctrl_node_desc(struct zw_node *);

#endif
