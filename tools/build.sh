#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Configure and build linux/ out of tree with ccache.
#
#   tools/build.sh [--flavour small|bench|defconfig|kasan] [--impl c|rust]
#                  [--toolchain gcc|llvm|rustc-web|rustc-min]
#                  [--impl-config FILE] [--reconfigure] [--config-only] [target...]
#
# small:     tinyconfig + kvm_guest.config + configs/virtme.config, the
#            inner loop; boots in virtme-ng under TCG.
# defconfig: make defconfig, the path users take.
# bench:     small without configs/debug.config, for tools/bench.sh: lockdep,
#            KFENCE, SLUB debug and kmemleak would swamp what it measures;
#            with configs/bench.config, optimised for performance (-O2),
#            as users' kernels are, where tinyconfig optimises for size.
# kasan:     small plus configs/kasan.config, built with bookworm's LLVM 19
#            (LLVM=1), which KASAN with Rust needs.
# All add configs/rust.config, configs/debug.config (small, kasan) and the
# fragment of the chosen implementation, configs/binfmt-<impl>.config, or
# FILE given with --impl-config (tools/check-series.sh: a prefix of the
# series cannot give all that fragment asks for). The build directory is
# linux/.build-<flavour>-<impl> and survives between runs; its .config is
# made again when a fragment changed, or with --reconfigure (when the tree's
# Kconfig did). RBM_LINUX (see tools/lib.sh) builds another tree than linux/.
#
# --toolchain picks the compilers (tools/toolchains.sh builds with each):
# gcc:       GCC 12 and rustup's default rustc with bindgen 0.72.1 (the default);
# llvm:      LLVM=1 with bookworm's clang/lld/llvm 19 (what kasan always uses);
# rustc-web: bookworm's rustc-web, the newest rustc the registries give;
# rustc-min: 7.3's minimum, rustc 1.85.0 (rustup) with bindgen 0.71.1.
# A toolchain other than gcc gets its own build directory, with the
# toolchain's name appended.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=small impl=c impl_config="" reconfigure=0 config_only=0 toolchain=""
while [ $# -gt 0 ]; do
	case "$1" in
	--config-only) config_only=1; shift ;;
	--reconfigure) reconfigure=1; shift ;;
	--flavour) flavour=$2; shift 2 ;;
	--impl) impl=$2; shift 2 ;;
	--toolchain) toolchain=$2; shift 2 ;;
	--impl-config) impl_config=$2; shift 2 ;;
	*) break ;;
	esac
done
targets=("$@")

[ -f "$ROOT/configs/binfmt-$impl.config" ] || die "unknown implementation '$impl'"
[ -n "$impl_config" ] || impl_config="$ROOT/configs/binfmt-$impl.config"
[ -f "$impl_config" ] || die "no such fragment: $impl_config"
if [ "$flavour" = kasan ]; then
	# KASAN with Rust needs the C side built by LLVM too.
	[ "${toolchain:-llvm}" = llvm ] || die "the kasan flavour builds with --toolchain llvm only"
	toolchain=llvm
fi
toolchain=${toolchain:-gcc}
out=$(build_dir "$flavour" "$impl" "$toolchain")
mkdir -p "$out"
# Keep build directories out of linux/'s git status (a worktree's .git is a
# file: ask git where the exclude file is).
exclude=$(git -C "$LINUX" rev-parse --path-format=absolute --git-path info/exclude)
grep -qxF '/.build-*/' "$exclude" 2>/dev/null || echo '/.build-*/' >>"$exclude"

LIBCLANG_PATH=$(libclang_dir) || die "libclang wheel missing: run tools/setup.sh"
export LIBCLANG_PATH
make_args=(-C "$LINUX" O="$out" CC="ccache gcc" -j"$(nproc)")
LLVM_PREFIX=/usr/lib/llvm-19/bin/
case "$toolchain" in
gcc) ;;
llvm)
	[ -x "${LLVM_PREFIX}clang" ] || die "no clang-19: run tools/setup.sh"
	make_args=(-C "$LINUX" O="$out" LLVM="$LLVM_PREFIX" CC="ccache ${LLVM_PREFIX}clang" -j"$(nproc)")
	# bindgen parses the headers with the libclang of the compiler that
	# builds the C side, so that both see the same layouts.
	LIBCLANG_PATH=/usr/lib/llvm-19/lib
	;;
rustc-web)
	[ -x /usr/bin/rustc ] || die "no rustc-web: run tools/toolchains.sh --setup"
	# Debian's rustc-web has no clippy; rustfmt stays rustup's.
	make_args+=(RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc)
	;;
rustc-min)
	bindgen_min="$CACHE/bindgen-$MIN_BINDGEN/bin/bindgen"
	[ -x "$bindgen_min" ] || die "no bindgen $MIN_BINDGEN: run tools/toolchains.sh --setup"
	export RUSTUP_TOOLCHAIN=$MIN_RUSTC
	make_args+=(BINDGEN="$bindgen_min")
	;;
*) die "unknown toolchain '$toolchain'" ;;
esac

