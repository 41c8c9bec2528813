/* import_map.c: the AudioCodes tables of an ini export written as sbc.conf tables (output helpers in import_out.c). */
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
/* Tables                                                                 */
/* ===================================================================== */

/* IP Interfaces (InterfaceTable) and their NAT translation -> ip_interfaces */
static void
map_interfaces(struct out *o)
{
	const struct imp_table	*t = imp_table(o, "InterfaceTable"), *nat = imp_table(o, "NATTranslation");
	unsigned char		*nat_used = NULL;
	struct sect		 s = { 0 };
	struct rc		 c;

	if (nat != NULL && (nat_used = calloc(nat->nrows + 1, 1)) == NULL) {
		o->err = ENOMEM;
		return;
	}
	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char *name, *addr;

		imp_item_begin(o);
		if (imp_rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = imp_val(&c, "InterfaceName");
		c.name = name != NULL ? name : "";
		addr = imp_val(&c, "IPAddress");
		if (imp_ival(&c, "ApplicationTypes", 6) == 0) {
			imp_rc_drop(&c, "a management-only (OAMP) interface; sbcd is managed through sbcctl");
			imp_item_end(o, &s, 0);
			continue;
		}
		if (name == NULL || addr == NULL) {
			imp_rc_drop(&c, "no InterfaceName or no IPAddress");
			imp_item_end(o, &s, 0);
			continue;
		}
		imp_inert(&c, "InterfaceMode", "3|4|5|6|7|10");
		imp_info(o, "IP Interfaces row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		for (const char *const *f = (const char *const[]){ "PrefixLength", "Gateway",
		    "PrimaryDNSServerIPAddress", "SecondaryDNSServerIPAddress", "UnderlyingDevice",
		    "VlanID", NULL }; *f != NULL; f++) {
			const char *v = imp_val(&c, *f);

			if (v != NULL && strcmp(v, "0.0.0.0") != 0)
				imp_rc_note(&c, "%s = \"%s\" belongs in the host's network configuration, not in sbc.conf",
				    *f, v);
		}
		imp_put(o, "  {");
		imp_kv_str(o, "name", name);
		imp_kv_str(o, "address", addr);
		for (size_t j = 0; nat != NULL && j < nat->nrows; j++) {
			const char *src = imp_row_get(nat, &nat->rows[j], "SrcIPInterfaceName");
			const char *tgt = imp_row_get(nat, &nat->rows[j], "TargetIPAddress");

			if (src == NULL || tgt == NULL || *tgt == '\0' || strcasecmp(src, name) != 0 ||
			    nat_used[j])
				continue;
			nat_used[j] = 1;
			imp_kv_str(o, "public_address", tgt);
		}
		imp_put(o, " }");
		imp_rc_done(&c);
		imp_item_end(o, &s, 1);
	}
	/* NAT rows: the port ranges have no sbcd setting; unmatched rows none at all */
	for (size_t j = 0; nat != NULL && j < nat->nrows; j++) {
		if (imp_rc_init(&c, o, nat, &nat->rows[j]) != 0)
			break;
		imp_item_begin(o);
		c.name = imp_get(&c, "SrcIPInterfaceName") != NULL ? imp_get(&c, "SrcIPInterfaceName") : "";
		if (!nat_used[j]) {
			imp_rc_drop(&c, "no IP interface of that name (or a second translation for it)");
			imp_item_end(o, &s, 0);
			continue;
		}
		imp_get(&c, "TargetIPAddress");
		imp_inert(&c, "SourceStartPort", "0|1");
		imp_inert(&c, "SourceEndPort", "0|65535");
		imp_inert(&c, "TargetStartPort", "0|1");
		imp_inert(&c, "TargetEndPort", "0|65535");
		imp_rc_done(&c);
		imp_item_end(o, &s, 0);
	}
	free(nat_used);
	imp_sect_write(o, &s, "ip_interfaces", "IP Interfaces (InterfaceTable, NATTranslation)");
}

