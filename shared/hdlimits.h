/*
 * Every limit on input from outside the process, in one place.
 * A value from a peer, a file or a device is checked against these before
 * anything is allocated or copied.
 */
#ifndef HD_LIMITS_H
#define HD_LIMITS_H

/* Cluster link framing (shared/wire.c). */
#define WIRE_HDR_LEN		4		/* big-endian length prefix */
#define WIRE_MAX_FRAME		(64 * 1024)	/* largest envelope accepted */
/* Unpack allocator budget per frame: a full frame of CLUSTER_MAX_DEVICES
 * small devices decodes to ~16x its wire size, bookkeeping included. */
#define WIRE_MAX_DECODE_MEM	(1024 * 1024)
#define WIRE_MAX_OUTQ		(512 * 1024)	/* bytes queued to one peer before it is dropped */
#define WIRE_PROTOCOL		1		/* Hello.protocol we speak */
/* The oldest Hello.protocol a master accepts: a change of protocol keeps
 * the previous one accepted for a release (docs/OPERATIONS.md, Upgrades). */
#define WIRE_PROTOCOL_MIN	1

/* Peers and timing (defaults; the timing ones are configurable). */
#define CLUSTER_MAX_PEERS	64		/* slaves connected to one master */
#define CLUSTER_MAX_PENDING	16		/* connections still in TLS handshake */
#define CLUSTER_HANDSHAKE_MS	5000		/* TLS handshake + Hello must finish by then */
#define CLUSTER_HEARTBEAT_MS	1000		/* default heartbeat interval */
#define CLUSTER_TIMEOUT_MS	5000		/* default silence => offline */
#define CLUSTER_MAX_DEVICES	1024		/* devices one slave may announce */
#define CLUSTER_MAX_DEV_VALUES	32		/* values one device may have */
#define CLUSTER_REPLAY_QUEUE	256		/* unacknowledged reports a slave keeps */
#define CLUSTER_RECENT_CMDS	64		/* command ids a slave remembers */
#define CLUSTER_MAX_INFLIGHT	32		/* commands a slave works on at once */
#define RECONNECT_MIN_MS	250		/* slave back-off, first retry */
#define RECONNECT_MAX_MS	30000		/* slave back-off ceiling */

/* Failover: election and replication (shared/ha.h, vote.c, elect.c,
 * repl.c; docs/FAILOVER.md). Times are ms of each node's own clock. */
#define HA_MAX_MASTERS		4		/* master-capable nodes (master + standbys) */
#define HA_MAX_SLAVES		16		/* voters (slaves) */
#define HA_REPL_BATCH		16		/* records in one replication message */
#ifndef HA_LOG_MAX	/* tests/sim builds a small one to prove compaction */
#define HA_LOG_MAX		2048		/* records a log holds (then compaction) */
#endif
#define HA_MEMO			64		/* command ids a voter remembers */
#define HA_MAX_PENDING		16		/* unanswered commands per slave */
/* A command of the log still without a result this long after it was
 * logged (its ReplCommand.issued_ms, wall clock) is settled EXPIRED and
 * never sent again: longer than a takeover (seconds) or a Pi's reboot
 * (about a minute), short enough that a device moving this late is the
 * worst surprise (docs/FAILOVER.md, "Stuck and late commands"). */
#define CMD_LOG_EXPIRE_MS	(5 * 60 * 1000)
#define HA_TICK_MS		100		/* heartbeat and resend interval */
#define HA_LOST_MS		1000		/* silence => the master is lost */
#define HA_JITTER_MS		300		/* random extra wait before standing */
#define HA_ELECT_MS		400		/* one round of (pre-)votes */
#define HA_SYNC_WAIT_MS		500		/* a synchronous record waits this long */
/* A master steps down unless a majority answered a heartbeat it sent
 * within this (elect.c). Shorter than HA_LOST_MS by a margin for the
 * clocks' rates: a slave votes HA_LOST_MS of its clock after it last
 * heard the master, so the lease is sound while the two clocks' rates
 * differ by less than (HA_LOST_MS - HA_LEASE_MS) / HA_LOST_MS (10 %;
 * crystals differ by 0.01 %). A stall of the master's loop shorter
 * than HA_LEASE_MS - 2 * HA_TICK_MS costs nothing (docs/FAILOVER.md). */
