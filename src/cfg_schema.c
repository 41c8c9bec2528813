/* cfg_schema.c: every key of sbc.conf (type, default, range, doc) and the semantic checks. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <arpa/inet.h>

#include "cfg_int.h"
#include "log.h"
#include "manip.h"
#include "msec.h"

/* ===== field constructors ===== */

#define F_STR(k, st, fld, fl, sd, d) \
	{ .key = k, .type = CFT_STR, .flags = fl, .off = offsetof(st, fld), .sdef = sd, .doc = d }
#define F_SECRET(k, st, fld, d) \
	{ .key = k, .type = CFT_SECRET, .off = offsetof(st, fld), .doc = d }
#define F_INT(k, st, fld, fl, dv, lo, hi, d) \
	{ .key = k, .type = CFT_INT, .flags = fl, .off = offsetof(st, fld), .def = dv, \
	  .min = lo, .max = hi, .doc = d }
#define F_BOOL(k, st, fld, dv, d) \
	{ .key = k, .type = CFT_BOOL, .off = offsetof(st, fld), .def = dv, .doc = d }
#define F_ENUM(k, st, fld, fl, dv, ev, d) \
	{ .key = k, .type = CFT_ENUM, .flags = fl, .off = offsetof(st, fld), .def = dv, \
	  .enums = ev, .doc = d }
#define F_REF(k, st, fld, fldp, fl, tb, d) \
	{ .key = k, .type = CFT_REF, .flags = fl, .off = offsetof(st, fld), \
	  .off2 = offsetof(st, fldp), .table = &tb, .doc = d }
#define F_IP(k, st, fld, fl, d) \
	{ .key = k, .type = CFT_IP, .flags = fl, .off = offsetof(st, fld), .doc = d }
#define F_PATH(k, st, fld, fl, sd, d) \
	{ .key = k, .type = CFT_PATH, .flags = fl, .off = offsetof(st, fld), .sdef = sd, .doc = d }
#define F_ILIST(k, st, fld, lo, hi, d) \
	{ .key = k, .type = CFT_INTLIST, .off = offsetof(st, fld), .min = lo, .max = hi, .doc = d }
#define F_SLIST(k, st, fld, sd, d) \
	{ .key = k, .type = CFT_STRLIST, .off = offsetof(st, fld), .sdef = sd, .doc = d }
#define F_TABLE(k, st, arr, cnt, fl, tb, d) \
	{ .key = k, .type = CFT_TABLE, .flags = fl, .off = offsetof(st, arr), \
	  .off2 = offsetof(st, cnt), .table = &tb, .doc = d }
#define F_NAME(st, d) F_STR("name", st, name, CFF_REQUIRED, NULL, d)
#define F_END { .key = NULL }

#define TABLE(k, st, arrf, nf, flds, chk, d) \
	{ .key = k, .elem_size = sizeof(st), .fields = flds, \
	  .off_arr = offsetof(struct cfg, arrf), .off_n = offsetof(struct cfg, nf), \
	  .off_line = offsetof(st, line), .has_name = 1, .check = chk, .doc = d }
#define SUBTABLE(k, st, flds, d) \
	{ .key = k, .elem_size = sizeof(st), .fields = flds, \
	  .off_line = offsetof(st, line), .has_name = 0, .doc = d }

/* ===== enumerations ===== */

static const struct cfg_enumval ev_log_level[] = {
	{ "err", LOG_LEVEL_ERR }, { "warn", LOG_LEVEL_WARN },
	{ "info", LOG_LEVEL_INFO }, { "debug", LOG_LEVEL_DEBUG }, { NULL, 0 } };
static const struct cfg_enumval ev_log_target[] = {
	{ "stderr", LOG_TARGET_STDERR }, { "syslog", LOG_TARGET_SYSLOG }, { NULL, 0 } };
static const struct cfg_enumval ev_facility[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 }, { NULL, 0 } };
static const struct cfg_enumval ev_srtp_engine[] = {
	{ "openssl", MSEC_ENGINE_OPENSSL }, { "libsrtp2", MSEC_ENGINE_LIBSRTP2 }, { NULL, 0 } };
static const struct cfg_enumval ev_transport[] = {
	{ "udp", CFG_TP_UDP }, { "tcp", CFG_TP_TCP }, { "tls", CFG_TP_TLS }, { NULL, 0 } };
static const struct cfg_enumval ev_keepalive[] = {
	{ "disable", CFG_KA_DISABLE }, { "options", CFG_KA_OPTIONS }, { NULL, 0 } };
static const struct cfg_enumval ev_redundancy[] = {
	{ "parking", CFG_RED_PARKING }, { "homing", CFG_RED_HOMING }, { NULL, 0 } };
static const struct cfg_enumval ev_lb[] = {
	{ "none", CFG_LB_NONE }, { "round-robin", CFG_LB_ROUND_ROBIN },
	{ "random-weights", CFG_LB_RANDOM_WEIGHTS }, { NULL, 0 } };
static const struct cfg_enumval ev_dns[] = {
	{ "a", CFG_DNS_A }, { "srv", CFG_DNS_SRV }, { NULL, 0 } };
static const struct cfg_enumval ev_ipg_type[] = {
	{ "server", CFG_IPG_SERVER }, { "user", CFG_IPG_USER }, { NULL, 0 } };
static const struct cfg_enumval ev_msec[] = {
	{ "as-is", CFG_MSEC_AS_IS }, { "secured", CFG_MSEC_SECURED },
	{ "not-secured", CFG_MSEC_NOT_SECURED }, { "both", CFG_MSEC_BOTH }, { NULL, 0 } };
static const struct cfg_enumval ev_se[] = {
	{ "transparent", CFG_SE_TRANSPARENT }, { "observer", CFG_SE_OBSERVER },
	{ "not-supported", CFG_SE_NOT_SUPPORTED }, { "supported", CFG_SE_SUPPORTED },
	{ NULL, 0 } };
static const struct cfg_enumval ev_dtmf[] = {
	{ "rfc2833", CFG_DTMF_RFC2833 }, { "transparent", CFG_DTMF_TRANSPARENT },
	{ "disable", CFG_DTMF_DISABLE }, { NULL, 0 } };
static const struct cfg_enumval ev_cls_action[] = {
	{ "allow", CFG_CLS_ALLOW }, { "deny", CFG_CLS_DENY }, { NULL, 0 } };
static const struct cfg_enumval ev_cls_tp[] = {
	{ "any", CFG_CLS_TP_ANY }, { "udp", CFG_CLS_TP_UDP }, { "tcp", CFG_CLS_TP_TCP },
	{ "tls", CFG_CLS_TP_TLS }, { NULL, 0 } };
static const struct cfg_enumval ev_rdest[] = {
	{ "ip-group", CFG_RD_IP_GROUP }, { "address", CFG_RD_ADDRESS }, { NULL, 0 } };
static const struct cfg_enumval ev_rrole[] = {
	{ "route", CFG_RR_ROUTE }, { "alternative", CFG_RR_ALTERNATIVE }, { NULL, 0 } };
