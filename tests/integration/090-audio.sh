#!/bin/sh
# 090-audio.sh: real audio end to end through sbcd: baresip as 3CX (UDP, plain
# RTP) and baresip as the Voice Connector (TLS, mandatory SRTP) call each other
# both ways; each records the tone the other plays and its frequency is
# checked, which proves sbcd's SRTP keys work in both directions; RFC 2833
# DTMF digits sent by one side arrive at the other.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
. "$ROOT/tests/lib/media.sh"
sip_trap

# baresip sends from unbound sockets: make them leave from 3CX's and the VC's
# addresses (this namespace only), so that classification and latching see
# what a real 3CX and Voice Connector would send from
media_src_routes sbc || nok "source routes for baresip"
lab_conf "$T/sbc.conf"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
sip_track $!
wait_for "started on" "$T/sbcd.log" 5
bs_start pbx pbx || nok "baresip as 3CX starts"
bs_start vc vc || nok "baresip as the Voice Connector starts"

# ---- 3CX calls the Voice Connector
check "3CX->VC: the call is answered" bs_dial pbx "sip:15550001000@127.0.0.1" 15
check "3CX->VC: the VC negotiates SRTP AES_CM_128_HMAC_SHA1_80 with sbcd" \
    sh -c "sleep 1; grep -q 'AES_CM_128_HMAC_SHA1_80' '$T/vc.events'"
sleep 3
bs_dtmf pbx 159
sleep 2
check "3CX->VC: the DTMF digits 159 arrive at the VC ($(bs_dtmf_rx vc))" test "$(bs_dtmf_rx vc)" = 159
bs_hangup pbx 10
check "3CX->VC: the VC sees the hang-up" bs_wait vc CALL_CLOSED 1 10
check "3CX->VC: the VC hears 3CX's 1000 Hz tone (RTP -> SRTP)" media_tone "$(bs_rec vc)" 1000 400
check "3CX->VC: 3CX hears the VC's 400 Hz tone (SRTP -> RTP)" media_tone "$(bs_rec pbx)" 400 1000

# ---- the Voice Connector calls 3CX
sleep 1
check "VC->3CX: the call is answered" bs_dial vc "sip:15550001000@127.0.0.2" 15
sleep 3
bs_dtmf vc 7
sleep 2
check "VC->3CX: the DTMF digit 7 arrives at 3CX ($(bs_dtmf_rx pbx))" test "$(bs_dtmf_rx pbx)" = 7
bs_hangup vc 10
check "VC->3CX: 3CX sees the hang-up" bs_wait pbx CALL_CLOSED 2 10
check "VC->3CX: 3CX hears the VC's 400 Hz tone" media_tone "$(bs_rec pbx)" 400 1000
check "VC->3CX: the VC hears 3CX's 1000 Hz tone" media_tone "$(bs_rec vc)" 1000 400
check "both calls carried media through sbcd ($(grep -c 'media PCMU' "$T/sbcd.log") logged)" \
    test "$(grep -c 'media PCMU: A in [1-9]' "$T/sbcd.log")" -eq 2
check "no SRTP authentication failure in either call" \
    sh -c "! grep 'media PCMU' '$T/sbcd.log' | grep -q 'auth-failed [1-9]'"
bs_stop pbx; bs_stop vc
media_src_routes off
