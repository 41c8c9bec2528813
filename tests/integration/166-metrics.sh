#!/bin/sh
# 166-metrics.sh: the Prometheus endpoint scraped and checked against the
# calls made: active calls per IP group and media ports while a call is up,
# then attempts, answers, failures by code, classification rejects, proxy
# state, reloads; every line parses as the text format; a reload moves the
# listener, and one naming a port in use is refused with file:line.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
sed -i -e 's/keepalive = "options";/keepalive = "disable";/' \
    -e 's/redundancy_mode = "homing";/redundancy_mode = "parking";/' "$T/sbc.conf"
grep -q 'metrics_listen = "127.0.0.1:9090"' "$T/sbc.conf" || nok "the lab serves metrics on 127.0.0.1:9090"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5

# scrape URL FILE: GET it, 0 when 200
scrape() {
	python3 - "$1" "$2" <<'PY'
import sys, urllib.request
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5)
except Exception as e:
    print("scrape:", e, file=sys.stderr); sys.exit(1)
open(sys.argv[2], "wb").write(r.read())
sys.exit(0 if r.status == 200 and r.headers["Content-Type"].startswith("text/plain; version=0.0.4") else 1)
PY
}
# metric FILE 'name{labels}': its value (exact match of the series), or "none"
metric() {
	python3 - "$1" "$2" <<'PY'
import sys
want = sys.argv[2]
for line in open(sys.argv[1]):
    if line.startswith("#"):
        continue
    series, _, value = line.rstrip("\n").rpartition(" ")
    if series == want:
        print(value); break
else:
    print("none")
PY
}
# wellformed FILE: every line is a comment (HELP/TYPE) or name{labels} value
wellformed() {
	python3 - "$1" <<'PY'
import re, sys
series = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.e+]+$')
typed = set()
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("# TYPE "):
        typed.add(line.split()[2]); continue
    if line.startswith("# HELP "):
        continue
    if not series.match(line) or re.split(r'[{ ]', line)[0] not in typed:
        print("bad line:", line, file=sys.stderr); sys.exit(1)
PY
}
M=http://127.0.0.1:9090/metrics

scrape $M "$T/m0.txt"; rc=$?
check "GET /metrics answers 200 in the text format" test $rc -eq 0
check "every line of the exposition is well formed" wellformed "$T/m0.txt"
check "sbcd_calls_active 0 at start" test "$(metric "$T/m0.txt" 'sbcd_calls_active')" = 0
check "the proxy addresses are listed" \
    test "$(metric "$T/m0.txt" 'sbcd_proxy_up{proxy_set="PS-VC",address="127.0.0.20:5061",resolved="127.0.0.20",port="5061",transport="tls"}')" = 1
python3 -c 'import urllib.request,sys
try: urllib.request.urlopen("http://127.0.0.1:9090/other", timeout=5); sys.exit(1)
except urllib.error.HTTPError as e: sys.exit(0 if e.code == 404 else 1)'
check "another path is 404" test $? -eq 0

# a call held while we look
vc_uas h uas_basic.xml -m 1; U=$SIPP_PID
( pbx_uac hc uac_basic.xml -d 3000 ) & hpid=$!
sleep 1.5
scrape $M "$T/m1.txt"
check "during the call: sbcd_calls_active 1" test "$(metric "$T/m1.txt" 'sbcd_calls_active')" = 1
check "during the call: one active for the 3CX group and one for the VC group" sh -c \
    "[ '$(metric "$T/m1.txt" 'sbcd_ip_group_calls_active{ip_group="3CX"}')' = 1 ] &&
     [ '$(metric "$T/m1.txt" 'sbcd_ip_group_calls_active{ip_group="VC"}')' = 1 ]"
check "during the call: two ports (RTP+RTCP) in use in each realm" sh -c \
    "[ '$(metric "$T/m1.txt" 'sbcd_media_ports_in_use{realm="MR-3CX"}')' = 2 ] &&
     [ '$(metric "$T/m1.txt" 'sbcd_media_ports_in_use{realm="MR-VC"}')' = 2 ] &&
     [ '$(metric "$T/m1.txt" 'sbcd_media_ports{realm="MR-VC"}')' = 8000 ]"
