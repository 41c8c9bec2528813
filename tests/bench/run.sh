#!/bin/sh
# run.sh: the benchmarks (`make bench`): signalling rate, held calls and media relay of
# sbcd, each beside its baselines measured in the same run; writes the figures to
# build/bench/results.txt and the table into docs/performance.md.
#
# Loopback only, in a private network namespace (as tests/run.sh).  Parts can be
# chosen with BENCH_PARTS="sig held media" (default: all); BENCH_QUICK=1 is a short
# smoke run (few rates, short steps, few streams) whose figures are not for the table.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export ROOT
: "${SBCD:=$ROOT/build/sbcd}"
export SBCD

if [ -z "${SBCD_IN_NETNS:-}" ]; then
	exec unshare --net -- env SBCD_IN_NETNS=1 sh -c 'ip link set lo up && exec sh "$0"' "$0"
fi

. "$ROOT/tests/lib/common.sh"
OUT=$ROOT/build/bench-out
T=$(scratch)
. "$ROOT/tests/lib/sip.sh"
. "$ROOT/tests/lib/media.sh"
. "$ROOT/tests/bench/lib.sh"
sip_trap
BDIR=$ROOT/tests/bench
RESULTS=$ROOT/build/bench/results.txt
mkdir -p "$ROOT/build/bench"
: > "$RESULTS"
ulimit -n 200000 2>/dev/null || ulimit -n 65536 2>/dev/null || true

QUICK=${BENCH_QUICK:-0}
PARTS=${BENCH_PARTS:-sig held media}
if [ "$QUICK" = 1 ]; then
	RATES=${BENCH_RATES:-100 300 600}
	STEP=${BENCH_STEP:-3}		# seconds of calls per rate
	HELD=${BENCH_HELD:-200}
	STREAMS=${BENCH_STREAMS:-50}
	MSECS=${BENCH_MSECS:-4}
else
	RATES=${BENCH_RATES:-200 400 700 1000 1300 1600 2000 2500 3000}
	STEP=${BENCH_STEP:-5}
	HELD=${BENCH_HELD:-1000 10000}
	STREAMS=${BENCH_STREAMS:-200}
	MSECS=${BENCH_MSECS:-10}
fi
HOLD_MS=${BENCH_HOLD_MS:-500}
SETTLE=${BENCH_SETTLE:-$([ "$QUICK" = 1 ] && echo 5 || echo 35)}	# s before the settled RSS		# how long each call of the rate test lasts
SYSTEMS=${BENCH_SYSTEMS:-direct sbcd kamailio}

result machine "$(nproc) cores, $(sed -n 's/^model name[ \t]*: //p' /proc/cpuinfo | head -n 1), kernel $(uname -r)"
result quick "$QUICK"
result date "$(date -u '+%Y-%m-%d %H:%M UTC') ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"

# ---- sbcd ---------------------------------------------------------------------
# bench_conf DEST LEGS SPACING [PORT]: the lab config, keep-alives off, realms
# of LEGS legs from PORT (both; default 20000 and 30000 as shipped)
bench_conf() {
	lab_conf "$1"
	# one SIPp source sends every call: the per-source rate limit (200/s by
	# default, docs/security.md) would ban it, so the bench lifts it
	sed -i -e 's|^global = {|global = {\n  rate_limit = 0;|' \
	    -e 's/keepalive = "options";/keepalive = "disable";/' \
	    -e 's/redundancy_mode = "homing";/redundancy_mode = "parking";/' \
	    -e "s/session_legs = 2000; port_spacing = 4;/session_legs = $2; port_spacing = $3;/" "$1"
	# held calls carry no RTP: no inactivity release (media_timeout 0)
	[ -n "${4:-}" ] && sed -i -e "s/port_start = [0-9]*;/port_start = $4;/" \
	    -e "s/media_timeout = 30;/media_timeout = 0;/" "$1"
	grep -q "session_legs = $2; port_spacing = $3;" "$1"
}