#define HA_LEASE_MS		900
#define HA_REC_BY_MAX		64		/* a logged command's issued_by */
#define HA_REC_DETAIL_MAX	127		/* a logged result's detail */
#define HA_REC_TIMEOUT_MAX_MS	3600000		/* a logged command's timeout_ms */
#define HA_REC_MAX_BYTES	1024		/* one record packed (log file, stream) */
#define MASTER_WEB_MAX		200		/* a master-web URL, with its NUL */
/* The state files' replication (master/cluster/statesync*.c). A file's
 * own limit is in the allow-list there (the one its reader applies). */
#define SSYNC_MAX_FILES		16		/* state files replicated */
#define SSYNC_MAX_STANDBYS	(HA_MAX_MASTERS - 1)	/* standbys fed at once */
#define SSYNC_CHUNK		(32 * 1024)	/* file bytes in one StateChunk (< WIRE_MAX_FRAME) */
#define SSYNC_WINDOW		4		/* chunks sent and not acknowledged, per standby */
#define SSYNC_NAME_MAX		32		/* bytes of a state file's name */
#define SSYNC_REFUSED_MAX	160		/* bytes of a standby's reason for refusing a file */

/* Identity strings taken from certificates and messages. */
#define NODE_ID_MAX		63		/* certificate CN = node id */
#define SITE_NAME_MAX		63
#define DEVICE_ID_MAX		63
#define VALUE_KEY_MAX		31
#define DEVICE_TEXT_MAX		127		/* name, room, model, unit ... */
#define VERSION_MAX		31
#define VALUE_STR_MAX		255

/* Configuration files (shared/cfg.c). */
#define CFG_MAX_LINE		1024
#define CFG_MAX_WORDS		40		/* an adc-channel line with every option */
#define CFG_MAX_FILE		(256 * 1024)
#define CFG_MAX_INCLUDE		4		/* nesting depth of include */
#define CFG_MAX_MASTERS		8		/* master addresses in a slave config */
#define CFG_MAX_LISTEN		4

/* Z-Wave Serial API (slave/zwave/zw_*.c). A data frame is SOF, LEN, then LEN
 * bytes: type, function id, payload, checksum. */
