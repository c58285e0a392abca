#!/usr/bin/env bash
# Sets up the project and runs the demo on the bundled legacy shop into ./out.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/planner demo --out "${1:-out}"