static const struct cfg_enumval ev_maction[] = {
	{ "add", CFG_MA_ADD }, { "remove", CFG_MA_REMOVE }, { "modify", CFG_MA_MODIFY },
	{ "add-prefix", CFG_MA_ADD_PREFIX }, { "add-suffix", CFG_MA_ADD_SUFFIX },
	{ "remove-prefix", CFG_MA_REMOVE_PREFIX }, { "remove-suffix", CFG_MA_REMOVE_SUFFIX },
	{ "normalize", CFG_MA_NORMALIZE }, { NULL, 0 } };
static const struct cfg_enumval ev_rowrole[] = {
	{ "current", CFG_ROW_CURRENT }, { "previous", CFG_ROW_PREVIOUS }, { NULL, 0 } };
static const struct cfg_enumval ev_tlsv[] = {
	{ "none", CFG_TLSV_NONE }, { "chain", CFG_TLSV_CHAIN }, { "name", CFG_TLSV_NAME },
	{ NULL, 0 } };
static const struct cfg_enumval ev_tlsver[] = {
	{ "TLSv1.2", CFG_TLS_1_2 }, { "TLSv1.3", CFG_TLS_1_3 }, { NULL, 0 } };
static const struct cfg_enumval ev_coder[] = {
	{ "PCMU", CFG_CODER_PCMU }, { "PCMA", CFG_CODER_PCMA }, { "G722", CFG_CODER_G722 },
	{ "G729", CFG_CODER_G729 }, { "opus", CFG_CODER_OPUS }, { NULL, 0 } };

/* SRTP suites: RFC 4568 / RFC 6188 names, and the AWS spelling of the
 * 192/256-bit ones (AES_CM_192_..., AES_CM_256_...), mapped to one name. */
static const struct {
	const char *name, *canonical;
} srtp_suites[] = {
	{ "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80" },
	{ "AES_CM_128_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_32" },
	{ "AES_192_CM_HMAC_SHA1_80", "AES_192_CM_HMAC_SHA1_80" },
	{ "AES_192_CM_HMAC_SHA1_32", "AES_192_CM_HMAC_SHA1_32" },
	{ "AES_256_CM_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_80" },
	{ "AES_256_CM_HMAC_SHA1_32", "AES_256_CM_HMAC_SHA1_32" },
	{ "AES_CM_192_HMAC_SHA1_80", "AES_192_CM_HMAC_SHA1_80" },
	{ "AES_CM_192_HMAC_SHA1_32", "AES_192_CM_HMAC_SHA1_32" },
	{ "AES_CM_256_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_80" },
	{ "AES_CM_256_HMAC_SHA1_32", "AES_256_CM_HMAC_SHA1_32" },
};

/* ===== the global group ===== */

const struct cfg_field cfg_global_fields[] = {
	F_ENUM("log_level", struct cfg_global, log_level, 0, LOG_LEVEL_INFO, ev_log_level,
	    "Least severe level logged."),
	F_ENUM("log_target", struct cfg_global, log_target, 0, LOG_TARGET_STDERR, ev_log_target,
	    "Where log lines go: stderr (journald under systemd) or syslog. `-D` forces stderr."),
	F_ENUM("syslog_facility", struct cfg_global, syslog_facility, 0, LOG_DAEMON, ev_facility,
	    "Syslog facility when log_target is syslog."),
	F_PATH("control_socket", struct cfg_global, control_socket, CFF_RESTART,
	    "/run/sbcd/sbcd.sock", "Unix socket for sbcctl, created owner-only."),
	F_STR("metrics_listen", struct cfg_global, metrics_listen, 0, "127.0.0.1:9090",
	    "Address:port of the Prometheus metrics listener; empty disables it."),
	F_STR("hep_collector", struct cfg_global, hep_collector, 0, NULL,
	    "IP:port of a HEP v3 collector (Homer, sngrep -L) that gets a copy of every SIP "
	    "message sbcd sends and receives, SRTP keys and digest responses masked; empty: none."),
	F_INT("hep_capture_id", struct cfg_global, hep_capture_id, 0, 2001, 0, 2147483647,
	    "Capture agent ID in the HEP packets."),
	F_SECRET("hep_password", struct cfg_global, hep_password,
	    "HEP authentication key sent to the collector; never logged, masked by -T."),
	F_PATH("cdr_file", struct cfg_global, cdr_file, 0, NULL,
	    "File that receives one JSON line per call attempt; empty disables CDRs."),
	F_PATH("pid_file", struct cfg_global, pid_file, CFF_RESTART, NULL,
	    "File to write the process id to; empty writes none."),
	F_STR("user_agent", struct cfg_global, user_agent, 0, "sbcd",
	    "Value of User-Agent and Server in messages sbcd originates."),
	F_PATH("resolv_conf", struct cfg_global, resolv_conf, CFF_RESTART, "/etc/resolv.conf",
	    "Name servers for proxy addresses given as host names (resolv.conf format)."),
	F_INT("drain_timeout", struct cfg_global, drain_timeout, 0, 60, 0, 86400,
	    "Seconds calls in progress may go on after SIGTERM (new INVITEs get 503 meanwhile); "
	    "then they get BYE. 0: stop at once."),
	F_INT("drain_retry_after", struct cfg_global, drain_retry_after, 0, 30, 0, 86400,
	    "Retry-After (seconds) of the 503 that new INVITEs get while sbcd drains; 0: none."),
	F_INT("max_message_size", struct cfg_global, max_message_size, 0, 32768, 1024, 1048576,
	    "Largest SIP message (bytes) sbcd reads. sofia's transport stops buffering a bigger "
	    "one: a datagram gets 413 (from what was read), a TCP/TLS connection sending one "
	    "is closed unanswered."),
	F_INT("max_headers", struct cfg_global, max_headers, 0, 100, 10, 10000,
	    "Most header fields a new request may carry; more gets 400."),
	F_INT("max_via", struct cfg_global, max_via, 0, 20, 1, 1000,
	    "Most Via entries a new request may carry; more gets 483."),
	F_INT("max_body_size", struct cfg_global, max_body_size, 0, 16384, 256, 1048576,
	    "Largest body (bytes) of a new request; bigger gets 413."),
	F_INT("rate_limit", struct cfg_global, rate_limit, 0, 200, 0, 1000000,
	    "New requests per second each source address may send (token bucket); 0: no limit. "
	    "In-dialog requests and retransmissions do not count."),
	F_INT("rate_limit_burst", struct cfg_global, rate_limit_burst, 0, 400, 1, 1000000,
	    "Requests a source may send at once before rate_limit applies."),
	F_INT("rate_limit_ban", struct cfg_global, rate_limit_ban, 0, 60, 0, 86400,
	    "Seconds every request from a source over its rate is dropped unanswered; "
	    "0: only the requests over the rate are dropped."),
	F_ENUM("srtp_engine", struct cfg_global, srtp_engine, 0, MSEC_ENGINE_OPENSSL,
	    ev_srtp_engine,
	    "SRTP/SRTCP implementation of new calls: openssl, sbcd's own RFC 3711 transform on "
	    "OpenSSL (fast), or libsrtp2, the system library (Debian 12's is several times "
	    "slower and cannot do the AES-192 suites, which it then neither offers nor accepts). "
	    "A reload switches new calls; calls in progress keep theirs."),
	F_END
};

