#!/bin/sh
# 250-soak.sh: SOAK_CALLS (20,000) short calls with media through sbcd, 3CX
# (plain RTP) -> VC (SRTP over TLS), and afterwards sbcd holds what it held
# before: open file descriptors, media ports, calls in progress, and memory
# (RSS, within a bound for the allocator).  No call may fail.  Under
# `make check SANITIZE=1` the run is shorter (SOAK_SAN_CALLS, 1,000) and
# LeakSanitizer's report at sbcd's exit is the leak check; SOAK_VALGRIND=1
# runs SOAK_VALGRIND_CALLS (200) calls under valgrind --leak-check=full too.
# The long manual variant is in docs/security.md ("Soak and leaks").
#
# Knobs: SOAK_CALLS, SOAK_RATE (calls/s, 100), SOAK_HOLD_MS (1000),
# SOAK_PACKETS (RTP packets each way per call, 10), SOAK_WARMUP (45 s of
# calls), SOAK_SETTLE (35 s), SOAK_RSS_KB (allowed RSS growth, 6144),
# SOAK_VALGRIND, SOAK_VALGRIND_CALLS.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
. "$ROOT/tests/lib/media.sh"
sip_trap

if [ "${SANITIZE:-}" = 1 ]; then
	# ASan's quarantine and redzones make RSS meaningless: LeakSanitizer at
	# sbcd's exit is the leak check, and a short run is enough for it
	CALLS=${SOAK_SAN_CALLS:-1000}; RATE=${SOAK_RATE:-25}
	WARMUP=${SOAK_WARMUP:-100}; SETTLE=${SOAK_SETTLE:-3}
else
	CALLS=${SOAK_CALLS:-20000}; RATE=${SOAK_RATE:-100}
	# the warm-up outlasts sofia's 32 s transaction lifetime at the soak's
	# rate, so the heap's high-water mark is reached before the baseline
	WARMUP=${SOAK_WARMUP:-$((RATE * 45))}; SETTLE=${SOAK_SETTLE:-35}
fi
HOLD=${SOAK_HOLD_MS:-1000}
PACKETS=${SOAK_PACKETS:-10}
RSS_KB=${SOAK_RSS_KB:-6144}
SBCCTL=${SBCCTL:-$(dirname "$SBCD")/sbcctl}
SIPP_LIGHT=1	# 20,000 calls of message traces would be gigabytes

lab_conf "$T/sbc.conf"
sed -i -e 's/keepalive = "options";/keepalive = "disable";/' \
    -e 's/redundancy_mode = "homing";/redundancy_mode = "parking";/' \
    -e 's/log_level = "[a-z]*";/log_level = "info";/' \
    -e "s|cdr_file = \"[^\"]*\";|cdr_file = \"$T/cdr.json\";|" "$T/sbc.conf"
SOCK=$(sed -n 's/^ *control_socket = "\([^"]*\)".*/\1/p' "$T/sbc.conf")
vc_stunnel_start "$T/stunnel" || nok "stunnel for the VC starts"

media_pcap "$T/pbx.pcap" --count "$PACKETS" --ssrc 1000aaaa > /dev/null
media_pcap "$T/vc.pcap" --count "$PACKETS" --tone 400 --ssrc 2000bbbb --srtp-key "$MEDIA_VC_KEY" > /dev/null
media_scenario pbx_uac_rtp "$T/uac.xml" "$T/pbx.pcap" > /dev/null
media_scenario vc_uas_srtp "$T/uas.xml" "$T/vc.pcap" > /dev/null

# calls NAME N RATE: N calls 3CX -> VC with media; 0 when all succeeded
calls() {
	SIPP_UAS_TIMEOUT=$(($2 / $3 + 300)) media_uas vc "$1-vc" "$T/uas.xml" 40100; _up=$SIPP_PID
	SIPP_TIMEOUT=$(($2 / $3 + 120)) media_uac pbx "$1" "$T/uac.xml" 40000 \
	    -m "$2" -r "$3" -d "$HOLD" -l $(($3 * 4)); _rc=$?
	sleep 1; sipp_stop $_up
	[ $_rc -eq 0 ] && [ "$(sipp_calls "$1")" -eq "$2" ]
}

