/* cfg.c: load sbc.conf with libconfig, walk it against the schema, collect every error. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <libconfig.h>

#include "cfg_int.h"
#include "obj.h"

/* ===== arena: every row and string of one snapshot ===== */

struct cfg_arena {
	struct cfg_arena	*next;
	size_t			 used, size;
	max_align_t		 data[];
};

#define ARENA_BLOCK	(16 * 1024)

void *
cfg_arena_alloc(struct cfg *cfg, size_t size)
{
	struct cfg_arena	*a = cfg->arena;
	size_t			 al = sizeof(max_align_t);
	void			*p;

	size = (size + al - 1) / al * al;
	if (size == 0)
		size = al;
	if (a == NULL || a->size - a->used < size) {
		size_t bs = size > ARENA_BLOCK ? size : ARENA_BLOCK;

		a = calloc(1, sizeof(*a) + bs);
		if (a == NULL)
			return NULL;
		a->size = bs;
		a->next = cfg->arena;
		cfg->arena = a;
	}
	p = (char *)a->data + a->used;
	a->used += size;
	return p;
}

char *
cfg_arena_strdup(struct cfg *cfg, const char *s)
{
	size_t	 n = strlen(s) + 1;
	char	*p = cfg_arena_alloc(cfg, n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* Things the arena cannot free itself (compiled rules), newest first. */
struct cfg_cleanup {
	struct cfg_cleanup	*next;
	cfg_cleanup_h		*fn;
	void			*arg;
};

int
cfg_add_cleanup(struct cfg *cfg, cfg_cleanup_h *fn, void *arg)
{
	struct cfg_cleanup *c = cfg_arena_alloc(cfg, sizeof(*c));

	if (c == NULL)
		return ENOMEM;
	c->fn = fn;
	c->arg = arg;
	c->next = cfg->cleanups;
	cfg->cleanups = c;
	return 0;
}

static void
cfg_destructor(void *arg)
{
	struct cfg		*cfg = arg;
	struct cfg_arena	*a, *next;

	for (struct cfg_cleanup *c = cfg->cleanups; c != NULL; c = c->next)
		c->fn(c->arg);
	for (a = cfg->arena; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
}

struct cfg *
cfg_ref(struct cfg *cfg)
{
	return obj_ref(cfg);
}

struct cfg *
cfg_unref(struct cfg *cfg)
{
	return obj_unref(cfg);
}

/* ===== diagnostics ===== */

void
cfg_diag_init(struct cfg_diag *diag)
{
	memset(diag, 0, sizeof(*diag));
}

void
cfg_diag_free(struct cfg_diag *diag)
{
	for (size_t i = 0; i < diag->n; i++)
		free(diag->msgs[i]);
	free(diag->msgs);
	memset(diag, 0, sizeof(*diag));
}

static void
diag_vadd(struct cfg_diag *diag, const char *fmt, va_list ap)
{
	char	**msgs;
	char	 *m;

	if (vasprintf(&m, fmt, ap) == -1)
		return;
	msgs = realloc(diag->msgs, (diag->n + 1) * sizeof(*msgs));
	if (msgs == NULL) {
		free(m);
		return;
	}
	diag->msgs = msgs;
	diag->msgs[diag->n++] = m;
}

void
cfg_diag_add(struct cfg_diag *diag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(diag, fmt, ap);
	va_end(ap);
}

static void
report(struct cfg_ctx *ctx, int warn, const char *file, int line,
    const char *path, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (file == NULL)
		file = ctx->file;
	cfg_diag_add(ctx->diag, "%s:%d: %s%s%s%s", file, line,
	    warn ? "warning: " : "", path ? path : "", path ? ": " : "", msg);
	if (warn)
		ctx->diag->nwarn++;
	else
		ctx->errors++;
}

void
cfg_error(struct cfg_ctx *ctx, const char *file, int line, const char *path,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(ctx, 0, file, line, path, fmt, ap);
	va_end(ap);
}

void
cfg_warning(struct cfg_ctx *ctx, const char *file, int line, const char *path,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(ctx, 1, file, line, path, fmt, ap);
	va_end(ap);
}

void
cfg_row_error(struct cfg_ctx *ctx, int line, const char *path,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(ctx, 0, NULL, line, path, fmt, ap);
	va_end(ap);
}

/* The file a setting came from: the main file as the user named it, or an
 * @include'd file as libconfig found it. */
static const char *
setting_file(struct cfg_ctx *ctx, const config_setting_t *s)
{
	const char *f = config_setting_source_file(s);

	if (f == NULL || (ctx->abs != NULL && strcmp(f, ctx->abs) == 0))
		return ctx->file;
	return f;
}

#define SERR(ctx, s, path, ...)						\
	cfg_error(ctx, setting_file(ctx, s),				\
	    (int)config_setting_source_line(s), path, __VA_ARGS__)

/* ===== small parsers ===== */

const char *
cfg_enum_name(const struct cfg_enumval *ev, int value)
{
	for (; ev->name != NULL; ev++)
		if (ev->value == value)
			return ev->name;
	return "?";
}

int
cfg_parse_ip(const char *s, struct cfg_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, &ip->u.v4) == 1)
		ip->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &ip->u.v6) == 1)
		ip->family = AF_INET6;
	else
		return EINVAL;
	ip->str = s;
	return 0;
}

