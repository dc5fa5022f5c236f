/*
 * The action journal ("journal PATH", docs/FAILOVER.md#action-journal):
 * one text line per command the slave started on a device ("exec") and
 * per command that ended ("done"), so that a test or an operator can see
 * afterwards what the slave actually did, and under which master and
 * term. tests/netns/check-journal.py reads it.
 *
 * A "start" line is written each time the slave opens the journal, a
 * "stop" line when it closes it at a normal stop (a SIGKILL writes none).
 * The "exec" line is written before the driver acts (write-ahead): a
 * crash between the two can only report a command that was not done,
 * never hide one that was, and the checker's "no command twice" must
 * never miss a repeat.
 *
 * fsync policy: none. Each line is one write() to an O_APPEND file, so it
 * is in the kernel the moment the command starts and survives a SIGKILL
 * of the slave (what the failover tests do); only a power cut can lose
 * the last lines. An fsync per command would stall the event loop for
 * tens of milliseconds on a Pi's SD card and wear it, for a record that
 * is for tests and audits, not for the slave's own recovery (that is the
 * memo's and slave.state's job).
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "slave.h"

struct journal {
	int		 fd;
	off_t		 size;		/* bytes written, for the cap */
	int		 stopped;	/* full or a failed write: said once */
};

static const char *
status_name(Hd__CommandResult__Status st)
{
	const ProtobufCEnumValue *v;

	v = protobuf_c_enum_descriptor_get_value(
	    &hd__command_result__status__descriptor, (int)st);
	return v != NULL ? v->name : "UNKNOWN";
}

/*
 * A string field as one token: printable ASCII but space, '\\' and '='
 * as they are, every other byte as \xHH, so a line always splits on
 * spaces and a device or value cannot forge another field.
 */
static void
put_token(char *dst, size_t len, const char *src)
{
	size_t		o = 0;
	unsigned char	c;

	for (; *src != '\0' && o + 5 < len; src++) {
		c = (unsigned char)*src;
		if (c > 0x20 && c < 0x7f && c != '\\' && c != '=')
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, len - o, "\\x%02x", c);
	}
	dst[o] = '\0';
}

/* The value as TYPE:TEXT (b:true, i:3, d:21.5, s:...), or "-". */
static void
put_value(char *dst, size_t len, const Hd__Value *v)
{
	char tok[4 * VALUE_STR_MAX + 8];

	if (v == NULL) {
		snprintf(dst, len, "-");
		return;
	}
	switch (v->v_case) {
	case HD__VALUE__V_B:
		snprintf(dst, len, "b:%s", v->b ? "true" : "false");
		break;
	case HD__VALUE__V_I:
		snprintf(dst, len, "i:%" PRId64, v->i);
		break;
	case HD__VALUE__V_D:
		snprintf(dst, len, "d:%.17g", v->d);
		break;
	case HD__VALUE__V_S:
		put_token(tok, sizeof(tok), v->s != NULL ? v->s : "");
		snprintf(dst, len, "s:%s", tok);
		break;
	default:
		snprintf(dst, len, "-");
		break;
	}
}

/* Append one line; past JOURNAL_MAX_BYTES or after a failed write, the
 * journal stops (said once) rather than fill the disk or spam the log. */
static void
journal_put(struct journal *j, const char *line, size_t n)
{
	ssize_t w;

	if (j->stopped)
		return;
	if (j->size + (off_t)n > JOURNAL_MAX_BYTES) {
		log_warnx("journal: %d bytes reached, no more lines",
		    JOURNAL_MAX_BYTES);
		j->stopped = 1;
		return;
	}
	if ((w = write(j->fd, line, n)) != (ssize_t)n) {
		if (w == -1)
			log_warn("journal: write");
		else
			log_warnx("journal: short write");
		j->stopped = 1;
		return;
	}
	j->size += (off_t)n;
}

/* Who made command `id`: the slave's own ids sit above the master's. */
static const char *
origin(uint64_t id)
{
	if (id == 0)
		return "-";
	if (id >= SAFE_ID_BASE)
		return "safe";
	if (id >= LOCAL_ID_BASE)
		return "local";
	return "master";
}

