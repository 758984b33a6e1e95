#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Show what sending the series would do, without a network: git send-email
# --dry-run over the cover letter and the patches, then who gets what.
#
#   tools/send.sh [DIR]        (default: patches/; a --signoff export elsewhere)
#
# It also checks that the series, as the mbox the list would carry, applies
# with `b4 am` onto the base and gives the tree of `git am` (what
# tools/apply.sh made in linux/, or the base plus DIR's patches).
# Sending for real is `git send-email` with the same arguments and your
# SMTP settings, minus --dry-run; that step is the submitter's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$(realpath "${1:-$ROOT/patches}")
mapfile -t patches < <(sed "s|^|$dir/|" "$dir/series")
cover="$dir/0000-cover-letter.txt"
[ -f "$cover" ] || die "$cover is missing: run tools/export.sh"
for p in "${patches[@]}"; do
	grep -q '^To: ' "$p" || die "$p names no recipients: export it again with tools/export.sh"
done
git -C "$LINUX" rev-parse -q --verify base^{commit} >/dev/null || die "no base in linux/: run tools/fetch-base.sh"

# The sender is whoever the cover letter says sent it: the submitter, in a
# --signoff export. patches/ carries the project's placeholder identity,
# which no mail system takes; its dry run is sent as a placeholder
# submitter, without copying the placeholder author.
from=$(sed -n 's/^From: //p;/^$/q' "$cover" | head -1)
suppress=(--suppress-cc=self)
case "$from" in
*@invalid\>)
	echo "note: $dir is not signed off (its author is the placeholder $from);" \
	     "send a copy made by tools/export.sh --signoff --out DIR" >&2
	from="Submitter <submitter@example.invalid>"
	suppress+=(--suppress-cc=author)
	;;
esac
log "git send-email --dry-run of ${#patches[@]} patch(es) and the cover letter, from $from"
sent=$(mktemp)
work=$(mktemp -d)
trap 'rm -rf "$sent" "$work"' EXIT
# The cover letter's name ends in .txt so that `git am patches/*.patch`
# skips it; send-email takes it as a message like any other.
git -C "$LINUX" send-email --dry-run --confirm=never --no-smtp-auth \
	--from="$from" --8bit-encoding=UTF-8 --transfer-encoding=8bit \
	"${suppress[@]}" "$cover" "${patches[@]}" >"$sent" 2>&1 ||
	{ cat "$sent" >&2; die "git send-email refused the series"; }
python3 - "$sent" <<'PY'
import email.header
import re
import sys

text = open(sys.argv[1]).read()
# One "Dry-OK" line per message; the headers before it say to whom.
messages = re.split(r"^Dry-OK\. Log says:\n", text, flags=re.M)[1:]
if not messages:
    sys.exit("send-email printed no Dry-OK: nothing would be sent")
for m in messages:
    head = m.split("\n\n", 1)[0]
    fields = {}
    key = None
    for line in head.split("\n"):
        if line[:1] in (" ", "\t") and key:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    fields = {k: str(email.header.make_header(email.header.decode_header(v)))
              for k, v in fields.items()}
    subject = fields.get("Subject", "?")
    to = [a for a in fields.get("To", "").split(", ") if a]
    cc = [a for a in fields.get("Cc", "").split(", ") if a]
    lists = [a for a in to + cc if "<" not in a]
    print(f"  {subject}")
    names = ", ".join(a.split(" <")[0].strip('"') for a in to)
    print(f"      to {len(to)}: {names}")
    print(f"      cc {len(cc)} ({len(lists)} lists: {', '.join(lists)})")
print(f"{len(messages)} message(s) would be sent")
PY

log "b4 am of the series as one mbox"
command -v b4 >/dev/null || die "b4 missing: run tools/setup.sh"
cat "$cover" "${patches[@]}" >"$work/series.mbox"
msgid=$(sed -n 's/^Message-ID: <\(.*\)>$/\1/p;/^$/q' "$cover")
(cd "$work" && b4 --offline-mode am --no-cache -m series.mbox -o am -n series "$msgid") >"$work/b4.log" 2>&1 ||
	{ cat "$work/b4.log" >&2; die "b4 am refused the series"; }
sed 's/^/  b4: /' "$work/b4.log"
mbx="$work/am/series.mbx"
[ -s "$mbx" ] || die "b4 am wrote no mbox"
[ "$(grep -c '^Subject: ' "$mbx")" = "${#patches[@]}" ] ||
	die "b4 am kept $(grep -c '^Subject: ' "$mbx") of ${#patches[@]} patches"

git -C "$LINUX" worktree add -q --detach "$work/tree" base
trap 'git -C "$LINUX" worktree remove --force "$work/tree" 2>/dev/null; rm -rf "$sent" "$work"' EXIT
git -C "$work/tree" -c user.name=b4 -c user.email=b4@invalid am -q "$mbx" ||
	die "the series b4 am made does not apply onto base"
got=$(git -C "$work/tree" rev-parse HEAD^{tree})
git -C "$work/tree" checkout -q --detach base
git -C "$work/tree" -c user.name=am -c user.email=am@invalid am -q "${patches[@]}" ||
	die "git am of $dir does not apply onto base"
want=$(git -C "$work/tree" rev-parse HEAD^{tree})
[ "$got" = "$want" ] || die "b4 am gives tree $got, git am of the patches $want"
log "b4 am applies the series onto base $(git -C "$LINUX" rev-parse --short base): tree ${got:0:12}, as git am"
