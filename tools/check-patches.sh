#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch --strict --codespell on every patch of the series. The patches carry an
# Assisted-by: trailer and no Signed-off-by: (the human submitter signs, per
# Documentation/process/coding-assistants.rst), so that report is ignored.
# So is "does MAINTAINERS need updating?", which checkpatch gives any patch
# that adds a file without touching MAINTAINERS: instead, every file a
# patch adds must have a maintainer in the patched tree's MAINTAINERS.
# Also checks that no patch carries a Signed-off-by: and that one author
# wrote them all.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fail=0 n=0 author=""
while IFS= read -r p; do
	n=$((n + 1))
	f="$ROOT/patches/$p"
	from=$(grep -m1 '^From: ' "$f" || true)
	[ -n "$author" ] || author=$from
	if [ "$from" != "$author" ]; then
		echo "$p: author '${from#From: }', not '${author#From: }'" >&2; fail=1
	fi
	if grep -q '^Signed-off-by:' "$f"; then
		echo "$p: carries a Signed-off-by:" >&2; fail=1
	fi
	grep -q '^Assisted-by:' "$f" || { echo "$p: no Assisted-by: trailer" >&2; fail=1; }
	while IFS= read -r added; do
		# Whole output first: grep -q would close the pipe early, and
		# pipefail would turn get_maintainer's SIGPIPE into a failure.
		who=$(cd "$LINUX" && scripts/get_maintainer.pl --no-git --no-git-fallback -f "$added")
		if ! grep -q '(maintainer:' <<<"$who"; then
			echo "$p: nobody in MAINTAINERS maintains $added" >&2; fail=1
		fi
	done < <(awk '/^--- \/dev\/null$/ { getline; sub(/^\+\+\+ b\//, ""); print }' "$f")
	if ! out=$(cd "$LINUX" && scripts/checkpatch.pl --strict --codespell --no-summary \
		--ignore MISSING_SIGN_OFF,FILE_PATH_CHANGES --terse "$f" 2>&1); then
		echo "$out" >&2; fail=1
	elif [ -n "$out" ]; then
		echo "$out" >&2; fail=1
	fi
done < <(grep -vE '^\s*(#|$)' "$ROOT/patches/series")
log "checkpatch --strict: $n patch(es), $([ $fail = 0 ] && echo clean || echo 'NOT clean')"
exit $fail
