/* cfg_dump.c: print the effective configuration (-T) and the key reference from the schema. */
#include <stdio.h>
#include <string.h>

#include "cfg_int.h"

static void
print_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void dump_rows(FILE *fp, const struct cfg_table *tb, const char *rows,
    size_t n, int indent);

static void
dump_fields(FILE *fp, const struct cfg_field *fields, const void *row, int indent)
{
	for (const struct cfg_field *f = fields; f->key; f++) {
		const char *p = (const char *)row + f->off;

		fprintf(fp, "%*s%s = ", indent, "", f->key);
		switch (f->type) {
		case CFT_INT:
			fprintf(fp, "%d", *(const int *)p);
			break;
		case CFT_BOOL:
			fputs(*(const int *)p ? "true" : "false", fp);
			break;
		case CFT_ENUM:
			print_string(fp, cfg_enum_name(f->enums, *(const int *)p));
			break;
		case CFT_SECRET:
			print_string(fp, *(const char *const *)p ? "********" : "");
			break;
		case CFT_STR:
		case CFT_REF:
		case CFT_PATH: {
			const char *s = *(const char *const *)p;

			print_string(fp, s ? s : "");
			break;
		}
		case CFT_IP: {
			const struct cfg_ip *ip = (const struct cfg_ip *)p;

			print_string(fp, ip->family ? ip->str : "");
			break;
		}
		case CFT_INTLIST: {
			const struct cfg_intlist *il = (const struct cfg_intlist *)p;

			fputc('[', fp);
			for (size_t i = 0; i < il->n; i++)
				fprintf(fp, "%s%d", i ? ", " : " ", il->v[i]);
			fputs(il->n ? " ]" : "]", fp);
			break;
		}
		case CFT_STRLIST: {
			const struct cfg_strlist *sl = (const struct cfg_strlist *)p;

			fputc('[', fp);
			for (size_t i = 0; i < sl->n; i++) {
				fputs(i ? ", " : " ", fp);
				print_string(fp, sl->v[i]);
			}
			fputs(sl->n ? " ]" : "]", fp);
			break;
		}
		case CFT_TABLE:
			fputs("(\n", fp);
			dump_rows(fp, f->table, *(const char *const *)p,
			    *(const size_t *)((const char *)row + f->off2), indent + 2);
			fprintf(fp, "%*s)", indent, "");
			break;
		}
		fputs(";\n", fp);
	}
}

static void
dump_rows(FILE *fp, const struct cfg_table *tb, const char *rows, size_t n,
    int indent)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(fp, "%*s{\n", indent, "");
		dump_fields(fp, tb->fields, rows + i * tb->elem_size, indent + 2);
		fprintf(fp, "%*s}%s\n", indent, "", i + 1 < n ? "," : "");
	}
}

void
cfg_dump(const struct cfg *cfg, FILE *fp)
{
	fprintf(fp, "# effective configuration of %s\n", cfg->path);
	fputs("global = {\n", fp);
	dump_fields(fp, cfg_global_fields, &cfg->global, 2);
	fputs("};\n", fp);
	for (const struct cfg_table *const *tp = cfg_tables; *tp; tp++) {
		const struct cfg_table *tb = *tp;

		fprintf(fp, "%s = (\n", tb->key);
		dump_rows(fp, tb, *(const char *const *)((const char *)cfg + tb->off_arr),
		    *(const size_t *)((const char *)cfg + tb->off_n), 2);
		fputs(");\n", fp);
	}
}

/* ===== reference ===== */

static const char *
type_name(const struct cfg_field *f)
{
	switch (f->type) {
	case CFT_STR:		return "string";
	case CFT_SECRET:	return "string (secret)";
	case CFT_INT:		return "integer";
	case CFT_BOOL:		return "boolean";
	case CFT_ENUM:		return "string";
	case CFT_REF:		return "name";
	case CFT_IP:		return "IP address";
	case CFT_PATH:		return "file";
	case CFT_INTLIST:	return "integer list";
	case CFT_STRLIST:	return "string list";
	case CFT_TABLE:		return "list of groups";
	}
	return "?";
}

