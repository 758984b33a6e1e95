#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Rust-for-Linux toolchain matrix: build the series (the Rust
# implementation) with each toolchain and give one verdict each.
#
#   tools/toolchains.sh [--setup] [TOOLCHAIN...]
#
# TOOLCHAIN is one of tools/build.sh's (default: all of them):
#   gcc        GCC 12, rustup's rustc (1.95 here), bindgen 0.72.1: what CI builds
#   llvm       LLVM=1 with bookworm's clang, lld and llvm 19, built as the kasan
#              flavour (generic KASAN), the build that needs LLVM
#   rustc-web  bookworm's rustc-web and rust-web-src, the newest rustc the
#              registries give (1.96 here), with bindgen 0.72.1
#   rustc-min  7.3's minimum (scripts/min-tool-version.sh): rustc 1.85.0 from
#              rustup, bindgen 0.71.1 from crates
# Each builds with CLIPPY=1 where the toolchain has clippy (rustc-web has
# none) and fails on any warning. --setup installs the toolchains first:
# rustc-web from bookworm (root), rustc 1.85.0 through rustup and bindgen
# 0.71.1 into the cache, beside the default ones. The builds run outside
# CI (each toolchain has its own build directory; a first build takes 10
# to 30 minutes here, a second one a few).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

setup=0
[ "${1:-}" = --setup ] && { setup=1; shift; }
toolchains=("$@")
[ ${#toolchains[@]} -gt 0 ] || toolchains=(gcc llvm rustc-web rustc-min)

if [ $setup = 1 ]; then
	set -e
	"$ROOT/tools/setup.sh"
	for p in rustc-web rust-web-src; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" && continue
		[ "$(id -u)" = 0 ] || die "installing $p needs root"
		log "installing $p (bookworm)"
		DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends "$p" >/dev/null
	done
	if ! rustup run "$MIN_RUSTC" rustc --version >/dev/null 2>&1; then
		log "installing rustc $MIN_RUSTC (rustup)"
		rustup toolchain install "$MIN_RUSTC" --profile minimal -c rust-src -c clippy -c rustfmt
	fi
	if [ ! -x "$CACHE/bindgen-$MIN_BINDGEN/bin/bindgen" ]; then
		log "installing bindgen-cli $MIN_BINDGEN into $CACHE"
		cargo install --locked bindgen-cli --version "$MIN_BINDGEN" --root "$CACHE/bindgen-$MIN_BINDGEN"
	fi
	set +e
fi

declare -A verdict
for tc in "${toolchains[@]}"; do
	args=()
	[ "$tc" = rustc-web ] || args+=(CLIPPY=1)
	flavour=small
	[ "$tc" != llvm ] || flavour=kasan
	log "toolchain $tc ($flavour flavour)"
	start=$(date +%s)
	out=$(build_dir "$flavour" rust "$tc")
	if "$ROOT/tools/build.sh" --flavour "$flavour" --impl rust --toolchain "$tc" "${args[@]}"; then
		rustc_v=$(sed -n 's/^CONFIG_RUSTC_VERSION_TEXT="\(.*\)"$/\1/p' "$out/.config")
		bindgen=bindgen
		[ "$tc" != rustc-min ] || bindgen="$CACHE/bindgen-$MIN_BINDGEN/bin/bindgen"
		bindgen_v=$("$bindgen" --version)
		cc_v=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$out/.config")
		# Warnings fail the verdict: RfL asks for clean builds.
		warnings=$(grep -cE '^(warning|.*: warning:)' "$out/build.log")
		if [ "$warnings" = 0 ]; then
			verdict[$tc]="PASS  $(( $(date +%s) - start ))s  $rustc_v; $cc_v; $bindgen_v${args[*]:+; ${args[*]}}"
		else
			verdict[$tc]="FAIL  $warnings warning(s) in $out/build.log"
		fi
	else
		verdict[$tc]="FAIL  build failed: $out/build.log"
	fi
done

echo
fail=0
for tc in "${toolchains[@]}"; do
	printf '%-10s %s\n' "$tc" "${verdict[$tc]}"
	case "${verdict[$tc]}" in FAIL*) fail=1 ;; esac
done
exit $fail
