/* metrics.c: Prometheus exposition of sbcd's counters and gauges over libevent's evhttp. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <event2/buffer.h>
#include <event2/http.h>

#include "call.h"
#include "cfg.h"
#include "hep.h"
#include "log.h"
#include "loop.h"
#include "media.h"
#include "metrics.h"
#include "pset.h"
#include "reload.h"
#include "version.h"

/* ===== labelled counters ===== */

struct ctr {
	char			*labels;	/* rendered: key="value",... */
	unsigned long long	 n;
};

struct family {
	struct ctr	*c;
	size_t		 n, cap;
};

static struct family	attempts, answers, failures, rejects;
static time_t		started;

/* Append one label to buf, value escaped as the text format asks. */
static void
label(char *buf, size_t len, const char *key, const char *val)
{
	size_t o = strlen(buf);

	o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s=\"", o ? "," : "", key);
	for (; val != NULL && *val && o + 3 < len; val++) {
		if (*val == '\\' || *val == '"')
			buf[o++] = '\\', buf[o++] = *val;
		else if (*val == '\n')
			buf[o++] = '\\', buf[o++] = 'n';
		else
			buf[o++] = *val;
	}
	if (o + 1 < len)
		buf[o++] = '"';
	buf[o < len ? o : len - 1] = '\0';
}

static void
ctr_inc(struct family *f, const char *labels)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->c[i].labels, labels) == 0) {
			f->c[i].n++;
			return;
		}
	if (f->n == f->cap) {
		size_t		 cap = f->cap ? f->cap * 2 : 8;
		struct ctr	*c = realloc(f->c, cap * sizeof(*c));

		if (c == NULL)
			return;
		f->c = c;
		f->cap = cap;
	}
	if ((f->c[f->n].labels = strdup(labels)) == NULL)
		return;
	f->c[f->n++].n = 1;
}

static void
family_free(struct family *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->c[i].labels);
	free(f->c);
	memset(f, 0, sizeof(*f));
}

void
metrics_call_attempt(const char *src)
{
	char l[256] = "";

	label(l, sizeof(l), "src_ip_group", src);
	ctr_inc(&attempts, l);
}

void
metrics_call_answered(const char *src, const char *dst)
{
	char l[512] = "";

	label(l, sizeof(l), "src_ip_group", src);
	label(l, sizeof(l), "dst_ip_group", dst);
	ctr_inc(&answers, l);
}

void
metrics_call_failed(int code)
{
	char l[32];

	snprintf(l, sizeof(l), "code=\"%d\"", code);
	ctr_inc(&failures, l);
}

void
metrics_class_reject(const char *sif)
{
	char l[256] = "";

	label(l, sizeof(l), "sip_interface", sif);
	ctr_inc(&rejects, l);
}

/* ===== the exposition ===== */

