/* import_out.c: how sbc-import writes sbc.conf: items, comments, and the bookkeeping of each ini row. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import.h"
#include "import_int.h"

/* Remember that row name of sbc.conf table tbl was written. */
void
imp_wrote(struct out *o, const char *tbl, const char *name)
{
	char **p = imp_grow(o->names, o->nnames, sizeof(*p));

	if (p == NULL || asprintf(&p[o->nnames], "%s/%s", tbl, name) < 0) {
		if (p != NULL)
			o->names = p;
		o->err = ENOMEM;
		return;
	}
	o->names = p;
	o->nnames++;
}

int
imp_was_written(const struct out *o, const char *tbl, const char *name)
{
	size_t tl = strlen(tbl);

	for (size_t i = 0; i < o->nnames; i++)
		if (strncmp(o->names[i], tbl, tl) == 0 && o->names[i][tl] == '/' &&
		    strcasecmp(o->names[i] + tl + 1, name) == 0)
			return 1;
	return 0;
}

void
imp_put(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vfprintf(o->f, fmt, ap) < 0)
		o->err = EIO;
	va_end(ap);
}

/*
 * A comment for something not carried over; counted.  Inside an item it
 * goes above the item's entry, so that it never lands inside a group.
 */
void
imp_note(struct out *o, int line, const char *fmt, ...)
{
	FILE	*fp = o->nf != NULL ? o->nf : o->f;
	va_list	 ap;

	va_start(ap, fmt);
	if (fprintf(fp, "  # ini line %d: ", line) < 0 || vfprintf(fp, fmt, ap) < 0 ||
	    fprintf(fp, "\n") < 0)
		o->err = EIO;
	va_end(ap);
	o->notes++;
}

/* A comment that explains a mapping (nothing is lost); above the entry too. */
void
imp_info(struct out *o, const char *fmt, ...)
{
	FILE	*fp = o->nf != NULL ? o->nf : o->f;
	va_list	 ap;

	va_start(ap, fmt);
	if (fprintf(fp, "  # ") < 0 || vfprintf(fp, fmt, ap) < 0 || fprintf(fp, "\n") < 0)
		o->err = EIO;
	va_end(ap);
}

/* A libconfig string: quoted, with '"' and '\' escaped. */
void
imp_qstr(struct out *o, const char *s)
{
	imp_put(o, "\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			imp_put(o, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			imp_put(o, "\\x%02x", (unsigned char)*s);
		else
			imp_put(o, "%c", *s);
	}
	imp_put(o, "\"");
}

void
imp_kv_str(struct out *o, const char *key, const char *v)
{
	imp_put(o, " %s = ", key);
	imp_qstr(o, v);
	imp_put(o, ";");
}

void
imp_item_begin(struct out *o)
{
	o->buf = o->nbuf = NULL;
	o->bufn = o->nbufn = 0;
	if ((o->f = open_memstream(&o->buf, &o->bufn)) == NULL ||
	    (o->nf = open_memstream(&o->nbuf, &o->nbufn)) == NULL) {
		o->err = ENOMEM;
		if (o->f != NULL)
			fclose(o->f);
		free(o->buf);
		o->f = o->file;
		o->nf = NULL;
	}
}

void
imp_item_end(struct out *o, struct sect *s, int elem)
{
	char		**t;
	unsigned char	 *e;

	char		 *all;

	if (o->f == o->file)
		return;
	if (fclose(o->f) != 0 || fclose(o->nf) != 0)
		o->err = ENOMEM;
	o->f = o->file;
	o->nf = NULL;
	if (o->err || asprintf(&all, "%s%s", o->nbuf, o->buf) < 0) {
		free(o->buf);
		free(o->nbuf);
		o->err = ENOMEM;
		return;
	}
	free(o->buf);
	free(o->nbuf);
	o->buf = all;
	if ((t = imp_grow(s->txt, s->n, sizeof(*t))) == NULL ||
	    (s->txt = t, (e = imp_grow(s->elem, s->n, 1)) == NULL)) {
		free(o->buf);
		o->err = ENOMEM;
		return;
	}
	s->elem = e;
	s->txt[s->n] = o->buf;
	s->elem[s->n++] = (unsigned char)elem;
	o->buf = NULL;
}

/* Write the items of s as "name = ( ... );", or only the comments. */
void
imp_sect_write(struct out *o, struct sect *s, const char *name, const char *title)
{
	size_t i, last = 0;
	int any = 0;

	for (i = 0; i < s->n; i++)
		if (s->elem[i]) {
			any = 1;
			last = i;
		}
	if (s->n == 0) {
		free(s->txt);
		free(s->elem);
		return;
	}
	imp_put(o, "\n# %s\n", title);
	if (any)
		imp_put(o, "%s = (\n", name);
	for (i = 0; i < s->n; i++) {
		imp_put(o, "%s", s->txt[i]);
		if (s->elem[i])
			imp_put(o, "%s\n", i < last ? "," : "");
		free(s->txt[i]);
	}
	if (any)
		imp_put(o, ");\n");
	free(s->txt);
	free(s->elem);
	memset(s, 0, sizeof(*s));
}

/* ===================================================================== */
/* Rows                                                                   */
/* ===================================================================== */

