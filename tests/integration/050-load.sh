#!/bin/sh
# 050-load.sh: 1,000 calls at 50 calls/s from the 3CX side to the TLS side,
# and 1,000 the other way, with zero failures.  A functional load check, not a
# benchmark: the numbers that matter are in tests/bench (make bench).
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
vc_uas out-uas uas_basic.xml; VU=$SIPP_PID
pbx_uas in-uas uas_basic.xml; PU=$SIPP_PID
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5
sleep 0.5

SIPP_TIMEOUT=90
pbx_uac out uac_basic.xml -m 1000 -r 50 -d 1000; rc=$?
check "3CX->VC: 1000 calls at 50/s, $(sipp_calls out) ok, $(sipp_failed out) failed (sipp $rc)" \
    test $rc -eq 0 -a "$(sipp_calls out)" -eq 1000 -a "$(sipp_failed out)" -eq 0
vc_uac in uac_basic.xml -m 1000 -r 50 -d 1000; rc=$?
check "VC->3CX: 1000 calls at 50/s, $(sipp_calls in) ok, $(sipp_failed in) failed (sipp $rc)" \
    test $rc -eq 0 -a "$(sipp_calls in)" -eq 1000 -a "$(sipp_failed in)" -eq 0
sleep 1
sipp_stop $VU; sipp_stop $PU
check "the VC side answered 1000 calls" test "$(sipp_calls out-uas)" -eq 1000
check "the 3CX side answered 1000 calls" test "$(sipp_calls in-uas)" -eq 1000
started=$(grep -c 'leg=A INVITE from' "$T/sbcd.log")
ended=$(grep -c ' ended: ' "$T/sbcd.log")
check "sbcd ended every call it started ($started, $ended)" test "$started" -eq 2000 -a "$ended" -eq 2000
kill -TERM $SBCD_PID; wait $SBCD_PID; rc=$?
check "sbcd stops cleanly after the load (exit $rc)" test $rc -eq 0
