# media.sh: media test helpers (POSIX sh): baresip peers driven through
# ctrl_tcp, the python RTP/SRTP peer (rtppeer.py), SIPp media scenarios, tone
# checks.  Source it after common.sh and sip.sh, and set T (the scratch dir)
# first:
#   . "$ROOT/tests/lib/common.sh"; T=$(scratch); . "$ROOT/tests/lib/sip.sh"
#   . "$ROOT/tests/lib/media.sh"; sip_trap
# Every process started here is tracked with sip_track, so sip_cleanup (the
# sip_trap EXIT trap) ends it.  Run inside the test's private netns only:
# baresip binds its RTP sockets to 0.0.0.0.  See tests/media/README.md.

MEDIADIR=${MEDIADIR:-$ROOT/tests/media}
# the system python has python3-cryptography (a pyenv/venv python may not)
MEDIA_PY=${MEDIA_PY:-/usr/bin/python3}

# media address plan
SBC_LAN_RTP_IP=127.0.0.1	# sbcd's anchor toward 3CX, ports 20000+
SBC_WAN_RTP_IP=127.0.0.2	# sbcd's anchor toward the VC, ports 30000+
PBX_BS_IP=127.0.0.10		# baresip "pbx": SIP UDP :5060, RTP 16000-16099, ctrl :4444
VC_BS_IP=127.0.0.20		# baresip "vc": SIP TLS :5061, RTP 17000-17099, ctrl :4444
PBX_MEDIA_PORT=40000		# rtppeer / SIPp media port on 127.0.0.10 (SDP port)
VC_MEDIA_PORT=40000		# rtppeer / SIPp media port on 127.0.0.21 (SIPp VC) or .20
# static SDES key of the SIPp VC scenarios and of the pre-encrypted pcaps: by
# default the one sip.sh's VC copies of the signalling scenarios use (VC_CRYPTO)
MEDIA_VC_KEY=${MEDIA_VC_KEY:-$(printf '%s\n' "${VC_CRYPTO:-}" | sed -n 's/.*inline:\([A-Za-z0-9+\/=]*\).*/\1/p')}
MEDIA_VC_KEY=${MEDIA_VC_KEY:-c2JjZCBsYWIgU1JUUCBrZXkgZm9yIFNJUHAgVkMh}

# ---- source addresses ---------------------------------------------------------
# media_src_routes pbx-vc|sbc: make the kernel pick the right SOURCE address for
# sockets that are not bound to one (baresip 1.0's RTP on 0.0.0.0, its outgoing
# TLS), instead of 127.0.0.1.  Inside the netns only; host routes in table
# "local" with a preferred source:
#   sbc:    to 127.0.0.1 (sbcd LAN) from 127.0.0.10, to 127.0.0.2 (sbcd WAN) from 127.0.0.20
#   pbx-vc: to 127.0.0.20 from 127.0.0.10, to 127.0.0.10 from 127.0.0.20 (peer to peer)
# Sockets bound to an address (sbcd, sipp, rtppeer, stunnel local=) are not
# affected.  media_src_routes off restores the defaults.
media_src_routes() {
	case $1 in
	sbc)
		ip route replace local 127.0.0.1 dev lo table local proto kernel scope host src $PBX_BS_IP &&
		ip route replace local 127.0.0.2 dev lo table local scope host src $VC_BS_IP ;;
	pbx-vc)
		ip route replace local $VC_BS_IP dev lo table local scope host src $PBX_BS_IP &&
		ip route replace local $PBX_BS_IP dev lo table local scope host src $VC_BS_IP ;;
	off)
		ip route replace local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1
		for _a in 127.0.0.2 $VC_BS_IP $PBX_BS_IP; do
			ip route del local $_a dev lo table local 2>/dev/null; done
		return 0 ;;
	*) echo "media_src_routes: sbc|pbx-vc|off" >&2; return 1 ;;
	esac
}

