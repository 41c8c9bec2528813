#!/bin/sh
# 230-tls-attacks.sh: TLS toward the carrier against openssl s_server: an
# untrusted CA, a wrong name, an expired certificate and a server that offers
# only TLS 1.1 are each refused before any SIP is sent, and the address is
# marked down within seconds; TLS 1.2 and TLS 1.3 with a good certificate
# carry the keep-alive OPTIONS and calls.  Incoming TLS on a context that
# requires client certificates: a trusted client certificate is served, none
# or an untrusted one is refused in the handshake.
# (040-proxies.sh covers the failover of a call past a wrong name and an
# untrusted CA; tests/unit/test_tls.c the same cases below the proxy sets.)
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
. "$ROOT/tests/lib/labconf.sh"
sip_trap

VC_NAME=lab.voiceconnector.chime.test

start_sbcd() {
	"$SBCD" -D -f "$1" > "$2" 2>&1 &
	SBCD_PID=$! SBCD_LOG=$2
	sip_track $SBCD_PID
	wait_for "started on" "$2" 5
}
stop_sbcd() { sbcd_stop_clean $SBCD_PID "$SBCD_LOG"; }

# ---- certificates: the lab CA's good one (vc), a wrong name (sbc), a
# self-signed one with the right name, and one the lab CA signed that
# expired yesterday
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=$VC_NAME" -addext "subjectAltName=DNS:$VC_NAME" \
    -keyout "$T/self.key" -out "$T/self.crt" 2>/dev/null
/usr/bin/python3 - "$PKI/ca.crt" "$PKI/ca.key" "$T/expired" "$VC_NAME" <<'EOF' || nok "an expired certificate is made"
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
ca_crt, ca_key, out, name = sys.argv[1:5]
ca = x509.load_pem_x509_certificate(open(ca_crt, "rb").read())
cakey = serialization.load_pem_private_key(open(ca_key, "rb").read(), None)
key = ec.generate_private_key(ec.SECP256R1())
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=30))
        .not_valid_after(now - datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(cakey, hashes.SHA256()))
