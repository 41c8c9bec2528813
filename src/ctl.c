/* ctl.c: the control socket: sbcctl's commands, answered as aligned text or JSON. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "call.h"
#include "cfg.h"
#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "media.h"
#include "pset.h"
#include "reload.h"
#include "version.h"

#define CTL_LINE_MAX	1024
#define CTL_TIMEOUT	5	/* seconds for a client to send its line */
#define OUT_DEPTH	8
#define TBL_COLS	16

static struct evconnlistener	*listener;
static char			*sock_path;
static struct ctl_ops		 ops;
static time_t			 started;

/* ===== output: nested key/value objects and tables, as text or JSON ===== */

struct out {
	struct evbuffer	*b;
	int		 json;
	int		 depth;
	int		 first[OUT_DEPTH];	/* JSON: no comma before the next member */
};

static void
json_str(struct evbuffer *b, const char *s)
{
	evbuffer_add(b, "\"", 1);
	for (; s != NULL && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			evbuffer_add_printf(b, "\\%c", c);
		else if (c < 0x20)
			evbuffer_add_printf(b, "\\u%04x", c);
		else
			evbuffer_add(b, s, 1);
	}
	evbuffer_add(b, "\"", 1);
}

static void
out_key(struct out *o, const char *key)
{
	if (o->json) {
		if (!o->first[o->depth])
			evbuffer_add(o->b, ",", 1);
		o->first[o->depth] = 0;
		if (key != NULL) {
			json_str(o->b, key);
			evbuffer_add(o->b, ":", 1);
		}
	} else
		evbuffer_add_printf(o->b, "%*s%-18s ", (o->depth - 1) * 2, "", key);
}

static void
out_begin(struct out *o, const char *key)
{
	if (o->json) {
		if (o->depth > 0 || key != NULL)
			out_key(o, key);
		evbuffer_add(o->b, "{", 1);
	} else if (key != NULL)
		evbuffer_add_printf(o->b, "%*s%s:\n", (o->depth - 1) * 2, "", key);
	if (o->depth < OUT_DEPTH - 1)
		o->first[++o->depth] = 1;
}

static void
out_end(struct out *o)
{
	if (o->depth > 0)
		o->depth--;
	if (o->json)
		evbuffer_add(o->b, o->depth == 0 ? "}\n" : "}", o->depth == 0 ? 2 : 1);
}

static void
out_str(struct out *o, const char *key, const char *val)
{
	out_key(o, key);
	if (o->json) {
		if (val == NULL)
			evbuffer_add(o->b, "null", 4);
		else
			json_str(o->b, val);
	} else
		evbuffer_add_printf(o->b, "%s\n", val != NULL && val[0] ? val : "-");
}

static void
out_int(struct out *o, const char *key, long long v)
{
	out_key(o, key);
	evbuffer_add_printf(o->b, o->json ? "%lld" : "%lld\n", v);
}

static void
out_num(struct out *o, const char *key, double v)
{
	out_key(o, key);
	evbuffer_add_printf(o->b, o->json ? "%.3f" : "%.1f\n", v);
}

static void
out_bool(struct out *o, const char *key, int v)
{
	out_key(o, key);
	if (o->json)
		evbuffer_add_printf(o->b, "%s", v ? "true" : "false");
	else
		evbuffer_add_printf(o->b, "%s\n", v ? "yes" : "no");
}

/* A wall-clock time as ISO 8601 UTC ("-" or null when 0). */
static void
out_time(struct out *o, const char *key, time_t t)
{
	char		buf[32];
	struct tm	tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL) {
		out_str(o, key, NULL);
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	out_str(o, key, buf);
}

/*
 * A table: rows of cells, rendered as aligned columns under a header, or as
 * a JSON array of objects keyed by the column names (numeric columns as
 * numbers).
 */
struct table {
	size_t		 ncols;
	const char	*name[TBL_COLS];	/* JSON keys */
	const char	*head[TBL_COLS];	/* text header */
	int		 numeric[TBL_COLS];
	char		**cell;
	size_t		 n, cap;	/* cells */
};

static void
tbl_col(struct table *t, const char *name, const char *head, int numeric)
{
	if (t->ncols == TBL_COLS)
		return;
	t->name[t->ncols] = name;
	t->head[t->ncols] = head;
	t->numeric[t->ncols++] = numeric;
}