# sbcd_up NAME LEGS SPACING [PORT]: stunnel (the VC's TLS end) and sbcd; $SBCD_PID
sbcd_up() {
	bench_conf "$T/$1.conf" "$2" "$3" "${4:-}" || { say "cannot configure $1"; return 1; }
	vc_stunnel_start "$T/$1.stunnel" || { say "stunnel does not start"; return 1; }
	STUNNEL_BENCH=$STUNNEL_PID
	# BENCH_WRAP: a command to run sbcd under (valgrind --tool=callgrind ...)
	${BENCH_WRAP:-} "$SBCD" -D -f "$T/$1.conf" > "$T/$1.sbcd.log" 2>&1 &
	SBCD_PID=$!
	sip_track $SBCD_PID
	wait_for "started on" "$T/$1.sbcd.log" 60
}

# stop_pid PID: TERM, wait (KILL after 5 s)
stop_pid() {
	kill -TERM "$1" 2>/dev/null
	_i=0; while alive "$1" && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	alive "$1" && kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null; _sip_untrack "$1"; return 0
}

sbcd_down() {
	stop_pid "$SBCD_PID"
	stop_pid "$STUNNEL_BENCH"
}

# ---- SIPp without message traces (the load runs) -------------------------------
# lsipp_args NAME IP PORT TRANSPORT: as _sipp_args, statistics and errors only
lsipp_args() {
	_sipp_args "$@" || return 1
	_LARGS="-t $_tr -i $2 -p $3 -bind_local -mi $2 -ci $2 -cp $(($3 + 3000)) -nostdin \
	    -trace_stat -stf $T/$1.csv -fd 1 -trace_err -error_file $T/$1.err \
	    -max_socket 65000 -key tp $_SIPP_TP -key contact $_SIPP_CT"
}

# luas NAME IP PORT TRANSPORT SCENARIO [args]: background UAS, $SIPP_PID
luas() {
	_n=$1 _ip=$2 _port=$3
	lsipp_args "$1" "$2" "$3" "$4" || return 1
	_sf=$5; shift 5
	# shellcheck disable=SC2086
	sipp -sf "$_sf" $_LARGS -aa -timeout 3600s "$@" > "$T/$_n.out" 2>&1 &
	SIPP_PID=$!
	sip_track $SIPP_PID
	case $_tr in u1) _pr=udp ;; *) _pr=tcp ;; esac
	sip_listening $_pr "$_ip" "$_port" 5 && alive $SIPP_PID
}

# luac NAME IP PORT TRANSPORT SCENARIO TARGET LIMIT [args]: UAC in the
# foreground, TERM after LIMIT seconds; returns sipp's status
luac() {
	_n=$1 _tg=$6 _lim=$7
	lsipp_args "$1" "$2" "$3" "$4" || return 1
	_sf=$5; shift 7
	rm -f "$T/$_n.csv"
	# shellcheck disable=SC2086
	timeout -s TERM "$_lim" sipp "$_tg" -sf "$_sf" $_LARGS -s "$SIP_SERVICE" \
	    -recv_timeout 5s "$@" > "$T/$_n.out" 2>&1
}

# the scenarios: media anchored (SDP offer and answer with SRTP toward the VC),
# no RTP sent
media_scenario pbx_uac_rtp "$T/uac.xml" > /dev/null
media_scenario vc_uas_srtp "$T/uas.xml" > /dev/null
media_scenario pbx_uas_rtp "$T/uas_plain.xml" > /dev/null 2>&1 ||
    sed -e 's|RTP/SAVP|RTP/AVP|' -e '/a=crypto/d' "$T/uas.xml" > "$T/uas_plain.xml"