int
cfg_split_hostport(const char *s, char *host, size_t hostlen, int *port)
{
	const char	*colon, *end;
	size_t		 n;
	char		*ep;
	long		 p = 0;

	if (*s == '[') {
		end = strchr(s, ']');
		if (end == NULL)
			return EINVAL;
		n = (size_t)(end - s - 1);
		if (n == 0 || n >= hostlen)
			return EINVAL;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return EINVAL;
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			return EINVAL;	/* bare IPv6 needs brackets */
		n = colon ? (size_t)(colon - s) : strlen(s);
		if (n == 0 || n >= hostlen)
			return EINVAL;
		memcpy(host, s, n);
		host[n] = '\0';
	}
	for (const char *c = host; *c; c++)
		if (*c == ' ' || *c == '\t' || *c == '/' || *c == '@')
			return EINVAL;
	if (colon != NULL) {
		errno = 0;
		p = strtol(colon + 1, &ep, 10);
		if (colon[1] == '\0' || *ep != '\0' || errno || p < 1 || p > 65535)
			return EINVAL;
	}
	*port = (int)p;
	return 0;
}

/* ===== walking groups against the schema ===== */

struct cfg_pending {
	const struct cfg_field	*f;
	void			*row;
	const char		*file;
	int			 line;
	char			*path;
};

static void
pending_add(struct cfg_ctx *ctx, const struct cfg_field *f, void *row,
    const config_setting_t *s, const char *path)
{
	struct cfg_pending *p;

	if (ctx->npending == ctx->cap_pending) {
		size_t cap = ctx->cap_pending ? ctx->cap_pending * 2 : 64;

		p = realloc(ctx->pending, cap * sizeof(*p));
		if (p == NULL)
			return;
		ctx->pending = p;
		ctx->cap_pending = cap;
	}
	p = &ctx->pending[ctx->npending++];
	p->f = f;
	p->row = row;
	p->file = setting_file(ctx, s);
	p->line = (int)config_setting_source_line(s);
	p->path = strdup(path);
}

/* Remember a row that did not parse cleanly: semantic checks skip it, so
 * that one mistake is reported once, not again as its consequences. */
static void
mark_bad(struct cfg_ctx *ctx, const void *row)
{
	const void **b;

	if (ctx->nbad % 32 == 0) {
		b = realloc(ctx->bad, (ctx->nbad + 32) * sizeof(*b));
		if (b == NULL)
			return;
		ctx->bad = b;
	}
	ctx->bad[ctx->nbad++] = row;
}

int
cfg_row_bad(const struct cfg_ctx *ctx, const void *row)
{
	for (size_t i = 0; i < ctx->nbad; i++)
		if (ctx->bad[i] == row)
			return 1;
	return 0;
}

