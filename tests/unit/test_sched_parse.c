/*
 * Unit tests for the events language (shared/sched/sched_lex.c,
 * sched_parse.c, sched_parse_rule.c): every construct of the grammar
 * parses into what it says, and bad files are refused with
 * file:line:column and a clear message; includes and their limits.
 */

#include <sys/stat.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "sched/sched.h"

static const char good[] =
"# the porch light\n"
"mode house { home away vacation }\n"
"\n"
"event porch-evening {\n"
"    when sunset + 15 min on mon-fri\n"
"    if barn/lux1.lux < 200 and house is home\n"
"    do set porch/light.on = on\n"
"       wait 4 h\n"
"       set porch/light.on = off\n"
"}\n"
"event hall-motion {\n"
"    when hall/pir.motion changes to on\n"
"    do set hall/lamp.level = 80 wait 5 min restart set hall/lamp.level = 0\n"
"}\n"
"event frost { when garage/temp.celsius below -2.5 hysteresis 1 for 10 min\n"
"    do notify \"frost in the garage\" run heat-on }\n"
"event heat-on { do pulse garage/relay.out 500 ms }\n"
"event many {\n"
"    when at 07:30 on weekdays or at 09:00:30 on sat,sun in nov-feb\n"
"    when every 15 min dates 12-20 to 01-05 or dawn - 1 h or nautical-dusk\n"
"    when online barn or offline garage or startup\n"
"    if not (sun up or from 22:00 to 06:00) and (on fri or house != away)\n"
"    catch-up none\n"
"    disabled\n"
"    do set house = away cancel porch-evening set x/y.z = \"text\"\n"
"}\n";

static struct sched_prog *
parse(const char *text, struct sched_errs *e)
{
	return sched_parse_buf("test.events", text, strlen(text), 0, e);
}

