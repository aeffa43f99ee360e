#!/usr/bin/env bash
# Builds the validator programs (test/validators/<name>/) into the cache the jest suites use, so that `npm test`
# does not spend its time compiling. Idempotent: the binary's name is the hash go-validator.ts computes (Go version
# and sources), and an existing binary is kept. Needs Go and the Go module proxy. Arguments: the validators to build
# (default: all).
set -euo pipefail
cd "$(dirname "$0")"
CACHE_DIR="${CDK8S_EGRESS_VALIDATOR_CACHE:-$HOME/.cache/cdk8s-egress-lab/validators}"
mkdir -p "$CACHE_DIR"
go_version="$(go version)"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(calico cilium network-policy-api istio istio-semantic)
for name in "${names[@]}"; do
  files="$(cd "$name" && LC_ALL=C ls | grep -E '\.go$|^go\.mod$|^go\.sum$' | LC_ALL=C sort)"
  hash="$( { printf '%s' "$go_version"; for f in $files; do printf '%s' "$f"; cat "$name/$f"; done; } | sha256sum | cut -c1-16)"
  binary="$CACHE_DIR/$name-validate-$hash"
  if [ -x "$binary" ]; then echo "validators: $name cached ($binary)"; continue; fi
  extra=()
  [ "$name" = calico ] && extra=(GONOSUMDB='github.com/projectcalico/*')
  started=$SECONDS
  if ! (cd "$name" && env CGO_ENABLED=0 "${extra[@]}" go build -mod=readonly -trimpath -o "$binary.build.tmp" . 2>"$CACHE_DIR/$name.build.log"); then
    echo "validators: building the $name validator failed; a module that cannot be fetched is named here:" >&2
    grep -E 'go: |reading|module|403|404' "$CACHE_DIR/$name.build.log" | head -5 >&2 || tail -5 "$CACHE_DIR/$name.build.log" >&2
    exit 1
  fi
  mv "$binary.build.tmp" "$binary"
  echo "validators: built $name in $((SECONDS - started)) s ($binary)"
done
