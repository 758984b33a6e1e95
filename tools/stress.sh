#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Concurrency stress of one implementation (bmconf stress) in its own boot,
# with KFENCE sampling every millisecond on top of the debug config's
# lockdep, PROVE_RCU, SLUB debug, kmemleak, DEBUG_OBJECTS and hung-task
# detector. Fails on any outcome outside the allowed set, on a worker that
# died, on anything left behind, and on any kernel report.
#
#   tools/stress.sh [--impl c|rust] [--flavour F] [--out DIR] [--seconds T]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

parse_impl_out stress "$@"
set -- "${args[@]}"
seconds=120
[ "${1:-}" = --seconds ] && seconds=$2

cargo build --quiet --release --manifest-path "$ROOT/rust/Cargo.toml"
bin="$ROOT/rust/target/release/bmconf"
"$ROOT/tools/vm-run.sh" --impl "$impl" --flavour "$flavour" --out "$out" --append "kfence.sample_interval=1" \
	--timeout $((seconds + 600)) -- \
	sh -c '"$1" stress --seconds "$2" >"$3"' sh "$bin" "$seconds" "$out/stress.txt" && rc=0 || rc=$?
grep -E 'UNEXPECTED|ended with|after the run|/s\)$|^stress: ' "$out/stress.txt" 2>/dev/null || true
exit $rc
