/*
 * Deferred API answers (api.h): a handler that waits for the auth worker
 * keeps what its answer needs and finishes the call later. The web
 * process matches answers to its connections by id, so they may come
 * back in any order.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api/api_internal.h"
#include "auth/authw.h"
#include "log.h"

void
api_set_sink(struct api *a, api_sink_fn *fn, void *arg)
{
	a->sink = fn;
	a->sink_arg = arg;
}

void
api_set_link(struct api *a, uint64_t link)
{
	a->link = link;
}

void
api_set_auth(struct api *a, struct authw *aw)
{
	a->auth = aw;
}

void
api_defer(struct api_call *c, struct api_later *l)
{
	if (c->later == l) {	/* deferred again, from its own resumption */
		c->deferred = 1;
		return;
	}
	memset(l, 0, sizeof(*l));
	hd__api_request__init(&l->req);
	l->req.id = c->req->id;
	if (c->req->addr.len == sizeof(l->addr))
		memcpy(l->addr, c->req->addr.data, sizeof(l->addr));
	l->req.addr.data = l->addr;
	l->req.addr.len = sizeof(l->addr);
	snprintf(l->method, sizeof(l->method), "%s", c->req->method);
	snprintf(l->path, sizeof(l->path), "%s", c->req->path);
	l->req.method = l->method;
	l->req.path = l->path;
	snprintf(l->key, sizeof(l->key), "%s", c->key);
	l->link = c->api->link;
	c->deferred = 1;
}

void
api_resume(struct api *a, const struct api_later *l, struct api_call *c,
    Hd__ApiResponse *resp, uint64_t now)
{
	memset(c, 0, sizeof(*c));
	hd__api_response__init(resp);
	c->api = a;
	c->req = &l->req;
	c->resp = resp;
	c->now = now;
	c->later = l;
	resp->id = l->req.id;
	snprintf(c->key, sizeof(c->key), "%s", l->key);
	jw_init(&c->w, a->out, sizeof(a->out));
}

void
api_finish(struct api_call *c)
{
	struct api *a = c->api;

	if (c->resp->status == 0)	/* a handler that never answered */
		api_refuse(c, 500, "internal", "no answer");
	if (a->sink == NULL) {
		log_debug("api: %s %s: no web process for the answer",
		    c->req->method, c->req->path);
		return;
	}
	a->sink(a->sink_arg, c->later->link, c->resp, c->login_failed,
	    c->later->addr);
}

void
api_refuse_busy(struct api_call *c, int queue_full)
{
	c->resp->retry_after_s = AUTH_RETRY_AFTER_S;
	if (queue_full)
		api_refuse(c, 503, "busy", "too many password checks at "
		    "once; try again");
	else
		api_refuse(c, 503, "unavailable", "password checks are "
		    "restarting; try again");
}

void
api_hash_failed(struct api_call *c, enum authw_status st)
{
	if (st == AUTHW_FAILED)
		api_refuse(c, 500, "internal", "hashing failed");
	else
		api_refuse_busy(c, 0);
}

/* Hash `pw` with h's salt and parameters. Without an auth worker at
 * once: 1 and the key in `key`. Else queued: 0, the call is deferred
 * (into l) and fn(arg, ...) comes later. -1 after a refusal (503 when
 * the queue is full or the worker down). */
static int
api_hash(struct api_call *c, struct api_later *l, const char *pw,
    const struct pw_hash *h, authw_fn *fn, void *arg, uint8_t *key)
{
	struct api *a = c->api;

	if (a->auth == NULL) {
		if (users_scrypt(pw, h->salt, &h->params, key) == 0)
			return 1;
		api_refuse(c, 500, "internal", "hashing failed");
		return -1;
	}
	if (authw_hash(a->auth, pw, h->salt, &h->params, fn, arg) == -1) {
		api_refuse_busy(c, authw_pending(a->auth) >= AUTH_MAX_PENDING);
		return -1;
	}
	api_defer(c, l);
	return 0;
}

void *
api_wait_new(struct api_call *c, size_t size,
    void (*apply)(struct api_call *, struct api_wait *, const uint8_t *))
{
	struct api_wait *w;

	if ((w = calloc(1, size)) == NULL) {
		api_refuse(c, 500, "internal", "out of memory");
		return NULL;
	}
	w->a = c->api;
	w->apply = apply;
	w->size = size;
	return w;
}

void
api_wait_free(void *p)
{
	struct api_wait *w = p;

	if (w == NULL)
		return;
	OPENSSL_cleanse(w, w->size);
	free(w);
}

/* The worker's answer: the call resumed, answered, and its record
 * freed, unless apply queued another hash for it. */
static void
wait_done(void *arg, enum authw_status st, const uint8_t *key,
    uint64_t now)
{
	struct api_wait	*w = arg;
	struct api_call	 c;
	Hd__ApiResponse	 resp;

	if (st != AUTHW_CANCEL) {
		api_resume(w->a, &w->later, &c, &resp, now);
		if (st == AUTHW_OK)
			w->apply(&c, w, key);
		else
			api_hash_failed(&c, st);
		if (c.deferred)
			return;
		api_finish(&c);
	}
	api_wait_free(w);
}

int
api_hash_wait(struct api_call *c, struct api_wait *w, const char *pw,
    const struct pw_hash *h)
{
	uint8_t	key[SCRYPT_KEY_LEN];

	if (api_hash(c, &w->later, pw, h, wait_done, w, key) == 1)
		w->apply(c, w, key);
	OPENSSL_cleanse(key, sizeof(key));
	return c->deferred ? 0 : -1;
}
