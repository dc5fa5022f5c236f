#ifndef HD_SLAVE_H
#define HD_SLAVE_H

#include <stdint.h>

#include "cfg.h"
#include "clink.h"
#include "cluster.pb-c.h"
#include "conn.h"
#include "ev.h"
#include "hamasters.h"
#include "heartbeat.h"
#include "hdlimits.h"
#include "sched/sched.h"
#include "tls.h"
#include "version.h"


struct hwconf;

/* A Z-Wave safe state (safe.c, docs/ZWAVE.md#safe-states). */
struct safe_value {
	char		 dev[DEVICE_ID_MAX + 1];
	char		 key[VALUE_KEY_MAX + 1];
	Hd__Value	 v;		/* bool, int or double */
	int		 line;
};

struct slave_conf {
	char			*ca, *cert, *key, *crl;
	struct tls_files	 tls;		/* points at the four above */
	char			*masters[CFG_MAX_MASTERS];	/* in order */
	int			 nmasters;
	/* The same with node ids ("master NODE-ID ADDR"), else n = 0. */
	struct ha_masters	 ha;
	char			*site;
	char			*state_dir;
	int			 simulate;	/* placeholder devices */
	long			 sim_interval_ms;
	long			 heartbeat_ms;
	long			 timeout_ms;
	char			*zw_port;	/* NULL: no Z-Wave */
	long			 zw_ping_ms;	/* idle stick check */
	long			 zw_wakeup_s;	/* sleeping nodes; 0: theirs */
	struct hwconf		*hw;		/* ADC and GPIO (hwconf.c) */
	struct safe_value	*safe;		/* zwave-safe lines */
	int			 nsafe;
	long			 safe_after_ms;	/* zwave-safe-after */
	long			 local_after_ms;	/* local-after */
	char			*journal;	/* action journal; NULL none */
};

/* A vote link to one master-capable node (link/vlink.c). */
struct vlink {
	struct slave		*s;
	int			 idx;		/* its place in conf.ha */
	struct clink		 link;		/* CLINK_OFF: no election */
	int			 quiet;		/* a failure logged already */
	int			 no_election;	/* refused: CONFIG */
};

/* One queued reliable envelope, kept packed until the master acks it. */
struct rq_item {
	uint64_t	 seq;
	uint8_t		*data;
	size_t		 len;
};

/* Bounded replay queue of unacknowledged reports (reportq.c). */
struct reportq {
	struct rq_item	 items[CLUSTER_REPLAY_QUEUE];
	int		 head, count;
	uint64_t	 dropped;	/* overflowed before an ack */
};

/* Recent command ids and their results (cmdmemo.c). */
struct cmd_memo {
	uint64_t			 id;
	Hd__CommandResult__Status	 status;
	Hd__Value			 value;	/* confirmed; scalars only */
	int				 done;	/* 0: acting (or cut off by a restart) */
};

struct dev;
struct ha_out;
struct vote;
struct safe;
struct sim;
struct zw_ctrl;
struct cfg_line;
struct adc;
struct gpio;

/*
 * What a driver (simulator, Z-Wave, ADC, GPIO) implements for each of its
 * devices. Only `command` is required of devices with writable values.
 */
struct dev_ops {
	/* Act on a command the table has checked (known device, writable
	 * key, right type and range). Finish it with dev_done(), at once or
	 * later (a Z-Wave node may take seconds). */
	void	(*command)(struct dev *, const Hd__Command *);
	/* Report every current value (after each Welcome). */
	void	(*report_all)(struct dev *);
	/* The link to the master came up (1) or was lost (0). */
	void	(*link)(struct dev *, int up);
};

/* A device in the table (devtab.c). `desc` is what the master sees. */
struct dev {
	TAILQ_ENTRY(dev)	 entry;
	struct slave		*s;
	const struct dev_ops	*ops;
	void			*drv;		/* the driver's state */
	Hd__Device		 desc;		/* strings owned by the table */
	Hd__ValueDesc		*vals[CLUSTER_MAX_DEV_VALUES];
};

/*
 * How the device table, the commands and the drivers reach the master:
 * the link's implementation (link_uplink, link/link.h), which slave.c sets
 * in struct slave. They never include the link's header, so a device
 * process (docs/ARCHITECTURE.md) can put a pipe to the link behind these
 * two without touching them.
 */