static void
tbl_cell(struct table *t, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	if (t->n == t->cap) {
		size_t	 cap = t->cap ? t->cap * 2 : 64;
		char	**c = realloc(t->cell, cap * sizeof(*c));

		if (c == NULL)
			return;
		t->cell = c;
		t->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	t->cell[t->n++] = s;
}

static void
tbl_render(struct out *o, const char *key, struct table *t)
{
	size_t nrows = t->ncols ? t->n / t->ncols : 0;

	if (o->json) {
		out_key(o, key);
		evbuffer_add(o->b, "[", 1);
		for (size_t r = 0; r < nrows; r++) {
			evbuffer_add(o->b, r ? ",{" : "{", r ? 2 : 1);
			for (size_t c = 0; c < t->ncols; c++) {
				const char *v = t->cell[r * t->ncols + c];

				if (c)
					evbuffer_add(o->b, ",", 1);
				json_str(o->b, t->name[c]);
				evbuffer_add(o->b, ":", 1);
				if (v == NULL || strcmp(v, "-") == 0)
					evbuffer_add(o->b, "null", 4);
				else if (t->numeric[c])
					evbuffer_add_printf(o->b, "%s", v);
				else
					json_str(o->b, v);
			}
			evbuffer_add(o->b, "}", 1);
		}
		evbuffer_add(o->b, "]", 1);
	} else {
		size_t w[TBL_COLS];

		for (size_t c = 0; c < t->ncols; c++)
			w[c] = strlen(t->head[c]);
		for (size_t i = 0; i < t->n; i++) {
			size_t l = t->cell[i] ? strlen(t->cell[i]) : 1;

			if (l > w[i % t->ncols])
				w[i % t->ncols] = l;
		}
		for (size_t c = 0; c < t->ncols; c++)
			evbuffer_add_printf(o->b, "%-*s%s", c + 1 < t->ncols ? (int)w[c] : 0,
			    t->head[c], c + 1 < t->ncols ? "  " : "\n");
		for (size_t i = 0; i < t->n; i++) {
			size_t		 c = i % t->ncols;
			const char	*v = t->cell[i] ? t->cell[i] : "-";

			if (c + 1 == t->ncols)
				evbuffer_add_printf(o->b, "%s\n", v);
			else if (t->numeric[c])
				evbuffer_add_printf(o->b, "%*s  ", (int)w[c], v);
			else
				evbuffer_add_printf(o->b, "%-*s  ", (int)w[c], v);
		}
	}
	for (size_t i = 0; i < t->n; i++)
		free(t->cell[i]);
	free(t->cell);
	memset(t, 0, sizeof(*t));
}

/* ===== the commands ===== */

static const char *
dash(const char *s)
{
	return s != NULL && s[0] ? s : "-";
}

static int
cmd_status(struct out *o, int argc, char **argv)
{
	const struct reload_status	*rs = reload_status();
	const struct cfg		*cfg = reload_current();

	(void)argc; (void)argv;
	out_begin(o, NULL);
	out_str(o, "version", SBCD_VERSION);
	out_int(o, "pid", (long long)getpid());
	out_int(o, "uptime", (long long)(time(NULL) - started));
	out_str(o, "config", cfg->path);
	out_time(o, "config_loaded", rs->loaded_at);
	out_int(o, "calls", (long long)call_count());
	out_bool(o, "draining", call_draining());
	out_str(o, "log_level", log_level_str(log_get_level()));
	out_int(o, "media_ports_in_use", (long long)media_ports_in_use());
	out_begin(o, "last_reload");
	out_time(o, "time", rs->last_attempt);
	out_str(o, "result", rs->last_attempt == 0 ? "none" : rs->last_ok ? "ok" : "failed");
	out_int(o, "errors", rs->last_ok ? 0 : (long long)rs->last_errors);
	out_int(o, "reloads_ok", rs->reloads_ok);
	out_int(o, "reloads_failed", rs->reloads_failed);
	out_end(o);
	out_end(o);
	return 0;
}

static int
calls_row(const struct call_info *ci, void *arg)
{
	struct table		*t = arg;
	const struct call_leg_info *a = &ci->leg[0], *b = &ci->leg[1];
	const char		*suite = b->suite[0] ? b->suite : a->suite;

	tbl_cell(t, "%u", ci->id);
	tbl_cell(t, "%.0f", ci->age);
	tbl_cell(t, "%s", ci->state);
	tbl_cell(t, "%s", dash(ci->src_ip_group));
	tbl_cell(t, "%s", dash(ci->dst_ip_group));
	tbl_cell(t, "%s", dash(ci->caller_in));
	tbl_cell(t, "%s", dash(ci->callee_in));
	tbl_cell(t, "%s", dash(ci->callee_out));
	tbl_cell(t, "%s", dash(ci->codec));
	tbl_cell(t, "%s", dash(suite));
	tbl_cell(t, "%llu", (unsigned long long)a->media.pkts_in);
	tbl_cell(t, "%llu", (unsigned long long)a->media.pkts_out);
	tbl_cell(t, "%llu", (unsigned long long)b->media.pkts_in);
	tbl_cell(t, "%llu", (unsigned long long)b->media.pkts_out);
	return 0;
}

static int
cmd_calls(struct out *o, int argc, char **argv)
{
	struct table t;

	(void)argc; (void)argv;
	memset(&t, 0, sizeof(t));
	tbl_col(&t, "id", "ID", 1);
	tbl_col(&t, "age", "AGE", 1);
	tbl_col(&t, "state", "STATE", 0);
	tbl_col(&t, "src_ip_group", "FROM", 0);
	tbl_col(&t, "dst_ip_group", "TO", 0);
	tbl_col(&t, "caller", "CALLER", 0);
	tbl_col(&t, "callee", "CALLEE", 0);
	tbl_col(&t, "callee_out", "CALLEE-OUT", 0);
	tbl_col(&t, "codec", "CODEC", 0);
	tbl_col(&t, "srtp", "SRTP", 0);
	tbl_col(&t, "a_pkts_in", "A-IN", 1);
	tbl_col(&t, "a_pkts_out", "A-OUT", 1);
	tbl_col(&t, "b_pkts_in", "B-IN", 1);
	tbl_col(&t, "b_pkts_out", "B-OUT", 1);
	call_walk(calls_row, &t);
	if (o->json) {
		out_begin(o, NULL);
		tbl_render(o, "calls", &t);
		out_end(o);
	} else
		tbl_render(o, NULL, &t);
	return 0;
}

static void
out_leg(struct out *o, const char *key, const struct call_leg_info *li)
{
	out_begin(o, key);
	out_str(o, "sip_interface", li->sip_interface);
	out_str(o, "ip_group", li->ip_group);
	out_str(o, "ip_profile", li->profile);
	out_str(o, "transport", li->transport);
	out_str(o, "peer", li->peer[0] ? li->peer : NULL);
	out_str(o, "call_id", li->call_id);
	out_str(o, "local_tag", li->local_tag);
	out_str(o, "remote_tag", li->remote_tag);
	out_int(o, "session_expires", li->session_expires);
	out_bool(o, "sbcd_refreshes", li->sbcd_refreshes);
	out_begin(o, "media");
	out_int(o, "local_port", li->media_port);
	out_str(o, "peer", li->media_peer[0] ? li->media_peer : NULL);
	out_str(o, "srtp", li->suite[0] ? li->suite : NULL);
	out_int(o, "pkts_in", (long long)li->media.pkts_in);
	out_int(o, "bytes_in", (long long)li->media.bytes_in);
	out_int(o, "pkts_out", (long long)li->media.pkts_out);
	out_int(o, "bytes_out", (long long)li->media.bytes_out);
	out_int(o, "dropped", (long long)li->media.dropped);
	out_int(o, "auth_failures", (long long)li->media.auth_failures);
	out_int(o, "lost", (long long)li->media.lost);
	out_int(o, "late", (long long)li->media.late);
	out_end(o);
	out_end(o);
}

static int
parse_id(const char *s, unsigned *id)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end != '\0' || v == 0 || v > 0xffffffffUL)
		return EINVAL;
	*id = (unsigned)v;
	return 0;
}

