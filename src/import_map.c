/* import_map.c: the AudioCodes tables of an ini export written as sbc.conf tables. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import.h"
#include "import_int.h"
#include "version.h"

/* ===================================================================== */
/* Output                                                                 */
/* ===================================================================== */

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
	FILE			*f;	/* where put() writes: the file or an item */
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

/* Remember that row name of sbc.conf table tbl was written. */
static void
wrote(struct out *o, const char *tbl, const char *name)
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

static int
was_written(const struct out *o, const char *tbl, const char *name)
{
	size_t tl = strlen(tbl);

	for (size_t i = 0; i < o->nnames; i++)
		if (strncmp(o->names[i], tbl, tl) == 0 && o->names[i][tl] == '/' &&
		    strcasecmp(o->names[i] + tl + 1, name) == 0)
			return 1;
	return 0;
}

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct out *o, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void info(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
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
static void
note(struct out *o, int line, const char *fmt, ...)
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
static void
info(struct out *o, const char *fmt, ...)
{
	FILE	*fp = o->nf != NULL ? o->nf : o->f;
	va_list	 ap;

	va_start(ap, fmt);
	if (fprintf(fp, "  # ") < 0 || vfprintf(fp, fmt, ap) < 0 || fprintf(fp, "\n") < 0)
		o->err = EIO;
	va_end(ap);
}

/* A libconfig string: quoted, with '"' and '\' escaped. */
static void
qstr(struct out *o, const char *s)
{
	put(o, "\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			put(o, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			put(o, "\\x%02x", (unsigned char)*s);
		else
			put(o, "%c", *s);
	}
	put(o, "\"");
}

static void
kv_str(struct out *o, const char *key, const char *v)
{
	put(o, " %s = ", key);
	qstr(o, v);
	put(o, ";");
}

static void
item_begin(struct out *o)
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

static void
item_end(struct out *o, struct sect *s, int elem)
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
static void
sect_write(struct out *o, struct sect *s, const char *name, const char *title)
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
	put(o, "\n# %s\n", title);
	if (any)
		put(o, "%s = (\n", name);
	for (i = 0; i < s->n; i++) {
		put(o, "%s", s->txt[i]);
		if (s->elem[i])
			put(o, "%s\n", i < last ? "," : "");
		free(s->txt[i]);
	}
	if (any)
		put(o, ");\n");
	free(s->txt);
	free(s->elem);
	memset(s, 0, sizeof(*s));
}

/* ===================================================================== */
/* Rows                                                                   */
/* ===================================================================== */

/* One ini row being mapped: which of its columns were used. */
struct rc {
	struct out		*o;
	const struct imp_table	*t;
	const struct imp_row	*r;
	unsigned char		*used;
	const char		*name;	/* the row's name, for messages */
};

static int
rc_init(struct rc *c, struct out *o, const struct imp_table *t, const struct imp_row *r)
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
static const char *
get(struct rc *c, const char *col)
{
	long i = imp_col_index(c->t, col);

	if (i < 0)
		return NULL;
	c->used[i] = 1;
	return (size_t)i < c->r->nvals ? c->r->vals[i] : "";
}

