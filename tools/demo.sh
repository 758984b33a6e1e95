#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The main job, from a fresh machine: set up, fetch the base, apply the
# series, build, boot, and inside an unprivileged container register
# qemu-user for aarch64 and run an arm64 binary through binfmt_misc.
#
#   tools/demo.sh [--impl c|rust]    (default: rust where the series has it)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

impl=""
[ "${1:-}" = --impl ] && impl=$2

"$ROOT/tools/setup.sh"
"$ROOT/tools/fetch-base.sh"
"$ROOT/tools/apply.sh"
[ -n "$impl" ] || impl=$(available_impls | awk '{ print $NF }')
"$ROOT/tools/build.sh" --impl "$impl"
busybox=$("$ROOT/tools/fetch-arm64.sh")
log "running the container demo on the $impl binfmt_misc"
"$ROOT/tools/vm-run.sh" --impl "$impl" -- "$ROOT/tools/guest/aarch64-container.sh" "$busybox"
