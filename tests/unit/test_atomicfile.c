/* Unit tests for shared/atomicfile.c: crash-safe state files. */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster.pb-c.h"
#include "atomicfile.h"
#include "check.h"
#include "hdlimits.h"
#include "wire.h"

static char	tmpdir[256];

static const char *
T(const char *name)
{
	static char	ring[8][512];
	static int	next;
	char		*p = ring[next++ % 8];

	snprintf(p, sizeof(ring[0]), "%.255s/%.200s", tmpdir, name);
	return p;
}

static int
file_mode(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return -1;
	return (int)(st.st_mode & 07777);
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Only `allowed` (and the other test files) in tmpdir, no *.tmp. */
static int
no_tmp_left(void)
{
	char	cmd[600];

	snprintf(cmd, sizeof(cmd), "test -z \"$(find '%s' -name '*.tmp')\"",
	    tmpdir);
	return system(cmd) == 0;
}

static int
write_plain(const char *path, const void *p, size_t n, int mode)
{
	int fd, ok;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)) == -1)
		return -1;
	ok = write(fd, p, n) == (ssize_t)n;
	fchmod(fd, (mode_t)mode);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * A FIFO is refused at once, with or without a writer: a blocking open
 * would wait for a writer for ever, a read for data. The alarm turns a
 * hang into a failed run instead of a stuck one.
 */
static void
test_fifo(void)
{
	uint8_t	*p = NULL;
	size_t	 len, size;
	int	 w;

	if (!CHECK(mkfifo(T("fifo"), 0600) == 0, "make a FIFO"))
		return;
	alarm(10);
	errno = 0;
	CHECK(atomic_read(T("fifo"), 1024, &p, &len) == -1 && p == NULL &&
	    errno == EINVAL, "a FIFO without a writer: -1, EINVAL, at once");
	CHECK(atomic_read_follow(T("fifo"), 1024, &p, &len) == -1 &&
	    p == NULL && errno == EINVAL, "atomic_read_follow: the same");
	if (symlink(T("fifo"), T("fifo-link")) == 0)
		CHECK(atomic_read_follow(T("fifo-link"), 1024, &p, &len) ==
		    -1 && p == NULL && errno == EINVAL, "... also through a "
		    "symlink");
	CHECK(atomic_open_regular(T("fifo"), 0, 1024, &size) == -1 &&
	    errno == EINVAL, "atomic_open_regular: the same");
	if ((w = open(T("fifo"), O_RDWR | O_NONBLOCK)) != -1) {
		CHECK(atomic_read(T("fifo"), 1024, &p, &len) == -1 &&
		    p == NULL && errno == EINVAL, "a FIFO held open by a "
		    "writer that sends nothing: -1, EINVAL, at once");
		close(w);
	}
	alarm(0);
	unlink(T("fifo-link"));
	unlink(T("fifo"));
}

