#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine (as root, or with sudo):
# the Python virtual environment with runtime and test packages, Debian's chromium
# for the browser tests, PostgreSQL's server binaries (the tests start their own
# throw-away cluster on 127.0.0.1) and nginx (deploy/local-cluster.sh runs it as a
# plain process, never as the system service). Idempotent: re-running installs nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# nginx-light would do too; "nginx" is Debian's default flavour (same binary path).
[ -x /usr/sbin/nginx ] || need_apt+=(nginx)
# envsubst renders deploy/nginx/nginx.conf.template as the proxy image does; curl runs the
# nginx health check of deploy/compose.yaml (tests/test_deploy_files.py, the local cluster).
command -v envsubst >/dev/null 2>&1 || need_apt+=(gettext-base)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
