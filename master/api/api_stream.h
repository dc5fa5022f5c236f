#ifndef HD_API_STREAM_H
#define HD_API_STREAM_H

/*
 * The event stream, GET /api/v1/stream (docs/API.md). The master
 * authorizes a stream like any call and answers with the stream's
 * permission set; the web process (web_stream.c) then holds the
 * connection, keeps the backlog and fans each event out.
 *
 * Any master module may publish:
 *
 *	api_stream_publish(m, "event", site, device, json);
 *
 * `event` names the event (letters, digits, '_', at most 31 bytes);
 * `site` and `device` tag it for the permission filter: device NULL
 * reaches every stream that may view something of the site, site NULL
 * every stream. "probe" and "log" events reach admins only. `json` is one JSON
 * value (the caller vouches for it, e.g. written with jw_*), at most
 * STREAM_MAX_DATA - 1 bytes; a longer one is dropped and logged. The
 * event goes out once over the socketpair, whatever the number of
 * streams; with no web process it is dropped. Returns the event's id,
 * or 0 if it was not sent.
 */

#include <stdint.h>

#include "web.pb-c.h"

struct master;
struct user;

uint64_t	api_stream_publish(struct master *, const char *event,
		    const char *site, const char *device, const char *json);
/* An event that a stream sees only if it admits every one of `needs`
 * (site and device each; site "" only for a "*" grant): the
 * scheduler's notices, tagged with the devices their event names.
 * At most STREAM_MAX_NEEDS. */
uint64_t	api_stream_publish_needs(struct master *, const char *event,
		    Hd__StreamScope **needs, size_t n, const char *json);
/* End the streams of `user` (NULL: all), e.g. after a change of its
 * role or grants: the client reconnects and is authorized again. With
 * `key`, only the streams of that session or token (api.h). */
void		api_stream_drop(struct master *, const char *user,
		    const char *key);
int		api_stream_routes(struct master *);

/* Where the events go: one message each, -1 if it could not be sent.
 * The wiring (stream_wire.c) points it at the web process; tests at
 * their own. Without a sink, events are dropped. */
typedef int	api_stream_sink_fn(void *arg, Hd__WebMsg *);
void		api_stream_set_sink(struct master *, api_stream_sink_fn *,
		    void *arg);

#endif
