/* cfg.h: the configuration model of sbc.conf: tables, load, validate, dump. */
#ifndef SBCD_CFG_H
#define SBCD_CFG_H

#include <stdio.h>
#include <sys/socket.h>
#include <netinet/in.h>

/*
 * One loaded configuration is an immutable snapshot: struct cfg and every
 * table row in it live in one arena owned by the snapshot, which is
 * reference counted (obj.h).  Calls keep a reference to the snapshot they
 * started under; reload builds a new one beside the running one.
 *
 * Names are the references between tables.  After a successful load every
 * reference field (a "struct cfg_x *" next to its name) points into the same
 * snapshot, and optional references that were not given are NULL.
 */

enum cfg_transport {
	CFG_TP_UDP = 0,
	CFG_TP_TCP,
	CFG_TP_TLS,
};

enum cfg_keepalive {
	CFG_KA_DISABLE = 0,
	CFG_KA_OPTIONS,
};

enum cfg_redundancy {
	CFG_RED_PARKING = 0,
	CFG_RED_HOMING,
};

enum cfg_lb {
	CFG_LB_NONE = 0,
	CFG_LB_ROUND_ROBIN,
	CFG_LB_RANDOM_WEIGHTS,
};

enum cfg_dns {
	CFG_DNS_A = 0,
	CFG_DNS_SRV,
};

enum cfg_ipg_type {
	CFG_IPG_SERVER = 0,
	CFG_IPG_USER,
};

enum cfg_media_sec {
	CFG_MSEC_AS_IS = 0,
	CFG_MSEC_SECURED,
	CFG_MSEC_NOT_SECURED,
	CFG_MSEC_BOTH,
};

enum cfg_sess_exp {
	CFG_SE_TRANSPARENT = 0,
	CFG_SE_OBSERVER,
	CFG_SE_NOT_SUPPORTED,
	CFG_SE_SUPPORTED,
};

enum cfg_dtmf {
	CFG_DTMF_RFC2833 = 0,
	CFG_DTMF_TRANSPARENT,
	CFG_DTMF_DISABLE,
};

enum cfg_cls_action {
	CFG_CLS_ALLOW = 0,
	CFG_CLS_DENY,
};

enum cfg_cls_tp {
	CFG_CLS_TP_ANY = 0,
	CFG_CLS_TP_UDP,
	CFG_CLS_TP_TCP,
	CFG_CLS_TP_TLS,
};

enum cfg_route_dest {
	CFG_RD_IP_GROUP = 0,
	CFG_RD_ADDRESS,
};

enum cfg_route_role {
	CFG_RR_ROUTE = 0,
	CFG_RR_ALTERNATIVE,
};

enum cfg_man_action {
	CFG_MA_ADD = 0,
	CFG_MA_REMOVE,
	CFG_MA_MODIFY,
	CFG_MA_ADD_PREFIX,
	CFG_MA_ADD_SUFFIX,
	CFG_MA_REMOVE_PREFIX,
	CFG_MA_REMOVE_SUFFIX,
	CFG_MA_NORMALIZE,
};

enum cfg_row_role {
	CFG_ROW_CURRENT = 0,
	CFG_ROW_PREVIOUS,
};

enum cfg_tls_verify {
	CFG_TLSV_NONE = 0,
	CFG_TLSV_CHAIN,
	CFG_TLSV_NAME,
};

enum cfg_tls_version {
	CFG_TLS_1_2 = 0,
	CFG_TLS_1_3,
};

enum cfg_coder {
	CFG_CODER_PCMU = 0,
	CFG_CODER_PCMA,
	CFG_CODER_G722,
	CFG_CODER_G729,
	CFG_CODER_OPUS,
};

/* A list of integers (response codes). */
struct cfg_intlist {
	int	*v;
	size_t	 n;
};

/* A list of strings (SRTP suite names). */
struct cfg_strlist {
	const char	**v;
	size_t		  n;
};

/* An IP literal parsed at load time. */
struct cfg_ip {
	const char		*str;	/* as written; NULL when not set */
	int			 family;	/* AF_INET, AF_INET6, or 0 when not set */
	union {
		struct in_addr	 v4;
		struct in6_addr	 v6;
	} u;
};

