#!/usr/bin/python3
"""rtppeer.py: a tiny RTP/SRTP media peer for the sbcd media tests.

One UDP socket, bound explicitly (--bind IP:PORT), used both to receive and to
send, so what it sends comes from exactly the address it listens on (symmetric
RTP, what a strictly latching relay expects).

Receive side: counts every datagram per source address and SSRC, checks RTP
version/sequence continuity (lost, duplicates, reordering, by extended
sequence number), RFC 3550 jitter, decodes RFC 4733 (2833) DTMF events, and
with --srtp-key decrypts SRTP (RFC 3711, AES_CM_128_HMAC_SHA1_80, ROC guessed
as in RFC 3711 appendix A) after verifying the 80-bit HMAC-SHA1 tag. PCMU
payload can be written to a WAV (--record) for tonecheck.py.

Send side: --count N packets of PCMU (a --tone HZ sine or --payload-file raw
u-law) at --pps packets per second to --send-to, then the --dtmf digits as
RFC 4733 events (5 updates + 3 end packets per digit, each with its own
sequence number); with --srtp-out-key everything is SRTP-protected.

Stops after --duration seconds, or earlier: once sending is done and either
--expect packets arrived, or --idle seconds passed since the last packet (only
after at least one arrived). SIGTERM/SIGINT stop it too and still report.
Report: one JSON object (--report json, default) or a short text line, on
stdout or into --out FILE. Exit 0 unless an --expect* check failed (1), or on a
usage/socket error (2).

  rtppeer.py --bind 127.0.0.10:40000 --send-to 127.0.0.20:40000 --count 250 --tone 1000
  rtppeer.py --bind 127.0.0.20:40000 --srtp-key KEY --expect 250 --record rx.wav
  rtppeer.py --gen-key            # print a random inline key (30 bytes, base64)

Needs python3-cryptography for SRTP only.  Run with /usr/bin/python3.
"""
import argparse
import base64
import hashlib
import hmac
import json
import math
import os
import select
import signal
import socket
import struct
import sys
import time
import wave

DTMF_CHARS = "0123456789*#ABCD"


# ---- G.711 u-law ------------------------------------------------------------
def ulaw_encode(sample):
    """16-bit signed linear -> u-law byte (G.711)."""
    BIAS, CLIP = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    if sample < 0:
        sample = -sample
    sample = min(sample, CLIP) + BIAS
    exp = 7
    mask = 0x4000
    while exp > 0 and not sample & mask:
        exp -= 1
        mask >>= 1
    mant = (sample >> (exp + 3)) & 0x0F
    return ~(sign | (exp << 4) | mant) & 0xFF


def _ulaw_dec(b):
    b = ~b & 0xFF
    sign, exp, mant = b & 0x80, (b >> 4) & 7, b & 0x0F
    s = (((mant << 3) + 0x84) << exp) - 0x84
    return -s if sign else s


ULAW_DEC = [_ulaw_dec(i) for i in range(256)]


def tone_ulaw(freq, nsamples, amp=0.5, fs=8000, phase0=0):
    return bytes(ulaw_encode(int(amp * 32767 * math.sin(2 * math.pi * freq * (phase0 + n) / fs)))
                 for n in range(nsamples))


# ---- SRTP (RFC 3711), AES_CM_128_HMAC_SHA1_80 -------------------------------
def parse_inline(s):
    """'inline:KEY|2^31|1:1' or 'KEY' -> 30 bytes of master key || salt."""
    s = s.strip()
    if s.startswith("inline:"):
        s = s[7:]
    s = s.split("|", 1)[0]
    km = base64.b64decode(s)
    if len(km) != 30:
        raise ValueError("inline key must decode to 30 bytes (16 key + 14 salt), got %d" % len(km))
    return km


