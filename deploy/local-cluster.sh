#!/usr/bin/env bash
# The deployment of deploy/compose.yaml on this machine, without containers: a throw-away
# PostgreSQL, 2 dashboard replicas, the API, the static-site publisher and nginx in front,
# all on 127.0.0.1 (free ports), with Debian's nginx and PostgreSQL (bash tests/setup.sh).
#
#   bash deploy/local-cluster.sh            # start, print the addresses; Ctrl-C stops everything
#   bash deploy/local-cluster.sh --check    # start, smoke test + bounded load test, figures, stop
#   bash deploy/local-cluster.sh --check --visitors 20 --replicas 1 --no-browser
#   bash deploy/local-cluster.sh --help
#
# Everything it starts is stopped at the end, also on Ctrl-C, SIGTERM or a failure (the logs
# then stay in the run folder it prints). The work is done by deploy/cluster.py.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  echo "local-cluster: .venv missing — run: bash tests/setup.sh" >&2
  exit 2
fi
exec .venv/bin/python -m deploy.cluster "$@"
