#ifndef HD_WEBPROC_H
#define HD_WEBPROC_H

/*
 * webproc.c: the master's side of the web process (master/web/, web.c
 * is the process itself and never returns): start it through the
 * spawner, restart it, re-check every message it sends.
 */

struct master;

struct webproc;
struct webproc	*webproc_start(struct master *, const char *conffile,
		    int verbose);
/* The master stops: the answers it sent go out, then the link closes
 * (the web process answers what still waits and drains). Before
 * webproc_stop(). */
void		 webproc_drain(struct webproc *);
void		 webproc_stop(struct webproc *);
/* One message to the web process; -1 if it is not up. */
struct Hd__WebMsg;
int		 webproc_send(struct webproc *, struct Hd__WebMsg *);

#endif
