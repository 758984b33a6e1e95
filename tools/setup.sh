#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what building and booting the series needs. Idempotent: a second
# run checks and installs nothing. Only bookworm's own sources are used.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

debs=(build-essential bc bison flex libelf-dev libssl-dev cpio dwarves ccache
      quilt rsync kmod xz-utils zstd python3-venv git
      qemu-system-x86 udev busybox-static
      bpftool libcap-dev zlib1g-dev
      qemu-user-static
      clang-19 lld-19 llvm-19
      git-email linux-perf)
missing=()
for p in "${debs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing Debian packages (run as root): ${missing[*]}"
	if grep -rqsE '\b(trixie|sid|unstable|testing)\b' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; then
		die "apt's sources name a newer suite; installing now would upgrade libc6: remove it first"
	fi
	log "installing: ${missing[*]}"
	apt-get -qq update
	DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v rustup >/dev/null || die "rustup not found: install the Rust toolchain first"
if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
	log "adding rust-src"
	rustup component add rust-src
fi

if ! bindgen --version 2>/dev/null | grep -q '0\.72\.1'; then
	log "installing bindgen-cli 0.72.1"
	cargo install --locked bindgen-cli --version 0.72.1
fi

# checkpatch's SPDX check wants ply and GitPython; tools/bench-report.py
# draws its plot with matplotlib; tools/send.sh checks the series with b4;
# checkpatch's --codespell reads codespell's dictionary.
if [ ! -x "$VENV/bin/vng" ] || [ ! -x "$VENV/bin/b4" ] ||
   ! "$VENV/bin/python3" -c 'import clang, ply, git, ziglang, matplotlib, codespell_lib' 2>/dev/null; then
	log "creating $VENV (virtme-ng, libclang 18, checkpatch's SPDX check, zig's clang for bpf, matplotlib, b4, codespell)"
	python3 -m venv "$VENV"
	"$VENV/bin/pip" install -q 'virtme-ng==1.42' 'libclang==18.1.1' 'ply==3.11' 'GitPython==3.1.43' \
		'ziglang==0.17.1' 'matplotlib==3.11.2' 'b4==0.16.0' 'codespell==2.4.1'
fi
mkdir -p "$CCACHE_DIR"
ccache -M 20G >/dev/null

log "setup complete: rustc $(rustc --version | cut -d' ' -f2), bindgen $(bindgen --version | cut -d' ' -f2), libclang $(libclang_dir)"
