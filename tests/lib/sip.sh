# sip.sh: SIPp + stunnel helpers for the signalling tests (POSIX sh).
# Source it after common.sh:  . "$ROOT/tests/lib/common.sh"; . "$ROOT/tests/lib/sip.sh"
# and set T (the scratch dir, from `T=$(scratch)`) before starting anything.
# Every address is in 127.0.0.0/8 and every socket is bound explicitly
# (SIP -i/-p, media -mi, control -ci): nothing binds 0.0.0.0.
# See tests/sip/README.md for the address plan and the scenarios.

SIPDIR=${SIPDIR:-$ROOT/tests/sip}
PKI=${PKI:-$ROOT/build/lab/pki}

# address plan (conf/sbc.conf)
SBC_LAN_IP=127.0.0.1;  SBC_LAN_PORT=5060	# sbcd toward 3CX, UDP
SBC_WAN_IP=127.0.0.2;  SBC_WAN_PORT=5061	# sbcd toward the VC, TLS
PBX_IP=127.0.0.10;     PBX_PORT=5060		# 3CX as UAS (UDP)
PBX_UAC_PORT=5070				# 3CX as UAC (same IP: sbcd classifies by IP)
PBX2_IP=127.0.0.11;    PBX2_PORT=5060		# secondary PBX, UAS (UDP)
VC_IP=127.0.0.20;      VC_TLS_PORT=5061		# VC simulator: stunnel server (TLS in), and the
						# source address of the stunnel client's TLS leg
VC_SIPP_IP=127.0.0.21; VC_SIPP_PORT=5060	# VC UAS sipp (TCP) behind the stunnel server
VC_UAC_PORT=5070				# VC UAC sipp (TCP) listen port, same IP
VC_OUT_IP=127.0.0.22;  VC_OUT_PORT=5060		# stunnel client: accepts the VC UAC's TCP
ROGUE_IP=127.0.0.99				# an unclassified source

# where the UACs send (R-URI host and the destination); the self-check points
# these at the peer instead of sbcd
PBX_TARGET=${PBX_TARGET:-$SBC_LAN_IP:$SBC_LAN_PORT}
VC_TARGET=${VC_TARGET:-$SBC_WAN_IP:$SBC_WAN_PORT}
SIP_SERVICE=${SIP_SERVICE:-15550001000}		# R-URI/To user of UAC calls (-s)
SIPP_TIMEOUT=${SIPP_TIMEOUT:-30}		# hard limit for one UAC run (s)
SIPP_UAS_TIMEOUT=${SIPP_UAS_TIMEOUT:-120}	# sipp -timeout for UAS runs (s)

_sip_pids=""
SIPP_PID=""

# sip_track PID: kill PID too in sip_cleanup (e.g. sbcd)
sip_track() { _sip_pids="$_sip_pids $1"; }
# _sip_untrack PID: forget a reaped pid (its number may be reused)
_sip_untrack() { _sip_pids=$(for _p in $_sip_pids; do [ "$_p" = "$1" ] || printf ' %s' "$_p"; done); }

# sip_cleanup: TERM everything started here (sipp, stunnel, tracked pids),
# KILL what is still there after 2 s.  `sip_trap` installs it on EXIT.
sip_cleanup() {
	for _p in $_sip_pids; do kill -TERM "$_p" 2>/dev/null; done
	_i=0
	while [ $_i -lt 40 ]; do
		_left=""
		for _p in $_sip_pids; do alive "$_p" && _left="$_left $_p"; done
		[ -z "$_left" ] && break
		sleep 0.05; _i=$((_i + 1))
	done
	for _p in $_sip_pids; do alive "$_p" && kill -KILL "$_p" 2>/dev/null; done
	for _p in $_sip_pids; do wait "$_p" 2>/dev/null; done
	_sip_pids=""
}
sip_trap() { trap 'sip_cleanup' EXIT; trap 'sip_cleanup; exit 130' INT TERM; }

