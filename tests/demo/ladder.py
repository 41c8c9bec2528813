#!/usr/bin/env python3
"""ladder.py LEFT.msg RIGHT.msg [TITLE]: print one call flow as a ladder
3CX | sbcd | VC from two SIPp -trace_msg files: LEFT is the 3CX side's SIPp,
RIGHT the Voice Connector side's.  What LEFT sent went to sbcd, what it
received came from sbcd; the same for RIGHT."""
import re, sys
from datetime import datetime

HDR = re.compile(r"^-{20,} (\d{4}-\d\d-\d\d [\d:.]+)")
DIR = re.compile(r"message (sent|received)")

def events(path, side):
    out, ts, d, first = [], None, None, False
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\r\n")
        m = HDR.match(line)
        if m:
            ts = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f")
            d = None
            continue
        m = DIR.search(line)
        if m and ts:
            d, first = m.group(1), True
            continue
        if first and d and line.strip():
            first = False
            start = line.strip()
            if start.startswith("SIP/2.0 "):
                label = start[8:]
            else:
                label = start.split(" ")[0]
            out.append((ts, side, d, label[:24]))
    return out

def main():
    left, right = sys.argv[1], sys.argv[2]
    ev = sorted(events(left, "L") + events(right, "R"))
    if not ev:
        print("(no messages)")
        return
    t0 = ev[0][0]
    w = 26
    print(f"{'time':>8}  {'3CX':<{w}}{'sbcd':^{w}}{'Voice Connector':>{w}}")
    for ts, side, d, label in ev:
        dt = (ts - t0).total_seconds()
        if side == "L":
            arrow = (label + " ").ljust(w - 1, "-") + ">" if d == "sent" else "<" + (" " + label).rjust(w - 1, "-")
            print(f"{dt:8.3f}  {arrow}")
        else:
            arrow = "<" + (" " + label).rjust(w - 1, "-") if d == "sent" else (label + " ").ljust(w - 1, "-") + ">"
            print(f"{dt:8.3f}  {'':<{w}}{arrow}")

main()
