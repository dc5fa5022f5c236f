/*
 * hd-testmaster's lines of text (hd-testmaster.c has main(), the slave's
 * connection and the commands): what it prints, one line per event from
 * the slave, and the words and values of a command read on stdin, as
 * hd-testmaster.c's header comment describes them.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.pb-c.h"
#include "hdlimits.h"
#include "net.h"
#include "testmaster_text.h"

/* Text for a line: printable ASCII, quotes and backslashes escaped. */
static void
put_text(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* The shortest form that reads back as the same double, always marked as
 * a number with a fraction so that it is not taken for an integer. */
static void
put_double(double d)
{
	char	b[64];
	int	prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(b, sizeof(b), "%.*g", prec, d);
		if (strtod(b, NULL) == d)
			break;
	}
	fputs(b, stdout);
	if (strpbrk(b, ".eEni") == NULL)	/* not 1.5, 1e9, nan, inf */
		fputs(".0", stdout);
}

static void
put_value(const Hd__Value *v)
{
	if (v == NULL) {
		putchar('-');
		return;
	}
	switch (v->v_case) {
	case HD__VALUE__V_B:
		fputs(v->b ? "true" : "false", stdout);
		break;
	case HD__VALUE__V_I:
		printf("%" PRId64, v->i);
		break;
	case HD__VALUE__V_D:
		put_double(v->d);
		break;
	case HD__VALUE__V_S:
		put_text(v->s);
		break;
	default:
		putchar('-');
	}
}

/* A word from the slave: printable, never empty (so fields stay apart). */
void
put_word(const char *s)
{
	char vis[VALUE_STR_MAX + 1];

	if (s == NULL || s[0] == '\0')
		putchar('-');
	else
		fputs(str_vis(vis, sizeof(vis), s), stdout);
}

const char *
enum_name(const ProtobufCEnumDescriptor *d, int v)
{
	const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d,
	    v);

	return ev != NULL ? ev->name : "?";
}

static const char *
type_name(Hd__ValueType t)
{
	switch (t) {
	case HD__VALUE_TYPE__VT_BOOL:
		return "bool";
	case HD__VALUE_TYPE__VT_INT:
		return "int";
	case HD__VALUE_TYPE__VT_DOUBLE:
		return "double";
	case HD__VALUE_TYPE__VT_STRING:
		return "string";
	default:
		return "unknown";
	}
}

int		show_units;	/* -u */

static void
show_device(const Hd__Device *d)
{
	const Hd__ValueDesc	*v;
	size_t			 i;

	fputs("device ", stdout);
	put_word(d->id);
	printf(" %s", enum_name(&hd__device_kind__descriptor, (int)d->kind));
	for (i = 0; i < d->n_values; i++) {
		v = d->values[i];
		putchar(' ');
		put_word(v->key);
		printf(":%s:%s", type_name(v->type), v->writable ? "rw" : "ro");
		if (v->max > v->min)
			printf(":%g..%g", v->min, v->max);
		if (show_units && v->unit != NULL && v->unit[0] != '\0') {
			putchar('/');
			put_word(v->unit);
		}
	}
	putchar('\n');
}

void
show_announce(const char *node, const Hd__DeviceAnnounce *da)
{
	size_t i;

	printf("announce %s %zu ", node, da->n_devices);
	for (i = 0; i < da->n_devices; i++) {
		if (i > 0)
			putchar(',');
		put_word(da->devices[i]->id);
	}
	if (da->n_devices == 0)
		putchar('-');
	putchar('\n');
	for (i = 0; i < da->n_devices; i++)
		show_device(da->devices[i]);
}

void
show_report(const Hd__ValueReport *r)
{
	fputs("report ", stdout);
	put_word(r->device_id);
	putchar(' ');
	put_word(r->key);
	putchar(' ');
	put_value(r->value);
	printf("%s%s%s at=%" PRIu64 "\n", r->stale ? " stale" : "",
	    r->fault ? " fault" : "", r->low_battery ? " lowbat" : "",
	    r->time_ms);
}

void
show_result(const Hd__CommandResult *r)
{
	char vis[256];

	printf("result %" PRIu64 " %s ", r->id,
	    enum_name(&hd__command_result__status__descriptor, (int)r->status));
	put_value(r->value);
	printf("%s%s%s\n", r->duplicate ? " duplicate" : "",
	    r->detail[0] != '\0' ? " " : "",
	    str_vis(vis, sizeof(vis), r->detail));
}

void
show_fault(const Hd__Fault *f)
{
	char vis[256];

	fputs("fault ", stdout);
	put_word(f->subsystem);
	putchar(' ');
	put_word(f->device_id);
	printf(" %s %s\n", f->active ? "raised" : "cleared",
	    str_vis(vis, sizeof(vis), f->detail));
}

/*
 * Split a command line into words; a word in "double quotes" may hold
 * blanks and \" \\ escapes, and is marked in `quoted`. Returns the count,
 * or -1 on an unclosed quote or too many words.
 */
int
split(char *p, char *argv[], int quoted[], int max)
{
	char	*w;
	int	 n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == max)
			return -1;
		quoted[n] = *p == '"';
		argv[n++] = w = p;
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				if (*p == '\0')
					return -1;
				*w++ = *p;
			}
			p++;
		} else
			while (*p != '\0' && *p != ' ' && *p != '\t')
				*w++ = *p++;
		if (*p != '\0' && *p != ' ' && *p != '\t')
			return -1;	/* "text"junk */
		if (*p != '\0')
			p++;
		*w = '\0';
	}
}

/* VALUE as printed by put_value: true/false, integer, number, "text". */
int
parse_value(const char *s, int quoted, Hd__Value *v)
{
	char	*end;

	hd__value__init(v);
	if (quoted) {
		v->v_case = HD__VALUE__V_S;
		v->s = (char *)(uintptr_t)s;
		return 0;
	}
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
		v->v_case = HD__VALUE__V_B;
		v->b = s[0] == 't';
		return 0;
	}
	errno = 0;
	v->i = strtoll(s, &end, 10);
	if (end != s && *end == '\0' && errno == 0) {
		v->v_case = HD__VALUE__V_I;
		return 0;
	}
	v->d = strtod(s, &end);
	if (end != s && *end == '\0') {
		v->v_case = HD__VALUE__V_D;
		return 0;
	}
	return -1;
}

int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char			*end;
	unsigned long long	 x;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0 || x > max)
		return -1;
	*out = x;
	return 0;
}
