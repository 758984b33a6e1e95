#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest as root, for tools/profile.sh: profiles binfmt_misc's
# control path with perf (cpu-clock, call graphs, every CPU) while one
# process registers ENTRIES magic entries, removes half of them with -1
# and the rest with `-1` to status, ROUNDS times; then writes what the
# host-side analysis reads into OUT.
#
#   profile-control.sh OUT ROUNDS ENTRIES
set -eu
out=$1 rounds=$2 entries=$3
bm=/proc/sys/fs/binfmt_misc
mountpoint -q $bm || mount -t binfmt_misc none $bm
cat >/tmp/control.py <<'PY'
import os, sys
bm = '/proc/sys/fs/binfmt_misc'
rounds, n = int(sys.argv[1]), int(sys.argv[2])
register = os.open(bm + '/register', os.O_WRONLY)
status = os.open(bm + '/status', os.O_WRONLY)
lines = [b':m%d:M::BMB%05d::/i:' % (i, i) for i in range(n)]
halves = [bm + '/m%d' % i for i in range(n // 2)]
for _ in range(rounds):
    for line in lines:
        os.write(register, line)
    for path in halves:
        fd = os.open(path, os.O_WRONLY)
        os.write(fd, b'-1')
        os.close(fd)
    os.write(status, b'-1')
PY
# A short run first: a workload that fails must not pass for a profile.
python3 /tmp/control.py 1 10
# perf writes its data through mmap, which the shared directory refuses:
# it goes to the guest's tmpfs, and only the text crosses over.
perf record -q -o /tmp/perf.data -a -g -e cpu-clock -F 1999 -- \
	python3 /tmp/control.py "$rounds" "$entries"
perf script -i /tmp/perf.data --comm python3 -F comm,ip,sym >"$out/script.txt" 2>/dev/null
