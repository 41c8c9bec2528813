#!/bin/sh
# 190-import.sh: sbc-import on tests/import/guide.ini (the reference guide's
# Mediant configuration on the lab's addresses); the result passes `sbcd -t`,
# reports what it leaves out, and carries calls both ways between 3CX (SIPp,
# UDP) and the Voice Connector (SIPp behind stunnel, TLS + SRTP).
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap
IMPORT=${IMPORT:-$(dirname "$SBCD")/sbc-import}
INI=$ROOT/tests/import/guide.ini

# the lab's PKI stands in for the files exported from the Mediant's TLS context
"$IMPORT" --tls "AmazonChime=$PKI/sbc.crt:$PKI/sbc.key:$PKI/ca.crt" -o "$T/sbc.conf" "$INI" \
    2> "$T/import.err"
check "sbc-import converts guide.ini (exit 0)" test $? -eq 0
check "sbc-import says how many items it did not carry over" \
    grep -Eq '^sbc-import: [0-9]+ item\(s\) not carried over' "$T/import.err"
out=$("$SBCD" -t -f "$T/sbc.conf" 2>&1)
check "the imported configuration passes sbcd -t" test "$out" = "$T/sbc.conf: configuration OK"
[ "$out" = "$T/sbc.conf: configuration OK" ] || echo "$out" | sed 's/^/    /'

# what the guide needs is there, what sbcd lacks is reported, never dropped
has() { grep -Fq -- "$1" "$T/sbc.conf"; }
check "the VC's SIP interface listens on TLS 5061 with the context" \
    has 'tls_port = 5061; media_realm = "AmazonChime_MediaRealm"; tls_context = "AmazonChime";'
check "the VC's proxy address is TLS" has '{ address = "127.0.0.20:5061"; transport = "tls"; priority = 0; }'
check "media security: secured toward the VC, not secured toward 3CX" \
    sh -c "grep -c 'media_security = \"secured\";' '$T/sbc.conf' | grep -qx 1 &&
           grep -c 'media_security = \"not-secured\";' '$T/sbc.conf' | grep -qx 1"
check "all seven manipulation rules are carried over" \
    test "$(grep -c 'action = "modify";' "$T/sbc.conf")" -eq 7
check "the classification table (no sbcd equivalent) is reported with its ini line" \
    has '# ini line 201: Classification 0 "Rule_1": row not carried over: sbcd has no such table'
check "a parameter sbcd has no use for is reported with its ini line" \
    has '# ini line 41: SBCForwardUnknownHeaders = "1"'
check "the obscured IP group password of an unused row is not reported as a loss" \
    sh -c "! grep -q 'Password' '$T/sbc.conf'"
check "each ini row of the guide's tables is named in the output" \
    test "$(grep -c '^  # .* row [0-9]* (ini line [0-9]*)' "$T/sbc.conf")" -ge 17

# a call each way through the imported configuration
sed -i 's/^global = {/global = {\n  log_level = "debug"; drain_timeout = 0;/' "$T/sbc.conf"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5 || nok "sbcd starts on the imported configuration"

vc_uas out-uas uas_basic.xml || nok "VC UAS starts"
upid=$SIPP_PID
pbx_uac out-uac uac_basic.xml; rc=$?
i=0; while [ "$(sipp_calls out-uas)" -lt 1 ] && [ $i -lt 60 ]; do sleep 0.1; i=$((i + 1)); done
sipp_stop $upid
check "3CX->VC: the call completes on the caller's side (sipp $rc)" test "$rc" -eq 0
check "3CX->VC: the call completes on the VC's side" \
    test "$(sipp_calls out-uas)" -eq 1 -a "$(sipp_failed out-uas)" -eq 0
check "3CX->VC: the VC gets the INVITE over TLS from sbcd's WAN address" \
    sip_has "$T/out-uas.msg" INVITE Via "^SIP/2.0/TLS 127.0.0.2"
check "3CX->VC: the Request-URI names the IP group's SIP group name" \
    sh -c "grep -q '^INVITE sip:$SIP_SERVICE@lab.voiceconnector.chime.test' '$T/out-uas.msg'"
check "3CX->VC: the offer to the VC is SRTP (RTP/SAVP with a crypto line)" \
    sh -c ". '$ROOT/tests/lib/common.sh'; . '$ROOT/tests/lib/sip.sh';
           sip_body '$T/out-uas.msg' INVITE | grep -q '^m=audio [0-9]* RTP/SAVP' &&
           sip_body '$T/out-uas.msg' INVITE | grep -q '^a=crypto:'"
check "3CX->VC: rule 4 (From host = WAN address) applied" \
    sip_has "$T/out-uas.msg" INVITE From "@127\\.0\\.0\\.2[>;:]"

pbx_uas in-uas uas_basic.xml || nok "3CX UAS starts"
upid=$SIPP_PID
vc_uac in-uac uac_basic.xml; rc=$?
i=0; while [ "$(sipp_calls in-uas)" -lt 1 ] && [ $i -lt 60 ]; do sleep 0.1; i=$((i + 1)); done
sipp_stop $upid
check "VC->3CX: the call completes on the caller's side (sipp $rc)" test "$rc" -eq 0
check "VC->3CX: the call completes on 3CX's side" \
    test "$(sipp_calls in-uas)" -eq 1 -a "$(sipp_failed in-uas)" -eq 0
check "VC->3CX: 3CX gets plain RTP" \
    sh -c ". '$ROOT/tests/lib/common.sh'; . '$ROOT/tests/lib/sip.sh';
           sip_body '$T/in-uas.msg' INVITE | grep -q '^m=audio [0-9]* RTP/AVP '"
check "VC->3CX: rule 7 (3CX refreshes the session) applied" \
    sip_has "$T/in-uas.msg" INVITE Session-Expires "refresher=uas"
check "VC->3CX: rule 3 (From host = LAN address) applied" \
    sip_has "$T/in-uas.msg" INVITE From "@127\\.0\\.0\\.1[>;:]"
check "sbcd is still running" alive $SBCD_PID
