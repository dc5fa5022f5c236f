/* Unit tests for master/lib/json.c: the strict parser (valid and refused
 * documents, limits, strings and numbers), the field helpers and the
 * writer. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../../master/lib/json.h"

static struct json_tok	tok[JSON_MAX_TOKENS];
static struct json_doc	doc;

static int
parse(const char *s)
{
	return json_parse(&doc, s, strlen(s), tok, JSON_MAX_TOKENS);
}

static const char *const valid[] = {
	"{}", "[]", "0", "-0", "1.5", "-12.5e+3", "1E9", "0.0e-0", "\"\"",
	"true", "false", "null", " \t\r\n{ } ", "[1,2,[3,[4]],{\"a\":null}]",
	"{\"a\":1,\"b\":\"x\",\"c\":[true,false]}", "\"\\u00e9\\n\\/\"",
	"\"\\ud83d\\ude00\"", "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
	"{\"a\":{\"a\":1}}", "[\"a\",\"a\"]", "\"\\u0041\\\\\"",
	"123456789012345678901234567890",
};

static const char *const invalid[] = {
	"", " ", "{", "}", "[", "[1,]", "[,1]", "{\"a\":1,}", "{,}",
	"{\"a\"}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[1 2]", "01", "-", "+1",
	".5", "1.", "1e", "1e+", "0x10", "NaN", "Infinity", "tru", "nul",
	"True", "\"abc", "\"a\\x\"", "\"\\u12\"", "\"\\u12G4\"",
	"\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"", "\"a\tb\"",
	"\"a\nb\"", "\"\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
	"\"\xf4\x90\x80\x80\"", "\"\xff\"", "\"\xe2\x82\"", "{} {}", "1 2",
	"[] x", "{\"a\":1,\"a\":2}", "{\"a\":1,\"\\u0061\":2}",
	"{\"x\":{\"k\":1,\"k\":1}}", "\xef\xbb\xbf{}", "/* c */ {}", "[1]//",
	"\"\\\"", "[-]", "[--1]", "1.e5", "-01",
};

static void
test_tables(void)
{
	size_t	i, bad = 0;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		if (!CHECK(parse(valid[i]) == 0, "valid #%zu accepted", i))
			fprintf(stderr, "# %s: %s\n", valid[i], doc.err);
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		if (!CHECK(parse(invalid[i]) == -1, "invalid #%zu refused", i))
			bad++;
		else
			CHECK(doc.err[0] != '\0', "invalid #%zu has a reason "
			    "(%s)", i, doc.err);
	}
	/* An embedded NUL is garbage even though strlen() would stop. */
	CHECK(json_parse(&doc, "{}\0", 3, tok, JSON_MAX_TOKENS) == -1,
	    "a NUL after the value is refused");
	CHECK(json_parse(&doc, "\"a\0b\"", 5, tok, JSON_MAX_TOKENS) == -1,
	    "a raw NUL in a string is refused");
}

static void
test_tree(void)
{
	int a, c;

	if (!CHECK(parse("{\"a\":[1,{\"x\":2}],\"b\":true}") == 0, "tree"))
		return;
	CHECK(doc.ntok == 9, "9 tokens (%d)", doc.ntok);
	CHECK(tok[0].type == JSON_OBJECT && tok[0].size == 2, "object of 2");
	a = json_find(&doc, 0, "a");
	CHECK(a == 2 && tok[a].type == JSON_ARRAY && tok[a].size == 2,
	    "a is an array of 2");
	CHECK(tok[a].next == 7, "a's subtree ends before key b");
	c = json_find(&doc, 0, "b");
	CHECK(c == 8 && tok[c].type == JSON_TRUE, "b is true");
	CHECK(json_find(&doc, 0, "x") == -1, "nested keys are not found "
	    "at the top");
	CHECK(json_find(&doc, a, "x") == -1, "find in an array: -1");
	CHECK(tok[0].start == 0 && tok[0].len == strlen(doc.src),
	    "the object spans the input");
}