# ---- what sbcd holds: counted from /proc and ss, not from sbcd itself
fds() { ls "/proc/$SBCD_PID/fd" 2>/dev/null | wc -l; }
# UDP sockets of sbcd in the media realms' ranges (20000+, 30000+)
media_ports() {
	ss -Huanp 2>/dev/null | grep "pid=$SBCD_PID," |
	    awk '{ n = split($4, a, ":"); p = a[n] + 0 } p >= 20000 && p < 40000 { c++ } END { print c + 0 }'
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SBCD_PID/status"; }
# calls in progress: the control CLI's count when build/sbcctl is there,
# else the INVITEs sbcd routed minus the CDR lines written when a call ends
calls_up() {
	if [ -x "$SBCCTL" ] && "$SBCCTL" -s "$SOCK" --json status > "$T/status.json" 2>/dev/null; then
		/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["calls"])' \
		    "$T/status.json" 2>/dev/null && return
	fi
	_in=$(grep -c ' INVITE sip:.* via sip:' "$T/sbcd.log")
	_out=$(wc -l < "$T/cdr.json" 2>/dev/null || echo 0)
	echo $((_in - _out))
}
# sbcd's own count of media ports (sbcctl), or "-" without sbcctl
ctl_ports() {
	if [ -x "$SBCCTL" ] && "$SBCCTL" -s "$SOCK" --json status > "$T/status.json" 2>/dev/null; then
		/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["media_ports_in_use"])' \
		    "$T/status.json" 2>/dev/null && return
	fi
	echo -
}
snapshot() {	# snapshot NAME: fds ports rss calls into $T/NAME.snap and $NAME_*
	echo "fds=$(fds) ports=$(media_ports) rss=$(rss_kb) calls=$(calls_up) ctlports=$(ctl_ports)" > "$T/$1.snap"
	cat "$T/$1.snap"
}

# settle: every call ended, then SETTLE s more for sofia's transactions to
# expire (timers D, J and K: 64*T1 = 32 s), which hold memory, not calls
settle() {
	_i=0
	while [ $_i -lt 100 ] && [ "$(calls_up)" != 0 ]; do sleep 0.1; _i=$((_i + 1)); done
	sleep "$SETTLE"
}

"$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd.log" 2>&1 &
SBCD_PID=$!
sip_track $SBCD_PID
wait_for "started on" "$T/sbcd.log" 10 || nok "sbcd starts"

# warm-up: the TLS connection, sofia's and libsrtp's tables, the allocator's
# arenas are made here, so the baseline is sbcd at work, not sbcd idle
calls warmup "$WARMUP" "$RATE"; rc=$?
check "warm-up: $WARMUP calls with media complete ($(sipp_failed warmup) failed)" test $rc -eq 0
settle
eval "$(snapshot before | sed 's/\([a-z]*\)=/b_\1=/g')"
echo "# before: fds $b_fds, media ports $b_ports (sbcctl: $b_ctlports), RSS $b_rss kB, calls $b_calls"