class Srtp:
    TAG = 10

    def __init__(self, inline):
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
        self._Cipher, self._AES, self._CTR = Cipher, algorithms.AES, modes.CTR
        km = parse_inline(inline)
        mkey, msalt = km[:16], km[16:30]
        self.ke = self._kdf(mkey, msalt, 0, 16)
        self.ka = self._kdf(mkey, msalt, 1, 20)
        self.ks = self._kdf(mkey, msalt, 2, 14)
        self.enc = self._Cipher(self._AES(self.ke), self._CTR(b"\0" * 16))
        self.streams = {}     # ssrc -> [roc, s_l] (receiver) / roc (sender)

    def _ctr(self, key, iv, data):
        e = self._Cipher(self._AES(key), self._CTR(iv)).encryptor()
        return e.update(data) + e.finalize()

    def _kdf(self, mkey, msalt, label, n):   # key_derivation_rate 0
        x = bytearray(msalt)
        x[7] ^= label
        return self._ctr(mkey, bytes(x) + b"\0\0", b"\0" * n)

    def _iv(self, ssrc, index):
        iv = bytearray(self.ks + b"\0\0")
        for k, b in enumerate(struct.pack("!I", ssrc)):
            iv[4 + k] ^= b
        for k, b in enumerate(index.to_bytes(6, "big")):
            iv[8 + k] ^= b
        return bytes(iv)

    def _tag(self, authed, roc):
        return hmac.new(self.ka, authed + struct.pack("!I", roc), hashlib.sha1).digest()[:self.TAG]

    def protect(self, pkt, hlen, ssrc, seq, roc):
        index = (roc << 16) | seq
        body = self._ctr(self.ke, self._iv(ssrc, index), pkt[hlen:])
        out = pkt[:hlen] + body
        return out + self._tag(out, roc)

    def guess_roc(self, ssrc, seq):
        st = self.streams.get(ssrc)
        if st is None:
            return 0
        roc, s_l = st
        if s_l < 32768:
            return roc - 1 if seq - s_l > 32768 else roc
        return roc + 1 if s_l - 32768 > seq else roc

    def unprotect(self, pkt, hlen, ssrc, seq):
        """-> (plain packet, index) or (None, reason)."""
        if len(pkt) < hlen + self.TAG:
            return None, "short"
        roc = self.guess_roc(ssrc, seq)
        if roc < 0:
            return None, "roc"
        authed, tag = pkt[:-self.TAG], pkt[-self.TAG:]
        if not hmac.compare_digest(self._tag(authed, roc), tag):
            return None, "auth"
        index = (roc << 16) | seq
        st = self.streams.get(ssrc)
        if st is None or index > ((st[0] << 16) | st[1]):
            self.streams[ssrc] = [roc, seq]
        plain = authed[:hlen] + self._ctr(self.ke, self._iv(ssrc, index), authed[hlen:])
        return plain, index


def rtp_header_len(pkt):
    if len(pkt) < 12:
        return -1
    cc = pkt[0] & 0x0F
    h = 12 + 4 * cc
    if pkt[0] & 0x10:
        if len(pkt) < h + 4:
            return -1
        h += 4 + 4 * struct.unpack("!H", pkt[h + 2:h + 4])[0]
    return h if h <= len(pkt) else -1


