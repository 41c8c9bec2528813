#!/usr/bin/env python3
"""notify_listen.py SOCKET OUTFILE: a stand-in for systemd's notify socket.
Receives sd_notify datagrams and appends each to OUTFILE as one line
(fields joined with ' | '), until killed."""
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(out, "a", buffering=1) as f:
    f.write("listening\n")
    while True:
        data = s.recv(4096).decode("utf-8", "replace")
        f.write(" | ".join(data.strip().split("\n")) + "\n")