# the peak during the run, sampled each second: the counters do see the
# calls' ports and sockets, so "back to the baseline" means something
( while :; do echo "fds=$(fds) ports=$(media_ports) rss=$(rss_kb)"; sleep 1; done ) > "$T/samples" 2>/dev/null &
SAMPLER=$!
sip_track $SAMPLER
t0=$(date +%s)
calls soak "$CALLS" "$RATE"; rc=$?
t1=$(date +%s)
kill $SAMPLER; wait $SAMPLER 2>/dev/null; _sip_untrack $SAMPLER
peak=$(awk -F'[= ]' '{ if ($2 > f) f = $2; if ($4 > p) p = $4; if ($6 > r) r = $6 }
    END { printf "fds %d, media ports %d, RSS %d kB", f, p, r }' "$T/samples")
echo "# peak during the run: $peak"
check "during the soak sbcd held media ports ($peak)" \
    test "$(awk -F'[= ]' '$4 > p { p = $4 } END { print p + 0 }' "$T/samples")" -gt 0
echo "# $CALLS calls at $RATE/s took $((t1 - t0)) s"
check "soak: $CALLS calls with media complete, $(sipp_calls soak) ok, $(sipp_failed soak) failed" test $rc -eq 0

settle
eval "$(snapshot after | sed 's/\([a-z]*\)=/a_\1=/g')"
echo "# after:  fds $a_fds, media ports $a_ports (sbcctl: $a_ctlports), RSS $a_rss kB, calls $a_calls"

n=$(grep -c 'media PCMU: A in' "$T/sbcd.log")
withmedia=$(grep 'media PCMU: A in' "$T/sbcd.log" | awk '$0 ~ /A in [1-9][0-9]* out [1-9]/ && $0 ~ /B in [1-9][0-9]* out [1-9]/' | wc -l)
check "soak: every call carried media both ways ($withmedia of $n, $((WARMUP + CALLS)) calls)" \
    test "$n" -eq $((WARMUP + CALLS)) -a "$withmedia" -eq "$n"
check "soak: the CDR file has one line per call ($(wc -l < "$T/cdr.json"))" \
    test "$(wc -l < "$T/cdr.json")" -eq $((WARMUP + CALLS))
check "after the soak: calls in progress back to $b_calls ($a_calls)" test "$a_calls" = "$b_calls"
check "after the soak: open fds back to $b_fds ($a_fds)" test "$a_fds" -eq "$b_fds"
check "after the soak: media ports in use back to $b_ports ($a_ports)" test "$a_ports" -eq "$b_ports"
[ "$a_ctlports" != - ] && check "after the soak: sbcd's own count of media ports back to $b_ctlports ($a_ctlports)" \
    test "$a_ctlports" = "$b_ctlports"
# RSS.  While calls flow, sofia holds every call's transactions for 32 s
# after they end (about 26 KB a call), so the heap reaches its working size
# some 40 s into a run at the soak's rate.  When the calls stop, glibc gives
# back the top of the heap only if nothing still lives there: a settled RSS
# lies anywhere between the idle size and that working size, and the
# warm-up's settled value may be either.  So the reference is the larger of
# the baseline and the RSS 60 s into the soak (the working size, sampled
# above), and a leak shows twice: RSS climbs through the rest of the soak,
# and the settled RSS ends above the reference.
n=$(wc -l < "$T/samples"); k=60; [ $((n / 2)) -lt $k ] && k=$((n / 2)); [ $k -lt 1 ] && k=1
rss_k=$(sed -n "${k}p" "$T/samples" | sed 's/.*rss=\([0-9]*\).*/\1/')
rss_n=$(sed -n "${n}p" "$T/samples" | sed 's/.*rss=\([0-9]*\).*/\1/')
ref=$b_rss; [ "${rss_k:-0}" -gt "$ref" ] && ref=$rss_k
if [ "${SANITIZE:-}" = 1 ]; then
	echo "not ok - RSS ($b_rss -> $a_rss kB) # SKIP under ASan (quarantine, redzones); LeakSanitizer checks at exit"
else
	check "during the soak, after ${k} s at work RSS grew by $((rss_n - rss_k)) kB ($rss_k -> $rss_n), at most $RSS_KB kB" \
	    test $((rss_n - rss_k)) -le "$RSS_KB"
	check "after the soak RSS is $a_rss kB: at most $RSS_KB kB above the reference $ref kB (baseline $b_rss, at work $rss_k)" \
	    test $((a_rss - ref)) -le "$RSS_KB"
fi
sbcd_stop_clean $SBCD_PID "$T/sbcd.log"

# ---- optional: a shorter run under valgrind
if [ -n "${SOAK_VALGRIND:-}" ]; then
	if ! command -v valgrind > /dev/null; then
		echo "not ok - valgrind leak run # SKIP valgrind is not installed"
	else
		VCALLS=${SOAK_VALGRIND_CALLS:-200}
		: > "$T/cdr.json"
		valgrind --leak-check=full --show-leak-kinds=definite,indirect \
		    --suppressions="$ROOT/tests/lib/valgrind.supp" \
		    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		    --log-file="$T/valgrind.log" "$SBCD" -D -f "$T/sbc.conf" > "$T/sbcd-vg.log" 2>&1 &
		SBCD_PID=$!
		sip_track $SBCD_PID
		wait_for "started on" "$T/sbcd-vg.log" 60 || nok "sbcd starts under valgrind"
		calls vg "$VCALLS" 10; rc=$?
		check "valgrind: $VCALLS calls with media complete ($(sipp_failed vg) failed)" test $rc -eq 0
		kill -TERM $SBCD_PID
		i=0; while alive $SBCD_PID && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
		wait $SBCD_PID; vrc=$?; _sip_untrack $SBCD_PID
		sed -n '/LEAK SUMMARY/,/suppressed/p' "$T/valgrind.log" | sed 's/^==[0-9]*== /# /'
		check "valgrind: no definite or indirect leak, no memory error (status $vrc)" \
		    sh -c "test $vrc -eq 0 && grep -q 'ERROR SUMMARY: 0 errors' '$T/valgrind.log'"
	fi
fi
