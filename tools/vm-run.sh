#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot a built kernel in virtme-ng and run one command in the guest.
#
#   tools/vm-run.sh [--impl c|rust] [--flavour small] [--kernel BZIMAGE]
#                   [--out DIR] [--timeout SECONDS] [--append ARGS] -- command [args...]
#
# The host's root is visible read-only, /tmp is a tmpfs, DIR (default: a
# new temporary directory) is writable in the guest at the same path. The
# command's exit status becomes this script's. The guest's kernel log is
# kept in DIR/dmesg.txt, and the run fails on any report in it: BUG,
# WARNING (lockdep and RCU splats included), Oops, KFENCE, kmemleak, UBSAN,
# a hung task or a failed KUnit test; and on any taint bit. The console
# is kept in DIR/console.txt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

impl=c flavour=small image="" out="" limit=${RBM_VM_TIMEOUT:-900} append=""
while [ $# -gt 0 ]; do
	case "$1" in
	--impl) impl=$2; shift 2 ;;
	--flavour) flavour=$2; shift 2 ;;
	--kernel) image=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--timeout) limit=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--) shift; break ;;
	*) die "unknown option $1" ;;
	esac
done
[ $# -gt 0 ] || die "no command given"

[ -n "$image" ] || image="$(build_dir "$flavour" "$impl")/arch/x86/boot/bzImage"
[ -f "$image" ] || die "no kernel at $image: run tools/build.sh --flavour $flavour --impl $impl"
[ -n "$out" ] || out=$(mktemp -d /tmp/rbm-vm.XXXXXX)
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out/rc" "$out/dmesg.txt" "$out/kmemleak.txt" "$out/tainted" "$out/console.txt"

# The guest side: run the command, then collect what the kernel reported.
{
	echo 'mount -t debugfs none /sys/kernel/debug 2>/dev/null'
	printf '%q ' "$@"
	echo
	echo 'rc=$?'
	cat <<'GUEST'
leaks=/sys/kernel/debug/kmemleak
if [ -w "$leaks" ]; then
	# kmemleak only reports objects older than its minimum age.
	sleep 6; echo scan >"$leaks"; sleep 1; echo scan >"$leaks"
fi
GUEST
	printf '[ -r "$leaks" ] && cat "$leaks" >%q/kmemleak.txt\n' "$out"
	# Any taint bit (W, B, D, L...) is a report, whatever the message said.
	printf 'cat /proc/sys/kernel/tainted >%q/tainted\n' "$out"
	printf 'dmesg >%q/dmesg.txt\n' "$out"
	printf 'echo $rc >%q/rc\n' "$out"
} >"$out/guest.sh"

# /dev/kvm here is the PVM flavour, which cannot run a stock guest: TCG.
kvm_opt=(--disable-kvm)
[ "${RBM_KVM:-0}" = 1 ] && kvm_opt=()

log "booting $flavour-$impl (timeout ${limit}s, output in $out)"
set +e
# Through a pipe: the guest's console reopens the standard streams, which
# truncates a log file they may be redirected to.
(cd "$ROOT" && timeout --kill-after=30 "$limit" vng --run "$image" "${kvm_opt[@]}" \
	--cpus 2 --memory 2G --rwdir "$out" --append "panic_on_warn=0 log_buf_len=8M $append" \
	--exec "bash $out/guest.sh" </dev/null) 2>&1 | tee "$out/console.txt"
vng_rc=${PIPESTATUS[0]}
set -e

if [ ! -f "$out/rc" ]; then
	[ $vng_rc = 124 ] && echo "guest timed out after ${limit}s" >&2
	die "the guest did not finish the command (vng exit $vng_rc)"
fi
rc=$(cat "$out/rc")

# KUnit's result lines follow the printk timestamp: "[    9.43] not ok 4 ...".
reports='BUG: |WARNING: |Oops|Kernel panic|general protection fault|UBSAN:|INFO: task .* blocked|rcu_.*detected stall|new suspected memory leak|^(\[[ 0-9.]*\])?\s*not ok [0-9]'
if grep -En "$reports" "$out/dmesg.txt" >"$out/reports.txt"; then
	echo "kernel reports in $out/dmesg.txt:" >&2
	head -n 40 "$out/reports.txt" >&2
	[ "$rc" = 0 ] && rc=1
fi
# A suite that did not run reports nothing: every boot of a kernel built
# with the kernel crate's doctests must show them passing, and the Rust
# build each of the driver's suites. These are the suites kunit.py runs
# with the driver's .kunitconfig (tools/kunit.sh).
suites=()
config="$(dirname "$image")/../../../.config"
grep -qx 'CONFIG_RUST_KERNEL_DOCTESTS=y' "$config" 2>/dev/null && suites+=(rust_doctests_kernel)
[ "$impl" = rust ] && suites+=(binfmt_misc_rust_register binfmt_misc_rust_fs)
for suite in "${suites[@]}"; do
	if ! grep -Eq "^(\[[ 0-9.]*\])?\s*ok [0-9]+ $suite\b" "$out/dmesg.txt"; then
		echo "KUnit suite $suite did not pass (or did not run)" >&2
		[ "$rc" = 0 ] && rc=1
	fi
done
# Bit 18 (N) only says that KUnit tests ran, which the Rust doctests do.
tainted=$(cat "$out/tainted" 2>/dev/null || echo unknown)
if [ "$tainted" = unknown ] || [ $((tainted & ~(1 << 18))) != 0 ]; then
	echo "the kernel is tainted ($tainted) after the run" >&2
	[ "$rc" = 0 ] && rc=1
fi
exit "$rc"
