#!/bin/sh
# 170-drain.sh: SIGTERM drains.  With a call up, sbcd refuses new INVITEs with
# 503 + Retry-After, lets the call run to its own end, then exits 0 with every
# media port released.  With drain_timeout = 2, a call still up at the
# deadline gets BYE on both sides (Reason: cause 503) and sbcd exits 0.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
# no keep-alives: an OPTIONS would count as the one call of a -m 1 peer
sed -i 's/keepalive = "options";/keepalive = "disable";/; s/redundancy_mode = "homing";/redundancy_mode = "parking";/' "$T/sbc.conf"
sed -i -e 's/drain_timeout = 0;/drain_timeout = 20;/' "$T/sbc.conf"
grep -q 'drain_timeout = 20;' "$T/sbc.conf" || nok "the drain deadline is set"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"

"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5

# ---- the call ends by itself, after SIGTERM
vc_uas vc1 uas_basic.xml -m 1; U=$SIPP_PID
pbx_uac c1 uac_basic.xml -d 3000 & C=$!
wait_for "answered (200" "$T/sbcd.log" 5
kill -TERM $SBCD_PID
check "SIGTERM with a call up drains" wait_for "draining 1 calls for at most 20 s" "$T/sbcd.log" 3
# c1 holds the 3CX UAC port: this caller uses the next one
sipp_uac c2 $PBX_IP $((PBX_UAC_PORT + 1)) u1 uac_503.xml "$PBX_TARGET"; rc=$?
check "a new INVITE gets 503 with Retry-After while draining (sipp $rc)" test $rc -eq 0
check "Retry-After is the configured 30" grep -q "503 Retry-After: 30" "$T/c2.log"
check "the call in progress is not cut: it ends with the caller's BYE" wait $C
sipp_wait $U 5
check "the VC saw exactly one INVITE" test "$(sip_count "$T/vc1.msg" INVITE)" -eq 1
i=0; while alive $SBCD_PID && [ $i -lt 60 ]; do sleep 0.05; i=$((i + 1)); done
wait $SBCD_PID; rc=$?; _sip_untrack $SBCD_PID
check "sbcd leaves once the last call is gone, exit 0 ($rc)" test $rc -eq 0
check "it says it drained" grep -q "drained: no call left" "$T/sbcd.log"
check "every media port released" grep -q "media: every port released" "$T/sbcd.log"

# ---- the deadline: a call still up gets BYE on both sides
sed -i -e 's/drain_timeout = 20;/drain_timeout = 2;/' "$T/sbc.conf"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd2.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd2.log" 5
vc_uas vc3 uas_basic.xml -m 1; U=$SIPP_PID
pbx_uac c3 uac_callee_bye.xml & C=$!
wait_for "answered (200" "$T/sbcd2.log" 5
kill -TERM $SBCD_PID
wait_for "draining 1 calls for at most 2 s" "$T/sbcd2.log" 3
check "at the deadline the caller gets a BYE" wait $C
sipp_wait $U 5; urc=$?
check "and the callee too ($urc)" test $urc -eq 0
check "the BYE says why (Reason cause=503)" sip_has "$T/vc3.msg" BYE Reason 'cause=503'
check "the deadline is logged" grep -q "drain deadline: ending 1 calls" "$T/sbcd2.log"
i=0; while alive $SBCD_PID && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
wait $SBCD_PID; rc=$?; _sip_untrack $SBCD_PID
check "sbcd exits 0 after the deadline ($rc)" test $rc -eq 0
check "every media port released" grep -q "media: every port released" "$T/sbcd2.log"
