#!/bin/sh
# mklab.sh DIR: make the lab PKI (a CA, the Voice Connector simulator's wildcard certificate, sbcd's own).
# Lab-only material: generated on each machine, never committed.
set -eu
dir=${1:?usage: mklab.sh DIR}
[ -f "$dir/ca.crt" ] && [ -f "$dir/vc.crt" ] && [ -f "$dir/sbc.crt" ] && exit 0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sbcd-pki.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/$1.key" 2>/dev/null; }

key ca
openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days 3650 -subj "/CN=sbcd lab CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$tmp/ca.crt"

# leaf NAME SUBJECT-CN SAN
leaf() {
	key "$1"
	openssl req -new -key "$tmp/$1.key" -subj "/CN=$2" -out "$tmp/$1.csr"
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' \
	    "$3" > "$tmp/$1.ext"
	openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" \
	    -CAcreateserial -sha256 -days 825 -extfile "$tmp/$1.ext" -out "$tmp/$1.crt" 2>/dev/null
	rm -f "$tmp/$1.csr" "$tmp/$1.ext"
}

# the Voice Connector simulator, as Amazon's *.voiceconnector.chime.aws
leaf vc '*.voiceconnector.chime.test' 'DNS:*.voiceconnector.chime.test'
# sbcd's own certificate on the WAN side
leaf sbc 'sbc.lab.test' 'DNS:sbc.lab.test,IP:127.0.0.2'

(umask 022; mkdir -p "$dir")
chmod 644 "$tmp"/*.crt
for f in vc.key vc.crt sbc.key sbc.crt ca.key ca.crt; do
	mv "$tmp/$f" "$dir/$f"
done
echo "lab PKI in $dir: ca.crt, vc.crt (*.voiceconnector.chime.test), sbc.crt"
