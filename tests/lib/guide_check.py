#!/usr/bin/env python3
# guide_check.py: the drift check of docs/guide-3cx-chime.md.  Every ```conf
# block must start with "# excerpt of SOURCE" and be, after that line, an
# exact run of consecutive lines of SOURCE; every source must pass `sbcd -t`;
# every sbcd section 4.3.1-4.3.11 must show at least one block.
# usage: guide_check.py GUIDE SBCD NAME=TEXTFILE:CHECKFILE...
#   NAME is the text after "# excerpt of ", TEXTFILE the file the block is
#   compared with, CHECKFILE the file `sbcd -t` loads (the same file, or a
#   copy whose only difference is where its certificate files are).
# Prints TAP lines "ok - ..." / "not ok - ...".
import re
import subprocess
import sys


def tap(ok, what, detail=None):
    print(("ok - " if ok else "not ok - ") + what)
    if not ok and detail:
        for line in detail.rstrip("\n").split("\n"):
            print("    " + line)


def blocks(text):
    """(line number, [lines]) of every ```conf block."""
    out, cur, start = [], None, 0
    for n, line in enumerate(text.split("\n"), 1):
        if cur is None and line.strip() == "```conf":
            cur, start = [], n
        elif cur is not None and line.strip() == "```":
            out.append((start, cur))
            cur = None
        elif cur is not None:
            cur.append(line)
    if cur is not None:
        out.append((start, cur))
    return out


def contains_run(hay, needle):
    if not needle:
        return False
    for i in range(len(hay) - len(needle) + 1):
        if hay[i:i + len(needle)] == needle:
            return True
    return False


def main():
    guide, sbcd = sys.argv[1], sys.argv[2]
    sources = {}
    for arg in sys.argv[3:]:
        name, files = arg.split("=", 1)
        text, check = files.split(":", 1)
        sources[name] = (text, check)
    doc = open(guide).read()
    found = blocks(doc)
    tap(len(found) > 0, "the guide has conf blocks (%d)" % len(found))
    used = set()
    for start, lines in found:
        where = "guide line %d" % start
        m = re.match(r"^# excerpt of (.+)$", lines[0]) if lines else None
        if m is None or m.group(1) not in sources:
            tap(False, "%s: the block starts with \"# excerpt of\" a known source" % where,
                lines[0] if lines else "(empty block)")
            continue
        name = m.group(1)
        used.add(name)
        hay = open(sources[name][0]).read().split("\n")
        ok = contains_run(hay, lines[1:])
        tap(ok, "%s: the block is verbatim in %s (%d lines)" % (where, name, len(lines) - 1),
            "\n".join(lines[1:]))
    for name in sorted(used):
        r = subprocess.run([sbcd, "-t", "-f", sources[name][1]], capture_output=True, text=True)
        tap(r.returncode == 0, "%s passes sbcd -t" % name, r.stdout + r.stderr)
    # every Mediant screen of section 4.3 has its sbc.conf lines
    heads = [(m.start(), m.group(1)) for m in re.finditer(r"^#### (4\.3\.\d+) ", doc, re.M)]
    for i, (pos, num) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else doc.find("\n## ", pos)
        tap("```conf" in doc[pos:end], "section %s shows its sbc.conf lines" % num)
    want = ["4.3.%d" % n for n in range(1, 12)]
    tap([h[1] for h in heads] == want, "sections 4.3.1 to 4.3.11 are all there, in order",
        " ".join(h[1] for h in heads))
    for title in ("Production checklist", "Troubleshooting", "Importing a Mediant configuration",
                  "Caveats and limitations"):
        tap(re.search(r"^#+ [\d.]* ?%s" % re.escape(title), doc, re.M) is not None,
            "the guide has a section \"%s\"" % title)


main()
