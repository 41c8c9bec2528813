/* manip.c: SIP message manipulation rules in AudioCodes syntax, compiled at load, applied per message. */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/msg_mclass.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/url.h>

#include "manip.h"

/*
 * A rule is compiled into a message type matcher, a condition tree, an
 * element ("subject") and a value (terms joined with +).  At run time every
 * element is read as text: the header's value is encoded by sofia, split
 * into display name, URL and parameters, changed, joined again and parsed by
 * sofia into a new header that replaces the old one.  Text in, text out
 * keeps one code path for sofia's known headers and its unknown ones (which
 * include P-Asserted-Identity and Diversion: the default message class does
 * not parse them).
 */

#define MAXP	32	/* parameters of one header or URL we handle */

/* ===== compiled form ===== */

enum mt_dir {
	MT_BOTH = 0,
	MT_REQUEST,
	MT_RESPONSE,
};

struct mtype {
	char	*method;	/* NULL: any */
	int	 dir;		/* enum mt_dir */
	int	 code_lo, code_hi;	/* 0: any status */
};

enum src {
	SRC_HEADER = 0,
	SRC_RURI,		/* header.request-uri: the request line */
	SRC_PARAM,		/* param.*: given by the caller */
};

enum el {
	EL_WHOLE = 0,		/* the header's value, or the Request-URI */
	EL_URL,
	EL_USER,
	EL_HOST,
	EL_PORT,
	EL_URLPARAM,
	EL_PARAM,		/* header parameter */
	EL_NAME,		/* display name */
	EL_REFRESHER,		/* Session-Expires refresher */
	EL_TIME,		/* the value before the parameters (delta seconds) */
};

struct subj {
	int	 src;		/* enum src */
	char	*hname;		/* as written */
	int	 index;		/* -1: the first instance (every one for remove) */
	int	 el;		/* enum el */
	char	*pname;		/* EL_PARAM, EL_URLPARAM */
	size_t	 poff;		/* SRC_PARAM: offset of a const char * in manip_ctx */
};

enum tkind {
	T_LIT = 0,
	T_SUBJ,
	T_CAP,
};

struct term {
	int		 kind;	/* enum tkind */
	char		*lit;
	struct subj	 subj;
	int		 cap;	/* $0..$9 */
};

struct value {
	struct term	*t;
	size_t		 n;
};

enum cop {
	C_AND = 0, C_OR,
	C_EQ, C_NE, C_CONTAINS, C_NCONTAINS, C_EXISTS, C_NEXISTS, C_REGEX,
	C_GT, C_LT, C_GE, C_LE,
	C_NUM_EQ, C_NUM_NE, C_NUM_GT, C_NUM_LT, C_NUM_GE, C_NUM_LE,
};

struct cond {
	int		 op;	/* enum cop */
	struct cond	*l, *r;	/* AND, OR */
	struct value	 lhs, rhs;
	regex_t		 re;
	int		 has_re;
};

struct manip_rule {
	struct mtype	 mt;
	struct cond	*cond;	/* NULL: true */
	struct subj	 subj;
	int		 action;	/* enum cfg_man_action */
	struct value	 val;
	int		 previous;	/* row role previous */
};

static const struct {
	const char	*name;
	int		 op;
} ops[] = {
	{ "==", C_EQ }, { "!=", C_NE }, { "contains", C_CONTAINS }, { "!contains", C_NCONTAINS },
	{ "exists", C_EXISTS }, { "!exists", C_NEXISTS }, { "regex", C_REGEX },
	{ ">", C_GT }, { "<", C_LT }, { ">=", C_GE }, { "<=", C_LE },
	{ "num==", C_NUM_EQ }, { "num!=", C_NUM_NE }, { "num>", C_NUM_GT }, { "num<", C_NUM_LT },
	{ "num>=", C_NUM_GE }, { "num<=", C_NUM_LE },
};

static const struct {
	const char	*name;
	size_t		 off;
} params[] = {
	{ "message.address.src.address", offsetof(struct manip_ctx, msg_src.ip) },
	{ "message.address.src.ip", offsetof(struct manip_ctx, msg_src.ip) },
	{ "message.address.src.port", offsetof(struct manip_ctx, msg_src.port) },
	{ "message.address.src.sipinterface", offsetof(struct manip_ctx, msg_src.sipinterface) },
	{ "message.address.dst.address", offsetof(struct manip_ctx, msg_dst.ip) },
	{ "message.address.dst.ip", offsetof(struct manip_ctx, msg_dst.ip) },
	{ "message.address.dst.port", offsetof(struct manip_ctx, msg_dst.port) },
	{ "message.address.dst.sipinterface", offsetof(struct manip_ctx, msg_dst.sipinterface) },
	{ "ipg.src.host", offsetof(struct manip_ctx, ipg_src.host) },
	{ "ipg.src.user", offsetof(struct manip_ctx, ipg_src.user) },
	{ "ipg.src.id", offsetof(struct manip_ctx, ipg_src.id) },
	{ "ipg.src.name", offsetof(struct manip_ctx, ipg_src.name) },
	{ "ipg.dst.host", offsetof(struct manip_ctx, ipg_dst.host) },
	{ "ipg.dst.user", offsetof(struct manip_ctx, ipg_dst.user) },
	{ "ipg.dst.id", offsetof(struct manip_ctx, ipg_dst.id) },
	{ "ipg.dst.name", offsetof(struct manip_ctx, ipg_dst.name) },
	{ "call.src.user", offsetof(struct manip_ctx, call_src.user) },
	{ "call.src.host", offsetof(struct manip_ctx, call_src.host) },
	{ "call.dst.user", offsetof(struct manip_ctx, call_dst.user) },
	{ "call.dst.host", offsetof(struct manip_ctx, call_dst.host) },
};

/* Headers a rule may change but never add or remove (AudioCodes B1). */
static const char *const mandatory[] = {
	"From", "To", "Call-ID", "CSeq", "Via", "Max-Forwards",
};

/* ===== freeing ===== */

static void
subj_free(struct subj *s)
{
	free(s->hname);
	free(s->pname);
}

static void
value_free(struct value *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->t[i].lit);
		subj_free(&v->t[i].subj);
	}
	free(v->t);
	v->t = NULL;
	v->n = 0;
}

static void
cond_free(struct cond *c)
{
	if (c == NULL)
		return;
	cond_free(c->l);
	cond_free(c->r);
	value_free(&c->lhs);
	value_free(&c->rhs);
	if (c->has_re)
		regfree(&c->re);
	free(c);
}

void
manip_rule_free(struct manip_rule *rule)
{
	if (rule == NULL)
		return;
	free(rule->mt.method);
	cond_free(rule->cond);
	subj_free(&rule->subj);
	value_free(&rule->val);
	free(rule);
}

/* ===== lexer of conditions and values ===== */

enum tk {
	TK_END = 0,
	TK_WORD,
	TK_STR,		/* 'text', quotes included in tok/len */
	TK_OP,
	TK_LP,
	TK_RP,
	TK_PLUS,
};

struct lex {
	const char	*field;	/* "condition" or "value" */
	const char	*p;	/* next character */
	int		 type;	/* enum tk */
	const char	*tok;	/* current token as written */
	size_t		 len;
	char		*err;
	size_t		 errlen;
	int		 failed;
	int		 nomem;
};

/* Record the first error, naming the current token. */
static int
lex_fail(struct lex *lx, const char *what)
{
	if (lx->failed)
		return -1;
	lx->failed = 1;
	if (lx->type == TK_END && lx->len == 0)
		snprintf(lx->err, lx->errlen, "%s: %s at end", lx->field, what);
	else
		snprintf(lx->err, lx->errlen, "%s: %s at \"%.*s\"", lx->field, what,
		    (int)(lx->len > 80 ? 80 : lx->len), lx->tok);
	return -1;
}

static int
lex_nomem(struct lex *lx)
{
	lx->nomem = 1;
	return lex_fail(lx, "out of memory");
}

#define WORD_STOP	"'\"()+=!<>"

