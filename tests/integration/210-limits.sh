#!/bin/sh
# 210-limits.sh: sbcd's limits on new requests (limit.c) and call admission:
# an oversize message, too many header fields, too many Vias and too big a
# body are refused or dropped and never forwarded; a flood from one 3CX
# address (127.0.0.12) gets that address banned while calls from the other
# (127.0.0.10) go on; with max_calls = 2 on the 3CX group the third
# concurrent call gets 480, and a call after them goes through.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
# limits low enough to reach; the PBX interface takes TCP too; 127.0.0.12
# is a second 3CX address (by classification); the 3CX group takes 2 calls
sed -i -e 's|^global = {|global = {\n  max_message_size = 8192; max_headers = 40; max_via = 10; max_body_size = 4096;\n  rate_limit = 20; rate_limit_burst = 20; rate_limit_ban = 30;|' \
    -e 's/udp_port = 5060;/udp_port = 5060; tcp_port = 5060;/' \
    -e 's/classify_by_proxy_set = true;/classify_by_proxy_set = true; max_calls = 2;/' "$T/sbc.conf"
cat >> "$T/sbc.conf" <<'EOC'
classification = ( { name = "3CX second address"; sip_interface = "SI-3CX";
  source_address = "127.0.0.12"; ip_group = "3CX"; } );
EOC
# only the 3CX group gets a call limit
awk '/name = "VC";/ { vc = 1 } vc && /max_calls = 2;/ { sub(/ max_calls = 2;/, ""); vc = 0 } { print }' \
    "$T/sbc.conf" > "$T/sbc.conf.new" && mv "$T/sbc.conf.new" "$T/sbc.conf"
"$SBCD" -t -f "$T/sbc.conf" > "$T/check.out" 2>&1 || { nok "the limits configuration loads"; cat "$T/check.out"; }

vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
vc_uas far uas_basic.xml; FAR=$SIPP_PID
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBC=$!
sip_track $SBC
wait_for "started on" "$T/sbcd.log" 5

L() { python3 "$ROOT/tests/lib/limitsip.py" "$@"; }
LAN=$SBC_LAN_IP:$SBC_LAN_PORT

# ---- sizes and counts (from 127.0.0.10, a 3CX address) ----
check "a 9000-byte datagram (max_message_size 8192) gets 413" \
    test "$(L size 9000 udp 127.0.0.10 $LAN)" = "SIP/2.0 413 Request Entity Too Large"
check "a 9000-byte request over TCP is not read: no answer" \
    test "$(L size 9000 tcp 127.0.0.10 $LAN)" = "no answer"
check "an 8000-byte request passes the size limit (relayed, the VC answers)" \
    test "$(L size 8000 udp 127.0.0.10 $LAN)" = "SIP/2.0 200 OK"
check "32 extra header fields (40 in all) pass" \
    test "$(L headers 32 udp 127.0.0.10 $LAN)" = "SIP/2.0 200 OK"
check "33 extra header fields (41) get 400 Too Many Headers" \
    test "$(L headers 33 udp 127.0.0.10 $LAN)" = "SIP/2.0 400 Too Many Headers"
check "11 Vias (max_via 10) get 483" \
    test "$(L vias 11 udp 127.0.0.10 $LAN)" = "SIP/2.0 483 Too Many Hops"
check "10 Vias pass" \
    test "$(L vias 10 udp 127.0.0.10 $LAN)" = "SIP/2.0 200 OK"
check "a 5000-byte body (max_body_size 4096) gets 413" \
    test "$(L body 5000 udp 127.0.0.10 $LAN)" = "SIP/2.0 413 Request Entity Too Large"
sleep 0.3
check "only the requests within the limits reached the VC" \
    test "$(sip_count "$T/far.msg" 'INVITE|MESSAGE|OPTIONS sip:200@.*')" -eq 1

# ---- a flood from 127.0.0.12: banned; 127.0.0.10 still calls ----
R=$(L flood 127.0.0.12 $LAN 200)
n=${R#answered }; n=${n%% of*}
check "a flood of 200 OPTIONS from 127.0.0.12 is answered no more than the burst ($R)" \
    test "$n" -ge 15 -a "$n" -le 25
check "sbcd logs the ban" grep -q "source 127.0.0.12: over 20 requests/s (burst 20): banned for 30 s" "$T/sbcd.log"
check "127.0.0.12 is ignored while banned" test "$(L one 127.0.0.12 $LAN)" = "no answer"
pbx_uac ok1 uac_basic.xml
check "a call from 127.0.0.10 goes through while 127.0.0.12 is banned" test "$(sipp_calls ok1)" -eq 1

# ---- call admission: 3 concurrent calls into a group of 2 ----
pbx_uac cac uac_basic.xml -m 3 -r 20 -d 3000
check "with max_calls = 2, two of three concurrent calls connect" test "$(sipp_calls cac)" -eq 2
check "the third gets 480" test "$(sip_count "$T/cac.msg" 'SIP/2.0 480')" -ge 1
check "sbcd logs the refusal" grep -q "refused, ip group 3CX has its 2 calls" "$T/sbcd.log"
pbx_uac ok2 uac_basic.xml
check "a call after them goes through" test "$(sipp_calls ok2)" -eq 1

check "sbcd is alive" alive $SBC
sipp_stop $FAR
kill -TERM $SBC; wait $SBC; rc=$?
_sip_untrack $SBC
check "sbcd exits cleanly (status $rc)" test $rc -eq 0
check "no sanitizer report" sh -c "! grep -q 'ERROR: AddressSanitizer\|runtime error:\|ERROR: LeakSanitizer' '$T/sbcd.log'"
