/* test_manip.c: the message manipulation engine on real SIP messages parsed by sofia. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

#include "cfg.h"
#include "manip.h"

/* ===== messages (written with LF, parsed with CRLF) ===== */

/* 3CX toward the SBC: 9 + the number, identity and diversion headers. */
static const char invite_3cx[] =
    "INVITE sip:912065550100@10.0.0.2:5060 SIP/2.0\n"
    "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK-1;rport\n"
    "Max-Forwards: 70\n"
    "From: \"Alice Smith\" <sip:201@192.168.1.10:5060>;tag=abc123\n"
    "To: <sip:912065550100@10.0.0.2>\n"
    "Call-ID: 1234@192.168.1.10\n"
    "CSeq: 2 INVITE\n"
    "Contact: <sip:201@192.168.1.10:5060;transport=udp>\n"
    "P-Asserted-Identity: <sip:+12065550199@192.168.1.10>\n"
    "Diversion: <sip:+12065550111@192.168.1.10>;reason=unconditional;counter=1\n"
    "Session-Expires: 1800;refresher=uac\n"
    "Supported: timer, replaces\n"
    "User-Agent: 3CXPhoneSystem 18.0.9.20\n"
    "X-Custom: one\n"
    "X-Custom: two\n"
    "Content-Length: 0\n"
    "\n";

/* A keep-alive OPTIONS toward a peer. */
static const char options_ping[] =
    "OPTIONS sip:10.0.0.2:5060 SIP/2.0\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-o1\n"
    "Max-Forwards: 70\n"
    "From: <sip:ping@10.0.0.1>;tag=o1\n"
    "To: <sip:ping@sbc.invalid>\n"
    "Call-ID: opt1@10.0.0.1\n"
    "CSeq: 1 OPTIONS\n"
    "Content-Length: 0\n"
    "\n";

/* The response to a BYE the Voice Connector sent. */
static const char bye_200[] =
    "SIP/2.0 200 OK\n"
    "Via: SIP/2.0/UDP 52.55.62.60:5060;branch=z9hG4bK-b1\n"
    "From: <sip:+12065550100@52.55.62.60>;tag=vc1\n"
    "To: <sip:+12065550199@192.168.1.10>;tag=sbc1\n"
    "Call-ID: bye1@52.55.62.60\n"
    "CSeq: 3 BYE\n"
    "Content-Length: 0\n"
    "\n";

static const char invite_180[] =
    "SIP/2.0 180 Ringing\n"
    "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-i1\n"
    "From: <sip:201@10.0.0.2>;tag=a1\n"
    "To: <sip:+12065550100@52.55.62.60>;tag=b1\n"
    "Call-ID: inv1@10.0.0.2\n"
    "CSeq: 1 INVITE\n"
    "Content-Length: 0\n"
    "\n";

static const char invite_100[] =
    "SIP/2.0 100 Trying\n"
    "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-i1\n"
    "From: <sip:201@10.0.0.2>;tag=a1\n"
    "To: <sip:+12065550100@52.55.62.60>\n"
    "Call-ID: inv1@10.0.0.2\n"
    "CSeq: 1 INVITE\n"
    "Content-Length: 0\n"
    "\n";

static msg_t *
parse(const char *text)
{
	char	 buf[4096];
	size_t	 n = 0;
	msg_t	*msg;
	sip_t	*sip;

	for (const char *p = text; *p && n + 2 < sizeof(buf); p++) {
		if (*p == '\n')
			buf[n++] = '\r';
		buf[n++] = *p;
	}
	msg = msg_make(sip_default_mclass(), 0, buf, (ssize_t)n);
	assert_non_null(msg);
	sip = sip_object(msg);
	assert_non_null(sip);
	assert_null(sip->sip_error);
	return msg;
}

/* The message as sent; it must parse again without errors. */
static char *
wire(msg_t *msg)
{
	size_t	 len = 0;
	char	*s = msg_as_string(msg_home(msg), msg, NULL, 0, &len);
	msg_t	*again;

	assert_non_null(s);
	again = msg_make(sip_default_mclass(), 0, s, (ssize_t)len);
	assert_non_null(again);
	assert_non_null(sip_object(again));
	assert_null(sip_object(again)->sip_error);
	assert_int_equal(msg_has_error(again), 0);
	msg_destroy(again);
	return s;
}

/*
 * The value of the nth line of header name in the serialized message
 * ("request" for the request line), or NULL.  Static buffer.
 */
static const char *
line(msg_t *msg, const char *name, int nth)
{
	static char	 out[1024];
	const char	*s = wire(msg), *p = s, *eol;
	size_t		 nl = strlen(name);

	if (strcmp(name, "request") == 0) {
		eol = strstr(s, "\r\n");
		snprintf(out, sizeof(out), "%.*s", (int)(eol - s), s);
		return out;
	}
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':' && nth-- == 0) {
			p += nl + 1;
			while (*p == ' ')
				p++;
			eol = strstr(p, "\r\n");
			snprintf(out, sizeof(out), "%.*s", (int)(eol - p), p);
			return out;
		}
	}
	return NULL;
}

static int
count(msg_t *msg, const char *name)
{
	int n = 0;

	while (line(msg, name, n) != NULL)
		n++;
	return n;
}

/* ===== rules ===== */

static struct manip_rule *
compile(const char *mt, const char *cond, const char *subj, int action, const char *value,
    int role)
{
	struct cfg_man_rule	 r = { .message_type = mt, .condition = cond, .subject = subj,
	    .action = action, .value = value, .row_role = role };
	struct manip_rule	*rl = NULL;
	char			 err[256];

	if (manip_compile(&r, &rl, err, sizeof(err)) != 0)
		fail_msg("compile \"%s\" / \"%s\" / \"%s\": %s", mt, cond ? cond : "", subj, err);
	assert_non_null(rl);
	return rl;
}

static void
compile_err(const char *mt, const char *cond, const char *subj, int action,
    const char *value, int role, const char *want)
{
	struct cfg_man_rule	 r = { .message_type = mt, .condition = cond, .subject = subj,
	    .action = action, .value = value, .row_role = role };
	struct manip_rule	*rl = (struct manip_rule *)&r;	/* must be reset */
	char			 err[256];

	assert_int_equal(manip_compile(&r, &rl, err, sizeof(err)), EINVAL);
	assert_null(rl);
	if (strcmp(err, want) != 0)
		fail_msg("got  \"%s\"\nwant \"%s\"", err, want);
}

/* Apply one rule (compiled here) to msg; the number of changes. */
static int
apply(msg_t *msg, const char *mt, const char *cond, const char *subj, int action,
    const char *value, const struct manip_ctx *ctx)
{
	struct manip_rule	*rl = compile(mt, cond, subj, action, value, CFG_ROW_CURRENT);
	int			 n = manip_apply_rule(rl, msg, sip_object(msg), ctx);

	manip_rule_free(rl);
	return n;
}

/* Whether cond holds on msg (a rule adding X-Cond is applied). */
static int
holds(msg_t *msg, const char *cond, const struct manip_ctx *ctx)
{
	struct manip_rule	*rl = compile("any", cond, "header.x-cond", CFG_MA_ADD, "'1'",
	    CFG_ROW_CURRENT);
	int			 n = manip_apply_rule(rl, msg, sip_object(msg), ctx);

	manip_rule_free(rl);
	if (n == 1) {	/* take it out again so the next check starts clean */
		rl = compile("any", NULL, "header.x-cond", CFG_MA_REMOVE, NULL, CFG_ROW_CURRENT);
		assert_int_equal(manip_apply_rule(rl, msg, sip_object(msg), ctx), 1);
		manip_rule_free(rl);
	}
	return n;
}

/* ===== tests ===== */