struct slave_uplink {
	/* Queue a reliable body (report, result, fault, progress) and send
	 * it if online. Takes a filled envelope without seq; assigns it.
	 * 0 or -1; the link logs why. */
	int	(*send_reliable)(struct slave *, Hd__Envelope *);
	/* The device list changed: announce it again if online. */
	int	(*announce)(struct slave *);
};

#define DEV_STALE	0x1
#define DEV_FAULT	0x2
#define DEV_LOW_BATTERY	0x4

struct slave {
	struct slave_conf	 conf;
	struct ev_loop		*loop;
	SSL_CTX			*ctx;
	char			 id[NODE_ID_MAX + 1];
	const struct slave_uplink *up;	/* to the master; set by slave.c */
	/* link.c */
	struct clink		 link;		/* CLINK_OFF: shutting down */
	int			 cur;		/* index into conf.masters */
	int			 tried;		/* masters tried this round */
	uint64_t		 seq;		/* our reliable seq */
	uint64_t		 peer_ack;	/* master's last seq we processed */
	uint64_t		 term;		/* highest master term seen */
	char			 master_id[NODE_ID_MAX + 1];
	struct reportq		 rq;
	int			 prefer;	/* conf.masters place, or -1 */
	/* vlink.c: NULL without an election (fewer than two nodes) */
	struct vote		*vote;
	struct ha_out		*hout;		/* one step's output */
	struct vlink		 vl[HA_MAX_MASTERS];
	/* devtab.c, command.c, cmdmemo.c */
	TAILQ_HEAD(, dev)	 devs;
	int			 ndevs;
	uint64_t		 inflight[CLUSTER_MAX_INFLIGHT];
	struct dev		*inflight_dev[CLUSTER_MAX_INFLIGHT];	/* whose */
	struct cmd_memo		 memo[CLUSTER_RECENT_CMDS];
	int			 memo_next;
	int			 memo_newer;	/* cmdmemo.state of a newer
						 * format: kept in RAM only */
	/* drivers */
	struct sim		*sim;
	struct zw_ctrl		*zw;
	struct adc		*adc;
	struct gpio		*gpio;
	struct safe		*safe;		/* safe.c */
	struct local		*local;		/* local.c, local_run.c */
	struct journal		*journal;	/* journal.c; NULL: none */
};

/*
 * Hardware configuration (hwconf.c), checked whole before start-up. Each
 * entry remembers the file and line it came from, so a check that needs
 * the whole file (an interlock partner defined further down) still points
 * at the right line.
 */
struct hw_where {
	char		*file;
	int		 line;
};

enum adc_type	{ ADC_ADS1115, ADC_ADS1015 };
enum adc_smooth	{ ADC_SMOOTH_NONE, ADC_SMOOTH_MEDIAN, ADC_SMOOTH_AVERAGE };

struct adc_backend;
struct gpio_backend;

struct adc_chip_conf {
	char			 name[HW_NAME_MAX + 1];
	enum adc_type		 type;
	int			 bus;		/* /dev/i2c-BUS */
	int			 addr;		/* 7-bit I2C address */
	const struct adc_backend *be;
	struct hw_where		 at;
};

struct adc_point {
	double	in;		/* volts */
	double	out;		/* engineering units */
};

struct adc_chan_conf {
	char			 name[HW_NAME_MAX + 1];
	char			 room[DEVICE_TEXT_MAX + 1];
	char			 unit[DEVICE_TEXT_MAX + 1];
	int			 chip;		/* index into adc_chips */
	int			 mux;		/* ADS_MUX_* */
	int			 pga;		/* ADS_PGA_* code */
	int			 sps;		/* samples per second */
	long			 interval_ms;
	double			 scale, offset;	/* units = volts * scale + offset */
	struct adc_point	 table[ADC_MAX_TABLE];	/* or this, ascending */
	int			 ntable;
	enum adc_smooth		 smooth;
	int			 window;	/* samples, 1 = none */
	double			 deadband;	/* units */
	int			 has_high, has_low;
	double			 high, low, hyst;
	double			 sim[ADC_MAX_SIM_VALUES];	/* volts, cycled */
	int			 nsim;
	struct hw_where		 at;
};

#define GPIO_BIAS_AS_IS		0
#define GPIO_BIAS_DISABLED	1
#define GPIO_BIAS_PULL_UP	2
#define GPIO_BIAS_PULL_DOWN	3
#define GPIO_DRIVE_PUSH_PULL	0
#define GPIO_DRIVE_OPEN_DRAIN	1
#define GPIO_DRIVE_OPEN_SOURCE	2

