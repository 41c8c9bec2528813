#!/bin/sh
# 195-guide.sh: docs/guide-3cx-chime.md cannot drift from the code.  Every
# ```conf block of the guide is an exact excerpt of a configuration that
# `sbcd -t` passes: conf/sbc.conf, conf/production.conf (loaded from a copy
# whose tls/ folder holds the lab's certificates) or the output of sbc-import
# on tests/import/guide.ini (made as the guide shows it, and loaded from a
# copy made with the lab's certificates).  No network is used.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
IMPORT=${IMPORT:-$(dirname "$SBCD")/sbc-import}
PKI=${PKI:-$ROOT/build/lab/pki}

# production.conf as installed: /etc/sbcd/sbc.conf with /etc/sbcd/tls/
mkdir -p "$T/prod/tls" "$T/imp-tls"
cp "$ROOT/conf/production.conf" "$T/prod/sbc.conf"
ln -s "$PKI/sbc.crt" "$T/prod/tls/sbc.crt"
ln -s "$PKI/sbc.key" "$T/prod/tls/sbc.key"
ln -s "$PKI/ca.crt" "$T/prod/tls/amazon-roots.pem"

# the import, once as the guide runs it, once with the lab's files in --tls-dir
ln -s "$PKI/sbc.crt" "$T/imp-tls/AmazonChime.crt"
ln -s "$PKI/sbc.key" "$T/imp-tls/AmazonChime.key"
ln -s "$PKI/ca.crt" "$T/imp-tls/AmazonChime-roots.pem"
"$IMPORT" --tls-dir /etc/sbcd/tls -o "$T/import.conf" "$ROOT/tests/import/guide.ini" 2>/dev/null
check "sbc-import runs as the guide shows it" test $? -eq 0
"$IMPORT" --tls-dir "$T/imp-tls" -o "$T/import-lab.conf" "$ROOT/tests/import/guide.ini" 2>/dev/null
check "the two imports differ only in the certificate paths" \
    sh -c "sed 's|$T/imp-tls|/etc/sbcd/tls|g' '$T/import-lab.conf' | cmp -s - '$T/import.conf'"

python3 "$ROOT/tests/lib/guide_check.py" "$ROOT/docs/guide-3cx-chime.md" "$SBCD" \
    "conf/sbc.conf=$ROOT/conf/sbc.conf:$ROOT/conf/sbc.conf" \
    "conf/production.conf=$ROOT/conf/production.conf:$T/prod/sbc.conf" \
    "sbc-import output of tests/import/guide.ini=$T/import.conf:$T/import-lab.conf"
