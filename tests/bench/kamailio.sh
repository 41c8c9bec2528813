# kamailio.sh: the reference stack for the benchmarks: Kamailio (proxy, UDP toward the PBX,
# TLS toward the VC) with rtpengine (userspace, RTP toward the PBX, SRTP SDES toward the VC).
kam_pids() { :; }
kam_up() { return 1; }
kam_down() { :; }
