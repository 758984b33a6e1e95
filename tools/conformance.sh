#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run the conformance suite (rust/) in the guest on one implementation and
# keep its transcript.
#
#   tools/conformance.sh [--impl c|rust] [--out DIR] [filter]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

parse_impl_out conformance "$@"
set -- "${args[@]}"

log "building the conformance suite"
cargo build --quiet --release --manifest-path "$ROOT/rust/Cargo.toml"
bin="$ROOT/rust/target/release/bmconf"

# The transcript is written in the guest to a file so that kernel messages
# on the console can never interleave with it.
"$ROOT/tools/vm-run.sh" --impl "$impl" --out "$out" -- \
	sh -c 'bin=$1 transcript=$2; shift 2; "$bin" "$@" >"$transcript"' \
	sh "$bin" "$out/transcript.txt" "$@" && rc=0 || rc=$?
cp "$out/transcript.txt" "$out/conformance-$impl.txt" 2>/dev/null || true
tail -n 1 "$out/transcript.txt" 2>/dev/null || true
exit $rc