static void
test_message_types(void **state)
{
	static const struct {
		const char	*mt;
		int		 invite, options, bye200, inv180;
	} cases[] = {
		{ "any", 1, 1, 1, 1 },
		{ "invite", 1, 0, 0, 1 },
		{ "INVITE.Request", 1, 0, 0, 0 },
		{ "invite.response", 0, 0, 0, 1 },
		{ "invite.response.180", 0, 0, 0, 1 },
		{ "invite.response.1xx", 0, 0, 0, 1 },
		{ "invite.response.2xx", 0, 0, 0, 0 },
		{ "bye.response", 0, 0, 1, 0 },
		{ "bye.response.200", 0, 0, 1, 0 },
		{ "bye.request", 0, 0, 0, 0 },
		{ "options", 0, 1, 0, 0 },
		{ "any.request", 1, 1, 0, 0 },
		{ "any.response", 0, 0, 1, 1 },
		{ "any.response.2XX", 0, 0, 1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		msg_t	*m[4] = { parse(invite_3cx), parse(options_ping), parse(bye_200),
		    parse(invite_180) };
		int	 want[4] = { cases[i].invite, cases[i].options, cases[i].bye200,
		    cases[i].inv180 };

		for (int k = 0; k < 4; k++) {
			int n = apply(m[k], cases[i].mt, NULL, "header.x-m", CFG_MA_ADD, "'1'",
			    NULL);

			if (n != want[k])
				fail_msg("message type %s on message %d: %d", cases[i].mt, k, n);
			msg_destroy(m[k]);
		}
	}
}

static void
test_trying_untouched(void **state)
{
	msg_t *m = parse(invite_100);

	(void)state;
	assert_int_equal(apply(m, "any", NULL, "header.x-m", CFG_MA_ADD, "'1'", NULL), 0);
	assert_null(line(m, "X-M", 0));
	msg_destroy(m);
}

static void
test_compile_errors(void **state)
{
	(void)state;
	/* mandatory headers, under their long and compact names */
	compile_err("any", NULL, "header.from", CFG_MA_REMOVE, NULL, 0,
	    "subject: a mandatory header cannot be removed at \"header.from\"");
	compile_err("any", NULL, "header.To", CFG_MA_REMOVE, NULL, 0,
	    "subject: a mandatory header cannot be removed at \"header.To\"");
	compile_err("any", NULL, "header.call-id", CFG_MA_REMOVE, NULL, 0,
	    "subject: a mandatory header cannot be removed at \"header.call-id\"");
	compile_err("any", NULL, "header.i", CFG_MA_REMOVE, NULL, 0,
	    "subject: a mandatory header cannot be removed at \"header.i\"");
	compile_err("any", NULL, "header.cseq", CFG_MA_REMOVE, NULL, 0,
	    "subject: a mandatory header cannot be removed at \"header.cseq\"");
	compile_err("any", NULL, "header.v", CFG_MA_REMOVE, NULL, 0,
	    "subject: a mandatory header cannot be removed at \"header.v\"");
	compile_err("any", NULL, "header.via.1", CFG_MA_REMOVE, NULL, 0,
	    "subject: a mandatory header cannot be removed at \"header.via.1\"");
	compile_err("any", NULL, "header.max-forwards", CFG_MA_REMOVE, NULL, 0,
	    "subject: a mandatory header cannot be removed at \"header.max-forwards\"");
	compile_err("any", NULL, "header.f", CFG_MA_ADD, "'<sip:a@b>'", 0,
	    "subject: a mandatory header cannot be added at \"header.f\"");
	compile_err("any", NULL, "header.request-uri", CFG_MA_REMOVE, NULL, 0,
	    "subject: the Request-URI cannot be added or removed at \"header.request-uri\"");
	compile_err("any", NULL, "header.from.url.host", CFG_MA_REMOVE, NULL, 0,
	    "subject: this element cannot be removed (only changed) at \"header.from.url.host\"");

	/* subjects */
	compile_err("any", NULL, "header.from.urll.host", CFG_MA_MODIFY, "'x'", 0,
	    "subject: unknown header element (url..., user, host, port, param.<name>, name, "
	    "refresher, time) at \"header.from.urll.host\"");
	compile_err("any", NULL, "heder.from", CFG_MA_MODIFY, "'x'", 0,
	    "subject: unknown element (header.<name>... or param....) at \"heder.from\"");
	compile_err("any", NULL, "header", CFG_MA_MODIFY, "'x'", 0,
	    "subject: header needs a name at \"header\"");
	compile_err("any", NULL, "header.x..y", CFG_MA_MODIFY, "'x'", 0,
	    "subject: empty part in element name at \"header.x..y\"");
	compile_err("any", NULL, "param.call.src.user", CFG_MA_MODIFY, "'x'", 0,
	    "subject: a parameter cannot be changed at \"param.call.src.user\"");
	compile_err("any", NULL, "header.to.refresher", CFG_MA_MODIFY, "'uac'", 0,
	    "subject: refresher is an element of header.session-expires only at "
	    "\"header.to.refresher\"");
	compile_err("any", NULL, "header.from.param.tag", CFG_MA_NORMALIZE, NULL, 0,
	    "subject: normalize applies to a header, its url or its url.user at "
	    "\"header.from.param.tag\"");
	compile_err("any", NULL, "header.request-uri.name", CFG_MA_MODIFY, "'x'", 0,
	    "subject: header.request-uri has only url, url.user, url.host, url.port and "
	    "url.param.<name> at \"header.request-uri.name\"");

	/* conditions */
	compile_err("any", "header.from.url.user = '1'", "header.x", CFG_MA_ADD, "'1'", 0,
	    "condition: expected an operator (==, !=, contains, !contains, exists, !exists, "
	    "regex, <, >, num>, ...) at \"=\"");
	compile_err("any", "header.from.url.user equals '1'", "header.x", CFG_MA_ADD, "'1'", 0,
	    "condition: expected an operator (==, !=, contains, !contains, exists, !exists, "
	    "regex, <, >, num>, ...) at \"equals\"");
	compile_err("any", "header.from.url.user == '1", "header.x", CFG_MA_ADD, "'1'", 0,
	    "condition: unterminated string at \"'1\"");
	compile_err("any", "header.from.url.user == \"1\"", "header.x", CFG_MA_ADD, "'1'", 0,
	    "condition: strings take single quotes at \"\"1\"\"");
	compile_err("any", "header.from.url.user ==", "header.x", CFG_MA_ADD, "'1'", 0,
	    "condition: expected a value ('text', header..., param... or $1) at end");
	compile_err("any", "header.from.url.user == '1' AND", "header.x", CFG_MA_ADD, "'1'", 0,
	    "condition: expected a value ('text', header..., param... or $1) at end");
	compile_err("any", "header.from.url.user == '1' header.to exists", "header.x",
	    CFG_MA_ADD, "'1'", 0,
	    "condition: expected AND, OR or the end of the condition at \"header.to\"");
	compile_err("any", "header.from.ur.user == '1'", "header.x", CFG_MA_ADD, "'1'", 0,
	    "condition: unknown header element (url..., user, host, port, param.<name>, name, "
	    "refresher, time) at \"header.from.ur.user\"");
	compile_err("any", "param.call.src.usr == '1'", "header.x", CFG_MA_ADD, "'1'", 0,
	    "condition: unknown parameter (param.message.address.src|dst.*, "
	    "param.ipg.src|dst.*, param.call.src|dst.*) at \"param.call.src.usr\"");
	compile_err("any", "'a' exists", "header.x", CFG_MA_ADD, "'1'", 0,
	    "condition: exists needs one header... or param... element before it at \"exists\"");
	{
		/* the reason is the C library's (regerror) */
		struct cfg_man_rule	 r = { .message_type = "any", .subject = "header.x",
		    .condition = "header.to.url.user regex '(['", .action = CFG_MA_ADD,
		    .value = "'1'" };
		struct manip_rule	*rl;
		char			 err[256];
		const char		*tail = ") at \"'(['\"";

		assert_int_equal(manip_compile(&r, &rl, err, sizeof(err)), EINVAL);
		assert_int_equal(strncmp(err, "condition: bad regular expression (", 35), 0);
		assert_string_equal(err + strlen(err) - strlen(tail), tail);
	}
	compile_err("any", "header.to.url.user regex ^9", "header.x", CFG_MA_ADD, "'1'", 0,
	    "condition: regex needs a 'quoted' pattern at \"^9\"");
	/* repetitions that make glibc's regcomp() copy an atom without bound
	 * (fuzz_manip found "\\+++...": 2 GB) */
	compile_err("any", "header.to.url.user regex '\\+++^+?1'", "header.x", CFG_MA_ADD,
	    "'1'", 0, "condition: regular expression too costly (adjacent or deeply nested "
	    "repetitions) at \"'\\+++^+?1'\"");
	compile_err("any", "header.to.url.user regex '(a{100}){100}'", "header.x", CFG_MA_ADD,
	    "'1'", 0, "condition: regular expression too costly (adjacent or deeply nested "
	    "repetitions) at \"'(a{100}){100}'\"");
	compile_err("any", "header.to.url.user regex '(((((((((((a+)+)+)+)+)+)+)+)+)+)+)'",
	    "header.x", CFG_MA_ADD, "'1'", 0, "condition: regular expression too costly "
	    "(adjacent or deeply nested repetitions) at "
	    "\"'(((((((((((a+)+)+)+)+)+)+)+)+)+)+)'\"");
	/* glibc takes an unmatched ')' as itself: the count goes on after it */
	compile_err("any", "header.to.url.user regex 'x)(((((((((((a+)+)+)+)+)+)+)+)+)+)+)'",
	    "header.x", CFG_MA_ADD, "'1'", 0, "condition: regular expression too costly "
	    "(adjacent or deeply nested repetitions) at "
	    "\"'x)(((((((((((a+)+)+)+)+)+)+)+)+)+)+)'\"");
	compile_err("any", "header.to.url.user regex 'a{4000}'", "header.x", CFG_MA_ADD,
	    "'1'", 0, "condition: regular expression too costly (adjacent or deeply nested "
	    "repetitions) at \"'a{4000}'\"");
	manip_rule_free(compile("any", "header.to.url.user regex '^\\+?1[0-9]{10}$'", "header.x",
	    CFG_MA_ADD, "'1'", 0));
	manip_rule_free(compile("any", "header.to.url.user regex '(a{10}|[+*?{]b*){100}'",
	    "header.x", CFG_MA_ADD, "'1'", 0));
	manip_rule_free(compile("any", "header.to.url.user regex '[[:digit:]]+(x|y)*z?'",
	    "header.x", CFG_MA_ADD, "'1'", 0));
	compile_err("any", "(header.to exists", "header.x", CFG_MA_ADD, "'1'", 0,
	    "condition: expected ) at end");
	compile_err("any", "header.to exists", "header.x", CFG_MA_ADD, "'1'", CFG_ROW_PREVIOUS,
	    "condition: not used with row_role previous (the previous rule's applies) at "
	    "\"header.to exists\"");

	/* values */
	compile_err("any", NULL, "header.x", CFG_MA_ADD, NULL, 0,
	    "value: action add needs a value at end");
	compile_err("any", NULL, "header.x", CFG_MA_ADD_PREFIX, "  ", 0,
	    "value: action add-prefix needs a value at end");
	compile_err("any", NULL, "header.x", CFG_MA_MODIFY, "'a' + ", 0,
	    "value: expected a value ('text', header..., param... or $1) at end");
	compile_err("any", NULL, "header.x", CFG_MA_MODIFY, "'a' 'b'", 0,
	    "value: expected + or the end of the value at \"'b'\"");
	compile_err("any", NULL, "header.x", CFG_MA_MODIFY, "$a", 0,
	    "value: a regex capture is $0 to $9 at \"$a\"");
	compile_err("any", NULL, "header.x", CFG_MA_MODIFY, "$12", 0,
	    "value: a regex capture is $0 to $9 at \"$12\"");
	compile_err("any", NULL, "header.session-expires.refresher", CFG_MA_MODIFY, "'3'", 0,
	    "value: refresher is 'uac' ('1') or 'uas' ('2') at \"'3'\"");
	compile_err("any", NULL, "header.session-expires.time", CFG_MA_MODIFY, "'soon'", 0,
	    "value: time is a number of seconds at \"'soon'\"");

	/* message types */
	compile_err("invite.reply", NULL, "header.x", CFG_MA_REMOVE, NULL, 0,
	    "message_type: not any, <method>, <method>.request or "
	    "<method>.response[.code|.Nxx] at \"invite.reply\"");
	compile_err("invite.response.7xx", NULL, "header.x", CFG_MA_REMOVE, NULL, 0,
	    "message_type: not any, <method>, <method>.request or "
	    "<method>.response[.code|.Nxx] at \"invite.response.7xx\"");
}

static void
test_url_actions(void **state)
{
	msg_t *m = parse(invite_3cx);

	(void)state;
	/* modify host, port, user; the display name and tag stay */
	assert_int_equal(apply(m, "invite.request", NULL, "header.from.url.host", CFG_MA_MODIFY,
	    "'sbc.example.com'", NULL), 1);
	assert_string_equal(line(m, "From", 0),
	    "\"Alice Smith\" <sip:201@sbc.example.com:5060>;tag=abc123");
	assert_int_equal(apply(m, "any", NULL, "header.from.url.port", CFG_MA_REMOVE, NULL,
	    NULL), 1);
	assert_int_equal(apply(m, "any", NULL, "header.from.url.port", CFG_MA_REMOVE, NULL,
	    NULL), 0);	/* nothing left to remove */
	assert_int_equal(apply(m, "any", NULL, "header.to.url.port", CFG_MA_MODIFY, "'5080'",
	    NULL), 1);
	assert_string_equal(line(m, "To", 0), "<sip:912065550100@10.0.0.2:5080>");
	assert_int_equal(apply(m, "any", NULL, "header.to.url.port", CFG_MA_MODIFY, "'http'",
	    NULL), 0);	/* not a port */
	assert_int_equal(apply(m, "any", NULL, "header.from.url.user", CFG_MA_MODIFY, "'alice'",
	    NULL), 1);
	assert_string_equal(line(m, "From", 0),
	    "\"Alice Smith\" <sip:alice@sbc.example.com>;tag=abc123");

	/* prefixes and suffixes; remove-* only when the text is there */
	assert_int_equal(apply(m, "any", NULL, "header.to.url.user", CFG_MA_REMOVE_PREFIX, "'9'",
	    NULL), 1);
	assert_int_equal(apply(m, "any", NULL, "header.to.url.user", CFG_MA_REMOVE_PREFIX, "'9'",
	    NULL), 0);
	assert_int_equal(apply(m, "any", NULL, "header.to.url.user", CFG_MA_ADD_PREFIX, "'+'",
	    NULL), 1);
	assert_int_equal(apply(m, "any", NULL, "header.to.url.user", CFG_MA_ADD_SUFFIX, "'00'",
	    NULL), 1);
	assert_string_equal(line(m, "To", 0), "<sip:+1206555010000@10.0.0.2:5080>");
	assert_int_equal(apply(m, "any", NULL, "header.to.url.user", CFG_MA_REMOVE_SUFFIX,
	    "'000'", NULL), 1);
	assert_int_equal(apply(m, "any", NULL, "header.to.url.user", CFG_MA_REMOVE_SUFFIX,
	    "'7'", NULL), 0);
	assert_string_equal(line(m, "To", 0), "<sip:+1206555010@10.0.0.2:5080>");

	/* URL parameters */
	assert_int_equal(apply(m, "any", NULL, "header.contact.url.param.transport",
	    CFG_MA_MODIFY, "'tcp'", NULL), 1);
	assert_int_equal(apply(m, "any", NULL, "header.contact.url.param.user", CFG_MA_ADD,
	    "'phone'", NULL), 1);
	assert_string_equal(line(m, "Contact", 0),
	    "<sip:201@192.168.1.10:5060;transport=tcp;user=phone>");
	assert_int_equal(apply(m, "any", NULL, "header.contact.url.param.transport",
	    CFG_MA_REMOVE, NULL, NULL), 1);
	assert_string_equal(line(m, "Contact", 0), "<sip:201@192.168.1.10:5060;user=phone>");

	/* the whole URL */
	assert_int_equal(apply(m, "any", NULL, "header.contact.url", CFG_MA_MODIFY,
	    "'sip:sbc@10.0.0.2:5060'", NULL), 1);
	assert_string_equal(line(m, "Contact", 0), "<sip:sbc@10.0.0.2:5060>");
	assert_string_equal(sip_object(m)->sip_contact->m_url->url_host, "10.0.0.2");
	msg_destroy(m);
}

static void
test_header_params_and_name(void **state)
{
	msg_t *m = parse(invite_3cx);

	(void)state;
	assert_int_equal(apply(m, "any", NULL, "header.from.param.x-p", CFG_MA_ADD, "'1'", NULL),
	    1);
	assert_string_equal(line(m, "From", 0),
	    "\"Alice Smith\" <sip:201@192.168.1.10:5060>;tag=abc123;x-p=1");
	assert_int_equal(apply(m, "any", NULL, "header.from.param.x-p", CFG_MA_MODIFY, "'2'",
	    NULL), 1);
	assert_int_equal(apply(m, "any", NULL, "header.from.param.x-p", CFG_MA_REMOVE, NULL,
	    NULL), 1);
	assert_int_equal(apply(m, "any", NULL, "header.from.param.x-p", CFG_MA_REMOVE, NULL,
	    NULL), 0);
	assert_string_equal(line(m, "From", 0),
	    "\"Alice Smith\" <sip:201@192.168.1.10:5060>;tag=abc123");
	assert_string_equal(sip_object(m)->sip_from->a_tag, "abc123");

	/* display name */
	assert_int_equal(apply(m, "any", NULL, "header.from.name", CFG_MA_MODIFY,
	    "'Reception \"Desk\"'", NULL), 1);
	assert_string_equal(line(m, "From", 0),
	    "\"Reception \\\"Desk\\\"\" <sip:201@192.168.1.10:5060>;tag=abc123");
	assert_int_equal(apply(m, "any", NULL, "header.from.name", CFG_MA_REMOVE, NULL, NULL),
	    1);
	assert_string_equal(line(m, "From", 0), "<sip:201@192.168.1.10:5060>;tag=abc123");
	assert_int_equal(apply(m, "any", NULL, "header.to.name", CFG_MA_ADD, "'Bob'", NULL), 1);
	assert_string_equal(line(m, "To", 0), "\"Bob\" <sip:912065550100@10.0.0.2>");

	/* Diversion (sofia keeps it as an unknown header) */
	assert_int_equal(apply(m, "any", NULL, "header.diversion.param.counter", CFG_MA_MODIFY,
	    "'2'", NULL), 1);
	assert_int_equal(apply(m, "any", NULL, "header.diversion.param.reason", CFG_MA_REMOVE,
	    NULL, NULL), 1);
	assert_string_equal(line(m, "Diversion", 0), "<sip:+12065550111@192.168.1.10>;counter=2");
	/* Via parameters */
	assert_int_equal(apply(m, "any", "header.via.param.rport exists", "header.via.param.rport",
	    CFG_MA_REMOVE, NULL, NULL), 1);
	assert_string_equal(line(m, "Via", 0), "SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK-1");
	msg_destroy(m);
}

static void
test_whole_headers(void **state)
{
	msg_t *m = parse(invite_3cx);

	(void)state;
	/* modify, prefix and suffix a generic header */
	assert_int_equal(apply(m, "any", NULL, "header.user-agent", CFG_MA_MODIFY, "'sbcd'",
	    NULL), 1);
	assert_string_equal(line(m, "User-Agent", 0), "sbcd");
	assert_int_equal(apply(m, "any", NULL, "header.user-agent", CFG_MA_ADD_SUFFIX, "'/1.0'",
	    NULL), 1);
	assert_string_equal(line(m, "User-Agent", 0), "sbcd/1.0");

	/* add: a new header, another instance of one already there */
	assert_int_equal(apply(m, "any", NULL, "header.X-Trunk", CFG_MA_ADD, "'chime'", NULL), 1);
	assert_string_equal(line(m, "X-Trunk", 0), "chime");
	assert_int_equal(apply(m, "any", NULL, "header.x-custom", CFG_MA_ADD, "'three'", NULL), 1);
	assert_int_equal(count(m, "X-Custom"), 3);
	assert_string_equal(line(m, "x-custom", 2), "three");
	/* a list header gets another value */
	assert_int_equal(apply(m, "any", NULL, "header.supported", CFG_MA_ADD, "'100rel'", NULL),
	    1);
	assert_non_null(strstr(line(m, "Supported", 0), "100rel"));
	assert_non_null(strstr(line(m, "Supported", 0), "timer"));
	/* a header allowed once is replaced */
	assert_int_equal(apply(m, "any", NULL, "header.session-expires", CFG_MA_ADD,
	    "'900;refresher=uas'", NULL), 1);
	assert_int_equal(count(m, "Session-Expires"), 1);
	assert_string_equal(line(m, "Session-Expires", 0), "900;refresher=uas");

	/* indexed instances */
	assert_int_equal(apply(m, "any", NULL, "header.x-custom.1", CFG_MA_MODIFY, "'TWO'",
	    NULL), 1);
	assert_string_equal(line(m, "X-Custom", 1), "TWO");
	assert_int_equal(apply(m, "any", NULL, "header.x-custom.0", CFG_MA_REMOVE, NULL, NULL),
	    1);
	assert_int_equal(count(m, "X-Custom"), 2);
	assert_string_equal(line(m, "X-Custom", 0), "TWO");
	/* remove without an index: every instance */
	assert_int_equal(apply(m, "any", NULL, "header.x-custom", CFG_MA_REMOVE, NULL, NULL), 1);
	assert_int_equal(count(m, "X-Custom"), 0);
	assert_int_equal(apply(m, "any", NULL, "header.x-custom", CFG_MA_REMOVE, NULL, NULL), 0);
	/* known headers too, and modify of a missing header changes nothing */
	assert_int_equal(apply(m, "any", NULL, "header.diversion", CFG_MA_REMOVE, NULL, NULL), 1);
	assert_int_equal(apply(m, "any", NULL, "header.user-agent", CFG_MA_REMOVE, NULL, NULL), 1);
	assert_null(line(m, "User-Agent", 0));
	assert_null(sip_object(m)->sip_user_agent);
	assert_int_equal(apply(m, "any", NULL, "header.user-agent", CFG_MA_MODIFY, "'x'", NULL),
	    0);
	/* a value sofia cannot parse for a known header changes nothing */
	assert_int_equal(apply(m, "any", NULL, "header.session-expires", CFG_MA_MODIFY,
	    "'soon'", NULL), 0);
	assert_string_equal(line(m, "Session-Expires", 0), "900;refresher=uas");
	/* a literal with a line break never becomes a header line */
	assert_int_equal(apply(m, "any", NULL, "header.x-evil", CFG_MA_ADD,
	    "'a\r\nVia: SIP/2.0/UDP evil'", NULL), 0);
	assert_int_equal(count(m, "Via"), 1);
	msg_destroy(m);
}

static void
test_request_uri(void **state)
{
	msg_t *m = parse(invite_3cx);

	(void)state;
	/* 3CX dials 9 + the number: strip it, add '+' (E.164 toward the carrier) */
	assert_int_equal(apply(m, "invite.request", "header.request-uri.url.user regex '^9'",
	    "header.request-uri.url.user", CFG_MA_REMOVE_PREFIX, "'9'", NULL), 1);
	assert_int_equal(apply(m, "invite.request", NULL, "header.request-uri.url.user",
	    CFG_MA_ADD_PREFIX, "'+'", NULL), 1);
	assert_string_equal(line(m, "request", 0), "INVITE sip:+12065550100@10.0.0.2:5060 SIP/2.0");
	assert_string_equal(sip_object(m)->sip_request->rq_url->url_user, "+12065550100");
	assert_int_equal(sip_object(m)->sip_request->rq_method, sip_method_invite);

	assert_int_equal(apply(m, "any", NULL, "header.request-uri.url.host", CFG_MA_MODIFY,
	    "'lab.voiceconnector.chime.test'", NULL), 1);
	assert_int_equal(apply(m, "any", NULL, "header.request-uri.url.port", CFG_MA_REMOVE,
	    NULL, NULL), 1);
	assert_int_equal(apply(m, "any", NULL, "header.request-uri.url.param.transport",
	    CFG_MA_ADD, "'tls'", NULL), 1);
	assert_string_equal(line(m, "request", 0),
	    "INVITE sip:+12065550100@lab.voiceconnector.chime.test;transport=tls SIP/2.0");
	assert_int_equal(apply(m, "any", NULL, "header.request-uri", CFG_MA_MODIFY,
	    "'sip:' + header.to.url.user + '@10.9.9.9'", NULL), 1);
	assert_string_equal(line(m, "request", 0), "INVITE sip:912065550100@10.9.9.9 SIP/2.0");
	/* something that is not a URI is refused */
	assert_int_equal(apply(m, "any", NULL, "header.request-uri", CFG_MA_MODIFY,
	    "'not a uri'", NULL), 0);
	msg_destroy(m);

	/* responses have no Request-URI: conditions on it are false, actions skip */
	m = parse(bye_200);
	assert_int_equal(holds(m, "header.request-uri exists", NULL), 0);
	assert_int_equal(apply(m, "any", NULL, "header.request-uri.url.user", CFG_MA_MODIFY,
	    "'x'", NULL), 0);
	msg_destroy(m);
}

static void
test_session_expires(void **state)
{
	msg_t *m = parse(invite_3cx);

	(void)state;
	assert_int_equal(holds(m, "header.session-expires.refresher == 'uac'", NULL), 1);
	assert_int_equal(holds(m, "header.session-expires.time num> '900'", NULL), 1);
	/* AudioCodes numbers: '2' is uas, '1' is uac */
	assert_int_equal(apply(m, "invite.request", NULL, "header.session-expires.refresher",
	    CFG_MA_MODIFY, "'2'", NULL), 1);
	assert_string_equal(line(m, "Session-Expires", 0), "1800;refresher=uas");
	assert_string_equal(sip_object(m)->sip_session_expires->x_refresher, "uas");
	assert_int_equal(apply(m, "invite.request", NULL, "header.session-expires.refresher",
	    CFG_MA_MODIFY, "'1'", NULL), 1);
	assert_string_equal(line(m, "Session-Expires", 0), "1800;refresher=uac");
	assert_int_equal(apply(m, "invite.request", NULL, "header.x.refresher",
	    CFG_MA_MODIFY, "'UAS'", NULL), 1);	/* compact name */
	assert_string_equal(line(m, "Session-Expires", 0), "1800;refresher=uas");
	assert_int_equal(apply(m, "any", NULL, "header.session-expires.time", CFG_MA_MODIFY,
	    "'90'", NULL), 1);
	assert_string_equal(line(m, "Session-Expires", 0), "90;refresher=uas");
	assert_int_equal(sip_object(m)->sip_session_expires->x_delta, 90);
	assert_int_equal(apply(m, "any", NULL, "header.session-expires.refresher", CFG_MA_REMOVE,
	    NULL, NULL), 1);
	assert_string_equal(line(m, "Session-Expires", 0), "90");
	assert_int_equal(holds(m, "header.session-expires.refresher exists", NULL), 0);
	assert_int_equal(apply(m, "any", NULL, "header.session-expires.refresher", CFG_MA_ADD,
	    "'uac'", NULL), 1);
	assert_string_equal(line(m, "Session-Expires", 0), "90;refresher=uac");
	msg_destroy(m);
}

static void
test_conditions(void **state)
{
	msg_t			*m = parse(invite_3cx);
	struct manip_ctx	 ctx = { .ipg_dst = { .name = "VC", .id = "1" },
	    .msg_dst = { .sipinterface = "1" } };

	(void)state;
	/* == and != (case-insensitive) */
	assert_int_equal(holds(m, "header.from.url.user == '201'", NULL), 1);
	assert_int_equal(holds(m, "header.from.url.host == '192.168.1.10'", NULL), 1);
	assert_int_equal(holds(m, "header.user-agent == '3cxphonesystem 18.0.9.20'", NULL), 1);
	assert_int_equal(holds(m, "header.from.url.user == '202'", NULL), 0);
	assert_int_equal(holds(m, "header.from.url.user != '202'", NULL), 1);
	assert_int_equal(holds(m, "header.from.url.user != '201'", NULL), 0);
	/* contains, !contains */
	assert_int_equal(holds(m, "header.user-agent contains '3CX'", NULL), 1);
	assert_int_equal(holds(m, "header.user-agent CONTAINS 'yealink'", NULL), 0);
	assert_int_equal(holds(m, "header.user-agent !contains 'yealink'", NULL), 1);
	assert_int_equal(holds(m, "header.user-agent !contains '3cx'", NULL), 0);
	/* exists, !exists: headers, elements, parameters */
	assert_int_equal(holds(m, "header.p-asserted-identity exists", NULL), 1);
	assert_int_equal(holds(m, "header.privacy exists", NULL), 0);
	assert_int_equal(holds(m, "header.privacy !exists", NULL), 1);
	assert_int_equal(holds(m, "header.from.param.tag exists", NULL), 1);
	assert_int_equal(holds(m, "header.to.param.tag exists", NULL), 0);
	assert_int_equal(holds(m, "header.from.name exists", NULL), 1);
	assert_int_equal(holds(m, "header.to.name exists", NULL), 0);
	assert_int_equal(holds(m, "param.ipg.dst.name exists", &ctx), 1);
	assert_int_equal(holds(m, "param.ipg.src.name exists", &ctx), 0);
	/* regex (POSIX ERE, unanchored unless the pattern says so) */
	assert_int_equal(holds(m, "header.to.url.user regex '^9[0-9]{11}$'", NULL), 1);
	assert_int_equal(holds(m, "header.to.url.user regex '065'", NULL), 1);
	assert_int_equal(holds(m, "header.to.url.user regex '^065'", NULL), 0);
	/* lexical and numeric order */
	assert_int_equal(holds(m, "header.cseq > '10 INVITE'", NULL), 1);
	assert_int_equal(holds(m, "header.session-expires.time < '900'", NULL), 1);
	assert_int_equal(holds(m, "header.session-expires.time num< '900'", NULL), 0);
	assert_int_equal(holds(m, "header.session-expires.time num>= '1800'", NULL), 1);
	assert_int_equal(holds(m, "header.session-expires.time num== '1800.0'", NULL), 1);
	assert_int_equal(holds(m, "header.from.url.user num> 'abc'", NULL), 0);
	/* values joined with + on either side, AudioCodes spacing */
	assert_int_equal(holds(m, "header.from.url.user+'@'+header.from.url.host=='201@192.168.1.10'",
	    NULL), 1);
	assert_int_equal(holds(m, "param.Message.Address.dst.SIPInterface=='1'", &ctx), 1);
	assert_int_equal(holds(m, "param.ipg.dst.id == '2'", &ctx), 0);
	/* a missing element: == false, != true */
	assert_int_equal(holds(m, "header.privacy == 'id'", NULL), 0);
	assert_int_equal(holds(m, "header.privacy != 'id'", NULL), 1);
	assert_int_equal(holds(m, "param.call.src.user == '201'", NULL), 0);
	msg_destroy(m);
}

static void
test_and_or(void **state)
{
	msg_t		*m = parse(invite_3cx);
	const char	*t = "header.from.url.user == '201'";	/* true */
	const char	*f = "header.to.url.user == 'x'";	/* false */
	const char	*f2 = "header.call-id contains 'nope'";	/* false */
	char		 c[512];

	(void)state;
	snprintf(c, sizeof(c), "%s AND %s", t, t);
	assert_int_equal(holds(m, c, NULL), 1);
	snprintf(c, sizeof(c), "%s and %s", t, f);
	assert_int_equal(holds(m, c, NULL), 0);
	snprintf(c, sizeof(c), "%s OR %s", f, t);
	assert_int_equal(holds(m, c, NULL), 1);
	snprintf(c, sizeof(c), "%s or %s", f, f2);
	assert_int_equal(holds(m, c, NULL), 0);
	/* AND binds tighter: T OR (F AND F) is true, (T OR F) AND F would be false */
	snprintf(c, sizeof(c), "%s OR %s AND %s", t, f, f2);
	assert_int_equal(holds(m, c, NULL), 1);
	/* (F AND T) OR T */
	snprintf(c, sizeof(c), "%s AND %s OR %s", f, t, t);
	assert_int_equal(holds(m, c, NULL), 1);
	/* F OR (T AND F) */
	snprintf(c, sizeof(c), "%s OR %s AND %s", f, t, f);
	assert_int_equal(holds(m, c, NULL), 0);
	/* parentheses override */
	snprintf(c, sizeof(c), "(%s OR %s) AND %s", t, f, f2);
	assert_int_equal(holds(m, c, NULL), 0);
	msg_destroy(m);
}

static void
test_row_role_previous(void **state)
{
	struct cfg_man_rule	rows[5];
	struct cfg_man_set	set = { .name = "T", .rules = rows, .n_rules = 5 };
	msg_t			*m;

	(void)state;
	memset(rows, 0, sizeof(rows));
	rows[0].compiled = compile("invite.request", "header.x-custom exists", "header.x-a",
	    CFG_MA_ADD, "'a'", CFG_ROW_CURRENT);
	rows[1].compiled = compile("any", NULL, "header.x-b", CFG_MA_ADD, "'b'",
	    CFG_ROW_PREVIOUS);
	rows[2].compiled = compile("bye", NULL, "header.x-e", CFG_MA_ADD, "'e'",
	    CFG_ROW_PREVIOUS);	/* its own message type still counts */
	rows[3].compiled = compile("options.request", NULL, "header.x-c", CFG_MA_ADD, "'c'",
	    CFG_ROW_CURRENT);
	rows[4].compiled = compile("any", NULL, "header.x-d", CFG_MA_ADD, "'d'",
	    CFG_ROW_PREVIOUS);

	m = parse(invite_3cx);
	assert_int_equal(manip_apply_set(&set, m, sip_object(m), NULL), 2);
	assert_non_null(line(m, "X-A", 0));
	assert_non_null(line(m, "X-B", 0));
	assert_null(line(m, "X-E", 0));
	assert_null(line(m, "X-C", 0));
	assert_null(line(m, "X-D", 0));
	msg_destroy(m);

	m = parse(options_ping);	/* row 0 false: rows 1-2 skip; row 3 true: row 4 runs */
	assert_int_equal(manip_apply_set(&set, m, sip_object(m), NULL), 2);
	assert_null(line(m, "X-A", 0));
	assert_null(line(m, "X-B", 0));
	assert_non_null(line(m, "X-C", 0));
	assert_non_null(line(m, "X-D", 0));
	msg_destroy(m);

	/* a row that failed to compile (NULL) breaks the chain */
	manip_rule_free(rows[3].compiled);
	rows[3].compiled = NULL;
	m = parse(options_ping);
	assert_int_equal(manip_apply_set(&set, m, sip_object(m), NULL), 0);
	msg_destroy(m);

	for (size_t i = 0; i < 5; i++)
		manip_rule_free(rows[i].compiled);
}

static void
test_regex_captures(void **state)
{
	struct cfg_man_rule	rows[2];
	struct cfg_man_set	set = { .name = "T", .rules = rows, .n_rules = 2 };
	msg_t			*m = parse(invite_3cx);

	(void)state;
	memset(rows, 0, sizeof(rows));
	rows[0].compiled = compile("invite.request",
	    "header.request-uri.url.user regex '^9(1)([0-9]{10})$'",
	    "header.request-uri.url.user", CFG_MA_MODIFY, "'+' + $1 + $2", CFG_ROW_CURRENT);
	/* the next row sees the same captures */
	rows[1].compiled = compile("any", NULL, "header.to.url.user", CFG_MA_MODIFY,
	    "'+'+$1+$2", CFG_ROW_PREVIOUS);
	assert_int_equal(manip_apply_set(&set, m, sip_object(m), NULL), 2);
	assert_string_equal(line(m, "request", 0), "INVITE sip:+12065550100@10.0.0.2:5060 SIP/2.0");
	assert_string_equal(line(m, "To", 0), "<sip:+12065550100@10.0.0.2>");
	/* now it does not match: nothing changes */
	assert_int_equal(manip_apply_set(&set, m, sip_object(m), NULL), 0);
	msg_destroy(m);
	manip_rule_free(rows[0].compiled);
	manip_rule_free(rows[1].compiled);

	/* $0 is the whole match; an optional group that did not take part is empty */
	m = parse(invite_3cx);
	assert_int_equal(apply(m, "any", "header.from.url.host regex '([0-9]+)\\.([0-9]+)(x)?'",
	    "header.x-cap", CFG_MA_ADD, "$0 + '|' + $1 + '|' + $3 + '|'", NULL), 1);
	assert_string_equal(line(m, "X-Cap", 0), "192.168|192||");
	/* captures without a regex that matched: the action is not applied */
	assert_int_equal(apply(m, "any", NULL, "header.x-cap2", CFG_MA_ADD, "$1", NULL), 0);
	msg_destroy(m);
}

static void
test_params(void **state)
{
	struct manip_ctx ctx = {
		.msg_src = { .ip = "10.0.0.2", .port = "5060", .sipinterface = "SI-VC" },
		.msg_dst = { .ip = "52.55.62.60", .port = "5061", .sipinterface = "SI-VC" },
		.ipg_src = { .host = NULL, .name = "3CX", .id = "0" },
		.ipg_dst = { .host = "lab.voiceconnector.chime.test", .user = "trunk",
		    .name = "VC", .id = "1" },
		.call_src = { .user = "201", .host = "192.168.1.10" },
		.call_dst = { .user = "+12065550100", .host = "10.0.0.2" },
	};
	msg_t *m = parse(invite_3cx);

	(void)state;
	assert_int_equal(apply(m, "any", NULL, "header.to.url.host", CFG_MA_MODIFY,
	    "param.message.address.dst.address", &ctx), 1);
	assert_int_equal(apply(m, "any", NULL, "header.to.url.port", CFG_MA_MODIFY,
	    "param.message.address.dst.port", &ctx), 1);
	assert_string_equal(line(m, "To", 0), "<sip:912065550100@52.55.62.60:5061>");
	assert_int_equal(apply(m, "any", NULL, "header.from.url.host", CFG_MA_MODIFY,
	    "param.message.address.src.ip", &ctx), 1);
	assert_int_equal(apply(m, "any", NULL, "header.request-uri.url.host", CFG_MA_MODIFY,
	    "param.ipg.dst.host", &ctx), 1);
	assert_int_equal(apply(m, "any", NULL, "header.x-route", CFG_MA_ADD,
	    "param.ipg.src.name + '>' + param.ipg.dst.name + ' #' + param.ipg.dst.id + ' ' + "
	    "param.call.src.user + '@' + param.call.src.host + ' to ' + param.call.dst.user + "
	    "' via ' + param.message.address.src.sipinterface + ' ' + param.ipg.dst.user",
	    &ctx), 1);
	assert_string_equal(line(m, "X-Route", 0),
	    "3CX>VC #1 201@192.168.1.10 to +12065550100 via SI-VC trunk");
	/* other headers as values */
	assert_int_equal(apply(m, "invite", "header.diversion exists", "header.from.url.user",
	    CFG_MA_MODIFY, "header.diversion.url.user", &ctx), 1);
	assert_string_equal(line(m, "From", 0),
	    "\"Alice Smith\" <sip:+12065550111@10.0.0.2:5060>;tag=abc123");
	/* a parameter the caller does not know: not applied */
	assert_int_equal(apply(m, "any", NULL, "header.from.url.host", CFG_MA_MODIFY,
	    "param.ipg.src.host", &ctx), 0);
	assert_int_equal(apply(m, "any", NULL, "header.from.url.host", CFG_MA_MODIFY,
	    "param.ipg.dst.host", NULL), 0);
	msg_destroy(m);
}

static void
test_p_asserted_identity(void **state)
{
	msg_t *m = parse(invite_3cx);

	(void)state;
	/* sofia's default message class keeps it as an unknown header */
	assert_int_equal(holds(m, "header.p-asserted-identity.url.user == '+12065550199'", NULL),
	    1);
	assert_int_equal(apply(m, "invite.request", NULL, "header.p-asserted-identity.url.host",
	    CFG_MA_MODIFY, "'203.0.113.5'", NULL), 1);
	assert_int_equal(apply(m, "invite.request", NULL, "header.P-Asserted-Identity.name",
	    CFG_MA_MODIFY, "'Alice'", NULL), 1);
	assert_string_equal(line(m, "P-Asserted-Identity", 0),
	    "\"Alice\" <sip:+12065550199@203.0.113.5>");
	assert_int_equal(count(m, "P-Asserted-Identity"), 1);
	/* the URL of an addr-spec that gains parameters is put in <> */
	assert_int_equal(apply(m, "any", NULL, "header.x-id", CFG_MA_ADD, "'sip:1@h'", NULL), 1);
	assert_int_equal(apply(m, "any", NULL, "header.x-id.url.param.user", CFG_MA_ADD,
	    "'phone'", NULL), 1);
	assert_string_equal(line(m, "X-Id", 0), "<sip:1@h;user=phone>");
	/* tel: URIs have a user (the number) and no host */
	assert_int_equal(apply(m, "any", NULL, "header.x-tel", CFG_MA_ADD,
	    "'<tel:+12065550100;phone-context=x>'", NULL), 1);
	assert_int_equal(holds(m, "header.x-tel.url.user == '+12065550100'", NULL), 1);
	assert_int_equal(holds(m, "header.x-tel.url.host exists", NULL), 0);
	assert_int_equal(apply(m, "any", NULL, "header.x-tel.url.user", CFG_MA_REMOVE_PREFIX,
	    "'+1'", NULL), 1);
	assert_string_equal(line(m, "X-Tel", 0), "<tel:2065550100;phone-context=x>");
	msg_destroy(m);
}

static void
test_normalize(void **state)
{
	static const char inv[] =
	    "INVITE sip:+1-800-229-229;phone-context=1@10.33.2.17;user=phone;Unknown SIP/2.0\n"
	    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-n1\n"
	    "Max-Forwards: 70\n"
	    "From: <sip:(425) 555.0100@10.0.0.1>;tag=n1;x-junk=1\n"
	    "To: <sip:+1-800-229-229;phone-context=1@10.33.2.17;user=phone;UnknownUrlParam>"
	    ";UnknownHeaderParam\n"
	    "Call-ID: n1@10.0.0.1\n"
	    "CSeq: 1 INVITE\n"
	    "Contact: <sip:a@10.0.0.1>;expires=60;+sip.instance=\"<urn:x>\";foo\n"
	    "X-Other: a;b=c\n"
	    "Content-Length: 0\n"
	    "\n";
	msg_t *m = parse(inv);

	(void)state;
	/* the URL: user parameters and visual separators, unknown URL parameters */
	assert_int_equal(apply(m, "any", NULL, "header.to.url", CFG_MA_NORMALIZE, NULL, NULL), 1);
	assert_string_equal(line(m, "To", 0),
	    "<sip:+1800229229@10.33.2.17;user=phone>;UnknownHeaderParam");
	/* the header: its unknown parameters */
	assert_int_equal(apply(m, "any", NULL, "header.to", CFG_MA_NORMALIZE, NULL, NULL), 1);
	assert_string_equal(line(m, "To", 0), "<sip:+1800229229@10.33.2.17;user=phone>");
	assert_int_equal(apply(m, "any", NULL, "header.from", CFG_MA_NORMALIZE, NULL, NULL), 1);
	assert_string_equal(line(m, "From", 0), "<sip:(425) 555.0100@10.0.0.1>;tag=n1");
	/* the user part alone */
	assert_int_equal(apply(m, "any", NULL, "header.from.url.user", CFG_MA_NORMALIZE, NULL,
	    NULL), 1);
	assert_string_equal(line(m, "From", 0), "<sip:4255550100@10.0.0.1>;tag=n1");
	/* Contact keeps its known parameters and feature tags */
	assert_int_equal(apply(m, "any", NULL, "header.contact", CFG_MA_NORMALIZE, NULL, NULL), 1);
	assert_string_equal(line(m, "Contact", 0),
	    "<sip:a@10.0.0.1>;expires=60;+sip.instance=\"<urn:x>\"");
	/* a header sbcd has no parameter list for is left alone */
	assert_int_equal(apply(m, "any", NULL, "header.x-other", CFG_MA_NORMALIZE, NULL, NULL), 0);
	/* the Request-URI */
	assert_int_equal(apply(m, "any", NULL, "header.request-uri", CFG_MA_NORMALIZE, NULL,
	    NULL), 1);
	assert_string_equal(line(m, "request", 0),
	    "INVITE sip:+1800229229@10.33.2.17;user=phone SIP/2.0");
	/* a user that is not a number keeps its characters */
	assert_int_equal(apply(m, "any", NULL, "header.contact.url.user", CFG_MA_NORMALIZE, NULL,
	    NULL), 0);
	msg_destroy(m);
}

/* Odd and broken values: every element and action, no crash, still valid SIP. */
static void
test_odd_values(void **state)
{
	static const char inv[] =
	    "MESSAGE sip:[2001:db8::1]:5061;transport=tls SIP/2.0\n"
	    "Via: SIP/2.0/TLS [2001:db8::2]:5061;branch=z9hG4bK-x\n"
	    "Max-Forwards: 70\n"
	    "From: <sips:a@[2001:db8::2]>;tag=x\n"
	    "To: sip:b@example.com;tag=y\n"
	    "Call-ID: odd@x\n"
	    "CSeq: 1 MESSAGE\n"
	    "X-A: <sip:unterminated\n"
	    "X-B: \"quote <not closed\n"
	    "X-C: \n"
	    "X-D: sip:[::1\n"
	    "X-E: <sip:@>;;;=;a=\"b;c\n"
	    "X-F: <sips:[2001:db8::1]:5061;transport=tls?Subject=x>;p\n"
	    "X-G: urn:service:sos;x=1\n"
	    "Content-Length: 0\n"
	    "\n";
	static const char *const hdrs[] = { "x-a", "x-b", "x-c", "x-d", "x-e", "x-f", "x-g",
	    "to", "from", "request-uri" };
	static const char *const els[] = { "", ".url", ".url.user", ".url.host", ".url.port",
	    ".url.param.transport", ".param.a", ".name" };
	static const int acts[] = { CFG_MA_ADD, CFG_MA_REMOVE, CFG_MA_MODIFY, CFG_MA_ADD_PREFIX,
	    CFG_MA_ADD_SUFFIX, CFG_MA_REMOVE_PREFIX, CFG_MA_REMOVE_SUFFIX, CFG_MA_NORMALIZE };
	msg_t *m = parse(inv);

	(void)state;
	assert_int_equal(holds(m, "header.x-f.url.host == '[2001:db8::1]'", NULL), 1);
	assert_int_equal(holds(m, "header.x-f.url.port == '5061'", NULL), 1);
	assert_int_equal(holds(m, "header.request-uri.url.host == '[2001:db8::1]'", NULL), 1);
	assert_int_equal(holds(m, "header.to.param.tag == 'y'", NULL), 1);
	assert_int_equal(holds(m, "header.x-g.url.user exists", NULL), 0);
	for (size_t h = 0; h < sizeof(hdrs) / sizeof(hdrs[0]); h++)
		for (size_t e = 0; e < sizeof(els) / sizeof(els[0]); e++)
			for (size_t a = 0; a < sizeof(acts) / sizeof(acts[0]); a++) {
				struct cfg_man_rule	 r = { .message_type = "any",
				    .action = acts[a], .value = "'v'" };
				struct manip_rule	*rl;
				char			 subj[64], cond[2 * sizeof(subj) + 32], err[256];

				snprintf(subj, sizeof(subj), "header.%s%s", hdrs[h], els[e]);
				snprintf(cond, sizeof(cond), "%s exists OR %s regex '.'", subj, subj);
				r.subject = subj;
				r.condition = cond;
				if (manip_compile(&r, &rl, err, sizeof(err)) != 0)
					continue;	/* e.g. remove of From */
				manip_apply_rule(rl, m, sip_object(m), NULL);
				manip_rule_free(rl);
				(void)wire(m);
			}
	msg_destroy(m);
}

/* ===== the guide's seven rules, as conf/sbc.conf carries them ===== */

#define BASE \
	"ip_interfaces = ( { name = \"LAN\"; address = \"127.0.0.1\"; } );\n" \
	"media_realms = ( { name = \"MR\"; interface = \"LAN\"; port_start = 20000; " \
	"session_legs = 10; } );\n" \
	"sip_interfaces = ( { name = \"SI\"; interface = \"LAN\"; udp_port = 5060; " \
	"media_realm = \"MR\"; } );\n"

/* The manipulation_sets = ( ... ); block of conf/sbc.conf, malloc'd. */
static char *
guide_rules(void)
{
	const char	*root = getenv("ROOT");
	char		 path[1024], *text, *start, *p;
	FILE		*fp;
	long		 len;
	int		 depth = 0;

	snprintf(path, sizeof(path), "%s/conf/sbc.conf", root ? root : ".");
	if ((fp = fopen(path, "r")) == NULL)
		fp = fopen("../../conf/sbc.conf", "r");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	start = strstr(text, "\nmanipulation_sets");
	assert_non_null(start);
	for (p = strchr(start, '('); *p; p++) {
		if (*p == '#')	/* comments may hold parentheses */
			while (*p && *p != '\n')
				p++;
		if (*p == '"')
			for (p++; *p && *p != '"'; p++)
				;
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			break;
	}
	assert_int_equal(depth, 0);
	p[1] = '\0';
	memmove(text, start, strlen(start) + 1);
	return text;
}

static const struct cfg_man_set *
set_named(const struct cfg *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_manipulation_sets; i++)
		if (strcmp(cfg->manipulation_sets[i].name, name) == 0)
			return &cfg->manipulation_sets[i];
	fail_msg("no manipulation set %s", name);
	return NULL;
}

