#!/usr/bin/env bash
# Stops the lab: its processes, network namespaces (ceglab-*), host link and state directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec npx ts-node --transpile-only --project test/tsconfig.json test/lab/cli.ts down
