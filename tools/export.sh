#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate patches/ from a branch of linux/ (git is the source of truth;
# quilt refresh would drop file modes).
#
#   tools/export.sh [--signoff] [--out DIR] [BRANCH]
#
# BRANCH defaults to the branch checked out in linux/. The cover letter's
# subject and text come from patches/cover-letter.in (first line: subject;
# the rest: body); shortlog and diffstat are made anew. It is written as
# 0000-cover-letter.txt so that `git am patches/*.patch` applies the series
# without tripping over an empty patch.
#
# Every patch names its base (base-commit:, format-patch --base) and its
# recipients: To: the maintainers and Cc: the reviewers and lists that
# scripts/get_maintainer.pl finds for it in the branch's own MAINTAINERS
# (the series adds entries there); the cover letter goes to all of them.
#
# By default the patches carry the project's identity and the Assisted-by:
# trailer only, as Documentation/process/coding-assistants.rst asks: an
# assistant does not sign off. --signoff is for the human who submits them:
# their git identity (user.name, user.email) becomes the patches' author and
# sender and adds their Signed-off-by:. Write such a copy elsewhere (--out)
# rather than into patches/, which stays unsigned.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

signoff=0 out="$ROOT/patches"
while [ $# -gt 0 ]; do
	case "$1" in
	--signoff) signoff=1; shift ;;
	--out) out=$(realpath -m "$2"); shift 2 ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
branch=${1:-$(git -C "$LINUX" symbolic-ref --short HEAD)}
[ -f "$ROOT/patches/cover-letter.in" ] || die "patches/cover-letter.in (subject, blank line, body) is missing"
n=$(git -C "$LINUX" rev-list --count "base..$branch")
log "exporting $n patch(es) from $branch to $out"
mkdir -p "$out"
rm -f "$out"/[0-9][0-9][0-9][0-9]-*.patch "$out/0000-cover-letter.txt"
: >"$out/series"
[ "$n" -gt 0 ] || exit 0

if [ $signoff = 1 ]; then
	name=$(git -C "$LINUX" config user.name) && email=$(git -C "$LINUX" config user.email) ||
		die "--signoff needs your git identity: git config --global user.name/user.email"
	case "$email" in *@invalid | *.invalid) die "--signoff: '$email' is not an address anyone can reach" ;; esac
	ident=(-c user.name="$name" -c user.email="$email")
else
	# Message-IDs are made of the committer's address: the project's, not
	# whichever machine exports.
	name="Rust binfmt_misc developers" email=rust-binfmt-misc@invalid
	ident=(-c user.name="$name" -c user.email="$email")
fi
git -C "$LINUX" "${ident[@]}" format-patch -q --no-signature --cover-letter --thread=shallow \
	--base=base --subject-prefix="RFC PATCH" -o "$out" "base..$branch"

# get_maintainer.pl reads the branch's MAINTAINERS, not the checkout's.
maintainers=$(mktemp)
rcpt_dir=$(mktemp -d)
trap 'rm -rf "$maintainers" "$rcpt_dir"' EXIT
git -C "$LINUX" show "$branch:MAINTAINERS" >"$maintainers"
recipients() { # patch -> "to" and "cc" lines, one address each
	local who
	who=(--mpath "$maintainers" --no-git --no-git-fallback --no-rolestats)
	(cd "$LINUX" && scripts/get_maintainer.pl "${who[@]}" --m --no-r --no-l "$1") | sed 's/^/to /'
	(cd "$LINUX" && scripts/get_maintainer.pl "${who[@]}" --no-m --r --l "$1") | sed 's/^/cc /'
}
for p in "$out"/[0-9][0-9][0-9][0-9]-*.patch; do
	case "$p" in */0000-cover-letter.patch) continue ;; esac
	recipients "$p" >"$rcpt_dir/$(basename "$p")"
done

python3 - "$out" "$ROOT/patches/cover-letter.in" "$rcpt_dir" "$signoff" "$name <$email>" <<'PY'
import glob
import os
import sys

out, source, rcpt_dir, signoff, submitter = sys.argv[1:]

def fold(field, addrs):
    return field + ": " + ",\n    ".join(addrs) + "\n"

def set_headers(text, to, cc):
    head, sep, body = text.partition("\n\n")
    lines = head.split("\n")
    at = next(i for i, l in enumerate(lines) if l.startswith("Subject:"))
    extra = []
    if to:
        extra.append(fold("To", to).rstrip("\n"))
    if cc:
        extra.append(fold("Cc", cc).rstrip("\n"))
    lines[at:at] = extra
    if signoff == "1":
        # A long From: comes folded: replace it with its continuation lines.
        at = next(i for i, l in enumerate(lines) if l.startswith("From: "))
        end = at + 1
        while end < len(lines) and lines[end][:1] in (" ", "\t"):
            end += 1
        lines[at:end] = ["From: " + submitter]
    return "\n".join(lines) + sep + body

def sign(text):
    # The trailer block ends at the "---" that opens the diffstat.
    msg, sep, rest = text.partition("\n---\n")
    line = "Signed-off-by: " + submitter
    if line not in msg.split("\n"):
        msg += "\n" + line
    return msg + sep + rest

all_to, all_cc = [], []
for path in sorted(glob.glob(os.path.join(out, "[0-9][0-9][0-9][0-9]-*.patch"))):
    name = os.path.basename(path)
    if name == "0000-cover-letter.patch":
        continue
    to, cc = [], []
    for line in open(os.path.join(rcpt_dir, name)):
        kind, addr = line.rstrip("\n").split(" ", 1)
        (to if kind == "to" else cc).append(addr)
    cc = [a for a in cc if a not in to]
    all_to += [a for a in to if a not in all_to]
    all_cc += [a for a in cc if a not in all_cc]
    text = set_headers(open(path).read(), to, cc)
    if signoff == "1":
        text = sign(text)
    open(path, "w").write(text)

cover = os.path.join(out, "0000-cover-letter.patch")
text = open(cover).read()
subject, _, body = open(source).read().partition("\n")
text = text.replace("*** SUBJECT HERE ***", subject.strip())
text = text.replace("*** BLURB HERE ***", body.strip("\n"))
all_cc = [a for a in all_cc if a not in all_to]
open(cover, "w").write(set_headers(text, all_to, all_cc))
PY
mv "$out/0000-cover-letter.patch" "$out/0000-cover-letter.txt"
(cd "$out" && ls [0-9][0-9][0-9][0-9]-*.patch) >"$out/series"
log "$out/series: $(wc -l <"$out/series") patch(es), base-commit $(git -C "$LINUX" rev-parse --short base)"