int
imp_rc_init(struct rc *c, struct out *o, const struct imp_table *t, const struct imp_row *r)
{
	c->o = o;
	c->t = t;
	c->r = r;
	c->name = "";
	if ((c->used = calloc(t->ncols + 1, 1)) == NULL) {
		o->err = ENOMEM;
		return -1;
	}
	return 0;
}

/* The value of col ("" when empty), NULL when the table has no such column. */
const char *
imp_get(struct rc *c, const char *col)
{
	long i = imp_col_index(c->t, col);

	if (i < 0)
		return NULL;
	c->used[i] = 1;
	return (size_t)i < c->r->nvals ? c->r->vals[i] : "";
}

/* The value of col, NULL when absent or empty. */
const char *
imp_val(struct rc *c, const char *col)
{
	const char *v = imp_get(c, col);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Integer value of col, or def when absent, empty or not a number. */
long
imp_ival(struct rc *c, const char *col, long def)
{
	const char	*v = imp_val(c, col);
	char		*end;
	long		 n;

	if (v == NULL)
		return def;
	n = strtol(v, &end, 10);
	return *end == '\0' ? n : def;
}

/*
 * col holds a value that means "feature off / not used" on the Mediant and
 * needs nothing in sbc.conf: vals is a '|'-separated list of such values.
 * Any other value is left for imp_rc_done() to report.
 */
void
imp_inert(struct rc *c, const char *col, const char *vals)
{
	long		 i = imp_col_index(c->t, col);
	const char	*v, *p = vals;
	size_t		 n;

	if (i < 0)
		return;
	v = (size_t)i < c->r->nvals ? c->r->vals[i] : "";
	while (*p != '\0') {
		n = strcspn(p, "|");
		if (strlen(v) == n && strncasecmp(v, p, n) == 0) {
			c->used[i] = 1;
			return;
		}
		p += n + (p[n] == '|');
	}
}

void
imp_rc_note(struct rc *c, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	imp_note(c->o, c->r->line, "%s %ld \"%s\": %s", c->t->name, c->r->index, c->name, msg);
}

/* Report every non-empty column nobody used, then forget the row. */
void
imp_rc_done(struct rc *c)
{
	for (size_t i = 0; i < c->t->ncols; i++) {
		const char *v = i < c->r->nvals ? c->r->vals[i] : "";

		if (!c->used[i] && *v != '\0')
			imp_rc_note(c, "%s = \"%s\" not carried over (no sbcd setting)",
			    c->t->cols[i], v);
	}
	if (c->r->nvals > c->t->ncols)
		imp_rc_note(c, "%zu value(s) beyond the FORMAT's %zu columns not carried over",
		    c->r->nvals - c->t->ncols, c->t->ncols);
	free(c->used);
	c->used = NULL;
}

/* Every column of the row, for a row that is not carried over at all. */
void
imp_rc_drop(struct rc *c, const char *why)
{
	imp_rc_note(c, "row not carried over: %s", why);
	for (size_t i = 0; i < c->t->ncols; i++)
		c->used[i] = 1;
	free(c->used);
	c->used = NULL;
}

const struct imp_table *
imp_table(struct out *o, const char *name)
{
	const struct imp_table *t = imp_table_find(o->ini, name);

	if (t != NULL)
		o->tb_used[t - o->ini->tables] = 1;
	return t;
}

/* A scalar parameter, marked as carried over. */
const char *
imp_scalar(struct out *o, const char *key, int *line)
{
	for (size_t i = o->ini->nscalars; i > 0; i--)
		if (strcasecmp(o->ini->scalars[i - 1].key, key) == 0) {
			o->sc_used[i - 1] = 1;
			if (line != NULL)
				*line = o->ini->scalars[i - 1].line;
			return o->ini->scalars[i - 1].val;
		}
	return NULL;
}

int
imp_is_any(const char *v)
{
	return v == NULL || *v == '\0' || strcmp(v, "*") == 0 || strcasecmp(v, "any") == 0;
}

/* The Name (column namecol) of the row of t whose index or name is ref. */
const char *
imp_row_name(const struct imp_table *t, const char *namecol, const char *ref)
{
	char *end;
	long  n;

	if (t == NULL || ref == NULL || *ref == '\0')
		return NULL;
	n = strtol(ref, &end, 10);
	for (size_t i = 0; i < t->nrows; i++) {
		const char *nm = imp_row_get(t, &t->rows[i], namecol);

		if (nm == NULL)
			continue;
		if ((*end == '\0' && t->rows[i].index == n) || strcasecmp(nm, ref) == 0)
			return nm;
	}
	return NULL;
}

long
imp_row_long(const struct imp_table *t, const struct imp_row *r, const char *col, long def)
{
	const char	*v = imp_row_get(t, r, col);
	char		*end;
	long		 n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtol(v, &end, 10);
	return *end == '\0' ? n : def;
}

void
imp_set_written(struct out *o, long id)
{
	long *p = imp_grow(o->sets, o->nsets, sizeof(*p));

	if (p == NULL) {
		o->err = ENOMEM;
		return;
	}
	o->sets = p;
	o->sets[o->nsets++] = id;
}

int
imp_set_was_written(const struct out *o, long id)
{
	for (size_t i = 0; i < o->nsets; i++)
		if (o->sets[i] == id)
			return 1;
	return 0;
}
