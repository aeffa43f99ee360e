#!/usr/bin/env bash
# Builds Goldmane, Calico's flow-log aggregator (github.com/projectcalico/calico/goldmane/cmd; Felix reports flows to
# it, the rollout report reads its Flows API), from the same Calico module the lab toolchain uses, into
#   ${CDK8S_EGRESS_LAB_CACHE:-$HOME/.cache/cdk8s-egress-lab}/goldmane-<hash>/bin/goldmane
# A script of its own, cached by its own hash: adding Goldmane to build.sh would change build.sh's versions hash and
# rebuild every toolchain cache. It starts from the toolchain's Calico cache module (go.mod and go.sum as build.sh
# resolved them), adds Goldmane's main package and builds only that, in the same GOMODCACHE: only Goldmane's own
# dependencies beyond Felix's are downloaded. No `go mod tidy`: it would fetch the test dependencies of every package
# in the graph and drop the toolchain's requirements; `go build -mod=mod` only adds what Goldmane's packages import.
#
#   scripts/lab/build-goldmane.sh              build (needs scripts/lab/build.sh first), print the bin dir
#   scripts/lab/build-goldmane.sh --print-bin  print the bin dir if complete, exit 1 otherwise (never builds)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

toolchain_bin="$("$here/build.sh" --print-bin)" || {
  [ "${1:-}" = "--print-bin" ] && exit 1
  echo "build-goldmane.sh: the lab toolchain is not built: run scripts/lab/build.sh first" >&2
  exit 1
}
toolchain="$(dirname "$toolchain_bin")"
# The toolchain's hash is part of ours: its go.mod is where our versions come from.
hash="$( { cat "$here/versions.env" "$here/build-goldmane.sh"; basename "$toolchain"; } | sha256sum | cut -c1-12)"
root="${CDK8S_EGRESS_LAB_CACHE:-$HOME/.cache/cdk8s-egress-lab}/goldmane-$hash"
bin="$root/bin"

complete() { [ -f "$bin/.complete" ] && [ -x "$bin/goldmane" ]; }

if [ "${1:-}" = "--print-bin" ]; then
  complete && { echo "$bin"; exit 0; }
  exit 1
fi
if complete; then echo "$bin"; exit 0; fi

mkdir -p "$root/src" "$bin"
exec 9>"$root/.lock"
flock 9
if complete; then echo "$bin"; exit 0; fi

log="$root/build.log"
: >"$log"
t0=$SECONDS
echo "build-goldmane.sh: building Goldmane ($CALICO_RELEASE) into $bin (log: $log)" >&2
export CGO_ENABLED=0
export GOFLAGS="-mod=mod -buildvcs=false"
export GONOSUMDB="$CALICO_GONOSUMDB"
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"
export GOTOOLCHAIN=local

src="$root/src"
cp "$toolchain/src/calico/go.mod" "$toolchain/src/calico/go.sum" "$src/"
sed -i 's#^module .*#module cdk8s-egress-lab/goldmane#' "$src/go.mod"
cat >"$src/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "github.com/projectcalico/calico/goldmane/cmd"
)
GO
if ! (cd "$src" && nice -n 10 go build -trimpath -ldflags "-s -w" -o "$bin/goldmane" github.com/projectcalico/calico/goldmane/cmd) >>"$log" 2>&1; then
  echo "build-goldmane.sh: the build failed; last lines of $log:" >&2
  tail -15 "$log" | sed 's/^/  /' >&2
  exit 1
fi
echo "built $(date -u +%FT%TZ) in $((SECONDS - t0)) s from $toolchain" >"$bin/.complete"
echo "build-goldmane.sh: Goldmane built in $((SECONDS - t0)) s" | tee -a "$log" >&2
echo "$bin"