static const char *
type_word(enum cfg_ftype t)
{
	switch (t) {
	case CFT_INT:		return "an integer";
	case CFT_BOOL:		return "true or false";
	case CFT_INTLIST:	return "a list of integers";
	case CFT_STRLIST:	return "a list of strings";
	case CFT_TABLE:		return "a list of groups ( { ... }, ... )";
	default:		return "a string";
	}
}

static int parse_table(struct cfg_ctx *, const struct cfg_table *,
    const config_setting_t *, void *base, size_t off_arr, size_t off_n,
    const char *path);

static void
set_default(struct cfg_ctx *ctx, const struct cfg_field *f, void *row)
{
	char *p = (char *)row + f->off;

	switch (f->type) {
	case CFT_INT:
	case CFT_BOOL:
	case CFT_ENUM:
		*(int *)p = (int)f->def;
		break;
	case CFT_STR:
	case CFT_SECRET:
	case CFT_REF:
	case CFT_PATH:
		*(const char **)p = f->sdef;
		break;
	case CFT_IP:
		if (f->sdef != NULL)
			(void)cfg_parse_ip(f->sdef, (struct cfg_ip *)p);
		break;
	case CFT_STRLIST:
		if (f->sdef != NULL) {
			/* sdef is a comma separated default list */
			struct cfg_strlist	*sl = (struct cfg_strlist *)p;
			char			*copy = cfg_arena_strdup(ctx->cfg, f->sdef);
			size_t			 n = 1;

			for (const char *c = f->sdef; *c; c++)
				n += *c == ',';
			sl->v = cfg_arena_alloc(ctx->cfg, n * sizeof(*sl->v));
			if (copy == NULL || sl->v == NULL)
				return;
			for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ","))
				sl->v[sl->n++] = tok;
		}
		break;
	default:
		break;
	}
}

static char *
resolve_path(struct cfg_ctx *ctx, const char *val)
{
	char	*buf;
	size_t	 n;

	if (val[0] == '/' || ctx->cfg->dir == NULL)
		return cfg_arena_strdup(ctx->cfg, val);
	n = strlen(ctx->cfg->dir) + strlen(val) + 2;
	buf = cfg_arena_alloc(ctx->cfg, n);
	if (buf != NULL)
		snprintf(buf, n, "%s/%s", ctx->cfg->dir, val);
	return buf;
}