static int
cmd_call(struct out *o, int argc, char **argv)
{
	struct call_info	ci;
	unsigned		id;

	if (argc != 2 || parse_id(argv[1], &id) != 0) {
		evbuffer_add_printf(o->b, "usage: call ID\n");
		return -1;
	}
	if (call_lookup(id, &ci) != 0) {
		evbuffer_add_printf(o->b, "no call %u\n", id);
		return -1;
	}
	out_begin(o, NULL);
	out_int(o, "id", ci.id);
	out_str(o, "state", ci.state);
	out_num(o, "age", ci.age);
	out_num(o, "talk", ci.talk);
	out_str(o, "src_ip_group", ci.src_ip_group);
	out_str(o, "dst_ip_group", ci.dst_ip_group);
	out_str(o, "route", ci.route);
	out_str(o, "caller_in", ci.caller_in);
	out_str(o, "callee_in", ci.callee_in);
	out_str(o, "caller_out", ci.caller_out);
	out_str(o, "callee_out", ci.callee_out);
	out_str(o, "codec", ci.codec[0] ? ci.codec : NULL);
	out_leg(o, "leg_a", &ci.leg[0]);
	out_leg(o, "leg_b", &ci.leg[1]);
	out_end(o);
	return 0;
}

static int
cmd_proxies(struct out *o, int argc, char **argv)
{
	const struct cfg	*cfg = reload_current();
	struct table		 t;

	(void)argc; (void)argv;
	memset(&t, 0, sizeof(t));
	tbl_col(&t, "proxy_set", "SET", 0);
	tbl_col(&t, "address", "ADDRESS", 0);
	tbl_col(&t, "resolved", "RESOLVED", 0);
	tbl_col(&t, "port", "PORT", 1);
	tbl_col(&t, "transport", "TRANSPORT", 0);
	tbl_col(&t, "state", "STATE", 0);
	tbl_col(&t, "last_code", "LAST", 1);
	tbl_col(&t, "rtt_ms", "RTT-MS", 1);
	for (size_t i = 0; i < cfg->n_proxy_sets; i++) {
		const char		*name = cfg->proxy_sets[i].name;
		const struct pset	*ps = pset_get(name);
		struct pset_status	 st;

		for (size_t d = 0; ps != NULL && d < pset_count(ps); d++) {
			if (pset_status(ps, d, &st) != 0)
				continue;
			tbl_cell(&t, "%s", name);
			tbl_cell(&t, "%s", st.address);
			tbl_cell(&t, "%s", dash(st.resolved));
			tbl_cell(&t, "%d", st.port);
			tbl_cell(&t, "%s", cfg_transport_str(st.transport));
			tbl_cell(&t, "%s", pset_health_str(st.health));
			if (st.last_code) {
				tbl_cell(&t, "%d", st.last_code);
				tbl_cell(&t, "%u", st.rtt_ms);
			} else {
				tbl_cell(&t, "-");
				tbl_cell(&t, "-");
			}
		}
	}
	if (o->json) {
		out_begin(o, NULL);
		tbl_render(o, "proxies", &t);
		out_end(o);
	} else
		tbl_render(o, NULL, &t);
	return 0;
}

