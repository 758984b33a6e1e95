#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What CI runs: the README's test command. CI has 90 minutes on a 2-core
# machine; the caches under ~/.cache/rust-binfmt-misc only make it faster.
# The last line printed is the test command's "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
exec tools/test.sh