static int
lex_next(struct lex *lx)
{
	const char	*p = lx->p, *q;

	while (isspace((unsigned char)*p))
		p++;
	lx->tok = p;
	lx->len = 0;
	if (*p == '\0') {
		lx->type = TK_END;
		lx->p = p;
		return 0;
	}
	if (*p == '\'') {
		q = strchr(p + 1, '\'');
		lx->type = TK_STR;
		if (q == NULL) {
			lx->len = strlen(p);
			return lex_fail(lx, "unterminated string");
		}
		lx->len = (size_t)(q + 1 - p);
		lx->p = q + 1;
		return 0;
	}
	if (*p == '"') {
		q = strchr(p + 1, '"');
		lx->type = TK_STR;
		lx->len = q ? (size_t)(q + 1 - p) : strlen(p);
		return lex_fail(lx, "strings take single quotes");
	}
	if (*p == '(' || *p == ')' || *p == '+') {
		lx->type = *p == '(' ? TK_LP : *p == ')' ? TK_RP : TK_PLUS;
		lx->len = 1;
		lx->p = p + 1;
		return 0;
	}
	if (strchr("=!<>", *p) != NULL) {
		q = p + 1;
		if (*p == '!' && isalpha((unsigned char)*q))
			while (isalpha((unsigned char)*q))
				q++;
		else if (*q == '=')
			q++;
		lx->type = TK_OP;
		lx->len = (size_t)(q - p);
		lx->p = q;
		return 0;
	}
	for (q = p; *q && !isspace((unsigned char)*q) && strchr(WORD_STOP, *q) == NULL; q++)
		;
	lx->type = TK_WORD;
	if (q - p == 3 && strncasecmp(p, "num", 3) == 0 && strchr("=!<>", *q) != NULL) {
		q++;
		if (*q == '=')
			q++;
		lx->type = TK_OP;
	}
	lx->len = (size_t)(q - p);
	lx->p = q;
	return 0;
}

static int
lex_is(const struct lex *lx, const char *kw)
{
	return (lx->type == TK_WORD || lx->type == TK_OP) && lx->len == strlen(kw) &&
	    strncasecmp(lx->tok, kw, lx->len) == 0;
}

/* ===== elements: header.<name>[.<index>][.<part>] and param.* ===== */

static int
is_token_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	return 1;
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* The canonical name of a header sofia knows ("f" -> "From"), else name. */
static const char *
canon_name(const char *name)
{
	msg_mclass_t const	*mc = sip_default_mclass();
	msg_href_t const	*hr = msg_find_hclass(mc, name, NULL);

	if (hr != NULL && hr->hr_class != NULL && hr != mc->mc_unknown && hr != mc->mc_error &&
	    hr->hr_class->hc_name != NULL && *hr->hr_class->hc_name != '\0')
		return hr->hr_class->hc_name;
	return name;
}

/* Join parts[from..n) with '.', into a malloc'd string. */
static char *
join_parts(char **parts, size_t from, size_t n)
{
	size_t	 len = 0;
	char	*s;

	for (size_t i = from; i < n; i++)
		len += strlen(parts[i]) + 1;
	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	*s = '\0';
	for (size_t i = from; i < n; i++) {
		if (i > from)
			strcat(s, ".");
		strcat(s, parts[i]);
	}
	return s;
}

/*
 * Parse an element as written (n bytes of w) into s.  Returns NULL, or what
 * is wrong (a static string); *nomem is set when memory ran out.
 */
static const char *
subj_parse(const char *w, size_t n, struct subj *s, int *nomem)
{
	char		 buf[256];
	char		*parts[16];
	size_t		 np = 0, i;
	const char	*canon;
	int		 ruri;

	memset(s, 0, sizeof(*s));
	s->index = -1;
	if (n >= sizeof(buf))
		return "element name too long";
	memcpy(buf, w, n);
	buf[n] = '\0';
	for (char *p = buf, *dot; ; p = dot + 1) {
		if (np == sizeof(parts) / sizeof(parts[0]))
			return "element name has too many parts";
		parts[np++] = p;
		if ((dot = strchr(p, '.')) == NULL)
			break;
		*dot = '\0';
	}
	for (i = 0; i < np; i++)
		if (*parts[i] == '\0')
			return "empty part in element name";

	if (strcasecmp(parts[0], "param") == 0) {
		char *name = join_parts(parts, 1, np);

		if (name == NULL) {
			*nomem = 1;
			return "out of memory";
		}
		for (char *c = name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		s->src = SRC_PARAM;
		for (i = 0; i < sizeof(params) / sizeof(params[0]); i++)
			if (strcmp(name, params[i].name) == 0)
				break;
		free(name);
		if (i == sizeof(params) / sizeof(params[0]))
			return "unknown parameter (param.message.address.src|dst.*, "
			    "param.ipg.src|dst.*, param.call.src|dst.*)";
		s->poff = params[i].off;
		return NULL;
	}
	if (strcasecmp(parts[0], "header") != 0)
		return "unknown element (header.<name>... or param....)";
	if (np < 2)
		return "header needs a name";
	if (!is_token_name(parts[1]))
		return "bad header name";
	if ((s->hname = strdup(parts[1])) == NULL) {
		*nomem = 1;
		return "out of memory";
	}
	ruri = strcasecmp(s->hname, "request-uri") == 0;
	canon = canon_name(s->hname);
	i = 2;
	if (i < np && all_digits(parts[i])) {
		if (ruri || strlen(parts[i]) > 3)
			return "bad header index";
		s->index = atoi(parts[i]);
		i++;
	}
	s->src = ruri ? SRC_RURI : SRC_HEADER;
	if (i == np) {
		s->el = EL_WHOLE;
	} else if (strcasecmp(parts[i], "url") == 0 || strcasecmp(parts[i], "uri") == 0) {
		if (i + 1 == np)
			s->el = EL_URL;
		else if (i + 2 == np && strcasecmp(parts[i + 1], "user") == 0)
			s->el = EL_USER;
		else if (i + 2 == np && strcasecmp(parts[i + 1], "host") == 0)
			s->el = EL_HOST;
		else if (i + 2 == np && strcasecmp(parts[i + 1], "port") == 0)
			s->el = EL_PORT;
		else if (i + 2 < np && strcasecmp(parts[i + 1], "param") == 0) {
			s->el = EL_URLPARAM;
			s->pname = join_parts(parts, i + 2, np);
		} else
			return "unknown URL element (url, url.user, url.host, url.port, "
			    "url.param.<name>)";
	} else if (i + 1 == np && strcasecmp(parts[i], "user") == 0) {
		s->el = EL_USER;
	} else if (i + 1 == np && strcasecmp(parts[i], "host") == 0) {
		s->el = EL_HOST;
	} else if (i + 1 == np && strcasecmp(parts[i], "port") == 0) {
		s->el = EL_PORT;
	} else if (i + 1 < np && (strcasecmp(parts[i], "param") == 0 ||
	    strcasecmp(parts[i], "header-param") == 0)) {
		s->el = EL_PARAM;
		s->pname = join_parts(parts, i + 1, np);
	} else if (i + 1 < np && (strcasecmp(parts[i], "uri-param") == 0 ||
	    strcasecmp(parts[i], "url-param") == 0)) {
		s->el = EL_URLPARAM;
		s->pname = join_parts(parts, i + 1, np);
	} else if (i + 1 == np && strcasecmp(parts[i], "name") == 0) {
		s->el = EL_NAME;
	} else if (i + 1 == np && strcasecmp(parts[i], "refresher") == 0) {
		if (strcmp(canon, "Session-Expires") != 0)
			return "refresher is an element of header.session-expires only";
		s->el = EL_REFRESHER;
	} else if (i + 1 == np && strcasecmp(parts[i], "time") == 0) {
		if (strcmp(canon, "Session-Expires") != 0 && strcmp(canon, "Min-SE") != 0 &&
		    strcmp(canon, "Expires") != 0)
			return "time is an element of header.session-expires, min-se and "
			    "expires only";
		s->el = EL_TIME;
	} else
		return "unknown header element (url..., user, host, port, param.<name>, "
		    "name, refresher, time)";
	if ((s->el == EL_PARAM || s->el == EL_URLPARAM) && s->pname == NULL) {
		*nomem = 1;
		return "out of memory";
	}
	if (ruri && s->el != EL_WHOLE && s->el != EL_URL && s->el != EL_USER &&
	    s->el != EL_HOST && s->el != EL_PORT && s->el != EL_URLPARAM)
		return "header.request-uri has only url, url.user, url.host, url.port "
		    "and url.param.<name>";
	return NULL;
}

/* ===== values: terms joined with + ===== */

static int
parse_term(struct lex *lx, struct term *t)
{
	const char	*why;
	int		 nomem = 0;

	memset(t, 0, sizeof(*t));
	if (lx->type == TK_STR) {
		t->kind = T_LIT;
		if ((t->lit = strndup(lx->tok + 1, lx->len - 2)) == NULL)
			return lex_nomem(lx);
		return lex_next(lx);
	}
	if (lx->type == TK_WORD && lx->tok[0] == '$') {
		if (lx->len != 2 || !isdigit((unsigned char)lx->tok[1]))
			return lex_fail(lx, "a regex capture is $0 to $9");
		t->kind = T_CAP;
		t->cap = lx->tok[1] - '0';
		return lex_next(lx);
	}
	if (lx->type == TK_WORD) {
		t->kind = T_SUBJ;
		if ((why = subj_parse(lx->tok, lx->len, &t->subj, &nomem)) != NULL) {
			if (nomem)
				lx->nomem = 1;
			return lex_fail(lx, why);
		}
		return lex_next(lx);
	}
	return lex_fail(lx, "expected a value ('text', header..., param... or $1)");
}

static int
parse_value(struct lex *lx, struct value *v)
{
	for (;;) {
		struct term *t = realloc(v->t, (v->n + 1) * sizeof(*t));

		if (t == NULL)
			return lex_nomem(lx);
		v->t = t;
		v->n++;
		if (parse_term(lx, &v->t[v->n - 1]) == -1)
			return -1;
		if (lx->type != TK_PLUS)
			return 0;
		if (lex_next(lx) == -1)
			return -1;
	}
}

/* ===== conditions: AND binds tighter than OR, both left to right ===== */

static struct cond *parse_or(struct lex *lx);

static struct cond *
cond_node(struct lex *lx, int op, struct cond *l, struct cond *r)
{
	struct cond *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		cond_free(l);
		cond_free(r);
		lex_nomem(lx);
		return NULL;
	}
	c->op = op;
	c->l = l;
	c->r = r;
	return c;
}