# ---- signalling: the highest call rate with no failed call ----------------------
# sig_step SYSTEM RATE: one step of RATE calls/s for STEP s; prints "ok CPU_S" or "fail ..."
# (SYSTEM direct: SIPp to SIPp over UDP, no SBC; sbcd / kamailio: through them, TLS
# toward the VC's SIPp behind stunnel)
sig_step() {
	_tsys=$1 _tr2=$2 _tm=$(($2 * STEP))
	_tpids=$(sig_pids "$_tsys")
	_tc0=0; for _tp2 in $_tpids; do _tc0=$(awk -v a="$_tc0" -v b="$(cpu_s "$_tp2")" 'BEGIN { print a + b }'); done
	_tg=$SBC_LAN_IP:$SBC_LAN_PORT
	[ "$_tsys" = direct ] && _tg=$PBX_IP:$PBX_PORT
	_tperf=""
	if [ "${BENCH_PERF:-0}" = 1 ] && [ "$_tsys" = sbcd ] && command -v perf > /dev/null; then
		perf record -q -F 999 --call-graph "${BENCH_PERF_CG:-fp}" -p "$SBCD_PID" -o "$T/sig-$_tr2.perf.data" > /dev/null 2>&1 &
		_tperf=$!
	fi
	_tt0=$(date +%s.%N)
	luac sig-$_tsys-$_tr2 $PBX_IP $PBX_UAC_PORT u1 "$T/uac.xml" "$_tg" $((STEP * 3 + 30)) \
	    -mp 39990 -r "$_tr2" -m "$_tm" -d "$HOLD_MS" -l $((_tr2 * 4 + 100))
	_trc=$?
	# the rate SIPp really reached: calls over the time it took to start them
	_teff=$(awk -v a="$_tt0" -v b="$(date +%s.%N)" -v m="$_tm" -v h="$HOLD_MS" \
	    'BEGIN { t = b - a - h / 1000; if (t <= 0) t = 0.001; printf "%.0f", m / t }')
	[ -n "$_tperf" ] && { kill -INT $_tperf; wait $_tperf; }
	_tc1=0; for _tp2 in $_tpids; do _tc1=$(awk -v a="$_tc1" -v b="$(cpu_s "$_tp2")" 'BEGIN { print a + b }'); done
	_tok=$(sipp_calls sig-$_tsys-$_tr2) _tbad=$(sipp_failed sig-$_tsys-$_tr2)
	# a step passes with every call answered and ended, at no less than 90 %
	# of the rate asked for (else the generators, not the SBC, set the pace)
	if [ "$_trc" -eq 0 ] && [ "$_tok" -eq "$_tm" ] && [ "$_tbad" -eq 0 ] &&
	    [ "$_teff" -ge $((_tr2 * 9 / 10)) ]; then
		echo "ok $(awk -v a="$_tc0" -v b="$_tc1" 'BEGIN { printf "%.2f", b - a }') (reached $_teff/s)"
	else
		echo "fail rc=$_trc ok=$_tok failed=$_tbad of $_tm, reached $_teff/s"
	fi
}

# sig_pids SYSTEM: the processes whose CPU a call costs
sig_pids() {
	case $1 in
	direct) echo "" ;;
	sbcd) echo "$SBCD_PID" ;;
	kamailio) echo "$(kam_pids) $RTPE_PID" ;;
	esac
}

