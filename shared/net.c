#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

int
net_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	char			 host[64], *end;
	const char		*colon, *hs = s;
	size_t			 hl;
	long			 port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			return -1;
		hs = s + 1;
		hl = (size_t)(colon - hs);
		colon++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, hs, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || errno || port <= 0 || port > 65535)
		return -1;
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*sl = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*sin6);
		return 0;
	}
	return -1;
}

void
net_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char h[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, h, sizeof(h));
		snprintf(buf, len, "%s:%u", h, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, h, sizeof(h));
		snprintf(buf, len, "[%s]:%u", h, ntohs(s6->sin6_port));
	} else
		snprintf(buf, len, "?");
}

static void
tune_socket(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
}

int
net_listen(const struct sockaddr_storage *ss, socklen_t sl, int backlog)
{
	int fd, one = 1;

	if ((fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, sl) == -1 ||
	    listen(fd, backlog) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
net_connect(const struct sockaddr_storage *ss, socklen_t sl, int *inprogress)
{
	int fd;

	*inprogress = 0;
	if ((fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return -1;
	tune_socket(fd);
	if (connect(fd, (const struct sockaddr *)ss, sl) == -1) {
		if (errno != EINPROGRESS) {
			close(fd);
			return -1;
		}
		*inprogress = 1;
	}
	return fd;
}

int
net_accept(int lfd, char *addr, size_t addrlen)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof(ss);
	int			fd;

	if ((fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return -1;
	tune_socket(fd);
	net_addr_str((struct sockaddr *)&ss, addr, addrlen);
	return fd;
}

void
net_addr_key(uint8_t out[16], const uint8_t in[16], int v6bits)
{
	static const uint8_t	mapped[12] = { [10] = 0xff, [11] = 0xff };
	int			i;

	memmove(out, in, 16);
	if (memcmp(in, mapped, sizeof(mapped)) == 0 || v6bits >= 128)
		return;
	if (v6bits < 0)
		v6bits = 0;
	for (i = v6bits / 8; i < 16; i++)
		out[i] = i == v6bits / 8 ?
		    (uint8_t)(out[i] & (0xff << (8 - v6bits % 8))) : 0;
}

int
net_addr_same(const uint8_t a[16], const uint8_t b[16], int v6bits)
{
	uint8_t ka[16], kb[16];

	net_addr_key(ka, a, v6bits);
	net_addr_key(kb, b, v6bits);
	return memcmp(ka, kb, sizeof(ka)) == 0;
}

int
net_random(void *p, size_t n)
{
	return getrandom(p, n, 0) == (ssize_t)n ? 0 : -1;
}

const char *
str_vis(char *dst, size_t dstlen, const char *s)
{
	size_t i, j = 0;

	for (i = 0; s != NULL && s[i] != '\0' && j + 1 < dstlen; i++)
		dst[j++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[j] = '\0';
	return dst;
}
