#!/bin/sh
# 100-media-guard.sh: what the media anchor refuses and when it gives up.
# RTP sprayed at sbcd's relay ports from another address during a call is
# not forwarded and does not move the media (RTP Bleed); a side that stops
# sending gets the call released: both legs get a BYE with a Reason header
# within the IP profile's media timeout (the guide's "WAN down" caveat).
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
. "$ROOT/tests/lib/media.sh"
sip_trap

lab_conf "$T/sbc.conf"
sed -i -e 's/keepalive = "options";/keepalive = "disable";/' \
    -e 's/redundancy_mode = "homing";/redundancy_mode = "parking";/' \
    -e 's/media_timeout = 30;/media_timeout = 3;/' "$T/sbc.conf"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5

# ---- spray: a call with media both ways, and a stranger at 127.0.0.66
media_pcap "$T/pbx.pcap" --count 250 --ssrc 1000aaaa > /dev/null
media_scenario pbx_uac_rtp "$T/uac.xml" "$T/pbx.pcap" > /dev/null
media_scenario vc_uas_srtp "$T/uas.xml" "" > /dev/null
rtppeer_start vcm --bind 127.0.0.21:40100 --peer-file "$T/vcm.peer" --srtp-out-key "$MEDIA_VC_KEY" \
    --count 250 --tone 400 --start-after 0.5 --expect 250
rtppeer_start pbxm --bind 127.0.0.10:40000 --expect 250
media_uas vc vcuas "$T/uas.xml" 40100 -m 1; up=$SIPP_PID
( media_uac pbx pbxuac "$T/uac.xml" 40000 -d 7000 ) & uacpid=$!
media_wait_sdp "$T/vcuas.msg" INVITE > "$T/vcm.peer.tmp" && mv "$T/vcm.peer.tmp" "$T/vcm.peer"
media_wait_sdp "$T/pbxuac.msg" 'SIP/2.0 200' > "$T/lan.peer"
lan=$(cut -d' ' -f1,2 "$T/lan.peer" | tr ' ' ':'); wan=$(cut -d' ' -f1,2 "$T/vcm.peer" | tr ' ' ':')
sleep 1
# plain RTP at both relay ports from a stranger, same payload type and a plausible SSRC
rtppeer spray-lan --bind 127.0.0.66:41000 --send-to "$lan" --count 100 --pps 200 --ssrc 1000aaaa --duration 1
rtppeer spray-wan --bind 127.0.0.66:41002 --send-to "$wan" --count 100 --pps 200 --duration 1
wait $uacpid; rc=$?
sipp_wait $up; rtppeer_wait vcm; rtppeer_wait pbxm
check "spray: the call completes (sipp $rc)" test $rc -eq 0
check "spray: the VC gets exactly 3CX's 250 packets, none of the stranger's: $(rtp_get vcm unique)" \
    test "$(rtp_get vcm unique)" = 250 -a "$(rtp_get vcm auth_fail)" = 0
check "spray: 3CX gets exactly the VC's 250 packets: $(rtp_get pbxm unique)" test "$(rtp_get pbxm unique)" = 250
check "spray: nothing reaches the stranger (the media did not move)" \
    test "$(rtp_get spray-lan received)" = 0 -a "$(rtp_get spray-wan received)" = 0
check "spray: sbcd counted the stranger's packets as dropped or failing authentication" \
    sh -c "grep 'call=1 media' '$T/sbcd.log' | grep -Eq 'A in 250 .*dropped (9[0-9]|1[0-9][0-9]).*B in 250 .*auth-failed (9[0-9]|1[0-9][0-9])'"

# ---- inactivity: the VC never sends media; after 3 s both legs get BYE
sed -e 's/\[media_port\]/[media_port+10]/g' "$SIPDIR/uac_callee_bye.xml" > "$T/uac_wait.xml"
rtppeer_start pbxm2 --bind 127.0.0.10:40200 --peer-file "$T/lan2.peer" --count 1000 --start-after 0.2
vc_uas vcidle uas_basic.xml -m 1; up=$SIPP_PID
t0=$(date +%s)
( media_uac pbx pbxidle "$T/uac_wait.xml" 40200 ) & uacpid=$!
media_wait_sdp "$T/pbxidle.msg" 'SIP/2.0 200' 1 sent > /dev/null 2>&1
media_wait_sdp "$T/pbxidle.msg" 'SIP/2.0 200' > "$T/l.tmp" && mv "$T/l.tmp" "$T/lan2.peer"
wait $uacpid; rc=$?
t1=$(date +%s)
sipp_wait $up 5; rtppeer_stop pbxm2 2>/dev/null
check "inactivity: the call is released by sbcd in $((t1 - t0)) s (timeout 3 s)" \
    test $rc -eq 0 -a $((t1 - t0)) -le 7
check "inactivity: the VC gets a BYE with a Reason header" sip_has "$T/vcidle.msg" BYE Reason "media inactivity"
check "inactivity: 3CX gets a BYE too" test "$(sip_count "$T/pbxidle.msg" BYE)" -ge 1
check "inactivity: sbcd says which side went silent" grep -q "nothing from side B for 3 s" "$T/sbcd.log"

# ---- NAT: with media_nat the PBX's RTP is taken from its SIP address on any
# port (latched to the first packet); without it the same packets are dropped
media_scenario pbx_uac_rtp "$T/uac-quiet.xml" "" > /dev/null
log=$T/sbcd.log
for nat in false true; do
	sbcd_stop_clean $SBCD_PID "$log"
	sed -e "s/media_timeout = 3;/media_timeout = 30; media_nat = $nat;/" "$T/sbc.conf" > "$T/sbc-nat.conf"
	"$SBCD" -D -f "$T/sbc-nat.conf" > "$T/sbcd-nat-$nat.log" 2>&1 &
	SBCD_PID=$!; log=$T/sbcd-nat-$nat.log
	sip_track $SBCD_PID
	wait_for "started on" "$T/sbcd-nat-$nat.log" 5
	rm -f "$T/vcn.peer"
	rtppeer_start vcn --bind 127.0.0.21:40500 --peer-file "$T/vcn.peer" --duration 8
	media_uas vc vcnat-$nat "$T/uas.xml" 40500 -m 1; up=$SIPP_PID
	( media_uac pbx pbxnat-$nat "$T/uac-quiet.xml" 40400 -d 4000 ) & uacpid=$!
	media_wait_sdp "$T/vcnat-$nat.msg" INVITE > "$T/v.tmp" && mv "$T/v.tmp" "$T/vcn.peer"
	media_wait_sdp "$T/pbxnat-$nat.msg" 'SIP/2.0 200' > "$T/lan.peer"
	lan=$(cut -d' ' -f1,2 "$T/lan.peer" | tr ' ' ':')
	# from 3CX's IP, but not the port its SDP names (a NAT rewrote it)
	rtppeer natsrc-$nat --bind 127.0.0.10:47000 --send-to "$lan" --count 100 --duration 3
	wait $uacpid; sipp_wait $up; rtppeer_wait vcn 10
	got=$(rtp_get vcn unique)
	if [ $nat = true ]; then
		check "media_nat on: RTP from 3CX's SIP address on another port is relayed ($got/100)" \
		    test "$got" = 100
	else
		check "media_nat off: RTP from 3CX's IP on a port its SDP did not name is dropped (${got:-0})" \
		    test "${got:-0}" = 0
	fi
done
sbcd_stop_clean $SBCD_PID "$log"
