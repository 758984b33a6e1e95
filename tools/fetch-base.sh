#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fill linux/ with the base tree and record it as the commit tagged "base".
#
# Upstream's v7.3 tag is used when the kernel.org server answers. Where it
# does not, the tree comes from Debian's linux-source-7.3 package: fetched
# through a private apt state (the machine's sources are never touched),
# checked against a pinned sha256, and committed with a fixed identity and
# date so that every machine records the same base commit.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if git -C "$LINUX" rev-parse -q --verify base^{commit} >/dev/null 2>&1; then
	log "base already present: $(git -C "$LINUX" rev-parse --short base)"
	exit 0
fi

mkdir -p "$LINUX"
if [ -n "$(ls -A "$LINUX" 2>/dev/null)" ]; then
	die "linux/ is not empty and has no 'base' tag; move it away first"
fi

if timeout 20 git ls-remote --tags "$UPSTREAM_URL" "refs/tags/$UPSTREAM_TAG" >/dev/null 2>&1; then
	log "fetching $UPSTREAM_TAG from upstream"
	git -C "$LINUX" init -q
	git -C "$LINUX" fetch --depth 1 "$UPSTREAM_URL" "refs/tags/$UPSTREAM_TAG:refs/tags/$UPSTREAM_TAG"
	git -C "$LINUX" checkout -q "$UPSTREAM_TAG"
	git -C "$LINUX" tag base
	exit 0
fi

log "upstream unreachable: using Debian's linux-source-7.3 ($BASE_DEB_VERSION)"
dl="$CACHE/dl"
deb="$dl/linux-source-7.3_${BASE_DEB_VERSION}_all.deb"
tarball="$dl/linux-source-7.3.tar.xz"
mkdir -p "$dl"

if [ ! -f "$tarball" ] || ! echo "$BASE_TARBALL_SHA256  $tarball" | sha256sum -c --quiet 2>/dev/null; then
	if [ ! -f "$deb" ]; then
		# A private apt state that knows the one suite, reusing the mirror
		# this machine already uses; nothing is installed from it.
		state="$CACHE/apt"
		mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
		mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
		[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
		[ -n "$mirror" ] || die "no Debian mirror configured in /etc/apt"
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $BASE_DEB_SUITE main" \
			>"$state/sources.list"
		apt_opts=(-o "Dir::Etc::sourcelist=$state/sources.list" -o Dir::Etc::sourceparts=-
			  -o "Dir::State::lists=$state/lists" -o "Dir::Cache=$state/cache"
			  -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
		apt-get -qq "${apt_opts[@]}" update
		(cd "$dl" && apt-get -qq "${apt_opts[@]}" download "linux-source-7.3=$BASE_DEB_VERSION")
	fi
	tmp=$(mktemp -d)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./usr/src/linux-source-7.3.tar.xz
	mv "$tmp/usr/src/linux-source-7.3.tar.xz" "$tarball"
	rm -rf "$tmp"
	echo "$BASE_TARBALL_SHA256  $tarball" | sha256sum -c --quiet ||
		die "checksum mismatch for $tarball"
fi

log "unpacking"
tar -x -C "$LINUX" --strip-components=1 -f "$tarball"
# Debian's packaging block at the end of .gitignore ignores the whole top
# level; upstream's file has no such block.
python3 - "$LINUX/.gitignore" <<'PY'
import sys
path = sys.argv[1]
lines = open(path).read().split("\n")
cut = next(i for i, l in enumerate(lines) if l.startswith("# Debian packaging"))
while cut > 0 and lines[cut - 1].strip() in ("#", ""):
    cut -= 1
open(path, "w").write("\n".join(lines[:cut]) + "\n")
PY

log "recording the base commit"
export GIT_AUTHOR_NAME="$BASE_IDENT_NAME" GIT_AUTHOR_EMAIL="$BASE_IDENT_EMAIL"
export GIT_COMMITTER_NAME="$BASE_IDENT_NAME" GIT_COMMITTER_EMAIL="$BASE_IDENT_EMAIL"
export GIT_AUTHOR_DATE="$BASE_DATE" GIT_COMMITTER_DATE="$BASE_DATE"
git -C "$LINUX" init -q -b master
git -C "$LINUX" config core.autocrlf false
git -C "$LINUX" add -A -f .
git -C "$LINUX" commit -q --no-verify -m "Linux 7.3.4 (Debian linux-source-7.3 $BASE_DEB_VERSION)"
git -C "$LINUX" tag base
got=$(git -C "$LINUX" rev-parse base)
[ "$got" = "$BASE_COMMIT" ] || die "base commit is $got, expected $BASE_COMMIT"
log "base: $got"
