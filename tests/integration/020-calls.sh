#!/bin/sh
# 020-calls.sh: calls through sbcd both ways, 3CX (SIPp, UDP) <-> VC (SIPp
# behind stunnel, TLS): basic, BYE from each side, 486, 404, CANCEL, hold and
# resume from each side, UPDATE, 100rel/PRACK, glare 491 both ways.  Each
# scenario checks what arrives on the far side, not only that the call ended.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
sed -i 's/log_level = "info";/log_level = "debug";/' "$T/sbc.conf"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5

# pair NAME UAC UAS DIRECTION [uac args]: one call; the UAS runs until stopped
pair() {
	_name=$1-$4 _uac=$2 _uas=$3 _dir=$4; shift 4
	if [ "$_dir" = out ]; then
		vc_uas "$_name-uas" "$_uas" || { nok "$_name: UAS starts"; return; }
		_upid=$SIPP_PID
		pbx_uac "$_name-uac" "$_uac" "$@"; _rc=$?
	else
		pbx_uas "$_name-uas" "$_uas" || { nok "$_name: UAS starts"; return; }
		_upid=$SIPP_PID
		vc_uac "$_name-uac" "$_uac" "$@"; _rc=$?
	fi
	# let the callee finish its side (BYE/ACK), then stop it
	_i=0; while [ "$(sipp_calls "$_name-uas")" -lt 1 ] && [ $_i -lt 60 ]; do
		sleep 0.1; _i=$((_i + 1)); done
	sipp_stop $_upid
	check "$_name: the caller's scenario completes (sipp $_rc)" test "$_rc" -eq 0
	check "$_name: the callee's scenario completes" \
	    test "$(sipp_calls "$_name-uas")" -eq 1 -a "$(sipp_failed "$_name-uas")" -eq 0
}

for dir in out in; do
	pair basic uac_basic.xml uas_basic.xml $dir
	pair callee-bye uac_callee_bye.xml uas_callee_bye.xml $dir
	pair busy uac_busy.xml uas_busy.xml $dir
	pair notfound uac_notfound.xml uas_notfound.xml $dir
	pair cancel uac_cancel.xml uas_cancel.xml $dir
	pair hold uac_hold.xml uas_hold.xml $dir
	pair hold-by-callee uac_hold_by_callee.xml uas_hold_by_callee.xml $dir
	pair update uac_update.xml uas_update.xml $dir
	pair 100rel uac_100rel.xml uas_100rel.xml $dir
	pair glare-uas491 uac_glare_uas491.xml uas_glare_uas491.xml $dir
	pair glare-uac491 uac_glare_uac491.xml uas_glare_uac491.xml $dir
done

# what arrived on the far side of the basic calls
check "3CX->VC: the VC gets the INVITE over TLS from sbcd's WAN address" \
    sip_has "$T/basic-out-uas.msg" INVITE Via "^SIP/2.0/TLS 127.0.0.2"
check "3CX->VC: the Request-URI names the VC's host, the 3CX number kept" \
    sh -c "sip_msg() { :; }; grep -q '^INVITE sip:$SIP_SERVICE@lab.voiceconnector.chime.test:5061;transport=tls SIP/2.0' '$T/basic-out-uas.msg'"
check "VC->3CX: 3CX gets the INVITE over UDP from sbcd's LAN address" \
    sip_has "$T/basic-in-uas.msg" INVITE Via "^SIP/2.0/UDP 127.0.0.1"
check "VC->3CX: the caller's number is kept in From" \
    sip_has "$T/basic-in-uas.msg" INVITE From "<sip:\\+15550100@"
check "the callee's BYE reaches the caller in its own dialog (3CX->VC)" \
    sip_has "$T/callee-bye-out-uac.msg" BYE To "tag="
check "sbcd is still running" alive $SBCD_PID
started=$(grep -c 'leg=A INVITE from' "$T/sbcd.log")
ended=$(grep -c ' ended: ' "$T/sbcd.log")
check "every call sbcd started has ended ($started started, $ended ended)" test "$started" -eq "$ended"
check "every call id appears in every line about it" sh -c "! grep -E 'leg=[AB]' '$T/sbcd.log' | grep -vq 'call=[0-9]'"
