#ifndef HD_SCHED_H
#define HD_SCHED_H

/*
 * The event scheduler (docs/SCHEDULER.md): an events file in our own
 * language, parsed into a program (sched_parse.c), and an engine that
 * keeps every pending instant in one binary heap (sched_engine.c). The
 * engine never reads a clock: every call takes `now` (wall ms since the
 * epoch, UTC), and the owner arms one timer for sched_next(). Tests drive
 * it with a simulated clock; the master with ev_wall_ms() (sched_master.c).
 *
 * Local wall time comes from the process's zone (TZ or /etc/localtime),
 * through localtime_r() and timegm() only (sched_time.c), or from the
 * zone of the event's site while its instants are computed
 * (sched_site.c, docs/SCHEDULER.md#sites).
 */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include "hdlimits.h"

/* A value in the language or from a device. Strings are borrowed. */
enum sv_type { SV_NONE, SV_BOOL, SV_INT, SV_DOUBLE, SV_STRING };
struct sched_val {
	enum sv_type	 type;
	int64_t		 i;		/* SV_BOOL (0/1) and SV_INT */
	double		 d;
	const char	*s;
};

/* "node/device.key": node up to the first '/', key after the last '.'. */
struct sched_devref {
	char		*node, *dev, *key;
};

/* Calendar filters of a time trigger or condition; 0 = no filter. */
struct sched_filter {
	uint8_t		 days;		/* bit 0 = Sunday ... bit 6 = Saturday */
	uint16_t	 months;	/* bit 1 = January ... bit 12 */
	int		 date_from, date_to;	/* month * 100 + day, inclusive */
};

/* One entry of the engine's heap; embedded in what it times. */
struct sched_hent {
	int64_t		 due;		/* wall ms */
	int		 pos;		/* index in the heap, -1 when out */
	int		 kind;		/* HENT_* (sched_engine.c) */
	void		*owner;
};

#define SUN_UP_ELEVATION	(-0.833)	/* refraction + half the disc */

enum sched_sun {
	SUN_RISE, SUN_SET, SUN_CIVIL_DAWN, SUN_CIVIL_DUSK, SUN_NAUT_DAWN,
	SUN_NAUT_DUSK, SUN_ASTRO_DAWN, SUN_ASTRO_DUSK, SUN_NKINDS
};

/* What sched_sun_time() found for a local date. */
enum sun_status {
	SUN_EVENT = 0,		/* the event, in *t */
	SUN_ABOVE = -1,		/* the sun stays above the elevation all that
				 * solar day: polar day (a white night for a
				 * twilight) */
	SUN_BELOW = -2,		/* it stays below: polar night */
	SUN_NODAY = -3,		/* no solar day: no transit falls on that
				 * date (or no place configured) */
	SUN_FILTERED = -4	/* sched_sun_today(): the trigger's filters
				 * skip that date */
};

/*
 * Where a site is: its place for sun events, its zone for local time
 * (docs/SCHEDULER.md#sites). site "" is the installation's (latitude and
 * longitude of the master's config, the process's zone); tz "" is the
 * process's zone.
 */
struct sched_place {
	char		 site[SITE_NAME_MAX + 1];
	double		 lat, lon;		/* NAN: no place */
	char		 tz[SCHED_TZ_MAX + 1];
};

enum trig_kind {
	T_AT, T_EVERY, T_SUN, T_VALUE, T_CHANGE, T_OFFLINE, T_ONLINE,
	T_STARTUP
};

struct sched_event;

struct sched_trig {
	enum trig_kind		 kind;
	struct sched_event	*ev;
	struct sched_filter	 f;
	int			 line, col;
	long			 secs;		/* T_AT: second of the day;
						 * T_EVERY: the period */
	enum sched_sun		 sun;
	long			 offset_s;	/* T_SUN, signed */
	struct sched_devref	 ref;		/* value triggers; node for
						 * T_ONLINE/T_OFFLINE */
	int			 above;		/* T_VALUE */
	double			 thr, hyst;
	long			 for_s;
	struct sched_val	 to, from;	/* T_CHANGE, SV_NONE = any */
	/* runtime */
	struct sched_hent	 he;		/* next instant, or 'for' end */
	int64_t			 last_due;	/* instants up to here handled */
	int			 known, armed;	/* T_VALUE, T_CHANGE */
	struct sched_val	 prev;		/* T_CHANGE; prev_s owns .s */
	char			*prev_s;
	int			 moved;		/* he.due was moved out of a gap */
};