struct cfg_global {
	int		 log_level;	/* enum log_level */
	int		 log_target;	/* enum log_target */
	int		 syslog_facility;	/* LOG_DAEMON, LOG_LOCAL0.. */
	const char	*control_socket;
	const char	*metrics_listen;
	const char	*hep_collector;	/* NULL or "": no HEP export */
	int		 hep_capture_id;
	const char	*hep_password;
	const char	*cdr_file;
	const char	*pid_file;
	const char	*user_agent;
	const char	*resolv_conf;
	int		 drain_timeout;	/* seconds calls may go on after SIGTERM */
	int		 drain_retry_after;	/* Retry-After of the 503 while draining */
	/* limits on new requests (limit.c) */
	int		 max_message_size;	/* bytes, enforced by sofia's tport */
	int		 max_headers;	/* header fields of one request */
	int		 max_via;	/* Via entries */
	int		 max_body_size;	/* bytes of body */
	int		 rate_limit;	/* new requests per second per source address, 0: off */
	int		 rate_limit_burst;	/* requests a source may send at once */
	int		 rate_limit_ban;	/* seconds a source over its rate is ignored */
	int		 srtp_engine;	/* enum msec_engine of new SRTP contexts */
	int		 line;
};

struct cfg_ipif {
	const char	*name;
	struct cfg_ip	 address;
	struct cfg_ip	 public_address;	/* family 0 when none */
	int		 line;
};

struct cfg_realm {
	const char	*name;
	const char	*interface_name;
	struct cfg_ipif	*interface;	/* RO */
	int		 port_start;
	int		 session_legs;
	int		 port_spacing;
	int		 port_end;	/* derived: start + legs * spacing - 1 */
	int		 line;
};

struct cfg_srd {
	const char	*name;
	int		 line;
};

struct cfg_tls {
	const char	*name;
	const char	*certificate;	/* absolute path */
	const char	*private_key;	/* absolute path */
	const char	*ca_file;	/* absolute path or NULL */
	int		 min_version;	/* enum cfg_tls_version */
	int		 verify;	/* enum cfg_tls_verify */
	int		 require_client_certificate;
	const char	*ciphers;	/* OpenSSL cipher list or NULL */
	int		 line;
};

struct cfg_sipif {
	const char		*name;
	const char		*interface_name;
	struct cfg_ipif		*interface;
	const char		*srd_name;
	struct cfg_srd		*srd;
	int			 udp_port;	/* 0: off */
	int			 tcp_port;
	int			 tls_port;
	const char		*media_realm_name;
	struct cfg_realm	*media_realm;
	const char		*tls_context_name;
	struct cfg_tls		*tls_context;	/* NULL when no TLS */
	int			 classification_failure_response;	/* 0: drop silently */
	int			 line;
};

struct cfg_proxy_addr {
	const char	*address;	/* host, host:port, ip, ip:port, [v6]:port */
	int		 transport;	/* enum cfg_transport */
	int		 priority;
	int		 weight;
	const char	*tls_verify_name;	/* NULL: the host part of address */
	int		 line;
};

struct cfg_pset {
	const char		*name;
	const char		*sip_interface_name;
	struct cfg_sipif	*sip_interface;
	const char		*srd_name;
	struct cfg_srd		*srd;
	int			 keepalive;	/* enum cfg_keepalive */
	int			 keepalive_interval;	/* seconds */
	struct cfg_intlist	 keepalive_failure_responses;
	int			 redundancy_mode;	/* enum cfg_redundancy */
	int			 load_balancing;	/* enum cfg_lb */
	int			 hot_swap;
	int			 dns_resolve;	/* enum cfg_dns */
	int			 invite_timeout;	/* ms without provisional response */
	const char		*tls_context_name;
	struct cfg_tls		*tls_context;	/* NULL: the SIP interface's */
	struct cfg_proxy_addr	*addresses;
	size_t			 n_addresses;
	int			 line;
};

struct cfg_coder_entry {
	int	 coder;	/* enum cfg_coder */
	int	 ptime;	/* ms */
	int	 line;
};

