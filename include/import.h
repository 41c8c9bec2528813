/* import.h: read an AudioCodes Mediant ini export and write the equivalent sbc.conf. */
#ifndef SBCD_IMPORT_H
#define SBCD_IMPORT_H

#include <stddef.h>
#include <stdio.h>

/*
 * The ini format of a Mediant "Configuration File" export:
 *
 *   ;comment                      (also lines starting with '#')
 *   [SIP Params]                  a label for scalar parameters, no closing line
 *   Key = value                   a scalar parameter (value may be quoted)
 *   [ IPGroup ]                   a table opens ...
 *   FORMAT Index = Type, Name, ProxySetName, ...;   its columns (the older
 *                                 form "FORMAT IPGroup_Index = IPGroup_Type, ..."
 *                                 works too: the "Table_" prefix is dropped)
 *   IPGroup 1 = 0, "VC", "PS-VC", ...;              one row per line
 *   [ \IPGroup ]                  ... and closes
 *
 * Values are separated by commas outside double quotes; quotes are
 * removed; "$$" and nothing at all are an empty value.
 *
 * The parser keeps everything it reads, with line numbers; the converter
 * maps the tables sbcd has and writes a "#" comment, naming the ini line,
 * for every row, field, table or scalar it does not carry over.  Nothing is
 * dropped without such a comment.
 */

struct imp_row {
	long	 index;		/* the N of "Table N = ..." */
	int	 line;
	char	**vals;		/* one per column of the table's FORMAT */
	size_t	 nvals;
};

struct imp_table {
	char		*name;
	int		 line;		/* of "[ Name ]" */
	char		**cols;		/* FORMAT columns, prefix removed; NULL if none */
	size_t		 ncols;
	struct imp_row	*rows;
	size_t		 nrows;
};

struct imp_scalar {
	char	*key;
	char	*val;
	int	 line;
};

/* A line the parser could not read: it becomes a comment in the output. */
struct imp_bad {
	int	 line;
	char	*text;
	char	*why;
};

struct imp_ini {
	struct imp_table	*tables;
	size_t			 ntables;
	struct imp_scalar	*scalars;
	size_t			 nscalars;
	struct imp_bad		*bad;
	size_t			 nbad;
};

/* Certificate files of one TLS context (an ini export holds none). */
struct imp_tls_files {
	const char	*context;	/* the TLSContexts Name */
	const char	*certificate;
	const char	*private_key;
	const char	*ca_file;	/* NULL: none */
};

struct imp_opts {
	const char			*source;	/* ini file name for the header */
	const char			*tls_dir;	/* default /etc/sbcd/tls */
	const struct imp_tls_files	*tls;		/* explicit files per context */
	size_t				 ntls;
};

/*
 * Parse len bytes of ini text.  Lines that cannot be read are kept in
 * ini->bad, not refused.  Returns 0 and a new ini in *inip (free it with
 * imp_ini_free), or ENOMEM.
 */
int imp_ini_parse(const char *text, size_t len, struct imp_ini **inip);
void imp_ini_free(struct imp_ini *ini);

/* Lookups; NULL when absent.  Names compare without case. */
const struct imp_table *imp_table_find(const struct imp_ini *ini, const char *name);
const char *imp_scalar_get(const struct imp_ini *ini, const char *key);
/* The value of column col in row r of t; NULL when t has no such column. */
const char *imp_row_get(const struct imp_table *t, const struct imp_row *r, const char *col);

/*
 * Write the sbc.conf equivalent of ini to out.  *nnotes (may be NULL)
 * receives the number of "# ini line" comments written, i.e. the rows,
 * fields, tables and parameters not carried over.  Returns 0, or EIO when
 * writing failed.
 */
int imp_convert(const struct imp_ini *ini, const struct imp_opts *opts, FILE *out,
    unsigned *nnotes);

#endif