# sip_listening udp|tcp IP PORT [SECONDS]: until a socket listens there
# (e.g. sbcd ready: sip_listening udp 127.0.0.1 5060 && sip_listening tcp 127.0.0.2 5061)
sip_listening() {
	_i=0; _lim=$(( ${4:-5} * 20 ))
	case $1 in udp) _o=-uln ;; *) _o=-tln ;; esac
	while [ $_i -lt $_lim ]; do
		ss -H $_o "src $2 and sport = :$3" 2>/dev/null | grep -q . && return 0
		sleep 0.05; _i=$((_i + 1))
	done
	return 1
}

# _sipp_args NAME IP PORT TRANSPORT: the common sipp arguments (logs in $T)
# TRANSPORT is u1 (UDP, PBX side) or t1 (TCP behind stunnel, VC side).
# Keys every scenario uses: tp = the Via transport (what sbcd really sees:
# UDP, or TLS for the stunnel'd TCP), contact = host:port[;params] for Contact.
_sipp_args() {
	case $4 in
	u1|udp) _tr=u1; _SIPP_TP=UDP; _SIPP_CT="$2:$3" ;;
	t1|tcp|tls) _tr=t1; _SIPP_TP=TLS; _SIPP_CT="$VC_IP:$VC_TLS_PORT;transport=tls" ;;
	*) echo "sip.sh: transport $4: use u1 or t1" >&2; return 1 ;;
	esac
	[ -n "${SIP_TP:-}" ] && _SIPP_TP=$SIP_TP
	[ -n "${SIP_CONTACT:-}" ] && _SIPP_CT=$SIP_CONTACT
	_SIPP_ARGS="-t $_tr -i $2 -p $3 -bind_local -mi $2 -ci $2 -cp $(($3 + 3000)) -nostdin \
	    -trace_err -error_file $T/$1.err -trace_stat -stf $T/$1.csv"
	# SIPP_LIGHT=1 (long runs): no message, screen or log traces
	[ -n "${SIPP_LIGHT:-}" ] || _SIPP_ARGS="$_SIPP_ARGS -trace_msg -message_file $T/$1.msg \
	    -trace_screen -screen_file $T/$1.screen -trace_logs -log_file $T/$1.log"
}