#define ZW_MIN_LEN		3		/* type + function + checksum */
#define ZW_MAX_LEN		250		/* largest LEN byte accepted */
#define ZW_MAX_FRAME		(ZW_MAX_LEN + 2)	/* SOF + LEN + LEN bytes */
#define ZW_MAX_PAYLOAD		(ZW_MAX_LEN - 3)
#define ZW_QUEUE_MAX		32		/* requests queued or at the stick */
#define ZW_QUEUE_RESERVE	8		/* of those, kept for commands and S0 */
#define ZW_POLL_PACE_BELOW	8		/* state polls wait above this load */
#define ZW_POLL_PACE_MS		100		/* ... and look again this often */
#define ZW_RETRIES		3		/* transmissions of one frame */
#define ZW_BYTE_TIMEOUT_MS	1500		/* a started frame must go on */
#define ZW_ACK_TIMEOUT_MS	1600		/* our frame must be ACKed */
#define ZW_RES_TIMEOUT_MS	10000		/* then answered (slow 500-series sticks) */
#define ZW_CB_TIMEOUT_MS	65000		/* SendData callback */
#define ZW_SEND_ABORT_MS	20000		/* stuck SendData: SendDataAbort */
#define ZW_ABORT_CB_MS		10000		/* then its callback, or it fails */
#define ZW_JAM_TRIES		3		/* SendData sends the radio refuses */
#define ZW_JAM_BACKOFF_MS	1000		/* times the refusals, before each again */
#define ZW_ACK_GAP_MS		10		/* quiet after our ACK before a frame */
#define ZW_SOFT_RESET_WAIT_MS	1500		/* SerialAPIStarted after our soft reset */
#define ZW_DEAD_AFTER		3		/* consecutive timeouts: stick gone */
#define ZW_REOPEN_MIN_MS	1000		/* port reopen back-off */
#define ZW_REOPEN_MAX_MS	60000
#define ZW_PING_MS		60000		/* idle stick checked this often */
#define ZW_MAX_NODES		232		/* classic node ids 1..232 */
#define ZW_NODEMASK_LEN		29		/* GetInitData bitmask bytes */
#define ZW_MAX_NODE_CCS		64		/* command classes kept per node */
#define ZW_NIF_TIMEOUT_MS	10000		/* node info after RequestNodeInfo */
#define ZW_CONFIRM_TIMEOUT_MS	5000		/* a SET's report after delivery */
#define ZW_RAMP_RECHECKS	3		/* GETs again while a dimmer ramps */
#define ZW_RAMP_RECHECK_MS	1000		/* ... after this, with no duration */
#define ZW_RAMP_MARGIN_MS	500		/* ... after the duration and this */
#define ZW_RAMP_WAIT_MAX_MS	8000		/* ... at most (the master waits 10 s) */
#define ZW_POLL_SUPPORTED_MAX	8		/* GETs a Supported report starts */
#define ZW_MAX_ASSOC_NODES	32		/* node ids kept from one Association Report */
#define ZW_MULTI_CMD_MAX	16		/* commands opened from one Multi Command */
#define ZW_MAX_ENDPOINTS	16		/* Multi Channel endpoints handled per node */
#define ZW_WAKEUP_QUEUE		8		/* requests kept for a sleeping node */
#define ZW_WAKEUP_HOLD_MS	4200000		/* a command waits for a wake-up: the default hourly interval + 10 min */
#define ZW_MGMT_REPLY_MS	5000		/* an interview question's report, after delivery */
#define ZW_INTERVIEW_WAIT_MS	250		/* RequestNodeInfo waits for an idle stick this often */
#define ZW_INCLUSION_TIMEOUT_MS	240000		/* learn mode waits this long for a node */
#define ZW_INCL_MIN_TIMEOUT_MS	1000		/* shortest the master may ask for */
#define ZW_INCL_READY_MS	5000		/* the stick enters learn mode */
#define ZW_INCL_ADD_MS		60000		/* node found -> added or removed */
#define ZW_INCL_REASON_MAX	127		/* ZwProgress.reason bytes */
#define ZW_INCL_HISTORY		32		/* progress steps the master keeps per slave */
#define ZW_INCL_SUBSCRIBERS	8		/* progress listeners on the master */
#define ZW_PROVISION_MAX	64		/* S2 provisioning list entries per slave */
#define ZW_QR_TEXT_MAX		512		/* a QR code string as typed (spaces too) */
#define ZW_MAINT_CB_MS		65000		/* RemoveFailedNode/ReplaceFailedNode's callback */
#define ZW_REPLACE_WAIT_MS	120000		/* a replacement waits this long for the new device */
#define ZW_MAINT_HISTORY	16		/* maintenance steps the master keeps per slave */
#define ZW_HEAL_NODE_MS		30000		/* a node's neighbour update (heal) */
#define ZW_HEAL_PACE_MS		1000		/* heal: the pause between two nodes */
#define ZW_CONFIG_NAME_MAX	64		/* bytes of a configuration parameter's name kept */
#define ZW_BATTERY_LOW_PCT	10		/* a battery level this low is flagged low */
/* Controller (NVM) backup and restore (slave/zwave/zw_nvm.c, shared/zwnvm.c). */
#define ZW_NVM_MAX		(256 * 1024)	/* a stick's NVM image, bytes */
#define ZW_NVM_CHUNK		240		/* bytes per Serial API read or write (fits a frame) */
#define ZW_NVM_CHUNK_SMALL	48		/* ... when a stick answers a full one with none */
#define ZW_NVM_PACE_MS		20		/* a chunk waits this often for a busy stick ... */
#define ZW_NVM_PACE_TRIES	25		/* ... at most this often, then queues behind it */
#define ZW_NVM_PIECE		(32 * 1024)	/* file bytes per link message and API page */
#define ZW_NVM_PROGRESS_MS	1000		/* progress to the master at most this often */
#define ZW_NVM_RESTART_MS	30000		/* after a restore's reset: the controller ready */

/* The master's HTTPS server (master/lib/http_parse.c). */
#define HTTP_MAX_HEAD		8192		/* request line + headers */
#define HTTP_MAX_HEADERS	50
#define HTTP_MAX_TARGET		2048		/* request-target bytes */
#define HTTP_MAX_METHOD		16
#define HTTP_MAX_PORT_DIGITS	5		/* the port of a Host header */
/* A request body goes to the master inside one WebMsg frame, beside at
 * most WEB_API_FRAME_SLACK bytes of the call's other fields (path, query,
 * token, session, the client certificate's chain ...: a static assertion
 * in web.c adds them up), so the
 * body limit leaves that room in WIRE_MAX_FRAME: a larger body is refused
 * with 413 as soon as its head is read. */
#define WEB_API_FRAME_SLACK	(12 * 1024)
#define HTTP_MAX_BODY		(WIRE_MAX_FRAME - WEB_API_FRAME_SLACK)
#define HTTP_MAX_CHUNK_LINE	64		/* chunk size + extensions */
#define HTTP_MAX_REQUESTS	1000		/* per connection (keep-alive), as nginx;
						 * the last answer says Connection: close */
