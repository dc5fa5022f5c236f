/*
 * libhdemul.so: a user-space emulation of the two kernel interfaces the
 * slave's Linux backends use, loaded with LD_PRELOAD in tests (our CI has
 * no i2c-stub or gpio-sim module). It intercepts open/close/read/write/
 * ioctl for /dev/i2c-N and /dev/gpiochipN and passes every other fd on.
 *
 *  - i2c-dev: I2C_SLAVE, then plain read/write transactions to an
 *    ADS1115/ADS1015 register map: pointer register, config (OS bit,
 *    MUX, PGA, MODE, DR, comparator), conversion register filled one
 *    data-rate period after a single-shot start (reading early gives the
 *    previous result and is logged as "EARLY"), lo/hi thresholds. A chip
 *    that is absent or failing NAKs: EREMOTEIO.
 *  - GPIO character device, uAPI v2: GPIO_GET_CHIPINFO_IOCTL,
 *    GPIO_V2_GET_LINEINFO_IOCTL, GPIO_V2_GET_LINE_IOCTL (flags checked as
 *    the kernel does: direction, edge needs input, drive needs output,
 *    one bias; a used line is EBUSY), returning a real eventfd so epoll
 *    works; GPIO_V2_LINE_SET_VALUES_IOCTL / GET_VALUES with active-low
 *    applied; struct gpio_v2_line_event records read from the request fd.
 *
 * HDEMUL_CTL names a control file, read at load time and then polled
 * (20 ms) for appended lines:
 *	ads1115 BUS ADDR | ads1015 BUS ADDR	a chip (and its bus) exist
 *	i2c-bus BUS				an adapter with nothing on it
 *	adc BUS ADDR INPUT V...			volts per conversion; last repeats
 *	i2c-fail BUS ADDR 0|1			the chip stops / starts answering
 *	gpiochip N LINES LABEL			/dev/gpiochipN exists
 *	gpio-used N LINE CONSUMER		a line held by someone else
 *	gpio-level N LINE 0|1			physical level of a line (edges)
 * HDEMUL_LOG names the file every access is logged to, one line each.
 *
 * The GPIO character device's calls are in kernel_emul_gpio.c, linked
 * into the same library; kernel_emul.h has the state they share.
 */

#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/gpio.h>
#include <linux/i2c-dev.h>

#include "kernel_emul.h"

#define EM_MAX_ADS	8
#define EM_MAX_BUS	16
#define EM_MAX_VALS	64

struct ads {
	int		 bus, addr, is1015, fail;
	uint8_t		 ptr;
	uint16_t	 config, conv, lo, hi, pending;
	int		 converting;
	uint64_t	 done_ns;
	double		 vals[8][EM_MAX_VALS];
	int		 nvals[8], pos[8];
};

struct efd		 fds[EM_MAX_FD];
static struct ads	 adss[EM_MAX_ADS];
static int		 nads;
static int		 buses[EM_MAX_BUS];
struct echip		 chips[EM_MAX_CHIPS];
static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static FILE		*elogf;
static long		 ctl_off;
static const char	*ctl_path;

static int	(*real_open)(const char *, int, ...);
int		(*real_close)(int);
ssize_t		(*real_read)(int, void *, size_t);
ssize_t		(*real_write)(int, const void *, size_t);
static int	(*real_ioctl)(int, unsigned long, ...);

int	__open_2(const char *, int);
int	__open64_2(const char *, int);
ssize_t	__read_chk(int, void *, size_t, size_t);

static void
resolve(void)
{
	if (real_open != NULL)
		return;
	real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
	real_read = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT,
	    "write");
	real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT,
	    "ioctl");
	real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
}