enum gpio_safe	{ GPIO_SAFE_OFF, GPIO_SAFE_ON, GPIO_SAFE_HOLD };

struct gpio_chip_conf {
	char			 name[HW_NAME_MAX + 1];
	char			 device[128];	/* /dev/gpiochipN */
	const struct gpio_backend *be;
	long			 sim_toggle_ms;	/* sim: flip inputs, 0 = never */
	struct hw_where		 at;
};

struct gpio_line_conf {
	char			 name[HW_NAME_MAX + 1];
	char			 room[DEVICE_TEXT_MAX + 1];
	int			 chip;		/* index into gpio_chips */
	unsigned		 offset;	/* line number on the chip */
	int			 output;
	int			 active_low;
	int			 drive;		/* GPIO_DRIVE_* (outputs) */
	int			 bias;		/* GPIO_BIAS_* */
	enum gpio_safe		 safe;		/* outputs */
	char			 interlock[HW_NAME_MAX + 1];	/* "" none */
	int			 partner;	/* its index, -1 none */
	long			 debounce_ms;	/* inputs */
	struct hw_where		 at;
};

struct hwconf {
	struct adc_chip_conf	 adc_chips[ADC_MAX_CHIPS];
	int			 nadc_chips;
	struct adc_chan_conf	 adc_chans[ADC_MAX_CHANNELS];
	int			 nadc_chans;
	struct gpio_chip_conf	 gpio_chips[GPIO_MAX_CHIPS];
	int			 ngpio_chips;
	struct gpio_line_conf	 lines[GPIO_MAX_LINES];
	int			 nlines;
	long			 safe_after_ms;	/* 0: never */
};

/*
 * ADC backends: register access to one ADS1x15 chip. Each call is one
 * short bus transaction (no waiting for a conversion). open() returns the
 * backend's handle, or NULL after filling err.
 */
struct adc_backend {
	const char	*name;
	void		*(*open)(const struct hwconf *, int chip, char *err,
			    size_t errlen);
	int		 (*write_reg)(void *, uint8_t reg, uint16_t val);
	int		 (*read_reg)(void *, uint8_t reg, uint16_t *val);
	void		 (*close)(void *);
};

/* One line request, as the GPIO backends take it. */
struct gpio_req {
	unsigned	 offset;
	int		 output;
	int		 active_low;
	int		 drive, bias;
	int		 edges;		/* inputs: report both edges */
	int		 value;		/* outputs: initial logical value */
	const char	*consumer;
};

/* Edge on an input: its new logical value and the kernel's timestamp. */
typedef void	gpio_edge_cb(void *arg, int value, uint64_t ts_ns);

/*
 * GPIO backends. Values are logical (active-low is the backend's or the
 * kernel's business). watch() delivers edge events from the event loop.
 */
struct gpio_backend {
	const char	*name;
	void		*(*chip_open)(struct ev_loop *,
			    const struct gpio_chip_conf *, char *err,
			    size_t errlen);
	void		 (*chip_close)(void *);
	void		*(*request)(void *chip, const struct gpio_req *,
			    char *err, size_t errlen);
	void		 (*release)(void *line);
	int		 (*set)(void *line, int value);
	int		 (*get)(void *line, int *value);
	int		 (*watch)(void *line, gpio_edge_cb *, void *arg);
};

/* config.c */
int	slave_conf_load(struct slave_conf *, const char *path);
void	slave_conf_free(struct slave_conf *);

/* devtab.c */
struct dev	*dev_new(struct slave *, const char *id, const char *name,
		    const char *room, Hd__DeviceKind, const struct dev_ops *,
		    void *drv);
int		 dev_value(struct dev *, const char *key, Hd__ValueType,
		    const char *unit, int writable, double min, double max);
void		 dev_free_desc(struct dev *);
void		 dev_remove(struct dev *);
struct dev	*dev_find(struct slave *, const char *id);
const Hd__ValueDesc *dev_find_value(const struct dev *, const char *key);
/* Report a value (DEV_* flags); queued for the master until acked. */
void		 dev_report(struct dev *, const char *key, const Hd__Value *,
		    int flags);
void		 dev_fault(struct slave *, const char *subsystem,
		    const char *dev_id, int active, const char *detail);
void		 devtab_changed(struct slave *);
/* Fill `da` with the table; free(da->devices) after sending. */
void		 devices_announce(struct slave *, Hd__DeviceAnnounce *);
void		 devices_report_all(struct slave *);
void		 devices_link(struct slave *, int up);

