#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare two bmconf fuzz transcripts (C first) case by case.

  tools/fuzz-diverging.py C.txt RUST.txt [--corpus DIR]

Prints every case whose observations differ, both sides, and with
--corpus writes each such case (its inputs, with C's observations as
comments) to DIR/<label>.txt, where every later run replays it. Exits 1
when any case differs or the two transcripts hold different cases.
"""
import sys


def cases(path):
    """Labels in order, and each case's lines."""
    out, order, label = {}, [], None
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f.read().split("\n"):
            if line.startswith("case "):
                label = line[5:]
                order.append(label)
                out[label] = [line]
            elif line.startswith("fuzz: "):
                label = None  # the run's summary, which names its size
            elif label is not None and line:
                out[label].append(line)
    return order, out


def main():
    args = sys.argv[1:]
    corpus = None
    if "--corpus" in args:
        i = args.index("--corpus")
        corpus = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    c_order, c = cases(args[0])
    r_order, r = cases(args[1])
    bad = 0
    if c_order != r_order:
        print(f"the transcripts hold different cases: {len(c_order)} against {len(r_order)}")
        bad += 1
    for label in c_order:
        if label not in r or c[label] == r[label]:
            continue
        bad += 1
        print(f"== diverging case {label}")
        for side, lines in (("c", c[label]), ("rust", r[label])):
            for line in lines[1:]:
                print(f"  {side:4} {line}")
        if corpus:
            name = label.replace("/", "-").replace(":", "-")
            with open(f"{corpus}/{name}.txt", "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(f"# diverged from C; C's observations below\ncase {label}\n")
                for line in c[label][1:]:
                    f.write(line + "\n" if line.startswith(("> ", "# ")) else f"# c{line}\n")
    print(f"{len(c_order)} cases compared, {bad} diverging")
    sys.exit(1 if bad else 0)


main()