static void
parse_field(struct cfg_ctx *ctx, const struct cfg_field *f,
    const config_setting_t *s, void *row, const char *path)
{
	char		*p = (char *)row + f->off;
	int		 t = config_setting_type(s);
	const char	*str;
	long long	 v;

	switch (f->type) {
	case CFT_INT:
		if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
			goto wrongtype;
		v = config_setting_get_int64(s);
		if (v < f->min || v > f->max) {
			SERR(ctx, s, path, "%lld is out of range %lld..%lld",
			    v, f->min, f->max);
			return;
		}
		*(int *)p = (int)v;
		return;
	case CFT_BOOL:
		if (t != CONFIG_TYPE_BOOL)
			goto wrongtype;
		*(int *)p = config_setting_get_bool(s);
		return;
	case CFT_INTLIST: {
		struct cfg_intlist	*il = (struct cfg_intlist *)p;
		int			 n;

		if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
			goto wrongtype;
		n = config_setting_length(s);
		il->v = cfg_arena_alloc(ctx->cfg, (size_t)(n ? n : 1) * sizeof(int));
		il->n = 0;
		for (int i = 0; i < n && il->v; i++) {
			const config_setting_t	*e = config_setting_get_elem(s, (unsigned)i);
			int			 et = config_setting_type(e);

			if (et != CONFIG_TYPE_INT && et != CONFIG_TYPE_INT64) {
				SERR(ctx, e, path, "element %d must be an integer", i);
				continue;
			}
			v = config_setting_get_int64(e);
			if (v < f->min || v > f->max) {
				SERR(ctx, e, path, "element %d: %lld is out of range %lld..%lld",
				    i, v, f->min, f->max);
				continue;
			}
			il->v[il->n++] = (int)v;
		}
		return;
	}
	case CFT_STRLIST: {
		struct cfg_strlist	*sl = (struct cfg_strlist *)p;
		int			 n;

		if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
			goto wrongtype;
		n = config_setting_length(s);
		sl->v = cfg_arena_alloc(ctx->cfg, (size_t)(n ? n : 1) * sizeof(char *));
		sl->n = 0;
		for (int i = 0; i < n && sl->v; i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

			if (config_setting_type(e) != CONFIG_TYPE_STRING) {
				SERR(ctx, e, path, "element %d must be a string", i);
				continue;
			}
			sl->v[sl->n++] = cfg_arena_strdup(ctx->cfg,
			    config_setting_get_string(e));
		}
		return;
	}
	case CFT_TABLE:
		if (t != CONFIG_TYPE_LIST && !(t == CONFIG_TYPE_ARRAY &&
		    config_setting_length(s) == 0))
			goto wrongtype;
		parse_table(ctx, f->table, s, row, f->off, f->off2, path);
		return;
	default:
		break;
	}

	/* the rest are strings */
	if (t != CONFIG_TYPE_STRING)
		goto wrongtype;
	str = config_setting_get_string(s);
	if (*str == '\0' && (f->flags & CFF_REQUIRED)) {
		SERR(ctx, s, path, "must not be empty");
		return;
	}
	switch (f->type) {
	case CFT_ENUM:
		for (const struct cfg_enumval *ev = f->enums; ev->name; ev++) {
			if (strcmp(ev->name, str) == 0) {
				*(int *)p = ev->value;
				return;
			}
		}
		{
			char	 allowed[512] = "";
			size_t	 len = 0;

			for (const struct cfg_enumval *ev = f->enums; ev->name; ev++)
				len += (size_t)snprintf(allowed + len,
				    len < sizeof(allowed) ? sizeof(allowed) - len : 0,
				    "%s\"%s\"", len ? ", " : "", ev->name);
			SERR(ctx, s, path, "\"%s\" is not one of %s", str, allowed);
		}
		return;
	case CFT_IP:
		if (*str == '\0')
			return;	/* optional and empty: not set */
		if (cfg_parse_ip(cfg_arena_strdup(ctx->cfg, str),
		    (struct cfg_ip *)p) != 0)
			SERR(ctx, s, path, "\"%s\" is not an IPv4 or IPv6 address", str);
		return;
	case CFT_PATH:
		if (*str == '\0') {
			*(const char **)p = NULL;
			return;
		}
		*(char **)p = resolve_path(ctx, str);
		if ((f->flags & CFF_EXISTS) && *(char **)p != NULL) {
			FILE *fp = fopen(*(char **)p, "r");

			if (fp == NULL)
				SERR(ctx, s, path, "cannot read \"%s\"%s: %s", str,
				    str[0] == '/' ? "" : " (relative to the file's folder)",
				    strerror(errno));
			else
				fclose(fp);
		}
		return;
	case CFT_REF:
		if (*str == '\0') {
			*(const char **)p = NULL;
			return;
		}
		*(char **)p = cfg_arena_strdup(ctx->cfg, str);
		return;
	default:
		*(char **)p = *str == '\0' ? NULL : cfg_arena_strdup(ctx->cfg, str);
		return;
	}

 wrongtype:
	SERR(ctx, s, path, "must be %s", type_word(f->type));
}

/* Parse one group into row: every key known, every required key present. */
static void
parse_group(struct cfg_ctx *ctx, const struct cfg_field *fields,
    const config_setting_t *g, void *row, const char *path)
{
	char	 sub[512];
	int	 n = config_setting_length(g);

	for (const struct cfg_field *f = fields; f->key; f++) {
		const config_setting_t *s = config_setting_get_member(g, f->key);

		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", f->key);
		set_default(ctx, f, row);
		if (s == NULL) {
			if (f->flags & CFF_REQUIRED)
				SERR(ctx, g, sub, "missing, it is required");
			continue;
		}
		parse_field(ctx, f, s, row, sub);
		if (f->type == CFT_REF && *(char **)((char *)row + f->off) != NULL)
			pending_add(ctx, f, row, s, sub);
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t	*s = config_setting_get_elem(g, (unsigned)i);
		const char		*name = config_setting_name(s);
		const struct cfg_field	*f;

		for (f = fields; f->key; f++)
			if (name != NULL && strcmp(f->key, name) == 0)
				break;
		if (f->key == NULL) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "",
			    name ? name : "?");
			SERR(ctx, s, sub, "unknown setting");
		}
	}
}

