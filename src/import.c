/* import.c: the AudioCodes Mediant ini parser of sbc-import (the mapping is in import_map.c). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import.h"
#include "import_int.h"

/* ===================================================================== */
/* Parser                                                                 */
/* ===================================================================== */

static char *
dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Make room for one more element of size sz in arr (n elements), zeroed. */
void *
imp_grow(void *arr, size_t n, size_t sz)
{
	void *p = realloc(arr, (n + 1) * sz);

	if (p != NULL)
		memset((char *)p + n * sz, 0, sz);
	return p;
}

/* trim: the span of s[0..n) without blanks at both ends. */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* One value: quotes removed, "$$" is empty. */
static char *
value_dup(const char *s, size_t n)
{
	trim(&s, &n);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	if (n == 2 && s[0] == '$' && s[1] == '$')
		n = 0;
	return dupn(s, n);
}

/*
 * Split s[0..n) at commas outside double quotes, up to a ';' outside quotes.
 * Returns 0 or ENOMEM; *valsp and *nvalsp get the values.
 */
static int
split_values(const char *s, size_t n, char ***valsp, size_t *nvalsp)
{
	char	**vals = NULL, *v, **nv;
	size_t	  nvals = 0, start = 0, i;
	int	  inq = 0, end = 0;

	for (i = 0; i <= n && !end; i++) {
		if (i < n && s[i] == '"')
			inq = !inq;
		if (i < n && (inq || (s[i] != ',' && s[i] != ';')))
			continue;
		if (i < n && s[i] == ';')
			end = 1;
		if ((v = value_dup(s + start, i - start)) == NULL)
			goto nomem;
		if ((nv = imp_grow(vals, nvals, sizeof(*vals))) == NULL) {
			free(v);
			goto nomem;
		}
		vals = nv;
		vals[nvals++] = v;
		start = i + 1;
	}
	*valsp = vals;
	*nvalsp = nvals;
	return 0;
 nomem:
	while (nvals > 0)
		free(vals[--nvals]);
	free(vals);
	return ENOMEM;
}

static void
free_values(char **vals, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(vals[i]);
	free(vals);
}

static int
add_bad(struct imp_ini *ini, int line, const char *s, size_t n, const char *why)
{
	struct imp_bad *b;

	if ((b = imp_grow(ini->bad, ini->nbad, sizeof(*b))) == NULL)
		return ENOMEM;
	ini->bad = b;
	b = &ini->bad[ini->nbad];
	b->line = line;
	if ((b->text = dupn(s, n)) == NULL || (b->why = strdup(why)) == NULL) {
		free(b->text);
		return ENOMEM;
	}
	ini->nbad++;
	return 0;
}

/* "[ Name ]" or "[ \Name ]"; cur is the open table's index or -1. */
static int
parse_section(struct imp_ini *ini, int line, const char *s, size_t n, long *cur)
{
	const char	*in = s + 1;
	size_t		 m = n - 2, k;
	struct imp_table *t;

	trim(&in, &m);
	if (m > 0 && in[0] == '\\') {
		in++;
		m--;
		trim(&in, &m);
		if (*cur >= 0 && strlen(ini->tables[*cur].name) == m &&
		    strncasecmp(ini->tables[*cur].name, in, m) == 0) {
			*cur = -1;
			return 0;
		}
		return add_bad(ini, line, s, n, "closes a table that is not open");
	}
	for (k = 0; k < m; k++)
		if (isspace((unsigned char)in[k]))
			break;
	if (*cur >= 0) {
		int err = add_bad(ini, line, s, n, "the table before it was not closed");

		*cur = -1;
		if (err)
			return err;
	}
	if (m == 0 || k < m)	/* "[SIP Params]": a label for scalars */
		return 0;
	if ((t = imp_grow(ini->tables, ini->ntables, sizeof(*t))) == NULL)
		return ENOMEM;
	ini->tables = t;
	t = &ini->tables[ini->ntables];
	if ((t->name = dupn(in, m)) == NULL)
		return ENOMEM;
	t->line = line;
	*cur = (long)ini->ntables++;
	return 0;
}

static int
parse_format(struct imp_table *t, const char *rhs, size_t n)
{
	size_t tl = strlen(t->name);
	int err;

	if ((err = split_values(rhs, n, &t->cols, &t->ncols)) != 0)
		return err;
	for (size_t i = 0; i < t->ncols; i++) {
		char *c = t->cols[i];

		/* older exports: "FORMAT IPGroup_Index = IPGroup_Type, ..." */
		if (strncasecmp(c, t->name, tl) == 0 && c[tl] == '_')
			memmove(c, c + tl + 1, strlen(c + tl + 1) + 1);
	}
	return 0;
}

static int
parse_row(struct imp_table *t, int line, long index, const char *rhs, size_t n)
{
	struct imp_row *r;

	if ((r = imp_grow(t->rows, t->nrows, sizeof(*r))) == NULL)
		return ENOMEM;
	t->rows = r;
	r = &t->rows[t->nrows];
	r->index = index;
	r->line = line;
	if (split_values(rhs, n, &r->vals, &r->nvals) != 0)
		return ENOMEM;
	t->nrows++;
	return 0;
}

/* "Word N" with N an integer: the table name and the index. */
static int
row_lhs(const char *s, size_t n, size_t *namelen, long *index)
{
	size_t	 k = 0;
	char	 num[24], *end;

	while (k < n && !isspace((unsigned char)s[k]))
		k++;
	if (k == 0 || k == n)
		return 0;
	*namelen = k;
	while (k < n && isspace((unsigned char)s[k]))
		k++;
	if (n - k == 0 || n - k >= sizeof(num))
		return 0;
	memcpy(num, s + k, n - k);
	num[n - k] = '\0';
	*index = strtol(num, &end, 10);
	return *end == '\0';
}

