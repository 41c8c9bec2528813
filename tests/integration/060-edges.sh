#!/bin/sh
# 060-edges.sh: requests sbcd answers itself: a BYE for no dialog gets 481, an
# INVITE whose Max-Forwards is 0 gets 483, an unclassified OPTIONS gets 403,
# and none of them reaches the far side.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
vc_uas far uas_basic.xml; FAR=$SIPP_PID
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
sip_track $!
wait_for "started on" "$T/sbcd.log" 5

raw() { python3 "$ROOT/tests/lib/rawsip.py" "$@"; }
check "a BYE for a dialog that does not exist gets 481" \
    test "$(raw 127.0.0.10 5080 127.0.0.1 5060 bye-unknown)" = "SIP/2.0 481 Call/Transaction Does Not Exist"
check "an INVITE with Max-Forwards 0 gets 483" \
    test "$(raw 127.0.0.10 5081 127.0.0.1 5060 mf0)" = "SIP/2.0 483 Too Many Hops"
check "OPTIONS from 3CX to sbcd gets 200" \
    test "$(raw 127.0.0.10 5082 127.0.0.1 5060 options)" = "SIP/2.0 200 OK"
check "OPTIONS from an unclassified address gets 403" \
    test "$(raw 127.0.0.98 5060 127.0.0.1 5060 options)" = "SIP/2.0 403 Forbidden"
sleep 0.3
sipp_stop $FAR
check "none of them reached the Voice Connector" test "$(sip_count "$T/far.msg" 'INVITE|BYE')" -eq 0
