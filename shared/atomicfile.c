#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "hdlimits.h"
#include "log.h"
#include "statefmt.h"
#include "wire.h"

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
sync_dir(const char *path)
{
	char	copy[PATH_MAX];
	int	fd, r;

	snprintf(copy, sizeof(copy), "%s", path);
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

static void	(*observer)(void *, const char *);
static void	*observer_arg;

void
atomic_observe(void (*fn)(void *, const char *), void *arg)
{
	observer = fn;
	observer_arg = arg;
}

int
atomic_write(const char *path, const void *data, size_t len, int mode)
{
	char	tmp[PATH_MAX];
	int	fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* A .tmp left by a crash may carry other permissions: never reuse it. */
	if (unlink(tmp) == -1 && errno != ENOENT)
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, mode)) == -1)
		return -1;
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		unlink(tmp);
		return -1;
	}
	r = sync_dir(path);
	/* Renamed: the new contents are what readers get, synced or not. */
	if (observer != NULL)
		observer(observer_arg, path);
	return r;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return -1;
}

/*
 * Open `path` for reading if it is a regular file of at most `max`
 * bytes; -1 with errno otherwise. O_NONBLOCK makes the open of a FIFO
 * return at once instead of waiting for a writer (which would stall the
 * caller's event loop); the fstat check then refuses it, like a device,
 * a socket or a directory (EINVAL), before anything is read.
 */
int
atomic_open_regular(const char *path, int oflags, size_t max, size_t *size)
{
	struct stat	st;
	int		fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	    (oflags & O_NOFOLLOW))) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		e = errno;
	else if (!S_ISREG(st.st_mode))
		e = EINVAL;
	else if (st.st_size < 0 || (uintmax_t)st.st_size > max)
		e = EFBIG;
	else {
		*size = (size_t)st.st_size;
		return fd;
	}
	close(fd);
	errno = e;
	return -1;
}

static int
read_regular(const char *path, int oflags, size_t max, uint8_t **out,
    size_t *len)
{
	uint8_t		*p = NULL;
	ssize_t		 r;
	size_t		 got = 0, size;
	int		 fd, e;

	if ((fd = atomic_open_regular(path, oflags, max, &size)) == -1)
		return -1;
	if ((p = malloc(size + 1)) == NULL)
		goto fail;
	while (got < size) {
		if ((r = read(fd, p + got, size - got)) <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			if (r == 0)
				errno = EIO;	/* shrank under us */
			goto fail;
		}
		got += (size_t)r;
	}
	close(fd);
	*out = p;
	*len = got;
	return 0;
fail:
	e = errno;
	free(p);
	close(fd);
	errno = e;
	return -1;
}

int
atomic_read(const char *path, size_t max, uint8_t **out, size_t *len)
{
	return read_regular(path, O_NOFOLLOW, max, out, len);
}

int
atomic_read_follow(const char *path, size_t max, uint8_t **out, size_t *len)
{
	return read_regular(path, 0, max, out, len);
}

int
state_save(const char *path, const ProtobufCMessage *m)
{
	size_t	 len = protobuf_c_message_get_packed_size(m);
	uint8_t	*p;
	int	 r;

	/* A writer that forgot its format number is a bug: refuse it
	 * rather than write a file that would read as v0.1.0's. */
	if (state_format_current(m->descriptor) != 0 &&
	    state_format_of(m) != state_format_current(m->descriptor)) {
		log_warnx("%s: not written: format %u, this version writes %u",
		    path, state_format_of(m),
		    state_format_current(m->descriptor));
		errno = EINVAL;
		return -1;
	}
	if (len > STATE_MAX_FILE || (p = malloc(len + 1)) == NULL)
		return -1;
	protobuf_c_message_pack(m, p);
	r = atomic_write(path, p, len, 0600);
	free(p);
	return r;
}

ProtobufCMessage *
state_load(const char *path, const ProtobufCMessageDescriptor *desc)
{
	ProtobufCMessage	*m;
	uint8_t			*p;
	size_t			 len;

	if (atomic_read(path, STATE_MAX_FILE, &p, &len) == -1)
		return NULL;
	m = wire_unpack(desc, p, len);
	free(p);
	if (m == NULL) {
		log_warnx("%s: state file is not valid, ignored", path);
		errno = EINVAL;
		return NULL;
	}
	if (state_format_current(desc) != 0 && state_format_in(path, m) == -1) {
		wire_free(m);
		errno = ENOTSUP;
		return NULL;
	}
	return m;
}
