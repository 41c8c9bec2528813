#!/bin/sh
# 180-reload-load.sh: ten SIGHUPs, half of them with a broken file, while SIPp
# puts 1,000 calls at 100 calls/s through sbcd: no call fails, every broken
# file is refused with the running configuration kept, every good one is
# applied, and a route added by the last reload takes effect for new calls.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/good-a.conf"
# no keep-alives: an OPTIONS would count as the one call of a -m 1 peer
sed -i 's/keepalive = "options";/keepalive = "disable";/; s/redundancy_mode = "homing";/redundancy_mode = "parking";/' "$T/good-a.conf"
# good B: another User-Agent, and 3CX calls to 7... go back to 3CX
sed -e 's/user_agent = "sbcd";/user_agent = "sbcd-b";/' \
    -e 's/^routes = (/routes = (\
  { name = "7 to 3CX"; source_ip_group = "3CX"; dst_user_prefix = "7";\
    dest_type = "ip-group"; dest_ip_group = "3CX"; },/' "$T/good-a.conf" > "$T/good-b.conf"
# broken: a route to a group that does not exist, and a syntax error
sed -e 's/dest_ip_group = "VC";/dest_ip_group = "NOPE";/' "$T/good-a.conf" > "$T/bad-1.conf"
sed -e 's/^routes = (/routes = ( {/' "$T/good-a.conf" > "$T/bad-2.conf"
for f in good-b bad-1 bad-2; do
	cmp -s "$T/good-a.conf" "$T/$f.conf" && nok "variant $f differs from good-a"
done
"$SBCD" -t -f "$T/good-b.conf" > /dev/null 2>&1 || nok "good-b is valid"
"$SBCD" -t -f "$T/bad-1.conf" > /dev/null 2>&1 && nok "bad-1 is refused"
"$SBCD" -t -f "$T/bad-2.conf" > /dev/null 2>&1 && nok "bad-2 is refused"
cp "$T/good-a.conf" "$T/sbc.conf"

vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
vc_uas out-uas uas_basic.xml; VU=$SIPP_PID
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5
sleep 0.3

SIPP_TIMEOUT=60
pbx_uac out uac_basic.xml -m 1000 -r 100 -d 1000 & L=$!
sleep 0.5
for i in 1 2 3 4 5 6 7 8 9 10; do
	case $i in
	1|5|9) cp "$T/bad-1.conf" "$T/sbc.conf" ;;
	3|7) cp "$T/bad-2.conf" "$T/sbc.conf" ;;
	2|6|10) cp "$T/good-b.conf" "$T/sbc.conf" ;;
	*) cp "$T/good-a.conf" "$T/sbc.conf" ;;
	esac
	kill -HUP $SBCD_PID
	sleep 0.8
done
wait $L; rc=$?
check "1000 calls at 100/s through 10 reloads: $(sipp_calls out) ok, $(sipp_failed out) failed (sipp $rc)" \
    test $rc -eq 0 -a "$(sipp_calls out)" -eq 1000 -a "$(sipp_failed out)" -eq 0
check "five reloads applied" test "$(grep -c 'reload done: new configuration active' "$T/sbcd.log")" -eq 5
check "five refused, the running configuration kept" \
    test "$(grep -c 'reload failed with .* still running the configuration loaded before' "$T/sbcd.log")" -eq 5
check "the refusals name file:line" grep -q "sbc.conf:[0-9]*: .*NOPE" "$T/sbcd.log"
check "sbcd is still running" alive $SBCD_PID
sipp_stop $VU

# the last reload (good-b) added the route: a call to 7... now goes to 3CX
pbx_uas back uas_basic.xml -m 1; U=$SIPP_PID
SIP_SERVICE=7001 pbx_uac c7 uac_basic.xml; rc=$?
sipp_wait $U 5; urc=$?
check "the new route takes effect: 7001 is routed back to 3CX (sipp $rc/$urc)" \
    test $rc -eq 0 -a $urc -eq 0
check "and carries the new User-Agent" sip_has "$T/back.msg" INVITE User-Agent 'sbcd-b'