# sig_search SYSTEM: ramp the rate over RATES until a step fails, then confirm the
# best rate twice (stepping down when a confirmation fails)
sig_search() {
	_ssys=$1 _best="" _bestcpu="" _prev="" _sfail=""
	for _sr in $RATES; do
		_ss=$(sig_step "$_ssys" "$_sr")
		sig_fresh "$_ssys" "$_ss"
		say "signalling $_ssys $_sr/s: $_ss"
		case $_ss in ok*) _prev="$_prev $_sr"; _best=$_sr ;; *) _sfail=$_sr; break ;; esac
	done
	# bisect between the last rate that passed and the first that failed, to 1/8
	_slo=${_best:-0}
	while [ -n "${_sfail:-}" ] && [ $((_sfail - _slo)) -gt $(( (_slo / 8) > 50 ? _slo / 8 : 50 )) ]; do
		_sr=$(( (_slo + _sfail) / 100 * 50 ))
		[ "$_sr" -le "$_slo" ] && break
		_ss=$(sig_step "$_ssys" "$_sr")
		sig_fresh "$_ssys" "$_ss"
		say "signalling $_ssys $_sr/s: $_ss"
		case $_ss in ok*) _prev="$_prev $_sr"; _slo=$_sr ;; *) _sfail=$_sr ;; esac
	done
	_sfail=""
	# confirm: two more zero-failure runs at the best rate, else the one below
	for _sr in $(echo "$_prev" | tr ' ' '\n' | sed '/^$/d' | sort -rn); do
		_scpu=0 _sgood=1
		for _sk in 1 2; do
			_ss=$(sig_step "$_ssys" "$_sr")
			sig_fresh "$_ssys" "$_ss"
			say "signalling $_ssys $_sr/s confirm $_sk: $_ss"
			case $_ss in ok*) _scpu=$(awk -v a="$_scpu" -v b="$(echo "$_ss" | awk '{ print $2 }')" 'BEGIN { print a + b }') ;;
			*) _sgood=0; break ;; esac
		done
		if [ $_sgood = 1 ]; then
			_best=$_sr
			# CPU per call over the two confirming runs, in ms
			_bestcpu=$(awk -v c="$_scpu" -v n=$((_sr * STEP * 2)) 'BEGIN { printf "%.3f", c * 1000 / n }')
			break
		fi
		_best=""
	done
	result "sig_rate_$_ssys" "${_best:--}"
	result "sig_cpu_ms_per_call_$_ssys" "${_bestcpu:--}"
	[ -n "$_best" ] && [ "$_ssys" != direct ] &&
	    result "sig_cpu_pct_$_ssys" "$(awk -v c="$_bestcpu" -v r="$_best" 'BEGIN { printf "%.0f", c * r / 10 }')"
}

# sig_up SYSTEM / sig_down SYSTEM: the system under test and the UAS behind it
sig_up() {
	case $1 in
	direct)
		luas sig-direct-uas $PBX_IP $PBX_PORT u1 "$T/uas_plain.xml" -mp 40090 ||
		    { say "direct UAS does not start"; return 1; } ;;
	sbcd)
		sbcd_up sig 8000 2 || { say "sbcd does not start"; return 1; }
		luas sig-sbcd-uas $VC_SIPP_IP $VC_SIPP_PORT t1 "$T/uas.xml" -mp 40090 ||
		    { say "VC UAS does not start"; return 1; } ;;
	kamailio)
		kam_up || { say "kamailio + rtpengine do not start"; return 1; }
		luas sig-kam-uas $VC_SIPP_IP $VC_SIPP_PORT t1 "$T/uas.xml" -mp 40090 ||
		    { say "VC UAS does not start"; return 1; } ;;
	esac
	SIG_UAS=$SIPP_PID
}

sig_down() {
	[ -n "${SIG_UAS:-}" ] && stop_pid "$SIG_UAS"
	SIG_UAS=""
	case $1 in
	sbcd) sbcd_down ;;
	kamailio) kam_down ;;
	esac
}

# sig_fresh SYSTEM RESULT: after a failed step, start again from nothing (a
# failed step leaves calls and ports behind that would fail the next one)
sig_fresh() {
	case $2 in fail*) sig_down "$1"; sleep 1; sig_up "$1" ;; esac
}

bench_sig() {
	for _gsys in $SYSTEMS; do
		sig_up "$_gsys" || { sig_down "$_gsys"; continue; }
		sig_search "$_gsys"
		sig_down "$_gsys"
	done
}

