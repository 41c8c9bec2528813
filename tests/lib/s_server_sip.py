#!/usr/bin/env python3
"""s_server_sip.py: openssl s_server as a SIP peer that answers OPTIONS.

    s_server_sip.py LOGFILE S_SERVER_ARG...

Runs `openssl s_server -quiet S_SERVER_ARG...` (so the TLS stack under
test is OpenSSL's own server, with whatever -tls1_2/-tls1_3/-Verify options
the test gives), reads the decrypted SIP requests it prints, and writes a
200 OK for every OPTIONS to its stdin.  Every request's start line is
appended to LOGFILE, with the start line of each answer sent ("> SIP/2.0
200 OK").  s_server's own stderr goes to LOGFILE.err.  SIGTERM ends both.
"""
import os
import signal
import subprocess
import sys


def answer(head):
    keep = []
    for line in head.split("\r\n")[1:]:
        name = line.split(":", 1)[0].strip().lower()
        if name in ("via", "v", "from", "f", "call-id", "i", "cseq"):
            keep.append(line)
        elif name in ("to", "t"):
            keep.append(line if ";tag=" in line else line + ";tag=s-server")
    return ("SIP/2.0 200 OK\r\n" + "\r\n".join(keep) +
            "\r\nServer: s_server_sip\r\nContent-Length: 0\r\n\r\n")


def content_length(head):
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() in ("content-length", "l"):
            try:
                return int(value.strip())
            except ValueError:
                return 0
    return 0


def main():
    logfile = sys.argv[1]
    err = open(logfile + ".err", "wb")
    proc = subprocess.Popen(["openssl", "s_server", "-quiet"] + sys.argv[2:],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=err)
    signal.signal(signal.SIGTERM, lambda s, f: (proc.terminate(), sys.exit(0)))
    buf = b""
    with open(logfile, "a", buffering=1) as log:
        while True:
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                break
            buf += data
            # keep-alive CRLFs between messages
            buf = buf.lstrip(b"\r\n")
            while b"\r\n\r\n" in buf:
                head_b, rest = buf.split(b"\r\n\r\n", 1)
                head = head_b.decode("utf-8", "replace")
                n = content_length(head)
                if len(rest) < n:
                    break
                buf = rest[n:].lstrip(b"\r\n")
                start = head.split("\r\n", 1)[0]
                log.write("< " + start + "\n")
                if start.startswith("OPTIONS "):
                    proc.stdin.write(answer(head).encode())
                    proc.stdin.flush()
                    log.write("> SIP/2.0 200 OK\n")
    proc.wait()


if __name__ == "__main__":
    main()