/* Parse a list of groups into rows; the array and count go to base + off_*. */
static int
parse_table(struct cfg_ctx *ctx, const struct cfg_table *tb,
    const config_setting_t *list, void *base, size_t off_arr, size_t off_n,
    const char *path)
{
	int	 n = config_setting_length(list);
	char	*rows;
	char	 sub[512];

	rows = cfg_arena_alloc(ctx->cfg, (size_t)(n ? n : 1) * tb->elem_size);
	if (rows == NULL)
		return ENOMEM;
	*(void **)((char *)base + off_arr) = rows;
	*(size_t *)((char *)base + off_n) = (size_t)n;
	for (int i = 0; i < n; i++) {
		const config_setting_t	*g = config_setting_get_elem(list, (unsigned)i);
		char			*row = rows + (size_t)i * tb->elem_size;

		int			 before = ctx->errors;

		snprintf(sub, sizeof(sub), "%s[%d]", path, i);
		*(int *)(row + tb->off_line) = (int)config_setting_source_line(g);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP)
			SERR(ctx, g, sub, "must be a group { ... }");
		else
			parse_group(ctx, tb->fields, g, row, sub);
		if (ctx->errors > before)
			mark_bad(ctx, row);
	}
	return 0;
}

/* ===== names and references ===== */

static const char *
row_name(const struct cfg_table *tb, const void *row)
{
	return *(const char *const *)((const char *)row + tb->fields[0].off);
}

static void *
table_find(const struct cfg *cfg, const struct cfg_table *tb, const char *name)
{
	char	*rows = *(char **)((char *)cfg + tb->off_arr);
	size_t	 n = *(size_t *)((char *)cfg + tb->off_n);

	for (size_t i = 0; i < n; i++) {
		void		*row = rows + i * tb->elem_size;
		const char	*rn = row_name(tb, row);

		if (rn != NULL && strcmp(rn, name) == 0)
			return row;
	}
	return NULL;
}

static void
check_names(struct cfg_ctx *ctx, struct cfg *cfg, const struct cfg_table *tb)
{
	char	*rows = *(char **)((char *)cfg + tb->off_arr);
	size_t	 n = *(size_t *)((char *)cfg + tb->off_n);

	for (size_t i = 0; i < n; i++) {
		const char	*a = row_name(tb, rows + i * tb->elem_size);
		int		 line = *(int *)(rows + i * tb->elem_size + tb->off_line);
		char		 path[128];

		if (a == NULL)
			continue;
		for (size_t j = 0; j < i; j++) {
			const char *b = row_name(tb, rows + j * tb->elem_size);

			if (b != NULL && strcmp(a, b) == 0) {
				snprintf(path, sizeof(path), "%s[%zu].name", tb->key, i);
				cfg_row_error(ctx, line, path,
				    "duplicate name \"%s\", also %s[%zu] at line %d",
				    a, tb->key, j,
				    *(int *)(rows + j * tb->elem_size + tb->off_line));
				break;
			}
		}
	}
}

static void
resolve_refs(struct cfg_ctx *ctx, struct cfg *cfg)
{
	for (size_t i = 0; i < ctx->npending; i++) {
		struct cfg_pending	*p = &ctx->pending[i];
		const char		*name = *(char **)((char *)p->row + p->f->off);
		void			*target;

		target = table_find(cfg, p->f->table, name);
		if (target == NULL)
			cfg_error(ctx, p->file, p->line, p->path,
			    "no %s entry named \"%s\"", p->f->table->key, name);
		*(void **)((char *)p->row + p->f->off2) = target;
	}
}

