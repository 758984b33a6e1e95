#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Check every prefix of the series the way the Rust maintainers ask: with
# patches 1..k applied to the base, for each k, the tree builds, the build
# gives no warning under CLIPPY=1, the C files patch k touches build with
# W=1 and no warning, `make rustfmtcheck` and `make rustdoc` are clean,
# and checkpatch.pl --strict --codespell has nothing to say about patch k.
#
#   tools/check-series.sh [--from N] [--to N] [--flavour F] [--work DIR]
#
# --from/--to check the prefixes N..M only (default: all); a prefix still
# holds every patch from the first. --flavour is tools/build.sh's (default
# small). DIR (default .series-tree/ in this repository, which git
# ignores) keeps, between runs, a git worktree of linux/ (DIR/linux, at
# the base, then one `git am` a patch), the one build directory every
# prefix is built in (DIR/linux/.build-<flavour>-rust, so that a prefix
# only rebuilds what its patch changed and ccache serves the C objects
# linux/'s own builds made) and the logs of the last run (DIR/logs/).
# linux/'s checkout, index and HEAD are never touched.
#
# The configuration is the flavour's with the first implementation
# fragment the prefix's Kconfig gives in full: configs/binfmt-rust.config,
# else the same without CONFIG_BINFMT_MISC_BPF (the prefixes whose Rust
# implementation excludes bpf handlers), or configs/binfmt-c.config before
# the series adds the Rust implementation (rust/kernel/ is built all the
# same). It is made again for the first prefix checked and after a patch
# that changes a Kconfig file.
#
# "clippy" fails on any `warning:` line of the build: clippy's and rustc's,
# and gcc's or the linker's too (the base builds without one). A warning is
# reported by the prefix that compiles the code that has it: a later prefix
# that does not rebuild that code does not repeat it.
#
# "W=1" compiles again, to /dev/null, the objects of the C files the patch
# adds or changes (rust/helpers/*.c are one object, rust/helpers/helpers.o),
# with their saved kbuild command changed the way scripts/Makefile.warn
# changes it for W=1: a real W=1 build would change the flags bindgen sees
# and rebuild the kernel crate for every prefix, and the base does not
# build clean with W=1 everywhere. A file the configuration does not build
# is skipped. "rustdoc" fails on any warning of make rustdoc.
#
# Each prefix's configure, build and rustfmtcheck run under flock on
# RBM_CPU_LOCK (default /tmp/rbm-cpu.lock, which other jobs on this machine
# take too; empty: no lock). Do not run this script under that lock
# itself. It takes minutes a patch (the kernel crate is rebuilt under
# clippy), longer the first time: it is not part of tools/test.sh.
# Prints a table; exits nonzero when any check of any prefix failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

from=1 to="" flavour=small work="$ROOT/.series-tree"
while [ $# -gt 0 ]; do
	case "$1" in
	--from) from=$2; shift 2 ;;
	--to) to=$2; shift 2 ;;
	--flavour) flavour=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	*) die "unknown argument '$1' (see the top of $0)" ;;
	esac
done
lock=${RBM_CPU_LOCK-/tmp/rbm-cpu.lock}

mapfile -t patches < <(grep -vE '^\s*(#|$)' "$ROOT/patches/series")
n=${#patches[@]}
[ "$n" -gt 0 ] || die "patches/series is empty"
[ -n "$to" ] || to=$n
for v in "$from" "$to"; do
	[[ $v =~ ^[0-9]+$ ]] || die "not a patch number: '$v'"
done
if [ "$from" -lt 1 ] || [ "$from" -gt "$to" ] || [ "$to" -gt "$n" ]; then
	die "need 1 <= --from ($from) <= --to ($to) <= $n"
fi

git -C "$LINUX" rev-parse -q --verify 'base^{commit}' >/dev/null || die "no base: run tools/fetch-base.sh"
mkdir -p "$work"
work=$(cd "$work" && pwd)
tree="$work/linux"
[ "$tree" != "$LINUX" ] || die "--work must not hold linux/ itself"
# One run at a time in a work directory.
exec {work_fd}>>"$work/.lock"
flock -n "$work_fd" || die "another check-series.sh runs in $work"

# The worktree: made once, then put back at the base for every run.
common=$(git -C "$LINUX" rev-parse --path-format=absolute --git-common-dir)
if [ -e "$tree/.git" ]; then
	[ "$(git -C "$tree" rev-parse --path-format=absolute --git-common-dir)" = "$common" ] ||
		die "$tree is not a worktree of $LINUX"
else
	log "making a worktree of linux/ in $tree"
	# -f: a worktree of that path whose directory was removed is still
	# registered.
	git -C "$LINUX" worktree add -q -f --detach "$tree" base
fi
git -C "$tree" am --abort >/dev/null 2>&1 || true
git -C "$tree" checkout -q -f --detach base
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] || die "$tree is not clean at the base"
out=$(LINUX=$tree build_dir "$flavour" rust)
logs="$work/logs"
rm -rf "$logs"
mkdir -p "$logs"