/* ===== tables ===== */

extern const struct cfg_table tb_ipif, tb_realm, tb_srd, tb_tls, tb_sipif,
    tb_pset, tb_coder_group, tb_profile, tb_man_set, tb_ipgroup, tb_class,
    tb_route;

static const struct cfg_field ipif_fields[] = {
	F_NAME(struct cfg_ipif, "Name other tables use to refer to this interface."),
	F_IP("address", struct cfg_ipif, address, CFF_REQUIRED,
	    "Local IPv4 or IPv6 address that sbcd binds SIP and media sockets to."),
	F_IP("public_address", struct cfg_ipif, public_address, 0,
	    "Address the outside sees when this interface is behind NAT; "
	    "written into SDP and available to manipulation rules."),
	F_END
};

static const struct cfg_field realm_fields[] = {
	F_NAME(struct cfg_realm, "Name of the media realm."),
	F_REF("interface", struct cfg_realm, interface_name, interface, CFF_REQUIRED, tb_ipif,
	    "IP interface whose address the media ports are bound to."),
	F_INT("port_start", struct cfg_realm, port_start, CFF_REQUIRED, 0, 1024, 65534,
	    "First UDP port of the range; must be even (RTP even, RTCP = RTP + 1)."),
	F_INT("session_legs", struct cfg_realm, session_legs, CFF_REQUIRED, 0, 1, 32767,
	    "Number of media session legs (one per call side) the range holds."),
	F_INT("port_spacing", struct cfg_realm, port_spacing, 0, 4, 2, 10,
	    "Ports reserved per leg; even. The range ends at "
	    "port_start + session_legs * port_spacing - 1."),
	F_END
};

static const struct cfg_field srd_fields[] = {
	F_NAME(struct cfg_srd, "Name of the signalling routing domain."),
	F_END
};

static const struct cfg_field tls_fields[] = {
	F_NAME(struct cfg_tls, "Name of the TLS context."),
	F_PATH("certificate", struct cfg_tls, certificate, CFF_REQUIRED | CFF_EXISTS, NULL,
	    "PEM certificate (chain) sbcd presents."),
	F_PATH("private_key", struct cfg_tls, private_key, CFF_REQUIRED | CFF_EXISTS, NULL,
	    "PEM private key of the certificate. Never logged."),
	F_PATH("ca_file", struct cfg_tls, ca_file, CFF_EXISTS, NULL,
	    "PEM bundle of trusted root certificates (for the Voice Connector: the Amazon roots)."),
	F_ENUM("min_version", struct cfg_tls, min_version, 0, CFG_TLS_1_2, ev_tlsver,
	    "Lowest TLS version accepted or offered."),
	F_ENUM("verify", struct cfg_tls, verify, 0, CFG_TLSV_NAME, ev_tlsv,
	    "Check of the server certificate on outgoing connections: none, chain "
	    "(against ca_file), name (chain and the proxy address's tls_verify_name, wildcards allowed)."),
	F_BOOL("require_client_certificate", struct cfg_tls, require_client_certificate, 0,
	    "Incoming connections must present a certificate that chains to ca_file."),
	F_STR("ciphers", struct cfg_tls, ciphers, 0, NULL,
	    "OpenSSL cipher list for TLS 1.2; empty keeps the OpenSSL default."),
	F_END
};

static const struct cfg_field sipif_fields[] = {
	F_NAME(struct cfg_sipif, "Name of the SIP interface."),
	F_REF("interface", struct cfg_sipif, interface_name, interface, CFF_REQUIRED, tb_ipif,
	    "IP interface the listeners are bound to."),
	F_REF("srd", struct cfg_sipif, srd_name, srd, 0, tb_srd,
	    "SRD of this interface; may be omitted when there is exactly one SRD."),
	F_INT("udp_port", struct cfg_sipif, udp_port, 0, 0, 0, 65535, "UDP listener port; 0 disables UDP."),
	F_INT("tcp_port", struct cfg_sipif, tcp_port, 0, 0, 0, 65535, "TCP listener port; 0 disables TCP."),
	F_INT("tls_port", struct cfg_sipif, tls_port, 0, 0, 0, 65535, "TLS listener port; 0 disables TLS."),
	F_REF("media_realm", struct cfg_sipif, media_realm_name, media_realm, CFF_REQUIRED, tb_realm,
	    "Media realm for calls on this interface unless the IP group names another."),
	F_REF("tls_context", struct cfg_sipif, tls_context_name, tls_context, 0, tb_tls,
	    "TLS context of the TLS listener and of outgoing TLS connections; required with tls_port."),
	F_INT("classification_failure_response", struct cfg_sipif, classification_failure_response,
	    0, 403, 0, 699, "Response to a request that no IP group claims: a 4xx-6xx code, "
	    "or 0 to drop it silently."),
	F_END
};

static const struct cfg_field paddr_fields[] = {
	F_STR("address", struct cfg_proxy_addr, address, CFF_REQUIRED, NULL,
	    "IP, IP:port, [IPv6]:port, host name or host:port of the proxy."),
	F_ENUM("transport", struct cfg_proxy_addr, transport, 0, CFG_TP_UDP, ev_transport,
	    "Transport toward this address; the proxy set's SIP interface must listen on it."),
	F_INT("priority", struct cfg_proxy_addr, priority, 0, 0, 0, 65535,
	    "Lower is preferred; addresses of equal priority share load by weight."),
	F_INT("weight", struct cfg_proxy_addr, weight, 0, 1, 1, 65535,
	    "Relative share among addresses of the same priority (random-weights)."),
	F_STR("tls_verify_name", struct cfg_proxy_addr, tls_verify_name, 0, NULL,
	    "Name the server certificate must carry (wildcards match); default is the host of address."),
	F_END
};

const struct cfg_table tb_paddr = SUBTABLE("addresses", struct cfg_proxy_addr, paddr_fields,
    "Proxy addresses of a proxy set.");

static const struct cfg_field pset_fields[] = {
	F_NAME(struct cfg_pset, "Name of the proxy set."),
	F_REF("sip_interface", struct cfg_pset, sip_interface_name, sip_interface, CFF_REQUIRED,
	    tb_sipif, "SIP interface requests to these addresses leave from."),
	F_REF("srd", struct cfg_pset, srd_name, srd, 0, tb_srd,
	    "SRD; when given it must be the SIP interface's."),
	F_ENUM("keepalive", struct cfg_pset, keepalive, 0, CFG_KA_DISABLE, ev_keepalive,
	    "Proxy keep-alive: disable, or OPTIONS every keepalive_interval."),
	F_INT("keepalive_interval", struct cfg_pset, keepalive_interval, 0, 60, 5, 2000000,
	    "Seconds between keep-alive OPTIONS."),
	F_ILIST("keepalive_failure_responses", struct cfg_pset, keepalive_failure_responses,
	    200, 699, "Responses that count as failure; any other response means the address is up."),
	F_ENUM("redundancy_mode", struct cfg_pset, redundancy_mode, 0, CFG_RED_PARKING, ev_redundancy,
	    "After a failover: parking stays on the backup, homing returns to the preferred address."),
	F_ENUM("load_balancing", struct cfg_pset, load_balancing, 0, CFG_LB_NONE, ev_lb,
	    "Spread new calls over the addresses that are up: none, round-robin, random-weights."),
	F_BOOL("hot_swap", struct cfg_pset, hot_swap, 0,
	    "Retry a request that timed out or failed on the next address."),
	F_ENUM("dns_resolve", struct cfg_pset, dns_resolve, 0, CFG_DNS_A, ev_dns,
	    "How host names are resolved: a (A/AAAA) or srv."),
	F_INT("invite_timeout", struct cfg_pset, invite_timeout, 0, 4000, 500, 32000,
	    "Milliseconds an INVITE may wait for a provisional response before the address counts as failed."),
	F_REF("tls_context", struct cfg_pset, tls_context_name, tls_context, 0, tb_tls,
	    "TLS context for these addresses; default is the SIP interface's."),
	F_TABLE("addresses", struct cfg_pset, addresses, n_addresses, CFF_REQUIRED, tb_paddr,
	    "Proxy addresses (see below)."),
	F_END
};

