#!/bin/sh
# selfcheck.sh [ERE]: the media harness, peer to peer, without sbcd.  Run as
# root in a private netns (baresip binds RTP to 0.0.0.0):
#   make lab && unshare --net sh -c 'ip link set lo up; sh tests/media/selfcheck.sh'
# ERE selects parts by name: baresip rtppeer sipp-pbx sipp-vc bs-srtp
# Prints "ok - ..." / "not ok - ..." and "N passed, N failed"; logs in
# build/media-selfcheck/selfcheck/.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/common.sh"
OUT=$ROOT/build/media-selfcheck
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
. "$ROOT/tests/lib/media.sh"
sip_trap
SEL=${1:-.}
want() { echo "$1" | grep -Eq -- "$SEL"; }
# check with a counter
P=0 F=0
c() { if check "$@" | tee -a "$T/results" | grep -q '^ok'; then P=$((P + 1)); else F=$((F + 1)); fi; }
check() { _nm=$1; shift; if "$@"; then echo "ok - $_nm"; else echo "not ok - $_nm"; fi; }
eq() { [ "$1" = "$2" ] || { echo "    got '$1', want '$2'" >&2; return 1; }; }
[ -f "$PKI/vc.crt" ] || { echo "not ok - lab PKI missing: make lab"; exit 1; }