static int
parse_line(struct imp_ini *ini, int line, const char *s, size_t n, long *cur)
{
	const char	*lhs, *rhs;
	size_t		 ln, rn, eq, namelen;
	long		 index;
	int		 inq = 0;

	trim(&s, &n);
	if (n == 0 || s[0] == ';' || s[0] == '#')
		return 0;
	if (s[0] == '[' && s[n - 1] == ']')
		return parse_section(ini, line, s, n, cur);
	for (eq = 0; eq < n; eq++) {
		if (s[eq] == '"')
			inq = !inq;
		else if (s[eq] == '=' && !inq)
			break;
	}
	if (eq == n)
		return add_bad(ini, line, s, n, "neither a parameter, a FORMAT line nor a table row");
	lhs = s;
	ln = eq;
	trim(&lhs, &ln);
	rhs = s + eq + 1;
	rn = n - eq - 1;
	trim(&rhs, &rn);
	if (ln > 7 && strncasecmp(lhs, "FORMAT", 6) == 0 && isspace((unsigned char)lhs[6])) {
		if (*cur < 0)
			return add_bad(ini, line, s, n, "FORMAT outside a table");
		if (ini->tables[*cur].cols != NULL)
			return add_bad(ini, line, s, n, "a second FORMAT line in this table");
		return parse_format(&ini->tables[*cur], rhs, rn);
	}
	if (row_lhs(lhs, ln, &namelen, &index)) {
		struct imp_table *t = *cur >= 0 ? &ini->tables[*cur] : NULL;

		if (t == NULL || strlen(t->name) != namelen ||
		    strncasecmp(t->name, lhs, namelen) != 0)
			return add_bad(ini, line, s, n, "a table row outside its [ table ] section");
		if (t->cols == NULL)
			return add_bad(ini, line, s, n, "a table row before the table's FORMAT line");
		return parse_row(t, line, index, rhs, rn);
	}
	for (size_t k = 0; k < ln; k++)
		if (isspace((unsigned char)lhs[k]))
			return add_bad(ini, line, s, n, "a parameter name with spaces");
	{
		struct imp_scalar *sc;

		if ((sc = imp_grow(ini->scalars, ini->nscalars, sizeof(*sc))) == NULL)
			return ENOMEM;
		ini->scalars = sc;
		sc = &ini->scalars[ini->nscalars];
		sc->line = line;
		if ((sc->key = dupn(lhs, ln)) == NULL)
			return ENOMEM;
		if (rn > 0 && rhs[rn - 1] == ';')
			rn--;
		if ((sc->val = value_dup(rhs, rn)) == NULL) {
			free(sc->key);
			return ENOMEM;
		}
		rn = strlen(sc->val);	/* scalars quote strings with ' */
		if (rn >= 2 && sc->val[0] == '\'' && sc->val[rn - 1] == '\'') {
			memmove(sc->val, sc->val + 1, rn - 2);
			sc->val[rn - 2] = '\0';
		}
		ini->nscalars++;
	}
	return 0;
}

int
imp_ini_parse(const char *text, size_t len, struct imp_ini **inip)
{
	struct imp_ini	*ini;
	size_t		 pos = 0;
	long		 cur = -1;
	int		 line = 0, err = 0;

	if ((ini = calloc(1, sizeof(*ini))) == NULL)
		return ENOMEM;
	while (pos < len && err == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;

		line++;
		err = parse_line(ini, line, text + pos, n, &cur);
		pos += n + 1;
	}
	if (err == 0 && cur >= 0) {
		const char *name = ini->tables[cur].name;

		err = add_bad(ini, ini->tables[cur].line, name, strlen(name),
		    "this table is never closed");
	}
	if (err) {
		imp_ini_free(ini);
		return err;
	}
	*inip = ini;
	return 0;
}

void
imp_ini_free(struct imp_ini *ini)
{
	if (ini == NULL)
		return;
	for (size_t i = 0; i < ini->ntables; i++) {
		struct imp_table *t = &ini->tables[i];

		free(t->name);
		free_values(t->cols, t->ncols);
		for (size_t j = 0; j < t->nrows; j++)
			free_values(t->rows[j].vals, t->rows[j].nvals);
		free(t->rows);
	}
	free(ini->tables);
	for (size_t i = 0; i < ini->nscalars; i++) {
		free(ini->scalars[i].key);
		free(ini->scalars[i].val);
	}
	free(ini->scalars);
	for (size_t i = 0; i < ini->nbad; i++) {
		free(ini->bad[i].text);
		free(ini->bad[i].why);
	}
	free(ini->bad);
	free(ini);
}

const struct imp_table *
imp_table_find(const struct imp_ini *ini, const char *name)
{
	for (size_t i = 0; i < ini->ntables; i++)
		if (strcasecmp(ini->tables[i].name, name) == 0)
			return &ini->tables[i];
	return NULL;
}

const char *
imp_scalar_get(const struct imp_ini *ini, const char *key)
{
	for (size_t i = ini->nscalars; i > 0; i--)	/* the last one wins */
		if (strcasecmp(ini->scalars[i - 1].key, key) == 0)
			return ini->scalars[i - 1].val;
	return NULL;
}

long
imp_col_index(const struct imp_table *t, const char *col)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcasecmp(t->cols[i], col) == 0)
			return (long)i;
	return -1;
}

const char *
imp_row_get(const struct imp_table *t, const struct imp_row *r, const char *col)
{
	long i = imp_col_index(t, col);

	if (i < 0)
		return NULL;
	return (size_t)i < r->nvals ? r->vals[i] : "";
}

