#!/usr/bin/python3
"""gen_pcap.py OUT.pcap [--count N] [--tone HZ | --payload-file X.ul] [--dtmf DIGITS]
                     [--srtp-key INLINE] [--ssrc HEX] [--seq N]

Write a pcap for SIPp's play_pcap_audio: Ethernet/IPv4/UDP frames carrying an
RTP stream, 20 ms apart.  SIPp 3.6.1 replays it verbatim, rewriting only the IP
addresses and UDP ports (source = [media_ip]:[media_port+N] of the scenario,
destination = the peer's SDP c=/m=), never the RTP header or payload.

  --count N        PCMU packets (PT 0, 160 bytes, 20 ms); default 250 = 5 s
  --tone HZ        sine to encode (default 1000); --payload-file: raw u-law
  --dtmf DIGITS    after the audio, each digit as RFC 4733 events (PT 101):
                   5 updates + 3 end packets, each with its own sequence number
                   (so an SRTP replay check keeps them), then 160 ms of nothing.
                   Packets in the file = N + 8 * len(DIGITS).
  --srtp-key K     protect every packet as SRTP, AES_CM_128_HMAC_SHA1_80 with
                   the inline key K (the a=crypto of the scenario's SDP), ROC 0
                   (+1 at each sequence wrap).

Prints "packets=N audio=A dtmf=D ssrc=HEX seq=FIRST..LAST".  Uses rtppeer.py's
u-law and SRTP code (same folder).
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rtppeer import DTMF_CHARS, Srtp, tone_ulaw  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=250)
    ap.add_argument("--tone", type=float, default=1000.0)
    ap.add_argument("--payload-file")
    ap.add_argument("--dtmf", default="")
    ap.add_argument("--dtmf-pt", type=int, default=101)
    ap.add_argument("--srtp-key")
    ap.add_argument("--ssrc", default="5ec0a1d0")
    ap.add_argument("--seq", type=int, default=1000)
    ap.add_argument("--port", type=int, default=40000, help="UDP port written in the frames")
    a = ap.parse_args()

    srtp = Srtp(a.srtp_key) if a.srtp_key else None
    ssrc = int(a.ssrc, 16)
    src = open(a.payload_file, "rb").read() if a.payload_file else None
    items = []                               # (pt, marker, ts offset, payload) or None (a gap)
    for i in range(a.count):
        if src:
            off = (i * 160) % max(len(src) - 159, 1)
            pl = src[off:off + 160]
        else:
            pl = tone_ulaw(a.tone, 160, phase0=i * 160)
        items.append((0, i == 0, i * 160, pl))
    ts = a.count * 160
    for d in a.dtmf.upper():
        ev = DTMF_CHARS.index(d)
        for k in range(5):
            items.append((a.dtmf_pt, k == 0, ts, struct.pack("!BBH", ev, 10, 160 * (k + 1))))
        for k in range(3):
            items.append((a.dtmf_pt, False, ts, struct.pack("!BBH", ev, 0x80 | 10, 960)))
        ts += 960 + 8 * 160
        items.extend([None] * 8)

    out = open(a.out, "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    seq, roc, t = a.seq & 0xFFFF, 0, 0.0
    n = na = nd = 0
    first = seq
    last = seq
    for it in items:
        if it is not None:
            pt, mark, tsoff, pl = it
            hdr = struct.pack("!BBHII", 0x80, (0x80 if mark else 0) | pt, seq, (160000 + tsoff) & 0xFFFFFFFF, ssrc)
            rtp = hdr + pl
            if srtp:
                rtp = srtp.protect(rtp, 12, ssrc, seq, roc)
            udp = struct.pack("!HHHH", a.port, a.port, 8 + len(rtp), 0) + rtp
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                             bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
            pkt = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + udp
            us = int(round(t * 1e6))
            out.write(struct.pack("<IIII", us // 1000000, us % 1000000, len(pkt), len(pkt)) + pkt)
            n += 1
            if pt == a.dtmf_pt and tsoff >= a.count * 160:
                nd += 1
            else:
                na += 1
            last = seq
            seq = (seq + 1) & 0xFFFF
            if seq == 0:
                roc += 1
        t += 0.020
    out.close()
    print("packets=%d audio=%d dtmf=%d ssrc=%08x seq=%d..%d%s" % (
        n, na, nd, ssrc, first, last, " srtp" if srtp else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
