#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare where the C and the Rust binfmt_misc spend the control path's
time, from the `perf script -F comm,ip,sym` output of
tools/guest/profile-control.sh on each implementation.

    profile-report.py C_SCRIPT RUST_SCRIPT

A sample counts for a write handler when its call chain passes through
it. Both runs do the same work, so the counts compare directly. For
register, the functions the samples were taken in (the leaves, whose
addresses are exact) follow, most sampled first. Only the leaf is named:
the unwinder's frames above a Rust function are not always right, so no
sample is put in a part of the handler by its callers."""
import re
import sys

# The write handlers, by implementation: the C function, the Rust
# FileOperations::write of the file's type (v0-mangled names).
HANDLERS = {
    "register": (r"^bm_register_write$", r"8Register.*14FileOperations.*5write$"),
    "entry -1": (r"^bm_entry_write$", r"9EntryFile.*14FileOperations.*5write$"),
    "status -1": (r"^bm_status_write$", r"6Status.*14FileOperations.*5write$"),
}
LEAVES = 15


def samples(path):
    """Call chains, leaf first, as lists of symbol names."""
    chain = None
    with open(path, errors="replace") as f:
        for line in f:
            if not line.strip():
                if chain:
                    yield chain
                chain = None
            elif not line[0].isspace():
                chain = []
            elif chain is not None:
                fields = line.split(None, 1)
                chain.append(fields[1].strip() if len(fields) > 1 else "?")
    if chain:
        yield chain


def readable(symbol):
    """The identifiers of a v0-mangled Rust name, which perf leaves
    mangled, without the crate names; a C name as it is."""
    if "11binfmt_misc" not in symbol and "6kernel" not in symbol:
        return symbol
    # A crate's disambiguator (`Cs<base 62>_`) is no identifier.
    symbol = re.sub(r"Cs[0-9A-Za-z]*_", "C", symbol)
    idents, i = [], 0
    while i < len(symbol):
        m = re.match(r"\d+", symbol[i:])
        if m:
            n, j = int(m.group(0)), i + len(m.group(0))
            ident = symbol[j:j + n]
            if n >= 2 and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", ident):
                if ident not in ("binfmt_misc", "kernel", "core"):
                    idents.append(ident)
                i = j + n
                continue
        i += 1
    return "::".join(idents) or symbol


def analyse(path, impl):
    handlers = {name: 0 for name in HANDLERS}
    leaves = {}
    total = 0
    for chain in samples(path):
        total += 1
        for name, patterns in HANDLERS.items():
            if not any(re.search(patterns[impl], frame) for frame in chain):
                continue
            handlers[name] += 1
            if name == "register":
                leaf = readable(chain[0])
                leaves[leaf] = leaves.get(leaf, 0) + 1
            break
    return total, handlers, leaves


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    c = analyse(sys.argv[1], 0)
    rust = analyse(sys.argv[2], 1)
    if not c[1]["register"] or not rust[1]["register"]:
        sys.exit("no register samples: did the workload run?")

    print("| samples in | C | Rust | Rust/C |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| the workload's process | {c[0]} | {rust[0]} | {rust[0] / c[0]:.2f} |")
    for name in HANDLERS:
        a, b = c[1][name], rust[1][name]
        print(f"| {name} handler | {a} | {b} | {b / a if a else 0:.2f} |")
    for impl, (_, handlers, leaves) in (("C", c), ("Rust", rust)):
        print(f"\nRegister on {impl}: where its {handlers['register']} samples were taken\n")
        print("| samples | function |")
        print("| ---: | --- |")
        for leaf, n in sorted(leaves.items(), key=lambda kv: -kv[1])[:LEAVES]:
            print(f"| {n} | `{leaf}` |")


main()
