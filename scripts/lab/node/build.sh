#!/usr/bin/env bash
# Builds what a lab node runs besides the control plane (scripts/lab/build.sh): kubelet, kube-scheduler and
# kube-proxy from the pinned k8s.io/kubernetes, containerd + containerd-shim-runc-v2 + ctr from
# github.com/containerd/containerd/v2, the CNI plugins Calico's installer chains after its own (portmap, bandwidth;
# from the containernetworking/plugins version of ../versions.env), and the sandbox image from pause.c (an OCI
# archive), into
#   ${CDK8S_EGRESS_LAB_CACHE:-$HOME/.cache/cdk8s-egress-lab}/node-<hash>/bin
# Its own hash (node/versions.env, ../versions.env, this file), so the control-plane toolchain's cache stays valid.
# runc (the OCI runtime) and buildah (to write the sandbox image) are Debian's: apt-get install runc buildah.
#
#   scripts/lab/node/build.sh              build (seconds when complete), print the bin dir
#   scripts/lab/node/build.sh --print-bin  print the bin dir if complete, exit 1 otherwise (never builds)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../versions.env
source "$here/../versions.env"
# shellcheck source=versions.env
source "$here/versions.env"

hash="$(cat "$here/versions.env" "$here/../versions.env" "$here/build.sh" "$here/pause.c" | sha256sum | cut -c1-12)"
root="${CDK8S_EGRESS_LAB_CACHE:-$HOME/.cache/cdk8s-egress-lab}/node-$hash"
bin="$root/bin"
binaries=(kubelet kube-scheduler kube-proxy containerd containerd-shim-runc-v2 ctr portmap bandwidth pause pause.oci.tar)

complete() {
  [ -f "$bin/.complete" ] || return 1
  for b in "${binaries[@]}"; do [ -s "$bin/$b" ] || return 1; done
}
if [ "${1:-}" = "--print-bin" ]; then
  complete && { echo "$bin"; exit 0; }
  exit 1
fi
if complete; then echo "$bin"; exit 0; fi

for tool in go gcc buildah; do
  command -v "$tool" >/dev/null || { echo "node/build.sh: $tool is missing (apt-get install golang gcc libc6-dev buildah)" >&2; exit 1; }
done
mkdir -p "$root" "$bin"
exec 9>"$root/.lock"
flock 9
if complete; then echo "$bin"; exit 0; fi

export CGO_ENABLED=0
export GOFLAGS="-mod=mod -buildvcs=false"
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"
export GOTOOLCHAIN=local
t_all=$SECONDS

# step <log> <name> <dir> <cmd...>: one Go command in a cache module, niced, timed; on failure the log's tail.
step() {
  local log="$1" name="$2" dir="$3"; shift 3
  local t0=$SECONDS
  echo "== $name: $*" >>"$log"
  if ! (cd "$dir" && nice -n 10 "$@") >>"$log" 2>&1; then
    echo "node/build.sh: $name failed; a module the proxy cannot serve is named here ($log):" >&2
    { grep -E 'reading https?://|go: .*@.*: ' "$log" || tail -15 "$log"; } | sort -u | head -15 | sed 's/^/  /' >&2
    return 1
  fi
  echo "node/build.sh: $name done in $((SECONDS - t0)) s" | tee -a "$log" >&2
}

# go_mod <dir> <module> <requirement> <version>: the go.mod of a cache module that requires one published module.
go_mod() {
  printf 'module %s\n\ngo 1.26\n\nrequire %s %s\n' "$2" "$3" "$4" >"$1/go.mod"
}

# tools_go <dir> <package...>: imports the commands to build, so that go mod tidy keeps what they need.
tools_go() {
  local dir="$1"; shift
  { printf '//go:build tools\n\npackage tools\n\nimport (\n'; printf '\t_ "%s"\n' "$@"; printf ')\n'; } >"$dir/tools.go"
}

