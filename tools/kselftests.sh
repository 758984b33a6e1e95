#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the in-tree binfmt_misc kselftests and run them in the guest.
#
#   tools/kselftests.sh [--impl c|rust] [--flavour F] [--out DIR] [test...]
#
# Without names, every tools/testing/selftests/exec/binfmt_misc_* test runs.
# The bpf one is built against the kernel tree's own libbpf (bookworm's 1.1
# predates the .struct_ops.link sections the test's programs use), zig's
# clang (tools/bpf-cc), bookworm's bpftool and the BTF of the kernel under
# test.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

parse_impl_out kselftest "$@"
set -- "${args[@]}"
kdir=$(build_dir "$flavour" "$impl")
[ -f "$kdir/vmlinux" ] || die "build the kernel first: tools/build.sh --flavour $flavour --impl $impl"

src="$LINUX/tools/testing/selftests/exec"
tests=("$@")
if [ ${#tests[@]} = 0 ]; then
	for f in "$src"/binfmt_misc_*.c; do
		t=$(basename "$f" .c)
		[ "$t" = binfmt_misc_common ] || tests+=("$t")
	done
fi

log "building uapi headers and libbpf"
make -s -C "$LINUX" O="$kdir" headers >/dev/null
bpfdir="$kdir/rbm-libbpf"
mkdir -p "$bpfdir/build"
make -s -C "$LINUX/tools/lib/bpf" OUTPUT="$bpfdir/build/" DESTDIR="$bpfdir" prefix= \
	install_headers install_lib >/dev/null 2>&1 || die "in-tree libbpf failed to build"

# The files the tests run besides themselves; the bpf test's only with it,
# since they need a kernel with CONFIG_BINFMT_MISC_BPF.
helper_files() {
	local files
	files=$(grep -ohE '^TEST_GEN_FILES \+= .*(binfmt|\.bpf\.o).*' "$src/Makefile" |
		sed 's/^TEST_GEN_FILES += //' | tr ' ' '\n')
	case " ${tests[*]} " in
	*" binfmt_misc_bpf "*) ;;
	*) files=$(echo "$files" | grep -vE '\.bpf\.o$|^binfmt_(bpf|bind)_') ;;
	esac
	echo "$files" | sed "s#^#$ks/#"
}

# A fresh output directory per kernel: the bpf objects depend on its BTF.
ks="$kdir/rbm-kselftests"
mkdir -p "$ks"
log "building: ${tests[*]}"
make -s -C "$src" OUTPUT="$ks" KHDR_INCLUDES="-isystem $kdir/usr/include" \
	HAVE_BPF_TOOLCHAIN=y VMLINUX_BTF="$kdir/vmlinux" CLANG="$ROOT/tools/bpf-cc" \
	LIBBPF_CFLAGS="-I$bpfdir/include" \
	LIBBPF_LDLIBS="$bpfdir/lib64/libbpf.a -lelf -lz" \
	$(for t in "${tests[@]}"; do echo "$ks/$t"; done) \
	$(helper_files) >"$out/build.log" 2>&1 ||
	{ tail -n 30 "$out/build.log" >&2; die "kselftest build failed (log: $out/build.log)"; }

# One boot runs every test; each one's TAP output goes to its own file.
runner="$out/run.sh"
{
	echo 'cd "$1"; shift'
	echo 'for t in "$@"; do ./"$t" >"$OUT/$t.tap" 2>&1; echo $? >"$OUT/$t.rc"; done'
} >"$runner"
rm -f "$out"/*.tap "$out"/*.rc
set +e
"$ROOT/tools/vm-run.sh" --impl "$impl" --flavour "$flavour" --out "$out" -- env OUT="$out" sh "$runner" "$ks" "${tests[@]}"
vm_rc=$?
set -e

fail=0
for t in "${tests[@]}"; do
	rc=$(cat "$out/$t.rc" 2>/dev/null || echo none)
	totals=$(grep -h '^# Totals' "$out/$t.tap" 2>/dev/null | sed 's/^# //')
	if [ "$rc" = 0 ]; then result=PASS; else result=FAIL; fail=1; fi
	# The harness exits 0 when fixtures skip: say so loudly.
	skips=$(echo "$totals" | sed -n 's/.*skip:\([0-9]*\).*/\1/p')
	[ "${skips:-0}" = 0 ] || result="$result (SKIPPED $skips)"
	echo "$t: $result, exit $rc, ${totals:-no TAP totals}"
	sed -n 's/^not ok /  not ok: /p' "$out/$t.tap" 2>/dev/null
done
[ $vm_rc = 0 ] || [ $fail = 1 ] || echo "the guest run failed (exit $vm_rc) though every test passed"
[ $fail = 0 ] && [ $vm_rc = 0 ]
