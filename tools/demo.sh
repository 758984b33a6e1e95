#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The main job, from a fresh machine: set up, fetch the base, apply the
# series, build, boot, and inside an unprivileged container register
# qemu-user for aarch64 and run an arm64 binary through binfmt_misc.
#
#   tools/demo.sh [--impl c|rust] [--flavour small|defconfig]
#
# The implementation defaults to rust where the series has it. The small
# flavour builds in about 15 minutes here; --flavour defconfig is the users'
# path in full, `make defconfig` plus configs/ with CONFIG_BINFMT_MISC_RUST=y,
# and takes about an hour to build from scratch on 2 cores.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

impl="" flavour=small
while [ $# -gt 0 ]; do
	case "$1" in
	--impl) impl=$2; shift 2 ;;
	--flavour) flavour=$2; shift 2 ;;
	*) die "unknown argument $1" ;;
	esac
done
case "$flavour" in small | defconfig) ;; *) die "the demo boots the small or the defconfig flavour" ;; esac

"$ROOT/tools/setup.sh"
"$ROOT/tools/fetch-base.sh"
"$ROOT/tools/apply.sh"
[ -n "$impl" ] || impl=$(available_impls | awk '{ print $NF }')
"$ROOT/tools/build.sh" --flavour "$flavour" --impl "$impl"
busybox=$("$ROOT/tools/fetch-arm64.sh")
log "running the container demo on the $impl binfmt_misc ($flavour)"
"$ROOT/tools/vm-run.sh" --flavour "$flavour" --impl "$impl" -- "$ROOT/tools/guest/aarch64-container.sh" "$busybox"