/* command.c */
void		 devices_command(struct slave *, const Hd__Command *);
void		 dev_done(struct dev *, uint64_t id, Hd__CommandResult__Status,
		    const char *detail, const Hd__Value *confirmed);
/* Finish every command in flight on `d` with UNKNOWN_DEVICE and `why`;
 * how many. dev_remove() calls it. */
int		 dev_fail_inflight(struct dev *, const char *why);
/* Tell the master command `id` is held (QUEUED, not final); it stays in
 * flight until dev_done(). */
void		 dev_queued(struct dev *, uint64_t id, const char *detail);

/* Check and start command `c` of the slave's own (no result is sent
 * for it: the driver's dev_done() goes to safe_result()). OK, or why not
 * in *why. */
Hd__CommandResult__Status devices_command_local(struct slave *,
		    const Hd__Command *, const char **why);

/* The slave's own commands' ids (safe.c), never the master's. */
#define SAFE_ID_BASE	UINT64_C(0xfffe000000000000)

/* safe.c: Z-Wave safe states (docs/ZWAVE.md#safe-states). */
struct safe {
	struct slave	*s;
	struct ev_timer	 timer;			/* cut off long enough */
	uint64_t	 lost_at;		/* ev_clock_ms(): cut off since */
	uint64_t	 next_id;
	uint64_t	 ids[SAFE_MAX_VALUES];	/* in flight, by value; 0 none */
};
/* 1 if the directive is one of safe.c's (then 0/-1 in *r), else 0. */
int		 safe_conf_directive(struct slave_conf *,
		    const struct cfg_line *, int *r, char *err, size_t errlen);
/* Start counting time without a master (at start-up there is none). */
int		 safe_start(struct slave *);
void		 safe_stop(struct slave *);
void		 safe_link(struct slave *, int up);
/* The outcome of a command: 1 if it was a safe state's (handled here),
 * 0 if it is the master's. */
int		 safe_result(struct slave *, uint64_t id,
		    Hd__CommandResult__Status, const char *detail);

/* local.c, local_run.c: local rules (docs/SCHEDULER.md#local-rules). */
#define LOCAL_RULES_FILE	"local.rules"	/* the rule set, LocalRules */
#define LOCAL_STATE_FILE	"local.state"	/* the engine's (SchedState) */
#define LOCAL_FIRED_FILE	"local.fired"	/* firing ids done, a ring */
#define LOCAL_PENDING_FILE	"local.pending"	/* firings not yet reported */
/* A firing made while cut off, until a master hears of it. */
struct local_pending {
	char			 event[SCHED_NAME_MAX + 1];
	int64_t			 due, fired;
	uint64_t		 fid;
};
/* The slave's own commands for its local rules: below SAFE_ID_BASE. */
#define LOCAL_ID_BASE		UINT64_C(0xfffd000000000000)
struct sched;
struct sched_prog;
struct sched_place;
struct sched_devref;
/* A device value's last report (local_val.c). */
struct local_val {
	char			 dev[DEVICE_ID_MAX + 1];
	char			 key[VALUE_KEY_MAX + 1];
	struct sched_val	 v;		/* no string (.s NULL) */
	int			 known;
	uint64_t		 seq;		/* of its last report */
};
struct local {
	struct slave		*s;
	int64_t			(*wall)(void);	/* ev_wall_ms; tests' own */
	Hd__LocalRules		*rules;		/* kept; NULL none */
	struct ev_timer		 after;		/* local-after */
	struct ev_timer		 tick;		/* the engine's next instant */
	struct sched		*eng;		/* running: cut off long enough */
	struct sched_place	*sites;		/* of the rules, while running */
	int			 nsites;
	uint64_t		 lost_at;	/* ev_clock_ms(): cut off since */
	int64_t			 lost_wall;	/* the same, wall ms */
	uint64_t		 next_id;
	uint64_t		 cur_fid;	/* the firing running */
	uint64_t		 fired[LOCAL_MAX_FIRED];	/* ring, 0 free */
	uint8_t			 own[LOCAL_MAX_FIRED];	/* made here */
	int			 nfired;
	int64_t			 heard_wall;	/* a master last heard (kept) */
	struct local_pending	 pend[LOCAL_MAX_PENDING];	/* in order */
	int			 npend;
	int			 refused;	/* a file of a newer format:
						 * left alone, rules off */
	int			 flush_due;	/* link up, no LocalRules yet:
						 * the replay waits for them */
	struct local_val	 vals[LOCAL_MAX_VALUES];
	int			 nvals;
	uint64_t		 valseq;
};
/* local_run.c: this link's master sent LocalRules (accepted): the
 * firings made while cut off go to it, in order, then LocalSync. */