static const struct cfg_field coder_fields[] = {
	{ .key = "coder", .type = CFT_ENUM, .flags = CFF_REQUIRED,
	  .off = offsetof(struct cfg_coder_entry, coder), .enums = ev_coder,
	  .doc = "Codec name." },
	F_INT("ptime", struct cfg_coder_entry, ptime, 0, 20, 10, 120, "Packetization time in ms."),
	F_END
};

const struct cfg_table tb_coder = SUBTABLE("coders", struct cfg_coder_entry, coder_fields,
    "Codecs of a coder group, in order of preference.");

static const struct cfg_field coder_group_fields[] = {
	F_NAME(struct cfg_coder_group, "Name of the coder group."),
	F_TABLE("coders", struct cfg_coder_group, coders, n_coders, CFF_REQUIRED, tb_coder,
	    "Allowed codecs in order of preference (see below)."),
	F_END
};

static const struct cfg_field profile_fields[] = {
	F_NAME(struct cfg_profile, "Name of the IP profile."),
	F_ENUM("media_security", struct cfg_profile, media_security, 0, CFG_MSEC_AS_IS, ev_msec,
	    "SBC media security mode: as-is, secured (SRTP only), not-secured (RTP only), both "
	    "(offers RTP/AVP with SDES keys, the answer decides; accepts RTP or SRTP)."),
	F_SLIST("srtp_suites", struct cfg_profile, srtp_suites,
	    "AES_CM_128_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32",
	    "SRTP crypto suites allowed, in order of preference; 192/256-bit suites in either spelling."),
	F_ENUM("session_expires_mode", struct cfg_profile, session_expires_mode, 0,
	    CFG_SE_TRANSPARENT, ev_se,
	    "RFC 4028 session timers: transparent, observer, not-supported, supported."),
	F_INT("session_expires", struct cfg_profile, session_expires, 0, 1800, 90, 86400,
	    "Session-Expires sbcd asks for, in seconds."),
	F_INT("min_se", struct cfg_profile, min_se, 0, 90, 90, 86400,
	    "Smallest session interval accepted (Min-SE), in seconds."),
	F_REF("coder_group", struct cfg_profile, coder_group_name, coder_group, 0, tb_coder_group,
	    "Coder group that filters and orders the offered codecs; none keeps them all."),
	F_ENUM("dtmf_mode", struct cfg_profile, dtmf_mode, 0, CFG_DTMF_RFC2833, ev_dtmf,
	    "DTMF toward this side: rfc2833 (telephone-event kept), transparent, disable."),
	F_INT("dtmf_payload_type", struct cfg_profile, dtmf_payload_type, 0, 101, 96, 127,
	    "Payload type sbcd offers for telephone-event."),
	F_INT("media_timeout", struct cfg_profile, media_timeout, 0, 30, 0, 86400,
	    "Seconds without media from this side before the call is released; 0 disables."),
	F_INT("media_timeout_hold", struct cfg_profile, media_timeout_hold, 0, 3600, 0, 86400,
	    "The same while the call is on hold; 0 disables."),
	F_BOOL("media_nat", struct cfg_profile, media_nat, 0,
	    "The peer is behind NAT: accept its plain RTP from the address its SIP came "
	    "from, on any port, latching to the first packet. Off: only from the address "
	    "and port in its SDP."),
	F_END
};

static const struct cfg_field man_rule_fields[] = {
	F_STR("message_type", struct cfg_man_rule, message_type, CFF_REQUIRED, NULL,
	    "Messages the rule applies to: any, options, invite.request, bye.response, "
	    "invite.response.200, any.request, ..."),
	F_STR("condition", struct cfg_man_rule, condition, 0, NULL,
	    "Condition in AudioCodes syntax; empty is always true."),
	F_STR("subject", struct cfg_man_rule, subject, CFF_REQUIRED, NULL,
	    "Action subject, e.g. header.from.url.host."),
	F_ENUM("action", struct cfg_man_rule, action, CFF_REQUIRED, CFG_MA_MODIFY, ev_maction,
	    "Action type."),
	F_STR("value", struct cfg_man_rule, value, 0, NULL,
	    "Action value: quoted strings, headers and parameters joined with +."),
	F_ENUM("row_role", struct cfg_man_rule, row_role, 0, CFG_ROW_CURRENT, ev_rowrole,
	    "current: use this rule's condition; previous: use the previous rule's."),
	F_END
};

const struct cfg_table tb_man_rule = SUBTABLE("rules", struct cfg_man_rule, man_rule_fields,
    "Rules of a manipulation set, applied in order.");

static const struct cfg_field man_set_fields[] = {
	F_NAME(struct cfg_man_set, "Name of the manipulation set."),
	F_TABLE("rules", struct cfg_man_set, rules, n_rules, CFF_REQUIRED, tb_man_rule,
	    "Rules in order (see below)."),
	F_END
};

static const struct cfg_enumval ev_num_dir[] = {
	{ "inbound", CFG_NUM_INBOUND }, { "outbound", CFG_NUM_OUTBOUND }, { NULL, 0 } };
static const struct cfg_enumval ev_num_field[] = {
	{ "dst", CFG_NUM_DST }, { "src", CFG_NUM_SRC }, { NULL, 0 } };

static const struct cfg_field number_rule_fields[] = {
	F_ENUM("direction", struct cfg_number_rule, direction, 0, CFG_NUM_OUTBOUND, ev_num_dir,
	    "inbound: numbers received from the group; outbound: numbers sent to it."),
	F_ENUM("field", struct cfg_number_rule, field, CFF_REQUIRED, CFG_NUM_DST, ev_num_field,
	    "dst: the Request-URI and To user; src: the From and P-Asserted-Identity user."),
	F_STR("match", struct cfg_number_rule, match, 0, NULL,
	    "Prefix the number must start with; empty matches any. The first matching rule "
	    "of a direction and field applies."),
	F_INT("strip", struct cfg_number_rule, strip, 0, 0, 0, 32,
	    "Leading characters removed."),
	F_STR("prefix", struct cfg_number_rule, prefix, 0, NULL,
	    "Then put in front of the number; not added twice."),
	F_END
};