#define PROBE_SHOW_BYTES	32		/* first bytes quoted in a probe log */
#define WEB_MAX_CONNS		512		/* connections at once, in total */
#define WEB_MAX_PER_ADDR	16		/* ... and from one address */
#define WEB_MAX_LISTEN		4
#define WEB_MAX_OUT		(512 * 1024)	/* queued response bytes per connection */
#define WEB_SNIFF_BYTES		8		/* peeked to tell TLS from probes */
#define WEB_HANDSHAKE_MS	10000		/* first byte + TLS handshake */
#define WEB_REQUEST_MS		10000		/* a request head once begun; a body */
#define WEB_IDLE_MS		60000		/* keep-alive between requests */
#define WEB_RESTART_MS		1000		/* the master restarts a dead web process */
#define WEB_PING_MS		1000		/* the master pings the web process this often */
#define WEB_WATCHDOG_MS		5000		/* a ping unanswered this long: SIGKILL, restart */
#define WEB_START_MS		30000		/* ... and a web process not serving by then */
#define WEB_API_MS		10000		/* the master answers an API call */
#define WEB_DRAIN_MS		500		/* a stopping web process lets its answers out */

/* Probe scores and bans (master/lib/ban.c). */
#define BAN_MAX_ENTRIES		4096		/* addresses tracked (LRU) */
#define BAN_MAX_ALLOW		32		/* allow-list networks */
/* Each probe scores 1 and the score halves every 10 minutes, so five
 * probes in quick succession (4.5) ban, a slow trickle never does. */
#define BAN_THRESHOLD		4.5
#define BAN_HALF_LIFE_MS	(10 * 60 * 1000)
#define BAN_FIRST_MS		(10 * 60 * 1000)	/* first ban: 10 min */
#define BAN_LONGEST_MS		(7 * 24 * 3600 * 1000ULL)	/* a week */
/* The master writes the bans to disk within this, once for all that
 * changed meanwhile (webproc.c): a flood bans by the hundred. */
#define BAN_SAVE_MS		1000
/* A failed API login scores half a probe: with throttling, guessing alone
 * earns a ban after nine failures (about a minute). */
#define BAN_LOGIN_WEIGHT	0.5
/* A handshake the client ended because it does not trust our certificate
 * (a browser before its user clicks through the warning, a self-signed
 * install): logged and counted, but it weighs little, so a person is not
 * banned for it; a scanner earns its ban with its other probes. */
#define BAN_CERT_REJECT_WEIGHT	0.2
/* The heaviest probe the web process may report (webproc.c checks). */
#define BAN_WEIGHT_MAX		1.0
#define BAN_MAX_LEVEL		64		/* bans remembered per address */
/* IPv6 addresses are counted per prefix, for bans, per-address limits and
 * login throttles (master.conf "ban-ipv6-prefix"): one subscriber holds
 * a /64, often a /56 or /48. Never coarser than a /32, which would lump
 * a whole provider's customers together. */
#define BAN_IPV6_PREFIX		64
#define BAN_IPV6_PREFIX_MIN	32
/* Slave hardware: ADC channels and GPIO lines (slave/io/adc*.c, gpio*.c,
 * hwconf.c). */
#define HW_NAME_MAX		31		/* chip, channel and line names */
#define ADC_MAX_CHIPS		8		/* ADS1x15 chips (4 addresses x 2 buses) */
#define ADC_MAX_CHANNELS	32		/* adc-channel lines */
#define ADC_MAX_TABLE		16		/* calibration table points */
#define ADC_MAX_SMOOTH		16		/* smoothing window, samples */
#define ADC_MAX_SIM_VALUES	16		/* scripted values of a simulated channel */
#define ADC_MIN_INTERVAL_MS	20		/* sampling interval bounds */
#define ADC_MAX_INTERVAL_MS	86400000
#define ADC_READY_POLL_MS	2		/* re-read the OS bit after this */
#define ADC_READY_POLLS		10		/* ... at most this often, then fault */
#define ADC_RETRY_MIN_MS	1000		/* chip re-open back-off, first */
#define ADC_RETRY_MAX_MS	60000		/* ... and ceiling */
#define ADC_STALE_INTERVALS	3		/* no reading for N intervals: stale */
#define GPIO_MAX_CHIPS		4		/* gpio-chip lines */
#define GPIO_MAX_LINES		64		/* gpio-output + gpio-input lines */
#define GPIO_MAX_OFFSET		511		/* highest line offset accepted */
#define GPIO_MAX_PULSE_MS	600000		/* longest timed pulse */
#define GPIO_MAX_DEBOUNCE_MS	10000
#define GPIO_EVENT_BATCH	16		/* edge events read at once */
#define GPIO_SAFE_AFTER_MS	30000		/* default safe-state-after */
#define GPIO_MAX_SAFE_AFTER_MS	86400000