void
elog(const char *fmt, ...)
{
	va_list ap;

	if (elogf == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(elogf, fmt, ap);
	va_end(ap);
	fputc('\n', elogf);
	fflush(elogf);
}

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct ads *
find_ads(int bus, int addr)
{
	int i;

	for (i = 0; i < nads; i++)
		if (adss[i].bus == bus && adss[i].addr == addr)
			return &adss[i];
	return NULL;
}

static int
mux_parse(const char *s)
{
	static const char *const n[8] = { "a0-a1", "a0-a3", "a1-a3", "a2-a3",
	    "a0", "a1", "a2", "a3" };
	int i;

	for (i = 0; i < 8; i++)
		if (strcmp(s, n[i]) == 0)
			return i;
	return -1;
}

/* ---- control file ---- */

static void
ctl_line(char *line)
{
	char		*w[4 + EM_MAX_VALS], *p = line;
	int		 n = 0, i, m;
	struct ads	*a;
	long		 x;

	while (n < (int)(sizeof(w) / sizeof(w[0])) &&
	    (w[n] = strtok_r(n == 0 ? p : NULL, " \t\n", &p)) != NULL)
		n++;
	if (n == 0 || w[0][0] == '#')
		return;
	if ((strcmp(w[0], "ads1115") == 0 || strcmp(w[0], "ads1015") == 0) &&
	    n == 3 && nads < EM_MAX_ADS) {
		a = &adss[nads++];
		memset(a, 0, sizeof(*a));
		a->is1015 = w[0][4] == '0';
		a->bus = atoi(w[1]);
		a->addr = (int)strtol(w[2], NULL, 0);
		a->config = 0x8583;
		a->lo = 0x8000;
		a->hi = 0x7fff;
		if (a->bus >= 0 && a->bus < EM_MAX_BUS)
			buses[a->bus] = 1;
	} else if (strcmp(w[0], "i2c-bus") == 0 && n == 2) {
		x = atol(w[1]);
		if (x >= 0 && x < EM_MAX_BUS)
			buses[x] = 1;
	} else if (strcmp(w[0], "adc") == 0 && n >= 5 &&
	    (a = find_ads(atoi(w[1]), (int)strtol(w[2], NULL, 0))) != NULL &&
	    (m = mux_parse(w[3])) != -1) {
		for (i = 4; i < n && i - 4 < EM_MAX_VALS; i++)
			a->vals[m][i - 4] = atof(w[i]);
		a->nvals[m] = i - 4;
		a->pos[m] = 0;
	} else if (strcmp(w[0], "i2c-fail") == 0 && n == 4 &&
	    (a = find_ads(atoi(w[1]), (int)strtol(w[2], NULL, 0))) != NULL) {
		a->fail = atoi(w[3]);
		elog("i2c %d 0x%02x %s", a->bus, a->addr, a->fail ?
		    "FAILING" : "answering");
	} else if (strcmp(w[0], "gpiochip") == 0 && n == 4 &&
	    (x = atol(w[1])) >= 0 && x < EM_MAX_CHIPS) {
		chips[x].present = 1;
		chips[x].nlines = (unsigned)atoi(w[2]);
		if (chips[x].nlines > EM_MAX_LINES)
			chips[x].nlines = EM_MAX_LINES;
		snprintf(chips[x].label, sizeof(chips[x].label), "%s", w[3]);
		for (i = 0; i < EM_MAX_LINES; i++)
			chips[x].lines[i].fd = -1;
	} else if (strcmp(w[0], "gpio-used") == 0 && n == 4 &&
	    (x = atol(w[1])) >= 0 && x < EM_MAX_CHIPS &&
	    (unsigned)atoi(w[2]) < chips[x].nlines) {
		chips[x].lines[atoi(w[2])].used = 1;
		snprintf(chips[x].lines[atoi(w[2])].consumer,
		    GPIO_MAX_NAME_SIZE, "%s", w[3]);
	} else if (strcmp(w[0], "gpio-level") == 0 && n == 4 &&
	    (x = atol(w[1])) >= 0 && x < EM_MAX_CHIPS &&
	    (unsigned)atoi(w[2]) < chips[x].nlines)
		gpio_level(&chips[x], (unsigned)atoi(w[2]), atoi(w[3]));
	else
		elog("ctl: ignored line starting \"%s\"", w[0]);
}

/* Apply the complete lines appended since the last call. */
static void
ctl_poll(void)
{
	FILE	*f;
	char	 buf[4096];
	size_t	 len;

	if (ctl_path == NULL || (f = fopen(ctl_path, "r")) == NULL)
		return;
	if (fseek(f, ctl_off, SEEK_SET) == 0)
		while (fgets(buf, sizeof(buf), f) != NULL) {
			len = strlen(buf);
			if (len == 0 || buf[len - 1] != '\n')
				break;		/* half-written: next time */
			ctl_off += (long)len;
			pthread_mutex_lock(&mu);
			ctl_line(buf);
			pthread_mutex_unlock(&mu);
		}
	fclose(f);
}

static void *
ctl_thread(void *arg)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	(void)arg;
	for (;;) {
		nanosleep(&ts, NULL);
		ctl_poll();
	}
	return NULL;
}

static void __attribute__((constructor))
emul_init(void)
{
	const char	*lp;
	pthread_t	 t;

	resolve();
	if ((lp = getenv("HDEMUL_LOG")) != NULL &&
	    (elogf = fopen(lp, "a")) != NULL)
		setvbuf(elogf, NULL, _IOLBF, 0);
	ctl_path = getenv("HDEMUL_CTL");
	ctl_poll();
	if (pthread_create(&t, NULL, ctl_thread, NULL) == 0)
		pthread_detach(t);
	elog("emulator loaded (pid %d)", (int)getpid());
}