static void
test_strings(void)
{
	char	buf[64];

	parse("[\"\\u00e9\\ud83d\\ude00\\t\\\"\\/\", \"a\\u0000b\", "
	    "\"\xc3\xa9\"]");
	CHECK(json_str(&doc, 1, buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "\xc3\xa9\xf0\x9f\x98\x80\t\"/") == 0,
	    "escapes and a surrogate pair decode to UTF-8");
	CHECK(json_str(&doc, 2, buf, sizeof(buf)) == -1,
	    "U+0000 cannot become a C string");
	CHECK(json_str(&doc, 3, buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "\xc3\xa9") == 0, "raw UTF-8 is kept");
	CHECK(json_str(&doc, 3, buf, 2) == -1, "too small a buffer: -1");
	CHECK(json_str(&doc, 3, buf, 3) == 0, "exactly enough: 0");
	CHECK(json_str(&doc, 0, buf, sizeof(buf)) == -1, "not a string: -1");
	parse("{\"\\u006eame\":1}");
	CHECK(json_find(&doc, 0, "name") == 2, "escaped keys are found");
}

static void
test_numbers(void)
{
	int64_t	v = 0;

	parse("[9223372036854775807,-9223372036854775808,"
	    "9223372036854775808,1.0,1e2,-0,42]");
	CHECK(json_int(&doc, 1, &v) == 0 && v == INT64_MAX, "INT64_MAX");
	CHECK(json_int(&doc, 2, &v) == 0 && v == INT64_MIN, "INT64_MIN");
	CHECK(json_int(&doc, 3, &v) == -1, "INT64_MAX + 1 refused");
	CHECK(json_int(&doc, 4, &v) == -1, "1.0 is not an integer");
	CHECK(json_int(&doc, 5, &v) == -1, "1e2 is not an integer");
	CHECK(json_int(&doc, 6, &v) == 0 && v == 0, "-0 is 0");
	CHECK(json_int(&doc, 7, &v) == 0 && v == 42, "42");
}

static void
test_limits(void)
{
	static char	big[HTTP_MAX_BODY + 2];
	size_t		i;
	int		n;

	for (i = 0; i < JSON_MAX_DEPTH; i++)
		big[i] = '[';
	for (; i < 2 * JSON_MAX_DEPTH; i++)
		big[i] = ']';
	big[i] = '\0';
	CHECK(parse(big) == 0, "depth %d accepted", JSON_MAX_DEPTH);
	memmove(big + 1, big, strlen(big) + 1);
	big[0] = '[';
	strcat(big, "]");
	CHECK(parse(big) == -1 && strstr(doc.err, "deep") != NULL,
	    "depth %d refused (%s)", JSON_MAX_DEPTH + 1, doc.err);

	big[0] = '[';
	for (i = 1, n = 1; n < JSON_MAX_TOKENS; n++) {
		big[i++] = '0';
		big[i++] = ',';
	}
	big[i - 1] = ']';
	big[i] = '\0';
	CHECK(parse(big) == 0 && doc.ntok == JSON_MAX_TOKENS,
	    "%d tokens accepted", JSON_MAX_TOKENS);
	memcpy(big + i - 1, ",0]", 4);
	CHECK(parse(big) == -1 && strstr(doc.err, "too many") != NULL,
	    "%d tokens refused", JSON_MAX_TOKENS + 1);
	CHECK(json_parse(&doc, "[1,2,3]", 7, tok, 3) == -1,
	    "the caller's smaller token array is respected");

	big[0] = '"';
	memset(big + 1, 'a', JSON_MAX_STRING);
	strcpy(big + 1 + JSON_MAX_STRING, "\"");
	CHECK(parse(big) == 0, "a %d-byte string accepted", JSON_MAX_STRING);
	strcpy(big + 1 + JSON_MAX_STRING, "a\"");
	CHECK(parse(big) == -1, "one more byte refused");

	memset(big, '1', JSON_MAX_NUMBER + 1);
	big[JSON_MAX_NUMBER] = '\0';
	CHECK(parse(big) == 0, "a %d-digit number accepted", JSON_MAX_NUMBER);
	big[JSON_MAX_NUMBER] = '1';
	big[JSON_MAX_NUMBER + 1] = '\0';
	CHECK(parse(big) == -1, "one more digit refused");

	memset(big, ' ', sizeof(big));
	big[0] = '0';
	CHECK(json_parse(&doc, big, HTTP_MAX_BODY, tok, JSON_MAX_TOKENS) == 0,
	    "a body of HTTP_MAX_BODY accepted");
	CHECK(json_parse(&doc, big, HTTP_MAX_BODY + 1, tok,
	    JSON_MAX_TOKENS) == -1, "one byte more refused");
}

