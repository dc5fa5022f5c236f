/* Unit tests for shared/cfg.c: line splitting, files, includes, numbers. */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "check.h"
#include "hdlimits.h"

#ifdef CFG_MAX_INCLUDE
#define EXPECT_MAX_INCLUDE	CFG_MAX_INCLUDE
#else
#define EXPECT_MAX_INCLUDE	4	/* as in shared/cfg.c */
#endif

static char	tmpdir[256];

/* --- cfg_split -------------------------------------------------------- */

static int
split(const char *text, struct cfg_line *l, char *line, size_t linelen,
    char *err, size_t errlen)
{
	snprintf(line, linelen, "%s", text);
	memset(l, 0, sizeof(*l));
	err[0] = '\0';
	return cfg_split(line, l, err, errlen);
}

static int
words_are(const struct cfg_line *l, int argc, ...)
{
	va_list	 ap;
	int	 i, ok = l->argc == argc;

	va_start(ap, argc);
	for (i = 0; ok && i < argc; i++)
		ok = strcmp(l->argv[i], va_arg(ap, const char *)) == 0;
	va_end(ap);
	return ok;
}

static void
test_split(void)
{
	struct cfg_line	l;
	char		line[CFG_MAX_LINE + 2], err[128], text[CFG_MAX_LINE],
			last[16];
	int		i, r;

	r = split("listen 0.0.0.0:7001\n", &l, line, sizeof(line), err,
	    sizeof(err));
	CHECK(r == 0 && words_are(&l, 2, "listen", "0.0.0.0:7001"),
	    "two words, newline stripped");
	r = split("  a\tb  \t c   ", &l, line, sizeof(line), err, sizeof(err));
	CHECK(r == 0 && words_are(&l, 3, "a", "b", "c"),
	    "blanks and tabs separate, leading/trailing ignored");
	r = split("a b\r\n", &l, line, sizeof(line), err, sizeof(err));
	CHECK(r == 0 && words_are(&l, 2, "a", "b"), "CRLF line ending");
	r = split("", &l, line, sizeof(line), err, sizeof(err));
	CHECK(r == 0 && l.argc == 0, "empty line: no words");
	r = split(" \t \n", &l, line, sizeof(line), err, sizeof(err));
	CHECK(r == 0 && l.argc == 0, "blank line: no words");
	r = split("# a comment \"with quote\n", &l, line, sizeof(line), err,
	    sizeof(err));
	CHECK(r == 0 && l.argc == 0, "comment line: no words");
	r = split("   # indented comment", &l, line, sizeof(line), err,
	    sizeof(err));
	CHECK(r == 0 && l.argc == 0, "indented comment: no words");
	r = split("key value # trailing comment", &l, line, sizeof(line), err,
	    sizeof(err));
	CHECK(r == 0 && words_are(&l, 2, "key", "value"), "trailing comment");
	r = split("key value#glued comment", &l, line, sizeof(line), err,
	    sizeof(err));
	CHECK(r == 0 && words_are(&l, 2, "key", "value"),
	    "comment glued to a word ends it");

	r = split("site \"Main house\" x\n", &l, line, sizeof(line), err,
	    sizeof(err));
	CHECK(r == 0 && words_are(&l, 3, "site", "Main house", "x"),
	    "quoted word with a blank");
	r = split("a \"x # not a comment\"", &l, line, sizeof(line), err,
	    sizeof(err));
	CHECK(r == 0 && words_are(&l, 2, "a", "x # not a comment"),
	    "'#' inside quotes is text");
	r = split("a \"q\\\"uote\" \"back\\\\slash\"", &l, line, sizeof(line),
	    err, sizeof(err));
	CHECK(r == 0 && words_are(&l, 3, "a", "q\"uote", "back\\slash"),
	    "escapes \\\" and \\\\ in quotes");
	r = split("a \"c:\\temp\\n\"", &l, line, sizeof(line), err,
	    sizeof(err));
	CHECK(r == 0 && words_are(&l, 2, "a", "c:\\temp\\n"),
	    "other backslashes are kept as they are");
	r = split("a \"\" b", &l, line, sizeof(line), err, sizeof(err));
	CHECK(r == 0 && words_are(&l, 3, "a", "", "b"),
	    "empty quoted word counts as a word");
	r = split("a \"x\"# comment", &l, line, sizeof(line), err,
	    sizeof(err));
	CHECK(r == 0 && words_are(&l, 2, "a", "x"), "comment right after a "
	    "closing quote");
	r = split("a \"x\"\n", &l, line, sizeof(line), err, sizeof(err));
	CHECK(r == 0 && words_are(&l, 2, "a", "x"), "quote at end of line");
	r = split("a\"b c", &l, line, sizeof(line), err, sizeof(err));
	CHECK(r == 0 && words_are(&l, 2, "a\"b", "c"),
	    "a quote inside a word is an ordinary character");

	r = split("a \"unterminated", &l, line, sizeof(line), err,
	    sizeof(err));
	CHECK(r == -1 && strstr(err, "unterminated quote") != NULL,
	    "unterminated quote: -1 with a reason (%s)", err);
	r = split("a \"unterminated\n", &l, line, sizeof(line), err,
	    sizeof(err));
	CHECK(r == -1 && strstr(err, "unterminated") != NULL,
	    "quote unterminated at the newline");
	r = split("a \"escaped end\\\"", &l, line, sizeof(line), err,
	    sizeof(err));
	CHECK(r == -1 && strstr(err, "unterminated") != NULL,
	    "an escaped quote does not close the word");
	r = split("a \"trailing backslash\\", &l, line, sizeof(line), err,
	    sizeof(err));
	CHECK(r == -1, "backslash at end of an open quote: -1");
	r = split("a \"x\"y", &l, line, sizeof(line), err, sizeof(err));
	CHECK(r == -1 && strstr(err, "after a quote") != NULL,
	    "text right after a closing quote: -1 (%s)", err);

	/* CFG_MAX_WORDS words pass, one more fails. */
	text[0] = '\0';
	for (i = 0; i < CFG_MAX_WORDS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "w%d ", i);
	r = split(text, &l, line, sizeof(line), err, sizeof(err));
	snprintf(last, sizeof(last), "w%d", CFG_MAX_WORDS - 1);
	CHECK(r == 0 && l.argc == CFG_MAX_WORDS &&
	    strcmp(l.argv[CFG_MAX_WORDS - 1], last) == 0,
	    "exactly CFG_MAX_WORDS (%d) words with a trailing blank",
	    CFG_MAX_WORDS);
	snprintf(text + strlen(text), sizeof(text) - strlen(text),
	    "# comment");
	r = split(text, &l, line, sizeof(line), err, sizeof(err));
	CHECK(r == 0 && l.argc == CFG_MAX_WORDS,
	    "CFG_MAX_WORDS words and a comment");
	text[strlen(text) - strlen("# comment")] = '\0';
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "extra");
	r = split(text, &l, line, sizeof(line), err, sizeof(err));
	CHECK(r == -1 && strstr(err, "too many words") != NULL,
	    "CFG_MAX_WORDS + 1 words: -1 (%s)", err);
	snprintf(text, sizeof(text), "\"\"");
	for (i = 1; i <= CFG_MAX_WORDS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    " \"\"");
	r = split(text, &l, line, sizeof(line), err, sizeof(err));
	CHECK(r == -1, "CFG_MAX_WORDS + 1 empty quoted words: -1");
}