const struct cfg_table tb_number_rule = SUBTABLE("number_rules", struct cfg_number_rule,
    number_rule_fields, "Number manipulation of an IP group, first match per direction and field.");

static const struct cfg_field ipgroup_fields[] = {
	F_NAME(struct cfg_ipgroup, "Name of the IP group."),
	F_ENUM("type", struct cfg_ipgroup, type, 0, CFG_IPG_SERVER, ev_ipg_type,
	    "server (a PBX or a carrier at fixed addresses) or user."),
	F_REF("proxy_set", struct cfg_ipgroup, proxy_set_name, proxy_set, 0, tb_pset,
	    "Proxy set requests to this group are sent to."),
	F_REF("ip_profile", struct cfg_ipgroup, ip_profile_name, ip_profile, CFF_REQUIRED, tb_profile,
	    "IP profile of this side of the call."),
	F_REF("media_realm", struct cfg_ipgroup, media_realm_name, media_realm, 0, tb_realm,
	    "Media realm of this side; default is the SIP interface's."),
	F_REF("srd", struct cfg_ipgroup, srd_name, srd, 0, tb_srd, "SRD of the group."),
	F_BOOL("classify_by_proxy_set", struct cfg_ipgroup, classify_by_proxy_set, 1,
	    "Requests from an address of the proxy set belong to this group."),
	F_STR("sip_group_name", struct cfg_ipgroup, sip_group_name, 0, NULL,
	    "Host name used toward this group (param.ipg.dst.host)."),
	F_REF("inbound_manipulation_set", struct cfg_ipgroup, inbound_manipulation_set_name,
	    inbound_manipulation_set, 0, tb_man_set,
	    "Manipulation set applied to messages received from this group."),
	F_REF("outbound_manipulation_set", struct cfg_ipgroup, outbound_manipulation_set_name,
	    outbound_manipulation_set, 0, tb_man_set,
	    "Manipulation set applied to messages sent to this group."),
	F_STR("username", struct cfg_ipgroup, username, 0, NULL,
	    "Digest user name used when this group challenges sbcd."),
	F_SECRET("password", struct cfg_ipgroup, password,
	    "Digest password; never logged, masked by -T."),
	F_BOOL("identity_trusted", struct cfg_ipgroup, identity_trusted, 1,
	    "P-Asserted-Identity and Privacy are passed to this group (a trusted carrier); "
	    "false removes P-Asserted-Identity toward it and sends an anonymous From when "
	    "Privacy asks for it."),
	F_TABLE("number_rules", struct cfg_ipgroup, number_rules, n_number_rules, 0,
	    tb_number_rule, "Number manipulation (see below)."),
	F_INT("max_calls", struct cfg_ipgroup, max_calls, 0, 0, 0, 1000000,
	    "Call admission control: most concurrent calls from and to this group (calls "
	    "being set up count); a new INVITE over it gets 480. 0: no limit."),
	F_END
};

static const struct cfg_field class_fields[] = {
	F_NAME(struct cfg_class, "Name of the classification rule."),
	F_REF("sip_interface", struct cfg_class, sip_interface_name, sip_interface, 0, tb_sipif,
	    "SIP interface the request arrived on; empty matches any."),
	F_STR("source_address", struct cfg_class, source_address, 0, NULL,
	    "Source IP or CIDR prefix; empty matches any."),
	F_INT("source_port", struct cfg_class, source_port, 0, 0, 0, 65535,
	    "Source port; 0 matches any."),
	F_ENUM("transport", struct cfg_class, transport, 0, CFG_CLS_TP_ANY, ev_cls_tp,
	    "Transport the request arrived on."),
	F_STR("src_user_prefix", struct cfg_class, src_user_prefix, 0, NULL,
	    "Prefix of the From user; empty matches any."),
	F_STR("src_host", struct cfg_class, src_host, 0, NULL, "From host; empty matches any."),
	F_STR("dst_user_prefix", struct cfg_class, dst_user_prefix, 0, NULL,
	    "Prefix of the Request-URI user; empty matches any."),
	F_STR("dst_host", struct cfg_class, dst_host, 0, NULL,
	    "Request-URI host; empty matches any."),
	F_ENUM("action", struct cfg_class, action, 0, CFG_CLS_ALLOW, ev_cls_action,
	    "allow classifies to ip_group; deny rejects the request."),
	F_REF("ip_group", struct cfg_class, ip_group_name, ip_group, 0, tb_ipgroup,
	    "Source IP group of matching requests; required with allow."),
	F_END
};

static const struct cfg_field route_fields[] = {
	F_NAME(struct cfg_route, "Name of the routing rule."),
	F_REF("source_ip_group", struct cfg_route, source_ip_group_name, source_ip_group, 0,
	    tb_ipgroup, "Source IP group; empty matches any."),
	F_STR("request_type", struct cfg_route, request_type, 0, "all",
	    "all, or one method (INVITE, OPTIONS, MESSAGE, ...)."),
	F_STR("src_user_prefix", struct cfg_route, src_user_prefix, 0, NULL,
	    "Prefix of the source user; empty matches any."),
	F_STR("src_host", struct cfg_route, src_host, 0, NULL, "Source host; empty matches any."),
	F_STR("dst_user_prefix", struct cfg_route, dst_user_prefix, 0, NULL,
	    "Prefix of the destination user; empty matches any."),
	F_STR("dst_host", struct cfg_route, dst_host, 0, NULL,
	    "Destination host; empty matches any."),
	F_ENUM("dest_type", struct cfg_route, dest_type, 0, CFG_RD_IP_GROUP, ev_rdest,
	    "ip-group (its proxy set) or address."),
	F_REF("dest_ip_group", struct cfg_route, dest_ip_group_name, dest_ip_group, 0, tb_ipgroup,
	    "Destination IP group; required with dest_type ip-group."),
	F_STR("dest_address", struct cfg_route, dest_address, 0, NULL,
	    "Destination host[:port]; required with dest_type address."),
	F_ENUM("dest_transport", struct cfg_route, dest_transport, 0, CFG_TP_UDP, ev_transport,
	    "Transport toward dest_address."),
	F_REF("dest_sip_interface", struct cfg_route, dest_sip_interface_name, dest_sip_interface,
	    0, tb_sipif, "SIP interface toward dest_address; required with dest_type address."),
	F_ILIST("alt_route_reasons", struct cfg_route, alt_route_reasons, 400, 699,
	    "Final responses that make sbcd try the next address and then the alternative "
	    "rows; no answer, 408 and 503 always do."),
	F_ENUM("role", struct cfg_route, role, 0, CFG_RR_ROUTE, ev_rrole,
	    "route, or alternative: used only when the row above it failed."),
	F_END
};

const struct cfg_table tb_ipif = TABLE("ip_interfaces", struct cfg_ipif, ip_interfaces,
    n_ip_interfaces, ipif_fields, NULL, "Local addresses sbcd uses.");
static cfg_check_h check_realm, check_sipif, check_tls, check_pset, check_profile,
    check_ipgroup, check_class, check_route, check_man_set, check_coder_group;