static void
test_guide_rules(void **state)
{
	struct cfg			*cfg = NULL;
	struct cfg_diag			 diag;
	char				*rules = guide_rules(), *text;
	const struct cfg_man_set	*to3cx, *tovc;
	/* toward 3CX: sbcd's LAN side 127.0.0.1, 3CX at 127.0.0.10 */
	struct manip_ctx		 c3 = { .msg_src = { .ip = "127.0.0.1", .port = "5060" },
	    .msg_dst = { .ip = "127.0.0.10", .port = "5060" } };
	/* toward the Voice Connector: WAN side 127.0.0.2, the VC at 127.0.0.20 */
	struct manip_ctx		 cv = { .msg_src = { .ip = "127.0.0.2", .port = "5061" },
	    .msg_dst = { .ip = "127.0.0.20", .port = "5061" },
	    .ipg_dst = { .host = "lab.voiceconnector.chime.test" } };
	msg_t				*m;
	sip_t				*sip;

	(void)state;
	assert_true(asprintf(&text, BASE "%s\n", rules) > 0);
	free(rules);
	cfg_diag_init(&diag);
	if (cfg_load_string(text, "sbc.conf", &cfg, &diag) != 0)
		fail_msg("%s", diag.n ? diag.msgs[0] : "load failed");
	cfg_diag_free(&diag);
	free(text);
	to3cx = set_named(cfg, "MS-TO-3CX");
	tovc = set_named(cfg, "MS-TO-VC");
	for (size_t i = 0; i < to3cx->n_rules; i++)
		assert_non_null(to3cx->rules[i].compiled);

	/* (1) OPTIONS toward 3CX: To host = the destination address; (3) From host = LAN */
	m = parse(options_ping);
	sip = sip_object(m);
	assert_int_equal(manip_apply_set(to3cx, m, sip, &c3), 2);
	assert_string_equal(line(m, "To", 0), "<sip:ping@127.0.0.10>");
	assert_string_equal(line(m, "From", 0), "<sip:ping@127.0.0.1>;tag=o1");
	msg_destroy(m);

	/* (3) and (7) INVITE toward 3CX: From host = LAN, refresher = uas */
	m = parse(invite_3cx);
	sip = sip_object(m);
	assert_int_equal(manip_apply_set(to3cx, m, sip, &c3), 2);
	assert_string_equal(line(m, "From", 0), "\"Alice Smith\" <sip:201@127.0.0.1:5060>;tag=abc123");
	assert_string_equal(line(m, "Session-Expires", 0), "1800;refresher=uas");
	assert_string_equal(line(m, "To", 0), "<sip:912065550100@10.0.0.2>");	/* untouched */
	msg_destroy(m);

	/* (7) needs a Session-Expires: none is added */
	m = parse(invite_3cx);
	assert_int_equal(apply(m, "any", NULL, "header.session-expires", CFG_MA_REMOVE, NULL,
	    NULL), 1);
	assert_int_equal(manip_apply_set(to3cx, m, sip_object(m), &c3), 1);
	assert_null(line(m, "Session-Expires", 0));
	msg_destroy(m);

	/* responses toward 3CX are left alone */
	m = parse(invite_180);
	assert_int_equal(manip_apply_set(to3cx, m, sip_object(m), &c3), 0);
	msg_destroy(m);

	/* (2) and (4) OPTIONS toward the VC: To host = destination, From host = WAN */
	m = parse(options_ping);
	assert_int_equal(manip_apply_set(tovc, m, sip_object(m), &cv), 2);
	assert_string_equal(line(m, "To", 0), "<sip:ping@127.0.0.20>");
	assert_string_equal(line(m, "From", 0), "<sip:ping@127.0.0.2>;tag=o1");
	msg_destroy(m);

	/* (4) and (5) INVITE toward the VC: From and P-Asserted-Identity hosts = WAN */
	m = parse(invite_3cx);
	assert_int_equal(manip_apply_set(tovc, m, sip_object(m), &cv), 2);
	assert_string_equal(line(m, "From", 0), "\"Alice Smith\" <sip:201@127.0.0.2:5060>;tag=abc123");
	assert_string_equal(line(m, "P-Asserted-Identity", 0), "<sip:+12065550199@127.0.0.2>");
	assert_string_equal(line(m, "Session-Expires", 0), "1800;refresher=uac");	/* untouched */
	msg_destroy(m);

	/* (5) needs a P-Asserted-Identity: none is added */
	m = parse(invite_3cx);
	assert_int_equal(apply(m, "any", NULL, "header.p-asserted-identity", CFG_MA_REMOVE, NULL,
	    NULL), 1);
	assert_int_equal(manip_apply_set(tovc, m, sip_object(m), &cv), 1);
	assert_null(line(m, "P-Asserted-Identity", 0));
	msg_destroy(m);

	/* (6) the response to the VC's BYE: To host = sbcd's own (source) address */
	m = parse(bye_200);
	assert_int_equal(manip_apply_set(tovc, m, sip_object(m), &cv), 1);
	assert_string_equal(line(m, "To", 0), "<sip:+12065550199@127.0.0.2>;tag=sbc1");
	assert_string_equal(line(m, "From", 0), "<sip:+12065550100@52.55.62.60>;tag=vc1");
	assert_string_equal(sip_object(m)->sip_to->a_tag, "sbc1");
	msg_destroy(m);

	/* other responses toward the VC are left alone */
	m = parse(invite_180);
	assert_int_equal(manip_apply_set(tovc, m, sip_object(m), &cv), 0);
	msg_destroy(m);

	cfg_unref(cfg);	/* frees the compiled rules (ASan/LSan checks) */
}

