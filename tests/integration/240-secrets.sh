#!/bin/sh
# 240-secrets.sh: no SRTP master key, password or digest response in any log,
# at the most verbose level there is: sbcd's log_level "debug" and every
# sofia-sip debug and message-log switch in the environment (TPORT_LOG,
# TPORT_DUMP, *_DEBUG=9), with the HEP export on.  One SRTP call with media
# 3CX -> VC and one call the VC challenges; then sbcd's stderr, the CDR file,
# what the HEP collector got, a TPORT_DUMP file (if sofia wrote one) and
# `sbcd -T` are searched for both SDES keys, the password and the digest
# response.  As a control, the same strings are
# found in the peers' own message logs.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
. "$ROOT/tests/lib/media.sh"
sip_trap

PASSWORD=pw-240-Zq7xK2vTn9
# uas_auth.xml verifies the digest with this password
sed "s/password=\"secret\"/password=\"$PASSWORD\"/" "$ROOT/tests/sip/uas_auth.xml" > "$T/uas_auth.xml"
lab_conf "$T/sbc.conf"
sed -i -e 's/keepalive = "options";/keepalive = "disable";/' \
    -e 's/redundancy_mode = "homing";/redundancy_mode = "parking";/' \
    -e 's/log_level = "[a-z]*";/log_level = "debug";/' \
    -e "s|cdr_file = \"[^\"]*\";|cdr_file = \"$T/cdr.json\";|" \
    -e "s/    # username = \"sbc\"; password = \"...\";/    username = \"sbc\"; password = \"$PASSWORD\";/" \
    -e 's|^global = {|global = {\n  hep_collector = "127.0.0.1:9060";|' \
    "$T/sbc.conf"
check "the lab variant logs at debug, writes CDRs here and has VC credentials" sh -c \
    "grep -q 'log_level = \"debug\"' '$T/sbc.conf' && grep -q 'cdr_file = \"$T/cdr.json\"' '$T/sbc.conf' &&
     grep -q 'password = \"$PASSWORD\"' '$T/sbc.conf'"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
# the HEP export is on too (it turns sofia's message trace on, masked):
# a UDP sink keeps what the collector would get
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 9060))
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65535))
' "$T/hep.bin" &
sip_track $!
sip_listening udp 127.0.0.1 9060 5 || nok "the HEP sink listens"

# every sofia switch that makes it print or dump messages, at its loudest
env TPORT_LOG=1 MSG_STREAM_LOG=1 TPORT_DUMP="$T/tport.dump" MSG_DUMP="$T/msg.dump" \
    SOFIA_DEBUG=9 SU_DEBUG=9 NTA_DEBUG=9 TPORT_DEBUG=9 NUA_DEBUG=9 SRESOLV_DEBUG=9 \
    "$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5 || nok "sbcd starts"

# ---- an SRTP call with media: 3CX (RTP) -> sbcd -> VC (SRTP, SDES)
media_pcap "$T/pbx.pcap" --count 100 --ssrc 1000aaaa > /dev/null
media_scenario pbx_uac_rtp "$T/uac.xml" "$T/pbx.pcap" > /dev/null
media_scenario vc_uas_srtp "$T/uas.xml" "" > /dev/null
rtppeer_start vcm --bind 127.0.0.21:40100 --peer-file "$T/vcm.peer" --srtp-out-key "$MEDIA_VC_KEY" \
    --count 100 --start-after 0.5 --expect 100
media_uas vc vcuas "$T/uas.xml" 40100 -m 1; up=$SIPP_PID
( media_uac pbx pbxuac "$T/uac.xml" 40000 -d 3000 ) & uacpid=$!
media_wait_sdp "$T/vcuas.msg" INVITE > "$T/vcm.peer.tmp" && mv "$T/vcm.peer.tmp" "$T/vcm.peer"
wait $uacpid; rc=$?
sipp_wait $up; rtppeer_wait vcm
check "SRTP call: completes (sipp $rc)" test $rc -eq 0
check "SRTP call: the VC decrypts the media with sbcd's key ($(rtp_get vcm unique)/100)" \
    test "$(rtp_get vcm unique)" = 100

# ---- a call the VC challenges (401, MD5 digest)
grep -q "password=\"$PASSWORD\"" "$T/uas_auth.xml" || nok "the challenging VC knows the password"
vc_uas auth "$T/uas_auth.xml" -m 1; U=$SIPP_PID
pbx_uac c1 uac_basic.xml; rc=$?
sipp_wait $U 5; urc=$?
check "digest call: completes, the VC verified the response (sipp $rc, $urc)" test $rc -eq 0 -a $urc -eq 0

sbcd_stop_clean $SBCD_PID "$T/sbcd.log"
"$SBCD" -T -f "$T/sbc.conf" > "$T/dump.conf" 2>&1

# ---- the secrets, from the peers' own records
SBC_KEY=$(media_sdp "$T/vcuas.msg" INVITE | awk '{ print $3 }')
VC_KEY=$(media_sdp "$T/vcuas.msg" 'SIP/2.0 200' 1 sent | awk '{ print $3 }')
RESPONSE=$(sip_hdr "$T/auth.msg" INVITE Authorization 2 | sed -n 's/.*response="\([0-9a-f]*\)".*/\1/p')
check "the secrets are known: sbcd's key, the VC's key, the digest response" \
    test "${#SBC_KEY}" -ge 40 -a "${#VC_KEY}" -ge 40 -a "${#RESPONSE}" -eq 32
check "control: the peers' message logs do hold them" sh -c \
    "grep -qF -- '$SBC_KEY' '$T/vcuas.msg' && grep -qF -- '$VC_KEY' '$T/vcuas.msg' &&
     grep -qF -- '$RESPONSE' '$T/auth.msg'"
check "the log is as verbose as it gets (sofia's own lines are in it)" \
    grep -q "sofia: " "$T/sbcd.log"

check "control: the HEP collector got the calls' messages" grep -aq "INVITE sip:" "$T/hep.bin"
LOGS="$T/sbcd.log $T/cdr.json $T/dump.conf $T/hep.bin"
for f in "$T/tport.dump" "$T/msg.dump"; do [ -f "$f" ] && LOGS="$LOGS $f"; done
check "the CDR file has both calls" test "$(wc -l < "$T/cdr.json")" -ge 2
absent() {	# absent WHAT STRING
	_hits=$(grep -lF -- "$2" $LOGS 2>/dev/null | tr '\n' ' ')
	check "$1 appears in no log${_hits:+ (found in: $_hits)}" test -z "$_hits"
}
absent "sbcd's SRTP master key" "$SBC_KEY"
absent "the VC's SRTP master key" "$VC_KEY"
absent "the digest password" "$PASSWORD"
absent "the digest response" "$RESPONSE"
check "no unmasked inline key and no unmasked digest response in any log" \
    sh -c "! grep -Eq 'inline:[A-WYZa-z0-9+/]' $LOGS && ! grep -Eqi 'authorization:.*response=\"[0-9a-f]' $LOGS"
check "sofia wrote no message dump (TPORT_DUMP, MSG_DUMP)" \
    test ! -e "$T/tport.dump" -a ! -e "$T/msg.dump"
check "sbcd says it ignored sofia's message-log switches" \
    grep -q "TPORT_LOG ignored: sofia's message log would write SRTP keys" "$T/sbcd.log"