const struct cfg_table tb_realm = TABLE("media_realms", struct cfg_realm, media_realms,
    n_media_realms, realm_fields, check_realm, "Port ranges for media.");
const struct cfg_table tb_srd = TABLE("srds", struct cfg_srd, srds, n_srds, srd_fields,
    NULL, "Signalling routing domains.");
const struct cfg_table tb_tls = TABLE("tls_contexts", struct cfg_tls, tls_contexts,
    n_tls_contexts, tls_fields, check_tls, "Certificates, trust and verification for TLS.");
const struct cfg_table tb_sipif = TABLE("sip_interfaces", struct cfg_sipif, sip_interfaces,
    n_sip_interfaces, sipif_fields, check_sipif, "SIP listeners.");
const struct cfg_table tb_pset = TABLE("proxy_sets", struct cfg_pset, proxy_sets,
    n_proxy_sets, pset_fields, check_pset, "Destinations, keep-alive, failover and load balancing.");
const struct cfg_table tb_coder_group = TABLE("coder_groups", struct cfg_coder_group,
    coder_groups, n_coder_groups, coder_group_fields, check_coder_group, "Allowed codecs.");
const struct cfg_table tb_profile = TABLE("ip_profiles", struct cfg_profile, ip_profiles,
    n_ip_profiles, profile_fields, check_profile, "Media and session behaviour of one side.");
const struct cfg_table tb_man_set = TABLE("manipulation_sets", struct cfg_man_set,
    manipulation_sets, n_manipulation_sets, man_set_fields, check_man_set,
    "SIP message manipulation rules.");
const struct cfg_table tb_ipgroup = TABLE("ip_groups", struct cfg_ipgroup, ip_groups,
    n_ip_groups, ipgroup_fields, check_ipgroup, "The peers: a PBX, a carrier.");
const struct cfg_table tb_class = TABLE("classification", struct cfg_class, classification,
    n_classification, class_fields, check_class, "Rules that assign requests to IP groups.");
const struct cfg_table tb_route = TABLE("routes", struct cfg_route, routes, n_routes,
    route_fields, check_route, "IP-to-IP routing rules, first match wins.");

const struct cfg_table *const cfg_tables[] = {
	&tb_ipif, &tb_realm, &tb_srd, &tb_tls, &tb_sipif, &tb_pset, &tb_coder_group,
	&tb_profile, &tb_man_set, &tb_ipgroup, &tb_class, &tb_route, NULL
};

static int
same_ip(const struct cfg_ip *a, const struct cfg_ip *b)
{
	if (a->family != b->family)
		return 0;
	if (a->family == AF_INET)
		return a->u.v4.s_addr == b->u.v4.s_addr;
	return memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6)) == 0;
}

/* ===== row checks ===== */

#define RERR(row, path, ...) cfg_row_error(ctx, (row)->line, path, __VA_ARGS__)

static void
check_realm(struct cfg_ctx *ctx, struct cfg *cfg, void *p, const char *path)
{
	struct cfg_realm	*r = p;
	long			 end;

	(void)cfg;
	if (r->port_start == 0 || r->session_legs == 0)
		return;	/* missing, already reported */
	if (r->port_start % 2 != 0)
		RERR(r, path, "port_start %d must be even (RTP even, RTCP odd)", r->port_start);
	if (r->port_spacing % 2 != 0)
		RERR(r, path, "port_spacing %d must be even", r->port_spacing);
	end = (long)r->port_start + (long)r->session_legs * r->port_spacing - 1;
	if (end > 65535)
		RERR(r, path, "port range %d-%ld ends beyond 65535", r->port_start, end);
	r->port_end = end > 65535 ? 65535 : (int)end;
}

static void
check_tls(struct cfg_ctx *ctx, struct cfg *cfg, void *p, const char *path)
{
	struct cfg_tls *t = p;

	(void)cfg;
	if (t->verify != CFG_TLSV_NONE && t->ca_file == NULL)
		RERR(t, path, "verify \"%s\" needs ca_file", cfg_enum_name(ev_tlsv, t->verify));
	if (t->require_client_certificate && t->ca_file == NULL)
		RERR(t, path, "require_client_certificate needs ca_file");
}

static void
check_sipif(struct cfg_ctx *ctx, struct cfg *cfg, void *p, const char *path)
{
	struct cfg_sipif *s = p;

	if (s->udp_port == 0 && s->tcp_port == 0 && s->tls_port == 0)
		RERR(s, path, "no listener: set udp_port, tcp_port or tls_port");
	if (s->tls_port != 0 && s->tls_context_name == NULL)
		RERR(s, path, "tls_port needs a tls_context");
	if (s->tcp_port != 0 && s->tcp_port == s->tls_port)
		RERR(s, path, "tcp_port and tls_port are both %d", s->tcp_port);
	if (s->classification_failure_response != 0 &&
	    s->classification_failure_response < 400)
		RERR(s, path, "classification_failure_response %d must be 0 or 400-699",
		    s->classification_failure_response);
	if (s->srd == NULL) {
		if (cfg->n_srds == 1) {
			s->srd = &cfg->srds[0];
			s->srd_name = s->srd->name;
		}
		else if (cfg->n_srds > 1)
			RERR(s, path, "srd must be given when there are %zu SRDs", cfg->n_srds);
	}
}

static int
is_ip_literal(const char *host)
{
	struct in6_addr a;

	return inet_pton(AF_INET, host, &a) == 1 || inet_pton(AF_INET6, host, &a) == 1;
}

static void
check_pset(struct cfg_ctx *ctx, struct cfg *cfg, void *p, const char *path)
{
	struct cfg_pset		*ps = p;
	struct cfg_sipif	*si = ps->sip_interface;
	struct cfg_tls		*tls;
	char			 sub[160], host[256];
	int			 port;

	(void)cfg;
	if (ps->n_addresses == 0 && ps->addresses != NULL)
		RERR(ps, path, "addresses: at least one address is needed");
	if (si == NULL || (ps->tls_context_name != NULL && ps->tls_context == NULL))
		return;	/* dangling reference, already reported */
	tls = ps->tls_context ? ps->tls_context : si->tls_context;
	if (ps->srd != NULL && si->srd != NULL && ps->srd != si->srd)
		RERR(ps, path, "srd \"%s\" differs from the SRD \"%s\" of sip_interface \"%s\"",
		    ps->srd->name, si->srd->name, si->name);
	if (ps->redundancy_mode == CFG_RED_HOMING && ps->keepalive == CFG_KA_DISABLE)
		RERR(ps, path, "redundancy_mode homing needs keepalive options");
	for (size_t i = 0; i < ps->n_addresses; i++) {
		struct cfg_proxy_addr *a = &ps->addresses[i];

		snprintf(sub, sizeof(sub), "%s.addresses[%zu]", path, i);
		if (a->address == NULL)
			continue;
		if (cfg_split_hostport(a->address, host, sizeof(host), &port) != 0) {
			RERR(a, sub, "address \"%s\" is not host, host:port or [IPv6]:port",
			    a->address);
			continue;
		}
		if (a->transport == CFG_TP_UDP && si->udp_port == 0)
			RERR(a, sub, "transport udp, but sip_interface \"%s\" has no udp_port", si->name);
		if (a->transport == CFG_TP_TCP && si->tcp_port == 0)
			RERR(a, sub, "transport tcp, but sip_interface \"%s\" has no tcp_port", si->name);
		if (a->transport == CFG_TP_TLS) {
			if (si->tls_port == 0)
				RERR(a, sub, "transport tls, but sip_interface \"%s\" has no tls_port",
				    si->name);
			if (tls == NULL && si->tls_context_name == NULL)
				RERR(a, sub, "transport tls needs a tls_context on the proxy set "
				    "or its sip_interface");
			else if (tls != NULL && tls->verify == CFG_TLSV_NAME && a->tls_verify_name == NULL &&
			    is_ip_literal(host))
				RERR(a, sub, "tls_verify_name is needed: \"%s\" is an IP address "
				    "and tls_context \"%s\" verifies names", host, tls->name);
		}
		if (ps->dns_resolve == CFG_DNS_SRV && port != 0)
			cfg_warning(ctx, NULL, a->line, sub,
			    "a port is given, so \"%s\" is resolved by A/AAAA, not SRV", a->address);
	}
}

