#!/bin/sh
# selfcheck.sh: prove the SIPp scenarios and the stunnel plumbing without sbcd.
# Every UAC/UAS pair runs SIPp to SIPp twice:
#   pbx: UAC 127.0.0.10:5070 --UDP--> UAS 127.0.0.10:5060
#   vc:  UAC 127.0.0.21:5070 --TCP--> stunnel client 127.0.0.22:5060 --TLS (from
#        127.0.0.20, verifying *.voiceconnector.chime.test)--> stunnel server
#        127.0.0.20:5061 --TCP--> UAS 127.0.0.21:5060
# (in the sbcd tests sbcd sits where the arrows meet).  Developer tool, not part
# of make check.  Run it as root in a private network namespace:
#   unshare --net sh -c 'ip link set lo up; sh tests/sip/selfcheck.sh [FILTER]'
# FILTER (an ERE) runs only the checks whose "side name" matches, e.g. 'vc glare'.
# Prints ok / not ok lines, then "N passed, N failed"; logs in build/sip-selfcheck (not build/test-out: make check wipes that).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$ROOT/build/test-out}
. "$ROOT/tests/lib/common.sh"
. "$ROOT/tests/lib/sip.sh"
FILTER=${1:-.}
T=${SELFCHECK_DIR:-$ROOT/build/sip-selfcheck}
rm -rf "$T"; mkdir -p "$T"
[ -f "$PKI/vc.crt" ] || sh "$ROOT/tests/lib/mklab.sh" "$PKI" || exit 1
sip_trap
passed=0; failed=0
t_ok()  { ok "$*"; passed=$((passed + 1)); }
t_nok() { nok "$*"; failed=$((failed + 1)); }
# ck NAME CMD...: ok when CMD succeeds, counted
ck() { _nm=$1; shift; if "$@"; then t_ok "$_nm"; else t_nok "$_nm"; return 1; fi; }
want() { echo "$1" | grep -Eq -- "$FILTER"; }

# no sbcd: the UACs aim at the peer (R-URI host too)
PBX_TARGET=$PBX_IP:$PBX_PORT
VC_TARGET=$VC_IP:$VC_TLS_PORT
SIPP_TIMEOUT=20

if vc_stunnel_start "$T/stunnel" "$VC_IP:$VC_TLS_PORT" host:lab.voiceconnector.chime.test; then
	t_ok "stunnel (server $VC_IP:$VC_TLS_PORT, client $VC_OUT_IP:$VC_OUT_PORT) is up"
else
	t_nok "stunnel did not start (see $T/stunnel/stunnel.log)"; exit 1
fi

# pair SIDE NAME UAC UAS: one call, UAS with -m 1; extra args in UACARGS / UASARGS
# (word-split, no spaces inside an argument).  The logs are $T/SIDE-NAME-ua[cs].*
pair() {
	_side=$1 _name=$2 _uac=$3 _uas=$4
	want "$_side $_name" || return 2
	U=$T/$_side-$_name-uac; S=$T/$_side-$_name-uas
	# shellcheck disable=SC2086
	if ! ${_side}_uas "$_side-$_name-uas" "$_uas" -m 1 ${UASARGS:-}; then
		t_nok "$_side $_name: UAS $_uas did not start ($S.out)"
		grep -v '^The following' "$S.err" 2>/dev/null | head -3 | sed 's/^/    /'; return 1
	fi
	_up=$SIPP_PID
	# shellcheck disable=SC2086
	${_side}_uac "$_side-$_name-uac" "$_uac" ${UACARGS:-}; _rc=$?
	sipp_wait $_up 15; _urc=$?
	if [ $_rc -eq 0 ] && [ $_urc -eq 0 ]; then
		t_ok "$_side $_name: $_uac -> $_uas ($(sip_ladder "$U.msg" | wc -l) messages)"
	else
		t_nok "$_side $_name: $_uac rc=$_rc, $_uas rc=$_urc (logs $U.*, $S.*)"
		sip_ladder "$U.msg" | sed 's/^/    uac /'
		cat "$U.err" "$S.err" 2>/dev/null | grep -v '^The following' | head -5 | sed 's/^/    /'
		return 1
	fi
}