wait $hpid; rc=$?; sipp_wait $U 5
check "the held call completes (sipp $rc)" test $rc -eq 0

# two more answered, one busy, one from an unknown source
for n in 2 3; do
	vc_uas a$n uas_basic.xml -m 1; U=$SIPP_PID
	pbx_uac c$n uac_basic.xml; sipp_wait $U 5
done
vc_uas b uas_busy.xml -m 1; U=$SIPP_PID
pbx_uac cb uac_busy.xml; sipp_wait $U 5
rogue_uac r uac_forbidden.xml; rc=$?
check "the unknown source is refused (sipp $rc)" test $rc -eq 0
kill -HUP $SBCD_PID
wait_for "reload done" "$T/sbcd.log" 5
sleep 0.5
scrape $M "$T/m2.txt"
check "the exposition is still well formed" wellformed "$T/m2.txt"
check "4 attempts from 3CX" \
    test "$(metric "$T/m2.txt" 'sbcd_call_attempts_total{src_ip_group="3CX"}')" = 4
check "3 answered 3CX -> VC" \
    test "$(metric "$T/m2.txt" 'sbcd_call_answers_total{src_ip_group="3CX",dst_ip_group="VC"}')" = 3
check "1 failure with 486" test "$(metric "$T/m2.txt" 'sbcd_call_failures_total{code="486"}')" = 1
check "1 classification reject on SI-3CX" \
    test "$(metric "$T/m2.txt" 'sbcd_classification_rejects_total{sip_interface="SI-3CX"}')" = 1
check "after the calls: none active, every port back" sh -c \
    "[ '$(metric "$T/m2.txt" 'sbcd_calls_active')' = 0 ] &&
     [ '$(metric "$T/m2.txt" 'sbcd_media_ports_in_use{realm="MR-3CX"}')' = 0 ] &&
     [ '$(metric "$T/m2.txt" 'sbcd_media_ports_in_use{realm="MR-VC"}')' = 0 ]"
check "one reload applied, none refused" sh -c \
    "[ '$(metric "$T/m2.txt" 'sbcd_config_reloads_total{result="ok"}')' = 1 ] &&
     [ '$(metric "$T/m2.txt" 'sbcd_config_reloads_total{result="failed"}')' = 0 ] &&
     [ '$(metric "$T/m2.txt" 'sbcd_config_last_reload_successful')' = 1 ]"
check "the VC proxy is up after answering" \
    test "$(metric "$T/m2.txt" 'sbcd_proxy_up{proxy_set="PS-VC",address="127.0.0.20:5061",resolved="127.0.0.20",port="5061",transport="tls"}')" = 1

# the listener follows the configuration
sed -i 's/metrics_listen = "127.0.0.1:9090";/metrics_listen = "127.0.0.1:9091";/' "$T/sbc.conf"
kill -HUP $SBCD_PID
wait_count "reload done" "$T/sbcd.log" 1 5
check "after a reload the metrics move to :9091" scrape http://127.0.0.1:9091/metrics "$T/m3.txt"
check "and :9090 is closed" sh -c "! python3 -c 'import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:9090/metrics\", timeout=2)' 2>/dev/null"
python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1", 9092)); s.listen(1); time.sleep(8)' & busy=$!
sleep 0.3
sed -i 's/metrics_listen = "127.0.0.1:9091";/metrics_listen = "127.0.0.1:9092";/' "$T/sbc.conf"
kill -HUP $SBCD_PID
check "a reload to a port in use is refused with file:line and the setting" \
    wait_for "sbc.conf:[0-9]*: global.metrics_listen: cannot listen" "$T/sbcd.log" 5
check "and the metrics stay on :9091" scrape http://127.0.0.1:9091/metrics "$T/m4.txt"
check "which count the refused reload" \
    test "$(metric "$T/m4.txt" 'sbcd_config_reloads_total{result="failed"}')" = 1
kill $busy 2>/dev/null; wait $busy 2>/dev/null
check "sbcd is still running" alive $SBCD_PID