static void
check_coder_group(struct cfg_ctx *ctx, struct cfg *cfg, void *p, const char *path)
{
	struct cfg_coder_group *cg = p;

	(void)cfg;
	if (cg->n_coders == 0)
		RERR(cg, path, "coders: at least one coder is needed");
	for (size_t i = 0; i < cg->n_coders; i++)
		for (size_t j = 0; j < i; j++)
			if (cg->coders[i].coder == cg->coders[j].coder)
				RERR(&cg->coders[i], path, "coder %s is listed twice",
				    cfg_enum_name(ev_coder, cg->coders[i].coder));
}

static void
check_profile(struct cfg_ctx *ctx, struct cfg *cfg, void *p, const char *path)
{
	struct cfg_profile *pr = p;

	(void)cfg;
	for (size_t i = 0; i < pr->srtp_suites.n; i++) {
		size_t k;

		for (k = 0; k < sizeof(srtp_suites) / sizeof(srtp_suites[0]); k++)
			if (strcmp(pr->srtp_suites.v[i], srtp_suites[k].name) == 0)
				break;
		if (k == sizeof(srtp_suites) / sizeof(srtp_suites[0])) {
			RERR(pr, path, "srtp_suites: \"%s\" is not a supported SRTP suite",
			    pr->srtp_suites.v[i]);
			continue;
		}
		pr->srtp_suites.v[i] = srtp_suites[k].canonical;
	}
	if ((pr->media_security == CFG_MSEC_SECURED || pr->media_security == CFG_MSEC_BOTH) &&
	    pr->srtp_suites.n == 0)
		RERR(pr, path, "media_security %s needs at least one srtp_suites entry",
		    cfg_enum_name(ev_msec, pr->media_security));
	if (pr->min_se > pr->session_expires)
		RERR(pr, path, "min_se %d is larger than session_expires %d",
		    pr->min_se, pr->session_expires);
}

/* "any", "<method>", "<method>.request", "<method>.response[.code|.Nxx]" */
static int
valid_message_type(const char *mt)
{
	const char	*p = mt;
	const char	*dot;

	dot = strchr(p, '.');
	if (*p == '\0' || dot == p)
		return 0;
	for (const char *c = p; c < (dot ? dot : p + strlen(p)); c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			return 0;
	if (dot == NULL)
		return 1;
	p = dot + 1;
	if (strcasecmp(p, "request") == 0 || strcasecmp(p, "response") == 0)
		return 1;
	if (strncasecmp(p, "response.", 9) != 0)
		return 0;
	p += 9;
	if (strlen(p) != 3)
		return 0;
	if (p[0] < '1' || p[0] > '6')
		return 0;
	if (strcasecmp(p + 1, "xx") == 0)
		return 1;
	return isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]);
}

static void
man_rule_cleanup(void *arg)
{
	manip_rule_free(arg);
}

/*
 * The structural checks, then each rule that passed them is compiled
 * (manip.c); a compile error names the field and the offending token:
 * "manipulation_sets[i].rules[j].condition: <what> at \"<token>\"".
 */
static void
check_man_set(struct cfg_ctx *ctx, struct cfg *cfg, void *p, const char *path)
{
	struct cfg_man_set	*ms = p;
	char			 sub[160], err[256], field[sizeof(sub) + sizeof(err)];

	for (size_t i = 0; i < ms->n_rules; i++) {
		struct cfg_man_rule	*r = &ms->rules[i];
		int			 before = ctx->errors;
		char			*colon;

		snprintf(sub, sizeof(sub), "%s.rules[%zu]", path, i);
		if (r->message_type != NULL && !valid_message_type(r->message_type))
			RERR(r, sub, "message_type \"%s\" is not any, <method>, <method>.request "
			    "or <method>.response[.code]", r->message_type);
		if (r->action != CFG_MA_REMOVE && r->action != CFG_MA_NORMALIZE && r->value == NULL)
			RERR(r, sub, "action %s needs a value", cfg_enum_name(ev_maction, r->action));
		if (r->row_role == CFG_ROW_PREVIOUS && i == 0)
			RERR(r, sub, "row_role previous on the first rule: there is no previous rule");
		if (ctx->errors != before)
			continue;
		if (manip_compile(r, &r->compiled, err, sizeof(err)) != 0) {
			/* err is "<field>: <what>": the field joins the path */
			if ((colon = strstr(err, ": ")) != NULL) {
				*colon = '\0';
				snprintf(field, sizeof(field), "%s.%s", sub, err);
				RERR(r, field, "%s", colon + 2);
			} else
				RERR(r, sub, "%s", err);
			continue;
		}
		if (cfg_add_cleanup(cfg, man_rule_cleanup, r->compiled) != 0) {
			manip_rule_free(r->compiled);
			r->compiled = NULL;
			RERR(r, sub, "out of memory");
		}
	}
}

static void
check_ipgroup(struct cfg_ctx *ctx, struct cfg *cfg, void *p, const char *path)
{
	struct cfg_ipgroup *g = p;

	(void)cfg;
	if ((g->username == NULL) != (g->password == NULL))
		RERR(g, path, "username and password go together");
	if (g->media_realm != NULL && g->proxy_set != NULL &&
	    g->media_realm->interface != NULL && g->proxy_set->sip_interface != NULL &&
	    g->proxy_set->sip_interface->interface != NULL &&
	    !same_ip(&g->media_realm->interface->address,
	    &g->proxy_set->sip_interface->interface->address))
		cfg_warning(ctx, NULL, g->line, path, "media_realm \"%s\" is on %s, "
		    "but the proxy set's SIP interface is on %s", g->media_realm->name,
		    g->media_realm->interface->address.str,
		    g->proxy_set->sip_interface->interface->address.str);
}