struct cfg_coder_group {
	const char		*name;
	struct cfg_coder_entry	*coders;
	size_t			 n_coders;
	int			 line;
};

struct cfg_profile {
	const char		*name;
	int			 media_security;	/* enum cfg_media_sec */
	struct cfg_strlist	 srtp_suites;	/* canonical names */
	int			 session_expires_mode;	/* enum cfg_sess_exp */
	int			 session_expires;	/* seconds */
	int			 min_se;	/* seconds */
	const char		*coder_group_name;
	struct cfg_coder_group	*coder_group;	/* NULL: no filtering */
	int			 dtmf_mode;	/* enum cfg_dtmf */
	int			 dtmf_payload_type;
	int			 media_timeout;	/* seconds, 0: off */
	int			 media_timeout_hold;	/* seconds, 0: off */
	int			 media_nat;	/* RTP from the SIP source IP, any port */
	int			 line;
};

struct manip_rule;

struct cfg_man_rule {
	const char	*message_type;
	const char	*condition;	/* NULL: always */
	const char	*subject;
	int		 action;	/* enum cfg_man_action */
	const char	*value;		/* NULL for remove */
	int		 row_role;	/* enum cfg_row_role */
	int		 line;
	struct manip_rule *compiled;	/* manip.h; freed with the snapshot */
};

struct cfg_man_set {
	const char		*name;
	struct cfg_man_rule	*rules;
	size_t			 n_rules;
	int			 line;
};

enum cfg_num_dir {
	CFG_NUM_INBOUND = 0,	/* numbers received from the group */
	CFG_NUM_OUTBOUND,	/* numbers sent to the group */
};

enum cfg_num_field {
	CFG_NUM_DST = 0,	/* Request-URI and To user */
	CFG_NUM_SRC,		/* From and P-Asserted-Identity user */
};

/* Strip and add prefixes of numbers (the guide's 9 + number -> +E.164). */
struct cfg_number_rule {
	int		 direction;	/* enum cfg_num_dir */
	int		 field;		/* enum cfg_num_field */
	const char	*match;		/* prefix the number must have; NULL: any */
	int		 strip;		/* leading characters removed */
	const char	*prefix;	/* then put in front; NULL: none */
	int		 line;
};

struct cfg_ipgroup {
	const char		*name;
	int			 type;	/* enum cfg_ipg_type */
	const char		*proxy_set_name;
	struct cfg_pset		*proxy_set;	/* NULL when none */
	const char		*ip_profile_name;
	struct cfg_profile	*ip_profile;
	const char		*media_realm_name;
	struct cfg_realm	*media_realm;	/* NULL: the SIP interface's */
	const char		*srd_name;
	struct cfg_srd		*srd;
	int			 classify_by_proxy_set;
	const char		*sip_group_name;
	const char		*inbound_manipulation_set_name;
	struct cfg_man_set	*inbound_manipulation_set;
	const char		*outbound_manipulation_set_name;
	struct cfg_man_set	*outbound_manipulation_set;
	const char		*username;
	const char		*password;	/* secret: never logged or dumped */
	int			 identity_trusted;	/* P-Asserted-Identity may go to it */
	int			 max_calls;	/* concurrent calls to or from it, 0: no limit */
	struct cfg_number_rule	*number_rules;
	size_t			 n_number_rules;
	int			 line;
};

struct cfg_class {
	const char		*name;
	const char		*sip_interface_name;
	struct cfg_sipif	*sip_interface;	/* NULL: any */
	const char		*source_address;	/* CIDR as written, NULL: any */
	int			 src_family;
	unsigned char		 src_net[16];
	int			 src_prefix;
	int			 source_port;	/* 0: any */
	int			 transport;	/* enum cfg_cls_tp */
	const char		*src_user_prefix;
	const char		*src_host;
	const char		*dst_user_prefix;
	const char		*dst_host;
	int			 action;	/* enum cfg_cls_action */
	const char		*ip_group_name;
	struct cfg_ipgroup	*ip_group;
	int			 line;
};