static void
test_cfg_errors(void **state)
{
	struct cfg	*cfg = NULL;
	struct cfg_diag	 diag;

	(void)state;
	cfg_diag_init(&diag);
	assert_int_equal(cfg_load_string(BASE
	    "manipulation_sets = ( { name = \"M\"; rules = (\n"
	    "  { message_type = \"any\"; subject = \"header.x-a\"; action = \"remove\"; },\n"
	    "  { message_type = \"any\"; condition = \"header.to.url.user =! '1'\";\n"
	    "    subject = \"header.x-a\"; action = \"add\"; value = \"'1'\"; },\n"
	    "  { message_type = \"any\"; subject = \"header.cseq\"; action = \"remove\"; }\n"
	    "); } );\n", "t.conf", &cfg, &diag), EINVAL);
	assert_null(cfg);
	assert_int_equal(diag.n, 2);
	assert_string_equal(diag.msgs[0], "t.conf:6: manipulation_sets[0].rules[1].condition: "
	    "expected an operator (==, !=, contains, !contains, exists, !exists, regex, <, >, "
	    "num>, ...) at \"=\"");
	assert_string_equal(diag.msgs[1], "t.conf:8: manipulation_sets[0].rules[2].subject: "
	    "a mandatory header cannot be removed at \"header.cseq\"");
	cfg_diag_free(&diag);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_types),
		cmocka_unit_test(test_trying_untouched),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_url_actions),
		cmocka_unit_test(test_header_params_and_name),
		cmocka_unit_test(test_whole_headers),
		cmocka_unit_test(test_request_uri),
		cmocka_unit_test(test_session_expires),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_and_or),
		cmocka_unit_test(test_row_role_previous),
		cmocka_unit_test(test_regex_captures),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_p_asserted_identity),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_odd_values),
		cmocka_unit_test(test_guide_rules),
		cmocka_unit_test(test_cfg_errors),
	};

	return cmocka_run_group_tests_name("manip", tests, NULL, NULL);
}
