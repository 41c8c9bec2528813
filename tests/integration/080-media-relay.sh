#!/bin/sh
# 080-media-relay.sh: media through sbcd both ways, counted on the far side:
# 3CX sends plain RTP (PCMU + RFC 2833 DTMF), sbcd protects it as SRTP toward
# the Voice Connector, which decrypts it with the key sbcd offered; the VC
# sends SRTP back, 3CX gets plain RTP.  Every packet sent arrives, the tones
# and the DTMF digits are intact, and the media comes from sbcd's ports.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
. "$ROOT/tests/lib/media.sh"
sip_trap

lab_conf "$T/sbc.conf"
# no keep-alive here: a SIPp UAS run with -m 1 would count an OPTIONS as its call
sed -i -e 's/keepalive = "options";/keepalive = "disable";/' \
    -e 's/redundancy_mode = "homing";/redundancy_mode = "parking";/' "$T/sbc.conf"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5

# ---- 3CX -> VC
media_pcap "$T/pbx.pcap" --count 250 --dtmf 12 --ssrc 1000aaaa > /dev/null
media_scenario pbx_uac_rtp "$T/uac.xml" "$T/pbx.pcap" > /dev/null
media_scenario vc_uas_srtp "$T/uas.xml" "" > /dev/null
rtppeer_start vcm --bind 127.0.0.21:40100 --peer-file "$T/vcm.peer" --srtp-out-key "$MEDIA_VC_KEY" \
    --count 250 --tone 400 --start-after 0.5 --expect 266 --expect-dtmf 12 --record "$T/vcm.wav"
rtppeer_start pbxm --bind 127.0.0.10:40000 --expect 250 --record "$T/pbxm.wav"
media_uas vc vcuas "$T/uas.xml" 40100 -m 1; up=$SIPP_PID
( media_uac pbx pbxuac "$T/uac.xml" 40000 -d 7000 ) & uacpid=$!
media_wait_sdp "$T/vcuas.msg" INVITE > "$T/vcm.peer.tmp" && mv "$T/vcm.peer.tmp" "$T/vcm.peer"
wait $uacpid; rc=$?
sipp_wait $up; rtppeer_wait vcm; rtppeer_wait pbxm
check "3CX->VC: the call completes (sipp $rc)" test $rc -eq 0
check "3CX->VC: the VC decrypts every packet 3CX sent: $(rtp_get vcm unique)/266" \
    test "$(rtp_get vcm unique)" = 266
check "3CX->VC: no SRTP authentication failure at the VC" test "$(rtp_get vcm auth_fail)" = 0
check "3CX->VC: no packet lost on the way" test "$(rtp_get vcm lost)" = 0
check "3CX->VC: the DTMF digits arrive (RFC 2833)" test "$(rtp_get vcm dtmf)" = 12
check "3CX->VC: the VC gets media only from sbcd's WAN ports" \
    sh -c "rtp_get() { :; }; grep -q '127.0.0.2:300' '$T/vcm.json' && ! grep -q '127.0.0.10:' '$T/vcm.json'"
check "3CX->VC: the 1000 Hz tone survives RTP->SRTP" media_tone "$T/vcm.wav" 1000 400
check "VC->3CX media: 3CX gets all 250 packets as plain RTP: $(rtp_get pbxm unique)" \
    test "$(rtp_get pbxm unique)" = 250
check "VC->3CX media: the 400 Hz tone survives SRTP->RTP" media_tone "$T/pbxm.wav" 400 1000

# ---- VC -> 3CX: the VC offers its key, sbcd answers with its own
media_pcap "$T/vc.pcap" --count 250 --tone 400 --dtmf 9 --ssrc 2000bbbb --srtp-key "$MEDIA_VC_KEY" > /dev/null
media_scenario vc_uac_srtp "$T/uac2.xml" "$T/vc.pcap" > /dev/null
media_scenario pbx_uas_rtp "$T/uas2.xml" "" > /dev/null
rtppeer_start pbxm2 --bind 127.0.0.10:40200 --peer-file "$T/pbxm2.peer" --count 250 --tone 1000 \
    --start-after 0.5 --expect 258 --expect-dtmf 9 --record "$T/pbxm2.wav"
rtppeer_start vcm2 --bind 127.0.0.21:40300 --peer-file "$T/vcm2.peer" --expect 250 --record "$T/vcm2.wav"
media_uas pbx pbxuas "$T/uas2.xml" 40200 -m 1; up=$SIPP_PID
( media_uac vc vcuac "$T/uac2.xml" 40300 -d 7000 ) & uacpid=$!
media_wait_sdp "$T/pbxuas.msg" INVITE > "$T/p.tmp" && mv "$T/p.tmp" "$T/pbxm2.peer"
media_wait_sdp "$T/vcuac.msg" 'SIP/2.0 200' > "$T/v.tmp" && mv "$T/v.tmp" "$T/vcm2.peer"
wait $uacpid; rc=$?
sipp_wait $up; rtppeer_wait pbxm2; rtppeer_wait vcm2
check "VC->3CX: the call completes (sipp $rc)" test $rc -eq 0
check "VC->3CX: 3CX gets every packet the VC sent, decrypted: $(rtp_get pbxm2 unique)/258" \
    test "$(rtp_get pbxm2 unique)" = 258
check "VC->3CX: the DTMF digit arrives" test "$(rtp_get pbxm2 dtmf)" = 9
check "VC->3CX: 3CX gets media only from sbcd's LAN ports" \
    sh -c "grep -q '127.0.0.1:200' '$T/pbxm2.json' && ! grep -q '127.0.0.2[01]:' '$T/pbxm2.json'"
check "3CX->VC media in that call: the VC decrypts all 250 with sbcd's key: $(rtp_get vcm2 unique)" \
    test "$(rtp_get vcm2 unique)" = 250 -a "$(rtp_get vcm2 auth_fail)" = 0
check "sbcd's counters: nothing lost or failing authentication in either call" \
    sh -c "! grep 'media PCMU' '$T/sbcd.log' | grep -Eq '(auth-failed|lost) [1-9]'"
check "sbcd never logs an SRTP key" sh -c "! grep -q 'inline:' '$T/sbcd.log'"
