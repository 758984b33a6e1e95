#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest as root: exercises the series' sample of
# kernel::fs::simple (samples/rust/rust_simple_fs.rs) as its documentation
# describes it. Writing a name to `create` makes a file of that name that
# reads "hello, <name>" (the name of the dentry it is read through), and
# `created` counts them in the superblock's data; created files can be removed, the control files cannot; every mount
# gets a superblock of its own, in an unprivileged user namespace too.
set -u
fail=0
# check WHAT EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then
		echo "ok   $1: $3"
	else
		echo "FAIL $1: expected '$2', got '$3'"
		fail=1
	fi
}
# The errno of a shell command, as strerror() names it, or "ok". Writes
# go through coreutils echo(1): the shell's builtin reports EIO for any
# failed write.
outcome() {
	err=$( (eval "$1") 2>&1 >/dev/null) && { echo ok; return; }
	echo "${err##*: }"
}

grep -qw rust_simple_fs /proc/filesystems || { echo "rust_simple_fs is not registered"; exit 1; }
mnt=$(mktemp -d /tmp/simplefs.XXXXXX)
check "mount" ok "$(outcome "mount -t rust_simple_fs none $mnt")"
check "statfs type" 52534653 "$(stat -f -c %t "$mnt")"
check "root after mount" "create created" "$(ls "$mnt" | tr '\n' ' ' | sed 's/ $//')"
check "control file mode" 200 "$(stat -c %a "$mnt/create")"
check "count file mode" 444 "$(stat -c %a "$mnt/created")"
check "count after mount" 0 "$(cat "$mnt/created")"
check "create world" ok "$(outcome "/bin/echo world >$mnt/create")"
check "read world" "hello, world" "$(cat "$mnt/world")"
check "world mode" 444 "$(stat -c %a "$mnt/world")"
check "create world again" "File exists" "$(outcome "/bin/echo world >$mnt/create")"
check "name with a slash" "Invalid argument" "$(outcome "/bin/echo a/b >$mnt/create")"
check "empty name" "Invalid argument" "$(outcome "/bin/echo >$mnt/create")"
check "count after failed creates" 1 "$(cat "$mnt/created")"
check "root after create" "create created world" "$(ls "$mnt" | tr '\n' ' ' | sed 's/ $//')"

# A second mount is a new superblock, with data of its own.
mnt2=$(mktemp -d /tmp/simplefs.XXXXXX)
check "second mount" ok "$(outcome "mount -t rust_simple_fs none $mnt2")"
check "second mount's root" "create created" "$(ls "$mnt2" | tr '\n' ' ' | sed 's/ $//')"
check "second mount's count" 0 "$(cat "$mnt2/created")"
check "create on the second mount" ok "$(outcome "/bin/echo again >$mnt2/create")"
check "second mount's count after create" 1 "$(cat "$mnt2/created")"
check "first mount untouched" "create created world" "$(ls "$mnt" | tr '\n' ' ' | sed 's/ $//')"
# The longest name the sample takes, 64 bytes, does not fit in a dentry's
# inline name (40 bytes on 64-bit): it is read back from the dentry whole.
long=$(printf '%064d' 7)
check "create a 64-byte name" ok "$(outcome "/bin/echo $long >$mnt2/create")"
check "read it" "hello, $long" "$(cat "$mnt2/$long")"
check "65 bytes" "Invalid argument" "$(outcome "/bin/echo ${long}8 >$mnt2/create")"
check "umount the second" ok "$(outcome "umount $mnt2")"
rmdir "$mnt2"

check "unlink world" ok "$(outcome "rm $mnt/world")"
check "unlink create" "Operation not permitted" "$(outcome "rm $mnt/create")"
check "unlink created" "Operation not permitted" "$(outcome "rm $mnt/created")"
check "root after unlink" "create created" "$(ls "$mnt" | tr '\n' ' ' | sed 's/ $//')"
check "count after unlink" 1 "$(cat "$mnt/created")"

# An unprivileged user's own user namespace mounts a superblock of its
# own: what it creates is not in the initial namespace's.
inner=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	unshare --user --map-root-user --mount sh -c '
	d=$(mktemp -d /tmp/simplefs-ns.XXXXXX)
	mount -t rust_simple_fs none "$d" && echo ns >"$d/create" && cat "$d/ns"' 2>&1)
check "user namespace's own instance" "hello, ns" "$inner"
check "initial instance untouched" "create created" "$(ls "$mnt" | tr '\n' ' ' | sed 's/ $//')"

check "umount" ok "$(outcome "umount $mnt")"
rmdir "$mnt"
[ $fail = 0 ] && echo "rust_simple_fs sample: OK" || echo "rust_simple_fs sample: FAILED"
exit $fail