static void
test_write_read(void)
{
	static const char	 text[] = "homedaemon\0state\n\xff";
	uint8_t			*p = NULL, *big;
	size_t			 len = 0;
	const char		*f = T("state.bin");
	int			 r;

	CHECK(atomic_write(f, text, sizeof(text), 0600) == 0,
	    "atomic_write a new file");
	CHECK(file_mode(f) == 0600, "mode 0600 honoured (%o)", file_mode(f));
	CHECK(!exists(T("state.bin.tmp")) && no_tmp_left(),
	    "no .tmp left behind");
	r = atomic_read(f, 1024, &p, &len);
	CHECK(r == 0 && len == sizeof(text) && memcmp(p, text, len) == 0,
	    "atomic_read gets the same bytes back (binary, with NULs)");
	free(p);

	/* Overwrite with something shorter: no stale tail. */
	CHECK(atomic_write(f, "xy", 2, 0600) == 0, "overwrite, shorter");
	p = NULL;
	r = atomic_read(f, 1024, &p, &len);
	CHECK(r == 0 && len == 2 && memcmp(p, "xy", 2) == 0,
	    "the new contents replace the old completely");
	free(p);

	CHECK(atomic_write(T("public"), "pub", 3, 0644) == 0 &&
	    file_mode(T("public")) == 0644, "mode 0644 honoured");
	CHECK(atomic_write(T("public"), "pub2", 4, 0600) == 0 &&
	    file_mode(T("public")) == 0600,
	    "replacing a 0644 file with mode 0600 gives 0600");

	/* Empty file. */
	CHECK(atomic_write(T("empty"), "", 0, 0600) == 0, "write 0 bytes");
	p = NULL;
	r = atomic_read(T("empty"), 0, &p, &len);
	CHECK(r == 0 && len == 0 && p != NULL,
	    "read an empty file with max 0: a buffer, length 0");
	free(p);

	/* The size ceiling. */
	if ((big = malloc(1000)) != NULL) {
		memset(big, 'b', 1000);
		CHECK(atomic_write(T("big"), big, 1000, 0600) == 0,
		    "write 1000 bytes");
		p = NULL;
		errno = 0;
		r = atomic_read(T("big"), 999, &p, &len);
		CHECK(r == -1 && errno == EFBIG && p == NULL,
		    "atomic_read refuses a file one byte above max (EFBIG)");
		r = atomic_read(T("big"), 1000, &p, &len);
		CHECK(r == 0 && len == 1000 && memcmp(p, big, 1000) == 0,
		    "atomic_read accepts a file of exactly max");
		free(p);
		free(big);
	}

	/* What atomic_read refuses. */
	p = NULL;
	errno = 0;
	CHECK(atomic_read(T("absent"), 1024, &p, &len) == -1 &&
	    errno == ENOENT && p == NULL, "missing file: -1, ENOENT");
	CHECK(atomic_read(tmpdir, 1 << 20, &p, &len) == -1 && p == NULL,
	    "a directory: -1");
	if (symlink(f, T("link")) == 0) {
		CHECK(atomic_read(T("link"), 1024, &p, &len) == -1 &&
		    p == NULL, "a symlink is not followed: -1");
		CHECK(atomic_read_follow(T("link"), 1024, &p, &len) == 0 &&
		    p != NULL, "atomic_read_follow follows it");
		free(p);
		p = NULL;
	}
	CHECK(atomic_read("/dev/null", 1024, &p, &len) == -1 && p == NULL &&
	    errno == EINVAL, "a device: -1, EINVAL");
	test_fifo();

	/* What atomic_write refuses. */
	CHECK(atomic_write(T("no/such/dir/file"), "x", 1, 0600) == -1,
	    "missing folder: -1");
	CHECK(!exists(T("no")), "and nothing created");
}

static void
test_tmp_hazards(void)
{
	uint8_t	*p = NULL;
	size_t	 len;
	char	 buf[16];
	int	 fd;
	ssize_t	 n;

	/* A stale .tmp from a crash is replaced, not appended to. */
	write_plain(T("stale.tmp"), "stale stale stale", 17, 0600);
	CHECK(atomic_write(T("stale"), "new", 3, 0600) == 0,
	    "atomic_write over a stale .tmp");
	CHECK(atomic_read(T("stale"), 64, &p, &len) == 0 && len == 3 &&
	    memcmp(p, "new", 3) == 0, "the stale .tmp's bytes are gone");
	free(p);
	CHECK(!exists(T("stale.tmp")), "and the .tmp is gone");

	/* A stale .tmp with a looser mode must not lend it to the file. */
	write_plain(T("loose.tmp"), "old", 3, 0644);
	CHECK(atomic_write(T("loose"), "secret", 6, 0600) == 0,
	    "atomic_write over a stale 0644 .tmp");
	CHECK(file_mode(T("loose")) == 0600, "a stale 0644 .tmp does not make "
	    "the state file 0644 (%o)", file_mode(T("loose")));

	/* A .tmp planted as a symlink is removed, never followed. */
	write_plain(T("victim"), "victim", 6, 0600);
	if (symlink(T("victim"), T("planted.tmp")) == 0) {
		CHECK(atomic_write(T("planted"), "evil", 4, 0600) == 0,
		    "a symlinked .tmp is replaced by a fresh file");
		fd = open(T("victim"), O_RDONLY);
		n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
		if (fd >= 0)
			close(fd);
		CHECK(n == 6 && memcmp(buf, "victim", 6) == 0,
		    "the symlink's target is untouched");
		CHECK(exists(T("planted")) && file_mode(T("planted")) == 0600,
		    "the target was written with its own mode");
		CHECK(!exists(T("planted.tmp")), "no .tmp is left behind");
		unlink(T("planted"));
	}

	/* A symlink as the target is replaced, not written through. */
	if (symlink(T("victim"), T("target-link")) == 0) {
		CHECK(atomic_write(T("target-link"), "new", 3, 0600) == 0,
		    "atomic_write onto a symlink");
		fd = open(T("victim"), O_RDONLY);
		n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
		if (fd >= 0)
			close(fd);
		CHECK(n == 6 && memcmp(buf, "victim", 6) == 0,
		    "the symlink is replaced, its target untouched");
	}

	/* A relative path (no folder part) works: dirname is ".". */
	{
		char	cwd[512];

		if (getcwd(cwd, sizeof(cwd)) != NULL && chdir(tmpdir) == 0) {
			CHECK(atomic_write("relative", "r", 1, 0600) == 0 &&
			    exists(T("relative")), "a relative path");
			(void)!chdir(cwd);
		}
	}
	CHECK(no_tmp_left(), "no .tmp left behind by any test");
}