/* The API's JSON (master/lib/json.c). A body is at most HTTP_MAX_BODY. */
#define JSON_MAX_DEPTH		16		/* nested arrays and objects */
#define JSON_MAX_TOKENS		1024		/* values, keys included, per document */
#define JSON_MAX_STRING		4096		/* bytes of one string, as written */
#define JSON_MAX_NUMBER		40		/* bytes of one number */
#define JSON_ERR_MAX		96		/* a parse error's reason */

/* Users of the API (master/auth/users.c). */
#define USERS_MAX		64		/* accounts */
#define USER_NAME_MAX		32		/* [a-z0-9._-], first alphanumeric */
#define USER_MAX_GRANTS		32		/* site/device grants per user */
#define PASSWORD_MIN		10		/* bytes */
#define PASSWORD_MAX		128		/* bytes hashed at most */
/* Bounds on scrypt parameters read back from the users file, so a bad
 * file cannot make a login allocate gigabytes (memory is 128 * N * r). */
#define SCRYPT_MAX_N		(1 << 20)
#define SCRYPT_MAX_R		16
#define SCRYPT_MAX_P		16
#define SCRYPT_MAX_MEM		(256 * 1024 * 1024)

/* API sessions and login throttling (master/auth/sessions.c). Times are ms. */
#define SESSION_MAX		256		/* sessions at once; oldest evicted */
#define SESSION_MAX_PER_USER	16		/* ... and per user */
#define SESSION_IDLE_MS		(60 * 60 * 1000)	/* unused this long: gone */
#define SESSION_LIFETIME_MS	(12 * 60 * 60 * 1000)	/* absolute */
#define THROTTLE_MAX_NAMES	256		/* accounts tracked (LRU) */
#define THROTTLE_MAX_ADDRS	1024		/* addresses tracked (LRU) */
#define THROTTLE_FREE		3		/* failures before any wait */
#define THROTTLE_BASE_MS	1000		/* then 1 s, 2 s, 4 s ... */
#define THROTTLE_MAX_MS		(15 * 60 * 1000)	/* ... up to 15 min */
#define THROTTLE_FORGET_MS	(60 * 60 * 1000)	/* no failure this long */
/* The dashboard's hand-over to another master after a takeover
 * (master/api/api_handover.c, docs/SECURITY.md "Hand-over"): credentials
 * kept per session (their SHA-256), how long one lives, and how often
 * the dashboard asks for a new one (well inside the life). */
#define HANDOVER_SLOTS		4
#define HANDOVER_TTL_MS		(10 * 60 * 1000)
#define HANDOVER_REFRESH_MS	(HANDOVER_TTL_MS / 2)
#define HANDOVER_MIN_MS		(60 * 1000)	/* at most HANDOVER_SLOTS
						 * of a session in this
						 * long: each is a write of
						 * the sessions file */

/* State files (shared/atomicfile.c). */
#define STATE_MAX_FILE		(1024 * 1024)

/* Z-Wave S0 security (slave/zwave/zw_s0.c, zw_sec.c). Times are ms. */
#define ZW_S0_NONCES		32		/* our nonces live at once */
#define ZW_S0_NONCE_TTL_MS	10000		/* ours expire (spec: 3..20 s) */
#define ZW_S0_NONCE_WAIT_MS	5000		/* a node's nonce after our get */
#define ZW_S0_MAX_CMD		64		/* command inside one S0 frame */
#define ZW_SEC_TXQ		4		/* secure sends waiting per node */
#define ZW_SEC_STEP_MS		10000		/* each step of secure inclusion */
#define ZW_SEC_KEY_FILE_MAX	64		/* the network key file, bytes */
/* S0 split (sequenced) commands: what we put in one frame before
 * splitting (as OpenZWave: 28 + S0's 20 bytes fit a 9.6/40 kbit/s radio
 * frame), and how long a first half waits for its second (its second
 * comes under a nonce of ours, which lives ZW_S0_NONCE_TTL_MS). A whole
 * split command is at most ZW_S0_MAX_CMD. */
