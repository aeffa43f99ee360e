#!/usr/bin/env bash
# Installs Aerleon (requirements.txt, from PyPI) into a virtualenv cached outside the repo, so that `npm test` does not
# spend its time installing. Idempotent: the virtualenv's name is the hash aerleon.ts computes (Python version and
# requirements.txt), and an existing one is kept. Needs python3 with venv, and PyPI.
set -euo pipefail
cd "$(dirname "$0")"
CACHE_DIR="${CDK8S_EGRESS_AERLEON_CACHE:-$HOME/.cache/cdk8s-egress-lab/aerleon}"
mkdir -p "$CACHE_DIR"
python_version="$(python3 --version 2>&1)"
hash="$( { printf '%s' "$python_version"; cat requirements.txt; } | sha256sum | cut -c1-16)"
venv="$CACHE_DIR/venv-$hash"
# The marker is written last: a virtualenv without it (an interrupted install) is made anew.
if [ -f "$venv/.installed" ]; then echo "aerleon: cached ($venv)"; exit 0; fi
started=$SECONDS
rm -rf "$venv"
python3 -m venv "$venv"
# --no-deps with every package pinned: exactly requirements.txt, nothing resolved anew; pip check proves it complete.
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r requirements.txt
"$venv/bin/pip" check >/dev/null
touch "$venv/.installed"
echo "aerleon: installed $(grep -m1 '^aerleon==' requirements.txt) in $((SECONDS - started)) s ($venv)"
