#!/bin/sh
# 200-torture.sh: every RFC 4475 / RFC 5118 torture message (tests/torture,
# exact bytes) as one UDP datagram from the 3CX address to sbcd's PBX
# interface, and the valid requests over TLS from the carrier's address:
# each is answered with its expected class or dropped (tests/torture/EXPECT.tsv),
# nothing invalid reaches the other side, what is forwarded is re-serialized,
# and sbcd is alive afterwards and still connects a call.  Under
# `make check SANITIZE=1` sbcd runs with ASan/UBSan and any report fails it.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
# the PBX interface takes TCP too, for the messages whose Via says TCP
sed -i "s/udp_port = 5060;/udp_port = 5060; tcp_port = 5060;/" "$T/sbc.conf"
# the peers (3CX on UDP 127.0.0.10:5060, the VC on TLS 127.0.0.20:5061) first,
# so that sbcd's first keep-alives find them
python3 "$ROOT/tests/lib/torture.py" "$ROOT/tests/torture" "$ROOT/tests/torture/EXPECT.tsv" \
    "$T" > "$T/torture.out" 2>&1 &
TP=$!
sip_track $TP
wait_for . "$T/peers.ready" 5 || [ -e "$T/peers.ready" ] || nok "the torture peers start"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBC=$!
sip_track $SBC
wait_for "started on" "$T/sbcd.log" 5
touch "$T/go"
wait "$TP"
_sip_untrack "$TP"
cat "$T/torture.out"
grep -q '^ok - ' "$T/torture.out" || nok "the torture run printed results"

check "sbcd is alive after the torture corpus" alive $SBC
# a good call 3CX -> VC still goes through (the real VC peer: stunnel + SIPp)
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
vc_uas far uas_basic.xml; FAR=$SIPP_PID
pbx_uac pbx uac_basic.xml
check "a call after the torture corpus is connected" test "$(sipp_calls pbx)" -eq 1
sipp_stop $FAR
kill -TERM $SBC; wait $SBC; rc=$?
_sip_untrack $SBC
check "sbcd exits cleanly (status $rc)" test $rc -eq 0
check "no sanitizer report" sh -c "! grep -q 'ERROR: AddressSanitizer\|runtime error:\|ERROR: LeakSanitizer' '$T/sbcd.log'"