enum cond_kind {
	C_AND, C_OR, C_NOT, C_TIME, C_SUN, C_CMP, C_MODE, C_CAL, C_WINDOW,
	C_VAR
};
enum cmp_op { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE };

struct sched_cond {
	enum cond_kind		 kind;
	struct sched_cond	*a, *b;
	long			 from, to;	/* C_TIME: seconds of the day */
	struct sched_trig	*wb;		/* C_WINDOW: from and to, a time
						 * (T_AT) or a sun event (T_SUN) */
	int			 up;		/* C_SUN; C_VAR: 'within' */
	struct sched_devref	 ref;		/* C_CMP */
	enum cmp_op		 op;
	struct sched_val	 val;
	int			 mode, modeval;	/* C_MODE (indexes); C_VAR:
						 * mode is the variable, val
						 * the number or duration */
	struct sched_filter	 f;		/* C_CAL */
};

enum act_kind {
	A_SET, A_PULSE, A_WAIT, A_CANCEL, A_MODE, A_RUN, A_NOTIFY,
	A_COUNT, A_STAMP, A_VARSET	/* variables: mode is the index */
};

struct sched_act {
	enum act_kind		 kind;
	int			 line, col;
	struct sched_devref	 ref;		/* A_SET, A_PULSE */
	struct sched_val	 val;		/* A_SET; A_COUNT: the step;
						 * A_VARSET: the number */
	long			 ms;		/* A_WAIT, A_PULSE */
	int			 restart;	/* A_WAIT: "wait ... restart" */
	struct sched_event	*target;	/* A_CANCEL, A_RUN */
	char			*target_name;
	int			 mode, modeval;	/* A_MODE */
	char			*text;		/* A_NOTIFY */
};

/*
 * A device an event names (sched_refs.c): node and device of a value
 * trigger, a condition or a set/pulse; dev NULL for the node itself
 * (online/offline triggers). Borrowed from the program's pool.
 */
struct sched_ref {
	const char		*node, *dev;
};

struct sched_event {
	char			*name;
	char			*file;
	int			 line;
	uint32_t		 fp;		/* fingerprint of its text */
	struct sched_trig	*trig;
	int			 ntrig;
	struct sched_cond	*cond;		/* NULL: always */
	struct sched_act	*act;
	int			 nact;
	int			 disabled;	/* as written in the file */
	const struct sched_ref	*refs;		/* each distinct one once, */
	int			 nrefs;		/* sorted; set at parse time */
	long			 catchup_s;	/* missed-event grace */
	char			*site;		/* 'site NAME', NULL: none */
	char			*text;		/* its source, "event" to '}', */
	size_t			 textlen;	/* what a slave's rule set carries */
	/* runtime */
	const struct sched_place *place;	/* its site's or the
						 * installation's (sched_site.c) */
	int			 enabled;
	int			 override;	/* 0, or 1/2: enabled/disabled by
						 * an admin (persisted) */
	int64_t			 last_fired;
	char			 last_result[SCHED_RESULT_MAX];
	int			 npending;
	/* Its recent firings and where each ran (docs/SCHEDULER.md#local-
	 * rules): a ring, the newest at (nran - 1) % SCHED_RECENT_RUNS. */
	struct sched_ran {
		int64_t		 at, due;	/* wall ms */
		uint64_t	 fid;		/* sched_firing_id() */
		int		 local;		/* 1 on its slave, by its rules;
						 * SCHED_RAN_UNREPL: on the old
						 * master, unreplicated */
	}			 ran[SCHED_RECENT_RUNS];
	int			 nran;
	/* Its instants the missed-event policy skipped (sched_trig_missed):
	 * how many (at most SCHED_MISSED_COUNT_MAX), the last one, when it
	 * was judged missed and why in words. count 0: none. Carried over a
	 * reload like `ran`, and kept in sched.state (SchedEvent.missed), so
	 * a restart and a standby that takes over show it too. */
	struct sched_missed {
		int64_t		 count;
		int64_t		 last_due, at;	/* wall ms */
		char		 why[SCHED_MISSED_WHY_MAX];
	}			 missed;
	int64_t			 left_due;	/* the last firing left to its
						 * cut-off slave and not yet
						 * reported by it (0: none) */
};

struct sched_mode {
	char		*name;
	char		*vals[SCHED_MAX_MODE_VALUES];
	int		 nvals;
	int		 cur;
};

/* A counter or a timestamp (sched_var.c). */
enum var_kind { V_COUNTER, V_STAMP };
struct sched_var {
	char		*name;
	enum var_kind	 kind;
	int64_t		 val;		/* the count, or wall ms */
	int		 set;		/* V_STAMP: stamped once */
};

