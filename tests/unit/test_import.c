/* test_import.c: sbc-import's ini parser and its mapping to sbc.conf, checked by loading the result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfg.h"
#include "import.h"

static struct imp_ini *
parse(const char *text)
{
	struct imp_ini *ini = NULL;

	assert_int_equal(imp_ini_parse(text, strlen(text), &ini), 0);
	assert_non_null(ini);
	return ini;
}

/* Convert text; the output is returned (free it), notes in *nnotes. */
static char *
convert(const char *text, unsigned *nnotes)
{
	struct imp_ini	*ini = parse(text);
	struct imp_opts	 opts = { .source = "test.ini", .tls_dir = "/nonexistent" };
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(imp_convert(ini, &opts, fp, nnotes), 0);
	fclose(fp);
	imp_ini_free(ini);
	return buf;
}

/* The output loads in sbcd's configuration code without a single problem. */
static void
assert_loads(const char *conf)
{
	struct cfg	*cfg = NULL;
	struct cfg_diag	 diag;
	int		 err;

	cfg_diag_init(&diag);
	err = cfg_load_string(conf, "imported.conf", &cfg, &diag);
	for (size_t i = 0; i < diag.n; i++)
		print_message("%s\n", diag.msgs[i]);
	if (err)
		print_message("%s", conf);
	assert_int_equal(err, 0);
	assert_int_equal(diag.n, 0);
	cfg_unref(cfg);
	cfg_diag_free(&diag);
}

static void
test_parse_quotes_and_empty(void **state)
{
	struct imp_ini		*ini;
	const struct imp_table	*t;

	(void)state;
	ini = parse("[SIP Params]\r\n"
	    "SBCSessionExpires = 1800\r\n"
	    "UserAgentDisplayInfo = 'my sbc'\r\n"
	    ";a comment\n"
	    "[ MessageManipulations ]\n"
	    "FORMAT Index = ManipulationName, ManSetID, MessageType, Condition, ActionSubject, "
	    "ActionType, ActionValue, RowRole;\n"
	    "MessageManipulations 3 = \"a, b; c\", 4, \"Invite.Request\", $$, "
	    "\"Header.X\", 0, \"'x' + ';' + ','\", ;\n"
	    "[ \\MessageManipulations ]\n");
	assert_int_equal(ini->nbad, 0);
	assert_string_equal(imp_scalar_get(ini, "sbcsessionexpires"), "1800");
	assert_string_equal(imp_scalar_get(ini, "UserAgentDisplayInfo"), "my sbc");
	t = imp_table_find(ini, "MessageManipulations");
	assert_non_null(t);
	assert_int_equal(t->ncols, 8);
	assert_int_equal(t->nrows, 1);
	assert_int_equal(t->rows[0].index, 3);
	assert_int_equal(t->rows[0].line, 7);
	assert_string_equal(imp_row_get(t, &t->rows[0], "ManipulationName"), "a, b; c");
	assert_string_equal(imp_row_get(t, &t->rows[0], "Condition"), "");
	assert_string_equal(imp_row_get(t, &t->rows[0], "ActionValue"), "'x' + ';' + ','");
	assert_string_equal(imp_row_get(t, &t->rows[0], "RowRole"), "");
	assert_null(imp_row_get(t, &t->rows[0], "NoSuchColumn"));
	imp_ini_free(ini);
}

static void
test_parse_old_format_and_bad_lines(void **state)
{
	struct imp_ini		*ini;
	const struct imp_table	*t;

	(void)state;
	ini = parse("[ SRD ]\n"
	    "FORMAT SRD_Index = SRD_Name, SRD_SharingPolicy;\n"
	    "SRD 0 = \"DefaultSRD\", 0;\n"
	    "this line means nothing\n"
	    "[ \\SRD ]\n"
	    "ProxyIp 0 = \"1\", 0;\n"
	    "[ \\Nothing ]\n"
	    "[ IPGroup ]\n");
	t = imp_table_find(ini, "SRD");
	assert_non_null(t);
	assert_string_equal(t->cols[0], "Name");
	assert_string_equal(imp_row_get(t, &t->rows[0], "SharingPolicy"), "0");
	assert_int_equal(ini->nbad, 4);
	assert_int_equal(ini->bad[0].line, 4);
	assert_int_equal(ini->bad[1].line, 6);	/* row outside its section */
	assert_int_equal(ini->bad[2].line, 7);	/* closes what is not open */
	assert_int_equal(ini->bad[3].line, 8);	/* never closed */
	imp_ini_free(ini);
}

