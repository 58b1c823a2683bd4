#!/usr/bin/env bash
# Runs a command with the registry's servers available:
# - ConnectionStrings__Registry and ConnectionStrings__RabbitMq already set → used as they are;
# - otherwise the local services are started if needed (and stopped afterwards if this script
#   started them), and their settings exported for the command.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
services="$here/services.sh"

if [[ -n "${ConnectionStrings__Registry:-}" && -n "${ConnectionStrings__RabbitMq:-}" ]]; then
  exec "$@"
fi

started=0
if ! bash "$services" status >/dev/null 2>&1; then
  bash "$services" up
  started=1
fi
stop() { if [[ $started == 1 ]]; then bash "$services" down || true; fi; }
trap stop EXIT
eval "$(bash "$services" env)"
"$@"
