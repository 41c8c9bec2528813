#!/bin/sh
# 040-proxies.sh: proxy sets at work: keep-alive marks an address down and up
# again, round robin spreads 100 calls over two PBXs, the primary PBX killed
# mid-run loses no call, and a carrier whose TLS identity fails (wrong name,
# untrusted CA) is left for the next address within 5 s.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
. "$ROOT/tests/lib/labconf.sh"
sip_trap

start_sbcd() {
	"$SBCD" -D -f "$1" > "$2" 2>&1 &
	SBCD_PID=$!
	sip_track $SBCD_PID
	wait_for "started on" "$2" 5
}
stop_sbcd() { kill -TERM $SBCD_PID; wait $SBCD_PID 2>/dev/null; }

vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"

# --- keep-alive: down when 3CX stops answering, up when it answers again
lab_variant "$T/ka.conf" 'keepalive = "options"; keepalive_interval = 5; invite_timeout = 1000;' "$VC_GOOD"
sipp_uas ka-a $PBX_IP $PBX_PORT u1 uas_options.xml || nok "3CX keep-alive responder starts"
KA=$SIPP_PID
start_sbcd "$T/ka.conf" "$T/sbcd-ka.log"
check "keep-alive: 3CX is up while it answers OPTIONS" \
    wait_for "pset PS-3CX: 127.0.0.10:5060 (udp) is up" "$T/sbcd-ka.log" 4
sipp_kill $KA
check "keep-alive: 3CX is down within one interval after it stops answering" \
    wait_for "pset PS-3CX: 127.0.0.10:5060 (udp) is down" "$T/sbcd-ka.log" 8
sipp_uas ka-b $PBX_IP $PBX_PORT u1 uas_options.xml || nok "3CX keep-alive responder restarts"
KA=$SIPP_PID
n=$(grep -ac "127.0.0.10:5060 (udp) is up" "$T/sbcd-ka.log")
check "keep-alive: 3CX is up again once it answers" \
    wait_count "127.0.0.10:5060 (udp) is up" "$T/sbcd-ka.log" "$n" 8
sipp_stop $KA
stop_sbcd

# --- round robin over two PBXs: 100 calls from the VC
lab_variant "$T/rr.conf" 'load_balancing = "round-robin";' "$VC_GOOD"
sed -i 's/priority = 1; }/priority = 0; }/' "$T/rr.conf"
start_sbcd "$T/rr.conf" "$T/sbcd-rr.log"
pbx_uas rr-a uas_basic.xml || nok "PBX A starts"; A=$SIPP_PID
pbx2_uas rr-b uas_basic.xml || nok "PBX B starts"; B=$SIPP_PID
vc_uac rr uac_basic.xml -m 100 -r 20 -d 100; rc=$?
sleep 1; sipp_stop $A; sipp_stop $B
a=$(sipp_calls rr-a); b=$(sipp_calls rr-b)
check "round robin: 100 calls complete (sipp $rc)" test $rc -eq 0 -a "$(sipp_calls rr)" -eq 100
check "round robin: spread evenly ($a and $b)" test "$a" -eq 50 -a "$b" -eq 50
stop_sbcd

# --- failover: 3CX killed mid-run, every later call goes to the secondary
lab_variant "$T/fo.conf" 'keepalive = "options"; keepalive_interval = 5; redundancy_mode = "homing"; invite_timeout = 2000;' "$VC_GOOD"
pbx_uas fo-a uas_basic.xml || nok "3CX starts"; A=$SIPP_PID
pbx2_uas fo-b uas_basic.xml || nok "secondary PBX starts"; B=$SIPP_PID
start_sbcd "$T/fo.conf" "$T/sbcd-fo.log"
wait_for "127.0.0.10:5060 (udp) is up" "$T/sbcd-fo.log" 3
( sleep 3; kill -KILL $A ) &
KILLER=$!
vc_uac fo uac_basic.xml -m 100 -r 10 -d 200; rc=$?
wait $KILLER; wait $A 2>/dev/null
sleep 1; sipp_stop $B
a=$(grep -c "INVITE sip:.* via sip:127.0.0.10:5060" "$T/sbcd-fo.log")
b=$(sipp_calls fo-b)
check "failover: all 100 calls complete though the primary died (sipp $rc, $(sipp_failed fo) failed)" \
    test $rc -eq 0 -a "$(sipp_calls fo)" -eq 100
check "failover: the secondary took the calls after the kill ($b)" test "$b" -ge 60
last_a=$(grep -n "via sip:127.0.0.10:5060" "$T/sbcd-fo.log" | tail -1 | cut -d: -f1)
down=$(grep -n "127.0.0.10:5060 (udp) is down" "$T/sbcd-fo.log" | head -1 | cut -d: -f1)
check "failover: no call goes to the dead primary once it is down" test -n "$down" -a "${last_a:-0}" -le "${down:-0}"
stop_sbcd

# --- TLS identity: a carrier address with the wrong certificate is failed over
# wrong name: sbc.crt says sbc.lab.test, not lab.voiceconnector.chime.test
openssl s_server -quiet -accept 127.0.0.24:5061 -cert "$PKI/sbc.crt" -key "$PKI/sbc.key" \
    > "$T/bad-name.out" 2>&1 < /dev/null &
sip_track $!
# untrusted: a self-signed certificate with the right name
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=lab.voiceconnector.chime.test" -addext "subjectAltName=DNS:lab.voiceconnector.chime.test" \
    -keyout "$T/self.key" -out "$T/self.crt" 2>/dev/null
openssl s_server -quiet -accept 127.0.0.25:5061 -cert "$T/self.crt" -key "$T/self.key" \
    > "$T/untrusted.out" 2>&1 < /dev/null &
sip_track $!
sip_listening tcp 127.0.0.24 5061 3; sip_listening tcp 127.0.0.25 5061 3
lab_variant "$T/tls.conf" '' \
    '{ address = "127.0.0.24:5061"; transport = "tls"; priority = 0; tls_verify_name = "lab.voiceconnector.chime.test"; },
     { address = "127.0.0.25:5061"; transport = "tls"; priority = 1; tls_verify_name = "lab.voiceconnector.chime.test"; },
     { address = "127.0.0.20:5061"; transport = "tls"; priority = 2; tls_verify_name = "lab.voiceconnector.chime.test"; }'
start_sbcd "$T/tls.conf" "$T/sbcd-tls.log"
vc_uas tls-vc uas_basic.xml || nok "VC UAS starts"; V=$SIPP_PID
t0=$(date +%s%N)
pbx_uac tls uac_basic.xml -d 100; rc=$?
t1=$(date +%s%N)
sleep 0.3; sipp_stop $V
ms=$(( (t1 - t0) / 1000000 ))
check "TLS: the call reaches the good VC past a wrong name and an untrusted CA (sipp $rc)" \
    test $rc -eq 0 -a "$(sipp_calls tls-vc)" -eq 1
check "TLS: it took $ms ms, under 5 s" test $ms -lt 5000
check "TLS: the wrong name is refused" grep -q "127.0.0.24:5061.*hostname mismatch" "$T/sbcd-tls.log"
check "TLS: the untrusted CA is refused" grep -q "127.0.0.25:5061.*\(unable to get local issuer\|self.signed\)" "$T/sbcd-tls.log"
check "TLS: nothing was sent to the unverified servers" \
    sh -c "! grep -q 'INVITE' '$T/bad-name.out' '$T/untrusted.out'"
stop_sbcd
