#!/usr/bin/env python3
"""limitsip.py: requests that test sbcd's limits (tests/integration/210-limits.sh).

  limitsip.py flood SRC_IP DST_IP:PORT N     N OPTIONS as fast as possible from
                                             SRC_IP:5090 over UDP; prints
                                             "answered K of N"
  limitsip.py one SRC_IP DST_IP:PORT         one OPTIONS; its status line or
                                             "no answer"
  limitsip.py KIND udp|tcp SRC_IP DST_IP:PORT  one request over that transport;
                                             prints the status line of its final
                                             answer or "no answer"
KIND: headers N (N extra header fields), vias N (N Via values),
      body N (an N-byte MESSAGE body), size N (an OPTIONS to a user padded to N bytes)
"""
import socket, sys, time, uuid


def req(src, sport, dst, method="OPTIONS", user="", extra="", body=b"", vias=1, ctype=""):
    cid = uuid.uuid4().hex
    via = "".join("Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s%s\r\n" % (src, sport, cid[:10], i)
                  for i in range(vias))
    head = ("%s sip:%s%s SIP/2.0\r\n%s"
            "Max-Forwards: 70\r\n"
            "From: <sip:100@%s>;tag=f%s\r\n"
            "To: <sip:200@%s>\r\n"
            "Call-ID: %s@%s\r\n"
            "CSeq: 1 %s\r\n"
            "Contact: <sip:100@%s:%d>\r\n"
            "%s%sContent-Length: %d\r\n\r\n") % (
        method, user + "@" if user else "", dst, via, src, cid[:8], dst, cid, src, method,
        src, sport, extra, "Content-Type: %s\r\n" % ctype if ctype else "", len(body))
    return head.encode() + body


def final(data):
    line = data.split(b"\r\n", 1)[0].decode("utf-8", "replace")
    return None if line.startswith("SIP/2.0 1") else line


def udp_one(src, sport, dst, msg, wait=2.0):
    host, port = dst.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, sport))
    s.settimeout(wait)
    s.sendto(msg, (host, int(port)))
    try:
        while True:
            f = final(s.recv(65535))
            if f:
                return f
    except socket.timeout:
        return "no answer"
    finally:
        s.close()


def tcp_one(src, dst, msg, wait=2.0):
    host, port = dst.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(wait)
    try:
        s.connect((host, int(port)))
        s.sendall(msg)
        buf = b""
        end = time.time() + wait
        while time.time() < end:
            d = s.recv(65535)
            if not d:
                break
            buf += d
            while b"\r\n\r\n" in buf:
                m, buf = buf.split(b"\r\n\r\n", 1)
                f = final(m)
                if f:
                    return f
    except (socket.timeout, OSError):
        pass
    finally:
        s.close()
    return "no answer"


def main():
    a = sys.argv[1:]
    if a[0] == "flood":
        src, dst, n = a[1], a[2], int(a[3])
        host, port = dst.rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, 5090))
        for _ in range(n):
            s.sendto(req(src, 5090, host), (host, int(port)))
        s.settimeout(1.0)
        got = 0
        try:
            while True:
                if final(s.recv(65535)):
                    got += 1
        except socket.timeout:
            pass
        print("answered %d of %d" % (got, n))
        return
    if a[0] == "one":
        src, dst = a[1], a[2]
        print(udp_one(src, 5091, dst, req(src, 5091, dst.rsplit(":", 1)[0])))
        return
    kind, n, tp, src, dst = a[0], int(a[1]), a[2], a[3], a[4]
    host = dst.rsplit(":", 1)[0]
    sport = 5092
    if kind == "headers":
        m = req(src, sport, host, extra="".join("X-Filler-%d: %d\r\n" % (i, i) for i in range(n)))
    elif kind == "vias":
        m = req(src, sport, host, vias=n)
    elif kind == "body":
        m = req(src, sport, host, method="MESSAGE", user="200", body=b"x" * n, ctype="text/plain")
    elif kind == "size":
        m = req(src, sport, host, user="200")
        pad = n - len(m) - len("X-Pad: \r\n")
        m = req(src, sport, host, user="200", extra="X-Pad: %s\r\n" % ("p" * pad))
    else:
        sys.exit("limitsip.py: kind " + kind)
    if tp == "tcp":
        m = m.replace(b"SIP/2.0/UDP", b"SIP/2.0/TCP")
        print(tcp_one(src, dst, m))
    else:
        print(udp_one(src, sport, dst, m))


main()
