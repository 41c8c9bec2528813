#!/bin/sh
# 167-hep.sh: HEP v3 export decoded by a real tool.  sngrep listens for HEP
# (-L) and writes what it decodes to a pcap; tshark reads that pcap.  One
# call 3CX -> VC must show both legs whole (INVITE, 100, 180, 200, ACK, BYE,
# 200 on the UDP leg and on the TLS leg, in the clear) with the right
# addresses and ports, the SRTP keys masked; a reload without a collector
# stops the export.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

command -v sngrep > /dev/null && command -v tshark > /dev/null ||
    nok "sngrep and tshark are installed (make deps)"
lab_conf "$T/sbc.conf"
sed -i -e 's/keepalive = "options";/keepalive = "disable";/' \
    -e 's/redundancy_mode = "homing";/redundancy_mode = "parking";/' \
    -e 's|^global = {|global = {\n  hep_collector = "127.0.0.1:9060"; hep_capture_id = 77;|' "$T/sbc.conf"
sngrep -N -q -L udp:127.0.0.1:9060 -O "$T/hep.pcap" > "$T/sngrep.log" 2>&1 &
SNG=$!
sip_track $SNG
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5
check "sbcd exports to the collector" grep -q "hep: 127.0.0.1:9060" "$T/sbcd.log"

vc_uas vc1 uas_basic.xml -m 1; U=$SIPP_PID
pbx_uac c1 uac_basic.xml -d 500; rc=$?
sipp_wait $U 5
check "the call completes (sipp $rc)" test $rc -eq 0

# a reload without the collector stops the export: the next call is not seen
sed -i 's|hep_collector = "127.0.0.1:9060";||' "$T/sbc.conf"
kill -HUP $SBCD_PID
wait_for "hep: export stopped" "$T/sbcd.log" 5
vc_uas vc2 uas_basic.xml -m 1; U=$SIPP_PID
SIP_SERVICE=915550002222 pbx_uac c2 uac_basic.xml; rc=$?
sipp_wait $U 5
check "the second call completes (sipp $rc)" test $rc -eq 0
sleep 0.5
kill -INT $SNG; i=0; while alive $SNG && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done

tshark -r "$T/hep.pcap" -Y sip -T fields -E separator='|' -e ip.src -e udp.srcport \
    -e ip.dst -e udp.dstport -e sip.Method -e sip.Status-Code -e sip.CSeq.method \
    > "$T/flow.txt" 2> "$T/tshark.err"
P=127.0.0.10; S=127.0.0.1; W=127.0.0.2; V=127.0.0.20
check "3CX leg: INVITE 3CX -> sbcd:5060" grep -q "^$P|5070|$S|5060|INVITE|" "$T/flow.txt"
check "3CX leg: 100, 180, 200 sbcd -> 3CX" sh -c \
    "for c in 100 180 200; do grep -q '^$S|5060|$P|5070||'\$c'|INVITE' '$T/flow.txt' || exit 1; done"
check "3CX leg: ACK and BYE from 3CX, 200 to its BYE" sh -c \
    "grep -q '^$P|5070|$S|5060|ACK|' '$T/flow.txt' && grep -q '^$P|5070|$S|5060|BYE|' '$T/flow.txt' &&
     grep -q '^$S|5060|$P|5070||200|BYE' '$T/flow.txt'"
check "VC leg (TLS, in the clear): INVITE, ACK, BYE sbcd -> VC" sh -c \
    "for m in INVITE ACK BYE; do grep -q '^$W|5061|$V|5061|'\$m'|' '$T/flow.txt' || exit 1; done"
check "VC leg: 100, 180, 200 to the INVITE and 200 to the BYE from the VC" sh -c \
    "for c in 100 180 200; do grep -q '^$V|5061|$W|5061||'\$c'|INVITE' '$T/flow.txt' || exit 1; done &&
     grep -q '^$V|5061|$W|5061||200|BYE' '$T/flow.txt'"
check "14 messages in all: both legs whole, nothing of the call after the reload" \
    test "$(wc -l < "$T/flow.txt")" -eq 14
check "the called number after the reload never reached the collector" \
    sh -c "! grep -aq 915550002222 '$T/hep.pcap'"
tshark -r "$T/hep.pcap" -Y sdp -T fields -e sdp.media_attr > "$T/sdp.txt" 2>/dev/null
check "SRTP keys are masked in the copies (inline:XXXX...)" sh -c \
    "grep -q 'inline:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' '$T/sdp.txt' && ! grep -q 'inline:[A-WYZa-z0-9+/]' '$T/sdp.txt'"
check "the VC's real key is not in the capture" sh -c \
    "! grep -aqF '$(printf '%s' "$VC_CRYPTO" | sed 's/.*inline://')' '$T/hep.pcap'"
check "sbcd is still running" alive $SBCD_PID
