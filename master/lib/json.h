#ifndef HD_JSON_H
#define HD_JSON_H

/*
 * A small, strict JSON parser (RFC 8259) for the API's request bodies,
 * and a writer for its responses.
 *
 * json_parse() checks the whole document before anything looks at it:
 * UTF-8 validity, string escapes (\u surrogate pairs must pair), number
 * grammar, no duplicate keys in an object, nothing after the value. It
 * allocates nothing: it fills a caller's token array, refusing documents
 * past JSON_MAX_TOKENS, JSON_MAX_DEPTH, JSON_MAX_STRING or HTTP_MAX_BODY.
 * Tokens point into the input, which must outlive the document.
 *
 * On any refusal, doc->err holds a reason fit for a 400 response.
 */

#include <stddef.h>
#include <stdint.h>

#include "hdlimits.h"
#include "json_write.h"	/* the writer, in shared/ */

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

/*
 * One value. An object's children are key, value, key, value...; an
 * array's its elements. A string's span is inside the quotes, escapes
 * undecoded; a number's is its text.
 */
struct json_tok {
	enum json_type	type;
	uint32_t	start, len;	/* span in the input */
	uint32_t	size;		/* arrays: elements; objects: members */
	uint32_t	next;		/* first token after this one's subtree */
};

struct json_doc {
	const char	*src;
	size_t		 len;
	struct json_tok	*tok;
	int		 ntok, maxtok;
	int		 depth;
	size_t		 pos;			/* parse cursor */
	char		 err[JSON_ERR_MAX];
};

/* 0, or -1 with doc->err set. Token 0 is the top-level value. */
int	json_parse(struct json_doc *, const char *src, size_t len,
	    struct json_tok *tok, int maxtok);
const char *json_type_name(enum json_type);

/* Token index of `key` in object `obj`, or -1. */
int	json_find(const struct json_doc *, int obj, const char *key);
/* Decode string token `t` into buf (NUL-terminated): -1 if it holds
 * U+0000 or does not fit. */
int	json_str(const struct json_doc *, int t, char *buf, size_t size);
/* An integral number token (no fraction, no exponent) within int64. */
int	json_int(const struct json_doc *, int t, int64_t *);

/*
 * Typed field lookups for request bodies. Each returns 1 when the field
 * is there and good, 0 when it is absent and not required, -1 otherwise
 * with doc->err saying why ("field \"x\": expected a string").
 */
int	json_get_str(struct json_doc *, int obj, const char *key, int required,
	    char *buf, size_t size);
int	json_get_int(struct json_doc *, int obj, const char *key, int required,
	    int64_t min, int64_t max, int64_t *);
int	json_get_bool(struct json_doc *, int obj, const char *key,
	    int required, int *);
/* Object `obj` holds only keys from the NULL-terminated `allowed`; else
 * -1 and doc->err names the first unknown one. Also -1 if not an object. */
int	json_only(struct json_doc *, int obj, const char *const *allowed);
#endif
