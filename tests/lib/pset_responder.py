#!/usr/bin/env python3
"""pset_responder.py: a tiny UDP SIP peer for the proxy set keep-alive tests.

    pset_responder.py IP PORT READYFILE REQFILE [CERT KEY]

Answers every OPTIONS with 200 OK, over UDP, or over TLS when a
certificate and key are given.  SIGUSR1 toggles silence (no answers
at all), so a test can take the peer "down" and bring it back.  The first
request received is written to REQFILE; READYFILE is created once the
socket is bound.  SIGTERM ends it.
"""
import signal
import socket
import ssl
import sys
import threading

silent = False


def toggle(signum, frame):
    global silent
    silent = not silent


def answer(req):
    lines = req.split("\r\n")
    keep = []
    for line in lines[1:]:
        name = line.split(":", 1)[0].strip().lower()
        if name in ("via", "v", "from", "f", "call-id", "i", "cseq"):
            keep.append(line)
        elif name in ("to", "t"):
            keep.append(line if ";tag=" in line else line + ";tag=pset-test")
    return ("SIP/2.0 200 OK\r\n" + "\r\n".join(keep) +
            "\r\nServer: pset-responder\r\nContent-Length: 0\r\n\r\n")


def record(reqfile, req):
    global first
    if first:
        with open(reqfile, "w") as f:
            f.write(req)
        first = False


first = True


def serve_tls(conn, reqfile):
    buf = b""
    try:
        while True:
            data = conn.recv(65535)
            if not data:
                return
            buf += data
            while b"\r\n\r\n" in buf:
                head, buf = buf.split(b"\r\n\r\n", 1)
                req = head.decode("utf-8", "replace") + "\r\n\r\n"
                if not req.startswith("OPTIONS "):
                    continue
                record(reqfile, req)
                if not silent:
                    conn.sendall(answer(req).encode())
    except (OSError, ssl.SSLError):
        return
    finally:
        conn.close()


def main_tls(ip, port, ready, reqfile, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, port))
    s.listen(8)
    open(ready, "w").close()
    while True:
        conn, _ = s.accept()
        try:
            tconn = ctx.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError):
            conn.close()
            continue
        threading.Thread(target=serve_tls, args=(tconn, reqfile), daemon=True).start()


def main():
    ip, port, ready, reqfile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    signal.signal(signal.SIGUSR1, toggle)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))
    if len(sys.argv) > 6:
        main_tls(ip, port, ready, reqfile, sys.argv[5], sys.argv[6])
        return
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, port))
    open(ready, "w").close()
    while True:
        try:
            data, peer = s.recvfrom(65535)
        except InterruptedError:
            continue
        req = data.decode("utf-8", "replace")
        if not req.startswith("OPTIONS "):
            continue
        record(reqfile, req)
        if not silent:
            s.sendto(answer(req).encode(), peer)


if __name__ == "__main__":
    main()