/*
 * glibc's regcomp() builds a repetition by copying its operand (x{n} is n
 * copies, x+ is xx*), so nested repetitions multiply: "\\+++...+" asked
 * for 2 GB (found by fuzz_manip).  Refuse adjacent repetition operators
 * (undefined in POSIX EREs, XBD 9.4.6) and patterns whose repetitions nest
 * to more than REGEX_MAX_COPIES copies of one atom.  1 when refused.
 */
#define REGEX_MAX_COPIES	1000
#define REGEX_MAX_DEPTH		32

static int
regex_too_costly(const char *p)
{
	unsigned long	 gmax[REGEX_MAX_DEPTH + 1];	/* copies of the costliest atom per open group */
	unsigned long	 last = 0;	/* copies of the atom a repetition would apply to */
	unsigned long	 f, lo, hi;
	size_t		 sp = 0;
	int		 quant = 0;	/* the previous token was a repetition */
	char		*end;

	gmax[0] = 1;
	while (*p != '\0') {
		switch (*p) {
		case '*': case '+': case '?': case '{':
			if (quant)
				return 1;
			f = 2;
			if (*p == '?')
				f = 1;
			else if (*p == '{') {
				lo = strtoul(p + 1, &end, 10);
				hi = lo + 1;
				if (*end == ',')
					hi = end[1] == '}' ? lo + 1 : strtoul(end + 1, &end, 10);
				else
					hi = lo;
				if ((end = strchr(p, '}')) == NULL) {
					last = 1;	/* a plain '{' */
					quant = 0;
					p++;
					continue;
				}
				/* regcomp refuses more than RE_DUP_MAX (32767) */
				f = hi > 0 ? (hi < 32768 ? hi : 32768) : 1;
				p = end;
			}
			if (last > 0 && last * f > gmax[sp])
				gmax[sp] = last * f;
			if (gmax[sp] > REGEX_MAX_COPIES)
				return 1;
			last = last * f;
			quant = 1;
			p++;
			continue;
		case '(':
			if (sp == REGEX_MAX_DEPTH)
				return 1;
			gmax[++sp] = 1;
			last = 0;
			break;
		case ')':
			if (sp == 0) {	/* glibc takes an unmatched ')' as itself */
				last = 1;
				break;
			}
			last = gmax[sp--];
			if (last > gmax[sp])
				gmax[sp] = last;
			break;
		case '|':
			last = 0;
			break;
		case '[':	/* a bracket expression is one atom */
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p != '\0' && *p != ']') {
				if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
					char close = p[1];

					for (p += 2; *p != '\0' && !(p[0] == close && p[1] == ']'); p++)
						;
					if (*p == '\0')
						return 0;
					p++;
				}
				p++;
			}
			if (*p == '\0')
				return 0;
			last = 1;
			break;
		case '\\':
			if (p[1] != '\0')
				p++;
			last = 1;
			break;
		default:
			last = 1;
			break;
		}
		quant = 0;
		p++;
	}
	return 0;
}

static struct cond *
parse_prim(struct lex *lx)
{
	struct cond	*c;
	size_t		 i;

	if (lx->type == TK_LP) {
		if (lex_next(lx) == -1 || (c = parse_or(lx)) == NULL)
			return NULL;
		if (lx->type != TK_RP) {
			lex_fail(lx, "expected )");
			cond_free(c);
			return NULL;
		}
		if (lex_next(lx) == -1) {
			cond_free(c);
			return NULL;
		}
		return c;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		lex_nomem(lx);
		return NULL;
	}
	if (parse_value(lx, &c->lhs) == -1)
		goto fail;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (lex_is(lx, ops[i].name))
			break;
	if (i == sizeof(ops) / sizeof(ops[0])) {
		lex_fail(lx, "expected an operator (==, !=, contains, !contains, exists, "
		    "!exists, regex, <, >, num>, ...)");
		goto fail;
	}
	c->op = ops[i].op;
	if ((c->op == C_EXISTS || c->op == C_NEXISTS) &&
	    (c->lhs.n != 1 || c->lhs.t[0].kind != T_SUBJ)) {
		lex_fail(lx, "exists needs one header... or param... element before it");
		goto fail;
	}
	if (lex_next(lx) == -1)
		goto fail;
	if (c->op == C_EXISTS || c->op == C_NEXISTS)
		return c;
	if (c->op == C_REGEX) {
		char	*pat;
		int	 rc;

		if (lx->type != TK_STR) {
			lex_fail(lx, "regex needs a 'quoted' pattern");
			goto fail;
		}
		if ((pat = strndup(lx->tok + 1, lx->len - 2)) == NULL) {
			lex_nomem(lx);
			goto fail;
		}
		if (regex_too_costly(pat)) {
			free(pat);
			lex_fail(lx, "regular expression too costly (adjacent or deeply "
			    "nested repetitions)");
			goto fail;
		}
		rc = regcomp(&c->re, pat, REG_EXTENDED);
		free(pat);
		if (rc != 0) {
			char	re_err[128], what[160];

			regerror(rc, &c->re, re_err, sizeof(re_err));
			snprintf(what, sizeof(what), "bad regular expression (%s)", re_err);
			lex_fail(lx, what);
			goto fail;
		}
		c->has_re = 1;
		if (lex_next(lx) == -1)
			goto fail;
		return c;
	}
	if (parse_value(lx, &c->rhs) == -1)
		goto fail;
	return c;
 fail:
	cond_free(c);
	return NULL;
}

static struct cond *
parse_and(struct lex *lx)
{
	struct cond *l, *r;

	if ((l = parse_prim(lx)) == NULL)
		return NULL;
	while (lex_is(lx, "and")) {
		if (lex_next(lx) == -1 || (r = parse_prim(lx)) == NULL) {
			cond_free(l);
			return NULL;
		}
		if ((l = cond_node(lx, C_AND, l, r)) == NULL)
			return NULL;
	}
	return l;
}

static struct cond *
parse_or(struct lex *lx)
{
	struct cond *l, *r;

	if ((l = parse_and(lx)) == NULL)
		return NULL;
	while (lex_is(lx, "or")) {
		if (lex_next(lx) == -1 || (r = parse_and(lx)) == NULL) {
			cond_free(l);
			return NULL;
		}
		if ((l = cond_node(lx, C_OR, l, r)) == NULL)
			return NULL;
	}
	return l;
}

/* ===== message types ===== */

