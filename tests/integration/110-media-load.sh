#!/bin/sh
# 110-media-load.sh: 200 calls with media both ways through sbcd lose no
# packet on loopback: 3CX plays 250 RTP packets into each call, the Voice
# Connector 250 SRTP packets back; sbcd's per-call counters must show every
# packet in and out on both sides, none lost, dropped or failing
# authentication.  Then a realm with room for one call refuses a second.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
. "$ROOT/tests/lib/media.sh"
sip_trap

lab_conf "$T/sbc.conf"
sed -i -e 's/keepalive = "options";/keepalive = "disable";/' \
    -e 's/redundancy_mode = "homing";/redundancy_mode = "parking";/' "$T/sbc.conf"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5

media_pcap "$T/pbx.pcap" --count 250 --ssrc 1000aaaa > /dev/null
media_pcap "$T/vc.pcap" --count 250 --tone 400 --ssrc 2000bbbb --srtp-key "$MEDIA_VC_KEY" > /dev/null
media_scenario pbx_uac_rtp "$T/uac.xml" "$T/pbx.pcap" > /dev/null
media_scenario vc_uas_srtp "$T/uas.xml" "$T/vc.pcap" > /dev/null
media_uas vc vcuas "$T/uas.xml" 40100; up=$SIPP_PID
SIPP_TIMEOUT=120
media_uac pbx pbxuac "$T/uac.xml" 40000 -m 200 -r 20 -d 6500; rc=$?
sleep 1; sipp_stop $up
check "200 calls with media complete: $(sipp_calls pbxuac) ok, $(sipp_failed pbxuac) failed (sipp $rc)" \
    test $rc -eq 0 -a "$(sipp_calls pbxuac)" -eq 200
n=$(grep -c 'media PCMU: A in' "$T/sbcd.log")
full=$(grep -c 'media PCMU: A in 250 out 250 dropped 0 auth-failed 0 lost 0; B in 250 out 250 dropped 0 auth-failed 0 lost 0' "$T/sbcd.log")
check "every one of the $n calls relayed 250/250 packets each way with no loss ($full)" \
    test "$n" -eq 200 -a "$full" -eq 200
kill -TERM $SBCD_PID; wait $SBCD_PID

# ---- a realm with room for one call: the second concurrent call gets 503
sed -i 's/name = "MR-VC";  interface = "WAN"; port_start = 30000; session_legs = 2000;/name = "MR-VC";  interface = "WAN"; port_start = 30000; session_legs = 1;/' "$T/sbc.conf"
grep -q 'session_legs = 1;' "$T/sbc.conf" || nok "the one-call realm is configured"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd2.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd2.log" 5
vc_uas vcuas2 uas_basic.xml; up=$SIPP_PID
pbx_uac one uac_basic.xml -m 2 -r 10 -d 2000; rc=$?
sleep 0.5; sipp_stop $up
check "one-call realm: one call completes, the second is refused ($(sipp_calls one) ok, $(sipp_failed one) failed)" \
    test "$(sipp_calls one)" -eq 1 -a "$(sipp_failed one)" -eq 1
check "one-call realm: the refusal is 503" test "$(sip_count "$T/one.msg" 'SIP/2.0 503')" -ge 1
check "one-call realm: the log says the realm is exhausted" grep -q "media realm MR-VC is exhausted" "$T/sbcd2.log"
check "one-call realm: the VC saw one INVITE only" test "$(sip_count "$T/vcuas2.msg" INVITE)" -eq 1