/* --- files ------------------------------------------------------------ */

static void
write_file(const char *name, const char *text)
{
	char	 path[PATH_MAX];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

struct seen {
	int	 n;
	char	 file[16][PATH_MAX];
	int	 lineno[16];
	int	 argc[16];
	char	 arg0[16][64];
	char	 arg1[16][64];
	int	 fail_on_line;	/* return -1 for this line of the top file */
};

static int
record_cb(const struct cfg_line *l, void *arg, char *err, size_t errlen)
{
	struct seen *s = arg;

	if (s->n < 16) {
		snprintf(s->file[s->n], PATH_MAX, "%s", l->file);
		s->lineno[s->n] = l->lineno;
		s->argc[s->n] = l->argc;
		snprintf(s->arg0[s->n], 64, "%s", l->argv[0]);
		snprintf(s->arg1[s->n], 64, "%s", l->argc > 1 ? l->argv[1] :
		    "");
	}
	s->n++;
	if (strcmp(l->argv[0], "bad") == 0 ||
	    l->lineno == s->fail_on_line) {
		snprintf(err, errlen, "unknown directive %s", l->argv[0]);
		return -1;
	}
	return 0;
}

static int
seen_is(const struct seen *s, int i, const char *file, int lineno,
    const char *arg0)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, file);
	return i < s->n && strcmp(s->file[i], path) == 0 &&
	    s->lineno[i] == lineno && strcmp(s->arg0[i], arg0) == 0;
}

