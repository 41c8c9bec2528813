#!/bin/sh
# 085-srtp-engines.sh: the libsrtp2 SRTP engine carries real audio (080's
# 3CX->VC call, SRTP toward the VC's own decoder), and global.srtp_engine is
# reloadable: a reload to "openssl" during that call leaves the call on
# libsrtp2, untouched, and the next call runs on openssl.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
. "$ROOT/tests/lib/media.sh"
sip_trap

lab_conf "$T/sbc.conf"
# as 080: no keep-alive (a SIPp UAS run with -m 1 would count an OPTIONS)
sed -i -e 's/keepalive = "options";/keepalive = "disable";/' \
    -e 's/redundancy_mode = "homing";/redundancy_mode = "parking";/' \
    -e 's/log_level = "info";/log_level = "debug";/' \
    -e 's|^global = {|global = {\n  srtp_engine = "libsrtp2";|' "$T/sbc.conf"
check "the lab config selects the libsrtp2 engine" grep -q 'srtp_engine = "libsrtp2";' "$T/sbc.conf"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5
check "sbcd starts on the libsrtp2 engine" grep -q 'SRTP engine: libsrtp2' "$T/sbcd.log"

media_pcap "$T/pbx.pcap" --count 250 --dtmf 12 --ssrc 1000aaaa > /dev/null
media_scenario pbx_uac_rtp "$T/uac.xml" "$T/pbx.pcap" > /dev/null
media_scenario vc_uas_srtp "$T/uas.xml" "" > /dev/null

# call N: 3CX calls the VC; 3CX's plain RTP leaves sbcd as SRTP, the VC's
# SRTP reaches 3CX as plain RTP.  $2: run during the call.
call() {
	n=$1
	rtppeer_start vcm$n --bind 127.0.0.21:40100 --peer-file "$T/vcm$n.peer" \
	    --srtp-out-key "$MEDIA_VC_KEY" --count 250 --tone 400 --start-after 0.5 \
	    --expect 266 --expect-dtmf 12 --record "$T/vcm$n.wav"
	rtppeer_start pbxm$n --bind 127.0.0.10:40000 --expect 250 --record "$T/pbxm$n.wav"
	media_uas vc vcuas$n "$T/uas.xml" 40100 -m 1; up=$SIPP_PID
	( media_uac pbx pbxuac$n "$T/uac.xml" 40000 -d 7000 ) & uacpid=$!
	media_wait_sdp "$T/vcuas$n.msg" INVITE > "$T/vcm$n.peer.tmp" &&
	    mv "$T/vcm$n.peer.tmp" "$T/vcm$n.peer"
	eval "$2"
	wait $uacpid; rc=$?
	sipp_wait $up; rtppeer_wait vcm$n; rtppeer_wait pbxm$n
	e=$3
	check "$e call: completes (sipp $rc)" test $rc -eq 0
	check "$e call: the VC decrypts every packet 3CX sent: $(rtp_get vcm$n unique)/266" \
	    test "$(rtp_get vcm$n unique)" = 266
	check "$e call: no SRTP authentication failure at the VC" \
	    test "$(rtp_get vcm$n auth_fail)" = 0
	check "$e call: the DTMF digits arrive" test "$(rtp_get vcm$n dtmf)" = 12
	check "$e call: the 1000 Hz tone survives RTP->SRTP" media_tone "$T/vcm$n.wav" 1000 400
	check "$e call: 3CX gets all 250 of the VC's SRTP packets as RTP: $(rtp_get pbxm$n unique)" \
	    test "$(rtp_get pbxm$n unique)" = 250
	check "$e call: the 400 Hz tone survives SRTP->RTP" media_tone "$T/pbxm$n.wav" 400 1000
}

# the switch: edit the file and reload while call 1 runs
switch_engine() {
	sleep 2
	sed -i 's/srtp_engine = "libsrtp2";/srtp_engine = "openssl";/' "$T/sbc.conf"
	kill -HUP $SBCD_PID
	wait_for "reload done" "$T/sbcd.log" 5
}

call 1 switch_engine libsrtp2
check "the reload during call 1 succeeds and selects openssl" \
    sh -c "grep -q 'reload done' '$T/sbcd.log' && grep -q 'SRTP engine: openssl' '$T/sbcd.log'"
check "the reload came while call 1 was up" \
    sh -c "grep -E 'reload done|call=1 ended' '$T/sbcd.log' | head -n 1 | grep -q 'reload done'"
c1=$(grep -o 'call=[0-9]* media: SRTP .*engine [a-z0-9]*' "$T/sbcd.log" | head -n 1)
check "call 1's SRTP contexts were made by libsrtp2 ($c1)" \
    sh -c "echo '$c1' | grep -q 'engine libsrtp2\$'"

call 2 : openssl
c2=$(grep -o 'call=[0-9]* media: SRTP .*engine [a-z0-9]*' "$T/sbcd.log" | sed -n 2p)
check "call 2's SRTP contexts were made by openssl ($c2)" \
    sh -c "echo '$c2' | grep -q 'engine openssl\$'"
check "sbcd's counters: nothing lost or failing authentication in either call" \
    sh -c "! grep 'media PCMU' '$T/sbcd.log' | grep -Eq '(auth-failed|lost) [1-9]'"
check "sbcd never logs an SRTP key" sh -c "! grep -q 'inline:' '$T/sbcd.log'"