struct cfg_route {
	const char		*name;
	const char		*source_ip_group_name;
	struct cfg_ipgroup	*source_ip_group;	/* NULL: any */
	const char		*request_type;	/* "all" or a method */
	const char		*src_user_prefix;
	const char		*src_host;
	const char		*dst_user_prefix;
	const char		*dst_host;
	int			 dest_type;	/* enum cfg_route_dest */
	const char		*dest_ip_group_name;
	struct cfg_ipgroup	*dest_ip_group;
	const char		*dest_address;
	int			 dest_transport;
	const char		*dest_sip_interface_name;
	struct cfg_sipif	*dest_sip_interface;
	struct cfg_intlist	 alt_route_reasons;
	int			 role;	/* enum cfg_route_role */
	int			 line;
};

struct cfg {
	const char		*path;	/* absolute path of the main file */
	const char		*dir;	/* its folder, for relative paths */
	struct cfg_global	 global;
	struct cfg_ipif		*ip_interfaces;
	size_t			 n_ip_interfaces;
	struct cfg_realm	*media_realms;
	size_t			 n_media_realms;
	struct cfg_srd		*srds;
	size_t			 n_srds;
	struct cfg_tls		*tls_contexts;
	size_t			 n_tls_contexts;
	struct cfg_sipif	*sip_interfaces;
	size_t			 n_sip_interfaces;
	struct cfg_pset		*proxy_sets;
	size_t			 n_proxy_sets;
	struct cfg_coder_group	*coder_groups;
	size_t			 n_coder_groups;
	struct cfg_profile	*ip_profiles;
	size_t			 n_ip_profiles;
	struct cfg_man_set	*manipulation_sets;
	size_t			 n_manipulation_sets;
	struct cfg_ipgroup	*ip_groups;
	size_t			 n_ip_groups;
	struct cfg_class	*classification;
	size_t			 n_classification;
	struct cfg_route	*routes;
	size_t			 n_routes;
	struct cfg_arena	*arena;	/* owns everything above */
	struct cfg_cleanup	*cleanups;	/* run when the snapshot is freed */
};

/* Problems found while loading, each "file:line: path: what is wrong". */
struct cfg_diag {
	char	**msgs;
	size_t	  n;
	size_t	  nwarn;	/* of which warnings (prefixed "warning: ") */
};

/*
 * Load and validate the configuration file at path.  Every problem is
 * appended to diag, not just the first.  Returns 0 and a snapshot with one
 * reference in *cfgp, or EINVAL (configuration errors, all in diag), or
 * ENOMEM / an errno from opening the file (also described in diag).
 */
int cfg_load(const char *path, struct cfg **cfgp, struct cfg_diag *diag);
/* Load from a string (tests and fuzzing); name is used in messages. */
int cfg_load_string(const char *text, const char *name, struct cfg **cfgp,
    struct cfg_diag *diag);

struct cfg *cfg_ref(struct cfg *cfg);
struct cfg *cfg_unref(struct cfg *cfg);	/* returns NULL */

/* Print the effective configuration, defaults filled in, secrets masked. */
void cfg_dump(const struct cfg *cfg, FILE *fp);
/* Print the key reference (markdown) generated from the schema. */
void cfg_print_reference(FILE *fp);

/*
 * Compare two snapshots and report, as warnings in diag, every changed key
 * that cannot be applied without a restart; those keys are copied from the
 * running snapshot into the new one so the process stays consistent.
 */
void cfg_keep_restart_keys(const struct cfg *running, struct cfg *next,
    struct cfg_diag *diag);

void cfg_diag_init(struct cfg_diag *diag);
void cfg_diag_free(struct cfg_diag *diag);
void cfg_diag_add(struct cfg_diag *diag, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Lookups by name; NULL when absent. */
struct cfg_ipgroup *cfg_ipgroup_find(const struct cfg *cfg, const char *name);
struct cfg_sipif *cfg_sipif_find(const struct cfg *cfg, const char *name);
struct cfg_pset *cfg_pset_find(const struct cfg *cfg, const char *name);

const char *cfg_transport_str(int tp);

/* The matching rule of prefix and host fields of classification and
 * routing rows: unset or "*" matches anything; prefixes compare bytes, hosts
 * compare without case. */
int cfg_match_prefix(const char *want, const char *have);
int cfg_match_host(const char *want, const char *have);

#endif
