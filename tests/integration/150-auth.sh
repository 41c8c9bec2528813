#!/bin/sh
# 150-auth.sh: call authentication toward the carrier.  The Voice Connector
# challenges the INVITE with 401 (MD5, qop=auth); sbcd answers with the VC IP
# group's credentials and the call completes, SIPp checking the digest for
# real.  With a wrong password the second challenge is relayed to 3CX as 401
# instead of looping; the password and the response never reach the log.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
sed -i -e 's/keepalive = "options";/keepalive = "disable";/' \
    -e 's/redundancy_mode = "homing";/redundancy_mode = "parking";/' \
    -e 's/log_level = "info";/log_level = "debug";/' \
    -e 's/    # username = "sbc"; password = "...";/    username = "sbc"; password = "secret";/' "$T/sbc.conf"
grep -q 'password = "secret"' "$T/sbc.conf" || nok "the VC group has credentials"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5

vc_uas auth uas_auth.xml -m 1; U=$SIPP_PID
pbx_uac c1 uac_basic.xml; rc=$?
sipp_wait $U 5; urc=$?
check "401 answered: the call completes (sipp $rc)" test $rc -eq 0
check "the VC verified sbcd's digest (sipp verifyauth, $urc)" test $urc -eq 0
check "the answer carries username sbc" sip_has "$T/auth.msg" INVITE Authorization 'username="sbc"' 2
check "3CX never saw the challenge" test "$(sip_count "$T/c1.msg" 'SIP/2.0 401')" -eq 0

vc_uas reject uas_auth_reject.xml -m 1; U=$SIPP_PID
pbx_uac c2 uac_auth_relayed.xml; rc=$?
sipp_wait $U 8; urc=$?
check "refused credentials: 3CX gets the 401, no loop (sipp $rc)" test $rc -eq 0
check "refused credentials: the VC saw exactly two INVITEs ($urc)" test "$(sip_count "$T/reject.msg" INVITE)" -eq 2
check "the password and the digest response never reach the log" \
    sh -c "! grep -Eq 'secret|response=' '$T/sbcd.log'"
