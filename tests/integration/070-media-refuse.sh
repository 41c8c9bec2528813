#!/bin/sh
# 070-media-refuse.sh: offers sbcd refuses at once, before anything reaches the
# far side: an SRTP offer from the Voice Connector whose crypto lines are all
# unusable (the guide's caveat: 180 first, 488 only after answer, must not
# happen), one in MKI form, and an offer with no codec in common.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
pbx_uas pbx uas_basic.xml; PBX=$SIPP_PID
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
sip_track $!
wait_for "started on" "$T/sbcd.log" 5

K=aVC/VyKN/coF9iGMUriuujtbORq19+tw0/LEUeKY
VC_CRYPTO="a=crypto:1 F8_128_HMAC_SHA1_80 inline:$K" vc_uac badsuite uac_refused488.xml; rc=$?
check "VC offers only an unsupported suite: 488 at once, no 180 (sipp $rc)" test $rc -eq 0
VC_CRYPTO="a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:$K|2^20|1:4" vc_uac mki uac_refused488.xml; rc=$?
check "VC offers a key with an MKI: 488 at once (sipp $rc)" test $rc -eq 0
VC_CRYPTO="a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:notbase64!!" vc_uac badkey uac_refused488.xml; rc=$?
check "VC offers a malformed key: 488 at once (sipp $rc)" test $rc -eq 0
VC_PLAIN=1 vc_uac plain uac_refused488.xml; rc=$?
check "VC offers plain RTP to a secured profile: 488 (sipp $rc)" test $rc -eq 0
# no codec in common: the coder group says PCMU only
sed -e 's/RTP\/AVP 0 101/RTP\/AVP 8 101/' -e 's/rtpmap:0 PCMU/rtpmap:8 PCMA/' \
    "$SIPDIR/uac_refused488.xml" > "$T/uac_pcma.xml"
pbx_uac pcma "$T/uac_pcma.xml"; rc=$?
check "3CX offers only PCMA to a PCMU-only coder group: 488 (sipp $rc)" test $rc -eq 0
sleep 0.3
sipp_stop $PBX
check "3CX never receives any of these INVITEs" test "$(sip_count "$T/pbx.msg" INVITE)" -eq 0
check "the refusals are logged" grep -q "media refused: 488" "$T/sbcd.log"
check "no media realm ran out" sh -c "! grep -q 'exhausted' '$T/sbcd.log'"
