/* import_int.h: helpers shared by the parser and the mapper of sbc-import (not a public API). */
#ifndef SBCD_IMPORT_INT_H
#define SBCD_IMPORT_INT_H

#include <stddef.h>
#include <stdio.h>

#include "import.h"

/* Make room for one more element of size sz after the n of arr; the new
 * element is zeroed.  Returns the new array, or NULL (arr is untouched). */
void *imp_grow(void *arr, size_t n, size_t sz);
/* The index of column col in t's FORMAT (case-insensitive), or -1. */
long imp_col_index(const struct imp_table *t, const char *col);

/*
 * A table of sbc.conf is written as a list of items; an item is a row that
 * was carried over (with the comments that belong to it) or only comments
 * (a row that was not).  Items are collected first so that the commas
 * between elements can be placed after each "}".
 */
struct sect {
	char		**txt;
	unsigned char	 *elem;
	size_t		  n;
};

struct out {
	FILE			*f;	/* where imp_put() writes: the file or an item */
	FILE			*file;
	const struct imp_ini	*ini;
	const struct imp_opts	*opts;
	unsigned		 notes;
	int			 err;
	unsigned char		*sc_used;	/* per scalar */
	unsigned char		*tb_used;	/* per table */
	char			*buf;		/* the item being written */
	size_t			 bufn;
	FILE			*nf;		/* its comments, written before it */
	char			*nbuf;
	size_t			 nbufn;
	long			*sets;		/* ManSetIDs written as "MS-<id>" */
	size_t			 nsets;
	char			**names;	/* "table/name" of every row written */
	size_t			 nnames;
};

/* One ini row being mapped: which of its columns were used. */
struct rc {
	struct out		*o;
	const struct imp_table	*t;
	const struct imp_row	*r;
	unsigned char		*used;
	const char		*name;	/* the row's name, for messages */
};

/* Output (import_out.c).  put writes to the current item (or the file);
 * note writes a counted "# ini line N:" comment and info an uncounted one,
 * both above the current item's entry. */
void imp_put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void imp_note(struct out *o, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void imp_info(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void imp_qstr(struct out *o, const char *s);		/* a quoted libconfig string */
void imp_kv_str(struct out *o, const char *key, const char *v);	/* " key = "v";" */
void imp_item_begin(struct out *o);
void imp_item_end(struct out *o, struct sect *s, int elem);	/* elem: an entry, not only comments */
void imp_sect_write(struct out *o, struct sect *s, const char *name, const char *title);

/* Rows: every column read through imp_get/imp_val/imp_ival, or declared
 * imp_inert at its "off" value, counts as used; imp_rc_done reports the
 * rest, imp_rc_drop reports the whole row. */
int imp_rc_init(struct rc *c, struct out *o, const struct imp_table *t, const struct imp_row *r);
const char *imp_get(struct rc *c, const char *col);	/* NULL: no such column */
const char *imp_val(struct rc *c, const char *col);	/* NULL: no column or empty */
long imp_ival(struct rc *c, const char *col, long def);
void imp_inert(struct rc *c, const char *col, const char *vals);	/* "a|b|c" */
void imp_rc_note(struct rc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void imp_rc_done(struct rc *c);
void imp_rc_drop(struct rc *c, const char *why);

/* Lookups that mark what they touch as used. */
const struct imp_table *imp_table(struct out *o, const char *name);
const char *imp_scalar(struct out *o, const char *key, int *line);

/* Plain lookups. */
int imp_is_any(const char *v);		/* empty, "*" or "Any" */
const char *imp_row_name(const struct imp_table *t, const char *namecol, const char *ref);
long imp_row_long(const struct imp_table *t, const struct imp_row *r, const char *col, long def);

/* What was written, for the references of later tables. */
void imp_wrote(struct out *o, const char *tbl, const char *name);
int imp_was_written(const struct out *o, const char *tbl, const char *name);
void imp_set_written(struct out *o, long id);
int imp_set_was_written(const struct out *o, long id);

#endif
