#!/bin/sh
# 140-manipulation.sh: the guide's seven message manipulation rules, as
# conf/sbc.conf carries them, checked on the wire: the OPTIONS keep-alive's To
# host toward 3CX and toward the Voice Connector (1, 2), the From host toward
# each (3, 4), the P-Asserted-Identity host toward the VC (5), the To host of
# the 200 to the VC's BYE (6), and refresher=uas on INVITEs toward 3CX (7).
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
sed -i -e 's/keepalive_interval = 30;/keepalive_interval = 10;/' "$T/sbc.conf"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
sipp_uas ka3cx $PBX_IP $PBX_PORT u1 uas_options.xml || nok "3CX answers OPTIONS"
KA3=$SIPP_PID
sipp_uas kavc $VC_SIPP_IP $VC_SIPP_PORT t1 uas_options.xml || nok "the VC answers OPTIONS"
KAV=$SIPP_PID
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
sip_track $!
wait_for "started on" "$T/sbcd.log" 5
wait_for "127.0.0.20:5061 (tls) is up" "$T/sbcd.log" 5
wait_for "127.0.0.10:5060 (udp) is up" "$T/sbcd.log" 5
sleep 0.5
sipp_stop $KA3; sipp_stop $KAV
check "rule 1: the OPTIONS to 3CX has To host 127.0.0.10, its address" \
    sip_has "$T/ka3cx.msg" OPTIONS To '<sip:127.0.0.10'
check "rule 2: the OPTIONS to the VC has To host 127.0.0.20, its address" \
    sip_has "$T/kavc.msg" OPTIONS To '<sip:127.0.0.20'

# 3CX -> VC: rules 4 and 5
vc_uas out uas_basic.xml -m 1; U=$SIPP_PID
pbx_uac c1 uac_headers.xml; rc=$?
sipp_wait $U 5
check "3CX->VC call completes (sipp $rc)" test $rc -eq 0
check "rule 4: From host toward the VC is the WAN address" sip_has "$T/out.msg" INVITE From '@127.0.0.2>'
check "rule 4: also on the BYE" sip_has "$T/out.msg" BYE From '@127.0.0.2>'
check "rule 5: P-Asserted-Identity host toward the VC is the WAN address" \
    sip_has "$T/out.msg" INVITE P-Asserted-Identity '@127.0.0.2>'

# VC -> 3CX, hung up by the VC: rules 3, 6 and 7 (the VC names sbcd by a
# host name in To, so that rule 6's rewrite of the To host shows)
sed -e 's/To: <sip:\[service\]@\[remote_ip\]:\[remote_port\]>/To: <sip:[service]@sbc.lab.test>/' \
    "$SIPDIR/uac_basic.xml" > "$T/uac_named.xml"
grep -q 'sbc.lab.test' "$T/uac_named.xml" || nok "the VC's scenario names sbcd by host"
pbx_uas in uas_basic.xml -m 1; U=$SIPP_PID
vc_uac c2 "$T/uac_named.xml"; rc=$?
sipp_wait $U 5
check "VC->3CX call completes (sipp $rc)" test $rc -eq 0
check "rule 3: From host toward 3CX is the LAN address" sip_has "$T/in.msg" INVITE From '@127.0.0.1>'
check "rule 7: the INVITE to 3CX asks 3CX to refresh (refresher=uas)" \
    sip_has "$T/in.msg" INVITE Session-Expires 'refresher=uas'
check "rule 6: the 200 to the VC's BYE has To host 127.0.0.2, not the name it sent" \
    sip_has "$T/c2.msg" "SIP/2.0 200" To '<sip:15550001000@127.0.0.2>' 2
check "rule 6: the 200 to the INVITE keeps the To the VC sent" \
    sip_has "$T/c2.msg" "SIP/2.0 200" To 'sbc.lab.test' 1
