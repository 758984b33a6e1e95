#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Negative control of the two checks that removal never waits for a walker
# of the entry list: builds the small Rust kernel with removal made to wait
# for the walkers (a synchronize_srcu() after the unlink, as the series did
# before it freed entries with call_srcu()) and requires both checks to
# fail on it, the conformance suite's removal/walker-preempted-in-walk with
# every removal blocked and the bpf selftest's removal_during_sleeping_match.
# linux/ is put back afterwards, but the build directory keeps the mutant
# until the next tools/build.sh of the small Rust kernel, which every test
# runner makes first. Not part of tools/test.sh: two boots and a build.
#
#   tools/mutant.sh [--out DIR]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

parse_impl_out mutant "$@"
src="$LINUX/fs/binfmt_misc_rust/instance.rs"
git -C "$LINUX" diff --quiet -- "$src" || die "$src has changes of its own"
trap 'git -C "$LINUX" checkout -q -- "$src"' EXIT

# After the block that unlinks the entry under the list's lock.
perl -0pi -e 's/(hlist_del_init_rcu\(.*?\n\s*\}\n)/$1        unsafe { bindings::synchronize_srcu(&raw mut bindings::binfmt_misc_srcu) };\n/s or exit 1' "$src" ||
	die "found no unlink in $src to put the wait after"
log "building the mutant (log: $out/build.log)"
"$ROOT/tools/build.sh" --flavour small --impl rust >"$out/build.log" 2>&1 || die "the mutant does not build"

caught=0
cargo build --quiet --release --manifest-path "$ROOT/rust/Cargo.toml"
"$ROOT/tools/vm-run.sh" --impl rust --out "$out/removal" -- \
	sh -c '"$1" removal >"$2"' sh "$ROOT/rust/target/release/bmconf" "$out/removal/removal.txt" || true
cat "$out/removal/removal.txt" 2>/dev/null || true
if grep -q 'got -1 blocked, unlink blocked, status -1 blocked' "$out/removal/removal.txt" 2>/dev/null; then
	log "conformance: the mutant's removals were caught waiting"
	caught=$((caught + 1))
else
	log "conformance: NOT caught"
fi

"$ROOT/tools/kselftests.sh" --impl rust --out "$out/kselftest" binfmt_misc_bpf || true
if grep -q '^not ok .*removal_during_sleeping_match' "$out/kselftest/binfmt_misc_bpf.tap" 2>/dev/null; then
	log "kselftest: the mutant's removal was caught waiting"
	caught=$((caught + 1))
else
	log "kselftest: NOT caught"
fi
[ $caught = 2 ]
