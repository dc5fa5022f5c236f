/*
 * Capabilities through the raw capget/capset calls (no libcap), and the
 * one way a child gives up its privileges. See priv.h.
 */

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/capability.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"

#define PRIV_NEED	(PRIV_CAP(CAP_SETUID) | PRIV_CAP(CAP_SETGID) | \
			 PRIV_CAP(CAP_SYS_CHROOT))

static int
caps_get(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct __user_cap_header_struct	h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	d[2];

	if (syscall(SYS_capget, &h, d) == -1)
		return -1;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int
caps_set(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct	h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	d[2];

	d[0].effective = (uint32_t)eff;
	d[1].effective = (uint32_t)(eff >> 32);
	d[0].permitted = (uint32_t)prm;
	d[1].permitted = (uint32_t)(prm >> 32);
	d[0].inheritable = (uint32_t)inh;
	d[1].inheritable = (uint32_t)(inh >> 32);
	return syscall(SYS_capset, &h, d) == -1 ? -1 : 0;
}

int
priv_can_drop(void)
{
	uint64_t eff, prm, inh;

	if (geteuid() == 0)
		return 1;
	return caps_get(&eff, &prm, &inh) == 0 &&
	    (prm & PRIV_NEED) == PRIV_NEED;
}

/* Bounding-set caps outside `keep` go, if we hold CAP_SETPCAP (root);
 * an unprivileged process's bounding set is the unit's already. */
static void
bound_limit(uint64_t keep, uint64_t prm)
{
	int c;

	if ((prm & PRIV_CAP(CAP_SETPCAP)) == 0)
		return;
	for (c = 0; c <= CAP_LAST_CAP; c++)
		if ((keep & PRIV_CAP(c)) == 0 &&
		    prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
}

int
priv_limit(uint64_t keep)
{
	uint64_t	eff, prm, inh;
	int		c;

	if (caps_get(&eff, &prm, &inh) == -1)
		return -1;
	bound_limit(keep, prm);
	keep &= prm;
	if (caps_set(keep, keep, keep) == -1)
		return -1;
	/* Root's exec'd children get the (now small) bounding set; an
	 * unprivileged spawner's get only what is ambient. */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (c = 0; c <= CAP_LAST_CAP; c++)
		if ((keep & PRIV_CAP(c)) != 0 && prctl(PR_CAP_AMBIENT,
		    PR_CAP_AMBIENT_RAISE, c, 0, 0) == -1)
			return -1;
	return 0;
}

int
priv_drop_caps(void)
{
	uint64_t eff, prm, inh;

	if (caps_get(&eff, &prm, &inh) == -1) {
		log_warn("capget");
		return -1;
	}
	bound_limit(0, prm);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (caps_set(0, 0, 0) == -1 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("dropping capabilities");
		return -1;
	}
	if (caps_get(&eff, &prm, &inh) == -1 || (eff | prm | inh) != 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_SETUID, 0,
	    0) == 1) {
		log_warnx("capabilities left after dropping them");
		return -1;
	}
	return 0;
}

static int
become(const struct passwd *pw)
{
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		log_warn("dropping to %s", pw->pw_name);
		return -1;
	}
	/* From a uid other than 0, setresuid() keeps the capabilities. */
	if (priv_drop_caps() == -1)
		return -1;
	if (setuid(0) != -1 || setgid(0) != -1) {
		log_warnx("could regain root after dropping it");
		return -1;
	}
	return 0;
}

int
priv_drop(const char *root, const char *user)
{
	struct passwd	*pw;

	if (!priv_can_drop()) {
		log_info("neither root nor CAP_SETUID/SETGID/SYS_CHROOT: "
		    "keeping uid %u, no chroot", (unsigned)getuid());
		return 0;
	}
	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("web-user %s: no such user", user);
		return -1;
	}
	if (pw->pw_uid == getuid() || pw->pw_uid == 0) {
		log_warnx("web-user %s: uid %u is the master's or root's; "
		    "give the web process a user of its own", user,
		    (unsigned)pw->pw_uid);
		return -1;
	}
	if (chroot(root) == -1 || chdir("/") == -1) {
		log_warn("chroot %s", root);
		return -1;
	}
	if (become(pw) == -1)
		return -1;
	log_info("chrooted to %s as %s (uid %u)", root, user,
	    (unsigned)pw->pw_uid);
	return 0;
}