/* Media Realms (CpMediaRealm) -> media_realms */
static void
map_realms(struct out *o)
{
	const struct imp_table	*t = imp_table(o, "CpMediaRealm");
	struct sect		 s = { 0 };
	struct rc		 c;
	int			 spline = 0;
	const char		*spv = imp_scalar(o, "UdpPortSpacing", &spline);

	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char	*name, *ifn;
		long		 start, legs, end, sp = 0;

		imp_item_begin(o);
		if (imp_rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = imp_val(&c, "MediaRealmName");
		c.name = name != NULL ? name : "";
		ifn = imp_val(&c, "IPv4IF");
		start = imp_ival(&c, "PortRangeStart", -1);
		legs = imp_ival(&c, "MediaSessionLeg", -1);
		end = imp_ival(&c, "PortRangeEnd", -1);
		if (name == NULL || ifn == NULL || start < 0 || legs <= 0) {
			imp_rc_drop(&c, "needs MediaRealmName, IPv4IF, PortRangeStart and MediaSessionLeg"
			    " (an IPv6-only realm is not carried over)");
			imp_item_end(o, &s, 0);
			continue;
		}
		imp_inert(&c, "IsDefault", "0|1");	/* used by the SIP interfaces */
		imp_inert(&c, "TCPPortRangeStart", "0");
		imp_inert(&c, "TCPPortRangeEnd", "0");
		imp_inert(&c, "TopologyLocation", "0");
		imp_inert(&c, "UsedByRoutingServer", "0");
		imp_info(o, "Media Realms row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		if (end > start && (end - start + 1) % legs == 0)
			sp = (end - start + 1) / legs;
		else if (spv != NULL)
			sp = atol(spv);
		if (sp < 2 || sp > 10 || sp % 2 != 0) {
			long was = sp;

			sp = 4;
			if (was != 0)
				imp_rc_note(&c, "port spacing %ld: sbcd needs an even spacing of 2 to 10; "
				    "4 is used, the range ends at %ld", was, start + legs * sp - 1);
		}
		imp_put(o, "  {");
		imp_kv_str(o, "name", name);
		imp_kv_str(o, "interface", ifn);
		imp_put(o, " port_start = %ld; session_legs = %ld; port_spacing = %ld; }", start, legs, sp);
		imp_rc_done(&c);
		imp_item_end(o, &s, 1);
	}
	imp_sect_write(o, &s, "media_realms", "Media Realms (CpMediaRealm)");
}

/* SRDs (SRD) -> srds */
static void
map_srds(struct out *o)
{
	const struct imp_table	*t = imp_table(o, "SRD");
	struct sect		 s = { 0 };
	struct rc		 c;

	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char *name;

		imp_item_begin(o);
		if (imp_rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = imp_val(&c, "Name");
		c.name = name != NULL ? name : "";
		if (name == NULL) {
			imp_rc_drop(&c, "no Name");
			imp_item_end(o, &s, 0);
			continue;
		}
		imp_inert(&c, "BlockUnRegUsers", "-1|0");
		imp_inert(&c, "MaxNumOfRegUsers", "-1");
		imp_inert(&c, "EnableUnAuthenticatedRegistrations", "-1|0|1");
		imp_inert(&c, "SharingPolicy", "0");
		imp_inert(&c, "UsedByRoutingServer", "0");
		imp_inert(&c, "SBCOperationMode", "0");
		imp_inert(&c, "SBCRegisteredUsersClassificationMethod", "0");
		imp_info(o, "SRDs row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		imp_put(o, "  {");
		imp_kv_str(o, "name", name);
		imp_put(o, " }");
		imp_rc_done(&c);
		imp_item_end(o, &s, 1);
	}
	imp_sect_write(o, &s, "srds", "SRDs (SRD)");
}

/* The TLS context a SIP interface row uses: its TLSContext, else row 0's name. */
static const char *
sipif_tls_context(const struct imp_ini *ini, const struct imp_table *t, const struct imp_row *r)
{
	const char		*v = imp_row_get(t, r, "TLSContext");
	const struct imp_table	*tc = imp_table_find(ini, "TLSContexts");

	if (v != NULL && *v != '\0')
		return imp_row_name(tc, "Name", v) != NULL ? imp_row_name(tc, "Name", v) : v;
	return imp_row_name(tc, "Name", "0") != NULL ? imp_row_name(tc, "Name", "0") : "default";
}

/* A TLS context is written when a SIP interface listens on TLS with it or a proxy set names it. */
static int
tls_referenced(const struct imp_ini *ini, const char *name)
{
	const struct imp_table *si = imp_table_find(ini, "SIPInterface");
	const struct imp_table *ps = imp_table_find(ini, "ProxySet");

	for (size_t i = 0; si != NULL && i < si->nrows; i++)
		if (imp_row_long(si, &si->rows[i], "TLSPort", 0) > 0 &&
		    imp_row_long(si, &si->rows[i], "ApplicationType", 2) == 2 &&
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
	const struct imp_table	*t = imp_table(o, "TLSContexts");
	struct sect		 s = { 0 };
	struct rc		 c;
	int			 vline = 0;
	const char		*vsc = imp_scalar(o, "VerifyServerCertificate", &vline);
	const char		*dir = o->opts->tls_dir != NULL ? o->opts->tls_dir : "/etc/sbcd/tls";

	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const struct imp_tls_files	*tf = NULL;
		const char			*name, *cs, *ss;
		long				 ver;

		imp_item_begin(o);
		if (imp_rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = imp_val(&c, "Name");
		c.name = name != NULL ? name : "";
		if (name == NULL || !tls_referenced(o->ini, name)) {
			imp_rc_drop(&c, "no TLS listener and no proxy set uses this context");
			imp_item_end(o, &s, 0);
			continue;
		}
		for (size_t k = 0; k < o->opts->ntls; k++)
			if (strcasecmp(o->opts->tls[k].context, name) == 0)
				tf = &o->opts->tls[k];
		imp_info(o, "TLS Contexts row %ld (ini line %d): an ini export holds no certificate;\n"
		    "  # export the context's certificate, key and trusted roots to these files",
		    t->rows[i].index, t->rows[i].line);
		imp_put(o, "  {");
		imp_kv_str(o, "name", name);
		imp_put(o, "\n   ");
		if (tf != NULL) {
			imp_kv_str(o, "certificate", tf->certificate);
			imp_kv_str(o, "private_key", tf->private_key);
			if (tf->ca_file != NULL)
				imp_kv_str(o, "ca_file", tf->ca_file);
		} else {
			imp_put(o, " certificate = \"%s/%s.crt\"; private_key = \"%s/%s.key\";"
			    " ca_file = \"%s/%s-roots.pem\";", dir, name, dir, name, dir, name);
		}
		imp_put(o, "\n   ");
		ver = imp_ival(&c, "TLSVersion", 0);
		if ((ver & 3) != 0 || ver == 0)
			imp_put(o, " min_version = \"TLSv1.2\";");
		else
			imp_put(o, " min_version = \"%s\";", (ver & 4) ? "TLSv1.2" : "TLSv1.3");
		if ((ver & 3) != 0 || ver == 0)
			imp_rc_note(&c, "TLSVersion = %ld allows versions below TLS 1.2; sbcd never does", ver);
		if (vsc != NULL && strcmp(vsc, "1") == 0)
			imp_put(o, " verify = \"chain\";");
		else {
			imp_put(o, " verify = \"none\";");
			imp_info(o, "verify = \"none\" as on the Mediant (VerifyServerCertificate off);"
			    " \"name\" is safer");
		}
		cs = imp_val(&c, "ClientCipherString");
		ss = imp_val(&c, "ServerCipherString");
		if (cs != NULL && strcasecmp(cs, "DEFAULT") == 0)
			cs = NULL;
		if (ss != NULL && strcasecmp(ss, "DEFAULT") == 0)
			ss = NULL;
		if (cs != NULL || ss != NULL) {
			imp_put(o, "\n   ");
			imp_kv_str(o, "ciphers", cs != NULL ? cs : ss);
			if (cs != NULL && ss != NULL && strcmp(cs, ss) != 0)
				imp_rc_note(&c, "ServerCipherString = \"%s\" not carried over: sbcd has one"
				    " cipher list (ClientCipherString's)", ss);
		}
		imp_put(o, " }");
		imp_inert(&c, "DTLSVersion", "0");
		imp_inert(&c, "RequireStrictCert", "0");
		imp_inert(&c, "OcspEnable", "0");
		imp_inert(&c, "TlsRenegotiation", "0|1");
		imp_inert(&c, "MiddleboxCompatMode", "0");
		imp_inert(&c, "OcspServerPort", "2560");
		imp_inert(&c, "OcspDefaultResponse", "0");
		imp_inert(&c, "ServerCipherTLS13String", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256");
		imp_inert(&c, "ClientCipherTLS13String", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256");
		imp_rc_done(&c);
		imp_item_end(o, &s, 1);
	}
	imp_sect_write(o, &s, "tls_contexts", "TLS Contexts (TLSContexts)");
}

/* The media realm with IsDefault = 1, else the first one. */
static const char *
default_realm(const struct imp_ini *ini)
{
	const struct imp_table *t = imp_table_find(ini, "CpMediaRealm");

	if (t == NULL || t->nrows == 0)
		return NULL;
	for (size_t i = 0; i < t->nrows; i++)
		if (imp_row_long(t, &t->rows[i], "IsDefault", 0) == 1)
			return imp_row_get(t, &t->rows[i], "MediaRealmName");
	return imp_row_get(t, &t->rows[0], "MediaRealmName");
}

/* SIP Interfaces (SIPInterface) -> sip_interfaces */
static void
map_sipifs(struct out *o)
{
	const struct imp_table	*t = imp_table(o, "SIPInterface");
	struct sect		 s = { 0 };
	struct rc		 c;

	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char	*name, *ifn, *srd, *mr;
		long		 udp, tcp, tls, app, cfr;

		imp_item_begin(o);
		if (imp_rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = imp_val(&c, "InterfaceName");
		c.name = name != NULL ? name : "";
		ifn = imp_val(&c, "NetworkInterface");
		app = imp_ival(&c, "ApplicationType", 2);
		if (app != 2) {
			imp_rc_drop(&c, "ApplicationType is not SBC (2); sbcd is an SBC only");
			imp_item_end(o, &s, 0);
			continue;
		}
		if (name == NULL || ifn == NULL) {
			imp_rc_drop(&c, "no InterfaceName or NetworkInterface");
			imp_item_end(o, &s, 0);
			continue;
		}
		imp_info(o, "SIP Interfaces row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		udp = imp_ival(&c, "UDPPort", 0);
		tcp = imp_ival(&c, "TCPPort", 0);
		tls = imp_ival(&c, "TLSPort", 0);
		srd = imp_val(&c, "SRDName");
		mr = imp_val(&c, "MediaRealm");
		if (mr == NULL) {
			mr = default_realm(o->ini);
			if (mr != NULL)
				imp_info(o, "no MediaRealm: the default realm, as on the Mediant");
		}
		imp_put(o, "  {");
		imp_kv_str(o, "name", name);
		imp_kv_str(o, "interface", ifn);
		if (srd != NULL)
			imp_kv_str(o, "srd", srd);
		imp_put(o, "\n   ");
		if (udp > 0)
			imp_put(o, " udp_port = %ld;", udp);
		if (tcp > 0)
			imp_put(o, " tcp_port = %ld;", tcp);
		if (tls > 0)
			imp_put(o, " tls_port = %ld;", tls);
		if (mr != NULL)
			imp_kv_str(o, "media_realm", mr);
		if (tls > 0) {
			imp_get(&c, "TLSContext");
			imp_kv_str(o, "tls_context", sipif_tls_context(o->ini, t, &t->rows[i]));
		} else {
			imp_inert(&c, "TLSContext", "default|0");
		}
		cfr = imp_ival(&c, "ClassificationFailureResponseType", 500);
		if (cfr < 0 || cfr > 699)
			imp_rc_note(&c, "ClassificationFailureResponseType = %ld: not a SIP code; sbcd answers 403", cfr);
		else
			imp_put(o, "\n    classification_failure_response = %ld;", cfr);
		imp_put(o, " }");
		imp_inert(&c, "SBCDirectMedia", "0");
		if (imp_ival(&c, "SBCDirectMedia", 0) != 0)
			imp_rc_note(&c, "SBCDirectMedia = %ld not carried over: sbcd always anchors media",
			    imp_ival(&c, "SBCDirectMedia", 0));
		imp_inert(&c, "TLSMutualAuthentication", "-1|0");
		imp_inert(&c, "PreClassificationManSet", "-1");
		imp_inert(&c, "TCPKeepaliveEnable", "-1|0");
		imp_inert(&c, "EncapsulatingProtocol", "0");
		imp_inert(&c, "BlockUnRegUsers", "-1");
		imp_inert(&c, "MaxNumOfRegUsers", "-1");
		imp_inert(&c, "EnableUnAuthenticatedRegistrations", "-1");
		imp_inert(&c, "UsedByRoutingServer", "0");
		imp_inert(&c, "TopologyLocation", "0");
		imp_inert(&c, "SCTPPort", "0");
		imp_inert(&c, "AdditionalUDPPortsMode", "0");
		imp_inert(&c, "CallSetupRulesSetId", "-1");
		imp_rc_done(&c);
		imp_item_end(o, &s, 1);
	}
	imp_sect_write(o, &s, "sip_interfaces", "SIP Interfaces (SIPInterface)");
}

/* Does the proxy set row (by index) have at least one ProxyIp row? */
static int
pset_has_address(const struct imp_ini *ini, long index)
{
	const struct imp_table *pi = imp_table_find(ini, "ProxyIp");

	for (size_t i = 0; pi != NULL && i < pi->nrows; i++)
		if (imp_row_long(pi, &pi->rows[i], "ProxySetId", -1) == index &&
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
	const struct imp_table	*t = imp_table(o, "ProxySet"), *pi = imp_table(o, "ProxyIp");
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

		imp_item_begin(o);
		if (imp_rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = imp_val(&c, "ProxyName");
		c.name = name != NULL ? name : "";
		si = imp_val(&c, "SBCIPv4SIPInterfaceName");
		if (name == NULL || si == NULL) {
			imp_rc_drop(&c, "no ProxyName or no SBCIPv4SIPInterfaceName");
			imp_item_end(o, &s, 0);
			continue;
		}
		if (!pset_has_address(o->ini, t->rows[i].index)) {
			imp_rc_drop(&c, "no proxy address (ProxyIp) belongs to it; sbcd needs one");
			imp_item_end(o, &s, 0);
			continue;
		}
		imp_info(o, "Proxy Sets row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		imp_put(o, "  {");
		imp_kv_str(o, "name", name);
		imp_kv_str(o, "sip_interface", si);
		if ((srd = imp_val(&c, "SRDName")) != NULL)
			imp_kv_str(o, "srd", srd);
		imp_put(o, "\n   ");
		ka = imp_ival(&c, "EnableProxyKeepAlive", 0);
		if (ka == 1)
			imp_put(o, " keepalive = \"options\";");
		else if (ka == 2)
			imp_rc_note(&c, "EnableProxyKeepAlive = 2 (REGISTER) not carried over: sbcd keeps"
			    " proxies alive with OPTIONS only");
		v = imp_ival(&c, "ProxyKeepAliveTime", 60);
		if (v >= 5 && v <= 2000000)
			imp_put(o, " keepalive_interval = %ld;", v);
		else
			imp_rc_note(&c, "ProxyKeepAliveTime = %ld outside 5..2000000", v);
		if ((kf = imp_val(&c, "KeepAliveFailureResp")) != NULL) {
			imp_put(o, " keepalive_failure_responses = [ ");
			for (const char *p = kf; *p != '\0';) {
				long code = strtol(p, (char **)&p, 10);

				imp_put(o, "%s%ld", n++ ? ", " : "", code);
				while (*p != '\0' && !isdigit((unsigned char)*p))
					p++;
			}
			imp_put(o, " ];");
		}
		imp_put(o, "\n   ");
		v = imp_ival(&c, "ProxyRedundancyMode", -1);
		if (v == 0 || v == 1)
			imp_put(o, " redundancy_mode = \"%s\";", v == 1 ? "homing" : "parking");
		else
			imp_inert(&c, "ProxyRedundancyMode", "-1");
		v = imp_ival(&c, "ProxyLoadBalancingMethod", 0);
		if (v >= 0 && v <= 2)
			imp_put(o, " load_balancing = \"%s\";",
			    (const char *[]){ "none", "round-robin", "random-weights" }[v]);
		v = imp_ival(&c, "IsProxyHotSwap", 0);
		imp_put(o, " hot_swap = %s;", v ? "true" : "false");
		v = imp_ival(&c, "DNSResolveMethod", -1);
		if (v == 1)
			imp_put(o, " dns_resolve = \"srv\";");
		else if (v == 2)
			imp_rc_note(&c, "DNSResolveMethod = 2 (NAPTR) not carried over: sbcd resolves A or SRV;"
			    " A is used");
		else
			imp_inert(&c, "DNSResolveMethod", "-1|0");
		if ((tc = imp_val(&c, "TLSContextName")) != NULL) {
			imp_put(o, "\n   ");
			imp_kv_str(o, "tls_context", tc);
		}
		imp_put(o, "\n    addresses = (");
		n = 0;
		for (size_t j = 0; pi != NULL && j < pi->nrows; j++) {
			const char *addr;
			long tp, prio, w;

			if (imp_row_long(pi, &pi->rows[j], "ProxySetId", -1) != t->rows[i].index)
				continue;
			pi_used[j] = 1;
			if (imp_rc_init(&a, o, pi, &pi->rows[j]) != 0)
				break;
			a.name = name;
			imp_get(&a, "ProxySetId");
			imp_inert(&a, "ProxyIpIndex", "");
			imp_get(&a, "ProxyIpIndex");
			if ((addr = imp_val(&a, "IpAddress")) == NULL) {
				imp_rc_drop(&a, "no IpAddress");
				continue;
			}
			tp = imp_ival(&a, "TransportType", -1);
			if (tp < -1 || tp > 2) {
				imp_rc_note(&a, "TransportType = %ld unknown; udp is used", tp);
				tp = 0;
			}
			prio = imp_ival(&a, "Priority", 0);
			w = imp_ival(&a, "Weight", 0);
			imp_put(o, "%s\n      # Proxy Address row %ld (ini line %d)\n      {",
			    n++ ? "," : "", pi->rows[j].index, pi->rows[j].line);
			imp_kv_str(o, "address", addr);
			imp_put(o, " transport = \"%s\";", tp_names[tp < 0 ? 0 : tp]);
			if (prio >= 0 && prio <= 65535)
				imp_put(o, " priority = %ld;", prio);
			if (w >= 1 && w <= 65535)
				imp_put(o, " weight = %ld;", w);
			imp_put(o, " }");
			imp_rc_done(&a);
		}
		imp_put(o, "\n    ); }");
		imp_wrote(o, "proxy_sets", name);
		imp_inert(&c, "GWIPv4SIPInterfaceName", "");
		imp_inert(&c, "ClassificationInput", "0");
		imp_inert(&c, "MinActiveServersLB", "1");
		imp_inert(&c, "SuccessDetectionRetries", "1");
		imp_inert(&c, "SuccessDetectionInterval", "10");
		imp_inert(&c, "FailureDetectionRetransmissions", "-1");
		imp_rc_done(&c);
		imp_item_end(o, &s, 1);
	}
	for (size_t j = 0; pi != NULL && j < pi->nrows; j++) {
		if (pi_used[j])
			continue;
		imp_item_begin(o);
		if (imp_rc_init(&a, o, pi, &pi->rows[j]) != 0)
			break;
		imp_rc_drop(&a, "its ProxySetId names no proxy set that was carried over");
		imp_item_end(o, &s, 0);
	}
	free(pi_used);
	imp_sect_write(o, &s, "proxy_sets", "Proxy Sets (ProxySet, ProxyIp)");
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
	const struct imp_table	*g = imp_table(o, "AudioCodersGroups"), *a = imp_table(o, "AudioCoders");
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

		imp_item_begin(o);
		if (imp_rc_init(&c, o, g, &g->rows[i]) != 0)
			break;
		name = imp_val(&c, "Name");
		c.name = name != NULL ? name : "";
		snprintf(idx, sizeof(idx), "%ld", g->rows[i].index);
		if (name == NULL || !coder_group_ok(o->ini, name)) {
			/* its coders are reported below, as not belonging to a group */
			imp_rc_drop(&c, "no coder of it is one sbcd has (PCMU, PCMA, G722, G729, opus)");
			imp_item_end(o, &s, 0);
			continue;
		}
		imp_info(o, "Coder Groups row %ld (ini line %d)", g->rows[i].index, g->rows[i].line);
		imp_put(o, "  {");
		imp_kv_str(o, "name", name);
		imp_put(o, " coders = (");
		for (size_t j = 0; a != NULL && j < a->nrows; j++) {
			const char *ref = imp_row_get(a, &a->rows[j], "AudioCodersGroupId");
			const char *cn, *sn;
			long pt;

			if (ref == NULL || (strcasecmp(ref, name) != 0 && strcmp(ref, idx) != 0))
				continue;
			a_used[j] = 1;
			if (imp_rc_init(&k, o, a, &a->rows[j]) != 0)
				break;
			imp_get(&k, "AudioCodersGroupId");
			imp_get(&k, "AudioCodersIndex");
			cn = imp_val(&k, "Name");
			k.name = cn != NULL ? cn : "";
			if (cn == NULL || (sn = coder_name(cn)) == NULL) {
				imp_put(o, "\n");
				imp_rc_drop(&k, "sbcd does not have this coder");
				continue;
			}
			pt = imp_ival(&k, "pTime", 20);
			imp_put(o, "%s\n      { coder = \"%s\"; ptime = %ld; }", n++ ? "," : "", sn,
			    pt >= 10 && pt <= 120 ? pt : 20);
			imp_inert(&k, "rate", "255|0");
			imp_inert(&k, "PayloadType", "-1");
			imp_inert(&k, "Sce", "0");
			imp_rc_done(&k);
		}
		imp_put(o, " ); }");
		imp_rc_done(&c);
		imp_item_end(o, &s, 1);
	}
	for (size_t j = 0; a != NULL && j < a->nrows; j++) {
		if (a_used[j])
			continue;
		imp_item_begin(o);
		if (imp_rc_init(&k, o, a, &a->rows[j]) != 0)
			break;
		imp_rc_drop(&k, "its group was not carried over");
		imp_item_end(o, &s, 0);
	}
	free(a_used);
	imp_sect_write(o, &s, "coder_groups", "Coder Groups (AudioCodersGroups, AudioCoders)");
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
	const struct imp_table	*t = imp_table(o, "IpProfile");
	struct sect		 s = { 0 };
	struct rc		 c;
	int			 se_line = 0, mse_line = 0, bc_line = 0;
	const char		*se = imp_scalar(o, "SBCSessionExpires", &se_line);
	const char		*mse = imp_scalar(o, "SBCMinSE", &mse_line);
	const char		*bct = imp_scalar(o, "BrokenConnectionEventTimeout", &bc_line);

	if (imp_scalar(o, "EnableMediaSecurity", NULL) != NULL) {
		imp_item_begin(o);
		imp_info(o, "EnableMediaSecurity: sbcd needs no global switch; each profile's"
		    " media_security decides");
		imp_item_end(o, &s, 0);
	}
	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char	*name, *cg, *ext;
		long		 v, sem;

		imp_item_begin(o);
		if (imp_rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = imp_val(&c, "ProfileName");
		c.name = name != NULL ? name : "";
		if (name == NULL) {
			imp_rc_drop(&c, "no ProfileName");
			imp_item_end(o, &s, 0);
			continue;
		}
		imp_info(o, "IP Profiles row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		imp_put(o, "  {");
		imp_kv_str(o, "name", name);
		v = imp_ival(&c, "SBCMediaSecurityBehaviour", 0);
		if (v >= 0 && v <= 3)
			imp_put(o, "\n    media_security = \"%s\";",
			    (const char *[]){ "as-is", "secured", "not-secured", "both" }[v]);
		sem = imp_ival(&c, "SBCSessionExpiresMode", 0);
		if (sem >= 0 && sem <= 3)
			imp_put(o, "\n    session_expires_mode = \"%s\";",
			    (const char *[]){ "transparent", "observer", "not-supported", "supported" }[sem]);
		if (sem == 1 || sem == 3) {
			long sev = se != NULL ? atol(se) : 180;

			if (sev < 90 || sev > 86400)
				sev = sev < 90 ? 90 : 86400;
			imp_put(o, " session_expires = %ld;", sev);
			if (se == NULL)
				imp_info(o, "session_expires: SBCSessionExpires is not in the ini;"
				    " the Mediant's default 180 s");
			if (mse != NULL && atol(mse) >= 90 && atol(mse) <= 86400)
				imp_put(o, " min_se = %ld;", atol(mse));
		}
		cg = imp_val(&c, "SBCAllowedAudioCodersGroupName");
		ext = imp_val(&c, "SBCExtensionCodersGroupName");
		if (cg == NULL && ext != NULL) {
			cg = ext;
			imp_info(o, "coder_group: the extension coder group (sbcd does not transcode;"
			    " it keeps the offered coders of the group)");
		} else if (cg != NULL && ext != NULL && strcasecmp(cg, ext) != 0) {
			imp_rc_note(&c, "SBCExtensionCodersGroupName = \"%s\" not carried over: sbcd does not"
			    " transcode", ext);
		}
		if (cg != NULL && coder_group_ok(o->ini, cg)) {
			imp_put(o, "\n   ");
			imp_kv_str(o, "coder_group", cg);
		} else if (cg != NULL) {
			imp_rc_note(&c, "coder group \"%s\" was not carried over, so no coder_group", cg);
		}
		imp_inert(&c, "SBCAllowedCodersMode", "0|1|2");
		v = imp_ival(&c, "SBCRFC2833Behavior", -1);
		if (v == 0)
			imp_put(o, "\n    dtmf_mode = \"transparent\";");
		else if (v == 1) {
			imp_put(o, "\n    dtmf_mode = \"rfc2833\";");
			imp_rc_note(&c, "SBCRFC2833Behavior = 1 (Extend): sbcd keeps telephone-event but does"
			    " not add it to an offer that has none");
		} else if (v == 2)
			imp_put(o, "\n    dtmf_mode = \"disable\";");
		v = imp_ival(&c, "SBC2833DTMFPayloadType", 0);
		if (v >= 96 && v <= 127)
			imp_put(o, " dtmf_payload_type = %ld;", v);
		else
			imp_inert(&c, "SBC2833DTMFPayloadType", "0");
		imp_inert(&c, "SBCAlternativeDTMFMethod", "0");
		v = imp_ival(&c, "DisconnectOnBrokenConnection", -1);
		if (v == 0)
			imp_put(o, "\n    media_timeout = 0;");
		else if (v == 1) {
			long to = (bct != NULL ? atol(bct) : 100) / 10;	/* 100 ms units */

			imp_put(o, "\n    media_timeout = %ld;", to < 1 ? 1 : to);
			if (bct == NULL)
				imp_info(o, "media_timeout: BrokenConnectionEventTimeout is not in the ini;"
				    " the Mediant's default 10 s");
		}
		imp_put(o, " }");
		imp_inert(&c, "SBCMediaSecurityMethod", "0");
		imp_inert(&c, "SBCRemoveCryptoLifetimeInSDP", "0");
		imp_inert(&c, "TranscodingMode", "0");
		imp_inert(&c, "SBCAllowedMediaTypes", "");
		imp_rc_done(&c);
		imp_item_end(o, &s, 1);
	}
	if (ipg_without_profile(o->ini)) {
		imp_item_begin(o);
		imp_info(o, "The Mediant lets an IP group go without an IP profile; sbcd needs one:"
		    " this one keeps sbcd's defaults");
		imp_put(o, "  { name = \"" DEFAULT_PROFILE "\"; }");
		imp_item_end(o, &s, 1);
	}
	imp_sect_write(o, &s, "ip_profiles", "IP Profiles (IpProfile)");
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

/* Message Manipulations (MessageManipulations) -> manipulation_sets "MS-<ManSetID>" */
static void
map_manips(struct out *o)
{
	const struct imp_table	*t = imp_table(o, "MessageManipulations");
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
		long	 id = imp_row_long(t, &t->rows[i], "ManSetID", -1);
		int	 n = 0, skip_prev = 0;

		if (done[i])
			continue;
		imp_item_begin(o);
		if (id < 0) {
			if (imp_rc_init(&c, o, t, &t->rows[i]) == 0)
				imp_rc_drop(&c, "no ManSetID");
			done[i] = 1;
			imp_item_end(o, &s, 0);
			continue;
		}
		imp_info(o, "Message Manipulations, ManSetID %ld", id);
		for (size_t j = i; j < t->nrows; j++) {
			const char *nm, *mt, *cond, *subj, *val_, *why = NULL;
			long at, role;

			if (done[j] || imp_row_long(t, &t->rows[j], "ManSetID", -1) != id)
				continue;
			done[j] = 1;
			if (imp_rc_init(&c, o, t, &t->rows[j]) != 0)
				break;
			imp_get(&c, "ManSetID");
			nm = imp_val(&c, "ManipulationName");
			c.name = nm != NULL ? nm : "";
			mt = imp_val(&c, "MessageType");
			cond = imp_val(&c, "Condition");
			subj = imp_val(&c, "ActionSubject");
			at = imp_ival(&c, "ActionType", -1);
			val_ = imp_val(&c, "ActionValue");
			role = imp_ival(&c, "RowRole", 0);
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
				imp_put(o, "\n");
				imp_rc_note(&c, "rule not carried over: %s: %s / %s / %s / %s", why,
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
				imp_put(o, "  { name = \"MS-%ld\";\n    rules = (", id);
			imp_put(o, "%s\n      # \"%s\" (ini line %d)\n      {", n++ ? "," : "",
			    nm != NULL ? nm : "", t->rows[j].line);
			imp_kv_str(o, "message_type", mt != NULL ? mt : "any");
			if (cond != NULL)
				imp_kv_str(o, "condition", cond);
			imp_put(o, "\n       ");
			imp_kv_str(o, "subject", subj);
			imp_put(o, " action = \"%s\";", (const char *[]){ "add", "remove", "modify",
			    "add-prefix", "add-suffix", "remove-suffix", "remove-prefix", "normalize" }[at]);
			if (val_ != NULL)
				imp_kv_str(o, "value", val_);
			if (role == 1)
				imp_put(o, " row_role = \"previous\";");
			imp_put(o, " }");
			imp_rc_done(&c);
		}
		/* a set whose every rule was dropped cannot be written empty */
		if (n > 0) {
			imp_put(o, "\n    ); }");
			imp_set_written(o, id);
		} else {
			imp_note(o, t->rows[i].line, "manipulation set %ld not carried over: none of its"
			    " rules was", id);
		}
		imp_item_end(o, &s, n > 0);
	}
	free(done);
	imp_sect_write(o, &s, "manipulation_sets", "Message Manipulations (MessageManipulations)");
}

/* IP Groups (IPGroup) -> ip_groups */
static void
map_ipgroups(struct out *o)
{
	const struct imp_table	*t = imp_table(o, "IPGroup");
	const struct imp_table	*ps = imp_table_find(o->ini, "ProxySet");
	const struct imp_table	*pr = imp_table_find(o->ini, "IpProfile");
	struct sect		 s = { 0 };
	struct rc		 c;

	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char	*name, *pset, *prof, *v, *user, *pw;
		long		 type, set;

		imp_item_begin(o);
		if (imp_rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		name = imp_val(&c, "Name");
		c.name = name != NULL ? name : "";
		if (name == NULL) {
			imp_rc_drop(&c, "no Name");
			imp_item_end(o, &s, 0);
			continue;
		}
		imp_info(o, "IP Groups row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		imp_put(o, "  {");
		imp_kv_str(o, "name", name);
		type = imp_ival(&c, "Type", 0);
		if (type == 2)
			imp_rc_note(&c, "Type = 2 (Gateway) is written as server");
		imp_put(o, " type = \"%s\";", type == 1 ? "user" : "server");
		if ((pset = imp_val(&c, "ProxySetName")) == NULL && (v = imp_val(&c, "ProxySetID")) != NULL)
			pset = imp_row_name(ps, "ProxyName", v);
		if (pset != NULL && imp_was_written(o, "proxy_sets", pset)) {
			imp_put(o, "\n   ");
			imp_kv_str(o, "proxy_set", pset);
		} else if (pset != NULL) {
			imp_rc_note(&c, "proxy set \"%s\" was not carried over, so no proxy_set", pset);
		}
		if ((prof = imp_val(&c, "ProfileName")) == NULL && (v = imp_val(&c, "ProfileId")) != NULL &&
		    strcmp(v, "-1") != 0)
			prof = imp_row_name(pr, "ProfileName", v);
		imp_put(o, "\n   ");
		imp_kv_str(o, "ip_profile", prof != NULL ? prof : DEFAULT_PROFILE);
		if ((v = imp_val(&c, "MediaRealm")) != NULL)
			imp_kv_str(o, "media_realm", v);
		if ((v = imp_val(&c, "SRDName")) != NULL)
			imp_kv_str(o, "srd", v);
		imp_put(o, "\n    classify_by_proxy_set = %s;",
		    imp_ival(&c, "ClassifyByProxySet", 1) ? "true" : "false");
		if ((v = imp_val(&c, "SIPGroupName")) != NULL)
			imp_kv_str(o, "sip_group_name", v);
		for (int k = 0; k < 2; k++) {
			const char *col = k == 0 ? "InboundManSet" : "OutboundManSet";

			set = imp_ival(&c, col, -1);
			if (set < 0)
				continue;
			if (imp_set_was_written(o, set))
				imp_put(o, "\n    %s_manipulation_set = \"MS-%ld\";",
				    k == 0 ? "inbound" : "outbound", set);
			else
				imp_rc_note(&c, "%s = %ld: no manipulation set %ld was carried over", col, set, set);
		}
		user = imp_val(&c, "Username");
		pw = imp_get(&c, "Password");
		if (user != NULL) {
			imp_put(o, "\n   ");
			imp_kv_str(o, "username", user);
			if (pw != NULL && *pw != '\0' && strncmp(pw, "$1$", 3) != 0)
				imp_kv_str(o, "password", pw);
			else
				imp_rc_note(&c, "Password not carried over: the export holds it obscured;"
				    " add password = \"...\" by hand");
		}
		imp_put(o, " }");
		imp_wrote(o, "ip_groups", name);
		v = imp_val(&c, "MsgManUserDef1");
		if (v != NULL)
			imp_rc_note(&c, "MsgManUserDef1 = \"%s\" not carried over: sbcd has no"
			    " param.ipg.*.user-defined", v);
		v = imp_val(&c, "MsgManUserDef2");
		if (v != NULL)
			imp_rc_note(&c, "MsgManUserDef2 = \"%s\" not carried over: sbcd has no"
			    " param.ipg.*.user-defined", v);
		imp_inert(&c, "SBCOperationMode", "-1|0");
		imp_inert(&c, "SipReRoutingMode", "-1|0");
		imp_inert(&c, "AlwaysUseRouteTable", "0");
		imp_inert(&c, "MaxNumOfRegUsers", "-1");
		imp_inert(&c, "RegistrationMode", "0");
		imp_inert(&c, "AuthenticationMode", "0");
		imp_inert(&c, "SBCServerAuthType", "-1");
		imp_inert(&c, "EnableSBCClientForking", "0");
		imp_inert(&c, "SourceUriInput", "-1");
		imp_inert(&c, "DestUriInput", "-1");
		imp_inert(&c, "AlwaysUseSourceAddr", "0");
		imp_inert(&c, "SBCKeepOriginalCallID", "0");
		imp_inert(&c, "SBCRouteUsingRequestURIPort", "0");
		imp_inert(&c, "TopologyLocation", "0");
		imp_inert(&c, "UsedByRoutingServer", "0");
		imp_inert(&c, "CreatedByRoutingServer", "0");
		imp_inert(&c, "CallSetupRulesSetId", "-1");
		imp_inert(&c, "SIPConnect", "0");
		imp_inert(&c, "SBCPSAPMode", "0");
		imp_inert(&c, "ProxyKeepAliveUsingIPG", "0");
		imp_inert(&c, "TeamsLocalMediaOptimization", "0");
		imp_inert(&c, "TeamsDirectRoutingMode", "0");
		imp_inert(&c, "UUIFormat", "0");
		imp_inert(&c, "SBCUserStickiness", "0");
		imp_inert(&c, "UserUDPPortAssignment", "0");
		imp_rc_done(&c);
		imp_item_end(o, &s, 1);
	}
	imp_sect_write(o, &s, "ip_groups", "IP Groups (IPGroup)");
}

static const char *const req_types[] = { "all", "INVITE", "REGISTER", "SUBSCRIBE", NULL, NULL,
	"OPTIONS", NULL };

/* IP-to-IP Routing (IP2IPRouting) -> routes; reasons from SBCAlternativeRoutingReasons */
static void
map_routes(struct out *o)
{
	const struct imp_table	*t = imp_table(o, "IP2IPRouting");
	const struct imp_table	*ar = imp_table(o, "SBCAlternativeRoutingReasons");
	struct sect		 s = { 0 };
	struct rc		 c;
	char			 reasons[256] = "";
	size_t			 rl = 0;

	for (size_t j = 0; ar != NULL && j < ar->nrows; j++) {
		long code = imp_row_long(ar, &ar->rows[j], "ReleaseCause", -1);

		if (imp_rc_init(&c, o, ar, &ar->rows[j]) != 0)
			return;
		imp_get(&c, "ReleaseCause");
		if (code >= 400 && code <= 699 && rl + 8 < sizeof(reasons))
			rl += (size_t)snprintf(reasons + rl, sizeof(reasons) - rl, "%s%ld",
			    rl ? ", " : "", code);
		else {
			imp_item_begin(o);
			imp_rc_note(&c, "ReleaseCause = %ld: sbcd takes 400..699 (no answer, 408 and 503"
			    " always lead to the alternative)", code);
			imp_item_end(o, &s, 0);
		}
		imp_rc_done(&c);
	}
	for (size_t i = 0; t != NULL && i < t->nrows; i++) {
		const char	*name, *v, *why = NULL;
		char		 dflt[32];
		long		 rt, dt, alt, tp;

		imp_item_begin(o);
		if (imp_rc_init(&c, o, t, &t->rows[i]) != 0)
			break;
		snprintf(dflt, sizeof(dflt), "Route-%ld", t->rows[i].index);
		name = imp_val(&c, "RouteName") != NULL ? imp_val(&c, "RouteName") : dflt;
		c.name = name;
		rt = imp_ival(&c, "RequestType", 0);
		dt = imp_ival(&c, "DestType", 0);
		alt = imp_ival(&c, "AltRouteOptions", 0);
		if (rt < 0 || rt > 7 || req_types[rt] == NULL)
			why = "a RequestType that matches several methods; sbcd matches all or one";
		else if (imp_val(&c, "MessageConditionName") != NULL)
			why = "it has a MessageConditionName; sbcd has no message conditions";
		else if (!imp_is_any(imp_val(&c, "ReRouteIPGroupName")))
			why = "it matches re-routed requests only (ReRouteIPGroupName)";
		else if (imp_ival(&c, "Trigger", 0) != 0)
			why = "its Trigger is not Any";
		else if (dt != 0 && dt != 1)
			why = "its DestType is neither IP Group (0) nor Dest Address (1)";
		else if (alt == 3 || alt == 4)
			why = "a forking group member; sbcd does not fork";
		if (why != NULL) {
			imp_rc_drop(&c, why);
			imp_item_end(o, &s, 0);
			continue;
		}
		imp_info(o, "IP-to-IP Routing row %ld (ini line %d)", t->rows[i].index, t->rows[i].line);
		imp_put(o, "  {");
		imp_kv_str(o, "name", name);
		if (!imp_is_any(v = imp_val(&c, "SrcIPGroupName")))
			imp_kv_str(o, "source_ip_group", v);
		imp_put(o, " request_type = \"%s\";", req_types[rt]);
		if (!imp_is_any(v = imp_val(&c, "SrcUsernamePrefix")))
			imp_kv_str(o, "src_user_prefix", v);
		if (!imp_is_any(v = imp_val(&c, "SrcHost")))
			imp_kv_str(o, "src_host", v);
		if (!imp_is_any(v = imp_val(&c, "DestUsernamePrefix")))
			imp_kv_str(o, "dst_user_prefix", v);
		if (!imp_is_any(v = imp_val(&c, "DestHost")))
			imp_kv_str(o, "dst_host", v);
		imp_put(o, "\n   ");
		if (dt == 0) {
			imp_put(o, " dest_type = \"ip-group\";");
			if ((v = imp_val(&c, "DestIPGroupName")) != NULL)
				imp_kv_str(o, "dest_ip_group", v);
		} else {
			long port = imp_ival(&c, "DestPort", 0);

			imp_put(o, " dest_type = \"address\";");
			if ((v = imp_val(&c, "DestAddress")) != NULL) {
				char a[300];

				if (port > 0 && port < 65536)
					snprintf(a, sizeof(a), "%s:%ld", v, port);
				else
					snprintf(a, sizeof(a), "%s", v);
				imp_kv_str(o, "dest_address", a);
			}
			tp = imp_ival(&c, "DestTransportType", -1);
			imp_put(o, " dest_transport = \"%s\";", tp_names[tp >= 0 && tp <= 2 ? tp : 0]);
			if ((v = imp_val(&c, "DestSIPInterfaceName")) != NULL)
				imp_kv_str(o, "dest_sip_interface", v);
		}
		if (dt == 0) {
			imp_inert(&c, "DestAddress", "");
			imp_inert(&c, "DestPort", "0|-1");
			imp_inert(&c, "DestTransportType", "-1");
			imp_inert(&c, "DestSIPInterfaceName", "");
		}
		if (rl > 0)
			imp_put(o, "\n    alt_route_reasons = [ %s ];", reasons);
		if (alt == 1 || alt == 2)
			imp_put(o, " role = \"alternative\";");
		if (alt == 2)
			imp_rc_note(&c, "AltRouteOptions = 2 (Consider Inputs): sbcd's alternative rows are"
			    " tried without matching their inputs");
		imp_put(o, " }");
		imp_inert(&c, "RoutingPolicyName", "Default_SBCRoutingPolicy");
		imp_inert(&c, "CallSetupRulesSetId", "-1");
		imp_inert(&c, "GroupPolicy", "0");
		imp_inert(&c, "RoutingTagName", "default");
		imp_inert(&c, "InternalAction", "");
		imp_rc_done(&c);
		imp_item_end(o, &s, 1);
	}
	imp_sect_write(o, &s, "routes", "IP-to-IP Routing (IP2IPRouting, SBCAlternativeRoutingReasons)");
}

/* Parameters (scalars) that set sbcd's global group. */
static void
map_global(struct out *o)
{
	const char *ua = imp_scalar(o, "UserAgentDisplayInfo", NULL);

	if (ua == NULL || *ua == '\0')
		return;
	imp_put(o, "\nglobal = {\n ");
	imp_kv_str(o, "user_agent", ua);
	imp_put(o, "\n};\n");
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
			imp_put(o, "\n# Tables sbcd has no equivalent of (rows not carried over)\n");
		if (t->nrows == 0)
			imp_note(o, t->line, "[ %s ] (empty) not carried over", t->name);
		for (size_t j = 0; j < t->nrows; j++) {
			struct rc c;

			if (imp_rc_init(&c, o, t, &t->rows[j]) != 0)
				return;
			c.name = t->ncols > 0 && t->rows[j].nvals > 0 ? t->rows[j].vals[0] : "";
			imp_rc_drop(&c, "sbcd has no such table");
		}
	}
	head = 0;
	for (size_t i = 0; i < ini->nscalars; i++) {
		if (o->sc_used[i])
			continue;
		if (!head++)
			imp_put(o, "\n# Parameters not carried over (no sbcd setting)\n");
		imp_note(o, ini->scalars[i].line, "%s = \"%s\"", ini->scalars[i].key, ini->scalars[i].val);
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
	imp_put(&o, "# sbc.conf written by sbc-import %s from %s.\n"
	    "# Each \"# ini line N:\" comment is something of the ini that this file does\n"
	    "# not carry over, and why; read them all, then check the file with\n"
	    "# `sbcd -t -f FILE`.  Other comments say which ini row each entry comes from.\n",
	    SBCD_VERSION, opts->source != NULL ? opts->source : "an AudioCodes ini file");
	if (ini->nbad > 0) {
		imp_put(&o, "\n# Lines of the ini that could not be read\n");
		for (size_t i = 0; i < ini->nbad; i++)
			imp_note(&o, ini->bad[i].line, "%s: %s", ini->bad[i].why, ini->bad[i].text);
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