#define ZW_S0_SPLIT_AT		28
#define ZW_S0_SPLIT_WAIT_MS	ZW_S0_NONCE_TTL_MS
/* Licences (master/licence/licence*.c, docs/LICENSING.md). */
#define TLS_CA_MAX_FILE		(256 * 1024)	/* the installation CA file, PEM */
#define TLS_CRL_MAX_FILE	(4 * 1024 * 1024)	/* the installation CRL, PEM */
#define LICENCE_MAX_FILE	(32 * 1024)	/* a licence bundle, PEM */
#define LICENCE_CA_MAX_FILE	(64 * 1024)	/* the installation CA file, PEM */
#define LICENCE_CRL_MAX_FILE	(256 * 1024)	/* a licence CRL file, PEM */
#define LICENCE_GRACE_MAX_FILE	128		/* licence.grace: one record */
#define LICENCE_MAX_CERTS	4		/* licence + its CA chain */
#define LICENCE_MAX_CRLS	4		/* licence CRLs in a bundle */
#define LICENCE_CUSTOMER_MAX	64		/* bytes of the customer name */
#define LICENCE_FEATURES_MAX	128		/* bytes of the feature list */
#define LICENCE_MAX_ZWAVE_NODES	232		/* Z-Wave node ids */
#define LICENCE_MAX_KNOWN	256		/* slaves remembered for limited mode */
/* The resource API, commands, history, tokens, stream (docs/API.md). */
#define API_MAX_PENDING_CMDS	32		/* API commands in flight */
#define API_CMD_KEEP		128		/* commands remembered for GET */
#define API_CMD_TIMEOUT_MS	10000		/* the slave's time to act */
#define API_CMD_GRACE_MS	5000		/* ... plus this for the result */
#define API_MAX_PULSE_MS	60000		/* a GPIO pulse */
#define HISTORY_MINUTES		1440		/* 24 h at one point a minute */
#define HISTORY_MAX_VALUES	128		/* value rings (23 KiB each), master-wide */
#define HISTORY_DAY_STEP	5		/* minutes per point of range=day */
#define API_TOKENS_MAX		256		/* app tokens, in all */
#define API_TOKENS_PER_USER	16
#define API_TOKEN_NAME_MAX	64		/* a token's label */
#define STREAM_MAX		64		/* event streams at once */
#define STREAM_MAX_PER_ADDR	4		/* ... from one address */
#define STREAM_BACKLOG		512		/* events kept for resume */
#define STREAM_MAX_DATA		2048		/* one event's JSON data */
#define STREAM_MAX_PENDING	(64 * 1024)	/* unsent bytes: slow, dropped */
#define STREAM_HEARTBEAT_MS	15000		/* ": hb" after this silence */
#define STREAM_MAX_MS		(60 * 60 * 1000)	/* then re-authorize */
#define STREAM_SNDBUF		(16 * 1024)	/* kernel send buffer of a stream */
#define PROBE_DETAIL_SHOWN	256		/* bytes of a probe's detail in a "probe" event */
#define PROBE_EVENTS_PER_S	10		/* "probe" events published per second, at most */
/* The event scheduler (master/sched/sched_*.c, docs/SCHEDULER.md). */
#define SCHED_MAX_FILE		(4 * 1024 * 1024)	/* events file + includes */
#define SCHED_MAX_INCLUDE	4		/* nesting depth of include */
#define SCHED_MAX_EVENTS	20000
#define SCHED_MAX_TRIGGERS	16		/* 'when' triggers per event */
#define SCHED_MAX_ACTIONS	64		/* actions per event */
#define SCHED_MAX_COND_DEPTH	16		/* nesting of not and () */
#define SCHED_MAX_COND_TERMS	64		/* parts of one 'if' */
#define SCHED_MAX_MODES		16		/* mode variables */
#define SCHED_MAX_MODE_VALUES	16		/* values of one mode */
#define SCHED_MAX_VARS		64		/* counters and timestamps */
#define SCHED_NAME_MAX		63		/* event, mode and value names */
#define SCHED_TOKEN_MAX		255		/* bytes of one word or string */
#define SCHED_NUM_DIGITS	9		/* digits of a number before, and
						 * after, its point: 9 fit a 32-bit
						 * long and a double exactly */
#define SCHED_ERRS_MAX		4096		/* error text kept per parse */
#define SCHED_MAX_ERRORS	20		/* errors reported before giving up */
#define SCHED_RESULT_MAX	96		/* an event's last result */
#define SCHED_MAX_PENDING	4096		/* delayed actions waiting */
#define SCHED_MAX_WAIT_S	(7 * 86400)	/* longest wait, 'for' and offset */
#define SCHED_MAX_PULSE_MS	600000
#define SCHED_MAX_SUN_OFFSET_S	(12 * 3600)	/* sunset + 12 h at most */
#define SCHED_CATCHUP_S		(15 * 60)	/* default missed-event grace */
#define SCHED_MAX_SLEEP_MS	60000		/* re-check the wall clock this often */
#define SCHED_LAZY_SAVE_MS	60000		/* last firings written at most this late */
#define SCHED_STATE_MAX_FILE	(8 * 1024 * 1024)	/* sched.state (SCHED_MAX_EVENTS
						 * with long names and results) */