static void
test_good(void)
{
	struct sched_errs	 e;
	struct sched_prog	*g = parse(good, &e);
	struct sched_event	*ev;

	if (!CHECK(g != NULL, "a file with every construct parses")) {
		printf("# %s", e.buf);
		return;
	}
	CHECK(g->nev == 5 && g->nmodes == 1 && g->modes[0].nvals == 3,
	    "5 events, 1 mode with 3 values");
	ev = sched_prog_find(g, "porch-evening");
	CHECK(ev != NULL && ev->ntrig == 1 && ev->trig[0].kind == T_SUN &&
	    ev->trig[0].sun == SUN_SET && ev->trig[0].offset_s == 900 &&
	    ev->trig[0].f.days == 0x3e, "sunset + 15 min on mon-fri");
	CHECK(ev->cond != NULL && ev->cond->kind == C_AND &&
	    ev->cond->a->kind == C_CMP && ev->cond->a->op == OP_LT &&
	    ev->cond->a->val.type == SV_INT && ev->cond->a->val.i == 200 &&
	    strcmp(ev->cond->a->ref.node, "barn") == 0 &&
	    strcmp(ev->cond->a->ref.dev, "lux1") == 0 &&
	    strcmp(ev->cond->a->ref.key, "lux") == 0 &&
	    ev->cond->b->kind == C_MODE, "if DEV < 200 and house is home");
	CHECK(ev->nact == 3 && ev->act[1].kind == A_WAIT &&
	    ev->act[1].ms == 4 * 3600000L && ev->act[2].val.type == SV_BOOL &&
	    ev->act[2].val.i == 0, "set, wait 4 h, set off");
	ev = sched_prog_find(g, "hall-motion");
	CHECK(ev->trig[0].kind == T_CHANGE && ev->trig[0].to.type == SV_BOOL &&
	    ev->act[1].restart && ev->act[0].val.i == 80,
	    "changes to on, wait 5 min restart");
	ev = sched_prog_find(g, "frost");
	CHECK(ev->trig[0].kind == T_VALUE && !ev->trig[0].above &&
	    ev->trig[0].thr == -2.5 && ev->trig[0].hyst == 1 &&
	    ev->trig[0].for_s == 600 && ev->act[1].kind == A_RUN &&
	    ev->act[1].target == sched_prog_find(g, "heat-on"),
	    "below -2.5 hysteresis 1 for 10 min; run resolved");
	CHECK(sched_prog_find(g, "heat-on")->act[0].kind == A_PULSE &&
	    sched_prog_find(g, "heat-on")->act[0].ms == 500, "pulse 500 ms");
	ev = sched_prog_find(g, "many");
	CHECK(ev->ntrig == 8 && ev->trig[1].secs == 9 * 3600 + 30 &&
	    ev->trig[1].f.days == 0x41 && ev->trig[1].f.months ==
	    ((1 << 11) | (1 << 12) | (1 << 1) | (1 << 2)) &&
	    ev->trig[2].kind == T_EVERY && ev->trig[2].secs == 900 &&
	    ev->trig[2].f.date_from == 1220 && ev->trig[2].f.date_to == 105 &&
	    ev->trig[3].sun == SUN_CIVIL_DAWN && ev->trig[3].offset_s == -3600 &&
	    ev->trig[4].sun == SUN_NAUT_DUSK && ev->trig[5].kind == T_ONLINE &&
	    ev->trig[6].kind == T_OFFLINE, "triggers joined by or, several "
	    "when lines, wrapping month range");
	CHECK(ev->disabled && ev->catchup_s == 0 && ev->cond->kind == C_AND &&
	    ev->cond->a->kind == C_NOT && ev->cond->a->a->kind == C_OR &&
	    ev->cond->a->a->b->kind == C_TIME && ev->cond->a->a->b->from ==
	    22 * 3600, "not (... or ...) and (...): precedence and nesting");
	CHECK(ev->act[0].kind == A_MODE && ev->act[0].modeval == 1 &&
	    ev->act[1].kind == A_CANCEL && ev->act[2].val.type == SV_STRING &&
	    strcmp(ev->act[2].val.s, "text") == 0, "set mode, cancel, "
	    "a string value");
	CHECK(g->nvtrig == 2 && strcmp(g->vtrig[0]->ref.node, "garage") == 0,
	    "value triggers indexed in order");
	CHECK(g->uses_sun, "sun use noted (needs latitude/longitude)");
	sched_prog_free(g);
}

static void
test_astro(void)
{
	static const char text[] =
	    "event a { when astronomical-dusk + 10 min do notify \"x\" }\n"
	    "event b { when astronomical-dawn on sun do notify \"y\" }\n";
	struct sched_errs	 e;
	struct sched_prog	*g = parse(text, &e);

	CHECK(g != NULL && g->ev[0].trig[0].sun == SUN_ASTRO_DUSK &&
	    g->ev[0].trig[0].offset_s == 600 &&
	    g->ev[1].trig[0].sun == SUN_ASTRO_DAWN && g->uses_sun,
	    "astronomical-dusk and astronomical-dawn (-18 degrees)");
	sched_prog_free(g);
}

/* The text parses with exactly this first error. */
static void
bad(const char *text, const char *want, const char *what)
{
	struct sched_errs	 e;
	struct sched_prog	*g = parse(text, &e);
	char			 first[256];

	snprintf(first, sizeof(first), "%.*s", (int)strcspn(e.buf, "\n"),
	    e.buf);
	if (!CHECK(g == NULL && strcmp(first, want) == 0, "refused: %s",
	    what))
		printf("#   got \"%s\"\n#  want \"%s\"\n", first, want);
	sched_prog_free(g);
}

