#!/bin/sh
# 170-drain.sh: SIGTERM drains.  With a call up, sbcd refuses new INVITEs with
# 503 + Retry-After, lets the call run to its own end, then exits 0 with every
# media port released.  With drain_timeout = 2, a call still up at the
# deadline gets BYE on both sides (Reason: cause 503) and sbcd exits 0.
# Under load (20 calls/s), SIGTERM cuts no call and refuses every new one.
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

# ---- SIGTERM under load: 120 calls at 20/s, 5 s each, SIGTERM after 3 s:
# every call in progress runs to its own BYE, every new INVITE gets 503 (all
# are placed before the last call ends and sbcd leaves), nothing is cut
sed -i -e 's/drain_timeout = 2;/drain_timeout = 30;/' \
    -e "s|cdr_file = \"[^\"]*\";|cdr_file = \"$T/cdr.json\";|" "$T/sbc.conf"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd3.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd3.log" 5
vc_uas vc4 uas_basic.xml; U=$SIPP_PID
SIPP_TIMEOUT=60
pbx_uac load uac_drain.xml -m 120 -r 20 -d 5000 & L=$!
sleep 3
kill -TERM $SBCD_PID
wait_for "SIGTERM: draining" "$T/sbcd3.log" 3
up=$(sed -n 's/.*SIGTERM: draining \([0-9]*\) calls.*/\1/p' "$T/sbcd3.log")
wait $L; rc=$?
answered=$(grep -c '^answered ' "$T/load.log" 2>/dev/null)
refused=$(grep -c '^refused ' "$T/load.log" 2>/dev/null)
check "120 calls placed, none failed: $answered answered, $refused refused with 503 (sipp $rc)" \
    test $rc -eq 0 -a "$(sipp_failed load)" -eq 0 -a $((answered + refused)) -eq 120
check "calls were up when SIGTERM came ($up) and new ones were refused after it" \
    test "${up:-0}" -ge 30 -a "$refused" -ge 40
i=0; while alive $SBCD_PID && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
wait $SBCD_PID; rc=$?; _sip_untrack $SBCD_PID
sipp_stop $U
check "sbcd drains to the last call and exits 0 ($rc)" test $rc -eq 0
check "every answered call has its CDR: ended by the caller after its full 5 s" python3 - "$T/cdr.json" "$answered" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
ok = [r for r in recs if r["sip_code"] == 200 and r["ended_by"] == "caller" and r["duration"] >= 4.9]
bad = [r for r in recs if r not in ok]
for r in bad[:5]:
    print("cut or failed:", json.dumps(r), file=sys.stderr)
sys.exit(0 if len(recs) == int(sys.argv[2]) and not bad else 1)
PY
check "no BYE from sbcd under the drain" sh -c "! grep -q 'drain deadline' '$T/sbcd3.log'"
check "every media port released" grep -q "media: every port released" "$T/sbcd3.log"
