#!/usr/bin/python3
"""bsctl.py: drive a baresip 1.0 through its ctrl_tcp module (netstring JSON).

ctrl_tcp keeps ONE connection: a new one silently replaces the old, and events
go only to the current one.  So the test keeps one long-lived connection per
baresip, this script in "daemon" mode, and talks to it through a FIFO:

  bsctl.py daemon HOST:PORT EVENTS FIFO   connect (retrying for 10 s), append
        every event and response to EVENTS as one compact JSON line
        ({"event":true,"type":"CALL_ESTABLISHED",...}), and send each line
        "command params" read from FIFO (e.g. "dial sip:x@127.0.0.1",
        "sndcode 1", "hangup", "quit").  Ends when baresip closes the
        connection, or on SIGTERM.
  bsctl.py once HOST:PORT [--wait EV[,EV]] [--timeout S] COMMAND [PARAMS]
        one command on a connection of its own (takes ctrl_tcp over from a
        daemon!); prints messages, exits 0 when the response and the events
        waited for arrived.
"""
import json
import os
import select
import signal
import socket
import sys
import time


def connect(addr, limit=10.0):
    host, port = addr.rsplit(":", 1)
    end = time.time() + limit
    while True:
        try:
            return socket.create_connection((host, int(port)), timeout=2)
        except OSError:
            if time.time() > end:
                raise
            time.sleep(0.1)


def frame(cmd, params, token):
    body = json.dumps({"command": cmd, "params": params, "token": token}).encode()
    return b"%d:%s," % (len(body), body)


def parse(buf):
    """-> (list of decoded messages, rest)"""
    out = []
    while b":" in buf:
        n, rest = buf.split(b":", 1)
        if not n.isdigit():
            raise ValueError("bad netstring")
        if len(rest) < int(n) + 1:
            break
        out.append(json.loads(rest[:int(n)]))
        buf = rest[int(n) + 1:]
    return out, buf


def daemon(addr, events, fifo):
    s = connect(addr)
    s.settimeout(None)
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)   # RDWR: never sees EOF
    ev = open(events, "a", buffering=1)
    ev.write(json.dumps({"bsctl": "connected", "addr": addr}) + "\n")
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    buf, cbuf, tok = b"", b"", 0
    while not stop:
        try:
            r, _, _ = select.select([s, fd], [], [], 0.2)
        except InterruptedError:
            continue
        if s in r:
            d = s.recv(65536)
            if not d:
                ev.write(json.dumps({"bsctl": "closed"}) + "\n")
                break
            msgs, buf = parse(buf + d)
            for m in msgs:
                m["t"] = round(time.time(), 3)
                ev.write(json.dumps(m, separators=(",", ":")) + "\n")
        if fd in r:
            try:
                cbuf += os.read(fd, 4096)
            except BlockingIOError:
                pass
            while b"\n" in cbuf:
                line, cbuf = cbuf.split(b"\n", 1)
                line = line.decode().strip()
                if not line:
                    continue
                tok += 1
                cmd, _, prm = line.partition(" ")
                ev.write(json.dumps({"bsctl": "sent", "command": cmd, "params": prm,
                                     "token": str(tok)}) + "\n")
                s.sendall(frame(cmd, prm, str(tok)))
    s.close()
    return 0


def once(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("addr")
    ap.add_argument("--wait", default="")
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("cmd", nargs="+")
    a = ap.parse_intermixed_args(argv)
    s = connect(a.addr)
    s.settimeout(a.timeout)
    s.sendall(frame(a.cmd[0], " ".join(a.cmd[1:]), "1"))
    want = set(w for w in a.wait.split(",") if w)
    buf, got, end = b"", False, time.time() + a.timeout
    while time.time() < end and not (got and not want):
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        if not d:
            break
        msgs, buf = parse(buf + d)
        for m in msgs:
            print(json.dumps(m, separators=(",", ":")), flush=True)
            got = got or bool(m.get("response"))
            want.discard(m.get("type"))
    return 0 if got and not want else 1


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "daemon":
        sys.exit(daemon(*sys.argv[2:]))
    if len(sys.argv) > 3 and sys.argv[1] == "once":
        sys.exit(once(sys.argv[2:]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