void		 local_rules_heard(struct slave *);
int		 local_conf_directive(struct slave_conf *,
		    const struct cfg_line *, int *r, char *err, size_t errlen);
/* The rule set checked as outside input: its program (caller frees with
 * sched_prog_free), or NULL and why. `self` is this slave's node id. */
struct sched_prog *local_rules_check(const Hd__LocalRules *,
		    const char *self, char *why, size_t);
/* Bytes (local.rules, or a fuzzer's) to a checked rule set, or NULL and
 * why; free with wire_free(). */
Hd__LocalRules	*local_rules_decode(const uint8_t *, size_t,
		    const char *self, char *why, size_t);
/* The master's rule set: kept (a new version written to disk); -1 and
 * why if it is not one this slave can run (the link drops the master). */
int		 local_rules_recv(struct slave *, const Hd__LocalRules *,
		    char *why, size_t);
void		 local_load(struct local *);
int		 local_start(struct slave *);
void		 local_stop(struct slave *);
void		 local_link(struct slave *, int up);
void		 local_engine_stop(struct slave *);
/* A master's command carries `firing_id`: remembered as done. 1 if this
 * slave made that firing itself (its local rules, just before the master
 * was back): the command is not to run again. */
int		 local_master_fired(struct slave *, uint64_t firing_id);
void		 local_value(struct slave *, const char *dev, const char *key,
		    const Hd__Value *);
/* local_file.c: local.fired and local.pending (LocalFiredFile,
 * LocalPendingFile). Decoding bytes (a file's, or a fuzzer's): the ids or
 * firings into the caller's arrays (LOCAL_MAX_FIRED, LOCAL_MAX_PENDING),
 * their number in *n; LF_LEGACY is the first release's raw form, read;
 * LF_NEWER and LF_DAMAGED say why. */
enum local_file_st { LF_CURRENT, LF_LEGACY, LF_NEWER, LF_DAMAGED };
struct local_fired {
	uint64_t	 ids[LOCAL_MAX_FIRED];
	uint8_t		 own[LOCAL_MAX_FIRED];
	int		 n;
	int64_t		 heard;		/* 0: not known */
};
enum local_file_st local_fired_decode(const uint8_t *, size_t,
		    struct local_fired *, char *why, size_t);
enum local_file_st local_pending_decode(const uint8_t *, size_t,
		    struct local_pending *, int *n, char *why, size_t);
/* Both files into lo (a legacy one rewritten, a damaged one set aside,
 * a newer one left alone and lo->refused set); logged. */
void		 local_files_load(struct local *);
/* Write lo's ids / firings: 0, or -1 (logged; always with lo->refused). */
int		 local_fired_save(struct local *);
/* local_val.c: last values for the conditions (NULL: unknown now). */
void		 local_val_set(struct local *, const char *dev,
		    const char *key, const struct sched_val *);
/* ops->get_value's answer: 0 and *out, or -1 if unknown. */
int		 local_val_get(struct local *, const struct sched_devref *,
		    struct sched_val *out);
int		 local_pending_save(struct local *);
/* 1 if command `id` was the local rules' (handled here), else 0. */
int		 local_result(struct slave *, uint64_t id,
		    Hd__CommandResult__Status, const char *detail);
/* journal.c: the action journal (docs/FAILOVER.md#action-journal). */
struct journal;
int		 journal_open(struct slave *);
void		 journal_close(struct slave *);
/* Command `c` is about to act on `d` (written before the driver acts). */
void		 journal_exec(struct slave *, const struct dev *,
		    const Hd__Command *);
/* Command `id` on `d` ended with `st` (the confirmed value or NULL). */
void		 journal_done(struct slave *, const struct dev *, uint64_t id,
		    Hd__CommandResult__Status, const Hd__Value *);

/* sim.c */
int		 sim_start(struct slave *);
void		 sim_stop(struct slave *);

/* zw_conf.c */
int		 zw_conf_directive(struct slave_conf *, const struct cfg_line *,
		    char *err, size_t errlen);

/* zw_ctrl.c */
/* -1 with the reason logged (a refused key file: no errno to add). */
int		 zw_start(struct slave *);
/* hd-slave -n: the network key file, if there is one, is one zw_start
 * takes (0600, 32 hex digits); a missing one is made at the start. */
