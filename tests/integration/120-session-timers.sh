#!/bin/sh
# 120-session-timers.sh: RFC 4028 in the IP profiles' "supported" mode, as the
# guide sets it.  The Voice Connector never refreshes: sbcd asks for a
# 90 s session toward it and refreshes it itself, three times and more, while
# the call lives on; a refresh the far end refuses ends the call on both
# sides; a 422 with Min-SE is answered by asking again with that interval.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
# the VC's profile: a 90 s session interval; no media in these calls, so no
# inactivity release; no keep-alive (the UAS's -m 1 would count an OPTIONS)
sed -i -e '/name = "IPP-VC";/,/}/s/session_expires = 1800;/session_expires = 90;/' \
    -e 's/media_timeout = 30;/media_timeout = 0;/' \
    -e 's/keepalive = "options";/keepalive = "disable";/' \
    -e 's/redundancy_mode = "homing";/redundancy_mode = "parking";/' "$T/sbc.conf"
grep -q 'session_expires = 90;' "$T/sbc.conf" || nok "the 90 s interval is configured"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
sip_track $!
wait_for "started on" "$T/sbcd.log" 5

# ---- 422: the VC wants at least 120 s; sbcd asks again with 120
vc_uas v422 uas_422.xml -m 1; U=$SIPP_PID
pbx_uac c422 uac_basic.xml -d 500; rc=$?
sipp_wait $U 5
check "422: the call completes after sbcd asks again (sipp $rc)" test $rc -eq 0
check "422: the first INVITE asked for 90 s" sip_has "$T/v422.msg" INVITE Session-Expires '^90;refresher=uac' 1
check "422: the second asks for the 422's Min-SE, 120 s" sip_has "$T/v422.msg" INVITE Session-Expires '^120;refresher=uac' 2

# ---- sbcd refreshes the VC's leg every 45 s; the call lives through three
SIPP_UAS_TIMEOUT=200
vc_uas refresh uas_refresh.xml -m 1; U=$SIPP_PID
SIPP_TIMEOUT=200
pbx_uac long uac_headers.xml -d 140000; rc=$?
sipp_wait $U 10
n=$(sip_count "$T/refresh.msg" INVITE)
check "refresh: the 140 s call completes (sipp $rc)" test $rc -eq 0
check "refresh: sbcd refreshed the VC's leg $((n - 1)) times (at least 3)" test "$n" -ge 4
check "refresh: each refresh asks for 90 s with sbcd as refresher" \
    sip_has "$T/refresh.msg" INVITE Session-Expires '^90;refresher=uac' 2
check "refresh: the refreshes stay on sbcd's side (3CX saw no re-INVITE)" \
    test "$(sip_count "$T/long.msg" INVITE)" -eq 0
check "refresh: 3CX's own 1800 s session is answered with 3CX as refresher" \
    sip_has "$T/long.msg" "SIP/2.0 200" Session-Expires '^1800;refresher=uac'

# ---- a refresh the VC refuses ends the call on both sides
vc_uas refuse uas_refresh_refuse.xml -m 1; U=$SIPP_PID
SIPP_TIMEOUT=80
pbx_uac refused uac_callee_bye.xml -recv_timeout 90s; rc=$?
sipp_wait $U 10; urc=$?
check "refused refresh: 3CX gets a BYE (sipp $rc)" test $rc -eq 0
check "refused refresh: the VC gets a BYE after its 481 (sipp $urc)" test $urc -eq 0
check "refused refresh: sbcd logs why" grep -q "session refresh failed: 481" "$T/sbcd.log"
