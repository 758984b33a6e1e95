#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unpack bookworm's busybox-static for arm64 (not installed: dpkg -x) and
# print the path of the binary. The package comes through a private apt
# state that knows only arm64, so the machine's dpkg architectures and
# sources stay as they are.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dest="$CACHE/arm64"
bin="$dest/root/bin/busybox"
if [ ! -x "$bin" ]; then
	state="$CACHE/apt-arm64"
	mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$dest"
	mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit }' /etc/apt/sources.list)
	echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm main" \
		>"$state/sources.list"
	apt_opts=(-o "Dir::Etc::sourcelist=$state/sources.list" -o Dir::Etc::sourceparts=-
		  -o "Dir::State::lists=$state/lists" -o "Dir::Cache=$state/cache"
		  -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root
		  -o APT::Architecture=arm64 -o APT::Architectures::=arm64)
	apt-get -qq "${apt_opts[@]}" update
	rm -f "$dest"/*.deb
	(cd "$dest" && apt-get -qq "${apt_opts[@]}" download busybox-static)
	dpkg-deb -x "$dest"/busybox-static_*_arm64.deb "$dest/root"
fi
echo "$bin"
