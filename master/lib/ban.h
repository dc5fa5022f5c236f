#ifndef HD_BAN_H
#define HD_BAN_H

/*
 * Per-address probe scores and escalating bans, fail2ban-like: each probe
 * adds to an address's score, the score decays with a half-life, and
 * reaching BAN_THRESHOLD bans the address for BAN_FIRST_MS, twice as long
 * each time after, up to BAN_LONGEST_MS. The table is bounded
 * (BAN_MAX_ENTRIES, least recently seen evicted first, bans in force
 * never), addresses on the allow-list are never banned, and the bans
 * persist across restarts. An IPv6 address counts for its /64.
 * Times are wall-clock ms, passed in by the caller (tests use fake ones).
 */

#include <stdint.h>

#include "hdlimits.h"
#include "web.pb-c.h"

struct ban_table;

struct ban_table *ban_new(void);
void		 ban_free(struct ban_table *);
/* "10.0.0.0/8", "fd00::/8", "127.0.0.1" (a host). -1 if malformed/full. */
int		 ban_allow(struct ban_table *, const char *cidr);
/* Addresses are 16 bytes: IPv6, or IPv4 mapped into ::ffff:0:0/96. */
int		 ban_is_allowed(const struct ban_table *, const uint8_t *addr);
/* IPv6 addresses count for their first `bits` bits (default
 * BAN_IPV6_PREFIX); -1 if out of [BAN_IPV6_PREFIX_MIN, 128]. */
int		 ban_set_v6_prefix(struct ban_table *, int bits);
/* Scores and bans not taken because every entry was a ban in force. */
uint64_t	 ban_full(const struct ban_table *);
/* Banned at `now`? (Cheap: called on every accept.) */
int		 ban_check(struct ban_table *, const uint8_t *addr,
		    uint64_t now);
/* Until when (0: not banned) and at which level `addr` is banned. */
uint64_t	 ban_until(struct ban_table *, const uint8_t *addr, uint64_t now,
		    uint32_t *level);
/* Count a probe of `weight`; returns the ban length if it banned now. */
uint64_t	 ban_probe(struct ban_table *, const uint8_t *addr, double weight,
		    uint64_t now);
/* Ban `addr` for `len` ms from `now` (a ban decided elsewhere: the web
 * process's), one level up unless banned already; a ban in force is
 * only lengthened. Returns the end of the ban, 0 if not banned (on
 * the allow-list, or the table full of bans). */
uint64_t	 ban_impose(struct ban_table *, const uint8_t *addr,
		    uint64_t len, uint64_t now);
int		 ban_unban(struct ban_table *, const uint8_t *addr);
int		 ban_count(const struct ban_table *, uint64_t now);
int		 ban_save(const struct ban_table *, const char *path,
		    uint64_t now);
int		 ban_load(struct ban_table *, const char *path, uint64_t now);
void		 ban_restore(struct ban_table *, const uint8_t *addr,
		    uint64_t until_ms, uint32_t level, uint64_t now);
void		 ban_pack(const struct ban_table *, uint64_t now,
		    Hd__BanList *, Hd__Ban *, Hd__Ban **);

#endif