# ---- 1. baresip pbx <-> baresip vc, TLS + SRTP, both directions ------------------
if want baresip; then
	media_src_routes pbx-vc
	BS_TP=tls BS_ENC=srtp-mand BS_CERT=sbc bs_start pbx pbx
	c "baresip pbx starts (ctrl_tcp 127.0.0.10:4444)" test -f "$T/pbx.pid"
	bs_start vc vc
	c "baresip vc starts (TLS 127.0.0.20:5061)" sip_listening tcp 127.0.0.20 5061 1
	for dir in pbx-vc vc-pbx; do
		a=${dir%-*} b=${dir#*-}
		bip=$(cat "$T/$b.ip")
		c "$dir: $a dials $b, CALL_ESTABLISHED" bs_dial "$a" "sip:$SIP_SERVICE@$bip" 10
		c "$dir: $b answers" bs_wait "$b" CALL_ESTABLISHED $(( $(bs_count "$b" CALL_CLOSED) + 1 )) 5
		c "$dir: SRTP suite AES_CM_128_HMAC_SHA1_80" eq "$(bs_menc "$a")" AES_CM_128_HMAC_SHA1_80
		sleep 2
		k1=$(bs_dtmf_rx "$b") k2=$(bs_dtmf_rx "$a")
		bs_dtmf "$a" 159
		bs_dtmf "$b" '#0'
		sleep 1.5
		c "$dir: $b received DTMF 159" eq "$(bs_dtmf_rx "$b")" "${k1}159"
		c "$dir: $a received DTMF #0" eq "$(bs_dtmf_rx "$a")" "${k2}#0"
		c "$dir: $a hangs up, CALL_CLOSED" bs_hangup "$a" 10
		c "$dir: $b sees CALL_CLOSED" bs_wait "$b" CALL_CLOSED $(( $(bs_count "$a" CALL_CLOSED) )) 5
		sleep 0.3
		c "$dir: vc heard 1000 Hz from pbx" media_tone "$(bs_rec vc)" 1000 400
		c "$dir: pbx heard 400 Hz from vc" media_tone "$(bs_rec pbx)" 400 1000
		mkdir -p "$T/rec-$dir"; mv "$T"/pbx/rec/* "$T"/vc/rec/* "$T/rec-$dir/" 2>/dev/null
	done
	# what the far end sees as source (routes on): TLS from 127.0.0.10, not .1
	c "with media_src_routes the pbx's TLS comes from 127.0.0.10" grep -q '^TLS 127.0.0.10:[0-9]* -> 127.0.0.20:5061' "$T/vc.log"
	bs_stop pbx; bs_stop vc
	media_src_routes off
fi

# ---- 2. rtppeer <-> rtppeer, plain and SRTP, exact counts -------------------------
if want rtppeer; then
	K1=$("$MEDIA_PY" "$MEDIADIR/rtppeer.py" --gen-key) K2=$("$MEDIA_PY" "$MEDIADIR/rtppeer.py" --gen-key)
	for mode in plain srtp; do
		if [ $mode = srtp ]; then ka="--srtp-out-key $K1 --srtp-key $K2" kb="--srtp-out-key $K2 --srtp-key $K1"
		else ka= kb=; fi
		# A: 250 + DTMF "12" (16) = 266 packets; B: 300 + "#" (8) = 308, B's sequence wraps (ROC 0 -> 1)
		# shellcheck disable=SC2086
		rtppeer_start rp-b-$mode --bind 127.0.0.20:40000 --send-to 127.0.0.10:40000 --count 300 --tone 400 \
		    --dtmf '#' --seq 65400 --start-after 1 $kb --expect 266 --expect-dtmf 12 --expect-source 127.0.0.10:40000 \
		    --record "$T/rp-b-$mode.wav" --duration 20
		# shellcheck disable=SC2086
		rtppeer rp-a-$mode --bind 127.0.0.10:40000 --send-to 127.0.0.20:40000 --count 250 --tone 1000 \
		    --dtmf 12 --start-after 0.5 $ka --expect 308 --expect-dtmf '#' --expect-source 127.0.0.20:40000 \
		    --record "$T/rp-a-$mode.wav" --duration 20; ra=$?
		rtppeer_wait rp-b-$mode 10; rb=$?
		c "rtppeer $mode: A got exactly 308 (B's 300 + 8 DTMF, seq wrap), DTMF #, from B" \
		    eq "$ra $(rtp_get rp-a-$mode unique) $(rtp_get rp-a-$mode lost) $(rtp_get rp-a-$mode auth_fail)" "0 308 0 0"
		c "rtppeer $mode: B got exactly 266 (A's 250 + 16 DTMF), DTMF 12, from A" \
		    eq "$rb $(rtp_get rp-b-$mode unique) $(rtp_get rp-b-$mode dup) $(rtp_get rp-b-$mode reordered)" "0 266 0 0"
		c "rtppeer $mode: tones 1000 -> B, 400 -> A" sh -c "'$MEDIA_PY' '$MEDIADIR/tonecheck.py' '$T/rp-b-$mode.wav' 1000 400 >> '$T/tones.log' && '$MEDIA_PY' '$MEDIADIR/tonecheck.py' '$T/rp-a-$mode.wav' 400 1000 >> '$T/tones.log'"
	done
	# negative: the wrong key is refused, every packet counted as an auth failure
	rtppeer_start rp-neg --bind 127.0.0.20:40002 --srtp-key "$K2" --duration 5 --idle 1
	rtppeer rp-neg-tx --bind 127.0.0.10:40002 --send-to 127.0.0.20:40002 --count 20 --srtp-out-key "$K1" --duration 2
	rtppeer_wait rp-neg 10
	c "rtppeer: a wrong SRTP key gives 20 auth failures, 0 accepted" eq "$(rtp_get rp-neg auth_fail) $(rtp_get rp-neg unique)" "20 0"
fi

# ---- 3. SIPp PBX pair: plain RTP pcaps, counted by rtppeer sinks ------------------
if want sipp-pbx; then
	media_pcap "$T/pbx-a.pcap" --count 250 --dtmf 12 --tone 1000 --ssrc 1000aaaa > "$T/pbx-a.pcapinfo"
	media_pcap "$T/pbx-b.pcap" --count 250 --dtmf 3 --tone 400 --ssrc 1000bbbb > "$T/pbx-b.pcapinfo"
	media_scenario pbx_uac_rtp "$T/pbx_uac.xml" "$T/pbx-a.pcap" > /dev/null
	media_scenario pbx_uas_rtp "$T/pbx_uas.xml" "$T/pbx-b.pcap" > /dev/null
	rtppeer_start sp-uas --bind 127.0.0.11:40100 --expect 266 --expect-dtmf 12 --record "$T/sp-uas.wav" --duration 20
	rtppeer_start sp-uac --bind 127.0.0.10:40000 --expect 258 --expect-dtmf 3 --record "$T/sp-uac.wav" --duration 20
	media_uas pbx2 sp-uas-sipp "$T/pbx_uas.xml" 40100 -m 1; up=$SIPP_PID
	PBX_TARGET=127.0.0.11:5060 media_uac pbx sp-uac-sipp "$T/pbx_uac.xml" 40000 -d 6500; rc=$?
	sipp_wait $up 10; urc=$?
	c "sipp pbx pair: calls complete (uac $rc, uas $urc)" test $rc -eq 0 -a $urc -eq 0
	rtppeer_wait sp-uas 10; r1=$?; rtppeer_wait sp-uac 10; r2=$?
	c "sipp pbx: UAS side got exactly 266 (250 PCMU + 16 DTMF) from 127.0.0.10:40000, DTMF 12" \
	    eq "$r1 $(rtp_get sp-uas unique) $(rtp_get sp-uas lost) $(rtp_get sp-uas sources)" '0 266 0 {"127.0.0.10:40000": 266}'
	c "sipp pbx: UAC side got exactly 258 from 127.0.0.11:40100, DTMF 3" \
	    eq "$r2 $(rtp_get sp-uac unique) $(rtp_get sp-uac lost) $(rtp_get sp-uac sources)" '0 258 0 {"127.0.0.11:40100": 258}'
	c "sipp pbx: tones 1000 -> UAS, 400 -> UAC" sh -c "'$MEDIA_PY' '$MEDIADIR/tonecheck.py' '$T/sp-uas.wav' 1000 400 >> '$T/tones.log' && '$MEDIA_PY' '$MEDIADIR/tonecheck.py' '$T/sp-uac.wav' 400 1000 >> '$T/tones.log'"
fi

# ---- 4. SIPp VC pair over the stunnel loop: pre-encrypted SRTP pcaps ----------------
if want sipp-vc; then
	vc_stunnel_start "$T/stunnel-loop" $VC_IP:$VC_TLS_PORT host:lab.voiceconnector.chime.test
	c "stunnel loop starts" test -n "$STUNNEL_PID"
	media_pcap "$T/vc-a.pcap" --count 250 --dtmf 4 --tone 1000 --ssrc 2000aaaa --srtp-key "$MEDIA_VC_KEY" > "$T/vc-a.pcapinfo"
	media_pcap "$T/vc-b.pcap" --count 250 --dtmf 56 --tone 400 --ssrc 2000bbbb --srtp-key "$MEDIA_VC_KEY" > "$T/vc-b.pcapinfo"
	media_scenario vc_uac_srtp "$T/vc_uac.xml" "$T/vc-a.pcap" > /dev/null
	media_scenario vc_uas_srtp "$T/vc_uas.xml" "$T/vc-b.pcap" > /dev/null
	rtppeer_start sv-uas --bind 127.0.0.21:40100 --srtp-key "$MEDIA_VC_KEY" --expect 258 --expect-dtmf 4 --record "$T/sv-uas.wav" --duration 20
	rtppeer_start sv-uac --bind 127.0.0.21:40000 --srtp-key "$MEDIA_VC_KEY" --expect 266 --expect-dtmf 56 --record "$T/sv-uac.wav" --duration 20
	media_uas vc sv-uas-sipp "$T/vc_uas.xml" 40100 -m 1; up=$SIPP_PID
	VC_TARGET=$VC_IP:$VC_TLS_PORT media_uac vc sv-uac-sipp "$T/vc_uac.xml" 40000 -d 6500; rc=$?
	sipp_wait $up 10; urc=$?
	c "sipp vc pair (TLS via stunnel): calls complete (uac $rc, uas $urc)" test $rc -eq 0 -a $urc -eq 0
	c "sipp vc: the answer carries RTP/SAVP and the static a=crypto" \
	    eq "$(media_sdp "$T/sv-uac-sipp.msg" 'SIP/2.0 200')" "127.0.0.21 40100 $MEDIA_VC_KEY"
	rtppeer_wait sv-uas 10; r1=$?; rtppeer_wait sv-uac 10; r2=$?
	c "sipp vc: UAS side decrypted exactly 258 (250 + 8 DTMF), 0 auth failures, DTMF 4" \
	    eq "$r1 $(rtp_get sv-uas unique) $(rtp_get sv-uas auth_fail)" "0 258 0"
	c "sipp vc: UAC side decrypted exactly 266 (250 + 16 DTMF), 0 auth failures, DTMF 56" \
	    eq "$r2 $(rtp_get sv-uac unique) $(rtp_get sv-uac auth_fail)" "0 266 0"
	c "sipp vc: decrypted tones 1000 -> UAS, 400 -> UAC" sh -c "'$MEDIA_PY' '$MEDIADIR/tonecheck.py' '$T/sv-uas.wav' 1000 400 >> '$T/tones.log' && '$MEDIA_PY' '$MEDIADIR/tonecheck.py' '$T/sv-uac.wav' 400 1000 >> '$T/tones.log'"
	vc_stunnel_stop
fi

# ---- 5. SIPp/rtppeer SRTP against baresip (independent SRTP stack) ----------------
# baresip stands where sbcd's WAN side will be (127.0.0.2:5061, sbc.crt); the
# VC side is SIPp behind stunnel, media by pcap or by rtppeer.
if want bs-srtp; then
	vc_stunnel_start "$T/stunnel-sbc"
	BS_TP=tls BS_ENC=srtp-mand BS_CERT=sbc BS_TONE=700 bs_start sbc peer 127.0.0.2
	c "baresip sbc stand-in starts (TLS 127.0.0.2:5061, sbc.crt)" sip_listening tcp 127.0.0.2 5061 1
	# 5a: VC UAC -> baresip: SIPp plays the pre-encrypted pcap; rtppeer decrypts
	#     baresip's SRTP with the key of its 200 OK (--peer-file)
	media_pcap "$T/bs-a.pcap" --count 250 --dtmf 7 --tone 1000 --srtp-key "$MEDIA_VC_KEY" > /dev/null
	media_scenario vc_uac_srtp "$T/bs_uac.xml" "$T/bs-a.pcap" > /dev/null
	rm -f "$T/bs-a.peer"
	rtppeer_start bs-a --bind 127.0.0.21:40000 --peer-file "$T/bs-a.peer" --record "$T/bs-a.wav" --duration 25 --idle 1.5
	( media_uac vc bs-a-sipp "$T/bs_uac.xml" 40000 -d 7000; echo $? > "$T/bs-a-sipp.rc" ) &
	bgpid=$!
	sdp=$(media_wait_sdp "$T/bs-a-sipp.msg" 'SIP/2.0 200' 10)
	echo "$sdp" > "$T/bs-a.peer.tmp"; mv "$T/bs-a.peer.tmp" "$T/bs-a.peer"
	c "bs-srtp a: baresip answers with RTP/SAVP + its own key ($sdp)" sh -c "echo '$sdp' | grep -Eq '^127.0.0.2 [0-9]+ [A-Za-z0-9+/]{40}$'"
	bs_wait sbc CALL_ESTABLISHED 1 5
	sleep 3; bs_dtmf sbc 28
	wait $bgpid
	c "bs-srtp a: the call completes (sipp $(cat "$T/bs-a-sipp.rc"))" eq "$(cat "$T/bs-a-sipp.rc")" 0
	rtppeer_wait bs-a 10
	c "bs-srtp a: baresip decrypted the pcap: 1000 Hz" media_tone "$(bs_rec sbc)" 1000 700
	c "bs-srtp a: baresip got DTMF 7 from the pcap" eq "$(bs_dtmf_rx sbc)" 7
	c "bs-srtp a: rtppeer decrypted baresip's SRTP (>= 250 packets, 0 auth failures, no loss)" \
	    eq "$(rtp_get bs-a auth_fail) $(rtp_get bs-a lost) $([ "$(rtp_get bs-a unique)" -ge 250 ] && echo many)" "0 0 many"
	c "bs-srtp a: rtppeer got baresip's DTMF 28" eq "$(rtp_get bs-a dtmf)" 28
	c "bs-srtp a: ... and its 700 Hz" media_tone "$T/bs-a.wav" 700 1000
	mkdir -p "$T/rec-bs-a"; mv "$T"/sbc/rec/* "$T/rec-bs-a/" 2>/dev/null
	# 5b: baresip -> VC UAS (no pcap): rtppeer sends SRTP with the static key
	#     to baresip's offer, and decrypts baresip's media with the offer's key
	media_scenario vc_uas_srtp "$T/bs_uas.xml" "" > /dev/null
	rm -f "$T/bs-b.peer"
	rtppeer_start bs-b --bind 127.0.0.21:40100 --peer-file "$T/bs-b.peer" --srtp-out-key "$MEDIA_VC_KEY" \
	    --count 200 --tone 1000 --dtmf 36 --start-after 0.5 --record "$T/bs-b.wav" --duration 25 --idle 1.5
	media_uas vc bs-b-sipp "$T/bs_uas.xml" 40100 -m 1; up=$SIPP_PID
	bs_cmd sbc dial "sip:$SIP_SERVICE@$VC_IP"
	sdp=$(media_wait_sdp "$T/bs-b-sipp.msg" INVITE 10)
	echo "$sdp" > "$T/bs-b.peer.tmp"; mv "$T/bs-b.peer.tmp" "$T/bs-b.peer"
	c "bs-srtp b: baresip offers RTP/SAVP + a key ($sdp)" sh -c "echo '$sdp' | grep -Eq '^127.0.0.2 [0-9]+ [A-Za-z0-9+/]{40}$'"
	bs_wait sbc CALL_ESTABLISHED 2 10
	sleep 6
	bs_dtmf sbc 0
	sleep 1
	bs_hangup sbc 10
	sipp_wait $up 10; urc=$?
	rtppeer_wait bs-b 10
	c "bs-srtp b: the call completes (uas $urc)" test $urc -eq 0
	c "bs-srtp b: rtppeer sent 216 SRTP packets (200 + 16 DTMF)" eq "$(rtp_get bs-b sent)" 216
	c "bs-srtp b: baresip decrypted rtppeer's SRTP: 1000 Hz" media_tone "$(bs_rec sbc)" 1000 700
	c "bs-srtp b: baresip got rtppeer's DTMF 36" eq "$(bs_dtmf_rx sbc)" 736
	c "bs-srtp b: rtppeer decrypted baresip's offer-key SRTP, 0 auth failures, DTMF 0" \
	    eq "$(rtp_get bs-b auth_fail) $(rtp_get bs-b lost) $(rtp_get bs-b dtmf)" "0 0 0"
	grep -h 'X-RTP-Stat' "$T/sbc.log" | tail -n 2 > "$T/bs-rtpstat" 2>/dev/null
	c "bs-srtp: baresip's RTP came from 127.0.0.1 (0.0.0.0-bound, no src routes)" \
	    sh -c "grep -q '\"127.0.0.1:' '$T/bs-a.json' && grep -q '\"127.0.0.1:' '$T/bs-b.json'"
	bs_stop sbc
	vc_stunnel_stop
fi

sip_cleanup
echo "$P passed, $F failed"
[ "$F" -eq 0 ]
