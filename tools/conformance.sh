#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run the conformance suite (rust/) in the guest on one implementation and
# keep its transcript; in the same boot, replay the fuzzing corpus and run
# the fixed-seed fuzz cases (fuzz.txt), and sweep fault injection over the
# allocating operations (faults.txt), all of which tools/test.sh compares
# across implementations.
#
#   tools/conformance.sh [--impl c|rust] [--flavour F] [--out DIR] [filter]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

parse_impl_out conformance "$@"
set -- "${args[@]}"

log "building the conformance suite"
cargo build --quiet --release --manifest-path "$ROOT/rust/Cargo.toml"
bin="$ROOT/rust/target/release/bmconf"

# KASAN's shadow checks slow every access of the guest down again.
limit=1800
[ "$flavour" = kasan ] && limit=3600

# The transcripts are written in the guest to files so that kernel messages
# on the console can never interleave with them.
"$ROOT/tools/vm-run.sh" --impl "$impl" --flavour "$flavour" --out "$out" --timeout "$limit" -- \
	sh -c 'bin=$1 out=$2 seed=$3 cases=$4 corpus=$5; shift 5
		"$bin" "$@" >"$out/transcript.txt"; rc=$?
		"$bin" fuzz --seed "$seed" --cases "$cases" "$corpus" >"$out/fuzz.txt" || rc=1
		"$bin" faults >"$out/faults.txt" 2>"$out/fault-sites.txt" || rc=1
		exit $rc' \
	sh "$bin" "$out" "$FUZZ_SEED" "$FUZZ_CASES" "$ROOT/rust/conformance/corpus" "$@" && rc=0 || rc=$?
cp "$out/transcript.txt" "$out/conformance-$impl.txt" 2>/dev/null || true
tail -n 1 "$out/transcript.txt" 2>/dev/null || true
tail -n 1 "$out/fuzz.txt" 2>/dev/null || true
cat "$out/fault-sites.txt" 2>/dev/null || true
exit $rc