# ---- held calls: RSS per call --------------------------------------------------
# held N: N calls set up at 500/s and held; sbcd's RSS before and with them up
bench_held() {
	# four sockets a call (RTP and RTCP on each side): the descriptor limit
	# (20000 in this container, not raisable) caps the calls sbcd can hold
	_hmax=$(( ($(ulimit -n) - 500) / 4 ))
	for _hreq in $HELD; do
		_hn=$_hreq
		if [ "$_hn" -gt "$_hmax" ]; then
			result "held_capped_$_hreq" "$_hmax (ulimit -n $(ulimit -n))"
			_hn=$_hmax
		fi
		# one leg (an RTP/RTCP pair) of each realm a call, from port 10000
		_hlegs=$((_hn + 100)); [ $_hlegs -gt 27000 ] && _hlegs=27000
		sbcd_up held$_hn $_hlegs 2 10000 || { say "sbcd does not start (held $_hn)"; continue; }
		luas held$_hn-uas $VC_SIPP_IP $VC_SIPP_PORT t1 "$T/uas.xml" -mp 40090 ||
		    { say "VC UAS does not start"; sbcd_down; continue; }
		_hu=$SIPP_PID
		sleep 1
		_rss0=$(rss_kb $SBCD_PID)
		_hsecs=$((_hn / 500 + 20 + SETTLE))
		luac held$_hn $PBX_IP $PBX_UAC_PORT u1 "$T/uac.xml" $SBC_LAN_IP:$SBC_LAN_PORT \
		    $((_hsecs + 30)) -mp 39990 -r 500 -m "$_hn" -d $((_hsecs * 1000)) -l $((_hn + 10)) &
		_hbg=$!
		# until every call is answered and held
		_hi=0
		while [ $_hi -lt $((_hsecs * 10)) ]; do
			_hcalls=$(sipp_stat held$_hn 'CurrentCall')
			[ -n "$_hcalls" ] && [ "$_hcalls" -ge "$_hn" ] && break
			sleep 0.1; _hi=$((_hi + 1))
		done
		sleep 1
		_hcalls=$(sipp_stat held$_hn 'CurrentCall')
		_rss1=$(rss_kb $SBCD_PID)
		# and once the set-up transactions are gone (UDP timers J/K: 32 s)
		sleep "$SETTLE"
		_hcalls2=$(sipp_stat held$_hn 'CurrentCall')
		_rss2=$(rss_kb $SBCD_PID)
		_fds=$(ls /proc/$SBCD_PID/fd | wc -l)
		result "held_calls_$_hreq" "${_hcalls:-0}"
		result "held_calls_settled_$_hreq" "${_hcalls2:-0}"
		result "held_rss_kb_idle_$_hreq" "$_rss0"
		result "held_rss_kb_$_hreq" "$_rss1"
		result "held_rss_kb_settled_$_hreq" "$_rss2"
		result "held_fds_$_hreq" "$_fds"
		result "held_kib_per_call_$_hreq" "$(awk -v a="$_rss0" -v b="$_rss1" -v n="${_hcalls:-0}" \
		    'BEGIN { if (n > 0) printf "%.1f", (b - a) / n; else print "-" }')"
		result "held_kib_per_call_settled_$_hreq" "$(awk -v a="$_rss0" -v b="$_rss2" -v n="${_hcalls2:-0}" \
		    'BEGIN { if (n > 0) printf "%.1f", (b - a) / n; else print "-" }')"
		pkill -TERM -P $_hbg 2>/dev/null; wait $_hbg 2>/dev/null
		stop_pid $_hu; sbcd_down
	done
}