for side in pbx vc; do
	UACARGS="-d 200"; UASARGS="-d 200"
	pair $side basic uac_basic.xml uas_basic.xml
	pair $side callee-bye uac_callee_bye.xml uas_callee_bye.xml
	pair $side busy uac_busy.xml uas_busy.xml
	pair $side notfound uac_notfound.xml uas_notfound.xml
	pair $side cancel uac_cancel.xml uas_cancel.xml &&
		ck "$side cancel: UAS saw CANCEL and ACK for 487" test \
		    "$(sip_count "$S.msg" CANCEL)$(sip_count "$S.msg" ACK)" = 11
	pair $side hold uac_hold.xml uas_hold.xml &&
		ck "$side hold: 2 re-INVITEs, 3 ACKs at the callee" test \
		    "$(sip_count "$S.msg" INVITE)$(sip_count "$S.msg" ACK)" = 33
	pair $side hold-by-callee uac_hold_by_callee.xml uas_hold_by_callee.xml
	pair $side update uac_update.xml uas_update.xml &&
		ck "$side update: UPDATE carried the To tag" sip_has "$S.msg" UPDATE To 'tag=.*SIPpTag01'
	pair $side 100rel uac_100rel.xml uas_100rel.xml &&
		ck "$side 100rel: PRACK with RAck 1 1 INVITE" sip_has "$S.msg" PRACK RAck '^1 1 INVITE$'
	pair $side glare-uas491 uac_glare_uas491.xml uas_glare_uas491.xml &&
		ck "$side glare-uas491: the callee got 491" test "$(sip_count "$S.msg" 'SIP/2.0 491')" -ge 1
	pair $side glare-uac491 uac_glare_uac491.xml uas_glare_uac491.xml &&
		ck "$side glare-uac491: the caller got 491" test "$(sip_count "$U.msg" 'SIP/2.0 491')" -ge 1
	if pair $side headers uac_headers.xml uas_basic.xml; then
		for h in "P-Asserted-Identity|Alice Caller" "Privacy|^id$" "Diversion|reason=unconditional" \
		    "Session-Expires|^1800;refresher=uac$" "Supported|timer" "Require|^timer$" \
		    "Subject|pass-through" "X-Custom|^sbcd-test-4711$"; do
			ck "$side headers: ${h%%|*} arrived" sip_has "$S.msg" INVITE "${h%%|*}" "${h#*|}"
		done
		# topology hiding helper: SIPp to SIPp nothing is hidden, so it must
		# report the caller's Call-ID and Via as leaked (proves it detects)
		cid=$(sip_hdr "$U.msg" INVITE Call-ID 1 sent)
		via=$(sip_hdr "$U.msg" INVITE Via 1 sent | sed 's/;.*//; s/^SIP\/2.0\/[A-Z]* //')
		ck "$side headers: sip_absent detects the caller's Call-ID ($cid) and Via ($via)" \
		    eval '! sip_absent "$S.msg" "$cid" "$via" > /dev/null'
	fi
done

# ---- OPTIONS to "sbcd" (here: the keep-alive responder) and its checks
if want "pbx options"; then
	UACARGS=""; UASARGS=""
	pair pbx options uac_options.xml uas_options.xml &&
		ck "pbx options: the UAC logged the headers it checked" grep -q 'Allow:INVITE,ACK,BYE,CANCEL,OPTIONS' "$T/pbx-options-uac.log"
	# negative: sipp's automatic 200 (-aa) has no Allow/Accept, uac_options must fail
	pbx_uas opt-neg uas_basic.xml; p=$SIPP_PID
	pbx_uac opt-neg-uac uac_options.xml -recv_timeout 2s; rc=$?
	sipp_stop $p
	ck "pbx options: a 200 without Allow/Accept/Supported fails uac_options (rc $rc)" test $rc -ne 0
fi

# ---- unclassified source: INVITE from 127.0.0.99 answered 403
if want "pbx rogue"; then
	pbx_uas rogue-uas uas_forbidden.xml -m 1; p=$SIPP_PID
	rogue_uac rogue-uac uac_forbidden.xml; rc=$?
	sipp_wait $p 10; urc=$?
	ck "pbx rogue: INVITE from $ROGUE_IP got 403 (uac rc $rc, uas rc $urc)" test $rc -eq 0 -a $urc -eq 0
	ck "pbx rogue: it came from $ROGUE_IP" sip_has "$T/rogue-uas.msg" INVITE Via "UDP $ROGUE_IP:5060"
fi

# ---- keep-alive responder: answers, is killed (no answer), is restarted
for side in pbx vc; do
	want "$side keepalive" || continue
	${side}_uas $side-ka uas_options.xml; p=$SIPP_PID
	${side}_uac $side-ka-uac1 uac_options.xml -m 5 -r 20; rc=$?
	sleep 0.2
	n=$(sip_count "$T/$side-ka.msg" OPTIONS)
	ck "$side keepalive: 5 OPTIONS answered (uac rc $rc, responder got $n)" test $rc -eq 0 -a "$n" -eq 5
	sipp_kill $p
	${side}_uac $side-ka-uac2 uac_options.xml -recv_timeout 2s; rc=$?
	ck "$side keepalive: killed responder does not answer (uac rc $rc)" test $rc -ne 0
	${side}_uas $side-ka2 uas_options.xml; p=$SIPP_PID
	${side}_uac $side-ka-uac3 uac_options.xml; rc=$?
	ck "$side keepalive: restarted responder answers again (uac rc $rc)" test $rc -eq 0
	sipp_stop $p
done

# ---- call counting UAS (round robin / failover): calls count, OPTIONS do not
if want "pbx count"; then
	pbx_uas count uas_basic.xml; p=$SIPP_PID
	pbx_uac count-uac uac_basic.xml -m 3 -r 10; rc=$?
	pbx_uac count-opt uac_options.xml -m 2 -r 10 -recv_timeout 2s	# answered by -aa
	sipp_stop $p
	ck "pbx count: 3 calls counted at the UAS, OPTIONS not counted (uac rc $rc, counted $(sipp_calls count), failed $(sipp_failed count))" \
	    test $rc -eq 0 -a "$(sipp_calls count)" -eq 3 -a "$(sipp_failed count)" -eq 0
	ck "pbx count: the -aa keep-alive answers went out" test "$(sip_count "$T/count.msg" 'SIP/2.0 200' sent)" -ge 5
fi

ck "stunnel verified the VC certificate" grep -q 'Certificate accepted at depth=0: CN=\*.voiceconnector.chime.test' "$T/stunnel/stunnel.log"
vc_stunnel_stop
sip_cleanup
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
