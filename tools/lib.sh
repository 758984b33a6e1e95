# SPDX-License-Identifier: GPL-2.0
# Common settings for the project's scripts. Sourced, never run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The kernel tree the scripts work on; RBM_LINUX points them at another
# checkout of it (tools/check-series.sh builds a worktree of its own).
LINUX="${RBM_LINUX:-$ROOT/linux}"
# Caches live outside the clone: they only make a second run faster.
CACHE="${RBM_CACHE:-$HOME/.cache/rust-binfmt-misc}"
VENV="$CACHE/venv"
export CCACHE_DIR="${CCACHE_DIR:-$CACHE/ccache}"
# Builds live in direct subdirectories of linux/, where kbuild names the
# source tree "..": no absolute path reaches a compiler command line, so a
# clone elsewhere (CI's) hits the same ccache entries. The working
# directory would still be hashed for the debug info's sake; it only names
# the directory in DW_AT_comp_dir.
export CCACHE_NOHASHDIR=1
export PATH="$VENV/bin:$HOME/.cargo/bin:$PATH"

# Debian's libclang is too old for 7.3's bindgen; the PyPI wheel carries 18.
libclang_dir() {
	"$VENV/bin/python3" - <<'PY' 2>/dev/null
import os, clang
print(os.path.join(os.path.dirname(clang.__file__), "native"))
PY
}

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The base: Linux 7.3 as Debian ships it (7.3.4), pinned by checksum.
BASE_DEB_VERSION="7.3.4-1~bpo13+1"
BASE_DEB_SUITE="trixie-backports"
BASE_TARBALL_SHA256="76df1affb19f24926949369be1d74b60071c963c598ce8780bddd4bbf0fc3bc4"
UPSTREAM_URL="https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git"
UPSTREAM_TAG="v7.3"
# The base commit is made with a fixed identity and date, so its id only
# depends on the tree: the same tarball gives the same commit everywhere.
BASE_IDENT_NAME="rust-binfmt-misc base"
BASE_IDENT_EMAIL="base@rust-binfmt-misc.invalid"
BASE_DATE="2026-11-15T22:30:00Z"
# What the above yields; the gitlink of linux/ in this repository names it.
BASE_COMMIT="2f7e56952cef84e39783bc85616396adcd2f70c9"

# The fuzz cases every test run compares across implementations (sized to
# CI's time); tools/fuzz.sh runs longer campaigns.
FUZZ_SEED=${RBM_FUZZ_SEED:-20261201}
FUZZ_CASES=${RBM_FUZZ_CASES:-400}
# How long each implementation's stress run races (sized to CI's time).
STRESS_SECONDS=${RBM_STRESS_SECONDS:-90}

# One build directory per flavour and implementation, kept between runs.
# A toolchain other than the flavour's own (gcc; llvm for kasan) gets a
# directory of its own.
build_dir() {
	case "$1:${3:-gcc}" in
	*:gcc | kasan:llvm) echo "$LINUX/.build-$1-$2" ;;
	*) echo "$LINUX/.build-$1-$2-$3" ;;
	esac
}

# 7.3's minimum Rust toolchain (scripts/min-tool-version.sh), which
# tools/toolchains.sh builds with.
MIN_RUSTC=1.85.0
MIN_BINDGEN=0.71.1

# The implementations linux/ offers: C always, Rust once the series adds it.
available_impls() {
	if grep -q '^config BINFMT_MISC_RUST$' "$LINUX/fs/Kconfig.binfmt" 2>/dev/null; then
		echo c rust
	else
		echo c
	fi
}

# The options of the per-implementation runners: --impl (default c) sets
# $impl, --flavour (default small) the build in $flavour, --out sets $out,
# else a new directory /tmp/rbm-NAME.*; $out is made absolute and the
# remaining arguments are left in $args.
parse_impl_out() {
	local name=$1
	shift
	impl=c flavour=small out=""
	while [ $# -gt 0 ]; do
		case "$1" in
		--impl) impl=$2; shift 2 ;;
		--flavour) flavour=$2; shift 2 ;;
		--out) out=$2; shift 2 ;;
		*) break ;;
		esac
	done
	args=("$@")
	[ -n "$out" ] || out=$(mktemp -d "/tmp/rbm-$name.XXXXXX")
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
}

# A runner's steps: step NAME CMD... runs CMD and records its verdict and
# time; summary prints them and fails when one failed. The caller sets
# $started and $out.
results=()
step() {
	local name=$1 t0 rc
	shift
	log "[$name]"
	t0=$(date +%s)
	"$@"
	rc=$?
	results+=("$(printf '%-6s %-34s %4ss' "$([ $rc = 0 ] && echo PASS || echo FAIL)" "$name" $(( $(date +%s) - t0 )))")
	return $rc
}
summary() {
	local pass=0 fail=0 r
	echo
	echo "== results (logs in $out)"
	for r in "${results[@]}"; do
		echo "  $r"
		case "$r" in PASS*) pass=$((pass + 1)) ;; *) fail=$((fail + 1)) ;; esac
	done
	echo "  total time: $(( $(date +%s) - started ))s"
	echo "$pass passed, $fail failed"
	[ $fail = 0 ]
}

# Observations of two implementations must be the same bytes; a diff is
# shown only when they are not.
same() {
	cmp -s "$1" "$2" && return 0
	diff -u "$1" "$2" | head -n 200
	return 1
}

# With two implementations, the steps that compare their conformance boots
# ($out/conformance-IMPL): transcripts, fuzz cases and fault sweeps.
compare_impls() {
	[ $# -gt 1 ] || return 0
	local a="$out/conformance-$1" b="$out/conformance-$2"
	step "transcripts-identical" same "$a/transcript.txt" "$b/transcript.txt"
	step "fuzz-identical" "$ROOT/tools/fuzz-diverging.py" "$a/fuzz.txt" "$b/fuzz.txt"
	step "faults-identical" same "$a/faults.txt" "$b/faults.txt"
}
