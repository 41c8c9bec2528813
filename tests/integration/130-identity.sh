#!/bin/sh
# 130-identity.sh: numbers and caller identity toward the Voice Connector.
# 3CX dials 9 + number: the VC's outbound number rule strips the 9 and adds
# "+", so the VC gets E.164 in the Request-URI and To, and the caller number
# in From and P-Asserted-Identity with one "+"; Privacy: id keeps the
# identity toward a trusted carrier and hides it toward an untrusted one;
# anonymous calls work both ways.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
sed -i -e 's/keepalive = "options";/keepalive = "disable";/' \
    -e 's/redundancy_mode = "homing";/redundancy_mode = "parking";/' "$T/sbc.conf"
# conf/sbc.conf's own number rules for the Voice Connector
grep -q 'match = "9"; strip = 1; prefix = "+"' "$T/sbc.conf" || nok "the number rules are configured"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
start() {
	"$SBCD" -D -f "$1" > "$2" 2>&1 &
	SBCD_PID=$!
	sip_track $SBCD_PID
	wait_for "started on" "$2" 5
}
start "$T/sbc.conf" "$T/sbcd.log"

# ---- 9 + number becomes +E.164, the caller number gets one "+"
sed -e 's/sip:+15550100@/sip:15550100@/g' "$SIPDIR/uac_headers.xml" > "$T/uac_plain.xml"
vc_uas e164 uas_basic.xml -m 1; U=$SIPP_PID
SIP_SERVICE=919195550100 pbx_uac c1 "$T/uac_plain.xml"; rc=$?
sipp_wait $U 5
M=$T/e164.msg
check "the call completes (sipp $rc)" test $rc -eq 0
check "the VC's Request-URI is +E.164" sh -c "grep -q '^INVITE sip:+19195550100@lab.voiceconnector.chime.test' '$M'"
check "the VC's To is +E.164" sip_has "$M" INVITE To '<sip:\+19195550100@'
check "the VC's From carries the caller as +E.164" sip_has "$M" INVITE From '<sip:\+15550100@127.0.0.2>'
check "P-Asserted-Identity goes to the trusted VC as +E.164" sip_has "$M" INVITE P-Asserted-Identity '<sip:\+15550100@'
check "Privacy passes to the trusted VC" sip_has "$M" INVITE Privacy '^id$'

# ---- a number that already has "+" is not given a second one
vc_uas plus uas_basic.xml -m 1; U=$SIPP_PID
SIP_SERVICE=+19195550100 pbx_uac c2 uac_headers.xml; rc=$?
sipp_wait $U 5
check "an E.164 number is left as it is" sh -c "grep -q '^INVITE sip:+19195550100@' '$T/plus.msg'"
check "the caller's + is not doubled" sip_has "$T/plus.msg" INVITE From '<sip:\+15550100@'

# ---- anonymous caller, both ways
sed -e 's/From: "Caller" <sip:+15550100@\[local_ip\]>/From: "Anonymous" <sip:anonymous@anonymous.invalid>/' \
    "$SIPDIR/uac_basic.xml" > "$T/uac_anon.xml"
grep -q anonymous.invalid "$T/uac_anon.xml" || nok "the anonymous scenario is made"
vc_uas anon-out uas_basic.xml -m 1; U=$SIPP_PID
pbx_uac a1 "$T/uac_anon.xml"; rc=$?
sipp_wait $U 5
check "anonymous 3CX->VC completes (sipp $rc)" test $rc -eq 0
check "the VC gets an anonymous From" sip_has "$T/anon-out.msg" INVITE From 'sip:anonymous@anonymous.invalid'
pbx_uas anon-in uas_basic.xml -m 1; U=$SIPP_PID
vc_uac a2 "$T/uac_anon.xml"; rc=$?
sipp_wait $U 5
check "anonymous VC->3CX completes (sipp $rc)" test $rc -eq 0
check "3CX gets an anonymous From" sip_has "$T/anon-in.msg" INVITE From 'sip:anonymous@anonymous.invalid'

# ---- toward an untrusted group: no P-Asserted-Identity, and Privacy: id hides From
kill -TERM $SBCD_PID; wait $SBCD_PID
sed -e 's/identity_trusted = true;/identity_trusted = false;/' "$T/sbc.conf" > "$T/untrusted.conf"
grep -q 'identity_trusted = false' "$T/untrusted.conf" || nok "the untrusted variant is made"
start "$T/untrusted.conf" "$T/sbcd2.log"
vc_uas untrusted uas_basic.xml -m 1; U=$SIPP_PID
pbx_uac c3 uac_headers.xml; rc=$?
sipp_wait $U 5
check "untrusted: the call completes (sipp $rc)" test $rc -eq 0
check "untrusted: P-Asserted-Identity is removed" test -z "$(sip_hdr "$T/untrusted.msg" INVITE P-Asserted-Identity)"
check "untrusted: Privacy: id makes From anonymous" sip_has "$T/untrusted.msg" INVITE From 'sip:anonymous@anonymous.invalid'