static void
check_rows(struct cfg_ctx *ctx, struct cfg *cfg)
{
	char path[128];

	for (const struct cfg_table *const *tp = cfg_tables; *tp; tp++) {
		const struct cfg_table	*tb = *tp;
		char			*rows = *(char **)((char *)cfg + tb->off_arr);
		size_t			 n = *(size_t *)((char *)cfg + tb->off_n);

		if (tb->check == NULL)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (cfg_row_bad(ctx, rows + i * tb->elem_size))
				continue;
			snprintf(path, sizeof(path), "%s[%zu]", tb->key, i);
			tb->check(ctx, cfg, rows + i * tb->elem_size, path);
		}
	}
}

/* ===== load ===== */

static int
load_config(struct cfg_ctx *ctx, config_t *lc)
{
	struct cfg		*cfg = ctx->cfg;
	config_setting_t	*root = config_root_setting(lc);
	int			 n = config_setting_length(root);

	for (int i = 0; i < n; i++) {
		config_setting_t		*s = config_setting_get_elem(root, (unsigned)i);
		const char			*name = config_setting_name(s);
		const struct cfg_table *const	*tp;

		if (strcmp(name, "global") == 0) {
			if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
				SERR(ctx, s, "global", "must be a group { ... }");
				continue;
			}
			continue;
		}
		for (tp = cfg_tables; *tp; tp++)
			if (strcmp((*tp)->key, name) == 0)
				break;
		if (*tp == NULL) {
			SERR(ctx, s, name, "unknown setting");
			continue;
		}
		if (config_setting_type(s) != CONFIG_TYPE_LIST &&
		    !(config_setting_type(s) == CONFIG_TYPE_ARRAY &&
		    config_setting_length(s) == 0)) {
			SERR(ctx, s, name, "must be a list of groups ( { ... }, ... )");
			continue;
		}
		if (parse_table(ctx, *tp, s, cfg, (*tp)->off_arr, (*tp)->off_n, name) != 0)
			return ENOMEM;
	}

	/* global: defaults even when the group is absent */
	{
		config_setting_t *g = config_setting_get_member(root, "global");

		if (g != NULL && config_setting_type(g) == CONFIG_TYPE_GROUP)
			parse_group(ctx, cfg_global_fields, g, &cfg->global, "global");
		else
			for (const struct cfg_field *f = cfg_global_fields; f->key; f++)
				set_default(ctx, f, &cfg->global);
		cfg->global.line = g ? (int)config_setting_source_line(g) : 0;
	}

	for (const struct cfg_table *const *tp = cfg_tables; *tp; tp++)
		if ((*tp)->has_name)
			check_names(ctx, cfg, *tp);
	resolve_refs(ctx, cfg);
	/* the checks run even after errors, so that one pass reports all;
	 * they skip references that did not resolve (already reported) */
	check_rows(ctx, cfg);
	cfg_check_all(ctx, cfg);
	return 0;
}

/* "file:line: ..." -> line, and the length of "file" */
static long
diag_line(const char *m, size_t *flen)
{
	const char *p = m;

	while ((p = strchr(p, ':')) != NULL) {
		char	*ep;
		long	 line = strtol(p + 1, &ep, 10);

		if (ep > p + 1 && *ep == ':') {
			*flen = (size_t)(p - m);
			return line;
		}
		p++;
	}
	*flen = strlen(m);
	return 0;
}

/* Order the messages of one load by file and line: a stable insertion sort. */
static void
diag_sort(struct cfg_diag *diag, size_t first)
{
	for (size_t i = first + 1; i < diag->n; i++) {
		char	*m = diag->msgs[i];
		size_t	 fl, gl, j = i;
		long	 l = diag_line(m, &fl);

		while (j > first) {
			const char	*o = diag->msgs[j - 1];
			long		 ol = diag_line(o, &gl);
			int		 c = strncmp(o, m, fl < gl ? fl : gl);

			if (c == 0)
				c = (gl > fl) - (gl < fl);
			if (c < 0 || (c == 0 && ol <= l))
				break;
			diag->msgs[j] = diag->msgs[j - 1];
			j--;
		}
		diag->msgs[j] = m;
	}
}