/* Run cfg_parse_file on tmpdir/name with stderr captured into `log`. */
static int
parse(const char *name, struct seen *s, char *log, size_t loglen)
{
	char	 path[PATH_MAX], logpath[PATH_MAX];
	int	 saved, fd, r;
	ssize_t	 n;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	snprintf(logpath, sizeof(logpath), "%s/stderr.log", tmpdir);
	fflush(stderr);
	saved = dup(2);
	fd = open(logpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	r = cfg_parse_file(path, record_cb, s);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, log, loglen - 1);
	log[n > 0 ? n : 0] = '\0';
	close(fd);
	if (log[0] != '\0')
		fprintf(stderr, "%s", log);	/* keep it visible */
	return r;
}

/* Does the captured log name tmpdir/file:line: and `what`? */
static int
logged(const char *log, const char *file, int line, const char *what)
{
	char needle[PATH_MAX + 64];

	snprintf(needle, sizeof(needle), "%s/%s:%d: %s", tmpdir, file, line,
	    what);
	return strstr(log, needle) != NULL;
}

static void
test_files(void)
{
	struct seen	 s;
	char		 log[4096], name[32], text[128], *big;
	char		 fifo[PATH_MAX];
	int		 i, r;

	snprintf(log, sizeof(log), "%s/sub", tmpdir);
	if (!CHECK(mkdir(log, 0700) == 0, "make tmp/sub"))
		return;

	write_file("main.conf",
	    "# homedaemon test\n"			/* 1 */
	    "alpha 1\n"					/* 2 */
	    "\n"					/* 3 */
	    "beta \"two words\"   # note\n"		/* 4 */
	    "include sub/inc.conf\n"			/* 5 */
	    "gamma\n"					/* 6 */
	    "  \t\n"					/* 7 */
	    "delta last-no-newline");			/* 8 */
	write_file("sub/inc.conf",
	    "\n"					/* 1 */
	    "inner x\n"					/* 2 */
	    "include ../leaf.conf\n"			/* 3 */
	    "inner2\n");				/* 4 */
	write_file("leaf.conf", "leaf 42\n");

	memset(&s, 0, sizeof(s));
	r = parse("main.conf", &s, log, sizeof(log));
	CHECK(r == 0, "parse main.conf with nested includes");
	CHECK(s.n == 7, "7 directives seen (%d)", s.n);
	CHECK(seen_is(&s, 0, "main.conf", 2, "alpha") &&
	    strcmp(s.arg1[0], "1") == 0, "alpha at main.conf:2");
	CHECK(seen_is(&s, 1, "main.conf", 4, "beta") &&
	    strcmp(s.arg1[1], "two words") == 0 && s.argc[1] == 2,
	    "beta at main.conf:4 with a quoted word");
	CHECK(seen_is(&s, 2, "sub/inc.conf", 2, "inner"),
	    "inner at sub/inc.conf:2 (include relative to main.conf)");
	CHECK(seen_is(&s, 3, "sub/../leaf.conf", 1, "leaf"),
	    "leaf at sub/../leaf.conf:1 (include relative to sub/inc.conf)");
	CHECK(seen_is(&s, 4, "sub/inc.conf", 4, "inner2"),
	    "inner2 at sub/inc.conf:4: line numbers go on after an include");
	CHECK(seen_is(&s, 5, "main.conf", 6, "gamma"),
	    "gamma at main.conf:6: back in the including file");
	CHECK(seen_is(&s, 6, "main.conf", 8, "delta") &&
	    strcmp(s.arg1[6], "last-no-newline") == 0,
	    "last line without a newline: main.conf:8");
	for (i = 0, r = 0; i < s.n && i < 16; i++)
		r |= strcmp(s.arg0[i], "include") == 0;
	CHECK(r == 0, "the include directive itself is not passed on");

	/* Errors: file:line: reason on stderr, -1, parse stops there. */
	write_file("err-quote.conf", "a 1\nb 2\nc \"open\nd 4\n");
	memset(&s, 0, sizeof(s));
	r = parse("err-quote.conf", &s, log, sizeof(log));
	CHECK(r == -1, "unterminated quote on line 3: -1");
	CHECK(logged(log, "err-quote.conf", 3, "unterminated quote"),
	    "error reported as err-quote.conf:3: unterminated quote");
	CHECK(s.n == 2, "no directive after the error is passed on (%d)",
	    s.n);

	write_file("err-cb.conf", "# x\n\nok 1\nbad 2\nok 3\n");
	memset(&s, 0, sizeof(s));
	r = parse("err-cb.conf", &s, log, sizeof(log));
	CHECK(r == -1 && s.n == 2, "callback error on line 4: -1, stops");
	CHECK(logged(log, "err-cb.conf", 4, "unknown directive bad"),
	    "callback's reason reported as err-cb.conf:4");

	write_file("sub/bad.conf", "fine\n\nbad\n");
	write_file("err-inc.conf", "one\ninclude sub/bad.conf\ntwo\n");
	memset(&s, 0, sizeof(s));
	r = parse("err-inc.conf", &s, log, sizeof(log));
	CHECK(r == -1 && s.n == 3, "error inside an included file: -1");
	CHECK(logged(log, "sub/bad.conf", 3, "unknown directive"),
	    "included file's error names sub/bad.conf:3");
	CHECK(logged(log, "err-inc.conf", 2, "in included file"),
	    "and the include line err-inc.conf:2");

	write_file("err-missing.conf", "a\ninclude nowhere.conf\n");
	memset(&s, 0, sizeof(s));
	r = parse("err-missing.conf", &s, log, sizeof(log));
	CHECK(r == -1 && logged(log, "err-missing.conf", 2, ""),
	    "missing included file: -1 at err-missing.conf:2");
	/* A FIFO would block a plain open until a writer came: refused at
	 * once (the alarm turns a hang into a failed run). */
	snprintf(fifo, sizeof(fifo), "%s/fifo.conf", tmpdir);
	write_file("err-fifo.conf", "a\ninclude fifo.conf\n");
	if (CHECK(mkfifo(fifo, 0600) == 0, "make a FIFO")) {
		alarm(10);
		memset(&s, 0, sizeof(s));
		r = parse("err-fifo.conf", &s, log, sizeof(log));
		CHECK(r == -1 && strstr(log, "fifo.conf: not a regular file") !=
		    NULL && logged(log, "err-fifo.conf", 2, ""), "an included "
		    "FIFO: refused at once, -1 at err-fifo.conf:2");
		memset(&s, 0, sizeof(s));
		r = parse("fifo.conf", &s, log, sizeof(log));
		CHECK(r == -1 && s.n == 0, "a FIFO as the file itself: -1");
		alarm(0);
	}
	write_file("err-args.conf", "include\n");
	r = parse("err-args.conf", &s, log, sizeof(log));
	CHECK(r == -1 && logged(log, "err-args.conf", 1, "include: expected"),
	    "include without a file: -1");
	write_file("err-args2.conf", "include a b\n");
	r = parse("err-args2.conf", &s, log, sizeof(log));
	CHECK(r == -1 && logged(log, "err-args2.conf", 1, "include:"),
	    "include with two files: -1");
	memset(&s, 0, sizeof(s));
	r = parse("does-not-exist.conf", &s, log, sizeof(log));
	CHECK(r == -1 && s.n == 0, "missing file: -1");

	/* Include depth: a chain EXPECT_MAX_INCLUDE deep is fine, one more
	 * is refused, and a file including itself ends. */
	for (i = 0; i <= EXPECT_MAX_INCLUDE + 1; i++) {
		snprintf(name, sizeof(name), "chain%d.conf", i);
		snprintf(text, sizeof(text), "level %d\ninclude chain%d.conf\n",
		    i, i + 1);
		write_file(name, text);
	}
	snprintf(name, sizeof(name), "chain%d.conf", EXPECT_MAX_INCLUDE);
	write_file(name, "level last\n");
	memset(&s, 0, sizeof(s));
	r = parse("chain0.conf", &s, log, sizeof(log));
	CHECK(r == 0 && s.n == EXPECT_MAX_INCLUDE + 1,
	    "includes nested %d deep are accepted", EXPECT_MAX_INCLUDE);
	snprintf(text, sizeof(text), "level %d\ninclude chain%d.conf\n",
	    EXPECT_MAX_INCLUDE, EXPECT_MAX_INCLUDE + 1);
	write_file(name, text);
	snprintf(name, sizeof(name), "chain%d.conf", EXPECT_MAX_INCLUDE + 1);
	write_file(name, "level too-deep\n");
	memset(&s, 0, sizeof(s));
	r = parse("chain0.conf", &s, log, sizeof(log));
	snprintf(name, sizeof(name), "chain%d.conf", EXPECT_MAX_INCLUDE);
	CHECK(r == -1 && logged(log, name, 2, "includes nested too deep"),
	    "one level deeper: -1, \"includes nested too deep\" at %s:2",
	    name);
	CHECK(s.n == EXPECT_MAX_INCLUDE + 1, "the too deep file is not read");
	write_file("self.conf", "x\ninclude self.conf\n");
	memset(&s, 0, sizeof(s));
	r = parse("self.conf", &s, log, sizeof(log));
	CHECK(r == -1 && s.n == EXPECT_MAX_INCLUDE + 1,
	    "a file including itself stops at the depth limit");

	/* Line length: CFG_MAX_LINE bytes (newline included) pass. */
	if ((big = malloc(CFG_MAX_FILE + 4096)) == NULL)
		return;
	memset(big, 'x', CFG_MAX_LINE - 1);
	memcpy(big, "long ", 5);
	big[CFG_MAX_LINE - 1] = '\n';
	memcpy(big + CFG_MAX_LINE, "after 1\n", 9);
	write_file("line-max.conf", big);
	memset(&s, 0, sizeof(s));
	r = parse("line-max.conf", &s, log, sizeof(log));
	CHECK(r == 0 && s.n == 2 && s.lineno[1] == 2,
	    "a line of CFG_MAX_LINE bytes is accepted");
	memset(big, 'x', CFG_MAX_LINE);
	memcpy(big, "long ", 5);
	big[CFG_MAX_LINE] = '\n';
	memcpy(big + CFG_MAX_LINE + 1, "after 1\n", 9);
	write_file("line-long.conf", big);
	memset(&s, 0, sizeof(s));
	r = parse("line-long.conf", &s, log, sizeof(log));
	CHECK(r == -1 && s.n == 0 && logged(log, "line-long.conf", 1,
	    "line or file too long"), "a line of CFG_MAX_LINE+1 bytes: -1 at "
	    "line 1");
	memset(big, 'x', 5000);
	memcpy(big, "a\nlong ", 7);
	memcpy(big + 5000, "\nafter\n", 8);
	write_file("line-huge.conf", big);
	memset(&s, 0, sizeof(s));
	r = parse("line-huge.conf", &s, log, sizeof(log));
	CHECK(r == -1 && s.n == 1 && logged(log, "line-huge.conf", 2,
	    "line or file too long"), "a 5000-byte line: -1 at line 2, "
	    "its tail is not parsed as a line");

	/* File length: CFG_MAX_FILE bytes of comments pass, more fail. */
	for (i = 0; i < CFG_MAX_FILE / 64; i++) {
		memset(big + i * 64, ' ', 64);
		big[i * 64] = '#';
		big[i * 64 + 63] = '\n';
	}
	big[CFG_MAX_FILE] = '\0';
	write_file("file-max.conf", big);
	memset(&s, 0, sizeof(s));
	r = parse("file-max.conf", &s, log, sizeof(log));
	CHECK(r == 0, "a file of CFG_MAX_FILE bytes is accepted");
	memcpy(big + CFG_MAX_FILE, "x\n", 3);
	write_file("file-big.conf", big);
	memset(&s, 0, sizeof(s));
	r = parse("file-big.conf", &s, log, sizeof(log));
	CHECK(r == -1 && s.n == 0 && logged(log, "file-big.conf",
	    CFG_MAX_FILE / 64 + 1, "line or file too long"),
	    "CFG_MAX_FILE + 2 bytes: -1 on the line past the limit");
	free(big);
}

