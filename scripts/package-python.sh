#!/usr/bin/env bash
# Builds the Python distribution (wheel) of the jsii library without PyPI: jsii-pacmak generates the
# Python package, and Debian's python3 with python3-setuptools/python3-wheel builds the wheel offline
# (jsii-pacmak's own build step would download pinned build tools from PyPI).
# Usage: scripts/package-python.sh [outdir]   (default dist/python)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist/python}
mkdir -p "$out" && out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -f .jsii ] || npx jsii --silence-warnings=reserved-word
npx jsii-pacmak --target python --code-only -o "$work" >/dev/null
(cd "$work/python" && /usr/bin/python3 -m pip wheel --no-deps --no-build-isolation --no-index -w "$out" . >/dev/null)
ls "$out"/*.whl