static void
head(struct evbuffer *b, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
family_out(struct evbuffer *b, const char *name, const char *help, const struct family *f)
{
	head(b, name, "counter", help);
	for (size_t i = 0; i < f->n; i++)
		evbuffer_add_printf(b, "%s{%s} %llu\n", name, f->c[i].labels, f->c[i].n);
}

struct group_count {
	const struct cfg	*cfg;
	size_t			*n;	/* per ip_groups row */
};

static int
count_call(const struct call_info *ci, void *arg)
{
	struct group_count *gc = arg;

	for (size_t i = 0; i < gc->cfg->n_ip_groups; i++) {
		const char *name = gc->cfg->ip_groups[i].name;

		if ((ci->src_ip_group && strcmp(ci->src_ip_group, name) == 0) ||
		    (ci->dst_ip_group && strcmp(ci->dst_ip_group, name) == 0))
			gc->n[i]++;
	}
	return 0;
}

static void
calls_out(struct evbuffer *b, const struct cfg *cfg)
{
	struct group_count	 gc = { cfg, calloc(cfg->n_ip_groups + 1, sizeof(size_t)) };

	head(b, "sbcd_calls_active", "gauge", "Calls in progress.");
	evbuffer_add_printf(b, "sbcd_calls_active %zu\n", call_count());
	head(b, "sbcd_ip_group_calls_active", "gauge",
	    "Calls in progress with the IP group on either side.");
	if (gc.n == NULL)
		return;
	call_walk(count_call, &gc);
	for (size_t i = 0; i < cfg->n_ip_groups; i++) {
		char l[256] = "";

		label(l, sizeof(l), "ip_group", cfg->ip_groups[i].name);
		evbuffer_add_printf(b, "sbcd_ip_group_calls_active{%s} %zu\n", l, gc.n[i]);
	}
	free(gc.n);
}

static void
proxies_out(struct evbuffer *b, const struct cfg *cfg)
{
	static const struct {
		const char *name, *type, *help;
	} fam[] = {
		{ "sbcd_proxy_up", "gauge", "1 when the proxy address answers (or was not probed "
		    "yet and no request to it failed), 0 when down." },
		{ "sbcd_proxy_keepalive_rtt_seconds", "gauge",
		    "Round-trip time of the last keep-alive OPTIONS answer." },
		{ "sbcd_proxy_keepalive_last_code", "gauge",
		    "SIP code of the last keep-alive answer, 0 for none." },
	};

	for (size_t k = 0; k < sizeof(fam) / sizeof(fam[0]); k++) {
		head(b, fam[k].name, fam[k].type, fam[k].help);
		for (size_t i = 0; i < cfg->n_proxy_sets; i++) {
			const struct pset	*ps = pset_get(cfg->proxy_sets[i].name);
			struct pset_status	 st;

			for (size_t d = 0; ps != NULL && d < pset_count(ps); d++) {
				char l[768] = "", port[16];

				if (pset_status(ps, d, &st) != 0)
					continue;
				snprintf(port, sizeof(port), "%d", st.port);
				label(l, sizeof(l), "proxy_set", cfg->proxy_sets[i].name);
				label(l, sizeof(l), "address", st.address);
				label(l, sizeof(l), "resolved", st.resolved);
				label(l, sizeof(l), "port", port);
				label(l, sizeof(l), "transport", cfg_transport_str(st.transport));
				if (k == 0)
					evbuffer_add_printf(b, "%s{%s} %d\n", fam[k].name, l,
					    st.health != PSET_DOWN);
				else if (k == 1 && st.last_code != 0)
					evbuffer_add_printf(b, "%s{%s} %.3f\n", fam[k].name, l,
					    st.rtt_ms / 1000.0);
				else if (k == 2)
					evbuffer_add_printf(b, "%s{%s} %d\n", fam[k].name, l,
					    st.last_code);
			}
		}
	}
}

static void
media_out(struct evbuffer *b, const struct cfg *cfg)
{
	struct media_stats st;

	media_totals(&st);
	head(b, "sbcd_media_packets_total", "counter",
	    "RTP/RTCP packets relayed: in = accepted from peers, out = sent to peers.");
	evbuffer_add_printf(b, "sbcd_media_packets_total{direction=\"in\"} %llu\n"
	    "sbcd_media_packets_total{direction=\"out\"} %llu\n",
	    (unsigned long long)st.pkts_in, (unsigned long long)st.pkts_out);
	head(b, "sbcd_media_bytes_total", "counter", "Bytes of those packets.");
	evbuffer_add_printf(b, "sbcd_media_bytes_total{direction=\"in\"} %llu\n"
	    "sbcd_media_bytes_total{direction=\"out\"} %llu\n",
	    (unsigned long long)st.bytes_in, (unsigned long long)st.bytes_out);
	head(b, "sbcd_media_dropped_total", "counter",
	    "Packets dropped: from an address not latched, or undecodable.");
	evbuffer_add_printf(b, "sbcd_media_dropped_total %llu\n", (unsigned long long)st.dropped);
	head(b, "sbcd_srtp_auth_failures_total", "counter",
	    "SRTP/SRTCP packets that did not authenticate.");
	evbuffer_add_printf(b, "sbcd_srtp_auth_failures_total %llu\n",
	    (unsigned long long)st.auth_failures);
	head(b, "sbcd_media_lost_total", "counter", "RTP sequence gaps seen on arrival.");
	evbuffer_add_printf(b, "sbcd_media_lost_total %llu\n", (unsigned long long)st.lost);
	head(b, "sbcd_media_ports_in_use", "gauge", "Ports of the media realm in use (RTP and RTCP).");
	for (size_t i = 0; i < cfg->n_media_realms; i++) {
		char l[256] = "";

		label(l, sizeof(l), "realm", cfg->media_realms[i].name);
		evbuffer_add_printf(b, "sbcd_media_ports_in_use{%s} %zu\n", l,
		    media_realm_in_use(&cfg->media_realms[i]));
	}
	head(b, "sbcd_media_ports", "gauge", "Ports in the media realm's range.");
	for (size_t i = 0; i < cfg->n_media_realms; i++) {
		char l[256] = "";

		label(l, sizeof(l), "realm", cfg->media_realms[i].name);
		evbuffer_add_printf(b, "sbcd_media_ports{%s} %d\n", l,
		    cfg->media_realms[i].port_end - cfg->media_realms[i].port_start + 1);
	}
}

static void
reload_out(struct evbuffer *b)
{
	const struct reload_status *rs = reload_status();

	head(b, "sbcd_config_reloads_total", "counter", "Reloads (SIGHUP, sbcctl) by outcome.");
	evbuffer_add_printf(b, "sbcd_config_reloads_total{result=\"ok\"} %u\n"
	    "sbcd_config_reloads_total{result=\"failed\"} %u\n", rs->reloads_ok,
	    rs->reloads_failed);
	head(b, "sbcd_config_last_reload_successful", "gauge",
	    "1 when the last reload was applied (or none was tried), 0 when refused.");
	evbuffer_add_printf(b, "sbcd_config_last_reload_successful %d\n",
	    rs->last_attempt == 0 || rs->last_ok);
	head(b, "sbcd_config_loaded_timestamp_seconds", "gauge",
	    "When the running configuration was loaded (Unix time).");
	evbuffer_add_printf(b, "sbcd_config_loaded_timestamp_seconds %lld\n",
	    (long long)rs->loaded_at);
}

static void
scrape(struct evbuffer *b)
{
	const struct cfg *cfg = reload_current();

	head(b, "sbcd_build_info", "gauge", "Version of the running sbcd.");
	evbuffer_add_printf(b, "sbcd_build_info{version=\"%s\"} 1\n", SBCD_VERSION);
	head(b, "sbcd_uptime_seconds", "gauge", "Seconds since sbcd started.");
	evbuffer_add_printf(b, "sbcd_uptime_seconds %lld\n", (long long)(time(NULL) - started));
	head(b, "sbcd_draining", "gauge", "1 while new INVITEs are refused (SIGTERM, sbcctl drain).");
	evbuffer_add_printf(b, "sbcd_draining %d\n", call_draining());
	calls_out(b, cfg);
	family_out(b, "sbcd_call_attempts_total",
	    "INVITEs from a classified source, by source IP group.", &attempts);
	family_out(b, "sbcd_call_answers_total", "Calls answered, by IP groups.", &answers);
	family_out(b, "sbcd_call_failures_total",
	    "Call attempts ended without an answer, by the final SIP code sent.", &failures);
	family_out(b, "sbcd_classification_rejects_total",
	    "Requests whose source matched no IP group, by SIP interface.", &rejects);
	proxies_out(b, cfg);
	media_out(b, cfg);
	reload_out(b);
	{
		unsigned long long sent, dropped;

		hep_counters(&sent, &dropped);
		head(b, "sbcd_hep_messages_total", "counter",
		    "SIP messages copied to the HEP collector, and those dropped.");
		evbuffer_add_printf(b, "sbcd_hep_messages_total{result=\"sent\"} %llu\n"
		    "sbcd_hep_messages_total{result=\"dropped\"} %llu\n", sent, dropped);
	}
}

/* ===== the listener ===== */

struct listener {
	struct evhttp	*http;
	char		*addr;	/* as configured */
};

static struct listener	cur, next_l;

static void
http_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer *b;

	(void)arg;
	if (strcmp(evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req)) ?
	    evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req)) : "", "/metrics") != 0) {
		evhttp_send_error(req, HTTP_NOTFOUND, "try /metrics");
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	scrape(b);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

static void
listener_free(struct listener *l)
{
	if (l->http != NULL)
		evhttp_free(l->http);
	free(l->addr);
	memset(l, 0, sizeof(*l));
}

/* "host:port" or "[v6]:port" */
static int
split(const char *s, char *host, size_t hlen, unsigned short *port)
{
	const char	*colon;
	char		*end;
	unsigned long	 p;
	size_t		 n;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':')
			return EINVAL;
		n = (size_t)(rb - s - 1);
		colon = rb + 1;
		s++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return EINVAL;
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= hlen)
		return EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	p = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || p == 0 || p > 65535)
		return EINVAL;
	*port = (unsigned short)p;
	return 0;
}

