#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate patches/ from a branch of linux/ (git is the source of truth;
# quilt refresh would drop file modes).
#
#   tools/export.sh [BRANCH]      (default: the branch checked out in linux/)
#
# The cover letter's subject and text come from patches/cover-letter.in
# (first line: subject; the rest: body); shortlog and diffstat are made anew.
# It is written as 0000-cover-letter.txt so that `git am patches/*.patch`
# applies the series without tripping over an empty patch.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

branch=${1:-$(git -C "$LINUX" symbolic-ref --short HEAD)}
[ -f "$ROOT/patches/cover-letter.in" ] || die "patches/cover-letter.in (subject, blank line, body) is missing"
n=$(git -C "$LINUX" rev-list --count "base..$branch")
log "exporting $n patch(es) from $branch"
rm -f "$ROOT"/patches/*.patch "$ROOT/patches/0000-cover-letter.txt"
: >"$ROOT/patches/series"
[ "$n" -gt 0 ] || exit 0

# Message-IDs are made of the committer's address: the project's, not
# whichever machine exports.
git -C "$LINUX" -c user.name="Rust binfmt_misc developers" -c user.email=rust-binfmt-misc@invalid \
	format-patch -q --no-signature --cover-letter --thread=shallow \
	--subject-prefix="RFC PATCH" -o "$ROOT/patches" "base..$branch"
cover="$ROOT/patches/0000-cover-letter.patch"
python3 - "$cover" "$ROOT/patches/cover-letter.in" <<'PY'
import sys
cover, source = sys.argv[1], sys.argv[2]
text = open(cover).read()
subject, _, body = open(source).read().partition("\n")
text = text.replace("*** SUBJECT HERE ***", subject.strip())
text = text.replace("*** BLURB HERE ***", body.strip("\n"))
open(cover, "w").write(text)
PY
mv "$cover" "$ROOT/patches/0000-cover-letter.txt"
(cd "$ROOT/patches" && ls [0-9][0-9][0-9][0-9]-*.patch) >"$ROOT/patches/series"
log "patches/series: $(wc -l <"$ROOT/patches/series") patch(es)"
