#ifndef HD_SANDBOX_H
#define HD_SANDBOX_H

/*
 * One seccomp allow-list per process role, installed with one call once
 * the process has everything it needs (files open, privileges dropped).
 * A forbidden system call kills the process (the master logs it and
 * restarts the child); opening files fails with EACCES instead, since
 * libc may try (time zone files) and nothing is to be opened anyway.
 */

enum sandbox_role {
	SANDBOX_WEB,		/* the HTTPS engine: sockets it has, no new ones */
	SANDBOX_AUTH,		/* the master's auth worker: read, hash, write */
};

/* 0, or -1 (logged) if the kernel refused; sanitizer builds skip it. */
int	sandbox_init(enum sandbox_role);

#endif
