#!/bin/sh
# 168-install.sh: `make install` with DESTDIR and PREFIX puts the binaries,
# the systemd unit (pointing at them), the logrotate file, the example
# configuration and the man pages in place, and nothing outside DESTDIR; the
# man pages render without a groff warning, sbc.conf(5) lists every key of
# this binary, the example configuration is good once certificates are in
# its tls/ folder, and a second install keeps the administrator's sbc.conf.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
D=$T/root

make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/opt/sbcd SANITIZE="${SANITIZE:-}" \
    > "$T/install.log" 2>&1; rc=$?
check "make install DESTDIR=... PREFIX=/opt/sbcd succeeds" test $rc -eq 0
check "the daemon and sbcctl are in PREFIX/sbin, executable" \
    sh -c "[ -x '$D/opt/sbcd/sbin/sbcd' ] && [ -x '$D/opt/sbcd/sbin/sbcctl' ]"
check "the installed sbcd runs" sh -c "'$D/opt/sbcd/sbin/sbcd' -v | grep -q '^sbcd '"
check "man pages sbcd.8, sbcctl.8, sbc.conf.5 under PREFIX/share/man" sh -c \
    "[ -f '$D/opt/sbcd/share/man/man8/sbcd.8' ] && [ -f '$D/opt/sbcd/share/man/man8/sbcctl.8' ] &&
     [ -f '$D/opt/sbcd/share/man/man5/sbc.conf.5' ]"
groff -man -ww -z "$D"/opt/sbcd/share/man/man*/* > "$T/groff.log" 2>&1; rc=$?
check "the man pages render without a warning" sh -c "[ $rc -eq 0 ] && [ ! -s '$T/groff.log' ]"
check "sbc.conf(5) documents every key of this binary" sh -c "
    '$SBCD' -S | sed -n 's/^| \`\\([a-z_0-9]*\\)\` |.*/\\1/p' | sort -u > '$T/keys'
    [ \$(wc -l < '$T/keys') -gt 50 ] || exit 1
    while read -r k; do grep -q \"^\\.B \$k\$\" '$D/opt/sbcd/share/man/man5/sbc.conf.5' || { echo \"missing \$k\"; exit 1; }; done < '$T/keys'"
check "the man pages carry the version and the paths of this install" sh -c \
    "grep -q 'sbcd 0\\.' '$D/opt/sbcd/share/man/man8/sbcd.8' && grep -q '/opt/sbcd/share/doc/sbcd' '$D/opt/sbcd/share/man/man8/sbcd.8'"
U=$D/etc/systemd/system/sbcd.service
check "the unit is installed and starts this sbcd with /etc/sbcd/sbc.conf" sh -c \
    "grep -q '^ExecStart=/opt/sbcd/sbin/sbcd -f /etc/sbcd/sbc.conf\$' '$U' &&
     grep -q '^ExecStartPre=/opt/sbcd/sbin/sbcd -t -f /etc/sbcd/sbc.conf\$' '$U'"
check "the unit: Type=notify, ExecReload SIGHUP, watchdog, dedicated user" sh -c \
    "grep -q '^Type=notify\$' '$U' && grep -q '^ExecReload=/bin/kill -HUP \$MAINPID\$' '$U' &&
     grep -q '^WatchdogSec=' '$U' && grep -q '^User=sbcd\$' '$U' && grep -q '^RuntimeDirectory=sbcd\$' '$U'"
check "the unit: hardening (NoNewPrivileges, ProtectSystem=strict, PrivateTmp, no capabilities)" sh -c \
    "grep -q '^NoNewPrivileges=yes\$' '$U' && grep -q '^ProtectSystem=strict\$' '$U' &&
     grep -q '^PrivateTmp=yes\$' '$U' && grep -q '^CapabilityBoundingSet=\$' '$U'"
check "logrotate file and documentation installed" sh -c \
    "[ -f '$D/etc/logrotate.d/sbcd' ] && [ -f '$D/opt/sbcd/share/doc/sbcd/operations.md' ]"
check "the example configuration is owner/group-only and uses production paths" sh -c \
    "[ \$(stat -c %a '$D/etc/sbcd/sbc.conf.example') = 640 ] &&
     grep -q 'control_socket = \"/run/sbcd/sbcd.sock\"' '$D/etc/sbcd/sbc.conf.example' &&
     grep -q 'cdr_file = \"/var/log/sbcd/cdr.json\"' '$D/etc/sbcd/sbc.conf.example' &&
     ! grep -q 'build/' '$D/etc/sbcd/sbc.conf.example'"
"$D/opt/sbcd/sbin/sbcd" -t -f "$D/etc/sbcd/sbc.conf" > "$T/t1.log" 2>&1; rc=$?
check "without certificates the example is refused, naming the missing file" \
    sh -c "[ $rc -eq 1 ] && grep -q 'tls/sbc.crt' '$T/t1.log'"
cp "$ROOT/build/lab/pki/sbc.crt" "$ROOT/build/lab/pki/sbc.key" "$ROOT/build/lab/pki/ca.crt" "$D/etc/sbcd/tls/"
check "with them in /etc/sbcd/tls the example configuration is good" \
    "$D/opt/sbcd/sbin/sbcd" -t -f "$D/etc/sbcd/sbc.conf"
echo "# mine" >> "$D/etc/sbcd/sbc.conf"
make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/opt/sbcd SANITIZE="${SANITIZE:-}" > /dev/null 2>&1
check "a second install keeps the administrator's sbc.conf" grep -q '^# mine$' "$D/etc/sbcd/sbc.conf"
check "every installed file is under /etc or PREFIX" sh -c \
    "cd '$D' && [ -z \"\$(find . -type f ! -path './etc/*' ! -path './opt/sbcd/*')\" ]"