/* --- numbers, argument counts, paths ------------------------------------ */

static int
num(const char *word, long min, long max, long *out, char *err,
    size_t errlen)
{
	struct cfg_line	l;
	char		w0[] = "timeout", w1[64];

	memset(&l, 0, sizeof(l));
	snprintf(w1, sizeof(w1), "%s", word);
	l.file = "x.conf";
	l.argc = 2;
	l.argv[0] = w0;
	l.argv[1] = w1;
	err[0] = '\0';
	return cfg_long(&l, 1, min, max, out, err, errlen);
}

static void
test_numbers(void)
{
	struct cfg_line	 l;
	char		 err[160], w[3][16] = { "include", "a", "b" }, lim[32];
	long		 v;
	int		 r;

	v = -1;
	CHECK(num("42", 0, 100, &v, err, sizeof(err)) == 0 && v == 42,
	    "cfg_long 42 in 0..100");
	CHECK(num("0", 0, 100, &v, err, sizeof(err)) == 0 && v == 0,
	    "cfg_long: lower bound included");
	CHECK(num("100", 0, 100, &v, err, sizeof(err)) == 0 && v == 100,
	    "cfg_long: upper bound included");
	CHECK(num("-7", -10, 10, &v, err, sizeof(err)) == 0 && v == -7,
	    "cfg_long: negative numbers");
	v = 555;
	r = num("101", 0, 100, &v, err, sizeof(err));
	CHECK(r == -1 && v == 555, "cfg_long: above max fails, out untouched");
	CHECK(strstr(err, "timeout") != NULL && strstr(err, "\"101\"") !=
	    NULL && strstr(err, "0..100") != NULL,
	    "cfg_long: reason names directive, word and range (%s)", err);
	CHECK(num("-1", 0, 100, &v, err, sizeof(err)) == -1 && v == 555,
	    "cfg_long: below min fails");
	CHECK(num("", 0, 100, &v, err, sizeof(err)) == -1, "cfg_long: empty "
	    "word fails");
	CHECK(num("12abc", 0, 100, &v, err, sizeof(err)) == -1,
	    "cfg_long: trailing garbage fails");
	CHECK(num("1.5", 0, 100, &v, err, sizeof(err)) == -1,
	    "cfg_long: a fraction fails");
	CHECK(num("0x10", 0, 100, &v, err, sizeof(err)) == -1,
	    "cfg_long: hex is not decimal");
	CHECK(num("abc", 0, 100, &v, err, sizeof(err)) == -1,
	    "cfg_long: letters fail");
	CHECK(num("99999999999999999999", LONG_MIN, LONG_MAX, &v, err,
	    sizeof(err)) == -1, "cfg_long: overflow (ERANGE) fails");
	CHECK(num("-99999999999999999999", LONG_MIN, LONG_MAX, &v, err,
	    sizeof(err)) == -1, "cfg_long: underflow (ERANGE) fails");
	/* long is 32 bits on armhf (make test-cross): print the limits. */
	snprintf(lim, sizeof(lim), "%ld", LONG_MAX);
	CHECK(num(lim, LONG_MIN, LONG_MAX, &v, err, sizeof(err)) == 0 &&
	    v == LONG_MAX, "cfg_long: LONG_MAX");
	snprintf(lim, sizeof(lim), "%ld", LONG_MIN);
	CHECK(num(lim, LONG_MIN, LONG_MAX, &v, err, sizeof(err)) == 0 &&
	    v == LONG_MIN, "cfg_long: LONG_MIN");
	CHECK(num("5", 5, 5, &v, err, sizeof(err)) == 0 && v == 5,
	    "cfg_long: single-value range");

	memset(&l, 0, sizeof(l));
	l.file = "x.conf";
	l.argv[0] = w[0];
	l.argv[1] = w[1];
	l.argv[2] = w[2];
	l.argc = 2;
	CHECK(cfg_want_args(&l, 2, 2, err, sizeof(err)) == 0,
	    "cfg_want_args: exactly right");
	l.argc = 1;
	CHECK(cfg_want_args(&l, 2, 2, err, sizeof(err)) == -1 &&
	    strstr(err, "include: expected 1 to 1 argument") != NULL,
	    "cfg_want_args: too few (%s)", err);
	l.argc = 3;
	CHECK(cfg_want_args(&l, 2, 2, err, sizeof(err)) == -1,
	    "cfg_want_args: too many");
	CHECK(cfg_want_args(&l, 1, 3, err, sizeof(err)) == 0,
	    "cfg_want_args: within a range");

	/* cfg_one_long: "directive NUMBER" */
	{
		char	d[] = "timeout", n5[] = "5", n6[] = "6", big[] = "99";

		memset(&l, 0, sizeof(l));
		l.file = "x.conf";
		l.argv[0] = d;
		l.argv[1] = n5;
		l.argv[2] = n6;
		l.argc = 2;
		v = 0;
		CHECK(cfg_one_long(&l, 1, 10, &v, err, sizeof(err)) == 0 &&
		    v == 5, "cfg_one_long: one number in range");
		l.argc = 1;
		v = 0;
		CHECK(cfg_one_long(&l, 1, 10, &v, err, sizeof(err)) == -1 &&
		    v == 0, "cfg_one_long: missing number (%s)", err);
		l.argc = 3;
		CHECK(cfg_one_long(&l, 1, 10, &v, err, sizeof(err)) == -1 &&
		    v == 0, "cfg_one_long: two numbers (%s)", err);
		l.argc = 2;
		l.argv[1] = big;
		CHECK(cfg_one_long(&l, 1, 10, &v, err, sizeof(err)) == -1 &&
		    v == 0, "cfg_one_long: out of range (%s)", err);
	}
}

