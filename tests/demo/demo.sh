#!/bin/sh
# demo.sh: sbcd on the lab configuration between SIPp as 3CX and SIPp behind
# stunnel as the Voice Connector; one call each way, shown as a ladder.
# Run by `make demo` inside a private network namespace (loopback only).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export ROOT
OUT=$ROOT/build/demo
mkdir -p "$OUT"
. "$ROOT/tests/lib/common.sh"
T=$OUT
rm -f "$T"/*.msg "$T"/*.log
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
vc_stunnel_start "$T/stunnel" || { echo "demo: stunnel did not start"; exit 1; }
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
sip_track $!
wait_for "started on" "$T/sbcd.log" 5 || { echo "demo: sbcd did not start"; cat "$T/sbcd.log"; exit 1; }

echo "== call 1: 3CX (127.0.0.10, UDP) -> sbcd -> Voice Connector (127.0.0.20, TLS)"
vc_uas vc-answers uas_basic.xml; U=$SIPP_PID
pbx_uac pbx-calls uac_basic.xml -d 1000; rc1=$?
sleep 0.5; sipp_stop $U
python3 "$ROOT/tests/demo/ladder.py" "$T/pbx-calls.msg" "$T/vc-answers.msg"
echo
echo "== call 2: Voice Connector -> sbcd -> 3CX, hung up by 3CX"
pbx_uas pbx-answers uas_callee_bye.xml; U=$SIPP_PID
vc_uac vc-calls uac_callee_bye.xml -d 1000; rc2=$?
sleep 0.5; sipp_stop $U
python3 "$ROOT/tests/demo/ladder.py" "$T/pbx-answers.msg" "$T/vc-calls.msg"
echo
echo "== what sbcd logged"
grep -E "call=|pset|sipif" "$T/sbcd.log" | cut -c12-
echo
echo "message logs: $T/*.msg, sbcd log: $T/sbcd.log"
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]
