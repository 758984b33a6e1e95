#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest as root. An unprivileged user (65534) makes a user and
# mount namespace, mounts its own binfmt_misc instance, registers
# qemu-aarch64-static with the strings real clients write, and runs an arm64
# busybox through it. The initial namespace's instance must stay untouched.
#
#   aarch64-container.sh BUSYBOX_ARM64 [FLAGS...]      (default flags: F OCF OC)
set -u
busybox=$1; shift
[ $# -gt 0 ] || set -- F OCF OC
qemu=/usr/bin/qemu-aarch64-static
magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'

work=$(mktemp -d /tmp/aarch64.XXXXXX)
chmod 755 "$work"
cp "$busybox" "$work/busybox"
chmod 755 "$work/busybox"

# The initial namespace's instance, as the host admin sees it.
outer="$work/outer"
mkdir "$outer"
mount -t binfmt_misc binfmt_misc "$outer" || exit 1
before=$(ls "$outer"; cat "$outer/status")

fail=0
for flags in "$@"; do
	echo "--- register string: :qemu-aarch64:M::<magic>:<mask>:$qemu:$flags"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --map-root-user --mount sh -c '
		set -e
		mnt=$(mktemp -d /tmp/bm.XXXXXX)
		mount -t binfmt_misc binfmt_misc "$mnt"
		echo ":qemu-aarch64:M::$2:$3:$4:$5" >"$mnt/register"
		cat "$mnt/qemu-aarch64"
		echo "uname -m via $1: $("$1" uname -m)"
		"$1" echo "hello from arm64 busybox"
		' sh "$work/busybox" "$magic" "$mask" "$qemu" "$flags" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/    /'
	case "$out" in
	*"uname -m via $work/busybox: aarch64"*"hello from arm64 busybox"*) [ $rc = 0 ] || fail=1 ;;
	*) fail=1 ;;
	esac
done

after=$(ls "$outer"; cat "$outer/status")
if [ "$before" != "$after" ]; then
	echo "the initial namespace's instance changed:"; echo "$after"
	fail=1
else
	echo "--- initial namespace's instance untouched: $(ls "$outer" | tr '\n' ' ')"
fi
umount "$outer"
rm -rf "$work"
[ $fail = 0 ] && echo "aarch64 in an unprivileged container: OK" || echo "aarch64 in an unprivileged container: FAILED"
exit $fail
