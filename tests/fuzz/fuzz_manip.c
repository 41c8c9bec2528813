/* fuzz_manip.c: libFuzzer target for the manipulation rule compiler, and the compiled rule run on a request and a response. */
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_parser.h>

#include "cfg.h"
#include "fuzz_common.h"
#include "manip.h"

static const char invite[] =
    "INVITE sip:915550001000@127.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.10:5070;branch=z9hG4bK-1;rport\r\n"
    "Max-Forwards: 70\r\n"
    "From: \"Alice\" <sip:100@127.0.0.10>;tag=a1\r\n"
    "To: <sip:915550001000@127.0.0.1>\r\n"
    "Call-ID: fuzz-1@127.0.0.10\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:100@127.0.0.10:5070>\r\n"
    "P-Asserted-Identity: <sip:+15550100@127.0.0.10>\r\n"
    "Session-Expires: 1800;refresher=uac\r\n"
    "Supported: timer, 100rel\r\n"
    "User-Agent: 3CXPhoneSystem\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 4\r\n\r\nv=0\n";
static const char ok[] =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP 127.0.0.10:5070;branch=z9hG4bK-1\r\n"
    "From: <sip:100@127.0.0.10>;tag=a1\r\n"
    "To: <sip:200@127.0.0.1>;tag=b2\r\n"
    "Call-ID: fuzz-1@127.0.0.10\r\n"
    "CSeq: 2 BYE\r\n"
    "Content-Length: 0\r\n\r\n";

/* The input is the rule's fields, one a line: message type, condition,
 * subject, action (its first byte), value, row role (its first byte). */
static const char *
field(char **p)
{
	char *s = *p, *nl;

	if (s == NULL)
		return NULL;
	nl = strchr(s, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*p = nl + 1;
	} else
		*p = NULL;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		 buf[4096];
	struct cfg_man_rule	 r;
	struct manip_rule	*rule = NULL;
	struct manip_ctx	 ctx = {
		.msg_src = { "127.0.0.10", "5070", "SI-3CX" },
		.msg_dst = { "127.0.0.20", "5061", "SI-VC" },
		.ipg_dst = { "lab.voiceconnector.chime.test", "sbc", "1", "VC" },
		.call_src = { "100", "127.0.0.10" },
	};
	char			 err[256], *p = buf;
	const char		*action, *role;

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	memset(&r, 0, sizeof(r));
	r.message_type = field(&p);
	r.condition = field(&p);
	r.subject = field(&p);
	action = field(&p);
	r.value = field(&p);
	role = field(&p);
	if (r.message_type == NULL || r.subject == NULL)
		return 0;
	if (r.condition != NULL && *r.condition == '\0')
		r.condition = NULL;
	r.action = action != NULL ? (unsigned char)action[0] % 8 : 0;
	r.row_role = role != NULL ? (unsigned char)role[0] % 2 : 0;
	if (manip_compile(&r, &rule, err, sizeof(err)) != 0)
		return 0;
	for (int i = 0; i < 2; i++) {
		const char	*text = i == 0 ? invite : ok;
		msg_t		*m = msg_make(sip_default_mclass(), 0, text, (ssize_t)strlen(text));

		if (m == NULL)
			continue;
		(void)manip_apply_rule(rule, m, sip_object(m), &ctx);
		if (msg_serialize(m, (msg_pub_t *)sip_object(m)) == 0) {
			size_t	 len;
			char	*s = msg_as_string(msg_home(m), m, NULL, 0, &len);

			(void)s;
		}
		msg_destroy(m);
	}
	manip_rule_free(rule);
	return 0;
}