#define SCHED_MAX_SCAN_DAYS	1500		/* dates searched for a next instant */
#define SCHED_MAX_NEXT		1000		/* hd-master --next N at most */
#define SCHED_WINDOW_SCAN_DAYS	400		/* dates searched back for a window's
						 * last sunset (a polar night) */
#define SCHED_MAX_CATCHUP_SCAN	100000		/* missed instants counted */
#define SCHED_MAX_RUN_DEPTH	8		/* 'run' nesting */
#define SCHED_MAX_BATCH		256		/* firings queued before running them */
#define SAFE_MAX_VALUES		64		/* zwave-safe lines of a slave */
#define SAFE_AFTER_MS		600000		/* zwave-safe-after default: 10 min */
#define JOURNAL_MAX_BYTES	(64 * 1024 * 1024) /* a slave's action journal; then it stops */
#define JOURNAL_LINE_MAX	2048		/* one journal line, cut past it */
#define SCHED_MAX_SITES		64		/* site-place lines in the master's config */
#define SCHED_TZ_MAX		63		/* bytes of an IANA zone name */
/* Local rules of a cut-off slave (docs/SCHEDULER.md#local-rules). */
#define LOCAL_RULES_MAX_TEXT	(48 * 1024)	/* events text of one slave's rule set
						 * (one envelope: < WIRE_MAX_FRAME) */
#define LOCAL_RULES_MAX_FILE	WIRE_MAX_FRAME	/* <state-dir>/local.rules */
#define LOCAL_MAX_PLACES	(SCHED_MAX_SITES + 1)	/* the sites' and the installation's */
#define LOCAL_AFTER_MS		60000		/* local-after default: 1 min */
#define LOCAL_MAX_AFTER_MS	86400000	/* local-after at most: 1 day */
#define LOCAL_MAX_FIRED		256		/* firing ids remembered (local.fired) */
#define LOCAL_MAX_PENDING	256		/* firings kept for the master (local.pending) */
#define LOCAL_FILE_FORMAT	1		/* local.fired/.pending's format (LocalFiredFile) */
#define LOCAL_FILE_MAX		WIRE_MAX_FRAME	/* local.fired, local.pending: at most */
#define LOCAL_MAX_VALUES	128		/* last values a slave keeps for its conditions */
#define SCHED_RECENT_RUNS	4		/* firings an event keeps, with where each ran */
#define SCHED_MISSED_WHY_MAX	160		/* why an event's last instants were missed */
#define SCHED_MISSED_COUNT_MAX	((1LL << 53) - 1)	/* an event's missed count stops
						 * here: the largest a JSON reader
						 * (JavaScript) holds exactly */
#define SCHED_SYNC_NODES	64		/* slaves whose LocalSync the master tracks */
#define SCHED_API_PAGE		150		/* events per GET /api/v1/events answer */
#define SCHED_INFLIGHT		64		/* commands remembered for their result */
/* A scheduled firing's commands (docs/FAILOVER.md#scheduled-firings):
 * ids of their own, 48 bits of hash of (event, due instant, step, order)
 * under this base, below the slave's LOCAL_ID_BASE (0xfffd << 48) and far
 * above any API block; sent once the standby holds the firing record, or
 * after this wait. */
#define SCHED_CMD_ID_BASE	(0xfffcULL << 48)
#define SCHED_CMD_ID_BITS	48
#define SCHED_SYNC_WAIT_MS	HA_SYNC_WAIT_MS	/* firing record to the standby */
#define SCHED_HOLD_MAX		256		/* commands in the outbox (sched.outbox) */
#define SCHED_OUTBOX_KEEP_MS	15000		/* a sent one kept for its result */
#define SCHED_RESEND_WAIT_MS	30000		/* a new master waits this long for
						 * an outbox command's slave */
/* A firing of a slave's local rules just after a takeover, that slave
 * not registered yet: held for it this long at most, then reported missed
 * (docs/FAILOVER.md#local-rules-at-a-takeover). */
#define SCHED_LOCAL_HOLD_MS	30000
#define SCHED_OUTBOX_LAZY_MS	1000		/* results written out this late */
/* A value-triggered firing is known by the slave's reading instant (its
 * ValueReport.time_ms), the same on any master: a 'for' wait is timed
 * from it when it is this close to the master's clock, else from the
 * master's now (docs/FAILOVER.md#value-triggered-firings). */
