#!/usr/bin/env python3
"""torture.py: replay the RFC 4475 / RFC 5118 torture messages at sbcd and
check what it answers and what it forwards (tests/integration/200-torture.sh).

  torture.py CORPUS_DIR EXPECT_TSV OUT_DIR

Two peers stand on sbcd's sides, like 3CX and the Voice Connector in the lab:
  * UDP 127.0.0.10:5060 (the 3CX address): sends each message as one datagram
    to sbcd's PBX interface 127.0.0.1:5060 and receives the answers (sbcd
    answers to the Via port, 5060, or to the source port with rport: both are
    this socket), and whatever sbcd forwards toward 3CX;
  * TLS 127.0.0.20:5061 (the VC, lab vc.crt): receives whatever sbcd forwards
    toward the Voice Connector.  Both answer what they get: OPTIONS and other
    requests 200, INVITE 486 (a call ends at once), ACK nothing.
The valid requests are then sent again over TLS from 127.0.0.20 to sbcd's
carrier interface 127.0.0.2:5061, one connection each, and their forwarded
copies arrive at the UDP peer.

EXPECT_TSV: file, expected answer, forwarded?  The answer is a status code,
a class ("4xx"), "drop" (no answer within the wait), or "any" (any answer, or
none, but never a parse error: 400, 505).  forwarded: "no" (nothing may reach
the other side), "ok" (may be forwarded, and then must be well formed).
Prints TAP lines; the peers' traffic is kept in OUT_DIR/peers.log.
"""
import os, re, socket, ssl, sys, threading, time

