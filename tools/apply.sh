#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Apply patches/ to the base in linux/, on the branch "series", with git am,
# and check that quilt push -a yields the same files.
#
#   tools/apply.sh [--force]
#
# --force throws away uncommitted changes in linux/ first. The developer's
# own branch is never touched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

force=0
[ "${1:-}" = --force ] && force=1

git -C "$LINUX" rev-parse -q --verify base^{commit} >/dev/null || die "no base: run tools/fetch-base.sh"
if [ -n "$(git -C "$LINUX" status --porcelain --untracked-files=no)" ]; then
	[ $force = 1 ] || die "linux/ has uncommitted changes (use --force to drop them)"
	git -C "$LINUX" reset -q --hard
fi
git -C "$LINUX" am --abort >/dev/null 2>&1 || true

mapfile -t patches < <(grep -vE '^\s*(#|$)' "$ROOT/patches/series" | sed "s#^#$ROOT/patches/#")
log "git am: ${#patches[@]} patch(es) onto base"
git -C "$LINUX" checkout -q -B series base
if [ ${#patches[@]} -gt 0 ]; then
	git -C "$LINUX" -c user.name="rust-binfmt-misc apply" -c user.email=apply@rust-binfmt-misc.invalid \
		am -q --committer-date-is-author-date "${patches[@]}"
fi

# quilt works on a copy of just the files the series touches.
changed=$(git -C "$LINUX" diff --name-only base series)
if [ -n "$changed" ]; then
	log "quilt push -a on a copy of the touched files"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	existing=()
	while IFS= read -r f; do
		git -C "$LINUX" cat-file -e "base:$f" 2>/dev/null && existing+=("$f")
	done <<<"$changed"
	[ ${#existing[@]} = 0 ] || git -C "$LINUX" archive base -- "${existing[@]}" | tar -x -C "$tmp"
	(cd "$tmp" && QUILT_PATCHES="$ROOT/patches" quilt push -aq >/dev/null) || die "quilt push -a failed"
	while IFS= read -r f; do
		if [ -e "$tmp/$f" ]; then
			git -C "$LINUX" show "series:$f" | cmp -s - "$tmp/$f" ||
				die "git am and quilt disagree on $f"
		elif git -C "$LINUX" cat-file -e "series:$f" 2>/dev/null; then
			die "quilt did not create $f"
		fi
	done <<<"$changed"
fi
log "linux/ is at the series: $(git -C "$LINUX" log --oneline -1)"