static int
cfg_load_common(config_t *lc, int rc, const char *name, const char *abs,
    const char *dir, struct cfg **cfgp, struct cfg_diag *diag)
{
	struct cfg_ctx	 ctx;
	struct cfg	*cfg;
	int		 err = 0;

	*cfgp = NULL;
	if (rc != CONFIG_TRUE) {
		if (config_error_type(lc) == CONFIG_ERR_FILE_IO) {
			cfg_diag_add(diag, "%s:0: cannot read the file: %s", name,
			    strerror(errno ? errno : ENOENT));
			return errno ? errno : ENOENT;
		}
		const char *ef = config_error_file(lc);

		if (ef == NULL || (abs != NULL && strcmp(ef, abs) == 0))
			ef = name;
		cfg_diag_add(diag, "%s:%d: %s", ef, config_error_line(lc),
		    config_error_text(lc));
		return EINVAL;
	}
	cfg = obj_alloc(sizeof(*cfg), cfg_destructor);
	if (cfg == NULL)
		return ENOMEM;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ctx.diag = diag;
	ctx.file = name;
	ctx.abs = abs;
	cfg->path = cfg_arena_strdup(cfg, name);
	cfg->dir = dir ? cfg_arena_strdup(cfg, dir) : NULL;
	{
		size_t first = diag->n;

		err = load_config(&ctx, lc);
		diag_sort(diag, first);
	}
	if (err == 0 && ctx.errors > 0)
		err = EINVAL;
	for (size_t i = 0; i < ctx.npending; i++)
		free(ctx.pending[i].path);
	free(ctx.pending);
	free(ctx.bad);
	if (err)
		cfg_unref(cfg);
	else
		*cfgp = cfg;
	return err;
}

int
cfg_load(const char *path, struct cfg **cfgp, struct cfg_diag *diag)
{
	config_t	 lc;
	char		 abs[PATH_MAX], dir[PATH_MAX];
	char		*slash;
	int		 rc, err;

	if (realpath(path, abs) == NULL) {
		err = errno;
		cfg_diag_add(diag, "%s:0: cannot read the file: %s", path,
		    strerror(err));
		*cfgp = NULL;
		return err;
	}
	snprintf(dir, sizeof(dir), "%s", abs);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	config_init(&lc);
	config_set_include_dir(&lc, dir);
	errno = 0;
	rc = config_read_file(&lc, abs);
	/* messages name the file as the user gave it */
	err = cfg_load_common(&lc, rc, path, abs, dir, cfgp, diag);
	config_destroy(&lc);
	return err;
}

int
cfg_load_string(const char *text, const char *name, struct cfg **cfgp,
    struct cfg_diag *diag)
{
	config_t	 lc;
	int		 rc, err;

	config_init(&lc);
	rc = config_read_string(&lc, text);
	err = cfg_load_common(&lc, rc, name, NULL, NULL, cfgp, diag);
	config_destroy(&lc);
	return err;
}

/* ===== lookups ===== */

struct cfg_ipgroup *
cfg_ipgroup_find(const struct cfg *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_ip_groups; i++)
		if (strcmp(cfg->ip_groups[i].name, name) == 0)
			return &cfg->ip_groups[i];
	return NULL;
}

struct cfg_sipif *
cfg_sipif_find(const struct cfg *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_sip_interfaces; i++)
		if (strcmp(cfg->sip_interfaces[i].name, name) == 0)
			return &cfg->sip_interfaces[i];
	return NULL;
}

struct cfg_pset *
cfg_pset_find(const struct cfg *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_proxy_sets; i++)
		if (strcmp(cfg->proxy_sets[i].name, name) == 0)
			return &cfg->proxy_sets[i];
	return NULL;
}

int
cfg_match_prefix(const char *want, const char *have)
{
	if (want == NULL || strcmp(want, "*") == 0)
		return 1;
	return have != NULL && strncmp(have, want, strlen(want)) == 0;
}

int
cfg_match_host(const char *want, const char *have)
{
	if (want == NULL || strcmp(want, "*") == 0)
		return 1;
	return have != NULL && strcasecmp(want, have) == 0;
}

const char *
cfg_transport_str(int tp)
{
	switch (tp) {
	case CFG_TP_UDP: return "udp";
	case CFG_TP_TCP: return "tcp";
	case CFG_TP_TLS: return "tls";
	}
	return "?";
}
