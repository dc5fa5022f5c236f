#ifndef HD_PRIV_H
#define HD_PRIV_H

/*
 * Capabilities and uid changes (docs/SECURITY.md, "Privilege
 * separation"). A daemon started by root, or by the unit with
 * CAP_SETUID, CAP_SETGID and CAP_SYS_CHROOT, gives its children their
 * own uid in an empty chroot and then holds no capability itself.
 */

#include <stdint.h>

#define PRIV_CAP(c)	((uint64_t)1 << (c))

/* 1 if this process may chroot and change uid (root, or the unit's
 * capabilities), else 0 (development: children keep our uid). */
int	priv_can_drop(void);
/* Keep only the capabilities in `keep` (permitted, effective and
 * inheritable), raise them as ambient so that an exec'd child holds
 * them too, and drop the rest of the bounding set where we may.
 * For the spawner. 0, or -1 with errno. */
int	priv_limit(uint64_t keep);
/* Drop every capability for good (ambient, bounding where we may,
 * permitted) and set no_new_privs. 0, or -1 after a log line. */
int	priv_drop_caps(void);
/* In a child, before it reads anything from outside: chroot to `root`,
 * become `user` (groups, gid, uid), hold no capability. Refuses a user
 * whose uid is ours (the master's), since the point is a uid of its
 * own. Without the means (priv_can_drop() == 0) it logs and keeps its
 * uid. 0, or -1 after a log line. */
int	priv_drop(const char *root, const char *user);

#endif