static void
check_path(const char *file, const char *word, const char *want)
{
	struct cfg_line	 l;
	char		 w[PATH_MAX], *p;

	memset(&l, 0, sizeof(l));
	snprintf(w, sizeof(w), "%s", word);
	l.file = file;
	l.argc = 2;
	l.argv[0] = w;
	l.argv[1] = w;
	p = cfg_path(&l, 1);
	CHECK(p != NULL && strcmp(p, want) == 0,
	    "cfg_path(\"%s\" in %s) = %s (got %s)", word, file, want,
	    p != NULL ? p : "NULL");
	free(p);
}

static void
test_paths(void)
{
	check_path("/etc/hd/slave.conf", "certs/ca.crt", "/etc/hd/certs/ca.crt");
	check_path("/etc/hd/slave.conf", "/abs/ca.crt", "/abs/ca.crt");
	check_path("slave.conf", "certs/ca.crt", "certs/ca.crt");
	check_path("conf/slave.conf", "ca.crt", "conf/ca.crt");
	check_path("conf/slave.conf", "../pki/ca.crt", "conf/../pki/ca.crt");
	check_path("/slave.conf", "ca.crt", "/ca.crt");
	check_path("/etc/hd/slave.conf", "./x", "/etc/hd/./x");
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
rm_tree(const char *dir)
{
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	test_split();
	test_numbers();
	test_paths();

	snprintf(tmpdir, sizeof(tmpdir), "%s/hd-test-cfg.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (!CHECK(mkdtemp(tmpdir) != NULL, "make a temporary directory"))
		return check_done();
	/* The files are parsed from another working directory (the repo
	 * root): relative includes must resolve against the file. */
	test_files();
	CHECK(rm_tree(tmpdir) == 0, "remove the temporary directory");
	return check_done();
}