static void
test_bad(void)
{
	bad("event a {\n  when at 25:00 do notify \"x\"\n}\n",
	    "test.events:2:11: a time of day is HH:MM or HH:MM:SS (00:00 to "
	    "23:59:59)", "hour 25");
	bad("event a { when at 7 do notify \"x\" }",
	    "test.events:1:19: expected a time of day (HH:MM), found number",
	    "at without a time");
	bad("event a {\n when sunset + 15 do notify \"x\" }",
	    "test.events:2:19: expected a unit (ms, s, min, h, d), found word "
	    "\"do\"", "offset without a unit");
	bad("event a { when sunset + 13 h do notify \"x\" }",
	    "test.events:1:25: duration out of range (0 ms to 43200 s)",
	    "sun offset over 12 h");
	bad("event a { when every 2 h do notify \"x\" }\n"
	    "event a { when every 2 h do notify \"x\" }\n",
	    "test.events:2:1: event \"a\" defined twice", "duplicate event");
	bad("event a { when at 07:00 }", "test.events:1:1: event \"a\" has "
	    "no 'do'", "no actions");
	bad("event a { do run nothing }", "test.events:1:14: no event named "
	    "\"nothing\"", "run of an unknown event");
	bad("event a { if house is away do notify \"x\" }",
	    "test.events:1:14: expected a condition (from, sun, on, in, "
	    "dates, a device value, a declared mode, counter or timestamp, "
	    "not, '('), found word \"house\"", "undeclared mode");
	bad("counter n\nevent a { do count m }",
	    "test.events:2:20: expected a declared counter, found word "
	    "\"m\"", "count of an undeclared counter");
	bad("timestamp t\nevent a { if t older 5 min do stamp t }",
	    "test.events:2:22: expected 'than', found number", "older "
	    "without than");
	bad("counter n\nevent a { do set n = 1.5 }",
	    "test.events:2:14: a counter is set to a whole number",
	    "a counter set to a fraction");
	bad("counter n\nevent a { do count n by 0 }",
	    "test.events:2:14: a counter counts by a whole number other "
	    "than 0 (by 1, by -1)", "a counter counted by 0");
	bad("counter n\nevent a { do count n by 0.5 }",
	    "test.events:2:14: a counter counts by a whole number other "
	    "than 0 (by 1, by -1)", "a counter counted by a fraction");
	bad("counter n\nevent a { do count n by on }",
	    "test.events:2:25: expected a whole number after 'by', found "
	    "word \"on\"", "a counter counted by a boolean");
	bad("timestamp t\nevent a { do count t }",
	    "test.events:2:20: expected a declared counter, found word "
	    "\"t\"", "count of a timestamp");
	bad("mode house { home away }\nevent a { do set house = gone }",
	    "test.events:2:14: mode \"house\" has no value \"gone\"",
	    "unknown mode value");
	bad("event a { when barn/lux > 3 do notify \"x\" }",
	    "test.events:1:16: \"barn/lux\" is not node/device.key (at most "
	    "63/63.31 characters)", "device without a key");
	bad("event a { when b/c.d above 3 hysteresis -1 do notify \"x\" }",
	    "test.events:1:44: hysteresis is not negative", "negative "
	    "hysteresis");
	bad("event a { when at 07:00 on funday do notify \"x\" }",
	    "test.events:1:28: expected days (mon, mon-fri, weekdays, "
	    "weekends, daily), found word \"funday\"", "bad day");
	bad("event a { when at 07:00 dates 02-30 to 03-01 do notify \"x\" }",
	    "test.events:1:31: no such date", "February 30");
	bad("event a { when every 1234567890 s do notify \"x\" }",
	    "test.events:1:22: a number has at most 9 digits "
	    "(SCHED_NUM_DIGITS)", "a number of 10 digits");
	bad("event a { when b/c.d above 1.0123456789 do notify \"x\" }",
	    "test.events:1:28: a number has at most 9 decimals "
	    "(SCHED_NUM_DIGITS)", "a number with 10 decimals");
	bad("event a { do notify \"x }", "test.events:1:21: unterminated "
	    "string", "unterminated string");
	bad("event a { do notify \"x\" } $",
	    "test.events:1:27: unexpected '$'", "stray character");
	bad("event a { if ((((((((((((((((((sun up)))))))))))))))))) do "
	    "notify \"x\" }", "test.events:1:31: condition nested deeper "
	    "than 16", "nesting limit");
	bad("include \"other.events\"", "test.events:1:1: include is not "
	    "allowed here", "include in a buffer");
	bad("event a { when at 07:00 if sun up if sun down do notify \"x\" }",
	    "test.events:1:35: one 'if' per event: join conditions with "
	    "and/or", "two ifs");
}

