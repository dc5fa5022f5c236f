/*
 * libFuzzer harness for the API's JSON parser (master/lib/json.c): raw bytes
 * as a request body. A document that parses is walked with the lookup
 * helpers, and each of its strings goes through the writer, whose output
 * must parse back and decode to the same text.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hdlimits.h"
#include "lib/json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct json_tok	tok[JSON_MAX_TOKENS], tok2[4];
static char		str[JSON_MAX_STRING + 1], str2[JSON_MAX_STRING + 1];
static char		out[8 * JSON_MAX_STRING];

static void
roundtrip(const char *s)
{
	struct json_doc	d;
	struct jw	w;
	long		n;

	jw_init(&w, out, sizeof(out));
	jw_str(&w, s);
	if ((n = jw_end(&w)) == -1)
		abort();
	/* Escaping can lengthen a string past what the parser takes. */
	if ((size_t)n > JSON_MAX_STRING + 2)
		return;
	if (json_parse(&d, out, (size_t)n, tok2, 4) == -1 ||
	    json_str(&d, 0, str2, sizeof(str2)) == -1 || strcmp(s, str2) != 0)
		abort();
}

static void
walk(struct json_doc *d)
{
	static const char *const allowed[] = { "name", "password", NULL };
	int64_t	v;
	int	i, b;

	json_only(d, 0, allowed);
	json_get_str(d, 0, "name", 0, str, sizeof(str));
	json_get_int(d, 0, "n", 0, -5, 5, &v);
	json_get_bool(d, 0, "on", 0, &b);
	for (i = 0; i < d->ntok; i++) {
		if (d->tok[i].next > (uint32_t)d->ntok ||
		    d->tok[i].start + d->tok[i].len > d->len)
			abort();
		if (d->tok[i].type == JSON_NUMBER)
			json_int(d, i, &v);
		if (d->tok[i].type == JSON_OBJECT)
			json_find(d, i, "a");
		if (d->tok[i].type == JSON_STRING &&
		    json_str(d, i, str, sizeof(str)) == 0)
			roundtrip(str);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc	 d;
	char		*copy;

	/* A private copy, so reads past `size` are caught. */
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	if (json_parse(&d, copy, size, tok, JSON_MAX_TOKENS) == 0)
		walk(&d);
	else if (d.err[0] == '\0')
		abort();
	free(copy);
	return 0;
}
