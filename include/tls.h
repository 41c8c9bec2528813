/* tls.h: TLS for sofia's transports: separate files, minimum version, SNI and verified peer names. */
#ifndef SBCD_TLS_H
#define SBCD_TLS_H

#include <sys/socket.h>

struct cfg_tls;

/*
 * sofia-sip 1.12 exposes neither its SSL_CTX nor its SSL objects and checks
 * neither wildcard names nor IP SANs, sends no SNI and ignores the minimum
 * version.  sbcd therefore defines a few OpenSSL entry points itself
 * (SSL_CTX_set_verify, SSL_connect, SSL_accept, SSL_set_bio, SSL_shutdown);
 * the dynamic linker binds sofia's calls to them and they call the real
 * ones through dlsym(RTLD_NEXT).  See docs/architecture.md, "TLS".
 *
 * Outgoing connections are verified against a peer table keyed by the
 * remote ip:port: an address with no entry is refused (fail closed).
 */

/* Verification of an outgoing connection's server certificate. */
enum tls_verify {
	TLS_VERIFY_NONE = 0,	/* no check at all (lab use only) */
	TLS_VERIFY_CHAIN,	/* chain to the context's CA file */
	TLS_VERIFY_NAME,	/* chain and the peer's verify name (wildcards, IP SANs) */
};

/* Start-up: 0, or ENOSYS when the interposed entry points are not bound
 * (static link, hidden symbols): sbcd must then refuse to run TLS.
 * tls_fini() comes after every agent is destroyed and before loop_fini(). */
int tls_init(void);
void tls_fini(void);

/*
 * Bracket nta_agent_add_tport() of a TLS transport:
 *   tls_tport_begin(ctx, dir, sizeof(dir));
 *   nta_agent_add_tport(..., TPTAG_CERTIFICATE(dir), TPTAG_TLS_VERIFY_POLICY(tls_tport_policy(ctx)),
 *                       TPTAG_SDWN_ERROR(1), ...);
 *   err = tls_tport_end();
 * begin loads nothing into sofia: dir is an empty private folder; the
 * certificate chain, key, CA file, minimum version, cipher list and client
 * certificate requirement of ctx are applied to sofia's SSL_CTX when sofia
 * creates it.  end returns 0, or EPROTO when sofia never created the
 * context through the interposed path (fail closed), or the error of
 * loading the files (also logged with the file name).  begin returns
 * EBUSY inside another begin/end, and tls_init()'s ENOSYS if start-up did
 * not call it.  After an error from end, destroy the transport or agent.
 */
int tls_tport_begin(const struct cfg_tls *ctx, char *dir, size_t dirlen);
int tls_tport_end(void);
/* The sofia TPTLS_VERIFY_* policy for a context (IN when client
 * certificates are required, OUT when servers are verified). */
int tls_tport_policy(const struct cfg_tls *ctx);

/*
 * The peer table: what an outgoing connection to addr must present.
 * verify_name is a DNS name (wildcard certificates match per RFC 6125) or
 * an IP literal (matched against IP SANs); sni is sent when it is a DNS name.
 * Entries are reference counted by (addr, name): every set needs a clear.
 */
int tls_peer_set(const struct sockaddr *addr, socklen_t len,
    const char *verify_name, enum tls_verify mode);
void tls_peer_clear(const struct sockaddr *addr, socklen_t len);

/* Outcome of each handshake, outgoing or incoming, once per connection;
 * reason is OpenSSL's text ("hostname mismatch", "certificate has
 * expired", ...) or "ok".  It runs inside sofia's transport code, so it
 * must not destroy agents or transports. */
typedef void (tls_result_h)(const struct sockaddr *peer, socklen_t len,
    int outgoing, int ok, const char *reason, void *arg);
void tls_set_result_handler(tls_result_h *h, void *arg);

/* The last failure reason for an outgoing peer, NULL when its last
 * handshake succeeded or none was made.  Valid until the peer's next
 * handshake or tls_peer_clear(). */
const char *tls_last_error(const struct sockaddr *addr, socklen_t len);

/* Handshakes running longer than ms are shut down so that sofia fails the
 * pending requests at once (it has no handshake timeout).  0 disables. */
void tls_set_handshake_timeout(unsigned ms);

/* Counters for the control socket and metrics. */
struct tls_stats {
	unsigned long	 handshakes_ok;
	unsigned long	 handshakes_failed;
	unsigned long	 stalled;
};
const struct tls_stats *tls_stats(void);

#endif