static void
test_recovery(void)
{
	struct sched_errs	 e;
	struct sched_prog	*g;

	g = parse("event a { when at 99:00 do notify \"x\" }\n"
	    "event b { when at 07:00 do notify \"x\" }\n"
	    "event c { when sunrise - 1 do notify \"x\" }\n", &e);
	CHECK(g == NULL && e.n == 2 && strstr(e.buf, "test.events:1:") &&
	    strstr(e.buf, "test.events:3:"), "errors in two events are both "
	    "reported, the good one between is not blamed");
}

/* The flat copy (the last good schedule) parses alone to the same
 * events, with the include replaced by the file it names. */
static void
flat_check(const struct sched_prog *g)
{
	struct sched_errs	 e;
	struct sched_prog	*f = NULL;

	if (g != NULL && g->flat != NULL)
		f = sched_parse_buf("flat", g->flat, g->flatlen, 0, &e);
	CHECK(f != NULL && f->nev == g->nev && f->nmodes == g->nmodes &&
	    sched_prog_find(f, "a") != NULL && sched_prog_find(f, "b") !=
	    NULL && memmem(g->flat, g->flatlen, "include", 7) == NULL &&
	    memmem(g->flat, g->flatlen, "# barn", 6) != NULL,
	    "the flat copy inlines the include and parses to the same "
	    "events");
	sched_prog_free(f);
}

static void
test_include(void)
{
	char		 dir[] = "/tmp/hd-sched-XXXXXX", path[256], want[1024];
	struct sched_errs e;
	struct sched_prog *g;
	FILE		*f;

	if (!CHECK(mkdtemp(dir) != NULL, "temp folder"))
		return;
	snprintf(path, sizeof(path), "%s/main.events", dir);
	f = fopen(path, "w");
	/* The include shares its line with statements on both sides. */
	fprintf(f, "mode house { home away } include \"barn.events\" "
	    "event a { do run b }\n");
	fclose(f);
	snprintf(path, sizeof(path), "%s/barn.events", dir);
	f = fopen(path, "w");
	fprintf(f, "# barn\nevent b { if house is home do notify \"b\" }\n");
	fclose(f);
	snprintf(path, sizeof(path), "%s/main.events", dir);
	g = sched_parse_file(path, &e);
	CHECK(g != NULL && g->nev == 2 && strstr(sched_prog_find(g,
	    "b")->file, "barn.events") != NULL && sched_prog_find(g, "b")->line
	    == 2, "include: relative to the including file; events keep "
	    "their file and line");
	flat_check(g);
	sched_prog_free(g);
	snprintf(path, sizeof(path), "%s/barn.events", dir);
	f = fopen(path, "w");
	fprintf(f, "\nevent b { when at 7:70 do notify \"b\" }\n");
	fclose(f);
	snprintf(path, sizeof(path), "%s/main.events", dir);
	g = sched_parse_file(path, &e);
	CHECK(g == NULL && strstr(e.buf, "barn.events:2:19: a time of day")
	    != NULL, "include: an error names the included file, line and "
	    "column");
	/* A file that includes itself: a loop, named as one. */
	f = fopen(path, "w");
	fprintf(f, "include \"main.events\"\n");
	fclose(f);
	g = sched_parse_file(path, &e);
	snprintf(want, sizeof(want), "%s:1:1: include loop: %s -> %s/main."
	    "events\n", path, path, dir);
	CHECK(g == NULL && strcmp(e.buf, want) == 0, "include: a file "
	    "including itself is a loop");
	g = sched_parse_file("/nonexistent/x.events", &e);
	CHECK(g == NULL && strstr(e.buf, "No such file") != NULL,
	    "a missing file is an error");
	unlink(path);
	snprintf(path, sizeof(path), "%s/barn.events", dir);
	unlink(path);
	rmdir(dir);
}

