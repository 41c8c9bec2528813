/* cfg_int.h: private schema types shared by the cfg_*.c files. */
#ifndef SBCD_CFG_INT_H
#define SBCD_CFG_INT_H

#include <stddef.h>
#include <libconfig.h>

#include "cfg.h"

enum cfg_ftype {
	CFT_STR = 0,	/* string */
	CFT_SECRET,	/* string, masked in dumps */
	CFT_INT,
	CFT_BOOL,
	CFT_ENUM,	/* string mapped to an int */
	CFT_REF,	/* name of a row of another table: off = name, off2 = pointer */
	CFT_IP,		/* IP literal into a struct cfg_ip */
	CFT_PATH,	/* file name resolved against the folder of the file */
	CFT_INTLIST,	/* struct cfg_intlist */
	CFT_STRLIST,	/* struct cfg_strlist */
	CFT_TABLE,	/* list of groups: off = array, off2 = count */
};

#define CFF_REQUIRED	0x1	/* must be given */
#define CFF_RESTART	0x2	/* a change needs a restart, not a reload */
#define CFF_EXISTS	0x4	/* path must name a readable file */

struct cfg_enumval {
	const char	*name;
	int		 value;
};

struct cfg_table;

struct cfg_field {
	const char			*key;
	enum cfg_ftype			 type;
	unsigned			 flags;
	size_t				 off;
	size_t				 off2;
	long long			 def;	/* INT, BOOL, ENUM default */
	const char			*sdef;	/* STR/PATH/REF default, NULL: none */
	long long			 min, max;	/* INT and INTLIST range */
	const struct cfg_enumval	*enums;	/* ENUM values, NULL-terminated */
	const struct cfg_table		*table;	/* REF target or TABLE rows */
	const char			*doc;
};

struct cfg_ctx;

/* Semantic check of one row once every reference is resolved. */
typedef void (cfg_check_h)(struct cfg_ctx *ctx, struct cfg *cfg, void *row,
    const char *path);

struct cfg_table {
	const char		*key;
	size_t			 elem_size;
	const struct cfg_field	*fields;
	size_t			 off_arr;	/* top level: in struct cfg */
	size_t			 off_n;
	size_t			 off_line;	/* int line of the row */
	int			 has_name;	/* first field is "name", unique */
	cfg_check_h		*check;
	const char		*doc;
};

/* The tables and the global group, in file order of the reference. */
extern const struct cfg_field cfg_global_fields[];
extern const struct cfg_table *const cfg_tables[];

/* Loading context: the arena, the diagnostics and pending references. */
struct cfg_ctx {
	struct cfg		*cfg;
	struct cfg_diag		*diag;
	const char		*file;	/* main file as named by the user */
	const char		*abs;	/* and its absolute path, NULL for strings */
	int			 errors;
	struct cfg_pending	*pending;
	size_t			 npending, cap_pending;
	const void		**bad;	/* rows that did not parse cleanly */
	size_t			 nbad;
};

/* Whether a row had errors while parsing: checks skip it. */
int cfg_row_bad(const struct cfg_ctx *ctx, const void *row);

void *cfg_arena_alloc(struct cfg *cfg, size_t size);	/* zeroed */
char *cfg_arena_strdup(struct cfg *cfg, const char *s);

/* Call fn(arg) when the snapshot is freed, before its arena (for what the
 * arena does not own, e.g. compiled manipulation rules).  0 or ENOMEM. */
typedef void (cfg_cleanup_h)(void *arg);
int cfg_add_cleanup(struct cfg *cfg, cfg_cleanup_h *fn, void *arg);

/* Report an error (counted) or a warning at file:line for a setting path. */
void cfg_error(struct cfg_ctx *ctx, const char *file, int line,
    const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void cfg_warning(struct cfg_ctx *ctx, const char *file, int line,
    const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Error at the line of a row of the main file. */
void cfg_row_error(struct cfg_ctx *ctx, int line, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

const char *cfg_enum_name(const struct cfg_enumval *ev, int value);

/* Cross-table checks run after the per-row ones (cfg_schema.c). */
void cfg_check_all(struct cfg_ctx *ctx, struct cfg *cfg);

/* Split "host", "host:port", "[v6]:port"; port 0 when absent.  0 or EINVAL. */
int cfg_split_hostport(const char *s, char *host, size_t hostlen, int *port);
/* Parse an IP literal. 0 or EINVAL. */
int cfg_parse_ip(const char *s, struct cfg_ip *ip);

#endif