static char	seen[512];
static int	nseen;

static void
observe(void *arg, const char *path)
{
	nseen += arg == &nseen;
	snprintf(seen, sizeof(seen), "%s", path);
}

/* The observer hears of each file replaced, with its path, and of
 * nothing that failed. */
static void
test_observer(void)
{
	atomic_observe(observe, &nseen);
	CHECK(atomic_write(T("watched"), "x", 1, 0600) == 0 && nseen == 1 &&
	    strcmp(seen, T("watched")) == 0, "observer called with the path");
	CHECK(atomic_write(T("no-such-dir/f"), "x", 1, 0600) == -1 &&
	    nseen == 1, "not for a write that failed");
	atomic_observe(NULL, NULL);
	CHECK(atomic_write(T("watched"), "y", 1, 0600) == 0 && nseen == 1,
	    "not once removed");
	unlink(T("watched"));
}

static void
test_state(void)
{
	Hd__NodeState	 st = HD__NODE_STATE__INIT, *got;
	const char	*f = T("node.state");
	uint8_t		*big;

	st.term = 42;
	st.next_command_id = UINT64_MAX - 7;
	state_format_set(&st.base);	/* or state_save() refuses it */
	CHECK(state_save(f, &st.base) == 0, "state_save NodeState");
	CHECK(file_mode(f) == 0600, "state files are 0600 (%o)", file_mode(f));
	got = (Hd__NodeState *)state_load(f, &hd__node_state__descriptor);
	CHECK(got != NULL && got->term == 42 &&
	    got->next_command_id == UINT64_MAX - 7,
	    "state_load gets term and next_command_id back");
	wire_free((ProtobufCMessage *)got);	/* state_load's allocator: wire_free */

	st.term = 43;
	CHECK(state_save(f, &st.base) == 0, "state_save again");
	got = (Hd__NodeState *)state_load(f, &hd__node_state__descriptor);
	CHECK(got != NULL && got->term == 43, "state_load sees the update");
	wire_free((ProtobufCMessage *)got);	/* state_load's allocator: wire_free */

	/* All defaults but the format: a 2-byte file, still valid. */
	st.term = 0;
	st.next_command_id = 0;
	CHECK(state_save(f, &st.base) == 0, "state_save an all-zero state");
	got = (Hd__NodeState *)state_load(f, &hd__node_state__descriptor);
	CHECK(got != NULL && got->term == 0 && got->next_command_id == 0,
	    "state_load of the all-zero state");
	wire_free((ProtobufCMessage *)got);	/* state_load's allocator: wire_free */

	CHECK(atomic_write(f, "\xff\xff\xff\xff\xff\xff", 6, 0600) == 0,
	    "write garbage into the state file");
	CHECK(state_load(f, &hd__node_state__descriptor) == NULL,
	    "state_load of garbage returns NULL");
	CHECK(atomic_write(f, "\x08", 1, 0600) == 0 &&
	    state_load(f, &hd__node_state__descriptor) == NULL,
	    "state_load of a truncated state returns NULL");
	CHECK(state_load(T("absent.state"), &hd__node_state__descriptor) ==
	    NULL, "state_load of a missing file returns NULL");

	/* Above STATE_MAX_FILE: refused by size (EFBIG), before decoding. */
	if ((big = malloc(STATE_MAX_FILE + 2)) != NULL) {
		size_t i;

		for (i = 0; i < STATE_MAX_FILE + 2; i += 2) {
			big[i] = 0x08;		/* field 1 (term), varint */
			big[i + 1] = 0x01;
		}
		CHECK(atomic_write(f, big, STATE_MAX_FILE + 2, 0600) == 0,
		    "write a state file above STATE_MAX_FILE");
		errno = 0;
		got = (Hd__NodeState *)state_load(f,
		    &hd__node_state__descriptor);
		CHECK(got == NULL && errno == EFBIG,
		    "state_load refuses a file above STATE_MAX_FILE (EFBIG)");
		wire_free((ProtobufCMessage *)got);
		free(big);
	}
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
main(void)
{
	umask(022);
	snprintf(tmpdir, sizeof(tmpdir), "%.200s/hd-test-atomic.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (!CHECK(mkdtemp(tmpdir) != NULL, "make a temporary directory"))
		return check_done();
	test_write_read();
	test_tmp_hazards();
	test_state();
	test_observer();
	CHECK(nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0,
	    "remove the temporary directory");
	return check_done();
}
