#!/bin/sh
# 165-sbcctl.sh: sbcctl against a running sbcd with a call up, every command
# in text and JSON: status, calls, call ID (both legs, media counters while
# RTP and SRTP flow), proxies, log-level, drain/undrain (503 meanwhile),
# reload (a good file, and a broken one: file:line on stderr, exit 1),
# hangup ID (BYE to both sides), and the errors (unknown command, no call,
# no sbcd) on stderr with a non-zero exit.  The socket is owner-only.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
. "$ROOT/tests/lib/media.sh"
sip_trap
CTL=${SBCCTL:-$(dirname "$SBCD")/sbcctl}

lab_conf "$T/sbc.conf"
sed -i -e 's/keepalive = "options";/keepalive = "disable";/' \
    -e 's/redundancy_mode = "homing";/redundancy_mode = "parking";/' "$T/sbc.conf"
# one address of PS-3CX keeps its keep-alive so that "proxies" has an answer to show
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5

# json_check FILE EXPR: python EXPR on the JSON document in FILE as j
json_check() {
	python3 - "$1" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
if not ok:
    print("document:", json.dumps(j), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
ctl() { "$CTL" -f "$T/sbc.conf" "$@"; }

check "the socket is owner-only (0600)" \
    test "$(stat -c %a "$T/sbcd.sock" 2>/dev/null)" = 600
ctl status > "$T/status.txt"; rc=$?
check "status: exit 0 (text)" test $rc -eq 0
check "status: version, configuration file, calls, last reload" \
    sh -c "grep -q '^version ' '$T/status.txt' && grep -q '^config  *$T/sbc.conf' '$T/status.txt' &&
        grep -q '^calls  *0' '$T/status.txt' && grep -q 'result  *none' '$T/status.txt'"
ctl --json status > "$T/status.json"
check "status --json: pid, uptime, calls 0, not draining" json_check "$T/status.json" \
    "j['pid'] == $SBCD_PID and j['uptime'] >= 0 and j['calls'] == 0 and j['draining'] is False and j['last_reload']['result'] == 'none'"
check "-s SOCKET works as well as -f FILE" sh -c "'$CTL' -s '$T/sbcd.sock' status > /dev/null"

# ---- a call with media both ways, 3CX -> VC, held for 8 s
media_pcap "$T/pbx.pcap" --count 300 --ssrc 1000aaaa > /dev/null
media_scenario pbx_uac_rtp "$T/uac.xml" "$T/pbx.pcap" > /dev/null
media_scenario vc_uas_srtp "$T/uas.xml" "" > /dev/null
rtppeer_start vcm --bind 127.0.0.21:40100 --peer-file "$T/vcm.peer" --srtp-out-key "$MEDIA_VC_KEY" \
    --count 300 --tone 400 --start-after 0.5 --expect 300
rtppeer_start pbxm --bind 127.0.0.10:40000 --expect 300
media_uas vc vcuas "$T/uas.xml" 40100 -m 1; up=$SIPP_PID
( SIP_SERVICE=915550001000 media_uac pbx pbxuac "$T/uac.xml" 40000 -d 8000 ) & uacpid=$!
media_wait_sdp "$T/vcuas.msg" INVITE > "$T/vcm.peer.tmp" && mv "$T/vcm.peer.tmp" "$T/vcm.peer"
sleep 3

ctl calls > "$T/calls.txt"; rc=$?
check "calls: exit 0, a header and one aligned line" \
    sh -c "[ $rc -eq 0 ] && head -n 1 '$T/calls.txt' | grep -q '^ID  *AGE  *STATE  *FROM  *TO  *CALLER  *CALLEE' &&
        [ \$(wc -l < '$T/calls.txt') -eq 2 ]"
check "calls: confirmed 3CX -> VC, PCMU, SRTP suite" \
    sh -c "sed -n 2p '$T/calls.txt' | grep -Eq '^ *1 +[0-9]+ +confirmed +3CX +VC +[^ ]+ +915550001000 +\\+15550001000 +PCMU +AES_CM_128_HMAC_SHA1_80 '"
ctl --json calls > "$T/calls.json"
check "calls --json: one call, numbers as received and as sent, packets each way" \
    json_check "$T/calls.json" \
    "len(j['calls']) == 1 and j['calls'][0]['id'] == 1 and j['calls'][0]['callee'] == '915550001000' and j['calls'][0]['callee_out'] == '+15550001000' and all(j['calls'][0][k] > 0 for k in ('a_pkts_in', 'a_pkts_out', 'b_pkts_in', 'b_pkts_out'))"
ctl call 1 > "$T/call.txt"; rc=$?
check "call 1: exit 0, both legs with their media counters (text)" \
    sh -c "[ $rc -eq 0 ] && grep -q '^leg_a:' '$T/call.txt' && grep -q '^leg_b:' '$T/call.txt' &&
        grep -q '^    pkts_in ' '$T/call.txt' && grep -q '^  ip_profile ' '$T/call.txt'"
ctl --json call 1 > "$T/call.json"
check "call 1 --json: legs on their interfaces, transports, Call-IDs differ, SRTP on B only" \
    json_check "$T/call.json" \
    "j['leg_a']['sip_interface'] == 'SI-3CX' and j['leg_b']['sip_interface'] == 'SI-VC' and j['leg_a']['transport'] == 'udp' and j['leg_b']['transport'] == 'tls' and j['leg_a']['call_id'] != j['leg_b']['call_id'] and j['leg_b']['media']['srtp'] == 'AES_CM_128_HMAC_SHA1_80' and j['leg_a']['media']['srtp'] is None"
check "call 1 --json: media flows both ways, none dropped, none failing authentication" \
    json_check "$T/call.json" \
    "all(j[l]['media'][k] > 0 for l in ('leg_a', 'leg_b') for k in ('pkts_in', 'pkts_out', 'bytes_in')) and all(j[l]['media']['dropped'] == 0 and j[l]['media']['auth_failures'] == 0 for l in ('leg_a', 'leg_b')) and j['leg_a']['media']['peer'] == '127.0.0.10:40000'"
ctl call 99 > "$T/nocall.out" 2> "$T/nocall.err"; rc=$?
check "call 99: no such call, on stderr, exit 1" \
    sh -c "[ $rc -eq 1 ] && grep -q 'no call 99' '$T/nocall.err' && [ ! -s '$T/nocall.out' ]"

wait $uacpid; rc=$?
sipp_wait $up; rtppeer_wait vcm; rtppeer_wait pbxm
check "the media call completes (sipp $rc)" test $rc -eq 0
# the same call in the metrics: 300 packets each way went in and out
python3 - > "$T/media.metrics" <<'PY'
import urllib.request
print(urllib.request.urlopen("http://127.0.0.1:9090/metrics", timeout=5).read().decode())
PY
check "metrics: the media packets of the call are counted, none failed SRTP authentication" \
    python3 - "$T/media.metrics" <<'PY'
import sys
m = {}
for l in open(sys.argv[1]):
    if not l.startswith("#") and l.strip():
        k, v = l.rsplit(" ", 1); m[k] = float(v)
sys.exit(0 if m['sbcd_media_packets_total{direction="in"}'] >= 600 and
         m['sbcd_media_packets_total{direction="out"}'] >= 600 and
         m["sbcd_srtp_auth_failures_total"] == 0 else 1)
PY

# ---- proxies
ctl proxies > "$T/proxies.txt"; rc=$?
check "proxies: a line per proxy address (3CX, secondary PBX, VC)" \
    sh -c "[ $rc -eq 0 ] && grep -Eq '^PS-3CX +127.0.0.10:5060 +127.0.0.10 +5060 +udp ' '$T/proxies.txt' &&
        grep -Eq '^PS-3CX +127.0.0.11:5060 ' '$T/proxies.txt' && grep -Eq '^PS-VC .* tls ' '$T/proxies.txt'"
ctl --json proxies > "$T/proxies.json"
check "proxies --json: the VC address is up after the call, states are named" \
    json_check "$T/proxies.json" \
    "any(p['proxy_set'] == 'PS-VC' and p['state'] == 'up' for p in j['proxies']) and all(p['state'] in ('up', 'down', 'unknown') for p in j['proxies'])"

# ---- log-level
ctl log-level debug > "$T/ll.txt"
check "log-level debug: applied at once" sh -c "grep -q 'log level debug (was info)' '$T/ll.txt' &&
    '$CTL' -f '$T/sbc.conf' --json status | grep -q '\"log_level\":\"debug\"'"
ctl log-level loud 2> "$T/ll.err"; rc=$?
check "log-level loud: refused with usage, exit 1" sh -c "[ $rc -eq 1 ] && grep -q usage '$T/ll.err'"
ctl --json log-level info > "$T/ll.json"
check "log-level --json: the new level and the old one" json_check "$T/ll.json" \
    "j['log_level'] == 'info' and j['was'] == 'debug'"

# ---- drain / undrain
ctl drain > "$T/drain.txt"
check "drain: new INVITEs get 503" grep -q 'draining' "$T/drain.txt"
pbx_uac d1 uac_503.xml; rc=$?
check "while drained a new call gets 503 (sipp $rc)" test $rc -eq 0
ctl --json undrain > "$T/undrain.json"
check "undrain --json: draining false" json_check "$T/undrain.json" "j['draining'] is False"
ctl --json drain > "$T/drain.json"
check "drain --json: draining true, no call" json_check "$T/drain.json" "j['draining'] is True and j['calls'] == 0"
ctl undrain > "$T/undrain.txt"
check "undrain (text): taking new INVITEs" grep -q '^taking new INVITEs' "$T/undrain.txt"
vc_uas u2 uas_basic.xml -m 1; U=$SIPP_PID
pbx_uac d2 uac_basic.xml; rc=$?
sipp_wait $U 5
check "after undrain calls go through again (sipp $rc)" test $rc -eq 0

# ---- hangup ID: sbcd sends BYE to both sides
vc_uas u3 uas_basic.xml -m 1; U=$SIPP_PID
( pbx_uac h1 uac_callee_bye.xml -recv_timeout 15000 ) & hpid=$!
i=0; while [ $i -lt 50 ] && ! "$CTL" -f "$T/sbc.conf" calls | grep -q ' confirmed '; do sleep 0.1; i=$((i + 1)); done
id=$("$CTL" -f "$T/sbc.conf" --json calls | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"][0]["id"])')
ctl hangup "$id" > "$T/hangup.txt"; rc=$?
check "hangup $id: exit 0" sh -c "[ $rc -eq 0 ] && grep -q 'hanging up' '$T/hangup.txt'"
wait $hpid; rc=$?
sipp_wait $U 5; rc2=$?
check "hangup: the caller gets a BYE (sipp $rc)" test $rc -eq 0
check "hangup: the callee gets a BYE (sipp $rc2)" test $rc2 -eq 0
check "hangup: the log says sbcctl ended it" wait_for "call=$id .*hung up by sbcctl" "$T/sbcd.log" 3
ctl hangup "$id" 2> "$T/hangup2.err"; rc=$?
check "hangup of a call that ended: exit 1, said on stderr" \
    sh -c "[ $rc -eq 1 ] && grep -q 'no call $id' '$T/hangup2.err'"

# ---- hangup --json, on another call
vc_uas u4 uas_basic.xml -m 1; U=$SIPP_PID
( pbx_uac h2 uac_callee_bye.xml -recv_timeout 15000 ) & hpid=$!
i=0; while [ $i -lt 50 ] && ! "$CTL" -f "$T/sbc.conf" calls | grep -q ' confirmed '; do sleep 0.1; i=$((i + 1)); done
id=$("$CTL" -f "$T/sbc.conf" --json calls | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"][0]["id"])')
ctl --json hangup "$id" > "$T/hangup.json"
check "hangup --json: the call id" json_check "$T/hangup.json" "j['hung_up'] == $id"
wait $hpid; rc=$?
sipp_wait $U 5; rc2=$?
check "hangup --json: both sides get their BYE (sipp $rc, $rc2)" test $rc -eq 0 -a $rc2 -eq 0

# ---- reload: a good file, then a broken one
sed -i 's/user_agent = "sbcd";/user_agent = "sbcd-reloaded";/' "$T/sbc.conf"
ctl reload > "$T/reload.txt"; rc=$?
check "reload of a good file: exit 0" sh -c "[ $rc -eq 0 ] && grep -q '^reloaded ' '$T/reload.txt'"
cp "$T/sbc.conf" "$T/sbc.conf.good"
sed -i 's/port_spacing = 4; },/port_spacing = 4; colour = "red"; },/' "$T/sbc.conf"
ctl -s "$T/sbcd.sock" reload > "$T/reload2.out" 2> "$T/reload2.err"; rc=$?
check "reload of a broken file: exit 1, file:line and the setting on stderr" \
    sh -c "[ $rc -eq 1 ] && grep -q 'sbc.conf:[0-9][0-9]*: .*colour' '$T/reload2.err' && grep -q 'still running' '$T/reload2.err'"
"$CTL" -s "$T/sbcd.sock" --json reload > "$T/reload3.out" 2> "$T/reload3.json"
check "reload --json of the broken file: ok false with the messages, on stderr" json_check "$T/reload3.json" \
    "j['ok'] is False and any('colour' in m for m in j['messages'])"
"$CTL" -s "$T/sbcd.sock" --json status > "$T/status2.json"
check "status after them: last reload failed, one applied, two refused" json_check "$T/status2.json" \
    "j['last_reload']['result'] == 'failed' and j['last_reload']['reloads_ok'] == 1 and j['last_reload']['reloads_failed'] == 2"
cp "$T/sbc.conf.good" "$T/sbc.conf"

# ---- errors
"$CTL" -s "$T/sbcd.sock" frobnicate > "$T/unk.out" 2> "$T/unk.err"; rc=$?
check "an unknown command: stderr, exit 1" \
    sh -c "[ $rc -eq 1 ] && grep -q 'unknown command' '$T/unk.err' && [ ! -s '$T/unk.out' ]"
"$CTL" -s "$T/nothing.sock" status 2> "$T/nosock.err"; rc=$?
check "no sbcd behind the socket: stderr, exit 2" \
    sh -c "[ $rc -eq 2 ] && grep -q 'cannot reach sbcd' '$T/nosock.err'"
check "sbcd is still running" alive $SBCD_PID

kill -TERM $SBCD_PID; wait $SBCD_PID 2>/dev/null
check "the socket is removed at exit" test ! -e "$T/sbcd.sock"