# ---- receive statistics -------------------------------------------------------
class Stream:
    def __init__(self, ssrc):
        self.ssrc = ssrc
        self.packets = 0          # accepted (auth ok when SRTP), duplicates included
        self.dup = 0
        self.reordered = 0
        self.first = None         # first extended seq
        self.highest = None
        self.seen = set()
        self.cycles = 0
        self.pt = {}
        self.jitter = 0.0
        self._transit = None
        self.src = {}

    def add(self, ext_seq, pt, ts, arrival, src, audio_pt=0):
        self.packets += 1
        self.pt[pt] = self.pt.get(pt, 0) + 1
        self.src[src] = self.src.get(src, 0) + 1
        if ext_seq in self.seen:
            self.dup += 1
            return False
        self.seen.add(ext_seq)
        if self.first is None:
            self.first = self.highest = ext_seq
        elif ext_seq > self.highest:
            self.highest = ext_seq
        else:
            self.reordered += 1
            self.first = min(self.first, ext_seq)
        if pt == audio_pt:       # jitter on the audio stream only (events share a timestamp)
            transit = arrival * 8000.0 - ts
            if self._transit is not None:
                d = abs(transit - self._transit)
                if d < 8000 * 10:
                    self.jitter += (d - self.jitter) / 16.0
            self._transit = transit
        return True

    def extend(self, seq):
        """16-bit seq -> extended seq (for plain RTP; SRTP uses the SRTP index)."""
        if self.highest is None:
            return seq
        cur = self.highest
        cand = (cur & ~0xFFFF) | seq
        if cand - cur > 32768:
            cand -= 65536
        elif cur - cand > 32768:
            cand += 65536
        return cand

    def report(self):
        unique = len(self.seen)
        expected = (self.highest - self.first + 1) if self.first is not None else 0
        return {
            "ssrc": "%08x" % self.ssrc, "packets": self.packets, "unique": unique,
            "expected": expected, "lost": expected - unique, "dup": self.dup,
            "reordered": self.reordered,
            "seq_first": (self.first & 0xFFFF) if self.first is not None else None,
            "seq_last": (self.highest & 0xFFFF) if self.highest is not None else None,
            "pt": {str(k): v for k, v in sorted(self.pt.items())},
            "jitter_ms": round(self.jitter / 8.0, 3),
            "sources": self.src,
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bind", help="IP:PORT to bind (required except with --gen-key)")
    ap.add_argument("--send-to", help="IP:PORT to send to")
    ap.add_argument("--count", type=int, default=0, help="audio packets to send")
    ap.add_argument("--pps", type=float, default=50.0)
    ap.add_argument("--pt", type=int, default=0, help="audio payload type (0 = PCMU)")
    ap.add_argument("--tone", type=float, default=1000.0, help="tone to send, Hz")
    ap.add_argument("--payload-file", help="raw u-law file to send instead of --tone (160 B/packet)")
    ap.add_argument("--dtmf", default="", help="digits to send as RFC 4733 events after the audio")
    ap.add_argument("--dtmf-pt", type=int, default=101)
    ap.add_argument("--ssrc", default=None, help="SSRC to send, hex (random by default)")
    ap.add_argument("--seq", type=int, default=None, help="first sequence number (random by default)")
    ap.add_argument("--roc", type=int, default=0, help="initial SRTP rollover counter (sender)")
    ap.add_argument("--start-after", type=float, default=0.0, help="seconds before the first packet")
    ap.add_argument("--srtp-key", help="inline key to DECRYPT received packets (SRTP in)")
    ap.add_argument("--srtp-out-key", help="inline key to ENCRYPT sent packets (SRTP out)")
    ap.add_argument("--peer-file", help="file \"IP PORT [KEY|-]\" (tests/lib/media.sh media_sdp) to wait "
                    "for: the send-to address and, unless --srtp-key, the SRTP key to decrypt with; "
                    "packets that arrive before it are kept and counted after")
    ap.add_argument("--duration", type=float, default=10.0, help="hard limit, seconds")
    ap.add_argument("--idle", type=float, default=2.0,
                    help="stop this long after the last received packet (once sending is done)")
    ap.add_argument("--expect", type=int, default=None,
                    help="exit 1 unless exactly N valid unique packets arrived; stop early when reached")
    ap.add_argument("--expect-min", type=int, default=None, help="exit 1 unless at least N arrived")
    ap.add_argument("--expect-dtmf", default=None, help="exit 1 unless exactly these digits arrived")
    ap.add_argument("--expect-source", default=None, help="exit 1 unless every packet came from IP:PORT")
    ap.add_argument("--record", help="write received PCMU audio (--pt) to this WAV")
    ap.add_argument("--report", choices=("json", "text"), default="json")
    ap.add_argument("--out", help="write the report here instead of stdout")
    ap.add_argument("--gen-key", action="store_true", help="print a random inline key and exit")
    a = ap.parse_args()

    if a.gen_key:
        print(base64.b64encode(os.urandom(30)).decode())
        return 0
    if not a.bind:
        ap.error("--bind IP:PORT is required")

    def hostport(s):
        h, p = s.rsplit(":", 1)
        return h, int(p)

    rx_srtp = Srtp(a.srtp_key) if a.srtp_key else None
    tx_srtp = Srtp(a.srtp_out_key) if a.srtp_out_key else None
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    try:
        sock.bind(hostport(a.bind))
    except OSError as e:
        print("rtppeer: bind %s: %s" % (a.bind, e), file=sys.stderr)
        return 2
    dst = hostport(a.send_to) if a.send_to else None

    stop = [False]

    def on_sig(_s, _f):
        stop[0] = True
    signal.signal(signal.SIGTERM, on_sig)
    signal.signal(signal.SIGINT, on_sig)

    # ---- what to send: a list of (payload type, marker, ts offset, payload)
    plan = []
    if dst or a.peer_file:
        payload_src = open(a.payload_file, "rb").read() if a.payload_file else None
        for i in range(a.count):
            if payload_src:
                off = (i * 160) % max(len(payload_src) - 159, 1)
                pl = payload_src[off:off + 160]
            else:
                pl = tone_ulaw(a.tone, 160, phase0=i * 160)
            plan.append((a.pt, i == 0, i * 160, pl))
        ts = a.count * 160
        for d in a.dtmf.upper():
            ev = DTMF_CHARS.index(d)
            for k in range(5):        # updates, durations 160..800
                plan.append((a.dtmf_pt, k == 0, ts, struct.pack("!BBH", ev, 10, 160 * (k + 1))))
            for k in range(3):        # end packets, each with its own seq
                plan.append((a.dtmf_pt, False, ts, struct.pack("!BBH", ev, 0x80 | 10, 960)))
            ts += 960 + 8 * 160       # 120 ms event + 160 ms gap (timestamp)
            for k in range(8):        # and 8 packet slots of silence (nothing sent)
                plan.append(None)
    ssrc = int(a.ssrc, 16) if a.ssrc else struct.unpack("!I", os.urandom(4))[0]
    seq = a.seq if a.seq is not None else struct.unpack("!H", os.urandom(2))[0] & 0x7FFF
    roc = a.roc
    ts0 = struct.unpack("!I", os.urandom(4))[0]
    sent = sent_audio = sent_dtmf = 0
    send_err = 0

    # ---- receive state
    streams = {}
    sources = {}
    dtmf_rx = []
    dtmf_seen = set()
    pcm = bytearray()
    first_rx = last_rx = None

    t_start = time.monotonic()
    t_send0 = t_start + a.start_after
    interval = 1.0 / a.pps
    next_i = 0

    def valid_total():
        return sum(len(s.seen) for s in streams.values())

    pending = []          # received before --peer-file told the key
    st8 = {"total": 0, "not_rtp": 0, "auth_fail": 0, "first": None, "last": None}

    def handle(data, srcs, arrival):
        st8["total"] += 1
        sources[srcs] = sources.get(srcs, 0) + 1
        hlen = rtp_header_len(data)
        if hlen < 0 or (data[0] >> 6) != 2:
            st8["not_rtp"] += 1
            return
        pt = data[1] & 0x7F
        rseq, rts, rssrc = struct.unpack("!HII", data[2:12])
        st = streams.get(rssrc)
        if st is None:
            st = streams[rssrc] = Stream(rssrc)
        if rx[0]:
            plain, ext = rx[0].unprotect(data, hlen, rssrc, rseq)
            if plain is None:
                st8["auth_fail"] += 1
                return
            data = plain
        else:
            ext = st.extend(rseq)
        new = st.add(ext, pt, rts, arrival - t_start, srcs, a.pt)
        payload = data[hlen:]
        if data[0] & 0x20 and payload:        # padding
            payload = payload[:-payload[-1]]
        if new and pt == a.dtmf_pt and len(payload) >= 4:
            if (rssrc, rts) not in dtmf_seen and payload[0] < 16:
                dtmf_seen.add((rssrc, rts))
                dtmf_rx.append(DTMF_CHARS[payload[0]])
        elif new and pt == a.pt and a.record and pt == 0:
            for b in payload:
                pcm.extend(struct.pack("<h", ULAW_DEC[b]))

    rx = [rx_srtp]
    peer_known = not a.peer_file
    while not stop[0]:
        now = time.monotonic()
        if now - t_start >= a.duration:
            break
        if not peer_known and os.path.exists(a.peer_file):
            f = open(a.peer_file).read().split()
            if len(f) >= 2:
                peer_known = True
                if dst is None:
                    dst = (f[0], int(f[1]))
                    t_send0 = max(t_send0, now + a.start_after)
                if len(f) > 2 and f[2] != "-" and rx[0] is None:
                    rx[0] = Srtp(f[2])
                for d, sa, at in pending:
                    handle(d, sa, at)
                pending = []
        sending = dst is not None and next_i < len(plan)
        if not sending and peer_known:
            if a.expect is not None and valid_total() >= a.expect:
                # linger briefly for duplicates/extra packets
                if st8["last"] is not None and now - st8["last"] > 0.3:
                    break
            if st8["last"] is not None and now - st8["last"] >= a.idle:
                break
        # send what is due
        while sending and now >= t_send0 + next_i * interval:
            item = plan[next_i]
            next_i += 1
            if item is not None:
                pt, mark, tsoff, pl = item
                hdr = struct.pack("!BBHII", 0x80, (0x80 if mark else 0) | pt, seq,
                                  (ts0 + tsoff) & 0xFFFFFFFF, ssrc)
                pkt = hdr + pl
                if tx_srtp:
                    pkt = tx_srtp.protect(pkt, 12, ssrc, seq, roc)
                try:
                    sock.sendto(pkt, dst)
                    sent += 1
                    if pt == a.dtmf_pt and tsoff >= a.count * 160:
                        sent_dtmf += 1
                    else:
                        sent_audio += 1
                except OSError:
                    send_err += 1
                seq = (seq + 1) & 0xFFFF
                if seq == 0:
                    roc += 1
            sending = next_i < len(plan)
        # wait for input until the next send or a short tick
        timeout = 0.05
        if sending:
            timeout = max(0.0, min(timeout, t_send0 + next_i * interval - time.monotonic()))
        try:
            r, _, _ = select.select([sock], [], [], timeout)
        except InterruptedError:
            continue
        if not r:
            continue
        sock.setblocking(False)
        while True:
            try:
                data, src = sock.recvfrom(4096)
            except BlockingIOError:
                break
            except OSError:   # ICMP port unreachable from an earlier send
                break
            arrival = time.monotonic()
            if st8["first"] is None:
                st8["first"] = arrival
            st8["last"] = arrival
            if peer_known:
                handle(data, "%s:%d" % src, arrival)
            else:
                pending.append((data, "%s:%d" % src, arrival))
        sock.setblocking(True)

    for d, sa, at in pending:     # the peer file never came: count them anyway
        handle(d, sa, at)
    total, not_rtp, auth_fail = st8["total"], st8["not_rtp"], st8["auth_fail"]
    first_rx, last_rx = st8["first"], st8["last"]
    elapsed = time.monotonic() - t_start
    unique = valid_total()
    rep = {
        "bind": a.bind, "send_to": a.send_to, "srtp_in": bool(rx[0]), "srtp_out": bool(tx_srtp),
        "sent": sent, "sent_audio": sent_audio, "sent_dtmf": sent_dtmf, "send_errors": send_err,
        "sent_ssrc": "%08x" % ssrc if sent else None,
        "received": total, "valid": sum(s.packets for s in streams.values()), "unique": unique,
        "not_rtp": not_rtp, "auth_fail": auth_fail,
        "lost": sum(s.report()["lost"] for s in streams.values()),
        "dup": sum(s.dup for s in streams.values()),
        "reordered": sum(s.reordered for s in streams.values()),
        "dtmf": "".join(dtmf_rx), "sources": sources,
        "ssrcs": [s.report() for s in streams.values()],
        "rx_seconds": round(last_rx - first_rx, 3) if first_rx is not None else 0,
        "send_to_used": "%s:%d" % dst if dst else None,
        "elapsed": round(elapsed, 3),
    }
    rep["seq_ok"] = bool(unique) and rep["lost"] == 0 and rep["dup"] == 0 and rep["reordered"] == 0
    fails = []
    if a.expect is not None and unique != a.expect:
        fails.append("expected %d packets, got %d" % (a.expect, unique))
    if a.expect_min is not None and unique < a.expect_min:
        fails.append("expected at least %d packets, got %d" % (a.expect_min, unique))
    if a.expect_dtmf is not None and rep["dtmf"] != a.expect_dtmf:
        fails.append("expected DTMF %r, got %r" % (a.expect_dtmf, rep["dtmf"]))
    if a.expect_source is not None and set(sources) - {a.expect_source}:
        fails.append("packets from %s, expected only %s" % (",".join(sorted(sources)), a.expect_source))
    if (a.expect is not None or a.expect_min is not None) and auth_fail:
        fails.append("%d packets failed SRTP authentication" % auth_fail)
    rep["fail"] = fails
    if a.record:
        w = wave.open(a.record, "wb")
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(pcm))
        w.close()
    if a.report == "json":
        text = json.dumps(rep, sort_keys=True)
    else:
        text = ("sent=%d received=%d unique=%d lost=%d dup=%d reordered=%d auth_fail=%d "
                "not_rtp=%d dtmf=%s sources=%s%s" % (
                    sent, total, unique, rep["lost"], rep["dup"], rep["reordered"], auth_fail,
                    not_rtp, rep["dtmf"] or "-", ",".join("%s=%d" % kv for kv in sorted(sources.items())) or "-",
                    (" FAIL: " + "; ".join(fails)) if fails else ""))
    if a.out:
        with open(a.out + ".tmp", "w") as f:
            f.write(text + "\n")
        os.rename(a.out + ".tmp", a.out)
    else:
        print(text, flush=True)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