/* Read a file of the source tree (the tests run from the repository root). */
static char *
slurp(const char *path)
{
	FILE	*fp = fopen(path, "r");
	char	*buf;
	long	 n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* The lab's PKI in place of the context's files, as 190-import.sh does. */
static char *
convert_guide(unsigned *nnotes)
{
	static const struct imp_tls_files tls = { "AmazonChime", "build/lab/pki/sbc.crt",
		"build/lab/pki/sbc.key", "build/lab/pki/ca.crt" };
	struct imp_opts	 opts = { .source = "guide.ini", .tls = &tls, .ntls = 1 };
	struct imp_ini	*ini;
	char		*text = slurp("tests/import/guide.ini"), *buf = NULL;
	size_t		 len = 0;
	FILE		*fp = open_memstream(&buf, &len);

	ini = parse(text);
	assert_int_equal(imp_convert(ini, &opts, fp, nnotes), 0);
	fclose(fp);
	imp_ini_free(ini);
	free(text);
	return buf;
}

static void
test_guide_ini_loads(void **state)
{
	unsigned	 n = 0;
	char		*conf;

	(void)state;
	conf = convert_guide(&n);
	assert_loads(conf);
	/* the rows of the guide, mapped */
	assert_non_null(strstr(conf, "{ name = \"LAN\"; address = \"127.0.0.1\"; }"));
	assert_non_null(strstr(conf, "port_start = 30000; session_legs = 2000; port_spacing = 4;"));
	assert_non_null(strstr(conf, "keepalive = \"options\"; keepalive_interval = 30;"));
	assert_non_null(strstr(conf, "redundancy_mode = \"homing\";"));
	assert_non_null(strstr(conf, "{ coder = \"PCMU\"; ptime = 20; }"));
	assert_non_null(strstr(conf, "session_expires_mode = \"supported\"; session_expires = 1800;"));
	assert_non_null(strstr(conf, "subject = \"Header.Session-Expires.Refresher\"; action = \"modify\";"
	    " value = \"'2'\";"));
	assert_non_null(strstr(conf, "sip_group_name = \"lab.voiceconnector.chime.test\";"));
	assert_non_null(strstr(conf, "outbound_manipulation_set = \"MS-2\";"));
	assert_non_null(strstr(conf, "alt_route_reasons = [ 503 ];"));
	assert_non_null(strstr(conf, "verify = \"chain\";"));
	/* and what is not carried over, each with its line */
	assert_non_null(strstr(conf, "# ini line 201: Classification 0"));
	assert_non_null(strstr(conf, "# ini line 22: SyslogServerIP = \"127.0.0.1\""));
	assert_non_null(strstr(conf, "# ini line 60: TLSContexts 0 \"default\": row not carried over"));
	assert_true(n >= 10);
	free(conf);
}

/* Every non-empty field is carried over or named in a comment. */
static void
test_nothing_silently_dropped(void **state)
{
	unsigned	 n = 0;
	char		*conf;

	(void)state;
	conf = convert("[ SRD ]\n"
	    "FORMAT Index = Name, SharingPolicy, MysteryField, EmptyField;\n"
	    "SRD 0 = \"DefaultSRD\", 0, 42, \"\";\n"
	    "[ \\SRD ]\n"
	    "[ InterfaceTable ]\n"
	    "FORMAT Index = ApplicationTypes, IPAddress, InterfaceName, Gateway;\n"
	    "InterfaceTable 0 = 6, 127.0.0.1, \"LAN\", 127.0.0.254, \"extra\";\n"
	    "InterfaceTable 1 = 0, 10.0.0.1, \"OAMP\", 0.0.0.0;\n"
	    "[ \\InterfaceTable ]\n"
	    "[ CpMediaRealm ]\n"
	    "FORMAT Index = MediaRealmName, IPv4IF, PortRangeStart, MediaSessionLeg, PortRangeEnd;\n"
	    "CpMediaRealm 0 = \"MR\", \"LAN\", 6000, 100, 6499;\n"
	    "[ \\CpMediaRealm ]\n"
	    "[ SIPInterface ]\n"
	    "FORMAT Index = InterfaceName, NetworkInterface, ApplicationType, UDPPort, MediaRealm, SBCDirectMedia;\n"
	    "SIPInterface 0 = \"SI\", \"LAN\", 2, 5060, \"MR\", 1;\n"
	    "SIPInterface 1 = \"GW\", \"LAN\", 0, 5070, \"MR\", 0;\n"
	    "[ \\SIPInterface ]\n"
	    "[ IP2IPRouting ]\n"
	    "FORMAT Index = RouteName, SrcIPGroupName, RequestType, DestType, DestIPGroupName, MessageConditionName;\n"
	    "IP2IPRouting 0 = \"r\", \"Any\", 0, 0, \"x\", \"cond\";\n"
	    "IP2IPRouting 1 = \"hunt\", \"Any\", 0, 4, \"\", \"\";\n"
	    "[ \\IP2IPRouting ]\n"
	    "SomeParam = 7\n", &n);
	assert_loads(conf);
	assert_non_null(strstr(conf, "# ini line 3: SRD 0 \"DefaultSRD\": MysteryField = \"42\" not carried over"));
	assert_null(strstr(conf, "EmptyField"));
	assert_null(strstr(conf, "SharingPolicy"));	/* the Mediant's default: nothing to carry */
	assert_non_null(strstr(conf, "Gateway = \"127.0.0.254\" belongs in the host's network configuration"));
	assert_non_null(strstr(conf, "1 value(s) beyond the FORMAT's 4 columns"));
	assert_non_null(strstr(conf, "InterfaceTable 1 \"OAMP\": row not carried over: a management-only"));
	/* 6000..6499 for 100 legs: spacing 5, odd, so 4 and a note */
	assert_non_null(strstr(conf, "port spacing 5: sbcd needs an even spacing"));
	assert_non_null(strstr(conf, "SBCDirectMedia = 1 not carried over: sbcd always anchors media"));
	assert_non_null(strstr(conf, "SIPInterface 1 \"GW\": row not carried over: ApplicationType is not SBC"));
	assert_non_null(strstr(conf, "IP2IPRouting 0 \"r\": row not carried over: it has a MessageConditionName"));
	assert_non_null(strstr(conf, "IP2IPRouting 1 \"hunt\": row not carried over: its DestType"));
	assert_non_null(strstr(conf, "# ini line 24: SomeParam = \"7\""));
	assert_int_equal(n, 10);
	free(conf);
}

static void
test_manipulations(void **state)
{
	unsigned	 n = 0;
	char		*conf;

	(void)state;
	conf = convert("[ InterfaceTable ]\n"
	    "FORMAT Index = IPAddress, InterfaceName;\n"
	    "InterfaceTable 0 = 127.0.0.1, \"LAN\";\n"
	    "[ \\InterfaceTable ]\n"
	    "[ MessageManipulations ]\n"
	    "FORMAT Index = ManipulationName, ManSetID, MessageType, Condition, ActionSubject, ActionType, ActionValue, RowRole;\n"
	    "MessageManipulations 0 = \"fwd\", 2, \"Invite\", \"Header.Diversion exists\", \"Header.From.Url.User\", 2, \"Header.Diversion.Url.User\", 0;\n"
	    "MessageManipulations 1 = \"fwd2\", 2, \"\", \"\", \"Header.Diversion.Url.Host\", 2, \"Param.IPG.Dst.Host\", 1;\n"
	    "MessageManipulations 2 = \"sdp\", 2, \"Invite\", \"Body.SDP contains 'x'\", \"Header.X\", 0, \"'1'\", 0;\n"
	    "MessageManipulations 3 = \"after sdp\", 2, \"\", \"\", \"Header.Y\", 1, \"\", 1;\n"
	    "MessageManipulations 4 = \"strip\", 2, \"Invite.Request\", \"\", \"Header.To.Url.User\", 6, \"'9'\", 0;\n"
	    "MessageManipulations 5 = \"odd\", 3, \"Any\", \"\", \"Var.Call.Src.0\", 2, \"'1'\", 0;\n"
	    "[ \\MessageManipulations ]\n"
	    "[ IPGroup ]\n"
	    "FORMAT Index = Type, Name, ProfileName, InboundManSet, OutboundManSet, Username, Password;\n"
	    "IPGroup 0 = 0, \"PBX\", \"\", 3, 2, \"trunk\", \"$1$abcd\";\n"
	    "[ \\IPGroup ]\n", &n);
	/* no SIP interface, so it does not load; check the text */
	assert_non_null(strstr(conf, "{ message_type = \"Invite\"; condition = \"Header.Diversion exists\";"));
	assert_non_null(strstr(conf, "{ message_type = \"any\";\n        subject = \"Header.Diversion.Url.Host\";"
	    " action = \"modify\"; value = \"Param.IPG.Dst.Host\"; row_role = \"previous\"; }"));
	assert_non_null(strstr(conf, "MessageManipulations 2 \"sdp\": rule not carried over: it uses an element"));
	assert_non_null(strstr(conf, "MessageManipulations 3 \"after sdp\": rule not carried over: the row it follows"));
	assert_non_null(strstr(conf, "action = \"remove-prefix\"; value = \"'9'\";"));
	assert_non_null(strstr(conf, "manipulation set 3 not carried over: none of its rules was"));
	assert_non_null(strstr(conf, "InboundManSet = 3: no manipulation set 3 was carried over"));
	assert_non_null(strstr(conf, "outbound_manipulation_set = \"MS-2\";"));
	assert_non_null(strstr(conf, "ip_profile = \"IPP-default\";"));
	assert_non_null(strstr(conf, "{ name = \"IPP-default\"; }"));
	assert_non_null(strstr(conf, "username = \"trunk\";"));
	assert_non_null(strstr(conf, "Password not carried over: the export holds it obscured"));
	assert_null(strstr(conf, "abcd"));
	free(conf);
}

static void
test_nat_and_proxy_details(void **state)
{
	unsigned	 n = 0;
	char		*conf;

	(void)state;
	conf = convert("[ InterfaceTable ]\n"
	    "FORMAT InterfaceTable_Index = InterfaceTable_IPAddress, InterfaceTable_InterfaceName;\n"
	    "InterfaceTable 0 = 127.0.0.2, \"WAN\";\n"
	    "[ \\InterfaceTable ]\n"
	    "[ NATTranslation ]\n"
	    "FORMAT Index = SrcIPInterfaceName, TargetIPAddress, SourceStartPort, SourceEndPort;\n"
	    "NATTranslation 0 = \"WAN\", 203.0.113.5, 0, 0;\n"
	    "NATTranslation 1 = \"NOPE\", 203.0.113.6, 0, 0;\n"
	    "[ \\NATTranslation ]\n"
	    "[ CpMediaRealm ]\n"
	    "FORMAT Index = MediaRealmName, IPv4IF, PortRangeStart, MediaSessionLeg;\n"
	    "CpMediaRealm 0 = \"MR\", \"WAN\", 40000, 10;\n"
	    "[ \\CpMediaRealm ]\n"
	    "[ SIPInterface ]\n"
	    "FORMAT Index = InterfaceName, NetworkInterface, ApplicationType, UDPPort, TCPPort;\n"
	    "SIPInterface 0 = \"SI\", \"WAN\", 2, 5060, 5060;\n"
	    "[ \\SIPInterface ]\n"
	    "[ ProxySet ]\n"
	    "FORMAT Index = ProxyName, EnableProxyKeepAlive, ProxyKeepAliveTime, ProxyLoadBalancingMethod, "
	    "SBCIPv4SIPInterfaceName, DNSResolveMethod, KeepAliveFailureResp;\n"
	    "ProxySet 4 = \"PS\", 2, 3, 2, \"SI\", 2, \"503,404\";\n"
	    "[ \\ProxySet ]\n"
	    "[ ProxyIp ]\n"
	    "FORMAT Index = ProxySetId, ProxyIpIndex, IpAddress, TransportType, Priority, Weight;\n"
	    "ProxyIp 0 = \"4\", 0, \"pbx.example.test\", 1, 2, 30;\n"
	    "ProxyIp 1 = \"9\", 0, \"10.0.0.9\", 0, 0, 0;\n"
	    "[ \\ProxyIp ]\n", &n);
	assert_loads(conf);
	assert_non_null(strstr(conf, "{ name = \"WAN\"; address = \"127.0.0.2\"; public_address = \"203.0.113.5\"; }"));
	assert_non_null(strstr(conf, "NATTranslation 1 \"NOPE\": row not carried over"));
	/* no PortRangeEnd, no UdpPortSpacing: sbcd's default spacing, no note */
	assert_non_null(strstr(conf, "port_start = 40000; session_legs = 10; port_spacing = 4;"));
	assert_non_null(strstr(conf, "EnableProxyKeepAlive = 2 (REGISTER) not carried over"));
	assert_non_null(strstr(conf, "ProxyKeepAliveTime = 3 outside 5..2000000"));
	assert_non_null(strstr(conf, "keepalive_failure_responses = [ 503, 404 ];"));
	assert_non_null(strstr(conf, "load_balancing = \"random-weights\";"));
	assert_non_null(strstr(conf, "DNSResolveMethod = 2 (NAPTR) not carried over"));
	assert_non_null(strstr(conf, "{ address = \"pbx.example.test\"; transport = \"tcp\"; priority = 2; weight = 30; }"));
	assert_non_null(strstr(conf, "ProxyIp 1 \"\": row not carried over: its ProxySetId names no proxy set"));
	assert_int_equal(n, 5);
	free(conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_quotes_and_empty),
		cmocka_unit_test(test_parse_old_format_and_bad_lines),
		cmocka_unit_test(test_guide_ini_loads),
		cmocka_unit_test(test_nothing_silently_dropped),
		cmocka_unit_test(test_manipulations),
		cmocka_unit_test(test_nat_and_proxy_details),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