open(out + ".crt", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
open(out + ".key", "wb").write(key.private_bytes(serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
EOF
check "the expired certificate is signed by the lab CA and expired" sh -c \
    "openssl verify -CAfile '$PKI/ca.crt' '$T/expired.crt' 2>&1 | grep -q 'certificate has expired'"

# ---- the carriers: one openssl s_server per case (s_server_sip.py answers
# the OPTIONS it decrypts), all named $VC_NAME in the proxy set
carrier() {	# carrier NAME IP CERT KEY [s_server args]
	_n=$1 _ip=$2 _c=$3 _k=$4; shift 4
	/usr/bin/python3 "$ROOT/tests/lib/s_server_sip.py" "$T/$_n.sip" \
	    -accept "$_ip:5061" -cert "$_c" -key "$_k" "$@" < /dev/null &
	sip_track $!
	sip_listening tcp "$_ip" 5061 5 || nok "s_server $_n listens on $_ip:5061"
}
carrier wrongname 127.0.0.24 "$PKI/sbc.crt" "$PKI/sbc.key"
carrier untrusted 127.0.0.25 "$T/self.crt" "$T/self.key"
carrier expired 127.0.0.26 "$T/expired.crt" "$T/expired.key"
# only TLS 1.1; its ciphers need security level 0 in OpenSSL 3
carrier tls11 127.0.0.27 "$PKI/vc.crt" "$PKI/vc.key" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0'
carrier tls12 127.0.0.28 "$PKI/vc.crt" "$PKI/vc.key" -tls1_2
carrier tls13 127.0.0.29 "$PKI/vc.crt" "$PKI/vc.key" -tls1_3

addr() { echo "{ address = \"$1:5061\"; transport = \"tls\"; priority = $2; tls_verify_name = \"$VC_NAME\"; }"; }
lab_variant "$T/ka.conf" '' \
    "$(addr 127.0.0.24 0), $(addr 127.0.0.25 1), $(addr 127.0.0.26 2), $(addr 127.0.0.27 3), $(addr 127.0.0.28 4), $(addr 127.0.0.29 5)" \
    'keepalive = "options"; keepalive_interval = 5;'
start_sbcd "$T/ka.conf" "$T/sbcd-ka.log" || nok "sbcd starts"
L=$T/sbcd-ka.log

# refused: the handshake fails with the reason, then the address is down;
# both within 5 s of the start (the first keep-alive goes out at once)
refused() {	# refused CARRIER IP REASON-ERE
	check "$1: the handshake is refused ($3)" \
	    wait_for "to $2:5061: handshake failed: .*\($3\)" "$L" 5
	check "$1: $2 is marked down within seconds" \
	    wait_for "pset PS-VC: $2:5061 (tls) is down" "$L" 5
	check "$1: no SIP reached the server" test ! -s "$T/$1.sip"
}
refused wrongname 127.0.0.24 "hostname mismatch"
refused untrusted 127.0.0.25 "self.signed certificate\|unable to get local issuer"
refused expired 127.0.0.26 "certificate has expired"
refused tls11 127.0.0.27 "unsupported protocol\|protocol version\|no protocols available"
for v in 2 3; do
	ip=127.0.0.2$((6 + v))
	check "TLS 1.$v: the handshake completes with TLSv1.$v" \
	    wait_for "to $ip:5061: TLSv1.$v " "$L" 5
	check "TLS 1.$v: s_server answers the keep-alive OPTIONS, $ip is up" \
	    wait_for "pset PS-VC: $ip:5061 (tls) is up (200 in" "$L" 5
	check "TLS 1.$v: s_server got the OPTIONS" grep -q "^< OPTIONS sip:" "$T/tls1$v.sip"
done
# a second keep-alive round: the refused ones stay down, nothing flaps
sleep 5.5
check "a second round later the refused addresses are still down, the good ones up" \
    test "$(grep -c 'PS-VC: .* is down' "$L")" -eq 4 -a "$(grep -c 'PS-VC: .* is up' "$L")" -eq 2
# the control CLI shows the same
CTL=$(dirname "$SBCD")/sbcctl
if [ -x "$CTL" ]; then
	"$CTL" -s "$T/sbcd.sock" --json proxies > "$T/proxies.json" 2>&1
	states=$(/usr/bin/python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["proxies"]
print(" ".join("%s=%s" % (p["address"].split(":")[0], p["state"])
    for p in sorted(r, key=lambda p: p["address"]) if p["proxy_set"] == "PS-VC"))' "$T/proxies.json")
	check "sbcctl proxies: the four refused addresses down, TLS 1.2 and 1.3 up ($states)" test \
	    "$states" = "127.0.0.24=down 127.0.0.25=down 127.0.0.26=down 127.0.0.27=down 127.0.0.28=up 127.0.0.29=up"
fi
stop_sbcd

# ---- calls over TLS 1.2 and TLS 1.3 (stunnel pinned to one version)
for v in 1.2 1.3; do
	VC_TLS_VERSION=TLSv$v vc_stunnel_start "$T/stunnel$v" || nok "stunnel TLS $v starts"
	if [ $v = 1.2 ]; then
		# no keep-alive: the INVITE itself finds the expired certificate
		# and the TLS 1.1 server, marks them down and moves on
		lab_variant "$T/call$v.conf" '' "$(addr 127.0.0.26 0), $(addr 127.0.0.27 1), $(addr 127.0.0.20 2)"
	else
		lab_variant "$T/call$v.conf" '' "$VC_GOOD"
	fi
	start_sbcd "$T/call$v.conf" "$T/sbcd-call$v.log"
	vc_uas vc$v uas_basic.xml -m 1; U=$SIPP_PID
	pbx_uac pbx$v uac_basic.xml; rc=$?
	sipp_wait $U 5
	check "TLS $v: a call 3CX -> VC completes (sipp $rc)" test $rc -eq 0 -a "$(sipp_calls vc$v)" -eq 1
	pbx_uas pbxin$v uas_basic.xml -m 1; U=$SIPP_PID
	vc_uac vcout$v uac_basic.xml; rc=$?
	sipp_wait $U 5
	check "TLS $v: a call VC -> 3CX completes (sipp $rc)" test $rc -eq 0 -a "$(sipp_calls pbxin$v)" -eq 1
	[ $v = 1.2 ] && for ip in 127.0.0.26 127.0.0.27; do
		check "no keep-alive: the INVITE marks $ip down when its handshake fails" \
		    grep -q "pset PS-VC: $ip:5061 (tls) is down: a request to it failed" "$T/sbcd-call$v.log"
	done
	check "TLS $v: both directions negotiated TLSv$v" sh -c \
	    "grep -q 'to 127.0.0.20:5061: TLSv$v ' '$T/sbcd-call$v.log' &&
	     grep -q 'from 127.0.0.20:[0-9]*: TLSv$v ' '$T/sbcd-call$v.log'"
	stop_sbcd
	vc_stunnel_stop
done

# ---- incoming TLS with client certificates required
lab_variant "$T/mtls.conf" '' "$VC_GOOD"
sed -i 's|ca_file = "\([^"]*\)"; } );|ca_file = "\1"; require_client_certificate = true; } );|' "$T/mtls.conf"
grep -q "require_client_certificate = true" "$T/mtls.conf" || nok "the mTLS variant is written"
start_sbcd "$T/mtls.conf" "$T/sbcd-mtls.log" || nok "sbcd starts with client certificates required"
sip_listening tcp $SBC_WAN_IP $SBC_WAN_PORT 5

# client NAME [s_client args]: one OPTIONS from the VC's address
client() {
	_n=$1; shift
	printf 'OPTIONS sip:%s:%s SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.20:5061;branch=z9hG4bK-%s\r\nMax-Forwards: 70\r\nFrom: <sip:vc@%s>;tag=%s\r\nTo: <sip:sbc@%s>\r\nCall-ID: %s@230\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' \
	    $SBC_WAN_IP $SBC_WAN_PORT "$_n" "$VC_NAME" "$_n" $SBC_WAN_IP "$_n" > "$T/$_n.req"
	( cat "$T/$_n.req"; sleep 2 ) | timeout 10 openssl s_client -connect $SBC_WAN_IP:$SBC_WAN_PORT \
	    -bind 127.0.0.20:0 -CAfile "$PKI/ca.crt" -verify_ip $SBC_WAN_IP -verify_return_error \
	    -ign_eof "$@" > "$T/$_n.out" 2>&1
}
client withcert -cert "$PKI/vc.crt" -key "$PKI/vc.key"
check "client certificate from the lab CA: the OPTIONS is answered 200" \
    grep -q "SIP/2.0 200 OK" "$T/withcert.out"
client nocert
check "no client certificate: no SIP answer" sh -c "! grep -q 'SIP/2.0 [0-9]' '$T/nocert.out'"
check "no client certificate: sbcd refuses the handshake" \
    wait_for "from 127.0.0.20:[0-9]*: handshake failed: .*certificate" "$T/sbcd-mtls.log" 3
client selfcert -cert "$T/self.crt" -key "$T/self.key"
check "self-signed client certificate: no SIP answer" sh -c "! grep -q 'SIP/2.0 [0-9]' '$T/selfcert.out'"
check "self-signed client certificate: sbcd refuses the handshake" \
    wait_for "from 127.0.0.20:[0-9]*: handshake failed: .*\(self.signed\|unable to get\|unknown ca\|certificate verify failed\)" \
    "$T/sbcd-mtls.log" 3
check "exactly one incoming handshake succeeded" \
    test "$(grep -c 'from 127.0.0.20:[0-9]*: TLSv1' "$T/sbcd-mtls.log")" -eq 1
stop_sbcd
