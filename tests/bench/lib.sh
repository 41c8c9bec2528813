# lib.sh: helpers of the benchmarks (POSIX sh), on top of tests/lib/{common,sip,media}.sh.
# Sourced by tests/bench/run.sh inside its private network namespace.

BENCH=${BENCH:-$ROOT/build/bench}

# say TEXT: progress on stderr (stdout carries the results)
say() { echo "bench: $*" >&2; }

# result KEY VALUE...: one figure, appended to $RESULTS as "KEY VALUE"
result() { _k=$1; shift; echo "$_k $*" >> "$RESULTS"; say "$_k $*"; }

# kv LINE KEY: the value of KEY=... in a key=value line
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# rss_kb PID: resident set size in KiB
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# sdp_all MSGFILE START: "PORT KEY" of the SDP of every message received whose
# start line matches the ERE START (sipp -trace_msg log); KEY is the first
# AES_CM_128_HMAC_SHA1_80 inline key or "-"; a port seen before (a
# retransmission) is left out
sdp_all() {
	awk -v re="^($2)( |$)" '
	    function flush() { if (inmsg && port != "") print port, (key != "" ? key : "-");
	        inmsg = 0; port = ""; key = "" }
	    /^-----/ { flush(); hdr = 0; next }
	    / message received / { flush(); hdr = 1; first = 1; next }
	    / message sent / { flush(); hdr = 0; next }
	    { sub(/\r$/, "") }
	    hdr && first && /^[ \t]*$/ { next }
	    hdr && first { first = 0; if ($0 ~ re) inmsg = 1; next }
	    !inmsg { next }
	    /^m=audio / { port = $2 }
	    /^a=crypto:[0-9]+ AES_CM_128_HMAC_SHA1_80 inline:/ && key == "" {
	        k = $3; sub(/^inline:/, "", k); sub(/\|.*/, "", k); key = k }
	    END { flush() }' "$1" | awk '!seen[$1]++'	# retransmissions: once
}

# wait_calls MSGFILE START N [SECONDS]: until N messages matching START were received
wait_calls() {
	_i=0; _lim=$(( ${4:-30} * 10 ))
	while [ $_i -lt $_lim ]; do
		[ "$(sdp_all "$1" "$2" | wc -l)" -ge "$3" ] && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

# ratio A B: A / B with two decimals ("-" when either is missing or B is 0)
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0)
	    print "-"; else printf "%.2f\n", a / b }'
}

# cpu_s PID: CPU seconds (utime + stime) used so far
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$1/stat"; }