int		 zw_check(const struct slave *);
void		 zw_stop(struct slave *);
/* zw_incl.c: the master's ZwInclusion (answered with ZwProgress) */
void		 zw_inclusion_request(struct slave *, const Hd__ZwInclusion *);
/* zw_s2_prov.c: the master's ZwProvision (answered with the list) */
void		 zw_provision_request(struct slave *, const Hd__ZwProvision *);
/* zw_maint.c: the master's ZwNodeOp (answered with ZwNodeOpResult) */
void		 zw_node_op_request(struct slave *, const Hd__ZwNodeOp *);
/* zw_nvm.c: the master's ZwNvm (answered with ZwNvmStatus) */
void		 zw_nvm_request(struct slave *, const Hd__ZwNvm *);
/* devtab.c: the same with the reading's own wall-clock time. */
void		 dev_report_at(struct dev *, const char *key,
		    const Hd__Value *, int flags, uint64_t time_ms);

/* hwconf.c */
/* 1 if the directive is a hardware one (then 0/-1 in *r), else 0. */
int		 hwconf_directive(struct slave_conf *, const struct cfg_line *,
		    int *r, char *err, size_t errlen);
/* Whole-file checks; -1 after logging "file:line: reason". */
int		 hwconf_check(struct hwconf *);
void		 hwconf_free(struct hwconf *);
int		 hw_simulated(const struct hwconf *);

/* adc_ads1x15.c: the chips' register encoding, no I/O. */
#define ADS_REG_CONV		0
#define ADS_REG_CONFIG		1
#define ADS_MUX_DIFF_0_1	0
#define ADS_MUX_DIFF_0_3	1
#define ADS_MUX_DIFF_1_3	2
#define ADS_MUX_DIFF_2_3	3
#define ADS_MUX_SINGLE_0	4	/* ... to ADS_MUX_SINGLE_0 + 3 */
#define ADS_NMUX		8
#define ADS_NPGA		6
int		 ads_mux_parse(const char *);
const char	*ads_mux_name(int mux);
int		 ads_pga_parse(double fsr_volts);
double		 ads_pga_fsr(int pga);
int		 ads_rate_code(enum adc_type, int sps);	/* -1: not offered */
const char	*ads_rates(enum adc_type);		/* for messages */
uint16_t	 ads_config(enum adc_type, int mux, int pga, int sps);
int		 ads_config_ready(uint16_t config);
unsigned	 ads_conv_ms(int sps);
double		 ads_volts(enum adc_type, int pga, uint16_t conv);
int		 ads_config_decode(enum adc_type, uint16_t config, int *mux,
		    int *pga, int *sps);

/* adc.c */
int		 adc_start(struct slave *);
void		 adc_stop(struct slave *);
double		 adc_units(const struct adc_chan_conf *, double volts);
double		 adc_smooth(enum adc_smooth, const double *, int n);
int		 adc_deadband_pass(double deadband, int have_last, double last,
		    double now);
/* Next alarm state (-1 low, 0 none, 1 high) for a smoothed value. */
int		 adc_alarm_next(const struct adc_chan_conf *, int state,
		    double v);
extern const struct adc_backend adc_linux_backend;	/* adc_linux.c */
extern const struct adc_backend adc_sim_backend;	/* adc_sim.c */

/* gpio.c */
int		 gpio_start(struct slave *);
void		 gpio_stop(struct slave *);
extern const struct gpio_backend gpio_linux_backend;	/* gpio_linux.c */
extern const struct gpio_backend gpio_sim_backend;	/* gpio_sim.c */
/* gpio_sim.c: drive a simulated input / look at a line (tests, demo). */
int		 gpio_sim_input(const char *chip, unsigned offset, int level);
int		 gpio_sim_level(const char *chip, unsigned offset, int *level);

/* cmdmemo.c: persisted in <state-dir>/cmdmemo.state with a standby
 * (two master lines or more). memo_begin before the act (-1: not recorded, do not act),
 * memo_add after it; memo_load at start (a damaged file is refused with
 * the reason logged: the memo starts empty). */
const struct cmd_memo *memo_find(const struct slave *, uint64_t id);
int	memo_begin(struct slave *, uint64_t id);
void	memo_add(struct slave *, uint64_t id, Hd__CommandResult__Status,
	    const Hd__Value *);
void	memo_load(struct slave *);

#endif