case "$flavour" in
small)
	base_target=tinyconfig
	fragments=("$LINUX/kernel/configs/kvm_guest.config" "$ROOT/configs/virtme.config"
		   "$ROOT/configs/rust.config" "$ROOT/configs/debug.config")
	;;
bench)
	base_target=tinyconfig
	fragments=("$LINUX/kernel/configs/kvm_guest.config" "$ROOT/configs/virtme.config"
		   "$ROOT/configs/rust.config" "$ROOT/configs/bench.config")
	;;
kasan)
	base_target=tinyconfig
	fragments=("$LINUX/kernel/configs/kvm_guest.config" "$ROOT/configs/virtme.config"
		   "$ROOT/configs/rust.config" "$ROOT/configs/debug.config" "$ROOT/configs/kasan.config")
	;;
defconfig)
	base_target=defconfig
	fragments=("$ROOT/configs/virtme.config" "$ROOT/configs/rust.config")
	;;
*) die "unknown flavour '$flavour'" ;;
esac
fragments+=("$ROOT/configs/binfmt.config" "$impl_config")
# The test flavours build the series' sample of kernel::fs::simple where
# the tree has it.
case "$flavour" in small | kasan)
	if grep -q '^config SAMPLE_RUST_SIMPLE_FS$' "$LINUX/samples/rust/Kconfig" 2>/dev/null; then
		fragments+=("$ROOT/configs/samples.config")
	fi
	;;
esac

# Regenerate the config only when a fragment changed: a new autoconf.h
# misses ccache for nearly every object.
stamp="$out/.rbm-config-inputs"
inputs=$(cat "${fragments[@]}" | sha256sum)
if [ $reconfigure = 1 ] || [ ! -f "$out/.config" ] ||
   [ "$(cat "$stamp" 2>/dev/null)" != "$inputs" ]; then
	log "configuring $flavour-$impl in $out"
	make -s "${make_args[@]}" "$base_target" >/dev/null
	KCONFIG_CONFIG="$out/.config" "$LINUX/scripts/kconfig/merge_config.sh" -m -O "$out" \
		"$out/.config" "${fragments[@]}" >/dev/null
	make -s "${make_args[@]}" olddefconfig >/dev/null
	# Every option a fragment asks for must have survived olddefconfig.
	missing=0
	for f in "${fragments[@]}"; do
		# Upstream's generic fragments name options of other arches.
		case "$f" in "$LINUX"/*) continue ;; esac
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*)
				sym=${line%%=*} val=${line#*=}
				[ "$val" = n ] && line="# $sym is not set"
				;;
			"# CONFIG_"*" is not set") ;;
			*) continue ;;
			esac
			if ! grep -qxF -- "$line" "$out/.config"; then
				sym=${line#\# }; sym=${sym%% *}; sym=${sym%%=*}
				if [ "${line:0:1}" = "#" ] && ! grep -q "^$sym=" "$out/.config"; then
					continue
				fi
				echo "  requested '$line', got '$(grep -E "^($sym=|# $sym is not set)" "$out/.config" || echo unset)' ($f)" >&2
				missing=1
			fi
		done <"$f"
	done
	[ $missing = 0 ] || die "configuration incomplete"
	echo "$inputs" >"$stamp"
fi

[ $config_only = 0 ] || { log "$flavour-$impl configured: $out/.config"; exit 0; }

log "building $flavour-$impl with $toolchain (${targets[*]:-all})"
# Progress is counted in kbuild's output lines against the count of the
# last build that started from an empty directory with the same targets.
steps_file="$out/.rbm-steps-${targets[*]:-all}"
steps_file=${steps_file// /_}
full=0
[ -f "$out/vmlinux" ] || full=1
total=$(cat "$steps_file" 2>/dev/null || echo 0)
[ $full = 1 ] || total=0
start=$(date +%s)
# The full log goes to a file; the terminal gets warnings, errors and the
# progress once a minute.
blog="$out/build.log"
make "${make_args[@]}" "${targets[@]}" 2>&1 | tee "$blog" |
	awk -v total="$total" -v start="$start" '
	function progress(   now, el, left) {
		now = systime(); el = now - start
		if (total > 0 && NR < total) {
			left = el * (total - NR) / NR
			printf "  ... %d/%d steps (%d%%), %dm%02ds elapsed, about %dm%02ds left\n",
				NR, total, 100 * NR / total, el / 60, el % 60, left / 60, left % 60
		} else {
			printf "  ... %d steps, %dm%02ds elapsed%s\n", NR, el / 60, el % 60,
				(total > 0 ? " (more than the last full build)" : "")
		}
		fflush()
	}
	BEGIN { last = start }
	/[Ee]rror[:[ ]|[Ww]arning[:[]/ { print; fflush() }
	{ if (systime() - last >= 60) { progress(); last = systime() } }
	END { print NR > "/dev/stderr" }' 2>"$out/.rbm-steps-now"
status=${PIPESTATUS[0]}
if [ "$status" = 0 ] && [ $full = 1 ]; then
	mv "$out/.rbm-steps-now" "$steps_file"
fi
rm -f "$out/.rbm-steps-now"
log "build finished in $(( $(date +%s) - start ))s with status $status"
exit "$status"