# ---- media ---------------------------------------------------------------------
# media_calls SYSTEM N: N calls set up (UAC media 127.0.0.10:40000, VC UAS media
# 127.0.0.21:40100) with traces; writes $T/SYSTEM.map (LANPORT WANPORT KEY)
media_calls() {
	_msys=$1 _mn=$2
	lsipp_args m-$_msys-uas $VC_SIPP_IP $VC_SIPP_PORT t1
	# these two keep their message traces: the SDP gives the ports and keys
	SIPP_UAS_TIMEOUT=3600 media_uas vc m-$_msys-uas "$T/uas.xml" 40100 -l $((_mn + 10)) ||
	    { say "VC UAS does not start"; return 1; }
	MUAS_PID=$SIPP_PID
	SIPP_TIMEOUT=$((MSECS + _mn / 100 + 60)) media_uac pbx m-$_msys-uac "$T/uac.xml" 40000 \
	    -m "$_mn" -r 200 -l $((_mn + 10)) -d $(( (MSECS + _mn / 100 + 30) * 1000 )) &
	MUAC_BG=$!
	wait_calls "$T/m-$_msys-uac.msg" 'SIP/2.0 200' "$_mn" $((_mn / 50 + 20)) ||
	    { say "$_msys: not every media call was answered"; return 1; }
	sdp_all "$T/m-$_msys-uac.msg" 'SIP/2.0 200' | awk '{ print $1 }' > "$T/$_msys.lan"
	sdp_all "$T/m-$_msys-uas.msg" 'INVITE' > "$T/$_msys.wan"
	paste -d ' ' "$T/$_msys.lan" "$T/$_msys.wan" > "$T/$_msys.map"
	[ "$(wc -l < "$T/$_msys.map")" -eq "$_mn" ]
}

media_calls_down() {
	pkill -TERM -P $MUAC_BG 2>/dev/null; wait $MUAC_BG 2>/dev/null
	stop_pid $MUAS_PID
}

# media_run SYSTEM PIDS VCKEY: rtpload over $T/SYSTEM.map, CPU of PIDS (the first
# one is measured by rtpload itself, over exactly the send window)
media_run() {
	_rsys=$1 _rpid=$2 _rkey=$3
	# BENCH_PERF=1: a perf profile of the relay over the run ($T/SYSTEM.perf)
	_rperf=""
	if [ "${BENCH_PERF:-0}" = 1 ] && command -v perf > /dev/null; then
		perf record -q -F 2999 -g -p "$_rpid" -o "$T/$_rsys.perf.data" > /dev/null 2>&1 &
		_rperf=$!
	fi
	_rline=$("$BENCH/rtpload" --map "$T/$_rsys.map" --pbx $PBX_IP:40000 --vc $VC_SIPP_IP:40100 \
	    --lan-ip $SBC_LAN_RTP_IP --wan-ip $SBC_WAN_RTP_IP --vc-key "$_rkey" \
	    --seconds "$MSECS" --cpu-pid "$_rpid" 2> "$T/$_rsys.rtpload.err")
	echo "$_rline" > "$T/$_rsys.rtpload"
	if [ -n "$_rperf" ]; then
		kill -INT $_rperf; wait $_rperf
		perf report -i "$T/$_rsys.perf.data" --no-children --stdio --percent-limit 1 \
		    > "$T/$_rsys.perf" 2>/dev/null
	fi
	say "media $_rsys: $_rline"
	for _rf in sent received lost auth_fail delay_p50_us delay_p99_us cpu_pct cpu_us_per_pkt; do
		result "media_${_rf}_$_rsys" "$(kv "$_rline" $_rf)"
	done
}

# media_callgrind: sbcd under callgrind relaying a short load; instructions per
# relayed packet in on_packet (and below), noise-free
media_callgrind() {
	command -v valgrind > /dev/null || return 0
	bench_conf "$T/cg.conf" 2000 4 || return 1
	vc_stunnel_start "$T/cg.stunnel" || return 1
	STUNNEL_BENCH=$STUNNEL_PID
	valgrind --tool=callgrind --callgrind-out-file="$T/callgrind.out" \
	    "$SBCD" -D -f "$T/cg.conf" > "$T/cg.sbcd.log" 2>&1 &
	SBCD_PID=$!
	sip_track $SBCD_PID
	wait_for "started on" "$T/cg.sbcd.log" 60 || { say "sbcd under callgrind does not start"; sbcd_down; return 1; }
	_ms=$MSECS; MSECS=5
	if media_calls cg 20; then
		media_run cg "$SBCD_PID" "$MEDIA_VC_KEY"
	fi
	MSECS=$_ms
	media_calls_down
	sbcd_down
	callgrind_annotate --inclusive=yes "$T/callgrind.out" > "$T/callgrind.txt" 2>/dev/null
	_ir=$(awk '/on_packet/ { gsub(",", "", $1); print $1; exit }' "$T/callgrind.txt")
	_pk=$(kv "$(cat "$T/cg.rtpload")" received)
	result media_callgrind_ir_per_pkt_sbcd "$(awk -v i="$_ir" -v p="$_pk" 'BEGIN { if (p > 0 && i > 0) printf "%.0f", i / p; else print "-" }')"
	grep -E 'srtp|aes|sha1|hmac|on_packet|relay_one|recvfrom|sendto|msec_' "$T/callgrind.txt" | head -n 25 > "$T/callgrind.top"
}