/* Write `text` to dir/name; its path in `path`. */
static void
put(const char *dir, const char *name, const char *text, char *path,
    size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

/*
 * Errors a new user meets, said plainly: an include loop with its chain,
 * a FIFO or a folder refused at once, a file too big with its size, a
 * byte order mark accepted, non-ASCII bytes named as such, and the
 * parser saying it stopped at SCHED_MAX_ERRORS.
 */
static void
test_clear_errors(void)
{
	char		 dir[] = "/tmp/hd-sched-XXXXXX", a[256], b[256], c[256];
	char		 want[2048], big[64];
	struct sched_errs e;
	struct sched_prog *g;
	int		 fd, i, ok;

	if (!CHECK(mkdtemp(dir) != NULL, "temp folder"))
		return;
	put(dir, "a.events", "# a\ninclude \"b.events\"\n", a, sizeof(a));
	put(dir, "b.events", "event x { do notify \"x\" }\n"
	    "  include \"c.events\"\n", b, sizeof(b));
	put(dir, "c.events", "include \"a.events\"\n", c, sizeof(c));
	g = sched_parse_file(a, &e);
	snprintf(want, sizeof(want), "%s:1:1: include loop: %s -> %s/b.events"
	    " -> %s/c.events -> %s/a.events\n", c, a, dir, dir, dir);
	if (!CHECK(g == NULL && strcmp(e.buf, want) == 0, "an include loop "
	    "is named with its chain"))
		printf("# %s", e.buf);
	/* A FIFO (no writer: an open without O_NONBLOCK would hang). */
	unlink(c);
	CHECK(mkfifo(c, 0600) == 0, "a FIFO as an include");
	g = sched_parse_file(a, &e);
	snprintf(want, sizeof(want), "%s:2:3: %s/c.events: not a regular "
	    "file\n", b, dir);
	CHECK(g == NULL && strcmp(e.buf, want) == 0, "an include that is a "
	    "FIFO is refused at once");
	g = sched_parse_file(c, &e);
	snprintf(want, sizeof(want), "%s: not a regular file\n", c);
	CHECK(g == NULL && strcmp(e.buf, want) == 0, "an events file that "
	    "is a FIFO too, its name said once");
	unlink(c);
	g = sched_parse_file(dir, &e);
	CHECK(g == NULL && strstr(e.buf, "not a regular file") != NULL,
	    "a folder too");
	/* Too big: named with its size, before a byte is read. */
	if ((fd = open(c, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1) {
		CHECK(ftruncate(fd, SCHED_MAX_FILE + 1) == 0, "a sparse file "
		    "one byte over SCHED_MAX_FILE");
		close(fd);
	}
	g = sched_parse_file(c, &e);
	snprintf(want, sizeof(want), "%s: %d bytes: too big "
	    "(SCHED_MAX_FILE: %d bytes for the events file and its includes "
	    "together)\n", c, SCHED_MAX_FILE + 1, SCHED_MAX_FILE);
	CHECK(g == NULL && strcmp(e.buf, want) == 0, "a file too big is "
	    "named (once) with its size");
	/* An include too big: the includer's position, then its name. */
	if ((fd = open(b, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1) {
		dprintf(fd, "include \"c.events\"\n");
		close(fd);
	}
	g = sched_parse_file(b, &e);
	snprintf(want, sizeof(want), "%s:1:1: %s/c.events: %d bytes: too big "
	    "(SCHED_MAX_FILE: %d bytes for the events file and its includes "
	    "together, some already read)\n", b, dir, SCHED_MAX_FILE + 1,
	    SCHED_MAX_FILE);
	CHECK(g == NULL && strcmp(e.buf, want) == 0, "an include too big is "
	    "named after its includer's position, with its size");
	unlink(c);
	/* A byte order mark; columns count characters. */
	g = parse("\xef\xbb\xbf" "event a { when at 07:00 do notify "
	    "\"K\xc3\xbc\xc3\xbc\" }", &e);
	CHECK(g != NULL && strcmp(g->ev[0].act[0].text, "K\xc3\xbc\xc3\xbc")
	    == 0, "a UTF-8 byte order mark is skipped; UTF-8 in a string kept");
	sched_prog_free(g);
	g = parse("\xef\xbb\xbf" "event a { do notify \"\xc3\xbc\" x }", &e);
	CHECK(g == NULL && strstr(e.buf, "test.events:1:25: ") == e.buf,
	    "after a BOM and a two-byte character, columns are characters");
	sched_prog_free(g);
	g = parse("event k\xc3\xbc" "che { do notify \"x\" }", &e);
	CHECK(g == NULL && strcmp(e.buf, "test.events:1:8: a non-ASCII "
	    "character '\xc3\xbc' (U+00FC): names and words are ASCII letters, "
	    "digits, '_' and '-'; only strings and comments may hold other "
	    "text\n") == 0, "a non-ASCII character in a name, named as such");
	g = parse("event a { when at\xc2\xa0" "07:00 do notify \"x\" }", &e);
	CHECK(g == NULL && strcmp(e.buf, "test.events:1:18: a no-break space "
	    "(U+00A0): write an ordinary space\n") == 0, "a no-break space");
	g = parse("event a { do notify \"x\" }\n\xef\xbb\xbf" "event b { "
	    "do notify \"x\" }", &e);
	CHECK(g == NULL && strcmp(e.buf, "test.events:2:1: a byte order mark "
	    "(U+FEFF) inside the file (only its very start may have one): "
	    "delete it (files joined together bring these)\n") == 0,
	    "a byte order mark past the start, named as one");
	g = parse("event a\xe2\x80\x8b { do notify \"x\" }", &e);
	CHECK(g == NULL && strcmp(e.buf, "test.events:1:8: an invisible "
	    "character (U+200B, a zero-width space or joiner): delete it\n")
	    == 0, "a zero-width space, named as invisible");
	g = parse("event a { do notify \xe2\x80\x9cx\xe2\x80\x9d }", &e);
	CHECK(g == NULL && strstr(e.buf, "test.events:1:21: a typographic "
	    "quote '\xe2\x80\x9c' (U+201C): strings are in straight double "
	    "quotes \"...\"\n") == e.buf, "a curly quote, named as one");
	g = parse("event \xff { do notify \"x\" }", &e);
	CHECK(g == NULL && strstr(e.buf, "test.events:1:7: a byte that is not "
	    "ASCII nor UTF-8 (0xff)") == e.buf, "a byte that is not UTF-8");
	g = parse("event a { do notify \"\xe2\x82\" }", &e);
	CHECK(g == NULL && strcmp(e.buf, "test.events:1:21: a byte that is "
	    "not UTF-8 in a string (0xe2)\n") == 0, "a truncated UTF-8 "
	    "sequence in a string (at the string)");
	/* 20 errors are all shown; past them the parser says it stopped. */
	for (ok = 1, i = 0; i < 2; i++) {
		size_t	n = 0;
		char	*text = malloc(64 * 30);
		int	j;

		for (j = 0; text != NULL && j < (i ? 25 : SCHED_MAX_ERRORS); j++)
			n += (size_t)snprintf(text + n, 64 * 30 - n, "event "
			    "a%d { when at 7:75 do notify \"x\" }\n", j);
		g = text ? parse(text, &e) : NULL;
		snprintf(big, sizeof(big), "test.events: stopped after %d "
		    "errors", SCHED_MAX_ERRORS);
		if (g != NULL || e.n < SCHED_MAX_ERRORS ||
		    (strstr(e.buf, big) != NULL) != (i == 1))
			ok = 0;
		free(text);
	}
	CHECK(ok, "exactly %d errors: all shown; 25: the first %d and "
	    "'stopped after %d errors'", SCHED_MAX_ERRORS, SCHED_MAX_ERRORS,
	    SCHED_MAX_ERRORS);
	unlink(a);
	unlink(b);
	rmdir(dir);
}

/* deploy/examples/home.events, from the top of the tree. */
static void
test_example(void)
{
	char			 path[512];
	const char		*unit = strstr(__FILE__, "tests/unit/");
	struct sched_errs	 e;
	struct sched_prog	*g;

	snprintf(path, sizeof(path), "%.*sdeploy/examples/home.events",
	    unit ? (int)(unit - __FILE__) : 0, __FILE__);
	g = sched_parse_file(path, &e);
	if (!CHECK(g != NULL && g->nev >= 150 && g->nmodes == 2 &&
	    g->uses_sun, "the shipped example parses (%d events)", g ?
	    g->nev : 0))
		printf("# %s", e.buf);
	sched_prog_free(g);
}

static int
ref_is(const struct sched_event *ev, int i, const char *node, const char *dev)
{
	return i < ev->nrefs && strcmp(ev->refs[i].node, node) == 0 &&
	    (dev == NULL ? ev->refs[i].dev == NULL :
	    ev->refs[i].dev != NULL && strcmp(ev->refs[i].dev, dev) == 0);
}

/* The devices each event names (sched_refs.c), for who may see it. */
static void
test_refs(void)
{
	static const char text[] =
	    "mode house { home away }\n"
	    "event clock { when at 07:00 if house is home and sun up "
	    "do set house = away notify \"x\" run all }\n"
	    "event all { when h/sim:door.open changes or b/zw:3.temp above 30 "
	    "or offline b or online h\n"
	    "  if h/sim:door.open == on or not (b/zw:3.level < 2 and "
	    "g/gpio:in.on is off)\n"
	    "  do set h/sim:lamp.on = on pulse g/gpio:out.on 500 ms "
	    "set h/sim:lamp.level = 5 wait 1 min set h/sim:door.lock = on }\n";
	struct sched_errs	 e;
	struct sched_prog	*g = parse(text, &e);
	struct sched_event	*ev;

	if (!CHECK(g != NULL, "references: the file parses")) {
		printf("# %s", e.buf);
		return;
	}
	ev = sched_prog_find(g, "clock");
	CHECK(ev->nrefs == 0 && ev->refs == NULL, "an event naming modes, "
	    "the sun and another event names no device");
	ev = sched_prog_find(g, "all");
	CHECK(ev->nrefs == 7 && ref_is(ev, 0, "b", NULL) &&
	    ref_is(ev, 1, "b", "zw:3") && ref_is(ev, 2, "g", "gpio:in") &&
	    ref_is(ev, 3, "g", "gpio:out") && ref_is(ev, 4, "h", NULL) &&
	    ref_is(ev, 5, "h", "sim:door") && ref_is(ev, 6, "h", "sim:lamp"),
	    "triggers, nested conditions, set and pulse after a wait: each "
	    "device once whatever its keys, nodes of online/offline, sorted "
	    "(%d)", ev->nrefs);
	sched_prog_free(g);
}

int
main(void)
{
	test_refs();
	test_good();
	test_astro();
	test_clear_errors();
	test_bad();
	test_recovery();
	test_include();
	test_example();
	return check_done();
}