static int
cmd_reload(struct out *o, int argc, char **argv)
{
	struct cfg_diag	diag;
	int		err;

	(void)argc; (void)argv;
	cfg_diag_init(&diag);
	log_info("control socket: reloading %s", reload_current()->path);
	err = ops.reload(&diag);
	if (o->json) {
		out_begin(o, NULL);
		out_bool(o, "ok", err == 0);
		out_str(o, "config", reload_current()->path);
		out_key(o, "messages");
		evbuffer_add(o->b, "[", 1);
		for (size_t i = 0; i < diag.n; i++) {
			if (i)
				evbuffer_add(o->b, ",", 1);
			json_str(o->b, diag.msgs[i]);
		}
		evbuffer_add(o->b, "]", 1);
		out_end(o);
	} else {
		for (size_t i = 0; i < diag.n; i++)
			evbuffer_add_printf(o->b, "%s\n", diag.msgs[i]);
		if (err)
			evbuffer_add_printf(o->b, "reload failed with %zu error(s); still running "
			    "the configuration loaded before\n", diag.n - diag.nwarn);
		else
			evbuffer_add_printf(o->b, "reloaded %s\n", reload_current()->path);
	}
	cfg_diag_free(&diag);
	return err ? -1 : 0;
}

static int
cmd_drain(struct out *o, int argc, char **argv)
{
	int on = strcmp(argv[0], "drain") == 0;

	(void)argc;
	if (on)
		call_drain();
	else
		call_undrain();
	log_info("control socket: %s (%zu calls in progress)", on ? "draining: new INVITEs "
	    "get 503" : "undrained: new INVITEs are taken again", call_count());
	if (o->json) {
		out_begin(o, NULL);
		out_bool(o, "draining", on);
		out_int(o, "calls", (long long)call_count());
		out_end(o);
	} else
		evbuffer_add_printf(o->b, "%s; %zu calls in progress\n", on ?
		    "draining: new INVITEs get 503" : "taking new INVITEs", call_count());
	return 0;
}

