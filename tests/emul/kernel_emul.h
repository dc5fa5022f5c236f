#ifndef HD_KERNEL_EMUL_H
#define HD_KERNEL_EMUL_H

/*
 * What the two files of libhdemul.so share (kernel_emul.c: the control
 * file, i2c-dev and the ADS1x15, the intercepted calls; kernel_emul_gpio.c:
 * the GPIO character device). All of it is hidden: the library exports
 * only the calls it intercepts.
 */

#include <sys/types.h>

#include <stdint.h>

#include <linux/gpio.h>

#define EM_MAX_FD	1024
#define EM_MAX_CHIPS	4
#define EM_MAX_LINES	64
#define EM_QUEUE	64

enum kind { K_NONE, K_I2C, K_CHIP, K_LINE };

struct eline {
	int			 used, fd, mine;
	char			 consumer[GPIO_MAX_NAME_SIZE];
	uint64_t		 flags;
	int			 level;		/* physical */
	struct gpio_v2_line_event q[EM_QUEUE];
	int			 qn;
	uint32_t		 seq;
};

struct echip {
	int		 present;
	unsigned	 nlines;
	char		 label[GPIO_MAX_NAME_SIZE];
	struct eline	 lines[EM_MAX_LINES];
	uint32_t	 seq;
};

struct efd {
	enum kind	 kind;
	int		 bus, addr, chip;
	unsigned	 line;
};

#pragma GCC visibility push(hidden)

/* kernel_emul.c; the intercepted calls hold its mutex around the rest. */
extern struct efd	 fds[EM_MAX_FD];
extern struct echip	 chips[EM_MAX_CHIPS];
extern int	(*real_close)(int);
extern ssize_t	(*real_read)(int, void *, size_t);
extern ssize_t	(*real_write)(int, const void *, size_t);
void		 elog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t	 now_ns(void);

/* kernel_emul_gpio.c */
/* The control file's gpio-level: a line's physical level (its edges). */
void		 gpio_level(struct echip *c, unsigned off, int level);
int		 chip_ioctl(int cn, unsigned long req, void *arg);
int		 line_ioctl(struct efd *e, unsigned long req, void *arg);
ssize_t		 line_read(struct efd *e, int fd, void *buf, size_t n);

#pragma GCC visibility pop

#endif