/* ---- ADS1x15 ---- */

static const double fsr[8] = { 6.144, 4.096, 2.048, 1.024, 0.512, 0.256,
	0.256, 0.256 };
static const int dr1115[8] = { 8, 16, 32, 64, 128, 250, 475, 860 };
static const int dr1015[8] = { 128, 250, 490, 920, 1600, 2400, 3300, 3300 };

static void
ads_settle(struct ads *a)
{
	if (a->converting && now_ns() >= a->done_ns) {
		a->conv = a->pending;
		a->converting = 0;
	}
}

static void
ads_start(struct ads *a)
{
	int	mux = a->config >> 12 & 7, pga = a->config >> 9 & 7;
	int	dr = a->config >> 5 & 7, sps;
	double	v, full = a->is1015 ? 2048 : 32768, code;

	sps = a->is1015 ? dr1015[dr] : dr1115[dr];
	v = 0;
	if (a->nvals[mux] > 0) {
		v = a->vals[mux][a->pos[mux]];
		if (a->pos[mux] < a->nvals[mux] - 1)
			a->pos[mux]++;
	}
	code = round(v / fsr[pga] * full);
	if (code > full - 1)
		code = full - 1;
	if (code < -full)
		code = -full;
	a->pending = (uint16_t)(int16_t)(a->is1015 ? code * 16 : code);
	a->converting = 1;
	a->done_ns = now_ns() + 1000000000ull / (unsigned)sps;
	elog("i2c %d 0x%02x start mux=%d pga=%d sps=%d volts=%.4f code=0x%04x",
	    a->bus, a->addr, mux, pga, sps, v, a->pending);
}

static ssize_t
i2c_write(struct efd *e, const uint8_t *b, size_t n)
{
	struct ads	*a = find_ads(e->bus, e->addr);
	uint16_t	 v;

	if (a == NULL || a->fail || e->addr < 0) {
		elog("i2c %d 0x%02x write NAK", e->bus, e->addr);
		errno = EREMOTEIO;
		return -1;
	}
	ads_settle(a);
	if (n != 1 && n != 3) {
		elog("i2c %d 0x%02x write BAD LENGTH %zu", e->bus, e->addr, n);
		errno = EIO;
		return -1;
	}
	a->ptr = b[0] & 3;
	if (n == 1)
		return 1;
	v = (uint16_t)(b[1] << 8 | b[2]);
	elog("i2c %d 0x%02x write reg=%u val=0x%04x", e->bus, e->addr, a->ptr,
	    v);
	if (a->ptr == 1) {
		a->config = v & 0x7fff;
		if (v & 0x8000 && v & 0x0100) {
			if (a->converting)
				elog("i2c %d 0x%02x START WHILE CONVERTING",
				    e->bus, e->addr);
			ads_start(a);
		}
	} else if (a->ptr == 2)
		a->lo = v;
	else if (a->ptr == 3)
		a->hi = v;
	return 3;
}

static ssize_t
i2c_read(struct efd *e, uint8_t *b, size_t n)
{
	struct ads	*a = find_ads(e->bus, e->addr);
	uint16_t	 v;
	int		 early;

	if (a == NULL || a->fail || e->addr < 0) {
		elog("i2c %d 0x%02x read NAK", e->bus, e->addr);
		errno = EREMOTEIO;
		return -1;
	}
	ads_settle(a);
	early = a->converting;
	switch (a->ptr) {
	case 0:
		v = a->conv;
		break;
	case 1:
		v = (uint16_t)(a->config | (a->converting ? 0 : 0x8000));
		break;
	case 2:
		v = a->lo;
		break;
	default:
		v = a->hi;
		break;
	}
	if (n >= 1)
		b[0] = (uint8_t)(v >> 8);
	if (n >= 2)
		b[1] = (uint8_t)(v & 0xff);
	elog("i2c %d 0x%02x read reg=%u val=0x%04x%s", e->bus, e->addr,
	    a->ptr, v, a->ptr == 0 && early ? " EARLY" : "");
	return n > 2 ? 2 : (ssize_t)n;
}

/* ---- the intercepted calls ---- */

