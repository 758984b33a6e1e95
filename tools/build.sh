#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Configure and build linux/ out of tree with ccache.
#
#   tools/build.sh [--flavour small|bench|defconfig|kasan] [--impl c|rust]
#                  [--impl-config FILE] [--reconfigure] [--config-only] [target...]
#
# small:     tinyconfig + kvm_guest.config + configs/virtme.config, the
#            inner loop; boots in virtme-ng under TCG.
# defconfig: make defconfig, the path users take.
# bench:     small without configs/debug.config, for tools/bench.sh: lockdep,
#            KFENCE, SLUB debug and kmemleak would swamp what it measures.
# kasan:     small plus configs/kasan.config, built with bookworm's LLVM 19
#            (LLVM=1), which KASAN with Rust needs.
# Both add configs/rust.config, configs/debug.config (small only) and the
# fragment of the chosen implementation, configs/binfmt-<impl>.config, or
# FILE given with --impl-config (tools/check-series.sh: a prefix of the
# series cannot give all that fragment asks for). The build directory is
# linux/.build-<flavour>-<impl> and survives between runs; its .config is
# made again when a fragment changed, or with --reconfigure (when the tree's
# Kconfig did). RBM_LINUX (see tools/lib.sh) builds another tree than linux/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=small impl=c impl_config="" reconfigure=0 config_only=0
while [ $# -gt 0 ]; do
	case "$1" in
	--config-only) config_only=1; shift ;;
	--reconfigure) reconfigure=1; shift ;;
	--flavour) flavour=$2; shift 2 ;;
	--impl) impl=$2; shift 2 ;;
	--impl-config) impl_config=$2; shift 2 ;;
	*) break ;;
	esac
done
targets=("$@")

[ -f "$ROOT/configs/binfmt-$impl.config" ] || die "unknown implementation '$impl'"
[ -n "$impl_config" ] || impl_config="$ROOT/configs/binfmt-$impl.config"
[ -f "$impl_config" ] || die "no such fragment: $impl_config"
out=$(build_dir "$flavour" "$impl")
mkdir -p "$out"
# Keep build directories out of linux/'s git status (a worktree's .git is a
# file: ask git where the exclude file is).
exclude=$(git -C "$LINUX" rev-parse --path-format=absolute --git-path info/exclude)
grep -qxF '/.build-*/' "$exclude" 2>/dev/null || echo '/.build-*/' >>"$exclude"

LIBCLANG_PATH=$(libclang_dir) || die "libclang wheel missing: run tools/setup.sh"
export LIBCLANG_PATH
make_args=(-C "$LINUX" O="$out" CC="ccache gcc" -j"$(nproc)")
LLVM_PREFIX=/usr/lib/llvm-19/bin/

case "$flavour" in
small)
	base_target=tinyconfig
	fragments=("$LINUX/kernel/configs/kvm_guest.config" "$ROOT/configs/virtme.config"
		   "$ROOT/configs/rust.config" "$ROOT/configs/debug.config")
	;;
bench)
	base_target=tinyconfig
	fragments=("$LINUX/kernel/configs/kvm_guest.config" "$ROOT/configs/virtme.config"
		   "$ROOT/configs/rust.config")
	;;
kasan)
	[ -x "${LLVM_PREFIX}clang" ] || die "no clang-19: run tools/setup.sh"
	base_target=tinyconfig
	fragments=("$LINUX/kernel/configs/kvm_guest.config" "$ROOT/configs/virtme.config"
		   "$ROOT/configs/rust.config" "$ROOT/configs/debug.config" "$ROOT/configs/kasan.config")
	make_args=(-C "$LINUX" O="$out" LLVM="$LLVM_PREFIX" CC="ccache ${LLVM_PREFIX}clang" -j"$(nproc)")
	# bindgen parses the headers with the libclang of the compiler that
	# builds the C side, so that both see the same layouts.
	LIBCLANG_PATH=/usr/lib/llvm-19/lib
	;;
defconfig)
	base_target=defconfig
	fragments=("$ROOT/configs/virtme.config" "$ROOT/configs/rust.config")
	;;
*) die "unknown flavour '$flavour'" ;;
esac
fragments+=("$ROOT/configs/binfmt.config" "$impl_config")

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

log "building $flavour-$impl (${targets[*]:-all})"
start=$(date +%s)
# The full log goes to a file; the terminal gets warnings, errors and a
# step counter.
blog="$out/build.log"
make "${make_args[@]}" "${targets[@]}" 2>&1 | tee "$blog" |
	awk '/[Ee]rror|[Ww]arning:/ { print; next } NR % 500 == 0 { printf "  ... %d steps\n", NR; fflush() }'
status=${PIPESTATUS[0]}
log "build finished in $(( $(date +%s) - start ))s with status $status"
exit "$status"
