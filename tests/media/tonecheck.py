#!/usr/bin/python3
"""tonecheck.py FILE.wav FREQ [OTHER_FREQ...] [--min-voiced N] [--share S] [--blocks B]

Goertzel power at each FREQ relative to the block energy, over the non-silent
20 ms blocks of a 16-bit WAV (any rate, first channel).  Exit 0 when FREQ (the
first one) holds more than --share (0.5) of the energy in at least --blocks
(0.8) of the voiced blocks, and there are at least --min-voiced (10) voiced
blocks; 1 otherwise; 2 when the file cannot be read.  Prints one line:

  file=rx.wav rate=8000 dur=5.00s blocks=250 voiced=249 share@1000Hz=0.998 share@400Hz=0.000 dominant_blocks=249/249
"""
import argparse
import math
import struct
import sys
import wave


def goertzel(b, f, fs):
    k = 2 * math.cos(2 * math.pi * f / fs)
    s1 = s2 = 0.0
    for v in b:
        s0 = v + k * s1 - s2
        s2 = s1
        s1 = s0
    return (s1 * s1 + s2 * s2 - k * s1 * s2) * 2 / len(b)   # ~ energy in that bin


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("freqs", nargs="+", type=float)
    ap.add_argument("--min-voiced", type=int, default=10)
    ap.add_argument("--share", type=float, default=0.5)
    ap.add_argument("--blocks", type=float, default=0.8)
    a = ap.parse_args()
    try:
        w = wave.open(a.file)
        fs, ch, sw = w.getframerate(), w.getnchannels(), w.getsampwidth()
        raw = w.readframes(w.getnframes())
    except (OSError, EOFError, wave.Error) as e:
        print("tonecheck: %s: %s" % (a.file, e))
        return 2
    if sw != 2:
        print("tonecheck: %s: need 16-bit samples" % a.file)
        return 2
    x = struct.unpack("<%dh" % (len(raw) // 2), raw)[::ch]
    n = int(fs * 0.02)
    voiced = hit = 0
    share = {f: 0.0 for f in a.freqs}
    for i in range(0, len(x) - n + 1, n):
        b = x[i:i + n]
        e = sum(v * v for v in b)
        if e / n < 100.0:          # silence (rms < 10)
            continue
        voiced += 1
        for f in a.freqs:
            g = goertzel(b, f, fs) / e
            share[f] += g
            if f == a.freqs[0] and g > a.share:
                hit += 1
    print("file=%s rate=%d dur=%.2fs blocks=%d voiced=%d %s dominant_blocks=%d/%d" % (
        a.file, fs, len(x) / fs if fs else 0, len(x) // n if n else 0, voiced,
        " ".join("share@%gHz=%.3f" % (f, share[f] / max(voiced, 1)) for f in a.freqs), hit, voiced))
    return 0 if voiced >= a.min_voiced and hit >= a.blocks * voiced else 1


if __name__ == "__main__":
    sys.exit(main())
