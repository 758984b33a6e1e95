#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare flat profiles of registering on C and Rust, from the
`perf report --sort comm,sym -F sample,comm,sym` files (report-N.txt) and
times.txt that tools/guest/profile-register.sh wrote for each.

    profile-flat-report.py C_DIR RUST_DIR

Both runs do the same work, so sample counts compare directly. The
workload's kernel samples are summed per function; the functions whose
counts differ most follow, Rust's extra first."""
import collections
import glob
import re
import statistics
import sys

LINE = re.compile(r"\s*(?:[\d.]+%\s+)?(\d+)\s+(\S+)\s+\[(.)\]\s+(.*\S)")
WORKLOAD = "python3"
ROWS = 25


def load(d):
    """Samples per (command, kernel or user) and per kernel function of the
    workload, summed over the rounds."""
    totals, functions = collections.Counter(), collections.Counter()
    for path in sorted(glob.glob(f"{d}/report-*.txt")):
        for line in open(path):
            m = LINE.match(line)
            if not m:
                continue
            n, comm, level, sym = int(m[1]), m[2], m[3], m[4]
            totals[(comm, level)] += n
            if comm == WORKLOAD and level == "k":
                functions[sym] += n
    times = [int(line.split()[-1]) for line in open(f"{d}/times.txt")]
    return totals, functions, times


def readable(sym):
    """The identifiers of a v0-mangled Rust name (each is its length in
    decimal, then its bytes), joined by ::, enough to tell which function
    it is; C names as they are."""
    if not sym.startswith("_R"):
        return sym
    # Crate disambiguators (`Cs<hash>_`) and back references (`B<n>_`)
    # hold digits that would read as lengths.
    sym = re.sub(r"(?<=[A-Za-z])Cs[0-9A-Za-z]+_", "C", sym)
    sym = re.sub(r"(?<=[A-Za-z])B[0-9A-Za-z]{0,4}_", "", sym)
    idents, i = [], 2
    while i < len(sym):
        m = re.match(r"\d+", sym[i:])
        if not m:
            i += 1
            continue
        j = i + len(m[0])
        ident = sym[j : j + int(m[0])]
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]+", ident):
            # What is left of the path's tags, not a name.
            if not re.fullmatch(r"_[A-Z0-9][A-Za-z0-9]*_?", ident):
                idents.append(ident)
            i = j + len(ident)
        else:
            i = j
    return "::".join(idents)


def main():
    (ct, cf, ctimes), (rt, rf, rtimes) = load(sys.argv[1]), load(sys.argv[2])
    print("| | C | Rust | Rust/C |")
    print("| --- | ---: | ---: | ---: |")
    for label, c, r in [
        ("workload's kernel samples", ct[(WORKLOAD, "k")], rt[(WORKLOAD, "k")]),
        ("workload's user samples", ct[(WORKLOAD, ".")], rt[(WORKLOAD, ".")]),
        ("ns per registration, median of rounds", statistics.median(ctimes),
         statistics.median(rtimes)),
    ]:
        print(f"| {label} | {c:.0f} | {r:.0f} | {r / c:.2f} |")
    print()
    print("Kernel functions of the workload whose samples differ most:")
    print()
    print("| C | Rust | Rust − C | function |")
    print("| ---: | ---: | ---: | --- |")
    names = set(cf) | set(rf)
    ranked = sorted(names, key=lambda s: rf[s] - cf[s], reverse=True)
    for s in ranked[:ROWS] + ranked[-ROWS // 2:][::-1]:
        print(f"| {cf[s]} | {rf[s]} | {rf[s] - cf[s]:+d} | `{readable(s)}` |")


main()
