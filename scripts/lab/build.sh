#!/usr/bin/env bash
# Builds the lab toolchain (kube-apiserver, kube-controller-manager, kubectl, etcd, calico-felix, the Calico CNI plugin +
# calico-ipam, calicoctl, the CNI loopback plugin) from their published Go modules, pinned in versions.env, into
#   ${CDK8S_EGRESS_LAB_CACHE:-$HOME/.cache/cdk8s-egress-lab}/<versions-hash>/bin
# Nothing here is built from a checkout: each component group is a throwaway Go module in the cache dir whose go.mod
# requires the published module and replaces what that module's own go.mod replaces (its staging/nested modules).
#
#   scripts/lab/build.sh              build (seconds when this versions-hash is complete), print the bin dir
#   scripts/lab/build.sh --print-bin  print the bin dir if complete, exit 1 otherwise (never builds)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

hash="$(cat "$here/versions.env" "$here/build.sh" | sha256sum | cut -c1-12)"
root="${CDK8S_EGRESS_LAB_CACHE:-$HOME/.cache/cdk8s-egress-lab}/$hash"
bin="$root/bin"
binaries=(kube-apiserver kube-controller-manager kubectl etcd calico-felix calico calico-ipam calicoctl loopback)

complete() {
  [ -f "$bin/.complete" ] || return 1
  for b in "${binaries[@]}"; do [ -x "$bin/$b" ] || return 1; done
}

if [ "${1:-}" = "--print-bin" ]; then
  complete && { echo "$bin"; exit 0; }
  exit 1
fi
if complete; then echo "$bin"; exit 0; fi

command -v go >/dev/null || { echo "build.sh: Go is not installed (the lab toolchain is built from Go modules)" >&2; exit 1; }
mkdir -p "$root" "$bin"
exec 9>"$root/.lock"
flock 9
if complete; then echo "$bin"; exit 0; fi

log="$root/build.log"
: >"$log"
echo "build.sh: building the lab toolchain into $bin (log: $log)" >&2

export CGO_ENABLED=0
export GOFLAGS="-mod=mod -buildvcs=false"
# sum.golang.org answers 404 for the Calico pseudo-versions this proxy serves; go.sum of the cache module pins them.
export GONOSUMDB="$CALICO_GONOSUMDB"
# go.mod files in the cache resolve only against the module proxy, never a VCS.
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"
export GOTOOLCHAIN=local

# Turns Go's output into one line per module that could not be fetched, naming the module and version.
explain_failure() {
  local step="$1"
  local mods
  mods="$(grep -oE 'reading https?://[^ ]+/@v/[^ :]+: [0-9]{3}[^"]*' "$log" \
    | sed -E 's#reading https?://[^/]+/##; s#/@v/# #; s#\.(info|mod|zip)(: )# \2#' \
    | sed -E 's/!([a-z])/\U\1/g' | sort -u || true)"
  if [ -z "$mods" ]; then
    mods="$(grep -oE '(module|go: )[^ ]+@[^ :]+: [^ ]*(unknown revision|invalid version|not found|verifying)[^$]*' "$log" | sort -u | head -20 || true)"
  fi
  echo "build.sh: $step failed." >&2
  if [ -n "$mods" ]; then
    echo "build.sh: these Go modules could not be fetched from the module proxy ($GOPROXY):" >&2
    echo "$mods" | sed 's/^/  /' >&2
  else
    echo "build.sh: last lines of $log:" >&2
    tail -15 "$log" | sed 's/^/  /' >&2
  fi
  exit 1
}

# step <name> <dir> <cmd...>: runs a Go command in a cache module, output to the log, failure explained.
step() {
  local name="$1" dir="$2"; shift 2
  local t0=$SECONDS
  echo "== $name: $*" >>"$log"
  if ! (cd "$dir" && nice -n 10 "$@") >>"$log" 2>&1; then explain_failure "$name"; fi
  echo "build.sh: $name done in $((SECONDS - t0)) s" | tee -a "$log" >&2
}

