#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "cfg.h"
#include "log.h"

static int	parse_file(const char *, cfg_cb *, void *, int, long *);

int
cfg_split(char *p, struct cfg_line *l, char *err, size_t errlen)
{
	char *w;

	l->argc = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#' || *p == '\n' || *p == '\r')
			return 0;
		if (l->argc == CFG_MAX_WORDS) {
			snprintf(err, errlen, "too many words (max %d)",
			    CFG_MAX_WORDS);
			return -1;
		}
		l->argv[l->argc++] = w = p;
		if (*p != '"') {
			while (*p && *p != ' ' && *p != '\t' && *p != '\n' &&
			    *p != '\r' && *p != '#')
				p++;
			if (*p == '#' || *p == '\0') {
				*p = '\0';	/* a comment ends the line */
				return 0;
			}
			*p++ = '\0';
			continue;
		}
		/* Quoted word: unescape in place. */
		l->argv[l->argc - 1] = w = ++p;
		while (*p != '"') {
			if (*p == '\0' || *p == '\n') {
				snprintf(err, errlen, "unterminated quote");
				return -1;
			}
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			*w++ = *p++;
		}
		*w = '\0';
		p++;
		if (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r' && *p != '#') {
			snprintf(err, errlen, "text right after a quote");
			return -1;
		}
	}
}

static int
do_include(const struct cfg_line *l, cfg_cb *cb, void *arg, int depth,
    long *total, char *err, size_t errlen)
{
	char	*path;
	int	 r;

	if (cfg_want_args(l, 2, 2, err, errlen) == -1)
		return -1;
	if (depth >= CFG_MAX_INCLUDE) {
		snprintf(err, errlen, "includes nested too deep");
		return -1;
	}
	if ((path = cfg_path(l, 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r = parse_file(path, cb, arg, depth + 1, total);
	free(path);
	if (r == -1)
		snprintf(err, errlen, "in included file");
	return r;
}

/* `total` counts bytes over the file and all it includes (CFG_MAX_FILE). */
/* A configuration file or include: a regular file (through symlinks),
 * refused at once if it is a FIFO or device, which could block. */
static FILE *
open_regular(const char *path)
{
	FILE	*f;
	size_t	 size;
	int	 fd;

	/* No size limit here: parse_file counts CFG_MAX_FILE over the file
	 * and its includes, and names the line past it. */
	if ((fd = atomic_open_regular(path, 0, SIZE_MAX, &size)) == -1) {
		if (errno == EINVAL)
			log_warnx("%s: not a regular file", path);
		else
			log_warn("%s", path);
		return NULL;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		log_warn("%s", path);
		close(fd);
	}
	return f;
}

static int
parse_file(const char *path, cfg_cb *cb, void *arg, int depth, long *total)
{
	FILE		*f;
	char		 line[CFG_MAX_LINE + 2], err[256];
	struct cfg_line	 l = { .file = path };
	int		 r = 0;

	if ((f = open_regular(path)) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		l.lineno++;
		err[0] = '\0';
		*total += (long)strlen(line);
		if (strlen(line) > CFG_MAX_LINE || *total > CFG_MAX_FILE) {
			snprintf(err, sizeof(err), "line or file too long");
			r = -1;
		} else if (cfg_split(line, &l, err, sizeof(err)) == -1)
			r = -1;
		else if (l.argc == 0)
			continue;
		else if (strcmp(l.argv[0], "include") == 0)
			r = do_include(&l, cb, arg, depth, total, err,
			    sizeof(err));
		else
			r = cb(&l, arg, err, sizeof(err));
		if (r == -1)
			break;
	}
	if (r == 0 && ferror(f)) {
		snprintf(err, sizeof(err), "read error");
		r = -1;
	}
	if (r == -1)
		log_warnx("%s:%d: %s", path, l.lineno, err);
	fclose(f);
	return r;
}

int
cfg_parse_file(const char *path, cfg_cb *cb, void *arg)
{
	long total = 0;

	return parse_file(path, cb, arg, 0, &total);
}

int
cfg_want_args(const struct cfg_line *l, int min, int max, char *err,
    size_t errlen)
{
	if (l->argc - 1 < min - 1 || l->argc - 1 > max - 1) {
		snprintf(err, errlen, "%s: expected %d to %d argument%s",
		    l->argv[0], min - 1, max - 1, max - 1 == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

int
cfg_long(const struct cfg_line *l, int idx, long min, long max, long *out,
    char *err, size_t errlen)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(l->argv[idx], &end, 10);
	/* strtol would also take " 5" and "+5": only plain digits here. */
	if ((l->argv[idx][0] != '-' && (l->argv[idx][0] < '0' ||
	    l->argv[idx][0] > '9')) || *end != '\0' || errno != 0 ||
	    v < min || v > max) {
		snprintf(err, errlen, "%s: \"%s\" is not a number in %ld..%ld",
		    l->argv[0], l->argv[idx], min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
cfg_one_long(const struct cfg_line *l, long min, long max, long *out,
    char *err, size_t errlen)
{
	if (cfg_want_args(l, 2, 2, err, errlen) == -1 ||
	    cfg_long(l, 1, min, max, out, err, errlen) == -1)
		return -1;
	return 0;
}

char *
cfg_path(const struct cfg_line *l, int idx)
{
	const char	*slash, *p = l->argv[idx];
	char		*out;
	int		 n;

	if (p[0] == '/' || (slash = strrchr(l->file, '/')) == NULL)
		return strdup(p);
	n = (int)(slash - l->file);
	if (asprintf(&out, "%.*s/%s", n, l->file, p) == -1)
		return NULL;
	return out;
}
