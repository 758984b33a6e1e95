#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Check every prefix of the series the way the Rust maintainers ask: with
# patches 1..k applied to the base, for each k, the tree builds, the build
# gives no warning under CLIPPY=1, and `make rustfmtcheck` is clean.
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

declare -a r_cfg r_build r_clippy r_fmt r_time
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
		r_cfg[i]="FAIL" r_build[i]=- r_clippy[i]=- r_fmt[i]=-
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
		if make -s -C "$tree" O="$out" RUSTFMT="rustfmt --color=never" rustfmtcheck \
			>"$logs/$nn-rustfmt.log" 2>&1; then
			r_fmt[i]=PASS
		else
			head -40 "$logs/$nn-rustfmt.log" >&2
			r_fmt[i]=FAIL fail=1
		fi
	fi
	cpu_unlock
	r_time[i]=$(fmt_time $(($(date +%s) - t0)))
done

width=5
for p in "${patches[@]}"; do [ "${#p}" -le "$width" ] || width=${#p}; done
row() { printf "%-3s %-${width}s %-10s %-10s %-10s %-8s %s\n" "$@"; }
echo
row '#' patch config build clippy rustfmt time
for ((i = from; i <= to; i++)); do
	row "$i" "${patches[i - 1]}" \
		"${r_cfg[i]:--}" "${r_build[i]:--}" "${r_clippy[i]:--}" "${r_fmt[i]:--}" "${r_time[i]:--}"
done
echo "logs: $logs; total $(fmt_time $(($(date +%s) - start_all)))"
if [ $fail = 0 ]; then log "every prefix $from..$to is clean"; else log "some prefix failed"; fi
exit $fail
