#!/usr/bin/env python3
"""rawsip.py SRC_IP SRC_PORT DST_IP DST_PORT KIND: send one hand-made SIP request
over UDP and print the status line of the answer (or "no answer").
KIND: bye-unknown (a BYE for a dialog that does not exist), mf0 (an INVITE
with Max-Forwards: 0), options (an OPTIONS to sbcd itself)."""
import socket, sys, uuid
src, sport, dst, dport, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
cid = uuid.uuid4().hex
def req(method, uri, extra="", to_tag="", mf=70):
    return (f"{method} {uri} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {src}:{sport};branch=z9hG4bK{uuid.uuid4().hex[:12]};rport\r\n"
            f"Max-Forwards: {mf}\r\n"
            f"From: <sip:100@{src}>;tag=f{cid[:8]}\r\n"
            f"To: <sip:200@{dst}>{to_tag}\r\n"
            f"Call-ID: {cid}@{src}\r\n"
            f"CSeq: 1 {method}\r\n"
            f"Contact: <sip:100@{src}:{sport}>\r\n"
            f"{extra}Content-Length: 0\r\n\r\n").encode()
msgs = {
    "bye-unknown": req("BYE", f"sip:200@{dst}:{dport}", to_tag=";tag=nosuchdialog"),
    "mf0": req("INVITE", f"sip:200@{dst}:{dport}", mf=0),
    "options": req("OPTIONS", f"sip:{dst}:{dport}"),
}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, sport))
s.settimeout(3)
s.sendto(msgs[kind], (dst, dport))
try:
    while True:
        data = s.recv(65535).decode("utf-8", "replace")
        line = data.split("\r\n", 1)[0]
        if line.startswith("SIP/2.0 1"):
            continue
        print(line)
        break
except socket.timeout:
    print("no answer")