/* Common head of both kinds of line: what, id, term, master, times. */
static int
head(const struct slave *s, char *dst, size_t len, const char *what,
    uint64_t id)
{
	struct timespec	 ts;
	char		 master[4 * NODE_ID_MAX + 8];

	clock_gettime(CLOCK_REALTIME, &ts);
	put_token(master, sizeof(master),
	    s->master_id[0] != '\0' ? s->master_id : "-");
	return snprintf(dst, len, "%s id=%" PRIu64 " origin=%s term=%" PRIu64
	    " master=%s mono_ms=%" PRIu64 " wall_ms=%" PRIu64, what, id,
	    origin(id), s->term, master,
	    ev_clock_ms(), (uint64_t)ts.tv_sec * 1000 +
	    (uint64_t)ts.tv_nsec / 1000000);
}

void
journal_exec(struct slave *s, const struct dev *d, const Hd__Command *c)
{
	char	line[JOURNAL_LINE_MAX], dev[4 * DEVICE_ID_MAX + 8];
	char	key[4 * VALUE_KEY_MAX + 8], val[4 * VALUE_STR_MAX + 16];
	int	n;

	if (s->journal == NULL)
		return;
	put_token(dev, sizeof(dev), d->desc.id);
	put_token(key, sizeof(key), c->key != NULL ? c->key : "");
	put_value(val, sizeof(val), c->value);
	n = head(s, line, sizeof(line), "exec", c->id);
	n += snprintf(line + n, sizeof(line) - (size_t)n,
	    " dev=%s key=%s value=%s\n", dev, key, val);
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;	/* cut, still one line */
	line[n - 1] = '\n';
	journal_put(s->journal, line, (size_t)n);
}

void
journal_done(struct slave *s, const struct dev *d, uint64_t id,
    Hd__CommandResult__Status st, const Hd__Value *v)
{
	char	line[JOURNAL_LINE_MAX], dev[4 * DEVICE_ID_MAX + 8];
	char	val[4 * VALUE_STR_MAX + 16];
	int	n;

	if (s->journal == NULL)
		return;
	put_token(dev, sizeof(dev), d->desc.id);
	put_value(val, sizeof(val), v);
	n = head(s, line, sizeof(line), "done", id);
	n += snprintf(line + n, sizeof(line) - (size_t)n,
	    " dev=%s status=%s value=%s\n", dev, status_name(st), val);
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	line[n - 1] = '\n';
	journal_put(s->journal, line, (size_t)n);
}

/* Open the configured journal for appending (none configured: 0). */
int
journal_open(struct slave *s)
{
	struct journal	*j;
	struct stat	 st;
	char		 line[JOURNAL_LINE_MAX];
	int		 fd, n;

	if (s->conf.journal == NULL)
		return 0;
	fd = open(s->conf.journal, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		log_warn("journal %s", s->conf.journal);
		return -1;
	}
	if (fstat(fd, &st) == -1 || (j = calloc(1, sizeof(*j))) == NULL) {
		log_warn("journal %s", s->conf.journal);
		close(fd);
		return -1;
	}
	j->fd = fd;
	j->size = st.st_size;
	s->journal = j;
	/* A restart shows: a command started before it and never ended
	 * was in flight when the slave died. */
	n = head(s, line, sizeof(line), "start", 0);
	line[n++] = '\n';
	journal_put(j, line, (size_t)n);
	log_info("journal: appending to %s", s->conf.journal);
	return 0;
}

/* A "stop" line: the slave ended normally (every command in flight was
 * ended first), so an exec with no done before it is a finding. */
void
journal_close(struct slave *s)
{
	char	line[JOURNAL_LINE_MAX];
	int	n;

	if (s->journal == NULL)
		return;
	n = head(s, line, sizeof(line), "stop", 0);
	line[n++] = '\n';
	journal_put(s->journal, line, (size_t)n);
	close(s->journal->fd);
	free(s->journal);
	s->journal = NULL;
}
