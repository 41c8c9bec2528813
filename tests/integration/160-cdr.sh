#!/bin/sh
# 160-cdr.sh: one JSON line per call in global.cdr_file.  An answered call
# 3CX -> VC (codes, groups, numbers as received and as sent, codec, SRTP
# suite, media counters, who hung up), a busy one, a call ended by the
# callee after SIGUSR1 reopened a file logrotate moved, and a reload naming
# a file that cannot be opened: refused with file:line, CDRs keep flowing.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
# no keep-alives: an OPTIONS would count as the one call of a -m 1 peer
sed -i 's/keepalive = "options";/keepalive = "disable";/; s/redundancy_mode = "homing";/redundancy_mode = "parking";/' "$T/sbc.conf"
sed -i "s|cdr_file = \"[^\"]*\";|cdr_file = \"$T/cdr.json\";|" "$T/sbc.conf"
grep -q "cdr_file = \"$T/cdr.json\"" "$T/sbc.conf" || nok "the lab writes CDRs to $T/cdr.json"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5

# cdr_check FILE LINE EXPR MESSAGE: python EXPR on record LINE (1-based) as r
cdr_check() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
r = json.loads(lines[int(sys.argv[2]) - 1])
ok = eval(sys.argv[3])
if not ok:
    print("record:", json.dumps(r), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}

# 1: answered, the caller hangs up after ~1 s
vc_uas vc1 uas_basic.xml -m 1; U=$SIPP_PID
SIP_SERVICE=915550001000 pbx_uac c1 uac_basic.xml -d 1000; rc=$?
sipp_wait $U 5
check "call 1 completes (sipp $rc)" test $rc -eq 0
wait_for '"call"' "$T/cdr.json" 3
check "one line per call, valid JSON" cdr_check "$T/cdr.json" 1 'len(lines) == 1'
check "answered: 200, 3CX -> VC, caller hung up" cdr_check "$T/cdr.json" 1 \
    'r["sip_code"] == 200 and r["src_ip_group"] == "3CX" and r["dst_ip_group"] == "VC" and r["ended_by"] == "caller"'
check "times: start <= answer <= end, duration about 1 s" cdr_check "$T/cdr.json" 1 \
    'r["start"] <= r["answer"] <= r["end"] and 0.9 <= r["duration"] <= 3 and r["end"].endswith("Z")'
check "numbers as received and as sent (9 stripped, + added)" cdr_check "$T/cdr.json" 1 \
    'r["callee_in"] == "915550001000" and r["callee_out"] == "+15550001000" and r["caller_out"] == "+" + r["caller_in"].lstrip("+")'
check "codec PCMU, SRTP toward the VC only" cdr_check "$T/cdr.json" 1 \
    'r["codec"] == "PCMU" and r["media_b"]["suite"] == "AES_CM_128_HMAC_SHA1_80" and r["media_a"]["suite"] is None'
check "media counters present both ways" cdr_check "$T/cdr.json" 1 \
    'all(k in r[s] for s in ("media_a", "media_b") for k in ("pkts_in", "pkts_out", "bytes_in", "lost", "auth_failures"))'

# 2: busy
vc_uas vc2 uas_busy.xml -m 1; U=$SIPP_PID
pbx_uac c2 uac_busy.xml; rc=$?
sipp_wait $U 5
check "call 2 refused (sipp $rc)" test $rc -eq 0
wait_for "486" "$T/cdr.json" 3
check "busy: 486, never answered, the callee said no" cdr_check "$T/cdr.json" 2 \
    'r["sip_code"] == 486 and r["answer"] is None and r["duration"] == 0 and r["ended_by"] == "callee"'

# logrotate: move, then SIGUSR1
mv "$T/cdr.json" "$T/cdr.json.1"
kill -USR1 $SBCD_PID
wait_for "CDR file .* reopened" "$T/sbcd.log" 3
vc_uas vc3 uas_callee_bye.xml -m 1; U=$SIPP_PID
pbx_uac c3 uac_callee_bye.xml; rc=$?
sipp_wait $U 5
check "call 3 completes (sipp $rc)" test $rc -eq 0
wait_for '"call"' "$T/cdr.json" 3
check "after SIGUSR1 the new file gets the next record" cdr_check "$T/cdr.json" 1 \
    'len(lines) == 1 and r["ended_by"] == "callee" and r["sip_code"] == 200'
check "the moved file kept its two records" test "$(wc -l < "$T/cdr.json.1")" -eq 2

# a reload naming a file that cannot be opened keeps the running one
sed -i "s|cdr_file = \"[^\"]*\";|cdr_file = \"$T/no/such/dir/cdr.json\";|" "$T/sbc.conf"
kill -HUP $SBCD_PID
check "the reload is refused, naming file:line and the setting" \
    wait_for "sbc.conf:[0-9]*: global.cdr_file: cannot open" "$T/sbcd.log" 5
vc_uas vc4 uas_basic.xml -m 1; U=$SIPP_PID
pbx_uac c4 uac_basic.xml; rc=$?
sipp_wait $U 5
wait_for '"call":4' "$T/cdr.json" 3
check "CDRs still go to the running file" test "$(wc -l < "$T/cdr.json")" -eq 2