/* "any", "<method>", "<method>.request", "<method>.response[.NNN|.Nxx]" */
static int
mt_compile(const char *text, struct mtype *mt)
{
	char	 buf[64];
	char	*method, *dir, *code;

	memset(mt, 0, sizeof(*mt));
	if (strlen(text) >= sizeof(buf))
		return -1;
	for (size_t i = 0; ; i++) {
		buf[i] = (char)tolower((unsigned char)text[i]);
		if (text[i] == '\0')
			break;
	}
	method = buf;
	if ((dir = strchr(method, '.')) != NULL)
		*dir++ = '\0';
	if (!is_token_name(method))
		return -1;
	if (dir != NULL) {
		if ((code = strchr(dir, '.')) != NULL)
			*code++ = '\0';
		if (strcmp(dir, "request") == 0 && code == NULL)
			mt->dir = MT_REQUEST;
		else if (strcmp(dir, "response") == 0)
			mt->dir = MT_RESPONSE;
		else
			return -1;
		if (code != NULL) {
			if (strlen(code) != 3 || code[0] < '1' || code[0] > '6')
				return -1;
			if (strcmp(code + 1, "xx") == 0) {
				mt->code_lo = (code[0] - '0') * 100;
				mt->code_hi = mt->code_lo + 99;
			} else if (all_digits(code)) {
				mt->code_lo = mt->code_hi = atoi(code);
			} else
				return -1;
		}
	}
	if (strcmp(method, "any") != 0 && (mt->method = strdup(method)) == NULL)
		return ENOMEM;
	return 0;
}

/* ===== compile ===== */

