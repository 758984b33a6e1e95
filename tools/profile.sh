#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Profile the control path of both implementations with perf in the guest
# and tabulate, C against Rust, where registering spends its samples:
# file creation, copying from user space, allocation, parsing, freeing and
# the handler's own code. It explains the control-path rows of
# tools/bench.sh; it measures no time itself.
#
#   tools/profile.sh [--register] [--rounds R] [--entries N] [--out DIR]
#
# Boots the bench flavour (tools/build.sh --flavour bench) of each
# implementation once; each registers N (default 5000) entries and removes
# them R (default 80) times. DIR (default: a new temporary directory) gets
# IMPL/script.txt, perf's call chains, and profile.md, the table.
#
# --register profiles registering alone, flat (no call graphs): R
# (default 6) rounds of N (default 20000) registrations each, recorded one
# by one, the entries flushed in between. DIR gets IMPL/report-R.txt and
# IMPL/times.txt, and profile-register.md, the table: the workload's
# kernel samples and the functions whose samples differ most.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rounds="" entries="" out="" register=0
while [ $# -gt 0 ]; do
	case "$1" in
	--register) register=1; shift ;;
	--rounds) rounds=$2; shift 2 ;;
	--entries) entries=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) die "unknown option $1" ;;
	esac
done
if [ $register = 1 ]; then
	rounds=${rounds:-6} entries=${entries:-20000}
	guest=profile-register.sh
else
	rounds=${rounds:-80} entries=${entries:-5000}
	guest=profile-control.sh
fi
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$entries" =~ ^[1-9][0-9]*$ ]] ||
	die "--rounds and --entries take positive numbers"
command -v perf >/dev/null || die "perf is not installed (tools/setup.sh installs it)"
[ -n "$out" ] || out=$(mktemp -d /tmp/rbm-profile.XXXXXX)
mkdir -p "$out"
out=$(cd "$out" && pwd)

for impl in c rust; do
	"$ROOT/tools/build.sh" --flavour bench --impl "$impl"
	mkdir -p "$out/$impl"
	"$ROOT/tools/vm-run.sh" --impl "$impl" --flavour bench --out "$out/$impl" -- \
		"$ROOT/tools/guest/$guest" "$out/$impl" "$rounds" "$entries"
done
if [ $register = 1 ]; then
	python3 "$ROOT/tools/profile-flat-report.py" "$out/c" "$out/rust" |
		tee "$out/profile-register.md"
	log "profile in $out/profile-register.md"
else
	python3 "$ROOT/tools/profile-report.py" "$out/c/script.txt" "$out/rust/script.txt" |
		tee "$out/profile.md"
	log "profile in $out/profile.md"
fi