static int
emu_open(const char *path, int flags)
{
	int	fd, n;
	char	tail;

	resolve();
	if (sscanf(path, "/dev/i2c-%d%c", &n, &tail) == 1) {
		if (n < 0 || n >= EM_MAX_BUS || !buses[n]) {
			elog("open %s ENOENT", path);
			errno = ENOENT;
			return -1;
		}
		if ((fd = real_open("/dev/null", O_RDWR | (flags &
		    O_CLOEXEC))) >= 0 && fd < EM_MAX_FD) {
			pthread_mutex_lock(&mu);
			fds[fd] = (struct efd){ K_I2C, n, -1, 0, 0 };
			pthread_mutex_unlock(&mu);
		}
		elog("open %s", path);
		return fd;
	}
	if (sscanf(path, "/dev/gpiochip%d%c", &n, &tail) == 1) {
		if (n < 0 || n >= EM_MAX_CHIPS || !chips[n].present) {
			elog("open %s ENOENT", path);
			errno = ENOENT;
			return -1;
		}
		if ((fd = real_open("/dev/null", O_RDWR | (flags &
		    O_CLOEXEC))) >= 0 && fd < EM_MAX_FD) {
			pthread_mutex_lock(&mu);
			fds[fd] = (struct efd){ K_CHIP, 0, 0, n, 0 };
			pthread_mutex_unlock(&mu);
		}
		elog("open %s", path);
		return fd;
	}
	return -2;
}

int
open(const char *path, int flags, ...)
{
	va_list	ap;
	mode_t	mode = 0;
	int	r;

	if ((r = emu_open(path, flags)) != -2)
		return r;
	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	return real_open(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	va_list	ap;
	mode_t	mode = 0;
	int	r;

	if ((r = emu_open(path, flags)) != -2)
		return r;
	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	return real_open(path, flags | O_LARGEFILE, mode);
}

int
__open_2(const char *path, int flags)
{
	return open(path, flags);
}

int
__open64_2(const char *path, int flags)
{
	return open64(path, flags);
}

int
close(int fd)
{
	struct eline *l;

	resolve();
	if (fd >= 0 && fd < EM_MAX_FD && fds[fd].kind != K_NONE) {
		pthread_mutex_lock(&mu);
		if (fds[fd].kind == K_LINE) {
			l = &chips[fds[fd].chip].lines[fds[fd].line];
			elog("gpio %d release %u", fds[fd].chip, fds[fd].line);
			l->used = l->mine = 0;
			l->fd = -1;
			l->flags = 0;
			l->consumer[0] = '\0';
		} else
			elog("close %s", fds[fd].kind == K_I2C ? "i2c" :
			    "gpiochip");
		fds[fd].kind = K_NONE;
		pthread_mutex_unlock(&mu);
	}
	return real_close(fd);
}

int
ioctl(int fd, unsigned long req, ...)
{
	va_list	 ap;
	void	*arg;
	int	 r;

	resolve();
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd < 0 || fd >= EM_MAX_FD || fds[fd].kind == K_NONE)
		return real_ioctl(fd, req, arg);
	pthread_mutex_lock(&mu);
	switch (fds[fd].kind) {
	case K_I2C:
		if (req == I2C_SLAVE || req == I2C_SLAVE_FORCE) {
			fds[fd].addr = (int)(uintptr_t)arg;
			elog("i2c %d I2C_SLAVE 0x%02x", fds[fd].bus,
			    fds[fd].addr);
			r = 0;
		} else {
			elog("i2c %d UNSUPPORTED ioctl 0x%lx", fds[fd].bus,
			    req);
			errno = ENOTTY;
			r = -1;
		}
		break;
	case K_CHIP:
		r = chip_ioctl(fds[fd].chip, req, arg);
		break;
	default:
		r = line_ioctl(&fds[fd], req, arg);
		break;
	}
	pthread_mutex_unlock(&mu);
	return r;
}

ssize_t
read(int fd, void *buf, size_t n)
{
	ssize_t r;

	resolve();
	if (fd < 0 || fd >= EM_MAX_FD || fds[fd].kind == K_NONE ||
	    fds[fd].kind == K_CHIP)
		return real_read(fd, buf, n);
	pthread_mutex_lock(&mu);
	if (fds[fd].kind == K_I2C)
		r = i2c_read(&fds[fd], buf, n);
	else
		r = line_read(&fds[fd], fd, buf, n);
	pthread_mutex_unlock(&mu);
	return r;
}

ssize_t
__read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	if (n > buflen)
		abort();
	return read(fd, buf, n);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	ssize_t r;

	resolve();
	if (fd < 0 || fd >= EM_MAX_FD || fds[fd].kind != K_I2C)
		return real_write(fd, buf, n);
	pthread_mutex_lock(&mu);
	r = i2c_write(&fds[fd], buf, n);
	pthread_mutex_unlock(&mu);
	return r;
}
