#!/usr/bin/env python3
"""mkcorpus.py: write the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/)
from the torture messages, the SIPp scenarios' SDP, the test configurations and
sbc.conf's manipulation rules.  Run from the repository root; the output is
committed, so run it again only when the sources change."""
import glob, hashlib, os, re

OUT = "tests/fuzz/corpus"


def put(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def body(msg):
    i = msg.find(b"\r\n\r\n")
    return msg[i + 4:] if i >= 0 else b""


# SIP: the torture corpus (exact bytes), and a scenario's INVITE filled in
torture = sorted(glob.glob("tests/torture/*.dat") + glob.glob("tests/torture/rfc5118-wire/*"))
for f in torture:
    data = open(f, "rb").read()
    put("fuzz_sipmsg", data)
    if b"v=0" in body(data):
        put("fuzz_sdp", body(data))

subst = {"service": "15550001000", "remote_ip": "127.0.0.1", "remote_port": "5060",
         "local_ip": "127.0.0.10", "local_port": "5070", "call_number": "1",
         "call_id": "1-1@127.0.0.10", "transport": "UDP", "media_ip": "127.0.0.10",
         "media_port": "40000", "media_ip_type": "4", "cseq": "1", "pid": "1",
         "len": "0", "branch": "z9hG4bK-1", "last_Via:": "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK2",
         "last_From:": "From: <sip:100@127.0.0.1>;tag=1", "last_To:": "To: <sip:200@127.0.0.10>",
         "last_Call-ID:": "Call-ID: x", "last_CSeq:": "CSeq: 1 INVITE", "peer_tag_param": ";tag=2",
         "$tp": "UDP", "$contact": "127.0.0.10:5070"}


def fill(text):
    return re.sub(r"\[([^\]]+)\]", lambda m: subst.get(m.group(1), "x"), text)


for f in sorted(glob.glob("tests/sip/*.xml") + glob.glob("tests/media/*.xml.in")):
    x = open(f, encoding="utf-8").read().replace("@KEY@", "aVC/VyKN/coF9iGMUriuujtbORq19+tw0/LEUeKY")
    for m in re.finditer(r"<send[^>]*>\s*<!\[CDATA\[(.*?)\]\]>", x, re.S):
        lines = [ln.strip() for ln in fill(m.group(1)).strip().split("\n")]
        if not lines or not lines[0]:
            continue
        text = "\r\n".join(lines)
        if "\r\n\r\n" not in text:
            text += "\r\n\r\n"
        data = text.encode()
        b = body(data)
        data = re.sub(rb"Content-Length: *\d+", b"Content-Length: %d" % len(b), data)
        put("fuzz_sipmsg", data)
        if b.startswith(b"v=0"):
            put("fuzz_sdp", b)

# SDES: the suite byte, then a=crypto key parameters
keys = [b"inline:aVC/VyKN/coF9iGMUriuujtbORq19+tw0/LEUeKY",
        b"inline:aVC/VyKN/coF9iGMUriuujtbORq19+tw0/LEUeKY|2^20",
        b"inline:aVC/VyKN/coF9iGMUriuujtbORq19+tw0/LEUeKY|2^20|1:4",
        b"inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^31",
        b"inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJz",
        b"inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx"]
for s in range(1, 7):
    for k in keys:
        put("fuzz_sdes", bytes([s]) + k)

# manipulation rules: sbc.conf's rows, one field a line (action and row role
# as their first byte: the harness takes it modulo the count)
actions = ["add", "remove", "modify", "add-prefix", "add-suffix", "remove-prefix",
           "remove-suffix", "normalize"]
conf = open("conf/sbc.conf", encoding="utf-8").read()
for m in re.finditer(r"\{ *message_type = \"([^\"]*)\";(.*?)\}", conf, re.S):
    row = m.group(2)
    g = lambda k: (re.search(k + r' = "((?:[^"\\]|\\.)*)"', row) or [None, ""])[1]
    a = g("action")
    put("fuzz_manip", "\n".join([m.group(1), g("condition"), g("subject"),
                                chr(actions.index(a)) if a in actions else "\x02",
                                g("value"), "\x00"]).encode())
more = [("invite.request", "", "header.request-uri.url.user", "remove-prefix", "'9'"),
        ("any", "header.user-agent contains '3CX'", "header.user-agent", "remove", ""),
        ("any.request", "header.to.url.user regex '^\\+?1'", "header.x-original-to", "add", "header.to.url.user"),
        ("invite", "", "header.from.url.user", "normalize", ""),
        ("reinvite.request", "header.supported exists", "header.supported", "modify", "'timer'"),
        ("options", "param.ipg.dst.name == 'VC'", "header.to.url.host", "modify", "param.ipg.dst.host")]
for t, c, s, a, v in more:
    put("fuzz_manip", "\n".join([t, c, s, chr(actions.index(a)), v, "\x00"]).encode())

# configuration: every test configuration and the shipped one
for f in sorted(glob.glob("tests/conf/good/*.conf") + glob.glob("tests/conf/bad/*.conf") +
                ["conf/sbc.conf"]):
    data = open(f, "rb").read()
    if b"@include" not in data:
        put("fuzz_cfg", data)
