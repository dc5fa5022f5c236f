#ifndef HD_WEB_H
#define HD_WEB_H

/*
 * The HTTPS engine: its own process, unprivileged, holding only the web
 * certificate and key. One event loop serves every connection; each one
 * moves through the states below, with one deadline timer.
 */

#include <sys/queue.h>
#include <netinet/in.h>

#include <openssl/ssl.h>

#include "lib/ban.h"
#include "buf.h"
#include "chan.h"
#include "ev.h"
#include "lib/http.h"
#include "lib/probe.h"
#include "lib/webapi.h"
#include "web.pb-c.h"

enum wc_state {
	WC_SNIFF,		/* accepted: what are the first bytes? */
	WC_HANDSHAKE,		/* TLS handshake */
	WC_HEAD,		/* reading a request head (or idle between) */
	WC_BODY,		/* reading its body */
	WC_MASTER,		/* its answer comes from the master */
	WC_FLUSH_CLOSE,		/* writing the last response, then close */
	WC_STREAM,		/* an event stream (web_stream.c) */
};

struct web;

struct wconn {
	TAILQ_ENTRY(wconn)	 entry;		/* oldest first */
	TAILQ_ENTRY(wconn)	 again_entry;	/* if again */
	int			 again;		/* served at the next turn */
	struct web		*w;
	int			 fd;
	SSL			*ssl;
	enum wc_state		 state;
	struct ev_io		 io;
	struct ev_timer		 timer;
	uint8_t			 addr[16];	/* IPv4 mapped */
	uint8_t			 key[16];	/* addr as counted (v6bits) */
	TAILQ_ENTRY(wconn)	 addr_entry;	/* web byaddr, oldest first */
	unsigned		 port;
	char			 name[INET6_ADDRSTRLEN + 16];	/* for logs */
	struct buf		 in, out;
	/* The request being answered. Its strings point into a scratch
	 * copy of the head that the next request of any connection reuses:
	 * valid until web_respond() returns; copy what must outlive it. */
	struct http_request	 req;
	struct http_chunked	 ck;
	uint8_t			*body;		/* HTTP_MAX_BODY when needed */
	size_t			 bodylen;
	int			 nreq;
	int			 want;		/* EV_* OpenSSL waits for */
	int			 idle;		/* between requests */
	int			 probed;	/* logged as a probe already */
	char			*head;		/* copy of the request head */
	uint64_t		 api_id;	/* in WC_MASTER: the call's id */
	struct wstream		*stream;	/* in WC_STREAM */
	uint64_t		 stream_last;	/* Last-Event-ID, if resume */
	int			 stream_resume;
	int			 api_metrics;	/* ... asks if /metrics may be read */
	int			 cors;		/* web_http.c cors_origin() */
};

struct web_stats {
	uint64_t	probes[PROBE_NCLASSES];
	uint64_t	unscored;	/* of those: a browser's, weight 0 */
	uint64_t	banned_drops;	/* closed at accept: banned */
	uint64_t	shed;		/* closed to make room */
	uint64_t	requests;
	uint64_t	handshakes;
	uint64_t	watchdog_web;	/* the master's counters (WebMsg ping) */
	uint64_t	watchdog_auth;
};

/* Lists of connections by address: a power of two, twice WEB_MAX_CONNS. */
#define WEB_ADDR_BUCKETS	1024
/* Connections accepted from one listener in one loop turn. */
#define WEB_ACCEPTS_PER_TURN	16
/* Probe reports wait at most this long to go to the master together. */
#define WEB_REPORT_MS		100
TAILQ_HEAD(wconn_list, wconn);

struct web {
	struct ev_loop		*loop;
	SSL_CTX			*ctx;
	int			 lfd[WEB_MAX_LISTEN];
	struct ev_io		 lio[WEB_MAX_LISTEN];
	int			 nlisten;
	TAILQ_HEAD(, wconn)	 conns;
	int			 nconns;
	struct wconn_list	 byaddr[WEB_ADDR_BUCKETS];	/* web_peer.c */
	uint32_t		 addr_seed;	/* of their hash */
	TAILQ_HEAD(, wconn)	 again;		/* web_conn.c serve_later() */
	int			 nagain;
	struct ev_timer		 again_timer;
	struct ev_timer		 report_timer;	/* flushes probe reports */
	struct ban_table	*bans;
	int			 v6bits;	/* ban-ipv6-prefix: an "address" */
	struct chan		 parent;
	struct web_stats	 stats;
	uint64_t		 started_ms;
	uint64_t		 handshake_ms;	/* web-handshake-timeout */
	uint64_t		 request_ms;	/* web-request-timeout: head, body */
	uint64_t		 idle_ms;	/* keep-alive between requests */
	uint64_t		 next_api_id;
	struct wstreams		*streams;	/* web_stream.c */
	int			 draining;	/* web_drain(): stopping */
	struct ev_timer		 drain_timer;	/* ... for WEB_DRAIN_MS at most */
};