static int
cmd_log_level(struct out *o, int argc, char **argv)
{
	enum log_level	old = log_get_level(), level;

	if (argc != 2 || log_level_parse(argv[1], &level) != 0) {
		evbuffer_add_printf(o->b, "usage: log-level err|warn|info|debug\n");
		return -1;
	}
	log_set_level(level);
	log_info("control socket: log level %s (was %s) until the next reload",
	    log_level_str(level), log_level_str(old));
	if (o->json) {
		out_begin(o, NULL);
		out_str(o, "log_level", log_level_str(level));
		out_str(o, "was", log_level_str(old));
		out_end(o);
	} else
		evbuffer_add_printf(o->b, "log level %s (was %s) until the next reload\n",
		    log_level_str(level), log_level_str(old));
	return 0;
}

static int
cmd_hangup(struct out *o, int argc, char **argv)
{
	unsigned id;

	if (argc != 2 || parse_id(argv[1], &id) != 0) {
		evbuffer_add_printf(o->b, "usage: hangup ID\n");
		return -1;
	}
	if (call_hangup(id, "hung up by sbcctl") != 0) {
		evbuffer_add_printf(o->b, "no call %u in progress\n", id);
		return -1;
	}
	log_info("control socket: call %u hung up", id);
	if (o->json) {
		out_begin(o, NULL);
		out_int(o, "hung_up", id);
		out_end(o);
	} else
		evbuffer_add_printf(o->b, "call %u: hanging up\n", id);
	return 0;
}

static const struct {
	const char	*name;
	int		(*fn)(struct out *, int, char **);
	const char	*help;
} commands[] = {
	{ "status", cmd_status, "status" },
	{ "calls", cmd_calls, "calls" },
	{ "call", cmd_call, "call ID" },
	{ "proxies", cmd_proxies, "proxies" },
	{ "reload", cmd_reload, "reload" },
	{ "drain", cmd_drain, "drain" },
	{ "undrain", cmd_drain, "undrain" },
	{ "log-level", cmd_log_level, "log-level err|warn|info|debug" },
	{ "hangup", cmd_hangup, "hangup ID" },
};

/* Run one request line; the answer goes to out: "OK\n" or "ERR\n" first. */
static void
ctl_run(char *line, struct evbuffer *outb)
{
	struct out	 o;
	struct evbuffer	*body = evbuffer_new();
	char		*argv[8], *save = NULL, *w;
	int		 argc = 0, rc = -1;

	memset(&o, 0, sizeof(o));
	o.b = body;
	o.first[0] = 1;
	for (w = strtok_r(line, " \t\r", &save); w != NULL && argc < 8;
	    w = strtok_r(NULL, " \t\r", &save))
		argv[argc++] = w;
	if (argc > 0 && strcmp(argv[0], "json") == 0) {
		o.json = 1;
		memmove(argv, argv + 1, (size_t)--argc * sizeof(argv[0]));
	}
	if (body == NULL) {
		evbuffer_add_printf(outb, "ERR\nout of memory\n");
		return;
	}
	if (argc == 0) {
		evbuffer_add_printf(body, "no command; one of:");
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			evbuffer_add_printf(body, " %s%s", commands[i].help,
			    i + 1 < sizeof(commands) / sizeof(commands[0]) ? "," : "\n");
	} else {
		size_t i;

		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(argv[0], commands[i].name) == 0)
				break;
		if (i == sizeof(commands) / sizeof(commands[0]))
			evbuffer_add_printf(body, "unknown command \"%s\"\n", argv[0]);
		else
			rc = commands[i].fn(&o, argc, argv);
	}
	evbuffer_add_printf(outb, rc == 0 ? "OK\n" : "ERR\n");
	evbuffer_add_buffer(outb, body);
	evbuffer_free(body);
}

