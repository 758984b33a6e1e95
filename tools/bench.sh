#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark binfmt_misc, C against Rust: boot the bench flavour of each
# implementation (the same non-debug config) and run bmbench in it, for
# several rounds in alternating order so that the host's noise hits both
# alike; then tabulate the medians and the Rust/C ratios and plot the exec
# cost against the number of entries.
#
#   tools/bench.sh [--quick] [--rounds R] [--out DIR]
#
# --quick runs bmbench's subset, --rounds R (default 2) boots each
# implementation R times. DIR (default: a new temporary directory) gets
# round-N-IMPL.txt per boot (and boot-N-IMPL/, the boot's logs),
# machine.txt, bench.md (the table, also printed) and exec-cost.png.
# Nothing here fails on a number: only on a build, a boot or a bench that
# did not run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

quick=0 rounds=2 out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1; shift ;;
	--rounds) rounds=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) die "unknown option $1" ;;
	esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "--rounds takes a positive number"
[ "$(available_impls)" = "c rust" ] || die "linux/ has no Rust implementation: run tools/apply.sh"
[ -n "$out" ] || out=$(mktemp -d /tmp/rbm-bench.XXXXXX)
mkdir -p "$out"
out=$(cd "$out" && pwd)
start=$(date +%s)

log "building bmbench"
cargo build --quiet --release --manifest-path "$ROOT/rust/Cargo.toml" -p bmbench
bin="$ROOT/rust/target/release/bmbench"
cmd=("$bin")
[ $quick = 1 ] && cmd+=(--quick)

# make finds out what is stale; a kernel that is up to date costs a
# no-op build.
for impl in c rust; do
	"$ROOT/tools/build.sh" --flavour bench --impl "$impl"
done

series=$(git -C "$LINUX" log -1 --format=%h)
[ -z "$(git -C "$LINUX" status --porcelain --untracked-files=no)" ] || series="$series (with uncommitted changes)"
bench=$(git -C "$ROOT" log -1 --format=%h)
[ -z "$(git -C "$ROOT" status --porcelain --untracked-files=no -- rust/bench tools/bench.sh)" ] ||
	bench="$bench (with uncommitted changes)"
{
	echo "model: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"
	echo "cores: $(nproc)"
	echo "hypervisor: $(lscpu | sed -n 's/^Hypervisor vendor: *//p' | head -n 1)"
	echo "base: $(awk -F' *= *' '$1 ~ /^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION)$/ { v[$1] = $2 }
		END { printf "%s.%s.%s%s", v["VERSION"], v["PATCHLEVEL"], v["SUBLEVEL"], v["EXTRAVERSION"] }' "$LINUX/Makefile")"
	echo "series: $series"
	echo "bench: $bench"
	echo "date: $(date -u +%Y-%m-%d)"
	echo "mode: $([ $quick = 1 ] && echo quick || echo full)"
} >"$out/machine.txt"

for round in $(seq "$rounds"); do
	order="c rust"
	[ $((round % 2)) = 0 ] && order="rust c"
	for impl in $order; do
		log "round $round/$rounds: $impl"
		boot="$out/boot-$round-$impl"
		# The result goes to a file in the guest, away from the console.
		"$ROOT/tools/vm-run.sh" --impl "$impl" --flavour bench --out "$boot" --timeout 1800 -- \
			sh -c 'res=$1; shift; "$@" >"$res"' sh "$boot/bench.txt" "${cmd[@]}" ||
			die "the $impl boot of round $round failed: see $boot"
		cp "$boot/bench.txt" "$out/round-$round-$impl.txt"
	done
done

"$VENV/bin/python3" "$ROOT/tools/bench-report.py" "$out"
log "done in $(( $(date +%s) - start ))s: $out/bench.md, $out/exec-cost.png"