static int
blank(const char *s)
{
	if (s == NULL)
		return 1;
	while (isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

static const char *
action_name(int action)
{
	static const char *const names[] = { "add", "remove", "modify", "add-prefix",
	    "add-suffix", "remove-prefix", "remove-suffix", "normalize" };

	if (action < 0 || (size_t)action >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[action];
}

/* What is wrong with doing rule->action on rule->subj, or NULL. */
static const char *
check_action(const struct manip_rule *rl)
{
	const struct subj	*s = &rl->subj;
	const char		*canon;

	if (s->src == SRC_PARAM)
		return "a parameter cannot be changed";
	if (rl->action < CFG_MA_ADD || rl->action > CFG_MA_NORMALIZE)
		return "unknown action";
	canon = s->src == SRC_HEADER ? canon_name(s->hname) : "";
	if (s->el == EL_WHOLE && (rl->action == CFG_MA_REMOVE || rl->action == CFG_MA_ADD)) {
		for (size_t i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++)
			if (strcmp(canon, mandatory[i]) == 0)
				return rl->action == CFG_MA_REMOVE ?
				    "a mandatory header cannot be removed" :
				    "a mandatory header cannot be added";
		if (s->src == SRC_RURI)
			return "the Request-URI cannot be added or removed";
	}
	if (rl->action == CFG_MA_REMOVE && (s->el == EL_URL || s->el == EL_HOST ||
	    s->el == EL_TIME))
		return "this element cannot be removed (only changed)";
	if (rl->action == CFG_MA_NORMALIZE && s->el != EL_WHOLE && s->el != EL_URL &&
	    s->el != EL_USER)
		return "normalize applies to a header, its url or its url.user";
	return NULL;
}

/* A literal value must suit the element: refresher uac/uas/1/2, time digits. */
static const char *
check_literal(const struct manip_rule *rl)
{
	const char *v;

	if (rl->val.n != 1 || rl->val.t[0].kind != T_LIT)
		return NULL;
	v = rl->val.t[0].lit;
	if (rl->subj.el == EL_REFRESHER && rl->action == CFG_MA_MODIFY &&
	    strcasecmp(v, "uac") != 0 && strcasecmp(v, "uas") != 0 &&
	    strcmp(v, "1") != 0 && strcmp(v, "2") != 0)
		return "refresher is 'uac' ('1') or 'uas' ('2')";
	if (rl->subj.el == EL_TIME && rl->action == CFG_MA_MODIFY && !all_digits(v))
		return "time is a number of seconds";
	return NULL;
}

int
manip_compile(const struct cfg_man_rule *r, struct manip_rule **out, char *err,
    size_t errlen)
{
	struct manip_rule	*rl;
	struct lex		 lx;
	const char		*why, *subj;
	size_t			 n;
	int			 rc, nomem = 0;

	*out = NULL;
	if (errlen > 0)
		*err = '\0';
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return ENOMEM;
	rl->action = r->action;
	rl->previous = r->row_role == CFG_ROW_PREVIOUS;

	if ((rc = mt_compile(r->message_type ? r->message_type : "any", &rl->mt)) != 0) {
		if (rc == ENOMEM)
			goto nomem;
		snprintf(err, errlen, "message_type: not any, <method>, <method>.request or "
		    "<method>.response[.code|.Nxx] at \"%s\"", r->message_type);
		goto bad;
	}

	memset(&lx, 0, sizeof(lx));
	lx.err = err;
	lx.errlen = errlen;
	if (!blank(r->condition)) {
		lx.field = "condition";
		lx.p = r->condition;
		if (rl->previous) {
			snprintf(err, errlen, "condition: not used with row_role previous (the "
			    "previous rule's applies) at \"%s\"", r->condition);
			goto bad;
		}
		if (lex_next(&lx) == -1 || (rl->cond = parse_or(&lx)) == NULL)
			goto lexbad;
		if (lx.type != TK_END) {
			lex_fail(&lx, "expected AND, OR or the end of the condition");
			goto lexbad;
		}
	}

	subj = r->subject ? r->subject : "";
	while (isspace((unsigned char)*subj))
		subj++;
	n = strlen(subj);
	while (n > 0 && isspace((unsigned char)subj[n - 1]))
		n--;
	if ((why = subj_parse(subj, n, &rl->subj, &nomem)) != NULL ||
	    (why = check_action(rl)) != NULL) {
		if (nomem)
			goto nomem;
		snprintf(err, errlen, "subject: %s at \"%.*s\"", why, (int)n, subj);
		goto bad;
	}

	if (rl->action != CFG_MA_REMOVE && rl->action != CFG_MA_NORMALIZE) {
		memset(&lx, 0, sizeof(lx));
		lx.err = err;
		lx.errlen = errlen;
		lx.field = "value";
		lx.p = r->value ? r->value : "";
		if (lex_next(&lx) == -1)
			goto lexbad;
		if (lx.type == TK_END) {
			snprintf(err, errlen, "value: action %s needs a value at end",
			    action_name(rl->action));
			goto bad;
		}
		if (parse_value(&lx, &rl->val) == -1)
			goto lexbad;
		if (lx.type != TK_END) {
			lex_fail(&lx, "expected + or the end of the value");
			goto lexbad;
		}
		if ((why = check_literal(rl)) != NULL) {
			snprintf(err, errlen, "value: %s at \"%s\"", why, r->value);
			goto bad;
		}
	}
	*out = rl;
	return 0;
 lexbad:
	if (lx.nomem)
		goto nomem;
 bad:
	manip_rule_free(rl);
	return EINVAL;
 nomem:
	manip_rule_free(rl);
	snprintf(err, errlen, "subject: out of memory at end");
	return ENOMEM;
}

/* ===== run time: text helpers in a scratch home ===== */

struct run {
	msg_t			*msg;
	sip_t			*sip;
	const struct manip_ctx	*ctx;
	su_home_t		*home;	/* scratch, freed after the set */
	char			*cap[10];	/* captures of the last regex matched */
};

struct sb {
	su_home_t	*home;
	char		*s;
	size_t		 len, cap;
	int		 err;
};

static void
sb_addn(struct sb *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t	 cap = (b->len + n + 1) * 2;
		char	*p = su_realloc(b->home, b->s, (isize_t)cap);

		if (p == NULL) {
			b->err = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
sb_add(struct sb *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

static char *
sb_str(struct sb *b)
{
	if (b->err)
		return NULL;
	return b->s ? b->s : su_strdup(b->home, "");
}

/* Copy n bytes of s without the blanks around them. */
static char *
trimdup(su_home_t *home, const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return su_strndup(home, s, (isize_t)n);
}

/* Past the quoted string that starts at p (at its closing quote or NUL). */
static const char *
skip_quoted(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	return p;
}

struct plist {
	size_t	 n;
	char	*name[MAXP];
	char	*val[MAXP];	/* NULL: a parameter without '=' */
};

/* Split ";a=1;b;c=\"x;y\"" (from its first ';') into pl.  0 or -1. */
static int
plist_parse(su_home_t *home, const char *s, const char *end, struct plist *pl)
{
	const char *p = s, *start;

	while (p < end) {
		const char *eq = NULL;

		if (*p != ';') {
			p++;
			continue;
		}
		start = ++p;
		while (p < end && *p != ';') {
			if (*p == '"') {
				p = skip_quoted(p);
				if (*p == '\0')
					break;
			} else if (*p == '=' && eq == NULL)
				eq = p;
			p++;
		}
		if (p > end)
			p = end;
		if (trimdup(home, start, (size_t)(p - start))[0] == '\0')
			continue;
		if (pl->n == MAXP)
			return -1;
		pl->name[pl->n] = trimdup(home, start, (size_t)((eq ? eq : p) - start));
		pl->val[pl->n] = eq ? trimdup(home, eq + 1, (size_t)(p - eq - 1)) : NULL;
		if (pl->name[pl->n] == NULL || (eq && pl->val[pl->n] == NULL))
			return -1;
		pl->n++;
	}
	return 0;
}

static int
plist_find(const struct plist *pl, const char *name)
{
	for (size_t i = 0; i < pl->n; i++)
		if (strcasecmp(pl->name[i], name) == 0)
			return (int)i;
	return -1;
}

static void
plist_del(struct plist *pl, size_t i)
{
	memmove(&pl->name[i], &pl->name[i + 1], (pl->n - i - 1) * sizeof(pl->name[0]));
	memmove(&pl->val[i], &pl->val[i + 1], (pl->n - i - 1) * sizeof(pl->val[0]));
	pl->n--;
}

/* Set name=val (val "" or NULL: a bare name), appended when absent. */
static int
plist_set(su_home_t *home, struct plist *pl, const char *name, const char *val)
{
	int i = plist_find(pl, name);

	if (i < 0) {
		if (pl->n == MAXP)
			return -1;
		i = (int)pl->n++;
		pl->name[i] = su_strdup(home, name);
	}
	pl->val[i] = val && *val ? su_strdup(home, val) : NULL;
	return 0;
}

static void
plist_add(struct sb *b, const struct plist *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		sb_add(b, ";");
		sb_add(b, pl->name[i]);
		if (pl->val[i] != NULL) {
			sb_add(b, "=");
			sb_add(b, pl->val[i]);
		}
	}
}

/*
 * A header value split into [display] <url> [mid] ;params, or, without
 * angle brackets, url ;params (the value before its parameters: a URL for
 * address headers, "1800" for Session-Expires, "SIP/2.0/UDP h" for Via).
 */
struct hv {
	char		*disp;	/* as written, "" for none */
	int		 angle;
	char		*url;
	char		*mid;	/* after '>' up to the parameters, normally "" */
	struct plist	 pl;
};

static int
hv_parse(su_home_t *home, const char *v, struct hv *hv)
{
	const char *p, *rest;

	memset(hv, 0, sizeof(*hv));
	for (p = v; *p && *p != '<' && *p != ';'; p++)
		if (*p == '"' && *(p = skip_quoted(p)) == '\0')
			break;
	if (*p == '<') {
		const char *gt = strchr(p, '>');

		if (gt == NULL)
			return -1;
		hv->angle = 1;
		hv->disp = trimdup(home, v, (size_t)(p - v));
		hv->url = su_strndup(home, p + 1, (isize_t)(gt - p - 1));
		rest = gt + 1;
		p = strchr(rest, ';');
		if (p == NULL)
			p = rest + strlen(rest);
		hv->mid = trimdup(home, rest, (size_t)(p - rest));
	} else {
		hv->disp = su_strdup(home, "");
		hv->url = trimdup(home, v, (size_t)(p - v));
		hv->mid = su_strdup(home, "");
	}
	if (hv->disp == NULL || hv->url == NULL || hv->mid == NULL)
		return -1;
	return plist_parse(home, p, p + strlen(p), &hv->pl);
}

static char *
hv_build(su_home_t *home, const struct hv *hv)
{
	struct sb b = { .home = home };

	if (hv->angle) {
		if (*hv->disp) {
			sb_add(&b, hv->disp);
			sb_add(&b, " ");
		}
		sb_add(&b, "<");
		sb_add(&b, hv->url);
		sb_add(&b, ">");
	} else
		sb_add(&b, hv->url);
	sb_add(&b, hv->mid);
	plist_add(&b, &hv->pl);
	return sb_str(&b);
}

/* The display name without its quotes, NULL when there is none. */
static char *
disp_get(su_home_t *home, const char *d)
{
	size_t	 n = strlen(d);
	char	*s, *o;

	if (n == 0)
		return NULL;
	if (d[0] != '"' || n < 2 || d[n - 1] != '"')
		return su_strdup(home, d);
	if ((s = o = su_alloc(home, (isize_t)n)) == NULL)
		return NULL;
	for (const char *p = d + 1; p < d + n - 1; p++) {
		if (*p == '\\' && p + 1 < d + n - 1)
			p++;
		*o++ = *p;
	}
	*o = '\0';
	return s;
}

static char *
disp_quote(su_home_t *home, const char *name)
{
	struct sb b = { .home = home };

	sb_add(&b, "\"");
	for (const char *p = name; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_add(&b, "\\");
		sb_addn(&b, p, 1);
	}
	sb_add(&b, "\"");
	return sb_str(&b);
}

enum ukind {
	U_SIP = 0,	/* sip:, sips: */
	U_TEL,
	U_OPAQUE,	/* anything else: only whole-URL operations */
};

struct uv {
	int		 kind;	/* enum ukind */
	char		*scheme;
	char		*user, *pass, *host, *port;	/* NULL: absent */
	struct plist	 pl;
	char		*hdrs;	/* after '?', NULL: none */
	char		*opaque;
};

static int
uv_parse(su_home_t *home, const char *s, struct uv *u)
{
	const char *colon, *rest, *end, *q, *at, *hp, *hpe, *c;

	memset(u, 0, sizeof(*u));
	if ((colon = strchr(s, ':')) == NULL || colon == s)
		return -1;
	u->scheme = su_strndup(home, s, (isize_t)(colon - s));
	rest = colon + 1;
	q = strchr(rest, '?');
	end = q ? q : rest + strlen(rest);
	if (strcasecmp(u->scheme, "sip") == 0 || strcasecmp(u->scheme, "sips") == 0) {
		u->kind = U_SIP;
		at = memchr(rest, '@', (size_t)(end - rest));
		hp = rest;
		if (at != NULL) {
			c = memchr(rest, ':', (size_t)(at - rest));
			u->user = su_strndup(home, rest, (isize_t)((c ? c : at) - rest));
			if (c != NULL)
				u->pass = su_strndup(home, c + 1, (isize_t)(at - c - 1));
			hp = at + 1;
		}
		for (hpe = hp; hpe < end && *hpe != ';'; hpe++)
			;
		if (*hp == '[') {
			const char *rb = memchr(hp, ']', (size_t)(hpe - hp));

			if (rb == NULL)
				return -1;
			u->host = su_strndup(home, hp, (isize_t)(rb + 1 - hp));
			c = rb + 1 < hpe && rb[1] == ':' ? rb + 1 : NULL;
		} else {
			c = memchr(hp, ':', (size_t)(hpe - hp));
			u->host = su_strndup(home, hp, (isize_t)((c ? c : hpe) - hp));
		}
		if (c != NULL)
			u->port = su_strndup(home, c + 1, (isize_t)(hpe - c - 1));
		if (u->host == NULL || *u->host == '\0')
			return -1;
		if (plist_parse(home, hpe, end, &u->pl) == -1)
			return -1;
		if (q != NULL)
			u->hdrs = su_strdup(home, q + 1);
	} else if (strcasecmp(u->scheme, "tel") == 0) {
		u->kind = U_TEL;
		for (c = rest; c < end && *c != ';'; c++)
			;
		u->user = su_strndup(home, rest, (isize_t)(c - rest));
		if (plist_parse(home, c, end, &u->pl) == -1)
			return -1;
		if (q != NULL)
			u->hdrs = su_strdup(home, q + 1);
	} else {
		u->kind = U_OPAQUE;
		u->opaque = su_strdup(home, rest);
	}
	return 0;
}

static char *
uv_build(su_home_t *home, const struct uv *u)
{
	struct sb b = { .home = home };

	sb_add(&b, u->scheme);
	sb_add(&b, ":");
	if (u->kind == U_OPAQUE) {
		sb_add(&b, u->opaque);
		return sb_str(&b);
	}
	if (u->user != NULL) {
		sb_add(&b, u->user);
		if (u->kind == U_SIP && u->pass != NULL) {
			sb_add(&b, ":");
			sb_add(&b, u->pass);
		}
		if (u->kind == U_SIP)
			sb_add(&b, "@");
	}
	if (u->kind == U_SIP) {
		sb_add(&b, u->host);
		if (u->port != NULL) {
			sb_add(&b, ":");
			sb_add(&b, u->port);
		}
	}
	plist_add(&b, &u->pl);
	if (u->hdrs != NULL) {
		sb_add(&b, "?");
		sb_add(&b, u->hdrs);
	}
	return sb_str(&b);
}

/* ===== normalize ===== */

/*
 * A user part: user parameters (";phone-context=...") are dropped, and when
 * what is left is a telephone number once visual separators are taken out
 * ("+1-800 (229).229"), they are taken out.
 */
static char *
norm_user(su_home_t *home, const char *user)
{
	const char	*semi = strchr(user, ';');
	size_t		 n = semi ? (size_t)(semi - user) : strlen(user);
	char		*out, *o;
	int		 phone = 1;

	if ((out = o = su_alloc(home, (isize_t)n + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char ch = user[i];

		if (ch == '-' || ch == '.' || ch == '(' || ch == ')' || ch == ' ')
			continue;
		if (!(isdigit((unsigned char)ch) || ch == '*' || ch == '#' ||
		    (ch == '+' && o == out)))
			phone = 0;
		*o++ = ch;
	}
	*o = '\0';
	if (phone && o > out)
		return out;
	return su_strndup(home, user, (isize_t)n);
}

static int
known(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcasecmp(*list, name) == 0)
			return 1;
	return 0;
}

/* URL parameters of RFC 3261 and its extensions; others are dropped. */
static const char *const url_params[] = { "user", "transport", "lr", "maddr", "ttl",
    "method", "ob", "gr", "comp", "phone-context", "isub", "ext", NULL };

static int
norm_url(su_home_t *home, struct uv *u)
{
	if (u->kind == U_OPAQUE)
		return 0;
	if (u->user != NULL && (u->user = norm_user(home, u->user)) == NULL)
		return -1;
	for (size_t i = 0; i < u->pl.n; )
		if (known(url_params, u->pl.name[i]))
			i++;
		else
			plist_del(&u->pl, i);
	return 0;
}

/* Header parameters sbcd knows per header; a header not listed is left alone. */
static const struct {
	const char		*header;
	const char *const	 params[12];
} header_params[] = {
	{ "From", { "tag", NULL } },
	{ "To", { "tag", NULL } },
	{ "Contact", { "expires", "q", "reg-id", "methods", "audio", "video", "isfocus",
	    NULL } },	/* and feature tags "+..." */
	{ "Via", { "branch", "received", "rport", "maddr", "ttl", "alias", "comp",
	    "sigcomp-id", "keep", NULL } },
	{ "Session-Expires", { "refresher", NULL } },
	{ "Diversion", { "reason", "counter", "limit", "privacy", "screen", "extension",
	    NULL } },
	{ "P-Asserted-Identity", { NULL } },
	{ "P-Preferred-Identity", { NULL } },
	{ "Record-Route", { NULL } },
	{ "Route", { NULL } },
};

/* Drop unknown header parameters; -1 when the header is not in the table. */
static int
norm_header(const char *canon, struct hv *hv)
{
	size_t k;

	for (k = 0; k < sizeof(header_params) / sizeof(header_params[0]); k++)
		if (strcasecmp(header_params[k].header, canon) == 0)
			break;
	if (k == sizeof(header_params) / sizeof(header_params[0]))
		return -1;
	for (size_t i = 0; i < hv->pl.n; )
		if (known(header_params[k].params, hv->pl.name[i]) ||
		    (strcmp(canon, "Contact") == 0 && hv->pl.name[i][0] == '+'))
			i++;
		else
			plist_del(&hv->pl, i);
	return 0;
}

/* ===== reading elements ===== */

struct hloc {
	msg_header_t	**head;
	msg_hclass_t	 *hc;
	int		  unknown;
	const char	 *name;	/* as written in the rule */
	const char	 *canon;	/* sofia's name, or name */
};

static int
hloc_find(const struct run *ru, const char *name, struct hloc *hl)
{
	msg_mclass_t const	*mc = msg_mclass(ru->msg);
	msg_href_t const	*hr;

	if (mc == NULL)
		return -1;
	hr = msg_find_hclass(mc, name, NULL);
	if (hr == NULL || hr->hr_class == NULL || hr == mc->mc_error)
		return -1;
	hl->hc = hr->hr_class;
	hl->head = (msg_header_t **)((char *)ru->sip + hr->hr_offset);
	hl->unknown = hr->hr_class == mc->mc_unknown->hr_class;
	hl->name = name;
	hl->canon = hl->unknown ? name : hr->hr_class->hc_name;
	return 0;
}

static msg_header_t *
hloc_nth(const struct hloc *hl, int idx)
{
	for (msg_header_t *h = *hl->head; h != NULL; h = h->sh_next) {
		if (hl->unknown && (h->sh_unknown->un_name == NULL ||
		    strcasecmp(h->sh_unknown->un_name, hl->name) != 0))
			continue;
		if (idx-- == 0)
			return h;
	}
	return NULL;
}

/* The value of one header (without its name), in the scratch home. */
static char *
hdr_value(su_home_t *home, msg_header_t *h, int unknown)
{
	char		 buf[512];
	char		*p;
	issize_t	 n;

	if (unknown)
		return su_strdup(home, h->sh_unknown->un_value ? h->sh_unknown->un_value : "");
	n = msg_header_field_e(buf, (isize_t)sizeof(buf), h, 0);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof(buf))
		return su_strndup(home, buf, n);
	if ((p = su_alloc(home, n + 1)) == NULL)
		return NULL;
	msg_header_field_e(p, n + 1, h, 0);
	p[n] = '\0';
	return p;
}

static const char *
param_get(const struct run *ru, size_t off)
{
	if (ru->ctx == NULL)
		return NULL;
	return *(const char *const *)(const void *)((const char *)ru->ctx + off);
}

/* A URL element (user, host, port, url.param) of the URL text u. */
static char *
url_el_get(su_home_t *home, const char *url, const struct subj *s)
{
	struct uv	u;
	int		i;

	if (uv_parse(home, url, &u) == -1 || u.kind == U_OPAQUE)
		return NULL;
	switch (s->el) {
	case EL_USER:
		return u.user;
	case EL_HOST:
		return u.host;
	case EL_PORT:
		return u.port;
	case EL_URLPARAM:
		if ((i = plist_find(&u.pl, s->pname)) < 0)
			return NULL;
		return u.pl.val[i] ? u.pl.val[i] : su_strdup(home, "");
	}
	return NULL;
}

/* The text of an element, or NULL when the message has none. */
static char *
el_get(struct run *ru, const struct subj *s)
{
	struct hloc	 hl;
	struct hv	 hv;
	msg_header_t	*h;
	char		*v, *url;
	const char	*p;
	int		 i;

	switch (s->src) {
	case SRC_PARAM:
		p = param_get(ru, s->poff);
		return p ? su_strdup(ru->home, p) : NULL;
	case SRC_RURI:
		if (ru->sip->sip_request == NULL)
			return NULL;
		url = url_as_string(ru->home, ru->sip->sip_request->rq_url);
		if (url == NULL || s->el == EL_WHOLE || s->el == EL_URL)
			return url;
		return url_el_get(ru->home, url, s);
	}
	if (hloc_find(ru, s->hname, &hl) == -1 ||
	    (h = hloc_nth(&hl, s->index < 0 ? 0 : s->index)) == NULL ||
	    (v = hdr_value(ru->home, h, hl.unknown)) == NULL)
		return NULL;
	if (s->el == EL_WHOLE)
		return v;
	if (hv_parse(ru->home, v, &hv) == -1)
		return NULL;
	switch (s->el) {
	case EL_URL:
	case EL_TIME:
		return hv.url;
	case EL_NAME:
		return disp_get(ru->home, hv.disp);
	case EL_PARAM:
	case EL_REFRESHER:
		if ((i = plist_find(&hv.pl, s->el == EL_PARAM ? s->pname : "refresher")) < 0)
			return NULL;
		return hv.pl.val[i] ? hv.pl.val[i] : su_strdup(ru->home, "");
	}
	return url_el_get(ru->home, hv.url, s);
}

/* The value's terms joined, or NULL when one of them is missing. */
static char *
value_eval(struct run *ru, const struct value *v)
{
	struct sb b = { .home = ru->home };

	for (size_t i = 0; i < v->n; i++) {
		const struct term	*t = &v->t[i];
		const char		*s = NULL;

		switch (t->kind) {
		case T_LIT:
			s = t->lit;
			break;
		case T_CAP:
			s = ru->cap[t->cap];
			break;
		case T_SUBJ:
			s = el_get(ru, &t->subj);
			break;
		}
		if (s == NULL)
			return NULL;
		sb_add(&b, s);
	}
	return sb_str(&b);
}

/* ===== conditions ===== */

static int
num_cmp(const char *a, const char *b, int *res)
{
	char	*ea, *eb;
	double	 x, y;

	x = strtod(a, &ea);
	y = strtod(b, &eb);
	if (ea == a || eb == b || *ea != '\0' || *eb != '\0')
		return -1;
	*res = (x > y) - (x < y);
	return 0;
}

static int
cond_eval(struct run *ru, const struct cond *c)
{
	regmatch_t	 m[10];
	char		*a, *b;
	int		 cmp;

	if (c == NULL)
		return 1;
	switch (c->op) {
	case C_AND:
		return cond_eval(ru, c->l) && cond_eval(ru, c->r);
	case C_OR:
		return cond_eval(ru, c->l) || cond_eval(ru, c->r);
	case C_EXISTS:
		return el_get(ru, &c->lhs.t[0].subj) != NULL;
	case C_NEXISTS:
		return el_get(ru, &c->lhs.t[0].subj) == NULL;
	}
	a = value_eval(ru, &c->lhs);
	if (c->op == C_REGEX) {
		if (a == NULL || regexec(&c->re, a, 10, m, 0) != 0)
			return 0;
		for (int i = 0; i < 10; i++)
			ru->cap[i] = m[i].rm_so < 0 ? su_strdup(ru->home, "") :
			    su_strndup(ru->home, a + m[i].rm_so,
			    (isize_t)(m[i].rm_eo - m[i].rm_so));
		return 1;
	}
	b = value_eval(ru, &c->rhs);
	if (a == NULL || b == NULL)
		return c->op == C_NE || c->op == C_NCONTAINS || c->op == C_NUM_NE;
	switch (c->op) {
	case C_EQ:
		return strcasecmp(a, b) == 0;
	case C_NE:
		return strcasecmp(a, b) != 0;
	case C_CONTAINS:
		return strcasestr(a, b) != NULL;
	case C_NCONTAINS:
		return strcasestr(a, b) == NULL;
	case C_GT:
		return strcasecmp(a, b) > 0;
	case C_LT:
		return strcasecmp(a, b) < 0;
	case C_GE:
		return strcasecmp(a, b) >= 0;
	case C_LE:
		return strcasecmp(a, b) <= 0;
	}
	if (num_cmp(a, b, &cmp) == -1)
		return c->op == C_NUM_NE;
	switch (c->op) {
	case C_NUM_EQ:
		return cmp == 0;
	case C_NUM_NE:
		return cmp != 0;
	case C_NUM_GT:
		return cmp > 0;
	case C_NUM_LT:
		return cmp < 0;
	case C_NUM_GE:
		return cmp >= 0;
	case C_NUM_LE:
		return cmp <= 0;
	}
	return 0;
}

static int
mt_match(const struct mtype *mt, const sip_t *sip)
{
	const char	*method = NULL;
	int		 status = 0;

	if (sip->sip_request != NULL) {
		if (mt->dir == MT_RESPONSE)
			return 0;
		method = sip->sip_request->rq_method_name;
	} else if (sip->sip_status != NULL) {
		if (mt->dir == MT_REQUEST)
			return 0;
		status = sip->sip_status->st_status;
		if (sip->sip_cseq != NULL)
			method = sip->sip_cseq->cs_method_name;
	} else
		return 0;
	if (mt->method != NULL && (method == NULL || strcasecmp(method, mt->method) != 0))
		return 0;
	if (mt->code_lo != 0 && (status < mt->code_lo || status > mt->code_hi))
		return 0;
	return 1;
}

/* ===== changing elements ===== */

/* The new text of an element whose text is old (NULL: absent), or NULL
 * when the action does not apply. */
static char *
transform(su_home_t *home, int action, const char *old, const char *val)
{
	size_t n;

	switch (action) {
	case CFG_MA_ADD:
	case CFG_MA_MODIFY:
		return su_strdup(home, val);
	case CFG_MA_ADD_PREFIX:
		return old ? su_sprintf(home, "%s%s", val, old) : NULL;
	case CFG_MA_ADD_SUFFIX:
		return old ? su_sprintf(home, "%s%s", old, val) : NULL;
	case CFG_MA_REMOVE_PREFIX:
		n = strlen(val);
		if (old == NULL || n == 0 || strncmp(old, val, n) != 0)
			return NULL;
		return su_strdup(home, old + n);
	case CFG_MA_REMOVE_SUFFIX:
		n = strlen(val);
		if (old == NULL || n == 0 || strlen(old) < n ||
		    strcmp(old + strlen(old) - n, val) != 0)
			return NULL;
		return su_strndup(home, old, (isize_t)(strlen(old) - n));
	}
	return NULL;
}

/* Change one URL element of u.  0, or -1 when nothing applies. */
static int
url_change(su_home_t *home, struct uv *u, const struct subj *s, int action,
    const char *val)
{
	char	*nv;
	char	**field;
	int	 i;

	if (u->kind == U_OPAQUE)
		return -1;
	if (s->el == EL_URLPARAM) {
		i = plist_find(&u->pl, s->pname);
		if (action == CFG_MA_REMOVE) {
			if (i < 0)
				return -1;
			plist_del(&u->pl, (size_t)i);
			return 0;
		}
		nv = transform(home, action, i < 0 ? NULL : u->pl.val[i] ? u->pl.val[i] : "",
		    val);
		return nv ? plist_set(home, &u->pl, s->pname, nv) : -1;
	}
	if (s->el == EL_USER)
		field = &u->user;
	else if (s->el == EL_HOST && u->kind == U_SIP)
		field = &u->host;
	else if (s->el == EL_PORT && u->kind == U_SIP)
		field = &u->port;
	else
		return -1;
	if (action == CFG_MA_REMOVE) {
		if (*field == NULL)
			return -1;
		*field = NULL;
		if (s->el == EL_USER)
			u->pass = NULL;
		return 0;
	}
	if (action == CFG_MA_NORMALIZE)
		nv = *field ? norm_user(home, *field) : NULL;
	else
		nv = transform(home, action, *field, val);
	if (nv == NULL)
		return -1;
	if (s->el == EL_HOST && *nv == '\0')
		return -1;
	if (s->el == EL_PORT && *nv != '\0' && (!all_digits(nv) || atoi(nv) > 65535))
		return -1;
	if (s->el == EL_USER && u->kind == U_TEL && *nv == '\0')
		return -1;
	*field = *nv == '\0' ? NULL : nv;
	return 0;
}

/* Change a whole URL (text old).  The new text, or NULL. */
static char *
url_whole(su_home_t *home, const char *old, int action, const char *val)
{
	struct uv u;

	if (action != CFG_MA_NORMALIZE)
		return transform(home, action, old, val);
	if (uv_parse(home, old, &u) == -1 || norm_url(home, &u) == -1)
		return NULL;
	return uv_build(home, &u);
}

static const char *
map_refresher(const char *v)
{
	if (strcmp(v, "1") == 0 || strcasecmp(v, "uac") == 0)
		return "uac";
	if (strcmp(v, "2") == 0 || strcasecmp(v, "uas") == 0)
		return "uas";
	return NULL;
}

/* The new value of a header whose value is old, or NULL. */
static char *
hdr_change(struct run *ru, const struct hloc *hl, const struct manip_rule *rl,
    const char *old, const char *val)
{
	const struct subj	*s = &rl->subj;
	su_home_t		*home = ru->home;
	struct hv		 hv;
	struct uv		 u;
	char			*nv;
	const char		*pname;
	int			 i;

	if (s->el == EL_WHOLE && rl->action != CFG_MA_NORMALIZE)
		return transform(home, rl->action, old, val);
	if (hv_parse(home, old, &hv) == -1)
		return NULL;
	switch (s->el) {
	case EL_WHOLE:	/* normalize */
		if (norm_header(hl->canon, &hv) == -1)
			return NULL;
		break;
	case EL_TIME:
		if ((nv = transform(home, rl->action, hv.url, val)) == NULL || !all_digits(nv))
			return NULL;
		hv.url = nv;
		break;
	case EL_NAME:
		if (rl->action == CFG_MA_REMOVE) {
			if (*hv.disp == '\0')
				return NULL;
			hv.disp = "";
			break;
		}
		nv = transform(home, rl->action, disp_get(home, hv.disp), val);
		if (nv == NULL || (hv.disp = disp_quote(home, nv)) == NULL)
			return NULL;
		if (*nv == '\0')
			hv.disp = "";
		hv.angle = 1;
		break;
	case EL_PARAM:
	case EL_REFRESHER:
		pname = s->el == EL_PARAM ? s->pname : "refresher";
		i = plist_find(&hv.pl, pname);
		if (rl->action == CFG_MA_REMOVE) {
			if (i < 0)
				return NULL;
			plist_del(&hv.pl, (size_t)i);
			break;
		}
		nv = transform(home, rl->action, i < 0 ? NULL : hv.pl.val[i] ? hv.pl.val[i] : "",
		    val);
		if (nv != NULL && s->el == EL_REFRESHER)
			nv = (char *)map_refresher(nv);
		if (nv == NULL || plist_set(home, &hv.pl, pname, nv) == -1)
			return NULL;
		break;
	case EL_URL:
		if ((nv = url_whole(home, hv.url, rl->action, val)) == NULL)
			return NULL;
		hv.url = nv;
		break;
	default:	/* user, host, port, url.param */
		if (uv_parse(home, hv.url, &u) == -1 ||
		    url_change(home, &u, s, rl->action, val) == -1 ||
		    (hv.url = uv_build(home, &u)) == NULL)
			return NULL;
		break;
	}
	/* an addr-spec whose URL now has ';', ',' or '?' needs <> to stay one URL */
	if (s->el != EL_WHOLE && s->el != EL_TIME && s->el != EL_PARAM &&
	    s->el != EL_REFRESHER && strpbrk(hv.url, ";,?") != NULL)
		hv.angle = 1;
	return hv_build(home, &hv);
}

/* A new header of hl's class in the message's home; name for unknown ones. */
static msg_header_t *
hdr_make(struct run *ru, const struct hloc *hl, const char *name, const char *value)
{
	const char *s = value;

	if (hl->unknown && (s = su_sprintf(ru->home, "%s: %s", name, value)) == NULL)
		return NULL;
	return msg_header_make(msg_home(ru->msg), hl->hc, s);
}

/*
 * A header that may appear once is replaced; a list header (Supported,
 * Allow, ...) gets val as another item of its first line; any other header
 * gets another line.
 */
static int
hdr_add(struct run *ru, const struct hloc *hl, const char *val)
{
	msg_header_t	*h, *old = NULL;
	char		*ov;

	if (!hl->unknown && (hl->hc->hc_kind == msg_kind_single ||
	    hl->hc->hc_kind == msg_kind_list))
		old = hloc_nth(hl, 0);
	if (old != NULL && hl->hc->hc_kind == msg_kind_list) {
		if ((ov = hdr_value(ru->home, old, 0)) == NULL ||
		    (val = su_sprintf(ru->home, "%s, %s", ov, val)) == NULL)
			return 0;
	}
	if ((h = hdr_make(ru, hl, hl->name, val)) == NULL)
		return 0;
	if (old != NULL)
		return msg_header_replace(ru->msg, (msg_pub_t *)ru->sip, old, h) == 0;
	return msg_header_insert(ru->msg, (msg_pub_t *)ru->sip, h) == 0;
}

static int
hdr_remove(struct run *ru, const struct hloc *hl, int index)
{
	msg_header_t	*h;
	int		 n = 0;

	if (index >= 0) {
		h = hloc_nth(hl, index);
		return h != NULL && msg_header_remove(ru->msg, (msg_pub_t *)ru->sip, h) == 0;
	}
	while ((h = hloc_nth(hl, 0)) != NULL) {
		if (msg_header_remove(ru->msg, (msg_pub_t *)ru->sip, h) == -1)
			break;
		n = 1;
	}
	return n;
}

static int
act_header(struct run *ru, const struct manip_rule *rl, const char *val)
{
	const struct subj	*s = &rl->subj;
	struct hloc		 hl;
	msg_header_t		*h, *nh;
	char			*old, *nv;

	if (hloc_find(ru, s->hname, &hl) == -1)
		return 0;
	if (s->el == EL_WHOLE && rl->action == CFG_MA_ADD)
		return hdr_add(ru, &hl, val);
	if (s->el == EL_WHOLE && rl->action == CFG_MA_REMOVE)
		return hdr_remove(ru, &hl, s->index);
	if ((h = hloc_nth(&hl, s->index < 0 ? 0 : s->index)) == NULL ||
	    (old = hdr_value(ru->home, h, hl.unknown)) == NULL ||
	    (nv = hdr_change(ru, &hl, rl, old, val)) == NULL || strcmp(nv, old) == 0)
		return 0;
	if (strpbrk(nv, "\r\n") != NULL)
		return 0;
	nh = hdr_make(ru, &hl, hl.unknown ? h->sh_unknown->un_name : NULL, nv);
	if (nh == NULL)
		return 0;
	return msg_header_replace(ru->msg, (msg_pub_t *)ru->sip, h, nh) == 0;
}

static int
act_ruri(struct run *ru, const struct manip_rule *rl, const char *val)
{
	sip_request_t	*rq = ru->sip->sip_request, *nrq;
	const char	*old;
	char		*nv;
	url_t		*url;
	struct uv	 u;

	if (rq == NULL || (old = url_as_string(ru->home, rq->rq_url)) == NULL)
		return 0;
	if (rl->subj.el == EL_WHOLE || rl->subj.el == EL_URL)
		nv = url_whole(ru->home, old, rl->action, val);
	else if (uv_parse(ru->home, old, &u) == -1 ||
	    url_change(ru->home, &u, &rl->subj, rl->action, val) == -1)
		nv = NULL;
	else
		nv = uv_build(ru->home, &u);
	if (nv == NULL || strcmp(nv, old) == 0 || strpbrk(nv, " \t\r\n") != NULL ||
	    (url = url_make(ru->home, nv)) == NULL || url->url_type == url_invalid)
		return 0;
	nrq = sip_request_create(msg_home(ru->msg), rq->rq_method, rq->rq_method_name,
	    (url_string_t const *)url, rq->rq_version);
	if (nrq == NULL)
		return 0;
	return msg_header_replace(ru->msg, (msg_pub_t *)ru->sip, (msg_header_t *)rq,
	    (msg_header_t *)nrq) == 0;
}

static int
act_apply(struct run *ru, const struct manip_rule *rl)
{
	char *val = NULL;

	if (rl->action != CFG_MA_REMOVE && rl->action != CFG_MA_NORMALIZE) {
		if ((val = value_eval(ru, &rl->val)) == NULL)
			return 0;
		if (strpbrk(val, "\r\n") != NULL)
			return 0;	/* never a header line of our making */
	}
	if (rl->subj.src == SRC_RURI)
		return act_ruri(ru, rl, val);
	return act_header(ru, rl, val);
}

/* ===== entry points ===== */

static int
skip_msg(const sip_t *sip)
{
	/* AudioCodes: 100 Trying is never manipulated */
	return sip == NULL || (sip->sip_request == NULL && sip->sip_status == NULL) ||
	    (sip->sip_status != NULL && sip->sip_status->st_status == 100);
}

int
manip_apply_rule(const struct manip_rule *rule, msg_t *msg, sip_t *sip,
    const struct manip_ctx *ctx)
{
	struct run	ru = { .msg = msg, .sip = sip, .ctx = ctx };
	int		n = 0;

	if (rule == NULL || msg == NULL || skip_msg(sip))
		return 0;
	if ((ru.home = su_home_new(sizeof(su_home_t))) == NULL)
		return 0;
	if (mt_match(&rule->mt, sip) && cond_eval(&ru, rule->cond))
		n = act_apply(&ru, rule);
	su_home_unref(ru.home);
	return n;
}

int
manip_apply_set(const struct cfg_man_set *set, msg_t *msg, sip_t *sip,
    const struct manip_ctx *ctx)
{
	struct run	ru = { .msg = msg, .sip = sip, .ctx = ctx };
	int		n = 0, prev = 0;

	if (set == NULL || msg == NULL || skip_msg(sip))
		return 0;
	if ((ru.home = su_home_new(sizeof(su_home_t))) == NULL)
		return 0;
	for (size_t i = 0; i < set->n_rules; i++) {
		const struct manip_rule	*rl = set->rules[i].compiled;
		int			 match;

		if (rl == NULL) {
			prev = 0;
			continue;
		}
		if (rl->previous) {
			/* the row above decided; this row's message type still counts */
			match = prev && mt_match(&rl->mt, sip);
		} else {
			memset(ru.cap, 0, sizeof(ru.cap));
			match = prev = mt_match(&rl->mt, sip) && cond_eval(&ru, rl->cond);
		}
		if (match)
			n += act_apply(&ru, rl);
	}
	su_home_unref(ru.home);
	return n;
}