/* A parsed events file. */
struct sched_prog {
	struct sched_event	*ev;
	int			 nev;
	struct sched_mode	 modes[SCHED_MAX_MODES];
	int			 nmodes;
	struct sched_var	 vars[SCHED_MAX_VARS];
	int			 nvars;
	int			 uses_sun;
	size_t			 bytes;		/* allocated for it */
	/* value triggers sorted by (node, device, key) for lookup */
	struct sched_trig	**vtrig;
	int			 nvtrig;
	struct sched_pool	*pool;
	/* The file with its includes inlined, as parsed (sched_parse_file
	 * only): what sched_snapshot() keeps as the last good schedule. */
	char			*flat;
	size_t			 flatlen;
};

/* Errors of one parse, each "file:line:col: message". */
struct sched_errs {
	char		 buf[SCHED_ERRS_MAX];
	size_t		 len;
	int		 n;
};

/* sched_lex.c: the language's tokens (used by sched_parse.c). */
enum tok_kind {
	TK_EOF, TK_WORD, TK_DEVREF, TK_NUMBER, TK_TIME, TK_STRING,
	TK_LBRACE, TK_RBRACE, TK_LPAREN, TK_RPAREN, TK_COMMA, TK_ASSIGN,
	TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE, TK_PLUS, TK_MINUS,
	TK_ERROR
};

struct sched_tok {
	enum tok_kind	 kind;
	int		 line, col;
	size_t		 off;			/* in the buffer */
	double		 num;			/* TK_NUMBER */
	int		 integral;
	long		 secs;			/* TK_TIME: second of the day */
	char		 text[SCHED_TOKEN_MAX + 1];	/* words, strings */
};

struct sched_lex {
	const char	*name;			/* file name for messages */
	const char	*buf;
	size_t		 len, pos;
	int		 line, col;
};

void		 sched_lex_init(struct sched_lex *, const char *name,
		    const char *buf, size_t len);
/* The next token; TK_ERROR with the reason in text. */
void		 sched_lex_next(struct sched_lex *, struct sched_tok *);
const char	*sched_tok_name(enum tok_kind);

/* sched_parse.c */
/* Parse `path` and what it includes. NULL with errors in `e`. */
struct sched_prog *sched_parse_file(const char *path, struct sched_errs *);
/* Parse a buffer named `name`; includes are refused unless `allow_include`
 * (the fuzzer parses without touching files). */
struct sched_prog *sched_parse_buf(const char *name, const char *buf,
		    size_t len, int allow_include, struct sched_errs *);
void		 sched_prog_free(struct sched_prog *);
struct sched_event *sched_prog_find(const struct sched_prog *, const char *);
int		 sched_mode_find(const struct sched_prog *, const char *);
int		 sched_mode_value(const struct sched_mode *, const char *);

