/* fuzz_sipmsg.c: libFuzzer target for the SIP entry: sofia's parse, sbcd's screening, classification, manipulation, re-serialization. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_parser.h>
#include <sofia-sip/sip_util.h>

#include "cfg.h"
#include "cls.h"
#include "fuzz_common.h"
#include "limit.h"
#include "manip.h"

static struct cfg *lab;

static void
load_lab(void)
{
	struct cfg_diag diag;

	cfg_diag_init(&diag);
	if (cfg_load_string(FUZZ_LAB_CONF, "fuzz-lab", &lab, &diag) != 0) {
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "%s\n", diag.msgs[i]);
		abort();	/* the harness itself is broken */
	}
	cfg_diag_free(&diag);
}

/* The same request, as the daemon's entry sees it once nta let it through:
 * no parse error, the mandatory headers present (nta's sanity check). */
static void
entry(msg_t *msg, sip_t *sip, unsigned variant)
{
	struct limit_verdict		 v;
	struct cls_input		 in;
	struct sockaddr_in		 src;
	const struct cfg_ipgroup	*ipg;
	const struct cfg_class		*rule;
	struct manip_ctx		 ctx = {
		.msg_src = { "127.0.0.10", "5060", "SI-3CX" },
		.msg_dst = { "127.0.0.20", "5061", "SI-VC" },
		.ipg_src = { NULL, NULL, "0", "3CX" },
		.ipg_dst = { "lab.voiceconnector.chime.test", NULL, "1", "VC" },
		.call_src = { "100", "127.0.0.10" },
		.call_dst = { "200", NULL },
	};
	size_t				 len;
	char				*text;
	msg_t				*again;

	(void)limit_screen(&lab->global, sip, &v);

	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_port = htons(5060);
	src.sin_addr.s_addr = htonl(variant & 1 ? 0x7f00000a : 0x7f000063);
	memset(&in, 0, sizeof(in));
	in.src = (const struct sockaddr *)&src;
	in.transport = variant & 2 ? CFG_TP_TCP : CFG_TP_UDP;
	in.sip_interface = variant & 4 ? "SI-VC" : "SI-3CX";
	in.from_user = sip->sip_from->a_url->url_user;
	in.from_host = sip->sip_from->a_url->url_host;
	in.ruri_user = sip->sip_request->rq_url->url_user;
	in.ruri_host = sip->sip_request->rq_url->url_host;
	(void)cls_classify(lab, &in, NULL, NULL, &ipg, &rule);

	for (size_t i = 0; i < lab->n_manipulation_sets; i++)
		(void)manip_apply_set(&lab->manipulation_sets[i], msg, sip, &ctx);

	/* what goes out must serialize, and parse again */
	if (msg_serialize(msg, (msg_pub_t *)sip) < 0)
		return;
	text = msg_as_string(msg_home(msg), msg, NULL, 0, &len);
	if (text == NULL)
		return;
	again = msg_make(sip_default_mclass(), 0, text, (ssize_t)len);
	if (again != NULL)
		msg_destroy(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msg_t	*msg;
	sip_t	*sip;

	if (lab == NULL)
		load_lab();
	msg = msg_make(sip_default_mclass(), 0, data, (ssize_t)size);
	if (msg == NULL)
		return 0;
	sip = sip_object(msg);
	if (sip != NULL && sip->sip_request != NULL && sip->sip_error == NULL &&
	    !(sip->sip_flags & MSG_FLG_ERROR) && sip_sanity_check(sip) == 0)
		entry(msg, sip, size > 0 ? data[size - 1] : 0);
	msg_destroy(msg);
	return 0;
}
