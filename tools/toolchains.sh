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

# "ours base": the build log's warnings in files the series changes and in
# the others. rustc and clippy name the file on the "-->" line after the
# warning, gcc on the warning's own line.
count_warnings() {
	git -C "$LINUX" diff --name-only base HEAD >"$CACHE/.series-files"
	python3 - "$1" "$CACHE/.series-files" <<'PY2'
import re
import sys

log, files = sys.argv[1], set(open(sys.argv[2]).read().split())
ours = base = 0
pending = False
for line in open(log, errors="replace"):
    if re.match(r"warning: \d+ warnings? emitted", line):
        continue
    m = re.match(r"(\S+?):\d+:\d+: warning: ", line)
    if m or line.startswith(("warning: ", "warning[")):
        if pending:
            base += 1
        pending = not m
        if m:
            path = m.group(1).removeprefix("../")
            ours, base = (ours + 1, base) if path in files else (ours, base + 1)
        continue
    m = re.match(r"\s*--> (\S+?):\d+:\d+", line)
    if pending and m:
        path = m.group(1).removeprefix("../")
        ours, base = (ours + 1, base) if path in files else (ours, base + 1)
        pending = False
if pending:
    base += 1
print(ours, base)
PY2
}

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
		# A warning in a file the series touches fails the verdict (RfL
		# asks for clean builds); one in a file of the base only is named.
		read -r ours base < <(count_warnings "$out/build.log")
		note=""
		[ "$base" = 0 ] || note=" ($base warning(s) in the base's own files)"
		if [ "$ours" = 0 ]; then
			verdict[$tc]="PASS  $(( $(date +%s) - start ))s  $rustc_v; $cc_v; $bindgen_v${args[*]:+; ${args[*]}}$note"
		else
			verdict[$tc]="FAIL  $ours warning(s) in the series' files, see $out/build.log$note"
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