/* Internal to sched_parse.c and sched_parse_rule.c. */
struct parser {
	struct sched_lex	 lx;
	struct sched_tok	 tok;
	struct sched_prog	*prog;
	struct sched_errs	*errs;
	char			*file;		/* pool copy of lx.name */
	uint32_t		*names;		/* event name hash: index + 1 */
	char			**strs;		/* interned device strings */
	size_t			 total;		/* bytes read with includes */
	/* sched_parse_file: the text with includes inlined, and how far
	 * the current file has been copied into it. */
	char			*flat;
	size_t			 flatlen, flatcap, copied;
	int			 depth, allow_include, nerr, evcap;
	int			 stopped;	/* at SCHED_MAX_ERRORS */
	const char		*top;		/* the file or buffer parsed */
	struct {				/* the files being parsed, */
		dev_t		 dev;		/* for include loops */
		ino_t		 ino;
		const char	*name;
	}			 incl[SCHED_MAX_INCLUDE + 1];
	int			 nterms;	/* of the 'if' being parsed */
	char			 found[SCHED_TOKEN_MAX + 64];
};
void		*sched_pool_alloc(struct parser *, size_t);
char		*sched_pool_strdup(struct parser *, const char *);
/* The same pool copy for the same text (device references repeat). */
char		*sched_pool_intern(struct parser *, const char *);
int		 sched_parse_err_at(struct parser *, int line, int col, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
int		 sched_parse_err(struct parser *, const char *what);
const char	*sched_parse_found(struct parser *);
void		 sched_parse_next(struct parser *);
int		 sched_parse_is_word(const struct parser *, const char *);
int		 sched_parse_name_ok(const char *);
int		 sched_parse_want_name(struct parser *, const char *what, char *out);
int		 sched_parse_event_index(const struct parser *, const char *name);
/* sched_parse_rule.c */
int		 sched_parse_clauses(struct parser *, struct sched_event *);
int		 sched_parse_devref(struct parser *, struct sched_devref *);
int		 sched_parse_value(struct parser *, struct sched_val *);
/* A window's end: HH:MM[:SS] (T_AT) or SUN [+|- DURATION] (T_SUN). */
int		 sched_parse_bound(struct parser *, struct sched_trig *);
/* One calendar filter if the current word starts one: 1, 0 or -1. */
int		 sched_parse_filter(struct parser *, struct sched_filter *);
int		 sched_parse_duration(struct parser *, long long min,
		    long long max, long long *ms);
/* sched_parse_cond.c */
struct sched_cond *sched_parse_or(struct parser *, int depth);
struct sched_cond *sched_parse_new_cond(struct parser *, enum cond_kind);
int		 sched_parse_cmp_op(enum tok_kind, enum cmp_op *);
/* sched_var.c: modes, counters and timestamps. */
int		 sched_parse_mode(struct parser *);
int		 sched_var_find(const struct sched_prog *, const char *);
int		 sched_parse_var_decl(struct parser *, enum var_kind);
int		 sched_parse_var_act(struct parser *, struct sched_act *);
int		 sched_parse_var_set(struct parser *, struct sched_act *);
struct sched_cond *sched_parse_var_cond(struct parser *, int var);
void		 sched_parse_finish(struct parser *);
/* sched_refs.c: ev->refs from its triggers, condition and actions. */
int		 sched_refs_build(struct parser *, struct sched_event *);

/* sched_time.c: local wall time, zone rules from the system. */
/* The instant (ms) of local wall time y-m-d h:m:s; a time in a gap gives
 * the first instant after the gap (*moved = 1), a repeated one its first
 * occurrence. */
int64_t		 sched_local(int y, int mon, int d, long secs, int *moved);
/* The local date of `t` (ms) and its second of the day. */
void		 sched_localdate(int64_t t, int *y, int *mon, int *d,
		    int *wday, long *secs);
int		 sched_filter_ok(const struct sched_filter *, int mon, int d,
		    int wday);
/* Is `t` in window [from, to) of times and sun events: the latest
 * 'from' instant at or before t later than the latest 'to' one? */
int		 sched_window_in(const struct sched_trig *from,
		    const struct sched_trig *to, int64_t t, double lat,
		    double lon);
/* The next instant of a time trigger strictly after `after`, or -1. */
int64_t		 sched_trig_next(const struct sched_trig *, int64_t after,
		    double lat, double lon, int *moved);

/* sched_site.c: each event's place and zone (docs/SCHEDULER.md#sites). */
/* Local time by zone `tz` ("" the process's) until sched_zone_leave()
 * with the same `save`; nests. */
struct sched_zone_save {
	char		 tz[SCHED_TZ_MAX + 1];
};
void		 sched_zone_enter(const char *tz, struct sched_zone_save *);
void		 sched_zone_leave(const struct sched_zone_save *);
/* Is `name` a zone name with a file in the system's tzdata? */
int		 sched_zone_ok(const char *name, char *why, size_t);
/* Point every event of `g` at its site's place in `sites` (n of them),
 * or at `home`: borrowed, they must outlive `g`. */
void		 sched_places_resolve(struct sched_prog *g,
		    const struct sched_place *home,
		    const struct sched_place *sites, int n);
/* An event that needs a place (sun triggers, windows or 'sun up') in a
 * site without one: its name, or NULL. */
const struct sched_event *sched_places_missing(const struct sched_prog *);
/* The event's place (resolved), never NULL: no place, the process's
 * zone before it is resolved. */
const struct sched_place *sched_ev_place(const struct sched_event *);
/* sched_trig_next() at the event's place, in its zone. */
int64_t		 sched_ev_trig_next(const struct sched_trig *, int64_t after,
		    int *moved);
/* The event's 'site' clause: 'site NAME' or 'site "TEXT"'. */
int		 sched_parse_site(struct parser *, struct sched_event *);

/* sched_local.c: can the event run on one slave alone (docs/
 * SCHEDULER.md#local-rules)? That slave's node id (borrowed from the
 * program), or NULL and why not in `why`. */
const char	*sched_local_node(const struct sched_event *, char *why,
		    size_t len);

/* sched_next.c: hd-master --next (docs/SCHEDULER.md). */
/* For every event of `g` (places resolved), its next `n` firing
 * instants after `at`, each in its site's zone. */
void		 sched_next_print(FILE *, const struct sched_prog *,
		    int64_t at, int n);
/* An ISO 8601 time with Z, an offset or none (local): 0 and *t in ms. */
int		 sched_parse_iso(const char *, int64_t *t);

/* sched_sun.c (NOAA's solar calculator). */
/* The instant of `kind` on local date y-m-d at lat/lon (degrees, north
 * and east positive): the event of the solar day whose transit falls on
 * that date, even if its instant is on the next or the previous date.
 * SUN_EVENT and *t in ms, or why there is none (enum sun_status). */
int		 sched_sun_time(enum sched_sun, int y, int mon, int d,
		    double lat, double lon, int64_t *t);
/* The sun's geometric elevation (degrees) at instant t; "up" is above
 * SUN_UP_ELEVATION, the sunrise/sunset one. */
double		 sched_sun_elevation(int64_t t, double lat, double lon);
/* Sun trigger `tr` on the local date of `now`: SUN_EVENT and *t (the
 * event plus the offset, maybe past), or why there is none today. */
int		 sched_sun_today(const struct sched_trig *tr, int64_t now,
		    double lat, double lon, int64_t *t);
/* "event", "polar_day", "polar_night", "white_night" (a twilight's sun
 * stays above its elevation), "not_today", "no_place" or "none". */
const char	*sched_sun_status_name(enum sched_sun, int status,
		    double lat);
const char	*sched_sun_name(enum sched_sun);

/* sched_engine.c */
struct sched;
struct sched_ops {
	/* The last value of `ref`: 0 and *out (strings borrowed until the
	 * next call), or -1 if unknown, stale or faulty. */
	int	(*get_value)(void *, const struct sched_devref *,
		    struct sched_val *out);
	/* Send a set/pulse; 0, or -1 with why. `by` names the event. 1
	 * with why: not sent and no failure (the master leaves an event
	 * to the local rules of its cut-off slave). */
	int	(*command)(void *, const struct sched_act *, const char *by,
		    char *why, size_t);
};
/* What the owner keeps in the state file beside the engine's (hd-master:
 * the outbox of firing commands): put() fills it in before each write,
 * get() reads it back at sched_start(). defers() (may be NULL) says 1
 * when the owner holds a batch's commands until the save that follows
 * the batch (hd-master with a standby, docs/FAILOVER.md#scheduled-
 * firings): the save before the batch runs is then not needed. */
struct Hd__SchedState;
struct sched_state_hook {
	void	(*put)(void *, struct Hd__SchedState *);
	void	(*get)(void *, const struct Hd__SchedState *);
	int	(*defers)(void *);
	void	*arg;
};
void		 sched_set_state_hook(struct sched *,
		    const struct sched_state_hook *);
/*
 * The state file's bytes somewhere else than a file (the scheduler's
 * simulator, tests/sim/schedsim.c, keeps each node's "disk" in memory):
 * write() stores them whole (0, or -1), read() gives a malloc'd copy
 * (0, or -1 with errno ENOENT when there is none). Set before
 * sched_start(); the state path given to sched_new() is then unused.
 */
struct sched_state_io {
	int	(*write)(void *, const uint8_t *, size_t);
	int	(*read)(void *, uint8_t **, size_t *);
	void	*arg;
};
void		 sched_set_state_io(struct sched *, const struct sched_state_io *);
/* `ev` is the event the notice is about (its refs say whom it may
 * reach), NULL for a mode change (installation-wide). */
typedef void	 sched_notify_cb(void *arg, const char *kind,
		    const struct sched_event *ev, const char *json);

/* `state_path` may be NULL (nothing persisted). lat/lon NAN: unknown. */
struct sched	*sched_new(const struct sched_ops *, void *arg, double lat,
		    double lon, const char *state_path);
/* The sites' places (copied); before sched_load(). -1: too many. */
int		 sched_set_places(struct sched *, const struct sched_place *,
		    int n);
void		 sched_free(struct sched *);
void		 sched_set_notify(struct sched *, sched_notify_cb *, void *);
/* Parse and check `path`; on success the new program replaces the old
 * one atomically, keeping runtime state of unchanged events. -1 keeps
 * the old program; `e` says why. */
int		 sched_load(struct sched *, const char *path, int64_t now,
		    struct sched_errs *);
/* Where a successful sched_load() keeps the schedule it loaded, includes
 * inlined (SCHED_LAST_GOOD beside the state file). -1 without one. */
#define SCHED_LAST_GOOD	"events.last-good"
int		 sched_last_good(const struct sched *, char *, size_t);
/* The same from text in memory, includes refused (a slave's local
 * rules, docs/SCHEDULER.md#local-rules). */
int		 sched_load_buf(struct sched *, const char *name,
		    const char *buf, size_t len, int64_t now,
		    struct sched_errs *);
/* An empty program in place of the current one. */
int		 sched_load_none(struct sched *, int64_t now, struct sched_errs *);
/* What runs: "file" (the configured events file), "last-good" or "none"
 * (it failed at start-up: sched_master.c), "replicated" (a takeover). */
const char	*sched_source(const struct sched *);
/* First start: restore the state file, apply the missed-event policy,
 * run the start-up events. */
void		 sched_start(struct sched *, int64_t now);
/* Before sched_start(): every instant up to `from` is handled (by
 * someone else: a slave's local rules start after the master's). */
void		 sched_set_start(struct sched *, int64_t from);
/* Before sched_start() at a takeover: a time trigger whose first
 * instant not handled is at most `ms` old (and within its event's
 * catch-up window) runs every instant since, each under its own ids,
 * rather than the last one only (SCHED_TAKEOVER_REPLAY_MS,
 * docs/FAILOVER.md#scheduled-firings). */
void		 sched_set_replay(struct sched *, int64_t ms);
/* The earliest instant the engine needs to run at, or INT64_MAX. */
int64_t		 sched_next(const struct sched *);
/* Handle everything due at `now`. */
void		 sched_run(struct sched *, int64_t now);
/* Inputs: a value reported by a slave, a slave online/offline. */
void		 sched_value(struct sched *, int64_t now, const char *node,
		    const char *dev, const char *key, const struct sched_val *);
/*
 * The same with the slave's instant of the reading (ValueReport.time_ms,
 * 0 unknown): a firing it causes is known by that instant, so a master
 * that handles the same report again (replayed to it after a takeover)
 * derives the same command ids (docs/FAILOVER.md#value-triggered-
 * firings); a 'for' wait is timed from it when within SCHED_READ_SKEW_MS.
 */
void		 sched_value_at(struct sched *, int64_t now, int64_t read_ms,
		    const char *node, const char *dev, const char *key,
		    const struct sched_val *);
void		 sched_node(struct sched *, int64_t now, const char *node,
		    int online);
/* A command's outcome for event `by` (as passed to ops->command). */
void		 sched_result(struct sched *, const char *by, int ok,
		    const char *detail);
/* A firing of `ev` made elsewhere (a cut-off slave's local rules): its
 * result and the stream's "event" notice, marked local; its time triggers
 * count `due` as handled, so no catch-up repeats it. 1 (and nothing
 * done) if that firing is among the event's recent ones already. */
int		 sched_local_fired(struct sched *, struct sched_event *ev,
		    int64_t due, int64_t fired, const char *result,
		    int64_t now);
/* A firing of an old master the standby never held (sched_exec.c);
 * recorded, never run. */
#define SCHED_RAN_UNREPL	2	/* sched_ran.local: on the old master */
#define SCHED_UNREPL_RESULT	"fired by the old master, unreplicated: its " \
				"commands may or may not have reached the slaves"
int		 sched_unrepl_fired(struct sched *, struct sched_event *ev,
		    int64_t fired, int64_t now);
/* `ev`'s slave has reported everything it ran while cut off (LocalSync)
 * and the firing left to it (ev->left_due) was not among them: it was
 * back before its local-after. That firing runs now, with its own due
 * instant (so its firing id), if within the event's catch-up grace. */
void		 sched_left_back(struct sched *, struct sched_event *ev,
		    int64_t now);
/* A firing of `ev` (due `due`) the engine ran whose commands never went
 * (held for a slave that did not come back, or past the catch-up): no
 * longer a run, counted missed with `why`. 1 if its slave ran it (its
 * report came, marked local): then it stays a run. */
int		 sched_held_missed(struct sched *, struct sched_event *ev,
		    int64_t due, int64_t now, const char *why);
/* For the API. */
const struct sched_prog *sched_program(const struct sched *);
int64_t		 sched_event_next(const struct sched *,
		    const struct sched_event *);
int		 sched_enable(struct sched *, const char *name, int on,
		    int64_t now);
int		 sched_fire(struct sched *, const char *name, int64_t now);
int		 sched_set_mode(struct sched *, const char *mode,
		    const char *value, int64_t now);
int		 sched_npending(const struct sched *);
/* In ops->command: the instant the firing that sends it was due (a
 * slave derives its firing id from it, docs/SCHEDULER.md#local-rules). */
int64_t		 sched_firing_due(const struct sched *);
/* A firing's id from what it is, its event and due instant: the same on
 * the master and on a slave (FNV-1a 64). */
uint64_t	 sched_firing_id(const char *event, int64_t due);
/*
 * In ops->command: the command's id when the running firing is known by
 * its instant (a time trigger, even caught up late; a 'for' wait's end;
 * delayed actions resumed), the same on every master that runs that
 * firing: SCHED_CMD_ID_BASE plus 48 bits of FNV-1a 64 of the firing's
 * event, due instant, step (0, or the action a wait resumes at) and the
 * command's order in the firing. 0 for other firings (values, start-up,
 * the API): the caller numbers those (docs/FAILOVER.md#scheduled-firings).
 */
uint64_t	 sched_cmd_id(const struct sched *);
/* The same from its parts (tests, and what a checker recomputes). */
uint64_t	 sched_cmd_id_of(const char *event, int64_t due, int step,
		    int order);
/* Whether a successful sched_load() keeps its schedule as the last good
 * one (default 1): a standby does not, its copy is the master's. */
void		 sched_keep_last_good(struct sched *, int);
/* What runs is the master's schedule as replicated to this node
 * (sched_source() "replicated"), until a reload. */
void		 sched_set_replicated(struct sched *);
/* Write the state file now (also done after every change). */
int		 sched_save(struct sched *, int64_t now);

/* Internal to sched_engine.c, sched_exec.c and sched_state.c. */
enum { HENT_TRIG = 1, HENT_FOR, HENT_PENDING };

/* Actions waiting after a 'wait': the rest of an event's list. */
struct sched_pending {
	TAILQ_ENTRY(sched_pending) entry;
	struct sched_hent	 he;
	struct sched_event	*ev;
	int			 step;		/* next action */
	int			 restart;	/* dropped when the event fires */
	int64_t			 idue;		/* its ids' instant: the firing's
						 * (or its reading's) plus the
						 * waits, the same on any master */
};

/* A firing waiting to run in this batch. */
struct sched_firing {
	struct sched_event	*ev;
	int			 step;		/* 0: a new firing (conditions) */
	int			 force;		/* run now from the API: no
						 * condition, even if disabled */
	int64_t			 due;		/* its instant: a time trigger's
						 * (even caught up late), else when
						 * it was queued */
	int			 ident;		/* known by its instant: due is
						 * the same on any master */
	char			 why[64];
};

struct sched {
	const struct sched_ops	*ops;
	void			*arg;
	sched_notify_cb		*notify;
	void			*narg;
	struct sched_place	 home;		/* lat, lon, the process's zone */
	struct sched_place	 sites[SCHED_MAX_SITES];
	int			 nsites;
	const struct sched_place *here;	/* of the condition evaluated,
						 * NULL: home */
	char			*state_path;
	struct sched_prog	*prog;
	struct sched_hent	**heap;
	int			 nheap, capheap;
	TAILQ_HEAD(, sched_pending) pending;
	int			 npending;
	int			 started, dirty, lazy;	/* sched_flush() */
	int64_t			 saved_at;
	/* Not the configured file's program: 1 the last good copy, 2 none,
	 * because the file failed at start-up (sched_master.c); 3 the
	 * master's, replicated to this node that took over. */
	int			 degraded;
	int64_t			 now;		/* of the call being handled */
	struct sched_firing	 batch[SCHED_MAX_BATCH];
	int			 bhead, nbatch;	/* queue: next, end */
	int64_t			 qdue;		/* the next firing queued is due
						 * then (0: now) */
	int64_t			 read_ms;	/* sched_value_at(): the reading's
						 * instant (0: none) */
	int64_t			 firing_due;	/* of the firing running */
	const struct sched_event *firing_ev;	/* ... its event, step, */
	int			 firing_step, firing_ident;	/* ident */
	int			 cmd_ord;	/* and commands sent so far */
	int64_t			 start_from;	/* sched_set_start() */
	int64_t			 replay_ms;	/* sched_set_replay() */
	int			 replaying;	/* instants of one trigger queued
						 * together, each its own firing */
	int			 no_last_good;	/* sched_keep_last_good(s, 0) */
	struct sched_state_hook	 hook;
	struct sched_state_io	 io;		/* write NULL: the file */
	int			 left;		/* the firing running was left to
						 * a cut-off slave (ops->command 1) */
};

/* sched_engine.c */
void		 sched_heap_push(struct sched *, struct sched_hent *);
void		 sched_heap_remove(struct sched *, struct sched_hent *);
struct sched_pending *sched_pending_add(struct sched *, struct sched_event *,
		    int step, int64_t due, int restart);
void		 sched_pending_drop(struct sched *, struct sched_pending *);
void		 sched_trig_arm(struct sched *, struct sched_trig *, int64_t after);
void		 sched_trig_missed(struct sched *, struct sched_trig *,
		    int64_t first, int64_t now, long grace, const char *while_);
/* `n` instants of `ev`, the last `due`, skipped at `now` for `why`: the
 * event's missed record and the stream's "event_missed". */
void		 sched_missed_add(struct sched *, struct sched_event *, int n,
		    int64_t due, int64_t now, const char *why);
/* `ms` in words: "40 s", "12 min", "3 h". */
void		 sched_span_words(char *, size_t, int64_t ms);
int		 sched_val_equal(const struct sched_val *,
		    const struct sched_val *);

/* sched_var.c */
int		 sched_var_eval(const struct sched *, const struct sched_cond *,
		    int64_t now);
void		 sched_var_run(struct sched *, const struct sched_event *,
		    const struct sched_act *);
void		 sched_var_carry(struct sched_prog *, const struct sched_prog *old);

/* sched_exec.c: conditions, actions, notifications. */
int		 sched_cond_eval(struct sched *, const struct sched_cond *,
		    int64_t now);
/* Queue a firing for sched_flush(); step > 0 resumes after a wait. */
void		 sched_fire_queue(struct sched *, struct sched_event *, int step,
		    int force, const char *why);
/* Run the queued firings, then save if anything changed. */
void		 sched_flush(struct sched *, int64_t now);
void		 sched_trig_describe(const struct sched_trig *, char *, size_t);
void		 sched_emit(struct sched *, const char *kind,
		    const struct sched_event *, const char *json);

/* api_sched.c: the scheduler's API routes (docs/API.md#events). */
struct api;
struct api_call;
struct sched_api {
	struct sched	*s;
	const char	*path;			/* the events file */
	int64_t		(*now)(void *);		/* wall ms */
	void		(*changed)(void *);	/* re-arm the timer */
	void		*arg;
	/* The site of a node, or NULL if unknown (never connected). */
	const char	*(*site_of)(void *, const char *node);
	/* Has slave `node` sent the end of its replay of local firings
	 * since it came online (LocalSync)? 1 yes; NULL: never. */
	int		(*local_synced)(void *, const char *node);
	/* "run" with a client's key and an answer that waits for the
	 * standby (hd-master: master/sched/sched_run.c); NULL: the event
	 * fires and is answered at once. `key` may be "". */
	void		(*run)(void *, struct api_call *, const char *event,
			    const char *key);
};
/*
 * How a "run" went, for its answer (api_sched_run_answer): fired now or
 * a repeat of the run with the same key, and whether the standby holds
 * the firing's record (replicated) or why not.
 */
struct sched_run_out {
	char		key[SCHED_RUN_KEY_MAX + 1];	/* "" none */
	int		repeat;
	int64_t		fired_ms;
	int		replicated;
	const char	*why;		/* static; NULL if replicated */
};
/* The answer to a "run" of `event` on call `c` (c->ctx set to `sa`):
 * the event as GET shows it, with "run" (docs/API.md#events-and-modes);
 * 404 if the event went meanwhile (a reload). */
void		 api_sched_run_answer(struct api_call *, struct sched_api *,
		    const char *event, const struct sched_run_out *);
/* `sa` must outlive the api. -1 if the route table is full. */
int		 api_sched_routes(struct api *, struct sched_api *);
/*
 * May `u` see event `ev` (docs/SCHEDULER.md#who-sees-what)? An admin
 * sees every event; a user or viewer one whose every device (and node)
 * it may view (users_may), the site from site_of(); an unknown node's
 * site is "", which only a "*" grant covers. An event naming no device
 * is everyone's.
 */
struct user;
int		 api_sched_may_view(const struct user *, const struct sched_event *,
		    const char *(*site_of)(void *, const char *), void *);

/* sched_state.c: the state file, and the start from it. */
int		 sched_state_write(struct sched *, const char *path,
		    int64_t now);
int		 sched_state_read(struct sched *, const char *path,
		    int64_t now);
/* The program's events sorted by name (caller frees; NULL out of
 * memory), and one of them by name in it, or NULL. */
struct sched_event **sched_name_index(const struct sched_prog *);
struct sched_event *sched_name_lookup(struct sched_event **, int n,
		    const char *name);
/* Each event enabled as written, or as an admin overrode it. */
void		 sched_set_enabled(struct sched_prog *);
/* A time trigger (at, every, sun): instants the engine arms. */
int		 sched_trig_timed(const struct sched_trig *);

#endif