# ---- baresip ------------------------------------------------------------------
# bs_start NAME ROLE [IP]: config in $T/NAME (tests/media/mkcfg.sh ROLE, BS_*
# variables apply), baresip -s (SIP trace) logging to $T/NAME.log, and a
# bsctl.py daemon holding its ctrl_tcp connection: events in
# $T/NAME.events (one JSON line each), commands through the FIFO $T/NAME.cmd.
bs_start() {
	_n=$1 _role=$2
	sh "$MEDIADIR/mkcfg.sh" "$_role" "$T/$_n" ${3:+"$3"} > /dev/null || return 1
	_ip=$(sed -n 's/^ctrl_tcp_listen[ \t]*\([0-9.]*\):.*/\1/p' "$T/$_n/config")
	echo "$_ip" > "$T/$_n.ip"
	rm -f "$T/$_n.events" "$T/$_n.cmd"
	baresip -f "$T/$_n" -s > "$T/$_n.log" 2>&1 &
	echo $! > "$T/$_n.pid"; sip_track $!
	sip_listening tcp "$_ip" 4444 10 || { echo "bs_start $_n: no ctrl_tcp on $_ip:4444" >&2; return 1; }
	mkfifo "$T/$_n.cmd"
	"$MEDIA_PY" "$MEDIADIR/bsctl.py" daemon "$_ip:4444" "$T/$_n.events" "$T/$_n.cmd" \
	    > "$T/$_n.bsctl.log" 2>&1 &
	echo $! > "$T/$_n.ctlpid"; sip_track $!
	wait_for '"bsctl": "connected"' "$T/$_n.events" 10
}

# bs_cmd NAME COMMAND [PARAMS]: send one ctrl_tcp command (e.g. "dial URI",
# "hangup", "sndcode 1", "callstat", "quit"); the response lands in the events
bs_cmd() { _n=$1; shift; printf '%s\n' "$*" > "$T/$_n.cmd"; }

# bs_wait NAME EVENT [N] [SECONDS]: until the Nth (default 1st) EVENT
# (CALL_ESTABLISHED, CALL_CLOSED, CALL_INCOMING, CALL_MENC, CALL_DTMF_START...)
bs_wait() { wait_count "\"type\":\"$2\"" "$T/$1.events" $((${3:-1} - 1)) "${4:-10}"; }
# bs_count NAME EVENT: how many so far
bs_count() { grep -c "\"type\":\"$2\"" "$T/$1.events" 2>/dev/null || true; }

# bs_dial NAME URI [SECONDS]: dial and wait for CALL_ESTABLISHED.  Do not put
# ";transport=" in URI: baresip appends the account's own (doubled otherwise).
bs_dial() {
	_k=$(bs_count "$1" CALL_ESTABLISHED)
	bs_cmd "$1" dial "$2"
	bs_wait "$1" CALL_ESTABLISHED $((_k + 1)) "${3:-10}"
}

# bs_hangup NAME [SECONDS]: hang up and wait for CALL_CLOSED
bs_hangup() {
	_k=$(bs_count "$1" CALL_CLOSED)
	bs_cmd "$1" hangup
	bs_wait "$1" CALL_CLOSED $((_k + 1)) "${2:-10}"
}