#define SCHED_READ_SKEW_MS	30000
/* A report that changed the scheduler's state is acknowledged to its
 * slave once the standby holds that state, or after this wait. */
#define SCHED_ACK_HOLD_MS	5000
#define SCHED_ACK_HOLDS		64		/* reports held at once */
/* At a takeover, every instant after the replicated record and this
 * recent runs (each under its own ids: the slaves' memos answer those the
 * old master ran), not only the last: the standby's copy may lag behind
 * firings the old master sent after SCHED_SYNC_WAIT_MS without it. */
#define SCHED_TAKEOVER_REPLAY_MS	10000
/* "run" from the API (docs/FAILOVER.md#run-from-the-api): a client's key
 * (1..SCHED_RUN_KEY_MAX of [A-Za-z0-9._:-]), the last SCHED_RUN_KEYS kept
 * in sched.state; at most SCHED_RUN_WAITS answers wait for the standby
 * at once (SCHED_SYNC_WAIT_MS each at most). */
#define SCHED_RUN_KEY_MAX	64
#define SCHED_RUN_KEYS		64
#define SCHED_RUN_WAITS		32
#define SCHED_MAX_EVENT_REFS	(SCHED_MAX_TRIGGERS + SCHED_MAX_COND_TERMS + \
				 SCHED_MAX_ACTIONS)	/* devices one event names */
#define STREAM_MAX_NEEDS	SCHED_MAX_EVENT_REFS	/* scopes a stream must all hold to see an event */
/* The master's security panel (master/lib/secstat.c, master/api/api_security.c). */
#define PROBE_DETAIL_MAX	160		/* a ProbeEvent's detail, checked by the master */
#define SECURITY_SERIES_MIN	1440		/* probes per class per minute: 24 h */
#define SECURITY_MAX_POINTS	480		/* series points in one answer */
#define SECURITY_ADDRS		256		/* offending addresses counted */
#define SECURITY_TOP		20		/* ... of which an answer shows */
#define SECURITY_RECENT		50		/* recent probes kept */
#define SECURITY_DETAIL_MAX	96		/* bytes of a probe's detail kept */
#define SECURITY_BANS_SHOWN	300		/* bans in one answer, newest first */

/* The master's log tail (master/api/logtail.c, docs/API.md). */
#define LOGTAIL_LINES		256		/* recent lines kept in memory */
#define LOGTAIL_LINE_MAX	200		/* bytes of one kept line */
#define LOGTAIL_DEFAULT_LINES	100		/* GET /api/v1/log without ?lines= */
#define LOGTAIL_FLUSH_MS	200		/* lines gathered per stream flush */
#define LOGTAIL_STREAM_RATE	10		/* log events a second on the stream */
#define LOGTAIL_STREAM_BURST	40		/* ... and at once after a quiet spell */

/* Value history and tokens' last use on disk (docs/OPERATIONS.md). */
#define HISTORY_SAVE_MS		(10 * 60 * 1000)	/* spares the SD card */
#define HISTORY_FILE_MAX	(4 * 1024 * 1024)	/* > 128 full rings */
#define HISTORY_FILE		"history"		/* in the state-dir */

/* Client certificates for apps on the web listener (docs/SECURITY.md). */
#define CLIENT_SERIAL_MAX	40		/* hex digits of a serial (20 bytes) */
#define WEB_CLIENT_CHAIN_MAX	2		/* CA depth of a client certificate */
/* What the web process passes for the master to verify itself: the
 * leaf and the intermediates the app sent, DER (master/auth/ccert.c). */
#define CLIENT_CHAIN_MAX	(1 + WEB_CLIENT_CHAIN_MAX)	/* certificates */
#define CLIENT_CERT_DER_MAX	2048		/* bytes of one (P-256: ~600) */

/* The master's auth worker: scrypt off the event loop (master/auth/authw.c). */
#define AUTH_MAX_PENDING	8		/* hashes queued; more: 503 at once */
#define AUTH_RETRY_AFTER_S	1		/* Retry-After of that 503 */
#define AUTH_MAX_FRAME		512		/* one AuthRequest or AuthAnswer */
#define AUTH_TIMEOUT_MS		5000		/* no answer this long: stuck (< WEB_API_MS) */
#define AUTH_PING_MS		1000		/* the master pings a live worker this often */
#define AUTH_RESTART_MIN_MS	250		/* first restart of a dead worker */
#define AUTH_RESTART_MAX_MS	30000		/* back-off doubles up to this */
#define AUTH_IDLE_MS		30000		/* unused this long: the worker exits, restarted at the next hash */

#endif