static void
ref_fields(FILE *fp, const char *prefix, const struct cfg_field *fields)
{
	fputs("| key | type | default | values | reload | meaning |\n", fp);
	fputs("|---|---|---|---|---|---|\n", fp);
	for (const struct cfg_field *f = fields; f->key; f++) {
		char def[128] = "", vals[256] = "";

		switch (f->type) {
		case CFT_INT:
		case CFT_BOOL:
			if (f->flags & CFF_REQUIRED)
				break;
			if (f->type == CFT_BOOL)
				snprintf(def, sizeof(def), "%s", f->def ? "true" : "false");
			else
				snprintf(def, sizeof(def), "%lld", f->def);
			break;
		case CFT_ENUM:
			if (!(f->flags & CFF_REQUIRED))
				snprintf(def, sizeof(def), "`%s`", cfg_enum_name(f->enums, (int)f->def));
			break;
		default:
			if (f->sdef != NULL)
				snprintf(def, sizeof(def), "`%s`", f->sdef);
			break;
		}
		if (f->flags & CFF_REQUIRED)
			snprintf(def, sizeof(def), "required");
		else if (def[0] == '\0')
			snprintf(def, sizeof(def), "none");
		if (f->type == CFT_INT || f->type == CFT_INTLIST)
			snprintf(vals, sizeof(vals), "%lld..%lld", f->min, f->max);
		else if (f->type == CFT_ENUM) {
			size_t len = 0;

			for (const struct cfg_enumval *ev = f->enums; ev->name; ev++)
				len += (size_t)snprintf(vals + len,
				    len < sizeof(vals) ? sizeof(vals) - len : 0, "%s`%s`",
				    len ? ", " : "", ev->name);
		} else if (f->type == CFT_REF)
			snprintf(vals, sizeof(vals), "a name in `%s`", f->table->key);
		else if (f->type == CFT_TABLE)
			snprintf(vals, sizeof(vals), "`%s.%s` rows", prefix, f->key);
		fprintf(fp, "| `%s` | %s | %s | %s | %s | %s |\n", f->key, type_name(f),
		    def, vals, (f->flags & CFF_RESTART) ? "restart" : "yes", f->doc);
	}
	fputc('\n', fp);
}

static void
ref_table(FILE *fp, const char *prefix, const struct cfg_table *tb)
{
	fprintf(fp, "### `%s`\n\n%s\n\n", prefix, tb->doc);
	ref_fields(fp, prefix, tb->fields);
	for (const struct cfg_field *f = tb->fields; f->key; f++) {
		if (f->type == CFT_TABLE) {
			char sub[128];

			snprintf(sub, sizeof(sub), "%s.%s", prefix, f->key);
			ref_table(fp, sub, f->table);
		}
	}
}

void
cfg_print_reference(FILE *fp)
{
	fputs("### `global`\n\nProcess-wide settings (a group, not a list).\n\n", fp);
	ref_fields(fp, "global", cfg_global_fields);
	for (const struct cfg_table *const *tp = cfg_tables; *tp; tp++)
		ref_table(fp, (*tp)->key, *tp);
}

/* ===== reload: keys that need a restart ===== */

void
cfg_keep_restart_keys(const struct cfg *running, struct cfg *next,
    struct cfg_diag *diag)
{
	for (const struct cfg_field *f = cfg_global_fields; f->key; f++) {
		const char	**a, **b;

		if (!(f->flags & CFF_RESTART))
			continue;
		/* restart keys are all strings or paths */
		a = (const char **)((char *)&running->global + f->off);
		b = (const char **)((char *)&next->global + f->off);
		if ((*a == NULL) != (*b == NULL) || (*a && strcmp(*a, *b) != 0)) {
			cfg_diag_add(diag, "%s:%d: warning: global.%s: changed from \"%s\" to "
			    "\"%s\"; this takes effect only after a restart", next->path,
			    next->global.line, f->key, *a ? *a : "", *b ? *b : "");
			diag->nwarn++;
			*b = *a ? cfg_arena_strdup(next, *a) : NULL;
		}
	}
}