_sip_sf() { case $1 in /*) echo "$1" ;; *) echo "$SIPDIR/$1" ;; esac; }

# sipp_uas NAME IP PORT TRANSPORT SCENARIO [extra sipp args]
#   starts a UAS in the background; its pid is in $SIPP_PID (and tracked).
#   -aa is on: out-of-dialog OPTIONS (sbcd keep-alives) get an automatic 200
#   and do not count as calls.  Pass -m N to exit after N calls (then
#   sipp_wait), or stop it with sipp_stop.  Logs: $T/NAME.{msg,err,csv,screen,out}
#   Returns non-zero if it is not listening within 5 s.
sipp_uas() {
	_n=$1 _ip=$2 _port=$3 _sf=$(_sip_sf "$5")
	_sipp_args "$1" "$2" "$3" "$4" || return 1
	shift 5
	# shellcheck disable=SC2086
	sipp -sf "$_sf" $_SIPP_ARGS -key tp "$_SIPP_TP" -key contact "$_SIPP_CT" -aa \
	    -timeout "${SIPP_UAS_TIMEOUT}s" -timeout_error -fd 1 -d 500 "$@" > "$T/$_n.out" 2>&1 &
	SIPP_PID=$!
	sip_track $SIPP_PID
	case $_tr in u1) _pr=udp ;; *) _pr=tcp ;; esac
	sip_listening $_pr "$_ip" "$_port" 5 && alive $SIPP_PID
}

# sipp_uac NAME IP PORT TRANSPORT SCENARIO TARGET [extra sipp args]
#   runs a UAC in the foreground toward TARGET (host:port, the R-URI host),
#   -m 1 -r 1 unless given (later options win), under `timeout -s TERM`
#   (sipp writes its final stats on TERM).  Returns sipp's status:
#   0 all calls ok, 1 some failed, 124 timed out, 255/-1 fatal.
sipp_uac() {
	_n=$1 _sf=$(_sip_sf "$5") _tg=$6
	_sipp_args "$1" "$2" "$3" "$4" || return 1
	shift 6
	# shellcheck disable=SC2086
	timeout -s TERM "$SIPP_TIMEOUT" sipp "$_tg" -sf "$_sf" $_SIPP_ARGS \
	    -key tp "$_SIPP_TP" -key contact "$_SIPP_CT" -s "$SIP_SERVICE" \
	    -m 1 -r 1 -d 500 -recv_timeout 10s "$@" > "$T/$_n.out" 2>&1
}

# the roles, as in conf/sbc.conf
pbx_uas()  { _r=$1 _s=$2; shift 2; sipp_uas "$_r" $PBX_IP $PBX_PORT u1 "$_s" "$@"; }
pbx2_uas() { _r=$1 _s=$2; shift 2; sipp_uas "$_r" $PBX2_IP $PBX2_PORT u1 "$_s" "$@"; }
# The Voice Connector only speaks SRTP: its copies of the scenarios offer and
# answer RTP/SAVP with one static SDES key (a test fixture, not a secret).
# VC_PLAIN=1 keeps them as written (plain RTP/AVP).
VC_CRYPTO=${VC_CRYPTO:-'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:aVC/VyKN/coF9iGMUriuujtbORq19+tw0/LEUeKY'}
vc_sf() {
	_src=$(_sip_sf "$1")
	if [ -n "${VC_PLAIN:-}" ]; then echo "$_src"; return; fi
	_dst=$T/vc-$(basename "$_src")
	sed -e 's|RTP/AVP|RTP/SAVP|' -e "/^ *m=audio/a\\
      $VC_CRYPTO" "$_src" > "$_dst"
	echo "$_dst"
}
vc_uas()   { _r=$1 _s=$(vc_sf "$2"); shift 2; sipp_uas "$_r" $VC_SIPP_IP $VC_SIPP_PORT t1 "$_s" "$@"; }
pbx_uac()  { _r=$1 _s=$2; shift 2; sipp_uac "$_r" $PBX_IP $PBX_UAC_PORT u1 "$_s" "$PBX_TARGET" "$@"; }
# the VC UAC: TCP to the stunnel client, which opens TLS to $VC_TARGET's
# stunnel (sbcd, or the loop); the R-URI names $VC_TARGET
vc_uac()   { _r=$1 _s=$(vc_sf "$2"); shift 2; sipp_uac "$_r" $VC_SIPP_IP $VC_UAC_PORT t1 "$_s" "$VC_TARGET" \
		-rsa $VC_OUT_IP:$VC_OUT_PORT "$@"; }
# rogue_uac NAME SCENARIO [args]: from the unclassified 127.0.0.99 to sbcd LAN
rogue_uac() { _r=$1 _s=$2; shift 2; sipp_uac "$_r" $ROGUE_IP 5060 u1 "$_s" "$PBX_TARGET" "$@"; }

# sipp_wait PID [SECONDS]: wait for a background sipp (default $SIPP_TIMEOUT);
# returns its exit status, or 124 after TERM-ing it on time-out
sipp_wait() {
	_p=$1; _lim=$(( ${2:-$SIPP_TIMEOUT} * 20 )); _i=0
	while alive "$_p" && [ $_i -lt $_lim ]; do sleep 0.05; _i=$((_i + 1)); done
	if alive "$_p"; then kill -TERM "$_p" 2>/dev/null; wait "$_p" 2>/dev/null; _sip_untrack "$_p"; return 124; fi
	wait "$_p"; _rc=$?; _sip_untrack "$_p"; return $_rc
}

# sipp_stop PID: TERM (final stats are written), wait; sipp_kill PID: KILL
# (a dead peer: stops answering keep-alives at once).  Start a new one with
# another NAME to "restart" it.
sipp_stop() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; _sip_untrack "$1"; return 0; }
sipp_kill() { kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null; _sip_untrack "$1"; return 0; }

# sipp_stat NAME FIELD: FIELD of the last line of $T/NAME.csv, e.g.
# SuccessfulCall(C), FailedCall(C), IncomingCall(C), OutgoingCall(C)
sipp_stat() {
	awk -F';' -v f="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == f) c = i; next }
	    { v = $c } END { print (c && v != "") ? v : "" }' "$T/$1.csv" 2>/dev/null
}
# sipp_calls NAME: successful calls of that sipp (OPTIONS answered by -aa not counted)
sipp_calls() { v=$(sipp_stat "$1" 'SuccessfulCall(C)'); echo "${v:-0}"; }
sipp_failed() { v=$(sipp_stat "$1" 'FailedCall(C)'); echo "${v:-0}"; }

# ---- message log helpers (the -trace_msg file, $T/NAME.msg) -----------------
# START is an ERE matched against the start line: "INVITE", "BYE",
# "SIP/2.0 200", "SIP/2.0 [0-9]+ .*"; DIR is "received" (default) or "sent".

# sip_msg LOG START [N] [DIR]: print the Nth (default 1) such message
sip_msg() {
	awk -v re="^($2)( |$)" -v want="${3:-1}" -v dir="${4:-received}" '
	    /^--------------------* / { if (inmsg) exit; body = 0; hdr = 0; next }
	    / message (received|sent) / { hdr = ($0 ~ (" message " dir " ")); first = 1; next }
	    hdr && first && /^[ \t\r]*$/ { next }
	    hdr && first { first = 0; if ($0 ~ re && ++k == want) inmsg = 1 }
	    inmsg { sub(/\r$/, ""); print }' "$1" 2>/dev/null
}

# sip_count LOG START [DIR]: how many such messages (retransmissions count)
sip_count() {
	awk -v re="^($2)( |$)" -v dir="${3:-received}" '
	    / message (received|sent) / { hdr = ($0 ~ (" message " dir " ")); first = 1; next }
	    hdr && first && /^[ \t\r]*$/ { next }
	    hdr && first { first = 0; if ($0 ~ re) k++ }
	    END { print k + 0 }' "$1" 2>/dev/null
}

# sip_hdr LOG START NAME [N] [DIR]: the values of header NAME (compact forms too)
# in that message, one per line, without the "Name:" part
sip_hdr() {
	sip_msg "$1" "$2" "${4:-1}" "${5:-received}" | awk -v h="$3" '
	    BEGIN { h = tolower(h); na = split("i call-id v via m contact f from t to s subject k supported x session-expires l content-length c content-type r refer-to b referred-by", a, " ")
	        for (j = 1; j < na; j += 2) { if (a[j + 1] == h) alt = a[j] } }
	    NR > 1 && /^$/ { exit }
	    NR > 1 { n = index($0, ":"); if (!n) next; k = tolower(substr($0, 1, n - 1)); sub(/[ \t]+$/, "", k)
	        if (k == h || (alt != "" && k == alt)) { v = substr($0, n + 1); sub(/^[ \t]+/, "", v); print v } }'
}

# sip_has LOG START "NAME" ERE [N]: the message has header NAME whose value matches ERE
sip_has() { sip_hdr "$1" "$2" "$3" "${5:-1}" | grep -Eq -- "$4"; }

# sip_body LOG START [N] [DIR]: the body (SDP) of that message
sip_body() { sip_msg "$1" "$2" "${3:-1}" "${4:-received}" | awk 'b { print } /^$/ { b = 1 }'; }

# sip_absent LOG STRING...: none of the STRINGs appears in any message LOG
# received (topology hiding: pass the other side's Call-ID, Via host:port,
# Contact, tags...); prints the offending ones
sip_absent() {
	_log=$1; shift; _bad=0
	for _s in "$@"; do
		[ -n "$_s" ] || continue
		if awk '/^--------------------* / { r = 0; next } / message received / { r = 1; next } r' "$_log" |
		    grep -Fq -- "$_s"; then echo "leaked: $_s"; _bad=1; fi
	done
	return $_bad
}

# sip_ladder LOG: one line per message, "> METHOD ..." (sent) "< ..." (received)
sip_ladder() {
	awk '/ message sent /     { d = ">"; first = 1; next }
	     / message received / { d = "<"; first = 1; next }
	     first && /^[ \t\r]*$/ { next }
	     first { first = 0; sub(/\r$/, ""); print d, $0 }' "$1" 2>/dev/null
}

# ---- stunnel: the Voice Connector's TLS ends --------------------------------
# vc_stunnel_start DIR [CONNECT [CHECK]]: one stunnel with two services,
#  [vc-uas-in]  server: TLS on 127.0.0.20:5061 (vc.crt, *.voiceconnector.chime.test)
#               -> TCP 127.0.0.21:5060 (the VC UAS sipp)
#  [vc-uac-out] client: TCP on 127.0.0.22:5060 (the VC UAC sipp) -> TLS to
#               CONNECT (default sbcd 127.0.0.2:5061) from local 127.0.0.20,
#               verifying the chain (ca.crt) and CHECK: ip:ADDR (default
#               ip:127.0.0.2, sbc.crt's SAN) or host:NAME.
#  VC_TLS_VERSION=TLSv1.2|TLSv1.3 pins both services to that one version.
# Config, log and pid in DIR.  $STUNNEL_PID holds the pid (tracked).
vc_stunnel_start() {
	_d=$1; _cn=${2:-$SBC_WAN_IP:$SBC_WAN_PORT}; _ck=${3:-ip:$SBC_WAN_IP}
	mkdir -p "$_d"
	case $_ck in
	ip:*) _ck="checkIP = ${_ck#ip:}" ;;
	host:*) _ck="checkHost = ${_ck#host:}" ;;
	*) echo "sip.sh: check $_ck: use ip:ADDR or host:NAME" >&2; return 1 ;;
	esac
	sed -e "s|@DIR@|$_d|g" -e "s|@PKI@|$PKI|g" -e "s|@CONNECT@|$_cn|g" -e "s|@CHECK@|$_ck|g" \
	    -e "s|@VC@|$VC_IP:$VC_TLS_PORT|g" -e "s|@VC_IP@|$VC_IP|g" \
	    -e "s|@UAS@|$VC_SIPP_IP:$VC_SIPP_PORT|g" -e "s|@OUT@|$VC_OUT_IP:$VC_OUT_PORT|g" \
	    "$SIPDIR/stunnel_vc.conf.in" > "$_d/stunnel.conf"
	# VC_TLS_VERSION=TLSv1.2 (or TLSv1.3): the VC speaks only that version
	[ -n "${VC_TLS_VERSION:-}" ] && sed -i \
	    "s/^sslVersionMin = .*/sslVersionMin = $VC_TLS_VERSION\\nsslVersionMax = $VC_TLS_VERSION/" \
	    "$_d/stunnel.conf"
	rm -f "$_d/stunnel.log" "$_d/stunnel.pid"
	stunnel4 "$_d/stunnel.conf" > "$_d/stunnel.out" 2>&1 &
	STUNNEL_PID=$!
	sip_track $STUNNEL_PID
	sip_listening tcp $VC_IP $VC_TLS_PORT 5 && sip_listening tcp $VC_OUT_IP $VC_OUT_PORT 5 &&
	    alive $STUNNEL_PID
}
vc_stunnel_stop() {
	[ -n "${STUNNEL_PID:-}" ] && { kill -TERM "$STUNNEL_PID" 2>/dev/null; wait "$STUNNEL_PID" 2>/dev/null; _sip_untrack "$STUNNEL_PID"; }
	STUNNEL_PID=""; return 0
}