# What apply.sh uses, so that the commits are the same; no gc in a
# repository other jobs use.
am() {
	git -C "$tree" -c user.name="rust-binfmt-misc apply" -c user.email=apply@rust-binfmt-misc.invalid \
		-c gc.auto=0 -c maintenance.auto=false am -q --committer-date-is-author-date "$@"
}

build() { RBM_LINUX=$tree "$ROOT/tools/build.sh" --flavour "$flavour" --impl rust "$@"; }

cpu_lock() {
	[ -n "$lock" ] || return 0
	exec {lock_fd}>>"$lock"
	if ! flock -n "$lock_fd"; then
		log "waiting for $lock"
		flock "$lock_fd"
	fi
}
cpu_unlock() {
	[ -n "$lock" ] || return 0
	flock -u "$lock_fd"
	exec {lock_fd}>&-
}

# The implementation fragments a prefix may be built with, best first.
impl_candidates() {
	if [[ " $(LINUX=$tree available_impls) " == *" rust "* ]]; then
		echo rust rust-nobpf
	else
		echo c
	fi
}
write_impl_config() {
	case "$1" in
	rust) cat "$ROOT/configs/binfmt-rust.config" ;;
	rust-nobpf)
		sed 's/^CONFIG_BINFMT_MISC_BPF=y$/# CONFIG_BINFMT_MISC_BPF is not set/' \
			"$ROOT/configs/binfmt-rust.config" ;;
	c) cat "$ROOT/configs/binfmt-c.config" ;;
	esac >"$work/impl.config"
}

# The warnings of a build log: every `warning:` line but rustc's counts of
# them.
warnings() {
	grep -E '(^|: )warning(\[[^]]*\])?: ' "$1" | grep -cvE '^warning: [0-9]+ warnings? emitted' || true
}
# rustc's warnings with their location (up to the blank line that ends
# each), and gcc's lines.
show_warnings() {
	awk '/^warning: [0-9]+ warnings? emitted/ { next }
	     /^warning(\[[^]]*\])?: / { on = 1 }
	     /: warning: / { print; next }
	     on { print } /^$/ { on = 0 }' "$1" | head -60 >&2
}

fmt_time() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# The objects of the C files a patch adds or changes that the build made.
touched_objects() {
	git -C "$tree" diff --name-only --diff-filter=AM HEAD~1 HEAD -- '*.c' |
		sed 's|^rust/helpers/.*\.c$|rust/helpers/helpers.c|' | sort -u |
		while IFS= read -r c; do
			[ -f "$out/${c%.c}.o" ] && echo "${c%.c}.o"
		done
}

# Compile objects again with W=1's flags: scripts/Makefile.warn's W=1
# block adds the flags of its first branch and leaves out those of its else.
w1_compile() {
	python3 - "$tree/scripts/Makefile.warn" "$out" "$@" <<'PY2'
import os
import re
import shlex
import subprocess
import sys

warn, out, objs = sys.argv[1], sys.argv[2], sys.argv[3:]
lines = open(warn).read().split("\n")
start = lines.index("ifneq ($(findstring 1, $(KBUILD_EXTRA_WARN)),)")
add, drop, depth, adding = [], set(), 0, True
for line in lines[start + 1:]:
    s = line.split("#")[0].strip()
    if re.match(r"if(n?def|n?eq)\b", s):
        depth += 1
    elif s == "else" and depth == 0:
        adding = False
    elif s == "endif":
        if depth == 0:
            break
        depth -= 1
    elif s != "else":
        for flag in re.findall(r"(?<![\w-])-[WD][\w=+-]+", s):
            if adding:
                add.append(flag)
            else:
                drop.add(flag)
status = 0
for obj in objs:
    d, b = os.path.split(obj)
    cmd = open(os.path.join(out, d, "." + b + ".cmd")).readline()
    argv = shlex.split(cmd.split(":=", 1)[1])
    # What follows the compiler's command (objtool, say) is not compiling.
    argv = argv[:argv.index(";")] if ";" in argv else argv
    new, skip = [], False
    for a in argv:
        if skip:
            new.append("/dev/null")
            skip = False
        elif a == "-o":
            new.append(a)
            skip = True
        elif a not in drop and not a.startswith("-Wp,-MMD"):
            new.append(a)
    print("W=1:", obj, flush=True)
    status |= subprocess.run(new + add, cwd=out).returncode
sys.exit(status)
PY2
}

checkpatch() {
	(cd "$tree" && scripts/checkpatch.pl --strict --codespell --no-summary --terse \
		--ignore MISSING_SIGN_OFF,FILE_PATH_CHANGES "$1")
}

