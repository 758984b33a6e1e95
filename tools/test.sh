#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every test, from a fresh machine: set up, fetch the base, apply the series
# (git am and quilt), checkpatch, the submission's dry run (git send-email
# and b4 am, tools/send.sh), the workspace's own cargo tests, then per
# implementation one kernel build and one boot each for the conformance
# suite (with the fuzz cases and the fault-injection sweep), the in-tree
# binfmt_misc kselftests, the concurrency stress run and the aarch64
# container test. Every boot of those builds runs the kernel crate's
# doctests and, on Rust, the driver's KUnit suites, and fails unless each
# suite passed (tools/vm-run.sh): the suites of the driver's .kunitconfig,
# which tools/kunit.sh runs through kunit.py, outside CI, in a third build.
# With more than one implementation, their conformance transcripts are
# shown side by side and must be identical.
#
#   tools/test.sh [--impl "c rust"] [--out DIR]
set -uo pipefail
. "$(dirname "$0")/lib.sh"

impls=${RBM_IMPLS:-}
out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--impl) impls=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) die "unknown option $1" ;;
	esac
done
[ -n "$out" ] || out=$(mktemp -d /tmp/rbm-test.XXXXXX)
mkdir -p "$out"
out=$(cd "$out" && pwd)

started=$(date +%s)

step setup "$ROOT/tools/setup.sh" || { summary; exit 1; }
step fetch-base "$ROOT/tools/fetch-base.sh" || { summary; exit 1; }
step apply "$ROOT/tools/apply.sh" --force || { summary; exit 1; }
# Both implementations once the series carries the Rust one.
[ -n "$impls" ] || impls=$(available_impls)
step checkpatch "$ROOT/tools/check-patches.sh"
step send-dry-run "$ROOT/tools/send.sh"
step cargo-test cargo test --quiet --manifest-path "$ROOT/rust/Cargo.toml"
busybox=$("$ROOT/tools/fetch-arm64.sh") || busybox=""
# The users' path, make defconfig plus the fragments, configured (a full
# defconfig build does not fit CI's time on two cores).
for impl in $impls; do
	step "defconfig-config-$impl" "$ROOT/tools/build.sh" --flavour defconfig --impl "$impl" --config-only
done

for impl in $impls; do
	step "build-$impl" "$ROOT/tools/build.sh" --impl "$impl" || continue
	step "conformance-$impl" "$ROOT/tools/conformance.sh" --impl "$impl" --out "$out/conformance-$impl"
	step "kselftests-$impl" "$ROOT/tools/kselftests.sh" --impl "$impl" --out "$out/kselftests-$impl"
	step "stress-$impl" "$ROOT/tools/stress.sh" --impl "$impl" --out "$out/stress-$impl" \
		--seconds "$STRESS_SECONDS"
	step "aarch64-container-$impl" "$ROOT/tools/vm-run.sh" --impl "$impl" --out "$out/aarch64-$impl" -- \
		"$ROOT/tools/guest/aarch64-container.sh" "$busybox"
	# The sample of the series' pseudo file system abstraction, which the
	# test flavour builds where the tree has it.
	if [ "$impl" = rust ] && [ -f "$LINUX/samples/rust/rust_simple_fs.rs" ]; then
		step "simple-fs-sample-$impl" "$ROOT/tools/vm-run.sh" --impl "$impl" --out "$out/simple-fs-$impl" -- \
			"$ROOT/tools/guest/simple-fs-sample.sh"
	fi
done

compare_impls $impls
summary