/* Parse "a.b.c.d[/n]" or "v6[/n]" into the row. */
static int
parse_cidr(struct cfg_class *c)
{
	char	 buf[64];
	char	*slash, *ep;
	long	 pl;
	int	 max;

	if (strlen(c->source_address) >= sizeof(buf))
		return -1;
	strcpy(buf, c->source_address);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, c->src_net) == 1) {
		c->src_family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, c->src_net) == 1) {
		c->src_family = AF_INET6;
		max = 128;
	} else
		return -1;
	pl = max;
	if (slash != NULL) {
		pl = strtol(slash, &ep, 10);
		if (*slash == '\0' || *ep != '\0' || pl < 0 || pl > max)
			return -1;
	}
	c->src_prefix = (int)pl;
	return 0;
}

static void
check_class(struct cfg_ctx *ctx, struct cfg *cfg, void *p, const char *path)
{
	struct cfg_class *c = p;

	(void)cfg;
	if (c->source_address != NULL && parse_cidr(c) != 0)
		RERR(c, path, "source_address \"%s\" is not an address or address/prefix",
		    c->source_address);
	if (c->action == CFG_CLS_ALLOW && c->ip_group_name == NULL)
		RERR(c, path, "action allow needs an ip_group");
}

static void
check_route(struct cfg_ctx *ctx, struct cfg *cfg, void *p, const char *path)
{
	struct cfg_route	*r = p;
	char			 host[256];
	int			 port;

	if (r->dest_type == CFG_RD_IP_GROUP) {
		if (r->dest_ip_group_name == NULL)
			RERR(r, path, "dest_type ip-group needs dest_ip_group");
		else if (r->dest_ip_group != NULL && r->dest_ip_group->proxy_set_name == NULL)
			RERR(r, path, "dest_ip_group \"%s\" has no proxy_set to send to",
			    r->dest_ip_group->name);
	} else {
		if (r->dest_address == NULL)
			RERR(r, path, "dest_type address needs dest_address");
		else if (cfg_split_hostport(r->dest_address, host, sizeof(host), &port) != 0)
			RERR(r, path, "dest_address \"%s\" is not host, host:port or [IPv6]:port",
			    r->dest_address);
		if (r->dest_sip_interface_name == NULL)
			RERR(r, path, "dest_type address needs dest_sip_interface");
	}
	if (r->role == CFG_RR_ALTERNATIVE && r == &cfg->routes[0])
		RERR(r, path, "role alternative on the first route: there is no row to back up");
	for (const char *c = r->request_type; c && *c; c++)
		if (!isalpha((unsigned char)*c) && *c != '-' && *c != '_') {
			RERR(r, path, "request_type \"%s\" is not all or a method name",
			    r->request_type);
			break;
		}
}

/* ===== cross-table checks ===== */

static void
check_port_clash(struct cfg_ctx *ctx, struct cfg *cfg)
{
	char path[128];

	/* media realms against each other, on the same address */
	for (size_t i = 0; i < cfg->n_media_realms; i++) {
		struct cfg_realm *a = &cfg->media_realms[i];

		if (a->interface == NULL || a->port_end == 0 || cfg_row_bad(ctx, a))
			continue;	/* already reported */
		snprintf(path, sizeof(path), "media_realms[%zu]", i);
		for (size_t j = 0; j < i; j++) {
			struct cfg_realm *b = &cfg->media_realms[j];

			if (b->interface == NULL || b->port_end == 0 || cfg_row_bad(ctx, b))
				continue;
			if (!same_ip(&a->interface->address, &b->interface->address))
				continue;
			if (a->port_start <= b->port_end && b->port_start <= a->port_end)
				RERR(a, path, "ports %d-%d on %s overlap media_realms[%zu] \"%s\" "
				    "(%d-%d)", a->port_start, a->port_end,
				    a->interface->address.str, j, b->name, b->port_start,
				    b->port_end);
		}
		/* and against every SIP listener on that address */
		for (size_t k = 0; k < cfg->n_sip_interfaces; k++) {
			struct cfg_sipif	*s = &cfg->sip_interfaces[k];
			int			 ports[3] = { s->udp_port, s->tcp_port, s->tls_port };
			static const char *const names[3] = { "udp_port", "tcp_port", "tls_port" };

			if (s->interface == NULL || cfg_row_bad(ctx, s))
				continue;
			if (!same_ip(&a->interface->address, &s->interface->address))
				continue;
			for (int t = 0; t < 3; t++)
				if (ports[t] && ports[t] >= a->port_start && ports[t] <= a->port_end)
					RERR(a, path, "ports %d-%d on %s include %s %d of "
					    "sip_interfaces[%zu] \"%s\"", a->port_start, a->port_end,
					    a->interface->address.str, names[t], ports[t], k, s->name);
		}
	}
	/* SIP listeners against each other: UDP with UDP, TCP/TLS with TCP/TLS */
	for (size_t i = 0; i < cfg->n_sip_interfaces; i++) {
		struct cfg_sipif *a = &cfg->sip_interfaces[i];

		if (a->interface == NULL || cfg_row_bad(ctx, a))
			continue;
		snprintf(path, sizeof(path), "sip_interfaces[%zu]", i);
		for (size_t j = 0; j < i; j++) {
			struct cfg_sipif *b = &cfg->sip_interfaces[j];

			if (b->interface == NULL || cfg_row_bad(ctx, b))
				continue;
			if (!same_ip(&a->interface->address, &b->interface->address))
				continue;
			if (a->udp_port && a->udp_port == b->udp_port)
				RERR(a, path, "udp_port %d on %s is also used by sip_interfaces[%zu] "
				    "\"%s\"", a->udp_port, a->interface->address.str, j, b->name);
			int at[2] = { a->tcp_port, a->tls_port }, bt[2] = { b->tcp_port, b->tls_port };
			for (int x = 0; x < 2; x++)
				for (int y = 0; y < 2; y++)
					if (at[x] && at[x] == bt[y])
						RERR(a, path, "TCP port %d on %s is also used by "
						    "sip_interfaces[%zu] \"%s\"", at[x],
						    a->interface->address.str, j, b->name);
		}
	}
}

void
cfg_check_all(struct cfg_ctx *ctx, struct cfg *cfg)
{
	char	host[256];
	int	port;

	check_port_clash(ctx, cfg);
	if (cfg->global.metrics_listen != NULL &&
	    (cfg_split_hostport(cfg->global.metrics_listen, host, sizeof(host), &port) != 0 ||
	    port == 0))
		cfg_row_error(ctx, cfg->global.line, "global.metrics_listen",
		    "\"%s\" is not address:port", cfg->global.metrics_listen);
	if (cfg->global.hep_collector != NULL && cfg->global.hep_collector[0] != '\0') {
		struct in6_addr a;

		if (cfg_split_hostport(cfg->global.hep_collector, host, sizeof(host), &port) != 0 ||
		    port == 0 || (inet_pton(AF_INET, host, &a) != 1 &&
		    inet_pton(AF_INET6, host, &a) != 1))
			cfg_row_error(ctx, cfg->global.line, "global.hep_collector",
			    "\"%s\" is not IP:port", cfg->global.hep_collector);
	}
	if (cfg->n_sip_interfaces == 0)
		cfg_row_error(ctx, 0, "sip_interfaces", "at least one SIP interface is needed");
}
