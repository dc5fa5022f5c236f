/*
 * ADC backend for Linux: an ADS1x15 behind the i2c-dev interface
 * (/dev/i2c-N, I2C_SLAVE). A register write is one 3-byte message
 * (pointer, MSB, LSB); a read sets the pointer with a 1-byte write and
 * reads two bytes. Each call is one short bus transaction, so the event
 * loop never waits on a conversion (adc.c schedules those).
 */

#include <sys/ioctl.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/i2c-dev.h>

#include "slave.h"

struct adc_linux {
	int	fd;
};

static ssize_t
xwrite(int fd, const uint8_t *b, size_t n)
{
	ssize_t r;

	while ((r = write(fd, b, n)) == -1 && errno == EINTR)
		;
	return r;
}

static int
linux_write_reg(void *h, uint8_t reg, uint16_t val)
{
	struct adc_linux	*al = h;
	uint8_t			 b[3] = { reg, (uint8_t)(val >> 8),
				    (uint8_t)(val & 0xff) };

	return xwrite(al->fd, b, sizeof(b)) == (ssize_t)sizeof(b) ? 0 : -1;
}

static int
linux_read_reg(void *h, uint8_t reg, uint16_t *val)
{
	struct adc_linux	*al = h;
	uint8_t			 b[2];
	ssize_t			 r;

	if (xwrite(al->fd, &reg, 1) != 1)
		return -1;
	while ((r = read(al->fd, b, sizeof(b))) == -1 && errno == EINTR)
		;
	if (r != (ssize_t)sizeof(b))
		return -1;
	*val = (uint16_t)(b[0] << 8 | b[1]);
	return 0;
}

static void
linux_close(void *h)
{
	struct adc_linux *al = h;

	close(al->fd);
	free(al);
}

/* Open the bus, address the chip and read its config register once, so a
 * missing chip (no ACK) is found now and not at the first sample. */
static void *
linux_open(const struct hwconf *hw, int chip, char *err, size_t errlen)
{
	const struct adc_chip_conf	*c = &hw->adc_chips[chip];
	struct adc_linux		*al;
	char				 path[32];
	uint16_t			 cfg;

	snprintf(path, sizeof(path), "/dev/i2c-%d", c->bus);
	if ((al = calloc(1, sizeof(*al))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((al->fd = open(path, O_RDWR | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(al);
		return NULL;
	}
	if (ioctl(al->fd, I2C_SLAVE, (unsigned long)c->addr) == -1) {
		snprintf(err, errlen, "%s: I2C_SLAVE 0x%02x: %s", path,
		    c->addr, strerror(errno));
		goto fail;
	}
	if (linux_read_reg(al, ADS_REG_CONFIG, &cfg) == -1) {
		snprintf(err, errlen, "%s: no answer at 0x%02x: %s", path,
		    c->addr, strerror(errno));
		goto fail;
	}
	return al;
fail:
	linux_close(al);
	return NULL;
}

const struct adc_backend adc_linux_backend = {
	.name = "linux i2c-dev",
	.open = linux_open,
	.write_reg = linux_write_reg,
	.read_reg = linux_read_reg,
	.close = linux_close,
};