# media_fwd NAME: the baseline, the plain forwarder, plain RTP both ways
media_fwd() {
	seq 0 $((STREAMS - 1)) | awk '{ print 20000 + $1 * 4, 30000 + $1 * 4, "-" }' > "$T/$1.map"
	"$BENCH/udpfwd" --lan $SBC_LAN_RTP_IP:20000 --wan $SBC_WAN_RTP_IP:30000 --count "$STREAMS" \
	    --spacing 4 --pbx $PBX_IP:40000 --vc $VC_SIPP_IP:40100 > "$T/$1.log" 2>&1 &
	_ff=$!; sip_track $_ff
	wait_for ready "$T/$1.log" 5
	media_run "$1" "$_ff" -
	stop_pid $_ff
}

bench_media() {
	_bn=$STREAMS
	# the forwarder before and after sbcd: the machine's noise drifts
	media_fwd udpfwd1

	# sbcd: RTP toward the PBX, SRTP toward the VC
	if sbcd_up media 2000 4 && media_calls sbcd "$_bn"; then
		media_run sbcd "$SBCD_PID" "$MEDIA_VC_KEY"
		grep 'media PCMU' "$T/media.sbcd.log" | head -n 2 > /dev/null
	fi
	media_calls_down; sbcd_down
	media_fwd udpfwd2
	for _rf in sent received lost auth_fail delay_p50_us delay_p99_us cpu_pct cpu_us_per_pkt; do
		result "media_${_rf}_udpfwd" "$(awk -v k1="media_${_rf}_udpfwd1" -v k2="media_${_rf}_udpfwd2" \
		    '$1 == k1 { a = $2; n++ } $1 == k2 { b = $2; n++ }
		     END { if (n == 2) printf "%.3g\n", (a + b) / 2; else print "-" }' "$RESULTS")"
	done

	# kamailio + rtpengine
	case " $SYSTEMS " in *" kamailio "*)
		if kam_up && media_calls kamailio "$_bn"; then
			media_run kamailio "$RTPE_PID" "$MEDIA_VC_KEY"
		fi
		media_calls_down; kam_down ;;
	esac

	[ "$QUICK" = 1 ] || media_callgrind

	# the SRTP library itself, outside any relay: libsrtp2 (NSS) against OpenSSL
	_bl=$("$BENCH/srtpcost" $([ "$QUICK" = 1 ] && echo 20000 || echo 200000))
	say "srtpcost: $_bl"
	for _bk in libsrtp2_protect_ns libsrtp2_unprotect_ns openssl_ctr_hmac_ns; do
		result "srtp_$_bk" "$(kv "$_bl" $_bk)"
	done
}

. "$BDIR/kamailio.sh"

for _part in $PARTS; do
	case $_part in
	sig) bench_sig ;;
	held) bench_held ;;
	media) bench_media ;;
	*) say "unknown part $_part" ;;
	esac
done

sh "$BDIR/table.sh" "$RESULTS" > "$ROOT/build/bench/table.md"
say "results in $RESULTS, table in build/bench/table.md"