# Prints `replace` lines for a published module's own replace block: local paths (./staging/src/..., ./api, ./lib/...)
# become the given published versions, version replaces are kept as they are.
replaces_of() {
  local gomod="$1" local_map="$2"
  awk '/^replace \(/{f=1;next} f&&/^\)/{f=0;next} f&&/=>/{print} /^replace [^(]/{sub(/^replace /,"");print}' "$gomod" \
    | sed -E 's/^\s+//; s#\s*//.*$##' | while read -r from _arrow to ver; do
      if [[ "$to" == ./* ]]; then
        mapped="$(awk -v m="$from" '$1==m{print $2" "$3}' <<<"$local_map")"
        [ -n "$mapped" ] || { echo "build.sh: no published version for nested module $from ($gomod)" >&2; exit 1; }
        echo "replace $from => $mapped"
      else
        echo "replace $from => $to${ver:+ $ver}"
      fi
    done
}

modfile_of() { # <module@version>: downloads the .mod only, prints its path
  local out
  out="$(go mod download -json "$1" 2>>"$log")" || true
  local f; f="$(sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' <<<"$out")"
  if [ -z "$f" ] || [ ! -f "$f" ]; then
    echo "$out" >>"$log"
    echo "build.sh: cannot fetch Go module $1 from the module proxy ($GOPROXY): $(sed -n 's/.*"Error": "\(.*\)".*/\1/p' <<<"$out")" >&2
    exit 1
  fi
  echo "$f"
}

t_all=$SECONDS

build_calico() {
# --- Calico: felix, CNI plugin (+ calico-ipam, the same binary by another name), calicoctl, CNI loopback ----------------
cal="$root/src/calico"
mkdir -p "$cal"
cmod="$(cd "$cal" && modfile_of "github.com/projectcalico/calico@$CALICO_VERSION")"
nested_map="github.com/projectcalico/api github.com/projectcalico/api $CALICO_API_VERSION"
for lib in $(grep -oE 'github\.com/projectcalico/calico/lib/[a-z0-9-]+ => \./lib/' "$cmod" | awk '{print $1}'); do
  nested_map+=$'\n'"$lib $lib $CALICO_VERSION"
done
{
  echo "module cdk8s-egress-lab/calico"
  echo "go 1.26"
  echo "require ("
  echo "  github.com/projectcalico/calico $CALICO_VERSION"
  echo "  github.com/containernetworking/plugins $CNI_PLUGINS_VERSION"
  echo ")"
  replaces_of "$cmod" "$nested_map"
} >"$cal/go.mod"
cat >"$cal/tools.go" <<'EOF'
//go:build tools

package tools

import (
	_ "github.com/containernetworking/plugins/plugins/main/loopback"
	_ "github.com/projectcalico/calico/calicoctl/calicoctl"
	_ "github.com/projectcalico/calico/cni-plugin/cmd/calico"
	_ "github.com/projectcalico/calico/felix/cmd/calico-felix"
)
EOF
step "calico: go mod download" "$cal" go mod tidy -e
step "calico: go build" "$cal" go build -trimpath -ldflags "-s -w" -o "$bin/" \
  github.com/projectcalico/calico/felix/cmd/calico-felix github.com/projectcalico/calico/cni-plugin/cmd/calico \
  github.com/projectcalico/calico/calicoctl/calicoctl github.com/containernetworking/plugins/plugins/main/loopback
cp "$bin/calico" "$bin/calico-ipam"
}

build_kubernetes() {
# --- Kubernetes control plane, kubectl and the etcd version Kubernetes itself pins -------------------------------------
k8s="$root/src/kubernetes"
mkdir -p "$k8s"
kmod="$(cd "$k8s" && modfile_of "k8s.io/kubernetes@$K8S_VERSION")"
staging_map="$(grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging/src/k8s\.io/[a-z0-9-]+' "$kmod" \
  | awk -v v="$K8S_STAGING_VERSION" '{print $1, $1, v}')"
{
  echo "module cdk8s-egress-lab/kubernetes"
  echo "go 1.26"
  echo "require ("
  echo "  k8s.io/kubernetes $K8S_VERSION"
  echo "  go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  echo ")"
  replaces_of "$kmod" "$staging_map"
} >"$k8s/go.mod"
cat >"$k8s/tools.go" <<'EOF'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
EOF
step "kubernetes: go mod download" "$k8s" go mod tidy
minor="$(cut -d. -f2 <<<"$K8S_VERSION")"
kver="-X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
step "kubernetes: go build" "$k8s" go build -trimpath -ldflags "-s -w $kver" -o "$bin/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl
step "etcd: go build" "$k8s" go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3

}

# Calico first: it shares nothing with the Kubernetes build, and a build-cache warm-up of Kubernetes may be running.
build_calico
build_kubernetes

for b in "${binaries[@]}"; do [ -x "$bin/$b" ] || { echo "build.sh: $b was not built (see $log)" >&2; exit 1; }; done
{
  echo "built $(date -u +%FT%TZ) in $((SECONDS - t_all)) s"
  cat "$here/versions.env"
} >"$bin/.complete"
echo "build.sh: toolchain complete in $((SECONDS - t_all)) s" | tee -a "$log" >&2
echo "$bin"
