#ifndef HD_NET_H
#define HD_NET_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

/* Parse "host:port", "[v6]:port"; numeric hosts or "localhost" only, so
 * start-up never blocks on DNS. */
int	net_parse_addr(const char *, struct sockaddr_storage *, socklen_t *);
/* "1.2.3.4:5" / "[::1]:5" for logs. */
void	net_addr_str(const struct sockaddr *, char *, size_t);
/* Non-blocking, close-on-exec listener (SO_REUSEADDR, v6only for v6). */
int	net_listen(const struct sockaddr_storage *, socklen_t, int backlog);
/* Start a non-blocking connect; *inprogress set when it has not finished. */
int	net_connect(const struct sockaddr_storage *, socklen_t,
	    int *inprogress);
int	net_accept(int lfd, char *addr, size_t addrlen);
/*
 * The key an address is counted under (bans, per-address limits, login
 * throttles): an IPv4 address (mapped into ::ffff:0:0/96) is itself, an
 * IPv6 one is cut to its first `v6bits` bits (0..128), since anyone
 * with one IPv6 address usually holds its whole /64. `out` may be `in`.
 */
void	net_addr_key(uint8_t out[16], const uint8_t in[16], int v6bits);
/* Do a and b count as one address (net_addr_key())? */
int	net_addr_same(const uint8_t a[16], const uint8_t b[16], int v6bits);
/* Random bytes from the kernel. */
int	net_random(void *, size_t);
/* Copy `s` for a log line: printable ASCII only, at most `max` chars. */
const char *str_vis(char *dst, size_t dstlen, const char *s);

#endif
