#!/bin/sh
# 150-auth.sh: call authentication toward the carrier.  The Voice Connector
# challenges the INVITE with 401 (MD5, qop=auth); sbcd answers with the VC IP
# group's credentials and the call completes, SIPp checking the digest for
# real.  With a wrong password the second challenge is relayed to 3CX as 401
# instead of looping.  Inside the dialog the VC challenges a re-INVITE and
# the BYE (nc counts up on its nonce); a challenged keep-alive OPTIONS is
# answered too.  The password and the response never reach the log.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
cp "$T/sbc.conf" "$T/ka.conf"
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

# inside the dialog: the hold re-INVITE and the BYE are challenged
vc_uas dlg uas_auth_dialog.xml -m 1; U=$SIPP_PID
pbx_uac c3 uac_hold.xml; rc=$?
sipp_wait $U 8; urc=$?
check "challenged re-INVITE and BYE: the caller's call is whole (sipp $rc)" test $rc -eq 0
check "the VC verified both digests, nc 1 then 2 (sipp $urc)" test $urc -eq 0
cs2=$(sip_hdr "$T/dlg.msg" INVITE CSeq 2 | awk '{print $1}')
cs3=$(sip_hdr "$T/dlg.msg" INVITE CSeq 3 | awk '{print $1}')
check "the answered re-INVITE went with the next CSeq ($cs2 then $cs3)" \
    test "${cs3:-0}" -gt "${cs2:-0}"
check "3CX never saw a challenge in the dialog" test "$(sip_count "$T/c3.msg" 'SIP/2.0 401')" -eq 0

kill -TERM $SBCD_PID; wait $SBCD_PID; _sip_untrack $SBCD_PID

# keep-alives toward the VC challenged: answered, the VC stays up
sed -i -e 's/    # username = "sbc"; password = "...";/    username = "sbc"; password = "secret";/' \
    -e 's/log_level = "info";/log_level = "debug";/' "$T/ka.conf"
vc_uas ka uas_auth_options.xml -m 1; U=$SIPP_PID
"$SBCD" -D -f "$T/ka.conf" > "$T/sbcd-ka.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd-ka.log" 5
sipp_wait $U 10; urc=$?
check "challenged OPTIONS answered and verified (sipp $urc)" test $urc -eq 0
check "the second OPTIONS kept the Call-ID" test \
    "$(sip_hdr "$T/ka.msg" OPTIONS Call-ID 1)" = "$(sip_hdr "$T/ka.msg" OPTIONS Call-ID 2)"
check "the VC proxy set is up after the answered challenge" \
    wait_for "is up (200 in" "$T/sbcd-ka.log" 3

check "the password and the digest response never reach the log" \
    sh -c "! cat '$T/sbcd.log' '$T/sbcd-ka.log' | grep -Eq 'secret|response='"
