#!/bin/sh
# table.sh: the benchmark figures (build/bench/results.txt, "KEY VALUE" lines) as the
# markdown table of docs/performance.md: each figure of sbcd beside its baselines.
R=$1
v() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; f = 1 } END { if (!f) print "-" }' "$R" | tail -n 1; }
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0)
	    print "-"; else printf "%.2f\n", a / b }'
}
# check VALUE OP LIMIT: "yes"/"no" (or "-" without a value)
check() {
	awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN { if (a == "-" || a == "") { print "-"; exit }
	    ok = (op == "<=") ? (a + 0 <= b + 0) : (a + 0 >= b + 0); print ok ? "yes" : "**no**" }'
}

sr=$(v sig_rate_sbcd) kr=$(v sig_rate_kamailio) dr=$(v sig_rate_direct)
sc=$(v sig_cpu_ms_per_call_sbcd) kc=$(v sig_cpu_ms_per_call_kamailio)
echo "Run of $(v date).  Machine: $(v machine).  Quick run: $(v quick)."
echo
echo "| Figure | sbcd | Baseline | Baseline value | sbcd / baseline | Target | Holds |"
echo "|---|---|---|---|---|---|---|"
echo "| Signalling: highest zero-failure rate (calls/s, two confirming runs) | $sr | Kamailio + rtpengine | $kr | $(ratio "$sr" "$kr") | ratio >= 1 | $(check "$(ratio "$sr" "$kr")" ">=" 1) |"
echo "| Signalling: same, SIPp calling SIPp without an SBC (the generators' ceiling) | $sr | SIPp -> SIPp | $dr | $(ratio "$sr" "$dr") | - | - |"
echo "| Signalling: CPU per call at that rate (ms) | $sc | Kamailio + rtpengine | $kc | $(ratio "$sc" "$kc") | ratio <= 0.5 | $(check "$(ratio "$sc" "$kc")" "<=" 0.5) |"
echo "| Signalling: CPU at that rate (% of one core) | $(v sig_cpu_pct_sbcd) | Kamailio + rtpengine | $(v sig_cpu_pct_kamailio) | - | - | - |"
for n in $(awk '$1 ~ /^held_calls_[0-9]+$/ { sub(/held_calls_/, "", $1); print $1 }' "$R"); do
	cap=$(v held_capped_$n)
	[ "$cap" = "-" ] && cap="" || cap=" (capped from $n: ${cap})"
	echo "| Held calls: $(v held_calls_$n) up$cap, RSS per call just after set-up (KiB; idle $(v held_rss_kb_idle_$n) KiB, loaded $(v held_rss_kb_$n) KiB) | $(v held_kib_per_call_$n) | - | - | - | <= 16 | $(check "$(v held_kib_per_call_$n)" "<=" 16) |"
	echo "| Held calls: $(v held_calls_settled_$n) up, RSS per call once settled (KiB; $(v held_rss_kb_settled_$n) KiB, $(v held_fds_$n) fds) | $(v held_kib_per_call_settled_$n) | - | - | - | <= 16 | $(check "$(v held_kib_per_call_settled_$n)" "<=" 16) |"
done
su=$(v media_cpu_us_per_pkt_sbcd) fu=$(v media_cpu_us_per_pkt_udpfwd) ku=$(v media_cpu_us_per_pkt_kamailio)
echo "| Media: CPU per relayed packet (us), SRTP <-> RTP | $su | udpfwd (plain UDP; mean of runs before and after sbcd: $(v media_cpu_us_per_pkt_udpfwd1), $(v media_cpu_us_per_pkt_udpfwd2)) | $fu | $(ratio "$su" "$fu") | <= 5 us and ratio <= 2 | $(check "$su" "<=" 5) / $(check "$(ratio "$su" "$fu")" "<=" 2) |"
echo "| Media: CPU per relayed packet (us), SRTP <-> RTP | $su | rtpengine (userspace) | $ku | $(ratio "$su" "$ku") | - | - |"
echo "| Media: relay CPU (% of one core) | $(v media_cpu_pct_sbcd) | udpfwd / rtpengine | $(v media_cpu_pct_udpfwd) / $(v media_cpu_pct_kamailio) | - | - | - |"
echo "| Media: packets lost (of sent) | $(v media_lost_sbcd) of $(v media_sent_sbcd) | udpfwd / rtpengine | $(v media_lost_udpfwd) of $(v media_sent_udpfwd) / $(v media_lost_kamailio) of $(v media_sent_kamailio) | - | 0 | $(check "$(v media_lost_sbcd)" "<=" 0) |"
echo "| Media: added delay p50 (us, rtpload's own scheduling included) | $(v media_delay_p50_us_sbcd) | udpfwd / rtpengine | $(v media_delay_p50_us_udpfwd) / $(v media_delay_p50_us_kamailio) | $(ratio "$(v media_delay_p50_us_sbcd)" "$(v media_delay_p50_us_udpfwd)") | - | - |"
echo "| Media: added delay p99 (us) | $(v media_delay_p99_us_sbcd) | udpfwd / rtpengine | $(v media_delay_p99_us_udpfwd) / $(v media_delay_p99_us_kamailio) | $(ratio "$(v media_delay_p99_us_sbcd)" "$(v media_delay_p99_us_udpfwd)") | - | - |"
echo "| Media: user-space instructions per relayed packet (callgrind, on_packet inclusive) | $(v media_callgrind_ir_per_pkt_sbcd) | - | - | - | - | - |"
echo "| SRTP alone: ns per protect / unprotect (172-byte packet, libsrtp2 2.5 on NSS) | $(v srtp_libsrtp2_protect_ns) / $(v srtp_libsrtp2_unprotect_ns) | AES-128-CTR + HMAC-SHA1 with OpenSSL EVP | $(v srtp_openssl_ctr_hmac_ns) | $(ratio "$(v srtp_libsrtp2_protect_ns)" "$(v srtp_openssl_ctr_hmac_ns)") | - | - |"
