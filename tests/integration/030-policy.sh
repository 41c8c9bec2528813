#!/bin/sh
# 030-policy.sh: what sbcd lets through and what it hides: OPTIONS answered by
# sbcd itself, an unclassified source refused and never forwarded, headers the
# far side needs passed through, and nothing of one side's topology (Via,
# Contact, Call-ID, Record-Route, addresses, tags) on the other.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
sip_trap

lab_conf "$T/sbc.conf"
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"
"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 5

# --- OPTIONS to sbcd: answered locally, never forwarded
vc_uas opt-far uas_basic.xml || nok "VC UAS starts"
FAR=$SIPP_PID
pbx_uac opt uac_options.xml; rc=$?
check "OPTIONS from 3CX is answered 200 by sbcd with Allow, Accept, Supported (sipp $rc)" test $rc -eq 0
check "the 200 lists INVITE in Allow" sip_has "$T/opt.msg" "SIP/2.0 200" Allow "INVITE"
check "the 200 accepts application/sdp" sip_has "$T/opt.msg" "SIP/2.0 200" Accept "application/sdp"

# --- an unclassified source: 403, and nothing reaches the VC
rogue_uac rogue uac_forbidden.xml; rc=$?
check "an INVITE from an unclassified address gets 403 (sipp $rc)" test $rc -eq 0
sleep 0.5
sipp_stop $FAR
check "the VC never receives it" test "$(sip_count "$T/opt-far.msg" INVITE)" -eq 0
check "the refusal is logged with the source" grep -q "INVITE .* from 127.0.0.99:5060 on SI-3CX: unclassified, refused" "$T/sbcd.log"

# --- headers through, topology hidden: 3CX -> VC
vc_uas hdr-out-uas uas_basic.xml || nok "VC UAS starts"
U=$SIPP_PID
pbx_uac hdr-out uac_headers.xml; rc=$?
sleep 0.5; sipp_stop $U
check "3CX->VC call with extra headers completes (sipp $rc)" test $rc -eq 0
M=$T/hdr-out-uas.msg
check "P-Asserted-Identity passes (its host is the WAN address: the guide's rule 5)" \
    sip_has $M INVITE P-Asserted-Identity '"Alice Caller" <sip:\+15550100@127.0.0.2>'
check "Privacy passes" sip_has $M INVITE Privacy '^id$'
check "Diversion passes" sip_has $M INVITE Diversion 'reason=unconditional'
check "Session-Expires passes" sip_has $M INVITE Session-Expires '^1800;refresher=uac'
check "Min-SE passes" sip_has $M INVITE Min-SE '^90$'
check "Supported passes" sip_has $M INVITE Supported 'timer'
check "Require passes" sip_has $M INVITE Require '^timer$'
check "Subject passes" sip_has $M INVITE Subject 'sbcd header pass-through'
check "X-Custom passes unchanged" sip_has $M INVITE X-Custom '^sbcd-test-4711$'
check "the body passes (SDP unchanged until media is anchored)" \
    sh -c "sip_msg() { :; }; grep -q '^m=audio' '$M'"
# topology: nothing from the 3CX side on the VC side
A=$T/hdr-out.msg
cid=$(sip_hdr "$A" INVITE Call-ID 1 sent)
ftag=$(sip_hdr "$A" INVITE From 1 sent | sed 's/.*tag=//')
check "topology: the VC sees no 3CX Call-ID, From tag, Via or Contact" \
    sip_absent $M "$cid" "$ftag" "127.0.0.10:5070" "caller@"
check "topology: the VC's INVITE has one Via, sbcd's WAN address" \
    test "$(sip_hdr $M INVITE Via)" = "SIP/2.0/TLS 127.0.0.2;branch=$(sip_hdr $M INVITE Via | sed 's/.*branch=//')"
check "topology: the VC's INVITE has sbcd's Contact" \
    test "$(sip_hdr $M INVITE Contact)" = "<sip:127.0.0.2:5061;transport=tls>"
check "topology: 3CX's User-Agent is replaced by sbcd's" sip_has $M INVITE User-Agent '^sbcd$'
check "topology: Max-Forwards is decremented" sip_has $M INVITE Max-Forwards '^69$'
# and nothing of the VC side goes back to 3CX
vcid=$(sip_hdr "$M" INVITE Call-ID)
vtag=$(sip_hdr "$M" "SIP/2.0 200" To 1 sent | sed 's/.*tag=//')
check "topology: 3CX sees no VC Call-ID, To tag, Contact or Via" \
    sip_absent "$A" "$vcid" "$vtag" "127.0.0.21:" "callee@"
check "topology: 3CX's 200 carries sbcd's LAN Contact" sip_has "$A" "SIP/2.0 200" Contact "127.0.0.1:5060"

# --- the other way: VC -> 3CX
pbx_uas hdr-in-uas uas_basic.xml || nok "3CX UAS starts"
U=$SIPP_PID
vc_uac hdr-in uac_headers.xml; rc=$?
sleep 0.5; sipp_stop $U
check "VC->3CX call with extra headers completes (sipp $rc)" test $rc -eq 0
M=$T/hdr-in-uas.msg
A=$T/hdr-in.msg
cid=$(sip_hdr "$A" INVITE Call-ID 1 sent)
check "topology: 3CX sees no VC Call-ID, Via or Contact" sip_absent $M "$cid" "127.0.0.21:5070" "caller@"
check "3CX gets X-Custom and P-Asserted-Identity" sip_has $M INVITE X-Custom '^sbcd-test-4711$'

# --- stray requests
check "sbcd is still running" alive $SBCD_PID
