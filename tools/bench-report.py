#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise the rounds of tools/bench.sh: the median over rounds of each
metric per implementation and the Rust/C ratio, as a Markdown table
(DIR/bench.md), and the failing exec's cost against the number of entries
as a plot (DIR/exec-cost.png).

    tools/bench-report.py DIR

DIR holds round-N-IMPL.txt (bmbench's output: `bench METRIC VALUE UNIT`
lines and `#` comments) and machine.txt (`key: value` lines written by
tools/bench.sh).
"""

import re
import statistics
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend comes first)
from matplotlib.ticker import ScalarFormatter  # noqa: E402

IMPLS = ("c", "rust")
LABELS = {"c": "C", "rust": "Rust"}
UNITS = {"us": "µs"}

WALK = "exec_walk_per_entry"

# What each row measures, by metric name (a trailing * matches a suffix).
MEANING = [
    ("exec_fail_n*", "failing execve() of a file no entry matches (ENOEXEC, no fork) with N entries registered, per call"),
    (WALK, "(exec_fail_n10000 − exec_fail_n1024) / 8976: the walk's cost per non-matching entry (derived from the medians)"),
    ("exec_fail_disabled", "the same with 1024 entries and the instance disabled: the floor"),
    ("exec_direct_n1024", "posix_spawn() and wait of a static ELF that exits 0, with 1024 entries that do not match it"),
    ("exec_ok_last_n1024", "the same through the entry registered last among 1024 (tried first)"),
    ("exec_ok_first_n1024", "the same through the entry registered first among 1024 (tried last)"),
    ("exec_fail_userns_fallback_n1024", "failing execve() in a user namespace without a mount, which falls back to the initial instance's 1024 entries"),
    ("exec_fail_userns_own_n1024", "failing execve() in a user namespace with its own instance of 1024 entries"),
    ("register_*", "registering 1000 magic entries, per entry (idle, or with a failing exec looping on every CPU)"),
    ("flush1000_*", "`-1` to `status` with 1000 entries, in total"),
    ("remove_*", "`-1` to each of 1000 entries' files in registration order, per entry"),
    ("unlink_*", "unlink(2) of each of 1000 entries' files in registration order, per entry"),
    ("slab_M", "slab bytes charged to the memory cgroup per magic entry (1000 registered)"),
    ("slab_E", "the same per extension entry"),
    ("slab_F", "the same per magic entry with F (the interpreter opened at registration)"),
    ("slab_instance", "slab bytes per binfmt_misc instance (first mount in a new user namespace; 50 of them)"),
    ("sandboxes100", "100 user namespaces that each mount an instance and register 10 entries, created and torn down by exiting (median of 7 crowds)"),
]


def matches(pattern, metric):
    return pattern == metric or (pattern.endswith("*") and metric.startswith(pattern[:-1]))


def read_rounds(out):
    """{impl: {metric: [values]}}, {metric: unit}, metrics in first-seen order."""
    values = {impl: {} for impl in IMPLS}
    units, order = {}, []
    rounds = 0
    for path in sorted(out.glob("round-*-*.txt")):
        m = re.fullmatch(r"round-(\d+)-(\w+)\.txt", path.name)
        if not m or m.group(2) not in IMPLS:
            continue
        rounds = max(rounds, int(m.group(1)))
        for line in path.read_text().splitlines():
            fields = line.split()
            if len(fields) != 4 or fields[0] != "bench":
                continue
            _, metric, value, unit = fields
            if metric not in units:
                units[metric] = unit
                order.append(metric)
            values[m.group(2)].setdefault(metric, []).append(float(value))
    return values, units, order, rounds


def fmt(v):
    if v is None:
        return "–"
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.2f}"


def machine(out):
    info = {}
    path = out / "machine.txt"
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition(":")
            info[key.strip()] = value.strip()
    return info


def derive(med, units, order):
    """The walk's cost per entry, from the two longest lists: what the
    exec path spends per entry once its fixed cost is taken out."""
    lo, hi = "exec_fail_n1024", "exec_fail_n10000"
    if hi not in order:
        return
    for impl in IMPLS:
        if lo in med[impl] and hi in med[impl]:
            med[impl][WALK] = (med[impl][hi] - med[impl][lo]) / (10000 - 1024)
    units[WALK] = "ns"
    order.insert(order.index(hi) + 1, WALK)


def table(values, units, order, rounds, info):
    med = {impl: {k: statistics.median(v) for k, v in values[impl].items()} for impl in IMPLS}
    derive(med, units, order)
    lines = [
        "# binfmt_misc benchmark: C against Rust",
        "",
        f"- Machine: {info.get('model', 'unknown CPU')}, {info.get('cores', '?')} cores"
        + (f" (itself a {info['hypervisor']} guest)" if info.get("hypervisor") else "")
        + "; "
        "guests under TCG (no KVM), 2 vCPUs, 2 GiB.",
        f"- Kernel: Linux {info.get('base', '?')} with the series at {info.get('series', '?')} "
        "(`tools/build.sh --flavour bench`: -O2, no lockdep, KFENCE, SLUB debug or kmemleak); "
        f"bench at {info.get('bench', '?')}.",
        f"- {rounds} round(s), each booting C and Rust once, in alternating order; "
        "every cell is the median over the rounds of bmbench's own median of batches.",
        f"- Run: {info.get('date', '?')}, {info.get('mode', 'full')}.",
        "",
        "| metric | unit | C | Rust | Rust/C |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for metric in order:
        c, r = med["c"].get(metric), med["rust"].get(metric)
        ratio = f"{r / c:.2f}" if c and r is not None else "–"
        unit = UNITS.get(units[metric], units[metric])
        lines.append(f"| {metric} | {unit} | {fmt(c)} | {fmt(r)} | {ratio} |")
    lines += ["", "What the rows measure:", ""]
    lines += [f"- `{p}`: {text}" for p, text in MEANING if any(matches(p, m) for m in order)]
    return "\n".join(lines) + "\n", med


def plot(med, out):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    counts = set()
    for impl, colour in zip(IMPLS, ("tab:blue", "tab:orange")):
        points = sorted(
            (int(k[len("exec_fail_n"):]), v)
            for k, v in med[impl].items()
            if re.fullmatch(r"exec_fail_n\d+", k)
        )
        if not points:
            continue
        xs, ys = zip(*points)
        counts.update(xs)
        ax.plot(xs, [y / 1000 for y in ys], marker="o", color=colour, label=LABELS[impl])
        floor = med[impl].get("exec_fail_disabled")
        if floor is not None:
            ax.axhline(floor / 1000, color=colour, linestyle="--", linewidth=1,
                       label=f"{LABELS[impl]}, instance disabled (1024 entries)")
    # A linear stretch around 0 keeps the empty list on the axis.
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xticks(sorted(counts), [str(n) for n in sorted(counts)])
    ax.set_xlim(0, max(counts) * 1.5)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(ScalarFormatter())
    ax.set_xlabel("non-matching entries registered")
    ax.set_ylabel("failing execve(), µs per call")
    ax.set_title("binfmt_misc: exec cost against the number of entries (TCG)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "exec-cost.png", dpi=120)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bench-report.py DIR")
    out = Path(sys.argv[1])
    values, units, order, rounds = read_rounds(out)
    if not order:
        sys.exit(f"no bench lines in {out}/round-*.txt")
    text, med = table(values, units, order, rounds, machine(out))
    (out / "bench.md").write_text(text)
    plot(med, out)
    print(text, end="")


if __name__ == "__main__":
    main()