declare -a r_cfg r_build r_clippy r_w1 r_fmt r_doc r_cp r_time
fail=0 config="" reconf=1 start_all=$(date +%s)
log "checking prefixes $from..$to of $n in $tree (build: $out)"
for ((i = 1; i <= to; i++)); do
	p=${patches[i - 1]} nn=$(printf %02d "$i")
	if ! am "$ROOT/patches/$p" >"$logs/$nn-am.log" 2>&1; then
		cat "$logs/$nn-am.log" >&2
		git -C "$tree" am --abort >/dev/null 2>&1 || true
		log "$p does not apply: no prefix from $i on is checked"
		r_build[i]="FAIL (am)" fail=1
		break
	fi
	# A changed Kconfig can change what the fragments give.
	if git -C "$tree" diff --name-only HEAD~1 HEAD |
		grep -qE '(^|/)Kconfig[^/]*$|(^|/)configs/[^/]*\.config$'; then
		reconf=1
	fi
	[ "$i" -ge "$from" ] || continue

	log "[$i/$to] $p"
	cpu_lock
	t0=$(date +%s)
	if [ $reconf = 1 ]; then
		config=""
		: >"$logs/$nn-config.log"
		for c in $(impl_candidates); do
			write_impl_config "$c"
			if build --impl-config "$work/impl.config" --reconfigure --config-only \
				>>"$logs/$nn-config.log" 2>&1; then
				config=$c
				break
			fi
		done
		reconf=0
	fi
	if [ -z "$config" ]; then
		cat "$logs/$nn-config.log" >&2
		r_cfg[i]="FAIL" r_build[i]=- r_clippy[i]=- r_w1[i]=- r_fmt[i]=- r_doc[i]=-
		fail=1
		reconf=1
	else
		r_cfg[i]=$config
		rm -f "$out/build.log"
		if build --impl-config "$work/impl.config" CLIPPY=1; then
			r_build[i]=PASS
		else
			r_build[i]=FAIL fail=1
		fi
		cp "$out/build.log" "$logs/$nn-build.log" 2>/dev/null || : >"$logs/$nn-build.log"
		w=$(warnings "$logs/$nn-build.log")
		if [ "$w" = 0 ]; then
			# A build that stopped early may not have reached the Rust code.
			[ "${r_build[i]}" = PASS ] && r_clippy[i]=PASS || r_clippy[i]=-
		else
			show_warnings "$logs/$nn-build.log"
			r_clippy[i]="FAIL ($w)" fail=1
		fi
		mapfile -t objs < <(touched_objects)
		if [ ${#objs[@]} = 0 ]; then
			r_w1[i]=-
		elif w1_compile "${objs[@]}" >"$logs/$nn-w1.log" 2>&1 &&
		     [ "$(warnings "$logs/$nn-w1.log")" = 0 ]; then
			r_w1[i]="PASS (${#objs[@]})"
		else
			show_warnings "$logs/$nn-w1.log"
			r_w1[i]=FAIL fail=1
		fi
		if make -s -C "$tree" O="$out" RUSTFMT="rustfmt --color=never" rustfmtcheck \
			>"$logs/$nn-rustfmt.log" 2>&1; then
			r_fmt[i]=PASS
		else
			head -40 "$logs/$nn-rustfmt.log" >&2
			r_fmt[i]=FAIL fail=1
		fi
		if RBM_LINUX=$tree "$ROOT/tools/build.sh" --flavour "$flavour" --impl rust \
			--impl-config "$work/impl.config" rustdoc >/dev/null 2>&1 &&
		   cp "$out/build.log" "$logs/$nn-rustdoc.log" &&
		   [ "$(warnings "$logs/$nn-rustdoc.log")" = 0 ]; then
			r_doc[i]=PASS
		else
			cp "$out/build.log" "$logs/$nn-rustdoc.log" 2>/dev/null || true
			show_warnings "$logs/$nn-rustdoc.log"
			r_doc[i]=FAIL fail=1
		fi
	fi
	cpu_unlock
	if checkpatch "$ROOT/patches/$p" >"$logs/$nn-checkpatch.log" 2>&1 &&
	   [ ! -s "$logs/$nn-checkpatch.log" ]; then
		r_cp[i]=PASS
	else
		head -20 "$logs/$nn-checkpatch.log" >&2
		r_cp[i]=FAIL fail=1
	fi
	r_time[i]=$(fmt_time $(($(date +%s) - t0)))
done

width=5
for p in "${patches[@]}"; do [ "${#p}" -le "$width" ] || width=${#p}; done
row() { printf "%-3s %-${width}s %-10s %-6s %-8s %-8s %-7s %-7s %-10s %s\n" "$@"; }
echo
row '#' patch config build clippy W=1 rustfmt rustdoc checkpatch time
for ((i = from; i <= to; i++)); do
	row "$i" "${patches[i - 1]}" \
		"${r_cfg[i]:--}" "${r_build[i]:--}" "${r_clippy[i]:--}" "${r_w1[i]:--}" \
		"${r_fmt[i]:--}" "${r_doc[i]:--}" "${r_cp[i]:--}" "${r_time[i]:--}"
done
echo "logs: $logs; total $(fmt_time $(($(date +%s) - start_all)))"
if [ $fail = 0 ]; then log "every prefix $from..$to is clean"; else log "some prefix failed"; fi
exit $fail