/* The value of col, NULL when absent or empty. */
static const char *
val(struct rc *c, const char *col)
{
	const char *v = get(c, col);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Integer value of col, or def when absent, empty or not a number. */
static long
ival(struct rc *c, const char *col, long def)
{
	const char	*v = val(c, col);
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
 * Any other value is left for rc_done() to report.
 */
static void
inert(struct rc *c, const char *col, const char *vals)
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

static void rc_note(struct rc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
rc_note(struct rc *c, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	note(c->o, c->r->line, "%s %ld \"%s\": %s", c->t->name, c->r->index, c->name, msg);
}

/* Report every non-empty column nobody used, then forget the row. */
static void
rc_done(struct rc *c)
{
	for (size_t i = 0; i < c->t->ncols; i++) {
		const char *v = i < c->r->nvals ? c->r->vals[i] : "";

		if (!c->used[i] && *v != '\0')
			rc_note(c, "%s = \"%s\" not carried over (no sbcd setting)",
			    c->t->cols[i], v);
	}
	if (c->r->nvals > c->t->ncols)
		rc_note(c, "%zu value(s) beyond the FORMAT's %zu columns not carried over",
		    c->r->nvals - c->t->ncols, c->t->ncols);
	free(c->used);
	c->used = NULL;
}

/* Every column of the row, for a row that is not carried over at all. */
static void
rc_drop(struct rc *c, const char *why)
{
	rc_note(c, "row not carried over: %s", why);
	for (size_t i = 0; i < c->t->ncols; i++)
		c->used[i] = 1;
	free(c->used);
	c->used = NULL;
}

static const struct imp_table *
table(struct out *o, const char *name)
{
	const struct imp_table *t = imp_table_find(o->ini, name);

	if (t != NULL)
		o->tb_used[t - o->ini->tables] = 1;
	return t;
}

/* A scalar parameter, marked as carried over. */
static const char *
scalar(struct out *o, const char *key, int *line)
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

static int
is_any(const char *v)
{
	return v == NULL || *v == '\0' || strcmp(v, "*") == 0 || strcasecmp(v, "any") == 0;
}

/* The Name (column namecol) of the row of t whose index or name is ref. */
static const char *
row_name(const struct imp_table *t, const char *namecol, const char *ref)
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

/* ===================================================================== */
/* Tables                                                                 */
/* ===================================================================== */

/* IP Interfaces (InterfaceTable) and their NAT translation -> ip_interfaces */
static void
map_interfaces(struct out *o)
{
	const struct imp_table	*t = table(o, "InterfaceTable"), *nat = table(o, "NATTranslation");
	unsigned char		*nat_used = NULL;
	struct sect		 s = { 0 };
	struct rc		 c;

	if (nat != NULL && (nat_used = calloc(nat->nrows + 1, 1)) == NULL) {
		o->err = ENOMEM;
		return;
	}
	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char *name, *addr;

		item_begin(o);
		if (rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = val(&c, "InterfaceName");
		c.name = name != NULL ? name : "";
		addr = val(&c, "IPAddress");
		if (ival(&c, "ApplicationTypes", 6) == 0) {
			rc_drop(&c, "a management-only (OAMP) interface; sbcd is managed through sbcctl");
			item_end(o, &s, 0);
			continue;
		}
		if (name == NULL || addr == NULL) {
			rc_drop(&c, "no InterfaceName or no IPAddress");
			item_end(o, &s, 0);
			continue;
		}
		inert(&c, "InterfaceMode", "3|4|5|6|7|10");
		info(o, "IP Interfaces row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		for (const char *const *f = (const char *const[]){ "PrefixLength", "Gateway",
		    "PrimaryDNSServerIPAddress", "SecondaryDNSServerIPAddress", "UnderlyingDevice",
		    "VlanID", NULL }; *f != NULL; f++) {
			const char *v = val(&c, *f);

			if (v != NULL && strcmp(v, "0.0.0.0") != 0)
				rc_note(&c, "%s = \"%s\" belongs in the host's network configuration, not in sbc.conf",
				    *f, v);
		}
		put(o, "  {");
		kv_str(o, "name", name);
		kv_str(o, "address", addr);
		for (size_t j = 0; nat != NULL && j < nat->nrows; j++) {
			const char *src = imp_row_get(nat, &nat->rows[j], "SrcIPInterfaceName");
			const char *tgt = imp_row_get(nat, &nat->rows[j], "TargetIPAddress");

			if (src == NULL || tgt == NULL || *tgt == '\0' || strcasecmp(src, name) != 0 ||
			    nat_used[j])
				continue;
			nat_used[j] = 1;
			kv_str(o, "public_address", tgt);
		}
		put(o, " }");
		rc_done(&c);
		item_end(o, &s, 1);
	}
	/* NAT rows: the port ranges have no sbcd setting; unmatched rows none at all */
	for (size_t j = 0; nat != NULL && j < nat->nrows; j++) {
		if (rc_init(&c, o, nat, &nat->rows[j]) != 0)
			break;
		item_begin(o);
		c.name = get(&c, "SrcIPInterfaceName") != NULL ? get(&c, "SrcIPInterfaceName") : "";
		if (!nat_used[j]) {
			rc_drop(&c, "no IP interface of that name (or a second translation for it)");
			item_end(o, &s, 0);
			continue;
		}
		get(&c, "TargetIPAddress");
		inert(&c, "SourceStartPort", "0|1");
		inert(&c, "SourceEndPort", "0|65535");
		inert(&c, "TargetStartPort", "0|1");
		inert(&c, "TargetEndPort", "0|65535");
		rc_done(&c);
		item_end(o, &s, 0);
	}
	free(nat_used);
	sect_write(o, &s, "ip_interfaces", "IP Interfaces (InterfaceTable, NATTranslation)");
}

/* Media Realms (CpMediaRealm) -> media_realms */
static void
map_realms(struct out *o)
{
	const struct imp_table	*t = table(o, "CpMediaRealm");
	struct sect		 s = { 0 };
	struct rc		 c;
	int			 spline = 0;
	const char		*spv = scalar(o, "UdpPortSpacing", &spline);

	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char	*name, *ifn;
		long		 start, legs, end, sp = 0;

		item_begin(o);
		if (rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = val(&c, "MediaRealmName");
		c.name = name != NULL ? name : "";
		ifn = val(&c, "IPv4IF");
		start = ival(&c, "PortRangeStart", -1);
		legs = ival(&c, "MediaSessionLeg", -1);
		end = ival(&c, "PortRangeEnd", -1);
		if (name == NULL || ifn == NULL || start < 0 || legs <= 0) {
			rc_drop(&c, "needs MediaRealmName, IPv4IF, PortRangeStart and MediaSessionLeg"
			    " (an IPv6-only realm is not carried over)");
			item_end(o, &s, 0);
			continue;
		}
		inert(&c, "IsDefault", "0|1");	/* used by the SIP interfaces */
		inert(&c, "TCPPortRangeStart", "0");
		inert(&c, "TCPPortRangeEnd", "0");
		inert(&c, "TopologyLocation", "0");
		inert(&c, "UsedByRoutingServer", "0");
		info(o, "Media Realms row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		if (end > start && (end - start + 1) % legs == 0)
			sp = (end - start + 1) / legs;
		else if (spv != NULL)
			sp = atol(spv);
		if (sp < 2 || sp > 10 || sp % 2 != 0) {
			long was = sp;

			sp = 4;
			if (was != 0)
				rc_note(&c, "port spacing %ld: sbcd needs an even spacing of 2 to 10; "
				    "4 is used, the range ends at %ld", was, start + legs * sp - 1);
		}
		put(o, "  {");
		kv_str(o, "name", name);
		kv_str(o, "interface", ifn);
		put(o, " port_start = %ld; session_legs = %ld; port_spacing = %ld; }", start, legs, sp);
		rc_done(&c);
		item_end(o, &s, 1);
	}
	sect_write(o, &s, "media_realms", "Media Realms (CpMediaRealm)");
}

/* SRDs (SRD) -> srds */
static void
map_srds(struct out *o)
{
	const struct imp_table	*t = table(o, "SRD");
	struct sect		 s = { 0 };
	struct rc		 c;

	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char *name;

		item_begin(o);
		if (rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = val(&c, "Name");
		c.name = name != NULL ? name : "";
		if (name == NULL) {
			rc_drop(&c, "no Name");
			item_end(o, &s, 0);
			continue;
		}
		inert(&c, "BlockUnRegUsers", "-1|0");
		inert(&c, "MaxNumOfRegUsers", "-1");
		inert(&c, "EnableUnAuthenticatedRegistrations", "-1|0|1");
		inert(&c, "SharingPolicy", "0");
		inert(&c, "UsedByRoutingServer", "0");
		inert(&c, "SBCOperationMode", "0");
		inert(&c, "SBCRegisteredUsersClassificationMethod", "0");
		info(o, "SRDs row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		put(o, "  {");
		kv_str(o, "name", name);
		put(o, " }");
		rc_done(&c);
		item_end(o, &s, 1);
	}
	sect_write(o, &s, "srds", "SRDs (SRD)");
}

/* The TLS context a SIP interface row uses: its TLSContext, else row 0's name. */
static const char *
sipif_tls_context(const struct imp_ini *ini, const struct imp_table *t, const struct imp_row *r)
{
	const char		*v = imp_row_get(t, r, "TLSContext");
	const struct imp_table	*tc = imp_table_find(ini, "TLSContexts");

	if (v != NULL && *v != '\0')
		return row_name(tc, "Name", v) != NULL ? row_name(tc, "Name", v) : v;
	return row_name(tc, "Name", "0") != NULL ? row_name(tc, "Name", "0") : "default";
}

static long
row_long(const struct imp_table *t, const struct imp_row *r, const char *col, long def)
{
	const char	*v = imp_row_get(t, r, col);
	char		*end;
	long		 n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtol(v, &end, 10);
	return *end == '\0' ? n : def;
}

/* A TLS context is written when a SIP interface listens on TLS with it or a proxy set names it. */
static int
tls_referenced(const struct imp_ini *ini, const char *name)
{
	const struct imp_table *si = imp_table_find(ini, "SIPInterface");
	const struct imp_table *ps = imp_table_find(ini, "ProxySet");

	for (size_t i = 0; si != NULL && i < si->nrows; i++)
		if (row_long(si, &si->rows[i], "TLSPort", 0) > 0 &&
		    row_long(si, &si->rows[i], "ApplicationType", 2) == 2 &&
		    strcasecmp(sipif_tls_context(ini, si, &si->rows[i]), name) == 0)
			return 1;
	for (size_t i = 0; ps != NULL && i < ps->nrows; i++) {
		const char *v = imp_row_get(ps, &ps->rows[i], "TLSContextName");

		if (v != NULL && *v != '\0' && strcasecmp(v, name) == 0)
			return 1;
	}
	return 0;
}

/* TLS Contexts (TLSContexts) -> tls_contexts, with the files from the options */
static void
map_tls(struct out *o)
{
	const struct imp_table	*t = table(o, "TLSContexts");
	struct sect		 s = { 0 };
	struct rc		 c;
	int			 vline = 0;
	const char		*vsc = scalar(o, "VerifyServerCertificate", &vline);
	const char		*dir = o->opts->tls_dir != NULL ? o->opts->tls_dir : "/etc/sbcd/tls";

	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const struct imp_tls_files	*tf = NULL;
		const char			*name, *cs, *ss;
		long				 ver;

		item_begin(o);
		if (rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = val(&c, "Name");
		c.name = name != NULL ? name : "";
		if (name == NULL || !tls_referenced(o->ini, name)) {
			rc_drop(&c, "no TLS listener and no proxy set uses this context");
			item_end(o, &s, 0);
			continue;
		}
		for (size_t k = 0; k < o->opts->ntls; k++)
			if (strcasecmp(o->opts->tls[k].context, name) == 0)
				tf = &o->opts->tls[k];
		info(o, "TLS Contexts row %ld (ini line %d): an ini export holds no certificate;\n"
		    "  # export the context's certificate, key and trusted roots to these files",
		    t->rows[i].index, t->rows[i].line);
		put(o, "  {");
		kv_str(o, "name", name);
		put(o, "\n   ");
		if (tf != NULL) {
			kv_str(o, "certificate", tf->certificate);
			kv_str(o, "private_key", tf->private_key);
			if (tf->ca_file != NULL)
				kv_str(o, "ca_file", tf->ca_file);
		} else {
			put(o, " certificate = \"%s/%s.crt\"; private_key = \"%s/%s.key\";"
			    " ca_file = \"%s/%s-roots.pem\";", dir, name, dir, name, dir, name);
		}
		put(o, "\n   ");
		ver = ival(&c, "TLSVersion", 0);
		if ((ver & 3) != 0 || ver == 0)
			put(o, " min_version = \"TLSv1.2\";");
		else
			put(o, " min_version = \"%s\";", (ver & 4) ? "TLSv1.2" : "TLSv1.3");
		if ((ver & 3) != 0 || ver == 0)
			rc_note(&c, "TLSVersion = %ld allows versions below TLS 1.2; sbcd never does", ver);
		if (vsc != NULL && strcmp(vsc, "1") == 0)
			put(o, " verify = \"chain\";");
		else {
			put(o, " verify = \"none\";");
			info(o, "verify = \"none\" as on the Mediant (VerifyServerCertificate off);"
			    " \"name\" is safer");
		}
		cs = val(&c, "ClientCipherString");
		ss = val(&c, "ServerCipherString");
		if (cs != NULL && strcasecmp(cs, "DEFAULT") == 0)
			cs = NULL;
		if (ss != NULL && strcasecmp(ss, "DEFAULT") == 0)
			ss = NULL;
		if (cs != NULL || ss != NULL) {
			put(o, "\n   ");
			kv_str(o, "ciphers", cs != NULL ? cs : ss);
			if (cs != NULL && ss != NULL && strcmp(cs, ss) != 0)
				rc_note(&c, "ServerCipherString = \"%s\" not carried over: sbcd has one"
				    " cipher list (ClientCipherString's)", ss);
		}
		put(o, " }");
		inert(&c, "DTLSVersion", "0");
		inert(&c, "RequireStrictCert", "0");
		inert(&c, "OcspEnable", "0");
		inert(&c, "TlsRenegotiation", "0|1");
		inert(&c, "MiddleboxCompatMode", "0");
		inert(&c, "OcspServerPort", "2560");
		inert(&c, "OcspDefaultResponse", "0");
		inert(&c, "ServerCipherTLS13String", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256");
		inert(&c, "ClientCipherTLS13String", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256");
		rc_done(&c);
		item_end(o, &s, 1);
	}
	sect_write(o, &s, "tls_contexts", "TLS Contexts (TLSContexts)");
}

/* The media realm with IsDefault = 1, else the first one. */
static const char *
default_realm(const struct imp_ini *ini)
{
	const struct imp_table *t = imp_table_find(ini, "CpMediaRealm");

	if (t == NULL || t->nrows == 0)
		return NULL;
	for (size_t i = 0; i < t->nrows; i++)
		if (row_long(t, &t->rows[i], "IsDefault", 0) == 1)
			return imp_row_get(t, &t->rows[i], "MediaRealmName");
	return imp_row_get(t, &t->rows[0], "MediaRealmName");
}

/* SIP Interfaces (SIPInterface) -> sip_interfaces */
static void
map_sipifs(struct out *o)
{
	const struct imp_table	*t = table(o, "SIPInterface");
	struct sect		 s = { 0 };
	struct rc		 c;

	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char	*name, *ifn, *srd, *mr;
		long		 udp, tcp, tls, app, cfr;

		item_begin(o);
		if (rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = val(&c, "InterfaceName");
		c.name = name != NULL ? name : "";
		ifn = val(&c, "NetworkInterface");
		app = ival(&c, "ApplicationType", 2);
		if (app != 2) {
			rc_drop(&c, "ApplicationType is not SBC (2); sbcd is an SBC only");
			item_end(o, &s, 0);
			continue;
		}
		if (name == NULL || ifn == NULL) {
			rc_drop(&c, "no InterfaceName or NetworkInterface");
			item_end(o, &s, 0);
			continue;
		}
		info(o, "SIP Interfaces row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		udp = ival(&c, "UDPPort", 0);
		tcp = ival(&c, "TCPPort", 0);
		tls = ival(&c, "TLSPort", 0);
		srd = val(&c, "SRDName");
		mr = val(&c, "MediaRealm");
		if (mr == NULL) {
			mr = default_realm(o->ini);
			if (mr != NULL)
				info(o, "no MediaRealm: the default realm, as on the Mediant");
		}
		put(o, "  {");
		kv_str(o, "name", name);
		kv_str(o, "interface", ifn);
		if (srd != NULL)
			kv_str(o, "srd", srd);
		put(o, "\n   ");
		if (udp > 0)
			put(o, " udp_port = %ld;", udp);
		if (tcp > 0)
			put(o, " tcp_port = %ld;", tcp);
		if (tls > 0)
			put(o, " tls_port = %ld;", tls);
		if (mr != NULL)
			kv_str(o, "media_realm", mr);
		if (tls > 0) {
			get(&c, "TLSContext");
			kv_str(o, "tls_context", sipif_tls_context(o->ini, t, &t->rows[i]));
		} else {
			inert(&c, "TLSContext", "default|0");
		}
		cfr = ival(&c, "ClassificationFailureResponseType", 500);
		if (cfr < 0 || cfr > 699)
			rc_note(&c, "ClassificationFailureResponseType = %ld: not a SIP code; sbcd answers 403", cfr);
		else
			put(o, "\n    classification_failure_response = %ld;", cfr);
		put(o, " }");
		inert(&c, "SBCDirectMedia", "0");
		if (ival(&c, "SBCDirectMedia", 0) != 0)
			rc_note(&c, "SBCDirectMedia = %ld not carried over: sbcd always anchors media",
			    ival(&c, "SBCDirectMedia", 0));
		inert(&c, "TLSMutualAuthentication", "-1|0");
		inert(&c, "PreClassificationManSet", "-1");
		inert(&c, "TCPKeepaliveEnable", "-1|0");
		inert(&c, "EncapsulatingProtocol", "0");
		inert(&c, "BlockUnRegUsers", "-1");
		inert(&c, "MaxNumOfRegUsers", "-1");
		inert(&c, "EnableUnAuthenticatedRegistrations", "-1");
		inert(&c, "UsedByRoutingServer", "0");
		inert(&c, "TopologyLocation", "0");
		inert(&c, "SCTPPort", "0");
		inert(&c, "AdditionalUDPPortsMode", "0");
		inert(&c, "CallSetupRulesSetId", "-1");
		rc_done(&c);
		item_end(o, &s, 1);
	}
	sect_write(o, &s, "sip_interfaces", "SIP Interfaces (SIPInterface)");
}

/* Does the proxy set row (by index) have at least one ProxyIp row? */
static int
pset_has_address(const struct imp_ini *ini, long index)
{
	const struct imp_table *pi = imp_table_find(ini, "ProxyIp");

	for (size_t i = 0; pi != NULL && i < pi->nrows; i++)
		if (row_long(pi, &pi->rows[i], "ProxySetId", -1) == index &&
		    imp_row_get(pi, &pi->rows[i], "IpAddress") != NULL &&
		    *imp_row_get(pi, &pi->rows[i], "IpAddress") != '\0')
			return 1;
	return 0;
}

static const char *const tp_names[] = { "udp", "tcp", "tls" };

/* Proxy Sets (ProxySet) and Proxy Addresses (ProxyIp) -> proxy_sets */
static void
map_psets(struct out *o)
{
	const struct imp_table	*t = table(o, "ProxySet"), *pi = table(o, "ProxyIp");
	unsigned char		*pi_used = NULL;
	struct sect		 s = { 0 };
	struct rc		 c, a;

	if (pi != NULL && (pi_used = calloc(pi->nrows + 1, 1)) == NULL) {
		o->err = ENOMEM;
		return;
	}
	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char	*name, *si, *srd, *tc, *kf;
		long		 ka, v;
		int		 n = 0;

		item_begin(o);
		if (rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = val(&c, "ProxyName");
		c.name = name != NULL ? name : "";
		si = val(&c, "SBCIPv4SIPInterfaceName");
		if (name == NULL || si == NULL) {
			rc_drop(&c, "no ProxyName or no SBCIPv4SIPInterfaceName");
			item_end(o, &s, 0);
			continue;
		}
		if (!pset_has_address(o->ini, t->rows[i].index)) {
			rc_drop(&c, "no proxy address (ProxyIp) belongs to it; sbcd needs one");
			item_end(o, &s, 0);
			continue;
		}
		info(o, "Proxy Sets row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		put(o, "  {");
		kv_str(o, "name", name);
		kv_str(o, "sip_interface", si);
		if ((srd = val(&c, "SRDName")) != NULL)
			kv_str(o, "srd", srd);
		put(o, "\n   ");
		ka = ival(&c, "EnableProxyKeepAlive", 0);
		if (ka == 1)
			put(o, " keepalive = \"options\";");
		else if (ka == 2)
			rc_note(&c, "EnableProxyKeepAlive = 2 (REGISTER) not carried over: sbcd keeps"
			    " proxies alive with OPTIONS only");
		v = ival(&c, "ProxyKeepAliveTime", 60);
		if (v >= 5 && v <= 2000000)
			put(o, " keepalive_interval = %ld;", v);
		else
			rc_note(&c, "ProxyKeepAliveTime = %ld outside 5..2000000", v);
		if ((kf = val(&c, "KeepAliveFailureResp")) != NULL) {
			put(o, " keepalive_failure_responses = [ ");
			for (const char *p = kf; *p != '\0';) {
				long code = strtol(p, (char **)&p, 10);

				put(o, "%s%ld", n++ ? ", " : "", code);
				while (*p != '\0' && !isdigit((unsigned char)*p))
					p++;
			}
			put(o, " ];");
		}
		put(o, "\n   ");
		v = ival(&c, "ProxyRedundancyMode", -1);
		if (v == 0 || v == 1)
			put(o, " redundancy_mode = \"%s\";", v == 1 ? "homing" : "parking");
		else
			inert(&c, "ProxyRedundancyMode", "-1");
		v = ival(&c, "ProxyLoadBalancingMethod", 0);
		if (v >= 0 && v <= 2)
			put(o, " load_balancing = \"%s\";",
			    (const char *[]){ "none", "round-robin", "random-weights" }[v]);
		v = ival(&c, "IsProxyHotSwap", 0);
		put(o, " hot_swap = %s;", v ? "true" : "false");
		v = ival(&c, "DNSResolveMethod", -1);
		if (v == 1)
			put(o, " dns_resolve = \"srv\";");
		else if (v == 2)
			rc_note(&c, "DNSResolveMethod = 2 (NAPTR) not carried over: sbcd resolves A or SRV;"
			    " A is used");
		else
			inert(&c, "DNSResolveMethod", "-1|0");
		if ((tc = val(&c, "TLSContextName")) != NULL) {
			put(o, "\n   ");
			kv_str(o, "tls_context", tc);
		}
		put(o, "\n    addresses = (");
		n = 0;
		for (size_t j = 0; pi != NULL && j < pi->nrows; j++) {
			const char *addr;
			long tp, prio, w;

			if (row_long(pi, &pi->rows[j], "ProxySetId", -1) != t->rows[i].index)
				continue;
			pi_used[j] = 1;
			if (rc_init(&a, o, pi, &pi->rows[j]) != 0)
				break;
			a.name = name;
			get(&a, "ProxySetId");
			inert(&a, "ProxyIpIndex", "");
			get(&a, "ProxyIpIndex");
			if ((addr = val(&a, "IpAddress")) == NULL) {
				rc_drop(&a, "no IpAddress");
				continue;
			}
			tp = ival(&a, "TransportType", -1);
			if (tp < -1 || tp > 2) {
				rc_note(&a, "TransportType = %ld unknown; udp is used", tp);
				tp = 0;
			}
			prio = ival(&a, "Priority", 0);
			w = ival(&a, "Weight", 0);
			put(o, "%s\n      # Proxy Address row %ld (ini line %d)\n      {",
			    n++ ? "," : "", pi->rows[j].index, pi->rows[j].line);
			kv_str(o, "address", addr);
			put(o, " transport = \"%s\";", tp_names[tp < 0 ? 0 : tp]);
			if (prio >= 0 && prio <= 65535)
				put(o, " priority = %ld;", prio);
			if (w >= 1 && w <= 65535)
				put(o, " weight = %ld;", w);
			put(o, " }");
			rc_done(&a);
		}
		put(o, "\n    ); }");
		wrote(o, "proxy_sets", name);
		inert(&c, "GWIPv4SIPInterfaceName", "");
		inert(&c, "ClassificationInput", "0");
		inert(&c, "MinActiveServersLB", "1");
		inert(&c, "SuccessDetectionRetries", "1");
		inert(&c, "SuccessDetectionInterval", "10");
		inert(&c, "FailureDetectionRetransmissions", "-1");
		rc_done(&c);
		item_end(o, &s, 1);
	}
	for (size_t j = 0; pi != NULL && j < pi->nrows; j++) {
		if (pi_used[j])
			continue;
		item_begin(o);
		if (rc_init(&a, o, pi, &pi->rows[j]) != 0)
			break;
		rc_drop(&a, "its ProxySetId names no proxy set that was carried over");
		item_end(o, &s, 0);
	}
	free(pi_used);
	sect_write(o, &s, "proxy_sets", "Proxy Sets (ProxySet, ProxyIp)");
}

/* AudioCodes coder names -> sbcd's; NULL when sbcd has no such coder. */
static const char *
coder_name(const char *ac)
{
	static const struct { const char *ac, *sbcd; } map[] = {
		{ "g711Ulaw64k", "PCMU" }, { "g711Alaw64k", "PCMA" }, { "g722", "G722" },
		{ "g729", "G729" }, { "Opus", "opus" }, { NULL, NULL } };

	for (size_t i = 0; map[i].ac != NULL; i++)
		if (strncasecmp(ac, map[i].ac, strlen(map[i].ac)) == 0)
			return map[i].sbcd;
	return NULL;
}

/* Does the coder group (name) have a coder sbcd knows? */
static int
coder_group_ok(const struct imp_ini *ini, const char *name)
{
	const struct imp_table *g = imp_table_find(ini, "AudioCodersGroups");
	const struct imp_table *a = imp_table_find(ini, "AudioCoders");

	for (size_t i = 0; g != NULL && i < g->nrows; i++) {
		const char *gn = imp_row_get(g, &g->rows[i], "Name");
		char idx[24];

		if (gn == NULL || strcasecmp(gn, name) != 0)
			continue;
		snprintf(idx, sizeof(idx), "%ld", g->rows[i].index);
		for (size_t j = 0; a != NULL && j < a->nrows; j++) {
			const char *ref = imp_row_get(a, &a->rows[j], "AudioCodersGroupId");
			const char *cn = imp_row_get(a, &a->rows[j], "Name");

			if (ref != NULL && cn != NULL && coder_name(cn) != NULL &&
			    (strcasecmp(ref, gn) == 0 || strcmp(ref, idx) == 0))
				return 1;
		}
	}
	return 0;
}

/* Coder Groups (AudioCodersGroups, AudioCoders) -> coder_groups */
static void
map_coders(struct out *o)
{
	const struct imp_table	*g = table(o, "AudioCodersGroups"), *a = table(o, "AudioCoders");
	unsigned char		*a_used = NULL;
	struct sect		 s = { 0 };
	struct rc		 c, k;

	if (a != NULL && (a_used = calloc(a->nrows + 1, 1)) == NULL) {
		o->err = ENOMEM;
		return;
	}
	for (size_t i = 0; g != NULL && i < g->nrows; i++) {
		const char	*name;
		char		 idx[24];
		int		 n = 0;

		item_begin(o);
		if (rc_init(&c, o, g, &g->rows[i]) != 0)
			break;
		name = val(&c, "Name");
		c.name = name != NULL ? name : "";
		snprintf(idx, sizeof(idx), "%ld", g->rows[i].index);
		if (name == NULL || !coder_group_ok(o->ini, name)) {
			/* its coders are reported below, as not belonging to a group */
			rc_drop(&c, "no coder of it is one sbcd has (PCMU, PCMA, G722, G729, opus)");
			item_end(o, &s, 0);
			continue;
		}
		info(o, "Coder Groups row %ld (ini line %d)", g->rows[i].index, g->rows[i].line);
		put(o, "  {");
		kv_str(o, "name", name);
		put(o, " coders = (");
		for (size_t j = 0; a != NULL && j < a->nrows; j++) {
			const char *ref = imp_row_get(a, &a->rows[j], "AudioCodersGroupId");
			const char *cn, *sn;
			long pt;

			if (ref == NULL || (strcasecmp(ref, name) != 0 && strcmp(ref, idx) != 0))
				continue;
			a_used[j] = 1;
			if (rc_init(&k, o, a, &a->rows[j]) != 0)
				break;
			get(&k, "AudioCodersGroupId");
			get(&k, "AudioCodersIndex");
			cn = val(&k, "Name");
			k.name = cn != NULL ? cn : "";
			if (cn == NULL || (sn = coder_name(cn)) == NULL) {
				put(o, "\n");
				rc_drop(&k, "sbcd does not have this coder");
				continue;
			}
			pt = ival(&k, "pTime", 20);
			put(o, "%s\n      { coder = \"%s\"; ptime = %ld; }", n++ ? "," : "", sn,
			    pt >= 10 && pt <= 120 ? pt : 20);
			inert(&k, "rate", "255|0");
			inert(&k, "PayloadType", "-1");
			inert(&k, "Sce", "0");
			rc_done(&k);
		}
		put(o, " ); }");
		rc_done(&c);
		item_end(o, &s, 1);
	}
	for (size_t j = 0; a != NULL && j < a->nrows; j++) {
		if (a_used[j])
			continue;
		item_begin(o);
		if (rc_init(&k, o, a, &a->rows[j]) != 0)
			break;
		rc_drop(&k, "its group was not carried over");
		item_end(o, &s, 0);
	}
	free(a_used);
	sect_write(o, &s, "coder_groups", "Coder Groups (AudioCodersGroups, AudioCoders)");
}

/* Does some IP group have no IP profile? Then a profile of defaults is needed. */
static int
ipg_without_profile(const struct imp_ini *ini)
{
	const struct imp_table *t = imp_table_find(ini, "IPGroup");

	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char *p = imp_row_get(t, &t->rows[i], "ProfileName");
		const char *id = imp_row_get(t, &t->rows[i], "ProfileId");

		if ((p == NULL || *p == '\0') && (id == NULL || *id == '\0' || strcmp(id, "-1") == 0))
			return 1;
	}
	return 0;
}

#define DEFAULT_PROFILE "IPP-default"

/* IP Profiles (IpProfile) -> ip_profiles */
static void
map_profiles(struct out *o)
{
	const struct imp_table	*t = table(o, "IpProfile");
	struct sect		 s = { 0 };
	struct rc		 c;
	int			 se_line = 0, mse_line = 0, bc_line = 0;
	const char		*se = scalar(o, "SBCSessionExpires", &se_line);
	const char		*mse = scalar(o, "SBCMinSE", &mse_line);
	const char		*bct = scalar(o, "BrokenConnectionEventTimeout", &bc_line);

	if (scalar(o, "EnableMediaSecurity", NULL) != NULL) {
		item_begin(o);
		info(o, "EnableMediaSecurity: sbcd needs no global switch; each profile's"
		    " media_security decides");
		item_end(o, &s, 0);
	}
	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char	*name, *cg, *ext;
		long		 v, sem;

		item_begin(o);
		if (rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = val(&c, "ProfileName");
		c.name = name != NULL ? name : "";
		if (name == NULL) {
			rc_drop(&c, "no ProfileName");
			item_end(o, &s, 0);
			continue;
		}
		info(o, "IP Profiles row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		put(o, "  {");
		kv_str(o, "name", name);
		v = ival(&c, "SBCMediaSecurityBehaviour", 0);
		if (v >= 0 && v <= 3)
			put(o, "\n    media_security = \"%s\";",
			    (const char *[]){ "as-is", "secured", "not-secured", "both" }[v]);
		sem = ival(&c, "SBCSessionExpiresMode", 0);
		if (sem >= 0 && sem <= 3)
			put(o, "\n    session_expires_mode = \"%s\";",
			    (const char *[]){ "transparent", "observer", "not-supported", "supported" }[sem]);
		if (sem == 1 || sem == 3) {
			long sev = se != NULL ? atol(se) : 180;

			if (sev < 90 || sev > 86400)
				sev = sev < 90 ? 90 : 86400;
			put(o, " session_expires = %ld;", sev);
			if (se == NULL)
				info(o, "session_expires: SBCSessionExpires is not in the ini;"
				    " the Mediant's default 180 s");
			if (mse != NULL && atol(mse) >= 90 && atol(mse) <= 86400)
				put(o, " min_se = %ld;", atol(mse));
		}
		cg = val(&c, "SBCAllowedAudioCodersGroupName");
		ext = val(&c, "SBCExtensionCodersGroupName");
		if (cg == NULL && ext != NULL) {
			cg = ext;
			info(o, "coder_group: the extension coder group (sbcd does not transcode;"
			    " it keeps the offered coders of the group)");
		} else if (cg != NULL && ext != NULL && strcasecmp(cg, ext) != 0) {
			rc_note(&c, "SBCExtensionCodersGroupName = \"%s\" not carried over: sbcd does not"
			    " transcode", ext);
		}
		if (cg != NULL && coder_group_ok(o->ini, cg)) {
			put(o, "\n   ");
			kv_str(o, "coder_group", cg);
		} else if (cg != NULL) {
			rc_note(&c, "coder group \"%s\" was not carried over, so no coder_group", cg);
		}
		inert(&c, "SBCAllowedCodersMode", "0|1|2");
		v = ival(&c, "SBCRFC2833Behavior", -1);
		if (v == 0)
			put(o, "\n    dtmf_mode = \"transparent\";");
		else if (v == 1) {
			put(o, "\n    dtmf_mode = \"rfc2833\";");
			rc_note(&c, "SBCRFC2833Behavior = 1 (Extend): sbcd keeps telephone-event but does"
			    " not add it to an offer that has none");
		} else if (v == 2)
			put(o, "\n    dtmf_mode = \"disable\";");
		v = ival(&c, "SBC2833DTMFPayloadType", 0);
		if (v >= 96 && v <= 127)
			put(o, " dtmf_payload_type = %ld;", v);
		else
			inert(&c, "SBC2833DTMFPayloadType", "0");
		inert(&c, "SBCAlternativeDTMFMethod", "0");
		v = ival(&c, "DisconnectOnBrokenConnection", -1);
		if (v == 0)
			put(o, "\n    media_timeout = 0;");
		else if (v == 1) {
			long to = (bct != NULL ? atol(bct) : 100) / 10;	/* 100 ms units */

			put(o, "\n    media_timeout = %ld;", to < 1 ? 1 : to);
			if (bct == NULL)
				info(o, "media_timeout: BrokenConnectionEventTimeout is not in the ini;"
				    " the Mediant's default 10 s");
		}
		put(o, " }");
		inert(&c, "SBCMediaSecurityMethod", "0");
		inert(&c, "SBCRemoveCryptoLifetimeInSDP", "0");
		inert(&c, "TranscodingMode", "0");
		inert(&c, "SBCAllowedMediaTypes", "");
		rc_done(&c);
		item_end(o, &s, 1);
	}
	if (ipg_without_profile(o->ini)) {
		item_begin(o);
		info(o, "The Mediant lets an IP group go without an IP profile; sbcd needs one:"
		    " this one keeps sbcd's defaults");
		put(o, "  { name = \"" DEFAULT_PROFILE "\"; }");
		item_end(o, &s, 1);
	}
	sect_write(o, &s, "ip_profiles", "IP Profiles (IpProfile)");
}

/* An element sbcd's manipulation engine does not have (docs/manipulation.md). */
static const char *
manip_unsupported(const char *s)
{
	static const char *const bad[] = { "body.", "param.message.sdp", "var.", ".user-defined",
	    ".methodtype", "quotecontrol", "param.ipg.src.type", "param.ipg.dst.type", "len>",
	    "len<", "len==", NULL };
	char low[1024];
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[i] = '\0';
	for (i = 0; bad[i] != NULL; i++)
		if (strstr(low, bad[i]) != NULL)
			return bad[i];
	return NULL;
}

static void
set_written(struct out *o, long id)
{
	long *p = imp_grow(o->sets, o->nsets, sizeof(*p));

	if (p == NULL) {
		o->err = ENOMEM;
		return;
	}
	o->sets = p;
	o->sets[o->nsets++] = id;
}

static int
set_was_written(const struct out *o, long id)
{
	for (size_t i = 0; i < o->nsets; i++)
		if (o->sets[i] == id)
			return 1;
	return 0;
}

/* Message Manipulations (MessageManipulations) -> manipulation_sets "MS-<ManSetID>" */
static void
map_manips(struct out *o)
{
	const struct imp_table	*t = table(o, "MessageManipulations");
	unsigned char		*done = NULL;
	struct sect		 s = { 0 };
	struct rc		 c;

	if (t == NULL)
		return;
	if ((done = calloc(t->nrows + 1, 1)) == NULL) {
		o->err = ENOMEM;
		return;
	}
	for (size_t i = 0; i < t->nrows; i++) {
		long	 id = row_long(t, &t->rows[i], "ManSetID", -1);
		int	 n = 0, skip_prev = 0;

		if (done[i])
			continue;
		item_begin(o);
		if (id < 0) {
			if (rc_init(&c, o, t, &t->rows[i]) == 0)
				rc_drop(&c, "no ManSetID");
			done[i] = 1;
			item_end(o, &s, 0);
			continue;
		}
		info(o, "Message Manipulations, ManSetID %ld", id);
		for (size_t j = i; j < t->nrows; j++) {
			const char *nm, *mt, *cond, *subj, *val_, *why = NULL;
			long at, role;

			if (done[j] || row_long(t, &t->rows[j], "ManSetID", -1) != id)
				continue;
			done[j] = 1;
			if (rc_init(&c, o, t, &t->rows[j]) != 0)
				break;
			get(&c, "ManSetID");
			nm = val(&c, "ManipulationName");
			c.name = nm != NULL ? nm : "";
			mt = val(&c, "MessageType");
			cond = val(&c, "Condition");
			subj = val(&c, "ActionSubject");
			at = ival(&c, "ActionType", -1);
			val_ = val(&c, "ActionValue");
			role = ival(&c, "RowRole", 0);
			if (subj == NULL)
				why = "no ActionSubject";
			else if (at < 0 || at > 7)
				why = "an ActionType sbcd does not have";
			else if (role == 1 && skip_prev)
				why = "the row it follows (Use Previous Condition) was not carried over";
			else if ((cond != NULL && manip_unsupported(cond) != NULL) ||
			    manip_unsupported(subj) != NULL ||
			    (val_ != NULL && manip_unsupported(val_) != NULL))
				why = "it uses an element sbcd does not have (see docs/manipulation.md)";
			if (why != NULL) {
				put(o, "\n");
				rc_note(&c, "rule not carried over: %s: %s / %s / %s / %s", why,
				    mt != NULL ? mt : "", cond != NULL ? cond : "", subj != NULL ? subj : "",
				    val_ != NULL ? val_ : "");
				if (role != 1)
					skip_prev = 1;
				free(c.used);
				continue;
			}
			if (role != 1)
				skip_prev = 0;
			if (n == 0)
				put(o, "  { name = \"MS-%ld\";\n    rules = (", id);
			put(o, "%s\n      # \"%s\" (ini line %d)\n      {", n++ ? "," : "",
			    nm != NULL ? nm : "", t->rows[j].line);
			kv_str(o, "message_type", mt != NULL ? mt : "any");
			if (cond != NULL)
				kv_str(o, "condition", cond);
			put(o, "\n       ");
			kv_str(o, "subject", subj);
			put(o, " action = \"%s\";", (const char *[]){ "add", "remove", "modify",
			    "add-prefix", "add-suffix", "remove-suffix", "remove-prefix", "normalize" }[at]);
			if (val_ != NULL)
				kv_str(o, "value", val_);
			if (role == 1)
				put(o, " row_role = \"previous\";");
			put(o, " }");
			rc_done(&c);
		}
		/* a set whose every rule was dropped cannot be written empty */
		if (n > 0) {
			put(o, "\n    ); }");
			set_written(o, id);
		} else {
			note(o, t->rows[i].line, "manipulation set %ld not carried over: none of its"
			    " rules was", id);
		}
		item_end(o, &s, n > 0);
	}
	free(done);
	sect_write(o, &s, "manipulation_sets", "Message Manipulations (MessageManipulations)");
}

/* IP Groups (IPGroup) -> ip_groups */
static void
map_ipgroups(struct out *o)
{
	const struct imp_table	*t = table(o, "IPGroup");
	const struct imp_table	*ps = imp_table_find(o->ini, "ProxySet");
	const struct imp_table	*pr = imp_table_find(o->ini, "IpProfile");
	struct sect		 s = { 0 };
	struct rc		 c;

	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char	*name, *pset, *prof, *v, *user, *pw;
		long		 type, set;

		item_begin(o);
		if (rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = val(&c, "Name");
		c.name = name != NULL ? name : "";
		if (name == NULL) {
			rc_drop(&c, "no Name");
			item_end(o, &s, 0);
			continue;
		}
		info(o, "IP Groups row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		put(o, "  {");
		kv_str(o, "name", name);
		type = ival(&c, "Type", 0);
		if (type == 2)
			rc_note(&c, "Type = 2 (Gateway) is written as server");
		put(o, " type = \"%s\";", type == 1 ? "user" : "server");
		if ((pset = val(&c, "ProxySetName")) == NULL && (v = val(&c, "ProxySetID")) != NULL)
			pset = row_name(ps, "ProxyName", v);
		if (pset != NULL && was_written(o, "proxy_sets", pset)) {
			put(o, "\n   ");
			kv_str(o, "proxy_set", pset);
		} else if (pset != NULL) {
			rc_note(&c, "proxy set \"%s\" was not carried over, so no proxy_set", pset);
		}
		if ((prof = val(&c, "ProfileName")) == NULL && (v = val(&c, "ProfileId")) != NULL &&
		    strcmp(v, "-1") != 0)
			prof = row_name(pr, "ProfileName", v);
		put(o, "\n   ");
		kv_str(o, "ip_profile", prof != NULL ? prof : DEFAULT_PROFILE);
		if ((v = val(&c, "MediaRealm")) != NULL)
			kv_str(o, "media_realm", v);
		if ((v = val(&c, "SRDName")) != NULL)
			kv_str(o, "srd", v);
		put(o, "\n    classify_by_proxy_set = %s;",
		    ival(&c, "ClassifyByProxySet", 1) ? "true" : "false");
		if ((v = val(&c, "SIPGroupName")) != NULL)
			kv_str(o, "sip_group_name", v);
		for (int k = 0; k < 2; k++) {
			const char *col = k == 0 ? "InboundManSet" : "OutboundManSet";

			set = ival(&c, col, -1);
			if (set < 0)
				continue;
			if (set_was_written(o, set))
				put(o, "\n    %s_manipulation_set = \"MS-%ld\";",
				    k == 0 ? "inbound" : "outbound", set);
			else
				rc_note(&c, "%s = %ld: no manipulation set %ld was carried over", col, set, set);
		}
		user = val(&c, "Username");
		pw = get(&c, "Password");
		if (user != NULL) {
			put(o, "\n   ");
			kv_str(o, "username", user);
			if (pw != NULL && *pw != '\0' && strncmp(pw, "$1$", 3) != 0)
				kv_str(o, "password", pw);
			else
				rc_note(&c, "Password not carried over: the export holds it obscured;"
				    " add password = \"...\" by hand");
		}
		put(o, " }");
		wrote(o, "ip_groups", name);
		v = val(&c, "MsgManUserDef1");
		if (v != NULL)
			rc_note(&c, "MsgManUserDef1 = \"%s\" not carried over: sbcd has no"
			    " param.ipg.*.user-defined", v);
		v = val(&c, "MsgManUserDef2");
		if (v != NULL)
			rc_note(&c, "MsgManUserDef2 = \"%s\" not carried over: sbcd has no"
			    " param.ipg.*.user-defined", v);
		inert(&c, "SBCOperationMode", "-1|0");
		inert(&c, "SipReRoutingMode", "-1|0");
		inert(&c, "AlwaysUseRouteTable", "0");
		inert(&c, "MaxNumOfRegUsers", "-1");
		inert(&c, "RegistrationMode", "0");
		inert(&c, "AuthenticationMode", "0");
		inert(&c, "SBCServerAuthType", "-1");
		inert(&c, "EnableSBCClientForking", "0");
		inert(&c, "SourceUriInput", "-1");
		inert(&c, "DestUriInput", "-1");
		inert(&c, "AlwaysUseSourceAddr", "0");
		inert(&c, "SBCKeepOriginalCallID", "0");
		inert(&c, "SBCRouteUsingRequestURIPort", "0");
		inert(&c, "TopologyLocation", "0");
		inert(&c, "UsedByRoutingServer", "0");
		inert(&c, "CreatedByRoutingServer", "0");
		inert(&c, "CallSetupRulesSetId", "-1");
		inert(&c, "SIPConnect", "0");
		inert(&c, "SBCPSAPMode", "0");
		inert(&c, "ProxyKeepAliveUsingIPG", "0");
		inert(&c, "TeamsLocalMediaOptimization", "0");
		inert(&c, "TeamsDirectRoutingMode", "0");
		inert(&c, "UUIFormat", "0");
		inert(&c, "SBCUserStickiness", "0");
		inert(&c, "UserUDPPortAssignment", "0");
		rc_done(&c);
		item_end(o, &s, 1);
	}
	sect_write(o, &s, "ip_groups", "IP Groups (IPGroup)");
}

static const char *const req_types[] = { "all", "INVITE", "REGISTER", "SUBSCRIBE", NULL, NULL,
	"OPTIONS", NULL };

/* IP-to-IP Routing (IP2IPRouting) -> routes; reasons from SBCAlternativeRoutingReasons */
static void
map_routes(struct out *o)
{
	const struct imp_table	*t = table(o, "IP2IPRouting");
	const struct imp_table	*ar = table(o, "SBCAlternativeRoutingReasons");
	struct sect		 s = { 0 };
	struct rc		 c;
	char			 reasons[256] = "";
	size_t			 rl = 0;

	for (size_t j = 0; ar != NULL && j < ar->nrows; j++) {
		long code = row_long(ar, &ar->rows[j], "ReleaseCause", -1);

		if (rc_init(&c, o, ar, &ar->rows[j]) != 0)
			return;
		get(&c, "ReleaseCause");
		if (code >= 400 && code <= 699 && rl + 8 < sizeof(reasons))
			rl += (size_t)snprintf(reasons + rl, sizeof(reasons) - rl, "%s%ld",
			    rl ? ", " : "", code);
		else {
			item_begin(o);
			rc_note(&c, "ReleaseCause = %ld: sbcd takes 400..699 (no answer, 408 and 503"
			    " always lead to the alternative)", code);
			item_end(o, &s, 0);
		}
		rc_done(&c);
	}
	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char	*name, *v, *why = NULL;
		char		 dflt[32];
		long		 rt, dt, alt, tp;

		item_begin(o);
		if (rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		snprintf(dflt, sizeof(dflt), "Route-%ld", t->rows[i].index);
		name = val(&c, "RouteName") != NULL ? val(&c, "RouteName") : dflt;
		c.name = name;
		rt = ival(&c, "RequestType", 0);
		dt = ival(&c, "DestType", 0);
		alt = ival(&c, "AltRouteOptions", 0);
		if (rt < 0 || rt > 7 || req_types[rt] == NULL)
			why = "a RequestType that matches several methods; sbcd matches all or one";
		else if (val(&c, "MessageConditionName") != NULL)
			why = "it has a MessageConditionName; sbcd has no message conditions";
		else if (!is_any(val(&c, "ReRouteIPGroupName")))
			why = "it matches re-routed requests only (ReRouteIPGroupName)";
		else if (ival(&c, "Trigger", 0) != 0)
			why = "its Trigger is not Any";
		else if (dt != 0 && dt != 1)
			why = "its DestType is neither IP Group (0) nor Dest Address (1)";
		else if (alt == 3 || alt == 4)
			why = "a forking group member; sbcd does not fork";
		if (why != NULL) {
			rc_drop(&c, why);
			item_end(o, &s, 0);
			continue;
		}
		info(o, "IP-to-IP Routing row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		put(o, "  {");
		kv_str(o, "name", name);
		if (!is_any(v = val(&c, "SrcIPGroupName")))
			kv_str(o, "source_ip_group", v);
		put(o, " request_type = \"%s\";", req_types[rt]);
		if (!is_any(v = val(&c, "SrcUsernamePrefix")))
			kv_str(o, "src_user_prefix", v);
		if (!is_any(v = val(&c, "SrcHost")))
			kv_str(o, "src_host", v);
		if (!is_any(v = val(&c, "DestUsernamePrefix")))
			kv_str(o, "dst_user_prefix", v);
		if (!is_any(v = val(&c, "DestHost")))
			kv_str(o, "dst_host", v);
		put(o, "\n   ");
		if (dt == 0) {
			put(o, " dest_type = \"ip-group\";");
			if ((v = val(&c, "DestIPGroupName")) != NULL)
				kv_str(o, "dest_ip_group", v);
		} else {
			long port = ival(&c, "DestPort", 0);

			put(o, " dest_type = \"address\";");
			if ((v = val(&c, "DestAddress")) != NULL) {
				char a[300];

				if (port > 0 && port < 65536)
					snprintf(a, sizeof(a), "%s:%ld", v, port);
				else
					snprintf(a, sizeof(a), "%s", v);
				kv_str(o, "dest_address", a);
			}
			tp = ival(&c, "DestTransportType", -1);
			put(o, " dest_transport = \"%s\";", tp_names[tp >= 0 && tp <= 2 ? tp : 0]);
			if ((v = val(&c, "DestSIPInterfaceName")) != NULL)
				kv_str(o, "dest_sip_interface", v);
		}
		if (dt == 0) {
			inert(&c, "DestAddress", "");
			inert(&c, "DestPort", "0|-1");
			inert(&c, "DestTransportType", "-1");
			inert(&c, "DestSIPInterfaceName", "");
		}
		if (rl > 0)
			put(o, "\n    alt_route_reasons = [ %s ];", reasons);
		if (alt == 1 || alt == 2)
			put(o, " role = \"alternative\";");
		if (alt == 2)
			rc_note(&c, "AltRouteOptions = 2 (Consider Inputs): sbcd's alternative rows are"
			    " tried without matching their inputs");
		put(o, " }");
		inert(&c, "RoutingPolicyName", "Default_SBCRoutingPolicy");
		inert(&c, "CallSetupRulesSetId", "-1");
		inert(&c, "GroupPolicy", "0");
		inert(&c, "RoutingTagName", "default");
		inert(&c, "InternalAction", "");
		rc_done(&c);
		item_end(o, &s, 1);
	}
	sect_write(o, &s, "routes", "IP-to-IP Routing (IP2IPRouting, SBCAlternativeRoutingReasons)");
}

/* Parameters (scalars) that set sbcd's global group. */
static void
map_global(struct out *o)
{
	const char *ua = scalar(o, "UserAgentDisplayInfo", NULL);

	if (ua == NULL || *ua == '\0')
		return;
	put(o, "\nglobal = {\n ");
	kv_str(o, "user_agent", ua);
	put(o, "\n};\n");
}

/* Everything of the ini nobody used: tables, parameters, unreadable lines. */
static void
map_leftovers(struct out *o)
{
	const struct imp_ini *ini = o->ini;
	int head = 0;

	for (size_t i = 0; i < ini->ntables; i++) {
		const struct imp_table *t = &ini->tables[i];

		if (o->tb_used[i])
			continue;
		if (!head++)
			put(o, "\n# Tables sbcd has no equivalent of (rows not carried over)\n");
		if (t->nrows == 0)
			note(o, t->line, "[ %s ] (empty) not carried over", t->name);
		for (size_t j = 0; j < t->nrows; j++) {
			struct rc c;

			if (rc_init(&c, o, t, &t->rows[j]) != 0)
				return;
			c.name = t->ncols > 0 && t->rows[j].nvals > 0 ? t->rows[j].vals[0] : "";
			rc_drop(&c, "sbcd has no such table");
		}
	}
	head = 0;
	for (size_t i = 0; i < ini->nscalars; i++) {
		if (o->sc_used[i])
			continue;
		if (!head++)
			put(o, "\n# Parameters not carried over (no sbcd setting)\n");
		note(o, ini->scalars[i].line, "%s = \"%s\"", ini->scalars[i].key, ini->scalars[i].val);
	}
}

int
imp_convert(const struct imp_ini *ini, const struct imp_opts *opts, FILE *fp, unsigned *nnotes)
{
	struct out	o = { 0 };
	int		err;

	o.f = o.file = fp;
	o.ini = ini;
	o.opts = opts;
	o.sc_used = calloc(ini->nscalars + 1, 1);
	o.tb_used = calloc(ini->ntables + 1, 1);
	if (o.sc_used == NULL || o.tb_used == NULL) {
		free(o.sc_used);
		free(o.tb_used);
		return ENOMEM;
	}
	put(&o, "# sbc.conf written by sbc-import %s from %s.\n"
	    "# Each \"# ini line N:\" comment is something of the ini that this file does\n"
	    "# not carry over, and why; read them all, then check the file with\n"
	    "# `sbcd -t -f FILE`.  Other comments say which ini row each entry comes from.\n",
	    SBCD_VERSION, opts->source != NULL ? opts->source : "an AudioCodes ini file");
	if (ini->nbad > 0) {
		put(&o, "\n# Lines of the ini that could not be read\n");
		for (size_t i = 0; i < ini->nbad; i++)
			note(&o, ini->bad[i].line, "%s: %s", ini->bad[i].why, ini->bad[i].text);
	}
	map_global(&o);
	map_interfaces(&o);
	map_realms(&o);
	map_srds(&o);
	map_tls(&o);
	map_sipifs(&o);
	map_psets(&o);
	map_coders(&o);
	map_profiles(&o);
	map_manips(&o);
	map_ipgroups(&o);
	map_routes(&o);
	map_leftovers(&o);
	if (fflush(fp) != 0)
		o.err = EIO;
	err = o.err;
	if (nnotes != NULL)
		*nnotes = o.notes;
	free(o.sc_used);
	free(o.tb_used);
	free(o.sets);
	for (size_t i = 0; i < o.nnames; i++)
		free(o.names[i]);
	free(o.names);
	return err;
}