/* web_peer.c: accept, sniff, handshake, probes */
/* -1 when there was nothing to accept. */
/* web.c: the web process's main, given its part of the configuration;
 * never returns. */
void	web_main(const struct web_conf *, int fd, int verbose)
	    __attribute__((noreturn));
int	wc_accept(struct web *, int lfd);
/* Sniff and handshake steps: -1 to close; wc_handshake() 1 when done. */
int	wc_sniff(struct wconn *);
int	wc_handshake(struct wconn *);
void	wc_probe(struct wconn *, enum probe_class, const char *detail,
	    const uint8_t *first, size_t n);
/* A connection joins and leaves its address's list (c->key). */
void	wc_addr_add(struct wconn *);
void	wc_addr_remove(struct wconn *);
/* A probe inside a request (weighs nothing if a browser sent it). */
void	wc_probe_req(struct wconn *, enum probe_class, const char *detail,
	    const char *first, size_t n);
/* A scanner's path in the request just parsed (scored unless a browser
 * sent it). */
void	wc_probe_scanner(struct wconn *, const char *what);

/* web_conn.c */
/* Take over a connection just accepted, its address and fd set. */
void	wc_start(struct wconn *);
void	wc_close(struct wconn *);
void	wc_arm(struct wconn *, uint64_t ms);
/* What OpenSSL wants after r from a call: 0 (c->want set) or -1 with the
 * reason in why. */
int	wc_ssl_want(struct wconn *, int r, char *why, size_t len);
/* 1 if the response being written is the connection's last. */
int	wc_last(const struct wconn *);
/* Draining: close c if it waits for nothing (idle, or a stream). */
void	wc_drain_idle(struct wconn *);
/* The master's answer is in c->out: go on with the connection. */
void	wc_resume(struct wconn *);
/* The timer that serves connections again whose reads were cut short. */
void	wc_again(struct ev_timer *);

/* Write queued output outside a request (event streams); -1 if the
 * connection failed and was closed. */
int	wc_send(struct wconn *);

/* web.c */
void	web_report_probe(struct web *, const struct wconn *, enum probe_class,
	    const char *detail, const uint8_t *first, size_t n, double weight,
	    uint64_t banned_ms);
/* Forward the request in c to the master as an API call; the
 * connection waits in WC_MASTER for the answer. */
void	web_api_send(struct wconn *, const char *session, const char *csrf,
	    const char *token);
/*
 * Stop serving without dropping answers in flight (SIGTERM, or the link
 * to the master gone): no more accepts, idle connections closed, those
 * with a request under way answered (Connection: close), then the loop
 * ends; after WEB_DRAIN_MS whatever is left is cut.
 */
void	web_drain(struct web *, const char *why);
/* The same, for another path than the request's (API_METRICS_ACCESS). */
void	web_api_send_path(struct wconn *, const char *path,
	    const char *session, const char *csrf, const char *token);

/* web_http.c */
/* The master-web origins, for the policy and CORS (before serving). */
void	web_http_init(const struct web_conf *);
/* Answer the parsed request in wc->req (body in wc->body); queue the
 * response in wc->out. */
void	web_respond(struct wconn *);
/* Does the request carry a browser's signature (Sec-Fetch-*, Origin)? */
int	web_req_browser(const struct http_request *);
/* A short error response; `close` adds Connection: close. */
void	web_error(struct wconn *, int status, const char *reason, int close);
void	web_api_reply(struct wconn *, int status, const uint8_t *body,
	    size_t len, const char *set_cookie, unsigned retry_after_s);
/* The Prometheus text of this process's counters. */
void	web_metrics(struct wconn *);

/* web_http.c: the status line and headers of an event stream. */
void	web_stream_head(struct wconn *);

/*
 * web_stream.c: the event streams (docs/API.md). The master authorizes
 * each one and sends its permission set; events come from the master
 * once each, are kept in a bounded backlog and written to every stream
 * that may see them. A stream whose unsent output passes
 * STREAM_MAX_PENDING is closed: the client resumes with Last-Event-ID.
 */
struct Hd__ApiResponse;
struct Hd__WebMsg;
int	web_stream_init(struct web *);
/* Before forwarding a request: note its Last-Event-ID for a stream. */
void	web_stream_note(struct wconn *);
/* The master's 200 for a stream in r: -1 if the message is malformed. */
int	web_stream_start(struct wconn *, const struct Hd__ApiResponse *r);
/* A StreamEvent or StreamDrop from the master: -1 if malformed. */
int	web_stream_msg(struct web *, const struct Hd__WebMsg *);
void	web_stream_timer(struct wconn *);
void	web_stream_gone(struct wconn *);

/* web_cert.c: client certificates for apps (docs/SECURITY.md) */
int		 web_tls_clients(SSL_CTX *, const char *ca, const char *crl);
void		 web_cert_fill(SSL *, const char *conn, Hd__ApiRequest *);

#endif
