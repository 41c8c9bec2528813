# kamailio.sh: the reference stack of the benchmarks: Kamailio (UDP toward the PBX, TLS
# toward the VC) with rtpengine in userspace (--table=-1: no kernel module here; RTP toward
# the PBX, SRTP SDES toward the VC).  Sourced by run.sh.  kam_up starts both (and the
# VC's stunnel), kam_down stops them, kam_pids lists Kamailio's processes.

KAM_CHILDREN=${BENCH_KAM_CHILDREN:-4}
KAM_MPATH=$(dirname "$(find /usr/lib -name tm.so -path '*kamailio*' 2>/dev/null | head -n 1)")

kam_up() {
	command -v kamailio > /dev/null && command -v rtpengine > /dev/null ||
	    { say "kamailio or rtpengine is not installed"; return 1; }
	_kd=$T/kamailio; mkdir -p "$_kd"
	sed -e "s|@DIR@|$_kd|g" -e "s|@CHILDREN@|$KAM_CHILDREN|g" -e "s|@MPATH@|$KAM_MPATH|g" \
	    -e "s|@SDES@|${BENCH_KAM_SDES-SDES-no-AEAD_AES_256_GCM SDES-no-AEAD_AES_128_GCM SDES-no-AES_256_CM_HMAC_SHA1_80 SDES-no-AES_256_CM_HMAC_SHA1_32 SDES-no-AES_192_CM_HMAC_SHA1_80 SDES-no-AES_192_CM_HMAC_SHA1_32 SDES-no-AES_CM_128_HMAC_SHA1_32 SDES-no-F8_128_HMAC_SHA1_80 SDES-no-F8_128_HMAC_SHA1_32 SDES-no-NULL_HMAC_SHA1_80 SDES-no-NULL_HMAC_SHA1_32}|g" \
	    "$BDIR/kamailio.cfg.in" > "$_kd/kamailio.cfg"
	sed -e "s|@PKI@|$PKI|g" "$BDIR/tls.cfg.in" > "$_kd/tls.cfg"
	vc_stunnel_start "$T/kam.stunnel" || { say "stunnel does not start"; return 1; }
	STUNNEL_KAM=$STUNNEL_PID
	# userspace forwarding (--table=-1): the in-kernel module is not loaded here
	rtpengine --foreground --table=-1 --interface=internal/$SBC_LAN_RTP_IP \
	    --interface=external/$SBC_WAN_RTP_IP --listen-ng=127.0.0.1:2223 \
	    --port-min=20000 --port-max=39999 --num-threads="${BENCH_RTPE_THREADS:-2}" \
	    --log-stderr --log-level=4 --delete-delay=0 --no-redis-required \
	    > "$_kd/rtpengine.log" 2>&1 &
	RTPE_PID=$!
	sip_track $RTPE_PID
	sip_listening udp 127.0.0.1 2223 10 || { say "rtpengine does not listen"; return 1; }
	kamailio -f "$_kd/kamailio.cfg" -P "$_kd/kamailio.pid" -m 512 -M 32 -DD -E \
	    > "$_kd/kamailio.log" 2>&1 &
	KAM_PID=$!
	sip_track $KAM_PID
	sip_listening udp 127.0.0.1 5060 10 && sip_listening tcp 127.0.0.2 5061 10
}

kam_pids() {
	echo "$KAM_PID $(ps -o pid= --ppid "$KAM_PID" 2>/dev/null | tr '\n' ' ')"
}

kam_down() {
	# its children, by PID: a main process that had to be killed leaves
	# them behind (reparented to init)
	_kc=""
	[ -n "${KAM_PID:-}" ] && _kc=$(ps -o pid= --ppid "$KAM_PID" 2>/dev/null)
	[ -n "${KAM_PID:-}" ] && stop_pid "$KAM_PID"
	for _kp in $_kc; do
		alive "$_kp" && kill -KILL "$_kp" 2>/dev/null
	done
	[ -n "${RTPE_PID:-}" ] && stop_pid "$RTPE_PID"
	[ -n "${STUNNEL_KAM:-}" ] && stop_pid "$STUNNEL_KAM"
	KAM_PID="" RTPE_PID="" STUNNEL_KAM=""
}
