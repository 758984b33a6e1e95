#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run the Rust implementation's KUnit suites and the kernel crate's doctests
# the usual way: tools/testing/kunit/kunit.py with the series'
# fs/binfmt_misc_rust/.kunitconfig, on x86_64 in QEMU (TCG here: this
# machine's KVM cannot run the guest).
#
#   tools/kunit.sh [--out DIR]
#
# The build directory, linux/.build-kunit-rust, survives between runs. The
# suites' verdicts and kunit.py's summary are printed; the whole output is
# DIR/kunit.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

outdir=""
[ "${1:-}" = --out ] && { outdir=$2; shift 2; }
[ -f "$LINUX/fs/binfmt_misc_rust/.kunitconfig" ] || die "linux/ has no fs/binfmt_misc_rust/.kunitconfig: apply the series"
build=$(build_dir kunit rust)
[ -n "$outdir" ] || outdir="$build"
mkdir -p "$outdir"
LIBCLANG_PATH=$(libclang_dir) || die "libclang wheel missing: run tools/setup.sh"
export LIBCLANG_PATH

log "kunit.py run --kunitconfig=fs/binfmt_misc_rust --arch=x86_64 (build: $build)"
start=$(date +%s)
status=0
# kunit.py asks QEMU for KVM first, then TCG. This machine's /dev/kvm opens
# but cannot run the guest, which then hangs: kunit.py runs in a mount
# namespace of its own where /dev/kvm is /dev/null, whose ioctls fail, so
# QEMU falls back to TCG.
kunit=(python3 tools/testing/kunit/kunit.py run --kunitconfig=fs/binfmt_misc_rust
       --arch=x86_64 --build_dir="$build" --jobs="$(nproc)" --timeout=1800
       --make_options "CC=ccache gcc")
(cd "$LINUX" && unshare --mount --propagation private sh -c \
	'[ ! -e /dev/kvm ] || mount --bind /dev/null /dev/kvm; exec "$@"' kunit "${kunit[@]}") \
	>"$outdir/kunit.log" 2>&1 || status=$?
# kunit.py prints one "[PASSED] suite" line per suite (between rules of
# '='), one per case, and the totals last.
sed -E 's/\x1b\[[0-9;]*m//g' "$outdir/kunit.log" |
	grep -E '^\[[0-9:]+\] =+ \[[A-Z]+\] [a-z_0-9]+ =+$|Testing complete|Elapsed time|ERROR|error:' |
	sed -E 's/^\[[0-9:]+\] =+ (\[[A-Z]+\] [a-z_0-9]+) =+$/  \1/' || true
log "kunit.py finished in $(( $(date +%s) - start ))s with status $status"
exit "$status"
