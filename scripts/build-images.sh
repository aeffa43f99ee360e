#!/usr/bin/env bash
# Builds the data-path images (egress-gateway, egress-nat) from images/*/Dockerfile.
#
#   scripts/build-images.sh context   compile the agent and install its production dependencies into
#                                     images/build/ (the Docker build context is images/); this is all
#                                     the release workflow needs before `docker buildx build`.
#   scripts/build-images.sh [all]     context + both images on this machine, without a Docker engine
#                                     or registry: buildah (vfs storage) on a local Debian base.
#
# Environment (all optional):
#   VERSION         image tag (default: dist/version.txt, else package.json's version)
#   IMAGE_REGISTRY  image name prefix (default ghcr.io/cdk8s-egress, the constructs' default)
#   IMAGE_STORAGE   containers storage root (default /var/tmp/cdk8s-egress-images; never in the repo)
#   BASE_IMAGE      base image (default: a local Debian bookworm + Node 22 base, built once by
#                   images/base/build-base.sh and reused; REBUILD_BASE=1 rebuilds it)
#
# Needs (Debian): apt-get install -y buildah podman debootstrap   (podman/runc only to run the images)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
t0=$(date +%s)
phase_start=$t0
phase() { # prints how long the previous phase took
  local now; now=$(date +%s)
  echo "==> $1 ($((now - phase_start)) s)"
  phase_start=$now
}

if [ -z "${VERSION:-}" ]; then
  if [ -s dist/version.txt ]; then VERSION=$(cat dist/version.txt); else VERSION=$(node -p "require('./package.json').version"); fi
fi
IMAGE_REGISTRY=${IMAGE_REGISTRY:-ghcr.io/cdk8s-egress}
IMAGE_REGISTRY=${IMAGE_REGISTRY%/}

# --- 1. build context: images/build/{agent,datapath,package.json,package-lock.json,node_modules} ----
echo "==> compiling the agent (tsc -p tsconfig.agent.json -> images/build/)"
npx --no-install tsc -p tsconfig.agent.json
cp images/agent-package.json images/build/package.json
cp images/agent-package-lock.json images/build/package-lock.json
# Pure JavaScript dependencies (no install scripts, no native addons): one context for every architecture.
(cd images/build && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
phase "context ready in images/build/ ($(du -sh images/build/node_modules | cut -f1) of production node_modules)"
if [ "$mode" = context ]; then exit 0; fi
if [ "$mode" != all ]; then echo "usage: $0 [context|all]" >&2; exit 64; fi

# --- 2. local base ------------------------------------------------------------------------------
STORAGE=${IMAGE_STORAGE:-/var/tmp/cdk8s-egress-images}
export BUILDAH="buildah --storage-driver vfs --root $STORAGE/storage --runroot $STORAGE/run"
for tool in buildah debootstrap; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install -y buildah podman debootstrap" >&2; exit 1; }
done
if [ -z "${BASE_IMAGE:-}" ]; then
  BASE_IMAGE=localhost/cdk8s-egress-base:bookworm-node22
  if [ "${REBUILD_BASE:-0}" = 1 ] || ! $BUILDAH inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
    images/base/build-base.sh "$BASE_IMAGE"
    phase "local base $BASE_IMAGE built"
  else
    phase "local base $BASE_IMAGE reused (REBUILD_BASE=1 to rebuild)"
  fi
fi

# --- 3. the two images, from the same Dockerfiles the release workflow uses ----------------------
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
for name in egress-gateway egress-nat; do
  # chroot isolation + host network: RUN apt-get needs no runc, CNI or bridge on the build machine.
  $BUILDAH bud --quiet --layers --isolation chroot --network host \
    --build-arg BASE_IMAGE="$BASE_IMAGE" --build-arg VERSION="$VERSION" --build-arg REVISION="$revision" \
    -f "images/$name/Dockerfile" -t "$IMAGE_REGISTRY/$name:$VERSION" images >/dev/null
  phase "built $IMAGE_REGISTRY/$name:$VERSION"
done
$BUILDAH images --format '{{.Name}}:{{.Tag}}  {{.Size}}' | grep -E "/(egress-gateway|egress-nat):$VERSION" || true
echo "==> done in $(($(date +%s) - t0)) s (storage: $STORAGE; run with: podman --storage-driver vfs --root $STORAGE/storage --runroot $STORAGE/run ...)"