static int
metrics_prepare(struct cfg *next, struct cfg_diag *diag)
{
	const char	*want = next->global.metrics_listen;
	char		 host[128];
	unsigned short	 port;

	if (want == NULL || want[0] == '\0' ||
	    (cur.addr != NULL && strcmp(cur.addr, want) == 0))
		return 0;
	if (split(want, host, sizeof(host), &port) != 0 ||
	    (next_l.http = evhttp_new(loop_base())) == NULL ||
	    evhttp_bind_socket_with_handle(next_l.http, host, port) == NULL) {
		cfg_diag_add(diag, "%s:%d: global.metrics_listen: cannot listen on \"%s\": %s",
		    next->path, next->global.line, want, strerror(errno ? errno : EINVAL));
		listener_free(&next_l);
		return -1;
	}
	evhttp_set_allowed_methods(next_l.http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(next_l.http, http_cb, NULL);
	evhttp_set_timeout(next_l.http, 10);
	next_l.addr = strdup(want);
	return 0;
}

static void
metrics_commit(struct cfg *prev, struct cfg *next)
{
	const char *want = next ? next->global.metrics_listen : NULL;

	(void)prev;
	if (next_l.http != NULL) {
		listener_free(&cur);
		cur = next_l;
		memset(&next_l, 0, sizeof(next_l));
		log_info("metrics: http://%s/metrics", cur.addr);
	} else if (want == NULL || want[0] == '\0') {
		if (cur.http != NULL)
			log_info("metrics: listener closed");
		listener_free(&cur);
	}
}

static void
metrics_abort(struct cfg *next)
{
	(void)next;
	listener_free(&next_l);
}

static const struct reload_hooks metrics_hooks = {
	.name = "metrics",
	.prepare = metrics_prepare,
	.commit = metrics_commit,
	.abort = metrics_abort,
};

void
metrics_init(void)
{
	started = time(NULL);
	reload_register(&metrics_hooks);
}

void
metrics_fini(void)
{
	listener_free(&next_l);
	listener_free(&cur);
	family_free(&attempts);
	family_free(&answers);
	family_free(&failures);
	family_free(&rejects);
}