/* ===== connections ===== */

static void
conn_drained(struct bufferevent *bev, void *arg)
{
	(void)arg;
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		bufferevent_free(bev);
}

static void	conn_event(struct bufferevent *, short, void *);

static const struct timeval	tmo = { CTL_TIMEOUT, 0 };

static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 len;
	char		*line;

	(void)arg;
	line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
	if (line == NULL) {
		if (evbuffer_get_length(in) > CTL_LINE_MAX)
			bufferevent_free(bev);
		return;
	}
	bufferevent_disable(bev, EV_READ);
	if (len > CTL_LINE_MAX)
		evbuffer_add_printf(bufferevent_get_output(bev), "ERR\nrequest too long\n");
	else
		ctl_run(line, bufferevent_get_output(bev));
	free(line);
	/* a client that does not read its answer is dropped after CTL_TIMEOUT */
	bufferevent_setcb(bev, NULL, conn_drained, conn_event, NULL);
	bufferevent_set_timeouts(bev, NULL, &tmo);
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	(void)what; (void)arg;
	bufferevent_free(bev);	/* EOF before a whole line, error or timeout */
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len,
    void *arg)
{
	struct bufferevent		*bev;
	struct ucred			 cred;
	socklen_t			 clen = sizeof(cred);

	(void)l; (void)sa; (void)len; (void)arg;
	/* the socket is owner-only already; refuse anyone else on principle */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		log_warnx("control socket: connection from uid %ld refused",
		    (long)(clen == sizeof(cred) ? (long)cred.uid : -1L));
		close(fd);
		return;
	}
	bev = bufferevent_socket_new(loop_base(), fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return;
	}
	bufferevent_setcb(bev, conn_read, NULL, conn_event, NULL);
	bufferevent_set_timeouts(bev, &tmo, &tmo);
	bufferevent_enable(bev, EV_READ);
}

/* A socket file left by an sbcd that died: remove it; a live one: EADDRINUSE. */
static int
stale_socket(const struct sockaddr_un *sun)
{
	struct stat	st;
	int		fd, live;

	if (lstat(sun->sun_path, &st) != 0)
		return errno == ENOENT ? 0 : errno;
	if (!S_ISSOCK(st.st_mode))
		return EEXIST;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return errno;
	live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	if (live)
		return EADDRINUSE;
	return unlink(sun->sun_path) == 0 ? 0 : errno;
}

int
ctl_start(const char *path, const struct ctl_ops *o)
{
	struct sockaddr_un	 sun;
	mode_t			 mask;
	int			 err;
	char			*dir, *slash;

	if (path == NULL || path[0] == '\0')
		return 0;
	if (strlen(path) >= sizeof(sun.sun_path))
		return ENAMETOOLONG;
	ops = *o;
	started = time(NULL);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);

	/* its folder, owner-only, when it is not there (systemd makes /run/sbcd) */
	if ((dir = strdup(path)) == NULL)
		return ENOMEM;
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			err = errno;
			free(dir);
			return err;
		}
	}
	free(dir);
	if ((err = stale_socket(&sun)) != 0)
		return err;
	mask = umask(0077);
	listener = evconnlistener_new_bind(loop_base(), accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
	    (struct sockaddr *)&sun, sizeof(sun));
	err = errno;
	umask(mask);
	if (listener == NULL)
		return err ? err : EIO;
	chmod(path, 0600);
	sock_path = strdup(path);
	log_info("control socket %s", path);
	return 0;
}

void
ctl_fini(void)
{
	if (listener != NULL)
		evconnlistener_free(listener);
	listener = NULL;
	if (sock_path != NULL)
		unlink(sock_path);
	free(sock_path);
	sock_path = NULL;
}
