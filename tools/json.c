// SPDX-License-Identifier: GPL-2.0
/*
 * The one JSON writer (after bpftool's json_writer.c and iproute2's
 * json_print.c): every command's --json goes through it, so commas, quoting
 * and escaping are decided in one place.  Compact, one object per line: a
 * top-level object ends with a newline.
 */
#include <stdio.h>
#include <stdlib.h>

#include "enomemstat.h"

#define JW_MAX_DEPTH	8

static int jw_depth;
static unsigned char jw_started[JW_MAX_DEPTH];	/* a member was written */

static void json_string(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p < 0x20 || *p >= 0x7f)
			/* comm may be any bytes: keep the JSON valid ASCII */
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* The comma before a member and its "key":, if it has one. */
static void jw_member(const char *key)
{
	if (jw_depth) {
		if (jw_started[jw_depth - 1])
			putchar(',');
		jw_started[jw_depth - 1] = 1;
	}
	if (key) {
		json_string(key);
		putchar(':');
	}
}

static void jw_open(const char *key, char c)
{
	if (jw_depth == JW_MAX_DEPTH)
		abort();	/* a programming error, not an input */
	jw_member(key);
	putchar(c);
	jw_started[jw_depth++] = 0;
}

static void jw_close(char c)
{
	putchar(c);
	if (--jw_depth == 0)
		putchar('\n');
}

void jw_object_open(const char *key)
{
	jw_open(key, '{');
}

void jw_object_close(void)
{
	jw_close('}');
}

void jw_array_open(const char *key)
{
	jw_open(key, '[');
}

void jw_array_close(void)
{
	jw_close(']');
}

void jw_uint(const char *key, unsigned long long v)
{
	jw_member(key);
	printf("%llu", v);
}

void jw_int(const char *key, int v)
{
	jw_member(key);
	printf("%d", v);
}

void jw_bool(const char *key, int v)
{
	jw_member(key);
	fputs(v ? "true" : "false", stdout);
}

void jw_string(const char *key, const char *s)
{
	jw_member(key);
	json_string(s);
}

/* A number already validated as decimal digits (the event log's fields). */
void jw_number(const char *key, const char *digits)
{
	jw_member(key);
	fputs(digits, stdout);
}

void jw_null(const char *key)
{
	jw_member(key);
	fputs("null", stdout);
}