CORPUS, EXPECT, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
ROOT = os.environ.get("ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
PKI = os.environ.get("PKI", os.path.join(ROOT, "build", "lab", "pki"))
SBC_LAN, SBC_WAN = ("127.0.0.1", 5060), ("127.0.0.2", 5061)
PBX, VC = ("127.0.0.10", 5060), ("127.0.0.20", 5061)
WAIT = float(os.environ.get("TORTURE_WAIT", "1.5"))

lock = threading.Lock()
received = []		# (time, side, bytes): every message a peer got
log = open(os.path.join(OUT, "peers.log"), "wb")


def record(side, data):
    with lock:
        received.append((time.time(), side, data))
        log.write(b"==== %s %.3f\n" % (side.encode(), time.time()) + data + b"\n")
        log.flush()


def headers(msg):
    """(start line, [(name, value)], body) of one message, folding undone."""
    head, _, body = msg.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    hs = []
    for ln in lines[1:]:
        if ln[:1] in (b" ", b"\t") and hs:
            hs[-1] = (hs[-1][0], hs[-1][1] + b" " + ln.strip())
        elif b":" in ln:
            n, v = ln.split(b":", 1)
            hs.append((n.strip().lower(), v.strip()))
    return lines[0], hs, body


def hdr(hs, *names):
    return [v for n, v in hs if n in names]


def answer(msg):
    """A response to a request a peer received, or None."""
    start, hs, _ = headers(msg)
    if start.startswith(b"SIP/") or start.startswith(b"ACK "):
        return None
    code = b"486 Busy Here" if start.startswith(b"INVITE ") else b"200 OK"
    out = [b"SIP/2.0 " + code]
    for n, v in hs:
        if n in (b"via", b"v"):
            out.append(b"Via: " + v)
    for n, v in hs:
        if n in (b"from", b"f", b"call-id", b"i", b"cseq"):
            out.append(n + b": " + v)
        elif n in (b"to", b"t"):
            out.append(b"To: " + v + (b"" if b"tag=" in v else b";tag=peer1"))
    out.append(b"Content-Length: 0")
    return b"\r\n".join(out) + b"\r\n\r\n"


def frames(buf):
    """Split a stream buffer into complete messages: (list, rest)."""
    out = []
    while True:
        buf = buf.lstrip(b"\r\n")
        i = buf.find(b"\r\n\r\n")
        if i < 0:
            return out, buf
        _, hs, _ = headers(buf[:i + 4])
        cl = hdr(hs, b"content-length", b"l")
        n = int(cl[0]) if cl and cl[0].isdigit() else 0
        if len(buf) < i + 4 + n:
            return out, buf
        out.append(buf[:i + 4 + n])
        buf = buf[i + 4 + n:]


def udp_peer(sock):
    while True:
        try:
            data, src = sock.recvfrom(65535)
        except OSError:
            return
        record("udp", data)
        a = answer(data)
        if a:
            sock.sendto(a, src)


def tls_conn(conn):
    buf = b""
    while True:
        try:
            d = conn.recv(65535)
        except (OSError, ssl.SSLError):
            return
        if not d:
            return
        msgs, buf = frames(buf + d)
        for m in msgs:
            record("tls", m)
            a = answer(m)
            if a:
                conn.sendall(a)


def tls_peer(lsock, ctx):
    while True:
        try:
            c, _ = lsock.accept()
        except OSError:
            return
        try:
            c = ctx.wrap_socket(c, server_side=True)
        except (OSError, ssl.SSLError):
            continue
        threading.Thread(target=tls_conn, args=(c,), daemon=True).start()


# ---- checks on what was forwarded ------------------------------------------
TOKEN = rb"[A-Za-z0-9.!%*_+`'~-]+"
REQLINE = re.compile(rb"^" + TOKEN + rb" [^ <>\t]+ SIP/2\.0$")


def forwarded_problems(msg):
    """Why a message sbcd sent is not freshly serialized, or []."""
    bad = []
    start, hs, body = headers(msg)
    if not start.startswith(b"SIP/2.0 ") and not REQLINE.match(start):
        bad.append("request line %r" % start[:80])
    if b"?" in start.split(b" ")[1:2][0] if len(start.split(b" ")) > 1 else False:
        bad.append("headers in the Request-URI")
    cl = hdr(hs, b"content-length", b"l")
    if len(cl) != 1 or not cl[0].isdigit() or int(cl[0]) != len(body):
        bad.append("Content-Length %r for a %d byte body" % (cl, len(body)))
    for n, _ in hs:
        if n in (b"route",) and not start.startswith(b"SIP/"):
            bad.append("a Route header")
    if b"\x00" in msg.split(b"\r\n\r\n", 1)[0]:
        bad.append("NUL in the header")
    return bad


def since(t0, side):
    with lock:
        return [d for t, s, d in received if t >= t0 and s == side]


def is_keepalive(m):
    start, hs, _ = headers(m)
    # sbcd's own OPTIONS to a proxy set address: no user in the R-URI
    return start.startswith(b"OPTIONS sip:") and b"@" not in start.split(b" ")[1]


def request_ids(msg):
    _, hs, _ = headers(msg)
    via = hdr(hs, b"via", b"v")
    br = re.search(rb"branch\s*=\s*([^;,\s]+)", via[0]) if via else None
    cid = hdr(hs, b"call-id", b"i")
    return (br.group(1) if br else None), (cid[0] if cid else None)


def final_answer(msgs, branch, cid):
    for m in msgs:
        start, hs, _ = headers(m)
        if not start.startswith(b"SIP/2.0 "):
            continue
        try:
            code = int(start.split(b" ")[1])
        except ValueError:
            continue
        if code < 200:
            continue
        via = hdr(hs, b"via", b"v")
        rb = re.search(rb"branch\s*=\s*([^;,\s]+)", via[0]) if via else None
        # the corpus reuses branches: the Call-ID too, when there is one
        if cid is not None and cid not in hdr(hs, b"call-id", b"i"):
            continue
        if branch is None or (rb is not None and rb.group(1) == branch):
            return code
    return None


def matches(code, want):
    if want == "*":
        return True
    if want == "drop":
        return code is None
    if want == "any":
        return code is not None and code not in (400, 505)
    alts = want.split("|")
    if code is None:
        return "drop" in alts
    return any(str(code) == a or (a.endswith("xx") and str(code)[0] == a[0]) for a in alts)


def wait_udp(t0, data):
    branch, cid = request_ids(data)
    code = None
    end = t0 + WAIT
    while time.time() < end:
        code = final_answer(since(t0, "udp"), branch, cid)
        if code is not None:
            break
        time.sleep(0.02)
    time.sleep(0.1)
    return code


def via_port(data):
    """The port the answer goes to: the top Via's sent-by port (5060 when none)."""
    m = re.search(rb"(?im)^(via|v)[ \t]*:[^\r\n]*?(UDP|TCP|TLS)[ \t]+(\[[^\]]*\]|[^;:\s]+)(:(\d+))?",
                  data)
    return int(m.group(5)) if m and m.group(5) else PBX[1]


def udp_other_port(data, port):
    """Send from 127.0.0.10:port (the Via's port) and wait there for the answer."""
    branch, cid = request_ids(data)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((PBX[0], port))
    s.settimeout(0.1)
    t0 = time.time()
    s.sendto(data, SBC_LAN)
    code = None
    while code is None and time.time() < t0 + WAIT:
        try:
            d = s.recv(65535)
        except socket.timeout:
            continue
        record("udp", d)
        code = final_answer([d], branch, cid)
    s.close()
    time.sleep(0.1)
    return code


def stream(data, src, dst, tlsctx):
    """Send data on a new TCP (or TLS) connection from src; the final answer."""
    branch, cid = request_ids(data)
    code, err = None, ""
    t0 = time.time()
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(src)
        s.settimeout(WAIT)
        s.connect(dst)
        c = tlsctx.wrap_socket(s) if tlsctx else s
        c.sendall(data)
        buf = b""
        while code is None and time.time() < t0 + WAIT:
            try:
                d = c.recv(65535)
            except socket.timeout:
                break
            if not d:
                break
            msgs, buf = frames(buf + d)
            code = final_answer(msgs, branch, cid)
        c.close()
    except (OSError, ssl.SSLError) as e:
        err = " (%s)" % e
    time.sleep(0.1)
    return code, err


def via_tls(data):
    """The top Via's transport made TLS (same length: UDP and TCP are 3 bytes)."""
    m = re.search(rb"(?im)^(via|v)[ \t]*:", data)
    if not m:
        return data
    t = re.compile(rb"(/\s*)(UDP|TCP)", re.I).search(data, m.end())
    return data[:t.start(2)] + b"TLS" + data[t.end(2):] if t else data


def forwarded(t0, side):
    return [m for m in since(t0, side) if not is_keepalive(m) and not m.startswith(b"SIP/")
            and not m.startswith(b"ACK ")]


def report(how, f, code, want, fw, fwd, err=""):
    ok = matches(code, want) and not err
    print("%s - %s %s: answer %s (expected %s)%s" % ("ok" if ok else "not ok", how, f,
          code if code is not None else "none", want, err))
    if fwd == "no":
        print("%s - %s %s: not forwarded%s" % ("ok" if not fw else "not ok", how, f,
              "" if not fw else " (forwarded: %r)" % fw[0][:120]))
    else:
        probs = [p for m in fw for p in forwarded_problems(m)]
        print("%s - %s %s: %s%s" % ("ok" if not probs else "not ok", how, f,
              "forwarded re-serialized" if fw else "not forwarded",
              "" if not probs else " (%s)" % "; ".join(probs)))
    sys.stdout.flush()


def main():
    n = 0
    pbx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    pbx.bind(PBX)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(PKI, "vc.crt"), os.path.join(PKI, "vc.key"))
    vc = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    vc.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    vc.bind(VC)
    vc.listen(16)
    threading.Thread(target=udp_peer, args=(pbx,), daemon=True).start()
    threading.Thread(target=tls_peer, args=(vc, ctx), daemon=True).start()
    open(os.path.join(OUT, "peers.ready"), "w").close()
    # sbcd is started now; go once it listens (the shell touches "go")
    for _ in range(200):
        if os.path.exists(os.path.join(OUT, "go")):
            break
        time.sleep(0.05)

    cases = []
    for ln in open(EXPECT):
        if ln.startswith("#") or not ln.strip():
            continue
        f, want, fwd, tcp, tls = (ln.rstrip("\n").split("\t") + ["-"] * 4)[:5]
        if re.search(os.environ.get("TORTURE_ONLY", ""), f):
            cases.append((f, want, fwd, tcp, tls))

    results = []
    for f, want, fwd, tcp, tls in cases:
        data = open(os.path.join(CORPUS, f), "rb").read()
        t0 = time.time()
        port = via_port(data)
        if port == PBX[1]:
            pbx.sendto(data, SBC_LAN)
            code = wait_udp(t0, data)
        else:
            code = udp_other_port(data, port)
        fw = forwarded(t0, "tls")
        results.append((f, code, fw))
        report("udp", f, code, want, fw, fwd)
    # messages whose Via says TCP, as the RFC meant them: over TCP, exact bytes
    for f, want, fwd, tcp, tls in cases:
        if tcp != "-":
            data = open(os.path.join(CORPUS, f), "rb").read()
            t0 = time.time()
            code, err = stream(data, (PBX[0], 0), SBC_LAN, None)
            report("tcp", f, code, tcp, forwarded(t0, "tls"), fwd, err)
    # the valid requests over TLS from the VC's address (top Via made TLS)
    for f, want, fwd, tcp, tls in cases:
        if tls != "-":
            data = via_tls(open(os.path.join(CORPUS, f), "rb").read())
            t0 = time.time()
            cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            cctx.load_verify_locations(os.path.join(PKI, "ca.crt"))
            cctx.check_hostname = False
            code, err = stream(data, (VC[0], 0), SBC_WAN, cctx)
            report("tls", f, code, tls, forwarded(t0, "udp"), fwd, err)
    with open(os.path.join(OUT, "summary.txt"), "w") as s:
        for f, code, fw in results:
            s.write("%s\t%s\t%d\n" % (f, code, len(fw)))


main()