static void
test_fields(void)
{
	static const char *const allowed[] = { "name", "n", "on", NULL };
	char	buf[16];
	int64_t	v = -1;
	int	b = -1;

	parse("{\"name\":\"bob\",\"n\":7,\"on\":false}");
	CHECK(json_only(&doc, 0, allowed) == 0, "only known fields");
	CHECK(json_get_str(&doc, 0, "name", 1, buf, sizeof(buf)) == 1 &&
	    strcmp(buf, "bob") == 0, "get_str");
	CHECK(json_get_int(&doc, 0, "n", 1, 0, 10, &v) == 1 && v == 7,
	    "get_int");
	CHECK(json_get_bool(&doc, 0, "on", 1, &b) == 1 && b == 0, "get_bool");
	CHECK(json_get_int(&doc, 0, "n", 1, 8, 10, &v) == -1 &&
	    strcmp(doc.err, "field \"n\": out of range") == 0, "range: %s",
	    doc.err);
	CHECK(json_get_str(&doc, 0, "n", 1, buf, sizeof(buf)) == -1 &&
	    strcmp(doc.err, "field \"n\": expected a string") == 0,
	    "wrong type: %s", doc.err);
	CHECK(json_get_bool(&doc, 0, "name", 1, &b) == -1, "bool wrong type");
	CHECK(json_get_int(&doc, 0, "name", 1, 0, 1, &v) == -1,
	    "int wrong type");
	CHECK(json_get_str(&doc, 0, "zz", 0, buf, sizeof(buf)) == 0,
	    "absent optional: 0");
	CHECK(json_get_str(&doc, 0, "zz", 1, buf, sizeof(buf)) == -1 &&
	    strcmp(doc.err, "missing field \"zz\"") == 0, "absent required: "
	    "%s", doc.err);
	parse("{\"name\":\"bob\",\"evil\\n\":1}");
	CHECK(json_only(&doc, 0, allowed) == -1 &&
	    strcmp(doc.err, "unknown field \"evil\\n\"") == 0,
	    "unknown field, shown as written: %s", doc.err);
	parse("{\"\xc3\xa9\":1}");
	CHECK(json_only(&doc, 0, allowed) == -1 &&
	    strcmp(doc.err, "unknown field \"??\"") == 0,
	    "unknown field, shown printable: %s", doc.err);
	parse("{\"name\":\"a very long name indeed\"}");
	CHECK(json_get_str(&doc, 0, "name", 1, buf, sizeof(buf)) == -1,
	    "too long for the buffer");
	parse("[1]");
	CHECK(json_only(&doc, 0, allowed) == -1 &&
	    json_get_str(&doc, 0, "name", 0, buf, sizeof(buf)) == -1,
	    "not an object: refused even for optional fields");
	parse("{\"n\":1.5}");
	CHECK(json_get_int(&doc, 0, "n", 1, 0, 10, &v) == -1,
	    "a fraction is not an integer");
}

static void
test_writer(void)
{
	struct jw	w;
	char		buf[256], small[8];

	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, '{');
	jw_key(&w, "a");
	jw_int(&w, -5);
	jw_key(&w, "s");
	jw_str(&w, "q\"\\\n\x01\x7f\xc3\xa9\xff<");
	jw_key(&w, "l");
	jw_open(&w, '[');
	jw_bool(&w, 1);
	jw_null(&w);
	jw_uint(&w, UINT64_MAX);
	jw_open(&w, '{');
	jw_close(&w, '}');
	jw_close(&w, ']');
	jw_close(&w, '}');
	CHECK(jw_end(&w) > 0 && strcmp(buf, "{\"a\":-5,\"s\":\"q\\\"\\\\"
	    "\\u000a\\u0001\\u007f\xc3\xa9\\ufffd<\",\"l\":[true,null,"
	    "18446744073709551615,{}]}") == 0, "writer output: %s", buf);
	CHECK(parse(buf) == 0, "writer output parses back");
	jw_init(&w, small, sizeof(small));
	jw_str(&w, "12345678");
	CHECK(jw_end(&w) == -1, "overflow reported");
	jw_init(&w, small, sizeof(small));
	jw_str(&w, "12345");
	CHECK(jw_end(&w) == 7 && strcmp(small, "\"12345\"") == 0,
	    "exactly fits with its NUL");
	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, '[');
	CHECK(jw_end(&w) == -1, "unbalanced reported");
	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, '{');
	jw_key(&w, "k");
	jw_close(&w, '}');
	CHECK(jw_end(&w) == -1, "a key without a value reported");
}

int
main(void)
{
	test_tables();
	test_tree();
	test_strings();
	test_numbers();
	test_limits();
	test_fields();
	test_writer();
	return check_done();
}