# Kubernetes' own go.mod replaces its staging modules with ./staging/src/k8s.io/*; a module built from the proxy
# replaces them with the published k8s.io/* of the same release instead (as ../build.sh does).
build_kubernetes() {
  local dir="$root/src/kubernetes" log="$root/kubernetes.log"
  local pkgs=(k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kube-scheduler)
  mkdir -p "$dir"; : >"$log"
  local kmod
  kmod="$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  [ -f "$kmod" ] || { echo "node/build.sh: cannot fetch k8s.io/kubernetes@$K8S_VERSION from $GOPROXY" >&2; return 1; }
  {
    echo "module cdk8s-egress-lab/node-kubernetes"
    echo "go 1.26"
    echo "require k8s.io/kubernetes $K8S_VERSION"
    awk '/^replace \(/{f=1;next} f&&/^\)/{f=0;next} f&&/=>/{print}' "$kmod" | sed -E 's/^\s+//; s#\s*//.*$##' \
      | awk -v v="$K8S_STAGING_VERSION" '$3 ~ /^\.\/staging\// {print "replace", $1, "=>", $1, v; next} {print "replace", $0}'
  } >"$dir/go.mod"
  tools_go "$dir" "${pkgs[@]}"
  step "$log" "kubernetes: go mod tidy" "$dir" go mod tidy
  local minor; minor="$(cut -d. -f2 <<<"$K8S_VERSION")"
  local kver="-X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  step "$log" "kubernetes: go build ${pkgs[*]##*/}" "$dir" go build -trimpath -ldflags "-s -w $kver" -o "$bin/" "${pkgs[@]}"
}

build_containerd() {
  local dir="$root/src/containerd" log="$root/containerd.log"
  local pkgs=(github.com/containerd/containerd/v2/cmd/{containerd,containerd-shim-runc-v2,ctr})
  mkdir -p "$dir"; : >"$log"
  go_mod "$dir" cdk8s-egress-lab/node-containerd github.com/containerd/containerd/v2 "$CONTAINERD_VERSION"
  tools_go "$dir" "${pkgs[@]}"
  step "$log" "containerd: go mod tidy" "$dir" go mod tidy
  step "$log" "containerd: go build ${pkgs[*]##*/}" "$dir" go build -trimpath -tags "$CONTAINERD_TAGS" \
    -ldflags "-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" -o "$bin/" "${pkgs[@]}"
}

# Calico's CNI config chains portmap (hostPort) and bandwidth after the calico plugin.
build_cni_plugins() {
  local dir="$root/src/cni-plugins" log="$root/cni-plugins.log"
  local pkgs=(github.com/containernetworking/plugins/plugins/meta/{bandwidth,portmap})
  mkdir -p "$dir"; : >"$log"
  go_mod "$dir" cdk8s-egress-lab/node-cni github.com/containernetworking/plugins "$CNI_PLUGINS_VERSION"
  tools_go "$dir" "${pkgs[@]}"
  step "$log" "cni plugins: go mod tidy" "$dir" go mod tidy
  step "$log" "cni plugins: go build ${pkgs[*]##*/}" "$dir" go build -trimpath -ldflags "-s -w" -o "$bin/" "${pkgs[@]}"
}

# The sandbox image: the static pause binary as the only file of a one-layer OCI image, written as an OCI archive
# that ctr imports. buildah's own storage lives in a temporary directory (nothing of it stays behind).
build_pause() {
  local t0=$SECONDS store
  gcc -static -Os -s -o "$bin/pause" "$here/pause.c"
  store="$(mktemp -d "${TMPDIR:-/var/tmp}/cdk8s-egress-pause.XXXXXX")"
  local b="buildah --storage-driver vfs --root $store/root --runroot $store/run" c
  c="$($b from scratch)"
  $b copy "$c" "$bin/pause" /pause >/dev/null
  $b config --entrypoint '["/pause"]' --user 65535:65535 "$c"
  rm -f "$bin/pause.oci.tar"
  $b commit --quiet "$c" "oci-archive:$bin/pause.oci.tar:$PAUSE_IMAGE" >/dev/null
  $b rm "$c" >/dev/null; rm -rf "$store"
  echo "node/build.sh: pause image done in $((SECONDS - t0)) s" >&2
}

echo "node/build.sh: building the lab node into $bin (logs: $root/*.log)" >&2
build_pause
# Independent module graphs: both at once (2 cores; each nice'd), the slower one (Kubernetes) decides the wall time.
{ build_containerd && build_cni_plugins; } & c_pid=$!
build_kubernetes & k_pid=$!
ok=0
wait "$c_pid" || ok=1
wait "$k_pid" || ok=1
[ "$ok" = 0 ] || exit 1

for b in "${binaries[@]}"; do [ -s "$bin/$b" ] || { echo "node/build.sh: $b was not built" >&2; exit 1; }; done
{
  echo "built $(date -u +%FT%TZ) in $((SECONDS - t_all)) s"
  cat "$here/versions.env"
} >"$bin/.complete"
echo "node/build.sh: lab node complete in $((SECONDS - t_all)) s" >&2
echo "$bin"
