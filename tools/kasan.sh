#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The KASAN campaign, which CI's 90 minutes do not hold: for C and Rust, the
# kasan flavour (the debug config plus generic KASAN, built with LLVM=1 and
# bookworm's clang 19), then in their own boots the conformance suite with
# its fuzz cases and fault sweep, the binfmt_misc kselftests and the
# concurrency stress run; at the end the two implementations' transcripts,
# fuzz cases and fault sweeps must be identical, as in tools/test.sh. Any
# kernel report (a KASAN one among them) fails the boot that produced it.
# Run it after tools/setup.sh, tools/fetch-base.sh and tools/apply.sh.
#
#   tools/kasan.sh [--impl "c rust"] [--seconds T] [--out DIR]
set -uo pipefail
. "$(dirname "$0")/lib.sh"

impls="" seconds=$STRESS_SECONDS out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--impl) impls=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) die "unknown option $1" ;;
	esac
done
[ -n "$impls" ] || impls=$(available_impls)
[ -n "$out" ] || out=$(mktemp -d /tmp/rbm-kasan.XXXXXX)
mkdir -p "$out"
out=$(cd "$out" && pwd)
started=$(date +%s)

for impl in $impls; do
	step "build-kasan-$impl" "$ROOT/tools/build.sh" --flavour kasan --impl "$impl" || continue
	step "conformance-kasan-$impl" "$ROOT/tools/conformance.sh" --flavour kasan --impl "$impl" \
		--out "$out/conformance-$impl"
	step "kselftests-kasan-$impl" "$ROOT/tools/kselftests.sh" --flavour kasan --impl "$impl" \
		--out "$out/kselftests-$impl"
	step "stress-kasan-$impl" "$ROOT/tools/stress.sh" --flavour kasan --impl "$impl" \
		--out "$out/stress-$impl" --seconds "$seconds"
done

compare_impls $impls
summary
