#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest as root, for tools/profile.sh --register: a flat
# profile (perf, cpu-clock, every CPU, no call graphs) of one process
# registering ENTRIES magic entries, ROUNDS times, each round recorded on
# its own and the entries flushed outside the recording. Flat, because
# the unwinder's frames above a Rust function are not always right: a
# function's own samples are exact, whoever called it.
#
#   profile-register.sh OUT ROUNDS ENTRIES
set -eu
out=$1 rounds=$2 entries=$3
bm=/proc/sys/fs/binfmt_misc
mountpoint -q $bm || mount -t binfmt_misc none $bm
cat >/tmp/register.py <<'PY'
import os, sys, time
bm = '/proc/sys/fs/binfmt_misc'
n = int(sys.argv[1])
register = os.open(bm + '/register', os.O_WRONLY)
lines = [b':m%d:M::BMB%05d::/i:' % (i, i) for i in range(n)]
start = time.perf_counter_ns()
for line in lines:
    os.write(register, line)
print('ns per registration', (time.perf_counter_ns() - start) // n)
PY
# A short run first: a workload that fails must not pass for a profile.
python3 /tmp/register.py 10
echo -1 >$bm/status
for r in $(seq "$rounds"); do
	# perf writes its data through mmap, which the shared directory
	# refuses: it goes to the guest's tmpfs, and only the text crosses.
	perf record -q -o /tmp/perf.data -a -e cpu-clock -F 1999 -- \
		python3 /tmp/register.py "$entries" >>"$out/times.txt"
	perf report -i /tmp/perf.data --stdio --no-children --sort comm,sym \
		-F sample,comm,sym 2>/dev/null >"$out/report-$r.txt"
	echo -1 >$bm/status
done