# bs_dtmf NAME DIGITS [GAP]: send each digit as RFC 4733 events ("sndcode D":
# key press + release), GAP seconds apart (0.3).  One digit per command: a
# string makes baresip start each digit without ending the previous one.
bs_dtmf() {
	_n=$1 _d=$2
	while [ -n "$_d" ]; do
		_c=${_d%"${_d#?}"}; _d=${_d#?}
		bs_cmd "$_n" sndcode "$_c"
		sleep "${3:-0.3}"
	done
}

# bs_dtmf_rx NAME: the digits NAME received (CALL_DTMF_START events), in order
bs_dtmf_rx() {
	grep '"type":"CALL_DTMF_START"' "$T/$1.events" 2>/dev/null |
	    sed -n 's/.*"param":"\([^"]*\)".*/\1/p' | tr -d '\n'
}

# bs_rec NAME [dec|enc]: the newest recording (dec = what it received)
bs_rec() { ls -t "$T/$1/rec/"dump-*-"${2:-dec}".wav 2>/dev/null | head -n 1; }

# bs_menc NAME: the SRTP suite of the last call ("AES_CM_128_HMAC_SHA1_80")
bs_menc() {
	grep '"type":"CALL_MENC"' "$T/$1.events" 2>/dev/null | tail -n 1 |
	    sed -n 's/.*"param":"[^"]*,\([A-Z0-9_]*\)".*/\1/p'
}

# bs_stop NAME: "quit", then TERM/KILL whatever is left of baresip and bsctl
bs_stop() {
	_n=$1
	[ -f "$T/$_n.pid" ] || return 0
	_bp=$(cat "$T/$_n.pid") _cp=$(cat "$T/$_n.ctlpid" 2>/dev/null)
	alive "$_bp" && bs_cmd "$_n" quit
	_i=0; while alive "$_bp" && [ $_i -lt 60 ]; do sleep 0.05; _i=$((_i + 1)); done
	for _p in $_bp $_cp; do
		alive "$_p" && kill -TERM "$_p" 2>/dev/null
		_i=0; while alive "$_p" && [ $_i -lt 40 ]; do sleep 0.05; _i=$((_i + 1)); done
		alive "$_p" && kill -KILL "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null; _sip_untrack "$_p"
	done
	rm -f "$T/$_n.pid" "$T/$_n.ctlpid"
}

# ---- audio checks -------------------------------------------------------------
# media_tone WAV FREQ [OTHER...]: tonecheck.py; its line goes to $T/tones.log
media_tone() {
	[ -n "$1" ] && [ -f "$1" ] || { echo "media_tone: no recording '$1'" >> "$T/tones.log"; return 1; }
	"$MEDIA_PY" "$MEDIADIR/tonecheck.py" "$@" >> "$T/tones.log" 2>&1
}

# ---- rtppeer ------------------------------------------------------------------
# rtppeer_start NAME --bind IP:PORT [rtppeer args]: in the background, report
# (JSON) to $T/NAME.json when it ends; returns when its socket is bound
rtppeer_start() {
	_n=$1; shift
	rm -f "$T/$_n.json"
	"$MEDIA_PY" "$MEDIADIR/rtppeer.py" --out "$T/$_n.json" "$@" > "$T/$_n.rtppeer.log" 2>&1 &
	echo $! > "$T/$_n.rpid"; sip_track $!
	_b=$(printf '%s\n' "$@" | sed -n '/^--bind$/{n;p;}' | head -n 1)
	sip_listening udp "${_b%:*}" "${_b##*:}" 5
}
# rtppeer NAME [args]: in the foreground; returns its exit status (0, or 1
# when an --expect* check failed)
rtppeer() { _n=$1; shift; "$MEDIA_PY" "$MEDIADIR/rtppeer.py" --out "$T/$_n.json" "$@" > "$T/$_n.rtppeer.log" 2>&1; }
# rtppeer_wait NAME [SECONDS]: until it ends by itself (TERM after SECONDS, 30);
# returns its exit status
rtppeer_wait() {
	_p=$(cat "$T/$1.rpid" 2>/dev/null) || return 2
	_lim=$(( ${2:-30} * 20 )); _i=0
	while alive "$_p" && [ $_i -lt $_lim ]; do sleep 0.05; _i=$((_i + 1)); done
	alive "$_p" && kill -TERM "$_p" 2>/dev/null
	wait "$_p"; _rc=$?; _sip_untrack "$_p"; rm -f "$T/$1.rpid"; return $_rc
}
# rtppeer_stop NAME: TERM (it still writes its report), wait; returns its status
rtppeer_stop() {
	_p=$(cat "$T/$1.rpid" 2>/dev/null) || return 0
	kill -TERM "$_p" 2>/dev/null; wait "$_p"; _rc=$?; _sip_untrack "$_p"; rm -f "$T/$1.rpid"; return $_rc
}
# rtp_get NAME FIELD: a field of the report (unique, lost, dup, sent, dtmf,
# auth_fail, received, seq_ok, sources, fail...): numbers and strings plain,
# the rest as JSON
rtp_get() {
	"$MEDIA_PY" -c 'import json,sys
r=json.load(open(sys.argv[1])); v=r
for k in sys.argv[2].split("."): v=v[int(k)] if isinstance(v,list) else v.get(k)
print(v if isinstance(v,(int,float,str)) and not isinstance(v,bool) else json.dumps(v))' "$T/$1.json" "$2" 2>/dev/null
}

# ---- pcaps and SIPp media scenarios -------------------------------------------
# media_pcap OUT [gen_pcap.py args]: e.g. media_pcap $T/a.pcap --count 250 --dtmf 1#
#   or --srtp-key $MEDIA_VC_KEY; prints "packets=N audio=A dtmf=D ..."
media_pcap() { _o=$1; shift; "$MEDIA_PY" "$MEDIADIR/gen_pcap.py" "$_o" "$@"; }

# media_scenario TEMPLATE OUT [PCAP] [KEY]: fill in tests/media/TEMPLATE.xml.in:
# @PLAY@ -> play_pcap_audio of PCAP (absolute path; none: no media from SIPp),
# @KEY@ -> the SDES inline key (default $MEDIA_VC_KEY).  Prints OUT.
media_scenario() {
	_tpl=$MEDIADIR/$1.xml.in _out=$2 _pc=${3:-} _key=${4:-$MEDIA_VC_KEY}
	if [ -n "$_pc" ]; then
		_play="<nop><action><exec play_pcap_audio=\"$_pc\"/></action></nop>"
	else
		_play="<!-- no media from SIPp -->"
	fi
	sed -e "s|@PLAY@|$_play|" -e "s|@KEY@|$_key|g" "$_tpl" > "$_out" && echo "$_out"
}

# media_sdp LOG START [N] [DIR]: "IP PORT KEY" of the SDP in the Nth (1st)
# message received (or DIR=sent) whose start line matches the ERE START, in a
# sipp -trace_msg log (KEY: the first AES_CM_128_HMAC_SHA1_80 inline key, or
# "-").  Own parser: it stops at the next "-----" separator line.
media_sdp() {
	awk -v re="^($2)( |$)" -v want="${3:-1}" -v dir="${4:-received}" '
	    /^-----/ { if (inmsg) exit; hdr = 0; next }
	    / message (received|sent) / { hdr = ($0 ~ (" message " dir " ")); first = 1; next }
	    { sub(/\r$/, "") }
	    hdr && first && /^[ \t]*$/ { next }
	    hdr && first { first = 0; if ($0 ~ re && ++k == want) inmsg = 1; next }
	    !inmsg { next }
	    /^c=IN IP4 / { ip = $3 }
	    /^m=audio / { port = $2 }
	    /^a=crypto:[0-9]+ AES_CM_128_HMAC_SHA1_80 inline:/ && key == "" {
	        k = $3; sub(/^inline:/, "", k); sub(/\|.*/, "", k); key = k }
	    END { if (ip != "") print ip, port, (key != "" ? key : "-") }' "$1" 2>/dev/null
}

# media_wait_sdp LOG START [SECONDS] [DIR]: until that message is in LOG, then
# as media_sdp
media_wait_sdp() {
	_i=0; _lim=$(( ${3:-10} * 20 ))
	while [ $_i -lt $_lim ]; do
		_s=$(media_sdp "$1" "$2" 1 "${4:-received}")
		[ -n "$_s" ] && { echo "$_s"; return 0; }
		sleep 0.05; _i=$((_i + 1))
	done
	return 1
}

# media_uac pbx|vc NAME SCENARIO SDP_PORT [sipp args]: the role's UAC (sip.sh
# pbx_uac / vc_uac, foreground) with its SDP media port SDP_PORT (-mp
# SDP_PORT-10: the templates offer [media_port+10], sipp itself binds
# SDP_PORT-10 and -8).  SCENARIO: a file made by media_scenario.  Hold with -d MS.
media_uac() {
	_r=$1 _nm=$2 _sc=$3 _mp=$4; shift 4
	_vp=${VC_PLAIN:-}; VC_PLAIN=1	# the templates carry their own a=crypto
	"${_r}_uac" "$_nm" "$_sc" -mp $((_mp - 10)) "$@"; _rc=$?
	VC_PLAIN=$_vp; return $_rc
}
# media_uas pbx|pbx2|vc NAME SCENARIO SDP_PORT [sipp args]: the role's UAS in
# the background ($SIPP_PID), as media_uac
media_uas() {
	_r=$1 _nm=$2 _sc=$3 _mp=$4; shift 4
	_vp=${VC_PLAIN:-}; VC_PLAIN=1	# the templates carry their own a=crypto
	"${_r}_uas" "$_nm" "$_sc" -mp $((_mp - 10)) "$@"; _rc=$?
	VC_PLAIN=$_vp; return $_rc
}
