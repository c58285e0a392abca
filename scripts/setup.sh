#!/usr/bin/env bash
# Sets up everything the project needs on a fresh machine: a virtualenv with the package, and the
# system tools (graphviz's dot; with --dev also Chromium, nginx and the delivery validators:
# promtool, kubectl's kustomize, npm-groovy-lint, checkov).
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
if [ "$dev" = 1 ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
else
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
fi

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v git >/dev/null 2>&1 || missing+=(git)
if [ "$dev" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
  command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)  # planner rehearse
  command -v mvn >/dev/null 2>&1 || missing+=(maven)  # the Java rehearsal builds with it
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing system packages: ${missing[*]}" >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "error: need root (or sudo) to install ${missing[*]}; install them and rerun" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm-groovy-lint (checks the generated Jenkinsfiles; runs CodeNarc on Java) in a project-local dir.
if [ "$dev" = 1 ] && [ ! -x .venv/node/node_modules/.bin/npm-groovy-lint ]; then
  npm install --silent --no-audit --no-fund --prefix .venv/node npm-groovy-lint@14.4.0 >/dev/null
fi

# axe-core (the accessibility checker the browser tests inject; never part of the report).
if [ "$dev" = 1 ] && [ ! -f .venv/node/node_modules/axe-core/axe.min.js ]; then
  npm install --silent --no-audit --no-fund --prefix .venv/node axe-core@4.10.3 >/dev/null
fi

# checkov (checks the generated Kubernetes manifests) pins networkx<2.7, which the planner cannot
# use, so it gets a virtualenv of its own.
if [ "$dev" = 1 ] && [ ! -x .venv/checkov/bin/checkov ]; then
  "$python" -m venv .venv/checkov
  .venv/checkov/bin/python -m pip install --quiet --disable-pip-version-check checkov==3.3.30
fi
