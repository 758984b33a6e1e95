#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Differential fuzzing campaign: the same seeded cases (and the corpus of
# earlier divergences) on the C and the Rust build, one boot each, and a
# case-by-case comparison. C's transcript is the oracle; a case whose
# observations differ is kept under rust/conformance/corpus/, which every
# later run (tools/test.sh among them) replays.
#
#   tools/fuzz.sh [--seed S] [--cases N] [--from K] [--flavour F] [--out DIR] [--no-keep]
#
# The default flavour is the debug one the tests use; --flavour bench (no
# lockdep, KFENCE, SLUB debug or kmemleak) runs a long campaign for the
# behaviour alone, without the debug config's cost (how much faster has
# not been measured yet).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

seed=1 cases=20000 from=0 flavour=small out="" keep=1
while [ $# -gt 0 ]; do
	case "$1" in
	--seed) seed=$2; shift 2 ;;
	--cases) cases=$2; shift 2 ;;
	--from) from=$2; shift 2 ;;
	--flavour) flavour=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--no-keep) keep=0; shift ;;
	*) die "unknown option $1" ;;
	esac
done
[ -n "$out" ] || out=$(mktemp -d /tmp/rbm-fuzz.XXXXXX)
mkdir -p "$out"
out=$(cd "$out" && pwd)
impls=$(available_impls)
[ "$impls" = "c rust" ] || die "linux/ has no Rust implementation: apply the series first"

log "building the conformance suite"
cargo build --quiet --release --manifest-path "$ROOT/rust/Cargo.toml"
bin="$ROOT/rust/target/release/bmconf"
corpus="$ROOT/rust/conformance/corpus"

# Measured under TCG on the debug kernel: about 0.14 s a case on an idle
# machine, up to nine times that beside a kernel build. The limit allows
# 0.5 s a case, and the boot.
limit=$((600 + cases / 2))
for impl in $impls; do
	[ -f "$(build_dir "$flavour" "$impl")/arch/x86/boot/bzImage" ] ||
		"$ROOT/tools/build.sh" --flavour "$flavour" --impl "$impl"
	t0=$(date +%s)
	"$ROOT/tools/vm-run.sh" --impl "$impl" --flavour "$flavour" --out "$out/$impl" --timeout "$limit" -- \
		sh -c 'bin=$1 t=$2; shift 2; "$bin" fuzz "$@" >"$t"' \
		sh "$bin" "$out/$impl/fuzz.txt" --seed "$seed" --cases "$cases" --from "$from" \
		"$corpus"/*.txt
	echo "$impl: $(tail -n 1 "$out/$impl/fuzz.txt") in $(( $(date +%s) - t0 ))s"
done
keep_opt=()
[ $keep = 1 ] && keep_opt=(--corpus "$corpus")
"$ROOT/tools/fuzz-diverging.py" "$out/c/fuzz.txt" "$out/rust/fuzz.txt" "${keep_opt[@]}"
