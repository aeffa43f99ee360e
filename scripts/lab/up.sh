#!/usr/bin/env bash
# Starts the real-cluster lab (docs/lab.md) and leaves it running; scripts/lab/down.sh stops it.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/lab/build.sh >/dev/null
exec npx ts-node --transpile-only --project test/tsconfig.json test/lab/cli.ts up
