#!/bin/sh
# tls_pki.sh DIR: certificates for tests/unit/test_tls.c (two CAs, good, expired, untrusted, client); test-only keys.
set -eu
dir=${1:?usage: tls_pki.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

# ca NAME CN
ca() {
	key "$1"
	openssl req -x509 -new -key "$1.key" -sha256 -days 30 -subj "/CN=$2" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.crt"
}

# leaf NAME CA CN SAN DAYS
leaf() {
	key "$1"
	openssl req -new -key "$1.key" -subj "/CN=$3" -out "$1.csr"
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' \
	    "$4" > "$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
	    -sha256 -days "$5" -extfile "$1.ext" -out "$1.crt" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

ca ca 'sbcd test CA'
ca ca2 'sbcd other CA'
leaf vc ca '*.voiceconnector.chime.test' 'DNS:*.voiceconnector.chime.test' 30
leaf untrusted ca2 '*.voiceconnector.chime.test' 'DNS:*.voiceconnector.chime.test' 30
# notAfter one day before notBefore (now): expired
leaf expired ca '*.voiceconnector.chime.test' 'DNS:*.voiceconnector.chime.test' -1
leaf sbc ca 'sbc.lab.test' 'DNS:sbc.lab.test,IP:127.0.0.9' 30
leaf client ca 'client.lab.test' 'DNS:client.lab.test' 30
