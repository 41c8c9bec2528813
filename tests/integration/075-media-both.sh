#!/bin/sh
# 075-media-both.sh: media security "both" on the carrier's IP profile.  sbcd
# offers RTP/AVP with its SDES keys (best-effort SRTP, RFC 4568): a plain RTP
# carrier answers without crypto and the call goes on in RTP, an SRTP one
# answers with its key and the call is SRTP; an offer in plain RTP from the
# carrier is accepted too.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
# no keep-alives: an OPTIONS would count as the one call of the -m 1 VC peers
sed -i -e 's/media_security = "secured"; /media_security = "both";    /' \
    -e 's/keepalive = "options";/keepalive = "disable";/; s/redundancy_mode = "homing";/redundancy_mode = "parking";/' \
    -e 's/log_level = "info";/log_level = "debug";/' "$T/sbc.conf"
grep -q 'media_security = "both"' "$T/sbc.conf" || nok "the VC profile is set to both"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
sip_track $!
wait_for "started on" "$T/sbcd.log" 5

# a plain RTP carrier
VC_PLAIN=1 vc_uas plain uas_basic.xml -m 1; U=$SIPP_PID
pbx_uac c1 uac_basic.xml; rc=$?
sipp_wait $U 5; urc=$?
check "plain carrier: the call completes (sipp $rc/$urc)" test $rc -eq 0 -a $urc -eq 0
offer=$(sip_body "$T/plain.msg" INVITE)
check "the offer is RTP/AVP" sh -c "echo '$offer' | grep -Eq '^m=audio [0-9]+ RTP/AVP '"
check "the offer carries sbcd's keys, AES_CM_128_HMAC_SHA1_80 first" \
    sh -c "echo '$offer' | grep -m1 '^a=crypto' | grep -Eq '^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:'"
check "plain answer: the carrier side runs RTP" sh -c "! grep -q 'media: SRTP' '$T/sbcd.log'"

# an SRTP carrier
vc_uas srtp uas_basic.xml -m 1; U=$SIPP_PID
pbx_uac c2 uac_basic.xml; rc=$?
sipp_wait $U 5; urc=$?
check "SRTP carrier: the call completes (sipp $rc/$urc)" test $rc -eq 0 -a $urc -eq 0
check "SRTP answer: the carrier side runs SRTP" \
    grep -q 'media: SRTP AES_CM_128_HMAC_SHA1_80' "$T/sbcd.log"
check "3CX still gets plain RTP" sh -c \
    "! grep -q 'RTP/SAVP' '$T/c2.msg'"

# the carrier offers plain RTP
pbx_uas pbx uas_basic.xml -m 1; U=$SIPP_PID
VC_PLAIN=1 vc_uac c3 uac_basic.xml; rc=$?
sipp_wait $U 5; urc=$?
check "plain offer from the carrier accepted (sipp $rc/$urc)" test $rc -eq 0 -a $urc -eq 0
